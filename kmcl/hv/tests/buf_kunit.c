// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_hv_gpadl_buf: the memory behind VmbChannelCreateGpadl()
 * on hv (gpadl_buf.c), against the model in both of the kernel's ways:
 * 7.3's vmbus_alloc_buffer() with caller-decrypted GPADLs (model knob
 * alloc_buffer), and the older kernels' vzalloc() buffer that
 * vmbus_establish_gpadl() makes visible in place. Either way the buffer
 * the host is given is the one mapping VmbChannelGetSystemAddressForGpadl()
 * returns, and pages the host may still see never go back to the
 * allocator.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl.h"
#include "bounce.h"
#include "mdl.h"
#include "chan.h"
#include "fixture.h"
#include "model.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_TRANSPORT);
KMCL_IMPORT(KMCL_INTERNAL);

static const GUID hb_type = {
	0x7a6b5c4d, 0x3e2f, 0x4a1b, { 0x9c, 0x8d, 0x7e, 0x6f, 0x5a, 0x4b, 0x3c, 0x2d }
};

static const GUID hb_inst = {
	0x8b7c6d5e, 0x4f3a, 0x4b2c, { 0xad, 0x9e, 0x8f, 0x7a, 0x6b, 0x5c, 0x4d, 0x3e }
};

#define HB_PAGES	3

struct hb_ctx {
	struct kmcl_hv_fixture f;
	VMBCHANNEL ch;
	atomic_t started;
};

static VOID hb_post_started(VMBCHANNEL ch, PVOID ctx)
{
	atomic_inc(&((struct hb_ctx *)ctx)->started);
}

static void hb_teardown(void *data)
{
	struct hb_ctx *ctx = data;

	if (ctx->ch) {
		VmbChannelDisable(ctx->ch);
		VmbChannelCleanup(ctx->ch);
	}
	kmcl_hv_fixture_teardown(&ctx->f);
}

/* An open client; @isolated: a confidential VM; @alloc: 7.3's buffers. */
static struct hb_ctx *hb_open(struct kunit *test, bool isolated, bool alloc)
{
	struct hb_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 cb;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	if (kmcl_hv_fixture_setup(&ctx->f, "kmcl_hv_buf_kunit", isolated))
		KUNIT_FAIL_AND_ABORT(test, "cannot set up the hv model");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hb_teardown, ctx), 0);
	ctx->f.m->alloc_buffer = alloc;
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(ctx->f.dev, FALSE, &ctx->ch),
			STATUS_SUCCESS);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5(&cb);
	cb.CallbackContext = ctx;
	cb.EvtChannelPostStartedEx = hb_post_started;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetStateChangeCallbacks(ctx->ch, (void *)&cb),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetTargetPnp(ctx->ch, &hb_type, NULL,
							       NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ctx->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_NOT_NULL(test, kmcl_hv_model_add(ctx->f.m, (const guid_t *)&hb_type,
						      (const guid_t *)&hb_inst, 0));
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ctx->started) == 1));
	kmcl_hv_model_clear_log(ctx->f.m);
	return ctx;
}

/* Pages of [@va, @va + HB_PAGES pages) the model says the host may read. */
static unsigned int hb_shared(struct hb_ctx *ctx, const void *va)
{
	unsigned int i, n = 0;
	u64 hvpfn;

	for (i = 0; i < HB_PAGES; i++) {
		hvpfn = (u64)vmalloc_to_pfn(va + i * PAGE_SIZE) * KMCL_HV_PER_PAGE;
		n += kmcl_hv_model_is_shared(ctx->f.m, hvpfn);
	}
	return n;
}

/*
 * The host is given exactly the buffer the driver writes through, whole;
 * Delete tears the GPADL down before the memory goes, and nothing stays
 * shared or is leaked.
 */
static void hb_roundtrip(struct kunit *test, bool isolated, bool alloc)
{
	struct hb_ctx *ctx = hb_open(test, isolated, alloc);
	struct kmcl_hv_mcall est, tear;
	u64 leaked = kmcl_bounce_leaked_pages();
	u64 maps = kmcl_shared_map_count();
	UINT32 handle = 0;
	PVOID va = NULL;

	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadl(ctx->ch, 0, HB_PAGES, &handle),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelGetSystemAddressForGpadl(ctx->ch, 0, handle, &va),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_ESTABLISH_GPADL,
						   0, &est));
	KUNIT_EXPECT_PTR_EQ(test, est.u.gpadl.buffer, va);
	KUNIT_EXPECT_EQ(test, est.u.gpadl.size, (u32)(HB_PAGES * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, est.u.gpadl.handle, handle);
	/* No second mapping of it: the buffer's own is the driver's. */
	KUNIT_EXPECT_EQ(test, kmcl_shared_map_count(), maps);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(va));
	memset(va, 0xa5, HB_PAGES * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ((u8 *)est.u.gpadl.buffer)[HB_PAGES * PAGE_SIZE - 1], 0xa5);
	/*
	 * 7.3 in a confidential VM: visible from the allocation on. Before
	 * it the GPADL makes the pages visible in place, and the model's
	 * vmbus_establish_gpadl() tracks no pages.
	 */
	KUNIT_EXPECT_EQ(test, hb_shared(ctx, va), isolated && alloc ? HB_PAGES : 0U);

	VmbChannelDeleteGpadl(ctx->ch, handle);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_TEARDOWN_GPADL,
						   0, &tear));
	KUNIT_EXPECT_EQ(test, tear.u.gpadl.handle, handle);
	KUNIT_EXPECT_EQ(test, ctx->f.m->nshared, 0U);
	KUNIT_EXPECT_EQ(test, kmcl_bounce_leaked_pages(), leaked);
}

