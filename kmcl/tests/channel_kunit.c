// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_channel: the channel state machine on the loopback
 * transport, driven through the Windows-named API.
 *
 * Checked: the callback order on open, start, pause, disable and rescind on
 * both ends; Opened failure on either end; Pause before Enable; a client
 * waiting for an offer; instance matching; one client per offer; ring page
 * limits; the getters; debugfs entries; misuse from inside callbacks; and
 * Pause/Disable with packets outstanding (every packet completes exactly
 * once).
 */
#include <kunit/test.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/slab.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl_test_util.h"
#include "../kmcl.h"

static struct kmcl_channel *kch(struct kmcl_test_ep *ep)
{
	return kmcl_channel_from_handle(ep->ch);
}

static int kstate(struct kmcl_test_ep *ep)
{
	return kmcl_channel_state(kch(ep));
}

/* Nothing more happens for a while (for "must not happen" checks). */
static void settle(void)
{
	msleep(100);
}

static void open_sequence(struct kunit *test)
{
	struct kmcl_test_pair *p;

	p = kmcl_test_pair_open(test);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(p->server), "opened,started,post_started");
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(p->client), "opened,started,post_started");
	/* The server hears of the client first; the client opens once accepted. */
	KUNIT_EXPECT_LT(test, kmcl_test_index(&p->log, p->server, KMCL_TEST_OPENED, 1),
			kmcl_test_index(&p->log, p->client, KMCL_TEST_OPENED, 1));
	KUNIT_EXPECT_EQ(test, kstate(p->server), KMCL_CH_OPENED);
	KUNIT_EXPECT_EQ(test, kstate(p->client), KMCL_CH_OPENED);
	KUNIT_EXPECT_TRUE(test, kmcl_channel_is_open(kch(p->server)));
	KUNIT_EXPECT_TRUE(test, kmcl_channel_is_open(kch(p->client)));
}

static void server_paused_until_start(struct kunit *test)
{
	struct kmcl_test_log *log;
	struct kmcl_test_ep *s, *c;
	GUID type = kmcl_test_new_type(), inst;

	log = kmcl_test_log_new(test);
	kmcl_test_guid(&inst, 7);
	s = kmcl_test_server(test, log, &type, &inst);
	c = kmcl_test_client(test, log, &type, &inst);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, kstate(s), KMCL_CH_ENABLED);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	/* The client is started implicitly, the server is not. */
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c, KMCL_TEST_POST_STARTED, 1));
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(s), "opened");
	KUNIT_EXPECT_EQ(test, kstate(s), KMCL_CH_OPENED);
	/* Start on an open server runs the sequence before it returns. */
	VmbChannelStart(s->ch);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(s), "opened,started,post_started");
	/* Start again: nothing. */
	VmbChannelStart(s->ch);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(s), "opened,started,post_started");
}

static void pause_start_cycle(struct kunit *test)
{
	struct kmcl_test_pair *p;

	p = kmcl_test_pair_open(test);
	VmbChannelPause(p->client->ch);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(p->client),
			   "opened,started,post_started,suspend");
	VmbChannelPause(p->client->ch);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(p->client, KMCL_TEST_SUSPEND), 1);
	KUNIT_EXPECT_EQ(test, kstate(p->client), KMCL_CH_OPENED);
	VmbChannelStart(p->client->ch);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(p->client),
			   "opened,started,post_started,suspend,started,post_started");
	/* The peer does not see a local pause. */
	settle();
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(p->server), "opened,started,post_started");
	/* Pause, then disable: Suspend does not run twice. */
	VmbChannelPause(p->server->ch);
	VmbChannelDisable(p->server->ch);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(p->server),
			   "opened,started,post_started,suspend,closed");
}

