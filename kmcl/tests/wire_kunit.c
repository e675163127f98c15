// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the VMBus packet format (kmcl/wire.c): the exact bytes
 * the builders produce, packets that go through a real ring and come back
 * parsed, and a table of hostile packets, each of which must be refused
 * with its own reason. Packets are parsed from buffers of exactly their
 * length, so KASAN reports any read past the end.
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "core_compat.h"
#include "ring.h"
#include "wire.h"

KMCL_IMPORT(KMCL);

#define TID	0xa1b2c3d4e5f60718ULL

/* The descriptor's bytes on the wire (little-endian). */
static void wire_desc_bytes(struct kunit *test)
{
	static const u8 want[16] = {
		0x06, 0x00, 0x02, 0x00, 0x04, 0x00, 0x01, 0x00,
		0x18, 0x07, 0xf6, 0xe5, 0xd4, 0xc3, 0xb2, 0xa1,
	};
	struct kmcl_vmpacket_desc d;
	u32 pad = 99;

	memset(&d, 0xff, sizeof(d));
	KUNIT_ASSERT_EQ(test, kmcl_wire_inband_desc(&d, KMCL_PKT_DATA_INBAND,
						    KMCL_PKT_FLAG_COMPLETION_REQUESTED,
						    TID, 13, &pad), 0);
	KUNIT_EXPECT_MEMEQ(test, &d, want, sizeof(want));
	KUNIT_EXPECT_EQ(test, pad, 3);
	/* The values hv_vmbus uses for these. */
	KUNIT_EXPECT_EQ(test, KMCL_PKT_DATA_INBAND, 6);
	KUNIT_EXPECT_EQ(test, KMCL_PKT_DATA_USING_XFER_PAGES, 7);
	KUNIT_EXPECT_EQ(test, KMCL_PKT_DATA_USING_GPA_DIRECT, 9);
	KUNIT_EXPECT_EQ(test, KMCL_PKT_COMP, 11);
	KUNIT_EXPECT_EQ(test, KMCL_PKT_FLAG_COMPLETION_REQUESTED, 1);
}

struct wire_size_case {
	const char *name;
	u32 payload_len;
	int ret;
	u16 len8;
	u32 pad;
};

static const struct wire_size_case wire_size_cases[] = {
	{ "empty", 0, 0, 2, 0 },
	{ "one", 1, 0, 3, 7 },
	{ "seven", 7, 0, 3, 1 },
	{ "eight", 8, 0, 3, 0 },
	{ "thirteen", 13, 0, 4, 3 },
	{ "largest", KMCL_WIRE_MAX_PKT_LEN - 16, 0, 0xffff, 0 },
	{ "largest_padded", KMCL_WIRE_MAX_PKT_LEN - 17, 0, 0xffff, 1 },
	{ "one_too_many", KMCL_WIRE_MAX_PKT_LEN - 15, -EMSGSIZE, 0, 0 },
	{ "u32_max", U32_MAX, -EMSGSIZE, 0, 0 },
};

KUNIT_ARRAY_PARAM_DESC(wire_size, wire_size_cases, name);

static void wire_inband_sizes(struct kunit *test)
{
	const struct wire_size_case *c = test->param_value;
	struct kmcl_vmpacket_desc d = { };
	u32 pad = 0;

	KUNIT_EXPECT_EQ(test, kmcl_wire_inband_desc(&d, KMCL_PKT_DATA_INBAND, 0,
						    5, c->payload_len, &pad),
			c->ret);
	KUNIT_EXPECT_EQ(test, d.len8, c->len8);
	KUNIT_EXPECT_EQ(test, pad, c->pad);
	KUNIT_EXPECT_EQ(test, d.offset8, c->ret ? 0 : 2);
	/* Without a pad pointer the result is the same. */
	KUNIT_EXPECT_EQ(test, kmcl_wire_inband_desc(&d, KMCL_PKT_DATA_INBAND, 0,
						    5, c->payload_len, NULL),
			c->ret);
}

