// SPDX-License-Identifier: GPL-2.0-only
/*
 * Synchronous requests (VmbChannelSendSynchronousRequest): send one packet
 * from the lookaside and wait for its completion.
 *
 * The waiter's state lives on its stack; the packet's completion handler
 * fills it and publishes "done" last, then wakes the channel's sync_wq
 * (which outlives the call), so it never touches the stack after the
 * waiter may have returned. A waiter that gives up (timeout, peer gone)
 * cancels the packet under the outgoing lock: either the cancel wins (the
 * completion handler will never run; a completion the peer sends later is
 * recognised by its cancelled transaction id and dropped), or the
 * completion has already been claimed and the waiter waits the few
 * instructions until it is published.
 *
 * A request with external data lends memory that the peer may be using:
 * it is not cancelled on a timeout. The waiter waits on for the peer's
 * completion (then answers -ECANCELED, as for a timeout) or until the peer
 * goes away; then it takes the packet back (the peer can no longer
 * accept it) and waits until the peer released every packet of ours it
 * held, or can no longer reach it (kmcl_ext_wait(); hv: the VMBus channel
 * was closed), before returning the memory to the caller.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "kmcl.h"

/*
 * A request without a timeout that has waited this long is logged, once
 * per channel, with the channel's name: it waits in TASK_IDLE, which the
 * hung-task detector never reports. Tests shorten it.
 */
unsigned int kmcl_sync_hang_ms = 30 * MSEC_PER_SEC;
KMCL_EXPORT_FOR_TESTS(kmcl_sync_hang_ms);

struct kmcl_sync_waiter {
	void *buf;
	bool want;
	u32 size;
	u32 written;
	int status;
	bool done;
};

static void kmcl_sync_done(struct kmcl_packet *pkt, int err, const void *buf,
			   u32 len)
{
	struct kmcl_sync_waiter *w = pkt->done_ctx;
	wait_queue_head_t *wq = &pkt->ch->out.sync_wq;
	u32 n;

	if (err == -ECANCELED || err == -ESHUTDOWN) {
		w->status = -ESHUTDOWN;
	} else if (err) {
		w->status = err;
	} else if (buf && len && w->want) {
		n = min(len, w->size);
		if (n)
			memcpy(w->buf, buf, n);
		w->written = n;
		if (len > w->size)
			w->status = -EOVERFLOW;
	}
	/* Publish the result before "done"; @w may vanish right after. */
	smp_store_release(&w->done, true);
	/* Full barrier, then a look: a waiter queues itself before it looks. */
	if (wq_has_sleeper(wq))
		wake_up_all(wq);
}

/* The channel went away under a request that reached (or waited for) it. */
static bool kmcl_sync_gone(struct kmcl_channel *ch, bool *seen_open)
{
	if (kmcl_channel_is_open(ch)) {
		*seen_open = true;
		return false;
	}
	return *seen_open || READ_ONCE(ch->peer_lost) ||
	       !READ_ONCE(ch->out.enabled);
}

static bool kmcl_sync_stop(struct kmcl_channel *ch, struct kmcl_sync_waiter *w,
			   bool *seen_open)
{
	/* Pairs with kmcl_sync_done(): the result is read after "done". */
	return smp_load_acquire(&w->done) || kmcl_sync_gone(ch, seen_open);
}

/* Wait without a timeout; say so once per channel if it lasts. */
static void kmcl_sync_wait_forever(struct kmcl_channel *ch,
				   struct kmcl_sync_waiter *w, bool *seen_open)
{
	wait_queue_head_t *wq = &ch->out.sync_wq;
	bool log;

	while (!wait_event_idle_timeout(*wq, kmcl_sync_stop(ch, w, seen_open),
					msecs_to_jiffies(READ_ONCE(kmcl_sync_hang_ms)) ?: 1)) {
		spin_lock_bh(&ch->out.lock);
		log = !ch->out.sync_hang_logged;
		ch->out.sync_hang_logged = true;
		spin_unlock_bh(&ch->out.lock);
		if (log)
			pr_warn("channel %u (%s): synchronous request without a timeout still waits for the peer after %u ms\n",
				ch->id, ch->cfg.friendly_name ?: "unnamed",
				READ_ONCE(kmcl_sync_hang_ms));
	}
}

/*
 * The wait of a request with external data ended without its completion.
 * Wait for the completion or for the peer to go away. Returns true if the
 * packet was taken back (the peer holds none of our memory any more); false
 * if its completion came (the caller waits for it to be published).
 */
static bool kmcl_sync_lent(struct kmcl_channel *ch, struct kmcl_packet *pkt,
			   struct kmcl_sync_waiter *w, bool *seen_open)
{
	wait_event_idle(ch->out.sync_wq, kmcl_sync_stop(ch, w, seen_open));
	/* Pairs with kmcl_sync_done(), as in kmcl_sync_stop(). */
	if (smp_load_acquire(&w->done) || !kmcl_packet_cancel_lent(pkt))
		return false;
	kmcl_ext_wait(ch);
	return true;
}

