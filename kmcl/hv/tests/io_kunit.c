// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_hv_io: kmcl_hv's channel I/O (io.c) against the model
 * of hv_vmbus. Each case checks the exact arguments of the hv_vmbus calls
 * (packet type, flags, transaction ids, ranges, ring and packet sizes) and
 * what the caller gets back, and reads what reached the "host" byte by
 * byte.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/vmalloc.h>

#include "io.h"
#include "model.h"

static const guid_t ki_type = GUID_INIT(0x0d9c8b7a, 0x6f5e, 0x4d3c, 0xab, 0x2a,
					0x19, 0x08, 0xf7, 0xe6, 0xd5, 0xc4);
static const guid_t ki_inst = GUID_INIT(0x1e0d9c8b, 0x7a6f, 0x4e4d, 0xbc, 0x3b,
					0x2a, 0x19, 0x08, 0xf7, 0xe6, 0xd5);

#define KI_CREQ	VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED

/**
 * struct ki_ctx - per-test state
 * @m: the model.
 * @md: the device under test.
 * @io: its I/O state.
 * @open: @io is open.
 * @callbacks: channel callbacks seen.
 */
struct ki_ctx {
	struct kmcl_hv_model *m;
	struct kmcl_hv_mdev *md;
	struct kmcl_hv_io io;
	bool open;
	atomic_t callbacks;
};

#define ki_wait_for(cond)						\
	({								\
		unsigned long __end = jiffies + 5 * HZ;			\
		bool __ok;						\
		while (!(__ok = (cond)) && time_before(jiffies, __end))	\
			usleep_range(5000, 6000);			\
		__ok;							\
	})

static void ki_callback(void *arg)
{
	atomic_inc(arg);
}

static int ki_init(struct kunit *test)
{
	struct ki_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->m = vzalloc(sizeof(*ctx->m));
	KUNIT_ASSERT_NOT_NULL(test, ctx->m);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_init(ctx->m), 0);
	ctx->md = kmcl_hv_model_add(ctx->m, &ki_type, &ki_inst, 8);
	KUNIT_ASSERT_NOT_NULL(test, ctx->md);
	test->priv = ctx;
	return 0;
}

static void ki_exit(struct kunit *test)
{
	struct ki_ctx *ctx = test->priv;

	if (!ctx)
		return;
	if (ctx->open)
		kmcl_hv_io_close(&ctx->io);
	kmcl_hv_model_destroy(ctx->m);
	vfree(ctx->m);
}

/* Open the device with KMCL ring page counts and limits. */
static void ki_open(struct kunit *test, u32 send_pages, u32 recv_pages,
		    u32 max_in, u32 mpb)
{
	struct ki_ctx *ctx = test->priv;
	struct kmcl_hv_io_params p = {
		.send_bytes = kmcl_hv_ring_bytes(send_pages),
		.recv_bytes = kmcl_hv_ring_bytes(recv_pages),
		.max_in_pkt = max_in,
		.mpb_bytes = mpb,
		.callback = ki_callback,
		.ctx = &ctx->callbacks,
	};

	KUNIT_ASSERT_EQ(test, kmcl_hv_io_open(&ctx->io, &kmcl_hv_model_ops,
					      ctx->md->chan, &p), 0);
	ctx->open = true;
	kmcl_hv_model_clear_log(ctx->m);
}

static void ki_ring_bytes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kmcl_hv_ring_bytes(0), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_ring_bytes(1), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_ring_bytes(2), 8192U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_ring_bytes(16), 65536U);
}

static u64 ki_next_id(struct vmbus_channel *c, u64 addr)
{
	return 1;
}

