// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_stress - concurrency stress of KMCL on the loopback VMBus, for
 * `make stress` (KCSAN kernel) and its smoke run in `make check`.
 *
 * Loading it opens @channels server/client pairs (every other server takes
 * its packets at PASSIVE, the rest at DISPATCH) and runs one kthread per
 * online CPU for @seconds. Each thread picks a random pair and operation:
 * asynchronous sends both ways (some with external data, some the server
 * defers to passive, a rare one it fails, which stops the queue until a
 * work item of the pair reopens the client), synchronous requests with a
 * 100 ms timeout and now-or-never ones, pause/start of either end (a
 * request to the paused server must time out), disable/enable of the
 * client, GPADL create/map/unmap/delete cycles, and bursts sent from the
 * pair's tasklet (softirq). At the end every pair is disabled and the
 * counts must balance:
 * each accepted packet completed exactly once, each GPADL created deleted
 * and each mapping unmapped, and every kind of operation ran. The module
 * logs its figures and "kmcl_stress: PASS" or "kmcl_stress: FAIL (<first
 * reason>)"; the load succeeds either way.
 *
 * With seconds=0 the load returns with the traffic running, plus one client
 * waiting for an offer that never comes; unloading stops everything mid-
 * traffic and logs the verdict (the load/unload cycles use this).
 */
#define pr_fmt(fmt) "kmcl_stress: " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched/debug.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include <kmcl/loopback.h>

#include "stress.h"

static unsigned int seconds = 30;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "How long to run (default 30); 0: until unloaded");
static unsigned int channels = 8;
module_param(channels, uint, 0444);
MODULE_PARM_DESC(channels, "Channel pairs (default 8)");

unsigned int stress_fail_permille = 1;
module_param_named(fail_permille, stress_fail_permille, uint, 0444);
MODULE_PARM_DESC(fail_permille,
		 "Of 1000 asynchronous client packets, how many the server fails (default 1)");

static struct stress_pair *pairs;
static unsigned int npairs;
static struct task_struct **threads;
static unsigned int nthreads;
static unsigned long deadline;
static bool stopping;
static atomic_t running = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(stopped_wq);
static VMBCHANNEL waiter;
static atomic_t failures = ATOMIC_INIT(0);
static DEFINE_SPINLOCK(reason_lock);
static char reason[96];

void stress_fail(struct stress_pair *p, const char *why)
{
	unsigned long flags;

	if (atomic_inc_return(&failures) > 1)
		return;
	spin_lock_irqsave(&reason_lock, flags);
	snprintf(reason, sizeof(reason), "pair %d: %s", p ? p->idx : -1, why);
	spin_unlock_irqrestore(&reason_lock, flags);
}

/* The softirq sender: a burst from the tasklet of a pair. */
static void stress_dpc(struct tasklet_struct *t)
{
	struct stress_pair *p = from_tasklet(p, t, dpc);
	int i;

	if (!atomic_read(&p->dpc_run))
		return;
	for (i = 0; i < 4; i++)
		stress_send_async(p, false, i == 0);
	stress_send_async(p, true, false);
	stress_send_sync(p, false, false);
	atomic64_inc(&p->c.softirq_sends);
}

static void stress_one(struct stress_pair *p)
{
	u32 r = get_random_u32() % 100;
	int i, sent = 0;

	if (r < 50) {
		for (i = 0; i < 8; i++)
			sent += !stress_send_async(p, false, i == 0 && r < 10);
		if (!sent)
			usleep_range(100, 300);	/* no packet free: let some complete */
	} else if (r < 62) {
		stress_send_sync(p, true, r & 1);
	} else if (r < 66) {
		stress_send_sync(p, false, false);
	} else if (r < 76) {
		for (i = 0; i < 4; i++)
			stress_send_async(p, true, false);
	} else if (r < 84) {
		tasklet_schedule(&p->dpc);
	} else if (r < 91) {
		stress_pause_start(p);
	} else if (r < 94) {
		stress_reopen(p);
	} else {
		stress_gpadl_cycle(p);
	}
}

static int stress_thread(void *arg)
{
	while (!READ_ONCE(stopping) && !kthread_should_stop() &&
	       (!seconds || time_before(jiffies, deadline))) {
		stress_one(&pairs[get_random_u32() % npairs]);
		cond_resched();
	}
	if (atomic_dec_and_test(&running))
		wake_up_all(&stopped_wq);
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

/*
 * Every operation ends by itself within seconds, unless KMCL (or this
 * module) lost a wake-up or a completion. Then the thread must not hang
 * the unload in kthread_stop(): fail the run, show the thread's stack, and
 * disable every client, which ends any request still waiting for its peer.
 */
static void stress_stop_threads(void)
{
	unsigned int i;

	WRITE_ONCE(stopping, true);
	if (wait_event_timeout(stopped_wq, !atomic_read(&running),
			       STRESS_STOP_WAIT))
		goto stop;
	stress_fail(NULL, "a thread did not stop within 30 s");
	pr_err("a thread did not stop within 30 s: disabling the clients\n");
	for (i = 0; i < nthreads; i++)
		if (threads[i])
			sched_show_task(threads[i]);
	for (i = 0; i < npairs; i++) {
		WRITE_ONCE(pairs[i].closing, true);
		if (pairs[i].client)
			VmbChannelDisable(pairs[i].client);
	}
stop:
	for (i = 0; i < nthreads; i++)
		if (threads[i])
			kthread_stop(threads[i]);
}

/* A client that waits for an offer nobody makes (seconds=0 only). */
static void stress_waiter_open(void)
{
	GUID type = { .Data1 = 0x6b6d636c, .Data2 = 0x7374, .Data3 = 0x7774 };
	NTSTATUS st;

	if (!NT_SUCCESS(VmbChannelAllocate(kmcl_loopback_parent(), FALSE, &waiter)))
		return;
	st = VmbClientChannelInitSetTargetPnp(waiter, &type, &type, NULL);
	if (NT_SUCCESS(st))
		st = VmbChannelEnable(waiter);
	if (!NT_SUCCESS(st))
		stress_fail(NULL, "waiting client could not be enabled");
}

#define SUM(f) ({ s64 __s = 0; unsigned int __i;			\
	for (__i = 0; __i < npairs; __i++)				\
		__s += atomic64_read(&pairs[__i].c.f);			\
	__s; })