/**
 * kmcl_sync_request() - send a packet and wait for its completion
 * @ch: the channel.
 * @buf: in-line data.
 * @len: its length.
 * @flags: KMCL_SEND_* flags. With KMCL_SEND_WAIT_FOR_COMPLETION the wait
 *	ends with the peer's completion, otherwise once the packet is in the
 *	ring.
 * @cbuf: receives the completion payload (may be NULL if *@csize is 0).
 * @csize: in: size of @cbuf; out: bytes written. NULL: the payload is not
 *	wanted (and never an overflow).
 * @zero_timeout: the caller gave a timeout of exactly 0: the packet is
 *	written now or not at all, never queued. Without
 *	KMCL_SEND_WAIT_FOR_COMPLETION this may be called in softirq context.
 * @timeout: longest wait in jiffies (MAX_SCHEDULE_TIMEOUT: no limit);
 *	ignored with @zero_timeout.
 * @ext: external data (kmcl_packet_send_ext()), or NULL. Not with
 *	@zero_timeout. After a timeout the call returns only once the peer
 *	completed the packet or went away: until then it may use the memory.
 *
 * Process context unless @zero_timeout without a wait for completion.
 * Waits in TASK_IDLE (no signals, no hung-task reports; a wait without a
 * timeout is logged once per channel after kmcl_sync_hang_ms). Gives up early
 * with -ESHUTDOWN when the channel closes or the peer goes away, so a
 * request made from a state callback cannot block the close forever.
 *
 * Return: 0 on success (*@csize = payload bytes copied); -EOVERFLOW if the
 * payload was longer than *@csize (the first *@csize bytes are copied), or
 * with @zero_timeout if the packet did not fit in the ring at once;
 * -ECANCELED on timeout (the packet is cancelled); -ESHUTDOWN if the
 * channel is not enabled or closes; -ENOMEM if the lookaside is empty;
 * -EMSGSIZE if the packet can never fit; -EINVAL for bad arguments; the
 * errors of kmcl_packet_send_ext() for @ext.
 */
int kmcl_sync_request(struct kmcl_channel *ch, const void *buf, u32 len,
		      u32 flags, void *cbuf, u32 *csize, bool zero_timeout,
		      unsigned long timeout, const struct kmcl_ext_fill *ext)
{
	struct kmcl_sync_waiter w = {
		.buf = cbuf,
		.want = csize,
		.size = csize ? *csize : 0,
	};
	wait_queue_head_t *wq = &ch->out.sync_wq;
	struct kmcl_packet *pkt;
	bool seen_open, timed_out = false;
	int ret;

	if (!zero_timeout || (flags & KMCL_SEND_WAIT_FOR_COMPLETION))
		might_sleep();
	if (csize)
		*csize = 0;
	if ((w.size && !cbuf) || (!buf && len) || (ext && zero_timeout))
		return -EINVAL;
	if (!READ_ONCE(ch->out.enabled))
		return -ESHUTDOWN;

	pkt = kmcl_packet_alloc(ch);
	if (!pkt)
		return -ENOMEM;
	pkt->done = kmcl_sync_done;
	pkt->done_ctx = &w;
	pkt->may_cancel = true;
	seen_open = kmcl_channel_is_open(ch);

	ret = kmcl_packet_send_ext(pkt, buf, len, flags, zero_timeout, ext);
	if (ret) {
		kmcl_packet_free(pkt);
		return ret;
	}

	if (!zero_timeout) {
		if (timeout == MAX_SCHEDULE_TIMEOUT)
			kmcl_sync_wait_forever(ch, &w, &seen_open);
		else
			wait_event_idle_timeout(*wq,
						kmcl_sync_stop(ch, &w, &seen_open),
						timeout);
	}
	/* Pairs with kmcl_sync_done(), as in kmcl_sync_stop(). */
	if (!smp_load_acquire(&w.done)) {
		if (kmcl_packet_cancel(pkt)) {
			ret = kmcl_sync_gone(ch, &seen_open) ? -ESHUTDOWN :
							       -ECANCELED;
			kmcl_packet_free(pkt);
			return ret;
		}
		if (ext) {
			timed_out = !kmcl_sync_gone(ch, &seen_open);
			if (timed_out) {
				spin_lock_bh(&ch->out.lock);
				ch->out.stats.lent_waits++;
				spin_unlock_bh(&ch->out.lock);
			}
			if (kmcl_sync_lent(ch, pkt, &w, &seen_open)) {
				kmcl_packet_free(pkt);
				return -ESHUTDOWN;
			}
		}
		/* The completion was claimed first: it is about to land. */
		wait_event(*wq, smp_load_acquire(&w.done));
	}
	kmcl_packet_free(pkt);
	if (timed_out)
		return -ECANCELED;
	if (csize)
		*csize = w.written;
	return w.status;
}
