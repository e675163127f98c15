// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_hv as a KMCL transport: client channels over one VMBus device each.
 * See chan.h for the model; the offers and watches are offer.c, the I/O
 * on an open VMBus channel is io.c.
 */
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "kmcl.h"
#include "chan.h"

/* The hv state of @ch. */
static struct kmcl_hv_chan *kmcl_hv_chan_of(struct kmcl_channel *ch)
{
	return ch->tpriv;
}

static const struct kmcl_hv_ops *kmcl_hv_chan_ops(struct kmcl_hv_chan *hc)
{
	return hc->hv->ops;
}

/* --- watch callbacks (kmcl_hv.lock held: schedule only) ------------------ */

static struct kmcl_hv_chan *kmcl_hv_chan_of_watch(struct kmcl_hv_watch *w)
{
	return container_of(w, struct kmcl_hv_chan, w);
}

static void kmcl_hv_chan_bound(struct kmcl_hv_watch *w)
{
	kmcl_channel_kick(kmcl_hv_chan_of_watch(w)->ch);
}

/* Rescind or unbind: close an open channel; attach deals with the rest. */
static void kmcl_hv_chan_revoke(struct kmcl_hv_watch *w)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of_watch(w);

	kmcl_channel_peer_lost(hc->ch);
	/* A rescinded host gave everything back: lent-memory waiters go on. */
	wake_up_all(&hc->io_wq);
}

/* Hibernation: close, stay bound, open again after resume. */
static void kmcl_hv_chan_suspend(struct kmcl_hv_watch *w)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of_watch(w);

	WRITE_ONCE(hc->reopening, true);
	kmcl_channel_peer_lost_reopen(hc->ch);
}

static void kmcl_hv_chan_resume(struct kmcl_hv_watch *w)
{
	kmcl_channel_kick(kmcl_hv_chan_of_watch(w)->ch);
}

static const struct kmcl_hv_watch_ops kmcl_hv_chan_watch_ops = {
	.bound = kmcl_hv_chan_bound,
	.revoke = kmcl_hv_chan_revoke,
	.suspend = kmcl_hv_chan_suspend,
	.resume = kmcl_hv_chan_resume,
};

/* The channel callback (hv_vmbus's tasklet): wake the core's reader/sender. */
static void kmcl_hv_chan_callback(void *ctx)
{
	struct kmcl_hv_chan *hc = ctx;

	spin_lock(&hc->cb_lock);
	if (hc->forwarding)
		kmcl_channel_notify(hc->ch);
	spin_unlock(&hc->cb_lock);
}

/* --- allocation ---------------------------------------------------------- */

static int kmcl_hv_chan_claim(struct kmcl_transport *t, struct device *parent,
			      bool server)
{
	struct kmcl_hv *hv = t->priv;
	struct hv_device *hdev;
	int ret = kmcl_hv_claim(hv, parent, server, &hdev);

	if (ret < 0)
		return ret;
	if (ret == KMCL_HV_CLAIM_DEVICE)
		return KMCL_CLAIM_DEVICE;
	return ret == KMCL_HV_CLAIM_DEFAULT ? KMCL_CLAIM_DEFAULT :
					       KMCL_CLAIM_NONE;
}

static int kmcl_hv_chan_setup(struct kmcl_channel *ch)
{
	struct kmcl_hv *hv = ch->xport->priv;
	struct kmcl_hv_chan *hc;

	/* Claimed at selection: only clients get here. */
	if (ch->is_server)
		return -EOPNOTSUPP;
	hc = kzalloc(sizeof(*hc), GFP_KERNEL);
	if (!hc)
		return -ENOMEM;
	hc->ch = ch;
	hc->hv = hv;
	hc->parent = hv->ops->device_of(ch->parent);
	spin_lock_init(&hc->cb_lock);
	mutex_init(&hc->gpadl_lock);
	INIT_LIST_HEAD(&hc->gpadls);
	spin_lock_init(&hc->dev_lock);
	init_waitqueue_head(&hc->io_wq);
	INIT_LIST_HEAD(&hc->sc_node);
	INIT_LIST_HEAD(&hc->sc_offers);
	INIT_LIST_HEAD(&hc->sc_waiters);
	INIT_WORK(&hc->sc_gone_work, kmcl_hv_sub_gone_work);
	hc->w.ops = &kmcl_hv_chan_watch_ops;
	ch->tpriv = hc;
	return 0;
}

