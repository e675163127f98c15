/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmcl_hv's compat layer and channel I/O as built for older hv_vmbus APIs,
 * for the KUnit module: gen_510.c (before 5.14) and gen_514.c (5.14,
 * 5.15) compile compat.h and io.c once more each, with the probe answers
 * of that generation and the model's old-API GPADL calls in place of
 * hv_vmbus's (gen_build.h). The functions keep io.c's contracts; set the
 * model's gen (enum kmcl_hv_model_gen) to match before opening.
 */
#ifndef _KMCL_HV_TESTS_GEN_H
#define _KMCL_HV_TESTS_GEN_H

#include "io.h"

#define KMCL_HV_GEN_DECLARE(g)						\
int kmcl_hv_gen##g##_io_open(struct kmcl_hv_io *io,			\
			     const struct kmcl_hv_ops *ops,		\
			     struct vmbus_channel *c,			\
			     const struct kmcl_hv_io_params *p);	\
void kmcl_hv_gen##g##_io_close(struct kmcl_hv_io *io);			\
void kmcl_hv_gen##g##_io_mask(struct kmcl_hv_io *io);			\
int kmcl_hv_gen##g##_io_peek(struct kmcl_hv_io *io, void *buf,		\
			     u32 buflen, u32 *pktlen);			\
int kmcl_hv_gen##g##_io_consume(struct kmcl_hv_io *io, u32 pktlen);	\
bool kmcl_hv_gen##g##_io_unmask(struct kmcl_hv_io *io);			\
int kmcl_hv_gen##g##_gpadl(struct vmbus_channel *c, void *buf, u32 size, \
			   u32 *handle, u32 *handle_after);		\
bool kmcl_hv_gen##g##_external_shared(const struct vmbus_channel *c,	\
				      bool isolated)

KMCL_HV_GEN_DECLARE(510);
KMCL_HV_GEN_DECLARE(514);

#endif /* _KMCL_HV_TESTS_GEN_H */
