// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_hv_subchannel: KMCL client subchannels carried by
 * kmcl_hv over the model of hv_vmbus (model.c), as a ported multi-queue
 * VSC uses them: the host offers subchannels of the primary's VMBus
 * channel through the sc_creation_callback, and the KMCL subchannel with
 * index N opens offer N.
 *
 * Checked: an offer that comes before its KMCL subchannel waits, and a
 * KMCL subchannel enabled before its offer waits for it; each opens its
 * own VMBus subchannel (vmbus_open on that channel) and carries its own
 * bytes both ways; hostile offers (a primary kmcl_hv does not hold, a
 * duplicate index, index 0) are refused and counted; the primary's close
 * (disable or rescind) closes the subchannel first; a subchannel's rescind
 * closes only it; enabling before the primary is open is refused.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/string.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl.h"
#include "chan.h"
#include "fixture.h"
#include "model.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_TRANSPORT);

static const GUID hs_type = {
	0x5e4d3c2b, 0x1a09, 0x4f8e, { 0xb7, 0xc6, 0xd5, 0xe4, 0xf3, 0x02, 0x1b, 0x2a }
};

static const GUID hs_inst = {
	0x6f5e4d3c, 0x2b1a, 0x4098, { 0xc8, 0xd7, 0xe6, 0xf5, 0x04, 0x13, 0x2c, 0x3b }
};

#define HS_WAIT	VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION

/* Orders Closed callbacks across endpoints. */
static atomic_t hs_seq = ATOMIC_INIT(0);

/**
 * struct hs_ep - a client channel and what its driver saw
 * @ch: the channel.
 * @opened: EvtChannelOpened calls.
 * @closed: EvtChannelClosed calls.
 * @closed_seq: hs_seq at its last Closed.
 * @started: EvtChannelStarted calls.
 * @received: ProcessPacket calls.
 * @rx: the last packet's first bytes.
 * @rx_len: its length.
 * @done: outgoing completions.
 * @done_status: the last one's status.
 */
struct hs_ep {
	VMBCHANNEL ch;
	atomic_t opened;
	atomic_t closed;
	int closed_seq;
	atomic_t started;
	atomic_t received;
	u8 rx[64];
	u32 rx_len;
	atomic_t done;
	NTSTATUS done_status;
};

struct hs_ctx {
	struct kmcl_hv_fixture f;
};

static NTSTATUS hs_opened(VMBCHANNEL ch, PVOID ctx)
{
	atomic_inc(&((struct hs_ep *)ctx)->opened);
	return STATUS_SUCCESS;
}

static VOID hs_closed(VMBCHANNEL ch, PVOID ctx)
{
	struct hs_ep *ep = ctx;

	ep->closed_seq = atomic_inc_return(&hs_seq);
	atomic_inc(&ep->closed);
}

static VOID hs_started(VMBCHANNEL ch, PVOID ctx)
{
	atomic_inc(&((struct hs_ep *)ctx)->started);
}

static VOID hs_nop(VMBCHANNEL ch, PVOID ctx)
{
}

static VOID hs_process(VMBCHANNEL ch, PVOID ctx, VMBPACKETCOMPLETION pkt,
		       PVOID buf, UINT32 len, UINT32 flags)
{
	struct hs_ep *ep = ctx;

	memcpy(ep->rx, buf, min_t(u32, len, sizeof(ep->rx)));
	ep->rx_len = len;
	VmbChannelPacketComplete(pkt, NULL, 0);
	atomic_inc(&ep->received);
}

static VOID hs_done(VMBPACKET pkt, NTSTATUS status, PVOID buf, UINT32 len)
{
	struct hs_ep *ep = VmbPacketGetPointer(pkt);

	ep->done_status = status;
	VmbPacketFree(pkt);
	atomic_inc(&ep->done);
}

static void hs_ep_release(void *data)
{
	struct hs_ep *ep = data;

	VmbChannelDisable(ep->ch);
	VmbChannelCleanup(ep->ch);
}

