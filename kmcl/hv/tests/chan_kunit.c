// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_hv_chan: real KMCL client channels, built and driven
 * through the Windows-named API as a ported VSC would, carried by kmcl_hv
 * (a transport instance registered with the core for the test) over the
 * model of hv_vmbus. Each case checks both sides: the exact arguments of
 * the hv_vmbus calls (packet types, flags, transaction ids, ring sizes,
 * GPADL handles) and the bytes the "host" reads, and what the KMCL driver
 * sees (callbacks, statuses, payloads).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl.h"
#include "chan.h"
#include "fixture.h"
#include "model.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_TRANSPORT);

static const GUID kc_type = {
	0x3c2b1a09, 0x8f7e, 0x4d6c, { 0x95, 0xa4, 0xb3, 0xc2, 0xd1, 0xe0, 0xf9, 0x08 }
};

static const GUID kc_inst = {
	0x4d3c2b1a, 0x098f, 0x4e7d, { 0xa6, 0xb5, 0xc4, 0xd3, 0xe2, 0xf1, 0x0a, 0x19 }
};

#define KC_CREQ		VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED
#define KC_WAIT		VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define KC_MAX_SENT	64

/**
 * struct kc_ep - a client channel and what its driver saw
 * @ch: the channel.
 * @opened: EvtChannelOpened calls.
 * @closed: EvtChannelClosed calls.
 * @suspend: EvtChannelSuspend calls.
 * @started: EvtChannelStarted calls.
 * @pnp: EvtVmbChannelPnpFailure calls.
 * @pnp_status: its last status.
 * @received: ProcessPacket calls.
 * @rx: the last packet's bytes.
 * @rx_len: its length.
 * @rx_flags: its flags.
 * @comp: payload the driver completes incoming packets with.
 * @done: outgoing completions.
 * @done_status: their statuses, in order.
 * @done_len: their payload lengths.
 * @done_data: the first 8 payload bytes of each.
 * @ext_src: when set, ProcessPacket maps the external data of each packet
 *	and compares it with these bytes at @ext_off.
 * @ext_off: offset in @ext_src of each range.
 * @ext_st: the last VmbChannelPacketGetExternalData() status.
 * @ext_nmdl: MDLs in its chain.
 * @ext_ok: every MDL had the bytes @ext_src has at its range.
 */
struct kc_ep {
	VMBCHANNEL ch;
	atomic_t opened;
	atomic_t closed;
	atomic_t suspend;
	atomic_t started;
	atomic_t pnp;
	NTSTATUS pnp_status;
	atomic_t received;
	u8 rx[256];
	u32 rx_len;
	u32 rx_flags;
	u64 comp;
	atomic_t done;
	NTSTATUS done_status[KC_MAX_SENT];
	u32 done_len[KC_MAX_SENT];
	u64 done_data[KC_MAX_SENT];
	const u8 *ext_src;
	u32 ext_off[4];
	NTSTATUS ext_st;
	u32 ext_nmdl;
	bool ext_ok;
};

/**
 * struct kc_ctx - per-test state
 * @f: the model, the hv transport over it and a parent device that is not
 *	on the VMBus (fixture.h).
 */
struct kc_ctx {
	struct kmcl_hv_fixture f;
};

static NTSTATUS kc_opened(VMBCHANNEL ch, PVOID ctx)
{
	atomic_inc(&((struct kc_ep *)ctx)->opened);
	return STATUS_SUCCESS;
}

static VOID kc_closed(VMBCHANNEL ch, PVOID ctx)
{
	atomic_inc(&((struct kc_ep *)ctx)->closed);
}

static VOID kc_suspend(VMBCHANNEL ch, PVOID ctx)
{
	atomic_inc(&((struct kc_ep *)ctx)->suspend);
}

static VOID kc_started(VMBCHANNEL ch, PVOID ctx)
{
	atomic_inc(&((struct kc_ep *)ctx)->started);
}

static VOID kc_post_started(VMBCHANNEL ch, PVOID ctx)
{
}

static VOID kc_pnp_failure(VMBCHANNEL ch, NTSTATUS status)
{
	struct kc_ep *ep = VmbChannelGetPointer(ch);

	ep->pnp_status = status;
	atomic_inc(&ep->pnp);
}

static VOID kc_process(VMBCHANNEL ch, PVOID ctx, VMBPACKETCOMPLETION pkt,
		       PVOID buf, UINT32 len, UINT32 flags)
{
	struct kc_ep *ep = ctx;
	PMDL mdl = NULL;
	const u8 *va;
	u32 i = 0;

	if (ep->ext_src &&
	    (flags & VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA)) {
		ep->ext_st = VmbChannelPacketGetExternalData(pkt, 0, &mdl);
		/* Runs again in process context. */
		if (ep->ext_st == STATUS_PENDING)
			return;
		ep->ext_ok = NT_SUCCESS(ep->ext_st);
		for (; mdl && i < ARRAY_SIZE(ep->ext_off); mdl = mdl->Next, i++) {
			va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
			if (!va || memcmp(va, ep->ext_src + ep->ext_off[i],
					  mdl->ByteCount))
				ep->ext_ok = false;
		}
		ep->ext_nmdl = i;
	}
	memcpy(ep->rx, buf, min_t(u32, len, sizeof(ep->rx)));
	ep->rx_len = len;
	ep->rx_flags = flags;
	VmbChannelPacketComplete(pkt, &ep->comp, sizeof(ep->comp));
	atomic_inc(&ep->received);
}

