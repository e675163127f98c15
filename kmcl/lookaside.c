// SPDX-License-Identifier: GPL-2.0-only
/*
 * Objects of the outgoing lookaside (VmbPacketAllocate).
 *
 * The lookaside holds at most cfg.max_packet_count packets, but allocates
 * them as they are first needed and keeps them until the channel is
 * cleaned up, as a Windows lookaside list keeps what it allocated. Enable
 * builds a floor of KMCL_LOOKASIDE_FLOOR objects in process context; a
 * VmbPacketAllocate() that finds the free stack empty while fewer than
 * max_packet_count objects exist allocates one more, without sleeping
 * (any context up to softirq, possibly under a driver's plain spinlock).
 * If that allocation fails the call returns NULL, as for an exhausted
 * lookaside: a packet that exists is never taken away, and a packet
 * handed out never needs memory to be sent (its copy area is part of
 * it). Once every object a workload uses exists, nothing is allocated
 * any more.
 *
 * An object of at most a page is one kmalloc() block. A larger one is a
 * header block (the packet, its in-line context, ranges, bounce range and
 * address hints) and a data block: one page when the in-line data fits in
 * a page (the default 4 KiB maximum packet size), so that no object of the
 * default configuration needs more than an order-0 allocation; otherwise
 * a kvmalloc() block, physically contiguous when allocated in atomic
 * context (a driver that asked for packets larger than a page).
 */
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "kmcl.h"

/* Test hook: the next this many object allocations fail. */
atomic_t kmcl_lookaside_fail = ATOMIC_INIT(0);
KMCL_EXPORT_FOR_TESTS(kmcl_lookaside_fail);

static bool kmcl_lookaside_split(u32 stride)
{
	return stride > PAGE_SIZE;
}

/* Header bytes of a split object: everything but the in-line data. */
static u32 kmcl_lookaside_hdr(u32 stride, u32 max_size)
{
	return stride - round_up(max_size, 8);
}

static void *kmcl_lookaside_data_alloc(u32 max_size, gfp_t gfp)
{
	if (max_size <= PAGE_SIZE)
		return (void *)__get_free_page(gfp);
	return kvmalloc(max_size, gfp);
}

static void kmcl_lookaside_data_free(void *data, u32 max_size)
{
	if (max_size <= PAGE_SIZE)
		free_page((unsigned long)data);
	else
		kvfree(data);
}

/**
 * kmcl_lookaside_obj_alloc() - memory for one lookaside object
 * @stride: kmcl_packet_size() of the lookaside (kmcl_out.stride).
 * @max_size: its in-line data capacity (kmcl_out.max_size).
 * @gfp: GFP_KERNEL at enable, GFP_ATOMIC | __GFP_NOWARN otherwise.
 * @data: receives where the in-line data goes: a block of its own, or
 *	NULL when it follows the header in the same block.
 *
 * Return: the (unformatted) object, or NULL.
 */
struct kmcl_packet *kmcl_lookaside_obj_alloc(u32 stride, u32 max_size,
					     gfp_t gfp, u8 **data)
{
	struct kmcl_packet *pkt;

	*data = NULL;
	if (atomic_add_unless(&kmcl_lookaside_fail, -1, 0))
		return NULL;
	if (!kmcl_lookaside_split(stride))
		return kmalloc(stride, gfp);
	pkt = kmalloc(kmcl_lookaside_hdr(stride, max_size), gfp);
	if (!pkt)
		return NULL;
	*data = kmcl_lookaside_data_alloc(max_size, gfp);
	if (!*data) {
		kfree(pkt);
		return NULL;
	}
	return pkt;
}

/**
 * kmcl_lookaside_free_objs() - free a list of lookaside objects
 * @objs: the first object, linked by next_obj, or NULL.
 * @stride: the stride they were allocated with.
 * @max_size: the capacity they were allocated with.
 *
 * Process or softirq context.
 */
void kmcl_lookaside_free_objs(struct kmcl_packet *objs, u32 stride,
			      u32 max_size)
{
	struct kmcl_packet *pkt, *next;

	for (pkt = objs; pkt; pkt = next) {
		next = pkt->next_obj;
		/* A stale handle must not look like a packet. */
		WRITE_ONCE(pkt->magic, 0);
		if (kmcl_lookaside_split(stride))
			kmcl_lookaside_data_free(pkt->data, max_size);
		kfree(pkt);
	}
}

/**
 * kmcl_lookaside_overlaps() - does caller memory overlap a lookaside object?
 * @objs: the lookaside's objects.
 * @stride: their stride.
 * @max_size: their capacity.
 * @mem: the caller's memory.
 * @size: its size.
 *
 * Caller holds kmcl_out.lock.
 *
 * Return: true if [@mem, @mem + @size) touches an object or its data.
 */
bool kmcl_lookaside_overlaps(const struct kmcl_packet *objs, u32 stride,
			     u32 max_size, const void *mem, u32 size)
{
	const u8 *lo = mem, *hi = (const u8 *)mem + size;
	bool split = kmcl_lookaside_split(stride);
	u32 hdr = split ? kmcl_lookaside_hdr(stride, max_size) : stride;
	const struct kmcl_packet *pkt;

	for (pkt = objs; pkt; pkt = pkt->next_obj) {
		if (hi > (const u8 *)pkt && lo < (const u8 *)pkt + hdr)
			return true;
		if (split && hi > pkt->data && lo < pkt->data + max_size)
			return true;
	}
	return false;
}
