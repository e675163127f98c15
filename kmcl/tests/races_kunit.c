// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_races: completions, contexts and hostile peers on the loopback
 * (issue 10). Every case orders its events itself: through the packets it
 * holds, raw bytes it writes into a ring (kmcl_pt_inject()), or work it
 * queues; none relies on timing.
 */
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "kmcl.h"
#include "mdl.h"
#include "packet_kunit.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

#define WAIT		VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define EXT_FLAG	VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA
#define RACES_EXT_MAX	(64 * 1024)
#define RACES_SYNC_100NS	10000000	/* 1 s in 100 ns units */

static struct kmcl_pt_pair *races_pair(struct kunit *test,
				       const struct kmcl_pt_cfg *cfg)
{
	struct kmcl_pt_pair *pp = kunit_kzalloc(test, sizeof(*pp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pp);
	kmcl_pt_pair_setup(test, pp, cfg);
	return pp;
}

static struct kmcl_pt_done *races_done(struct kunit *test, bool free)
{
	struct kmcl_pt_done *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	kmcl_pt_done_init(d, free);
	return d;
}

static void races_vfree(void *p)
{
	vfree(p);
}

/* Lent memory: allocated before the pair, so it outlives the channels. */
static u8 *races_vbuf(struct kunit *test, size_t size)
{
	u8 *p = vzalloc(size);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, races_vfree, p), 0);
	return p;
}

static void races_free_page(void *page)
{
	__free_page(page);
}

/* A page freed after the pair (allocated before it); its Hyper-V PFN. */
static void races_page(struct kunit *test, PFN_NUMBER *pfn)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, races_free_page, page), 0);
	*pfn = page_to_pfn(page) * KMCL_HV_PER_PAGE;
}

static void races_free_mdl(void *mdl)
{
	IoFreeMdl(mdl);
}

static bool races_rejected(void *arg)
{
	struct kmcl_channel *ch = arg;

	return kmcl_test_in_stat(ch, &ch->in.stats.rejected) > 0;
}

/* --- item 6: a completion payload inside the packet's external data ---- */

/* Completes with the first 64 bytes of the external data it maps. */
static VOID races_ext_echo(VMBCHANNEL ch, PVOID ctx, VMBPACKETCOMPLETION pc,
			   PVOID buf, UINT32 len, UINT32 flags)
{
	struct kmcl_pt_rx *rx = ctx;
	NTSTATUS st = STATUS_UNSUCCESSFUL;
	PMDL mdl = NULL;
	u8 *va = NULL;

	if (flags & EXT_FLAG)
		st = VmbChannelPacketGetExternalData(pc, 0, &mdl);
	if (st == STATUS_PENDING)
		return;
	if (st == STATUS_SUCCESS)
		va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
	spin_lock_bh(&rx->lock);
	rx->n++;
	spin_unlock_bh(&rx->lock);
	wake_up_all(&rx->wq);
	VmbChannelPacketComplete(pc, va, va ? KMCL_PT_DATA : 0);
}

/*
 * The receiver completes with a pointer into the external data it was
 * lent (legal on Windows). Mapped at passive over two vmalloc pages, the
 * chain is a vmap(): the payload must be copied before the mapping goes.
 * Before the fix: a page fault reading the vunmap()ed address in
 * kmcl_out_send_completion().
 */
static void races_comp_payload_in_ext(struct kunit *test)
{
	const struct kmcl_pt_cfg cfg = { .defer_server = true };
	struct kmcl_pt_done *d = races_done(test, true);
	u8 *buf = races_vbuf(test, 3 * PAGE_SIZE);
	struct kmcl_pt_pair *pp = races_pair(test, &cfg);
	VMBCHANNEL sch = pp->p->server->ch, cch = pp->p->client->ch;
	VMBPACKET pkt;
	PMDL mdl;

	KUNIT_ASSERT_EQ(test,
			VmbChannelInitSetProcessPacketCallbacksEx(sch, &pp->srx,
								  races_ext_echo,
								  NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(sch, RACES_EXT_MAX, 4),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(cch, RACES_EXT_MAX, 4),
			STATUS_SUCCESS);
	VmbChannelSetIncomingProcessingAtPassive(sch, TRUE);
	kmcl_pt_enable_server(test, pp);
	kmcl_pt_enable_client(test, pp);

	/* Two pages, straddling a page boundary: needs a vmap(). */
	kmcl_pt_fill(buf + PAGE_SIZE - 32, KMCL_PT_DATA, 9);
	mdl = IoAllocateMdl(buf + PAGE_SIZE - 32, 2 * KMCL_PT_DATA, FALSE, FALSE,
			    NULL);
	KUNIT_ASSERT_NOT_NULL(test, mdl);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, races_free_mdl, mdl), 0);
	MmBuildMdlForNonPagedPool(mdl);

	pkt = VmbPacketAllocate(cch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	VmbPacketSetCompletionRoutineEx(pkt, d, kmcl_pt_done_cb);
	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 0,
							   2 * KMCL_PT_DATA, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, d->rec[0].len, (u32)KMCL_PT_DATA);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(d->rec[0].data, KMCL_PT_DATA, 9));
}

