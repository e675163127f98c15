// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_xfer: transfer-page packets into a client's receive
 * GPADL. The peer's packets are written straight into the client's ring,
 * as a Hyper-V host would write them (the loopback server has no API that
 * sends transfer pages): the client driver registers its GPADL under a
 * transfer page set id, and VmbChannelPacketGetExternalData() must give it
 * MDLs over exactly the bytes each range names. Also: the GPADL stays
 * until the driver completed the packet, the statuses of
 * KmclChannelSetTransferPageSet(), and hostile packets (unknown ids,
 * ranges outside the GPADL, deleted GPADLs, over the limits).
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "kmcl.h"
#include "packet_kunit.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

#define XF_ID		0xcafe
#define XF_PAGES	8		/* pages of the receive GPADL */
#define XF_LEN		(XF_PAGES * 4096)
#define XF_MAX		(64 * 1024)	/* client DataSize */
#define XF_CHAIN	4		/* client ChainLength */
#define XF_RANGES	4		/* ranges recorded per packet */
#define EXT_FLAG	VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA

/**
 * struct xf_rx - what the client driver saw
 * @lock: protects everything below.
 * @wq: woken on every record.
 * @hold: keep packets (the test completes them) instead of completing.
 * @kva: the receive buffer, to compare the MDLs with.
 * @ranges: offset and length of each range the next packet names.
 * @n: packets recorded.
 * @pending: STATUS_PENDING answers.
 * @pc: the last packet.
 * @st: the last VmbChannelPacketGetExternalData() status.
 * @flags: the last ProcessPacket flags.
 * @data: the first 8 in-band bytes of the last packet.
 * @nmdl: MDLs in the last chain.
 * @count: their ByteCounts.
 * @offset: their ByteOffsets.
 * @same: every MDL's bytes were the buffer's bytes the range names.
 */
struct xf_rx {
	spinlock_t lock;	/* everything below */
	wait_queue_head_t wq;
	bool hold;
	const u8 *kva;
	u32 ranges[XF_RANGES][2];
	unsigned int n;
	unsigned int pending;
	VMBPACKETCOMPLETION pc;
	NTSTATUS st;
	u32 flags;
	u64 data;
	u32 nmdl;
	u32 count[XF_RANGES];
	u32 offset[XF_RANGES];
	bool same;
};

/**
 * struct xf_env - an open pair and the client's receive GPADL
 * @p: the endpoints.
 * @sch: the server channel (the writer of the injected packets).
 * @cch: the client channel.
 * @rx: what the client driver saw.
 * @gpadl: the receive GPADL (VmbChannelCreateGpadl, XF_PAGES pages).
 * @kva: its kernel address.
 */
struct xf_env {
	struct kmcl_test_pair *p;
	struct kmcl_channel *sch;
	struct kmcl_channel *cch;
	struct xf_rx rx;
	u32 gpadl;
	u8 *kva;
};

/* Compare the chain with the ranges the packet named; record. */
static void xf_inspect(struct xf_rx *rx, PMDL mdl)
{
	const u8 *va;
	u32 i = 0;

	rx->same = true;
	for (; mdl; mdl = mdl->Next, i++) {
		if (i >= XF_RANGES) {
			rx->same = false;
			break;
		}
		rx->count[i] = mdl->ByteCount;
		rx->offset[i] = mdl->ByteOffset;
		va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
		if (!va || mdl->StartVa || mdl->ByteCount != rx->ranges[i][1] ||
		    memcmp(va, rx->kva + rx->ranges[i][0], mdl->ByteCount))
			rx->same = false;
	}
	rx->nmdl = i;
}

static void xf_process(struct kmcl_test_ep *ep, VMBPACKETCOMPLETION pc,
		       PVOID buf, UINT32 len, UINT32 flags)
{
	struct xf_rx *rx = ep->priv;
	unsigned long irqfl;
	NTSTATUS st = STATUS_UNSUCCESSFUL;
	PMDL mdl = NULL;
	bool hold;

	if (flags & EXT_FLAG) {
		st = VmbChannelPacketGetExternalData(pc, 0, &mdl);
		if (st == STATUS_PENDING) {
			/* Runs again in process context. */
			spin_lock_irqsave(&rx->lock, irqfl);
			rx->pending++;
			spin_unlock_irqrestore(&rx->lock, irqfl);
			return;
		}
	}
	spin_lock_irqsave(&rx->lock, irqfl);
	rx->pc = pc;
	rx->st = st;
	rx->flags = flags;
	rx->data = 0;
	memcpy(&rx->data, buf, min_t(u32, len, sizeof(rx->data)));
	rx->nmdl = 0;
	if (st == STATUS_SUCCESS)
		xf_inspect(rx, mdl);
	hold = rx->hold;
	rx->n++;
	spin_unlock_irqrestore(&rx->lock, irqfl);
	wake_up_all(&rx->wq);
	if (!hold)
		VmbChannelPacketComplete(pc, NULL, 0);
}

