// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit helpers: loopback endpoints with recording callbacks. See
 * kmcl_test_util.h.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/string.h>

#include "kmcl_test_util.h"
#include "../kmcl.h"

KMCL_IMPORT(KMCL_INTERNAL);

static const char *const kmcl_test_evt_names[] = {
	[KMCL_TEST_OPENED] = "opened",
	[KMCL_TEST_STARTED] = "started",
	[KMCL_TEST_POST_STARTED] = "post_started",
	[KMCL_TEST_SUSPEND] = "suspend",
	[KMCL_TEST_CLOSED] = "closed",
	[KMCL_TEST_PNP_FAILURE] = "pnp_failure",
};

static void kmcl_test_log_init(struct kmcl_test_log *log)
{
	spin_lock_init(&log->lock);
	init_waitqueue_head(&log->wq);
	log->n = 0;
}

/**
 * kmcl_test_log_new() - an empty log in test-managed memory
 * @test: the running test.
 *
 * Return: the log (the test is aborted on failure).
 */
struct kmcl_test_log *kmcl_test_log_new(struct kunit *test)
{
	struct kmcl_test_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, log);
	kmcl_test_log_init(log);
	return log;
}

/**
 * kmcl_test_guid() - a test GUID, distinct for each @n
 * @guid: receives the GUID.
 * @n: its number.
 */
void kmcl_test_guid(GUID *guid, u32 n)
{
	static const GUID base = {
		0x6b6d636c, 0x7465, 0x7374, { 0x9a, 0x11, 0, 0, 0, 0, 0, 0 }
	};

	*guid = base;
	guid->Data4[4] = n >> 24;
	guid->Data4[5] = n >> 16;
	guid->Data4[6] = n >> 8;
	guid->Data4[7] = n;
}

/**
 * kmcl_test_new_type() - an interface type no other test uses
 *
 * Return: a fresh GUID.
 */
GUID kmcl_test_new_type(void)
{
	static atomic_t seq = ATOMIC_INIT(0x1000);
	GUID g;

	kmcl_test_guid(&g, atomic_inc_return(&seq));
	g.Data2 = 0x7479;	/* "ty" */
	return g;
}

static void kmcl_test_record(struct kmcl_test_ep *ep, enum kmcl_test_evt evt)
{
	struct kmcl_test_log *log = ep->log;
	unsigned long flags;

	spin_lock_irqsave(&log->lock, flags);
	if (log->n < KMCL_TEST_LOG_MAX) {
		log->ev[log->n].ep = ep;
		log->ev[log->n].evt = evt;
		log->n++;
	}
	atomic_inc(&ep->count[evt]);
	spin_unlock_irqrestore(&log->lock, flags);
	wake_up_all(&log->wq);
	if (ep->hook)
		ep->hook(ep, evt);
}

static NTSTATUS kmcl_test_opened(VMBCHANNEL ch, PVOID ctx)
{
	struct kmcl_test_ep *ep = ctx;

	kmcl_test_record(ep, KMCL_TEST_OPENED);
	return ep->opened_status;
}

static VOID kmcl_test_closed(VMBCHANNEL ch, PVOID ctx)
{
	kmcl_test_record(ctx, KMCL_TEST_CLOSED);
}

static VOID kmcl_test_suspend(VMBCHANNEL ch, PVOID ctx)
{
	kmcl_test_record(ctx, KMCL_TEST_SUSPEND);
}

static VOID kmcl_test_started(VMBCHANNEL ch, PVOID ctx)
{
	kmcl_test_record(ctx, KMCL_TEST_STARTED);
}

static VOID kmcl_test_post_started(VMBCHANNEL ch, PVOID ctx)
{
	kmcl_test_record(ctx, KMCL_TEST_POST_STARTED);
}

static VOID kmcl_test_pnp_failure(VMBCHANNEL ch, NTSTATUS status)
{
	struct kmcl_test_ep *ep = VmbChannelGetPointer(ch);

	ep->pnp_status = status;
	kmcl_test_record(ep, KMCL_TEST_PNP_FAILURE);
}

