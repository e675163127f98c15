// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_external: external data between a loopback client and
 * server. Bytes written by the sender are read back exactly by the
 * receiver, and the receiver's writes by the sender, through every way of
 * lending memory (VmbPacketSendWithExternalMdl, VmbPacketSendWithExternal
 * Pfns, VmbPacketSend with an MDL chain) in both directions; the receive
 * side in softirq and process context (STATUS_PENDING and the second
 * ProcessPacket), READ_ONLY mappings, FORCE_MDL_LENGTH; the limits of
 * VmbChannelInitSetMaximumExternalData on both ends; every documented
 * error status; a closing sender that waits for the peer; and hostile
 * GPA-direct packets written straight into the ring.
 */
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#ifdef CONFIG_X86
#include <asm/pgtable.h>
#endif

#include "kmcl.h"
#include "mdl.h"
#include "packet_kunit.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

#define WAIT		VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION
#define FORCE		VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH
#define DATA_IN		VMBUS_CHANNEL_FORMAT_FLAG_DATA_IN_ONLY
#define DATA_OUT	VMBUS_CHANNEL_FORMAT_FLAG_DATA_OUT_ONLY
#define EXT_FLAG	VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA
#define RO		VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY

#define EXT_MAX		(64 * 1024)	/* default DataSize of a test pair */
#define EXT_CHAIN	4		/* default ChainLength */
#define EXT_REC		32		/* packets recorded per receiver */
#define EXT_MDLS	8		/* MDLs recorded per packet */
#define EXT_REPLY	0x5a5a5a5a00000000ULL

/* What the receiving ProcessPacket does. */
enum ext_mode {
	EXT_CHECK,	/* get the external data, check it, complete */
	EXT_HOLD,	/* record only; the test finishes the packet */
};

/**
 * struct ext_rec - one delivered packet
 * @pc: its handle.
 * @st: VmbChannelPacketGetExternalData() status (EXT_CHECK).
 * @flags: ProcessPacket Flags.
 * @len: in-band length.
 * @data: first in-band bytes.
 * @softirq: the final ProcessPacket ran in softirq context.
 * @task: it ran in process context.
 * @nmdl: MDLs in the chain.
 * @bytes: their ByteCounts added up.
 * @count: ByteCount of each MDL.
 * @offset: ByteOffset of each MDL.
 * @mdl_ok: every MDL had no VA, locked pages and a system mapping.
 * @data_ok: every byte was the sender's pattern.
 * @writable: the first mapping is writable (x86; else true).
 * @vmapped: the first mapping is a vmap(), not the direct map.
 * @va: the first mapping.
 * @unmapped: with ext_rx.unmap, every MDL had no mapping recorded after
 *	MmUnmapLockedPages().
 * @done: completed (EXT_CHECK, or by the test).
 */
struct ext_rec {
	VMBPACKETCOMPLETION pc;
	NTSTATUS st;
	u32 flags;
	u32 len;
	u8 data[16];
	bool softirq;
	bool task;
	u32 nmdl;
	u32 bytes;
	u32 count[EXT_MDLS];
	u32 offset[EXT_MDLS];
	bool mdl_ok;
	bool data_ok;
	bool writable;
	bool vmapped;
	void *va;
	bool unmapped;
	bool done;
};

/**
 * struct ext_rx - what one endpoint received
 * @lock: protects @n, @pending and @rec.
 * @wq: woken on every record.
 * @mode: enum ext_mode.
 * @get_flags: Flags for VmbChannelPacketGetExternalData().
 * @seed: pattern the sender wrote.
 * @base: chain offset of the first byte sent (pattern position).
 * @write_back: write the pattern of @seed + 1 over what was checked.
 * @unmap: then give each MDL's mapping back with MmUnmapLockedPages().
 * @n: packets recorded.
 * @pending: STATUS_PENDING answers (ProcessPacket runs again).
 * @rec: the records.
 */
struct ext_rx {
	spinlock_t lock;	/* @n, @pending, @rec */
	wait_queue_head_t wq;
	enum ext_mode mode;
	u32 get_flags;
	u8 seed;
	u32 base;
	bool write_back;
	bool unmap;
	unsigned int n;
	unsigned int pending;
	struct ext_rec rec[EXT_REC];
};

/**
 * struct ext_pair - a client and a server with external data limits
 * @p: the endpoints.
 * @srx: what the server received.
 * @crx: what the client received.
 * @sch: the server channel.
 * @cch: the client channel.
 */
struct ext_pair {
	struct kmcl_test_pair *p;
	struct ext_rx srx;
	struct ext_rx crx;
	struct kmcl_channel *sch;
	struct kmcl_channel *cch;
};

/* Byte @i of the pattern @seed. */
static u8 pat(u64 i, u8 seed)
{
	return (seed + i * 7 + (i >> 8)) & 0xff;
}

/* @len bytes at @p are chain bytes @pos.. of pattern @seed. */
static void fill(u8 *p, u32 len, u64 pos, u8 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = pat(pos + i, seed);
}

static bool check(const u8 *p, u32 len, u64 pos, u8 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (p[i] != pat(pos + i, seed))
			return false;
	return true;
}

static bool ext_writable(const void *va)
{
#ifdef CONFIG_X86
	unsigned int level;
	pte_t *pte = lookup_address((unsigned long)va, &level);

	return pte && pte_write(*pte);
#else
	return true;
#endif
}

/* Walk the chain the receiver got: check, maybe write back, record. */
static void ext_inspect(struct ext_rx *rx, struct ext_rec *r, PMDL mdl)
{
	u64 pos = rx->base;
	u8 *va;

	r->mdl_ok = true;
	r->data_ok = true;
	r->unmapped = rx->unmap;
	for (; mdl; mdl = mdl->Next) {
		if (r->nmdl < EXT_MDLS) {
			r->count[r->nmdl] = mdl->ByteCount;
			r->offset[r->nmdl] = mdl->ByteOffset;
		}
		if (mdl->StartVa || !(mdl->MdlFlags & MDL_PAGES_LOCKED) ||
		    !(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA))
			r->mdl_ok = false;
		va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
		if (!va || va != mdl->MappedSystemVa) {
			r->mdl_ok = false;
			r->data_ok = false;
			break;
		}
		if (!r->nmdl) {
			r->writable = ext_writable(va);
			r->vmapped = is_vmalloc_addr(va);
			r->va = va;
		}
		if (!check(va, mdl->ByteCount, pos, rx->seed))
			r->data_ok = false;
		if (rx->write_back && !(rx->get_flags & RO))
			fill(va, mdl->ByteCount, pos, rx->seed + 1);
		if (rx->unmap) {
			MmUnmapLockedPages(va, mdl);
			if ((mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) ||
			    mdl->MappedSystemVa)
				r->unmapped = false;
		}
		pos += mdl->ByteCount;
		r->bytes += mdl->ByteCount;
		r->nmdl++;
	}
}

static void ext_process(struct kmcl_test_ep *ep, VMBPACKETCOMPLETION pc,
			PVOID buf, UINT32 len, UINT32 flags)
{
	struct ext_rx *rx = ep->priv;
	struct ext_rec r = {
		.pc = pc,
		.flags = flags,
		.len = len,
		.softirq = in_serving_softirq(),
		.task = in_task(),
	};
	enum ext_mode mode = READ_ONCE(rx->mode);
	unsigned long irqfl;
	unsigned int i;
	u64 reply;
	PMDL mdl = NULL;

	memcpy(r.data, buf, min_t(u32, len, sizeof(r.data)));
	if (mode == EXT_CHECK && (flags & EXT_FLAG)) {
		r.st = VmbChannelPacketGetExternalData(pc, rx->get_flags, &mdl);
		if (r.st == STATUS_PENDING) {
			spin_lock_irqsave(&rx->lock, irqfl);
			rx->pending++;
			spin_unlock_irqrestore(&rx->lock, irqfl);
			return;
		}
		if (r.st == STATUS_SUCCESS)
			ext_inspect(rx, &r, mdl);
	}
	r.done = mode == EXT_CHECK;

	spin_lock_irqsave(&rx->lock, irqfl);
	i = rx->n++;
	if (i < EXT_REC)
		rx->rec[i] = r;
	spin_unlock_irqrestore(&rx->lock, irqfl);
	wake_up_all(&rx->wq);

	if (mode == EXT_CHECK) {
		reply = EXT_REPLY | i;
		VmbChannelPacketComplete(pc, &reply, sizeof(reply));
	}
}

static unsigned int ext_rx_count(struct ext_rx *rx)
{
	unsigned long irqfl;
	unsigned int n;

	spin_lock_irqsave(&rx->lock, irqfl);
	n = rx->n;
	spin_unlock_irqrestore(&rx->lock, irqfl);
	return n;
}

static bool ext_wait_rx(struct ext_rx *rx, unsigned int n)
{
	wait_event_timeout(rx->wq, ext_rx_count(rx) >= n,
			   msecs_to_jiffies(KMCL_PT_WAIT_MS));
	return ext_rx_count(rx) >= n;
}

/* Complete held packet @i (EXT_HOLD) from the test. */
static void ext_complete(struct ext_rx *rx, unsigned int i)
{
	struct ext_rec *r = &rx->rec[i];

	if (r->done)
		return;
	r->done = true;
	VmbChannelPacketComplete(r->pc, NULL, 0);
}

/* Kunit action, before the endpoints go: finish what the test held. */
static void ext_pair_release(void *data)
{
	struct ext_pair *ep = data;
	unsigned int i;

	for (i = 0; i < min_t(unsigned int, ep->srx.n, EXT_REC); i++)
		ext_complete(&ep->srx, i);
	for (i = 0; i < min_t(unsigned int, ep->crx.n, EXT_REC); i++)
		ext_complete(&ep->crx, i);
}

