// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMBus ring buffer, in memory shared with a peer that is not trusted.
 *
 * See ring.h for the layout, who owns which field, and the locking rules.
 * Reads of the peer's fields happen once per decision, into a local, which
 * is checked before it steers any memory access. Packet bytes are copied
 * out of the ring before anything looks at them.
 *
 * Ordering, the same as hv_vmbus uses with Hyper-V:
 * - writer: packet bytes, full barrier, write_index; then full barrier,
 *   interrupt_mask, read barrier, read_index to decide on a signal;
 * - reader: write_index with acquire, then packet bytes; full barrier,
 *   read_index; then full barrier, pending_send_sz, read barrier,
 *   write_index to decide on a signal.
 */

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/barrier.h>

#include "core_compat.h"
#include "ring_fast.h"

static int kmcl_ring_bind(struct kmcl_ring *ring, void *mem, u32 total_size)
{
	if (!ring)
		return -EINVAL;
	memset(ring, 0, sizeof(*ring));
	if (!mem || !IS_ALIGNED((unsigned long)mem, 8))
		return -EINVAL;
	if (total_size < 2 * KMCL_RING_HDR_SIZE ||
	    total_size > KMCL_RING_MAX_SIZE ||
	    !IS_ALIGNED(total_size, KMCL_WIRE_PAGE_SIZE))
		return -EINVAL;

	ring->hdr = mem;
	ring->data = (u8 *)mem + KMCL_RING_HDR_SIZE;
	ring->data_size = total_size - KMCL_RING_HDR_SIZE;
	return 0;
}

/**
 * kmcl_ring_init() - set up a new, empty ring
 * @ring: this end's view, filled in.
 * @mem: the ring memory: control page then data area, at least 8-byte
 *	aligned. Only the control page is written.
 * @total_size: size of @mem in bytes: a multiple of 4096, at least two
 *	pages, at most KMCL_RING_MAX_SIZE.
 *
 * Resets the control page: both indexes 0, interrupts unmasked, no
 * pending send, feature bit KMCL_RING_FEAT_PENDING_SEND_SZ set. Call it
 * before the peer can see @mem.
 *
 * Return: 0, or -EINVAL for a bad size or pointer (@ring is then unusable).
 */
int kmcl_ring_init(struct kmcl_ring *ring, void *mem, u32 total_size)
{
	int ret = kmcl_ring_bind(ring, mem, total_size);

	if (ret)
		return ret;
	memset(ring->hdr, 0, sizeof(*ring->hdr));
	ring->hdr->feature_bits = KMCL_RING_FEAT_PENDING_SEND_SZ;
	return 0;
}
EXPORT_SYMBOL_KMCL(kmcl_ring_init);

/**
 * kmcl_ring_attach() - take a view of a ring another party set up
 * @ring: this end's view, filled in.
 * @mem: the ring memory, as for kmcl_ring_init().
 * @total_size: its size, as for kmcl_ring_init().
 *
 * Writes nothing to @mem. The private indexes start at the shared ones,
 * so attach while the side this view will play is idle.
 *
 * Return: 0; -EINVAL for a bad size or pointer; -EBADMSG if an index in
 * the control page is out of range or unaligned. On failure @ring is
 * unusable.
 */
int kmcl_ring_attach(struct kmcl_ring *ring, void *mem, u32 total_size)
{
	u32 write, read;
	int ret;

	ret = kmcl_ring_bind(ring, mem, total_size);
	if (ret)
		return ret;
	write = READ_ONCE(ring->hdr->write_index);
	read = READ_ONCE(ring->hdr->read_index);
	if (!kmcl_ring_index_ok(ring, write) ||
	    !kmcl_ring_index_ok(ring, read)) {
		memset(ring, 0, sizeof(*ring));
		return -EBADMSG;
	}
	ring->write = write;
	ring->read = read;
	return 0;
}
EXPORT_SYMBOL_KMCL(kmcl_ring_attach);

