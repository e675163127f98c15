/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmcl_hv as a KMCL transport: the struct kmcl_transport_ops that carry a
 * KMCL client channel over one VMBus device.
 *
 * A client channel served by kmcl_hv holds a watch (kmcl_hv.h): enable
 * starts it (it waits for a matching offer, or binds the VSC's own
 * hv_device at once), the watch's callbacks kick the channel's state work,
 * and attach opens the bound device's VMBus channel (io.c) before the
 * driver's Opened runs. The core's packet code reaches the rings through
 * the ring ops, thin wrappers around io.c. Closing (disable, rescind)
 * runs the core's close sequence: ext_quiesce closes the VMBus channel
 * (after vmbus_close() the host touches none of the memory lent by
 * GPA-direct packets, so only then may the core complete them), the
 * GPADLs the driver left are torn down after that (legal on a closed
 * channel, as netvsc does), and release tears down any GPADL still
 * established and ends the watch, so a removal waiting for it goes on.
 *
 * Events from hv_vmbus and what the KMCL driver sees:
 * - offer appears (probe, hot-add): the channel opens (Opened, Started).
 * - rescind or unbind of the bound device: Suspend (if running), Closed;
 *   the client is Disabled, as on loopback when the server goes away.
 *   Before the channel opened, a typed client just goes on waiting.
 * - vmbus_open() refused by the host: EvtVmbChannelPnpFailure with the
 *   error, then Disabled.
 * - hibernation (.suspend): Suspend, Closed, and the channel stays
 *   Enabled and bound; after .resume it opens again (Opened, Started).
 *
 * Per-channel state lives in struct kmcl_hv_chan (ch->tpriv).
 */
#ifndef _KMCL_HV_CHAN_H
#define _KMCL_HV_CHAN_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "io.h"
#include "kmcl_hv.h"

struct kmcl_channel;
struct page;
struct kmcl_transport;

/* VmbChannelSetInterruptLatency below this (100 ns units) = low latency. */
#define KMCL_HV_LOW_LATENCY	1000U

/*
 * Most 4 KiB pages in one GPADL: hv_vmbus describes a GPADL by one range
 * whose length (range header and PFNs) it stores in a u16.
 */
#define KMCL_HV_GPADL_MAX_PAGES	((U16_MAX - 8U) / 8U)

/**
 * struct kmcl_hv_xport - one registered hv transport
 * @t: what the core knows (t.priv points at @hv).
 * @hv: the offers and watches.
 */
struct kmcl_hv_xport {
	struct kmcl_transport t;
	struct kmcl_hv hv;
};

/**
 * struct kmcl_hv_chan - kmcl_hv's state of one KMCL channel
 * @ch: the channel.
 * @hv: the instance serving it.
 * @parent: the VSC's own hv_device (ParentDeviceObject), or NULL.
 * @w: the watch.
 * @io: the open VMBus channel.
 * @cb_lock: protects @forwarding against the channel callback.
 * @forwarding: the channel callback wakes the core (attach .. disconnect).
 * @gpadl_lock: serialises GPADL calls with closing the VMBus channel.
 * @gpadls: GPADLs established on the host and not torn down yet
 *	(struct kmcl_hv_chan_gpadl). @gpadl_lock.
 * @gpadl_ok: @io.c may be used for vmbus_teardown_gpadl() (attach ..
 *	release, also after vmbus_close()). @gpadl_lock.
 * @dev_lock: protects @hdev for callers outside the state machine.
 * @hdev: the device the channel is attached to (attach .. release), for
 *	GetTargetDeviceObject and SetInterruptLatency. @dev_lock.
 * @io_wq: woken when @io_gen changes or the channel is rescinded.
 * @io_gen: count of vmbus_close() calls: memory lent while the channel was
 *	open is back once it changed.
 * @watching: @w was started and not ended. state_mutex.
 * @attached: attach succeeded and release did not run yet. state_mutex.
 * @io_open: @io is open. state_mutex and @gpadl_lock to change.
 * @withdrawn: the driver disabled the channel. state_mutex.
 * @reopening: hibernation closes the channel; keep the watch.
 * @low_latency: the driver asked for a latency below KMCL_HV_LOW_LATENCY.
 * @mmio: the MMIO range reserved while open, or NULL.
 * @mmio_start: its start, for any-context readers (0 if none).
 * @mmio_size: its size (0 if none).
 * @sub: a KMCL subchannel (subchan.c): no watch; it opens a subchannel
 *	offer of its primary's VMBus channel.
 * @sc_primary: subchannel: its primary's state. kmcl_hv_sc_lock.
 * @sc: subchannel: the offer it took (attach .. release). kmcl_hv_sc_lock.
 * @sc_node: subchannel: on @sc_primary's @sc_waiters while enabled;
 *	primary: on the list of open primaries while @sc_listed.
 * @sc_listed: primary: its VMBus channel is open and takes offers.
 * @sc_offers: primary: subchannel offers the host made (struct
 *	kmcl_hv_sc). kmcl_hv_sc_lock.
 * @sc_waiters: primary: its enabled KMCL subchannels. kmcl_hv_sc_lock.
 * @sc_rejected: primary: offers refused as duplicates.
 * @sc_gone_work: subchannel: a send found it rescinded; close it.
 */
