// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_hv I/O on one open VMBus channel; see io.h for the rules.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "io.h"

/**
 * kmcl_hv_ring_bytes() - ring size for a KMCL ring page count
 * @pages: 4 KiB pages, control page included (KMCL's count), at least 2.
 *
 * Return: the size in bytes for vmbus_open(), rounded up to PAGE_SIZE
 * (larger on kernels with bigger pages), or 0 if @pages is below 2.
 */
u32 kmcl_hv_ring_bytes(u32 pages)
{
	if (pages < 2)
		return 0;
	return PAGE_ALIGN((u64)pages * HV_HYP_PAGE_SIZE);
}

/**
 * kmcl_hv_io_open() - open a VMBus channel for KMCL
 * @io: I/O state, filled here.
 * @ops: the way to hv_vmbus.
 * @c: the channel of the bound device (not open).
 * @p: sizes and callback.
 *
 * Sets the channel up (HV_CALL_DIRECT, request ids off, max_pkt_size),
 * then vmbus_open(). Sleeps until the host answers (a rescind wakes it).
 *
 * Return: 0; -EINVAL for bad sizes; -ENOMEM; or vmbus_open()'s error
 * (-ENODEV rescinded, -EAGAIN the host refused, -EDQUOT, -EINVAL).
 */
int kmcl_hv_io_open(struct kmcl_hv_io *io, const struct kmcl_hv_ops *ops,
		    struct vmbus_channel *c, const struct kmcl_hv_io_params *p)
{
	u32 max_pkt;
	int ret;

	might_sleep();
	memset(io, 0, sizeof(*io));
	io->ops = ops;
	io->c = c;
	if (!p->send_bytes || !p->recv_bytes || p->send_bytes % PAGE_SIZE ||
	    p->recv_bytes % PAGE_SIZE || p->max_in_pkt > KMCL_HV_MAX_PKTLEN)
		return -EINVAL;

	/* One more unit than anything accepted: reaching it means "cut". */
	max_pkt = max_t(u32, round_up(p->max_in_pkt, 8) + 8,
			KMCL_HV_DEFAULT_MAX_PKT_SIZE);
	io->copy_limit = kmcl_hv_set_max_pkt_size(c, max_pkt) ? max_pkt : 0;
	kmcl_hv_requestor_off(c);
	set_channel_read_mode(c, HV_CALL_DIRECT);
	io->max_ranges = KMCL_HV_MPB_MAX_RANGES;
	if (p->mpb_bytes) {
		io->mpb_size = KMCL_HV_MPB_HDR + round_up(p->mpb_bytes, 8);
		io->mpb = kzalloc(io->mpb_size, GFP_KERNEL);
		if (!io->mpb)
			return -ENOMEM;
	}
	ret = ops->open(c, p->send_bytes, p->recv_bytes, NULL, 0, p->callback,
			p->ctx);
	if (ret) {
		kfree(io->mpb);
		io->mpb = NULL;
	}
	return ret;
}

/**
 * kmcl_hv_io_close() - close the channel
 * @io: an open channel's state.
 *
 * vmbus_close(): no callback runs afterwards and the rings are gone.
 * Process context, never from the channel callback.
 */
void kmcl_hv_io_close(struct kmcl_hv_io *io)
{
	might_sleep();
	io->ops->close(io->c);
	io->cur = NULL;
	io->pending = false;
	kfree(io->mpb);
	io->mpb = NULL;
}

/* Will a packet of @pktlen bytes ever fit in the outgoing ring? */
static bool kmcl_hv_io_fits(struct kmcl_hv_io *io, u64 pktlen)
{
	return pktlen <= KMCL_HV_MAX_PKTLEN &&
	       pktlen + KMCL_HV_TRAILER < io->c->outbound.ring_datasize;
}

/* After a send: map hv_vmbus's result, stop asking for room once sent. */
static int kmcl_hv_io_sent(struct kmcl_hv_io *io, int ret)
{
	if (ret == -EIO)	/* 6.12.y: ring indices out of range */
		return -EBADMSG;
	if (!ret && io->pending) {
		io->ops->set_pending_send_size(io->c, 0);
		io->pending = false;
	}
	return ret;
}

