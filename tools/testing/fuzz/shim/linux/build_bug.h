/* SPDX-License-Identifier: GPL-2.0-only */
/* static_assert with an optional message, as the kernel's. */
#ifndef _FUZZ_SHIM_LINUX_BUILD_BUG_H
#define _FUZZ_SHIM_LINUX_BUILD_BUG_H
#undef static_assert
#define static_assert(expr, ...) __fuzz_static_assert(expr, ##__VA_ARGS__, #expr)
#define __fuzz_static_assert(expr, msg, ...) _Static_assert(expr, msg)
#endif