static void ext_rx_init(struct ext_rx *rx)
{
	spin_lock_init(&rx->lock);
	init_waitqueue_head(&rx->wq);
	rx->mode = EXT_CHECK;
}

static void ext_limits(struct kunit *test, struct kmcl_test_ep *ep, u32 max,
		       u32 chain)
{
	if (max)
		KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumExternalData(ep->ch, max,
									   chain),
				STATUS_SUCCESS);
}

static void ext_open(struct kunit *test, struct ext_pair *ep)
{
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->p->server->ch), STATUS_SUCCESS);
	VmbChannelStart(ep->p->server->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->p->client->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(ep->p->server, KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(ep->p->client, KMCL_TEST_POST_STARTED, 1));
}

/*
 * A pair whose server has limits @smax/@schain and client @cmax/@cchain
 * (0: none). Opened unless @closed.
 */
static struct ext_pair *ext_pair_limits(struct kunit *test, u32 smax, u32 schain,
					u32 cmax, u32 cchain, bool closed)
{
	struct ext_pair *ep = kunit_kzalloc(test, sizeof(*ep), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ep);
	ext_rx_init(&ep->srx);
	ext_rx_init(&ep->crx);
	ep->p = kmcl_test_pair_new(test);
	/* Runs before the endpoints are disabled (kunit actions are LIFO). */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ext_pair_release, ep), 0);
	ep->p->server->priv = &ep->srx;
	ep->p->server->process = ext_process;
	ep->p->client->priv = &ep->crx;
	ep->p->client->process = ext_process;
	ext_limits(test, ep->p->server, smax, schain);
	ext_limits(test, ep->p->client, cmax, cchain);
	ep->sch = kmcl_channel_from_handle(ep->p->server->ch);
	ep->cch = kmcl_channel_from_handle(ep->p->client->ch);
	if (!closed)
		ext_open(test, ep);
	return ep;
}

static struct ext_pair *ext_pair(struct kunit *test)
{
	return ext_pair_limits(test, EXT_MAX, EXT_CHAIN, EXT_MAX, EXT_CHAIN, false);
}

static struct kmcl_pt_done *ext_done(struct kunit *test, bool free)
{
	struct kmcl_pt_done *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	kmcl_pt_done_init(d, free);
	return d;
}

static VMBPACKET ext_pkt(struct kunit *test, VMBCHANNEL ch, struct kmcl_pt_done *d)
{
	VMBPACKET pkt = VmbPacketAllocate(ch);

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	VmbPacketSetCompletionRoutineEx(pkt, d, kmcl_pt_done_cb);
	return pkt;
}

static void kvfree_action(void *p)
{
	kvfree(p);
}

static void *ext_kbuf(struct kunit *test, size_t size)
{
	void *p = kzalloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kvfree_action, p), 0);
	return p;
}

static void *ext_vbuf(struct kunit *test, size_t size)
{
	void *p = vzalloc(size);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kvfree_action, p), 0);
	return p;
}

static void ext_free_mdl(void *mdl)
{
	IoFreeMdl(mdl);
}

/* A built MDL over @len bytes at @va, freed when the test ends. */
static PMDL ext_mdl(struct kunit *test, void *va, u32 len)
{
	PMDL mdl = IoAllocateMdl(va, len, FALSE, FALSE, NULL);

	KUNIT_ASSERT_NOT_NULL(test, mdl);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ext_free_mdl, mdl), 0);
	MmBuildMdlForNonPagedPool(mdl);
	KUNIT_ASSERT_TRUE(test, mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL);
	return mdl;
}

static void ext_free_page(void *page)
{
	__free_page(page);
}

/* A page of its own, freed when the test ends; *@pfn its Hyper-V PFN. */
static u8 *ext_page(struct kunit *test, PFN_NUMBER *pfn)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ext_free_page, page), 0);
	*pfn = page_to_pfn(page) * KMCL_HV_PER_PAGE;
	return page_address(page);
}

/*
 * In isolation mode (kmcl_external_cvm) an isolated client's data reaches
 * the peer through its bounce pool: one range from offset 0 over pool
 * pages, whatever the driver's chain looked like. The data, the order and
 * the statuses are the same; only that shape differs.
 */
static bool ext_bounced(VMBCHANNEL from)
{
	return READ_ONCE(kmcl_channel_from_handle(from)->isolated);
}

/* --- round trips -------------------------------------------------------- */

/*
 * @from sends @len bytes at @off of a 3-page vmalloc chain to the peer,
 * whose recorder is @rx, with VmbPacketSendWithExternalMdl; the peer checks
 * them and writes the next pattern back.
 */
static void ext_mdl_one_way(struct kunit *test, VMBCHANNEL from,
			    struct ext_rx *rx, u8 seed)
{
	const u32 size = 3 * 4096 - 200, off = 500, len = 6000;
	struct kmcl_pt_done *d = ext_done(test, true);
	u8 *buf = ext_vbuf(test, 3 * 4096) + 100;
	u8 inl[16];
	PMDL mdl;

	fill(buf, size, 0, seed);
	mdl = ext_mdl(test, buf, size);
	memset(inl, seed, sizeof(inl));
	rx->seed = seed;
	rx->base = off;
	rx->write_back = true;

	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalMdl(ext_pkt(test, from, d), inl,
							   sizeof(inl), mdl, off, len,
							   WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, d->rec[0].len, 8U);
	KUNIT_EXPECT_EQ(test, *(u64 *)d->rec[0].data, EXT_REPLY);

	KUNIT_ASSERT_EQ(test, ext_rx_count(rx), 1U);
	KUNIT_EXPECT_EQ(test, rx->rec[0].st, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, rx->rec[0].flags, EXT_FLAG);
	KUNIT_EXPECT_EQ(test, rx->rec[0].len, 16U);
	KUNIT_EXPECT_EQ(test, memcmp(rx->rec[0].data, inl, sizeof(inl)), 0);
	KUNIT_EXPECT_EQ(test, rx->rec[0].nmdl, 1U);
	KUNIT_EXPECT_EQ(test, rx->rec[0].bytes, len);
	KUNIT_EXPECT_EQ(test, rx->rec[0].offset[0],
			ext_bounced(from) ? 0U : (100U + off) % 4096);
	KUNIT_EXPECT_TRUE(test, rx->rec[0].mdl_ok);
	KUNIT_EXPECT_TRUE(test, rx->rec[0].data_ok);
	/* Exactly the window came back changed. */
	KUNIT_EXPECT_TRUE(test, check(buf, off, 0, seed));
	KUNIT_EXPECT_TRUE(test, check(buf + off, len, off, seed + 1));
	KUNIT_EXPECT_TRUE(test, check(buf + off + len, size - off - len, off + len,
				      seed));
}

static void ext_mdl_both_ways(struct kunit *test)
{
	struct ext_pair *ep = ext_pair(test);

	ext_mdl_one_way(test, ep->p->client->ch, &ep->srx, 3);
	ext_mdl_one_way(test, ep->p->server->ch, &ep->crx, 70);
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(ep->cch, &ep->cch->out.stats.ext_sent), 1ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(ep->sch, &ep->sch->out.stats.ext_sent), 1ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(ep->sch, &ep->sch->in.stats.ext_received), 1ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(ep->cch, &ep->cch->in.stats.ext_received), 1ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(ep->sch, &ep->sch->in.stats.rejected), 0ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(ep->cch, &ep->cch->in.stats.rejected), 0ULL);
}

/*
 * VmbPacketSend() with a chain of three MDLs (kmalloc, vmalloc, kmalloc),
 * without WAIT_FOR_COMPLETION: still completes only when the receiver
 * completes. The receiver reads in process context (its reader maps the
 * chain before ProcessPacket) and looks at the chain later.
 */
static void ext_send_chain(struct kunit *test)
{
	struct kmcl_pt_done *d = ext_done(test, true);
	struct ext_pair *ep = ext_pair(test);
	const u32 len[3] = { 300, 2 * 4096 + 10, 4096 };
	u8 *buf[3];
	PMDL mdl[3], got = NULL, again = NULL, m;
	VMBPACKETCOMPLETION pc;
	u64 pos = 0;
	u8 *va;
	int i;

	buf[0] = ext_kbuf(test, 512) + 8;
	buf[1] = ext_vbuf(test, 3 * 4096) + 4000;
	buf[2] = ext_kbuf(test, 4096);
	for (i = 0; i < 3; i++) {
		fill(buf[i], len[i], pos, 9);
		mdl[i] = ext_mdl(test, buf[i], len[i]);
		if (i)
			mdl[i - 1]->Next = mdl[i];
		pos += len[i];
	}
	ep->srx.mode = EXT_HOLD;
	VmbChannelSetIncomingProcessingAtPassive(ep->p->server->ch, TRUE);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(ext_pkt(test, ep->p->client->ch, d), "chain!!!",
					    8, mdl[0], 0),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, ext_wait_rx(&ep->srx, 1));
	msleep(30);
	/* Lent memory: no completion while the receiver holds the packet. */
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);
	KUNIT_EXPECT_EQ(test, ep->srx.rec[0].flags, EXT_FLAG);
	KUNIT_EXPECT_EQ(test, memcmp(ep->srx.rec[0].data, "chain!!!", 8), 0);

	pc = ep->srx.rec[0].pc;
	KUNIT_ASSERT_EQ(test, VmbChannelPacketGetExternalData(pc, 0, &got), STATUS_SUCCESS);
	KUNIT_ASSERT_NOT_NULL(test, got);
	pos = 0;
	i = 0;
	if (ext_bounced(ep->p->client->ch)) {
		/* One pool range carries the whole chain, in order. */
		KUNIT_EXPECT_NULL(test, got->Next);
		KUNIT_EXPECT_EQ(test, got->ByteCount, len[0] + len[1] + len[2]);
		KUNIT_EXPECT_EQ(test, got->ByteOffset, 0U);
		va = MmGetSystemAddressForMdlSafe(got, NormalPagePriority);
		KUNIT_ASSERT_NOT_NULL(test, va);
		KUNIT_EXPECT_TRUE(test, check(va, got->ByteCount, 0, 9));
		fill(va, got->ByteCount, 0, 10);
		i = 3;
	}
	for (m = i ? NULL : got; m; m = m->Next, i++) {
		KUNIT_ASSERT_LT(test, i, 3);
		KUNIT_EXPECT_EQ(test, m->ByteCount, len[i]);
		KUNIT_EXPECT_EQ(test, m->ByteOffset, offset_in_page(buf[i]) & 4095);
		KUNIT_EXPECT_NULL(test, m->StartVa);
		va = MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
		KUNIT_ASSERT_NOT_NULL(test, va);
		KUNIT_EXPECT_PTR_EQ(test, (void *)va, m->MappedSystemVa);
		KUNIT_EXPECT_TRUE(test, check(va, len[i], pos, 9));
		fill(va, len[i], pos, 10);
		pos += len[i];
	}
	KUNIT_EXPECT_EQ(test, i, 3);
	/* A second call hands out the same chain. */
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(pc, RO, &again),
			STATUS_SUCCESS);
	KUNIT_EXPECT_PTR_EQ(test, again, got);

	ext_complete(&ep->srx, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	/* Completed: the MDLs are gone, the packet is not the driver's. */
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(pc, 0, &again),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_NULL(test, again);
	pos = 0;
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_TRUE(test, check(buf[i], len[i], pos, 10));
		pos += len[i];
	}
}

