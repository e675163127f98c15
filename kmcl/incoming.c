// SPDX-License-Identifier: GPL-2.0-only
/*
 * Incoming packets: the reader, delivery to ProcessPacket, completion,
 * deferral to process context, the transaction quota, failures.
 *
 * One reader at a time owns the incoming ring (in.reading): the channel's
 * tasklet for delivery in softirq context (the DISPATCH_LEVEL analog), or
 * its work item on the channel's ordered workqueue for delivery in process
 * context. Whoever finds a reader already running asks it to run again
 * (in.rerun). The reader copies a packet out of the ring into a pool
 * object, validates the copy, consumes the ring and only then hands the
 * copy to the driver, without holding any lock. See packet.h for the
 * rules it implements. The steps of a packet are __always_inline into
 * the run (and the completion's into kmcl_in_complete()): every packet
 * passes through them, and a call each is a measurable share of its cost
 * (make bench).
 */
#include <linux/bottom_half.h>
#include <linux/errno.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "kmcl.h"
#include "pipe.h"
#include "xport.h"

enum kmcl_in_step {
	KMCL_IN_MORE,		/* handled a packet, go on */
	KMCL_IN_EMPTY,		/* nothing (more) to read */
	KMCL_IN_STOP,		/* blocked, stopped, or handed off */
	KMCL_IN_YIELD,		/* budget spent, run again later */
	KMCL_IN_PASSIVE,	/* DPC time spent: go on in process context */
};

/* Why the reader rejected a packet (all hostile: the queue stops). */
enum kmcl_in_reject {
	KMCL_REJECT_OVERSIZE,
	KMCL_REJECT_MALFORMED,
	KMCL_REJECT_TYPE,
	KMCL_REJECT_BAD_ID,
	KMCL_REJECT_EXT_LIMITS,
	KMCL_REJECT_EXT_DATA,
};

static const char *const kmcl_in_reject_names[] = {
	[KMCL_REJECT_OVERSIZE] = "longer than the maximum packet size",
	[KMCL_REJECT_MALFORMED] = "malformed",
	[KMCL_REJECT_TYPE] = "unknown type",
	[KMCL_REJECT_BAD_ID] = "completion with an unknown transaction id",
	[KMCL_REJECT_EXT_LIMITS] = "external data beyond the channel's maximum",
	[KMCL_REJECT_EXT_DATA] = "external data the sender never described",
};

/* Bytes a chunk of pool objects aims at (at least one object). */
#define KMCL_IN_CHUNK_BYTES	(16 * 1024)

static void kmcl_in_kick_passive(struct kmcl_channel *ch)
{
	if (READ_ONCE(ch->in.ready))
		kmcl_cpu_kick_work(&ch->in.kick, kmcl_channel_wq(ch),
				   &ch->in.work);
}

/* Run the reader in the context the channel asks for. Any context. */
static void kmcl_in_kick(struct kmcl_channel *ch)
{
	if (!READ_ONCE(ch->in.ready))
		return;
	if (READ_ONCE(ch->in.at_passive))
		kmcl_in_kick_passive(ch);
	else
		kmcl_cpu_kick_tasklet(&ch->in.kick);
}

/* Wake kmcl_in_stop()/_detach()/_wait_idle() waiters, if there are any. */
static void kmcl_in_wake_idle(struct kmcl_in *in)
{
	/* Full barrier: the waiters' condition is stored before this look. */
	if (wq_has_sleeper(&in->idle_wq))
		wake_up_all(&in->idle_wq);
}

static void kmcl_in_reject(struct kmcl_channel *ch, enum kmcl_in_reject why)
{
	struct kmcl_in *in = &ch->in;
	bool warn;

	spin_lock_bh(&in->lock);
	in->stats.rejected++;
	switch (why) {
	case KMCL_REJECT_OVERSIZE:
		in->stats.rejected_oversize++;
		break;
	case KMCL_REJECT_MALFORMED:
		in->stats.rejected_malformed++;
		break;
	case KMCL_REJECT_TYPE:
		in->stats.rejected_type++;
		break;
	case KMCL_REJECT_BAD_ID:
		in->stats.rejected_bad_id++;
		break;
	case KMCL_REJECT_EXT_LIMITS:
		in->stats.rejected_ext_limits++;
		break;
	case KMCL_REJECT_EXT_DATA:
		in->stats.rejected_ext_data++;
		break;
	}
	WRITE_ONCE(in->failed, true);
	in->hostile = true;
	warn = !in->warned;
	in->warned = true;
	spin_unlock_bh(&in->lock);

	if (warn && why == KMCL_REJECT_EXT_LIMITS && !ch->cfg.max_ext_data)
		pr_warn("channel %u (%s): incoming packet with external data rejected: the receiver never called VmbChannelInitSetMaximumExternalData; incoming queue stopped\n",
			ch->id, ch->cfg.friendly_name ?: "unnamed");
	else if (warn)
		pr_warn("channel %u: incoming packet rejected (%s); incoming queue stopped\n",
			ch->id, kmcl_in_reject_names[why]);
	kmcl_channel_fail(ch, why == KMCL_REJECT_TYPE ? -EPROTO : -EBADMSG);
}

/*
 * Take an object from the pool for the reader, counted in
 * kmcl_in.delivering until it is delivered or put back. Caller holds
 * in.lock; the pool is not empty.
 */
static struct kmcl_in_packet *kmcl_in_take(struct kmcl_in *in)
{
	struct kmcl_in_packet *ip = kmcl_in_pool_pop(in);

	in->delivering++;
	return ip;
}

/* Give @ip back to the pool. Caller holds in.lock. */
static void kmcl_in_pool_add(struct kmcl_in *in, struct kmcl_in_packet *ip)
{
	ip->next_free = in->free;
	in->free = ip;
	in->nr_free++;
}

/* Return an object the reader took but did not deliver. */
static void kmcl_in_put_back(struct kmcl_in *in, struct kmcl_in_packet *ip)
{
	bool bh;

	if (!ip)
		return;
	bh = kmcl_lock_bh(&in->lock);
	kmcl_in_pool_add(in, ip);
	in->delivering--;
	kmcl_unlock_bh(&in->lock, bh);
}

/* Consume the packet just peeked; signal the peer if it waits for room. */
static __always_inline void kmcl_in_consume(struct kmcl_channel *ch, u32 pktlen)
{
	bool signal = false;

	if (!kmcl_xport_consume(ch, pktlen, &signal) && signal)
		kmcl_channel_signal_peer(ch);
}

/*
 * The peek of the next packet failed with @ret (not -EAGAIN): an oversize
 * packet, whose length is known, is consumed; either way the ring is
 * reported as hostile and the reader stops.
 */
