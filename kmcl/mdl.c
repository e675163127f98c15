// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory descriptors, Linux side: from kernel buffers and page arrays to
 * 4 KiB Hyper-V PFNs, and from PFNs back to one contiguous kernel mapping.
 *
 * Describing memory: a kmalloc()/page-allocator buffer lives in the direct
 * map (virt_to_page()), a vmalloc()/vmap() buffer is looked up page by page
 * (vmalloc_to_page()). Either way the Linux page and the address's offset
 * in it give the Hyper-V PFN, so the result is right for any PAGE_SIZE.
 *
 * Mapping PFNs: the PFNs are turned back into Linux pages (which also checks
 * that the Hyper-V pages inside each Linux page follow each other, the only
 * layout one virtually contiguous mapping can have). Pages that are
 * physically consecutive are already contiguous in the direct map: their
 * address is returned and nothing is mapped, in any context. Otherwise the
 * pages are vmap()ed, which may sleep, so atomic callers get NULL.
 *
 * Every vmap() made here has a record in kmcl_vmaps (keyed by the mapping's
 * base), allocated together with the mapping. Unmapping looks the record
 * up, so an address we did not map is never passed to vunmap(); from atomic
 * context, where vunmap() must not run, the record carries the address to a
 * worker instead. kmcl_mdl_exit() waits for that worker.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/hashtable.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "bounce.h"
#include "mdl.h"

/**
 * struct kmcl_vmap_rec - one vmap() made by kmcl_hvpfns_map()
 * @hnode: entry in kmcl_vmaps while the mapping is live.
 * @lnode: entry in kmcl_vunmap_list once unmapping is deferred.
 * @base: the address vmap() returned (page aligned).
 */
struct kmcl_vmap_rec {
	struct hlist_node hnode;
	struct llist_node lnode;
	void *base;
};

#define KMCL_VMAPS_BITS	7

static DEFINE_HASHTABLE(kmcl_vmaps, KMCL_VMAPS_BITS);
static DEFINE_SPINLOCK(kmcl_vmaps_lock);
static atomic_t kmcl_vmap_live = ATOMIC_INIT(0);
static atomic_t kmcl_vunmap_deferred = ATOMIC_INIT(0);
static atomic_t kmcl_vunmap_foreign = ATOMIC_INIT(0);

/* Work that atomic callers could not do: vunmap() and vfree(). */
static LLIST_HEAD(kmcl_vunmap_list);
static LLIST_HEAD(kmcl_vfree_list);
static void kmcl_mdl_deferred_fn(struct work_struct *work);
static DECLARE_WORK(kmcl_mdl_deferred_work, kmcl_mdl_deferred_fn);

static void kmcl_vunmap_rec(struct kmcl_vmap_rec *rec)
{
	vunmap(rec->base);
	kfree(rec);
	atomic_dec(&kmcl_vmap_live);
}

static void kmcl_mdl_deferred_fn(struct work_struct *work)
{
	struct llist_node *list, *pos, *next;
	struct kmcl_vmap_rec *rec, *tmp;

	list = llist_del_all(&kmcl_vunmap_list);
	llist_for_each_entry_safe(rec, tmp, list, lnode)
		kmcl_vunmap_rec(rec);

	/* Each node is the first bytes of the vmalloc() block it frees. */
	list = llist_del_all(&kmcl_vfree_list);
	llist_for_each_safe(pos, next, list)
		vfree(pos);
}

/* The Linux page under a kernel address, or NULL if it has none we know. */
static struct page *kmcl_kaddr_to_page(unsigned long addr)
{
	if (is_vmalloc_addr((void *)addr))
		return vmalloc_to_page((void *)addr);
	if (virt_addr_valid((void *)addr))
		return virt_to_page((void *)addr);
	return NULL;
}

static unsigned long kmcl_page_hvpfn(struct page *page, u32 index)
{
	return page_to_pfn(page) * KMCL_HV_PER_PAGE + index;
}

