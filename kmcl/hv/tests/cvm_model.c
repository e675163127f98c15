// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model's side of confidential VMs: which guest pages the host can
 * see. set_memory_decrypted() shares a page with the host and
 * set_memory_encrypted() takes it back (it can fail, and then the page
 * must never be reused); everything else is private and the host cannot
 * read it.
 */
#include <linux/mm.h>
#include <linux/spinlock.h>

#include "model.h"

/**
 * kmcl_hv_model_set_decrypted() - set_memory_decrypted() of one page
 * @page: the page.
 *
 * Return: 0, -ENOSPC when the model tracks too many pages.
 */
int kmcl_hv_model_set_decrypted(struct page *page)
{
	struct kmcl_hv_model *m = kmcl_hv_model_current();
	int ret = -ENOSPC;

	spin_lock_irq(&m->lock);
	if (m->nshared < KMCL_HV_MODEL_SHARED) {
		m->shared[m->nshared++] = page_to_pfn(page);
		ret = 0;
	}
	spin_unlock_irq(&m->lock);
	return ret;
}

/**
 * kmcl_hv_model_set_encrypted() - set_memory_encrypted() of one page
 * @page: the page.
 *
 * Return: 0; -EIO with @encrypt_fails (the page stays shared).
 */
int kmcl_hv_model_set_encrypted(struct page *page)
{
	struct kmcl_hv_model *m = kmcl_hv_model_current();
	unsigned long pfn = page_to_pfn(page);
	unsigned int i;
	int ret = 0;

	spin_lock_irq(&m->lock);
	if (m->encrypt_fails) {
		ret = -EIO;
	} else {
		for (i = 0; i < m->nshared; i++) {
			if (m->shared[i] == pfn) {
				m->shared[i] = m->shared[--m->nshared];
				break;
			}
		}
	}
	spin_unlock_irq(&m->lock);
	return ret;
}

/**
 * kmcl_hv_model_is_shared() - may the host read this page?
 * @m: the model.
 * @hvpfn: a 4 KiB Hyper-V PFN.
 *
 * Return: true if the page holding it is shared.
 */
bool kmcl_hv_model_is_shared(struct kmcl_hv_model *m, u64 hvpfn)
{
	unsigned long pfn = hvpfn / (PAGE_SIZE / HV_HYP_PAGE_SIZE);
	unsigned int i;
	bool ret = false;

	spin_lock_irq(&m->lock);
	for (i = 0; i < m->nshared && !ret; i++)
		ret = m->shared[i] == pfn;
	spin_unlock_irq(&m->lock);
	return ret;
}
