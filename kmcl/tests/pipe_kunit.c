// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_pipe: pipe mode (VMBUS_CHANNEL_INIT_FLAG_IS_PIPE) on the
 * loopback. Datagrams in both directions with their exact lengths, the
 * pipe header on the wire (seen by an endpoint that is not a pipe), the
 * sends a pipe refuses and their statuses, no completion packets, and
 * hostile pipe headers written straight into the shared ring.
 */
#include <kunit/test.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kmcl.h"
#include "mdl.h"
#include "packet_kunit.h"
#include "pipe.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

#define KMCL_PIPE_T_MAX		256U
#define KMCL_PIPE_T_WAIT	VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION

/* A connected pair; each endpoint is a pipe if asked. */
static struct kmcl_pt_pair *kmcl_pipe_t_pair(struct kunit *test, bool srv_pipe,
					     bool cli_pipe)
{
	struct kmcl_pt_cfg cfg = {
		.max_packet_size = KMCL_PIPE_T_MAX,
		.defer_server = true,
	};
	struct kmcl_pt_pair *pp = kunit_kzalloc(test, sizeof(*pp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pp);
	kmcl_pt_pair_setup(test, pp, &cfg);
	if (srv_pipe)
		KUNIT_ASSERT_EQ(test, VmbChannelInitSetFlags(pp->p->server->ch,
							     VMBUS_CHANNEL_INIT_FLAG_IS_PIPE),
				STATUS_SUCCESS);
	if (cli_pipe)
		KUNIT_ASSERT_EQ(test, VmbChannelInitSetFlags(pp->p->client->ch,
							     VMBUS_CHANNEL_INIT_FLAG_IS_PIPE),
				STATUS_SUCCESS);
	kmcl_pt_enable_server(test, pp);
	kmcl_pt_enable_client(test, pp);
	return pp;
}

static struct kmcl_pt_done *kmcl_pipe_t_done(struct kunit *test)
{
	struct kmcl_pt_done *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	kmcl_pt_done_init(d, true);
	return d;
}

static const u32 kmcl_pipe_t_lens[] = { 1, 7, 8, 13, 0, 100, KMCL_PIPE_T_MAX };

/* @n datagrams from @from arrive at @rx, exact lengths and bytes, in order. */
static void kmcl_pipe_t_datagrams(struct kunit *test, VMBCHANNEL from,
				  struct kmcl_pt_rx *rx, u8 seed)
{
	struct kmcl_pt_done *d = kmcl_pipe_t_done(test);
	unsigned int i, n = ARRAY_SIZE(kmcl_pipe_t_lens);
	const struct kmcl_pt_rec *r;

	for (i = 0; i < n; i++)
		kmcl_pt_send(test, from, d, seed + i, kmcl_pipe_t_lens[i], 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(rx, n));
	/* No transaction: each send completed once, successfully. */
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, n));
	for (i = 0; i < n; i++) {
		r = &rx->rec[i];
		KUNIT_EXPECT_EQ(test, r->len, kmcl_pipe_t_lens[i]);
		KUNIT_EXPECT_EQ(test, r->flags, 0U);
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(r->data,
						      min_t(u32, r->len,
							    KMCL_PT_DATA),
						      seed + i));
		KUNIT_EXPECT_EQ(test, d->rec[i].status, STATUS_SUCCESS);
	}
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), n);
}

