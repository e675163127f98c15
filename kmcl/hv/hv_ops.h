/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmcl_hv reaches hv_vmbus only through struct kmcl_hv_ops. The real table
 * (kmcl_hv_vmbus_ops, hv_ops.c) calls the kernel through compat.h; the
 * KUnit suite puts a model of hv_vmbus in its place (tests/model.c) and
 * checks the exact arguments of every call.
 *
 * The ops mirror hv_vmbus calls one to one, with hv_vmbus's own argument
 * lists and results, so that what the model records is what the kernel
 * would have received. Fields of struct vmbus_channel that a driver sets
 * before vmbus_open() (callback_mode, max_pkt_size, rqstor_size) are set
 * directly (through compat.h) and read back by the model at @open.
 */
#ifndef _KMCL_HV_OPS_H
#define _KMCL_HV_OPS_H

#include <linux/ioport.h>
#include <linux/notifier.h>
#include <linux/types.h>

#include "compat.h"

/**
 * struct kmcl_hv_ops - the hv_vmbus calls kmcl_hv makes
 *
 * Offers (process context, may sleep):
 * @driver_register: vmbus_driver_register(): 0, or -ENODEV when there is
 *	no VMBus (hv_vmbus built in on a machine that is not a Hyper-V
 *	guest), or driver_register()'s error. Matching devices are probed
 *	before it returns.
 * @driver_unregister: vmbus_driver_unregister(); bound devices are removed
 *	before it returns.
 * @device_of: the hv_device whose struct device @dev is, or NULL when @dev
 *	is not on the VMBus.
 * @watch_unbind: register @nb for driver unbind events of @dev's bus
 *	(BUS_NOTIFY_UNBIND_DRIVER, data = the device). 0 or -errno.
 * @unwatch_unbind: undo @watch_unbind.
 *
 * Channel lifetime (process context, may sleep):
 * @open: vmbus_open(). Ring sizes in bytes, multiples of PAGE_SIZE; the
 *	callback runs in the channel's tasklet (callback_mode HV_CALL_DIRECT)
 *	or hard IRQ (HV_CALL_ISR). 0, -EINVAL (sizes, already open), -ENOMEM,
 *	-ENODEV (rescinded), -EAGAIN (the host refused), -EDQUOT.
 * @close: vmbus_close(); no callback runs after it returns. Never from the
 *	channel callback.
 * @set_cpu: kmcl_hv_channel_set_cpu() (compat.h): ask the host to
 *	interrupt another CPU for an open channel. 0, -EOPNOTSUPP where
 *	hv_vmbus does not let a driver do it, or hv_vmbus's error.
 *
 * Sending (any context but hard IRQ here; the ring has its own lock):
 * @sendpacket: vmbus_sendpacket(). 0; -EAGAIN: ring full, nothing
 *	written; -ENODEV: rescinded (also after a write that raced a
 *	rescind); -EIO: ring indices corrupt (6.12.y).
 * @sendpacket_mpb_desc: vmbus_sendpacket_mpb_desc(): GPA-direct packet,
 *	always with COMPLETION_REQUESTED; @desc->rangecount must be set.
 *	Results as @sendpacket.
 * @set_pending_send_size: set_channel_pending_send_size(): ask for a
 *	signal once more than @size bytes are free (0: stop asking).
 * @bytes_to_write: hv_get_bytes_to_write() of the outgoing ring.
 *
 * Receiving (one reader context per channel at a time):
 * @pkt_iter_first: hv_pkt_iter_first(): the packet at the read position
 *	(a copy, at most max_pkt_size bytes, on 5.14+), or NULL when empty.
 *	Valid until the next iterator call.
 * @pkt_iter_next: hv_pkt_iter_next(): step past @pkt and return the next,
 *	or NULL after publishing the read position (hv_pkt_iter_close()).
 * @pkt_iter_close: hv_pkt_iter_close(): publish the read position and
 *	signal the host if it waits for room.
 * @begin_read: hv_begin_read(): mask the host's interrupts.
 * @end_read: hv_end_read(): unmask them; returns the bytes still unread.
 *
 * Memory (process context, may sleep):
 * @establish_gpadl: kmcl_hv_establish_gpadl() (compat.h).
 * @teardown_gpadl: kmcl_hv_teardown_gpadl() (compat.h).
 * @alloc_buffer: kmcl_hv_alloc_buffer() (compat.h): memory for a GPADL
 *	KMCL owns; host-visible from the start where the kernel has
 *	vmbus_alloc_buffer() and the VM is confidential.
 * @free_buffer: kmcl_hv_free_buffer() (compat.h).
 * @leak_buffer: kmcl_hv_leak_buffer() (compat.h).
 * @establish_gpadl_caller_decrypted:
 *	kmcl_hv_establish_gpadl_caller_decrypted() (compat.h): a GPADL over
 *	an @alloc_buffer buffer.
 * @allocate_mmio: vmbus_allocate_mmio().
 * @free_mmio: vmbus_free_mmio().
 *
 * Misc:
 * Subchannels:
 * @set_sc_callback: vmbus_set_sc_create_callback() on an open primary
 *	channel; hv_vmbus calls @cb from its subchannel work queue (process
 *	context) for each subchannel the host offers for it. NULL clears it.
 *
 * @is_isolated: kmcl_hv_isolated() (compat.h).
 * @set_decrypted: kmcl_hv_set_decrypted() (compat.h): share a bounce page.
 * @set_encrypted: kmcl_hv_set_encrypted() (compat.h): take it back.
 */
