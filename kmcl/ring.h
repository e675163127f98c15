/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMBus ring buffer: one direction of a channel, in memory shared between
 * a writer and a reader that do not trust each other.
 *
 * Layout (the same as hv_vmbus's struct hv_ring_buffer with 4 KiB pages):
 * one 4 KiB control page (struct kmcl_ring_hdr), then the data area, a
 * multiple of 4 KiB. write_index and read_index are byte offsets into the
 * data area, always multiples of 8. Each packet is stored as its bytes
 * (descriptor and data, a multiple of 8) followed by an 8-byte trailer
 * whose upper 32 bits hold the write_index at which the packet starts.
 * Packets wrap around the end of the data area. The writer never fills
 * the ring completely, so read_index == write_index always means empty.
 *
 * Ownership: the writer owns write_index and pending_send_sz, the reader
 * owns read_index and interrupt_mask. Each side keeps a private copy of
 * the index it owns and never trusts the shared one; the peer's index is
 * read once per operation and checked (in range, 8-aligned) before use.
 *
 * Locking: none inside. The caller serialises all writer-side calls of a
 * ring (one writer lock per ring) and all reader-side calls (one reader
 * context per ring). Writer-side: kmcl_ring_write(),
 * kmcl_ring_write_inband(), kmcl_ring_set_pending_send(),
 * kmcl_ring_avail_write(). Reader-side:
 * kmcl_ring_peek(), kmcl_ring_consume(), kmcl_ring_avail_read(),
 * kmcl_ring_empty(), kmcl_ring_next_type(), kmcl_ring_mask_interrupt(),
 * kmcl_ring_unmask_interrupt(). One struct kmcl_ring may serve both sides
 * (its writer and reader state are separate fields), or each side may have
 * its own, set up with kmcl_ring_init() by whoever creates the ring and
 * kmcl_ring_attach() by the other. Nothing here sleeps or allocates, so
 * every function may run in any context.
 */
#ifndef _KMCL_RING_H
#define _KMCL_RING_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/uio.h>

#include "wire.h"

/* Size of the control page in front of the data area. */
#define KMCL_RING_HDR_SIZE	KMCL_WIRE_PAGE_SIZE
/* Bytes that follow every packet in the ring. */
#define KMCL_RING_TRAILER_SIZE	8
/* Largest ring kmcl_ring_init() accepts, control page included. */
#define KMCL_RING_MAX_SIZE	(256U << 20)
/* feature_bits: the writer sets pending_send_sz when it waits for room. */
#define KMCL_RING_FEAT_PENDING_SEND_SZ	0x1U

/**
 * struct kmcl_ring_hdr - the shared control page of a ring
 * @write_index: where the writer will put the next packet.
 * @read_index: where the reader will read the next packet.
 * @interrupt_mask: nonzero while the reader does not want to be signalled.
 * @pending_send_sz: nonzero when the writer waits until more than this
 *	many bytes are free.
 * @reserved1: zero.
 * @feature_bits: KMCL_RING_FEAT_* bits.
 * @reserved2: pads the page.
 */
struct kmcl_ring_hdr {
	u32 write_index;
	u32 read_index;
	u32 interrupt_mask;
	u32 pending_send_sz;
	u32 reserved1[12];
	u32 feature_bits;
	u8 reserved2[KMCL_RING_HDR_SIZE - 68];
};

static_assert(sizeof(struct kmcl_ring_hdr) == KMCL_RING_HDR_SIZE);
static_assert(offsetof(struct kmcl_ring_hdr, read_index) == 4);
static_assert(offsetof(struct kmcl_ring_hdr, interrupt_mask) == 8);
static_assert(offsetof(struct kmcl_ring_hdr, pending_send_sz) == 12);
static_assert(offsetof(struct kmcl_ring_hdr, reserved1) == 16);
static_assert(offsetof(struct kmcl_ring_hdr, feature_bits) == 64);
static_assert(offsetof(struct kmcl_ring_hdr, reserved2) == 68);

/**
 * struct kmcl_ring - one end's view of a shared ring
 * @hdr: the shared control page.
 * @data: the shared data area.
 * @data_size: size of @data in bytes.
 * @write: writer's own copy of write_index.
 * @read: reader's own copy of read_index.
 * @peeked: length of the packet the last kmcl_ring_peek() validated and
 *	kmcl_ring_consume() may skip, 0 if none.
 *
 * Private to the side(s) using it; only @hdr and @data are shared.
 */
struct kmcl_ring {
	struct kmcl_ring_hdr *hdr;
	u8 *data;
	u32 data_size;
	u32 write;
	u32 read;
	u32 peeked;
};

/**
 * kmcl_ring_max_pktlen() - longest packet the ring can ever hold
 * @ring: an initialised ring.
 *
 * Return: the largest packet length (descriptor and data, without the
 * trailer) that kmcl_ring_write() does not refuse with -EMSGSIZE.
 */
static inline u32 kmcl_ring_max_pktlen(const struct kmcl_ring *ring)
{
	return ring->data_size - 2 * KMCL_RING_TRAILER_SIZE;
}

int kmcl_ring_init(struct kmcl_ring *ring, void *mem, u32 total_size);
int kmcl_ring_attach(struct kmcl_ring *ring, void *mem, u32 total_size);

int kmcl_ring_write(struct kmcl_ring *ring, const struct kvec *vec,
		    unsigned int nvec, bool *signal);
int kmcl_ring_write_inband(struct kmcl_ring *ring,
			   const struct kmcl_vmpacket_desc *desc,
			   const void *data, u32 len, bool *signal);
bool kmcl_ring_set_pending_send(struct kmcl_ring *ring, u32 pktlen);
u32 kmcl_ring_avail_write(const struct kmcl_ring *ring);

int kmcl_ring_peek(struct kmcl_ring *ring, void *buf, u32 buflen,
		   u32 *pktlen);
int kmcl_ring_consume(struct kmcl_ring *ring, u32 pktlen,
		      bool *signal_writer);
u32 kmcl_ring_avail_read(const struct kmcl_ring *ring);
bool kmcl_ring_empty(const struct kmcl_ring *ring);
u16 kmcl_ring_next_type(const struct kmcl_ring *ring);
void kmcl_ring_mask_interrupt(struct kmcl_ring *ring);
bool kmcl_ring_unmask_interrupt(struct kmcl_ring *ring);

#endif /* _KMCL_RING_H */
