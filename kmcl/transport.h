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
#include <linux/uuid.h>

struct device;
struct kmcl_channel;
struct kmcl_channel_config;
struct kmcl_gpa_range;
struct kmcl_gpadl;
struct kmcl_lb_link;
struct kmcl_transport;
struct module;
struct page;

/**
 * enum kmcl_claim - how strongly a transport wants a new channel
 * @KMCL_CLAIM_NONE: not this transport's.
 * @KMCL_CLAIM_DEFAULT: it serves the channel unless another transport
 *	claims its parent device.
 * @KMCL_CLAIM_DEVICE: the parent device belongs to this transport.
 */
enum kmcl_claim {
	KMCL_CLAIM_NONE = 0,
	KMCL_CLAIM_DEFAULT = 1,
	KMCL_CLAIM_DEVICE = 2,
};

/**
 * struct kmcl_xmit - one packet for the transport to write
 * @type: KMCL_PKT_DATA_INBAND, KMCL_PKT_COMP or
 *	KMCL_PKT_DATA_USING_GPA_DIRECT.
 * @flags: KMCL_PKT_FLAG_COMPLETION_REQUESTED or 0.
 * @trans_id: the id on the wire: never 0 and never one of the top four u64
 *	values when a completion is requested; the peer's id for a
 *	completion.
 * @data: in-band payload, @len bytes (the writer pads it to 8).
 * @len: its exact length.
 * @ranges: GPA-direct only: @range_count struct kmcl_gpa_range back to
 *	back, each followed by its Hyper-V (4 KiB) PFNs; NULL otherwise.
 * @range_count: number of ranges.
 * @ranges_len: bytes at @ranges, all of them ranges (a multiple of 8).
 */
struct kmcl_xmit {
	/* No padding: an initializer is then plain stores, not a memset. */
	u16 type;
	u16 flags;
	u32 len;
	u64 trans_id;
	const void *data;
	const struct kmcl_gpa_range *ranges;
	u32 range_count;
	u32 ranges_len;
};

/**
 * struct kmcl_ring_ops - rings owned by the transport
 * @xmit: write one packet. Called with the channel's out.lock held (BH
 *	off); never sleeps. Returns 0 when the whole packet is in the ring;
 *	-EAGAIN: no room now, nothing written; -EMSGSIZE: can never fit;
 *	-ENODEV: the peer is gone (the packet stays queued until the close
 *	completes it); -EOPNOTSUPP: a GPA-direct packet this transport cannot
 *	carry; -EBADMSG: the ring is corrupt. Sets *@signal when the caller
 *	must call kmcl_channel_signal_peer() after dropping its lock.
 * @want_room: out.lock held. Ask for a wake-up (kmcl_out_notify()) once a
 *	packet of @pktlen bytes (descriptor and padding, no trailer) fits.
 *	Returns true if it fits already: retry now.
 * @mask: reader side, once before a batch of @peek / @consume.
 * @peek: copy the next packet, descriptor included, into @buf (@buflen
 *	bytes) and set *@pktlen. 0; -EAGAIN when there is none; -EMSGSIZE
 *	when it is longer than @buflen (*@pktlen set, the packet left in
 *	place); any other error: the ring is unusable.
 * @consume: drop the packet @peek returned (@pktlen bytes). Sets
 *	*@signal when the caller must signal the peer.
 * @unmask: after a batch. Returns true if packets arrived meanwhile.
 *
 * The reader calls run one at a time per channel, from its tasklet or its
 * work item. A transport without these ops uses the channel's own
 * in_ring/out_ring (the loopback).
 */
