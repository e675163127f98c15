// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loopback transport: an in-kernel VMBus between KMCL endpoints of the same
 * kernel.
 *
 * Server endpoints that are enabled sit on the offer list with their
 * interface type and instance. An enabled client takes the first free offer
 * that matches its target (type, and instance unless any instance will do)
 * or waits on the wait list; a server that comes up later, or whose client
 * went away, takes the first matching waiter. One offer serves one client
 * at a time.
 *
 * A server subchannel (VmbChannelInitSetPrimaryChannel) is offered as
 * subchannel N of its primary's offer: it matches only the client
 * subchannel with index N whose primary is the client connected to the
 * server's primary right now (kmcl_lb_sub_match()). Either may come first;
 * the other waits on its list like a primary. The core enables either only
 * while its primary is open, and closes it before the primary.
 *
 * Binding a pair creates a struct kmcl_lb_link holding the two rings, in
 * memory that stands for the client's donation (its ring page counts). Both
 * rings are formatted at bind time; each endpoint then attaches its own
 * view. Like on VMBus, the server hears of the client first: its Opened
 * runs, and only once it succeeded does the client attach and run its own
 * Opened. A server that fails Opened refuses the client.
 *
 * Lifetime: the link has one reference per endpoint, dropped by release.
 * It is freed after an RCU grace period, because signal() looks it up
 * under RCU from any context; the ring memory goes with the last reference.
 *
 * Locks: kmcl_lb_lock (mutex) guards both lists and the ep->link pointers;
 * it nests inside a channel's state_mutex. link->lock (spinlock, BH off)
 * guards link->ep[], link->up and link->accepted; the peer's notify
 * functions run under it, and so does the lookup of a client's GPADL for
 * its server (kmcl_gpadl_lookup(), which takes the client's GPADL table
 * lock inside).
 *
 * Save/restore hand-over: a server whose save was committed
 * (kmcl_save_handover()) does not cut its link when it closes: the link is
 * parked, its server end empty, the client untouched (its packets wait in
 * the ring). The channel restored from that save takes the parked link
 * over at enable, so the client never sees a close or a new offer; with
 * FORCE_NEW_CHANNEL it cuts it instead (the client sees the close) and
 * offers afresh. A parked link whose client went away is dropped then.
 *
 * GPADLs: the client's table is the publication (nothing to send), so a
 * server maps a handle by looking it up in its connected client's table.
 *
 * External data: a GPA-direct packet names memory of the sender's own
 * kernel (this one). The receiver accepts it only if the sender has a
 * packet waiting under that transaction id with exactly those ranges
 * (kmcl_out_ext_match(), under link->lock, so the sender cannot be
 * disconnecting meanwhile). link->ext_held[] counts the packets each side
 * accepted and has not completed yet; a closing sender waits for the
 * peer's count to drop to zero (ext_quiesce) before its packets complete.
 */
#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/kref.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "kmcl.h"
#include "save.h"

enum { KMCL_LB_SERVER, KMCL_LB_CLIENT };

/**
 * struct kmcl_lb_link - one loopback connection
 * @ref: one reference per bound endpoint.
 * @rcu: for freeing after readers in signal() are gone.
 * @lock: protects @ep, @up, @accepted, @refused.
 * @ep: the server and client endpoints; NULL once that side disconnected.
 * @up: neither side has disconnected.
 * @accepted: the server's Opened succeeded; the client may open.
 * @refused: the server's Opened failed with this errno.
 * @c2s: ring written by the client, read by the server.
 * @c2s_size: its size in bytes, control page included.
 * @s2c: ring written by the server, read by the client.
 * @s2c_size: its size in bytes, control page included.
 * @ext_held: per side, packets with external data of the other side that
 *	it accepted and has not released.
 * @ext_wq: a closing sender waits here for the peer's @ext_held to drop.
 */