struct kmcl_hv_ops {
	int (*driver_register)(struct hv_driver *drv);
	void (*driver_unregister)(struct hv_driver *drv);
	struct hv_device *(*device_of)(struct device *dev);
	int (*watch_unbind)(struct notifier_block *nb, struct device *dev);
	void (*unwatch_unbind)(struct notifier_block *nb, struct device *dev);

	int (*open)(struct vmbus_channel *c, u32 send_size, u32 recv_size,
		    void *userdata, u32 userdatalen,
		    void (*callback)(void *ctx), void *ctx);
	void (*close)(struct vmbus_channel *c);
	int (*set_cpu)(struct vmbus_channel *c, u32 cpu);

	int (*sendpacket)(struct vmbus_channel *c, void *buf, u32 len,
			  u64 requestid, enum vmbus_packet_type type,
			  u32 flags);
	int (*sendpacket_mpb_desc)(struct vmbus_channel *c,
				   struct vmbus_packet_mpb_array *desc,
				   u32 desc_size, void *buf, u32 len,
				   u64 requestid);
	void (*set_pending_send_size)(struct vmbus_channel *c, u32 size);
	u32 (*bytes_to_write)(struct vmbus_channel *c);

	const struct vmpacket_descriptor *
		(*pkt_iter_first)(struct vmbus_channel *c);
	const struct vmpacket_descriptor *
		(*pkt_iter_next)(struct vmbus_channel *c,
				 const struct vmpacket_descriptor *pkt);
	void (*pkt_iter_close)(struct vmbus_channel *c);
	void (*begin_read)(struct vmbus_channel *c);
	u32 (*end_read)(struct vmbus_channel *c);

	int (*establish_gpadl)(struct vmbus_channel *c, void *buf, u32 size,
			       struct kmcl_hv_gpadl *gp);
	int (*teardown_gpadl)(struct vmbus_channel *c,
			      struct kmcl_hv_gpadl *gp);
	int (*alloc_buffer)(struct vmbus_channel *c, u32 size,
			    struct kmcl_hv_buffer *b);
	void (*free_buffer)(struct kmcl_hv_buffer *b);
	void (*leak_buffer)(struct kmcl_hv_buffer *b);
	int (*establish_gpadl_caller_decrypted)(struct vmbus_channel *c,
						struct kmcl_hv_buffer *b,
						u32 size,
						struct kmcl_hv_gpadl *gp);
	int (*allocate_mmio)(struct resource **res, struct hv_device *hdev,
			     resource_size_t min, resource_size_t max,
			     resource_size_t size, resource_size_t align,
			     bool fb_overlap_ok);
	void (*free_mmio)(resource_size_t start, resource_size_t size);

	void (*set_sc_callback)(struct vmbus_channel *primary,
				void (*cb)(struct vmbus_channel *sc));

	bool (*is_isolated)(void);
	int (*set_decrypted)(struct page *page);
	int (*set_encrypted)(struct page *page);
};

extern const struct kmcl_hv_ops kmcl_hv_vmbus_ops;

#endif /* _KMCL_HV_OPS_H */
