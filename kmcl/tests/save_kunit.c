// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_save: server save/restore on the loopback.
 *
 * A client sends numbered packets that ask for a completion; the server
 * holds some of them, is saved mid-traffic (more packets arrive during the
 * save), disabled and cleaned up; a fresh server is restored from the
 * bytes, takes the connection over and completes everything. The client
 * must get every completion exactly once, with the right payload, and
 * never see a close or a second Opened. Also: the SaveContinue buffer
 * protocol (BUFFER_TOO_SMALL, BUFFER_OVERFLOW, SUCCESS), the callback order
 * (SavePacket probed with size 0 first, RestorePacket in saved order), the
 * state errors, FORCE_NEW_CHANNEL, and saved buffers with every byte
 * changed, fields changed under a valid checksum, and every truncation.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "kmcl.h"
#include "kmcl_test_util.h"
#include "save_format.h"

KMCL_IMPORT(KMCL);
KMCL_IMPORT(KMCL_INTERNAL);

#define SV_MAX		16
#define SV_ECHO		1000
#define FORCE_NEW	VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL

/* What one server driver instance knows. */
struct sv_srv {
	spinlock_t lock;	/* everything below */
	bool hold;
	int nheld;
	VMBPACKETCOMPLETION held[SV_MAX];
	u64 held_val[SV_MAX];
	int probes;
	int saves;
	u64 save_val[SV_MAX];
	int restores;
	VMBPACKET rpkt[SV_MAX];
	u64 rval[SV_MAX];
	int failing_restore;
};

/* What the client saw. */
struct sv_cli {
	spinlock_t lock;	/* everything below */
	wait_queue_head_t wq;
	int done;
	int count[SV_MAX];
	u64 payload[SV_MAX];
	NTSTATUS status[SV_MAX];
};

struct sv {
	struct kmcl_test_pair *pair;
	struct sv_srv srv;
	struct sv_srv srv2;
	struct sv_cli cli;
	wait_queue_head_t wq;
};

static struct kmcl_channel *chan(struct kmcl_test_ep *ep)
{
	return kmcl_channel_from_handle(ep->ch);
}

static void sv_process(struct kmcl_test_ep *ep, VMBPACKETCOMPLETION pkt,
		       PVOID buf, UINT32 len, UINT32 flags)
{
	struct sv_srv *s = ep->priv;
	u64 v = 0, echo;

	if (len >= sizeof(v))
		memcpy(&v, buf, sizeof(v));
	spin_lock_bh(&s->lock);
	if (s->hold && s->nheld < SV_MAX) {
		s->held[s->nheld] = pkt;
		s->held_val[s->nheld++] = v;
		spin_unlock_bh(&s->lock);
		wake_up_all(&ep->log->wq);
		return;
	}
	spin_unlock_bh(&s->lock);
	echo = v + SV_ECHO;
	VmbChannelPacketComplete(pkt, &echo, sizeof(echo));
}

static NTSTATUS sv_save_pkt(VMBCHANNEL ch, PVOID ctx, VMBPACKET pkt,
			    PVOID buf, UINT32 size, PUINT32 needed)
{
	struct sv_srv *s = ctx;
	int i;

	*needed = sizeof(u64);
	if (!size) {
		s->probes++;
		return STATUS_BUFFER_TOO_SMALL;
	}
	for (i = 0; i < s->nheld; i++) {
		if (s->held[i] != (VMBPACKETCOMPLETION)pkt)
			continue;
		memcpy(buf, &s->held_val[i], sizeof(u64));
		s->save_val[s->saves++] = s->held_val[i];
		return STATUS_SUCCESS;
	}
	return STATUS_INVALID_PARAMETER;
}

static NTSTATUS sv_restore_pkt(VMBCHANNEL ch, PVOID ctx, PVOID lib,
			       UINT32 lib_size, PVOID buf, UINT32 size)
{
	struct sv_srv *s = ctx;
	VMBPACKET pkt;
	NTSTATUS st;

	if (size != sizeof(u64) || s->restores >= SV_MAX)
		return STATUS_INVALID_PARAMETER;
	if (s->failing_restore && s->restores + 1 == s->failing_restore)
		return STATUS_INSUFFICIENT_RESOURCES;
	pkt = VmbPacketAllocate(ch);
	if (!pkt)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = VmbPacketRestore(pkt, lib, lib_size);
	if (!NT_SUCCESS(st)) {
		VmbPacketFree(pkt);
		return st;
	}
	s->rpkt[s->restores] = pkt;
	memcpy(&s->rval[s->restores++], buf, sizeof(u64));
	return STATUS_SUCCESS;
}

