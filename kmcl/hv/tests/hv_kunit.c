// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_hv: kmcl_hv against a model of hv_vmbus (model.c), and
 * the model against hv_vmbus's documented numbers. Offers and watches
 * (offer.c) are checked through the hv_vmbus calls they make and the
 * callbacks their users get; one case runs the real hv_vmbus of the test
 * kernel, which has no VMBus.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "kmcl_hv.h"
#include "model.h"

/* Interface types and instances used by the tests (random values). */
static const guid_t kt_type_a = GUID_INIT(0x6b4e3d2c, 0x1a2b, 0x4c3d, 0x8e, 0x9f,
					  0x10, 0x21, 0x32, 0x43, 0x54, 0x65);
static const guid_t kt_type_b = GUID_INIT(0x7c5f4e3d, 0x2b3c, 0x4d4e, 0x9f, 0xa0,
					  0x21, 0x32, 0x43, 0x54, 0x65, 0x76);
static const guid_t kt_inst_1 = GUID_INIT(0x11111111, 0x2222, 0x4333, 0x84, 0x44,
					  0x55, 0x55, 0x66, 0x66, 0x77, 0x77);
static const guid_t kt_inst_2 = GUID_INIT(0x21111111, 0x2222, 0x4333, 0x84, 0x44,
					  0x55, 0x55, 0x66, 0x66, 0x77, 0x78);

/**
 * struct kt_watch - a watch with a test user that counts callbacks
 * @w: the watch.
 * @bound: ops->bound calls.
 * @revoke: ops->revoke calls.
 * @suspend: ops->suspend calls.
 * @resume: ops->resume calls.
 */
struct kt_watch {
	struct kmcl_hv_watch w;
	atomic_t bound;
	atomic_t revoke;
	atomic_t suspend;
	atomic_t resume;
};

static void kt_bound(struct kmcl_hv_watch *w)
{
	atomic_inc(&container_of(w, struct kt_watch, w)->bound);
}

static void kt_revoke(struct kmcl_hv_watch *w)
{
	atomic_inc(&container_of(w, struct kt_watch, w)->revoke);
}

static void kt_suspend(struct kmcl_hv_watch *w)
{
	atomic_inc(&container_of(w, struct kt_watch, w)->suspend);
}

static void kt_resume(struct kmcl_hv_watch *w)
{
	atomic_inc(&container_of(w, struct kt_watch, w)->resume);
}

static const struct kmcl_hv_watch_ops kt_watch_ops = {
	.bound = kt_bound,
	.revoke = kt_revoke,
	.suspend = kt_suspend,
	.resume = kt_resume,
};

/**
 * struct kt_ctx - per-test state
 * @m: the model.
 * @hv: a kmcl_hv instance on the model.
 * @hv_up: @hv needs kmcl_hv_destroy().
 */
struct kt_ctx {
	struct kmcl_hv_model *m;
	struct kmcl_hv hv;
	bool hv_up;
};

static struct kt_watch *kt_new_watch(struct kunit *test, const guid_t *type,
				     const guid_t *instance)
{
	struct kt_watch *kw = kunit_kzalloc(test, sizeof(*kw), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, kw);
	kw->w.ops = &kt_watch_ops;
	guid_copy(&kw->w.type, type);
	if (instance)
		guid_copy(&kw->w.instance, instance);
	kw->w.any_instance = !instance;
	return kw;
}

/* The driver name kmcl_hv uses for @type. */
static void kt_drv_name(const guid_t *type, char *buf, size_t len)
{
	snprintf(buf, len, "kmcl_hv-%pUl", type);
}

/* Wait up to 5 s for @cond (polled every 5 ms). */
#define kt_wait_for(cond)						\
	({								\
		unsigned long __end = jiffies + 5 * HZ;			\
		bool __ok;						\
		while (!(__ok = (cond)) && time_before(jiffies, __end))	\
			usleep_range(5000, 6000);			\
		__ok;							\
	})

static int kt_init(struct kunit *test)
{
	struct kt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->m = vzalloc(sizeof(*ctx->m));
	KUNIT_ASSERT_NOT_NULL(test, ctx->m);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_init(ctx->m), 0);
	kmcl_hv_init(&ctx->hv, &kmcl_hv_model_ops);
	ctx->hv_up = true;
	test->priv = ctx;
	return 0;
}

static void kt_exit(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;

	if (!ctx)
		return;
	if (ctx->hv_up)
		kmcl_hv_destroy(&ctx->hv);
	kmcl_hv_model_destroy(ctx->m);
	vfree(ctx->m);
}

/* The type's driver has been unregistered (by its work item). */
static bool kt_unregistered(struct kt_ctx *ctx, unsigned int n)
{
	return kmcl_hv_model_count(ctx->m, KMCL_HV_MOP_DRIVER_UNREGISTER) >= n;
}

/* --- compat.h ------------------------------------------------------------- */

