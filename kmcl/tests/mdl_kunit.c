// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for MDLs (kmcl/api_mdl.c, kmcl/mdl.c): the header fields
 * IoAllocateMdl() sets, the PFNs MmBuildMdlForNonPagedPool() and
 * KmclAllocateMdlForPages() store (compared with frame numbers computed
 * here from virt_to_phys(), vmalloc_to_pfn() and page_to_pfn()), bytes
 * going both ways through MmGetSystemAddressForMdlSafe() mappings, the
 * mapping rules (no mapping for nonpaged pool, direct map for physically
 * consecutive pages, vmap() otherwise, nothing that needs vmap() from
 * atomic context, deferred unmap from atomic context), chains and every
 * refused argument. Every vmap() is counted, so a leaked mapping fails.
 *
 * Written with the Windows names on purpose, like a ported driver.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#ifdef CONFIG_X86
#include <asm/pgtable_types.h>
#endif

#include <kmcl/mdl.h>

#include "mdl.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

#define HV4K		4096UL
#define HV_PER_PAGE	(PAGE_SIZE / HV4K)

KUNIT_DEFINE_ACTION_WRAPPER(mdl_free_action, IoFreeMdl, PMDL);
KUNIT_DEFINE_ACTION_WRAPPER(mdl_vfree_action, vfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(mdl_page_free_action, __free_page, struct page *);

static void mdl_free_order1(void *page)
{
	__free_pages(page, 1);
}

/* An MDL that is freed when the test ends, unless released earlier. */
static PMDL mdl_track(struct kunit *test, PMDL mdl)
{
	KUNIT_ASSERT_NOT_NULL(test, mdl);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mdl_free_action, mdl), 0);
	return mdl;
}

static void mdl_release(struct kunit *test, PMDL mdl)
{
	kunit_release_action(test, mdl_free_action, mdl);
}

static void *mdl_vmalloc(struct kunit *test, unsigned long size)
{
	void *p = vmalloc(size);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mdl_vfree_action, p), 0);
	return p;
}

static int mdl_cmp_pfn_desc(const void *a, const void *b)
{
	unsigned long pa = page_to_pfn(*(struct page * const *)a);
	unsigned long pb = page_to_pfn(*(struct page * const *)b);

	return pa < pb ? 1 : pa > pb ? -1 : 0;
}

/*
 * @n single pages, sorted by falling frame number: no two neighbours are
 * physically consecutive, so one contiguous view of them needs a vmap().
 */
static struct page **mdl_scattered_pages(struct kunit *test, unsigned int n)
{
	struct page **pages = kunit_kcalloc(test, n, sizeof(*pages), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, pages);
	for (i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mdl_page_free_action,
								pages[i]), 0);
	}
	sort(pages, n, sizeof(*pages), mdl_cmp_pfn_desc, NULL);
	return pages;
}

/* Byte @pos of a buffer spread over @pages (Linux pages). */
static u8 *mdl_page_byte(struct page **pages, unsigned long pos)
{
	return (u8 *)page_address(pages[pos / PAGE_SIZE]) + pos % PAGE_SIZE;
}

/* The 4 KiB frame under a direct-map address, from its physical address. */
static unsigned long mdl_phys_hvpfn(void *va)
{
	return (unsigned long)(virt_to_phys(va) >> 12);
}

/* The 4 KiB frame under a vmalloc address, from vmalloc_to_pfn(). */
static unsigned long mdl_vmalloc_hvpfn(const void *va)
{
	return vmalloc_to_pfn(va) * HV_PER_PAGE +
	       ((unsigned long)va & ~PAGE_MASK) / HV4K;
}

/* Byte @i of test pattern @seed: differs between neighbouring pages. */
static u8 mdl_pattern(unsigned long i, u8 seed)
{
	return (u8)(i * 7 + seed + (i >> 12));
}

static void mdl_fill(u8 *p, unsigned long len, u8 seed)
{
	unsigned long i;

	for (i = 0; i < len; i++)
		p[i] = mdl_pattern(i, seed);
}

