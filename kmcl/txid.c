// SPDX-License-Identifier: GPL-2.0-only
/*
 * Transaction ids for outgoing packets that wait for a completion.
 *
 * The peer echoes our id in its VM_PKT_COMP. Nothing the peer sends is
 * trusted: an id is only a slot number and a generation, never a pointer,
 * and a completion is matched only if its slot is in range, in use, and
 * holds exactly that generation. See "Transaction ids" in packet.h.
 *
 * The table is fixed at kmcl_txid_init() time; every other function runs
 * under the channel's kmcl_out.lock and neither sleeps nor allocates.
 */
#include <linux/errno.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>

#include "kmcl.h"
#include "txid_fast.h"

/**
 * kmcl_txid_init() - allocate and reset a transaction-id table
 * @t: the table (zeroed or destroyed).
 * @nslots: number of slots, 1 .. KMCL_TXID_MAX_SLOTS.
 *
 * Generations start at random values, so ids are hard to guess across
 * channels and across enables. Process context.
 *
 * Return: 0, -EINVAL for a bad @nslots, -ENOMEM.
 */
int kmcl_txid_init(struct kmcl_txid_table *t, u32 nslots)
{
	u32 i;

	if (!nslots || nslots > KMCL_TXID_MAX_SLOTS)
		return -EINVAL;
	t->slots = kvcalloc(nslots, sizeof(*t->slots), GFP_KERNEL);
	if (!t->slots)
		return -ENOMEM;
	t->nslots = nslots;
	t->nr_used = 0;
	t->free_head = KMCL_TXID_NONE;
	for (i = nslots; i-- > 0; ) {
		t->slots[i].gen = get_random_u32() & KMCL_TXID_GEN_MASK;
		t->slots[i].next_free = t->free_head;
		t->free_head = i;
	}
	return 0;
}

KMCL_EXPORT_FOR_TESTS(kmcl_txid_init);

/**
 * kmcl_txid_destroy() - free a table's memory
 * @t: the table; no slot may be in use.
 */
void kmcl_txid_destroy(struct kmcl_txid_table *t)
{
	kvfree(t->slots);
	memset(t, 0, sizeof(*t));
}

KMCL_EXPORT_FOR_TESTS(kmcl_txid_destroy);

/**
 * kmcl_txid_alloc() - give @pkt a transaction id
 * @t: the table.
 * @pkt: the packet that will wait for a completion.
 * @may_cancel: the packet may be cancelled while the peer has it
 *	(a synchronous request): its id is tagged, so that a completion the
 *	peer sends after the cancel is recognised however late it comes.
 * @id: receives the id to put on the wire.
 * @slot: receives the slot, for kmcl_txid_release()/kmcl_txid_cancel().
 *
 * Return: 0, or -EAGAIN if every slot is in use.
 */
int kmcl_txid_alloc(struct kmcl_txid_table *t, struct kmcl_packet *pkt,
		    bool may_cancel, u64 *id, u32 *slot)
{
	return kmcl_txid_do_alloc(t, pkt, may_cancel, id, slot);
}

KMCL_EXPORT_FOR_TESTS(kmcl_txid_alloc);

/**
 * kmcl_txid_release() - free a slot whose id is no longer expected back
 * @t: the table.
 * @slot: a slot kmcl_txid_alloc() handed out and nothing released since.
 *
 * For an id that never reached the peer (the ring write failed) or whose
 * completion will not be waited for any more (channel closed). The slot's
 * generation moves on, so the old id is stale from now on.
 */
void kmcl_txid_release(struct kmcl_txid_table *t, u32 slot)
{
	if (slot < t->nslots && t->slots[slot].pkt)
		kmcl_txid_push_free(t, slot);
}

KMCL_EXPORT_FOR_TESTS(kmcl_txid_release);

/**
 * kmcl_txid_cancel() - free a slot whose completion may still arrive
 * @t: the table.
 * @slot: an in-use slot.
 *
 * Like kmcl_txid_release(). The slot was allocated with @may_cancel, so
 * the completion that may still come for it, however many times the slot
 * was reused meanwhile, is reported as KMCL_TXID_LATE (dropped, harmless)
 * instead of as a stale id.
 */
void kmcl_txid_cancel(struct kmcl_txid_table *t, u32 slot)
{
	if (slot < t->nslots && t->slots[slot].pkt)
		kmcl_txid_push_free(t, slot);
}

KMCL_EXPORT_FOR_TESTS(kmcl_txid_cancel);

/**
 * kmcl_txid_take() - match a completion's id to its packet
 * @t: the table.
 * @id: the trans_id of a received VM_PKT_COMP (untrusted).
 * @pktp: receives the packet on KMCL_TXID_OK, else NULL.
 *
 * On a match the slot is released (so a second completion with the same
 * id is stale, or late for a tagged id).
 *
 * Return: KMCL_TXID_OK; KMCL_TXID_LATE for a tagged id (one that may have
 * been cancelled) of an earlier generation of its slot: the late
 * completion of a cancelled request, or a repeat, dropped either way;
 * KMCL_TXID_BAD if the slot number is out of range; KMCL_TXID_STALE if
 * the slot is free or holds another generation.
 */
enum kmcl_txid_result kmcl_txid_take(struct kmcl_txid_table *t, u64 id,
				     struct kmcl_packet **pktp)
{
	return kmcl_txid_do_take(t, id, pktp);
}

KMCL_EXPORT_FOR_TESTS(kmcl_txid_take);

/**
 * kmcl_txid_peek() - which packet an id names, without taking it
 * @t: the table.
 * @id: a transaction id from the peer (untrusted).
 * @pktp: receives the packet on KMCL_TXID_OK, else NULL.
 *
 * Like kmcl_txid_take(), but nothing changes: the slot stays in use.
 *
 * Return: as kmcl_txid_take().
 */
enum kmcl_txid_result kmcl_txid_peek(const struct kmcl_txid_table *t, u64 id,
				     struct kmcl_packet **pktp)
{
	return kmcl_txid_do_peek(t, id, pktp);
}

KMCL_EXPORT_FOR_TESTS(kmcl_txid_peek);

/**
 * kmcl_txid_take_next() - release the next in-use slot and return its packet
 * @t: the table.
 * @pos: where to look from; start at 0, advanced past the slot returned.
 *
 * Used when the channel closes, to finish every packet still waiting, in
 * one pass over the table.
 *
 * Return: a packet whose slot was just released, or NULL when no slot at
 * or after *@pos is in use.
 */
struct kmcl_packet *kmcl_txid_take_next(struct kmcl_txid_table *t, u32 *pos)
{
	struct kmcl_packet *pkt;

	for (; t->nr_used && *pos < t->nslots; (*pos)++) {
		pkt = t->slots[*pos].pkt;
		if (pkt) {
			kmcl_txid_push_free(t, (*pos)++);
			return pkt;
		}
	}
	return NULL;
}

KMCL_EXPORT_FOR_TESTS(kmcl_txid_take_next);
