/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory descriptors, Linux side: the page lookups, Hyper-V PFN arithmetic
 * and kernel mappings behind the Windows MDL functions (kmcl/api_mdl.c) and
 * behind GPADLs and external data.
 *
 * This is the core's private header, included as "mdl.h". The public
 * header of the same name under include/ has the Windows names; nothing
 * here uses them.
 *
 * Hyper-V PFNs ("hvpfn") count 4 KiB pages (KMCL_WIRE_PAGE_SIZE) whatever
 * the Linux PAGE_SIZE is. One Linux page holds KMCL_HV_PER_PAGE consecutive
 * Hyper-V pages: hvpfn = linux_pfn * KMCL_HV_PER_PAGE + index in the page.
 * Arrays of them are unsigned long (64 bits on every supported
 * architecture), the type of Windows' PFN_NUMBER.
 *
 * Mappings: kmcl_hvpfns_map() returns either an address in the kernel's
 * direct map (the pages follow each other physically: nothing is mapped,
 * any context) or a vmap() mapping (process context only). Every vmap() is
 * registered, so kmcl_hvpfns_unmap() only ever unmaps what it mapped; from
 * atomic context the vunmap() is deferred to a worker. kmcl_mdl_exit()
 * drains that worker and must run at module exit.
 */
#ifndef _KMCL_MDL_PRIV_H
#define _KMCL_MDL_PRIV_H

#include <linux/export.h>
#include <linux/hardirq.h>
#include <linux/irqflags.h>
#include <linux/kconfig.h>
#include <linux/mm_types.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#include "core_compat.h"
#include "wire.h"

/* Hyper-V pages per Linux page: 1 with 4K pages, 4 with 16K, 16 with 64K. */
#define KMCL_HV_PER_PAGE	(PAGE_SIZE >> KMCL_WIRE_PAGE_SHIFT)
static_assert(PAGE_SIZE >= KMCL_WIRE_PAGE_SIZE);

/*
 * Hyper-V pages per 2 MiB block, a shift. Whether a page is memory of this
 * kernel (pfn_valid()) is decided per section or subsection, never finer
 * than 2 MiB, or (flat memory) by one interval; and the direct map is
 * linear. So between two pages of one aligned block, the first and last
 * of a run of consecutive pages, nothing can change: see kmcl_hvpfns_run().
 */
#define KMCL_HV_BLOCK_SHIFT	(21 - KMCL_WIRE_PAGE_SHIFT)

/* PFN stored for a page that could not be resolved: never valid memory. */
#define KMCL_HVPFN_INVALID	(~0UL)

/* kmcl_hvpfns_map() flags. */
#define KMCL_MAP_READONLY	BIT(0)	/* a new vmap() is read-only */
#define KMCL_MAP_SHARED		BIT(1)	/* pages an isolated peer sees */
#define KMCL_MAP_ATOMIC		BIT(2)	/* never vmap(): the caller may not sleep */

#ifndef KMCL_EXPORT_FOR_TESTS
#if IS_ENABLED(CONFIG_KUNIT)
#define KMCL_EXPORT_FOR_TESTS(sym) EXPORT_SYMBOL_KMCL_NS(sym, KMCL_INTERNAL)
#else
#define KMCL_EXPORT_FOR_TESTS(sym) __ADDRESSABLE(sym)
#endif
#endif

/**
 * kmcl_can_sleep() - whether the caller runs where it may sleep
 *
 * The Linux reading of Windows' "IRQL < DISPATCH_LEVEL": not in an
 * interrupt or softirq, bottom halves and interrupts enabled and, where the
 * kernel counts them (CONFIG_PREEMPT_COUNT), no spinlock or RCU read-side
 * section held. Without CONFIG_PREEMPT_COUNT a plain spin_lock() cannot be
 * seen: callers holding one must use the _bh lock variants (which is what
 * "DISPATCH_LEVEL" means in this project) or not ask for sleeping work.
 *
 * Return: true if sleeping is allowed.
 */
static inline bool kmcl_can_sleep(void)
{
	if (in_interrupt() || irqs_disabled())
		return false;
	if (IS_ENABLED(CONFIG_PREEMPT_COUNT) &&
	    (preempt_count() || rcu_preempt_depth()))
		return false;
	return true;
}

/**
 * kmcl_hv_pages_spanned() - Hyper-V pages touched by a byte range
 * @offset: offset of the range in its first Hyper-V page (or any address:
 *	only its low 12 bits count).
 * @len: length of the range in bytes.
 *
 * Return: number of 4 KiB pages, computed without overflow.
 */
static inline u64 kmcl_hv_pages_spanned(unsigned long offset, u64 len)
{
	return ((offset & (KMCL_WIRE_PAGE_SIZE - 1)) + len +
		KMCL_WIRE_PAGE_SIZE - 1) >> KMCL_WIRE_PAGE_SHIFT;
}

u32 kmcl_hvpfns_run(const unsigned long *hvpfns, u32 count);
int kmcl_hvpfns_from_va(const void *va, u32 count, unsigned long *hvpfns);
bool kmcl_hvpfns_match_va(const void *va, const unsigned long *hvpfns,
			  u32 count, u32 byte_offset);
int kmcl_hvpfns_from_pages(struct page **pages, u32 npages, u32 first,
			   u32 count, unsigned long *hvpfns);
int kmcl_hvpfns_layout(const unsigned long *hvpfns, u32 count, u32 per_page,
		       unsigned long *lpfns, u32 *nr_lpfns);
void *kmcl_hvpfns_map(const unsigned long *hvpfns, u32 count,
		      u32 byte_offset, unsigned int flags);
void kmcl_hvpfns_unmap(const void *va);
void kmcl_hvpfns_unmap_mdl_va(const void *va);
void kmcl_hvpfns_unmap_later(const void *va);
void kmcl_hvpfns_unmap_mine(const void *va);
void *kmcl_kvalloc_any(size_t size);
void kmcl_kvfree_any(void *p);

int kmcl_mdl_vmap_count(void);
int kmcl_mdl_vunmap_deferred(void);
int kmcl_mdl_foreign_unmaps(void);
void kmcl_mdl_flush(void);
void kmcl_mdl_exit(void);

#endif /* _KMCL_MDL_PRIV_H */
