// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_gpadl: GPADLs between a loopback client and server.
 * Bytes written on one side are read back exactly on the other through
 * every way of creating a GPADL (buffer, MDL chain, PFN list, KMCL's own
 * pages), in both directions; the mapping rules (one map at a time,
 * READ_ONLY); Delete blocking while mapped; the teardown at Closed on both
 * sides; the limits; and every documented error status.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "kmcl.h"
#include "kmcl_test_util.h"
#include "mdl.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

#define RO	VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY

static struct kmcl_channel *chan(struct kmcl_test_ep *ep)
{
	return kmcl_channel_from_handle(ep->ch);
}

/* Byte @i of the test pattern @seed. */
static u8 pat(u32 i, u8 seed)
{
	return (seed + i * 7 + (i >> 8)) & 0xff;
}

static void fill(u8 *p, u32 len, u8 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = pat(i, seed);
}

static bool check(const u8 *p, u32 len, u8 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (p[i] != pat(i, seed))
			return false;
	return true;
}

static void kvfree_action(void *p)
{
	kvfree(p);
}

static void *vbuf(struct kunit *test, size_t size)
{
	void *p = vzalloc(size);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kvfree_action, p), 0);
	return p;
}

/*
 * Server maps @handle, checks the MDL and @len bytes of @seed, writes
 * @len bytes of @seed + 1 and unmaps.
 */
static void server_roundtrip(struct kunit *test, struct kmcl_test_pair *p,
			     u32 handle, u32 len, u32 offset, u8 seed)
{
	PMDL mdl = NULL;
	u8 *va;

	KUNIT_ASSERT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, handle, &mdl),
			STATUS_SUCCESS);
	KUNIT_ASSERT_NOT_NULL(test, mdl);
	KUNIT_EXPECT_EQ(test, mdl->ByteCount, len);
	KUNIT_EXPECT_EQ(test, mdl->ByteOffset, offset);
	KUNIT_EXPECT_NULL(test, mdl->StartVa);
	KUNIT_EXPECT_NULL(test, mdl->MappedSystemVa);
	KUNIT_EXPECT_TRUE(test, mdl->MdlFlags & MDL_PAGES_LOCKED);
	KUNIT_EXPECT_FALSE(test, mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA);
	va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_EXPECT_TRUE(test, check(va, len, seed));
	fill(va, len, seed + 1);
	VmbChannelUnmapGpadl(p->server->ch, handle);
}

static void buffer_roundtrip(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	struct kmcl_channel *c = chan(p->client), *s = chan(p->server);
	u8 *small = kunit_kzalloc(test, 512, GFP_KERNEL);
	u8 *big = vbuf(test, 5 * 4096);
	UINT32 h1 = 0, h2 = 0;

	KUNIT_ASSERT_NOT_NULL(test, small);
	/* kmalloc memory inside one page, at its own offset. */
	fill(small + 3, 300, 11);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, small + 3,
							      300, &h1), STATUS_SUCCESS);
	KUNIT_EXPECT_NE(test, h1, 0);
	server_roundtrip(test, p, h1, 300, offset_in_page(small + 3) & 4095, 11);
	KUNIT_EXPECT_TRUE(test, check(small + 3, 300, 12));

	/* vmalloc memory over 5 pages (not physically consecutive). */
	fill(big + 100, 5 * 4096 - 200, 40);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, RO, big + 100,
							      5 * 4096 - 200, &h2),
			STATUS_SUCCESS);
	KUNIT_EXPECT_NE(test, h2, h1);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, h2, &(PMDL){ NULL }),
			STATUS_ACCESS_DENIED);
	{
		PMDL mdl = NULL;
		u8 *va;

		KUNIT_ASSERT_EQ(test, VmbChannelMapGpadl(p->server->ch, RO, h2, &mdl),
				STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, mdl->ByteCount, 5 * 4096 - 200);
		KUNIT_EXPECT_EQ(test, mdl->ByteOffset, 100);
		va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
		KUNIT_ASSERT_NOT_NULL(test, va);
		KUNIT_EXPECT_TRUE(test, check(va, 5 * 4096 - 200, 40));
		/* Read-only is a hint: the server may still write. */
		fill(va, 5 * 4096 - 200, 41);
		VmbChannelUnmapGpadl(p->server->ch, h2);
	}
	KUNIT_EXPECT_TRUE(test, check(big + 100, 5 * 4096 - 200, 41));

	VmbChannelDeleteGpadl(p->client->ch, h1);
	VmbChannelDeleteGpadl(p->client->ch, h2);
	KUNIT_EXPECT_EQ(test, c->shm.stats.gpadl_created, 2);
	KUNIT_EXPECT_EQ(test, c->shm.stats.gpadl_deleted, 2);
	KUNIT_EXPECT_EQ(test, c->shm.nr_gpadls, 0);
	KUNIT_EXPECT_EQ(test, s->shm.stats.gpadl_mapped, 2);
	KUNIT_EXPECT_EQ(test, s->shm.stats.gpadl_unmapped, 2);
	KUNIT_EXPECT_EQ(test, s->shm.stats.gpadl_map_refused, 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&s->shm.maps));
}

