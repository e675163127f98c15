/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Hyper-V host's side of the heartbeat Integration Component, on the
 * model of hv_vmbus (model.h): builds the messages a host sends (from the
 * shared wire format, samples/kmcl/ic_protocol.h), writes them into a
 * device's ring as the host does (in band, no completion requested, the
 * host's own transaction ids), and reads the guest's answers back.
 * Uses only the model's public host-side calls.
 */
#ifndef _KMCL_HV_TESTS_MODEL_IC_H
#define _KMCL_HV_TESTS_MODEL_IC_H

#include <linux/types.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "ic_protocol.h"
#include "model.h"

/**
 * struct kmcl_hv_mic_answer - one packet the guest wrote
 * @type: VMBus packet type.
 * @flags: descriptor flags.
 * @trans_id: transaction id.
 * @len: payload bytes (padded to 8, as on the wire).
 * @data: the payload.
 */
struct kmcl_hv_mic_answer {
	u16 type;
	u16 flags;
	u64 trans_id;
	u32 len;
	u8 data[IC_MAX_MESSAGE + 8];
};

u32 kmcl_hv_mic_negotiate(void *buf, const u32 *framework, u16 nframework,
			  const u32 *service, u16 nservice);
u32 kmcl_hv_mic_heartbeat(void *buf, u64 seq);
u32 kmcl_hv_mic_header(void *buf, u16 type, u32 len);
int kmcl_hv_mic_send(struct kmcl_hv_mdev *md, const void *msg, u32 len);
int kmcl_hv_mic_recv(struct kmcl_hv_mdev *md, struct kmcl_hv_mic_answer *a,
		     unsigned int timeout_ms);

#endif /* _KMCL_HV_TESTS_MODEL_IC_H */
