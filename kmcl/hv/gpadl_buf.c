// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory for the GPADLs whose pages KMCL owns (VmbChannelCreateGpadl()).
 *
 * The driver's own memory must never be made host-visible behind its
 * back, but KMCL's may, and on hv the kernel knows best how: where it has
 * vmbus_alloc_buffer() (7.3), a confidential VM's buffer is made visible
 * once, in large chunks, when it is allocated, the GPADL over it leaves
 * the visibility alone (vmbus_establish_gpadl_caller_decrypted()), and
 * vmbus_free_buffer() makes it private again before the pages are freed.
 * Elsewhere the buffer is vmalloc memory that vmbus_establish_gpadl()
 * makes visible in place, as before. Either way the buffer is one mapping,
 * which is also what VmbChannelGetSystemAddressForGpadl() returns.
 *
 * The kernel differences are in compat.h (kmcl_hv_alloc_buffer() and its
 * siblings); this file only pairs the buffer with the core's GPADL.
 */

#include <linux/hyperv.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "kmcl.h"
#include "shmem.h"
#include "chan.h"
#include "hv_ops.h"
#include "kmcl_hv.h"

/**
 * struct kmcl_hv_gpadl_buf - a kmcl_hv_alloc_buffer() buffer behind a GPADL
 * @core: what the core's GPADL points to (kmcl_gpadl.buf).
 * @b: the buffer.
 * @ops: the hv_vmbus calls that allocated it (the real ones or the model).
 */
struct kmcl_hv_gpadl_buf {
	struct kmcl_gpadl_buf core;
	struct kmcl_hv_buffer b;
	const struct kmcl_hv_ops *ops;
};

static void kmcl_hv_gpadl_buf_free(struct kmcl_gpadl_buf *core, bool leak)
{
	struct kmcl_hv_gpadl_buf *hb =
		container_of(core, struct kmcl_hv_gpadl_buf, core);

	if (leak)
		hb->ops->leak_buffer(&hb->b);
	else
		hb->ops->free_buffer(&hb->b);
	kfree(hb);
}

/**
 * kmcl_hv_gpadl_buffer() - the hv buffer behind a GPADL, if it has one
 * @g: a GPADL of an hv channel.
 *
 * Return: the buffer kmcl_hv_gpadl_alloc() gave @g, or NULL when @g
 * describes other memory (the driver's).
 */
struct kmcl_hv_buffer *kmcl_hv_gpadl_buffer(struct kmcl_gpadl *g)
{
	if (!g->buf || g->buf->free != kmcl_hv_gpadl_buf_free)
		return NULL;
	return &container_of(g->buf, struct kmcl_hv_gpadl_buf, core)->b;
}

/**
 * kmcl_hv_gpadl_alloc() - transport op gpadl_alloc: memory for a GPADL
 *	KMCL owns
 * @ch: an hv client channel.
 * @g: the GPADL being made.
 * @size: bytes, whole pages.
 *
 * Allocated for the VMBus channel that is open now, so that hv_vmbus can
 * tell whether it must be made host-visible. Process context.
 *
 * Return: 0; -EOPNOTSUPP while no VMBus channel is open (ordinary pages,
 * and the create itself is refused for the state); -ENOMEM.
 */
int kmcl_hv_gpadl_alloc(struct kmcl_channel *ch, struct kmcl_gpadl *g,
			u32 size)
{
	struct kmcl_hv_chan *hc = ch->tpriv;
	const struct kmcl_hv_ops *ops = hc->hv->ops;
	struct kmcl_hv_gpadl_buf *hb;
	int ret;

	hb = kzalloc(sizeof(*hb), GFP_KERNEL);
	if (!hb)
		return -ENOMEM;
	mutex_lock(&hc->gpadl_lock);
	ret = hc->io_open ? ops->alloc_buffer(hc->io.c, size, &hb->b) :
			    -EOPNOTSUPP;
	mutex_unlock(&hc->gpadl_lock);
	if (ret) {
		kfree(hb);
		return ret;
	}
	hb->core.free = kmcl_hv_gpadl_buf_free;
	hb->ops = ops;
	g->kva = hb->b.addr;
	g->buf = &hb->core;
	return 0;
}
