// SPDX-License-Identifier: GPL-2.0-only
/*
 * GPADLs, Linux side: the client's table, the server's mappings, blocking
 * delete and the teardown at Closed. The model, the lifetime rules and the
 * lock order are described in shmem.h; the Windows functions are
 * api_gpadl.c.
 */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "kmcl.h"
#include "mdl.h"

/* Delete logs a warning each time it waited this long for an unmap. */
#define KMCL_GPADL_WAIT_WARN	(30 * HZ)

/**
 * kmcl_shmem_setup() - initialise the shared-memory state of a new channel
 * @ch: the channel, being allocated.
 */
void kmcl_shmem_setup(struct kmcl_channel *ch)
{
	spin_lock_init(&ch->shm.lock);
	xa_init_flags(&ch->shm.gpadls, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_BH);
	xa_init_flags(&ch->shm.xfer_sets, XA_FLAGS_LOCK_BH);
	INIT_LIST_HEAD(&ch->shm.maps);
	ch->shm.live = false;
}

/**
 * kmcl_shmem_open() - open the GPADL window (just before Opened)
 * @ch: the channel.
 */
void kmcl_shmem_open(struct kmcl_channel *ch)
{
	spin_lock_bh(&ch->shm.lock);
	ch->shm.live = true;
	spin_unlock_bh(&ch->shm.lock);
}

/* Give a server's mapping back: unmap its MDL, then let Delete go on. */
static void kmcl_gpadl_unmap_one(struct kmcl_gpadl *g)
{
	struct _MDL *mdl;

	spin_lock_bh(&g->lock);
	mdl = g->map_mdl;
	g->map_mdl = NULL;
	spin_unlock_bh(&g->lock);
	/* The server's system mapping goes before the client may free. */
	kmcl_mdl_free_hvpfns(mdl);

	spin_lock_bh(&g->lock);
	g->mapped = false;
	g->mapper = NULL;
	spin_unlock_bh(&g->lock);
	wake_up_all(&g->unmap_wq);
	kmcl_gpadl_put(g);
}

/* Neither mapped by the server nor pinned by a transfer-page packet. */
static bool kmcl_gpadl_idle(struct kmcl_gpadl *g)
{
	bool idle;

	spin_lock_bh(&g->lock);
	idle = !g->mapped && !g->xfer_held;
	spin_unlock_bh(&g->lock);
	return idle;
}

/*
 * Delete the GPADL @handle of client @ch: out of the table, wait until the
 * server no longer maps it and no delivered transfer-page packet uses it,
 * drop the table's reference. -ENOENT if unknown.
 */
static int kmcl_gpadl_remove(struct kmcl_channel *ch, u32 handle)
{
	struct kmcl_gpadl *g;

	might_sleep();
	g = xa_erase_bh(&ch->shm.gpadls, handle);
	if (!g)
		return -ENOENT;
	spin_lock_bh(&ch->shm.lock);
	ch->shm.nr_gpadls--;
	spin_unlock_bh(&ch->shm.lock);

	spin_lock_bh(&g->lock);
	g->revoked = true;
	spin_unlock_bh(&g->lock);
	while (!wait_event_timeout(g->unmap_wq, kmcl_gpadl_idle(g),
				   KMCL_GPADL_WAIT_WARN))
		pr_warn_ratelimited("channel %u: deleting GPADL %u waits for the server to unmap it or the driver to complete its packets\n",
				    ch->id, handle);
	if (ch->tops->gpadl_revoke)
		ch->tops->gpadl_revoke(ch, g);
	kmcl_gpadl_put(g);
	return 0;
}

/**
 * kmcl_shmem_close() - close the GPADL window (right after Closed)
 * @ch: the channel.
 *
 * Client: deletes every GPADL the driver left (waiting for the server's
 * unmaps). Server: unmaps every GPADL the driver left mapped. Both are
 * counted in gpadl_forced; only the channel's first forced teardown is
 * logged (a driver that always leaves them would flood the log). Process
 * context, state_mutex held.
 */
