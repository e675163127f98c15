// SPDX-License-Identifier: GPL-2.0-only
/*
 * A seeded hostile host (suite kmcl_hv_hostile): the model of hv_vmbus
 * plays Hyper-V and writes raw packets into the inbound ring of a KMCL
 * client carried by kmcl_hv (the generator of kmcl/tests/hostile_gen.h:
 * valid packets, unknown types, oversize packets, random bytes, GPA-direct
 * and transfer-page ranges pointing anywhere; not the bad len8/offset8
 * framing, which hv_vmbus rewrites before the client reads it, see
 * hz_build_malformed()), reads what the client sends
 * and completes it, or not, in any order, and adds completions for ids
 * never sent and duplicate ones, floods and pauses; the client pauses
 * and restarts at random, and the host rescinds the device, or the client
 * closes, after a random number of cycles. The client is an ordinary
 * driver that completes what it is given; after every cycle the suite
 * checks that
 *   - ProcessPacket saw only the valid packets, whole, in order, and none
 *     written after the first fatal packet;
 *   - a channel fed only valid packets keeps working (the next cycle runs
 *     on it), one fed a fatal packet fails with a reason;
 *   - every send completed exactly once, with a status;
 *   - Closed came exactly once and the channel ended Disabled.
 *
 * Every choice comes from a 64-bit seed, printed by the run; loading
 * kmcl_hv_kunit with hostile_seed=SEED hostile_packets=N reruns the same
 * sequence, and hostile_round=R only its round R (tools/testing/fuzz/README).
 * Build-time defaults come from KMCL_HOSTILE_SEED / KMCL_HOSTILE_PACKETS /
 * KMCL_HOSTILE_ROUND (make fuzz raises them).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl.h"
#include "chan.h"
#include "fixture.h"
#include "model.h"
#include "tests/hostile_gen.h"
#include "tests/hostile_rounds.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_TRANSPORT);

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
MODULE_PARM_DESC(hostile_seed, "seed of the hostile host of kmcl_hv_hostile (0: random)");
static unsigned long hostile_packets = KMCL_HOSTILE_PACKETS;
module_param(hostile_packets, ulong, 0444);
MODULE_PARM_DESC(hostile_packets, "raw packets the hostile host writes");
static unsigned long hostile_round = KMCL_HOSTILE_ROUND;
module_param(hostile_round, ulong, 0444);
MODULE_PARM_DESC(hostile_round, "run only this round (1-based) of the sequence (0: all)");

#define HH_PER_ROUND	10000	/* packets per KUnit case */
#define HH_MAX_SENT	40	/* client sends per cycle */
#define HH_MAX_CYCLES	32	/* cycles one channel lives at most */
#define HH_KEEP		64	/* bytes of each delivery kept */

static const GUID hh_type = {
	0x5e4d3c2b, 0x1a09, 0x4f8e, { 0xb7, 0xc6, 0xd5, 0xe4, 0xf3, 0x02, 0x1b, 0x2a }
};

static u64 hh_total;		/* raw packets written, all rounds run */
static u32 hh_failures;		/* rounds that failed */
/* The round running, for hh_exit() (an assertion skips the case's end). */
static u32 hh_round_written;	/* by its channels that ended */
static const struct hz_gen *hh_cur;	/* the channel running, or NULL */
static u32 hh_pair;

/* One send of the client: how often its routine ran, the last status. */
struct hh_sent {
	atomic_t times;
	NTSTATUS status;
};

/**
 * struct hh_ep - the client and what its driver saw
 * @ch: the channel.
 * @md: the model device it is open on.
 * @closed: EvtChannelClosed calls.
 * @started: EvtChannelStarted calls.
 * @lock: protects @n and @rec.
 * @n: ProcessPacket calls this cycle.
 * @rec: their first HH_KEEP bytes and lengths.
 * @sent: this cycle's sends.
 * @nsent: how many.
 * @done: completion routine calls this cycle.
 */
struct hh_ep {
	VMBCHANNEL ch;
	struct kmcl_hv_mdev *md;
	atomic_t closed;
	atomic_t started;
	spinlock_t lock;	/* @n, @rec */
	u32 n;
	struct {
		u8 data[HH_KEEP];
		u32 len;
	} rec[HZ_MAX_VALID];
	struct hh_sent sent[HH_MAX_SENT];
	u32 nsent;
	atomic_t done;
};