/* --- item 12: completing never unmaps in the caller ------------------- */

/*
 * A pair whose server holds the packets it receives, with one packet sent
 * that lends two pages in descending PFN order (never consecutive: their
 * mapping is a vmap()). @passive: the server reads in process context.
 * Returns once the server's ProcessPacket ran; *@base is the live vmap
 * count before the send.
 */
static struct kmcl_pt_pair *races_ext_held(struct kunit *test,
					   struct kmcl_pt_done *d, bool passive,
					   int *base)
{
	const struct kmcl_pt_cfg cfg = { .defer_server = true };
	PFN_NUMBER pfn[2], tmp;
	struct kmcl_pt_pair *pp;
	VMBCHANNEL sch, cch;
	VMBPACKET pkt;

	races_page(test, &pfn[0]);
	races_page(test, &pfn[1]);
	if (pfn[0] < pfn[1]) {
		tmp = pfn[0];
		pfn[0] = pfn[1];
		pfn[1] = tmp;
	}
	pp = races_pair(test, &cfg);
	sch = pp->p->server->ch;
	cch = pp->p->client->ch;

	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(sch, RACES_EXT_MAX, 4),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(cch, RACES_EXT_MAX, 4),
			STATUS_SUCCESS);
	pp->srx.mode = KMCL_PT_HOLD;
	kmcl_pt_enable_server(test, pp);
	kmcl_pt_enable_client(test, pp);
	if (passive)
		VmbChannelSetIncomingProcessingAtPassive(sch, TRUE);

	kmcl_mdl_flush();
	*base = kmcl_mdl_vmap_count();
	pkt = VmbPacketAllocate(cch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	VmbPacketSetCompletionRoutineEx(pkt, d, kmcl_pt_done_cb);
	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalPfns(pkt, NULL, 0, pfn, 2, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	KUNIT_EXPECT_EQ(test, pp->srx.rec[0].task, passive);
	return pp;
}

/*
 * VmbChannelPacketComplete() is documented not to sleep, yet with the
 * external data vmap()ed it unmapped in the caller whenever
 * kmcl_can_sleep() said yes, as it does for a plain spin_lock() on kernels
 * without CONFIG_PREEMPT_COUNT. Completed here from plain process context
 * (what such a kernel sees under a spinlock), the vunmap() must still be
 * left to the worker (counted by kmcl_mdl_vunmap_deferred(); the live
 * vmap count would race the worker). Before the fix the unmap ran inside
 * VmbChannelPacketComplete(): the deferred count did not move.
 */
static void races_complete_never_unmaps(struct kunit *test)
{
	struct kmcl_pt_done *d = races_done(test, true);
	struct kmcl_pt_pair *pp;
	int base, deferred;
	PMDL got = NULL;

	pp = races_ext_held(test, d, true, &base);
	KUNIT_ASSERT_EQ(test, VmbChannelPacketGetExternalData(pp->srx.rec[0].pc, 0,
							      &got),
			STATUS_SUCCESS);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_TRUE(test, is_vmalloc_addr(got->MappedSystemVa));
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), base + 1);

	deferred = kmcl_mdl_vunmap_deferred();
	kmcl_pt_complete(&pp->srx, 0, NULL, 0);
	/* Handed to the worker, not vunmap()ed in the caller. */
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vunmap_deferred(), deferred + 1);
	kmcl_mdl_flush();
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), base);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
}

/*
 * VmbChannelPacketGetExternalData() is documented not to sleep either,
 * yet it vmap()ed in the caller whenever kmcl_can_sleep() said yes: from
 * plain process context, which is also what a kernel without
 * CONFIG_PREEMPT_COUNT sees under a driver's spin_lock(). Called here from
 * the test thread for a held packet:
 * - delivered in process context, the reader mapped it before
 *   ProcessPacket ran: the call makes no vmap() (the live count, one
 *   after the delivery, does not move);
 * - delivered in softirq context, nobody could map it:
 *   STATUS_INSUFFICIENT_RESOURCES, no vmap() made.
 * Before the fix the packet had no mapping after its delivery (the count
 * stayed at the base) and each call made one (base + 1).
 */
static void races_get_ext_never_maps(struct kunit *test)
{
	struct kmcl_pt_done *d = races_done(test, true);
	struct kmcl_pt_pair *pp;
	PMDL got = NULL;
	int base;

	pp = races_ext_held(test, d, true, &base);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), base + 1);
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(pp->srx.rec[0].pc, 0,
							      &got),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), base + 1);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(got->MappedSystemVa));
	kmcl_pt_complete(&pp->srx, 0, NULL, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	kmcl_mdl_flush();
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), base);

	d = races_done(test, true);
	pp = races_ext_held(test, d, false, &base);
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(pp->srx.rec[0].pc, 0,
							      &got),
			STATUS_INSUFFICIENT_RESOURCES);
	KUNIT_EXPECT_NULL(test, got);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), base);
	kmcl_pt_complete(&pp->srx, 0, NULL, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
}