void kmcl_shmem_close(struct kmcl_channel *ch)
{
	struct kmcl_gpadl *g;
	unsigned long handle;
	bool first = false;
	u32 forced = 0;

	might_sleep();
	spin_lock_bh(&ch->shm.lock);
	ch->shm.live = false;
	spin_unlock_bh(&ch->shm.lock);
	/* Transfer page set ids hold plain values: nothing to free. */
	xa_destroy(&ch->shm.xfer_sets);

	xa_for_each(&ch->shm.gpadls, handle, g) {
		if (!kmcl_gpadl_remove(ch, handle))
			forced++;
	}
	for (;;) {
		spin_lock_bh(&ch->shm.lock);
		g = list_first_entry_or_null(&ch->shm.maps, struct kmcl_gpadl,
					     map_node);
		if (g)
			list_del_init(&g->map_node);
		spin_unlock_bh(&ch->shm.lock);
		if (!g)
			break;
		kmcl_gpadl_unmap_one(g);
		forced++;
	}
	if (forced) {
		spin_lock_bh(&ch->shm.lock);
		/* Logged on the channel's first forced teardown only. */
		first = !ch->shm.stats.gpadl_forced_logged;
		if (first)
			ch->shm.stats.gpadl_forced_logged++;
		ch->shm.stats.gpadl_forced += forced;
		spin_unlock_bh(&ch->shm.lock);
	}
	if (first) {
		pr_warn("channel %u: %u GPADL(s) still %s after Closed; %s by KMCL\n",
			ch->id, forced, ch->is_server ? "mapped" : "present",
			ch->is_server ? "unmapped" : "deleted");
	}
}

/**
 * kmcl_shmem_destroy() - release the shared-memory state at cleanup
 * @ch: the channel, Disabled (so kmcl_shmem_close() has run).
 */
void kmcl_shmem_destroy(struct kmcl_channel *ch)
{
	if (!xa_empty(&ch->shm.gpadls) || !list_empty(&ch->shm.maps))
		pr_err("channel %u: GPADLs left at cleanup\n", ch->id);
	xa_destroy(&ch->shm.gpadls);
	xa_destroy(&ch->shm.xfer_sets);
}

static void kmcl_gpadl_release(struct kref *ref)
{
	struct kmcl_gpadl *g = container_of(ref, struct kmcl_gpadl, ref);
	u32 i;

	if (g->kva && !g->buf)
		vunmap(g->kva);
	if (g->leak && g->owned) {
		/* Still shared with the peer: these pages must never be reused. */
		pr_warn("GPADL %u: %u page(s) still shared with the host, leaked\n",
			g->handle, g->nr_owned);
		kmcl_bounce_leak(g->nr_owned);
	}
	if (g->buf) {
		g->buf->free(g->buf, g->leak);
		kvfree(g->owned);
		kvfree(g);
		return;
	}
	if (g->leak && g->owned) {
		kvfree(g->owned);
		kvfree(g);
		return;
	}
	for (i = 0; g->owned && i < g->nr_owned; i++)
		if (g->owned[i])
			__free_page(g->owned[i]);
	kvfree(g->owned);
	kvfree(g);
}

/**
 * kmcl_gpadl_alloc() - a new, unpublished GPADL with room for its PFNs
 * @nr_pfns: number of 4 KiB pages, 1..KMCL_GPADL_MAX_PAGES.
 *
 * The caller fills in @pfns, @byte_offset, @byte_count and @flags, then
 * calls kmcl_gpadl_create(), or kmcl_gpadl_put() to give up. Process
 * context.
 *
 * Return: the GPADL with one reference, or NULL.
 */
struct kmcl_gpadl *kmcl_gpadl_alloc(u32 nr_pfns)
{
	struct kmcl_gpadl *g;

	might_sleep();
	if (!nr_pfns || nr_pfns > KMCL_GPADL_MAX_PAGES)
		return NULL;
	g = kvzalloc(struct_size(g, pfns, nr_pfns), GFP_KERNEL);
	if (!g)
		return NULL;
	kref_init(&g->ref);
	spin_lock_init(&g->lock);
	INIT_LIST_HEAD(&g->map_node);
	init_waitqueue_head(&g->unmap_wq);
	g->nr_pfns = nr_pfns;
	return g;
}

/**
 * kmcl_gpadl_put() - drop a reference to a GPADL
 * @g: the GPADL, or NULL.
 *
 * The last reference frees it and the memory KMCL owns for it. Process
 * context.
 */
