// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_affinity: where a channel's incoming work runs
 * (VmbClientChannelInitSetTargetProcessorIndex) and how long its softirq
 * reader may run (VmbChannelSetAllowableDpcCpuUsage), on loopback.
 *
 * The sender is pinned to another CPU than the receiver's target, so the
 * receiver's reader is kicked from the wrong CPU and must move; every
 * ProcessPacket and completion routine records the CPU it ran on. The DPC
 * budget runs on a test clock that only ProcessPacket advances, so which
 * packet hits the cap is exact.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/workqueue.h>

#include "kmcl.h"
#include "packet_kunit.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

#define WAIT_FLAG	VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define AFF_N		16	/* packets each way per CPU */

static struct kmcl_pt_done *aff_done(struct kunit *test)
{
	struct kmcl_pt_done *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	kmcl_pt_done_init(d, true);
	return d;
}

/* A pair whose client is enabled by the test, after @setup(). */
static struct kmcl_pt_pair *aff_pair(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .defer_client = true };
	struct kmcl_pt_pair *pp = kunit_kzalloc(test, sizeof(*pp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pp);
	kmcl_pt_pair_setup(test, pp, &cfg);
	return pp;
}

/* Run the test thread on @cpu only (its kthread ends with the test). */
static void aff_pin(struct kunit *test, int cpu)
{
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	KUNIT_ASSERT_EQ(test, (int)raw_smp_processor_id(), cpu);
}

static void aff_unpin(void)
{
	set_cpus_allowed_ptr(current, cpu_possible_mask);
}

/* Another online CPU than @cpu, or @cpu when there is none. */
static int aff_other_cpu(int cpu)
{
	int o;

	for_each_online_cpu(o)
		if (o != cpu)
			return o;
	return cpu;
}

static u64 aff_frozen_clock(void *ctx)
{
	return 1;
}

static void aff_clear_clock(void *data)
{
	kmcl_in_set_dpc_clock(data, NULL, NULL);
}

/*
 * The DPC budget never runs out (a clock that stands still): a slow
 * emulated CPU must not send packets to process context here.
 */
static void aff_no_dpc_cap(struct kunit *test, struct kmcl_channel *ch)
{
	kmcl_in_set_dpc_clock(ch, aff_frozen_clock, NULL);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, aff_clear_clock,
							ch), 0);
}

/*
 * A client targeted at @cpu: server -> client packets are delivered, and
 * client -> server completions are run, on @cpu only, whichever CPU
 * sends. @passive: process-context delivery.
 */
static void aff_check_cpu(struct kunit *test, int cpu, bool passive)
{
	struct kmcl_pt_pair *pp = aff_pair(test);
	struct kmcl_pt_done *sd = aff_done(test), *cd = aff_done(test);
	unsigned int i;

	KUNIT_ASSERT_EQ(test,
			VmbClientChannelInitSetTargetProcessorIndex(pp->p->client->ch,
								    cpu),
			STATUS_SUCCESS);
	aff_no_dpc_cap(test, pp->cch);
	kmcl_pt_enable_client(test, pp);
	if (passive)
		VmbChannelSetIncomingProcessingAtPassive(pp->p->client->ch, TRUE);

	aff_pin(test, aff_other_cpu(cpu));
	for (i = 0; i < AFF_N; i++) {
		kmcl_pt_send(test, pp->p->server->ch, sd, i, 24, 0);
		kmcl_pt_send(test, pp->p->client->ch, cd, 100 + i, 16, WAIT_FLAG);
	}
	aff_unpin();

	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->crx, AFF_N));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(cd, AFF_N));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, AFF_N));
	for (i = 0; i < AFF_N; i++) {
		KUNIT_EXPECT_EQ_MSG(test, pp->crx.rec[i].cpu, cpu, "packet %u", i);
		KUNIT_EXPECT_EQ(test, pp->crx.rec[i].task, passive);
		KUNIT_EXPECT_EQ(test, pp->crx.rec[i].softirq, !passive);
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->crx.rec[i].data, 24, i));
		KUNIT_EXPECT_EQ_MSG(test, cd->rec[i].cpu, cpu, "completion %u", i);
		KUNIT_EXPECT_EQ(test, cd->rec[i].status, STATUS_SUCCESS);
	}
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->cch, &pp->cch->in.stats.received),
			(u64)AFF_N);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(cd), (unsigned int)AFF_N);
}

