// SPDX-License-Identifier: GPL-2.0-only
/*
 * API boundary for memory descriptor lists: IoAllocateMdl(), IoFreeMdl(),
 * MmBuildMdlForNonPagedPool(), MmGetSystemAddressForMdlSafe(),
 * MmUnmapLockedPages() and the Linux extension KmclAllocateMdlForPages().
 * The contract of each is in include/kmcl/mdl.h; the page lookups and
 * mappings are kmcl/mdl.c.
 *
 * An MDL from IoAllocateMdl() or KmclAllocateMdlForPages() sits in a
 * struct kmcl_mdl_alloc: a magic and the PFN capacity in front of the
 * Windows header, the PFN array right after it, so MmGetMdlPfnArray() works
 * as on Windows. A fresh PFN array holds invalid PFNs until it is built, so
 * an unbuilt MDL can never be mapped.
 *
 * The MDLs KMCL lends to a driver itself (a server's GPADL mapping,
 * external data of an incoming packet) carry other magics, so IoFreeMdl()
 * refuses them: KMCL takes them back when the mapping or the packet ends.
 *
 * MDLs made elsewhere (MmInitializeMdl() on caller memory) are accepted by
 * every function but IoFreeMdl(). Their PFN array size is only known from
 * Size, which is checked against the pages ByteOffset/ByteCount span.
 *
 * The mapping state of every MDL (MDL_MAPPED_TO_SYSTEM_VA,
 * MDL_SOURCE_IS_NONPAGED_POOL, MappedSystemVa) changes under one spinlock,
 * so that racing map and unmap calls on one MDL stay consistent.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <kmcl/mdl.h>

#include "mdl.h"
#include "shmem.h"

#define KMCL_MDL_MAGIC		0x4b4d444cU	/* "KMDL" */
#define KMCL_MDL_MAGIC_FREE	0x6b6d646cU	/* "kmdl" */
#define KMCL_MDL_MAGIC_LIB	0x4b4d4c42U	/* "KMLB": KMCL frees it itself */
#define KMCL_MDL_MAGIC_PLACED	0x4b4d504cU	/* "KMPL": in KMCL's own memory */
/* Placed, and given a lender's own mapping once (kmcl_mdl_use_va()). */
#define KMCL_MDL_MAGIC_PLACED_VA 0x4b4d5056U	/* "KMPV" */

/**
 * struct kmcl_mdl_alloc - an MDL allocated by KMCL
 * @magic: KMCL_MDL_MAGIC while allocated.
 * @capacity: entries in @pfns.
 * @mdl: the Windows MDL header handed out.
 * @pfns: its PFN array, directly after the header.
 */
struct kmcl_mdl_alloc {
	u32 magic;
	u32 capacity;
	MDL mdl;
	PFN_NUMBER pfns[];
};

static_assert(offsetof(struct kmcl_mdl_alloc, pfns) ==
	      offsetof(struct kmcl_mdl_alloc, mdl) + sizeof(MDL));
/* Placed MDLs follow each other in one area; wire PFNs are copied as is. */
static_assert(sizeof(struct kmcl_mdl_alloc) % 8 == 0);
static_assert(sizeof(PFN_NUMBER) == sizeof(u64));

static DEFINE_SPINLOCK(kmcl_mdl_map_lock);

#define KMCL_MDL_MAP_FLAGS	(MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)

/* Allocate and initialize an MDL; its PFNs are invalid until built. */
static PMDL kmcl_mdl_alloc(PVOID va, ULONG length)
{
	ULONG span = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, length);
	struct kmcl_mdl_alloc *a;

	a = kmcl_kvalloc_any(struct_size(a, pfns, span));
	if (!a)
		return NULL;
	a->magic = KMCL_MDL_MAGIC;
	a->capacity = span;
	MmInitializeMdl(&a->mdl, va, length);
	memset(a->pfns, 0xff, span * sizeof(PFN_NUMBER));
	return &a->mdl;
}

/*
 * Pages the MDL's buffer spans, into @span. -EINVAL if the header is
 * unusable: offset outside the first page, or a Size too small for that
 * many PFNs. Sizes of MDLs above KMCL_MDL_MAX_EXACT_SIZE_PAGES are truncated
 * to 16 bits (as on Windows), so for those only the truncated value can be
 * compared.
 */
