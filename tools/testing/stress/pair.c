// SPDX-License-Identifier: GPL-2.0-only
/*
 * One stress pair: a server and a client channel on the loopback VMBus, and
 * every operation the stress threads and tasklets run on it. Each operation
 * may race with every other one on the same pair, except those that take
 * the pair's mutex (pause/start, disable/enable, GPADL cycles): a driver
 * serializes those itself.
 */
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <kmcl/loopback.h>

#include "stress.h"

/* Per outgoing packet: set while its transaction is open, and its bytes. */
struct stress_ctx {
	u64 live;
	struct stress_msg msg;
};

static GUID stress_guid(int idx, bool instance)
{
	GUID g = {
		.Data1 = 0x6b6d636c, .Data2 = 0x7374, .Data3 = 0x7273,
		.Data4 = { 0x8a, 0x12, 0, 0, 0, 0, 0, 0 },
	};

	if (instance) {
		g.Data4[2] = 1;
		g.Data4[6] = idx >> 8;
		g.Data4[7] = idx;
	}
	return g;
}

static u8 stress_ext_byte(const struct stress_pair *p, u32 i)
{
	return (u8)(i * 7 + p->idx);
}

/* The external data must hold exactly the pattern the client wrote. */
static bool stress_ext_good(struct stress_pair *p, PMDL mdl)
{
	u32 done = 0, n, i;
	u8 *va;

	for (; mdl; mdl = mdl->Next) {
		n = MmGetMdlByteCount(mdl);
		va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority |
						  MdlMappingNoExecute);
		if (!va || n > STRESS_EXT_BYTES - done)
			return false;
		for (i = 0; i < n; i++)
			if (va[i] != stress_ext_byte(p, done + i))
				return false;
		done += n;
	}
	return done == STRESS_EXT_BYTES;
}

static VOID stress_srv_packet(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet,
			      PVOID Buffer, UINT32 BufferLength, UINT32 Flags)
{
	struct stress_pair *p = VmbChannelGetPointer(Channel);
	struct stress_msg msg;
	NTSTATUS st;
	PMDL mdl;

	atomic64_inc(&p->c.delivered);
	if (BufferLength < sizeof(msg)) {
		stress_fail(p, "server got a short packet");
		VmbChannelPacketComplete(Packet, NULL, 0);
		return;
	}
	memcpy(&msg, Buffer, sizeof(msg));
	if (msg.magic != STRESS_MAGIC) {
		stress_fail(p, "server got a packet with bad bytes");
		VmbChannelPacketComplete(Packet, NULL, 0);
		return;
	}
	switch (msg.op) {
	case STRESS_DEFER:
		if (in_serving_softirq()) {
			atomic64_inc(&p->c.deferred);
			VmbChannelPacketDeferToPassive(Packet);
			return;
		}
		break;
	case STRESS_EXT:
		if (!(Flags & VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA)) {
			stress_fail(p, "external data flag missing");
			break;
		}
		st = VmbChannelPacketGetExternalData(Packet, 0, &mdl);
		if (st == STATUS_PENDING)
			return;	/* called again in process context */
		if (!NT_SUCCESS(st) || !stress_ext_good(p, mdl))
			stress_fail(p, "external data differs from what was sent");
		else
			atomic64_inc(&p->c.ext_ok);
		break;
	case STRESS_FAIL:
		atomic64_inc(&p->c.failed);
		atomic_set(&p->queue_failed, 1);
		VmbChannelPacketFail(Packet);
		queue_work(system_unbound_wq, &p->recover);
		return;
	default:
		break;
	}
	VmbChannelPacketComplete(Packet, &msg, sizeof(msg));
}

static VOID stress_cli_packet(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet,
			      PVOID Buffer, UINT32 BufferLength, UINT32 Flags)
{
	VmbChannelPacketComplete(Packet, NULL, 0);
}

static VOID stress_started(VMBCHANNEL Channel)
{
	struct stress_pair *p = VmbChannelGetPointer(Channel);

	complete(&p->started);
}

/* Runs once per accepted packet; a second run for one packet is a bug. */
static VOID stress_done(VMBPACKET Packet, NTSTATUS Status, PVOID Buffer,
			UINT32 BufferLength)
{
	struct stress_pair *p = VmbPacketGetPointer(Packet);
	struct stress_ctx *ctx = VmbPacketGetInlinePacketContextPointer(Packet);
	bool client = VmbPacketGetChannel(Packet) == p->client;

	if (cmpxchg(&ctx->live, STRESS_MAGIC, 0) != STRESS_MAGIC) {
		atomic64_inc(&p->c.twice);
		stress_fail(p, "a packet completed twice");
	}
	if (!client)
		atomic64_inc(&p->c.sdone);
	else if (NT_SUCCESS(Status))
		atomic64_inc(&p->c.done_ok);
	else
		atomic64_inc(&p->c.done_err);
	VmbPacketFree(Packet);
}