static void kmcl_hv_chan_teardown(struct kmcl_channel *ch)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of(ch);

	if (!hc)
		return;
	WARN_ON_ONCE(hc->watching || hc->io_open);
	cancel_work_sync(&hc->sc_gone_work);
	mutex_destroy(&hc->gpadl_lock);
	kfree(hc);
	ch->tpriv = NULL;
}

/* --- state ops (state_mutex held) ---------------------------------------- */

static int kmcl_hv_chan_enable(struct kmcl_channel *ch)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of(ch);
	const struct kmcl_channel_config *cfg = &ch->cfg;
	struct kmcl_hv_watch *w = &hc->w;
	int ret;

	/* A subchannel waits for its primary's offer, not for a device. */
	if (cfg->primary) {
		hc->withdrawn = false;
		return kmcl_hv_sub_enable(hc);
	}
	if (!hc->parent && !cfg->has_target)
		return -EINVAL;
	/* TargetPnp and a VMBus parent together must name the same device. */
	if (hc->parent && cfg->has_target && !cfg->any_instance &&
	    !guid_equal(&cfg->target_instance, &hc->parent->dev_instance))
		return -EINVAL;
	w->type = cfg->has_target ? cfg->target_type : guid_null;
	w->instance = cfg->has_target ? cfg->target_instance : guid_null;
	w->any_instance = !cfg->has_target || cfg->any_instance;
	w->parent = hc->parent;
	hc->withdrawn = false;
	WRITE_ONCE(hc->reopening, false);
	ret = kmcl_hv_watch_start(hc->hv, w);
	hc->watching = !ret;
	return ret;
}

static void kmcl_hv_chan_withdraw(struct kmcl_channel *ch)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of(ch);

	hc->withdrawn = true;
	if (hc->sub)
		kmcl_hv_sub_withdraw(hc);
	if (hc->watching)
		kmcl_hv_watch_cancel(&hc->w);
}

/* The bound device is going before we opened it: wait for another one. */
static int kmcl_hv_chan_rewait(struct kmcl_hv_chan *hc)
{
	int ret;

	kmcl_hv_watch_end(&hc->w);
	hc->watching = false;
	/* The VSC's own device: nothing else to wait for. */
	if (hc->parent)
		return -ENODEV;
	ret = kmcl_hv_watch_start(hc->hv, &hc->w);
	hc->watching = !ret;
	return ret ?: -ENOENT;
}

/*
 * VmbClientChannelInitSetTargetProcessorIndex: where hv_vmbus lets a
 * driver choose, the host interrupts the target CPU; elsewhere it keeps
 * its own choice and the core runs the deferred work on the target CPU
 * anyway (affinity.h). Either way the channel works.
 */
static void kmcl_hv_chan_target_cpu(struct kmcl_hv_chan *hc,
				    struct vmbus_channel *c)
{
	int cpu = hc->ch->cfg.target_cpu;
	int ret;

	if (cpu < 0)
		return;
	ret = kmcl_hv_chan_ops(hc)->set_cpu(c, cpu);
	if (ret && ret != -EOPNOTSUPP)
		pr_warn_ratelimited("channel %u: the host keeps its interrupt CPU (%d); incoming work still runs on CPU %d\n",
				    hc->ch->id, ret, cpu);
}

/* Bytes of GPA-direct ranges one packet of @cfg's sender may carry. */
static u32 kmcl_hv_chan_mpb_bytes(const struct kmcl_channel_config *cfg)
{
	u64 chain, bytes;

	if (!cfg->max_ext_data && !cfg->max_ext_chain)
		return 0;
	chain = max_t(u64, cfg->max_ext_chain, 1);
	/*
	 * What the core lets one packet carry (ext.c): a range header per
	 * buffer, and per buffer up to two pages more than its share of
	 * the data (it may start and end in a page of its own).
	 */
	bytes = 8 * (DIV_ROUND_UP((u64)cfg->max_ext_data, HV_HYP_PAGE_SIZE) +
		     3 * chain);
	return min_t(u64, bytes, KMCL_HV_MAX_PKTLEN);
}

