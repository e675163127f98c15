// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the VMBus ring buffer (kmcl/ring.c): real rings in
 * kmalloc'ed memory, written and read back byte for byte, and rings a
 * hostile peer has scribbled on. The ring memory is allocated at its exact
 * size, so KASAN reports any access outside it.
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "core_compat.h"
#include "ring.h"

KMCL_IMPORT(KMCL);

#define PAGE4K		4096U
#define DATA2		PAGE4K		/* data area of a two-page ring */
#define TRAILER		KMCL_RING_TRAILER_SIZE

/* A ring and its memory, both freed with the test. */
static struct kmcl_ring *ring_new(struct kunit *test, u32 total)
{
	struct kmcl_ring *ring = kunit_kzalloc(test, sizeof(*ring), GFP_KERNEL);
	void *mem = kunit_kzalloc(test, total, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ring);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, kmcl_ring_init(ring, mem, total), 0);
	return ring;
}

/* Length of the packet that carries @payload_len in-band bytes. */
static u32 pkt_len(u32 payload_len)
{
	return sizeof(struct kmcl_vmpacket_desc) + round_up(payload_len, 8);
}

/*
 * The exact bytes of a test packet: an in-band descriptor with trans_id
 * 0x1000 + @seed, then @payload_len bytes of a pattern made from @seed,
 * then zero padding. Returns a buffer of pkt_len(@payload_len) bytes.
 */
static u8 *pkt_make(struct kunit *test, u32 payload_len, u8 seed)
{
	u32 len = pkt_len(payload_len);
	u8 *pkt = kunit_kzalloc(test, len, GFP_KERNEL);
	struct kmcl_vmpacket_desc d = {
		.type = KMCL_PKT_DATA_INBAND,
		.offset8 = 2,
		.len8 = len / 8,
		.flags = KMCL_PKT_FLAG_COMPLETION_REQUESTED,
		.trans_id = 0x1000 + seed,
	};
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	memcpy(pkt, &d, sizeof(d));
	for (i = 0; i < payload_len; i++)
		pkt[sizeof(d) + i] = (u8)(seed * 31 + i * 7 + 1);
	return pkt;
}

/* Write the test packet as descriptor, payload and padding pieces. */
static int pkt_put(struct kunit *test, struct kmcl_ring *ring,
		   u32 payload_len, u8 seed, bool *signal)
{
	u8 *pkt = pkt_make(test, payload_len, seed);
	static const u64 zero;
	struct kvec vec[3] = {
		{ .iov_base = pkt, .iov_len = 16 },
		{ .iov_base = pkt + 16, .iov_len = payload_len },
		{ .iov_base = (void *)&zero,
		  .iov_len = round_up(payload_len, 8) - payload_len },
	};

	return kmcl_ring_write(ring, vec, 3, signal);
}

/* Peek the next packet, check it is exactly the test packet, consume it. */
static void pkt_get(struct kunit *test, struct kmcl_ring *ring,
		    u32 payload_len, u8 seed)
{
	u32 len = pkt_len(payload_len), got = 0;
	u8 *want = pkt_make(test, payload_len, seed);
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kmcl_ring_peek(ring, buf, len, &got), 0);
	KUNIT_ASSERT_EQ(test, got, len);
	KUNIT_EXPECT_MEMEQ(test, buf, want, len);
	KUNIT_ASSERT_EQ(test, kmcl_ring_consume(ring, got, NULL), 0);
}

/* Read 8 bytes of the data area at an 8-aligned offset. */
static u64 ring_u64(struct kmcl_ring *ring, u32 off)
{
	u64 v;

	memcpy(&v, ring->data + off, sizeof(v));
	return v;
}

/* Point both indexes at @pos and take a fresh view of the ring. */
static void ring_move_to(struct kunit *test, struct kmcl_ring *ring, u32 pos)
{
	u32 total = ring->data_size + KMCL_RING_HDR_SIZE;

	ring->hdr->read_index = pos;
	ring->hdr->write_index = pos;
	KUNIT_ASSERT_EQ(test, kmcl_ring_attach(ring, ring->hdr, total), 0);
}

struct ring_size_case {
	const char *name;
	u32 total;
	int ret;
};

