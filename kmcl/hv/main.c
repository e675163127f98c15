// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_hv.ko: KMCL client channels over the in-tree hv_vmbus, on Hyper-V
 * and Azure guests.
 *
 * The module holds one instance of the hv transport, wired to the real
 * hv_vmbus (kmcl_hv_vmbus_ops). On a machine without VMBus (hv_vmbus built
 * in, not a Hyper-V guest) it loads and stays idle: client channels wait
 * for offers that never come, and can be disabled and cleaned up as
 * usual.
 */
#include <linux/init.h>
#include <linux/module.h>

#include "kmcl_hv.h"

static struct kmcl_hv kmcl_hv_main;

static int __init kmcl_hv_module_init(void)
{
	kmcl_hv_init(&kmcl_hv_main, &kmcl_hv_vmbus_ops);
	return 0;
}

static void __exit kmcl_hv_module_exit(void)
{
	kmcl_hv_destroy(&kmcl_hv_main);
}

module_init(kmcl_hv_module_init);
module_exit(kmcl_hv_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KMCL client channels over hv_vmbus (Hyper-V, Azure)");
