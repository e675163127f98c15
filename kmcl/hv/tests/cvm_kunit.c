// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_hv_cvm: kmcl_hv in a confidential VM, against the model
 * with isolated = true. The model knows which guest pages were made
 * visible (set_memory_decrypted); the host must only ever be given those,
 * never a private page, and pages it may still see are never freed.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl.h"
#include "mdl.h"
#include "chan.h"
#include "fixture.h"
#include "gen.h"
#include "model.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_TRANSPORT);
KMCL_IMPORT(KMCL_INTERNAL);

static const GUID hc_type = {
	0x5e4d3c2b, 0x1a09, 0x4f8e, { 0xb7, 0xc6, 0xd5, 0xe4, 0xf3, 0x02, 0x1b, 0x2a }
};

static const GUID hc_inst[2] = {
	{ 0x6f5e4d3c, 0x2b1a, 0x4009, { 0xc8, 0xd7, 0xe6, 0xf5, 0x04, 0x13, 0x2c, 0x3b } },
	{ 0x6f5e4d3c, 0x2b1a, 0x4009, { 0xc8, 0xd7, 0xe6, 0xf5, 0x04, 0x13, 0x2c, 0x3c } },
};

#define HC_WAIT		VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define HC_OUT		VMBUS_CHANNEL_FORMAT_FLAG_DATA_OUT_ONLY

struct hc_ctx {
	struct kmcl_hv_fixture f;
	VMBCHANNEL ch;
	atomic_t started;
	atomic_t done;
	NTSTATUS status;
};

static VOID hc_post_started(VMBCHANNEL ch, PVOID ctx)
{
	atomic_inc(&((struct hc_ctx *)ctx)->started);
}

static VOID hc_done(VMBPACKET pkt, NTSTATUS status, PVOID buf, UINT32 len)
{
	struct hc_ctx *ctx = VmbPacketGetPointer(pkt);

	ctx->status = status;
	atomic_inc(&ctx->done);
	VmbPacketFree(pkt);
}

static void hc_teardown(void *data)
{
	struct hc_ctx *ctx = data;

	if (ctx->ch) {
		VmbChannelDisable(ctx->ch);
		VmbChannelCleanup(ctx->ch);
	}
	kmcl_hv_fixture_teardown(&ctx->f);
}

static int hc_init(struct kunit *test)
{
	struct hc_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	if (kmcl_hv_fixture_setup(&ctx->f, "kmcl_hv_cvm_kunit", true))
		KUNIT_FAIL_AND_ABORT(test, "cannot set up the hv model");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hc_teardown, ctx), 0);
	test->priv = ctx;
	return 0;
}

/* An open isolated client with bounce sizes @init (0: none), device @n. */
static struct kmcl_hv_mdev *hc_open_nth(struct kunit *test, u32 init, int n)
{
	struct hc_ctx *ctx = test->priv;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 cb;
	struct kmcl_hv_mdev *md;

	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(ctx->f.dev, FALSE, &ctx->ch),
			STATUS_SUCCESS);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5(&cb);
	cb.CallbackContext = ctx;
	cb.EvtChannelPostStartedEx = hc_post_started;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetStateChangeCallbacks(ctx->ch, (void *)&cb),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetTargetPnp(ctx->ch, &hc_type, NULL,
							       NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(ctx->ch, 16384, 2),
			STATUS_SUCCESS);
	if (init)
		KUNIT_ASSERT_EQ(test, VmbChannelInitSetBounceBufferSizes(ctx->ch, init, 0, 0),
				STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ctx->ch), STATUS_SUCCESS);
	md = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&hc_type,
			       (const guid_t *)&hc_inst[n], 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ctx->started) == 1));
	return md;
}

static struct kmcl_hv_mdev *hc_open(struct kunit *test, u32 init)
{
	return hc_open_nth(test, init, 0);
}

static NTSTATUS hc_send(struct hc_ctx *ctx, PMDL mdl, u32 flags)
{
	VMBPACKET pkt = VmbPacketAllocate(ctx->ch);
	NTSTATUS st;

	if (!pkt)
		return STATUS_INSUFFICIENT_RESOURCES;
	VmbPacketSetPointer(pkt, ctx);
	VmbPacketSetCompletionRoutine(pkt, hc_done);
	st = VmbPacketSend(pkt, NULL, 0, mdl, flags);
	if (!NT_SUCCESS(st))
		VmbPacketFree(pkt);
	return st;
}

static bool hc_all(const u8 *p, u32 len, u8 v)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/*
 * The host sees pool pages only, made visible with the kernel's call and
 * mapped through the decrypted alias; data goes in before the send and
 * comes back on completion, in the directions the flags allow.
 */
