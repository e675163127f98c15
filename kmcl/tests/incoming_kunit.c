// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_incoming: delivery of incoming packets (context,
 * order, batches), VmbChannelPacketComplete/Fail/DeferToPassive, the
 * transaction quota, client contexts, Pause with packets outstanding, and
 * hostile packets written straight into the shared ring.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "kmcl.h"
#include "packet_kunit.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

static struct kmcl_pt_pair *kmcl_it_pair(struct kunit *test,
					 const struct kmcl_pt_cfg *cfg)
{
	struct kmcl_pt_pair *pp = kunit_kzalloc(test, sizeof(*pp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pp);
	kmcl_pt_pair_setup(test, pp, cfg);
	return pp;
}

/* Send @n packets client -> server, seeds @seed.., without completion. */
static void kmcl_it_send(struct kunit *test, struct kmcl_pt_pair *pp,
			 struct kmcl_pt_done *d, u8 seed, unsigned int n,
			 u32 len)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		kmcl_pt_send(test, pp->p->client->ch, d, seed + i, len, 0);
}

static struct kmcl_pt_done *kmcl_it_done(struct kunit *test)
{
	struct kmcl_pt_done *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	kmcl_pt_done_init(d, true);
	return d;
}

static u64 kmcl_it_frozen_clock(void *ctx)
{
	return 1;
}

static void kmcl_it_clear_clock(void *data)
{
	kmcl_in_set_dpc_clock(data, NULL, NULL);
}

/*
 * A DPC budget that never runs out: on a slow emulated CPU a softirq run
 * may outlast the default budget and hand the rest to process context,
 * which is the DPC cap working (kmcl_incoming_dpc_budget_test), not what
 * the tests that use this look at.
 */
static void kmcl_it_no_dpc_cap(struct kunit *test, struct kmcl_channel *ch)
{
	kmcl_in_set_dpc_clock(ch, kmcl_it_frozen_clock, NULL);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kmcl_it_clear_clock, ch), 0);
}

static void kmcl_incoming_dispatch_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	unsigned int i;

	kmcl_it_no_dpc_cap(test, pp->sch);
	kmcl_it_send(test, pp, d, 0, 20, 24);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 20));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_batches(&pp->srx, 20));
	for (i = 0; i < 20; i++) {
		/* DISPATCH_LEVEL analog: the softirq reader, cannot sleep. */
		KUNIT_EXPECT_TRUE(test, pp->srx.rec[i].softirq);
		KUNIT_EXPECT_FALSE(test, pp->srx.rec[i].task);
		KUNIT_EXPECT_FALSE(test, pp->srx.rec[i].preemptible);
		KUNIT_EXPECT_EQ(test, pp->srx.rec[i].len, 24U);
		KUNIT_EXPECT_EQ(test, pp->srx.rec[i].flags, 0U);
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data, 24, i));
	}
	/* Every delivery is accounted to exactly one batch. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, pp->srx.batch_total, 20U);
	KUNIT_EXPECT_GE(test, pp->srx.batches, 1U);
	KUNIT_EXPECT_EQ(test, pp->srx.batch_softirq, pp->srx.batches);
	KUNIT_EXPECT_EQ(test, pp->srx.batch_task, 0U);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->sch, &pp->sch->in.stats.received),
			20ULL);
	KUNIT_EXPECT_EQ(test, pp->sch->in.outstanding, 0U);
	KUNIT_EXPECT_EQ(test, pp->sch->in.nr_free, pp->sch->in.nr_objs);
}

static void kmcl_incoming_passive_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	unsigned int i;

	kmcl_it_no_dpc_cap(test, pp->sch);
	VmbChannelSetIncomingProcessingAtPassive(pp->p->server->ch, TRUE);
	pp->srx.mode = KMCL_PT_HOLD;
	kmcl_it_send(test, pp, d, 0, 5, 16);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 5));
	for (i = 0; i < 5; i++) {
		KUNIT_EXPECT_TRUE(test, pp->srx.rec[i].task);
		KUNIT_EXPECT_FALSE(test, pp->srx.rec[i].softirq);
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data, 16, i));
	}
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_batches(&pp->srx, 5));
	KUNIT_EXPECT_EQ(test, pp->srx.batch_softirq, 0U);
	KUNIT_EXPECT_EQ(test, pp->srx.batch_task, pp->srx.batches);
	/* Packets delivered in process context may be completed after a sleep. */
	for (i = 0; i < 5; i++) {
		usleep_range(500, 1000);
		kmcl_pt_complete(&pp->srx, i, NULL, 0);
	}
	KUNIT_EXPECT_EQ(test, pp->sch->in.outstanding, 0U);

	/* And back to the softirq reader. */
	VmbChannelSetIncomingProcessingAtPassive(pp->p->server->ch, FALSE);
	pp->srx.mode = KMCL_PT_COMPLETE;
	kmcl_pt_settle(test, pp->sch);	/* no process-context run left */
	kmcl_it_send(test, pp, d, 5, 1, 16);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 6));
	KUNIT_EXPECT_TRUE(test, pp->srx.rec[5].softirq);
}