static unsigned int xf_count(struct xf_rx *rx)
{
	unsigned long irqfl;
	unsigned int n;

	spin_lock_irqsave(&rx->lock, irqfl);
	n = rx->n;
	spin_unlock_irqrestore(&rx->lock, irqfl);
	return n;
}

static bool xf_wait(struct xf_rx *rx, unsigned int n)
{
	wait_event_timeout(rx->wq, xf_count(rx) >= n,
			   msecs_to_jiffies(KMCL_PT_WAIT_MS));
	return xf_count(rx) >= n;
}

/* An open pair; the client has limits and, if @gpadl, its receive GPADL. */
static struct xf_env *xf_env(struct kunit *test, u32 max, u32 chain,
			     bool gpadl)
{
	struct xf_env *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, e);
	spin_lock_init(&e->rx.lock);
	init_waitqueue_head(&e->rx.wq);
	e->p = kmcl_test_pair_new(test);
	e->p->client->priv = &e->rx;
	e->p->client->process = xf_process;
	if (max)
		KUNIT_ASSERT_EQ(test,
				VmbChannelInitSetMaximumExternalData(e->p->client->ch,
								     max, chain),
				STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(e->p->server->ch), STATUS_SUCCESS);
	VmbChannelStart(e->p->server->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(e->p->client->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(e->p->server, KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(e->p->client, KMCL_TEST_POST_STARTED, 1));
	e->sch = kmcl_channel_from_handle(e->p->server->ch);
	e->cch = kmcl_channel_from_handle(e->p->client->ch);
	if (!gpadl)
		return e;

	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadl(e->p->client->ch, 0, XF_PAGES,
						    &e->gpadl), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test,
			VmbChannelGetSystemAddressForGpadl(e->p->client->ch, 0,
							   e->gpadl,
							   (PVOID *)&e->kva),
			STATUS_SUCCESS);
	for (i = 0; i < XF_LEN; i++)
		e->kva[i] = (i * 13 + (i >> 12)) & 0xff;
	e->rx.kva = e->kva;
	return e;
}

/* A transfer-page packet of @n ranges (@r: offset, count pairs); its length. */
static u32 xf_build(u8 *pkt, u16 id, const u32 (*r)[2], u32 n, u16 flags)
{
	struct kmcl_xfer_page_hdr *h = (void *)pkt;
	u64 data = 0x1122334455667788ULL;
	u32 i, len;

	h->xfer_pageset_id = id;
	h->sender_owns_set = 0;
	h->reserved = 0;
	h->range_count = n;
	for (i = 0; i < n; i++) {
		h->ranges[i].byte_offset = r[i][0];
		h->ranges[i].byte_count = r[i][1];
	}
	len = sizeof(*h) + n * sizeof(h->ranges[0]);
	h->d.type = KMCL_PKT_DATA_USING_XFER_PAGES;
	h->d.offset8 = len / 8;
	memcpy(pkt + len, &data, sizeof(data));
	len += sizeof(data);
	h->d.len8 = len / 8;
	h->d.flags = flags;
	h->d.trans_id = 0x7700 + n;
	return len;
}

/* Inject @n ranges for @id; wait for ProcessPacket when @deliver. */
static void xf_send(struct kunit *test, struct xf_env *e, u16 id,
		    const u32 (*r)[2], u32 n, bool deliver)
{
	u8 *pkt = kunit_kzalloc(test, 512, GFP_KERNEL);
	unsigned int before = xf_count(&e->rx);
	u32 i, len;

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	for (i = 0; i < n && i < XF_RANGES; i++) {
		e->rx.ranges[i][0] = r[i][0];
		e->rx.ranges[i][1] = r[i][1];
	}
	len = xf_build(pkt, id, r, n, 0);
	kmcl_pt_inject(test, e->sch, e->cch, pkt, len);
	if (deliver)
		KUNIT_ASSERT_TRUE(test, xf_wait(&e->rx, before + 1));
	else
		msleep(50);
}

