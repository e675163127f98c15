/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared memory between the endpoints of a channel: GPADLs.
 *
 * A GPADL describes client memory (Hyper-V PFNs, an offset in the first
 * page, a length) under a handle. The client creates it (Linux side:
 * kmcl_gpadl_create()); the handle travels to the server in a message of
 * the driver's own protocol; the server maps it (kmcl_gpadl_map()), which
 * hands it an MDL over the client's pages, and later unmaps it. Deleting a
 * GPADL blocks while the server has it mapped.
 *
 * Lifetime: a struct kmcl_gpadl is reference counted: one reference for the
 * client's table, one for the server's mapping, one for each lookup in
 * progress. The memory KMCL owns for it (pages of kmcl_gpadl_create_pages(),
 * their kernel mapping) goes with the last reference, in process context.
 *
 * Window: GPADLs may be created and mapped from just before the Opened
 * callback until the Closed callback has returned (struct kmcl_shmem.live).
 * Right after Closed, kmcl_shmem_close() deletes whatever the client driver
 * left (counted as forced) and force-unmaps whatever the server driver left
 * mapped, so no GPADL outlives Closed on either side. A client's Delete
 * that waits for the server always ends: the server loses its peer when
 * the client disconnects (before the client's Closed) and unmaps at its
 * own close at the latest.
 *
 * Limits (documented in Documentation/api-status.rst):
 * KMCL_GPADL_MAX_PER_CHANNEL live GPADLs per client channel and
 * KMCL_GPADL_MAX_PAGES 4 KiB pages per GPADL.
 *
 * Locking (outer to inner; none of them is held while sleeping):
 *   kmcl_lb_lock -> link->lock -> client's shm.gpadls xa_lock (lookup)
 *   client's shm.lock -> client's shm.gpadls xa_lock (create publishes)
 *   gpadl->lock, server's shm.lock: leaves, never nested in each other.
 * shm.lock guards @live, @nr_gpadls, @maps and the counters.
 */
#ifndef _KMCL_SHMEM_H
#define _KMCL_SHMEM_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

struct kmcl_channel;
struct page;
struct _MDL;

#define KMCL_GPADL_MAX_PER_CHANNEL	1024U	/* live GPADLs per client channel */
#define KMCL_GPADL_MAX_PAGES		262144U	/* 4 KiB pages per GPADL: 1 GiB */
#define KMCL_GPADL_READ_ONLY		0x1U	/* VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY */

/**
 * struct kmcl_gpadl - one GPADL, created by a client channel
 * @ref: see "Lifetime" above.
 * @lock: protects @revoked, @mapped, @mapper, @map_mdl and @kva.
 * @handle: 1..U32_MAX, unique among the channel's live GPADLs.
 * @flags: KMCL_GPADL_READ_ONLY or 0.
 * @byte_offset: offset of the memory in the first page (< 4096).
 * @byte_count: bytes described.
 * @revoked: deleted: out of the table, no new mapping.
 * @mapped: the server holds it mapped.
 * @mapper: that server channel.
 * @map_mdl: the MDL handed to the server.
 * @map_node: on @mapper's shm.maps.
 * @unmap_wq: Delete waits here for !@mapped.
 * @owned: pages KMCL allocated (kmcl_gpadl_create_pages()), or NULL.
 * @nr_owned: entries in @owned.
 * @kva: kernel mapping of @owned, made on demand, or NULL.
 * @leak: the transport could not take the memory back from the peer (it
 *	may still be shared, e.g. decrypted in a confidential VM): @owned
 *	pages are never freed.
 * @tpriv: the transport's state of the published GPADL, or NULL.
 * @nr_pfns: entries in @pfns.
 * @pfns: Hyper-V PFNs of the memory, in order.
 */
struct kmcl_gpadl {
	struct kref ref;
	spinlock_t lock;	/* see above */
	u32 handle;
	u32 flags;
	u32 byte_offset;
	u32 byte_count;
	bool revoked;
	bool mapped;
	struct kmcl_channel *mapper;
	struct _MDL *map_mdl;
	struct list_head map_node;
	wait_queue_head_t unmap_wq;
	struct page **owned;
	u32 nr_owned;
	void *kva;
	bool leak;
	void *tpriv;
	u32 nr_pfns;
	unsigned long pfns[];
};

/**
 * struct kmcl_shmem_stats - shared-memory counters of one channel
 * @gpadl_created: GPADLs created (client).
 * @gpadl_deleted: GPADLs deleted by the driver (client).
 * @gpadl_forced: GPADLs the driver left at Closed, deleted by KMCL
 *	(client), or mappings it left, unmapped by KMCL (server).
 * @gpadl_mapped: successful maps (server).
 * @gpadl_unmapped: unmaps by the driver (server).
 * @gpadl_map_refused: refused maps (server).
 */
struct kmcl_shmem_stats {
	u64 gpadl_created;
	u64 gpadl_deleted;
	u64 gpadl_forced;
	u64 gpadl_mapped;
	u64 gpadl_unmapped;
	u64 gpadl_map_refused;
};

/**
 * struct kmcl_shmem - shared-memory state embedded in a channel
 * @lock: see the locking notes above.
 * @live: GPADLs may be created / mapped (Opened .. Closed).
 * @gpadls: client: handle -> struct kmcl_gpadl.
 * @next_handle: cursor of the cyclic handle allocator.
 * @nr_gpadls: client: entries in @gpadls.
 * @maps: server: the GPADLs this endpoint has mapped.
 * @stats: counters.
 */
struct kmcl_shmem {
	spinlock_t lock;	/* see above */
	bool live;
	struct xarray gpadls;
	u32 next_handle;
	u32 nr_gpadls;
	struct list_head maps;
	struct kmcl_shmem_stats stats;
};

/* gpadl.c: channel hooks (process context, state_mutex held). */
void kmcl_shmem_setup(struct kmcl_channel *ch);
void kmcl_shmem_open(struct kmcl_channel *ch);
void kmcl_shmem_close(struct kmcl_channel *ch);
void kmcl_shmem_destroy(struct kmcl_channel *ch);

/* gpadl.c: GPADLs (process context). */
struct kmcl_gpadl *kmcl_gpadl_alloc(u32 nr_pfns);
void kmcl_gpadl_put(struct kmcl_gpadl *g);
int kmcl_gpadl_fill_pages(struct kmcl_gpadl *g);
int kmcl_gpadl_create(struct kmcl_channel *ch, struct kmcl_gpadl *g,
		      u32 *handle);
int kmcl_gpadl_delete(struct kmcl_channel *ch, u32 handle);
int kmcl_gpadl_kva(struct kmcl_channel *ch, u32 handle, void **va);
struct kmcl_gpadl *kmcl_gpadl_lookup(struct kmcl_channel *client, u32 handle);
int kmcl_gpadl_map(struct kmcl_channel *srv, u32 handle, bool read_only,
		   struct _MDL **mdl);
int kmcl_gpadl_unmap(struct kmcl_channel *srv, u32 handle);

/* api_mdl.c: MDLs that KMCL hands out and takes back itself. */
struct _MDL *kmcl_mdl_alloc_hvpfns(const unsigned long *pfns, u32 count,
				   u32 byte_offset, u32 byte_count);
void kmcl_mdl_free_hvpfns(struct _MDL *mdl);

#endif /* _KMCL_SHMEM_H */
