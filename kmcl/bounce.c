// SPDX-License-Identifier: GPL-2.0-only
/*
 * The bounce pool of isolated channels: see bounce.h.
 */
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/printk.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "kmcl.h"
#include "mdl.h"

/* Pages whose un-sharing failed: never given back to the allocator. */
static atomic64_t kmcl_bounce_leaked = ATOMIC64_INIT(0);
static atomic64_t kmcl_shared_maps = ATOMIC64_INIT(0);

/**
 * kmcl_channel_isolated() - does the transport isolate @ch from its peer?
 * @ch: the channel.
 *
 * Asks the transport; the core never decides this at build time.
 *
 * Return: true if the peer may only see memory @ch shares on purpose.
 */
bool kmcl_channel_isolated(struct kmcl_channel *ch)
{
	return ch->tops->isolated && ch->tops->isolated(ch);
}

/**
 * kmcl_map_pgprot() - protection for a kernel mapping KMCL makes
 * @shared: the pages are shared with an isolated peer.
 * @ro: read-only mapping.
 *
 * The one rule for every mapping KMCL makes of pages an isolated peer can
 * see (GPADL buffers, transfer pages, the bounce pool): they were made
 * host-visible (decrypted), so a new alias must be the decrypted one or it
 * reads ciphertext (SNP) or faults (TDX). Elsewhere the ordinary
 * protection: decrypting an alias on a host with memory encryption (SME)
 * would read garbage.
 *
 * Return: the pgprot to vmap() with.
 */
pgprot_t kmcl_map_pgprot(bool shared, bool ro)
{
	pgprot_t prot = ro ? PAGE_KERNEL_RO : PAGE_KERNEL;

	if (!shared)
		return prot;
	atomic64_inc(&kmcl_shared_maps);
	return pgprot_decrypted(prot);
}

/**
 * kmcl_shared_map_count() - decrypted-alias protections handed out
 *
 * In a VM without memory encryption pgprot_decrypted() changes nothing, so
 * a test cannot tell the two protections apart by value: it counts instead
 * that each mapping of shared pages asked for the decrypted one.
 *
 * Return: how often kmcl_map_pgprot() was asked for a shared mapping.
 */
u64 kmcl_shared_map_count(void)
{
	return atomic64_read(&kmcl_shared_maps);
}

KMCL_EXPORT_FOR_TESTS(kmcl_shared_map_count);

/**
 * kmcl_shared_pgprot() - protection for a mapping of @ch's shared pages
 * @ch: the channel the pages are shared through.
 * @ro: read-only mapping.
 *
 * Return: kmcl_map_pgprot() for @ch's isolation.
 */
pgprot_t kmcl_shared_pgprot(struct kmcl_channel *ch, bool ro)
{
	return kmcl_map_pgprot(READ_ONCE(ch->isolated), ro);
}

KMCL_EXPORT_FOR_TESTS(kmcl_shared_pgprot);

/**
 * kmcl_bounce_leaked_pages() - pages leaked because un-sharing failed
 *
 * Return: the count since the module loaded (debugfs).
 */
u64 kmcl_bounce_leaked_pages(void)
{
	return atomic64_read(&kmcl_bounce_leaked);
}

KMCL_EXPORT_FOR_TESTS(kmcl_bounce_leaked_pages);

/**
 * kmcl_bounce_leak() - count pages that stay visible to the peer
 * @n: pages leaked.
 *
 * For every path that gives up pages it could not take back from the peer
 * (the bounce pool, GPADLs).
 */
void kmcl_bounce_leak(u32 n)
{
	atomic64_add(n, &kmcl_bounce_leaked);
}

/**
 * kmcl_bounce_area() - bytes each outgoing packet of @ch needs for a pool
 *	range
 * @ch: the channel (its configuration is final).
 *
 * Return: 0 unless @ch is isolated and may send external data.
 */
u32 kmcl_bounce_area(struct kmcl_channel *ch)
{
	if (!kmcl_channel_isolated(ch) || !ch->cfg.max_ext_data)
		return 0;
	return sizeof(struct kmcl_gpa_range) + sizeof(u64) *
	       DIV_ROUND_UP(ch->cfg.max_ext_data, KMCL_WIRE_PAGE_SIZE);
}