static const struct ring_size_case ring_size_cases[] = {
	{ "zero", 0, -EINVAL },
	{ "one_page", PAGE4K, -EINVAL },
	{ "two_pages_minus_8", 2 * PAGE4K - 8, -EINVAL },
	{ "two_pages", 2 * PAGE4K, 0 },
	{ "two_pages_plus_8", 2 * PAGE4K + 8, -EINVAL },
	{ "three_pages", 3 * PAGE4K, 0 },
	{ "max", KMCL_RING_MAX_SIZE, 0 },
	{ "max_plus_page", KMCL_RING_MAX_SIZE + PAGE4K, -EINVAL },
	{ "u32_max_pages", U32_MAX & ~(PAGE4K - 1), -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(ring_size, ring_size_cases, name);

/* Sizes are checked; init writes only the control page, attach nothing. */
static void ring_init_size(struct kunit *test)
{
	const struct ring_size_case *c = test->param_value;
	struct kmcl_ring ring;
	u8 *mem = kunit_kmalloc(test, 2 * PAGE4K, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mem);
	memset(mem, 0xaa, 2 * PAGE4K);
	memset(mem, 0, 8);
	KUNIT_EXPECT_EQ(test, kmcl_ring_attach(&ring, mem, c->total), c->ret);
	KUNIT_EXPECT_EQ(test, kmcl_ring_init(&ring, mem, c->total), c->ret);
	if (c->ret) {
		KUNIT_EXPECT_NULL(test, ring.hdr);
		KUNIT_EXPECT_EQ(test, mem[0], 0);
		KUNIT_EXPECT_EQ(test, mem[8], 0xaa);
		return;
	}
	KUNIT_EXPECT_PTR_EQ(test, (void *)ring.hdr, (void *)mem);
	KUNIT_EXPECT_PTR_EQ(test, (void *)ring.data, (void *)(mem + PAGE4K));
	KUNIT_EXPECT_EQ(test, ring.data_size, c->total - PAGE4K);
	/* Only the control page was written. */
	KUNIT_EXPECT_EQ(test, mem[PAGE4K], 0xaa);
	KUNIT_EXPECT_EQ(test, mem[2 * PAGE4K - 1], 0xaa);
}

static void ring_init_bad_args(struct kunit *test)
{
	struct kmcl_ring ring;
	u8 *mem = kunit_kzalloc(test, 2 * PAGE4K + 8, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_EXPECT_EQ(test, kmcl_ring_init(NULL, mem, 2 * PAGE4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_ring_init(&ring, NULL, 2 * PAGE4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_ring_init(&ring, mem + 4, 2 * PAGE4K),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_ring_attach(NULL, mem, 2 * PAGE4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_ring_attach(&ring, NULL, 2 * PAGE4K),
			-EINVAL);
}

/* The control page after init: all zero except feature bit 0. */
static void ring_init_header(struct kunit *test)
{
	struct kmcl_ring ring;
	u8 *mem = kunit_kmalloc(test, 3 * PAGE4K, GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	memset(mem, 0x5a, 3 * PAGE4K);
	KUNIT_ASSERT_EQ(test, kmcl_ring_init(&ring, mem, 3 * PAGE4K), 0);
	for (i = 0; i < PAGE4K; i++)
		KUNIT_ASSERT_EQ_MSG(test, mem[i], i == 64 ? 1 : 0,
				    "control page byte %u", i);
	KUNIT_EXPECT_EQ(test, mem[PAGE4K], 0x5a);
	KUNIT_EXPECT_EQ(test, ring.data_size, 2 * PAGE4K);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_write(&ring), 2 * PAGE4K);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_read(&ring), 0);
	KUNIT_EXPECT_TRUE(test, kmcl_ring_empty(&ring));
	KUNIT_EXPECT_EQ(test, kmcl_ring_max_pktlen(&ring), 2 * PAGE4K - 16);
}

/* Three packets in, the exact bytes, trailers and indexes, then out. */
static void ring_roundtrip(struct kunit *test)
{
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	static const u32 sizes[] = { 0, 5, 40 };
	u32 start[ARRAY_SIZE(sizes)], pos = 0, i;
	bool signal;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		start[i] = pos;
		KUNIT_ASSERT_EQ(test, pkt_put(test, ring, sizes[i], i, &signal),
				0);
		/* Only the first packet finds the ring empty. */
		KUNIT_EXPECT_EQ(test, signal, i == 0);
		pos += pkt_len(sizes[i]) + TRAILER;
		KUNIT_EXPECT_EQ(test, ring->hdr->write_index, pos);
	}
	KUNIT_EXPECT_EQ(test, pos, (16 + 8) + (24 + 8) + (56 + 8));
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_read(ring), pos);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_write(ring), DATA2 - pos);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u32 end = start[i] + pkt_len(sizes[i]);

		KUNIT_EXPECT_MEMEQ(test, ring->data + start[i],
				   pkt_make(test, sizes[i], i),
				   pkt_len(sizes[i]));
		KUNIT_EXPECT_EQ(test, ring_u64(ring, end), (u64)start[i] << 32);
	}

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KUNIT_EXPECT_FALSE(test, kmcl_ring_empty(ring));
		pkt_get(test, ring, sizes[i], i);
		KUNIT_EXPECT_EQ(test, ring->hdr->read_index,
				start[i] + pkt_len(sizes[i]) + TRAILER);
	}
	KUNIT_EXPECT_TRUE(test, kmcl_ring_empty(ring));
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_read(ring), 0);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_write(ring), DATA2);
	{
		u32 len = 0;

		KUNIT_EXPECT_EQ(test, kmcl_ring_peek(ring, NULL, 0, &len),
				-EAGAIN);
		KUNIT_EXPECT_EQ(test, len, 0);
	}
}

struct ring_wrap_case {
	const char *name;
	u32 start;
};

/* A 120-byte packet (100 payload bytes) written at various offsets. */
static const struct ring_wrap_case ring_wrap_cases[] = {
	{ "start_0", 0 },
	{ "middle", 2048 },
	{ "desc_split", DATA2 - 8 },
	{ "desc_at_end", DATA2 - 16 },
	{ "payload_split", DATA2 - 64 },
	{ "trailer_at_0", DATA2 - 120 },
	{ "trailer_at_end", DATA2 - 128 },
	{ "no_wrap_near_end", DATA2 - 136 },
};

KUNIT_ARRAY_PARAM_DESC(ring_wrap, ring_wrap_cases, name);

/*
 * kmcl_ring_next_type(): the type of the packet at the read index, 0 for
 * an empty ring or a write_index out of range or unaligned; the reader's
 * index does not move.
 */
