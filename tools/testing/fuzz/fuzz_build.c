// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the wire builders and kmcl_ring_write(), checked by
 * their inverse. Whatever a builder accepts must parse back to the same
 * type, flags, id, ranges and payload; kmcl_ring_write() must refuse
 * exactly when the peer's read_index or the free room says so, touch no
 * byte outside the packet's place, and a reader must get the packet back.
 *
 * Input: [kind:1][flags:2][trans_id:8][payload_len:3][write:2][read:4]
 *        [mask:1][count:1][cut:1] then per range [count:4][offset:2]
 *        then payload bytes.
 */
#include "fuzz_common.h"

#define RING_TOTAL	(4 * KMCL_RING_HDR_SIZE)
#define RING_DATA	(RING_TOTAL - KMCL_RING_HDR_SIZE)
#define MAX_RANGES	16

enum { K_INBAND, K_COMP, K_GPA_FINISH, K_GPA_DESC, K_XFER, K_KINDS };

static uint8_t payload[KMCL_WIRE_MAX_PKT_LEN + 8];
static uint8_t hdrbuf[24 + MAX_RANGES * (8 + 8 * 4098)];
static uint8_t pkt[KMCL_WIRE_MAX_PKT_LEN + 8];

/* Write the packet into a ring whose reader is hostile, then read it back. */
static void check_ring_write(const struct kvec *vec, unsigned int nvec,
			     uint32_t len, uint32_t w, uint32_t r, bool mask)
{
	static uint8_t mem[RING_TOTAL], before[RING_DATA];
	struct kmcl_ring_hdr *hdr = (void *)mem;
	struct kmcl_ring wr, rd;
	uint32_t free_now, got, i;
	bool sig;
	int ret, want;

	memset(mem, 0xa5, sizeof(mem));
	hdr->write_index = w;
	hdr->read_index = 0;
	FUZZ_CHECK(!kmcl_ring_attach(&wr, mem, RING_TOTAL), "attach writer");
	hdr->read_index = r;
	hdr->interrupt_mask = mask;
	memcpy(before, wr.data, RING_DATA);

	free_now = r % 8 || r >= RING_DATA ? 0 :
		   (w >= r ? RING_DATA - (w - r) : r - w);
	if (len > RING_DATA - 16)
		want = -EMSGSIZE;
	else if (r % 8 || r >= RING_DATA)
		want = -EBADMSG;
	else if (free_now <= len + 8)
		want = -EAGAIN;
	else
		want = 0;
	ret = kmcl_ring_write(&wr, vec, nvec, &sig);
	FUZZ_CHECK(ret == want, "ring_write %d, expected %d (len %u w %u r %u)",
		   ret, want, len, w, r);
	if (ret) {
		FUZZ_CHECK(!sig && wr.write == w && hdr->write_index == w &&
			   !memcmp(before, wr.data, RING_DATA),
			   "refused write changed the ring");
		return;
	}
	FUZZ_CHECK(wr.write == (w + len + 8) % RING_DATA &&
		   hdr->write_index == wr.write, "write index");
	FUZZ_CHECK(sig == (!mask && r == w), "signal %d", sig);
	/* Bytes after the packet and its trailer, up to where it starts. */
	i = (w + len + 8) % RING_DATA;
	if (i <= w)
		FUZZ_CHECK(!memcmp(wr.data + i, before + i, w - i),
			   "bytes outside the packet written");
	else
		FUZZ_CHECK(!memcmp(wr.data + i, before + i, RING_DATA - i) &&
			   !memcmp(wr.data, before, w),
			   "bytes outside the packet written");

	hdr->read_index = w;
	FUZZ_CHECK(!kmcl_ring_attach(&rd, mem, RING_TOTAL), "attach reader");
	ret = kmcl_ring_peek(&rd, pkt + len, 0, &got);
	FUZZ_CHECK(ret == -EMSGSIZE && got == len, "peek size %d %u", ret, got);
	{
		static uint8_t back[KMCL_WIRE_MAX_PKT_LEN + 8];
		uint64_t trailer;
		uint32_t tpos = (w + len) % RING_DATA;

		FUZZ_CHECK(!kmcl_ring_peek(&rd, back, sizeof(back), &got) &&
			   got == len && !memcmp(back, pkt, len),
			   "packet read back differs");
		memcpy(&trailer, rd.data + tpos, 8);
		FUZZ_CHECK(trailer == (uint64_t)w << 32, "trailer");
		FUZZ_CHECK(!kmcl_ring_consume(&rd, got, NULL) &&
			   rd.read == wr.write && kmcl_ring_empty(&rd),
			   "reader ends where the writer did");
	}
}