static void kmcl_incoming_dpc_budget_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	unsigned int i, task = 0;

	/* Out of range: ignored. */
	VmbChannelSetAllowableDpcCpuUsage(pp->p->server->ch, 0);
	VmbChannelSetAllowableDpcCpuUsage(pp->p->server->ch, 101);
	KUNIT_EXPECT_EQ(test, READ_ONCE(pp->sch->cfg.dpc_cpu_percent), 100);

	/*
	 * 1% of the 2 ms window is 20 us; each packet takes 200 us. Ten
	 * packets wait in the ring while the server is paused; once started,
	 * the softirq batch hands the rest over to the workqueue after the
	 * first one.
	 */
	VmbChannelSetAllowableDpcCpuUsage(pp->p->server->ch, 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(pp->sch->cfg.dpc_cpu_percent), 1);
	pp->srx.mode = KMCL_PT_SLOW;
	/* Objects for all ten: no run is spent waiting for the pool to grow. */
	KUNIT_ASSERT_EQ(test, kmcl_in_reserve(pp->sch, 10), 0);
	VmbChannelPause(pp->p->server->ch);
	kmcl_it_send(test, pp, d, 0, 10, 16);
	kmcl_pt_settle(test, pp->sch);
	/*
	 * The paused runs the sends kicked spent the window they ran in:
	 * more than a window later, Start's run has a budget of its own.
	 */
	msleep(20);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 0U);
	VmbChannelStart(pp->p->server->ch);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 10));
	for (i = 0; i < 10; i++) {
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data, 16, i));
		task += pp->srx.rec[i].task;
	}
	KUNIT_EXPECT_TRUE(test, pp->srx.rec[0].softirq);
	KUNIT_EXPECT_GE(test, task, 1U);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_batches(&pp->srx, 10));
	KUNIT_EXPECT_GE(test, pp->srx.batch_task, 1U);
}

static u32 kmcl_it_pool(struct kmcl_channel *ch, u32 *nr_free)
{
	u32 n;

	spin_lock_bh(&ch->in.lock);
	n = ch->in.nr_objs;
	*nr_free = ch->in.nr_free;
	spin_unlock_bh(&ch->in.lock);
	return n;
}

static void kmcl_it_fail_grows(struct kmcl_channel *ch, u32 n)
{
	spin_lock_bh(&ch->in.lock);
	ch->in.fail_grows = n;
	spin_unlock_bh(&ch->in.lock);
}

/*
 * The incoming pool starts empty and grows when the reader needs an
 * object. While a growth cannot allocate, the packets wait in the ring
 * and the growth is retried; once memory is back they all arrive, in
 * order. A steady flow reuses the objects it has (no more growth), and
 * held packets grow the pool to MaximumPacketCount, never past it: the
 * packet after that waits for a completion.
 */
static void kmcl_incoming_grow_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .server_packet_count = 8 };
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	struct kmcl_channel *sch = pp->sch;
	const u64 *failed = &sch->in.stats.grow_failed;
	const u64 *blocked = &sch->in.stats.pool_blocked;
	struct kmcl_stats st = {};
	u32 nr_free, objs, i;
	u64 grows;

	KUNIT_EXPECT_EQ(test, sch->in.max_objs, 8U);
	KUNIT_EXPECT_EQ(test, kmcl_it_pool(sch, &nr_free), 0U);
	KUNIT_EXPECT_NULL(test, READ_ONCE(sch->in.scratch));

	/* No memory: nothing delivered, nothing lost, retried. */
	kmcl_it_fail_grows(sch, U32_MAX);
	kmcl_it_send(test, pp, d, 0, 3, 16);
	KUNIT_ASSERT_TRUE(test, KMCL_TEST_WAIT_UNTIL(kmcl_test_in_stat(sch, failed) >= 2));
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.received), 0ULL);
	KUNIT_EXPECT_EQ(test, kmcl_it_pool(sch, &nr_free), 0U);
	KUNIT_EXPECT_GE(test, kmcl_test_in_stat(sch, &sch->in.stats.grow_waits), 1ULL);

	/* Memory again: the three arrive, in order. */
	kmcl_it_fail_grows(sch, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 3));
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data, 16, i));
	objs = kmcl_it_pool(sch, &nr_free);
	KUNIT_EXPECT_GE(test, objs, 1U);
	KUNIT_EXPECT_LE(test, objs, 8U);
	KUNIT_EXPECT_NOT_NULL(test, READ_ONCE(sch->in.scratch));

	/* A steady flow: the same objects over and over. */
	grows = kmcl_test_in_stat(sch, &sch->in.stats.grows);
	for (i = 3; i < 43; i++) {
		kmcl_it_send(test, pp, d, i, 1, 16);
		KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, i + 1));
	}
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.grows), grows);
	KUNIT_EXPECT_EQ(test, kmcl_it_pool(sch, &nr_free), objs);

	/* Held packets: up to the limit, then the next one waits. */
	pp->srx.mode = KMCL_PT_HOLD;
	kmcl_it_send(test, pp, d, 43, 8, 16);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 51));
	KUNIT_EXPECT_EQ(test, kmcl_it_pool(sch, &nr_free), 8U);
	KUNIT_EXPECT_EQ(test, nr_free, 0U);
	kmcl_it_send(test, pp, d, 51, 1, 16);
	KUNIT_EXPECT_TRUE(test, KMCL_TEST_WAIT_UNTIL(kmcl_test_in_stat(sch, blocked) >= 1));
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 51U);
	KUNIT_EXPECT_EQ(test, kmcl_it_pool(sch, &nr_free), 8U);
	kmcl_pt_complete(&pp->srx, 43, NULL, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 52));
	for (i = 43; i < 52; i++)
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data, 16, i));
	for (i = 44; i < 52; i++)
		kmcl_pt_complete(&pp->srx, i, NULL, 0);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.rejected), 0ULL);

	/* What debugfs "counters" shows of it. */
	kmcl_packet_stats(sch, &st);
	KUNIT_EXPECT_EQ(test, st.in_objs, 8U);
	KUNIT_EXPECT_EQ(test, st.in_max, 8U);
	KUNIT_EXPECT_EQ(test, st.in_grows, kmcl_test_in_stat(sch, &sch->in.stats.grows));
	KUNIT_EXPECT_GE(test, st.in_grows, 2ULL);
	KUNIT_EXPECT_GE(test, st.in_grow_failed, 2ULL);
	KUNIT_EXPECT_GE(test, st.in_pool_blocked, 1ULL);
}

