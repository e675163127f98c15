// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_bench: runs when loaded, prints its results on the console
 * ("kmcl_bench: " lines) and stays loaded doing nothing. KMCL and the raw
 * ring run the same loops, interleaved (the order alternates every
 * repetition), each repeated; the table gives the best and the median
 * time per operation, the closing "bench:" lines the medians.
 *
 * smoke=1 runs every path with a few thousand packets in total and no
 * repetition, for `make check`: it proves that the benchmark still runs
 * and that every path moves its packets, and judges no figure.
 */
#define pr_fmt(fmt) "kmcl_bench: " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "bench.h"

static bool smoke;
module_param(smoke, bool, 0444);
MODULE_PARM_DESC(smoke, "Run a tiny version of every path (for make check)");
static unsigned int reps = 5;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "Repetitions of each measurement (default 5)");
static unsigned int count = 20000;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "64-byte packets per async run (default 20000)");
static bool ladder;
module_param(ladder, bool, 0444);
MODULE_PARM_DESC(ladder, "Also run the guarantee ladder (ladder.c; smoke runs it)");

#define BENCH_WINDOW		32	/* 64-byte packets in flight */
#define BENCH_BIG_WINDOW	8	/* 16 KiB and external-data packets */
#define BENCH_MAX_REPS		16
#define BENCH_WAIT		(20 * HZ)

static const struct bench_ops *const bench_impls[2] = {
	&bench_kmcl_ops, &bench_raw_ops,
};

static void *bench_payload;	/* the in-band bytes every pair sends */
static bool bench_failed;

static __printf(1, 2) void bench_fail(const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (!bench_failed)
		pr_err("FAIL: %pV\n", &vaf);
	va_end(args);
	bench_failed = true;
}

static int bench_cmp_pfn_desc(const void *a, const void *b)
{
	unsigned long x = page_to_pfn(*(struct page *const *)a);
	unsigned long y = page_to_pfn(*(struct page *const *)b);

	return x > y ? -1 : x < y;
}

/*
 * A buffer in the vmalloc area whose pages are never physically
 * consecutive (in descending frame order), as a long-running system's
 * vmalloc() gives. A fresh guest's vmalloc() often returns consecutive
 * pages, which KMCL maps through the direct map, and that would hide the
 * cost of the scattered case.
 */
static void *bench_vmalloc_scattered(struct page **pages)
{
	int i;

	for (i = 0; i < BENCH_EXT_PAGES; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i])
			return NULL;
	}
	sort(pages, BENCH_EXT_PAGES, sizeof(*pages), bench_cmp_pfn_desc, NULL);
	return vmap(pages, BENCH_EXT_PAGES, VM_MAP, PAGE_KERNEL);
}

int bench_pair_init(struct bench_pair *p, const struct bench_ops *ops,
		    enum bench_kind kind)
{
	p->ops = ops;
	p->kind = kind;
	atomic_set(&p->inflight, 0);
	atomic64_set(&p->completed, 0);
	atomic_set(&p->errors, 0);
	init_waitqueue_head(&p->wq);
	p->payload = bench_payload;
	if (kind == BENCH_INBAND)
		return 0;
	p->sink = kmalloc(BENCH_EXT_BYTES, GFP_KERNEL);
	if (kind == BENCH_EXT_KMALLOC)
		p->ext = kmalloc(BENCH_EXT_BYTES, GFP_KERNEL);
	else
		p->ext = bench_vmalloc_scattered(p->ext_pages);
	if (!p->sink || !p->ext) {
		bench_pair_fini(p);
		return -ENOMEM;
	}
	memset(p->ext, 0x5a, BENCH_EXT_BYTES);
	return 0;
}

void bench_pair_fini(struct bench_pair *p)
{
	int i;

	kfree(p->sink);
	if (p->kind == BENCH_EXT_VMALLOC) {
		if (p->ext)
			vunmap(p->ext);
		for (i = 0; i < BENCH_EXT_PAGES; i++)
			if (p->ext_pages[i])
				__free_page(p->ext_pages[i]);
		memset(p->ext_pages, 0, sizeof(p->ext_pages));
	} else {
		kfree(p->ext);
	}
	p->sink = NULL;
	p->ext = NULL;
}

/* A completion arrived (any context up to softirq). */
void bench_done(struct bench_pair *p, bool ok)
{
	if (!ok)
		atomic_inc(&p->errors);
	if (unlikely(p->phases) && !READ_ONCE(p->t_first))
		WRITE_ONCE(p->t_first, ktime_get_ns());
	atomic64_inc(&p->completed);
	atomic_dec(&p->inflight);
	if (wq_has_sleeper(&p->wq))
		wake_up(&p->wq);
}

/*
 * End a burst sent at DISPATCH (@sent packets, sending from @t0 on) and,
 * with p->phases, split its time: see struct bench_pair. A burst that is
 * not completed inside the local_bh_enable() (softirqs deferred to
 * ksoftirqd) is left out.
 */