static void kt_txid_reserved(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, kmcl_hv_txid_usable(0));
	KUNIT_EXPECT_FALSE(test, kmcl_hv_txid_usable(U64_MAX));
	KUNIT_EXPECT_FALSE(test, kmcl_hv_txid_usable(VMBUS_RQST_ERROR));
	KUNIT_EXPECT_FALSE(test, kmcl_hv_txid_usable(VMBUS_RQST_INIT));
	KUNIT_EXPECT_FALSE(test, kmcl_hv_txid_usable(VMBUS_RQST_RESET));
	KUNIT_EXPECT_TRUE(test, kmcl_hv_txid_usable(1));
	KUNIT_EXPECT_TRUE(test, kmcl_hv_txid_usable(U64_MAX - 4));
}

static u64 kt_next_id(struct vmbus_channel *c, u64 addr)
{
	return 7;
}

static void kt_channel_settings(struct kunit *test)
{
	struct vmbus_channel *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->rqstor_size = 64;
	c->next_request_id_callback = kt_next_id;
	KUNIT_EXPECT_FALSE(test, kmcl_hv_requestor_is_off(c));
	kmcl_hv_requestor_off(c);
	KUNIT_EXPECT_EQ(test, c->rqstor_size, 0U);
	KUNIT_EXPECT_PTR_EQ(test, (void *)c->next_request_id_callback, NULL);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_requestor_is_off(c));

	/* The test kernel (6.12) copies packets out, up to max_pkt_size. */
	KUNIT_EXPECT_TRUE(test, kmcl_hv_set_max_pkt_size(c, 8216));
	KUNIT_EXPECT_EQ(test, c->max_pkt_size, 8216U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_max_pkt_size(c), 8216U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_set_low_latency(c, true), 0);
	KUNIT_EXPECT_TRUE(test, c->low_latency);
	/* 6.12.y lets the caller set rangecount. */
	KUNIT_EXPECT_EQ(test, KMCL_HV_MPB_MAX_RANGES, U32_MAX);
}

/* --- the model against hv_vmbus's numbers ------------------------------------ */

static struct kmcl_hv_mdev *kt_open_dev(struct kunit *test, u32 send,
					u32 recv, u32 max_pkt)
{
	struct kt_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md;

	md = kmcl_hv_model_add(ctx->m, &kt_type_a, &kt_inst_1, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	md->chan->max_pkt_size = max_pkt;
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_ops.open(md->chan, send, recv,
						     NULL, 0, NULL, NULL), 0);
	return md;
}

static void kt_model_open_args(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md;
	struct kmcl_hv_mcall call;
	u8 ud[MAX_USER_DEFINED_BYTES + 1] = { 1, 2, 3, 4 };

	md = kmcl_hv_model_add(ctx->m, &kt_type_a, &kt_inst_1, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	set_channel_read_mode(md->chan, HV_CALL_DIRECT);
	/* Not a multiple of PAGE_SIZE: vmbus_alloc_ring() refuses. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_ops.open(md->chan, 3 * PAGE_SIZE + 8,
						     3 * PAGE_SIZE, NULL, 0,
						     NULL, NULL), -EINVAL);
	/* More user data than an OPENCHANNEL message holds. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_ops.open(md->chan, 3 * PAGE_SIZE,
						     3 * PAGE_SIZE, ud,
						     MAX_USER_DEFINED_BYTES + 1,
						     NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_ops.open(md->chan, 4 * PAGE_SIZE,
						     3 * PAGE_SIZE, ud, 4,
						     NULL, NULL), 0);
	/* max_pkt_size 0 became the kernel default, and the buffer has it. */
	KUNIT_EXPECT_EQ(test, md->chan->max_pkt_size, VMBUS_DEFAULT_MAX_PKT_SIZE);
	KUNIT_EXPECT_EQ(test, md->chan->inbound.pkt_buffer_size,
			VMBUS_DEFAULT_MAX_PKT_SIZE);
	KUNIT_EXPECT_EQ(test, md->chan->outbound.ring_datasize, 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, md->chan->inbound.ring_datasize, 2 * PAGE_SIZE);
	/* Already open. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_ops.open(md->chan, 4 * PAGE_SIZE,
						     3 * PAGE_SIZE, NULL, 0,
						     NULL, NULL), -EINVAL);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m, KMCL_HV_MOP_OPEN, 2,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.open.send_size, 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, call.u.open.recv_size, 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, call.u.open.userdatalen, 4U);
	KUNIT_EXPECT_EQ(test, call.u.open.userdata[3], 4);
	KUNIT_EXPECT_EQ(test, call.u.open.mode, HV_CALL_DIRECT);
	KUNIT_EXPECT_EQ(test, call.u.open.max_pkt_size, 0U);
	KUNIT_EXPECT_EQ(test, call.ret, 0);
	kmcl_hv_model_ops.close(md->chan);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m, KMCL_HV_MOP_CLOSE), 1U);
}

static void kt_model_ring_full(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *md;
	struct kmcl_hv_mcall call;
	static u8 buf[8192];

	/* Data area: 2 pages. A packet needs more free bytes than 16 + len + 8. */
	md = kt_open_dev(test, 3 * PAGE_SIZE, 3 * PAGE_SIZE, 0);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_ops.sendpacket(md->chan, buf,
							   8192 - 24, 5,
							   VM_PKT_DATA_INBAND,
							   0), -EAGAIN);
	KUNIT_EXPECT_EQ(test, md->chan->outbound.ring_buffer->write_index, 0U);
	KUNIT_EXPECT_EQ(test, md->host_signals, 0U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_ops.sendpacket(md->chan, buf,
							   8192 - 32, 5,
							   VM_PKT_DATA_INBAND,
							   0), 0);
	KUNIT_EXPECT_EQ(test, md->chan->outbound.ring_buffer->write_index,
			8192U - 8);
	/* Empty to non-empty, interrupts not masked: one signal. */
	KUNIT_EXPECT_EQ(test, md->host_signals, 1U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_ops.sendpacket(md->chan, NULL, 0, 5,
							   VM_PKT_COMP, 0),
			-EAGAIN);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m,
						   KMCL_HV_MOP_SENDPACKET, 2,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.send.type, VM_PKT_COMP);
	KUNIT_EXPECT_EQ(test, call.ret, -EAGAIN);
}