/* Every range reads back exactly the receive buffer's bytes it names. */
static void xfer_roundtrip(struct kunit *test)
{
	static const u32 r[][2] = {
		{ 0, 100 },		/* the start */
		{ 4000, 5000 },		/* across two page boundaries */
		{ 12288, 4096 },	/* a whole page */
		{ XF_LEN - 1, 1 },	/* the last byte */
	};
	struct xf_env *e = xf_env(test, XF_MAX, XF_CHAIN, true);
	u32 i;

	KUNIT_ASSERT_EQ(test, KmclChannelSetTransferPageSet(e->p->client->ch, XF_ID,
							    e->gpadl),
			STATUS_SUCCESS);
	xf_send(test, e, XF_ID, r, ARRAY_SIZE(r), true);

	KUNIT_EXPECT_EQ(test, e->rx.st, STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, e->rx.flags & EXT_FLAG);
	KUNIT_EXPECT_EQ(test, e->rx.data, 0x1122334455667788ULL);
	KUNIT_EXPECT_EQ(test, e->rx.nmdl, (u32)ARRAY_SIZE(r));
	KUNIT_EXPECT_TRUE(test, e->rx.same);
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		KUNIT_EXPECT_EQ(test, e->rx.count[i], r[i][1]);
		KUNIT_EXPECT_EQ(test, e->rx.offset[i], r[i][0] % 4096);
	}
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(e->cch, &e->cch->in.stats.ext_received), 1ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(e->cch, &e->cch->in.stats.rejected), 0ULL);
}

/* Registering an id again points it at the new GPADL. */
static void xfer_reregister(struct kunit *test)
{
	static const u32 r[][2] = { { 10, 300 } };
	struct xf_env *e = xf_env(test, XF_MAX, XF_CHAIN, true);
	VMBCHANNEL ch = e->p->client->ch;
	u32 other, i;
	u8 *va;

	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadl(ch, 0, 1, &other),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelGetSystemAddressForGpadl(ch, 0, other,
								 (PVOID *)&va),
			STATUS_SUCCESS);
	for (i = 0; i < 4096; i++)
		va[i] = ~i & 0xff;
	KUNIT_ASSERT_EQ(test, KmclChannelSetTransferPageSet(ch, XF_ID, e->gpadl),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, KmclChannelSetTransferPageSet(ch, XF_ID, other),
			STATUS_SUCCESS);
	e->rx.kva = va;
	xf_send(test, e, XF_ID, r, 1, true);
	KUNIT_EXPECT_EQ(test, e->rx.st, STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, e->rx.same);
	KUNIT_EXPECT_EQ(test, e->rx.nmdl, 1U);
}

/* A GPADL over a buffer that starts inside a page: offsets add up. */
static void xfer_offset_gpadl(struct kunit *test)
{
	static const u32 r[][2] = { { 4000, 200 }, { 0, 1 } };
	struct xf_env *e = xf_env(test, XF_MAX, XF_CHAIN, false);
	VMBCHANNEL ch = e->p->client->ch;
	u8 *buf = kunit_kzalloc(test, 3 * 4096, GFP_KERNEL);
	u32 h, i, first;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 3 * 4096; i++)
		buf[i] = (i * 5 + 1) & 0xff;
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(ch, 0, buf + 100,
							      8000, &h),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, KmclChannelSetTransferPageSet(ch, 7, h),
			STATUS_SUCCESS);
	e->rx.kva = buf + 100;
	xf_send(test, e, 7, r, ARRAY_SIZE(r), true);
	KUNIT_EXPECT_EQ(test, e->rx.st, STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, e->rx.same);
	KUNIT_EXPECT_EQ(test, e->rx.nmdl, 2U);
	first = ((unsigned long)buf + 100) & 4095;
	KUNIT_EXPECT_EQ(test, e->rx.offset[0], (first + 4000) % 4096);
	KUNIT_EXPECT_EQ(test, e->rx.offset[1], first);
	VmbChannelDeleteGpadl(ch, h);
}

struct xf_delete {
	struct work_struct work;
	VMBCHANNEL ch;
	u32 gpadl;
	atomic_t done;
};

static void xf_delete_fn(struct work_struct *work)
{
	struct xf_delete *d = container_of(work, struct xf_delete, work);

	VmbChannelDeleteGpadl(d->ch, d->gpadl);
	atomic_set(&d->done, 1);
}