static int kmcl_hv_chan_attach(struct kmcl_channel *ch)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of(ch);
	const struct kmcl_channel_config *cfg = &ch->cfg;
	struct kmcl_hv_io_params p = { };
	struct hv_device *hdev;
	int ret;

	if (hc->sub)
		return kmcl_hv_sub_attach(hc);
	hdev = hc->watching ? kmcl_hv_watch_device(&hc->w) : NULL;
	if (!hdev || hc->io_open)
		return -ENOENT;
	/*
	 * Forget the previous connection's loss before the device is marked
	 * open: a suspend or rescind from then on is about this one.
	 */
	kmcl_channel_attached(ch);
	/* Checked and marked open at once: a suspend sees one or the other. */
	if (!kmcl_hv_watch_begin_open(&hc->w))
		return kmcl_hv_watch_going(&hc->w) ? kmcl_hv_chan_rewait(hc) :
						     -ENOENT;
	kmcl_hv_test_point(KMCL_HV_TP_OPEN_CLAIMED, hdev);

	p.send_bytes = kmcl_hv_ring_bytes(kmcl_ring_pages_for(cfg->ring_out_pages,
							      cfg));
	p.recv_bytes = kmcl_hv_ring_bytes(cfg->ring_in_pages ?:
					  KMCL_DEFAULT_RING_PAGES);
	p.max_in_pkt = kmcl_in_max_pktlen(ch);
	p.mpb_bytes = kmcl_hv_chan_mpb_bytes(cfg);
	p.callback = kmcl_hv_chan_callback;
	p.ctx = hc;

	ret = kmcl_hv_io_open(&hc->io, kmcl_hv_chan_ops(hc), hdev->channel, &p);
	if (ret) {
		kmcl_hv_watch_set_open(&hc->w, false);
		/* Rescinded while the host was asked: like a rescind before. */
		if (ret == -ENODEV)
			return kmcl_hv_chan_rewait(hc);
		dev_dbg(&hdev->device, "kmcl_hv: vmbus_open failed: %d\n", ret);
		return ret;
	}
	ret = kmcl_hv_mmio_alloc(kmcl_hv_chan_ops(hc), hdev, &hc->mmio);
	if (ret) {
		kmcl_hv_io_close(&hc->io);
		kmcl_hv_watch_set_open(&hc->w, false);
		return ret;
	}
	if (hc->mmio) {
		WRITE_ONCE(hc->mmio_start, hc->mmio->start);
		WRITE_ONCE(hc->mmio_size, resource_size(hc->mmio));
	}
	if (hc->low_latency)
		kmcl_hv_set_low_latency(hdev->channel, true);
	kmcl_hv_chan_target_cpu(hc, hdev->channel);
	kmcl_channel_set_instance(ch, &hdev->dev_instance);
	mutex_lock(&hc->gpadl_lock);
	hc->io_open = true;
	hc->gpadl_ok = true;
	mutex_unlock(&hc->gpadl_lock);
	spin_lock_irq(&hc->dev_lock);
	hc->hdev = hdev;
	spin_unlock_irq(&hc->dev_lock);
	hc->attached = true;
	spin_lock_bh(&hc->cb_lock);
	hc->forwarding = true;
	spin_unlock_bh(&hc->cb_lock);
	kmcl_hv_sub_primary_open(hc);
	return 0;
}

/* The host accepted at vmbus_open(): nothing to tell it about Opened. */
static void kmcl_hv_chan_open_done(struct kmcl_channel *ch, int err)
{
}

/* Quiesce: no notification reaches the core after this returns. */
static void kmcl_hv_chan_disconnect(struct kmcl_channel *ch)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of(ch);

	spin_lock_bh(&hc->cb_lock);
	hc->forwarding = false;
	spin_unlock_bh(&hc->cb_lock);
}

/*
 * vmbus_close(): the host hears of it and touches none of our memory
 * afterwards (GPA-direct ranges included). Idempotent; state_mutex.
 */
