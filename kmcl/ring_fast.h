/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-packet steps of a ring (see ring.h), inline.
 *
 * Every packet runs through a write on one end and a look, a peek and a
 * consume on the other. Out of line that is a call each, and under
 * emulation a call costs about as much as a lock round trip (make bench),
 * so the channel code (xport.h) gets these bodies inline. ring.c exports
 * them as the kmcl_ring_*() functions of ring.h, which every other user,
 * the tests and the fuzz targets call: one implementation for both.
 *
 * The rules of ring.h hold: the caller serialises each side, the peer's
 * index is read once per step and checked before it steers a memory
 * access, and the ordering is the one ring.c's header comment describes.
 */
#ifndef _KMCL_RING_FAST_H
#define _KMCL_RING_FAST_H

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/barrier.h>

#include "ring.h"

static __always_inline bool kmcl_ring_index_ok(const struct kmcl_ring *ring,
					       u32 index)
{
	return index < ring->data_size && IS_ALIGNED(index, 8);
}

/* Bytes between @read and @write: valid indexes only. */
static __always_inline u32 kmcl_ring_used(const struct kmcl_ring *ring,
					  u32 write, u32 read)
{
	return write >= read ? write - read : ring->data_size - (read - write);
}

static __always_inline u32 kmcl_ring_advance(const struct kmcl_ring *ring,
					     u32 pos, u32 len)
{
	pos += len;
	if (pos >= ring->data_size)
		pos -= ring->data_size;
	return pos;
}

/*
 * Copy @len <= data_size bytes into the data area at @pos < data_size.
 * A copy that does not wrap (nearly all) is one memcpy() of @len itself:
 * for a descriptor or a trailer that is a constant, which the compiler
 * turns into a few moves, where the bounded length of a split copy
 * becomes a byte-wise "rep movsb" (slow under emulation and for tiny
 * copies anywhere).
 */
static __always_inline u32 kmcl_ring_copy_to(struct kmcl_ring *ring, u32 pos,
					     const void *src, u32 len)
{
	u32 first = ring->data_size - pos;

	if (likely(len <= first)) {
		memcpy(ring->data + pos, src, len);
	} else {
		memcpy(ring->data + pos, src, first);
		memcpy(ring->data, (const u8 *)src + first, len - first);
	}
	return kmcl_ring_advance(ring, pos, len);
}

/* Copy @len <= data_size bytes out of the data area at @pos < data_size. */
static __always_inline void kmcl_ring_copy_from(const struct kmcl_ring *ring,
						u32 pos, void *dst, u32 len)
{
	u32 first = ring->data_size - pos;

	if (likely(len <= first)) {
		memcpy(dst, ring->data + pos, len);
	} else {
		memcpy(dst, ring->data + pos, first);
		memcpy((u8 *)dst + first, ring->data, len - first);
	}
}

/*
 * Writer: is there room for a checked packet of @total bytes? 0 (write
 * it at ring->write), or -EMSGSIZE, -EAGAIN, -EBADMSG as kmcl_ring_write().
 */
static __always_inline int kmcl_ring_do_reserve(struct kmcl_ring *ring,
						u32 total)
{
	u32 read;

	if (total > kmcl_ring_max_pktlen(ring))
		return -EMSGSIZE;
	/* Bytes the reader released must not be written before this load. */
	read = virt_load_acquire(&ring->hdr->read_index);
	if (!kmcl_ring_index_ok(ring, read))
		return -EBADMSG;
	/* Never fill the ring: read == write must keep meaning empty. */
	if (ring->data_size - kmcl_ring_used(ring, ring->write, read) <=
	    total + KMCL_RING_TRAILER_SIZE)
		return -EAGAIN;
	return 0;
}

/*
 * Writer: the packet's bytes are in, up to @pos; add the trailer, publish
 * the new write_index and decide on a signal (see kmcl_ring_write()).
 */
static __always_inline void kmcl_ring_do_publish(struct kmcl_ring *ring,
						 u32 pos, bool *signal)
{
	u32 old_write = ring->write;
	u64 trailer = (u64)old_write << 32;

	pos = kmcl_ring_copy_to(ring, pos, &trailer, sizeof(trailer));
	/* The packet must be visible before the index that publishes it. */
	virt_mb();
	WRITE_ONCE(ring->hdr->write_index, pos);
	ring->write = pos;
	if (READ_ONCE(ring->hdr->pending_send_sz))
		WRITE_ONCE(ring->hdr->pending_send_sz, 0);

	/* Order the index store before looking at the reader's state. */
	virt_mb();
	if (READ_ONCE(ring->hdr->interrupt_mask))
		return;
	/* Read interrupt_mask before read_index, as hv_vmbus does. */
	virt_rmb();
	if (signal && READ_ONCE(ring->hdr->read_index) == old_write)
		*signal = true;
}

/*
 * Writer: a packet with no ranges, its descriptor @desc (built by
 * kmcl_wire_inband_desc() for @len bytes of @data) and the zero padding
 * the descriptor's len8 asks for. The same steps as kmcl_ring_write()
 * without a vector to build and walk.
 */
