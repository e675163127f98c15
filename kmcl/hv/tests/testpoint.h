/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The test points of offer.c and chan.c (enum kmcl_hv_tp, kmcl_hv.h) as the
 * KUnit module builds them: hv_offer.c and hv_chan.c route
 * kmcl_hv_test_point() to kmcl_hv_tp_hit(), which runs what a test set for
 * that point, in the thread that reached it (fixture.c).
 */
#ifndef _KMCL_HV_TESTS_TESTPOINT_H
#define _KMCL_HV_TESTS_TESTPOINT_H

void kmcl_hv_tp_hit(int tp, void *obj);
void kmcl_hv_tp_set(int tp, void (*fn)(void *ctx, void *obj), void *ctx);

#endif /* _KMCL_HV_TESTS_TESTPOINT_H */