static void kmcl_hv_chan_close_io(struct kmcl_hv_chan *hc)
{
	if (!hc->io_open)
		return;
	kmcl_hv_sub_primary_closing(hc);
	mutex_lock(&hc->gpadl_lock);
	kmcl_hv_io_close(&hc->io);
	WRITE_ONCE(hc->io_open, false);
	mutex_unlock(&hc->gpadl_lock);
	kmcl_hv_sub_primary_closed(hc);
	/* Pairs with kmcl_hv_chan_ext_wait(): closed before the new count. */
	smp_wmb();
	WRITE_ONCE(hc->io_gen, hc->io_gen + 1);
	wake_up_all(&hc->io_wq);
}

/*
 * At close, before the core completes the packets that lent memory: the
 * host can give nothing back on its own once we stop reading, so close
 * the VMBus channel here (the Windows rule: lent memory is the driver's
 * again once the host completed the packet or the channel is closed).
 */
static void kmcl_hv_chan_ext_quiesce(struct kmcl_channel *ch)
{
	kmcl_hv_chan_close_io(kmcl_hv_chan_of(ch));
}

/*
 * A synchronous request took back a packet with external data: wait until
 * the VMBus channel it was sent on has been closed by the close sequence
 * (or the host rescinded it). Process context, no lock held.
 */
static void kmcl_hv_chan_ext_wait(struct kmcl_channel *ch)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of(ch);
	struct vmbus_channel *c = hc->io.c;
	unsigned int gen = READ_ONCE(hc->io_gen);

	/* Pairs with kmcl_hv_chan_close_io(). */
	smp_rmb();
	if (!READ_ONCE(hc->io_open) || !c)
		return;
	wait_event_idle(hc->io_wq, READ_ONCE(hc->io_gen) != gen ||
			READ_ONCE(c->rescind));
}

static void kmcl_hv_chan_gpadl_teardown_all(struct kmcl_hv_chan *hc);

/* Close the VMBus channel if still open and end the binding. */
static void kmcl_hv_chan_release(struct kmcl_channel *ch)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of(ch);
	const struct kmcl_hv_ops *ops = kmcl_hv_chan_ops(hc);
	bool keep;

	kmcl_hv_chan_disconnect(ch);
	kmcl_hv_chan_close_io(hc);
	if (hc->attached) {
		/* Every GPADL still on the host goes before the device can. */
		kmcl_hv_chan_gpadl_teardown_all(hc);
		spin_lock_irq(&hc->dev_lock);
		hc->hdev = NULL;
		spin_unlock_irq(&hc->dev_lock);
		WRITE_ONCE(hc->mmio_start, 0);
		WRITE_ONCE(hc->mmio_size, 0);
		kmcl_hv_mmio_free(ops, hc->mmio);
		hc->mmio = NULL;
		if (!hc->sub)
			kmcl_hv_watch_set_open(&hc->w, false);
		hc->attached = false;
	}
	if (hc->sub)
		kmcl_hv_sub_release(hc);
	keep = READ_ONCE(hc->reopening) && !hc->withdrawn;
	WRITE_ONCE(hc->reopening, false);
	if (!keep && hc->watching) {
		kmcl_hv_watch_end(&hc->w);
		hc->watching = false;
	}
}

/* hv_vmbus signals the host itself when it writes or reads. */
static void kmcl_hv_chan_signal(struct kmcl_channel *ch)
{
}

/*
 * Any context: the device of the attached channel. Never through the
 * watch's offer, which a rescind frees under a concurrent caller.
 */
static struct device *kmcl_hv_chan_target_device(struct kmcl_channel *ch)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of(ch);
	struct device *dev = NULL;
	unsigned long flags;

	spin_lock_irqsave(&hc->dev_lock, flags);
	if (hc->hdev)
		dev = &hc->hdev->device;
	spin_unlock_irqrestore(&hc->dev_lock, flags);
	return dev;
}

/* --- GPADLs -------------------------------------------------------------- */

/**
 * struct kmcl_hv_chan_gpadl - a GPADL established on the host
 * @gp: hv_vmbus's description.
 * @va: the contiguous mapping of its pages made for hv_vmbus; NULL for
 *	KMCL's own memory, which kmcl_hv_gpadl_alloc() mapped already.
 * @node: in kmcl_hv_chan.gpadls while established.
 * @torn: vmbus_teardown_gpadl() ran (by revoke or by release).
 * @shared: hv_vmbus made the pages host-visible (kmcl_hv_external_shared()):
 *	without a teardown they must be leaked.
 */