/*
 * VmbPacketSendWithExternalPfns() over two pages in descending PFN order:
 * never physically consecutive, so the softirq delivery answers
 * STATUS_PENDING and ProcessPacket runs again in process context. The
 * packet is built in caller memory (VmbPacketInitialize).
 */
static void ext_pfns_pending(struct kunit *test)
{
	struct kmcl_pt_done *d = ext_done(test, false);
	struct ext_pair *ep = ext_pair(test);
	PFN_NUMBER pfn[2], tmp;
	u8 *page[2], *swap;
	UINT32 size;
	void *mem;

	page[0] = ext_page(test, &pfn[0]);
	page[1] = ext_page(test, &pfn[1]);
	if (pfn[0] < pfn[1]) {
		tmp = pfn[0], pfn[0] = pfn[1], pfn[1] = tmp;
		swap = page[0], page[0] = page[1], page[1] = swap;
	}
	fill(page[0], 4096, 0, 33);
	fill(page[1], 4096, 4096, 33);
	ep->srx.seed = 33;
	ep->srx.write_back = true;

	/* External data makes the packet object larger. */
	size = VmbChannelSizeofPacket(ep->p->client->ch);
	KUNIT_EXPECT_GE(test, size, (UINT32)(sizeof(struct kmcl_packet) +
					     KMCL_DEFAULT_MAX_PACKET_SIZE +
					     kmcl_ext_ranges_cap(&ep->cch->cfg)));
	mem = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, VmbPacketInitialize(ep->p->client->ch, mem, size),
			STATUS_SUCCESS);
	VmbPacketSetCompletionRoutineEx(mem, d, kmcl_pt_done_cb);
	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalPfns(mem, NULL, 0, pfn, 2, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	/* Pool pages may happen to be consecutive: no deferral then. */
	if (!ext_bounced(ep->p->client->ch)) {
		KUNIT_EXPECT_EQ(test, ep->srx.pending, 1U);
		KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].task);
		KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].vmapped);
	}
	KUNIT_EXPECT_EQ(test, ep->srx.rec[0].st, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ep->srx.rec[0].nmdl, 1U);
	KUNIT_EXPECT_EQ(test, ep->srx.rec[0].bytes, 8192U);
	KUNIT_EXPECT_EQ(test, ep->srx.rec[0].offset[0], 0U);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].data_ok);
	KUNIT_EXPECT_TRUE(test, check(page[0], 4096, 0, 34));
	KUNIT_EXPECT_TRUE(test, check(page[1], 4096, 4096, 34));
	/* All mappings made for the receiver are gone. */
	kmcl_mdl_flush();
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), 0);
}

/*
 * Memory inside one page is mapped straight from the softirq delivery;
 * DATA_IN_ONLY / DATA_OUT_ONLY are accepted hints.
 */
static void ext_softirq_direct(struct kunit *test)
{
	struct kmcl_pt_done *d = ext_done(test, true);
	struct ext_pair *ep = ext_pair(test);
	u8 *buf = ext_kbuf(test, 1024) + 40;
	const u32 flags[3] = { 0, DATA_IN, DATA_OUT };
	PMDL mdl;
	int i;

	mdl = ext_mdl(test, buf, 700);
	ep->srx.seed = 5;
	for (i = 0; i < 3; i++) {
		fill(buf, 700, 0, 5);
		KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalMdl(ext_pkt(test, ep->p->client->ch,
									   d),
								   NULL, 0, mdl, 0, 0,
								   WAIT | flags[i]),
				STATUS_SUCCESS);
		KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, i + 1));
		KUNIT_EXPECT_EQ(test, d->rec[i].status, STATUS_SUCCESS);
		KUNIT_EXPECT_TRUE(test, ep->srx.rec[i].softirq);
		KUNIT_EXPECT_EQ(test, ep->srx.rec[i].st, STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, ep->srx.rec[i].bytes, 700U);
		/* Bounced DATA_IN_ONLY: the receiver never sees the data. */
		KUNIT_EXPECT_EQ(test, ep->srx.rec[i].data_ok,
				!(ext_bounced(ep->p->client->ch) && flags[i] == DATA_IN));
		KUNIT_EXPECT_FALSE(test, ep->srx.rec[i].vmapped);
	}
	KUNIT_EXPECT_EQ(test, ep->srx.pending, 0U);
}

static void ext_vunmap(void *va)
{
	vunmap(va);
}

/*
 * Two pages in descending PFN order, mapped together with vmap(): the
 * shape of a vmalloc() buffer (pages scattered), never physically
 * consecutive. Freed when the test ends. @len bytes at @off are filled
 * with pattern @seed and described by a nonpaged-pool MDL, in *@mdl.
 */
static u8 *ext_scattered(struct kunit *test, u32 off, u32 len, u8 seed,
			 PMDL *mdl)
{
	struct page *pages[2];
	PFN_NUMBER pfn[2], tmp;
	u8 *va;

	ext_page(test, &pfn[0]);
	ext_page(test, &pfn[1]);
	if (pfn[0] < pfn[1])
		tmp = pfn[0], pfn[0] = pfn[1], pfn[1] = tmp;
	pages[0] = pfn_to_page(pfn[0] / KMCL_HV_PER_PAGE);
	pages[1] = pfn_to_page(pfn[1] / KMCL_HV_PER_PAGE);
	va = vmap(pages, 2, VM_MAP, PAGE_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ext_vunmap, va), 0);
	fill(va + off, len, 0, seed);
	*mdl = ext_mdl(test, va + off, len);
	return va;
}

/* Send @mdl as packet @n of @d; both ends must answer STATUS_SUCCESS. */
static void ext_send_mdl(struct kunit *test, struct ext_pair *ep,
			 struct kmcl_pt_done *d, PMDL mdl, unsigned int n)
{
	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalMdl(ext_pkt(test, ep->p->client->ch, d),
							   NULL, 0, mdl, 0, 0, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, n));
	KUNIT_EXPECT_EQ(test, d->rec[n - 1].status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ep->srx.rec[n - 1].st, STATUS_SUCCESS);
}

/*
 * A nonpaged-pool MDL over scattered vmalloc-area memory, received in
 * softirq context on the loopback: the receiver gets the sender's own
 * mapping of the lent pages, checked page by page, at once. No vmap(), no
 * deferral to process context; writes reach the sender's buffer. READ_ONLY
 * still needs a read-only mapping of its own, made in process context.
 */
static void ext_vmalloc_softirq(struct kunit *test)
{
	struct kmcl_pt_done *d = ext_done(test, true);
	struct ext_pair *ep = ext_pair(test);
	const u32 off = 100, len = 2 * 4096 - 300;
	bool bounced = ext_bounced(ep->p->client->ch);
	PMDL mdl;
	u8 *buf = ext_scattered(test, off, len, 21, &mdl);

	ep->srx.seed = 21;
	ep->srx.write_back = true;
	ext_send_mdl(test, ep, d, mdl, 1);
	KUNIT_EXPECT_EQ(test, ep->srx.rec[0].bytes, len);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].mdl_ok);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].data_ok);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].writable);
	KUNIT_EXPECT_TRUE(test, check(buf + off, len, 0, 22));
	if (!bounced) {
		KUNIT_EXPECT_EQ(test, ep->srx.pending, 0U);
		KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].softirq);
		KUNIT_EXPECT_PTR_EQ(test, ep->srx.rec[0].va, (void *)(buf + off));
	}
	kmcl_mdl_flush();
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), 0);

	/* READ_ONLY: a read-only vmap() of its own, in process context. */
	ep->srx.seed = 22;
	ep->srx.get_flags = RO;
	ext_send_mdl(test, ep, d, mdl, 2);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[1].data_ok);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[1].task);
	KUNIT_EXPECT_PTR_NE(test, ep->srx.rec[1].va, (void *)(buf + off));
	if (IS_ENABLED(CONFIG_X86))
		KUNIT_EXPECT_FALSE(test, ep->srx.rec[1].writable);
	KUNIT_EXPECT_TRUE(test, check(buf + off, len, 0, 22));
	kmcl_mdl_flush();
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), 0);
}

