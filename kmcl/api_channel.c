// SPDX-License-Identifier: GPL-2.0-only
/*
 * API boundary for channel objects: the Windows-named VmbChannel*,
 * VmbClientChannel* and VmbServerChannel* functions that are not about
 * packets. Each one checks its arguments, calls the Linux-style core
 * (channel.c, channel_init.c) and turns the errno into the NTSTATUS the
 * KMCL documentation names for the case.
 *
 * Conventions of this file:
 * - A NULL, freed or foreign VMBCHANNEL is STATUS_INVALID_PARAMETER_1; so
 *   is a channel in the wrong state, and a client-only setter on a server
 *   (or the other way round).
 * - Argument errors are reported before state errors: a bad second argument
 *   gives STATUS_INVALID_PARAMETER_2 even on an enabled channel.
 * - VOID functions cannot report misuse; they do nothing and log once.
 * - The driver's callbacks are called through the trampolines below, the
 *   only code that knows their Windows types.
 *
 * State callbacks, in the order a driver sees them (every transport):
 *   open:   EvtChannelOpened (server first; a client's Opened means the
 *           server accepted), then, once the channel is also started,
 *           EvtChannelStarted, the incoming queue starts, EvtChannelPostStarted.
 *           A failing Opened is followed by EvtChannelClosed and no traffic;
 *           a client refused by its server gets EvtChannelPnpFailure instead
 *           of Opened, and is disabled again.
 *   start:  on an open, paused channel: Started, queue on, PostStarted.
 *   pause:  on a running channel: queue off, EvtChannelSuspend, then wait
 *           for every delivered packet to be completed.
 *   close:  (Disable, peer close, rescind) the pause sequence if running,
 *           outgoing packets complete, EvtChannelClosed. Afterwards a client
 *           is disabled; a server whose client left is closed but keeps its
 *           offer (the next client opens it again).
 * Callbacks of one channel never overlap. They run in process context; a
 * state callback must not enable, disable, start, pause or clean up its own
 * channel (refused and logged once).
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/nls.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uuid.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "api_context.h"
#include "kmcl.h"
#include "status.h"

/* Largest per-packet context area a driver may ask for. */
#define KMCL_MAX_CONTEXT_SIZE	SZ_1M

#define kmcl_api_misuse(fmt, ...) pr_warn_once(fmt "\n", ##__VA_ARGS__)

static struct kmcl_channel *kmcl_ch(VMBCHANNEL channel)
{
	return kmcl_channel_from_handle(channel);
}

/* Status of a setter: @arg is the status for a rejected argument value. */
static NTSTATUS kmcl_setter_status(int err, NTSTATUS arg)
{
	switch (err) {
	case -EBUSY:
	case -EPERM:
		return STATUS_INVALID_PARAMETER_1;
	case -EINVAL:
	case -EEXIST:
		return arg;
	default:
		return kmcl_errno_to_ntstatus(err);
	}
}

/*
 * Init setters refuse a channel that is not Disabled with P1 before they
 * look at their other arguments. The check under state_mutex in
 * channel_init.c still decides; this one only orders the statuses.
 */
static bool kmcl_setter_late(struct kmcl_channel *ch)
{
	return READ_ONCE(ch->state) != KMCL_CH_DISABLED;
}

/* --- driver callbacks ---------------------------------------------------- */

static int kmcl_status_to_err(NTSTATUS status)
{
	int err;

	if (NT_SUCCESS(status))
		return 0;
	err = kmcl_ntstatus_to_errno(status);
	return err ? err : -EIO;
}

static int kmcl_v1_opened(struct kmcl_channel *ch)
{
	PFN_VMB_CHANNEL_OPENED fn = ch->cfg.state_fn[KMCL_FN_OPENED];

	return fn ? kmcl_status_to_err(fn((VMBCHANNEL)ch)) : 0;
}

#define KMCL_V1_CB(name, idx, type)					\
static void kmcl_v1_##name(struct kmcl_channel *ch)			\
{									\
	type fn = ch->cfg.state_fn[idx];				\
									\
	if (fn)								\
		fn((VMBCHANNEL)ch);					\
}

KMCL_V1_CB(closed, KMCL_FN_CLOSED, PFN_VMB_CHANNEL_CLOSED)
KMCL_V1_CB(suspend, KMCL_FN_SUSPEND, PFN_VMB_CHANNEL_SUSPEND)
KMCL_V1_CB(started, KMCL_FN_STARTED, PFN_VMB_CHANNEL_STARTED)
KMCL_V1_CB(post_started, KMCL_FN_POST_STARTED, PFN_VMB_CHANNEL_POST_STARTED)

static const struct kmcl_state_cb_ops kmcl_v1_state_ops = {
	.opened = kmcl_v1_opened,
	.closed = kmcl_v1_closed,
	.suspend = kmcl_v1_suspend,
	.started = kmcl_v1_started,
	.post_started = kmcl_v1_post_started,
};

static int kmcl_v5_opened(struct kmcl_channel *ch)
{
	PFN_VMB_CHANNEL_OPENED_EX fn = ch->cfg.state_fn[KMCL_FN_OPENED];

	return fn ? kmcl_status_to_err(fn((VMBCHANNEL)ch, ch->cfg.state_ctx)) : 0;
}

#define KMCL_V5_CB(name, idx, type)					\
static void kmcl_v5_##name(struct kmcl_channel *ch)			\
{									\
	type fn = ch->cfg.state_fn[idx];				\
									\
	if (fn)								\
		fn((VMBCHANNEL)ch, ch->cfg.state_ctx);			\
}

