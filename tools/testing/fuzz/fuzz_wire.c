// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: kmcl_wire_parse() on any bytes, for every packet type.
 *
 * Input: [max_ranges:1][max_bytes:4][packet...]. The packet is copied into
 * a buffer of exactly its length, so AddressSanitizer catches any read
 * past it, and the verdict and every field are compared with the
 * reference parser in fuzz_common.h. An accepted in-band packet's payload
 * then goes through the pipe header parser (kmcl/pipe.c), checked against
 * its own reference.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct kmcl_wire_packet out;
	uint32_t max_ranges, len;
	uint64_t max_bytes;
	uint8_t *pkt;

	max_ranges = fuzz_take(&in, 1);
	if (max_ranges == 0xff)
		max_ranges = UINT32_MAX;
	max_bytes = fuzz_take(&in, 4);
	if (max_bytes == 0xffffffff)
		max_bytes = UINT64_MAX;
	len = in.left > 0x80000 ? 0x80000 : in.left;
	pkt = malloc(len ? len : 1);
	if (!pkt)
		abort();
	memcpy(pkt, in.p, len);
	/* An accepted in-band payload is also what a pipe channel parses. */
	if (!fuzz_check_parse(pkt, len, max_ranges, max_bytes, &out) &&
	    out.type == KMCL_PKT_DATA_INBAND)
		fuzz_check_pipe(out.data, out.data_len);
	free(pkt);
	return 0;
}