struct kmcl_hv_chan_gpadl {
	struct kmcl_hv_gpadl gp;
	void *va;
	struct list_head node;
	bool torn;
	bool shared;
};

/*
 * Tear @hg down once; gpadl_lock held. Every established GPADL gets
 * exactly one vmbus_teardown_gpadl(), also after vmbus_close().
 */
static void kmcl_hv_chan_gpadl_teardown(struct kmcl_hv_chan *hc,
					struct kmcl_hv_chan_gpadl *hg)
{
	lockdep_assert_held(&hc->gpadl_lock);
	if (hg->torn)
		return;
	kmcl_hv_chan_ops(hc)->teardown_gpadl(hc->io.c, &hg->gp);
	hg->torn = true;
	list_del_init(&hg->node);
}

/*
 * Release: GPADLs still established (a Create or a Delete racing the
 * close holds them outside the core's table) are torn down before the
 * device may go; their owner frees them later (revoke).
 */
static void kmcl_hv_chan_gpadl_teardown_all(struct kmcl_hv_chan *hc)
{
	struct kmcl_hv_chan_gpadl *hg, *tmp;

	mutex_lock(&hc->gpadl_lock);
	list_for_each_entry_safe(hg, tmp, &hc->gpadls, node)
		kmcl_hv_chan_gpadl_teardown(hc, hg);
	hc->gpadl_ok = false;
	mutex_unlock(&hc->gpadl_lock);
}

/*
 * Map the pages of @g contiguously for vmbus_establish_gpadl(), which
 * takes a kernel address and covers whole pages from offset 0. The PFNs
 * may come from the driver (an MDL's PFN array): each must be RAM.
 * Returns 0, -EINVAL or -ENOMEM.
 */
static int kmcl_hv_chan_gpadl_map(struct kmcl_gpadl *g, void **va,
				  u32 *size)
{
	const u32 per = PAGE_SIZE / HV_HYP_PAGE_SIZE;
	struct page **pages;
	unsigned long pfn;
	u32 i, n;

	if (g->nr_pfns % per)
		return -EINVAL;
	n = g->nr_pfns / per;
	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		pfn = g->pfns[i * per] / per;
		/* Each kernel page must be whole, in order, and memory. */
		if (g->pfns[i * per] % per || !pfn_valid(pfn)) {
			kvfree(pages);
			return -EINVAL;
		}
		pages[i] = pfn_to_page(pfn);
	}
	*va = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	*size = n * PAGE_SIZE;
	return *va ? 0 : -ENOMEM;
}

static int kmcl_hv_chan_gpadl_publish(struct kmcl_channel *ch,
				      struct kmcl_gpadl *g)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of(ch);
	const struct kmcl_hv_ops *ops = kmcl_hv_chan_ops(hc);
	struct kmcl_hv_buffer *b = kmcl_hv_gpadl_buffer(g);
	struct kmcl_hv_chan_gpadl *hg;
	bool shared;
	u32 size;
	int ret;

	/*
	 * In a confidential VM hv_vmbus decrypts the buffer in place: only
	 * pages KMCL owns may go through that, never the driver's memory.
	 * A channel whose host reads external memory encrypted needs none.
	 */
	mutex_lock(&hc->gpadl_lock);
	shared = hc->io_open &&
		 kmcl_hv_external_shared(hc->io.c, ops->is_isolated());
	mutex_unlock(&hc->gpadl_lock);
	if (!g->owned && shared)
		return -EOPNOTSUPP;
	/* hv_vmbus would wrap its 16-bit range length: refuse it here. */
	if (g->nr_pfns > KMCL_HV_GPADL_MAX_PAGES)
		return -ENOSPC;
	hg = kzalloc(sizeof(*hg), GFP_KERNEL);
	if (!hg)
		return -ENOMEM;
	/* KMCL's own memory (gpadl_buf.c) is one mapping already. */
	size = g->nr_owned * PAGE_SIZE;
	ret = b ? 0 : kmcl_hv_chan_gpadl_map(g, &hg->va, &size);
	if (ret) {
		kfree(hg);
		return ret;
	}
	INIT_LIST_HEAD(&hg->node);
	hg->shared = shared;
	mutex_lock(&hc->gpadl_lock);
	if (!hc->io_open)
		ret = -ENOTCONN;
	else if (b)
		ret = ops->establish_gpadl_caller_decrypted(hc->io.c, b, size,
							    &hg->gp);
	else
		ret = ops->establish_gpadl(hc->io.c, hg->va, size, &hg->gp);
	if (!ret)
		list_add_tail(&hg->node, &hc->gpadls);
	mutex_unlock(&hc->gpadl_lock);
	if (ret) {
		if (hg->gp.leak)
			g->leak = true;
		if (hg->va)
			vunmap(hg->va);
		kfree(hg);
		return ret == -ENOTCONN ? -EBADFD : ret;
	}
	g->handle = kmcl_hv_gpadl_handle(&hg->gp);
	g->tpriv = hg;
	return 0;
}