void kmcl_gpadl_put(struct kmcl_gpadl *g)
{
	if (g)
		kref_put(&g->ref, kmcl_gpadl_release);
}

/**
 * kmcl_gpadl_fill_pages() - back an allocated GPADL with new zeroed pages
 * @ch: the client channel the GPADL is for.
 * @g: from kmcl_gpadl_alloc(); @pfns is filled in, @byte_offset is 0 and
 *	@byte_count covers every page.
 *
 * The transport allocates the memory where it has a way of its own
 * (kmcl_transport_ops.gpadl_alloc); otherwise these are ordinary pages.
 * Process context.
 *
 * Return: 0, -ENOMEM or the transport's error.
 */
int kmcl_gpadl_fill_pages(struct kmcl_channel *ch, struct kmcl_gpadl *g)
{
	u32 i, n = DIV_ROUND_UP(g->nr_pfns, (u32)KMCL_HV_PER_PAGE);
	int ret;

	might_sleep();
	g->owned = kvcalloc(n, sizeof(*g->owned), GFP_KERNEL);
	if (!g->owned)
		return -ENOMEM;
	g->nr_owned = n;
	ret = ch->tops->gpadl_alloc ?
	      ch->tops->gpadl_alloc(ch, g, n * PAGE_SIZE) : -EOPNOTSUPP;
	if (!ret) {
		for (i = 0; i < n; i++)
			g->owned[i] = vmalloc_to_page(g->kva + i * PAGE_SIZE);
	} else if (ret != -EOPNOTSUPP) {
		return ret;
	}
	for (i = 0; !g->buf && i < n; i++) {
		g->owned[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!g->owned[i])
			return -ENOMEM;
	}
	g->byte_offset = 0;
	g->byte_count = g->nr_pfns * KMCL_WIRE_PAGE_SIZE;
	return kmcl_hvpfns_from_pages(g->owned, n, 0, g->nr_pfns, g->pfns);
}

/**
 * kmcl_gpadl_create() - publish a GPADL on a client channel
 * @ch: the client channel.
 * @g: from kmcl_gpadl_alloc(), filled in. On success the table owns the
 *	reference; on failure the caller still does.
 * @handle: receives the new handle.
 *
 * On loopback the table is the publication: the server can map the handle
 * as soon as this returns. A transport whose peer names GPADLs (hv: the
 * host's handle) sets @g->handle in its publish op; that is then the
 * handle. Process context.
 *
 * Return: 0; -EINVAL on a server channel; -EOPNOTSUPP if the transport
 * cannot share GPADLs; an error of its publication; -EBADFD outside the
 * Opened .. Closed window; -ENOSPC if the channel has
 * KMCL_GPADL_MAX_PER_CHANNEL GPADLs; -ENOMEM.
 */