/* kmalloc() buffer at an odd offset spanning four 4 KiB pages. */
static void mdl_kmalloc_odd_offset(struct kunit *test)
{
	u8 *buf = kunit_kmalloc(test, 5 * HV4K, GFP_KERNEL);
	int maps = kmcl_mdl_vmap_count();
	ULONG len = 2 * HV4K + 0x123, span, i;
	PPFN_NUMBER pfns;
	PVOID va, start;
	PMDL mdl;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* 5 bytes before the end of a 4 KiB page. */
	va = (u8 *)ALIGN((unsigned long)buf, HV4K) + HV4K - 5;
	start = (PVOID)((unsigned long)va & ~0xfffUL);
	span = (((unsigned long)va & 0xfff) + len + 0xfff) >> 12;
	KUNIT_ASSERT_EQ(test, span, 4U);

	mdl = mdl_track(test, IoAllocateMdl(va, len, FALSE, FALSE, NULL));
	KUNIT_EXPECT_NULL(test, mdl->Next);
	KUNIT_EXPECT_PTR_EQ(test, mdl->StartVa, start);
	KUNIT_EXPECT_EQ(test, mdl->ByteOffset, (ULONG)((unsigned long)va & 0xfff));
	KUNIT_EXPECT_EQ(test, mdl->ByteOffset, 0xffbU);
	KUNIT_EXPECT_EQ(test, mdl->ByteCount, len);
	KUNIT_EXPECT_EQ(test, mdl->Size, (CSHORT)(sizeof(MDL) + span * sizeof(PFN_NUMBER)));
	KUNIT_EXPECT_EQ(test, (SIZE_T)mdl->Size, MmSizeOfMdl(va, len));
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, 0);
	KUNIT_EXPECT_NULL(test, mdl->MappedSystemVa);
	KUNIT_EXPECT_NULL(test, mdl->Process);
	KUNIT_EXPECT_PTR_EQ(test, MmGetMdlVirtualAddress(mdl), va);
	KUNIT_EXPECT_EQ(test, MmGetMdlByteCount(mdl), len);
	KUNIT_EXPECT_EQ(test, MmGetMdlByteOffset(mdl), 0xffbU);
	KUNIT_EXPECT_PTR_EQ(test, MmGetMdlBaseVa(mdl), start);
	pfns = MmGetMdlPfnArray(mdl);
	KUNIT_EXPECT_PTR_EQ(test, (PVOID)pfns, (PVOID)(mdl + 1));

	MmBuildMdlForNonPagedPool(mdl);
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL);
	KUNIT_EXPECT_PTR_EQ(test, mdl->MappedSystemVa, va);
	for (i = 0; i < span; i++) {
		u8 *page_va = (u8 *)start + i * HV4K;

		KUNIT_EXPECT_EQ(test, pfns[i], mdl_phys_hvpfn(page_va));
		KUNIT_EXPECT_EQ(test, pfns[i],
				page_to_pfn(virt_to_page(page_va)) * HV_PER_PAGE +
				offset_in_page(page_va) / HV4K);
	}

	/* Nonpaged pool: its own address, no mapping, nothing to unmap. */
	KUNIT_EXPECT_PTR_EQ(test, MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), va);
	KUNIT_EXPECT_PTR_EQ(test, MmGetSystemAddressForMdlSafe(mdl, HighPagePriority |
							       MdlMappingNoExecute), va);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps);
	MmUnmapLockedPages(va, mdl);
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL);
	KUNIT_EXPECT_PTR_EQ(test, mdl->MappedSystemVa, va);
	/* Building it again is harmless and gives the same result. */
	MmBuildMdlForNonPagedPool(mdl);
	KUNIT_EXPECT_EQ(test, pfns[3], mdl_phys_hvpfn((u8 *)start + 3 * HV4K));
}

/* Bytes through two addresses of one buffer: @a written, @b read, and back. */
static void mdl_expect_same_bytes(struct kunit *test, u8 *a, u8 *b, unsigned long len)
{
	mdl_fill(a, len, 0x11);
	KUNIT_EXPECT_MEMEQ(test, b, a, len);
	mdl_fill(b, len, 0x5c);
	KUNIT_EXPECT_MEMEQ(test, a, b, len);
	KUNIT_EXPECT_EQ(test, a[len - 1], mdl_pattern(len - 1, 0x5c));
}