/*
 * A receiver that gives back the mapping MmGetSystemAddressForMdlSafe()
 * returned, as Windows drivers may: for data from a vmalloc'ed buffer
 * that mapping is the lender's own (kmcl_mdl_use_va()). It leaves the
 * MDL without a mapping, unmaps nothing of the lender's and is no
 * "not a mapping KMCL made".
 */
static void ext_unmap_lent(struct kunit *test)
{
	struct kmcl_pt_done *d = ext_done(test, true);
	struct ext_pair *ep = ext_pair(test);
	const u32 off = 200, len = 2 * 4096 - 500;
	int foreign = kmcl_mdl_foreign_unmaps();
	PMDL mdl;
	u8 *buf = ext_scattered(test, off, len, 31, &mdl);

	ep->srx.seed = 31;
	ep->srx.write_back = true;
	ep->srx.unmap = true;
	ext_send_mdl(test, ep, d, mdl, 1);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].data_ok);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].unmapped);
	if (!ext_bounced(ep->p->client->ch))
		KUNIT_EXPECT_PTR_EQ(test, ep->srx.rec[0].va, (void *)(buf + off));
	/* The lender's mapping still works and holds the receiver's writes. */
	KUNIT_EXPECT_TRUE(test, check(buf + off, len, 0, 32));
	KUNIT_EXPECT_EQ(test, kmcl_mdl_foreign_unmaps(), foreign);
	kmcl_mdl_flush();
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), 0);

	/* An address KMCL never mapped, given to it to unmap, is counted. */
	foreign = kmcl_mdl_foreign_unmaps();
	kmcl_hvpfns_unmap(buf);
	KUNIT_EXPECT_EQ(test, kmcl_mdl_foreign_unmaps(), foreign + 1);
	KUNIT_EXPECT_TRUE(test, check(buf + off, len, 0, 32));
}

/* READ_ONLY: a read-only mapping, which only process context can make. */
static void ext_read_only(struct kunit *test)
{
	struct kmcl_pt_done *d = ext_done(test, true);
	struct ext_pair *ep = ext_pair(test);
	u8 *buf = ext_kbuf(test, 4096);
	PMDL mdl;

	fill(buf, 4096, 0, 77);
	mdl = ext_mdl(test, buf, 4096);
	ep->srx.seed = 77;
	ep->srx.get_flags = RO;
	ep->srx.write_back = true;	/* ignored for READ_ONLY */
	KUNIT_ASSERT_EQ(test, VmbPacketSend(ext_pkt(test, ep->p->client->ch, d), NULL, 0,
					    mdl, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, ep->srx.pending, 1U);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].task);
	KUNIT_EXPECT_EQ(test, ep->srx.rec[0].st, STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].data_ok);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].vmapped);
	if (IS_ENABLED(CONFIG_X86))
		KUNIT_EXPECT_FALSE(test, ep->srx.rec[0].writable);
	KUNIT_EXPECT_TRUE(test, check(buf, 4096, 0, 77));

	/* Without READ_ONLY, in process context: writable. */
	VmbChannelSetIncomingProcessingAtPassive(ep->p->server->ch, TRUE);
	ep->srx.get_flags = 0;
	KUNIT_ASSERT_EQ(test, VmbPacketSend(ext_pkt(test, ep->p->client->ch, d), NULL, 0,
					    mdl, 0),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 2));
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[1].task);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[1].writable);
	KUNIT_EXPECT_TRUE(test, check(buf, 4096, 0, 78));
}

/* FORCE_MDL_LENGTH: the first MDL only, up to the end of its last page. */
static void ext_force_length(struct kunit *test)
{
	struct kmcl_pt_done *d = ext_done(test, false);
	struct ext_pair *ep = ext_pair(test);
	u8 *buf = ext_kbuf(test, 8192), *buf2 = ext_kbuf(test, 64);
	VMBPACKET pkt = ext_pkt(test, ep->p->client->ch, d);
	PMDL mdl, mdl2;

	KUNIT_ASSERT_TRUE(test, IS_ALIGNED((unsigned long)buf, 4096));
	fill(buf, 8192, 0, 21);
	mdl = ext_mdl(test, buf + 16, 100);
	mdl2 = ext_mdl(test, buf2, 64);
	mdl->Next = mdl2;
	ep->srx.seed = 21;
	ep->srx.base = 16;

	/* Past ByteCount: only with FORCE_MDL_LENGTH, only to the page end. */
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 0, 4080,
							   WAIT),
			STATUS_INVALID_PARAMETER_6);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 0, 4081,
							   WAIT | FORCE),
			STATUS_INVALID_PARAMETER_6);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 100, 0,
							   WAIT | FORCE),
			STATUS_INVALID_PARAMETER_5);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 4080, 1,
							   WAIT | FORCE),
			STATUS_INVALID_PARAMETER_5);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);

	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 0, 4080,
							   WAIT | FORCE),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, ep->srx.rec[0].nmdl, 1U);
	KUNIT_EXPECT_EQ(test, ep->srx.rec[0].bytes, 4080U);
	KUNIT_EXPECT_EQ(test, ep->srx.rec[0].offset[0],
			ext_bounced(ep->p->client->ch) ? 0U : 16U);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].data_ok);

	/* No length: the first MDL's own buffer, the chain is ignored. */
	ep->srx.base = 16 + 30;
	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 30, 0,
							   WAIT | FORCE),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 2));
	KUNIT_EXPECT_EQ(test, ep->srx.rec[1].nmdl, 1U);
	KUNIT_EXPECT_EQ(test, ep->srx.rec[1].bytes, 70U);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[1].data_ok);

	/* Without FORCE_MDL_LENGTH the whole chain goes: two ranges. */
	ep->srx.base = 0;
	fill(buf + 16, 100, 0, 21);
	fill(buf2, 64, 100, 21);
	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 0, mdl, 0, 0, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 3));
	KUNIT_EXPECT_EQ(test, ep->srx.rec[2].nmdl,
			ext_bounced(ep->p->client->ch) ? 1U : 2U);
	KUNIT_EXPECT_EQ(test, ep->srx.rec[2].bytes, 164U);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[2].data_ok);
	mdl->Next = NULL;
	VmbPacketFree(pkt);
}

/*
 * Packets with external data wait in the send queue like any other when
 * the ring is full (the receiver's quota keeps them in the ring), and are
 * delivered in order, each with its own memory.
 */
static void ext_queued(struct kunit *test)
{
	struct kmcl_pt_done *d = ext_done(test, true);
	struct ext_pair *ep = ext_pair_limits(test, EXT_MAX, EXT_CHAIN, EXT_MAX,
					      EXT_CHAIN, true);
	u8 *buf = ext_kbuf(test, 4096), *inl = ext_kbuf(test, 1000);
	const unsigned int n = 30;
	VMBPACKETCOMPLETION pc;
	PMDL mdl, got;
	unsigned int i;

	/* The smallest ring that takes the largest packet: about 12 KiB. */
	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(ep->p->client->ch,
									 2, 2),
			STATUS_SUCCESS);
	ext_open(test, ep);
	VmbChannelSetTransactionQuota(ep->p->server->ch, 1);
	ep->srx.mode = EXT_HOLD;
	for (i = 0; i < n; i++) {
		fill(buf + 64 * i, 64, 0, i);
		mdl = ext_mdl(test, buf + 64 * i, 64);
		memset(inl, i, 1000);
		KUNIT_ASSERT_EQ(test, VmbPacketSend(ext_pkt(test, ep->p->client->ch, d), inl,
						    1000, mdl, 0),
				STATUS_SUCCESS);
	}
	KUNIT_EXPECT_GT(test, kmcl_test_out_stat(ep->cch, &ep->cch->out.stats.queued), 0ULL);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_TRUE(test, ext_wait_rx(&ep->srx, i + 1));
		KUNIT_EXPECT_EQ(test, ep->srx.rec[i].data[0], (u8)i);
		KUNIT_EXPECT_EQ(test, ep->srx.rec[i].flags, EXT_FLAG);
		pc = ep->srx.rec[i].pc;
		got = NULL;
		KUNIT_ASSERT_EQ(test, VmbChannelPacketGetExternalData(pc, 0, &got),
				STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, got->ByteCount, 64U);
		KUNIT_EXPECT_TRUE(test, check(MmGetSystemAddressForMdlSafe(got,
									   NormalPagePriority),
					      64, 0, i));
		ext_complete(&ep->srx, i);
	}
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, n));
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, d->rec[i].status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(ep->cch, &ep->cch->out.stats.ext_sent), (u64)n);
}

/* --- errors ------------------------------------------------------------- */

/*
 * @tail: three consecutive Hyper-V pages, the last the first page past
 * the memory that holds @from (found page by page, not by block).
 */
static void ext_mem_tail(unsigned long from, PFN_NUMBER *tail)
{
	unsigned long p = from;

	while (pfn_valid((p + 1) / KMCL_HV_PER_PAGE)) {
		p++;
		if (!(p & 4095))
			cond_resched();
	}
	tail[0] = p - 1;
	tail[1] = p;
	tail[2] = p + 1;
}

static void ext_send_errors(struct kunit *test)
{
	struct kmcl_pt_done *d = ext_done(test, false);
	struct ext_pair *ep = ext_pair_limits(test, EXT_MAX, EXT_CHAIN, 3 * 4096, 2,
					      false);
	VMBCHANNEL c = ep->p->client->ch;
	VMBPACKET pkt = ext_pkt(test, c, d);
	struct kmcl_transport_ops *narrow = kunit_kzalloc(test, sizeof(*narrow),
							  GFP_KERNEL);
	const struct kmcl_transport_ops *saved;
	u8 *buf = ext_kbuf(test, 4 * 4096);
	u8 *big = kunit_kzalloc(test, 8192, GFP_KERNEL);
	PMDL mdl, m2, m3, unbuilt;
	PFN_NUMBER pfn[4], bad[1] = { KMCL_HVPFN_INVALID }, tail[3];

	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_ASSERT_NOT_NULL(test, narrow);
	mdl = ext_mdl(test, buf, 4096);
	m2 = ext_mdl(test, buf + 4096, 100);
	m3 = ext_mdl(test, buf + 8192, 100);
	unbuilt = IoAllocateMdl(buf, 100, FALSE, FALSE, NULL);
	KUNIT_ASSERT_NOT_NULL(test, unbuilt);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ext_free_mdl, unbuilt), 0);
	ext_page(test, &pfn[0]);
	ext_page(test, &pfn[1]);
	ext_page(test, &pfn[2]);
	ext_page(test, &pfn[3]);

	/* VmbPacketSendWithExternalMdl */
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(NULL, buf, 8, mdl, 0, 0, WAIT),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl((VMBPACKET)buf, buf, 8, mdl, 0,
							   0, WAIT),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, NULL, 8, mdl, 0, 0, WAIT),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, big, 4097, mdl, 0, 0, WAIT),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, buf, 8, NULL, 0, 0, WAIT),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, buf, 8, unbuilt, 0, 0,
							   WAIT),
			STATUS_INVALID_PARAMETER_4);
	mdl->Next = m2;
	m2->Next = m3;	/* three ranges, the client allows two */
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, buf, 8, mdl, 0, 0, WAIT),
			STATUS_INVALID_PARAMETER_4);
	m2->Next = NULL;
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, buf, 8, mdl, 4196, 0, WAIT),
			STATUS_INVALID_PARAMETER_5);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, buf, 8, mdl, 4000, 197,
							   WAIT),
			STATUS_INVALID_PARAMETER_6);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, buf, 8, mdl, 0, 0, 0),
			STATUS_INVALID_PARAMETER_7);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, buf, 8, mdl, 0, 0,
							   WAIT | 0x20),
			STATUS_INVALID_PARAMETER_7);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, buf, 8, mdl, 0, 0,
							   WAIT | DATA_IN | DATA_OUT),
			STATUS_INVALID_PARAMETER_7);
	/* More ranges than the transport carries in one packet. */
	*narrow = *ep->cch->tops;
	narrow->gpa_ranges_max = 1;
	saved = ep->cch->tops;
	WRITE_ONCE(ep->cch->tops, narrow);
	/* Bounced, the chain goes as one pool range: no such limit applies. */
	if (!ext_bounced(ep->p->client->ch)) {
		KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, buf, 8, mdl, 0, 0,
								   WAIT),
				STATUS_NOT_SUPPORTED);
		KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, 8, mdl, 0),
				STATUS_NOT_SUPPORTED);
	}
	WRITE_ONCE(ep->cch->tops, saved);
	mdl->Next = NULL;

	/* VmbPacketSendWithExternalPfns */
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(NULL, buf, 8, pfn, 1, WAIT),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, NULL, 8, pfn, 1, WAIT),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, big, 4097, pfn, 1, WAIT),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, buf, 8, NULL, 1, WAIT),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, buf, 8, bad, 1, WAIT),
			STATUS_INVALID_PARAMETER_4);
	/* A run of pages that leaves memory: its last page is refused. */
	ext_mem_tail(pfn[0], tail);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, buf, 8, tail, 3, WAIT),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, buf, 8, pfn, 0, WAIT),
			STATUS_INVALID_PARAMETER_5);
	/* Four pages: more than the client's 12 KiB. */
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, buf, 8, pfn, 4, WAIT),
			STATUS_INVALID_PARAMETER_5);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, buf, 8, pfn, 1, 0),
			STATUS_INVALID_PARAMETER_6);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, buf, 8, pfn, 1,
							    WAIT | 0x40),
			STATUS_INVALID_PARAMETER_6);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, buf, 8, pfn, 1,
							    WAIT | DATA_IN | DATA_OUT),
			STATUS_INVALID_PARAMETER_6);

	/* VmbPacketSend with an MDL */
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, 8, unbuilt, 0),
			STATUS_INVALID_PARAMETER_4);
	mdl->Next = m2;
	m2->Next = m3;
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, 8, mdl, 0),
			STATUS_INVALID_PARAMETER_4);
	m2->Next = NULL;
	mdl->Next = NULL;
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, 8, mdl, DATA_IN | DATA_OUT),
			STATUS_INVALID_PARAMETER_5);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, big, 4097, mdl, 0),
			STATUS_INVALID_PARAMETER_3);

	/* Nothing was sent, nothing completed. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);
	KUNIT_EXPECT_EQ(test, ext_rx_count(&ep->srx), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(ep->cch, &ep->cch->out.stats.ext_sent), 0ULL);

	/* Exactly at the limits: fine. */
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, buf, 8, pfn, 3, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	VmbPacketFree(pkt);
}

/* A channel without limits lends nothing. */
static void ext_no_limits(struct kunit *test)
{
	struct kmcl_pt_done *d = ext_done(test, false);
	struct ext_pair *ep = ext_pair_limits(test, EXT_MAX, EXT_CHAIN, 0, 0, false);
	VMBPACKET pkt = ext_pkt(test, ep->p->client->ch, d);
	u8 *buf = ext_kbuf(test, 256);
	PMDL mdl = ext_mdl(test, buf, 256);
	PFN_NUMBER pfn;

	ext_page(test, &pfn);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, 8, mdl, 0),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, buf, 8, mdl, 0, 0, WAIT),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, buf, 8, &pfn, 1, WAIT),
			STATUS_INVALID_PARAMETER_4);
	/* In-band packets still work. */
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, 8, NULL, WAIT), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, ep->srx.rec[0].flags, 0U);
	VmbPacketFree(pkt);
}