static void mdl_chain_roundtrip(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	u8 *a = vbuf(test, 8192), *b = vbuf(test, 8192), *odd = vbuf(test, 8192);
	PMDL ma, mb, mo, bad;
	UINT32 h = 0;
	u8 *expect;
	u32 len;

	ma = IoAllocateMdl(a, 8192, FALSE, FALSE, NULL);
	mb = IoAllocateMdl(b, 4096 + 500, FALSE, FALSE, NULL);
	mo = IoAllocateMdl(odd, 5000, FALSE, FALSE, NULL);
	bad = IoAllocateMdl(odd, 100, FALSE, FALSE, NULL);
	KUNIT_ASSERT_TRUE(test, ma && mb && mo && bad);
	MmBuildMdlForNonPagedPool(ma);
	MmBuildMdlForNonPagedPool(mb);
	MmBuildMdlForNonPagedPool(mo);
	ma->Next = mb;
	fill(a, 8192, 1);
	fill(b, 4096 + 500, 2);

	/* [1000, 1000 + 7192 + 4296): the end of A, then most of B. */
	len = 8192 - 1000 + 4296;
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromMdl(p->client->ch, 0, ma, 1000, len,
							   &h), STATUS_SUCCESS);
	expect = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, expect);
	memcpy(expect, a + 1000, 8192 - 1000);
	memcpy(expect + 8192 - 1000, b, 4296);
	{
		PMDL mdl = NULL;
		u8 *va;

		KUNIT_ASSERT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, h, &mdl),
				STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, mdl->ByteCount, len);
		KUNIT_EXPECT_EQ(test, mdl->ByteOffset, 1000);
		va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
		KUNIT_ASSERT_NOT_NULL(test, va);
		KUNIT_EXPECT_EQ(test, memcmp(va, expect, len), 0);
		memset(va + len - 10, 0x5a, 10);	/* lands in B */
		VmbChannelUnmapGpadl(p->server->ch, h);
	}
	KUNIT_EXPECT_EQ(test, b[4296 - 1], 0x5a);
	KUNIT_EXPECT_EQ(test, b[4296 - 10], 0x5a);
	/* The byte after the range is untouched. */
	KUNIT_EXPECT_EQ(test, b[4296], pat(4296, 2));
	VmbChannelDeleteGpadl(p->client->ch, h);

	/* Length 0: the rest of the chain. */
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromMdl(p->client->ch, 0, ma, 8000, 0, &h),
			STATUS_SUCCESS);
	{
		PMDL mdl = NULL;

		KUNIT_ASSERT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, h, &mdl),
				STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, mdl->ByteCount, 192 + 4096 + 500);
		KUNIT_EXPECT_EQ(test, mdl->ByteOffset, 8000 - 4096);
		VmbChannelUnmapGpadl(p->server->ch, h);
	}
	VmbChannelDeleteGpadl(p->client->ch, h);

	/* Argument errors. */
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(p->client->ch, 0, ma, 8192 + 4596, 0,
							   &h), STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, h, 0);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(p->client->ch, 0, ma, 10, 8192 + 4596,
							   &h), STATUS_INVALID_PARAMETER_5);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(p->client->ch, 0, ma, 0, 0, NULL),
			STATUS_INVALID_PARAMETER_6);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(p->client->ch, 4, ma, 0, 0, &h),
			STATUS_INVALID_PARAMETER_2);
	/* Unbuilt PFNs. */
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(p->client->ch, 0, bad, 0, 0, &h),
			STATUS_INVALID_PARAMETER_3);
	/* A chain whose first MDL does not end on a page: not one buffer. */
	mo->Next = mb;
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(p->client->ch, 0, mo, 0, 0, &h),
			STATUS_INVALID_PARAMETER_3);
	/* ... but a range inside its first MDL is fine. */
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(p->client->ch, 0, mo, 0, 5000, &h),
			STATUS_SUCCESS);
	VmbChannelDeleteGpadl(p->client->ch, h);
	mo->Next = NULL;
	ma->Next = NULL;
	KUNIT_EXPECT_EQ(test, chan(p->client)->shm.nr_gpadls, 0);
	IoFreeMdl(ma);
	IoFreeMdl(mb);
	IoFreeMdl(mo);
	IoFreeMdl(bad);
}