static void hc_bounce(struct kunit *test)
{
	struct hc_ctx *ctx = test->priv;
	u64 maps = kmcl_shared_map_count();
	struct kmcl_hv_mdev *md = hc_open(test, 8192);
	struct kmcl_channel *ch = kmcl_channel_from_handle(ctx->ch);
	unsigned long buf = __get_free_pages(GFP_KERNEL, 1);
	struct kmcl_hv_mcall call;
	u32 flags[2] = { HC_WAIT, HC_WAIT | HC_OUT };
	u8 *host;
	PMDL mdl;
	int i, j;

	KUNIT_ASSERT_NE(test, buf, 0UL);
	KUNIT_EXPECT_TRUE(test, ch->isolated);
	/* The pool's mapping, made at Enable, asked for the decrypted alias. */
	KUNIT_EXPECT_GE(test, kmcl_shared_map_count() - maps, 1ULL);
	KUNIT_EXPECT_EQ(test, ctx->f.m->nshared, (unsigned int)(8192 / PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, pgprot_val(kmcl_shared_pgprot(ch, false)),
			pgprot_val(pgprot_decrypted(PAGE_KERNEL)));
	mdl = IoAllocateMdl((void *)buf + 100, 5000, FALSE, FALSE, NULL);
	KUNIT_ASSERT_NOT_NULL(test, mdl);
	MmBuildMdlForNonPagedPool(mdl);

	for (i = 0; i < 2; i++) {
		memset((void *)buf, 0x30 + i, 8192);
		kmcl_hv_model_clear_log(ctx->f.m);
		KUNIT_ASSERT_EQ(test, hc_send(ctx, mdl, flags[i]), STATUS_SUCCESS);
		KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_SENDPACKET_MPB,
							   0, &call));
		KUNIT_EXPECT_EQ(test, call.u.mpb.rangecount, 1U);
		KUNIT_EXPECT_EQ(test, call.u.mpb.range_off[0], 0U);
		KUNIT_EXPECT_EQ(test, call.u.mpb.range_len[0], 5000U);
		/* Every page the host got is shared; none is the driver's. */
		for (j = 0; j < 2; j++) {
			KUNIT_EXPECT_TRUE(test, kmcl_hv_model_is_shared(ctx->f.m,
									call.u.mpb.pfn[0][j]));
			KUNIT_EXPECT_NE(test, call.u.mpb.pfn[0][j] / KMCL_HV_PER_PAGE,
					(u64)page_to_pfn(virt_to_page((void *)buf)));
			KUNIT_EXPECT_NE(test, call.u.mpb.pfn[0][j] / KMCL_HV_PER_PAGE,
					(u64)page_to_pfn(virt_to_page((void *)buf + 4096)));
		}
		/* The host reads the data there, then writes its answer. */
		host = page_address(pfn_to_page(call.u.mpb.pfn[0][0] / KMCL_HV_PER_PAGE));
		KUNIT_EXPECT_TRUE(test, hc_all(host, 16, 0x30 + i));
		memset(host, 0x70, 16);
		KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_COMP, 0,
							      call.u.mpb.requestid, NULL, 0),
				0);
		KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ctx->done) == i + 1));
		KUNIT_EXPECT_EQ(test, ctx->status, STATUS_SUCCESS);
		if (flags[i] & HC_OUT)
			KUNIT_EXPECT_TRUE(test, hc_all((u8 *)buf + 100, 16, 0x31));
		else
			KUNIT_EXPECT_TRUE(test, hc_all((u8 *)buf + 100, 16, 0x70));
		KUNIT_EXPECT_TRUE(test, hc_all((u8 *)buf, 100, 0x30 + i));
	}
	IoFreeMdl(mdl);
	free_pages(buf, 1);
}

/* No pool: external data is refused and the host sees nothing. */
static void hc_no_pool(struct kunit *test)
{
	struct hc_ctx *ctx = test->priv;
	unsigned long buf = get_zeroed_page(GFP_KERNEL);
	PMDL mdl;

	hc_open(test, 0);
	KUNIT_ASSERT_NE(test, buf, 0UL);
	mdl = IoAllocateMdl((void *)buf, 4096, FALSE, FALSE, NULL);
	KUNIT_ASSERT_NOT_NULL(test, mdl);
	MmBuildMdlForNonPagedPool(mdl);
	kmcl_hv_model_clear_log(ctx->f.m);
	KUNIT_EXPECT_EQ(test, hc_send(ctx, mdl, HC_WAIT), STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_SENDPACKET_MPB), 0U);
	KUNIT_EXPECT_EQ(test, ctx->f.m->nshared, 0U);
	IoFreeMdl(mdl);
	free_page(buf);
}

