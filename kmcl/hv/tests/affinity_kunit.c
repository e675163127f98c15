// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_hv_affinity: VmbClientChannelInitSetTargetProcessorIndex
 * on kmcl_hv, against the model of hv_vmbus, in both worlds kmcl_hv can
 * meet: hv_vmbus lets the driver move the channel's interrupt
 * (vmbus_channel_set_cpu(), model knob set_cpu_ok), or it does not (every
 * kernel so far: -EOPNOTSUPP) and the host keeps interrupting the CPU it
 * chose. Either way ProcessPacket and completion routines run on the
 * target CPU. The host writes from another CPU than the target.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/smp.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl.h"
#include "chan.h"
#include "fixture.h"
#include "model.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_TRANSPORT);
KMCL_IMPORT(KMCL_INTERNAL);

static const GUID kha_type = {
	0x6a5b4c3d, 0x2e1f, 0x4a0b, { 0x9c, 0x8d, 0x7e, 0x6f, 0x50, 0x41, 0x32, 0x23 }
};

static const GUID kha_inst = {
	0x7b6c5d4e, 0x3f20, 0x4b1c, { 0xad, 0x9e, 0x8f, 0x70, 0x61, 0x52, 0x43, 0x34 }
};

#define KHA_N	8

/**
 * struct kha_ep - a client channel and the CPUs its callbacks ran on
 * @ch: the channel.
 * @started: EvtChannelStarted calls.
 * @received: ProcessPacket calls.
 * @rx_cpu: CPU of each ProcessPacket.
 * @rx_softirq: each ran in softirq context.
 * @rx_seq: first payload byte of each.
 * @done: completion routine calls.
 * @done_cpu: CPU of each.
 * @done_status: status of each.
 */
struct kha_ep {
	VMBCHANNEL ch;
	atomic_t started;
	atomic_t received;
	int rx_cpu[KHA_N];
	bool rx_softirq[KHA_N];
	u8 rx_seq[KHA_N];
	atomic_t done;
	int done_cpu[KHA_N];
	NTSTATUS done_status[KHA_N];
};

struct kha_ctx {
	struct kmcl_hv_fixture f;
};

static VOID kha_started(VMBCHANNEL ch, PVOID ctx)
{
	atomic_inc(&((struct kha_ep *)ctx)->started);
}

static VOID kha_process(VMBCHANNEL ch, PVOID ctx, VMBPACKETCOMPLETION pkt,
			PVOID buf, UINT32 len, UINT32 flags)
{
	struct kha_ep *ep = ctx;
	int n = atomic_read(&ep->received);

	if (n < KHA_N) {
		ep->rx_cpu[n] = raw_smp_processor_id();
		ep->rx_softirq[n] = in_serving_softirq();
		ep->rx_seq[n] = len ? *(u8 *)buf : 0xff;
	}
	VmbChannelPacketComplete(pkt, NULL, 0);
	atomic_inc(&ep->received);
}

static VOID kha_done(VMBPACKET pkt, NTSTATUS status, PVOID buf, UINT32 len)
{
	struct kha_ep *ep = VmbPacketGetPointer(pkt);
	int n = atomic_read(&ep->done);

	if (n < KHA_N) {
		ep->done_cpu[n] = raw_smp_processor_id();
		ep->done_status[n] = status;
	}
	VmbPacketFree(pkt);
	atomic_inc(&ep->done);
}

static u64 kha_clock(void *ctx)
{
	return 1;
}

static void kha_ep_release(void *data)
{
	struct kha_ep *ep = data;

	if (!ep->ch)
		return;
	VmbChannelDisable(ep->ch);
	VmbChannelCleanup(ep->ch);
	ep->ch = NULL;
}

