// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_sync: VmbChannelSendSynchronousRequest in its timeout
 * and flag combinations: the completion payload, argument checks, the
 * zero timeout (also in softirq context), cancellation on timeout with the
 * late completion dropped, and the wait ending when the channel closes or
 * the peer goes away. Times are asserted with wide margins (the suite may
 * run under software emulation), but always bounded.
 */
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "kmcl.h"
#include "packet_kunit.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

/* 100 ns units, as Windows counts time. */
#define KMCL_ST_MS(ms)		((LONGLONG)(ms) * 10000)
#define KMCL_ST_SLACK_MS	3000	/* upper bound for "returned promptly" */
#define WAIT_FLAG		VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION

static struct kmcl_pt_pair *kmcl_st_pair(struct kunit *test,
					 const struct kmcl_pt_cfg *cfg)
{
	struct kmcl_pt_pair *pp = kunit_kzalloc(test, sizeof(*pp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pp);
	kmcl_pt_pair_setup(test, pp, cfg);
	return pp;
}

static void kmcl_st_reply(struct kmcl_pt_pair *pp, const char *reply, u32 len)
{
	memcpy(pp->srx.comp, reply, len);
	pp->srx.comp_len = len;
	pp->srx.mode = KMCL_PT_COMPLETE;
}

/* A request without a timeout. */
static NTSTATUS kmcl_st_req(VMBCHANNEL ch, PVOID buf, UINT32 len, PMDL mdl,
			    UINT32 flags, PVOID cbuf, PUINT32 csize)
{
	return VmbChannelSendSynchronousRequest(ch, buf, len, mdl, flags, cbuf,
						csize, NULL);
}

static s64 kmcl_st_ms_since(ktime_t t0)
{
	return ktime_ms_delta(ktime_get(), t0);
}

/* A synchronous request running on a worker, so the test can act meanwhile. */
struct kmcl_st_req {
	struct work_struct work;
	VMBCHANNEL ch;
	u32 flags;
	bool has_timeout;
	LARGE_INTEGER timeout;
	u8 cbuf[32];
	u32 csize;
	NTSTATUS status;
	s64 elapsed_ms;
	bool done;
};

static void kmcl_st_req_fn(struct work_struct *work)
{
	struct kmcl_st_req *r = container_of(work, struct kmcl_st_req, work);
	u8 data[16];
	ktime_t t0 = ktime_get();

	kmcl_pt_fill(data, sizeof(data), 77);
	r->csize = sizeof(r->cbuf);
	r->status = VmbChannelSendSynchronousRequest(r->ch, data, sizeof(data),
						     NULL, r->flags, r->cbuf,
						     &r->csize,
						     r->has_timeout ?
						     &r->timeout : NULL);
	r->elapsed_ms = kmcl_st_ms_since(t0);
	/* Publish the results before "done" (the test reads them after it). */
	smp_store_release(&r->done, true);
}

static bool kmcl_st_req_done(void *arg)
{
	struct kmcl_st_req *r = arg;

	/* Pairs with kmcl_st_req_fn(). */
	return smp_load_acquire(&r->done);
}

/* Start a request on the client; @tmo_ms 0 means no timeout. */
static struct kmcl_st_req *kmcl_st_req_start(struct kunit *test,
					     struct kmcl_pt_pair *pp, u32 flags,
					     u32 tmo_ms)
{
	struct kmcl_st_req *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	INIT_WORK(&r->work, kmcl_st_req_fn);
	r->ch = pp->p->client->ch;
	r->flags = flags;
	r->has_timeout = tmo_ms;
	r->timeout.QuadPart = -KMCL_ST_MS(tmo_ms);
	kmcl_pt_track_work(test, pp, &r->work);
	queue_work(system_unbound_wq, &r->work);
	return r;
}

static void kmcl_sync_success_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_pair *pp = kmcl_st_pair(test, &cfg);
	VMBCHANNEL ch = pp->p->client->ch;
	LARGE_INTEGER tmo = { .QuadPart = -KMCL_ST_MS(2000) };
	u8 data[40], cbuf[32];
	u32 csize;
	NTSTATUS st;

	kmcl_st_reply(pp, "sync-reply-12345", 16);
	kmcl_pt_fill(data, sizeof(data), 3);

	/* No timeout: the peer's payload comes back with its length. */
	memset(cbuf, 0xee, sizeof(cbuf));
	csize = sizeof(cbuf);
	st = VmbChannelSendSynchronousRequest(ch, data, sizeof(data), NULL,
					      WAIT_FLAG, cbuf, &csize, NULL);
	KUNIT_EXPECT_EQ(test, st, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, csize, 16U);
	KUNIT_EXPECT_EQ(test, memcmp(cbuf, "sync-reply-12345", 16), 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(cbuf + 16, 0xee, 16));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	KUNIT_EXPECT_EQ(test, pp->srx.rec[0].len, 40U);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[0].data, 40, 3));

	/* A relative timeout that does not expire changes nothing. */
	csize = sizeof(cbuf);
	st = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, WAIT_FLAG, cbuf,
					      &csize, &tmo);
	KUNIT_EXPECT_EQ(test, st, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, csize, 16U);

	/* No completion buffer at all: the payload is dropped. */
	st = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, WAIT_FLAG, NULL,
					      NULL, NULL);
	KUNIT_EXPECT_EQ(test, st, STATUS_SUCCESS);

	/* A payload that is not a multiple of 8 arrives padded to 8. */
	kmcl_st_reply(pp, "odd-12", 6);
	csize = sizeof(cbuf);
	st = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, WAIT_FLAG, cbuf,
					      &csize, NULL);
	KUNIT_EXPECT_EQ(test, st, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, csize, 8U);
	KUNIT_EXPECT_EQ(test, memcmp(cbuf, "odd-12\0\0", 8), 0);

	/* The lookaside packet went back each time. */
	KUNIT_EXPECT_EQ(test, pp->cch->out.nr_free, pp->cch->out.nr_packets);
	KUNIT_EXPECT_EQ(test, pp->cch->out.txid.nr_used, 0U);
}

