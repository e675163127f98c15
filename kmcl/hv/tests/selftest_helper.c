// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_hv_selftest.ko: the helper of the kselftest kmcl_hv_no_vmbus.sh.
 *
 * Loading it enables a KMCL client channel (through the Windows-named API,
 * as a ported VSC would) for an interface type no host offers, with a
 * parent device of its own, so the hv transport serves it. The channel
 * shows up in debugfs as /sys/kernel/debug/kmcl/kmcl_hv_selftest and waits
 * for its offer; unloading the module disables and cleans it up, which
 * must return promptly although no offer ever came.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/module.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "core_compat.h"

/* An interface type no Hyper-V host offers (random). */
static const GUID kmcl_hv_st_type = {
	0x5d1a0c4e, 0x93b7, 0x4f21, { 0xa8, 0x6e, 0x2b, 0x7c, 0x41, 0x90, 0xd3, 0x5f }
};

static struct device *kmcl_hv_st_dev;
static VMBCHANNEL kmcl_hv_st_ch;

static int __init kmcl_hv_st_init(void)
{
	UNICODE_STRING name = RTL_CONSTANT_STRING(L"kmcl_hv_selftest");
	NTSTATUS st;

	kmcl_hv_st_dev = root_device_register("kmcl_hv_selftest");
	if (IS_ERR(kmcl_hv_st_dev))
		return PTR_ERR(kmcl_hv_st_dev);
	st = VmbChannelAllocate(kmcl_hv_st_dev, FALSE, &kmcl_hv_st_ch);
	if (NT_SUCCESS(st))
		st = VmbChannelInitSetFriendlyName(kmcl_hv_st_ch, &name);
	if (NT_SUCCESS(st))
		st = VmbClientChannelInitSetTargetPnp(kmcl_hv_st_ch,
						      &kmcl_hv_st_type, NULL,
						      NULL);
	if (NT_SUCCESS(st))
		st = VmbChannelEnable(kmcl_hv_st_ch);
	if (NT_SUCCESS(st))
		return 0;
	pr_err("cannot enable the test channel: %#010x\n", (u32)st);
	if (kmcl_hv_st_ch)
		VmbChannelCleanup(kmcl_hv_st_ch);
	root_device_unregister(kmcl_hv_st_dev);
	return -EIO;
}

static void __exit kmcl_hv_st_exit(void)
{
	VmbChannelDisable(kmcl_hv_st_ch);
	VmbChannelCleanup(kmcl_hv_st_ch);
	root_device_unregister(kmcl_hv_st_dev);
}

module_init(kmcl_hv_st_init);
module_exit(kmcl_hv_st_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kselftest helper: a KMCL client channel waiting on kmcl_hv");
KMCL_IMPORT(KMCL);
