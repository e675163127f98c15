// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_cvm: external data of a client in a confidential VM, on
 * loopback in isolation mode (kmcl_loopback_set_isolated()).
 *
 * The server plays the host: it records the pages it was given, checks
 * them against the client's pool and its private buffer, and writes back
 * (also beyond what it was given, as a hostile host may). The client's
 * driver memory must only ever change by what KMCL copied back, in the
 * direction the flags allow.
 */
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kmcl.h"
#include "mdl.h"
#include "packet_kunit.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

#define WAIT		VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define DATA_IN		VMBUS_CHANNEL_FORMAT_FLAG_DATA_IN_ONLY
#define DATA_OUT	VMBUS_CHANNEL_FORMAT_FLAG_DATA_OUT_ONLY
#define EXT_FLAG	VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA
#define CVM_MAX		(64 * 1024)
#define CVM_REC		8
#define CVM_PFNS	16

/**
 * struct cvm_rec - what the host saw of one packet
 * @pc: the packet.
 * @st: VmbChannelPacketGetExternalData() status.
 * @bytes: ByteCount of the (single) MDL.
 * @offset: its ByteOffset.
 * @nmdl: MDLs in the chain.
 * @npfn: PFNs recorded.
 * @pfn: the Hyper-V PFNs it was given.
 * @first: first bytes it read.
 * @txid: the sender's transaction id.
 */
struct cvm_rec {
	VMBPACKETCOMPLETION pc;
	NTSTATUS st;
	u32 bytes;
	u32 offset;
	u32 nmdl;
	u32 npfn;
	u64 pfn[CVM_PFNS];
	u8 first[16];
	u64 txid;
};

/**
 * struct cvm_host - the recording server
 * @lock: @n and @rec.
 * @wq: woken per packet.
 * @hold: keep packets; the test completes them.
 * @write: bytes to write from the start of the mapping (may exceed the
 *	MDL's ByteCount: a hostile host), 0: none.
 * @value: byte written.
 * @n: packets seen.
 * @rec: the first CVM_REC.
 */
struct cvm_host {
	spinlock_t lock;	/* @n, @rec */
	wait_queue_head_t wq;
	bool hold;
	u32 write;
	u8 value;
	unsigned int n;
	struct cvm_rec rec[CVM_REC];
};

struct cvm {
	struct kmcl_test_pair *p;
	struct cvm_host host;
	struct kmcl_channel *sch;
	struct kmcl_channel *cch;
};

static void cvm_process(struct kmcl_test_ep *ep, VMBPACKETCOMPLETION pc,
			PVOID buf, UINT32 len, UINT32 flags)
{
	struct cvm_host *h = ep->priv;
	struct cvm_rec r = { .pc = pc };
	PFN_NUMBER *pfns;
	unsigned int i;
	PMDL mdl = NULL;
	u8 *va;

	r.txid = ((struct kmcl_in_packet *)pc)->txid;
	if (flags & EXT_FLAG) {
		r.st = VmbChannelPacketGetExternalData(pc, 0, &mdl);
		for (; mdl; mdl = mdl->Next) {
			if (!r.nmdl++) {
				r.bytes = mdl->ByteCount;
				r.offset = mdl->ByteOffset;
				pfns = MmGetMdlPfnArray(mdl);
				r.npfn = min_t(u32, CVM_PFNS,
					       kmcl_wire_gpa_pfns(mdl->ByteOffset,
								  mdl->ByteCount));
				for (i = 0; i < r.npfn; i++)
					r.pfn[i] = pfns[i];
				va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
				memcpy(r.first, va, min_t(u32, 16, mdl->ByteCount));
				if (h->write)
					memset(va - mdl->ByteOffset, h->value, h->write);
			}
		}
	}
	spin_lock_bh(&h->lock);
	i = h->n++;
	if (i < CVM_REC)
		h->rec[i] = r;
	spin_unlock_bh(&h->lock);
	wake_up_all(&h->wq);
	if (!h->hold)
		VmbChannelPacketComplete(pc, NULL, 0);
}