static int kmcl_mdl_span(PMDL mdl, ULONG *span)
{
	u64 need;

	if (mdl->ByteOffset >= KMCL_HV_PAGE_SIZE)
		return -EINVAL;
	*span = ADDRESS_AND_SIZE_TO_SPAN_PAGES(mdl->ByteOffset, mdl->ByteCount);
	need = sizeof(MDL) + (u64)*span * sizeof(PFN_NUMBER);
	if (*span <= KMCL_MDL_MAX_EXACT_SIZE_PAGES)
		return need > (USHORT)mdl->Size ? -EINVAL : 0;
	return (CSHORT)need != mdl->Size ? -EINVAL : 0;
}

/*
 * Takes the MDL's system mapping away, if it has one of its own; @now:
 * unmap in this call when kmcl_can_sleep() allows, else always defer.
 */
static void kmcl_mdl_unmap_how(PMDL mdl, bool now, bool lent_va)
{
	unsigned long flags;
	PVOID va = NULL;

	spin_lock_irqsave(&kmcl_mdl_map_lock, flags);
	if (mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) {
		va = mdl->MappedSystemVa;
		mdl->MappedSystemVa = NULL;
		mdl->MdlFlags &= ~MDL_MAPPED_TO_SYSTEM_VA;
	}
	spin_unlock_irqrestore(&kmcl_mdl_map_lock, flags);
	if (lent_va)	/* the lender's mapping, or one made since */
		kmcl_hvpfns_unmap_mine(va);
	else if (now)
		kmcl_hvpfns_unmap(va);
	else
		kmcl_hvpfns_unmap_later(va);
}

static void kmcl_mdl_unmap(PMDL mdl)
{
	kmcl_mdl_unmap_how(mdl, true, false);
}

/**
 * IoAllocateMdl() - allocate an MDL for a buffer
 * @VirtualAddress: start of the buffer.
 * @Length: its length, 1..KMCL_MDL_MAX_BYTE_COUNT.
 * @SecondaryBuffer: only meaningful with an IRP; no effect here.
 * @ChargeQuota: ignored.
 * @Irp: must be NULL.
 *
 * See include/kmcl/mdl.h.
 *
 * Context: any context but hard interrupts.
 * Return: the MDL, or NULL.
 */
PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer,
		   BOOLEAN ChargeQuota, PIRP Irp)
{
	if (Irp) {
		pr_warn_once("%s: IRPs do not exist on Linux; Irp must be NULL\n",
			     __func__);
		return NULL;
	}
	if (!Length || Length > KMCL_MDL_MAX_BYTE_COUNT)
		return NULL;
	return kmcl_mdl_alloc(VirtualAddress, Length);
}
EXPORT_SYMBOL_KMCL(IoAllocateMdl);

/**
 * IoFreeMdl() - free an MDL that KMCL allocated
 * @Mdl: the MDL, or NULL.
 *
 * See include/kmcl/mdl.h. An MDL that does not carry KMCL's magic (not
 * from IoAllocateMdl(), or freed already) is logged and not freed.
 *
 * Context: any context but hard interrupts.
 */
VOID IoFreeMdl(PMDL Mdl)
{
	struct kmcl_mdl_alloc *a;

	if (!Mdl)
		return;
	a = container_of(Mdl, struct kmcl_mdl_alloc, mdl);
	if (a->magic != KMCL_MDL_MAGIC) {
		pr_err_ratelimited("%s: %p is not an MDL from IoAllocateMdl\n",
				   __func__, Mdl);
		return;
	}
	kmcl_mdl_unmap(Mdl);
	a->magic = KMCL_MDL_MAGIC_FREE;
	kmcl_kvfree_any(a);
}
EXPORT_SYMBOL_KMCL(IoFreeMdl);

/**
 * MmBuildMdlForNonPagedPool() - fill in the PFNs of a kernel buffer's MDL
 * @MemoryDescriptorList: the MDL.
 *
 * See include/kmcl/mdl.h.
 *
 * Context: any context but hard interrupts.
 */
VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList)
{
	PMDL mdl = MemoryDescriptorList;
	unsigned long flags;
	ULONG span;
	int err;

	if (!mdl)
		return;
	if (mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) {
		pr_err_ratelimited("%s: MDL %p is mapped already\n", __func__, mdl);
		return;
	}
	if (kmcl_mdl_span(mdl, &span)) {
		pr_err_ratelimited("%s: MDL %p has an inconsistent header\n",
				   __func__, mdl);
		return;
	}
	err = kmcl_hvpfns_from_va(mdl->StartVa, span, MmGetMdlPfnArray(mdl));

	spin_lock_irqsave(&kmcl_mdl_map_lock, flags);
	if (err) {
		mdl->MdlFlags &= ~MDL_SOURCE_IS_NONPAGED_POOL;
		mdl->MappedSystemVa = NULL;
	} else {
		mdl->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
		mdl->MappedSystemVa = MmGetMdlVirtualAddress(mdl);
	}
	spin_unlock_irqrestore(&kmcl_mdl_map_lock, flags);
	if (err)
		pr_err_ratelimited("%s: %p is not kmalloc or vmalloc memory (%d)\n",
				   __func__, MmGetMdlVirtualAddress(mdl), err);
}
EXPORT_SYMBOL_KMCL(MmBuildMdlForNonPagedPool);

/* MmGetSystemAddressForMdlSafe() with kmcl_hvpfns_map() @mapflags. */
static PVOID kmcl_mdl_map(PMDL Mdl, unsigned int mapflags)
{
	unsigned long flags;
	PVOID va, other;
	ULONG span;

	if (!Mdl)
		return NULL;
	spin_lock_irqsave(&kmcl_mdl_map_lock, flags);
	va = (Mdl->MdlFlags & KMCL_MDL_MAP_FLAGS) ? Mdl->MappedSystemVa : NULL;
	spin_unlock_irqrestore(&kmcl_mdl_map_lock, flags);
	if (va)
		return va;

	if (!Mdl->ByteCount || kmcl_mdl_span(Mdl, &span))
		return NULL;
	va = kmcl_hvpfns_map(MmGetMdlPfnArray(Mdl), span, Mdl->ByteOffset,
			     mapflags);
	if (!va)
		return NULL;

	spin_lock_irqsave(&kmcl_mdl_map_lock, flags);
	if (Mdl->MdlFlags & KMCL_MDL_MAP_FLAGS) {
		/* Another caller mapped it meanwhile: use theirs. */
		other = Mdl->MappedSystemVa;
		spin_unlock_irqrestore(&kmcl_mdl_map_lock, flags);
		kmcl_hvpfns_unmap(va);
		return other;
	}
	Mdl->MappedSystemVa = va;
	Mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
	spin_unlock_irqrestore(&kmcl_mdl_map_lock, flags);
	return va;
}

/**
 * MmGetSystemAddressForMdlSafe() - kernel address of an MDL's memory
 * @Mdl: the MDL.
 * @Priority: MM_PAGE_PRIORITY, optionally ORed with MdlMapping* flags.
 *
 * See include/kmcl/mdl.h.
 *
 * Context: any context but hard interrupts.
 * Return: the address of the buffer's first byte, or NULL.
 */
PVOID MmGetSystemAddressForMdlSafe(PMDL Mdl, ULONG Priority)
{
	return kmcl_mdl_map(Mdl, (Priority & MdlMappingNoWrite) ?
				 KMCL_MAP_READONLY : 0);
}
EXPORT_SYMBOL_KMCL(MmGetSystemAddressForMdlSafe);

/**
 * MmUnmapLockedPages() - remove an MDL's system mapping
 * @BaseAddress: the address MmGetSystemAddressForMdlSafe() returned.
 * @MemoryDescriptorList: the MDL.
 *
 * See include/kmcl/mdl.h.
 *
 * Context: any context but hard interrupts.
 */
VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList)
{
	PMDL mdl = MemoryDescriptorList;
	unsigned long flags;
	CSHORT mdl_flags;

	if (!mdl)
		return;
	spin_lock_irqsave(&kmcl_mdl_map_lock, flags);
	mdl_flags = mdl->MdlFlags;
	if ((mdl_flags & MDL_MAPPED_TO_SYSTEM_VA) &&
	    mdl->MappedSystemVa == BaseAddress) {
		mdl->MappedSystemVa = NULL;
		mdl->MdlFlags &= ~MDL_MAPPED_TO_SYSTEM_VA;
		spin_unlock_irqrestore(&kmcl_mdl_map_lock, flags);
		/* A lender's own mapping (kmcl_mdl_use_va()) stays as it is. */
		kmcl_hvpfns_unmap_mdl_va(BaseAddress);
		return;
	}
	spin_unlock_irqrestore(&kmcl_mdl_map_lock, flags);
	/* Nonpaged-pool MDLs have no mapping of their own to remove. */
	if (!(mdl_flags & MDL_SOURCE_IS_NONPAGED_POOL))
		pr_warn_ratelimited("%s: %p is not the mapping of MDL %p\n",
				    __func__, BaseAddress, mdl);
}
EXPORT_SYMBOL_KMCL(MmUnmapLockedPages);