static void client_disable(struct kunit *test)
{
	struct kmcl_test_pair *p;
	struct kmcl_test_ep *c2;

	p = kmcl_test_pair_open(test);
	VmbChannelDisable(p->client->ch);
	/* Disable returns with the close done. */
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(p->client),
			   "opened,started,post_started,suspend,closed");
	KUNIT_EXPECT_EQ(test, kstate(p->client), KMCL_CH_DISABLED);
	KUNIT_EXPECT_FALSE(test, kmcl_channel_is_open(kch(p->client)));
	/* The server sees the close and is Closed, its offer still up. */
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(p->server, KMCL_TEST_CLOSED, 1));
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(p->server),
			   "opened,started,post_started,suspend,closed");
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait_state(p->server, KMCL_CH_CLOSED));
	/* A new client opens the same offer: the server runs Opened again. */
	c2 = kmcl_test_client(test, &p->log, &p->type, &p->instance);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c2->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c2, KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(p->server, KMCL_TEST_POST_STARTED, 2));
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(p->server),
			   "opened,started,post_started,suspend,closed,opened,started,post_started");
	KUNIT_EXPECT_EQ(test, kstate(p->server), KMCL_CH_OPENED);
	/* The old client can be enabled again; it waits (the offer is taken). */
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(p->client->ch), STATUS_SUCCESS);
	settle();
	KUNIT_EXPECT_EQ(test, kmcl_test_count(p->client, KMCL_TEST_OPENED), 1);
	KUNIT_EXPECT_EQ(test, kstate(p->client), KMCL_CH_ENABLED);
}

static void server_rescind(struct kunit *test)
{
	struct kmcl_test_pair *p;

	p = kmcl_test_pair_open(test);
	VmbChannelDisable(p->server->ch);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(p->server),
			   "opened,started,post_started,suspend,closed");
	KUNIT_EXPECT_EQ(test, kstate(p->server), KMCL_CH_DISABLED);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(p->client, KMCL_TEST_CLOSED, 1));
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(p->client),
			   "opened,started,post_started,suspend,closed");
	/* A guest channel closed by its peer goes back to Disabled. */
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait_state(p->client, KMCL_CH_DISABLED));
	KUNIT_EXPECT_FALSE(test, kmcl_channel_is_open(kch(p->client)));
	/* Disable on it is a no-op; re-enable waits for a new offer. */
	VmbChannelDisable(p->client->ch);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(p->client, KMCL_TEST_CLOSED), 1);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(p->client->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(p->server->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(p->client, KMCL_TEST_OPENED, 2));
	KUNIT_EXPECT_EQ(test, kmcl_test_count(p->server, KMCL_TEST_OPENED), 2);
	/* The re-enabled server is paused until started. */
	KUNIT_EXPECT_EQ(test, kmcl_test_count(p->server, KMCL_TEST_STARTED), 1);
}

static void client_opened_fails(struct kunit *test)
{
	struct kmcl_test_log *log;
	struct kmcl_test_ep *s, *c;
	GUID type = kmcl_test_new_type(), inst;

	log = kmcl_test_log_new(test);
	kmcl_test_guid(&inst, 3);
	s = kmcl_test_server(test, log, &type, &inst);
	c = kmcl_test_client(test, log, &type, &inst);
	c->opened_status = STATUS_INSUFFICIENT_RESOURCES;
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	VmbChannelStart(s->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c, KMCL_TEST_CLOSED, 1));
	/* Rolled back: Closed follows at once, no Started, no Suspend. */
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(c), "opened,closed");
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait_state(c, KMCL_CH_DISABLED));
	KUNIT_EXPECT_FALSE(test, kmcl_channel_is_open(kch(c)));
	/* The server had accepted: it sees a normal close. */
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(s, KMCL_TEST_CLOSED, 1));
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait_state(s, KMCL_CH_CLOSED));
	KUNIT_EXPECT_EQ(test, kmcl_test_count(s, KMCL_TEST_OPENED), 1);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(s, KMCL_TEST_STARTED),
			kmcl_test_count(s, KMCL_TEST_SUSPEND));
	KUNIT_EXPECT_EQ(test, kmcl_test_count(c, KMCL_TEST_PNP_FAILURE), 0);
}

static void server_opened_fails(struct kunit *test)
{
	struct kmcl_test_log *log;
	struct kmcl_test_ep *s, *c, *c2;
	GUID type = kmcl_test_new_type(), inst;

	log = kmcl_test_log_new(test);
	kmcl_test_guid(&inst, 4);
	s = kmcl_test_server(test, log, &type, &inst);
	c = kmcl_test_client(test, log, &type, &inst);
	s->opened_status = STATUS_ACCESS_DENIED;
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	VmbChannelStart(s->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	/* The client never opens: it hears of the refusal through PnpFailure. */
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c, KMCL_TEST_PNP_FAILURE, 1));
	KUNIT_EXPECT_EQ(test, c->pnp_status, STATUS_CONNECTION_REFUSED);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(c), "pnp_failure");
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait_state(c, KMCL_CH_DISABLED));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(s, KMCL_TEST_CLOSED, 1));
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(s), "opened,closed");
	KUNIT_EXPECT_EQ(test, kstate(s), KMCL_CH_ENABLED);
	/* The offer stays: a later client is offered to the server again. */
	s->opened_status = STATUS_SUCCESS;
	c2 = kmcl_test_client(test, log, &type, &inst);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c2->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c2, KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(s, KMCL_TEST_POST_STARTED, 1));
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(s),
			   "opened,closed,opened,started,post_started");
}

