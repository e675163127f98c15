/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel's errno values the fuzzed files return (x86 numbering). */
#ifndef _FUZZ_SHIM_LINUX_ERRNO_H
#define _FUZZ_SHIM_LINUX_ERRNO_H
#define EINVAL		22
#define EAGAIN		11
#define EMSGSIZE	90
#define EBADMSG		74
#define EPROTO		71
#define EPROTONOSUPPORT	93
#endif
