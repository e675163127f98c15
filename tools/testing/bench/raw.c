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
#include "raw_ring.h"

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