struct kmcl_ring_ops {
	int (*xmit)(struct kmcl_channel *ch, const struct kmcl_xmit *x,
		    bool *signal);
	bool (*want_room)(struct kmcl_channel *ch, u32 pktlen);
	void (*mask)(struct kmcl_channel *ch);
	int (*peek)(struct kmcl_channel *ch, void *buf, u32 buflen,
		    u32 *pktlen);
	int (*consume)(struct kmcl_channel *ch, u32 pktlen, bool *signal);
	bool (*unmask)(struct kmcl_channel *ch);
};

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
 * @ext_check: reader context (softirq or process), no KMCL lock held: did
 *	the peer really lend these GPA ranges, as transaction @txid (@len
 *	bytes of ranges, @count ranges)? 0: yes, and they count as held by
 *	@ch until @ext_put; -ECANCELED: the peer went away (drop the packet
 *	quietly); -EBADMSG: no. NULL: the transport never lends memory (the
 *	host does not), every GPA-direct packet is hostile. On success it
 *	fills @vas (@count entries) with the sender's address hints, or
 *	NULLs (kmcl_ext_in_vas()).
 * @ext_put: any context up to softirq: @ch no longer holds the memory of
 *	one packet @ext_check accepted. NULL if @ext_check is.
 * @ext_quiesce: state_mutex, at close, after @disconnect: return once the
 *	peer holds none of @ch's memory (it completed or failed every packet
 *	with external data it accepted, or can no longer reach it: hv closes
 *	the VMBus channel here). For a transport with its own @ring the
 *	packet code has left the rings already (kmcl_out_stop()), so it may
 *	close them. NULL: nothing to wait for.
 * @ext_wait: process context, no KMCL lock held, optional: a synchronous
 *	request took back (kmcl_packet_cancel_lent()) a packet with external
 *	data after the channel stopped being open; return once the peer can
 *	no longer touch that memory. NULL: @ext_quiesce is called instead
 *	(it must then work without state_mutex).
 * @gpadl_publish: process context, client channels: make GPADL @g known
 *	to the peer before kmcl_gpadl_create() returns its handle (loopback:
 *	nothing to do, the client's table is what the server looks in).
 *	Returns 0 or -errno. NULL: the transport cannot share GPADLs, and
 *	creating one is refused with -EOPNOTSUPP.
 * @gpadl_alloc: process context, client channels, optional: allocate
 *	@size bytes (whole pages) of zeroed memory for GPADL @g, whose
 *	memory KMCL owns (VmbChannelCreateGpadl()), the way the peer shares
 *	memory best. Sets @g->kva (a vmalloc or vmap address) and @g->buf,
 *	or neither on an error. -EOPNOTSUPP: ordinary pages will do;
 *	otherwise 0 or -errno.
 * @gpadl_revoke: process context, client channels, optional: withdraw @g
 *	from the peer; called by delete once the server no longer maps it.
 * @gpadl_get: process context, server channels: the GPADL @handle of the
 *	connected client, with a reference taken (kmcl_gpadl_put()), or
 *	ERR_PTR(-ENOTCONN) without a connected client, ERR_PTR(-ENOENT) for
 *	an unknown handle. NULL: the transport cannot map GPADLs.
 * @ring: the transport's own rings; NULL: the channel's in_ring/out_ring.
 * @gpa_ranges_max: most GPA ranges one GPA-direct packet may carry on
 *	this transport, 0 if it carries none.
 * @subchannels: the transport opens subchannels: its @enable and @attach
 *	handle a channel whose cfg.primary is set (one of its own, open) by
 *	binding it to subchannel cfg.subchannel_index of the primary's
 *	connection. Without it, enabling a subchannel is -EOPNOTSUPP.
 * @gpadl_from_page0: the peer addresses a GPADL from the start of its
 *	first page (hv: hv_vmbus shares whole pages), not from the buffer's
 *	byte offset: transfer-page offsets count from there.
 * @claim: registered transports only; process context, no KMCL lock
 *	held, at allocation. Returns an enum kmcl_claim, or -errno to refuse
 *	the allocation outright (the error is what the caller gets).
 * @setup: registered transports, optional: process context, at
 *	allocation, once the transport was chosen; sets up @ch->tpriv.
 *	0 or -errno (the allocation fails with it).
 * @teardown: optional: at cleanup, after the packet code was destroyed;
 *	undoes @setup.
 * @mmio_space: optional, any context: the MMIO range reserved for the
 *	connection, 0/0 if none. NULL: no MMIO.
 * @set_latency: optional, process context, between Opened and Closed:
 *	the driver changed the interrupt latency (100 ns units) to @latency.
 *	0, or -EOPNOTSUPP if the transport cannot change how it notifies
 *	the peer (the value is then not kept).
 * @isolated: optional, process context, at enable: may the peer see only
 *	memory @ch shares on purpose (a confidential VM)? NULL: never.
 *	External data of an isolated channel goes through its bounce pool
 *	(bounce.h).
 * @share_pages: optional, process context: make @n pages of @ch's bounce
 *	pool visible to the peer. 0 or -errno. NULL: ordinary pages are.
 * @unshare_pages: optional, process context: undo @share_pages. An error
 *	means the pages may still be visible: the caller leaks them.
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
	int (*ext_check)(struct kmcl_channel *ch, u64 txid, const void *ranges,
			 u32 len, u32 count, void **vas);
	void (*ext_put)(struct kmcl_channel *ch);
	void (*ext_quiesce)(struct kmcl_channel *ch);
	void (*ext_wait)(struct kmcl_channel *ch);
	int (*gpadl_alloc)(struct kmcl_channel *ch, struct kmcl_gpadl *g,
			   u32 size);
	int (*gpadl_publish)(struct kmcl_channel *ch, struct kmcl_gpadl *g);
	void (*gpadl_revoke)(struct kmcl_channel *ch, struct kmcl_gpadl *g);
	struct kmcl_gpadl *(*gpadl_get)(struct kmcl_channel *srv, u32 handle);
	const struct kmcl_ring_ops *ring;
	u32 gpa_ranges_max;
	bool subchannels;
	bool gpadl_from_page0;
	int (*claim)(struct kmcl_transport *t, struct device *parent,
		     bool server);
	int (*setup)(struct kmcl_channel *ch);
	void (*teardown)(struct kmcl_channel *ch);
	void (*mmio_space)(struct kmcl_channel *ch, u64 *addr, u64 *size);
	int (*set_latency)(struct kmcl_channel *ch, u16 latency);
	bool (*isolated)(struct kmcl_channel *ch);
	int (*share_pages)(struct kmcl_channel *ch, struct page **pages, u32 n);
	int (*unshare_pages)(struct kmcl_channel *ch, struct page **pages,
			     u32 n);
};

