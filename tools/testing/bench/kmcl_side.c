// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KMCL side of the benchmark: a server and a client channel on the
 * in-kernel loopback VMBus, used the way a ported driver uses them. The
 * client sends lookaside packets (VmbPacketAllocate, VmbPacketSend with
 * WAIT_FOR_COMPLETION, a completion routine that frees the packet) or
 * synchronous requests; the server completes each packet in its
 * ProcessPacket callback, at DISPATCH (the default), after copying the
 * external data, if any, out of the MDLs KMCL hands it.
 */
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <vmbuskernelmodeclientlibapi.h>
#include <kmcl/loopback.h>

#include "bench.h"

struct kmcl_pair {
	struct bench_pair b;
	VMBCHANNEL server;
	VMBCHANNEL client;
	struct completion started;
	PMDL mdl;
};

/* Interface type of every benchmark offer; the instance names the pair. */
static GUID kmcl_bench_guid(int idx, bool instance)
{
	GUID g = {
		.Data1 = 0x6b6d636c, .Data2 = 0x6265, .Data3 = 0x6e63,
		.Data4 = { 0x8a, 0x11, 0, 0, 0, 0, 0, 0 },
	};

	if (instance) {
		g.Data4[2] = 1;
		g.Data4[4] = idx >> 24;
		g.Data4[5] = idx >> 16;
		g.Data4[6] = idx >> 8;
		g.Data4[7] = idx;
	}
	return g;
}

static VOID kmcl_bench_srv_packet(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet,
				  PVOID Buffer, UINT32 BufferLength, UINT32 Flags)
{
	struct kmcl_pair *kp = VmbChannelGetPointer(Channel);
	NTSTATUS status = STATUS_SUCCESS;
	u32 done = 0, n;
	PMDL mdl;
	void *va;

	if (Flags & VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA) {
		/*
		 * Not READ_ONLY: a read-only mapping needs a vmap() in
		 * process context, a deferral for every packet.
		 */
		status = VmbChannelPacketGetExternalData(Packet, 0, &mdl);
		if (status == STATUS_PENDING)
			return;	/* called again where the data can be mapped */
		for (; NT_SUCCESS(status) && mdl; mdl = mdl->Next) {
			n = MmGetMdlByteCount(mdl);
			va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority |
							  MdlMappingNoExecute);
			if (!va || n > BENCH_EXT_BYTES - done) {
				status = STATUS_UNSUCCESSFUL;
				break;
			}
			memcpy((u8 *)kp->b.sink + done, va, n);
			done += n;
		}
		if (NT_SUCCESS(status) && done != BENCH_EXT_BYTES)
			status = STATUS_UNSUCCESSFUL;
	}
	if (!NT_SUCCESS(status))
		atomic_inc(&kp->b.errors);
	VmbChannelPacketComplete(Packet, NULL, 0);
}

static VOID kmcl_bench_cli_packet(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet,
				  PVOID Buffer, UINT32 BufferLength, UINT32 Flags)
{
	VmbChannelPacketComplete(Packet, NULL, 0);
}

static VOID kmcl_bench_started(VMBCHANNEL Channel)
{
	struct kmcl_pair *kp = VmbChannelGetPointer(Channel);

	complete(&kp->started);
}

static VOID kmcl_bench_done(VMBPACKET Packet, NTSTATUS Status, PVOID Buffer,
			    UINT32 BufferLength)
{
	struct kmcl_pair *kp = VmbPacketGetPointer(Packet);

	VmbPacketFree(Packet);
	bench_done(&kp->b, NT_SUCCESS(Status));
}

static NTSTATUS kmcl_bench_config(struct kmcl_pair *kp, VMBCHANNEL ch,
				  bool big)
{
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS cb;
	NTSTATUS st;

	VmbChannelSetPointer(ch, kp);
	if (big) {
		st = VmbChannelInitSetMaximumPacketSize(ch, BENCH_BIG_PAYLOAD + 64);
		if (!NT_SUCCESS(st))
			return st;
	}
	if (kp->b.kind != BENCH_INBAND) {
		st = VmbChannelInitSetMaximumExternalData(ch, BENCH_EXT_BYTES, 1);
		if (!NT_SUCCESS(st))
			return st;
	}
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&cb);
	if (ch == kp->client)
		cb.EvtChannelPostStarted = kmcl_bench_started;
	st = VmbChannelInitSetStateChangeCallbacks(ch, &cb);
	if (!NT_SUCCESS(st))
		return st;
	return VmbChannelInitSetProcessPacketCallbacks(ch, ch == kp->client ?
						       kmcl_bench_cli_packet :
						       kmcl_bench_srv_packet,
						       NULL);
}

