// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_packet: outgoing packet objects (lookaside, caller
 * memory), VmbPacketSend, the send queue, completion routines, the
 * transaction-id table, and what closing does to packets in flight. Also
 * the helpers the kmcl_incoming and kmcl_sync suites share (packet_kunit.h).
 */
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/interrupt.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kmcl.h"
#include "packet_kunit.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

#define WAIT_FLAG_P	VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define KMCL_PT_SLOW_US	200	/* KMCL_PT_SLOW: time spent per packet */

/* --- helpers (packet_kunit.h) ----------------------------------------- */

/**
 * kmcl_pt_fill() - a recognisable payload
 * @buf: filled with @len bytes derived from @seed.
 * @len: length.
 * @seed: distinguishes packets.
 */
void kmcl_pt_fill(u8 *buf, u32 len, u8 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(seed * 31 + i * 7 + 1);
}

/**
 * kmcl_pt_check() - is @buf what kmcl_pt_fill() made for @seed?
 * @buf: the bytes.
 * @len: how many to check.
 * @seed: the packet.
 *
 * Return: true if all @len bytes match.
 */
bool kmcl_pt_check(const u8 *buf, u32 len, u8 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (buf[i] != (u8)(seed * 31 + i * 7 + 1))
			return false;
	return true;
}

static VOID kmcl_pt_process(VMBCHANNEL ch, PVOID ctx, VMBPACKETCOMPLETION pc,
			    PVOID buf, UINT32 len, UINT32 flags)
{
	struct kmcl_pt_rx *rx = ctx;
	struct kmcl_pt_rec r = {
		.pc = pc,
		.len = len,
		.flags = flags,
		.softirq = in_serving_softirq(),
		.task = in_task(),
		.preemptible = preemptible(),
		.cpu = raw_smp_processor_id(),
		.ctx_zero = true,
	};
	enum kmcl_pt_mode mode;
	unsigned long irqfl;
	u8 *c;
	u32 i;

	if (rx->hook)
		rx->hook(rx->hook_ctx);
	memcpy(r.data, buf, min_t(u32, len, KMCL_PT_DATA));
	r.ctx = VmbChannelPacketGetClientContext(pc);
	c = r.ctx;
	for (i = 0; c && i < rx->ctx_size; i++)
		if (c[i])
			r.ctx_zero = false;
	if (c)	/* dirty it: the next delivery must see it zeroed again */
		memset(c, 0xa5, rx->ctx_size);

	spin_lock_irqsave(&rx->lock, irqfl);
	mode = rx->mode;
	r.batch = rx->batches;
	/* Only a held packet is left for the test (or the cleanup) to finish. */
	r.done = mode != KMCL_PT_HOLD && mode != KMCL_PT_HOLD_WAIT &&
		 !(mode == KMCL_PT_DEFER && r.task);
	if (rx->n < KMCL_PT_REC)
		rx->rec[rx->n] = r;
	rx->n++;
	spin_unlock_irqrestore(&rx->lock, irqfl);
	wake_up_all(&rx->wq);

	switch (mode) {
	case KMCL_PT_COMPLETE:
		VmbChannelPacketComplete(pc, rx->comp_len ? rx->comp : NULL,
					 rx->comp_len);
		break;
	case KMCL_PT_HOLD:
		break;
	case KMCL_PT_DEFER:
		if (!in_task())
			VmbChannelPacketDeferToPassive(pc);
		break;
	case KMCL_PT_DEFER_COMPLETE:
		if (!in_task())
			VmbChannelPacketDeferToPassive(pc);
		else
			VmbChannelPacketComplete(pc, NULL, 0);
		break;
	case KMCL_PT_FAIL:
		VmbChannelPacketFail(pc);
		break;
	case KMCL_PT_SLOW:
		/* May run in softirq context: busy-wait, never sleep. */
		udelay(KMCL_PT_SLOW_US);
		VmbChannelPacketComplete(pc, NULL, 0);
		break;
	case KMCL_PT_HOLD_WAIT:
	case KMCL_PT_WAIT_COMPLETE:
		if (rx->release && in_task())
			wait_for_completion_timeout(rx->release,
						    msecs_to_jiffies(KMCL_PT_WAIT_MS));
		if (mode == KMCL_PT_WAIT_COMPLETE)
			VmbChannelPacketComplete(pc, rx->comp_len ? rx->comp : NULL,
						 rx->comp_len);
		break;
	}
}

static VOID kmcl_pt_processing_complete(VMBCHANNEL ch, PVOID ctx, UINT32 n)
{
	struct kmcl_pt_rx *rx = ctx;
	unsigned long irqfl;

	spin_lock_irqsave(&rx->lock, irqfl);
	rx->batches++;
	rx->batch_total += n;
	if (in_serving_softirq())
		rx->batch_softirq++;
	if (in_task())
		rx->batch_task++;
	spin_unlock_irqrestore(&rx->lock, irqfl);
	wake_up_all(&rx->wq);
}

static void kmcl_pt_rx_init(struct kmcl_pt_rx *rx, u32 ctx_size)
{
	spin_lock_init(&rx->lock);
	init_waitqueue_head(&rx->wq);
	rx->mode = KMCL_PT_COMPLETE;
	rx->ctx_size = ctx_size;
}

static void kmcl_pt_configure(struct kunit *test, struct kmcl_test_ep *ep,
			      struct kmcl_pt_rx *rx,
			      const struct kmcl_pt_cfg *cfg, u32 count)
{
	VMBCHANNEL ch = ep->ch;
	NTSTATUS st;

	st = VmbChannelInitSetProcessPacketCallbacksEx(ch, rx, kmcl_pt_process,
						       kmcl_pt_processing_complete);
	KUNIT_ASSERT_EQ(test, st, STATUS_SUCCESS);
	if (cfg->max_packet_size) {
		st = VmbChannelInitSetMaximumPacketSize(ch, cfg->max_packet_size);
		KUNIT_ASSERT_EQ(test, st, STATUS_SUCCESS);
	}
	if (count) {
		st = VmbChannelInitSetMaximumPacketCount(ch, count);
		KUNIT_ASSERT_EQ(test, st, STATUS_SUCCESS);
	}
	if (cfg->ctx_size) {
		st = VmbChannelInitSetClientContextSize(ch, cfg->ctx_size);
		KUNIT_ASSERT_EQ(test, st, STATUS_SUCCESS);
	}
	if (cfg->inline_ctx) {
		st = VmbChannelInitSetInlinePacketContextSize(ch, cfg->inline_ctx);
		KUNIT_ASSERT_EQ(test, st, STATUS_SUCCESS);
	}
}

static void kmcl_pt_pair_release(void *data);

/**
 * kmcl_pt_pair_setup() - a server and a client with recording callbacks
 * @test: the running test.
 * @pp: the pair, zeroed (kunit_kzalloc).
 * @cfg: the geometry.
 *
 * The server is enabled and started (unless @cfg->defer_server); unless
 * either is deferred the client is enabled too and the function returns
 * once both ran PostStarted. Both
 * endpoints complete every packet at once until the test changes their
 * recorder's mode.
 */