/* DISPATCH delivery and completions on each online CPU in turn. */
static void kmcl_affinity_dispatch_test(struct kunit *test)
{
	int cpu;

	for_each_online_cpu(cpu)
		aff_check_cpu(test, cpu, false);
}

/* PASSIVE delivery: the target CPU's worker. */
static void kmcl_affinity_passive_test(struct kunit *test)
{
	int cpu;

	for_each_online_cpu(cpu)
		aff_check_cpu(test, cpu, true);
}

/* Without a target, delivery follows the kick: the sender's CPU. */
static void kmcl_affinity_default_test(struct kunit *test)
{
	struct kmcl_pt_pair *pp = aff_pair(test);
	struct kmcl_pt_done *sd = aff_done(test);
	int cpu = aff_other_cpu(0);
	unsigned int i;

	KUNIT_EXPECT_EQ(test, pp->cch->cfg.target_cpu, -1);
	kmcl_pt_enable_client(test, pp);
	KUNIT_EXPECT_EQ(test, READ_ONCE(pp->cch->in.kick.cpu), -1);
	kmcl_pt_settle(test, pp->cch);
	aff_pin(test, cpu);
	for (i = 0; i < 4; i++)
		kmcl_pt_send(test, pp->p->server->ch, sd, i, 24, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->crx, 4));
	aff_unpin();
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, pp->crx.rec[i].cpu, cpu);
}

static void aff_cpu_up(void *data)
{
	add_cpu((unsigned long)data);
}

/*
 * A target CPU that is offline at Enable is refused with P1 (the setter
 * took it: it may come online first); once online, Enable works. If it
 * goes offline while open, packets still arrive (elsewhere), none lost.
 */
static void kmcl_affinity_offline_test(struct kunit *test)
{
	struct kmcl_pt_pair *pp;
	struct kmcl_pt_done *sd;
	unsigned int cpu, i;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	cpu = cpumask_last(cpu_online_mask);
	pp = aff_pair(test);
	sd = aff_done(test);
	KUNIT_ASSERT_EQ(test,
			VmbClientChannelInitSetTargetProcessorIndex(pp->p->client->ch,
								    cpu),
			STATUS_SUCCESS);
	if (remove_cpu(cpu))
		kunit_skip(test, "CPU %u cannot be taken offline", cpu);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, aff_cpu_up,
							(void *)(unsigned long)cpu),
			0);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(pp->p->client->ch),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(pp->cch->state), KMCL_CH_DISABLED);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(pp->p->client, KMCL_TEST_OPENED), 0);

	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	kmcl_pt_enable_client(test, pp);
	for (i = 0; i < 4; i++)
		kmcl_pt_send(test, pp->p->server->ch, sd, i, 24, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->crx, 4));
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, pp->crx.rec[i].cpu, (int)cpu);

	/* Gone while open: the work runs where it is kicked instead. */
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	for (i = 4; i < 12; i++)
		kmcl_pt_send(test, pp->p->server->ch, sd, i, 24, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->crx, 12));
	for (i = 4; i < 12; i++) {
		KUNIT_EXPECT_NE(test, pp->crx.rec[i].cpu, (int)cpu);
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->crx.rec[i].data, 24, i));
	}
	KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
}

/* The DPC budget's clock: advanced only by softirq ProcessPacket calls. */
struct aff_clock {
	u64 now;
	u64 step;
	unsigned int reads;	/* by the channel's reader only */
};

