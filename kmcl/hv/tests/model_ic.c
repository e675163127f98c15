// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host's side of the heartbeat IC on the model of hv_vmbus; see
 * model_ic.h. Messages are laid out as a Hyper-V host lays them out:
 * pipe header, IC header with the TRANSACTION and REQUEST flags, body.
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/hyperv.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "model_ic.h"

/* The host's transaction ids: its own counter, never 0. */
static atomic64_t kmcl_hv_mic_txid = ATOMIC64_INIT(0x4000);

/**
 * kmcl_hv_mic_header() - the headers of a request
 * @buf: at least @len bytes; zeroed first.
 * @type: IC message type.
 * @len: length of the whole message (at least the headers).
 *
 * Return: @len.
 */
u32 kmcl_hv_mic_header(void *buf, u16 type, u32 len)
{
	PIC_MESSAGE m = buf;

	memset(buf, 0, len);
	m->Pipe.MessageSize = len - sizeof(IC_PIPE_HEADER);
	m->Header.FrameworkVersion.Major = 3;
	m->Header.MessageVersion.Major = 3;
	m->Header.MessageType = type;
	m->Header.MessageSize = len - IC_HEADERS_SIZE;
	m->Header.Flags = IC_MSGFLAG_TRANSACTION | IC_MSGFLAG_REQUEST;
	return len;
}

/**
 * kmcl_hv_mic_negotiate() - a negotiation request
 * @buf: at least IC_NEGOTIATE_SIZE(@nframework + @nservice) bytes.
 * @framework: framework versions (major << 16 | minor).
 * @nframework: how many.
 * @service: service versions.
 * @nservice: how many.
 *
 * Return: the message's length.
 */
u32 kmcl_hv_mic_negotiate(void *buf, const u32 *framework, u16 nframework,
			  const u32 *service, u16 nservice)
{
	u32 len = kmcl_hv_mic_header(buf, IC_MSGTYPE_NEGOTIATE,
				     IC_NEGOTIATE_SIZE(nframework + nservice));
	PIC_NEGOTIATE n = buf + IC_HEADERS_SIZE;
	unsigned int i;

	n->FrameworkCount = nframework;
	n->ServiceCount = nservice;
	for (i = 0; i < nframework + nservice; i++) {
		u32 v = i < nframework ? framework[i] : service[i - nframework];

		n->Versions[i].Major = IC_VERSION_MAJOR(v);
		n->Versions[i].Minor = IC_VERSION_MINOR(v);
	}
	return len;
}

/**
 * kmcl_hv_mic_heartbeat() - a heartbeat request, reserved part included
 * @buf: at least IC_HEADERS_SIZE + sizeof(IC_HEARTBEAT_BODY) bytes.
 * @seq: its sequence number.
 *
 * Return: the message's length.
 */
u32 kmcl_hv_mic_heartbeat(void *buf, u64 seq)
{
	u32 len = kmcl_hv_mic_header(buf, IC_MSGTYPE_HEARTBEAT,
				     IC_HEADERS_SIZE + sizeof(IC_HEARTBEAT_BODY));
	PIC_HEARTBEAT_BODY b = buf + IC_HEADERS_SIZE;

	b->SequenceNumber = seq;
	return len;
}

/**
 * kmcl_hv_mic_send() - the host sends one IC message
 * @md: an open device.
 * @msg: the message.
 * @len: its length.
 *
 * In band, no completion requested, a fresh host transaction id.
 *
 * Return: as kmcl_hv_model_host_send().
 */
int kmcl_hv_mic_send(struct kmcl_hv_mdev *md, const void *msg, u32 len)
{
	return kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND, 0,
				       atomic64_inc_return(&kmcl_hv_mic_txid),
				       msg, len);
}

/**
 * kmcl_hv_mic_recv() - the host waits for the guest's next packet
 * @md: an open device.
 * @a: receives it.
 * @timeout_ms: how long to wait.
 *
 * Return: 0; -ETIMEDOUT if nothing came; -EBADMSG for a descriptor that
 * does not fit the packet; the model's errors.
 */
int kmcl_hv_mic_recv(struct kmcl_hv_mdev *md, struct kmcl_hv_mic_answer *a,
		     unsigned int timeout_ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(timeout_ms);
	u32 size = sizeof(struct vmpacket_descriptor) + sizeof(a->data);
	struct vmpacket_descriptor d;
	u32 len, off;
	u8 *pkt;
	int ret;

	pkt = kmalloc(size, GFP_KERNEL);
	if (!pkt)
		return -ENOMEM;
	for (;;) {
		ret = kmcl_hv_model_host_recv(md, pkt, size, &len);
		if (ret != -EAGAIN)
			break;
		if (time_after(jiffies, end)) {
			ret = -ETIMEDOUT;
			break;
		}
		usleep_range(1000, 2000);
	}
	if (ret)
		goto out;
	ret = -EBADMSG;
	if (len < sizeof(d))
		goto out;
	memcpy(&d, pkt, sizeof(d));
	off = d.offset8 << 3;
	if (off < sizeof(d) || (u32)d.len8 << 3 != len || off > len ||
	    len - off > sizeof(a->data))
		goto out;
	a->type = d.type;
	a->flags = d.flags;
	a->trans_id = d.trans_id;
	a->len = len - off;
	memcpy(a->data, pkt + off, a->len);
	ret = 0;
out:
	kfree(pkt);
	return ret;
}
