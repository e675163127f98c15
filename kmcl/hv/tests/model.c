// SPDX-License-Identifier: GPL-2.0-only
/*
 * A model of hv_vmbus for the kmcl_hv KUnit suite; see model.h for what it
 * models and where each behaviour comes from. Ring code follows
 * drivers/hv/ring_buffer.c of 6.12 step by step, except that the rings are
 * not mapped twice, so the copies here wrap around by hand.
 */
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/smp.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>

#include "model.h"

#ifndef KMCL_HV_HAVE_VMBUS_GPADL
#error "the hv_vmbus model follows 6.12 and needs struct vmbus_gpadl"
#endif
#ifndef KMCL_HV_HAVE_MAX_PKT_SIZE
#error "the hv_vmbus model follows 6.12 and needs max_pkt_size"
#endif

/* Bytes after each packet in a ring (ring_buffer.c: VMBUS_PKT_TRAILER). */
#define KMCL_HV_MODEL_TRAILER	8
/* First GPADL handle (connection.c: next_gpadl_handle). */
#define KMCL_HV_MODEL_GPADL0	0xE1E10U
/* Largest payload kmcl_hv_model_host_send() builds. */
#define KMCL_HV_MODEL_HOST_MAX	65536U
/* Where the model's MMIO space starts. */
#define KMCL_HV_MODEL_MMIO0	0xf8000000ULL

/**
 * struct kmcl_hv_mdrv - a driver that was registered
 * @node: in kmcl_hv_model.drivers (kept until the model is freed).
 * @drv: the driver.
 * @dead: unregistered; never binds again.
 */
struct kmcl_hv_mdrv {
	struct list_head node;
	struct hv_driver *drv;
	bool dead;
};

/* Most devices and drivers a model handles. */
#define KMCL_HV_MODEL_MAX_DEVS	32
#define KMCL_HV_MODEL_MAX_DRVS	16

/**
 * struct kmcl_hv_mnb - a registered unbind notifier
 * @node: in kmcl_hv_model.nbs.
 * @nb: the notifier.
 */
struct kmcl_hv_mnb {
	struct list_head node;
	struct notifier_block *nb;
};

/**
 * struct kmcl_hv_mmmio - an MMIO range handed out
 * @node: in kmcl_hv_model.mmio.
 * @res: the resource given to the caller.
 */
struct kmcl_hv_mmmio {
	struct list_head node;
	struct resource res;
};

static struct kmcl_hv_model *kmcl_hv_model_cur;

/**
 * kmcl_hv_model_current() - the model the ops act on
 *
 * Return: the model set up by kmcl_hv_model_init(), or NULL.
 */
struct kmcl_hv_model *kmcl_hv_model_current(void)
{
	return READ_ONCE(kmcl_hv_model_cur);
}

/* A subchannel's channel: it has no device of its own (device_obj NULL). */
struct kmcl_hv_msc {
	struct vmbus_channel chan;
	struct kmcl_hv_mdev *md;
};

static struct kmcl_hv_mdev *kmcl_hv_mdev_of(struct vmbus_channel *c)
{
	if (!c->device_obj)
		return container_of(c, struct kmcl_hv_msc, chan)->md;
	return container_of(c->device_obj, struct kmcl_hv_mdev, hdev);
}

/* --- call log ------------------------------------------------------------ */

static int kmcl_hv_model_log(struct kmcl_hv_model *m,
			     const struct kmcl_hv_mcall *call)
{
	unsigned long flags;
	int idx = -1;

	spin_lock_irqsave(&m->lock, flags);
	if (m->ncalls < KMCL_HV_MODEL_CALLS) {
		idx = m->ncalls;
		m->calls[idx] = *call;
	}
	m->ncalls++;
	spin_unlock_irqrestore(&m->lock, flags);
	return idx;
}

static void kmcl_hv_model_log_ret(struct kmcl_hv_model *m, int idx, int ret)
{
	unsigned long flags;

	if (idx < 0)
		return;
	spin_lock_irqsave(&m->lock, flags);
	m->calls[idx].ret = ret;
	spin_unlock_irqrestore(&m->lock, flags);
}

static int kmcl_hv_model_log_simple(struct kmcl_hv_model *m,
				    enum kmcl_hv_mop op,
				    struct vmbus_channel *c, u32 size)
{
	struct kmcl_hv_mcall call = { .op = op, .chan = c };

	call.u.size = size;
	return kmcl_hv_model_log(m, &call);
}

/**
 * kmcl_hv_model_count() - how many calls of one kind were made
 * @m: the model.
 * @op: the call.
 *
 * Return: the number of recorded calls of @op.
 */
unsigned int kmcl_hv_model_count(struct kmcl_hv_model *m, enum kmcl_hv_mop op)
{
	unsigned int i, n = 0, max;
	unsigned long flags;

	spin_lock_irqsave(&m->lock, flags);
	max = min_t(unsigned int, m->ncalls, KMCL_HV_MODEL_CALLS);
	for (i = 0; i < max; i++)
		n += m->calls[i].op == op;
	spin_unlock_irqrestore(&m->lock, flags);
	return n;
}

/**
 * kmcl_hv_model_call() - the arguments of the n-th call of one kind
 * @m: the model.
 * @op: the call.
 * @nth: 0 for the first such call.
 * @out: receives the record.
 *
 * Return: true if that call was made.
 */
bool kmcl_hv_model_call(struct kmcl_hv_model *m, enum kmcl_hv_mop op,
			unsigned int nth, struct kmcl_hv_mcall *out)
{
	unsigned int i, max;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&m->lock, flags);
	max = min_t(unsigned int, m->ncalls, KMCL_HV_MODEL_CALLS);
	for (i = 0; i < max; i++) {
		if (m->calls[i].op != op)
			continue;
		if (!nth--) {
			*out = m->calls[i];
			found = true;
			break;
		}
	}
	spin_unlock_irqrestore(&m->lock, flags);
	return found;
}

/**
 * kmcl_hv_model_clear_log() - forget the calls recorded so far
 * @m: the model.
 */
void kmcl_hv_model_clear_log(struct kmcl_hv_model *m)
{
	unsigned long flags;

	spin_lock_irqsave(&m->lock, flags);
	m->ncalls = 0;
	spin_unlock_irqrestore(&m->lock, flags);
}

/* --- the bus ------------------------------------------------------------ */

static const struct hv_vmbus_device_id kmcl_hv_model_null_id;

/* vmbus_drv.c:hv_vmbus_get_id() without dynamic ids. */
static const struct hv_vmbus_device_id *
kmcl_hv_model_match(struct hv_driver *drv, struct kmcl_hv_mdev *md)
{
	const struct hv_vmbus_device_id *id = drv->id_table;
	bool overridden = false;

	if (md->driver_override) {
		if (strcmp(md->driver_override, drv->name))
			return NULL;
		overridden = true;
	}
	for (; id && !guid_is_null(&id->guid); id++)
		if (guid_equal(&id->guid, &md->hdev.dev_type))
			return id;
	return overridden ? &kmcl_hv_model_null_id : NULL;
}

/*
 * Locking, as in the driver core: m->bus_lock guards the lists only; a
 * device's dev_lock is held around its probe, remove and PM callbacks. No
 * list lock is held while a driver callback runs. Devices and driver
 * records stay on their lists until the model is freed, so snapshots of
 * the lists stay valid.
 */
static unsigned int kmcl_hv_model_devs(struct kmcl_hv_model *m,
				       struct kmcl_hv_mdev **out)
{
	struct kmcl_hv_mdev *md;
	unsigned int n = 0;

	mutex_lock(&m->bus_lock);
	list_for_each_entry(md, &m->devs, node)
		/* Rescinded ones are off the bus, bound to nothing. */
		if (n < KMCL_HV_MODEL_MAX_DEVS && !READ_ONCE(md->gone))
			out[n++] = md;
	mutex_unlock(&m->bus_lock);
	return n;
}

static unsigned int kmcl_hv_model_drvs(struct kmcl_hv_model *m,
				       struct kmcl_hv_mdrv **out)
{
	struct kmcl_hv_mdrv *md_drv;
	unsigned int n = 0;

	mutex_lock(&m->bus_lock);
	list_for_each_entry(md_drv, &m->drivers, node)
		if (!md_drv->dead && n < KMCL_HV_MODEL_MAX_DRVS)
			out[n++] = md_drv;
	mutex_unlock(&m->bus_lock);
	return n;
}

/*
 * Bind @md to @md_drv if they match (driver core: dev->driver, then
 * probe). Caller holds md->dev_lock.
 */
static bool kmcl_hv_model_try_bind(struct kmcl_hv_mdev *md,
				   struct kmcl_hv_mdrv *md_drv)
{
	struct hv_driver *drv = md_drv->drv;
	const struct hv_vmbus_device_id *id;