static u64 aff_clock_read(void *ctx)
{
	struct aff_clock *c = ctx;

	WRITE_ONCE(c->reads, c->reads + 1);
	return READ_ONCE(c->now);
}

static void aff_clock_hook(void *ctx)
{
	struct aff_clock *c = ctx;

	if (in_serving_softirq())
		WRITE_ONCE(c->now, c->now + c->step);
}

/*
 * Set up @pp with its server's DPC budget on a test clock: at @now, and
 * each softirq ProcessPacket call moves it on by @step.
 */
static struct aff_clock *aff_clock_pair(struct kunit *test,
					struct kmcl_pt_pair *pp, u64 now,
					u64 step)
{
	struct kmcl_pt_cfg cfg = {};
	struct aff_clock *clk = kunit_kzalloc(test, sizeof(*clk), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, clk);
	kmcl_pt_pair_setup(test, pp, &cfg);
	clk->now = now;
	clk->step = step;
	kmcl_pt_settle(test, pp->sch);	/* the clock is set while no run is */
	kmcl_in_set_dpc_clock(pp->sch, aff_clock_read, clk);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, aff_clear_clock,
							pp->sch), 0);
	pp->srx.hook = aff_clock_hook;
	pp->srx.hook_ctx = clk;
	return clk;
}

/* Pause the server, queue @n packets from seed @seed, start it. */
static void aff_burst(struct kunit *test, struct kmcl_pt_pair *pp,
		      struct kmcl_pt_done *d, u8 seed, unsigned int n)
{
	unsigned int i, before = kmcl_pt_rx_count(&pp->srx);

	VmbChannelPause(pp->p->server->ch);
	for (i = 0; i < n; i++)
		kmcl_pt_send(test, pp->p->client->ch, d, seed + i, 16, 0);
	kmcl_pt_settle(test, pp->sch);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), before);
	VmbChannelStart(pp->p->server->ch);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, before + n));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_batches(&pp->srx, before + n));
}

/*
 * 50 % of the window, each packet costs 30 %: the softirq run stops
 * after the second packet of a burst, the rest is delivered in process
 * context, in order, and the cap is counted once. A burst in the same
 * window goes straight to process context (the window's cap was counted
 * already); a burst in the next window starts in softirq context again
 * and hits the cap of that window.
 */
static void kmcl_affinity_dpc_cap_test(struct kunit *test)
{
	struct kmcl_pt_pair *pp = kunit_kzalloc(test, sizeof(*pp), GFP_KERNEL);
	struct kmcl_pt_done *d = aff_done(test);
	struct aff_clock *clk;
	u64 *capped;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, pp);
	clk = aff_clock_pair(test, pp, 1000, KMCL_DPC_WINDOW_NS * 3 / 10);
	capped = &pp->sch->in.stats.dpc_capped;
	VmbChannelSetAllowableDpcCpuUsage(pp->p->server->ch, 50);

	aff_burst(test, pp, d, 0, 10);
	for (i = 0; i < 10; i++) {
		KUNIT_EXPECT_EQ_MSG(test, pp->srx.rec[i].softirq, i < 2,
				    "packet %u", i);
		KUNIT_EXPECT_EQ_MSG(test, pp->srx.rec[i].task, i >= 2,
				    "packet %u", i);
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data, 16, i));
	}
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->sch, capped), 1ULL);

	/* Same window, budget spent: no softirq delivery at all. */
	aff_burst(test, pp, d, 10, 2);
	for (i = 10; i < 12; i++) {
		KUNIT_EXPECT_TRUE(test, pp->srx.rec[i].task);
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data, 16, i));
	}
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->sch, capped), 1ULL);

	/* The next window: softirq again, capped after two. */
	WRITE_ONCE(clk->now, clk->now + KMCL_DPC_WINDOW_NS);
	aff_burst(test, pp, d, 12, 3);
	for (i = 12; i < 15; i++) {
		KUNIT_EXPECT_EQ_MSG(test, pp->srx.rec[i].softirq, i < 14,
				    "packet %u", i);
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data, 16, i));
	}
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->sch, capped), 2ULL);

	/* Nothing lost, every packet completed. */
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 15U);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->sch, &pp->sch->in.stats.received),
			15ULL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pp->sch->in.stats.completed),
			15LL);
	KUNIT_EXPECT_EQ(test, pp->srx.batch_total, 15U);
}

