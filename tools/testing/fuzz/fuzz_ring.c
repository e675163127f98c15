// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the reader side of kmcl/ring.c over ring memory and
 * indices the peer chose, with the peer moving write_index between reads.
 *
 * Input: [size:1][write_index:4][read_index:4][buflen:2][script:16][data...]
 * The data area is filled with the data bytes (repeated). Each script byte
 * is one step: bit 7 set moves the shared write_index to a new value taken
 * from the data, otherwise the reader peeks, parses and consumes.
 *
 * Checked on every step: a packet is accepted only if it lies wholly in
 * the bytes written and inside its own length, the bytes handed out are
 * the ring's bytes at the read index, the read index moves only by a
 * validated packet plus its trailer, and kmcl_wire_parse() agrees with the
 * reference parser on the copy. Ring memory is allocated to its exact size
 * so AddressSanitizer sees any access outside it.
 */
#include "fuzz_common.h"

static uint32_t used(uint32_t size, uint32_t w, uint32_t r)
{
	return w >= r ? w - r : size - (r - w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint32_t total, dsz, widx, ridx, buflen, i;
	struct kmcl_ring ring;
	uint8_t script[16];
	uint8_t *mem, *buf;
	const uint8_t *fill;
	size_t fill_len;
	int ret;

	total = KMCL_RING_HDR_SIZE * (2 + fuzz_take(&in, 1) % 4);
	widx = fuzz_take(&in, 4);
	ridx = fuzz_take(&in, 4);
	buflen = fuzz_take(&in, 2);
	for (i = 0; i < sizeof(script); i++)
		script[i] = fuzz_take(&in, 1);
	fill = in.p;
	fill_len = in.left;

	mem = malloc(total);
	buf = malloc(buflen ? buflen : 1);
	if (!mem || !buf)
		abort();
	memset(mem, 0, KMCL_RING_HDR_SIZE);
	dsz = total - KMCL_RING_HDR_SIZE;
	if (!fill_len)
		memset(mem + KMCL_RING_HDR_SIZE, 0, dsz);
	for (i = 0; fill_len && i < dsz; i += fill_len)
		memcpy(mem + KMCL_RING_HDR_SIZE + i, fill,
		       dsz - i < fill_len ? dsz - i : fill_len);
	((struct kmcl_ring_hdr *)mem)->write_index = widx;
	((struct kmcl_ring_hdr *)mem)->read_index = ridx;

	ret = kmcl_ring_attach(&ring, mem, total);
	if (widx >= dsz || ridx >= dsz || widx % 8 || ridx % 8) {
		FUZZ_CHECK(ret == -EBADMSG, "attach to bad indexes: %d", ret);
		/* Continue as a reader that starts at 0 of a hostile ring. */
		ret = kmcl_ring_attach(&ring, mem, total);
		if (ret) {
			((struct kmcl_ring_hdr *)mem)->read_index = 0;
			((struct kmcl_ring_hdr *)mem)->write_index = 0;
			FUZZ_CHECK(!kmcl_ring_attach(&ring, mem, total),
				   "attach to a zero ring");
			((struct kmcl_ring_hdr *)mem)->write_index = widx;
		}
	} else {
		FUZZ_CHECK(ret == 0 && ring.read == ridx && ring.write == widx,
			   "attach to good indexes: %d", ret);
	}
	FUZZ_CHECK(ring.data_size == dsz, "data_size %u", ring.data_size);

	for (i = 0; i < sizeof(script); i++) {
		struct kmcl_ring_hdr *hdr = ring.hdr;
		uint32_t w = hdr->write_index, r = ring.read, pktlen = 0;
		struct kmcl_vmpacket_desc d;
		struct kmcl_wire_packet wp;
		bool sig;

		if (script[i] & 0x80) {
			uint32_t off = (script[i] & 0x7f) * 4;

			hdr->write_index = fill_len > off + 3 ?
				fuzz_le32(fill + off) : (script[i] & 0x7f) * 8;
			continue;
		}
		ret = kmcl_ring_peek(&ring, buf, buflen, &pktlen);
		FUZZ_CHECK(ring.read == r, "peek moved the read index");
		if (w >= dsz || w % 8) {
			FUZZ_CHECK(ret == -EBADMSG, "bad write_index %u: %d", w, ret);
			FUZZ_CHECK(kmcl_ring_consume(&ring, 8, NULL) == -EINVAL &&
				   ring.read == r, "consume after a refused peek");
			continue;
		}
		if (w == r) {
			FUZZ_CHECK(ret == -EAGAIN && kmcl_ring_empty(&ring),
				   "empty ring: %d", ret);
			continue;
		}
		FUZZ_CHECK(kmcl_ring_avail_read(&ring) == used(dsz, w, r),
			   "avail_read");
		if (ret == -EBADMSG) {
			FUZZ_CHECK(!pktlen, "pktlen on -EBADMSG");
			continue;
		}
		FUZZ_CHECK(ret == 0 || ret == -EMSGSIZE, "peek: %d", ret);
		/* The descriptor as it lies in the ring (single-threaded). */
		{
			uint32_t first = dsz - r < 16 ? dsz - r : 16;

			memcpy(&d, ring.data + r, first);
			memcpy((uint8_t *)&d + first, ring.data, 16 - first);
		}
		FUZZ_CHECK(pktlen == d.len8 * 8u && pktlen >= 16 &&
			   pktlen + KMCL_RING_TRAILER_SIZE <= used(dsz, w, r),
			   "accepted len %u outside the %u written bytes",
			   pktlen, used(dsz, w, r));
		FUZZ_CHECK(d.offset8 >= 2 && d.offset8 <= d.len8, "offset8 %u",
			   d.offset8);
		if (ret == -EMSGSIZE) {
			FUZZ_CHECK(pktlen > buflen, "EMSGSIZE for %u <= %u",
				   pktlen, buflen);
		} else {
			uint32_t first = dsz - r < pktlen ? dsz - r : pktlen;

			FUZZ_CHECK(!memcmp(buf, ring.data + r, first) &&
				   !memcmp(buf + first, ring.data, pktlen - first),
				   "copied bytes differ from the ring");
			fuzz_check_parse(buf, pktlen, 64, 1u << 20, &wp);
		}
		FUZZ_CHECK(kmcl_ring_consume(&ring, pktlen + 8, NULL) == -EINVAL &&
			   ring.read == r, "consume of an unvalidated length");
		FUZZ_CHECK(kmcl_ring_consume(&ring, pktlen, &sig) == 0,
			   "consume of the validated length");
		FUZZ_CHECK(ring.read == (r + pktlen + 8) % dsz &&
			   hdr->read_index == ring.read,
			   "read index moved to %u, not by %u", ring.read,
			   pktlen + 8);
		FUZZ_CHECK(kmcl_ring_consume(&ring, pktlen, NULL) == -EINVAL,
			   "the same packet consumed twice");
	}
	free(buf);
	free(mem);
	return 0;
}