struct kmcl_lb_link {
	struct kref ref;
	struct rcu_head rcu;
	spinlock_t lock;		/* see above */
	struct kmcl_channel *ep[2];
	bool up;
	bool accepted;
	int refused;
	void *c2s;
	u32 c2s_size;
	void *s2c;
	u32 s2c_size;
	atomic_t ext_held[2];
	wait_queue_head_t ext_wq;
};

/**
 * struct kmcl_lb_parked - a link handed over by a saved server
 * @node: on kmcl_lb_parked_links.
 * @type: the offer's interface type.
 * @instance: the offer's instance.
 * @save_id: the save that owns it.
 * @link: the link, with the reference the server held.
 */
struct kmcl_lb_parked {
	struct list_head node;
	guid_t type;
	guid_t instance;
	u64 save_id;
	struct kmcl_lb_link *link;
};

static DEFINE_MUTEX(kmcl_lb_lock);
static LIST_HEAD(kmcl_lb_offers);
static LIST_HEAD(kmcl_lb_waiters);
static LIST_HEAD(kmcl_lb_parked_links);

static inline int kmcl_lb_side(const struct kmcl_channel *ch)
{
	return ch->is_server ? KMCL_LB_SERVER : KMCL_LB_CLIENT;
}

/* The link bound to @ch; the caller holds kmcl_lb_lock. */
static struct kmcl_lb_link *kmcl_lb_link_of(struct kmcl_channel *ch)
{
	return rcu_dereference_protected(ch->lb.link,
					 lockdep_is_held(&kmcl_lb_lock));
}

/**
 * kmcl_loopback_init_ep() - set up the loopback state of a new channel
 * @ch: the channel, being allocated.
 */
void kmcl_loopback_init_ep(struct kmcl_channel *ch)
{
	INIT_LIST_HEAD(&ch->lb.node);
	ch->lb.listed = false;
	RCU_INIT_POINTER(ch->lb.link, NULL);
	ch->lb.attached = false;
}

/**
 * kmcl_loopback_ring_pages() - ring size for one direction
 * @configured: page count the client asked for, 0 for the default.
 * @sender: configuration of the endpoint that writes this ring.
 *
 * The ring is grown, if needed, so that the sender's largest packet (in-band
 * payload, descriptor, external-data ranges, trailer) fits twice.
 *
 * Return: the page count, control page included.
 */
u32 kmcl_loopback_ring_pages(u32 configured,
			     const struct kmcl_channel_config *sender)
{
	u64 pkt, pages;

	pkt = ALIGN((u64)sender->max_packet_size, 8) + 64;
	if (sender->max_ext_data || sender->max_ext_chain) {
		u64 chain = max_t(u64, sender->max_ext_chain, 1);

		pkt += 8 * (DIV_ROUND_UP((u64)sender->max_ext_data,
					 KMCL_WIRE_PAGE_SIZE) + 2 * chain);
		pkt += 16 * chain;
	}
	pages = 1 + DIV_ROUND_UP(2 * pkt, KMCL_WIRE_PAGE_SIZE);
	if (!configured)
		configured = KMCL_DEFAULT_RING_PAGES;
	pages = max_t(u64, pages, configured);
	return min_t(u64, pages, KMCL_MAX_RING_PAGES);
}

KMCL_EXPORT_FOR_TESTS(kmcl_loopback_ring_pages);

static void kmcl_lb_link_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct kmcl_lb_link, rcu));
}

static void kmcl_lb_link_release(struct kref *ref)
{
	struct kmcl_lb_link *link = container_of(ref, struct kmcl_lb_link, ref);

	vfree(link->c2s);
	vfree(link->s2c);
	call_rcu(&link->rcu, kmcl_lb_link_free_rcu);
}

/*
 * A subchannel offer is subchannel @index of its primary's offer: it
 * matches the client subchannel with that index whose primary is the
 * client now connected to the server's primary. kmcl_lb_lock held.
 */