/**
 * struct hh_cycle - the host's side
 * @test: the running test.
 * @f: the model and kmcl_hv over it.
 * @ep: the client.
 * @g: the generator.
 * @ids: ids of the client's packets the host read, this cycle.
 * @comp: which of them it completed.
 * @nids: how many it read.
 */
struct hh_cycle {
	struct kunit *test;
	struct kmcl_hv_fixture *f;
	struct hh_ep *ep;
	struct hz_gen g;
	u64 ids[HH_MAX_SENT];
	bool comp[HH_MAX_SENT];
	u32 nids;
};

static NTSTATUS hh_opened(VMBCHANNEL ch, PVOID ctx)
{
	return STATUS_SUCCESS;
}

static VOID hh_closed(VMBCHANNEL ch, PVOID ctx)
{
	atomic_inc(&((struct hh_ep *)ctx)->closed);
}

static VOID hh_started(VMBCHANNEL ch, PVOID ctx)
{
	atomic_inc(&((struct hh_ep *)ctx)->started);
}

static VOID hh_nop(VMBCHANNEL ch, PVOID ctx)
{
}

static VOID hh_process(VMBCHANNEL ch, PVOID ctx, VMBPACKETCOMPLETION pkt,
		       PVOID buf, UINT32 len, UINT32 flags)
{
	struct hh_ep *ep = ctx;

	spin_lock_bh(&ep->lock);
	if (ep->n < HZ_MAX_VALID) {
		memcpy(ep->rec[ep->n].data, buf, min_t(u32, len, HH_KEEP));
		ep->rec[ep->n].len = len;
	}
	ep->n++;
	spin_unlock_bh(&ep->lock);
	VmbChannelPacketComplete(pkt, NULL, 0);
}

static VOID hh_done(VMBPACKET pkt, NTSTATUS status, PVOID buf, UINT32 len)
{
	struct hh_sent *s = VmbPacketGetPointer(pkt);

	s->status = status;
	atomic_inc(&s->times);
	VmbPacketFree(pkt);
}

static u32 hh_count(struct hh_ep *ep)
{
	u32 n;

	spin_lock_bh(&ep->lock);
	n = ep->n;
	spin_unlock_bh(&ep->lock);
	return n;
}

static enum kmcl_channel_state hh_state(struct hh_ep *ep)
{
	return READ_ONCE(kmcl_channel_from_handle(ep->ch)->state);
}

static bool hh_inject(struct hh_cycle *c, u32 len)
{
	if (!len || kmcl_hv_model_host_write_raw(c->ep->md, c->g.buf, len))
		return false;
	c->g.written++;
	return true;
}

static void hh_valid(struct hh_cycle *c)
{
	if (hh_inject(c, hz_build_valid(&c->g)))
		hz_valid_written(&c->g);
}

static void hh_send(struct hh_cycle *c)
{
	struct hh_ep *ep = c->ep;
	u32 len = 8 * (1 + hz_rnd(&c->g.rng, 8));
	struct hh_sent *s;
	VMBPACKET pkt;
	u8 data[64];

	if (ep->nsent >= HH_MAX_SENT)
		return;
	pkt = VmbPacketAllocate(ep->ch);
	if (!pkt)
		return;
	s = &ep->sent[ep->nsent];
	atomic_set(&s->times, 0);
	memset(data, ep->nsent, len);
	VmbPacketSetPointer(pkt, s);
	VmbPacketSetCompletionRoutine(pkt, hh_done);
	if (VmbPacketSend(pkt, data, len, NULL,
			  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION) !=
	    STATUS_SUCCESS) {
		/* Refused: completes nothing, is not counted. */
		VmbPacketFree(pkt);
		return;
	}
	ep->nsent++;
}

/* The host reads what the client sent (ids kept for completing). */
static void hh_host_read(struct hh_cycle *c)
{
	struct vmpacket_descriptor *d;
	u8 pkt[128] __aligned(8);
	u32 len;

	while (c->nids < HH_MAX_SENT &&
	       !kmcl_hv_model_host_recv(c->ep->md, pkt, sizeof(pkt), &len)) {
		d = (void *)pkt;
		c->comp[c->nids] = false;
		c->ids[c->nids++] = d->trans_id;
	}
}