static void ki_open_args(struct kunit *test)
{
	struct ki_ctx *ctx = test->priv;
	struct vmbus_channel *c = ctx->md->chan;
	struct kmcl_hv_io_params p = {
		.send_bytes = kmcl_hv_ring_bytes(5),
		.recv_bytes = kmcl_hv_ring_bytes(4),
		.max_in_pkt = 8192,
		.mpb_bytes = 64,
		.callback = ki_callback,
		.ctx = &ctx->callbacks,
	};
	struct kmcl_hv_mcall call;

	/* Sizes that are not page multiples never reach hv_vmbus. */
	p.send_bytes += 8;
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_open(&ctx->io, &kmcl_hv_model_ops, c,
					      &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m, KMCL_HV_MOP_OPEN), 0U);
	p.send_bytes -= 8;

	/* The host refuses: the error comes back, nothing is left behind. */
	ctx->m->open_result = -EAGAIN;
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_open(&ctx->io, &kmcl_hv_model_ops, c,
					      &p), -EAGAIN);
	KUNIT_EXPECT_PTR_EQ(test, ctx->io.mpb, NULL);
	ctx->m->open_result = 0;

	/* Whatever a previous user left, the request-id table goes off. */
	c->rqstor_size = 8;
	c->next_request_id_callback = ki_next_id;
	c->callback_mode = HV_CALL_BATCHED;
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_open(&ctx->io, &kmcl_hv_model_ops, c,
					      &p), 0);
	ctx->open = true;
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m, KMCL_HV_MOP_OPEN, 1,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.open.send_size, 5U * 4096);
	KUNIT_EXPECT_EQ(test, call.u.open.recv_size, 4U * 4096);
	KUNIT_EXPECT_EQ(test, call.u.open.userdatalen, 0U);
	KUNIT_EXPECT_EQ(test, call.u.open.mode, HV_CALL_DIRECT);
	KUNIT_EXPECT_EQ(test, call.u.open.max_pkt_size, 8192U + 8);
	KUNIT_EXPECT_EQ(test, call.u.open.rqstor_size, 0U);
	KUNIT_EXPECT_FALSE(test, call.u.open.rqstor_cb);
	KUNIT_EXPECT_EQ(test, ctx->io.copy_limit, 8192U + 8);
	KUNIT_EXPECT_EQ(test, ctx->io.mpb_size, 24U + 64);
	KUNIT_EXPECT_EQ(test, c->inbound.pkt_buffer_size, 8192U + 8);

	/* Small packets: never below the kernel's own default. */
	kmcl_hv_io_close(&ctx->io);
	p.max_in_pkt = 100;
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_open(&ctx->io, &kmcl_hv_model_ops, c,
					      &p), 0);
	KUNIT_EXPECT_EQ(test, ctx->io.copy_limit, VMBUS_DEFAULT_MAX_PKT_SIZE);
}

static void ki_send_inband(struct kunit *test)
{
	struct ki_ctx *ctx = test->priv;
	static const u8 payload[13] = "thirteen byte";
	struct vmpacket_descriptor *d;
	struct kmcl_hv_mcall call;
	u8 pkt[64] __aligned(8);
	u64 comp = 0x1122334455667788ULL;
	u32 len;

	ki_open(test, 4, 4, 4096, 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_send(&ctx->io, VM_PKT_DATA_INBAND, KI_CREQ,
					      0x500000001ULL, payload,
					      sizeof(payload)), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m, KMCL_HV_MOP_SENDPACKET,
						   0, &call));
	KUNIT_EXPECT_EQ(test, call.u.send.type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, call.u.send.flags, KI_CREQ);
	KUNIT_EXPECT_EQ(test, call.u.send.requestid, 0x500000001ULL);
	KUNIT_EXPECT_EQ(test, call.u.send.len, 13U);

	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_recv(ctx->md, pkt, sizeof(pkt),
						      &len), 0);
	d = (void *)pkt;
	KUNIT_EXPECT_EQ(test, len, 32U);
	KUNIT_EXPECT_EQ(test, d->type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, d->flags, KI_CREQ);
	KUNIT_EXPECT_EQ(test, d->offset8, 2);
	KUNIT_EXPECT_EQ(test, d->trans_id, 0x500000001ULL);
	KUNIT_EXPECT_EQ(test, memcmp(pkt + 16, payload, 13), 0);
	KUNIT_EXPECT_EQ(test, pkt[29] | pkt[30] | pkt[31], 0);

	/* A completion echoes the host's id, with no flags. */
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_send(&ctx->io, VM_PKT_COMP, 0, 0xdead,
					      &comp, 8), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m, KMCL_HV_MOP_SENDPACKET,
						   1, &call));
	KUNIT_EXPECT_EQ(test, call.u.send.type, VM_PKT_COMP);
	KUNIT_EXPECT_EQ(test, call.u.send.flags, 0U);
	KUNIT_EXPECT_EQ(test, call.u.send.requestid, 0xdeadULL);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_recv(ctx->md, pkt, sizeof(pkt),
						      &len), 0);
	KUNIT_EXPECT_EQ(test, d->type, VM_PKT_COMP);
	KUNIT_EXPECT_EQ(test, d->trans_id, 0xdeadULL);
	KUNIT_EXPECT_EQ(test, *(u64 *)(pkt + 16), comp);

	/* Refused before hv_vmbus: reserved ids, bad flags, bad types. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send(&ctx->io, VM_PKT_DATA_INBAND, KI_CREQ,
					      0, payload, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send(&ctx->io, VM_PKT_DATA_INBAND, KI_CREQ,
					      U64_MAX - 2, payload, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send(&ctx->io, VM_PKT_COMP, KI_CREQ, 5,
					      payload, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send(&ctx->io, VM_PKT_DATA_INBAND, 2, 5,
					      payload, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send(&ctx->io,
					      VM_PKT_DATA_USING_XFER_PAGES, 0, 5,
					      payload, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m, KMCL_HV_MOP_SENDPACKET),
			2U);
	/* Without a completion request, id 0 is fine (hv_sock does it). */
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send(&ctx->io, VM_PKT_DATA_INBAND, 0, 0,
					      payload, 8), 0);
}