static void wire_inband_bad_args(struct kunit *test)
{
	static const u16 types[] = { 0, 1, 7, 8, 9, 0xffff };
	struct kmcl_vmpacket_desc d = { };
	struct kmcl_wire_inband p;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		KUNIT_EXPECT_EQ(test, kmcl_wire_inband_desc(&d, types[i], 0, 1,
							    8, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, d.len8, 0);
	KUNIT_EXPECT_EQ(test, kmcl_wire_inband_desc(NULL, KMCL_PKT_DATA_INBAND,
						    0, 1, 8, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_comp_desc(NULL, 1, 8, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_inband_build(NULL, KMCL_PKT_DATA_INBAND,
						     0, 1, &d, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_inband_build(&p, KMCL_PKT_DATA_INBAND,
						     0, 1, NULL, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_inband_build(&p, KMCL_PKT_DATA_INBAND,
						     0, 1, NULL, U32_MAX),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_inband_build(&p, KMCL_PKT_DATA_INBAND,
						     0, 1, &d, U32_MAX),
			-EMSGSIZE);
}

static void wire_comp_desc(struct kunit *test)
{
	struct kmcl_vmpacket_desc d;
	u32 pad = 99;

	memset(&d, 0xff, sizeof(d));
	KUNIT_ASSERT_EQ(test, kmcl_wire_comp_desc(&d, TID, 4, &pad), 0);
	KUNIT_EXPECT_EQ(test, d.type, KMCL_PKT_COMP);
	KUNIT_EXPECT_EQ(test, d.flags, 0);
	KUNIT_EXPECT_EQ(test, d.offset8, 2);
	KUNIT_EXPECT_EQ(test, d.len8, 3);
	KUNIT_EXPECT_EQ(test, d.trans_id, TID);
	KUNIT_EXPECT_EQ(test, pad, 4);
}

/* A ring, and a buffer for one packet peeked from it. */
static struct kmcl_ring *wire_ring(struct kunit *test)
{
	struct kmcl_ring *ring = kunit_kzalloc(test, sizeof(*ring), GFP_KERNEL);
	void *mem = kunit_kzalloc(test, 2 * KMCL_WIRE_PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ring);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, kmcl_ring_init(ring, mem, 2 * KMCL_WIRE_PAGE_SIZE),
			0);
	return ring;
}

/* Peek the next packet into a buffer of exactly its size. */
static u8 *wire_take(struct kunit *test, struct kmcl_ring *ring, u32 *len)
{
	u8 *buf;

	KUNIT_ASSERT_EQ(test, kmcl_ring_peek(ring, NULL, 0, len), -EMSGSIZE);
	buf = kunit_kmalloc(test, *len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kmcl_ring_peek(ring, buf, *len, len), 0);
	KUNIT_ASSERT_EQ(test, kmcl_ring_consume(ring, *len, NULL), 0);
	return buf;
}

/* In-band packets built as pieces, through a ring, and parsed back. */
static void wire_inband_roundtrip(struct kunit *test)
{
	static const u8 payload[13] = "hello, vmbus";
	static const u8 zero[8];
	struct kmcl_ring *ring = wire_ring(test);
	struct kmcl_wire_inband p;
	struct kmcl_wire_packet out;
	u32 len;
	u8 *pkt;

	KUNIT_ASSERT_EQ(test, kmcl_wire_inband_build(&p, KMCL_PKT_DATA_INBAND,
						     KMCL_PKT_FLAG_COMPLETION_REQUESTED,
						     TID, payload, 13), 0);
	KUNIT_EXPECT_EQ(test, p.nvec, 3);
	KUNIT_EXPECT_EQ(test, p.vec[0].iov_len, 16);
	KUNIT_EXPECT_PTR_EQ(test, p.vec[0].iov_base, (void *)&p.desc);
	KUNIT_EXPECT_EQ(test, p.vec[1].iov_len, 13);
	KUNIT_EXPECT_PTR_EQ(test, p.vec[1].iov_base, (void *)payload);
	KUNIT_EXPECT_EQ(test, p.vec[2].iov_len, 3);
	KUNIT_ASSERT_EQ(test, kmcl_ring_write(ring, p.vec, p.nvec, NULL), 0);

	pkt = wire_take(test, ring, &len);
	KUNIT_EXPECT_EQ(test, len, 32);
	KUNIT_ASSERT_EQ(test, kmcl_wire_parse(pkt, len, 0, 0, &out), 0);
	KUNIT_EXPECT_EQ(test, out.err, KMCL_WIRE_OK);
	KUNIT_EXPECT_EQ(test, out.type, KMCL_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, out.flags, KMCL_PKT_FLAG_COMPLETION_REQUESTED);
	KUNIT_EXPECT_EQ(test, out.trans_id, TID);
	KUNIT_EXPECT_EQ(test, out.pkt_len, 32);
	KUNIT_EXPECT_EQ(test, out.hdr_len, 16);
	KUNIT_EXPECT_PTR_EQ(test, out.data, (const void *)(pkt + 16));
	KUNIT_EXPECT_EQ(test, out.data_len, 16);
	KUNIT_EXPECT_MEMEQ(test, out.data, payload, 13);
	KUNIT_EXPECT_MEMEQ(test, (const u8 *)out.data + 13, zero, 3);
	KUNIT_EXPECT_EQ(test, out.range_count, 0);
	KUNIT_EXPECT_NULL(test, out.ranges);
	KUNIT_EXPECT_NULL(test, kmcl_wire_gpa_ranges(&out));
	KUNIT_EXPECT_NULL(test, kmcl_wire_xfer_ranges(&out));

	/* Aligned payload: no padding piece. Empty: descriptor only. */
	KUNIT_ASSERT_EQ(test, kmcl_wire_inband_build(&p, KMCL_PKT_COMP, 0, 7,
						     payload, 8), 0);
	KUNIT_EXPECT_EQ(test, p.nvec, 2);
	KUNIT_ASSERT_EQ(test, kmcl_ring_write(ring, p.vec, p.nvec, NULL), 0);
	KUNIT_ASSERT_EQ(test, kmcl_wire_inband_build(&p, KMCL_PKT_COMP, 0, 8,
						     NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, p.nvec, 1);
	KUNIT_ASSERT_EQ(test, kmcl_ring_write(ring, p.vec, p.nvec, NULL), 0);

	pkt = wire_take(test, ring, &len);
	KUNIT_ASSERT_EQ(test, kmcl_wire_parse(pkt, len, 0, 0, &out), 0);
	KUNIT_EXPECT_EQ(test, out.type, KMCL_PKT_COMP);
	KUNIT_EXPECT_EQ(test, out.trans_id, 7);
	KUNIT_EXPECT_EQ(test, out.data_len, 8);
	KUNIT_EXPECT_MEMEQ(test, out.data, payload, 8);
	pkt = wire_take(test, ring, &len);
	KUNIT_ASSERT_EQ(test, kmcl_wire_parse(pkt, len, 0, 0, &out), 0);
	KUNIT_EXPECT_EQ(test, out.trans_id, 8);
	KUNIT_EXPECT_EQ(test, out.data_len, 0);
	KUNIT_EXPECT_EQ(test, len, 16);
}

/* Put a GPA range at @off of @buf; returns the offset after it. */
static u32 gpa_put(u8 *buf, u32 off, u32 byte_offset, u32 byte_count,
		   u64 first_pfn)
{
	u32 i, n = kmcl_wire_gpa_pfns(byte_offset, byte_count);

	put_unaligned(byte_count, (u32 *)(buf + off));
	put_unaligned(byte_offset, (u32 *)(buf + off + 4));
	for (i = 0; i < n; i++)
		put_unaligned(first_pfn + i, (u64 *)(buf + off + 8 + 8 * i));
	return off + 8 + 8 * n;
}

static void wire_gpa_pfns(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_pfns(0, 1), 1);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_pfns(0, 4096), 1);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_pfns(0, 4097), 2);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_pfns(4095, 1), 1);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_pfns(4095, 2), 2);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_pfns(100, 8192), 3);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_pfns(0, U32_MAX), 0x100000);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_pfns(4095, U32_MAX), 0x100001);
	/* A 32-bit sum would wrap to 1 here. */
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_pfns(4095, 0xfffff002), 0x100001);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_range_size(4095, 2), 24);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_range_size(0, U32_MAX),
			8 + 8ULL * 0x100000);
}