void kmcl_pt_pair_setup(struct kunit *test, struct kmcl_pt_pair *pp,
			const struct kmcl_pt_cfg *cfg)
{
	struct kmcl_test_pair *p;

	kmcl_pt_rx_init(&pp->srx, cfg->ctx_size);
	kmcl_pt_rx_init(&pp->crx, cfg->ctx_size);
	p = kmcl_test_pair_new(test);
	pp->p = p;
	/* Runs before the endpoints' own cleanup (kunit actions are LIFO). */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kmcl_pt_pair_release,
							pp), 0);
	kmcl_pt_configure(test, p->server, &pp->srx, cfg,
			  cfg->server_packet_count);
	kmcl_pt_configure(test, p->client, &pp->crx, cfg,
			  cfg->max_packet_count);
	if (cfg->ring_pages)
		KUNIT_ASSERT_EQ(test,
				VmbClientChannelInitSetRingBufferPageCount(p->client->ch,
									   cfg->ring_pages,
									   cfg->ring_pages),
				STATUS_SUCCESS);
	pp->sch = kmcl_channel_from_handle(p->server->ch);
	pp->cch = kmcl_channel_from_handle(p->client->ch);
	KUNIT_ASSERT_NOT_NULL(test, pp->sch);
	KUNIT_ASSERT_NOT_NULL(test, pp->cch);

	if (cfg->defer_server)
		return;
	kmcl_pt_enable_server(test, pp);
	if (!cfg->defer_client)
		kmcl_pt_enable_client(test, pp);
}

/**
 * kmcl_pt_enable_server() - enable and start the server of a pair
 * @test: the running test.
 * @pp: the pair.
 */
void kmcl_pt_enable_server(struct kunit *test, struct kmcl_pt_pair *pp)
{
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(pp->p->server->ch), STATUS_SUCCESS);
	VmbChannelStart(pp->p->server->ch);
}

/**
 * kmcl_pt_enable_client() - enable the client of a pair and wait until open
 * @test: the running test.
 * @pp: the pair.
 */
void kmcl_pt_enable_client(struct kunit *test, struct kmcl_pt_pair *pp)
{
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(pp->p->client->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(pp->p->server,
					       KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(pp->p->client,
					       KMCL_TEST_POST_STARTED, 1));
}

/**
 * kmcl_pt_rx_count() - ProcessPacket calls so far
 * @rx: the recorder.
 *
 * Return: the count.
 */
unsigned int kmcl_pt_rx_count(struct kmcl_pt_rx *rx)
{
	unsigned long irqfl;
	unsigned int n;

	spin_lock_irqsave(&rx->lock, irqfl);
	n = rx->n;
	spin_unlock_irqrestore(&rx->lock, irqfl);
	return n;
}

/**
 * kmcl_pt_rx_pc() - the handle of the @i-th delivered packet
 * @rx: the recorder.
 * @i: index.
 *
 * Return: the handle.
 */
VMBPACKETCOMPLETION kmcl_pt_rx_pc(struct kmcl_pt_rx *rx, unsigned int i)
{
	return rx->rec[i].pc;
}

/**
 * kmcl_pt_complete() - complete the @i-th delivered packet, if still held
 * @rx: the recorder.
 * @i: index.
 * @buf: completion payload, or NULL.
 * @len: its length.
 */
void kmcl_pt_complete(struct kmcl_pt_rx *rx, unsigned int i, const void *buf,
		      u32 len)
{
	VMBPACKETCOMPLETION pc = NULL;
	unsigned long irqfl;

	spin_lock_irqsave(&rx->lock, irqfl);
	if (i < min_t(unsigned int, rx->n, KMCL_PT_REC) && !rx->rec[i].done) {
		rx->rec[i].done = true;
		pc = rx->rec[i].pc;
	}
	spin_unlock_irqrestore(&rx->lock, irqfl);
	if (pc)
		VmbChannelPacketComplete(pc, (PVOID)buf, len);
}

/*
 * Test end: complete whatever the endpoint still holds, and everything it
 * gets from now on, so that closing the channel never waits for the test.
 */
static void kmcl_pt_rx_release(struct kmcl_pt_rx *rx)
{
	unsigned long irqfl;
	unsigned int i, n;

	spin_lock_irqsave(&rx->lock, irqfl);
	rx->mode = KMCL_PT_COMPLETE;
	rx->comp_len = 0;
	n = min_t(unsigned int, rx->n, KMCL_PT_REC);
	spin_unlock_irqrestore(&rx->lock, irqfl);
	for (i = 0; i < n; i++)
		kmcl_pt_complete(rx, i, NULL, 0);
}

static void kmcl_pt_pair_release(void *data)
{
	struct kmcl_pt_pair *pp = data;

	kmcl_pt_rx_release(&pp->srx);
	kmcl_pt_rx_release(&pp->crx);
}

struct kmcl_pt_work_ref {
	struct kmcl_pt_pair *pp;
	struct work_struct *work;
};

static void kmcl_pt_work_release(void *data)
{
	struct kmcl_pt_work_ref *ref = data;

	/* Whatever the work waits for (a pause, a reply) can finish now. */
	kmcl_pt_pair_release(ref->pp);
	flush_work(ref->work);
}

/**
 * kmcl_pt_track_work() - make sure @work is finished before its memory goes
 * @test: the running test.
 * @pp: the pair the work uses.
 * @work: a work item in test-managed memory allocated before this call.
 *
 * Even when the test fails half-way: the pair's held packets are completed
 * first, so a work item blocked on them returns.
 */
void kmcl_pt_track_work(struct kunit *test, struct kmcl_pt_pair *pp,
			struct work_struct *work)
{
	struct kmcl_pt_work_ref *ref = kunit_kzalloc(test, sizeof(*ref),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ref);
	ref->pp = pp;
	ref->work = work;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kmcl_pt_work_release,
							ref), 0);
}

/**
 * kmcl_pt_wait_rx() - wait for @n ProcessPacket calls
 * @rx: the recorder.
 * @n: how many.
 *
 * Return: true if they happened within KMCL_PT_WAIT_MS.
 */
bool kmcl_pt_wait_rx(struct kmcl_pt_rx *rx, unsigned int n)
{
	wait_event_timeout(rx->wq, kmcl_pt_rx_count(rx) >= n,
			   msecs_to_jiffies(KMCL_PT_WAIT_MS));
	return kmcl_pt_rx_count(rx) >= n;
}

static unsigned int kmcl_pt_batch_total(struct kmcl_pt_rx *rx)
{
	unsigned long irqfl;
	unsigned int n;

	spin_lock_irqsave(&rx->lock, irqfl);
	n = rx->batch_total;
	spin_unlock_irqrestore(&rx->lock, irqfl);
	return n;
}

/**
 * kmcl_pt_wait_batches() - wait until ProcessingComplete counted @total
 * @rx: the recorder.
 * @total: sum of PacketsProcessed to wait for.
 *
 * Return: true if reached within KMCL_PT_WAIT_MS.
 */
