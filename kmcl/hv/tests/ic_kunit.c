// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_hv_ic: the ported heartbeat Integration Component
 * (samples/kmcl/kmcl_ic_heartbeat.c), unmodified, through kmcl_hv over the
 * model of hv_vmbus, with the model playing the Hyper-V host
 * (model_ic.c): the device appears, the host negotiates and sends
 * heartbeats, and each case checks the bytes of the IC's answers on the
 * host's side of the ring and the IC's own counters.
 *
 * The sample's source is compiled into this file; its module entry points
 * become the functions kic_sample_load() and kic_sample_unload(), which
 * each case calls the way insmod and rmmod would.
 */
#include <kunit/test.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

/*
 * The sample's module entry points become ordinary functions here. It
 * comes before the project's headers: its INITGUID must be in effect the
 * first time the GUID definitions are read.
 */
#undef __init
#define __init
#undef __exit
#define __exit
#undef module_init
#define module_init(fn)	static int (*const kic_sample_load)(void) = fn
#undef module_exit
#define module_exit(fn)	static void (*const kic_sample_unload)(void) = fn
#undef MODULE_DESCRIPTION
#define MODULE_DESCRIPTION(text) \
	static const char kic_sample_description[] __maybe_unused = text
#undef pr_fmt
#include "kmcl_ic_heartbeat.c"

#include "kmcl.h"
#include "chan.h"
#include "fixture.h"
#include "model.h"
#include "model_ic.h"

KMCL_IMPORT(KMCL_TRANSPORT);

#define KIC_WAIT_MS	5000

#define kic_wait_for(cond)						\
	({								\
		unsigned long __end = jiffies + msecs_to_jiffies(KIC_WAIT_MS); \
		bool __ok;						\
		while (!(__ok = (cond)) && time_before(jiffies, __end))	\
			usleep_range(2000, 3000);			\
		__ok;							\
	})

/* The instance the model's host offers. */
static const guid_t kic_inst =
	GUID_INIT(0x2dd1ce17, 0x079e, 0x403c, 0xb3, 0x52, 0xa1, 0x92, 0x1e, 0xe2, 0x07, 0xee);

static const u32 kic_fw_current[] = { IC_FRAMEWORK_VERSION_3_0, IC_FRAMEWORK_VERSION_1_0 };
static const u32 kic_hb_current[] = { IC_HEARTBEAT_VERSION_3_0, IC_HEARTBEAT_VERSION_1_0 };

/**
 * struct kic_ctx - per-case state
 * @f: the model and the hv transport over it (fixture.h).
 * @loaded: the sample is loaded.
 * @md: the heartbeat device, once offered.
 * @msg: a message being built.
 * @a: the last answer.
 */
struct kic_ctx {
	struct kmcl_hv_fixture f;
	bool loaded;
	struct kmcl_hv_mdev *md;
	u8 msg[IC_MAX_MESSAGE * 2];
	struct kmcl_hv_mic_answer a;
};

static void kic_unload(struct kic_ctx *ctx)
{
	if (ctx->loaded) {
		kic_sample_unload();
		ctx->loaded = false;
	}
}

/* Runs last: after the sample let go of its channel. */
static void kic_teardown(void *data)
{
	struct kic_ctx *ctx = data;

	kic_unload(ctx);
	kmcl_hv_fixture_teardown(&ctx->f);
}

static int kic_init(struct kunit *test)
{
	struct kic_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	if (kmcl_hv_fixture_setup(&ctx->f, NULL, false))
		KUNIT_FAIL_AND_ABORT(test, "cannot set up the hv model");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kic_teardown, ctx), 0);
	test->priv = ctx;
	return 0;
}

/* insmod the sample: it waits for the heartbeat device on kmcl_hv. */
static void kic_load(struct kunit *test)
{
	struct kic_ctx *ctx = test->priv;

	KUNIT_ASSERT_EQ(test, kic_sample_load(), 0);
	ctx->loaded = true;
	KUNIT_ASSERT_NOT_NULL(test, IcHeartbeat);
	KUNIT_ASSERT_STREQ(test, kmcl_channel_from_handle(IcHeartbeat->Channel)->tops->name,
			   "hv");
}

