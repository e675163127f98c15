// SPDX-License-Identifier: GPL-2.0-only
/*
 * API boundary for packets: the Windows-named VmbPacket*, VmbChannelPacket*
 * and related exports, and the calls into the driver's packet callbacks.
 *
 * Each export checks its arguments, calls the Linux-style core (packet.c,
 * incoming.c, sync.c) and turns the errno into the NTSTATUS Windows
 * documents. STATUS_INVALID_PARAMETER_n always names the n-th argument:
 * a bad or unusable handle, or a packet in the wrong state, is the
 * handle's own number (1 for every function here).
 *
 * External data (an ExternalDataMdl, VmbPacketSendWithExternalMdl,
 * VmbPacketSendWithExternalPfns, VmbChannelPacketGetExternalData) is
 * api_ext.c.
 *
 * VmbPacketRestore is api_save.c; a packet object it restored is accepted
 * as the VMBPACKETCOMPLETION of its incoming packet by Complete and Fail.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "api_context.h"
#include "kmcl.h"
#include "save.h"
#include "status.h"

/* 100 ns intervals from 1601-01-01 (Windows time) to 1970-01-01. */
#define KMCL_WIN_EPOCH_DELTA	116444736000000000LL

static struct kmcl_packet *kmcl_api_packet(VMBPACKET handle)
{
	struct kmcl_packet *pkt = (struct kmcl_packet *)handle;

	return kmcl_packet_valid(pkt) ? pkt : NULL;
}

static struct kmcl_in_packet *kmcl_api_in_packet(VMBPACKETCOMPLETION handle)
{
	struct kmcl_in_packet *ip = (struct kmcl_in_packet *)handle;

	return kmcl_in_packet_valid(ip) ? ip : NULL;
}

static VMBCHANNEL kmcl_api_channel_handle(struct kmcl_channel *ch)
{
	return (VMBCHANNEL)kmcl_channel_to_handle(ch);
}

/* Calls the driver's completion routine (plain or Ex). */
static void kmcl_api_packet_done(struct kmcl_packet *pkt, int err,
				 const void *buf, u32 len)
{
	NTSTATUS status = err ? kmcl_errno_to_ntstatus(err) : STATUS_SUCCESS;
	PFN_VMB_PACKET_COMPLETION_ROUTINE_EX fn_ex;
	PFN_VMB_PACKET_COMPLETION_ROUTINE fn;

	if (pkt->done_ex) {
		fn_ex = pkt->done_fn;
		fn_ex((VMBPACKET)pkt, pkt->done_ctx, status, (PVOID)buf, len);
	} else {
		fn = pkt->done_fn;
		fn((VMBPACKET)pkt, status, (PVOID)buf, len);
	}
}

/**
 * kmcl_api_process_packet() - hand an incoming packet to the driver
 * @ch: the channel.
 * @ip: the packet.
 * @buf: its in-band data.
 * @len: the data length.
 * @flags: KMCL_PROCESS_* flags.
 *
 * Calls the ProcessPacket callback the driver registered (plain or Ex). A
 * channel without one completes the packet at once.
 */
void kmcl_api_process_packet(struct kmcl_channel *ch,
			     struct kmcl_in_packet *ip, void *buf, u32 len,
			     u32 flags)
{
	PFN_VMB_CHANNEL_PROCESS_PACKET_EX fn_ex;
	PFN_VMB_CHANNEL_PROCESS_PACKET fn;
	void *cb = READ_ONCE(ch->cfg.process_packet);

	if (!cb) {
		kmcl_in_complete(ip, NULL, 0);
		return;
	}
	if (ch->cfg.process_ex) {
		fn_ex = cb;
		fn_ex(kmcl_api_channel_handle(ch), ch->cfg.process_ctx,
		      (VMBPACKETCOMPLETION)ip, buf, len, flags);
	} else {
		fn = cb;
		fn(kmcl_api_channel_handle(ch), (VMBPACKETCOMPLETION)ip, buf,
		   len, flags);
	}
}