static VOID sv_cli_done(VMBPACKET pkt, PVOID ctx, NTSTATUS status,
			PVOID buf, UINT32 len)
{
	struct sv_cli *c = ctx;
	uintptr_t i = (uintptr_t)VmbPacketGetPointer(pkt);

	spin_lock_bh(&c->lock);
	if (i < SV_MAX) {
		c->count[i]++;
		c->status[i] = status;
		if (buf && len >= sizeof(u64))
			memcpy(&c->payload[i], buf, sizeof(u64));
	}
	c->done++;
	spin_unlock_bh(&c->lock);
	VmbPacketFree(pkt);
	wake_up_all(&c->wq);
}

static void sv_send(struct kunit *test, struct sv *t, u64 i)
{
	VMBPACKET pkt = VmbPacketAllocate(t->pair->client->ch);

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	VmbPacketSetPointer(pkt, (void *)(uintptr_t)i);
	VmbPacketSetCompletionRoutineEx(pkt, &t->cli, sv_cli_done);
	KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt, &i, sizeof(i), NULL,
					    VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
			STATUS_SUCCESS);
}

static bool sv_wait_held(struct sv *t, int n)
{
	return wait_event_timeout(t->pair->log.wq,
				  READ_ONCE(t->srv.nheld) >= n,
				  msecs_to_jiffies(KMCL_TEST_WAIT_MS)) > 0;
}

static bool sv_wait_done(struct sv *t, int n)
{
	return wait_event_timeout(t->cli.wq, READ_ONCE(t->cli.done) >= n,
				  msecs_to_jiffies(KMCL_TEST_WAIT_MS)) > 0;
}

static void sv_srv_callbacks(struct kunit *test, struct kmcl_test_ep *ep,
			     struct sv_srv *s)
{
	spin_lock_init(&s->lock);
	ep->priv = s;
	ep->process = sv_process;
	KUNIT_ASSERT_EQ(test,
			VmbServerChannelInitSetSaveRestorePacketCallbacksEx(ep->ch, s,
									    sv_save_pkt,
									    sv_restore_pkt),
			STATUS_SUCCESS);
}

/* An open pair whose server holds @held packets 0..held-1. */
static struct sv *sv_open(struct kunit *test, int held)
{
	struct sv *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	spin_lock_init(&t->cli.lock);
	init_waitqueue_head(&t->cli.wq);
	t->pair = kmcl_test_pair_new(test);
	sv_srv_callbacks(test, t->pair->server, &t->srv);
	t->srv.hold = true;
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(t->pair->server->ch), STATUS_SUCCESS);
	VmbChannelStart(t->pair->server->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(t->pair->client->ch), STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(t->pair->server, KMCL_TEST_POST_STARTED, 1));
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(t->pair->client, KMCL_TEST_POST_STARTED, 1));
	for (i = 0; i < held; i++)
		sv_send(test, t, i);
	KUNIT_ASSERT_TRUE(test, sv_wait_held(t, held));
	return t;
}

/*
 * Save everything with the documented buffer protocol: a 0-byte buffer
 * first (BUFFER_TOO_SMALL and the size of the next chunk), then exactly
 * BytesRequired each time (BUFFER_OVERFLOW while more remains), then
 * SUCCESS. Returns the bytes, *@len long, and the number of calls.
 */
static u8 *sv_save_all(struct kunit *test, VMBCHANNEL ch, u32 *len, int *calls)
{
	u8 *buf = kunit_kzalloc(test, 8192, GFP_KERNEL);
	ULONG filled, required;
	NTSTATUS st;
	u32 off = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	*calls = 0;
	for (;;) {
		st = VmbChannelSaveContinue(ch, buf + off, 0, &filled, &required);
		(*calls)++;
		if (st == STATUS_SUCCESS)
			break;
		KUNIT_ASSERT_EQ(test, st, STATUS_BUFFER_TOO_SMALL);
		KUNIT_ASSERT_EQ(test, filled, 0);
		KUNIT_ASSERT_GT(test, required, 0);
		KUNIT_ASSERT_LE(test, off + required, 8192);
		/* One byte short: still no progress. */
		st = VmbChannelSaveContinue(ch, buf + off, required - 1, &filled,
					    &required);
		KUNIT_ASSERT_EQ(test, st, STATUS_BUFFER_TOO_SMALL);
		KUNIT_ASSERT_EQ(test, filled, 0);
		st = VmbChannelSaveContinue(ch, buf + off, required, &filled,
					    &required);
		KUNIT_ASSERT_TRUE(test,
				  st == STATUS_BUFFER_OVERFLOW || st == STATUS_SUCCESS);
		KUNIT_ASSERT_GT(test, filled, 0);
		off += filled;
		if (st == STATUS_SUCCESS)
			break;
	}
	/* Done: later calls write nothing and succeed. */
	KUNIT_EXPECT_EQ(test, VmbChannelSaveContinue(ch, buf + off, 64, &filled,
						     &required), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, filled, 0);
	*len = off;
	return buf;
}