static void kt_model_trans_id(struct kunit *test)
{
	const u32 creq = VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
	struct vmpacket_descriptor *d;
	struct kmcl_hv_mdev *md;
	u64 payload = 0x0123456789abcdefULL;
	u8 pkt[64] __aligned(8);
	u32 len;

	md = kt_open_dev(test, 3 * PAGE_SIZE, 3 * PAGE_SIZE, 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_ops.sendpacket(md->chan, &payload, 8,
							   0x1234000000000001ULL,
							   VM_PKT_DATA_INBAND,
							   creq), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_recv(md, pkt, sizeof(pkt), &len),
			0);
	d = (void *)pkt;
	KUNIT_EXPECT_EQ(test, len, 24U);
	KUNIT_EXPECT_EQ(test, d->type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, d->offset8, 2);
	KUNIT_EXPECT_EQ(test, d->len8, 3);
	KUNIT_EXPECT_EQ(test, d->flags, creq);
	KUNIT_EXPECT_EQ(test, d->trans_id, 0x1234000000000001ULL);
	KUNIT_EXPECT_EQ(test, *(u64 *)(pkt + 16), payload);

	/* With a request-id callback (what kmcl_hv switches off) it is used. */
	md->chan->next_request_id_callback = kt_next_id;
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_ops.sendpacket(md->chan, &payload, 8,
							   99, VM_PKT_DATA_INBAND,
							   creq), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_recv(md, pkt, sizeof(pkt), &len),
			0);
	KUNIT_EXPECT_EQ(test, d->trans_id, 7ULL);
	/* ... but only for packets that request a completion. */
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_ops.sendpacket(md->chan, &payload, 8,
							   99, VM_PKT_COMP, 0), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_recv(md, pkt, sizeof(pkt), &len),
			0);
	KUNIT_EXPECT_EQ(test, d->trans_id, 99ULL);
	md->chan->next_request_id_callback = NULL;
}

static void kt_model_truncation(struct kunit *test)
{
	const struct vmpacket_descriptor *d;
	struct kmcl_hv_mdev *md;
	u8 data[112];
	u32 i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = i;
	md = kt_open_dev(test, 3 * PAGE_SIZE, 3 * PAGE_SIZE, 64);
	KUNIT_EXPECT_EQ(test, md->chan->inbound.pkt_buffer_size, 64U);
	/* 16 + 112 = 128 bytes on the wire, twice max_pkt_size. */
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND, 0, 3,
						      data, sizeof(data)), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(md, VM_PKT_DATA_INBAND, 0, 4,
						      data, 8), 0);
	d = kmcl_hv_model_ops.pkt_iter_first(md->chan);
	KUNIT_ASSERT_NOT_NULL(test, d);
	/* A copy, cut to max_pkt_size, with consistent lengths. */
	KUNIT_EXPECT_PTR_EQ(test, (void *)d, md->chan->inbound.pkt_buffer);
	KUNIT_EXPECT_EQ(test, d->len8, 8);
	KUNIT_EXPECT_EQ(test, d->trans_id, 3ULL);
	KUNIT_EXPECT_EQ(test, ((const u8 *)d)[63], 47);
	/* Stepping uses the cut length: the ring is now out of step. */
	d = kmcl_hv_model_ops.pkt_iter_next(md->chan, d);
	KUNIT_EXPECT_EQ(test, md->chan->inbound.priv_read_index, 72U);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_NE(test, d->trans_id, 4ULL);
}

