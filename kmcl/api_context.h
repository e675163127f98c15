/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The context check of the API functions documented PASSIVE_LEVEL.
 *
 * Windows refuses (or bugchecks) such a call at DISPATCH_LEVEL; here a
 * call from softirq context (a ProcessPacket in the channel's tasklet, a
 * completion routine), with bottom halves or interrupts off, or (where the
 * kernel counts them) under a spinlock would sleep in atomic context. Each
 * of those functions asks kmcl_api_atomic() first: it logs once per call
 * site and the function returns STATUS_INVALID_DEVICE_STATE, or does
 * nothing for a VOID function. It never sleeps there.
 */
#ifndef _KMCL_API_CONTEXT_H
#define _KMCL_API_CONTEXT_H

#include <linux/printk.h>

#include "mdl.h"

/* True (and logged once) if the caller may not sleep. */
#define kmcl_api_atomic()						\
({									\
	bool __atomic = !kmcl_can_sleep();				\
									\
	if (__atomic)							\
		pr_warn_once("%s: called where it may not sleep (DISPATCH_LEVEL); refused\n", \
			     __func__);					\
	__atomic;							\
})

#endif /* _KMCL_API_CONTEXT_H */
