// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_hv_races: teardown races and hostile-host cases of the
 * hv transport (issue 10, items 1-5 and 14-16), each ordered through the
 * model of hv_vmbus (model.c): a vmbus_close() or a GPADL establish held
 * until the test lets it go, a host that rewrites or overstates what it
 * wrote. Each case failed on the tree before its fix; the comment above
 * it says how.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl.h"
#include "chan.h"
#include "gen.h"
#include "fixture.h"
#include "model.h"
#include "testpoint.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_TRANSPORT);

static const GUID hr_type = {
	0x6b5a4938, 0x2716, 0x4f05, { 0x8e, 0x7d, 0x6c, 0x5b, 0x4a, 0x39, 0x28, 0x17 }
};

static const GUID hr_inst = {
	0x7c6b5a49, 0x3827, 0x4016, { 0x9f, 0x8e, 0x7d, 0x6c, 0x5b, 0x4a, 0x39, 0x28 }
};

#define HR_WAIT		VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION

/**
 * struct hr_ep - a client channel and what its driver saw
 * @ch: the channel.
 * @md: its device, once open.
 * @closed: EvtChannelClosed calls.
 * @started: EvtChannelStarted calls.
 * @received: ProcessPacket calls.
 * @rx_len: the last packet's length.
 * @rx_ext_st: VmbChannelPacketGetExternalData() of the last packet.
 * @rx_first: first byte of its first external MDL.
 * @hold: ProcessPacket keeps the packet in @held instead of completing it.
 * @held: the packet kept.
 * @done: outgoing completions.
 * @done_status: the last one's status.
 * @done_closes: vmbus_close() calls that had returned when it ran.
 */
struct hr_ep {
	VMBCHANNEL ch;
	struct kmcl_hv_mdev *md;
	atomic_t closed;
	atomic_t started;
	atomic_t received;
	u32 rx_len;
	NTSTATUS rx_ext_st;
	u8 rx_first;
	bool hold;
	VMBPACKETCOMPLETION held;
	atomic_t done;
	NTSTATUS done_status;
	int done_closes;
};

struct hr_ctx {
	struct kmcl_hv_fixture f;
};

static NTSTATUS hr_opened(VMBCHANNEL ch, PVOID ctx)
{
	return STATUS_SUCCESS;
}

static VOID hr_closed(VMBCHANNEL ch, PVOID ctx)
{
	atomic_inc(&((struct hr_ep *)ctx)->closed);
}

static VOID hr_suspend(VMBCHANNEL ch, PVOID ctx)
{
}

static VOID hr_started(VMBCHANNEL ch, PVOID ctx)
{
	atomic_inc(&((struct hr_ep *)ctx)->started);
}

static VOID hr_post_started(VMBCHANNEL ch, PVOID ctx)
{
}

static VOID hr_process(VMBCHANNEL ch, PVOID ctx, VMBPACKETCOMPLETION pkt,
		       PVOID buf, UINT32 len, UINT32 flags)
{
	struct hr_ep *ep = ctx;
	PMDL mdl = NULL;
	const u8 *va;

	ep->rx_len = len;
	ep->rx_ext_st = STATUS_SUCCESS;
	if (flags & VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA) {
		ep->rx_ext_st = VmbChannelPacketGetExternalData(pkt, 0, &mdl);
		if (ep->rx_ext_st == STATUS_PENDING)
			return;
		if (NT_SUCCESS(ep->rx_ext_st) && mdl) {
			va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
			ep->rx_first = va ? va[0] : 0;
		}
	}
	if (ep->hold) {
		ep->held = pkt;
		atomic_inc(&ep->received);
		return;
	}
	VmbChannelPacketComplete(pkt, NULL, 0);
	atomic_inc(&ep->received);
}

static VOID hr_done(VMBPACKET pkt, NTSTATUS status, PVOID buf, UINT32 len)
{
	struct hr_ep *ep = VmbPacketGetPointer(pkt);

	/* When the driver gets its memory back, had the channel closed? */
	ep->done_closes = ep->md ? atomic_read(&ep->md->closes_done) : -1;
	ep->done_status = status;
	VmbPacketFree(pkt);
	atomic_inc(&ep->done);
}

static struct kmcl_channel *hr_ch(struct hr_ep *ep)
{
	return kmcl_channel_from_handle(ep->ch);
}

static enum kmcl_channel_state hr_state(struct hr_ep *ep)
{
	return READ_ONCE(hr_ch(ep)->state);
}

static unsigned int hr_count(struct kunit *test, enum kmcl_hv_mop op)
{
	return kmcl_hv_model_count(((struct hr_ctx *)test->priv)->f.m, op);
}

static void hr_ep_release(void *data)
{
	struct hr_ep *ep = data;

	if (!ep->ch)
		return;
	VmbChannelDisable(ep->ch);
	VmbChannelCleanup(ep->ch);
	ep->ch = NULL;
}

/* A disabled typed client with recording callbacks. */
static struct hr_ep *hr_client(struct kunit *test)
{
	struct hr_ctx *ctx = test->priv;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 cb;
	struct hr_ep *ep = kunit_kzalloc(test, sizeof(*ep), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ep);
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(ctx->f.dev, FALSE, &ep->ch),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hr_ep_release, ep),
			0);
	VmbChannelSetPointer(ep->ch, ep);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5(&cb);
	cb.CallbackContext = ep;
	cb.EvtChannelOpenedEx = hr_opened;
	cb.EvtChannelClosedEx = hr_closed;
	cb.EvtChannelSuspendEx = hr_suspend;
	cb.EvtChannelStartedEx = hr_started;
	cb.EvtChannelPostStartedEx = hr_post_started;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetStateChangeCallbacks(ep->ch,
								    (void *)&cb),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test,
			VmbChannelInitSetProcessPacketCallbacksEx(ep->ch, ep,
								  hr_process,
								  NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetTargetPnp(ep->ch, &hr_type,
							       NULL, NULL),
			STATUS_SUCCESS);
	return ep;
}

/* Enable @ep and hot-add its device: an open, running channel. */
static void hr_open(struct kunit *test, struct hr_ep *ep)
{
	struct hr_ctx *ctx = test->priv;
	int started = atomic_read(&ep->started);

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->ch), STATUS_SUCCESS);
	ep->md = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&hr_type,
				   (const guid_t *)&hr_inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, ep->md);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->started) >
					    started));
}