/* Hand the old server over: SaveEnd, Disable, Cleanup. */
static void sv_retire(struct kunit *test, struct kmcl_test_ep *ep)
{
	VmbChannelSaveEnd(ep->ch);
	VmbChannelDisable(ep->ch);
	VmbChannelCleanup(ep->ch);
	kmcl_test_ep_forget(ep);
}

/* A fresh server driver instance, nothing set but its callbacks. */
static struct kmcl_test_ep *sv_fresh(struct kunit *test, struct sv *t,
				     struct sv_srv *s)
{
	struct kmcl_test_ep *ep = kmcl_test_ep_alloc(test, &t->pair->log, true);

	sv_srv_callbacks(test, ep, s);
	return ep;
}

/*
 * Restore @buf (@n saved packets, values 0..n-1) into a fresh server that
 * takes the connection over, complete the packets, and check the client
 * got each completion once.
 */
static void sv_restore_finish(struct kunit *test, struct sv *t, u8 *buf,
			      u32 len, int n)
{
	struct sv_srv *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct kmcl_test_ep *ep;
	int i, done = READ_ONCE(t->cli.done);
	u64 echo;

	KUNIT_ASSERT_NOT_NULL(test, s);
	ep = sv_fresh(test, t, s);
	KUNIT_ASSERT_EQ(test, VmbChannelRestoreFromBuffer(ep->ch, buf, len),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, s->restores, n);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ep->ch), STATUS_SUCCESS);
	VmbChannelStart(ep->ch);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(ep, KMCL_TEST_POST_STARTED, 1));
	for (i = 0; i < n; i++) {
		echo = s->rval[i] + SV_ECHO;
		VmbChannelPacketComplete((VMBPACKETCOMPLETION)s->rpkt[i], &echo,
					 sizeof(echo));
	}
	KUNIT_ASSERT_TRUE(test, sv_wait_done(t, done + n));
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, t->cli.count[i], 1);
		KUNIT_EXPECT_EQ(test, t->cli.payload[i], (u64)i + SV_ECHO);
	}
	KUNIT_EXPECT_EQ(test, kmcl_test_count(t->pair->client, KMCL_TEST_CLOSED), 0);
}

