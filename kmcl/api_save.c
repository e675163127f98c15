// SPDX-License-Identifier: GPL-2.0-only
/*
 * API boundary for server save/restore: VmbChannelSaveBegin,
 * VmbChannelSaveContinue, VmbChannelSaveEnd, VmbChannelRestoreFromBuffer
 * and VmbPacketRestore. The work is in save.c; the rules are in save.h and
 * Documentation/design.rst.
 *
 * Statuses: a bad handle or a client channel is STATUS_INVALID_PARAMETER_1;
 * a server in the wrong state for the call (not open, save already under
 * way or missing, restore of a channel that is not fresh, a call from the
 * channel's own callbacks or from atomic context) is
 * STATUS_INVALID_DEVICE_STATE; a saved buffer that is truncated, corrupt
 * or of another version is STATUS_INVALID_BUFFER_SIZE, STATUS_DATA_ERROR
 * or STATUS_REVISION_MISMATCH. Any channel of a transport without a server
 * side (hv: only the host saves and restores server channels) is
 * STATUS_NOT_SUPPORTED, logged once. The saved state carries one channel:
 * SaveBegin of a subchannel or of a primary with an enabled subchannel,
 * and RestoreFromBuffer into a channel named as a subchannel, are
 * STATUS_NOT_SUPPORTED too (not logged).
 */
#include <linux/errno.h>
#include <linux/export.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "api_context.h"
#include "kmcl.h"
#include "save.h"
#include "status.h"

/* A transport without server endpoints (hv) has nothing to save. */
static bool kmcl_save_no_servers(struct kmcl_channel *ch, const char *fn)
{
	if (ch->tops->gpadl_get)
		return false;
	pr_warn_once("%s: not supported on this transport: only the host saves and restores server channels\n",
		     fn);
	return true;
}

static NTSTATUS kmcl_save_status(int err)
{
	switch (err) {
	case 0:
		return STATUS_SUCCESS;
	case -EINVAL:
		return STATUS_INVALID_PARAMETER_1;
	case -EBADFD:
		return STATUS_INVALID_DEVICE_STATE;
	case -EMSGSIZE:
		return STATUS_INVALID_BUFFER_SIZE;
	case -EBADMSG:
		return STATUS_DATA_ERROR;
	default:
		return kmcl_errno_to_ntstatus(err);
	}
}

/**
 * VmbChannelSaveBegin() - start saving an open server channel
 * @Channel: a loopback server channel that is open.
 *
 * Stops delivering incoming packets, waits (up to 5 s) until no outgoing
 * packet is queued or waits for the client's completion, and freezes the
 * incoming packets the driver has not completed: from now on they belong
 * to the save, and completing one on this channel is refused (logged).
 * The driver must not send until VmbChannelSaveEnd(). Pause is refused
 * meanwhile. Continue with VmbChannelSaveContinue().
 *
 * Context: process context, not from the channel's callbacks.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a bad handle or a
 * client; STATUS_NOT_SUPPORTED on hv, and for a subchannel or a primary
 * with an enabled subchannel (the saved state has no subchannels; nothing
 * is stopped); STATUS_INVALID_DEVICE_STATE if the
 * channel is not open or a save is under way; STATUS_DEVICE_BUSY if outgoing packets did not drain
 * or a held packet carries external data (complete those first);
 * STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelSaveBegin(VMBCHANNEL Channel)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);

	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	if (kmcl_save_no_servers(ch, __func__))
		return STATUS_NOT_SUPPORTED;
	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	return kmcl_save_status(kmcl_save_begin(ch));
}
EXPORT_SYMBOL_KMCL(VmbChannelSaveBegin);

/**
 * VmbChannelSaveContinue() - write the next part of the saved state
 * @Channel: a server channel after VmbChannelSaveBegin().
 * @SaveBuffer: where to write.
 * @SaveBufferSize: its size.
 * @BytesFilled: receives the bytes written.
 * @BytesRequired: receives, when more remains, the size the next call
 *	needs to make progress (the next chunk).
 *
 * Writes whole chunks only; the driver's SavePacket callback runs for
 * each frozen packet as its chunk is built (first with a zero-sized
 * buffer). Keep every byte written, in order, for
 * VmbChannelRestoreFromBuffer().
 *
 * Context: process context, not from the channel's callbacks.
 * Return: STATUS_SUCCESS when everything is saved (a later call writes
 * nothing and succeeds again); STATUS_BUFFER_OVERFLOW when chunks were
 * written and more remain; STATUS_BUFFER_TOO_SMALL when nothing was
 * written (see @BytesRequired); STATUS_INVALID_PARAMETER_1 for a bad
 * handle or a client, _2 for a NULL buffer with a size, _4 / _5 for NULL
 * outputs; STATUS_NOT_SUPPORTED on hv; STATUS_INVALID_DEVICE_STATE
 * without VmbChannelSaveBegin();
 * the status SavePacket failed with; STATUS_INVALID_BUFFER_SIZE when the
 * driver asks for more than 64 KiB per packet.
 */