/* A client with external-data limits (none if @size is 0), open. */
static struct hr_ep *hr_open_ext(struct kunit *test, u32 size, u32 chain)
{
	struct hr_ep *ep = hr_client(test);

	if (size)
		KUNIT_ASSERT_EQ(test,
				VmbChannelInitSetMaximumExternalData(ep->ch, size,
								     chain),
				STATUS_SUCCESS);
	hr_open(test, ep);
	return ep;
}

/* Clear test point @data (an enum kmcl_hv_tp) when the test ends. */
static void hr_tp_clear(void *data)
{
	kmcl_hv_tp_set((int)(unsigned long)data, NULL, NULL);
}

static void hr_tp_set(struct kunit *test, int tp,
		      void (*fn)(void *ctx, void *obj), void *ctx)
{
	kmcl_hv_tp_set(tp, fn, ctx);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hr_tp_clear,
							(void *)(unsigned long)tp),
			0);
}

/* --- a call on its own thread --------------------------------------------- */

/**
 * struct hr_call - one API call made by a kernel thread
 * @fn: the call.
 * @ep: its channel.
 * @arg: a call-specific argument.
 * @status: what it returned.
 * @closes: vmbus_close() calls that had returned when it did.
 * @done: completed when it returned.
 */
struct hr_call {
	NTSTATUS (*fn)(struct hr_call *c);
	struct hr_ep *ep;
	unsigned long arg;
	NTSTATUS status;
	int closes;
	struct completion done;
};

static int hr_call_thread(void *data)
{
	struct hr_call *c = data;

	c->status = c->fn(c);
	c->closes = c->ep->md ? atomic_read(&c->ep->md->closes_done) : -1;
	complete(&c->done);
	return 0;
}

static void hr_call_start(struct kunit *test, struct hr_call *c,
			  NTSTATUS (*fn)(struct hr_call *c), struct hr_ep *ep,
			  unsigned long arg)
{
	struct task_struct *t;

	c->fn = fn;
	c->ep = ep;
	c->arg = arg;
	init_completion(&c->done);
	t = kthread_run(hr_call_thread, c, "kmcl_hv_races");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
}

static bool hr_call_wait(struct hr_call *c)
{
	return wait_for_completion_timeout(&c->done, 10 * HZ);
}

static NTSTATUS hr_do_disable(struct hr_call *c)
{
	VmbChannelDisable(c->ep->ch);
	return STATUS_SUCCESS;
}

static NTSTATUS hr_do_create_gpadl(struct hr_call *c)
{
	UINT32 h = 0;

	return VmbChannelCreateGpadl(c->ep->ch, 0, 2, &h);
}

static NTSTATUS hr_do_delete_gpadl(struct hr_call *c)
{
	VmbChannelDeleteGpadl(c->ep->ch, (UINT32)c->arg);
	return STATUS_SUCCESS;
}

static NTSTATUS hr_do_sync_mdl(struct hr_call *c)
{
	u64 cmd = 0x73796e63;

	return VmbChannelSendSynchronousRequest(c->ep->ch, &cmd, sizeof(cmd),
						(PMDL)c->arg, HR_WAIT, NULL,
						NULL, NULL);
}

/* --- item 1: lent memory comes back after vmbus_close() ------------------- */

/*
 * An ExternalMdl packet the host never completes, then Disable: its
 * completion (the memory going back to the driver) must come after
 * vmbus_close() returned. Before the fix it came first: done_closes 0.
 */
static void hr_lent_packet_after_close(struct kunit *test)
{
	struct hr_ep *ep = hr_open_ext(test, 8192, 1);
	unsigned long buf;
	u64 cmd = 0x6c656e74;
	VMBPACKET pkt;
	PMDL mdl;

	buf = __get_free_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NE(test, buf, 0UL);
	mdl = IoAllocateMdl((void *)buf, 4096, FALSE, FALSE, NULL);
	KUNIT_ASSERT_NOT_NULL(test, mdl);
	MmBuildMdlForNonPagedPool(mdl);
	pkt = VmbPacketAllocate(ep->ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	VmbPacketSetPointer(pkt, ep);
	VmbPacketSetCompletionRoutine(pkt, hr_done);
	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalMdl(pkt, &cmd, sizeof(cmd),
							   mdl, 0, 4096, HR_WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hr_count(test, KMCL_HV_MOP_SENDPACKET_MPB), 1U);

	VmbChannelDisable(ep->ch);
	KUNIT_ASSERT_EQ(test, atomic_read(&ep->done), 1);
	KUNIT_EXPECT_EQ(test, ep->done_status, STATUS_DEVICE_REMOVED);
	KUNIT_EXPECT_EQ(test, ep->done_closes, 1);
	IoFreeMdl(mdl);
	free_page(buf);
}

/*
 * The same for a synchronous request with an MDL: it returns (and the
 * caller frees the memory) only once vmbus_close() has returned. The
 * model holds vmbus_close(); before the fix the request returned while it
 * was held (closes 0).
 */
static void hr_lent_sync_after_close(struct kunit *test)
{
	struct hr_ctx *ctx = test->priv;
	struct hr_ep *ep = hr_open_ext(test, 8192, 1);
	struct hr_call sync, dis;
	unsigned long buf;
	PMDL mdl;

	buf = __get_free_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NE(test, buf, 0UL);
	mdl = IoAllocateMdl((void *)buf, 4096, FALSE, FALSE, NULL);
	KUNIT_ASSERT_NOT_NULL(test, mdl);
	MmBuildMdlForNonPagedPool(mdl);

	hr_call_start(test, &sync, hr_do_sync_mdl, ep, (unsigned long)mdl);
	KUNIT_ASSERT_TRUE(test,
			  kmcl_hv_wait_for(hr_count(test,
						    KMCL_HV_MOP_SENDPACKET_MPB) == 1));
	ctx->f.m->close_hold = true;
	hr_call_start(test, &dis, hr_do_disable, ep, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(READ_ONCE(ep->md->closing)));
	/* The channel is closing; the host may still write into the page. */
	msleep(100);
	KUNIT_EXPECT_FALSE(test, completion_done(&sync.done));
	ctx->f.m->close_hold = false;
	kmcl_hv_model_close_release(ep->md);
	KUNIT_ASSERT_TRUE(test, hr_call_wait(&sync));
	KUNIT_ASSERT_TRUE(test, hr_call_wait(&dis));
	KUNIT_EXPECT_EQ(test, sync.status, STATUS_DEVICE_REMOVED);
	KUNIT_EXPECT_EQ(test, sync.closes, 1);
	IoFreeMdl(mdl);
	free_page(buf);
}

/* --- item 2: one teardown per established GPADL ------------------------- */

/* Every ESTABLISH that succeeded has exactly one TEARDOWN of its handle. */
static void hr_expect_paired(struct kunit *test)
{
	struct hr_ctx *ctx = test->priv;
	struct kmcl_hv_mcall e, t;
	unsigned int i, j, n;

	for (i = 0; kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_ESTABLISH_GPADL, i,
				       &e); i++) {
		if (e.ret)
			continue;
		n = 0;
		for (j = 0; kmcl_hv_model_call(ctx->f.m,
					       KMCL_HV_MOP_TEARDOWN_GPADL, j,
					       &t); j++)
			n += t.u.gpadl.handle == e.u.gpadl.handle;
		KUNIT_EXPECT_EQ_MSG(test, n, 1U, "GPADL %#x", e.u.gpadl.handle);
	}
}