/**
 * kmcl_hv_io_send() - write an in-band packet or a completion
 * @io: an open channel's state.
 * @type: VM_PKT_DATA_INBAND or VM_PKT_COMP.
 * @flags: VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED or 0 (0 for
 *	completions).
 * @tid: transaction id, sent verbatim; usable (kmcl_hv_txid_usable()) when
 *	a completion is requested; the peer's id for a completion.
 * @data: payload.
 * @len: its length.
 *
 * Return: 0; -EAGAIN ring full, nothing written (kmcl_hv_io_want_room());
 * -EMSGSIZE can never fit; -ENODEV rescinded; -EBADMSG ring corrupt;
 * -EINVAL bad type, flags or id.
 */
int kmcl_hv_io_send(struct kmcl_hv_io *io, u16 type, u16 flags, u64 tid,
		    const void *data, u32 len)
{
	const u16 creq = VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;

	if ((type != VM_PKT_DATA_INBAND && type != VM_PKT_COMP) ||
	    (flags & ~creq) || (type == VM_PKT_COMP && flags) ||
	    ((flags & creq) && !kmcl_hv_txid_usable(tid)))
		return -EINVAL;
	if (!kmcl_hv_io_fits(io, sizeof(struct vmpacket_descriptor) +
			     round_up((u64)len, 8)))
		return -EMSGSIZE;
	return kmcl_hv_io_sent(io, io->ops->sendpacket(io->c, (void *)data, len,
						       tid, type, flags));
}

/**
 * kmcl_hv_io_send_gpa() - write a GPA-direct packet
 * @io: an open channel's state, opened with room for the ranges.
 * @tid: transaction id (usable: the host always completes these).
 * @ranges: @range_count ranges back to back, each a byte count, a byte
 *	offset in its first page and the Hyper-V PFNs it spans (the layout
 *	of struct hv_mpb_array).
 * @range_count: number of ranges, at least 1.
 * @ranges_len: their size in bytes, a multiple of 8.
 * @data: in-band payload.
 * @len: its length.
 *
 * hv_vmbus always requests a completion for these packets.
 *
 * Return: as kmcl_hv_io_send(); -EOPNOTSUPP for more ranges than this
 * kernel carries in one packet.
 */
int kmcl_hv_io_send_gpa(struct kmcl_hv_io *io, u64 tid, const void *ranges,
			u32 range_count, u32 ranges_len, const void *data,
			u32 len)
{
	struct vmbus_packet_mpb_array *d = io->mpb;
	u32 desc_size;

	if (!kmcl_hv_txid_usable(tid) || !range_count || !ranges ||
	    ranges_len % 8 || ranges_len < sizeof(struct hv_mpb_array))
		return -EINVAL;
	if (range_count > io->max_ranges)
		return -EOPNOTSUPP;
	if (!d || ranges_len > io->mpb_size - KMCL_HV_MPB_HDR)
		return -EMSGSIZE;
	desc_size = KMCL_HV_MPB_HDR + ranges_len;
	if (!kmcl_hv_io_fits(io, desc_size + round_up((u64)len, 8)))
		return -EMSGSIZE;
	memset(d, 0, KMCL_HV_MPB_HDR);
	d->rangecount = range_count;
	memcpy(&d->range, ranges, ranges_len);
	return kmcl_hv_io_sent(io, io->ops->sendpacket_mpb_desc(io->c, d,
								desc_size,
								(void *)data,
								len, tid));
}

/**
 * kmcl_hv_io_want_room() - ask the host to signal when a packet fits
 * @io: an open channel's state.
 * @pktlen: the packet's length without the ring trailer.
 *
 * Return: true if it fits already (write it now; nothing will signal).
 */
bool kmcl_hv_io_want_room(struct kmcl_hv_io *io, u32 pktlen)
{
	u32 need = pktlen + KMCL_HV_TRAILER;

	io->ops->set_pending_send_size(io->c, need);
	io->pending = true;
	/* Publish the request before looking at the host's read index. */
	smp_mb();
	return io->ops->bytes_to_write(io->c) > need;
}

/**
 * kmcl_hv_io_mask() - start a reader batch: no interrupts meanwhile
 * @io: an open channel's state.
 */
void kmcl_hv_io_mask(struct kmcl_hv_io *io)
{
	io->ops->begin_read(io->c);
}

/* Bytes the host wrote after the read position (the packet's own included). */
static u32 kmcl_hv_io_avail(const struct vmbus_channel *c)
{
	const struct hv_ring_buffer_info *rbi = &c->inbound;
	u32 rd = rbi->priv_read_index;
	u32 wr = READ_ONCE(rbi->ring_buffer->write_index);

	if (wr >= rbi->ring_datasize || rd >= rbi->ring_datasize)
		return 0;
	return wr >= rd ? wr - rd : rbi->ring_datasize - rd + wr;
}

