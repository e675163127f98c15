// SPDX-License-Identifier: GPL-2.0-only
/*
 * Outgoing packets: the lookaside, sending, the send queue, completions.
 *
 * See packet.h for the model and the locking rules. In short: every ring
 * write happens under ch->out.lock; completion routines run after that lock
 * is dropped, with bottom halves disabled; the transaction-id table and the
 * lookaside's floor are built at enable time, and a lookaside object, once
 * allocated by VmbPacketAllocate() (lookaside.c), is kept, so nothing here
 * allocates once a workload's packets exist. The steps every packet and
 * completion takes are __always_inline into the exported entry points,
 * as in incoming.c.
 */
#include <linux/bottom_half.h>
#include <linux/errno.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "kmcl.h"
#include "pipe.h"
#include "txid_fast.h"
#include "xport.h"

static struct kmcl_packet *kmcl_item_packet(struct kmcl_out_item *it)
{
	return container_of(it, struct kmcl_packet, item);
}

static struct kmcl_in_packet *kmcl_item_in_packet(struct kmcl_out_item *it)
{
	return container_of(it, struct kmcl_in_packet, item);
}

/* Bytes an in-band packet with @len payload bytes takes in the ring. */
static u32 kmcl_inband_pktlen(u32 len)
{
	return sizeof(struct kmcl_vmpacket_desc) + round_up(len, 8);
}

/* Bytes @pkt takes in the ring, with its GPA ranges if it has any. */
static u32 kmcl_packet_wire_len(const struct kmcl_packet *pkt)
{
	if (!pkt->ext_len)
		return kmcl_inband_pktlen(pkt->len);
	return sizeof(struct kmcl_gpa_direct_hdr) +
	       (pkt->bounce.length ? pkt->bounce.wire_len : pkt->ext_len) +
	       round_up(pkt->len, 8);
}

static void kmcl_out_schedule(struct kmcl_channel *ch)
{
	if (READ_ONCE(ch->out.ready))
		kmcl_cpu_kick_tasklet(&ch->out.kick);
}

/* Run the completion of @pkt: the driver's routine or the default (free). */
static void kmcl_packet_finish(struct kmcl_packet *pkt, int err,
			       const void *buf, u32 len)
{
	if (pkt->bounce.length)
		kmcl_bounce_finish(pkt, err);
	if (pkt->done)
		pkt->done(pkt, err, buf, len);
	else
		kmcl_packet_free(pkt);
}

/* Finish the items of a private list: packets and written completions. */
static void kmcl_out_finish_list(struct list_head *list)
{
	struct kmcl_out_item *it, *tmp;
	struct kmcl_packet *pkt;

	local_bh_disable();
	list_for_each_entry_safe(it, tmp, list, node) {
		list_del_init(&it->node);
		if (it->kind == KMCL_OUT_COMPLETION) {
			kmcl_in_release(kmcl_item_in_packet(it));
			continue;
		}
		pkt = kmcl_item_packet(it);
		kmcl_packet_finish(pkt, pkt->status, NULL, 0);
	}
	local_bh_enable();
}

/*
 * Write @pkt, its in-line data at @data (pkt->data, or the sender's buffer
 * when it goes straight to the ring), to the ring. Caller holds out.lock,
 * the channel is open. Returns 0 (state set: PENDING or IDLE), -EBUSY if
 * no transaction id is free, or kmcl_xport_xmit()'s error (-EAGAIN: ring
 * full).
 */
static __always_inline int kmcl_out_write_packet(struct kmcl_channel *ch,
						 struct kmcl_packet *pkt,
						 const void *data, bool *signal)
{
	struct kmcl_out *out = &ch->out;
	/* Lent memory is the peer's until it completes the packet. */
	bool wait = (pkt->flags & KMCL_SEND_WAIT_FOR_COMPLETION) || pkt->ext_len;
	struct kmcl_xmit x = {
		.type = KMCL_PKT_DATA_INBAND,
		.data = data,
		.len = pkt->len,
	};
	u32 slot = U32_MAX;
	u64 id = 0;
	int ret;

	if (pkt->ext_len) {
		/* Isolated: the data goes through the bounce pool (bounce.h). */
		if (kmcl_bounce_in(ch, pkt)) {
			out->slot_wait = true;
			return -EBUSY;
		}
		x.type = KMCL_PKT_DATA_USING_GPA_DIRECT;
		x.ranges = kmcl_bounce_wire(pkt, &x.ranges_len, &x.range_count);
	}

	if (wait && kmcl_txid_do_alloc(&out->txid, pkt, pkt->may_cancel,
				       &id, &slot)) {
		out->slot_wait = true;
		return -EBUSY;
	}
	if (wait)
		x.flags = KMCL_PKT_FLAG_COMPLETION_REQUESTED;
	x.trans_id = id;
	ret = kmcl_xport_xmit(ch, &x, signal);
	if (ret) {
		if (wait)
			kmcl_txid_release(&out->txid, slot);
		return ret;
	}
	out->stats.sent++;
	if (!wait)
		out->stats.sent_nowait++;
	if (pkt->ext_len)
		out->stats.ext_sent++;
	pkt->txid = id;
	pkt->txid_slot = slot;
	pkt->state = wait ? KMCL_PACKET_PENDING : KMCL_PACKET_IDLE;
	return 0;
}

/* Write a VM_PKT_COMP for @txid. Caller holds out.lock; channel open. */
static __always_inline int kmcl_out_write_comp(struct kmcl_channel *ch,
					       u64 txid, const void *buf,
					       u32 len, bool *signal)
{
	struct kmcl_xmit x = {
		.type = KMCL_PKT_COMP,
		.trans_id = txid,
		.data = buf,
		.len = len,
	};
	int ret;

	ret = kmcl_xport_xmit(ch, &x, signal);
	if (!ret)
		ch->out.stats.completions_sent++;
	return ret;
}

static u32 kmcl_out_item_pktlen(struct kmcl_out_item *it)
{
	if (it->kind == KMCL_OUT_COMPLETION)
		return kmcl_inband_pktlen(kmcl_item_in_packet(it)->comp_len);
	return kmcl_packet_wire_len(kmcl_item_packet(it));
}

