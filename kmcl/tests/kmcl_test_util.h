/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KUnit helpers shared by the suites: loopback endpoints built through the
 * Windows-named API, with recording callbacks.
 *
 * Every endpoint records its state callbacks (and PnpFailure) in a log that
 * it may share with its peer, so tests can check both the per-endpoint order
 * ("opened,started,post_started") and the order across endpoints. Waits are
 * bounded (KMCL_TEST_WAIT_MS by default) and return false on timeout, so a
 * broken state machine fails a test instead of hanging the run.
 *
 * Logs, endpoints and pairs live in test-managed memory (never on the
 * stack: callbacks may still record after the test function returned,
 * while its endpoints are being disabled).
 *
 * Endpoints are disabled and cleaned up automatically when the test ends
 * (kunit actions), even if an assertion failed; an endpoint the test
 * disposed of itself must be marked with kmcl_test_ep_forget().
 */
#ifndef _KMCL_TEST_UTIL_H
#define _KMCL_TEST_UTIL_H

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include <vmbuskernelmodeclientlibapi.h>

#define KMCL_TEST_WAIT_MS	3000

/**
 * KMCL_TEST_WAIT_UNTIL() - poll @cond until it holds, for KMCL_TEST_WAIT_MS
 * @cond: an expression without side effects.
 *
 * For what a reader run or a worker on another CPU does, which a vCPU the
 * host preempts can delay for as long as it likes: wait for it, never for
 * a fixed time.
 *
 * Return: the last value of @cond.
 */
#define KMCL_TEST_WAIT_UNTIL(cond)					\
	({								\
		unsigned long __end = jiffies +				\
				      msecs_to_jiffies(KMCL_TEST_WAIT_MS); \
		bool __ok;						\
		while (!(__ok = (cond)) && time_before(jiffies, __end))	\
			usleep_range(1000, 2000);			\
		__ok;							\
	})

/**
 * kmcl_test_locked() - read a counter under the lock that guards it
 * @lock: that lock (BH-safe: a channel's in.lock or out.lock, a bounce
 *	pool's lock).
 * @field: the counter.
 *
 * Return: the counter's value.
 */
static inline u64 kmcl_test_locked(spinlock_t *lock, const u64 *field)
{
	u64 v;

	spin_lock_bh(lock);
	v = *field;
	spin_unlock_bh(lock);
	return v;
}

/* A counter of @ch's incoming (in.lock) or outgoing (out.lock) side. */
#define kmcl_test_in_stat(ch, field)	kmcl_test_locked(&(ch)->in.lock, field)
#define kmcl_test_out_stat(ch, field)	kmcl_test_locked(&(ch)->out.lock, field)

/*
 * kmcl_test_module_refs() - references held on @mod, or -1 where none are
 * counted: @mod built into the kernel (NULL), or no module unloading.
 */
static inline int kmcl_test_module_refs(struct module *mod)
{
#ifdef CONFIG_MODULE_UNLOAD
	if (mod)
		return module_refcount(mod);
#endif
	return -1;
}

/* @mod holds @base + @delta references, where references are counted. */
static inline void kmcl_test_expect_refs(struct kunit *test,
					 struct module *mod, int base,
					 int delta)
{
	if (base >= 0)
		KUNIT_EXPECT_EQ(test, kmcl_test_module_refs(mod), base + delta);
}

#define KMCL_TEST_LOG_MAX	64

/* What the log records. */
enum kmcl_test_evt {
	KMCL_TEST_OPENED,
	KMCL_TEST_STARTED,
	KMCL_TEST_POST_STARTED,
	KMCL_TEST_SUSPEND,
	KMCL_TEST_CLOSED,
	KMCL_TEST_PNP_FAILURE,
	KMCL_TEST_EVT_COUNT,
};

struct kmcl_test_ep;

/**
 * struct kmcl_test_log - ordered record of callbacks
 * @lock: protects @n and @ev.
 * @wq: woken on every record.
 * @n: records so far.
 * @ev: the records: which endpoint, which callback.
 */