/* A disabled hv client; @primary: make it subchannel @idx of that one. */
static struct hs_ep *hs_client(struct kunit *test, struct hs_ep *primary,
			       u16 idx)
{
	struct hs_ctx *ctx = test->priv;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 cb;
	struct hs_ep *ep = kunit_kzalloc(test, sizeof(*ep), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ep);
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(ctx->f.dev, FALSE, &ep->ch),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hs_ep_release, ep),
			0);
	KUNIT_ASSERT_STREQ(test, kmcl_channel_from_handle(ep->ch)->tops->name, "hv");
	VmbChannelSetPointer(ep->ch, ep);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5(&cb);
	cb.CallbackContext = ep;
	cb.EvtChannelOpenedEx = hs_opened;
	cb.EvtChannelClosedEx = hs_closed;
	cb.EvtChannelSuspendEx = hs_nop;
	cb.EvtChannelStartedEx = hs_started;
	cb.EvtChannelPostStartedEx = hs_nop;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetStateChangeCallbacks(ep->ch, (void *)&cb),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetProcessPacketCallbacksEx(ep->ch, ep,
									hs_process,
									NULL),
			STATUS_SUCCESS);
	if (primary)
		KUNIT_ASSERT_EQ(test, VmbChannelInitSetPrimaryChannel(ep->ch, primary->ch,
								      idx),
				STATUS_SUCCESS);
	else
		KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetTargetPnp(ep->ch, &hs_type,
								       NULL, NULL),
				STATUS_SUCCESS);
	return ep;
}

static enum kmcl_channel_state hs_state(struct hs_ep *ep)
{
	return READ_ONCE(kmcl_channel_from_handle(ep->ch)->state);
}

/* An open primary on a hot-added device. */
static struct hs_ep *hs_primary(struct kunit *test, struct kmcl_hv_mdev **mdp)
{
	struct hs_ctx *ctx = test->priv;
	struct hs_ep *ep = hs_client(test, NULL, 0);

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->ch), STATUS_SUCCESS);
	*mdp = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&hs_type,
				 (const guid_t *)&hs_inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, *mdp);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->started) == 1));
	return ep;
}

static NTSTATUS hs_send(struct hs_ep *ep, const void *buf, u32 len)
{
	VMBPACKET pkt = VmbPacketAllocate(ep->ch);
	NTSTATUS st;

	if (!pkt)
		return STATUS_INSUFFICIENT_RESOURCES;
	VmbPacketSetPointer(pkt, ep);
	VmbPacketSetCompletionRoutine(pkt, hs_done);
	st = VmbPacketSend(pkt, (void *)buf, len, NULL, 0);
	if (!NT_SUCCESS(st))
		VmbPacketFree(pkt);
	return st;
}

/* The @nth vmbus_open the model saw was on @c. */
static bool hs_opened_on(struct kunit *test, unsigned int nth,
			 struct vmbus_channel *c)
{
	struct hs_ctx *ctx = test->priv;
	struct kmcl_hv_mcall call;

	return kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_OPEN, nth, &call) &&
	       call.chan == c && !call.ret;
}

/* Bytes go host -> @ep on @md and @ep -> host on @md, and only there. */
static void hs_traffic(struct kunit *test, struct hs_ep *ep,
		       struct kmcl_hv_mdev *md, struct kmcl_hv_mdev *other,
		       u8 tag)
{
	u8 out[24], in[128];
	u32 len;
	int before = atomic_read(&ep->received);

	memset(out, tag, sizeof(out));
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND, 0,
						      7, out, sizeof(out)), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->received) ==
						 before + 1));
	KUNIT_EXPECT_EQ(test, ep->rx_len, (u32)sizeof(out));
	KUNIT_EXPECT_EQ(test, memcmp(ep->rx, out, sizeof(out)), 0);

	memset(out, tag + 1, sizeof(out));
	KUNIT_ASSERT_EQ(test, hs_send(ep, out, sizeof(out)), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_recv(md, in, sizeof(in), &len), 0);
	KUNIT_EXPECT_EQ(test, len, (u32)(sizeof(struct vmpacket_descriptor) +
					 sizeof(out)));
	KUNIT_EXPECT_EQ(test, memcmp(in + sizeof(struct vmpacket_descriptor), out,
				     sizeof(out)), 0);
	/* Nothing went to the other channel. */
	if (other)
		KUNIT_EXPECT_EQ(test, kmcl_hv_model_host_recv(other, in, sizeof(in),
							      &len), -EAGAIN);
}

