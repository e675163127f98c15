// SPDX-License-Identifier: GPL-2.0-only
/*
 * A seeded hostile peer over the loopback VMBus. The server endpoint of
 * each pair is the attacker: besides completing what the client sends
 * through the API, it writes raw packets straight into the client's ring,
 * valid ones (self-describing payloads) mixed with bad lengths, offsets,
 * types and sizes, GPA-direct and transfer-page ranges pointing anywhere,
 * forged, duplicate and early completions, floods and pauses, and closes
 * the pair after a random number of steps. The client is an ordinary
 * driver; on every cycle the suite checks that
 *   - every packet the client sent completed exactly once, with a status;
 *   - the client's ProcessPacket saw only valid packets, whole, in order,
 *     and none the peer wrote after its first fatal packet;
 *   - a channel that got only valid packets keeps working (no rejection),
 *     one that got a fatal packet fails with a reason (fail_err, counted);
 *   - Closed reaches the client exactly once, whether it closes or the
 *     peer rescinds.
 *
 * Every cycle's choices come from a 64-bit seed; a failure prints it, and
 * loading kmcl_kunit with hostile_seed=SEED hostile_packets=N reruns the
 * same sequence (see tools/testing/fuzz/README). Build-time defaults come
 * from KMCL_HOSTILE_SEED / KMCL_HOSTILE_PACKETS (make fuzz raises them).
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

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

#ifndef KMCL_HOSTILE_SEED
#define KMCL_HOSTILE_SEED	0x6b6d636cULL
#endif
#ifndef KMCL_HOSTILE_PACKETS
#define KMCL_HOSTILE_PACKETS	20000
#endif

static unsigned long long hostile_seed = KMCL_HOSTILE_SEED;
module_param(hostile_seed, ullong, 0444);
MODULE_PARM_DESC(hostile_seed, "seed of the hostile peer (0: random)");
static unsigned long hostile_packets = KMCL_HOSTILE_PACKETS;
module_param(hostile_packets, ulong, 0444);
MODULE_PARM_DESC(hostile_packets, "raw packets the hostile peer writes");

#define HZ_PER_ROUND	5000	/* packets per KUnit case (keeps each short) */
#define HZ_MAX_SENT	40	/* client sends per cycle (< KMCL_PT_REC) */
#define HZ_MAX_VALID	120	/* valid packets per cycle (< KMCL_PT_REC) */
#define HZ_MAX_PKT	512	/* the pair's max_packet_size */
#define HZ_MAGIC	0x485a3031U
#define HZ_BUF		(HZ_MAX_PKT + 1024)

static u64 hz_total;		/* raw packets written, all rounds */
static u32 hz_failures;		/* rounds that failed */

