// SPDX-License-Identifier: GPL-2.0-only
/*
 * Transfer-page packets (KMCL_PKT_DATA_USING_XFER_PAGES): the peer writes
 * data into a receive buffer the receiving client shared as a GPADL and
 * sends ranges (offset, length) inside it. This is how a Hyper-V host
 * hands received data to a synthetic NIC, for one.
 *
 * The packet names the buffer by a 16-bit transfer page set id that the
 * driver's own protocol chose and told the peer (netvsc's 0xcafe, say),
 * not by the GPADL handle, so the driver says which GPADL an id stands for
 * with KmclChannelSetTransferPageSet() (kmcl_xfer_set()). An id nobody
 * registered, or a range outside its GPADL, is hostile: the packet is
 * rejected and counted like undescribed external data.
 *
 * A delivered packet pins its GPADL (kmcl_gpadl.xfer_held): deleting the
 * GPADL waits until the driver completed or failed every such packet, so
 * the MDLs handed out by VmbChannelPacketGetExternalData() never outlive
 * the memory they describe.
 *
 * Locking: the receive path takes the shm.gpadls xa_lock, then the GPADL's
 * own lock (a leaf); the set table is only ever read under RCU.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/xarray.h>

#include "kmcl.h"

/**
 * kmcl_xfer_set() - say which GPADL a transfer page set id stands for
 * @ch: a client channel between Opened and Closed.
 * @id: the id the peer puts in its transfer-page packets.
 * @handle: a live GPADL of @ch, or 0 to forget @id.
 *
 * A later call for the same id replaces the GPADL. Deleting the GPADL
 * does not forget the id; packets naming it are then refused. Every id is
 * forgotten at Closed. Process context.
 *
 * Return: 0; -EINVAL for a server channel; -EBADFD outside Opened ..
 * Closed; -ENOENT for an unknown @handle, or an @id not set when
 * forgetting; -ENOMEM.
 */
int kmcl_xfer_set(struct kmcl_channel *ch, u16 id, u32 handle)
{
	struct kmcl_gpadl *g;
	bool live;
	int ret = 0;

	might_sleep();
	if (ch->is_server)
		return -EINVAL;
	spin_lock_bh(&ch->shm.lock);
	live = ch->shm.live;
	spin_unlock_bh(&ch->shm.lock);
	if (!live)
		return -EBADFD;
	if (!handle)
		return xa_erase_bh(&ch->shm.xfer_sets, id) ? 0 : -ENOENT;

	g = kmcl_gpadl_lookup(ch, handle);
	if (IS_ERR(g))
		return PTR_ERR(g);
	ret = xa_err(xa_store_bh(&ch->shm.xfer_sets, id, xa_mk_value(handle),
				 GFP_KERNEL));
	kmcl_gpadl_put(g);
	if (ret)
		return ret;

	/*
	 * A close that began meanwhile has emptied the table or will: if it
	 * already did, take back what may have landed after it.
	 */
	spin_lock_bh(&ch->shm.lock);
	live = ch->shm.live;
	spin_unlock_bh(&ch->shm.lock);
	if (!live) {
		xa_erase_bh(&ch->shm.xfer_sets, id);
		return -EBADFD;
	}
	return 0;
}

/* Do @count transfer ranges at @r all lie inside @g? */
static bool kmcl_xfer_ranges_ok(const struct kmcl_channel *ch,
				const struct kmcl_gpadl *g,
				const struct kmcl_xfer_range *r, u32 count)
{
	/* A peer that sees whole pages may use all of them. */
	u64 size = ch->tops->gpadl_from_page0 ?
		   (u64)g->nr_pfns * KMCL_WIRE_PAGE_SIZE : g->byte_count;
	u32 i;

	for (i = 0; i < count; i++)
		if ((u64)r[i].byte_offset + r[i].byte_count > size)
			return false;
	return true;
}

