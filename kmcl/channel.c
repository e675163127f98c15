// SPDX-License-Identifier: GPL-2.0-only
/*
 * Channel object: allocation, cleanup and the state machine (enable,
 * disable, start, pause, and the transport events that open and close a
 * channel). The callback order is documented in kmcl.h.
 *
 * Every sequence that runs driver state callbacks holds ch->state_mutex, so
 * the callbacks of one channel are serialised and see a stable state.
 * Transport events (a peer bound, the peer went away) are handled by
 * ch->state_work, which reconciles the channel with what the transport
 * reports; enable/disable/start/pause run in the caller's thread.
 */
#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kmcl.h"
#include "save.h"
#include "subchan.h"

static atomic_t kmcl_channel_ids = ATOMIC_INIT(0);
static atomic_t kmcl_channels_live = ATOMIC_INIT(0);

/* Registered transports, in registration order (struct kmcl_transport). */
static DEFINE_MUTEX(kmcl_transports_lock);
static LIST_HEAD(kmcl_transports);

static const char *const kmcl_state_names[] = {
	[KMCL_CH_DISABLED] = "disabled",
	[KMCL_CH_ENABLED] = "enabled",
	[KMCL_CH_OPENED] = "opened",
	[KMCL_CH_CLOSING] = "closing",
	[KMCL_CH_CLOSED] = "closed",
};

/**
 * kmcl_channel_state_name() - printable name of a lifetime state
 * @state: the state.
 *
 * Return: a static string.
 */
const char *kmcl_channel_state_name(enum kmcl_channel_state state)
{
	if ((unsigned int)state >= ARRAY_SIZE(kmcl_state_names))
		return "invalid";
	return kmcl_state_names[state];
}

/**
 * kmcl_channel_state() - current lifetime state
 * @ch: the channel.
 *
 * Any context; the answer may be stale by the time it is used.
 *
 * Return: the state.
 */
enum kmcl_channel_state kmcl_channel_state(const struct kmcl_channel *ch)
{
	return READ_ONCE(ch->state);
}

KMCL_EXPORT_FOR_TESTS(kmcl_channel_state);

/**
 * kmcl_channel_in_callback() - is the caller inside a callback of @ch?
 * @ch: the channel.
 *
 * Covers the driver's state callbacks and the packet callbacks that the
 * incoming reader runs in process context (passive processing, deferred
 * packets). Pausing, disabling or cleaning up the channel from either
 * would wait for the very callback it is called from.
 *
 * Return: true when called from one of the channel's own callbacks.
 */
bool kmcl_channel_in_callback(struct kmcl_channel *ch)
{
	return READ_ONCE(ch->cb_task) == current || kmcl_in_in_callback(ch);
}

/* --- driver state callbacks ------------------------------------------- */

static void kmcl_cb_enter(struct kmcl_channel *ch)
{
	lockdep_assert_held(&ch->state_mutex);
	WRITE_ONCE(ch->cb_task, current);
}

static void kmcl_cb_leave(struct kmcl_channel *ch)
{
	WRITE_ONCE(ch->cb_task, NULL);
}

static int kmcl_cb_opened(struct kmcl_channel *ch)
{
	const struct kmcl_state_cb_ops *ops = ch->cfg.state_ops;
	int ret;

	if (!ops)
		return 0;
	kmcl_cb_enter(ch);
	ret = ops->opened(ch);
	kmcl_cb_leave(ch);
	return ret;
}

static void kmcl_cb_closed(struct kmcl_channel *ch)
{
	if (!ch->cfg.state_ops)
		return;
	kmcl_cb_enter(ch);
	ch->cfg.state_ops->closed(ch);
	kmcl_cb_leave(ch);
}

static void kmcl_cb_suspend(struct kmcl_channel *ch)
{
	if (!ch->cfg.state_ops)
		return;
	kmcl_cb_enter(ch);
	ch->cfg.state_ops->suspend(ch);
	kmcl_cb_leave(ch);
}

static void kmcl_cb_started(struct kmcl_channel *ch)
{
	if (!ch->cfg.state_ops)
		return;
	kmcl_cb_enter(ch);
	ch->cfg.state_ops->started(ch);
	kmcl_cb_leave(ch);
}

static void kmcl_cb_post_started(struct kmcl_channel *ch)
{
	if (!ch->cfg.state_ops)
		return;
	kmcl_cb_enter(ch);
	ch->cfg.state_ops->post_started(ch);
	kmcl_cb_leave(ch);
}

static void kmcl_cb_pnp_failure(struct kmcl_channel *ch, int err)
{
	if (!ch->cfg.pnp_failure_fn || !ch->cfg.pnp_failure_call)
		return;
	kmcl_cb_enter(ch);
	ch->cfg.pnp_failure_call(ch, err);
	kmcl_cb_leave(ch);
}