/* vmalloc() buffer over 37 pages; then a second MDL that must be vmap()ed. */
static void mdl_vmalloc_many_pages(struct kunit *test)
{
	u8 *buf = mdl_vmalloc(test, 40 * HV4K);
	int maps = kmcl_mdl_vmap_count();
	ULONG len = 37 * HV4K - 150, span, i;
	u8 *va = buf + 100, *map;
	PMDL mdl, copy;

	span = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, len);
	KUNIT_ASSERT_EQ(test, span, 37U);
	mdl = mdl_track(test, IoAllocateMdl(va, len, FALSE, FALSE, NULL));
	MmBuildMdlForNonPagedPool(mdl);
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL);
	KUNIT_EXPECT_PTR_EQ(test, mdl->MappedSystemVa, (PVOID)va);
	KUNIT_EXPECT_EQ(test, mdl->Size, (CSHORT)(sizeof(MDL) + 37 * sizeof(PFN_NUMBER)));
	for (i = 0; i < span; i++)
		KUNIT_EXPECT_EQ(test, MmGetMdlPfnArray(mdl)[i],
				mdl_vmalloc_hvpfn(buf + i * HV4K));
	KUNIT_EXPECT_PTR_EQ(test, MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority),
			    (PVOID)va);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps);

	/* The same pages known only by their PFNs (as a peer sees them). */
	copy = mdl_track(test, IoAllocateMdl(va, len, FALSE, FALSE, NULL));
	memcpy(MmGetMdlPfnArray(copy), MmGetMdlPfnArray(mdl), span * sizeof(PFN_NUMBER));
	map = MmGetSystemAddressForMdlSafe(copy, NormalPagePriority);
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_PTR_NE(test, (PVOID)map, (PVOID)va);
	KUNIT_EXPECT_EQ(test, (unsigned long)map & 0xfff, 100UL);
	KUNIT_EXPECT_EQ(test, copy->MdlFlags, MDL_MAPPED_TO_SYSTEM_VA);
	KUNIT_EXPECT_PTR_EQ(test, copy->MappedSystemVa, (PVOID)map);
	if (is_vmalloc_addr(map))
		KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps + 1);
	mdl_expect_same_bytes(test, va, map, len);
	/* Mapping twice gives the same address and no new mapping. */
	KUNIT_EXPECT_PTR_EQ(test, MmGetSystemAddressForMdlSafe(copy, LowPagePriority),
			    (PVOID)map);
	KUNIT_EXPECT_LE(test, kmcl_mdl_vmap_count(), maps + 1);

	MmUnmapLockedPages(map, copy);
	KUNIT_EXPECT_EQ(test, copy->MdlFlags, 0);
	KUNIT_EXPECT_NULL(test, copy->MappedSystemVa);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps);
	/* A second unmap of the same address is refused (logged), no change. */
	MmUnmapLockedPages(map, copy);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps);
}

/* An MDL for scattered pages: PFNs, vmap(), bytes both ways, unmap. */
static void mdl_page_array(struct kunit *test)
{
	struct page **pages = mdl_scattered_pages(test, 4);
	ULONG off = 0x123, len = 2 * PAGE_SIZE + 0x200, span, j;
	int maps = kmcl_mdl_vmap_count();
	unsigned long k;
	u8 *map;
	PMDL mdl;

	span = ADDRESS_AND_SIZE_TO_SPAN_PAGES(off, len);
	mdl = mdl_track(test, KmclAllocateMdlForPages(pages, 4, off, len));
	KUNIT_EXPECT_NULL(test, mdl->StartVa);
	KUNIT_EXPECT_NULL(test, mdl->Next);
	KUNIT_EXPECT_EQ(test, mdl->ByteOffset, off & 0xfff);
	KUNIT_EXPECT_EQ(test, mdl->ByteCount, len);
	KUNIT_EXPECT_EQ(test, mdl->Size, (CSHORT)(sizeof(MDL) + span * sizeof(PFN_NUMBER)));
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, MDL_PAGES_LOCKED);
	KUNIT_EXPECT_NULL(test, mdl->MappedSystemVa);
	for (j = 0; j < span; j++) {
		unsigned long g = off / HV4K + j;

		KUNIT_EXPECT_EQ(test, MmGetMdlPfnArray(mdl)[j],
				page_to_pfn(pages[g / HV_PER_PAGE]) * HV_PER_PAGE +
				g % HV_PER_PAGE);
	}

	map = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(map));
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps + 1);
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA);
	KUNIT_EXPECT_EQ(test, (unsigned long)map & ~PAGE_MASK, (unsigned long)off);

	for (k = 0; k < len; k++)
		*mdl_page_byte(pages, off + k) = mdl_pattern(k, 1);
	for (k = 0; k < len; k++)
		if (map[k] != mdl_pattern(k, 1))
			break;
	KUNIT_EXPECT_EQ(test, k, (unsigned long)len);
	mdl_fill(map, len, 0xa7);
	for (k = 0; k < len; k++)
		if (*mdl_page_byte(pages, off + k) != map[k])
			break;
	KUNIT_EXPECT_EQ(test, k, (unsigned long)len);

	KUNIT_EXPECT_PTR_EQ(test, MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority),
			    (PVOID)map);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps + 1);
	MmUnmapLockedPages(map, mdl);
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, MDL_PAGES_LOCKED);
	KUNIT_EXPECT_NULL(test, mdl->MappedSystemVa);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps);

	/* Mapped again after an unmap: a new, working mapping. */
	map = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_EQ(test, map[len - 1], *mdl_page_byte(pages, off + len - 1));
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps + 1);
	/* IoFreeMdl() takes a mapping with it. */
	mdl_release(test, mdl);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps);
}