KMCL_V5_CB(closed, KMCL_FN_CLOSED, PFN_VMB_CHANNEL_CLOSED_EX)
KMCL_V5_CB(suspend, KMCL_FN_SUSPEND, PFN_VMB_CHANNEL_SUSPEND_EX)
KMCL_V5_CB(started, KMCL_FN_STARTED, PFN_VMB_CHANNEL_STARTED_EX)
KMCL_V5_CB(post_started, KMCL_FN_POST_STARTED, PFN_VMB_CHANNEL_POST_STARTED_EX)

static const struct kmcl_state_cb_ops kmcl_v5_state_ops = {
	.opened = kmcl_v5_opened,
	.closed = kmcl_v5_closed,
	.suspend = kmcl_v5_suspend,
	.started = kmcl_v5_started,
	.post_started = kmcl_v5_post_started,
};

static void kmcl_pnp_failure_call(struct kmcl_channel *ch, int err)
{
	PFN_VMB_CHANNEL_PNP_FAILURE fn = ch->cfg.pnp_failure_fn;

	if (fn)
		fn((VMBCHANNEL)ch, kmcl_errno_to_ntstatus(err));
}

static int kmcl_save_v1(struct kmcl_channel *ch, void *pkt,
			void *buf, u32 size, u32 *needed)
{
	PFN_VMB_CHANNEL_SAVE_PACKET fn = ch->cfg.save_fn[0];

	return kmcl_status_to_err(fn((VMBCHANNEL)ch, (VMBPACKET)pkt, buf, size,
				     needed));
}

static int kmcl_restore_v1(struct kmcl_channel *ch, void *lib, u32 lib_size,
			   void *buf, u32 size)
{
	PFN_VMB_CHANNEL_RESTORE_PACKET fn = ch->cfg.save_fn[1];

	return kmcl_status_to_err(fn((VMBCHANNEL)ch, lib, lib_size, buf, size));
}

static const struct kmcl_save_cb_ops kmcl_v1_save_ops = {
	.save = kmcl_save_v1,
	.restore = kmcl_restore_v1,
};

static int kmcl_save_ex(struct kmcl_channel *ch, void *pkt,
			void *buf, u32 size, u32 *needed)
{
	PFN_VMB_CHANNEL_SAVE_PACKET_EX fn = ch->cfg.save_fn[0];

	return kmcl_status_to_err(fn((VMBCHANNEL)ch, ch->cfg.save_ctx,
				     (VMBPACKET)pkt, buf, size, needed));
}

static int kmcl_restore_ex(struct kmcl_channel *ch, void *lib, u32 lib_size,
			   void *buf, u32 size)
{
	PFN_VMB_CHANNEL_RESTORE_PACKET_EX fn = ch->cfg.save_fn[1];

	return kmcl_status_to_err(fn((VMBCHANNEL)ch, ch->cfg.save_ctx, lib,
				     lib_size, buf, size));
}

static const struct kmcl_save_cb_ops kmcl_ex_save_ops = {
	.save = kmcl_save_ex,
	.restore = kmcl_restore_ex,
};

/* --- allocation and cleanup ---------------------------------------------- */

/* Why a channel could not be built (kmcl_channel_alloc()'s errors). */
static NTSTATUS kmcl_alloc_status(int err)
{
	if (err == -EOPNOTSUPP) {
		pr_warn_once("a server endpoint cannot have a VMBus device as parent: a guest cannot offer channels\n");
		return STATUS_NOT_SUPPORTED;
	}
	if (err == -ENODEV)
		return STATUS_DEVICE_DOES_NOT_EXIST;
	return STATUS_INSUFFICIENT_RESOURCES;
}

/**
 * VmbChannelAllocate() - create a disabled channel with default settings
 * @ParentDeviceObject: the driver's device (kmcl_loopback_parent() will do).
 * @IsServer: TRUE for a server endpoint.
 * @Channel: receives the channel.
 *
 * The transport is chosen here: loopback for kmcl_loopback_parent(), the
 * hv transport (kmcl_hv.ko, when loaded) for a client whose parent is a
 * VMBus device or any other device.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a NULL device;
 * STATUS_INVALID_PARAMETER_3 for a NULL @Channel; STATUS_NOT_SUPPORTED for
 * a server whose parent is a VMBus device (a guest cannot offer);
 * STATUS_DEVICE_DOES_NOT_EXIST if the transport is being unloaded;
 * STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelAllocate(PDEVICE_OBJECT ParentDeviceObject, BOOLEAN IsServer,
			    VMBCHANNEL *Channel)
{
	struct kmcl_channel *ch;

	if (!Channel)
		return STATUS_INVALID_PARAMETER_3;
	*Channel = NULL;
	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	if (!ParentDeviceObject)
		return STATUS_INVALID_PARAMETER_1;
	ch = kmcl_channel_alloc(ParentDeviceObject, IsServer);
	if (IS_ERR(ch))
		return kmcl_alloc_status(PTR_ERR(ch));
	*Channel = (VMBCHANNEL)kmcl_channel_to_handle(ch);
	return STATUS_SUCCESS;
}
EXPORT_SYMBOL_KMCL(VmbChannelAllocate);

/**
 * VmbChannelInitialize() - build a disabled channel in caller memory
 * @ParentDeviceObject: the driver's device.
 * @IsServer: TRUE for a server endpoint.
 * @Channel: at least VmbSizeofChannel() bytes, pointer-aligned; becomes the
 *	channel handle.
 * @BufferSize: size of @Channel.
 *
 * The caller frees the memory after VmbChannelCleanup().
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a NULL device;
 * STATUS_INVALID_PARAMETER_3 for a NULL or misaligned buffer;
 * STATUS_INVALID_PARAMETER_4 if @BufferSize is too small;
 * STATUS_NOT_SUPPORTED as for VmbChannelAllocate();
 * STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelInitialize(PDEVICE_OBJECT ParentDeviceObject,
			      BOOLEAN IsServer, VMBCHANNEL Channel,
			      ULONG BufferSize)
{
	int ret;

	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	if (!ParentDeviceObject)
		return STATUS_INVALID_PARAMETER_1;
	if (!Channel)
		return STATUS_INVALID_PARAMETER_3;
	ret = kmcl_channel_init_mem(ParentDeviceObject, IsServer, Channel,
				    BufferSize);
	switch (ret) {
	case 0:
		return STATUS_SUCCESS;
	case -EINVAL:
		return STATUS_INVALID_PARAMETER_3;
	case -ENOSPC:
		return STATUS_INVALID_PARAMETER_4;
	default:
		return kmcl_alloc_status(ret);
	}
}
EXPORT_SYMBOL_KMCL(VmbChannelInitialize);

/**
 * VmbSizeofChannel() - buffer size VmbChannelInitialize() needs
 *
 * Context: any.
 * Return: the size in bytes.
 */