/* --- sequences (state_mutex held) -------------------------------------- */

static void kmcl_channel_set_state(struct kmcl_channel *ch,
				   enum kmcl_channel_state state)
{
	lockdep_assert_held(&ch->state_mutex);
	WRITE_ONCE(ch->state, state);
}

static void kmcl_channel_set_open(struct kmcl_channel *ch, bool open)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	WRITE_ONCE(ch->open, open && !ch->peer_lost);
	spin_unlock_irqrestore(&ch->lock, flags);
}

static bool kmcl_channel_peer_gone(struct kmcl_channel *ch)
{
	unsigned long flags;
	bool lost;

	spin_lock_irqsave(&ch->lock, flags);
	lost = ch->peer_lost;
	spin_unlock_irqrestore(&ch->lock, flags);
	return lost;
}

/* Started, incoming queue on, PostStarted. */
static void kmcl_channel_run(struct kmcl_channel *ch)
{
	kmcl_cb_started(ch);
	kmcl_in_start(ch);
	ch->running = true;
	kmcl_cb_post_started(ch);
}

/* Incoming queue off, Suspend, wait for the driver's completions. */
static void kmcl_channel_stop(struct kmcl_channel *ch)
{
	if (!ch->running)
		return;
	ch->running = false;
	kmcl_in_stop(ch);
	kmcl_cb_suspend(ch);
	kmcl_in_wait_idle(ch);
}

static void kmcl_channel_to_disabled(struct kmcl_channel *ch)
{
	kmcl_channel_set_state(ch, KMCL_CH_DISABLED);
	ch->started = false;
	ch->running = false;
	kmcl_debugfs_remove(ch);
}

/* Read and clear the "peer loss is temporary" mark. */
static bool kmcl_channel_take_reopen(struct kmcl_channel *ch)
{
	unsigned long flags;
	bool reopen;

	spin_lock_irqsave(&ch->lock, flags);
	reopen = ch->reopen;
	ch->reopen = false;
	spin_unlock_irqrestore(&ch->lock, flags);
	return reopen;
}

/*
 * Close an open channel. @local: the driver disabled it; otherwise the peer
 * went away, and the channel ends CLOSED (server) or DISABLED (client) --
 * or, for a client whose transport said the loss is temporary
 * (kmcl_channel_peer_lost_reopen()), ENABLED again, waiting to reopen.
 */
static void kmcl_channel_close(struct kmcl_channel *ch, bool local)
{
	bool reopen;

	/* Subchannels close first, Closed included (subchan.c). */
	kmcl_subs_close(ch);
	reopen = kmcl_channel_take_reopen(ch) && !local;
	kmcl_save_close(ch);
	kmcl_channel_set_state(ch, KMCL_CH_CLOSING);
	kmcl_channel_stop(ch);
	kmcl_channel_set_open(ch, false);
	ch->tops->disconnect(ch);
	/* A transport with its own rings may close them in its quiesce. */
	if (ch->tops->ring)
		kmcl_out_stop(ch);
	kmcl_ext_quiesce(ch);
	kmcl_out_close(ch);
	kmcl_cb_closed(ch);
	kmcl_shmem_close(ch);
	ch->tops->release(ch);
	if (ch->is_server && !local)
		kmcl_channel_set_state(ch, KMCL_CH_CLOSED);
	else if (reopen)
		kmcl_channel_set_state(ch, KMCL_CH_ENABLED);
	else
		kmcl_channel_to_disabled(ch);
}

/* The transport attached the rings: Opened, then maybe the run sequence. */
static void kmcl_channel_open(struct kmcl_channel *ch)
{
	int ret;

	kmcl_shmem_open(ch);
	ret = kmcl_cb_opened(ch);
	/*
	 * OPENED before open_done(): that lets the peer open, and the peer's
	 * driver may look at this endpoint's state at once.
	 */
	if (!ret)
		kmcl_channel_set_state(ch, KMCL_CH_OPENED);
	ch->tops->open_done(ch, ret);
	if (ret) {
		/* Roll back: no traffic, the peer sees a close. */
		dev_dbg(ch->parent, "kmcl: channel %u: Opened failed: %d\n",
			ch->id, ret);
		ch->tops->disconnect(ch);
		kmcl_out_close(ch);
		kmcl_cb_closed(ch);
		kmcl_shmem_close(ch);
		ch->tops->release(ch);
		if (!ch->is_server)
			kmcl_channel_to_disabled(ch);
		return;
	}
	kmcl_channel_set_open(ch, true);
	kmcl_out_open(ch);
	if (ch->started && !kmcl_channel_peer_gone(ch))
		kmcl_channel_run(ch);
}