/* A GPA-direct packet: built, written, read, parsed, ranges walked. */
static void wire_gpa_roundtrip(struct kunit *test)
{
	static const u8 payload[20] = "gpa direct payload!";
	static const u64 zero;
	static const struct { u32 offset, count, npfn; u64 pfn; } want[] = {
		{ 0, 4096, 1, 0x100 },
		{ 4095, 2, 2, 0x200 },
		{ 100, 8192, 3, 0x300 },
	};
	struct kmcl_ring *ring = wire_ring(test);
	u8 *hdrbuf = kunit_kzalloc(test, 96, GFP_KERNEL);
	struct kmcl_gpa_direct_hdr *hdr = (void *)hdrbuf;
	const struct kmcl_gpa_range *r;
	struct kmcl_wire_packet out;
	u32 hdr_len = 0, pad = 0, len, off = sizeof(*hdr), i, j;
	struct kvec vec[3];
	u8 *pkt;

	KUNIT_ASSERT_NOT_NULL(test, hdrbuf);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		off = gpa_put(hdrbuf, off, want[i].offset, want[i].count,
			      want[i].pfn);
	KUNIT_ASSERT_EQ(test, off, 96);
	hdr->range_count = 3;
	hdr->reserved = 0xdeadbeef;
	KUNIT_ASSERT_EQ(test, kmcl_wire_gpa_direct_finish(hdr, 96,
							  KMCL_PKT_FLAG_COMPLETION_REQUESTED,
							  TID, 20, &hdr_len,
							  &pad), 0);
	KUNIT_EXPECT_EQ(test, hdr_len, 96);
	KUNIT_EXPECT_EQ(test, pad, 4);
	KUNIT_EXPECT_EQ(test, hdr->d.type, KMCL_PKT_DATA_USING_GPA_DIRECT);
	KUNIT_EXPECT_EQ(test, hdr->d.offset8, 12);
	KUNIT_EXPECT_EQ(test, hdr->d.len8, 15);
	KUNIT_EXPECT_EQ(test, hdr->d.flags, KMCL_PKT_FLAG_COMPLETION_REQUESTED);
	KUNIT_EXPECT_EQ(test, hdr->d.trans_id, TID);
	KUNIT_EXPECT_EQ(test, hdr->reserved, 0);

	vec[0].iov_base = hdrbuf;
	vec[0].iov_len = hdr_len;
	vec[1].iov_base = (void *)payload;
	vec[1].iov_len = sizeof(payload);
	vec[2].iov_base = (void *)&zero;
	vec[2].iov_len = pad;
	KUNIT_ASSERT_EQ(test, kmcl_ring_write(ring, vec, 3, NULL), 0);
	pkt = wire_take(test, ring, &len);
	KUNIT_EXPECT_EQ(test, len, 120);

	KUNIT_ASSERT_EQ(test, kmcl_wire_parse(pkt, len, 3, 12290, &out), 0);
	KUNIT_EXPECT_EQ(test, out.type, KMCL_PKT_DATA_USING_GPA_DIRECT);
	KUNIT_EXPECT_EQ(test, out.trans_id, TID);
	KUNIT_EXPECT_EQ(test, out.hdr_len, 96);
	KUNIT_EXPECT_EQ(test, out.data_len, 24);
	KUNIT_EXPECT_MEMEQ(test, out.data, payload, sizeof(payload));
	KUNIT_EXPECT_EQ(test, out.range_count, 3);
	KUNIT_EXPECT_EQ(test, out.range_bytes, 4096 + 2 + 8192);
	KUNIT_EXPECT_NULL(test, kmcl_wire_xfer_ranges(&out));
	r = kmcl_wire_gpa_ranges(&out);
	KUNIT_EXPECT_PTR_EQ(test, (const void *)r, (const void *)(pkt + 24));
	for (i = 0; i < out.range_count; i++) {
		KUNIT_EXPECT_EQ(test, r->byte_offset, want[i].offset);
		KUNIT_EXPECT_EQ(test, r->byte_count, want[i].count);
		for (j = 0; j < want[i].npfn; j++)
			KUNIT_EXPECT_EQ(test, r->pfn_array[j], want[i].pfn + j);
		r = kmcl_wire_gpa_next(r);
	}
	KUNIT_EXPECT_PTR_EQ(test, (const void *)r, out.data);

	/* The caller's limits are enforced. */
	KUNIT_EXPECT_EQ(test, kmcl_wire_parse(pkt, len, 2, 12290, &out),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, out.err, KMCL_WIRE_ERR_RANGE_COUNT);
	KUNIT_EXPECT_EQ(test, kmcl_wire_parse(pkt, len, 3, 12289, &out),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, out.err, KMCL_WIRE_ERR_TOTAL);
}

