/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transport seam: what the channel state machine asks of the thing that
 * connects two endpoints (the in-kernel loopback here, hv_vmbus in
 * kmcl_hv.ko).
 *
 * A transport binds an enabled channel to a peer (an offer for a client, a
 * client for a server) whenever it likes, then calls kmcl_channel_kick() so
 * that the channel's state work runs. The state work attaches (sets up the
 * rings), runs the open sequence and calls @open_done; it later calls
 * @disconnect and @release when the channel closes. When the transport
 * loses the peer on its own (the peer closed or rescinded), it calls
 * kmcl_channel_peer_lost(), which stops traffic at once and kicks the state
 * work to run the close sequence.
 *
 * Ops marked "state_mutex" are called with the channel's state_mutex held,
 * in process context, and may sleep. The state machine guarantees the
 * order enable -> (attach -> open_done -> disconnect -> release)* ->
 * withdraw, with release also following a failed attach.
 */
#ifndef _KMCL_TRANSPORT_H
#define _KMCL_TRANSPORT_H

#include <linux/list.h>
#include <linux/types.h>

struct device;
struct kmcl_channel;
struct kmcl_channel_config;
struct kmcl_gpadl;
struct kmcl_lb_link;

/**
 * struct kmcl_transport_ops - operations a transport implements
 * @name: for logs and debugfs.
 * @enable: state_mutex. Disabled -> Enabled: offer (server) or accept an
 *	offer / start waiting for one (client). Returns 0 or -errno.
 * @withdraw: state_mutex. Stop offering / waiting: no new peer is bound
 *	after this returns. Called at disable.
 * @attach: state_mutex. A peer is bound and ready: set up @ch's rings.
 *	Returns 0, -ENOENT if nothing is ready to attach yet, -ENOTCONN if
 *	the bound peer went away (the caller then calls @release).
 * @open_done: state_mutex. The Opened callback returned @err (0 = success).
 * @disconnect: state_mutex. Cut the connection; the peer is told. No signal
 *	from the peer reaches @ch after this returns. Idempotent.
 * @release: state_mutex. Forget the connection (after @disconnect, after
 *	the packet code stopped using the rings). Idempotent.
 * @signal: any context but hardirq, no KMCL lock held: tell the peer that
 *	a ring changed.
 * @target_device: the device standing for the peer (GetTargetDeviceObject).
 * @gpadl_publish: process context, client channels: make GPADL @g known
 *	to the peer before kmcl_gpadl_create() returns its handle (loopback:
 *	nothing to do, the client's table is what the server looks in).
 *	Returns 0 or -errno. NULL: the transport cannot share GPADLs, and
 *	creating one is refused with -EOPNOTSUPP.
 * @gpadl_revoke: process context, client channels, optional: withdraw @g
 *	from the peer; called by delete once the server no longer maps it.
 * @gpadl_get: process context, server channels: the GPADL @handle of the
 *	connected client, with a reference taken (kmcl_gpadl_put()), or
 *	ERR_PTR(-ENOTCONN) without a connected client, ERR_PTR(-ENOENT) for
 *	an unknown handle. NULL: the transport cannot map GPADLs.
 */
struct kmcl_transport_ops {
	const char *name;
	int (*enable)(struct kmcl_channel *ch);
	void (*withdraw)(struct kmcl_channel *ch);
	int (*attach)(struct kmcl_channel *ch);
	void (*open_done)(struct kmcl_channel *ch, int err);
	void (*disconnect)(struct kmcl_channel *ch);
	void (*release)(struct kmcl_channel *ch);
	void (*signal)(struct kmcl_channel *ch);
	struct device *(*target_device)(struct kmcl_channel *ch);
	int (*gpadl_publish)(struct kmcl_channel *ch, struct kmcl_gpadl *g);
	void (*gpadl_revoke)(struct kmcl_channel *ch, struct kmcl_gpadl *g);
	struct kmcl_gpadl *(*gpadl_get)(struct kmcl_channel *srv, u32 handle);
};

/**
 * struct kmcl_lb_ep - loopback state of one endpoint
 * @node: on the offer list (server) or the wait list (client);
 *	kmcl_lb_lock.
 * @listed: @node is on a list; kmcl_lb_lock.
 * @link: the bound connection, NULL if none. Set (bind) and cleared
 *	(release, by the channel itself with its state_mutex held) under
 *	kmcl_lb_lock; read under RCU by @signal.
 * @attached: rings attached to @link; state_mutex.
 */
struct kmcl_lb_ep {
	struct list_head node;
	bool listed;
	struct kmcl_lb_link __rcu *link;
	bool attached;
};

extern const struct kmcl_transport_ops kmcl_loopback_ops;

void kmcl_loopback_init_ep(struct kmcl_channel *ch);
u32 kmcl_loopback_ring_pages(u32 configured,
			     const struct kmcl_channel_config *sender);

#endif /* _KMCL_TRANSPORT_H */