static void roundtrip_mid_traffic(struct kunit *test)
{
	struct sv *t = sv_open(test, 4);
	struct kmcl_test_ep *old = t->pair->server, *cli = t->pair->client, *srv;
	struct kmcl_channel *och = chan(old);
	u8 *shared = kunit_kzalloc(test, 300, GFP_KERNEL);
	u64 misuse, echo = 7;
	UINT32 gpadl = 0;
	PMDL mdl = NULL;
	int calls, i;
	u32 len;
	u8 *buf, *va;

	/* A GPADL the server keeps mapped across the save. */
	KUNIT_ASSERT_NOT_NULL(test, shared);
	for (i = 0; i < 300; i++)
		shared[i] = i * 7;
	KUNIT_ASSERT_EQ(test, VmbChannelCreateGpadlFromBuffer(cli->ch, 0, shared, 300,
							      &gpadl), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelMapGpadl(old->ch, 0, gpadl, &mdl), STATUS_SUCCESS);

	KUNIT_ASSERT_EQ(test, VmbChannelSaveBegin(old->ch), STATUS_SUCCESS);
	/* Traffic goes on during the save: it waits in the ring. */
	sv_send(test, t, 4);
	sv_send(test, t, 5);
	/* A frozen packet cannot be completed on the saved channel. */
	misuse = och->in.stats.misuse;
	VmbChannelPacketComplete(t->srv.held[0], &echo, sizeof(echo));
	KUNIT_EXPECT_EQ(test, och->in.stats.misuse, misuse + 1);
	/* Nor can the channel be paused meanwhile. */
	VmbChannelPause(old->ch);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(old, KMCL_TEST_SUSPEND), 0);

	buf = sv_save_all(test, old->ch, &len, &calls);
	/* CHANNEL, four PACKET chunks, END. */
	KUNIT_EXPECT_EQ(test, calls, 6);
	KUNIT_EXPECT_EQ(test, len, kmcl_save_chan_size(1) + kmcl_save_end_size() +
			4 * kmcl_save_packet_size(sizeof(u64)));
	/* The GPADL the server had mapped is in the CHANNEL chunk. */
	KUNIT_EXPECT_EQ(test, buf[32 + 76], 1);
	KUNIT_EXPECT_EQ(test, buf[32 + 80], gpadl & 0xff);
	KUNIT_EXPECT_EQ(test, t->srv.probes, 4);
	KUNIT_EXPECT_EQ(test, t->srv.saves, 4);
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->srv.nheld), 4);
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->cli.done), 0);

	sv_retire(test, old);
	/* The client saw nothing. */
	KUNIT_EXPECT_EQ(test, kmcl_test_count(cli, KMCL_TEST_CLOSED), 0);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(cli, KMCL_TEST_SUSPEND), 0);
	KUNIT_EXPECT_EQ(test, (int)kmcl_channel_state(chan(cli)), KMCL_CH_OPENED);

	srv = sv_fresh(test, t, &t->srv2);
	KUNIT_ASSERT_EQ(test, VmbChannelRestoreFromBuffer(srv->ch, buf, len),
			STATUS_SUCCESS);
	/* RestorePacket in the order SavePacket saw the packets. */
	KUNIT_ASSERT_EQ(test, t->srv2.restores, 4);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, t->srv2.rval[i], t->srv.save_val[i]);
	/* Not open yet: a completion is refused, the packet stays owed. */
	VmbChannelPacketComplete((VMBPACKETCOMPLETION)t->srv2.rpkt[0], NULL, 0);
	VmbPacketFree(t->srv2.rpkt[0]);
	KUNIT_EXPECT_EQ(test, chan(srv)->in.outstanding, 4);

	KUNIT_ASSERT_EQ(test, VmbChannelEnable(srv->ch), STATUS_SUCCESS);
	VmbChannelStart(srv->ch);
	KUNIT_ASSERT_TRUE(test, kmcl_test_wait(srv, KMCL_TEST_POST_STARTED, 1));
	/* The packets sent during the save reach the restored server. */
	KUNIT_ASSERT_TRUE(test, sv_wait_done(t, 2));
	for (i = 0; i < 4; i++) {
		echo = t->srv2.rval[i] + SV_ECHO;
		VmbChannelPacketComplete((VMBPACKETCOMPLETION)t->srv2.rpkt[i],
					 &echo, sizeof(echo));
	}
	/* A second completion of a restored packet is refused. */
	VmbChannelPacketComplete((VMBPACKETCOMPLETION)t->srv2.rpkt[0], &echo,
				 sizeof(echo));
	KUNIT_ASSERT_TRUE(test, sv_wait_done(t, 6));
	for (i = 0; i < 6; i++) {
		KUNIT_EXPECT_EQ(test, t->cli.count[i], 1);
		KUNIT_EXPECT_EQ(test, t->cli.status[i], STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, t->cli.payload[i], (u64)i + SV_ECHO);
	}
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->cli.done), 6);
	KUNIT_EXPECT_EQ(test, chan(srv)->in.outstanding, 0);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(cli, KMCL_TEST_OPENED), 1);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(cli, KMCL_TEST_CLOSED), 0);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(srv, KMCL_TEST_OPENED), 1);

	/* The client's GPADL survived: the restored server maps it again. */
	mdl = NULL;
	KUNIT_ASSERT_EQ(test, VmbChannelMapGpadl(srv->ch, 0, gpadl, &mdl), STATUS_SUCCESS);
	va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
	KUNIT_ASSERT_NOT_NULL(test, va);
	for (i = 0; i < 300; i++)
		KUNIT_EXPECT_EQ(test, va[i], (u8)(i * 7));
	VmbChannelUnmapGpadl(srv->ch, gpadl);
	VmbChannelDeleteGpadl(cli->ch, gpadl);

	/* Traffic keeps flowing both ways afterwards. */
	sv_send(test, t, 6);
	KUNIT_ASSERT_TRUE(test, sv_wait_done(t, 7));
	KUNIT_EXPECT_EQ(test, t->cli.payload[6], 6 + SV_ECHO);
}

