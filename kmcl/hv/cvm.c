// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_hv in a confidential (SNP/TDX isolated) VM: the transport's answer
 * to "is the peer isolated", and the bounce pool's pages made visible to
 * the host with the kernel's own decryption call, as hv_vmbus does for its
 * GPADL buffers. The pool itself is the core's (kmcl/bounce.h).
 */
#include <linux/errno.h>
#include <linux/mm.h>

#include "kmcl.h"
#include "chan.h"
#include "hv_ops.h"

static const struct kmcl_hv_ops *kmcl_hv_cvm_ops(struct kmcl_channel *ch)
{
	struct kmcl_hv_chan *hc = ch->tpriv;

	return hc->hv->ops;
}

/**
 * kmcl_hv_cvm_isolated() - transport op: is @ch's host isolated from us?
 * @ch: an hv channel.
 *
 * Return: hv_is_isolation_supported() (through the ops table).
 */
bool kmcl_hv_cvm_isolated(struct kmcl_channel *ch)
{
	return kmcl_hv_cvm_ops(ch)->is_isolated();
}

/**
 * kmcl_hv_cvm_unshare() - transport op: take bounce pages back
 * @ch: an hv channel.
 * @pages: the pages.
 * @n: their number.
 *
 * Process context.
 *
 * Return: 0; the first error: the caller then leaks every page, since
 * which of them are still shared is not known for sure.
 */
int kmcl_hv_cvm_unshare(struct kmcl_channel *ch, struct page **pages, u32 n)
{
	const struct kmcl_hv_ops *ops = kmcl_hv_cvm_ops(ch);
	int ret = 0, err;
	u32 i;

	might_sleep();
	for (i = 0; i < n; i++) {
		err = ops->set_encrypted(pages[i]);
		if (err && !ret)
			ret = err;
	}
	return ret;
}

/**
 * kmcl_hv_cvm_share() - transport op: make bounce pages host-visible
 * @ch: an hv channel.
 * @pages: the pages (lowmem).
 * @n: their number.
 *
 * Process context. On failure the pages shared so far are taken back.
 *
 * Return: 0 or -errno.
 */
int kmcl_hv_cvm_share(struct kmcl_channel *ch, struct page **pages, u32 n)
{
	const struct kmcl_hv_ops *ops = kmcl_hv_cvm_ops(ch);
	u32 i;
	int ret;

	might_sleep();
	for (i = 0; i < n; i++) {
		ret = ops->set_decrypted(pages[i]);
		if (ret)
			return ret;
	}
	return 0;
}