static void pause_before_enable(struct kunit *test)
{
	struct kmcl_test_log *log;
	struct kmcl_test_ep *s, *c;
	GUID type = kmcl_test_new_type(), inst;

	log = kmcl_test_log_new(test);
	kmcl_test_guid(&inst, 5);
	s = kmcl_test_server(test, log, &type, &inst);
	c = kmcl_test_client(test, log, &type, &inst);
	VmbChannelPause(c->ch);
	KUNIT_EXPECT_EQ(test, kstate(c), KMCL_CH_DISABLED);
	KUNIT_EXPECT_TRUE(test, kch(c)->pause_on_enable);
	/* Start before Enable is misuse: ignored, the request stays armed. */
	VmbChannelStart(c->ch);
	KUNIT_EXPECT_EQ(test, kstate(c), KMCL_CH_DISABLED);
	KUNIT_EXPECT_TRUE(test, kch(c)->pause_on_enable);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	VmbChannelStart(s->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c, KMCL_TEST_OPENED, 1));
	settle();
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(c), "opened");
	VmbChannelStart(c->ch);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(c), "opened,started,post_started");
	/* The request was used up: after a disable, enable starts normally. */
	VmbChannelDisable(c->ch);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait_state(s, KMCL_CH_CLOSED));
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait(c, KMCL_TEST_POST_STARTED, 2));
}

static void client_waits_for_offer(struct kunit *test)
{
	struct kmcl_test_log *log;
	struct kmcl_test_ep *s, *c;
	GUID type = kmcl_test_new_type(), inst;

	log = kmcl_test_log_new(test);
	kmcl_test_guid(&inst, 6);
	c = kmcl_test_client(test, log, &type, &inst);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	settle();
	KUNIT_EXPECT_EQ(test, kstate(c), KMCL_CH_ENABLED);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(c), "");
	s = kmcl_test_server(test, log, &type, &inst);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c, KMCL_TEST_POST_STARTED, 1));
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(c), "opened,started,post_started");
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(s), "opened");
	/* A client that gives up waiting just goes back to Disabled. */
	VmbChannelDisable(c->ch);
	KUNIT_EXPECT_EQ(test, kstate(c), KMCL_CH_DISABLED);
}

static void waiting_client_disabled(struct kunit *test)
{
	struct kmcl_test_log *log;
	struct kmcl_test_ep *s, *c;
	GUID type = kmcl_test_new_type(), inst;

	log = kmcl_test_log_new(test);
	kmcl_test_guid(&inst, 8);
	c = kmcl_test_client(test, log, &type, &inst);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	VmbChannelDisable(c->ch);
	KUNIT_EXPECT_EQ(test, kstate(c), KMCL_CH_DISABLED);
	/* It no longer waits: a new offer is not taken by it. */
	s = kmcl_test_server(test, log, &type, &inst);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	settle();
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(c), "");
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(s), "");
}

static void instance_matching(struct kunit *test)
{
	struct kmcl_test_log *log;
	struct kmcl_test_ep *a, *b, *c, *any;
	GUID type = kmcl_test_new_type(), x, y, got, zero = { };

	log = kmcl_test_log_new(test);
	kmcl_test_guid(&x, 10);
	kmcl_test_guid(&y, 11);
	a = kmcl_test_server(test, log, &type, &x);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(a->ch), STATUS_SUCCESS);
	c = kmcl_test_client(test, log, &type, &y);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	settle();
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(c), "");
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(a), "");
	/* The instance the client asked for arrives. */
	b = kmcl_test_server(test, log, &type, &y);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(b->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c, KMCL_TEST_OPENED, 1));
	KUNIT_EXPECT_EQ(test, kmcl_test_count(b, KMCL_TEST_OPENED), 1);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(a, KMCL_TEST_OPENED), 0);
	VmbChannelGetInterfaceInstance(c->ch, &got);
	KUNIT_EXPECT_TRUE(test, IsEqualGUID(&got, &y));
	/* A client with no instance takes any free offer of the type. */
	any = kmcl_test_client(test, log, &type, NULL);
	VmbChannelGetInterfaceInstance(any->ch, &got);
	KUNIT_EXPECT_TRUE(test, IsEqualGUID(&got, &zero));
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(any->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(any, KMCL_TEST_OPENED, 1));
	KUNIT_EXPECT_EQ(test, kmcl_test_count(a, KMCL_TEST_OPENED), 1);
	VmbChannelGetInterfaceInstance(any->ch, &got);
	KUNIT_EXPECT_TRUE(test, IsEqualGUID(&got, &x));
	VmbChannelGetInterfaceInstance(a->ch, &got);
	KUNIT_EXPECT_TRUE(test, IsEqualGUID(&got, &x));
}