/* Datagrams both ways; the receivers complete them and nothing goes back. */
static void kmcl_pipe_both_ways_test(struct kunit *test)
{
	struct kmcl_pt_pair *pp = kmcl_pipe_t_pair(test, true, true);
	unsigned int n = ARRAY_SIZE(kmcl_pipe_t_lens);
	struct kmcl_channel *sch = pp->sch, *cch = pp->cch;

	kmcl_pipe_t_datagrams(test, pp->p->client->ch, &pp->srx, 10);
	kmcl_pipe_t_datagrams(test, pp->p->server->ch, &pp->crx, 40);

	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.received), (u64)n);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(cch, &cch->in.stats.received), (u64)n);
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(cch, &cch->out.stats.sent), (u64)n);
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(sch, &sch->out.stats.sent), (u64)n);
	/* The recorders completed with a payload; a pipe sends no completion. */
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(sch, &sch->out.stats.completions_sent), 0ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(cch, &cch->out.stats.completions_sent), 0ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.rejected), 0ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(cch, &cch->in.stats.rejected), 0ULL);
	KUNIT_EXPECT_EQ(test, sch->fail_err, 0);
	KUNIT_EXPECT_EQ(test, cch->fail_err, 0);
}

/*
 * The send completes when the datagram is in the ring, not when the
 * receiver is done with it; the receiver still completes to free it.
 */
static void kmcl_pipe_no_transaction_test(struct kunit *test)
{
	struct kmcl_pt_pair *pp = kmcl_pipe_t_pair(test, true, true);
	struct kmcl_pt_done *d = kmcl_pipe_t_done(test);
	static const u64 answer = 0x616e73776572ULL;
	struct kmcl_channel *sch = pp->sch, *cch = pp->cch;

	pp->srx.mode = KMCL_PT_HOLD;
	kmcl_pt_send(test, pp->p->client->ch, d, 3, 24, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	KUNIT_EXPECT_FALSE(test, d->rec[0].had_buf);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sch->in.outstanding), 1U);

	kmcl_pt_complete(&pp->srx, 0, &answer, sizeof(answer));
	KUNIT_EXPECT_EQ(test, READ_ONCE(sch->in.outstanding), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(sch, &sch->out.stats.completions_sent), 0ULL);
	/* Nothing reached the client: no completion, no rejection. */
	kmcl_pt_send(test, pp->p->server->ch, d, 4, 8, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->crx, 1));
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(cch, &cch->in.stats.received), 1ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(cch, &cch->in.stats.rejected), 0ULL);
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 2U);
}

