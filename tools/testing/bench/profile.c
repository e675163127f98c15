// SPDX-License-Identifier: GPL-2.0-only
/*
 * A sampling profile of a packet path (`make bench` with profile=1): a
 * cpu-clock perf event on every CPU records the interrupted instruction
 * every 50 us while one side runs; the samples are then counted by
 * function, and main.c prints the busiest ones. No perf tool is needed in
 * the guest, which has none.
 */
#define pr_fmt(fmt) "kmcl_bench: " fmt

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/perf_event.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "bench.h"

#define PROF_MAX	16384
#define PROF_PERIOD_NS	50000

static unsigned long *prof_ip;
static atomic_t prof_n;
static struct perf_event **prof_ev;

static void prof_sample(struct perf_event *ev, struct perf_sample_data *data,
			struct pt_regs *regs)
{
	int i = atomic_inc_return(&prof_n) - 1;

	if (i < PROF_MAX && regs)
		prof_ip[i] = instruction_pointer(regs);
}

/* Start sampling on every online CPU; 0 or -errno. */
int bench_profile_start(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.size = sizeof(attr),
		.sample_period = PROF_PERIOD_NS,
	};
	struct perf_event *ev;
	int cpu;

	prof_ip = kvcalloc(PROF_MAX, sizeof(*prof_ip), GFP_KERNEL);
	prof_ev = kcalloc(nr_cpu_ids, sizeof(*prof_ev), GFP_KERNEL);
	if (!prof_ip || !prof_ev) {
		bench_profile_stop(NULL);
		return -ENOMEM;
	}
	atomic_set(&prof_n, 0);
	for_each_online_cpu(cpu) {
		ev = perf_event_create_kernel_counter(&attr, cpu, NULL,
						      prof_sample, NULL);
		if (IS_ERR(ev)) {
			bench_profile_stop(NULL);
			return PTR_ERR(ev);
		}
		prof_ev[cpu] = ev;
	}
	return 0;
}

struct prof_fn {
	char name[KSYM_NAME_LEN];
	u32 hits;
};

static int prof_cmp_hits(const void *a, const void *b)
{
	const struct prof_fn *x = a, *y = b;

	return x->hits > y->hits ? -1 : x->hits < y->hits;
}

/*
 * Stop; print the @top busiest functions as "profile: TAG pct% name"
 * (per mille of the samples, idle included), if @tag.
 */
void bench_profile_stop(const char *tag)
{
	struct prof_fn *fn = NULL;
	int cpu, i, j, n, nfn = 0, top = 25;
	char name[KSYM_SYMBOL_LEN];

	if (prof_ev) {
		for_each_possible_cpu(cpu)
			if (prof_ev[cpu])
				perf_event_release_kernel(prof_ev[cpu]);
	}
	n = min(atomic_read(&prof_n), PROF_MAX);
	if (tag && prof_ip && n)
		fn = kvcalloc(n, sizeof(*fn), GFP_KERNEL);
	for (i = 0; fn && i < n; i++) {
		sprint_symbol_no_offset(name, prof_ip[i]);
		for (j = 0; j < nfn && strcmp(fn[j].name, name); j++)
			;
		if (j == nfn)
			strscpy(fn[nfn++].name, name, KSYM_NAME_LEN);
		fn[j].hits++;
	}
	if (fn) {
		sort(fn, nfn, sizeof(*fn), prof_cmp_hits, NULL);
		pr_info("profile: %s samples %d\n", tag, n);
		for (i = 0; i < min(nfn, top); i++)
			pr_info("profile: %s %u.%u%% %s\n", tag,
				fn[i].hits * 100 / n, fn[i].hits * 1000 / n % 10,
				fn[i].name);
	}
	kvfree(fn);
	kvfree(prof_ip);
	kfree(prof_ev);
	prof_ip = NULL;
	prof_ev = NULL;
}