static void ring_next_type(struct kunit *test)
{
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	struct kmcl_vmpacket_desc *d;
	u32 w;

	KUNIT_EXPECT_EQ(test, kmcl_ring_next_type(NULL), 0);
	KUNIT_EXPECT_EQ(test, kmcl_ring_next_type(ring), 0);
	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 8, 1, NULL), 0);
	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 8, 2, NULL), 0);
	KUNIT_EXPECT_EQ(test, kmcl_ring_next_type(ring), KMCL_PKT_DATA_INBAND);
	/* The peer changes the first packet's type: the hint follows. */
	d = (struct kmcl_vmpacket_desc *)ring->data;
	d->type = KMCL_PKT_COMP;
	KUNIT_EXPECT_EQ(test, kmcl_ring_next_type(ring), KMCL_PKT_COMP);
	KUNIT_EXPECT_EQ(test, ring->read, 0U);
	d->type = KMCL_PKT_DATA_INBAND;
	pkt_get(test, ring, 8, 1);
	KUNIT_EXPECT_EQ(test, kmcl_ring_next_type(ring), KMCL_PKT_DATA_INBAND);
	/* A corrupt write_index gives no hint (peek reports it). */
	w = ring->hdr->write_index;
	ring->hdr->write_index = w + 4;
	KUNIT_EXPECT_EQ(test, kmcl_ring_next_type(ring), 0);
	ring->hdr->write_index = DATA2;
	KUNIT_EXPECT_EQ(test, kmcl_ring_next_type(ring), 0);
	ring->hdr->write_index = w;
	pkt_get(test, ring, 8, 2);
	KUNIT_EXPECT_EQ(test, kmcl_ring_next_type(ring), 0);
}

static void ring_wrap(struct kunit *test)
{
	const struct ring_wrap_case *c = test->param_value;
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	u8 *want = pkt_make(test, 100, 9);
	u32 len = pkt_len(100), i, next;
	bool signal;

	KUNIT_ASSERT_EQ(test, len, 120);
	ring_move_to(test, ring, c->start);
	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 100, 9, &signal), 0);
	KUNIT_EXPECT_TRUE(test, signal);

	next = (c->start + len + TRAILER) % DATA2;
	KUNIT_EXPECT_EQ(test, ring->hdr->write_index, next);
	for (i = 0; i < len; i++)
		KUNIT_ASSERT_EQ_MSG(test, ring->data[(c->start + i) % DATA2],
				    want[i], "packet byte %u", i);
	KUNIT_EXPECT_EQ(test, ring_u64(ring, (c->start + len) % DATA2),
			(u64)c->start << 32);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_read(ring), len + TRAILER);

	pkt_get(test, ring, 100, 9);
	KUNIT_EXPECT_EQ(test, ring->hdr->read_index, next);
	KUNIT_EXPECT_TRUE(test, kmcl_ring_empty(ring));
}

/* Hundreds of packets of changing sizes through a small ring. */
static void ring_many_packets(struct kunit *test)
{
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	u32 written = 0, read = 0, bytes = 0;
	const u32 count = 600;

	while (read < count) {
		while (written < count) {
			u32 size = (written * 53) % 700;
			int ret = pkt_put(test, ring, size, written & 0xff,
					  NULL);

			if (ret == -EAGAIN)
				break;
			KUNIT_ASSERT_EQ(test, ret, 0);
			bytes += pkt_len(size) + TRAILER;
			written++;
		}
		/* Read two for every burst, so the ring stays mostly full. */
		pkt_get(test, ring, (read * 53) % 700, read & 0xff);
		read++;
		if (read < written) {
			pkt_get(test, ring, (read * 53) % 700, read & 0xff);
			read++;
		}
	}
	KUNIT_EXPECT_EQ(test, written, count);
	KUNIT_EXPECT_TRUE(test, kmcl_ring_empty(ring));
	/* The ring wrapped many times and the indexes agree with the bytes. */
	KUNIT_EXPECT_EQ(test, bytes, 225704);	/* 55 times round, and 424 */
	KUNIT_EXPECT_EQ(test, ring->hdr->read_index, 424);
	KUNIT_EXPECT_EQ(test, ring->hdr->write_index, 424);
}

/* Room rules: strictly more than packet + trailer must be free. */
static void ring_full(struct kunit *test)
{
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	u32 i;

	/* 1024-byte packets: three take 3096 bytes and leave 1000 free. */
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 1008, i, NULL), 0);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_write(ring), 1000);
	KUNIT_EXPECT_EQ(test, pkt_put(test, ring, 1008, 3, NULL), -EAGAIN);
	/* 992 + 8 == 1000 would fill the ring exactly: refused. */
	KUNIT_EXPECT_EQ(test, pkt_put(test, ring, 976, 3, NULL), -EAGAIN);
	KUNIT_EXPECT_EQ(test, ring->hdr->write_index, 3096);
	/* 984 + 8 < 1000 fits and leaves 8 bytes. */
	KUNIT_EXPECT_EQ(test, pkt_put(test, ring, 968, 3, NULL), 0);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_write(ring), 8);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_read(ring), DATA2 - 8);
	KUNIT_EXPECT_EQ(test, pkt_put(test, ring, 0, 4, NULL), -EAGAIN);
	KUNIT_EXPECT_EQ(test, ring->hdr->write_index, DATA2 - 8);

	for (i = 0; i < 3; i++)
		pkt_get(test, ring, 1008, i);
	pkt_get(test, ring, 968, 3);
	KUNIT_EXPECT_TRUE(test, kmcl_ring_empty(ring));
}

