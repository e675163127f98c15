/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The packet code reaches a channel's rings only through these calls (see
 * xport.c). They are inline: each packet goes through several of them on
 * both ends, and a call per ring step is a measurable part of the data
 * path (make bench).
 */
#ifndef _KMCL_XPORT_H
#define _KMCL_XPORT_H

#include <linux/errno.h>
#include <linux/kernel.h>

#include "kmcl.h"
#include "ring_fast.h"
#include "wire_fast.h"

int kmcl_xport_write_gpa(struct kmcl_channel *ch, const struct kmcl_xmit *x,
			 bool *signal);

static inline const struct kmcl_ring_ops *
kmcl_xport_ring(struct kmcl_channel *ch)
{
	return ch->tops->ring;
}

/**
 * kmcl_xport_xmit() - write one packet to the channel's outgoing ring
 * @ch: the channel; its out.lock is held and it is open.
 * @x: the packet.
 * @signal: set when the peer must be signalled after the lock is dropped.
 *
 * Return: 0 or the errors of &struct kmcl_ring_ops.xmit; also -EINVAL for
 * a packet the wire format cannot describe.
 */
static __always_inline int kmcl_xport_xmit(struct kmcl_channel *ch,
					   const struct kmcl_xmit *x,
					   bool *signal)
{
	const struct kmcl_ring_ops *r = kmcl_xport_ring(ch);
	struct kmcl_vmpacket_desc desc;
	int ret;

	*signal = false;
	if (r)
		return r->xmit(ch, x, signal);
	if (x->type == KMCL_PKT_DATA_USING_GPA_DIRECT)
		return kmcl_xport_write_gpa(ch, x, signal);
	if (!ch->out_ring.hdr || (!x->data && x->len))
		return -EINVAL;
	ret = kmcl_wire_do_inband_desc(&desc, x->type, x->flags, x->trans_id,
				       x->len, NULL);
	if (ret)
		return ret;
	return kmcl_ring_do_write_inband(&ch->out_ring, &desc, x->data, x->len,
					 signal);
}

/**
 * kmcl_xport_want_room() - ask for a wake-up when a packet fits
 * @ch: the channel; its out.lock is held.
 * @pktlen: the packet's length on the wire, without the trailer.
 *
 * Return: true if it fits already (retry now).
 */
static inline bool kmcl_xport_want_room(struct kmcl_channel *ch,
					u32 pktlen)
{
	const struct kmcl_ring_ops *r = kmcl_xport_ring(ch);

	if (r)
		return r->want_room(ch, pktlen);
	return kmcl_ring_set_pending_send(&ch->out_ring, pktlen);
}

/**
 * kmcl_xport_mask() - the reader starts a batch
 * @ch: the channel.
 */
static inline void kmcl_xport_mask(struct kmcl_channel *ch)
{
	const struct kmcl_ring_ops *r = kmcl_xport_ring(ch);

	if (r)
		r->mask(ch);
	else if (ch->in_ring.hdr)
		kmcl_ring_do_mask(&ch->in_ring);
}

/**
 * kmcl_xport_peek() - copy the next incoming packet
 * @ch: the channel.
 * @buf: where to copy it, descriptor included.
 * @buflen: bytes at @buf.
 * @pktlen: receives the packet's length.
 *
 * Return: as &struct kmcl_ring_ops.peek.
 */
static __always_inline int kmcl_xport_peek(struct kmcl_channel *ch,
					   void *buf, u32 buflen,
					   u32 *pktlen)
{
	const struct kmcl_ring_ops *r = kmcl_xport_ring(ch);

	if (r)
		return r->peek(ch, buf, buflen, pktlen);
	if (!ch->in_ring.hdr || (!buf && buflen)) {
		*pktlen = 0;
		return -EINVAL;
	}
	return kmcl_ring_do_peek(&ch->in_ring, buf, buflen, pktlen);
}

/**
 * kmcl_xport_consume() - drop the packet kmcl_xport_peek() returned
 * @ch: the channel.
 * @pktlen: its length.
 * @signal: set when the peer must be signalled.
 *
 * Return: 0 or -errno (the ring is unusable).
 */
static __always_inline int kmcl_xport_consume(struct kmcl_channel *ch,
					      u32 pktlen, bool *signal)
{
	const struct kmcl_ring_ops *r = kmcl_xport_ring(ch);

	*signal = false;
	if (r)
		return r->consume(ch, pktlen, signal);
	if (!ch->in_ring.hdr)
		return -EINVAL;
	return kmcl_ring_do_consume(&ch->in_ring, pktlen, signal);
}

/**
 * kmcl_xport_unmask() - the reader ends a batch
 * @ch: the channel.
 *
 * Return: true if packets arrived while the reader was masked.
 */
static inline bool kmcl_xport_unmask(struct kmcl_channel *ch)
{
	const struct kmcl_ring_ops *r = kmcl_xport_ring(ch);

	if (r)
		return r->unmask(ch);
	if (!ch->in_ring.hdr)
		return false;
	return kmcl_ring_do_unmask(&ch->in_ring);
}

/**
 * kmcl_xport_empty() - a cheap look for nothing to read
 * @ch: the channel; the caller is its reader.
 *
 * A hint, for skipping the work of taking a packet object: only a true
 * answer is acted on, and the reader looks again after unmasking.
 *
 * Return: true if the channel's own incoming ring is empty; false if it
 * holds something (or a corrupt index, which kmcl_xport_peek() reports),
 * and always for a transport with its own rings.
 */
static inline bool kmcl_xport_empty(struct kmcl_channel *ch)
{
	if (kmcl_xport_ring(ch) || !ch->in_ring.hdr)
		return false;
	return kmcl_ring_do_empty(&ch->in_ring);
}

/**
 * kmcl_xport_next_is_comp() - a cheap look: is the next packet a completion?
 * @ch: the channel; the caller is its reader.
 *
 * A hint (kmcl_ring_next_type()): whoever acts on it checks the type of
 * the packet kmcl_xport_peek() copies.
 *
 * Return: true if the channel's own incoming ring holds a packet whose
 * descriptor says KMCL_PKT_COMP; always false for a transport with its
 * own rings.
 */
static inline bool kmcl_xport_next_is_comp(struct kmcl_channel *ch)
{
	if (kmcl_xport_ring(ch) || !ch->in_ring.hdr)
		return false;
	return kmcl_ring_do_next_type(&ch->in_ring) == KMCL_PKT_COMP;
}

#endif /* _KMCL_XPORT_H */