/**
 * kmcl_api_processing_complete() - tell the driver a batch is over
 * @ch: the channel.
 * @count: packets delivered in the batch.
 */
void kmcl_api_processing_complete(struct kmcl_channel *ch, u32 count)
{
	PFN_VMB_CHANNEL_PROCESSING_COMPLETE_EX fn_ex;
	PFN_VMB_CHANNEL_PROCESSING_COMPLETE fn;
	void *cb = READ_ONCE(ch->cfg.processing_complete);

	if (!cb)
		return;
	if (ch->cfg.process_ex) {
		fn_ex = cb;
		fn_ex(kmcl_api_channel_handle(ch), ch->cfg.process_ctx, count);
	} else {
		fn = cb;
		fn(kmcl_api_channel_handle(ch), count);
	}
}

/**
 * VmbPacketAllocate() - take a packet object from the channel's lookaside
 * @Channel: the channel.
 *
 * The packet reserves everything a send needs. Its default completion
 * routine frees it. The lookaside allocates an object (without sleeping)
 * the first time it needs one more, up to the maximum packet count, and
 * keeps it. Any context up to softirq.
 *
 * Return: the packet, or NULL if the lookaside is empty (the maximum
 * packet count is in use, or memory for a new object ran out), the
 * channel was never enabled, or @Channel is invalid.
 */
VMBPACKET VmbPacketAllocate(VMBCHANNEL Channel)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);

	return ch ? (VMBPACKET)kmcl_packet_alloc(ch) : NULL;
}
EXPORT_SYMBOL_KMCL(VmbPacketAllocate);

/**
 * VmbPacketInitialize() - build a packet object in caller memory
 * @Channel: the channel.
 * @VmbPacket: the memory, 8-byte aligned, at least VmbChannelSizeofPacket().
 * @ByteCount: its size.
 *
 * The packet must get a completion routine before it is sent. Any context
 * up to softirq.
 *
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a bad channel;
 * STATUS_INVALID_PARAMETER_2 for NULL or misaligned memory, memory of the
 * lookaside, or memory holding a packet in flight;
 * STATUS_INVALID_PARAMETER_3 if @ByteCount is too small.
 */
NTSTATUS VmbPacketInitialize(VMBCHANNEL Channel, VMBPACKET VmbPacket,
			     UINT32 ByteCount)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);
	struct kmcl_packet *pkt;
	int ret;

	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	ret = kmcl_packet_init_mem(ch, VmbPacket, ByteCount, &pkt);
	if (ret == -EMSGSIZE)
		return STATUS_INVALID_PARAMETER_3;
	if (ret)
		return STATUS_INVALID_PARAMETER_2;
	return STATUS_SUCCESS;
}
EXPORT_SYMBOL_KMCL(VmbPacketInitialize);

/**
 * VmbChannelSizeofPacket() - bytes VmbPacketInitialize() needs
 * @Channel: the channel.
 *
 * Depends on the maximum packet size and the inline context size. Any
 * context.
 *
 * Return: the size, or 0 for an invalid channel.
 */
UINT32 VmbChannelSizeofPacket(VMBCHANNEL Channel)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);

	return ch ? kmcl_packet_size(ch) : 0;
}
EXPORT_SYMBOL_KMCL(VmbChannelSizeofPacket);

/**
 * VmbPacketFree() - give a packet back to its lookaside
 * @VmbPacket: a packet from VmbPacketAllocate() that is not in flight.
 *
 * Freeing a packet twice, one still in flight, or one from
 * VmbPacketInitialize() is refused and logged once. Any context up to
 * softirq.
 */
