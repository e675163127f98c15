/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _FUZZ_SHIM_LINUX_STRING_H
#define _FUZZ_SHIM_LINUX_STRING_H
#include <string.h>
#endif
