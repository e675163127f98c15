/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where a channel's DISPATCH-level work runs, and how long it may run.
 *
 * CPU (VmbClientChannelInitSetTargetProcessorIndex): a channel whose
 * target CPU is set runs its incoming reader tasklet and its send-queue
 * tasklet on that CPU. A kick from another CPU sends that CPU an IPI
 * (one struct kmcl_cpu_kick per tasklet, one IPI in flight at a time),
 * whose handler schedules the tasklet there; process-context delivery
 * goes to the system workqueue's worker of that CPU (queue_work_on()).
 * The CPU must be online at VmbChannelEnable (else the enable fails); if
 * it goes offline later, work runs wherever it is kicked (never lost).
 *
 * DPC budget (VmbChannelSetAllowableDpcCpuUsage): the softirq reader of a
 * channel may spend CpuPercentage % of each KMCL_DPC_WINDOW_NS window.
 * Every softirq run is charged to the window it started in; a run that
 * reaches the window's budget stops after the packet it is handling, and
 * the rest stays queued for the channel's process-context reader (KMCL
 * lets packets of a DISPATCH channel arrive at PASSIVE too). A softirq
 * run that finds the budget spent hands over at once. At 100 % (the
 * default) each run may take one whole window and no more; such a run
 * reads its clock first at its KMCL_DPC_FULL_STRIDE-th packet, then every
 * KMCL_DPC_FULL_STRIDE packets (a clock read costs as much as a good part
 * of a packet under emulation), so a short run reads none and a long one
 * may go twice that many packets past the window before it hands over.
 * Each window in which the budget stopped softirq delivery is counted once
 * (debugfs dpc_capped). Nothing is dropped or reordered: there is one
 * reader at a time and the packets stay in the ring.
 */
#ifndef _KMCL_AFFINITY_H
#define _KMCL_AFFINITY_H

#include <linux/compiler.h>
#include <linux/interrupt.h>
#include <linux/sched/clock.h>
#include <linux/smp.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct kmcl_channel;

/* The window VmbChannelSetAllowableDpcCpuUsage() takes a share of. */
#define KMCL_DPC_WINDOW_NS	(2 * NSEC_PER_MSEC)
/* At 100 %, a softirq run looks at its clock every this many packets. */
#define KMCL_DPC_FULL_STRIDE	8U

/**
 * struct kmcl_cpu_kick - schedule one tasklet on a chosen CPU
 * @csd: the IPI's call data (serialised by @busy).
 * @tasklet: the tasklet it schedules.
 * @busy: bit 0 set while an IPI is in flight.
 * @cpu: the CPU, or -1: wherever the kick comes from.
 */
struct kmcl_cpu_kick {
	call_single_data_t csd;
	struct tasklet_struct *tasklet;
	unsigned long busy;
	int cpu;
};

/**
 * struct kmcl_dpc_budget - softirq time charged to the current window
 * @win_start: start of the window (clock ns).
 * @used: ns charged to it so far.
 * @hit: the budget stopped softirq delivery in this window (counted).
 * @clock: test hook replacing local_clock(), or NULL.
 * @clock_ctx: its argument.
 *
 * Only the channel's reader (one at a time) touches it.
 */
struct kmcl_dpc_budget {
	u64 win_start;
	u64 used;
	bool hit;
	u64 (*clock)(void *ctx);
	void *clock_ctx;
};

void kmcl_cpu_kick_setup(struct kmcl_cpu_kick *k, struct tasklet_struct *t);
void kmcl_cpu_kick_tasklet_on(struct kmcl_cpu_kick *k);

/**
 * kmcl_cpu_kick_tasklet() - schedule the kick's tasklet
 * @k: the kick.
 *
 * On the kick's CPU if one is chosen (kmcl_cpu_kick_tasklet_on()), else
 * on the calling CPU, without a call: every signal of a channel without
 * a target CPU comes through here. Any context (hard IRQ included).
 */
static inline void kmcl_cpu_kick_tasklet(struct kmcl_cpu_kick *k)
{
	if (READ_ONCE(k->cpu) < 0)
		tasklet_schedule(k->tasklet);
	else
		kmcl_cpu_kick_tasklet_on(k);
}

void kmcl_cpu_kick_work(struct kmcl_cpu_kick *k, struct workqueue_struct *wq,
			struct work_struct *work);
void kmcl_cpu_kick_quiesce(struct kmcl_cpu_kick *k);

/**
 * kmcl_dpc_now() - the budget's clock
 * @b: the budget.
 *
 * Inline: the reader looks at it after every packet.
 *
 * Return: local_clock(), or the test hook's time.
 */
static inline u64 kmcl_dpc_now(struct kmcl_dpc_budget *b)
{
	u64 (*clock)(void *ctx) = READ_ONCE(b->clock);

	return clock ? clock(b->clock_ctx) : local_clock();
}

u64 kmcl_dpc_left(struct kmcl_dpc_budget *b, u8 percent, u64 now);
void kmcl_dpc_charge(struct kmcl_dpc_budget *b, u64 ns);
bool kmcl_dpc_hit(struct kmcl_dpc_budget *b);

int kmcl_affinity_enable(struct kmcl_channel *ch);
void kmcl_in_set_dpc_clock(struct kmcl_channel *ch, u64 (*clock)(void *ctx),
			   void *ctx);

#endif /* _KMCL_AFFINITY_H */