	lockdep_assert_held(&md->dev_lock);
	if (md->gone || md->hdev.device.driver || READ_ONCE(md_drv->dead))
		return false;
	id = kmcl_hv_model_match(drv, md);
	if (!id)
		return false;
	md->hdev.device.driver = &drv->driver;
	if (drv->probe(&md->hdev, id)) {
		md->hdev.device.driver = NULL;
		return false;
	}
	return true;
}

/* Offer @md to every live driver until one takes it. */
static bool kmcl_hv_model_attach(struct kmcl_hv_mdev *md)
{
	struct kmcl_hv_mdrv *drvs[KMCL_HV_MODEL_MAX_DRVS];
	unsigned int i, n = kmcl_hv_model_drvs(md->m, drvs);
	bool bound = false;

	mutex_lock(&md->dev_lock);
	for (i = 0; i < n && !bound; i++)
		bound = kmcl_hv_model_try_bind(md, drvs[i]);
	mutex_unlock(&md->dev_lock);
	return bound;
}

/* Caller holds md->dev_lock. */
static void kmcl_hv_model_unbind(struct kmcl_hv_mdev *md)
{
	struct hv_driver *drv;

	lockdep_assert_held(&md->dev_lock);
	if (!md->hdev.device.driver)
		return;
	drv = container_of(md->hdev.device.driver, struct hv_driver, driver);
	if (drv->remove)
		drv->remove(&md->hdev);
	md->hdev.device.driver = NULL;
}

static int kmcl_hv_model_driver_register(struct hv_driver *drv)
{
	struct kmcl_hv_model *m = kmcl_hv_model_current();
	struct kmcl_hv_mcall call = { .op = KMCL_HV_MOP_DRIVER_REGISTER };
	struct kmcl_hv_mdev *devs[KMCL_HV_MODEL_MAX_DEVS];
	struct kmcl_hv_mdrv *md_drv, *other;
	unsigned int i, n;
	int idx, ret = 0;

	strscpy(call.u.drv.name, drv->name ?: "", sizeof(call.u.drv.name));
	if (drv->id_table)
		guid_copy(&call.u.drv.id, &drv->id_table[0].guid);
	call.u.drv.has_suspend = drv->suspend;
	call.u.drv.has_resume = drv->resume;
	idx = kmcl_hv_model_log(m, &call);

	if (m->no_vmbus) {
		ret = -ENODEV;
		goto out;
	}
	md_drv = kzalloc(sizeof(*md_drv), GFP_KERNEL);
	if (!md_drv) {
		ret = -ENOMEM;
		goto out;
	}
	md_drv->drv = drv;
	mutex_lock(&m->bus_lock);
	list_for_each_entry(other, &m->drivers, node) {
		if (!other->dead && !strcmp(other->drv->name, drv->name)) {
			ret = -EBUSY;
			break;
		}
	}
	if (!ret)
		list_add_tail(&md_drv->node, &m->drivers);
	mutex_unlock(&m->bus_lock);
	if (ret) {
		kfree(md_drv);
		goto out;
	}
	/* driver_attach(): every unbound device, in order. */
	n = kmcl_hv_model_devs(m, devs);
	for (i = 0; i < n; i++) {
		mutex_lock(&devs[i]->dev_lock);
		kmcl_hv_model_try_bind(devs[i], md_drv);
		mutex_unlock(&devs[i]->dev_lock);
	}
out:
	kmcl_hv_model_log_ret(m, idx, ret);
	return ret;
}

static void kmcl_hv_model_driver_unregister(struct hv_driver *drv)
{
	struct kmcl_hv_model *m = kmcl_hv_model_current();
	struct kmcl_hv_mcall call = { .op = KMCL_HV_MOP_DRIVER_UNREGISTER };
	struct kmcl_hv_mdev *devs[KMCL_HV_MODEL_MAX_DEVS];
	struct kmcl_hv_mdrv *md_drv;
	unsigned int i, n;

	strscpy(call.u.drv.name, drv->name ?: "", sizeof(call.u.drv.name));
	kmcl_hv_model_log(m, &call);
	mutex_lock(&m->bus_lock);
	list_for_each_entry(md_drv, &m->drivers, node)
		if (md_drv->drv == drv)
			WRITE_ONCE(md_drv->dead, true);
	mutex_unlock(&m->bus_lock);
	/* driver_detach(): remove runs for every bound device. */
	n = kmcl_hv_model_devs(m, devs);
	for (i = 0; i < n; i++) {
		mutex_lock(&devs[i]->dev_lock);
		if (devs[i]->hdev.device.driver == &drv->driver)
			kmcl_hv_model_unbind(devs[i]);
		mutex_unlock(&devs[i]->dev_lock);
	}
}

static struct hv_device *kmcl_hv_model_device_of(struct device *dev)
{
	struct kmcl_hv_model *m = kmcl_hv_model_current();
	struct hv_device *found = NULL;
	struct kmcl_hv_mdev *md;

	if (!m)
		return NULL;
	mutex_lock(&m->bus_lock);
	list_for_each_entry(md, &m->devs, node) {
		if (&md->hdev.device == dev) {
			found = &md->hdev;
			break;
		}
	}
	mutex_unlock(&m->bus_lock);
	return found;
}

static int kmcl_hv_model_watch_unbind(struct notifier_block *nb,
				      struct device *dev)
{
	struct kmcl_hv_model *m = kmcl_hv_model_current();
	struct kmcl_hv_mnb *mnb;

	kmcl_hv_model_log_simple(m, KMCL_HV_MOP_WATCH_UNBIND, NULL, 0);
	mnb = kzalloc(sizeof(*mnb), GFP_KERNEL);
	if (!mnb)
		return -ENOMEM;
	mnb->nb = nb;
	mutex_lock(&m->bus_lock);
	list_add_tail(&mnb->node, &m->nbs);
	mutex_unlock(&m->bus_lock);
	return 0;
}

static void kmcl_hv_model_unwatch_unbind(struct notifier_block *nb,
					 struct device *dev)
{
	struct kmcl_hv_model *m = kmcl_hv_model_current();
	struct kmcl_hv_mnb *mnb, *tmp;

	kmcl_hv_model_log_simple(m, KMCL_HV_MOP_UNWATCH_UNBIND, NULL, 0);
	mutex_lock(&m->bus_lock);
	list_for_each_entry_safe(mnb, tmp, &m->nbs, node) {
		if (mnb->nb == nb) {
			list_del(&mnb->node);
			kfree(mnb);
		}
	}
	mutex_unlock(&m->bus_lock);
}

static void kmcl_hv_mdev_release(struct device *dev)
{
	struct kmcl_hv_mdev *md = container_of(dev, struct kmcl_hv_mdev,
					       hdev.device);

	kfree(md->chan);
	kfree(md);
}

static void kmcl_hv_mdev_tasklet(struct tasklet_struct *t)
{
	struct kmcl_hv_mdev *md = from_tasklet(md, t, tasklet);
	void (*cb)(void *ctx) = READ_ONCE(md->cb);

	WRITE_ONCE(md->cb_cpu, raw_smp_processor_id());
	if (cb)
		cb(md->cb_ctx);
}

/* The host interrupts @md->irq_cpu: its tasklet runs there (hard IRQ). */
static void kmcl_hv_mdev_irq_ipi(void *info)
{
	struct kmcl_hv_mdev *md = info;

	tasklet_schedule(&md->tasklet);
	smp_mb__before_atomic();	/* the schedule before the bit clears */
	clear_bit(0, &md->irq_busy);
}

/* Before the tasklet is killed: no IPI schedules it any more. */
static void kmcl_hv_mdev_irq_quiesce(struct kmcl_hv_mdev *md)
{
	while (test_bit(0, &md->irq_busy))
		cpu_relax();
}

static void kmcl_hv_mdev_rescind_work(struct work_struct *work)
{
	kmcl_hv_model_rescind(container_of(work, struct kmcl_hv_mdev,
					   rescind_work));
}

static struct kmcl_hv_mdev *kmcl_hv_model_new_dev(struct kmcl_hv_model *m,
						  const guid_t *type,
						  const guid_t *instance,
						  u16 mmio_mb)
{
	struct kmcl_hv_mdev *md;

	md = kzalloc(sizeof(*md), GFP_KERNEL);
	if (!md)
		return NULL;
	md->chan = kzalloc(sizeof(*md->chan), GFP_KERNEL);
	if (!md->chan) {
		kfree(md);
		return NULL;
	}
	md->m = m;
	device_initialize(&md->hdev.device);
	md->hdev.device.release = kmcl_hv_mdev_release;
	if (dev_set_name(&md->hdev.device, "kmcl-model-vmbus-%u", m->ndevs++)) {
		put_device(&md->hdev.device);
		return NULL;
	}
	guid_copy(&md->hdev.dev_type, type);
	guid_copy(&md->hdev.dev_instance, instance);
	md->hdev.channel = md->chan;
	md->chan->device_obj = &md->hdev;
	guid_copy(&md->chan->offermsg.offer.if_type, type);
	guid_copy(&md->chan->offermsg.offer.if_instance, instance);
	md->chan->offermsg.offer.mmio_megabytes = mmio_mb;
	md->chan->offermsg.child_relid = 100 + m->ndevs;
	md->chan->state = CHANNEL_OPEN_STATE;
	mutex_init(&md->dev_lock);
	spin_lock_init(&md->host_lock);
	init_completion(&md->host_wait);
	init_completion(&md->close_gate);
	tasklet_setup(&md->tasklet, kmcl_hv_mdev_tasklet);
	INIT_WORK(&md->rescind_work, kmcl_hv_mdev_rescind_work);
	md->irq_cpu = -1;
	md->cb_cpu = -1;
	md->irq_csd.func = kmcl_hv_mdev_irq_ipi;
	md->irq_csd.info = md;
	return md;
}

