// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation counting with the kernel's own tracing: probes on the kmem
 * tracepoints kmalloc, kmem_cache_alloc, mm_page_alloc, mm_page_free and
 * mm_page_free_batched, and on the vmalloc tracepoint alloc_vmap_area,
 * registered only while a counting pass runs. vmalloc() takes its pages
 * from the page allocator's bulk interface, which fires no mm_page_alloc,
 * so the pages a vmalloc() maps are counted from the size of the area it
 * reserves (less its guard page). A vmap() of pages allocated elsewhere
 * would be counted twice; an open default pair makes none. The probes count every allocation in
 * the guest, on every CPU; the benchmark runs alone in its guest, so what
 * it counts is the data path's.
 *
 * The probe prototypes are those of Linux 6.x (include/trace/events/
 * kmem.h); the counts use only kmalloc's bytes_alloc and the pages'
 * order.
 */
#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "bench.h"

static atomic_long_t bench_slab, bench_pages, bench_high;
static atomic_long_t bench_pages_in, bench_pages_out;
static struct tracepoint *tp_kmalloc, *tp_cache, *tp_page;
static struct tracepoint *tp_free, *tp_free_batched, *tp_vmap;
/* Where the first large kmalloc()s since the start came from. */
#define BENCH_HIGH_SITES	4
static unsigned long bench_high_site[BENCH_HIGH_SITES];

static void bench_probe_kmalloc(void *data, unsigned long call_site,
				const void *ptr, size_t bytes_req,
				size_t bytes_alloc)
{
	long n;

	atomic_long_inc(&bench_slab);
	/* More than a page in one physically contiguous block. */
	if (bytes_alloc > PAGE_SIZE) {
		n = atomic_long_inc_return(&bench_high);
		if (n <= BENCH_HIGH_SITES)
			bench_high_site[n - 1] = call_site;
	}
}

static void bench_probe_slab(void *data)
{
	atomic_long_inc(&bench_slab);
}

static void bench_probe_page(void *data, struct page *page,
			     unsigned int order)
{
	atomic_long_inc(&bench_pages);
	atomic_long_add(1L << order, &bench_pages_in);
}

static void bench_probe_free(void *data, struct page *page,
			     unsigned int order)
{
	atomic_long_add(1L << order, &bench_pages_out);
}

static void bench_probe_free1(void *data, struct page *page)
{
	atomic_long_inc(&bench_pages_out);
}

static void bench_probe_vmap(void *data, unsigned long addr,
			     unsigned long size, unsigned long align,
			     unsigned long vstart, unsigned long vend,
			     int failed)
{
	/* Every area but a VM_NO_GUARD one ends with an unmapped page. */
	if (!failed && size > PAGE_SIZE)
		atomic_long_add(size / PAGE_SIZE - 1, &bench_pages_in);
}

static void bench_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "kmalloc"))
		tp_kmalloc = tp;
	else if (!strcmp(tp->name, "kmem_cache_alloc"))
		tp_cache = tp;
	else if (!strcmp(tp->name, "mm_page_alloc"))
		tp_page = tp;
	else if (!strcmp(tp->name, "mm_page_free"))
		tp_free = tp;
	else if (!strcmp(tp->name, "mm_page_free_batched"))
		tp_free_batched = tp;
	else if (!strcmp(tp->name, "alloc_vmap_area"))
		tp_vmap = tp;
}

/**
 * bench_allocs_start() - zero the counters and start counting
 *
 * Return: 0, or -ENOENT if the kernel lacks one of the kmem tracepoints
 * (alloc_vmap_area, from Linux 6.4, is optional: see bench_vmap_counted()).
 */