static void ring_never_fits(struct kunit *test)
{
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	static u8 big[8];
	struct kvec huge[2] = {
		{ .iov_base = big, .iov_len = 16 },
		{ .iov_base = big, .iov_len = SZ_1M },
	};

	/* 4088 + 8 trailer would fill the empty ring: can never be sent. */
	KUNIT_EXPECT_EQ(test, pkt_put(test, ring, DATA2 - 24, 0, NULL),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, kmcl_ring_write(ring, huge, 2, NULL), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, ring->hdr->write_index, 0);
	/* The largest packet fits an empty ring, and not a non-empty one. */
	KUNIT_EXPECT_EQ(test, kmcl_ring_max_pktlen(ring), DATA2 - 16);
	KUNIT_EXPECT_EQ(test, pkt_put(test, ring, DATA2 - 32, 1, NULL), 0);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_write(ring), 8);
	KUNIT_EXPECT_EQ(test, pkt_put(test, ring, DATA2 - 24, 2, NULL),
			-EMSGSIZE);
	pkt_get(test, ring, DATA2 - 32, 1);
	KUNIT_EXPECT_EQ(test, pkt_put(test, ring, 0, 3, NULL), 0);
	KUNIT_EXPECT_EQ(test, pkt_put(test, ring, DATA2 - 32, 4, NULL),
			-EAGAIN);
}

struct ring_badpkt_case {
	const char *name;
	u16 len8;		/* descriptor len8 */
	u16 offset8;		/* descriptor offset8 */
	u32 len0;		/* bytes in the first piece */
	u32 len1;		/* bytes in the second piece */
	bool null1;		/* second piece has a NULL base */
	unsigned int nvec;
	int ret;
};

static const struct ring_badpkt_case ring_badpkt_cases[] = {
	{ "valid", 4, 2, 16, 16, false, 2, 0 },
	{ "no_pieces", 4, 2, 16, 16, false, 0, -EINVAL },
	{ "not_multiple_of_8", 3, 2, 16, 4, false, 2, -EINVAL },
	{ "len8_too_big", 5, 2, 16, 16, false, 2, -EINVAL },
	{ "len8_too_small", 3, 2, 16, 16, false, 2, -EINVAL },
	{ "offset8_0", 4, 0, 16, 16, false, 2, -EINVAL },
	{ "offset8_1", 4, 1, 16, 16, false, 2, -EINVAL },
	{ "offset8_past_len8", 4, 5, 16, 16, false, 2, -EINVAL },
	{ "desc_split", 4, 2, 8, 24, false, 2, -EINVAL },
	{ "null_piece", 4, 2, 16, 16, true, 2, -EINVAL },
	{ "offset8_is_len8", 4, 4, 16, 16, false, 2, 0 },
};

KUNIT_ARRAY_PARAM_DESC(ring_badpkt, ring_badpkt_cases, name);

/* The writer refuses packets whose framing the reader would reject. */
static void ring_write_bad_packet(struct kunit *test)
{
	const struct ring_badpkt_case *c = test->param_value;
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct kmcl_vmpacket_desc *d = (void *)buf;
	struct kvec vec[2];
	bool signal = true;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	d->type = KMCL_PKT_DATA_INBAND;
	d->len8 = c->len8;
	d->offset8 = c->offset8;
	vec[0].iov_base = buf;
	vec[0].iov_len = c->len0;
	vec[1].iov_base = c->null1 ? NULL : buf + c->len0;
	vec[1].iov_len = c->len1;

	KUNIT_EXPECT_EQ(test, kmcl_ring_write(ring, vec, c->nvec, &signal),
			c->ret);
	KUNIT_EXPECT_EQ(test, signal, c->ret == 0);
	if (c->ret == 0) {
		KUNIT_EXPECT_EQ(test, ring->hdr->write_index, 40);
		return;
	}
	KUNIT_EXPECT_EQ(test, ring->hdr->write_index, 0);
	for (i = 0; i < DATA2; i++)
		KUNIT_ASSERT_EQ(test, ring->data[i], 0);
}

static void ring_bad_args(struct kunit *test)
{
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	struct kmcl_ring unbound = { };
	u8 buf[32];
	u32 len = 1;
	bool flag = true;

	KUNIT_EXPECT_EQ(test, pkt_put(test, ring, 8, 1, NULL), 0);
	KUNIT_EXPECT_EQ(test, kmcl_ring_write(NULL, NULL, 0, &flag), -EINVAL);
	KUNIT_EXPECT_FALSE(test, flag);
	KUNIT_EXPECT_EQ(test, kmcl_ring_write(&unbound, NULL, 0, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_ring_peek(ring, buf, sizeof(buf), NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_ring_peek(ring, NULL, 8, &len), -EINVAL);
	KUNIT_EXPECT_EQ(test, len, 0);
	KUNIT_EXPECT_EQ(test, kmcl_ring_peek(&unbound, buf, 32, &len), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_ring_consume(NULL, 24, &flag), -EINVAL);
	KUNIT_EXPECT_FALSE(test, flag);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_read(NULL), 0);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_write(&unbound), 0);
	KUNIT_EXPECT_TRUE(test, kmcl_ring_empty(NULL));
	KUNIT_EXPECT_FALSE(test, kmcl_ring_set_pending_send(NULL, 8));
	KUNIT_EXPECT_FALSE(test, kmcl_ring_unmask_interrupt(NULL));
	kmcl_ring_mask_interrupt(NULL);
	/* The good packet is still there after all that. */
	pkt_get(test, ring, 8, 1);
}