static VOID kc_done(VMBPACKET pkt, NTSTATUS status, PVOID buf, UINT32 len)
{
	struct kc_ep *ep = VmbPacketGetPointer(pkt);
	int n = atomic_read(&ep->done);

	if (n < KC_MAX_SENT) {
		ep->done_status[n] = status;
		ep->done_len[n] = len;
		ep->done_data[n] = 0;
		if (buf && len >= 8)
			memcpy(&ep->done_data[n], buf, 8);
	}
	VmbPacketFree(pkt);
	atomic_inc(&ep->done);
}

/* The transport serving @ep's channel, by name. */
static const char *kc_transport(struct kc_ep *ep)
{
	return kmcl_channel_from_handle(ep->ch)->tops->name;
}

static struct kmcl_channel *kc_ch(struct kc_ep *ep)
{
	return kmcl_channel_from_handle(ep->ch);
}

static enum kmcl_channel_state kc_state(struct kc_ep *ep)
{
	return READ_ONCE(kc_ch(ep)->state);
}

static unsigned int kc_count(struct kc_ctx *ctx, enum kmcl_hv_mop op)
{
	return kmcl_hv_model_count(ctx->f.m, op);
}

static NTSTATUS kc_ring_pages(struct kc_ep *ep, u32 in, u32 out)
{
	return VmbClientChannelInitSetRingBufferPageCount(ep->ch, in, out);
}

static void kc_ep_release(void *data)
{
	struct kc_ep *ep = data;

	if (!ep->ch)
		return;
	VmbChannelDisable(ep->ch);
	VmbChannelCleanup(ep->ch);
	ep->ch = NULL;
}

/* A disabled client on @parent with recording callbacks, target kc_type. */
static struct kc_ep *kc_client(struct kunit *test, struct device *parent,
			       bool target)
{
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 cb;
	struct kc_ep *ep = kunit_kzalloc(test, sizeof(*ep), GFP_KERNEL);
	NTSTATUS st;

	KUNIT_ASSERT_NOT_NULL(test, ep);
	ep->comp = 0x636f6d706c657465ULL;
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(parent, FALSE, &ep->ch),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kc_ep_release, ep),
			0);
	VmbChannelSetPointer(ep->ch, ep);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5(&cb);
	cb.CallbackContext = ep;
	cb.EvtChannelOpenedEx = kc_opened;
	cb.EvtChannelClosedEx = kc_closed;
	cb.EvtChannelSuspendEx = kc_suspend;
	cb.EvtChannelStartedEx = kc_started;
	cb.EvtChannelPostStartedEx = kc_post_started;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetStateChangeCallbacks(ep->ch,
								    (void *)&cb),
			STATUS_SUCCESS);
	st = VmbChannelInitSetProcessPacketCallbacksEx(ep->ch, ep, kc_process,
						       NULL);
	KUNIT_ASSERT_EQ(test, st, STATUS_SUCCESS);
	if (target)
		KUNIT_ASSERT_EQ(test,
				VmbClientChannelInitSetTargetPnp(ep->ch, &kc_type,
								 NULL,
								 kc_pnp_failure),
				STATUS_SUCCESS);
	return ep;
}

/* Enable the typed client @ep and hot-add its device: an open channel. */
static struct kmcl_hv_mdev *kc_open_ep(struct kunit *test, struct kc_ep *ep,
				       u16 mmio_mb)
{
	struct kc_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md;

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->ch), STATUS_SUCCESS);
	md = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&kc_type,
			       (const guid_t *)&kc_inst, mmio_mb);
	KUNIT_ASSERT_NOT_NULL(test, md);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->started) == 1));
	return md;
}

/* A new typed client, open on a hot-added device. */
static struct kc_ep *kc_open(struct kunit *test, struct kmcl_hv_mdev **mdp,
			     u16 mmio_mb)
{
	struct kc_ctx *ctx = test->priv;
	struct kc_ep *ep = kc_client(test, ctx->f.dev, true);

	*mdp = kc_open_ep(test, ep, mmio_mb);
	return ep;
}

/* Send @len bytes with @flags; the completion is recorded in @ep. */
static NTSTATUS kc_send(struct kc_ep *ep, const void *buf, u32 len, u32 flags)
{
	VMBPACKET pkt = VmbPacketAllocate(ep->ch);
	NTSTATUS st;

	if (!pkt)
		return STATUS_INSUFFICIENT_RESOURCES;
	VmbPacketSetPointer(pkt, ep);
	VmbPacketSetCompletionRoutine(pkt, kc_done);
	st = VmbPacketSend(pkt, (void *)buf, len, NULL, flags);
	if (!NT_SUCCESS(st))
		VmbPacketFree(pkt);
	return st;
}

/*
 * Runs after every channel of the test was disabled and cleaned up: KUnit
 * runs actions last-in first-out, and this one is added first.
 */
static void kc_teardown(void *data)
{
	struct kc_ctx *ctx = data;

	kmcl_hv_fixture_teardown(&ctx->f);
}