/* Sum and check the packet in @vec; returns its length or an errno. */
static int kmcl_ring_check_packet(const struct kvec *vec, unsigned int nvec,
				  u32 *total)
{
	const struct kmcl_vmpacket_desc *desc;
	u32 len = 0;
	unsigned int i;

	if (!vec || !nvec)
		return -EINVAL;
	for (i = 0; i < nvec; i++) {
		if (!vec[i].iov_base && vec[i].iov_len)
			return -EINVAL;
		if (vec[i].iov_len > KMCL_WIRE_MAX_PKT_LEN - len)
			return -EMSGSIZE;
		len += vec[i].iov_len;
	}
	if (vec[0].iov_len < sizeof(*desc) || !IS_ALIGNED(len, 8))
		return -EINVAL;

	desc = vec[0].iov_base;
	if (((u32)desc->len8 << 3) != len || desc->offset8 < 2 ||
	    desc->offset8 > desc->len8)
		return -EINVAL;
	*total = len;
	return 0;
}

/**
 * kmcl_ring_write() - write one packet into the ring (writer side)
 * @ring: the ring.
 * @vec: the packet in pieces; @vec[0] starts with the descriptor
 *	(struct kmcl_vmpacket_desc, at least 16 bytes in @vec[0]).
 * @nvec: number of pieces, at least 1.
 * @signal: if not NULL, set to true when the reader must be signalled:
 *	its interrupt_mask is clear and the ring was empty before this
 *	packet. Always false on failure.
 *
 * The pieces together must be len8 * 8 bytes of the descriptor, a multiple
 * of 8, and offset8 must lie between 2 and len8. The packet and its
 * trailer are copied in (wrapping at the end of the data area) and only
 * then is write_index published. On success a nonzero pending_send_sz is
 * cleared. Caller holds the ring's writer lock.
 *
 * Return: 0; -EINVAL for a malformed packet or arguments; -EMSGSIZE if the
 * packet is longer than kmcl_ring_max_pktlen() and can never fit; -EAGAIN
 * if there is no room now (see kmcl_ring_set_pending_send()); -EBADMSG if
 * the peer's read_index is out of range or unaligned.
 */
int kmcl_ring_write(struct kmcl_ring *ring, const struct kvec *vec,
		    unsigned int nvec, bool *signal)
{
	u32 total, pos;
	unsigned int i;
	int ret;

	if (signal)
		*signal = false;
	if (!ring || !ring->hdr)
		return -EINVAL;
	ret = kmcl_ring_check_packet(vec, nvec, &total);
	if (ret)
		return ret;
	ret = kmcl_ring_do_reserve(ring, total);
	if (ret)
		return ret;

	pos = ring->write;
	for (i = 0; i < nvec; i++)
		if (vec[i].iov_len)
			pos = kmcl_ring_copy_to(ring, pos, vec[i].iov_base,
						vec[i].iov_len);
	kmcl_ring_do_publish(ring, pos, signal);
	return 0;
}
EXPORT_SYMBOL_KMCL(kmcl_ring_write);

/**
 * kmcl_ring_write_inband() - write a packet without ranges (writer side)
 * @ring: the ring.
 * @desc: its descriptor, as kmcl_wire_inband_desc() fills it for @len
 *	bytes of in-band data or completion payload.
 * @data: the @len payload bytes; may be NULL when @len is 0.
 * @len: payload bytes.
 * @signal: as for kmcl_ring_write().
 *
 * The same as kmcl_ring_write() of the descriptor, the payload and the
 * zero bytes that pad it to len8 * 8, without the vector: the channel's
 * data path writes each in-band packet and completion this way (inline,
 * see ring_fast.h). Caller holds the ring's writer lock.
 *
 * Return: as kmcl_ring_write(); -EINVAL also for a descriptor of another
 * type, or one whose offset8 or len8 does not describe @len bytes.
 */
int kmcl_ring_write_inband(struct kmcl_ring *ring,
			   const struct kmcl_vmpacket_desc *desc,
			   const void *data, u32 len, bool *signal)
{
	if (signal)
		*signal = false;
	if (!ring || !ring->hdr || !desc || (!data && len))
		return -EINVAL;
	if ((desc->type != KMCL_PKT_DATA_INBAND &&
	     desc->type != KMCL_PKT_COMP) ||
	    desc->offset8 != sizeof(*desc) / 8 ||
	    (u64)desc->len8 * 8 != round_up((u64)sizeof(*desc) + len, 8))
		return -EINVAL;
	return kmcl_ring_do_write_inband(ring, desc, data, len, signal);
}
EXPORT_SYMBOL_KMCL(kmcl_ring_write_inband);