ULONG VmbSizeofChannel(void)
{
	return kmcl_channel_size();
}
EXPORT_SYMBOL_KMCL(VmbSizeofChannel);

/**
 * VmbChannelCleanup() - dispose of a disabled channel
 * @Channel: the channel.
 *
 * A channel that is not disabled is left alone and the misuse logged once.
 *
 * Context: process context.
 */
void VmbChannelCleanup(VMBCHANNEL Channel)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (kmcl_api_atomic())
		return;
	if (!ch) {
		kmcl_api_misuse("%s: invalid channel %p", __func__, Channel);
		return;
	}
	kmcl_channel_cleanup(ch);
}
EXPORT_SYMBOL_KMCL(VmbChannelCleanup);

/* --- enable, disable, start, pause --------------------------------------- */

/**
 * VmbChannelEnable() - offer (server) or open/wait for an offer (client)
 * @Channel: a disabled, configured channel.
 *
 * Returns at once; EvtChannelOpened reports the open. See kmcl.h for the
 * callback order.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid,
 * not disabled, or lacks its target (VmbClientChannelInitSetTargetPnp) or
 * interface id (VmbServerChannelInitSetTargetInterfaceId), or is a
 * subchannel of a subchannel or of a channel on another transport, or its
 * target processor (VmbClientChannelInitSetTargetProcessorIndex) is not
 * online;
 * STATUS_OBJECT_NAME_COLLISION if a server with the same type and instance
 * is already offered, or (subchannel) another subchannel of the same primary
 * with the same index is enabled; STATUS_INVALID_DEVICE_STATE for a
 * subchannel whose primary is not open; STATUS_NOT_SUPPORTED for a
 * subchannel on a transport without subchannels;
 * STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelEnable(VMBCHANNEL Channel)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);
	int ret;

	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	ret = kmcl_channel_enable(ch);
	switch (ret) {
	case -EBUSY:
	case -EINVAL:
		return STATUS_INVALID_PARAMETER_1;
	default:
		return kmcl_errno_to_ntstatus(ret);
	}
}
EXPORT_SYMBOL_KMCL(VmbChannelEnable);

/**
 * VmbChannelDisable() - close (client) or rescind (server) and wait
 * @Channel: the channel.
 *
 * Returns once the channel is paused and closed. No-op on a disabled
 * channel; refused (logged) from the channel's own state callbacks.
 *
 * Context: process context.
 */
void VmbChannelDisable(VMBCHANNEL Channel)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (kmcl_api_atomic())
		return;
	if (!ch) {
		kmcl_api_misuse("%s: invalid channel %p", __func__, Channel);
		return;
	}
	kmcl_channel_disable(ch);
}
EXPORT_SYMBOL_KMCL(VmbChannelDisable);

/**
 * VmbChannelStart() - leave the paused state
 * @Channel: an enabled channel.
 *
 * Context: process context; not from the channel's state callbacks.
 */
void VmbChannelStart(VMBCHANNEL Channel)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (kmcl_api_atomic())
		return;
	if (!ch) {
		kmcl_api_misuse("%s: invalid channel %p", __func__, Channel);
		return;
	}
	kmcl_channel_start(ch);
}
EXPORT_SYMBOL_KMCL(VmbChannelStart);

/**
 * VmbChannelPause() - enter the paused state and wait
 * @Channel: the channel.
 *
 * On a disabled channel, makes the next enable start out paused.
 *
 * Context: process context; not from the channel's state callbacks.
 */
void VmbChannelPause(VMBCHANNEL Channel)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (kmcl_api_atomic())
		return;
	if (!ch) {
		kmcl_api_misuse("%s: invalid channel %p", __func__, Channel);
		return;
	}
	kmcl_channel_pause(ch);
}
EXPORT_SYMBOL_KMCL(VmbChannelPause);

/* --- setters for both endpoints ------------------------------------------ */

/**
 * VmbChannelInitSetMaximumPacketSize() - largest packet the channel sends
 * @Channel: a disabled channel.
 * @PacketSize: 1..KMCL_PACKET_MTU - 16 bytes (default 4096): a received
 *	packet of that size, with its 16-byte descriptor and the largest
 *	external data the channel accepts, must fit in KMCL_PACKET_MTU.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (invalid or not
 * disabled); STATUS_INVALID_PARAMETER_2 (0, or too large with the
 * descriptor and the external-data limits).
 */
NTSTATUS VmbChannelInitSetMaximumPacketSize(VMBCHANNEL Channel,
					    UINT32 PacketSize)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (!PacketSize || PacketSize > KMCL_MAX_PACKET_SIZE)
		return STATUS_INVALID_PARAMETER_2;
	return kmcl_setter_status(kmcl_channel_set_max_packet_size(ch, PacketSize),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbChannelInitSetMaximumPacketSize);

/**
 * VmbChannelInitSetMaximumPacketCount() - outgoing packets in flight at once
 * @Channel: a disabled channel.
 * @PacketCount: 1..4096 (default 64).
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 (0 or above 4096).
 */