bool kmcl_pt_wait_batches(struct kmcl_pt_rx *rx, unsigned int total)
{
	wait_event_timeout(rx->wq, kmcl_pt_batch_total(rx) >= total,
			   msecs_to_jiffies(KMCL_PT_WAIT_MS));
	return kmcl_pt_batch_total(rx) >= total;
}

/**
 * kmcl_pt_done_init() - an empty completion recorder
 * @d: the recorder.
 * @free: free each packet in its completion routine.
 */
void kmcl_pt_done_init(struct kmcl_pt_done *d, bool free)
{
	spin_lock_init(&d->lock);
	init_waitqueue_head(&d->wq);
	d->free = free;
	d->n = 0;
}

/**
 * kmcl_pt_done_cb() - recording completion routine (Ex form)
 * @pkt: the packet.
 * @ctx: the struct kmcl_pt_done.
 * @status: its status.
 * @buf: completion payload.
 * @len: its length.
 */
void kmcl_pt_done_cb(VMBPACKET pkt, PVOID ctx, NTSTATUS status, PVOID buf,
		     UINT32 len)
{
	struct kmcl_pt_done *d = ctx;
	unsigned long irqfl;
	unsigned int i;

	/* Free first: once the count shows it, the packet is available. */
	if (d->free)
		VmbPacketFree(pkt);
	spin_lock_irqsave(&d->lock, irqfl);
	i = d->n++;
	if (i < KMCL_PT_REC) {
		d->rec[i].pkt = pkt;
		d->rec[i].status = status;
		d->rec[i].len = len;
		d->rec[i].had_buf = buf;
		d->rec[i].bh_off = in_softirq();
		d->rec[i].cpu = raw_smp_processor_id();
		if (buf)
			memcpy(d->rec[i].data, buf, min_t(u32, len, KMCL_PT_DATA));
	}
	spin_unlock_irqrestore(&d->lock, irqfl);
	wake_up_all(&d->wq);
}

/**
 * kmcl_pt_done_count() - completion routine calls so far
 * @d: the recorder.
 *
 * Return: the count.
 */
unsigned int kmcl_pt_done_count(struct kmcl_pt_done *d)
{
	unsigned long irqfl;
	unsigned int n;

	spin_lock_irqsave(&d->lock, irqfl);
	n = d->n;
	spin_unlock_irqrestore(&d->lock, irqfl);
	return n;
}

/**
 * kmcl_pt_wait_done() - wait for @n completion routine calls
 * @d: the recorder.
 * @n: how many.
 *
 * Return: true if they happened within KMCL_PT_WAIT_MS.
 */
bool kmcl_pt_wait_done(struct kmcl_pt_done *d, unsigned int n)
{
	wait_event_timeout(d->wq, kmcl_pt_done_count(d) >= n,
			   msecs_to_jiffies(KMCL_PT_WAIT_MS));
	return kmcl_pt_done_count(d) >= n;
}

/**
 * kmcl_pt_done_times() - how often @pkt completed
 * @d: the recorder.
 * @pkt: the packet.
 * @status: receives the status of its last completion.
 *
 * Return: the number of completion routine calls for @pkt.
 */
int kmcl_pt_done_times(struct kmcl_pt_done *d, VMBPACKET pkt,
		       NTSTATUS *status)
{
	unsigned long irqfl;
	unsigned int i;
	int times = 0;

	spin_lock_irqsave(&d->lock, irqfl);
	for (i = 0; i < min_t(unsigned int, d->n, KMCL_PT_REC); i++) {
		if (d->rec[i].pkt == pkt) {
			times++;
			*status = d->rec[i].status;
		}
	}
	spin_unlock_irqrestore(&d->lock, irqfl);
	return times;
}

/**
 * kmcl_pt_send() - allocate, fill and send one packet
 * @test: the running test.
 * @ch: the channel.
 * @d: recorder for its completion.
 * @seed: payload pattern (kmcl_pt_fill()).
 * @len: payload length.
 * @flags: send flags.
 *
 * Return: the packet (it may already be completed, and freed if @d->free).
 */
VMBPACKET kmcl_pt_send(struct kunit *test, VMBCHANNEL ch,
		       struct kmcl_pt_done *d, u8 seed, u32 len, u32 flags)
{
	VMBPACKET pkt = VmbPacketAllocate(ch);
	u8 *buf = kunit_kzalloc(test, max_t(u32, len, 1), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	kmcl_pt_fill(buf, len, seed);
	VmbPacketSetCompletionRoutineEx(pkt, d, kmcl_pt_done_cb);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, buf, len, NULL, flags),
			STATUS_SUCCESS);
	kunit_kfree(test, buf);
	return pkt;
}

/**
 * kmcl_pt_inject() - write raw bytes into a ring as a packet
 * @test: the running test.
 * @writer: the channel whose outgoing ring gets the bytes.
 * @reader: the channel reading that ring; its reader is woken.
 * @bytes: the packet, whatever its descriptor says; a multiple of 8 long.
 * @len: its length.
 *
 * Bypasses every check of kmcl_ring_write(): this is what a hostile peer
 * can do to shared memory. The bytes are followed by the usual trailer.
 */
void kmcl_pt_inject(struct kunit *test, struct kmcl_channel *writer,
		    struct kmcl_channel *reader, const void *bytes, u32 len)
{
	struct kmcl_ring *ring = &writer->out_ring;
	u64 trailer;
	u32 read, used, pos, i;
	const u8 *src = bytes;

	KUNIT_ASSERT_EQ(test, len % 8, 0U);
	spin_lock_bh(&writer->out.lock);
	read = READ_ONCE(ring->hdr->read_index);
	used = ring->write >= read ? ring->write - read :
	       ring->data_size - (read - ring->write);
	if (ring->data_size - used <= len + KMCL_RING_TRAILER_SIZE) {
		spin_unlock_bh(&writer->out.lock);
		KUNIT_FAIL(test, "no room to inject %u bytes", len);
		return;
	}
	trailer = (u64)ring->write << 32;
	pos = ring->write;
	for (i = 0; i < len; i++, pos = (pos + 1) % ring->data_size)
		ring->data[pos] = src[i];
	for (i = 0; i < sizeof(trailer); i++, pos = (pos + 1) % ring->data_size)
		ring->data[pos] = ((u8 *)&trailer)[i];
	/* The bytes must be visible before the index that publishes them. */
	smp_mb();
	WRITE_ONCE(ring->hdr->write_index, pos);
	ring->write = pos;
	spin_unlock_bh(&writer->out.lock);
	kmcl_in_notify(reader);
}

/**
 * kmcl_pt_wait_true() - poll @cond for up to @ms milliseconds
 * @cond: the condition.
 * @arg: its argument.
 * @ms: the limit.
 *
 * Return: true once @cond is true, false on timeout.
 */