/**
 * KmclAllocateMdlForPages() - allocate an MDL for an array of pages
 * @Pages: the pages, in buffer order.
 * @PageCount: entries in @Pages.
 * @ByteOffset: offset of the buffer in @Pages[0], below PAGE_SIZE.
 * @ByteCount: length of the buffer, 1..KMCL_MDL_MAX_BYTE_COUNT.
 *
 * Linux extension; see include/kmcl/mdl.h.
 *
 * Context: any context but hard interrupts.
 * Return: the MDL, or NULL.
 */
PMDL KmclAllocateMdlForPages(struct page **Pages, ULONG PageCount,
			     ULONG ByteOffset, ULONG ByteCount)
{
	ULONG hv_offset = ByteOffset & (KMCL_HV_PAGE_SIZE - 1);
	PMDL mdl;

	if (!Pages || !PageCount || !ByteCount ||
	    ByteCount > KMCL_MDL_MAX_BYTE_COUNT || ByteOffset >= PAGE_SIZE ||
	    (u64)ByteOffset + ByteCount > (u64)PageCount * PAGE_SIZE)
		return NULL;
	mdl = kmcl_mdl_alloc((PVOID)(ULONG_PTR)hv_offset, ByteCount);
	if (!mdl)
		return NULL;
	if (kmcl_hvpfns_from_pages(Pages, PageCount,
				   ByteOffset >> KMCL_HV_PAGE_SHIFT,
				   ADDRESS_AND_SIZE_TO_SPAN_PAGES(hv_offset, ByteCount),
				   MmGetMdlPfnArray(mdl))) {
		IoFreeMdl(mdl);
		return NULL;
	}
	mdl->MdlFlags |= MDL_PAGES_LOCKED;
	return mdl;
}
EXPORT_SYMBOL_KMCL(KmclAllocateMdlForPages);

/**
 * kmcl_mdl_alloc_hvpfns() - an MDL over Hyper-V PFNs, owned by KMCL
 * @pfns: the PFNs of the memory, in order.
 * @count: entries in @pfns: exactly the pages @byte_offset and @byte_count
 *	span.
 * @byte_offset: offset of the memory in the first page (< 4096).
 * @byte_count: length of the memory, 1..KMCL_MDL_MAX_BYTE_COUNT.
 *
 * The MDL has no virtual address (StartVa NULL, no MappedSystemVa), its
 * pages are locked (MDL_PAGES_LOCKED), and it carries a magic that makes
 * IoFreeMdl() refuse it: the holder maps it with
 * MmGetSystemAddressForMdlSafe() and gives it back to KMCL, which frees it
 * with kmcl_mdl_free_hvpfns(). Process context.
 *
 * Return: the MDL, or NULL for bad arguments or no memory.
 */
struct _MDL *kmcl_mdl_alloc_hvpfns(const unsigned long *pfns, u32 count,
				   u32 byte_offset, u32 byte_count)
{
	struct kmcl_mdl_alloc *a;
	PMDL mdl;

	if (!pfns || byte_offset >= KMCL_HV_PAGE_SIZE || !byte_count ||
	    byte_count > KMCL_MDL_MAX_BYTE_COUNT ||
	    ADDRESS_AND_SIZE_TO_SPAN_PAGES(byte_offset, byte_count) != count)
		return NULL;
	mdl = kmcl_mdl_alloc((PVOID)(ULONG_PTR)byte_offset, byte_count);
	if (!mdl)
		return NULL;
	a = container_of(mdl, struct kmcl_mdl_alloc, mdl);
	a->magic = KMCL_MDL_MAGIC_LIB;
	memcpy(a->pfns, pfns, count * sizeof(PFN_NUMBER));
	mdl->StartVa = NULL;
	mdl->MdlFlags |= MDL_PAGES_LOCKED;
	return mdl;
}