static void kt_model_gpadl(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kmcl_hv_gpadl g1, g2, g3;
	struct kmcl_hv_mdev *md;
	struct kmcl_hv_mcall call;
	void *buf = (void *)__get_free_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	md = kt_open_dev(test, 3 * PAGE_SIZE, 3 * PAGE_SIZE, 0);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_ops.establish_gpadl(md->chan, buf,
								PAGE_SIZE, &g1),
			0);
	KUNIT_EXPECT_EQ(test, kmcl_hv_gpadl_handle(&g1), 0xE1E10U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_ops.establish_gpadl(md->chan, buf,
								PAGE_SIZE, &g2),
			0);
	KUNIT_EXPECT_EQ(test, kmcl_hv_gpadl_handle(&g2), 0xE1E11U);
	ctx->m->gpadl_result = -EDQUOT;
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_ops.establish_gpadl(md->chan, buf,
								PAGE_SIZE, &g3),
			-EDQUOT);
	KUNIT_EXPECT_FALSE(test, g3.leak);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_ops.teardown_gpadl(md->chan, &g1), 0);
	KUNIT_EXPECT_FALSE(test, g1.leak);
	KUNIT_EXPECT_EQ(test, kmcl_hv_gpadl_handle(&g1), 0U);
	ctx->m->reencrypt_fails = true;
	KUNIT_EXPECT_NE(test, kmcl_hv_model_ops.teardown_gpadl(md->chan, &g2), 0);
	KUNIT_EXPECT_TRUE(test, g2.leak);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m,
						   KMCL_HV_MOP_TEARDOWN_GPADL, 1,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.gpadl.handle, 0xE1E11U);
	KUNIT_EXPECT_PTR_EQ(test, call.u.gpadl.buffer, buf);
	/* g2 must be leaked by the caller; the model never shares memory. */
	free_page((unsigned long)buf);
}

/**
 * struct kt_opener - runs vmbus_open() on a work item
 * @work: the work.
 * @md: the device.
 * @ret: the result.
 * @done: set when it returned.
 */
struct kt_opener {
	struct work_struct work;
	struct kmcl_hv_mdev *md;
	int ret;
	bool done;
};

static void kt_opener_fn(struct work_struct *work)
{
	struct kt_opener *o = container_of(work, struct kt_opener, work);

	o->ret = kmcl_hv_model_ops.open(o->md->chan, 3 * PAGE_SIZE,
					3 * PAGE_SIZE, NULL, 0, NULL, NULL);
	WRITE_ONCE(o->done, true);
}

static void kt_model_rescind_waiting_open(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kt_opener o = { .ret = 1 };

	o.md = kmcl_hv_model_add(ctx->m, &kt_type_a, &kt_inst_1, 0);
	KUNIT_ASSERT_NOT_NULL(test, o.md);
	ctx->m->open_hold = true;
	INIT_WORK_ONSTACK(&o.work, kt_opener_fn);
	queue_work(system_unbound_wq, &o.work);
	/* From here on, always reach flush_work(): the work uses the stack. */
	KUNIT_EXPECT_TRUE(test, kt_wait_for(kmcl_hv_model_host_waiting(o.md)));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(o.done));
	kmcl_hv_model_rescind(o.md);
	flush_work(&o.work);
	destroy_work_on_stack(&o.work);
	KUNIT_EXPECT_EQ(test, o.ret, -ENODEV);
	KUNIT_EXPECT_FALSE(test, o.md->opened);
	/* Sends on a rescinded channel fail before touching the ring. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_ops.sendpacket(o.md->chan, NULL, 0, 1,
							   VM_PKT_COMP, 0),
			-ENODEV);
}

/* --- offers and watches ----------------------------------------------------- */

static void kt_driver_per_type(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kt_watch *a1 = kt_new_watch(test, &kt_type_a, NULL);
	struct kt_watch *a2 = kt_new_watch(test, &kt_type_a, &kt_inst_2);
	struct kt_watch *b = kt_new_watch(test, &kt_type_b, NULL);
	struct kmcl_hv_mcall call;
	char name[KMCL_HV_DRV_NAME_LEN];

	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &a1->w), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &a2->w), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &b->w), 0);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m,
						  KMCL_HV_MOP_DRIVER_REGISTER), 2U);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m,
						   KMCL_HV_MOP_DRIVER_REGISTER,
						   0, &call));
	kt_drv_name(&kt_type_a, name, sizeof(name));
	KUNIT_EXPECT_STREQ(test, call.u.drv.name, name);
	KUNIT_EXPECT_TRUE(test, guid_equal(&call.u.drv.id, &kt_type_a));
	KUNIT_EXPECT_TRUE(test, call.u.drv.has_suspend);
	KUNIT_EXPECT_TRUE(test, call.u.drv.has_resume);
	KUNIT_EXPECT_EQ(test, call.ret, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m,
						   KMCL_HV_MOP_DRIVER_REGISTER,
						   1, &call));
	KUNIT_EXPECT_TRUE(test, guid_equal(&call.u.drv.id, &kt_type_b));
	/* Nothing offered yet: everyone waits. */
	KUNIT_EXPECT_EQ(test, atomic_read(&a1->bound) + atomic_read(&a2->bound) +
			atomic_read(&b->bound), 0);
	KUNIT_EXPECT_TRUE(test, a1->w.waiting);
	KUNIT_EXPECT_PTR_EQ(test, kmcl_hv_watch_device(&a1->w), NULL);

	kmcl_hv_watch_cancel(&a1->w);
	kmcl_hv_watch_cancel(&a2->w);
	kmcl_hv_watch_cancel(&b->w);
	KUNIT_EXPECT_TRUE(test, kt_wait_for(kt_unregistered(ctx, 2)));
}

