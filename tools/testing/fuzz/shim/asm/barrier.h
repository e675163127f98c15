/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stand-in for <asm/barrier.h>: C11 fences. */
#ifndef _FUZZ_SHIM_ASM_BARRIER_H
#define _FUZZ_SHIM_ASM_BARRIER_H
#define virt_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define virt_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define virt_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define virt_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#endif