struct kmcl_hv_chan {
	struct kmcl_channel *ch;
	struct kmcl_hv *hv;
	struct hv_device *parent;
	struct kmcl_hv_watch w;
	struct kmcl_hv_io io;
	spinlock_t cb_lock;	/* see above */
	bool forwarding;
	struct mutex gpadl_lock;	/* see above */
	struct list_head gpadls;
	bool gpadl_ok;
	spinlock_t dev_lock;	/* see above */
	struct hv_device *hdev;
	wait_queue_head_t io_wq;
	unsigned int io_gen;
	bool watching;
	bool attached;
	bool io_open;
	bool withdrawn;
	bool reopening;
	bool low_latency;
	struct resource *mmio;
	u64 mmio_start;
	u64 mmio_size;
	bool sub;
	struct kmcl_hv_chan *sc_primary;
	struct kmcl_hv_sc *sc;
	struct list_head sc_node;
	bool sc_listed;
	struct list_head sc_offers;
	struct list_head sc_waiters;
	unsigned int sc_rejected;
	struct work_struct sc_gone_work;
};

/* subchan.c: subchannels (see there). */
struct kmcl_hv_sc;
int kmcl_hv_sub_enable(struct kmcl_hv_chan *hc);
void kmcl_hv_sub_withdraw(struct kmcl_hv_chan *hc);
int kmcl_hv_sub_attach(struct kmcl_hv_chan *hc);
void kmcl_hv_sub_release(struct kmcl_hv_chan *hc);
void kmcl_hv_sub_primary_open(struct kmcl_hv_chan *hc);
void kmcl_hv_sub_primary_closing(struct kmcl_hv_chan *hc);
void kmcl_hv_sub_primary_closed(struct kmcl_hv_chan *hc);
unsigned long kmcl_hv_sub_rejected(void);
void kmcl_hv_sub_gone_work(struct work_struct *work);

extern const struct kmcl_transport_ops kmcl_hv_transport_ops;

/* gpadl_buf.c: memory for the GPADLs KMCL owns. */
struct kmcl_gpadl;
struct kmcl_hv_buffer;
int kmcl_hv_gpadl_alloc(struct kmcl_channel *ch, struct kmcl_gpadl *g,
			u32 size);
struct kmcl_hv_buffer *kmcl_hv_gpadl_buffer(struct kmcl_gpadl *g);

/* cvm.c: confidential VMs (the core's bounce pool, kmcl/bounce.h). */
bool kmcl_hv_cvm_isolated(struct kmcl_channel *ch);
int kmcl_hv_cvm_share(struct kmcl_channel *ch, struct page **pages, u32 n);
int kmcl_hv_cvm_unshare(struct kmcl_channel *ch, struct page **pages, u32 n);

void kmcl_hv_xport_init(struct kmcl_hv_xport *x, const struct kmcl_hv_ops *ops,
			struct module *owner);
int kmcl_hv_xport_register(struct kmcl_hv_xport *x);
void kmcl_hv_xport_unregister(struct kmcl_hv_xport *x);

#endif /* _KMCL_HV_CHAN_H */