/* --- item 20: every refused VmbPacketFree() is counted ------------------ */

/*
 * Freeing a packet in flight, one from VmbPacketInitialize() and one
 * already free are all refused. Before the fix only the double free was
 * counted (double_free); the other two left no trace but a log line
 * printed once per boot.
 */
static void races_free_refusals_counted(struct kunit *test)
{
	const struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = races_done(test, false);
	struct kmcl_pt_pair *pp = races_pair(test, &cfg);
	VMBCHANNEL cch = pp->p->client->ch;
	u32 size = VmbChannelSizeofPacket(cch);
	void *mem = kunit_kzalloc(test, size, GFP_KERNEL);
	VMBPACKET pkt;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, VmbPacketInitialize(cch, mem, size), STATUS_SUCCESS);
	VmbPacketFree(mem);
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(pp->cch, &pp->cch->out.stats.free_refused),
			1ULL);

	pp->srx.mode = KMCL_PT_HOLD;
	pkt = kmcl_pt_send(test, cch, d, 1, 8, WAIT);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	VmbPacketFree(pkt);		/* in flight */
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(pp->cch, &pp->cch->out.stats.free_refused),
			2ULL);
	kmcl_pt_complete(&pp->srx, 0, NULL, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	VmbPacketFree(pkt);
	VmbPacketFree(pkt);		/* already free */
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(pp->cch, &pp->cch->out.stats.free_refused),
			3ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(pp->cch, &pp->cch->out.stats.double_free),
			1ULL);
}

/*
 * Init setters on an open channel: the state error (P1) comes before any
 * argument error. Before the fix: P2 for the bad sizes, and
 * STATUS_NOT_SUPPORTED / P2 from SetTargetVtl.
 */
static void races_setters_state_first(struct kunit *test)
{
	const struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_pair *pp = races_pair(test, &cfg);
	VMBCHANNEL sch = pp->p->server->ch, cch = pp->p->client->ch;

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(sch, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketCount(cch, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(cch, 0xffffffff),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(cch, 0, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetVtl(sch, 1),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetVtl(sch, 200),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetVmbusHandle(sch, NULL),
			STATUS_INVALID_PARAMETER_1);
	/* Disabled: the argument errors come back. */
	VmbChannelDisable(sch);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetVtl(sch, 200),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetVtl(sch, 1),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(sch, 0),
			STATUS_INVALID_PARAMETER_2);
}

/* --- item 19: a server sends synchronously "now or never" only --------- */

/*
 * The header's rule for servers: a zero timeout and no
 * WAIT_FOR_COMPLETION. WAIT_FOR_COMPLETION is P5, any other timeout P8;
 * the allowed form is written at once and reaches the client.
 */
static void races_server_sync_zero_timeout(struct kunit *test)
{
	const struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_pair *pp = races_pair(test, &cfg);
	VMBCHANNEL sch = pp->p->server->ch;
	LARGE_INTEGER zero = { .QuadPart = 0 };
	LARGE_INTEGER rel = { .QuadPart = -RACES_SYNC_100NS };
	u8 data[8] = { 7 };

	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(sch, data, 8, NULL, WAIT,
							       NULL, NULL, &zero),
			STATUS_INVALID_PARAMETER_5);
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(sch, data, 8, NULL, 0,
							       NULL, NULL, NULL),
			STATUS_INVALID_PARAMETER_8);
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(sch, data, 8, NULL, 0,
							       NULL, NULL, &rel),
			STATUS_INVALID_PARAMETER_8);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->crx), 0U);
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(sch, data, 8, NULL, 0,
							       NULL, NULL, &zero),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->crx, 1));
	KUNIT_EXPECT_EQ(test, pp->crx.rec[0].data[0], 7);
	KUNIT_EXPECT_EQ(test, pp->crx.rec[0].len, 8U);
}

/* --- item 7: late completions, however late ----------------------------- */

#define RACES_MS(ms)	((LONGLONG)(ms) * 10000)	/* 100 ns units */
#define RACES_REUSE	100	/* reuses of the cancelled slot: > any history */

static bool races_late_seen(void *arg)
{
	struct kmcl_channel *ch = arg;

	return kmcl_test_out_stat(ch, &ch->out.stats.comp_late) > 0;
}

/*
 * A synchronous request times out; the slot of its transaction id is then
 * reused RACES_REUSE times (one slot: every request takes it); only then
 * does the peer complete the timed-out request. The completion must be
 * dropped and counted, and the channel keep working. Before the fix:
 * comp_late stayed 0, comp_stale_id 1, in.stats.rejected 1 and the
 * channel failed (-EBADMSG), once the reuse passed 32.
 */
