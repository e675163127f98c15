// SPDX-License-Identifier: GPL-2.0-only
/*
 * A seeded hostile peer over the loopback VMBus (suite kmcl_hostile). The
 * server endpoint of each pair is the attacker: besides completing what
 * the client sends through the API, it writes raw packets straight into
 * the client's ring (hostile_gen.h): valid ones mixed with bad lengths,
 * offsets, types and sizes, GPA-direct and transfer-page ranges pointing
 * anywhere, forged, duplicate and early completions, floods and pauses;
 * the client pauses and restarts at random, and the pair is closed or
 * rescinded after a random number of cycles. The client is an ordinary
 * driver; after every cycle the suite checks that
 *   - the client's ProcessPacket saw only valid packets, whole, in order,
 *     and none the peer wrote after its first fatal packet;
 *   - a channel that got only valid packets keeps working (no rejection;
 *     it goes on to the next cycle), one that got a fatal packet fails
 *     with a reason (fail_err, counted);
 *   - every packet the client sent completed exactly once, with a status;
 *   - Closed reaches the client exactly once, whether it closes or the
 *     peer rescinds.
 *
 * Every choice comes from a 64-bit seed; the run prints it, a failure
 * prints it again, and loading kmcl_kunit with hostile_seed=SEED
 * hostile_packets=N reruns the same sequence, and hostile_round=R only its
 * round R (tools/testing/fuzz/README).
 * Build-time defaults come from KMCL_HOSTILE_SEED / KMCL_HOSTILE_PACKETS /
 * KMCL_HOSTILE_ROUND (make fuzz raises them).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "kmcl.h"
#include "core_compat.h"
#include "packet_kunit.h"
#include "hostile_gen.h"
#include "hostile_rounds.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

#ifndef KMCL_HOSTILE_SEED
#define KMCL_HOSTILE_SEED	0x6b6d636cULL
#endif
#ifndef KMCL_HOSTILE_PACKETS
#define KMCL_HOSTILE_PACKETS	50000
#endif
#ifndef KMCL_HOSTILE_ROUND
#define KMCL_HOSTILE_ROUND	0
#endif

static unsigned long long hostile_seed = KMCL_HOSTILE_SEED;
module_param(hostile_seed, ullong, 0444);
MODULE_PARM_DESC(hostile_seed,
		 "seed of the hostile loopback peer of kmcl_hostile (0: random)");
static unsigned long hostile_packets = KMCL_HOSTILE_PACKETS;
module_param(hostile_packets, ulong, 0444);
MODULE_PARM_DESC(hostile_packets, "raw packets the loopback hostile peer writes");
static unsigned long hostile_round = KMCL_HOSTILE_ROUND;
module_param(hostile_round, ulong, 0444);
MODULE_PARM_DESC(hostile_round, "run only this round (1-based) of the sequence (0: all)");

#define HZ_PER_ROUND	10000	/* packets per KUnit case (keeps each short) */
#define HZ_MAX_SENT	40	/* client sends per cycle (< KMCL_PT_REC) */
#define HZ_MAX_CYCLES	32	/* cycles one pair lives at most */

static u64 hz_total;		/* raw packets written, all rounds run */
static u32 hz_failures;		/* rounds that failed */
/* The round running, for hz_exit() (an assertion skips the case's end). */
static u32 hz_round_written;	/* by its pairs that ended */
static const struct hz_gen *hz_cur;	/* the pair running, or NULL */
static u32 hz_pair;
static u32 hz_in_flight;	/* closes with sends not yet at the server */

struct hz_cycle {
	struct kunit *test;
	struct kmcl_pt_pair *pp;
	struct kmcl_pt_done d;
	struct hz_gen g;
	VMBPACKET sent[HZ_MAX_SENT];
	u32 nsent;
	u64 early[HZ_MAX_SENT];	/* ids the peer completed behind the API */
	u32 nearly;
};

/* Write @len raw bytes of the built packet into the client's ring. */
static bool hz_inject(struct hz_cycle *c, u32 len)
{
	struct kmcl_channel *w = c->pp->sch;
	struct kmcl_ring *ring = &w->out_ring;
	const u8 *src = c->g.buf;
	u32 read, used, pos, i;
	u64 trailer;

	if (!len)
		return false;
	spin_lock_bh(&w->out.lock);
	read = READ_ONCE(ring->hdr->read_index);
	used = ring->write >= read ? ring->write - read :
	       ring->data_size - (read - ring->write);
	if (ring->data_size - used <= len + KMCL_RING_TRAILER_SIZE) {
		spin_unlock_bh(&w->out.lock);
		return false;
	}
	trailer = (u64)ring->write << 32;
	pos = ring->write;
	for (i = 0; i < len; i++, pos = (pos + 1) % ring->data_size)
		ring->data[pos] = src[i];
	for (i = 0; i < sizeof(trailer); i++, pos = (pos + 1) % ring->data_size)
		ring->data[pos] = ((u8 *)&trailer)[i];
	smp_mb();	/* the bytes before the index that publishes them */
	WRITE_ONCE(ring->hdr->write_index, pos);
	ring->write = pos;
	spin_unlock_bh(&w->out.lock);
	kmcl_in_notify(c->pp->cch);
	c->g.written++;
	return true;
}