/*
 * Create blocked in the host's establish while Disable runs: the GPADL the
 * host established after the close began is torn down once, whether
 * Create then sees the channel live (and the close deletes it) or not.
 * Before the fix: established, never torn down (pages freed under the
 * host).
 */
static void hr_gpadl_create_vs_disable(struct kunit *test)
{
	struct hr_ctx *ctx = test->priv;
	struct hr_ep *ep = hr_open_ext(test, 0, 0);
	struct hr_call create, dis;

	ctx->f.m->gpadl_hold = true;
	hr_call_start(test, &create, hr_do_create_gpadl, ep, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(kmcl_hv_model_host_waiting(ep->md)));
	hr_call_start(test, &dis, hr_do_disable, ep, 0);
	/*
	 * The close runs up to the GPADL lock the establish holds (before
	 * the fix: past Closed and the table's teardown, into release).
	 */
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(hr_state(ep) == KMCL_CH_CLOSING));
	msleep(50);
	ctx->f.m->gpadl_hold = false;
	kmcl_hv_model_host_answer(ep->md);
	KUNIT_ASSERT_TRUE(test, hr_call_wait(&create));
	KUNIT_ASSERT_TRUE(test, hr_call_wait(&dis));
	/* Either outcome of Create is right; what the host holds is not. */
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->closed), 1);
	KUNIT_EXPECT_EQ(test, hr_count(test, KMCL_HV_MOP_ESTABLISH_GPADL), 1U);
	KUNIT_EXPECT_EQ(test, hr_count(test, KMCL_HV_MOP_TEARDOWN_GPADL), 1U);
	hr_expect_paired(test);
	KUNIT_EXPECT_EQ(test, hr_state(ep), KMCL_CH_DISABLED);
}

/**
 * struct hr_hold - a thread held at a test point
 * @armed: the next thread to reach the point is held (then cleared).
 * @reached: completed when it got there.
 * @go: it goes on when this is completed.
 */
struct hr_hold {
	atomic_t armed;
	struct completion reached;
	struct completion go;
};

static void hr_hold_init(struct hr_hold *h)
{
	atomic_set(&h->armed, 1);
	init_completion(&h->reached);
	init_completion(&h->go);
}

static void hr_tp_hold(void *ctx, void *obj)
{
	struct hr_hold *h = ctx;

	if (!atomic_xchg(&h->armed, 0))
		return;
	complete(&h->reached);
	wait_for_completion(&h->go);
}

/*
 * Delete has taken the GPADL out of the table (so the close does not see
 * it) and is held just before its teardown while a whole Disable runs;
 * then it goes on. The host still had the GPADL when the channel closed:
 * it gets exactly one TEARDOWN (from the close, legal after
 * vmbus_close()), and Delete does not tear it down again. Before the fix:
 * ESTABLISH 1, TEARDOWN 0 (Delete found the VMBus channel closed and
 * skipped it; the close had no record of it).
 */
static void hr_gpadl_delete_vs_disable(struct kunit *test)
{
	struct hr_ep *ep = hr_open_ext(test, 0, 0);
	struct hr_call del, dis;
	struct hr_hold hold;
	bool disabled;
	UINT32 h = 0;

	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadl(ep->ch, 0, 2, &h),
			STATUS_SUCCESS);
	hr_hold_init(&hold);
	hr_tp_set(test, KMCL_HV_TP_GPADL_REVOKE, hr_tp_hold, &hold);
	hr_call_start(test, &del, hr_do_delete_gpadl, ep, h);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&hold.reached,
							    10 * HZ));
	hr_call_start(test, &dis, hr_do_disable, ep, 0);
	/* Nothing of Delete's is in the close's way. */
	disabled = hr_call_wait(&dis);
	KUNIT_EXPECT_TRUE(test, disabled);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->closed), 1);
	KUNIT_EXPECT_EQ(test, hr_count(test, KMCL_HV_MOP_CLOSE), 1U);
	complete(&hold.go);
	KUNIT_ASSERT_TRUE(test, hr_call_wait(&del));
	if (!disabled)
		KUNIT_ASSERT_TRUE(test, hr_call_wait(&dis));
	KUNIT_EXPECT_EQ(test, hr_count(test, KMCL_HV_MOP_ESTABLISH_GPADL), 1U);
	KUNIT_EXPECT_EQ(test, hr_count(test, KMCL_HV_MOP_TEARDOWN_GPADL), 1U);
	hr_expect_paired(test);
	KUNIT_EXPECT_EQ(test, hr_state(ep), KMCL_CH_DISABLED);
}

/*
 * Delete waits for a transfer-page packet the driver holds while Disable
 * runs: the GPADL is torn down exactly once, before the device may go.
 * The order in which the two then finish is left to the scheduler; see
 * hr_gpadl_delete_vs_disable for the order that lost the teardown.
 */