void VmbPacketFree(VMBPACKET VmbPacket)
{
	struct kmcl_packet *pkt = kmcl_api_packet(VmbPacket);

	if (!pkt) {
		pr_warn_once("%s: not a packet object (%p, ignored)\n", __func__,
			     VmbPacket);
		return;
	}
	if (READ_ONCE(pkt->restored)) {
		pr_warn_once("%s: packet %p stands for a restored incoming packet: complete it instead (ignored)\n",
			     __func__, pkt);
		return;
	}
	kmcl_packet_free(pkt);
}
EXPORT_SYMBOL_KMCL(VmbPacketFree);

static __always_inline void
kmcl_api_set_done(const char *fn_name, VMBPACKET PacketObject, void *fn,
		  void *ctx, bool ex)
{
	struct kmcl_packet *pkt = kmcl_api_packet(PacketObject);

	if (!pkt) {
		pr_warn_once("%s: not a packet object (%p, ignored)\n", fn_name,
			     PacketObject);
		return;
	}
	if (kmcl_packet_set_done(pkt, fn ? kmcl_api_packet_done : NULL, fn,
				 ctx, ex))
		pr_warn_once("%s: packet %p is in flight (ignored)\n", fn_name,
			     pkt);
}

/**
 * VmbPacketSetCompletionRoutine() - set a packet's completion routine
 * @PacketObject: a packet that is not in flight.
 * @CompletionRoutine: called once when the packet's transaction ends; NULL
 *	restores the default (free the packet) of an allocated packet.
 *
 * The driver then frees the packet itself. Any context.
 */
void VmbPacketSetCompletionRoutine(VMBPACKET PacketObject,
				   PFN_VMB_PACKET_COMPLETION_ROUTINE CompletionRoutine)
{
	kmcl_api_set_done(__func__, PacketObject, CompletionRoutine, NULL,
			  false);
}
EXPORT_SYMBOL_KMCL(VmbPacketSetCompletionRoutine);

/**
 * VmbPacketSetCompletionRoutineEx() - set a completion routine with a context
 * @PacketObject: a packet that is not in flight.
 * @CallbackContext: passed to @CompletionRoutineEx.
 * @CompletionRoutineEx: called once when the packet's transaction ends.
 *
 * As VmbPacketSetCompletionRoutine(). Any context.
 */
void VmbPacketSetCompletionRoutineEx(VMBPACKET PacketObject,
				     PVOID CallbackContext,
				     PFN_VMB_PACKET_COMPLETION_ROUTINE_EX CompletionRoutineEx)
{
	kmcl_api_set_done(__func__, PacketObject, CompletionRoutineEx,
			  CallbackContext, true);
}
EXPORT_SYMBOL_KMCL(VmbPacketSetCompletionRoutineEx);

/**
 * kmcl_api_send_status() - the NTSTATUS of a kmcl_packet_send*() error
 * @ret: 0 or what kmcl_packet_send() / kmcl_packet_send_ext() returned.
 *
 * Only the errors that do not depend on which external-data argument was
 * wrong; the callers check those first.
 *
 * Return: the status for the caller of VmbPacketSend*().
 */
NTSTATUS kmcl_api_send_status(int ret)
{
	switch (ret) {
	case 0:
		return STATUS_SUCCESS;
	case -EMSGSIZE:
		return STATUS_INVALID_PARAMETER_3;
	case -ENOKEY:
	case -EBUSY:
	case -EBADFD:
	case -EINVAL:
		return STATUS_INVALID_PARAMETER_1;
	case -ENOTCONN:
		return STATUS_INVALID_DEVICE_STATE;
	default:
		return kmcl_errno_to_ntstatus(ret);
	}
}