static bool kmcl_lb_sub_match(const struct kmcl_channel *client,
			      const struct kmcl_channel *server)
{
	struct kmcl_lb_link *link;
	bool match = false;

	if (!client->cfg.primary || !server->cfg.primary ||
	    client->cfg.subchannel_index != server->cfg.subchannel_index)
		return false;
	link = kmcl_lb_link_of(server->cfg.primary);
	if (!link)
		return false;
	spin_lock_bh(&link->lock);
	match = link->up && link->ep[KMCL_LB_SERVER] == server->cfg.primary &&
		link->ep[KMCL_LB_CLIENT] == client->cfg.primary;
	spin_unlock_bh(&link->lock);
	return match;
}

static bool kmcl_lb_match(const struct kmcl_channel *client,
			  const struct kmcl_channel *server)
{
	if (client->cfg.primary || server->cfg.primary)
		return kmcl_lb_sub_match(client, server);
	if (!guid_equal(&client->cfg.target_type, &server->cfg.offer_type))
		return false;
	return client->cfg.any_instance ||
	       guid_equal(&client->cfg.target_instance,
			  &server->cfg.offer_instance);
}

/* Allocate and format one ring of @pages pages. */
static void *kmcl_lb_ring_alloc(u32 pages, u32 *size)
{
	struct kmcl_ring view;
	void *mem;

	*size = pages * KMCL_WIRE_PAGE_SIZE;
	mem = vzalloc(*size);
	if (mem && kmcl_ring_init(&view, mem, *size)) {
		vfree(mem);
		mem = NULL;
	}
	return mem;
}

/*
 * Bind @server and @client with a new link; kmcl_lb_lock held, both
 * unbound. The server is kicked to run its Opened; the client follows once
 * the server accepted.
 */
static int kmcl_lb_bind(struct kmcl_channel *server,
			struct kmcl_channel *client)
{
	struct kmcl_lb_link *link;
	unsigned long flags;

	lockdep_assert_held(&kmcl_lb_lock);
	link = kzalloc(sizeof(*link), GFP_KERNEL);
	if (!link)
		return -ENOMEM;
	link->c2s = kmcl_lb_ring_alloc(kmcl_loopback_ring_pages(client->cfg.ring_out_pages,
								&client->cfg),
				       &link->c2s_size);
	link->s2c = kmcl_lb_ring_alloc(kmcl_loopback_ring_pages(client->cfg.ring_in_pages,
								&server->cfg),
				       &link->s2c_size);
	if (!link->c2s || !link->s2c) {
		vfree(link->c2s);
		vfree(link->s2c);
		kfree(link);
		return -ENOMEM;
	}
	kref_init(&link->ref);
	kref_get(&link->ref);
	spin_lock_init(&link->lock);
	init_waitqueue_head(&link->ext_wq);
	link->ep[KMCL_LB_SERVER] = server;
	link->ep[KMCL_LB_CLIENT] = client;
	link->up = true;

	if (client->lb.listed) {
		list_del_init(&client->lb.node);
		client->lb.listed = false;
	}
	spin_lock_irqsave(&client->lock, flags);
	if (!client->cfg.primary)	/* a subchannel keeps its primary's */
		client->instance = server->cfg.offer_instance;
	spin_unlock_irqrestore(&client->lock, flags);

	rcu_assign_pointer(server->lb.link, link);
	rcu_assign_pointer(client->lb.link, link);
	kmcl_channel_kick(server);
	return 0;
}

/*
 * A restored server takes over the link its save parked, if the client is
 * still there (FORCE_NEW_CHANNEL: cut it instead); kmcl_lb_lock held.
 */