static void ki_ring_full(struct kunit *test)
{
	struct ki_ctx *ctx = test->priv;
	struct kmcl_hv_mcall call;
	static u8 big[8192];
	static u8 pkt[8192] __aligned(8);
	u32 len;

	/* Data area of the outgoing ring: 2 pages. */
	ki_open(test, 3, 3, 4096, 0);
	/* 16 + 8168 + 8 = 8192: never fits, hv_vmbus is not even asked. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send(&ctx->io, VM_PKT_DATA_INBAND, 0, 1,
					      big, 8168), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m, KMCL_HV_MOP_SENDPACKET),
			0U);
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_send(&ctx->io, VM_PKT_DATA_INBAND, 0, 1,
					      big, 8160), 0);
	/* Full: -EAGAIN from hv_vmbus, nothing written. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send(&ctx->io, VM_PKT_DATA_INBAND, 0, 2,
					      big, 100), -EAGAIN);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m, KMCL_HV_MOP_SENDPACKET,
						   1, &call));
	KUNIT_EXPECT_EQ(test, call.ret, -EAGAIN);
	KUNIT_EXPECT_EQ(test, ctx->md->chan->outbound.ring_buffer->write_index,
			8184U);

	/* Ask for room for 16 + 104 bytes: pending_send_sz = 128. */
	KUNIT_EXPECT_FALSE(test, kmcl_hv_io_want_room(&ctx->io, 120));
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m, KMCL_HV_MOP_SET_PENDING,
						   0, &call));
	KUNIT_EXPECT_EQ(test, call.u.size, 128U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_host_pending(ctx->md), 128U);

	/* The host reads: room, and it interrupts the guest for it. */
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_recv(ctx->md, pkt, sizeof(pkt),
						      &len), 0);
	KUNIT_EXPECT_EQ(test, len, 8176U);
	KUNIT_EXPECT_TRUE(test, ki_wait_for(atomic_read(&ctx->callbacks) == 1));
	KUNIT_EXPECT_TRUE(test, kmcl_hv_io_want_room(&ctx->io, 120));
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_send(&ctx->io, VM_PKT_DATA_INBAND, 0, 2,
					      big, 100), 0);
	/* Sent: stop asking. */
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m, KMCL_HV_MOP_SET_PENDING,
						   2, &call));
	KUNIT_EXPECT_EQ(test, call.u.size, 0U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_host_pending(ctx->md), 0U);
	KUNIT_EXPECT_FALSE(test, ctx->io.pending);
}

struct ki_range2 {
	u32 len0;
	u32 off0;
	u64 pfn0[2];
	u32 len1;
	u32 off1;
	u64 pfn1[2];
} __packed;