static VOID kmcl_it_sleepy_process(VMBCHANNEL ch, PVOID ctx,
				   VMBPACKETCOMPLETION pc, PVOID buf,
				   UINT32 len, UINT32 flags)
{
	int *slept = ctx;

	/* Sleeping here is only legal in process context (might_sleep()). */
	usleep_range(1000, 2000);
	(*slept)++;
	VmbChannelPacketComplete(pc, NULL, 0);
}

static void kmcl_incoming_passive_sleep_test(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_new(test);
	struct kmcl_pt_done *d = kmcl_it_done(test);
	int *slept = kunit_kzalloc(test, sizeof(*slept), GFP_KERNEL);
	NTSTATUS st;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, slept);
	st = VmbChannelInitSetProcessPacketCallbacksEx(p->server->ch, slept,
						       kmcl_it_sleepy_process,
						       NULL);
	KUNIT_ASSERT_EQ(test, st, STATUS_SUCCESS);
	/* Set before Enable: every packet arrives in process context. */
	VmbChannelSetIncomingProcessingAtPassive(p->server->ch, TRUE);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(p->server->ch), STATUS_SUCCESS);
	VmbChannelStart(p->server->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(p->client->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(p->client, KMCL_TEST_POST_STARTED, 1));
	for (i = 0; i < 3; i++)
		kmcl_pt_send(test, p->client->ch, d, i, 8,
			     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 3));
	KUNIT_EXPECT_EQ(test, *slept, 3);
}

static void kmcl_incoming_quota_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	struct kmcl_channel *sch = pp->sch;
	const u64 *blocked = &sch->in.stats.quota_blocked;
	unsigned int i;

	pp->srx.mode = KMCL_PT_HOLD;
	VmbChannelSetTransactionQuota(pp->p->server->ch, 2);
	VmbChannelSetTransactionQuota(pp->p->server->ch, 0);	/* ignored */
	KUNIT_EXPECT_EQ(test, sch->in.quota, 2U);

	kmcl_it_send(test, pp, d, 0, 5, 32);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 2));
	/* The reader counts its stop after the second delivery: wait for it. */
	KUNIT_EXPECT_TRUE(test,
			  KMCL_TEST_WAIT_UNTIL(kmcl_test_in_stat(sch, blocked)));
	msleep(100);
	/* Exactly two delivered; the other three wait in the ring. */
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 2U);
	KUNIT_EXPECT_GE(test, kmcl_test_in_stat(sch, blocked), 1ULL);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 5U);	/* all in the ring */

	/* Raising the quota does not restart the queue by itself. */
	VmbChannelSetTransactionQuota(pp->p->server->ch, 3);
	msleep(100);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 2U);

	/* A completion does: up to the new quota (1 outstanding + 2). */
	kmcl_pt_complete(&pp->srx, 0, NULL, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 4));
	msleep(100);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 4U);
	KUNIT_EXPECT_EQ(test, sch->in.outstanding, 3U);

	/* Lowering it below the outstanding count holds the next one back. */
	VmbChannelSetTransactionQuota(pp->p->server->ch, 1);
	kmcl_pt_complete(&pp->srx, 1, NULL, 0);
	msleep(100);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 4U);
	kmcl_pt_complete(&pp->srx, 2, NULL, 0);
	kmcl_pt_complete(&pp->srx, 3, NULL, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 5));
	kmcl_pt_complete(&pp->srx, 4, NULL, 0);

	/* None lost, order kept. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 5U);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data, 32, i));
	KUNIT_EXPECT_EQ(test, sch->in.outstanding, 0U);
}

static bool kmcl_it_one_outstanding(void *ch)
{
	return READ_ONCE(((struct kmcl_channel *)ch)->in.outstanding) == 1;
}

/*
 * A packet completed by another thread while its ProcessPacket call still
 * runs leaves the quota as if it had been completed after the call: the
 * next packet comes, and is counted once its own call returns.
 */
static void kmcl_incoming_complete_during_callback_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	struct kmcl_channel *sch = pp->sch;
	DECLARE_COMPLETION_ONSTACK(release);

	/* Process context: the first call can wait for the test. */
	VmbChannelSetIncomingProcessingAtPassive(pp->p->server->ch, TRUE);
	VmbChannelSetTransactionQuota(pp->p->server->ch, 1);
	pp->srx.release = &release;
	pp->srx.mode = KMCL_PT_HOLD_WAIT;
	kmcl_it_send(test, pp, d, 0, 2, 16);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));

	/* Its call is still running: complete it from here. */
	kmcl_pt_complete(&pp->srx, 0, NULL, 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sch->in.outstanding), 0U);
	pp->srx.mode = KMCL_PT_HOLD;
	complete(&release);

	/* The quota of 1 is free again: the second packet is delivered. */
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 2));
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[1].data, 16, 1));
	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(kmcl_it_one_outstanding, sch,
						  KMCL_PT_WAIT_MS));
	kmcl_pt_complete(&pp->srx, 1, NULL, 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sch->in.outstanding), 0U);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 2));
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.received),
			2ULL);
}

