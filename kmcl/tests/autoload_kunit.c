// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_autoload: load order does not matter. A client channel
 * whose parent is not the loopback's, allocated before kmcl_hv.ko is
 * loaded, makes the core load it (request_module) on a machine with a
 * VMBus, and then runs on it; loaded in the other order, nothing is
 * requested. The VMBus check and request_module() are replaced through
 * kmcl_autoload_set_ops(): the "module load" registers a stand-in
 * transport, so both orders run deterministically here, without a VMBus.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/string.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "../kmcl.h"
#include "kmcl_test_util.h"

KMCL_IMPORT(KMCL_TRANSPORT);

/**
 * struct ka_state - what the replaced ops saw and do
 * @has_vmbus: the answer of the VMBus check.
 * @request_result: what the module load returns.
 * @register_on_request: a successful load registers @xport.
 * @vmbus_checks: calls of the VMBus check.
 * @requests: module loads asked for.
 * @requested: the last module name asked for.
 * @xport: the stand-in for kmcl_hv's transport.
 * @registered: @xport is registered.
 * @parent: a device that is neither the loopback's nor a VMBus device.
 */
struct ka_state {
	bool has_vmbus;
	int request_result;
	bool register_on_request;
	unsigned int vmbus_checks;
	unsigned int requests;
	char requested[32];
	struct kmcl_transport xport;
	bool registered;
	struct device *parent;
};

static struct ka_state *ka;

static bool ka_has_vmbus(void)
{
	ka->vmbus_checks++;
	return ka->has_vmbus;
}

static int ka_request(const char *name)
{
	ka->requests++;
	strscpy(ka->requested, name, sizeof(ka->requested));
	if (!ka->request_result && ka->register_on_request &&
	    !kmcl_transport_register(&ka->xport))
		ka->registered = true;
	return ka->request_result;
}

static const struct kmcl_autoload_ops ka_ops = {
	.has_vmbus = ka_has_vmbus,
	.request = ka_request,
};

/* Claims every client, as kmcl_hv does for a parent that is no VMBus device. */
static int ka_claim(struct kmcl_transport *t, struct device *parent, bool server)
{
	return server ? KMCL_CLAIM_NONE : KMCL_CLAIM_DEFAULT;
}

static const struct kmcl_transport_ops ka_xport_ops = {
	.name = "autoload-stand-in",
	.claim = ka_claim,
};

static void ka_teardown(void *data)
{
	kmcl_autoload_set_ops(NULL);
	if (ka->registered)
		kmcl_transport_unregister(&ka->xport);
	root_device_unregister(ka->parent);
	ka = NULL;
}

static int ka_init(struct kunit *test)
{
	struct ka_state *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->parent = root_device_register("kmcl_autoload_kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(s->parent));
	s->xport.ops = &ka_xport_ops;
	s->xport.owner = THIS_MODULE;
	ka = s;
	kmcl_autoload_set_ops(&ka_ops);
	return kunit_add_action_or_reset(test, ka_teardown, NULL);
}

static void ka_cleanup_channel(void *ch)
{
	VmbChannelCleanup(ch);
}

/* Allocate a channel (cleaned up at the end); returns its transport's name. */
static const char *ka_alloc(struct kunit *test, struct device *parent, bool server)
{
	VMBCHANNEL ch = NULL;

	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(parent, server, &ch), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ka_cleanup_channel, ch), 0);
	return kmcl_channel_from_handle(ch)->tops->name;
}

/* kmcl_hv first: it claims the client, nothing is loaded. */
static void ka_hv_loaded_first(struct kunit *test)
{
	ka->has_vmbus = true;
	KUNIT_ASSERT_EQ(test, kmcl_transport_register(&ka->xport), 0);
	ka->registered = true;
	KUNIT_EXPECT_STREQ(test, ka_alloc(test, ka->parent, false), "autoload-stand-in");
	KUNIT_EXPECT_EQ(test, ka->requests, 0U);
	KUNIT_EXPECT_EQ(test, ka->vmbus_checks, 0U);
}