/* 100 % (the default): a run shorter than the window is never capped. */
static void kmcl_affinity_dpc_default_test(struct kunit *test)
{
	struct kmcl_pt_pair *pp = kunit_kzalloc(test, sizeof(*pp), GFP_KERNEL);
	struct kmcl_pt_done *d = aff_done(test);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, pp);
	aff_clock_pair(test, pp, 0, KMCL_DPC_WINDOW_NS / 10);

	/* Nine packets: 90 % of the window. */
	aff_burst(test, pp, d, 0, 9);
	for (i = 0; i < 9; i++)
		KUNIT_EXPECT_TRUE(test, pp->srx.rec[i].softirq);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->sch, &pp->sch->in.stats.dpc_capped),
			0ULL);
}

/*
 * 100 %: a short softirq run reads no clock at all (a ping-pong run is one
 * packet long), and a long one is still capped: its clock is first read at
 * its KMCL_DPC_FULL_STRIDE-th packet and then every KMCL_DPC_FULL_STRIDE.
 * Before, every softirq run read the clock when it started.
 */
static void kmcl_affinity_dpc_full_test(struct kunit *test)
{
	const unsigned int stride = KMCL_DPC_FULL_STRIDE, n = 2 * stride + 4;
	struct kmcl_pt_pair *pp = kunit_kzalloc(test, sizeof(*pp), GFP_KERNEL);
	struct kmcl_pt_done *d = aff_done(test);
	struct aff_clock *clk;
	unsigned int i, reads;

	KUNIT_ASSERT_NOT_NULL(test, pp);
	clk = aff_clock_pair(test, pp, 1000, KMCL_DPC_WINDOW_NS / 4);

	aff_burst(test, pp, d, 0, 3);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, pp->srx.rec[i].softirq);
	reads = READ_ONCE(clk->reads);
	KUNIT_EXPECT_EQ(test, reads, 0U);

	/*
	 * A quarter window a packet: the run takes its start at its 8th
	 * packet and, two windows later, stops after its 16th. The last four
	 * come in another run (too short to read the clock) or in process
	 * context, in order; the cap is counted once.
	 */
	aff_burst(test, pp, d, 3, n);
	for (i = 3; i < 3 + n; i++) {
		if (i < 3 + 2 * stride)
			KUNIT_EXPECT_TRUE_MSG(test, pp->srx.rec[i].softirq,
					      "packet %u", i);
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data, 16, i));
	}
	reads = READ_ONCE(clk->reads);
	KUNIT_EXPECT_EQ(test, reads, 2U);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->sch, &pp->sch->in.stats.dpc_capped),
			1ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(pp->sch, &pp->sch->in.stats.received),
			(u64)(3 + n));
}

static struct kunit_case kmcl_affinity_cases[] = {
	KUNIT_CASE(kmcl_affinity_dispatch_test),
	KUNIT_CASE(kmcl_affinity_passive_test),
	KUNIT_CASE(kmcl_affinity_default_test),
	KUNIT_CASE(kmcl_affinity_offline_test),
	KUNIT_CASE(kmcl_affinity_dpc_cap_test),
	KUNIT_CASE(kmcl_affinity_dpc_default_test),
	KUNIT_CASE(kmcl_affinity_dpc_full_test),
	{}
};

static struct kunit_suite kmcl_affinity_suite = {
	.name = "kmcl_affinity",
	.test_cases = kmcl_affinity_cases,
};

kunit_test_suite(kmcl_affinity_suite);