/* A client of kha_type with target CPU @cpu (-1: none), enabled. */
static struct kha_ep *kha_client(struct kunit *test, int cpu)
{
	struct kha_ctx *ctx = test->priv;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 cb;
	struct kha_ep *ep = kunit_kzalloc(test, sizeof(*ep), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ep);
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(ctx->f.dev, FALSE, &ep->ch),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kha_ep_release, ep),
			0);
	VmbChannelSetPointer(ep->ch, ep);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5(&cb);
	cb.CallbackContext = ep;
	cb.EvtChannelStartedEx = kha_started;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetStateChangeCallbacks(ep->ch,
								    (void *)&cb),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetProcessPacketCallbacksEx(ep->ch, ep,
									kha_process,
									NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetTargetPnp(ep->ch, &kha_type,
							       NULL, NULL),
			STATUS_SUCCESS);
	/* The DPC budget never runs out: softirq delivery only. */
	kmcl_in_set_dpc_clock(kmcl_channel_from_handle(ep->ch), kha_clock, NULL);
	if (cpu >= 0)
		KUNIT_ASSERT_EQ(test,
				VmbClientChannelInitSetTargetProcessorIndex(ep->ch,
									    cpu),
				STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->ch), STATUS_SUCCESS);
	return ep;
}

/* Another online CPU than @cpu, or @cpu when there is none. */
static int kha_other_cpu(int cpu)
{
	int o;

	for_each_online_cpu(o)
		if (o != cpu)
			return o;
	return cpu;
}

/*
 * Open a client targeted at @cpu on a hot-added device; the host (this
 * thread, pinned to another CPU) sends KHA_N packets and completes
 * KHA_N packets of the client. Checks the CPUs; returns the device.
 */
static struct kmcl_hv_mdev *kha_run(struct kunit *test, int cpu,
				    struct kha_ep **epp)
{
	struct kha_ctx *ctx = test->priv;
	struct kha_ep *ep = kha_client(test, cpu);
	int host = kha_other_cpu(cpu);
	u8 pkt[64] __aligned(8);
	struct vmpacket_descriptor *d = (void *)pkt;
	struct kmcl_hv_mdev *md;
	u64 word = 0;
	u32 len;
	int i;

	md = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&kha_type,
			       (const guid_t *)&kha_inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->started) == 1));

	/* Client -> host, each completed by the host. */
	for (i = 0; i < KHA_N; i++) {
		VMBPACKET p = VmbPacketAllocate(ep->ch);

		KUNIT_ASSERT_NOT_NULL(test, p);
		VmbPacketSetPointer(p, ep);
		VmbPacketSetCompletionRoutine(p, kha_done);
		word = i;
		KUNIT_ASSERT_EQ(test,
				VmbPacketSend(p, &word, sizeof(word), NULL,
					      VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
				STATUS_SUCCESS);
	}
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(host)), 0);
	for (i = 0; i < KHA_N; i++) {
		KUNIT_ASSERT_TRUE(test,
				  kmcl_hv_wait_for(!kmcl_hv_model_host_recv(md, pkt,
									    sizeof(pkt),
									    &len)));
		KUNIT_ASSERT_EQ(test, d->type, VM_PKT_DATA_INBAND);
		KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_COMP, 0,
							      d->trans_id, &word,
							      sizeof(word)), 0);
	}
	/* Host -> client. */
	for (i = 0; i < KHA_N; i++) {
		u8 data[8] = { i };

		KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND,
							      0, 0x100 + i, data,
							      sizeof(data)), 0);
	}
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->done) == KHA_N));
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->received) == KHA_N));
	for (i = 0; i < KHA_N; i++) {
		KUNIT_EXPECT_EQ_MSG(test, ep->rx_cpu[i], cpu, "packet %d", i);
		KUNIT_EXPECT_TRUE(test, ep->rx_softirq[i]);
		KUNIT_EXPECT_EQ(test, ep->rx_seq[i], (u8)i);
		KUNIT_EXPECT_EQ_MSG(test, ep->done_cpu[i], cpu, "completion %d", i);
		KUNIT_EXPECT_EQ(test, ep->done_status[i], STATUS_SUCCESS);
	}
	*epp = ep;
	return md;
}

