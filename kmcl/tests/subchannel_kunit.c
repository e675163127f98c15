// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_subchannel: subchannels (VmbChannelInitSetPrimaryChannel)
 * in the core and on the loopback transport.
 *
 * Checked: enable refused before the primary is open, for a duplicate
 * index and for a subchannel of a subchannel; a primary cannot be cleaned
 * up before its subchannels; subchannel offer and client meet in either
 * order; bytes and completions go through each channel's own rings, queue
 * and quota; the primary's close (disable on either end) closes its
 * subchannels first, Closed included; Pause and Start propagate; a
 * subchannel's rescind closes only that subchannel; save/restore refuses
 * subchannels and primaries that have them. Everything runs under
 * lockdep in make check, which checks the primary -> subchannel nesting.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl_test_util.h"
#include "packet_kunit.h"
#include "../kmcl.h"

#define SUB_RX_HELD	8

/* What one endpoint's ProcessPacket saw; the completion payload is @tag. */
struct sub_rx {
	spinlock_t lock;	/* the fields below */
	wait_queue_head_t wq;
	u8 tag;
	bool hold;
	unsigned int n;
	u32 len;
	u8 data[KMCL_PT_DATA];
	unsigned int nheld;
	VMBPACKETCOMPLETION held[SUB_RX_HELD];
};

static void sub_process(struct kmcl_test_ep *ep, VMBPACKETCOMPLETION pkt,
			PVOID buf, UINT32 len, UINT32 flags)
{
	struct sub_rx *rx = ep->priv;
	unsigned long irqfl;
	bool hold;

	spin_lock_irqsave(&rx->lock, irqfl);
	rx->n++;
	rx->len = len;
	memcpy(rx->data, buf, min_t(u32, len, KMCL_PT_DATA));
	hold = rx->hold && rx->nheld < SUB_RX_HELD;
	if (hold)
		rx->held[rx->nheld++] = pkt;
	spin_unlock_irqrestore(&rx->lock, irqfl);
	if (!hold)
		VmbChannelPacketComplete(pkt, &rx->tag, 1);
	wake_up_all(&rx->wq);
}

static struct sub_rx *sub_rx_attach(struct kunit *test,
				    struct kmcl_test_ep *ep, u8 tag)
{
	struct sub_rx *rx = kunit_kzalloc(test, sizeof(*rx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rx);
	spin_lock_init(&rx->lock);
	init_waitqueue_head(&rx->wq);
	rx->tag = tag;
	ep->priv = rx;
	ep->process = sub_process;
	return rx;
}

static unsigned int sub_rx_n(struct sub_rx *rx)
{
	unsigned long irqfl;
	unsigned int n;

	spin_lock_irqsave(&rx->lock, irqfl);
	n = rx->n;
	spin_unlock_irqrestore(&rx->lock, irqfl);
	return n;
}

static bool sub_rx_wait(struct sub_rx *rx, unsigned int n)
{
	return wait_event_timeout(rx->wq, sub_rx_n(rx) >= n,
				  msecs_to_jiffies(KMCL_TEST_WAIT_MS)) > 0;
}

static struct kmcl_pt_done *done_new(struct kunit *test)
{
	struct kmcl_pt_done *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	kmcl_pt_done_init(d, true);
	return d;
}

static int kstate(struct kmcl_test_ep *ep)
{
	return kmcl_channel_state(kmcl_channel_from_handle(ep->ch));
}

/* A disabled subchannel @idx of @primary, recording into the pair's log. */
static struct kmcl_test_ep *sub_new(struct kunit *test,
				    struct kmcl_test_pair *p,
				    struct kmcl_test_ep *primary, u16 idx)
{
	struct kmcl_test_ep *ep = kmcl_test_ep_alloc(test, &p->log,
						     primary->server);