static void kmcl_lb_unpark(struct kmcl_channel *server, u64 save_id)
{
	bool force = server->cfg.server_flags & KMCL_SRV_FLAG_FORCE_NEW_CHANNEL;
	struct kmcl_lb_parked *p, *found = NULL;
	struct kmcl_channel *client;
	struct kmcl_lb_link *link;
	bool bound = false;

	lockdep_assert_held(&kmcl_lb_lock);
	list_for_each_entry(p, &kmcl_lb_parked_links, node) {
		if (p->save_id == save_id &&
		    guid_equal(&p->type, &server->cfg.offer_type) &&
		    guid_equal(&p->instance, &server->cfg.offer_instance)) {
			found = p;
			break;
		}
	}
	if (!found)
		return;
	list_del(&found->node);
	link = found->link;
	kfree(found);
	spin_lock_bh(&link->lock);
	client = link->up ? link->ep[KMCL_LB_CLIENT] : NULL;
	if (client && !force) {
		link->ep[KMCL_LB_SERVER] = server;
		rcu_assign_pointer(server->lb.link, link);
		bound = true;
	} else if (client) {
		link->up = false;
		kmcl_channel_peer_lost(client);
	}
	spin_unlock_bh(&link->lock);
	if (bound)
		kmcl_channel_kick(server);
	else
		kref_put(&link->ref, kmcl_lb_link_release);
}

/*
 * Park @link instead of cutting it, if @ch's committed save owns it;
 * kmcl_lb_lock held. Returns true if parked.
 */
static bool kmcl_lb_park(struct kmcl_channel *ch, struct kmcl_lb_link *link)
{
	struct kmcl_lb_parked *p;
	u64 save_id;
	bool ok;

	if (!ch->is_server || !kmcl_save_handover(ch, &save_id))
		return false;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return false;
	spin_lock_bh(&link->lock);
	ok = link->up && link->ep[KMCL_LB_SERVER] == ch &&
	     link->ep[KMCL_LB_CLIENT];
	if (ok)
		link->ep[KMCL_LB_SERVER] = NULL;
	spin_unlock_bh(&link->lock);
	if (!ok) {
		kfree(p);
		return false;
	}
	kref_get(&link->ref);
	p->type = ch->cfg.offer_type;
	p->instance = ch->cfg.offer_instance;
	p->save_id = save_id;
	p->link = link;
	list_add_tail(&p->node, &kmcl_lb_parked_links);
	return true;
}

/**
 * kmcl_loopback_exit() - drop the links no restore took over
 *
 * At module exit; their clients see the close.
 */
void kmcl_loopback_exit(void)
{
	struct kmcl_lb_parked *p, *tmp;
	struct kmcl_channel *client;

	mutex_lock(&kmcl_lb_lock);
	list_for_each_entry_safe(p, tmp, &kmcl_lb_parked_links, node) {
		spin_lock_bh(&p->link->lock);
		client = p->link->up ? p->link->ep[KMCL_LB_CLIENT] : NULL;
		p->link->up = false;
		if (client)
			kmcl_channel_peer_lost(client);
		spin_unlock_bh(&p->link->lock);
		list_del(&p->node);
		kref_put(&p->link->ref, kmcl_lb_link_release);
		kfree(p);
	}
	mutex_unlock(&kmcl_lb_lock);
}

/* Give a free, listed offer to the first matching waiter; kmcl_lb_lock held. */
static void kmcl_lb_serve_waiters(struct kmcl_channel *server)
{
	struct kmcl_channel *client;
	int ret;

	lockdep_assert_held(&kmcl_lb_lock);
	if (!server->lb.listed || kmcl_lb_link_of(server))
		return;
	list_for_each_entry(client, &kmcl_lb_waiters, lb.node) {
		if (!kmcl_lb_match(client, server))
			continue;
		ret = kmcl_lb_bind(server, client);
		if (ret)
			pr_warn_ratelimited("loopback: cannot connect channel %u to offer %u: %d\n",
					    client->id, server->id, ret);
		return;
	}
}