static unsigned int cvm_count(struct cvm_host *h)
{
	unsigned int n;

	spin_lock_bh(&h->lock);
	n = h->n;
	spin_unlock_bh(&h->lock);
	return n;
}

static bool cvm_wait(struct cvm_host *h, unsigned int n)
{
	wait_event_timeout(h->wq, cvm_count(h) >= n,
			   msecs_to_jiffies(KMCL_PT_WAIT_MS));
	return cvm_count(h) >= n;
}

static void cvm_release(void *data)
{
	struct cvm *c = data;
	unsigned int i;

	for (i = 0; i < min_t(unsigned int, c->host.n, CVM_REC); i++)
		if (c->host.hold)
			VmbChannelPacketComplete(c->host.rec[i].pc, NULL, 0);
}

/*
 * A pair whose client is isolated (@iso) with bounce sizes @init/@inc/@max
 * (all 0: none set), external data limits CVM_MAX on both sides, opened.
 */
static struct cvm *cvm_pair(struct kunit *test, bool iso, u32 init, u32 inc,
			    u32 max)
{
	struct cvm *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	spin_lock_init(&c->host.lock);
	init_waitqueue_head(&c->host.wq);
	c->p = kmcl_test_pair_new(test);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, cvm_release, c), 0);
	c->p->server->priv = &c->host;
	c->p->server->process = cvm_process;
	c->sch = kmcl_channel_from_handle(c->p->server->ch);
	c->cch = kmcl_channel_from_handle(c->p->client->ch);
	kmcl_loopback_set_isolated(c->cch, iso);
	if (init || inc || max)
		KUNIT_ASSERT_EQ(test, VmbChannelInitSetBounceBufferSizes(c->p->client->ch,
									 init, inc, max),
				STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(c->p->server->ch,
								   CVM_MAX, 4),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(c->p->client->ch,
								   CVM_MAX, 4),
			STATUS_SUCCESS);
	/* The host maps what it gets in process context. */
	VmbChannelSetIncomingProcessingAtPassive(c->p->server->ch, TRUE);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->p->server->ch), STATUS_SUCCESS);
	VmbChannelStart(c->p->server->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(c->p->client->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c->p->server, KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(c->p->client, KMCL_TEST_POST_STARTED, 1));
	return c;
}

static void cvm_kfree(void *p)
{
	kfree(p);
}

static void cvm_free_mdl(void *mdl)
{
	IoFreeMdl(mdl);
}

/* @size bytes of driver memory, page aligned, filled with @v. */
static u8 *cvm_buf(struct kunit *test, u32 size, u8 v)
{
	u8 *p = kmalloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, cvm_kfree, p), 0);
	memset(p, v, size);
	return p;
}

static PMDL cvm_mdl(struct kunit *test, void *va, u32 len)
{
	PMDL mdl = IoAllocateMdl(va, len, FALSE, FALSE, NULL);

	KUNIT_ASSERT_NOT_NULL(test, mdl);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, cvm_free_mdl, mdl), 0);
	MmBuildMdlForNonPagedPool(mdl);
	return mdl;
}

static VMBPACKET cvm_pkt(struct kunit *test, struct cvm *c, struct kmcl_pt_done *d)
{
	VMBPACKET pkt = VmbPacketAllocate(c->p->client->ch);

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	VmbPacketSetCompletionRoutineEx(pkt, d, kmcl_pt_done_cb);
	return pkt;
}

static struct kmcl_pt_done *cvm_done(struct kunit *test)
{
	struct kmcl_pt_done *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	kmcl_pt_done_init(d, true);
	return d;
}

static bool cvm_failed(void *arg)
{
	struct kmcl_channel *ch = arg;

	return READ_ONCE(ch->fail_err) != 0;
}