/**
 * kmcl_hvpfns_from_va() - Hyper-V PFNs of a kernel buffer
 * @va: an address in the first 4 KiB page to describe (only its page
 *	matters).
 * @count: number of consecutive 4 KiB pages to describe.
 * @hvpfns: receives @count PFNs.
 *
 * @va must be in the direct map (kmalloc(), the page allocator, the kernel
 * image) or in the vmalloc area (vmalloc(), vmap(), vmapped stacks).
 *
 * Context: any context but hard interrupts; does not sleep.
 * Return: 0; -EINVAL if the range wraps around; -EFAULT if a page has no
 * Linux page of either kind (then @hvpfns holds KMCL_HVPFN_INVALID).
 */
int kmcl_hvpfns_from_va(const void *va, u32 count, unsigned long *hvpfns)
{
	unsigned long addr = (unsigned long)va & ~(KMCL_WIRE_PAGE_SIZE - 1UL);
	u32 i;

	if (count && addr + ((unsigned long)count << KMCL_WIRE_PAGE_SHIFT) - 1 < addr)
		return -EINVAL;
	for (i = 0; i < count; i++, addr += KMCL_WIRE_PAGE_SIZE) {
		struct page *page = kmcl_kaddr_to_page(addr);

		if (!page) {
			memset(hvpfns, 0xff, count * sizeof(*hvpfns));
			return -EFAULT;
		}
		hvpfns[i] = kmcl_page_hvpfn(page, offset_in_page(addr) >>
					    KMCL_WIRE_PAGE_SHIFT);
	}
	return 0;
}

KMCL_EXPORT_FOR_TESTS(kmcl_hvpfns_from_va);

/**
 * kmcl_hvpfns_run() - the run of consecutive pages at the head of an array
 * @hvpfns: Hyper-V PFNs.
 * @count: entries in @hvpfns, at least 1.
 *
 * Counts the entries from @hvpfns[0] on that go up by one each, inside the
 * 2 MiB block of @hvpfns[0] (KMCL_HV_BLOCK_SHIFT). A page check that holds
 * for the first and the last page of the run holds for every page between
 * them: the callers check only those two.
 *
 * Context: any.
 * Return: the length of the run, from 1 to @count.
 */
u32 kmcl_hvpfns_run(const unsigned long *hvpfns, u32 count)
{
	unsigned long first = hvpfns[0];
	u32 n = 1;

	while (n < count && hvpfns[n] == first + n &&
	       !((hvpfns[n] ^ first) >> KMCL_HV_BLOCK_SHIFT))
		n++;
	return n;
}

KMCL_EXPORT_FOR_TESTS(kmcl_hvpfns_run);

/* Does the page under kernel address @addr hold Hyper-V page @hvpfn? */
static bool kmcl_kaddr_is_hvpfn(unsigned long addr, unsigned long hvpfn)
{
	struct page *page = kmcl_kaddr_to_page(addr);

	return page && kmcl_page_hvpfn(page, offset_in_page(addr) >>
				       KMCL_WIRE_PAGE_SHIFT) == hvpfn;
}

/**
 * kmcl_hvpfns_match_va() - does a kernel address show exactly these PFNs?
 * @va: an address in the direct map or the vmalloc area, or NULL.
 * @hvpfns: Hyper-V PFNs, in order.
 * @count: entries in @hvpfns.
 * @byte_offset: offset of the data in the first Hyper-V page.
 *
 * Checks, through the kernel's own page tables, that the @count 4 KiB
 * pages from @va's page are the pages of @hvpfns, and that @va lies
 * @byte_offset bytes into the first one. Then @va is a mapping of the
 * buffer the PFNs describe, usable as it is (nothing is mapped). In the
 * vmalloc area every page is looked up; in the direct map, which is
 * linear, the two ends of each run of consecutive pages
 * (kmcl_hvpfns_run()) stand for the run.
 *
 * Context: any context but hard interrupts; never sleeps, allocates
 * nothing.
 * Return: true if every page matches.
 */