/*
 * Two completions of one packet, one from inside its ProcessPacket call
 * and one from another thread, in either order: the first wins, the
 * second is refused and counted, and the sender gets one completion,
 * the winner's.
 */
static void kmcl_incoming_complete_twice_test(struct kunit *test)
{
	const u32 wait = VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	struct kmcl_channel *sch = pp->sch;
	const u64 *misuse = &sch->in.stats.misuse;
	DECLARE_COMPLETION_ONSTACK(release);
	VMBPACKETCOMPLETION pc;

	/* Process context: the call can wait for the test. */
	VmbChannelSetIncomingProcessingAtPassive(pp->p->server->ch, TRUE);
	memcpy(pp->srx.comp, "call", 4);
	pp->srx.comp_len = 4;
	pp->srx.release = &release;
	pp->srx.mode = KMCL_PT_WAIT_COMPLETE;
	kmcl_pt_send(test, pp->p->client->ch, d, 0, 16, wait);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));

	/* The other thread first; the call's own completion comes too late. */
	pc = kmcl_pt_rx_pc(&pp->srx, 0);
	VmbChannelPacketComplete(pc, "test", 4);
	complete(&release);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	kmcl_pt_settle(test, sch);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, misuse), 1ULL);
	KUNIT_EXPECT_EQ(test, memcmp(d->rec[0].data, "test", 4), 0);

	/* The call first (the reader takes the object back); then the test. */
	pp->srx.mode = KMCL_PT_COMPLETE;
	kmcl_pt_send(test, pp->p->client->ch, d, 1, 16, wait);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 2));
	kmcl_pt_settle(test, sch);
	pc = kmcl_pt_rx_pc(&pp->srx, 1);
	VmbChannelPacketComplete(pc, "test", 4);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, misuse), 2ULL);
	KUNIT_EXPECT_EQ(test, memcmp(d->rec[1].data, "call", 4), 0);

	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 2U);
	KUNIT_EXPECT_EQ(test, atomic64_read(&sch->in.stats.completed), 2LL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.recycled),
			1ULL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sch->in.outstanding), 0U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sch->in.nr_free), READ_ONCE(sch->in.nr_objs));
}

static bool kmcl_it_held(void *pc)
{
	return READ_ONCE(((struct kmcl_in_packet *)pc)->state) == KMCL_IN_HELD;
}

/*
 * DeferToPassive from another thread while the packet's ProcessPacket
 * call still runs is a call from outside ProcessPacket like any other:
 * refused, and the packet, held when the call returns, is not delivered
 * a second time.
 */
static void kmcl_incoming_defer_during_callback_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	struct kmcl_channel *sch = pp->sch;
	DECLARE_COMPLETION_ONSTACK(release);
	void *pc;

	/* Process context: the call can wait for the test. */
	VmbChannelSetIncomingProcessingAtPassive(pp->p->server->ch, TRUE);
	pp->srx.release = &release;
	pp->srx.mode = KMCL_PT_HOLD_WAIT;
	kmcl_it_send(test, pp, d, 0, 1, 16);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	pc = pp->srx.rec[0].pc;

	/* Its call is still running: ask for a deferral from here. */
	VmbChannelPacketDeferToPassive(pc);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.misuse),
			1ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.deferred),
			0ULL);
	pp->srx.mode = KMCL_PT_HOLD;
	complete(&release);

	/* A deferral would have delivered it again before it is held. */
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_true(kmcl_it_held, pc,
						  KMCL_PT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 1U);
	kmcl_pt_complete(&pp->srx, 0, NULL, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, READ_ONCE(sch->in.outstanding), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 1U);
}

/*
 * A deferred packet counts against the quota until it is completed, and
 * one completed inside the call that delivers it again frees its place:
 * with a quota of 1 each packet waits for the one before it, and all
 * of them get through, in order, once each at passive.
 */
static void kmcl_incoming_defer_quota_test(struct kunit *test)
{
	const u32 wait = VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	struct kmcl_channel *sch = pp->sch;
	struct kmcl_pt_rec *r = pp->srx.rec;
	unsigned int i, n, softirq = 0, task = 0;
	u8 last = 0;

	pp->srx.mode = KMCL_PT_DEFER_COMPLETE;
	VmbChannelSetTransactionQuota(pp->p->server->ch, 1);
	for (i = 0; i < 4; i++)
		kmcl_pt_send(test, pp->p->client->ch, d, i, 16, wait);
	/* Each completion is sent from inside the packet's second call. */
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 4));
	kmcl_pt_settle(test, sch);

	n = kmcl_pt_rx_count(&pp->srx);
	for (i = 0; i < n; i++) {
		u8 seed = r[i].data[0] / 31;

		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(r[i].data, 16, seed));
		/* Nothing overtakes a packet before its completion. */
		KUNIT_EXPECT_TRUE(test, seed == last || (seed == last + 1 &&
							 r[i - 1].task));
		softirq += r[i].softirq;
		task += r[i].task;
		last = seed;
	}
	KUNIT_EXPECT_EQ(test, last, 3);
	KUNIT_EXPECT_EQ(test, task, 4U);
	KUNIT_EXPECT_EQ(test, n, 4U + softirq);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.deferred),
			(u64)softirq);
	KUNIT_EXPECT_EQ(test, atomic64_read(&sch->in.stats.completed),
			4LL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.received),
			4ULL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sch->in.outstanding), 0U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sch->in.nr_free), READ_ONCE(sch->in.nr_objs));
}