static bool cvm_all(const u8 *p, u32 len, u8 v)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Are the host's pages of @r all in @ch's pool, none of @buf's? */
static bool cvm_pool_only(struct kmcl_channel *ch, const struct cvm_rec *r,
			  const u8 *buf, u32 size)
{
	struct {
		struct kmcl_gpa_range g;
		u64 pfn[CVM_PFNS];
	} __packed one;
	u64 lo = page_to_pfn(virt_to_page(buf)) * KMCL_HV_PER_PAGE;
	u64 hi = page_to_pfn(virt_to_page(buf + size - 1)) * KMCL_HV_PER_PAGE + KMCL_HV_PER_PAGE;
	u32 i;

	for (i = 0; i < r->npfn; i++)
		if (r->pfn[i] >= lo && r->pfn[i] < hi)
			return false;
	one.g.byte_offset = r->offset;
	one.g.byte_count = r->bytes;
	memcpy(one.pfn, r->pfn, sizeof(one.pfn));
	return r->npfn && kmcl_bounce_owns(ch, &one, sizeof(one), 1);
}

static u64 cvm_stat(struct kmcl_channel *ch, const u64 *field)
{
	return kmcl_test_locked(&ch->bounce->lock, field);
}

/* No pool: every way of sending external data is refused, nothing sent. */
static void cvm_no_pool(struct kunit *test)
{
	struct cvm *c = cvm_pair(test, true, 0, 0, 0);
	struct kmcl_pt_done *d = cvm_done(test);
	u8 *buf = cvm_buf(test, 4096, 1);
	PMDL mdl = cvm_mdl(test, buf, 4096);
	PFN_NUMBER pfn = page_to_pfn(virt_to_page(buf)) * KMCL_HV_PER_PAGE;
	LARGE_INTEGER to = { .QuadPart = -10 * 1000 * 1000 };
	VMBPACKET pkt = cvm_pkt(test, c, d);
	u32 csize = 0;

	KUNIT_EXPECT_TRUE(test, c->cch->isolated);
	KUNIT_EXPECT_NULL(test, c->cch->bounce);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, NULL, 0, mdl, WAIT), STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 0, 0, WAIT),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, NULL, 0, &pfn, 1, WAIT),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(c->p->client->ch, buf, 8, mdl,
							       WAIT, NULL, &csize, &to),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, test_bit(0, &c->cch->bounce_warned), 1);
	/* The packet is still the driver's; an in-band send works. */
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, 8, NULL, 0), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, cvm_wait(&c->host, 1));
	KUNIT_EXPECT_EQ(test, c->host.rec[0].nmdl, 0U);
	KUNIT_EXPECT_EQ(test, cvm_count(&c->host), 1U);
	/* Servers have no bounce buffers. */
	KUNIT_EXPECT_EQ(test, VmbChannelAllocateBounceBuffer(c->p->server->ch, 4096),
			STATUS_NOT_SUPPORTED);
}

/*
 * How many decrypted-alias mappings the client's GetSystemAddressForGpadl
 * of a new two-page GPADL asked for (kmcl_shared_map_count()).
 */
static u64 cvm_gpadl_maps(struct kunit *test, struct cvm *c)
{
	VMBCHANNEL ch = c->p->client->ch;
	UINT32 handle = 0;
	PVOID va = NULL;
	u64 before;

	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadl(ch, 0, 2, &handle), STATUS_SUCCESS);
	before = kmcl_shared_map_count();
	KUNIT_EXPECT_EQ(test, VmbChannelGetSystemAddressForGpadl(ch, 0, handle, &va),
			STATUS_SUCCESS);
	KUNIT_EXPECT_NOT_NULL(test, va);
	before = kmcl_shared_map_count() - before;
	VmbChannelDeleteGpadl(ch, handle);
	return before;
}