/**
 * VmbPacketSend() - send a packet
 * @PacketObject: a packet the driver owns (not in flight).
 * @Buffer: in-line data; copied before the call returns.
 * @BufferLength: its length, at most the channel's maximum packet size.
 * @ExternalDataMdl: NULL, or an MDL chain lent to the peer as external
 *	data: every MDL whole, one GPA range each, within the channel's
 *	VmbChannelInitSetMaximumExternalData() limits. The memory must stay
 *	valid until the completion routine runs.
 * @Flags: VMBUS_CHANNEL_FORMAT_FLAG_* bits; WAIT_FOR_COMPLETION asks the
 *	peer for a completion, PAGED_BUFFER needs nothing extra (the buffer is
 *	always copied), the MDL-only flags are hints (DATA_IN_ONLY and
 *	DATA_OUT_ONLY not both) and are ignored without an MDL.
 *
 * The packet goes into the ring at once or waits in the channel's queue
 * (not open yet, ring full); it is never dropped. Its completion routine
 * runs exactly once, possibly before this returns. With @ExternalDataMdl
 * it runs only when the peer completes the packet (or the channel closes),
 * even without WAIT_FOR_COMPLETION: until then the peer may use the
 * memory. Any context up to softirq.
 *
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a bad packet, one
 * in flight or free, or one without a completion routine;
 * STATUS_INVALID_PARAMETER_2 for a NULL @Buffer with a length;
 * STATUS_INVALID_PARAMETER_3 if the packet is too long;
 * STATUS_INVALID_PARAMETER_4 for an MDL chain that is unusable (an empty
 * MDL, PFNs not built, an inconsistent header) or beyond the channel's
 * limits (none set, more MDLs than ChainLength, more bytes than DataSize);
 * STATUS_INVALID_PARAMETER_5 for unknown flags or DATA_IN_ONLY with
 * DATA_OUT_ONLY; STATUS_NOT_SUPPORTED for more MDLs than the transport
 * carries in one packet; STATUS_INVALID_DEVICE_STATE if the channel was
 * never enabled. On a pipe channel (VMBUS_CHANNEL_INIT_FLAG_IS_PIPE) any
 * @ExternalDataMdl gets STATUS_INVALID_PARAMETER_4 and WAIT_FOR_COMPLETION
 * STATUS_INVALID_PARAMETER_5: a pipe has no memory descriptors and no
 * transactions.
 */
NTSTATUS VmbPacketSend(VMBPACKET PacketObject, PVOID Buffer,
		       UINT32 BufferLength, PMDL ExternalDataMdl, UINT32 Flags)
{
	struct kmcl_packet *pkt = kmcl_api_packet(PacketObject);
	int ret;

	if (!pkt)
		return STATUS_INVALID_PARAMETER_1;
	if (!Buffer && BufferLength)
		return STATUS_INVALID_PARAMETER_2;
	if (Flags & ~VMBUS_CHANNEL_FORMAT_FLAGS)
		return STATUS_INVALID_PARAMETER_5;
	/* A pipe has no memory descriptors and no transactions. */
	if ((pkt->ch->cfg.flags & KMCL_CH_FLAG_PIPE) && ExternalDataMdl)
		return STATUS_INVALID_PARAMETER_4;
	if ((pkt->ch->cfg.flags & KMCL_CH_FLAG_PIPE) &&
	    (Flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION))
		return STATUS_INVALID_PARAMETER_5;
	if (ExternalDataMdl)
		return kmcl_api_send_mdl(pkt, Buffer, BufferLength,
					 ExternalDataMdl, Flags);
	ret = kmcl_packet_send(pkt, Buffer, BufferLength, Flags, false);
	/* Every packet's path: success needs no translation call. */
	return ret ? kmcl_api_send_status(ret) : STATUS_SUCCESS;
}
EXPORT_SYMBOL_KMCL(VmbPacketSend);

/**
 * VmbPacketSetPointer() - store a driver pointer in a packet
 * @PacketObject: the packet.
 * @Pointer: any value.
 *
 * Kept until the packet is freed (allocation clears it). Any context.
 */
void FASTCALL VmbPacketSetPointer(VMBPACKET PacketObject, PVOID Pointer)
{
	struct kmcl_packet *pkt = kmcl_api_packet(PacketObject);

	if (pkt)
		WRITE_ONCE(pkt->pointer, Pointer);
}
EXPORT_SYMBOL_KMCL(VmbPacketSetPointer);