static void free_pages_action(void *data)
{
	struct page **pages = data;
	int i;

	for (i = 0; i < 3; i++)
		if (pages[i])
			__free_page(pages[i]);
}

static void pfn_list_roundtrip(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	struct page **pages = kunit_kcalloc(test, 3, sizeof(*pages), GFP_KERNEL);
	PFN_NUMBER pfns[3], badpfns[2];
	PMDL mdl = NULL;
	UINT32 h = 0;
	u8 *va;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_pages_action, pages), 0);
	/* Allocated in reverse order so that they are unlikely consecutive. */
	for (i = 2; i >= 0; i--) {
		pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		fill(page_address(pages[i]), PAGE_SIZE, 90 + i);
		pfns[i] = page_to_pfn(pages[i]) * KMCL_HV_PER_PAGE;
	}
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromPfnList(p->client->ch, 0, pfns, 3, &h),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, h, &mdl), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, mdl->ByteCount, 3 * 4096);
	KUNIT_EXPECT_EQ(test, mdl->ByteOffset, 0);
	KUNIT_EXPECT_EQ(test, MmGetMdlPfnArray(mdl)[1], pfns[1]);
	va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
	KUNIT_ASSERT_NOT_NULL(test, va);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_TRUE(test, check(va + i * 4096, 4096, 90 + i));
		memset(va + i * 4096 + 17, 0xa0 + i, 33);
	}
	VmbChannelUnmapGpadl(p->server->ch, h);
	VmbChannelDeleteGpadl(p->client->ch, h);
	for (i = 0; i < 3; i++) {
		u8 *pg = page_address(pages[i]);

		KUNIT_EXPECT_EQ(test, pg[17], 0xa0 + i);
		KUNIT_EXPECT_EQ(test, pg[49], 0xa0 + i);
		KUNIT_EXPECT_TRUE(test, check(pg, 17, 90 + i));
	}

	/* PFNs that are not RAM. */
	badpfns[0] = pfns[0];
	badpfns[1] = ~0UL;
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromPfnList(p->client->ch, 0, badpfns, 2, &h),
			STATUS_INVALID_PARAMETER_3);
	badpfns[1] = (1UL << 50);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromPfnList(p->client->ch, 0, badpfns, 2, &h),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromPfnList(p->client->ch, 0, pfns, 0, &h),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromPfnList(p->client->ch, 0, pfns, 1, NULL),
			STATUS_INVALID_PARAMETER_5);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromPfnList(p->client->ch, 0, pfns,
							       KMCL_GPADL_MAX_PAGES + 1, &h),
			STATUS_INSUFFICIENT_RESOURCES);
	KUNIT_EXPECT_EQ(test, chan(p->client)->shm.nr_gpadls, 0);
}