/* What a pipe puts on the wire, as an endpoint that is no pipe sees it. */
static void kmcl_pipe_wire_test(struct kunit *test)
{
	struct kmcl_pt_pair *pp = kmcl_pipe_t_pair(test, true, false);
	struct kmcl_pt_done *d = kmcl_pipe_t_done(test);
	const struct kmcl_pt_rec *r;
	struct kmcl_pipe_hdr h;
	u8 framed[16] = {};
	u32 i;

	/* 13 bytes: header, datagram, three bytes of padding. */
	kmcl_pt_send(test, pp->p->server->ch, d, 7, 13, 0);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->crx, 1));
	r = &pp->crx.rec[0];
	KUNIT_EXPECT_EQ(test, r->len, 24U);
	memcpy(&h, r->data, sizeof(h));
	KUNIT_EXPECT_EQ(test, h.pkt_type, 1U);
	KUNIT_EXPECT_EQ(test, h.data_size, 13U);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(r->data + 8, 13, 7));
	for (i = 21; i < 24; i++)
		KUNIT_EXPECT_EQ(test, r->data[i], 0);

	/* A peer that frames by hand (as hv_utils does) reaches the pipe. */
	h.pkt_type = KMCL_PIPE_MSG_DATA;
	h.data_size = 5;
	memcpy(framed, &h, sizeof(h));
	memcpy(framed + 8, "hello", 5);
	KUNIT_ASSERT_EQ(test, VmbChannelSendSynchronousRequest(pp->p->client->ch,
							       framed,
							       sizeof(framed),
							       NULL, 0, NULL,
							       NULL, NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	KUNIT_EXPECT_EQ(test, pp->srx.rec[0].len, 5U);
	KUNIT_EXPECT_EQ(test, memcmp(pp->srx.rec[0].data, "hello", 5), 0);
}

static void kmcl_pipe_t_free_mdl(void *mdl)
{
	IoFreeMdl(mdl);
}

/* Sends a pipe refuses: completions, memory descriptors, too long. */
static void kmcl_pipe_refused_test(struct kunit *test)
{
	struct kmcl_pt_pair *pp = kmcl_pipe_t_pair(test, true, true);
	struct kmcl_pt_done *d = kmcl_pipe_t_done(test);
	VMBCHANNEL ch = pp->p->client->ch;
	u8 *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	PFN_NUMBER pfn;
	VMBPACKET pkt;
	UINT32 csize;
	u64 cbuf = 0;
	PMDL mdl;
	struct kmcl_channel *cch = pp->cch;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	mdl = IoAllocateMdl(buf, 64, FALSE, FALSE, NULL);
	KUNIT_ASSERT_NOT_NULL(test, mdl);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kmcl_pipe_t_free_mdl,
							mdl), 0);
	MmBuildMdlForNonPagedPool(mdl);
	pfn = page_to_pfn(virt_to_page(buf)) * KMCL_HV_PER_PAGE;
	pkt = VmbPacketAllocate(ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	VmbPacketSetCompletionRoutineEx(pkt, d, kmcl_pt_done_cb);

	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, 8, NULL, KMCL_PIPE_T_WAIT),
			STATUS_INVALID_PARAMETER_5);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, 8, mdl, 0),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalMdl(pkt, buf, 8, mdl, 0, 0,
							   KMCL_PIPE_T_WAIT),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbPacketSendWithExternalPfns(pkt, buf, 8, &pfn, 1,
							    KMCL_PIPE_T_WAIT),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbPacketSend(pkt, buf, KMCL_PIPE_T_MAX + 1, NULL, 0),
			STATUS_INVALID_PARAMETER_3);
	csize = sizeof(cbuf);
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(ch, buf, 8, NULL,
							       KMCL_PIPE_T_WAIT,
							       &cbuf, &csize,
							       NULL),
			STATUS_INVALID_PARAMETER_5);
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(ch, buf, 8, mdl, 0,
							       NULL, NULL, NULL),
			STATUS_INVALID_PARAMETER_4);
	/* Nothing was sent or completed, nothing arrived. */
	KUNIT_EXPECT_EQ(test, kmcl_pt_done_count(d), 0U);
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(cch, &cch->out.stats.sent), 0ULL);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 0U);

	/* The same packet still goes, at the largest size. */
	kmcl_pt_fill(buf, KMCL_PIPE_T_MAX, 9);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, buf, KMCL_PIPE_T_MAX, NULL, 0),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, 1));
	KUNIT_EXPECT_EQ(test, d->rec[0].status, STATUS_SUCCESS);
	/* A synchronous request without a completion waits for the ring. */
	KUNIT_EXPECT_EQ(test, VmbChannelSendSynchronousRequest(ch, buf, 8, NULL, 0,
							       NULL, NULL, NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 2));
	KUNIT_EXPECT_EQ(test, pp->srx.rec[0].len, KMCL_PIPE_T_MAX);
	KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[0].data, KMCL_PT_DATA, 9));
	KUNIT_EXPECT_EQ(test, pp->srx.rec[1].len, 8U);
	KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(cch, &cch->out.stats.sent), 2ULL);
}

/* Hostile pipe packets, and one odd but harmless one. */
enum kmcl_pipe_evil {
	KMCL_PIPE_EVIL_SHORT,		/* no room for the pipe header */
	KMCL_PIPE_EVIL_TYPE,		/* pkt_type 2 */
	KMCL_PIPE_EVIL_TYPE0,		/* pkt_type 0 */
	KMCL_PIPE_EVIL_OVERRUN,		/* data_size one more than the room */
	KMCL_PIPE_EVIL_UNDERRUN,	/* data_size leaves 8 bytes unused */
	KMCL_PIPE_EVIL_HUGE,		/* data_size 0xffffffff */
	KMCL_PIPE_EVIL_GPA_DIRECT,	/* external data on a pipe */
	KMCL_PIPE_ODD_COMP_REQ,		/* asks for a completion: ignored */
};