/**
 * VmbPacketGetPointer() - read the pointer stored in a packet
 * @PacketObject: the packet.
 *
 * Any context.
 *
 * Return: the value from VmbPacketSetPointer(), or NULL.
 */
PVOID FASTCALL VmbPacketGetPointer(VMBPACKET PacketObject)
{
	struct kmcl_packet *pkt = kmcl_api_packet(PacketObject);

	return pkt ? READ_ONCE(pkt->pointer) : NULL;
}
EXPORT_SYMBOL_KMCL(VmbPacketGetPointer);

/**
 * VmbPacketGetChannel() - the channel a packet belongs to
 * @PacketObject: the packet.
 *
 * Any context.
 *
 * Return: the channel, or NULL for an invalid packet.
 */
VMBCHANNEL FASTCALL VmbPacketGetChannel(VMBPACKET PacketObject)
{
	struct kmcl_packet *pkt = kmcl_api_packet(PacketObject);

	return pkt ? kmcl_api_channel_handle(pkt->ch) : NULL;
}
EXPORT_SYMBOL_KMCL(VmbPacketGetChannel);

/**
 * VmbPacketGetInlinePacketContextPointer() - a packet's inline context
 * @PacketObject: the packet.
 *
 * The area has the size given to VmbChannelInitSetInlinePacketContextSize()
 * and is zeroed when the packet is allocated or initialised. Any context.
 *
 * Return: the area, or NULL if its size is 0 or the packet is invalid.
 */
PVOID FASTCALL VmbPacketGetInlinePacketContextPointer(VMBPACKET PacketObject)
{
	struct kmcl_packet *pkt = kmcl_api_packet(PacketObject);

	return pkt ? pkt->inline_ctx : NULL;
}
EXPORT_SYMBOL_KMCL(VmbPacketGetInlinePacketContextPointer);

/**
 * VmbChannelPacketComplete() - finish with an incoming packet
 * @PacketCompletionContext: the packet, as given to ProcessPacket.
 * @PacketCompletionBuffer: completion payload, or NULL.
 * @BufSize: its length; the sender sees it rounded up to 8 bytes.
 *
 * Sends the completion if the sender asked for one (queued if the ring is
 * full, never lost while the channel is open), frees the packet and
 * returns quota. Completing a packet twice is refused and logged once. Any
 * context up to softirq.
 */
void VmbChannelPacketComplete(VMBPACKETCOMPLETION PacketCompletionContext,
			      PVOID PacketCompletionBuffer, UINT32 BufSize)
{
	struct kmcl_in_packet *ip = kmcl_api_in_packet(PacketCompletionContext);
	struct kmcl_packet *rp;

	/* An incoming packet object is never a restored packet (magic). */
	rp = ip ? NULL : kmcl_save_restored(PacketCompletionContext);
	if (rp) {
		if (kmcl_save_complete(rp, PacketCompletionBuffer, BufSize, false))
			pr_warn_once("%s: restored packet %p: channel not open yet, or completed already (ignored)\n",
				     __func__, rp);
		return;
	}
	if (!ip) {
		pr_warn_once("%s: not an incoming packet (%p, ignored)\n", __func__,
			     PacketCompletionContext);
		return;
	}
	kmcl_in_complete(ip, PacketCompletionBuffer, BufSize);
}
EXPORT_SYMBOL_KMCL(VmbChannelPacketComplete);

/**
 * VmbChannelPacketDeferToPassive() - deliver a packet again in process context
 * @PacketCompletionContext: the packet ProcessPacket is running for.
 *
 * Only from inside ProcessPacket, which must then return without
 * completing the packet. The packet is delivered again on the channel's
 * workqueue before any later packet.
 */