static void kmcl_hv_chan_gpadl_revoke(struct kmcl_channel *ch,
				      struct kmcl_gpadl *g)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of(ch);
	struct kmcl_hv_chan_gpadl *hg = g->tpriv;

	if (!hg)
		return;
	kmcl_hv_test_point(KMCL_HV_TP_GPADL_REVOKE, g);
	mutex_lock(&hc->gpadl_lock);
	if (!hg->torn && hc->gpadl_ok)
		kmcl_hv_chan_gpadl_teardown(hc, hg);
	if (hg->torn ? hg->gp.leak : hg->shared) {
		/* Still shared, or its visibility to the host is unknown. */
		g->leak = true;
	}
	mutex_unlock(&hc->gpadl_lock);
	if (hg->va)
		vunmap(hg->va);
	kfree(hg);
	g->tpriv = NULL;
}

/* --- MMIO, latency ------------------------------------------------------- */

static void kmcl_hv_chan_mmio_space(struct kmcl_channel *ch, u64 *addr,
				    u64 *size)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of(ch);

	*addr = READ_ONCE(hc->mmio_start);
	*size = READ_ONCE(hc->mmio_size);
}

/*
 * Linux offers one knob: signal the host directly (low_latency) instead of
 * through the monitor page, which the host scans every 100 us or so.
 */
static int kmcl_hv_chan_set_latency(struct kmcl_channel *ch, u16 latency)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of(ch);
	bool low = latency < KMCL_HV_LOW_LATENCY;
	int ret = 0;

	/* Not through the watch: a rescind frees its offer meanwhile. */
	spin_lock_irq(&hc->dev_lock);
	if (hc->hdev)	/* a subchannel's own VMBus channel, not the device's */
		ret = kmcl_hv_set_low_latency(hc->sub ? hc->io.c :
					      hc->hdev->channel, low);
	kmcl_hv_test_point(KMCL_HV_TP_LATENCY_SET, &ret);
	if (!ret)
		WRITE_ONCE(hc->low_latency, low);
	spin_unlock_irq(&hc->dev_lock);
	return ret;
}

/* --- ring ops: io.c on the open channel ---------------------------------- */

static int kmcl_hv_ring_xmit(struct kmcl_channel *ch, const struct kmcl_xmit *x,
			     bool *signal)
{
	struct kmcl_hv_chan *hc = kmcl_hv_chan_of(ch);
	struct kmcl_hv_io *io = &hc->io;
	int ret;

	*signal = false;
	if (x->type == KMCL_PKT_DATA_USING_GPA_DIRECT) {
		/* Lent memory could not be taken back at its close (subchan.c). */
		if (hc->sub)
			return -EOPNOTSUPP;
		return kmcl_hv_io_send_gpa(io, x->trans_id, x->ranges,
					   x->range_count, x->ranges_len,
					   x->data, x->len);
	}
	ret = kmcl_hv_io_send(io, x->type, x->flags, x->trans_id, x->data,
			      x->len);
	/* hv_vmbus tells nobody of a subchannel's rescind: this is how. */
	if (ret == -ENODEV && hc->sub)
		schedule_work(&hc->sc_gone_work);
	return ret;
}

static bool kmcl_hv_ring_want_room(struct kmcl_channel *ch, u32 pktlen)
{
	return kmcl_hv_io_want_room(&kmcl_hv_chan_of(ch)->io, pktlen);
}

