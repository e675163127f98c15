// SPDX-License-Identifier: GPL-2.0-only
/*
 * API functions that the loopback transport does not (yet) provide. Each
 * one checks its channel (STATUS_INVALID_PARAMETER_1 for a bad handle),
 * clears its outputs, logs once why it cannot work, and returns
 * STATUS_NOT_SUPPORTED. They are listed in the API status table.
 *
 * - GPADLs: shared-buffer descriptors are a later part of the project;
 *   until then no GPADL can be created, so none can be mapped.
 * - Save/restore: the server-side save format is not implemented yet.
 * - VMBus handles: they name a VM worker process's VMBus on a Windows host;
 *   Linux has no such objects.
 * - Bounce buffers: loopback shares memory within one kernel, there is no
 *   isolated peer to bounce data for.
 */
#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl.h"

#define kmcl_unsupported(fn, why)					\
	pr_warn_once("%s: not supported on this transport: %s\n", fn, why)

#define KMCL_WHY_GPADL	"GPADLs are not implemented yet"
#define KMCL_WHY_SAVE	"channel save/restore is not implemented yet"
#define KMCL_WHY_HANDLE	"Linux has no VM worker VMBus handles"

/**
 * VmbChannelCreateGpadlFromBuffer() - share a buffer with the peer
 * @Channel: the channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_* bits.
 * @Buffer: the buffer.
 * @ByteCount: its length.
 * @GpadlHandle: receives 0.
 *
 * Context: process context.
 * Return: STATUS_INVALID_PARAMETER_1 for a bad channel, else
 * STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbChannelCreateGpadlFromBuffer(VMBCHANNEL Channel, UINT32 Flags,
					 PVOID Buffer, UINT32 ByteCount,
					 PUINT32 GpadlHandle)
{
	if (GpadlHandle)
		*GpadlHandle = 0;
	if (!kmcl_channel_from_handle(Channel))
		return STATUS_INVALID_PARAMETER_1;
	kmcl_unsupported(__func__, KMCL_WHY_GPADL);
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_NS_GPL(VmbChannelCreateGpadlFromBuffer, KMCL);

/**
 * VmbChannelCreateGpadlFromMdl() - share an MDL chain with the peer
 * @Channel: the channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_* bits.
 * @Mdl: the chain.
 * @StartOffsetWithinMdl: where to start.
 * @DataLengthWithinMdl: how much, 0 for all.
 * @GpadlHandle: receives 0.
 *
 * Context: process context.
 * Return: STATUS_INVALID_PARAMETER_1 for a bad channel, else
 * STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbChannelCreateGpadlFromMdl(VMBCHANNEL Channel, UINT32 Flags,
				      PMDL Mdl, UINT32 StartOffsetWithinMdl,
				      UINT32 DataLengthWithinMdl,
				      PUINT32 GpadlHandle)
{
	if (GpadlHandle)
		*GpadlHandle = 0;
	if (!kmcl_channel_from_handle(Channel))
		return STATUS_INVALID_PARAMETER_1;
	kmcl_unsupported(__func__, KMCL_WHY_GPADL);
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_NS_GPL(VmbChannelCreateGpadlFromMdl, KMCL);

/**
 * VmbChannelCreateGpadlFromPfnList() - share pages with the peer
 * @Channel: the channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_* bits.
 * @PfnList: the pages.
 * @PfnListCount: how many.
 * @GpadlHandle: receives 0.
 *
 * Context: process context.
 * Return: STATUS_INVALID_PARAMETER_1 for a bad channel, else
 * STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbChannelCreateGpadlFromPfnList(VMBCHANNEL Channel, UINT32 Flags,
					  PPFN_NUMBER PfnList,
					  UINT32 PfnListCount,
					  PUINT32 GpadlHandle)
{
	if (GpadlHandle)
		*GpadlHandle = 0;
	if (!kmcl_channel_from_handle(Channel))
		return STATUS_INVALID_PARAMETER_1;
	kmcl_unsupported(__func__, KMCL_WHY_GPADL);
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_NS_GPL(VmbChannelCreateGpadlFromPfnList, KMCL);

/**
 * VmbChannelCreateGpadl() - allocate and share a buffer
 * @Channel: the channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_* bits.
 * @PageCount: size in 4 KiB pages.
 * @GpadlHandle: receives 0.
 *
 * Context: process context.
 * Return: STATUS_INVALID_PARAMETER_1 for a bad channel, else
 * STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbChannelCreateGpadl(VMBCHANNEL Channel, UINT32 Flags,
			       UINT32 PageCount, PUINT32 GpadlHandle)
{
	if (GpadlHandle)
		*GpadlHandle = 0;
	if (!kmcl_channel_from_handle(Channel))
		return STATUS_INVALID_PARAMETER_1;
	kmcl_unsupported(__func__, KMCL_WHY_GPADL);
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_NS_GPL(VmbChannelCreateGpadl, KMCL);

/**
 * VmbChannelGetSystemAddressForGpadl() - kernel address of a GPADL buffer
 * @Channel: the channel.
 * @Flags: reserved.
 * @GpadlHandle: the GPADL.
 * @SystemAddress: receives NULL.
 *
 * Context: process context.
 * Return: STATUS_INVALID_PARAMETER_1 for a bad channel, else
 * STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbChannelGetSystemAddressForGpadl(VMBCHANNEL Channel, UINT32 Flags,
					    UINT32 GpadlHandle,
					    PVOID *SystemAddress)
{
	if (SystemAddress)
		*SystemAddress = NULL;
	if (!kmcl_channel_from_handle(Channel))
		return STATUS_INVALID_PARAMETER_1;
	kmcl_unsupported(__func__, KMCL_WHY_GPADL);
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_NS_GPL(VmbChannelGetSystemAddressForGpadl, KMCL);

/**
 * VmbChannelDeleteGpadl() - stop sharing a GPADL
 * @Channel: the channel.
 * @GpadlHandle: the GPADL; none can exist yet, so nothing happens.
 *
 * Context: process context.
 */
