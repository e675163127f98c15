/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-packet steps of the transaction-id table, inline: the send path
 * takes an id for every packet that waits for a completion and the reader
 * matches one for every completion, and a call each is a measurable part
 * of the data path (make bench). txid.c exports them, unchanged, for the
 * tests and everything else. Caller holds kmcl_out.lock.
 *
 * An id: bit 63 set for a request that may be cancelled, bits 62..32 the
 * slot's generation, bits 31..0 the slot number + 1 (so never 0, and
 * never one of the four highest u64 values). Nothing the peer sends is
 * trusted: a completion's id is only a slot number and a generation,
 * matched if the slot is in range, in use and holds exactly that
 * generation.
 */
#ifndef _KMCL_TXID_FAST_H
#define _KMCL_TXID_FAST_H

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/kernel.h>

#include "packet.h"

#define KMCL_TXID_NONE		U32_MAX
#define KMCL_TXID_TAG		BIT_ULL(63)
#define KMCL_TXID_GEN_MASK	GENMASK(30, 0)

static __always_inline u64 kmcl_txid_make(u32 gen, u32 slot, bool may_cancel)
{
	return (may_cancel ? KMCL_TXID_TAG : 0) |
	       ((u64)(gen & KMCL_TXID_GEN_MASK) << 32) | (slot + 1);
}

/*
 * Is @gen a generation @s handed out before its current one? Generations
 * are 31 bits and wrap: "before" means at most 2^30 releases ago.
 */
static __always_inline bool kmcl_txid_older(const struct kmcl_txid_slot *s,
					    u32 gen)
{
	u32 age = (s->gen - gen) & KMCL_TXID_GEN_MASK;

	return age && age < BIT(30);
}

/* Free @slot. Its generation moves on: the old id is never matched again. */
static __always_inline void kmcl_txid_push_free(struct kmcl_txid_table *t,
						u32 slot)
{
	struct kmcl_txid_slot *s = &t->slots[slot];

	s->pkt = NULL;
	s->gen = (s->gen + 1) & KMCL_TXID_GEN_MASK;
	s->next_free = t->free_head;
	t->free_head = slot;
	t->nr_used--;
}

/* The body of kmcl_txid_alloc(). */
static __always_inline int kmcl_txid_do_alloc(struct kmcl_txid_table *t,
					      struct kmcl_packet *pkt,
					      bool may_cancel, u64 *id,
					      u32 *slot)
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

/* The body of kmcl_txid_peek(). */
static __always_inline enum kmcl_txid_result
kmcl_txid_do_peek(const struct kmcl_txid_table *t, u64 id,
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

/* The body of kmcl_txid_take(). */
static __always_inline enum kmcl_txid_result
kmcl_txid_do_take(struct kmcl_txid_table *t, u64 id, struct kmcl_packet **pktp)
{
	enum kmcl_txid_result r = kmcl_txid_do_peek(t, id, pktp);

	if (r == KMCL_TXID_OK)
		kmcl_txid_push_free(t, lower_32_bits(id) - 1);
	return r;
}

#endif /* _KMCL_TXID_FAST_H */