static enum kmcl_in_step kmcl_in_peek_failed(struct kmcl_channel *ch, int ret,
					     u32 pktlen)
{
	if (ret == -EMSGSIZE) {
		kmcl_in_consume(ch, pktlen);
		kmcl_in_reject(ch, KMCL_REJECT_OVERSIZE);
	} else {
		kmcl_in_reject(ch, KMCL_REJECT_MALFORMED);
	}
	return KMCL_IN_STOP;
}

/*
 * Is the caller the reader, inside ProcessPacket for @ip? A passive
 * reader is known by its task; a softirq one by its CPU, on which nothing
 * else runs in softirq context until the callback returns (a hard IRQ or
 * NMI that interrupted it is not the reader).
 */
static bool kmcl_in_inside(struct kmcl_in *in, struct kmcl_in_packet *ip)
{
	struct task_struct *task = READ_ONCE(in->deliver_task);

	if (READ_ONCE(in->cur) != ip)
		return false;
	if (task)
		return task == current;
	return in_serving_softirq() && !hardirq_count() &&
	       READ_ONCE(in->cur_cpu) == raw_smp_processor_id();
}

/*
 * Add one to a counter only the reader writes (runs are serialized by
 * kmcl_in.reading); kmcl_packet_stats() reads it with READ_ONCE().
 */
static __always_inline void kmcl_in_count(u64 *stat)
{
	WRITE_ONCE(*stat, *stat + 1);
}

/*
 * Hand @ip (state DELIVERING, counted by kmcl_in.delivering) to the driver.
 * In process context (@passive: the reader's work item, no lock held) its
 * external data is mapped first, so that GetExternalData never sleeps.
 * A packet the callback completed, with its completion written (or none
 * asked for), comes back here (kmcl_in_complete()): into @spare if that
 * is given and empty (still counted in kmcl_in.delivering), else into the
 * pool. One the driver keeps starts to count in kmcl_in.outstanding now.
 * Returns true if the driver deferred it.
 */
static __always_inline bool kmcl_in_deliver(struct kmcl_channel *ch,
					    struct kmcl_in_packet *ip,
					    bool passive,
					    struct kmcl_in_packet **spare)
{
	struct kmcl_in *in = &ch->in;
	bool deferred = false, kick = false, recycled;
	bool bh;

	/* A failure is GetExternalData's STATUS_INSUFFICIENT_RESOURCES. */
	if (passive && ip->ext_count)
		kmcl_api_ext_map(ip, true);
	WRITE_ONCE(in->cur, ip);
	kmcl_api_process_packet(ch, ip, ip->buf + ip->data_off, ip->data_len,
				ip->flags);
	WRITE_ONCE(in->cur, NULL);

	/*
	 * Completed from inside the callback, any completion written: only
	 * this thread sets @recycle, and nobody else may touch the object
	 * now, so the reader takes it back without the lock: as the spare
	 * if there is room (its count in kmcl_in.delivering becomes the
	 * spare's), else into the pool below.
	 */
	recycled = ip->recycle;
	if (recycled) {
		ip->recycle = false;
		WRITE_ONCE(ip->state, KMCL_IN_FREE);
		kmcl_in_count(&in->stats.recycled);
		if (spare && !*spare) {
			*spare = ip;
			return false;
		}
	}

	bh = kmcl_lock_bh(&in->lock);
	if (recycled) {
		kick = in->want_restart;
		in->want_restart = false;
		kmcl_in_pool_add(in, ip);
	} else if (ip->state == KMCL_IN_DELIVERING) {
		ip->state = KMCL_IN_HELD;
		in->outstanding++;
	} else if (ip->state == KMCL_IN_DEFERRED) {
		/* At the head: nothing after it may overtake it. */
		list_add(&ip->item.node, &in->deferred);
		in->outstanding++;
		deferred = true;
	}
	in->delivering--;
	kmcl_unlock_bh(&in->lock, bh);
	if (deferred)
		kmcl_in_kick_passive(ch);
	if (kick)
		kmcl_in_kick(ch);
	return deferred;
}

/*
 * Can a data packet be taken from the ring now, into @spare or an object
 * from the pool? Caller holds in.lock.
 */
static bool kmcl_in_may_take(struct kmcl_in *in, bool spare)
{
	return in->running && !in->failed &&
	       (spare || in->free) &&
	       (!in->quota || in->outstanding < in->quota);
}

static void kmcl_in_note_blocked(struct kmcl_in *in)
{
	spin_lock_bh(&in->lock);
	if (in->running && !in->failed) {
		if (in->quota && in->outstanding >= in->quota)
			in->stats.quota_blocked++;
		else if (!in->free && in->nr_objs >= in->max_objs)
			in->stats.pool_blocked++;
		else if (!in->free)
			in->stats.grow_waits++;
	}
	spin_unlock_bh(&in->lock);
}

/*
 * The reader found no object it may use (or no scratch buffer yet): have
 * the pool grow in process context, unless it is as large as it may be.
 * The growth kicks the reader when done. in.lock held.
 */
static void kmcl_in_want_grow(struct kmcl_in *in)
{
	if (in->growing || !in->ready)
		return;
	if (in->scratch && (in->free || in->nr_objs >= in->max_objs))
		return;
	in->growing = true;
	queue_delayed_work(system_wq, &in->grow,
			   in->grow_backoff ? HZ / 10 : 0);
}

/*
 * Deliver @ip, the first deferred packet, again (process context); in
 * softirq context (@ip NULL) hand the redelivery to the workqueue.
 */
static enum kmcl_in_step kmcl_in_redeliver(struct kmcl_channel *ch,
					   struct kmcl_in_packet *ip,
					   u32 *delivered)
{
	if (!ip) {
		kmcl_in_kick_passive(ch);
		return KMCL_IN_STOP;
	}
	(*delivered)++;
	/* Deferred again at passive: let the workqueue breathe. */
	return kmcl_in_deliver(ch, ip, true, NULL) ? KMCL_IN_STOP : KMCL_IN_MORE;
}

/*
 * A completion the reader consumed: it ends the outgoing packet of its
 * transaction id. An id that names none is the peer's lie: hostile.
 */
static enum kmcl_in_step kmcl_in_comp(struct kmcl_channel *ch,
				      const struct kmcl_wire_packet *wp)
{
	if (kmcl_out_complete_txid(ch, wp->trans_id, wp->data, wp->data_len)) {
		kmcl_in_reject(ch, KMCL_REJECT_BAD_ID);
		return KMCL_IN_STOP;
	}
	return KMCL_IN_MORE;
}

/*
 * The next packet is, the ring says, a completion: it needs no pool
 * object, so it is copied into the reader's scratch buffer (only the
 * reader uses it) without an in.lock round trip. The copy is checked as
 * every packet is; one that is not a completion after all changed in the
 * ring under the reader, which no honest peer does: hostile.
 */
