// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl.ko module entry: brings up and tears down the KMCL core.
 *
 * The module provides a root device, /sys/devices/kmcl, that stands for the
 * loopback VMBus: code without a device of its own (tests, samples) passes
 * it as ParentDeviceObject, and it is what VmbChannelGetTargetDeviceObject
 * reports on loopback.
 *
 * Unloading: every channel must have been cleaned up before. Users that
 * call the API hold a reference on this module through their symbol
 * imports (and through InterfaceReference), so rmmod cannot run while they
 * are loaded.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/rcupdate.h>

#include "kmcl.h"
#include "mdl.h"

static struct device *kmcl_root_dev;

/**
 * kmcl_loopback_parent() - the loopback VMBus root device
 *
 * Return: a device that lives as long as kmcl.ko, for use as
 * ParentDeviceObject by code that has no device of its own.
 */
struct device *kmcl_loopback_parent(void)
{
	return kmcl_root_dev;
}
EXPORT_SYMBOL_KMCL(kmcl_loopback_parent);

static int __init kmcl_init(void)
{
	kmcl_root_dev = root_device_register("kmcl");
	if (IS_ERR(kmcl_root_dev))
		return PTR_ERR(kmcl_root_dev);
	kmcl_debugfs_init();
	return 0;
}

static void __exit kmcl_exit(void)
{
	int live = kmcl_channel_live_count();

	/*
	 * Only reachable if a user leaked channels and is gone already: their
	 * memory is left alone rather than freed under unknown owners.
	 */
	if (live)
		pr_err("%d channel(s) were never cleaned up; leaking them\n", live);
	kmcl_debugfs_exit();
	/* Links parked by saves that were never restored. */
	kmcl_loopback_exit();
	/* Deferred unmaps of MDLs run code of this module: wait for them. */
	kmcl_mdl_exit();
	root_device_unregister(kmcl_root_dev);
	/* Loopback links are freed by RCU callbacks that live in this module. */
	rcu_barrier();
}

module_init(kmcl_init);
module_exit(kmcl_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VMBus Kernel Mode Client Library (KMCL) API for Linux");