/* Not isolated: nothing is bounced, nothing allocated, same packet size. */
static void cvm_not_isolated(struct kunit *test)
{
	struct cvm *c = cvm_pair(test, false, 8192, 0, 0);
	struct kmcl_pt_done *d = cvm_done(test);
	u8 *buf = cvm_buf(test, 4096, 9);
	PMDL mdl = cvm_mdl(test, buf, 4096);

	KUNIT_EXPECT_FALSE(test, c->cch->isolated);
	KUNIT_EXPECT_NULL(test, c->cch->bounce);
	KUNIT_EXPECT_EQ(test, kmcl_bounce_area(c->cch), 0U);
	KUNIT_EXPECT_EQ(test, VmbChannelAllocateBounceBuffer(c->p->client->ch, 4096),
			STATUS_NOT_SUPPORTED);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(cvm_pkt(test, c, d), NULL, 0, mdl, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	/* The host got the driver's own page. */
	KUNIT_EXPECT_EQ(test, c->host.rec[0].pfn[0],
			(u64)page_to_pfn(virt_to_page(buf)) * KMCL_HV_PER_PAGE);
	/* A GPADL's mapping is the ordinary one. */
	KUNIT_EXPECT_EQ(test, cvm_gpadl_maps(test, c), 0ULL);
}

/*
 * Both directions: the host sees pool pages only, with the data; what it
 * writes comes back into the driver's buffer, exactly the bytes sent.
 */
static void cvm_roundtrip(struct kunit *test)
{
	struct cvm *c = cvm_pair(test, true, 16384, 0, 0);
	struct kmcl_pt_done *d = cvm_done(test);
	u8 *buf = cvm_buf(test, 3 * 4096, 0x11);
	PMDL mdl = cvm_mdl(test, buf + 100, 5000);

	c->host.write = 5000;
	c->host.value = 0x22;
	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalMdl(cvm_pkt(test, c, d), NULL, 0, mdl,
							   0, 0, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, cvm_count(&c->host), 1U);
	KUNIT_EXPECT_EQ(test, c->host.rec[0].st, STATUS_SUCCESS);
	/* One range over the pool from offset 0, never the driver's pages. */
	KUNIT_EXPECT_EQ(test, c->host.rec[0].nmdl, 1U);
	KUNIT_EXPECT_EQ(test, c->host.rec[0].offset, 0U);
	KUNIT_EXPECT_EQ(test, c->host.rec[0].bytes, 5000U);
	KUNIT_EXPECT_TRUE(test, cvm_pool_only(c->cch, &c->host.rec[0], buf, 3 * 4096));
	KUNIT_EXPECT_TRUE(test, cvm_all(c->host.rec[0].first, 16, 0x11));
	/* Copied back: the 5000 bytes, nothing around them. */
	KUNIT_EXPECT_TRUE(test, cvm_all(buf, 100, 0x11));
	KUNIT_EXPECT_TRUE(test, cvm_all(buf + 100, 5000, 0x22));
	KUNIT_EXPECT_TRUE(test, cvm_all(buf + 5100, 3 * 4096 - 5100, 0x11));
	KUNIT_EXPECT_EQ(test, cvm_stat(c->cch, &c->cch->bounce->bounced), 1ULL);
	KUNIT_EXPECT_EQ(test, cvm_stat(c->cch, &c->cch->bounce->copied_in), 5000ULL);
	KUNIT_EXPECT_EQ(test, cvm_stat(c->cch, &c->cch->bounce->copied_back), 5000ULL);
}

/* DATA_OUT_ONLY never comes back; DATA_IN_ONLY is never sent. */
static void cvm_directions(struct kunit *test)
{
	struct cvm *c = cvm_pair(test, true, 8192, 0, 0);
	struct kmcl_pt_done *d = cvm_done(test);
	u8 *buf = cvm_buf(test, 4096, 0x33);
	PMDL mdl = cvm_mdl(test, buf, 4096);

	c->host.write = 4096;
	c->host.value = 0x44;
	KUNIT_ASSERT_EQ(test, VmbPacketSend(cvm_pkt(test, c, d), NULL, 0, mdl,
					    WAIT | DATA_OUT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_TRUE(test, cvm_all(c->host.rec[0].first, 16, 0x33));
	KUNIT_EXPECT_TRUE(test, cvm_all(buf, 4096, 0x33));

	c->host.value = 0x55;
	KUNIT_ASSERT_EQ(test, VmbPacketSend(cvm_pkt(test, c, d), NULL, 0, mdl,
					    WAIT | DATA_IN),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 2));
	/* The host saw zeroes, not the driver's data nor the last packet's. */
	KUNIT_EXPECT_TRUE(test, cvm_all(c->host.rec[1].first, 16, 0));
	KUNIT_EXPECT_TRUE(test, cvm_all(buf, 4096, 0x55));
	KUNIT_EXPECT_EQ(test, cvm_stat(c->cch, &c->cch->bounce->copied_in), 4096ULL);
	KUNIT_EXPECT_EQ(test, cvm_stat(c->cch, &c->cch->bounce->copied_back), 4096ULL);
}

/* Hostile host: it writes the whole pool page; only 700 bytes come back. */
static void cvm_beyond_length(struct kunit *test)
{
	struct cvm *c = cvm_pair(test, true, 8192, 0, 0);
	struct kmcl_pt_done *d = cvm_done(test);
	u8 *buf = cvm_buf(test, 4096, 0xaa);
	PMDL mdl = cvm_mdl(test, buf + 40, 700);

	c->host.write = PAGE_SIZE;
	c->host.value = 0x5e;
	KUNIT_ASSERT_EQ(test, VmbPacketSend(cvm_pkt(test, c, d), NULL, 0, mdl, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, c->host.rec[0].bytes, 700U);
	KUNIT_EXPECT_TRUE(test, cvm_all(buf, 40, 0xaa));
	KUNIT_EXPECT_TRUE(test, cvm_all(buf + 40, 700, 0x5e));
	KUNIT_EXPECT_TRUE(test, cvm_all(buf + 740, 4096 - 740, 0xaa));
}

/* A full pool at its maximum: the next packet waits, in order, not dropped. */
static void cvm_pool_waits(struct kunit *test)
{
	struct cvm *c = cvm_pair(test, true, 2 * PAGE_SIZE, 0, 2 * PAGE_SIZE);
	struct kmcl_pt_done *d = cvm_done(test);
	u8 *a = cvm_buf(test, 2 * PAGE_SIZE, 1), *b = cvm_buf(test, PAGE_SIZE, 2);
	PMDL ma = cvm_mdl(test, a, 2 * PAGE_SIZE), mb = cvm_mdl(test, b, PAGE_SIZE);
	VMBPACKET p1 = cvm_pkt(test, c, d), p2 = cvm_pkt(test, c, d);

	c->host.hold = true;
	KUNIT_ASSERT_EQ(test, VmbPacketSend(p1, NULL, 0, ma, WAIT), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, cvm_wait(&c->host, 1));
	KUNIT_ASSERT_EQ(test, VmbPacketSend(p2, NULL, 0, mb, WAIT), STATUS_SUCCESS);
	msleep(50);
	KUNIT_EXPECT_EQ(test, cvm_count(&c->host), 1U);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);
	KUNIT_EXPECT_GE(test, cvm_stat(c->cch, &c->cch->bounce->waited), 1ULL);
	KUNIT_EXPECT_EQ(test, c->cch->bounce->bytes, (u32)(2 * PAGE_SIZE));

	/* The host completes the first: the second goes out. */
	VmbChannelPacketComplete(c->host.rec[0].pc, NULL, 0);
	KUNIT_ASSERT_TRUE(test, cvm_wait(&c->host, 2));
	VmbChannelPacketComplete(c->host.rec[1].pc, NULL, 0);
	c->host.hold = false;
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 2));
	KUNIT_EXPECT_PTR_EQ(test, d->rec[0].pkt, p1);
	KUNIT_EXPECT_PTR_EQ(test, d->rec[1].pkt, p2);
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, d->rec[1].status, STATUS_SUCCESS);
}

