// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_hv offers: VMBus drivers registered per interface type, the
 * devices they probe, and the watches of client endpoints waiting for
 * them. See kmcl_hv.h for the model and the locking rules.
 */
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kmcl_hv.h"

static int kmcl_hv_unbind_event(struct notifier_block *nb,
				unsigned long action, void *data);

/**
 * kmcl_hv_init() - set up an instance of the hv transport
 * @hv: the instance (zeroed or not).
 * @ops: how to reach hv_vmbus.
 */
void kmcl_hv_init(struct kmcl_hv *hv, const struct kmcl_hv_ops *ops)
{
	memset(hv, 0, sizeof(*hv));
	hv->ops = ops;
	mutex_init(&hv->lock);
	INIT_LIST_HEAD(&hv->types);
	INIT_LIST_HEAD(&hv->external);
	hv->unbind_nb.notifier_call = kmcl_hv_unbind_event;
	init_waitqueue_head(&hv->idle_wq);
}

/* --- binding ------------------------------------------------------------ */

static bool kmcl_hv_matches(const struct kmcl_hv_watch *w,
			    const struct hv_device *hdev)
{
	return w->any_instance || guid_equal(&w->instance, &hdev->dev_instance);
}

/* A rescinded channel cannot be opened, even before its removal runs. */
static bool kmcl_hv_offer_free(const struct kmcl_hv_offer *offer)
{
	return !offer->watch && !offer->going && !offer->suspended &&
	       !READ_ONCE(offer->hdev->channel->rescind);
}

/* Bind @w to @offer and tell its user; kmcl_hv.lock held. */
static void kmcl_hv_bind(struct kmcl_hv_watch *w, struct kmcl_hv_offer *offer)
{
	lockdep_assert_held(&w->hv->lock);
	if (w->waiting) {
		list_del_init(&w->node);
		w->waiting = false;
	}
	w->offer = offer;
	WRITE_ONCE(offer->watch, w);
	WRITE_ONCE(offer->open, false);
	w->ops->bound(w);
}

/* Give a free typed offer to the first matching waiter; lock held. */
static void kmcl_hv_offer_serve(struct kmcl_hv_offer *offer)
{
	struct kmcl_hv_watch *w;

	if (!offer->type || !kmcl_hv_offer_free(offer))
		return;
	list_for_each_entry(w, &offer->type->waiters, node) {
		if (kmcl_hv_matches(w, offer->hdev)) {
			kmcl_hv_bind(w, offer);
			return;
		}
	}
}

/* Wait until the watch bound to @offer has ended; nags while it lasts. */
static void kmcl_hv_wait_released(struct kmcl_hv_offer *offer)
{
	while (!wait_for_completion_timeout(&offer->released,
					    KMCL_HV_REMOVE_NAG))
		dev_warn(&offer->hdev->device,
			 "kmcl_hv: waiting for its KMCL channel to close\n");
}

/* --- per-type drivers --------------------------------------------------- */

static struct kmcl_hv_type *kmcl_hv_type_of(struct hv_device *hdev)
{
	struct hv_driver *drv;

	if (!hdev->device.driver)
		return NULL;
	drv = container_of(hdev->device.driver, struct hv_driver, driver);
	return container_of(drv, struct kmcl_hv_type, drv);
}

static int kmcl_hv_probe(struct hv_device *hdev,
			 const struct hv_vmbus_device_id *id)
{
	struct kmcl_hv_type *t = kmcl_hv_type_of(hdev);
	struct kmcl_hv_offer *offer;
	struct kmcl_hv *hv;

	/* A driver_override or new_id can send us a device of another type. */
	if (!t || !guid_equal(&hdev->dev_type, &t->type))
		return -ENODEV;
	hv = t->hv;
	offer = kzalloc(sizeof(*offer), GFP_KERNEL);
	if (!offer)
		return -ENOMEM;
	offer->type = t;
	offer->hdev = hdev;
	init_completion(&offer->released);

	mutex_lock(&hv->lock);
	list_add_tail(&offer->node, &t->offers);
	hv_set_drvdata(hdev, offer);
	kmcl_hv_offer_serve(offer);
	mutex_unlock(&hv->lock);
	return 0;
}