	KUNIT_ASSERT_EQ(test, VmbChannelInitSetPrimaryChannel(ep->ch, primary->ch,
							      idx),
			STATUS_SUCCESS);
	return ep;
}

/* An open pair with subchannel @idx open on both ends. */
struct sub_world {
	struct kmcl_test_pair *p;
	struct kmcl_test_ep *ss;
	struct kmcl_test_ep *cs;
};

static void sub_world_open(struct kunit *test, struct sub_world *w, u16 idx)
{
	w->p = kmcl_test_pair_open(test);
	w->ss = sub_new(test, w->p, w->p->server, idx);
	w->cs = sub_new(test, w->p, w->p->client, idx);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(w->ss->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(w->cs->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(w->ss, KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(w->cs, KMCL_TEST_POST_STARTED, 1));
}

static int idx_of(struct sub_world *w, struct kmcl_test_ep *ep,
		  enum kmcl_test_evt evt, int nth)
{
	return kmcl_test_index(&w->p->log, ep, evt, nth);
}

static void refused_before_primary_open(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_new(test);
	struct kmcl_test_ep *ss = sub_new(test, p, p->server, 1);
	struct kmcl_test_ep *cs = sub_new(test, p, p->client, 1);

	/* Primaries disabled. */
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(ss->ch), STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(cs->ch), STATUS_INVALID_DEVICE_STATE);
	/* Server primary offered, no client yet: enabled, not open. */
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(p->server->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, kstate(p->server), KMCL_CH_ENABLED);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(ss->ch), STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, kstate(ss), KMCL_CH_DISABLED);
	KUNIT_EXPECT_EQ(test, kstate(cs), KMCL_CH_DISABLED);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(ss, KMCL_TEST_OPENED), 0);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(cs, KMCL_TEST_OPENED), 0);
	/* Once both primaries are open, the same subchannels open. */
	VmbChannelStart(p->server->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(p->client->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(p->client, KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ss->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(cs->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait(cs, KMCL_TEST_POST_STARTED, 1));
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait(ss, KMCL_TEST_POST_STARTED, 1));
}

static void bad_configurations(struct kunit *test)
{
	struct sub_world w;
	struct kmcl_test_ep *nested, *dup_s, *dup_c;

	sub_world_open(test, &w, 2);
	/* A subchannel of a subchannel. */
	nested = sub_new(test, w.p, w.ss, 1);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(nested->ch), STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, kstate(nested), KMCL_CH_DISABLED);
	/* The same index twice, on either end. */
	dup_s = sub_new(test, w.p, w.p->server, 2);
	dup_c = sub_new(test, w.p, w.p->client, 2);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(dup_s->ch), STATUS_OBJECT_NAME_COLLISION);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(dup_c->ch), STATUS_OBJECT_NAME_COLLISION);
	KUNIT_EXPECT_EQ(test, kstate(dup_s), KMCL_CH_DISABLED);
	KUNIT_EXPECT_EQ(test, kstate(dup_c), KMCL_CH_DISABLED);
	/* Index 0, a second primary, and a primary of the other kind. */
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(dup_s->ch, w.p->server->ch, 0),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(dup_s->ch, w.p->server->ch, 3),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(dup_c->ch, w.p->server->ch, 3),
			STATUS_INVALID_PARAMETER_2);
	/* The primary outlives its subchannels. */
	VmbChannelDisable(w.p->server->ch);
	VmbChannelCleanup(w.p->server->ch);
	KUNIT_EXPECT_NOT_NULL(test, kmcl_channel_from_handle(w.p->server->ch));
	KUNIT_EXPECT_EQ(test, kstate(w.p->server), KMCL_CH_DISABLED);
	/* Nothing the refused ones did reached a callback. */
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(nested), "");
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(dup_s), "");
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(dup_c), "");
}

static void client_first_waits_for_offer(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	struct kmcl_test_ep *ss = sub_new(test, p, p->server, 5);
	struct kmcl_test_ep *cs = sub_new(test, p, p->client, 5);
	GUID pi, si;

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(cs->ch), STATUS_SUCCESS);
	/* No server subchannel exists: nothing can bind it. */
	KUNIT_EXPECT_EQ(test, kstate(cs), KMCL_CH_ENABLED);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(cs), "");
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ss->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(cs, KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(ss, KMCL_TEST_POST_STARTED, 1));
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(ss), "opened,started,post_started");
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(cs), "opened,started,post_started");
	KUNIT_EXPECT_LT(test, kmcl_test_index(&p->log, ss, KMCL_TEST_OPENED, 1),
			kmcl_test_index(&p->log, cs, KMCL_TEST_OPENED, 1));
	/* A subchannel is part of its primary's offer: same instance. */
	VmbChannelGetInterfaceInstance(p->client->ch, &pi);
	VmbChannelGetInterfaceInstance(cs->ch, &si);
	KUNIT_EXPECT_EQ(test, memcmp(&pi, &si, sizeof(pi)), 0);
}