/* Save with nothing in flight; restore; a second save/restore of that. */
static void roundtrip_idle_twice(struct kunit *test)
{
	struct sv *t = sv_open(test, 0);
	struct kmcl_test_ep *srv = t->pair->server;
	struct sv_srv *s = &t->srv;
	int round, calls;
	u32 len;
	u8 *buf;

	for (round = 0; round < 2; round++) {
		KUNIT_ASSERT_EQ(test, VmbChannelSaveBegin(srv->ch), STATUS_SUCCESS);
		buf = sv_save_all(test, srv->ch, &len, &calls);
		KUNIT_EXPECT_EQ(test, calls, 2);
		KUNIT_EXPECT_EQ(test, len, kmcl_save_chan_size(0) + kmcl_save_end_size());
		sv_retire(test, srv);
		s = round ? &t->srv : &t->srv2;
		memset(s, 0, sizeof(*s));
		srv = sv_fresh(test, t, s);
		KUNIT_ASSERT_EQ(test, VmbChannelRestoreFromBuffer(srv->ch, buf, len),
				STATUS_SUCCESS);
		KUNIT_ASSERT_EQ(test, VmbChannelEnable(srv->ch), STATUS_SUCCESS);
		VmbChannelStart(srv->ch);
		KUNIT_ASSERT_TRUE(test, kmcl_test_wait(srv, KMCL_TEST_POST_STARTED, 1));
		sv_send(test, t, round);
		KUNIT_ASSERT_TRUE(test, sv_wait_done(t, round + 1));
		KUNIT_EXPECT_EQ(test, t->cli.payload[round], (u64)round + SV_ECHO);
	}
	KUNIT_EXPECT_EQ(test, kmcl_test_count(t->pair->client, KMCL_TEST_OPENED), 1);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(t->pair->client, KMCL_TEST_CLOSED), 0);
}

/* SaveEnd before the save finished gives the packets back. */
static void abandoned_save_resumes(struct kunit *test)
{
	struct sv *t = sv_open(test, 2);
	struct kmcl_test_ep *srv = t->pair->server;
	ULONG filled, required;
	u8 buf[256];
	u64 echo;
	int i;

	KUNIT_ASSERT_EQ(test, VmbChannelSaveBegin(srv->ch), STATUS_SUCCESS);
	sv_send(test, t, 2);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveContinue(srv->ch, buf, kmcl_save_chan_size(0),
						     &filled, &required),
			STATUS_BUFFER_OVERFLOW);
	KUNIT_EXPECT_EQ(test, filled, kmcl_save_chan_size(0));
	KUNIT_EXPECT_EQ(test, required, kmcl_save_packet_size(sizeof(u64)));
	VmbChannelSaveEnd(srv->ch);
	/* Delivery resumes: packet 2 arrives and is held too. */
	KUNIT_ASSERT_TRUE(test, sv_wait_held(t, 3));
	for (i = 0; i < 3; i++) {
		echo = t->srv.held_val[i] + SV_ECHO;
		VmbChannelPacketComplete(t->srv.held[i], &echo, sizeof(echo));
	}
	KUNIT_ASSERT_TRUE(test, sv_wait_done(t, 3));
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, t->cli.count[i], 1);
		KUNIT_EXPECT_EQ(test, t->cli.payload[i], (u64)i + SV_ECHO);
	}
	/* Not in a save any more. */
	KUNIT_EXPECT_EQ(test, VmbChannelSaveContinue(srv->ch, buf, sizeof(buf),
						     &filled, &required),
			STATUS_INVALID_DEVICE_STATE);
}