static void ext_get_errors(struct kunit *test)
{
	struct kmcl_pt_done *d = ext_done(test, true);
	struct ext_pair *ep = ext_pair(test);
	u8 *buf = ext_kbuf(test, 256);
	PMDL mdl = ext_mdl(test, buf, 256), got;
	VMBPACKETCOMPLETION pc;

	ep->srx.mode = EXT_HOLD;
	KUNIT_ASSERT_EQ(test, VmbPacketSend(ext_pkt(test, ep->p->client->ch, d), buf, 8,
					    NULL, 0),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(ext_pkt(test, ep->p->client->ch, d), buf, 8,
					    mdl, 0),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, ext_wait_rx(&ep->srx, 2));

	got = (PMDL)buf;
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(NULL, 0, &got),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData((VMBPACKETCOMPLETION)buf, 0,
							      &got),
			STATUS_INVALID_PARAMETER_1);
	/* An in-band packet has no external data. */
	pc = ep->srx.rec[0].pc;
	KUNIT_EXPECT_EQ(test, ep->srx.rec[0].flags, 0U);
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(pc, 0, &got),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_NULL(test, got);
	pc = ep->srx.rec[1].pc;
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(pc, 2, &got),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(pc, 0, NULL),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(pc, 0, &got),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, got->ByteCount, 256U);
	/* IoFreeMdl() refuses an MDL KMCL lent (logged), it stays valid. */
	IoFreeMdl(got);
	KUNIT_EXPECT_EQ(test, got->ByteCount, 256U);

	/* After VmbChannelPacketFail: not the driver's any more. */
	ep->srx.rec[1].done = true;
	VmbChannelPacketFail(pc);
	KUNIT_EXPECT_EQ(test, VmbChannelPacketGetExternalData(pc, 0, &got),
			STATUS_INVALID_PARAMETER_1);
	ext_complete(&ep->srx, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	kmcl_mdl_flush();
	KUNIT_EXPECT_EQ(test, kmcl_mdl_vmap_count(), 0);

	/* A failed packet is never completed: the sender's ends at close. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 1U);
	VmbChannelDisable(ep->p->client->ch);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 2));
	KUNIT_EXPECT_EQ(test, d->rec[1].status, STATUS_DEVICE_REMOVED);
}

/*
 * Outside ProcessPacket, memory that needs a vmap() is never mapped by
 * VmbChannelPacketGetExternalData() (it never sleeps): a packet delivered
 * in softirq context gets STATUS_INSUFFICIENT_RESOURCES, from atomic and
 * from process context alike. A transfer-page packet for a set nobody registered is refused
 * (kmcl_xfer covers registered ones).
 */
static void ext_get_context(struct kunit *test)
{
	struct kmcl_pt_done *d = ext_done(test, false);
	struct ext_pair *ep = ext_pair(test);
	VMBPACKET pkt = ext_pkt(test, ep->p->client->ch, d);
	struct kmcl_xfer_page_hdr *x;
	PFN_NUMBER pfn[2], tmp;
	PMDL got = NULL;
	NTSTATUS st;
	u8 *raw;

	ext_page(test, &pfn[0]);
	ext_page(test, &pfn[1]);
	if (pfn[0] < pfn[1]) {
		tmp = pfn[0];
		pfn[0] = pfn[1];
		pfn[1] = tmp;
	}
	ep->srx.mode = EXT_HOLD;
	KUNIT_ASSERT_EQ(test, VmbPacketSendWithExternalPfns(pkt, NULL, 0, pfn, 2, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, ext_wait_rx(&ep->srx, 1));
	local_bh_disable();
	st = VmbChannelPacketGetExternalData(ep->srx.rec[0].pc, 0, &got);
	local_bh_enable();
	/* Pool pages may happen to be consecutive: mapped at once then. */
	if (!ext_bounced(ep->p->client->ch) || st != STATUS_SUCCESS) {
		KUNIT_EXPECT_EQ(test, st, STATUS_INSUFFICIENT_RESOURCES);
		KUNIT_EXPECT_NULL(test, got);
		KUNIT_EXPECT_EQ(test,
				VmbChannelPacketGetExternalData(ep->srx.rec[0].pc, 0, &got),
				STATUS_INSUFFICIENT_RESOURCES);
		KUNIT_EXPECT_NULL(test, got);
	}
	ext_complete(&ep->srx, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	VmbPacketFree(pkt);

	/* A well-formed transfer-page packet for an unregistered set. */
	raw = kunit_kzalloc(test, 48, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, raw);
	x = (void *)raw;
	x->d.type = KMCL_PKT_DATA_USING_XFER_PAGES;
	x->d.offset8 = 4;
	x->d.len8 = 6;
	x->range_count = 1;
	x->ranges[0].byte_count = 100;
	kmcl_pt_inject(test, ep->cch, ep->sch, raw, 48);
	KUNIT_EXPECT_TRUE(test, KMCL_TEST_WAIT_UNTIL(READ_ONCE(ep->sch->fail_err)));
	KUNIT_EXPECT_EQ(test, ext_rx_count(&ep->srx), 1U);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(ep->sch, &ep->sch->in.stats.rejected_ext_data),
			1ULL);
}

/* --- limits on the receiving end -------------------------------------- */

struct ext_limit_case {
	const char *name;
	u32 smax, schain;	/* receiver (server) */
	u32 nmdl;		/* MDLs of 100 bytes sent, or 0: one of 12 KiB */
};

static const struct ext_limit_case ext_limit_cases[] = {
	{ "receiver without limits", 0, 0, 1 },
	{ "longer chain than the receiver allows", EXT_MAX, 1, 2 },
	{ "more bytes than the receiver allows", 8192, EXT_CHAIN, 0 },
};

static void ext_limit_desc(const struct ext_limit_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ext_limit, ext_limit_cases, ext_limit_desc);

static void ext_receiver_limits(struct kunit *test)
{
	const struct ext_limit_case *c = test->param_value;
	struct kmcl_pt_done *d = ext_done(test, true);
	struct ext_pair *ep = ext_pair_limits(test, c->smax, c->schain, EXT_MAX,
					      EXT_CHAIN, false);
	u8 *buf = ext_kbuf(test, 4 * 4096);
	PMDL mdl[2];

	if (c->nmdl) {
		mdl[0] = ext_mdl(test, buf, 100);
		if (c->nmdl > 1) {
			mdl[1] = ext_mdl(test, buf + 4096, 100);
			mdl[0]->Next = mdl[1];
		}
	} else {
		mdl[0] = ext_mdl(test, buf, 3 * 4096);
	}
	KUNIT_ASSERT_EQ(test, VmbPacketSend(ext_pkt(test, ep->p->client->ch, d), buf, 8,
					    mdl[0], 0),
			STATUS_SUCCESS);
	if (ext_bounced(ep->p->client->ch) && c->nmdl > 1) {
		/* Bounced: one pool range arrives, within the chain limit. */
		KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
		mdl[0]->Next = NULL;
		KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
		KUNIT_ASSERT_EQ(test, ext_rx_count(&ep->srx), 1U);
		KUNIT_EXPECT_EQ(test, ep->srx.rec[0].nmdl, 1U);
		KUNIT_EXPECT_EQ(test, ep->srx.rec[0].bytes, 200U);
		return;
	}
	KUNIT_EXPECT_TRUE(test, KMCL_TEST_WAIT_UNTIL(READ_ONCE(ep->sch->fail_err)));
	mdl[0]->Next = NULL;
	KUNIT_EXPECT_EQ(test, ext_rx_count(&ep->srx), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(ep->sch, &ep->sch->in.stats.rejected), 1ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(ep->sch, &ep->sch->in.stats.rejected_ext_limits),
			1ULL);
	KUNIT_EXPECT_NE(test, READ_ONCE(ep->sch->fail_err), 0);
	/* The sender's packet ends with the channel, exactly once. */
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);
	VmbChannelDisable(ep->p->client->ch);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_DEVICE_REMOVED);
}

/* --- close -------------------------------------------------------------- */

struct ext_disable_work {
	struct work_struct work;
	VMBCHANNEL ch;
	bool done;
};

static void ext_disable_fn(struct work_struct *work)
{
	struct ext_disable_work *w = container_of(work, struct ext_disable_work, work);

	VmbChannelDisable(w->ch);
	WRITE_ONCE(w->done, true);
}

static void ext_flush_work(void *work)
{
	flush_work(work);
}

/*
 * A closing sender does not give its memory back (completion routine)
 * while the peer still holds the packet: the peer completes it during its
 * own close, then the sender's packet completes, exactly once.
 */
static void ext_close_waits(struct kunit *test)
{
	struct kmcl_pt_done *d = ext_done(test, true);
	struct ext_pair *ep = ext_pair(test);
	struct ext_disable_work *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	u8 *buf = ext_kbuf(test, 4096);
	PMDL mdl = ext_mdl(test, buf, 4096), got;

	KUNIT_ASSERT_NOT_NULL(test, w);
	ep->srx.mode = EXT_HOLD;
	KUNIT_ASSERT_EQ(test, VmbPacketSend(ext_pkt(test, ep->p->client->ch, d), NULL, 0,
					    mdl, WAIT),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, ext_wait_rx(&ep->srx, 1));
	KUNIT_ASSERT_EQ(test, VmbChannelPacketGetExternalData(ep->srx.rec[0].pc, 0, &got),
			STATUS_SUCCESS);

	INIT_WORK(&w->work, ext_disable_fn);
	w->ch = ep->p->client->ch;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ext_flush_work, &w->work), 0);
	queue_work(system_unbound_wq, &w->work);
	/* The worker may start late: wait until its close runs, not for a time. */
	KUNIT_EXPECT_TRUE(test, KMCL_TEST_WAIT_UNTIL(kmcl_channel_state(ep->cch) ==
						     KMCL_CH_CLOSING));
	msleep(100);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(w->done));
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);
	/* The mapping is still usable: the memory is still lent. */
	KUNIT_EXPECT_TRUE(test, check(MmGetSystemAddressForMdlSafe(got, NormalPagePriority),
				      1, 0, 0));

	ext_complete(&ep->srx, 0);
	flush_work(&w->work);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(w->done));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	msleep(20);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 1U);
}

/* --- synchronous requests ----------------------------------------------- */

struct ext_sync_work {
	struct work_struct work;
	VMBCHANNEL ch;
	PMDL mdl;
	LARGE_INTEGER timeout;
	bool use_timeout;
	u64 reply;
	UINT32 size;
	NTSTATUS st;
	bool done;
	bool disable;
};

static void ext_sync_fn(struct work_struct *work)
{
	struct ext_sync_work *w = container_of(work, struct ext_sync_work, work);

	if (w->disable) {
		VmbChannelDisable(w->ch);
	} else {
		w->size = sizeof(w->reply);
		w->st = VmbChannelSendSynchronousRequest(w->ch, "sync", 4, w->mdl, WAIT,
							 &w->reply, &w->size,
							 w->use_timeout ? &w->timeout : NULL);
	}
	WRITE_ONCE(w->done, true);
}

static void ext_sync_flush(void *data)
{
	struct ext_sync_work *w = data;

	flush_work(&w->work);
}

static struct ext_sync_work *ext_sync_work(struct kunit *test, VMBCHANNEL ch, PMDL mdl)
{
	struct ext_sync_work *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	INIT_WORK(&w->work, ext_sync_fn);
	w->ch = ch;
	w->mdl = mdl;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ext_sync_flush, w), 0);
	return w;
}

/* VmbChannelSendSynchronousRequest with an MDL: the answer and the bytes. */
static void ext_sync(struct kunit *test)
{
	struct ext_pair *ep = ext_pair(test);
	u8 *buf = ext_vbuf(test, 2 * 4096) + 8;
	LARGE_INTEGER zero = { .QuadPart = 0 };
	PMDL mdl, unbuilt;
	u64 reply = 0;
	UINT32 size;

	fill(buf, 6000, 0, 50);
	mdl = ext_mdl(test, buf, 6000);
	unbuilt = IoAllocateMdl(buf, 100, FALSE, FALSE, NULL);
	KUNIT_ASSERT_NOT_NULL(test, unbuilt);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ext_free_mdl, unbuilt), 0);
	ep->srx.seed = 50;
	ep->srx.write_back = true;

	size = sizeof(reply);
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(ep->p->client->ch, "x", 1,
							       mdl, WAIT, &reply, &size,
							       &zero),
			STATUS_INVALID_PARAMETER_8);
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(ep->p->client->ch, "x", 1,
							       unbuilt, WAIT, &reply, &size,
							       NULL),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(ep->p->client->ch, "x", 1,
							       mdl, DATA_IN | DATA_OUT,
							       &reply, &size, NULL),
			STATUS_INVALID_PARAMETER_5);
	KUNIT_EXPECT_EQ(test, ext_rx_count(&ep->srx), 0U);

	KUNIT_ASSERT_EQ(test, VmbChannelSendSynchronousRequest(ep->p->client->ch, "x", 1,
							       mdl, WAIT, &reply, &size,
							       NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, size, 8U);
	KUNIT_EXPECT_EQ(test, reply, EXT_REPLY);
	KUNIT_EXPECT_EQ(test, ep->srx.rec[0].bytes, 6000U);
	KUNIT_EXPECT_TRUE(test, ep->srx.rec[0].data_ok);
	KUNIT_EXPECT_TRUE(test, check(buf, 6000, 0, 51));
}

