// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guarantee ladder (`make bench`, opt-in with ladder=1; smoke runs
 * it too): the raw ring of raw.c with KMCL's obligations added one at a
 * time, so that what each one costs per packet (async, at DISPATCH, 16
 * KiB in-band) and per synchronous request can be measured next to the
 * raw ring and KMCL in one run. Each rung keeps what the one below has
 * and adds:
 *
 * 1 "obj": a tracked packet object per send, with exactly-once
 *   completion. The sender takes an object from a lookaside of 64 (KMCL's
 *   default packet count) and sends its transaction id (generation and
 *   index); the client's reader checks the peer's id (in range, current
 *   generation) and claims the object with one cmpxchg, so a forged, stale
 *   or repeated completion is refused. Lock-free: completed objects go
 *   back through an llist that the single sender empties.
 * 2 "lock": the per-channel locks that KMCL's concurrency rules need:
 *   any thread may allocate, send, free and complete at any time, so the
 *   lookaside, the id table and each ring's writer end are under a
 *   spinlock (BH off). One lock round trip per call: allocate, send, the
 *   completion's id lookup, free; on the server, writing the completion.
 * 3 "callback": the incoming side of the API. The server's reader copies
 *   each packet once into an object of an incoming pool (the peer is
 *   untrusted; the driver may hold the packet past the callback), counts
 *   it outstanding (the quota), calls ProcessPacket through a pointer;
 *   the driver's complete checks the object's state (exactly once) under
 *   the incoming lock and returns it, then writes the completion. The
 *   client's completion routine is called through a pointer too.
 *
 * None of this is KMCL code: it is the least each obligation needs, so
 * the gap between rung 3 and KMCL is what KMCL spends beyond it.
 */
#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "bench.h"
#include "raw_ring.h"

enum { LAD_OBJ = 1, LAD_LOCK, LAD_CALLBACK };

#define LAD_NPKT	64
#define LAD_NIN		64

enum { LAD_FREE, LAD_IDLE, LAD_PENDING };
enum { LAD_IN_FREE, LAD_IN_DELIVERING };

struct lad_pair;

struct lad_pkt {
	struct llist_node lnode;
	struct lad_pkt *next_free;
	void (*done)(struct lad_pair *lp, struct lad_pkt *pkt, bool ok);
	u32 gen;
	atomic_t state;
	bool sync;			/* a synchronous request's packet */
};

struct lad_in {
	struct lad_in *next_free;
	u8 state;
	u8 *buf;
};

struct lad_pair {
	struct bench_pair b;
	int level;
	void *c2s_mem, *s2c_mem;
	struct raw_ring c2s_w, c2s_r, s2c_w, s2c_r;
	struct tasklet_struct srv_rx, cli_rx;
	/* Client: the lookaside and its id table (the array index). */
	struct lad_pkt pkts[LAD_NPKT];
	struct lad_pkt *free;		/* rung 1: the sender's; else locked */
	struct llist_head freed;	/* rung 1: completed, for the sender */
	spinlock_t cli_lock;		/* rung 2+ */
	struct completion sync_done;	/* lad_sync() waits for it */
	bool sync_ok;
	/* Server. */
	spinlock_t srv_out_lock;	/* rung 2+: its ring's writer end */
	spinlock_t srv_in_lock;		/* rung 3: the incoming pool */
	struct lad_in ins[LAD_NIN];
	struct lad_in *in_free;
	u32 outstanding;
	void (*process)(struct lad_pair *lp, struct lad_in *ip, void *buf,
			u32 len);
	u8 *srv_buf;			/* rungs 1-2: as raw.c */
	u8 *in_mem;			/* rung 3: the pool's buffers */
	u32 srv_buf_len;
};

static void lad_signal(struct tasklet_struct *t)
{
	local_bh_disable();
	tasklet_schedule(t);
	local_bh_enable();
}

/* Take an idle object from the lookaside. */
static struct lad_pkt *lad_pop(struct lad_pair *lp)
{
	struct llist_node *n;
	struct lad_pkt *pkt;

	if (!lp->free && lp->level == LAD_OBJ) {
		/* Only this sender empties the llist. */
		n = llist_del_all(&lp->freed);
		while (n) {
			pkt = llist_entry(n, struct lad_pkt, lnode);
			n = n->next;
			pkt->next_free = lp->free;
			lp->free = pkt;
		}
	}
	pkt = lp->free;
	if (pkt) {
		lp->free = pkt->next_free;
		atomic_set(&pkt->state, LAD_IDLE);
	}
	return pkt;
}

/* Sender: an idle object, or NULL. */
static struct lad_pkt *lad_alloc(struct lad_pair *lp)
{
	struct lad_pkt *pkt;