static void kmcl_pages_roundtrip(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	u8 small[8];
	PVOID va = NULL, va2 = NULL;
	UINT32 h = 0, hb = 0;
	PMDL mdl = NULL;
	u8 *sva;

	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadl(p->client->ch, 0, 3, &h), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelGetSystemAddressForGpadl(p->client->ch, 0, h, &va),
			STATUS_SUCCESS);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_EXPECT_NULL(test, memchr_inv(va, 0, 3 * 4096));	/* zeroed */
	KUNIT_ASSERT_EQ(test, VmbChannelGetSystemAddressForGpadl(p->client->ch, 0, h, &va2),
			STATUS_SUCCESS);
	KUNIT_EXPECT_PTR_EQ(test, va, va2);
	fill(va, 3 * 4096, 77);
	KUNIT_ASSERT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, h, &mdl), STATUS_SUCCESS);
	sva = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
	KUNIT_ASSERT_NOT_NULL(test, sva);
	KUNIT_EXPECT_TRUE(test, check(sva, 3 * 4096, 77));
	fill(sva, 3 * 4096, 78);
	VmbChannelUnmapGpadl(p->server->ch, h);
	KUNIT_EXPECT_TRUE(test, check(va, 3 * 4096, 78));

	/* Only KMCL's own pages have a system address from KMCL. */
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, small,
							      sizeof(small), &hb),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelGetSystemAddressForGpadl(p->client->ch, 0, hb, &va2),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_NULL(test, va2);
	KUNIT_EXPECT_EQ(test, VmbChannelGetSystemAddressForGpadl(p->client->ch, 0, h, NULL),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbChannelGetSystemAddressForGpadl(NULL, 0, h, &va2),
			STATUS_INVALID_PARAMETER_1);
	VmbChannelDeleteGpadl(p->client->ch, hb);
	VmbChannelDeleteGpadl(p->client->ch, h);
	KUNIT_EXPECT_EQ(test, VmbChannelGetSystemAddressForGpadl(p->client->ch, 0, h, &va2),
			STATUS_INVALID_PARAMETER_3);

	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadl(p->client->ch, 0, 0, &h),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadl(p->client->ch, 0, 1, NULL),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadl(p->client->ch, 2, 1, &h),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadl(p->client->ch, 0,
						    KMCL_GPADL_MAX_PAGES + 1, &h),
			STATUS_INSUFFICIENT_RESOURCES);
	KUNIT_EXPECT_EQ(test, chan(p->client)->shm.nr_gpadls, 0);
}