/* With every channel disabled: do the counts balance, did all kinds run? */
static void stress_verdict(void)
{
	struct stress_counts *c;
	unsigned int i;

	for (i = 0; i < npairs; i++) {
		c = &pairs[i].c;
		if (atomic64_read(&c->sent) !=
		    atomic64_read(&c->done_ok) + atomic64_read(&c->done_err))
			stress_fail(&pairs[i], "client packets sent != completed");
		if (atomic64_read(&c->ssent) != atomic64_read(&c->sdone))
			stress_fail(&pairs[i], "server packets sent != completed");
		if (atomic64_read(&c->gpadl_made) != atomic64_read(&c->gpadl_deleted) ||
		    atomic64_read(&c->gpadl_mapped) != atomic64_read(&c->gpadl_unmapped))
			stress_fail(&pairs[i], "GPADLs established != torn down");
	}
	pr_info("%u s %u channels %u threads\n", seconds, npairs, nthreads);
	pr_info("client packets: sent %lld completed %lld (%lld with an error status), twice %lld\n",
		SUM(sent), SUM(done_ok) + SUM(done_err), SUM(done_err), SUM(twice));
	pr_info("server packets: sent %lld completed %lld\n", SUM(ssent), SUM(sdone));
	pr_info("synchronous: %lld answered, %lld timed out, %lld sent now, %lld refused\n",
		SUM(sync_ok), SUM(sync_cancel), SUM(sync_now), SUM(sync_other));
	pr_info("server: %lld deliveries, %lld deferred to passive, %lld failed, %lld external data checked\n",
		SUM(delivered), SUM(deferred), SUM(failed), SUM(ext_ok));
	pr_info("gpadl: %lld created %lld deleted %lld mapped %lld unmapped\n",
		SUM(gpadl_made), SUM(gpadl_deleted), SUM(gpadl_mapped),
		SUM(gpadl_unmapped));
	pr_info("%lld pauses, %lld reopens, %lld softirq bursts\n",
		SUM(pauses), SUM(reopens), SUM(softirq_sends));
	if (seconds && !(SUM(done_ok) && SUM(sdone) && SUM(sync_ok) && SUM(sync_cancel) &&
			 SUM(deferred) && SUM(ext_ok) && SUM(gpadl_made) &&
			 SUM(pauses) && SUM(reopens) && SUM(softirq_sends)))
		stress_fail(NULL, "some kind of operation never ran");
	if (atomic_read(&failures))
		pr_info("FAIL (%s; %d failures)\n", reason, atomic_read(&failures));
	else
		pr_info("PASS\n");
}

static void stress_stop(void)
{
	unsigned int i;

	stress_stop_threads();
	for (i = 0; i < npairs; i++) {
		atomic_set(&pairs[i].dpc_run, 0);
		tasklet_kill(&pairs[i].dpc);
	}
	if (waiter) {
		VmbChannelDisable(waiter);
		VmbChannelCleanup(waiter);
		waiter = NULL;
	}
	for (i = 0; i < npairs; i++)
		stress_pair_close(&pairs[i]);
	stress_verdict();
	kfree(threads);
	kfree(pairs);
}

static int __init kmcl_stress_init(void)
{
	unsigned int i;

	npairs = clamp(channels, 1U, 256U);
	nthreads = num_online_cpus();
	pairs = kcalloc(npairs, sizeof(*pairs), GFP_KERNEL);
	threads = kcalloc(nthreads, sizeof(*threads), GFP_KERNEL);
	if (!pairs || !threads) {
		kfree(pairs);
		kfree(threads);
		return -ENOMEM;
	}
	for (i = 0; i < npairs; i++) {
		tasklet_setup(&pairs[i].dpc, stress_dpc);
		atomic_set(&pairs[i].dpc_run, 1);
		if (stress_pair_open(&pairs[i], i, i & 1)) {
			stress_fail(&pairs[i], "pair did not open");
			npairs = i + 1;
			break;
		}
	}
	if (!seconds)
		stress_waiter_open();
	deadline = jiffies + seconds * HZ;
	for (i = 0; i < nthreads && !atomic_read(&failures); i++) {
		atomic_inc(&running);
		threads[i] = kthread_run(stress_thread, NULL, "kmcl_stress/%u", i);
		if (IS_ERR(threads[i])) {
			atomic_dec(&running);
			threads[i] = NULL;
			stress_fail(NULL, "cannot start a thread");
		}
	}
	if (seconds) {
		while (time_before(jiffies, deadline))
			msleep(100);
		stress_stop();
	}
	return 0;
}

static void __exit kmcl_stress_exit(void)
{
	if (!seconds)
		stress_stop();
}

module_init(kmcl_stress_init);
module_exit(kmcl_stress_exit);

MODULE_DESCRIPTION("KMCL concurrency stress on the loopback VMBus");
MODULE_LICENSE("GPL");
KMCL_IMPORT_NS();