static void hz_valid(struct hz_cycle *c)
{
	if (hz_inject(c, hz_build_valid(&c->g)))
		hz_valid_written(&c->g);
}

/* A held server packet's transaction id (0 if none). */
static u64 hz_txid(struct hz_cycle *c, bool done)
{
	struct kmcl_pt_rx *rx = &c->pp->srx;
	unsigned long fl;
	u32 n, i, start;
	u64 id = 0;

	spin_lock_irqsave(&rx->lock, fl);
	n = min_t(u32, rx->n, KMCL_PT_REC);
	start = n ? hz_rnd(&c->g.rng, n) : 0;
	for (i = 0; i < n; i++) {
		struct kmcl_pt_rec *r = &rx->rec[(start + i) % n];

		if (r->done == done) {
			id = ((struct kmcl_in_packet *)r->pc)->txid;
			break;
		}
	}
	spin_unlock_irqrestore(&rx->lock, fl);
	return id;
}

static void hz_send(struct hz_cycle *c)
{
	VMBPACKET pkt;
	u8 data[64];
	u32 len = 8 * (1 + hz_rnd(&c->g.rng, 8));

	if (c->nsent >= HZ_MAX_SENT)
		return;
	pkt = VmbPacketAllocate(c->pp->p->client->ch);
	if (!pkt)
		return;
	memset(data, c->nsent, len);
	VmbPacketSetCompletionRoutineEx(pkt, &c->d, kmcl_pt_done_cb);
	c->sent[c->nsent++] = pkt;
	/* A refused send completes nothing; it must not count as sent. */
	if (VmbPacketSend(pkt, data, len, NULL,
			  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION) !=
	    STATUS_SUCCESS) {
		VmbPacketFree(pkt);
		c->nsent--;
	}
}

static bool hz_was_early(struct hz_cycle *c, u64 id)
{
	u32 i;

	for (i = 0; i < c->nearly; i++)
		if (c->early[i] == id)
			return true;
	return false;
}

static void hz_complete_one(struct hz_cycle *c)
{
	struct kmcl_pt_rx *rx = &c->pp->srx;
	u32 n = min_t(u32, kmcl_pt_rx_count(rx), KMCL_PT_REC), i;
	bool done;
	u64 id;

	if (!n)
		return;
	i = hz_rnd(&c->g.rng, n);
	spin_lock_bh(&rx->lock);
	done = rx->rec[i].done;
	id = ((struct kmcl_in_packet *)rx->rec[i].pc)->txid;
	spin_unlock_bh(&rx->lock);
	/*
	 * After an early raw completion this one would be late, which the
	 * client refuses (issue 10, item 7): but the API may queue it behind
	 * later raw packets, so where it lands is unknown. Late ones are
	 * only sent when the pair closes, after the checks.
	 */
	if (done || hz_was_early(c, id))
		return;
	kmcl_pt_complete(rx, i, NULL, 0);
}

static bool hz_settled(void *arg)
{
	struct hz_cycle *c = arg;
	struct kmcl_channel *ch = c->pp->cch;

	return READ_ONCE(ch->fail_err) ||
	       (kmcl_ring_empty(&ch->in_ring) &&
		kmcl_pt_rx_count(&c->pp->crx) >= c->g.valid);
}

static bool hz_all_done(void *arg)
{
	struct hz_cycle *c = arg;

	return kmcl_pt_done_count(&c->d) >= c->nsent;
}

static bool hz_server_has_all(void *arg)
{
	struct hz_cycle *c = arg;

	return kmcl_pt_rx_count(&c->pp->srx) >= c->nsent;
}

/* Every delivered packet valid, whole, in order, none after a fatal one. */
static void hz_check_deliveries(struct hz_cycle *c)
{
	struct kunit *test = c->test;
	struct kmcl_pt_rx *rx = &c->pp->crx;
	u32 n = kmcl_pt_rx_count(rx), i;

	KUNIT_EXPECT_LE(test, n, c->g.valid);
	if (c->g.fatal)
		KUNIT_EXPECT_LE(test, n, c->g.fatal_seq);
	for (i = 0; i < min_t(u32, n, KMCL_PT_REC); i++)
		hz_check_one(test, &c->g, i, rx->rec[i].data, KMCL_PT_DATA,
			     rx->rec[i].len);
}

