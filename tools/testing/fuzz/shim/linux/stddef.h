/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _FUZZ_SHIM_LINUX_STDDEF_H
#define _FUZZ_SHIM_LINUX_STDDEF_H
#include <stddef.h>
#endif
