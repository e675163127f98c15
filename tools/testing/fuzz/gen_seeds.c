// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes the seed corpus: valid packets of every kind, made by the
 * project's own builders in kmcl/wire.c and written into a ring by
 * kmcl/ring.c, laid out as each fuzz target reads its input.
 *
 *   gen_seeds DIR     creates DIR/ring, DIR/wire, DIR/build
 */
#include <sys/stat.h>

#include "fuzz_common.h"

static const char *dir;

static void put(const char *target, const char *name, const void *a,
		size_t alen, const void *b, size_t blen)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(a, 1, alen, f) != alen ||
	    (blen && fwrite(b, 1, blen, f) != blen) || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* Flatten a packet from pieces; returns its length. */
static uint32_t flatten(uint8_t *dst, const struct kvec *v, unsigned int n)
{
	uint32_t at = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		memcpy(dst + at, v[i].iov_base, v[i].iov_len);
		at += v[i].iov_len;
	}
	return at;
}

static uint8_t pkts[4][1024];
static uint32_t lens[4];
static const uint8_t payload[] = "kmcl fuzz seed payload: 37 bytes....";

static void build_packets(void)
{
	static uint8_t hb[256];
	struct kmcl_gpa_direct_hdr *g = (void *)hb;
	struct kmcl_xfer_page_hdr *x = (void *)hb;
	struct kmcl_wire_inband ib;
	uint32_t hlen, pad, v[2];
	uint64_t pfn;
	struct kvec vec[3];
	static const uint64_t zero;

	if (kmcl_wire_inband_build(&ib, KMCL_PKT_DATA_INBAND,
				   KMCL_PKT_FLAG_COMPLETION_REQUESTED, 0x1001,
				   payload, sizeof(payload)))
		abort();
	lens[0] = flatten(pkts[0], ib.vec, ib.nvec);
	if (kmcl_wire_inband_build(&ib, KMCL_PKT_COMP, 0, 0x1001, payload, 8))
		abort();
	lens[1] = flatten(pkts[1], ib.vec, ib.nvec);

	/* GPA-direct: two ranges, the second crossing a page. */
	memset(hb, 0, sizeof(hb));
	g->range_count = 2;
	v[0] = 512;
	v[1] = 100;
	memcpy(hb + 24, v, 8);
	pfn = 0x1234;
	memcpy(hb + 32, &pfn, 8);
	v[0] = 200;
	v[1] = 4000;
	memcpy(hb + 40, v, 8);
	memcpy(hb + 48, &pfn, 8);
	pfn++;
	memcpy(hb + 56, &pfn, 8);
	if (kmcl_wire_gpa_direct_finish(g, 64, KMCL_PKT_FLAG_COMPLETION_REQUESTED,
					0x2002, 12, &hlen, &pad))
		abort();
	vec[0] = (struct kvec){ hb, hlen };
	vec[1] = (struct kvec){ (void *)payload, 12 };
	vec[2] = (struct kvec){ (void *)&zero, pad };
	lens[2] = flatten(pkts[2], vec, 3);

	/* Transfer pages: three ranges in set 0xcafe. */
	memset(hb, 0, sizeof(hb));
	x->xfer_pageset_id = 0xcafe;
	x->sender_owns_set = 1;
	x->range_count = 3;
	x->ranges[0] = (struct kmcl_xfer_range){ 1500, 0 };
	x->ranges[1] = (struct kmcl_xfer_range){ 60, 4096 };
	x->ranges[2] = (struct kmcl_xfer_range){ 9000, 8192 };
	if (kmcl_wire_xfer_page_finish(x, 48, KMCL_PKT_FLAG_COMPLETION_REQUESTED,
				       0x3003, 0, &hlen, &pad))
		abort();
	vec[0] = (struct kvec){ hb, hlen };
	lens[3] = flatten(pkts[3], vec, 1);
}