struct kmcl_pipe_evil_case {
	enum kmcl_pipe_evil kind;
	const char *name;
};

static const struct kmcl_pipe_evil_case kmcl_pipe_evil_cases[] = {
	{ KMCL_PIPE_EVIL_SHORT, "short" },
	{ KMCL_PIPE_EVIL_TYPE, "pkt_type 2" },
	{ KMCL_PIPE_EVIL_TYPE0, "pkt_type 0" },
	{ KMCL_PIPE_EVIL_OVERRUN, "data_size overrun" },
	{ KMCL_PIPE_EVIL_UNDERRUN, "data_size underrun" },
	{ KMCL_PIPE_EVIL_HUGE, "data_size huge" },
	{ KMCL_PIPE_EVIL_GPA_DIRECT, "gpa direct" },
	{ KMCL_PIPE_ODD_COMP_REQ, "completion requested" },
};

static void kmcl_pipe_evil_desc(const struct kmcl_pipe_evil_case *c,
				char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kmcl_pipe_evil, kmcl_pipe_evil_cases, kmcl_pipe_evil_desc);

/* Rejected and failed: kmcl_channel_fail() runs after the count. */
static bool kmcl_pipe_t_rejected(void *arg)
{
	struct kmcl_channel *ch = arg;

	return kmcl_test_in_stat(ch, &ch->in.stats.rejected) != 0 && READ_ONCE(ch->fail_err);
}

/*
 * Build the packet of case @kind at @pkt (zeroed, 64 bytes): 16 bytes of
 * descriptor, then the pipe header and 8 bytes of data. Returns its length.
 */
static u32 kmcl_pipe_t_build(enum kmcl_pipe_evil kind, u8 *pkt)
{
	struct kmcl_vmpacket_desc *desc = (void *)pkt;
	struct kmcl_gpa_direct_hdr *g = (void *)pkt;
	struct kmcl_pipe_hdr h = { KMCL_PIPE_MSG_DATA, 8 };
	struct kmcl_gpa_range r = { .byte_count = 8 };
	u32 off = 16, len = 32;

	desc->type = KMCL_PKT_DATA_INBAND;
	switch (kind) {
	case KMCL_PIPE_EVIL_SHORT:
		len = 16;
		break;
	case KMCL_PIPE_EVIL_TYPE:
		h.pkt_type = 2;
		break;
	case KMCL_PIPE_EVIL_TYPE0:
		h.pkt_type = 0;
		break;
	case KMCL_PIPE_EVIL_OVERRUN:
		h.data_size = 9;
		break;
	case KMCL_PIPE_EVIL_UNDERRUN:
		h.data_size = 0;
		break;
	case KMCL_PIPE_EVIL_HUGE:
		h.data_size = U32_MAX;
		break;
	case KMCL_PIPE_EVIL_GPA_DIRECT:
		/* One range and its PFN, then the pipe datagram. */
		desc->type = KMCL_PKT_DATA_USING_GPA_DIRECT;
		g->range_count = 1;
		memcpy(pkt + sizeof(*g), &r, sizeof(r));
		off = sizeof(*g) + sizeof(r) + 8;
		len = off + 16;
		break;
	case KMCL_PIPE_ODD_COMP_REQ:
		desc->flags = KMCL_PKT_FLAG_COMPLETION_REQUESTED;
		desc->trans_id = 77;
		break;
	}
	desc->offset8 = off / 8;
	desc->len8 = len / 8;
	if (len > off) {
		memcpy(pkt + off, &h, sizeof(h));
		memcpy(pkt + off + 8, "datagram", 8);
	}
	return len;
}