/* Signal rules of the writer: empty -> non-empty, interrupt mask clear. */
static void ring_signal(struct kunit *test)
{
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	bool signal;

	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 8, 1, &signal), 0);
	KUNIT_EXPECT_TRUE(test, signal);
	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 8, 2, &signal), 0);
	KUNIT_EXPECT_FALSE(test, signal);

	/* The reader masks while it drains. */
	kmcl_ring_mask_interrupt(ring);
	KUNIT_EXPECT_EQ(test, ring->hdr->interrupt_mask, 1);
	pkt_get(test, ring, 8, 1);
	pkt_get(test, ring, 8, 2);
	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 8, 3, &signal), 0);
	KUNIT_EXPECT_FALSE(test, signal);

	/* Unmasking finds the packet that came in without a signal. */
	KUNIT_EXPECT_TRUE(test, kmcl_ring_unmask_interrupt(ring));
	KUNIT_EXPECT_EQ(test, ring->hdr->interrupt_mask, 0);
	pkt_get(test, ring, 8, 3);
	KUNIT_EXPECT_FALSE(test, kmcl_ring_unmask_interrupt(ring));

	/* Empty again and unmasked: the next write signals. */
	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 16, 4, &signal), 0);
	KUNIT_EXPECT_TRUE(test, signal);
	/* A reader that has not caught up gets no further signal. */
	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 16, 5, &signal), 0);
	KUNIT_EXPECT_FALSE(test, signal);
	pkt_get(test, ring, 16, 4);
	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 16, 6, &signal), 0);
	KUNIT_EXPECT_FALSE(test, signal);
}

/* pending_send_sz: the reader wakes the writer exactly once. */
static void ring_pending_send(struct kunit *test)
{
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	bool wake = true;
	u32 i;

	/* Nothing pending: a read never signals the writer. */
	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 8, 0, NULL), 0);
	pkt_get(test, ring, 8, 0);
	KUNIT_EXPECT_EQ(test, ring->hdr->pending_send_sz, 0);

	/* Room now: no need to wait, but the request is recorded. */
	KUNIT_EXPECT_TRUE(test, kmcl_ring_set_pending_send(ring, 1024));
	KUNIT_EXPECT_EQ(test, ring->hdr->pending_send_sz, 1032);
	KUNIT_EXPECT_TRUE(test, kmcl_ring_set_pending_send(ring, 0));
	KUNIT_EXPECT_EQ(test, ring->hdr->pending_send_sz, 0);

	ring_move_to(test, ring, 0);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 1008, i, NULL), 0);
	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 1008, 3, NULL), -EAGAIN);
	KUNIT_EXPECT_FALSE(test, kmcl_ring_set_pending_send(ring, 1024));
	KUNIT_EXPECT_EQ(test, ring->hdr->pending_send_sz, 1032);

	/* 1000 free -> 2032 free crosses 1032: signal. */
	{
		u8 *buf = kunit_kzalloc(test, 1024, GFP_KERNEL);
		u32 len;

		KUNIT_ASSERT_NOT_NULL(test, buf);
		KUNIT_ASSERT_EQ(test, kmcl_ring_peek(ring, buf, 1024, &len), 0);
		KUNIT_ASSERT_EQ(test, kmcl_ring_consume(ring, len, &wake), 0);
		KUNIT_EXPECT_TRUE(test, wake);
		/* 2032 -> 3064 was already enough: no second signal. */
		KUNIT_ASSERT_EQ(test, kmcl_ring_peek(ring, buf, 1024, &len), 0);
		KUNIT_ASSERT_EQ(test, kmcl_ring_consume(ring, len, &wake), 0);
		KUNIT_EXPECT_FALSE(test, wake);
	}
	/* The write succeeds and withdraws the request. */
	KUNIT_EXPECT_EQ(test, pkt_put(test, ring, 1008, 3, NULL), 0);
	KUNIT_EXPECT_EQ(test, ring->hdr->pending_send_sz, 0);
	pkt_get(test, ring, 1008, 2);
	pkt_get(test, ring, 1008, 3);
}

/* A request larger than one packet's worth needs two reads. */
static void ring_pending_send_large(struct kunit *test)
{
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	u8 *buf = kunit_kzalloc(test, 1024, GFP_KERNEL);
	bool wake = true;
	u32 len, i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 1008, i, NULL), 0);
	KUNIT_EXPECT_FALSE(test, kmcl_ring_set_pending_send(ring, 3000));
	KUNIT_EXPECT_EQ(test, ring->hdr->pending_send_sz, 3008);

	KUNIT_ASSERT_EQ(test, kmcl_ring_peek(ring, buf, 1024, &len), 0);
	KUNIT_ASSERT_EQ(test, kmcl_ring_consume(ring, len, &wake), 0);
	KUNIT_EXPECT_FALSE(test, wake);		/* 2032 <= 3008 */
	KUNIT_ASSERT_EQ(test, kmcl_ring_peek(ring, buf, 1024, &len), 0);
	KUNIT_ASSERT_EQ(test, kmcl_ring_consume(ring, len, &wake), 0);
	KUNIT_EXPECT_TRUE(test, wake);		/* 3064 > 3008 */
}

/* Without the feature bit the writer polls: never signal it. */
static void ring_pending_send_no_feature(struct kunit *test)
{
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	u8 *buf = kunit_kzalloc(test, 1024, GFP_KERNEL);
	bool wake = true;
	u32 len, i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	ring->hdr->feature_bits = 0;
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 1008, i, NULL), 0);
	KUNIT_EXPECT_FALSE(test, kmcl_ring_set_pending_send(ring, 1024));
	KUNIT_ASSERT_EQ(test, kmcl_ring_peek(ring, buf, 1024, &len), 0);
	KUNIT_ASSERT_EQ(test, kmcl_ring_consume(ring, len, &wake), 0);
	KUNIT_EXPECT_FALSE(test, wake);
	KUNIT_EXPECT_EQ(test, ring->hdr->read_index, 1032);
}