/*
 * Write queued items in order while the ring takes them. Written packets
 * that need their completion routine now, written completions (to release
 * their incoming object) and items that can never be written go to @done,
 * packets with their final status in ->status. Caller holds out.lock.
 * Returns true if the peer must be signalled.
 */
static bool kmcl_out_flush_locked(struct kmcl_channel *ch,
				  struct list_head *done, bool *fail)
{
	struct kmcl_out *out = &ch->out;
	struct kmcl_out_item *it;
	struct kmcl_packet *pkt;
	struct kmcl_in_packet *ip;
	bool signal = false, s;
	int ret;

	while (out->open && !out->slot_wait && !list_empty(&out->queue)) {
		it = list_first_entry(&out->queue, struct kmcl_out_item, node);
		s = false;
		if (it->kind == KMCL_OUT_COMPLETION) {
			ip = kmcl_item_in_packet(it);
			ret = kmcl_out_write_comp(ch, ip->txid, ip->buf,
						  ip->comp_len, &s);
		} else {
			pkt = kmcl_item_packet(it);
			ret = kmcl_out_write_packet(ch, pkt, pkt->data, &s);
		}
		signal |= s;
		/* -ENODEV: the peer is gone; the close completes the item. */
		if (ret == -EBUSY || ret == -ENODEV)
			break;
		if (ret == -EAGAIN) {
			/* Ask for a signal; go on if room appeared meanwhile. */
			if (kmcl_xport_want_room(ch, kmcl_out_item_pktlen(it)))
				continue;
			break;
		}
		if (ret == -EBADMSG) {
			/* The peer corrupted the ring: stop writing to it. */
			*fail = true;
			break;
		}
		if (it->kind == KMCL_OUT_COMPLETION) {
			if (ret)
				out->stats.completions_dropped++;
			list_move_tail(&it->node, done);
			continue;
		}
		pkt = kmcl_item_packet(it);
		if (ret) {
			/* Can never be written (too long for this ring). */
			out->stats.too_big++;
			pkt->state = KMCL_PACKET_IDLE;
			pkt->status = ret;
			list_move_tail(&it->node, done);
		} else if (pkt->state == KMCL_PACKET_IDLE) {
			pkt->status = 0;
			list_move_tail(&it->node, done);
		} else {
			list_del_init(&it->node);
		}
	}
	return signal;
}

static void kmcl_out_flush(struct kmcl_channel *ch)
{
	LIST_HEAD(done);
	bool signal, fail = false;
	bool bh;

	bh = kmcl_lock_bh(&ch->out.lock);
	signal = kmcl_out_flush_locked(ch, &done, &fail);
	kmcl_unlock_bh(&ch->out.lock, bh);
	if (signal)
		kmcl_channel_signal_peer(ch);
	if (fail)
		kmcl_channel_fail(ch, -EBADMSG);
	kmcl_out_finish_list(&done);
}

static void kmcl_out_dpc(struct tasklet_struct *t)
{
	struct kmcl_out *out = from_tasklet(out, t, dpc);

	kmcl_out_flush(container_of(out, struct kmcl_channel, out));
}

/**
 * kmcl_packet_setup() - initialise the packet state of a new channel
 * @ch: a channel whose memory was just zeroed.
 *
 * Called once by the channel code at allocation. Allocates nothing.
 */
void kmcl_packet_setup(struct kmcl_channel *ch)
{
	struct kmcl_out *out = &ch->out;

	spin_lock_init(&out->lock);
	INIT_LIST_HEAD(&out->queue);
	tasklet_setup(&out->dpc, kmcl_out_dpc);
	kmcl_cpu_kick_setup(&out->kick, &out->dpc);
	init_waitqueue_head(&out->sync_wq);
	out->ready = true;
	kmcl_in_setup(ch);
}

/**
 * kmcl_packet_size() - bytes of a packet object for this channel
 * @ch: the channel.
 *
 * The object header, cfg.max_packet_size bytes of in-line data,
 * cfg.inline_context_size bytes of context, the ranges of the largest
 * external data (kmcl_ext_ranges_cap()) and an address hint per range
 * (kmcl_ext_va_size()), each rounded to 8 bytes. Always
 * more than max_packet_size + sizeof(void *), as Windows promises.
 *
 * Return: the size VmbPacketInitialize() needs, U32_MAX if it does not fit
 * in 32 bits.
 */
u32 kmcl_packet_size(struct kmcl_channel *ch)
{
	u64 size = sizeof(struct kmcl_packet) +
		   round_up((u64)ch->cfg.max_packet_size +
			    kmcl_pipe_hdr_len(&ch->cfg), 8) +
		   round_up((u64)ch->cfg.inline_context_size, 8) +
		   kmcl_ext_ranges_cap(&ch->cfg) + kmcl_bounce_area(ch) +
		   kmcl_ext_va_size(&ch->cfg);

	return min_t(u64, size, U32_MAX);
}

static void kmcl_packet_reset(struct kmcl_packet *pkt)
{
	pkt->done = NULL;
	pkt->done_fn = NULL;
	pkt->done_ctx = NULL;
	pkt->done_ex = false;
	pkt->pointer = NULL;
	pkt->txid = 0;
	pkt->txid_slot = U32_MAX;
	pkt->len = 0;
	pkt->flags = 0;
	pkt->status = 0;
	pkt->ext_len = 0;
	pkt->ext_count = 0;
	pkt->ext_seen = false;
	pkt->may_cancel = false;
	pkt->restored = NULL;
	INIT_LIST_HEAD(&pkt->item.node);
	pkt->item.kind = KMCL_OUT_PACKET;
}

/* The areas of a packet object (kmcl_packet_size() adds them up). */
struct kmcl_packet_layout {
	u32 max_size;
	u32 ctx_size;
	u32 ext_cap;
	u32 bounce_size;
	u32 va_size;
};

static void kmcl_packet_layout_now(struct kmcl_channel *ch,
				   struct kmcl_packet_layout *l)
{
	l->max_size = ch->cfg.max_packet_size + kmcl_pipe_hdr_len(&ch->cfg);
	l->ctx_size = ch->cfg.inline_context_size;
	l->ext_cap = kmcl_ext_ranges_cap(&ch->cfg);
	l->bounce_size = l->ext_cap ? kmcl_bounce_area(ch) : 0;
	l->va_size = l->ext_cap ? kmcl_ext_va_size(&ch->cfg) : 0;
}

/*
 * Lay out a packet object: the header, then its tail (in-line context,
 * ranges, bounce range, address hints), then the in-line data, unless
 * @data puts the data in a block of its own (lookaside.c).
 */
static void kmcl_packet_format(struct kmcl_channel *ch, struct kmcl_packet *pkt,
			       u8 origin, const struct kmcl_packet_layout *l,
			       u8 *data)
{
	u8 *tail = (u8 *)(pkt + 1);

	memset(pkt, 0, sizeof(*pkt));
	kmcl_packet_reset(pkt);
	pkt->ch = ch;
	pkt->origin = origin;
	pkt->capacity = l->max_size;
	pkt->inline_ctx = l->ctx_size ? tail : NULL;
	tail += round_up(l->ctx_size, 8);
	pkt->ext = l->ext_cap ? tail : NULL;
	pkt->ext_cap = l->ext_cap;
	tail += l->ext_cap;
	kmcl_bounce_format(pkt, l->bounce_size ? tail : NULL);
	tail += l->bounce_size;
	pkt->ext_va = l->va_size ? (void **)tail : NULL;
	tail += l->va_size;
	pkt->data = data ? data : tail;
	pkt->state = KMCL_PACKET_FREE;
	WRITE_ONCE(pkt->magic, KMCL_PACKET_MAGIC);
}

static void kmcl_out_layout(const struct kmcl_out *out,
			    struct kmcl_packet_layout *l)
{
	l->max_size = out->max_size;
	l->ctx_size = out->ctx_size;
	l->ext_cap = out->ext_cap;
	l->bounce_size = out->bounce_size;
	l->va_size = out->va_size;
}

/*
 * A new lookaside object, formatted and FREE, or NULL. Not linked
 * anywhere yet. @gfp: see kmcl_lookaside_obj_alloc().
 */
static struct kmcl_packet *kmcl_out_new_obj(struct kmcl_channel *ch,
					    const struct kmcl_packet_layout *l,
					    u32 stride, gfp_t gfp)
{
	struct kmcl_packet *pkt;
	u8 *data;

	pkt = kmcl_lookaside_obj_alloc(stride, l->max_size, gfp, &data);
	if (pkt)
		kmcl_packet_format(ch, pkt, KMCL_PACKET_LOOKASIDE, l, data);
	return pkt;
}

/**
 * kmcl_out_init() - build the outgoing side at enable time
 * @ch: the channel (state_mutex held).
 *
 * Builds the lookaside (up to cfg.max_packet_count packets, of which
 * KMCL_LOOKASIDE_FLOOR are allocated now and the rest when first needed:
 * lookaside.c) and the transaction-id table on the first call. Later
 * calls keep them if the configuration did not change, and rebuild them
 * otherwise, which needs every lookaside packet to be free (-EBUSY if the
 * driver still holds one). Process context.
 *
 * Return: 0, -EINVAL for an unusable configuration, -ENOMEM, -EBUSY.
 */
int kmcl_out_init(struct kmcl_channel *ch)
{
	struct kmcl_out *out = &ch->out;
	u32 count = ch->cfg.max_packet_count;
	struct kmcl_txid_table txid = {}, old_txid;
	struct kmcl_packet *objs = NULL, *old_objs, *pkt;
	u32 stride = kmcl_packet_size(ch), i, floor, old_stride, old_max;
	struct kmcl_packet_layout l;
	int ret;

	might_sleep();
	kmcl_packet_layout_now(ch, &l);
	if (!count || count > KMCL_TXID_MAX_SLOTS || !l.max_size ||
	    l.max_size > KMCL_WIRE_MAX_PKT_LEN || stride == U32_MAX)
		return -EINVAL;

	spin_lock_bh(&out->lock);
	if (out->nr_packets && out->nr_packets == count &&
	    out->max_size == l.max_size && out->ctx_size == l.ctx_size &&
	    out->ext_cap == l.ext_cap && out->bounce_size == l.bounce_size &&
	    out->va_size == l.va_size && out->stride == stride) {
		out->enabled = true;
		spin_unlock_bh(&out->lock);
		return 0;
	}
	if (out->nr_packets &&
	    (out->nr_free != out->nr_packets || out->txid.nr_used)) {
		spin_unlock_bh(&out->lock);
		return -EBUSY;
	}
	spin_unlock_bh(&out->lock);

	floor = min_t(u32, count, KMCL_LOOKASIDE_FLOOR);
	for (i = 0; i < floor; i++) {
		pkt = kmcl_out_new_obj(ch, &l, stride, GFP_KERNEL);
		if (!pkt) {
			kmcl_lookaside_free_objs(objs, stride, l.max_size);
			return -ENOMEM;
		}
		pkt->next_obj = objs;
		objs = pkt;
	}
	ret = kmcl_txid_init(&txid, count);
	if (ret) {
		kmcl_lookaside_free_objs(objs, stride, l.max_size);
		return ret;
	}

	spin_lock_bh(&out->lock);
	/* A driver may have taken a packet of the old lookaside meanwhile. */
	if (out->nr_packets &&
	    (out->nr_free != out->nr_packets || out->txid.nr_used)) {
		spin_unlock_bh(&out->lock);
		kmcl_txid_destroy(&txid);
		kmcl_lookaside_free_objs(objs, stride, l.max_size);
		return -EBUSY;
	}
	old_objs = out->objs;
	old_stride = out->stride;
	old_max = out->max_size;
	old_txid = out->txid;
	out->txid = txid;
	out->objs = objs;
	out->free = NULL;
	for (pkt = objs; pkt; pkt = pkt->next_obj) {
		pkt->next_free = out->free;
		out->free = pkt;
	}
	out->nr_packets = count;
	out->nr_objs = floor;
	out->nr_free = count;
	out->stride = stride;
	out->max_size = l.max_size;
	out->ctx_size = l.ctx_size;
	out->ext_cap = l.ext_cap;
	out->bounce_size = l.bounce_size;
	out->va_size = l.va_size;
	out->enabled = true;
	spin_unlock_bh(&out->lock);

	kmcl_lookaside_free_objs(old_objs, old_stride, old_max);
	if (old_txid.slots)
		kmcl_txid_destroy(&old_txid);
	return 0;
}

/**
 * kmcl_out_destroy() - free the outgoing side at cleanup
 * @ch: a disabled channel (kmcl_out_close() has run).
 *
 * Anything still queued (sent after the last close) completes with
 * -ECANCELED first. Lookaside packets the driver still holds become
 * invalid (logged).
 */
void kmcl_out_destroy(struct kmcl_channel *ch)
{
	struct kmcl_out *out = &ch->out;

	might_sleep();
	kmcl_out_close(ch);
	WRITE_ONCE(out->ready, false);	/* no more flush tasklets */
	kmcl_cpu_kick_quiesce(&out->kick);
	tasklet_kill(&out->dpc);
	if (out->nr_packets && out->nr_free != out->nr_packets)
		pr_warn("channel cleaned up with %u packet(s) not freed\n",
			out->nr_packets - out->nr_free);
	kmcl_lookaside_free_objs(out->objs, out->stride, out->max_size);
	out->objs = NULL;
	out->free = NULL;
	out->nr_packets = 0;
	out->nr_objs = 0;
	out->nr_free = 0;
	if (out->txid.slots)
		kmcl_txid_destroy(&out->txid);
}

/**
 * kmcl_out_open() - the rings are ready: start the incoming reader and
 *	write everything queued so far
 * @ch: the channel (state_mutex held, process context).
 */
void kmcl_out_open(struct kmcl_channel *ch)
{
	struct kmcl_out *out = &ch->out;

	spin_lock_bh(&out->lock);
	out->enabled = true;
	out->open = true;
	out->slot_wait = false;
	spin_unlock_bh(&out->lock);
	kmcl_in_attach(ch);
	kmcl_out_flush(ch);
}

/**
 * kmcl_out_stop() - leave the rings, complete nothing yet
 * @ch: a closing channel (state_mutex held, process context).
 *
 * Nothing is written to the rings afterwards and the incoming reader and
 * the flush tasklet have left them, so a transport may close them before
 * kmcl_out_close() completes the packets. Packets stay pending or queued.
 */
void kmcl_out_stop(struct kmcl_channel *ch)
{
	struct kmcl_out *out = &ch->out;

	might_sleep();
	spin_lock_bh(&out->lock);
	out->open = false;
	out->slot_wait = false;
	spin_unlock_bh(&out->lock);
	kmcl_in_detach(ch);
	tasklet_kill(&out->dpc);
}

/**
 * kmcl_out_close() - the channel closes or is disabled
 * @ch: the channel (state_mutex held, process context).
 *
 * Every packet still in flight completes exactly once: first those in the
 * ring awaiting the peer's completion (-ESHUTDOWN), then the queued ones in
 * queue order (-ECANCELED). Queued completions of incoming packets are
 * dropped. Returns after the incoming reader and the flush tasklet have
 * left the rings. Idempotent.
 */
void kmcl_out_close(struct kmcl_channel *ch)
{
	struct kmcl_out *out = &ch->out;
	struct kmcl_out_item *it, *tmp;
	struct kmcl_packet *pkt;
	LIST_HEAD(done);
	u32 pos = 0;

	might_sleep();
	spin_lock_bh(&out->lock);
	out->open = false;
	out->enabled = false;
	out->slot_wait = false;
	while (out->txid.slots && (pkt = kmcl_txid_take_next(&out->txid, &pos))) {
		pkt->state = KMCL_PACKET_IDLE;
		pkt->status = -ESHUTDOWN;
		out->stats.removed++;
		list_add_tail(&pkt->item.node, &done);
	}
	list_for_each_entry_safe(it, tmp, &out->queue, node) {
		if (it->kind == KMCL_OUT_COMPLETION) {
			out->stats.completions_dropped++;
		} else {
			pkt = kmcl_item_packet(it);
			pkt->state = KMCL_PACKET_IDLE;
			pkt->status = -ECANCELED;
			out->stats.cancelled++;
		}
		list_move_tail(&it->node, &done);
	}
	spin_unlock_bh(&out->lock);

	kmcl_in_detach(ch);
	tasklet_kill(&out->dpc);
	kmcl_out_finish_list(&done);
	wake_up_all(&out->sync_wq);
}

/**
 * kmcl_out_notify() - the peer made room in our outgoing ring, or went away
 * @ch: the channel. Any context but hardirq; only schedules.
 */
void kmcl_out_notify(struct kmcl_channel *ch)
{
	/*
	 * Only queued items wait for room: with an empty queue the flush
	 * tasklet has nothing to do, and most signals are for data, not room.
	 * An item is queued before its writer asks for room, and the peer
	 * signals after it saw that request, so this read sees the item.
	 */
	smp_rmb();
	if (READ_ONCE(ch->out.open) && !list_empty(&ch->out.queue))
		kmcl_out_schedule(ch);
	/* Synchronous requests also watch for the peer going away. */
	if (wq_has_sleeper(&ch->out.sync_wq))
		wake_up_all(&ch->out.sync_wq);
}

/**
 * kmcl_packet_alloc() - take a packet from the lookaside (VmbPacketAllocate)
 * @ch: the channel.
 *
 * The packet has the default completion routine (free the packet), no
 * pointer, and a zeroed in-line context. Any context up to softirq.
 *
 * Return: the packet, or NULL if the lookaside is empty or not built yet.
 */
