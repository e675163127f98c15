/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stand-in for <linux/compiler.h>. READ_ONCE/WRITE_ONCE are
 * volatile accesses, as in the kernel, so the fuzzer sees the same
 * single loads the kernel code does.
 */
#ifndef _FUZZ_SHIM_LINUX_COMPILER_H
#define _FUZZ_SHIM_LINUX_COMPILER_H
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#ifndef __packed
#define __packed		__attribute__((__packed__))
#endif
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#endif