struct kmcl_test_log {
	spinlock_t lock;	/* @n, @ev */
	wait_queue_head_t wq;
	unsigned int n;
	struct {
		struct kmcl_test_ep *ep;
		enum kmcl_test_evt evt;
	} ev[KMCL_TEST_LOG_MAX];
};

/**
 * struct kmcl_test_ep - one endpoint and what it saw
 * @test: the running test.
 * @ch: the channel.
 * @log: where callbacks are recorded.
 * @server: server endpoint.
 * @opened_status: what EvtChannelOpened returns.
 * @pnp_status: the last PnpFailure status.
 * @count: how often each callback ran.
 * @hook: optional: called from each state callback after recording.
 * @process: optional ProcessPacket; the default completes at once.
 * @priv: for the test's own use.
 * @gone: the test disposed of the channel itself.
 */
struct kmcl_test_ep {
	struct kunit *test;
	VMBCHANNEL ch;
	struct kmcl_test_log *log;
	bool server;
	NTSTATUS opened_status;
	NTSTATUS pnp_status;
	atomic_t count[KMCL_TEST_EVT_COUNT];
	void (*hook)(struct kmcl_test_ep *ep, enum kmcl_test_evt evt);
	void (*process)(struct kmcl_test_ep *ep, VMBPACKETCOMPLETION pkt,
			PVOID buf, UINT32 len, UINT32 flags);
	void *priv;
	bool gone;
};

/**
 * struct kmcl_test_pair - a connected server and client
 * @log: shared log.
 * @server: the server endpoint.
 * @client: the client endpoint.
 * @type: the interface type they use.
 * @instance: the offer's instance.
 */
struct kmcl_test_pair {
	struct kmcl_test_log log;
	struct kmcl_test_ep *server;
	struct kmcl_test_ep *client;
	GUID type;
	GUID instance;
};

struct kmcl_test_log *kmcl_test_log_new(struct kunit *test);
void kmcl_test_guid(GUID *guid, u32 n);
GUID kmcl_test_new_type(void);

struct kmcl_test_ep *kmcl_test_ep_alloc(struct kunit *test,
					struct kmcl_test_log *log,
					bool server);
void kmcl_test_server_target(struct kmcl_test_ep *ep, const GUID *type,
			     const GUID *instance);
void kmcl_test_client_target(struct kmcl_test_ep *ep, const GUID *type,
			     const GUID *instance);
struct kmcl_test_ep *kmcl_test_server(struct kunit *test,
				      struct kmcl_test_log *log,
				      const GUID *type, const GUID *instance);
struct kmcl_test_ep *kmcl_test_client(struct kunit *test,
				      struct kmcl_test_log *log,
				      const GUID *type, const GUID *instance);
void kmcl_test_ep_forget(struct kmcl_test_ep *ep);

int kmcl_test_count(struct kmcl_test_ep *ep, enum kmcl_test_evt evt);
bool kmcl_test_wait(struct kmcl_test_ep *ep, enum kmcl_test_evt evt,
		    int count);
bool kmcl_test_wait_ms(struct kmcl_test_ep *ep, enum kmcl_test_evt evt,
		       int count, unsigned int ms);
int kmcl_test_index(struct kmcl_test_log *log, struct kmcl_test_ep *ep,
		    enum kmcl_test_evt evt, int nth);
const char *kmcl_test_seq(struct kmcl_test_ep *ep);
bool kmcl_test_wait_state(struct kmcl_test_ep *ep, int state);

/* Bounce pool of an isolated test client (kmcl_test_cvm_init()). */
#define KMCL_TEST_BOUNCE_INITIAL	(256 * 1024)
#define KMCL_TEST_BOUNCE_MAX		(1024 * 1024)

extern bool kmcl_test_isolated;
int kmcl_test_cvm_init(struct kunit *test);
void kmcl_test_cvm_exit(struct kunit *test);

struct kmcl_test_pair *kmcl_test_pair_new(struct kunit *test);
struct kmcl_test_pair *kmcl_test_pair_open(struct kunit *test);

#endif /* _KMCL_TEST_UTIL_H */