bool kmcl_pt_wait_true(bool (*cond)(void *arg), void *arg, unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);

	while (!cond(arg)) {
		if (time_after(jiffies, end))
			return cond(arg);
		usleep_range(1000, 2000);
	}
	return true;
}

static bool kmcl_pt_reader_busy(struct kmcl_channel *ch)
{
	return test_bit(TASKLET_STATE_SCHED, &ch->in.dpc.state) ||
	       test_bit(TASKLET_STATE_RUN, &ch->in.dpc.state) ||
	       READ_ONCE(ch->in.reading);
}

/**
 * kmcl_pt_settle() - wait until no reader run of @ch is left to come
 * @test: the test (asserts on a reader that never goes quiet).
 * @ch: a channel that is paused or has nothing to read, so that nothing
 *	kicks its reader again until the test does.
 *
 * Runs kicked earlier may still be pending: the softirq reader kicked by
 * Enable or Start from process context (in ksoftirqd on the kicking CPU),
 * a process-context run queued when an earlier burst used up the DPC
 * budget. Started late, such a run takes what the test sends next, in a
 * context or on a CPU the test does not expect. The softirq reader counts
 * as busy while its tasklet is scheduled or RUN (taken just before SCHED
 * clears and the reader marks itself reading: between the two, a vCPU the
 * host preempts can stay for milliseconds) or it is reading.
 */
void kmcl_pt_settle(struct kunit *test, struct kmcl_channel *ch)
{
	flush_work(&ch->in.work);
	KUNIT_ASSERT_TRUE(test, KMCL_TEST_WAIT_UNTIL(!kmcl_pt_reader_busy(ch)));
	flush_work(&ch->in.work);
}

static struct kmcl_pt_pair *kmcl_pt_pair(struct kunit *test,
					 const struct kmcl_pt_cfg *cfg)
{
	struct kmcl_pt_pair *pp = kunit_kzalloc(test, sizeof(*pp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pp);
	kmcl_pt_pair_setup(test, pp, cfg);
	return pp;
}

static struct kmcl_pt_done *kmcl_pt_done_new(struct kunit *test, bool free)
{
	struct kmcl_pt_done *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	kmcl_pt_done_init(d, free);
	return d;
}

/* --- transaction ids ---------------------------------------------------- */

static void kmcl_packet_txid_test(struct kunit *test)
{
	struct kmcl_txid_table t = {};
	struct kmcl_packet *pkts = kunit_kcalloc(test, 4, sizeof(*pkts),
						 GFP_KERNEL);
	struct kmcl_packet *got;
	u64 id[4], id2;
	u32 slot[4], slot2;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, pkts);
	KUNIT_EXPECT_EQ(test, kmcl_txid_init(&t, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_txid_init(&t, KMCL_TXID_MAX_SLOTS + 1),
			-EINVAL);
	KUNIT_ASSERT_EQ(test, kmcl_txid_init(&t, 4), 0);

	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_EQ(test, kmcl_txid_alloc(&t, &pkts[i], false, &id[i],
						      &slot[i]), 0);
		KUNIT_EXPECT_NE(test, id[i], 0ULL);
		KUNIT_EXPECT_LT(test, id[i], U64_MAX - 3);
		KUNIT_EXPECT_EQ(test, (u32)id[i], slot[i] + 1);
	}
	KUNIT_EXPECT_EQ(test, kmcl_txid_alloc(&t, &pkts[0], false, &id2, &slot2),
			-EAGAIN);

	/* A match releases the slot; the same id again is stale. */
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, id[1], &got), KMCL_TXID_OK);
	KUNIT_EXPECT_PTR_EQ(test, got, &pkts[1]);
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, id[1], &got), KMCL_TXID_STALE);
	KUNIT_EXPECT_NULL(test, got);

	/* The slot comes back with a new generation. */
	KUNIT_ASSERT_EQ(test, kmcl_txid_alloc(&t, &pkts[1], false, &id2, &slot2), 0);
	KUNIT_EXPECT_EQ(test, slot2, slot[1]);
	KUNIT_EXPECT_NE(test, id2, id[1]);
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, id[1], &got), KMCL_TXID_STALE);
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, id2, &got), KMCL_TXID_OK);

	/* Forged: slot 0, out of range, reserved values. */
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, 0, &got), KMCL_TXID_BAD);
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, id[0] + 4, &got),
			KMCL_TXID_BAD);
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, U64_MAX, &got), KMCL_TXID_BAD);
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, U64_MAX - 3, &got),
			KMCL_TXID_BAD);
	/* Right slot, wrong generation. */
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, id[0] ^ (1ULL << 40), &got),
			KMCL_TXID_STALE);

	/* An untagged id that was cancelled is not recognised later. */
	kmcl_txid_cancel(&t, slot[2]);
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, id[2], &got), KMCL_TXID_STALE);
	KUNIT_EXPECT_NULL(test, got);

	/*
	 * Tagged ids (requests that may be cancelled): a completion of any
	 * earlier generation of the slot is late, however often the slot was
	 * reused since, and however it interleaves with a live transaction.
	 */
	KUNIT_ASSERT_EQ(test, kmcl_txid_alloc(&t, &pkts[2], true, &id[2], &slot2), 0);
	KUNIT_ASSERT_EQ(test, slot2, slot[2]);
	KUNIT_EXPECT_NE(test, id[2] >> 63, 0ULL);
	KUNIT_EXPECT_LT(test, id[2], U64_MAX - 3);
	kmcl_txid_cancel(&t, slot2);
	for (i = 0; i < 1000; i++) {
		KUNIT_ASSERT_EQ(test, kmcl_txid_alloc(&t, &pkts[2], i & 1, &id2,
						      &slot2), 0);
		KUNIT_ASSERT_EQ(test, slot2, slot[2]);
		kmcl_txid_release(&t, slot2);
	}
	KUNIT_ASSERT_EQ(test, kmcl_txid_alloc(&t, &pkts[1], true, &id[1], &slot2), 0);
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, id[2], &got), KMCL_TXID_LATE);
	KUNIT_EXPECT_NULL(test, got);
	/* The live tagged id still matches; its untagged twin does not. */
	KUNIT_EXPECT_EQ(test, kmcl_txid_peek(&t, id[1] & ~BIT_ULL(63), &got),
			KMCL_TXID_STALE);
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, id[1], &got), KMCL_TXID_OK);
	KUNIT_EXPECT_PTR_EQ(test, got, &pkts[1]);
	/* A tagged generation not handed out yet was never sent: stale. */
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, id[1] + (5ULL << 32), &got),
			KMCL_TXID_STALE);

	/* Release: the id never reached the peer; it is stale now. */
	kmcl_txid_release(&t, slot[3]);
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, id[3], &got), KMCL_TXID_STALE);

	/* Closing takes every remaining packet exactly once. */
	slot2 = 0;
	got = kmcl_txid_take_next(&t, &slot2);
	KUNIT_EXPECT_PTR_EQ(test, got, &pkts[0]);
	KUNIT_EXPECT_NULL(test, kmcl_txid_take_next(&t, &slot2));
	KUNIT_EXPECT_EQ(test, t.nr_used, 0U);
	KUNIT_EXPECT_EQ(test, kmcl_txid_take(&t, id[0], &got), KMCL_TXID_STALE);
	kmcl_txid_destroy(&t);
}