static void kmcl_sync_no_wait_flag_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_pair *pp = kmcl_st_pair(test, &cfg);
	u8 data[24], cbuf[16];
	u32 csize = sizeof(cbuf);
	NTSTATUS st;

	/* Without WAIT_FOR_COMPLETION it returns once the packet is in the ring. */
	kmcl_st_reply(pp, "ignored!", 8);
	kmcl_pt_fill(data, sizeof(data), 9);
	st = VmbChannelSendSynchronousRequest(pp->p->client->ch, data,
					      sizeof(data), NULL, 0, cbuf, &csize,
					      NULL);
	KUNIT_EXPECT_EQ(test, st, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, csize, 0U);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[0].data, 24, 9));
	KUNIT_EXPECT_EQ(test, pp->cch->out.nr_free, pp->cch->out.nr_packets);
}

static void kmcl_sync_args_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .max_packet_size = 128 };
	struct kmcl_pt_pair *pp = kmcl_st_pair(test, &cfg);
	VMBCHANNEL ch = pp->p->client->ch;
	u8 data[256] = {}, cbuf[32];
	NTSTATUS st;
	u32 csize;

	csize = 12;
	st = kmcl_st_req(ch, data, 8, NULL, WAIT_FLAG, cbuf, &csize);
	KUNIT_EXPECT_EQ(test, st, STATUS_INVALID_PARAMETER_7);
	csize = 4;
	st = kmcl_st_req(ch, data, 8, NULL, WAIT_FLAG, cbuf, &csize);
	KUNIT_EXPECT_EQ(test, st, STATUS_INVALID_PARAMETER_7);
	csize = 16;
	st = kmcl_st_req(ch, data, 8, NULL, WAIT_FLAG, NULL, &csize);
	KUNIT_EXPECT_EQ(test, st, STATUS_INVALID_PARAMETER_6);
	st = kmcl_st_req(ch, data, 8, NULL, 0x40, cbuf, &csize);
	KUNIT_EXPECT_EQ(test, st, STATUS_INVALID_PARAMETER_5);
	st = kmcl_st_req(ch, data, 129, NULL, WAIT_FLAG, cbuf, &csize);
	KUNIT_EXPECT_EQ(test, st, STATUS_INVALID_PARAMETER_3);
	st = kmcl_st_req(ch, NULL, 8, NULL, WAIT_FLAG, cbuf, &csize);
	KUNIT_EXPECT_EQ(test, st, STATUS_INVALID_PARAMETER_2);
	st = kmcl_st_req(NULL, data, 8, NULL, WAIT_FLAG, cbuf, &csize);
	KUNIT_EXPECT_EQ(test, st, STATUS_INVALID_PARAMETER_1);
	/* No external-data limits on this channel (kmcl_external has the rest). */
	st = kmcl_st_req(ch, data, 8, (PMDL)data, WAIT_FLAG, cbuf, &csize);
	KUNIT_EXPECT_EQ(test, st, STATUS_INVALID_PARAMETER_4);
	/* Nothing was sent by any of these. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 0U);
	KUNIT_EXPECT_EQ(test, pp->cch->out.stats.sent, 0ULL);
}

static void kmcl_sync_overflow_test(struct kunit *test)
{
	static const char reply[] = "0123456789abcdefghijklmnopqrstuv";
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_pair *pp = kmcl_st_pair(test, &cfg);
	u8 data[8] = {}, cbuf[24];
	u32 csize = 16;
	NTSTATUS st;

	/* 32 bytes of payload into 16: truncated copy, BUFFER_OVERFLOW. */
	kmcl_st_reply(pp, reply, 32);
	memset(cbuf, 0xee, sizeof(cbuf));
	st = VmbChannelSendSynchronousRequest(pp->p->client->ch, data, 8, NULL,
					      WAIT_FLAG, cbuf, &csize, NULL);
	KUNIT_EXPECT_EQ(test, st, STATUS_BUFFER_OVERFLOW);
	KUNIT_EXPECT_EQ(test, csize, 16U);
	KUNIT_EXPECT_EQ(test, memcmp(cbuf, reply, 16), 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(cbuf + 16, 0xee, 8));

	/* Size 0 with a payload: nothing copied, also an overflow. */
	csize = 0;
	st = VmbChannelSendSynchronousRequest(pp->p->client->ch, data, 8, NULL,
					      WAIT_FLAG, NULL, &csize, NULL);
	KUNIT_EXPECT_EQ(test, st, STATUS_BUFFER_OVERFLOW);
	KUNIT_EXPECT_EQ(test, csize, 0U);
}