static int kc_init(struct kunit *test)
{
	struct kc_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	if (kmcl_hv_fixture_setup(&ctx->f, "kmcl_hv_chan_kunit", false))
		KUNIT_FAIL_AND_ABORT(test, "cannot set up the hv model");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kc_teardown, ctx),
			0);
	test->priv = ctx;
	return 0;
}

/* Which transport serves a new channel, and what cannot be. */
static void kc_select(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md;
	struct kc_ep *lb, *hv;
	VMBCHANNEL s = NULL;
	int refs = module_refcount(THIS_MODULE);
	void *mem;

	md = kmcl_hv_model_add_unbound(ctx->f.m, (const guid_t *)&kc_type,
				       (const guid_t *)&kc_inst);
	KUNIT_ASSERT_NOT_NULL(test, md);
	lb = kc_client(test, kmcl_loopback_parent(), true);
	KUNIT_EXPECT_STREQ(test, kc_transport(lb), "loopback");
	hv = kc_client(test, ctx->f.dev, true);
	KUNIT_EXPECT_STREQ(test, kc_transport(hv), "hv");
	/* Each hv channel pins the transport's module. */
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs + 1);

	/* Servers stay on loopback; with a VMBus parent they cannot exist. */
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(ctx->f.dev, TRUE, &s),
			STATUS_SUCCESS);
	KUNIT_EXPECT_STREQ(test, kmcl_channel_from_handle(s)->tops->name,
			   "loopback");
	VmbChannelCleanup(s);
	s = (VMBCHANNEL)0x1;
	KUNIT_EXPECT_EQ(test, VmbChannelAllocate(&md->hdev.device, TRUE, &s),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_PTR_EQ(test, (void *)s, NULL);
	mem = kunit_kzalloc(test, VmbSizeofChannel(), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_EXPECT_EQ(test, VmbChannelInitialize(&md->hdev.device, TRUE, mem,
						   VmbSizeofChannel()),
			STATUS_NOT_SUPPORTED);

	/* No target and no VMBus parent: nothing to bind to. */
	VmbChannelCleanup(hv->ch);
	hv->ch = NULL;
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
	hv = kc_client(test, ctx->f.dev, false);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(hv->ch),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m,
						  KMCL_HV_MOP_DRIVER_REGISTER), 0U);
}

/* Enable waits; the hot-added device opens with the right arguments. */
static void kc_wait_and_open(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kc_ep *ep = kc_client(test, ctx->f.dev, true);
	struct kmcl_hv_mcall call;
	struct kmcl_hv_mdev *md;
	PDEVICE_OBJECT target;
	GUID inst;
	u32 max_in;

	KUNIT_ASSERT_EQ(test, kc_ring_pages(ep, 4, 8), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m,
						   KMCL_HV_MOP_DRIVER_REGISTER, 0,
						   &call));
	KUNIT_EXPECT_TRUE(test, guid_equal(&call.u.drv.id,
					   (const guid_t *)&kc_type));
	KUNIT_EXPECT_TRUE(test, call.u.drv.has_suspend && call.u.drv.has_resume);
	msleep(50);
	KUNIT_EXPECT_EQ(test, kc_state(ep), KMCL_CH_ENABLED);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->opened), 0);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_OPEN), 0U);

	md = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&kc_type,
			       (const guid_t *)&kc_inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->started) == 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->opened), 1);
	KUNIT_EXPECT_EQ(test, kc_state(ep), KMCL_CH_OPENED);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_OPEN, 0,
						   &call));
	KUNIT_EXPECT_PTR_EQ(test, call.chan, md->chan);
	KUNIT_EXPECT_EQ(test, call.u.open.send_size, 8U * 4096);
	KUNIT_EXPECT_EQ(test, call.u.open.recv_size, 4U * 4096);
	KUNIT_EXPECT_EQ(test, call.u.open.userdatalen, 0U);
	KUNIT_EXPECT_EQ(test, call.u.open.mode, HV_CALL_DIRECT);
	KUNIT_EXPECT_EQ(test, call.u.open.rqstor_size, 0U);
	KUNIT_EXPECT_FALSE(test, call.u.open.rqstor_cb);
	/* Room for the longest packet ProcessPacket takes, headers included. */
	max_in = kmcl_in_max_pktlen(kc_ch(ep));
	KUNIT_EXPECT_GE(test, max_in, 16U + KMCL_DEFAULT_MAX_PACKET_SIZE);
	KUNIT_EXPECT_EQ(test, call.u.open.max_pkt_size, round_up(max_in, 8) + 8);

	VmbChannelGetInterfaceInstance(ep->ch, &inst);
	KUNIT_EXPECT_EQ(test, memcmp(&inst, &kc_inst, sizeof(inst)), 0);
	VmbChannelGetTargetDeviceObject(ep->ch, &target);
	KUNIT_EXPECT_PTR_EQ(test, (void *)target, (void *)&md->hdev.device);

	/* Disable: the VMBus channel is closed, the driver goes with the watch. */
	VmbChannelDisable(ep->ch);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->closed), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->suspend), 1);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_CLOSE), 1U);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(kc_count(ctx, KMCL_HV_MOP_DRIVER_UNREGISTER)
					    == 1));
}