/* Rejected, counted by reason, never delivered; the channel is failed. */
static void kmcl_pipe_hostile_test(struct kunit *test)
{
	const struct kmcl_pipe_evil_case *c = test->param_value;
	struct kmcl_pt_pair *pp = kmcl_pipe_t_pair(test, true, true);
	struct kmcl_channel *sch = pp->sch;
	u8 pkt[64] __aligned(8) = {};
	u32 len;
	int err;

	len = kmcl_pipe_t_build(c->kind, pkt);
	kmcl_pt_inject(test, pp->cch, sch, pkt, len);

	if (c->kind == KMCL_PIPE_ODD_COMP_REQ) {
		/* Delivered as a datagram; the flag means nothing on a pipe. */
		KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
		KUNIT_EXPECT_EQ(test, pp->srx.rec[0].len, 8U);
		KUNIT_EXPECT_EQ(test, memcmp(pp->srx.rec[0].data, "datagram", 8),
				0);
		KUNIT_EXPECT_EQ(test, kmcl_test_out_stat(sch, &sch->out.stats.completions_sent),
				0ULL);
		KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.rejected), 0ULL);
		return;
	}

	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_true(kmcl_pipe_t_rejected, sch,
						  KMCL_PT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.rejected), 1ULL);
	err = READ_ONCE(sch->fail_err);
	switch (c->kind) {
	case KMCL_PIPE_EVIL_TYPE:
	case KMCL_PIPE_EVIL_TYPE0:
	case KMCL_PIPE_EVIL_GPA_DIRECT:
		KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.rejected_type), 1ULL);
		KUNIT_EXPECT_EQ(test, err, -EPROTO);
		break;
	default:
		KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.rejected_malformed),
				1ULL);
		KUNIT_EXPECT_EQ(test, err, -EBADMSG);
		break;
	}
	/* The GPA ranges were never looked at, let alone held. */
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.ext_received), 0ULL);
	KUNIT_EXPECT_EQ(test, kmcl_test_in_stat(sch, &sch->in.stats.received), 0ULL);
	KUNIT_EXPECT_EQ(test, kmcl_pt_rx_count(&pp->srx), 0U);
}