static void kmcl_hv_ring_mask(struct kmcl_channel *ch)
{
	kmcl_hv_io_mask(&kmcl_hv_chan_of(ch)->io);
}

static int kmcl_hv_ring_peek(struct kmcl_channel *ch, void *buf, u32 buflen,
			     u32 *pktlen)
{
	return kmcl_hv_io_peek(&kmcl_hv_chan_of(ch)->io, buf, buflen, pktlen);
}

static int kmcl_hv_ring_consume(struct kmcl_channel *ch, u32 pktlen,
				bool *signal)
{
	*signal = false;
	return kmcl_hv_io_consume(&kmcl_hv_chan_of(ch)->io, pktlen);
}

static bool kmcl_hv_ring_unmask(struct kmcl_channel *ch)
{
	return kmcl_hv_io_unmask(&kmcl_hv_chan_of(ch)->io);
}

static const struct kmcl_ring_ops kmcl_hv_ring_ops = {
	.xmit = kmcl_hv_ring_xmit,
	.want_room = kmcl_hv_ring_want_room,
	.mask = kmcl_hv_ring_mask,
	.peek = kmcl_hv_ring_peek,
	.consume = kmcl_hv_ring_consume,
	.unmask = kmcl_hv_ring_unmask,
};

const struct kmcl_transport_ops kmcl_hv_transport_ops = {
	.name = "hv",
	.enable = kmcl_hv_chan_enable,
	.withdraw = kmcl_hv_chan_withdraw,
	.attach = kmcl_hv_chan_attach,
	.open_done = kmcl_hv_chan_open_done,
	.disconnect = kmcl_hv_chan_disconnect,
	.release = kmcl_hv_chan_release,
	.signal = kmcl_hv_chan_signal,
	.target_device = kmcl_hv_chan_target_device,
	.ext_quiesce = kmcl_hv_chan_ext_quiesce,
	.ext_wait = kmcl_hv_chan_ext_wait,
	.gpadl_alloc = kmcl_hv_gpadl_alloc,
	.gpadl_publish = kmcl_hv_chan_gpadl_publish,
	.gpadl_revoke = kmcl_hv_chan_gpadl_revoke,
	.ring = &kmcl_hv_ring_ops,
	.gpa_ranges_max = KMCL_HV_MPB_MAX_RANGES,
	.subchannels = true,
	.gpadl_from_page0 = true,
	.claim = kmcl_hv_chan_claim,
	.setup = kmcl_hv_chan_setup,
	.teardown = kmcl_hv_chan_teardown,
	.mmio_space = kmcl_hv_chan_mmio_space,
	.set_latency = kmcl_hv_chan_set_latency,
	.isolated = kmcl_hv_cvm_isolated,
	.share_pages = kmcl_hv_cvm_share,
	.unshare_pages = kmcl_hv_cvm_unshare,
};

/* --- the transport instance ---------------------------------------------- */

/**
 * kmcl_hv_xport_init() - set up an hv transport instance
 * @x: the instance.
 * @ops: how it reaches hv_vmbus (the real one, or the KUnit model).
 * @owner: the module it lives in (pinned by every channel it serves).
 */
void kmcl_hv_xport_init(struct kmcl_hv_xport *x, const struct kmcl_hv_ops *ops,
			struct module *owner)
{
	memset(x, 0, sizeof(*x));
	kmcl_hv_init(&x->hv, ops);
	x->t.ops = &kmcl_hv_transport_ops;
	x->t.owner = owner;
	x->t.priv = &x->hv;
	INIT_LIST_HEAD(&x->t.node);
}

/**
 * kmcl_hv_xport_register() - let new KMCL channels use the instance
 * @x: an initialised instance.
 *
 * Process context.
 *
 * Return: 0 or kmcl_transport_register()'s error.
 */
int kmcl_hv_xport_register(struct kmcl_hv_xport *x)
{
	return kmcl_transport_register(&x->t);
}

/**
 * kmcl_hv_xport_unregister() - no new channel; tear the instance down
 * @x: a registered instance no channel uses any more.
 *
 * Process context.
 */
void kmcl_hv_xport_unregister(struct kmcl_hv_xport *x)
{
	kmcl_transport_unregister(&x->t);
	kmcl_hv_destroy(&x->hv);
}