/**
 * kmcl_hv_model_add() - the host offers a device (hot-add)
 * @m: the model.
 * @type: interface type.
 * @instance: interface instance.
 * @mmio_mb: MMIO megabytes in the offer.
 *
 * The first registered driver that matches probes it before this returns.
 *
 * Return: the device, or NULL if out of memory.
 */
struct kmcl_hv_mdev *kmcl_hv_model_add(struct kmcl_hv_model *m,
				       const guid_t *type,
				       const guid_t *instance, u16 mmio_mb)
{
	struct kmcl_hv_mdev *md;

	md = kmcl_hv_model_new_dev(m, type, instance, mmio_mb);
	if (!md)
		return NULL;
	mutex_lock(&m->bus_lock);
	list_add_tail(&md->node, &m->devs);
	mutex_unlock(&m->bus_lock);
	kmcl_hv_model_attach(md);
	return md;
}

/**
 * kmcl_hv_model_reprobe() - offer a device to the drivers again
 * @md: a device that is not bound.
 *
 * What writing the device to /sys/bus/vmbus/drivers_probe does, for
 * instance after setting its driver_override.
 *
 * Return: true if a driver took it.
 */
bool kmcl_hv_model_reprobe(struct kmcl_hv_mdev *md)
{
	return kmcl_hv_model_attach(md);
}

/**
 * kmcl_hv_model_add_unbound() - a device some other driver holds
 * @m: the model.
 * @type: interface type.
 * @instance: interface instance.
 *
 * Stands for a device a VSC's own driver is bound to: no model driver
 * will ever probe it.
 *
 * Return: the device, or NULL if out of memory.
 */
struct kmcl_hv_mdev *kmcl_hv_model_add_unbound(struct kmcl_hv_model *m,
					       const guid_t *type,
					       const guid_t *instance)
{
	struct kmcl_hv_mdev *md;

	md = kmcl_hv_model_new_dev(m, type, instance, 0);
	if (!md)
		return NULL;
	md->driver_override = "kmcl-model-vsc";
	mutex_lock(&m->bus_lock);
	list_add_tail(&md->node, &m->devs);
	mutex_unlock(&m->bus_lock);
	return md;
}

/* vmbus_reset_channel_cb(): no callback runs after this returns. */
static void kmcl_hv_model_reset_cb(struct kmcl_hv_mdev *md)
{
	tasklet_disable(&md->tasklet);
	WRITE_ONCE(md->cb, NULL);
	tasklet_enable(&md->tasklet);
}

/**
 * kmcl_hv_model_rescind() - the host rescinds a device
 * @md: the device.
 *
 * As vmbus_onoffer_rescind(): callbacks stop, channel->rescind is set, a
 * call waiting for the host fails with -ENODEV, and the device is
 * unregistered (its driver's remove runs, in this thread).
 */
void kmcl_hv_model_rescind(struct kmcl_hv_mdev *md)
{
	kmcl_hv_model_reset_cb(md);
	WRITE_ONCE(md->chan->rescind, true);
	complete_all(&md->host_wait);
	mutex_lock(&md->dev_lock);
	kmcl_hv_model_unbind(md);
	WRITE_ONCE(md->gone, true);
	mutex_unlock(&md->dev_lock);
}

/**
 * kmcl_hv_model_rescind_async() - kmcl_hv_model_rescind() on a work item
 * @md: the device.
 *
 * For removals that block until the test thread does something.
 */
void kmcl_hv_model_rescind_async(struct kmcl_hv_mdev *md)
{
	queue_work(md->m->async_wq, &md->rescind_work);
}

/**
 * kmcl_hv_model_flush() - wait for asynchronous rescinds
 * @m: the model.
 */
void kmcl_hv_model_flush(struct kmcl_hv_model *m)
{
	flush_workqueue(m->async_wq);
}

static struct hv_driver *kmcl_hv_model_drv_of(struct kmcl_hv_mdev *md)
{
	if (!md->hdev.device.driver)
		return NULL;
	return container_of(md->hdev.device.driver, struct hv_driver, driver);
}

/**
 * kmcl_hv_model_suspend() - hibernation reaches a device
 * @md: the device.
 *
 * Return: the bound driver's suspend result, 0 if unbound, -EOPNOTSUPP if
 * the driver has no suspend (vmbus_drv.c:vmbus_suspend).
 */
int kmcl_hv_model_suspend(struct kmcl_hv_mdev *md)
{
	struct hv_driver *drv;
	int ret = 0;

	mutex_lock(&md->dev_lock);
	drv = kmcl_hv_model_drv_of(md);
	if (drv)
		ret = drv->suspend ? drv->suspend(&md->hdev) : -EOPNOTSUPP;
	mutex_unlock(&md->dev_lock);
	return ret;
}

/**
 * kmcl_hv_model_resume() - resume after hibernation
 * @md: the device.
 *
 * Return: as kmcl_hv_model_suspend(), for resume.
 */
int kmcl_hv_model_resume(struct kmcl_hv_mdev *md)
{
	struct hv_driver *drv;
	int ret = 0;

	mutex_lock(&md->dev_lock);
	drv = kmcl_hv_model_drv_of(md);
	if (drv)
		ret = drv->resume ? drv->resume(&md->hdev) : -EOPNOTSUPP;
	mutex_unlock(&md->dev_lock);
	return ret;
}

/**
 * kmcl_hv_model_unbind_external() - a VSC's own driver is unbound
 * @md: a device from kmcl_hv_model_add_unbound().
 *
 * Calls every registered unbind notifier, as the driver core does before
 * the VSC's remove.
 *
 * Return: how many notifiers answered NOTIFY_OK.
 */
int kmcl_hv_model_unbind_external(struct kmcl_hv_mdev *md)
{
	struct kmcl_hv_model *m = md->m;
	struct notifier_block *nbs[4];
	struct kmcl_hv_mnb *mnb;
	int i, n = 0, ok = 0;

	mutex_lock(&m->bus_lock);
	list_for_each_entry(mnb, &m->nbs, node)
		if (n < ARRAY_SIZE(nbs))
			nbs[n++] = mnb->nb;
	mutex_unlock(&m->bus_lock);
	for (i = 0; i < n; i++)
		ok += nbs[i]->notifier_call(nbs[i], BUS_NOTIFY_UNBIND_DRIVER,
					    &md->hdev.device) == NOTIFY_OK;
	return ok;
}

/**
 * kmcl_hv_model_bound_to() - is a device bound to a given driver?
 * @md: the device.
 * @drv_name: the driver's name.
 *
 * Return: true if bound to it.
 */
bool kmcl_hv_model_bound_to(struct kmcl_hv_mdev *md, const char *drv_name)
{
	struct hv_driver *drv;
	bool ret;

	mutex_lock(&md->dev_lock);
	drv = kmcl_hv_model_drv_of(md);
	ret = drv && !strcmp(drv->name, drv_name);
	mutex_unlock(&md->dev_lock);
	return ret;
}

/**
 * kmcl_hv_model_host_answer() - the host answers a held open or GPADL
 * @md: the device.
 */
void kmcl_hv_model_host_answer(struct kmcl_hv_mdev *md)
{
	complete(&md->host_wait);
}

/**
 * kmcl_hv_model_close_release() - let a held vmbus_close() go on
 * @md: the device.
 */
void kmcl_hv_model_close_release(struct kmcl_hv_mdev *md)
{
	complete(&md->close_gate);
}

/**
 * kmcl_hv_model_host_waiting() - is a call waiting for the host?
 * @md: the device.
 *
 * Return: true while an open or GPADL call sleeps for the host's answer.
 */
bool kmcl_hv_model_host_waiting(struct kmcl_hv_mdev *md)
{
	return READ_ONCE(md->waiting);
}

/* Sleep for the host's answer, or a rescind (channel.c's completions). */
static void kmcl_hv_model_wait_host(struct kmcl_hv_mdev *md)
{
	WRITE_ONCE(md->waiting, true);
	wait_for_completion(&md->host_wait);
	WRITE_ONCE(md->waiting, false);
}

/* --- rings ----------------------------------------------------------------- */

