// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_hv_pipe: pipe mode (VMBUS_CHANNEL_INIT_FLAG_IS_PIPE) of
 * a KMCL client over kmcl_hv, against the model of hv_vmbus. The host side
 * of the rings is the model's: it reads the pipe header KMCL writes and
 * writes pipe packets, good and hostile, as a host (or hv_sock's peer)
 * would.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/string.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl.h"
#include "chan.h"
#include "fixture.h"
#include "model.h"
#include "pipe.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_TRANSPORT);

static const GUID kp_type = {
	0x5e4d3c2b, 0x1a09, 0x4f8e, { 0xb7, 0xc6, 0xd5, 0xe4, 0xf3, 0x02, 0x1b, 0x2a }
};

static const GUID kp_inst = {
	0x6f5e4d3c, 0x2b1a, 0x4a9f, { 0xc8, 0xd7, 0xe6, 0xf5, 0x04, 0x13, 0x2c, 0x3b }
};

#define KP_MAX		128U
#define KP_WAIT		VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION

/**
 * struct kp_ep - a pipe client and what it saw
 * @ch: the channel.
 * @started: EvtChannelStarted calls.
 * @received: ProcessPacket calls.
 * @rx: the last datagram's first bytes.
 * @rx_len: its length.
 * @rx_flags: its flags.
 * @done: completion routine calls.
 * @done_status: the last one's status.
 */
struct kp_ep {
	VMBCHANNEL ch;
	atomic_t started;
	atomic_t received;
	u8 rx[KP_MAX];
	u32 rx_len;
	u32 rx_flags;
	atomic_t done;
	NTSTATUS done_status;
};

/**
 * struct kp_ctx - per-test state
 * @f: the model and kmcl_hv's transport over it.
 */
struct kp_ctx {
	struct kmcl_hv_fixture f;
};

static VOID kp_started(VMBCHANNEL ch, PVOID ctx)
{
	struct kp_ep *ep = ctx;

	atomic_inc(&ep->started);
}

static VOID kp_process(VMBCHANNEL ch, PVOID ctx, VMBPACKETCOMPLETION pkt,
		       PVOID buf, UINT32 len, UINT32 flags)
{
	struct kp_ep *ep = ctx;
	u64 answer = 0x616e73776572ULL;

	memcpy(ep->rx, buf, min_t(u32, len, sizeof(ep->rx)));
	ep->rx_len = len;
	ep->rx_flags = flags;
	/* A pipe sends nothing back, whatever the driver passes. */
	VmbChannelPacketComplete(pkt, &answer, sizeof(answer));
	atomic_inc(&ep->received);
}

static VOID kp_done(VMBPACKET pkt, NTSTATUS status, PVOID buf, UINT32 len)
{
	struct kp_ep *ep = VmbPacketGetPointer(pkt);

	ep->done_status = status;
	VmbPacketFree(pkt);
	atomic_inc(&ep->done);
}

static void kp_ep_release(void *data)
{
	struct kp_ep *ep = data;

	VmbChannelDisable(ep->ch);
	VmbChannelCleanup(ep->ch);
}

static struct kmcl_channel *kp_ch(struct kp_ep *ep)
{
	return kmcl_channel_from_handle(ep->ch);
}

/* A pipe client of kp_type, open on a hot-added device *@mdp. */
static struct kp_ep *kp_open(struct kunit *test, struct kmcl_hv_mdev **mdp)
{
	struct kp_ctx *ctx = test->priv;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 cb;
	struct kp_ep *ep = kunit_kzalloc(test, sizeof(*ep), GFP_KERNEL);
	VMBCHANNEL ch;

	KUNIT_ASSERT_NOT_NULL(test, ep);
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(ctx->f.dev, FALSE, &ch),
			STATUS_SUCCESS);
	ep->ch = ch;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kp_ep_release, ep),
			0);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5(&cb);
	cb.CallbackContext = ep;
	cb.EvtChannelStartedEx = kp_started;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetStateChangeCallbacks(ch, (void *)&cb),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetProcessPacketCallbacksEx(ch, ep,
									kp_process,
									NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test,
			VmbClientChannelInitSetTargetPnp(ch, &kp_type, NULL, NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(ch, KP_MAX),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetFlags(ch,
						     VMBUS_CHANNEL_INIT_FLAG_IS_PIPE),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ch), STATUS_SUCCESS);
	*mdp = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&kp_type,
				 (const guid_t *)&kp_inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, *mdp);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->started) == 1));
	return ep;
}

