/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stand-in for <linux/kernel.h>: min, alignment helpers. */
#ifndef _FUZZ_SHIM_LINUX_KERNEL_H
#define _FUZZ_SHIM_LINUX_KERNEL_H
#include <linux/compiler.h>
#include <linux/types.h>

#define min(a, b)	({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); \
			   _a < _b ? _a : _b; })
#define max(a, b)	({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); \
			   _a > _b ? _a : _b; })
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define round_up(x, y)		((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif
