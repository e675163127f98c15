// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl.ko module entry: brings up and tears down the KMCL core.
 */
#include <linux/init.h>
#include <linux/module.h>

static int __init kmcl_init(void)
{
	return 0;
}

static void __exit kmcl_exit(void)
{
}

module_init(kmcl_init);
module_exit(kmcl_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VMBus Kernel Mode Client Library (KMCL) API for Linux");
