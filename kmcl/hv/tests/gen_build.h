/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One generation build of compat.h and io.c (see gen.h). The including
 * file first #undefs the probe answers its kernels lack and defines
 * KMCL_HV_GEN_SYM(name), the prefix of its copies of io.c's functions.
 *
 * hv_vmbus's declarations come first, as the target kernel has them; then
 * the calls whose prototype the generation changed are pointed at the
 * model's versions of the old ones, then compat.h and io.c are built.
 */
#include <linux/hyperv.h>

int kmcl_hv_model_vmbus_establish_gpadl_u32(struct vmbus_channel *c,
					    void *buf, u32 size, u32 *handle);
int kmcl_hv_model_vmbus_teardown_gpadl_u32(struct vmbus_channel *c,
					   u32 handle);

#ifndef KMCL_HV_HAVE_VMBUS_GPADL
#define vmbus_establish_gpadl	kmcl_hv_model_vmbus_establish_gpadl_u32
#define vmbus_teardown_gpadl	kmcl_hv_model_vmbus_teardown_gpadl_u32
#endif

#define kmcl_hv_ring_bytes	KMCL_HV_GEN_SYM(ring_bytes)
#define kmcl_hv_io_open		KMCL_HV_GEN_SYM(io_open)
#define kmcl_hv_io_close	KMCL_HV_GEN_SYM(io_close)
#define kmcl_hv_io_send		KMCL_HV_GEN_SYM(io_send)
#define kmcl_hv_io_send_gpa	KMCL_HV_GEN_SYM(io_send_gpa)
#define kmcl_hv_io_want_room	KMCL_HV_GEN_SYM(io_want_room)
#define kmcl_hv_io_mask		KMCL_HV_GEN_SYM(io_mask)
#define kmcl_hv_io_peek		KMCL_HV_GEN_SYM(io_peek)
#define kmcl_hv_io_consume	KMCL_HV_GEN_SYM(io_consume)
#define kmcl_hv_io_unmask	KMCL_HV_GEN_SYM(io_unmask)
#define kmcl_hv_mmio_alloc	KMCL_HV_GEN_SYM(mmio_alloc)
#define kmcl_hv_mmio_free	KMCL_HV_GEN_SYM(mmio_free)

#include "../io.c"
#include "gen.h"

/**
 * KMCL_HV_GEN_SYM(gpadl) - establish and tear down through compat.h
 * @c: an open channel of the model.
 * @buf: a page-aligned buffer.
 * @size: its size.
 * @handle: receives the handle establish gave.
 * @handle_after: receives the handle compat.h keeps after teardown.
 *
 * Return: the establish error, else the teardown result.
 */
int KMCL_HV_GEN_SYM(gpadl)(struct vmbus_channel *c, void *buf, u32 size,
			   u32 *handle, u32 *handle_after)
{
	struct kmcl_hv_gpadl gp;
	int ret;

	ret = kmcl_hv_establish_gpadl(c, buf, size, &gp);
	*handle = kmcl_hv_gpadl_handle(&gp);
	*handle_after = *handle;
	if (ret)
		return ret;
	ret = kmcl_hv_teardown_gpadl(c, &gp);
	*handle_after = kmcl_hv_gpadl_handle(&gp);
	return ret;
}

/**
 * KMCL_HV_GEN_SYM(external_shared) - compat.h's answer for this generation
 * @c: a channel of the model.
 * @isolated: the VM is isolated.
 *
 * Return: kmcl_hv_external_shared() as built with this generation's probes.
 */
bool KMCL_HV_GEN_SYM(external_shared)(const struct vmbus_channel *c,
				      bool isolated)
{
	return kmcl_hv_external_shared(c, isolated);
}