/* Physically consecutive pages: the direct map, no vmap(). */
static void mdl_page_array_direct(struct kunit *test)
{
	int maps = kmcl_mdl_vmap_count();
	struct page *block, *pages[2];
	u8 *map;
	PMDL mdl;

	block = alloc_pages(GFP_KERNEL, 1);
	KUNIT_ASSERT_NOT_NULL(test, block);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mdl_free_order1, block), 0);
	pages[0] = block;
	pages[1] = block + 1;	/* one allocation never crosses a section */

	mdl = mdl_track(test, KmclAllocateMdlForPages(pages, 2, 0x10, PAGE_SIZE));
	map = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
	KUNIT_EXPECT_PTR_EQ(test, (PVOID)map, (PVOID)((u8 *)page_address(block) + 0x10));
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps);
	MmUnmapLockedPages(map, mdl);
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, MDL_PAGES_LOCKED);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps);

	/* The same from atomic context: still no mapping needed. */
	local_bh_disable();
	map = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
	local_bh_enable();
	KUNIT_EXPECT_PTR_EQ(test, (PVOID)map, (PVOID)((u8 *)page_address(block) + 0x10));
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps);
}

/* MdlMappingNoWrite gets a read-only vmap(), even for one page. */
static void mdl_map_nowrite(struct kunit *test)
{
	struct page **pages = mdl_scattered_pages(test, 1);
	int maps = kmcl_mdl_vmap_count();
	u8 *map;
	PMDL mdl;

	mdl = mdl_track(test, KmclAllocateMdlForPages(pages, 1, 8, 64));
	mdl_fill(mdl_page_byte(pages, 8), 64, 3);
	map = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoWrite);
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(map));
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps + 1);
	KUNIT_EXPECT_MEMEQ(test, map, mdl_page_byte(pages, 8), 64);
#ifdef CONFIG_X86
	{
		unsigned int level;
		pte_t *pte = lookup_address((unsigned long)map, &level);

		KUNIT_ASSERT_NOT_NULL(test, pte);
		KUNIT_EXPECT_FALSE(test, pte_write(*pte));
		KUNIT_EXPECT_FALSE(test, pte_exec(*pte));
	}
#endif
	MmUnmapLockedPages(map, mdl);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps);
}

/* Atomic context: no vmap(); existing mappings work; unmap is deferred. */
static void mdl_map_atomic(struct kunit *test)
{
	struct page **pages = mdl_scattered_pages(test, 3);
	int maps = kmcl_mdl_vmap_count();
	u8 *map, *again;
	PMDL mdl, small;

	mdl = mdl_track(test, KmclAllocateMdlForPages(pages, 3, 0, 3 * PAGE_SIZE));

	local_bh_disable();
	map = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
	local_bh_enable();
	KUNIT_EXPECT_NULL(test, map);
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, MDL_PAGES_LOCKED);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps);

	map = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
	KUNIT_ASSERT_NOT_NULL(test, map);
	mdl_fill(map, 3 * PAGE_SIZE, 9);

	local_bh_disable();
	again = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
	/* Small MDLs can be allocated and freed here too. */
	small = IoAllocateMdl(map, 100, FALSE, FALSE, NULL);
	if (small) {
		MmBuildMdlForNonPagedPool(small);
		IoFreeMdl(small);
	}
	MmUnmapLockedPages(map, mdl);
	local_bh_enable();
	KUNIT_EXPECT_PTR_EQ(test, (PVOID)again, (PVOID)map);
	KUNIT_EXPECT_NOT_NULL(test, small);
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, MDL_PAGES_LOCKED);
	KUNIT_EXPECT_NULL(test, mdl->MappedSystemVa);

	kmcl_mdl_flush();
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps);
	KUNIT_EXPECT_EQ(test, *mdl_page_byte(pages, 2 * PAGE_SIZE + 5),
			mdl_pattern(2 * PAGE_SIZE + 5, 9));

	/* IoFreeMdl() of a mapped MDL from atomic context: deferred too. */
	map = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps + 1);
	local_bh_disable();
	mdl_release(test, mdl);
	local_bh_enable();
	kmcl_mdl_flush();
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), maps);
}