static void hr_gpadl_delete_held_vs_disable(struct kunit *test)
{
	struct hr_ep *ep = hr_open_ext(test, 16384, 2);
	struct {
		struct vmtransfer_page_packet_header h;
		struct vmtransfer_page_range r[1];
		u64 data;
	} __packed xp = {
		.h = {
			.d = {
				.type = VM_PKT_DATA_USING_XFER_PAGES,
				.trans_id = 0x1234,
			},
			.xfer_pageset_id = 7,
			.range_cnt = 1,
		},
		.r = { { .byte_count = 64, .byte_offset = 0 } },
	};
	struct hr_call del, dis;
	UINT32 h = 0;

	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadl(ep->ch, 0, 2, &h),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, KmclChannelSetTransferPageSet(ep->ch, 7, h),
			STATUS_SUCCESS);
	ep->hold = true;
	xp.h.d.offset8 = offsetof(typeof(xp), data) / 8;
	xp.h.d.len8 = sizeof(xp) / 8;
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_write_raw(ep->md, &xp,
							   sizeof(xp)), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->received) == 1));

	hr_call_start(test, &del, hr_do_delete_gpadl, ep, h);
	msleep(50);
	/* The packet pins the GPADL: Delete waits. */
	KUNIT_EXPECT_FALSE(test, completion_done(&del.done));
	hr_call_start(test, &dis, hr_do_disable, ep, 0);
	msleep(50);
	KUNIT_EXPECT_FALSE(test, completion_done(&dis.done));
	/* The driver lets the packet go: both go on. */
	VmbChannelPacketComplete(ep->held, NULL, 0);
	KUNIT_ASSERT_TRUE(test, hr_call_wait(&dis));
	KUNIT_ASSERT_TRUE(test, hr_call_wait(&del));
	KUNIT_EXPECT_EQ(test, hr_count(test, KMCL_HV_MOP_TEARDOWN_GPADL), 1U);
	hr_expect_paired(test);
}

/* --- item 3: rescind against SetInterruptLatency ------------------------ */

/**
 * struct hr_rescind - a rescind landing at a test point
 * @md: the device to rescind.
 * @task: only this thread's visit counts.
 * @armed: the next visit rescinds (then cleared).
 * @hits: visits that rescinded.
 */
struct hr_rescind {
	struct kmcl_hv_mdev *md;
	struct task_struct *task;
	atomic_t armed;
	unsigned int hits;
};

static void hr_tp_rescind(void *ctx, void *obj)
{
	struct hr_rescind *r = ctx;

	if (current != r->task || !atomic_xchg(&r->armed, 0))
		return;
	r->hits++;
	/* The whole rescind: the channel closes, the offer is freed. */
	kmcl_hv_model_rescind(r->md);
}

/* Rescind @ep's device unless the test point did; wait until Disabled. */
static void hr_rescind_rest(struct kunit *test, struct hr_ep *ep,
			    struct hr_rescind *r)
{
	PDEVICE_OBJECT target = (PDEVICE_OBJECT)0x1;

	atomic_set(&r->armed, 0);
	if (!r->hits)
		kmcl_hv_model_rescind(ep->md);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(hr_state(ep) == KMCL_CH_DISABLED));
	KUNIT_EXPECT_TRUE(test, ep->md->gone);
	VmbChannelGetTargetDeviceObject(ep->ch, &target);
	KUNIT_EXPECT_PTR_EQ(test, (void *)target, NULL);
}

/*
 * SetInterruptLatency and GetTargetDeviceObject against a rescind landing
 * between the read of the watch's offer and the read of its device (test
 * point KMCL_HV_TP_WATCH_DEVICE in kmcl_hv_watch_device()): neither may
 * go through the watch, whose offer a rescind frees under them. Before
 * the fix both did: the rescind ran at the point (hits 1) and KASAN
 * reported the read of the freed offer (slab-use-after-free in
 * kmcl_hv_watch_device).
 */
static void hr_rescind_vs_latency(struct kunit *test)
{
	struct hr_ep *ep = hr_client(test);
	struct hr_rescind r = { .task = current };
	PDEVICE_OBJECT target = NULL;
	UINT16 old = 7;

	hr_tp_set(test, KMCL_HV_TP_WATCH_DEVICE, hr_tp_rescind, &r);

	hr_open(test, ep);
	r.md = ep->md;
	atomic_set(&r.armed, 1);
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(ep->ch, 200, &old),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, r.hits, 0U);
	KUNIT_EXPECT_EQ(test, old, 0);
	KUNIT_EXPECT_TRUE(test, ep->md->chan->low_latency);
	hr_rescind_rest(test, ep, &r);

	r.hits = 0;
	hr_open(test, ep);
	r.md = ep->md;
	atomic_set(&r.armed, 1);
	VmbChannelGetTargetDeviceObject(ep->ch, &target);
	KUNIT_EXPECT_EQ(test, r.hits, 0U);
	KUNIT_EXPECT_PTR_EQ(test, (void *)target, (void *)&ep->md->hdev.device);
	hr_rescind_rest(test, ep, &r);
}

/* --- item 5d: hibernation against an open ------------------------------ */

/**
 * struct hr_suspend - a suspend landing at a test point
 * @ep: the channel being opened.
 * @md: the device suspended.
 * @armed: the next visit suspends (then cleared).
 * @hit: a suspend was started.
 * @ret: what kmcl_hv_model_suspend() returned.
 * @done: completed when it returned.
 */
struct hr_suspend {
	struct hr_ep *ep;
	struct kmcl_hv_mdev *md;
	atomic_t armed;
	bool hit;
	int ret;
	struct completion done;
};

static int hr_suspend_thread(void *data)
{
	struct hr_suspend *s = data;

	s->ret = kmcl_hv_model_suspend(s->md);
	complete(&s->done);
	return 0;
}

/*
 * At KMCL_HV_TP_OPEN_CLAIMED (attach found the device usable): start a
 * suspend of the device and let attach go on only once the suspend is
 * over or has asked this channel to close for hibernation.
 */