static void one_client_per_offer(struct kunit *test)
{
	struct kmcl_test_log *log;
	struct kmcl_test_ep *s, *c1, *c2;
	GUID type = kmcl_test_new_type(), inst;

	log = kmcl_test_log_new(test);
	kmcl_test_guid(&inst, 12);
	s = kmcl_test_server(test, log, &type, &inst);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	VmbChannelStart(s->ch);
	c1 = kmcl_test_client(test, log, &type, &inst);
	c2 = kmcl_test_client(test, log, &type, &inst);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c1->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c1, KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c2->ch), STATUS_SUCCESS);
	settle();
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(c2), "");
	/* When the first client leaves, the waiting one gets the offer. */
	VmbChannelDisable(c1->ch);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c2, KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(s, KMCL_TEST_POST_STARTED, 2));
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(s),
			   "opened,started,post_started,suspend,closed,opened,started,post_started");
}

static void duplicate_offer(struct kunit *test)
{
	struct kmcl_test_log *log;
	struct kmcl_test_ep *s1, *s2;
	GUID type = kmcl_test_new_type(), inst;

	log = kmcl_test_log_new(test);
	kmcl_test_guid(&inst, 13);
	s1 = kmcl_test_server(test, log, &type, &inst);
	s2 = kmcl_test_server(test, log, &type, &inst);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s1->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(s2->ch), STATUS_OBJECT_NAME_COLLISION);
	KUNIT_EXPECT_EQ(test, kstate(s2), KMCL_CH_DISABLED);
	/* After the first is withdrawn, the second may offer. */
	VmbChannelDisable(s1->ch);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(s2->ch), STATUS_SUCCESS);
}

static void ring_pages(struct kunit *test)
{
	struct kmcl_channel_config cfg = { };
	struct kmcl_test_log *log;
	struct kmcl_test_ep *c;
	GUID type = kmcl_test_new_type();

	log = kmcl_test_log_new(test);
	c = kmcl_test_client(test, log, &type, NULL);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(c->ch, 1, 16),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(c->ch, 16, 1),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(c->ch, 2049, 16),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(c->ch, 16, 2049),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(c->ch, 2, 2048),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, kch(c)->cfg.ring_in_pages, 2);
	KUNIT_EXPECT_EQ(test, kch(c)->cfg.ring_out_pages, 2048);

	/* Sizing: default 16 pages; grown so that two largest packets fit. */
	cfg.max_packet_size = KMCL_DEFAULT_MAX_PACKET_SIZE;
	KUNIT_EXPECT_EQ(test, kmcl_loopback_ring_pages(0, &cfg), 16);
	KUNIT_EXPECT_EQ(test, kmcl_loopback_ring_pages(2, &cfg), 4);
	KUNIT_EXPECT_EQ(test, kmcl_loopback_ring_pages(64, &cfg), 64);
	cfg.max_packet_size = 65536;
	KUNIT_EXPECT_EQ(test, kmcl_loopback_ring_pages(0, &cfg), 1 + 33);
	cfg.max_packet_size = KMCL_MAX_PACKET_SIZE;
	KUNIT_EXPECT_EQ(test, kmcl_loopback_ring_pages(0, &cfg), 1 + 257);
	KUNIT_EXPECT_EQ(test, kmcl_loopback_ring_pages(2048, &cfg), 2048);
}