static int kmcl_lb_enable(struct kmcl_channel *ch)
{
	struct kmcl_channel *other;
	u64 save_id;
	int ret = 0;

	/* Loopback clients bind by interface type only: TargetPnp is required. */
	if (!ch->is_server && !ch->cfg.has_target && !ch->cfg.primary)
		return -EINVAL;
	mutex_lock(&kmcl_lb_lock);
	if (ch->is_server) {
		list_for_each_entry(other, &kmcl_lb_offers, lb.node) {
			/* Subchannel offers: one per (primary, index). */
			if (ch->cfg.primary || other->cfg.primary) {
				if (other->cfg.primary == ch->cfg.primary &&
				    other->cfg.subchannel_index ==
				    ch->cfg.subchannel_index) {
					ret = -EEXIST;
					goto out;
				}
				continue;
			}
			if (guid_equal(&other->cfg.offer_type, &ch->cfg.offer_type) &&
			    guid_equal(&other->cfg.offer_instance,
				       &ch->cfg.offer_instance)) {
				ret = -EEXIST;
				goto out;
			}
		}
		ret = kmcl_save_restore_id(ch, &save_id);
		if (ret < 0)
			goto out;
		list_add_tail(&ch->lb.node, &kmcl_lb_offers);
		ch->lb.listed = true;
		if (ret)
			kmcl_lb_unpark(ch, save_id);
		ret = 0;
		kmcl_lb_serve_waiters(ch);
		goto out;
	}

	list_for_each_entry(other, &kmcl_lb_offers, lb.node) {
		if (kmcl_lb_link_of(other) || !kmcl_lb_match(ch, other))
			continue;
		ret = kmcl_lb_bind(other, ch);
		goto out;
	}
	list_add_tail(&ch->lb.node, &kmcl_lb_waiters);
	ch->lb.listed = true;
out:
	mutex_unlock(&kmcl_lb_lock);
	return ret;
}

static void kmcl_lb_withdraw(struct kmcl_channel *ch)
{
	mutex_lock(&kmcl_lb_lock);
	if (ch->lb.listed) {
		list_del_init(&ch->lb.node);
		ch->lb.listed = false;
	}
	mutex_unlock(&kmcl_lb_lock);
}

static int kmcl_lb_attach(struct kmcl_channel *ch)
{
	int side = kmcl_lb_side(ch);
	struct kmcl_lb_link *link;
	void *in, *out;
	u32 in_size, out_size;
	unsigned long flags;
	int ret = 0;

	mutex_lock(&kmcl_lb_lock);
	link = kmcl_lb_link_of(ch);
	if (!link || ch->lb.attached) {
		mutex_unlock(&kmcl_lb_lock);
		return -ENOENT;
	}
	if (side == KMCL_LB_SERVER) {
		in = link->c2s;
		in_size = link->c2s_size;
		out = link->s2c;
		out_size = link->s2c_size;
	} else {
		in = link->s2c;
		in_size = link->s2c_size;
		out = link->c2s;
		out_size = link->c2s_size;
	}

	spin_lock_bh(&link->lock);
	if (!link->up || link->ep[side] != ch) {
		ret = link->refused ? -ECONNREFUSED : -ENOTCONN;
	} else if (side == KMCL_LB_CLIENT && !link->accepted) {
		ret = -ENOENT;
	} else if (kmcl_ring_attach(&ch->in_ring, in, in_size) ||
		   kmcl_ring_attach(&ch->out_ring, out, out_size)) {
		ret = -EIO;
	} else {
		ch->lb.attached = true;
		spin_lock_irqsave(&ch->lock, flags);
		ch->peer_lost = false;
		spin_unlock_irqrestore(&ch->lock, flags);
	}
	spin_unlock_bh(&link->lock);
	mutex_unlock(&kmcl_lb_lock);
	return ret;
}