NTSTATUS VmbChannelInitSetMaximumPacketCount(VMBCHANNEL Channel,
					     UINT32 PacketCount)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (!PacketCount || PacketCount > KMCL_MAX_PACKET_COUNT)
		return STATUS_INVALID_PARAMETER_2;
	return kmcl_setter_status(kmcl_channel_set_max_packet_count(ch, PacketCount),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbChannelInitSetMaximumPacketCount);

/**
 * VmbChannelInitSetMaximumExternalData() - external data limits
 * @Channel: a disabled channel.
 * @DataSize: largest external data buffer, > 0.
 * @ChainLength: longest MDL chain, > 0.
 *
 * Enforced on both ends: the channel lends at most @ChainLength ranges of
 * @DataSize bytes in all per packet, and rejects more from its peer. The
 * ranges (8 bytes per MDL and per page) must fit in one VMBus packet.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 (@DataSize 0, too large even for one MDL, or
 * too large with the channel's maximum packet size);
 * STATUS_INVALID_PARAMETER_3 (@ChainLength 0, or too large with
 * @DataSize).
 */
NTSTATUS VmbChannelInitSetMaximumExternalData(VMBCHANNEL Channel,
					      UINT32 DataSize,
					      UINT32 ChainLength)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (!DataSize)
		return STATUS_INVALID_PARAMETER_2;
	if (!ChainLength)
		return STATUS_INVALID_PARAMETER_3;
	if (!kmcl_ext_limits_ok(DataSize, 1))
		return STATUS_INVALID_PARAMETER_2;
	if (!kmcl_ext_limits_ok(DataSize, ChainLength))
		return STATUS_INVALID_PARAMETER_3;
	return kmcl_setter_status(kmcl_channel_set_max_external_data(ch, DataSize,
								     ChainLength),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbChannelInitSetMaximumExternalData);

/**
 * VmbChannelInitSetClientContextSize() - driver area per incoming packet
 * @Channel: a disabled channel.
 * @ContextSize: bytes, up to 1 MiB.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 (above 1 MiB).
 */
NTSTATUS VmbChannelInitSetClientContextSize(VMBCHANNEL Channel,
					    UINT32 ContextSize)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (ContextSize > KMCL_MAX_CONTEXT_SIZE)
		return STATUS_INVALID_PARAMETER_2;
	return kmcl_setter_status(kmcl_channel_set_client_context_size(ch, ContextSize),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbChannelInitSetClientContextSize);

/**
 * VmbChannelInitSetInlinePacketContextSize() - driver area per packet object
 * @Channel: a disabled channel.
 * @ContextSize: bytes, up to 1 MiB.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 (above 1 MiB).
 */
NTSTATUS VmbChannelInitSetInlinePacketContextSize(VMBCHANNEL Channel,
						  UINT32 ContextSize)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (ContextSize > KMCL_MAX_CONTEXT_SIZE)
		return STATUS_INVALID_PARAMETER_2;
	return kmcl_setter_status(kmcl_channel_set_inline_context_size(ch, ContextSize),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbChannelInitSetInlinePacketContextSize);

/**
 * VmbChannelInitSetBounceBufferSizes() - size the bounce pool
 * @Channel: a disabled channel.
 * @InitialBufferSize: multiple of 4 KiB.
 * @BufferSizeIncrement: multiple of 4 KiB, 0 for the default.
 * @MaximumBufferSize: multiple of 4 KiB, 0 for the default, otherwise not
 *	below @InitialBufferSize.
 *
 * Used where the transport says the channel is isolated (a confidential
 * VM): @InitialBufferSize is allocated at enable and kept, the pool grows
 * by @BufferSizeIncrement up to @MaximumBufferSize while packets wait for
 * room, and external data is copied through it (bounce.h). Elsewhere the
 * sizes are kept and cost nothing.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2..4 for the argument that is not aligned or out
 * of range.
 */
NTSTATUS VmbChannelInitSetBounceBufferSizes(VMBCHANNEL Channel,
					    UINT32 InitialBufferSize,
					    UINT32 BufferSizeIncrement,
					    UINT32 MaximumBufferSize)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (!IS_ALIGNED(InitialBufferSize, KMCL_WIRE_PAGE_SIZE))
		return STATUS_INVALID_PARAMETER_2;
	if (!IS_ALIGNED(BufferSizeIncrement, KMCL_WIRE_PAGE_SIZE))
		return STATUS_INVALID_PARAMETER_3;
	if (!IS_ALIGNED(MaximumBufferSize, KMCL_WIRE_PAGE_SIZE) ||
	    (MaximumBufferSize && MaximumBufferSize < InitialBufferSize))
		return STATUS_INVALID_PARAMETER_4;
	return kmcl_setter_status(kmcl_channel_set_bounce_sizes(ch, InitialBufferSize,
								BufferSizeIncrement,
								MaximumBufferSize),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbChannelInitSetBounceBufferSizes);

/**
 * VmbChannelInitSetProcessPacketCallbacks() - register the packet callbacks
 * @Channel: a disabled channel.
 * @Process: called for each incoming packet.
 * @Complete: optional; called after each batch.
 *
 * Replaces any earlier registration, plain or Ex.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 for a NULL @Process.
 */
NTSTATUS VmbChannelInitSetProcessPacketCallbacks(VMBCHANNEL Channel,
						 PFN_VMB_CHANNEL_PROCESS_PACKET Process,
						 PFN_VMB_CHANNEL_PROCESSING_COMPLETE Complete)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (!Process)
		return STATUS_INVALID_PARAMETER_2;
	return kmcl_setter_status(kmcl_channel_set_packet_callbacks(ch, false,
								    Process,
								    Complete,
								    NULL),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbChannelInitSetProcessPacketCallbacks);

/**
 * VmbChannelInitSetProcessPacketCallbacksEx() - packet callbacks with context
 * @Channel: a disabled channel.
 * @CallbackContext: passed to both callbacks.
 * @Process: called for each incoming packet.
 * @Complete: optional; called after each batch.
 *
 * Replaces any earlier registration, plain or Ex.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_3 for a NULL @Process.
 */
NTSTATUS VmbChannelInitSetProcessPacketCallbacksEx(VMBCHANNEL Channel,
						   PVOID CallbackContext,
						   PFN_VMB_CHANNEL_PROCESS_PACKET_EX Process,
						   PFN_VMB_CHANNEL_PROCESSING_COMPLETE_EX Complete)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (!Process)
		return STATUS_INVALID_PARAMETER_3;
	return kmcl_setter_status(kmcl_channel_set_packet_callbacks(ch, true,
								    Process,
								    Complete,
								    CallbackContext),
				  STATUS_INVALID_PARAMETER_3);
}
EXPORT_SYMBOL_KMCL(VmbChannelInitSetProcessPacketCallbacksEx);

/**
 * VmbChannelInitSetStateChangeCallbacks() - register the state callbacks
 * @Channel: a disabled channel.
 * @Callbacks: a VMB_CHANNEL_STATE_CHANGE_CALLBACKS (Version 1) or
 *	a cast VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 (Version 5), each with its
 *	own sizeof() as Size. Copied.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 for NULL, an unknown Version or a Size that
 * does not match it.
 */
NTSTATUS VmbChannelInitSetStateChangeCallbacks(VMBCHANNEL Channel,
					       PVMB_CHANNEL_STATE_CHANGE_CALLBACKS Callbacks)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);
	const struct kmcl_state_cb_ops *ops;
	void *fn[KMCL_FN_STATE_COUNT];
	void *ctx = NULL;

	if (!ch || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (!Callbacks)
		return STATUS_INVALID_PARAMETER_2;
	if (Callbacks->Version == 1 &&
	    Callbacks->Size == sizeof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS)) {
		const VMB_CHANNEL_STATE_CHANGE_CALLBACKS *cb = Callbacks;

		ops = &kmcl_v1_state_ops;
		fn[KMCL_FN_OPENED] = cb->EvtChannelOpened;
		fn[KMCL_FN_CLOSED] = cb->EvtChannelClosed;
		fn[KMCL_FN_SUSPEND] = cb->EvtChannelSuspend;
		fn[KMCL_FN_STARTED] = cb->EvtChannelStarted;
		fn[KMCL_FN_POST_STARTED] = cb->EvtChannelPostStarted;
	} else if (Callbacks->Version == 5 &&
		   Callbacks->Size ==
		   sizeof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5)) {
		const VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 *cb =
			(const void *)Callbacks;

		ops = &kmcl_v5_state_ops;
		ctx = cb->CallbackContext;
		fn[KMCL_FN_OPENED] = cb->EvtChannelOpenedEx;
		fn[KMCL_FN_CLOSED] = cb->EvtChannelClosedEx;
		fn[KMCL_FN_SUSPEND] = cb->EvtChannelSuspendEx;
		fn[KMCL_FN_STARTED] = cb->EvtChannelStartedEx;
		fn[KMCL_FN_POST_STARTED] = cb->EvtChannelPostStartedEx;
	} else {
		return STATUS_INVALID_PARAMETER_2;
	}
	return kmcl_setter_status(kmcl_channel_set_state_callbacks(ch, ops, fn, ctx),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbChannelInitSetStateChangeCallbacks);

/**
 * VmbChannelInitSetFriendlyName() - name the channel
 * @Channel: a disabled channel.
 * @Name: UTF-16 name; copied as UTF-8, cut at 64 bytes.
 *
 * The name appears in logs and names the channel's debugfs directory.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 if the channel has a name already or @Name is
 * NULL, empty or malformed; STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelInitSetFriendlyName(VMBCHANNEL Channel, PCUNICODE_STRING Name)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);
	char utf8[KMCL_MAX_FRIENDLY_NAME + 1];
	int len;

	if (!ch || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (!Name || !Name->Buffer || !Name->Length || Name->Length % 2 ||
	    Name->Length > Name->MaximumLength)
		return STATUS_INVALID_PARAMETER_2;
	len = utf16s_to_utf8s(Name->Buffer, Name->Length / 2, UTF16_LITTLE_ENDIAN,
			      utf8, KMCL_MAX_FRIENDLY_NAME);
	if (len <= 0)
		return STATUS_INVALID_PARAMETER_2;
	utf8[len] = '\0';
	return kmcl_setter_status(kmcl_channel_set_friendly_name(ch, utf8),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbChannelInitSetFriendlyName);

/**
 * VmbChannelInitSetFlags() - channel flags
 * @Channel: a disabled channel.
 * @Flags: VMBUS_CHANNEL_INIT_FLAG_* bits.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1;
 * STATUS_INVALID_PARAMETER_2 for unknown bits, or for IS_PIPE when the
 * maximum packet size leaves no room for the pipe header.
 */
