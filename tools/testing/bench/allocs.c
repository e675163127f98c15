// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation counting with the kernel's own tracing: probes on the kmem
 * tracepoints kmalloc, kmem_cache_alloc and mm_page_alloc, registered
 * only while a counting pass runs. The probes count every allocation in
 * the guest, on every CPU; the benchmark runs alone in its guest, so what
 * it counts is the data path's.
 *
 * The probe prototypes are those of Linux 6.x (include/trace/events/
 * kmem.h); the counts use none of the arguments but mm_page_alloc's
 * order, so only that one must match.
 */
#include <linux/atomic.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "bench.h"

static atomic_long_t bench_slab, bench_pages, bench_high;
static struct tracepoint *tp_kmalloc, *tp_cache, *tp_page;

static void bench_probe_slab(void *data)
{
	atomic_long_inc(&bench_slab);
}

static void bench_probe_page(void *data, struct page *page,
			     unsigned int order)
{
	atomic_long_inc(&bench_pages);
	if (order)
		atomic_long_inc(&bench_high);
}

static void bench_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "kmalloc"))
		tp_kmalloc = tp;
	else if (!strcmp(tp->name, "kmem_cache_alloc"))
		tp_cache = tp;
	else if (!strcmp(tp->name, "mm_page_alloc"))
		tp_page = tp;
}

/**
 * bench_allocs_start() - zero the counters and start counting
 *
 * Return: 0, or -ENOENT if the kernel lacks one of the tracepoints.
 */
int bench_allocs_start(void)
{
	int ret;

	if (!tp_kmalloc || !tp_cache || !tp_page)
		for_each_kernel_tracepoint(bench_find_tp, NULL);
	if (!tp_kmalloc || !tp_cache || !tp_page)
		return -ENOENT;
	atomic_long_set(&bench_slab, 0);
	atomic_long_set(&bench_pages, 0);
	atomic_long_set(&bench_high, 0);
	ret = tracepoint_probe_register(tp_kmalloc, (void *)bench_probe_slab, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(tp_cache, (void *)bench_probe_slab, NULL);
	if (ret)
		goto out_kmalloc;
	ret = tracepoint_probe_register(tp_page, (void *)bench_probe_page, NULL);
	if (ret)
		goto out_cache;
	return 0;
out_cache:
	tracepoint_probe_unregister(tp_cache, (void *)bench_probe_slab, NULL);
out_kmalloc:
	tracepoint_probe_unregister(tp_kmalloc, (void *)bench_probe_slab, NULL);
	tracepoint_synchronize_unregister();
	return ret;
}

/**
 * bench_allocs_read() - read and zero the counters
 * @slab: slab allocations (kmalloc and kmem_cache_alloc).
 * @pages: page allocations.
 * @high_order: page allocations of order > 0.
 */
void bench_allocs_read(unsigned long *slab, unsigned long *pages,
		       unsigned long *high_order)
{
	*slab = atomic_long_xchg(&bench_slab, 0);
	*pages = atomic_long_xchg(&bench_pages, 0);
	*high_order = atomic_long_xchg(&bench_high, 0);
}

/**
 * bench_allocs_stop() - stop counting
 */
void bench_allocs_stop(void)
{
	tracepoint_probe_unregister(tp_page, (void *)bench_probe_page, NULL);
	tracepoint_probe_unregister(tp_cache, (void *)bench_probe_slab, NULL);
	tracepoint_probe_unregister(tp_kmalloc, (void *)bench_probe_slab, NULL);
	tracepoint_synchronize_unregister();
}