static void kmcl_lb_open_done(struct kmcl_channel *ch, int err)
{
	struct kmcl_lb_link *link;
	struct kmcl_channel *client;

	if (!ch->is_server)
		return;
	mutex_lock(&kmcl_lb_lock);
	link = kmcl_lb_link_of(ch);
	if (link) {
		spin_lock_bh(&link->lock);
		if (err) {
			link->refused = err;
		} else {
			link->accepted = true;
			client = link->up ? link->ep[KMCL_LB_CLIENT] : NULL;
			if (client)
				kmcl_channel_kick(client);
		}
		spin_unlock_bh(&link->lock);
	}
	mutex_unlock(&kmcl_lb_lock);
}

/* Cut @link on @ch's side; the peer, if still there, hears of it. */
static void kmcl_lb_cut(struct kmcl_channel *ch, struct kmcl_lb_link *link)
{
	int side = kmcl_lb_side(ch);
	struct kmcl_channel *peer;
	bool was_up;

	spin_lock_bh(&link->lock);
	if (link->ep[side] == ch) {
		link->ep[side] = NULL;
		was_up = link->up;
		link->up = false;
		peer = link->ep[!side];
		if (peer && was_up)
			kmcl_channel_peer_lost(peer);
	}
	spin_unlock_bh(&link->lock);
}

static void kmcl_lb_disconnect(struct kmcl_channel *ch)
{
	struct kmcl_lb_link *link;

	mutex_lock(&kmcl_lb_lock);
	link = kmcl_lb_link_of(ch);
	if (link && !kmcl_lb_park(ch, link))
		kmcl_lb_cut(ch, link);
	mutex_unlock(&kmcl_lb_lock);
}

static void kmcl_lb_release(struct kmcl_channel *ch)
{
	struct kmcl_lb_link *link;

	mutex_lock(&kmcl_lb_lock);
	link = kmcl_lb_link_of(ch);
	if (!link) {
		mutex_unlock(&kmcl_lb_lock);
		return;
	}
	kmcl_lb_cut(ch, link);
	RCU_INIT_POINTER(ch->lb.link, NULL);
	ch->lb.attached = false;
	if (ch->is_server)
		kmcl_lb_serve_waiters(ch);
	mutex_unlock(&kmcl_lb_lock);
	kref_put(&link->ref, kmcl_lb_link_release);
}

static void kmcl_lb_signal(struct kmcl_channel *ch)
{
	struct kmcl_lb_link *link;
	struct kmcl_channel *peer;
	bool bh;

	rcu_read_lock();
	link = rcu_dereference(ch->lb.link);
	if (link) {
		bh = kmcl_lock_bh(&link->lock);
		peer = link->up ? link->ep[!kmcl_lb_side(ch)] : NULL;
		if (peer) {
			kmcl_in_notify(peer);
			kmcl_out_notify(peer);
		}
		kmcl_unlock_bh(&link->lock, bh);
	}
	rcu_read_unlock();
}

static struct device *kmcl_lb_target_device(struct kmcl_channel *ch)
{
	return kmcl_loopback_parent();
}

/* The client's table is the publication: nothing to tell the server. */
static int kmcl_lb_gpadl_publish(struct kmcl_channel *ch, struct kmcl_gpadl *g)
{
	return 0;
}

/* The connected client's GPADL @handle, referenced, for server @srv. */
static struct kmcl_gpadl *kmcl_lb_gpadl_get(struct kmcl_channel *srv,
					    u32 handle)
{
	struct kmcl_gpadl *g = ERR_PTR(-ENOTCONN);
	struct kmcl_lb_link *link;
	struct kmcl_channel *client;

	mutex_lock(&kmcl_lb_lock);
	link = kmcl_lb_link_of(srv);
	if (link) {
		spin_lock_bh(&link->lock);
		client = link->up && link->ep[KMCL_LB_SERVER] == srv ?
			 link->ep[KMCL_LB_CLIENT] : NULL;
		if (client)
			g = kmcl_gpadl_lookup(client, handle);
		spin_unlock_bh(&link->lock);
	}
	mutex_unlock(&kmcl_lb_lock);
	return g;
}

