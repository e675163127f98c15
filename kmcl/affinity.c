// SPDX-License-Identifier: GPL-2.0-only
/*
 * A channel's target CPU and its DPC time budget (see affinity.h).
 */
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/smp.h>
#include <linux/workqueue.h>

#include "kmcl.h"

#define KMCL_KICK_BUSY	0

/* IPI handler, hard IRQ on the target CPU. */
static void kmcl_cpu_kick_ipi(void *info)
{
	struct kmcl_cpu_kick *k = info;

	/*
	 * Scheduled before @busy clears: a kicker that still sees @busy
	 * knows the tasklet has not started the run this schedules (it runs
	 * on this CPU after this handler), and kmcl_cpu_kick_quiesce() knows
	 * no tasklet_schedule() is left to come.
	 */
	tasklet_schedule(k->tasklet);
	smp_mb__before_atomic();	/* the schedule before @busy clears */
	clear_bit(KMCL_KICK_BUSY, &k->busy);
}

/**
 * kmcl_cpu_kick_setup() - initialise a kick for @t (no target CPU)
 * @k: zeroed memory.
 * @t: the tasklet, set up.
 */
void kmcl_cpu_kick_setup(struct kmcl_cpu_kick *k, struct tasklet_struct *t)
{
	k->csd.func = kmcl_cpu_kick_ipi;
	k->csd.info = k;
	k->tasklet = t;
	k->cpu = -1;
}

/**
 * kmcl_cpu_kick_tasklet_on() - schedule the tasklet on the kick's CPU
 * @k: the kick.
 *
 * kmcl_cpu_kick_tasklet() for a kick whose CPU may be chosen. On the
 * calling CPU when none is, when called there, or when the chosen CPU is
 * offline. Any context (hard IRQ included).
 */
void kmcl_cpu_kick_tasklet_on(struct kmcl_cpu_kick *k)
{
	int cpu = READ_ONCE(k->cpu);
	int this = get_cpu();

	if (cpu < 0 || cpu == this) {
		tasklet_schedule(k->tasklet);
	} else if (!test_and_set_bit(KMCL_KICK_BUSY, &k->busy)) {
		/* -ENXIO: offline. Anything else is a bug of ours: same. */
		if (smp_call_function_single_async(cpu, &k->csd)) {
			tasklet_schedule(k->tasklet);
			smp_mb__before_atomic();	/* as in the IPI */
			clear_bit(KMCL_KICK_BUSY, &k->busy);
		}
	}
	/* else: an IPI is in flight and will schedule it. */
	put_cpu();
}

/**
 * kmcl_cpu_kick_work() - queue process-context work for the kick's CPU
 * @k: the kick.
 * @wq: where the work goes when no CPU is chosen (the channel's ordered
 *	workqueue).
 * @work: the work.
 *
 * With a CPU chosen (and online), the work goes to that CPU's worker of
 * the system workqueue. Any context.
 */
void kmcl_cpu_kick_work(struct kmcl_cpu_kick *k, struct workqueue_struct *wq,
			struct work_struct *work)
{
	int cpu = READ_ONCE(k->cpu);

	if (cpu >= 0 && cpu_online(cpu))
		queue_work_on(cpu, system_wq, work);
	else
		queue_work(wq, work);
}

/**
 * kmcl_cpu_kick_quiesce() - wait until no IPI of @k is in flight
 * @k: the kick; nothing kicks it any more. Process context.
 *
 * Afterwards the tasklet may be killed: the IPI schedules it no more.
 */
void kmcl_cpu_kick_quiesce(struct kmcl_cpu_kick *k)
{
	might_sleep();
	while (test_bit(KMCL_KICK_BUSY, &k->busy))
		cond_resched();
	smp_mb__after_atomic();	/* pairs with the IPI's clear_bit() */
}

/**
 * kmcl_dpc_left() - softirq time left in the window @now falls in
 * @b: the budget (the reader's).
 * @percent: 1..100 of KMCL_DPC_WINDOW_NS.
 * @now: kmcl_dpc_now().
 *
 * Starts a new window when the current one is over. At 100 % every run
 * starts a window of its own: only a run longer than the window is
 * capped.
 *
 * Return: ns left, 0 when the budget is spent.
 */
u64 kmcl_dpc_left(struct kmcl_dpc_budget *b, u8 percent, u64 now)
{
	u64 budget = KMCL_DPC_WINDOW_NS * clamp_t(u8, percent, 1, 100) / 100;

	/* 100 %: any run may take the whole window, and no more. */
	if (budget == KMCL_DPC_WINDOW_NS) {
		b->win_start = now;
		b->used = 0;
		b->hit = false;
		return budget;
	}
	if (now < b->win_start || now - b->win_start >= KMCL_DPC_WINDOW_NS) {
		b->win_start = now;
		b->used = 0;
		b->hit = false;
	}
	return b->used < budget ? budget - b->used : 0;
}

/**
 * kmcl_dpc_charge() - charge a softirq run to the current window
 * @b: the budget (the reader's).
 * @ns: how long the run took.
 */
void kmcl_dpc_charge(struct kmcl_dpc_budget *b, u64 ns)
{
	b->used += ns;
}

/**
 * kmcl_dpc_hit() - the budget stops a softirq run
 * @b: the budget (the reader's).
 *
 * Return: true the first time in the window (count it), else false.
 */
bool kmcl_dpc_hit(struct kmcl_dpc_budget *b)
{
	bool first = !b->hit;

	b->hit = true;
	return first;
}

/**
 * kmcl_affinity_enable() - apply the target CPU at enable
 * @ch: the channel (state_mutex held).
 *
 * Return: 0, or -EINVAL when the target CPU is not online.
 */
int kmcl_affinity_enable(struct kmcl_channel *ch)
{
	int cpu = ch->cfg.target_cpu;

	lockdep_assert_held(&ch->state_mutex);
	if (cpu >= 0 && (cpu >= nr_cpu_ids || !cpu_online(cpu))) {
		pr_warn("channel %u (%s): target processor %d is not online; not enabled\n",
			ch->id, ch->cfg.friendly_name ?: "unnamed", cpu);
		return -EINVAL;
	}
	WRITE_ONCE(ch->in.kick.cpu, cpu);
	WRITE_ONCE(ch->out.kick.cpu, cpu);
	return 0;
}

/**
 * kmcl_in_set_dpc_clock() - replace the DPC budget's clock (tests)
 * @ch: the channel, while no reader runs.
 * @clock: returns the time in ns; NULL for local_clock().
 * @ctx: its argument.
 */
void kmcl_in_set_dpc_clock(struct kmcl_channel *ch, u64 (*clock)(void *ctx),
			   void *ctx)
{
	ch->in.dpc_budget.clock_ctx = ctx;
	ch->in.dpc_budget.win_start = 0;
	ch->in.dpc_budget.used = 0;
	ch->in.dpc_budget.hit = false;
	WRITE_ONCE(ch->in.dpc_budget.clock, clock);
}

KMCL_EXPORT_FOR_TESTS(kmcl_in_set_dpc_clock);
