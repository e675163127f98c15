// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real struct kmcl_hv_ops: each op is the hv_vmbus call of the same
 * name, made through compat.h where kernels differ. Nothing here keeps
 * state or decides anything; the logic is in the callers, where the KUnit
 * model can exercise it.
 */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/string.h>

#include "hv_ops.h"

static int kmcl_hv_vmbus_driver_register(struct hv_driver *drv)
{
	/* The macro passes THIS_MODULE and KBUILD_MODNAME: ours. */
	return vmbus_driver_register(drv);
}

static struct hv_device *kmcl_hv_vmbus_device_of(struct device *dev)
{
	/* hv_bus is not exported; its name has been "vmbus" since 2.6.32. */
	if (!dev || !dev->bus || !dev->bus->name ||
	    strcmp(dev->bus->name, "vmbus"))
		return NULL;
	return container_of(dev, struct hv_device, device);
}

static int kmcl_hv_vmbus_watch_unbind(struct notifier_block *nb,
				      struct device *dev)
{
	if (!dev->bus)
		return -ENODEV;
	return bus_register_notifier(dev->bus, nb);
}

static void kmcl_hv_vmbus_unwatch_unbind(struct notifier_block *nb,
					 struct device *dev)
{
	if (dev->bus)
		bus_unregister_notifier(dev->bus, nb);
}

static int kmcl_hv_vmbus_open(struct vmbus_channel *c, u32 send_size,
			      u32 recv_size, void *userdata, u32 userdatalen,
			      void (*callback)(void *ctx), void *ctx)
{
	return vmbus_open(c, send_size, recv_size, userdata, userdatalen,
			  callback, ctx);
}

static int kmcl_hv_vmbus_sendpacket(struct vmbus_channel *c, void *buf,
				    u32 len, u64 requestid,
				    enum vmbus_packet_type type, u32 flags)
{
	return vmbus_sendpacket(c, buf, len, requestid, type, flags);
}

static void kmcl_hv_vmbus_set_pending_send_size(struct vmbus_channel *c,
						u32 size)
{
	set_channel_pending_send_size(c, size);
}

static u32 kmcl_hv_vmbus_bytes_to_write(struct vmbus_channel *c)
{
	return hv_get_bytes_to_write(&c->outbound);
}

static const struct vmpacket_descriptor *
kmcl_hv_vmbus_pkt_iter_first(struct vmbus_channel *c)
{
	return hv_pkt_iter_first(c);
}

static const struct vmpacket_descriptor *
kmcl_hv_vmbus_pkt_iter_next(struct vmbus_channel *c,
			    const struct vmpacket_descriptor *pkt)
{
	return hv_pkt_iter_next(c, pkt);
}

static void kmcl_hv_vmbus_begin_read(struct vmbus_channel *c)
{
	hv_begin_read(&c->inbound);
}

static u32 kmcl_hv_vmbus_end_read(struct vmbus_channel *c)
{
	return hv_end_read(&c->inbound);
}

const struct kmcl_hv_ops kmcl_hv_vmbus_ops = {
	.driver_register = kmcl_hv_vmbus_driver_register,
	.driver_unregister = vmbus_driver_unregister,
	.device_of = kmcl_hv_vmbus_device_of,
	.watch_unbind = kmcl_hv_vmbus_watch_unbind,
	.unwatch_unbind = kmcl_hv_vmbus_unwatch_unbind,
	.open = kmcl_hv_vmbus_open,
	.close = vmbus_close,
	.set_cpu = kmcl_hv_channel_set_cpu,
	.sendpacket = kmcl_hv_vmbus_sendpacket,
	.sendpacket_mpb_desc = vmbus_sendpacket_mpb_desc,
	.set_pending_send_size = kmcl_hv_vmbus_set_pending_send_size,
	.bytes_to_write = kmcl_hv_vmbus_bytes_to_write,
	.pkt_iter_first = kmcl_hv_vmbus_pkt_iter_first,
	.pkt_iter_next = kmcl_hv_vmbus_pkt_iter_next,
	.pkt_iter_close = hv_pkt_iter_close,
	.begin_read = kmcl_hv_vmbus_begin_read,
	.end_read = kmcl_hv_vmbus_end_read,
	.establish_gpadl = kmcl_hv_establish_gpadl,
	.teardown_gpadl = kmcl_hv_teardown_gpadl,
	.alloc_buffer = kmcl_hv_alloc_buffer,
	.free_buffer = kmcl_hv_free_buffer,
	.leak_buffer = kmcl_hv_leak_buffer,
	.establish_gpadl_caller_decrypted =
		kmcl_hv_establish_gpadl_caller_decrypted,
	.allocate_mmio = vmbus_allocate_mmio,
	.free_mmio = vmbus_free_mmio,
	.set_sc_callback = kmcl_hv_set_sc_callback,
	.is_isolated = kmcl_hv_isolated,
	.set_decrypted = kmcl_hv_set_decrypted,
	.set_encrypted = kmcl_hv_set_encrypted,
};