/* --- lookaside and caller memory --------------------------------------- */

static void kmcl_packet_lookaside_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .max_packet_count = 4 };
	struct kmcl_test_ep *lone;
	struct kmcl_pt_pair *pp;
	VMBPACKET p[4], extra;
	int i, j;

	/* No lookaside before the channel was ever enabled. */
	lone = kmcl_test_ep_alloc(test, kmcl_test_log_new(test), false);
	KUNIT_EXPECT_NULL(test, VmbPacketAllocate(lone->ch));
	KUNIT_EXPECT_NULL(test, VmbPacketAllocate(NULL));

	pp = kmcl_pt_pair(test, &cfg);
	for (i = 0; i < 4; i++) {
		p[i] = VmbPacketAllocate(pp->p->client->ch);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_PTR_NE(test, p[i], p[j]);
	}
	/* Exhausted: NULL, and again NULL. */
	KUNIT_EXPECT_NULL(test, VmbPacketAllocate(pp->p->client->ch));
	KUNIT_EXPECT_NULL(test, VmbPacketAllocate(pp->p->client->ch));

	/* One free makes exactly that one available. */
	VmbPacketFree(p[2]);
	extra = VmbPacketAllocate(pp->p->client->ch);
	KUNIT_EXPECT_PTR_EQ(test, extra, p[2]);
	KUNIT_EXPECT_NULL(test, VmbPacketAllocate(pp->p->client->ch));
	KUNIT_EXPECT_PTR_EQ(test, VmbPacketGetChannel(extra), pp->p->client->ch);

	for (i = 0; i < 4; i++)
		VmbPacketFree(p[i]);
	KUNIT_EXPECT_EQ(test, pp->cch->out.nr_free, 4U);
}

static VOID kmcl_pt_plain_done(VMBPACKET pkt, NTSTATUS status, PVOID buf,
			       UINT32 len)
{
	/* The plain routine finds its recorder through the packet pointer. */
	kmcl_pt_done_cb(pkt, VmbPacketGetPointer(pkt), status, buf, len);
}

static void kmcl_packet_initialize_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .inline_ctx = 16 };
	struct kmcl_pt_done *d = kmcl_pt_done_new(test, false);
	struct kmcl_pt_pair *pp = kmcl_pt_pair(test, &cfg);
	VMBCHANNEL ch = pp->p->client->ch;
	u8 data[24], *mem, *ctx;
	VMBPACKET pkt, alloc;
	u32 size;

	size = VmbChannelSizeofPacket(ch);
	KUNIT_EXPECT_GT(test, size, 4096U + (u32)sizeof(void *));
	KUNIT_EXPECT_EQ(test, VmbChannelSizeofPacket(NULL), 0U);
	mem = kunit_kzalloc(test, size + 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	memset(mem, 0x5a, size + 8);
	pkt = (VMBPACKET)mem;

	KUNIT_EXPECT_EQ(test, VmbPacketInitialize(NULL, pkt, size),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbPacketInitialize(ch, NULL, size),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbPacketInitialize(ch, pkt, size - 1),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbPacketInitialize(ch, (VMBPACKET)(mem + 1),
						  size), STATUS_INVALID_PARAMETER_2);
	KUNIT_ASSERT_EQ(test, VmbPacketInitialize(ch, pkt, size), STATUS_SUCCESS);

	/* The inline context lies inside the caller's memory and is zeroed. */
	ctx = VmbPacketGetInlinePacketContextPointer(pkt);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_EXPECT_TRUE(test, ctx > mem && ctx + 16 <= mem + size);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(ctx, 0, 16));
	KUNIT_EXPECT_PTR_EQ(test, VmbPacketGetChannel(pkt), ch);

	/* No completion routine yet: refused, nothing sent. */
	kmcl_pt_fill(data, sizeof(data), 7);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, data, sizeof(data), NULL, 0),
			STATUS_INVALID_PARAMETER_1);

	VmbPacketSetPointer(pkt, d);
	VmbPacketSetCompletionRoutine(pkt, kmcl_pt_plain_done);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, data, sizeof(data), NULL, 0),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_PTR_EQ(test, d->rec[0].pkt, pkt);
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	KUNIT_EXPECT_EQ(test, pp->srx.rec[0].len, 24U);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[0].data, 24, 7));

	/* VmbPacketFree is not for caller memory: refused, packet still works. */
	VmbPacketFree(pkt);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, data, 8, NULL, 0), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_done(d, 2));

	/* Memory of the lookaside cannot be re-initialised. */
	alloc = VmbPacketAllocate(ch);
	KUNIT_ASSERT_NOT_NULL(test, alloc);
	KUNIT_EXPECT_EQ(test, VmbPacketInitialize(ch, alloc, size),
			STATUS_INVALID_PARAMETER_2);
	VmbPacketFree(alloc);
	/* The bytes after the object were not touched. */
	KUNIT_EXPECT_TRUE(test, !memchr_inv(mem + size, 0x5a, 8));
}

static void kmcl_packet_pointers_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .inline_ctx = 40, .max_packet_count = 1 };
	struct kmcl_pt_pair *pp = kmcl_pt_pair(test, &cfg);
	struct kmcl_pt_cfg nocfg = { .max_packet_count = 1 };
	struct kmcl_pt_pair *pp0;
	VMBPACKET pkt, again;
	u8 *ctx;

	pkt = VmbPacketAllocate(pp->p->client->ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_EXPECT_NULL(test, VmbPacketGetPointer(pkt));
	VmbPacketSetPointer(pkt, test);
	KUNIT_EXPECT_PTR_EQ(test, VmbPacketGetPointer(pkt), (void *)test);
	ctx = VmbPacketGetInlinePacketContextPointer(pkt);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(ctx, 0, 40));
	memset(ctx, 0xff, 40);
	VmbPacketFree(pkt);

	/* The same object again: pointer cleared, context zeroed. */
	again = VmbPacketAllocate(pp->p->client->ch);
	KUNIT_ASSERT_PTR_EQ(test, again, pkt);
	KUNIT_EXPECT_NULL(test, VmbPacketGetPointer(again));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(ctx, 0, 40));
	VmbPacketFree(again);

	/* Invalid handles. */
	KUNIT_EXPECT_NULL(test, VmbPacketGetPointer(NULL));
	KUNIT_EXPECT_NULL(test, VmbPacketGetChannel(NULL));
	KUNIT_EXPECT_NULL(test, VmbPacketGetInlinePacketContextPointer(NULL));
	VmbPacketSetPointer(NULL, test);

	/* Without an inline context size there is no area. */
	pp0 = kmcl_pt_pair(test, &nocfg);
	pkt = VmbPacketAllocate(pp0->p->client->ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_EXPECT_NULL(test, VmbPacketGetInlinePacketContextPointer(pkt));
	VmbPacketFree(pkt);
}