static VOID kmcl_test_process(VMBCHANNEL ch, PVOID ctx,
			      VMBPACKETCOMPLETION pkt, PVOID buf, UINT32 len,
			      UINT32 flags)
{
	struct kmcl_test_ep *ep = ctx;

	if (ep->process)
		ep->process(ep, pkt, buf, len, flags);
	else
		VmbChannelPacketComplete(pkt, NULL, 0);
}

static void kmcl_test_ep_release(void *data)
{
	struct kmcl_test_ep *ep = data;

	if (ep->gone || !ep->ch)
		return;
	VmbChannelDisable(ep->ch);
	VmbChannelCleanup(ep->ch);
	ep->ch = NULL;
}

/**
 * kmcl_test_ep_alloc() - a disabled endpoint with recording callbacks
 * @test: the running test.
 * @log: the log to record into.
 * @server: server rather than client.
 *
 * The channel gets the V5 state callbacks (context: the endpoint), Ex
 * packet callbacks that complete every packet at once unless @process is
 * set, and the endpoint as its VmbChannelSetPointer value. It is disabled
 * and cleaned up when the test ends.
 *
 * Return: the endpoint (the test is aborted on failure).
 */
struct kmcl_test_ep *kmcl_test_ep_alloc(struct kunit *test,
					struct kmcl_test_log *log, bool server)
{
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 cb;
	struct kmcl_test_ep *ep;
	NTSTATUS st;

	ep = kunit_kzalloc(test, sizeof(*ep), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ep);
	ep->test = test;
	ep->log = log;
	ep->server = server;
	ep->opened_status = STATUS_SUCCESS;

	st = VmbChannelAllocate(kmcl_loopback_parent(), server, &ep->ch);
	KUNIT_ASSERT_EQ(test, st, STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kmcl_test_ep_release,
							ep), 0);
	VmbChannelSetPointer(ep->ch, ep);

	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5(&cb);
	cb.CallbackContext = ep;
	cb.EvtChannelOpenedEx = kmcl_test_opened;
	cb.EvtChannelClosedEx = kmcl_test_closed;
	cb.EvtChannelSuspendEx = kmcl_test_suspend;
	cb.EvtChannelStartedEx = kmcl_test_started;
	cb.EvtChannelPostStartedEx = kmcl_test_post_started;
	st = VmbChannelInitSetStateChangeCallbacks(ep->ch,
						   (void *)&cb);
	KUNIT_ASSERT_EQ(test, st, STATUS_SUCCESS);
	st = VmbChannelInitSetProcessPacketCallbacksEx(ep->ch, ep,
						       kmcl_test_process, NULL);
	KUNIT_ASSERT_EQ(test, st, STATUS_SUCCESS);
	if (!server && READ_ONCE(kmcl_test_isolated)) {
		/* A client in a confidential VM, ported with a bounce pool. */
		kmcl_loopback_set_isolated(kmcl_channel_from_handle(ep->ch), true);
		st = VmbChannelInitSetBounceBufferSizes(ep->ch, KMCL_TEST_BOUNCE_INITIAL,
							0, KMCL_TEST_BOUNCE_MAX);
		KUNIT_ASSERT_EQ(test, st, STATUS_SUCCESS);
	}
	return ep;
}

/*
 * Clients made while this is set are isolated (see kmcl_test_cvm_init()).
 * Suites run one test at a time, so a plain flag does.
 */
bool kmcl_test_isolated;

/**
 * kmcl_test_cvm_init() - kunit .init: the test runs in isolation mode
 * @test: the test.
 *
 * Every client endpoint the test makes behaves as a confidential VM with a
 * bounce pool (KMCL_TEST_BOUNCE_INITIAL, default growth, up to
 * KMCL_TEST_BOUNCE_MAX): its peer only sees memory shared through a GPADL
 * or the pool. Lets a suite run a second time in that mode unchanged.
 *
 * Return: 0.
 */