static void map_rules(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	struct kmcl_channel *s = chan(p->server);
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	PMDL m1 = NULL, m2 = (PMDL)test;
	UINT32 h = 0, hro = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, buf, 64, &h),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, RO, buf, 64, &hro),
			STATUS_SUCCESS);

	/* One mapping at a time. */
	KUNIT_ASSERT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, h, &m1), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, RO, h, &m2), STATUS_DEVICE_BUSY);
	KUNIT_EXPECT_NULL(test, m2);
	VmbChannelUnmapGpadl(p->server->ch, h);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, RO, h, &m2), STATUS_SUCCESS);
	VmbChannelUnmapGpadl(p->server->ch, h);
	/* A second unmap is ignored. */
	VmbChannelUnmapGpadl(p->server->ch, h);

	/* READ_ONLY GPADL: read-only maps only. */
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, hro, &m1),
			STATUS_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, RO, hro, &m1), STATUS_SUCCESS);
	VmbChannelUnmapGpadl(p->server->ch, hro);

	/* Handles the client never made, from a hostile or confused peer. */
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, 0, &m1),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, U32_MAX, &m1),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, hro + 1000, &m1),
			STATUS_INVALID_PARAMETER_3);
	/* Argument checks. */
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->client->ch, 0, h, &m1),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(NULL, 0, h, &m1), STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, 2, h, &m1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, h, NULL),
			STATUS_INVALID_PARAMETER_4);
	/* Create is for clients. */
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->server->ch, 0, buf, 64, &h),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, h, 0);

	/* A deleted GPADL cannot be mapped. */
	VmbChannelDeleteGpadl(p->client->ch, hro);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, RO, hro, &m1),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, s->shm.stats.gpadl_mapped, 3);
	KUNIT_EXPECT_EQ(test, s->shm.stats.gpadl_unmapped, 3);
	KUNIT_EXPECT_EQ(test, s->shm.stats.gpadl_map_refused, 6);
	KUNIT_EXPECT_EQ(test, chan(p->client)->shm.nr_gpadls, 1);
}

struct delete_work {
	struct work_struct work;
	VMBCHANNEL ch;
	u32 handle;
	bool done;
};

static void delete_fn(struct work_struct *work)
{
	struct delete_work *d = container_of(work, struct delete_work, work);

	VmbChannelDeleteGpadl(d->ch, d->handle);
	WRITE_ONCE(d->done, true);
}

static bool wait_done(bool *done, unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);

	while (!READ_ONCE(*done)) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(2000, 3000);
	}
	return true;
}

static void delete_blocks_while_mapped(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	struct delete_work *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	u8 *buf = kunit_kzalloc(test, 128, GFP_KERNEL);
	PMDL mdl = NULL;
	UINT32 h = 0;

	KUNIT_ASSERT_TRUE(test, d && buf);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, buf, 128, &h),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, h, &mdl), STATUS_SUCCESS);
	KUNIT_ASSERT_NOT_NULL(test, MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority));
	INIT_WORK(&d->work, delete_fn);
	d->ch = p->client->ch;
	d->handle = h;
	schedule_work(&d->work);
	/* Deleted already: the server cannot map it again... */
	/* The worker's delete may start late: wait for it, not for a time. */
	KUNIT_EXPECT_TRUE(test,
			  KMCL_TEST_WAIT_UNTIL(!READ_ONCE(chan(p->client)->shm.nr_gpadls)));
	/* ...but the delete itself waits (give it the time to go wrong). */
	msleep(100);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(d->done));
	/* ...and the delete ends when it unmaps. */
	VmbChannelUnmapGpadl(p->server->ch, h);
	KUNIT_EXPECT_TRUE(test, wait_done(&d->done, KMCL_TEST_WAIT_MS));
	flush_work(&d->work);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, h, &mdl),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, chan(p->client)->shm.stats.gpadl_deleted, 1);
}

static void teardown_client_close(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	struct kmcl_channel *c = chan(p->client), *s = chan(p->server);
	u8 *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	PMDL mdl = NULL;
	UINT32 h[3], hk;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, buf, 256,
								      &h[i]), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadl(p->client->ch, 0, 2, &hk), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, h[1], &mdl), STATUS_SUCCESS);
	KUNIT_ASSERT_NOT_NULL(test, MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority));

	/* The client's close waits for the server's close to unmap. */
	VmbChannelDisable(p->client->ch);
	KUNIT_EXPECT_EQ(test, c->shm.stats.gpadl_forced, 4);
	KUNIT_EXPECT_EQ(test, c->shm.nr_gpadls, 0);
	KUNIT_EXPECT_TRUE(test, xa_empty(&c->shm.gpadls));
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait_state(p->server, KMCL_CH_CLOSED));
	KUNIT_EXPECT_EQ(test, s->shm.stats.gpadl_forced, 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&s->shm.maps));
	/* Outside the window nothing can be created or mapped. */
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, buf, 256, &h[0]),
			STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, h[2], &mdl),
			STATUS_INVALID_DEVICE_STATE);
}

