/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The set-up that every KUnit suite driving whole KMCL channels through
 * kmcl_hv shares: a model of hv_vmbus, kmcl_hv's transport registered over
 * it, and optionally a root device to use as a ParentDeviceObject.
 */
#ifndef _KMCL_HV_TESTS_FIXTURE_H
#define _KMCL_HV_TESTS_FIXTURE_H

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/types.h>

#include "kmcl.h"
#include "chan.h"

struct device;
struct kmcl_hv_model;

/**
 * struct kmcl_hv_fixture - the model and the transport over it
 * @m: the model (vmalloc'ed: it is large).
 * @x: kmcl_hv's transport, registered with the core over @m.
 * @dev: a root device, or NULL when none was asked for.
 */
struct kmcl_hv_fixture {
	struct kmcl_hv_model *m;
	struct kmcl_hv_xport x;
	struct device *dev;
};

/*
 * kmcl_hv_wait_for(cond) - poll @cond for up to 5 s, with the model's
 * deferred work running meanwhile; true once it held.
 */
#define kmcl_hv_wait_for(cond)						\
	({								\
		unsigned long __end = jiffies + 5 * HZ;			\
		bool __ok;						\
		while (!(__ok = (cond)) && time_before(jiffies, __end))	\
			usleep_range(2000, 3000);			\
		__ok;							\
	})

int kmcl_hv_fixture_setup(struct kmcl_hv_fixture *f, const char *devname,
			  bool isolated);
void kmcl_hv_fixture_teardown(struct kmcl_hv_fixture *f);

#endif /* _KMCL_HV_TESTS_FIXTURE_H */