static enum stress_op stress_pick_op(struct stress_pair *p, bool ext)
{
	u32 r = get_random_u32() % 1000;

	if (ext)
		return STRESS_EXT;
	if (r < stress_fail_permille)
		return STRESS_FAIL;
	return r < 250 ? STRESS_DEFER : STRESS_COMPLETE;
}

/**
 * stress_send_async() - send one packet that waits for its completion
 * @p: the pair.
 * @to_client: send from the server to the client (else client to server).
 * @ext: with the pair's external data (client only).
 *
 * Context: process or softirq context.
 * Return: 0 if the packet was accepted, else a negative errno.
 */
int stress_send_async(struct stress_pair *p, bool to_client, bool ext)
{
	VMBCHANNEL ch = to_client ? p->server : p->client;
	struct stress_ctx *ctx;
	VMBPACKET pkt;
	NTSTATUS st;

	ext = ext && !to_client;
	pkt = VmbPacketAllocate(ch);
	if (!pkt)
		return -EAGAIN;
	ctx = VmbPacketGetInlinePacketContextPointer(pkt);
	ctx->msg.op = to_client ? STRESS_COMPLETE : stress_pick_op(p, ext);
	ctx->msg.seq = atomic_inc_return(&p->seq);
	ctx->msg.magic = STRESS_MAGIC;
	ctx->live = STRESS_MAGIC;
	VmbPacketSetPointer(pkt, p);
	VmbPacketSetCompletionRoutine(pkt, stress_done);
	atomic64_inc(to_client ? &p->c.ssent : &p->c.sent);
	st = VmbPacketSend(pkt, &ctx->msg, sizeof(ctx->msg),
			   ext ? p->mdl : NULL,
			   VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION |
			   (ext ? VMBUS_CHANNEL_FORMAT_FLAG_DATA_OUT_ONLY : 0));
	if (!NT_SUCCESS(st)) {
		atomic64_dec(to_client ? &p->c.ssent : &p->c.sent);
		ctx->live = 0;
		VmbPacketFree(pkt);
		return -EIO;
	}
	return 0;
}

/**
 * stress_send_sync() - one VmbChannelSendSynchronousRequest() on the client
 * @p: the pair.
 * @wait: wait up to 100 ms for the server's completion; else send now or
 *	never (the only form allowed in softirq context).
 * @ext: with the pair's external data.
 *
 * Context: process context; softirq context with @wait false.
 */
void stress_send_sync(struct stress_pair *p, bool wait, bool ext)
{
	LARGE_INTEGER tmo = { .QuadPart = wait ? -100LL * 10000 : 0 };
	struct stress_msg msg = {
		.op = ext ? STRESS_EXT : STRESS_COMPLETE,
		.seq = atomic_inc_return(&p->seq),
		.magic = STRESS_MAGIC,
	};
	struct stress_msg reply;
	UINT32 rlen = sizeof(reply);
	UINT32 flags = 0;
	NTSTATUS st;

	if (wait && get_random_u32() % 4 == 0)
		msg.op = STRESS_DEFER;
	if (wait)
		flags |= VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;
	if (ext)
		flags |= VMBUS_CHANNEL_FORMAT_FLAG_DATA_OUT_ONLY;
	st = VmbChannelSendSynchronousRequest(p->client, &msg, sizeof(msg),
					      ext ? p->mdl : NULL, flags,
					      wait ? &reply : NULL,
					      wait ? &rlen : NULL, &tmo);
	if (!wait) {
		atomic64_inc(NT_SUCCESS(st) ? &p->c.sync_now : &p->c.sync_other);
		return;
	}
	if (st == STATUS_SUCCESS) {
		if (rlen != sizeof(reply) || reply.seq != msg.seq ||
		    reply.magic != STRESS_MAGIC)
			stress_fail(p, "synchronous reply is not the request's echo");
		atomic64_inc(&p->c.sync_ok);
	} else if (st == STATUS_CANCELLED) {
		atomic64_inc(&p->c.sync_cancel);
	} else if (st >= STATUS_INVALID_PARAMETER_1 &&
		   st <= STATUS_INVALID_PARAMETER_12) {
		stress_fail(p, "valid synchronous request refused as invalid");
	} else {
		atomic64_inc(&p->c.sync_other);
	}
}

/*
 * A request to a paused server cannot be answered: it must time out (and be
 * cancelled) after its 20 ms, whatever else is in flight.
 */