int kmcl_gpadl_create(struct kmcl_channel *ch, struct kmcl_gpadl *g,
		      u32 *handle)
{
	struct xa_limit limit = XA_LIMIT(1, U32_MAX);
	bool live;
	u32 id;
	int ret;

	might_sleep();
	if (ch->is_server)
		return -EINVAL;
	if (!ch->tops->gpadl_publish)
		return -EOPNOTSUPP;
	spin_lock_bh(&ch->shm.lock);
	live = ch->shm.live;
	if (live && ch->shm.nr_gpadls >= KMCL_GPADL_MAX_PER_CHANNEL)
		ret = -ENOSPC;
	else if (!live)
		ret = -EBADFD;
	else
		ret = 0;
	if (!ret)
		ch->shm.nr_gpadls++;
	spin_unlock_bh(&ch->shm.lock);
	if (ret)
		return ret;

	/* Reserve a handle (lookups see nothing), then publish under the lock. */
	ret = xa_alloc_cyclic_bh(&ch->shm.gpadls, &id, NULL, limit,
				 &ch->shm.next_handle, GFP_KERNEL);
	if (ret < 0)
		goto undo;
	g->handle = id;
	ret = ch->tops->gpadl_publish(ch, g);
	if (ret) {
		xa_erase_bh(&ch->shm.gpadls, id);
		goto undo;
	}
	if (g->handle != id) {
		/* The transport's peer named it (hv: the host's handle). */
		xa_erase_bh(&ch->shm.gpadls, id);
		id = g->handle;
		ret = id ? xa_insert_bh(&ch->shm.gpadls, id, NULL, GFP_KERNEL) :
			   -EINVAL;
		if (ret) {
			if (ch->tops->gpadl_revoke)
				ch->tops->gpadl_revoke(ch, g);
			goto undo;
		}
	}

	/* A close that started meanwhile either sees it or refuses it. */
	spin_lock_bh(&ch->shm.lock);
	live = ch->shm.live;
	if (live) {
		xa_lock(&ch->shm.gpadls);
		/* Replaces the reserved slot: needs no memory. */
		ret = xa_err(__xa_store(&ch->shm.gpadls, id, g, GFP_ATOMIC));
		xa_unlock(&ch->shm.gpadls);
		if (!ret)
			ch->shm.stats.gpadl_created++;
	}
	spin_unlock_bh(&ch->shm.lock);
	if (!live || ret) {
		xa_erase_bh(&ch->shm.gpadls, id);
		if (ch->tops->gpadl_revoke)
			ch->tops->gpadl_revoke(ch, g);
		ret = ret ?: -EBADFD;
		goto undo;
	}
	*handle = id;
	return 0;
undo:
	spin_lock_bh(&ch->shm.lock);
	ch->shm.nr_gpadls--;
	spin_unlock_bh(&ch->shm.lock);
	return ret == -EBUSY ? -ENOSPC : ret;
}

/**
 * kmcl_gpadl_delete() - delete a GPADL of a client channel
 * @ch: the client channel.
 * @handle: the GPADL.
 *
 * Blocks while the server has the GPADL mapped. Process context.
 *
 * Return: 0, or -ENOENT for a handle the channel does not have.
 */
int kmcl_gpadl_delete(struct kmcl_channel *ch, u32 handle)
{
	int ret = kmcl_gpadl_remove(ch, handle);

	if (!ret) {
		spin_lock_bh(&ch->shm.lock);
		ch->shm.stats.gpadl_deleted++;
		spin_unlock_bh(&ch->shm.lock);
	}
	return ret;
}

/**
 * kmcl_gpadl_lookup() - find a live GPADL of a client channel
 * @client: the client channel.
 * @handle: the handle.
 *
 * Any context but hard interrupts.
 *
 * Return: the GPADL with a reference taken, or ERR_PTR(-ENOENT).
 */
struct kmcl_gpadl *kmcl_gpadl_lookup(struct kmcl_channel *client, u32 handle)
{
	struct kmcl_gpadl *g;

	xa_lock_bh(&client->shm.gpadls);
	g = xa_load(&client->shm.gpadls, handle);
	if (g)
		kref_get(&g->ref);
	xa_unlock_bh(&client->shm.gpadls);
	return g ?: ERR_PTR(-ENOENT);
}

/**
 * kmcl_gpadl_kva() - kernel address of a GPADL whose pages KMCL owns
 * @ch: the client channel.
 * @handle: a GPADL made with KMCL's own pages.
 * @va: receives the address of its first byte.
 *
 * Maps the pages on the first call; later calls return the same address.
 * The mapping goes when the GPADL is deleted. Process context.
 *
 * Return: 0; -ENOENT for an unknown handle; -EINVAL for a GPADL over the
 * driver's memory; -ENOMEM.
 */
int kmcl_gpadl_kva(struct kmcl_channel *ch, u32 handle, void **va)
{
	struct kmcl_gpadl *g;
	void *kva, *old;
	int ret = 0;

	might_sleep();
	g = kmcl_gpadl_lookup(ch, handle);
	if (IS_ERR(g))
		return PTR_ERR(g);
	if (!g->owned) {
		ret = -EINVAL;
		goto out;
	}
	spin_lock_bh(&g->lock);
	kva = g->kva;
	spin_unlock_bh(&g->lock);
	if (!kva) {
		/* The reference keeps the pages: mapping them is safe. */
		kva = vmap(g->owned, g->nr_owned, VM_MAP,
			   kmcl_shared_pgprot(ch, false));
		if (!kva) {
			ret = -ENOMEM;
			goto out;
		}
		spin_lock_bh(&g->lock);
		old = g->kva;
		if (!old)
			g->kva = kva;
		spin_unlock_bh(&g->lock);
		if (old) {
			vunmap(kva);
			kva = old;
		}
	}
	*va = kva;
out:
	kmcl_gpadl_put(g);
	return ret;
}