/* The host offers the heartbeat device; the IC's channel opens. */
static void kic_offer(struct kunit *test)
{
	struct kic_ctx *ctx = test->priv;

	ctx->md = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&IC_HEARTBEAT_INTERFACE_TYPE,
				    &kic_inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->md);
	KUNIT_ASSERT_TRUE(test, kic_wait_for(READ_ONCE(IcHeartbeat->Open)));
}

static long kic_count(atomic_long_t *c)
{
	return atomic_long_read(c);
}

/* Send @len bytes of ctx->msg and read the answer into ctx->a. */
static PIC_MESSAGE kic_exchange(struct kunit *test, u32 len)
{
	struct kic_ctx *ctx = test->priv;

	KUNIT_ASSERT_EQ(test, kmcl_hv_mic_send(ctx->md, ctx->msg, len), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_mic_recv(ctx->md, &ctx->a, KIC_WAIT_MS), 0);
	/* A new in-band packet with no completion asked for, padded to 8. */
	KUNIT_EXPECT_EQ(test, ctx->a.type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, ctx->a.flags, 0);
	KUNIT_EXPECT_EQ(test, ctx->a.len, ALIGN(len, 8));
	return (PIC_MESSAGE)ctx->a.data;
}

/* The answer's header: the request's, with the response flags. */
static void kic_expect_answer(struct kunit *test, PIC_MESSAGE a, u16 type, u32 status)
{
	KUNIT_EXPECT_EQ(test, a->Header.MessageType, type);
	KUNIT_EXPECT_EQ(test, a->Header.Status, status);
	KUNIT_EXPECT_EQ(test, a->Header.Flags, IC_MSGFLAG_TRANSACTION | IC_MSGFLAG_RESPONSE);
}

/* Negotiate with these versions; returns the answer's negotiation body. */
static PIC_NEGOTIATE kic_negotiate(struct kunit *test, const u32 *fw, u16 nfw,
				   const u32 *hb, u16 nhb)
{
	struct kic_ctx *ctx = test->priv;
	u32 len = kmcl_hv_mic_negotiate(ctx->msg, fw, nfw, hb, nhb);
	PIC_MESSAGE a = kic_exchange(test, max_t(u32, len, IC_NEGOTIATE_SIZE(2)));

	kic_expect_answer(test, a, IC_MSGTYPE_NEGOTIATE, IC_STATUS_OK);
	KUNIT_EXPECT_EQ(test, a->Header.MessageSize, IC_NEGOTIATE_ANSWER_SIZE);
	return (PIC_NEGOTIATE)(ctx->a.data + IC_HEADERS_SIZE);
}

static void kic_expect_versions(struct kunit *test, PIC_NEGOTIATE n, u32 fw, u32 hb)
{
	KUNIT_EXPECT_EQ(test, n->FrameworkCount, 1);
	KUNIT_EXPECT_EQ(test, n->ServiceCount, 1);
	KUNIT_EXPECT_EQ(test, IC_VERSION(n->Versions[0].Major, n->Versions[0].Minor), fw);
	KUNIT_EXPECT_EQ(test, IC_VERSION(n->Versions[1].Major, n->Versions[1].Minor), hb);
}

/* One heartbeat, answered with @seq + 1. */
static void kic_beat(struct kunit *test, u64 seq)
{
	struct kic_ctx *ctx = test->priv;
	PIC_MESSAGE a = kic_exchange(test, kmcl_hv_mic_heartbeat(ctx->msg, seq));
	PIC_HEARTBEAT_BODY b = (PIC_HEARTBEAT_BODY)(ctx->a.data + IC_HEADERS_SIZE);

	kic_expect_answer(test, a, IC_MSGTYPE_HEARTBEAT, IC_STATUS_OK);
	KUNIT_EXPECT_EQ(test, b->SequenceNumber, seq + 1);
}

/* The host's next message gets no answer at all. */
static void kic_expect_silence(struct kunit *test)
{
	struct kic_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, kmcl_hv_mic_recv(ctx->md, &ctx->a, 200), -ETIMEDOUT);
}