/* A too small buffer reports the size; the packet can then be skipped. */
static void ring_peek_small_buffer(struct kunit *test)
{
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	u8 *buf = kunit_kmalloc(test, 64, GFP_KERNEL);
	u32 len = 0, i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0xee, 64);
	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 40, 1, NULL), 0);
	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 8, 2, NULL), 0);

	KUNIT_EXPECT_EQ(test, kmcl_ring_consume(ring, 56, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_ring_peek(ring, NULL, 0, &len), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, len, 56);
	KUNIT_EXPECT_EQ(test, kmcl_ring_peek(ring, buf, 55, &len), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, len, 56);
	for (i = 0; i < 64; i++)
		KUNIT_ASSERT_EQ(test, buf[i], 0xee);
	/* Only the validated length is accepted, and only once. */
	KUNIT_EXPECT_EQ(test, kmcl_ring_consume(ring, 48, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_ring_consume(ring, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_ring_consume(ring, 56, NULL), 0);
	KUNIT_EXPECT_EQ(test, kmcl_ring_consume(ring, 56, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, ring->hdr->read_index, 64);
	pkt_get(test, ring, 8, 2);
}

struct ring_hostile_case {
	const char *name;
	u32 start;		/* where the packet was written */
	bool set_write;		/* replace write_index with @write */
	u32 write;
	bool set_len8;
	u16 len8;
	bool set_offset8;
	u16 offset8;
	bool set_read;		/* scribble on the reader's read_index */
	u32 read;
	int ret;
	u32 pktlen;		/* expected *pktlen */
};

/* The packet under attack: 40 payload bytes, 56 bytes, 64 with trailer. */
static const struct ring_hostile_case ring_hostile_cases[] = {
	{ .name = "intact", .ret = 0, .pktlen = 56 },
	{ .name = "write_at_size", .set_write = true, .write = DATA2,
	  .ret = -EBADMSG },
	{ .name = "write_huge", .set_write = true, .write = 0xfffffff8,
	  .ret = -EBADMSG },
	{ .name = "write_unaligned", .set_write = true, .write = 68,
	  .ret = -EBADMSG },
	{ .name = "write_odd", .set_write = true, .write = 1, .ret = -EBADMSG },
	{ .name = "only_trailer", .set_write = true, .write = 8,
	  .ret = -EBADMSG },
	{ .name = "less_than_desc_and_trailer", .set_write = true, .write = 16,
	  .ret = -EBADMSG },
	{ .name = "len8_0", .set_len8 = true, .len8 = 0, .ret = -EBADMSG },
	{ .name = "len8_1", .set_len8 = true, .len8 = 1, .ret = -EBADMSG },
	{ .name = "len8_eats_trailer", .set_len8 = true, .len8 = 8,
	  .ret = -EBADMSG },
	{ .name = "len8_past_write", .set_len8 = true, .len8 = 9,
	  .ret = -EBADMSG },
	{ .name = "len8_max", .set_len8 = true, .len8 = 0xffff,
	  .ret = -EBADMSG },
	{ .name = "len8_shorter", .set_len8 = true, .len8 = 3,
	  .ret = 0, .pktlen = 24 },
	{ .name = "offset8_0", .set_offset8 = true, .offset8 = 0,
	  .ret = -EBADMSG },
	{ .name = "offset8_1", .set_offset8 = true, .offset8 = 1,
	  .ret = -EBADMSG },
	{ .name = "offset8_past_len8", .set_offset8 = true, .offset8 = 8,
	  .ret = -EBADMSG },
	{ .name = "offset8_max", .set_offset8 = true, .offset8 = 0xffff,
	  .ret = -EBADMSG },
	{ .name = "offset8_is_len8", .set_offset8 = true, .offset8 = 7,
	  .ret = 0, .pktlen = 56 },
	{ .name = "read_index_scribbled", .set_read = true, .read = 0xfff0,
	  .ret = 0, .pktlen = 56 },
	{ .name = "read_index_unaligned", .set_read = true, .read = 3,
	  .ret = 0, .pktlen = 56 },
	{ .name = "wrapped_intact", .start = DATA2 - 8, .ret = 0,
	  .pktlen = 56 },
	{ .name = "wrapped_len8_max", .start = DATA2 - 8, .set_len8 = true,
	  .len8 = 0xffff, .ret = -EBADMSG },
	{ .name = "wrapped_offset8_0", .start = DATA2 - 8,
	  .set_offset8 = true, .offset8 = 0, .ret = -EBADMSG },
	{ .name = "wrapped_write_past", .start = DATA2 - 8, .set_write = true,
	  .write = DATA2 + 48, .ret = -EBADMSG },
};

KUNIT_ARRAY_PARAM_DESC(ring_hostile, ring_hostile_cases, name);

/* Write the byte @val at descriptor offset @off of the packet at @start. */
static void ring_poke16(struct kmcl_ring *ring, u32 start, u32 off, u16 val)
{
	ring->data[(start + off) % DATA2] = val & 0xff;
	ring->data[(start + off + 1) % DATA2] = val >> 8;
}

/* The reader rejects a ring a peer has corrupted, and stays where it was. */
static void ring_hostile_reader(struct kunit *test)
{
	const struct ring_hostile_case *c = test->param_value;
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	u8 *want = pkt_make(test, 40, 7);
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	u32 len = 1;
	bool wake;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	ring_move_to(test, ring, c->start);
	KUNIT_ASSERT_EQ(test, pkt_put(test, ring, 40, 7, NULL), 0);
	if (c->set_write)
		ring->hdr->write_index = c->write;
	if (c->set_len8)
		ring_poke16(ring, c->start, 4, c->len8);
	if (c->set_offset8)
		ring_poke16(ring, c->start, 2, c->offset8);
	if (c->set_read)
		ring->hdr->read_index = c->read;

	KUNIT_EXPECT_EQ(test, kmcl_ring_peek(ring, buf, 64, &len), c->ret);
	KUNIT_EXPECT_EQ(test, len, c->pktlen);
	if (c->ret) {
		/* Stable: the same answer again; nothing can be consumed. */
		KUNIT_EXPECT_EQ(test, kmcl_ring_peek(ring, buf, 64, &len),
				c->ret);
		KUNIT_EXPECT_EQ(test, kmcl_ring_consume(ring, 56, &wake),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, ring->hdr->read_index, c->start);
		KUNIT_EXPECT_EQ(test, ring->read, c->start);
		return;
	}
	/* Accepted: what was written, with the descriptor as checked. */
	KUNIT_EXPECT_MEMEQ(test, buf + 16, want + 16, c->pktlen - 16);
	KUNIT_EXPECT_EQ(test, ((struct kmcl_vmpacket_desc *)buf)->len8,
			c->pktlen / 8);
	KUNIT_EXPECT_EQ(test, ((struct kmcl_vmpacket_desc *)buf)->offset8,
			c->set_offset8 ? c->offset8 : 2);
	KUNIT_EXPECT_EQ(test, ((struct kmcl_vmpacket_desc *)buf)->trans_id,
			0x1007ULL);
	KUNIT_EXPECT_EQ(test, kmcl_ring_consume(ring, len, NULL), 0);
	/* Our own index is ours: a scribbled shared copy is overwritten. */
	KUNIT_EXPECT_EQ(test, ring->hdr->read_index,
			(c->start + c->pktlen + TRAILER) % DATA2);
}

/* The writer rejects a corrupt read_index and writes nothing. */
static void ring_hostile_writer(struct kunit *test)
{
	static const u32 bad[] = { DATA2, 0xfffffff8, 12, 4, 0x80000000 };
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);
	bool signal = true;
	u32 i, j;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ring->hdr->read_index = bad[i];
		KUNIT_EXPECT_EQ(test, pkt_put(test, ring, 8, 1, &signal),
				-EBADMSG);
		KUNIT_EXPECT_FALSE(test, signal);
		KUNIT_EXPECT_EQ(test, kmcl_ring_avail_write(ring), 0);
		KUNIT_EXPECT_FALSE(test, kmcl_ring_set_pending_send(ring, 24));
		KUNIT_EXPECT_EQ(test, ring->hdr->write_index, 0);
	}
	for (j = 0; j < DATA2; j++)
		KUNIT_ASSERT_EQ(test, ring->data[j], 0);
	ring->hdr->read_index = 0;
	KUNIT_EXPECT_EQ(test, pkt_put(test, ring, 8, 1, &signal), 0);
	KUNIT_EXPECT_TRUE(test, signal);
}

/* A reader attached to a ring another view writes into. */
static void ring_attach_peer(struct kunit *test)
{
	struct kmcl_ring *writer = ring_new(test, 3 * PAGE4K);
	struct kmcl_ring reader;
	u8 *copy = kunit_kmalloc(test, PAGE4K, GFP_KERNEL);
	bool wake;

	KUNIT_ASSERT_NOT_NULL(test, copy);
	KUNIT_ASSERT_EQ(test, pkt_put(test, writer, 16, 1, NULL), 0);
	memcpy(copy, writer->hdr, PAGE4K);
	KUNIT_ASSERT_EQ(test, kmcl_ring_attach(&reader, writer->hdr,
					       3 * PAGE4K), 0);
	KUNIT_EXPECT_MEMEQ(test, (void *)writer->hdr, copy, PAGE4K);
	KUNIT_EXPECT_EQ(test, reader.data_size, 2 * PAGE4K);
	KUNIT_EXPECT_EQ(test, reader.read, 0);
	KUNIT_EXPECT_EQ(test, reader.write, 40);

	KUNIT_ASSERT_EQ(test, pkt_put(test, writer, 24, 2, NULL), 0);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_read(&reader), 40 + 48);
	pkt_get(test, &reader, 16, 1);
	pkt_get(test, &reader, 24, 2);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_write(writer), 2 * PAGE4K);

	/* Corrupt indexes are refused at attach time. */
	writer->hdr->write_index = 2 * PAGE4K;
	KUNIT_EXPECT_EQ(test, kmcl_ring_attach(&reader, writer->hdr,
					       3 * PAGE4K), -EBADMSG);
	KUNIT_EXPECT_NULL(test, reader.hdr);
	writer->hdr->write_index = 88;
	writer->hdr->read_index = 6;
	KUNIT_EXPECT_EQ(test, kmcl_ring_attach(&reader, writer->hdr,
					       3 * PAGE4K), -EBADMSG);
	KUNIT_EXPECT_EQ(test, kmcl_ring_consume(&reader, 40, &wake), -EINVAL);
}