/**
 * kmcl_hv_offer_remove() - the device goes away (rescind, unbind, driver
 *	unregistration)
 * @hdev: a device probed by one of our drivers.
 *
 * A bound watch is told to close its channel; this waits until it has
 * ended, so the device and its channel stay valid for the watch's user
 * until then. Called through kmcl_hv_driver_remove() (compat.h), in
 * process context.
 */
void kmcl_hv_offer_remove(struct hv_device *hdev)
{
	struct kmcl_hv_offer *offer = hv_get_drvdata(hdev);
	struct kmcl_hv *hv;
	bool bound;

	if (!offer || !offer->type)
		return;
	hv = offer->type->hv;
	mutex_lock(&hv->lock);
	offer->going = true;
	bound = offer->watch;
	if (bound)
		offer->watch->ops->revoke(offer->watch);
	mutex_unlock(&hv->lock);

	if (bound)
		kmcl_hv_wait_released(offer);

	mutex_lock(&hv->lock);
	list_del(&offer->node);
	mutex_unlock(&hv->lock);
	hv_set_drvdata(hdev, NULL);
	kfree(offer);
}

static bool kmcl_hv_offer_idle(const struct kmcl_hv_offer *offer)
{
	return !READ_ONCE(offer->watch) || !READ_ONCE(offer->open);
}

/*
 * Hibernation: the bound channel (if open) closes, but keeps its watch, so
 * it can open the same device again after resume.
 */
static int kmcl_hv_suspend(struct hv_device *hdev)
{
	struct kmcl_hv_offer *offer = hv_get_drvdata(hdev);
	struct kmcl_hv *hv;

	if (!offer || !offer->type)
		return 0;
	hv = offer->type->hv;
	mutex_lock(&hv->lock);
	offer->suspended = true;
	if (offer->watch && offer->open)
		offer->watch->ops->suspend(offer->watch);
	mutex_unlock(&hv->lock);

	if (wait_event_timeout(hv->idle_wq, kmcl_hv_offer_idle(offer),
			       KMCL_HV_SUSPEND_TIMEOUT))
		return 0;

	dev_err(&hdev->device,
		"kmcl_hv: KMCL channel did not close; hibernation refused\n");
	mutex_lock(&hv->lock);
	offer->suspended = false;
	if (offer->watch)
		offer->watch->ops->resume(offer->watch);
	mutex_unlock(&hv->lock);
	return -EBUSY;
}

static int kmcl_hv_resume(struct hv_device *hdev)
{
	struct kmcl_hv_offer *offer = hv_get_drvdata(hdev);
	struct kmcl_hv *hv;

	if (!offer || !offer->type)
		return 0;
	hv = offer->type->hv;
	mutex_lock(&hv->lock);
	offer->suspended = false;
	if (offer->watch)
		offer->watch->ops->resume(offer->watch);
	else
		kmcl_hv_offer_serve(offer);
	mutex_unlock(&hv->lock);
	return 0;
}

/* (Re)build the driver before each registration. */
static void kmcl_hv_type_fill_driver(struct kmcl_hv_type *t)
{
	memset(&t->drv, 0, sizeof(t->drv));
	memset(t->ids, 0, sizeof(t->ids));
	guid_copy(&t->ids[0].guid, &t->type);
	t->drv.name = t->name;
	t->drv.id_table = t->ids;
	t->drv.probe = kmcl_hv_probe;
	t->drv.remove = kmcl_hv_driver_remove;
	t->drv.suspend = kmcl_hv_suspend;
	t->drv.resume = kmcl_hv_resume;
}