/* --- sending and completion --------------------------------------------- */

static void kmcl_packet_completion_test(struct kunit *test)
{
	static const u8 reply[12] = "reply-bytes!";
	struct kmcl_pt_cfg cfg = {};
	struct kmcl_pt_done *d = kmcl_pt_done_new(test, true);
	struct kmcl_pt_pair *pp = kmcl_pt_pair(test, &cfg);
	VMBCHANNEL ch = pp->p->client->ch;
	VMBPACKET pkt;
	unsigned int nfree = pp->cch->out.nr_free;

	/* No WAIT_FOR_COMPLETION: complete once in the ring, before Send returns. */
	pkt = kmcl_pt_send(test, ch, d, 1, 40, 0);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 1U);
	KUNIT_EXPECT_PTR_EQ(test, d->rec[0].pkt, pkt);
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	KUNIT_EXPECT_FALSE(test, d->rec[0].had_buf);
	KUNIT_EXPECT_EQ(test, d->rec[0].len, 0U);
	KUNIT_EXPECT_TRUE(test, d->rec[0].bh_off);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	KUNIT_EXPECT_EQ(test, pp->srx.rec[0].len, 40U);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[0].data, 40, 1));
	KUNIT_EXPECT_EQ(test, pp->srx.rec[0].flags, 0U);

	/* WAIT_FOR_COMPLETION: not complete until the peer completes. */
	pp->srx.mode = KMCL_PT_HOLD;
	pkt = kmcl_pt_send(test, ch, d, 2, 5,
			   VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 2));
	/* 5 bytes travel as 8: VMBus lengths are in 8-byte units. */
	KUNIT_EXPECT_EQ(test, pp->srx.rec[1].len, 8U);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[1].data, 5, 2));
	msleep(50);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 1U);

	kmcl_pt_complete(&pp->srx, 1, reply, sizeof(reply));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 2));
	KUNIT_EXPECT_PTR_EQ(test, d->rec[1].pkt, pkt);
	KUNIT_EXPECT_EQ(test, d->rec[1].status, STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, d->rec[1].had_buf);
	KUNIT_EXPECT_EQ(test, d->rec[1].len, 16U);
	KUNIT_EXPECT_EQ(test, memcmp(d->rec[1].data, reply, sizeof(reply)), 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(d->rec[1].data + 12, 0, 4));
	KUNIT_EXPECT_TRUE(test, d->rec[1].bh_off);

	/* Both packets went back to the lookaside from their routines. */
	KUNIT_EXPECT_EQ(test, pp->cch->out.nr_free, nfree);
	KUNIT_EXPECT_EQ(test, pp->cch->out.stats.completed, 1ULL);
	KUNIT_EXPECT_EQ(test, pp->sch->out.stats.completions_sent, 1ULL);
	msleep(20);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 2U);
}

static const u32 kmcl_pt_magic = 0x600dc0de;

static VOID kmcl_pt_ex_done(VMBPACKET pkt, PVOID ctx, NTSTATUS status,
			    PVOID buf, UINT32 len)
{
	u32 *seen = VmbPacketGetPointer(pkt);

	*seen = ctx == &kmcl_pt_magic ? *(const u32 *)ctx : 1;
	VmbPacketFree(pkt);
}

static bool kmcl_pt_has_free(void *arg)
{
	struct kmcl_channel *ch = arg;

	return READ_ONCE(ch->out.nr_free) > 0;
}

static void kmcl_packet_default_routine_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .max_packet_count = 2 };
	struct kmcl_pt_pair *pp = kmcl_pt_pair(test, &cfg);
	VMBCHANNEL ch = pp->p->client->ch;
	VMBPACKET a, b, c;
	u32 seen = 0;
	u8 data[8] = {};

	a = VmbPacketAllocate(ch);
	b = VmbPacketAllocate(ch);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NULL(test, VmbPacketAllocate(ch));

	/* The default routine frees the packet once it is in the ring. */
	KUNIT_ASSERT_EQ(test, VmbPacketSend(a, data, 8, NULL, 0), STATUS_SUCCESS);
	c = VmbPacketAllocate(ch);
	KUNIT_EXPECT_PTR_EQ(test, c, a);

	/* ... or once the peer completed it. */
	pp->srx.mode = KMCL_PT_HOLD;
	KUNIT_ASSERT_EQ(test, VmbPacketSend(b, data, 8, NULL,
					    VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 2));
	KUNIT_EXPECT_NULL(test, VmbPacketAllocate(ch));
	kmcl_pt_complete(&pp->srx, 1, NULL, 0);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_wait_true(kmcl_pt_has_free, pp->cch,
						  KMCL_PT_WAIT_MS));
	b = VmbPacketAllocate(ch);
	KUNIT_EXPECT_NOT_NULL(test, b);

	/* An Ex routine gets its context. */
	VmbPacketSetPointer(c, &seen);
	VmbPacketSetCompletionRoutineEx(c, (PVOID)&kmcl_pt_magic, kmcl_pt_ex_done);
	pp->srx.mode = KMCL_PT_COMPLETE;
	KUNIT_ASSERT_EQ(test, VmbPacketSend(c, data, 8, NULL, 0), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, seen, kmcl_pt_magic);
	if (b)
		VmbPacketFree(b);
}

static void kmcl_packet_send_errors_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .max_packet_size = 256 };
	struct kmcl_pt_done *d = kmcl_pt_done_new(test, false);
	struct kmcl_pt_pair *pp = kmcl_pt_pair(test, &cfg);
	VMBCHANNEL ch = pp->p->client->ch;
	u8 *data = kunit_kzalloc(test, 512, GFP_KERNEL);
	PFN_NUMBER pfn = 1;
	VMBPACKET pkt;
	NTSTATUS st;

	KUNIT_ASSERT_NOT_NULL(test, data);
	pkt = VmbPacketAllocate(ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	VmbPacketSetCompletionRoutineEx(pkt, d, kmcl_pt_done_cb);

	KUNIT_EXPECT_EQ(test, VmbPacketSend(NULL, data, 8, NULL, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbPacketSend((VMBPACKET)data, data, 8, NULL, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, NULL, 8, NULL, 0),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, data, 257, NULL, 0),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, data, 8, NULL, 0x20),
			STATUS_INVALID_PARAMETER_5);
	/* No external-data limits on this channel (kmcl_external has the rest). */
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, data, 8, (PMDL)data, 0),
			STATUS_INVALID_PARAMETER_4);
	st = VmbPacketSendWithExternalMdl(pkt, data, 8, (PMDL)data, 0, 0,
					  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	KUNIT_EXPECT_EQ(test, st, STATUS_INVALID_PARAMETER_4);
	st = VmbPacketSendWithExternalPfns(pkt, data, 8, &pfn, 1,
					   VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	KUNIT_EXPECT_EQ(test, st, STATUS_INVALID_PARAMETER_4);
	st = VmbPacketSendWithExternalMdl(NULL, data, 8, (PMDL)data, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, st, STATUS_INVALID_PARAMETER_1);
	/* Outside a restore (kmcl_save has the rest). */
	KUNIT_EXPECT_EQ(test, VmbPacketRestore(pkt, data, 8), STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, VmbPacketRestore(NULL, data, 8),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);

	/* Exactly the maximum is fine; zero bytes too. */
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, data, 256, NULL,
					    VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, NULL, 0, NULL, 0), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 2));

	/* In flight: a second send is refused, so is a free. */
	pp->srx.mode = KMCL_PT_HOLD;
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, data, 8, NULL,
					    VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, data, 8, NULL, 0),
			STATUS_INVALID_PARAMETER_1);
	VmbPacketFree(pkt);
	VmbPacketSetCompletionRoutine(pkt, NULL);	/* refused: in flight */
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 3));
	kmcl_pt_complete(&pp->srx, 2, NULL, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 3));
	KUNIT_EXPECT_EQ(test, d->rec[2].status, STATUS_SUCCESS);

	/* Free, then double free: refused and counted, no damage. */
	VmbPacketFree(pkt);
	VmbPacketFree(pkt);
	KUNIT_EXPECT_EQ(test, pp->cch->out.stats.double_free, 1ULL);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, data, 8, NULL, 0),
			STATUS_INVALID_PARAMETER_1);
	VmbPacketFree(NULL);
	KUNIT_EXPECT_EQ(test, pp->cch->out.nr_free, pp->cch->out.nr_packets);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 3U);
}

