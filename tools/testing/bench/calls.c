// SPDX-License-Identifier: GPL-2.0-only
/*
 * Counting the expensive kernel calls of a packet path (`make bench` with
 * calls=1): a kprobe on each of a few kernel functions counts its calls
 * while one side runs a short burst; main.c prints them per packet. A
 * probe that cannot be placed (function inlined or not probeable on this
 * kernel) is left out of the line. The probes slow the path down: the
 * timed runs never have them.
 */
#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>

#include "bench.h"

static const char *const calls_syms[BENCH_NCALLS] = {
	"__tasklet_schedule", "try_to_wake_up", "_raw_spin_lock_bh",
	"_raw_spin_lock", "_raw_spin_lock_irqsave", "__local_bh_enable_ip",
	"smp_call_function_single_async", "queue_work_on",
};

static struct kprobe calls_kp[BENCH_NCALLS];
static atomic_long_t calls_hits[BENCH_NCALLS];
static bool calls_on[BENCH_NCALLS];

static int calls_pre(struct kprobe *kp, struct pt_regs *regs)
{
	atomic_long_inc(&calls_hits[kp - calls_kp]);
	return 0;
}

const char *bench_calls_name(int i)
{
	return calls_syms[i];
}

/* Place the probes; returns how many are placed. */
int bench_calls_start(void)
{
	int i, n = 0;

	for (i = 0; i < BENCH_NCALLS; i++) {
		memset(&calls_kp[i], 0, sizeof(calls_kp[i]));
		calls_kp[i].symbol_name = calls_syms[i];
		calls_kp[i].pre_handler = calls_pre;
		atomic_long_set(&calls_hits[i], 0);
		calls_on[i] = !register_kprobe(&calls_kp[i]);
		n += calls_on[i];
	}
	return n;
}

/* Counts so far, -1 for a probe that is not placed. */
void bench_calls_read(long *hits)
{
	int i;

	for (i = 0; i < BENCH_NCALLS; i++)
		hits[i] = calls_on[i] ? atomic_long_read(&calls_hits[i]) : -1;
}

void bench_calls_stop(void)
{
	int i;

	for (i = 0; i < BENCH_NCALLS; i++)
		if (calls_on[i])
			unregister_kprobe(&calls_kp[i]);
	memset(calls_on, 0, sizeof(calls_on));
}