/* Each send of the cycle completed exactly once; then they are freed. */
static void hz_check_sends(struct hz_cycle *c)
{
	struct kunit *test = c->test;
	NTSTATUS st;
	u32 i;

	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(hz_all_done, c, 3000));
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(&c->d), c->nsent);
	for (i = 0; i < c->nsent; i++) {
		KUNIT_EXPECT_EQ_MSG(test, kmcl_pt_done_times(&c->d, c->sent[i], &st),
				    1, "send %u of cycle %u", i, c->g.cycle);
		VmbPacketFree(c->sent[i]);
	}
}

static void hz_rx_reset(struct kmcl_pt_rx *rx)
{
	spin_lock_bh(&rx->lock);
	rx->n = 0;
	spin_unlock_bh(&rx->lock);
}

/*
 * A clean cycle is over: the server completes every send (all of them
 * reach it, the channel works), the client saw each complete once, and
 * the recorders start again for the next cycle on the same pair.
 */
static void hz_recycle(struct hz_cycle *c)
{
	struct kunit *test = c->test;
	u32 i;

	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(hz_server_has_all, c, 3000));
	for (i = 0; i < KMCL_PT_REC; i++)
		kmcl_pt_complete(&c->pp->srx, i, NULL, 0);
	hz_check_sends(c);
	hz_rx_reset(&c->pp->srx);
	hz_rx_reset(&c->pp->crx);
	spin_lock_bh(&c->d.lock);
	c->d.n = 0;
	spin_unlock_bh(&c->d.lock);
}

/*
 * The server completes what it holds and everything that still reaches
 * it. A send can still be on its way (queued in the server's ring, or in
 * its reader after a DPC-cap hand-off to the workqueue) when the pair is
 * closed; a server left in HOLD mode would never complete it, and its
 * Disable waits for it (as KMCL's does: a driver must complete what it
 * was given), which is what hung the first version of this suite.
 */
static void hz_release_server(struct hz_cycle *c)
{
	struct kmcl_pt_rx *rx = &c->pp->srx;
	u32 i;

	if (kmcl_pt_rx_count(rx) < c->nsent)
		hz_in_flight++;
	spin_lock_bh(&rx->lock);
	rx->mode = KMCL_PT_COMPLETE;
	rx->comp_len = 0;
	spin_unlock_bh(&rx->lock);
	for (i = 0; i < KMCL_PT_REC; i++)
		kmcl_pt_complete(rx, i, NULL, 0);
}

/* One cycle of hostile steps; true if the pair may go on to another. */
static bool hz_steps(struct hz_cycle *c, u32 budget, bool clean)
{
	struct kunit *test = c->test;
	struct kmcl_channel *cch = c->pp->cch;
	u32 steps, s, i;
	u64 rejected;

	steps = 16 + hz_rnd(&c->g.rng, 240);
	for (s = 0; s < steps && c->g.written < budget; s++) {
		u32 op = hz_rnd(&c->g.rng, 100);

		if (clean && op >= 58 && op < 88)
			op = hz_rnd(&c->g.rng, 58);

		if (op < 30) {
			hz_valid(c);
		} else if (op < 45) {
			hz_send(c);
		} else if (op < 58) {
			hz_complete_one(c);
		} else if (op < 61) {
			/* Completion for an id never sent. */
			if (hz_inject(c, hz_build_completion(&c->g,
							     hz_next(&c->g.rng) | 1)))
				hz_mark_fatal(&c->g);
		} else if (op < 64) {
			/*
			 * Duplicate of a raw early completion (raw packets
			 * land in the order written; one the API sent may
			 * still be queued, so it cannot be duplicated here).
			 */
			u64 id = c->nearly ?
				 c->early[hz_rnd(&c->g.rng, c->nearly)] : 0;

			if (id && hz_inject(c, hz_build_completion(&c->g, id)))
				hz_mark_fatal(&c->g);
		} else if (op < 67) {
			/*
			 * Early: completes a packet the server still holds;
			 * the API completion at close is then a late one.
			 */
			u64 id = hz_txid(c, false);

			if (id && hz_was_early(c, id)) {
				if (hz_inject(c, hz_build_completion(&c->g, id)))
					hz_mark_fatal(&c->g);	/* duplicate */
			} else if (id && c->nearly < HZ_MAX_SENT &&
				   hz_inject(c, hz_build_completion(&c->g, id))) {
				c->early[c->nearly++] = id;
			}
		} else if (op < 80) {
			if (hz_inject(c, hz_build_malformed(&c->g, true)))
				hz_mark_fatal(&c->g);
		} else if (op < 88) {
			if (hz_inject(c, hz_build_ranges(&c->g)))
				hz_mark_fatal(&c->g);
		} else if (op < 94) {
			for (i = 0; i < 8; i++)
				hz_valid(c);
		} else if (op < 96) {
			usleep_range(10, 200);
		} else if (op < 97) {
			/* The client pauses and restarts mid-traffic. */
			VmbChannelPause(c->pp->p->client->ch);
			VmbChannelStart(c->pp->p->client->ch);
		} else {
			cond_resched();
		}
	}

	/* Let the client drain, or fail. */
	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(hz_settled, c, 3000));
	hz_check_deliveries(c);
	spin_lock_bh(&cch->in.lock);
	rejected = cch->in.stats.rejected;
	spin_unlock_bh(&cch->in.lock);
	if (c->g.fatal) {
		/* Failed cleanly, with a reason. */
		KUNIT_EXPECT_NE(test, READ_ONCE(cch->fail_err), 0);
		KUNIT_EXPECT_GE(test, rejected, 1ULL);
		return false;
	}
	/* Only valid packets: the channel keeps working. */
	KUNIT_EXPECT_EQ(test, READ_ONCE(cch->fail_err), 0);
	KUNIT_EXPECT_EQ(test, rejected, 0ULL);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&c->pp->crx), c->g.valid);
	return clean && c->nearly == 0;
}

