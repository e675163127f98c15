/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KMCL core: the channel object, its configuration, its state machine and
 * the seam between the channel code (channel*.c, loopback.c, debugfs.c)
 * and the packet code (packet.c, incoming.c, sync.c, txid.c).
 *
 * Object model
 * ------------
 * A struct kmcl_channel is one endpoint of a VMBus channel: a server endpoint
 * (offers an interface type + instance) or a client endpoint (opens an
 * offer). It is created Disabled by kmcl_channel_alloc() (heap) or
 * kmcl_channel_init_mem() (caller memory), configured with the
 * kmcl_channel_set_*() setters, then enabled. It lives until
 * kmcl_channel_cleanup(), which requires the Disabled state. The channel
 * embeds everything the per-packet paths need (rings, struct kmcl_out,
 * struct kmcl_in), so nothing is allocated while packets flow.
 *
 * Lifetime axis (enum kmcl_channel_state):
 *
 *   DISABLED --enable--> ENABLED --peer connected, Opened ok--> OPENED
 *      ^                   ^  |                                   |
 *      |                   |  +----disable------------------------+--> DISABLED
 *      |                   |                                      |
 *      |                   +-- (server) CLOSED <--peer closed-----+
 *      +---------------------- (client)         <--peer closed----+
 *
 *  - A server whose client went away is CLOSED: its offer stays up and the
 *    next matching client opens it again (Opened runs again).
 *  - A client whose channel was closed by the server (rescind) or failed to
 *    open goes back to DISABLED and must be enabled again.
 *  - CLOSING is transient: the close sequence below is running.
 *
 * Run axis (independent): @started says whether the driver wants the channel
 * active (Start) or paused (Pause); @running says whether the start
 * sequence has actually run (Started callback, incoming queue on). A client
 * is started implicitly by enable; a server only by kmcl_channel_start().
 * Pause on a Disabled channel arms @pause_on_enable: the next enable leaves
 * the channel paused.
 *
 * State-callback order (what the driver sees, every transport)
 * ------------------------------------------------------------
 * Open (server first, then client - the client's Opened means "the server
 * accepted"):
 *   1. Opened. On failure: Closed, then the channel is back to no traffic
 *      (client: DISABLED and, on the client, a server refusal is reported by
 *      PnpFailure instead of Opened; server: CLOSED).
 *   2. if started: Started; incoming queue on (kmcl_in_start()); PostStarted.
 * Start on an open, paused channel: step 2.
 * Pause on a running channel: incoming queue off (kmcl_in_stop()), Suspend,
 *   then wait until every delivered incoming packet is completed
 *   (kmcl_in_wait_idle()).
 * Close (local disable, peer close, rescind):
 *   1. if running: the pause sequence (Suspend).
 *   2. the transport is disconnected (the peer is told); once the peer
 *      released every packet with external data it accepted from us, or
 *      can no longer reach its memory (kmcl_ext_quiesce(); hv closes the
 *      VMBus channel there, after the packet code left the rings:
 *      kmcl_out_stop()), outgoing packets are completed
 *      (kmcl_out_close()).
 *   3. Closed.
 *   4. GPADLs the driver left are deleted (client) or unmapped (server):
 *      kmcl_shmem_close(), see shmem.h.
 * Callbacks of one channel never run concurrently with each other. State
 * callbacks run in process context (a work item on system_unbound_wq, or
 * the thread that called enable/start/pause/disable), with the channel's
 * @state_mutex held: a state callback must not call enable, disable, start,
 * pause or cleanup on its own channel (refused, logged once) and should not
 * call them on another channel.
 *
 * Locking (outer to inner)
 * ------------------------
 *   ch->state_mutex       lifetime/run state, cfg, callbacks sequencing
 *     sub->state_mutex    a subchannel's, inside its primary's
 *                         (SINGLE_DEPTH_NESTING; subchan.c)
 *     kmcl_lb_lock        loopback offer/wait lists and bindings (mutex)
 *       link->lock        loopback connection endpoints (spinlock, BH off)
 *         ch->lock        @open, @peer_lost, @instance (spinlock, irqsave)
 *         packet locks    struct kmcl_out / kmcl_in locks (packet.h)
 *         shmem locks     GPADL table and mappings (shmem.h)
 * The packet code must not hold its own locks when it calls
 * kmcl_channel_signal_peer(), because that runs the peer's
 * kmcl_in_notify()/kmcl_out_notify() under link->lock. ch->lock is taken
 * with spin_lock_irqsave() so that kmcl_channel_fail() works anywhere.
 *
 * Context of each function: see its kernel-doc. "Process context" means it
 * may sleep and starts with might_sleep().
 */
#ifndef _KMCL_KMCL_H
#define _KMCL_KMCL_H

#include <linux/export.h>
#include <linux/kconfig.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uuid.h>
#include <linux/workqueue.h>

#include "core_compat.h"
#include "ring.h"
#include "shmem.h"
#include "transport.h"
#include "wire.h"

struct dentry;
struct device;
struct kmcl_channel;
struct kmcl_in_packet;
struct kmcl_packet;
struct kmcl_save_state;
struct module;
struct task_struct;

/*
 * Internal symbols that the KUnit module (kmcl_kunit.ko) needs. Not part of
 * the API: a separate namespace keeps them out of users' reach by accident.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#define KMCL_EXPORT_FOR_TESTS(sym) EXPORT_SYMBOL_KMCL_NS(sym, KMCL_INTERNAL)
#else
#define KMCL_EXPORT_FOR_TESTS(sym) __ADDRESSABLE(sym)
#endif

/* Handle magics: a live channel, and one that was cleaned up. */
#define KMCL_CHANNEL_MAGIC	0x4b4d4348U	/* "KMCH" */
#define KMCL_CHANNEL_MAGIC_DEAD	0x6b6d6368U	/* "kmch" */

/* Defaults and limits of the configuration (documented in the API docs). */
#define KMCL_DEFAULT_MAX_PACKET_SIZE	4096U
#define KMCL_DEFAULT_MAX_PACKET_COUNT	64U
#define KMCL_MAX_PACKET_COUNT		4096U
/* Ring MTU that KMCL documents for every ring: the packet must stay below. */
#define KMCL_MAX_PACKET_SIZE		524280U
/* Ring page counts include the 4 KiB control page of each ring. */
#define KMCL_DEFAULT_RING_PAGES		16U
#define KMCL_MIN_RING_PAGES		2U
#define KMCL_MAX_RING_PAGES		2048U
#define KMCL_MAX_FRIENDLY_NAME		64U
/* Highest virtual trust level Hyper-V defines. */
#define KMCL_MAX_VTL			15U

/* VmbChannelInitSetFlags bits (values fixed by the Windows header). */
#define KMCL_CH_FLAG_PIPE		0x1U
#define KMCL_CH_FLAGS_ALL		0x1U
/* VmbServerChannelInitSetFlags bits. */
#define KMCL_SRV_FLAG_LOOPBACK_OFFER	0x1U
#define KMCL_SRV_FLAG_ENUMERATE_IFACE	0x2U
#define KMCL_SRV_FLAG_OFFER_AS_PIPE	0x4U
#define KMCL_SRV_FLAG_FORCE_NEW_CHANNEL	0x8U
#define KMCL_SRV_FLAG_TLNPI_PROVIDER	0x10U
#define KMCL_SRV_FLAGS_ALL		0x1fU

/**
 * enum kmcl_channel_state - lifetime axis of a channel
 * @KMCL_CH_DISABLED: configurable; the only state in which setters work.
 * @KMCL_CH_ENABLED: offered (server) or accepting/waiting (client).
 * @KMCL_CH_OPENED: Opened succeeded; rings connected.
 * @KMCL_CH_CLOSING: the close sequence is running.
 * @KMCL_CH_CLOSED: server only: the client closed; the offer stays up.
 */
enum kmcl_channel_state {
	KMCL_CH_DISABLED,
	KMCL_CH_ENABLED,
	KMCL_CH_OPENED,
	KMCL_CH_CLOSING,
	KMCL_CH_CLOSED,
};

/**
 * struct kmcl_state_cb_ops - calls into the driver's state callbacks
 * @opened: EvtChannelOpened; returns 0 or a negative errno.
 * @closed: EvtChannelClosed.
 * @suspend: EvtChannelSuspend.
 * @started: EvtChannelStarted.
 * @post_started: EvtChannelPostStarted.
 *
 * Provided by the API boundary, which knows the driver's calling
 * convention (plain or Ex); each op finds the driver's function and context
 * in struct kmcl_channel_config. An op must cope with a driver function
 * that was not registered (optional callbacks).
 */
struct kmcl_state_cb_ops {
	int (*opened)(struct kmcl_channel *ch);
	void (*closed)(struct kmcl_channel *ch);
	void (*suspend)(struct kmcl_channel *ch);
	void (*started)(struct kmcl_channel *ch);
	void (*post_started)(struct kmcl_channel *ch);
};

/**
 * struct kmcl_save_cb_ops - calls into the driver's save/restore callbacks
 * @save: EvtChannelSavePacket for the incoming packet @pkt (its
 *	VMBPACKETCOMPLETION handle); 0 or a negative errno, with *@needed set
 *	when the driver wants a buffer of that size.
 * @restore: EvtChannelRestorePacket; 0 or negative errno.
 */
struct kmcl_save_cb_ops {
	int (*save)(struct kmcl_channel *ch, void *pkt,
		    void *buf, u32 size, u32 *needed);
	int (*restore)(struct kmcl_channel *ch, void *lib, u32 lib_size,
		       void *buf, u32 size);
};

/* Indexes into struct kmcl_channel_config.state_fn[]. */
enum kmcl_state_fn {
	KMCL_FN_OPENED,
	KMCL_FN_CLOSED,
	KMCL_FN_SUSPEND,
	KMCL_FN_STARTED,
	KMCL_FN_POST_STARTED,
	KMCL_FN_STATE_COUNT,
};

/**
 * struct kmcl_channel_config - everything the init-phase setters store
 * @max_packet_size: largest in-band payload the driver sends.
 * @max_packet_count: outgoing packets in flight at once (lookaside size).
 * @inline_context_size: per outgoing packet driver area (V5).
 * @client_context_size: per incoming packet driver area.
 * @max_ext_data: largest external-data buffer, 0 = not set.
 * @max_ext_chain: longest incoming MDL chain, 0 = not set.
 * @flags: KMCL_CH_FLAG_* bits.
 * @bounce_initial: bounce pool sizes (bounce.h; used when isolated).
 * @bounce_increment: see @bounce_initial.
 * @bounce_max: see @bounce_initial.
 * @ring_in_pages: client: pages of the ring the client reads, 0 = default.
 * @ring_out_pages: client: pages of the ring the client writes, 0 = default.
 * @target_cpu: client: CPU for incoming processing, -1 = any.
 * @dpc_cpu_percent: share of a 2 ms window one softirq batch may run
 *	(1..100, default 100: the whole window, a cap all the same); runtime
 *	setting, written with WRITE_ONCE in any state.
 * @has_target: client: @target_type (and maybe @target_instance) set.
 * @any_instance: client: accept any instance of @target_type.
 * @target_type: client: interface type to open.
 * @target_instance: client: instance to open, unless @any_instance.
 * @has_offer: server: @offer_type and @offer_instance set.
 * @offer_type: server: interface type offered.
 * @offer_instance: server: interface instance offered.
 * @server_flags: server: KMCL_SRV_FLAG_* bits.
 * @target_vtl: server: VTL the offer is for (0 on loopback).
 * @mmio_mb: server: MMIO megabytes suggested to the guest.
 * @mmio_mb_optional: server: optional MMIO megabytes.
 * @friendly_name: kstrdup'ed name, NULL if none.
 * @primary: subchannel's primary channel, NULL for a primary.
 * @subchannel_index: subchannel index (> 0) when @primary is set.
 * @state_ops: boundary trampolines for @state_fn, NULL until registered.
 * @state_fn: the driver's state callbacks (opaque to the core).
 * @state_ctx: their context (Ex registration).
 * @pnp_failure_fn: the driver's PnpFailure callback (opaque), or NULL.
 * @pnp_failure_call: boundary trampoline that calls @pnp_failure_fn with
 *	the reason as a negative errno.
 * @process_packet: the driver's ProcessPacket (opaque; the packet code's
 *	API boundary calls it), NULL if none registered.
 * @processing_complete: the driver's ProcessingComplete, or NULL.
 * @process_ctx: their context (Ex registration).
 * @process_ex: registered with the Ex setter (context-passing ABI).
 * @save_ops: boundary trampolines for @save_fn, NULL until registered.
 * @save_fn: the driver's SavePacket and RestorePacket (opaque).
 * @save_ctx: their context (Ex registration).
 *
 * Written only while the channel is Disabled, under @state_mutex; read
 * without a lock by every path once the channel is enabled (it cannot
 * change then). The @*_fn members hold function pointers in the driver's
 * own calling convention; only the matching @*_ops may call them.
 */
struct kmcl_channel_config {
	u32 max_packet_size;
	u32 max_packet_count;
	u32 inline_context_size;
	u32 client_context_size;
	u32 max_ext_data;
	u32 max_ext_chain;
	u32 flags;
	u32 bounce_initial;
	u32 bounce_increment;
	u32 bounce_max;
	u32 ring_in_pages;
	u32 ring_out_pages;
	int target_cpu;
	u8 dpc_cpu_percent;

	bool has_target;
	bool any_instance;
	guid_t target_type;
	guid_t target_instance;

	bool has_offer;
	guid_t offer_type;
	guid_t offer_instance;
	u32 server_flags;
	u8 target_vtl;
	u16 mmio_mb;
	u16 mmio_mb_optional;

	const char *friendly_name;
	struct kmcl_channel *primary;
	u16 subchannel_index;

	const struct kmcl_state_cb_ops *state_ops;
	void *state_fn[KMCL_FN_STATE_COUNT];
	void *state_ctx;
	void *pnp_failure_fn;
	void (*pnp_failure_call)(struct kmcl_channel *ch, int err);

	void *process_packet;
	void *processing_complete;
	void *process_ctx;
	bool process_ex;

	const struct kmcl_save_cb_ops *save_ops;
	void *save_fn[2];
	void *save_ctx;
};

/*
 * packet.h (the packet code) defines struct kmcl_out and struct kmcl_in,
 * which the channel embeds; it may use the forward declarations above.
 */
#include "packet.h"

/**
 * struct kmcl_stats - the per-channel counters shown in debugfs
 * @sent: outgoing packets written to the ring.
 * @completed: outgoing packets completed (any status).
 * @received: incoming packets delivered to the driver.
 * @completions_sent: completion packets written for incoming packets.
 * @rejected: incoming packets refused as malformed or hostile.
 * @queued: outgoing packets that had to wait for ring space.
 * @quota_blocked: times the incoming queue stopped on the quota.
 * @ext_sent: of @sent, packets that lent memory (external data).
 * @ext_received: of @received, packets with external data.
 * @ext_rejected: of @rejected, external data beyond this endpoint's limits
 *	or not described by the sender.
 * @ext_dropped: packets with external data dropped because their sender
 *	had gone away.
 * @lent_waits: synchronous requests with external data that timed out while
 *	the peer held their memory, and waited for it to come back.
 * @comp_late: late (or repeated) completions of synchronous requests that
 *	may have been cancelled, dropped.
 * @rejected_oversize: rejected packets, by reason: too long;
 * @rejected_malformed: malformed;
 * @rejected_type: of an unknown type;
 * @rejected_bad_id: completions with an id never sent or already answered;
 * @rejected_ext_limits: external data beyond the receiver's limits;
 * @rejected_ext_data: external data the sender never described.
 * @budget_yields: reader runs that stopped at their budget and requeued.
 * @dpc_capped: DPC budget windows in which softirq delivery hit the cap
 *	and moved on in process context.
 * @in_objs: incoming pool objects built so far;
 * @in_max: the most it may build (max_packet_count at enable);
 * @in_grows: chunks of objects added;
 * @in_grow_failed: growths that could not allocate (retried);
 * @in_pool_blocked: reader stops with every object in use.
 */
struct kmcl_stats {
	u64 sent;
	u64 completed;
	u64 received;
	u64 completions_sent;
	u64 rejected;
	u64 queued;
	u64 quota_blocked;
	u64 ext_sent;
	u64 ext_received;
	u64 ext_rejected;
	u64 ext_dropped;
	u64 lent_waits;
	u64 comp_late;
	u64 rejected_oversize;
	u64 rejected_malformed;
	u64 rejected_type;
	u64 rejected_bad_id;
	u64 rejected_ext_limits;
	u64 rejected_ext_data;
	u64 budget_yields;
	u64 dpc_capped;
	u32 in_objs;
	u32 in_max;
	u64 in_grows;
	u64 in_grow_failed;
	u64 in_pool_blocked;
};

/**
 * struct kmcl_channel - one endpoint of a channel
 * @magic: KMCL_CHANNEL_MAGIC while the handle is valid.
 * @is_server: server endpoint (offers) rather than client (opens).
 * @caller_memory: lives in caller memory (kmcl_channel_init_mem()).
 * @resources: kmcl_out_init()/kmcl_in_init() have succeeded once.
 * @id: unique number, for names.
 * @parent: the ParentDeviceObject given at allocation.
 * @context: driver pointer (VmbChannelSetPointer).
 * @state_mutex: serialises enable/disable/start/pause, the state work and
 *	the setters; held while state callbacks run.
 * @state: lifetime state; written under @state_mutex, read with READ_ONCE.
 * @started: run axis: the driver wants the channel active. @state_mutex.
 * @running: Started ran and the incoming queue is on. @state_mutex.
 * @pause_on_enable: Pause was called while Disabled. @state_mutex.
 * @cb_task: task running a state callback of this channel, or NULL.
 * @state_work: runs transport events (connect, peer close) in process
 *	context on system_unbound_wq.
 * @wq: ordered workqueue for the packet code (passive processing,
 *	deferrals). Never runs state callbacks.
 * @lock: protects @open, @peer_lost, @reopen and @instance.
 * @open: rings usable for traffic (kmcl_channel_is_open()).
 * @peer_lost: the transport lost the peer since the last attach.
 * @reopen: the peer loss is temporary (kmcl_channel_peer_lost_reopen()):
 *	a client goes back to Enabled, not Disabled, after the close.
 * @fail_err: first error passed to kmcl_channel_fail(), 0 if none.
 * @interrupt_latency: value of VmbChannelSetInterruptLatency (100 ns).
 * @instance: the instance GUID of the connection (or configured one).
 * @in_ring: ring this endpoint reads.
 * @out_ring: ring this endpoint writes.
 * @out: outgoing packet state (packet.h).
 * @in: incoming packet state (packet.h).
 * @tops: the transport serving this channel.
 * @xport: the registered transport serving it, NULL for loopback.
 * @tpriv: that transport's per-channel state (its @setup op).
 * @lb: loopback transport state.
 * @shm: GPADLs (shmem.h).
 * @isolated: the transport said at enable that the peer sees only memory
 *	shared on purpose (bounce.h).
 * @bounce: the bounce pool, NULL until an isolated channel needs one.
 * @bounce_warned: bit 0: a send without a pool was logged.
 * @cfg: configuration from the setters.
 * @debugfs: debugfs directory while enabled, or NULL.
 * @sr: server save/restore state (save.c), NULL when none is under way.
 * @subs: primary: its subchannels that were enabled (subchan.c), on
 *	their @sub_node; the primary's @state_mutex.
 * @sub_node: subchannel: on its primary's @subs, or empty.
 * @sub_refs: primary: channels that name it as their primary; it cannot be
 *	cleaned up before them.
 */
struct kmcl_channel {
	u32 magic;
	bool is_server;
	bool caller_memory;
	bool resources;
	u32 id;
	struct device *parent;
	void *context;

	struct mutex state_mutex;	/* see the locking notes above */
	enum kmcl_channel_state state;
	bool started;
	bool running;
	bool pause_on_enable;
	struct task_struct *cb_task;
	struct work_struct state_work;
	struct workqueue_struct *wq;

	spinlock_t lock;		/* @open, @peer_lost, @reopen, @instance */
	bool open;
	bool peer_lost;
	bool reopen;
	int fail_err;
	u16 interrupt_latency;
	guid_t instance;

	struct kmcl_ring in_ring;
	struct kmcl_ring out_ring;
	struct kmcl_out out;
	struct kmcl_in in;

	const struct kmcl_transport_ops *tops;
	struct kmcl_transport *xport;
	void *tpriv;
	struct kmcl_lb_ep lb;
	struct kmcl_shmem shm;
	bool isolated;
	struct kmcl_bounce *bounce;
	unsigned long bounce_warned;

	struct kmcl_channel_config cfg;
	struct dentry *debugfs;
	struct kmcl_save_state *sr;

	struct list_head subs;
	struct list_head sub_node;
	atomic_t sub_refs;
};

/* Handle <-> object. A NULL or non-channel handle gives NULL. */
static inline struct kmcl_channel *kmcl_channel_from_handle(const void *h)
{
	struct kmcl_channel *ch = (struct kmcl_channel *)h;

	if (!ch || READ_ONCE(ch->magic) != KMCL_CHANNEL_MAGIC)
		return NULL;
	return ch;
}

static inline void *kmcl_channel_to_handle(struct kmcl_channel *ch)
{
	return ch;
}

/* channel.c: lifetime and state machine (process context unless noted). */
struct kmcl_channel *kmcl_channel_alloc(struct device *parent, bool server);
int kmcl_channel_init_mem(struct device *parent, bool server, void *mem,
			  size_t size);
size_t kmcl_channel_size(void);
int kmcl_channel_live_count(void);
int kmcl_channel_cleanup(struct kmcl_channel *ch);
int kmcl_channel_enable(struct kmcl_channel *ch);
int kmcl_channel_disable(struct kmcl_channel *ch);
int kmcl_channel_start(struct kmcl_channel *ch);
int kmcl_channel_pause(struct kmcl_channel *ch);
enum kmcl_channel_state kmcl_channel_state(const struct kmcl_channel *ch);
const char *kmcl_channel_state_name(enum kmcl_channel_state state);
void kmcl_channel_get_instance(struct kmcl_channel *ch, guid_t *instance);
int kmcl_channel_set_interrupt_latency(struct kmcl_channel *ch, u16 latency,
				       u16 *old);
struct device *kmcl_channel_target_device(struct kmcl_channel *ch);
void kmcl_channel_mmio_space(struct kmcl_channel *ch, u64 *addr, u64 *size);
bool kmcl_channel_in_callback(struct kmcl_channel *ch);
void kmcl_channel_kick(struct kmcl_channel *ch);
void kmcl_channel_peer_lost(struct kmcl_channel *ch);

/* channel_init.c: init-phase setters; -EBUSY unless Disabled. */
int kmcl_channel_set_max_packet_size(struct kmcl_channel *ch, u32 size);
int kmcl_channel_set_max_packet_count(struct kmcl_channel *ch, u32 count);
int kmcl_channel_set_inline_context_size(struct kmcl_channel *ch, u32 size);
int kmcl_channel_set_client_context_size(struct kmcl_channel *ch, u32 size);
int kmcl_channel_set_max_external_data(struct kmcl_channel *ch, u32 size,
				       u32 chain);
int kmcl_channel_set_bounce_sizes(struct kmcl_channel *ch, u32 initial,
				  u32 increment, u32 max);
int kmcl_channel_set_flags(struct kmcl_channel *ch, u32 flags);
int kmcl_channel_set_friendly_name(struct kmcl_channel *ch, const char *name);
int kmcl_channel_set_primary(struct kmcl_channel *ch,
			     struct kmcl_channel *primary, u16 index);
int kmcl_channel_set_state_callbacks(struct kmcl_channel *ch,
				     const struct kmcl_state_cb_ops *ops,
				     void *const fn[KMCL_FN_STATE_COUNT],
				     void *ctx);
int kmcl_channel_set_packet_callbacks(struct kmcl_channel *ch, bool ex,
				      void *process, void *complete,
				      void *ctx);
int kmcl_client_set_ring_pages(struct kmcl_channel *ch, u32 in_pages,
			       u32 out_pages);
int kmcl_client_set_target(struct kmcl_channel *ch, const guid_t *type,
			   const guid_t *instance, void *pnp_failure,
			   void (*call)(struct kmcl_channel *ch, int err));
int kmcl_client_set_target_cpu(struct kmcl_channel *ch, u32 cpu);
int kmcl_server_set_flags(struct kmcl_channel *ch, u32 flags);
int kmcl_server_set_interface_id(struct kmcl_channel *ch, const guid_t *type,
				 const guid_t *instance);
int kmcl_server_set_target_vtl(struct kmcl_channel *ch, u8 vtl);
int kmcl_server_set_mmio(struct kmcl_channel *ch, u16 mb, u16 mb_optional);
int kmcl_server_set_save_callbacks(struct kmcl_channel *ch,
				   const struct kmcl_save_cb_ops *ops,
				   void *save, void *restore, void *ctx);
void kmcl_channel_set_dpc_cpu_percent(struct kmcl_channel *ch, u8 percent);
void kmcl_channel_config_defaults(struct kmcl_channel_config *cfg);
void kmcl_channel_config_release(struct kmcl_channel_config *cfg);

/* debugfs.c */
int kmcl_debugfs_init(void);
void kmcl_debugfs_exit(void);
void kmcl_debugfs_add(struct kmcl_channel *ch);
void kmcl_debugfs_remove(struct kmcl_channel *ch);
struct dentry *kmcl_debugfs_dir(struct kmcl_channel *ch);

/* api_iface.c */
struct module *kmcl_iface_owner(void);

/* main.c */
struct device *kmcl_loopback_parent(void);

/*
 * Seam: channel code -> packet code (packet.h implements; called with
 * @state_mutex held, in process context, except kmcl_packet_setup()).
 *
 * kmcl_packet_setup(): once, right after the channel memory is zeroed at
 *	allocation; initialises locks and lists, cannot fail.
 * kmcl_out_init(), kmcl_in_init(): at every enable, before the channel can
 *	connect. Build on the first call; later calls keep or rebuild (the
 *	packet code decides and documents it). Destroyed only at cleanup.
 * kmcl_out_open(): the channel is open (after Opened succeeded): queued
 *	packets may go.
 * kmcl_out_close(): at every close and every disable, idempotent, also when
 *	the channel never opened: complete every queued and in-flight packet
 *	exactly once. The rings stay mapped until it has returned.
 * kmcl_in_start(): turn the incoming queue on (between Started and
 *	PostStarted).
 * kmcl_in_stop(): stop delivering; return once no ProcessPacket runs and
 *	none will start. Does not wait for delivered packets to be completed.
 * kmcl_in_wait_idle(): wait until every delivered packet was completed
 *	(called after EvtChannelSuspend, which is where drivers finish them).
 * kmcl_in_notify(), kmcl_out_notify(): the peer signalled (data / room, or
 *	it went away). Any context but hardirq, possibly under the
 *	transport's spinlock with BH disabled: schedule work, do not process.
 * After kmcl_in_stop() and kmcl_out_close() have returned, the packet code
 * does not touch @in_ring/@out_ring until the next kmcl_out_open() /
 * kmcl_in_start(); the rings are set up afresh at each open.
 */

/* Seam: packet code -> channel code. */

/**
 * kmcl_channel_is_open() - may packets be written to the rings now?
 * @ch: the channel.
 *
 * True from the end of a successful Opened until the close sequence starts
 * or the transport loses the peer (which clears it at once, before the
 * close sequence runs, and calls kmcl_out_notify() so that waiters notice).
 * Any context.
 *
 * Return: true if open.
 */
static inline bool kmcl_channel_is_open(struct kmcl_channel *ch)
{
	return READ_ONCE(ch->open);
}

/**
 * kmcl_channel_wq() - the channel's ordered workqueue
 * @ch: the channel.
 *
 * For passive packet processing and deferrals. Exists from allocation to
 * cleanup. State callbacks never run on it.
 *
 * Return: the workqueue.
 */
static inline struct workqueue_struct *kmcl_channel_wq(struct kmcl_channel *ch)
{
	return ch->wq;
}

/**
 * kmcl_channel_signal_peer() - tell the peer that a ring changed
 * @ch: the channel.
 *
 * Process or softirq context, with no packet-code lock held. Inline: it
 * is on every packet's path.
 */
static inline void kmcl_channel_signal_peer(struct kmcl_channel *ch)
{
	ch->tops->signal(ch);
}

void kmcl_channel_fail(struct kmcl_channel *ch, int err);

#endif /* _KMCL_KMCL_H */