/**
 * kmcl_mdl_free_hvpfns() - free an MDL from kmcl_mdl_alloc_hvpfns()
 * @mdl: the MDL, or NULL.
 *
 * Removes the system mapping its holder may have made, then frees it.
 * Any context but hard interrupts (an unmap from atomic context is
 * deferred).
 */
void kmcl_mdl_free_hvpfns(struct _MDL *mdl)
{
	struct kmcl_mdl_alloc *a;

	if (!mdl)
		return;
	a = container_of(mdl, struct kmcl_mdl_alloc, mdl);
	if (a->magic != KMCL_MDL_MAGIC_LIB) {
		pr_err_ratelimited("%s: MDL %p was not made by KMCL\n", __func__,
				   mdl);
		return;
	}
	kmcl_mdl_unmap(mdl);
	a->magic = KMCL_MDL_MAGIC_FREE;
	kmcl_kvfree_any(a);
}

/**
 * kmcl_mdl_check_span() - is an MDL's header usable, and how many pages?
 * @mdl: the MDL.
 * @span: receives the Hyper-V pages its buffer spans.
 *
 * Return: 0, or -EINVAL for an offset outside the first page or a Size too
 * small for the PFN array.
 */
int kmcl_mdl_check_span(struct _MDL *mdl, u32 *span)
{
	ULONG n;
	int ret;

	ret = kmcl_mdl_span(mdl, &n);
	*span = n;
	return ret;
}

/**
 * kmcl_mdl_hvpfns_size() - bytes kmcl_mdl_place_hvpfns() uses
 * @count: PFNs of the MDL.
 *
 * Return: the size, a multiple of 8.
 */
size_t kmcl_mdl_hvpfns_size(u32 count)
{
	struct kmcl_mdl_alloc *a;

	return struct_size(a, pfns, count);
}

KMCL_EXPORT_FOR_TESTS(kmcl_mdl_hvpfns_size);

/**
 * kmcl_mdl_place_hvpfns() - an MDL over Hyper-V PFNs in memory KMCL owns
 * @mem: kmcl_mdl_hvpfns_size(@count) bytes, 8-byte aligned.
 * @pfns: the PFNs, in order (need not be aligned).
 * @count: their number: exactly the pages @byte_offset and @byte_count span.
 * @byte_offset: offset in the first page (< 4096).
 * @byte_count: length, > 0.
 * @prev: the MDL this one follows in a chain, or NULL.
 *
 * Like kmcl_mdl_alloc_hvpfns() (no VA, pages locked, refused by
 * IoFreeMdl()), but nothing is allocated: the owner of @mem gives it back
 * with kmcl_mdl_unplace(). Any context.
 *
 * Return: the MDL.
 */
struct _MDL *kmcl_mdl_place_hvpfns(void *mem, const void *pfns, u32 count,
				   u32 byte_offset, u32 byte_count,
				   struct _MDL *prev)
{
	struct kmcl_mdl_alloc *a = mem;
	PMDL mdl = &a->mdl;

	a->magic = KMCL_MDL_MAGIC_PLACED;
	a->capacity = count;
	MmInitializeMdl(mdl, (PVOID)(ULONG_PTR)byte_offset, byte_count);
	memcpy(a->pfns, pfns, count * sizeof(PFN_NUMBER));
	mdl->StartVa = NULL;
	mdl->MdlFlags |= MDL_PAGES_LOCKED;
	if (prev)
		prev->Next = mdl;
	return mdl;
}

/**
 * kmcl_mdl_use_va() - give a placed MDL an existing mapping of its pages
 * @mdl: an MDL from kmcl_mdl_place_hvpfns(), not mapped yet.
 * @va: where this kernel already maps its buffer (the address of byte
 *	ByteOffset of its first page), for at least as long as the MDL
 *	lives: the lender's own address of lent memory.
 *
 * Nothing is mapped: if @va shows exactly the MDL's pages
 * (kmcl_hvpfns_match_va()), it becomes the MDL's system mapping
 * (MDL_MAPPED_TO_SYSTEM_VA, as any mapping KMCL makes for it), so
 * MmGetSystemAddressForMdlSafe() returns it, and kmcl_mdl_unplace() leaves
 * it alone. Any context but hard interrupts; never sleeps.
 *
 * Return: true if @va is used; false (the MDL unchanged) otherwise.
 */