/* One pair: cycles until a fatal one, the budget or HZ_MAX_CYCLES. */
static void hz_pair_run(struct hz_cycle *c, u32 budget, u32 *cycle)
{
	struct kunit *test = c->test;
	struct kmcl_pt_cfg cfg = { .max_packet_size = HZ_MAX_PKT };
	u32 n;

	c->pp = kunit_kzalloc(test, sizeof(*c->pp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->pp);
	kmcl_pt_pair_setup(test, c->pp, &cfg);
	c->pp->srx.mode = KMCL_PT_HOLD;
	kmcl_pt_done_init(&c->d, false);

	for (n = 0; ; n++) {
		/* Seven cycles in eight stay clean: the pair goes on. */
		bool clean = hz_rnd(&c->g.rng, 8) != 0;
		bool more;

		c->g.valid = 0;
		c->g.fatal = false;
		c->g.cycle = (*cycle)++;
		c->nsent = 0;
		c->nearly = 0;
		more = hz_steps(c, budget, clean);
		if (test->status == KUNIT_FAILURE || !more ||
		    n + 1 >= HZ_MAX_CYCLES || c->g.written >= budget)
			break;
		hz_recycle(c);
		if (test->status == KUNIT_FAILURE)
			break;
	}

	/* The server completes what it holds; then the pair closes. */
	hz_release_server(c);
	if (!hz_rnd(&c->g.rng, 4)) {
		/* The host rescinds: Closed reaches the client by itself. */
		VmbChannelDisable(c->pp->p->server->ch);
		KUNIT_EXPECT_TRUE(test, kmcl_test_wait(c->pp->p->client,
						       KMCL_TEST_CLOSED, 1));
	}
	VmbChannelDisable(c->pp->p->client->ch);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(c->pp->p->client, KMCL_TEST_CLOSED), 1);
	hz_check_sends(c);
	VmbChannelCleanup(c->pp->p->client->ch);
	c->pp->p->client->ch = NULL;
	VmbChannelDisable(c->pp->p->server->ch);
	VmbChannelCleanup(c->pp->p->server->ch);
	c->pp->p->server->ch = NULL;
}

static const void *hz_gen_params(KMCL_KUNIT_GEN_TEST const void *prev, char *desc)
{
	return hostile_round_next(prev, desc, hostile_packets, HZ_PER_ROUND,
				  hostile_round);
}