/* Deleting the GPADL waits until the driver completed the packet. */
static void xfer_delete_waits(struct kunit *test)
{
	static const u32 r[][2] = { { 64, 64 } };
	struct xf_env *e = xf_env(test, XF_MAX, XF_CHAIN, true);
	struct xf_delete *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	const u64 *ext_data = &e->cch->in.stats.rejected_ext_data;
	VMBPACKETCOMPLETION pc;
	u32 gpadls;

	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_EQ(test, KmclChannelSetTransferPageSet(e->p->client->ch, XF_ID,
							    e->gpadl),
			STATUS_SUCCESS);
	e->rx.hold = true;
	xf_send(test, e, XF_ID, r, 1, true);
	KUNIT_ASSERT_EQ(test, e->rx.st, STATUS_SUCCESS);
	pc = e->rx.pc;

	INIT_WORK(&d->work, xf_delete_fn);
	d->ch = e->p->client->ch;
	d->gpadl = e->gpadl;
	gpadls = READ_ONCE(e->cch->shm.nr_gpadls);
	schedule_work(&d->work);
	/* The worker's delete may start late: wait for it, not for a time. */
	KUNIT_EXPECT_TRUE(test,
			  KMCL_TEST_WAIT_UNTIL(READ_ONCE(e->cch->shm.nr_gpadls) < gpadls));
	/* ...but the delete itself waits (give it the time to go wrong). */
	msleep(200);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->done), 0);

	/* The memory is still there while the driver holds the packet. */
	KUNIT_EXPECT_EQ(test, e->kva[64], (u8)((64 * 13) & 0xff));
	VmbChannelPacketComplete(pc, NULL, 0);
	flush_work(&d->work);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->done), 1);

	/* The id now names a deleted GPADL: the next packet is refused. */
	xf_send(test, e, XF_ID, r, 1, false);
	/* The client's reader may be running on the other CPU: wait for it. */
	KUNIT_EXPECT_TRUE(test, KMCL_TEST_WAIT_UNTIL(kmcl_test_in_stat(e->cch, ext_data)));
	KUNIT_EXPECT_EQ(test, xf_count(&e->rx), 1U);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(e->cch, ext_data), 1ULL);
}

/* Every status of KmclChannelSetTransferPageSet(). */
static void xfer_set_errors(struct kunit *test)
{
	struct xf_env *e = xf_env(test, XF_MAX, XF_CHAIN, true);
	struct kmcl_test_pair *closed = kmcl_test_pair_new(test);
	VMBCHANNEL ch = e->p->client->ch;

	KUNIT_EXPECT_EQ(test, KmclChannelSetTransferPageSet(NULL, XF_ID, e->gpadl),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, KmclChannelSetTransferPageSet(e->p->server->ch, XF_ID,
							    e->gpadl),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, KmclChannelSetTransferPageSet(ch, XF_ID, 0),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, KmclChannelSetTransferPageSet(ch, XF_ID, e->gpadl + 1),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, KmclChannelSetTransferPageSet(closed->client->ch, XF_ID,
							    1),
			STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, KmclChannelSetTransferPageSet(ch, 0, e->gpadl),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, KmclChannelSetTransferPageSet(ch, 0xffff, e->gpadl),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, KmclChannelSetTransferPageSet(ch, 0xffff, 0),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, KmclChannelSetTransferPageSet(ch, 0xffff, 0),
			STATUS_INVALID_PARAMETER_2);
}

/* --- hostile packets ---------------------------------------------------- */

enum xf_evil {
	XF_UNKNOWN_ID,
	XF_FORGOTTEN_ID,
	XF_PAST_END,
	XF_WRAPS,
	XF_EMPTY,
	XF_CHAIN_OVER,
	XF_BYTES_OVER,
	XF_NO_LIMITS,
	XF_COUNT_OVERRUN,
};

struct xf_evil_case {
	enum xf_evil kind;
	const char *name;
};

static const struct xf_evil_case xf_evil_cases[] = {
	{ XF_UNKNOWN_ID, "transfer page set id nobody registered" },
	{ XF_FORGOTTEN_ID, "id the driver forgot" },
	{ XF_PAST_END, "range one byte past the GPADL" },
	{ XF_WRAPS, "range whose end wraps 32 bits" },
	{ XF_EMPTY, "zero-length range" },
	{ XF_CHAIN_OVER, "more ranges than the receiver allows" },
	{ XF_BYTES_OVER, "more bytes than the receiver allows" },
	{ XF_NO_LIMITS, "receiver without external-data limits" },
	{ XF_COUNT_OVERRUN, "range count overruns the header" },
};

