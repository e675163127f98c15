// SPDX-License-Identifier: GPL-2.0-only
/*
 * API boundary for bounce buffers (V3): VmbChannelAllocateBounceBuffer().
 * VmbChannelInitSetBounceBufferSizes() is with the other init setters in
 * api_channel.c; the pool itself is bounce.c.
 */
#include <linux/errno.h>
#include <linux/export.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "api_context.h"
#include "kmcl.h"
#include "mdl.h"
#include "status.h"

/**
 * VmbChannelAllocateBounceBuffer() - add bounce buffer space (client)
 * @Channel: a client channel.
 * @BufferSize: a multiple of 4 KiB.
 *
 * Adds @BufferSize bytes to the channel's bounce pool at once, beyond its
 * MaximumBufferSize if need be; packets waiting for room retry. Only a
 * channel the transport isolates (a confidential VM) has a pool: elsewhere
 * external data is lent in place and nothing is allocated.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a bad channel;
 * STATUS_NOT_SUPPORTED on a server (as on Windows) and on a channel that is
 * not isolated; STATUS_INVALID_PARAMETER for a size that is 0 or not a
 * multiple of 4 KiB; STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelAllocateBounceBuffer(VMBCHANNEL Channel, UINT32 BufferSize)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);
	int ret;

	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	if (ch->is_server) {
		pr_warn_once("%s: a server has no bounce buffers\n", __func__);
		return STATUS_NOT_SUPPORTED;
	}
	if (!BufferSize || !IS_ALIGNED(BufferSize, KMCL_WIRE_PAGE_SIZE))
		return STATUS_INVALID_PARAMETER;
	ret = kmcl_bounce_allocate(ch, BufferSize);
	if (ret == -EOPNOTSUPP)
		pr_warn_once("%s: channel %u is not isolated, it needs no bounce buffer\n",
			     __func__, ch->id);
	return ret == -ENOMEM ? STATUS_INSUFFICIENT_RESOURCES :
				kmcl_errno_to_ntstatus(ret);
}
EXPORT_SYMBOL_KMCL(VmbChannelAllocateBounceBuffer);
