/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One VMBus-format ring as the raw baseline (raw.c) and the guarantee
 * ladder (ladder.c) use it: the layout of struct hv_ring_buffer (a 4 KiB
 * control page, then the data; 16-byte descriptors, 8-byte trailers), the
 * loopback's barriers and interrupt-mask rule, no lock (each ring end has
 * exactly one user).
 */
#ifndef _KMCL_BENCH_RAW_RING_H
#define _KMCL_BENCH_RAW_RING_H

#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/barrier.h>

#include "bench.h"

#define RAW_PAGE		4096U
#define RAW_TYPE_INBAND		6
#define RAW_TYPE_COMP		11
#define RAW_FLAG_COMP_REQ	1
#define RAW_SYNC_ID		(~0ULL - 8)

struct raw_hdr {
	u32 write_index;
	u32 read_index;
	u32 interrupt_mask;
	u32 pending_send_sz;
	u32 reserved1[12];
	u32 feature_bits;
};

struct raw_desc {
	u16 type;
	u16 offset8;
	u16 len8;
	u16 flags;
	u64 trans_id;
} __packed;

/* One end's view of a ring: the index it owns, kept privately. */
struct raw_ring {
	struct raw_hdr *hdr;
	u8 *data;
	u32 size;
	u32 priv;	/* write index (writer) or read index (reader) */
};

static inline void raw_view(struct raw_ring *r, void *mem)
{
	r->hdr = mem;
	r->data = (u8 *)mem + RAW_PAGE;
	r->size = BENCH_RING_PAGES * RAW_PAGE - RAW_PAGE;
	r->priv = 0;
}

static inline u32 raw_used(const struct raw_ring *r, u32 w, u32 rd)
{
	return w >= rd ? w - rd : r->size - (rd - w);
}

static inline u32 raw_copy_to(struct raw_ring *r, u32 pos, const void *src,
			      u32 len)
{
	u32 first = min(len, r->size - pos);

	memcpy(r->data + pos, src, first);
	if (len > first)
		memcpy(r->data, (const u8 *)src + first, len - first);
	pos += len;
	return pos >= r->size ? pos - r->size : pos;
}

static inline void raw_copy_from(const struct raw_ring *r, u32 pos, void *dst,
				 u32 len)
{
	u32 first = min(len, r->size - pos);

	memcpy(dst, r->data + pos, first);
	if (len > first)
		memcpy((u8 *)dst + first, r->data, len - first);
}

/*
 * Write descriptor + @len bytes of @data (padded to 8) + trailer. Returns
 * 0 (*@signal set as the loopback would set it) or -EAGAIN when full.
 */
static inline int raw_write(struct raw_ring *r, u16 type, u16 flags, u64 id,
			    const void *data, u32 len, bool *signal)
{
	static const u8 pad[8];
	u32 plen = sizeof(struct raw_desc) + ALIGN(len, 8);
	struct raw_desc d = {
		.type = type, .offset8 = 2, .len8 = plen >> 3,
		.flags = flags, .trans_id = id,
	};
	u32 rd, old = r->priv, pos;
	u64 trailer = (u64)old << 32;

	*signal = false;
	/* Freed bytes must not be overwritten before this load. */
	rd = virt_load_acquire(&r->hdr->read_index);
	if (unlikely(rd >= r->size))
		return -EIO;
	if (r->size - raw_used(r, old, rd) <= plen + 8)
		return -EAGAIN;
	pos = raw_copy_to(r, old, &d, sizeof(d));
	if (len) {
		pos = raw_copy_to(r, pos, data, len);
		if (len & 7)
			pos = raw_copy_to(r, pos, pad, 8 - (len & 7));
	}
	pos = raw_copy_to(r, pos, &trailer, sizeof(trailer));
	/* The packet before the index that publishes it. */
	virt_mb();
	WRITE_ONCE(r->hdr->write_index, pos);
	r->priv = pos;
	/* The index store before the reader's state is looked at. */
	virt_mb();
	if (READ_ONCE(r->hdr->interrupt_mask))
		return 0;
	/* interrupt_mask before read_index. */
	virt_rmb();
	*signal = READ_ONCE(r->hdr->read_index) == old;
	return 0;
}

/*
 * Copy the next packet (descriptor first) into @buf and release it.
 * Returns its length, 0 when empty, -EIO on a corrupt ring.
 */
static inline int raw_read(struct raw_ring *r, void *buf, u32 buflen)
{
	struct raw_desc d;
	u32 w, avail, len, next;

	/* The index before the bytes it covers. */
	w = virt_load_acquire(&r->hdr->write_index);
	if (unlikely(w >= r->size || (w & 7)))
		return -EIO;
	avail = raw_used(r, w, r->priv);
	if (!avail)
		return 0;
	raw_copy_from(r, r->priv, &d, sizeof(d));
	len = (u32)d.len8 << 3;
	if (unlikely(len < sizeof(d) || len + 8 > avail || len > buflen ||
		     d.offset8 < 2 || d.offset8 > d.len8))
		return -EIO;
	raw_copy_from(r, r->priv, buf, len);
	memcpy(buf, &d, sizeof(d));
	next = r->priv + len + 8;
	if (next >= r->size)
		next -= r->size;
	r->priv = next;
	/* Done reading the packet before the writer may reuse it. */
	virt_mb();
	WRITE_ONCE(r->hdr->read_index, next);
	return len;
}

static inline void raw_mask(struct raw_ring *r)
{
	WRITE_ONCE(r->hdr->interrupt_mask, 1);
	/* The mask is visible before the reader drains. */
	virt_mb();
}

/* Returns true if the ring is not empty after unmasking. */
static inline bool raw_unmask(struct raw_ring *r)
{
	WRITE_ONCE(r->hdr->interrupt_mask, 0);
	/* Clear the mask before sampling write_index. */
	virt_mb();
	return READ_ONCE(r->hdr->write_index) != r->priv;
}

#endif /* _KMCL_BENCH_RAW_RING_H */