/* A transfer-page packet: built, parsed, ranges read. */
static void wire_xfer_roundtrip(struct kunit *test)
{
	u8 *pkt = kunit_kzalloc(test, 48, GFP_KERNEL);
	struct kmcl_xfer_page_hdr *hdr = (void *)pkt;
	const struct kmcl_xfer_range *r;
	struct kmcl_wire_packet out;
	u32 hdr_len = 0, pad = 99;

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	hdr->xfer_pageset_id = 0xcafe;
	hdr->sender_owns_set = 1;
	hdr->reserved = 0xaa;
	hdr->range_count = 2;
	hdr->ranges[0].byte_count = 100;
	hdr->ranges[0].byte_offset = 0;
	hdr->ranges[1].byte_count = 200;
	hdr->ranges[1].byte_offset = 4096;
	KUNIT_ASSERT_EQ(test, kmcl_wire_xfer_page_finish(hdr, 40, 0, TID, 8,
							 &hdr_len, &pad), 0);
	KUNIT_EXPECT_EQ(test, hdr_len, 40);
	KUNIT_EXPECT_EQ(test, pad, 0);
	KUNIT_EXPECT_EQ(test, hdr->d.type, KMCL_PKT_DATA_USING_XFER_PAGES);
	KUNIT_EXPECT_EQ(test, hdr->d.offset8, 5);
	KUNIT_EXPECT_EQ(test, hdr->d.len8, 6);
	KUNIT_EXPECT_EQ(test, hdr->reserved, 0);
	memset(pkt + 40, 0x77, 8);

	KUNIT_ASSERT_EQ(test, kmcl_wire_parse(pkt, 48, 2, 300, &out), 0);
	KUNIT_EXPECT_EQ(test, out.type, KMCL_PKT_DATA_USING_XFER_PAGES);
	KUNIT_EXPECT_EQ(test, out.flags, 0);
	KUNIT_EXPECT_EQ(test, out.xfer_pageset_id, 0xcafe);
	KUNIT_EXPECT_EQ(test, out.sender_owns_set, 1);
	KUNIT_EXPECT_EQ(test, out.range_count, 2);
	KUNIT_EXPECT_EQ(test, out.range_bytes, 300);
	KUNIT_EXPECT_EQ(test, out.hdr_len, 40);
	KUNIT_EXPECT_EQ(test, out.data_len, 8);
	KUNIT_EXPECT_PTR_EQ(test, out.data, (const void *)(pkt + 40));
	KUNIT_EXPECT_NULL(test, kmcl_wire_gpa_ranges(&out));
	r = kmcl_wire_xfer_ranges(&out);
	KUNIT_ASSERT_PTR_EQ(test, (const void *)r, (const void *)(pkt + 24));
	KUNIT_EXPECT_EQ(test, r[0].byte_count, 100);
	KUNIT_EXPECT_EQ(test, r[0].byte_offset, 0);
	KUNIT_EXPECT_EQ(test, r[1].byte_count, 200);
	KUNIT_EXPECT_EQ(test, r[1].byte_offset, 4096);
}

/*
 * kmcl_wire_gpa_direct_desc() with the ranges kept apart gives the header
 * kmcl_wire_gpa_direct_finish() gives with them in place, and refuses
 * ranges that do not fill their buffer exactly.
 */