struct kmcl_packet *kmcl_packet_alloc(struct kmcl_channel *ch)
{
	struct kmcl_out *out = &ch->out;
	struct kmcl_packet_layout l;
	struct kmcl_packet *pkt;
	bool grow = false;
	u32 stride = 0;
	bool bh;

	bh = kmcl_lock_bh(&out->lock);
	pkt = out->free;
	if (pkt) {
		out->free = pkt->next_free;
		out->nr_free--;
		pkt->next_free = NULL;
		kmcl_packet_reset(pkt);
		pkt->state = KMCL_PACKET_IDLE;
	} else if (out->nr_objs < out->nr_packets) {
		/* Reserve the new object's place: no rebuild meanwhile. */
		out->nr_objs++;
		out->nr_free--;
		kmcl_out_layout(out, &l);
		stride = out->stride;
		grow = true;
	}
	kmcl_unlock_bh(&out->lock, bh);
	if (grow) {
		/* Never sleeps: the caller may hold a plain spinlock. */
		pkt = kmcl_out_new_obj(ch, &l, stride,
				       GFP_ATOMIC | __GFP_NOWARN);
		bh = kmcl_lock_bh(&out->lock);
		if (pkt) {
			pkt->next_obj = out->objs;
			out->objs = pkt;
			pkt->state = KMCL_PACKET_IDLE;
		} else {
			out->nr_objs--;
			out->nr_free++;
			out->grow_failed++;
		}
		kmcl_unlock_bh(&out->lock, bh);
	}
	if (pkt && pkt->inline_ctx)
		memset(pkt->inline_ctx, 0, out->ctx_size);
	return pkt;
}

/**
 * kmcl_packet_init_mem() - build a packet object in caller memory
 * (VmbPacketInitialize)
 * @ch: the channel.
 * @mem: caller memory, 8-byte aligned.
 * @size: its size; at least kmcl_packet_size().
 * @pktp: receives the packet.
 *
 * The packet has no completion routine: kmcl_packet_send() refuses it until
 * one is set. Memory that holds a packet in flight, or that belongs to the
 * lookaside, is refused. Any context up to softirq.
 *
 * Return: 0; -EMSGSIZE if @size is too small; -EINVAL for NULL or
 * misaligned @mem, or memory inside the lookaside; -EBUSY if @mem holds a
 * packet that is still in flight.
 */
int kmcl_packet_init_mem(struct kmcl_channel *ch, void *mem, u32 size,
			 struct kmcl_packet **pktp)
{
	struct kmcl_out *out = &ch->out;
	struct kmcl_packet *pkt = mem;
	struct kmcl_packet_layout l;
	bool inside;
	u8 state;

	if (!mem || !IS_ALIGNED((unsigned long)mem, 8))
		return -EINVAL;
	if (size < kmcl_packet_size(ch))
		return -EMSGSIZE;

	spin_lock_bh(&out->lock);
	inside = kmcl_lookaside_overlaps(out->objs, out->stride, out->max_size,
					 mem, size);
	state = READ_ONCE(pkt->state);
	if (!inside && READ_ONCE(pkt->magic) == KMCL_PACKET_MAGIC &&
	    pkt->ch == ch &&
	    (state == KMCL_PACKET_QUEUED || state == KMCL_PACKET_PENDING)) {
		spin_unlock_bh(&out->lock);
		return -EBUSY;
	}
	spin_unlock_bh(&out->lock);
	if (inside)
		return -EINVAL;

	kmcl_packet_layout_now(ch, &l);
	kmcl_packet_format(ch, pkt, KMCL_PACKET_CALLER, &l, NULL);
	if (pkt->inline_ctx)
		memset(pkt->inline_ctx, 0, ch->cfg.inline_context_size);
	pkt->state = KMCL_PACKET_IDLE;
	*pktp = pkt;
	return 0;
}

/**
 * kmcl_packet_free() - give a packet back (VmbPacketFree)
 * @pkt: a packet from kmcl_packet_alloc().
 *
 * A packet in flight, one that is already free, or one built in caller
 * memory is not touched (logged once). Any context up to softirq.
 *
 * Return: 0; -EALREADY if it was free already; -EBUSY if it is in flight;
 * -EINVAL for a packet built with kmcl_packet_init_mem().
 */
int kmcl_packet_free(struct kmcl_packet *pkt)
{
	struct kmcl_out *out = &pkt->ch->out;
	int ret = 0;
	bool bh;

	bh = kmcl_lock_bh(&out->lock);
	if (pkt->origin != KMCL_PACKET_LOOKASIDE) {
		ret = -EINVAL;
	} else if (pkt->state == KMCL_PACKET_FREE) {
		out->stats.double_free++;
		ret = -EALREADY;
	} else if (pkt->state != KMCL_PACKET_IDLE) {
		ret = -EBUSY;
	} else {
		pkt->state = KMCL_PACKET_FREE;
		pkt->done = NULL;
		pkt->next_free = out->free;
		out->free = pkt;
		out->nr_free++;
	}
	if (ret)
		out->stats.free_refused++;
	kmcl_unlock_bh(&out->lock, bh);

	if (ret == -EALREADY)
		pr_warn_once("VmbPacketFree: packet %p is already free (ignored)\n",
			     pkt);
	else if (ret == -EBUSY)
		pr_warn_once("VmbPacketFree: packet %p is still in flight (ignored)\n",
			     pkt);
	else if (ret == -EINVAL)
		pr_warn_once("VmbPacketFree: packet %p was built by VmbPacketInitialize (ignored)\n",
			     pkt);
	return ret;
}

/* Claim an idle packet for a send. Caller holds out.lock. */
static int kmcl_packet_claim(struct kmcl_out *out, struct kmcl_packet *pkt)
{
	if (!out->nr_packets)
		return -ENOTCONN;
	if (pkt->state == KMCL_PACKET_FREE)
		return -EBADFD;
	if (pkt->state != KMCL_PACKET_IDLE)
		return -EBUSY;
	pkt->state = KMCL_PACKET_SENDING;
	return 0;
}

