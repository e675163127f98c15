// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared set-up of the kmcl_hv KUnit suites that run whole channels: see
 * fixture.h.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

#include "fixture.h"
#include "kmcl_hv.h"
#include "model.h"
#include "testpoint.h"

/**
 * kmcl_hv_fixture_setup() - a model, kmcl_hv over it, and a parent device
 * @f: zeroed fixture to fill.
 * @devname: name of a root device to register, or NULL for none.
 * @isolated: whether the model plays a confidential VM's host.
 *
 * Context: process context.
 * Return: 0, or -errno with nothing left behind.
 */
int kmcl_hv_fixture_setup(struct kmcl_hv_fixture *f, const char *devname,
			  bool isolated)
{
	int err;

	f->m = vzalloc(sizeof(*f->m));
	if (!f->m)
		return -ENOMEM;
	err = kmcl_hv_model_init(f->m);
	if (err)
		goto free_model;
	f->m->isolated = isolated;
	if (devname) {
		f->dev = root_device_register(devname);
		if (IS_ERR(f->dev)) {
			err = PTR_ERR(f->dev);
			f->dev = NULL;
			goto destroy_model;
		}
	}
	kmcl_hv_xport_init(&f->x, &kmcl_hv_model_ops, THIS_MODULE);
	err = kmcl_hv_xport_register(&f->x);
	if (err) {
		kmcl_hv_destroy(&f->x.hv);
		goto unregister_dev;
	}
	return 0;

unregister_dev:
	if (f->dev)
		root_device_unregister(f->dev);
	f->dev = NULL;
destroy_model:
	kmcl_hv_model_destroy(f->m);
free_model:
	vfree(f->m);
	f->m = NULL;
	return err;
}

/**
 * kmcl_hv_fixture_teardown() - undo kmcl_hv_fixture_setup()
 * @f: a fixture set up without error.
 *
 * Every channel of the test must be disabled and cleaned up by now.
 *
 * Context: process context.
 */
void kmcl_hv_fixture_teardown(struct kmcl_hv_fixture *f)
{
	kmcl_hv_xport_unregister(&f->x);
	kmcl_hv_model_destroy(f->m);
	vfree(f->m);
	if (f->dev)
		root_device_unregister(f->dev);
}

/* What runs at each test point: set by one test at a time. */
static struct {
	void (*fn)(void *ctx, void *obj);
	void *ctx;
} kmcl_hv_tps[KMCL_HV_TP_LATENCY_SET + 1];

/**
 * kmcl_hv_tp_hit() - a thread reached a test point
 * @tp: enum kmcl_hv_tp.
 * @obj: what the point passes (see enum kmcl_hv_tp).
 *
 * Runs the function set for @tp, if any, in the caller's context.
 */
void kmcl_hv_tp_hit(int tp, void *obj)
{
	void (*fn)(void *ctx, void *obj);

	/* Pairs with kmcl_hv_tp_set(): the context is set before @fn. */
	fn = smp_load_acquire(&kmcl_hv_tps[tp].fn);
	if (fn)
		fn(READ_ONCE(kmcl_hv_tps[tp].ctx), obj);
}

/**
 * kmcl_hv_tp_set() - choose what runs at a test point
 * @tp: enum kmcl_hv_tp.
 * @fn: called with @ctx and the point's object, or NULL for nothing.
 * @ctx: its context; must outlive every call (clear the point, then wait
 *	for the threads that may be in @fn).
 */
void kmcl_hv_tp_set(int tp, void (*fn)(void *ctx, void *obj), void *ctx)
{
	WRITE_ONCE(kmcl_hv_tps[tp].ctx, ctx);
	/* Pairs with kmcl_hv_tp_hit(): @ctx is visible before @fn. */
	smp_store_release(&kmcl_hv_tps[tp].fn, fn);
}