/* SecondaryBuffer links nothing without an IRP; chains are built by Next. */
static void mdl_chain(struct kunit *test)
{
	u8 *b1 = kunit_kmalloc(test, 3000, GFP_KERNEL);
	u8 *b2 = mdl_vmalloc(test, 3 * HV4K);
	u8 *flat = kunit_kmalloc(test, 3000 + 3 * HV4K, GFP_KERNEL);
	ULONG total = 0, pos = 0, n = 0;
	PMDL m1, m2, m;

	KUNIT_ASSERT_NOT_NULL(test, b1);
	KUNIT_ASSERT_NOT_NULL(test, flat);
	mdl_fill(b1, 3000, 1);
	mdl_fill(b2, 3 * HV4K, 2);
	memcpy(flat, b1, 3000);
	memcpy(flat + 3000, b2, 3 * HV4K);

	m1 = mdl_track(test, IoAllocateMdl(b1, 3000, FALSE, FALSE, NULL));
	m2 = mdl_track(test, IoAllocateMdl(b2, 3 * HV4K, TRUE, FALSE, NULL));
	KUNIT_EXPECT_NULL(test, m1->Next);
	KUNIT_EXPECT_NULL(test, m2->Next);
	m1->Next = m2;
	MmBuildMdlForNonPagedPool(m1);
	MmBuildMdlForNonPagedPool(m2);
	KUNIT_EXPECT_PTR_EQ(test, m2->MappedSystemVa, (PVOID)b2);

	for (m = m1; m; m = m->Next) {
		u8 *va = MmGetSystemAddressForMdlSafe(m, NormalPagePriority);

		KUNIT_ASSERT_NOT_NULL(test, va);
		KUNIT_EXPECT_MEMEQ(test, va, flat + pos, MmGetMdlByteCount(m));
		pos += MmGetMdlByteCount(m);
		total += MmGetMdlByteCount(m);
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, total, 3000U + 3 * HV4K);

	/* IoFreeMdl() frees one MDL, not the chain behind it. */
	mdl_release(test, m1);
	KUNIT_EXPECT_EQ(test, m2->ByteCount, 3 * HV4K);
	KUNIT_EXPECT_EQ(test, MmGetMdlPfnArray(m2)[2], mdl_vmalloc_hvpfn(b2 + 2 * HV4K));
}