/* Reset a claimed packet's send fields: @len bytes of in-line data. */
static void kmcl_packet_prepare(struct kmcl_packet *pkt, u32 len, u32 flags)
{
	pkt->len = len;
	pkt->flags = flags;
	pkt->txid = 0;
	pkt->txid_slot = U32_MAX;
	pkt->ext_len = 0;
	pkt->ext_count = 0;
	pkt->ext_seen = false;
}

/* What kmcl_out_submit_locked() leaves for after out.lock is dropped. */
struct kmcl_submit {
	bool signal;
	bool fail;
	bool kick;
	bool now;
};

/*
 * Write the claimed, prepared @pkt to the ring now, or queue it behind
 * what waits (or refuse it: @now_only, or it can never be written).
 * @data: its in-line data; @copy: @data is the sender's buffer, which is
 * copied into the packet only if the packet has to wait in the queue.
 * Caller holds out.lock. Returns as kmcl_packet_send().
 */
static __always_inline int kmcl_out_submit_locked(struct kmcl_channel *ch,
						  struct kmcl_packet *pkt,
						  const void *data, bool copy,
						  bool now_only,
						  struct kmcl_submit *sub)
{
	struct kmcl_out *out = &ch->out;
	bool want;
	int ret = -EAGAIN;

	if (out->open && list_empty(&out->queue) && !out->slot_wait) {
		ret = kmcl_out_write_packet(ch, pkt, data, &sub->signal);
		if (!ret) {
			sub->now = pkt->state == KMCL_PACKET_IDLE;
			return 0;
		}
		if (ret == -EBADMSG)
			sub->fail = true;
		else if (ret != -EAGAIN && ret != -EBUSY && ret != -ENODEV)
			goto refuse;
	}
	if (now_only) {
		ret = -EOVERFLOW;
		goto refuse;
	}
	/* It waits in the queue: the caller's buffer is free on return. */
	if (copy && pkt->len)
		memcpy(pkt->data, data, pkt->len);
	want = list_empty(&out->queue) && ret == -EAGAIN && out->open;
	list_add_tail(&pkt->item.node, &out->queue);
	if (want) {
		/* Queued before asking for room: see kmcl_out_notify(). */
		smp_wmb();
		sub->kick = kmcl_xport_want_room(ch, kmcl_packet_wire_len(pkt));
	}
	pkt->state = KMCL_PACKET_QUEUED;
	out->stats.queued++;
	return 0;
refuse:
	kmcl_bounce_take_back(pkt, false);
	pkt->state = KMCL_PACKET_IDLE;
	return ret;
}

/* The rest of a submission, with no lock held. */
static __always_inline void kmcl_out_submit_done(struct kmcl_channel *ch,
						 struct kmcl_packet *pkt,
						 const struct kmcl_submit *sub)
{
	if (sub->signal)
		kmcl_channel_signal_peer(ch);
	if (sub->fail)
		kmcl_channel_fail(ch, -EBADMSG);
	if (sub->kick)
		kmcl_out_schedule(ch);
	if (sub->now) {
		bool bh = kmcl_bh_off();

		kmcl_packet_finish(pkt, 0, NULL, 0);
		kmcl_bh_on(bh);
	}
}

/*
 * An in-band packet without a pipe header: claimed and written straight
 * from @buf under one out.lock round trip, copied into the packet only if
 * it has to wait in the queue.
 */
static __always_inline int kmcl_packet_send_inband(struct kmcl_packet *pkt,
						   const void *buf, u32 len,
						   u32 flags, bool now_only)
{
	struct kmcl_channel *ch = pkt->ch;
	struct kmcl_out *out = &ch->out;
	struct kmcl_submit sub = {};
	int ret;
	bool bh;

	bh = kmcl_lock_bh(&out->lock);
	ret = kmcl_packet_claim(out, pkt);
	if (!ret) {
		kmcl_packet_prepare(pkt, len, flags);
		ret = kmcl_out_submit_locked(ch, pkt, buf, true, now_only, &sub);
	}
	kmcl_unlock_bh(&out->lock, bh);
	kmcl_out_submit_done(ch, pkt, &sub);
	return ret;
}

/**
 * kmcl_packet_send() - send a packet (VmbPacketSend)
 * @pkt: a packet the caller owns (allocated or initialised, not in flight).
 * @buf: in-line data, copied before this returns.
 * @len: its length, at most the packet's capacity.
 * @flags: KMCL_SEND_* flags.
 * @now_only: write now or fail with -EOVERFLOW, never queue (synchronous
 *	requests with a zero timeout).
 *
 * Writes the packet to the ring, or queues it (channel not open yet, ring
 * full, other packets waiting). Without KMCL_SEND_WAIT_FOR_COMPLETION a
 * packet that was written at once is completed before this returns. On a
 * pipe channel the pipe header goes in front of @buf (pipe.h) and @len is
 * still at most cfg.max_packet_size. Any context up to softirq.
 *
 * Return: 0 if the packet was accepted (its completion will run exactly
 * once); -EINVAL for bad arguments; -EMSGSIZE if @len exceeds the capacity
 * or the packet can never fit in the ring; -ENOKEY if the packet has no
 * completion routine (VmbPacketInitialize); -EBUSY if it is in flight;
 * -EBADFD if the packet is free; -ENOTCONN if the channel was never
 * enabled; -EOVERFLOW for @now_only when it could not be written at once;
 * -EOPNOTSUPP on a pipe channel for KMCL_SEND_WAIT_FOR_COMPLETION or
 * external data. On error the completion routine does not run.
 */
int kmcl_packet_send(struct kmcl_packet *pkt, const void *buf, u32 len,
		     u32 flags, bool now_only)
{
	return kmcl_packet_send_ext(pkt, buf, len, flags, now_only, NULL);
}