/**
 * kmcl_xfer_receive() - may a received transfer-page packet be delivered?
 * @ch: the receiving channel.
 * @ip: the incoming object holding the packet (not delivered yet).
 * @wp: the packet, as kmcl_wire_parse() accepted it from @ip's buffer,
 *	within the receiver's limits (the reader checked them).
 *
 * Finds the GPADL registered for the packet's transfer page set id and
 * checks every range against it. On success @ip pins the GPADL until
 * kmcl_ext_release(). Reader context (softirq or process), no lock held.
 *
 * Return: 0: deliver with KMCL_PROCESS_EXTERNAL_DATA; -EBADMSG: unknown
 * set id, deleted GPADL or a range outside it.
 */
int kmcl_xfer_receive(struct kmcl_channel *ch, struct kmcl_in_packet *ip,
		      const struct kmcl_wire_packet *wp)
{
	struct kmcl_gpadl *g;
	void *entry;
	int ret = -EBADMSG;

	entry = xa_load(&ch->shm.xfer_sets, wp->xfer_pageset_id);
	if (!entry)
		return -EBADMSG;

	xa_lock_bh(&ch->shm.gpadls);
	g = xa_load(&ch->shm.gpadls, xa_to_value(entry));
	if (g && kmcl_xfer_ranges_ok(ch, g, wp->ranges, wp->range_count)) {
		spin_lock(&g->lock);
		if (!g->revoked) {
			g->xfer_held++;
			ret = 0;
		}
		spin_unlock(&g->lock);
	}
	xa_unlock_bh(&ch->shm.gpadls);
	if (ret)
		return ret;
	ip->ext_count = wp->range_count;
	ip->ext_chain = NULL;
	ip->xfer_gpadl = g;
	return 0;
}

/**
 * kmcl_xfer_build() - the MDL chain of a transfer-page packet
 * @ip: a delivered packet that kmcl_xfer_receive() accepted.
 *
 * One MDL per range, over the pages of the pinned GPADL that the range
 * touches, built in @ip's MDL area. Any context.
 */
void kmcl_xfer_build(struct kmcl_in_packet *ip)
{
	const struct kmcl_xfer_range *r;
	const struct kmcl_gpadl *g = ip->xfer_gpadl;
	struct _MDL *prev = NULL, *mdl;
	u8 *area = ip->ext_mdl;
	u32 i, np, off;
	u64 pos;

	r = (const void *)(ip->buf + sizeof(struct kmcl_xfer_page_hdr));
	for (i = 0; i < ip->ext_count; i++) {
		/* In range: kmcl_xfer_ranges_ok() checked it against @g. */
		pos = r[i].byte_offset;
		if (!ip->ch->tops->gpadl_from_page0)
			pos += g->byte_offset;
		off = pos & (KMCL_WIRE_PAGE_SIZE - 1);
		np = kmcl_wire_gpa_pfns(off, r[i].byte_count);
		mdl = kmcl_mdl_place_hvpfns(area,
					    &g->pfns[pos >> KMCL_WIRE_PAGE_SHIFT],
					    np, off, r[i].byte_count, prev);
		if (!prev)
			ip->ext_chain = mdl;
		prev = mdl;
		area += kmcl_mdl_hvpfns_size(np);
	}
}

/**
 * kmcl_xfer_release() - unpin the GPADL of a transfer-page packet
 * @ip: the packet, leaving the driver; its MDLs are gone already.
 *
 * Any context up to softirq.
 */
void kmcl_xfer_release(struct kmcl_in_packet *ip)
{
	struct kmcl_gpadl *g = ip->xfer_gpadl;

	ip->xfer_gpadl = NULL;
	/*
	 * Wake under the lock: Delete reads xfer_held under it too, so it
	 * cannot free @g between the decrement and the wake-up.
	 */
	spin_lock_bh(&g->lock);
	if (!--g->xfer_held)
		wake_up_all(&g->unmap_wq);
	spin_unlock_bh(&g->lock);
}