static void state_errors(struct kunit *test)
{
	struct sv *t = sv_open(test, 0);
	struct kmcl_test_ep *srv = t->pair->server, *cli = t->pair->client, *d;
	ULONG filled = 1, required = 1;
	VMBPACKET pkt;
	u8 buf[256] = {};
	u8 *save;
	u32 len;
	int calls;

	KUNIT_EXPECT_EQ(test, VmbChannelSaveBegin(NULL), STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveBegin(cli->ch), STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveContinue(cli->ch, buf, sizeof(buf), &filled,
						     &required), STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, filled, 0);
	KUNIT_EXPECT_EQ(test, required, 0);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveContinue(srv->ch, buf, sizeof(buf), &filled,
						     &required), STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveContinue(srv->ch, NULL, 8, &filled, &required),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveContinue(srv->ch, buf, 8, NULL, &required),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveContinue(srv->ch, buf, 8, &filled, NULL),
			STATUS_INVALID_PARAMETER_5);
	/* A disabled server has nothing to save. */
	d = kmcl_test_ep_alloc(test, &t->pair->log, true);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveBegin(d->ch), STATUS_INVALID_DEVICE_STATE);
	/* Restore: arguments and freshness. */
	KUNIT_EXPECT_EQ(test, VmbChannelRestoreFromBuffer(NULL, buf, 8),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelRestoreFromBuffer(cli->ch, buf, 8),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelRestoreFromBuffer(d->ch, NULL, 8),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelRestoreFromBuffer(d->ch, buf, 0),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelRestoreFromBuffer(srv->ch, buf, sizeof(buf)),
			STATUS_INVALID_DEVICE_STATE);
	/* VmbPacketRestore outside RestorePacket. */
	pkt = VmbPacketAllocate(srv->ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_EXPECT_EQ(test, VmbPacketRestore(NULL, buf, KMCL_SAVE_LIB_SIZE),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbPacketRestore(pkt, NULL, KMCL_SAVE_LIB_SIZE),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbPacketRestore(pkt, buf, KMCL_SAVE_LIB_SIZE),
			STATUS_INVALID_DEVICE_STATE);
	VmbPacketFree(pkt);

	/* Begin twice. */
	KUNIT_ASSERT_EQ(test, VmbChannelSaveBegin(srv->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveBegin(srv->ch), STATUS_INVALID_DEVICE_STATE);
	save = sv_save_all(test, srv->ch, &len, &calls);
	VmbChannelSaveEnd(srv->ch);
	/* Committed: no second save of the same channel. */
	KUNIT_EXPECT_EQ(test, VmbChannelSaveBegin(srv->ch), STATUS_INVALID_DEVICE_STATE);
	sv_retire(test, srv);
	sv_restore_finish(test, t, save, len, 0);

	/* A channel that was enabled once is not fresh. */
	KUNIT_ASSERT_EQ(test, VmbServerChannelInitSetTargetInterfaceId(d->ch,
								       kmcl_test_new_type(),
								       t->pair->instance),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(d->ch), STATUS_SUCCESS);
	VmbChannelDisable(d->ch);
	KUNIT_EXPECT_EQ(test, VmbChannelRestoreFromBuffer(d->ch, buf, sizeof(buf)),
			STATUS_INVALID_DEVICE_STATE);
}

/* FORCE_NEW_CHANNEL: the client sees the old channel close. */
static void force_new_channel(struct kunit *test)
{
	struct sv *t = sv_open(test, 0);
	struct kmcl_test_ep *srv, *cli = t->pair->client;
	int calls;
	u32 len;
	u8 *buf;

	KUNIT_ASSERT_EQ(test, VmbChannelSaveBegin(t->pair->server->ch), STATUS_SUCCESS);
	buf = sv_save_all(test, t->pair->server->ch, &len, &calls);
	sv_retire(test, t->pair->server);
	srv = sv_fresh(test, t, &t->srv2);
	KUNIT_ASSERT_EQ(test, VmbChannelRestoreFromBuffer(srv->ch, buf, len),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbServerChannelInitSetFlags(srv->ch, FORCE_NEW), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, kmcl_test_count(cli, KMCL_TEST_CLOSED), 0);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(srv->ch), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait(cli, KMCL_TEST_CLOSED, 1));
}