/* Pool pages whose re-encryption fails are leaked and counted, not freed. */
static void hc_leak(struct kunit *test)
{
	struct hc_ctx *ctx = test->priv;
	u64 leaked = kmcl_bounce_leaked_pages();

	hc_open(test, 8192);
	KUNIT_EXPECT_EQ(test, ctx->f.m->nshared, (unsigned int)(8192 / PAGE_SIZE));
	ctx->f.m->encrypt_fails = true;
	VmbChannelDisable(ctx->ch);
	VmbChannelCleanup(ctx->ch);
	ctx->ch = NULL;
	KUNIT_EXPECT_EQ(test, kmcl_bounce_leaked_pages() - leaked, (u64)(8192 / PAGE_SIZE));
	/* Still shared: the host may still read them. */
	KUNIT_EXPECT_EQ(test, ctx->f.m->nshared, (unsigned int)(8192 / PAGE_SIZE));

	/* A pool taken back normally leaks nothing and leaves nothing shared. */
	ctx->f.m->encrypt_fails = false;
	ctx->f.m->nshared = 0;
	atomic_set(&ctx->started, 0);
	leaked = kmcl_bounce_leaked_pages();
	hc_open_nth(test, 4096 * 4, 1);
	VmbChannelDisable(ctx->ch);
	VmbChannelCleanup(ctx->ch);
	ctx->ch = NULL;
	KUNIT_EXPECT_EQ(test, kmcl_bounce_leaked_pages(), leaked);
	KUNIT_EXPECT_EQ(test, ctx->f.m->nshared, 0U);
}

/*
 * The leak branch of kmcl_gpadl_release(): a GPADL whose teardown left its
 * pages shared is leaked and counted; its system address is the buffer
 * kmcl_hv allocated for it (gpadl_buf.c), not a second mapping.
 */
static void hc_gpadl_leak(struct kunit *test)
{
	struct hc_ctx *ctx = test->priv;
	u64 leaked;
	PVOID va = NULL;
	UINT32 handle = 0;

	u64 maps;

	hc_open(test, 0);
	maps = kmcl_shared_map_count();
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadl(ctx->ch, 0, 2, &handle), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelGetSystemAddressForGpadl(ctx->ch, 0, handle, &va),
			STATUS_SUCCESS);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(va));
	/* Its address is the buffer hv made host-visible: no second alias. */
	KUNIT_EXPECT_EQ(test, kmcl_shared_map_count() - maps, 0ULL);
	memset(va, 0x5a, 8192);
	leaked = kmcl_bounce_leaked_pages();
	ctx->f.m->reencrypt_fails = true;
	VmbChannelDeleteGpadl(ctx->ch, handle);
	KUNIT_EXPECT_EQ(test, kmcl_bounce_leaked_pages() - leaked, 2ULL);
	ctx->f.m->reencrypt_fails = false;

	/* Torn down cleanly: nothing leaked. */
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadl(ctx->ch, 0, 2, &handle), STATUS_SUCCESS);
	leaked = kmcl_bounce_leaked_pages();
	VmbChannelDeleteGpadl(ctx->ch, handle);
	KUNIT_EXPECT_EQ(test, kmcl_bounce_leaked_pages(), leaked);
}

/*
 * In a confidential VM hv_vmbus would decrypt a GPADL's pages in place, so
 * no Create function may hand it the driver's own memory: each is refused
 * with STATUS_NOT_SUPPORTED before the host hears of it, and nothing is
 * shared. VmbChannelCreateGpadl (KMCL's pages) is the one that works.
 */
static void hc_private_gpadl(struct kunit *test)
{
	struct hc_ctx *ctx = test->priv;
	unsigned long buf = __get_free_pages(GFP_KERNEL, 1);
	PFN_NUMBER pfns[2];
	UINT32 handle = 0;
	PMDL mdl;

	hc_open(test, 0);
	KUNIT_ASSERT_NE(test, buf, 0UL);
	mdl = IoAllocateMdl((void *)buf, 8192, FALSE, FALSE, NULL);
	KUNIT_ASSERT_NOT_NULL(test, mdl);
	MmBuildMdlForNonPagedPool(mdl);
	pfns[0] = page_to_pfn(virt_to_page((void *)buf)) * KMCL_HV_PER_PAGE;
	pfns[1] = pfns[0] + KMCL_HV_PER_PAGE;
	kmcl_hv_model_clear_log(ctx->f.m);

	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(ctx->ch, 0, (void *)buf,
							      8192, &handle),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(ctx->ch, 0, mdl, 0, 0, &handle),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromPfnList(ctx->ch, 0, pfns, 2,
							       &handle),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_ESTABLISH_GPADL), 0U);
	KUNIT_EXPECT_EQ(test, ctx->f.m->nshared, 0U);

	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadl(ctx->ch, 0, 2, &handle), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_ESTABLISH_GPADL), 1U);
	VmbChannelDeleteGpadl(ctx->ch, handle);
	IoFreeMdl(mdl);
	free_pages(buf, 1);
}