/* Bring the channel in line with what the transport reports. */
static void kmcl_channel_reconcile(struct kmcl_channel *ch)
{
	int ret;

	lockdep_assert_held(&ch->state_mutex);
	for (;;) {
		switch (ch->state) {
		case KMCL_CH_OPENED:
			if (!kmcl_channel_peer_gone(ch))
				return;
			kmcl_channel_close(ch, false);
			continue;
		case KMCL_CH_ENABLED:
		case KMCL_CH_CLOSED:
			break;
		default:
			return;
		}
		ret = ch->tops->attach(ch);
		if (ret == -ENOENT)
			return;
		if (ret) {
			/* The bound peer vanished, or refused us, before open. */
			ch->tops->release(ch);
			if (!ch->is_server) {
				kmcl_channel_take_reopen(ch);
				kmcl_out_close(ch);
				kmcl_cb_pnp_failure(ch, ret);
				kmcl_channel_to_disabled(ch);
			}
			continue;
		}
		kmcl_channel_open(ch);
	}
}

static void kmcl_channel_state_work(struct work_struct *work)
{
	struct kmcl_channel *ch = container_of(work, struct kmcl_channel,
					       state_work);

	mutex_lock(&ch->state_mutex);
	kmcl_channel_reconcile(ch);
	mutex_unlock(&ch->state_mutex);
}

/**
 * kmcl_channel_kick() - make the state work look at the transport again
 * @ch: the channel.
 *
 * Called by transports after binding @ch to a peer or when the peer changed.
 * Any context.
 */
void kmcl_channel_kick(struct kmcl_channel *ch)
{
	queue_work(system_unbound_wq, &ch->state_work);
}
EXPORT_SYMBOL_KMCL_NS(kmcl_channel_kick, KMCL_TRANSPORT);

/**
 * kmcl_channel_peer_lost() - the transport lost @ch's peer
 * @ch: the channel.
 *
 * Stops traffic at once (kmcl_channel_is_open() turns false), wakes the
 * packet code so that waiters notice, and lets the state work run the close
 * sequence. Any context but hardirq; called under the transport's lock.
 */
void kmcl_channel_peer_lost(struct kmcl_channel *ch)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	ch->peer_lost = true;
	WRITE_ONCE(ch->open, false);
	spin_unlock_irqrestore(&ch->lock, flags);
	kmcl_out_notify(ch);
	kmcl_in_notify(ch);
	kmcl_channel_kick(ch);
}
EXPORT_SYMBOL_KMCL_NS(kmcl_channel_peer_lost, KMCL_TRANSPORT);

/**
 * kmcl_channel_peer_lost_reopen() - the peer is gone for a while
 * @ch: the channel.
 *
 * As kmcl_channel_peer_lost(), but the loss is temporary (the transport
 * closes the connection for hibernation and keeps the peer bound): after
 * the close sequence (Suspend if running, Closed) a client goes back to
 * Enabled instead of Disabled, and opens again (Opened, Started) when the
 * transport kicks it and its attach succeeds. A server ends Closed as
 * usual. The driver does not re-enable anything. Any context but hardirq.
 */
void kmcl_channel_peer_lost_reopen(struct kmcl_channel *ch)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	ch->reopen = true;
	spin_unlock_irqrestore(&ch->lock, flags);
	kmcl_channel_peer_lost(ch);
}
EXPORT_SYMBOL_KMCL_NS(kmcl_channel_peer_lost_reopen, KMCL_TRANSPORT);

/**
 * kmcl_channel_notify() - the peer signalled: data arrived or room freed
 * @ch: the channel.
 *
 * Wakes the incoming reader and the send queue; both only schedule work.
 * For transports whose peer interrupts them (kmcl_hv's channel callback).
 * Any context but hardirq.
 */
void kmcl_channel_notify(struct kmcl_channel *ch)
{
	kmcl_in_notify(ch);
	kmcl_out_notify(ch);
}
EXPORT_SYMBOL_KMCL_NS(kmcl_channel_notify, KMCL_TRANSPORT);

/**
 * kmcl_channel_attached() - a transport's attach is about to connect
 * @ch: the channel, state_mutex held (from the @attach op).
 *
 * Forgets a peer loss of the previous connection, as loopback's attach
 * does: what the transport reports from now on is about the new one.
 */
void kmcl_channel_attached(struct kmcl_channel *ch)
{
	unsigned long flags;

	lockdep_assert_held(&ch->state_mutex);
	spin_lock_irqsave(&ch->lock, flags);
	ch->peer_lost = false;
	spin_unlock_irqrestore(&ch->lock, flags);
}
EXPORT_SYMBOL_KMCL_NS(kmcl_channel_attached, KMCL_TRANSPORT);