static void stress_sync_paused(struct stress_pair *p)
{
	LARGE_INTEGER tmo = { .QuadPart = -20LL * 10000 };
	struct stress_msg msg = {
		.op = STRESS_COMPLETE,
		.seq = atomic_inc_return(&p->seq),
		.magic = STRESS_MAGIC,
	};
	NTSTATUS st;

	st = VmbChannelSendSynchronousRequest(p->client, &msg, sizeof(msg), NULL,
					      VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
					      NULL, NULL, &tmo);
	if (st == STATUS_CANCELLED)
		atomic64_inc(&p->c.sync_cancel);
	else if (NT_SUCCESS(st))
		stress_fail(p, "a paused server answered a request");
	else
		atomic64_inc(&p->c.sync_other);
}

/**
 * stress_pause_start() - pause one end of the pair for a moment
 * @p: the pair.
 *
 * Context: process context.
 */
void stress_pause_start(struct stress_pair *p)
{
	VMBCHANNEL ch = get_random_u32() & 1 ? p->server : p->client;

	mutex_lock(&p->lock);
	VmbChannelPause(ch);
	if (ch == p->server)
		stress_sync_paused(p);
	else
		usleep_range(50, 500);
	VmbChannelStart(ch);
	atomic64_inc(&p->c.pauses);
	mutex_unlock(&p->lock);
}

/* With p->lock held: close the client and open it again. */
static void stress_reopen_locked(struct stress_pair *p)
{
	NTSTATUS st;

	if (READ_ONCE(p->closing))
		return;
	VmbChannelDisable(p->client);
	atomic_set(&p->queue_failed, 0);
	reinit_completion(&p->started);
	st = VmbChannelEnable(p->client);
	if (!NT_SUCCESS(st)) {
		stress_fail(p, "client could not be enabled again");
		return;
	}
	if (!wait_for_completion_timeout(&p->started, 30 * HZ))
		stress_fail(p, "client did not open again within 30 s");
	atomic64_inc(&p->c.reopens);
}

/**
 * stress_reopen() - VmbChannelDisable() then VmbChannelEnable() the client,
 *   with its packets in flight
 * @p: the pair.
 *
 * Context: process context.
 */
void stress_reopen(struct stress_pair *p)
{
	mutex_lock(&p->lock);
	stress_reopen_locked(p);
	mutex_unlock(&p->lock);
}

/*
 * The server failed a packet: its queue stays stopped until the client
 * closes. Until then every client request with external data that timed
 * out keeps waiting (the server might still use the memory, so KMCL
 * returns only once the channel closes), and so would every thread that
 * sent one. The reopen must therefore not wait for a thread to pick this
 * pair: when all of them wait in such requests (or the others were
 * stopped already, as at unload), nobody would, and kthread_stop() would
 * wait for ever.
 */
static void stress_recover(struct work_struct *work)
{
	struct stress_pair *p = container_of(work, struct stress_pair, recover);

	mutex_lock(&p->lock);
	if (atomic_read(&p->queue_failed))
		stress_reopen_locked(p);
	mutex_unlock(&p->lock);
}

/**
 * stress_gpadl_cycle() - create a GPADL, map it on the server, check its
 *   bytes, unmap and delete it
 * @p: the pair.
 *
 * Context: process context.
 */
void stress_gpadl_cycle(struct stress_pair *p)
{
	u8 stamp = get_random_u32();
	UINT32 handle;
	NTSTATUS st;
	PMDL mdl;
	u8 *va;

	mutex_lock(&p->lock);
	memset(p->gbuf, stamp, STRESS_GPADL_BYTES);
	st = VmbChannelCreateGpadlFromBuffer(p->client, 0, p->gbuf,
					     STRESS_GPADL_BYTES, &handle);
	if (!NT_SUCCESS(st)) {
		stress_fail(p, "GPADL creation failed on an open channel");
		goto out;
	}
	atomic64_inc(&p->c.gpadl_made);
	st = VmbChannelMapGpadl(p->server, 0, handle, &mdl);
	if (NT_SUCCESS(st)) {
		atomic64_inc(&p->c.gpadl_mapped);
		va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority |
						  MdlMappingNoExecute);
		if (!va || va[0] != stamp ||
		    va[STRESS_GPADL_BYTES - 1] != stamp)
			stress_fail(p, "mapped GPADL does not hold the client's bytes");
		VmbChannelUnmapGpadl(p->server, handle);
		atomic64_inc(&p->c.gpadl_unmapped);
	} else {
		stress_fail(p, "server could not map the client's GPADL");
	}
	VmbChannelDeleteGpadl(p->client, handle);
	atomic64_inc(&p->c.gpadl_deleted);