static bool kmcl_st_late_seen(void *arg)
{
	struct kmcl_channel *ch = arg;
	bool seen;

	spin_lock_bh(&ch->out.lock);
	seen = ch->out.stats.comp_late == 1;
	spin_unlock_bh(&ch->out.lock);
	return seen;
}

static void kmcl_sync_timeout_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_pair *pp = kmcl_st_pair(test, &cfg);
	VMBCHANNEL ch = pp->p->client->ch;
	LARGE_INTEGER tmo = { .QuadPart = -KMCL_ST_MS(100) };
	u8 data[8] = {}, cbuf[16];
	u32 csize = sizeof(cbuf);
	ktime_t t0;
	s64 ms;
	NTSTATUS st;

	/* The server keeps the request: the wait times out and cancels. */
	pp->srx.mode = KMCL_PT_HOLD;
	t0 = ktime_get();
	st = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, WAIT_FLAG, cbuf,
					      &csize, &tmo);
	ms = kmcl_st_ms_since(t0);
	KUNIT_EXPECT_EQ(test, st, STATUS_CANCELLED);
	KUNIT_EXPECT_EQ(test, csize, 0U);
	KUNIT_EXPECT_GE(test, ms, 99LL);
	KUNIT_EXPECT_LT(test, ms, (s64)KMCL_ST_SLACK_MS);
	KUNIT_EXPECT_EQ(test, pp->cch->out.nr_free, pp->cch->out.nr_packets);
	KUNIT_EXPECT_EQ(test, pp->cch->out.txid.nr_used, 0U);

	/* The late completion is recognised, dropped and counted: no failure. */
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	memcpy(cbuf, "late", 4);
	kmcl_pt_complete(&pp->srx, 0, cbuf, 4);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(kmcl_st_late_seen, pp->cch,
						  KMCL_PT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, pp->cch->in.stats.rejected, 0ULL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(pp->cch->fail_err), 0);

	/* The channel still works. */
	kmcl_st_reply(pp, "after!!!", 8);
	csize = sizeof(cbuf);
	st = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, WAIT_FLAG, cbuf,
					      &csize, &tmo);
	KUNIT_EXPECT_EQ(test, st, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, csize, 8U);
	KUNIT_EXPECT_EQ(test, memcmp(cbuf, "after!!!", 8), 0);
}