/* The host completes the @i-th packet it read; a second time is fatal. */
static void hh_complete(struct hh_cycle *c, u32 i)
{
	if (hh_inject(c, hz_build_completion(&c->g, c->ids[i]))) {
		if (c->comp[i])
			hz_mark_fatal(&c->g);
		c->comp[i] = true;
	}
}

static bool hh_settled(struct hh_cycle *c)
{
	return READ_ONCE(kmcl_channel_from_handle(c->ep->ch)->fail_err) ||
	       hh_count(c->ep) >= c->g.valid;
}

static void hh_check_deliveries(struct hh_cycle *c)
{
	struct kunit *test = c->test;
	struct hh_ep *ep = c->ep;
	u32 n = hh_count(ep), i;

	KUNIT_EXPECT_LE(test, n, c->g.valid);
	if (c->g.fatal)
		KUNIT_EXPECT_LE(test, n, c->g.fatal_seq);
	for (i = 0; i < min_t(u32, n, HZ_MAX_VALID); i++)
		hz_check_one(test, &c->g, i, ep->rec[i].data, HH_KEEP,
			     ep->rec[i].len);
}

static bool hh_all_done(struct hh_ep *ep)
{
	u32 i;

	for (i = 0; i < ep->nsent; i++)
		if (!atomic_read(&ep->sent[i].times))
			return false;
	return true;
}

static void hh_check_sends(struct hh_cycle *c)
{
	struct kunit *test = c->test;
	struct hh_ep *ep = c->ep;
	u32 i;

	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(hh_all_done(ep)));
	/* No routine runs twice, even a while later. */
	for (i = 0; i < ep->nsent; i++)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ep->sent[i].times), 1,
				    "send %u of cycle %u", i, c->g.cycle);
}

static bool hh_steps(struct hh_cycle *c, u32 budget, bool clean)
{
	struct kunit *test = c->test;
	struct kmcl_channel *ch = kmcl_channel_from_handle(c->ep->ch);
	u32 steps, s, i;
	u64 rejected;

	steps = 16 + hz_rnd(&c->g.rng, 240);
	for (s = 0; s < steps && c->g.written < budget; s++) {
		u32 op = hz_rnd(&c->g.rng, 100);

		if (clean && op >= 58 && op < 88)
			op = hz_rnd(&c->g.rng, 58);

		if (op < 30) {
			hh_valid(c);
		} else if (op < 45) {
			hh_send(c);
		} else if (op < 58) {
			hh_host_read(c);
			if (c->nids) {
				i = hz_rnd(&c->g.rng, c->nids);
				if (!c->comp[i])
					hh_complete(c, i);
			}
		} else if (op < 62) {
			/* Completion for an id never sent. */
			if (hh_inject(c, hz_build_completion(&c->g,
							     hz_next(&c->g.rng) | 1)))
				hz_mark_fatal(&c->g);
		} else if (op < 67) {
			/* Any id read, completed or not: a duplicate is fatal. */
			hh_host_read(c);
			if (c->nids)
				hh_complete(c, hz_rnd(&c->g.rng, c->nids));
		} else if (op < 80) {
			if (hh_inject(c, hz_build_malformed(&c->g, false)))
				hz_mark_fatal(&c->g);
		} else if (op < 88) {
			if (hh_inject(c, hz_build_ranges(&c->g)))
				hz_mark_fatal(&c->g);
		} else if (op < 94) {
			for (i = 0; i < 8; i++)
				hh_valid(c);
		} else if (op < 96) {
			usleep_range(10, 200);
		} else if (op < 97) {
			VmbChannelPause(c->ep->ch);
			VmbChannelStart(c->ep->ch);
		} else {
			cond_resched();
		}
	}

	KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(hh_settled(c)));
	hh_check_deliveries(c);
	spin_lock_bh(&ch->in.lock);
	rejected = ch->in.stats.rejected;
	spin_unlock_bh(&ch->in.lock);
	if (c->g.fatal) {
		KUNIT_EXPECT_NE(test, READ_ONCE(ch->fail_err), 0);
		KUNIT_EXPECT_GE(test, rejected, 1ULL);
		return false;
	}
	KUNIT_EXPECT_EQ(test, READ_ONCE(ch->fail_err), 0);
	KUNIT_EXPECT_EQ(test, rejected, 0ULL);
	KUNIT_EXPECT_EQ(test, hh_count(c->ep), c->g.valid);
	return clean;
}