bool kmcl_hvpfns_match_va(const void *va, const unsigned long *hvpfns,
			  u32 count, u32 byte_offset)
{
	unsigned long addr = (unsigned long)va, last;
	u32 i, run;

	if (!va || !count ||
	    (addr & (KMCL_WIRE_PAGE_SIZE - 1)) != byte_offset)
		return false;
	addr -= byte_offset;
	if (addr + ((unsigned long)count << KMCL_WIRE_PAGE_SHIFT) - 1 < addr)
		return false;
	for (i = 0; i < count; i += run) {
		run = is_vmalloc_addr((void *)addr) ? 1 :
		      kmcl_hvpfns_run(hvpfns + i, count - i);
		last = addr + ((unsigned long)(run - 1) << KMCL_WIRE_PAGE_SHIFT);
		if (!kmcl_kaddr_is_hvpfn(addr, hvpfns[i]))
			return false;
		if (run > 1 && (is_vmalloc_addr((void *)last) ||
				!kmcl_kaddr_is_hvpfn(last, hvpfns[i + run - 1])))
			return false;
		addr = last + KMCL_WIRE_PAGE_SIZE;
	}
	return true;
}

KMCL_EXPORT_FOR_TESTS(kmcl_hvpfns_match_va);

/**
 * kmcl_hvpfns_from_pages() - Hyper-V PFNs of part of a page array
 * @pages: Linux pages, in buffer order.
 * @npages: entries in @pages.
 * @first: first 4 KiB page to describe, counted from the start of @pages[0].
 * @count: number of 4 KiB pages to describe.
 * @hvpfns: receives @count PFNs.
 *
 * Only the entries of @pages that the range touches are read.
 *
 * Context: any context; does not sleep.
 * Return: 0; -EINVAL if the range does not fit in @npages pages or touches
 * a NULL entry.
 */
int kmcl_hvpfns_from_pages(struct page **pages, u32 npages, u32 first,
			   u32 count, unsigned long *hvpfns)
{
	u64 end = (u64)first + count;
	u32 i;

	if (!pages || end > (u64)npages * KMCL_HV_PER_PAGE)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		u64 idx = (u64)first + i;
		struct page *page = pages[idx / KMCL_HV_PER_PAGE];

		if (!page)
			return -EINVAL;
		hvpfns[i] = kmcl_page_hvpfn(page, idx % KMCL_HV_PER_PAGE);
	}
	return 0;
}

KMCL_EXPORT_FOR_TESTS(kmcl_hvpfns_from_pages);

/**
 * kmcl_hvpfns_layout() - Linux pages under a Hyper-V PFN array
 * @hvpfns: the Hyper-V PFNs of a buffer, in order.
 * @count: entries in @hvpfns, > 0.
 * @per_page: Hyper-V pages per Linux page (KMCL_HV_PER_PAGE; a parameter
 *	so that other page sizes can be tested).
 * @lpfns: receives the Linux PFNs, one per Linux page touched; may be NULL
 *	to only count them. Needs at most @count entries.
 * @nr_lpfns: receives the number of Linux pages touched.
 *
 * A buffer that one virtual mapping can show contiguously enters each Linux
 * page at Hyper-V index 0 (except the first page) and stays on consecutive
 * Hyper-V pages until that Linux page ends (except the last page). Any other
 * layout cannot be mapped and is refused. With 4 KiB Linux pages every
 * layout is fine.
 *
 * Context: any context; pure arithmetic.
 * Return: 0, or -EINVAL for an empty array or a layout that is not mappable.
 */
int kmcl_hvpfns_layout(const unsigned long *hvpfns, u32 count, u32 per_page,
		       unsigned long *lpfns, u32 *nr_lpfns)
{
	u32 i, nr = 1;

	if (!count || !per_page)
		return -EINVAL;
	if (lpfns)
		lpfns[0] = hvpfns[0] / per_page;
	for (i = 1; i < count; i++) {
		unsigned long prev = hvpfns[i - 1], cur = hvpfns[i];

		if (prev % per_page != per_page - 1) {
			/* Still inside the Linux page of @prev. */
			if (cur != prev + 1)
				return -EINVAL;
			continue;
		}
		if (cur % per_page)
			return -EINVAL;
		if (lpfns)
			lpfns[nr] = cur / per_page;
		nr++;
	}
	*nr_lpfns = nr;
	return 0;
}