static void kmcl_hv_ring_put(struct hv_ring_buffer_info *rbi, u32 off,
			     const void *src, u32 len)
{
	u32 dsize = rbi->ring_datasize, first;

	off %= dsize;
	first = min(len, dsize - off);
	memcpy(rbi->ring_buffer->buffer + off, src, first);
	memcpy(rbi->ring_buffer->buffer, src + first, len - first);
}

static void kmcl_hv_ring_get(const struct hv_ring_buffer_info *rbi, u32 off,
			     void *dst, u32 len)
{
	u32 dsize = rbi->ring_datasize, first;

	off %= dsize;
	first = min(len, dsize - off);
	memcpy(dst, rbi->ring_buffer->buffer + off, first);
	memcpy(dst + first, rbi->ring_buffer->buffer, len - first);
}

static u32 kmcl_hv_ring_free(u32 rd, u32 wr, u32 dsize)
{
	return wr >= rd ? dsize - (wr - rd) : rd - wr;
}

/* The guest is interrupted: run the callback as hv_vmbus would. */
static void kmcl_hv_model_interrupt(struct kmcl_hv_mdev *md)
{
	unsigned long flags;
	void (*cb)(void *ctx);

	int cpu = READ_ONCE(md->irq_cpu);
	int this;

	md->guest_signals++;
	if (md->chan->callback_mode != HV_CALL_ISR) {
		this = get_cpu();
		if (cpu < 0 || cpu == this) {
			tasklet_schedule(&md->tasklet);
		} else if (!test_and_set_bit(0, &md->irq_busy) &&
			   smp_call_function_single_async(cpu, &md->irq_csd)) {
			tasklet_schedule(&md->tasklet);
			clear_bit(0, &md->irq_busy);
		}
		put_cpu();
		return;
	}
	local_irq_save(flags);
	WRITE_ONCE(md->cb_cpu, raw_smp_processor_id());
	cb = READ_ONCE(md->cb);
	if (cb)
		cb(md->cb_ctx);
	local_irq_restore(flags);
}

/* ring_buffer.c:hv_ringbuffer_write(). */
static int kmcl_hv_model_write(struct kmcl_hv_mdev *md, const struct kvec *kv,
			       u32 kv_count, u64 requestid)
{
	struct vmbus_channel *c = md->chan;
	struct hv_ring_buffer_info *rbi = &c->outbound;
	const struct vmpacket_descriptor *desc = kv[0].iov_base;
	u32 total = KMCL_HV_MODEL_TRAILER, rd, old, next, i;
	u64 trans_id = requestid, prev;
	unsigned long flags;

	if (READ_ONCE(c->rescind))
		return -ENODEV;
	if (!md->opened)
		return -EINVAL;	/* hv_vmbus would dereference a NULL ring */
	for (i = 0; i < kv_count; i++)
		total += kv[i].iov_len;

	spin_lock_irqsave(&rbi->ring_lock, flags);
	rd = READ_ONCE(rbi->ring_buffer->read_index);
	old = READ_ONCE(rbi->ring_buffer->write_index);
	if (rd >= rbi->ring_datasize || old >= rbi->ring_datasize) {
		spin_unlock_irqrestore(&rbi->ring_lock, flags);
		return -EIO;
	}
	if (kmcl_hv_ring_free(rd, old, rbi->ring_datasize) <= total) {
		c->out_full_total++;
		spin_unlock_irqrestore(&rbi->ring_lock, flags);
		return -EAGAIN;
	}
	next = old;
	for (i = 0; i < kv_count; i++) {
		kmcl_hv_ring_put(rbi, next, kv[i].iov_base, kv[i].iov_len);
		next = (next + kv[i].iov_len) % rbi->ring_datasize;
	}
	if (desc->flags == VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED &&
	    c->next_request_id_callback)
		trans_id = c->next_request_id_callback(c, requestid);
	kmcl_hv_ring_put(rbi, old + offsetof(struct vmpacket_descriptor,
					     trans_id),
			 &trans_id, sizeof(trans_id));
	prev = (u64)old << 32;
	kmcl_hv_ring_put(rbi, next, &prev, sizeof(prev));
	next = (next + sizeof(prev)) % rbi->ring_datasize;
	/* The packet is in place before the host can see the new index. */
	virt_mb();
	WRITE_ONCE(rbi->ring_buffer->write_index, next);
	spin_unlock_irqrestore(&rbi->ring_lock, flags);

	/* hv_signal_on_write(): index published before reading the mask. */
	virt_mb();
	if (!READ_ONCE(rbi->ring_buffer->interrupt_mask) &&
	    old == READ_ONCE(rbi->ring_buffer->read_index))
		/* The sender and the reader may count at once; only tests
		 * that do one thing at a time read the count.
		 */
		data_race(md->host_signals++);
	return READ_ONCE(c->rescind) ? -ENODEV : 0;
}

static int kmcl_hv_model_sendpacket(struct vmbus_channel *c, void *buf,
				    u32 len, u64 requestid,
				    enum vmbus_packet_type type, u32 flags)
{
	struct kmcl_hv_mdev *md = kmcl_hv_mdev_of(c);
	struct kmcl_hv_mcall call = { .op = KMCL_HV_MOP_SENDPACKET, .chan = c };
	u32 plen = sizeof(struct vmpacket_descriptor) + len;
	u32 aligned = ALIGN(plen, sizeof(u64));
	struct vmpacket_descriptor desc;
	u64 pad = 0;
	struct kvec kv[3];
	int idx, ret;

	call.u.send.type = type;
	call.u.send.flags = flags;
	call.u.send.requestid = requestid;
	call.u.send.len = len;
	idx = kmcl_hv_model_log(md->m, &call);

	/* channel.c:vmbus_sendpacket_getid(). */
	desc.type = type;
	desc.flags = flags;
	desc.offset8 = sizeof(desc) >> 3;
	desc.len8 = (u16)(aligned >> 3);
	desc.trans_id = VMBUS_RQST_ERROR;
	kv[0].iov_base = &desc;
	kv[0].iov_len = sizeof(desc);
	kv[1].iov_base = buf;
	kv[1].iov_len = len;
	kv[2].iov_base = &pad;
	kv[2].iov_len = aligned - plen;
	ret = kmcl_hv_model_write(md, kv, len ? 3 : 1, requestid);
	kmcl_hv_model_log_ret(md->m, idx, ret);
	return ret;
}

static int kmcl_hv_model_sendpacket_mpb(struct vmbus_channel *c,
					struct vmbus_packet_mpb_array *desc,
					u32 desc_size, void *buf, u32 len,
					u64 requestid)
{
	struct kmcl_hv_mdev *md = kmcl_hv_mdev_of(c);
	struct kmcl_hv_mcall call = { .op = KMCL_HV_MOP_SENDPACKET_MPB,
				      .chan = c };
	u32 plen = desc_size + len, aligned = ALIGN(plen, sizeof(u64));
	const struct hv_mpb_array *r = &desc->range;
	const void *end = (const void *)desc + desc_size;
	u64 pad = 0;
	struct kvec kv[3];
	u32 i, j, npfn;
	int idx, ret;

	call.u.mpb.desc_size = desc_size;
	call.u.mpb.rangecount = desc->rangecount;
	call.u.mpb.len = len;
	call.u.mpb.requestid = requestid;
	for (i = 0; i < min_t(u32, desc->rangecount, KMCL_HV_MODEL_RANGES) &&
	     (const void *)r + sizeof(*r) <= end; i++) {
		call.u.mpb.range_len[i] = r->len;
		call.u.mpb.range_off[i] = r->offset;
		npfn = HVPFN_UP(r->offset + r->len);
		for (j = 0; j < min_t(u32, npfn, KMCL_HV_MODEL_PFNS) &&
		     (const void *)&r->pfn_array[j + 1] <= end; j++)
			call.u.mpb.pfn[i][j] = r->pfn_array[j];
		r = (const void *)&r->pfn_array[npfn];
	}
	idx = kmcl_hv_model_log(md->m, &call);

	/* channel.c:vmbus_sendpacket_mpb_desc() of 6.12.y. */
	desc->type = VM_PKT_DATA_USING_GPA_DIRECT;
	desc->flags = VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
	desc->dataoffset8 = desc_size >> 3;
	desc->length8 = (u16)(aligned >> 3);
	desc->transactionid = VMBUS_RQST_ERROR;
	desc->reserved = 0;
	kv[0].iov_base = desc;
	kv[0].iov_len = desc_size;
	kv[1].iov_base = buf;
	kv[1].iov_len = len;
	kv[2].iov_base = &pad;
	kv[2].iov_len = aligned - plen;
	ret = kmcl_hv_model_write(md, kv, 3, requestid);
	kmcl_hv_model_log_ret(md->m, idx, ret);
	return ret;
}