static void races_late_completion_any_age(struct kunit *test)
{
	const struct kmcl_pt_cfg cfg = { .max_packet_count = 1,
					 .server_packet_count = 4 };
	struct kmcl_pt_pair *pp = races_pair(test, &cfg);
	VMBCHANNEL ch = pp->p->client->ch;
	LARGE_INTEGER tmo = { .QuadPart = -RACES_MS(20) };
	LARGE_INTEGER ok = { .QuadPart = -RACES_MS(KMCL_PT_WAIT_MS) };
	u8 data[8] = {}, cbuf[8];
	struct kmcl_stats st;
	u32 csize, i;
	NTSTATUS ret;

	pp->srx.mode = KMCL_PT_HOLD;
	csize = sizeof(cbuf);
	ret = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, WAIT, cbuf,
					       &csize, &tmo);
	KUNIT_ASSERT_EQ(test, ret, STATUS_CANCELLED);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));

	spin_lock_bh(&pp->srx.lock);
	pp->srx.mode = KMCL_PT_COMPLETE;
	spin_unlock_bh(&pp->srx.lock);
	for (i = 0; i < RACES_REUSE; i++) {
		csize = sizeof(cbuf);
		ret = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, WAIT,
						       cbuf, &csize, &ok);
		KUNIT_ASSERT_EQ(test, ret, STATUS_SUCCESS);
	}

	kmcl_pt_complete(&pp->srx, 0, "late", 4);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(races_late_seen, pp->cch,
						  KMCL_PT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(pp->cch, &pp->cch->out.stats.comp_late),
			1ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(pp->cch,
						 &pp->cch->out.stats.comp_stale_id),
			0ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->cch, &pp->cch->in.stats.rejected),
			0ULL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(pp->cch->fail_err), 0);
	/* debugfs shows it (item 20). */
	kmcl_packet_stats(pp->cch, &st);
	KUNIT_EXPECT_EQ(test, st.comp_late, 1ULL);
	KUNIT_EXPECT_EQ(test, st.rejected, 0ULL);

	/* Still usable. */
	csize = sizeof(cbuf);
	ret = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, WAIT, cbuf,
					       &csize, &ok);
	KUNIT_EXPECT_EQ(test, ret, STATUS_SUCCESS);
}

/*
 * A completion for an id the client never sent (a generation the slot has
 * not reached yet) is still hostile: rejected, and the channel fails.
 */
static void races_never_sent_id_fails(struct kunit *test)
{
	const struct kmcl_pt_cfg cfg = { .max_packet_count = 1 };
	struct kmcl_pt_pair *pp = races_pair(test, &cfg);
	struct {
		struct kmcl_vmpacket_desc d;
		u64 payload;
	} comp = {};
	struct kmcl_stats st;
	u32 gen;

	spin_lock_bh(&pp->cch->out.lock);
	gen = pp->cch->out.txid.slots[0].gen;
	spin_unlock_bh(&pp->cch->out.lock);
	comp.d.type = KMCL_PKT_COMP;
	comp.d.offset8 = sizeof(comp.d) / 8;
	comp.d.len8 = sizeof(comp) / 8;
	comp.d.trans_id = ((u64)(gen + 5) << 32) | 1;
	kmcl_pt_inject(test, pp->sch, pp->cch, &comp, sizeof(comp));
	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(races_rejected, pp->cch,
						  KMCL_PT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(pp->cch, &pp->cch->out.stats.comp_late),
			0ULL);
	/* debugfs names the reason (item 20). */
	kmcl_packet_stats(pp->cch, &st);
	KUNIT_EXPECT_EQ(test, st.rejected, 1ULL);
	KUNIT_EXPECT_EQ(test, st.rejected_bad_id, 1ULL);
	KUNIT_EXPECT_EQ(test, st.rejected_malformed, 0ULL);
}

/* --- issue 12: a hostile packet's stop outlives Pause/Start ------------- */

/*
 * The hostile peer (kmcl_hostile) found it: after KMCL rejected a packet
 * and stopped the incoming queue, the driver pausing and starting the
 * channel restarted the reader, which went on past the rejected packet
 * and delivered what the proven-hostile peer wrote after it, with fail_err
 * still set. The client reads at PASSIVE here, so flushing the channel's
 * workqueue after Start waits for the reader Start kicked. Before the fix:
 * the in-band packet written after the forged completion was delivered
 * (crx count 1, expected 0).
 */