/**
 * kmcl_packet_send_ext() - send a packet that may lend memory to the peer
 * @pkt: a packet the caller owns (allocated or initialised, not in flight).
 * @buf: in-line data, copied before this returns.
 * @len: its length, at most the packet's capacity.
 * @flags: KMCL_SEND_* flags.
 * @now_only: as for kmcl_packet_send().
 * @ext: writes the packet's GPA ranges once the packet is claimed, or
 *	NULL for an in-band packet. The caller checked the memory against
 *	the channel's limits; @ext->fill fails only if the ranges do not fit
 *	in the packet's ext area.
 *
 * As kmcl_packet_send(). A packet with external data always takes a
 * transaction id and completes only when the peer completes it (or the
 * channel closes), whatever @flags say.
 *
 * Return: as kmcl_packet_send(); also the error of @ext->fill, and
 * -EOPNOTSUPP if the transport cannot carry that many ranges.
 */
int kmcl_packet_send_ext(struct kmcl_packet *pkt, const void *buf, u32 len,
			 u32 flags, bool now_only,
			 const struct kmcl_ext_fill *ext)
{
	struct kmcl_channel *ch = pkt->ch;
	struct kmcl_out *out = &ch->out;
	struct kmcl_submit sub = {};
	u32 pipe = kmcl_pipe_hdr_len(&ch->cfg);
	int ret;

	if ((flags & ~KMCL_SEND_FLAGS) || (!buf && len))
		return -EINVAL;
	/* A pipe has no transactions and no external data. */
	if (pipe && (ext || (flags & KMCL_SEND_WAIT_FOR_COMPLETION)))
		return -EOPNOTSUPP;
	if ((u64)len + pipe > pkt->capacity)
		return -EMSGSIZE;
	if (pkt->origin == KMCL_PACKET_CALLER && !pkt->done)
		return -ENOKEY;
	if (!ext && !pipe)
		return kmcl_packet_send_inband(pkt, buf, len, flags, now_only);

	/* Claim the packet, then copy the data outside the lock. */
	spin_lock_bh(&out->lock);
	ret = kmcl_packet_claim(out, pkt);
	spin_unlock_bh(&out->lock);
	if (ret)
		return ret;

	if (pipe)
		kmcl_pipe_put_hdr(pkt->data, len);
	if (len)
		memcpy(pkt->data + pipe, buf, len);
	kmcl_packet_prepare(pkt, len + pipe, flags);
	if (ext && pkt->ext_va)
		memset(pkt->ext_va, 0, kmcl_ext_va_size(&ch->cfg));
	if (ext) {
		ret = pkt->ext ? ext->fill(pkt->ext, pkt->ext_cap, ext->arg,
					   &pkt->ext_len, &pkt->ext_count,
					   pkt->ext_va, ch->cfg.max_ext_chain) :
			       -EINVAL;
		if (!ret && !pkt->ext_count)
			ret = -EINVAL;
		if (!ret)
			ret = kmcl_bounce_plan(pkt);
		if (ret) {
			pkt->ext_len = 0;
			pkt->ext_count = 0;
			spin_lock_bh(&out->lock);
			pkt->state = KMCL_PACKET_IDLE;
			spin_unlock_bh(&out->lock);
			return ret;
		}
	}

	spin_lock_bh(&out->lock);
	ret = kmcl_out_submit_locked(ch, pkt, pkt->data, false, now_only, &sub);
	spin_unlock_bh(&out->lock);
	kmcl_out_submit_done(ch, pkt, &sub);
	return ret;
}

/* kmcl_packet_cancel(), and with @lent also a packet that lends memory. */
static bool kmcl_packet_take_back(struct kmcl_packet *pkt, bool lent)
{
	struct kmcl_channel *ch = pkt->ch;
	struct kmcl_out *out = &ch->out;
	bool cancelled = true, kick = false;

	spin_lock_bh(&out->lock);
	if (pkt->state == KMCL_PACKET_QUEUED) {
		list_del_init(&pkt->item.node);
	} else if (pkt->state == KMCL_PACKET_PENDING && pkt->ext_len && !lent) {
		/* The peer may be using the memory: only its completion ends it. */
		cancelled = false;
	} else if (pkt->state == KMCL_PACKET_PENDING) {
		kmcl_txid_cancel(&out->txid, pkt->txid_slot);
		kick = out->slot_wait;
		out->slot_wait = false;
	} else {
		cancelled = false;
	}
	if (cancelled) {
		kick |= kmcl_bounce_take_back(pkt,
					      pkt->state == KMCL_PACKET_PENDING);
		pkt->state = KMCL_PACKET_IDLE;
		out->stats.cancelled++;
	}
	spin_unlock_bh(&out->lock);
	if (kick)
		kmcl_out_schedule(ch);
	return cancelled;
}

/**
 * kmcl_packet_cancel() - take back a packet that has not completed yet
 * @pkt: a packet in flight.
 *
 * A queued packet leaves the queue; a packet waiting for the peer's
 * completion gives up its transaction id (the late completion will be
 * dropped). The completion routine does not run. A packet with external
 * data that is in the ring is not cancelled: the peer may be using its
 * memory until it completes the packet (or the channel closes). Any
 * context up to softirq.
 *
 * Return: true if the packet was cancelled; false if its completion has
 * already started, it lends memory to the peer, or it was not in flight.
 */
bool kmcl_packet_cancel(struct kmcl_packet *pkt)
{
	return kmcl_packet_take_back(pkt, false);
}

/**
 * kmcl_packet_cancel_lent() - take back a packet whose memory the peer may
 *	hold
 * @pkt: a packet in flight.
 *
 * As kmcl_packet_cancel(), also for a packet with external data in the
 * ring. From then on the peer cannot accept the packet any more (its id
 * is cancelled, kmcl_out_ext_match() drops it), but it may still hold the
 * memory if it accepted it before: wait with kmcl_ext_quiesce() before
 * the memory is given back. Any context up to softirq.
 *
 * Return: as kmcl_packet_cancel().
 */
bool kmcl_packet_cancel_lent(struct kmcl_packet *pkt)
{
	return kmcl_packet_take_back(pkt, true);
}

/**
 * kmcl_out_complete_txid() - the peer completed one of our packets
 * @ch: the channel.
 * @txid: the id in the peer's VM_PKT_COMP (untrusted).
 * @buf: the completion payload (a private copy).
 * @len: its length.
 *
 * Called by the incoming reader. Runs the packet's completion routine.
 *
 * Return: 0 (also for a late completion of a cancelled request, which is
 * dropped), or -EBADMSG for an id no packet is waiting for: the caller
 * treats the packet as hostile.
 */
