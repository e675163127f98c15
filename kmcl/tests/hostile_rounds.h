/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The round driver both seeded hostile peers share (kmcl_hostile over
 * loopback, kmcl_hv_hostile over the hv_vmbus model): a sequence of
 * @packets raw packets is cut into KUnit cases ("rounds") of @per_round
 * packets each; @only (1-based, 0 for all) picks one round alone, whose
 * packets depend on the seed and the round number only.
 */
#ifndef _KMCL_TESTS_HOSTILE_ROUNDS_H
#define _KMCL_TESTS_HOSTILE_ROUNDS_H

#include <kunit/test.h>
#include <linux/kernel.h>

/*
 * hostile_round_next() - the KUnit parameter after @prev (NULL first):
 * round number + 1 as a pointer, with "round R of N" in @desc, or NULL
 * after the last round.
 */
static inline const void *hostile_round_next(const void *prev, char *desc,
					     unsigned long packets,
					     unsigned long per_round,
					     unsigned long only)
{
	unsigned long i = (unsigned long)prev;
	unsigned long rounds = DIV_ROUND_UP(packets, per_round);

	if (only) {
		if (i || only > rounds)
			return NULL;
		i = only - 1;
	}
	if (i >= rounds)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "round %lu of %lu", i + 1, rounds);
	return (void *)(i + 1);
}

#endif /* _KMCL_TESTS_HOSTILE_ROUNDS_H */