void FASTCALL VmbChannelPacketDeferToPassive(VMBPACKETCOMPLETION PacketCompletionContext)
{
	struct kmcl_in_packet *ip = kmcl_api_in_packet(PacketCompletionContext);

	if (!ip) {
		pr_warn_once("%s: not an incoming packet (%p, ignored)\n", __func__,
			     PacketCompletionContext);
		return;
	}
	kmcl_in_defer(ip);
}
EXPORT_SYMBOL_KMCL(VmbChannelPacketDeferToPassive);

/**
 * VmbChannelPacketFail() - reject an incoming packet and stop the queue
 * @PacketCompletionContext: a packet delivered and not completed.
 *
 * The packet is freed without a completion; no more packets are delivered
 * until the channel is started again. Any context up to softirq.
 */
void FASTCALL VmbChannelPacketFail(VMBPACKETCOMPLETION PacketCompletionContext)
{
	struct kmcl_in_packet *ip = kmcl_api_in_packet(PacketCompletionContext);
	struct kmcl_packet *rp;

	rp = ip ? NULL : kmcl_save_restored(PacketCompletionContext);
	if (rp) {
		if (kmcl_save_complete(rp, NULL, 0, true))
			pr_warn_once("%s: restored packet %p: channel not open yet, or completed already (ignored)\n",
				     __func__, rp);
		return;
	}
	if (!ip) {
		pr_warn_once("%s: not an incoming packet (%p, ignored)\n", __func__,
			     PacketCompletionContext);
		return;
	}
	kmcl_in_fail(ip);
}
EXPORT_SYMBOL_KMCL(VmbChannelPacketFail);

/**
 * VmbChannelPacketGetClientContext() - driver area of an incoming packet
 * @PacketCompletionContext: a packet the driver holds.
 *
 * Sized by VmbChannelInitSetClientContextSize(), zeroed at each delivery.
 * Any context.
 *
 * Return: the area, or NULL if its size is 0 or the packet is not held.
 */
PVOID FASTCALL VmbChannelPacketGetClientContext(VMBPACKETCOMPLETION PacketCompletionContext)
{
	struct kmcl_in_packet *ip = kmcl_api_in_packet(PacketCompletionContext);

	return ip ? kmcl_in_client_context(ip) : NULL;
}
EXPORT_SYMBOL_KMCL(VmbChannelPacketGetClientContext);

/**
 * VmbChannelSetIncomingProcessingAtPassive() - choose where packets arrive
 * @Channel: the channel.
 * @RequirePassive: TRUE: ProcessPacket and ProcessingComplete run on the
 *	channel's ordered workqueue (process context); FALSE: in its softirq
 *	reader.
 *
 * May be called in any channel state; takes effect at the next packet.
 * Process context: from softirq context it does nothing (logged once).
 */
void VmbChannelSetIncomingProcessingAtPassive(VMBCHANNEL Channel,
					      BOOLEAN RequirePassive)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);

	if (kmcl_api_atomic())
		return;
	if (ch)
		kmcl_in_set_passive(ch, RequirePassive);
}
EXPORT_SYMBOL_KMCL(VmbChannelSetIncomingProcessingAtPassive);

/**
 * VmbChannelSetTransactionQuota() - bound the outstanding incoming packets
 * @Channel: the channel.
 * @Quota: most packets delivered and not completed; 0 is refused (logged
 *	once).
 *
 * Never restarts a queue the quota stopped; only a completion does. Any
 * context up to softirq.
 */
void VmbChannelSetTransactionQuota(VMBCHANNEL Channel, UINT32 Quota)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);

	if (ch && kmcl_in_set_quota(ch, Quota))
		pr_warn_once("%s: a quota of 0 is invalid (ignored)\n", __func__);
}
EXPORT_SYMBOL_KMCL(VmbChannelSetTransactionQuota);

/**
 * VmbChannelSetAllowableDpcCpuUsage() - cap softirq time spent on packets
 * @Channel: the channel.
 * @CpuPercentage: 1..100: share of each 2 ms window the channel's softirq
 *	reader may use; the run that spends it hands the rest to the
 *	process-context reader, in order, and runs later in that window
 *	hand over at once (the default, 100: each run may take one whole
 *	window). Each window whose budget ran out is counted (debugfs
 *	``dpc_capped``).
 *
 * Out-of-range values are refused (logged once). Any context up to softirq.
 */
