/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the userspace fuzz targets: an assertion that names the broken
 * invariant, a reference parser written from the VMBus format (not from
 * kmcl/wire.c) that every accepted packet is compared against, and a
 * little reader for the fuzzer's input bytes.
 */
#ifndef _KMCL_FUZZ_COMMON_H
#define _KMCL_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/errno.h>

#include "pipe.h"
#include "ring.h"
#include "wire.h"

#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "invariant broken at %s:%d: %s: ",	\
			__FILE__, __LINE__, #cond);			\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/* Consumes the fuzzer's bytes front to back; reads past the end give 0. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline uint64_t fuzz_take(struct fuzz_in *in, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		uint8_t b = 0;

		if (in->left) {
			b = *in->p++;
			in->left--;
		}
		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

static inline uint16_t fuzz_le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static inline uint32_t fuzz_le32(const uint8_t *p)
{
	return fuzz_le16(p) | (uint32_t)fuzz_le16(p + 2) << 16;
}

/*
 * Reference check of one packet of @len bytes, byte by byte from the
 * format: returns 1 if a correct parser must accept it, 0 if it must
 * reject it, and fills the fields it derives.
 */
struct fuzz_ref {
	unsigned int type, pkt_len, hdr_len, count;
	uint64_t total;
};

static inline int fuzz_ref_parse(const uint8_t *p, uint32_t len,
				 uint32_t max_ranges, uint64_t max_bytes,
				 struct fuzz_ref *r)
{
	uint32_t pos, i;

	memset(r, 0, sizeof(*r));
	if (len < 16)
		return 0;
	r->type = fuzz_le16(p);
	r->hdr_len = fuzz_le16(p + 2) * 8u;
	r->pkt_len = fuzz_le16(p + 4) * 8u;
	if (r->pkt_len < 16 || r->pkt_len > len)
		return 0;
	if (r->hdr_len < 16 || r->hdr_len > r->pkt_len)
		return 0;
	if (r->type == KMCL_PKT_DATA_INBAND || r->type == KMCL_PKT_COMP)
		return 1;
	if (r->type != KMCL_PKT_DATA_USING_GPA_DIRECT &&
	    r->type != KMCL_PKT_DATA_USING_XFER_PAGES)
		return 0;
	if (r->hdr_len < 24)
		return 0;
	r->count = fuzz_le32(p + 20);
	if (!r->count || r->count > max_ranges)
		return 0;
	pos = 24;
	for (i = 0; i < r->count; i++) {
		uint64_t bc, bo, end;

		if (r->hdr_len - pos < 8)
			return 0;
		bc = fuzz_le32(p + pos);
		bo = fuzz_le32(p + pos + 4);
		if (!bc)
			return 0;
		if (r->type == KMCL_PKT_DATA_USING_GPA_DIRECT) {
			if (bo >= 4096)
				return 0;
			end = pos + 8 + ((bo + bc + 4095) / 4096) * 8;
		} else {
			if (bo + bc > 0xffffffffull)
				return 0;
			end = pos + 8;
		}
		if (end > r->hdr_len)
			return 0;
		r->total += bc;
		if (r->total > max_bytes)
			return 0;
		pos = end;
	}
	return 1;
}

/*
 * Run kmcl_wire_parse() on @pkt and check it against the reference: the
 * same verdict, and for an accepted packet every field inside the packet
 * and its own length, ranges inside the header and their declared totals.
 */
static inline int fuzz_check_parse(const uint8_t *pkt, uint32_t len,
				   uint32_t max_ranges, uint64_t max_bytes,
				   struct kmcl_wire_packet *out)
{
	struct fuzz_ref ref;
	int want = fuzz_ref_parse(pkt, len, max_ranges, max_bytes, &ref);
	int ret = kmcl_wire_parse(pkt, len, max_ranges, max_bytes, out);