	if (lp->level == LAD_OBJ)
		return lad_pop(lp);
	spin_lock_bh(&lp->cli_lock);
	pkt = lad_pop(lp);
	spin_unlock_bh(&lp->cli_lock);
	return pkt;
}

static void lad_free(struct lad_pair *lp, struct lad_pkt *pkt)
{
	if (lp->level == LAD_OBJ) {
		atomic_set(&pkt->state, LAD_FREE);
		llist_add(&pkt->lnode, &lp->freed);
		return;
	}
	spin_lock_bh(&lp->cli_lock);
	atomic_set(&pkt->state, LAD_FREE);
	pkt->next_free = lp->free;
	lp->free = pkt;
	spin_unlock_bh(&lp->cli_lock);
}

/*
 * The completion routine a driver sets (rung 3 calls it by pointer); a
 * synchronous request's wakes its waiter instead.
 */
static void lad_done(struct lad_pair *lp, struct lad_pkt *pkt, bool ok)
{
	bool sync = pkt->sync;

	lad_free(lp, pkt);
	if (sync) {
		lp->sync_ok = ok;
		complete(&lp->sync_done);
		return;
	}
	bench_done(&lp->b, ok);
}

/* The object @id names if it waits for that completion, claimed. */
static struct lad_pkt *lad_claim(struct lad_pair *lp, u64 id)
{
	u32 idx = lower_32_bits(id);
	struct lad_pkt *pkt;

	if (idx >= LAD_NPKT)
		return NULL;
	pkt = &lp->pkts[idx];
	/* The generation is stored before the ring write sent it. */
	if (READ_ONCE(pkt->gen) != upper_32_bits(id) ||
	    atomic_cmpxchg(&pkt->state, LAD_PENDING, LAD_IDLE) != LAD_PENDING)
		return NULL;
	return pkt;
}

/* Client: a completion for @id arrived (the peer's value, untrusted). */
static void lad_complete_id(struct lad_pair *lp, u64 id, bool ok)
{
	struct lad_pkt *pkt;

	if (lp->level >= LAD_LOCK) {
		spin_lock(&lp->cli_lock);	/* BH is off in the tasklet */
		pkt = lad_claim(lp, id);
		spin_unlock(&lp->cli_lock);
	} else {
		pkt = lad_claim(lp, id);
	}
	if (!pkt) {
		atomic_inc(&lp->b.errors);	/* forged, stale or repeated */
		return;
	}
	if (lp->level >= LAD_CALLBACK)
		pkt->done(lp, pkt, ok);
	else
		lad_done(lp, pkt, ok);
}

/* Server, rung 3: the driver completes an incoming packet. */
static void lad_in_complete(struct lad_pair *lp, struct lad_in *ip)
{
	struct raw_desc d;
	bool ok, sig = false;

	memcpy(&d, ip->buf, sizeof(d));
	spin_lock_bh(&lp->srv_in_lock);
	ok = ip->state == LAD_IN_DELIVERING;
	if (ok) {
		ip->state = LAD_IN_FREE;
		lp->outstanding--;
		ip->next_free = lp->in_free;
		lp->in_free = ip;
	}
	spin_unlock_bh(&lp->srv_in_lock);
	if (!ok) {
		atomic_inc(&lp->b.errors);	/* completed twice */
		return;
	}
	if (!(d.flags & RAW_FLAG_COMP_REQ))
		return;
	spin_lock_bh(&lp->srv_out_lock);
	if (raw_write(&lp->s2c_w, RAW_TYPE_COMP, 0, d.trans_id, NULL, 0, &sig))
		atomic_inc(&lp->b.errors);
	spin_unlock_bh(&lp->srv_out_lock);
	if (sig)
		lad_signal(&lp->cli_rx);
}

/* The ProcessPacket a driver registers: complete at once. */
static void lad_process(struct lad_pair *lp, struct lad_in *ip, void *buf,
			u32 len)
{
	lad_in_complete(lp, ip);
}

/* Server, rung 3: one packet into a pool object, then to the driver. */
static int lad_srv_one(struct lad_pair *lp, struct lad_in **spare)
{
	struct lad_in *ip = *spare;
	int len;

	if (!ip) {
		spin_lock(&lp->srv_in_lock);
		ip = lp->in_free;
		if (ip) {
			lp->in_free = ip->next_free;
			lp->outstanding++;
			ip->state = LAD_IN_DELIVERING;
		}
		spin_unlock(&lp->srv_in_lock);
		if (!ip)
			return -ENOBUFS;	/* all held (not here: lad_process completes) */
	}
	*spare = NULL;
	len = raw_read(&lp->c2s_r, ip->buf, lp->srv_buf_len);
	if (len <= 0) {
		*spare = ip;		/* counted; returned when the run ends */
		return len;
	}
	lp->process(lp, ip, ip->buf + sizeof(struct raw_desc),
		    len - sizeof(struct raw_desc));
	return len;
}

