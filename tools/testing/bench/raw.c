// SPDX-License-Identifier: GPL-2.0-only
/*
 * The raw baseline: two VMBus-format rings (the layout of struct
 * hv_ring_buffer: a 4 KiB control page, then the data; 16-byte
 * descriptors, 8-byte trailers) between a sender and a server tasklet that
 * completes each packet with a completion packet. Barriers, the
 * interrupt-mask rule (the reader masks while it drains, unmasks and looks
 * again) and the signalling (a signal only when the reader is unmasked and
 * the ring was empty before the packet; the signal schedules the peer's
 * tasklet, as the loopback does) are those of the loopback. There is no
 * lock: each ring end has exactly one user, a packet has no object, a
 * completion only counts. It is meant to be the fastest honest way to move
 * these packets, so that KMCL's ratio against it measures KMCL's cost.
 */
#include <linux/compiler.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
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

struct raw_pair {
	struct bench_pair b;
	void *c2s_mem, *s2c_mem;
	struct raw_ring c2s_w, c2s_r, s2c_w, s2c_r;
	struct tasklet_struct srv_rx, cli_rx;
	struct completion sync_done;
	u64 next_id;
	u8 *srv_buf;		/* the server's private copy of a packet */
	u32 srv_buf_len;
};

static void raw_view(struct raw_ring *r, void *mem)
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
static int raw_write(struct raw_ring *r, u16 type, u16 flags, u64 id,
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
static int raw_read(struct raw_ring *r, void *buf, u32 buflen)
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

/* Server: complete every packet that arrived. */
static void raw_srv_rx(struct tasklet_struct *t)
{
	struct raw_pair *rp = from_tasklet(rp, t, srv_rx);
	struct raw_desc *d = (struct raw_desc *)rp->srv_buf;
	bool sig, signal = false;
	int len;

	do {
		raw_mask(&rp->c2s_r);
		while ((len = raw_read(&rp->c2s_r, rp->srv_buf,
				       rp->srv_buf_len)) > 0) {
			if (!(d->flags & RAW_FLAG_COMP_REQ))
				continue;
			if (raw_write(&rp->s2c_w, RAW_TYPE_COMP, 0, d->trans_id,
				      NULL, 0, &sig))
				atomic_inc(&rp->b.errors);
			signal |= sig;
		}
		if (len < 0) {
			atomic_inc(&rp->b.errors);
			break;
		}
	} while (raw_unmask(&rp->c2s_r));
	if (signal)
		tasklet_schedule(&rp->cli_rx);
}

/* Client: account every completion that arrived. */
static void raw_cli_rx(struct tasklet_struct *t)
{
	struct raw_pair *rp = from_tasklet(rp, t, cli_rx);
	struct raw_desc d;
	int len;

	do {
		raw_mask(&rp->s2c_r);
		while ((len = raw_read(&rp->s2c_r, &d, sizeof(d))) > 0) {
			if (d.trans_id == RAW_SYNC_ID)
				complete(&rp->sync_done);
			else
				bench_done(&rp->b, d.type == RAW_TYPE_COMP);
		}
		if (len < 0) {
			atomic_inc(&rp->b.errors);
			break;
		}
	} while (raw_unmask(&rp->s2c_r));
}

static struct bench_pair *raw_open(int idx, enum bench_kind kind, bool big)
{
	struct raw_pair *rp = kzalloc(sizeof(*rp), GFP_KERNEL);
	u32 size = BENCH_RING_PAGES * RAW_PAGE;

	if (!rp)
		return NULL;
	if (bench_pair_init(&rp->b, &bench_raw_ops, kind))
		goto fail;
	rp->c2s_mem = vzalloc(size);
	rp->s2c_mem = vzalloc(size);
	rp->srv_buf_len = (big ? BENCH_BIG_PAYLOAD : 4096) + 64;
	rp->srv_buf = kmalloc(rp->srv_buf_len, GFP_KERNEL);
	if (!rp->c2s_mem || !rp->s2c_mem || !rp->srv_buf)
		goto fail;
	raw_view(&rp->c2s_w, rp->c2s_mem);
	raw_view(&rp->c2s_r, rp->c2s_mem);
	raw_view(&rp->s2c_w, rp->s2c_mem);
	raw_view(&rp->s2c_r, rp->s2c_mem);
	tasklet_setup(&rp->srv_rx, raw_srv_rx);
	tasklet_setup(&rp->cli_rx, raw_cli_rx);
	init_completion(&rp->sync_done);
	rp->next_id = 1;
	return &rp->b;
fail:
	vfree(rp->c2s_mem);
	vfree(rp->s2c_mem);
	kfree(rp->srv_buf);
	bench_pair_fini(&rp->b);
	kfree(rp);
	return NULL;
}

static void raw_close(struct bench_pair *p)
{
	struct raw_pair *rp = container_of(p, struct raw_pair, b);

	tasklet_kill(&rp->srv_rx);
	tasklet_kill(&rp->cli_rx);
	vfree(rp->c2s_mem);
	vfree(rp->s2c_mem);
	kfree(rp->srv_buf);
	bench_pair_fini(p);
	kfree(rp);
}

/*
 * The loopback signals with BH off (under its link lock), so the peer's
 * tasklet runs as soon as BH is enabled again instead of in ksoftirqd.
 */
static void raw_signal(struct tasklet_struct *t)
{
	local_bh_disable();
	tasklet_schedule(t);
	local_bh_enable();
}

static int raw_send(struct bench_pair *p, u32 len)
{
	struct raw_pair *rp = container_of(p, struct raw_pair, b);
	bool signal;
	int ret;

	atomic_inc(&p->inflight);
	ret = raw_write(&rp->c2s_w, RAW_TYPE_INBAND, RAW_FLAG_COMP_REQ,
			rp->next_id++, p->payload, len, &signal);
	if (ret) {
		atomic_dec(&p->inflight);
		return ret;
	}
	if (signal)
		raw_signal(&rp->srv_rx);
	return 0;
}

static int raw_sync(struct bench_pair *p, u32 len)
{
	struct raw_pair *rp = container_of(p, struct raw_pair, b);
	bool signal;
	int ret;

	reinit_completion(&rp->sync_done);
	ret = raw_write(&rp->c2s_w, RAW_TYPE_INBAND, RAW_FLAG_COMP_REQ,
			RAW_SYNC_ID, p->payload, len, &signal);
	if (ret)
		return ret;
	if (signal)
		raw_signal(&rp->srv_rx);
	if (!wait_for_completion_timeout(&rp->sync_done, 20 * HZ))
		return -ETIMEDOUT;
	return 0;
}

const struct bench_ops bench_raw_ops = {
	.name = "raw",
	.open = raw_open,
	.close = raw_close,
	.send = raw_send,
	.sync = raw_sync,
};