static void kmcl_hv_type_unreg_work(struct work_struct *work)
{
	struct kmcl_hv_type *t = container_of(work, struct kmcl_hv_type,
					      unreg_work);
	struct kmcl_hv *hv = t->hv;
	bool idle;

	mutex_lock(&t->reg_lock);
	mutex_lock(&hv->lock);
	idle = !t->refs;
	mutex_unlock(&hv->lock);
	if (idle && t->registered) {
		hv->ops->driver_unregister(&t->drv);
		t->registered = false;
	}
	mutex_unlock(&t->reg_lock);
}

/* Find or create the type, taking a reference; kmcl_hv.lock held. */
static struct kmcl_hv_type *kmcl_hv_type_get(struct kmcl_hv *hv,
					     const guid_t *type)
{
	struct kmcl_hv_type *t;

	lockdep_assert_held(&hv->lock);
	list_for_each_entry(t, &hv->types, node) {
		if (guid_equal(&t->type, type)) {
			t->refs++;
			return t;
		}
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	t->hv = hv;
	guid_copy(&t->type, type);
	snprintf(t->name, sizeof(t->name), "kmcl_hv-%pUl", type);
	mutex_init(&t->reg_lock);
	INIT_LIST_HEAD(&t->offers);
	INIT_LIST_HEAD(&t->waiters);
	INIT_WORK(&t->unreg_work, kmcl_hv_type_unreg_work);
	t->refs = 1;
	list_add_tail(&t->node, &hv->types);
	return t;
}

/* Drop a reference; the driver goes when the last one does. Lock held. */
static void kmcl_hv_type_put(struct kmcl_hv_type *t)
{
	lockdep_assert_held(&t->hv->lock);
	if (!WARN_ON_ONCE(!t->refs) && !--t->refs)
		queue_work(system_long_wq, &t->unreg_work);
}

/* Register @t's driver unless it is; reg_lock held. */
static int kmcl_hv_type_register(struct kmcl_hv *hv, struct kmcl_hv_type *t)
{
	int ret;

	lockdep_assert_held(&t->reg_lock);
	if (t->registered)
		return 0;
	kmcl_hv_type_fill_driver(t);
	ret = hv->ops->driver_register(&t->drv);
	if (!ret) {
		t->registered = true;
		return 0;
	}
	if (ret != -ENODEV)
		return ret;
	/*
	 * hv_vmbus is there but found no VMBus (not a Hyper-V guest): no
	 * offer will ever come. The watch waits, as on a guest whose host
	 * never offers the type.
	 */
	mutex_lock(&hv->lock);
	if (!hv->no_vmbus)
		pr_info("no VMBus on this machine: client channels wait for offers that will not come\n");
	hv->no_vmbus = true;
	mutex_unlock(&hv->lock);
	return 0;
}

/* --- external offers (the VSC's own hv_device) ------------------------- */

static int kmcl_hv_unbind_event(struct notifier_block *nb,
				unsigned long action, void *data)
{
	struct kmcl_hv *hv = container_of(nb, struct kmcl_hv, unbind_nb);
	struct kmcl_hv_offer *offer, *found = NULL;
	struct device *dev = data;

	if (action != BUS_NOTIFY_UNBIND_DRIVER)
		return NOTIFY_DONE;
	mutex_lock(&hv->lock);
	list_for_each_entry(offer, &hv->external, node) {
		if (&offer->hdev->device == dev && offer->watch &&
		    !offer->going) {
			found = offer;
			break;
		}
	}
	if (found) {
		found->going = true;
		found->watch->ops->revoke(found->watch);
	}
	mutex_unlock(&hv->lock);
	if (!found)
		return NOTIFY_DONE;

	/* The VSC's remove runs after us: the channel must be closed first. */
	kmcl_hv_wait_released(found);
	mutex_lock(&hv->lock);
	list_del(&found->node);
	mutex_unlock(&hv->lock);
	kfree(found);
	return NOTIFY_OK;
}

static int kmcl_hv_watch_start_external(struct kmcl_hv *hv,
					struct kmcl_hv_watch *w)
{
	struct hv_device *hdev = w->parent;
	struct kmcl_hv_offer *offer, *other;
	struct device *nb_dev;
	int ret = 0;

	if (!guid_is_null(&w->type) && !guid_equal(&w->type, &hdev->dev_type))
		return -EINVAL;
	offer = kzalloc(sizeof(*offer), GFP_KERNEL);
	if (!offer)
		return -ENOMEM;
	offer->hdev = hdev;
	init_completion(&offer->released);

	/* Follow unbinds before the device can be used. */
	mutex_lock(&hv->lock);
	nb_dev = hv->nb_dev;
	mutex_unlock(&hv->lock);
	if (!nb_dev) {
		/* Registered outside hv->lock: the notifier takes it. */
		ret = hv->ops->watch_unbind(&hv->unbind_nb, &hdev->device);
		if (ret) {
			kfree(offer);
			return ret;
		}
		mutex_lock(&hv->lock);
		if (hv->nb_dev) {
			nb_dev = &hdev->device;	/* lost a race: undo ours */
		} else {
			hv->nb_dev = get_device(&hdev->device);
			nb_dev = NULL;
		}
		mutex_unlock(&hv->lock);
		if (nb_dev)
			hv->ops->unwatch_unbind(&hv->unbind_nb, nb_dev);
	}

	mutex_lock(&hv->lock);
	list_for_each_entry(other, &hv->external, node) {
		if (other->hdev == hdev) {
			ret = -EBUSY;
			break;
		}
	}
	if (hv->dying)
		ret = -ENODEV;
	if (!ret) {
		list_add_tail(&offer->node, &hv->external);
		kmcl_hv_bind(w, offer);
	}
	mutex_unlock(&hv->lock);
	if (ret)
		kfree(offer);
	return ret;
}

/* --- watches ------------------------------------------------------------ */

/**
 * kmcl_hv_watch_start() - start waiting for (or bind) a matching offer
 * @hv: the instance.
 * @w: the watch, with @ops, @type, @instance, @any_instance and @parent
 *	set. Its other fields are initialised here.
 *
 * A parent-bound watch (@parent set) is bound to that device before this
 * returns. Otherwise the type's driver is registered if needed (which
 * probes existing devices), and the watch takes the first free matching
 * offer or waits for one; ops->bound runs when it is bound (maybe before
 * this returns). Where there is no VMBus the watch simply waits. Process
 * context.
 *
 * Return: 0; -ENOMEM; -EBUSY if @parent is in use by another watch;
 * -EINVAL if @parent's type is not @type; -ENODEV while the instance is
 * being destroyed; or the driver core's error from registration.
 */
int kmcl_hv_watch_start(struct kmcl_hv *hv, struct kmcl_hv_watch *w)
{
	struct kmcl_hv_offer *offer, *found = NULL;
	struct kmcl_hv_type *t;
	int ret;

	might_sleep();
	w->hv = hv;
	w->t = NULL;
	w->offer = NULL;
	w->waiting = false;
	INIT_LIST_HEAD(&w->node);
	if (w->parent)
		return kmcl_hv_watch_start_external(hv, w);

	mutex_lock(&hv->lock);
	t = hv->dying ? NULL : kmcl_hv_type_get(hv, &w->type);
	ret = hv->dying ? -ENODEV : t ? 0 : -ENOMEM;
	mutex_unlock(&hv->lock);
	if (ret)
		return ret;

	mutex_lock(&t->reg_lock);
	ret = kmcl_hv_type_register(hv, t);
	mutex_lock(&hv->lock);
	if (ret) {
		kmcl_hv_type_put(t);
	} else {
		w->t = t;
		list_for_each_entry(offer, &t->offers, node) {
			if (kmcl_hv_offer_free(offer) &&
			    kmcl_hv_matches(w, offer->hdev)) {
				found = offer;
				break;
			}
		}
		if (found) {
			kmcl_hv_bind(w, found);
		} else {
			list_add_tail(&w->node, &t->waiters);
			w->waiting = true;
		}
	}
	mutex_unlock(&hv->lock);
	mutex_unlock(&t->reg_lock);
	return ret;
}

/**
 * kmcl_hv_watch_cancel() - stop waiting
 * @w: a started watch.
 *
 * A waiting watch leaves the queue (and drops its type); a bound one is
 * left alone (its user closes the channel, then calls
 * kmcl_hv_watch_end()). Idempotent. Process context.
 */
void kmcl_hv_watch_cancel(struct kmcl_hv_watch *w)
{
	struct kmcl_hv *hv = w->hv;

	if (!hv)
		return;
	mutex_lock(&hv->lock);
	if (w->waiting) {
		list_del_init(&w->node);
		w->waiting = false;
	}
	if (w->t && !w->offer) {
		kmcl_hv_type_put(w->t);
		w->t = NULL;
	}
	mutex_unlock(&hv->lock);
}

/**
 * kmcl_hv_watch_end() - end a watch after its channel was closed
 * @w: a started watch (waiting, bound or ended already).
 *
 * The bound offer becomes free again (and goes to the next waiter), or,
 * if its device is going away, the removal waiting for this may go on.
 * The VMBus channel must be closed already. Idempotent. Process context.
 */
void kmcl_hv_watch_end(struct kmcl_hv_watch *w)
{
	struct kmcl_hv *hv = w->hv;
	struct kmcl_hv_offer *offer;

	if (!hv)
		return;
	mutex_lock(&hv->lock);
	if (w->waiting) {
		list_del_init(&w->node);
		w->waiting = false;
	}
	offer = w->offer;
	if (offer) {
		w->offer = NULL;
		WRITE_ONCE(offer->watch, NULL);
		WRITE_ONCE(offer->open, false);
		if (offer->going) {
			complete(&offer->released);
		} else if (!offer->type) {
			list_del(&offer->node);
			kfree(offer);
		} else {
			kmcl_hv_offer_serve(offer);
		}
	}
	if (w->t) {
		kmcl_hv_type_put(w->t);
		w->t = NULL;
	}
	mutex_unlock(&hv->lock);
	wake_up_all(&hv->idle_wq);
}

/**
 * kmcl_hv_watch_device() - the device a watch is bound to
 * @w: the watch.
 *
 * Only the watch's user may call this; the device stays valid until it
 * calls kmcl_hv_watch_end().
 *
 * Return: the hv_device, or NULL if the watch is not bound.
 */
struct hv_device *kmcl_hv_watch_device(struct kmcl_hv_watch *w)
{
	struct kmcl_hv_offer *offer = READ_ONCE(w->offer);

	kmcl_hv_test_point(KMCL_HV_TP_WATCH_DEVICE, w);
	return offer ? offer->hdev : NULL;
}

/**
 * kmcl_hv_watch_usable() - may the bound device be opened now?
 * @w: the watch.
 *
 * Return: true if bound, not going away and not suspended.
 */
bool kmcl_hv_watch_usable(struct kmcl_hv_watch *w)
{
	bool ok;

	if (!w->hv)
		return false;
	mutex_lock(&w->hv->lock);
	ok = w->offer && !w->offer->going && !w->offer->suspended;
	mutex_unlock(&w->hv->lock);
	return ok;
}

/**
 * kmcl_hv_watch_begin_open() - claim the bound device for vmbus_open()
 * @w: the watch.
 *
 * kmcl_hv_watch_usable() and kmcl_hv_watch_set_open(@w, true) in one lock
 * section: a suspend either comes first (and this says no) or sees the
 * device open (and waits for kmcl_hv_watch_set_open(@w, false)).
 *
 * Return: true if the device may be opened now and is marked open.
 */
bool kmcl_hv_watch_begin_open(struct kmcl_hv_watch *w)
{
	bool ok;

	if (!w->hv)
		return false;
	mutex_lock(&w->hv->lock);
	ok = w->offer && !w->offer->going && !w->offer->suspended;
	if (ok)
		WRITE_ONCE(w->offer->open, true);
	mutex_unlock(&w->hv->lock);
	return ok;
}

/**
 * kmcl_hv_watch_going() - is the bound device being removed?
 * @w: the watch.
 *
 * Return: true if bound to a device that is going away (rescind, unbind);
 * its removal waits for kmcl_hv_watch_end().
 */
bool kmcl_hv_watch_going(struct kmcl_hv_watch *w)
{
	bool going;

	if (!w->hv)
		return false;
	mutex_lock(&w->hv->lock);
	going = w->offer && w->offer->going;
	mutex_unlock(&w->hv->lock);
	return going;
}

/**
 * kmcl_hv_watch_set_open() - report whether the VMBus channel is in use
 * @w: a bound watch.
 * @open: true before calling vmbus_open(), false once vmbus_open() failed
 *	or vmbus_close() returned.
 *
 * The driver's suspend waits for false (after asking the user to close).
 */
void kmcl_hv_watch_set_open(struct kmcl_hv_watch *w, bool open)
{
	if (!w->hv)
		return;
	mutex_lock(&w->hv->lock);
	if (w->offer)
		WRITE_ONCE(w->offer->open, open);
	mutex_unlock(&w->hv->lock);
	wake_up_all(&w->hv->idle_wq);
}

/**
 * kmcl_hv_claim() - should a new channel use this instance?
 * @hv: the instance.
 * @parent: the channel's ParentDeviceObject.
 * @server: server endpoint.
 * @hdev: receives the VMBus device @parent is, or NULL.
 *
 * Return: KMCL_HV_CLAIM_DEVICE when @parent is a VMBus device (the VSC's
 * own), KMCL_HV_CLAIM_DEFAULT for other clients, KMCL_HV_CLAIM_NONE for
 * servers, or -EOPNOTSUPP for a server whose parent is a VMBus device (a
 * guest cannot offer channels).
 */
int kmcl_hv_claim(struct kmcl_hv *hv, struct device *parent, bool server,
		  struct hv_device **hdev)
{
	*hdev = parent ? hv->ops->device_of(parent) : NULL;
	if (*hdev)
		return server ? -EOPNOTSUPP : KMCL_HV_CLAIM_DEVICE;
	return server ? KMCL_HV_CLAIM_NONE : KMCL_HV_CLAIM_DEFAULT;
}

/**
 * kmcl_hv_destroy() - tear an instance down
 * @hv: the instance; every watch must have ended.
 *
 * Unregisters every driver it registered (devices go back to the bus) and
 * stops following unbinds. Process context.
 */
void kmcl_hv_destroy(struct kmcl_hv *hv)
{
	struct kmcl_hv_type *t, *tmp;
	struct device *nb_dev;
	unsigned int leak;

	might_sleep();
	mutex_lock(&hv->lock);
	hv->dying = true;
	nb_dev = hv->nb_dev;
	hv->nb_dev = NULL;
	mutex_unlock(&hv->lock);

	list_for_each_entry_safe(t, tmp, &hv->types, node) {
		flush_work(&t->unreg_work);
		mutex_lock(&t->reg_lock);
		if (t->registered) {
			hv->ops->driver_unregister(&t->drv);
			t->registered = false;
		}
		mutex_unlock(&t->reg_lock);
		mutex_lock(&hv->lock);
		list_del(&t->node);
		leak = t->refs;
		mutex_unlock(&hv->lock);
		if (leak) {
			/* A watch still points here: leak rather than free. */
			pr_err("type %pUl still has %u watches at teardown\n",
			       &t->type, leak);
			continue;
		}
		mutex_destroy(&t->reg_lock);
		kfree(t);
	}
	if (nb_dev) {
		hv->ops->unwatch_unbind(&hv->unbind_nb, nb_dev);
		put_device(nb_dev);
	}
	if (!list_empty(&hv->external))
		pr_err("external offers left at teardown\n");
	mutex_destroy(&hv->lock);
}