/**
 * kmcl_ring_avail_write() - free bytes in the ring (writer side)
 * @ring: the ring.
 *
 * A packet of length L fits when this is greater than L +
 * KMCL_RING_TRAILER_SIZE.
 *
 * Return: data_size minus the bytes not yet read, or 0 if the peer's
 * read_index is invalid.
 */
u32 kmcl_ring_avail_write(const struct kmcl_ring *ring)
{
	u32 read;

	if (!ring || !ring->hdr)
		return 0;
	read = READ_ONCE(ring->hdr->read_index);
	if (!kmcl_ring_index_ok(ring, read))
		return 0;
	return ring->data_size - kmcl_ring_used(ring, ring->write, read);
}
EXPORT_SYMBOL_KMCL(kmcl_ring_avail_write);

/**
 * kmcl_ring_set_pending_send() - ask the reader for a signal when room frees
 * @ring: the ring.
 * @pktlen: length of the packet kmcl_ring_write() refused with -EAGAIN
 *	(the trailer is added here), or 0 to withdraw the request.
 *
 * Stores @pktlen + KMCL_RING_TRAILER_SIZE in pending_send_sz. The reader
 * (kmcl_ring_consume() on the other end) signals the writer when a read
 * makes more than that many bytes free. Because the reader may have freed
 * the room just before the request became visible, this re-checks after a
 * full barrier: on true, retry the write now instead of waiting. A
 * successful kmcl_ring_write() clears the request. Writer side.
 *
 * Return: true if the packet fits now (always for @pktlen 0), false if
 * the writer should wait for the signal.
 */
bool kmcl_ring_set_pending_send(struct kmcl_ring *ring, u32 pktlen)
{
	u32 need;

	if (!ring || !ring->hdr)
		return false;
	if (!pktlen) {
		WRITE_ONCE(ring->hdr->pending_send_sz, 0);
		return true;
	}
	need = min(pktlen, ring->data_size) + KMCL_RING_TRAILER_SIZE;
	WRITE_ONCE(ring->hdr->pending_send_sz, need);
	/* Publish the request before sampling read_index again. */
	virt_mb();
	return kmcl_ring_avail_write(ring) > need;
}
EXPORT_SYMBOL_KMCL(kmcl_ring_set_pending_send);

/**
 * kmcl_ring_peek() - copy out the next packet without consuming it (reader side)
 * @ring: the ring.
 * @buf: where the packet (descriptor and data, no trailer) is copied.
 * @buflen: size of @buf.
 * @pktlen: receives the packet length: on success, and on -EMSGSIZE the
 *	size @buf needs; 0 otherwise.
 *
 * Reads the peer's write_index once and checks it (in range, 8-aligned);
 * copies the descriptor out and checks len8 (at least a descriptor, and
 * the packet plus its trailer within the bytes written) and offset8
 * (between 2 and len8); then copies the whole packet out. The descriptor
 * in @buf is the one that was checked, even if the peer changed the ring
 * meanwhile. The data is not interpreted: run kmcl_wire_parse() on @buf.
 * The read index does not move; call kmcl_ring_consume() with *@pktlen.
 *
 * Return: 0; -EAGAIN if the ring is empty; -EMSGSIZE if @buflen is too
 * small (the packet may still be skipped with kmcl_ring_consume());
 * -EBADMSG if the ring content is corrupt: the channel must stop;
 * -EINVAL for bad arguments.
 */
int kmcl_ring_peek(struct kmcl_ring *ring, void *buf, u32 buflen,
		   u32 *pktlen)
{
	if (pktlen)
		*pktlen = 0;
	if (!ring || !ring->hdr || !pktlen || (!buf && buflen))
		return -EINVAL;
	return kmcl_ring_do_peek(ring, buf, buflen, pktlen);
}
EXPORT_SYMBOL_KMCL(kmcl_ring_peek);