static void xf_evil_desc(const struct xf_evil_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(xf_evil, xf_evil_cases, xf_evil_desc);

static void xfer_hostile(struct kunit *test)
{
	const struct xf_evil_case *c = test->param_value;
	u32 r[XF_CHAIN + 1][2] = { { 0, 64 }, { 64, 64 }, { 128, 64 },
				   { 192, 64 }, { 256, 64 } };
	bool limits = c->kind != XF_NO_LIMITS;
	struct xf_env *e = xf_env(test, limits ? XF_MAX : 0, XF_CHAIN, true);
	u8 *pkt = kunit_kzalloc(test, 512, GFP_KERNEL);
	u64 *field = &e->cch->in.stats.rejected_ext_data;
	VMBCHANNEL ch = e->p->client->ch;
	u16 id = XF_ID;
	u32 n = 1, len;

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_ASSERT_EQ(test, KmclChannelSetTransferPageSet(ch, XF_ID, e->gpadl),
			STATUS_SUCCESS);
	switch (c->kind) {
	case XF_UNKNOWN_ID:
		id = XF_ID + 1;
		break;
	case XF_FORGOTTEN_ID:
		KUNIT_ASSERT_EQ(test, KmclChannelSetTransferPageSet(ch, XF_ID, 0),
				STATUS_SUCCESS);
		break;
	case XF_PAST_END:
		r[0][0] = XF_LEN - 63;
		break;
	case XF_WRAPS:
		r[0][0] = 0xffffffc0;
		field = &e->cch->in.stats.rejected_malformed;
		break;
	case XF_EMPTY:
		r[0][1] = 0;
		field = &e->cch->in.stats.rejected_malformed;
		break;
	case XF_CHAIN_OVER:
		n = XF_CHAIN + 1;
		field = &e->cch->in.stats.rejected_ext_limits;
		break;
	case XF_BYTES_OVER:
		r[0][0] = 0;
		r[0][1] = XF_MAX + 1;
		field = &e->cch->in.stats.rejected_ext_limits;
		break;
	case XF_NO_LIMITS:
		field = &e->cch->in.stats.rejected_ext_limits;
		break;
	case XF_COUNT_OVERRUN:
		field = &e->cch->in.stats.rejected_malformed;
		break;
	}
	len = xf_build(pkt, id, (const u32 (*)[2])r, n, 0);
	if (c->kind == XF_COUNT_OVERRUN)
		((struct kmcl_xfer_page_hdr *)pkt)->range_count = 3;
	kmcl_pt_inject(test, e->sch, e->cch, pkt, len);
	/* The client's reader may be running on the other CPU: wait for it. */
	KUNIT_EXPECT_TRUE(test, KMCL_TEST_WAIT_UNTIL(READ_ONCE(e->cch->fail_err)));
	msleep(50);

	/* Rejected and counted, nothing delivered, the queue stopped. */
	KUNIT_EXPECT_EQ(test, xf_count(&e->rx), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(e->cch, &e->cch->in.stats.rejected), 1ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(e->cch, field), 1ULL);
	KUNIT_EXPECT_NE(test, READ_ONCE(e->cch->fail_err), 0);
}

static struct kunit_case kmcl_xfer_cases[] = {
	KUNIT_CASE(xfer_roundtrip),
	KUNIT_CASE(xfer_reregister),
	KUNIT_CASE(xfer_offset_gpadl),
	KUNIT_CASE(xfer_delete_waits),
	KUNIT_CASE(xfer_set_errors),
	KUNIT_CASE_PARAM(xfer_hostile, xf_evil_gen_params),
	{}
};

/* The same list again: KUnit keeps per-suite state in each case. */
static struct kunit_case kmcl_xfer_cvm_cases[] = {
	KUNIT_CASE(xfer_roundtrip),
	KUNIT_CASE(xfer_reregister),
	KUNIT_CASE(xfer_offset_gpadl),
	KUNIT_CASE(xfer_delete_waits),
	KUNIT_CASE(xfer_set_errors),
	KUNIT_CASE_PARAM(xfer_hostile, xf_evil_gen_params),
	{}
};

static struct kunit_suite kmcl_xfer_suite = {
	.name = "kmcl_xfer",
	.test_cases = kmcl_xfer_cases,
};

kunit_test_suite(kmcl_xfer_suite);

/* The same cases with an isolated (confidential VM) client. */
static struct kunit_suite kmcl_xfer_cvm_suite = {
	.name = "kmcl_xfer_cvm",
	.init = kmcl_test_cvm_init,
	.exit = kmcl_test_cvm_exit,
	.test_cases = kmcl_xfer_cvm_cases,
};

kunit_test_suite(kmcl_xfer_cvm_suite);