/* Synchronous requests on @ch that timed out and wait for lent memory. */
static u64 ext_lent_waits(struct kmcl_channel *ch)
{
	return kmcl_test_out_stat(ch, &ch->out.stats.lent_waits);
}

/*
 * A synchronous request with external data that times out returns
 * STATUS_CANCELLED only once the peer gave the memory back. The test
 * waits for the timeout (the request counts its wait for the lent
 * memory), never for a fixed time, then completes the held packet.
 */
static void ext_sync_timeout(struct kunit *test)
{
	struct ext_pair *ep = ext_pair(test);
	u8 *buf = ext_kbuf(test, 4096);
	struct ext_sync_work *w = ext_sync_work(test, ep->p->client->ch,
						ext_mdl(test, buf, 4096));

	ep->srx.mode = EXT_HOLD;
	w->use_timeout = true;
	w->timeout.QuadPart = -20 * 10000LL;	/* 20 ms */
	queue_work(system_unbound_wq, &w->work);
	KUNIT_ASSERT_TRUE(test, ext_wait_rx(&ep->srx, 1));
	KUNIT_ASSERT_TRUE(test, KMCL_TEST_WAIT_UNTIL(ext_lent_waits(ep->cch) == 1));
	/* Timed out, but the peer still holds the memory: no return yet. */
	KUNIT_EXPECT_FALSE(test, READ_ONCE(w->done));
	/* Nor a little later (a slow machine can only hide a bug here). */
	msleep(50);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(w->done));
	ext_complete(&ep->srx, 0);
	flush_work(&w->work);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(w->done));
	KUNIT_EXPECT_EQ(test, w->st, STATUS_CANCELLED);
	KUNIT_EXPECT_EQ(test, ext_lent_waits(ep->cch), 1ULL);
}

/*
 * Issue 10 item 17: a synchronous request with external data times out
 * and the peer then goes away without completing it (it failed the
 * packet, then closed): STATUS_DEVICE_REMOVED, as documented, and only
 * after the peer is gone.
 */
static void ext_sync_timeout_peer_gone(struct kunit *test)
{
	struct ext_pair *ep = ext_pair(test);
	u8 *buf = ext_kbuf(test, 4096);
	struct ext_sync_work *w = ext_sync_work(test, ep->p->client->ch,
						ext_mdl(test, buf, 4096));

	ep->srx.mode = EXT_HOLD;
	w->use_timeout = true;
	w->timeout.QuadPart = -20 * 10000LL;	/* 20 ms */
	queue_work(system_unbound_wq, &w->work);
	KUNIT_ASSERT_TRUE(test, ext_wait_rx(&ep->srx, 1));
	KUNIT_ASSERT_TRUE(test, KMCL_TEST_WAIT_UNTIL(ext_lent_waits(ep->cch) == 1));
	/* Timed out, but the peer may still use the memory. */
	KUNIT_EXPECT_FALSE(test, READ_ONCE(w->done));
	ep->srx.rec[0].done = true;
	VmbChannelPacketFail(ep->srx.rec[0].pc);
	VmbChannelDisable(ep->p->server->ch);
	flush_work(&w->work);
	/*
	 * Which of the peer's two acts the client sees first is not ordered:
	 * its reader may take the failed completion from the ring before the
	 * close reaches the channel (STATUS_CANCELLED, as after any timeout
	 * the peer completes), or the close may come first and drop it
	 * (STATUS_DEVICE_REMOVED). Either way the request reports its
	 * timeout, never the peer's failure status, and only after the
	 * memory came back.
	 */
	KUNIT_EXPECT_TRUE_MSG(test, w->st == STATUS_DEVICE_REMOVED ||
			      w->st == STATUS_CANCELLED, "status %#x", w->st);
}

/*
 * The sender closes under a synchronous request whose memory the peer
 * holds: the request ends with STATUS_DEVICE_REMOVED once the peer gave
 * the memory back, not before.
 */
static void ext_sync_close(struct kunit *test)
{
	struct ext_pair *ep = ext_pair(test);
	u8 *buf = ext_kbuf(test, 4096);
	struct ext_sync_work *w = ext_sync_work(test, ep->p->client->ch,
						ext_mdl(test, buf, 4096));
	struct ext_sync_work *off = ext_sync_work(test, ep->p->client->ch, NULL);

	ep->srx.mode = EXT_HOLD;
	queue_work(system_unbound_wq, &w->work);
	KUNIT_ASSERT_TRUE(test, ext_wait_rx(&ep->srx, 1));
	off->disable = true;
	queue_work(system_unbound_wq, &off->work);
	/* The worker may start late: wait until its close runs, not for a time. */
	KUNIT_EXPECT_TRUE(test, KMCL_TEST_WAIT_UNTIL(kmcl_channel_state(ep->cch) ==
						     KMCL_CH_CLOSING));
	msleep(100);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(w->done));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(off->done));
	ext_complete(&ep->srx, 0);
	flush_work(&w->work);
	flush_work(&off->work);
	/*
	 * Normally the close completes it; the peer's completion may win the
	 * race if the sender's reader happens to run. Never earlier, though.
	 */
	KUNIT_EXPECT_TRUE(test, w->st == STATUS_DEVICE_REMOVED ||
			  w->st == STATUS_SUCCESS);
}

/* --- hostile packets ---------------------------------------------------- */

enum ext_evil {
	EVIL_NO_RANGES,
	EVIL_COUNT_OVERRUN,
	EVIL_OFFSET,
	EVIL_EMPTY,
	EVIL_PFN_OVERRUN,
	EVIL_HDR,
	EVIL_CHAIN,
	EVIL_BYTES,
	EVIL_UNDESCRIBED,
	EVIL_FORGED_PFN,
	EVIL_FORGED_LEN,
	EVIL_REPLAY,
	EVIL_NO_COMPLETION,
	EVIL_OVERSIZE,
};

struct ext_evil_case {
	enum ext_evil kind;
	const char *name;
};

static const struct ext_evil_case ext_evil_cases[] = {
	{ EVIL_NO_RANGES, "zero ranges" },
	{ EVIL_COUNT_OVERRUN, "range count overruns the header" },
	{ EVIL_OFFSET, "range offset outside its page" },
	{ EVIL_EMPTY, "zero-length range" },
	{ EVIL_PFN_OVERRUN, "PFN array overruns the header" },
	{ EVIL_HDR, "offset8 inside the GPA header" },
	{ EVIL_CHAIN, "more ranges than the receiver allows" },
	{ EVIL_BYTES, "more bytes than the receiver allows" },
	{ EVIL_UNDESCRIBED, "PFNs the sender never described" },
	{ EVIL_FORGED_PFN, "real transaction, other PFN" },
	{ EVIL_FORGED_LEN, "real transaction, longer range" },
	{ EVIL_REPLAY, "replay of a delivered packet" },
	{ EVIL_NO_COMPLETION, "no completion requested" },
	{ EVIL_OVERSIZE, "longer than the receiver's buffer" },
};

static void ext_evil_desc(const struct ext_evil_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ext_evil, ext_evil_cases, ext_evil_desc);

#define EXT_EVIL_BUF	16384U	/* bytes of a hostile packet at most */

/* A GPA-direct packet of @count one-page ranges at @pkt; its length. */
static u32 ext_evil_build(u8 *pkt, u32 count, PFN_NUMBER pfn, u64 txid)
{
	struct kmcl_gpa_direct_hdr *h = (void *)pkt;
	struct kmcl_gpa_range *g;
	u32 i, len;

	h->range_count = count;
	g = (void *)(h + 1);
	for (i = 0; i < count; i++) {
		g->byte_count = 64;
		g->byte_offset = 8 * i;
		g->pfn_array[0] = pfn;
		g = (void *)g + 16;
	}
	len = sizeof(*h) + 16 * count;
	h->d.type = KMCL_PKT_DATA_USING_GPA_DIRECT;
	h->d.offset8 = len / 8;
	len += 8;	/* eight bytes of in-band data */
	h->d.len8 = len / 8;
	h->d.flags = KMCL_PKT_FLAG_COMPLETION_REQUESTED;
	h->d.trans_id = txid;
	return len;
}