static void ki_gpa_direct(struct kunit *test)
{
	struct ki_ctx *ctx = test->priv;
	struct ki_range2 r = {
		.len0 = 8192, .off0 = 0, .pfn0 = { 0x100, 0x101 },
		.len1 = 100, .off1 = 4000, .pfn1 = { 0x200, 0x201 },
	};
	struct vmbus_packet_mpb_array *d;
	struct kmcl_hv_mcall call;
	u64 cmd = 0xc0ffee;
	u8 pkt[128] __aligned(8);
	u32 len;

	BUILD_BUG_ON(sizeof(r) != 48);
	ki_open(test, 4, 4, 4096, 64);
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_send_gpa(&ctx->io, 0x77, &r, 2, sizeof(r),
						  &cmd, 8), 0);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m,
						   KMCL_HV_MOP_SENDPACKET_MPB, 0,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.mpb.desc_size, 24U + 48);
	KUNIT_EXPECT_EQ(test, call.u.mpb.rangecount, 2U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.len, 8U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.requestid, 0x77ULL);
	KUNIT_EXPECT_EQ(test, call.u.mpb.range_len[0], 8192U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.range_off[0], 0U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.pfn[0][1], 0x101ULL);
	KUNIT_EXPECT_EQ(test, call.u.mpb.range_len[1], 100U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.range_off[1], 4000U);
	KUNIT_EXPECT_EQ(test, call.u.mpb.pfn[1][0], 0x200ULL);
	KUNIT_EXPECT_EQ(test, call.u.mpb.pfn[1][1], 0x201ULL);

	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_recv(ctx->md, pkt, sizeof(pkt),
						      &len), 0);
	d = (void *)pkt;
	KUNIT_EXPECT_EQ(test, len, 80U);
	KUNIT_EXPECT_EQ(test, d->type, VM_PKT_DATA_USING_GPA_DIRECT);
	KUNIT_EXPECT_EQ(test, d->flags, KI_CREQ);
	KUNIT_EXPECT_EQ(test, d->dataoffset8, 9);
	KUNIT_EXPECT_EQ(test, d->length8, 10);
	KUNIT_EXPECT_EQ(test, d->transactionid, 0x77ULL);
	KUNIT_EXPECT_EQ(test, d->rangecount, 2U);
	KUNIT_EXPECT_EQ(test, memcmp(pkt + 24, &r, sizeof(r)), 0);
	KUNIT_EXPECT_EQ(test, *(u64 *)(pkt + 72), cmd);

	/* Refused: id 0, no range, ranges beyond the scratch, odd sizes. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send_gpa(&ctx->io, 0, &r, 2, sizeof(r),
						  &cmd, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send_gpa(&ctx->io, 5, &r, 0, sizeof(r),
						  &cmd, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send_gpa(&ctx->io, 5, &r, 2, 44, &cmd, 8),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send_gpa(&ctx->io, 5, pkt, 3, 72, &cmd, 8),
			-EMSGSIZE);
	/* Kernels that force one range per packet. */
	ctx->io.max_ranges = 1;
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send_gpa(&ctx->io, 5, &r, 2, sizeof(r),
						  &cmd, 8), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send_gpa(&ctx->io, 5, &r, 1, 24, &cmd, 8),
			0);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m,
						  KMCL_HV_MOP_SENDPACKET_MPB), 2U);
}