static __always_inline enum kmcl_in_step
kmcl_in_step_comp(struct kmcl_channel *ch)
{
	struct kmcl_in *in = &ch->in;
	void *scratch = READ_ONCE(in->scratch);	/* set before this run */
	/* Every field is set by the parse before any is read. */
	struct kmcl_wire_packet wp __uninitialized;
	u32 pktlen;
	int ret;

	ret = kmcl_xport_peek(ch, scratch, in->buf_size, &pktlen);
	if (ret == -EAGAIN)
		return KMCL_IN_EMPTY;
	if (ret)
		return kmcl_in_peek_failed(ch, ret, pktlen);
	ret = kmcl_wire_parse_any(scratch, pktlen, &wp);
	if (!ret && wp.type != KMCL_PKT_COMP)
		ret = -EBADMSG;
	kmcl_in_consume(ch, pktlen);
	if (ret) {
		kmcl_in_reject(ch, ret == -EPROTO ? KMCL_REJECT_TYPE :
			       KMCL_REJECT_MALFORMED);
		return KMCL_IN_STOP;
	}
	return kmcl_in_comp(ch, &wp);
}

/*
 * May the run's spare object take the next packet without an in.lock
 * round trip? Yes when nothing is deferred (only the reader, which is us,
 * adds to that list), the ring is attached, the queue runs and has not
 * failed, this context may deliver and the quota is not reached. Each
 * flag is read once, without the lock: a stop, detach or failure waits
 * for this run to end (the spare counts in kmcl_in.delivering), as it
 * does for a packet taken under the lock just before it; a failure from
 * inside a callback is this thread's own write; and the outstanding count
 * read is never below the real one (only the reader raises it).
 */
static bool kmcl_in_may_reuse(struct kmcl_in *in, bool passive, bool ring_ok,
			      struct kmcl_in_packet *spare)
{
	u32 quota = READ_ONCE(in->quota);

	return spare && ring_ok && list_empty(&in->deferred) &&
	       READ_ONCE(in->attached) && READ_ONCE(in->running) &&
	       !READ_ONCE(in->failed) &&
	       (passive || !READ_ONCE(in->at_passive)) &&
	       (!quota || READ_ONCE(in->outstanding) < quota);
}

/*
 * One packet: redeliver, complete an outgoing packet, or deliver. @spare
 * is an object this run took from the pool and did not use (the ring was
 * empty, or held a completion): it is used before the pool is touched
 * again and goes back when the run ends (kmcl_in_run()), so that a
 * completion or an empty look costs no pool round trip. It stays counted
 * in kmcl_in.delivering meanwhile.
 */
static __always_inline enum kmcl_in_step
kmcl_in_step(struct kmcl_channel *ch, bool passive, bool ring_ok,
	     u32 *delivered, struct kmcl_in_packet **spare)
{
	struct kmcl_in *in = &ch->in;
	struct kmcl_in_packet *ip = NULL;
	/* As in kmcl_in_step_comp(): the parse sets it all. */
	struct kmcl_wire_packet wp __uninitialized;
	u32 pktlen, pipe_len = 0;
	bool idle = false;
	void *buf;
	int ret;
	bool bh;

	/*
	 * Nothing deferred (only the reader, which is us, adds to that list)
	 * and nothing in the ring: done, without a lock round trip. A stale
	 * look is caught by kmcl_xport_unmask() at the end of the run.
	 */
	if (ring_ok && list_empty(&in->deferred) && kmcl_xport_empty(ch))
		return KMCL_IN_EMPTY;
	/*
	 * A completion, with nothing deferred: no pool object, no lock. The
	 * flags are read without in.lock, as a stale look is harmless: a
	 * detach or stop waits for this run to end.
	 */
	if (ring_ok && list_empty(&in->deferred) &&
	    READ_ONCE(in->attached) && !READ_ONCE(in->failed) &&
	    (passive || !READ_ONCE(in->at_passive)) && READ_ONCE(in->scratch) &&
	    kmcl_xport_next_is_comp(ch))
		return kmcl_in_step_comp(ch);

	if (kmcl_in_may_reuse(in, passive, ring_ok, *spare)) {
		ip = *spare;
		*spare = NULL;
		buf = ip->buf;
		goto peek;
	}
	bh = kmcl_lock_bh(&in->lock);
	if (!list_empty(&in->deferred)) {
		if (passive) {
			ip = list_first_entry(&in->deferred, struct kmcl_in_packet,
					      item.node);
			list_del_init(&ip->item.node);
			ip->state = KMCL_IN_DELIVERING;
			/* Counted as being delivered now, not as outstanding. */
			in->delivering++;
			idle = !--in->outstanding;
		}
		kmcl_unlock_bh(&in->lock, bh);
		if (idle)
			kmcl_in_wake_idle(in);
		return kmcl_in_redeliver(ch, ip, delivered);
	}
	if (!ring_ok || !in->attached || in->failed) {
		kmcl_unlock_bh(&in->lock, bh);
		return KMCL_IN_STOP;
	}
	if (!passive && READ_ONCE(in->at_passive)) {
		kmcl_unlock_bh(&in->lock, bh);
		kmcl_in_kick_passive(ch);
		return KMCL_IN_STOP;
	}
	if (kmcl_in_may_take(in, *spare)) {
		ip = *spare ? *spare : kmcl_in_take(in);
		*spare = NULL;
	} else {
		/* A completion, a freed or a new object will kick the reader. */
		in->want_restart = true;
		if (!in->scratch ||
		    (in->running && !in->failed && !in->free &&
		     (!in->quota || in->outstanding < in->quota)))
			kmcl_in_want_grow(in);
	}
	buf = ip ? ip->buf : in->scratch;
	/* Not even a completion can be read before the pool grows. */
	if (!buf)
		in->stats.grow_waits++;
	kmcl_unlock_bh(&in->lock, bh);
	if (!buf)
		return KMCL_IN_STOP;
peek:
	ret = kmcl_xport_peek(ch, buf, in->buf_size, &pktlen);
	if (ret == -EAGAIN) {
		/* Taken only when nothing was spare: keep it for later. */
		if (ip)
			*spare = ip;
		return KMCL_IN_EMPTY;
	}
	if (ret) {
		kmcl_in_put_back(in, ip);
		return kmcl_in_peek_failed(ch, ret, pktlen);
	}
	ret = kmcl_wire_parse_any(buf, pktlen, &wp);
	if (ret) {
		kmcl_in_consume(ch, pktlen);
		kmcl_in_put_back(in, ip);
		kmcl_in_reject(ch, ret == -EPROTO ? KMCL_REJECT_TYPE :
			       KMCL_REJECT_MALFORMED);
		return KMCL_IN_STOP;
	}

	if (wp.type == KMCL_PKT_COMP) {
		kmcl_in_consume(ch, pktlen);
		if (ip)
			*spare = ip;
		return kmcl_in_comp(ch, &wp);
	}

	if (!ip) {
		/* A data packet we may not take now: it stays in the ring. */
		kmcl_in_note_blocked(in);
		return KMCL_IN_STOP;
	}

	kmcl_in_consume(ch, pktlen);
	if (kmcl_pipe_hdr_len(&ch->cfg)) {
		/* A pipe carries in-band datagrams only (pipe.h). */
		ret = wp.type != KMCL_PKT_DATA_INBAND ? -EPROTO :
		      kmcl_pipe_parse(wp.data, wp.data_len, &pipe_len, NULL);
		if (ret) {
			kmcl_in_put_back(in, ip);
			kmcl_in_reject(ch, ret == -EPROTO ? KMCL_REJECT_TYPE :
				       KMCL_REJECT_MALFORMED);
			return KMCL_IN_STOP;
		}
	}
	ip->ext_count = 0;
	ip->ext_ro = false;
	ip->xfer_gpadl = NULL;
	if (wp.type != KMCL_PKT_DATA_INBAND) {
		/* The receiver's own limits, for either kind of range. */
		if (wp.range_count > ch->cfg.max_ext_chain ||
		    wp.range_bytes > ch->cfg.max_ext_data)
			ret = -EDQUOT;
		else if (wp.type == KMCL_PKT_DATA_USING_GPA_DIRECT)
			ret = kmcl_ext_receive(ch, ip, &wp);
		else
			ret = kmcl_xfer_receive(ch, ip, &wp);
		if (ret) {
			kmcl_in_put_back(in, ip);
			if (ret != -ECANCELED) {
				kmcl_in_reject(ch, ret == -EDQUOT ?
					       KMCL_REJECT_EXT_LIMITS :
					       KMCL_REJECT_EXT_DATA);
				return KMCL_IN_STOP;
			}
			/* The sender went away: nobody waits for it. */
			bh = kmcl_lock_bh(&in->lock);
			in->stats.ext_dropped++;
			kmcl_unlock_bh(&in->lock, bh);
			return KMCL_IN_MORE;
		}
	}
	ip->txid = wp.trans_id;
	ip->comp_requested = wp.flags & KMCL_PKT_FLAG_COMPLETION_REQUESTED;
	ip->data_off = wp.hdr_len;
	ip->data_len = wp.data_len;
	ip->flags = wp.type == KMCL_PKT_DATA_INBAND ?
		    0 : KMCL_PROCESS_EXTERNAL_DATA;
	if (kmcl_pipe_hdr_len(&ch->cfg)) {
		/* The datagram alone; a pipe never answers with a completion. */
		ip->comp_requested = false;
		ip->data_off += KMCL_PIPE_HDR_LEN;
		ip->data_len = pipe_len;
	}
	ip->comp_len = 0;
	if (ip->client_ctx)
		memset(ip->client_ctx, 0, in->ctx_size);

	/*
	 * Nobody else knows the object until the callback hands it on: no
	 * lock. It counts in kmcl_in.delivering until kmcl_in_deliver()
	 * decides whether the driver keeps it.
	 */
	WRITE_ONCE(ip->state, KMCL_IN_DELIVERING);
	kmcl_in_count(&in->stats.received);
	if (ip->ext_count)
		kmcl_in_count(&in->stats.ext_received);

	(*delivered)++;
	if (kmcl_in_deliver(ch, ip, passive, spare))
		return KMCL_IN_STOP;
	return KMCL_IN_MORE;
}