NTSTATUS VmbChannelInitSetFlags(VMBCHANNEL Channel, UINT32 Flags)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	BUILD_BUG_ON(VMBUS_CHANNEL_INIT_FLAGS != KMCL_CH_FLAGS_ALL);
	if (!ch || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (Flags & ~VMBUS_CHANNEL_INIT_FLAGS)
		return STATUS_INVALID_PARAMETER_2;
	return kmcl_setter_status(kmcl_channel_set_flags(ch, Flags),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbChannelInitSetFlags);

/**
 * VmbChannelInitSetPrimaryChannel() - make the channel a subchannel
 * @Channel: a disabled channel.
 * @PrimaryChannel: a channel of the same kind.
 * @SubChannelIndex: index, > 0.
 *
 * The subchannel may be enabled only while its primary is open; the
 * primary's close disables it first (its Closed runs before the primary's),
 * and it pauses and starts with the primary. The primary must outlive it
 * (VmbChannelCleanup of the primary is refused until then). Subchannels
 * are not carried through server save/restore (see VmbChannelSaveBegin()).
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (invalid, not
 * disabled, or a server that took VmbChannelRestoreFromBuffer());
 * STATUS_INVALID_PARAMETER_2 if @PrimaryChannel is invalid, is @Channel,
 * is of the other kind, or a primary is already set;
 * STATUS_INVALID_PARAMETER_3 if @SubChannelIndex is 0.
 */
NTSTATUS VmbChannelInitSetPrimaryChannel(VMBCHANNEL Channel,
					 VMBCHANNEL PrimaryChannel,
					 UINT16 SubChannelIndex)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);
	struct kmcl_channel *primary = kmcl_ch(PrimaryChannel);

	if (!ch || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (!primary || primary == ch || primary->is_server != ch->is_server)
		return STATUS_INVALID_PARAMETER_2;
	if (!SubChannelIndex)
		return STATUS_INVALID_PARAMETER_3;
	return kmcl_setter_status(kmcl_channel_set_primary(ch, primary,
							   SubChannelIndex),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbChannelInitSetPrimaryChannel);

/* --- client-only setters --------------------------------------------------- */

/**
 * VmbClientChannelInitSetRingBufferPageCount() - ring sizes (client)
 * @Channel: a disabled client channel.
 * @IncomingPageCount: 4 KiB pages of the ring the client reads, control
 *	page included, 2..2048 (default 16).
 * @OutgoingPageCount: the same for the ring the client writes.
 *
 * A ring is grown if the writer's largest packet would not fit twice.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (invalid, not disabled
 * or a server); STATUS_INVALID_PARAMETER_2/3 for a count out of range.
 */
NTSTATUS VmbClientChannelInitSetRingBufferPageCount(VMBCHANNEL Channel,
						    UINT32 IncomingPageCount,
						    UINT32 OutgoingPageCount)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || ch->is_server || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (IncomingPageCount < KMCL_MIN_RING_PAGES ||
	    IncomingPageCount > KMCL_MAX_RING_PAGES)
		return STATUS_INVALID_PARAMETER_2;
	if (OutgoingPageCount < KMCL_MIN_RING_PAGES ||
	    OutgoingPageCount > KMCL_MAX_RING_PAGES)
		return STATUS_INVALID_PARAMETER_3;
	return kmcl_setter_status(kmcl_client_set_ring_pages(ch, IncomingPageCount,
							     OutgoingPageCount),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbClientChannelInitSetRingBufferPageCount);

/**
 * VmbClientChannelInitSetTargetPnp() - the offer a client opens
 * @Channel: a disabled client channel.
 * @InterfaceType: interface type to open.
 * @InterfaceInstance: instance to open, or NULL for any.
 * @PnpFailureCallback: optional; called if an open fails after a matching
 *	offer was found (on loopback: the server refused it in its Opened, or
 *	went away before accepting). The channel is then disabled again.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (invalid, not disabled
 * or a server); STATUS_INVALID_PARAMETER_2 for a NULL @InterfaceType.
 */
NTSTATUS VmbClientChannelInitSetTargetPnp(VMBCHANNEL Channel,
					  LPCGUID InterfaceType,
					  LPCGUID InterfaceInstance,
					  PFN_VMB_CHANNEL_PNP_FAILURE PnpFailureCallback)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);
	guid_t type, instance;

	BUILD_BUG_ON(sizeof(GUID) != sizeof(guid_t));
	if (!ch || ch->is_server || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (!InterfaceType)
		return STATUS_INVALID_PARAMETER_2;
	memcpy(&type, InterfaceType, sizeof(type));
	if (InterfaceInstance)
		memcpy(&instance, InterfaceInstance, sizeof(instance));
	return kmcl_setter_status(kmcl_client_set_target(ch, &type,
							 InterfaceInstance ? &instance : NULL,
							 PnpFailureCallback,
							 kmcl_pnp_failure_call),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbClientChannelInitSetTargetPnp);

/**
 * VmbClientChannelInitSetTargetProcessorIndex() - CPU for incoming work
 * @Channel: a disabled client channel.
 * @ProcessorIndex: a Linux CPU number.
 *
 * The channel's DISPATCH-level work (incoming packets, completions, the
 * send queue) runs on that CPU; it must be online at VmbChannelEnable.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (invalid, not disabled
 * or a server); STATUS_INVALID_PARAMETER_2 for a CPU that cannot exist.
 */
NTSTATUS VmbClientChannelInitSetTargetProcessorIndex(VMBCHANNEL Channel,
						     ULONG ProcessorIndex)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || ch->is_server || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (ProcessorIndex >= nr_cpu_ids || !cpu_possible(ProcessorIndex))
		return STATUS_INVALID_PARAMETER_2;
	return kmcl_setter_status(kmcl_client_set_target_cpu(ch, ProcessorIndex),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbClientChannelInitSetTargetProcessorIndex);

/* --- server-only setters --------------------------------------------------- */

/**
 * VmbServerChannelInitSetFlags() - offer flags (server)
 * @Channel: a disabled server channel.
 * @Flags: VMBUS_SERVER_CHANNEL_INIT_FLAG_* bits; stored. Only
 *	FORCE_NEW_CHANNEL acts on loopback: a restored server's Enable then
 *	closes the saved connection and offers afresh.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (invalid, not disabled
 * or a client); STATUS_INVALID_PARAMETER_2 for unknown bits.
 */
NTSTATUS VmbServerChannelInitSetFlags(VMBCHANNEL Channel, UINT32 Flags)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	BUILD_BUG_ON(VMBUS_SERVER_CHANNEL_INIT_FLAGS != KMCL_SRV_FLAGS_ALL);
	if (!ch || !ch->is_server || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (Flags & ~VMBUS_SERVER_CHANNEL_INIT_FLAGS)
		return STATUS_INVALID_PARAMETER_2;
	return kmcl_setter_status(kmcl_server_set_flags(ch, Flags),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbServerChannelInitSetFlags);

/**
 * VmbServerChannelInitSetTargetVtl() - VTL the offer is made to (server)
 * @Channel: a disabled server channel.
 * @TargetVtl: 0; loopback has no other trust level.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (invalid, not disabled
 * or a client); STATUS_INVALID_PARAMETER_2 above VTL 15;
 * STATUS_NOT_SUPPORTED for VTL 1..15 (logged once).
 */
NTSTATUS VmbServerChannelInitSetTargetVtl(VMBCHANNEL Channel, UINT8 TargetVtl)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || !ch->is_server || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (TargetVtl > KMCL_MAX_VTL)
		return STATUS_INVALID_PARAMETER_2;
	if (TargetVtl) {
		kmcl_api_misuse("%s: loopback offers to VTL 0 only", __func__);
		return STATUS_NOT_SUPPORTED;
	}
	return kmcl_setter_status(kmcl_server_set_target_vtl(ch, TargetVtl),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbServerChannelInitSetTargetVtl);

/**
 * VmbServerChannelInitSetMmioMegabytes() - MMIO the guest should reserve
 * @Channel: a disabled server channel.
 * @MmioMegabytes: MiB.
 * @MmioMegabytesOptional: further optional MiB.
 *
 * Stored; loopback clients have no MMIO, VmbChannelGetMmioSpace() reports
 * none.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (invalid, not disabled
 * or a client); STATUS_INVALID_PARAMETER if both sizes are 0.
 */
NTSTATUS VmbServerChannelInitSetMmioMegabytes(VMBCHANNEL Channel,
					      UINT16 MmioMegabytes,
					      UINT16 MmioMegabytesOptional)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || !ch->is_server || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (!MmioMegabytes && !MmioMegabytesOptional)
		return STATUS_INVALID_PARAMETER;
	return kmcl_setter_status(kmcl_server_set_mmio(ch, MmioMegabytes,
						       MmioMegabytesOptional),
				  STATUS_INVALID_PARAMETER);
}
EXPORT_SYMBOL_KMCL(VmbServerChannelInitSetMmioMegabytes);

/**
 * VmbServerChannelInitSetTargetInterfaceId() - what the server offers
 * @Channel: a disabled server channel.
 * @InterfaceType: interface type, by value.
 * @InterfaceInstance: interface instance, by value.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (invalid, not disabled
 * or a client).
 */
NTSTATUS VmbServerChannelInitSetTargetInterfaceId(VMBCHANNEL Channel,
						  GUID InterfaceType,
						  GUID InterfaceInstance)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);
	guid_t type, instance;

	if (!ch || !ch->is_server || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	memcpy(&type, &InterfaceType, sizeof(type));
	memcpy(&instance, &InterfaceInstance, sizeof(instance));
	return kmcl_setter_status(kmcl_server_set_interface_id(ch, &type, &instance),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbServerChannelInitSetTargetInterfaceId);

/**
 * VmbServerChannelInitSetSaveRestorePacketCallbacks() - save/restore hooks
 * @Channel: a disabled server channel.
 * @Save: per in-flight packet at save.
 * @Restore: per saved packet at restore.
 *
 * Stored for VmbChannelSave*()/VmbChannelRestoreFromBuffer().
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (invalid, not disabled
 * or a client); STATUS_INVALID_PARAMETER_2/3 for a NULL callback.
 */
NTSTATUS VmbServerChannelInitSetSaveRestorePacketCallbacks(VMBCHANNEL Channel,
							   PFN_VMB_CHANNEL_SAVE_PACKET Save,
							   PFN_VMB_CHANNEL_RESTORE_PACKET Restore)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || !ch->is_server || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (!Save)
		return STATUS_INVALID_PARAMETER_2;
	if (!Restore)
		return STATUS_INVALID_PARAMETER_3;
	return kmcl_setter_status(kmcl_server_set_save_callbacks(ch, &kmcl_v1_save_ops,
								 Save,
								 Restore,
								 NULL),
				  STATUS_INVALID_PARAMETER_2);
}
EXPORT_SYMBOL_KMCL(VmbServerChannelInitSetSaveRestorePacketCallbacks);