static void ki_read(struct kunit *test)
{
	struct ki_ctx *ctx = test->priv;
	u8 data[24], buf[256] __aligned(8);
	struct vmpacket_descriptor *d = (void *)buf;
	struct kmcl_hv_mcall call;
	u64 comp = 42;
	u32 pktlen, i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = 0xa0 + i;
	ki_open(test, 4, 4, 4096, 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(ctx->md, VM_PKT_DATA_INBAND,
						      KI_CREQ, 9, data,
						      sizeof(data)), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(ctx->md, VM_PKT_COMP, 0, 10,
						      &comp, 8), 0);

	kmcl_hv_io_mask(&ctx->io);
	KUNIT_EXPECT_EQ(test, ctx->md->chan->inbound.ring_buffer->interrupt_mask,
			1U);
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_peek(&ctx->io, buf, sizeof(buf), &pktlen),
			0);
	KUNIT_EXPECT_EQ(test, pktlen, 40U);
	KUNIT_EXPECT_EQ(test, d->type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, d->flags, KI_CREQ);
	KUNIT_EXPECT_EQ(test, d->trans_id, 9ULL);
	KUNIT_EXPECT_EQ(test, memcmp(buf + 16, data, sizeof(data)), 0);
	/* A copy: what is in the ring does not matter any more. */
	KUNIT_EXPECT_PTR_NE(test, (void *)buf, ctx->md->chan->inbound.pkt_buffer);
	/* Peeking again sees the same packet without a new iteration. */
	memset(buf, 0, sizeof(buf));
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_peek(&ctx->io, buf, sizeof(buf), &pktlen),
			0);
	KUNIT_EXPECT_EQ(test, d->trans_id, 9ULL);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m, KMCL_HV_MOP_ITER_FIRST),
			1U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_consume(&ctx->io, 48), -EINVAL);
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_consume(&ctx->io, 40), 0);

	KUNIT_ASSERT_EQ(test, kmcl_hv_io_peek(&ctx->io, buf, sizeof(buf), &pktlen),
			0);
	KUNIT_EXPECT_EQ(test, pktlen, 24U);
	KUNIT_EXPECT_EQ(test, d->type, VM_PKT_COMP);
	KUNIT_EXPECT_EQ(test, d->trans_id, 10ULL);
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_consume(&ctx->io, 24), 0);
	/* The ring ran empty: the iterator published the read position. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m, KMCL_HV_MOP_ITER_CLOSE),
			1U);
	KUNIT_EXPECT_EQ(test, ctx->md->chan->inbound.ring_buffer->read_index,
			ctx->md->chan->inbound.ring_buffer->write_index);
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_peek(&ctx->io, buf, sizeof(buf), &pktlen),
			-EAGAIN);
	KUNIT_EXPECT_FALSE(test, kmcl_hv_io_unmask(&ctx->io));
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m, KMCL_HV_MOP_END_READ, 0,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.size, 0U);
	KUNIT_EXPECT_EQ(test, ctx->md->chan->inbound.ring_buffer->interrupt_mask,
			0U);
	/* Nothing was consumed twice or skipped. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m, KMCL_HV_MOP_ITER_NEXT),
			2U);
}

static void ki_truncated(struct kunit *test)
{
	struct ki_ctx *ctx = test->priv;
	static u8 data[4200], buf[8192];
	u32 pktlen;

	/* copy_limit = max_pkt_size = 4096 (the kernel default). */
	ki_open(test, 4, 4, 1000, 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(ctx->md, VM_PKT_DATA_INBAND,
						      0, 3, data, sizeof(data)),
			0);
	kmcl_hv_io_mask(&ctx->io);
	/* hv_vmbus cut it to 4096 bytes: refused, and not stepped over. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_peek(&ctx->io, buf, sizeof(buf), &pktlen),
			-EIO);
	KUNIT_EXPECT_EQ(test, pktlen, 4096U);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m, KMCL_HV_MOP_ITER_NEXT),
			0U);
	KUNIT_EXPECT_EQ(test, ctx->md->chan->inbound.priv_read_index, 0U);
	/* Bytes remain: unmask says so. */
	KUNIT_EXPECT_TRUE(test, kmcl_hv_io_unmask(&ctx->io));
}

static void ki_oversize(struct kunit *test)
{
	struct ki_ctx *ctx = test->priv;
	static u8 data[1016];
	u8 buf[512] __aligned(8);
	struct vmpacket_descriptor *d = (void *)buf;
	u32 pktlen;

	ki_open(test, 4, 4, 4096, 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(ctx->md, VM_PKT_DATA_INBAND,
						      0, 3, data, sizeof(data)),
			0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(ctx->md, VM_PKT_DATA_INBAND,
						      0, 4, data, 8), 0);
	kmcl_hv_io_mask(&ctx->io);
	/* Longer than the caller's buffer but whole: it may be skipped. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_peek(&ctx->io, buf, sizeof(buf), &pktlen),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, pktlen, 1032U);
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_consume(&ctx->io, pktlen), 0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_peek(&ctx->io, buf, sizeof(buf), &pktlen),
			0);
	KUNIT_EXPECT_EQ(test, d->trans_id, 4ULL);
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_consume(&ctx->io, pktlen), 0);
	KUNIT_EXPECT_FALSE(test, kmcl_hv_io_unmask(&ctx->io));
}

static void ki_interrupts(struct kunit *test)
{
	struct ki_ctx *ctx = test->priv;
	u8 buf[64] __aligned(8);
	u64 v = 1;
	u32 pktlen;

	ki_open(test, 4, 4, 4096, 0);
	/* Unmasked, empty ring: the host's packet raises the callback. */
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(ctx->md, VM_PKT_DATA_INBAND,
						      0, 1, &v, 8), 0);
	KUNIT_EXPECT_TRUE(test, ki_wait_for(atomic_read(&ctx->callbacks) == 1));
	kmcl_hv_io_mask(&ctx->io);
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_peek(&ctx->io, buf, sizeof(buf), &pktlen),
			0);
	KUNIT_ASSERT_EQ(test, kmcl_hv_io_consume(&ctx->io, pktlen), 0);
	/* Masked: a new packet raises nothing ... */
	KUNIT_ASSERT_EQ(test, kmcl_hv_model_host_send(ctx->md, VM_PKT_DATA_INBAND,
						      0, 2, &v, 8), 0);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->callbacks), 1);
	/* ... so unmasking reports it. */
	KUNIT_EXPECT_TRUE(test, kmcl_hv_io_unmask(&ctx->io));
}