static void hb_roundtrip_73_isolated(struct kunit *test)
{
	hb_roundtrip(test, true, true);
}

static void hb_roundtrip_73(struct kunit *test)
{
	hb_roundtrip(test, false, true);
}

static void hb_roundtrip_old_isolated(struct kunit *test)
{
	hb_roundtrip(test, true, false);
}

static void hb_roundtrip_old(struct kunit *test)
{
	hb_roundtrip(test, false, false);
}

/* A GPADL the host refuses gives its visible pages back at once. */
static void hb_refused(struct kunit *test)
{
	struct hb_ctx *ctx = hb_open(test, true, true);
	u64 leaked = kmcl_bounce_leaked_pages();
	UINT32 handle = 1;

	ctx->f.m->gpadl_result = -EDQUOT;
	KUNIT_EXPECT_NE(test, VmbChannelCreateGpadl(ctx->ch, 0, HB_PAGES, &handle),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, handle, 0U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_ESTABLISH_GPADL), 1U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_TEARDOWN_GPADL), 0U);
	KUNIT_EXPECT_EQ(test, ctx->f.m->nshared, 0U);
	KUNIT_EXPECT_EQ(test, kmcl_bounce_leaked_pages(), leaked);
}

/*
 * Older kernels: a teardown that cannot make the pages private again
 * leaves them visible, so KMCL leaks and counts them instead of freeing.
 */
static void hb_old_teardown_leaks(struct kunit *test)
{
	struct hb_ctx *ctx = hb_open(test, true, false);
	u64 leaked = kmcl_bounce_leaked_pages();
	UINT32 handle = 0;

	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadl(ctx->ch, 0, HB_PAGES, &handle),
			STATUS_SUCCESS);
	ctx->f.m->reencrypt_fails = true;
	VmbChannelDeleteGpadl(ctx->ch, handle);
	ctx->f.m->reencrypt_fails = false;
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_TEARDOWN_GPADL), 1U);
	KUNIT_EXPECT_EQ(test, kmcl_bounce_leaked_pages() - leaked, (u64)HB_PAGES);
}

/*
 * 7.3: freeing the buffer makes each page private first; a page that
 * stays visible is the kernel's to leak (vmbus_free_buffer()), and stays
 * in the model's shared set instead of reaching the allocator.
 */
static void hb_73_free_keeps_visible(struct kunit *test)
{
	struct hb_ctx *ctx = hb_open(test, true, true);
	UINT32 handle = 0;
	PVOID va = NULL;
	u64 hvpfn;

	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadl(ctx->ch, 0, HB_PAGES, &handle),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelGetSystemAddressForGpadl(ctx->ch, 0, handle, &va),
			STATUS_SUCCESS);
	hvpfn = (u64)vmalloc_to_pfn(va) * KMCL_HV_PER_PAGE;
	ctx->f.m->encrypt_fails = true;
	VmbChannelDeleteGpadl(ctx->ch, handle);
	ctx->f.m->encrypt_fails = false;
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_TEARDOWN_GPADL), 1U);
	KUNIT_EXPECT_EQ(test, ctx->f.m->nshared, (unsigned int)HB_PAGES);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_model_is_shared(ctx->f.m, hvpfn));
	/* Forget them: leaked for good, like the kernel's. */
	ctx->f.m->nshared = 0;
}

/* The driver's own memory never goes through the buffer path. */
static void hb_driver_memory(struct kunit *test)
{
	struct hb_ctx *ctx = hb_open(test, false, true);
	struct kmcl_hv_mcall est;
	void *buf = vzalloc(2 * PAGE_SIZE);
	UINT32 handle = 0;
	PVOID va = NULL;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(ctx->ch, 0, buf, 2 * PAGE_SIZE,
							      &handle),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_ESTABLISH_GPADL,
						   0, &est));
	/* hv_vmbus gets a mapping of the driver's pages, not the driver's. */
	KUNIT_EXPECT_EQ(test, vmalloc_to_pfn(est.u.gpadl.buffer), vmalloc_to_pfn(buf));
	KUNIT_EXPECT_EQ(test, VmbChannelGetSystemAddressForGpadl(ctx->ch, 0, handle, &va),
			STATUS_INVALID_PARAMETER_3);
	VmbChannelDeleteGpadl(ctx->ch, handle);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_TEARDOWN_GPADL), 1U);
	vfree(buf);
}

static struct kunit_case hb_cases[] = {
	KUNIT_CASE(hb_roundtrip_73_isolated),
	KUNIT_CASE(hb_roundtrip_73),
	KUNIT_CASE(hb_roundtrip_old_isolated),
	KUNIT_CASE(hb_roundtrip_old),
	KUNIT_CASE(hb_refused),
	KUNIT_CASE(hb_old_teardown_leaks),
	KUNIT_CASE(hb_73_free_keeps_visible),
	KUNIT_CASE(hb_driver_memory),
	{}
};

static struct kunit_suite hb_suite = {
	.name = "kmcl_hv_gpadl_buf",
	.test_cases = hb_cases,
};

kunit_test_suite(hb_suite);