static void small_rings_carry_traffic(struct kunit *test)
{
	struct kmcl_test_log *log;
	struct kmcl_test_ep *s, *c;
	GUID type = kmcl_test_new_type(), inst;

	log = kmcl_test_log_new(test);
	kmcl_test_guid(&inst, 14);
	s = kmcl_test_server(test, log, &type, &inst);
	c = kmcl_test_client(test, log, &type, &inst);
	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(c->ch, 3, 5),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(c->ch, 1024),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(s->ch, 512),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	VmbChannelStart(s->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c, KMCL_TEST_POST_STARTED, 1));
	/* The client donated the rings with the sizes it asked for. */
	KUNIT_EXPECT_EQ(test, kch(c)->out_ring.data_size, 4 * KMCL_WIRE_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kch(c)->in_ring.data_size, 2 * KMCL_WIRE_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kch(s)->in_ring.data_size, 4 * KMCL_WIRE_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kch(s)->out_ring.data_size, 2 * KMCL_WIRE_PAGE_SIZE);
	/* Both ends see the same memory, crosswise. */
	KUNIT_EXPECT_PTR_EQ(test, kch(c)->out_ring.hdr, kch(s)->in_ring.hdr);
	KUNIT_EXPECT_PTR_EQ(test, kch(c)->in_ring.hdr, kch(s)->out_ring.hdr);
}

static void getters(struct kunit *test)
{
	UNICODE_STRING name = RTL_CONSTANT_STRING(L"kunit-get");
	struct kmcl_test_pair *p;
	PDEVICE_OBJECT dev = NULL;
	int cookie;
	GUID got;

	p = kmcl_test_pair_new(test);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetFriendlyName(p->server->ch, &name),
			STATUS_SUCCESS);
	KUNIT_EXPECT_STREQ(test, kch(p->server)->cfg.friendly_name, "kunit-get");

	VmbChannelSetPointer(p->server->ch, &cookie);
	KUNIT_EXPECT_PTR_EQ(test, VmbChannelGetPointer(p->server->ch), (void *)&cookie);
	VmbChannelSetPointer(p->server->ch, NULL);
	KUNIT_EXPECT_NULL(test, VmbChannelGetPointer(p->server->ch));
	VmbChannelSetPointer(p->server->ch, p->server);

	VmbChannelGetInterfaceInstance(p->server->ch, &got);
	KUNIT_EXPECT_TRUE(test, IsEqualGUID(&got, &p->instance));
	VmbChannelGetParentDeviceObject(p->server->ch, &dev);
	KUNIT_EXPECT_PTR_EQ(test, dev, kmcl_loopback_parent());
	dev = NULL;
	VmbChannelGetTargetDeviceObject(p->server->ch, &dev);
	KUNIT_EXPECT_PTR_EQ(test, dev, kmcl_loopback_parent());
	KUNIT_EXPECT_NOT_NULL(test, kmcl_loopback_parent());
}

static void debugfs_entries(struct kunit *test)
{
	UNICODE_STRING name = RTL_CONSTANT_STRING(L"kunit/dbg");
	struct kmcl_test_log *log;
	struct kmcl_test_ep *a, *b, *anon;
	struct dentry *d, *f;
	GUID type = kmcl_test_new_type(), x, y;
	char want[32];

	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		kunit_skip(test, "needs CONFIG_DEBUG_FS");
	log = kmcl_test_log_new(test);
	kmcl_test_guid(&x, 16);
	kmcl_test_guid(&y, 17);
	a = kmcl_test_server(test, log, &type, &x);
	b = kmcl_test_server(test, log, &type, &y);
	anon = kmcl_test_server(test, log, &type, &x);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetFriendlyName(a->ch, &name), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetFriendlyName(b->ch, &name), STATUS_SUCCESS);
	KUNIT_EXPECT_NULL(test, kmcl_debugfs_dir(kch(a)));

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(a->ch), STATUS_SUCCESS);
	d = kmcl_debugfs_dir(kch(a));
	KUNIT_ASSERT_NOT_NULL(test, d);
	/* '/' cannot be in a file name. */
	KUNIT_EXPECT_STREQ(test, d->d_name.name, "kunit_dbg");
	f = debugfs_lookup("state", d);
	KUNIT_EXPECT_NOT_NULL(test, f);
	dput(f);
	f = debugfs_lookup("counters", d);
	KUNIT_EXPECT_NOT_NULL(test, f);
	dput(f);

	/* Same name: made unique with the channel number. */
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(b->ch), STATUS_SUCCESS);
	snprintf(want, sizeof(want), "kunit_dbg-%u", kch(b)->id);
	KUNIT_ASSERT_NOT_NULL(test, kmcl_debugfs_dir(kch(b)));
	KUNIT_EXPECT_STREQ(test, kmcl_debugfs_dir(kch(b))->d_name.name, want);

	/* No name: channel-<n>. Its Enable fails (same offer as a): no dir. */
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(anon->ch), STATUS_OBJECT_NAME_COLLISION);
	KUNIT_EXPECT_NULL(test, kmcl_debugfs_dir(kch(anon)));
	VmbChannelDisable(a->ch);
	KUNIT_EXPECT_NULL(test, kmcl_debugfs_dir(kch(a)));
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(anon->ch), STATUS_SUCCESS);
	snprintf(want, sizeof(want), "channel-%u", kch(anon)->id);
	KUNIT_ASSERT_NOT_NULL(test, kmcl_debugfs_dir(kch(anon)));
	KUNIT_EXPECT_STREQ(test, kmcl_debugfs_dir(kch(anon))->d_name.name, want);
}