static void offer_first_waits_for_client(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	struct kmcl_test_ep *ss = sub_new(test, p, p->server, 1);
	struct kmcl_test_ep *cs = sub_new(test, p, p->client, 1);
	struct kmcl_test_ep *other = sub_new(test, p, p->client, 2);

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ss->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, kstate(ss), KMCL_CH_ENABLED);
	/* Another index does not take the offer. */
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(other->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, kstate(other), KMCL_CH_ENABLED);
	KUNIT_EXPECT_EQ(test, kstate(ss), KMCL_CH_ENABLED);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(ss), "");
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(cs->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(cs, KMCL_TEST_POST_STARTED, 1));
	/* The server's Started may still run after the client opened. */
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(ss, KMCL_TEST_POST_STARTED, 1));
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(ss), "opened,started,post_started");
	KUNIT_EXPECT_EQ(test, kstate(other), KMCL_CH_ENABLED);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(other), "");
}

static void own_rings_queue_quota(struct kunit *test)
{
	struct kmcl_pt_done *dp = done_new(test), *ds = done_new(test);
	struct kmcl_pt_done *back = done_new(test);
	struct sub_rx *rp, *rs, *rcs;
	struct kmcl_stats st;
	struct sub_world w;
	unsigned long irqfl;
	VMBPACKETCOMPLETION held;

	sub_world_open(test, &w, 1);
	rp = sub_rx_attach(test, w.p->server, 'P');
	rs = sub_rx_attach(test, w.ss, 'S');
	rcs = sub_rx_attach(test, w.cs, 'C');

	/* The server subchannel holds its first packet; quota 1 stops it. */
	VmbChannelSetTransactionQuota(w.ss->ch, 1);
	rs->hold = true;
	kmcl_pt_send(test, w.cs->ch, ds, 0x22, 24,
		     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	kmcl_pt_send(test, w.cs->ch, ds, 0x23, 16,
		     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	KUNIT_ASSERT_TRUE(test, sub_rx_wait(rs, 1));
	/* The primary's queue is not held up by the subchannel's. */
	kmcl_pt_send(test, w.p->client->ch, dp, 0x11, 40,
		     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(dp, 1));
	KUNIT_EXPECT_EQ(test, dp->rec[0].status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, dp->rec[0].data[0], 'P');
	KUNIT_EXPECT_EQ(test, sub_rx_n(rp), 1U);
	KUNIT_EXPECT_EQ(test, rp->len, 40U);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(rp->data, 40, 0x11));
	/* The subchannel got its first packet only, nothing completed. */
	KUNIT_EXPECT_EQ(test, sub_rx_n(rs), 1U);
	KUNIT_EXPECT_EQ(test, rs->len, 24U);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(rs->data, 24, 0x22));
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(ds), 0U);

	/* Completing it frees the quota: the second one comes through. */
	spin_lock_irqsave(&rs->lock, irqfl);
	rs->hold = false;
	held = rs->held[0];
	spin_unlock_irqrestore(&rs->lock, irqfl);
	VmbChannelPacketComplete(held, &rs->tag, 1);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(ds, 2));
	KUNIT_EXPECT_EQ(test, ds->rec[0].data[0], 'S');
	KUNIT_EXPECT_EQ(test, ds->rec[1].data[0], 'S');
	KUNIT_EXPECT_EQ(test, rs->len, 16U);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(rs->data, 16, 0x23));
	KUNIT_EXPECT_EQ(test, sub_rx_n(rp), 1U);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(dp), 1U);

	/* The other direction: server subchannel to client subchannel. */
	kmcl_pt_send(test, w.ss->ch, back, 0x33, 48,
		     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(back, 1));
	KUNIT_EXPECT_EQ(test, back->rec[0].data[0], 'C');
	KUNIT_EXPECT_EQ(test, rcs->len, 48U);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(rcs->data, 48, 0x33));
	/* Each end counts its own packets. */
	kmcl_packet_stats(kmcl_channel_from_handle(w.cs->ch), &st);
	KUNIT_EXPECT_EQ(test, st.received, 1ULL);
	kmcl_packet_stats(kmcl_channel_from_handle(w.ss->ch), &st);
	KUNIT_EXPECT_EQ(test, st.received, 2ULL);
	KUNIT_EXPECT_EQ(test, st.completions_sent, 2ULL);
	KUNIT_EXPECT_EQ(test, st.sent, 1ULL);
	kmcl_packet_stats(kmcl_channel_from_handle(w.p->server->ch), &st);
	KUNIT_EXPECT_EQ(test, st.received, 1ULL);
}