KMCL_EXPORT_FOR_TESTS(kmcl_bounce_area);

/**
 * kmcl_bounce_format() - set up a new packet object's bounce state
 * @pkt: the packet being formatted.
 * @area: kmcl_bounce_area() bytes for its pool range, or NULL.
 */
void kmcl_bounce_format(struct kmcl_packet *pkt, void *area)
{
	memset(&pkt->bounce, 0, sizeof(pkt->bounce));
	pkt->bounce.range = area;
}

static void kmcl_bounce_chunk_free(struct kmcl_channel *ch,
				   struct kmcl_bounce_chunk *c)
{
	u32 i;

	if (c->va)
		vunmap(c->va);
	if (ch->tops->unshare_pages &&
	    ch->tops->unshare_pages(ch, c->pages, c->npages)) {
		/* Still visible to the peer: never reuse these pages. */
		kmcl_bounce_leak(c->npages);
		pr_warn("channel %u: %u bounce page(s) leaked: the peer may still see them\n",
			ch->id, c->npages);
	} else {
		for (i = 0; i < c->npages; i++)
			__free_page(c->pages[i]);
	}
	kvfree(c->pages);
	bitmap_free(c->used);
	bitmap_free(c->parked);
	kfree(c);
}

/* Free what kmcl_bounce_chunk_new() built of @c, pages private. */
static void kmcl_bounce_chunk_drop(struct kmcl_bounce_chunk *c, u32 npages)
{
	u32 i;

	for (i = 0; c->pages && i < npages; i++)
		if (c->pages[i])
			__free_page(c->pages[i]);
	kvfree(c->pages);
	bitmap_free(c->used);
	bitmap_free(c->parked);
	kfree(c);
}

/* A chunk of @npages pages, shared with the peer and mapped. */
static struct kmcl_bounce_chunk *kmcl_bounce_chunk_new(struct kmcl_channel *ch,
						       u32 npages)
{
	struct kmcl_bounce_chunk *c;
	u32 i;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	c->pages = kvcalloc(npages, sizeof(*c->pages), GFP_KERNEL);
	c->used = bitmap_zalloc(npages, GFP_KERNEL);
	c->parked = bitmap_zalloc(npages, GFP_KERNEL);
	if (!c->pages || !c->used || !c->parked)
		goto drop;
	for (i = 0; i < npages; i++) {
		c->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!c->pages[i])
			goto drop;
	}
	c->npages = npages;
	if (ch->tops->share_pages && ch->tops->share_pages(ch, c->pages, npages)) {
		/* Maybe half shared: only pages taken back may be freed. */
		kmcl_bounce_chunk_free(ch, c);
		return NULL;
	}
	c->va = vmap(c->pages, npages, VM_MAP, kmcl_shared_pgprot(ch, false));
	if (!c->va) {
		kmcl_bounce_chunk_free(ch, c);
		return NULL;
	}
	return c;
drop:
	kmcl_bounce_chunk_drop(c, npages);
	return NULL;
}

/* The packets waiting for pool room may retry. */
static void kmcl_bounce_kick(struct kmcl_channel *ch)
{
	spin_lock_bh(&ch->out.lock);
	ch->out.slot_wait = false;
	spin_unlock_bh(&ch->out.lock);
	kmcl_out_notify(ch);
}

/**
 * kmcl_bounce_add() - add @bytes to @ch's bounce pool
 * @ch: an isolated channel with a pool.
 * @bytes: a multiple of 4 KiB, rounded up to whole pages.
 *
 * Process context. Waiting packets retry afterwards.
 *
 * Return: 0, -ENOMEM.
 */
int kmcl_bounce_add(struct kmcl_channel *ch, u32 bytes)
{
	struct kmcl_bounce *b = ch->bounce;
	struct kmcl_bounce_chunk *c;

	might_sleep();
	c = kmcl_bounce_chunk_new(ch, DIV_ROUND_UP(bytes, PAGE_SIZE));
	if (!c)
		return -ENOMEM;
	spin_lock_bh(&b->lock);
	list_add_tail(&c->node, &b->chunks);
	b->bytes += c->npages * PAGE_SIZE;
	spin_unlock_bh(&b->lock);
	kmcl_bounce_kick(ch);
	return 0;
}