/**
 * kmcl_channel_set_instance() - record the instance of the bound peer
 * @ch: the channel.
 * @instance: the offer's interface instance.
 *
 * What VmbChannelGetInterfaceInstance() reports from now on. Any context.
 */
void kmcl_channel_set_instance(struct kmcl_channel *ch,
			       const guid_t *instance)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	guid_copy(&ch->instance, instance);
	spin_unlock_irqrestore(&ch->lock, flags);
}
EXPORT_SYMBOL_KMCL_NS(kmcl_channel_set_instance, KMCL_TRANSPORT);

/**
 * kmcl_in_max_pktlen() - longest incoming packet the reader accepts
 * @ch: an enabled channel (kmcl_in_init() has run).
 *
 * Descriptor and headers included; a longer packet is rejected as
 * oversize. Transports that copy packets out of their ring size their
 * copy buffer from it.
 *
 * Return: the length in bytes.
 */
u32 kmcl_in_max_pktlen(struct kmcl_channel *ch)
{
	return READ_ONCE(ch->in.buf_size);
}
EXPORT_SYMBOL_KMCL_NS(kmcl_in_max_pktlen, KMCL_TRANSPORT);

/**
 * kmcl_ring_pages_for() - pages a ring needs for a sender's packets
 * @configured: page count the client asked for, 0 for the default.
 * @sender: configuration of the endpoint that writes the ring.
 *
 * As loopback sizes its rings: grown so that the sender's largest packet
 * fits twice, control page included, at most KMCL_MAX_RING_PAGES.
 *
 * Return: the page count.
 */
u32 kmcl_ring_pages_for(u32 configured,
			const struct kmcl_channel_config *sender)
{
	return kmcl_loopback_ring_pages(configured, sender);
}
EXPORT_SYMBOL_KMCL_NS(kmcl_ring_pages_for, KMCL_TRANSPORT);

/**
 * kmcl_channel_fail() - record a fatal protocol error on @ch
 * @ch: the channel.
 * @err: negative errno describing it.
 *
 * The packet code has already stopped its incoming queue. The first error
 * is kept (debugfs shows it) and logged. Any context; never sleeps.
 */
void kmcl_channel_fail(struct kmcl_channel *ch, int err)
{
	unsigned long flags;
	bool first;

	spin_lock_irqsave(&ch->lock, flags);
	first = !ch->fail_err;
	if (first)
		ch->fail_err = err ? err : -EPROTO;
	spin_unlock_irqrestore(&ch->lock, flags);
	if (first)
		pr_warn_ratelimited("channel %u (%s): incoming queue failed: %d\n",
				    ch->id, ch->cfg.friendly_name ?: "unnamed",
				    err);
}

