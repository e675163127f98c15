/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KMCL packets: outgoing packet objects, transaction ids, incoming dispatch
 * and synchronous requests. Everything here lives in struct kmcl_channel
 * (kmcl.h embeds struct kmcl_out and struct kmcl_in) and is allocated when
 * the channel is enabled, except lookaside objects past the floor, which
 * VmbPacketAllocate() allocates once when first needed (lookaside.c). So
 * sending, receiving and completing never allocate memory, and take no
 * lock shared between channels.
 *
 * Outgoing packets (packet.c)
 * ---------------------------
 * - The lookaside holds up to cfg.max_packet_count packet objects, each
 *   with room for cfg.max_packet_size bytes of in-line data and an in-line
 *   context of cfg.inline_context_size bytes. KMCL_LOOKASIDE_FLOOR of them
 *   exist from enable on; the others are allocated (never sleeping) by the
 *   VmbPacketAllocate() that first needs them and kept until cleanup.
 *   VmbPacketSend writes the caller's buffer to the ring, or copies it into
 *   the packet when the packet has to wait
 *   in the send queue (and always for external data and pipe packets), so
 *   PAGED_BUFFER needs no special treatment and the caller's buffer may be
 *   reused as soon as Send returns. An empty lookaside (all
 *   cfg.max_packet_count packets handed out, or no memory for a new
 *   object) makes VmbPacketAllocate return NULL; a packet that has been
 *   allocated never fails to send for lack of resources (it waits in the
 *   send queue).
 * - VmbPacketInitialize builds the same object in caller memory of at least
 *   kmcl_packet_size() bytes, 8-byte aligned. Its completion routine starts
 *   unset and Send refuses it until one is set. VmbPacketFree refuses such
 *   a packet (logged once): its memory is the caller's, to reuse once the
 *   packet is not in flight.
 * - A packet object is never returned to the system before the channel is
 *   cleaned up; its state field says whether it is free, so a second
 *   VmbPacketFree is detected and refused (logged once) without touching
 *   freed memory.
 * - Packets are written to the ring in the order they were sent. A packet
 *   that cannot be written now (channel not open, ring full, or another
 *   packet already waiting) joins a per-channel FIFO queue which is flushed
 *   when the channel opens and whenever the peer makes room (pending_send_sz
 *   in the ring asks the peer for that signal). Completions of incoming
 *   packets (VM_PKT_COMP) share the same FIFO, so nothing overtakes
 *   anything: what is submitted first is written first.
 * - External data (kmcl_packet_send_ext()): the packet carries GPA ranges
 *   in the ext area of its object (sized by the channel's external-data
 *   limits). Such a packet always takes a transaction id and waits for the
 *   peer's completion, with or without WAIT_FOR_COMPLETION, because its
 *   memory is lent until then; it cannot be cancelled while the peer may
 *   use the memory.
 * - Completion: without WAIT_FOR_COMPLETION the completion routine runs
 *   once the packet is in the ring (Status 0 / STATUS_SUCCESS, no buffer);
 *   if the packet goes straight into the ring this happens before
 *   VmbPacketSend returns. With WAIT_FOR_COMPLETION it runs when the peer's
 *   VM_PKT_COMP arrives, with the peer's completion payload (its length is
 *   a multiple of 8: VMBus carries lengths in 8-byte units). Each outgoing
 *   packet completes exactly once. When the channel closes, packets still
 *   queued complete with -ECANCELED (STATUS_CANCELLED) and packets in the
 *   ring awaiting a completion with -ESHUTDOWN (STATUS_DEVICE_REMOVED). A
 *   queued packet that turns out never to fit in the ring completes with
 *   -EMSGSIZE (STATUS_INVALID_BUFFER_SIZE). Completion routines always run
 *   with bottom halves disabled (the DISPATCH_LEVEL analog), never with a
 *   KMCL lock held, so they may free, re-send or send other packets.
 *   The default completion routine frees the packet.
 *
 * Transaction ids (txid.c)
 * ------------------------
 * A packet sent with WAIT_FOR_COMPLETION takes a slot of a fixed table of
 * cfg.max_packet_count slots when it is written to the ring (a packet that
 * finds the table full waits at the head of the send queue until a
 * completion frees a slot). Its id is (tag << 63) | (generation << 32) |
 * (slot + 1): never 0 and never one of the four highest u64 values, which
 * Hyper-V and hv_vmbus reserve. Generations (31 bits) start at random
 * values and advance each time a slot is released, so an id is only
 * accepted while its slot is in use with that generation: a forged,
 * duplicate or stale id is rejected, counted, and stops the incoming queue
 * like a malformed packet. The tag marks the ids of requests that may be
 * cancelled while the peer has them (synchronous requests): a completion
 * with a tagged id of an earlier generation of its slot is dropped and
 * counted (comp_late), however often the slot was reused since, so a
 * host that completes a timed-out request very late, or out of order,
 * does no harm. A tagged id of a generation not handed out yet still
 * stops the queue.
 *
 * Incoming packets (incoming.c)
 * -----------------------------
 * - The reader copies each packet out of the ring into an incoming object
 *   (a pool of at most cfg.max_packet_count objects, each with room for a
 *   descriptor plus cfg.max_packet_size bytes and a zeroed client context
 *   of cfg.client_context_size bytes), validates the copy with
 *   kmcl_wire_parse(), consumes it from the ring, and calls ProcessPacket.
 *   The pool starts empty and grows in process context, a chunk of
 *   objects at a time, when the reader finds no free object: the packet
 *   waits in the ring meanwhile (and after a failed allocation, until a
 *   retry succeeds). Objects are reused, never freed, until the pool is
 *   rebuilt or destroyed, so a steady flow allocates nothing.
 *   Packets longer than that, malformed packets, unknown types and
 *   completions with bad ids are rejected, counted and stop the incoming
 *   queue (kmcl_channel_fail()).
 * - ProcessPacket runs in a per-channel tasklet (softirq: the DISPATCH_LEVEL
 *   analog) or, after VmbChannelSetIncomingProcessingAtPassive(TRUE), on the
 *   channel's ordered workqueue (process context, may sleep). Calls for one
 *   channel never run concurrently. ProcessingComplete runs after every
 *   batch that delivered at least one packet: when the ring ran empty, and
 *   also when the batch stopped for the quota, an empty pool or a deferral
 *   (a driver that batches work until ProcessingComplete must not wait for
 *   the quota to reopen). A batch delivers at most KMCL_IN_BUDGET packets
 *   before yielding the CPU. Softirq batches share a budget of
 *   cfg.dpc_cpu_percent (VmbChannelSetAllowableDpcCpuUsage) of each
 *   KMCL_DPC_WINDOW_NS window: a batch that spends it hands the rest to
 *   the process-context reader, in order (affinity.h).
 * - With a target CPU (VmbClientChannelInitSetTargetProcessorIndex) both
 *   readers, and the send-queue tasklet, run on that CPU (affinity.h).
 * - A channel without a ProcessPacket callback completes every data packet
 *   at once, with an empty completion.
 * - When the quota (VmbChannelSetTransactionQuota) or the pool is exhausted
 *   the reader stops taking data packets from the ring: they stay there and
 *   nothing is lost. Only a completion (or a released or newly built
 *   object) restarts the reader; setting the quota never does. Completion
 *   packets (VM_PKT_COMP) at the head of the ring are still processed
 *   while data delivery is blocked or the channel is paused.
 * - VmbChannelPacketDeferToPassive (only from inside ProcessPacket): the
 *   packet is delivered again on the channel workqueue, and nothing after
 *   it is delivered before it: delivery continues in process context until
 *   the ring next runs empty. Deferred packets are delivered even while the
 *   channel pauses, before kmcl_in_stop() returns.
 * - VmbChannelPacketComplete sends VM_PKT_COMP with the sender's
 *   transaction id when the sender asked for one. The payload is copied
 *   (into the incoming object) if it must wait for ring space, so the
 *   caller's buffer is free on return. A payload longer than
 *   cfg.max_packet_size is truncated (logged once). If the channel is
 *   closed the completion is dropped (and counted): the peer's transaction
 *   ends with the channel.
 * - VmbChannelPacketFail releases the packet without a completion and stops
 *   the incoming queue until the next kmcl_in_start().
 * - BufferLength in ProcessPacket is the in-band data length on the wire, a
 *   multiple of 8 (VMBus does not carry the exact byte count).
 * - GPA-direct packets (external data, ext.c) are checked against the
 *   receiver's external-data limits and against what the sender described
 *   before they are delivered, with their in-band part and
 *   KMCL_PROCESS_EXTERNAL_DATA; the MDL chain of
 *   VmbChannelPacketGetExternalData() lives in the incoming object and is
 *   released when the packet is completed or failed, before the
 *   completion is sent. Transfer-page packets are delivered with
 *   KMCL_PROCESS_EXTERNAL_DATA too, but carry no memory KMCL can map.
 *
 * Synchronous requests (sync.c)
 * -----------------------------
 * A packet from the lookaside (empty lookaside: STATUS_INSUFFICIENT_
 * RESOURCES) is sent like VmbPacketSend(); the caller then waits, in
 * TASK_IDLE, for its completion: the peer's VM_PKT_COMP with
 * WAIT_FOR_COMPLETION, else the packet reaching the ring.
 * - *CompletionBufferSize must be a multiple of 8 (else _PARAMETER_7); on
 *   success it returns the bytes copied. A longer payload is truncated to
 *   the buffer and STATUS_BUFFER_OVERFLOW is returned (the Windows
 *   convention for "partial data"). A NULL size discards the payload.
 * - Timeout NULL: no limit. Negative: relative, 100 ns units, rounded up to
 *   a jiffy. Positive: absolute Windows system time (100 ns since 1601,
 *   UTC), converted once into a relative wait against CLOCK_REALTIME when
 *   the call starts (later clock changes do not move it). Exactly 0: the
 *   packet is written now or not at all (STATUS_BUFFER_OVERFLOW, never
 *   queued); without WAIT_FOR_COMPLETION this mode never sleeps and may be
 *   used in softirq context.
 * - When the time is up the packet is cancelled (taken off the queue, or
 *   its transaction id given up so the late completion is dropped and
 *   counted) and STATUS_CANCELLED returned. If the completion was already
 *   being delivered, the call returns its result instead.
 * - The wait ends with STATUS_DEVICE_REMOVED when the channel closes or is
 *   disabled, and as soon as the peer goes away (kmcl_channel_is_open()
 *   turns false), so a request made from a state callback never blocks
 *   the close. A channel that is not enabled answers STATUS_DEVICE_REMOVED
 *   at once.
 * - Windows lets a server (host) endpoint use only the zero timeout without
 *   WAIT_FOR_COMPLETION; on loopback both endpoints may use every mode.
 * - With external data (not with the zero timeout) a timeout does not end
 *   the call while the peer may use the memory: it waits for the peer's
 *   completion (then -ECANCELED) or for the peer to go away (the packet is
 *   taken back, the peer's hold waited out: -ESHUTDOWN).
 *
 * Locking
 * -------
 * ch->out.lock guards the send queue, the lookaside, the txid table and all
 * writes to the outgoing ring. ch->in.lock guards the incoming pool, the
 * quota and the reader's state; the incoming ring is read by one reader at
 * a time (in.reading). Both are BH-safe spinlocks, never held together,
 * never held across a call into the driver or into the channel code
 * (kmcl_channel_*()). The channel's state_mutex may be held when the
 * channel code calls into this file; it is never taken here. Order:
 * state_mutex -> in.lock, state_mutex -> out.lock.
 */
#ifndef _KMCL_PACKET_H
#define _KMCL_PACKET_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "affinity.h"
#include "bounce.h"

/*
 * The packet locks (and a loopback link's lock) are taken in process
 * context and in softirq context, several times per packet. Where bottom
 * halves are off already (the reader's tasklet, a completion routine, a
 * caller that disabled them) turning them off and on again around the
 * lock costs two calls and buys nothing. kmcl_lock_bh() takes the lock
 * plainly there and with spin_lock_bh() everywhere else, and returns which
 * it did for kmcl_unlock_bh(). Either way the lock is held with bottom
 * halves off, as the locking rules above require.
 */
static __always_inline bool kmcl_lock_bh(spinlock_t *lock)
	__acquires(lock)
{
	if (in_softirq()) {
		spin_lock(lock);
		return false;
	}
	spin_lock_bh(lock);
	return true;
}

static __always_inline void kmcl_unlock_bh(spinlock_t *lock, bool bh)
	__releases(lock)
{
	if (bh)
		spin_unlock_bh(lock);
	else
		spin_unlock(lock);
}

/*
 * The same for code that runs with bottom halves off without a lock (a
 * completion routine): kmcl_bh_off() turns them off unless they are off
 * already, and returns whether it did for kmcl_bh_on().
 */
static __always_inline bool kmcl_bh_off(void)
{
	if (in_softirq())
		return false;
	local_bh_disable();
	return true;
}

static __always_inline void kmcl_bh_on(bool bh)
{
	if (bh)
		local_bh_enable();
}

struct kmcl_channel;
struct kmcl_ext_fill;
struct _MDL;
struct kmcl_packet;
struct kmcl_in_packet;
struct kmcl_stats;
struct task_struct;

/* Send flags: the values of VMBUS_CHANNEL_FORMAT_FLAG_*. */
#define KMCL_SEND_WAIT_FOR_COMPLETION	BIT(0)
#define KMCL_SEND_FORCE_MDL_LENGTH	BIT(1)
#define KMCL_SEND_PAGED_BUFFER		BIT(2)
#define KMCL_SEND_DATA_IN_ONLY		BIT(3)
#define KMCL_SEND_DATA_OUT_ONLY		BIT(4)
#define KMCL_SEND_FLAGS			GENMASK(4, 0)

/* ProcessPacket flags: the values of VMBUS_CHANNEL_PROCESS_PACKET_FLAG_*. */
#define KMCL_PROCESS_EXTERNAL_DATA	BIT(0)

/* Most slots a transaction-id table (and a lookaside) may have. */
#define KMCL_TXID_MAX_SLOTS		65536U
/* Packets one reader batch delivers before it yields. */
#define KMCL_IN_BUDGET			64U

/* Magic values at the start of each object, checked at the API boundary. */
#define KMCL_PACKET_MAGIC		0x4b4d5054U	/* "KMPT" */
#define KMCL_IN_PACKET_MAGIC		0x4b4d4950U	/* "KMIP" */

/**
 * typedef kmcl_packet_done_t - completion of an outgoing packet
 * @pkt: the packet, owned by the caller of this function again.
 * @err: 0, -ECANCELED (never sent), -ESHUTDOWN (channel closed while
 *	waiting for the peer) or -EMSGSIZE (can never fit in the ring).
 * @buf: the peer's completion payload, or NULL.
 * @len: its length, a multiple of 8, or 0.
 *
 * Runs with bottom halves disabled and no KMCL lock held.
 */
typedef void (*kmcl_packet_done_t)(struct kmcl_packet *pkt, int err,
				   const void *buf, u32 len);

/* Where queued items come from: an outgoing packet or a completion. */
enum kmcl_out_kind {
	KMCL_OUT_PACKET,
	KMCL_OUT_COMPLETION,
};

/**
 * struct kmcl_out_item - an entry of the outgoing FIFO
 * @node: link in kmcl_out.queue (or a free/deferred list when not queued).
 * @kind: enum kmcl_out_kind: what the item is embedded in.
 */
struct kmcl_out_item {
	struct list_head node;
	u8 kind;
};

/* Lifetime of an outgoing packet object. */
enum kmcl_packet_state {
	KMCL_PACKET_FREE,	/* in the lookaside, or freed/uninitialised */
	KMCL_PACKET_IDLE,	/* owned by the driver, not in flight */
	KMCL_PACKET_SENDING,	/* claimed by kmcl_packet_send() */
	KMCL_PACKET_QUEUED,	/* in kmcl_out.queue */
	KMCL_PACKET_PENDING,	/* in the ring, waiting for the peer's completion */
};

/* Where a packet object's memory comes from. */
enum kmcl_packet_origin {
	KMCL_PACKET_LOOKASIDE,
	KMCL_PACKET_CALLER,
};

/**
 * struct kmcl_packet - an outgoing packet object (VMBPACKET)
 * @magic: KMCL_PACKET_MAGIC while the object is initialised.
 * @state: enum kmcl_packet_state, under kmcl_out.lock.
 * @origin: enum kmcl_packet_origin.
 * @item: FIFO entry (kind KMCL_OUT_PACKET).
 * @ch: the channel.
 * @next_free: lookaside free stack link.
 * @done: internal completion handler; NULL means the default (free the
 *	packet).
 * @done_fn: the driver's completion routine, for @done's use.
 * @done_ctx: its context (Ex routines), or the sync waiter.
 * @done_ex: @done_fn is an Ex routine.
 * @pointer: VmbPacketSetPointer value.
 * @txid: transaction id on the wire (0: no completion requested).
 * @txid_slot: the slot @txid occupies while PENDING.
 * @capacity: bytes @data can hold.
 * @len: bytes of @data to send.
 * @flags: KMCL_SEND_* flags of the current send.
 * @status: completion status decided under the lock, for a completion
 *	that runs after it is dropped.
 * @inline_ctx: the in-line context area, or NULL if its size is 0.
 * @ext: the GPA ranges of the current send (external data), after the
 *	in-line context; NULL if the channel has no external-data limits.
 * @ext_cap: bytes @ext can hold (kmcl_ext_ranges_cap()).
 * @ext_len: bytes of ranges in @ext; 0: an in-band packet.
 * @ext_count: number of ranges in @ext.
 * @ext_va: cfg.max_ext_chain entries after the bounce area (NULL with
 *	@ext): where each range of the current send is mapped in this kernel,
 *	or NULL (struct kmcl_ext_fill); handed to a receiver in this kernel
 *	by kmcl_out_ext_match().
 * @ext_seen: the peer accepted the ranges once (kmcl_out_ext_match()).
 * @may_cancel: a synchronous request, which may be cancelled while the peer
 *	has it: its transaction id is tagged (see "Transaction ids").
 * @bounce: isolated channels: how @ext's data goes through the bounce pool.
 * @restored: the incoming packet VmbPacketRestore() tied to this object,
 *	completed through it (save.c); NULL otherwise.
 * @next_obj: lookaside objects: the next object the lookaside owns
 *	(kmcl_out.objs), whatever its state.
 * @data: the in-line data: after the header's tail (in-line context,
 *	@ext, bounce range, @ext_va) in the same block, or, for a lookaside
 *	object larger than a page, a block of its own (lookaside.c).
 */
struct kmcl_packet {
	u32 magic;
	u8 state;
	u8 origin;
	bool done_ex;
	struct kmcl_out_item item;
	struct kmcl_channel *ch;
	struct kmcl_packet *next_free;
	kmcl_packet_done_t done;
	void *done_fn;
	void *done_ctx;
	void *pointer;
	u64 txid;
	u32 txid_slot;
	u32 capacity;
	u32 len;
	u32 flags;
	int status;
	void *inline_ctx;
	void *ext;
	u32 ext_cap;
	u32 ext_len;
	u32 ext_count;
	void **ext_va;
	bool ext_seen;
	bool may_cancel;
	struct kmcl_bounce_ref bounce;
	struct kmcl_in_packet *restored;
	struct kmcl_packet *next_obj;
	u8 *data;
};

/**
 * struct kmcl_txid_slot - one transaction-id slot
 * @pkt: the packet waiting for its completion, NULL if the slot is free.
 * @gen: generation of the id the slot has (or will) hand out, 31 bits.
 * @may_cancel: the id handed out is tagged as one that may be cancelled.
 * @next_free: index of the next free slot, U32_MAX at the end.
 */
struct kmcl_txid_slot {
	struct kmcl_packet *pkt;
	u32 gen;
	bool may_cancel;
	u32 next_free;
};

/**
 * struct kmcl_txid_table - bounded table of outstanding transactions
 * @slots: @nslots slots.
 * @nslots: table size.
 * @free_head: first free slot, U32_MAX if none.
 * @nr_used: slots in use.
 */
struct kmcl_txid_table {
	struct kmcl_txid_slot *slots;
	u32 nslots;
	u32 free_head;
	u32 nr_used;
};

/* What kmcl_txid_take() found for a completion's id. */
enum kmcl_txid_result {
	KMCL_TXID_OK,		/* matched an outstanding packet */
	KMCL_TXID_LATE,		/* late completion of a cancelled request */
	KMCL_TXID_BAD,		/* slot out of range: forged */
	KMCL_TXID_STALE,	/* slot not waiting with that generation */
};

/**
 * struct kmcl_out_stats - outgoing counters (under kmcl_out.lock)
 * @sent: packets written to the ring.
 * @sent_nowait: of those, packets that completed once written.
 * @queued: packets that had to wait in the send queue.
 * @completed: peer completions matched to a packet.
 * @completions_sent: VM_PKT_COMP written for incoming packets.
 * @completions_dropped: completions dropped because the channel closed.
 * @cancelled: packets completed with -ECANCELED or cancelled by a timeout.
 * @removed: packets completed with -ESHUTDOWN.
 * @too_big: queued packets that could never fit in the ring.
 * @comp_late: late completions of cancelled requests, dropped.
 * @comp_bad_id: completions with an out-of-range (forged) id.
 * @comp_stale_id: completions with a stale or duplicate id.
 * @double_free: VmbPacketFree calls refused because the packet was free.
 * @free_refused: every refused VmbPacketFree call (double free, packet in
 *	flight, packet from VmbPacketInitialize).
 * @ext_sent: packets with external data written to the ring.
 * @lent_waits: synchronous requests with external data that timed out while
 *	the peer held their memory, and waited for it to come back.
 */
struct kmcl_out_stats {
	u64 sent;
	u64 sent_nowait;
	u64 queued;
	u64 completed;
	u64 completions_sent;
	u64 completions_dropped;
	u64 cancelled;
	u64 removed;
	u64 too_big;
	u64 comp_late;
	u64 comp_bad_id;
	u64 comp_stale_id;
	u64 double_free;
	u64 free_refused;
	u64 ext_sent;
	u64 lent_waits;
};

/**
 * struct kmcl_out - outgoing side of a channel (embedded in kmcl_channel)
 * @lock: see "Locking" above.
 * @queue: FIFO of struct kmcl_out_item waiting to be written.
 * @free: lookaside free stack: objects allocated and free.
 * @objs: every object the lookaside allocated (linked by next_obj).
 * @nr_packets: lookaside size (cfg.max_packet_count); 0 until built.
 * @nr_objs: objects allocated, at most @nr_packets (lookaside.c).
 * @nr_free: packets the lookaside may still hand out: on @free, or not
 *	allocated yet.
 * @stride: bytes per packet object (kmcl_packet_size()).
 * @max_size: in-line data capacity of each lookaside packet.
 * @ctx_size: in-line context size of each lookaside packet.
 * @ext_cap: ext area of each lookaside packet.
 * @bounce_size: bounce range area of each lookaside packet.
 * @va_size: ext_va area of each lookaside packet.
 * @grow_failed: allocations of a new object that failed.
 * @txid: transaction-id table.
 * @ready: kmcl_packet_setup() ran.
 * @enabled: between kmcl_out_init()/kmcl_out_open() and kmcl_out_close().
 * @open: rings attached: between kmcl_out_open() and kmcl_out_close().
 * @slot_wait: the queue head waits for a txid slot.
 * @dpc: tasklet that flushes the queue.
 * @kick: schedules @dpc on the channel's target CPU.
 * @sync_wq: synchronous requests wait here.
 * @sync_hang_logged: a request without a timeout waited longer than
 *	kmcl_sync_hang_ms; logged once per channel.
 * @stats: counters.
 */
struct kmcl_out {
	spinlock_t lock;	/* queue, lookaside, txid, outgoing ring */
	struct list_head queue;
	struct kmcl_packet *free;
	struct kmcl_packet *objs;
	u32 nr_packets;
	u32 nr_objs;
	u32 nr_free;
	u32 stride;
	u32 max_size;
	u32 ctx_size;
	u32 ext_cap;
	u32 bounce_size;
	u32 va_size;
	u64 grow_failed;
	struct kmcl_txid_table txid;
	bool ready;
	bool enabled;
	bool open;
	bool slot_wait;
	struct tasklet_struct dpc;
	struct kmcl_cpu_kick kick;
	wait_queue_head_t sync_wq;
	bool sync_hang_logged;
	struct kmcl_out_stats stats;
};

/* Lifetime of an incoming packet object. */
enum kmcl_in_state {
	KMCL_IN_FREE,		/* in the pool */
	KMCL_IN_DELIVERING,	/* ProcessPacket is running for it */
	KMCL_IN_HELD,		/* the driver owns it, not yet completed */
	KMCL_IN_DEFERRED,	/* waiting to be delivered again at passive */
	KMCL_IN_COMPLETING,	/* completed; its VM_PKT_COMP waits in the queue */
	KMCL_IN_SAVED,		/* frozen by VmbChannelSaveBegin (save.c) */
};

/**
 * struct kmcl_in_packet - an incoming packet (VMBPACKETCOMPLETION)
 * @magic: KMCL_IN_PACKET_MAGIC.
 * @state: enum kmcl_in_state, under kmcl_in.lock once the driver has
 *	seen the object (the reader sets DELIVERING, and FREE for a
 *	@recycle one, without it: nobody else knows the object then).
 * @comp_requested: the sender asked for a completion.
 * @ext_ro: the external data is to be mapped read-only (a READ_ONLY
 *	VmbChannelPacketGetExternalData() that had to wait for passive).
 * @recycle: completed from inside its own ProcessPacket call, by the
 *	reader, and its completion written (or none asked for): the reader
 *	takes it back when the callback returns. Only the reader writes it.
 * @item: deferred list link, or FIFO entry (kind KMCL_OUT_COMPLETION).
 * @next_free: the next idle object in kmcl_in.free.
 * @ch: the channel.
 * @txid: the sender's transaction id, echoed in the completion.
 * @data_off: offset of the in-band data in @buf.
 * @data_len: its length.
 * @flags: KMCL_PROCESS_* flags for ProcessPacket.
 * @comp_len: completion payload length, copied to @buf while queued.
 * @ext_count: GPA ranges of the external data the driver holds (checked,
 *	in @buf after the GPA-direct header); 0: none.
 * @ext_chain: the MDL chain built for VmbChannelPacketGetExternalData(),
 *	or NULL.
 * @xfer_gpadl: transfer-page packets: the receive GPADL the ranges lie
 *	in, pinned until the packet leaves the driver; NULL otherwise.
 * @client_ctx: the client context area, or NULL if its size is 0.
 * @ext_mdl: where @ext_chain is built (kmcl_ext_in_size() bytes), or NULL.
 * @buf: the packet as copied from the ring, then the client context and
 *	the MDL area.
 */
struct kmcl_in_packet {
	u32 magic;
	u8 state;
	bool comp_requested;
	bool ext_ro;
	bool recycle;
	struct kmcl_out_item item;
	struct kmcl_in_packet *next_free;
	struct kmcl_channel *ch;
	u64 txid;
	u32 data_off;
	u32 data_len;
	u32 flags;
	u32 comp_len;
	u32 ext_count;
	struct _MDL *ext_chain;
	struct kmcl_gpadl *xfer_gpadl;
	void *client_ctx;
	void *ext_mdl;
	u8 buf[] __aligned(8);
};

/**
 * struct kmcl_in_stats - incoming counters
 *
 * Under kmcl_in.lock, but for @received, @ext_received and @recycled:
 * only the reader writes those (kmcl_in_count()), without the lock; and
 * @completed, atomic, as a completion from inside ProcessPacket takes
 * no lock.
 *
 * @received: data packets delivered to ProcessPacket (first delivery).
 * @completed: VmbChannelPacketComplete calls that took effect.
 * @failed: VmbChannelPacketFail calls.
 * @deferred: VmbChannelPacketDeferToPassive calls.
 * @rejected: hostile packets rejected (all reasons).
 * @rejected_oversize: longer than cfg.max_packet_size allows.
 * @rejected_malformed: kmcl_wire_parse() or the ring refused it.
 * @rejected_type: well framed, unknown type.
 * @rejected_bad_id: completion with a forged, stale or duplicate id.
 * @rejected_ext_limits: external data beyond the receiver's limits.
 * @rejected_ext_data: external data the sender never described.
 * @ext_received: packets with external data delivered.
 * @ext_dropped: packets with external data dropped because their sender
 *	went away (nobody waits for their completion).
 * @quota_blocked: times the reader stopped at the quota.
 * @pool_blocked: times the reader stopped for lack of an object, with
 *	all cfg.max_packet_count of them built.
 * @grow_waits: times the reader stopped until the pool grows.
 * @grows: chunks of objects added to the pool.
 * @grow_failed: pool growths that could not allocate (retried later).
 * @recycled: objects the reader took back itself, completed from inside
 *	their own ProcessPacket call (kmcl_in_packet.recycle).
 * @misuse: refused calls (double complete, defer outside ProcessPacket).
 * @budget_yields: reader runs that stopped at KMCL_IN_BUDGET packets and
 *	completions and requeued themselves.
 * @dpc_capped: DPC budget windows (VmbChannelSetAllowableDpcCpuUsage) in
 *	which the budget ran out and delivery moved on in process context.
 */
struct kmcl_in_stats {
	u64 received;
	atomic64_t completed;
	u64 failed;
	u64 deferred;
	u64 rejected;
	u64 rejected_oversize;
	u64 rejected_malformed;
	u64 rejected_type;
	u64 rejected_bad_id;
	u64 rejected_ext_limits;
	u64 rejected_ext_data;
	u64 ext_received;
	u64 ext_dropped;
	u64 quota_blocked;
	u64 pool_blocked;
	u64 grow_waits;
	u64 grows;
	u64 grow_failed;
	u64 recycled;
	u64 misuse;
	u64 budget_yields;
	u64 dpc_capped;
};

/**
 * struct kmcl_in - incoming side of a channel (embedded in kmcl_channel)
 * @lock: see "Locking" above.
 * @free: pool objects not in use, a stack linked through
 *	kmcl_in_packet.next_free: each reader run takes one and gives it
 *	back, and a hardened list_head operation would be a call each.
 * @deferred: packets to deliver again at passive, in order.
 * @chunks: the pool's memory: struct kmcl_in_chunk blocks of objects of
 *	@stride bytes, made on demand (incoming.c), freed only when the
 *	pool is rebuilt or destroyed.
 * @scratch: buffer for peeking while no object may be taken; made with
 *	the first chunk, NULL before (set once, under @lock).
 * @nr_objs: objects built so far, at most @max_objs.
 * @max_objs: the pool's limit, cfg.max_packet_count at enable.
 * @nr_free: objects on @free.
 * @gen: bumped when the pool is rebuilt: a growth started before is
 *	dropped.
 * @fail_grows: test hook: the next this many growths fail as if out of
 *	memory.
 * @stride: bytes per object.
 * @buf_size: packet bytes each object (and @scratch) holds.
 * @ctx_size: client context bytes per object.
 * @ext_size: MDL area bytes per object (external data).
 * @outstanding: delivered and not yet completed (incl. deferred), once
 *	their ProcessPacket call returned; one in that call counts in
 *	@delivering only.
 * @quota: most outstanding packets, 0 for no limit.
 * @delivering: packets taken for delivery and ProcessPacket or
 *	ProcessingComplete calls in progress.
 * @deliver_task: the task running the reader, for misuse checks.
 * @cur: the packet ProcessPacket runs for now, or NULL (the reader's).
 * @cur_cpu: the CPU of the softirq reader, set when its run starts.
 * @at_passive: deliver in process context.
 * @running: data delivery enabled (kmcl_in_start .. kmcl_in_stop).
 * @attached: the incoming ring may be read (kmcl_out_open .. close).
 * @failed: stopped by a hostile packet or VmbChannelPacketFail.
 * @reading: a reader owns the incoming ring.
 * @rerun: someone asked for a reader while one was running.
 * @want_restart: the reader stopped for quota/pool/deferral and wants a
 *	kick when that changes.
 * @growing: @grow is queued or running.
 * @grow_backoff: the last growth failed: the next one waits a little.
 * @ready: kmcl_packet_setup() ran.
 * @warned: a hostile packet has been logged for this channel.
 * @hostile: a hostile packet stopped the queue; only a new ring (the next
 *	open) restarts it, not kmcl_in_start().
 * @dpc: DISPATCH reader (tasklet).
 * @kick: schedules @dpc (and queues @work) on the target CPU.
 * @dpc_budget: softirq time spent (VmbChannelSetAllowableDpcCpuUsage).
 * @work: PASSIVE reader (on kmcl_channel_wq(), or the target CPU's
 *	system worker).
 * @grow: adds a chunk of objects (and @scratch) in process context, for
 *	a reader that found none free.
 * @idle_wq: waiters for @outstanding == 0 or !@reading.
 * @stats: counters.
 */
struct kmcl_in {
	spinlock_t lock;	/* pool, quota, reader state */
	struct kmcl_in_packet *free;
	struct list_head deferred;
	struct list_head chunks;
	void *scratch;
	u32 nr_objs;
	u32 max_objs;
	u32 nr_free;
	u32 gen;
	u32 fail_grows;
	u32 stride;
	u32 buf_size;
	u32 ctx_size;
	u32 ext_size;
	u32 outstanding;
	u32 quota;
	u32 delivering;
	struct task_struct *deliver_task;
	struct kmcl_in_packet *cur;
	int cur_cpu;
	bool at_passive;
	bool running;
	bool attached;
	bool failed;
	bool reading;
	bool rerun;
	bool want_restart;
	bool growing;
	bool grow_backoff;
	bool ready;
	bool warned;
	bool hostile;
	struct tasklet_struct dpc;
	struct kmcl_cpu_kick kick;
	struct kmcl_dpc_budget dpc_budget;
	struct work_struct work;
	struct delayed_work grow;
	wait_queue_head_t idle_wq;
	struct kmcl_in_stats stats;
};

/**
 * struct kmcl_in_chunk - a block of incoming pool objects
 * @node: in kmcl_in.chunks.
 * @n: objects in the block, kmcl_in.stride bytes each, from
 *	KMCL_IN_CHUNK_HDR on.
 */
struct kmcl_in_chunk {
	struct list_head node;
	u32 n;
};

/* Take an idle object off kmcl_in.free, or NULL. Caller holds in.lock. */
static inline struct kmcl_in_packet *kmcl_in_pool_pop(struct kmcl_in *in)
{
	struct kmcl_in_packet *ip = in->free;

	if (ip) {
		in->free = ip->next_free;
		ip->next_free = NULL;
		in->nr_free--;
	}
	return ip;
}

#define KMCL_IN_CHUNK_HDR	round_up(sizeof(struct kmcl_in_chunk), SMP_CACHE_BYTES)

static inline struct kmcl_in_packet *
kmcl_in_chunk_obj(const struct kmcl_in *in, struct kmcl_in_chunk *c, u32 i)
{
	return (void *)c + KMCL_IN_CHUNK_HDR + (size_t)i * in->stride;
}

/* Called by D1 (see CORE-SEAM.md). */
void kmcl_packet_setup(struct kmcl_channel *ch);
int kmcl_out_init(struct kmcl_channel *ch);
void kmcl_out_destroy(struct kmcl_channel *ch);
void kmcl_out_open(struct kmcl_channel *ch);
void kmcl_out_stop(struct kmcl_channel *ch);
void kmcl_out_close(struct kmcl_channel *ch);
void kmcl_out_notify(struct kmcl_channel *ch);
int kmcl_in_init(struct kmcl_channel *ch);
int kmcl_in_reserve(struct kmcl_channel *ch, u32 n);
void kmcl_in_destroy(struct kmcl_channel *ch);
void kmcl_in_start(struct kmcl_channel *ch);
void kmcl_in_stop(struct kmcl_channel *ch);
void kmcl_in_wait_idle(struct kmcl_channel *ch);
void kmcl_in_notify(struct kmcl_channel *ch);
bool kmcl_in_in_callback(struct kmcl_channel *ch);

/* Lookaside objects allocated at enable; the rest when first needed. */
#define KMCL_LOOKASIDE_FLOOR		1U

/* Lookaside objects (lookaside.c). */
extern atomic_t kmcl_lookaside_fail;
struct kmcl_packet *kmcl_lookaside_obj_alloc(u32 stride, u32 max_size,
					     gfp_t gfp, u8 **data);
void kmcl_lookaside_free_objs(struct kmcl_packet *objs, u32 stride,
			      u32 max_size);
bool kmcl_lookaside_overlaps(const struct kmcl_packet *objs, u32 stride,
			     u32 max_size, const void *mem, u32 size);

/* Outgoing packets (packet.c). */
u32 kmcl_packet_size(struct kmcl_channel *ch);
struct kmcl_packet *kmcl_packet_alloc(struct kmcl_channel *ch);
int kmcl_packet_init_mem(struct kmcl_channel *ch, void *mem, u32 size,
			 struct kmcl_packet **pktp);
int kmcl_packet_free(struct kmcl_packet *pkt);
int kmcl_packet_send(struct kmcl_packet *pkt, const void *buf, u32 len,
		     u32 flags, bool now_only);
int kmcl_packet_send_ext(struct kmcl_packet *pkt, const void *buf, u32 len,
			 u32 flags, bool now_only,
			 const struct kmcl_ext_fill *ext);
bool kmcl_packet_cancel(struct kmcl_packet *pkt);
bool kmcl_packet_cancel_lent(struct kmcl_packet *pkt);
int kmcl_out_send_completion(struct kmcl_channel *ch,
			     struct kmcl_in_packet *ip, const void *buf,
			     u32 len);
int kmcl_out_complete_txid(struct kmcl_channel *ch, u64 txid,
			   const void *buf, u32 len);
void kmcl_packet_stats(struct kmcl_channel *ch, struct kmcl_stats *st);

/**
 * kmcl_packet_set_done() - set a packet's completion handler
 * @pkt: a packet the caller owns.
 * @done: internal handler, or NULL for the default (free the packet; a
 *	packet from kmcl_packet_init_mem() then has no handler).
 * @fn: the driver's routine, kept for @done.
 * @ctx: its context.
 * @ex: @fn takes a context.
 *
 * Inline: a driver sets a routine before nearly every send.
 *
 * Return: 0, or -EBUSY if the packet is in flight (nothing changes).
 */
static inline int kmcl_packet_set_done(struct kmcl_packet *pkt,
				       kmcl_packet_done_t done, void *fn,
				       void *ctx, bool ex)
{
	/*
	 * No out.lock: only the packet's owner takes an idle packet out of
	 * IDLE (send, free), and an in-flight one is refused whatever the
	 * moment of this read. A routine changed while its completion runs
	 * on another CPU races with that completion with or without the lock,
	 * which reads the routine after dropping it.
	 */
	if (READ_ONCE(pkt->state) != KMCL_PACKET_IDLE)
		return -EBUSY;
	pkt->done = done;
	pkt->done_fn = fn;
	pkt->done_ctx = ctx;
	pkt->done_ex = ex;
	return 0;
}

/**
 * kmcl_packet_valid() - is @pkt an initialised packet object
 * @pkt: a VMBPACKET handle from a caller, possibly NULL.
 *
 * Return: true if @pkt carries the packet magic (it may be free).
 */
static inline bool kmcl_packet_valid(const struct kmcl_packet *pkt)
{
	return pkt && READ_ONCE(pkt->magic) == KMCL_PACKET_MAGIC;
}

/**
 * kmcl_in_packet_valid() - is @ip an incoming packet object
 * @ip: a VMBPACKETCOMPLETION handle from a caller, possibly NULL.
 *
 * Return: true if @ip carries the incoming-packet magic.
 */
static inline bool kmcl_in_packet_valid(const struct kmcl_in_packet *ip)
{
	return ip && READ_ONCE(ip->magic) == KMCL_IN_PACKET_MAGIC;
}

/* Transaction-id table (txid.c); caller holds kmcl_out.lock. */
int kmcl_txid_init(struct kmcl_txid_table *t, u32 nslots);
void kmcl_txid_destroy(struct kmcl_txid_table *t);
int kmcl_txid_alloc(struct kmcl_txid_table *t, struct kmcl_packet *pkt,
		    bool may_cancel, u64 *id, u32 *slot);
void kmcl_txid_release(struct kmcl_txid_table *t, u32 slot);
void kmcl_txid_cancel(struct kmcl_txid_table *t, u32 slot);
enum kmcl_txid_result kmcl_txid_take(struct kmcl_txid_table *t, u64 id,
				     struct kmcl_packet **pktp);
enum kmcl_txid_result kmcl_txid_peek(const struct kmcl_txid_table *t, u64 id,
				     struct kmcl_packet **pktp);
struct kmcl_packet *kmcl_txid_take_next(struct kmcl_txid_table *t, u32 *pos);

/* Incoming packets (incoming.c). */
void kmcl_in_setup(struct kmcl_channel *ch);
void kmcl_in_attach(struct kmcl_channel *ch);
void kmcl_in_detach(struct kmcl_channel *ch);
void kmcl_in_release(struct kmcl_in_packet *ip);
int kmcl_in_complete(struct kmcl_in_packet *ip, const void *buf, u32 len);
int kmcl_in_defer(struct kmcl_in_packet *ip);
bool kmcl_in_called_from(struct kmcl_in_packet *ip);
int kmcl_in_fail(struct kmcl_in_packet *ip);
void *kmcl_in_client_context(struct kmcl_in_packet *ip);
int kmcl_in_set_quota(struct kmcl_channel *ch, u32 quota);
void kmcl_in_set_passive(struct kmcl_channel *ch, bool passive);

/* Synchronous requests (sync.c). */
extern unsigned int kmcl_sync_hang_ms;
int kmcl_sync_request(struct kmcl_channel *ch, const void *buf, u32 len,
		      u32 flags, void *cbuf, u32 *csize, bool zero_timeout,
		      unsigned long timeout, const struct kmcl_ext_fill *ext);

/*
 * Driver callbacks, implemented at the API boundary (api_packet.c) because
 * only there may the Windows callback types be named.
 */
void kmcl_api_process_packet(struct kmcl_channel *ch,
			     struct kmcl_in_packet *ip, void *buf, u32 len,
			     u32 flags);
void kmcl_api_processing_complete(struct kmcl_channel *ch, u32 count);
int kmcl_api_ext_map(struct kmcl_in_packet *ip, bool may_sleep);

/**
 * kmcl_pool_zalloc() - zeroed memory for a pool of packet objects
 * @count: number of objects.
 * @size: bytes per object.
 *
 * A pool larger than a page comes from vmalloc: order-0 pages, no rounding
 * up to a power of two and no high-order allocation. kvcalloc() tries
 * kmalloc first, which turned a 270 KiB pool into a 512 KiB order-7 block.
 * Free with kvfree(). Process context.
 *
 * Return: the memory, or NULL.
 */
static inline void *kmcl_pool_zalloc(size_t count, size_t size)
{
	size_t bytes = array_size(count, size);

	if (bytes <= PAGE_SIZE)
		return kzalloc(bytes, GFP_KERNEL);
	return vzalloc(bytes);
}

#endif /* _KMCL_PACKET_H */