/* In-band sends: ids, flags and bytes on the wire; completions matched. */
static void kc_send_inband(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	static const u8 payload[13] = "thirteen byte";
	struct vmpacket_descriptor *d;
	struct kmcl_hv_mcall call;
	struct kmcl_hv_mdev *md;
	u8 pkt[64] __aligned(8);
	u64 reply = 0x7265706c79ULL;
	struct kc_ep *ep;
	u64 id;
	u32 len;

	ep = kc_open(test, &md, 0);
	kmcl_hv_model_clear_log(ctx->f.m);

	KUNIT_ASSERT_EQ(test, kc_send(ep, payload, sizeof(payload), KC_WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_SENDPACKET,
						   0, &call));
	KUNIT_EXPECT_EQ(test, call.u.send.type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, call.u.send.flags, KC_CREQ);
	KUNIT_EXPECT_EQ(test, call.u.send.len, 13U);
	id = call.u.send.requestid;
	KUNIT_EXPECT_TRUE(test, kmcl_hv_txid_usable(id));
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_recv(md, pkt, sizeof(pkt), &len),
			0);
	d = (void *)pkt;
	KUNIT_EXPECT_EQ(test, len, 32U);
	KUNIT_EXPECT_EQ(test, d->type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, d->flags, KC_CREQ);
	KUNIT_EXPECT_EQ(test, d->trans_id, id);
	KUNIT_EXPECT_EQ(test, memcmp(pkt + 16, payload, 13), 0);
	/* Not complete until the host says so. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->done), 0);

	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_COMP, 0, id,
						      &reply, 8), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->done) == 1));
	KUNIT_EXPECT_EQ(test, ep->done_status[0], STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ep->done_len[0], 8U);
	KUNIT_EXPECT_EQ(test, ep->done_data[0], reply);

	/* No completion asked: flags 0, completed once written. */
	KUNIT_ASSERT_EQ(test, kc_send(ep, payload, 8, 0), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->done) == 2));
	KUNIT_EXPECT_EQ(test, ep->done_status[1], STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_SENDPACKET,
						   1, &call));
	KUNIT_EXPECT_EQ(test, call.u.send.type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, call.u.send.flags, 0U);
	KUNIT_EXPECT_EQ(test, call.u.send.len, 8U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m,
						  KMCL_HV_MOP_SENDPACKET_MPB), 0U);
}

/* Incoming packets: copied out, delivered, completed with the host's id. */
static void kc_receive(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kmcl_hv_mcall call;
	struct kmcl_hv_mdev *md;
	u8 data[24], pkt[64] __aligned(8);
	struct vmpacket_descriptor *d = (void *)pkt;
	struct hv_ring_buffer *rb;
	struct kc_ep *ep;
	u32 i, len;

	for (i = 0; i < sizeof(data); i++)
		data[i] = 0x40 + i;
	ep = kc_open(test, &md, 0);
	kmcl_hv_model_clear_log(ctx->f.m);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND,
						      KC_CREQ, 0x1234, data,
						      sizeof(data)), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->received) == 1));
	KUNIT_EXPECT_EQ(test, ep->rx_len, 24U);
	KUNIT_EXPECT_EQ(test, ep->rx_flags, 0U);
	KUNIT_EXPECT_EQ(test, memcmp(ep->rx, data, sizeof(data)), 0);

	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(kc_count(ctx, KMCL_HV_MOP_SENDPACKET)
					    == 1));
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_SENDPACKET,
						   0, &call));
	KUNIT_EXPECT_EQ(test, call.u.send.type, VM_PKT_COMP);
	KUNIT_EXPECT_EQ(test, call.u.send.flags, 0U);
	KUNIT_EXPECT_EQ(test, call.u.send.requestid, 0x1234ULL);
	KUNIT_EXPECT_EQ(test, call.u.send.len, 8U);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_recv(md, pkt, sizeof(pkt), &len),
			0);
	KUNIT_EXPECT_EQ(test, d->type, VM_PKT_COMP);
	KUNIT_EXPECT_EQ(test, d->trans_id, 0x1234ULL);
	KUNIT_EXPECT_EQ(test, *(u64 *)(pkt + 16), ep->comp);
	/* The reader worked on hv_vmbus's iterator, batch by batch. */
	KUNIT_EXPECT_GE(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_BEGIN_READ),
			1U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_ITER_NEXT),
			1U);
	/*
	 * Every batch that masked the host's interrupts unmasked them. Another
	 * (empty) batch may start at any time, masking before the model logs
	 * it: wait for a moment with no batch running and the mask clear. The
	 * model's own count of open batches, not the log: the log was cleared
	 * above, maybe inside the open-time batch, whose END_READ it then
	 * holds without its BEGIN_READ.
	 */
	rb = md->chan->inbound.ring_buffer;
	KUNIT_EXPECT_TRUE(test,
			  kmcl_hv_wait_for(!atomic_read(&md->reading) &&
					   !READ_ONCE(rb->interrupt_mask)));
}

/* A packet hv_vmbus truncated to max_pkt_size is refused, never parsed. */
static void kc_truncated(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	static u8 big[8192];
	struct kmcl_hv_mdev *md;
	struct kc_ep *ep;

	ep = kc_open(test, &md, 0);
	kmcl_hv_model_clear_log(ctx->f.m);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND, 0, 7,
						      big, sizeof(big)), 0);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(READ_ONCE(kc_ch(ep)->fail_err) != 0));
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->received), 0);
	/* Never stepped over: the ring is out of step after a cut copy. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_ITER_NEXT),
			0U);
}

/*
 * -EAGAIN from hv_vmbus: KMCL queues packets and completions, asks for
 * room (pending_send_sz), and sends them in order once the host read.
 */