static void bench_burst_end(struct bench_pair *p, u64 t0, u32 sent)
{
	u64 t1, t2, tf;

	if (!p->phases) {
		local_bh_enable();
		return;
	}
	WRITE_ONCE(p->t_first, 0);
	t1 = ktime_get_ns();
	local_bh_enable();
	t2 = ktime_get_ns();
	tf = READ_ONCE(p->t_first);
	if (!sent || !tf || atomic_read(&p->inflight))
		return;
	p->ph_send += t1 - t0;
	p->ph_server += tf - t1;
	p->ph_client += t2 - tf;
	p->ph_packets += sent;
}

/*
 * Send @n packets of @len bytes, at most @window in flight, and wait for
 * all completions. @dispatch: send each burst with BH off (DISPATCH).
 * Returns nanoseconds, 0 on failure.
 */
static u64 bench_async(struct bench_pair *p, u32 len, u32 n, int window,
		       bool dispatch)
{
	u64 t0 = ktime_get_ns(), sent = 0, s0, tb = 0;
	s64 c0;
	int ret = 0;

	while (sent < n) {
		c0 = atomic64_read(&p->completed);
		s0 = sent;
		if (dispatch) {
			local_bh_disable();
			if (p->phases)
				tb = ktime_get_ns();
		}
		while (sent < n && atomic_read(&p->inflight) < window) {
			ret = p->ops->send(p, len);
			if (ret)
				break;
			sent++;
		}
		if (dispatch)
			bench_burst_end(p, tb, sent - s0);
		if (ret && ret != -EAGAIN) {
			bench_fail("%s: send failed: %d", p->ops->name, ret);
			return 0;
		}
		if (sent == n)
			break;
		if (ret == -EAGAIN) {
			ret = 0;
			if (!wait_event_timeout(p->wq,
						atomic64_read(&p->completed) != c0,
						BENCH_WAIT))
				goto timeout;
		} else if (!wait_event_timeout(p->wq,
					       atomic_read(&p->inflight) <= window / 2,
					       BENCH_WAIT)) {
			goto timeout;
		}
	}
	if (!wait_event_timeout(p->wq, !atomic_read(&p->inflight), BENCH_WAIT))
		goto timeout;
	if (atomic_read(&p->errors)) {
		bench_fail("%s: %d packets failed", p->ops->name,
			   atomic_read(&p->errors));
		return 0;
	}
	return max_t(u64, ktime_get_ns() - t0, 1);
timeout:
	bench_fail("%s: no completion for %u s (%d in flight)", p->ops->name,
		   BENCH_WAIT / HZ, atomic_read(&p->inflight));
	return 0;
}

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v. */
static u64 bench_median(u64 *v, int n)
{
	sort(v, n, sizeof(*v), bench_cmp_u64, NULL);
	return n ? v[n / 2] : 0;
}

/* One line of the table: ns per operation, best and median, per side. */
struct bench_row {
	const char *name;
	const char *unit;	/* what one operation is */
	u64 ns[2][BENCH_MAX_REPS];	/* per side, per rep: ns per op */
	int n;
	u64 best[2], med[2];
};

static void bench_row_done(struct bench_row *r)
{
	int s;

	for (s = 0; s < 2; s++) {
		r->med[s] = bench_median(r->ns[s], r->n);
		r->best[s] = r->n ? r->ns[s][0] : 0;
	}
	pr_info("table: %-18s %-10s kmcl %8llu %8llu raw %8llu %8llu\n",
		r->name, r->unit, r->best[0], r->med[0], r->best[1], r->med[1]);
}

static unsigned int bench_reps(void)
{
	return smoke ? 1 : clamp_t(unsigned int, reps, 1, BENCH_MAX_REPS);
}

static u32 bench_count(u32 full)
{
	return smoke ? max_t(u32, full / 200, 20) : full;
}

/*
 * Async throughput of one pair per side: @len bytes, @n packets per run.
 * Fills @r with ns per packet.
 */
static void bench_async_row(struct bench_row *r, enum bench_kind kind,
			    bool big, u32 len, u32 n, int window,
			    bool dispatch)
{
	struct bench_pair *p[2];
	unsigned int rep, i, s;
	u64 ns;

	for (s = 0; s < 2; s++)
		p[s] = bench_impls[s]->open(0, kind, big);
	if (!p[0] || !p[1]) {
		bench_fail("%s: cannot open the pairs", r->name);
		goto out;
	}
	/* Warm up: caches, lookaside lists, first-touch of the rings. */
	for (s = 0; s < 2; s++)
		bench_async(p[s], len, min(n, 200U), window, dispatch);
	for (rep = 0; rep < bench_reps() && !bench_failed; rep++) {
		for (i = 0; i < 2; i++) {
			s = (rep + i) & 1;
			ns = bench_async(p[s], len, n, window, dispatch);
			r->ns[s][rep] = div_u64(ns, n);
		}
		r->n = rep + 1;
	}
out:
	for (s = 0; s < 2; s++)
		if (p[s])
			p[s]->ops->close(p[s]);
	bench_row_done(r);
}