/* The pool grows (by at least what a waiting packet needs) up to Maximum. */
static void cvm_grow(struct kunit *test)
{
	struct cvm *c = cvm_pair(test, true, PAGE_SIZE, PAGE_SIZE, 4 * PAGE_SIZE);
	struct kmcl_pt_done *d = cvm_done(test);
	u8 *buf = cvm_buf(test, 8 * PAGE_SIZE, 7);
	PMDL mdl = cvm_mdl(test, buf, 3 * PAGE_SIZE);
	PMDL big = cvm_mdl(test, buf, 5 * PAGE_SIZE);
	VMBPACKET pkt;

	KUNIT_EXPECT_EQ(test, c->cch->bounce->bytes, (u32)PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(cvm_pkt(test, c, d), NULL, 0, mdl, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, c->cch->bounce->bytes, (u32)(4 * PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, cvm_pool_only(c->cch, &c->host.rec[0], buf, 8 * PAGE_SIZE));

	/*
	 * More than Maximum can never fit: refused, not queued for ever. A
	 * refused packet stays the driver's, which frees it.
	 */
	pkt = cvm_pkt(test, c, d);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, NULL, 0, big, WAIT),
			STATUS_INSUFFICIENT_RESOURCES);
	KUNIT_EXPECT_EQ(test, cvm_count(&c->host), 1U);
	VmbPacketFree(pkt);
}