NTSTATUS VmbChannelSaveContinue(VMBCHANNEL Channel, PVOID SaveBuffer,
				ULONG SaveBufferSize, PULONG BytesFilled,
				PULONG BytesRequired)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);
	u32 filled = 0, required = 0;
	int ret;

	if (BytesFilled)
		*BytesFilled = 0;
	if (BytesRequired)
		*BytesRequired = 0;
	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	if (kmcl_save_no_servers(ch, __func__))
		return STATUS_NOT_SUPPORTED;
	if (!SaveBuffer && SaveBufferSize)
		return STATUS_INVALID_PARAMETER_2;
	if (!BytesFilled)
		return STATUS_INVALID_PARAMETER_4;
	if (!BytesRequired)
		return STATUS_INVALID_PARAMETER_5;
	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	if (!ch->is_server)
		return STATUS_INVALID_PARAMETER_1;
	ret = kmcl_save_continue(ch, SaveBuffer, SaveBufferSize, &filled,
				 &required);
	*BytesFilled = filled;
	*BytesRequired = required;
	if (ret == -EOVERFLOW)
		return STATUS_BUFFER_OVERFLOW;
	if (ret == -ENOBUFS)
		return STATUS_BUFFER_TOO_SMALL;
	return kmcl_save_status(ret);
}
EXPORT_SYMBOL_KMCL(VmbChannelSaveContinue);

/**
 * VmbChannelSaveEnd() - end a save
 * @Channel: a server channel after VmbChannelSaveBegin().
 *
 * After VmbChannelSaveContinue() returned STATUS_SUCCESS the save is
 * committed: the frozen packets are the saved state's (never completed
 * here), the channel carries no more traffic, and VmbChannelDisable()
 * hands its connection to the channel restored from the state instead of
 * closing it. Before that, the save is abandoned: the packets go back to
 * the driver and delivery resumes. Nothing happens without a save, or on
 * hv (logged once).
 *
 * Context: process context, not from the channel's callbacks.
 */
void VmbChannelSaveEnd(VMBCHANNEL Channel)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);

	if (!ch || kmcl_save_no_servers(ch, __func__) || kmcl_api_atomic() ||
	    !ch->is_server)
		return;
	kmcl_save_end(ch);
}
EXPORT_SYMBOL_KMCL(VmbChannelSaveEnd);