struct ring_avail_case {
	const char *name;
	u32 read;
	u32 write;
	u32 to_read;
};

static const struct ring_avail_case ring_avail_cases[] = {
	{ "empty_0", 0, 0, 0 },
	{ "empty_end", DATA2 - 8, DATA2 - 8, 0 },
	{ "forward", 96, 4000, 3904 },
	{ "wrapped", 4000, 96, 192 },
	{ "almost_full", 8, 0, DATA2 - 8 },
	{ "one_slot", DATA2 - 8, 0, 8 },
};

KUNIT_ARRAY_PARAM_DESC(ring_avail, ring_avail_cases, name);

static void ring_avail(struct kunit *test)
{
	const struct ring_avail_case *c = test->param_value;
	struct kmcl_ring *ring = ring_new(test, 2 * PAGE4K);

	ring->hdr->read_index = c->read;
	ring->hdr->write_index = c->write;
	KUNIT_ASSERT_EQ(test, kmcl_ring_attach(ring, ring->hdr, 2 * PAGE4K),
			0);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_read(ring), c->to_read);
	KUNIT_EXPECT_EQ(test, kmcl_ring_avail_write(ring), DATA2 - c->to_read);
	KUNIT_EXPECT_EQ(test, kmcl_ring_empty(ring), c->to_read == 0);
}