/* A failing RestorePacket fails the restore; the channel is spent. */
static void restore_callback_fails(struct kunit *test)
{
	struct sv *t = sv_open(test, 3);
	struct kmcl_test_ep *srv;
	int calls;
	u32 len;
	u8 *buf;

	KUNIT_ASSERT_EQ(test, VmbChannelSaveBegin(t->pair->server->ch), STATUS_SUCCESS);
	buf = sv_save_all(test, t->pair->server->ch, &len, &calls);
	sv_retire(test, t->pair->server);
	srv = sv_fresh(test, t, &t->srv2);
	t->srv2.failing_restore = 2;
	KUNIT_EXPECT_EQ(test, VmbChannelRestoreFromBuffer(srv->ch, buf, len),
			STATUS_INSUFFICIENT_RESOURCES);
	KUNIT_EXPECT_EQ(test, t->srv2.restores, 1);
	/* The first restored packet went back with the failure. */
	KUNIT_EXPECT_EQ(test, chan(srv)->in.outstanding, 0);
	VmbPacketFree(t->srv2.rpkt[0]);
	KUNIT_EXPECT_EQ(test, chan(srv)->out.nr_free, chan(srv)->out.nr_packets);
	KUNIT_EXPECT_EQ(test, VmbChannelRestoreFromBuffer(srv->ch, buf, len),
			STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_NE(test, VmbChannelEnable(srv->ch), STATUS_SUCCESS);
	VmbChannelCleanup(srv->ch);
	kmcl_test_ep_forget(srv);
	/* The connection is still there for a good restore. */
	sv_restore_finish(test, t, buf, len, 3);
}

/* Restore @len bytes of @buf into a fresh server; its status. */
static NTSTATUS sv_try(struct kunit *test, struct sv *t, const u8 *buf, u32 len,
		       NTSTATUS *enable)
{
	struct sv_srv *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct kmcl_test_ep *ep;
	NTSTATUS st;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	ep = sv_fresh(test, t, s);
	st = VmbChannelRestoreFromBuffer(ep->ch, (void *)buf, len);
	if (enable) {
		*enable = VmbChannelEnable(ep->ch);
		VmbChannelDisable(ep->ch);
	}
	/* Packets a failed restore gave back are the driver's to free. */
	for (i = 0; i < s->restores; i++)
		VmbPacketFree(s->rpkt[i]);
	VmbChannelCleanup(ep->ch);
	kmcl_test_ep_forget(ep);
	return st;
}

/* A saved state of 2 packets, for the corruption tests. */
static u8 *sv_sample(struct kunit *test, struct sv **tp, u32 *len)
{
	struct sv *t = sv_open(test, 2);
	int calls;
	u8 *buf;

	KUNIT_ASSERT_EQ(test, VmbChannelSaveBegin(t->pair->server->ch), STATUS_SUCCESS);
	buf = sv_save_all(test, t->pair->server->ch, len, &calls);
	sv_retire(test, t->pair->server);
	*tp = t;
	return buf;
}

/*
 * Read a saved state with the format reader alone (no channel): 0 if the
 * END chunk was reached, 1 if the buffer ended on a chunk boundary before
 * it, else the reader's error.
 */
static int sv_read_all(const u8 *buf, u32 len)
{
	struct kmcl_save_reader r = {};
	struct kmcl_save_item it;
	u32 off = 0;
	int n;

	while (off < len) {
		n = kmcl_save_read(&r, buf + off, len - off, &it);
		if (n < 0)
			return n;
		off += n;
	}
	return r.done ? 0 : 1;
}

/*
 * Every byte changed: the reader refuses each one; so does
 * VmbChannelRestoreFromBuffer (one byte of every 8-byte word, each through
 * a fresh channel, which is what costs time under a debug kernel).
 */
static void corrupt_every_byte(struct kunit *test)
{
	u8 *buf, *bad;
	struct sv *t;
	u32 len, i;

	buf = sv_sample(test, &t, &len);
	bad = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bad);
	KUNIT_ASSERT_EQ(test, sv_read_all(buf, len), 0);
	for (i = 0; i < len; i++) {
		memcpy(bad, buf, len);
		bad[i] ^= 0x5a;
		KUNIT_EXPECT_LT_MSG(test, sv_read_all(bad, len), 0,
				    "byte %u changed and read", i);
		if (i % 8 == (i / 8) % 8)
			KUNIT_EXPECT_FALSE_MSG(test,
					       NT_SUCCESS(sv_try(test, t, bad, len, NULL)),
					       "byte %u changed and restored", i);
	}
	sv_restore_finish(test, t, buf, len, 2);
}

/*
 * Every length short of the whole: the reader refuses a cut chunk
 * (-EMSGSIZE) and reports a cut between chunks as unfinished; so does the
 * API (every chunk boundary and its neighbours, and every 8th length).
 */
static void truncate_every_length(struct kunit *test)
{
	u32 len, i, chunk_end[4], ends = 0, off = 0;
	struct kmcl_save_hdr h;
	NTSTATUS st, en;
	struct sv *t;
	u8 *buf;

	buf = sv_sample(test, &t, &len);
	while (off < len) {
		KUNIT_ASSERT_EQ(test, kmcl_save_get_hdr(buf + off, len - off, &h), 0);
		off += h.len;
		chunk_end[ends++] = off;
	}
	KUNIT_ASSERT_EQ(test, ends, 4);
	for (i = 1; i < len; i++) {
		bool boundary = i == chunk_end[0] || i == chunk_end[1] ||
				i == chunk_end[2];
		bool api = boundary || i % 8 == 3 || i + 1 == chunk_end[0] ||
			   i - 1 == chunk_end[0] || i + 1 == chunk_end[2] ||
			   i - 1 == chunk_end[2] || i + 1 == len;

		KUNIT_EXPECT_EQ_MSG(test, sv_read_all(buf, i), boundary ? 1 : -EMSGSIZE,
				    "cut at %u", i);
		if (!api)
			continue;
		st = sv_try(test, t, buf, i, &en);
		if (boundary) {
			/* Whole chunks: fine so far, but not enough to enable. */
			KUNIT_EXPECT_EQ_MSG(test, st, STATUS_MORE_PROCESSING_REQUIRED,
					    "cut at %u", i);
			KUNIT_EXPECT_NE_MSG(test, en, STATUS_SUCCESS, "cut at %u", i);
		} else {
			/* The chunk it cuts announces more than is there. */
			KUNIT_EXPECT_EQ_MSG(test, st, STATUS_INVALID_BUFFER_SIZE,
					    "cut at %u", i);
		}
	}
	KUNIT_EXPECT_EQ(test, sv_try(test, t, buf, len, NULL), STATUS_SUCCESS);
	sv_restore_finish(test, t, buf, len, 2);
}