int kmcl_test_cvm_init(struct kunit *test)
{
	WRITE_ONCE(kmcl_test_isolated, true);
	return 0;
}

/**
 * kmcl_test_cvm_exit() - kunit .exit: back to ordinary endpoints
 * @test: the test.
 */
void kmcl_test_cvm_exit(struct kunit *test)
{
	WRITE_ONCE(kmcl_test_isolated, false);
}

/**
 * kmcl_test_server_target() - set what a server endpoint offers
 * @ep: a disabled server endpoint.
 * @type: interface type.
 * @instance: interface instance.
 */
void kmcl_test_server_target(struct kmcl_test_ep *ep, const GUID *type,
			     const GUID *instance)
{
	KUNIT_ASSERT_EQ(ep->test,
			VmbServerChannelInitSetTargetInterfaceId(ep->ch, *type,
								 *instance),
			STATUS_SUCCESS);
}

/**
 * kmcl_test_client_target() - set what a client endpoint opens
 * @ep: a disabled client endpoint.
 * @type: interface type.
 * @instance: interface instance, or NULL for any.
 */
void kmcl_test_client_target(struct kmcl_test_ep *ep, const GUID *type,
			     const GUID *instance)
{
	KUNIT_ASSERT_EQ(ep->test,
			VmbClientChannelInitSetTargetPnp(ep->ch, type, instance,
							 kmcl_test_pnp_failure),
			STATUS_SUCCESS);
}

/**
 * kmcl_test_server() - a disabled server endpoint with its offer set
 * @test: the running test.
 * @log: the log.
 * @type: interface type.
 * @instance: interface instance.
 *
 * Return: the endpoint.
 */
struct kmcl_test_ep *kmcl_test_server(struct kunit *test,
				      struct kmcl_test_log *log,
				      const GUID *type, const GUID *instance)
{
	struct kmcl_test_ep *ep = kmcl_test_ep_alloc(test, log, true);

	kmcl_test_server_target(ep, type, instance);
	return ep;
}

/**
 * kmcl_test_client() - a disabled client endpoint with its target set
 * @test: the running test.
 * @log: the log.
 * @type: interface type.
 * @instance: interface instance, or NULL for any.
 *
 * Return: the endpoint.
 */
struct kmcl_test_ep *kmcl_test_client(struct kunit *test,
				      struct kmcl_test_log *log,
				      const GUID *type, const GUID *instance)
{
	struct kmcl_test_ep *ep = kmcl_test_ep_alloc(test, log, false);

	kmcl_test_client_target(ep, type, instance);
	return ep;
}

/**
 * kmcl_test_ep_forget() - the test cleaned up @ep's channel itself
 * @ep: the endpoint.
 */
void kmcl_test_ep_forget(struct kmcl_test_ep *ep)
{
	ep->gone = true;
}

/**
 * kmcl_test_count() - how often a callback ran
 * @ep: the endpoint.
 * @evt: the callback.
 *
 * Return: the count.
 */
int kmcl_test_count(struct kmcl_test_ep *ep, enum kmcl_test_evt evt)
{
	return atomic_read(&ep->count[evt]);
}

/**
 * kmcl_test_wait_ms() - wait until a callback ran @count times
 * @ep: the endpoint.
 * @evt: the callback.
 * @count: how many times.
 * @ms: at most this long.
 *
 * Return: true if it did, false on timeout.
 */
bool kmcl_test_wait_ms(struct kmcl_test_ep *ep, enum kmcl_test_evt evt,
		       int count, unsigned int ms)
{
	return wait_event_timeout(ep->log->wq,
				  kmcl_test_count(ep, evt) >= count,
				  msecs_to_jiffies(ms)) > 0 ||
	       kmcl_test_count(ep, evt) >= count;
}

/**
 * kmcl_test_wait() - kmcl_test_wait_ms() with the default timeout
 * @ep: the endpoint.
 * @evt: the callback.
 * @count: how many times.
 *
 * Return: true if it did, false on timeout.
 */