static void kmcl_bounce_grow_fn(struct work_struct *work)
{
	struct kmcl_bounce *b = container_of(work, struct kmcl_bounce, grow);
	u32 step;

	/* A waiting run must fit in one chunk: grow by at least that. */
	spin_lock_bh(&b->lock);
	step = b->bytes < b->max ?
	       min(max(b->increment, b->want), b->max - b->bytes) : 0;
	b->want = 0;
	spin_unlock_bh(&b->lock);
	if (step && kmcl_bounce_add(b->ch, step))
		pr_warn_ratelimited("channel %u: bounce pool cannot grow\n",
				    b->ch->id);
	spin_lock_bh(&b->lock);
	b->growing = false;
	spin_unlock_bh(&b->lock);
}

/* @ch's pool, made on first use (also from a state callback: no mutex). */
static struct kmcl_bounce *kmcl_bounce_get(struct kmcl_channel *ch)
{
	struct kmcl_bounce *b = READ_ONCE(ch->bounce), *old;

	if (b)
		return b;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return NULL;
	spin_lock_init(&b->lock);
	INIT_LIST_HEAD(&b->chunks);
	INIT_WORK(&b->grow, kmcl_bounce_grow_fn);
	b->ch = ch;
	b->increment = ch->cfg.bounce_increment ?: KMCL_BOUNCE_DEFAULT_INCREMENT;
	b->max = ch->cfg.bounce_max ?: max(ch->cfg.bounce_initial,
					   KMCL_BOUNCE_DEFAULT_MAX);
	old = cmpxchg(&ch->bounce, NULL, b);
	if (old) {
		kfree(b);
		return old;
	}
	return b;
}

/**
 * kmcl_bounce_enable() - take the isolation answer, build the pool
 * @ch: the channel, being enabled (state_mutex held).
 *
 * Return: 0; -ENOMEM if the initial pool could not be allocated.
 */
int kmcl_bounce_enable(struct kmcl_channel *ch)
{
	const struct kmcl_channel_config *cfg = &ch->cfg;
	struct kmcl_bounce *b;
	u32 bytes;

	might_sleep();
	WRITE_ONCE(ch->isolated, kmcl_channel_isolated(ch));
	if (!ch->isolated ||
	    (!cfg->bounce_initial && !cfg->bounce_increment && !cfg->bounce_max))
		return 0;
	b = kmcl_bounce_get(ch);
	if (!b)
		return -ENOMEM;
	spin_lock_bh(&b->lock);
	b->increment = cfg->bounce_increment ?: KMCL_BOUNCE_DEFAULT_INCREMENT;
	b->max = cfg->bounce_max ?: max(cfg->bounce_initial,
					 KMCL_BOUNCE_DEFAULT_MAX);
	bytes = b->bytes;
	spin_unlock_bh(&b->lock);
	if (bytes < cfg->bounce_initial)
		return kmcl_bounce_add(ch, cfg->bounce_initial - bytes);
	return 0;
}

/**
 * kmcl_bounce_allocate() - VmbChannelAllocateBounceBuffer()
 * @ch: a client channel.
 * @bytes: a multiple of 4 KiB.
 *
 * Process context, also inside a state callback (no channel lock taken).
 *
 * Return: 0; -EOPNOTSUPP if @ch is not isolated (it needs no pool);
 * -ENOMEM.
 */
int kmcl_bounce_allocate(struct kmcl_channel *ch, u32 bytes)
{
	struct kmcl_bounce *b;

	might_sleep();
	if (!kmcl_channel_isolated(ch))
		return -EOPNOTSUPP;
	b = kmcl_bounce_get(ch);
	if (!b)
		return -ENOMEM;
	return kmcl_bounce_add(ch, bytes);
}

/**
 * kmcl_bounce_destroy() - free the pool at cleanup
 * @ch: a channel whose packets all completed.
 *
 * Pages the transport could not take back from the peer are leaked and
 * counted (kmcl_bounce_leaked_pages()).
 */
void kmcl_bounce_destroy(struct kmcl_channel *ch)
{
	struct kmcl_bounce *b = ch->bounce;
	struct kmcl_bounce_chunk *c, *tmp;

	if (!b)
		return;
	cancel_work_sync(&b->grow);
	list_for_each_entry_safe(c, tmp, &b->chunks, node) {
		list_del(&c->node);
		kmcl_bounce_chunk_free(ch, c);
	}
	ch->bounce = NULL;
	kfree(b);
}