/* Refused and odd arguments: NULL, zero, oversized, not-built, foreign. */
static void mdl_bad_args(struct kunit *test)
{
	struct page **pages = mdl_scattered_pages(test, 2);
	u8 *buf = kunit_kmalloc(test, 64, GFP_KERNEL);
	struct {
		u64 front;
		MDL mdl;
		PFN_NUMBER pfn[1];
	} *own;
	struct page *holes[2];
	PMDL mdl;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_NULL(test, IoAllocateMdl(buf, 0, FALSE, FALSE, NULL));
	KUNIT_EXPECT_NULL(test, IoAllocateMdl(buf, KMCL_MDL_MAX_BYTE_COUNT + 1,
					      FALSE, FALSE, NULL));
	KUNIT_EXPECT_NULL(test, IoAllocateMdl(buf, MAXULONG, FALSE, FALSE, NULL));
	KUNIT_EXPECT_NULL(test, IoAllocateMdl(buf, 16, FALSE, FALSE, (PIRP)buf));
	KUNIT_EXPECT_NULL(test, IoAllocateMdl(buf, 16, TRUE, TRUE, (PIRP)buf));

	/* Nothing happens for NULL. */
	IoFreeMdl(NULL);
	MmBuildMdlForNonPagedPool(NULL);
	MmUnmapLockedPages(NULL, NULL);
	MmUnmapLockedPages(buf, NULL);
	KUNIT_EXPECT_NULL(test, MmGetSystemAddressForMdlSafe(NULL, NormalPagePriority));

	/* The largest MDL: 4 GiB - 4 KiB, 1048575 PFNs, Size truncated. */
	mdl = mdl_track(test, IoAllocateMdl(NULL, KMCL_MDL_MAX_BYTE_COUNT,
					    FALSE, TRUE, NULL));
	KUNIT_EXPECT_EQ(test, mdl->ByteCount, KMCL_MDL_MAX_BYTE_COUNT);
	KUNIT_EXPECT_EQ(test, mdl->ByteOffset, 0U);
	KUNIT_EXPECT_NULL(test, mdl->StartVa);
	KUNIT_EXPECT_EQ(test, mdl->Size,
			(CSHORT)((sizeof(MDL) + 0xfffffUL * sizeof(PFN_NUMBER)) & 0xffff));
	KUNIT_EXPECT_EQ(test, MmSizeOfMdl(NULL, KMCL_MDL_MAX_BYTE_COUNT),
			sizeof(MDL) + 0xfffffUL * sizeof(PFN_NUMBER));
	/* Unbuilt: its PFNs are invalid, so it cannot be mapped. */
	KUNIT_EXPECT_NULL(test, MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority));
	KUNIT_EXPECT_EQ(test, MmGetMdlPfnArray(mdl)[0xffffe], KMCL_HVPFN_INVALID);
	mdl_release(test, mdl);
	KUNIT_EXPECT_EQ(test, KMCL_MDL_MAX_EXACT_SIZE_PAGES, 8185U);

	/* Not a kernel buffer: build fails, nothing can map it. */
	mdl = mdl_track(test, IoAllocateMdl((PVOID)0x1000, 100, FALSE, FALSE, NULL));
	MmBuildMdlForNonPagedPool(mdl);
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, 0);
	KUNIT_EXPECT_NULL(test, mdl->MappedSystemVa);
	KUNIT_EXPECT_EQ(test, MmGetMdlPfnArray(mdl)[0], KMCL_HVPFN_INVALID);
	KUNIT_EXPECT_NULL(test, MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority));
	/* Unmapping an MDL that is not mapped changes nothing. */
	MmUnmapLockedPages(buf, mdl);
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, 0);

	/* A caller-made MDL whose Size is too small for its ByteCount. */
	own = kunit_kzalloc(test, sizeof(*own), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, own);
	MmInitializeMdl(&own->mdl, buf, 32);
	own->mdl.ByteCount = 3 * HV4K;
	MmBuildMdlForNonPagedPool(&own->mdl);
	KUNIT_EXPECT_EQ(test, own->mdl.MdlFlags, 0);
	KUNIT_EXPECT_NULL(test, MmGetSystemAddressForMdlSafe(&own->mdl, NormalPagePriority));
	own->mdl.ByteCount = 32;
	own->mdl.ByteOffset = HV4K;
	KUNIT_EXPECT_NULL(test, MmGetSystemAddressForMdlSafe(&own->mdl, NormalPagePriority));
	/* A consistent one works without KMCL having allocated it... */
	MmInitializeMdl(&own->mdl, buf, 32);
	MmBuildMdlForNonPagedPool(&own->mdl);
	KUNIT_EXPECT_EQ(test, own->mdl.MdlFlags, MDL_SOURCE_IS_NONPAGED_POOL);
	KUNIT_EXPECT_EQ(test, own->pfn[0], mdl_phys_hvpfn(buf));
	KUNIT_EXPECT_PTR_EQ(test, MmGetSystemAddressForMdlSafe(&own->mdl, 0), (PVOID)buf);
	/* ...but IoFreeMdl() refuses it. */
	IoFreeMdl(&own->mdl);
	KUNIT_EXPECT_EQ(test, own->mdl.ByteCount, 32U);

	/* Page arrays. */
	KUNIT_EXPECT_NULL(test, KmclAllocateMdlForPages(NULL, 1, 0, 1));
	KUNIT_EXPECT_NULL(test, KmclAllocateMdlForPages(pages, 0, 0, 1));
	KUNIT_EXPECT_NULL(test, KmclAllocateMdlForPages(pages, 1, 0, 0));
	KUNIT_EXPECT_NULL(test, KmclAllocateMdlForPages(pages, 1, PAGE_SIZE, 1));
	KUNIT_EXPECT_NULL(test, KmclAllocateMdlForPages(pages, 1, 1, PAGE_SIZE));
	KUNIT_EXPECT_NULL(test, KmclAllocateMdlForPages(pages, 2, 0, 2 * PAGE_SIZE + 1));
	KUNIT_EXPECT_NULL(test, KmclAllocateMdlForPages(pages, MAXULONG, 0,
							KMCL_MDL_MAX_BYTE_COUNT + 1));
	holes[0] = pages[0];
	holes[1] = NULL;
	KUNIT_EXPECT_NULL(test, KmclAllocateMdlForPages(holes, 2, 1, PAGE_SIZE));
	/* Entries past the buffer are never read. */
	mdl = mdl_track(test, KmclAllocateMdlForPages(holes, 2, 0, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, MmGetMdlPfnArray(mdl)[0], page_to_pfn(pages[0]) * HV_PER_PAGE);

	/* A mapped MDL is not rebuilt. */
	mdl = mdl_track(test, KmclAllocateMdlForPages(pages, 2, 0, 2 * PAGE_SIZE));
	KUNIT_ASSERT_NOT_NULL(test, MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority));
	MmBuildMdlForNonPagedPool(mdl);
	KUNIT_EXPECT_EQ(test, mdl->MdlFlags, MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA);
	KUNIT_EXPECT_EQ(test, MmGetMdlPfnArray(mdl)[1], page_to_pfn(pages[1]) * HV_PER_PAGE);
}