/* The sender is our peer in this kernel: ask it about its packet. */
static int kmcl_lb_ext_check(struct kmcl_channel *ch, u64 txid,
			     const void *ranges, u32 len, u32 count, void **vas)
{
	int side = kmcl_lb_side(ch), ret = -ECANCELED;
	struct kmcl_lb_link *link;
	struct kmcl_channel *peer;

	rcu_read_lock();
	link = rcu_dereference(ch->lb.link);
	if (link) {
		spin_lock_bh(&link->lock);
		peer = link->up && link->ep[side] == ch ? link->ep[!side] : NULL;
		if (peer) {
			ret = kmcl_out_ext_match(peer, txid, ranges, len, count,
						 vas);
			/* An isolated sender's peer sees its pool, nothing else. */
			if (!ret && READ_ONCE(peer->isolated) &&
			    !kmcl_bounce_owns(peer, ranges, len, count))
				ret = -EBADMSG;
			if (!ret)
				atomic_inc(&link->ext_held[side]);
		}
		spin_unlock_bh(&link->lock);
	}
	rcu_read_unlock();
	return ret;
}

static void kmcl_lb_ext_put(struct kmcl_channel *ch)
{
	struct kmcl_lb_link *link;

	rcu_read_lock();
	link = rcu_dereference(ch->lb.link);
	if (link && atomic_dec_and_test(&link->ext_held[kmcl_lb_side(ch)]))
		wake_up_all(&link->ext_wq);
	rcu_read_unlock();
}

static void kmcl_lb_ext_quiesce(struct kmcl_channel *ch)
{
	int peer = !kmcl_lb_side(ch);
	struct kmcl_lb_link *link;

	mutex_lock(&kmcl_lb_lock);
	link = kmcl_lb_link_of(ch);
	if (link)
		kref_get(&link->ref);
	mutex_unlock(&kmcl_lb_lock);
	if (!link)
		return;
	/* The peer's close (or its driver) completes what it holds. */
	while (!wait_event_idle_timeout(link->ext_wq,
					!atomic_read(&link->ext_held[peer]),
					10 * HZ))
		pr_warn("channel %u: waiting for the peer to complete %d packet(s) holding our memory\n",
			ch->id, atomic_read(&link->ext_held[peer]));
	kref_put(&link->ref, kmcl_lb_link_release);
}

static bool kmcl_lb_isolated(struct kmcl_channel *ch)
{
	return READ_ONCE(ch->lb.isolated);
}

/**
 * kmcl_loopback_set_isolated() - make a loopback endpoint a confidential VM
 * @ch: a disabled loopback channel.
 * @on: isolate it.
 *
 * For tests: from the next enable on, @ch behaves as an endpoint in an
 * isolated VM. Its external data goes through its bounce pool (or is
 * refused without one), and its peer refuses any range of it that is not
 * in that pool, as a real host of a confidential VM would.
 */
void kmcl_loopback_set_isolated(struct kmcl_channel *ch, bool on)
{
	WRITE_ONCE(ch->lb.isolated, on);
}

KMCL_EXPORT_FOR_TESTS(kmcl_loopback_set_isolated);

const struct kmcl_transport_ops kmcl_loopback_ops = {
	.name = "loopback",
	.enable = kmcl_lb_enable,
	.withdraw = kmcl_lb_withdraw,
	.attach = kmcl_lb_attach,
	.open_done = kmcl_lb_open_done,
	.disconnect = kmcl_lb_disconnect,
	.release = kmcl_lb_release,
	.signal = kmcl_lb_signal,
	.target_device = kmcl_lb_target_device,
	.ext_check = kmcl_lb_ext_check,
	.ext_put = kmcl_lb_ext_put,
	.ext_quiesce = kmcl_lb_ext_quiesce,
	.gpadl_publish = kmcl_lb_gpadl_publish,
	.gpadl_get = kmcl_lb_gpadl_get,
	.gpa_ranges_max = U32_MAX,
	.subchannels = true,
	.isolated = kmcl_lb_isolated,
};