/* Bytes of external data the ranges in @pkt->ext describe. */
static u32 kmcl_bounce_src_bytes(const struct kmcl_packet *pkt)
{
	const struct kmcl_gpa_range *r = pkt->ext;
	u32 i, bytes = 0;

	for (i = 0; i < pkt->ext_count; i++, r = kmcl_wire_gpa_next(r))
		bytes += r->byte_count;
	return bytes;
}

/**
 * kmcl_bounce_plan() - decide how a packet with external data is sent
 * @pkt: a claimed packet whose ext area holds the driver's ranges.
 *
 * Nothing on a channel that is not isolated.
 *
 * Return: 0; -EOPNOTSUPP if @pkt's channel is isolated and has no pool
 * (logged once per channel); -ENOMEM if the data is larger than the pool
 * may ever grow.
 */
int kmcl_bounce_plan(struct kmcl_packet *pkt)
{
	struct kmcl_channel *ch = pkt->ch;
	struct kmcl_bounce *b = ch->bounce;
	u32 bytes, limit;

	pkt->bounce.length = 0;
	pkt->bounce.nslots = 0;
	if (!READ_ONCE(ch->isolated))
		return 0;
	if (!b || !pkt->bounce.range) {
		if (!test_and_set_bit(0, &ch->bounce_warned))
			pr_warn("channel %u: confidential VM: external data needs a bounce buffer (VmbChannelInitSetBounceBufferSizes); send refused\n",
				ch->id);
		return -EOPNOTSUPP;
	}
	bytes = kmcl_bounce_src_bytes(pkt);
	spin_lock_bh(&b->lock);
	limit = max(b->max, b->bytes);
	spin_unlock_bh(&b->lock);
	if (!bytes || round_up(bytes, PAGE_SIZE) > limit)
		return -ENOMEM;
	pkt->bounce.length = bytes;
	pkt->bounce.wire_len = kmcl_wire_gpa_range_size(0, bytes);
	return 0;
}

/*
 * Copy between the pool at @pool and the driver's memory the ranges of
 * @pkt->ext describe, @bytes bytes. @in: to the pool.
 */
static void kmcl_bounce_copy(const struct kmcl_packet *pkt, u8 *pool,
			     u32 bytes, bool in)
{
	const struct kmcl_gpa_range *r = pkt->ext;
	u32 i, off, n, left, pfn_i;
	struct page *page;
	u8 *va;
	u64 hvpfn;

	for (i = 0; i < pkt->ext_count && bytes; i++, r = kmcl_wire_gpa_next(r)) {
		left = min(r->byte_count, bytes);
		off = r->byte_offset;
		pfn_i = 0;
		while (left) {
			hvpfn = r->pfn_array[pfn_i++];
			n = min_t(u32, left, KMCL_WIRE_PAGE_SIZE - off);
			page = pfn_to_page(hvpfn / KMCL_HV_PER_PAGE);
			va = kmcl_kmap(page);
			va += (hvpfn % KMCL_HV_PER_PAGE) * KMCL_WIRE_PAGE_SIZE + off;
			if (in)
				memcpy(pool, va, n);
			else
				memcpy(va, pool, n);
			kmcl_kunmap(va);
			pool += n;
			left -= n;
			bytes -= n;
			off = 0;
		}
	}
}

/* Pool address of @pkt's run. */
static u8 *kmcl_bounce_va(const struct kmcl_packet *pkt)
{
	return (u8 *)pkt->bounce.chunk->va + (size_t)pkt->bounce.first * PAGE_SIZE;
}

/**
 * kmcl_bounce_in() - reserve pool pages for @pkt and copy its data in
 * @ch: the channel.
 * @pkt: a packet about to be written (out.lock held).
 *
 * Nothing if @pkt is not bounced or already has its pages.
 *
 * Return: 0; -EBUSY: no room now (the pool grows if it may; the packet
 * waits).
 */