static void kmcl_hv_model_set_pending(struct vmbus_channel *c, u32 size)
{
	struct kmcl_hv_mdev *md = kmcl_hv_mdev_of(c);

	kmcl_hv_model_log_simple(md->m, KMCL_HV_MOP_SET_PENDING, c, size);
	if (md->opened)
		set_channel_pending_send_size(c, size);
}

static u32 kmcl_hv_model_bytes_to_write(struct vmbus_channel *c)
{
	return kmcl_hv_mdev_of(c)->opened ?
	       hv_get_bytes_to_write(&c->outbound) : 0;
}

/* ring_buffer.c:hv_pkt_iter_avail(). */
static u32 kmcl_hv_model_iter_avail(const struct hv_ring_buffer_info *rbi)
{
	u32 rd = rbi->priv_read_index;
	/* Pairs with the writer's barrier: data before index. */
	u32 wr = virt_load_acquire(&rbi->ring_buffer->write_index);

	return wr >= rd ? wr - rd : rbi->ring_datasize - rd + wr;
}

/* ring_buffer.c:hv_pkt_iter_first(). */
static struct vmpacket_descriptor *
kmcl_hv_model_first(struct vmbus_channel *c)
{
	struct hv_ring_buffer_info *rbi = &c->inbound;
	struct vmpacket_descriptor head, *copy;
	u32 avail, pkt_len, pkt_offset;

	if (!kmcl_hv_mdev_of(c)->opened)
		return NULL;
	avail = kmcl_hv_model_iter_avail(rbi);
	if (avail < sizeof(head))
		return NULL;
	/* Before 5.14: the packet as it lies in the ring. */
	if (kmcl_hv_mdev_of(c)->m->gen == KMCL_HV_MODEL_GEN_510)
		return (void *)rbi->ring_buffer->buffer + rbi->priv_read_index;
	avail = min(rbi->pkt_buffer_size, avail);
	kmcl_hv_ring_get(rbi, rbi->priv_read_index, &head, sizeof(head));
	pkt_len = head.len8 << 3;
	pkt_offset = head.offset8 << 3;
	if (pkt_len < sizeof(head) || pkt_len > avail)
		pkt_len = avail;
	if (pkt_offset < sizeof(head) || pkt_offset > pkt_len)
		pkt_offset = sizeof(head);
	copy = rbi->pkt_buffer;
	kmcl_hv_ring_get(rbi, rbi->priv_read_index, copy, pkt_len);
	copy->len8 = pkt_len >> 3;
	copy->offset8 = pkt_offset >> 3;
	return copy;
}

static const struct vmpacket_descriptor *
kmcl_hv_model_iter_first(struct vmbus_channel *c)
{
	kmcl_hv_model_log_simple(kmcl_hv_mdev_of(c)->m, KMCL_HV_MOP_ITER_FIRST,
				 c, 0);
	return kmcl_hv_model_first(c);
}

/* ring_buffer.c:hv_pkt_iter_close(), host signalling included. */
static void kmcl_hv_model_iter_close(struct vmbus_channel *c)
{
	struct kmcl_hv_mdev *md = kmcl_hv_mdev_of(c);
	struct hv_ring_buffer_info *rbi = &c->inbound;
	u32 start, pending, curr, read;

	kmcl_hv_model_log_simple(md->m, KMCL_HV_MOP_ITER_CLOSE, c, 0);
	if (!md->opened)
		return;
	/* All reads of the packets before the index frees their room. */
	virt_rmb();
	start = rbi->ring_buffer->read_index;
	rbi->ring_buffer->read_index = rbi->priv_read_index;
	if (!rbi->ring_buffer->feature_bits.feat_pending_send_sz)
		return;
	/* Publish read_index before sampling pending_send_sz. */
	virt_mb();
	pending = READ_ONCE(rbi->ring_buffer->pending_send_sz);
	if (!pending)
		return;
	/* pending_send_sz before write_index. */
	virt_rmb();
	curr = hv_get_bytes_to_write(rbi);
	read = rbi->priv_read_index >= start ? rbi->priv_read_index - start :
	       rbi->ring_datasize - start + rbi->priv_read_index;
	if (curr - read > pending || curr <= pending)
		return;
	data_race(md->host_signals++);	/* see kmcl_hv_model_write() */
}

/* hyperv.h:hv_pkt_iter_next() around ring_buffer.c:__hv_pkt_iter_next(). */
static const struct vmpacket_descriptor *
kmcl_hv_model_iter_next(struct vmbus_channel *c,
			const struct vmpacket_descriptor *pkt)
{
	struct kmcl_hv_mdev *md = kmcl_hv_mdev_of(c);
	struct hv_ring_buffer_info *rbi = &c->inbound;
	const struct vmpacket_descriptor *nxt;

	kmcl_hv_model_log_simple(md->m, KMCL_HV_MOP_ITER_NEXT, c, 0);
	if (!md->opened)
		return NULL;
	rbi->priv_read_index += (pkt->len8 << 3) + KMCL_HV_MODEL_TRAILER;
	if (rbi->priv_read_index >= rbi->ring_datasize)
		rbi->priv_read_index -= rbi->ring_datasize;
	nxt = kmcl_hv_model_first(c);
	if (!nxt)
		kmcl_hv_model_iter_close(c);
	return nxt;
}

static void kmcl_hv_model_begin_read(struct vmbus_channel *c)
{
	struct kmcl_hv_mdev *md = kmcl_hv_mdev_of(c);

	atomic_inc(&md->reading);
	kmcl_hv_model_log_simple(md->m, KMCL_HV_MOP_BEGIN_READ, c, 0);
	if (md->opened)
		hv_begin_read(&c->inbound);
}

static u32 kmcl_hv_model_end_read(struct vmbus_channel *c)
{
	struct kmcl_hv_mdev *md = kmcl_hv_mdev_of(c);
	u32 left = md->opened ? hv_end_read(&c->inbound) : 0;

	kmcl_hv_model_log_simple(md->m, KMCL_HV_MOP_END_READ, c, left);
	atomic_dec(&md->reading);
	return left;
}

/**
 * kmcl_hv_model_host_write_raw() - the host writes bytes as one packet
 * @md: an open device.
 * @pkt: the packet (descriptor included), any content.
 * @len: its length, a multiple of 8.
 *
 * Interrupts the guest on the empty to non-empty transition unless the
 * guest masked interrupts, as Hyper-V does.
 *
 * Return: 0, -EAGAIN if the ring has no room, -EINVAL if not open.
 */
int kmcl_hv_model_host_write_raw(struct kmcl_hv_mdev *md, const void *pkt,
				 u32 len)
{
	struct hv_ring_buffer_info *rbi = &md->chan->inbound;
	unsigned long flags;
	u32 rd, wr, next;
	u64 prev;

	if (len % 8)
		return -EINVAL;
	/* The rings stay while the host writes (see host_lock). */
	spin_lock_irqsave(&md->host_lock, flags);
	if (!md->opened) {
		spin_unlock_irqrestore(&md->host_lock, flags);
		return -EINVAL;
	}
	rd = READ_ONCE(rbi->ring_buffer->read_index);
	wr = rbi->ring_buffer->write_index;
	if (kmcl_hv_ring_free(rd, wr, rbi->ring_datasize) <=
	    len + KMCL_HV_MODEL_TRAILER) {
		spin_unlock_irqrestore(&md->host_lock, flags);
		return -EAGAIN;
	}
	kmcl_hv_ring_put(rbi, wr, pkt, len);
	prev = (u64)wr << 32;
	next = (wr + len) % rbi->ring_datasize;
	kmcl_hv_ring_put(rbi, next, &prev, sizeof(prev));
	next = (next + sizeof(prev)) % rbi->ring_datasize;
	/* The packet is in place before the guest can see the new index. */
	virt_mb();
	WRITE_ONCE(rbi->ring_buffer->write_index, next);
	/* Index published before reading the guest's mask and index. */
	virt_mb();
	if (wr == READ_ONCE(rbi->ring_buffer->read_index) &&
	    !READ_ONCE(rbi->ring_buffer->interrupt_mask))
		kmcl_hv_model_interrupt(md);
	spin_unlock_irqrestore(&md->host_lock, flags);
	return 0;
}

/**
 * kmcl_hv_model_host_send() - the host sends a well-formed packet
 * @md: an open device.
 * @type: packet type.
 * @flags: descriptor flags.
 * @trans_id: transaction id.
 * @data: in-band payload.
 * @len: its length (padded to 8 on the wire).
 *
 * Return: as kmcl_hv_model_host_write_raw(); -EMSGSIZE above
 * KMCL_HV_MODEL_HOST_MAX bytes; -ENOMEM.
 */