static void races_hostile_stop_outlives_restart(struct kunit *test)
{
	const struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_pair *pp = races_pair(test, &cfg);
	struct {
		struct kmcl_vmpacket_desc d;
		u64 payload;
	} comp = {}, data = {};

	VmbChannelSetIncomingProcessingAtPassive(pp->p->client->ch, TRUE);
	comp.d.type = KMCL_PKT_COMP;
	comp.d.offset8 = sizeof(comp.d) / 8;
	comp.d.len8 = sizeof(comp) / 8;
	comp.d.trans_id = 0x7777000000000001ULL;	/* never sent */
	kmcl_pt_inject(test, pp->sch, pp->cch, &comp, sizeof(comp));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_true(races_rejected, pp->cch,
						  KMCL_PT_WAIT_MS));
	data.d.type = KMCL_PKT_DATA_INBAND;
	data.d.offset8 = sizeof(data.d) / 8;
	data.d.len8 = sizeof(data) / 8;
	data.payload = 0x686f7374696c65ULL;
	kmcl_pt_inject(test, pp->sch, pp->cch, &data, sizeof(data));
	flush_workqueue(kmcl_channel_wq(pp->cch));
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->crx), 0U);

	VmbChannelPause(pp->p->client->ch);
	VmbChannelStart(pp->p->client->ch);
	flush_workqueue(kmcl_channel_wq(pp->cch));
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->crx), 0U);
	KUNIT_EXPECT_NE(test, READ_ONCE(pp->cch->fail_err), 0);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->cch, &pp->cch->in.stats.rejected),
			1ULL);
}

/* --- item 8: completions count against the reader's budget -------------- */

#define RACES_BURST	(2 * KMCL_IN_BUDGET)	/* <= KMCL_PT_REC */

/*
 * RACES_BURST completions land in the client's ring before its reader
 * runs (the server completes them with bottom halves off, so the tasklet
 * waits). One run may handle at most KMCL_IN_BUDGET of them and must yield
 * (requeue itself) for the rest. Before the fix: in.stats.budget_yields
 * stayed 0, one run handled all RACES_BURST completions.
 */
static void races_completions_share_budget(struct kunit *test)
{
	const struct kmcl_pt_cfg cfg = { .max_packet_count = RACES_BURST,
					 .server_packet_count = RACES_BURST,
					 .ring_pages = 16 };
	struct kmcl_pt_done *d = races_done(test, true);
	struct kmcl_pt_pair *pp = races_pair(test, &cfg);
	u32 i;

	pp->srx.mode = KMCL_PT_HOLD;
	for (i = 0; i < RACES_BURST; i++)
		kmcl_pt_send(test, pp->p->client->ch, d, i, 8, WAIT);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, RACES_BURST));

	local_bh_disable();
	for (i = 0; i < RACES_BURST; i++)
		kmcl_pt_complete(&pp->srx, i, NULL, 0);
	local_bh_enable();

	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, RACES_BURST));
	for (i = 0; i < RACES_BURST; i++)
		KUNIT_EXPECT_EQ(test, d->rec[i].status, STATUS_SUCCESS);
	KUNIT_EXPECT_GE(test, kmcl_test_in_stat(pp->cch, &pp->cch->in.stats.budget_yields),
			1ULL);
}

/*
 * The DPC cap (VmbChannelSetAllowableDpcCpuUsage, items 8 and 20): at 1 %
 * of the 2 ms window a softirq batch of slow packets (200 us each) stops
 * within the budget and the rest is delivered in process context, none
 * dropped, the hit counted. The default is a cap too (100 %: the whole
 * window). Before the fix 100 % meant no limit and hits were not counted.
 */
static void races_dpc_cap_requeues(struct kunit *test)
{
	const struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = races_done(test, true);
	struct kmcl_pt_pair *pp = races_pair(test, &cfg);
	struct kmcl_stats st;
	VMBPACKET pkt[8];
	u8 data[8][8];
	NTSTATUS ret[8];
	u32 i, task = 0;

	KUNIT_EXPECT_EQ(test, pp->sch->cfg.dpc_cpu_percent, 100);
	VmbChannelSetAllowableDpcCpuUsage(pp->p->server->ch, 1);
	pp->srx.mode = KMCL_PT_SLOW;
	for (i = 0; i < 8; i++) {
		pkt[i] = VmbPacketAllocate(pp->p->client->ch);
		KUNIT_ASSERT_NOT_NULL(test, pkt[i]);
		VmbPacketSetCompletionRoutineEx(pkt[i], d, kmcl_pt_done_cb);
		kmcl_pt_fill(data[i], 8, i);
	}
	/* All eight are in the ring before the server's tasklet runs. */
	local_bh_disable();
	for (i = 0; i < 8; i++)
		ret[i] = VmbPacketSend(pkt[i], data[i], 8, NULL, 0);
	local_bh_enable();
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, ret[i], STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 8));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 8));
	/*
	 * Whether the first packet still fits in the window depends on what
	 * the channel's softirq reader already spent in it (the window is
	 * shared by every run since): kmcl_affinity pins that with a test
	 * clock. Here: some went to process context, in order, none lost.
	 */
	for (i = 0; i < 8; i++) {
		/* In order, none lost. */
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data, 8, i));
		task += pp->srx.rec[i].task;
	}
	KUNIT_EXPECT_GE(test, task, 1U);
	kmcl_packet_stats(pp->sch, &st);
	KUNIT_EXPECT_GE(test, st.dpc_capped, 1ULL);
	KUNIT_EXPECT_EQ(test, st.received, 8ULL);
}