/* The header parser on its own, at every boundary. */
static void kmcl_pipe_parse_test(struct kunit *test)
{
	struct kmcl_pipe_hdr h = { KMCL_PIPE_MSG_DATA, 0 };
	enum kmcl_pipe_err err;
	u8 buf[40] __aligned(8);
	u32 size, room;

	memset(buf, 0xa5, sizeof(buf));
	for (room = 0; room <= 32; room += 8) {
		/* Every size that leaves only padding is accepted... */
		for (h.data_size = room ? room - 7 : 0; h.data_size <= room;
		     h.data_size++) {
			memcpy(buf, &h, sizeof(h));
			size = U32_MAX;
			KUNIT_EXPECT_EQ(test, kmcl_pipe_parse(buf, room + 8, &size,
							      &err), 0);
			KUNIT_EXPECT_EQ(test, size, h.data_size);
			KUNIT_EXPECT_EQ(test, err, KMCL_PIPE_OK);
		}
		/* ...one more byte overruns... */
		memcpy(buf, &h, sizeof(h));
		KUNIT_EXPECT_EQ(test, kmcl_pipe_parse(buf, room + 8, &size, &err),
				-EBADMSG);
		KUNIT_EXPECT_EQ(test, err, KMCL_PIPE_ERR_OVERRUN);
		KUNIT_EXPECT_EQ(test, size, 0U);
		/* ...and 8 bytes less underruns. */
		if (room >= 8) {
			h.data_size = room - 8;
			memcpy(buf, &h, sizeof(h));
			KUNIT_EXPECT_EQ(test, kmcl_pipe_parse(buf, room + 8, &size,
							      &err), -EBADMSG);
			KUNIT_EXPECT_EQ(test, err, KMCL_PIPE_ERR_UNDERRUN);
		}
	}
	/* Shorter than a header, whatever it says. */
	for (room = 0; room < 8; room++) {
		KUNIT_EXPECT_EQ(test, kmcl_pipe_parse(buf, room, &size, &err),
				-EBADMSG);
		KUNIT_EXPECT_EQ(test, err, KMCL_PIPE_ERR_SHORT);
	}
	/* Unknown message types. */
	h.data_size = 0;
	for (h.pkt_type = 0; h.pkt_type < 8; h.pkt_type++) {
		if (h.pkt_type == KMCL_PIPE_MSG_DATA)
			continue;
		memcpy(buf, &h, sizeof(h));
		KUNIT_EXPECT_EQ(test, kmcl_pipe_parse(buf, 8, &size, &err),
				-EPROTO);
		KUNIT_EXPECT_EQ(test, err, KMCL_PIPE_ERR_TYPE);
	}
	KUNIT_EXPECT_EQ(test, kmcl_pipe_parse(NULL, 8, &size, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_pipe_parse(buf, 8, NULL, NULL), -EINVAL);

	/* The writer writes what the parser reads. */
	kmcl_pipe_put_hdr(buf, 21);
	KUNIT_EXPECT_EQ(test, kmcl_pipe_parse(buf, 32, &size, NULL), 0);
	KUNIT_EXPECT_EQ(test, size, 21U);
}

/* The flag is set only while Disabled, and only the pipe bit exists. */
static void kmcl_pipe_flag_test(struct kunit *test)
{
	struct kmcl_pt_pair *pp = kmcl_pipe_t_pair(test, true, true);

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(pp->p->client->ch,
						     VMBUS_CHANNEL_INIT_FLAG_IS_PIPE),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(pp->p->client->ch, 0),
			STATUS_INVALID_PARAMETER_1);
	/* Packets of a pipe have room for the header. */
	KUNIT_EXPECT_GE(test, VmbChannelSizeofPacket(pp->p->client->ch),
			(UINT32)(KMCL_PIPE_T_MAX + KMCL_PIPE_HDR_LEN));
}

/* The pipe header must fit in one VMBus packet with the largest payload. */
static void kmcl_pipe_size_limit_test(struct kunit *test)
{
	struct kmcl_test_log *log = kmcl_test_log_new(test);
	struct kmcl_test_ep *ep = kmcl_test_ep_alloc(test, log, false);
	const u32 pipe_max = 524264 - KMCL_PIPE_HDR_LEN;

	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(ep->ch, 524264),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(ep->ch,
						     VMBUS_CHANNEL_INIT_FLAG_IS_PIPE),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(ep->ch, pipe_max),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(ep->ch,
						     VMBUS_CHANNEL_INIT_FLAG_IS_PIPE),
			STATUS_SUCCESS);
	/* And once a pipe, the maximum packet size keeps that room. */
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(ep->ch,
								 pipe_max + 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(ep->ch, 0), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(ep->ch,
								 pipe_max + 1),
			STATUS_SUCCESS);
}

static struct kunit_case kmcl_pipe_cases[] = {
	KUNIT_CASE(kmcl_pipe_parse_test),
	KUNIT_CASE(kmcl_pipe_both_ways_test),
	KUNIT_CASE(kmcl_pipe_no_transaction_test),
	KUNIT_CASE(kmcl_pipe_wire_test),
	KUNIT_CASE(kmcl_pipe_refused_test),
	KUNIT_CASE_PARAM(kmcl_pipe_hostile_test, kmcl_pipe_evil_gen_params),
	KUNIT_CASE(kmcl_pipe_flag_test),
	KUNIT_CASE(kmcl_pipe_size_limit_test),
	{}
};

static struct kunit_suite kmcl_pipe_suite = {
	.name = "kmcl_pipe",
	.test_cases = kmcl_pipe_cases,
};

kunit_test_suite(kmcl_pipe_suite);