static void ki_rescinded(struct kunit *test)
{
	struct ki_ctx *ctx = test->priv;
	u64 v = 1;

	ki_open(test, 4, 4, 4096, 0);
	kmcl_hv_model_rescind(ctx->md);
	KUNIT_EXPECT_EQ(test, kmcl_hv_io_send(&ctx->io, VM_PKT_DATA_INBAND, KI_CREQ,
					      7, &v, 8), -ENODEV);
	/* No callback after a rescind, even if the host still wrote. */
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_host_send(ctx->md, VM_PKT_DATA_INBAND,
						      0, 1, &v, 8), 0);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->callbacks), 0);
	kmcl_hv_io_close(&ctx->io);
	ctx->open = false;
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m, KMCL_HV_MOP_CLOSE), 1U);
}

static void ki_mmio(struct kunit *test)
{
	struct ki_ctx *ctx = test->priv;
	struct kmcl_hv_mdev *none;
	struct kmcl_hv_mcall call;
	struct resource *res;

	/* The offer asks for 8 MiB. */
	KUNIT_ASSERT_EQ(test, kmcl_hv_mmio_alloc(&kmcl_hv_model_ops,
						 &ctx->md->hdev, &res), 0);
	KUNIT_ASSERT_NOT_NULL(test, res);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m,
						   KMCL_HV_MOP_ALLOCATE_MMIO, 0,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.mmio.min, 0ULL);
	KUNIT_EXPECT_EQ(test, call.u.mmio.max, (resource_size_t)-1);
	KUNIT_EXPECT_EQ(test, call.u.mmio.size, 8ULL << 20);
	KUNIT_EXPECT_EQ(test, call.u.mmio.align, 1ULL << 20);
	KUNIT_EXPECT_FALSE(test, call.u.mmio.fb_overlap_ok);
	KUNIT_EXPECT_EQ(test, resource_size(res), 8ULL << 20);
	KUNIT_EXPECT_EQ(test, res->start & ((1 << 20) - 1), 0ULL);
	KUNIT_EXPECT_EQ(test, call.u.mmio.start, res->start);
	kmcl_hv_mmio_free(&kmcl_hv_model_ops, res);
	KUNIT_ASSERT_TRUE(test, kmcl_hv_model_call(ctx->m, KMCL_HV_MOP_FREE_MMIO, 0,
						   &call));
	KUNIT_EXPECT_EQ(test, call.u.mmio.size, 8ULL << 20);

	/* None asked for: no call at all. */
	none = kmcl_hv_model_add(ctx->m, &ki_type, &ki_inst, 0);
	KUNIT_ASSERT_NOT_NULL(test, none);
	KUNIT_EXPECT_EQ(test, kmcl_hv_mmio_alloc(&kmcl_hv_model_ops, &none->hdev,
						 &res), 0);
	KUNIT_EXPECT_PTR_EQ(test, res, NULL);
	kmcl_hv_mmio_free(&kmcl_hv_model_ops, res);
	KUNIT_EXPECT_EQ(test, kmcl_hv_model_count(ctx->m,
						  KMCL_HV_MOP_ALLOCATE_MMIO), 1U);
	/* hv_vmbus's error comes back. */
	ctx->m->mmio_result = -ENXIO;
	KUNIT_EXPECT_EQ(test, kmcl_hv_mmio_alloc(&kmcl_hv_model_ops,
						 &ctx->md->hdev, &res), -ENXIO);
}

static struct kunit_case kmcl_hv_io_cases[] = {
	KUNIT_CASE(ki_ring_bytes),
	KUNIT_CASE(ki_open_args),
	KUNIT_CASE(ki_send_inband),
	KUNIT_CASE(ki_ring_full),
	KUNIT_CASE(ki_gpa_direct),
	KUNIT_CASE(ki_read),
	KUNIT_CASE(ki_truncated),
	KUNIT_CASE(ki_oversize),
	KUNIT_CASE(ki_interrupts),
	KUNIT_CASE(ki_rescinded),
	KUNIT_CASE(ki_mmio),
	{}
};

static struct kunit_suite kmcl_hv_io_suite = {
	.name = "kmcl_hv_io",
	.init = ki_init,
	.exit = ki_exit,
	.test_cases = kmcl_hv_io_cases,
};

kunit_test_suite(kmcl_hv_io_suite);