/* Deliveries so far in process context (the deferred ones' second). */
static unsigned int kmcl_it_held_in_task(struct kmcl_pt_rx *rx)
{
	unsigned int i, n = kmcl_pt_rx_count(rx), held = 0;

	for (i = 0; i < n; i++)
		held += rx->rec[i].task;
	return held;
}

static void kmcl_incoming_defer_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	struct kmcl_pt_rec *r = pp->srx.rec;
	unsigned int i, n, last_seed = 0;
	bool seen[3] = {};

	pp->srx.mode = KMCL_PT_DEFER;
	kmcl_it_send(test, pp, d, 0, 3, 16);
	/* The first delivery is in softirq context and defers. */
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 2));
	KUNIT_EXPECT_TRUE(test, r[0].softirq);
	KUNIT_EXPECT_TRUE(test, r[1].task);
	KUNIT_EXPECT_TRUE(test, r[1].pc == r[0].pc);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(r[1].data, 16, 0));

	/*
	 * Every packet ends up held in process context exactly once, and no
	 * packet is delivered before the one in front of it was redelivered.
	 */
	KUNIT_EXPECT_TRUE(test,
			  KMCL_TEST_WAIT_UNTIL(kmcl_it_held_in_task(&pp->srx) >= 3));
	n = kmcl_pt_rx_count(&pp->srx);
	KUNIT_ASSERT_EQ(test, kmcl_it_held_in_task(&pp->srx), 3U);
	for (i = 0; i < n; i++) {
		u8 seed = r[i].data[0] == (u8)(0 * 31 + 1) ? 0 :
			  r[i].data[0] == (u8)(1 * 31 + 1) ? 1 : 2;

		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(r[i].data, 16, seed));
		KUNIT_EXPECT_GE(test, seed, last_seed);
		if (seed > last_seed)
			KUNIT_EXPECT_TRUE(test, seen[last_seed]);
		if (r[i].task) {
			KUNIT_EXPECT_FALSE(test, seen[seed]);
			seen[seed] = true;
		}
		last_seed = seed;
	}
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->sch, &pp->sch->in.stats.received),
			3ULL);
	KUNIT_EXPECT_EQ(test, pp->sch->in.outstanding, 3U);

	/* Deferring outside ProcessPacket is refused; the packet still works. */
	for (i = 0; i < n; i++) {
		if (!r[i].task)
			continue;
		VmbChannelPacketDeferToPassive(r[i].pc);
		kmcl_pt_complete(&pp->srx, i, NULL, 0);
	}
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->sch, &pp->sch->in.stats.misuse),
			3ULL);
	KUNIT_EXPECT_EQ(test, pp->sch->in.outstanding, 0U);
	VmbChannelPacketDeferToPassive(NULL);
}

static void kmcl_incoming_complete_misuse_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	VMBPACKETCOMPLETION pc;
	PMDL mdl;

	pp->srx.mode = KMCL_PT_HOLD;
	kmcl_it_send(test, pp, d, 0, 2, 8);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 2));
	pc = kmcl_pt_rx_pc(&pp->srx, 0);
	kmcl_pt_complete(&pp->srx, 0, NULL, 0);
	/* Twice: refused and counted, the pool is not corrupted. */
	VmbChannelPacketComplete(pc, NULL, 0);
	VmbChannelPacketFail(pc);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->sch, &pp->sch->in.stats.misuse),
			2ULL);
	KUNIT_EXPECT_EQ(test, pp->sch->in.outstanding, 1U);
	KUNIT_EXPECT_NULL(test, VmbChannelPacketGetClientContext(pc));
	VmbChannelPacketComplete(NULL, NULL, 0);
	VmbChannelPacketComplete((VMBPACKETCOMPLETION)d, NULL, 0);
	VmbChannelPacketFail(NULL);
	KUNIT_EXPECT_NULL(test, VmbChannelPacketGetClientContext(NULL));
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(NULL, 0, NULL),
			STATUS_INVALID_PARAMETER_1);
	pc = kmcl_pt_rx_pc(&pp->srx, 1);
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(pc, 2, NULL),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(pc, 0, NULL),
			STATUS_INVALID_PARAMETER_3);
	/* An in-band packet has no external data. */
	mdl = (PMDL)d;
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(pc, 0, &mdl),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_NULL(test, mdl);
	kmcl_pt_complete(&pp->srx, 1, NULL, 0);
	KUNIT_EXPECT_EQ(test, pp->sch->in.outstanding, 0U);
	KUNIT_EXPECT_EQ(test, pp->sch->in.nr_free, pp->sch->in.nr_objs);

	/* The channel still delivers. */
	pp->srx.mode = KMCL_PT_COMPLETE;
	kmcl_it_send(test, pp, d, 9, 1, 8);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 3));
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[2].data, 8, 9));
}

/* A failed packet was counted, its object is back, the channel failed. */
static bool kmcl_it_failed_settled(struct kmcl_channel *ch)
{
	bool settled;

	spin_lock_bh(&ch->in.lock);
	settled = ch->in.stats.failed && !ch->in.outstanding &&
		  ch->in.nr_free == ch->in.nr_objs;
	spin_unlock_bh(&ch->in.lock);
	return settled && READ_ONCE(ch->fail_err);
}