KMCL_EXPORT_FOR_TESTS(kmcl_hvpfns_layout);

/*
 * Walks the Linux pages under a PFN array that kmcl_hvpfns_layout()
 * accepted: checks that each is RAM, stores it in @pages (if not NULL) and
 * tells whether all of them are consecutive pages of the direct map.
 */
static int kmcl_hvpfns_pages(const unsigned long *hvpfns, u32 count,
			     struct page **pages, bool *direct)
{
	unsigned long prev = 0;
	u32 i, n = 0;

	*direct = true;
	for (i = 0; i < count; i++) {
		unsigned long lpfn;
		struct page *page;

		/* Layout checked: a new Linux page starts at index 0 only. */
		if (i && hvpfns[i] % KMCL_HV_PER_PAGE)
			continue;
		lpfn = hvpfns[i] / KMCL_HV_PER_PAGE;
		if (!pfn_valid(lpfn))
			return -EFAULT;
		page = pfn_to_page(lpfn);
		if ((n && lpfn != prev + 1) || PageHighMem(page))
			*direct = false;
		if (pages)
			pages[n] = page;
		prev = lpfn;
		n++;
	}
	return 0;
}

/**
 * kmcl_hvpfns_map() - one contiguous kernel address for a PFN array
 * @hvpfns: Hyper-V PFNs of the buffer, in order.
 * @count: entries in @hvpfns, > 0.
 * @byte_offset: offset of the buffer in the first Hyper-V page.
 * @flags: KMCL_MAP_READONLY, KMCL_MAP_SHARED (a vmap() is the decrypted
 *	alias: kmcl_map_pgprot()), KMCL_MAP_ATOMIC (treat the caller as
 *	atomic whatever kmcl_can_sleep() says) or 0.
 *
 * Physically consecutive RAM pages are returned through the direct map: no
 * mapping is made and it works in any context, but KMCL_MAP_READONLY cannot
 * apply. Other pages are mapped with vmap(), in process context only; from
 * atomic context (see kmcl_can_sleep()) NULL is returned instead. With
 * KMCL_MAP_READONLY in process context a read-only vmap() is made even for
 * consecutive pages. Release with kmcl_hvpfns_unmap().
 *
 * Context: any context but hard interrupts.
 * Return: the address of byte @byte_offset of the first page, or NULL if a
 * PFN is not RAM, the layout cannot be mapped (kmcl_hvpfns_layout()), a
 * vmap() is needed but the caller cannot sleep, or memory ran out.
 */
void *kmcl_hvpfns_map(const unsigned long *hvpfns, u32 count,
		      u32 byte_offset, unsigned int flags)
{
	bool ro = flags & KMCL_MAP_READONLY;
	struct kmcl_vmap_rec *rec = NULL;
	struct page **pages = NULL;
	unsigned long offset;
	bool sleep, direct;
	void *va = NULL;
	u32 nr;

	if (!hvpfns || !count || byte_offset >= KMCL_WIRE_PAGE_SIZE)
		return NULL;
	if (kmcl_hvpfns_layout(hvpfns, count, KMCL_HV_PER_PAGE, NULL, &nr) ||
	    kmcl_hvpfns_pages(hvpfns, count, NULL, &direct))
		return NULL;
	offset = (hvpfns[0] % KMCL_HV_PER_PAGE) * KMCL_WIRE_PAGE_SIZE +
		 byte_offset;
	sleep = !(flags & KMCL_MAP_ATOMIC) && kmcl_can_sleep();
	if (direct && !(ro && sleep))
		return page_address(pfn_to_page(hvpfns[0] / KMCL_HV_PER_PAGE)) +
		       offset;
	if (!sleep)
		return NULL;

	might_sleep();
	pages = kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL);
	rec = kmalloc(sizeof(*rec), GFP_KERNEL);
	if (!pages || !rec)
		goto out;
	kmcl_hvpfns_pages(hvpfns, count, pages, &direct);
	rec->base = vmap(pages, nr, VM_MAP,
			 kmcl_map_pgprot(flags & KMCL_MAP_SHARED, ro));
	if (!rec->base)
		goto out;
	spin_lock_irq(&kmcl_vmaps_lock);
	hash_add(kmcl_vmaps, &rec->hnode, (unsigned long)rec->base);
	spin_unlock_irq(&kmcl_vmaps_lock);
	atomic_inc(&kmcl_vmap_live);
	va = rec->base + offset;
	rec = NULL;