static void wire_gpa_desc_split(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 96, GFP_KERNEL);
	struct kmcl_gpa_direct_hdr *whole = (void *)buf;
	struct kmcl_gpa_direct_hdr part;
	u32 hdr_len = 0, pad = 0, pad2 = 0, off = sizeof(*whole);
	const u8 *ranges = buf + sizeof(*whole);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	off = gpa_put(buf, off, 10, 5000, 0x40);
	off = gpa_put(buf, off, 0, 4096, 0x50);
	KUNIT_ASSERT_EQ(test, off, 64);
	whole->range_count = 2;
	KUNIT_ASSERT_EQ(test, kmcl_wire_gpa_direct_finish(whole, off,
							  KMCL_PKT_FLAG_COMPLETION_REQUESTED,
							  TID, 13, &hdr_len,
							  &pad), 0);
	memset(&part, 0xa5, sizeof(part));
	KUNIT_ASSERT_EQ(test, kmcl_wire_gpa_direct_desc(&part, ranges, off - 24,
							2, KMCL_PKT_FLAG_COMPLETION_REQUESTED,
							TID, 13, &pad2), 0);
	KUNIT_EXPECT_EQ(test, hdr_len, 64);
	KUNIT_EXPECT_EQ(test, pad2, pad);
	KUNIT_EXPECT_EQ(test, memcmp(&part, whole, sizeof(part)), 0);
	KUNIT_EXPECT_EQ(test, part.range_count, 2);

	/* Bytes left over after the last range, or missing from it. */
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_desc(&part, ranges, off - 16,
							2, 0, TID, 0, &pad2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_desc(&part, ranges, off - 32,
							2, 0, TID, 0, &pad2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_desc(&part, ranges, off - 24,
							0, 0, TID, 0, &pad2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_desc(&part, NULL, off - 24,
							2, 0, TID, 0, &pad2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_desc(&part, ranges, off - 24,
							2, 0, TID,
							KMCL_WIRE_MAX_PKT_LEN, &pad2),
			-EMSGSIZE);
}

static void wire_finish_bad(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct kmcl_gpa_direct_hdr *g = (void *)buf;
	struct kmcl_xfer_page_hdr *x = (void *)buf;
	u32 hdr_len = 0, pad = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* GPA direct: one range of two pages at 24..48. */
	gpa_put(buf, 24, 4095, 2, 0x10);
	g->range_count = 1;
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_finish(NULL, 64, 0, 1, 0,
							  &hdr_len, &pad),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_finish(g, 64, 0, 1, 0,
							  NULL, &pad), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_finish(g, 64, 0, 1, 0,
							  &hdr_len, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_finish(g, 23, 0, 1, 0,
							  &hdr_len, &pad),
			-EINVAL);
	/* The PFN array needs 48 bytes of buffer. */
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_finish(g, 47, 0, 1, 0,
							  &hdr_len, &pad),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_finish(g, 48, 0, 1,
							  KMCL_WIRE_MAX_PKT_LEN - 47,
							  &hdr_len, &pad),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_finish(g, 48, 0, 1, U32_MAX,
							  &hdr_len, &pad),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, hdr_len, 0);
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_finish(g, 48, 0, 1,
							  KMCL_WIRE_MAX_PKT_LEN - 48,
							  &hdr_len, &pad), 0);
	KUNIT_EXPECT_EQ(test, hdr_len, 48);
	KUNIT_EXPECT_EQ(test, g->d.len8, 0xffff);
	g->range_count = 0;
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_finish(g, 64, 0, 1, 0,
							  &hdr_len, &pad),
			-EINVAL);
	g->range_count = 1;
	put_unaligned(4096U, (u32 *)(buf + 28));
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_finish(g, 64, 0, 1, 0,
							  &hdr_len, &pad),
			-EINVAL);
	put_unaligned(0U, (u32 *)(buf + 28));
	put_unaligned(0U, (u32 *)(buf + 24));
	KUNIT_EXPECT_EQ(test, kmcl_wire_gpa_direct_finish(g, 64, 0, 1, 0,
							  &hdr_len, &pad),
			-EINVAL);

	/* Transfer pages: two ranges at 24..40. */
	memset(buf, 0, 64);
	x->range_count = 2;
	x->ranges[0].byte_count = 1;
	x->ranges[1].byte_count = 1;
	KUNIT_EXPECT_EQ(test, kmcl_wire_xfer_page_finish(NULL, 40, 0, 1, 0,
							 &hdr_len, &pad),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_xfer_page_finish(x, 39, 0, 1, 0,
							 &hdr_len, &pad),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_xfer_page_finish(x, 40, 0, 1, 0,
							 &hdr_len, &pad), 0);
	KUNIT_EXPECT_EQ(test, hdr_len, 40);
	x->ranges[1].byte_offset = U32_MAX;
	KUNIT_EXPECT_EQ(test, kmcl_wire_xfer_page_finish(x, 40, 0, 1, 0,
							 &hdr_len, &pad),
			-EINVAL);
	x->ranges[1].byte_offset = 0;
	x->ranges[0].byte_count = 0;
	KUNIT_EXPECT_EQ(test, kmcl_wire_xfer_page_finish(x, 40, 0, 1, 0,
							 &hdr_len, &pad),
			-EINVAL);
	x->range_count = 0;
	KUNIT_EXPECT_EQ(test, kmcl_wire_xfer_page_finish(x, 40, 0, 1, 0,
							 &hdr_len, &pad),
			-EINVAL);
}

enum wire_base { BASE_INBAND, BASE_GPA, BASE_XFER };

/*
 * The three packets the hostile cases start from.
 * In-band, 32 bytes: descriptor, 16 data bytes.
 * GPA direct, 80 bytes: header (range_count at 20), range 0 at 24
 * (byte_count 8192 at 24, byte_offset 16 at 28, 3 PFNs), range 1 at 56
 * (byte_count 100 at 56, byte_offset 0 at 60, 1 PFN), 8 data bytes at 72.
 * Transfer pages, 48 bytes: header (range_count at 20), ranges
 * {300, 0} at 24 and {500, 4096} at 32, 8 data bytes at 40.
 */
static u32 wire_base_pkt(enum wire_base base, u8 *buf)
{
	struct kmcl_vmpacket_desc *d = (void *)buf;
	u32 i;

	d->flags = KMCL_PKT_FLAG_COMPLETION_REQUESTED;
	d->trans_id = TID;
	switch (base) {
	case BASE_INBAND:
		d->type = KMCL_PKT_DATA_INBAND;
		d->offset8 = 2;
		d->len8 = 4;
		for (i = 16; i < 32; i++)
			buf[i] = i;
		return 32;
	case BASE_GPA:
		d->type = KMCL_PKT_DATA_USING_GPA_DIRECT;
		d->offset8 = 9;
		d->len8 = 10;
		put_unaligned(2U, (u32 *)(buf + 20));
		gpa_put(buf, 24, 16, 8192, 0x1000);
		gpa_put(buf, 56, 0, 100, 0x2000);
		memset(buf + 72, 0x72, 8);
		return 80;
	case BASE_XFER:
	default:
		d->type = KMCL_PKT_DATA_USING_XFER_PAGES;
		d->offset8 = 5;
		d->len8 = 6;
		buf[16] = 0x34;
		buf[17] = 0x12;
		buf[18] = 1;
		put_unaligned(2U, (u32 *)(buf + 20));
		put_unaligned(300U, (u32 *)(buf + 24));
		put_unaligned(0U, (u32 *)(buf + 28));
		put_unaligned(500U, (u32 *)(buf + 32));
		put_unaligned(4096U, (u32 *)(buf + 36));
		memset(buf + 40, 0x40, 8);
		return 48;
	}
}