/* The softirq budget is spent: the rest goes to process context. */
static enum kmcl_in_step kmcl_in_capped(struct kmcl_in *in)
{
	if (kmcl_dpc_hit(&in->dpc_budget)) {
		spin_lock_bh(&in->lock);
		in->stats.dpc_capped++;
		spin_unlock_bh(&in->lock);
	}
	return KMCL_IN_PASSIVE;
}

/*
 * Has a softirq run, @handled packets in, spent what its window allows?
 * A clock read is not free (under emulation it is a good part of a
 * packet's cost), so at 100 % a run reads no clock before its
 * KMCL_DPC_FULL_STRIDE-th packet, takes its start there and looks again
 * every KMCL_DPC_FULL_STRIDE packets: a short run (the usual one-packet
 * ping-pong) reads none, and a long one ends at most twice the stride
 * past its window. Below 100 % the run started its window at once and
 * looks after every packet.
 */
static bool kmcl_in_spent(struct kmcl_dpc_budget *b, bool full, u32 handled,
			  u64 *start, u64 *left)
{
	u64 now;

	if (full && handled % KMCL_DPC_FULL_STRIDE)
		return false;
	now = kmcl_dpc_now(b);
	if (full && handled == KMCL_DPC_FULL_STRIDE) {
		*start = now;
		*left = kmcl_dpc_left(b, 100, now);
		return false;
	}
	return now - *start >= *left;
}