static void hs_offer_first_waits(struct kunit *test)
{
	struct hs_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md, *sc;
	struct hs_ep *p, *s;

	p = hs_primary(test, &md);
	sc = kmcl_hv_model_offer_sub(md, NULL, 1);
	KUNIT_ASSERT_NOT_NULL(test, sc);
	/* Nobody asked for it: it waits, unopened. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_OPEN), 1U);
	s = hs_client(test, p, 1);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&s->started) == 1));
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_OPEN), 2U);
	KUNIT_EXPECT_TRUE(test, hs_opened_on(test, 1, sc->chan));
	hs_traffic(test, s, sc, md, 0x51);
	hs_traffic(test, p, md, sc, 0x61);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->received), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->received), 1);
}

static void hs_enable_first_waits(struct kunit *test)
{
	struct hs_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md, *sc2, *sc3;
	struct hs_ep *p, *s;

	p = hs_primary(test, &md);
	s = hs_client(test, p, 3);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hs_state(s), KMCL_CH_ENABLED);
	/* Another index does not open it. */
	sc2 = kmcl_hv_model_offer_sub(md, NULL, 2);
	KUNIT_ASSERT_NOT_NULL(test, sc2);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_OPEN), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->opened), 0);
	sc3 = kmcl_hv_model_offer_sub(md, NULL, 3);
	KUNIT_ASSERT_NOT_NULL(test, sc3);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&s->started) == 1));
	KUNIT_EXPECT_TRUE(test, hs_opened_on(test, 1, sc3->chan));
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_OPEN), 2U);
	hs_traffic(test, s, sc3, md, 0x71);
}

static void hs_hostile_offers(struct kunit *test)
{
	struct hs_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md, *stranger, *sc, *dup, *zero, *alien;
	unsigned long rej = kmcl_hv_sub_rejected();
	struct hs_ep *p, *s;

	p = hs_primary(test, &md);
	/* A device kmcl_hv never opened: its subchannel has no primary here. */
	stranger = kmcl_hv_model_add_unbound(ctx->f.m, (const guid_t *)&hs_type,
					     (const guid_t *)&hs_type);
	KUNIT_ASSERT_NOT_NULL(test, stranger);
	alien = kmcl_hv_model_offer_sub(stranger, md, 1);
	KUNIT_ASSERT_NOT_NULL(test, alien);
	KUNIT_EXPECT_EQ(test, kmcl_hv_sub_rejected(), rej + 1);
	sc = kmcl_hv_model_offer_sub(md, NULL, 1);
	KUNIT_ASSERT_NOT_NULL(test, sc);
	KUNIT_EXPECT_EQ(test, kmcl_hv_sub_rejected(), rej + 1);
	dup = kmcl_hv_model_offer_sub(md, NULL, 1);
	KUNIT_ASSERT_NOT_NULL(test, dup);
	KUNIT_EXPECT_EQ(test, kmcl_hv_sub_rejected(), rej + 2);
	zero = kmcl_hv_model_offer_sub(md, NULL, 0);
	KUNIT_ASSERT_NOT_NULL(test, zero);
	KUNIT_EXPECT_EQ(test, kmcl_hv_sub_rejected(), rej + 3);
	/* Index 1 opens the first, valid offer; nothing else was opened. */
	s = hs_client(test, p, 1);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&s->started) == 1));
	KUNIT_EXPECT_TRUE(test, hs_opened_on(test, 1, sc->chan));
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_OPEN), 2U);
	hs_traffic(test, s, sc, md, 0x11);
}

static void hs_primary_close_first_closes_sub(struct kunit *test)
{
	struct hs_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md, *sc;
	struct kmcl_hv_mcall call;
	struct hs_ep *p, *s;

	p = hs_primary(test, &md);
	sc = kmcl_hv_model_offer_sub(md, NULL, 1);
	KUNIT_ASSERT_NOT_NULL(test, sc);
	s = hs_client(test, p, 1);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&s->started) == 1));
	kmcl_hv_model_clear_log(ctx->f.m);
	VmbChannelDisable(p->ch);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->closed), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->closed), 1);
	KUNIT_EXPECT_LT(test, s->closed_seq, p->closed_seq);
	KUNIT_EXPECT_EQ(test, hs_state(s), KMCL_CH_DISABLED);
	/* vmbus_close: the subchannel's (a no-op in hv_vmbus), then the primary's. */
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_CLOSE), 2U);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_CLOSE, 0, &call));
	KUNIT_EXPECT_PTR_EQ(test, call.chan, sc->chan);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_CLOSE, 1, &call));
	KUNIT_EXPECT_PTR_EQ(test, call.chan, md->chan);
	KUNIT_EXPECT_FALSE(test, sc->opened);
}