/* Change one field, recompute the checksum: the field checks must catch it. */
struct sv_field {
	const char *name;
	int chunk;	/* 0 CHANNEL, 1 first PACKET, 3 END */
	u32 off;	/* from the chunk start */
	u32 size;
	u64 value;
};

static const struct sv_field sv_fields[] = {
	{ "magic", 0, 0, 4, 0x12345678 },
	{ "version", 0, 4, 2, 2 },
	{ "type", 0, 6, 2, 4 },
	{ "type packet first", 0, 6, 2, KMCL_SAVE_PACKET },
	{ "length", 0, 8, 4, 120 },
	{ "length odd", 0, 8, 4, 113 },
	{ "seq", 0, 12, 4, 1 },
	{ "reserved", 0, 28, 4, 1 },
	{ "max_packet_size 0", 0, 32, 4, 0 },
	{ "max_packet_count 0", 0, 36, 4, 0 },
	{ "max_packet_count", 0, 36, 4, 1 },
	{ "flags", 0, 56, 4, 0x80 },
	{ "server_flags", 0, 60, 4, 0x100 },
	{ "vtl", 0, 64, 1, 16 },
	{ "pad", 0, 65, 1, 1 },
	{ "packet_count more", 0, 104, 4, 3 },
	{ "packet_count less", 0, 104, 4, 1 },
	{ "gpadl_count", 0, 108, 4, 1 },
	{ "packet seq", 1, 12, 4, 2 },
	{ "packet save_id", 1, 16, 4, 0 },
	{ "lib_len", 1, 32, 4, 24 },
	{ "drv_len", 1, 36, 4, 9 },
	{ "drv_len big", 1, 36, 4, 0x20000 },
	{ "lib magic", 1, 40, 4, 0 },
	{ "lib version", 1, 44, 2, 9 },
	{ "lib flags", 1, 46, 2, 2 },
	{ "lib save_id", 1, 48, 4, 0 },
	{ "lib txid 0", 1, 56, 8, 0 },
	{ "lib index", 1, 68, 4, 1 },
	{ "end packets", 3, 32, 4, 1 },
	{ "end chunks", 3, 36, 4, 3 },
};

static void corrupt_fields_under_valid_crc(struct kunit *test)
{
	u32 len, off = 0, start[4], n = 0, i, k, crc;
	struct kmcl_save_hdr h;
	struct sv *t;
	u8 *buf, *bad, *c;

	buf = sv_sample(test, &t, &len);
	while (off < len) {
		KUNIT_ASSERT_EQ(test, kmcl_save_get_hdr(buf + off, len - off, &h), 0);
		start[n++] = off;
		off += h.len;
	}
	KUNIT_ASSERT_EQ(test, n, 4);
	bad = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bad);
	for (i = 0; i < ARRAY_SIZE(sv_fields); i++) {
		const struct sv_field *f = &sv_fields[i];
		u32 clen;

		memcpy(bad, buf, len);
		c = bad + start[f->chunk];
		clen = (f->chunk == 3 ? len : start[f->chunk + 1]) - start[f->chunk];
		for (k = 0; k < f->size; k++)
			c[f->off + k] = (f->value >> (8 * k)) & 0xff;
		/* Re-seal the chunk with its (unchanged) length. */
		memset(c + 24, 0, 4);
		crc = kmcl_save_crc32(0, c, clen);
		for (k = 0; k < 4; k++)
			c[24 + k] = (crc >> (8 * k)) & 0xff;
		KUNIT_EXPECT_FALSE_MSG(test, NT_SUCCESS(sv_try(test, t, bad, len, NULL)),
				       "field %s accepted", f->name);
	}
	sv_restore_finish(test, t, buf, len, 2);
}

static struct kunit_case kmcl_save_cases[] = {
	KUNIT_CASE(roundtrip_mid_traffic),
	KUNIT_CASE(roundtrip_idle_twice),
	KUNIT_CASE(abandoned_save_resumes),
	KUNIT_CASE(state_errors),
	KUNIT_CASE(force_new_channel),
	KUNIT_CASE(restore_callback_fails),
	KUNIT_CASE(corrupt_every_byte),
	KUNIT_CASE(truncate_every_length),
	KUNIT_CASE(corrupt_fields_under_valid_crc),
	{}
};

static struct kunit_suite kmcl_save_suite = {
	.name = "kmcl_save",
	.test_cases = kmcl_save_cases,
};

kunit_test_suite(kmcl_save_suite);