/* A current host: versions 3.0 and 3.0, then heartbeats, counted. */
static void kic_current_host(struct kunit *test)
{
	struct kic_ctx *ctx = test->priv;
	struct kmcl_hv_mcall call;
	u64 seq;

	kic_load(test);
	/* Loading waits: no device yet, nothing opened. */
	KUNIT_EXPECT_FALSE(test, READ_ONCE(IcHeartbeat->Open));
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_OPEN), 0U);
	kic_offer(test);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->f.m, KMCL_HV_MOP_OPEN, 0, &call));
	/* Room for the largest IC message in the incoming copy buffer. */
	KUNIT_EXPECT_GE(test, call.u.open.max_pkt_size, (u32)IC_MAX_MESSAGE);

	kic_expect_versions(test, kic_negotiate(test, kic_fw_current, 2, kic_hb_current, 2),
			    IC_FRAMEWORK_VERSION_3_0, IC_HEARTBEAT_VERSION_3_0);
	for (seq = 7; seq < 7 + 5 * 10; seq += 10)
		kic_beat(test, seq);
	/* The counter wraps as the host's does. */
	kic_beat(test, U64_MAX);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Requests), 6);
	KUNIT_EXPECT_TRUE(test, kic_wait_for(kic_count(&IcHeartbeat->Answers) == 6));
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Negotiations), 1);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Malformed), 0);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Refused), 0);

	kic_unload(ctx);
	/* Unloading closed the VMBus channel. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_CLOSE), 1U);
}

/* Older hosts: the newest version both sides list wins. */
static void kic_older_hosts(struct kunit *test)
{
	static const u32 fw_old[] = { IC_FRAMEWORK_VERSION_1_0 };
	static const u32 hb_old[] = { IC_VERSION(0, 9), IC_HEARTBEAT_VERSION_1_0 };
	static const u32 fw_mixed[] = { IC_VERSION(4, 0), IC_FRAMEWORK_VERSION_1_0,
					IC_FRAMEWORK_VERSION_3_0 };

	kic_load(test);
	kic_offer(test);
	kic_expect_versions(test, kic_negotiate(test, fw_old, 1, hb_old, 2),
			    IC_FRAMEWORK_VERSION_1_0, IC_HEARTBEAT_VERSION_1_0);
	kic_beat(test, 1);
	/* Order in the host's list does not matter; unknown ones are skipped. */
	kic_expect_versions(test, kic_negotiate(test, fw_mixed, 3, hb_old, 2),
			    IC_FRAMEWORK_VERSION_3_0, IC_HEARTBEAT_VERSION_1_0);
	kic_beat(test, 2);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Negotiations), 2);
	KUNIT_EXPECT_TRUE(test, kic_wait_for(kic_count(&IcHeartbeat->Answers) == 2));
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Malformed), 0);
}

/* Versions it does not know are refused; heartbeats then fail. */
static void kic_unknown_versions(struct kunit *test)
{
	static const u32 fw_new[] = { IC_VERSION(4, 0) };
	static const u32 hb_new[] = { IC_VERSION(4, 0), IC_VERSION(3, 1) };
	struct kic_ctx *ctx = test->priv;
	PIC_NEGOTIATE n;

	kic_load(test);
	kic_offer(test);
	n = kic_negotiate(test, fw_new, 1, kic_hb_current, 2);
	KUNIT_EXPECT_EQ(test, n->FrameworkCount, 0);
	KUNIT_EXPECT_EQ(test, n->ServiceCount, 0);
	n = kic_negotiate(test, kic_fw_current, 2, hb_new, 2);
	KUNIT_EXPECT_EQ(test, n->FrameworkCount, 0);
	KUNIT_EXPECT_EQ(test, n->ServiceCount, 0);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Refused), 2);

	/* Without agreed versions a heartbeat is answered with a failure. */
	kic_expect_answer(test, kic_exchange(test, kmcl_hv_mic_heartbeat(ctx->msg, 5)),
			  IC_MSGTYPE_HEARTBEAT, IC_STATUS_FAIL);
	KUNIT_EXPECT_EQ(test, ((PIC_HEARTBEAT_BODY)(ctx->a.data + IC_HEADERS_SIZE))->SequenceNumber,
			5ULL);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Answers), 0);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Malformed), 1);
}

