// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model's buffers for GPADLs whose memory KMCL owns, in both of the
 * kernel's ways (compat.h, kmcl_hv_alloc_buffer()):
 *
 * - @alloc_buffer set (7.3, vmbus_alloc_buffer()): in a confidential VM,
 *   unless the channel reads external memory encrypted, the pages are made
 *   host-visible at allocation (set_memory_decrypted(), tracked by
 *   cvm_model.c), the GPADL over them changes nothing
 *   (vmbus_establish_gpadl_caller_decrypted()) and freeing makes them
 *   private again first, leaking any page that stays shared. Otherwise the
 *   buffer is vzalloc() memory.
 * - @alloc_buffer clear (every older kernel): vzalloc() memory, which the
 *   GPADL makes visible in place (vmbus_establish_gpadl()).
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "model.h"

static bool kmcl_hv_model_buf_decrypt(struct kmcl_hv_model *m,
				      struct vmbus_channel *c)
{
	return READ_ONCE(m->isolated) && !kmcl_hv_co_external_memory(c);
}

/**
 * kmcl_hv_model_alloc_buffer() - vmbus_alloc_buffer() or vzalloc()
 * @c: the channel.
 * @size: bytes.
 * @b: receives the buffer.
 *
 * Return: 0 or -ENOMEM.
 */
int kmcl_hv_model_alloc_buffer(struct vmbus_channel *c, u32 size,
			       struct kmcl_hv_buffer *b)
{
	struct kmcl_hv_model *m = kmcl_hv_model_current();
	u32 i, n = PFN_UP(size);
	struct page **pages;

	memset(b, 0, sizeof(*b));
	if (!n)
		return -ENOMEM;
	if (!READ_ONCE(m->alloc_buffer) || !kmcl_hv_model_buf_decrypt(m, c)) {
		b->addr = vzalloc(n * PAGE_SIZE);
		return b->addr ? 0 : -ENOMEM;
	}
	pages = kvcalloc(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!pages[i])
			goto err;
		/* The model's only failure: it tracks too many shared pages. */
		if (kmcl_hv_model_set_decrypted(pages[i])) {
			__free_page(pages[i]);
			goto err;
		}
		b->nchunks = i + 1;
	}
	b->addr = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	if (!b->addr)
		goto err;
	b->chunks = pages;
	return 0;
err:
	/* Pages made visible go back through set_encrypted(). */
	b->chunks = pages;
	kmcl_hv_model_free_buffer(b);
	return -ENOMEM;
}

/**
 * kmcl_hv_model_free_buffer() - vmbus_free_buffer() or vfree()
 * @b: the buffer.
 */
void kmcl_hv_model_free_buffer(struct kmcl_hv_buffer *b)
{
	u32 i;

	if (!b->chunks) {
		vfree(b->addr);
	} else {
		if (b->addr)
			vunmap(b->addr);
		/* A page that stays shared is leaked, as the kernel does. */
		for (i = 0; i < b->nchunks; i++)
			if (!kmcl_hv_model_set_encrypted(b->chunks[i]))
				__free_page(b->chunks[i]);
		kvfree(b->chunks);
	}
	memset(b, 0, sizeof(*b));
}

/**
 * kmcl_hv_model_establish_caller_decrypted() - a GPADL over a model buffer
 * @c: the channel.
 * @b: from kmcl_hv_model_alloc_buffer().
 * @size: bytes.
 * @gp: receives the GPADL.
 *
 * With @alloc_buffer: vmbus_establish_gpadl_caller_decrypted(), which
 * leaves the pages' visibility to the buffer. Without: the kernel's
 * vmbus_establish_gpadl(), which makes them visible in place.
 *
 * Return: as the model's establish_gpadl op.
 */
int kmcl_hv_model_establish_caller_decrypted(struct vmbus_channel *c,
					     struct kmcl_hv_buffer *b,
					     u32 size,
					     struct kmcl_hv_gpadl *gp)
{
	struct kmcl_hv_model *m = kmcl_hv_model_current();
	int ret = kmcl_hv_model_ops.establish_gpadl(c, b->addr, size, gp);

	if (READ_ONCE(m->alloc_buffer)) {
		gp->g.decrypted = false;
		gp->caller_decrypted = true;
		gp->leak = false;
	}
	return ret;
}
