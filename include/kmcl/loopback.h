/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel loopback VMBus, for ported code (Linux extension).
 *
 * On Windows a VSC or VSP passes its own DEVICE_OBJECT to
 * VmbChannelAllocate(). A Linux module that only wants to talk to another
 * module over the loopback VMBus has no device of its own; it passes the
 * loopback root device (/sys/devices/kmcl) instead. Server endpoints and the
 * clients that open them then meet on loopback by interface type and
 * instance, exactly as on VMBus.
 */
#ifndef _KMCL_LOOPBACK_H
#define _KMCL_LOOPBACK_H

struct device;

/**
 * kmcl_loopback_parent() - the loopback VMBus root device
 *
 * Exported by kmcl.ko in the KMCL namespace.
 *
 * Context: any context.
 * Return: a device that lives as long as kmcl.ko, for use as the
 * ParentDeviceObject of VmbChannelAllocate() or VmbChannelInitialize().
 */
struct device *kmcl_loopback_parent(void);

#endif /* _KMCL_LOOPBACK_H */
