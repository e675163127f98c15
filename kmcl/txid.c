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
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>

#include "kmcl.h"

#define KMCL_TXID_NONE	U32_MAX

/*
 * An id: bit 63 set for a request that may be cancelled (KMCL_TXID_MAY_CANCEL),
 * bits 62..32 the slot's generation, bits 31..0 the slot number + 1 (so
 * never 0, and never one of the four highest u64 values).
 */
#define KMCL_TXID_TAG		BIT_ULL(63)
#define KMCL_TXID_GEN_MASK	GENMASK(30, 0)

static u64 kmcl_txid_make(u32 gen, u32 slot, bool may_cancel)
{
	return (may_cancel ? KMCL_TXID_TAG : 0) |
	       ((u64)(gen & KMCL_TXID_GEN_MASK) << 32) | (slot + 1);
}

/*
 * Is @gen a generation @s handed out before its current one? Generations
 * are 31 bits and wrap: "before" means at most 2^30 releases ago.
 */
static bool kmcl_txid_older(const struct kmcl_txid_slot *s, u32 gen)
{
	u32 age = (s->gen - gen) & KMCL_TXID_GEN_MASK;

	return age && age < BIT(30);
}

/* Free @slot. Its generation moves on: the old id is never matched again. */
static void kmcl_txid_push_free(struct kmcl_txid_table *t, u32 slot)
{
	struct kmcl_txid_slot *s = &t->slots[slot];

	s->pkt = NULL;
	s->gen = (s->gen + 1) & KMCL_TXID_GEN_MASK;
	s->next_free = t->free_head;
	t->free_head = slot;
	t->nr_used--;
}

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
	struct kmcl_txid_slot *s;
	u32 n = t->free_head;

	if (n == KMCL_TXID_NONE)
		return -EAGAIN;
	s = &t->slots[n];
	t->free_head = s->next_free;
	t->nr_used++;
	s->pkt = pkt;
	s->may_cancel = may_cancel;
	*id = kmcl_txid_make(s->gen, n, may_cancel);
	*slot = n;
	return 0;
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
	enum kmcl_txid_result r = kmcl_txid_peek(t, id, pktp);

	if (r == KMCL_TXID_OK)
		kmcl_txid_push_free(t, lower_32_bits(id) - 1);
	return r;
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
	u32 n = lower_32_bits(id);
	u32 gen = upper_32_bits(id) & KMCL_TXID_GEN_MASK;
	const struct kmcl_txid_slot *s;

	*pktp = NULL;
	if (!n || n > t->nslots)
		return KMCL_TXID_BAD;
	s = &t->slots[n - 1];
	if (s->pkt && s->gen == gen &&
	    !(id & KMCL_TXID_TAG) == !s->may_cancel) {
		*pktp = s->pkt;
		return KMCL_TXID_OK;
	}
	if ((id & KMCL_TXID_TAG) && kmcl_txid_older(s, gen))
		return KMCL_TXID_LATE;
	return KMCL_TXID_STALE;
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