/* Log misuse once per call site and report it. */
#define kmcl_misuse(ch, fmt, ...)					\
	pr_warn_once("channel %u: " fmt "\n", (ch)->id, ##__VA_ARGS__)

/* --- transports -------------------------------------------------------- */

/**
 * kmcl_transport_register() - make a transport available to new channels
 * @t: the transport, @t->ops (with @claim) and @t->owner set.
 *
 * Channels allocated afterwards may be served by it (see struct
 * kmcl_transport for the selection rule). Process context.
 *
 * Return: 0, -EINVAL without a claim op, -EEXIST if already registered.
 */
int kmcl_transport_register(struct kmcl_transport *t)
{
	struct kmcl_transport *other;
	int ret = 0;

	might_sleep();
	if (!t->ops || !t->ops->claim)
		return -EINVAL;
	mutex_lock(&kmcl_transports_lock);
	list_for_each_entry(other, &kmcl_transports, node) {
		if (other == t) {
			ret = -EEXIST;
			break;
		}
	}
	if (!ret)
		list_add_tail(&t->node, &kmcl_transports);
	mutex_unlock(&kmcl_transports_lock);
	return ret;
}
EXPORT_SYMBOL_KMCL_NS(kmcl_transport_register, KMCL_TRANSPORT);

/**
 * kmcl_transport_unregister() - no new channel may choose @t
 * @t: a registered transport.
 *
 * Channels it serves pin its owner module, so the usual caller (module
 * exit) finds none. Process context.
 */
void kmcl_transport_unregister(struct kmcl_transport *t)
{
	might_sleep();
	mutex_lock(&kmcl_transports_lock);
	list_del_init(&t->node);
	mutex_unlock(&kmcl_transports_lock);
}
EXPORT_SYMBOL_KMCL_NS(kmcl_transport_unregister, KMCL_TRANSPORT);

/*
 * Ask every registered transport about a new channel. Returns the winner
 * with its owner pinned, NULL for loopback, or ERR_PTR: a transport's
 * refusal, or -ENODEV if the winner is being unloaded.
 */
static struct kmcl_transport *kmcl_transport_pick(struct device *parent,
						  bool server)
{
	struct kmcl_transport *t, *best = NULL;
	int claim, best_claim = KMCL_CLAIM_NONE;

	if (parent == kmcl_loopback_parent())
		return NULL;
	mutex_lock(&kmcl_transports_lock);
	list_for_each_entry(t, &kmcl_transports, node) {
		claim = t->ops->claim(t, parent, server);
		if (claim < 0) {
			best = ERR_PTR(claim);
			goto out;
		}
		if (claim > best_claim) {
			best = t;
			best_claim = claim;
		}
	}
	if (best && !try_module_get(best->owner))
		best = ERR_PTR(-ENODEV);
out:
	mutex_unlock(&kmcl_transports_lock);
	return best;
}

/*
 * Choose the transport of a new channel (struct kmcl_transport), as
 * kmcl_transport_pick(). A client nobody claimed whose parent is not the
 * loopback's is meant for kmcl_hv: on a machine with a VMBus it is loaded
 * now (autoload.c) and asked too, so that load order does not matter.
 */
static struct kmcl_transport *kmcl_transport_select(struct device *parent,
						    bool server)
{
	struct kmcl_transport *t = kmcl_transport_pick(parent, server);

	if (t || server || parent == kmcl_loopback_parent())
		return t;
	if (!kmcl_autoload_hv(parent))
		return NULL;
	t = kmcl_transport_pick(parent, server);
	if (!t)
		pr_warn_ratelimited("client channel of %s: %s is loaded but did not claim it; it stays on the loopback VMBus\n",
				    dev_name(parent), KMCL_HV_MODULE);
	return t;
}

/* --- allocation and cleanup ------------------------------------------- */

static int kmcl_channel_setup(struct kmcl_channel *ch, struct device *parent,
			      bool server, bool caller_memory)
{
	struct kmcl_transport *xport;
	int ret;

	xport = kmcl_transport_select(parent, server);
	if (IS_ERR(xport))
		return PTR_ERR(xport);
	memset(ch, 0, sizeof(*ch));
	kmcl_sub_setup(ch);
	ch->id = atomic_inc_return(&kmcl_channel_ids);
	ch->wq = alloc_ordered_workqueue("kmcl-ch%u", 0, ch->id);
	if (!ch->wq) {
		ret = -ENOMEM;
		goto put;
	}
	ch->is_server = server;
	ch->caller_memory = caller_memory;
	ch->parent = parent;
	mutex_init(&ch->state_mutex);
	spin_lock_init(&ch->lock);
	INIT_WORK(&ch->state_work, kmcl_channel_state_work);
	kmcl_channel_config_defaults(&ch->cfg);
	ch->tops = xport ? xport->ops : &kmcl_loopback_ops;
	ch->xport = xport;
	kmcl_loopback_init_ep(ch);
	kmcl_packet_setup(ch);
	kmcl_shmem_setup(ch);
	if (ch->tops->setup) {
		ret = ch->tops->setup(ch);
		if (ret) {
			kmcl_shmem_destroy(ch);
			destroy_workqueue(ch->wq);
			mutex_destroy(&ch->state_mutex);
			goto put;
		}
	}
	atomic_inc(&kmcl_channels_live);
	WRITE_ONCE(ch->magic, KMCL_CHANNEL_MAGIC);
	return 0;
put:
	if (xport)
		module_put(xport->owner);
	return ret;
}

/**
 * kmcl_channel_alloc() - allocate a Disabled channel with defaults
 * @parent: the parent device (the driver's device).
 * @server: server endpoint (offers) rather than client (opens).
 *
 * The channel's transport is chosen here (struct kmcl_transport).
 * Process context.
 *
 * Return: the channel; ERR_PTR(-ENOMEM); ERR_PTR(-EOPNOTSUPP) if the
 * transport that owns @parent cannot serve this kind of endpoint;
 * ERR_PTR(-ENODEV) if that transport is being unloaded.
 */
struct kmcl_channel *kmcl_channel_alloc(struct device *parent, bool server)
{
	struct kmcl_channel *ch;
	int ret;

	might_sleep();
	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	ret = kmcl_channel_setup(ch, parent, server, false);
	if (ret) {
		kfree(ch);
		return ERR_PTR(ret);
	}
	return ch;
}

/**
 * kmcl_channel_size() - bytes kmcl_channel_init_mem() needs
 *
 * Return: the size of a channel object.
 */
size_t kmcl_channel_size(void)
{
	return sizeof(struct kmcl_channel);
}

/**
 * kmcl_channel_init_mem() - build a Disabled channel in caller memory
 * @parent: the parent device.
 * @server: server endpoint rather than client.
 * @mem: at least kmcl_channel_size() bytes, pointer-aligned.
 * @size: size of @mem.
 *
 * The caller frees @mem after kmcl_channel_cleanup(). Process context.
 *
 * Return: 0, -EINVAL if @mem is misaligned, -ENOSPC if @size is too small,
 * -ENOMEM, or a transport's refusal as for kmcl_channel_alloc().
 */
int kmcl_channel_init_mem(struct device *parent, bool server, void *mem,
			  size_t size)
{
	might_sleep();
	if (!IS_ALIGNED((unsigned long)mem, __alignof__(struct kmcl_channel)))
		return -EINVAL;
	if (size < sizeof(struct kmcl_channel))
		return -ENOSPC;
	return kmcl_channel_setup(mem, parent, server, true);
}

/**
 * kmcl_channel_cleanup() - dispose of a Disabled channel
 * @ch: the channel.
 *
 * Frees it if it was allocated by kmcl_channel_alloc(). Refused (and logged
 * once) if the channel is not Disabled or the caller is one of its state
 * callbacks. Process context.
 *
 * Return: 0, or -EBUSY if refused.
 */
int kmcl_channel_cleanup(struct kmcl_channel *ch)
{
	struct kmcl_transport *xport;

	might_sleep();
	if (kmcl_channel_in_callback(ch)) {
		kmcl_misuse(ch, "VmbChannelCleanup from its own state callback");
		return -EBUSY;
	}
	mutex_lock(&ch->state_mutex);
	if (ch->state != KMCL_CH_DISABLED) {
		mutex_unlock(&ch->state_mutex);
		kmcl_misuse(ch, "VmbChannelCleanup on a channel that is %s, not disabled",
			    kmcl_channel_state_name(ch->state));
		return -EBUSY;
	}
	if (kmcl_sub_may_cleanup(ch)) {
		mutex_unlock(&ch->state_mutex);
		kmcl_misuse(ch, "VmbChannelCleanup on a primary before its subchannels");
		return -EBUSY;
	}
	WRITE_ONCE(ch->magic, KMCL_CHANNEL_MAGIC_DEAD);
	mutex_unlock(&ch->state_mutex);
	kmcl_sub_forget(ch);

	cancel_work_sync(&ch->state_work);
	kmcl_save_destroy(ch);
	if (ch->resources) {
		kmcl_out_destroy(ch);
		kmcl_in_destroy(ch);
	}
	destroy_workqueue(ch->wq);
	kmcl_shmem_destroy(ch);
	kmcl_bounce_destroy(ch);
	kmcl_debugfs_remove(ch);
	if (ch->tops->teardown)
		ch->tops->teardown(ch);
	kmcl_channel_config_release(&ch->cfg);
	mutex_destroy(&ch->state_mutex);
	atomic_dec(&kmcl_channels_live);
	xport = ch->xport;
	if (!ch->caller_memory)
		kfree(ch);
	if (xport)
		module_put(xport->owner);
	return 0;
}

/**
 * kmcl_channel_live_count() - channels allocated and not yet cleaned up
 *
 * Return: the number.
 */
int kmcl_channel_live_count(void)
{
	return atomic_read(&kmcl_channels_live);
}

/* --- enable / disable / start / pause --------------------------------- */

/**
 * kmcl_channel_enable() - Disabled -> Enabled: offer, or accept or wait
 * @ch: the channel.
 *
 * Returns without waiting for the peer; Opened follows from the state work.
 * A client becomes active (started) unless Pause was called while Disabled;
 * a server stays paused until kmcl_channel_start(). Process context.
 *
 * Return: 0; -EBUSY if not Disabled or called from a state callback;
 * -EINVAL if the target (client) or interface id (server) was never set;
 * a subchannel: -EBADFD if its primary is not open, -EINVAL or -EEXIST as
 * kmcl_sub_may_enable(); -EEXIST if the same type and instance are
 * already offered; -ENOMEM.
 */
int kmcl_channel_enable(struct kmcl_channel *ch)
{
	struct kmcl_channel *primary;
	unsigned long flags;
	int ret;

	might_sleep();
	if (kmcl_channel_in_callback(ch)) {
		kmcl_misuse(ch, "VmbChannelEnable from its own state callback");
		return -EBUSY;
	}
	primary = kmcl_sub_lock(ch);
	if (ch->state != KMCL_CH_DISABLED) {
		ret = -EBUSY;
		goto out;
	}
	/* A client's target is checked by the transport (parent-bound ones). */
	if (ch->is_server && !ch->cfg.has_offer && !ch->cfg.primary) {
		ret = -EINVAL;
		goto out;
	}
	ret = kmcl_sub_may_enable(ch, primary);
	if (ret)
		goto out;
	ret = kmcl_affinity_enable(ch);
	if (!ret)
		ret = kmcl_bounce_enable(ch);
	if (!ret)
		ret = kmcl_out_init(ch);
	if (!ret)
		ret = kmcl_in_init(ch);
	if (ret)
		goto out;
	ch->resources = true;

	ch->started = !ch->is_server && !ch->pause_on_enable;
	if (primary)	/* a subchannel runs when its primary does */
		ch->started = primary->started && !ch->pause_on_enable;
	ch->pause_on_enable = false;
	ch->running = false;
	spin_lock_irqsave(&ch->lock, flags);
	ch->open = false;
	ch->peer_lost = false;
	ch->reopen = false;
	ch->fail_err = 0;
	if (primary)
		ch->instance = primary->instance;
	else if (ch->is_server)
		ch->instance = ch->cfg.offer_instance;
	else if (ch->cfg.any_instance)
		ch->instance = guid_null;
	else
		ch->instance = ch->cfg.target_instance;
	spin_unlock_irqrestore(&ch->lock, flags);

	kmcl_channel_set_state(ch, KMCL_CH_ENABLED);
	kmcl_debugfs_add(ch);
	ret = ch->tops->enable(ch);
	if (ret)
		kmcl_channel_to_disabled(ch);
	else
		kmcl_sub_enabled(ch);
out:
	kmcl_sub_unlock(ch, primary);
	return ret;
}

/**
 * kmcl_channel_disable() - close (client) or rescind (server) and disable
 * @ch: the channel.
 *
 * Blocks until the channel is paused and closed: if it was running,
 * Suspend has run and every delivered packet was completed; if it was
 * open, every outgoing packet was completed and Closed has run. A no-op on
 * a Disabled channel. Process context.
 *
 * Return: 0, or -EBUSY if called from one of the channel's state callbacks.
 */
int kmcl_channel_disable(struct kmcl_channel *ch)
{
	struct kmcl_channel *primary;

	might_sleep();
	if (kmcl_channel_in_callback(ch)) {
		kmcl_misuse(ch, "VmbChannelDisable from its own state callback");
		return -EBUSY;
	}
	primary = kmcl_sub_lock(ch);
	kmcl_channel_disable_locked(ch);
	kmcl_sub_unlock(ch, primary);
	return 0;
}

/**
 * kmcl_channel_disable_locked() - the body of kmcl_channel_disable()
 * @ch: the channel, state_mutex held.
 *
 * Also how a primary's close disables its subchannels. Process context.
 */
void kmcl_channel_disable_locked(struct kmcl_channel *ch)
{
	lockdep_assert_held(&ch->state_mutex);
	if (ch->state == KMCL_CH_DISABLED)
		return;
	ch->tops->withdraw(ch);
	if (ch->state == KMCL_CH_OPENED) {
		kmcl_channel_close(ch, true);
	} else {
		kmcl_subs_close(ch);
		ch->tops->disconnect(ch);
		ch->tops->release(ch);
		kmcl_out_close(ch);
		kmcl_channel_to_disabled(ch);
	}
}

/**
 * kmcl_channel_start() - leave the paused state
 * @ch: the channel.
 *
 * If the channel is open, runs Started, turns the incoming queue on and
 * runs PostStarted before returning; otherwise they run when it opens.
 * Process context; not from the channel's state callbacks.
 *
 * Return: 0; -EBUSY from a state callback; -EINVAL on a Disabled channel
 * (nothing happens).
 */
int kmcl_channel_start(struct kmcl_channel *ch)
{
	int ret = 0;

	might_sleep();
	if (kmcl_channel_in_callback(ch)) {
		kmcl_misuse(ch, "VmbChannelStart from its own state callback");
		return -EBUSY;
	}
	mutex_lock(&ch->state_mutex);
	if (ch->state == KMCL_CH_DISABLED) {
		kmcl_misuse(ch, "VmbChannelStart before VmbChannelEnable");
		ret = -EINVAL;
	} else {
		kmcl_channel_start_locked(ch);
		kmcl_subs_follow(ch);
	}
	mutex_unlock(&ch->state_mutex);
	return ret;
}

/**
 * kmcl_channel_start_locked() - the body of kmcl_channel_start()
 * @ch: an enabled channel, state_mutex held.
 */
void kmcl_channel_start_locked(struct kmcl_channel *ch)
{
	ch->started = true;
	if (ch->state == KMCL_CH_OPENED && !ch->running &&
	    !kmcl_channel_peer_gone(ch))
		kmcl_channel_run(ch);
}

/**
 * kmcl_channel_pause() - enter the paused state
 * @ch: the channel.
 *
 * On a running channel: the incoming queue stops, Suspend runs, and the call
 * returns once the driver completed every delivered packet. On a Disabled
 * channel: the next enable leaves the channel paused. Process context; not
 * from the channel's state callbacks.
 *
 * Return: 0, or -EBUSY from a state callback or while a save holds the
 * channel (kmcl_save_begin() .. kmcl_save_end()).
 */
int kmcl_channel_pause(struct kmcl_channel *ch)
{
	might_sleep();
	if (kmcl_channel_in_callback(ch)) {
		kmcl_misuse(ch, "VmbChannelPause from its own state callback");
		return -EBUSY;
	}
	mutex_lock(&ch->state_mutex);
	if (kmcl_save_busy(ch)) {
		mutex_unlock(&ch->state_mutex);
		kmcl_misuse(ch, "VmbChannelPause during a save (before VmbChannelSaveEnd)");
		return -EBUSY;
	}
	if (ch->state == KMCL_CH_DISABLED) {
		ch->pause_on_enable = true;
	} else {
		ch->started = false;
		kmcl_subs_follow(ch);
		kmcl_channel_pause_locked(ch);
	}
	mutex_unlock(&ch->state_mutex);
	return 0;
}

/**
 * kmcl_channel_pause_locked() - the body of kmcl_channel_pause()
 * @ch: an enabled channel, state_mutex held.
 */
void kmcl_channel_pause_locked(struct kmcl_channel *ch)
{
	ch->started = false;
	kmcl_channel_stop(ch);
}

/* --- queries ----------------------------------------------------------- */

/**
 * kmcl_channel_get_instance() - the channel's interface instance
 * @ch: the channel.
 * @instance: filled with the instance of the connection (client), the
 *	offered instance (server), the configured one, or all zeroes.
 *
 * Any context.
 */
void kmcl_channel_get_instance(struct kmcl_channel *ch, guid_t *instance)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	*instance = ch->instance;
	spin_unlock_irqrestore(&ch->lock, flags);
	if (guid_is_null(instance) && READ_ONCE(ch->state) == KMCL_CH_DISABLED)
		*instance = ch->is_server ? ch->cfg.offer_instance :
			    ch->cfg.target_instance;
}

