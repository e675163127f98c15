// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_races_lend: the loopback side of issue 10's transport
 * items (15, 16): what the statuses changed for hv keep on loopback, so a
 * driver sees the documented answer on each transport.
 */
#include <kunit/test.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl.h"
#include "kmcl_test_util.h"

/*
 * Loopback has a server side: MapGpadl and SetVmbusHandle keep their
 * argument checks for a client (P1), and a server's handle call is
 * STATUS_NOT_SUPPORTED. Only a transport without servers (hv) answers
 * STATUS_NOT_SUPPORTED for every channel.
 */
static void rl_host_only_on_loopback(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	PMDL mdl = (PMDL)0x1;

	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->client->ch, 0, 1, &mdl),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_PTR_EQ(test, (void *)mdl, NULL);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(p->server->ch, 0, 12345, &mdl),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test,
			VmbServerChannelInitSetVmbusHandle(p->client->ch, NULL),
			STATUS_INVALID_PARAMETER_1);
	/* An init setter: an open server is a state error first (item 20). */
	KUNIT_EXPECT_EQ(test,
			VmbServerChannelInitSetVmbusHandle(p->server->ch, NULL),
			STATUS_INVALID_PARAMETER_1);
	VmbChannelDisable(p->server->ch);
	KUNIT_EXPECT_EQ(test,
			VmbServerChannelInitSetVmbusHandle(p->server->ch, NULL),
			STATUS_NOT_SUPPORTED);
}

/*
 * SetInterruptLatency on loopback: accepted and stored (documented; the
 * STATUS_NOT_SUPPORTED of the header is for a transport that cannot
 * change how it notifies, which loopback never needs to), and refused
 * once the channel is closed.
 */
static void rl_latency_on_loopback(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_open(test);
	UINT16 old = 7;

	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(p->client->ch, 300,
							    &old),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, old, 0);
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(p->client->ch, 4000,
							    &old),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, old, 300);
	VmbChannelDisable(p->client->ch);
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(p->client->ch, 1,
							    &old),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, old, 300);
}

static struct kunit_case kmcl_races_lend_cases[] = {
	KUNIT_CASE(rl_host_only_on_loopback),
	KUNIT_CASE(rl_latency_on_loopback),
	{}
};

static struct kunit_suite kmcl_races_lend_suite = {
	.name = "kmcl_races_lend",
	.test_cases = kmcl_races_lend_cases,
};

kunit_test_suite(kmcl_races_lend_suite);
