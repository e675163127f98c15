// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pipe framing: writing and checking the header of pipe datagrams
 * (pipe.h). The parser runs on the reader's private copy of a packet, and
 * still reads each header field once into a local before checking it.
 */

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "core_compat.h"
#include "pipe.h"

/**
 * kmcl_pipe_put_hdr() - write the pipe header of a datagram
 * @buf: where the packet payload starts; KMCL_PIPE_HDR_LEN bytes.
 * @data_size: length of the datagram that follows the header.
 */
void kmcl_pipe_put_hdr(void *buf, u32 data_size)
{
	struct kmcl_pipe_hdr h = {
		.pkt_type = KMCL_PIPE_MSG_DATA,
		.data_size = data_size,
	};

	memcpy(buf, &h, sizeof(h));
}
EXPORT_SYMBOL_KMCL(kmcl_pipe_put_hdr);

/**
 * kmcl_pipe_parse() - check the pipe header of a received in-band payload
 * @payload: the in-band data of a packet kmcl_wire_parse() accepted.
 * @len: its length as the packet says (a multiple of 8 on the wire: the
 *	sender's padding is included).
 * @data_size: receives the datagram's exact length; it starts at
 *	@payload + KMCL_PIPE_HDR_LEN.
 * @err: receives the reason (KMCL_PIPE_OK on success); may be NULL.
 *
 * Accepts a header of type KMCL_PIPE_MSG_DATA whose data_size fits in the
 * rest of the payload and leaves at most 7 bytes unused (the padding of
 * the VMBus packet to 8 bytes). A zero-length datagram is valid.
 *
 * Return: 0; -EPROTO for an unknown message type; -EBADMSG if the sizes
 * disagree or the payload is shorter than a header; -EINVAL for NULL
 * @payload or @data_size.
 */
int kmcl_pipe_parse(const void *payload, u32 len, u32 *data_size,
		    enum kmcl_pipe_err *err)
{
	enum kmcl_pipe_err e = KMCL_PIPE_OK;
	struct kmcl_pipe_hdr h;
	u32 room = 0;

	if (!payload || !data_size)
		return -EINVAL;
	*data_size = 0;
	if (len < KMCL_PIPE_HDR_LEN) {
		e = KMCL_PIPE_ERR_SHORT;
		goto out;
	}
	memcpy(&h, payload, sizeof(h));
	room = len - KMCL_PIPE_HDR_LEN;
	if (h.pkt_type != KMCL_PIPE_MSG_DATA)
		e = KMCL_PIPE_ERR_TYPE;
	else if (h.data_size > room)
		e = KMCL_PIPE_ERR_OVERRUN;
	else if (room - h.data_size >= 8)
		e = KMCL_PIPE_ERR_UNDERRUN;
	else
		*data_size = h.data_size;
out:
	if (err)
		*err = e;
	if (e == KMCL_PIPE_OK)
		return 0;
	return e == KMCL_PIPE_ERR_TYPE ? -EPROTO : -EBADMSG;
}
EXPORT_SYMBOL_KMCL(kmcl_pipe_parse);