/* Server, rungs 1-2: write the completion (softirq). */
static int lad_write_comp(struct lad_pair *lp, u64 id, bool *sig)
{
	int ret;

	if (lp->level < LAD_LOCK)
		return raw_write(&lp->s2c_w, RAW_TYPE_COMP, 0, id, NULL, 0, sig);
	spin_lock(&lp->srv_out_lock);
	ret = raw_write(&lp->s2c_w, RAW_TYPE_COMP, 0, id, NULL, 0, sig);
	spin_unlock(&lp->srv_out_lock);
	return ret;
}

static void lad_srv_rx(struct tasklet_struct *t)
{
	struct lad_pair *lp = from_tasklet(lp, t, srv_rx);
	struct raw_desc *d = (struct raw_desc *)lp->srv_buf;
	struct lad_in *spare = NULL;
	bool sig, signal = false;
	int len;

	do {
		raw_mask(&lp->c2s_r);
		if (lp->level >= LAD_CALLBACK) {
			while ((len = lad_srv_one(lp, &spare)) > 0)
				;
		} else {
			while ((len = raw_read(&lp->c2s_r, lp->srv_buf,
					       lp->srv_buf_len)) > 0) {
				if (!(d->flags & RAW_FLAG_COMP_REQ))
					continue;
				if (lad_write_comp(lp, d->trans_id, &sig))
					atomic_inc(&lp->b.errors);
				signal |= sig;
			}
		}
		if (len == -ENOBUFS) {
			raw_unmask(&lp->c2s_r);
			break;
		}
		if (len < 0) {
			atomic_inc(&lp->b.errors);
			break;
		}
	} while (raw_unmask(&lp->c2s_r));
	if (spare) {
		spin_lock(&lp->srv_in_lock);
		spare->state = LAD_IN_FREE;
		lp->outstanding--;
		spare->next_free = lp->in_free;
		lp->in_free = spare;
		spin_unlock(&lp->srv_in_lock);
	}
	if (signal)
		tasklet_schedule(&lp->cli_rx);
}

static void lad_cli_rx(struct tasklet_struct *t)
{
	struct lad_pair *lp = from_tasklet(lp, t, cli_rx);
	struct raw_desc d;
	int len;

	do {
		raw_mask(&lp->s2c_r);
		while ((len = raw_read(&lp->s2c_r, &d, sizeof(d))) > 0)
			lad_complete_id(lp, d.trans_id, d.type == RAW_TYPE_COMP);
		if (len < 0) {
			atomic_inc(&lp->b.errors);
			break;
		}
	} while (raw_unmask(&lp->s2c_r));
}

static void lad_close(struct bench_pair *p)
{
	struct lad_pair *lp = container_of(p, struct lad_pair, b);

	tasklet_kill(&lp->srv_rx);
	tasklet_kill(&lp->cli_rx);
	vfree(lp->c2s_mem);
	vfree(lp->s2c_mem);
	kfree(lp->srv_buf);
	kvfree(lp->in_mem);
	bench_pair_fini(p);
	kvfree(lp);
}

static struct bench_pair *lad_open(int level, int idx, enum bench_kind kind,
				   bool big)
{
	struct lad_pair *lp = kvzalloc(sizeof(*lp), GFP_KERNEL);
	u32 size = BENCH_RING_PAGES * RAW_PAGE;
	int i;

	if (!lp)
		return NULL;
	lp->level = level;
	if (bench_pair_init(&lp->b, level == LAD_OBJ ? &bench_ladder_obj_ops :
			    level == LAD_LOCK ? &bench_ladder_lock_ops :
			    &bench_ladder_callback_ops, kind))
		goto fail;
	lp->c2s_mem = vzalloc(size);
	lp->s2c_mem = vzalloc(size);
	lp->srv_buf_len = (big ? BENCH_BIG_PAYLOAD : 4096) + 64;
	lp->srv_buf = kmalloc(lp->srv_buf_len, GFP_KERNEL);
	lp->in_mem = kvmalloc_array(LAD_NIN, lp->srv_buf_len, GFP_KERNEL);
	if (!lp->c2s_mem || !lp->s2c_mem || !lp->srv_buf || !lp->in_mem)
		goto fail;
	raw_view(&lp->c2s_w, lp->c2s_mem);
	raw_view(&lp->c2s_r, lp->c2s_mem);
	raw_view(&lp->s2c_w, lp->s2c_mem);
	raw_view(&lp->s2c_r, lp->s2c_mem);
	tasklet_setup(&lp->srv_rx, lad_srv_rx);
	tasklet_setup(&lp->cli_rx, lad_cli_rx);
	spin_lock_init(&lp->cli_lock);
	spin_lock_init(&lp->srv_out_lock);
	spin_lock_init(&lp->srv_in_lock);
	init_completion(&lp->sync_done);
	init_llist_head(&lp->freed);
	for (i = LAD_NPKT - 1; i >= 0; i--) {
		atomic_set(&lp->pkts[i].state, LAD_FREE);
		lp->pkts[i].next_free = lp->free;
		lp->free = &lp->pkts[i];
	}
	for (i = LAD_NIN - 1; i >= 0; i--) {
		lp->ins[i].buf = lp->in_mem + (size_t)i * lp->srv_buf_len;
		lp->ins[i].next_free = lp->in_free;
		lp->in_free = &lp->ins[i];
	}
	lp->process = lad_process;
	return &lp->b;
fail:
	vfree(lp->c2s_mem);
	vfree(lp->s2c_mem);
	kfree(lp->srv_buf);
	kvfree(lp->in_mem);
	bench_pair_fini(&lp->b);
	kvfree(lp);
	return NULL;
}

