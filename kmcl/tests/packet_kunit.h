/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the packet suites (kmcl_packet, kmcl_incoming,
 * kmcl_sync), implemented in packet_kunit.c: a connected loopback pair with
 * a configurable geometry, recorders for incoming packets and for outgoing
 * completions, and a way to put arbitrary bytes into a ring as a hostile
 * peer would. Every wait is bounded, so a bug fails a test instead of
 * hanging the run.
 */
#ifndef _KMCL_PACKET_KUNIT_H
#define _KMCL_PACKET_KUNIT_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl_test_util.h"

struct kmcl_channel;

#define KMCL_PT_REC		128	/* records kept per recorder */
#define KMCL_PT_DATA		64	/* bytes of each packet kept */
#define KMCL_PT_WAIT_MS		3000	/* longest wait for an event */

/* What the recording ProcessPacket does with each packet. */
enum kmcl_pt_mode {
	KMCL_PT_COMPLETE,	/* complete at once with rx->comp */
	KMCL_PT_HOLD,		/* keep it; the test completes it */
	KMCL_PT_DEFER,		/* defer unless in process context, then hold */
	KMCL_PT_FAIL,		/* VmbChannelPacketFail() */
	KMCL_PT_SLOW,		/* busy for 200 us, then complete */
	KMCL_PT_HOLD_WAIT,	/* keep it, and wait for @release (passive only) */
	KMCL_PT_DEFER_COMPLETE,	/* defer unless in process context, then complete */
	KMCL_PT_WAIT_COMPLETE,	/* wait for @release (passive only), then complete */
};

/**
 * struct kmcl_pt_rec - one ProcessPacket call
 * @pc: the packet handle.
 * @data: its first KMCL_PT_DATA bytes.
 * @len: BufferLength.
 * @flags: Flags.
 * @softirq: ran in softirq context.
 * @task: ran in process context (in_task()).
 * @preemptible: preemptible() (may sleep).
 * @cpu: the CPU it ran on.
 * @ctx: VmbChannelPacketGetClientContext() at delivery.
 * @ctx_zero: the context area was all zero at delivery.
 * @batch: ProcessingComplete calls seen before this call.
 * @done: completed (or failed, or deferred) already; a held packet is not.
 */
struct kmcl_pt_rec {
	VMBPACKETCOMPLETION pc;
	u8 data[KMCL_PT_DATA];
	u32 len;
	u32 flags;
	bool softirq;
	bool task;
	bool preemptible;
	int cpu;
	void *ctx;
	bool ctx_zero;
	unsigned int batch;
	bool done;
};

/**
 * struct kmcl_pt_rx - what one endpoint received
 * @lock: protects everything below.
 * @wq: woken on every record.
 * @mode: what ProcessPacket does.
 * @comp: completion payload for KMCL_PT_COMPLETE.
 * @comp_len: its length.
 * @ctx_size: client context size of the channel (for @ctx_zero).
 * @n: ProcessPacket calls so far.
 * @batches: ProcessingComplete calls.
 * @batch_total: sum of their PacketsProcessed.
 * @batch_softirq: ProcessingComplete calls in softirq context.
 * @batch_task: ProcessingComplete calls in process context.
 * @hook: optional, called first by each ProcessPacket (without @lock).
 * @hook_ctx: its argument.
 * @release: what KMCL_PT_HOLD_WAIT waits for, after recording the packet.
 * @rec: the first KMCL_PT_REC calls.
 */
struct kmcl_pt_rx {
	spinlock_t lock;	/* the fields below */
	wait_queue_head_t wq;
	enum kmcl_pt_mode mode;
	u8 comp[KMCL_PT_DATA];
	u32 comp_len;
	u32 ctx_size;
	unsigned int n;
	unsigned int batches;
	unsigned int batch_total;
	unsigned int batch_softirq;
	unsigned int batch_task;
	void (*hook)(void *hook_ctx);
	void *hook_ctx;
	struct completion *release;
	struct kmcl_pt_rec rec[KMCL_PT_REC];
};