/* --- item 13: limits Enable cannot take are refused by the setters -------- */

static NTSTATUS races_enable_alone(struct kunit *test, VMBCHANNEL ch)
{
	NTSTATUS st = VmbChannelEnable(ch);

	if (st == STATUS_SUCCESS)
		VmbChannelDisable(ch);
	return st;
}

/*
 * Before the fix: VmbChannelInitSetMaximumPacketSize(KMCL_PACKET_MTU) and
 * the external-data limits that overflow a packet with it were accepted
 * (STATUS_SUCCESS), and VmbChannelEnable then failed with
 * STATUS_INVALID_PARAMETER_1.
 */
static void races_setters_refuse_what_enable_cannot(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_new(test);
	VMBCHANNEL ch = p->server->ch;
	const u32 most = KMCL_PACKET_MTU - sizeof(struct kmcl_vmpacket_desc);

	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketCount(ch, 1),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(ch, KMCL_PACKET_MTU),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(ch, most + 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(ch, most),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, races_enable_alone(test, ch), STATUS_SUCCESS);

	/* Any external data now overflows a packet of that size. */
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(ch, 4096, 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, races_enable_alone(test, ch), STATUS_SUCCESS);

	/* And the other way round: limits first, then the size. */
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(ch, 4096),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(ch, 1 << 20, 64),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(ch, most),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, races_enable_alone(test, ch), STATUS_SUCCESS);
}

/* --- item 10: a request without a timeout that never ends is reported --- */

struct races_req {
	struct work_struct work;
	VMBCHANNEL ch;
	NTSTATUS st;
	bool done;
};

static void races_req_fn(struct work_struct *work)
{
	struct races_req *r = container_of(work, struct races_req, work);
	u8 data[8] = {};

	r->st = VmbChannelSendSynchronousRequest(r->ch, data, 8, NULL, WAIT, NULL,
						 NULL, NULL);
	/* Publish the status before "done" (races_req_done() reads after it). */
	smp_store_release(&r->done, true);
}

static void races_req_flush(void *data)
{
	flush_work(data);
}

static struct races_req *races_req_start(struct kunit *test, VMBCHANNEL ch)
{
	struct races_req *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	INIT_WORK(&r->work, races_req_fn);
	r->ch = ch;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, races_req_flush,
							&r->work), 0);
	queue_work(system_unbound_wq, &r->work);
	return r;
}

static bool races_req_done(void *arg)
{
	struct races_req *r = arg;

	/* Pairs with races_req_fn(). */
	return smp_load_acquire(&r->done);
}

static bool races_hang_logged(void *arg)
{
	struct kmcl_channel *ch = arg;
	bool v;

	spin_lock_bh(&ch->out.lock);
	v = ch->out.sync_hang_logged;
	spin_unlock_bh(&ch->out.lock);
	return v;
}

static unsigned int races_saved_hang_ms;

static void races_restore_hang(void *data)
{
	WRITE_ONCE(kmcl_sync_hang_ms, races_saved_hang_ms);
}

/*
 * Two requests without a timeout; the server never answers. The wait is
 * reported (once for the channel) after kmcl_sync_hang_ms, shortened here
 * to 1 ms; a Disable from another thread ends both waits. Before the fix
 * the wait was a bare wait_event_idle(): nothing was ever logged (the
 * flag this test waits for did not exist).
 */
static void races_sync_hang_reported(struct kunit *test)
{
	const struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_pair *pp = races_pair(test, &cfg);
	struct races_req *r[2];
	int i;

	races_saved_hang_ms = kmcl_sync_hang_ms;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, races_restore_hang,
							NULL), 0);
	WRITE_ONCE(kmcl_sync_hang_ms, 1);
	pp->srx.mode = KMCL_PT_HOLD;
	for (i = 0; i < 2; i++)
		r[i] = races_req_start(test, pp->p->client->ch);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 2));
	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(races_hang_logged, pp->cch,
						  KMCL_PT_WAIT_MS));
	KUNIT_EXPECT_FALSE(test, races_req_done(r[0]));
	KUNIT_EXPECT_FALSE(test, races_req_done(r[1]));

	VmbChannelDisable(pp->p->client->ch);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(races_req_done, r[i],
							  KMCL_PT_WAIT_MS));
		flush_work(&r[i]->work);
		KUNIT_EXPECT_EQ(test, r[i]->st, STATUS_DEVICE_REMOVED);
	}
}

/* --- item 9: passive-only functions called where they may not sleep ---- */

