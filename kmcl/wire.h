/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMBus packet format: descriptors, range headers, builders and a parser
 * for packets received from an untrusted peer.
 *
 * Every structure here is our own definition, laid out byte for byte like
 * the format Hyper-V and the in-tree hv_vmbus driver put on the wire, so
 * kmcl.ko does not depend on <linux/hyperv.h>. Multi-byte fields are in the
 * CPU's byte order, as in hv_vmbus (VMBus only exists on little-endian
 * machines).
 *
 * A packet is a descriptor, an optional type-specific header (transfer-page
 * or GPA ranges), then in-band data, padded to a multiple of 8 bytes:
 *
 *   0                 16            offset8 * 8              len8 * 8
 *   | descriptor      | range header | in-band data + padding |
 *
 * The functions here never sleep, allocate or lock.
 */
#ifndef _KMCL_WIRE_H
#define _KMCL_WIRE_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/uio.h>

/* Hyper-V's page: PFNs and byte offsets in GPA ranges count in these. */
#define KMCL_WIRE_PAGE_SHIFT	12
#define KMCL_WIRE_PAGE_SIZE	4096U
static_assert(KMCL_WIRE_PAGE_SIZE == 1U << KMCL_WIRE_PAGE_SHIFT);

/* Packet types this project sends or accepts (values fixed by VMBus). */
#define KMCL_PKT_DATA_INBAND		6
#define KMCL_PKT_DATA_USING_XFER_PAGES	7
#define KMCL_PKT_DATA_USING_GPA_DIRECT	9
#define KMCL_PKT_COMP			11

/* Descriptor flag: the sender wants a KMCL_PKT_COMP for this packet. */
#define KMCL_PKT_FLAG_COMPLETION_REQUESTED	1

/* Largest packet a 16-bit len8 can describe, in bytes. */
#define KMCL_WIRE_MAX_PKT_LEN	(0xffffU << 3)

/**
 * struct kmcl_vmpacket_desc - descriptor at the start of every packet
 * @type: KMCL_PKT_* value.
 * @offset8: offset of the in-band data from the packet start, in 8-byte
 *	units (2 when there is no range header).
 * @len8: length of the whole packet without the ring trailer, in 8-byte
 *	units.
 * @flags: KMCL_PKT_FLAG_* bits.
 * @trans_id: transaction id, echoed back in the completion.
 */
struct kmcl_vmpacket_desc {
	u16 type;
	u16 offset8;
	u16 len8;
	u16 flags;
	u64 trans_id;
} __packed;

/**
 * struct kmcl_gpa_range - one range of a GPA-direct packet
 * @byte_count: length of the range in bytes, > 0.
 * @byte_offset: offset of the range in its first page, < KMCL_WIRE_PAGE_SIZE.
 * @pfn_array: the Hyper-V PFNs of the pages the range touches;
 *	kmcl_wire_gpa_pfns(@byte_offset, @byte_count) entries.
 *
 * Ranges are variable-length and follow each other directly.
 */
struct kmcl_gpa_range {
	u32 byte_count;
	u32 byte_offset;
	u64 pfn_array[];
} __packed;

/**
 * struct kmcl_gpa_direct_hdr - header of a KMCL_PKT_DATA_USING_GPA_DIRECT packet
 * @d: the descriptor.
 * @reserved: zero.
 * @range_count: number of struct kmcl_gpa_range that follow.
 *
 * The ranges follow this header; @d.offset8 points past the last range.
 */
struct kmcl_gpa_direct_hdr {
	struct kmcl_vmpacket_desc d;
	u32 reserved;
	u32 range_count;
} __packed;

/**
 * struct kmcl_xfer_range - one range of a transfer-page packet
 * @byte_count: length of the range in bytes.
 * @byte_offset: offset of the range inside the transfer page set.
 */
struct kmcl_xfer_range {
	u32 byte_count;
	u32 byte_offset;
} __packed;

/**
 * struct kmcl_xfer_page_hdr - header of a KMCL_PKT_DATA_USING_XFER_PAGES packet
 * @d: the descriptor.
 * @xfer_pageset_id: which transfer page set (receive buffer) the ranges are in.
 * @sender_owns_set: nonzero if the sender owns the page set.
 * @reserved: zero.
 * @range_count: number of entries in @ranges.
 * @ranges: the ranges; @d.offset8 points past the last one.
 */
struct kmcl_xfer_page_hdr {
	struct kmcl_vmpacket_desc d;
	u16 xfer_pageset_id;
	u8 sender_owns_set;
	u8 reserved;
	u32 range_count;
	struct kmcl_xfer_range ranges[];
} __packed;