/* Linux pages under Hyper-V PFNs, for 4K, 16K and 64K Linux pages. */
static void mdl_hvpfn_layout(struct kunit *test)
{
	static const unsigned long two_pages[] = {
		32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 80, 81,
	};
	static const unsigned long mid_start[] = { 45, 46, 47, 16, 17 };
	static const unsigned long gap[] = { 32, 34 };
	static const unsigned long late_entry[] = { 47, 81 };
	static const unsigned long early_exit[] = { 32, 33, 80 };
	static const unsigned long any4k[] = { 9, 3, 3, 100 };
	static const unsigned long per16k[] = { 4, 5, 6, 7, 12, 13 };
	unsigned long lpfns[18];
	u32 nr = 0;

	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_layout(two_pages, 18, 16, lpfns, &nr), 0);
	KUNIT_EXPECT_EQ(test, nr, 2U);
	KUNIT_EXPECT_EQ(test, lpfns[0], 2UL);
	KUNIT_EXPECT_EQ(test, lpfns[1], 5UL);
	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_layout(mid_start, 5, 16, lpfns, &nr), 0);
	KUNIT_EXPECT_EQ(test, nr, 2U);
	KUNIT_EXPECT_EQ(test, lpfns[0], 2UL);
	KUNIT_EXPECT_EQ(test, lpfns[1], 1UL);
	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_layout(per16k, 6, 4, NULL, &nr), 0);
	KUNIT_EXPECT_EQ(test, nr, 2U);
	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_layout(gap, 2, 16, lpfns, &nr), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_layout(late_entry, 2, 16, lpfns, &nr), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_layout(early_exit, 3, 16, lpfns, &nr), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_layout(early_exit, 3, 4, lpfns, &nr), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_layout(two_pages, 0, 16, lpfns, &nr), -EINVAL);
	/* With 4 KiB Linux pages any order maps (one Linux page per PFN). */
	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_layout(any4k, 4, 1, lpfns, &nr), 0);
	KUNIT_EXPECT_EQ(test, nr, 4U);
	KUNIT_EXPECT_EQ(test, lpfns[0], 9UL);
	KUNIT_EXPECT_EQ(test, lpfns[3], 100UL);
	KUNIT_EXPECT_EQ(test, KMCL_HV_PER_PAGE, HV_PER_PAGE);
}

/* PFNs that are not RAM are never mapped. */
static void mdl_map_not_ram(struct kunit *test)
{
	unsigned long bad[2] = { KMCL_HVPFN_INVALID, KMCL_HVPFN_INVALID };
	struct {
		MDL mdl;
		PFN_NUMBER pfn[2];
	} *own = kunit_kzalloc(test, sizeof(*own), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, own);
	KUNIT_EXPECT_NULL(test, kmcl_hvpfns_map(bad, 2, 0, 0));
	KUNIT_EXPECT_NULL(test, kmcl_hvpfns_map(bad, 0, 0, 0));
	MmInitializeMdl(&own->mdl, (PVOID)0x5000, 2 * HV4K);
	own->pfn[0] = KMCL_HVPFN_INVALID - 1;
	own->pfn[1] = KMCL_HVPFN_INVALID;
	KUNIT_EXPECT_NULL(test, MmGetSystemAddressForMdlSafe(&own->mdl, NormalPagePriority));
	KUNIT_EXPECT_EQ(test, own->mdl.MdlFlags, 0);
}

/*
 * kmcl_hvpfns_match_va(): an address is accepted as the mapping of a PFN
 * array only if every page under it is that PFN, from the right offset.
 */