struct wire_poke {
	u8 off;
	u8 width;		/* 2 or 4; 0 ends the list */
	u32 val;
};

#define P16(o, v) { .off = (o), .width = 2, .val = (v) }
#define P32(o, v) { .off = (o), .width = 4, .val = (v) }

struct wire_case {
	const char *name;
	enum wire_base base;
	struct wire_poke poke[2];
	bool set_len;		/* parse only @len bytes (0 allowed) */
	u32 len;
	bool limits;		/* else 16 ranges, 1 MiB */
	u32 max_ranges;
	u64 max_bytes;
	int ret;
	enum kmcl_wire_err err;
	u32 ranges;		/* on success */
	u32 data_len;
	u64 bytes;
};

#define OK_INBAND(d)	.ret = 0, .data_len = (d)
#define OK_GPA(d)	.ret = 0, .ranges = 2, .data_len = (d), .bytes = 8292
#define OK_XFER(d)	.ret = 0, .ranges = 2, .data_len = (d), .bytes = 800
#define BAD(e)		.ret = -EBADMSG, .err = (e)
#define LIMITS(r, b)	.limits = true, .max_ranges = (r), .max_bytes = (b)

static const struct wire_case wire_cases[] = {
	/* Framing, on an in-band packet. */
	{ "inband_ok", BASE_INBAND, {}, OK_INBAND(16) },
	{ "comp_ok", BASE_INBAND, { P16(0, KMCL_PKT_COMP) }, OK_INBAND(16) },
	{ "len_0", BASE_INBAND, {}, true, 0, BAD(KMCL_WIRE_ERR_SHORT) },
	{ "len_15", BASE_INBAND, {}, true, 15, BAD(KMCL_WIRE_ERR_SHORT) },
	{ "len_past_len8", BASE_INBAND, {}, true, 40, OK_INBAND(16) },
	{ "len_cuts_packet", BASE_INBAND, {}, true, 24,
	  BAD(KMCL_WIRE_ERR_LEN8_OVERRUN) },
	{ "len8_0", BASE_INBAND, { P16(4, 0) }, BAD(KMCL_WIRE_ERR_LEN8_SMALL) },
	{ "len8_1", BASE_INBAND, { P16(4, 1) }, BAD(KMCL_WIRE_ERR_LEN8_SMALL) },
	{ "len8_past_len", BASE_INBAND, { P16(4, 5) },
	  BAD(KMCL_WIRE_ERR_LEN8_OVERRUN) },
	{ "len8_max", BASE_INBAND, { P16(4, 0xffff) },
	  BAD(KMCL_WIRE_ERR_LEN8_OVERRUN) },
	{ "len8_shorter", BASE_INBAND, { P16(4, 3) }, OK_INBAND(8) },
	{ "offset8_0", BASE_INBAND, { P16(2, 0) }, BAD(KMCL_WIRE_ERR_OFFSET8) },
	{ "offset8_1", BASE_INBAND, { P16(2, 1) }, BAD(KMCL_WIRE_ERR_OFFSET8) },
	{ "offset8_past_len8", BASE_INBAND, { P16(2, 5) },
	  BAD(KMCL_WIRE_ERR_OFFSET8) },
	{ "offset8_max", BASE_INBAND, { P16(2, 0xffff) },
	  BAD(KMCL_WIRE_ERR_OFFSET8) },
	{ "offset8_is_len8", BASE_INBAND, { P16(2, 4) }, OK_INBAND(0) },
	/* Types: unknown ones are -EPROTO once the framing is sound. */
	{ "type_0", BASE_INBAND, { P16(0, 0) }, .ret = -EPROTO,
	  .err = KMCL_WIRE_ERR_TYPE },
	{ "type_synch", BASE_INBAND, { P16(0, 1) }, .ret = -EPROTO,
	  .err = KMCL_WIRE_ERR_TYPE },
	{ "type_gpadl", BASE_INBAND, { P16(0, 8) }, .ret = -EPROTO,
	  .err = KMCL_WIRE_ERR_TYPE },
	{ "type_cancel", BASE_INBAND, { P16(0, 10) }, .ret = -EPROTO,
	  .err = KMCL_WIRE_ERR_TYPE },
	{ "type_max", BASE_INBAND, { P16(0, 0xffff) }, .ret = -EPROTO,
	  .err = KMCL_WIRE_ERR_TYPE },
	{ "type_bad_framing_bad", BASE_INBAND, { P16(0, 0xffff), P16(4, 0) },
	  BAD(KMCL_WIRE_ERR_LEN8_SMALL) },
	/* GPA direct. */
	{ "gpa_ok", BASE_GPA, {}, OK_GPA(8) },
	{ "gpa_slack_before_data", BASE_GPA, { P16(2, 10) }, OK_GPA(0) },
	{ "gpa_offset8_in_desc", BASE_GPA, { P16(2, 1) },
	  BAD(KMCL_WIRE_ERR_OFFSET8) },
	{ "gpa_no_room_for_header", BASE_GPA, { P16(2, 2) },
	  BAD(KMCL_WIRE_ERR_HDR) },
	{ "gpa_count_0", BASE_GPA, { P32(20, 0) },
	  BAD(KMCL_WIRE_ERR_RANGE_COUNT) },
	{ "gpa_count_above_max", BASE_GPA, {}, LIMITS(1, SZ_1M),
	  BAD(KMCL_WIRE_ERR_RANGE_COUNT) },
	{ "gpa_count_at_max", BASE_GPA, {}, LIMITS(2, SZ_1M), OK_GPA(8) },
	{ "gpa_count_3", BASE_GPA, { P32(20, 3) },
	  BAD(KMCL_WIRE_ERR_RANGE_OVERRUN) },
	{ "gpa_count_huge", BASE_GPA, { P32(20, U32_MAX) },
	  LIMITS(U32_MAX, U64_MAX), BAD(KMCL_WIRE_ERR_RANGE_OVERRUN) },
	{ "gpa_byte_offset_4096", BASE_GPA, { P32(28, 4096) },
	  BAD(KMCL_WIRE_ERR_RANGE_OFFSET) },
	{ "gpa_byte_offset_max", BASE_GPA, { P32(28, U32_MAX) },
	  BAD(KMCL_WIRE_ERR_RANGE_OFFSET) },
	{ "gpa_byte_offset_4095", BASE_GPA, { P32(28, 4095) }, OK_GPA(8) },
	{ "gpa_byte_count_0", BASE_GPA, { P32(24, 0) },
	  BAD(KMCL_WIRE_ERR_RANGE_EMPTY) },
	{ "gpa_second_byte_count_0", BASE_GPA, { P32(56, 0) },
	  BAD(KMCL_WIRE_ERR_RANGE_EMPTY) },
	{ "gpa_pfns_past_offset8", BASE_GPA, { P32(24, 0x10000) },
	  BAD(KMCL_WIRE_ERR_RANGE_OVERRUN) },
	{ "gpa_needs_4th_pfn", BASE_GPA, { P32(24, 12273) },
	  BAD(KMCL_WIRE_ERR_RANGE_OVERRUN) },
	{ "gpa_count_wraps_u32", BASE_GPA,
	  { P32(28, 4095), P32(24, 0xfffff002) }, LIMITS(16, U64_MAX),
	  BAD(KMCL_WIRE_ERR_RANGE_OVERRUN) },
	{ "gpa_count_u32_max", BASE_GPA, { P32(24, U32_MAX) },
	  LIMITS(16, U64_MAX), BAD(KMCL_WIRE_ERR_RANGE_OVERRUN) },
	{ "gpa_offset8_cuts_range", BASE_GPA, { P16(2, 8) },
	  BAD(KMCL_WIRE_ERR_RANGE_OVERRUN) },
	{ "gpa_total_above_max", BASE_GPA, {}, LIMITS(16, 8291),
	  BAD(KMCL_WIRE_ERR_TOTAL) },
	{ "gpa_total_at_max", BASE_GPA, {}, LIMITS(16, 8292), OK_GPA(8) },
	/* Transfer pages. */
	{ "xfer_ok", BASE_XFER, {}, OK_XFER(8) },
	{ "xfer_no_room_for_header", BASE_XFER, { P16(2, 2) },
	  BAD(KMCL_WIRE_ERR_HDR) },
	{ "xfer_count_0", BASE_XFER, { P32(20, 0) },
	  BAD(KMCL_WIRE_ERR_RANGE_COUNT) },
	{ "xfer_count_above_max", BASE_XFER, {}, LIMITS(1, SZ_1M),
	  BAD(KMCL_WIRE_ERR_RANGE_COUNT) },
	{ "xfer_count_3", BASE_XFER, { P32(20, 3) },
	  BAD(KMCL_WIRE_ERR_RANGE_OVERRUN) },
	{ "xfer_count_wraps_u32", BASE_XFER, { P32(20, 0x20000000) },
	  LIMITS(U32_MAX, U64_MAX), BAD(KMCL_WIRE_ERR_RANGE_OVERRUN) },
	{ "xfer_offset8_cuts_range", BASE_XFER, { P16(2, 4) },
	  BAD(KMCL_WIRE_ERR_RANGE_OVERRUN) },
	{ "xfer_byte_count_0", BASE_XFER, { P32(24, 0) },
	  BAD(KMCL_WIRE_ERR_RANGE_EMPTY) },
	{ "xfer_end_wraps", BASE_XFER, { P32(36, U32_MAX) },
	  BAD(KMCL_WIRE_ERR_RANGE_END) },
	{ "xfer_end_at_4g", BASE_XFER, { P32(36, 0xfffffe0c) },
	  BAD(KMCL_WIRE_ERR_RANGE_END) },
	{ "xfer_end_below_4g", BASE_XFER, { P32(36, 0xfffffe0b) }, OK_XFER(8) },
	{ "xfer_total_above_max", BASE_XFER, {}, LIMITS(16, 799),
	  BAD(KMCL_WIRE_ERR_TOTAL) },
	{ "xfer_total_at_max", BASE_XFER, {}, LIMITS(16, 800), OK_XFER(8) },
};