static void kt_existing_device(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kt_watch *kw = kt_new_watch(test, &kt_type_a, NULL);
	struct kmcl_hv_mdev *md;
	char name[KMCL_HV_DRV_NAME_LEN];

	/* Offered before anyone asked: nobody probes it yet. */
	md = kmcl_hv_model_add(ctx->m, &kt_type_a, &kt_inst_1, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	KUNIT_EXPECT_PTR_EQ(test, (void *)md->hdev.device.driver, NULL);

	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &kw->w), 0);
	/* Registration probed it and the watch got it at once. */
	kt_drv_name(&kt_type_a, name, sizeof(name));
	KUNIT_EXPECT_TRUE(test, kmcl_hv_model_bound_to(md, name));
	KUNIT_EXPECT_EQ(test, atomic_read(&kw->bound), 1);
	KUNIT_EXPECT_FALSE(test, kw->w.waiting);
	KUNIT_EXPECT_PTR_EQ(test, kmcl_hv_watch_device(&kw->w), &md->hdev);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_watch_usable(&kw->w));

	kmcl_hv_watch_cancel(&kw->w);	/* bound: no effect */
	KUNIT_EXPECT_PTR_EQ(test, kmcl_hv_watch_device(&kw->w), &md->hdev);
	kmcl_hv_watch_end(&kw->w);
	KUNIT_EXPECT_PTR_EQ(test, kmcl_hv_watch_device(&kw->w), NULL);
	/* Last user gone: the driver is unregistered, the device unbound. */
	KUNIT_EXPECT_TRUE(test, kt_wait_for(kt_unregistered(ctx, 1)));
	/* The log has the call at its start; the unbind follows. */
	KUNIT_EXPECT_TRUE(test, kt_wait_for(!kmcl_hv_model_bound_to(md, name)));
}

static void kt_hot_add_and_instances(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kt_watch *w2 = kt_new_watch(test, &kt_type_a, &kt_inst_2);
	struct kt_watch *any = kt_new_watch(test, &kt_type_a, NULL);
	struct kmcl_hv_mdev *md1, *md2;

	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &w2->w), 0);
	/* Instance 1 appears: probed, but w2 wants instance 2. */
	md1 = kmcl_hv_model_add(ctx->m, &kt_type_a, &kt_inst_1, 0);
	KUNIT_ASSERT_NOT_NULL(test, md1);
	KUNIT_EXPECT_NOT_NULL(test, md1->hdev.device.driver);
	KUNIT_EXPECT_EQ(test, atomic_read(&w2->bound), 0);
	/* Instance 2 appears (hot-add): w2 opens it. */
	md2 = kmcl_hv_model_add(ctx->m, &kt_type_a, &kt_inst_2, 0);
	KUNIT_ASSERT_NOT_NULL(test, md2);
	KUNIT_EXPECT_EQ(test, atomic_read(&w2->bound), 1);
	KUNIT_EXPECT_PTR_EQ(test, kmcl_hv_watch_device(&w2->w), &md2->hdev);
	/* A watch for any instance takes the free instance 1. */
	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &any->w), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&any->bound), 1);
	KUNIT_EXPECT_PTR_EQ(test, kmcl_hv_watch_device(&any->w), &md1->hdev);
	/* One driver for the type, registered once. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m,
						  KMCL_HV_MOP_DRIVER_REGISTER), 1U);
	kmcl_hv_watch_end(&w2->w);
	kmcl_hv_watch_end(&any->w);
}

static void kt_waiters_fifo(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kt_watch *first = kt_new_watch(test, &kt_type_a, NULL);
	struct kt_watch *second = kt_new_watch(test, &kt_type_a, NULL);
	struct kmcl_hv_mdev *md;

	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &first->w), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &second->w), 0);
	md = kmcl_hv_model_add(ctx->m, &kt_type_a, &kt_inst_1, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	KUNIT_EXPECT_EQ(test, atomic_read(&first->bound), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&second->bound), 0);
	/* The first one closes: the device goes to the next in line. */
	kmcl_hv_watch_end(&first->w);
	KUNIT_EXPECT_EQ(test, atomic_read(&second->bound), 1);
	KUNIT_EXPECT_PTR_EQ(test, kmcl_hv_watch_device(&second->w), &md->hdev);
	kmcl_hv_watch_end(&second->w);
	/* Ending twice changes nothing. */
	kmcl_hv_watch_end(&second->w);
	KUNIT_EXPECT_TRUE(test, kt_wait_for(kt_unregistered(ctx, 1)));
}

static void kt_rescind_bound(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kt_watch *kw = kt_new_watch(test, &kt_type_a, NULL);
	struct kmcl_hv_mdev *md;

	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &kw->w), 0);
	md = kmcl_hv_model_add(ctx->m, &kt_type_a, &kt_inst_1, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	KUNIT_ASSERT_EQ(test, atomic_read(&kw->bound), 1);

	kmcl_hv_model_rescind_async(md);
	KUNIT_ASSERT_TRUE(test, kt_wait_for(atomic_read(&kw->revoke) == 1));
	KUNIT_EXPECT_FALSE(test, kmcl_hv_watch_usable(&kw->w));
	/* remove() waits for the channel: the device is still there. */
	msleep(50);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(md->gone));
	KUNIT_EXPECT_PTR_EQ(test, kmcl_hv_watch_device(&kw->w), &md->hdev);

	kmcl_hv_watch_end(&kw->w);
	kmcl_hv_model_flush(ctx->m);
	KUNIT_EXPECT_TRUE(test, md->gone);
	KUNIT_EXPECT_PTR_EQ(test, (void *)md->hdev.device.driver, NULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&kw->revoke), 1);
	KUNIT_EXPECT_TRUE(test, kt_wait_for(kt_unregistered(ctx, 1)));
}