/**
 * struct kmcl_pt_done - completions of outgoing packets
 * @lock: protects everything below.
 * @wq: woken on every record.
 * @free: free each packet in its completion routine.
 * @n: completion routine calls so far.
 * @rec: the first KMCL_PT_REC calls: packet, status, payload, context,
 *	CPU.
 */
struct kmcl_pt_done {
	spinlock_t lock;	/* the fields below */
	wait_queue_head_t wq;
	bool free;
	unsigned int n;
	struct {
		VMBPACKET pkt;
		NTSTATUS status;
		u8 data[KMCL_PT_DATA];
		u32 len;
		bool bh_off;
		bool had_buf;
		int cpu;
	} rec[KMCL_PT_REC];
};

/**
 * struct kmcl_pt_cfg - geometry of a test pair (0 = KMCL's default)
 * @max_packet_size: both endpoints.
 * @max_packet_count: client (outgoing lookaside of the client).
 * @server_packet_count: server.
 * @ctx_size: client context size, both endpoints.
 * @inline_ctx: inline packet context size, both endpoints.
 * @ring_pages: client ring page counts, both directions.
 * @defer_client: do not enable the client (the test does it).
 * @defer_server: do not enable and start the server (the test does it).
 */
struct kmcl_pt_cfg {
	u32 max_packet_size;
	u32 max_packet_count;
	u32 server_packet_count;
	u32 ctx_size;
	u32 inline_ctx;
	u32 ring_pages;
	bool defer_client;
	bool defer_server;
};

/**
 * struct kmcl_pt_pair - a server and a client with recorders
 * @p: the endpoints (kmcl_test_util).
 * @srx: what the server received.
 * @crx: what the client received.
 * @sch: the server's channel object.
 * @cch: the client's channel object.
 */
struct kmcl_pt_pair {
	struct kmcl_test_pair *p;
	struct kmcl_pt_rx srx;
	struct kmcl_pt_rx crx;
	struct kmcl_channel *sch;
	struct kmcl_channel *cch;
};

void kmcl_pt_pair_setup(struct kunit *test, struct kmcl_pt_pair *pp,
			const struct kmcl_pt_cfg *cfg);
void kmcl_pt_enable_client(struct kunit *test, struct kmcl_pt_pair *pp);
void kmcl_pt_enable_server(struct kunit *test, struct kmcl_pt_pair *pp);
bool kmcl_pt_wait_rx(struct kmcl_pt_rx *rx, unsigned int n);
bool kmcl_pt_wait_batches(struct kmcl_pt_rx *rx, unsigned int total);
unsigned int kmcl_pt_rx_count(struct kmcl_pt_rx *rx);
VMBPACKETCOMPLETION kmcl_pt_rx_pc(struct kmcl_pt_rx *rx, unsigned int i);
void kmcl_pt_complete(struct kmcl_pt_rx *rx, unsigned int i, const void *buf,
		      u32 len);
void kmcl_pt_fill(u8 *buf, u32 len, u8 seed);
bool kmcl_pt_check(const u8 *buf, u32 len, u8 seed);

void kmcl_pt_done_init(struct kmcl_pt_done *d, bool free);
void kmcl_pt_done_cb(VMBPACKET pkt, PVOID ctx, NTSTATUS status, PVOID buf,
		     UINT32 len);
bool kmcl_pt_wait_done(struct kmcl_pt_done *d, unsigned int n);
unsigned int kmcl_pt_done_count(struct kmcl_pt_done *d);
int kmcl_pt_done_times(struct kmcl_pt_done *d, VMBPACKET pkt,
		       NTSTATUS *status);
VMBPACKET kmcl_pt_send(struct kunit *test, VMBCHANNEL ch,
		       struct kmcl_pt_done *d, u8 seed, u32 len, u32 flags);

void kmcl_pt_inject(struct kunit *test, struct kmcl_channel *writer,
		    struct kmcl_channel *reader, const void *bytes, u32 len);
bool kmcl_pt_wait_true(bool (*cond)(void *arg), void *arg, unsigned int ms);
void kmcl_pt_settle(struct kunit *test, struct kmcl_channel *ch);
void kmcl_pt_track_work(struct kunit *test, struct kmcl_pt_pair *pp,
			struct work_struct *work);

#endif /* _KMCL_PACKET_KUNIT_H */