/* Synchronous 64-byte requests: median per rep; p99 over all of them. */
static void bench_sync_row(struct bench_row *r, u64 *p99)
{
	struct bench_pair *p[2];
	unsigned int rep, i, s, k, n = bench_count(2000);
	u64 *all[2] = {}, t;

	for (s = 0; s < 2; s++) {
		p[s] = bench_impls[s]->open(0, BENCH_INBAND, false);
		all[s] = kvcalloc((size_t)n * bench_reps(), sizeof(u64), GFP_KERNEL);
	}
	if (!p[0] || !p[1] || !all[0] || !all[1]) {
		bench_fail("sync: cannot open the pairs");
		goto out;
	}
	for (s = 0; s < 2; s++)
		for (k = 0; k < 50; k++)
			p[s]->ops->sync(p[s], 64);
	for (rep = 0; rep < bench_reps() && !bench_failed; rep++) {
		for (i = 0; i < 2; i++) {
			u64 *v = all[(rep + i) & 1] + (size_t)rep * n;

			s = (rep + i) & 1;
			for (k = 0; k < n; k++) {
				t = ktime_get_ns();
				if (p[s]->ops->sync(p[s], 64)) {
					bench_fail("%s: synchronous request failed",
						   p[s]->ops->name);
					goto out;
				}
				v[k] = ktime_get_ns() - t;
			}
			r->ns[s][rep] = bench_median(v, n);
		}
		r->n = rep + 1;
	}
	for (s = 0; s < 2; s++) {
		sort(all[s], (size_t)n * r->n, sizeof(u64), bench_cmp_u64, NULL);
		p99[s] = r->n ? all[s][(size_t)n * r->n * 99 / 100] : 0;
	}
out:
	for (s = 0; s < 2; s++) {
		if (p[s])
			p[s]->ops->close(p[s]);
		kvfree(all[s]);
	}
	bench_row_done(r);
}

/* memcpy of 64 KiB from @kind's buffer: the reference for external data. */
static u64 bench_memcpy_ns(enum bench_kind kind, u32 n)
{
	struct bench_pair p = {};
	u64 t0;
	u32 i;

	if (bench_pair_init(&p, &bench_raw_ops, kind))
		return 0;
	for (i = 0; i < 20; i++)
		memcpy(p.sink, p.ext, BENCH_EXT_BYTES);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		memcpy(p.sink, p.ext, BENCH_EXT_BYTES);
		barrier();
	}
	t0 = ktime_get_ns() - t0;
	bench_pair_fini(&p);
	return div_u64(t0, n);
}

/* External data through KMCL against memcpy. */
static void bench_ext_row(struct bench_row *r, enum bench_kind kind)
{
	struct bench_pair *p = bench_kmcl_ops.open(0, kind, false);
	u32 n = bench_count(2000);
	unsigned int rep;
	u64 ns;

	if (!p) {
		bench_fail("%s: cannot open the pair", r->name);
		goto out;
	}
	bench_async(p, BENCH_EXT_HDR, min(n, 100U), BENCH_BIG_WINDOW, false);
	for (rep = 0; rep < bench_reps() && !bench_failed; rep++) {
		ns = bench_async(p, BENCH_EXT_HDR, n, BENCH_BIG_WINDOW, false);
		r->ns[0][rep] = div_u64(ns, n);
		r->ns[1][rep] = bench_memcpy_ns(kind, n);
		r->n = rep + 1;
	}
	p->ops->close(p);
out:
	bench_row_done(r);
}

struct bench_thread {
	struct bench_pair *p;
	struct completion *go;
	struct completion done;
	u32 n;
	u64 end;
	bool ok;
};