/*
 * The in-band writer (what the channel's data path uses) must do exactly
 * what kmcl_ring_write() does with the builder's vector: same answer,
 * same signal, same bytes everywhere in the ring memory.
 */
static void check_inband_writer(const struct kmcl_wire_inband *ib,
				uint32_t plen, uint32_t w, uint32_t r, bool mask)
{
	static uint8_t a[RING_TOTAL], b[RING_TOTAL];
	struct kmcl_ring ra, rb;
	bool sa, sb;
	int ret_a, ret_b;

	memset(a, 0xa5, sizeof(a));
	((struct kmcl_ring_hdr *)a)->write_index = w;
	((struct kmcl_ring_hdr *)a)->read_index = 0;
	FUZZ_CHECK(!kmcl_ring_attach(&ra, a, RING_TOTAL), "attach a");
	((struct kmcl_ring_hdr *)a)->read_index = r;
	((struct kmcl_ring_hdr *)a)->interrupt_mask = mask;
	((struct kmcl_ring_hdr *)a)->pending_send_sz = plen & 1;
	memcpy(b, a, sizeof(b));
	rb = ra;
	rb.hdr = (void *)b;
	rb.data = b + KMCL_RING_HDR_SIZE;

	ret_a = kmcl_ring_write(&ra, ib->vec, ib->nvec, &sa);
	ret_b = kmcl_ring_write_inband(&rb, &ib->desc, payload, plen, &sb);
	FUZZ_CHECK(ret_a == ret_b && sa == sb && ra.write == rb.write &&
		   !memcmp(a, b, sizeof(a)),
		   "in-band writer %d/%d differs from ring_write %d/%d",
		   ret_b, sb, ret_a, sa);
	/* A descriptor that does not describe the payload is refused. */
	if (plen && ib->desc.len8 * 8 != ((16 + plen - 1 + 7) & ~7U))
		FUZZ_CHECK(kmcl_ring_write_inband(&rb, &ib->desc, payload,
						  plen - 1, &sb) == -EINVAL &&
			   !sb && !memcmp(a, b, sizeof(a)),
			   "in-band writer took a descriptor for another length");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned int kind, count, cut, i, nvec = 0;
	uint32_t plen, hdr_len = 16, pad = 0, w, r, len;
	uint64_t trans_id, sum = 0;
	struct kmcl_wire_inband ib;
	struct kmcl_wire_packet out;
	struct kvec vec[3];
	uint16_t flags;
	bool mask;
	int ret;

	kind = fuzz_take(&in, 1) % K_KINDS;
	flags = fuzz_take(&in, 2);
	trans_id = fuzz_take(&in, 8);
	plen = fuzz_take(&in, 2) & 0x3fff;
	w = (fuzz_take(&in, 2) * 8) % RING_DATA;
	r = fuzz_take(&in, 4);
	mask = fuzz_take(&in, 1) & 1;
	count = fuzz_take(&in, 1) % (MAX_RANGES + 1);
	cut = fuzz_take(&in, 1);
	/* Now and then a payload near the largest len8 can describe. */
	if ((cut & 0x7c) == 0x7c)
		plen = 0x7ffff - plen;

	if (kind >= K_GPA_FINISH) {
		struct kmcl_gpa_direct_hdr *g = (void *)hdrbuf;
		struct kmcl_xfer_page_hdr *x = (void *)hdrbuf;
		uint32_t pos = 24, buflen;

		memset(hdrbuf, 0, 24);
		for (i = 0; i < count; i++) {
			uint32_t bc = fuzz_take(&in, 4), bo = fuzz_take(&in, 2);

			if (kind == K_XFER) {
				bo |= (uint32_t)(bc & 0xff) << 24;
				memcpy(hdrbuf + pos, &bc, 4);
				memcpy(hdrbuf + pos + 4, &bo, 4);
				pos += 8;
			} else {
				uint32_t n;

				bc &= 0x3ffff;
				n = bo < 4096 ? kmcl_wire_gpa_pfns(bo, bc) : 1;
				memcpy(hdrbuf + pos, &bc, 4);
				memcpy(hdrbuf + pos + 4, &bo, 4);
				memset(hdrbuf + pos + 8, 0x5a, 8 * n);
				pos += 8 + 8 * n;
			}
			sum += bc;
		}
		/* Sometimes claim fewer valid bytes than the ranges need. */
		buflen = pos;
		if (cut & 0x80)
			buflen = (cut & 0x7f) > pos ? 0 : pos - (cut & 0x7f);
		if (kind == K_XFER) {
			x->xfer_pageset_id = trans_id >> 48;
			x->sender_owns_set = 1;
			x->range_count = count;
			ret = kmcl_wire_xfer_page_finish(x, buflen, flags, trans_id,
							 plen, &hdr_len, &pad);
		} else if (kind == K_GPA_FINISH) {
			g->range_count = count;
			ret = kmcl_wire_gpa_direct_finish(g, buflen, flags,
							  trans_id, plen,
							  &hdr_len, &pad);
		} else {
			ret = kmcl_wire_gpa_direct_desc(g, hdrbuf + 24,
							buflen < 24 ? 0 : buflen - 24,
							count, flags, trans_id,
							plen, &pad);
			hdr_len = pos;
		}
		if (ret) {
			FUZZ_CHECK(ret == -EINVAL || ret == -EMSGSIZE,
				   "builder: %d", ret);
			/* Must be a real reason: a valid full set fits. */
			if (ret == -EINVAL && count && buflen == pos &&
			    kind != K_XFER) {
				struct fuzz_ref ref;
				uint8_t *p = hdrbuf;

				g->d.type = KMCL_PKT_DATA_USING_GPA_DIRECT;
				g->d.offset8 = pos / 8;
				g->d.len8 = pos / 8;
				FUZZ_CHECK(pos > KMCL_WIRE_MAX_PKT_LEN ||
					   !fuzz_ref_parse(p, pos, UINT32_MAX,
							   UINT64_MAX, &ref),
					   "gpa builder refused valid ranges");
			}
			return 0;
		}
		FUZZ_CHECK(buflen >= pos || kind == K_GPA_DESC,
			   "builder used bytes past buflen");
		FUZZ_CHECK(hdr_len == pos, "hdr_len %u pos %u", hdr_len, pos);
		vec[0].iov_base = hdrbuf;
		vec[0].iov_len = hdr_len;
		nvec = 1;
	} else {
		uint16_t type = kind == K_COMP ? KMCL_PKT_COMP : KMCL_PKT_DATA_INBAND;

		ret = kmcl_wire_inband_build(&ib, type, kind == K_COMP ? 0 : flags,
					     trans_id, payload, plen);
		FUZZ_CHECK(ret == (16 + plen + 7 > KMCL_WIRE_MAX_PKT_LEN + 7 ?
				   -EMSGSIZE : 0), "inband build %d plen %u",
			   ret, plen);
		if (ret)
			return 0;
		pad = ib.desc.len8 * 8 - 16 - plen;
	}
	len = hdr_len + plen + pad;
	FUZZ_CHECK(pad < 8 && len % 8 == 0 && len <= KMCL_WIRE_MAX_PKT_LEN,
		   "pad %u len %u", pad, len);
	if (!in.left)
		memset(payload, 0x3c, plen);
	for (i = 0; in.left && i < plen; i += in.left)
		memcpy(payload + i, in.p, plen - i < in.left ? plen - i : in.left);
	if (kind >= K_GPA_FINISH) {
		static const uint64_t zero;

		vec[1].iov_base = payload;
		vec[1].iov_len = plen;
		vec[2].iov_base = (void *)&zero;
		vec[2].iov_len = pad;
		nvec = 3;
	}

	/* Flatten, then the parser must give back what was built. */
	{
		const struct kvec *v = kind >= K_GPA_FINISH ? vec : ib.vec;
		unsigned int n = kind >= K_GPA_FINISH ? nvec : ib.nvec;
		uint32_t at = 0;

		for (i = 0; i < n; i++) {
			memcpy(pkt + at, v[i].iov_base, v[i].iov_len);
			at += v[i].iov_len;
		}
		FUZZ_CHECK(at == len, "pieces add up to %u, not %u", at, len);
		fuzz_check_parse(pkt, len, UINT32_MAX, UINT64_MAX, &out);
		FUZZ_CHECK(out.trans_id == trans_id &&
			   out.flags == (kind == K_COMP ? 0 : flags) &&
			   out.hdr_len == hdr_len && out.data_len == plen + pad &&
			   !memcmp(out.data, payload, plen) &&
			   out.range_count == (kind >= K_GPA_FINISH ? count : 0) &&
			   out.range_bytes == (kind >= K_GPA_FINISH ? sum : 0),
			   "parsed packet differs from the built one");
		for (i = 0; i < pad; i++)
			FUZZ_CHECK(pkt[hdr_len + plen + i] == 0, "pad byte");
		check_ring_write(v, n, len, w, r, mask);
		if (kind < K_GPA_FINISH)
			check_inband_writer(&ib, plen, w, r, mask);
	}
	return 0;
}