/**
 * kmcl_ring_consume() - release the packet kmcl_ring_peek() found (reader side)
 * @ring: the ring.
 * @pktlen: the length kmcl_ring_peek() reported (after 0 or -EMSGSIZE).
 * @signal_writer: if not NULL, set to true when the writer must be
 *	signalled: the ring's feature bits say the writer uses
 *	pending_send_sz, it is set, and this read moved the free space from
 *	at most pending_send_sz to more than it. Always false on failure.
 *
 * Publishes the read index past the packet and its trailer.
 *
 * Return: 0, or -EINVAL if @pktlen is not the length of a packet the last
 * kmcl_ring_peek() validated (nothing is consumed then).
 */
int kmcl_ring_consume(struct kmcl_ring *ring, u32 pktlen,
		      bool *signal_writer)
{
	if (signal_writer)
		*signal_writer = false;
	if (!ring || !ring->hdr)
		return -EINVAL;
	return kmcl_ring_do_consume(ring, pktlen, signal_writer);
}
EXPORT_SYMBOL_KMCL(kmcl_ring_consume);

/**
 * kmcl_ring_avail_read() - bytes written and not yet consumed (reader side)
 * @ring: the ring.
 *
 * Return: the bytes between the read index and the peer's write_index,
 * trailers included; 0 if the ring is empty or write_index is invalid
 * (kmcl_ring_peek() tells the two apart).
 */
u32 kmcl_ring_avail_read(const struct kmcl_ring *ring)
{
	u32 write;

	if (!ring || !ring->hdr)
		return 0;
	write = READ_ONCE(ring->hdr->write_index);
	if (!kmcl_ring_index_ok(ring, write))
		return 0;
	return kmcl_ring_used(ring, write, ring->read);
}
EXPORT_SYMBOL_KMCL(kmcl_ring_avail_read);

/**
 * kmcl_ring_empty() - is there nothing to read (reader side)
 * @ring: the ring.
 *
 * Return: true if write_index equals the read index. A corrupt write_index
 * counts as not empty, so that the next kmcl_ring_peek() reports it.
 */
bool kmcl_ring_empty(const struct kmcl_ring *ring)
{
	if (!ring || !ring->hdr)
		return true;
	return kmcl_ring_do_empty(ring);
}
EXPORT_SYMBOL_KMCL(kmcl_ring_empty);

/**
 * kmcl_ring_next_type() - the type of the next packet, as a hint (reader side)
 * @ring: the ring.
 *
 * Reads the type field of the next packet's descriptor once, unchecked:
 * only kmcl_ring_peek() validates a packet, and a caller that acted on
 * this hint must check that the packet it peeked has that type.
 *
 * Return: the type, or 0 if the ring is empty or write_index is invalid.
 */
u16 kmcl_ring_next_type(const struct kmcl_ring *ring)
{
	if (!ring || !ring->hdr)
		return 0;
	return kmcl_ring_do_next_type(ring);
}
EXPORT_SYMBOL_KMCL(kmcl_ring_next_type);

/**
 * kmcl_ring_mask_interrupt() - tell the writer not to signal (reader side)
 * @ring: the ring.
 *
 * Set while the reader drains the ring, so each packet does not cost a
 * signal.
 */
void kmcl_ring_mask_interrupt(struct kmcl_ring *ring)
{
	if (ring && ring->hdr)
		kmcl_ring_do_mask(ring);
}
EXPORT_SYMBOL_KMCL(kmcl_ring_mask_interrupt);

/**
 * kmcl_ring_unmask_interrupt() - let the writer signal again (reader side)
 * @ring: the ring.
 *
 * A packet written while the mask was set raised no signal, and none will
 * come for it, so this looks at the ring again after clearing the mask.
 *
 * Return: true if the ring is not empty (or is corrupt): the reader must
 * go on reading instead of waiting for a signal.
 */
bool kmcl_ring_unmask_interrupt(struct kmcl_ring *ring)
{
	if (!ring || !ring->hdr)
		return false;
	return kmcl_ring_do_unmask(ring);
}
EXPORT_SYMBOL_KMCL(kmcl_ring_unmask_interrupt);