/* Malformed messages: counted, answered with a failure or dropped. */
static void kic_malformed(struct kunit *test)
{
	struct kic_ctx *ctx = test->priv;
	PIC_NEGOTIATE body = (PIC_NEGOTIATE)(ctx->msg + IC_HEADERS_SIZE);
	PIC_NEGOTIATE n;
	u32 len;

	kic_load(test);
	kic_offer(test);
	kic_negotiate(test, kic_fw_current, 2, kic_hb_current, 2);

	/* Shorter than the headers: nothing to answer. */
	kmcl_hv_mic_header(ctx->msg, IC_MSGTYPE_HEARTBEAT, IC_HEADERS_SIZE);
	KUNIT_ASSERT_EQ(test, kmcl_hv_mic_send(ctx->md, ctx->msg, IC_HEADERS_SIZE - 4), 0);
	kic_expect_silence(test);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Malformed), 1);

	/* A heartbeat without its sequence number. */
	len = kmcl_hv_mic_header(ctx->msg, IC_MSGTYPE_HEARTBEAT, IC_HEARTBEAT_MIN_SIZE - 4);
	kic_expect_answer(test, kic_exchange(test, len), IC_MSGTYPE_HEARTBEAT, IC_STATUS_FAIL);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Malformed), 2);

	/* A type the IC does not know. */
	len = kmcl_hv_mic_header(ctx->msg, IC_MSGTYPE_HEARTBEAT + 40, IC_HEARTBEAT_MIN_SIZE);
	kic_expect_answer(test, kic_exchange(test, len), IC_MSGTYPE_HEARTBEAT + 40,
			  IC_STATUS_FAIL);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Malformed), 3);

	/* Still answering. */
	kic_beat(test, 100);

	/* A negotiation without its counts. */
	len = kmcl_hv_mic_header(ctx->msg, IC_MSGTYPE_NEGOTIATE, IC_HEADERS_SIZE + 4);
	kic_expect_answer(test, kic_exchange(test, len), IC_MSGTYPE_NEGOTIATE, IC_STATUS_FAIL);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Malformed), 4);

	/* Counts above the protocol's limit, every version present. */
	len = kmcl_hv_mic_header(ctx->msg, IC_MSGTYPE_NEGOTIATE,
				 IC_NEGOTIATE_SIZE(IC_MAX_VERSION_COUNT + 1));
	body->FrameworkCount = IC_MAX_VERSION_COUNT + 1;
	n = (PIC_NEGOTIATE)(ctx->a.data + IC_HEADERS_SIZE);
	kic_expect_answer(test, kic_exchange(test, len), IC_MSGTYPE_NEGOTIATE, IC_STATUS_OK);
	KUNIT_EXPECT_EQ(test, n->FrameworkCount, 0);
	KUNIT_EXPECT_EQ(test, n->ServiceCount, 0);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Malformed), 5);

	/* Counts that run past the end of the message. */
	len = kmcl_hv_mic_negotiate(ctx->msg, kic_fw_current, 2, kic_hb_current, 2);
	body->ServiceCount = 60;
	kic_expect_answer(test, kic_exchange(test, len), IC_MSGTYPE_NEGOTIATE, IC_STATUS_OK);
	KUNIT_EXPECT_EQ(test, n->FrameworkCount, 0);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Malformed), 6);
	/* Refused: the two with counts; the one without was answered "failed". */
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Refused), 2);

	/* Negotiated again, it answers again: nothing above ended the channel. */
	kic_expect_versions(test, kic_negotiate(test, kic_fw_current, 2, kic_hb_current, 2),
			    IC_FRAMEWORK_VERSION_3_0, IC_HEARTBEAT_VERSION_3_0);
	kic_beat(test, 200);
	KUNIT_EXPECT_TRUE(test, kic_wait_for(kic_count(&IcHeartbeat->Answers) == 2));
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Closes), 0);
}

/*
 * The largest IC message is answered in full. A longer packet never reaches
 * the IC: KMCL refuses a packet above the channel's maximum packet size and
 * stops the channel's incoming queue (its rule for a hostile peer), so
 * nothing after it is answered either.
 */