static __always_inline int
kmcl_ring_do_write_inband(struct kmcl_ring *ring,
			  const struct kmcl_vmpacket_desc *desc,
			  const void *data, u32 len, bool *signal)
{
	static const u64 zero;
	u32 total = (u32)desc->len8 << 3;
	u32 pos;
	int ret;

	if (signal)
		*signal = false;
	ret = kmcl_ring_do_reserve(ring, total);
	if (ret)
		return ret;
	pos = kmcl_ring_copy_to(ring, ring->write, desc, sizeof(*desc));
	if (len)
		pos = kmcl_ring_copy_to(ring, pos, data, len);
	if (total - sizeof(*desc) > len)
		pos = kmcl_ring_copy_to(ring, pos, &zero,
					total - sizeof(*desc) - len);
	kmcl_ring_do_publish(ring, pos, signal);
	return 0;
}

/* Reader: see kmcl_ring_peek(); @ring and @pktlen are not NULL. */
static __always_inline int kmcl_ring_do_peek(struct kmcl_ring *ring,
					     void *buf, u32 buflen,
					     u32 *pktlen)
{
	struct kmcl_vmpacket_desc desc;
	u32 write, avail, len;

	*pktlen = 0;
	ring->peeked = 0;

	/* Packet bytes must not be read before the index that covers them. */
	write = virt_load_acquire(&ring->hdr->write_index);
	if (!kmcl_ring_index_ok(ring, write))
		return -EBADMSG;
	avail = kmcl_ring_used(ring, write, ring->read);
	if (!avail)
		return -EAGAIN;
	if (avail < sizeof(desc) + KMCL_RING_TRAILER_SIZE)
		return -EBADMSG;

	kmcl_ring_copy_from(ring, ring->read, &desc, sizeof(desc));
	len = (u32)desc.len8 << 3;
	if (len < sizeof(desc) || len > avail - KMCL_RING_TRAILER_SIZE)
		return -EBADMSG;
	if (desc.offset8 < 2 || desc.offset8 > desc.len8)
		return -EBADMSG;

	ring->peeked = len;
	*pktlen = len;
	if (buflen < len)
		return -EMSGSIZE;
	/* The descriptor that was checked, whatever the ring holds now. */
	memcpy(buf, &desc, sizeof(desc));
	kmcl_ring_copy_from(ring,
			    kmcl_ring_advance(ring, ring->read, sizeof(desc)),
			    (u8 *)buf + sizeof(desc), len - sizeof(desc));
	return 0;
}

/* Reader: see kmcl_ring_consume(); @ring is not NULL. */
static __always_inline int kmcl_ring_do_consume(struct kmcl_ring *ring,
						u32 pktlen,
						bool *signal_writer)
{
	u32 next, freed, pending, write, room;

	if (signal_writer)
		*signal_writer = false;
	if (!pktlen || pktlen != ring->peeked)
		return -EINVAL;

	ring->peeked = 0;
	freed = pktlen + KMCL_RING_TRAILER_SIZE;
	next = kmcl_ring_advance(ring, ring->read, freed);
	ring->read = next;
	/* Finish reading the packet before the writer may reuse its bytes. */
	virt_mb();
	WRITE_ONCE(ring->hdr->read_index, next);

	if (!signal_writer ||
	    !(READ_ONCE(ring->hdr->feature_bits) &
	      KMCL_RING_FEAT_PENDING_SEND_SZ))
		return 0;
	/* The new read_index must be visible before pending_send_sz is read. */
	virt_mb();
	pending = READ_ONCE(ring->hdr->pending_send_sz);
	if (!pending)
		return 0;
	/* Read pending_send_sz before write_index. */
	virt_rmb();
	write = READ_ONCE(ring->hdr->write_index);
	if (!kmcl_ring_index_ok(ring, write))
		return 0;
	room = ring->data_size - kmcl_ring_used(ring, write, next);
	/* Signal only on the transition from "too little" to "enough". */
	if (room < freed || room - freed > pending || room <= pending)
		return 0;
	*signal_writer = true;
	return 0;
}

/* Reader: see kmcl_ring_empty(); @ring is bound. */
static __always_inline bool kmcl_ring_do_empty(const struct kmcl_ring *ring)
{
	return READ_ONCE(ring->hdr->write_index) == ring->read;
}

/* Reader: see kmcl_ring_next_type(); @ring is bound. */
static __always_inline u16 kmcl_ring_do_next_type(const struct kmcl_ring *ring)
{
	u32 write;

	/* The descriptor must not be read before the index that covers it. */
	write = virt_load_acquire(&ring->hdr->write_index);
	if (!kmcl_ring_index_ok(ring, write) || write == ring->read)
		return 0;
	/* 8-aligned and inside the data area: the field does not wrap. */
	return READ_ONCE(*(u16 *)(ring->data + ring->read));
}

/* Reader: see kmcl_ring_mask_interrupt(); @ring is bound. */
static __always_inline void kmcl_ring_do_mask(struct kmcl_ring *ring)
{
	WRITE_ONCE(ring->hdr->interrupt_mask, 1);
	/* Make the mask visible before the reader looks at the ring. */
	virt_mb();
}

/* Reader: see kmcl_ring_unmask_interrupt(); @ring is bound. */
static __always_inline bool kmcl_ring_do_unmask(struct kmcl_ring *ring)
{
	WRITE_ONCE(ring->hdr->interrupt_mask, 0);
	/* Clear the mask before sampling write_index. */
	virt_mb();
	return !kmcl_ring_do_empty(ring);
}

#endif /* _KMCL_RING_FAST_H */
