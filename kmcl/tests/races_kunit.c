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

#include "kmcl.h"
#include "mdl.h"
#include "packet_kunit.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

#define WAIT		VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define EXT_FLAG	VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA
#define RACES_EXT_MAX	(64 * 1024)

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

static void races_free_mdl(void *mdl)
{
	IoFreeMdl(mdl);
}

static u64 races_out_stat(struct kmcl_channel *ch, const u64 *field)
{
	u64 v;

	spin_lock_bh(&ch->out.lock);
	v = *field;
	spin_unlock_bh(&ch->out.lock);
	return v;
}

static u64 races_in_stat(struct kmcl_channel *ch, const u64 *field)
{
	u64 v;

	spin_lock_bh(&ch->in.lock);
	v = *field;
	spin_unlock_bh(&ch->in.lock);
	return v;
}

static bool races_rejected(void *arg)
{
	struct kmcl_channel *ch = arg;

	return races_in_stat(ch, &ch->in.stats.rejected) > 0;
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

/* --- item 7: late completions, however late ----------------------------- */

#define RACES_MS(ms)	((LONGLONG)(ms) * 10000)	/* 100 ns units */
#define RACES_REUSE	100	/* reuses of the cancelled slot: > any history */

static bool races_late_seen(void *arg)
{
	struct kmcl_channel *ch = arg;

	return races_out_stat(ch, &ch->out.stats.comp_late) > 0;
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
	u32 csize, i;
	NTSTATUS st;

	pp->srx.mode = KMCL_PT_HOLD;
	csize = sizeof(cbuf);
	st = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, WAIT, cbuf,
					      &csize, &tmo);
	KUNIT_ASSERT_EQ(test, st, STATUS_CANCELLED);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));

	spin_lock_bh(&pp->srx.lock);
	pp->srx.mode = KMCL_PT_COMPLETE;
	spin_unlock_bh(&pp->srx.lock);
	for (i = 0; i < RACES_REUSE; i++) {
		csize = sizeof(cbuf);
		st = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, WAIT,
						      cbuf, &csize, &ok);
		KUNIT_ASSERT_EQ(test, st, STATUS_SUCCESS);
	}

	kmcl_pt_complete(&pp->srx, 0, "late", 4);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(races_late_seen, pp->cch,
						  KMCL_PT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, races_out_stat(pp->cch, &pp->cch->out.stats.comp_late),
			1ULL);
	KUNIT_EXPECT_EQ(test, races_out_stat(pp->cch,
					     &pp->cch->out.stats.comp_stale_id),
			0ULL);
	KUNIT_EXPECT_EQ(test, races_in_stat(pp->cch, &pp->cch->in.stats.rejected),
			0ULL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(pp->cch->fail_err), 0);

	/* Still usable. */
	csize = sizeof(cbuf);
	st = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, WAIT, cbuf,
					      &csize, &ok);
	KUNIT_EXPECT_EQ(test, st, STATUS_SUCCESS);
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
	KUNIT_EXPECT_EQ(test, races_out_stat(pp->cch, &pp->cch->out.stats.comp_late),
			0ULL);
}

/* --- item 8: completions count against the reader's budget -------------- */

#define RACES_BURST	(3 * KMCL_IN_BUDGET)

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
	KUNIT_EXPECT_GE(test, races_in_stat(pp->cch, &pp->cch->in.stats.budget_yields),
			(u64)(RACES_BURST / KMCL_IN_BUDGET - 1));
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

static struct kunit_case kmcl_races_cases[] = {
	KUNIT_CASE(races_comp_payload_in_ext),
	KUNIT_CASE(races_late_completion_any_age),
	KUNIT_CASE(races_never_sent_id_fails),
	KUNIT_CASE(races_completions_share_budget),
	KUNIT_CASE(races_setters_refuse_what_enable_cannot),
	{}
};

static struct kunit_suite kmcl_races_suite = {
	.name = "kmcl_races",
	.test_cases = kmcl_races_cases,
};

kunit_test_suite(kmcl_races_suite);