static void kmcl_incoming_fail_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);

	pp->srx.mode = KMCL_PT_FAIL;
	kmcl_it_send(test, pp, d, 0, 3, 8);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	/* The recorder fails the packet after it recorded it: wait for that. */
	KUNIT_EXPECT_TRUE(test, KMCL_TEST_WAIT_UNTIL(kmcl_it_failed_settled(pp->sch)));
	msleep(100);
	/* The queue stopped at the failed packet. */
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 1U);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->sch, &pp->sch->in.stats.failed),
			1ULL);
	KUNIT_EXPECT_NE(test, READ_ONCE(pp->sch->fail_err), 0);
	KUNIT_EXPECT_EQ(test, pp->sch->in.outstanding, 0U);
	KUNIT_EXPECT_EQ(test, pp->sch->in.nr_free, pp->sch->in.nr_objs);
	/* Nothing of the peer's was lost: all three left the client. */
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 3U);
}

static void kmcl_incoming_client_context_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .ctx_size = 24, .server_packet_count = 2 };
	struct kmcl_pt_cfg nocfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	struct kmcl_pt_pair *pp0;
	unsigned int i;

	/* Eight packets through two objects: each context reused and rezeroed. */
	kmcl_it_send(test, pp, d, 0, 8, 8);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 8));
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_NOT_NULL(test, pp->srx.rec[i].ctx);
		KUNIT_EXPECT_TRUE(test, pp->srx.rec[i].ctx_zero);
	}
	KUNIT_EXPECT_TRUE(test, pp->srx.rec[0].ctx == pp->srx.rec[1].ctx ||
			  pp->srx.rec[0].ctx == pp->srx.rec[2].ctx);

	pp0 = kmcl_it_pair(test, &nocfg);
	kmcl_it_send(test, pp0, d, 0, 1, 8);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp0->srx, 1));
	KUNIT_EXPECT_NULL(test, pp0->srx.rec[0].ctx);
}

struct kmcl_it_pause {
	struct work_struct work;
	VMBCHANNEL ch;
	bool done;
};

static void kmcl_it_pause_fn(struct work_struct *work)
{
	struct kmcl_it_pause *p = container_of(work, struct kmcl_it_pause, work);

	VmbChannelPause(p->ch);
	/* "done" is read by the test without a lock. */
	smp_store_release(&p->done, true);
}

static bool kmcl_it_pause_done(void *arg)
{
	struct kmcl_it_pause *p = arg;

	/* Pairs with kmcl_it_pause_fn(). */
	return smp_load_acquire(&p->done);
}

static void kmcl_incoming_pause_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	struct kmcl_it_pause *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	pp->srx.mode = KMCL_PT_HOLD;
	kmcl_it_send(test, pp, d, 0, 2, 8);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 2));

	INIT_WORK(&p->work, kmcl_it_pause_fn);
	p->ch = pp->p->server->ch;
	kmcl_pt_track_work(test, pp, &p->work);
	queue_work(system_unbound_wq, &p->work);
	/* Suspend runs, then Pause waits for the two outstanding packets. */
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(pp->p->server, KMCL_TEST_SUSPEND, 1));
	msleep(200);
	KUNIT_EXPECT_FALSE(test, kmcl_it_pause_done(p));

	/* Packets sent while paused are not delivered. */
	kmcl_it_send(test, pp, d, 2, 1, 8);
	kmcl_pt_complete(&pp->srx, 0, NULL, 0);
	msleep(50);
	KUNIT_EXPECT_FALSE(test, kmcl_it_pause_done(p));
	kmcl_pt_complete(&pp->srx, 1, NULL, 0);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(kmcl_it_pause_done, p,
						  KMCL_PT_WAIT_MS));
	flush_work(&p->work);
	msleep(50);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 2U);

	/* Start again: the packet that waited in the ring arrives. */
	pp->srx.mode = KMCL_PT_COMPLETE;
	VmbChannelStart(pp->p->server->ch);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 3));
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[2].data, 8, 2));
}

/*
 * A packet completed inside its own ProcessPacket call, its completion
 * written, goes back to the pool through the reader (counted as
 * recycled), in softirq and in process context. One completed later by
 * another thread goes back as before. Either way each completion arrives
 * once, with its payload, and the pool is whole again.
 */
static void kmcl_incoming_recycle_test(struct kunit *test)
{
	const u32 wait = VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	struct kmcl_channel *sch = pp->sch;
	unsigned int i;

	kmcl_it_no_dpc_cap(test, sch);
	memcpy(pp->srx.comp, "done", 4);
	pp->srx.comp_len = 4;
	for (i = 0; i < 4; i++)
		kmcl_pt_send(test, pp->p->client->ch, d, i, 16, wait);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 4));
	/* The completion may arrive before the server's callback returns. */
	kmcl_pt_settle(test, sch);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.recycled), 4ULL);

	VmbChannelSetIncomingProcessingAtPassive(pp->p->server->ch, TRUE);
	for (i = 4; i < 6; i++)
		kmcl_pt_send(test, pp->p->client->ch, d, i, 16, wait);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 6));
	kmcl_pt_settle(test, sch);
	KUNIT_EXPECT_TRUE(test, pp->srx.rec[5].task);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.recycled), 6ULL);

	/* Held, then completed by this thread, which is not the reader. */
	pp->srx.mode = KMCL_PT_HOLD;
	for (i = 6; i < 9; i++)
		kmcl_pt_send(test, pp->p->client->ch, d, i, 16, wait);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 9));
	for (i = 6; i < 9; i++)
		kmcl_pt_complete(&pp->srx, i, "done", 4);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 9));
	kmcl_pt_settle(test, sch);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.recycled), 6ULL);

	for (i = 0; i < 9; i++) {
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data, 16, i));
		KUNIT_EXPECT_EQ(test, d->rec[i].status, STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, memcmp(d->rec[i].data, "done", 4), 0);
	}
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 9U);
	KUNIT_EXPECT_EQ(test, atomic64_read(&sch->in.stats.completed), 9LL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sch->in.outstanding), 0U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sch->in.nr_free), READ_ONCE(sch->in.nr_objs));
}