static void kc_ring_full(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kc_ep *ep = kc_client(test, ctx->f.dev, true);
	struct kmcl_hv_mcall call;
	struct kmcl_hv_mdev *md;
	u8 buf[200] = { }, pkt[256] __aligned(8);
	unsigned int i, got = 0, eagain = 0;
	u64 v = 5;
	u32 len;

	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(ep->ch, 256),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, kc_ring_pages(ep, 2, 2), STATUS_SUCCESS);
	md = kc_open_ep(test, ep, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_OPEN, 0,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.open.send_size, 2U * 4096);

	/* 30 packets of 216 bytes (+ 8) into a 4 KiB data area. */
	for (i = 0; i < 30; i++) {
		buf[0] = i;
		KUNIT_ASSERT_EQ(test, kc_send(ep, buf, sizeof(buf), 0),
				STATUS_SUCCESS);
	}
	for (i = 0; kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_SENDPACKET, i, &call);
	     i++)
		eagain += call.ret == -EAGAIN;
	KUNIT_EXPECT_GE(test, eagain, 1U);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_SET_PENDING,
						   0, &call));
	KUNIT_EXPECT_EQ(test, call.u.size, 16U + 200 + 8);
	KUNIT_EXPECT_LT(test, atomic_read(&ep->done), 30);

	/* The completion of a host request waits behind them, in order. */
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND,
						      KC_CREQ, 0x77, &v, 8), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->received) == 1));

	/* The host reads; its interrupt restarts the queue. In order. */
	while (got < 30 &&
	       kmcl_hv_wait_for(!kmcl_hv_model_host_recv(md, pkt, sizeof(pkt),
							 &len))) {
		KUNIT_EXPECT_EQ(test, len, 216U);
		KUNIT_EXPECT_EQ(test, pkt[16], got);
		got++;
	}
	KUNIT_EXPECT_EQ(test, got, 30U);
	KUNIT_ASSERT_TRUE(test,
			  kmcl_hv_wait_for(!kmcl_hv_model_host_recv(md, pkt,
								    sizeof(pkt),
								    &len)));
	KUNIT_EXPECT_EQ(test, len, 24U);
	KUNIT_EXPECT_EQ(test, ((struct vmpacket_descriptor *)pkt)->type,
			VM_PKT_COMP);
	KUNIT_EXPECT_EQ(test, ((struct vmpacket_descriptor *)pkt)->trans_id,
			0x77ULL);
	KUNIT_EXPECT_EQ(test, *(u64 *)(pkt + 16), ep->comp);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->done) == 30));
	for (i = 0; i < 30; i++)
		KUNIT_EXPECT_EQ(test, ep->done_status[i], STATUS_SUCCESS);
	/* Done asking for room. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_host_pending(md), 0U);
}

/* GPA-direct packets from the packet code go to vmbus_sendpacket_mpb_desc. */
static void kc_gpa_direct(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kc_ep *ep = kc_client(test, ctx->f.dev, true);
	struct {
		struct kmcl_gpa_range r;
		u64 pfn[2];
	} __packed rg = {
		.r = { .byte_count = 8192, .byte_offset = 0 },
		.pfn = { 0x100, 0x101 },
	};
	struct kmcl_xmit x = {
		.type = KMCL_PKT_DATA_USING_GPA_DIRECT,
		.flags = KMCL_PKT_FLAG_COMPLETION_REQUESTED,
		.trans_id = 0x500000002ULL,
		.ranges = &rg.r,
		.range_count = 1,
		.ranges_len = sizeof(rg),
	};
	struct vmbus_packet_mpb_array *d;
	struct kmcl_hv_mcall call;
	struct kmcl_hv_mdev *md;
	struct kmcl_channel *ch;
	u8 pkt[128] __aligned(8);
	u64 cmd = 0xc0ffee;
	bool signal = true;
	u32 len;
	int ret;

	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(ep->ch, 8192, 1),
			STATUS_SUCCESS);
	md = kc_open_ep(test, ep, 0);
	ch = kc_ch(ep);
	/* What this kernel's vmbus_sendpacket_mpb_desc() carries. */
	KUNIT_EXPECT_EQ(test, ch->tops->gpa_ranges_max, KMCL_HV_MPB_MAX_RANGES);
	kmcl_hv_model_clear_log(ctx->f.m);

	x.data = &cmd;
	x.len = sizeof(cmd);
	spin_lock_bh(&ch->out.lock);
	ret = ch->tops->ring->xmit(ch, &x, &signal);
	spin_unlock_bh(&ch->out.lock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	/* hv_vmbus signals the host itself. */
	KUNIT_EXPECT_FALSE(test, signal);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m,
						   KMCL_HV_MOP_SENDPACKET_MPB, 0,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.mpb.desc_size, 24U + 24);
	KUNIT_EXPECT_EQ(test, call.u.mpb.rangecount, 1U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.len, 8U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.requestid, 0x500000002ULL);
	KUNIT_EXPECT_EQ(test, call.u.mpb.range_len[0], 8192U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.range_off[0], 0U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.pfn[0][0], 0x100ULL);
	KUNIT_EXPECT_EQ(test, call.u.mpb.pfn[0][1], 0x101ULL);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_recv(md, pkt, sizeof(pkt), &len),
			0);
	d = (void *)pkt;
	KUNIT_EXPECT_EQ(test, len, 56U);
	KUNIT_EXPECT_EQ(test, d->type, VM_PKT_DATA_USING_GPA_DIRECT);
	KUNIT_EXPECT_EQ(test, d->flags, KC_CREQ);
	KUNIT_EXPECT_EQ(test, d->transactionid, 0x500000002ULL);
	KUNIT_EXPECT_EQ(test, *(u64 *)(pkt + 48), cmd);

	/* More ranges than the channel's limits allow: refused, not sent. */
	x.range_count = 2;
	x.ranges_len = 2 * sizeof(rg);
	spin_lock_bh(&ch->out.lock);
	ret = ch->tops->ring->xmit(ch, &x, &signal);
	spin_unlock_bh(&ch->out.lock);
	KUNIT_EXPECT_TRUE(test, ret == -EMSGSIZE || ret == -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m,
						  KMCL_HV_MOP_SENDPACKET_MPB), 1U);
}

