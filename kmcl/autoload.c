// SPDX-License-Identifier: GPL-2.0-only
/*
 * Load order does not matter: a client channel whose parent is not the
 * loopback's is meant for the hv transport, and on a machine with a VMBus
 * the core loads kmcl_hv.ko for it (request_module) when no registered
 * transport claimed it. If that fails, the channel stays on the loopback
 * VMBus, where it waits for an offer that only a loopback server can make:
 * the log says so, and why.
 *
 * The two questions (is there a VMBus? can kmcl_hv be loaded?) go through
 * struct kmcl_autoload_ops, which the KUnit suite kmcl_autoload replaces to
 * order events deterministically.
 */

#include <linux/device.h>
#include <linux/kmod.h>
#include <linux/namei.h>
#include <linux/path.h>

#include "kmcl.h"

/* The bus hv_vmbus registers only on a Hyper-V guest. */
static bool kmcl_autoload_sysfs_vmbus(void)
{
	struct path path;

	if (kern_path("/sys/bus/vmbus", LOOKUP_FOLLOW, &path))
		return false;
	path_put(&path);
	return true;
}

static int kmcl_autoload_request_module(const char *name)
{
	return request_module("%s", name);
}

static const struct kmcl_autoload_ops kmcl_autoload_default = {
	.has_vmbus = kmcl_autoload_sysfs_vmbus,
	.request = kmcl_autoload_request_module,
};

static const struct kmcl_autoload_ops *kmcl_autoload_ops = &kmcl_autoload_default;

/**
 * kmcl_autoload_set_ops() - replace the VMBus check and the module loader
 * @ops: the replacement, or NULL for the real ones.
 *
 * For tests: the caller makes sure no channel is being allocated meanwhile.
 *
 * Return: the ops in use before (never NULL).
 */
const struct kmcl_autoload_ops *
kmcl_autoload_set_ops(const struct kmcl_autoload_ops *ops)
{
	return xchg(&kmcl_autoload_ops, ops ?: &kmcl_autoload_default);
}
EXPORT_SYMBOL_KMCL_NS(kmcl_autoload_set_ops, KMCL_TRANSPORT);

/**
 * kmcl_autoload_hv() - try to load the hv transport for a client channel
 * @parent: the channel's ParentDeviceObject (not the loopback's).
 *
 * Called when no registered transport claimed a new client channel.
 * Process context, no KMCL lock held (loading kmcl_hv registers it).
 *
 * Return: true if kmcl_hv was loaded (select the transport again); false
 * if the machine has no VMBus (nothing to say) or loading failed (logged).
 */
bool kmcl_autoload_hv(struct device *parent)
{
	const struct kmcl_autoload_ops *ops = READ_ONCE(kmcl_autoload_ops);
	int ret;

	might_sleep();
	if (!ops->has_vmbus())
		return false;
	ret = ops->request(KMCL_HV_MODULE);
	if (!ret)
		return true;
	pr_warn_ratelimited("client channel of %s: this machine has a VMBus, but %s could not be loaded (%d); the channel stays on the loopback VMBus and waits for a loopback offer. Install %s, or load it before the driver.\n",
			    dev_name(parent), KMCL_HV_MODULE, ret, KMCL_HV_MODULE);
	return false;
}