int kmcl_hv_model_host_send(struct kmcl_hv_mdev *md, u16 type, u16 flags,
			    u64 trans_id, const void *data, u32 len)
{
	struct vmpacket_descriptor *d;
	u32 plen = ALIGN(sizeof(*d) + len, 8);
	int ret;

	if (len > KMCL_HV_MODEL_HOST_MAX)
		return -EMSGSIZE;
	d = kzalloc(plen, GFP_ATOMIC);
	if (!d)
		return -ENOMEM;
	d->type = type;
	d->flags = flags;
	d->offset8 = sizeof(*d) >> 3;
	d->len8 = plen >> 3;
	d->trans_id = trans_id;
	memcpy(d + 1, data, len);
	ret = kmcl_hv_model_host_write_raw(md, d, plen);
	kfree(d);
	return ret;
}

/**
 * kmcl_hv_model_host_recv() - the host reads the guest's next packet
 * @md: an open device.
 * @buf: receives the packet, descriptor included.
 * @buflen: size of @buf.
 * @len: receives the packet's length.
 *
 * Interrupts the guest if it waits for room (pending_send_sz) and now has
 * it, as Hyper-V does.
 *
 * Return: 0, -EAGAIN if empty, -EMSGSIZE if @buf is too small (the
 * packet stays), -EINVAL if not open.
 */
int kmcl_hv_model_host_recv(struct kmcl_hv_mdev *md, void *buf, u32 buflen,
			    u32 *len)
{
	struct hv_ring_buffer_info *rbi = &md->chan->outbound;
	struct vmpacket_descriptor head;
	u32 rd, wr, before, after, pending;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&md->host_lock, flags);
	if (!md->opened) {
		ret = -EINVAL;
		goto out;
	}
	rd = rbi->ring_buffer->read_index;
	wr = READ_ONCE(rbi->ring_buffer->write_index);
	if (rd == wr) {
		ret = -EAGAIN;
		goto out;
	}
	kmcl_hv_ring_get(rbi, rd, &head, sizeof(head));
	*len = head.len8 << 3;
	if (*len > buflen) {
		ret = -EMSGSIZE;
		goto out;
	}
	kmcl_hv_ring_get(rbi, rd, buf, *len);
	before = kmcl_hv_ring_free(rd, wr, rbi->ring_datasize);
	rd = (rd + *len + KMCL_HV_MODEL_TRAILER) % rbi->ring_datasize;
	after = kmcl_hv_ring_free(rd, wr, rbi->ring_datasize);
	/* Done reading the packet before its room is given back. */
	virt_mb();
	WRITE_ONCE(rbi->ring_buffer->read_index, rd);
	/* Index published before sampling pending_send_sz. */
	virt_mb();
	pending = READ_ONCE(rbi->ring_buffer->pending_send_sz);
	if (pending && before <= pending && after > pending)
		kmcl_hv_model_interrupt(md);
out:
	spin_unlock_irqrestore(&md->host_lock, flags);
	return ret;
}

/**
 * kmcl_hv_model_host_pending() - the guest's pending_send_sz
 * @md: an open device.
 *
 * Return: what the guest asked for in its outgoing ring header.
 */
u32 kmcl_hv_model_host_pending(struct kmcl_hv_mdev *md)
{
	return md->opened ?
	       READ_ONCE(md->chan->outbound.ring_buffer->pending_send_sz) : 0;
}

/* --- open and close -------------------------------------------------------- */

/*
 * Open or close @md's rings for the host: the host's calls hold host_lock
 * while they use them, so a close frees them only after the last one.
 * Return: whether they were open.
 */
static bool kmcl_hv_model_set_opened(struct kmcl_hv_mdev *md, bool open)
{
	unsigned long flags;
	bool was;

	spin_lock_irqsave(&md->host_lock, flags);
	was = md->opened;
	WRITE_ONCE(md->opened, open);
	spin_unlock_irqrestore(&md->host_lock, flags);
	return was;
}

static void kmcl_hv_model_ring_init(struct hv_ring_buffer_info *rbi, void *mem,
				    u32 size)
{
	rbi->ring_buffer = mem;
	rbi->ring_buffer->feature_bits.value = 1;
	rbi->ring_size = size;
	rbi->ring_datasize = size - sizeof(struct hv_ring_buffer);
	rbi->priv_read_index = 0;
	spin_lock_init(&rbi->ring_lock);
}

/*
 * ring_buffer.c:hv_ringbuffer_init() before 5.14: the header page, then
 * the data pages twice, so a packet that wraps is contiguous.
 */