static void teardown_server_close(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	struct kmcl_channel *c = chan(p->client), *s = chan(p->server);
	u8 *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	PMDL mdl = NULL;
	UINT32 h = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, buf, 256, &h),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, h, &mdl), STATUS_SUCCESS);
	VmbChannelDisable(p->server->ch);
	KUNIT_EXPECT_EQ(test, s->shm.stats.gpadl_forced, 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&s->shm.maps));
	/* The client lost its peer: its close deleted the GPADL. */
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait(p->client, KMCL_TEST_CLOSED, 1));
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait_state(p->client, KMCL_CH_DISABLED));
	KUNIT_EXPECT_EQ(test, c->shm.stats.gpadl_forced, 1);
	KUNIT_EXPECT_EQ(test, c->shm.nr_gpadls, 0);
}

/*
 * A client that leaves a GPADL at every close: each forced delete is
 * counted, only the first is logged (issue 10 item 20). Before the fix
 * every close logged (gpadl_forced_logged did not exist: the log line
 * came from each kmcl_shmem_close()).
 */
static void teardown_forced_logged_once(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	struct kmcl_channel *c = chan(p->client);
	u8 *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	UINT32 h = 0;
	int round;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (round = 1; round <= 2; round++) {
		KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, buf,
								      256, &h),
				STATUS_SUCCESS);
		/* The server goes away: the client's close deletes it. */
		VmbChannelDisable(p->server->ch);
		KUNIT_ASSERT_TRUE(test, kmcl_test_wait(p->client, KMCL_TEST_CLOSED, round));
		KUNIT_ASSERT_TRUE(test, kmcl_test_wait_state(p->client, KMCL_CH_DISABLED));
		KUNIT_EXPECT_EQ(test, c->shm.stats.gpadl_forced, round);
		KUNIT_EXPECT_EQ(test, c->shm.stats.gpadl_forced_logged, 1);
		if (round == 2)
			break;
		KUNIT_ASSERT_EQ(test, VmbChannelEnable(p->client->ch), STATUS_SUCCESS);
		KUNIT_ASSERT_EQ(test, VmbChannelEnable(p->server->ch), STATUS_SUCCESS);
		VmbChannelStart(p->server->ch);
		KUNIT_ASSERT_TRUE(test, kmcl_test_wait(p->client, KMCL_TEST_POST_STARTED, 2));
	}
}

/* A driver that creates its GPADL in Opened and deletes it in Closed. */
static void window_hook(struct kmcl_test_ep *ep, enum kmcl_test_evt evt)
{
	u32 *h = ep->priv;

	if (evt == KMCL_TEST_OPENED)
		h[1] = VmbChannelCreateGpadl(ep->ch, 0, 1, &h[0]);
	else if (evt == KMCL_TEST_CLOSED)
		VmbChannelDeleteGpadl(ep->ch, h[0]);
}

static void created_in_opened(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_new(test);
	u32 *h = kunit_kzalloc(test, 2 * sizeof(u32), GFP_KERNEL);
	struct kmcl_channel *c = chan(p->client);

	KUNIT_ASSERT_NOT_NULL(test, h);
	p->client->priv = h;
	p->client->hook = window_hook;
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(p->server->ch), STATUS_SUCCESS);
	VmbChannelStart(p->server->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(p->client->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(p->client, KMCL_TEST_POST_STARTED, 1));
	KUNIT_EXPECT_EQ(test, h[1], STATUS_SUCCESS);
	KUNIT_EXPECT_NE(test, h[0], 0);
	VmbChannelDisable(p->client->ch);
	KUNIT_EXPECT_EQ(test, c->shm.stats.gpadl_created, 1);
	KUNIT_EXPECT_EQ(test, c->shm.stats.gpadl_deleted, 1);
	KUNIT_EXPECT_EQ(test, c->shm.stats.gpadl_forced, 0);
}