/* Claim @pkt (only an idle object is sent) and write it. */
static int lad_send_one(struct lad_pair *lp, struct lad_pkt *pkt, u32 len,
			bool *signal)
{
	u32 idx = pkt - lp->pkts;
	int ret;

	if (atomic_read(&pkt->state) != LAD_IDLE)
		return -EBUSY;
	WRITE_ONCE(pkt->gen, pkt->gen + 1);
	atomic_set(&pkt->state, LAD_PENDING);
	ret = raw_write(&lp->c2s_w, RAW_TYPE_INBAND, RAW_FLAG_COMP_REQ,
			((u64)pkt->gen << 32) | idx, lp->b.payload, len, signal);
	if (ret)
		atomic_set(&pkt->state, LAD_IDLE);
	return ret;
}

/*
 * Take an object and send it under the rung's locks, then signal; a
 * synchronous request's (@sync) wakes lad_sync() instead of counting.
 */
static int lad_submit(struct lad_pair *lp, u32 len, bool sync)
{
	struct lad_pkt *pkt = lad_alloc(lp);
	bool signal;
	int ret;

	if (!pkt)
		return -EAGAIN;
	pkt->done = lad_done;
	pkt->sync = sync;
	if (lp->level >= LAD_LOCK) {
		spin_lock_bh(&lp->cli_lock);
		ret = lad_send_one(lp, pkt, len, &signal);
		spin_unlock_bh(&lp->cli_lock);
	} else {
		ret = lad_send_one(lp, pkt, len, &signal);
	}
	if (ret) {
		lad_free(lp, pkt);
		return ret;
	}
	if (signal)
		lad_signal(&lp->srv_rx);
	return 0;
}

static int lad_send(struct bench_pair *p, u32 len)
{
	struct lad_pair *lp = container_of(p, struct lad_pair, b);
	int ret;

	atomic_inc(&p->inflight);
	ret = lad_submit(lp, len, false);
	if (ret)
		atomic_dec(&p->inflight);
	return ret;
}

/*
 * A synchronous request, as raw.c's: send one packet, sleep until its
 * completion routine ran (the rung's own object, id check and locks).
 */
static int lad_sync(struct bench_pair *p, u32 len)
{
	struct lad_pair *lp = container_of(p, struct lad_pair, b);
	int ret;

	reinit_completion(&lp->sync_done);
	ret = lad_submit(lp, len, true);
	if (ret)
		return ret;
	if (!wait_for_completion_timeout(&lp->sync_done, 20 * HZ))
		return -ETIMEDOUT;
	return lp->sync_ok ? 0 : -EIO;
}

static struct bench_pair *lad_open_obj(int idx, enum bench_kind kind, bool big)
{
	return lad_open(LAD_OBJ, idx, kind, big);
}

static struct bench_pair *lad_open_lock(int idx, enum bench_kind kind,
					bool big)
{
	return lad_open(LAD_LOCK, idx, kind, big);
}

static struct bench_pair *lad_open_callback(int idx, enum bench_kind kind,
					    bool big)
{
	return lad_open(LAD_CALLBACK, idx, kind, big);
}

const struct bench_ops bench_ladder_obj_ops = {
	.name = "obj",
	.open = lad_open_obj,
	.close = lad_close,
	.send = lad_send,
	.sync = lad_sync,
};

const struct bench_ops bench_ladder_lock_ops = {
	.name = "lock",
	.open = lad_open_lock,
	.close = lad_close,
	.send = lad_send,
	.sync = lad_sync,
};

const struct bench_ops bench_ladder_callback_ops = {
	.name = "callback",
	.open = lad_open_callback,
	.close = lad_close,
	.send = lad_send,
	.sync = lad_sync,
};