KUNIT_ARRAY_PARAM_DESC(wire, wire_cases, name);

static void wire_parse_cases(struct kunit *test)
{
	const struct wire_case *c = test->param_value;
	u32 max_ranges = c->limits ? c->max_ranges : 16;
	u64 max_bytes = c->limits ? c->max_bytes : SZ_1M;
	struct kmcl_wire_packet out;
	u8 base[128] = { };
	u32 len, i;
	u8 *pkt;

	len = wire_base_pkt(c->base, base);
	for (i = 0; i < ARRAY_SIZE(c->poke) && c->poke[i].width; i++) {
		if (c->poke[i].width == 2)
			put_unaligned(c->poke[i].val, (u16 *)(base + c->poke[i].off));
		else
			put_unaligned(c->poke[i].val, (u32 *)(base + c->poke[i].off));
	}
	if (c->set_len)
		len = c->len;
	/* Exactly @len bytes, so KASAN sees any read past the end. */
	pkt = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	memcpy(pkt, base, min_t(u32, len, sizeof(base)));

	memset(&out, 0x5a, sizeof(out));
	KUNIT_ASSERT_EQ(test, kmcl_wire_parse(pkt, len, max_ranges, max_bytes,
					      &out), c->ret);
	KUNIT_EXPECT_EQ(test, out.err, c->err);
	KUNIT_EXPECT_STREQ(test, kmcl_wire_err_name(out.err),
			   kmcl_wire_err_name(c->err));
	if (c->ret) {
		KUNIT_EXPECT_EQ(test, out.type, 0);
		KUNIT_EXPECT_EQ(test, out.trans_id, 0);
		KUNIT_EXPECT_NULL(test, out.data);
		KUNIT_EXPECT_EQ(test, out.data_len, 0);
		KUNIT_EXPECT_EQ(test, out.range_count, 0);
		KUNIT_EXPECT_NULL(test, out.ranges);
		return;
	}
	KUNIT_EXPECT_EQ(test, out.type, get_unaligned((u16 *)base));
	KUNIT_EXPECT_EQ(test, out.flags, KMCL_PKT_FLAG_COMPLETION_REQUESTED);
	KUNIT_EXPECT_EQ(test, out.trans_id, TID);
	KUNIT_EXPECT_EQ(test, out.hdr_len, 8 * get_unaligned((u16 *)(base + 2)));
	KUNIT_EXPECT_EQ(test, out.pkt_len, 8 * get_unaligned((u16 *)(base + 4)));
	KUNIT_EXPECT_PTR_EQ(test, out.data, (const void *)(pkt + out.hdr_len));
	KUNIT_EXPECT_EQ(test, out.data_len, c->data_len);
	KUNIT_EXPECT_EQ(test, out.range_count, c->ranges);
	KUNIT_EXPECT_EQ(test, out.range_bytes, c->bytes);
	if (c->ranges)
		KUNIT_EXPECT_PTR_EQ(test, out.ranges, (const void *)(pkt + 24));
	else
		KUNIT_EXPECT_NULL(test, out.ranges);
	KUNIT_EXPECT_EQ(test, out.xfer_pageset_id,
			c->base == BASE_XFER ? 0x1234 : 0);
	KUNIT_EXPECT_EQ(test, out.sender_owns_set, c->base == BASE_XFER);
}