static void kmcl_packet_queue_before_open_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .defer_client = true, .defer_server = true };
	struct kmcl_pt_done *d = kmcl_pt_done_new(test, true);
	struct kmcl_pt_pair *pp = kmcl_pt_pair(test, &cfg);
	VMBPACKET pkt[3];
	int i;

	/*
	 * The client is enabled while no server offers the interface, so it
	 * waits: sends are queued, nothing completes.
	 */
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(pp->p->client->ch), STATUS_SUCCESS);
	for (i = 0; i < 3; i++)
		pkt[i] = kmcl_pt_send(test, pp->p->client->ch, d, 10 + i, 16 + 8 * i,
				      0);
	msleep(50);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);
	KUNIT_EXPECT_EQ(test, pp->cch->out.stats.queued, 3ULL);

	/* The server appears: the client opens and flushes, in order. */
	kmcl_pt_enable_server(test, pp);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 3));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 3));
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_PTR_EQ(test, d->rec[i].pkt, pkt[i]);
		KUNIT_EXPECT_EQ(test, d->rec[i].status, STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, pp->srx.rec[i].len, 16U + 8 * i);
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data,
						      16 + 8 * i, 10 + i));
	}
}

/* Bytes a packet of @len payload bytes takes in a ring, trailer included. */
static u32 kmcl_pt_ring_cost(u32 len)
{
	return sizeof(struct kmcl_vmpacket_desc) + round_up(len, 8) +
	       KMCL_RING_TRAILER_SIZE;
}

/* How many such packets an empty ring of @data_size bytes takes. */
static u32 kmcl_pt_ring_fits(u32 data_size, u32 len)
{
	u32 used = 0, n = 0;

	while (data_size - used > kmcl_pt_ring_cost(len)) {
		used += kmcl_pt_ring_cost(len);
		n++;
	}
	return n;
}

static void kmcl_packet_full_ring_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {
		.max_packet_size = 1024, .ring_pages = 2,
		.server_packet_count = 1,
	};
	/* Packets are freed at the end, so each keeps its identity. */
	struct kmcl_pt_done *d = kmcl_pt_done_new(test, false);
	struct kmcl_pt_pair *pp = kmcl_pt_pair(test, &cfg);
	VMBPACKET pkt[10];
	NTSTATUS st;
	u32 fits;
	int i;

	/* The server keeps the first packet: its single object is in use. */
	pp->srx.mode = KMCL_PT_HOLD;
	fits = kmcl_pt_ring_fits(pp->cch->out_ring.data_size, 1024);
	KUNIT_ASSERT_GE(test, fits, 1U);
	KUNIT_ASSERT_LT(test, fits + 1, 10U);

	for (i = 0; i < 10; i++)
		pkt[i] = kmcl_pt_send(test, pp->p->client->ch, d, i, 1024, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, fits + 1));
	msleep(100);
	/* One taken by the server, a ringful waiting, the rest queued. */
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), fits + 1);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 1U);
	KUNIT_EXPECT_GE(test, pp->cch->out.stats.queued, 10ULL - fits - 1);

	/* The peer consumes: the queue drains in order, nothing lost. */
	pp->srx.mode = KMCL_PT_COMPLETE;
	kmcl_pt_complete(&pp->srx, 0, NULL, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 10));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 10));
	msleep(20);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 10U);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 10U);
	for (i = 0; i < 10; i++) {
		KUNIT_EXPECT_EQ(test, pp->srx.rec[i].len, 1024U);
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data,
						      KMCL_PT_DATA, i));
		KUNIT_EXPECT_PTR_EQ(test, d->rec[i].pkt, pkt[i]);
		KUNIT_EXPECT_EQ(test, kmcl_pt_done_times(d, pkt[i], &st), 1);
		KUNIT_EXPECT_EQ(test, st, STATUS_SUCCESS);
	}
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(pp->cch, &pp->cch->out.stats.sent),
			10ULL);
	for (i = 0; i < 10; i++)
		VmbPacketFree(pkt[i]);
	KUNIT_EXPECT_EQ(test, pp->cch->out.nr_free, pp->cch->out.nr_packets);
}

static void kmcl_packet_many_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .max_packet_count = 16 };
	struct kmcl_pt_done *d = kmcl_pt_done_new(test, true);
	struct kmcl_pt_pair *pp = kmcl_pt_pair(test, &cfg);
	u32 i, n = 100;
	u8 echo[8];

	/* 100 transactions through a 16-packet lookaside: each packet reused. */
	memcpy(pp->srx.comp, "echoecho", 8);
	pp->srx.comp_len = 8;
	for (i = 0; i < n; i++) {
		if (i >= 16)
			KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, i - 15));
		kmcl_pt_send(test, pp->p->client->ch, d, i, 8 + (i % 5) * 8,
			     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	}
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, n));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, n));
	memcpy(echo, "echoecho", 8);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data,
						      8 + (i % 5) * 8, i));
		KUNIT_EXPECT_EQ(test, d->rec[i].status, STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, d->rec[i].len, 8U);
		KUNIT_EXPECT_EQ(test, memcmp(d->rec[i].data, echo, 8), 0);
	}
	KUNIT_EXPECT_EQ(test, pp->cch->out.txid.nr_used, 0U);
	KUNIT_EXPECT_EQ(test, pp->cch->out.nr_free, 16U);
	KUNIT_EXPECT_EQ(test, pp->cch->out.stats.completed, (u64)n);
}