/* Pause/Start/Disable/Cleanup from a state callback: refused, no effect. */
static void reenter_hook(struct kmcl_test_ep *ep, enum kmcl_test_evt evt)
{
	if (evt != KMCL_TEST_STARTED)
		return;
	VmbChannelPause(ep->ch);
	VmbChannelStart(ep->ch);
	VmbChannelDisable(ep->ch);
	VmbChannelCleanup(ep->ch);
	ep->priv = (void *)(long)VmbChannelEnable(ep->ch);
}

static void callbacks_cannot_reenter(struct kunit *test)
{
	struct kmcl_test_log *log;
	struct kmcl_test_ep *s, *c;
	GUID type = kmcl_test_new_type(), inst;

	log = kmcl_test_log_new(test);
	kmcl_test_guid(&inst, 18);
	s = kmcl_test_server(test, log, &type, &inst);
	c = kmcl_test_client(test, log, &type, &inst);
	c->hook = reenter_hook;
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	VmbChannelStart(s->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c, KMCL_TEST_POST_STARTED, 1));
	settle();
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(c), "opened,started,post_started");
	KUNIT_EXPECT_EQ(test, (long)c->priv, (long)STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, kstate(c), KMCL_CH_OPENED);
	/* The handle survived the Cleanup attempt. */
	KUNIT_EXPECT_PTR_EQ(test, VmbChannelGetPointer(c->ch), (void *)c);
}

/* A passive ProcessPacket tries to stop its own channel, then completes. */
static void reenter_process(struct kmcl_test_ep *ep, VMBPACKETCOMPLETION pkt,
			    PVOID buf, UINT32 len, UINT32 flags)
{
	VmbChannelPause(ep->ch);
	VmbChannelDisable(ep->ch);
	VmbChannelCleanup(ep->ch);
	VmbChannelPacketComplete(pkt, NULL, 0);
	ep->priv = (void *)((long)ep->priv + 1);
}

static void passive_packet_cannot_stop_channel(struct kunit *test)
{
	struct kmcl_test_log *log;
	struct kmcl_test_ep *s, *c;
	GUID type = kmcl_test_new_type(), inst;
	u64 payload = 0x1122334455667788ULL;
	VMBPACKET pkt;
	int i;

	log = kmcl_test_log_new(test);
	kmcl_test_guid(&inst, 19);
	s = kmcl_test_server(test, log, &type, &inst);
	c = kmcl_test_client(test, log, &type, &inst);
	c->process = reenter_process;
	VmbChannelSetIncomingProcessingAtPassive(c->ch, TRUE);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	VmbChannelStart(s->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c, KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(s, KMCL_TEST_POST_STARTED, 1));

	pkt = VmbPacketAllocate(s->ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, &payload, sizeof(payload), NULL, 0),
			STATUS_SUCCESS);
	for (i = 0; i < 100 && !c->priv; i++)
		msleep(20);
	settle();
	/* Delivered once; the Pause, Disable and Cleanup were all refused. */
	KUNIT_EXPECT_EQ(test, (long)c->priv, 1L);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(c), "opened,started,post_started");
	KUNIT_EXPECT_EQ(test, kstate(c), KMCL_CH_OPENED);
	KUNIT_EXPECT_PTR_EQ(test, VmbChannelGetPointer(c->ch), (void *)c);
}

static void cleanup_wrong_state(struct kunit *test)
{
	struct kmcl_test_pair *p;

	p = kmcl_test_pair_open(test);
	VmbChannelCleanup(p->client->ch);
	KUNIT_EXPECT_EQ(test, kstate(p->client), KMCL_CH_OPENED);
	KUNIT_EXPECT_PTR_EQ(test, VmbChannelGetPointer(p->client->ch), (void *)p->client);
	KUNIT_EXPECT_STREQ(test, kmcl_test_seq(p->client), "opened,started,post_started");
	/* Setters are refused while enabled. */
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(p->client->ch, 128),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(p->client->ch), STATUS_INVALID_PARAMETER_1);
}

