/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _FUZZ_SHIM_LINUX_MODULE_H
#define _FUZZ_SHIM_LINUX_MODULE_H
#include <linux/export.h>
#define MODULE_INFO(tag, info)	extern int fuzz_modinfo_##tag
#endif
