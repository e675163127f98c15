/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stand-in for <linux/export.h>: exports are no-ops. */
#ifndef _FUZZ_SHIM_LINUX_EXPORT_H
#define _FUZZ_SHIM_LINUX_EXPORT_H
#define EXPORT_SYMBOL_NS_GPL(sym, ns)	extern int fuzz_export_##sym
#define EXPORT_SYMBOL_GPL(sym)		extern int fuzz_export_##sym
#endif
