// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_kunit.ko: the module that carries every KUnit suite of the project.
 * The suites run when the module is loaded (KUnit's module notifier).
 */
#include <linux/module.h>

#include "core_compat.h"

KMCL_IMPORT(KMCL);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for the KMCL core (kmcl.ko)");