static_assert(sizeof(struct kmcl_vmpacket_desc) == 16);
static_assert(offsetof(struct kmcl_vmpacket_desc, offset8) == 2);
static_assert(offsetof(struct kmcl_vmpacket_desc, len8) == 4);
static_assert(offsetof(struct kmcl_vmpacket_desc, flags) == 6);
static_assert(offsetof(struct kmcl_vmpacket_desc, trans_id) == 8);
static_assert(sizeof(struct kmcl_gpa_range) == 8);
static_assert(offsetof(struct kmcl_gpa_range, byte_offset) == 4);
static_assert(offsetof(struct kmcl_gpa_range, pfn_array) == 8);
static_assert(sizeof(struct kmcl_gpa_direct_hdr) == 24);
static_assert(offsetof(struct kmcl_gpa_direct_hdr, range_count) == 20);
static_assert(sizeof(struct kmcl_xfer_range) == 8);
static_assert(offsetof(struct kmcl_xfer_range, byte_offset) == 4);
static_assert(sizeof(struct kmcl_xfer_page_hdr) == 24);
static_assert(offsetof(struct kmcl_xfer_page_hdr, sender_owns_set) == 18);
static_assert(offsetof(struct kmcl_xfer_page_hdr, range_count) == 20);
static_assert(offsetof(struct kmcl_xfer_page_hdr, ranges) == 24);

/**
 * kmcl_wire_gpa_pfns() - number of PFNs a GPA range carries
 * @byte_offset: offset in the first Hyper-V page.
 * @byte_count: length of the range.
 *
 * Computed in 64 bits, so no argument values can wrap around.
 *
 * Return: Hyper-V pages spanned by @byte_offset + @byte_count.
 */
static inline u32 kmcl_wire_gpa_pfns(u32 byte_offset, u32 byte_count)
{
	return ((u64)byte_offset + byte_count + KMCL_WIRE_PAGE_SIZE - 1) >>
	       KMCL_WIRE_PAGE_SHIFT;
}

/**
 * kmcl_wire_gpa_range_size() - bytes a GPA range takes in the header
 * @byte_offset: offset in the first Hyper-V page.
 * @byte_count: length of the range.
 *
 * Return: size of struct kmcl_gpa_range plus its PFN array.
 */
static inline u64 kmcl_wire_gpa_range_size(u32 byte_offset, u32 byte_count)
{
	return sizeof(struct kmcl_gpa_range) +
	       (u64)kmcl_wire_gpa_pfns(byte_offset, byte_count) * sizeof(u64);
}

/**
 * kmcl_wire_gpa_next() - the range after @r in a validated packet
 * @r: a range of a packet that kmcl_wire_parse() or
 *	kmcl_wire_gpa_direct_finish() accepted.
 *
 * Return: where the next range starts (past the last range: the data).
 */
static inline const struct kmcl_gpa_range *
kmcl_wire_gpa_next(const struct kmcl_gpa_range *r)
{
	u64 size = kmcl_wire_gpa_range_size(r->byte_offset, r->byte_count);

	return (const void *)r + size;
}

/**
 * enum kmcl_wire_err - why kmcl_wire_parse() rejected a packet
 * @KMCL_WIRE_OK: accepted.
 * @KMCL_WIRE_ERR_SHORT: fewer bytes than a descriptor.
 * @KMCL_WIRE_ERR_LEN8_SMALL: len8 smaller than a descriptor.
 * @KMCL_WIRE_ERR_LEN8_OVERRUN: len8 beyond the bytes supplied.
 * @KMCL_WIRE_ERR_OFFSET8: offset8 below 2 or beyond len8.
 * @KMCL_WIRE_ERR_TYPE: framing is valid but the type is unknown (-EPROTO).
 * @KMCL_WIRE_ERR_HDR: offset8 leaves no room for the type's fixed header.
 * @KMCL_WIRE_ERR_RANGE_COUNT: range count 0 or above the caller's maximum.
 * @KMCL_WIRE_ERR_RANGE_OVERRUN: a range or its PFN array runs past
 *	offset8 * 8.
 * @KMCL_WIRE_ERR_RANGE_OFFSET: GPA range byte_offset not inside a page.
 * @KMCL_WIRE_ERR_RANGE_EMPTY: a range with byte_count 0.
 * @KMCL_WIRE_ERR_RANGE_END: transfer range end does not fit 32 bits.
 * @KMCL_WIRE_ERR_TOTAL: the ranges add up to more than the caller allows.
 * @KMCL_WIRE_ERR_COUNT: number of values, for counter arrays.
 */
enum kmcl_wire_err {
	KMCL_WIRE_OK,
	KMCL_WIRE_ERR_SHORT,
	KMCL_WIRE_ERR_LEN8_SMALL,
	KMCL_WIRE_ERR_LEN8_OVERRUN,
	KMCL_WIRE_ERR_OFFSET8,
	KMCL_WIRE_ERR_TYPE,
	KMCL_WIRE_ERR_HDR,
	KMCL_WIRE_ERR_RANGE_COUNT,
	KMCL_WIRE_ERR_RANGE_OVERRUN,
	KMCL_WIRE_ERR_RANGE_OFFSET,
	KMCL_WIRE_ERR_RANGE_EMPTY,
	KMCL_WIRE_ERR_RANGE_END,
	KMCL_WIRE_ERR_TOTAL,
	KMCL_WIRE_ERR_COUNT
};

