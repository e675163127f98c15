/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The packet generator shared by the two hostile peers, kmcl_hostile
 * (loopback, kmcl/tests/hostile_kunit.c) and kmcl_hv_hostile (the hv_vmbus
 * model as the host, kmcl/hv/tests/hostile_kunit.c). It only builds bytes;
 * each peer writes them into its client's ring its own way and records
 * what it wrote in a struct hz_gen:
 *   - valid in-band packets whose payload names their sequence number,
 *     length and cycle, so the client can check each one it is handed;
 *   - framing the client must refuse (bad lengths, offsets, types, sizes),
 *     and GPA-direct and transfer-page ranges pointing anywhere;
 *   - completions for any id the peer chooses.
 * Every choice comes from a xorshift64* stream, so one 64-bit seed gives
 * the same packets on every kernel and architecture.
 */
#ifndef _KMCL_TESTS_HOSTILE_GEN_H
#define _KMCL_TESTS_HOSTILE_GEN_H

#include <kunit/test.h>
#include <linux/string.h>
#include <linux/types.h>

#include "wire.h"

#define HZ_MAX_VALID	120	/* valid packets per cycle (< KMCL_PT_REC) */
#define HZ_MAX_PKT	512	/* the client's max_packet_size */
#define HZ_MAGIC	0x485a3031U
#define HZ_BUF		(HZ_MAX_PKT + 1024)
#define HZ_HDR		16	/* in-band descriptor, no extra header */

/**
 * struct hz_gen - one cycle of a hostile peer
 * @rng: the xorshift64* state.
 * @buf: HZ_BUF bytes the packets are built in.
 * @cycle: number written into every valid payload.
 * @written: raw packets written.
 * @valid: valid data packets written (the next one's sequence number).
 * @pend: payload length of the valid packet just built.
 * @plen: payload length of each valid packet written.
 * @fatal: a packet the client must refuse was written.
 * @fatal_seq: valid packets written before it.
 */
struct hz_gen {
	u64 rng;
	u8 *buf;
	u32 cycle;
	u32 written;
	u32 valid;
	u32 pend;
	u32 plen[HZ_MAX_VALID];
	bool fatal;
	u32 fatal_seq;
};