/*
 * kmcl_ring_write_inband(), the data path's writer, leaves the same bytes
 * as kmcl_ring_write() of the same packet in pieces: every payload length
 * 0..17 (all paddings), wrapping at the end of the data area, and the same
 * signal. A descriptor of another type or length is refused, untouched.
 */
static void ring_write_inband(struct kunit *test)
{
	struct kmcl_ring *a = ring_new(test, 2 * PAGE4K);
	struct kmcl_ring *b = ring_new(test, 2 * PAGE4K);
	struct kmcl_vmpacket_desc d;
	bool sa, sb;
	u32 i, start;
	u8 *pkt;

	for (i = 0; i < 18; i++) {
		/* Start 8 bytes before the end: every packet wraps. */
		start = DATA2 - 8;
		a->hdr->write_index = start;
		a->hdr->read_index = start;
		KUNIT_ASSERT_EQ(test, kmcl_ring_attach(a, a->hdr, 2 * PAGE4K),
				0);
		memcpy(b->hdr, a->hdr, 2 * PAGE4K);
		KUNIT_ASSERT_EQ(test, kmcl_ring_attach(b, b->hdr, 2 * PAGE4K),
				0);
		pkt = pkt_make(test, i, i);
		memcpy(&d, pkt, sizeof(d));
		KUNIT_ASSERT_EQ(test, pkt_put(test, a, i, i, &sa), 0);
		KUNIT_ASSERT_EQ(test, kmcl_ring_write_inband(b, &d, pkt + 16,
							     i, &sb), 0);
		KUNIT_EXPECT_TRUE(test, sa);
		KUNIT_EXPECT_EQ(test, sb, sa);
		KUNIT_EXPECT_EQ(test, b->write, a->write);
		KUNIT_EXPECT_EQ(test, b->write, (start + pkt_len(i) + TRAILER) %
				DATA2);
		KUNIT_EXPECT_EQ(test, memcmp(a->hdr, b->hdr, 2 * PAGE4K), 0);
	}

	/* Refused: the ring does not change and no signal is asked for. */
	memcpy(&d, pkt_make(test, 16, 1), sizeof(d));
	pkt = kunit_kzalloc(test, 2 * PAGE4K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	memcpy(pkt, b->hdr, 2 * PAGE4K);
	sb = true;
	KUNIT_EXPECT_EQ(test, kmcl_ring_write_inband(b, &d, pkt, 8, &sb),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, sb);
	d.type = KMCL_PKT_DATA_USING_GPA_DIRECT;
	KUNIT_EXPECT_EQ(test, kmcl_ring_write_inband(b, &d, pkt, 16, &sb),
			-EINVAL);
	d.type = KMCL_PKT_COMP;
	d.offset8 = 3;
	KUNIT_EXPECT_EQ(test, kmcl_ring_write_inband(b, &d, pkt, 16, &sb),
			-EINVAL);
	d.offset8 = 2;
	KUNIT_EXPECT_EQ(test, kmcl_ring_write_inband(b, &d, NULL, 16, &sb),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_ring_write_inband(NULL, &d, pkt, 16, &sb),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_ring_write_inband(b, NULL, pkt, 16, &sb),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(pkt, b->hdr, 2 * PAGE4K), 0);
	/* The same descriptor, right length: a completion is written. */
	start = b->write;
	KUNIT_EXPECT_EQ(test, kmcl_ring_write_inband(b, &d, pkt, 16, &sb), 0);
	KUNIT_EXPECT_EQ(test, b->write, (start + 32 + TRAILER) % DATA2);
	KUNIT_EXPECT_EQ(test, *(u16 *)(b->data + start), KMCL_PKT_COMP);
}

static struct kunit_case kmcl_ring_cases[] = {
	KUNIT_CASE_PARAM(ring_init_size, ring_size_gen_params),
	KUNIT_CASE(ring_init_bad_args),
	KUNIT_CASE(ring_init_header),
	KUNIT_CASE(ring_roundtrip),
	KUNIT_CASE(ring_write_inband),
	KUNIT_CASE(ring_next_type),
	KUNIT_CASE_PARAM(ring_wrap, ring_wrap_gen_params),
	KUNIT_CASE(ring_many_packets),
	KUNIT_CASE(ring_full),
	KUNIT_CASE(ring_never_fits),
	KUNIT_CASE_PARAM(ring_write_bad_packet, ring_badpkt_gen_params),
	KUNIT_CASE(ring_bad_args),
	KUNIT_CASE(ring_signal),
	KUNIT_CASE(ring_pending_send),
	KUNIT_CASE(ring_pending_send_large),
	KUNIT_CASE(ring_pending_send_no_feature),
	KUNIT_CASE(ring_peek_small_buffer),
	KUNIT_CASE_PARAM(ring_hostile_reader, ring_hostile_gen_params),
	KUNIT_CASE(ring_hostile_writer),
	KUNIT_CASE(ring_attach_peer),
	KUNIT_CASE_PARAM(ring_avail, ring_avail_gen_params),
	{}
};

static struct kunit_suite kmcl_ring_suite = {
	.name = "kmcl_ring",
	.test_cases = kmcl_ring_cases,
};

kunit_test_suite(kmcl_ring_suite);