	FUZZ_CHECK((ret == 0) == want, "parse returned %d (err %s), reference %s",
		   ret, kmcl_wire_err_name(out->err),
		   want ? "accepts" : "rejects");
	if (ret) {
		FUZZ_CHECK(ret == -EBADMSG || ret == -EPROTO, "ret %d", ret);
		FUZZ_CHECK(out->err != KMCL_WIRE_OK &&
			   out->err < KMCL_WIRE_ERR_COUNT, "err %d", out->err);
		FUZZ_CHECK((ret == -EPROTO) == (out->err == KMCL_WIRE_ERR_TYPE),
			   "ret %d err %d", ret, out->err);
		FUZZ_CHECK(!out->data && !out->ranges && !out->pkt_len,
			   "rejected packet has fields set");
		return ret;
	}
	FUZZ_CHECK(out->err == KMCL_WIRE_OK, "accepted with err %d", out->err);
	FUZZ_CHECK(out->type == ref.type, "type %u", out->type);
	FUZZ_CHECK(out->pkt_len == ref.pkt_len && out->pkt_len <= len,
		   "pkt_len %u len %u", out->pkt_len, len);
	FUZZ_CHECK(out->hdr_len == ref.hdr_len && out->hdr_len >= 16 &&
		   out->hdr_len <= out->pkt_len, "hdr_len %u", out->hdr_len);
	FUZZ_CHECK(out->data == pkt + out->hdr_len &&
		   out->data_len == out->pkt_len - out->hdr_len,
		   "data not [hdr_len, pkt_len)");
	FUZZ_CHECK(out->range_count == ref.count && out->range_count <= max_ranges,
		   "range_count %u ref %u", out->range_count, ref.count);
	FUZZ_CHECK(out->range_bytes == ref.total && out->range_bytes <= max_bytes,
		   "range_bytes %llu ref %llu",
		   (unsigned long long)out->range_bytes,
		   (unsigned long long)ref.total);
	FUZZ_CHECK(out->trans_id == ((const struct kmcl_vmpacket_desc *)pkt)->trans_id,
		   "trans_id");
	if (out->type == KMCL_PKT_DATA_USING_GPA_DIRECT) {
		const struct kmcl_gpa_range *r = kmcl_wire_gpa_ranges(out);
		uint64_t sum = 0;
		uint32_t i;

		FUZZ_CHECK((const uint8_t *)r == pkt + 24, "gpa ranges start");
		for (i = 0; i < out->range_count; i++) {
			const uint8_t *end = (const uint8_t *)r +
				kmcl_wire_gpa_range_size(r->byte_offset,
							 r->byte_count);

			FUZZ_CHECK(end <= pkt + out->hdr_len,
				   "gpa range %u past the header", i);
			FUZZ_CHECK(r->byte_offset < 4096 && r->byte_count,
				   "gpa range %u", i);
			sum += r->byte_count;
			r = kmcl_wire_gpa_next(r);
		}
		FUZZ_CHECK(sum == out->range_bytes, "gpa sum");
	} else if (out->type == KMCL_PKT_DATA_USING_XFER_PAGES) {
		const struct kmcl_xfer_range *x = kmcl_wire_xfer_ranges(out);
		uint64_t sum = 0;
		uint32_t i;

		FUZZ_CHECK((const uint8_t *)x == pkt + 24, "xfer ranges start");
		FUZZ_CHECK((const uint8_t *)(x + out->range_count) <=
			   pkt + out->hdr_len, "xfer ranges past the header");
		for (i = 0; i < out->range_count; i++) {
			FUZZ_CHECK(x[i].byte_count &&
				   (uint64_t)x[i].byte_offset + x[i].byte_count <=
				   0xffffffffull, "xfer range %u", i);
			sum += x[i].byte_count;
		}
		FUZZ_CHECK(sum == out->range_bytes, "xfer sum");
		FUZZ_CHECK(out->xfer_pageset_id == fuzz_le16(pkt + 16),
			   "pageset id");
	} else {
		FUZZ_CHECK(!out->ranges && !out->range_count, "ranges on inband");
	}
	return 0;
}

/*
 * The pipe header of an accepted in-band packet's payload (@data, @len
 * bytes, exactly the packet's own), checked against the pipe rules read
 * from the format: type 1 only, data_size within the payload and short of
 * it by padding (under 8 bytes) only.
 */
static inline void fuzz_check_pipe(const uint8_t *data, uint32_t len)
{
	enum kmcl_pipe_err err = KMCL_PIPE_OK;
	uint32_t size = 0xdeadbeef, type = 0, dsize = 0;
	int ret, want = 0;

	ret = kmcl_pipe_parse(data, len, &size, &err);
	if (len < 8) {
		want = -EBADMSG;
	} else {
		type = fuzz_le32(data);
		dsize = fuzz_le32(data + 4);
		if (type != 1)
			want = -EPROTO;
		else if ((uint64_t)dsize + 8 > len || (uint64_t)dsize + 16 <= len)
			want = -EBADMSG;
	}
	FUZZ_CHECK(ret == want, "pipe parse %d, reference %d (len %u type %u size %u)",
		   ret, want, len, type, dsize);
	FUZZ_CHECK((err == KMCL_PIPE_OK) == !ret, "err %d ret %d", err, ret);
	FUZZ_CHECK((err == KMCL_PIPE_ERR_TYPE) == (ret == -EPROTO),
		   "err %d ret %d", err, ret);
	FUZZ_CHECK(ret ? size == 0 : size == dsize, "size %u", size);
}

#endif /* _KMCL_FUZZ_COMMON_H */
