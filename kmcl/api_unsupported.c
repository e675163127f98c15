// SPDX-License-Identifier: GPL-2.0-only
/*
 * API functions that no transport provides: each one checks its channel
 * (STATUS_INVALID_PARAMETER_1 for a bad handle), clears its outputs, logs
 * once why it cannot work, and returns STATUS_NOT_SUPPORTED. They are
 * listed in the API status table. (Server save/restore, once here, is
 * api_save.c and save.c now, on the loopback.)
 *
 * - VMBus handles: they name a VM worker process's VMBus on a Windows host;
 *   Linux has no such objects.
 */
#include <vmbuskernelmodeclientlibapi.h>

#include "api_context.h"
#include "kmcl.h"

#define kmcl_unsupported(fn, why)					\
	pr_warn_once("%s: not supported on this transport: %s\n", fn, why)

#define KMCL_WHY_HANDLE	"Linux has no VM worker VMBus handles"

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