void VmbChannelSetAllowableDpcCpuUsage(VMBCHANNEL Channel, UINT8 CpuPercentage)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);

	if (!ch)
		return;
	if (!CpuPercentage || CpuPercentage > 100) {
		pr_warn_once("%s: %u%% is out of range (ignored)\n", __func__,
			     CpuPercentage);
		return;
	}
	kmcl_channel_set_dpc_cpu_percent(ch, CpuPercentage);
}
EXPORT_SYMBOL_KMCL(VmbChannelSetAllowableDpcCpuUsage);

/*
 * KeWaitForSingleObject-style timeout: NULL waits forever, 0 is "now or
 * never", negative is relative and positive is an absolute Windows system
 * time (100 ns since 1601, UTC), turned into a relative wait against the
 * real-time clock when the call starts.
 */
static void kmcl_api_timeout(const LARGE_INTEGER *t, bool *zero,
			     unsigned long *jiffies)
{
	u64 rel, ns;
	s64 v, now;

	*zero = false;
	*jiffies = MAX_SCHEDULE_TIMEOUT;
	if (!t)
		return;
	v = t->QuadPart;
	if (!v) {
		*zero = true;
		*jiffies = 0;
		return;
	}
	if (v < 0) {
		rel = v == S64_MIN ? U64_MAX : (u64)-v;
	} else {
		now = div_s64(ktime_get_real_ns(), 100) + KMCL_WIN_EPOCH_DELTA;
		rel = v > now ? (u64)(v - now) : 0;
	}
	if (rel > div_u64(U64_MAX - TICK_NSEC, 100))
		return;
	ns = rel * 100;
	/* Round up: never return before the time has passed. */
	*jiffies = min_t(u64, div_u64(ns + TICK_NSEC - 1, TICK_NSEC),
			 MAX_SCHEDULE_TIMEOUT - 1);
}

/**
 * VmbChannelSendSynchronousRequest() - send a packet and wait for the answer
 * @Channel: the channel.
 * @Buffer: in-line data.
 * @BufferSize: its length, at most the maximum packet size.
 * @ExternalDataMdl: NULL, or an MDL chain lent to the peer as external
 *	data, as for VmbPacketSend(); not with a zero @Timeout.
 * @Flags: VMBUS_CHANNEL_FORMAT_FLAG_* bits. With WAIT_FOR_COMPLETION the
 *	call waits for the peer's completion and returns its payload;
 *	without, it waits until the packet is in the ring.
 * @CompletionBuffer: receives the completion payload; may be NULL when
 *	@CompletionBufferSize is NULL (the payload is discarded) or points
 *	to 0.
 * @CompletionBufferSize: in: size of @CompletionBuffer, a multiple of 8;
 *	out: bytes written (0 without WAIT_FOR_COMPLETION).
 * @Timeout: NULL: no limit; 0: write now or fail, never queue; negative:
 *	relative, in 100 ns units; positive: absolute Windows system time.
 *
 * Uses a packet of the channel's lookaside. A payload longer than
 * *@CompletionBufferSize is truncated to it and STATUS_BUFFER_OVERFLOW is
 * returned. When the timeout expires the packet is cancelled (a late
 * completion is dropped); with @ExternalDataMdl the call returns only
 * once the peer can no longer use the memory: STATUS_CANCELLED when it
 * completed the packet, STATUS_DEVICE_REMOVED when it went away. The wait
 * also ends when the channel closes or the peer goes away. A server may
 * only send "now or never": a zero timeout, no WAIT_FOR_COMPLETION.
 *
 * Context: process context; only with *@Timeout == 0 and no
 * WAIT_FOR_COMPLETION also softirq context.
 *
 * Return: STATUS_SUCCESS; STATUS_BUFFER_OVERFLOW (zero timeout: did not
 * fit and was not queued; or payload truncated); STATUS_CANCELLED on
 * timeout; STATUS_DEVICE_REMOVED if the channel is not enabled or closes;
 * STATUS_INSUFFICIENT_RESOURCES if the lookaside is empty;
 * STATUS_INVALID_PARAMETER_1 (channel), _2 (NULL @Buffer with a size), _3
 * (too long), _4 (an MDL chain VmbPacketSend() would refuse), _5 (flags),
 * _6 (NULL @CompletionBuffer with a size), _7 (size not a multiple of 8),
 * _8 (a zero timeout with @ExternalDataMdl); on a server _5 for
 * WAIT_FOR_COMPLETION and _8 for a timeout that is not 0;
 * STATUS_INVALID_DEVICE_STATE when it would have to wait but is called
 * where it may not sleep (softirq, a completion routine);
 * STATUS_NOT_SUPPORTED for more MDLs than the transport carries in one
 * packet. On a pipe channel _4 for any @ExternalDataMdl and _5 for
 * WAIT_FOR_COMPLETION.
 */
