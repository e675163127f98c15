// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the saved-state decoder (kmcl/save_format.c).
 *
 * Input: [mode:1][...].
 * - mode even: the rest is fed to kmcl_save_read() chunk after chunk, as
 *   VmbChannelRestoreFromBuffer() does, from a buffer of exactly its
 *   length. Every accepted chunk lies inside the bytes, and writing its
 *   decoded fields back gives the same bytes.
 * - mode odd: a valid save is built from the next input bytes (packet
 *   count, driver state lengths and contents, GPADLs), read back whole
 *   (every field must match), then one byte chosen by the input is
 *   changed or the buffer cut short: the reader must refuse it before
 *   reaching END.
 */
#include "fuzz_common.h"

#include "save_format.h"

/* Re-encode an accepted chunk and compare it with the input bytes. */
static void fuzz_check_roundtrip(const uint8_t *chunk, int len, uint32_t seq,
				 uint64_t id, const struct kmcl_save_item *it,
				 uint32_t packets)
{
	struct kmcl_save_gpadl *g = NULL;
	uint8_t *out = malloc(len);
	uint32_t n = 0, i;

	FUZZ_CHECK(out, "oom");
	switch (it->type) {
	case KMCL_SAVE_CHANNEL:
		g = calloc(it->chan.gpadl_count + 1, sizeof(*g));
		FUZZ_CHECK(g, "oom");
		for (i = 0; i < it->chan.gpadl_count; i++)
			kmcl_save_gpadl_at(it->gpadls, i, &g[i]);
		n = kmcl_save_put_chan(out, seq, id, &it->chan, g);
		break;
	case KMCL_SAVE_PACKET:
		FUZZ_CHECK((const uint8_t *)it->drv >= chunk &&
			   (const uint8_t *)it->drv + it->drv_len <= chunk + len,
			   "driver state outside the chunk");
		n = kmcl_save_put_packet(out, seq, id, &it->lib, it->drv,
					 it->drv_len);
		break;
	default:
		n = kmcl_save_put_end(out, seq, id, packets);
		break;
	}
	FUZZ_CHECK(n == (uint32_t)len, "re-encoded %u bytes, read %d", n, len);
	FUZZ_CHECK(!memcmp(out, chunk, len), "re-encoded bytes differ");
	free(g);
	free(out);
}

static void fuzz_read_all(const uint8_t *buf, uint32_t len)
{
	struct kmcl_save_reader r = { 0 };
	struct kmcl_save_item it;
	uint32_t off = 0;
	int n;

	while (off < len) {
		uint32_t seq = r.next_seq;

		n = kmcl_save_read(&r, buf + off, len - off, &it);
		if (n < 0) {
			FUZZ_CHECK(n == -EMSGSIZE || n == -EBADMSG ||
				   n == -EPROTONOSUPPORT, "errno %d", n);
			FUZZ_CHECK(r.next_seq == seq, "reader moved on an error");
			return;
		}
		FUZZ_CHECK(n >= KMCL_SAVE_HDR_SIZE && (uint32_t)n <= len - off,
			   "chunk of %d bytes at %u of %u", n, off, len);
		fuzz_check_roundtrip(buf + off, n, seq, r.save_id, &it,
				     r.packets);
		off += n;
	}
}

/* Build a save into a fresh buffer; returns its length. */
static uint32_t fuzz_build(struct fuzz_in *in, uint8_t **bufp,
			   uint32_t *chunks, uint32_t *offs)
{
	struct kmcl_save_gpadl g[8];
	struct kmcl_save_chan c = { 0 };
	struct kmcl_save_lib lib = { 0 };
	uint64_t id = fuzz_take(in, 8);
	uint32_t i, len, off, n = 0;
	uint8_t drv[64];
	uint8_t *buf;

	c.max_packet_size = 1 + fuzz_take(in, 2);
	c.max_packet_count = 1 + fuzz_take(in, 1) % 16;
	c.packet_count = fuzz_take(in, 1) % (c.max_packet_count + 1);
	c.gpadl_count = fuzz_take(in, 1) % 9;
	c.server_flags = fuzz_take(in, 1);
	c.target_vtl = fuzz_take(in, 1) % 16;
	c.mmio_mb = fuzz_take(in, 2);
	for (i = 0; i < 16; i++)
		c.offer_type[i] = fuzz_take(in, 1);
	for (i = 0; i < c.gpadl_count; i++) {
		g[i].handle = 1 + i * 3;
		g[i].flags = fuzz_take(in, 1);
	}
	len = kmcl_save_chan_size(c.gpadl_count) + kmcl_save_end_size() +
	      c.packet_count * kmcl_save_packet_size(sizeof(drv));
	buf = malloc(len);
	FUZZ_CHECK(buf, "oom");
	offs[n++] = 0;
	off = kmcl_save_put_chan(buf, 0, id, &c, g);
	for (i = 0; i < c.packet_count; i++) {
		uint32_t dl = fuzz_take(in, 1) % (sizeof(drv) + 1), k;

		for (k = 0; k < dl; k++)
			drv[k] = fuzz_take(in, 1);
		lib.save_id = id;
		lib.txid = 1 + fuzz_take(in, 8) % 0xfffffffffffffff0ULL;
		lib.flags = fuzz_take(in, 1) & KMCL_SAVE_LIB_COMP;
		lib.pkt_flags = fuzz_take(in, 1) & 1;
		lib.index = i;
		offs[n++] = off;
		off += kmcl_save_put_packet(buf + off, i + 1, id, &lib, drv, dl);
	}
	offs[n++] = off;
	off += kmcl_save_put_end(buf + off, c.packet_count + 1, id,
				 c.packet_count);
	*chunks = n;
	*bufp = buf;
	return off;
}

static bool fuzz_reaches_end(const uint8_t *buf, uint32_t len)
{
	struct kmcl_save_reader r = { 0 };
	struct kmcl_save_item it;
	uint32_t off = 0;
	int n;

	while (off < len) {
		n = kmcl_save_read(&r, buf + off, len - off, &it);
		if (n < 0)
			return false;
		off += n;
	}
	return r.done;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint32_t offs[32], chunks, len, where, cut;
	uint8_t *buf, flip;

	if (!(fuzz_take(&in, 1) & 1)) {
		len = in.left > 0x20000 ? 0x20000 : in.left;
		buf = malloc(len ? len : 1);
		FUZZ_CHECK(buf, "oom");
		memcpy(buf, in.p, len);
		fuzz_read_all(buf, len);
		free(buf);
		return 0;
	}
	len = fuzz_build(&in, &buf, &chunks, offs);
	FUZZ_CHECK(fuzz_reaches_end(buf, len), "a valid save was refused");
	fuzz_read_all(buf, len);
	where = fuzz_take(&in, 4) % len;
	flip = fuzz_take(&in, 1);
	cut = fuzz_take(&in, 1);
	if (cut & 1) {
		/* Cut anywhere: the END chunk is never reached whole. */
		FUZZ_CHECK(!fuzz_reaches_end(buf, where),
			   "a save cut at %u of %u was accepted", where, len);
	} else {
		buf[where] ^= flip ? flip : 0x80;
		FUZZ_CHECK(!fuzz_reaches_end(buf, len),
			   "byte %u changed and the save was accepted", where);
	}
	free(buf);
	return 0;
}