static bool kmcl_pt_sent_is(void *arg)
{
	struct kmcl_pt_pair *pp = arg;

	return kmcl_test_out_stat(pp->cch, &pp->cch->out.stats.sent) >= 5;
}

static void kmcl_packet_disable_in_flight_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = {
		.max_packet_size = 1024, .ring_pages = 2,
		.max_packet_count = 16, .server_packet_count = 2,
	};
	struct kmcl_pt_done *d = kmcl_pt_done_new(test, false);
	struct kmcl_pt_pair *pp = kmcl_pt_pair(test, &cfg);
	VMBPACKET pkt[10];
	NTSTATUS st;
	u32 fits, sent;
	int i;

	pp->srx.mode = KMCL_PT_HOLD;
	fits = kmcl_pt_ring_fits(pp->cch->out_ring.data_size, 1024);
	KUNIT_ASSERT_EQ(test, fits, 3U);
	for (i = 0; i < 10; i++)
		pkt[i] = kmcl_pt_send(test, pp->p->client->ch, d, i, 1024,
				      VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	/* Two held by the server, a ringful waiting, five still queued. */
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 2));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_true(kmcl_pt_sent_is, pp, 3000));
	msleep(50);
	sent = kmcl_test_out_stat(pp->cch, &pp->cch->out.stats.sent);
	KUNIT_EXPECT_EQ(test, sent, 5U);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);

	/* Disable: every packet completes exactly once, with a status. */
	VmbChannelDisable(pp->p->client->ch);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 10U);
	for (i = 0; i < 10; i++) {
		KUNIT_EXPECT_EQ(test, kmcl_pt_done_times(d, pkt[i], &st), 1);
		KUNIT_EXPECT_EQ(test, st, i < (int)sent ? STATUS_DEVICE_REMOVED :
							   STATUS_CANCELLED);
	}
	/* Queued ones complete in queue order, after those in the ring. */
	for (i = (int)sent; i < 10; i++)
		KUNIT_EXPECT_PTR_EQ(test, d->rec[i].pkt, pkt[i]);
	for (i = 0; i < 10; i++)
		VmbPacketFree(pkt[i]);
	KUNIT_EXPECT_EQ(test, pp->cch->out.nr_free, 16U);
	KUNIT_EXPECT_EQ(test, pp->cch->out.txid.nr_used, 0U);

	/* The server finishes what it holds; its completions go nowhere. */
	kmcl_pt_complete(&pp->srx, 0, NULL, 0);
	kmcl_pt_complete(&pp->srx, 1, NULL, 0);
	msleep(20);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 10U);

	/* Sent while disabled: queued; cleanup completes it, CANCELLED. */
	d = kmcl_pt_done_new(test, true);
	pkt[0] = kmcl_pt_send(test, pp->p->client->ch, d, 0, 8, 0);
	msleep(20);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);
	kmcl_test_ep_forget(pp->p->client);
	VmbChannelCleanup(pp->p->client->ch);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 1U);
	KUNIT_EXPECT_PTR_EQ(test, d->rec[0].pkt, pkt[0]);
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_CANCELLED);
}

static void kmcl_packet_txid_exhausted_test(struct kunit *test)
{
	struct kmcl_pt_cfg cfg = { .max_packet_count = 1 };
	struct kmcl_pt_done *d = kmcl_pt_done_new(test, false);
	struct kmcl_pt_pair *pp = kmcl_pt_pair(test, &cfg);
	VMBCHANNEL ch = pp->p->client->ch;
	u32 size = VmbChannelSizeofPacket(ch);
	VMBPACKET pkt[3];
	u8 data[16];
	NTSTATUS st;
	int i;

	/*
	 * One transaction id for three caller-memory packets: the second and
	 * third wait in the queue, in order, for the first one's completion.
	 */
	pp->srx.mode = KMCL_PT_HOLD;
	for (i = 0; i < 3; i++) {
		pkt[i] = kunit_kzalloc(test, size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pkt[i]);
		KUNIT_ASSERT_EQ(test, VmbPacketInitialize(ch, pkt[i], size),
				STATUS_SUCCESS);
		VmbPacketSetCompletionRoutineEx(pkt[i], d, kmcl_pt_done_cb);
		kmcl_pt_fill(data, sizeof(data), i);
		KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt[i], data, sizeof(data),
						    NULL, WAIT_FLAG_P),
				STATUS_SUCCESS);
	}
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	msleep(50);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 1U);
	KUNIT_EXPECT_TRUE(test, pp->cch->out.slot_wait);

	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, i + 1));
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data, 16, i));
		kmcl_pt_complete(&pp->srx, i, NULL, 0);
		KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, i + 1));
		KUNIT_EXPECT_PTR_EQ(test, d->rec[i].pkt, pkt[i]);
		KUNIT_EXPECT_EQ(test, kmcl_pt_done_times(d, pkt[i], &st), 1);
		KUNIT_EXPECT_EQ(test, st, STATUS_SUCCESS);
	}
	KUNIT_EXPECT_FALSE(test, pp->cch->out.slot_wait);
	KUNIT_EXPECT_EQ(test, pp->cch->out.txid.nr_used, 0U);

	/* Never enabled: the packet's channel cannot send at all. */
	{
		struct kmcl_test_ep *lone;
		u8 *mem;

		lone = kmcl_test_ep_alloc(test, kmcl_test_log_new(test), false);
		size = VmbChannelSizeofPacket(lone->ch);
		mem = kunit_kzalloc(test, size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, mem);
		KUNIT_ASSERT_EQ(test, VmbPacketInitialize(lone->ch, (VMBPACKET)mem,
							  size), STATUS_SUCCESS);
		VmbPacketSetCompletionRoutineEx((VMBPACKET)mem, d,
						kmcl_pt_done_cb);
		KUNIT_EXPECT_EQ(test, VmbPacketSend((VMBPACKET)mem, data, 8, NULL,
						    0), STATUS_INVALID_DEVICE_STATE);
		/* Refused: its completion routine never runs. */
		msleep(20);
		KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 3U);
	}
}

static struct kunit_case kmcl_packet_cases[] = {
	KUNIT_CASE(kmcl_packet_txid_test),
	KUNIT_CASE(kmcl_packet_lookaside_test),
	KUNIT_CASE(kmcl_packet_initialize_test),
	KUNIT_CASE(kmcl_packet_pointers_test),
	KUNIT_CASE(kmcl_packet_completion_test),
	KUNIT_CASE(kmcl_packet_default_routine_test),
	KUNIT_CASE(kmcl_packet_send_errors_test),
	KUNIT_CASE(kmcl_packet_queue_before_open_test),
	KUNIT_CASE(kmcl_packet_full_ring_test),
	KUNIT_CASE(kmcl_packet_many_test),
	KUNIT_CASE(kmcl_packet_disable_in_flight_test),
	KUNIT_CASE(kmcl_packet_txid_exhausted_test),
	{}
};

static struct kunit_suite kmcl_packet_suite = {
	.name = "kmcl_packet",
	.test_cases = kmcl_packet_cases,
};

kunit_test_suite(kmcl_packet_suite);