static void kmcl_in_run(struct kmcl_channel *ch, bool passive)
{
	struct kmcl_in *in = &ch->in;
	struct kmcl_dpc_budget *b = &in->dpc_budget;
	struct kmcl_in_packet *spare = NULL;
	u64 start = 0, left = 0;
	enum kmcl_in_step r;
	u32 delivered = 0, handled = 0;
	bool ring_ok, rerun, pc, full = false;
	bool bh;

	bh = kmcl_lock_bh(&in->lock);
	if (in->reading) {
		in->rerun = true;
		kmcl_unlock_bh(&in->lock, bh);
		return;
	}
	in->reading = true;
	in->deliver_task = passive ? current : NULL;
	/* A softirq run stays on its CPU: see kmcl_in_inside(). */
	if (!passive)
		WRITE_ONCE(in->cur_cpu, raw_smp_processor_id());
	ring_ok = in->attached;
	/* The first data packet needs no lock round trip of its own. */
	if (ring_ok && kmcl_in_may_take(in, false))
		spare = kmcl_in_take(in);
	kmcl_unlock_bh(&in->lock, bh);

	if (!passive) {
		u8 percent = READ_ONCE(ch->cfg.dpc_cpu_percent);

		/* 100 %: only a run longer than the window is capped. */
		full = percent >= 100;
		if (!full) {
			start = kmcl_dpc_now(b);
			left = kmcl_dpc_left(b, percent, start);
		}
	}
	if (ring_ok)
		kmcl_xport_mask(ch);
	/* A softirq run that finds the budget spent hands over at once. */
	r = !passive && !full && !left ? kmcl_in_capped(in) : KMCL_IN_MORE;
	while (r == KMCL_IN_MORE &&
	       (r = kmcl_in_step(ch, passive, ring_ok, &delivered, &spare)) ==
	       KMCL_IN_MORE) {
		/* Completions count too: a driver may send from each one. */
		if (++handled >= KMCL_IN_BUDGET) {
			r = KMCL_IN_YIELD;
			bh = kmcl_lock_bh(&in->lock);
			in->stats.budget_yields++;
			kmcl_unlock_bh(&in->lock, bh);
			break;
		}
		if (passive)
			cond_resched();
		if (!passive && kmcl_in_spent(b, full, handled, &start, &left)) {
			/* Requeued in process context, never dropped. */
			r = kmcl_in_capped(in);
			break;
		}
	}
	/* At 100 % the next run starts a window of its own anyway. */
	if (!passive && !full)
		kmcl_dpc_charge(b, kmcl_dpc_now(b) - start);
	/* Data that arrived while masked raised no signal: look again. */
	if (ring_ok && kmcl_xport_unmask(ch) &&
	    r == KMCL_IN_EMPTY)
		r = KMCL_IN_YIELD;

	/*
	 * ProcessingComplete counts as delivering, so kmcl_in_stop() waits
	 * for it; the spare's count covers it when there is one. Without the
	 * callback the spare goes back with the end of the run.
	 */
	pc = delivered && READ_ONCE(ch->cfg.processing_complete);
	if (pc) {
		bh = kmcl_lock_bh(&in->lock);
		if (spare)
			kmcl_in_pool_add(in, spare);
		else
			in->delivering++;
		spare = NULL;
		kmcl_unlock_bh(&in->lock, bh);
		kmcl_api_processing_complete(ch, delivered);
	}

	bh = kmcl_lock_bh(&in->lock);
	if (spare)
		kmcl_in_pool_add(in, spare);
	if (pc || spare)
		in->delivering--;
	in->reading = false;
	in->deliver_task = NULL;
	rerun = in->rerun;
	in->rerun = false;
	kmcl_unlock_bh(&in->lock, bh);
	kmcl_in_wake_idle(in);

	if (r == KMCL_IN_PASSIVE)
		kmcl_in_kick_passive(ch);
	else if (rerun || r == KMCL_IN_YIELD)
		kmcl_in_kick(ch);
}

static void kmcl_in_dpc(struct tasklet_struct *t)
{
	struct kmcl_in *in = from_tasklet(in, t, dpc);

	kmcl_in_run(container_of(in, struct kmcl_channel, in), false);
}

static void kmcl_in_work(struct work_struct *work)
{
	struct kmcl_in *in = container_of(work, struct kmcl_in, work);

	kmcl_in_run(container_of(in, struct kmcl_channel, in), true);
}

static void kmcl_in_grow_work(struct work_struct *work);

/**
 * kmcl_in_setup() - initialise the incoming state of a new channel
 * @ch: a channel whose memory was just zeroed. Allocates nothing.
 */
void kmcl_in_setup(struct kmcl_channel *ch)
{
	struct kmcl_in *in = &ch->in;

	spin_lock_init(&in->lock);
	INIT_LIST_HEAD(&in->deferred);
	INIT_LIST_HEAD(&in->chunks);
	tasklet_setup(&in->dpc, kmcl_in_dpc);
	kmcl_cpu_kick_setup(&in->kick, &in->dpc);
	INIT_WORK(&in->work, kmcl_in_work);
	INIT_DELAYED_WORK(&in->grow, kmcl_in_grow_work);
	init_waitqueue_head(&in->idle_wq);
	in->ready = true;
}

static void kmcl_in_free_chunks(struct list_head *chunks)
{
	struct kmcl_in_chunk *c, *tmp;

	list_for_each_entry_safe(c, tmp, chunks, node) {
		list_del(&c->node);
		kvfree(c);
	}
}

/*
 * Add one chunk of objects (as many as fit in KMCL_IN_CHUNK_BYTES, at
 * least one, no more than the pool may still take) if no object is free
 * or @always, and the scratch buffer if there is none yet. Process
 * context, no lock held. Returns 0, or -ENOMEM if something needed could
 * not be allocated.
 */
static int kmcl_in_grow(struct kmcl_channel *ch, bool always)
{
	struct kmcl_in *in = &ch->in;
	struct kmcl_in_chunk *c = NULL;
	u32 gen, stride, buf_size, ctx_size, n = 0, i;
	struct kmcl_in_packet *ip;
	void *scratch = NULL;
	bool need_scratch;
	int ret = 0;

	might_sleep();
	spin_lock_bh(&in->lock);
	gen = in->gen;
	stride = in->stride;
	buf_size = in->buf_size;
	ctx_size = in->ctx_size;
	need_scratch = in->max_objs && !in->scratch;
	if ((always || !in->free) && in->nr_objs < in->max_objs)
		n = clamp_t(u32, (KMCL_IN_CHUNK_BYTES - KMCL_IN_CHUNK_HDR) / stride,
			    1, in->max_objs - in->nr_objs);
	if (in->fail_grows && (n || need_scratch)) {
		in->fail_grows--;
		n = 0;
		need_scratch = false;
		ret = -ENOMEM;
	}
	spin_unlock_bh(&in->lock);

	if (n) {
		c = kmcl_pool_zalloc(1, KMCL_IN_CHUNK_HDR + (size_t)n * stride);
		if (!c)
			ret = -ENOMEM;
	}
	if (need_scratch) {
		scratch = kmcl_pool_zalloc(1, buf_size);
		if (!scratch)
			ret = -ENOMEM;
	}

	spin_lock_bh(&in->lock);
	/* A rebuild meanwhile (kmcl_in_init()) changed the layout. */
	if (in->gen == gen && c && in->nr_objs + n <= in->max_objs) {
		c->n = n;
		for (i = 0; i < n; i++) {
			ip = kmcl_in_chunk_obj(in, c, i);
			ip->magic = KMCL_IN_PACKET_MAGIC;
			ip->state = KMCL_IN_FREE;
			ip->ch = ch;
			ip->client_ctx = ctx_size ? ip->buf + buf_size : NULL;
			ip->ext_mdl = in->ext_size ? ip->buf + buf_size +
						     round_up(ctx_size, 8) : NULL;
			kmcl_in_pool_add(in, ip);
		}
		list_add_tail(&c->node, &in->chunks);
		in->nr_objs += n;
		in->stats.grows++;
		c = NULL;
	}
	if (in->gen == gen && scratch && !in->scratch) {
		WRITE_ONCE(in->scratch, scratch);
		scratch = NULL;
	}
	if (ret)
		in->stats.grow_failed++;
	spin_unlock_bh(&in->lock);

	kvfree(c);
	kvfree(scratch);
	return ret;
}