/* xorshift64*: the same sequence on every kernel and architecture. */
static inline u64 hz_next(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static inline u32 hz_rnd(u64 *s, u32 n)
{
	return n ? (u32)(hz_next(s) >> 32) % n : 0;
}

static inline u8 hz_byte(u32 seq, u32 i)
{
	return (u8)(seq * 31 + i * 7 + 1);
}

static inline void hz_mark_fatal(struct hz_gen *g)
{
	if (!g->fatal) {
		g->fatal = true;
		g->fatal_seq = g->valid;
	}
}

/*
 * A valid in-band packet with a payload that says what it is; its length,
 * or 0 when the cycle has all the valid packets it can check. Call
 * hz_valid_written() once it is in the ring.
 */
static inline u32 hz_build_valid(struct hz_gen *g)
{
	struct kmcl_vmpacket_desc *d = (void *)g->buf;
	u32 *h = (u32 *)(g->buf + HZ_HDR);
	u32 plen = 16 + 8 * hz_rnd(&g->rng, 7), i;

	if (g->valid >= HZ_MAX_VALID)
		return 0;
	memset(d, 0, sizeof(*d));
	d->type = KMCL_PKT_DATA_INBAND;
	d->offset8 = HZ_HDR / 8;
	d->len8 = (HZ_HDR + plen) / 8;
	h[0] = HZ_MAGIC;
	h[1] = g->valid;
	h[2] = plen;
	h[3] = g->cycle;
	for (i = 16; i < plen; i++)
		g->buf[HZ_HDR + i] = hz_byte(g->valid, i);
	g->pend = plen;
	return HZ_HDR + plen;
}

static inline void hz_valid_written(struct hz_gen *g)
{
	g->plen[g->valid++] = g->pend;
}

/* A completion packet for @id. */
static inline u32 hz_build_completion(struct hz_gen *g, u64 id)
{
	struct kmcl_vmpacket_desc *d = (void *)g->buf;

	memset(g->buf, 0, 24);
	d->type = KMCL_PKT_COMP;
	d->offset8 = 2;
	d->len8 = 3;
	d->trans_id = id;
	return 24;
}

static inline bool hz_known_type(u16 type)
{
	return type == KMCL_PKT_DATA_INBAND || type == KMCL_PKT_COMP ||
	       type == KMCL_PKT_DATA_USING_GPA_DIRECT ||
	       type == KMCL_PKT_DATA_USING_XFER_PAGES;
}

/*
 * A packet the client must refuse; its length in the ring. Without
 * @framing, only kinds hv_vmbus hands on as they are: since 5.14 its
 * hv_pkt_iter_first() rewrites a descriptor whose len8 or offset8 is out
 * of range (len8 to the bytes available, offset8 to 2) before the client
 * sees it, so such a packet is no longer malformed when KMCL reads it.
 */
static inline u32 hz_build_malformed(struct hz_gen *g, bool framing)
{
	struct kmcl_vmpacket_desc *d = (void *)g->buf;
	u32 len = 32, i;

	memset(g->buf, 0, 64);
	d->type = KMCL_PKT_DATA_INBAND;
	d->offset8 = 2;
	d->len8 = 4;
	d->flags = hz_rnd(&g->rng, 4);
	d->trans_id = hz_next(&g->rng);
	switch (framing ? hz_rnd(&g->rng, 7) : 4 + hz_rnd(&g->rng, 3)) {
	case 0:
		/* Past the bytes written, and too long for the client. */
		d->len8 = (HZ_MAX_PKT + 24) / 8 + hz_rnd(&g->rng, 0xfe00);
		break;
	case 1:
		d->len8 = hz_rnd(&g->rng, 2);
		break;
	case 2:
		d->offset8 = hz_rnd(&g->rng, 2);
		break;
	case 3:
		d->offset8 = d->len8 + 1 + hz_rnd(&g->rng, 100);
		break;
	case 4:
		do {
			d->type = hz_rnd(&g->rng, 16);
		} while (hz_known_type(d->type));
		break;
	case 5:
		/*
		 * A payload of HZ_MAX_PKT bytes is valid (the maximum is
		 * inclusive, as for VmbPacketSend): at least 8 more.
		 */
		len = HZ_MAX_PKT + 16 + 8 * (1 + hz_rnd(&g->rng, 64));
		d->len8 = len / 8;
		break;
	default:
		for (i = 0; i < 64; i++)
			g->buf[i] = hz_next(&g->rng);
		d->len8 = 2 + hz_rnd(&g->rng, 7);	/* inside the 64 bytes */
		len = 64;
		/*
		 * Random bytes can form a valid packet (or, rewritten by
		 * hv_vmbus, a valid frame): the type keeps it fatal.
		 */
		if (!framing || (d->offset8 >= 2 && d->offset8 <= d->len8 &&
				 hz_known_type(d->type)))
			d->type = 0x55;
		break;
	}
	return len;
}

/*
 * GPA-direct or transfer-page ranges pointing anywhere (no transfer-page
 * set is registered, and a peer may not hand the client GPA ranges): the
 * client must refuse them.
 */
static inline u32 hz_build_ranges(struct hz_gen *g)
{
	bool gpa = hz_rnd(&g->rng, 2);
	u32 count = 1 + hz_rnd(&g->rng, 4), pos = 24, i;
	struct kmcl_vmpacket_desc *d = (void *)g->buf;
	u16 set = hz_rnd(&g->rng, 3) ? 0xcafe : 1;

	memset(g->buf, 0, HZ_BUF);
	for (i = 0; i < count && pos + 24 <= 256; i++) {
		u32 bc = hz_next(&g->rng), bo = hz_next(&g->rng);

		if (hz_rnd(&g->rng, 2)) {
			bc = 1 + hz_rnd(&g->rng, 9000);
			bo = gpa ? hz_rnd(&g->rng, 4096) : hz_rnd(&g->rng, 1 << 20);
		}
		memcpy(g->buf + pos, &bc, 4);
		memcpy(g->buf + pos + 4, &bo, 4);
		pos += 8;
		if (gpa) {
			u64 pfn = hz_next(&g->rng);

			memcpy(g->buf + pos, &pfn, 8);
			pos += 8 * (1 + hz_rnd(&g->rng, 2));
		}
	}
	d->type = gpa ? KMCL_PKT_DATA_USING_GPA_DIRECT :
			KMCL_PKT_DATA_USING_XFER_PAGES;
	d->offset8 = pos / 8;
	d->len8 = pos / 8 + hz_rnd(&g->rng, 4);
	d->flags = KMCL_PKT_FLAG_COMPLETION_REQUESTED;
	d->trans_id = hz_next(&g->rng);
	memcpy(g->buf + 16, &set, 2);
	memcpy(g->buf + 20, &count, 4);
	return d->len8 * 8;
}

/*
 * The @i-th packet the client was handed (@data: its first @kept bytes,
 * @len: BufferLength) is the @i-th valid packet of this cycle, whole.
 */
static inline void hz_check_one(struct kunit *test, const struct hz_gen *g,
				u32 i, const u8 *data, u32 kept, u32 len)
{
	const u32 *h = (const u32 *)data;
	u32 j;

	KUNIT_ASSERT_GE(test, kept, 16U);
	KUNIT_ASSERT_EQ(test, h[0], HZ_MAGIC);
	KUNIT_ASSERT_EQ(test, h[1], i);	/* in order, none lost */
	KUNIT_ASSERT_EQ(test, h[3], g->cycle);
	KUNIT_ASSERT_LT(test, h[1], g->valid);
	KUNIT_ASSERT_EQ(test, len, g->plen[i]);
	KUNIT_ASSERT_EQ(test, h[2], len);
	for (j = 16; j < min_t(u32, len, kept); j++)
		KUNIT_ASSERT_EQ(test, data[j], hz_byte(i, j));
}

#endif /* _KMCL_TESTS_HOSTILE_GEN_H */