/*
 * VmbPacketSendWithExternalMdl on an hv channel: one
 * vmbus_sendpacket_mpb_desc() with the buffer's PFNs and a KMCL id; the
 * packet completes once, when the host's completion arrives.
 */
static void kc_external_mdl(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kc_ep *ep = kc_client(test, ctx->f.dev, true);
	struct kmcl_hv_mcall call;
	struct kmcl_hv_mdev *md;
	u64 cmd = 0x65787464617461ULL, reply = 0x646f6e65ULL;
	unsigned long buf;
	VMBPACKET pkt;
	PMDL mdl;

	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(ep->ch, 16384, 2),
			STATUS_SUCCESS);
	md = kc_open_ep(test, ep, 0);

	buf = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
	KUNIT_ASSERT_NE(test, buf, 0UL);
	mdl = IoAllocateMdl((void *)buf, 8192, FALSE, FALSE, NULL);
	KUNIT_ASSERT_NOT_NULL(test, mdl);
	MmBuildMdlForNonPagedPool(mdl);
	pkt = VmbPacketAllocate(ep->ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	VmbPacketSetPointer(pkt, ep);
	VmbPacketSetCompletionRoutine(pkt, kc_done);
	kmcl_hv_model_clear_log(ctx->f.m);
	/* 100 bytes into the buffer, 5000 long: two pages. */
	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalMdl(pkt, &cmd, sizeof(cmd),
							   mdl, 100, 5000, KC_WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m,
						   KMCL_HV_MOP_SENDPACKET_MPB, 0,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.mpb.rangecount, 1U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.len, 8U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.range_off[0], 100U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.range_len[0], 5000U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.pfn[0][0], (u64)MmGetMdlPfnArray(mdl)[0]);
	KUNIT_EXPECT_EQ(test, call.u.mpb.pfn[0][1], (u64)MmGetMdlPfnArray(mdl)[1]);
	/* A KMCL id: never 0, never one of the top four values. */
	KUNIT_EXPECT_NE(test, call.u.mpb.requestid, 0ULL);
	KUNIT_EXPECT_LT(test, call.u.mpb.requestid, U64_MAX - 3);
	msleep(50);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->done), 0);

	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_COMP, 0,
						      call.u.mpb.requestid,
						      &reply, sizeof(reply)), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->done) == 1));
	KUNIT_EXPECT_EQ(test, ep->done_status[0], STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ep->done_data[0], reply);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->done), 1);
	IoFreeMdl(mdl);
	VmbChannelDisable(ep->ch);
	free_pages(buf, 1);
}

/*
 * The host's transfer-page packet into the receive GPADL the driver
 * registered: MDLs over the right bytes, the completion with the host's
 * id; an unregistered set is refused.
 */