static void client_primary_close_closes_subs_first(struct kunit *test)
{
	struct sub_world w;

	sub_world_open(test, &w, 1);
	VmbChannelDisable(w.p->client->ch);
	/* Disable returned: the client subchannel is closed and disabled. */
	KUNIT_EXPECT_EQ(test, kstate(w.cs), KMCL_CH_DISABLED);
	KUNIT_EXPECT_EQ(test, kstate(w.p->client), KMCL_CH_DISABLED);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(w.cs),
			   "opened,started,post_started,suspend,closed");
	KUNIT_EXPECT_LT(test, idx_of(&w, w.cs, KMCL_TEST_CLOSED, 1),
			idx_of(&w, w.p->client, KMCL_TEST_SUSPEND, 1));
	/* The server side: its subchannel closes before its primary. */
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(w.p->server, KMCL_TEST_CLOSED, 1));
	KUNIT_EXPECT_EQ(test, kmcl_test_count(w.ss, KMCL_TEST_CLOSED), 1);
	KUNIT_EXPECT_LT(test, idx_of(&w, w.ss, KMCL_TEST_CLOSED, 1),
			idx_of(&w, w.p->server, KMCL_TEST_CLOSED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait_state(w.p->server, KMCL_CH_CLOSED));
	/* The primary's close disabled it: no offer left for a new client. */
	KUNIT_EXPECT_EQ(test, kstate(w.ss), KMCL_CH_DISABLED);
}

static void server_primary_rescind_closes_subs_first(struct kunit *test)
{
	struct sub_world w;

	sub_world_open(test, &w, 3);
	VmbChannelDisable(w.p->server->ch);
	KUNIT_EXPECT_EQ(test, kstate(w.ss), KMCL_CH_DISABLED);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(w.ss),
			   "opened,started,post_started,suspend,closed");
	KUNIT_EXPECT_LT(test, idx_of(&w, w.ss, KMCL_TEST_CLOSED, 1),
			idx_of(&w, w.p->server, KMCL_TEST_CLOSED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(w.p->client, KMCL_TEST_CLOSED, 1));
	KUNIT_EXPECT_EQ(test, kmcl_test_count(w.cs, KMCL_TEST_CLOSED), 1);
	KUNIT_EXPECT_LT(test, idx_of(&w, w.cs, KMCL_TEST_CLOSED, 1),
			idx_of(&w, w.p->client, KMCL_TEST_CLOSED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait_state(w.p->client, KMCL_CH_DISABLED));
	KUNIT_EXPECT_EQ(test, kstate(w.cs), KMCL_CH_DISABLED);
	/* Each closed exactly once. */
	KUNIT_EXPECT_EQ(test, kmcl_test_count(w.ss, KMCL_TEST_CLOSED), 1);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(w.p->client, KMCL_TEST_CLOSED), 1);
}

static void pause_and_start_propagate(struct kunit *test)
{
	struct sub_world w;
	struct kmcl_test_ep *late;

	sub_world_open(test, &w, 1);
	VmbChannelPause(w.p->client->ch);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(w.cs, KMCL_TEST_SUSPEND), 1);
	KUNIT_EXPECT_LT(test, idx_of(&w, w.cs, KMCL_TEST_SUSPEND, 1),
			idx_of(&w, w.p->client, KMCL_TEST_SUSPEND, 1));
	VmbChannelStart(w.p->client->ch);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(w.cs, KMCL_TEST_STARTED), 2);
	KUNIT_EXPECT_LT(test, idx_of(&w, w.p->client, KMCL_TEST_POST_STARTED, 2),
			idx_of(&w, w.cs, KMCL_TEST_STARTED, 2));
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(w.cs),
			   "opened,started,post_started,suspend,started,post_started");
	/* The server's subchannel did not move. */
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(w.ss), "opened,started,post_started");

	/* Enabled while the primary is paused: it opens paused. */
	VmbChannelPause(w.p->server->ch);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(w.ss, KMCL_TEST_SUSPEND), 1);
	late = sub_new(test, w.p, w.p->server, 4);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(late->ch), STATUS_SUCCESS);
	{
		struct kmcl_test_ep *lc = sub_new(test, w.p, w.p->client, 4);

		KUNIT_ASSERT_EQ(test, VmbChannelEnable(lc->ch), STATUS_SUCCESS);
		KUNIT_ASSERT_TRUE(test, kmcl_test_wait(lc, KMCL_TEST_POST_STARTED, 1));
	}
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(late), "opened");
	VmbChannelStart(w.p->server->ch);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(late), "opened,started,post_started");
	KUNIT_EXPECT_EQ(test, kmcl_test_count(w.ss, KMCL_TEST_STARTED), 2);
}