/**
 * struct kmcl_transport - a transport registered with the core
 * @ops: its operations; @ops->claim is required.
 * @owner: the module implementing @ops (THIS_MODULE). A channel served by
 *	the transport holds a reference on it from allocation to cleanup.
 * @priv: the transport's own instance pointer (ch->xport->priv).
 * @node: core-private: the registry list.
 *
 * Selection, at VmbChannelAllocate/VmbChannelInitialize: a channel whose
 * parent is kmcl_loopback_parent() is always served by loopback; otherwise
 * every registered transport is asked (@ops->claim); the highest claim
 * wins, the first registered on a tie, and nobody claiming means loopback.
 * A negative answer from any transport fails the allocation.
 */
struct kmcl_transport {
	const struct kmcl_transport_ops *ops;
	struct module *owner;
	void *priv;
	struct list_head node;
};

int kmcl_transport_register(struct kmcl_transport *t);
void kmcl_transport_unregister(struct kmcl_transport *t);

/* The module that implements the hv transport (autoload.c loads it). */
#define KMCL_HV_MODULE	"kmcl_hv"

/**
 * struct kmcl_autoload_ops - what autoload.c asks the system
 * @has_vmbus: process context: does this machine have a VMBus?
 * @request: process context: load module @name; 0 or an error (-errno,
 *	or modprobe's exit status).
 */
struct kmcl_autoload_ops {
	bool (*has_vmbus)(void);
	int (*request)(const char *name);
};

bool kmcl_autoload_hv(struct device *parent);
const struct kmcl_autoload_ops *
kmcl_autoload_set_ops(const struct kmcl_autoload_ops *ops);

/**
 * struct kmcl_lb_ep - loopback state of one endpoint
 * @node: on the offer list (server) or the wait list (client);
 *	kmcl_lb_lock.
 * @listed: @node is on a list; kmcl_lb_lock.
 * @link: the bound connection, NULL if none. Set (bind) and cleared
 *	(release, by the channel itself with its state_mutex held) under
 *	kmcl_lb_lock; read under RCU by @signal.
 * @attached: rings attached to @link; state_mutex.
 * @isolated: test switch: this endpoint behaves as a confidential VM
 *	(kmcl_loopback_set_isolated()); read at enable.
 */
struct kmcl_lb_ep {
	struct list_head node;
	bool listed;
	struct kmcl_lb_link __rcu *link;
	bool attached;
	bool isolated;
};

extern const struct kmcl_transport_ops kmcl_loopback_ops;

/* xport.h: the packet code's only way to a channel's rings. */

void kmcl_loopback_init_ep(struct kmcl_channel *ch);
void kmcl_loopback_set_isolated(struct kmcl_channel *ch, bool on);
void kmcl_loopback_exit(void);
u32 kmcl_loopback_ring_pages(u32 configured,
			     const struct kmcl_channel_config *sender);

/*
 * For transports in other modules (namespace KMCL_TRANSPORT); see each
 * function's kernel-doc.
 */
void kmcl_channel_notify(struct kmcl_channel *ch);
void kmcl_channel_peer_lost_reopen(struct kmcl_channel *ch);
void kmcl_channel_set_instance(struct kmcl_channel *ch,
			       const guid_t *instance);
void kmcl_channel_attached(struct kmcl_channel *ch);
u32 kmcl_in_max_pktlen(struct kmcl_channel *ch);
u32 kmcl_ring_pages_for(u32 configured,
			const struct kmcl_channel_config *sender);

#endif /* _KMCL_TRANSPORT_H */