/*
 * A paravisor's confidential channel (co_external_memory, 7.x) reads
 * GPADL buffers encrypted: hv_vmbus decrypts nothing, so the driver's own
 * memory may be described and a failed re-encryption leaks nothing.
 * Where the kernel has no such flag (6.12, and every older API: the
 * gen514 build of compat.h on any kernel) the isolated VM's rule stays:
 * the driver's memory is refused.
 */
static void hc_co_external_memory(struct kunit *test)
{
	struct hc_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md = hc_open(test, 0);
	unsigned long buf = __get_free_page(GFP_KERNEL | __GFP_ZERO);
	UINT32 handle = 0;
	u64 leaked;
	bool has;

	KUNIT_ASSERT_NE(test, buf, 0UL);
	has = kmcl_hv_set_co_flags(md->chan, true, true);
	KUNIT_EXPECT_EQ(test, kmcl_hv_external_shared(md->chan, true), !has);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_gen514_external_shared(md->chan, true));
	KUNIT_EXPECT_FALSE(test, kmcl_hv_external_shared(md->chan, false));

	leaked = kmcl_bounce_leaked_pages();
	ctx->f.m->reencrypt_fails = true;
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(ctx->ch, 0, (void *)buf,
							      4096, &handle),
			has ? STATUS_SUCCESS : STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m,
						  KMCL_HV_MOP_ESTABLISH_GPADL),
			has ? 1U : 0U);
	if (has)
		VmbChannelDeleteGpadl(ctx->ch, handle);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m,
						  KMCL_HV_MOP_TEARDOWN_GPADL),
			has ? 1U : 0U);
	KUNIT_EXPECT_EQ(test, kmcl_bounce_leaked_pages(), leaked);
	ctx->f.m->reencrypt_fails = false;
	kmcl_hv_set_co_flags(md->chan, false, false);
	free_page(buf);
}

/*
 * A host never lends memory to a guest: its GPA-direct packet is refused as
 * hostile (counted, the incoming queue stops), never delivered, so
 * VmbChannelPacketGetExternalData() is never reached for one.
 */
static void hc_host_gpa_direct(struct kunit *test)
{
	struct hc_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md = hc_open(test, 0);
	struct kmcl_channel *ch = kmcl_channel_from_handle(ctx->ch);
	struct {
		struct kmcl_vmpacket_desc d;
		u32 reserved;
		u32 range_count;
		u32 byte_count;
		u32 byte_offset;
		u64 pfn;
		u64 data;
	} __packed raw = {
		.d = {
			.type = KMCL_PKT_DATA_USING_GPA_DIRECT,
			.offset8 = 5,
			.len8 = 6,
			.flags = KMCL_PKT_FLAG_COMPLETION_REQUESTED,
			.trans_id = 7,
		},
		.range_count = 1,
		.byte_count = 4096,
		.pfn = 0x1234,
	};

	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_write_raw(md, &raw, sizeof(raw)), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(READ_ONCE(ch->fail_err) != 0));
	spin_lock_bh(&ch->in.lock);
	KUNIT_EXPECT_EQ(test, ch->in.stats.received, 0ULL);
	KUNIT_EXPECT_EQ(test, ch->in.stats.rejected, 1ULL);
	spin_unlock_bh(&ch->in.lock);
}

static struct kunit_case kmcl_hv_cvm_cases[] = {
	KUNIT_CASE(hc_bounce),
	KUNIT_CASE(hc_no_pool),
	KUNIT_CASE(hc_leak),
	KUNIT_CASE(hc_gpadl_leak),
	KUNIT_CASE(hc_private_gpadl),
	KUNIT_CASE(hc_host_gpa_direct),
	KUNIT_CASE(hc_co_external_memory),
	{}
};

static struct kunit_suite kmcl_hv_cvm_suite = {
	.name = "kmcl_hv_cvm",
	.init = hc_init,
	.test_cases = kmcl_hv_cvm_cases,
};

kunit_test_suite(kmcl_hv_cvm_suite);
