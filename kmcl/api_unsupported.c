// SPDX-License-Identifier: GPL-2.0-only
/*
 * API functions that the loopback transport does not (yet) provide. Each
 * one checks its channel (STATUS_INVALID_PARAMETER_1 for a bad handle),
 * clears its outputs, logs once why it cannot work, and returns
 * STATUS_NOT_SUPPORTED. They are listed in the API status table.
 *
 * - Save/restore: the server-side save format is not implemented yet.
 * - VMBus handles: they name a VM worker process's VMBus on a Windows host;
 *   Linux has no such objects.
 */
#include <vmbuskernelmodeclientlibapi.h>

#include "api_context.h"
#include "kmcl.h"

#define kmcl_unsupported(fn, why)					\
	pr_warn_once("%s: not supported on this transport: %s\n", fn, why)

#define KMCL_WHY_SAVE	"channel save/restore is not implemented yet"
#define KMCL_WHY_HANDLE	"Linux has no VM worker VMBus handles"

/**
 * VmbChannelSaveBegin() - start saving a server channel
 * @Channel: the channel.
 *
 * Context: process context.
 * Return: STATUS_INVALID_PARAMETER_1 for a bad channel, else
 * STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbChannelSaveBegin(VMBCHANNEL Channel)
{
	if (!kmcl_channel_from_handle(Channel))
		return STATUS_INVALID_PARAMETER_1;
	kmcl_unsupported(__func__, KMCL_WHY_SAVE);
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_KMCL(VmbChannelSaveBegin);

/**
 * VmbChannelSaveContinue() - save the next part of a server channel
 * @Channel: the channel.
 * @SaveBuffer: output buffer.
 * @SaveBufferSize: its size.
 * @BytesFilled: receives 0.
 * @BytesRequired: receives 0.
 *
 * Context: process context.
 * Return: STATUS_INVALID_PARAMETER_1 for a bad channel, else
 * STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbChannelSaveContinue(VMBCHANNEL Channel, PVOID SaveBuffer,
				ULONG SaveBufferSize, PULONG BytesFilled,
				PULONG BytesRequired)
{
	if (BytesFilled)
		*BytesFilled = 0;
	if (BytesRequired)
		*BytesRequired = 0;
	if (!kmcl_channel_from_handle(Channel))
		return STATUS_INVALID_PARAMETER_1;
	kmcl_unsupported(__func__, KMCL_WHY_SAVE);
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_KMCL(VmbChannelSaveContinue);

/**
 * VmbChannelSaveEnd() - finish saving a server channel
 * @Channel: the channel; nothing was set up, so nothing happens.
 *
 * Context: process context.
 */
void VmbChannelSaveEnd(VMBCHANNEL Channel)
{
	kmcl_unsupported(__func__, KMCL_WHY_SAVE);
}
EXPORT_SYMBOL_KMCL(VmbChannelSaveEnd);

/**
 * VmbChannelRestoreFromBuffer() - restore a server channel
 * @Channel: the channel.
 * @Buffer: saved state.
 * @BufferSize: its size.
 *
 * Context: process context.
 * Return: STATUS_INVALID_PARAMETER_1 for a bad channel, else
 * STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbChannelRestoreFromBuffer(VMBCHANNEL Channel, PVOID Buffer,
				     ULONG BufferSize)
{
	if (!kmcl_channel_from_handle(Channel))
		return STATUS_INVALID_PARAMETER_1;
	kmcl_unsupported(__func__, KMCL_WHY_SAVE);
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_KMCL(VmbChannelRestoreFromBuffer);

/**
 * VmbServerChannelInitSetVmbusHandle() - bind a server to one VM's VMBus
 * @Channel: a server channel.
 * @VmbusHandle: a kernel VMBus handle.
 *
 * Context: process context.
 * Return: STATUS_INVALID_PARAMETER_1 for a bad channel, a loopback client
 * or a loopback server that is not Disabled, else STATUS_NOT_SUPPORTED
 * (also for any channel on a transport without server endpoints, hv: a
 * host-side handle).
 */
NTSTATUS VmbServerChannelInitSetVmbusHandle(VMBCHANNEL Channel,
					    HANDLE VmbusHandle)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);

	if (!ch || (!ch->is_server && ch->tops->gpadl_get))
		return STATUS_INVALID_PARAMETER_1;
	/*
	 * An init setter where servers exist: a channel past Disabled is a
	 * state error first. hv has no server side: not supported at all.
	 */
	if (ch->tops->gpadl_get && READ_ONCE(ch->state) != KMCL_CH_DISABLED)
		return STATUS_INVALID_PARAMETER_1;
	kmcl_unsupported(__func__, KMCL_WHY_HANDLE);
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_KMCL(VmbServerChannelInitSetVmbusHandle);

/**
 * VmbConvertVmbusHandleToKernelHandle() - user to kernel VMBus handle
 * @VmbusHandle: a VM worker process's handle.
 * @KernelHandle: receives NULL.
 *
 * Context: process context.
 * Return: STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbConvertVmbusHandleToKernelHandle(HANDLE VmbusHandle,
					     PHANDLE KernelHandle)
{
	if (KernelHandle)
		*KernelHandle = NULL;
	kmcl_unsupported(__func__, KMCL_WHY_HANDLE);
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_KMCL(VmbConvertVmbusHandleToKernelHandle);