/* xorshift64*: the same sequence on every kernel and architecture. */
static u64 hz_next(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static u32 hz_rnd(u64 *s, u32 n)
{
	return n ? (u32)(hz_next(s) >> 32) % n : 0;
}

struct hz_cycle {
	struct kunit *test;
	struct kmcl_pt_pair *pp;
	struct kmcl_pt_done d;
	u64 rng;
	u8 *buf;
	u32 cycle;
	u32 written;		/* raw packets written */
	u32 valid;		/* valid data packets written (their seq) */
	u32 plen[HZ_MAX_VALID];
	bool fatal;		/* a packet the client must refuse was written */
	u32 fatal_seq;		/* valid packets written before it */
	VMBPACKET sent[HZ_MAX_SENT];
	u32 nsent;
	u64 early[HZ_MAX_SENT];	/* ids the peer completed behind the API */
	u32 nearly;
};

/* Write @len raw bytes into the client's ring; false if there is no room. */
static bool hz_inject(struct hz_cycle *c, const void *bytes, u32 len)
{
	struct kmcl_channel *w = c->pp->sch;
	struct kmcl_ring *ring = &w->out_ring;
	const u8 *src = bytes;
	u32 read, used, pos, i;
	u64 trailer;

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
	c->written++;
	return true;
}

static u8 hz_byte(u32 seq, u32 i)
{
	return (u8)(seq * 31 + i * 7 + 1);
}

/* A valid in-band packet with a payload that says what it is. */
static void hz_valid(struct hz_cycle *c)
{
	struct kmcl_vmpacket_desc *d = (void *)c->buf;
	u32 *h = (u32 *)(c->buf + 16);
	u32 plen = 16 + 8 * hz_rnd(&c->rng, 7), i;

	if (c->valid >= HZ_MAX_VALID)
		return;
	memset(d, 0, sizeof(*d));
	d->type = KMCL_PKT_DATA_INBAND;
	d->offset8 = 2;
	d->len8 = (16 + plen) / 8;
	h[0] = HZ_MAGIC;
	h[1] = c->valid;
	h[2] = plen;
	h[3] = c->cycle;
	for (i = 16; i < plen; i++)
		c->buf[16 + i] = hz_byte(c->valid, i);
	if (hz_inject(c, c->buf, 16 + plen))
		c->plen[c->valid++] = plen;
}

static void hz_mark_fatal(struct hz_cycle *c)
{
	if (!c->fatal) {
		c->fatal = true;
		c->fatal_seq = c->valid;
	}
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
	start = n ? hz_rnd(&c->rng, n) : 0;
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

static void hz_completion(struct hz_cycle *c, u64 id)
{
	struct kmcl_vmpacket_desc *d = (void *)c->buf;

	memset(c->buf, 0, 24);
	d->type = KMCL_PKT_COMP;
	d->offset8 = 2;
	d->len8 = 3;
	d->trans_id = id;
	hz_inject(c, c->buf, 24);
}

/* Framing the client must refuse. */
static void hz_malformed(struct hz_cycle *c)
{
	struct kmcl_vmpacket_desc *d = (void *)c->buf;
	u32 len = 32, i;

	memset(c->buf, 0, 64);
	d->type = KMCL_PKT_DATA_INBAND;
	d->offset8 = 2;
	d->len8 = 4;
	d->flags = hz_rnd(&c->rng, 4);
	d->trans_id = hz_next(&c->rng);
	switch (hz_rnd(&c->rng, 7)) {
	case 0:
		/* Past the bytes written, and too long for the client. */
		d->len8 = (HZ_MAX_PKT + 24) / 8 + hz_rnd(&c->rng, 0xfe00);
		break;
	case 1:
		d->len8 = hz_rnd(&c->rng, 2);
		break;
	case 2:
		d->offset8 = hz_rnd(&c->rng, 2);
		break;
	case 3:
		d->offset8 = d->len8 + 1 + hz_rnd(&c->rng, 100);
		break;
	case 4:
		for (;;) {
			d->type = hz_rnd(&c->rng, 16);
			if (d->type != KMCL_PKT_DATA_INBAND &&
			    d->type != KMCL_PKT_COMP &&
			    d->type != KMCL_PKT_DATA_USING_GPA_DIRECT &&
			    d->type != KMCL_PKT_DATA_USING_XFER_PAGES)
				break;
		}
		break;
	case 5:
		len = HZ_MAX_PKT + 16 + 8 * hz_rnd(&c->rng, 64);
		d->len8 = len / 8;
		break;
	default:
		for (i = 0; i < 64; i++)
			c->buf[i] = hz_next(&c->rng);
		d->len8 = 2 + hz_rnd(&c->rng, 7);	/* inside the 64 bytes */
		len = 64;
		/* Random bytes can form a valid packet: then it's not fatal. */
		if (d->offset8 >= 2 && d->offset8 <= d->len8 &&
		    (d->type == KMCL_PKT_DATA_INBAND || d->type == KMCL_PKT_COMP ||
		     d->type == KMCL_PKT_DATA_USING_GPA_DIRECT ||
		     d->type == KMCL_PKT_DATA_USING_XFER_PAGES))
			d->type = 0x55;
		break;
	}
	if (hz_inject(c, c->buf, len))
		hz_mark_fatal(c);
}

/* GPA-direct or transfer-page ranges pointing anywhere. */
static void hz_ranges(struct hz_cycle *c)
{
	bool gpa = hz_rnd(&c->rng, 2);
	u32 count = 1 + hz_rnd(&c->rng, 4), pos = 24, i;
	struct kmcl_vmpacket_desc *d = (void *)c->buf;

	memset(c->buf, 0, HZ_BUF);
	for (i = 0; i < count && pos + 24 <= 256; i++) {
		u32 bc = hz_next(&c->rng), bo = hz_next(&c->rng);

		if (hz_rnd(&c->rng, 2)) {
			bc = 1 + hz_rnd(&c->rng, 9000);
			bo = gpa ? hz_rnd(&c->rng, 4096) : hz_rnd(&c->rng, 1 << 20);
		}
		memcpy(c->buf + pos, &bc, 4);
		memcpy(c->buf + pos + 4, &bo, 4);
		pos += 8;
		if (gpa) {
			u64 pfn = hz_next(&c->rng);

			memcpy(c->buf + pos, &pfn, 8);
			pos += 8 * (1 + hz_rnd(&c->rng, 2));
		}
	}
	d->type = gpa ? KMCL_PKT_DATA_USING_GPA_DIRECT :
			KMCL_PKT_DATA_USING_XFER_PAGES;
	d->offset8 = pos / 8;
	d->len8 = pos / 8 + hz_rnd(&c->rng, 4);
	d->flags = KMCL_PKT_FLAG_COMPLETION_REQUESTED;
	d->trans_id = hz_next(&c->rng);
	memcpy(c->buf + 16, &(u16){ hz_rnd(&c->rng, 3) ? 0xcafe : 1 }, 2);
	memcpy(c->buf + 20, &count, 4);
	/* Loopback never describes such ranges: the client must refuse. */
	if (hz_inject(c, c->buf, d->len8 * 8))
		hz_mark_fatal(c);
}

static void hz_send(struct hz_cycle *c)
{
	VMBPACKET pkt;
	u8 data[64];
	u32 len = 8 * (1 + hz_rnd(&c->rng, 8));

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
	i = hz_rnd(&c->rng, n);
	spin_lock_bh(&rx->lock);
	done = rx->rec[i].done;
	id = ((struct kmcl_in_packet *)rx->rec[i].pc)->txid;
	spin_unlock_bh(&rx->lock);
	/*
	 * After an early raw completion this one would be late, which the
	 * client refuses (issue 10, item 7): but the API may queue it behind
	 * later raw packets, so where it lands is unknown. Late ones are
	 * only sent at the end of the cycle, after the checks.
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
		kmcl_pt_rx_count(&c->pp->crx) >= c->valid);
}

static bool hz_all_done(void *arg)
{
	struct hz_cycle *c = arg;

	return kmcl_pt_done_count(&c->d) >= c->nsent;
}

/* Every delivered packet valid, whole, in order, none after a fatal one. */
static void hz_check_deliveries(struct hz_cycle *c)
{
	struct kunit *test = c->test;
	struct kmcl_pt_rx *rx = &c->pp->crx;
	u32 n = kmcl_pt_rx_count(rx), i, j;

	KUNIT_EXPECT_LE(test, n, c->valid);
	if (c->fatal)
		KUNIT_EXPECT_LE(test, n, c->fatal_seq);
	for (i = 0; i < min_t(u32, n, KMCL_PT_REC); i++) {
		const struct kmcl_pt_rec *r = &rx->rec[i];
		const u32 *h = (const u32 *)r->data;

		KUNIT_ASSERT_EQ(test, h[0], HZ_MAGIC);
		KUNIT_ASSERT_EQ(test, h[1], i);	/* in order, none lost */
		KUNIT_ASSERT_EQ(test, h[3], c->cycle);
		KUNIT_ASSERT_LT(test, h[1], c->valid);
		KUNIT_ASSERT_EQ(test, r->len, c->plen[i]);
		KUNIT_ASSERT_EQ(test, h[2], r->len);
		for (j = 16; j < min_t(u32, r->len, KMCL_PT_DATA); j++)
			KUNIT_ASSERT_EQ(test, r->data[j], hz_byte(i, j));
	}
}

static void hz_cycle_run(struct hz_cycle *c, u32 budget)
{
	struct kunit *test = c->test;
	struct kmcl_pt_cfg cfg = { .max_packet_size = HZ_MAX_PKT };
	struct kmcl_channel *cch;
	u32 steps, s, i;
	u64 rejected;
	bool clean;
	NTSTATUS st;

	c->pp = kunit_kzalloc(test, sizeof(*c->pp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->pp);
	kmcl_pt_pair_setup(test, c->pp, &cfg);
	c->pp->srx.mode = KMCL_PT_HOLD;
	kmcl_pt_done_init(&c->d, false);
	cch = c->pp->cch;

	/*
	 * Opening and closing a pair costs far more than a packet, so a
	 * cycle is long, and half the cycles stay clean (ops >= 58 that
	 * may be fatal are left out) to test a channel that keeps working.
	 */
	steps = 16 + hz_rnd(&c->rng, 112);
	clean = hz_rnd(&c->rng, 2);
	for (s = 0; s < steps && c->written < budget; s++) {
		u32 op = hz_rnd(&c->rng, 100);

		if (clean && op >= 58 && op < 88)
			op = hz_rnd(&c->rng, 58);

		if (op < 30) {
			hz_valid(c);
		} else if (op < 45) {
			hz_send(c);
		} else if (op < 58) {
			hz_complete_one(c);
		} else if (op < 61) {
			/* Completion for an id never sent. */
			hz_completion(c, hz_next(&c->rng) | 1);
			hz_mark_fatal(c);
		} else if (op < 64) {
			/*
			 * Duplicate of a raw early completion (raw packets
			 * land in the order written; one the API sent may
			 * still be queued, so it cannot be duplicated here).
			 */
			u64 id = c->nearly ?
				 c->early[hz_rnd(&c->rng, c->nearly)] : 0;

			if (id) {
				hz_completion(c, id);
				hz_mark_fatal(c);
			}
		} else if (op < 67) {
			/*
			 * Early: completes a packet the server still holds;
			 * the API completion at the end is then a late one.
			 */
			u64 id = hz_txid(c, false);

			if (id && hz_was_early(c, id)) {
				hz_completion(c, id);	/* a duplicate */
				hz_mark_fatal(c);
			} else if (id && c->nearly < HZ_MAX_SENT) {
				c->early[c->nearly++] = id;
				hz_completion(c, id);
			}
		} else if (op < 80) {
			hz_malformed(c);
		} else if (op < 88) {
			hz_ranges(c);
		} else if (op < 94) {
			for (i = 0; i < 8; i++)
				hz_valid(c);
		} else if (op < 97) {
			usleep_range(10, 200);
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
	if (c->fatal) {
		/* Failed cleanly, with a reason. */
		KUNIT_EXPECT_NE(test, READ_ONCE(cch->fail_err), 0);
		KUNIT_EXPECT_GE(test, rejected, 1ULL);
	} else {
		/* Only valid packets: the channel keeps working. */
		KUNIT_EXPECT_EQ(test, READ_ONCE(cch->fail_err), 0);
		KUNIT_EXPECT_EQ(test, rejected, 0ULL);
		KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&c->pp->crx), c->valid);
	}

	/* The server completes what it holds; then the pair closes. */
	for (i = 0; i < KMCL_PT_REC; i++)
		kmcl_pt_complete(&c->pp->srx, i, NULL, 0);
	if (!hz_rnd(&c->rng, 4)) {
		/* The host rescinds: Closed reaches the client by itself. */
		VmbChannelDisable(c->pp->p->server->ch);
		KUNIT_EXPECT_TRUE(test, kmcl_test_wait(c->pp->p->client,
						       KMCL_TEST_CLOSED, 1));
	}
	VmbChannelDisable(c->pp->p->client->ch);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(c->pp->p->client, KMCL_TEST_CLOSED), 1);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(hz_all_done, c, 3000));
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(&c->d), c->nsent);
	for (i = 0; i < c->nsent; i++) {
		KUNIT_EXPECT_EQ_MSG(test, kmcl_pt_done_times(&c->d, c->sent[i], &st),
				    1, "send %u of cycle %u", i, c->cycle);
		VmbPacketFree(c->sent[i]);
	}
	VmbChannelCleanup(c->pp->p->client->ch);
	c->pp->p->client->ch = NULL;
	VmbChannelDisable(c->pp->p->server->ch);
	VmbChannelCleanup(c->pp->p->server->ch);
	c->pp->p->server->ch = NULL;
}

static const void *hz_gen_params(KMCL_KUNIT_GEN_TEST const void *prev, char *desc)
{
	unsigned long i = (unsigned long)prev;
	unsigned long rounds = DIV_ROUND_UP(hostile_packets, HZ_PER_ROUND);

	if (i >= rounds)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "round %lu of %lu", i + 1, rounds);
	return (void *)(i + 1);
}