static void caller_memory(struct kunit *test)
{
	struct kmcl_test_log *log;
	struct kmcl_test_ep *s;
	GUID type = kmcl_test_new_type(), inst;
	ULONG size = VmbSizeofChannel();
	VMBCHANNEL ch;
	void *mem;

	KUNIT_EXPECT_EQ(test, size, (ULONG)sizeof(struct kmcl_channel));
	mem = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_EXPECT_EQ(test, VmbChannelInitialize(kmcl_loopback_parent(), FALSE, mem,
						   size - 1),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbChannelInitialize(kmcl_loopback_parent(), FALSE,
						   (VMBCHANNEL)((u8 *)mem + 1), size - 1),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_ASSERT_EQ(test, VmbChannelInitialize(kmcl_loopback_parent(), FALSE, mem,
						   size),
			STATUS_SUCCESS);
	ch = mem;

	log = kmcl_test_log_new(test);
	kmcl_test_guid(&inst, 19);
	s = kmcl_test_server(test, log, &type, &inst);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetTargetPnp(ch, &type, &inst, NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(s, KMCL_TEST_OPENED, 1));
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait_state(s, KMCL_CH_OPENED));
	VmbChannelDisable(ch);
	VmbChannelCleanup(ch);
	/* The handle is dead now; the memory is still the caller's. */
	KUNIT_EXPECT_NULL(test, kmcl_channel_from_handle(ch));
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(ch), STATUS_INVALID_PARAMETER_1);
}

/* --- packets outstanding across Pause and Disable ----------------------- */

#define HELD_MAX 8

struct held {
	spinlock_t lock;	/* @pkt, @n */
	VMBPACKETCOMPLETION pkt[HELD_MAX];
	int n;
	atomic_t completions;
	atomic_t statuses[4];	/* success, device removed, cancelled, other */
	bool complete_in_suspend;
	bool pending_at_suspend;
};

static void hold_packet(struct kmcl_test_ep *ep, VMBPACKETCOMPLETION pkt,
			PVOID buf, UINT32 len, UINT32 flags)
{
	struct held *h = ep->priv;

	spin_lock(&h->lock);
	if (h->n < HELD_MAX) {
		h->pkt[h->n++] = pkt;
		pkt = NULL;
	}
	spin_unlock(&h->lock);
	if (pkt)
		VmbChannelPacketComplete(pkt, NULL, 0);
}

static void complete_held(struct held *h)
{
	VMBPACKETCOMPLETION pkt[HELD_MAX];
	int i, n;

	spin_lock_bh(&h->lock);
	n = h->n;
	memcpy(pkt, h->pkt, sizeof(pkt));
	h->n = 0;
	spin_unlock_bh(&h->lock);
	for (i = 0; i < n; i++)
		VmbChannelPacketComplete(pkt[i], NULL, 0);
}

static void held_hook(struct kmcl_test_ep *ep, enum kmcl_test_evt evt)
{
	struct held *h = ep->priv;

	if (evt != KMCL_TEST_SUSPEND)
		return;
	spin_lock_bh(&h->lock);
	h->pending_at_suspend = h->n > 0;
	spin_unlock_bh(&h->lock);
	if (h->complete_in_suspend)
		complete_held(h);
}

static VOID count_completion(VMBPACKET pkt, PVOID ctx, NTSTATUS status,
			     PVOID buf, UINT32 len)
{
	struct held *h = ctx;

	atomic_inc(&h->completions);
	if (status == STATUS_SUCCESS)
		atomic_inc(&h->statuses[0]);
	else if (status == STATUS_DEVICE_REMOVED)
		atomic_inc(&h->statuses[1]);
	else if (status == STATUS_CANCELLED)
		atomic_inc(&h->statuses[2]);
	else
		atomic_inc(&h->statuses[3]);
	VmbPacketFree(pkt);
}

static int send_n(struct kunit *test, struct kmcl_test_ep *ep, struct held *h,
		  int n)
{
	u64 payload = 0x1122334455667788ULL;
	int i, sent = 0;

	for (i = 0; i < n; i++) {
		VMBPACKET pkt = VmbPacketAllocate(ep->ch);

		if (!pkt)
			break;
		VmbPacketSetCompletionRoutineEx(pkt, h, count_completion);
		if (VmbPacketSend(pkt, &payload, sizeof(payload), NULL,
				  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION) !=
		    STATUS_SUCCESS) {
			VmbPacketFree(pkt);
			break;
		}
		sent++;
	}
	return sent;
}