static void kc_xfer_pages(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kc_ep *ep = kc_client(test, ctx->f.dev, true);
	struct {
		struct vmtransfer_page_packet_header h;
		struct vmtransfer_page_range r[2];
		u64 data;
	} __packed xp = {
		.h = {
			.d = {
				.type = VM_PKT_DATA_USING_XFER_PAGES,
				.flags = KC_CREQ,
				.trans_id = 0xabcdef,
			},
			.xfer_pageset_id = 0xcafe,
			.range_cnt = 2,
		},
		.r = { { .byte_count = 300, .byte_offset = 16 },
		       { .byte_count = 1000, .byte_offset = 5000 } },
		.data = 0x7866657270616765ULL,
	};
	u8 pkt[64] __aligned(8);
	struct vmpacket_descriptor *d = (void *)pkt;
	struct kmcl_hv_mdev *md;
	UINT32 h = 0, len, i;
	u8 *va;

	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(ep->ch, 16384, 2),
			STATUS_SUCCESS);
	md = kc_open_ep(test, ep, 0);
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadl(ep->ch, 0, 2, &h),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelGetSystemAddressForGpadl(ep->ch, 0, h,
								 (PVOID *)&va),
			STATUS_SUCCESS);
	for (i = 0; i < 8192; i++)
		va[i] = (i * 3 + 7) & 0xff;
	KUNIT_ASSERT_EQ(test, KmclChannelSetTransferPageSet(ep->ch, 0xcafe, h),
			STATUS_SUCCESS);
	ep->ext_src = va;
	ep->ext_off[0] = 16;
	ep->ext_off[1] = 5000;
	kmcl_hv_model_clear_log(ctx->f.m);

	xp.h.d.offset8 = offsetof(typeof(xp), data) / 8;
	xp.h.d.len8 = sizeof(xp) / 8;
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_write_raw(md, &xp, sizeof(xp)), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->received) == 1));
	KUNIT_EXPECT_EQ(test, ep->rx_flags,
			(u32)VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA);
	KUNIT_EXPECT_EQ(test, ep->rx_len, 8U);
	KUNIT_EXPECT_EQ(test, *(u64 *)ep->rx, xp.data);
	KUNIT_EXPECT_EQ(test, ep->ext_st, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ep->ext_nmdl, 2U);
	KUNIT_EXPECT_TRUE(test, ep->ext_ok);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(kc_count(ctx, KMCL_HV_MOP_SENDPACKET)
					    == 1));
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_recv(md, pkt, sizeof(pkt), &len),
			0);
	KUNIT_EXPECT_EQ(test, d->type, VM_PKT_COMP);
	KUNIT_EXPECT_EQ(test, d->trans_id, 0xabcdefULL);

	/* A set the driver never registered: refused as hostile. */
	xp.h.xfer_pageset_id = 0xbeef;
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_write_raw(md, &xp, sizeof(xp)), 0);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(READ_ONCE(kc_ch(ep)->fail_err) != 0));
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->received), 1);
	VmbChannelDisable(ep->ch);
}

/* Rescind of an open channel: Closed, pending packets end, Disabled. */
static void kc_rescind(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md;
	struct kc_ep *ep;
	u64 v = 1;

	ep = kc_open(test, &md, 0);
	KUNIT_ASSERT_EQ(test, kc_send(ep, &v, 8, KC_WAIT), STATUS_SUCCESS);
	kmcl_hv_model_rescind_async(md);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->closed) == 1));
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(kc_state(ep) ==
					    KMCL_CH_DISABLED));
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->done), 1);
	KUNIT_EXPECT_EQ(test, ep->done_status[0], STATUS_DEVICE_REMOVED);
	kmcl_hv_model_flush(ctx->f.m);
	KUNIT_EXPECT_TRUE(test, md->gone);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_CLOSE), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->pnp), 0);
}

/* Rescind while vmbus_open() waits for the host: the client waits on. */
static void kc_rescind_while_opening(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kc_ep *ep = kc_client(test, ctx->f.dev, true);
	struct kmcl_hv_mdev *md, *md2;

	ctx->f.m->open_hold = true;
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->ch), STATUS_SUCCESS);
	md = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&kc_type,
			       (const guid_t *)&kc_inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(kmcl_hv_model_host_waiting(md)));
	kmcl_hv_model_rescind_async(md);
	kmcl_hv_model_flush(ctx->f.m);
	KUNIT_EXPECT_TRUE(test, md->gone);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->opened), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->pnp), 0);
	KUNIT_EXPECT_EQ(test, kc_state(ep), KMCL_CH_ENABLED);

	/* The next offer opens it. */
	ctx->f.m->open_hold = false;
	md2 = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&kc_type,
				(const guid_t *)&kc_inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, md2);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->started) == 1));
}

/* The host refuses the open: PnpFailure, then Disabled. */
static void kc_host_refuses(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kc_ep *ep = kc_client(test, ctx->f.dev, true);
	struct kmcl_hv_mdev *md;

	ctx->f.m->open_result = -EAGAIN;
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->ch), STATUS_SUCCESS);
	md = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&kc_type,
			       (const guid_t *)&kc_inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->pnp) == 1));
	KUNIT_EXPECT_FALSE(test, NT_SUCCESS(ep->pnp_status));
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(kc_state(ep) ==
					    KMCL_CH_DISABLED));
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->opened), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->closed), 0);
	/* The device is free again: a new enable after the host agrees opens. */
	ctx->f.m->open_result = 0;
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->started) == 1));
}