static void *kmcl_hv_model_map_twice(struct page *first, u32 npages)
{
	struct page **pages;
	void *va;
	u32 i;

	pages = kcalloc(npages * 2 - 1, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return NULL;
	pages[0] = first;
	for (i = 0; i < 2 * (npages - 1); i++)
		pages[i + 1] = first + 1 + i % (npages - 1);
	va = vmap(pages, npages * 2 - 1, VM_MAP, PAGE_KERNEL);
	kfree(pages);
	return va;
}

static void kmcl_hv_model_free_rings(struct kmcl_hv_mdev *md)
{
	struct vmbus_channel *c = md->chan;

	if (md->in_map)
		vunmap(md->in_map);
	md->in_map = NULL;
	kfree(c->inbound.pkt_buffer);
	c->inbound.pkt_buffer = NULL;
	c->inbound.pkt_buffer_size = 0;
	c->inbound.ring_buffer = NULL;
	c->outbound.ring_buffer = NULL;
	if (md->ring_pages)
		__free_pages(md->ring_pages, md->ring_order);
	md->ring_pages = NULL;
}

static int kmcl_hv_model_open(struct vmbus_channel *c, u32 send_size,
			      u32 recv_size, void *userdata, u32 userdatalen,
			      void (*callback)(void *ctx), void *ctx)
{
	struct kmcl_hv_mdev *md = kmcl_hv_mdev_of(c);
	struct kmcl_hv_model *m = md->m;
	struct kmcl_hv_mcall call = { .op = KMCL_HV_MOP_OPEN, .chan = c };
	void *mem;
	int idx, ret = 0;

	call.u.open.send_size = send_size;
	call.u.open.recv_size = recv_size;
	call.u.open.userdatalen = userdatalen;
	if (userdata)
		memcpy(call.u.open.userdata, userdata,
		       min_t(u32, userdatalen, sizeof(call.u.open.userdata)));
	call.u.open.mode = c->callback_mode;
	call.u.open.max_pkt_size = c->max_pkt_size;
	call.u.open.rqstor_size = c->rqstor_size;
	call.u.open.rqstor_cb = c->next_request_id_callback ||
				c->request_addr_callback;
	idx = kmcl_hv_model_log(m, &call);

	/*
	 * Already open: __vmbus_open() says -EINVAL (hv_vmbus would also
	 * lose the first ring here; kmcl_hv never opens twice).
	 */
	if (md->opened) {
		ret = -EINVAL;
		goto out;
	}
	/*
	 * vmbus_alloc_ring(), then __vmbus_open(). A ring of one page (no
	 * data area) is refused here; hv_vmbus would accept it and never
	 * carry a packet.
	 */
	if (send_size % PAGE_SIZE || recv_size % PAGE_SIZE ||
	    send_size < 2 * PAGE_SIZE || recv_size < 2 * PAGE_SIZE) {
		ret = -EINVAL;
		goto out;
	}
	md->ring_order = get_order(send_size + recv_size);
	md->ring_pages = alloc_pages(GFP_KERNEL | __GFP_ZERO, md->ring_order);
	if (!md->ring_pages) {
		ret = -ENOMEM;
		goto out;
	}
	if (userdatalen > MAX_USER_DEFINED_BYTES) {
		ret = -EINVAL;
		goto out_free;
	}
	mem = page_address(md->ring_pages);
	kmcl_hv_model_ring_init(&c->outbound, mem, send_size);
	if (m->gen == KMCL_HV_MODEL_GEN_510) {
		/* Before 5.14: no copy; the ring is read where it lies. */
		md->in_map = kmcl_hv_model_map_twice(md->ring_pages +
						     send_size / PAGE_SIZE,
						     recv_size / PAGE_SIZE);
		if (!md->in_map) {
			ret = -ENOMEM;
			goto out_free;
		}
		kmcl_hv_model_ring_init(&c->inbound, md->in_map, recv_size);
	} else {
		kmcl_hv_model_ring_init(&c->inbound, mem + send_size,
					recv_size);
		if (!c->max_pkt_size)
			c->max_pkt_size = VMBUS_DEFAULT_MAX_PKT_SIZE;
		c->inbound.pkt_buffer = kzalloc(c->max_pkt_size, GFP_KERNEL);
		if (!c->inbound.pkt_buffer) {
			ret = -ENOMEM;
			goto out_free;
		}
		c->inbound.pkt_buffer_size = c->max_pkt_size;
	}
	WRITE_ONCE(md->cb, callback);
	md->cb_ctx = ctx;
	c->state = CHANNEL_OPENING_STATE;

	if (READ_ONCE(c->rescind)) {
		ret = -ENODEV;
		goto out_unopen;
	}
	if (m->open_hold) {
		reinit_completion(&md->host_wait);
		if (!READ_ONCE(c->rescind))
			kmcl_hv_model_wait_host(md);
	}
	if (READ_ONCE(c->rescind)) {
		ret = -ENODEV;
		goto out_unopen;
	}
	if (m->open_result) {
		ret = m->open_result;
		goto out_unopen;
	}
	c->state = CHANNEL_OPENED_STATE;
	kmcl_hv_model_set_opened(md, true);
	goto out;

out_unopen:
	WRITE_ONCE(md->cb, NULL);
	c->state = CHANNEL_OPEN_STATE;
out_free:
	kmcl_hv_model_free_rings(md);
out:
	kmcl_hv_model_log_ret(m, idx, ret);
	return ret;
}

/* vmbus_disconnect_ring(): the primary's open subchannels close first. */
static void kmcl_hv_model_close_subs(struct kmcl_hv_mdev *md)
{
	struct kmcl_hv_mdev *sub;

	mutex_lock(&md->m->bus_lock);
	list_for_each_entry(sub, &md->m->devs, node) {
		if (sub->primary != md)
			continue;
		kmcl_hv_model_reset_cb(sub);
		if (kmcl_hv_model_set_opened(sub, false)) {
			sub->chan->state = CHANNEL_OPEN_STATE;
			kmcl_hv_model_free_rings(sub);
		}
	}
	mutex_unlock(&md->m->bus_lock);
}

static void kmcl_hv_model_close(struct vmbus_channel *c)
{
	struct kmcl_hv_mdev *md = kmcl_hv_mdev_of(c);

	kmcl_hv_model_log_simple(md->m, KMCL_HV_MOP_CLOSE, c, 0);
	/* vmbus_close() of a subchannel: vmbus_disconnect_ring() says no. */
	if (md->primary)
		return;
	kmcl_hv_model_close_subs(md);
	if (READ_ONCE(md->m->close_hold)) {
		WRITE_ONCE(md->closing, true);
		wait_for_completion(&md->close_gate);
		WRITE_ONCE(md->closing, false);
	}
	kmcl_hv_model_reset_cb(md);
	if (kmcl_hv_model_set_opened(md, false)) {
		c->state = CHANNEL_OPEN_STATE;
		kmcl_hv_model_free_rings(md);
	}
	atomic_inc(&md->closes_done);
}

/* vmbus_drv.c:vmbus_channel_set_cpu() (7.3), where a driver may call it. */
static int kmcl_hv_model_set_cpu(struct vmbus_channel *c, u32 cpu)
{
	struct kmcl_hv_mdev *md = kmcl_hv_mdev_of(c);
	int idx = kmcl_hv_model_log_simple(md->m, KMCL_HV_MOP_SET_CPU, c, cpu);
	int ret = 0;

	if (!READ_ONCE(md->m->set_cpu_ok)) {
		ret = -EOPNOTSUPP;
	} else if (cpu >= nr_cpumask_bits || !cpu_online(cpu)) {
		ret = -EINVAL;
	} else if (c->state == CHANNEL_OPENED_STATE) {
		c->target_cpu = cpu;
		WRITE_ONCE(md->irq_cpu, cpu);
	}
	kmcl_hv_model_log_ret(md->m, idx, ret);
	return ret;
}

/* --- memory ---------------------------------------------------------------- */

static int kmcl_hv_model_establish_gpadl(struct vmbus_channel *c, void *buf,
					 u32 size, struct kmcl_hv_gpadl *gp)
{
	struct kmcl_hv_mdev *md = kmcl_hv_mdev_of(c);
	struct kmcl_hv_model *m = md->m;
	struct kmcl_hv_mcall call = { .op = KMCL_HV_MOP_ESTABLISH_GPADL,
				      .chan = c };
	unsigned long flags;
	u32 handle;
	int idx, ret = 0;

	spin_lock_irqsave(&m->lock, flags);
	handle = m->next_gpadl++;
	spin_unlock_irqrestore(&m->lock, flags);
	call.u.gpadl.buffer = buf;
	call.u.gpadl.size = size;
	call.u.gpadl.handle = handle;
	idx = kmcl_hv_model_log(m, &call);

	memset(gp, 0, sizeof(*gp));
	gp->buffer = buf;
	gp->size = size;
	/*
	 * set_memory_decrypted() succeeded: decrypted until re-encrypted;
	 * 7.x leaves a confidential channel's buffers encrypted.
	 */
	gp->g.decrypted = !kmcl_hv_co_external_memory(c);
	if (READ_ONCE(c->rescind)) {
		ret = -ENODEV;
	} else {
		if (m->gpadl_hold) {
			reinit_completion(&md->host_wait);
			if (!READ_ONCE(c->rescind))
				kmcl_hv_model_wait_host(md);
		}
		if (READ_ONCE(c->rescind))
			ret = -ENODEV;
		else
			ret = m->gpadl_result;
	}
	if (ret) {
		gp->g.decrypted = gp->g.decrypted && m->reencrypt_fails;
		gp->leak = gp->g.decrypted;
	} else {
		gp->g.gpadl_handle = handle;
		gp->g.buffer = buf;
		gp->g.size = size;
		atomic64_inc(&m->gpadls_established);
	}
	kmcl_hv_model_log_ret(m, idx, ret);
	return ret;
}

static int kmcl_hv_model_teardown_gpadl(struct vmbus_channel *c,
					struct kmcl_hv_gpadl *gp)
{
	struct kmcl_hv_mdev *md = kmcl_hv_mdev_of(c);
	struct kmcl_hv_mcall call = { .op = KMCL_HV_MOP_TEARDOWN_GPADL,
				      .chan = c };
	int idx, ret;

	call.u.gpadl.buffer = gp->g.buffer;
	call.u.gpadl.size = gp->g.size;
	call.u.gpadl.handle = gp->g.gpadl_handle;
	idx = kmcl_hv_model_log(md->m, &call);
	if (gp->g.gpadl_handle)
		atomic64_inc(&md->m->gpadls_torn_down);
	if (!READ_ONCE(c->rescind))
		gp->g.gpadl_handle = 0;
	/* set_memory_encrypted()'s result decides both (if it ran). */
	ret = gp->g.decrypted && md->m->reencrypt_fails ? -EIO : 0;
	gp->g.decrypted = ret;
	gp->leak = gp->g.decrypted;
	kmcl_hv_model_log_ret(md->m, idx, ret);
	return ret;
}

/**
 * kmcl_hv_model_vmbus_establish_gpadl_u32() - vmbus_establish_gpadl()
 *	before 5.16
 * @c: the channel.
 * @buf: the buffer.
 * @size: its size.
 * @handle: receives the handle (only on success).
 *
 * Recorded as KMCL_HV_MOP_ESTABLISH_GPADL.
 *
 * Return: as the 6.12 call.
 */
int kmcl_hv_model_vmbus_establish_gpadl_u32(struct vmbus_channel *c,
					    void *buf, u32 size, u32 *handle)
{
	struct kmcl_hv_gpadl gp;
	int ret = kmcl_hv_model_establish_gpadl(c, buf, size, &gp);

	if (!ret)
		*handle = gp.g.gpadl_handle;
	return ret;
}

/**
 * kmcl_hv_model_vmbus_teardown_gpadl_u32() - vmbus_teardown_gpadl()
 *	before 5.16
 * @c: the channel.
 * @handle: the handle.
 *
 * Recorded as KMCL_HV_MOP_TEARDOWN_GPADL. These kernels never decrypted
 * the buffer: nothing can fail to be re-encrypted.
 *
 * Return: 0.
 */
int kmcl_hv_model_vmbus_teardown_gpadl_u32(struct vmbus_channel *c,
					   u32 handle)
{
	struct kmcl_hv_gpadl gp = { };

	gp.g.gpadl_handle = handle;
	kmcl_hv_model_teardown_gpadl(c, &gp);
	return 0;
}

static int kmcl_hv_model_allocate_mmio(struct resource **res,
				       struct hv_device *hdev,
				       resource_size_t min,
				       resource_size_t max,
				       resource_size_t size,
				       resource_size_t align,
				       bool fb_overlap_ok)
{
	struct kmcl_hv_model *m = kmcl_hv_model_current();
	struct kmcl_hv_mcall call = { .op = KMCL_HV_MOP_ALLOCATE_MMIO,
				      .chan = hdev->channel };
	struct kmcl_hv_mmmio *mm;
	resource_size_t start;
	int idx, ret = m->mmio_result;

	call.u.mmio.min = min;
	call.u.mmio.max = max;
	call.u.mmio.size = size;
	call.u.mmio.align = align;
	call.u.mmio.fb_overlap_ok = fb_overlap_ok;
	mm = ret ? NULL : kzalloc(sizeof(*mm), GFP_KERNEL);
	if (!ret && !mm)
		ret = -ENOMEM;
	if (!ret) {
		spin_lock_irq(&m->lock);
		start = max_t(resource_size_t, m->next_mmio, min);
		if (align)
			start = ALIGN(start, align);
		if (!size || start + size - 1 > max) {
			ret = -ENXIO;
		} else {
			mm->res.start = start;
			mm->res.end = start + size - 1;
			mm->res.name = "kmcl-model-mmio";
			mm->res.flags = IORESOURCE_MEM;
			m->next_mmio = start + size;
			list_add_tail(&mm->node, &m->mmio);
			*res = &mm->res;
			call.u.mmio.start = start;
		}
		spin_unlock_irq(&m->lock);
		if (ret)
			kfree(mm);
	}
	call.ret = ret;
	idx = kmcl_hv_model_log(m, &call);
	kmcl_hv_model_log_ret(m, idx, ret);
	return ret;
}

static void kmcl_hv_model_free_mmio(resource_size_t start,
				    resource_size_t size)
{
	struct kmcl_hv_model *m = kmcl_hv_model_current();
	struct kmcl_hv_mcall call = { .op = KMCL_HV_MOP_FREE_MMIO };
	struct kmcl_hv_mmmio *mm, *tmp, *found = NULL;

	call.u.mmio.start = start;
	call.u.mmio.size = size;
	kmcl_hv_model_log(m, &call);
	spin_lock_irq(&m->lock);
	list_for_each_entry_safe(mm, tmp, &m->mmio, node) {
		if (mm->res.start == start &&
		    resource_size(&mm->res) == size) {
			list_del(&mm->node);
			found = mm;
			break;
		}
	}
	spin_unlock_irq(&m->lock);
	kfree(found);
}

static bool kmcl_hv_model_is_isolated(void)
{
	return READ_ONCE(kmcl_hv_model_current()->isolated);
}

/* vmbus_set_sc_create_callback(). */
static void kmcl_hv_model_set_sc_callback(struct vmbus_channel *c,
					  void (*cb)(struct vmbus_channel *sc))
{
	WRITE_ONCE(c->sc_creation_callback, cb);
}

const struct kmcl_hv_ops kmcl_hv_model_ops = {
	.driver_register = kmcl_hv_model_driver_register,
	.driver_unregister = kmcl_hv_model_driver_unregister,
	.device_of = kmcl_hv_model_device_of,
	.watch_unbind = kmcl_hv_model_watch_unbind,
	.unwatch_unbind = kmcl_hv_model_unwatch_unbind,
	.open = kmcl_hv_model_open,
	.close = kmcl_hv_model_close,
	.set_cpu = kmcl_hv_model_set_cpu,
	.sendpacket = kmcl_hv_model_sendpacket,
	.sendpacket_mpb_desc = kmcl_hv_model_sendpacket_mpb,
	.set_pending_send_size = kmcl_hv_model_set_pending,
	.bytes_to_write = kmcl_hv_model_bytes_to_write,
	.pkt_iter_first = kmcl_hv_model_iter_first,
	.pkt_iter_next = kmcl_hv_model_iter_next,
	.pkt_iter_close = kmcl_hv_model_iter_close,
	.begin_read = kmcl_hv_model_begin_read,
	.end_read = kmcl_hv_model_end_read,
	.establish_gpadl = kmcl_hv_model_establish_gpadl,
	.teardown_gpadl = kmcl_hv_model_teardown_gpadl,
	.alloc_buffer = kmcl_hv_model_alloc_buffer,
	.free_buffer = kmcl_hv_model_free_buffer,
	/* Dropping a mapping calls nothing of hv_vmbus: the real one. */
	.leak_buffer = kmcl_hv_leak_buffer,
	.establish_gpadl_caller_decrypted =
		kmcl_hv_model_establish_caller_decrypted,
	.allocate_mmio = kmcl_hv_model_allocate_mmio,
	.free_mmio = kmcl_hv_model_free_mmio,
	.set_sc_callback = kmcl_hv_model_set_sc_callback,
	.is_isolated = kmcl_hv_model_is_isolated,
	.set_decrypted = kmcl_hv_model_set_decrypted,
	.set_encrypted = kmcl_hv_model_set_encrypted,
};

/* --- subchannels ------------------------------------------------------------ */

/**
 * kmcl_hv_model_offer_sub() - the host offers a subchannel
 * @primary: the device whose channel it is a subchannel of.
 * @via: the device whose sc_creation_callback hv_vmbus calls: @primary,
 *	or (hostile or racing) another one; NULL: @primary.
 * @index: offer.sub_channel_index.
 *
 * As vmbus_process_offer() and vmbus_add_channel_work(): the channel has
 * @primary's type and instance, primary_channel set, no device; the
 * callback runs in this thread if one is set. No driver ever probes it.
 *
 * Return: the subchannel, or NULL if out of memory.
 */
struct kmcl_hv_mdev *kmcl_hv_model_offer_sub(struct kmcl_hv_mdev *primary,
					     struct kmcl_hv_mdev *via,
					     u16 index)
{
	struct kmcl_hv_model *m = primary->m;
	void (*cb)(struct vmbus_channel *sc);
	struct kmcl_hv_msc *msc;
	struct kmcl_hv_mdev *md;

	md = kmcl_hv_model_new_dev(m, &primary->hdev.dev_type,
				   &primary->hdev.dev_instance, 0);
	if (!md)
		return NULL;
	msc = kzalloc(sizeof(*msc), GFP_KERNEL);
	if (!msc) {
		put_device(&md->hdev.device);
		return NULL;
	}
	msc->chan = *md->chan;
	msc->md = md;
	kfree(md->chan);
	md->chan = &msc->chan;
	md->hdev.channel = NULL;
	md->chan->device_obj = NULL;
	md->chan->primary_channel = primary->chan;
	md->chan->offermsg.offer.sub_channel_index = index;
	md->primary = primary;
	md->driver_override = "kmcl-model-subchannel";
	mutex_lock(&m->bus_lock);
	list_add_tail(&md->node, &m->devs);
	mutex_unlock(&m->bus_lock);
	cb = READ_ONCE((via ?: primary)->chan->sc_creation_callback);
	if (cb)
		cb(md->chan);
	return md;
}

/**
 * kmcl_hv_model_rescind_sub() - the host rescinds one subchannel
 * @sub: a subchannel from kmcl_hv_model_offer_sub().
 *
 * As vmbus_onoffer_rescind() for a channel without a device: callbacks
 * stop, rescind is set, a call waiting for the host fails with -ENODEV;
 * no driver is told, sends fail with -ENODEV from now on.
 */
void kmcl_hv_model_rescind_sub(struct kmcl_hv_mdev *sub)
{
	kmcl_hv_model_reset_cb(sub);
	WRITE_ONCE(sub->chan->rescind, true);
	complete_all(&sub->host_wait);
}

/**
 * kmcl_hv_model_init() - set up a model and make it the current one
 * @m: the model (zeroed memory).
 *
 * Return: 0 or -ENOMEM.
 */
int kmcl_hv_model_init(struct kmcl_hv_model *m)
{
	spin_lock_init(&m->lock);
	mutex_init(&m->bus_lock);
	INIT_LIST_HEAD(&m->devs);
	INIT_LIST_HEAD(&m->drivers);
	INIT_LIST_HEAD(&m->nbs);
	INIT_LIST_HEAD(&m->mmio);
	m->next_gpadl = KMCL_HV_MODEL_GPADL0;
	m->next_mmio = KMCL_HV_MODEL_MMIO0;
	m->async_wq = alloc_workqueue("kmcl_hv_model", WQ_UNBOUND, 0);
	if (!m->async_wq)
		return -ENOMEM;
	WRITE_ONCE(kmcl_hv_model_cur, m);
	return 0;
}

/**
 * kmcl_hv_model_destroy() - free a model and everything it made
 * @m: the model. Drivers should be unregistered already; devices still
 *	open are closed here.
 */
void kmcl_hv_model_destroy(struct kmcl_hv_model *m)
{
	struct kmcl_hv_mdev *md, *tmp;
	struct kmcl_hv_mdrv *md_drv, *dtmp;
	struct kmcl_hv_mnb *mnb, *ntmp;
	struct kmcl_hv_mmmio *mm, *mtmp;

	flush_workqueue(m->async_wq);
	destroy_workqueue(m->async_wq);
	list_for_each_entry_safe(md, tmp, &m->devs, node) {
		list_del(&md->node);
		kmcl_hv_mdev_irq_quiesce(md);
		tasklet_kill(&md->tasklet);
		kmcl_hv_model_free_rings(md);
		put_device(&md->hdev.device);
	}
	list_for_each_entry_safe(md_drv, dtmp, &m->drivers, node) {
		list_del(&md_drv->node);
		kfree(md_drv);
	}
	list_for_each_entry_safe(mnb, ntmp, &m->nbs, node) {
		list_del(&mnb->node);
		kfree(mnb);
	}
	list_for_each_entry_safe(mm, mtmp, &m->mmio, node) {
		list_del(&mm->node);
		kfree(mm);
	}
	WRITE_ONCE(kmcl_hv_model_cur, NULL);
}