static void kmcl_hostile_loopback_test(struct kunit *test)
{
	unsigned long round = (unsigned long)test->param_value - 1;
	u32 budget = min_t(u64, HZ_PER_ROUND,
			   hostile_packets - round * HZ_PER_ROUND);
	struct hz_cycle *c;
	u32 written = 0, cycle = 0, pair = 0;

	if (!round || hostile_round) {
		if (!hostile_seed)
			hostile_seed = get_random_u64() | 1;
		hz_total = 0;
		hz_failures = 0;
		hz_in_flight = 0;
		pr_info("hostile: loopback seed 0x%llx, %lu packets%s\n",
			hostile_seed, hostile_packets,
			hostile_round ? ", one round" : "");
	}
	hz_round_written = 0;
	hz_cur = NULL;
	hz_pair = 0;
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->g.buf = kunit_kzalloc(test, HZ_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->g.buf);
	while (written < budget) {
		u8 *buf = c->g.buf;

		memset(c, 0, sizeof(*c));
		c->test = test;
		c->g.buf = buf;
		c->g.rng = hostile_seed ^ ((u64)round << 32) ^ pair ^
			   0x9e3779b97f4a7c15ULL;
		hz_next(&c->g.rng);
		hz_cur = &c->g;
		hz_pair = pair;
		hz_pair_run(c, budget - written, &cycle);
		if (test->status == KUNIT_FAILURE)
			return;		/* hz_exit() counts it */
		hz_cur = NULL;
		written += c->g.written;
		hz_round_written += c->g.written;
		pair++;
	}
}

/*
 * After every round, however it ended (a failed assertion leaves the case
 * at once): count what it wrote, and the failure.
 */
static void hz_exit(struct kunit *test)
{
	unsigned long round = (unsigned long)test->param_value - 1;
	u32 written = hz_round_written + (hz_cur ? hz_cur->written : 0);

	if (!test->param_value)
		return;		/* not a round */
	hz_total += written;
	if (test->status == KUNIT_FAILURE) {
		hz_failures++;
		pr_err("hostile: loopback failure in round %lu pair %u cycle %u after %u packets of the round: rerun with hostile_seed=0x%llx hostile_packets=%lu hostile_round=%lu\n",
		       round + 1, hz_pair, hz_cur ? hz_cur->cycle : 0, written,
		       hostile_seed, hostile_packets, round + 1);
	}
	if (hostile_round || (round + 1) * HZ_PER_ROUND >= hostile_packets) {
		pr_info("hostile: loopback: %u pair(s) closed with sends still on their way to the server\n",
			hz_in_flight);
		pr_info("hostile: loopback %llu packets %u failures seed 0x%llx\n",
			hz_total, hz_failures, hostile_seed);
	}
	hz_round_written = 0;
	hz_cur = NULL;
}

/*
 * Would a client with max_packet_size HZ_MAX_PKT accept this packet of
 * @len bytes in its ring? Only an in-band packet with sane framing whose
 * payload is at most the maximum (VmbChannelInitSetMaximumPacketSize is
 * inclusive).
 */
static bool hz_acceptable(const u8 *buf, u32 len)
{
	const struct kmcl_vmpacket_desc *d = (const void *)buf;
	u32 plen = (u32)d->len8 * 8, off = (u32)d->offset8 * 8;

	return d->type == KMCL_PKT_DATA_INBAND && off >= HZ_HDR &&
	       off <= plen && plen <= len && plen - HZ_HDR <= HZ_MAX_PKT;
}

/*
 * Every packet hz_build_malformed() builds is one the client must refuse,
 * with and without bad framing. Its oversize kind once built a payload of
 * exactly HZ_MAX_PKT bytes, which the client rightly delivered, so a run
 * reported packets delivered after a "fatal" one (kmcl_hv_hostile, seed
 * 0x93258b004d893a7e, round 68).
 */
static void kmcl_hostile_gen_refused_test(struct kunit *test)
{
	struct hz_gen g = { .rng = 0x93258b004d893a7eULL };
	u32 i, len;

	g.buf = kunit_kzalloc(test, HZ_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g.buf);
	for (i = 0; i < 20000; i++) {
		len = hz_build_malformed(&g, i & 1);
		KUNIT_ASSERT_LE(test, len, (u32)HZ_BUF);
		KUNIT_ASSERT_FALSE_MSG(test, hz_acceptable(g.buf, len),
				       "draw %u: type %u offset8 %u len8 %u in %u bytes",
				       i, ((struct kmcl_vmpacket_desc *)g.buf)->type,
				       ((struct kmcl_vmpacket_desc *)g.buf)->offset8,
				       ((struct kmcl_vmpacket_desc *)g.buf)->len8, len);
	}
}

static struct kunit_case kmcl_hostile_cases[] = {
	KUNIT_CASE(kmcl_hostile_gen_refused_test),
	KUNIT_CASE_PARAM(kmcl_hostile_loopback_test, hz_gen_params),
	{}
};

static struct kunit_suite kmcl_hostile_suite = {
	.name = "kmcl_hostile",
	.exit = hz_exit,
	.test_cases = kmcl_hostile_cases,
};

kunit_test_suite(kmcl_hostile_suite);