/* Hibernation with the channel open: closed, then opened again. */
static void kc_suspend_resume(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md;
	struct kc_ep *ep;

	ep = kc_open(test, &md, 0);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_suspend(md), 0);
	/* suspend returned: the VMBus channel is closed. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_CLOSE), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->suspend), 1);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->closed) == 1));
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(kc_state(ep) ==
					    KMCL_CH_ENABLED));
	msleep(20);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_OPEN), 1U);

	KUNIT_EXPECT_EQ(test, kmcl_hv_model_resume(md), 0);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->started) == 2));
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->opened), 2);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_OPEN), 2U);
	KUNIT_EXPECT_EQ(test, kc_state(ep), KMCL_CH_OPENED);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->pnp), 0);
}

/* GPADLs: the host's handle, teardown with it, confidential VM rules. */
static void kc_gpadl(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kmcl_hv_mcall call;
	struct kmcl_hv_mdev *md;
	unsigned long buf;
	struct kc_ep *ep;
	UINT32 h = 0, h2 = 0;
	NTSTATUS st;

	ep = kc_open(test, &md, 0);
	buf = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
	KUNIT_ASSERT_NE(test, buf, 0UL);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(ep->ch, 0,
							      (void *)buf, 8192,
							      &h),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m,
						   KMCL_HV_MOP_ESTABLISH_GPADL, 0,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.gpadl.size, 8192U);
	KUNIT_EXPECT_EQ(test, call.ret, 0);
	/* The driver gets the handle the host knows. */
	KUNIT_EXPECT_EQ(test, h, call.u.gpadl.handle);
	VmbChannelDeleteGpadl(ep->ch, h);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m,
						   KMCL_HV_MOP_TEARDOWN_GPADL, 0,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.gpadl.handle, h);

	/* The host refuses: its error, nothing left. */
	ctx->f.m->gpadl_result = -EDQUOT;
	st = VmbChannelCreateGpadlFromBuffer(ep->ch, 0, (void *)buf, 4096, &h);
	KUNIT_EXPECT_FALSE(test, NT_SUCCESS(st));
	ctx->f.m->gpadl_result = 0;

	/* Confidential VM: the driver's memory cannot be shared in place. */
	ctx->f.m->isolated = true;
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(ep->ch, 0,
							      (void *)buf, 4096,
							      &h),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m,
						  KMCL_HV_MOP_ESTABLISH_GPADL), 2U);
	/* KMCL's own pages may; left to Closed, they are torn down there. */
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadl(ep->ch, 0, 2, &h2),
			STATUS_SUCCESS);
	KUNIT_EXPECT_NE(test, h2, 0U);
	VmbChannelDisable(ep->ch);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m,
						  KMCL_HV_MOP_TEARDOWN_GPADL), 2U);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m,
						   KMCL_HV_MOP_TEARDOWN_GPADL, 1,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.gpadl.handle, h2);
	/* Torn down once each (after vmbus_close()), the channel closed once. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_CLOSE), 1U);
	free_pages(buf, 1);
}

/* MMIO from the offer, latency approximated by low_latency. */
static void kc_mmio_latency(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kmcl_hv_mcall call;
	struct kmcl_hv_mdev *md;
	struct kc_ep *ep;
	UINT64 addr = 0, size = 0;
	UINT16 old = 1;

	ep = kc_open(test, &md, 4);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m,
						   KMCL_HV_MOP_ALLOCATE_MMIO, 0,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.mmio.size, 4ULL << 20);
	VmbChannelGetMmioSpace(ep->ch, &addr, &size);
	KUNIT_EXPECT_EQ(test, addr, (u64)call.u.mmio.start);
	KUNIT_EXPECT_EQ(test, size, 4ULL << 20);

	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(ep->ch, 500, &old),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, old, 0);
	KUNIT_EXPECT_TRUE(test, md->chan->low_latency);
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(ep->ch, 5000, &old),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, old, 500);
	KUNIT_EXPECT_FALSE(test, md->chan->low_latency);

	VmbChannelDisable(ep->ch);
	VmbChannelGetMmioSpace(ep->ch, &addr, &size);
	KUNIT_EXPECT_EQ(test, addr, 0ULL);
	KUNIT_EXPECT_EQ(test, size, 0ULL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_FREE_MMIO),
			1U);
}

/* A VSC with its own hv_device passes it as the parent: no TargetPnp. */
static void kc_parent_bound(struct kunit *test)
{
	struct kc_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md;
	PDEVICE_OBJECT target;
	struct kc_ep *ep;

	md = kmcl_hv_model_add_unbound(ctx->f.m, (const guid_t *)&kc_type,
				       (const guid_t *)&kc_inst);
	KUNIT_ASSERT_NOT_NULL(test, md);
	ep = kc_client(test, &md->hdev.device, false);
	KUNIT_EXPECT_STREQ(test, kc_transport(ep), "hv");
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->started) == 1));
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m,
						  KMCL_HV_MOP_DRIVER_REGISTER), 0U);
	VmbChannelGetTargetDeviceObject(ep->ch, &target);
	KUNIT_EXPECT_PTR_EQ(test, (void *)target, (void *)&md->hdev.device);
	VmbChannelDisable(ep->ch);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_CLOSE), 1U);
}

static struct kunit_case kmcl_hv_chan_cases[] = {
	KUNIT_CASE(kc_select),
	KUNIT_CASE(kc_wait_and_open),
	KUNIT_CASE(kc_send_inband),
	KUNIT_CASE(kc_receive),
	KUNIT_CASE(kc_truncated),
	KUNIT_CASE(kc_ring_full),
	KUNIT_CASE(kc_gpa_direct),
	KUNIT_CASE(kc_external_mdl),
	KUNIT_CASE(kc_xfer_pages),
	KUNIT_CASE(kc_rescind),
	KUNIT_CASE(kc_rescind_while_opening),
	KUNIT_CASE(kc_host_refuses),
	KUNIT_CASE(kc_suspend_resume),
	KUNIT_CASE(kc_gpadl),
	KUNIT_CASE(kc_mmio_latency),
	KUNIT_CASE(kc_parent_bound),
	{}
};

static struct kunit_suite kmcl_hv_chan_suite = {
	.name = "kmcl_hv_chan",
	.init = kc_init,
	.test_cases = kmcl_hv_chan_cases,
};

kunit_test_suite(kmcl_hv_chan_suite);