static void kmcl_in_grow_work(struct work_struct *work)
{
	struct kmcl_in *in = container_of(to_delayed_work(work), struct kmcl_in,
					  grow);
	struct kmcl_channel *ch = container_of(in, struct kmcl_channel, in);
	int ret = kmcl_in_grow(ch, false);

	spin_lock_bh(&in->lock);
	in->growing = false;
	in->grow_backoff = ret != 0;
	in->want_restart = false;
	spin_unlock_bh(&in->lock);
	/* Whatever waited for an object looks again (and asks again). */
	kmcl_in_kick(ch);
}

/**
 * kmcl_in_init() - set up the incoming pool at enable time
 * @ch: the channel (state_mutex held, process context).
 *
 * The pool may hold cfg.max_packet_count objects, each holding one packet
 * of up to a descriptor plus cfg.max_packet_size bytes (and the GPA ranges
 * of the largest external data the channel accepts), a client context of
 * cfg.client_context_size bytes and room for an external-data MDL chain.
 * None is made here: the reader has them made when it needs them. Kept
 * across enables while the configuration is unchanged; emptied otherwise.
 *
 * Return: 0, -EINVAL, or -EBUSY if objects are still in use.
 */
int kmcl_in_init(struct kmcl_channel *ch)
{
	struct kmcl_in *in = &ch->in;
	u32 count = ch->cfg.max_packet_count;
	u32 ctx_size = ch->cfg.client_context_size;
	u32 ext_size = kmcl_ext_in_size(&ch->cfg);
	LIST_HEAD(old_chunks);
	u64 buf_size, stride;
	void *old_scratch;

	might_sleep();
	buf_size = sizeof(struct kmcl_vmpacket_desc) +
		   round_up((u64)ch->cfg.max_packet_size +
			    kmcl_pipe_hdr_len(&ch->cfg), 8) +
		   kmcl_ext_hdr_size(&ch->cfg);
	stride = round_up(sizeof(struct kmcl_in_packet) + buf_size +
			  round_up((u64)ctx_size, 8) + ext_size, SMP_CACHE_BYTES);
	if (!count || count > KMCL_TXID_MAX_SLOTS ||
	    buf_size > KMCL_WIRE_MAX_PKT_LEN ||
	    KMCL_IN_CHUNK_HDR + stride > U32_MAX)
		return -EINVAL;

	spin_lock_bh(&in->lock);
	if (in->max_objs == count && in->buf_size == buf_size &&
	    in->ctx_size == ctx_size && in->ext_size == ext_size) {
		spin_unlock_bh(&in->lock);
		return 0;
	}
	if (in->nr_free != in->nr_objs) {
		spin_unlock_bh(&in->lock);
		return -EBUSY;
	}
	list_splice_init(&in->chunks, &old_chunks);
	old_scratch = in->scratch;
	WRITE_ONCE(in->scratch, NULL);
	in->free = NULL;
	in->nr_objs = 0;
	in->nr_free = 0;
	in->max_objs = count;
	in->stride = stride;
	in->buf_size = buf_size;
	in->ctx_size = ctx_size;
	in->ext_size = ext_size;
	in->gen++;
	spin_unlock_bh(&in->lock);

	kmcl_in_free_chunks(&old_chunks);
	kvfree(old_scratch);
	return 0;
}

/**
 * kmcl_in_reserve() - make sure the pool has @n objects (restore, tests)
 * @ch: an enabled channel (kmcl_in_init() ran), process context.
 * @n: objects wanted, at most cfg.max_packet_count.
 *
 * Return: 0, -EINVAL if @n is more than the pool may hold, or -ENOMEM.
 */
int kmcl_in_reserve(struct kmcl_channel *ch, u32 n)
{
	struct kmcl_in *in = &ch->in;
	bool more;
	int ret;

	for (;;) {
		spin_lock_bh(&in->lock);
		if (n > in->max_objs) {
			spin_unlock_bh(&in->lock);
			return -EINVAL;
		}
		more = in->nr_objs < n || (n && !in->scratch);
		spin_unlock_bh(&in->lock);
		if (!more)
			return 0;
		ret = kmcl_in_grow(ch, true);
		if (ret)
			return ret;
	}
}

KMCL_EXPORT_FOR_TESTS(kmcl_in_reserve);

/**
 * kmcl_in_destroy() - free the incoming pool at cleanup
 * @ch: a disabled channel.
 */
void kmcl_in_destroy(struct kmcl_channel *ch)
{
	struct kmcl_in *in = &ch->in;

	might_sleep();
	kmcl_in_detach(ch);
	WRITE_ONCE(in->ready, false);	/* no more kicks, no more growth */
	kmcl_cpu_kick_quiesce(&in->kick);
	tasklet_kill(&in->dpc);
	cancel_work_sync(&in->work);
	cancel_delayed_work_sync(&in->grow);
	if (in->nr_free != in->nr_objs)
		pr_warn("channel %u: cleaned up with %u incoming packet(s) not completed\n",
			ch->id, in->nr_objs - in->nr_free);
	kmcl_in_free_chunks(&in->chunks);
	kvfree(in->scratch);
	in->scratch = NULL;
	in->nr_objs = 0;
	in->max_objs = 0;
	in->nr_free = 0;
	in->gen++;
	in->free = NULL;
}

/**
 * kmcl_in_in_callback() - is the current task inside this channel's reader?
 * @ch: the channel.
 *
 * True while the caller runs inside a ProcessPacket, ProcessingComplete or
 * completion routine called by the channel's incoming reader in process
 * context (only there can such a callback sleep). The channel
 * code refuses to pause or disable the channel from there: that would wait
 * for the reader it runs in. Any context.
 *
 * Return: true if called from the channel's reader.
 */
bool kmcl_in_in_callback(struct kmcl_channel *ch)
{
	return READ_ONCE(ch->in.deliver_task) == current;
}

/**
 * kmcl_in_attach() - the incoming ring is ready (called by kmcl_out_open())
 * @ch: the channel.
 *
 * Completions are read from now on; data packets once kmcl_in_start() ran.
 */
void kmcl_in_attach(struct kmcl_channel *ch)
{
	spin_lock_bh(&ch->in.lock);
	WRITE_ONCE(ch->in.attached, true);
	/* A new ring: what the last peer did no longer stops it. */
	ch->in.hostile = false;
	spin_unlock_bh(&ch->in.lock);
	kmcl_in_kick(ch);
}

/**
 * kmcl_in_detach() - stop touching the incoming ring (from kmcl_out_close())
 * @ch: the channel. Process context.
 *
 * Returns once no reader uses the ring any more.
 */
void kmcl_in_detach(struct kmcl_channel *ch)
{
	struct kmcl_in *in = &ch->in;

	might_sleep();
	spin_lock_bh(&in->lock);
	WRITE_ONCE(in->attached, false);
	spin_unlock_bh(&in->lock);
	if (kmcl_in_in_callback(ch)) {
		pr_err_once("channel %u: closed from its own packet callback\n",
			    ch->id);
		return;
	}
	/* Lockless: every change of the condition is followed by a wake-up. */
	wait_event(in->idle_wq, !READ_ONCE(in->reading));
}