enum races_probe {
	P_ENABLE, P_ALLOCATE, P_INITIALIZE, P_SET_SIZE, P_SET_NAME,
	P_GPADL_BUFFER, P_GPADL_ADDRESS, P_SYNC_TIMEOUT, P_SYNC_FOREVER,
	P_QUERY, P_XFER, P_LATENCY, P_BOUNCE, P_COUNT
};

struct races_ctx_probe {
	VMBCHANNEL ch;		/* the open channel the callback belongs to */
	VMBCHANNEL idle;	/* a disabled channel */
	bool ran;
	bool atomic;
	NTSTATUS st[P_COUNT];
	int state_after;
	bool passive_after;
	u8 mem[64];
};

/*
 * Call every function documented PASSIVE_LEVEL from a context that may
 * not sleep. The NTSTATUS ones must answer STATUS_INVALID_DEVICE_STATE
 * (the init setters: STATUS_INVALID_PARAMETER_1, their documented "not
 * now"), the VOID ones must do nothing; none may sleep.
 */
static void races_probe_run(struct races_ctx_probe *pr)
{
	LARGE_INTEGER tmo = { .QuadPart = -RACES_MS(1000) };
	UNICODE_STRING name = { .Length = 4, .MaximumLength = 4,
				.Buffer = (PWCH)L"ab" };
	VMBCHANNEL dummy = NULL;
	INTERFACE iface;
	GUID nil = {};
	UINT32 handle;
	PVOID va;
	UINT16 old;
	u8 data[8] = {};

	pr->atomic = !preemptible() || in_serving_softirq();
	pr->st[P_ENABLE] = VmbChannelEnable(pr->idle);
	pr->st[P_ALLOCATE] = VmbChannelAllocate((PDEVICE_OBJECT)pr->mem, FALSE,
						&dummy);
	pr->st[P_INITIALIZE] = VmbChannelInitialize((PDEVICE_OBJECT)pr->mem, FALSE,
						    (VMBCHANNEL)pr->mem,
						    sizeof(pr->mem));
	pr->st[P_SET_SIZE] = VmbChannelInitSetMaximumPacketSize(pr->idle, 100);
	pr->st[P_SET_NAME] = VmbChannelInitSetFriendlyName(pr->idle, &name);
	pr->st[P_GPADL_BUFFER] = VmbChannelCreateGpadlFromBuffer(pr->ch, 0, pr->mem,
								 sizeof(pr->mem),
								 &handle);
	pr->st[P_GPADL_ADDRESS] = VmbChannelGetSystemAddressForGpadl(pr->ch, 0, 1,
								     &va);
	pr->st[P_SYNC_TIMEOUT] = VmbChannelSendSynchronousRequest(pr->ch, data, 8,
								  NULL, WAIT, NULL,
								  NULL, &tmo);
	pr->st[P_SYNC_FOREVER] = VmbChannelSendSynchronousRequest(pr->ch, data, 8,
								  NULL, 0, NULL,
								  NULL, NULL);
	pr->st[P_QUERY] = KmclQueryInterface(&nil, &iface, sizeof(iface), 1,
					     NULL);
	pr->st[P_XFER] = KmclChannelSetTransferPageSet(pr->ch, 1, 0);
	pr->st[P_LATENCY] = VmbChannelSetInterruptLatency(pr->ch, 10, &old);
	pr->st[P_BOUNCE] = VmbChannelAllocateBounceBuffer(pr->ch, 4096);
	VmbChannelDeleteGpadl(pr->ch, 1);
	VmbChannelUnmapGpadl(pr->ch, 1);
	VmbChannelSetIncomingProcessingAtPassive(pr->ch, TRUE);
	VmbChannelPause(pr->ch);
	VmbChannelStart(pr->ch);
	VmbChannelDisable(pr->ch);
	VmbChannelCleanup(pr->idle);
	pr->state_after = kmcl_channel_state(kmcl_channel_from_handle(pr->ch));
	pr->passive_after = READ_ONCE(kmcl_channel_from_handle(pr->ch)->in.at_passive);
	WRITE_ONCE(pr->ran, true);
}

static void races_probe_check(struct kunit *test, struct races_ctx_probe *pr,
			      int open_state)
{
	int i;

	KUNIT_ASSERT_TRUE(test, READ_ONCE(pr->ran));
	KUNIT_EXPECT_TRUE(test, pr->atomic);
	for (i = 0; i < P_COUNT; i++) {
		NTSTATUS want = i == P_SET_SIZE || i == P_SET_NAME ?
				STATUS_INVALID_PARAMETER_1 :
				STATUS_INVALID_DEVICE_STATE;

		KUNIT_EXPECT_EQ_MSG(test, pr->st[i], want, "probe %d", i);
	}
	/* Nothing happened: still open, still delivering in softirq. */
	KUNIT_EXPECT_EQ(test, pr->state_after, open_state);
	KUNIT_EXPECT_FALSE(test, pr->passive_after);
	/* The disabled channel was neither cleaned up nor configured. */
	KUNIT_EXPECT_EQ(test, kmcl_channel_state(kmcl_channel_from_handle(pr->idle)),
			(int)KMCL_CH_DISABLED);
	KUNIT_EXPECT_NULL(test, kmcl_channel_from_handle(pr->idle)->cfg.friendly_name);
	KUNIT_EXPECT_NE(test, kmcl_channel_from_handle(pr->idle)->cfg.max_packet_size,
			100U);
}