void VmbChannelDeleteGpadl(VMBCHANNEL Channel, UINT32 GpadlHandle)
{
	kmcl_unsupported(__func__, KMCL_WHY_GPADL);
}
EXPORT_SYMBOL_NS_GPL(VmbChannelDeleteGpadl, KMCL);

/**
 * VmbChannelMapGpadl() - map a client GPADL (server)
 * @Channel: the channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_* bits.
 * @GpadlHandle: the GPADL.
 * @Mdl: receives NULL.
 *
 * Context: process context.
 * Return: STATUS_INVALID_PARAMETER_1 for a bad channel, else
 * STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbChannelMapGpadl(VMBCHANNEL Channel, UINT32 Flags,
			    UINT32 GpadlHandle, PMDL *Mdl)
{
	if (Mdl)
		*Mdl = NULL;
	if (!kmcl_channel_from_handle(Channel))
		return STATUS_INVALID_PARAMETER_1;
	kmcl_unsupported(__func__, KMCL_WHY_GPADL);
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_NS_GPL(VmbChannelMapGpadl, KMCL);

/**
 * VmbChannelUnmapGpadl() - unmap a client GPADL (server)
 * @Channel: the channel.
 * @GpadlHandle: the GPADL; none can be mapped yet, so nothing happens.
 *
 * Context: process context.
 */
void VmbChannelUnmapGpadl(VMBCHANNEL Channel, UINT32 GpadlHandle)
{
	kmcl_unsupported(__func__, KMCL_WHY_GPADL);
}
EXPORT_SYMBOL_NS_GPL(VmbChannelUnmapGpadl, KMCL);

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
EXPORT_SYMBOL_NS_GPL(VmbChannelSaveBegin, KMCL);

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
EXPORT_SYMBOL_NS_GPL(VmbChannelSaveContinue, KMCL);

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
EXPORT_SYMBOL_NS_GPL(VmbChannelSaveEnd, KMCL);

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
EXPORT_SYMBOL_NS_GPL(VmbChannelRestoreFromBuffer, KMCL);

/**
 * VmbServerChannelInitSetVmbusHandle() - bind a server to one VM's VMBus
 * @Channel: a server channel.
 * @VmbusHandle: a kernel VMBus handle.
 *
 * Context: process context.
 * Return: STATUS_INVALID_PARAMETER_1 for a bad channel or a client, else
 * STATUS_NOT_SUPPORTED.
 */
NTSTATUS VmbServerChannelInitSetVmbusHandle(VMBCHANNEL Channel,
					    HANDLE VmbusHandle)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);

	if (!ch || !ch->is_server)
		return STATUS_INVALID_PARAMETER_1;
	kmcl_unsupported(__func__, KMCL_WHY_HANDLE);
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_NS_GPL(VmbServerChannelInitSetVmbusHandle, KMCL);

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
EXPORT_SYMBOL_NS_GPL(VmbConvertVmbusHandleToKernelHandle, KMCL);

/**
 * VmbChannelAllocateBounceBuffer() - add bounce buffer space (client)
 * @Channel: a client channel.
 * @BufferSize: a multiple of 4 KiB.
 *
 * Context: process context.
 * Return: STATUS_INVALID_PARAMETER_1 for a bad channel;
 * STATUS_NOT_SUPPORTED on a server (as on Windows) and on loopback, which
 * has no isolated peer; STATUS_INVALID_PARAMETER for a size that is 0 or
 * not a multiple of 4 KiB.
 */
NTSTATUS VmbChannelAllocateBounceBuffer(VMBCHANNEL Channel, UINT32 BufferSize)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);

	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	if (ch->is_server)
		return STATUS_NOT_SUPPORTED;
	if (!BufferSize || !IS_ALIGNED(BufferSize, KMCL_WIRE_PAGE_SIZE))
		return STATUS_INVALID_PARAMETER;
	kmcl_unsupported(__func__, "loopback has no isolated peer to bounce for");
	return STATUS_NOT_SUPPORTED;
}
EXPORT_SYMBOL_NS_GPL(VmbChannelAllocateBounceBuffer, KMCL);