/**
 * kmcl_hv_io_peek() - copy the next incoming packet
 * @io: an open channel's state.
 * @buf: receives the packet, descriptor included, as on the wire.
 * @buflen: size of @buf.
 * @pktlen: receives the packet's length.
 *
 * The descriptor is read once; a packet hv_vmbus cut to max_pkt_size, or
 * whose length (with its trailer) is more than the host wrote, is refused:
 * the ring cannot be trusted past it.
 *
 * Return: 0; -EAGAIN nothing to read; -EMSGSIZE longer than @buflen (left
 * in place, may be consumed); -EIO the ring cannot be read on.
 */
int kmcl_hv_io_peek(struct kmcl_hv_io *io, void *buf, u32 buflen,
		    u32 *pktlen)
{
	const struct vmpacket_descriptor *d = io->cur;
	u32 len, limit;

	if (!d)
		d = io->ops->pkt_iter_first(io->c);
	io->cur = d;
	io->cur_len = 0;
	if (!d)
		return -EAGAIN;
	/* Once: before 5.14 @d is in the ring, which the host may rewrite. */
	memcpy(&io->cur_desc, d, sizeof(io->cur_desc));
	barrier();
	len = (u32)io->cur_desc.len8 << 3;
	limit = kmcl_hv_inbound_copy_limit(io->c);
	*pktlen = len;
	if (len < sizeof(*d) || len > limit ||
	    (u64)len + KMCL_HV_TRAILER > kmcl_hv_io_avail(io->c) ||
	    (io->copy_limit && len >= io->copy_limit))
		return -EIO;
	io->cur_len = len;
	if (len > buflen)
		return -EMSGSIZE;
	memcpy(buf, d, len);
	/* The copy says what was checked, whatever the ring says now. */
	memcpy(buf, &io->cur_desc, sizeof(io->cur_desc));
	return 0;
}

/**
 * kmcl_hv_io_consume() - step past the packet kmcl_hv_io_peek() saw
 * @io: an open channel's state.
 * @pktlen: the length peek reported.
 *
 * Return: 0, or -EINVAL if there is no such packet.
 */
int kmcl_hv_io_consume(struct kmcl_hv_io *io, u32 pktlen)
{
	if (!io->cur || !io->cur_len || io->cur_len != pktlen)
		return -EINVAL;
	/*
	 * Step by the length peek checked: the iterator reads the length
	 * from the descriptor it is given. Publishes the read position
	 * itself when the ring runs empty.
	 */
	io->cur_len = 0;
	io->cur = io->ops->pkt_iter_next(io->c, &io->cur_desc);
	return 0;
}

/**
 * kmcl_hv_io_unmask() - end a reader batch
 * @io: an open channel's state.
 *
 * Publishes the read position (the host is signalled if it waits for
 * room) and lets interrupts in again.
 *
 * Return: true if bytes are waiting (they raised no interrupt).
 */
bool kmcl_hv_io_unmask(struct kmcl_hv_io *io)
{
	if (io->cur) {
		io->ops->pkt_iter_close(io->c);
		io->cur = NULL;
		io->cur_len = 0;
	}
	return io->ops->end_read(io->c) != 0;
}

/**
 * kmcl_hv_mmio_alloc() - reserve the MMIO range the offer asks for
 * @ops: the way to hv_vmbus.
 * @hdev: the device.
 * @res: receives the range, or NULL if the offer asks for none.
 *
 * Size: offer.mmio_megabytes MiB, 1 MiB aligned, anywhere in VMBus's MMIO
 * windows. The VSC tells the host where it is, in its own protocol.
 * Process context.
 *
 * Return: 0, or vmbus_allocate_mmio()'s error.
 */
int kmcl_hv_mmio_alloc(const struct kmcl_hv_ops *ops, struct hv_device *hdev,
		       struct resource **res)
{
	resource_size_t size = (resource_size_t)
		hdev->channel->offermsg.offer.mmio_megabytes << 20;

	*res = NULL;
	if (!size)
		return 0;
	return ops->allocate_mmio(res, hdev, 0, -1, size, KMCL_HV_MMIO_ALIGN,
				  false);
}

/**
 * kmcl_hv_mmio_free() - give a range from kmcl_hv_mmio_alloc() back
 * @ops: the way to hv_vmbus.
 * @res: the range, or NULL.
 */
void kmcl_hv_mmio_free(const struct kmcl_hv_ops *ops, struct resource *res)
{
	if (res)
		ops->free_mmio(res->start, resource_size(res));
}