/* The VSC first: the core loads kmcl_hv, and the channel runs on it. */
static void ka_vsc_loaded_first(struct kunit *test)
{
	int refs = kmcl_test_module_refs(THIS_MODULE);

	ka->has_vmbus = true;
	ka->register_on_request = true;
	KUNIT_EXPECT_STREQ(test, ka_alloc(test, ka->parent, false), "autoload-stand-in");
	KUNIT_EXPECT_EQ(test, ka->vmbus_checks, 1U);
	KUNIT_EXPECT_EQ(test, ka->requests, 1U);
	KUNIT_EXPECT_STREQ(test, ka->requested, "kmcl_hv");
	KUNIT_EXPECT_TRUE(test, ka->registered);
	/* The channel pins the transport's module, as any hv channel does. */
	kmcl_test_expect_refs(test, THIS_MODULE, refs, 1);
	/* Loaded now: the next client needs no load. */
	KUNIT_EXPECT_STREQ(test, ka_alloc(test, ka->parent, false), "autoload-stand-in");
	KUNIT_EXPECT_EQ(test, ka->requests, 1U);
}

/* The load fails: the channel waits on loopback (and the log says why). */
static void ka_load_fails(struct kunit *test)
{
	ka->has_vmbus = true;
	ka->request_result = -ENOENT;
	KUNIT_EXPECT_STREQ(test, ka_alloc(test, ka->parent, false), "loopback");
	KUNIT_EXPECT_EQ(test, ka->requests, 1U);
	/* modprobe's own failure (a positive exit status) counts as well. */
	ka->request_result = 1;
	KUNIT_EXPECT_STREQ(test, ka_alloc(test, ka->parent, false), "loopback");
	KUNIT_EXPECT_EQ(test, ka->requests, 2U);
}

/* Loaded, yet nobody claims the client: loopback, no second load. */
static void ka_loaded_no_claim(struct kunit *test)
{
	ka->has_vmbus = true;
	KUNIT_EXPECT_STREQ(test, ka_alloc(test, ka->parent, false), "loopback");
	KUNIT_EXPECT_EQ(test, ka->requests, 1U);
	KUNIT_EXPECT_FALSE(test, ka->registered);
}

/* No VMBus: nothing is loaded, the client is a loopback client. */
static void ka_no_vmbus(struct kunit *test)
{
	ka->has_vmbus = false;
	ka->register_on_request = true;
	KUNIT_EXPECT_STREQ(test, ka_alloc(test, ka->parent, false), "loopback");
	KUNIT_EXPECT_EQ(test, ka->vmbus_checks, 1U);
	KUNIT_EXPECT_EQ(test, ka->requests, 0U);
}

/* Loopback parents and servers never need kmcl_hv: not even asked. */
static void ka_not_for_loopback_or_servers(struct kunit *test)
{
	ka->has_vmbus = true;
	ka->register_on_request = true;
	KUNIT_EXPECT_STREQ(test, ka_alloc(test, kmcl_loopback_parent(), false), "loopback");
	KUNIT_EXPECT_STREQ(test, ka_alloc(test, ka->parent, true), "loopback");
	KUNIT_EXPECT_STREQ(test, ka_alloc(test, kmcl_loopback_parent(), true), "loopback");
	KUNIT_EXPECT_EQ(test, ka->vmbus_checks, 0U);
	KUNIT_EXPECT_EQ(test, ka->requests, 0U);
}

static struct kunit_case kmcl_autoload_cases[] = {
	KUNIT_CASE(ka_hv_loaded_first),
	KUNIT_CASE(ka_vsc_loaded_first),
	KUNIT_CASE(ka_load_fails),
	KUNIT_CASE(ka_loaded_no_claim),
	KUNIT_CASE(ka_no_vmbus),
	KUNIT_CASE(ka_not_for_loopback_or_servers),
	{}
};

static struct kunit_suite kmcl_autoload_suite = {
	.name = "kmcl_autoload",
	.init = ka_init,
	.test_cases = kmcl_autoload_cases,
};

kunit_test_suite(kmcl_autoload_suite);
