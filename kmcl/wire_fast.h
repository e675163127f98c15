/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMBus packet format's per-packet steps for packets without ranges
 * (in-band data and completions), inline: every packet builds one
 * descriptor and parses one, and the channel code (xport.h, incoming.c)
 * should not pay a call for either. wire.c uses the same bodies for
 * kmcl_wire_inband_desc() and kmcl_wire_parse(), which the tests and the
 * fuzz targets call: one implementation for both.
 */
#ifndef _KMCL_WIRE_FAST_H
#define _KMCL_WIRE_FAST_H

#include <linux/errno.h>
#include <linux/kernel.h>

#include "wire.h"

/*
 * Fill @desc for a packet of @hdr_len header bytes followed by @payload_len
 * data bytes, padded to 8. @hdr_len is a multiple of 8 and at least the
 * descriptor. Returns 0 or -EMSGSIZE; *@pad (if not NULL) gets the zero
 * bytes to append.
 */
static __always_inline int
kmcl_wire_fill_desc(struct kmcl_vmpacket_desc *desc, u16 type, u16 flags,
		    u64 trans_id, u32 hdr_len, u32 payload_len, u32 *pad)
{
	u64 total = (u64)hdr_len + payload_len;
	u64 aligned = round_up(total, 8);

	if (hdr_len > KMCL_WIRE_MAX_PKT_LEN || aligned > KMCL_WIRE_MAX_PKT_LEN)
		return -EMSGSIZE;

	desc->type = type;
	desc->offset8 = hdr_len >> 3;
	desc->len8 = aligned >> 3;
	desc->flags = flags;
	desc->trans_id = trans_id;
	if (pad)
		*pad = aligned - total;
	return 0;
}

/*
 * kmcl_wire_inband_desc() for a non-NULL @desc: -EINVAL for a type other
 * than in-band or completion, else as kmcl_wire_fill_desc() with the data
 * right after the descriptor.
 */
static __always_inline int
kmcl_wire_do_inband_desc(struct kmcl_vmpacket_desc *desc, u16 type,
			 u16 flags, u64 trans_id, u32 payload_len, u32 *pad)
{
	if (type != KMCL_PKT_DATA_INBAND && type != KMCL_PKT_COMP)
		return -EINVAL;
	return kmcl_wire_fill_desc(desc, type, flags, trans_id, sizeof(*desc),
				   payload_len, pad);
}

/*
 * The fields of @out that every accepted packet at @pkt has, the ranges
 * (@count of them at @ranges, @total bytes) included. Field by field: a
 * compound literal would clear the padding too, with a "rep stos" on
 * every packet (slow under emulation).
 */
static __always_inline void kmcl_wire_set(struct kmcl_wire_packet *out,
					  const void *pkt, u16 type,
					  u32 pkt_len, u32 hdr_len, u32 count,
					  const void *ranges, u64 total)
{
	const struct kmcl_vmpacket_desc *d = pkt;

	out->type = type;
	out->flags = d->flags;
	out->trans_id = d->trans_id;
	out->pkt_len = pkt_len;
	out->hdr_len = hdr_len;
	out->data = (const u8 *)pkt + hdr_len;
	out->data_len = pkt_len - hdr_len;
	out->range_count = count;
	out->ranges = ranges;
	out->range_bytes = total;
}

/*
 * If the @len bytes at @pkt are a well-formed in-band or completion packet
 * (a whole descriptor; len8 covers it and at most @len; offset8 between 2
 * and len8), fill @out as kmcl_wire_parse() does and return true. Any
 * other packet, good or bad, is kmcl_wire_parse()'s to judge: false, and
 * @out is untouched.
 */
static __always_inline bool
kmcl_wire_parse_plain(const void *pkt, u32 len, struct kmcl_wire_packet *out)
{
	const struct kmcl_vmpacket_desc *d = pkt;
	u32 pkt_len, hdr_len;
	u16 type;

	if (len < sizeof(*d))
		return false;
	type = d->type;
	pkt_len = (u32)d->len8 << 3;
	hdr_len = (u32)d->offset8 << 3;
	if ((type != KMCL_PKT_DATA_INBAND && type != KMCL_PKT_COMP) ||
	    pkt_len > len || hdr_len < sizeof(*d) || hdr_len > pkt_len)
		return false;
	kmcl_wire_set(out, pkt, type, pkt_len, hdr_len, 0, NULL, 0);
	out->xfer_pageset_id = 0;
	out->sender_owns_set = 0;
	out->err = KMCL_WIRE_OK;
	return true;
}

/* kmcl_wire_parse() with no limit on ranges, plain packets inline. */
static __always_inline int kmcl_wire_parse_any(const void *pkt, u32 len,
					       struct kmcl_wire_packet *out)
{
	if (kmcl_wire_parse_plain(pkt, len, out))
		return 0;
	return kmcl_wire_parse(pkt, len, U32_MAX, U64_MAX, out);
}

#endif /* _KMCL_WIRE_FAST_H */