bool kmcl_mdl_use_va(struct _MDL *mdl, void *va)
{
	struct kmcl_mdl_alloc *a = container_of(mdl, struct kmcl_mdl_alloc, mdl);
	unsigned long flags;
	ULONG span;

	if (a->magic != KMCL_MDL_MAGIC_PLACED || !va || !mdl->ByteCount ||
	    kmcl_mdl_span(mdl, &span) ||
	    !kmcl_hvpfns_match_va(va, MmGetMdlPfnArray(mdl), span,
				  mdl->ByteOffset))
		return false;
	spin_lock_irqsave(&kmcl_mdl_map_lock, flags);
	if (mdl->MdlFlags & KMCL_MDL_MAP_FLAGS) {
		spin_unlock_irqrestore(&kmcl_mdl_map_lock, flags);
		return false;
	}
	mdl->MappedSystemVa = va;
	mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
	a->magic = KMCL_MDL_MAGIC_PLACED_VA;
	spin_unlock_irqrestore(&kmcl_mdl_map_lock, flags);
	return true;
}

/**
 * kmcl_mdl_map_system() - give an MDL its system mapping now
 * @mdl: an MDL from kmcl_mdl_place_hvpfns().
 * @read_only: make a read-only mapping.
 * @shared: the pages are shared with an isolated peer: a new mapping is
 *	the decrypted alias (kmcl_map_pgprot()).
 * @may_sleep: the caller knows it may sleep (KMCL's own reader in process
 *	context). Never guessed from kmcl_can_sleep(): a driver holding a
 *	plain spin_lock() looks sleepable on kernels without
 *	CONFIG_PREEMPT_COUNT.
 *
 * Afterwards MmGetSystemAddressForMdlSafe() returns the mapping at once,
 * in any context. Nothing happens if the MDL is mapped already. Any
 * context but hard interrupts; without @may_sleep it never sleeps.
 *
 * Return: 0; -EAGAIN when the mapping needs to sleep (pages not
 * physically consecutive, or read-only) and @may_sleep is false;
 * -ENOMEM when it cannot be made (a PFN that is not memory, no memory).
 */
int kmcl_mdl_map_system(struct _MDL *mdl, bool read_only, bool shared,
			bool may_sleep)
{
	unsigned long flags;
	bool mapped;

	spin_lock_irqsave(&kmcl_mdl_map_lock, flags);
	mapped = mdl->MdlFlags & KMCL_MDL_MAP_FLAGS;
	spin_unlock_irqrestore(&kmcl_mdl_map_lock, flags);
	if (mapped)
		return 0;
	if (read_only && !may_sleep)
		return -EAGAIN;
	if (kmcl_mdl_map(mdl, (read_only ? KMCL_MAP_READONLY : 0) |
			 (shared ? KMCL_MAP_SHARED : 0) |
			 (may_sleep ? 0 : KMCL_MAP_ATOMIC)))
		return 0;
	return may_sleep ? -ENOMEM : -EAGAIN;
}

/**
 * kmcl_mdl_unplace() - invalidate an MDL from kmcl_mdl_place_hvpfns()
 * @mdl: the MDL.
 *
 * Removes the system mapping its holder may have left (a vmap() is always
 * handed to a worker, so this never sleeps); the memory is the caller's
 * again. Any context but hard interrupts.
 *
 * Return: the next MDL of its chain, or NULL.
 */
struct _MDL *kmcl_mdl_unplace(struct _MDL *mdl)
{
	struct kmcl_mdl_alloc *a = container_of(mdl, struct kmcl_mdl_alloc, mdl);
	PMDL next = mdl->Next;

	if (a->magic != KMCL_MDL_MAGIC_PLACED &&
	    a->magic != KMCL_MDL_MAGIC_PLACED_VA) {
		pr_err_ratelimited("%s: MDL %p was not placed by KMCL\n", __func__,
				   mdl);
		return NULL;
	}
	/*
	 * Complete/Fail never sleep: the vunmap() always goes to a worker.
	 * A lender's own mapping stays; a driver's later one does not.
	 */
	kmcl_mdl_unmap_how(mdl, false, a->magic == KMCL_MDL_MAGIC_PLACED_VA);
	mdl->Next = NULL;
	a->magic = KMCL_MDL_MAGIC_FREE;
	return next;
}