/**
 * struct kmcl_wire_packet - a packet accepted by kmcl_wire_parse()
 * @type: KMCL_PKT_* type.
 * @flags: descriptor flags, as received (unknown bits are not rejected).
 * @trans_id: transaction id, as received (never trusted as a pointer).
 * @pkt_len: len8 * 8.
 * @hdr_len: offset8 * 8: descriptor plus range header.
 * @data: the in-band data, at packet + @hdr_len.
 * @data_len: @pkt_len - @hdr_len. Includes the sender's padding to 8
 *	bytes; the exact payload length is up to the protocol on top.
 * @range_count: number of validated ranges (GPA-direct, transfer pages),
 *	else 0.
 * @ranges: first range (struct kmcl_gpa_range or struct kmcl_xfer_range,
 *	by @type), else NULL. Use kmcl_wire_gpa_ranges() /
 *	kmcl_wire_xfer_ranges().
 * @range_bytes: sum of all ranges' byte_count.
 * @xfer_pageset_id: transfer-page packets: the page set id.
 * @sender_owns_set: transfer-page packets: the sender_owns_set byte.
 * @err: KMCL_WIRE_OK, or which check failed.
 *
 * All pointers point into the buffer that was parsed.
 */
struct kmcl_wire_packet {
	u16 type;
	u16 flags;
	u64 trans_id;
	u32 pkt_len;
	u32 hdr_len;
	const void *data;
	u32 data_len;
	u32 range_count;
	const void *ranges;
	u64 range_bytes;
	u16 xfer_pageset_id;
	u8 sender_owns_set;
	enum kmcl_wire_err err;
};

/**
 * kmcl_wire_gpa_ranges() - first GPA range of a parsed packet
 * @p: a packet kmcl_wire_parse() accepted.
 *
 * Return: the first range (walk on with kmcl_wire_gpa_next()), or NULL
 * when @p is not a GPA-direct packet.
 */
static inline const struct kmcl_gpa_range *
kmcl_wire_gpa_ranges(const struct kmcl_wire_packet *p)
{
	return p->type == KMCL_PKT_DATA_USING_GPA_DIRECT ? p->ranges : NULL;
}

/**
 * kmcl_wire_xfer_ranges() - transfer-page ranges of a parsed packet
 * @p: a packet kmcl_wire_parse() accepted.
 *
 * Return: the array of @p->range_count ranges, or NULL when @p is not a
 * transfer-page packet.
 */
static inline const struct kmcl_xfer_range *
kmcl_wire_xfer_ranges(const struct kmcl_wire_packet *p)
{
	return p->type == KMCL_PKT_DATA_USING_XFER_PAGES ? p->ranges : NULL;
}

/**
 * struct kmcl_wire_inband - an in-band packet ready for kmcl_ring_write()
 * @desc: the descriptor.
 * @pad: zero bytes used as padding.
 * @vec: descriptor, payload, padding.
 * @nvec: entries of @vec in use.
 *
 * @vec points into this structure: do not copy or move it between
 * kmcl_wire_inband_build() and the write.
 */
struct kmcl_wire_inband {
	struct kmcl_vmpacket_desc desc;
	u64 pad;
	struct kvec vec[3];
	unsigned int nvec;
};

int kmcl_wire_inband_desc(struct kmcl_vmpacket_desc *desc, u16 type,
			  u16 flags, u64 trans_id, u32 payload_len, u32 *pad);
int kmcl_wire_comp_desc(struct kmcl_vmpacket_desc *desc, u64 trans_id,
			u32 payload_len, u32 *pad);
int kmcl_wire_inband_build(struct kmcl_wire_inband *p, u16 type, u16 flags,
			   u64 trans_id, const void *payload, u32 payload_len);
int kmcl_wire_gpa_direct_finish(struct kmcl_gpa_direct_hdr *hdr, u32 buflen,
				u16 flags, u64 trans_id, u32 payload_len,
				u32 *hdr_len, u32 *pad);
int kmcl_wire_gpa_direct_desc(struct kmcl_gpa_direct_hdr *hdr,
			      const void *ranges, u32 ranges_len,
			      u32 range_count, u16 flags, u64 trans_id,
			      u32 payload_len, u32 *pad);
int kmcl_wire_xfer_page_finish(struct kmcl_xfer_page_hdr *hdr, u32 buflen,
			       u16 flags, u64 trans_id, u32 payload_len,
			       u32 *hdr_len, u32 *pad);
int kmcl_wire_parse(const void *pkt, u32 len, u32 max_ranges, u64 max_bytes,
		    struct kmcl_wire_packet *out);
const char *kmcl_wire_err_name(enum kmcl_wire_err err);

#endif /* _KMCL_WIRE_H */