/* VmbChannelAllocateBounceBuffer(): a pool without init sizes. */
static void cvm_allocate(struct kunit *test)
{
	struct cvm *c = cvm_pair(test, true, 0, 0, 0);
	struct kmcl_pt_done *d = cvm_done(test);
	u8 *buf = cvm_buf(test, 4096, 3);
	PMDL mdl = cvm_mdl(test, buf, 4096);
	VMBPACKET pkt = cvm_pkt(test, c, d);

	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, NULL, 0, mdl, WAIT), STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbChannelAllocateBounceBuffer(c->p->client->ch, 100),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbChannelAllocateBounceBuffer(c->p->client->ch, 8192),
			STATUS_SUCCESS);
	KUNIT_ASSERT_NOT_NULL(test, c->cch->bounce);
	KUNIT_EXPECT_EQ(test, c->cch->bounce->bytes, (u32)round_up(8192, PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, NULL, 0, mdl, WAIT), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, cvm_pool_only(c->cch, &c->host.rec[0], buf, 4096));
}

/* The isolated peer's view: pool pages yes, private pages never. */
static void cvm_peer_view(struct kunit *test)
{
	struct cvm *c = cvm_pair(test, true, 8192, 0, 0);
	u8 *buf = cvm_buf(test, 4096, 0);
	struct {
		struct kmcl_gpa_range g;
		u64 pfn[1];
	} __packed r = {
		.g = { .byte_count = 4096 },
	};
	struct kmcl_bounce_chunk *chunk;

	r.pfn[0] = (u64)page_to_pfn(virt_to_page(buf)) * KMCL_HV_PER_PAGE;
	KUNIT_EXPECT_FALSE(test, kmcl_bounce_owns(c->cch, &r, sizeof(r), 1));
	chunk = list_first_entry(&c->cch->bounce->chunks, struct kmcl_bounce_chunk, node);
	r.pfn[0] = (u64)page_to_pfn(chunk->pages[1]) * KMCL_HV_PER_PAGE;
	KUNIT_EXPECT_TRUE(test, kmcl_bounce_owns(c->cch, &r, sizeof(r), 1));
	/* Every pool mapping is made with the shared-page protection. */
	KUNIT_EXPECT_EQ(test, pgprot_val(kmcl_shared_pgprot(c->cch, false)),
			pgprot_val(pgprot_decrypted(PAGE_KERNEL)));
	KUNIT_EXPECT_EQ(test, pgprot_val(kmcl_shared_pgprot(c->sch, false)),
			pgprot_val(PAGE_KERNEL));
	/*
	 * Without memory encryption both protections have the same value:
	 * count that the isolated client's GPADL mapping asked for the
	 * decrypted alias.
	 */
	KUNIT_EXPECT_EQ(test, cvm_gpadl_maps(test, c), 1ULL);
}

/*
 * The loopback host of an isolated client refuses any page that is not in
 * its pool, as a real host would: a private page that reached the ring
 * (here: sent before the client counted as isolated) stops the host's
 * incoming queue and is never delivered.
 */