static NTSTATUS kp_send(struct kp_ep *ep, const void *buf, u32 len, u32 flags)
{
	VMBPACKET pkt = VmbPacketAllocate(ep->ch);
	NTSTATUS st;

	if (!pkt)
		return STATUS_INSUFFICIENT_RESOURCES;
	VmbPacketSetPointer(pkt, ep);
	VmbPacketSetCompletionRoutine(pkt, kp_done);
	st = VmbPacketSend(pkt, (void *)buf, len, NULL, flags);
	if (!NT_SUCCESS(st))
		VmbPacketFree(pkt);
	return st;
}

static u64 kp_in_stat(struct kmcl_channel *ch, const u64 *field)
{
	u64 v;

	spin_lock_bh(&ch->in.lock);
	v = *field;
	spin_unlock_bh(&ch->in.lock);
	return v;
}

static void kp_teardown(void *data)
{
	struct kp_ctx *ctx = data;

	kmcl_hv_fixture_teardown(&ctx->f);
}

static int kp_init(struct kunit *test)
{
	struct kp_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	if (kmcl_hv_fixture_setup(&ctx->f, "kmcl_hv_pipe_kunit", false))
		KUNIT_FAIL_AND_ABORT(test, "cannot set up the hv model");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kp_teardown, ctx),
			0);
	test->priv = ctx;
	return 0;
}

/*
 * What the host reads: an in-band packet without a completion request,
 * the pipe header, the datagram. hv_vmbus was told the header's room.
 */
static void kp_send_test(struct kunit *test)
{
	struct kp_ctx *ctx = test->priv;
	static const u8 payload[13] = "thirteen byte";
	struct vmpacket_descriptor *d;
	struct kmcl_hv_mcall call;
	struct kmcl_hv_mdev *md;
	u8 pkt[64] __aligned(8);
	struct kmcl_pipe_hdr h;
	struct kp_ep *ep;
	u32 len;

	ep = kp_open(test, &md);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_OPEN, 0,
						   &call));
	KUNIT_EXPECT_GE(test, call.u.open.max_pkt_size,
			(u32)sizeof(*d) + KMCL_PIPE_HDR_LEN + KP_MAX);
	kmcl_hv_model_clear_log(ctx->f.m);

	KUNIT_ASSERT_EQ(test, kp_send(ep, payload, sizeof(payload), 0),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->done) == 1));
	KUNIT_EXPECT_EQ(test, ep->done_status, STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_SENDPACKET,
						   0, &call));
	KUNIT_EXPECT_EQ(test, call.u.send.type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, call.u.send.flags, 0U);
	KUNIT_EXPECT_EQ(test, call.u.send.len, KMCL_PIPE_HDR_LEN + 13);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_recv(md, pkt, sizeof(pkt), &len),
			0);
	d = (void *)pkt;
	KUNIT_EXPECT_EQ(test, len, 40U);
	KUNIT_EXPECT_EQ(test, d->type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, d->flags, 0);
	memcpy(&h, pkt + 16, sizeof(h));
	KUNIT_EXPECT_EQ(test, h.pkt_type, 1U);
	KUNIT_EXPECT_EQ(test, h.data_size, 13U);
	KUNIT_EXPECT_EQ(test, memcmp(pkt + 24, payload, 13), 0);

	/* Refused before anything reaches hv_vmbus. */
	KUNIT_EXPECT_EQ(test, kp_send(ep, payload, 8, KP_WAIT),
			STATUS_INVALID_PARAMETER_5);
	KUNIT_EXPECT_EQ(test, kp_send(ep, payload, KP_MAX + 1, 0),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m,
						  KMCL_HV_MOP_SENDPACKET), 1U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m,
						  KMCL_HV_MOP_SENDPACKET_MPB), 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->done), 1);
}