int kmcl_out_complete_txid(struct kmcl_channel *ch, u64 txid,
			   const void *buf, u32 len)
{
	struct kmcl_out *out = &ch->out;
	struct kmcl_packet *pkt;
	bool kick = false;
	int ret = 0;
	bool bh;

	bh = kmcl_lock_bh(&out->lock);
	if (!out->open) {
		/* Racing with close, which completes every packet itself. */
		kmcl_unlock_bh(&out->lock, bh);
		return 0;
	}
	switch (kmcl_txid_do_take(&out->txid, txid, &pkt)) {
	case KMCL_TXID_OK:
		out->stats.completed++;
		pkt->state = KMCL_PACKET_IDLE;
		kick = out->slot_wait;
		out->slot_wait = false;
		break;
	case KMCL_TXID_LATE:
		out->stats.comp_late++;
		break;
	case KMCL_TXID_BAD:
		out->stats.comp_bad_id++;
		ret = -EBADMSG;
		break;
	case KMCL_TXID_STALE:
		out->stats.comp_stale_id++;
		ret = -EBADMSG;
		break;
	}
	kmcl_unlock_bh(&out->lock, bh);

	if (kick)
		kmcl_out_schedule(ch);
	if (pkt) {
		bh = kmcl_bh_off();
		kmcl_packet_finish(pkt, 0, buf, len);
		kmcl_bh_on(bh);
	}
	return ret;
}

/**
 * kmcl_out_send_completion() - send the VM_PKT_COMP of an incoming packet
 * @ch: the channel.
 * @ip: the incoming packet (state COMPLETING).
 * @buf: the completion payload (may point into @ip->buf).
 * @len: its length, at most cfg.max_packet_size.
 *
 * The payload is copied into @ip, then written at once or queued behind
 * the other outgoing items. Any context up to softirq.
 *
 * Return: 0 if @ip was queued (it is released once written); 1 if it was
 * written or dropped (closed channel): the caller releases @ip.
 */
int kmcl_out_send_completion(struct kmcl_channel *ch,
			     struct kmcl_in_packet *ip, const void *buf,
			     u32 len)
{
	struct kmcl_out *out = &ch->out;
	bool signal = false, kick = false, fail = false, want = false;
	int ret, written = 1;
	bool bh;

	if (len && buf != ip->buf)
		memmove(ip->buf, buf, len);
	ip->comp_len = len;
	ip->item.kind = KMCL_OUT_COMPLETION;

	bh = kmcl_lock_bh(&out->lock);
	if (!out->open) {
		out->stats.completions_dropped++;
		goto unlock;
	}
	ret = -EAGAIN;
	if (list_empty(&out->queue)) {
		ret = kmcl_out_write_comp(ch, ip->txid, ip->buf, len, &signal);
		if (!ret)
			goto unlock;
		if (ret == -EBADMSG) {
			fail = true;
		} else if (ret != -EAGAIN && ret != -ENODEV) {
			out->stats.completions_dropped++;
			goto unlock;
		}
		want = ret == -EAGAIN;
	}
	list_add_tail(&ip->item.node, &out->queue);
	if (want) {
		/* Queued before asking for room: see kmcl_out_notify(). */
		smp_wmb();
		kick = kmcl_xport_want_room(ch, kmcl_inband_pktlen(len));
	}
	written = 0;
unlock:
	kmcl_unlock_bh(&out->lock, bh);
	if (signal)
		kmcl_channel_signal_peer(ch);
	if (fail)
		kmcl_channel_fail(ch, -EBADMSG);
	if (kick)
		kmcl_out_schedule(ch);
	return written;
}

/**
 * kmcl_packet_stats() - the counters debugfs shows
 * @ch: the channel.
 * @st: filled in.
 */
void kmcl_packet_stats(struct kmcl_channel *ch, struct kmcl_stats *st)
{
	spin_lock_bh(&ch->out.lock);
	st->sent = ch->out.stats.sent;
	st->completed = ch->out.stats.completed + ch->out.stats.sent_nowait +
			ch->out.stats.cancelled + ch->out.stats.removed +
			ch->out.stats.too_big;
	st->completions_sent = ch->out.stats.completions_sent;
	st->queued = ch->out.stats.queued;
	st->ext_sent = ch->out.stats.ext_sent;
	st->lent_waits = ch->out.stats.lent_waits;
	st->comp_late = ch->out.stats.comp_late;
	spin_unlock_bh(&ch->out.lock);

	spin_lock_bh(&ch->in.lock);
	st->received = READ_ONCE(ch->in.stats.received);
	st->rejected = ch->in.stats.rejected;
	st->quota_blocked = ch->in.stats.quota_blocked;
	st->ext_received = READ_ONCE(ch->in.stats.ext_received);
	st->ext_rejected = ch->in.stats.rejected_ext_limits +
			   ch->in.stats.rejected_ext_data;
	st->ext_dropped = ch->in.stats.ext_dropped;
	st->rejected_oversize = ch->in.stats.rejected_oversize;
	st->rejected_malformed = ch->in.stats.rejected_malformed;
	st->rejected_type = ch->in.stats.rejected_type;
	st->rejected_bad_id = ch->in.stats.rejected_bad_id;
	st->rejected_ext_limits = ch->in.stats.rejected_ext_limits;
	st->rejected_ext_data = ch->in.stats.rejected_ext_data;
	st->budget_yields = ch->in.stats.budget_yields;
	st->dpc_capped = ch->in.stats.dpc_capped;
	st->in_objs = ch->in.nr_objs;
	st->in_max = ch->in.max_objs;
	st->in_grows = ch->in.stats.grows;
	st->in_grow_failed = ch->in.stats.grow_failed;
	st->in_pool_blocked = ch->in.stats.pool_blocked;
	spin_unlock_bh(&ch->in.lock);
}

KMCL_EXPORT_FOR_TESTS(kmcl_packet_stats);