int kmcl_bounce_in(struct kmcl_channel *ch, struct kmcl_packet *pkt)
{
	struct kmcl_bounce_ref *ref = &pkt->bounce;
	struct kmcl_bounce *b = ch->bounce;
	struct kmcl_bounce_chunk *c, *found = NULL;
	u32 need, first = 0, i, j;
	bool grow = false;
	u64 *pfn;

	if (!ref->length || ref->nslots)
		return 0;
	need = DIV_ROUND_UP(ref->length, PAGE_SIZE);
	spin_lock(&b->lock);
	list_for_each_entry(c, &b->chunks, node) {
		if (c->npages < need)
			continue;
		first = bitmap_find_next_zero_area(c->used, c->npages, 0, need, 0);
		if (first < c->npages) {
			found = c;
			break;
		}
	}
	if (!found) {
		b->waited++;
		b->want = max_t(u32, b->want, need * PAGE_SIZE);
		if (!b->growing && b->bytes < b->max) {
			b->growing = true;
			grow = true;
		}
		spin_unlock(&b->lock);
		if (grow)
			queue_work(system_unbound_wq, &b->grow);
		return -EBUSY;
	}
	bitmap_set(found->used, first, need);
	b->bounced++;
	spin_unlock(&b->lock);

	c = found;
	ref->chunk = c;
	ref->first = first;
	ref->nslots = need;
	ref->range->byte_count = ref->length;
	ref->range->byte_offset = 0;
	pfn = ref->range->pfn_array;
	j = kmcl_wire_gpa_pfns(0, ref->length);
	for (i = 0; i < j; i++)
		pfn[i] = page_to_pfn(c->pages[first + i / KMCL_HV_PER_PAGE]) *
			 KMCL_HV_PER_PAGE + i % KMCL_HV_PER_PAGE;
	if (pkt->flags & KMCL_SEND_DATA_IN_ONLY) {
		/* Nothing to send; leave nothing of earlier packets either. */
		memset(kmcl_bounce_va(pkt), 0, ref->length);
	} else {
		kmcl_bounce_copy(pkt, kmcl_bounce_va(pkt), ref->length, true);
		spin_lock(&b->lock);
		b->copied_in += ref->length;
		spin_unlock(&b->lock);
	}
	return 0;
}

/* Give @ref's run back (@park: the peer may still hold it). */
static void kmcl_bounce_put(struct kmcl_bounce *b, struct kmcl_bounce_ref *ref,
			    bool park)
{
	spin_lock_bh(&b->lock);
	if (park)
		bitmap_set(ref->chunk->parked, ref->first, ref->nslots);
	else
		bitmap_clear(ref->chunk->used, ref->first, ref->nslots);
	spin_unlock_bh(&b->lock);
	ref->nslots = 0;
	ref->chunk = NULL;
}

/**
 * kmcl_bounce_finish() - @pkt completes: copy back, free its pool pages
 * @pkt: a packet whose completion routine is about to run (no lock held).
 * @err: its status: the data comes back only when the peer completed it.
 *
 * Copies exactly the bounced length back (not for DATA_OUT_ONLY), so a
 * peer that wrote beyond it in the pool never reaches the driver's memory.
 */
void kmcl_bounce_finish(struct kmcl_packet *pkt, int err)
{
	struct kmcl_bounce_ref *ref = &pkt->bounce;
	struct kmcl_bounce *b = pkt->ch->bounce;

	if (!ref->length)
		return;
	if (ref->nslots) {
		if (!err && !(pkt->flags & KMCL_SEND_DATA_OUT_ONLY)) {
			kmcl_bounce_copy(pkt, kmcl_bounce_va(pkt), ref->length,
					 false);
			spin_lock_bh(&b->lock);
			b->copied_back += ref->length;
			spin_unlock_bh(&b->lock);
		}
		kmcl_bounce_put(b, ref, false);
		kmcl_bounce_kick(pkt->ch);
	}
	ref->length = 0;
}

/**
 * kmcl_bounce_take_back() - @pkt is cancelled (out.lock held)
 * @pkt: the packet.
 * @pending: it was in the ring: the peer may hold its pages.
 *
 * Return: true if pool pages were freed: the queue may retry.
 */