/* hv_vmbus refuses (every kernel so far): the work still moves. */
static void kha_set_cpu_unavailable(struct kunit *test)
{
	struct kha_ctx *ctx = test->priv;
	struct kmcl_hv_mcall call;
	struct kmcl_hv_mdev *md;
	struct kha_ep *ep;
	int cpu = cpumask_last(cpu_online_mask);

	md = kha_run(test, cpu, &ep);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_SET_CPU), 1U);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_SET_CPU,
						   0, &call));
	KUNIT_EXPECT_EQ(test, call.u.size, (u32)cpu);
	KUNIT_EXPECT_EQ(test, call.ret, -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, md->irq_cpu, -1);
	/* The host interrupted the CPU it writes from, not the target. */
	if (num_online_cpus() > 1)
		KUNIT_EXPECT_EQ(test, READ_ONCE(md->cb_cpu), kha_other_cpu(cpu));
	KUNIT_EXPECT_EQ(test, kmcl_channel_from_handle(ep->ch)->state,
			KMCL_CH_OPENED);
}

/* hv_vmbus lets the driver choose: the host interrupts the target. */
static void kha_set_cpu_available(struct kunit *test)
{
	struct kha_ctx *ctx = test->priv;
	struct kmcl_hv_mcall call;
	struct kmcl_hv_mdev *md;
	struct kha_ep *ep;
	int cpu;

	ctx->f.m->set_cpu_ok = true;
	for_each_online_cpu(cpu) {
		kmcl_hv_model_clear_log(ctx->f.m);
		md = kha_run(test, cpu, &ep);
		KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m,
							   KMCL_HV_MOP_SET_CPU,
							   0, &call));
		KUNIT_EXPECT_EQ(test, call.u.size, (u32)cpu);
		KUNIT_EXPECT_EQ(test, call.ret, 0);
		/* After the open, never before it. */
		KUNIT_EXPECT_PTR_EQ(test, call.chan, md->chan);
		KUNIT_EXPECT_EQ(test, md->chan->target_cpu, (u32)cpu);
		KUNIT_EXPECT_EQ(test, READ_ONCE(md->cb_cpu), cpu);
		kha_ep_release(ep);
		kmcl_hv_model_rescind(md);
	}
}

/* No target: kmcl_hv leaves the host's choice alone. */
static void kha_no_target(struct kunit *test)
{
	struct kha_ctx *ctx = test->priv;
	struct kha_ep *ep;
	struct kmcl_hv_mdev *md;

	ctx->f.m->set_cpu_ok = true;
	ep = kha_client(test, -1);
	md = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&kha_type,
			       (const guid_t *)&kha_inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->started) == 1));
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_SET_CPU), 0U);
	KUNIT_EXPECT_EQ(test, md->irq_cpu, -1);
}

static void kha_teardown(void *data)
{
	struct kha_ctx *ctx = data;

	kmcl_hv_fixture_teardown(&ctx->f);
}

static int kha_init(struct kunit *test)
{
	struct kha_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	if (kmcl_hv_fixture_setup(&ctx->f, "kmcl_hv_affinity_kunit", false))
		KUNIT_FAIL_AND_ABORT(test, "cannot set up the hv model");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kha_teardown, ctx),
			0);
	test->priv = ctx;
	return 0;
}

static struct kunit_case kmcl_hv_affinity_cases[] = {
	KUNIT_CASE(kha_set_cpu_unavailable),
	KUNIT_CASE(kha_set_cpu_available),
	KUNIT_CASE(kha_no_target),
	{}
};

static struct kunit_suite kmcl_hv_affinity_suite = {
	.name = "kmcl_hv_affinity",
	.init = kha_init,
	.test_cases = kmcl_hv_affinity_cases,
};

kunit_test_suite(kmcl_hv_affinity_suite);