bool kmcl_test_wait(struct kmcl_test_ep *ep, enum kmcl_test_evt evt, int count)
{
	return kmcl_test_wait_ms(ep, evt, count, KMCL_TEST_WAIT_MS);
}

/**
 * kmcl_test_index() - position of a callback in the log
 * @log: the log.
 * @ep: the endpoint.
 * @evt: the callback.
 * @nth: which occurrence, from 1.
 *
 * Return: the index, or -1 if it is not there.
 */
int kmcl_test_index(struct kmcl_test_log *log, struct kmcl_test_ep *ep,
		    enum kmcl_test_evt evt, int nth)
{
	unsigned long flags;
	unsigned int i;
	int ret = -1;

	spin_lock_irqsave(&log->lock, flags);
	for (i = 0; i < log->n; i++) {
		if (log->ev[i].ep == ep && log->ev[i].evt == evt && !--nth) {
			ret = i;
			break;
		}
	}
	spin_unlock_irqrestore(&log->lock, flags);
	return ret;
}

/**
 * kmcl_test_seq() - the callbacks of one endpoint, in order
 * @ep: the endpoint.
 *
 * Return: e.g. "opened,started,post_started" (test-managed memory).
 */
const char *kmcl_test_seq(struct kmcl_test_ep *ep)
{
	struct kmcl_test_log *log = ep->log;
	size_t size = KMCL_TEST_LOG_MAX * 16;
	unsigned long flags;
	unsigned int i;
	char *buf;
	size_t len = 0;

	buf = kunit_kzalloc(ep->test, size, GFP_KERNEL);
	if (!buf)
		return "(no memory)";
	spin_lock_irqsave(&log->lock, flags);
	for (i = 0; i < log->n; i++) {
		if (log->ev[i].ep != ep)
			continue;
		len += scnprintf(buf + len, size - len, "%s%s", len ? "," : "",
				 kmcl_test_evt_names[log->ev[i].evt]);
	}
	spin_unlock_irqrestore(&log->lock, flags);
	return buf;
}

/**
 * kmcl_test_wait_state() - wait until the channel reaches a lifetime state
 * @ep: the endpoint.
 * @state: an enum kmcl_channel_state value.
 *
 * Return: true if it did within the default timeout.
 */
bool kmcl_test_wait_state(struct kmcl_test_ep *ep, int state)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(ep->ch);
	unsigned long end = jiffies + msecs_to_jiffies(KMCL_TEST_WAIT_MS);

	if (!ch)
		return false;
	while (kmcl_channel_state(ch) != state) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(2000, 3000);
	}
	return true;
}

/**
 * kmcl_test_pair_new() - a disabled server and client that match
 * @test: the running test.
 *
 * Both endpoints use a fresh interface type and share one log.
 *
 * Return: the pair (the test is aborted on failure).
 */
struct kmcl_test_pair *kmcl_test_pair_new(struct kunit *test)
{
	struct kmcl_test_pair *pair = kunit_kzalloc(test, sizeof(*pair), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pair);
	kmcl_test_log_init(&pair->log);
	pair->type = kmcl_test_new_type();
	kmcl_test_guid(&pair->instance, 1);
	pair->server = kmcl_test_server(test, &pair->log, &pair->type,
					&pair->instance);
	pair->client = kmcl_test_client(test, &pair->log, &pair->type,
					&pair->instance);
	return pair;
}

/**
 * kmcl_test_pair_open() - a connected, started server and client
 * @test: the running test.
 *
 * Returns once both have run EvtChannelPostStarted.
 *
 * Return: the pair (the test is aborted on failure or timeout).
 */
struct kmcl_test_pair *kmcl_test_pair_open(struct kunit *test)
{
	struct kmcl_test_pair *pair = kmcl_test_pair_new(test);

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(pair->server->ch), STATUS_SUCCESS);
	VmbChannelStart(pair->server->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(pair->client->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(pair->server, KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(pair->client, KMCL_TEST_POST_STARTED, 1));
	return pair;
}