static void kmcl_incoming_completion_queued_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .max_packet_size = 1024, .ring_pages = 2 };
	struct kmcl_pt_done *sd = kmcl_it_done(test);
	struct kmcl_pt_done *cd = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	unsigned int i;

	/*
	 * The client holds one packet and has a quota of one, so the server's
	 * data fills the ring towards the client and the rest queues.
	 */
	pp->crx.mode = KMCL_PT_HOLD;
	VmbChannelSetTransactionQuota(pp->p->client->ch, 1);
	for (i = 0; i < 6; i++)
		kmcl_pt_send(test, pp->p->server->ch, sd, i, 1024, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->crx, 1));

	/* The server completes a client request: the completion must queue. */
	memcpy(pp->srx.comp, "queued-completion", 17);
	pp->srx.comp_len = 17;
	kmcl_pt_send(test, pp->p->client->ch, cd, 42, 8,
		     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	msleep(50);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(cd), 0U);
	KUNIT_EXPECT_EQ(test, pp->sch->out.stats.completions_sent, 0ULL);

	/* The client drains: data first, then the completion, nothing lost. */
	pp->crx.mode = KMCL_PT_COMPLETE;
	kmcl_pt_complete(&pp->crx, 0, NULL, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->crx, 6));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(cd, 1));
	KUNIT_EXPECT_EQ(test, cd->rec[0].status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, cd->rec[0].len, 24U);
	KUNIT_EXPECT_EQ(test, memcmp(cd->rec[0].data, "queued-completion", 17), 0);
	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->crx.rec[i].data,
						      KMCL_PT_DATA, i));
	KUNIT_EXPECT_EQ(test, pp->sch->out.stats.completions_sent, 1ULL);
	KUNIT_EXPECT_EQ(test, pp->sch->out.stats.completions_dropped, 0ULL);
	KUNIT_EXPECT_EQ(test, pp->sch->in.nr_free, pp->sch->in.nr_objs);
}

/* --- hostile packets ------------------------------------------------------ */

enum kmcl_it_evil {
	KMCL_EVIL_LEN8_OVERRUN,
	KMCL_EVIL_LEN8_SMALL,
	KMCL_EVIL_OFFSET8_SMALL,
	KMCL_EVIL_OFFSET8_BEYOND,
	KMCL_EVIL_OVERSIZE,
	KMCL_EVIL_TYPE,
	KMCL_EVIL_COMP_FORGED,
	KMCL_EVIL_COMP_ZERO,
	KMCL_EVIL_COMP_STALE,
	KMCL_EVIL_COMP_DUPLICATE,
};

struct kmcl_it_evil_case {
	enum kmcl_it_evil kind;
	const char *name;
};

static const struct kmcl_it_evil_case kmcl_it_evil_cases[] = {
	{ KMCL_EVIL_LEN8_OVERRUN, "len8 beyond the bytes written" },
	{ KMCL_EVIL_LEN8_SMALL, "len8 smaller than a descriptor" },
	{ KMCL_EVIL_OFFSET8_SMALL, "offset8 inside the descriptor" },
	{ KMCL_EVIL_OFFSET8_BEYOND, "offset8 beyond len8" },
	{ KMCL_EVIL_OVERSIZE, "longer than the maximum packet size" },
	{ KMCL_EVIL_TYPE, "unknown type" },
	{ KMCL_EVIL_COMP_FORGED, "completion with a forged id" },
	{ KMCL_EVIL_COMP_ZERO, "completion with id 0" },
	{ KMCL_EVIL_COMP_STALE, "completion with a stale generation" },
	{ KMCL_EVIL_COMP_DUPLICATE, "duplicate completion" },
};

static void kmcl_it_evil_desc(const struct kmcl_it_evil_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kmcl_it_evil, kmcl_it_evil_cases, kmcl_it_evil_desc);

