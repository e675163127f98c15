// SPDX-License-Identifier: GPL-2.0-only
/* Harness self-test: an allocation that nothing frees or points to. */
#include <linux/module.h>
#include <linux/slab.h>

static int __init harness_leak_init(void)
{
	void *p = kmalloc(96, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	/* Keep the compiler from dropping the allocation, then forget it. */
	memset(p, 0x5a, 96);
	barrier_data(p);
	return 0;
}

static void __exit harness_leak_exit(void)
{
}

module_init(harness_leak_init);
module_exit(harness_leak_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KMCL harness self-test: a leaked allocation");
