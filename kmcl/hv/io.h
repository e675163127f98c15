/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmcl_hv I/O on one open VMBus channel: open and close, sends (in-band,
 * completions, GPA-direct), the reader (mask, peek, consume, unmask) and
 * the channel's MMIO range, on top of struct kmcl_hv_ops. This is the
 * part of the hv transport that does not depend on the KMCL core: the
 * core's packet code drives it through the ring ops proposed in
 * HV-SEAM.md, whose contracts it follows (see each function).
 *
 * Rules it enforces, from hv_vmbus's behaviour:
 * - The channel is opened in HV_CALL_DIRECT mode (callbacks in the
 *   channel's tasklet, never HV_CALL_BATCHED: the reader may leave packets
 *   in the ring), with hv_vmbus's request-id table off, so transaction ids
 *   go on the wire verbatim.
 * - max_pkt_size (5.14+) is set above the longest packet the caller
 *   accepts, so a copy that reaches it was truncated by hv_vmbus (the ring
 *   is then out of step) and is refused, never parsed or stepped over.
 * - Every incoming packet is copied into the caller's buffer before the
 *   caller looks at it; its descriptor is read once, and the iterator is
 *   stepped with that copy, never with what the ring says later (before
 *   5.14 the iterator points into the shared ring). A length beyond what
 *   the host wrote is refused (5.14+ hv_vmbus would substitute the
 *   available length).
 * - A packet that can never fit in the outgoing ring is refused up front
 *   (hv_vmbus would say -EAGAIN for ever); ids 0 and the top four u64
 *   values are never sent with a completion request.
 *
 * Context: open/close/MMIO: process context. Sends: any context but hard
 * IRQ; the caller serialises them per channel (they share the GPA-direct
 * scratch buffer and the pending-send state). Reader calls: one reader
 * context per channel at a time.
 */
#ifndef _KMCL_HV_IO_H
#define _KMCL_HV_IO_H

#include <linux/ioport.h>
#include <linux/types.h>

#include "hv_ops.h"

/* Bytes after each packet in a ring. */
#define KMCL_HV_TRAILER		8U
/* Longest packet a descriptor's 16-bit len8 describes. */
#define KMCL_HV_MAX_PKTLEN	(0xffffU << 3)
/* Size of the GPA-direct header before the first range. */
#define KMCL_HV_MPB_HDR		offsetof(struct vmbus_packet_mpb_array, range)
/* Alignment of a channel's MMIO range (what hyperv_fb/hyperv_drm use). */
#define KMCL_HV_MMIO_ALIGN	0x100000U

/**
 * struct kmcl_hv_io_params - how to open a channel
 * @send_bytes: outgoing ring, control page included, a PAGE_SIZE multiple.
 * @recv_bytes: incoming ring, likewise.
 * @max_in_pkt: longest incoming packet (descriptor and headers included)
 *	the caller accepts.
 * @mpb_bytes: room for GPA-direct ranges (range headers and PFNs) of one
 *	packet, 0 if the caller never sends GPA-direct packets.
 * @callback: the channel callback (the channel's tasklet).
 * @ctx: its argument.
 */
struct kmcl_hv_io_params {
	u32 send_bytes;
	u32 recv_bytes;
	u32 max_in_pkt;
	u32 mpb_bytes;
	void (*callback)(void *ctx);
	void *ctx;
};

/**
 * struct kmcl_hv_io - I/O state of one open channel
 * @ops: the way to hv_vmbus.
 * @c: the channel.
 * @copy_limit: max_pkt_size set at open, 0 where the kernel does not copy.
 * @max_ranges: GPA ranges one packet may carry on this kernel.
 * @cur: the packet at the reader's position, from the iterator: a copy
 *	(5.14+) or shared ring memory the host may rewrite (before); reader.
 * @cur_desc: the descriptor of @cur as read once, its length checked:
 *	what the iterator is stepped past with; reader.
 * @cur_len: that length, 0 while @cur failed the checks; reader.
 * @pending: pending_send_sz is set; sender.
 * @mpb: GPA-direct descriptor scratch; sender.
 * @mpb_size: its size.
 */
struct kmcl_hv_io {
	const struct kmcl_hv_ops *ops;
	struct vmbus_channel *c;
	u32 copy_limit;
	u32 max_ranges;
	const struct vmpacket_descriptor *cur;
	struct vmpacket_descriptor cur_desc;
	u32 cur_len;
	bool pending;
	struct vmbus_packet_mpb_array *mpb;
	u32 mpb_size;
};

u32 kmcl_hv_ring_bytes(u32 pages);
int kmcl_hv_io_open(struct kmcl_hv_io *io, const struct kmcl_hv_ops *ops,
		    struct vmbus_channel *c, const struct kmcl_hv_io_params *p);
void kmcl_hv_io_close(struct kmcl_hv_io *io);

int kmcl_hv_io_send(struct kmcl_hv_io *io, u16 type, u16 flags, u64 tid,
		    const void *data, u32 len);
int kmcl_hv_io_send_gpa(struct kmcl_hv_io *io, u64 tid, const void *ranges,
			u32 range_count, u32 ranges_len, const void *data,
			u32 len);
bool kmcl_hv_io_want_room(struct kmcl_hv_io *io, u32 pktlen);

void kmcl_hv_io_mask(struct kmcl_hv_io *io);
int kmcl_hv_io_peek(struct kmcl_hv_io *io, void *buf, u32 buflen,
		    u32 *pktlen);
int kmcl_hv_io_consume(struct kmcl_hv_io *io, u32 pktlen);
bool kmcl_hv_io_unmask(struct kmcl_hv_io *io);

int kmcl_hv_mmio_alloc(const struct kmcl_hv_ops *ops, struct hv_device *hdev,
		       struct resource **res);
void kmcl_hv_mmio_free(const struct kmcl_hv_ops *ops, struct resource *res);

#endif /* _KMCL_HV_IO_H */
