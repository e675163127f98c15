// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMBus packet builders and the parser for packets from an untrusted peer.
 *
 * The parser only ever runs on a private copy of a packet (kmcl_ring_peek()
 * or hv_vmbus's copy-out buffer), so every field is read once from memory
 * the peer cannot change any more. It still reads each field into a local
 * before checking it, so the checks and the use see the same value.
 */

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "core_compat.h"
#include "wire_fast.h"

#define KMCL_DESC_SIZE ((u32)sizeof(struct kmcl_vmpacket_desc))

/**
 * kmcl_wire_inband_desc() - fill the descriptor of a packet without ranges
 * @desc: descriptor to fill (the first 16 bytes of the packet).
 * @type: KMCL_PKT_DATA_INBAND or KMCL_PKT_COMP.
 * @flags: KMCL_PKT_FLAG_* bits.
 * @trans_id: transaction id.
 * @payload_len: bytes of data that follow the descriptor.
 * @pad: if not NULL, receives the number of zero bytes (0..7) the caller
 *	must append after the payload.
 *
 * Sets offset8 to 2 (data right after the descriptor) and len8 to the
 * descriptor plus payload rounded up to 8 bytes.
 *
 * Return: 0; -EINVAL for another @type or a NULL @desc; -EMSGSIZE when the
 * packet would be longer than len8 can describe.
 */
int kmcl_wire_inband_desc(struct kmcl_vmpacket_desc *desc, u16 type,
			  u16 flags, u64 trans_id, u32 payload_len, u32 *pad)
{
	if (!desc)
		return -EINVAL;
	return kmcl_wire_do_inband_desc(desc, type, flags, trans_id,
					payload_len, pad);
}
EXPORT_SYMBOL_KMCL(kmcl_wire_inband_desc);

/**
 * kmcl_wire_comp_desc() - fill the descriptor of a completion packet
 * @desc: descriptor to fill.
 * @trans_id: the trans_id of the packet being completed.
 * @payload_len: bytes of completion data that follow the descriptor.
 * @pad: as for kmcl_wire_inband_desc().
 *
 * Return: as kmcl_wire_inband_desc().
 */
int kmcl_wire_comp_desc(struct kmcl_vmpacket_desc *desc, u64 trans_id,
			u32 payload_len, u32 *pad)
{
	return kmcl_wire_inband_desc(desc, KMCL_PKT_COMP, 0, trans_id,
				     payload_len, pad);
}
EXPORT_SYMBOL_KMCL(kmcl_wire_comp_desc);

/**
 * kmcl_wire_inband_build() - prepare a packet without ranges for writing
 * @p: packet to build; its @vec can be passed to kmcl_ring_write().
 * @type: KMCL_PKT_DATA_INBAND or KMCL_PKT_COMP.
 * @flags: KMCL_PKT_FLAG_* bits.
 * @trans_id: transaction id.
 * @payload: the data; must stay valid until the write. May be NULL if
 *	@payload_len is 0.
 * @payload_len: its length.
 *
 * Return: as kmcl_wire_inband_desc(); also -EINVAL for a NULL @p, or a
 * NULL @payload with a nonzero length.
 */
int kmcl_wire_inband_build(struct kmcl_wire_inband *p, u16 type, u16 flags,
			   u64 trans_id, const void *payload, u32 payload_len)
{
	u32 pad;
	int ret;

	if (!p || (!payload && payload_len))
		return -EINVAL;
	ret = kmcl_wire_inband_desc(&p->desc, type, flags, trans_id,
				    payload_len, &pad);
	if (ret)
		return ret;

	p->pad = 0;
	p->vec[0].iov_base = &p->desc;
	p->vec[0].iov_len = sizeof(p->desc);
	p->nvec = 1;
	if (payload_len) {
		p->vec[1].iov_base = (void *)payload;
		p->vec[1].iov_len = payload_len;
		p->nvec = 2;
	}
	if (pad) {
		p->vec[p->nvec].iov_base = &p->pad;
		p->vec[p->nvec].iov_len = pad;
		p->nvec++;
	}
	return 0;
}
EXPORT_SYMBOL_KMCL(kmcl_wire_inband_build);

/*
 * Walk @count GPA ranges starting at @ranges, all of which must end within
 * @space bytes, and whose byte counts must add up to at most @max_bytes.
 * On success *@used is the bytes the ranges take and *@total their sum.
 */
static enum kmcl_wire_err kmcl_wire_walk_gpa(const u8 *ranges, u32 space,
					     u32 count, u64 max_bytes,
					     u32 *used, u64 *total)
{
	u32 off = 0;
	u64 sum = 0;
	u32 i;

	for (i = 0; i < count; i++) {
		const struct kmcl_gpa_range *r;
		u32 byte_offset, byte_count;
		u64 size;

		/* Each range takes at least 8 bytes, so this loop ends. */
		if (space - off < sizeof(*r))
			return KMCL_WIRE_ERR_RANGE_OVERRUN;
		r = (const struct kmcl_gpa_range *)(ranges + off);
		byte_offset = r->byte_offset;
		byte_count = r->byte_count;

		if (byte_offset >= KMCL_WIRE_PAGE_SIZE)
			return KMCL_WIRE_ERR_RANGE_OFFSET;
		if (!byte_count)
			return KMCL_WIRE_ERR_RANGE_EMPTY;
		size = kmcl_wire_gpa_range_size(byte_offset, byte_count);
		if (size > space - off)
			return KMCL_WIRE_ERR_RANGE_OVERRUN;
		sum += byte_count;
		if (sum > max_bytes)
			return KMCL_WIRE_ERR_TOTAL;
		off += size;
	}
	*used = off;
	*total = sum;
	return KMCL_WIRE_OK;
}

/* Same for transfer-page ranges, which have a fixed size. */
static enum kmcl_wire_err kmcl_wire_walk_xfer(const u8 *ranges, u32 space,
					      u32 count, u64 max_bytes,
					      u32 *used, u64 *total)
{
	const struct kmcl_xfer_range *r = (const void *)ranges;
	u64 sum = 0;
	u32 i;

	if ((u64)count * sizeof(*r) > space)
		return KMCL_WIRE_ERR_RANGE_OVERRUN;
	for (i = 0; i < count; i++) {
		u32 byte_offset = r[i].byte_offset;
		u32 byte_count = r[i].byte_count;

		if (!byte_count)
			return KMCL_WIRE_ERR_RANGE_EMPTY;
		if ((u64)byte_offset + byte_count > U32_MAX)
			return KMCL_WIRE_ERR_RANGE_END;
		sum += byte_count;
		if (sum > max_bytes)
			return KMCL_WIRE_ERR_TOTAL;
	}
	*used = count * sizeof(*r);
	*total = sum;
	return KMCL_WIRE_OK;
}

/**
 * kmcl_wire_gpa_direct_finish() - fill the header of a GPA-direct packet
 * @hdr: start of the packet: the caller has set @hdr->range_count and
 *	written that many ranges (byte_count, byte_offset, PFNs) after it.
 * @buflen: bytes valid at @hdr; all ranges must lie within them.
 * @flags: KMCL_PKT_FLAG_* bits (hv_vmbus always requests a completion).
 * @trans_id: transaction id.
 * @payload_len: bytes of in-band data that will follow the ranges.
 * @hdr_len: receives the header length (descriptor, fields and ranges);
 *	the in-band data goes right after it.
 * @pad: receives the number of zero bytes to append after the data.
 *
 * Checks the ranges as kmcl_wire_parse() would, then fills the
 * descriptor (type KMCL_PKT_DATA_USING_GPA_DIRECT, offset8 past the last
 * range) and zeroes @hdr->reserved.
 *
 * Return: 0; -EINVAL for a NULL pointer, no ranges, or a range that is
 * empty, not inside its first page or not inside @buflen; -EMSGSIZE when
 * the packet is too long for len8.
 */
int kmcl_wire_gpa_direct_finish(struct kmcl_gpa_direct_hdr *hdr, u32 buflen,
				u16 flags, u64 trans_id, u32 payload_len,
				u32 *hdr_len, u32 *pad)
{
	u32 count, used;
	u64 total;
	int ret;

	if (!hdr || !hdr_len || !pad || buflen < sizeof(*hdr))
		return -EINVAL;
	count = hdr->range_count;
	if (!count)
		return -EINVAL;
	if (kmcl_wire_walk_gpa((const u8 *)(hdr + 1), buflen - sizeof(*hdr),
			       count, U64_MAX, &used, &total) != KMCL_WIRE_OK)
		return -EINVAL;

	used += sizeof(*hdr);
	ret = kmcl_wire_fill_desc(&hdr->d, KMCL_PKT_DATA_USING_GPA_DIRECT,
				  flags, trans_id, used, payload_len, pad);
	if (ret)
		return ret;
	hdr->reserved = 0;
	*hdr_len = used;
	return 0;
}
EXPORT_SYMBOL_KMCL(kmcl_wire_gpa_direct_finish);

/**
 * kmcl_wire_gpa_direct_desc() - header of a GPA-direct packet whose ranges
 *	are kept apart from it
 * @hdr: receives the descriptor, reserved and @range_count.
 * @ranges: @range_count struct kmcl_gpa_range back to back, each with its
 *	PFN array.
 * @ranges_len: bytes at @ranges; the ranges must fill them exactly.
 * @range_count: number of ranges, at least 1.
 * @flags: KMCL_PKT_FLAG_* bits.
 * @trans_id: transaction id.
 * @payload_len: bytes of in-band data that will follow the ranges.
 * @pad: receives the number of zero bytes to append after the data.
 *
 * For writers that gather the packet from pieces: @hdr, then @ranges_len
 * bytes of @ranges, then the data and @pad zero bytes. The ranges are
 * checked as kmcl_wire_parse() would check them.
 *
 * Return: 0; -EINVAL for a NULL pointer, no ranges, a range that is empty
 * or not inside its first page, or ranges that do not fill @ranges_len
 * exactly; -EMSGSIZE when the packet is too long for len8.
 */
int kmcl_wire_gpa_direct_desc(struct kmcl_gpa_direct_hdr *hdr,
			      const void *ranges, u32 ranges_len,
			      u32 range_count, u16 flags, u64 trans_id,
			      u32 payload_len, u32 *pad)
{
	u32 used;
	u64 total;
	int ret;

	if (!hdr || !ranges || !pad || !range_count)
		return -EINVAL;
	if (kmcl_wire_walk_gpa(ranges, ranges_len, range_count, U64_MAX,
			       &used, &total) != KMCL_WIRE_OK ||
	    used != ranges_len)
		return -EINVAL;
	if (ranges_len > KMCL_WIRE_MAX_PKT_LEN)
		return -EMSGSIZE;
	ret = kmcl_wire_fill_desc(&hdr->d, KMCL_PKT_DATA_USING_GPA_DIRECT,
				  flags, trans_id, sizeof(*hdr) + ranges_len,
				  payload_len, pad);
	if (ret)
		return ret;
	hdr->reserved = 0;
	hdr->range_count = range_count;
	return 0;
}
EXPORT_SYMBOL_KMCL(kmcl_wire_gpa_direct_desc);

/**
 * kmcl_wire_xfer_page_finish() - fill the header of a transfer-page packet
 * @hdr: start of the packet: the caller has set @hdr->xfer_pageset_id,
 *	@hdr->sender_owns_set, @hdr->range_count and the ranges.
 * @buflen: bytes valid at @hdr; all ranges must lie within them.
 * @flags: KMCL_PKT_FLAG_* bits.
 * @trans_id: transaction id.
 * @payload_len: bytes of in-band data that will follow the ranges.
 * @hdr_len: receives the header length; the in-band data goes after it.
 * @pad: receives the number of zero bytes to append after the data.
 *
 * Return: 0; -EINVAL for a NULL pointer, no ranges, an empty range, one
 * whose end does not fit in 32 bits, or ranges beyond @buflen; -EMSGSIZE
 * when the packet is too long for len8.
 */
int kmcl_wire_xfer_page_finish(struct kmcl_xfer_page_hdr *hdr, u32 buflen,
			       u16 flags, u64 trans_id, u32 payload_len,
			       u32 *hdr_len, u32 *pad)
{
	u32 count, used;
	u64 total;
	int ret;

	if (!hdr || !hdr_len || !pad || buflen < sizeof(*hdr))
		return -EINVAL;
	count = hdr->range_count;
	if (!count)
		return -EINVAL;
	if (kmcl_wire_walk_xfer((const u8 *)hdr->ranges, buflen - sizeof(*hdr),
				count, U64_MAX, &used, &total) != KMCL_WIRE_OK)
		return -EINVAL;

	used += sizeof(*hdr);
	ret = kmcl_wire_fill_desc(&hdr->d, KMCL_PKT_DATA_USING_XFER_PAGES,
				  flags, trans_id, used, payload_len, pad);
	if (ret)
		return ret;
	hdr->reserved = 0;
	*hdr_len = used;
	return 0;
}
EXPORT_SYMBOL_KMCL(kmcl_wire_xfer_page_finish);

/* Report @err; only err is set in @out, everything else stays zero. */
static int kmcl_wire_reject(struct kmcl_wire_packet *out,
			    enum kmcl_wire_err err)
{
	out->xfer_pageset_id = 0;
	out->sender_owns_set = 0;
	out->err = err;
	return err == KMCL_WIRE_ERR_TYPE ? -EPROTO : -EBADMSG;
}

/**
 * kmcl_wire_parse() - validate a received packet and locate its parts
 * @pkt: a private copy of the packet (never the shared ring itself).
 * @len: bytes valid at @pkt; bytes beyond len8 * 8 are ignored.
 * @max_ranges: most ranges a GPA-direct or transfer-page packet may have.
 * @max_bytes: most bytes all ranges of one packet may add up to.
 * @out: receives the result; on failure only @out->err is set.
 *
 * Checks, in this order: a whole descriptor is present; len8 covers at
 * least the descriptor and at most @len; offset8 is at least 2 and at most
 * len8; the type is one this project knows (in-band, completion,
 * GPA-direct, transfer pages). For GPA-direct and transfer-page packets
 * it then checks that offset8 covers the fixed header, that the range
 * count is between 1 and @max_ranges, and that every range lies before
 * offset8 * 8 (a GPA range with its PFN array: byte_offset below 4096,
 * byte_count nonzero, PFN count computed in 64 bits), that transfer ranges
 * are not empty and end below 4 GiB, and that the byte counts add up to at
 * most @max_bytes.
 *
 * The ranges and data handed out point into @pkt, which must stay
 * unchanged while they are used.
 *
 * Return: 0; -EPROTO if the packet is well framed but of an unknown type
 * (the caller may skip it); -EBADMSG for any other violation, with the
 * reason in @out->err; -EINVAL for a NULL @pkt or @out.
 */
int kmcl_wire_parse(const void *pkt, u32 len, u32 max_ranges, u64 max_bytes,
		    struct kmcl_wire_packet *out)
{
	const struct kmcl_vmpacket_desc *d = pkt;
	enum kmcl_wire_err err = KMCL_WIRE_OK;
	u32 pkt_len, hdr_len, count = 0, used = 0;
	const void *ranges = NULL;
	u16 type, offset8;
	u64 total = 0;

	if (!pkt || !out)
		return -EINVAL;
	if (kmcl_wire_parse_plain(pkt, len, out))
		return 0;
	memset(out, 0, sizeof(*out));
	if (len < KMCL_DESC_SIZE)
		return kmcl_wire_reject(out, KMCL_WIRE_ERR_SHORT);

	type = d->type;
	offset8 = d->offset8;
	pkt_len = (u32)d->len8 << 3;
	hdr_len = (u32)offset8 << 3;
	if (pkt_len < KMCL_DESC_SIZE)
		return kmcl_wire_reject(out, KMCL_WIRE_ERR_LEN8_SMALL);
	if (pkt_len > len)
		return kmcl_wire_reject(out, KMCL_WIRE_ERR_LEN8_OVERRUN);
	if (hdr_len < KMCL_DESC_SIZE || hdr_len > pkt_len)
		return kmcl_wire_reject(out, KMCL_WIRE_ERR_OFFSET8);

	switch (type) {
	case KMCL_PKT_DATA_INBAND:
	case KMCL_PKT_COMP:
		break;
	case KMCL_PKT_DATA_USING_GPA_DIRECT: {
		const struct kmcl_gpa_direct_hdr *h = pkt;

		if (hdr_len < sizeof(*h))
			return kmcl_wire_reject(out, KMCL_WIRE_ERR_HDR);
		count = h->range_count;
		if (!count || count > max_ranges)
			return kmcl_wire_reject(out, KMCL_WIRE_ERR_RANGE_COUNT);
		ranges = h + 1;
		err = kmcl_wire_walk_gpa(ranges, hdr_len - sizeof(*h), count,
					 max_bytes, &used, &total);
		break;
	}
	case KMCL_PKT_DATA_USING_XFER_PAGES: {
		const struct kmcl_xfer_page_hdr *h = pkt;

		if (hdr_len < sizeof(*h))
			return kmcl_wire_reject(out, KMCL_WIRE_ERR_HDR);
		count = h->range_count;
		if (!count || count > max_ranges)
			return kmcl_wire_reject(out, KMCL_WIRE_ERR_RANGE_COUNT);
		ranges = h->ranges;
		err = kmcl_wire_walk_xfer(ranges, hdr_len - sizeof(*h), count,
					  max_bytes, &used, &total);
		out->xfer_pageset_id = h->xfer_pageset_id;
		out->sender_owns_set = h->sender_owns_set;
		break;
	}
	default:
		err = KMCL_WIRE_ERR_TYPE;
		break;
	}
	if (err != KMCL_WIRE_OK)
		return kmcl_wire_reject(out, err);

	kmcl_wire_set(out, pkt, type, pkt_len, hdr_len, count, ranges, total);
	return 0;
}
EXPORT_SYMBOL_KMCL(kmcl_wire_parse);

/**
 * kmcl_wire_err_name() - short name of a kmcl_wire_parse() failure
 * @err: the value from struct kmcl_wire_packet.err.
 *
 * Return: a constant string for logs and debugfs counters.
 */
const char *kmcl_wire_err_name(enum kmcl_wire_err err)
{
	static const char * const names[KMCL_WIRE_ERR_COUNT] = {
		[KMCL_WIRE_OK] = "ok",
		[KMCL_WIRE_ERR_SHORT] = "short",
		[KMCL_WIRE_ERR_LEN8_SMALL] = "len8_small",
		[KMCL_WIRE_ERR_LEN8_OVERRUN] = "len8_overrun",
		[KMCL_WIRE_ERR_OFFSET8] = "offset8",
		[KMCL_WIRE_ERR_TYPE] = "type",
		[KMCL_WIRE_ERR_HDR] = "header",
		[KMCL_WIRE_ERR_RANGE_COUNT] = "range_count",
		[KMCL_WIRE_ERR_RANGE_OVERRUN] = "range_overrun",
		[KMCL_WIRE_ERR_RANGE_OFFSET] = "range_offset",
		[KMCL_WIRE_ERR_RANGE_EMPTY] = "range_empty",
		[KMCL_WIRE_ERR_RANGE_END] = "range_end",
		[KMCL_WIRE_ERR_TOTAL] = "range_total",
	};

	if ((unsigned int)err >= KMCL_WIRE_ERR_COUNT)
		return "unknown";
	return names[err];
}
EXPORT_SYMBOL_KMCL(kmcl_wire_err_name);