static void mdl_match_va(struct kunit *test)
{
	u8 *v = mdl_vmalloc(test, 3 * HV4K), *w = mdl_vmalloc(test, HV4K);
	u8 *k = kunit_kzalloc(test, 2 * HV4K, GFP_KERNEL);
	unsigned long pfns[3], other[2] = {}, kp[1];

	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_EQ(test, kmcl_hvpfns_from_va(v, 3, pfns), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hvpfns_from_va(w, 1, other), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hvpfns_from_va(k + 8, 1, kp), 0);

	KUNIT_EXPECT_TRUE(test, kmcl_hvpfns_match_va(v, pfns, 3, 0));
	KUNIT_EXPECT_TRUE(test, kmcl_hvpfns_match_va(v + 300, pfns, 3, 300));
	KUNIT_EXPECT_TRUE(test, kmcl_hvpfns_match_va(v + HV4K + 5, pfns + 1, 2, 5));
	KUNIT_EXPECT_TRUE(test, kmcl_hvpfns_match_va(k + 8, kp, 1, offset_in_page(k + 8)));
	/* Wrong offset, a page of another buffer, shifted, none, NULL. */
	KUNIT_EXPECT_FALSE(test, kmcl_hvpfns_match_va(v + 300, pfns, 3, 301));
	KUNIT_EXPECT_FALSE(test, kmcl_hvpfns_match_va(v, pfns, 3, 300));
	KUNIT_EXPECT_FALSE(test, kmcl_hvpfns_match_va(w, pfns, 1, 0));
	KUNIT_EXPECT_FALSE(test, kmcl_hvpfns_match_va(v, other, 1, 0));
	KUNIT_EXPECT_FALSE(test, kmcl_hvpfns_match_va(v + HV4K, pfns, 2, 0));
	KUNIT_EXPECT_FALSE(test, kmcl_hvpfns_match_va(v, pfns, 0, 0));
	KUNIT_EXPECT_FALSE(test, kmcl_hvpfns_match_va(NULL, pfns, 1, 0));
	/* Past the end of the vmalloc() area: the guard page has no page. */
	KUNIT_EXPECT_FALSE(test, kmcl_hvpfns_match_va(w, other, 2, 0));
}

/*
 * kmcl_hvpfns_run(): a run goes up one page at a time and ends at a gap,
 * at the end of a 2 MiB block, or where the numbers would wrap.
 */
static void mdl_hvpfn_run(struct kunit *test)
{
	unsigned long blk = 1UL << KMCL_HV_BLOCK_SHIFT;
	unsigned long a[6] = { 5 * blk - 2, 5 * blk - 1, 5 * blk, 5 * blk + 1,
			       7, 8 };
	unsigned long w[3] = { KMCL_HVPFN_INVALID - 1, KMCL_HVPFN_INVALID, 0 };

	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_run(a, 6), 2);
	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_run(a + 2, 4), 2);
	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_run(a + 4, 2), 2);
	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_run(a + 4, 1), 1);
	KUNIT_EXPECT_EQ(test, kmcl_hvpfns_run(w, 3), 2);
}

/*
 * kmcl_hvpfns_match_va() in the direct map, where a run of consecutive
 * pages is checked at its ends: a page out of line, a shifted array and a
 * wrong last page are each refused.
 */
static void mdl_match_va_direct(struct kunit *test)
{
	u8 *d = kunit_kzalloc(test, 4 * HV4K, GFP_KERNEL);
	unsigned long dp[4], bad[4];
	u32 off, i;

	KUNIT_ASSERT_NOT_NULL(test, d);
	off = (unsigned long)d & (HV4K - 1);
	KUNIT_ASSERT_EQ(test, kmcl_hvpfns_from_va(d, 4, dp), 0);
	KUNIT_EXPECT_TRUE(test, kmcl_hvpfns_match_va(d, dp, 4, off));
	KUNIT_EXPECT_TRUE(test, kmcl_hvpfns_match_va(d + HV4K, dp + 1, 3, off));

	memcpy(bad, dp, sizeof(bad));
	bad[1] += 4;
	KUNIT_EXPECT_FALSE(test, kmcl_hvpfns_match_va(d, bad, 4, off));
	for (i = 0; i < 4; i++)
		bad[i] = dp[i] + 1;
	KUNIT_EXPECT_FALSE(test, kmcl_hvpfns_match_va(d, bad, 4, off));
	memcpy(bad, dp, sizeof(bad));
	bad[3]++;
	KUNIT_EXPECT_FALSE(test, kmcl_hvpfns_match_va(d, bad, 4, off));
}

static struct kunit_case kmcl_mdl_cases[] = {
	KUNIT_CASE(mdl_kmalloc_odd_offset),
	KUNIT_CASE(mdl_vmalloc_many_pages),
	KUNIT_CASE(mdl_page_array),
	KUNIT_CASE(mdl_page_array_direct),
	KUNIT_CASE(mdl_map_nowrite),
	KUNIT_CASE(mdl_map_atomic),
	KUNIT_CASE(mdl_chain),
	KUNIT_CASE(mdl_bad_args),
	KUNIT_CASE(mdl_hvpfn_layout),
	KUNIT_CASE(mdl_map_not_ram),
	KUNIT_CASE(mdl_match_va),
	KUNIT_CASE(mdl_hvpfn_run),
	KUNIT_CASE(mdl_match_va_direct),
	{}
};

static struct kunit_suite kmcl_mdl_suite = {
	.name = "kmcl_mdl",
	.test_cases = kmcl_mdl_cases,
};

kunit_test_suite(kmcl_mdl_suite);