out:
	kfree(rec);
	kvfree(pages);
	return va;
}

KMCL_EXPORT_FOR_TESTS(kmcl_hvpfns_map);

/*
 * Unregister @va's vmap(); unmap it here if @now and we may sleep. An
 * address that is not one is left alone, and logged unless @quiet.
 */
static void kmcl_hvpfns_unmap_how(const void *va, bool now, bool quiet)
{
	void *base = (void *)((unsigned long)va & PAGE_MASK);
	struct kmcl_vmap_rec *rec, *found = NULL;
	unsigned long flags;

	if (!va || !is_vmalloc_addr(va))
		return;
	spin_lock_irqsave(&kmcl_vmaps_lock, flags);
	hash_for_each_possible(kmcl_vmaps, rec, hnode, (unsigned long)base) {
		if (rec->base == base) {
			hash_del(&rec->hnode);
			found = rec;
			break;
		}
	}
	spin_unlock_irqrestore(&kmcl_vmaps_lock, flags);
	if (!found) {
		if (!quiet) {
			atomic_inc(&kmcl_vunmap_foreign);
			pr_warn_ratelimited("unmap of %p: not a mapping KMCL made\n",
					    va);
		}
		return;
	}
	if (now && kmcl_can_sleep()) {
		kmcl_vunmap_rec(found);
		return;
	}
	atomic_inc(&kmcl_vunmap_deferred);
	llist_add(&found->lnode, &kmcl_vunmap_list);
	schedule_work(&kmcl_mdl_deferred_work);
}

/**
 * kmcl_hvpfns_unmap() - release an address from kmcl_hvpfns_map()
 * @va: the address kmcl_hvpfns_map() returned, or NULL (ignored).
 *
 * A direct-map address needs nothing. A vmap() is removed at once in
 * process context and by a worker otherwise; either way @va must not be
 * used any more. An address in the vmalloc area that kmcl_hvpfns_map() did
 * not map is logged and left alone.
 *
 * Context: any context but hard interrupts.
 */
void kmcl_hvpfns_unmap(const void *va)
{
	kmcl_hvpfns_unmap_how(va, true, false);
}

KMCL_EXPORT_FOR_TESTS(kmcl_hvpfns_unmap);

/**
 * kmcl_hvpfns_unmap_mdl_va() - release the mapping an MDL records
 * @va: the MDL's MappedSystemVa, or NULL (ignored).
 *
 * As kmcl_hvpfns_unmap(), but an address KMCL did not map is left alone
 * without a word: an MDL of an incoming packet may record the lender's
 * own mapping (kmcl_mdl_use_va()), which is not the receiver's to remove.
 *
 * Context: any context but hard interrupts.
 */
void kmcl_hvpfns_unmap_mdl_va(const void *va)
{
	kmcl_hvpfns_unmap_how(va, true, true);
}

/**
 * kmcl_hvpfns_unmap_later() - release a mapping without ever sleeping
 * @va: the address kmcl_hvpfns_map() returned, or NULL (ignored).
 *
 * As kmcl_hvpfns_unmap(), but a vmap() always goes to the worker, whatever
 * kmcl_can_sleep() says: for paths documented not to sleep, whose caller
 * may hold a plain spinlock that kernels without CONFIG_PREEMPT_COUNT
 * cannot see.
 *
 * Context: any context but hard interrupts; never sleeps.
 */
void kmcl_hvpfns_unmap_later(const void *va)
{
	kmcl_hvpfns_unmap_how(va, false, false);
}