static void create_errors_and_limits(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	struct kmcl_channel *c = chan(p->client);
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	u8 stackbuf[16];
	UINT32 *h = kunit_kcalloc(test, KMCL_GPADL_MAX_PER_CHANNEL + 1, sizeof(*h),
				  GFP_KERNEL);
	UINT32 x = 7;
	u32 i;

	KUNIT_ASSERT_TRUE(test, buf && h);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(NULL, 0, buf, 64, &x),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, x, 0);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 2, buf, 64, &x),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, NULL, 64, &x),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, buf, 0, &x),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, buf, 64, NULL),
			STATUS_INVALID_PARAMETER_5);
	KUNIT_EXPECT_EQ(test,
			VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, buf,
							(KMCL_GPADL_MAX_PAGES + 1) * 4096, &x),
			STATUS_INSUFFICIENT_RESOURCES);
	/* Not kernel memory of a known kind (a user-space address). */
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0,
							      (void *)0x10000UL, 64, &x),
			STATUS_INVALID_PARAMETER_3);
	/* The stack is allowed (vmapped or direct-mapped kernel memory). */
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, stackbuf,
							      sizeof(stackbuf), &x),
			STATUS_SUCCESS);
	VmbChannelDeleteGpadl(p->client->ch, x);
	/* Unknown handles are ignored by Delete. */
	VmbChannelDeleteGpadl(p->client->ch, x);
	VmbChannelDeleteGpadl(p->server->ch, 1);
	KUNIT_EXPECT_EQ(test, c->shm.stats.gpadl_deleted, 1);

	/* Per-channel limit; handles are unique and never 0. */
	for (i = 0; i < KMCL_GPADL_MAX_PER_CHANNEL; i++) {
		KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, buf, 64,
								      &h[i]), STATUS_SUCCESS);
		KUNIT_ASSERT_NE(test, h[i], 0);
		if (i)
			KUNIT_ASSERT_NE(test, h[i], h[i - 1]);
	}
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, buf, 64, &h[i]),
			STATUS_INSUFFICIENT_RESOURCES);
	KUNIT_EXPECT_EQ(test, h[i], 0);
	VmbChannelDeleteGpadl(p->client->ch, h[5]);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(p->client->ch, 0, buf, 64,
							      &h[5]), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, c->shm.nr_gpadls, KMCL_GPADL_MAX_PER_CHANNEL);
	for (i = 0; i < KMCL_GPADL_MAX_PER_CHANNEL; i++)
		VmbChannelDeleteGpadl(p->client->ch, h[i]);
	KUNIT_EXPECT_EQ(test, c->shm.nr_gpadls, 0);
	KUNIT_EXPECT_EQ(test, c->shm.stats.gpadl_created, KMCL_GPADL_MAX_PER_CHANNEL + 2);
}

static struct kunit_case kmcl_gpadl_cases[] = {
	KUNIT_CASE(buffer_roundtrip),
	KUNIT_CASE(mdl_chain_roundtrip),
	KUNIT_CASE(pfn_list_roundtrip),
	KUNIT_CASE(kmcl_pages_roundtrip),
	KUNIT_CASE(map_rules),
	KUNIT_CASE(delete_blocks_while_mapped),
	KUNIT_CASE(teardown_client_close),
	KUNIT_CASE(teardown_server_close),
	KUNIT_CASE(teardown_forced_logged_once),
	KUNIT_CASE(created_in_opened),
	KUNIT_CASE(create_errors_and_limits),
	{}
};

static struct kunit_suite kmcl_gpadl_suite = {
	.name = "kmcl_gpadl",
	.test_cases = kmcl_gpadl_cases,
};

kunit_test_suite(kmcl_gpadl_suite);
