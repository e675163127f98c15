/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared memory between the endpoints of a channel: GPADLs, and the
 * prototypes of external data (ext.c).
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
 *   client's shm.gpadls xa_lock -> gpadl->lock (transfer pages, xfer.c)
 *   gpadl->lock, server's shm.lock: leaves, never nested in each other.
 *   Transfer-page packets pin a GPADL without a reference: Delete waits
 *   (under gpadl->lock) until none is left.
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
struct kmcl_wire_packet;
struct page;
struct _MDL;

#define KMCL_GPADL_MAX_PER_CHANNEL	1024U	/* live GPADLs per client channel */
#define KMCL_GPADL_MAX_PAGES		262144U	/* 4 KiB pages per GPADL: 1 GiB */
#define KMCL_GPADL_READ_ONLY		0x1U	/* VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY */

/**
 * struct kmcl_gpadl_buf - memory a transport allocated for a GPADL
 * @free: process context: give the memory back once the GPADL's last
 *	reference is gone. With @leak the peer may still see it: keep its
 *	pages out of the allocator for good and drop only the bookkeeping.
 *
 * A transport whose peer shares memory best in a form of its own (hv in a
 * confidential VM: buffers made host-visible once, at allocation) embeds
 * this in its buffer; see kmcl_transport_ops.gpadl_alloc.
 */
struct kmcl_gpadl_buf {
	void (*free)(struct kmcl_gpadl_buf *b, bool leak);
};

/**
 * struct kmcl_gpadl - one GPADL, created by a client channel
 * @ref: see "Lifetime" above.
 * @lock: protects @revoked, @mapped, @xfer_held, @mapper, @map_mdl and
 *	@kva.
 * @handle: 1..U32_MAX, unique among the channel's live GPADLs.
 * @flags: KMCL_GPADL_READ_ONLY or 0.
 * @byte_offset: offset of the memory in the first page (< 4096).
 * @byte_count: bytes described.
 * @revoked: deleted: out of the table, no new mapping.
 * @mapped: the server holds it mapped.
 * @xfer_held: delivered transfer-page packets whose ranges lie in it and
 *	that the driver has not completed yet (xfer.c).
 * @mapper: that server channel.
 * @map_mdl: the MDL handed to the server.
 * @map_node: on @mapper's shm.maps.
 * @unmap_wq: Delete waits here for !@mapped and !@xfer_held.
 * @owned: pages KMCL allocated (kmcl_gpadl_fill_pages()), or NULL.
 * @nr_owned: entries in @owned.
 * @kva: kernel mapping of @owned, made on demand, or NULL.
 * @buf: the transport's buffer behind @owned and @kva when its
 *	gpadl_alloc op provided the memory, or NULL (ordinary pages).
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
	u32 xfer_held;
	struct kmcl_channel *mapper;
	struct _MDL *map_mdl;
	struct list_head map_node;
	wait_queue_head_t unmap_wq;
	struct page **owned;
	u32 nr_owned;
	void *kva;
	struct kmcl_gpadl_buf *buf;
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
 * @gpadl_forced_logged: closes whose forced teardown was logged (at most
 *	one: the first).
 * @gpadl_mapped: successful maps (server).
 * @gpadl_unmapped: unmaps by the driver (server).
 * @gpadl_map_refused: refused maps (server).
 */
struct kmcl_shmem_stats {
	u64 gpadl_created;
	u64 gpadl_deleted;
	u64 gpadl_forced;
	u64 gpadl_forced_logged;
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
 * @xfer_sets: client: transfer page set id -> GPADL handle (xa_mk_value).
 * @stats: counters.
 */
struct kmcl_shmem {
	spinlock_t lock;	/* see above */
	bool live;
	struct xarray gpadls;
	u32 next_handle;
	u32 nr_gpadls;
	struct list_head maps;
	struct xarray xfer_sets;
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
int kmcl_gpadl_fill_pages(struct kmcl_channel *ch, struct kmcl_gpadl *g);
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
int kmcl_mdl_check_span(struct _MDL *mdl, u32 *span);
size_t kmcl_mdl_hvpfns_size(u32 count);
struct _MDL *kmcl_mdl_place_hvpfns(void *mem, const void *pfns, u32 count,
				   u32 byte_offset, u32 byte_count,
				   struct _MDL *prev);
bool kmcl_mdl_use_va(struct _MDL *mdl, void *va);
int kmcl_mdl_map_system(struct _MDL *mdl, bool read_only, bool shared,
			bool may_sleep);
struct _MDL *kmcl_mdl_unplace(struct _MDL *mdl);

/*
 * External data (ext.c, api_ext.c): memory an outgoing packet lends to the
 * peer as the GPA ranges of a KMCL_PKT_DATA_USING_GPA_DIRECT packet. See
 * ext.c for the model.
 */
struct kmcl_channel_config;
struct kmcl_in_packet;

/**
 * struct kmcl_ext_fill - how kmcl_packet_send_ext() gets a packet's ranges
 * @fill: called once the packet is claimed: write the ranges (struct
 *	kmcl_gpa_range back to back, each with its PFNs) into @dst, at most
 *	@cap bytes; set *@len to the bytes written and *@count to the number
 *	of ranges. Returns 0 or -errno (the send fails with it). For each of
 *	the first @nvas ranges it may store in @vas the address in this
 *	kernel where the range's first byte is mapped for as long as the
 *	memory is lent (a nonpaged-pool MDL's own address), else leaves the
 *	entry NULL: a hint a receiver in this kernel may use instead of a
 *	mapping of its own, after checking it (kmcl_hvpfns_match_va()).
 * @arg: passed to @fill.
 */
struct kmcl_ext_fill {
	int (*fill)(void *dst, u32 cap, const void *arg, u32 *len, u32 *count,
		    void **vas, u32 nvas);
	const void *arg;
};

bool kmcl_ext_limits_ok(u32 size, u32 chain);
u32 kmcl_ext_ranges_cap(const struct kmcl_channel_config *cfg);
u32 kmcl_ext_hdr_size(const struct kmcl_channel_config *cfg);
u32 kmcl_ext_in_size(const struct kmcl_channel_config *cfg);
u32 kmcl_ext_va_size(const struct kmcl_channel_config *cfg);
void **kmcl_ext_in_vas(struct kmcl_in_packet *ip);
int kmcl_ext_receive(struct kmcl_channel *ch, struct kmcl_in_packet *ip,
		     const struct kmcl_wire_packet *wp);
void kmcl_ext_release(struct kmcl_in_packet *ip);
void kmcl_ext_quiesce(struct kmcl_channel *ch);
void kmcl_ext_wait(struct kmcl_channel *ch);

/* xfer.c: transfer-page packets into the client's receive GPADLs. */
int kmcl_xfer_set(struct kmcl_channel *ch, u16 id, u32 handle);
int kmcl_xfer_receive(struct kmcl_channel *ch, struct kmcl_in_packet *ip,
		      const struct kmcl_wire_packet *wp);
void kmcl_xfer_build(struct kmcl_in_packet *ip);
void kmcl_xfer_release(struct kmcl_in_packet *ip);
int kmcl_out_ext_match(struct kmcl_channel *ch, u64 txid, const void *ranges,
		       u32 len, u32 count, void **vas);

#endif /* _KMCL_SHMEM_H */