static void hr_tp_suspend(void *ctx, void *obj)
{
	struct hr_suspend *s = ctx;
	struct kmcl_hv_chan *hc = hr_ch(s->ep)->tpriv;
	struct task_struct *t;

	if (!atomic_xchg(&s->armed, 0))
		return;
	s->md = container_of((struct hv_device *)obj, struct kmcl_hv_mdev, hdev);
	t = kthread_run(hr_suspend_thread, s, "kmcl_hv_races");
	if (IS_ERR(t))
		return;
	WRITE_ONCE(s->hit, true);
	kmcl_hv_wait_for(completion_done(&s->done) || READ_ONCE(hc->reopening));
}

/*
 * A suspend between attach's hibernation check and its vmbus_open(): the
 * suspend that says yes (0) leaves the device closed until resume; then
 * the channel opens again. Before the fix (check and open mark in two
 * lock sections) the suspend saw nothing open and returned 0 at once,
 * and attach then opened the channel of the suspended device: md->opened
 * true, OPEN 1 and CLOSE 0 after the suspend. With the check and mark in
 * one section but the core told to forget earlier peer losses after it,
 * the suspend's request to close was forgotten: -EBUSY after 30 s,
 * hibernation refused, OPEN 1 and CLOSE 0.
 */
static void hr_suspend_vs_open(struct kunit *test)
{
	struct hr_ctx *ctx = test->priv;
	struct hr_ep *ep = hr_client(test);
	struct hr_suspend s = { .ep = ep };
	struct kmcl_hv_mdev *md;

	init_completion(&s.done);
	atomic_set(&s.armed, 1);
	hr_tp_set(test, KMCL_HV_TP_OPEN_CLAIMED, hr_tp_suspend, &s);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->ch), STATUS_SUCCESS);
	md = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&hr_type,
			       (const guid_t *)&hr_inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	ep->md = md;
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(READ_ONCE(s.hit)));
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&s.done, 40 * HZ));
	KUNIT_EXPECT_EQ(test, s.ret, 0);
	/* The attach that was under way is over, whatever it did. */
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(hr_count(test,
							  KMCL_HV_MOP_OPEN) >= 1));
	flush_work(&hr_ch(ep)->state_work);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(md->opened));
	KUNIT_EXPECT_EQ(test, hr_count(test, KMCL_HV_MOP_CLOSE),
			hr_count(test, KMCL_HV_MOP_OPEN));

	KUNIT_EXPECT_EQ(test, kmcl_hv_model_resume(md), 0);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(READ_ONCE(md->opened) &&
						 hr_state(ep) == KMCL_CH_OPENED));
}

/* --- items 5 and 14: smaller hv items ----------------------------------- */

/*
 * A chain within the limits the core accepts (4 buffers of 2 bytes, each
 * across a page boundary: 3 range words each, 8 * 12 bytes) under a
 * 16-byte, 4-buffer maximum: sent whole. Before the fix the GPA-range
 * scratch held 8 * (1 + 2 * 4) bytes and the packet completed with
 * STATUS_INVALID_BUFFER_SIZE, never sent.
 */
static void hr_chain_fits_scratch(struct kunit *test)
{
	struct hr_ctx *ctx = test->priv;
	struct hr_ep *ep = hr_open_ext(test, 16, 4);
	struct kmcl_hv_mcall call;
	PMDL mdl[4] = { };
	unsigned long buf;
	u64 cmd = 0x636861696e;
	VMBPACKET pkt;
	NTSTATUS st;
	u32 i;

	buf = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 3);
	KUNIT_ASSERT_NE(test, buf, 0UL);
	for (i = 0; i < 4; i++) {
		mdl[i] = IoAllocateMdl((void *)(buf + i * 8192 + 4095), 2, FALSE,
				       FALSE, NULL);
		KUNIT_ASSERT_NOT_NULL(test, mdl[i]);
		MmBuildMdlForNonPagedPool(mdl[i]);
		if (i)
			mdl[i - 1]->Next = mdl[i];
	}
	pkt = VmbPacketAllocate(ep->ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	VmbPacketSetPointer(pkt, ep);
	VmbPacketSetCompletionRoutine(pkt, hr_done);
	st = VmbPacketSend(pkt, &cmd, sizeof(cmd), mdl[0], 0);
	if (st)
		VmbPacketFree(pkt);
	KUNIT_ASSERT_EQ_MSG(test, st, STATUS_SUCCESS, "cfg %u/%u",
			    hr_ch(ep)->cfg.max_ext_data,
			    hr_ch(ep)->cfg.max_ext_chain);
	KUNIT_ASSERT_TRUE(test,
			  kmcl_hv_wait_for(hr_count(test,
						    KMCL_HV_MOP_SENDPACKET_MPB) == 1 ||
					   atomic_read(&ep->done)));
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->done), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m,
						   KMCL_HV_MOP_SENDPACKET_MPB, 0,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.mpb.rangecount, 4U);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, call.u.mpb.range_off[i], 4095U);
		KUNIT_EXPECT_EQ(test, call.u.mpb.range_len[i], 2U);
	}
	VmbChannelDisable(ep->ch);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->done), 1);
	for (i = 0; i < 4; i++)
		mdl[i]->Next = NULL;
	for (i = 0; i < 4; i++)
		IoFreeMdl(mdl[i]);
	free_pages(buf, 3);
}

/*
 * hv_vmbus keeps a GPADL's range length in a u16: 8190 pages at most. A
 * 9000-page Create fails before the host is asked. Before the fix the
 * model's establish was called (hv_vmbus would have wrapped the length).
 */
static void hr_gpadl_page_cap(struct kunit *test)
{
	struct hr_ep *ep = hr_open_ext(test, 0, 0);
	UINT32 h = 0;

	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadl(ep->ch, 0, 9000, &h),
			STATUS_INSUFFICIENT_RESOURCES);
	KUNIT_EXPECT_EQ(test, h, 0U);
	KUNIT_EXPECT_EQ(test, hr_count(test, KMCL_HV_MOP_ESTABLISH_GPADL), 0U);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadl(ep->ch, 0,
						    KMCL_HV_GPADL_MAX_PAGES, &h),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hr_count(test, KMCL_HV_MOP_ESTABLISH_GPADL), 1U);
	VmbChannelDeleteGpadl(ep->ch, h);
	KUNIT_EXPECT_EQ(test, hr_count(test, KMCL_HV_MOP_TEARDOWN_GPADL), 1U);
}