static void kmcl_hostile_loopback_test(struct kunit *test)
{
	unsigned long round = (unsigned long)test->param_value - 1;
	u32 budget = min_t(u64, HZ_PER_ROUND,
			   hostile_packets - round * HZ_PER_ROUND);
	struct hz_cycle *c;
	u32 written = 0, cycle = 0;

	if (!round) {
		if (!hostile_seed)
			hostile_seed = get_random_u64() | 1;
		hz_total = 0;
		hz_failures = 0;
		pr_info("hostile: loopback seed 0x%llx, %lu packets\n",
			hostile_seed, hostile_packets);
	}
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->buf = kunit_kzalloc(test, HZ_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->buf);
	while (written < budget) {
		u8 *buf = c->buf;

		memset(c, 0, sizeof(*c));
		c->test = test;
		c->buf = buf;
		c->cycle = cycle;
		c->rng = hostile_seed ^ (round << 32) ^ cycle ^
			 0x9e3779b97f4a7c15ULL;
		hz_next(&c->rng);
		hz_cycle_run(c, budget - written);
		if (test->status == KUNIT_FAILURE) {
			hz_failures++;
			pr_err("hostile: failure in round %lu cycle %u: rerun with hostile_seed=0x%llx\n",
			       round, cycle, hostile_seed);
			pr_info("hostile: loopback %llu packets %u failures seed 0x%llx\n",
				hz_total + c->written, hz_failures, hostile_seed);
			return;
		}
		written += c->written;
		hz_total += c->written;
		cycle++;
	}
	if ((round + 1) * HZ_PER_ROUND >= hostile_packets)
		pr_info("hostile: loopback %llu packets %u failures seed 0x%llx\n",
			hz_total, hz_failures, hostile_seed);
}

static struct kunit_case kmcl_hostile_cases[] = {
	KUNIT_CASE_PARAM(kmcl_hostile_loopback_test, hz_gen_params),
	{}
};

static struct kunit_suite kmcl_hostile_suite = {
	.name = "kmcl_hostile",
	.test_cases = kmcl_hostile_cases,
};

kunit_test_suite(kmcl_hostile_suite);