static void kmcl_sync_absolute_timeout_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_pair *pp = kmcl_st_pair(test, &cfg);
	LARGE_INTEGER tmo;
	u8 data[8] = {};
	ktime_t t0;
	s64 ms;
	NTSTATUS st;

	/* Windows system time: 100 ns units since 1601-01-01 UTC. */
	pp->srx.mode = KMCL_PT_HOLD;
	tmo.QuadPart = div_s64(ktime_get_real_ns(), 100) + 116444736000000000LL +
		       KMCL_ST_MS(150);
	t0 = ktime_get();
	st = VmbChannelSendSynchronousRequest(pp->p->client->ch, data, 8, NULL,
					      WAIT_FLAG, NULL, NULL, &tmo);
	ms = kmcl_st_ms_since(t0);
	KUNIT_EXPECT_EQ(test, st, STATUS_CANCELLED);
	KUNIT_EXPECT_GE(test, ms, 100LL);
	KUNIT_EXPECT_LT(test, ms, (s64)KMCL_ST_SLACK_MS);

	/* A deadline in the past gives up at once. */
	tmo.QuadPart = 116444736000000000LL;	/* 1970 */
	t0 = ktime_get();
	st = VmbChannelSendSynchronousRequest(pp->p->client->ch, data, 8, NULL,
					      WAIT_FLAG, NULL, NULL, &tmo);
	KUNIT_EXPECT_EQ(test, st, STATUS_CANCELLED);
	KUNIT_EXPECT_LT(test, kmcl_st_ms_since(t0), (s64)KMCL_ST_SLACK_MS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 2));
	kmcl_pt_complete(&pp->srx, 0, NULL, 0);
	kmcl_pt_complete(&pp->srx, 1, NULL, 0);
}

static void kmcl_sync_zero_timeout_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {
		.max_packet_size = 1024, .ring_pages = 2,
		.server_packet_count = 1,
	};
	struct kmcl_pt_done *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct kmcl_pt_pair *pp = kmcl_st_pair(test, &cfg);
	VMBCHANNEL ch = pp->p->client->ch;
	LARGE_INTEGER zero = { .QuadPart = 0 };
	LARGE_INTEGER tmo = { .QuadPart = -KMCL_ST_MS(50) };
	u8 *data = kunit_kzalloc(test, 1024, GFP_KERNEL);
	unsigned int i, n;
	ktime_t t0;
	NTSTATUS st;

	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_NOT_NULL(test, data);
	kmcl_pt_done_init(d, true);

	/* Room in the ring: written at once, even in softirq-like context. */
	kmcl_pt_fill(data, 8, 200);
	local_bh_disable();
	st = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, 0, NULL, NULL,
					      &zero);
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, st, STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));

	/* Fill the ring: the server holds one packet, three wait, two queue. */
	pp->srx.mode = KMCL_PT_HOLD;
	for (i = 0; i < 6; i++)
		kmcl_pt_send(test, ch, d, i, 1024, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 2));
	msleep(50);
	KUNIT_ASSERT_LT(test, kmcl_pt_done_count(d), 6U);

	/* Zero timeout: not queued, BUFFER_OVERFLOW, at once. */
	kmcl_pt_fill(data, 1024, 250);
	t0 = ktime_get();
	st = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, 0, NULL, NULL,
					      &zero);
	KUNIT_EXPECT_EQ(test, st, STATUS_BUFFER_OVERFLOW);
	local_bh_disable();
	st = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, 0, NULL, NULL,
					      &zero);
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, st, STATUS_BUFFER_OVERFLOW);
	st = VmbChannelSendSynchronousRequest(ch, data, 8, NULL, WAIT_FLAG, NULL,
					      NULL, &zero);
	KUNIT_EXPECT_EQ(test, st, STATUS_BUFFER_OVERFLOW);
	KUNIT_EXPECT_LT(test, kmcl_st_ms_since(t0), (s64)KMCL_ST_SLACK_MS);

	/* A short timeout: queued behind the others, then taken back. */
	st = VmbChannelSendSynchronousRequest(ch, data, 1024, NULL, 0, NULL, NULL,
					      &tmo);
	KUNIT_EXPECT_EQ(test, st, STATUS_CANCELLED);
	KUNIT_EXPECT_EQ(test, pp->cch->out.nr_free,
			pp->cch->out.nr_packets - (6U - kmcl_pt_done_count(d)));

	/* Drain: exactly the six real packets arrive, never the cancelled ones. */
	pp->srx.mode = KMCL_PT_COMPLETE;
	kmcl_pt_complete(&pp->srx, 1, NULL, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 7));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 6));
	msleep(50);
	n = kmcl_pt_rx_count(&pp->srx);
	KUNIT_EXPECT_EQ(test, n, 7U);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data,
						      KMCL_PT_DATA, i - 1));
	KUNIT_EXPECT_EQ(test, pp->cch->out.nr_free, pp->cch->out.nr_packets);
}