static void cvm_peer_refuses_private(struct kunit *test)
{
	struct cvm *c = cvm_pair(test, false, 0, 0, 0);
	struct kmcl_pt_done *d = cvm_done(test);
	u8 *buf = cvm_buf(test, 4096, 4);
	PMDL mdl = cvm_mdl(test, buf, 4096);

	/* The host stops reading data packets: the send waits in the ring. */
	VmbChannelPause(c->p->server->ch);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(cvm_pkt(test, c, d), NULL, 0, mdl, WAIT),
			STATUS_SUCCESS);
	WRITE_ONCE(c->cch->isolated, true);
	VmbChannelStart(c->p->server->ch);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_true(cvm_failed, c->sch, KMCL_PT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, cvm_count(&c->host), 0U);
	spin_lock_bh(&c->sch->in.lock);
	KUNIT_EXPECT_EQ(test, c->sch->in.stats.rejected_ext_data, 1ULL);
	spin_unlock_bh(&c->sch->in.lock);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);
	/* The refused packet ends with the channel, exactly once. */
	WRITE_ONCE(c->cch->isolated, false);
	VmbChannelDisable(c->p->client->ch);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_DEVICE_REMOVED);
}

/*
 * Hostile host: two completions for one packet, the second arriving while
 * the first one's copy-back runs. The data comes back once, the driver's
 * routine runs once, the duplicate is refused.
 */
static void cvm_double_completion(struct kunit *test)
{
	struct cvm *c = cvm_pair(test, true, 8192, 0, 0);
	struct kmcl_pt_done *d = cvm_done(test);
	u8 *buf = cvm_buf(test, 4096, 0x61);
	PMDL mdl = cvm_mdl(test, buf, 4096);
	struct kmcl_vmpacket_desc comp = {
		.type = KMCL_PKT_COMP,
		.offset8 = sizeof(comp) / 8,
		.len8 = sizeof(comp) / 8,
	};

	c->host.hold = true;
	c->host.write = 4096;
	c->host.value = 0x62;
	KUNIT_ASSERT_EQ(test, VmbPacketSend(cvm_pkt(test, c, d), NULL, 0, mdl, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, cvm_wait(&c->host, 1));
	comp.trans_id = c->host.rec[0].txid;
	/* Both land before the client's reader runs. */
	local_bh_disable();
	kmcl_pt_inject(test, c->sch, c->cch, &comp, sizeof(comp));
	kmcl_pt_inject(test, c->sch, c->cch, &comp, sizeof(comp));
	local_bh_enable();
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	/* The duplicate's rejection may come in a later run of the reader. */
	KUNIT_EXPECT_TRUE(test, KMCL_TEST_WAIT_UNTIL(READ_ONCE(c->cch->fail_err)));
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 1U);
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, cvm_all(buf, 4096, 0x62));
	KUNIT_EXPECT_EQ(test, cvm_stat(c->cch, &c->cch->bounce->copied_back), 4096ULL);
	spin_lock_bh(&c->cch->in.lock);
	KUNIT_EXPECT_EQ(test, c->cch->in.stats.rejected_bad_id, 1ULL);
	spin_unlock_bh(&c->cch->in.lock);
	KUNIT_EXPECT_NE(test, READ_ONCE(c->cch->fail_err), 0);
	/* The pool page went back once: the whole pool is free. */
	spin_lock_bh(&c->cch->bounce->lock);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(list_first_entry(&c->cch->bounce->chunks,
							      struct kmcl_bounce_chunk,
							      node)->used,
					     8192 / PAGE_SIZE));
	spin_unlock_bh(&c->cch->bounce->lock);
}

static struct kunit_case kmcl_cvm_cases[] = {
	KUNIT_CASE(cvm_no_pool),
	KUNIT_CASE(cvm_not_isolated),
	KUNIT_CASE(cvm_roundtrip),
	KUNIT_CASE(cvm_directions),
	KUNIT_CASE(cvm_beyond_length),
	KUNIT_CASE(cvm_pool_waits),
	KUNIT_CASE(cvm_grow),
	KUNIT_CASE(cvm_allocate),
	KUNIT_CASE(cvm_peer_view),
	KUNIT_CASE(cvm_peer_refuses_private),
	KUNIT_CASE(cvm_double_completion),
	{}
};

static struct kunit_suite kmcl_cvm_suite = {
	.name = "kmcl_cvm",
	.test_cases = kmcl_cvm_cases,
};

kunit_test_suite(kmcl_cvm_suite);