NTSTATUS VmbChannelSendSynchronousRequest(VMBCHANNEL Channel, PVOID Buffer,
					  UINT32 BufferSize,
					  PMDL ExternalDataMdl, UINT32 Flags,
					  PVOID CompletionBuffer,
					  PUINT32 CompletionBufferSize,
					  PLARGE_INTEGER Timeout)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);
	unsigned long tmo;
	bool zero;
	int ret;

	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	if (!Buffer && BufferSize)
		return STATUS_INVALID_PARAMETER_2;
	if (Flags & ~VMBUS_CHANNEL_FORMAT_FLAGS)
		return STATUS_INVALID_PARAMETER_5;
	if (CompletionBufferSize && *CompletionBufferSize % 8)
		return STATUS_INVALID_PARAMETER_7;
	if (CompletionBufferSize && *CompletionBufferSize && !CompletionBuffer)
		return STATUS_INVALID_PARAMETER_6;
	if (BufferSize > ch->cfg.max_packet_size)
		return STATUS_INVALID_PARAMETER_3;
	/* A pipe has no memory descriptors and no transactions. */
	if ((ch->cfg.flags & KMCL_CH_FLAG_PIPE) && ExternalDataMdl)
		return STATUS_INVALID_PARAMETER_4;
	if ((ch->cfg.flags & KMCL_CH_FLAG_PIPE) &&
	    (Flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION))
		return STATUS_INVALID_PARAMETER_5;

	kmcl_api_timeout(Timeout, &zero, &tmo);
	/* A server may only send "now or never", without a completion. */
	if (ch->is_server && (Flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION))
		return STATUS_INVALID_PARAMETER_5;
	if (ch->is_server && !zero)
		return STATUS_INVALID_PARAMETER_8;
	/* Only "now or never" without a wait may run where it cannot sleep. */
	if ((!zero || (Flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION)) &&
	    kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	if (ExternalDataMdl) {
		/* "Now or never" cannot wait for the peer to give the memory back. */
		if (zero)
			return STATUS_INVALID_PARAMETER_8;
		return kmcl_api_sync_mdl(ch, Buffer, BufferSize, ExternalDataMdl,
					 Flags, CompletionBuffer,
					 CompletionBufferSize, tmo);
	}
	ret = kmcl_sync_request(ch, Buffer, BufferSize, Flags, CompletionBuffer,
				CompletionBufferSize, zero, tmo, NULL);
	/* Only the codes the shared table answers differently are listed. */
	switch (ret) {
	case -EMSGSIZE:
		return STATUS_INVALID_PARAMETER_3;
	default:
		return kmcl_errno_to_ntstatus(ret);
	}
}
EXPORT_SYMBOL_KMCL(VmbChannelSendSynchronousRequest);