/*
 * An MDL whose PFN array names no memory: refused before mapping. Before
 * the fix pfn_to_page() of it reached vmap(), which warned
 * (vmap_pages_pte_range: !pfn_valid).
 */
static void hr_gpadl_bad_pfn(struct kunit *test)
{
	struct hr_ep *ep = hr_open_ext(test, 0, 0);
	unsigned long buf;
	UINT32 h = 0;
	PMDL mdl;

	buf = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
	KUNIT_ASSERT_NE(test, buf, 0UL);
	mdl = IoAllocateMdl((void *)buf, 8192, FALSE, FALSE, NULL);
	KUNIT_ASSERT_NOT_NULL(test, mdl);
	MmBuildMdlForNonPagedPool(mdl);
	/* Far above the end of RAM. */
	MmGetMdlPfnArray(mdl)[1] = (PFN_NUMBER)1 << 40;
	KUNIT_EXPECT_FALSE(test, NT_SUCCESS(VmbChannelCreateGpadlFromMdl(ep->ch,
									 0, mdl,
									 0, 8192,
									 &h)));
	KUNIT_EXPECT_EQ(test, hr_count(test, KMCL_HV_MOP_ESTABLISH_GPADL), 0U);
	IoFreeMdl(mdl);
	free_pages(buf, 1);
}

/*
 * The host claims a packet longer than what it wrote. hv_vmbus (5.14+)
 * then copies what is there, trailer included, and says that is the
 * length: the packet must be refused, not delivered. Before the fix it
 * was delivered with 8 bytes of trailer as payload (rx_len 16 for 8).
 */
static void hr_len8_beyond_written(struct kunit *test)
{
	struct hr_ep *ep = hr_open_ext(test, 0, 0);
	struct {
		struct vmpacket_descriptor d;
		u64 data;
	} p = {
		.d = { .type = VM_PKT_DATA_INBAND, .offset8 = 2, .len8 = 8 },
		.data = 0x6f766572,
	};

	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_write_raw(ep->md, &p,
							   sizeof(p)), 0);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(READ_ONCE(hr_ch(ep)->fail_err) != 0));
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->received), 0);
}

/*
 * Transfer-page offsets on hv count from the GPADL's first page, which the
 * host sees whole, not from the driver's buffer offset. Before the fix
 * offset 0 read the byte at the buffer's offset 100 (rx_first 0xb0, not
 * 0xa0), and a range reaching into the last 100 bytes was refused.
 */
static void hr_xfer_from_page0(struct kunit *test)
{
	struct hr_ep *ep = hr_open_ext(test, 16384, 2);
	struct {
		struct vmtransfer_page_packet_header h;
		struct vmtransfer_page_range r[1];
		u64 data;
	} __packed xp = {
		.h = {
			.d = { .type = VM_PKT_DATA_USING_XFER_PAGES,
			       .trans_id = 0x55 },
			.xfer_pageset_id = 9,
			.range_cnt = 1,
		},
		.r = { { .byte_count = 16, .byte_offset = 0 } },
	};
	unsigned long buf;
	UINT32 h = 0;
	u8 *p;

	buf = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
	KUNIT_ASSERT_NE(test, buf, 0UL);
	p = (u8 *)buf;
	memset(p, 0xa0, 100);
	memset(p + 100, 0xb0, 8192 - 100);
	/* The driver's buffer starts 100 bytes into its first page. */
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(ep->ch, 0, p + 100,
							      8092, &h),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, KmclChannelSetTransferPageSet(ep->ch, 9, h),
			STATUS_SUCCESS);
	xp.h.d.offset8 = offsetof(typeof(xp), data) / 8;
	xp.h.d.len8 = sizeof(xp) / 8;
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_write_raw(ep->md, &xp,
							   sizeof(xp)), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->received) == 1));
	KUNIT_EXPECT_EQ(test, ep->rx_ext_st, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ep->rx_first, 0xa0);

	/* The last 16 bytes of the second page: inside what the host sees. */
	xp.r[0].byte_offset = 8192 - 16;
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_write_raw(ep->md, &xp,
							   sizeof(xp)), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->received) == 2 ||
						 READ_ONCE(hr_ch(ep)->fail_err)));
	KUNIT_EXPECT_EQ(test, READ_ONCE(hr_ch(ep)->fail_err), 0);
	KUNIT_EXPECT_EQ(test, ep->rx_first, 0xb0);
	VmbChannelDisable(ep->ch);
	free_pages(buf, 1);
}

/* --- items 15 and 16: statuses on hv ------------------------------------ */

/*
 * Host-only functions on an hv channel: STATUS_NOT_SUPPORTED, as
 * documented. Before the fix Map and SetVmbusHandle said
 * STATUS_INVALID_PARAMETER_1.
 */
static void hr_host_only_statuses(struct kunit *test)
{
	struct hr_ep *ep = hr_open_ext(test, 0, 0);
	PMDL mdl = (PMDL)0x1;

	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(ep->ch, 0, 1, &mdl),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_PTR_EQ(test, (void *)mdl, NULL);
	/* VOID: does nothing (and logs once). */
	VmbChannelUnmapGpadl(ep->ch, 1);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetVmbusHandle(ep->ch, NULL),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(NULL, 0, 1, &mdl),
			STATUS_INVALID_PARAMETER_1);
}

/*
 * Server save/restore is a host's job on hv: every call on an hv channel
 * is STATUS_NOT_SUPPORTED, as api-status.rst and kmcl/hv/README say, and
 * changes nothing (the channel still carries traffic).
 */