static void kmcl_sync_close_while_waiting_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_pair *pp = kmcl_st_pair(test, &cfg);
	struct kmcl_st_req *r;
	NTSTATUS st;

	/* No timeout, the server never answers, the client is disabled. */
	pp->srx.mode = KMCL_PT_HOLD;
	r = kmcl_st_req_start(test, pp, WAIT_FLAG, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	msleep(50);
	KUNIT_EXPECT_FALSE(test, kmcl_st_req_done(r));

	VmbChannelDisable(pp->p->client->ch);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(kmcl_st_req_done, r,
						  KMCL_PT_WAIT_MS));
	flush_work(&r->work);
	KUNIT_EXPECT_EQ(test, r->status, STATUS_DEVICE_REMOVED);
	KUNIT_EXPECT_EQ(test, r->csize, 0U);
	kmcl_pt_complete(&pp->srx, 0, NULL, 0);

	/* Disabled: at once DEVICE_REMOVED. */
	st = kmcl_st_req(pp->p->client->ch, r->cbuf, 8, NULL, WAIT_FLAG, NULL, NULL);
	KUNIT_EXPECT_EQ(test, st, STATUS_DEVICE_REMOVED);
}

static void kmcl_sync_peer_gone_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_pair *pp = kmcl_st_pair(test, &cfg);
	struct kmcl_st_req *r;

	/*
	 * The server is paused: the request sits in its ring, unanswered. (Its
	 * 20 s timeout only keeps a broken build from hanging the run.)
	 */
	VmbChannelPause(pp->p->server->ch);
	r = kmcl_st_req_start(test, pp, WAIT_FLAG, 20000);
	/* The worker may start late: wait until the request is in the ring. */
	KUNIT_EXPECT_TRUE(test, KMCL_TEST_WAIT_UNTIL(READ_ONCE(pp->cch->out.stats.sent) >= 1));
	msleep(100);
	KUNIT_EXPECT_FALSE(test, kmcl_st_req_done(r));
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 0U);

	/* The server goes away: the waiter gives up, DEVICE_REMOVED. */
	VmbChannelDisable(pp->p->server->ch);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(kmcl_st_req_done, r,
						  KMCL_PT_WAIT_MS));
	flush_work(&r->work);
	KUNIT_EXPECT_EQ(test, r->status, STATUS_DEVICE_REMOVED);
	KUNIT_EXPECT_LT(test, r->elapsed_ms, 100LL + KMCL_ST_SLACK_MS);
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait(pp->p->client, KMCL_TEST_CLOSED, 1));
	KUNIT_EXPECT_EQ(test, pp->cch->out.nr_free, pp->cch->out.nr_packets);
}

static void kmcl_sync_resources_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .max_packet_count = 2 };
	struct kmcl_pt_pair *pp = kmcl_st_pair(test, &cfg);
	VMBCHANNEL ch = pp->p->client->ch;
	struct kmcl_test_ep *lone;
	VMBPACKET a, b;
	u8 data[8] = {};
	NTSTATUS st;

	a = VmbPacketAllocate(ch);
	b = VmbPacketAllocate(ch);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	st = kmcl_st_req(ch, data, 8, NULL, WAIT_FLAG, NULL, NULL);
	KUNIT_EXPECT_EQ(test, st, STATUS_INSUFFICIENT_RESOURCES);
	VmbPacketFree(a);
	st = kmcl_st_req(ch, data, 8, NULL, WAIT_FLAG, NULL, NULL);
	KUNIT_EXPECT_EQ(test, st, STATUS_SUCCESS);
	VmbPacketFree(b);

	/* A channel that was never enabled. */
	lone = kmcl_test_ep_alloc(test, kmcl_test_log_new(test), false);
	st = kmcl_st_req(lone->ch, data, 8, NULL, WAIT_FLAG, NULL, NULL);
	KUNIT_EXPECT_EQ(test, st, STATUS_DEVICE_REMOVED);
}

static struct kunit_case kmcl_sync_cases[] = {
	KUNIT_CASE(kmcl_sync_success_test),
	KUNIT_CASE(kmcl_sync_no_wait_flag_test),
	KUNIT_CASE(kmcl_sync_args_test),
	KUNIT_CASE(kmcl_sync_overflow_test),
	KUNIT_CASE(kmcl_sync_timeout_test),
	KUNIT_CASE(kmcl_sync_absolute_timeout_test),
	KUNIT_CASE(kmcl_sync_zero_timeout_test),
	KUNIT_CASE(kmcl_sync_close_while_waiting_test),
	KUNIT_CASE(kmcl_sync_peer_gone_test),
	KUNIT_CASE(kmcl_sync_resources_test),
	{}
};

static struct kunit_suite kmcl_sync_suite = {
	.name = "kmcl_sync",
	.test_cases = kmcl_sync_cases,
};

kunit_test_suite(kmcl_sync_suite);