/* A clean cycle: the host completes every send; the next one starts. */
static void hh_recycle(struct hh_cycle *c)
{
	struct hh_ep *ep = c->ep;
	u32 i;

	KUNIT_EXPECT_TRUE(c->test, kmcl_hv_wait_for((hh_host_read(c),
						     c->nids >= ep->nsent)));
	for (i = 0; i < c->nids; i++)
		if (!c->comp[i])
			hh_complete(c, i);
	hh_check_sends(c);
	spin_lock_bh(&ep->lock);
	ep->n = 0;
	spin_unlock_bh(&ep->lock);
}

static void hh_ep_release(void *data)
{
	struct hh_ep *ep = data;

	if (!ep->ch)
		return;
	VmbChannelDisable(ep->ch);
	VmbChannelCleanup(ep->ch);
	ep->ch = NULL;
}

/* A client open on a new device whose instance names the channel. */
static struct hh_ep *hh_open(struct hh_cycle *c, u32 pair)
{
	struct kunit *test = c->test;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 cb;
	struct hh_ep *ep = kunit_kzalloc(test, sizeof(*ep), GFP_KERNEL);
	guid_t inst;

	KUNIT_ASSERT_NOT_NULL(test, ep);
	spin_lock_init(&ep->lock);
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(c->f->dev, FALSE, &ep->ch),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hh_ep_release, ep),
			0);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5(&cb);
	cb.CallbackContext = ep;
	cb.EvtChannelOpenedEx = hh_opened;
	cb.EvtChannelClosedEx = hh_closed;
	cb.EvtChannelSuspendEx = hh_nop;
	cb.EvtChannelStartedEx = hh_started;
	cb.EvtChannelPostStartedEx = hh_nop;
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetStateChangeCallbacks(ep->ch,
								    (void *)&cb),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetProcessPacketCallbacksEx(ep->ch, ep,
									hh_process,
									NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(ep->ch, HZ_MAX_PKT),
			STATUS_SUCCESS);
	guid_gen(&inst);
	memcpy(&inst.b[0], &pair, sizeof(pair));
	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetTargetPnp(ep->ch, &hh_type,
							       (GUID *)&inst, NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->ch), STATUS_SUCCESS);
	ep->md = kmcl_hv_model_add(c->f->m, (const guid_t *)&hh_type, &inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, ep->md);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->started) == 1));
	return ep;
}

static void hh_channel_run(struct hh_cycle *c, u32 budget, u32 pair, u32 *cycle)
{
	struct kunit *test = c->test;
	struct hh_ep *ep;
	u32 n, i;

	ep = hh_open(c, pair);
	c->ep = ep;
	for (n = 0; ; n++) {
		bool clean = hz_rnd(&c->g.rng, 8) != 0;
		bool more;

		c->g.valid = 0;
		c->g.fatal = false;
		c->g.cycle = (*cycle)++;
		c->nids = 0;
		ep->nsent = 0;
		more = hh_steps(c, budget, clean);
		if (test->status == KUNIT_FAILURE || !more ||
		    n + 1 >= HH_MAX_CYCLES || c->g.written >= budget)
			break;
		hh_recycle(c);
		if (test->status == KUNIT_FAILURE)
			break;
	}

	if (!hz_rnd(&c->g.rng, 4)) {
		/* The host rescinds with sends outstanding: they end. */
		kmcl_hv_model_rescind_async(ep->md);
		KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(atomic_read(&ep->closed) == 1));
		kmcl_hv_model_flush(c->f->m);
		KUNIT_EXPECT_TRUE(test, kmcl_hv_wait_for(hh_state(ep) ==
							 KMCL_CH_DISABLED));
		VmbChannelDisable(ep->ch);
	} else {
		/* The host completes what it read; the client closes. */
		hh_host_read(c);
		for (i = 0; i < c->nids; i++)
			if (!c->comp[i] && !c->g.fatal)
				hh_complete(c, i);
		VmbChannelDisable(ep->ch);
		kmcl_hv_model_rescind(ep->md);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ep->closed), 1);
	hh_check_sends(c);
	VmbChannelCleanup(ep->ch);
	ep->ch = NULL;
}