/**
 * kmcl_in_start() - deliver incoming packets from now on
 * @ch: the channel (state_mutex held). Also clears the stop of a driver's
 *	VmbChannelPacketFail(), but not that of a hostile packet: the peer
 *	proved hostile, and the reader would go on past what it rejected.
 */
void kmcl_in_start(struct kmcl_channel *ch)
{
	spin_lock_bh(&ch->in.lock);
	ch->in.running = true;
	WRITE_ONCE(ch->in.failed, ch->in.hostile);
	spin_unlock_bh(&ch->in.lock);
	kmcl_in_kick(ch);
}

/* Lockless: every change of the condition is followed by a wake-up. */
static bool kmcl_in_quiet(struct kmcl_in *in)
{
	return list_empty(&in->deferred) && !READ_ONCE(in->delivering);
}

/**
 * kmcl_in_stop() - stop delivering incoming packets
 * @ch: the channel (state_mutex held, process context).
 *
 * Packets that were deferred are delivered first (in process context).
 * Returns when no ProcessPacket or ProcessingComplete callback runs and
 * none will start before the next kmcl_in_start(). Packets left in the
 * ring stay there. Completion packets are still read while stopped.
 */
void kmcl_in_stop(struct kmcl_channel *ch)
{
	struct kmcl_in *in = &ch->in;
	bool self, deferred;

	might_sleep();
	spin_lock_bh(&in->lock);
	in->running = false;
	deferred = !list_empty(&in->deferred);
	spin_unlock_bh(&in->lock);
	self = kmcl_in_in_callback(ch);

	if (deferred)
		kmcl_in_kick_passive(ch);
	if (self) {
		pr_warn_once("channel %u: paused from its own packet callback; not waiting\n",
			     ch->id);
		return;
	}
	wait_event(in->idle_wq, kmcl_in_quiet(in));
}

/* Lockless: every change of the condition is followed by a wake-up. */
static bool kmcl_in_idle(struct kmcl_in *in, u32 *outstanding)
{
	*outstanding = READ_ONCE(in->outstanding);
	return !*outstanding;
}

/**
 * kmcl_in_wait_idle() - wait until every delivered packet is completed
 * @ch: the channel (process context), after kmcl_in_stop().
 *
 * Waits as long as it takes (the driver must complete what it was given),
 * reminding the log every 10 seconds.
 */
void kmcl_in_wait_idle(struct kmcl_channel *ch)
{
	struct kmcl_in *in = &ch->in;
	u32 n;

	might_sleep();
	if (kmcl_in_in_callback(ch)) {
		pr_warn_once("channel %u: paused from its own packet callback; not waiting\n",
			     ch->id);
		return;
	}
	while (!wait_event_timeout(in->idle_wq, kmcl_in_idle(in, &n), 10 * HZ))
		pr_warn("channel %u: waiting for %u incoming packet(s) to be completed\n",
			ch->id, n);
}

/**
 * kmcl_in_notify() - the peer wrote to our incoming ring (or went away)
 * @ch: the channel. Any context but hardirq; only schedules the reader.
 */
void kmcl_in_notify(struct kmcl_channel *ch)
{
	if (READ_ONCE(ch->in.attached))
		kmcl_in_kick(ch);
}

KMCL_EXPORT_FOR_TESTS(kmcl_in_notify);

/**
 * kmcl_in_release() - return an incoming object to the pool
 * @ip: an object that is completed (or was never delivered).
 *
 * Restarts a reader that waits for an object. Any context up to softirq.
 */
void kmcl_in_release(struct kmcl_in_packet *ip)
{
	struct kmcl_channel *ch = ip->ch;
	struct kmcl_in *in = &ch->in;
	bool kick;
	bool bh;

	bh = kmcl_lock_bh(&in->lock);
	ip->state = KMCL_IN_FREE;
	kmcl_in_pool_add(in, ip);
	kick = in->want_restart;
	in->want_restart = false;
	kmcl_unlock_bh(&in->lock, bh);
	if (kick)
		kmcl_in_kick(ch);
}

/*
 * Take @ip away from the driver: completed, or failed (@fail). A
 * completion payload (@buf, *@len bytes, dropped unless the sender asked
 * for a completion) is copied into @ip first: it may lie in the external
 * data that is released right after. A packet whose sender wants no
 * completion goes straight back to the pool (or to the reader, from
 * inside its own call). Without external data, all of it is one lock
 * round trip, or none from inside the packet's call. Returns 0 or
 * -EALREADY / -EINVAL; *@send: a completion is to be sent (@ip is then
 * COMPLETING and still the caller's); *@own: that was the reader, inside
 * the packet's call.
 */
static __always_inline int kmcl_in_finish(struct kmcl_in_packet *ip, bool fail,
					  const void *buf, u32 *len, bool *send,
					  bool *restart, bool *own)
{
	struct kmcl_in *in = &ip->ch->in;
	u8 state, next;
	bool idle;
	bool bh;

	*send = !fail && ip->comp_requested;
	if (!*send || !buf)
		*len = 0;
	next = *send ? KMCL_IN_COMPLETING : KMCL_IN_FREE;
	/*
	 * From inside the packet's own ProcessPacket call, with no external
	 * data to give back, nothing needs in.lock: the packet does not count
	 * in kmcl_in.outstanding yet, the reader (this thread, which needs no
	 * restart) takes it back when the call returns (@recycle), and the
	 * one atomic step on its state, which a completion from another
	 * thread takes too, lets only one of them through.
	 */
	if (!fail && !ip->ext_count && kmcl_in_inside(in, ip)) {
		state = KMCL_IN_DELIVERING;
		if (try_cmpxchg(&ip->state, &state, next)) {
			if (*len && buf != ip->buf)
				memmove(ip->buf, buf, *len);
			if (!*send)
				ip->recycle = true;
			atomic64_inc(&in->stats.completed);
			*restart = false;
			*own = true;
			return 0;
		}
	}

	*own = false;
	bh = kmcl_lock_bh(&in->lock);
	state = READ_ONCE(ip->state);
	if (state == KMCL_IN_HELD) {
		WRITE_ONCE(ip->state, next);
	} else if (state != KMCL_IN_DELIVERING ||
		   !try_cmpxchg(&ip->state, &state, next)) {
		in->stats.misuse++;
		kmcl_unlock_bh(&in->lock, bh);
		return state == KMCL_IN_DEFERRED ? -EINVAL : -EALREADY;
	}
	if (ip->ext_count || (*len && buf != ip->buf)) {
		kmcl_unlock_bh(&in->lock, bh);
		if (*len && buf != ip->buf)
			memmove(ip->buf, buf, *len);
		/*
		 * The peer's memory goes back before the completion does, and
		 * before a close waiting for the outstanding count can move on.
		 */
		kmcl_ext_release(ip);
		bh = kmcl_lock_bh(&in->lock);
	}
	/* One still in its ProcessPacket call was never counted there. */
	idle = false;
	if (state == KMCL_IN_HELD) {
		in->outstanding--;
		idle = !in->outstanding;
	}
	if (fail) {
		in->stats.failed++;
		WRITE_ONCE(in->failed, true);
	} else {
		atomic64_inc(&in->stats.completed);
	}
	if (!*send)
		kmcl_in_pool_add(in, ip);
	*restart = in->want_restart;
	in->want_restart = false;
	kmcl_unlock_bh(&in->lock, bh);
	if (idle)
		kmcl_in_wake_idle(in);
	return 0;
}