static void ext_hostile(struct kunit *test)
{
	const struct ext_evil_case *c = test->param_value;
	struct kmcl_pt_done *d = ext_done(test, true);
	struct ext_pair *ep = ext_pair_limits(test, 16 * 4096, 2, EXT_MAX, EXT_CHAIN,
					      false);
	struct kmcl_channel *sch = ep->sch;
	struct kmcl_gpa_direct_hdr *h;
	struct kmcl_gpa_range *g;
	struct kmcl_in_packet *ip;
	u8 *buf = ext_kbuf(test, 4096);
	PMDL mdl = ext_mdl(test, buf, 200);
	u64 *field = &sch->in.stats.rejected_malformed;
	u32 len = 0, delivered = 0;
	PFN_NUMBER pfn;
	u8 *pkt;

	pkt = kunit_kzalloc(test, EXT_EVIL_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	ext_page(test, &pfn);
	h = (void *)pkt;
	g = (void *)(h + 1);

	/* Forgeries start from a real packet the server holds. */
	if (c->kind >= EVIL_FORGED_PFN && c->kind <= EVIL_NO_COMPLETION) {
		ep->srx.mode = EXT_HOLD;
		KUNIT_ASSERT_EQ(test, VmbPacketSend(ext_pkt(test, ep->p->client->ch, d), buf,
						    8, mdl, 0),
				STATUS_SUCCESS);
		KUNIT_ASSERT_TRUE(test, ext_wait_rx(&ep->srx, 1));
		delivered = 1;
		ip = (struct kmcl_in_packet *)ep->srx.rec[0].pc;
		len = ip->data_off + ip->data_len;
		KUNIT_ASSERT_LE(test, len, EXT_EVIL_BUF);
		memcpy(pkt, ip->buf, len);
		KUNIT_ASSERT_EQ(test, h->d.type, KMCL_PKT_DATA_USING_GPA_DIRECT);
		KUNIT_ASSERT_EQ(test, h->range_count, 1U);
	}

	switch (c->kind) {
	case EVIL_NO_RANGES:
		len = ext_evil_build(pkt, 1, pfn, 1);
		h->range_count = 0;
		break;
	case EVIL_COUNT_OVERRUN:
		len = ext_evil_build(pkt, 1, pfn, 1);
		h->range_count = 2;	/* the receiver allows 2, one is there */
		break;
	case EVIL_OFFSET:
		len = ext_evil_build(pkt, 1, pfn, 1);
		g->byte_offset = 4096;
		break;
	case EVIL_EMPTY:
		len = ext_evil_build(pkt, 1, pfn, 1);
		g->byte_count = 0;
		break;
	case EVIL_PFN_OVERRUN:
		len = ext_evil_build(pkt, 1, pfn, 1);
		g->byte_count = 3 * 4096;	/* three PFNs, room for one */
		break;
	case EVIL_HDR:
		len = ext_evil_build(pkt, 1, pfn, 1);
		h->d.offset8 = 2;
		break;
	case EVIL_CHAIN:
		len = ext_evil_build(pkt, 3, pfn, 1);
		field = &sch->in.stats.rejected_ext_limits;
		break;
	case EVIL_BYTES:
		/* 17 pages in one range from offset 0: 17 PFNs follow. */
		len = ext_evil_build(pkt, 1, pfn, 1);
		g->byte_offset = 0;
		g->byte_count = 17 * 4096;
		len = sizeof(*h) + 8 + 17 * 8;
		h->d.offset8 = len / 8;
		len += 8;
		h->d.len8 = len / 8;
		field = &sch->in.stats.rejected_ext_limits;
		break;
	case EVIL_UNDESCRIBED:
		len = ext_evil_build(pkt, 1, pfn, 0x100000001ULL);
		field = &sch->in.stats.rejected_ext_data;
		break;
	case EVIL_FORGED_PFN:
		g->pfn_array[0] = pfn;
		field = &sch->in.stats.rejected_ext_data;
		break;
	case EVIL_FORGED_LEN:
		g->byte_count += 1;
		field = &sch->in.stats.rejected_ext_data;
		break;
	case EVIL_REPLAY:
		field = &sch->in.stats.rejected_ext_data;
		break;
	case EVIL_NO_COMPLETION:
		h->d.flags = 0;
		field = &sch->in.stats.rejected_ext_data;
		break;
	case EVIL_OVERSIZE:
		/* Room for the receiver's largest ranges, plus 4 KiB more. */
		len = ext_evil_build(pkt, 1, pfn, 1);
		len = sizeof(*h) + kmcl_ext_ranges_cap(&sch->cfg) +
		      KMCL_DEFAULT_MAX_PACKET_SIZE + 4096;
		KUNIT_ASSERT_LE(test, len, EXT_EVIL_BUF);
		h->d.len8 = len / 8;
		field = &sch->in.stats.rejected_oversize;
		break;
	}
	kmcl_pt_inject(test, ep->cch, sch, pkt, len);
	KUNIT_EXPECT_TRUE(test, KMCL_TEST_WAIT_UNTIL(READ_ONCE(sch->fail_err)));

	/* Rejected and counted, nothing delivered, the queue stopped. */
	KUNIT_EXPECT_EQ(test, ext_rx_count(&ep->srx), delivered);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.rejected), 1ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, field), 1ULL);
	KUNIT_EXPECT_NE(test, READ_ONCE(sch->fail_err), 0);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.ext_received),
			(u64)delivered);

	/* The real transaction is untouched: it completes normally. */
	if (delivered) {
		KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);
		ext_complete(&ep->srx, 0);
		KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
		KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	}
}

/* The loopback check itself: unknown ids, closed senders. */
static void ext_match(struct kunit *test)
{
	struct ext_pair *ep = ext_pair(test);
	u8 ranges[16] = {};

	KUNIT_EXPECT_EQ(test, kmcl_out_ext_match(ep->cch, 0, ranges, 16, 1, NULL), -EBADMSG);
	KUNIT_EXPECT_EQ(test, kmcl_out_ext_match(ep->cch, U64_MAX, ranges, 16, 1, NULL),
			-EBADMSG);
	VmbChannelDisable(ep->p->client->ch);
	KUNIT_EXPECT_EQ(test, kmcl_out_ext_match(ep->cch, 1, ranges, 16, 1, NULL), -ECANCELED);
}

/* The limits themselves: what fits in a VMBus packet. */
static void ext_limit_values(struct kunit *test)
{
	struct kmcl_test_pair *p = kmcl_test_pair_new(test);
	struct kmcl_channel *ch = kmcl_channel_from_handle(p->client->ch);

	KUNIT_EXPECT_TRUE(test, kmcl_ext_limits_ok(1, 1));
	KUNIT_EXPECT_TRUE(test, kmcl_ext_limits_ok(64 << 20, 16));
	KUNIT_EXPECT_FALSE(test, kmcl_ext_limits_ok(U32_MAX, 1));
	KUNIT_EXPECT_FALSE(test, kmcl_ext_limits_ok(4096, U32_MAX));
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(p->client->ch, U32_MAX, 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(p->client->ch, 4096,
								   U32_MAX),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, ch->cfg.max_ext_data, 0U);
	KUNIT_EXPECT_EQ(test, kmcl_ext_ranges_cap(&ch->cfg), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_ext_hdr_size(&ch->cfg), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_ext_in_size(&ch->cfg), 0U);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(p->client->ch, 8192, 2),
			STATUS_SUCCESS);
	/* Two ranges of 8 KiB in all: at most 2 + 2 * 2 PFNs and 2 heads. */
	KUNIT_EXPECT_EQ(test, kmcl_ext_ranges_cap(&ch->cfg), 8U * (2 + 3 * 2));
	KUNIT_EXPECT_EQ(test, kmcl_ext_hdr_size(&ch->cfg), 8U + 8 * (2 + 3 * 2));
	/* Then one address hint per range. */
	KUNIT_EXPECT_EQ(test, kmcl_ext_va_size(&ch->cfg), (u32)(2 * sizeof(void *)));
	KUNIT_EXPECT_EQ(test, kmcl_ext_in_size(&ch->cfg),
			(u32)(2 * kmcl_mdl_hvpfns_size(0) + 8 * (2 + 2 * 2) +
			      2 * sizeof(void *)));
}

static struct kunit_case kmcl_external_cases[] = {
	KUNIT_CASE(ext_mdl_both_ways),
	KUNIT_CASE(ext_send_chain),
	KUNIT_CASE(ext_pfns_pending),
	KUNIT_CASE(ext_softirq_direct),
	KUNIT_CASE(ext_vmalloc_softirq),
	KUNIT_CASE(ext_unmap_lent),
	KUNIT_CASE(ext_read_only),
	KUNIT_CASE(ext_force_length),
	KUNIT_CASE(ext_queued),
	KUNIT_CASE(ext_send_errors),
	KUNIT_CASE(ext_no_limits),
	KUNIT_CASE(ext_get_errors),
	KUNIT_CASE(ext_get_context),
	KUNIT_CASE_PARAM(ext_receiver_limits, ext_limit_gen_params),
	KUNIT_CASE(ext_close_waits),
	KUNIT_CASE(ext_sync),
	KUNIT_CASE(ext_sync_timeout),
	KUNIT_CASE(ext_sync_timeout_peer_gone),
	KUNIT_CASE(ext_sync_close),
	KUNIT_CASE_PARAM(ext_hostile, ext_evil_gen_params),
	KUNIT_CASE(ext_match),
	KUNIT_CASE(ext_limit_values),
	{}
};

/* The same list again: KUnit keeps per-suite state in each case. */
static struct kunit_case kmcl_external_cvm_cases[] = {
	KUNIT_CASE(ext_mdl_both_ways),
	KUNIT_CASE(ext_send_chain),
	KUNIT_CASE(ext_pfns_pending),
	KUNIT_CASE(ext_softirq_direct),
	KUNIT_CASE(ext_read_only),
	KUNIT_CASE(ext_force_length),
	KUNIT_CASE(ext_queued),
	KUNIT_CASE(ext_send_errors),
	KUNIT_CASE(ext_no_limits),
	KUNIT_CASE(ext_get_errors),
	KUNIT_CASE(ext_get_context),
	KUNIT_CASE_PARAM(ext_receiver_limits, ext_limit_gen_params),
	KUNIT_CASE(ext_close_waits),
	KUNIT_CASE(ext_sync),
	KUNIT_CASE(ext_sync_timeout),
	KUNIT_CASE(ext_sync_close),
	KUNIT_CASE_PARAM(ext_hostile, ext_evil_gen_params),
	KUNIT_CASE(ext_match),
	KUNIT_CASE(ext_limit_values),
	{}
};

static struct kunit_suite kmcl_external_suite = {
	.name = "kmcl_external",
	.test_cases = kmcl_external_cases,
};

kunit_test_suite(kmcl_external_suite);

/* The same cases with an isolated (confidential VM) client. */
static struct kunit_suite kmcl_external_cvm_suite = {
	.name = "kmcl_external_cvm",
	.init = kmcl_test_cvm_init,
	.exit = kmcl_test_cvm_exit,
	.test_cases = kmcl_external_cvm_cases,
};

kunit_test_suite(kmcl_external_cvm_suite);
