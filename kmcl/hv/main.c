// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_hv.ko: KMCL client channels over the in-tree hv_vmbus, on Hyper-V
 * and Azure guests.
 *
 * The module registers one instance of the hv transport with the KMCL
 * core, wired to the real hv_vmbus (kmcl_hv_vmbus_ops). Client channels
 * allocated afterwards with a parent other than kmcl_loopback_parent() run
 * over it (chan.h). On a machine without VMBus (hv_vmbus built in, not a
 * Hyper-V guest) it loads and stays idle: client channels wait for offers
 * that never come, and can be disabled and cleaned up as usual. Each
 * channel it serves holds a reference on the module, so it cannot be
 * unloaded under them.
 */
#include <linux/init.h>
#include <linux/module.h>

#include "kmcl.h"
#include "chan.h"

static struct kmcl_hv_xport kmcl_hv_main;

static int __init kmcl_hv_module_init(void)
{
	int ret;

	kmcl_hv_xport_init(&kmcl_hv_main, &kmcl_hv_vmbus_ops, THIS_MODULE);
	ret = kmcl_hv_xport_register(&kmcl_hv_main);
	if (ret)
		kmcl_hv_destroy(&kmcl_hv_main.hv);
	return ret;
}

static void __exit kmcl_hv_module_exit(void)
{
	kmcl_hv_xport_unregister(&kmcl_hv_main);
}

module_init(kmcl_hv_module_init);
module_exit(kmcl_hv_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KMCL client channels over hv_vmbus (Hyper-V, Azure)");
KMCL_IMPORT(KMCL_TRANSPORT);