static bool wait_atomic(atomic_t *v, int n)
{
	return KMCL_TEST_WAIT_UNTIL(atomic_read(v) >= n);
}

static bool held_at_least(struct held *h, int n)
{
	bool done;

	spin_lock_bh(&h->lock);
	done = h->n >= n;
	spin_unlock_bh(&h->lock);
	return done;
}

static bool wait_held(struct held *h, int n)
{
	return KMCL_TEST_WAIT_UNTIL(held_at_least(h, n));
}

static void pause_with_packets_outstanding(struct kunit *test)
{
	struct kmcl_test_pair *p;
	struct held *h;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	spin_lock_init(&h->lock);
	h->complete_in_suspend = true;
	p = kmcl_test_pair_open(test);
	p->server->priv = h;
	p->server->process = hold_packet;
	p->server->hook = held_hook;

	KUNIT_ASSERT_EQ(test, send_n(test, p->client, h, 3), 3);
	KUNIT_ASSERT_TRUE(test, wait_held(h, 3));
	KUNIT_EXPECT_EQ(test, atomic_read(&h->completions), 0);

	/* Pause returns only after Suspend ran and the packets completed. */
	VmbChannelPause(p->server->ch);
	KUNIT_EXPECT_TRUE(test, h->pending_at_suspend);
	KUNIT_EXPECT_EQ(test, h->n, 0);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(p->server, KMCL_TEST_SUSPEND), 1);
	/* The client's transactions finish successfully. */
	KUNIT_EXPECT_TRUE(test, wait_atomic(&h->completions, 3));
	KUNIT_EXPECT_EQ(test, atomic_read(&h->statuses[0]), 3);
}

static void disable_with_packets_in_flight(struct kunit *test)
{
	struct kmcl_test_pair *p;
	struct held *h;
	int sent;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	spin_lock_init(&h->lock);
	h->complete_in_suspend = true;
	p = kmcl_test_pair_open(test);
	p->server->priv = h;
	p->server->process = hold_packet;
	p->server->hook = held_hook;

	sent = send_n(test, p->client, h, 5);
	KUNIT_ASSERT_EQ(test, sent, 5);
	KUNIT_ASSERT_TRUE(test, wait_held(h, 5));

	/* The client leaves with 5 transactions waiting for the server. */
	VmbChannelDisable(p->client->ch);
	KUNIT_EXPECT_TRUE(test, wait_atomic(&h->completions, sent));
	KUNIT_EXPECT_EQ(test, atomic_read(&h->completions), sent);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->statuses[1]), sent);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->statuses[3]), 0);
	/* The server is closed after its driver finished the packets. */
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(p->server, KMCL_TEST_CLOSED, 1));
	KUNIT_EXPECT_TRUE(test, h->pending_at_suspend);
	KUNIT_EXPECT_EQ(test, h->n, 0);
	/* Nothing completes twice, later. */
	settle();
	KUNIT_EXPECT_EQ(test, atomic_read(&h->completions), sent);
}

static struct kunit_case kmcl_channel_cases[] = {
	KUNIT_CASE(open_sequence),
	KUNIT_CASE(server_paused_until_start),
	KUNIT_CASE(pause_start_cycle),
	KUNIT_CASE(client_disable),
	KUNIT_CASE(server_rescind),
	KUNIT_CASE(client_opened_fails),
	KUNIT_CASE(server_opened_fails),
	KUNIT_CASE(pause_before_enable),
	KUNIT_CASE(client_waits_for_offer),
	KUNIT_CASE(waiting_client_disabled),
	KUNIT_CASE(instance_matching),
	KUNIT_CASE(one_client_per_offer),
	KUNIT_CASE(duplicate_offer),
	KUNIT_CASE(ring_pages),
	KUNIT_CASE(small_rings_carry_traffic),
	KUNIT_CASE(getters),
	KUNIT_CASE(debugfs_entries),
	KUNIT_CASE(callbacks_cannot_reenter),
	KUNIT_CASE(passive_packet_cannot_stop_channel),
	KUNIT_CASE(cleanup_wrong_state),
	KUNIT_CASE(caller_memory),
	KUNIT_CASE(pause_with_packets_outstanding),
	KUNIT_CASE(disable_with_packets_in_flight),
	{}
};

static struct kunit_suite kmcl_channel_suite = {
	.name = "kmcl_channel",
	.test_cases = kmcl_channel_cases,
};

kunit_test_suite(kmcl_channel_suite);
