// SPDX-License-Identifier: GPL-2.0-only
/*
 * API boundary for transfer-page packets: KmclChannelSetTransferPageSet(),
 * the Linux extension that tells KMCL which receive GPADL a transfer page
 * set id names. The rest lives in kmcl/xfer.c.
 */
#include <linux/errno.h>
#include <linux/module.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "api_context.h"
#include "kmcl.h"
#include "status.h"

/**
 * KmclChannelSetTransferPageSet() - name the receive GPADL of a transfer
 *	page set id
 * @Channel: an open client channel.
 * @TransferPageSetId: the id the peer puts in its transfer-page packets.
 * @GpadlHandle: a GPADL of @Channel, or 0 to forget the id.
 *
 * The whole contract is in include/vmbuskernelmodeclientlibapi.h.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (bad or server
 * channel), _2 (forgetting an unknown id), _3 (unknown GPADL);
 * STATUS_INVALID_DEVICE_STATE (not open); STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS KmclChannelSetTransferPageSet(VMBCHANNEL Channel,
				       UINT16 TransferPageSetId,
				       UINT32 GpadlHandle)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);
	int ret;

	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	might_sleep();
	if (!ch || ch->is_server)
		return STATUS_INVALID_PARAMETER_1;
	ret = kmcl_xfer_set(ch, TransferPageSetId, GpadlHandle);
	switch (ret) {
	case 0:
		return STATUS_SUCCESS;
	case -EBADFD:
		return STATUS_INVALID_DEVICE_STATE;
	case -ENOENT:
		return GpadlHandle ? STATUS_INVALID_PARAMETER_3 :
				     STATUS_INVALID_PARAMETER_2;
	case -ENOMEM:
		return STATUS_INSUFFICIENT_RESOURCES;
	default:
		return kmcl_errno_to_ntstatus(ret);
	}
}
EXPORT_SYMBOL_KMCL(KmclChannelSetTransferPageSet);