static void hs_primary_rescind_closes_sub_first(struct kunit *test)
{
	struct kmcl_hv_mdev *md, *sc;
	struct hs_ep *p, *s;

	p = hs_primary(test, &md);
	s = hs_client(test, p, 2);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	sc = kmcl_hv_model_offer_sub(md, NULL, 2);
	KUNIT_ASSERT_NOT_NULL(test, sc);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&s->started) == 1));
	kmcl_hv_model_rescind(md);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->closed), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->closed), 1);
	KUNIT_EXPECT_LT(test, s->closed_seq, p->closed_seq);
	KUNIT_EXPECT_EQ(test, hs_state(s), KMCL_CH_DISABLED);
	KUNIT_EXPECT_FALSE(test, sc->opened);
}

static void hs_sub_rescind_closes_only_it(struct kunit *test)
{
	struct kmcl_hv_mdev *md, *sc;
	struct hs_ep *p, *s;
	u8 out[16] = { 0x42 };

	p = hs_primary(test, &md);
	sc = kmcl_hv_model_offer_sub(md, NULL, 1);
	KUNIT_ASSERT_NOT_NULL(test, sc);
	s = hs_client(test, p, 1);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&s->started) == 1));
	kmcl_hv_model_rescind_sub(sc);
	/* hv_vmbus says nothing; the next send finds out. */
	KUNIT_EXPECT_EQ(test, hs_send(s, out, sizeof(out)), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(hs_state(s) == KMCL_CH_DISABLED));
	KUNIT_EXPECT_EQ(test, atomic_read(&s->closed), 1);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&s->done) == 1));
	KUNIT_EXPECT_NE(test, s->done_status, STATUS_SUCCESS);
	/* The primary did not notice and still works. */
	KUNIT_EXPECT_EQ(test, atomic_read(&p->closed), 0);
	KUNIT_EXPECT_EQ(test, hs_state(p), KMCL_CH_OPENED);
	hs_traffic(test, p, md, NULL, 0x21);
}

static void hs_refused_before_primary_open(struct kunit *test)
{
	struct hs_ep *p = hs_client(test, NULL, 0);
	struct hs_ep *s = hs_client(test, p, 1);

	KUNIT_EXPECT_EQ(test, VmbChannelEnable(s->ch), STATUS_INVALID_DEVICE_STATE);
	/* Enabled, waiting for its device: still not open. */
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(p->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(s->ch), STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, hs_state(s), KMCL_CH_DISABLED);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->opened), 0);
}

static void hs_teardown(void *data)
{
	struct hs_ctx *ctx = data;

	kmcl_hv_fixture_teardown(&ctx->f);
}

static int hs_init(struct kunit *test)
{
	struct hs_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	if (kmcl_hv_fixture_setup(&ctx->f, "kmcl_hv_sub_kunit", false))
		KUNIT_FAIL_AND_ABORT(test, "cannot set up the hv model");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hs_teardown, ctx), 0);
	test->priv = ctx;
	return 0;
}

static struct kunit_case kmcl_hv_subchannel_cases[] = {
	KUNIT_CASE(hs_offer_first_waits),
	KUNIT_CASE(hs_enable_first_waits),
	KUNIT_CASE(hs_hostile_offers),
	KUNIT_CASE(hs_primary_close_first_closes_sub),
	KUNIT_CASE(hs_primary_rescind_closes_sub_first),
	KUNIT_CASE(hs_sub_rescind_closes_only_it),
	KUNIT_CASE(hs_refused_before_primary_open),
	{}
};

static struct kunit_suite kmcl_hv_subchannel_suite = {
	.name = "kmcl_hv_subchannel",
	.init = hs_init,
	.test_cases = kmcl_hv_subchannel_cases,
};

kunit_test_suite(kmcl_hv_subchannel_suite);
