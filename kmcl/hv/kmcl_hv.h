/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmcl_hv internals: offers (the host's VMBus devices) and the watches of
 * client endpoints that wait for them.
 *
 * Offers
 * ------
 * For each interface type a client endpoint asks for, kmcl_hv registers a
 * VMBus driver named "kmcl_hv-<type>" whose id table holds that type (built
 * at run time). hv_vmbus probes it for every device of the type that no
 * other driver holds, now and when the host hot-adds one; each probed
 * device becomes a free offer. hv_vmbus does not match instances, so
 * kmcl_hv does: a watch with an instance takes only that instance. The
 * driver stays registered while at least one watch uses its type; when the
 * last one ends it is unregistered (from a work item), which unbinds the
 * devices it held so that other drivers can have them again.
 *
 * A VSC that registered its own hv_driver may instead name its hv_device
 * as the channel's parent: the watch then binds to that device directly
 * (an external offer), and kmcl_hv follows the device through the bus's
 * unbind notification.
 *
 * Watches
 * -------
 * A watch is one client endpoint's claim: it waits (FIFO per type) until a
 * matching free offer exists, is then bound to it (ops->bound), and keeps
 * it until kmcl_hv_watch_end(). When the offer goes away (rescind, unbind,
 * driver unregistration) ops->revoke asks the user to close the channel;
 * the device's removal waits until kmcl_hv_watch_end() has run, so the
 * user may use the hv_device and its channel until then. Hibernation:
 * ops->suspend asks the user to close the VMBus channel (and report it
 * with kmcl_hv_watch_set_open()) without ending the watch; ops->resume
 * says it may be opened again.
 *
 * Locking: kmcl_hv.lock (a mutex) guards types' lists and counts, offers,
 * watches and bindings. The watch ops are called with it held, so they
 * must only schedule work (never sleep, never call back into kmcl_hv).
 * A type's reg_lock serialises registering and unregistering its driver
 * and is taken outside kmcl_hv.lock; probe and remove take only
 * kmcl_hv.lock, so they may run inside driver (un)registration.
 */
#ifndef _KMCL_HV_KMCL_HV_H
#define _KMCL_HV_KMCL_HV_H

#include <linux/completion.h>
#include <linux/list.h>
#include <linux/mod_devicetable.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/types.h>
#include <linux/uuid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "hv_ops.h"

struct kmcl_hv_watch;

/* Length of "kmcl_hv-" plus a GUID in text form plus the NUL. */
#define KMCL_HV_DRV_NAME_LEN	48

/* How long suspend waits for a channel to close before failing. */
#define KMCL_HV_SUSPEND_TIMEOUT	(30 * HZ)
/* How often a removal waiting for a channel to close says so. */
#define KMCL_HV_REMOVE_NAG	(30 * HZ)

/**
 * struct kmcl_hv - one instance of the hv transport
 * @ops: the way to hv_vmbus (the real one, or the KUnit model).
 * @lock: see "Locking" above.
 * @types: struct kmcl_hv_type, one per interface type ever asked for.
 * @external: external offers (parent-bound watches).
 * @unbind_nb: bus notifier for external offers.
 * @nb_dev: device whose bus @unbind_nb is registered on (a reference is
 *	held), or NULL.
 * @idle_wq: woken when an offer's channel closes or its watch ends.
 * @no_vmbus: driver registration found no VMBus (logged once).
 * @dying: kmcl_hv_destroy() is running; no new types.
 */
struct kmcl_hv {
	const struct kmcl_hv_ops *ops;
	struct mutex lock;	/* see above */
	struct list_head types;
	struct list_head external;
	struct notifier_block unbind_nb;
	struct device *nb_dev;
	wait_queue_head_t idle_wq;
	bool no_vmbus;
	bool dying;
};

/**
 * struct kmcl_hv_type - the VMBus driver kmcl_hv runs for one type
 * @node: in kmcl_hv.types.
 * @hv: the instance.
 * @type: the interface type.
 * @name: the driver's name, "kmcl_hv-<type>".
 * @ids: id table: @type, then the terminator.
 * @drv: the driver.
 * @reg_lock: serialises (un)registration of @drv; outside kmcl_hv.lock.
 * @registered: @drv is registered. @reg_lock.
 * @refs: watches using this type. kmcl_hv.lock.
 * @offers: free and bound offers of this type. kmcl_hv.lock.
 * @waiters: unbound watches, oldest first. kmcl_hv.lock.
 * @unreg_work: unregisters @drv once @refs dropped to 0.
 */
struct kmcl_hv_type {
	struct list_head node;
	struct kmcl_hv *hv;
	guid_t type;
	char name[KMCL_HV_DRV_NAME_LEN];
	struct hv_vmbus_device_id ids[2];
	struct hv_driver drv;
	struct mutex reg_lock;	/* see above */
	bool registered;
	unsigned int refs;
	struct list_head offers;
	struct list_head waiters;
	struct work_struct unreg_work;
};

/**
 * struct kmcl_hv_offer - a VMBus device kmcl_hv may open
 * @node: in kmcl_hv_type.offers or kmcl_hv.external.
 * @type: the type whose driver probed it; NULL for an external offer.
 * @hdev: the device.
 * @watch: the bound watch, NULL while free.
 * @going: the device is being removed or unbound.
 * @suspended: between the driver's suspend and resume.
 * @open: the bound watch's VMBus channel is being opened or is open
 *	(kmcl_hv_watch_set_open()).
 * @released: completed when the bound watch ends after @going was set.
 */
struct kmcl_hv_offer {
	struct list_head node;
	struct kmcl_hv_type *type;
	struct hv_device *hdev;
	struct kmcl_hv_watch *watch;
	bool going;
	bool suspended;
	bool open;
	struct completion released;
};

/**
 * struct kmcl_hv_watch_ops - what a watch's user is told
 * @bound: a matching offer was bound to the watch: start opening it.
 * @revoke: the offer is going away: close the channel and end the watch.
 * @suspend: hibernation: close the VMBus channel, keep the watch.
 * @resume: the channel may be opened again.
 *
 * All are called with kmcl_hv.lock held: schedule work, nothing more.
 */
struct kmcl_hv_watch_ops {
	void (*bound)(struct kmcl_hv_watch *w);
	void (*revoke)(struct kmcl_hv_watch *w);
	void (*suspend)(struct kmcl_hv_watch *w);
	void (*resume)(struct kmcl_hv_watch *w);
};

/**
 * struct kmcl_hv_watch - a client endpoint's claim on an offer
 * @ops: callbacks (set by the user before kmcl_hv_watch_start()).
 * @type: interface type wanted.
 * @instance: instance wanted, unless @any_instance.
 * @any_instance: any instance of @type will do.
 * @parent: for a parent-bound watch, the VSC's own hv_device; else NULL.
 * @hv: the instance, while started.
 * @t: the type held (a reference), or NULL.
 * @offer: the bound offer, or NULL.
 * @node: in kmcl_hv_type.waiters while @waiting.
 * @waiting: on the waiters list.
 */
struct kmcl_hv_watch {
	const struct kmcl_hv_watch_ops *ops;
	guid_t type;
	guid_t instance;
	bool any_instance;
	struct hv_device *parent;

	struct kmcl_hv *hv;
	struct kmcl_hv_type *t;
	struct kmcl_hv_offer *offer;
	struct list_head node;
	bool waiting;
};

/* What kmcl_hv_claim() answers. */
enum kmcl_hv_claim {
	KMCL_HV_CLAIM_NONE,	/* not for the hv transport */
	KMCL_HV_CLAIM_DEFAULT,	/* a client with no VMBus device of its own */
	KMCL_HV_CLAIM_DEVICE,	/* the parent is a VMBus device */
};

/*
 * Test points: instants at which the KUnit suite kmcl_hv_races lands a
 * rescind, a suspend or a close, to order a race without luck. The KUnit
 * module builds its own copies of offer.c and chan.c with
 * kmcl_hv_test_point() defined (tests/hv_offer.c, tests/hv_chan.c); in
 * kmcl_hv.ko it is nothing.
 * @KMCL_HV_TP_WATCH_DEVICE: kmcl_hv_watch_device() read the watch's offer
 *	and is about to read its device (@obj: the watch).
 * @KMCL_HV_TP_OPEN_CLAIMED: attach found the device usable, before
 *	vmbus_open() (@obj: the hv_device).
 * @KMCL_HV_TP_GPADL_REVOKE: a GPADL out of the core's table is about to be
 *	torn down (@obj: the struct kmcl_gpadl).
 * @KMCL_HV_TP_LATENCY_SET: the kernel answered the low-latency switch
 *	(@obj: that int, which a test may change to play a kernel without
 *	channel->low_latency). Atomic context.
 */
enum kmcl_hv_tp {
	KMCL_HV_TP_WATCH_DEVICE,
	KMCL_HV_TP_OPEN_CLAIMED,
	KMCL_HV_TP_GPADL_REVOKE,
	KMCL_HV_TP_LATENCY_SET,
};

#ifndef kmcl_hv_test_point
static inline void kmcl_hv_test_point(enum kmcl_hv_tp tp, void *obj)
{
}
#endif

void kmcl_hv_init(struct kmcl_hv *hv, const struct kmcl_hv_ops *ops);
void kmcl_hv_destroy(struct kmcl_hv *hv);
int kmcl_hv_claim(struct kmcl_hv *hv, struct device *parent, bool server,
		  struct hv_device **hdev);

int kmcl_hv_watch_start(struct kmcl_hv *hv, struct kmcl_hv_watch *w);
void kmcl_hv_watch_cancel(struct kmcl_hv_watch *w);
void kmcl_hv_watch_end(struct kmcl_hv_watch *w);
struct hv_device *kmcl_hv_watch_device(struct kmcl_hv_watch *w);
bool kmcl_hv_watch_usable(struct kmcl_hv_watch *w);
bool kmcl_hv_watch_begin_open(struct kmcl_hv_watch *w);
bool kmcl_hv_watch_going(struct kmcl_hv_watch *w);
void kmcl_hv_watch_set_open(struct kmcl_hv_watch *w, bool open);

#endif /* _KMCL_HV_KMCL_HV_H */