/**
 * kmcl_channel_set_interrupt_latency() - store the notification latency
 * @ch: the channel.
 * @latency: new latency in 100 ns units.
 * @old: receives the previous value.
 *
 * Valid from Opened to Closed inclusive (also inside those callbacks).
 * Loopback signals at once, so the value is kept and reported only; a
 * transport with a set_latency op is told. Process context.
 *
 * Return: 0; -EBUSY outside that window; -EOPNOTSUPP if the transport
 * cannot change how it notifies the peer (nothing is changed).
 */
int kmcl_channel_set_interrupt_latency(struct kmcl_channel *ch, u16 latency,
				       u16 *old)
{
	enum kmcl_channel_state state = READ_ONCE(ch->state);
	unsigned long flags;
	int ret;

	if (state != KMCL_CH_OPENED && state != KMCL_CH_CLOSING &&
	    !(kmcl_channel_in_callback(ch) && state != KMCL_CH_DISABLED))
		return -EBUSY;
	if (ch->tops->set_latency) {
		ret = ch->tops->set_latency(ch, latency);
		if (ret)
			return ret;
	}
	spin_lock_irqsave(&ch->lock, flags);
	*old = ch->interrupt_latency;
	ch->interrupt_latency = latency;
	spin_unlock_irqrestore(&ch->lock, flags);
	return 0;
}

/**
 * kmcl_channel_mmio_space() - the MMIO range reserved for the connection
 * @ch: the channel.
 * @addr: receives its guest physical address, 0 if none.
 * @size: receives its size in bytes, 0 if none.
 *
 * Any context.
 */
void kmcl_channel_mmio_space(struct kmcl_channel *ch, u64 *addr, u64 *size)
{
	*addr = 0;
	*size = 0;
	if (ch->tops->mmio_space)
		ch->tops->mmio_space(ch, addr, size);
}

/**
 * kmcl_channel_target_device() - the device standing for the peer
 * @ch: the channel.
 *
 * Return: the transport's device for the channel's target.
 */
struct device *kmcl_channel_target_device(struct kmcl_channel *ch)
{
	return ch->tops->target_device(ch);
}