static void wire_seeds(void)
{
	static const char * const names[4] = {
		"inband", "completion", "gpa_direct", "xfer_pages"
	};
	uint8_t head[5] = { 8, 0, 0, 0x10, 0 };	/* 8 ranges, 1 MiB */
	int i;

	uint8_t body[KMCL_PIPE_HDR_LEN + 13], pipe[64];
	struct kmcl_wire_inband ib;

	for (i = 0; i < 4; i++)
		put("wire", names[i], head, sizeof(head), pkts[i], lens[i]);

	/* A pipe datagram: the pipe header and 13 bytes, as KMCL sends it. */
	kmcl_pipe_put_hdr(body, 13);
	memcpy(body + KMCL_PIPE_HDR_LEN, payload, 13);
	if (kmcl_wire_inband_build(&ib, KMCL_PKT_DATA_INBAND, 0, 0, body,
				   sizeof(body)))
		abort();
	put("wire", "pipe", head, sizeof(head), pipe,
	    flatten(pipe, ib.vec, ib.nvec));
}

/* A ring with all four packets in it, the last one wrapping. */
static void ring_seeds(void)
{
	static uint8_t mem[2 * KMCL_RING_HDR_SIZE];
	static uint8_t in[27 + KMCL_RING_HDR_SIZE];
	struct kmcl_ring ring;
	uint32_t start;
	int i, round;

	for (round = 0; round < 2; round++) {
		if (kmcl_ring_init(&ring, mem, sizeof(mem)))
			abort();
		/* Second round: start near the end so packets wrap. */
		start = round ? KMCL_RING_HDR_SIZE - 64 : 0;
		ring.hdr->write_index = ring.hdr->read_index = start;
		ring.write = ring.read = start;
		for (i = 0; i < 4; i++) {
			struct kvec v = { pkts[i], lens[i] };

			if (kmcl_ring_write(&ring, &v, 1, NULL))
				abort();
		}
		memset(in, 0, 27);
		memcpy(in + 1, &ring.hdr->write_index, 4);
		memcpy(in + 5, &start, 4);
		in[9] = 0;
		in[10] = 0x10;			/* buflen 4096 */
		memcpy(in + 27, ring.data, KMCL_RING_HDR_SIZE);
		put("ring", round ? "four_wrapped" : "four", in, sizeof(in),
		    NULL, 0);
	}
}

static void build_seeds(void)
{
	/* kind flags(2) id(8) plen(3)... see fuzz_build.c */
	static const uint8_t inband[] = {
		0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 4, 0, 0, 0, 0, 0,
		0, 0, 'a', 'b', 'c' };
	static const uint8_t comp[] = {
		1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 9, 0, 16, 0, 0, 0,
		1, 0 };
	static const uint8_t gpa[] = {
		2, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0,
		2, 0, 0, 2, 0, 0, 100, 0, 200, 0, 0, 0, 0xa0, 0x0f, 'x' };
	static const uint8_t gpa_desc[] = {
		3, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0,
		1, 0, 0, 0x10, 0, 0, 0, 0 };
	static const uint8_t xfer[] = {
		4, 1, 0, 5, 0, 0, 0, 0, 0, 0xfe, 0xca, 0, 0, 0, 0, 0, 0, 0, 0,
		1, 3, 0, 0xdc, 5, 0, 0, 0, 0, 0x3c, 0, 0, 0, 0, 0x10,
		0x28, 0x23, 0, 0, 0, 0x20 };

	put("build", "inband", inband, sizeof(inband), NULL, 0);
	put("build", "completion", comp, sizeof(comp), NULL, 0);
	put("build", "gpa_finish", gpa, sizeof(gpa), NULL, 0);
	put("build", "gpa_desc", gpa_desc, sizeof(gpa_desc), NULL, 0);
	put("build", "xfer", xfer, sizeof(xfer), NULL, 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	mkdir(dir, 0755);
	build_packets();
	wire_seeds();
	ring_seeds();
	build_seeds();
	return 0;
}
