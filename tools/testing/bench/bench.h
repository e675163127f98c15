/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmcl_bench: KMCL's data path next to a raw VMBus-format ring, in one
 * module, on the in-kernel loopback (`make bench`, see
 * Documentation/testing.rst).
 *
 * A "pair" is a client endpoint that sends and a server endpoint that
 * completes, either over KMCL channels (kmcl_side.c) or over two bare rings
 * and two tasklets (raw.c). The runner (main.c) drives both through
 * struct bench_ops and never looks inside.
 */
#ifndef _KMCL_BENCH_H
#define _KMCL_BENCH_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/types.h>
#include <linux/mm_types.h>
#include <linux/wait.h>

/* What the packets of a pair carry. */
enum bench_kind {
	BENCH_INBAND,		/* in-band bytes only */
	BENCH_EXT_KMALLOC,	/* 64 KiB of external data, kmalloc()ed */
	BENCH_EXT_VMALLOC,	/* 64 KiB of external data, vmap()ed, scattered */
};

/* Ring size of every pair, in 4 KiB pages with the control page. */
#define BENCH_RING_PAGES	16
/* Largest in-band payload a pair is configured for. */
#define BENCH_BIG_PAYLOAD	(16 * 1024)
/* External data per packet. */
#define BENCH_EXT_BYTES		(64 * 1024)
#define BENCH_EXT_PAGES		(BENCH_EXT_BYTES / 4096)
/* In-band bytes in front of external data. */
#define BENCH_EXT_HDR		64

struct bench_pair;

/**
 * struct bench_ops - one implementation of a pair
 * @name: "kmcl" or "raw".
 * @open: connect pair @idx of kind @kind; @big: configure for
 *	BENCH_BIG_PAYLOAD in-band bytes (else the default configuration).
 *	Process context. Returns the pair or NULL.
 * @close: disconnect and free. Nothing may be in flight.
 * @send: queue one packet of @len in-band bytes (and the pair's external
 *	data if it has some) asking for a completion, which calls
 *	bench_done(). Any context up to softirq. 0, -EAGAIN when no packet
 *	or no room is free now (retry after a completion), other -errno.
 * @sync: one synchronous request of @len bytes; process context.
 */
struct bench_ops {
	const char *name;
	struct bench_pair *(*open)(int idx, enum bench_kind kind, bool big);
	void (*close)(struct bench_pair *p);
	int (*send)(struct bench_pair *p, u32 len);
	int (*sync)(struct bench_pair *p, u32 len);
};

/**
 * struct bench_pair - what every implementation's pair starts with
 * @ops: its implementation.
 * @kind: what its packets carry.
 * @inflight: packets sent and not completed.
 * @completed: packets completed since open.
 * @errors: completions with a failure status, and other errors.
 * @wq: the sender waits here for completions.
 * @payload: the in-band bytes sent (BENCH_BIG_PAYLOAD).
 * @ext: the external data buffer (BENCH_EXT_BYTES), NULL for in-band.
 * @sink: where the server copies external data to.
 * @ext_pages: the pages of a BENCH_EXT_VMALLOC @ext.
 * @phases: time the phases of each burst at DISPATCH (bench_async()): an
 *	untimed pass of the ladder sets it.
 * @t_first: when the burst's first completion arrived (with @phases).
 * @ph_send: ns the bursts spent sending, BH off.
 * @ph_server: ns from the end of a burst to its first completion: the
 *	server's deliveries and completions (it takes them all first).
 * @ph_client: ns from the first completion to the last: the client's.
 * @ph_packets: packets of the bursts counted (all completed inside the
 *	local_bh_enable() that ended them).
 */
struct bench_pair {
	const struct bench_ops *ops;
	enum bench_kind kind;
	atomic_t inflight;
	atomic64_t completed;
	atomic_t errors;
	wait_queue_head_t wq;
	void *payload;
	void *ext;
	void *sink;
	struct page *ext_pages[BENCH_EXT_PAGES];
	bool phases;
	u64 t_first;
	u64 ph_send, ph_server, ph_client, ph_packets;
};

extern const struct bench_ops bench_kmcl_ops;
extern const struct bench_ops bench_raw_ops;
/* The guarantee ladder (ladder.c): the raw ring plus one obligation each. */
extern const struct bench_ops bench_ladder_obj_ops;
extern const struct bench_ops bench_ladder_lock_ops;
extern const struct bench_ops bench_ladder_callback_ops;

int bench_pair_init(struct bench_pair *p, const struct bench_ops *ops,
		    enum bench_kind kind);
void bench_pair_fini(struct bench_pair *p);
void bench_done(struct bench_pair *p, bool ok);

/* Allocation counting with the kernel's kmem tracepoints (allocs.c). */
int bench_allocs_start(void);
void bench_allocs_read(unsigned long *slab, unsigned long *pages,
		       unsigned long *high_order);
long bench_pages_net(void);
bool bench_vmap_counted(void);
void bench_allocs_sites(void);
void bench_allocs_stop(void);

/* Kernel calls per packet, counted with kprobes (calls.c). */
#define BENCH_NCALLS	8
const char *bench_calls_name(int i);
int bench_calls_start(void);
void bench_calls_read(long *hits);
void bench_calls_stop(void);

/* A sampling profile by function (profile.c). */
int bench_profile_start(void);
void bench_profile_stop(const char *tag);

#endif /* _KMCL_BENCH_H */