/**
 * VmbChannelRestoreFromBuffer() - restore a fresh server channel
 * @Channel: a loopback server channel, allocated and never enabled; its
 *	callbacks (RestorePacket included) set.
 * @Buffer: whole chunks written by VmbChannelSaveContinue(), in order.
 * @BufferSize: their bytes.
 *
 * The first chunk sets the configuration and the offer; RestorePacket runs
 * for every saved packet, and must call VmbPacketRestore(). Once the
 * state is complete, VmbChannelEnable() takes over the saved channel's
 * connection (the client sees no close and no new offer), unless
 * VmbServerChannelInitSetFlags() set FORCE_NEW_CHANNEL since.
 *
 * Context: process context, not from the channel's callbacks.
 * Return: STATUS_SUCCESS when the state is complete;
 * STATUS_MORE_PROCESSING_REQUIRED when this buffer was restored and more
 * chunks are due; STATUS_INVALID_PARAMETER_1 for a bad handle or a client,
 * _2 for a NULL buffer, _3 for a zero size; STATUS_NOT_SUPPORTED on hv
 * and for a channel named as a subchannel (VmbChannelInitSetPrimaryChannel);
 * STATUS_INVALID_DEVICE_STATE for a channel that is not fresh, or saved packets without a
 * RestorePacket that restores them; STATUS_INVALID_BUFFER_SIZE (a chunk
 * cut short), STATUS_DATA_ERROR (corrupt, out of order, of another save),
 * STATUS_REVISION_MISMATCH (another format version); the status
 * RestorePacket failed with. After an error the channel can only be
 * cleaned up.
 */
NTSTATUS VmbChannelRestoreFromBuffer(VMBCHANNEL Channel, PVOID Buffer,
				     ULONG BufferSize)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);
	int ret;

	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	if (kmcl_save_no_servers(ch, __func__))
		return STATUS_NOT_SUPPORTED;
	if (!Buffer)
		return STATUS_INVALID_PARAMETER_2;
	if (!BufferSize)
		return STATUS_INVALID_PARAMETER_3;
	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	ret = kmcl_restore(ch, Buffer, BufferSize);
	if (ret == -EAGAIN)
		return STATUS_MORE_PROCESSING_REQUIRED;
	return kmcl_save_status(ret);
}
EXPORT_SYMBOL_KMCL(VmbChannelRestoreFromBuffer);

/**
 * VmbPacketRestore() - take over one saved incoming packet
 * @PacketObject: a packet from VmbPacketAllocate() on the channel being
 *	restored, not in flight.
 * @Buffer: the LibBuf that RestorePacket was given.
 * @BufferSize: LibBufSize.
 *
 * Only from RestorePacket. @PacketObject then stands for the saved
 * incoming packet: once the restored channel is open, pass it (as the
 * VMBPACKETCOMPLETION) to VmbChannelPacketComplete() or
 * VmbChannelPacketFail(), which also frees it. VmbPacketFree() refuses it
 * until then.
 *
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a bad packet, one
 * in flight, from VmbPacketInitialize(), or restored already;
 * STATUS_INVALID_PARAMETER_2 for a NULL or foreign buffer (not the record
 * RestorePacket is running for); STATUS_INVALID_BUFFER_SIZE for a wrong
 * size; STATUS_NOT_SUPPORTED for a packet of an hv channel;
 * STATUS_INVALID_DEVICE_STATE outside RestorePacket;
 * STATUS_INSUFFICIENT_RESOURCES when no incoming packet object is free.
 */
NTSTATUS VmbPacketRestore(VMBPACKET PacketObject, PVOID Buffer,
			  ULONG BufferSize)
{
	struct kmcl_packet *pkt = (struct kmcl_packet *)PacketObject;
	int ret;

	if (!kmcl_packet_valid(pkt))
		return STATUS_INVALID_PARAMETER_1;
	if (kmcl_save_no_servers(pkt->ch, __func__))
		return STATUS_NOT_SUPPORTED;
	if (!Buffer)
		return STATUS_INVALID_PARAMETER_2;
	ret = kmcl_packet_restore(pkt, Buffer, BufferSize);
	switch (ret) {
	case -EINVAL:
		return STATUS_INVALID_PARAMETER_1;
	case -EBADMSG:
		return STATUS_INVALID_PARAMETER_2;
	case -ENOBUFS:
		return STATUS_INSUFFICIENT_RESOURCES;
	default:
		return kmcl_save_status(ret);
	}
}
EXPORT_SYMBOL_KMCL(VmbPacketRestore);