/**
 * kmcl_hvpfns_unmap_mine() - release @va if it is a mapping made here
 * @va: an address that may or may not come from kmcl_hvpfns_map(), or
 *	NULL (ignored).
 *
 * As kmcl_hvpfns_unmap_later(), but an address KMCL did not map (a
 * lender's own mapping, kmcl_mdl_use_va()) is left alone without a word.
 *
 * Context: any context but hard interrupts; never sleeps.
 */
void kmcl_hvpfns_unmap_mine(const void *va)
{
	kmcl_hvpfns_unmap_how(va, false, true);
}

/**
 * kmcl_kvalloc_any() - allocate memory in any context but hard interrupts
 * @size: bytes.
 *
 * Process context may get vmalloc() memory for large sizes; atomic context
 * gets kmalloc(GFP_ATOMIC) memory or NULL. No warning on failure.
 *
 * Return: the memory (not zeroed), or NULL. Free with kmcl_kvfree_any().
 */
void *kmcl_kvalloc_any(size_t size)
{
	if (kmcl_can_sleep())
		return kvmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	return kmalloc(size, GFP_ATOMIC | __GFP_NOWARN);
}

/**
 * kmcl_kvfree_any() - free kmcl_kvalloc_any() memory in any context
 * @p: the memory, or NULL.
 *
 * vmalloc() memory freed from atomic context goes to a worker.
 *
 * Context: any context but hard interrupts.
 */
void kmcl_kvfree_any(void *p)
{
	if (!is_vmalloc_addr(p)) {
		kfree(p);
		return;
	}
	if (kmcl_can_sleep()) {
		vfree(p);
		return;
	}
	/* The block is dead: its first bytes carry it to the worker. */
	llist_add((struct llist_node *)p, &kmcl_vfree_list);
	schedule_work(&kmcl_mdl_deferred_work);
}

/**
 * kmcl_mdl_vmap_count() - number of live vmap()s made by kmcl_hvpfns_map()
 *
 * Deferred unmaps count until the worker has run (kmcl_mdl_flush()).
 *
 * Return: the count.
 */
int kmcl_mdl_vmap_count(void)
{
	return atomic_read(&kmcl_vmap_live);
}

KMCL_EXPORT_FOR_TESTS(kmcl_mdl_vmap_count);

/**
 * kmcl_mdl_vunmap_deferred() - vmap()s handed to the worker so far
 *
 * Lets a test tell "unmapped by the worker" from "unmapped in the
 * caller" without racing the worker.
 *
 * Return: the count since the module was loaded.
 */
int kmcl_mdl_vunmap_deferred(void)
{
	return atomic_read(&kmcl_vunmap_deferred);
}

KMCL_EXPORT_FOR_TESTS(kmcl_mdl_vunmap_deferred);

/**
 * kmcl_mdl_foreign_unmaps() - unmaps refused as "not a mapping KMCL made"
 *
 * Each is an address in the vmalloc area that KMCL was asked to unmap
 * without having mapped it, and was logged.
 *
 * Return: the count since the module was loaded.
 */
int kmcl_mdl_foreign_unmaps(void)
{
	return atomic_read(&kmcl_vunmap_foreign);
}

KMCL_EXPORT_FOR_TESTS(kmcl_mdl_foreign_unmaps);

/**
 * kmcl_mdl_flush() - run deferred unmaps and frees now
 *
 * Context: process context; may sleep.
 */
void kmcl_mdl_flush(void)
{
	might_sleep();
	flush_work(&kmcl_mdl_deferred_work);
}

KMCL_EXPORT_FOR_TESTS(kmcl_mdl_flush);

/**
 * kmcl_mdl_exit() - module exit: finish deferred work, report leaks
 *
 * Mappings still registered were never unmapped by their users; they are
 * reported and left in place (the memory under them may still be in use).
 *
 * Context: process context (module exit); may sleep.
 */
void kmcl_mdl_exit(void)
{
	int live;

	flush_work(&kmcl_mdl_deferred_work);
	live = atomic_read(&kmcl_vmap_live);
	if (live)
		pr_err("%d MDL mapping(s) were never unmapped\n", live);
}