static void kt_rescind_free(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kt_watch *kw = kt_new_watch(test, &kt_type_a, &kt_inst_2);
	struct kmcl_hv_mdev *md;

	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &kw->w), 0);
	md = kmcl_hv_model_add(ctx->m, &kt_type_a, &kt_inst_1, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	/* Probed, not wanted: the rescind removes it without anyone noticing. */
	KUNIT_EXPECT_TRUE(test, kw->w.waiting);
	kmcl_hv_model_rescind_async(md);
	KUNIT_EXPECT_TRUE(test, kt_wait_for(READ_ONCE(md->gone)));
	KUNIT_EXPECT_EQ(test, atomic_read(&kw->revoke), 0);
	/* (Had the watch taken it, the removal would wait for this.) */
	if (!READ_ONCE(md->gone))
		kmcl_hv_watch_end(&kw->w);
	kmcl_hv_model_flush(ctx->m);
	kmcl_hv_watch_cancel(&kw->w);
	KUNIT_EXPECT_FALSE(test, kw->w.waiting);
	KUNIT_EXPECT_TRUE(test, kt_wait_for(kt_unregistered(ctx, 1)));
}

static void kt_reregister(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kt_watch *kw = kt_new_watch(test, &kt_type_a, NULL);
	struct kt_watch *again = kt_new_watch(test, &kt_type_a, NULL);
	struct kmcl_hv_mdev *md;

	md = kmcl_hv_model_add(ctx->m, &kt_type_a, &kt_inst_1, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &kw->w), 0);
	kmcl_hv_watch_end(&kw->w);
	KUNIT_ASSERT_TRUE(test, kt_wait_for(kt_unregistered(ctx, 1)));
	/* The call is logged before the bus detaches the device: wait for it. */
	KUNIT_EXPECT_TRUE(test, kt_wait_for(!READ_ONCE(md->hdev.device.driver)));
	/* A new client: the driver comes back and the device is probed again. */
	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &again->w), 0);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m,
						  KMCL_HV_MOP_DRIVER_REGISTER), 2U);
	KUNIT_EXPECT_EQ(test, atomic_read(&again->bound), 1);
	kmcl_hv_watch_end(&again->w);
}

static void kt_no_vmbus(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kt_watch *kw = kt_new_watch(test, &kt_type_a, NULL);
	struct kmcl_hv_mcall call;

	ctx->m->no_vmbus = true;
	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &kw->w), 0);
	KUNIT_EXPECT_TRUE(test, kw->w.waiting);
	KUNIT_EXPECT_TRUE(test, ctx->hv.no_vmbus);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m,
						   KMCL_HV_MOP_DRIVER_REGISTER,
						   0, &call));
	KUNIT_EXPECT_EQ(test, call.ret, -ENODEV);
	kmcl_hv_watch_cancel(&kw->w);
	kmcl_hv_watch_end(&kw->w);
	kmcl_hv_destroy(&ctx->hv);
	ctx->hv_up = false;
	/* Never registered, so never unregistered. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m,
						  KMCL_HV_MOP_DRIVER_UNREGISTER), 0U);
}

static int kt_dummy_probe(struct hv_device *hdev,
			  const struct hv_vmbus_device_id *id)
{
	return 0;
}

static void kt_register_error(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kt_watch *kw = kt_new_watch(test, &kt_type_a, NULL);
	struct hv_driver *other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	char *name = kunit_kzalloc(test, KMCL_HV_DRV_NAME_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_NOT_NULL(test, name);
	/* Someone else already has the driver name kmcl_hv wants. */
	kt_drv_name(&kt_type_a, name, KMCL_HV_DRV_NAME_LEN);
	other->name = name;
	other->probe = kt_dummy_probe;
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_ops.driver_register(other), 0);
	KUNIT_EXPECT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &kw->w), -EBUSY);
	KUNIT_EXPECT_FALSE(test, kw->w.waiting);
	KUNIT_EXPECT_PTR_EQ(test, kw->w.t, NULL);
	kmcl_hv_model_ops.driver_unregister(other);
	/* Then it works. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &kw->w), 0);
	kmcl_hv_watch_cancel(&kw->w);
}

static void kt_override_other_type(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kt_watch *kw = kt_new_watch(test, &kt_type_a, NULL);
	struct kmcl_hv_mdev *md_b, *md_a;
	char name[KMCL_HV_DRV_NAME_LEN];

	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &kw->w), 0);
	kt_drv_name(&kt_type_a, name, sizeof(name));
	/* driver_override points a type-B device at the type-A driver. */
	md_b = kmcl_hv_model_add_unbound(ctx->m, &kt_type_b, &kt_inst_1);
	KUNIT_ASSERT_NOT_NULL(test, md_b);
	md_b->driver_override = name;
	KUNIT_EXPECT_FALSE(test, kmcl_hv_model_reprobe(md_b));
	KUNIT_EXPECT_EQ(test, atomic_read(&kw->bound), 0);
	/* The documented takeover of a type-A device works the same way. */
	md_a = kmcl_hv_model_add_unbound(ctx->m, &kt_type_a, &kt_inst_1);
	KUNIT_ASSERT_NOT_NULL(test, md_a);
	md_a->driver_override = name;
	KUNIT_EXPECT_TRUE(test, kmcl_hv_model_reprobe(md_a));
	KUNIT_EXPECT_EQ(test, atomic_read(&kw->bound), 1);
	KUNIT_EXPECT_PTR_EQ(test, kmcl_hv_watch_device(&kw->w), &md_a->hdev);
	kmcl_hv_watch_end(&kw->w);
}

