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

static u64 kmcl_txid_make(u32 gen, u32 slot)
{
	return ((u64)gen << 32) | (slot + 1);
}

/*
 * Free @slot. Its generation moves on; bit 0 of the cancel history now
 * stands for the generation just given up (set if it was @cancelled), and
 * older generations move one bit up.
 */
static void kmcl_txid_push_free(struct kmcl_txid_table *t, u32 slot,
				bool cancelled)
{
	struct kmcl_txid_slot *s = &t->slots[slot];

	s->pkt = NULL;
	s->cancelled = (s->cancelled << 1) | cancelled;
	s->gen++;
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
		t->slots[i].gen = get_random_u32();
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
 * @id: receives the id to put on the wire.
 * @slot: receives the slot, for kmcl_txid_release()/kmcl_txid_cancel().
 *
 * Return: 0, or -EAGAIN if every slot is in use.
 */
int kmcl_txid_alloc(struct kmcl_txid_table *t, struct kmcl_packet *pkt,
		    u64 *id, u32 *slot)
{
	struct kmcl_txid_slot *s;
	u32 n = t->free_head;

	if (n == KMCL_TXID_NONE)
		return -EAGAIN;
	s = &t->slots[n];
	t->free_head = s->next_free;
	t->nr_used++;
	s->pkt = pkt;
	*id = kmcl_txid_make(s->gen, n);
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
		kmcl_txid_push_free(t, slot, false);
}

KMCL_EXPORT_FOR_TESTS(kmcl_txid_release);

/**
 * kmcl_txid_cancel() - free a slot whose completion may still arrive
 * @t: the table.
 * @slot: an in-use slot.
 *
 * Like kmcl_txid_release(), but the slot remembers that this generation
 * was cancelled: the one completion that may still come for it is reported
 * as KMCL_TXID_LATE (dropped, harmless) instead of as a stale id, as long
 * as it arrives before the slot has been reused KMCL_TXID_CANCEL_HISTORY
 * more times.
 */
void kmcl_txid_cancel(struct kmcl_txid_table *t, u32 slot)
{
	if (slot < t->nslots && t->slots[slot].pkt)
		kmcl_txid_push_free(t, slot, true);
}

KMCL_EXPORT_FOR_TESTS(kmcl_txid_cancel);

/**
 * kmcl_txid_take() - match a completion's id to its packet
 * @t: the table.
 * @id: the trans_id of a received VM_PKT_COMP (untrusted).
 * @pktp: receives the packet on KMCL_TXID_OK, else NULL.
 *
 * On a match the slot is released (so a second completion with the same
 * id is stale).
 *
 * Return: KMCL_TXID_OK; KMCL_TXID_LATE for the late completion of a
 * cancelled request; KMCL_TXID_BAD if the slot number is out of range;
 * KMCL_TXID_STALE if the slot is free or holds another generation.
 */
enum kmcl_txid_result kmcl_txid_take(struct kmcl_txid_table *t, u64 id,
				     struct kmcl_packet **pktp)
{
	u32 n = lower_32_bits(id);
	u32 gen = upper_32_bits(id);
	struct kmcl_txid_slot *s;
	u32 age;

	*pktp = NULL;
	if (!n || n > t->nslots)
		return KMCL_TXID_BAD;
	s = &t->slots[n - 1];
	if (s->pkt && s->gen == gen) {
		*pktp = s->pkt;
		kmcl_txid_push_free(t, n - 1, false);
		return KMCL_TXID_OK;
	}
	/* How many releases ago @gen was given up (wraps harmlessly). */
	age = s->gen - 1 - gen;
	if (age < KMCL_TXID_CANCEL_HISTORY && (s->cancelled & BIT(age))) {
		s->cancelled &= ~BIT(age);	/* a second one is bogus */
		return KMCL_TXID_LATE;
	}
	return KMCL_TXID_STALE;
}

KMCL_EXPORT_FOR_TESTS(kmcl_txid_take);

/**
 * kmcl_txid_peek() - which packet an id names, without taking it
 * @t: the table.
 * @id: a transaction id from the peer (untrusted).
 * @pktp: receives the packet on KMCL_TXID_OK, else NULL.
 *
 * Like kmcl_txid_take(), but nothing changes: the slot stays in use and
 * a cancelled generation stays remembered.
 *
 * Return: as kmcl_txid_take().
 */
enum kmcl_txid_result kmcl_txid_peek(const struct kmcl_txid_table *t, u64 id,
				     struct kmcl_packet **pktp)
{
	u32 n = lower_32_bits(id);
	u32 gen = upper_32_bits(id);
	const struct kmcl_txid_slot *s;
	u32 age;

	*pktp = NULL;
	if (!n || n > t->nslots)
		return KMCL_TXID_BAD;
	s = &t->slots[n - 1];
	if (s->pkt && s->gen == gen) {
		*pktp = s->pkt;
		return KMCL_TXID_OK;
	}
	age = s->gen - 1 - gen;
	if (age < KMCL_TXID_CANCEL_HISTORY && (s->cancelled & BIT(age)))
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
			kmcl_txid_push_free(t, (*pos)++, false);
			return pkt;
		}
	}
	return NULL;
}

KMCL_EXPORT_FOR_TESTS(kmcl_txid_take_next);