static void wire_parse_null(struct kunit *test)
{
	struct kmcl_wire_packet out;
	u8 pkt[32] = { };

	KUNIT_EXPECT_EQ(test, kmcl_wire_parse(NULL, 32, 1, 1, &out), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_wire_parse(pkt, 32, 1, 1, NULL), -EINVAL);
}

/* Every reason has its own name, for logs and counters. */
static void wire_err_names(struct kunit *test)
{
	u32 i, j;

	KUNIT_EXPECT_STREQ(test, kmcl_wire_err_name(KMCL_WIRE_OK), "ok");
	KUNIT_EXPECT_STREQ(test, kmcl_wire_err_name(KMCL_WIRE_ERR_TYPE),
			   "type");
	KUNIT_EXPECT_STREQ(test, kmcl_wire_err_name(KMCL_WIRE_ERR_COUNT),
			   "unknown");
	KUNIT_EXPECT_STREQ(test, kmcl_wire_err_name((enum kmcl_wire_err)-1),
			   "unknown");
	for (i = 0; i < KMCL_WIRE_ERR_COUNT; i++) {
		KUNIT_ASSERT_NOT_NULL(test, kmcl_wire_err_name(i));
		KUNIT_EXPECT_STRNEQ(test, kmcl_wire_err_name(i), "unknown");
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(test, kmcl_wire_err_name(i),
					    kmcl_wire_err_name(j));
	}
}

static struct kunit_case kmcl_wire_cases[] = {
	KUNIT_CASE(wire_desc_bytes),
	KUNIT_CASE_PARAM(wire_inband_sizes, wire_size_gen_params),
	KUNIT_CASE(wire_inband_bad_args),
	KUNIT_CASE(wire_comp_desc),
	KUNIT_CASE(wire_inband_roundtrip),
	KUNIT_CASE(wire_gpa_pfns),
	KUNIT_CASE(wire_gpa_roundtrip),
	KUNIT_CASE(wire_xfer_roundtrip),
	KUNIT_CASE(wire_finish_bad),
	KUNIT_CASE(wire_gpa_desc_split),
	KUNIT_CASE_PARAM(wire_parse_cases, wire_gen_params),
	KUNIT_CASE(wire_parse_null),
	KUNIT_CASE(wire_err_names),
	{}
};

static struct kunit_suite kmcl_wire_suite = {
	.name = "kmcl_wire",
	.test_cases = kmcl_wire_cases,
};

kunit_test_suite(kmcl_wire_suite);
