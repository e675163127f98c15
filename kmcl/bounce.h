/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bounce pool: external data of an isolated (confidential) endpoint.
 *
 * An isolated endpoint's peer may only touch memory the endpoint shared on
 * purpose. Its external data (an MDL chain or PFN array) is therefore never
 * described to the peer by page number: the bytes go through the channel's
 * bounce pool, host-visible pages KMCL owns, and the packet carries one
 * GPA range over the pool pages instead.
 *
 * - Whether an endpoint is isolated is the transport's answer
 *   (kmcl_transport_ops.isolated), taken once at enable.
 * - The pool: VmbChannelInitSetBounceBufferSizes(Initial, Increment,
 *   Maximum) sizes it (page multiples, 0 = default); Initial is allocated
 *   at enable and kept, the pool grows by Increment (in process context,
 *   from a work item) up to Maximum while packets wait for room;
 *   VmbChannelAllocateBounceBuffer() adds to it at once. A transport with
 *   share/unshare ops makes the pages host-visible (hv: the kernel's
 *   decryption API); on loopback they are ordinary pages.
 * - Sending: kmcl_packet_send_ext() plans the bounce after the source
 *   ranges were written into the packet (kmcl_bounce_plan()); when the
 *   packet is written to the ring (kmcl_bounce_in(), under out.lock) it
 *   reserves pool pages, copies the data in (DATA_IN_ONLY: zeroes them
 *   instead) and the wire carries the pool range. No room: the packet
 *   waits in the send queue like a packet waiting for a transaction id,
 *   never dropped. When the peer completes it, the bytes are copied back
 *   (not for DATA_OUT_ONLY), exactly the bounced length and never more,
 *   before the driver's completion routine runs; then the pages go back
 *   to the pool.
 * - No pool at all: the send fails with -EOPNOTSUPP (STATUS_NOT_SUPPORTED),
 *   logged once per channel.
 * - Pages the peer may still hold (a packet taken back while the peer had
 *   it) are parked until the peer held nothing any more
 *   (kmcl_ext_quiesce()).
 * - A non-isolated endpoint never gets here: the only cost is one test of
 *   a cached flag per external-data send.
 *
 * Locking: pool->lock (BH-safe spinlock) guards the chunk bitmaps and the
 * counters. Order: out.lock -> pool->lock.
 */
#ifndef _KMCL_BOUNCE_H
#define _KMCL_BOUNCE_H

#include <linux/list.h>
#include <linux/pgtable.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct kmcl_channel;
struct kmcl_gpa_range;
struct kmcl_packet;
struct page;
struct seq_file;

/* Defaults for a 0 increment / maximum. */
#define KMCL_BOUNCE_DEFAULT_INCREMENT	(64U * 1024)
#define KMCL_BOUNCE_DEFAULT_MAX		(4U * 1024 * 1024)

/**
 * struct kmcl_bounce_ref - the bounce state of one outgoing packet
 * @length: bytes bounced; 0: the packet is not bounced.
 * @wire_len: bytes of the pool range on the wire.
 * @first: first pool page of the run in @chunk.
 * @nslots: pages of the run; 0 while none are reserved.
 * @chunk: the chunk holding the run.
 * @range: where the pool range is built (after the packet's ext area).
 */
struct kmcl_bounce_ref {
	u32 length;
	u32 wire_len;
	u32 first;
	u32 nslots;
	struct kmcl_bounce_chunk *chunk;
	struct kmcl_gpa_range *range;
};

/**
 * struct kmcl_bounce_chunk - pages added to the pool in one step
 * @node: on kmcl_bounce.chunks.
 * @pages: @npages pages.
 * @va: a kernel mapping of @pages, host-visible (kmcl_shared_pgprot()).
 * @npages: number of pages.
 * @used: bitmap of reserved pages.
 * @parked: bitmap of pages the peer may still hold.
 */
struct kmcl_bounce_chunk {
	struct list_head node;
	struct page **pages;
	void *va;
	u32 npages;
	unsigned long *used;
	unsigned long *parked;
};

/**
 * struct kmcl_bounce - the bounce pool of one channel
 * @lock: see above.
 * @ch: the channel.
 * @chunks: struct kmcl_bounce_chunk list.
 * @bytes: pool size.
 * @increment: growth step.
 * @max: most the pool grows to on its own.
 * @want: largest run a waiting packet needs, in bytes (for @grow).
 * @growing: @grow is queued or running.
 * @grow: adds @increment in process context.
 * @bounced: packets bounced.
 * @waited: times a packet waited for room.
 * @copied_in: bytes copied into the pool.
 * @copied_back: bytes copied back to the driver.
 */
struct kmcl_bounce {
	spinlock_t lock;	/* chunk bitmaps, counters */
	struct kmcl_channel *ch;
	struct list_head chunks;
	u32 bytes;
	u32 increment;
	u32 max;
	u32 want;
	bool growing;
	struct work_struct grow;
	u64 bounced;
	u64 waited;
	u64 copied_in;
	u64 copied_back;
};

bool kmcl_channel_isolated(struct kmcl_channel *ch);
pgprot_t kmcl_map_pgprot(bool shared, bool ro);
pgprot_t kmcl_shared_pgprot(struct kmcl_channel *ch, bool ro);
void kmcl_bounce_leak(u32 n);
int kmcl_bounce_allocate(struct kmcl_channel *ch, u32 bytes);
u32 kmcl_bounce_area(struct kmcl_channel *ch);
void kmcl_bounce_format(struct kmcl_packet *pkt, void *area);
int kmcl_bounce_enable(struct kmcl_channel *ch);
void kmcl_bounce_destroy(struct kmcl_channel *ch);
int kmcl_bounce_add(struct kmcl_channel *ch, u32 bytes);
int kmcl_bounce_plan(struct kmcl_packet *pkt);
int kmcl_bounce_in(struct kmcl_channel *ch, struct kmcl_packet *pkt);
void kmcl_bounce_finish(struct kmcl_packet *pkt, int err);
bool kmcl_bounce_take_back(struct kmcl_packet *pkt, bool pending);
void kmcl_bounce_unpark(struct kmcl_channel *ch);
bool kmcl_bounce_owns(struct kmcl_channel *ch, const void *ranges, u32 len,
		      u32 count);
const void *kmcl_bounce_wire(const struct kmcl_packet *pkt, u32 *len,
			     u32 *count);
u64 kmcl_bounce_leaked_pages(void);
u64 kmcl_shared_map_count(void);
void kmcl_bounce_show(struct seq_file *m, struct kmcl_channel *ch);

#endif /* _KMCL_BOUNCE_H */