/**
 * kmcl_in_complete() - the driver is done with a packet (VmbChannelPacketComplete)
 * @ip: a packet delivered to ProcessPacket and not completed yet.
 * @buf: completion payload, or NULL.
 * @len: its length; more than cfg.max_packet_size is truncated.
 *
 * Sends the completion if the sender asked for one, returns the packet's
 * quota and restarts a reader stopped by the quota or the pool. Any context
 * up to softirq.
 *
 * Return: 0; -EALREADY if the packet is not outstanding (double complete);
 * -EINVAL if it was deferred and not delivered again yet.
 */
int kmcl_in_complete(struct kmcl_in_packet *ip, const void *buf, u32 len)
{
	struct kmcl_channel *ch = ip->ch;
	bool restart, send, own;
	int ret;

	if (len > ch->cfg.max_packet_size && buf && ip->comp_requested) {
		pr_warn_once("VmbChannelPacketComplete: %u byte payload truncated to %u\n",
			     len, ch->cfg.max_packet_size);
		len = ch->cfg.max_packet_size;
	}
	ret = kmcl_in_finish(ip, false, buf, &len, &send, &restart, &own);
	if (ret) {
		pr_warn_once("VmbChannelPacketComplete: packet %p is not outstanding (ignored)\n",
			     ip);
		return ret;
	}
	/*
	 * The payload is in ip->buf now: the external data may be gone. A
	 * completion written from inside the packet's own callback leaves
	 * the object to the reader, which takes it back on return.
	 */
	if (send && kmcl_out_send_completion(ch, ip, ip->buf, len)) {
		if (own || kmcl_in_inside(&ch->in, ip))
			ip->recycle = true;
		else
			kmcl_in_release(ip);
	}
	if (restart)
		kmcl_in_kick(ch);
	return 0;
}

/**
 * kmcl_in_defer() - deliver a packet again in process context
 * (VmbChannelPacketDeferToPassive)
 * @ip: the packet ProcessPacket is running for.
 *
 * Return: 0, or -EINVAL when not called from ProcessPacket for @ip (from
 * another thread while that call runs included).
 */
int kmcl_in_defer(struct kmcl_in_packet *ip)
{
	struct kmcl_in *in = &ip->ch->in;
	int ret = 0;

	spin_lock_bh(&in->lock);
	/* Read once: the callback's own completion changes it without the lock. */
	if (READ_ONCE(ip->state) == KMCL_IN_DELIVERING &&
	    kmcl_in_inside(in, ip)) {
		ip->state = KMCL_IN_DEFERRED;
		in->stats.deferred++;
	} else {
		in->stats.misuse++;
		ret = -EINVAL;
	}
	spin_unlock_bh(&in->lock);
	if (ret)
		pr_warn_once("VmbChannelPacketDeferToPassive: not called from ProcessPacket for packet %p (ignored)\n",
			     ip);
	return ret;
}

/**
 * kmcl_in_called_from() - is the caller ProcessPacket's call for @ip?
 * @ip: an incoming packet.
 *
 * A packet stays DELIVERING until its ProcessPacket call returns: another
 * thread that holds it meanwhile is not that call. Any context.
 *
 * Return: true only inside the reader's ProcessPacket call for @ip.
 */
bool kmcl_in_called_from(struct kmcl_in_packet *ip)
{
	return kmcl_in_inside(&ip->ch->in, ip);
}

/**
 * kmcl_in_fail() - reject a packet and stop the queue (VmbChannelPacketFail)
 * @ip: a packet delivered to ProcessPacket and not completed yet.
 *
 * The packet is released without a completion; no data packet is
 * delivered until the next kmcl_in_start(). Any context up to softirq.
 *
 * Return: 0, or as kmcl_in_complete() for a packet that is not outstanding.
 */
int kmcl_in_fail(struct kmcl_in_packet *ip)
{
	struct kmcl_channel *ch = ip->ch;
	bool restart, send, own;
	u32 len = 0;
	int ret;

	/* Back to the pool, the queue stopped: nothing to restart. */
	ret = kmcl_in_finish(ip, true, NULL, &len, &send, &restart, &own);
	if (ret) {
		pr_warn_once("VmbChannelPacketFail: packet %p is not outstanding (ignored)\n",
			     ip);
		return ret;
	}
	kmcl_channel_fail(ch, -EPROTO);
	return 0;
}

/**
 * kmcl_in_client_context() - the client context of an incoming packet
 * @ip: the packet.
 *
 * Return: the zeroed-at-delivery area of cfg.client_context_size bytes,
 * or NULL if that size is 0 or the packet is not in the driver's hands.
 */
void *kmcl_in_client_context(struct kmcl_in_packet *ip)
{
	u8 state = READ_ONCE(ip->state);

	if (state == KMCL_IN_FREE || state == KMCL_IN_COMPLETING)
		return NULL;
	return ip->client_ctx;
}

/**
 * kmcl_in_set_quota() - bound the outstanding incoming packets
 * @ch: the channel.
 * @quota: most packets delivered and not completed, > 0.
 *
 * Never restarts a reader the quota stopped: only a completion does.
 *
 * Return: 0, or -EINVAL for 0.
 */
int kmcl_in_set_quota(struct kmcl_channel *ch, u32 quota)
{
	if (!quota)
		return -EINVAL;
	spin_lock_bh(&ch->in.lock);
	ch->in.quota = quota;
	spin_unlock_bh(&ch->in.lock);
	return 0;
}

/**
 * kmcl_in_set_passive() - choose where packets are delivered
 * @ch: the channel.
 * @passive: true: process context on the channel workqueue; false: the
 *	softirq reader.
 *
 * Takes effect at the next packet.
 */
void kmcl_in_set_passive(struct kmcl_channel *ch, bool passive)
{
	WRITE_ONCE(ch->in.at_passive, passive);
}