static void kmcl_bench_teardown(struct kmcl_pair *kp)
{
	if (kp->client) {
		VmbChannelDisable(kp->client);
		VmbChannelCleanup(kp->client);
	}
	if (kp->server) {
		VmbChannelDisable(kp->server);
		VmbChannelCleanup(kp->server);
	}
	if (kp->mdl)
		IoFreeMdl(kp->mdl);
	bench_pair_fini(&kp->b);
	kfree(kp);
}

static struct bench_pair *kmcl_open(int idx, enum bench_kind kind, bool big)
{
	struct kmcl_pair *kp = kzalloc(sizeof(*kp), GFP_KERNEL);
	NTSTATUS st;

	if (!kp)
		return NULL;
	init_completion(&kp->started);
	if (bench_pair_init(&kp->b, &bench_kmcl_ops, kind)) {
		kfree(kp);
		return NULL;
	}
	if (kp->b.ext) {
		kp->mdl = IoAllocateMdl(kp->b.ext, BENCH_EXT_BYTES, FALSE, FALSE,
					NULL);
		if (!kp->mdl)
			goto fail;
		MmBuildMdlForNonPagedPool(kp->mdl);
	}
	st = VmbChannelAllocate(kmcl_loopback_parent(), TRUE, &kp->server);
	if (!NT_SUCCESS(st))
		goto fail;
	st = kmcl_bench_config(kp, kp->server, big);
	if (NT_SUCCESS(st))
		st = VmbServerChannelInitSetTargetInterfaceId(kp->server,
							      kmcl_bench_guid(idx, false),
							      kmcl_bench_guid(idx, true));
	if (NT_SUCCESS(st))
		st = VmbChannelEnable(kp->server);
	if (!NT_SUCCESS(st))
		goto fail;
	VmbChannelStart(kp->server);

	st = VmbChannelAllocate(kmcl_loopback_parent(), FALSE, &kp->client);
	if (!NT_SUCCESS(st))
		goto fail;
	st = kmcl_bench_config(kp, kp->client, big);
	if (NT_SUCCESS(st)) {
		GUID type = kmcl_bench_guid(idx, false);
		GUID inst = kmcl_bench_guid(idx, true);

		st = VmbClientChannelInitSetTargetPnp(kp->client, &type, &inst,
						      NULL);
	}
	if (NT_SUCCESS(st))
		st = VmbChannelEnable(kp->client);
	if (!NT_SUCCESS(st))
		goto fail;
	if (!wait_for_completion_timeout(&kp->started, 20 * HZ))
		goto fail;
	return &kp->b;
fail:
	pr_err("kmcl_bench: cannot open KMCL pair %d\n", idx);
	kmcl_bench_teardown(kp);
	return NULL;
}

static void kmcl_close(struct bench_pair *p)
{
	kmcl_bench_teardown(container_of(p, struct kmcl_pair, b));
}

static int kmcl_send(struct bench_pair *p, u32 len)
{
	struct kmcl_pair *kp = container_of(p, struct kmcl_pair, b);
	VMBPACKET pkt = VmbPacketAllocate(kp->client);
	NTSTATUS st;

	if (!pkt)
		return -EAGAIN;
	VmbPacketSetPointer(pkt, kp);
	VmbPacketSetCompletionRoutine(pkt, kmcl_bench_done);
	atomic_inc(&p->inflight);
	st = VmbPacketSend(pkt, p->payload, len, kp->mdl,
			   VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
	if (!NT_SUCCESS(st)) {
		atomic_dec(&p->inflight);
		VmbPacketFree(pkt);
		return -EIO;
	}
	return 0;
}

static int kmcl_sync(struct bench_pair *p, u32 len)
{
	struct kmcl_pair *kp = container_of(p, struct kmcl_pair, b);
	LARGE_INTEGER timeout = { .QuadPart = -20LL * 10000000 };
	NTSTATUS st;

	st = VmbChannelSendSynchronousRequest(kp->client, p->payload, len, NULL,
					      VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
					      NULL, NULL, &timeout);
	return NT_SUCCESS(st) ? 0 : -EIO;
}

const struct bench_ops bench_kmcl_ops = {
	.name = "kmcl",
	.open = kmcl_open,
	.close = kmcl_close,
	.send = kmcl_send,
	.sync = kmcl_sync,
};