/**
 * struct kt_unbinder - runs an external unbind on a work item
 * @work: the work.
 * @md: the device.
 * @ok: notifiers that answered NOTIFY_OK.
 */
struct kt_unbinder {
	struct work_struct work;
	struct kmcl_hv_mdev *md;
	int ok;
};

static void kt_unbinder_fn(struct work_struct *work)
{
	struct kt_unbinder *u = container_of(work, struct kt_unbinder, work);

	u->ok = kmcl_hv_model_unbind_external(u->md);
}

static void kt_claim_and_parent(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kt_watch *kw = kt_new_watch(test, &kt_type_a, NULL);
	struct kt_watch *dup = kt_new_watch(test, &kt_type_a, NULL);
	struct kt_watch *wrong = kt_new_watch(test, &kt_type_b, NULL);
	struct kt_unbinder u = { .ok = -1 };
	struct device *plain = kunit_kzalloc(test, sizeof(*plain), GFP_KERNEL);
	struct hv_device *hdev;
	struct kmcl_hv_mdev *md;

	KUNIT_ASSERT_NOT_NULL(test, plain);
	md = kmcl_hv_model_add_unbound(ctx->m, &kt_type_a, &kt_inst_1);
	KUNIT_ASSERT_NOT_NULL(test, md);

	KUNIT_EXPECT_EQ(test, kmcl_hv_claim(&ctx->hv, &md->hdev.device, false,
					    &hdev), KMCL_HV_CLAIM_DEVICE);
	KUNIT_EXPECT_PTR_EQ(test, hdev, &md->hdev);
	KUNIT_EXPECT_EQ(test, kmcl_hv_claim(&ctx->hv, &md->hdev.device, true,
					    &hdev), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, kmcl_hv_claim(&ctx->hv, plain, false, &hdev),
			KMCL_HV_CLAIM_DEFAULT);
	KUNIT_EXPECT_PTR_EQ(test, hdev, NULL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_claim(&ctx->hv, plain, true, &hdev),
			KMCL_HV_CLAIM_NONE);

	/* The VSC's own device: bound at once, no driver registered. */
	kw->w.parent = &md->hdev;
	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &kw->w), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&kw->bound), 1);
	KUNIT_EXPECT_PTR_EQ(test, kmcl_hv_watch_device(&kw->w), &md->hdev);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m,
						  KMCL_HV_MOP_DRIVER_REGISTER), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m,
						  KMCL_HV_MOP_WATCH_UNBIND), 1U);
	/* One channel per device; and the type must agree if given. */
	dup->w.parent = &md->hdev;
	KUNIT_EXPECT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &dup->w), -EBUSY);
	wrong->w.parent = &md->hdev;
	KUNIT_EXPECT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &wrong->w), -EINVAL);

	/* The VSC's driver is unbound: the channel must close first. */
	u.md = md;
	INIT_WORK_ONSTACK(&u.work, kt_unbinder_fn);
	queue_work(system_unbound_wq, &u.work);
	KUNIT_EXPECT_TRUE(test, kt_wait_for(atomic_read(&kw->revoke) == 1));
	msleep(20);
	KUNIT_EXPECT_EQ(test, READ_ONCE(u.ok), -1);
	kmcl_hv_watch_end(&kw->w);
	flush_work(&u.work);
	destroy_work_on_stack(&u.work);
	KUNIT_EXPECT_EQ(test, u.ok, 1);
	/* The device is free again for a new parent-bound watch. */
	dup->w.parent = &md->hdev;
	KUNIT_EXPECT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &dup->w), 0);
	kmcl_hv_watch_end(&dup->w);
	/* Only one notifier registration for the instance's lifetime. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m,
						  KMCL_HV_MOP_WATCH_UNBIND), 1U);
	kmcl_hv_destroy(&ctx->hv);
	ctx->hv_up = false;
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m,
						  KMCL_HV_MOP_UNWATCH_UNBIND), 1U);
}

/**
 * struct kt_suspender - runs the driver's suspend on a work item
 * @work: the work.
 * @md: the device.
 * @ret: suspend's result.
 * @done: suspend returned.
 */
struct kt_suspender {
	struct work_struct work;
	struct kmcl_hv_mdev *md;
	int ret;
	bool done;
};