static void kic_oversized(struct kunit *test)
{
	struct kic_ctx *ctx = test->priv;
	PIC_MESSAGE a;
	u32 len;

	kic_load(test);
	kic_offer(test);
	kic_negotiate(test, kic_fw_current, 2, kic_hb_current, 2);

	len = kmcl_hv_mic_header(ctx->msg, IC_MSGTYPE_HEARTBEAT, IC_MAX_MESSAGE);
	((PIC_HEARTBEAT_BODY)(ctx->msg + IC_HEADERS_SIZE))->SequenceNumber = 41;
	a = kic_exchange(test, len);
	kic_expect_answer(test, a, IC_MSGTYPE_HEARTBEAT, IC_STATUS_OK);
	KUNIT_EXPECT_EQ(test, ((PIC_HEARTBEAT_BODY)(ctx->a.data + IC_HEADERS_SIZE))->SequenceNumber,
			42ULL);

	len = kmcl_hv_mic_header(ctx->msg, IC_MSGTYPE_HEARTBEAT, IC_MAX_MESSAGE + 8);
	KUNIT_ASSERT_EQ(test, kmcl_hv_mic_send(ctx->md, ctx->msg, len), 0);
	kic_expect_silence(test);
	KUNIT_ASSERT_EQ(test, kmcl_hv_mic_send(ctx->md, ctx->msg,
					       kmcl_hv_mic_heartbeat(ctx->msg, 50)), 0);
	kic_expect_silence(test);
	/* The IC saw neither; it answered one heartbeat in all. */
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Requests), 1);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Answers), 1);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Malformed), 0);
	/* Unloading still closes the VMBus channel cleanly. */
	kic_unload(ctx);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_CLOSE), 1U);
}

/* The host rescinds the device while the negotiation is under way. */
static void kic_rescind_mid_negotiation(struct kunit *test)
{
	struct kic_ctx *ctx = test->priv;
	u32 len;

	kic_load(test);
	kic_offer(test);
	len = kmcl_hv_mic_negotiate(ctx->msg, kic_fw_current, 2, kic_hb_current, 2);
	KUNIT_ASSERT_EQ(test, kmcl_hv_mic_send(ctx->md, ctx->msg, len), 0);
	/* Whether or not the IC got to answer, the rescind closes its channel. */
	kmcl_hv_model_rescind(ctx->md);
	KUNIT_EXPECT_TRUE(test, kic_wait_for(kic_count(&IcHeartbeat->Closes) == 1));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(IcHeartbeat->Open));
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Opens), 1);
	KUNIT_EXPECT_LE(test, kic_count(&IcHeartbeat->Negotiations), 1);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Answers), 0);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_CLOSE), 1U);
	/* Unloading after the rescind has nothing left to wait for. */
	kic_unload(ctx);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_CLOSE), 1U);
}

/* The host refuses the open: no channel, the IC still unloads cleanly. */
static void kic_host_refuses_open(struct kunit *test)
{
	struct kic_ctx *ctx = test->priv;

	ctx->f.m->open_result = -EAGAIN;
	kic_load(test);
	ctx->md = kmcl_hv_model_add(ctx->f.m, (const guid_t *)&IC_HEARTBEAT_INTERFACE_TYPE,
				    &kic_inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->md);
	KUNIT_EXPECT_TRUE(test, kic_wait_for(kmcl_hv_model_count(ctx->f.m, KMCL_HV_MOP_OPEN) == 1));
	msleep(50);
	KUNIT_EXPECT_EQ(test, kic_count(&IcHeartbeat->Opens), 0);
	kic_unload(ctx);
}

static struct kunit_case kmcl_hv_ic_cases[] = {
	KUNIT_CASE(kic_current_host),
	KUNIT_CASE(kic_older_hosts),
	KUNIT_CASE(kic_unknown_versions),
	KUNIT_CASE(kic_malformed),
	KUNIT_CASE(kic_oversized),
	KUNIT_CASE(kic_rescind_mid_negotiation),
	KUNIT_CASE(kic_host_refuses_open),
	{}
};

static struct kunit_suite kmcl_hv_ic_suite = {
	.name = "kmcl_hv_ic",
	.init = kic_init,
	.test_cases = kmcl_hv_ic_cases,
};

kunit_test_suite(kmcl_hv_ic_suite);