static void hr_save_not_supported(struct kunit *test)
{
	struct hr_ep *ep = hr_open_ext(test, 0, 0);
	ULONG filled = 1, required = 1;
	u8 buf[64] = { 0 };
	VMBPACKET pkt;

	KUNIT_EXPECT_EQ(test, VmbChannelSaveBegin(ep->ch), STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveContinue(ep->ch, buf, sizeof(buf),
						     &filled, &required),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, filled, 0UL);
	KUNIT_EXPECT_EQ(test, required, 0UL);
	/* VOID: does nothing (and logs once). */
	VmbChannelSaveEnd(ep->ch);
	KUNIT_EXPECT_EQ(test, VmbChannelRestoreFromBuffer(ep->ch, buf, sizeof(buf)),
			STATUS_NOT_SUPPORTED);
	pkt = VmbPacketAllocate(ep->ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_EXPECT_EQ(test, VmbPacketRestore(pkt, buf, sizeof(buf)),
			STATUS_NOT_SUPPORTED);
	VmbPacketFree(pkt);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveBegin(NULL), STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_TRUE(test, kmcl_channel_is_open(kmcl_channel_from_handle(ep->ch)));
}

/*
 * SetInterruptLatency on hv: the transport's answer is the API's. The
 * kernel has channel->low_latency (all supported kernels do), so the call
 * succeeds and the switch follows the value; where the transport cannot
 * change anything the value is not kept (STATUS_NOT_SUPPORTED, see the
 * header). Before the fix the result of kmcl_hv_set_low_latency() was
 * dropped and the low-latency choice stored even if not applied.
 */
static void hr_latency_status(struct kunit *test)
{
	struct hr_ep *ep = hr_open_ext(test, 0, 0);
	struct kmcl_hv_chan *hc = hr_ch(ep)->tpriv;
	UINT16 old = 7;

	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(ep->ch, 200, &old),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, old, 0);
	KUNIT_EXPECT_TRUE(test, ep->md->chan->low_latency);
	KUNIT_EXPECT_TRUE(test, hc->low_latency);
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(ep->ch, 9000, &old),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, old, 200);
	KUNIT_EXPECT_FALSE(test, ep->md->chan->low_latency);
	VmbChannelDisable(ep->ch);
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(ep->ch, 200, &old),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, old, 200);
}

static void hr_tp_no_low_latency(void *ctx, void *obj)
{
	*(int *)obj = -EOPNOTSUPP;
}

/*
 * SetInterruptLatency where the kernel has no low-latency switch (the test
 * point plays its answer, -EOPNOTSUPP): STATUS_NOT_SUPPORTED, and nothing
 * changes (the next call still reports the value set before). Before the
 * fix the transport dropped the answer: STATUS_SUCCESS, and 3000 became
 * the latency reported as the original one.
 */
static void hr_latency_not_supported(struct kunit *test)
{
	struct hr_ep *ep = hr_open_ext(test, 0, 0);
	UINT16 old = 7;

	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(ep->ch, 5000, &old),
			STATUS_SUCCESS);
	hr_tp_set(test, KMCL_HV_TP_LATENCY_SET, hr_tp_no_low_latency, NULL);
	old = 7;
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(ep->ch, 3000, &old),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, old, 7);
	kmcl_hv_tp_set(KMCL_HV_TP_LATENCY_SET, NULL, NULL);
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(ep->ch, 4000, &old),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, old, 5000);
}

/* --- item 4: the older hv_vmbus APIs, run ----------------------------- */

/* A device no driver holds, opened by a generation build of io.c. */
static struct kmcl_hv_mdev *hr_gen_open(struct kunit *test, int gen,
					struct kmcl_hv_io *io,
					int (*open)(struct kmcl_hv_io *io,
						    const struct kmcl_hv_ops *ops,
						    struct vmbus_channel *c,
						    const struct kmcl_hv_io_params *p))
{
	struct hr_ctx *ctx = test->priv;
	struct kmcl_hv_io_params p = {
		.send_bytes = 4 * PAGE_SIZE,
		.recv_bytes = 4 * PAGE_SIZE,
		.max_in_pkt = 256,
	};
	struct kmcl_hv_mdev *md;

	ctx->f.m->gen = gen;
	md = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&hr_inst,
			       (const guid_t *)&hr_type, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	KUNIT_ASSERT_EQ(test, open(io, &kmcl_hv_model_ops, md->chan, &p), 0);
	return md;
}

/*
 * Before 5.14 the iterator points into the ring: the host rewrites the
 * length of a packet already peeked. The reader steps by the length it
 * checked and reads the next packet intact. Before the fix consume read
 * len8 again from the ring and failed (-EINVAL; hv_vmbus's
 * hv_pkt_iter_next() would have read it a third time and stepped by it).
 */
static void hr_gen510_len8_rewrite(struct kunit *test)
{
	struct vmpacket_descriptor *ring_d;
	struct kmcl_hv_mdev *md;
	struct kmcl_hv_io io;
	u64 a = 0x4141414141414141ULL, b = 0x4242424242424242ULL;
	u8 buf[64] __aligned(8);
	u32 len = 0;

	md = hr_gen_open(test, KMCL_HV_MODEL_GEN_510, &io,
			 kmcl_hv_gen510_io_open);
	KUNIT_EXPECT_EQ(test, io.copy_limit, 0U);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND, 0,
						      1, &a, 8), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND, 0,
						      2, &b, 8), 0);
	kmcl_hv_gen510_io_mask(&io);
	KUNIT_ASSERT_EQ(test, kmcl_hv_gen510_io_peek(&io, buf, sizeof(buf),
						     &len), 0);
	KUNIT_EXPECT_EQ(test, len, 24U);
	KUNIT_EXPECT_EQ(test, *(u64 *)(buf + 16), a);
	/* The iterator's packet is the ring itself. */
	ring_d = (void *)md->chan->inbound.ring_buffer->buffer;
	KUNIT_ASSERT_PTR_EQ(test, (const void *)io.cur, (const void *)ring_d);
	WRITE_ONCE(ring_d->len8, 6);
	KUNIT_EXPECT_EQ(test, kmcl_hv_gen510_io_consume(&io, 24), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_gen510_io_peek(&io, buf, sizeof(buf),
						     &len), 0);
	KUNIT_EXPECT_EQ(test, len, 24U);
	KUNIT_EXPECT_EQ(test, ((struct vmpacket_descriptor *)buf)->trans_id, 2ULL);
	KUNIT_EXPECT_EQ(test, *(u64 *)(buf + 16), b);
	KUNIT_EXPECT_EQ(test, kmcl_hv_gen510_io_consume(&io, 24), 0);
	KUNIT_EXPECT_EQ(test, kmcl_hv_gen510_io_peek(&io, buf, sizeof(buf),
						     &len), -EAGAIN);
	kmcl_hv_gen510_io_unmask(&io);

	/* A length beyond what the host wrote: refused, not read past. */
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND, 0,
						      3, &a, 8), 0);
	ring_d = (void *)md->chan->inbound.ring_buffer->buffer +
		 md->chan->inbound.priv_read_index;
	WRITE_ONCE(ring_d->len8, 200);
	kmcl_hv_gen510_io_mask(&io);
	KUNIT_EXPECT_EQ(test, kmcl_hv_gen510_io_peek(&io, buf, sizeof(buf),
						     &len), -EIO);
	KUNIT_EXPECT_EQ(test, kmcl_hv_gen510_io_consume(&io, len), -EINVAL);
	kmcl_hv_gen510_io_unmask(&io);
	kmcl_hv_gen510_io_close(&io);
}