static int bench_thread_fn(void *arg)
{
	struct bench_thread *t = arg;

	wait_for_completion(t->go);
	t->ok = bench_async(t->p, 64, t->n, BENCH_WINDOW, false) != 0;
	t->end = ktime_get_ns();
	complete(&t->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

/* Aggregate packets per second of @np pairs of side @s, each sending. */
static u64 bench_pairs_pps(int s, int np, u32 n)
{
	struct bench_thread *t = kcalloc(np, sizeof(*t), GFP_KERNEL);
	struct task_struct **task = kcalloc(np, sizeof(*task), GFP_KERNEL);
	DECLARE_COMPLETION_ONSTACK(go);
	u64 t0, end = 0, pps = 0;
	int i;

	if (!t || !task)
		goto out;
	for (i = 0; i < np; i++) {
		t[i].p = bench_impls[s]->open(i, BENCH_INBAND, false);
		if (!t[i].p)
			goto stop;
		t[i].go = &go;
		t[i].n = n;
		init_completion(&t[i].done);
		task[i] = kthread_run(bench_thread_fn, &t[i], "kmcl_bench/%d", i);
		if (IS_ERR(task[i])) {
			task[i] = NULL;
			goto stop;
		}
	}
	t0 = ktime_get_ns();
	complete_all(&go);
	for (i = 0; i < np; i++) {
		wait_for_completion(&t[i].done);
		if (!t[i].ok)
			goto stop;
		end = max(end, t[i].end);
	}
	pps = div64_u64((u64)n * np * NSEC_PER_SEC, max_t(u64, end - t0, 1));
stop:
	if (!pps)
		bench_fail("%s: %d pairs did not finish", bench_impls[s]->name, np);
	complete_all(&go);
	for (i = 0; i < np; i++) {
		if (task[i])
			kthread_stop(task[i]);
		if (t[i].p)
			t[i].p->ops->close(t[i].p);
	}
out:
	kfree(t);
	kfree(task);
	return pps;
}

static const int bench_scale_pairs[] = { 1, 2, 4, 16 };

static bool calls;
module_param(calls, bool, 0444);
MODULE_PARM_DESC(calls, "Count kernel calls per packet with kprobes (calls.c)");

/*
 * Kernel calls per 100 packets of the 64-byte async paths of the raw
 * ring, the ladder's top rung and KMCL: "calls: NAME SIDE sym=N ...".
 */
static void bench_calls_row(const struct bench_ops *ops, const char *name,
			    bool dispatch)
{
	struct bench_pair *p = ops->open(0, BENCH_INBAND, false);
	long before[BENCH_NCALLS], after[BENCH_NCALLS];
	char line[400];
	u32 n = bench_count(2000);
	int i, len = 0;

	if (!p) {
		bench_fail("calls: cannot open %s", ops->name);
		return;
	}
	bench_async(p, 64, 200, BENCH_WINDOW, dispatch);
	bench_calls_read(before);
	bench_async(p, 64, n, BENCH_WINDOW, dispatch);
	bench_calls_read(after);
	p->ops->close(p);
	for (i = 0; i < BENCH_NCALLS; i++)
		if (after[i] >= 0)
			len += scnprintf(line + len, sizeof(line) - len, " %s=%ld",
					 bench_calls_name(i),
					 (after[i] - before[i]) * 100 / n);
	pr_info("calls: %s %s%s\n", name, ops->name, line);
}

static void bench_calls(void)
{
	if (!bench_calls_start()) {
		pr_info("calls: no probe could be placed\n");
		return;
	}
	bench_calls_row(&bench_raw_ops, "async64", false);
	bench_calls_row(&bench_ladder_callback_ops, "async64", false);
	bench_calls_row(&bench_kmcl_ops, "async64", false);
	bench_calls_row(&bench_raw_ops, "async64_dispatch", true);
	bench_calls_row(&bench_ladder_callback_ops, "async64_dispatch", true);
	bench_calls_row(&bench_kmcl_ops, "async64_dispatch", true);
	bench_calls_stop();
}

static bool profile;
module_param(profile, bool, 0444);
MODULE_PARM_DESC(profile, "Sample where the 64-byte and external-data paths spend their time (profile.c)");

static void bench_profile_row(const struct bench_ops *ops, const char *name,
			      enum bench_kind kind, bool dispatch)
{
	struct bench_pair *p = ops->open(0, kind, false);
	bool ext = kind != BENCH_INBAND;
	u32 len = ext ? BENCH_EXT_HDR : 64;
	int window = ext ? BENCH_BIG_WINDOW : BENCH_WINDOW;
	char tag[64];

	if (!p) {
		bench_fail("profile: cannot open %s", ops->name);
		return;
	}
	bench_async(p, len, 200, window, dispatch);
	if (bench_profile_start()) {
		pr_info("profile: cannot sample\n");
	} else {
		bench_async(p, len, ext ? bench_count(4000) : bench_count(count),
			    window, dispatch);
		snprintf(tag, sizeof(tag), "%s %s", name, ops->name);
		bench_profile_stop(tag);
	}
	p->ops->close(p);
}

static const struct bench_ops *const ladder_impls[] = {
	&bench_raw_ops, &bench_ladder_obj_ops, &bench_ladder_lock_ops,
	&bench_ladder_callback_ops, &bench_kmcl_ops,
};

#define LADDER_N	ARRAY_SIZE(ladder_impls)

/* What a ladder row measures. */
enum bench_ladder_mode {
	LADDER_ASYNC,		/* 64-byte async packets, process context */
	LADDER_DISPATCH,	/* the same, sent in bursts at DISPATCH */
	LADDER_SYNC,		/* 64-byte synchronous requests */
	LADDER_INBAND16K,	/* 16 KiB in-band async packets */
};

/* The name of each row, in its lines and in exact=. */
static const char *const bench_ladder_names[] = {
	[LADDER_ASYNC] = "async64",
	[LADDER_DISPATCH] = "async64_dispatch",
	[LADDER_SYNC] = "sync_rtt",
	[LADDER_INBAND16K] = "inband16k",
};

/* One repetition of a ladder row on @p: ns per packet or request. */
static u64 bench_ladder_once(struct bench_pair *p, enum bench_ladder_mode m,
			     u32 n)
{
	u64 t;
	u32 k;

	switch (m) {
	case LADDER_SYNC:
		t = ktime_get_ns();
		for (k = 0; k < n; k++) {
			if (p->ops->sync(p, 64)) {
				bench_fail("ladder: %s: synchronous request failed",
					   p->ops->name);
				return 0;
			}
		}
		return div_u64(ktime_get_ns() - t, n);
	case LADDER_INBAND16K:
		return div_u64(bench_async(p, BENCH_BIG_PAYLOAD, n,
					   BENCH_BIG_WINDOW, false), n);
	default:
		return div_u64(bench_async(p, 64, n, BENCH_WINDOW,
					   m == LADDER_DISPATCH), n);
	}
}

/*
 * An untimed pass of @n packets at DISPATCH on @p with its bursts split
 * into phases: "phases: NAME SIDE send S server V client C packets N",
 * ns per packet.
 */
static void bench_ladder_phases(const char *name, struct bench_pair *p, u32 n)
{
	u64 k;

	p->ph_send = 0;
	p->ph_server = 0;
	p->ph_client = 0;
	p->ph_packets = 0;
	p->phases = true;
	bench_async(p, 64, n, BENCH_WINDOW, true);
	p->phases = false;
	k = p->ph_packets;
	if (!k)
		return;
	pr_info("phases: %s %s send %llu server %llu client %llu packets %llu\n",
		name, p->ops->name, div64_u64(p->ph_send, k),
		div64_u64(p->ph_server, k), div64_u64(p->ph_client, k), k);
}

/*
 * One measurement through every rung of the ladder (ladder.c), the raw
 * ring and KMCL, interleaved (the order rotates every repetition):
 * "ladder: NAME SIDE best median" in ns per packet (per request for
 * LADDER_SYNC).
 */
static void bench_ladder_row(enum bench_ladder_mode m)
{
	const char *name = bench_ladder_names[m];
	struct bench_pair *p[LADDER_N] = {};
	u64 ns[LADDER_N][BENCH_MAX_REPS], t;
	unsigned int rep, i, s, nrep = bench_reps();
	bool big = m == LADDER_INBAND16K;
	u32 n = m == LADDER_SYNC ? bench_count(2000) :
		big ? bench_count(4000) : bench_count(count);

	for (s = 0; s < LADDER_N; s++) {
		p[s] = ladder_impls[s]->open(0, BENCH_INBAND, big);
		if (!p[s]) {
			bench_fail("ladder: cannot open %s", ladder_impls[s]->name);
			goto out;
		}
		bench_ladder_once(p[s], m, min(n, 200U));	/* warm up */
	}
	for (rep = 0; rep < nrep && !bench_failed; rep++) {
		for (i = 0; i < LADDER_N; i++) {
			s = (rep + i) % LADDER_N;
			ns[s][rep] = bench_ladder_once(p[s], m, n);
		}
	}
	for (s = 0; s < LADDER_N && !bench_failed; s++) {
		t = bench_median(ns[s], nrep);
		pr_info("ladder: %s %s %llu %llu\n", name, ladder_impls[s]->name,
			ns[s][0], t);
	}
	if (m == LADDER_DISPATCH)
		for (s = 0; s < LADDER_N && !bench_failed; s++)
			bench_ladder_phases(name, p[s], n);
out:
	for (s = 0; s < LADDER_N; s++)
		if (p[s])
			p[s]->ops->close(p[s]);
}

static char *exact;
module_param(exact, charp, 0444);
MODULE_PARM_DESC(exact, "Run only this ladder row (async64, async64_dispatch, sync_rtt, inband16k) for bench.sh's instruction counts");
static char *side = "kmcl";
module_param(side, charp, 0444);
MODULE_PARM_DESC(side, "With exact=: the side to run (raw, obj, lock, callback, kmcl)");

/*
 * exact=ROW side=SIDE: one side of one ladder row, @count packets (or
 * requests) after a warm-up, and nothing else, so that the instruction
 * counts of two boots with different counts differ by exactly the work
 * of the extra packets (KMCL_BENCH_EXACT=1, bench-exact.py).
 */
static void bench_exact(void)
{
	const struct bench_ops *ops = NULL;
	struct bench_pair *p;
	int m, s;

	for (m = 0; m < ARRAY_SIZE(bench_ladder_names); m++)
		if (!strcmp(exact, bench_ladder_names[m]))
			break;
	for (s = 0; s < LADDER_N; s++)
		if (!strcmp(side, ladder_impls[s]->name))
			ops = ladder_impls[s];
	if (m == ARRAY_SIZE(bench_ladder_names) || !ops) {
		bench_fail("exact: unknown row %s or side %s", exact, side);
		return;
	}
	p = ops->open(0, BENCH_INBAND, m == LADDER_INBAND16K);
	if (!p) {
		bench_fail("exact: cannot open %s", side);
		return;
	}
	bench_ladder_once(p, m, 200);	/* warm up */
	if (bench_ladder_once(p, m, count))
		pr_info("exact: %s %s packets %u\n", exact, side, count);
	p->ops->close(p);
}

static void bench_nop_tasklet(struct tasklet_struct *t)
{
}

static noinline void bench_nop_call(unsigned long *x)
{
	(*x)++;
}

static void (*bench_icall)(unsigned long *x) = bench_nop_call;

/*
 * What the primitives a packet path is made of cost here, in ns (best
 * of 3 runs of 20000): a spin_lock_bh()/spin_unlock_bh() round trip, a
 * local_bh_disable()/enable() pair, an atomic cmpxchg, a tasklet
 * scheduled and run (as a signal does), an indirect call.
 */
static void bench_prims(void)
{
	static DEFINE_SPINLOCK(lock);
	struct tasklet_struct tl;
	u32 i, k, n = bench_count(20000);
	u64 best[5], t;
	unsigned long x = 0;
	atomic_t a = ATOMIC_INIT(0);
	int m;

	tasklet_setup(&tl, bench_nop_tasklet);
	for (m = 0; m < 5; m++) {
		best[m] = U64_MAX;
		for (k = 0; k < 3; k++) {
			t = ktime_get_ns();
			for (i = 0; i < n; i++) {
				switch (m) {
				case 0:
					spin_lock_bh(&lock);
					spin_unlock_bh(&lock);
					break;
				case 1:
					local_bh_disable();
					local_bh_enable();
					break;
				case 2:
					atomic_cmpxchg(&a, i, i + 1);
					break;
				case 3:
					local_bh_disable();
					tasklet_schedule(&tl);
					local_bh_enable();
					break;
				case 4:
					READ_ONCE(bench_icall)(&x);
					break;
				}
			}
			best[m] = min(best[m], div_u64(ktime_get_ns() - t, n));
		}
	}
	tasklet_kill(&tl);
	pr_info("ladder: prim lock_bh %llu bh %llu cmpxchg %llu tasklet %llu icall %llu\n",
		best[0], best[1], best[2], best[3], best[4]);
}

/* Aggregate throughput per pair count; returns scale4 per side. */
static void bench_scale(u64 scale4_x100[2])
{
	u64 pps[2][ARRAY_SIZE(bench_scale_pairs)] = {};
	u64 v[2][BENCH_MAX_REPS];
	unsigned int i, rep, s, nrep = smoke ? 1 : min(bench_reps(), 3U);
	u32 n = bench_count(count / 2);

	for (i = 0; i < ARRAY_SIZE(bench_scale_pairs) && !bench_failed; i++) {
		int np = bench_scale_pairs[i];

		if (smoke && np > 4)
			break;
		for (rep = 0; rep < nrep && !bench_failed; rep++)
			for (s = 0; s < 2; s++)
				v[(rep + s) & 1][rep] =
					bench_pairs_pps((rep + s) & 1, np, n);
		for (s = 0; s < 2; s++)
			pps[s][i] = bench_median(v[s], nrep);
		pr_info("data: pairs %d kmcl %llu raw %llu\n", np, pps[0][i],
			pps[1][i]);
	}
	for (s = 0; s < 2; s++)
		scale4_x100[s] = pps[s][0] ?
				 div64_u64(pps[s][2] * 100, pps[s][0]) : 0;
}

/* Time to open, then close, @np pairs of side @s; in microseconds. */
static void bench_open_close(int s, int np, u64 *open_us, u64 *close_us)
{
	struct bench_pair **p = kcalloc(np, sizeof(*p), GFP_KERNEL);
	u64 t;
	int i;

	*open_us = 0;
	*close_us = 0;
	if (!p)
		return;
	t = ktime_get_ns();
	for (i = 0; i < np; i++) {
		p[i] = bench_impls[s]->open(i, BENCH_INBAND, false);
		if (!p[i]) {
			bench_fail("%s: cannot open pair %d", bench_impls[s]->name, i);
			break;
		}
	}
	*open_us = div_u64(ktime_get_ns() - t, 1000);
	t = ktime_get_ns();
	for (i = 0; i < np; i++)
		if (p[i])
			p[i]->ops->close(p[i]);
	*close_us = div_u64(ktime_get_ns() - t, 1000);
	kfree(p);
}

/* Allocations per packet of one KMCL path, with the tracepoints on. */
static void bench_allocs_path(const char *name, enum bench_kind kind,
			      bool sync)
{
	struct bench_pair *p = bench_kmcl_ops.open(0, kind, false);
	unsigned long slab, pages, high;
	u32 n = bench_count(2000), k;
	bool ext = kind != BENCH_INBAND;

	if (!p) {
		bench_fail("allocs %s: cannot open the pair", name);
		return;
	}
	/* Steady state: the path has run before the count starts. */
	bench_async(p, ext ? BENCH_EXT_HDR : 64, 200, BENCH_BIG_WINDOW, false);
	for (k = 0; k < 20 && sync; k++)
		p->ops->sync(p, 64);
	if (bench_allocs_start()) {
		bench_fail("allocs: the kmem tracepoints are missing");
		p->ops->close(p);
		return;
	}
	if (sync) {
		for (k = 0; k < n; k++)
			if (p->ops->sync(p, 64))
				bench_fail("allocs %s: request failed", name);
	} else {
		bench_async(p, ext ? BENCH_EXT_HDR : 64, n,
			    ext ? BENCH_BIG_WINDOW : BENCH_WINDOW, false);
	}
	bench_allocs_read(&slab, &pages, &high);
	bench_allocs_stop();
	p->ops->close(p);
	pr_info("allocs: %s slab %lu pages %lu high_order %lu packets %u\n",
		name, slab, pages, high, n);
	pr_info("result: allocs_per_packet %s %lu.%02lu\n", name,
		(slab + pages) / n, (slab + pages) * 100 / n % 100);
}

/*
 * Memory of an open default pair: the pages the page allocator handed out
 * and did not get back while the pairs opened (slab growth, vmalloc and
 * large kmalloc alike), from the page tracepoints, plus the pages of the
 * vmalloc() areas reserved meanwhile (allocs.c: vmalloc's bulk page
 * allocations fire no page tracepoint).
 */
static void bench_memory(void)
{
	int np = smoke ? 2 : 16, i, k;
	struct bench_pair **p = kcalloc(np, sizeof(*p), GFP_KERNEL);
	unsigned long slab, pages, high = 0;
	long net = 0, used, total, rings;
	bool vmap;

	if (!p)
		return;
	if (bench_allocs_start()) {
		bench_fail("memory: the kmem tracepoints are missing");
		kfree(p);
		return;
	}
	for (i = 0; i < np; i++) {
		p[i] = bench_kmcl_ops.open(i, BENCH_INBAND, false);
		if (!p[i])
			break;
	}
	net = bench_pages_net();
	/*
	 * Objects are made as packets need them: say what a first packet
	 * each way adds (the incoming pools' first chunks).
	 */
	for (k = 0; k < i; k++)
		bench_async(p[k], 64, 1, BENCH_WINDOW, false);
	used = bench_pages_net();
	vmap = bench_vmap_counted();
	bench_allocs_read(&slab, &pages, &high);
	bench_allocs_stop();
	bench_allocs_sites();
	np = i;
	for (i = 0; i < np; i++)
		p[i]->ops->close(p[i]);
	kfree(p);
	if (!np) {
		bench_fail("memory: cannot open a pair");
		return;
	}
	total = net * (long)(PAGE_SIZE / 1024) / np;
	rings = 2 * BENCH_RING_PAGES * 4;
	pr_info("memory: %d pairs: %ld KiB each, %lu kmalloc()s of more than a page each%s\n",
		np, total, high / np,
		vmap ? "" : " (vmalloc() not counted: no alloc_vmap_area tracepoint)");
	pr_info("memory: after a first packet on each pair: %ld KiB each beyond the rings\n",
		used * (long)(PAGE_SIZE / 1024) / np - rings);
	pr_info("result: mem_per_pair_kib rings %ld other %ld high_order %lu\n",
		rings, total - rings, high / np);
}

static void bench_result(const char *name, const struct bench_row *r,
			 bool rate_mb, u32 bytes)
{
	u64 k = r->med[0], w = r->med[1];

	if (!k || !w)
		return;
	if (rate_mb)	/* MB/s, ratio KMCL/raw */
		pr_info("result: %s kmcl %llu raw %llu ratio %llu.%02llu\n", name,
			div64_u64((u64)bytes * 1000, k), div64_u64((u64)bytes * 1000, w),
			div64_u64(w * 100, k) / 100, div64_u64(w * 100, k) % 100);
	else		/* thousand packets per second */
		pr_info("result: %s kmcl %llu raw %llu ratio %llu.%02llu\n", name,
			div64_u64(1000000ULL, k), div64_u64(1000000ULL, w),
			div64_u64(w * 100, k) / 100, div64_u64(w * 100, k) % 100);
}

static struct bench_row row_async = { "async64", "packet" };
static struct bench_row row_disp = { "async64_dispatch", "packet" };
static struct bench_row row_sync = { "sync_rtt", "request" };
static struct bench_row row_inband = { "inband16k", "packet" };
static struct bench_row row_ext = { "ext64k", "packet" };
static struct bench_row row_extv = { "ext64k_vmalloc", "packet" };
static const u32 bench_sizes[] = { 64, 256, 1024, 4096, 16384 };

static void bench_run(void)
{
	u64 p99[2] = {}, scale[2] = {}, o[2], c[2];
	struct bench_row size_row;
	unsigned int i, np;
	u32 n = bench_count(count);

	if (exact) {
		bench_exact();
		pr_info("%s\n", bench_failed ? "end: FAIL" : "end: PASS");
		return;
	}
	pr_info("start: smoke %d reps %u count %u\n", smoke, bench_reps(), n);
	bench_async_row(&row_async, BENCH_INBAND, false, 64, n, BENCH_WINDOW, false);
	bench_async_row(&row_disp, BENCH_INBAND, false, 64, n, BENCH_WINDOW, true);
	bench_sync_row(&row_sync, p99);
	pr_info("table: sync_rtt_p99 request kmcl %llu raw %llu\n", p99[0], p99[1]);
	bench_async_row(&row_inband, BENCH_INBAND, true, BENCH_BIG_PAYLOAD,
			bench_count(4000), BENCH_BIG_WINDOW, false);
	bench_ext_row(&row_ext, BENCH_EXT_KMALLOC);
	bench_ext_row(&row_extv, BENCH_EXT_VMALLOC);
	for (i = 0; i < ARRAY_SIZE(bench_sizes) && !bench_failed; i++) {
		memset(&size_row, 0, sizeof(size_row));
		size_row.name = "size";
		size_row.unit = "packet";
		bench_async_row(&size_row, BENCH_INBAND, true, bench_sizes[i],
				bench_count(bench_sizes[i] > 1024 ? 4000 : 10000),
				BENCH_BIG_WINDOW, false);
		if (size_row.med[0] && size_row.med[1])
			pr_info("data: size %u kmcl %llu raw %llu\n", bench_sizes[i],
				div64_u64((u64)bench_sizes[i] * 1000, size_row.med[0]),
				div64_u64((u64)bench_sizes[i] * 1000, size_row.med[1]));
	}
	bench_scale(scale);
	for (np = 1; np <= 100 && !bench_failed; np *= 10) {
		if (smoke && np > 10)
			break;
		for (i = 0; i < 2; i++)
			bench_open_close(i, np, &o[i], &c[i]);
		pr_info("table: open_close_%u us kmcl %llu %llu raw %llu %llu\n",
			np, o[0], c[0], o[1], c[1]);
	}
	if (ladder || smoke) {
		bench_prims();
		bench_ladder_row(LADDER_ASYNC);
		bench_ladder_row(LADDER_DISPATCH);
		bench_ladder_row(LADDER_SYNC);
		bench_ladder_row(LADDER_INBAND16K);
	}
	if (calls)
		bench_calls();
	if (profile) {
		bench_profile_row(&bench_kmcl_ops, "async64_dispatch",
				  BENCH_INBAND, true);
		bench_profile_row(&bench_raw_ops, "async64_dispatch",
				  BENCH_INBAND, true);
		bench_profile_row(&bench_kmcl_ops, "async64", BENCH_INBAND,
				  false);
		bench_profile_row(&bench_kmcl_ops, "ext64k", BENCH_EXT_KMALLOC,
				  false);
		bench_profile_row(&bench_kmcl_ops, "ext64k_vmalloc",
				  BENCH_EXT_VMALLOC, false);
	}
	bench_allocs_path("async64", BENCH_INBAND, false);
	bench_allocs_path("sync_rtt", BENCH_INBAND, true);
	bench_allocs_path("ext64k", BENCH_EXT_KMALLOC, false);
	bench_allocs_path("ext64k_vmalloc", BENCH_EXT_VMALLOC, false);
	bench_memory();

	/* The closing lines; bench.sh prints them as "bench: ...". */
	bench_result("async64", &row_async, false, 0);
	bench_result("async64_dispatch", &row_disp, false, 0);
	if (row_sync.med[0] && row_sync.med[1])
		pr_info("result: sync_rtt kmcl %llu raw %llu ratio %llu.%02llu p99 kmcl %llu raw %llu\n",
			div_u64(row_sync.med[0], 1000), div_u64(row_sync.med[1], 1000),
			div64_u64(row_sync.med[0] * 100, row_sync.med[1]) / 100,
			div64_u64(row_sync.med[0] * 100, row_sync.med[1]) % 100,
			div_u64(p99[0], 1000), div_u64(p99[1], 1000));
	bench_result("inband16k", &row_inband, true, BENCH_BIG_PAYLOAD);
	bench_result("ext64k", &row_ext, true, BENCH_EXT_BYTES);
	bench_result("ext64k_vmalloc", &row_extv, true, BENCH_EXT_BYTES);
	if (scale[0] && scale[1])
		pr_info("result: scale4 kmcl %llu.%02llu raw %llu.%02llu ratio %llu.%02llu\n",
			scale[0] / 100, scale[0] % 100, scale[1] / 100, scale[1] % 100,
			div64_u64(scale[0] * 100, scale[1]) / 100,
			div64_u64(scale[0] * 100, scale[1]) % 100);
	pr_info("%s\n", bench_failed ? "end: FAIL" : "end: PASS");
}

static int __init kmcl_bench_init(void)
{
	bench_payload = kmalloc(BENCH_BIG_PAYLOAD, GFP_KERNEL);
	if (!bench_payload)
		return -ENOMEM;
	memset(bench_payload, 0xa5, BENCH_BIG_PAYLOAD);
	bench_run();
	/* Loaded either way: a failed init makes busybox insmod run it again. */
	return 0;
}

static void __exit kmcl_bench_exit(void)
{
	kfree(bench_payload);
}

module_init(kmcl_bench_init);
module_exit(kmcl_bench_exit);

MODULE_DESCRIPTION("KMCL data path against a raw VMBus ring, on the loopback");
MODULE_LICENSE("GPL");
KMCL_IMPORT_NS();