int bench_allocs_start(void)
{
	int ret;

	if (!tp_kmalloc || !tp_cache || !tp_page || !tp_free || !tp_free_batched)
		for_each_kernel_tracepoint(bench_find_tp, NULL);
	if (!tp_kmalloc || !tp_cache || !tp_page || !tp_free || !tp_free_batched)
		return -ENOENT;
	atomic_long_set(&bench_slab, 0);
	atomic_long_set(&bench_pages, 0);
	atomic_long_set(&bench_high, 0);
	atomic_long_set(&bench_pages_in, 0);
	atomic_long_set(&bench_pages_out, 0);
	memset(bench_high_site, 0, sizeof(bench_high_site));
	ret = tracepoint_probe_register(tp_kmalloc, (void *)bench_probe_kmalloc, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(tp_cache, (void *)bench_probe_slab, NULL);
	if (ret)
		goto out_kmalloc;
	ret = tracepoint_probe_register(tp_page, (void *)bench_probe_page, NULL);
	if (ret)
		goto out_cache;
	ret = tracepoint_probe_register(tp_free, (void *)bench_probe_free, NULL);
	if (ret)
		goto out_page;
	ret = tracepoint_probe_register(tp_free_batched, (void *)bench_probe_free1, NULL);
	if (ret)
		goto out_free;
	if (tp_vmap && tracepoint_probe_register(tp_vmap, (void *)bench_probe_vmap,
						 NULL))
		tp_vmap = NULL;
	return 0;
out_free:
	tracepoint_probe_unregister(tp_free, (void *)bench_probe_free, NULL);
out_page:
	tracepoint_probe_unregister(tp_page, (void *)bench_probe_page, NULL);
out_cache:
	tracepoint_probe_unregister(tp_cache, (void *)bench_probe_slab, NULL);
out_kmalloc:
	tracepoint_probe_unregister(tp_kmalloc, (void *)bench_probe_kmalloc, NULL);
	tracepoint_synchronize_unregister();
	return ret;
}

/**
 * bench_allocs_read() - read and zero the counters
 * @slab: slab allocations (kmalloc and kmem_cache_alloc).
 * @pages: page allocations.
 * @high_order: kmalloc()s of more than a page (one multi-page block).
 */
void bench_allocs_read(unsigned long *slab, unsigned long *pages,
		       unsigned long *high_order)
{
	*slab = atomic_long_xchg(&bench_slab, 0);
	*pages = atomic_long_xchg(&bench_pages, 0);
	*high_order = atomic_long_xchg(&bench_high, 0);
}

/**
 * bench_allocs_sites() - log where the first large kmalloc()s came from
 */
void bench_allocs_sites(void)
{
	int i;

	for (i = 0; i < BENCH_HIGH_SITES && bench_high_site[i]; i++)
		pr_info("kmcl_bench: large kmalloc from %pS\n",
			(void *)bench_high_site[i]);
}

/**
 * bench_pages_net() - pages allocated minus pages freed since the start
 *
 * Return: the difference, in pages (any order counted page by page).
 */
long bench_pages_net(void)
{
	return atomic_long_read(&bench_pages_in) -
	       atomic_long_read(&bench_pages_out);
}

/**
 * bench_vmap_counted() - are vmalloc()'s pages in bench_pages_net()?
 *
 * Return: true if the alloc_vmap_area tracepoint is counted.
 */
bool bench_vmap_counted(void)
{
	return tp_vmap;
}

/**
 * bench_allocs_stop() - stop counting
 */
void bench_allocs_stop(void)
{
	if (tp_vmap)
		tracepoint_probe_unregister(tp_vmap, (void *)bench_probe_vmap, NULL);
	tracepoint_probe_unregister(tp_free_batched, (void *)bench_probe_free1, NULL);
	tracepoint_probe_unregister(tp_free, (void *)bench_probe_free, NULL);
	tracepoint_probe_unregister(tp_page, (void *)bench_probe_page, NULL);
	tracepoint_probe_unregister(tp_cache, (void *)bench_probe_slab, NULL);
	tracepoint_probe_unregister(tp_kmalloc, (void *)bench_probe_kmalloc, NULL);
	tracepoint_synchronize_unregister();
}