/**
 * VmbServerChannelInitSetSaveRestorePacketCallbacksEx() - hooks with context
 * @Channel: a disabled server channel.
 * @SaveRestoreContext: passed to both callbacks.
 * @Save: per in-flight packet at save.
 * @Restore: per saved packet at restore.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (invalid, not disabled
 * or a client); STATUS_INVALID_PARAMETER_3/4 for a NULL callback.
 */
NTSTATUS
VmbServerChannelInitSetSaveRestorePacketCallbacksEx(VMBCHANNEL Channel,
						    PVOID SaveRestoreContext,
						    PFN_VMB_CHANNEL_SAVE_PACKET_EX Save,
						    PFN_VMB_CHANNEL_RESTORE_PACKET_EX Restore)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch || !ch->is_server || kmcl_setter_late(ch))
		return STATUS_INVALID_PARAMETER_1;
	if (!Save)
		return STATUS_INVALID_PARAMETER_3;
	if (!Restore)
		return STATUS_INVALID_PARAMETER_4;
	return kmcl_setter_status(kmcl_server_set_save_callbacks(ch, &kmcl_ex_save_ops,
								 Save,
								 Restore,
								 SaveRestoreContext),
				  STATUS_INVALID_PARAMETER_3);
}
EXPORT_SYMBOL_KMCL(VmbServerChannelInitSetSaveRestorePacketCallbacksEx);

/* --- queries and runtime settings ---------------------------------------- */