/* 5.14/5.15: the copy path, with max_pkt_size set as on 5.16+. */
static void hr_gen514_copy(struct kunit *test)
{
	struct hr_ctx *ctx = test->priv;
	struct kmcl_hv_mcall call;
	struct kmcl_hv_mdev *md;
	struct kmcl_hv_io io;
	u64 a = 0x3531342d636f7079ULL;
	u8 buf[64] __aligned(8);
	u32 len = 0;

	md = hr_gen_open(test, KMCL_HV_MODEL_GEN_514, &io,
			 kmcl_hv_gen514_io_open);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_OPEN, 0,
						   &call));
	KUNIT_EXPECT_NE(test, io.copy_limit, 0U);
	KUNIT_EXPECT_EQ(test, call.u.open.max_pkt_size, io.copy_limit);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND, 0,
						      1, &a, 8), 0);
	kmcl_hv_gen514_io_mask(&io);
	KUNIT_ASSERT_EQ(test, kmcl_hv_gen514_io_peek(&io, buf, sizeof(buf),
						     &len), 0);
	KUNIT_EXPECT_EQ(test, *(u64 *)(buf + 16), a);
	/* A copy, not the ring. */
	KUNIT_EXPECT_PTR_EQ(test, (const void *)io.cur,
			    (const void *)md->chan->inbound.pkt_buffer);
	KUNIT_EXPECT_EQ(test, kmcl_hv_gen514_io_consume(&io, len), 0);
	kmcl_hv_gen514_io_unmask(&io);
	kmcl_hv_gen514_io_close(&io);
}

/* GPADLs as u32 handles (before 5.16), through compat.h. */
static void hr_gen_gpadl_u32(struct kunit *test)
{
	struct hr_ctx *ctx = test->priv;
	struct kmcl_hv_mcall e, t;
	struct kmcl_hv_mdev *md;
	struct kmcl_hv_io io;
	u32 h = 0, after = 1;
	unsigned long buf;

	md = hr_gen_open(test, KMCL_HV_MODEL_GEN_510, &io,
			 kmcl_hv_gen510_io_open);
	buf = __get_free_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NE(test, buf, 0UL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_gen510_gpadl(md->chan, (void *)buf, 4096,
						   &h, &after), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m,
						   KMCL_HV_MOP_ESTABLISH_GPADL, 0,
						   &e));
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m,
						   KMCL_HV_MOP_TEARDOWN_GPADL, 0,
						   &t));
	KUNIT_EXPECT_EQ(test, h, e.u.gpadl.handle);
	KUNIT_EXPECT_NE(test, h, 0U);
	KUNIT_EXPECT_EQ(test, t.u.gpadl.handle, h);
	KUNIT_EXPECT_EQ(test, after, 0U);

	/* The host refuses: no handle, nothing to tear down. */
	ctx->f.m->gpadl_result = -EDQUOT;
	KUNIT_EXPECT_EQ(test, kmcl_hv_gen514_gpadl(md->chan, (void *)buf, 4096,
						   &h, &after), -EDQUOT);
	KUNIT_EXPECT_EQ(test, h, 0U);
	KUNIT_EXPECT_EQ(test, hr_count(test, KMCL_HV_MOP_TEARDOWN_GPADL), 1U);
	kmcl_hv_gen510_io_close(&io);
	free_page(buf);
}

/* --- suite ---------------------------------------------------------------- */

static void hr_teardown(void *data)
{
	struct hr_ctx *ctx = data;

	kmcl_hv_fixture_teardown(&ctx->f);
}

static int hr_init(struct kunit *test)
{
	struct hr_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	if (kmcl_hv_fixture_setup(&ctx->f, "kmcl_hv_races_kunit", false))
		KUNIT_FAIL_AND_ABORT(test, "cannot set up the hv model");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hr_teardown, ctx),
			0);
	test->priv = ctx;
	return 0;
}

static struct kunit_case kmcl_hv_races_cases[] = {
	KUNIT_CASE(hr_lent_packet_after_close),
	KUNIT_CASE(hr_lent_sync_after_close),
	KUNIT_CASE(hr_gpadl_create_vs_disable),
	KUNIT_CASE(hr_gpadl_delete_vs_disable),
	KUNIT_CASE(hr_gpadl_delete_held_vs_disable),
	KUNIT_CASE(hr_rescind_vs_latency),
	KUNIT_CASE(hr_suspend_vs_open),
	KUNIT_CASE(hr_chain_fits_scratch),
	KUNIT_CASE(hr_gpadl_page_cap),
	KUNIT_CASE(hr_gpadl_bad_pfn),
	KUNIT_CASE(hr_len8_beyond_written),
	KUNIT_CASE(hr_gen510_len8_rewrite),
	KUNIT_CASE(hr_gen514_copy),
	KUNIT_CASE(hr_gen_gpadl_u32),
	KUNIT_CASE(hr_xfer_from_page0),
	KUNIT_CASE(hr_host_only_statuses),
	KUNIT_CASE(hr_save_not_supported),
	KUNIT_CASE(hr_latency_status),
	KUNIT_CASE(hr_latency_not_supported),
	{}
};

static struct kunit_suite kmcl_hv_races_suite = {
	.name = "kmcl_hv_races",
	.init = hr_init,
	.test_cases = kmcl_hv_races_cases,
};

kunit_test_suite(kmcl_hv_races_suite);
