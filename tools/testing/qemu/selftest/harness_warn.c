// SPDX-License-Identifier: GPL-2.0-only
/* Harness self-test: a WARN_ON when the module loads. */
#include <linux/bug.h>
#include <linux/module.h>

static int planted = 1;
module_param(planted, int, 0444);

static int __init harness_warn_init(void)
{
	WARN_ON(planted);
	return 0;
}

static void __exit harness_warn_exit(void)
{
}

module_init(harness_warn_init);
module_exit(harness_warn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KMCL harness self-test: a WARN_ON");