/**
 * VmbChannelSetPointer() - store a driver pointer in the channel
 * @Channel: the channel.
 * @Pointer: any value.
 *
 * Context: any.
 */
void FASTCALL VmbChannelSetPointer(VMBCHANNEL Channel, PVOID Pointer)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch) {
		kmcl_api_misuse("%s: invalid channel %p", __func__, Channel);
		return;
	}
	WRITE_ONCE(ch->context, Pointer);
}
EXPORT_SYMBOL_KMCL(VmbChannelSetPointer);

/**
 * VmbChannelGetPointer() - read the driver pointer of the channel
 * @Channel: the channel.
 *
 * Context: any.
 * Return: the last VmbChannelSetPointer() value, NULL if none or if
 * @Channel is invalid.
 */
PVOID FASTCALL VmbChannelGetPointer(VMBCHANNEL Channel)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ch) {
		kmcl_api_misuse("%s: invalid channel %p", __func__, Channel);
		return NULL;
	}
	return READ_ONCE(ch->context);
}
EXPORT_SYMBOL_KMCL(VmbChannelGetPointer);

/**
 * VmbChannelGetInterfaceInstance() - the channel's instance GUID
 * @Channel: the channel.
 * @InterfaceInstance: receives the instance of the opened offer (client),
 *	the offered instance (server), else the configured one or zeroes.
 *
 * Context: any.
 */
void VmbChannelGetInterfaceInstance(VMBCHANNEL Channel, LPGUID InterfaceInstance)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);
	guid_t instance = guid_null;

	if (!InterfaceInstance) {
		kmcl_api_misuse("%s: NULL output", __func__);
		return;
	}
	if (ch)
		kmcl_channel_get_instance(ch, &instance);
	else
		kmcl_api_misuse("%s: invalid channel %p", __func__,
				Channel);
	memcpy(InterfaceInstance, &instance, sizeof(*InterfaceInstance));
}
EXPORT_SYMBOL_KMCL(VmbChannelGetInterfaceInstance);

/**
 * VmbChannelGetMmioSpace() - MMIO range reserved for the channel
 * @Channel: the channel.
 * @MmioAddress: receives the range's guest physical address: on hv the
 *	range kmcl_hv reserved for the offer's MMIO megabytes while the
 *	channel is open; 0 on loopback, which reserves no MMIO.
 * @MmioSize: receives its size in bytes, or 0.
 *
 * Context: any.
 */
void VmbChannelGetMmioSpace(VMBCHANNEL Channel, UINT64 *MmioAddress,
			    UINT64 *MmioSize)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);
	u64 addr = 0, size = 0;

	if (ch)
		kmcl_channel_mmio_space(ch, &addr, &size);
	else
		kmcl_api_misuse("%s: invalid channel %p", __func__, Channel);
	if (MmioAddress)
		*MmioAddress = addr;
	if (MmioSize)
		*MmioSize = size;
}
EXPORT_SYMBOL_KMCL(VmbChannelGetMmioSpace);

/**
 * VmbChannelSetInterruptLatency() - set the notification latency
 * @Channel: a channel between Opened and Closed (inclusive).
 * @Latency: 100 ns units.
 * @OriginalLatency: receives the previous value.
 *
 * Loopback signals immediately; the value is kept and reported back. On
 * hv, a latency below 100 us (1000 units) makes the channel signal the host
 * directly instead of through the monitor page (channel->low_latency): an
 * approximation, Linux has no finer control.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if invalid or not open;
 * STATUS_INVALID_PARAMETER_3 for a NULL @OriginalLatency;
 * STATUS_NOT_SUPPORTED (nothing changed) where the transport cannot change
 * how it notifies the peer: hv on a kernel without channel->low_latency.
 */
NTSTATUS VmbChannelSetInterruptLatency(VMBCHANNEL Channel, UINT16 Latency,
				       PUINT16 OriginalLatency)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);
	u16 old;

	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	if (!OriginalLatency)
		return STATUS_INVALID_PARAMETER_3;
	switch (kmcl_channel_set_interrupt_latency(ch, Latency, &old)) {
	case 0:
		break;
	case -EOPNOTSUPP:
		return STATUS_NOT_SUPPORTED;
	default:
		return STATUS_INVALID_PARAMETER_1;
	}
	*OriginalLatency = old;
	return STATUS_SUCCESS;
}
EXPORT_SYMBOL_KMCL(VmbChannelSetInterruptLatency);

/**
 * VmbChannelGetTargetDeviceObject() - device standing for the opened offer
 * @Channel: the channel.
 * @TargetDeviceObject: receives the loopback root device, or NULL for an
 *	invalid channel.
 *
 * Context: any.
 */
void VmbChannelGetTargetDeviceObject(VMBCHANNEL Channel,
				     PDEVICE_OBJECT *TargetDeviceObject)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!TargetDeviceObject)
		return;
	*TargetDeviceObject = ch ? kmcl_channel_target_device(ch) : NULL;
	if (!ch)
		kmcl_api_misuse("%s: invalid channel %p", __func__,
				Channel);
}
EXPORT_SYMBOL_KMCL(VmbChannelGetTargetDeviceObject);

/**
 * VmbChannelGetParentDeviceObject() - device given at allocation
 * @Channel: the channel.
 * @ParentDeviceObject: receives it, or NULL for an invalid channel.
 *
 * Context: any.
 */
void VmbChannelGetParentDeviceObject(VMBCHANNEL Channel,
				     PDEVICE_OBJECT *ParentDeviceObject)
{
	struct kmcl_channel *ch = kmcl_ch(Channel);

	if (!ParentDeviceObject)
		return;
	*ParentDeviceObject = ch ? ch->parent : NULL;
	if (!ch)
		kmcl_api_misuse("%s: invalid channel %p", __func__,
				Channel);
}
EXPORT_SYMBOL_KMCL(VmbChannelGetParentDeviceObject);
