/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMBus pipe framing (VmbChannelInitSetFlags(VMBUS_CHANNEL_INIT_FLAG_IS_PIPE)).
 *
 * On a pipe channel every data packet is an in-band VMBus packet whose
 * payload starts with an 8-byte pipe header, the framing hv_sock uses
 * (struct vmpipe_proto_header in net/vmw_vsock/hyperv_transport.c):
 *
 *   0          4           8                         8 + data_size
 *   | pkt_type | data_size | the datagram            | padding to 8 |
 *
 * KMCL writes the header on send and strips it on receive; the driver
 * sees only datagrams. There are no transactions (no completion is
 * requested or sent) and no external data. Only the data message type is
 * known; anything else, and a data_size that does not match the packet
 * (more than the packet holds, or less than its length minus the 8-byte
 * padding), is hostile.
 *
 * Pure code, built unmodified for the userspace fuzzers too: no locks, no
 * allocation, no channel state.
 */
#ifndef _KMCL_PIPE_H
#define _KMCL_PIPE_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* Pipe message type of a datagram (the only one KMCL sends or accepts). */
#define KMCL_PIPE_MSG_DATA	1U

/**
 * struct kmcl_pipe_hdr - header in front of every pipe datagram
 * @pkt_type: KMCL_PIPE_MSG_DATA.
 * @data_size: exact length of the datagram that follows.
 */
struct kmcl_pipe_hdr {
	u32 pkt_type;
	u32 data_size;
} __packed;

#define KMCL_PIPE_HDR_LEN	((u32)sizeof(struct kmcl_pipe_hdr))

static_assert(sizeof(struct kmcl_pipe_hdr) == 8);
static_assert(offsetof(struct kmcl_pipe_hdr, data_size) == 4);

/*
 * Bytes the pipe header adds to each packet of a channel with
 * configuration @cfg (struct kmcl_channel_config): 0 unless pipe mode.
 */
#define kmcl_pipe_hdr_len(cfg) \
	(((cfg)->flags & KMCL_CH_FLAG_PIPE) ? KMCL_PIPE_HDR_LEN : 0U)

/**
 * enum kmcl_pipe_err - why kmcl_pipe_parse() rejected a payload
 * @KMCL_PIPE_OK: accepted.
 * @KMCL_PIPE_ERR_SHORT: fewer bytes than a pipe header.
 * @KMCL_PIPE_ERR_TYPE: pkt_type is not KMCL_PIPE_MSG_DATA (-EPROTO).
 * @KMCL_PIPE_ERR_OVERRUN: data_size is more than the packet holds.
 * @KMCL_PIPE_ERR_UNDERRUN: data_size leaves more than padding unused.
 */
enum kmcl_pipe_err {
	KMCL_PIPE_OK,
	KMCL_PIPE_ERR_SHORT,
	KMCL_PIPE_ERR_TYPE,
	KMCL_PIPE_ERR_OVERRUN,
	KMCL_PIPE_ERR_UNDERRUN,
};

void kmcl_pipe_put_hdr(void *buf, u32 data_size);
int kmcl_pipe_parse(const void *payload, u32 len, u32 *data_size,
		    enum kmcl_pipe_err *err);

#endif /* _KMCL_PIPE_H */