/* A host datagram arrives without its header; nothing is sent back. */
static void kp_receive_test(struct kunit *test)
{
	struct kp_ctx *ctx = test->priv;
	struct kmcl_pipe_hdr h = { KMCL_PIPE_MSG_DATA, 21 };
	struct kmcl_hv_mdev *md;
	u8 data[32] = {};
	struct kp_ep *ep;
	u32 i;

	for (i = 0; i < 21; i++)
		data[8 + i] = 0x60 + i;
	memcpy(data, &h, sizeof(h));
	ep = kp_open(test, &md);
	kmcl_hv_model_clear_log(ctx->f.m);
	/* hv_sock's peer asks for no completion; one that does is not answered. */
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND, 0, 0,
						      data, 8 + 21), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND,
						      VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED,
						      0x55, data, 8 + 21), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->received) == 2));
	KUNIT_EXPECT_EQ(test, ep->rx_len, 21U);
	KUNIT_EXPECT_EQ(test, ep->rx_flags, 0U);
	KUNIT_EXPECT_EQ(test, memcmp(ep->rx, data + 8, 21), 0);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m,
						  KMCL_HV_MOP_SENDPACKET), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_host_pending(md), 0U);
	KUNIT_EXPECT_EQ(test, kp_in_stat(kp_ch(ep), &kp_ch(ep)->in.stats.rejected),
			0ULL);
}

/* Hostile pipe headers from the host: rejected, counted, never delivered. */
struct kp_evil_case {
	u32 pkt_type;
	u32 data_size;
	u32 len;
	bool type;
	const char *name;
};

static const struct kp_evil_case kp_evil_cases[] = {
	{ 2, 8, 16, true, "unknown pkt_type" },
	{ 1, 9, 16, false, "data_size past the packet" },
	{ 1, 0, 16, false, "data_size short of the packet" },
	{ 1, 0, 0, false, "no room for the header" },
};

static void kp_evil_desc(const struct kp_evil_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kp_evil, kp_evil_cases, kp_evil_desc);

static void kp_hostile_test(struct kunit *test)
{
	const struct kp_evil_case *c = test->param_value;
	struct kmcl_pipe_hdr h = { c->pkt_type, c->data_size };
	struct kmcl_channel *ch;
	struct kmcl_hv_mdev *md;
	u8 data[16] = {};
	struct kp_ep *ep;
	int err;

	memcpy(data, &h, sizeof(h));
	ep = kp_open(test, &md);
	ch = kp_ch(ep);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND, 0, 0,
						      data, c->len), 0);
	/* kmcl_channel_fail() runs after the count. */
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(kp_in_stat(ch,
							    &ch->in.stats.rejected)
						 == 1 && READ_ONCE(ch->fail_err)));
	err = READ_ONCE(ch->fail_err);
	if (c->type)
		KUNIT_EXPECT_EQ(test, kp_in_stat(ch, &ch->in.stats.rejected_type),
				1ULL);
	else
		KUNIT_EXPECT_EQ(test, kp_in_stat(ch,
						 &ch->in.stats.rejected_malformed),
				1ULL);
	KUNIT_EXPECT_EQ(test, err, c->type ? -EPROTO : -EBADMSG);
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->received), 0);
	KUNIT_EXPECT_EQ(test, kp_in_stat(ch, &ch->in.stats.received), 0ULL);
}

static struct kunit_case kmcl_hv_pipe_cases[] = {
	KUNIT_CASE(kp_send_test),
	KUNIT_CASE(kp_receive_test),
	KUNIT_CASE_PARAM(kp_hostile_test, kp_evil_gen_params),
	{}
};

static struct kunit_suite kmcl_hv_pipe_suite = {
	.name = "kmcl_hv_pipe",
	.init = kp_init,
	.test_cases = kmcl_hv_pipe_cases,
};

kunit_test_suite(kmcl_hv_pipe_suite);