bool kmcl_bounce_take_back(struct kmcl_packet *pkt, bool pending)
{
	struct kmcl_bounce_ref *ref = &pkt->bounce;
	bool freed = false;

	if (!ref->length)
		return false;
	if (ref->nslots) {
		kmcl_bounce_put(pkt->ch->bounce, ref, pending);
		freed = !pending;
		if (freed)
			pkt->ch->out.slot_wait = false;
	}
	ref->length = 0;
	return freed;
}

/**
 * kmcl_bounce_unpark() - the peer holds nothing of @ch's any more
 * @ch: the channel (after kmcl_ext_quiesce() waited).
 */
void kmcl_bounce_unpark(struct kmcl_channel *ch)
{
	struct kmcl_bounce *b = ch->bounce;
	struct kmcl_bounce_chunk *c;

	if (!b)
		return;
	spin_lock_bh(&b->lock);
	list_for_each_entry(c, &b->chunks, node) {
		bitmap_andnot(c->used, c->used, c->parked, c->npages);
		bitmap_zero(c->parked, c->npages);
	}
	spin_unlock_bh(&b->lock);
}

static bool kmcl_bounce_owns_pfn(struct kmcl_bounce *b, u64 hvpfn)
{
	struct kmcl_bounce_chunk *c;
	unsigned long pfn = hvpfn / KMCL_HV_PER_PAGE;
	u32 i;

	list_for_each_entry(c, &b->chunks, node)
		for (i = 0; i < c->npages; i++)
			if (page_to_pfn(c->pages[i]) == pfn)
				return true;
	return false;
}

/**
 * kmcl_bounce_owns() - are these ranges all in @ch's bounce pool?
 * @ch: the sending channel.
 * @ranges: GPA ranges as received (validated by the reader).
 * @len: their bytes.
 * @count: their number.
 *
 * What an isolated peer can see: the loopback refuses anything else when
 * @ch is isolated, as a real host of a confidential VM would. Any context
 * up to softirq.
 *
 * Return: true if every page is a pool page.
 */
bool kmcl_bounce_owns(struct kmcl_channel *ch, const void *ranges, u32 len,
		      u32 count)
{
	const struct kmcl_gpa_range *r = ranges;
	struct kmcl_bounce *b = ch->bounce;
	bool ok = !!b;
	u32 i, j, np;

	if (!b)
		return false;
	spin_lock_bh(&b->lock);
	for (i = 0; ok && i < count; i++, r = kmcl_wire_gpa_next(r)) {
		np = kmcl_wire_gpa_pfns(r->byte_offset, r->byte_count);
		for (j = 0; ok && j < np; j++)
			ok = kmcl_bounce_owns_pfn(b, r->pfn_array[j]);
	}
	spin_unlock_bh(&b->lock);
	return ok;
}

KMCL_EXPORT_FOR_TESTS(kmcl_bounce_owns);

/**
 * kmcl_bounce_wire() - the ranges @pkt carries on the wire
 * @pkt: a packet with external data.
 * @len: receives their bytes.
 * @count: receives their number.
 *
 * Return: the pool range for a bounced packet, else the driver's ranges.
 */
const void *kmcl_bounce_wire(const struct kmcl_packet *pkt, u32 *len,
			     u32 *count)
{
	if (pkt->bounce.length) {
		*len = pkt->bounce.wire_len;
		*count = 1;
		return pkt->bounce.range;
	}
	*len = pkt->ext_len;
	*count = pkt->ext_count;
	return pkt->ext;
}

/**
 * kmcl_bounce_show() - the bounce lines of a channel's debugfs counters
 * @m: the seq_file.
 * @ch: the channel.
 *
 * "bounce: ..." for an isolated channel with a pool, and for every
 * channel the pages leaked module-wide because the peer might still see
 * them (bounce pool and GPADLs).
 */
void kmcl_bounce_show(struct seq_file *m, struct kmcl_channel *ch)
{
	struct kmcl_bounce *b = ch->bounce;

	if (b) {
		spin_lock_bh(&b->lock);
		seq_printf(m, "bounce: bytes %u max %u bounced %llu waited %llu copied_in %llu copied_back %llu\n",
			   b->bytes, b->max, b->bounced, b->waited, b->copied_in,
			   b->copied_back);
		spin_unlock_bh(&b->lock);
	}
	seq_printf(m, "leaked_pages: %llu\n", kmcl_bounce_leaked_pages());
}