/**
 * kmcl_gpadl_map() - map a GPADL of the connected client (server)
 * @srv: the server channel.
 * @handle: the client's handle.
 * @read_only: the server asks for read access only.
 * @mdl: receives an MDL over the client's pages (no system address yet).
 *	KMCL frees it at unmap; the server must not.
 *
 * One mapping per GPADL at a time. A read-write map of a GPADL created
 * read-only is refused. Process context.
 *
 * Return: 0; -EINVAL on a client channel; -EOPNOTSUPP if the transport
 * cannot map GPADLs; -EBADFD outside the Opened .. Closed window or without
 * a connected client; -ENOENT for an unknown or deleted handle; -EBUSY if
 * already mapped; -EACCES for a read-write map of a read-only GPADL;
 * -ENOMEM.
 */
int kmcl_gpadl_map(struct kmcl_channel *srv, u32 handle, bool read_only,
		   struct _MDL **mdl)
{
	struct kmcl_gpadl *g;
	struct _MDL *m;
	bool live;
	int ret = 0;

	might_sleep();
	if (!srv->is_server)
		return -EINVAL;
	if (!srv->tops->gpadl_get)
		return -EOPNOTSUPP;
	if (!READ_ONCE(srv->shm.live))
		return -EBADFD;
	g = srv->tops->gpadl_get(srv, handle);
	if (IS_ERR(g)) {
		ret = PTR_ERR(g) == -ENOTCONN ? -EBADFD : PTR_ERR(g);
		goto refused;
	}
	m = kmcl_mdl_alloc_hvpfns(g->pfns, g->nr_pfns, g->byte_offset,
				  g->byte_count);
	if (!m) {
		ret = -ENOMEM;
		goto put;
	}

	spin_lock_bh(&g->lock);
	if (g->revoked)
		ret = -ENOENT;
	else if (g->mapped)
		ret = -EBUSY;
	else if ((g->flags & KMCL_GPADL_READ_ONLY) && !read_only)
		ret = -EACCES;
	if (!ret) {
		g->mapped = true;
		g->mapper = srv;
		g->map_mdl = m;
	}
	spin_unlock_bh(&g->lock);
	if (ret) {
		kmcl_mdl_free_hvpfns(m);
		goto put;
	}

	spin_lock_bh(&srv->shm.lock);
	live = srv->shm.live;
	if (live) {
		list_add_tail(&g->map_node, &srv->shm.maps);
		srv->shm.stats.gpadl_mapped++;
	}
	spin_unlock_bh(&srv->shm.lock);
	if (!live) {
		/* The server closed meanwhile; its teardown missed this one. */
		kmcl_gpadl_unmap_one(g);
		return -EBADFD;
	}
	*mdl = m;
	return 0;
put:
	kmcl_gpadl_put(g);
refused:
	spin_lock_bh(&srv->shm.lock);
	srv->shm.stats.gpadl_map_refused++;
	spin_unlock_bh(&srv->shm.lock);
	return ret;
}

/**
 * kmcl_gpadl_unmap() - end a server's mapping of a GPADL
 * @srv: the server channel.
 * @handle: a handle it mapped.
 *
 * Its MDL (and any system mapping the server made of it) is gone when this
 * returns; a client waiting to delete the GPADL goes on. Process context.
 *
 * Return: 0, or -ENOENT if @srv does not have @handle mapped.
 */
int kmcl_gpadl_unmap(struct kmcl_channel *srv, u32 handle)
{
	struct kmcl_gpadl *g, *found = NULL;

	might_sleep();
	spin_lock_bh(&srv->shm.lock);
	list_for_each_entry(g, &srv->shm.maps, map_node) {
		if (g->handle == handle) {
			found = g;
			list_del_init(&g->map_node);
			srv->shm.stats.gpadl_unmapped++;
			break;
		}
	}
	spin_unlock_bh(&srv->shm.lock);
	if (!found)
		return -ENOENT;
	kmcl_gpadl_unmap_one(found);
	return 0;
}
