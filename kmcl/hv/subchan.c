// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_hv subchannels: a KMCL client subchannel (VmbChannelInitSetPrimaryChannel
 * on a channel whose primary kmcl_hv serves) opens a VMBus subchannel of
 * its primary's VMBus channel.
 *
 * How the host's offers arrive: the VSC asks for subchannels in its own
 * protocol on the primary; the host then offers them, and hv_vmbus calls
 * the primary's sc_creation_callback (vmbus_set_sc_create_callback(), the
 * same on 5.10 .. 7.3) once per offer, in process context, with the new
 * channel. That callback takes no context, so kmcl_hv keeps the primaries
 * whose VMBus channel is open on one list and finds the offer's primary
 * there by its primary_channel. Each offer is kept by (primary,
 * offer.sub_channel_index):
 *
 *  - an offer whose primary kmcl_hv does not hold open (a late callback
 *    racing the primary's close, or a hostile host), whose index is 0, or
 *    whose index is already offered for that primary is refused: logged,
 *    counted (kmcl_hv_sub_rejected()), never opened;
 *  - an offer no KMCL subchannel has asked for yet waits on its primary;
 *  - a KMCL subchannel enabled before its offer waits for it, as a
 *    primary waits for its device; the offer kicks it when it comes;
 *  - the KMCL subchannel with index N opens offer N (vmbus_open) at
 *    attach.
 *
 * hv_vmbus closes subchannels only with their primary (vmbus_close() of a
 * subchannel does nothing), so:
 *  - a KMCL subchannel closed while its primary stays open stops using
 *    the VMBus subchannel (the callback no longer reaches it) but cannot
 *    give it back: the offer stays used until the primary closes, and the
 *    KMCL subchannel waits, if enabled again, for the next open of the
 *    primary;
 *  - GPA-direct packets (external data) are refused on subchannels
 *    (-EOPNOTSUPP): their memory could not be made unreachable for the
 *    host at the subchannel's close;
 *  - the offers are freed after vmbus_close() of the primary returned,
 *    which closed the VMBus subchannels; the core closed the KMCL
 *    subchannels before that.
 * A rescinded subchannel is not reported to drivers by hv_vmbus (it has no
 * device); its sends fail with -ENODEV, and kmcl_hv then closes that KMCL
 * subchannel only (kmcl_hv_sub_gone_work()).
 *
 * Locking: kmcl_hv_sc_lock (a mutex, inside the channels' state_mutex)
 * guards the primaries' list, their offer and waiter lists, and the
 * bindings. sc->lock guards sc->user against the channel callback.
 */
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "kmcl.h"
#include "chan.h"

/**
 * struct kmcl_hv_sc - a subchannel offer of an open primary
 * @node: in the primary's sc_offers.
 * @c: the VMBus subchannel.
 * @index: its offer.sub_channel_index, read once.
 * @lock: protects @user against the channel callback.
 * @user: the KMCL subchannel attached to it, or NULL.
 * @used: opened once; hv_vmbus cannot open it again before the primary
 *	closes.
 */
struct kmcl_hv_sc {
	struct list_head node;
	struct vmbus_channel *c;
	u16 index;
	spinlock_t lock;	/* @user */
	struct kmcl_hv_chan *user;
	bool used;
};

static DEFINE_MUTEX(kmcl_hv_sc_lock);
static LIST_HEAD(kmcl_hv_sc_primaries);
static atomic_long_t kmcl_hv_sc_rejects = ATOMIC_LONG_INIT(0);

/**
 * kmcl_hv_sub_rejected() - subchannel offers refused so far
 *
 * Return: the count (unknown primary, index 0, duplicate index).
 */
unsigned long kmcl_hv_sub_rejected(void)
{
	return atomic_long_read(&kmcl_hv_sc_rejects);
}

static u16 kmcl_hv_sub_index(struct kmcl_hv_chan *hc)
{
	return hc->ch->cfg.subchannel_index;
}

/* The open primary whose VMBus channel is @pc; kmcl_hv_sc_lock held. */
static struct kmcl_hv_chan *kmcl_hv_sc_primary(struct vmbus_channel *pc)
{
	struct kmcl_hv_chan *phc;

	lockdep_assert_held(&kmcl_hv_sc_lock);
	list_for_each_entry(phc, &kmcl_hv_sc_primaries, sc_node)
		if (phc->io.c == pc)
			return phc;
	return NULL;
}

/* Offer @index of @phc that nobody used yet; kmcl_hv_sc_lock held. */
static struct kmcl_hv_sc *kmcl_hv_sc_find(struct kmcl_hv_chan *phc, u16 index,
					  bool free_only)
{
	struct kmcl_hv_sc *sc;

	list_for_each_entry(sc, &phc->sc_offers, node)
		if (sc->index == index && (!free_only || !sc->used))
			return sc;
	return NULL;
}

static void kmcl_hv_sc_reject(struct vmbus_channel *c, u16 index,
			      const char *why)
{
	atomic_long_inc(&kmcl_hv_sc_rejects);
	pr_warn_ratelimited("subchannel offer %u (relid %u) refused: %s\n",
			    index, c->offermsg.child_relid, why);
}

/* hv_vmbus's sc_creation_callback: process context, its work queue. */
static void kmcl_hv_sc_offer(struct vmbus_channel *c)
{
	struct vmbus_channel *pc = READ_ONCE(c->primary_channel);
	u16 index = READ_ONCE(c->offermsg.offer.sub_channel_index);
	struct kmcl_hv_chan *phc, *hc;
	struct kmcl_hv_sc *sc;

	mutex_lock(&kmcl_hv_sc_lock);
	phc = pc ? kmcl_hv_sc_primary(pc) : NULL;
	if (!phc) {
		kmcl_hv_sc_reject(c, index, "no open primary of kmcl_hv");
		goto out;
	}
	if (!index) {
		kmcl_hv_sc_reject(c, index, "index 0");
		goto out;
	}
	if (kmcl_hv_sc_find(phc, index, false)) {
		phc->sc_rejected++;
		kmcl_hv_sc_reject(c, index, "index offered already");
		goto out;
	}
	sc = kzalloc(sizeof(*sc), GFP_KERNEL);
	if (!sc) {
		kmcl_hv_sc_reject(c, index, "out of memory");
		goto out;
	}
	sc->c = c;
	sc->index = index;
	spin_lock_init(&sc->lock);
	list_add_tail(&sc->node, &phc->sc_offers);
	list_for_each_entry(hc, &phc->sc_waiters, sc_node)
		if (kmcl_hv_sub_index(hc) == index)
			kmcl_channel_kick(hc->ch);
out:
	mutex_unlock(&kmcl_hv_sc_lock);
}

/* The channel callback of an open subchannel (hv_vmbus's tasklet). */
static void kmcl_hv_sc_callback(void *ctx)
{
	struct kmcl_hv_sc *sc = ctx;
	struct kmcl_hv_chan *hc;

	spin_lock(&sc->lock);
	hc = sc->user;
	if (hc) {
		spin_lock(&hc->cb_lock);
		if (hc->forwarding)
			kmcl_channel_notify(hc->ch);
		spin_unlock(&hc->cb_lock);
	}
	spin_unlock(&sc->lock);
}

/**
 * kmcl_hv_sub_gone_work() - a send found the subchannel rescinded
 * @work: the subchannel's sc_gone_work.
 *
 * Closes that KMCL subchannel only, unless it moved to another VMBus
 * channel meanwhile. Process context (outside the sender's locks).
 */
void kmcl_hv_sub_gone_work(struct work_struct *work)
{
	struct kmcl_hv_chan *hc = container_of(work, struct kmcl_hv_chan,
					       sc_gone_work);
	struct vmbus_channel *c = READ_ONCE(hc->io.c);

	if (c && READ_ONCE(c->rescind))
		kmcl_channel_peer_lost(hc->ch);
}

/**
 * kmcl_hv_sub_enable() - a KMCL subchannel is enabled
 * @hc: its state; state_mutex held (and its primary's, which is open).
 *
 * Return: 0, or -EINVAL if the primary is not a kmcl_hv primary.
 */
int kmcl_hv_sub_enable(struct kmcl_hv_chan *hc)
{
	struct kmcl_hv_chan *phc = hc->ch->cfg.primary->tpriv;
	struct kmcl_hv_sc *sc;

	if (!phc || phc->sub)
		return -EINVAL;
	mutex_lock(&kmcl_hv_sc_lock);
	hc->sub = true;
	hc->sc_primary = phc;
	if (list_empty(&hc->sc_node))
		list_add_tail(&hc->sc_node, &phc->sc_waiters);
	sc = kmcl_hv_sc_find(phc, kmcl_hv_sub_index(hc), true);
	if (sc)
		kmcl_channel_kick(hc->ch);
	mutex_unlock(&kmcl_hv_sc_lock);
	return 0;
}

/**
 * kmcl_hv_sub_withdraw() - a KMCL subchannel is disabled: stop waiting
 * @hc: its state; state_mutex held.
 */
void kmcl_hv_sub_withdraw(struct kmcl_hv_chan *hc)
{
	mutex_lock(&kmcl_hv_sc_lock);
	list_del_init(&hc->sc_node);
	mutex_unlock(&kmcl_hv_sc_lock);
}

/**
 * kmcl_hv_sub_attach() - open the offer with @hc's index
 * @hc: a KMCL subchannel's state; state_mutex held.
 *
 * Return: 0; -ENOENT while there is no such offer; -ENOTCONN if it was
 * rescinded; vmbus_open()'s error.
 */
int kmcl_hv_sub_attach(struct kmcl_hv_chan *hc)
{
	struct kmcl_channel *ch = hc->ch;
	const struct kmcl_channel_config *cfg = &ch->cfg;
	struct kmcl_hv_io_params p = { };
	struct kmcl_hv_chan *phc;
	struct kmcl_hv_sc *sc;
	int ret;

	if (hc->io_open)
		return -ENOENT;
	mutex_lock(&kmcl_hv_sc_lock);
	phc = hc->sc_primary;
	sc = phc && phc->sc_listed && !list_empty(&hc->sc_node) ?
	     kmcl_hv_sc_find(phc, kmcl_hv_sub_index(hc), true) : NULL;
	if (sc) {
		sc->used = true;
		hc->sc = sc;
	}
	mutex_unlock(&kmcl_hv_sc_lock);
	if (!sc)
		return -ENOENT;
	if (READ_ONCE(sc->c->rescind))
		return -ENOTCONN;

	kmcl_channel_attached(ch);
	p.send_bytes = kmcl_hv_ring_bytes(kmcl_ring_pages_for(cfg->ring_out_pages,
							      cfg));
	p.recv_bytes = kmcl_hv_ring_bytes(cfg->ring_in_pages ?:
					  KMCL_DEFAULT_RING_PAGES);
	p.max_in_pkt = kmcl_in_max_pktlen(ch);
	p.callback = kmcl_hv_sc_callback;
	p.ctx = sc;
	spin_lock_bh(&sc->lock);
	sc->user = hc;
	spin_unlock_bh(&sc->lock);
	ret = kmcl_hv_io_open(&hc->io, hc->hv->ops, sc->c, &p);
	if (ret)
		return ret == -ENODEV ? -ENOTCONN : ret;
	if (hc->low_latency)
		kmcl_hv_set_low_latency(sc->c, true);
	kmcl_channel_set_instance(ch, &sc->c->offermsg.offer.if_instance);
	mutex_lock(&hc->gpadl_lock);
	hc->io_open = true;
	hc->gpadl_ok = true;
	mutex_unlock(&hc->gpadl_lock);
	spin_lock_irq(&hc->dev_lock);
	hc->hdev = phc->hdev;
	spin_unlock_irq(&hc->dev_lock);
	hc->attached = true;
	spin_lock_bh(&hc->cb_lock);
	hc->forwarding = true;
	spin_unlock_bh(&hc->cb_lock);
	return 0;
}

/**
 * kmcl_hv_sub_release() - a KMCL subchannel lets go of its offer
 * @hc: its state; state_mutex held, the VMBus subchannel "closed".
 *
 * The offer stays used: hv_vmbus keeps the subchannel open until the
 * primary closes.
 */
void kmcl_hv_sub_release(struct kmcl_hv_chan *hc)
{
	struct kmcl_hv_sc *sc;

	mutex_lock(&kmcl_hv_sc_lock);
	sc = hc->sc;
	hc->sc = NULL;
	if (sc) {
		spin_lock_bh(&sc->lock);
		sc->user = NULL;
		spin_unlock_bh(&sc->lock);
	}
	mutex_unlock(&kmcl_hv_sc_lock);
}

/**
 * kmcl_hv_sub_primary_open() - @hc's VMBus channel is open: take offers
 * @hc: a primary's state; state_mutex held.
 */
void kmcl_hv_sub_primary_open(struct kmcl_hv_chan *hc)
{
	if (!hc->hv->ops->set_sc_callback)
		return;
	mutex_lock(&kmcl_hv_sc_lock);
	list_add_tail(&hc->sc_node, &kmcl_hv_sc_primaries);
	hc->sc_listed = true;
	mutex_unlock(&kmcl_hv_sc_lock);
	hc->hv->ops->set_sc_callback(hc->io.c, kmcl_hv_sc_offer);
}

/**
 * kmcl_hv_sub_primary_closing() - @hc's VMBus channel is about to close
 * @hc: a primary's state; state_mutex held.
 *
 * No offer is taken from now on (one racing this is refused as an offer
 * of an unknown primary).
 */
void kmcl_hv_sub_primary_closing(struct kmcl_hv_chan *hc)
{
	if (!hc->sc_listed)
		return;
	hc->hv->ops->set_sc_callback(hc->io.c, NULL);
	mutex_lock(&kmcl_hv_sc_lock);
	list_del_init(&hc->sc_node);
	hc->sc_listed = false;
	mutex_unlock(&kmcl_hv_sc_lock);
}

/**
 * kmcl_hv_sub_primary_closed() - vmbus_close() of @hc's channel returned
 * @hc: a primary's state; state_mutex held.
 *
 * hv_vmbus closed the subchannels with it: no callback of theirs runs
 * any more, so their offers go.
 */
void kmcl_hv_sub_primary_closed(struct kmcl_hv_chan *hc)
{
	struct kmcl_hv_sc *sc, *tmp;

	mutex_lock(&kmcl_hv_sc_lock);
	list_for_each_entry_safe(sc, tmp, &hc->sc_offers, node) {
		list_del(&sc->node);
		if (sc->user)	/* the core closes subchannels first */
			sc->user->sc = NULL;
		kfree(sc);
	}
	mutex_unlock(&kmcl_hv_sc_lock);
}