static void sub_rescind_closes_only_it(struct kunit *test)
{
	struct kmcl_pt_done *dp = done_new(test);
	struct sub_world w;
	struct sub_rx *rp;

	sub_world_open(test, &w, 1);
	rp = sub_rx_attach(test, w.p->server, 'P');
	VmbChannelDisable(w.ss->ch);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(w.cs, KMCL_TEST_CLOSED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait_state(w.cs, KMCL_CH_DISABLED));
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(w.ss),
			   "opened,started,post_started,suspend,closed");
	/* The primaries saw nothing and still carry traffic. */
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(w.p->server), "opened,started,post_started");
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(w.p->client), "opened,started,post_started");
	KUNIT_EXPECT_EQ(test, kstate(w.p->client), KMCL_CH_OPENED);
	kmcl_pt_send(test, w.p->client->ch, dp, 0x44, 8,
		     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(dp, 1));
	KUNIT_EXPECT_EQ(test, dp->rec[0].data[0], 'P');
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(rp->data, 8, 0x44));
	/* Both ends may come back with the same index. */
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(w.ss->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(w.cs->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait(w.cs, KMCL_TEST_POST_STARTED, 2));
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait(w.ss, KMCL_TEST_POST_STARTED, 2));
}

/*
 * Save/restore does not carry subchannels: a primary with an enabled
 * subchannel, or a subchannel, is refused at SaveBegin, and nothing
 * stops; a channel named as a subchannel cannot be restored into.
 */
static void save_refused_with_subchannels(struct kunit *test)
{
	struct kmcl_pt_done *dp = done_new(test);
	struct kmcl_test_ep *fresh;
	struct sub_world w;
	struct sub_rx *rp;
	u8 *buf;

	sub_world_open(test, &w, 1);
	rp = sub_rx_attach(test, w.p->server, 'P');
	KUNIT_EXPECT_EQ(test, VmbChannelSaveBegin(w.p->server->ch), STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveBegin(w.ss->ch), STATUS_NOT_SUPPORTED);
	/* Refused before anything stopped: the primary still delivers. */
	kmcl_pt_send(test, w.p->client->ch, dp, 0x51, 16,
		     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(dp, 1));
	KUNIT_EXPECT_EQ(test, dp->rec[0].data[0], 'P');
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(w.ss), "opened,started,post_started");

	/* A fresh channel named as a subchannel takes no saved state. */
	buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	fresh = sub_new(test, w.p, w.p->server, 2);
	KUNIT_EXPECT_EQ(test, VmbChannelRestoreFromBuffer(fresh->ch, buf, 64),
			STATUS_NOT_SUPPORTED);
	/* Nor does a channel that took (here: failed) a restore become one. */
	fresh = kmcl_test_ep_alloc(test, &w.p->log, true);
	KUNIT_EXPECT_NE(test, VmbChannelRestoreFromBuffer(fresh->ch, buf, 64),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(fresh->ch, w.p->server->ch, 3),
			STATUS_INVALID_PARAMETER_1);

	/* Without an enabled subchannel the primary saves; abandon it. */
	VmbChannelDisable(w.ss->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelSaveBegin(w.p->server->ch), STATUS_SUCCESS);
	VmbChannelSaveEnd(w.p->server->ch);
	kmcl_pt_send(test, w.p->client->ch, dp, 0x52, 16,
		     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(dp, 2));
	KUNIT_EXPECT_EQ(test, sub_rx_n(rp), 2U);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(rp->data, 16, 0x52));
}

static struct kunit_case kmcl_subchannel_cases[] = {
	KUNIT_CASE(refused_before_primary_open),
	KUNIT_CASE(bad_configurations),
	KUNIT_CASE(client_first_waits_for_offer),
	KUNIT_CASE(offer_first_waits_for_client),
	KUNIT_CASE(own_rings_queue_quota),
	KUNIT_CASE(client_primary_close_closes_subs_first),
	KUNIT_CASE(server_primary_rescind_closes_subs_first),
	KUNIT_CASE(pause_and_start_propagate),
	KUNIT_CASE(sub_rescind_closes_only_it),
	KUNIT_CASE(save_refused_with_subchannels),
	{}
};

static struct kunit_suite kmcl_subchannel_suite = {
	.name = "kmcl_subchannel",
	.test_cases = kmcl_subchannel_cases,
};

kunit_test_suite(kmcl_subchannel_suite);