static void kmcl_incoming_hostile_test(struct kunit *test)
{
	const struct kmcl_it_evil_case *c = test->param_value;
	struct kmcl_pt_cfg cfg = { .max_packet_size = 512 };
	struct kmcl_pt_done *d = kmcl_it_done(test);
	struct kmcl_pt_pair *pp = kmcl_it_pair(test, &cfg);
	struct kmcl_channel *cch = pp->cch;
	struct kmcl_vmpacket_desc *desc;
	struct kmcl_in_packet *ip;
	u32 len = 32, held = 0;
	u64 txid = 0;
	u8 *pkt;

	pkt = kunit_kzalloc(test, 2048, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	desc = (struct kmcl_vmpacket_desc *)pkt;
	desc->type = KMCL_PKT_DATA_INBAND;
	desc->offset8 = 2;
	desc->len8 = len / 8;

	/* Completion cases need a real transaction of the client's first. */
	if (c->kind == KMCL_EVIL_COMP_STALE || c->kind == KMCL_EVIL_COMP_DUPLICATE) {
		pp->srx.mode = c->kind == KMCL_EVIL_COMP_STALE ? KMCL_PT_HOLD :
								  KMCL_PT_COMPLETE;
		kmcl_pt_send(test, pp->p->client->ch, d, 1, 8,
			     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
		KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
		ip = (struct kmcl_in_packet *)kmcl_pt_rx_pc(&pp->srx, 0);
		txid = ip->txid;
		if (c->kind == KMCL_EVIL_COMP_DUPLICATE) {
			KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
		} else {
			held = 1;
			txid ^= 1ULL << 33;	/* same slot, other generation */
		}
	}

	switch (c->kind) {
	case KMCL_EVIL_LEN8_OVERRUN:
		desc->len8 = 200;	/* only 32 bytes follow */
		break;
	case KMCL_EVIL_LEN8_SMALL:
		desc->len8 = 1;
		desc->offset8 = 1;
		break;
	case KMCL_EVIL_OFFSET8_SMALL:
		desc->offset8 = 1;
		break;
	case KMCL_EVIL_OFFSET8_BEYOND:
		desc->offset8 = desc->len8 + 1;
		break;
	case KMCL_EVIL_OVERSIZE:
		len = 16 + 1024;	/* 1024 > max_packet_size 512 */
		desc->len8 = len / 8;
		break;
	case KMCL_EVIL_TYPE:
		desc->type = 0x77;
		break;
	case KMCL_EVIL_COMP_FORGED:
		desc->type = KMCL_PKT_COMP;
		desc->trans_id = 0xdead00000000ULL | 0xfffe;
		break;
	case KMCL_EVIL_COMP_ZERO:
		desc->type = KMCL_PKT_COMP;
		desc->trans_id = 0;
		break;
	case KMCL_EVIL_COMP_STALE:
	case KMCL_EVIL_COMP_DUPLICATE:
		desc->type = KMCL_PKT_COMP;
		desc->trans_id = txid;
		break;
	}
	kmcl_pt_inject(test, pp->sch, cch, pkt, len);
	/* The client's reader may be running on the other CPU: wait for it. */
	KUNIT_EXPECT_TRUE(test, KMCL_TEST_WAIT_UNTIL(READ_ONCE(cch->fail_err)));

	/* Rejected and counted, the queue stopped, the channel marked failed. */
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(cch, &cch->in.stats.rejected), 1ULL);
	KUNIT_EXPECT_NE(test, READ_ONCE(cch->fail_err), 0);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->crx), 0U);
	switch (c->kind) {
	case KMCL_EVIL_OVERSIZE:
		KUNIT_EXPECT_EQ(test, cch->in.stats.rejected_oversize, 1ULL);
		break;
	case KMCL_EVIL_TYPE:
		KUNIT_EXPECT_EQ(test, cch->in.stats.rejected_type, 1ULL);
		break;
	case KMCL_EVIL_COMP_FORGED:
	case KMCL_EVIL_COMP_ZERO:
		KUNIT_EXPECT_EQ(test, cch->in.stats.rejected_bad_id, 1ULL);
		KUNIT_EXPECT_EQ(test, cch->out.stats.comp_bad_id, 1ULL);
		break;
	case KMCL_EVIL_COMP_STALE:
	case KMCL_EVIL_COMP_DUPLICATE:
		KUNIT_EXPECT_EQ(test, cch->in.stats.rejected_bad_id, 1ULL);
		KUNIT_EXPECT_EQ(test, cch->out.stats.comp_stale_id, 1ULL);
		break;
	default:
		KUNIT_EXPECT_EQ(test, cch->in.stats.rejected_malformed, 1ULL);
		break;
	}
	/* A stale id completes nothing: the real transaction still waits. */
	if (c->kind == KMCL_EVIL_COMP_STALE)
		KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);

	/* A valid packet after it is not delivered: the queue is stopped. */
	kmcl_pt_send(test, pp->p->server->ch, d, 5, 8, 0);
	msleep(50);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->crx), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(cch, &cch->in.stats.rejected), 1ULL);
	if (held)
		kmcl_pt_complete(&pp->srx, 0, NULL, 0);
}

static struct kunit_case kmcl_incoming_cases[] = {
	KUNIT_CASE(kmcl_incoming_dispatch_test),
	KUNIT_CASE(kmcl_incoming_passive_test),
	KUNIT_CASE(kmcl_incoming_passive_sleep_test),
	KUNIT_CASE(kmcl_incoming_recycle_test),
	KUNIT_CASE(kmcl_incoming_dpc_budget_test),
	KUNIT_CASE(kmcl_incoming_grow_test),
	KUNIT_CASE(kmcl_incoming_quota_test),
	KUNIT_CASE(kmcl_incoming_complete_during_callback_test),
	KUNIT_CASE(kmcl_incoming_complete_twice_test),
	KUNIT_CASE(kmcl_incoming_defer_test),
	KUNIT_CASE(kmcl_incoming_defer_quota_test),
	KUNIT_CASE(kmcl_incoming_complete_misuse_test),
	KUNIT_CASE(kmcl_incoming_defer_during_callback_test),
	KUNIT_CASE(kmcl_incoming_fail_test),
	KUNIT_CASE(kmcl_incoming_client_context_test),
	KUNIT_CASE(kmcl_incoming_pause_test),
	KUNIT_CASE(kmcl_incoming_completion_queued_test),
	KUNIT_CASE_PARAM(kmcl_incoming_hostile_test, kmcl_it_evil_gen_params),
	{}
};

static struct kunit_suite kmcl_incoming_suite = {
	.name = "kmcl_incoming",
	.test_cases = kmcl_incoming_cases,
};

kunit_test_suite(kmcl_incoming_suite);