static VOID races_probe_process(VMBCHANNEL ch, PVOID ctx, VMBPACKETCOMPLETION pc,
				PVOID buf, UINT32 len, UINT32 flags)
{
	races_probe_run(ctx);
	VmbChannelPacketComplete(pc, NULL, 0);
}

static VOID races_probe_done(VMBPACKET pkt, PVOID ctx, NTSTATUS status,
			     PVOID buf, UINT32 len)
{
	races_probe_run(ctx);
	VmbPacketFree(pkt);
}

static bool races_probe_ran(void *arg)
{
	struct races_ctx_probe *pr = arg;

	return READ_ONCE(pr->ran);
}

static struct races_ctx_probe *races_probe_new(struct kunit *test, VMBCHANNEL ch)
{
	struct races_ctx_probe *pr = kunit_kzalloc(test, sizeof(*pr), GFP_KERNEL);
	struct kmcl_test_log *log = kmcl_test_log_new(test);
	GUID type = kmcl_test_new_type(), inst;

	KUNIT_ASSERT_NOT_NULL(test, pr);
	kmcl_test_guid(&inst, 7);
	pr->ch = ch;
	pr->idle = kmcl_test_client(test, log, &type, &inst)->ch;
	return pr;
}

/*
 * From a ProcessPacket in the softirq reader. Before the fix: "BUG:
 * sleeping function called from invalid context" / "scheduling while
 * atomic" from the first mutex (VmbChannelEnable), then the rest.
 * Item 19: without their checks KmclQueryInterface answered
 * STATUS_NOT_SUPPORTED (probe 9), VmbChannelSetInterruptLatency
 * STATUS_SUCCESS (probe 11) and VmbChannelSetIncomingProcessingAtPassive
 * switched the channel to passive (here and from a completion routine).
 */
static void races_passive_from_dpc(struct kunit *test)
{
	const struct kmcl_pt_cfg cfg = { .defer_client = true };
	struct kmcl_pt_pair *pp = races_pair(test, &cfg);
	struct races_ctx_probe *pr = races_probe_new(test, pp->p->client->ch);
	struct kmcl_pt_done *d = races_done(test, true);

	KUNIT_ASSERT_EQ(test,
			VmbChannelInitSetProcessPacketCallbacksEx(pp->p->client->ch,
								  pr,
								  races_probe_process,
								  NULL),
			STATUS_SUCCESS);
	kmcl_pt_enable_client(test, pp);
	/* The server sends; the client's ProcessPacket runs the probe. */
	kmcl_pt_send(test, pp->p->server->ch, d, 1, 8, WAIT);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_true(races_probe_ran, pr,
						  KMCL_PT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	races_probe_check(test, pr, KMCL_CH_OPENED);
}

/* From a completion routine (bottom halves off). */
static void races_passive_from_completion(struct kunit *test)
{
	const struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_pair *pp = races_pair(test, &cfg);
	struct races_ctx_probe *pr = races_probe_new(test, pp->p->client->ch);
	VMBPACKET pkt = VmbPacketAllocate(pp->p->client->ch);
	u8 data[8] = {};

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	VmbPacketSetCompletionRoutineEx(pkt, pr, races_probe_done);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, data, 8, NULL, WAIT), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_true(races_probe_ran, pr,
						  KMCL_PT_WAIT_MS));
	races_probe_check(test, pr, KMCL_CH_OPENED);
}

static struct kunit_case kmcl_races_cases[] = {
	KUNIT_CASE(races_comp_payload_in_ext),
	KUNIT_CASE(races_complete_never_unmaps),
	KUNIT_CASE(races_get_ext_never_maps),
	KUNIT_CASE(races_free_refusals_counted),
	KUNIT_CASE(races_setters_state_first),
	KUNIT_CASE(races_server_sync_zero_timeout),
	KUNIT_CASE(races_late_completion_any_age),
	KUNIT_CASE(races_never_sent_id_fails),
	KUNIT_CASE(races_hostile_stop_outlives_restart),
	KUNIT_CASE(races_completions_share_budget),
	KUNIT_CASE(races_dpc_cap_requeues),
	KUNIT_CASE(races_setters_refuse_what_enable_cannot),
	KUNIT_CASE(races_sync_hang_reported),
	KUNIT_CASE(races_passive_from_dpc),
	KUNIT_CASE(races_passive_from_completion),
	{}
};

static struct kunit_suite kmcl_races_suite = {
	.name = "kmcl_races",
	.test_cases = kmcl_races_cases,
};

kunit_test_suite(kmcl_races_suite);
