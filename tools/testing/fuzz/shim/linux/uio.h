/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _FUZZ_SHIM_LINUX_UIO_H
#define _FUZZ_SHIM_LINUX_UIO_H
#include <stddef.h>
struct kvec {
	void *iov_base;
	size_t iov_len;
};
#endif
