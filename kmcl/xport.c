// SPDX-License-Identifier: GPL-2.0-only
/*
 * The packet code reaches a channel's rings only through the calls in
 * xport.h, inline there; this file has the one that is not. A
 * transport with its own rings (hv_vmbus owns the rings of the channels
 * it opens) supplies struct kmcl_ring_ops; otherwise the packets go
 * through the channel's own in_ring/out_ring, which the loopback attaches
 * to shared memory. Both paths have the same contracts (transport.h), so
 * the packet code does not know which one it uses.
 */

#include <linux/errno.h>
#include <linux/kernel.h>

#include "kmcl.h"
#include "xport.h"

/**
 * kmcl_xport_write_gpa() - write a GPA-direct packet to the channel's own
 *	outgoing ring
 * @ch: the channel; its out.lock is held and it is open.
 * @x: the packet, gathered from its header, ranges, data and padding.
 * @signal: set when the peer must be signalled after the lock is dropped.
 *
 * Return: as kmcl_ring_write(); also -EOPNOTSUPP for more ranges than the
 * transport carries, -EINVAL for ranges the wire format cannot describe.
 */
int kmcl_xport_write_gpa(struct kmcl_channel *ch, const struct kmcl_xmit *x,
			 bool *signal)
{
	struct kmcl_gpa_direct_hdr hdr;
	u64 zero = 0;
	struct kvec vec[4];
	unsigned int n = 0;
	u32 pad;
	int ret;

	if (x->range_count > ch->tops->gpa_ranges_max)
		return -EOPNOTSUPP;
	ret = kmcl_wire_gpa_direct_desc(&hdr, x->ranges, x->ranges_len,
					x->range_count, x->flags, x->trans_id,
					x->len, &pad);
	if (ret)
		return ret;
	vec[n].iov_base = &hdr;
	vec[n++].iov_len = sizeof(hdr);
	vec[n].iov_base = (void *)x->ranges;
	vec[n++].iov_len = x->ranges_len;
	if (x->len) {
		vec[n].iov_base = (void *)x->data;
		vec[n++].iov_len = x->len;
	}
	if (pad) {
		vec[n].iov_base = &zero;
		vec[n++].iov_len = pad;
	}
	return kmcl_ring_write(&ch->out_ring, vec, n, signal);
}