static void kt_suspender_fn(struct work_struct *work)
{
	struct kt_suspender *s = container_of(work, struct kt_suspender, work);

	s->ret = kmcl_hv_model_suspend(s->md);
	WRITE_ONCE(s->done, true);
}

static void kt_suspend_resume(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct kt_watch *kw = kt_new_watch(test, &kt_type_a, NULL);
	struct kt_suspender s = { .ret = 1 };
	struct kmcl_hv_mdev *md;

	md = kmcl_hv_model_add(ctx->m, &kt_type_a, &kt_inst_1, 0);
	KUNIT_ASSERT_NOT_NULL(test, md);
	KUNIT_ASSERT_EQ(test, kmcl_hv_watch_start(&ctx->hv, &kw->w), 0);

	/* Bound but not open: nothing to close. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_suspend(md), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&kw->suspend), 0);
	KUNIT_EXPECT_FALSE(test, kmcl_hv_watch_usable(&kw->w));
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_resume(md), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&kw->resume), 1);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_watch_usable(&kw->w));

	/* Open: suspend asks for a close and waits for it. */
	kmcl_hv_watch_set_open(&kw->w, true);
	s.md = md;
	INIT_WORK_ONSTACK(&s.work, kt_suspender_fn);
	queue_work(system_unbound_wq, &s.work);
	KUNIT_EXPECT_TRUE(test, kt_wait_for(atomic_read(&kw->suspend) == 1));
	msleep(20);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(s.done));
	kmcl_hv_watch_set_open(&kw->w, false);
	flush_work(&s.work);
	destroy_work_on_stack(&s.work);
	KUNIT_EXPECT_EQ(test, s.ret, 0);
	/* The watch is kept across hibernation. */
	KUNIT_EXPECT_PTR_EQ(test, kmcl_hv_watch_device(&kw->w), &md->hdev);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_resume(md), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&kw->resume), 2);
	KUNIT_EXPECT_TRUE(test, kmcl_hv_watch_usable(&kw->w));
	kmcl_hv_watch_end(&kw->w);
}

/* --- the real hv_vmbus of the test kernel (HYPERV=y, no VMBus) ------------ */

static void kt_real_no_vmbus(struct kunit *test)
{
	struct kt_watch *kw = kt_new_watch(test, &kt_type_a, NULL);
	struct kmcl_hv *hv = kunit_kzalloc(test, sizeof(*hv), GFP_KERNEL);
	struct device *plain = kunit_kzalloc(test, sizeof(*plain), GFP_KERNEL);
	struct hv_device *hdev;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, hv);
	KUNIT_ASSERT_NOT_NULL(test, plain);
	kmcl_hv_init(hv, &kmcl_hv_vmbus_ops);
	/* Not on the VMBus: a client channel with its own device is ours. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_claim(hv, plain, false, &hdev),
			KMCL_HV_CLAIM_DEFAULT);
	ret = kmcl_hv_watch_start(hv, &kw->w);
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (!ret && !hv->no_vmbus) {
		kmcl_hv_watch_cancel(&kw->w);
		kmcl_hv_destroy(hv);
		kunit_skip(test, "this machine has a VMBus");
	}
	/* The offer never comes; stopping the wait returns at once. */
	msleep(100);
	KUNIT_EXPECT_TRUE(test, kw->w.waiting);
	KUNIT_EXPECT_EQ(test, atomic_read(&kw->bound), 0);
	kmcl_hv_watch_cancel(&kw->w);
	KUNIT_EXPECT_FALSE(test, kw->w.waiting);
	kmcl_hv_watch_end(&kw->w);
	kmcl_hv_destroy(hv);
}

static struct kunit_case kmcl_hv_cases[] = {
	KUNIT_CASE(kt_txid_reserved),
	KUNIT_CASE(kt_channel_settings),
	KUNIT_CASE(kt_model_open_args),
	KUNIT_CASE(kt_model_ring_full),
	KUNIT_CASE(kt_model_trans_id),
	KUNIT_CASE(kt_model_truncation),
	KUNIT_CASE(kt_model_gpadl),
	KUNIT_CASE(kt_model_rescind_waiting_open),
	KUNIT_CASE(kt_driver_per_type),
	KUNIT_CASE(kt_existing_device),
	KUNIT_CASE(kt_hot_add_and_instances),
	KUNIT_CASE(kt_waiters_fifo),
	KUNIT_CASE(kt_rescind_bound),
	KUNIT_CASE(kt_rescind_free),
	KUNIT_CASE(kt_reregister),
	KUNIT_CASE(kt_no_vmbus),
	KUNIT_CASE(kt_register_error),
	KUNIT_CASE(kt_override_other_type),
	KUNIT_CASE(kt_claim_and_parent),
	KUNIT_CASE(kt_suspend_resume),
	KUNIT_CASE(kt_real_no_vmbus),
	{}
};

static struct kunit_suite kmcl_hv_suite = {
	.name = "kmcl_hv",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = kmcl_hv_cases,
};

kunit_test_suite(kmcl_hv_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for kmcl_hv against a model of hv_vmbus");