out:
	mutex_unlock(&p->lock);
}

static NTSTATUS stress_config(struct stress_pair *p, VMBCHANNEL ch)
{
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS cb;
	bool client = ch == p->client;
	NTSTATUS st;

	VmbChannelSetPointer(ch, p);
	st = VmbChannelInitSetInlinePacketContextSize(ch, sizeof(struct stress_ctx));
	if (NT_SUCCESS(st))
		st = VmbChannelInitSetMaximumExternalData(ch, STRESS_EXT_BYTES, 1);
	if (!NT_SUCCESS(st))
		return st;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&cb);
	if (client)
		cb.EvtChannelPostStarted = stress_started;
	st = VmbChannelInitSetStateChangeCallbacks(ch, &cb);
	if (!NT_SUCCESS(st))
		return st;
	return VmbChannelInitSetProcessPacketCallbacks(ch, client ?
						       stress_cli_packet :
						       stress_srv_packet, NULL);
}

/**
 * stress_pair_open() - open pair @idx and wait until its client is started
 * @p: zeroed pair.
 * @idx: its number (its instance GUID).
 * @passive: the server takes its packets at PASSIVE.
 *
 * Context: process context.
 * Return: 0 or a negative errno (the pair is then closed again).
 */
int stress_pair_open(struct stress_pair *p, int idx, bool passive)
{
	GUID type = stress_guid(idx, false), inst = stress_guid(idx, true);
	NTSTATUS st;
	u32 i;

	p->idx = idx;
	p->passive = passive;
	mutex_init(&p->lock);
	init_completion(&p->started);
	INIT_WORK(&p->recover, stress_recover);
	p->ext = vmalloc(STRESS_EXT_BYTES);
	p->gbuf = vmalloc(STRESS_GPADL_BYTES);
	if (!p->ext || !p->gbuf)
		goto fail;
	for (i = 0; i < STRESS_EXT_BYTES; i++)
		((u8 *)p->ext)[i] = stress_ext_byte(p, i);
	p->mdl = IoAllocateMdl(p->ext, STRESS_EXT_BYTES, FALSE, FALSE, NULL);
	if (!p->mdl)
		goto fail;
	MmBuildMdlForNonPagedPool(p->mdl);

	st = VmbChannelAllocate(kmcl_loopback_parent(), TRUE, &p->server);
	if (!NT_SUCCESS(st))
		goto fail;
	st = stress_config(p, p->server);
	if (NT_SUCCESS(st))
		st = VmbServerChannelInitSetTargetInterfaceId(p->server, type, inst);
	if (!NT_SUCCESS(st))
		goto fail;
	if (passive)
		VmbChannelSetIncomingProcessingAtPassive(p->server, TRUE);
	st = VmbChannelEnable(p->server);
	if (!NT_SUCCESS(st))
		goto fail;
	VmbChannelStart(p->server);

	st = VmbChannelAllocate(kmcl_loopback_parent(), FALSE, &p->client);
	if (!NT_SUCCESS(st))
		goto fail;
	st = stress_config(p, p->client);
	if (NT_SUCCESS(st))
		st = VmbClientChannelInitSetTargetPnp(p->client, &type, &inst, NULL);
	if (NT_SUCCESS(st))
		st = VmbChannelEnable(p->client);
	if (!NT_SUCCESS(st))
		goto fail;
	if (!wait_for_completion_timeout(&p->started, 30 * HZ))
		goto fail;
	return 0;
fail:
	pr_err("kmcl_stress: cannot open pair %d\n", idx);
	stress_pair_close(p);
	return -EIO;
}

/**
 * stress_pair_close() - disable and free both channels of @p
 * @p: the pair (opened or half opened).
 *
 * Context: process context; the stress threads are stopped already.
 */
void stress_pair_close(struct stress_pair *p)
{
	mutex_lock(&p->lock);
	WRITE_ONCE(p->closing, true);
	if (p->client)
		VmbChannelDisable(p->client);
	mutex_unlock(&p->lock);
	/* No server callback after this: nothing queues the reopen again. */
	if (p->server)
		VmbChannelDisable(p->server);
	cancel_work_sync(&p->recover);
	if (p->client) {
		VmbChannelCleanup(p->client);
		p->client = NULL;
	}
	if (p->server) {
		VmbChannelCleanup(p->server);
		p->server = NULL;
	}
	if (p->mdl)
		IoFreeMdl(p->mdl);
	p->mdl = NULL;
	vfree(p->ext);
	vfree(p->gbuf);
	p->ext = NULL;
	p->gbuf = NULL;
}