static void hh_teardown(void *data)
{
	kmcl_hv_fixture_teardown(data);
}

static int hh_init(struct kunit *test)
{
	struct kmcl_hv_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	if (kmcl_hv_fixture_setup(f, "kmcl_hv_hostile_kunit", false))
		KUNIT_FAIL_AND_ABORT(test, "cannot set up the hv model");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hh_teardown, f), 0);
	test->priv = f;
	return 0;
}

static const void *hh_gen_params(KMCL_KUNIT_GEN_TEST const void *prev, char *desc)
{
	return hostile_round_next(prev, desc, hostile_packets, HH_PER_ROUND,
				  hostile_round);
}

static void kmcl_hv_hostile_test(struct kunit *test)
{
	unsigned long round = (unsigned long)test->param_value - 1;
	u32 budget = min_t(u64, HH_PER_ROUND,
			   hostile_packets - round * HH_PER_ROUND);
	u32 written = 0, cycle = 0, pair = 0;
	struct hh_cycle *c;

	if (!round || hostile_round) {
		if (!hostile_seed)
			hostile_seed = get_random_u64() | 1;
		hh_total = 0;
		hh_failures = 0;
		pr_info("hostile: hv seed 0x%llx, %lu packets%s\n", hostile_seed,
			hostile_packets, hostile_round ? ", one round" : "");
	}
	hh_round_written = 0;
	hh_cur = NULL;
	hh_pair = 0;
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->g.buf = kunit_kzalloc(test, HZ_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->g.buf);
	while (written < budget) {
		u8 *buf = c->g.buf;

		memset(c, 0, sizeof(*c));
		c->test = test;
		c->f = test->priv;
		c->g.buf = buf;
		c->g.rng = hostile_seed ^ ((u64)round << 32) ^ pair ^
			   0x7f4a7c159e3779b9ULL;
		hz_next(&c->g.rng);
		hh_cur = &c->g;
		hh_pair = pair;
		hh_channel_run(c, budget - written, pair, &cycle);
		if (test->status == KUNIT_FAILURE)
			return;		/* hh_exit() counts it */
		hh_cur = NULL;
		written += c->g.written;
		hh_round_written += c->g.written;
		pair++;
	}
}

/*
 * After every round, however it ended (a failed assertion leaves the case
 * at once): count what it wrote, and the failure.
 */
static void hh_exit(struct kunit *test)
{
	unsigned long round = (unsigned long)test->param_value - 1;
	u32 written = hh_round_written + (hh_cur ? hh_cur->written : 0);

	hh_total += written;
	if (test->status == KUNIT_FAILURE) {
		hh_failures++;
		pr_err("hostile: hv failure in round %lu pair %u cycle %u after %u packets of the round: rerun with hostile_seed=0x%llx hostile_packets=%lu hostile_round=%lu\n",
		       round + 1, hh_pair, hh_cur ? hh_cur->cycle : 0, written,
		       hostile_seed, hostile_packets, round + 1);
	}
	if (hostile_round || (round + 1) * HH_PER_ROUND >= hostile_packets)
		pr_info("hostile: hv %llu packets %u failures seed 0x%llx\n",
			hh_total, hh_failures, hostile_seed);
	hh_round_written = 0;
	hh_cur = NULL;
}

static struct kunit_case kmcl_hv_hostile_cases[] = {
	KUNIT_CASE_PARAM(kmcl_hv_hostile_test, hh_gen_params),
	{}
};

static struct kunit_suite kmcl_hv_hostile_suite = {
	.name = "kmcl_hv_hostile",
	.init = hh_init,
	.exit = hh_exit,
	.test_cases = kmcl_hv_hostile_cases,
};

kunit_test_suite(kmcl_hv_hostile_suite);
