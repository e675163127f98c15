/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmcl_stress: many loopback channel pairs driven at once from kthreads and
 * tasklets (see main.c). One pair is a server and a client channel; this
 * header is what main.c and pair.c share.
 */
#ifndef _KMCL_STRESS_H
#define _KMCL_STRESS_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include <vmbuskernelmodeclientlibapi.h>

/* What the server does with a packet, chosen by the sender. */
enum stress_op {
	STRESS_COMPLETE,	/* complete it at once */
	STRESS_DEFER,		/* defer it to passive first (DISPATCH pairs) */
	STRESS_EXT,		/* check the external data, then complete */
	STRESS_FAIL,		/* VmbChannelPacketFail(): the queue stops */
};

/* The inline bytes of every packet (a multiple of 8, as KMCL wants). */
struct stress_msg {
	u32 op;
	u32 seq;
	u64 magic;
};

#define STRESS_MAGIC		0x6b6d636c73747273ULL
#define STRESS_EXT_BYTES	(2 * PAGE_SIZE)
#define STRESS_GPADL_BYTES	(3 * PAGE_SIZE)
/* Longest a thread may take to finish its operation when the run ends. */
#define STRESS_STOP_WAIT	(30 * HZ)

/* Counters of one pair; the figures at the end are their sums. */
struct stress_counts {
	atomic64_t sent;	/* client packets accepted by VmbPacketSend() */
	atomic64_t done_ok;	/* their completions with success */
	atomic64_t done_err;	/* their completions with an error status */
	atomic64_t twice;	/* completion routine run twice for one packet */
	atomic64_t ssent;	/* server-to-client packets accepted */
	atomic64_t sdone;	/* their completions, any status */
	atomic64_t sync_ok, sync_cancel, sync_other, sync_now;
	atomic64_t delivered;	/* server ProcessPacket invocations */
	atomic64_t deferred, failed, ext_ok, bad;
	atomic64_t gpadl_made, gpadl_deleted, gpadl_mapped, gpadl_unmapped;
	atomic64_t pauses, reopens, softirq_sends;
};

struct stress_pair {
	int idx;
	bool passive;		/* the server gets its packets at PASSIVE */
	VMBCHANNEL server;
	VMBCHANNEL client;
	/* Serializes pause/start, disable/enable and GPADL cycles. */
	struct mutex lock;
	struct completion started;
	atomic_t queue_failed;	/* the server failed a packet: reopen */
	/*
	 * Reopens the client after the server failed a packet, whatever the
	 * threads are doing: they may all be waiting in requests that only
	 * the client's close ends (see stress_recover()).
	 */
	struct work_struct recover;
	bool closing;		/* set once: no more reopens (read under @lock) */
	atomic_t seq;
	struct tasklet_struct dpc;	/* the softirq sender */
	atomic_t dpc_run;		/* 0 once the run stops */
	void *ext;
	PMDL mdl;
	void *gbuf;
	char msg_err[64];
	struct stress_counts c;
};

extern unsigned int stress_fail_permille;

/* The pair's state for reasons why the run failed. */
void stress_fail(struct stress_pair *p, const char *why);

int stress_pair_open(struct stress_pair *p, int idx, bool passive);
void stress_pair_close(struct stress_pair *p);
int stress_send_async(struct stress_pair *p, bool to_client, bool ext);
void stress_send_sync(struct stress_pair *p, bool wait, bool ext);
void stress_pause_start(struct stress_pair *p);
void stress_reopen(struct stress_pair *p);
void stress_gpadl_cycle(struct stress_pair *p);

#endif /* _KMCL_STRESS_H */
