// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_echo_vsc - a sample VMBus service client (VSC) written against the
 * KMCL API the way a Windows VSC is, and the demo of KMCL for Linux.
 *
 * Loading it runs the whole life of a client channel against kmcl_echo_vsp
 * on the loopback VMBus, printing each step:
 *   1. KmclQueryInterface() for the KMCL_CLIENT_INTERFACE_V5 table, then
 *      VmbChannelAllocate() and the Init setters, binding to the VSP by
 *      interface type and instance (VmbClientChannelInitSetTargetPnp()).
 *   2. VmbChannelEnable(); EvtChannelOpened; EvtChannelPostStarted
 *      negotiates the protocol version with VmbChannelSendSynchronousRequest().
 *   3. In-band packets (VmbPacketAllocate/VmbPacketSend with
 *      WAIT_FOR_COMPLETION); each completion must echo the bytes sent, with
 *      their checksum.
 *   4. A 3-page buffer shared with VmbChannelCreateGpadlFromBuffer(); the
 *      VSP maps it, checksums it and writes a stamp into it, the client
 *      checks both; VmbChannelDeleteGpadl().
 *   5. VmbChannelDisable() (EvtChannelSuspend, EvtChannelClosed) and
 *      VmbChannelCleanup().
 * The last line is "kmcl demo: PASS", or "kmcl demo: FAIL (<reason>)" with
 * the first check that failed; a failed demo also fails the load (-EIO).
 * Everything is released before the load returns, so unloading has nothing
 * left to do.
 */
#define pr_fmt(fmt) "kmcl demo: " fmt
#define INITGUID

#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <vmbuskernelmodeclientlibapi.h>
#include <kmcl/loopback.h>

#include "echo_protocol.h"

#define VscLog(fmt, ...) pr_info("vsc: " fmt, ##__VA_ARGS__)

/* How long any one step may take (generous: the demo may run under TCG). */
#define ECHO_VSC_WAIT_MS	20000
/* The same, in 100 ns units and negative (relative), for KMCL timeouts. */
#define ECHO_VSC_TIMEOUT_100NS	(-(LONGLONG)ECHO_VSC_WAIT_MS * 10000)
/* Size of the buffer shared through a GPADL. */
#define ECHO_VSC_GPADL_BYTES	(3 * 4096)

static const char *const EchoPayloads[] = {
	"ping",
	"hello from a Linux VSC",
	"KMCL packets over the in-kernel loopback VMBus, in band",
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:)",
};

/* One in-band echo transaction; the message must live until it completes. */
typedef struct _ECHO_VSC_REQUEST {
	struct _ECHO_VSC_CONTEXT *Vsc;
	ECHO_ECHO_REQUEST Message;
	UINT32 MessageLength;
	struct completion Done;
	NTSTATUS Status;
	ECHO_ECHO_RESPONSE Response;
	UINT32 ResponseLength;
} ECHO_VSC_REQUEST, *PECHO_VSC_REQUEST;

/* What a Windows VSC keeps in its device context. */
typedef struct _ECHO_VSC_CONTEXT {
	KMCL_CLIENT_INTERFACE_V5 Kmcl;
	BOOLEAN HaveInterface;
	VMBCHANNEL Channel;
	struct completion Ready;
	BOOLEAN Opened;
	BOOLEAN Suspended;
	BOOLEAN Closed;
	NTSTATUS PnpFailure;
	NTSTATUS VersionStatus;
	ECHO_VERSION_RESPONSE VersionResponse;
	UINT32 VersionResponseLength;
	ECHO_VSC_REQUEST Echo[ARRAY_SIZE(EchoPayloads)];
	char Failure[128];
} ECHO_VSC_CONTEXT, *PECHO_VSC_CONTEXT;

/* Record the first failed check; the demo goes on to clean up. */
static __printf(2, 3) VOID EchoVscFail(PECHO_VSC_CONTEXT Vsc, const char *fmt, ...)
{
	va_list args;

	if (Vsc->Failure[0])
		return;
	va_start(args, fmt);
	vsnprintf(Vsc->Failure, sizeof(Vsc->Failure), fmt, args);
	va_end(args);
	VscLog("check failed: %s\n", Vsc->Failure);
}

static NTSTATUS EchoVscChannelOpened(VMBCHANNEL Channel)
{
	PECHO_VSC_CONTEXT Vsc = VmbChannelGetPointer(Channel);

	Vsc->Opened = TRUE;
	VscLog("EvtChannelOpened: the VSP accepted the channel\n");
	return STATUS_SUCCESS;
}

/*
 * EvtChannelPostStarted: packets flow both ways now; the place where a VSC
 * negotiates its protocol version with a synchronous request.
 */
static VOID EchoVscChannelPostStarted(VMBCHANNEL Channel)
{
	PECHO_VSC_CONTEXT Vsc = VmbChannelGetPointer(Channel);
	ECHO_VERSION_REQUEST Request = {
		.Header.Type = EchoMessageVersion,
		.Version = ECHO_VERSION_1_0,
	};
	LARGE_INTEGER Timeout = { .QuadPart = ECHO_VSC_TIMEOUT_100NS };

	Vsc->VersionResponseLength = sizeof(Vsc->VersionResponse);
	Vsc->VersionStatus =
		Vsc->Kmcl.VmbChannelSendSynchronousRequest(Channel, &Request, sizeof(Request),
							   NULL,
							   VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
							   &Vsc->VersionResponse,
							   &Vsc->VersionResponseLength,
							   &Timeout);
	VscLog("EvtChannelPostStarted: version request %#010x sent synchronously: status %#010x, %u bytes back, VSP says %#010x (status %#010x)\n",
	       Request.Version, (u32)Vsc->VersionStatus, Vsc->VersionResponseLength,
	       Vsc->VersionResponse.Version, (u32)Vsc->VersionResponse.Header.Status);
	complete(&Vsc->Ready);
}

static VOID EchoVscChannelSuspend(VMBCHANNEL Channel)
{
	PECHO_VSC_CONTEXT Vsc = VmbChannelGetPointer(Channel);

	Vsc->Suspended = TRUE;
	VscLog("EvtChannelSuspend: incoming packets stopped\n");
}

static VOID EchoVscChannelClosed(VMBCHANNEL Channel)
{
	PECHO_VSC_CONTEXT Vsc = VmbChannelGetPointer(Channel);

	Vsc->Closed = TRUE;
	VscLog("EvtChannelClosed\n");
}

static VOID EchoVscPnpFailure(VMBCHANNEL Channel, NTSTATUS FailureStatus)
{
	PECHO_VSC_CONTEXT Vsc = VmbChannelGetPointer(Channel);

	Vsc->PnpFailure = FailureStatus;
	VscLog("EvtChannelPnpFailure: %#010x\n", (u32)FailureStatus);
	complete(&Vsc->Ready);
}

/* The VSP never sends requests of its own: complete anything that comes. */
static VOID EchoVscProcessPacket(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet, PVOID Buffer,
				 UINT32 BufferLength, UINT32 Flags)
{
	PECHO_VSC_CONTEXT Vsc = VmbChannelGetPointer(Channel);

	VscLog("unexpected packet of %u bytes from the VSP\n", BufferLength);
	Vsc->Kmcl.VmbChannelPacketComplete(Packet, NULL, 0);
}

/*
 * Completion routine of an echo packet: the VSP's completion arrived (or the
 * channel closed). Any context up to softirq: copy, free, wake the sender.
 */
static VOID EchoVscEchoCompletion(VMBPACKET Packet, NTSTATUS Status, PVOID Buffer,
				  UINT32 BufferLength)
{
	PECHO_VSC_REQUEST Request = VmbPacketGetPointer(Packet);

	Request->Status = Status;
	Request->ResponseLength = BufferLength;
	if (Buffer)
		RtlCopyMemory(&Request->Response, Buffer,
			      min_t(UINT32, BufferLength, sizeof(Request->Response)));
	/* The completion routine was replaced, so the packet is ours to free. */
	Request->Vsc->Kmcl.VmbPacketFree(Packet);
	complete(&Request->Done);
}

static VOID EchoVscSendEchoes(PECHO_VSC_CONTEXT Vsc)
{
	PECHO_VSC_REQUEST Request;
	VMBPACKET Packet;
	NTSTATUS Status;
	UINT32 Length, i, Sent = 0;

	/* All in flight at once, then collected in order. */
	for (i = 0; i < ARRAY_SIZE(EchoPayloads); i++) {
		Request = &Vsc->Echo[i];
		Request->Vsc = Vsc;
		Length = strlen(EchoPayloads[i]);
		Request->Message.Header.Type = EchoMessageEcho;
		Request->Message.Length = Length;
		RtlCopyMemory(Request->Message.Data, EchoPayloads[i], Length);
		Request->MessageLength = offsetof(ECHO_ECHO_REQUEST, Data) + Length;
		init_completion(&Request->Done);

		Packet = Vsc->Kmcl.VmbPacketAllocate(Vsc->Channel);
		if (!Packet) {
			EchoVscFail(Vsc, "VmbPacketAllocate returned NULL");
			break;
		}
		Vsc->Kmcl.VmbPacketSetPointer(Packet, Request);
		Vsc->Kmcl.VmbPacketSetCompletionRoutine(Packet, EchoVscEchoCompletion);
		Status = Vsc->Kmcl.VmbPacketSend(Packet, &Request->Message, Request->MessageLength,
						 NULL,
						 VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
		VscLog("echo %u: VmbPacketSend(%u bytes: \"%.40s%s\") = %#010x\n", i + 1, Length,
		       EchoPayloads[i], Length > 40 ? "..." : "", (u32)Status);
		if (!NT_SUCCESS(Status)) {
			Vsc->Kmcl.VmbPacketFree(Packet);
			EchoVscFail(Vsc, "VmbPacketSend of echo %u returned %#010x", i + 1,
				    (u32)Status);
			break;
		}
		Sent++;
	}

	for (i = 0; i < Sent; i++) {
		PECHO_ECHO_RESPONSE Response;
		UINT32 Expected;

		Request = &Vsc->Echo[i];
		Response = &Request->Response;
		Length = Request->Message.Length;
		if (!wait_for_completion_timeout(&Request->Done,
						 msecs_to_jiffies(ECHO_VSC_WAIT_MS))) {
			/* Still in flight: VmbChannelDisable() will cancel it. */
			EchoVscFail(Vsc, "echo %u: no completion within %u ms", i + 1,
				    ECHO_VSC_WAIT_MS);
			continue;
		}
		Expected = EchoChecksum(Request->Message.Data, Length);
		VscLog("echo %u: completion %#010x, %u bytes back: status %#010x, \"%.40s%s\" (%u bytes), checksum %#010x (expected %#010x)\n",
		       i + 1, (u32)Request->Status, Request->ResponseLength,
		       (u32)Response->Header.Status, Response->Data,
		       Response->Length > 40 ? "..." : "",
		       min_t(UINT32, Response->Length, ECHO_MAX_DATA), Response->Checksum,
		       Expected);
		if (Request->Status != STATUS_SUCCESS)
			EchoVscFail(Vsc, "echo %u completed with %#010x", i + 1,
				    (u32)Request->Status);
		else if (Request->ResponseLength < offsetof(ECHO_ECHO_RESPONSE, Data) + Length)
			EchoVscFail(Vsc, "echo %u: completion of %u bytes is too short", i + 1,
				    Request->ResponseLength);
		else if (Response->Header.Type != EchoMessageEcho ||
			 Response->Header.Status != STATUS_SUCCESS)
			EchoVscFail(Vsc, "echo %u: VSP answered type %u status %#010x", i + 1,
				    Response->Header.Type, (u32)Response->Header.Status);
		else if (Response->Length != Length ||
			 !RtlEqualMemory(Response->Data, Request->Message.Data, Length))
			EchoVscFail(Vsc, "echo %u: the bytes that came back differ", i + 1);
		else if (Response->Checksum != Expected)
			EchoVscFail(Vsc, "echo %u: checksum %#010x, expected %#010x", i + 1,
				    Response->Checksum, Expected);
	}
}

static VOID EchoVscShareGpadl(PECHO_VSC_CONTEXT Vsc)
{
	LARGE_INTEGER Timeout = { .QuadPart = ECHO_VSC_TIMEOUT_100NS };
	ECHO_GPADL_REQUEST Request = { .Header.Type = EchoMessageChecksumGpadl };
	ECHO_GPADL_RESPONSE Response = {};
	UINT32 ResponseLength = sizeof(Response);
	UINT32 Handle = 0, Expected, i;
	PUCHAR Buffer;
	NTSTATUS Status;

	/* Virtually contiguous, physically scattered: a real GPADL's case. */
	Buffer = vmalloc(ECHO_VSC_GPADL_BYTES);
	if (!Buffer) {
		EchoVscFail(Vsc, "no memory for the shared buffer");
		return;
	}
	for (i = 0; i < ECHO_VSC_GPADL_BYTES; i++)
		Buffer[i] = (UCHAR)(i * 7 + (i >> 9));
	Expected = EchoChecksum(Buffer, ECHO_VSC_GPADL_BYTES - ECHO_STAMP_SIZE);

	Status = Vsc->Kmcl.VmbChannelCreateGpadlFromBuffer(Vsc->Channel, 0, Buffer,
							   ECHO_VSC_GPADL_BYTES, &Handle);
	VscLog("VmbChannelCreateGpadlFromBuffer(%u bytes) = %#010x, GPADL %#x\n",
	       ECHO_VSC_GPADL_BYTES, (u32)Status, Handle);
	if (!NT_SUCCESS(Status)) {
		EchoVscFail(Vsc, "VmbChannelCreateGpadlFromBuffer returned %#010x", (u32)Status);
		goto Free;
	}

	Request.GpadlHandle = Handle;
	Request.ByteCount = ECHO_VSC_GPADL_BYTES;
	Status = Vsc->Kmcl.VmbChannelSendSynchronousRequest(Vsc->Channel, &Request,
							    sizeof(Request), NULL,
							    VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
							    &Response, &ResponseLength,
							    &Timeout);
	VscLog("checksum request for GPADL %#x: status %#010x, %u bytes back: status %#010x, %u bytes in %u pages, checksum %#010x (expected %#010x), stamp \"%.*s\"\n",
	       Handle, (u32)Status, ResponseLength, (u32)Response.Header.Status,
	       Response.ByteCount, Response.PageCount, Response.Checksum, Expected,
	       ECHO_STAMP_SIZE - 1, Buffer + ECHO_VSC_GPADL_BYTES - ECHO_STAMP_SIZE);
	if (Status != STATUS_SUCCESS)
		EchoVscFail(Vsc, "checksum request returned %#010x", (u32)Status);
	else if (ResponseLength < sizeof(Response))
		EchoVscFail(Vsc, "checksum completion of %u bytes is too short", ResponseLength);
	else if (Response.Header.Type != EchoMessageChecksumGpadl ||
		 Response.Header.Status != STATUS_SUCCESS)
		EchoVscFail(Vsc, "checksum: VSP answered type %u status %#010x",
			    Response.Header.Type, (u32)Response.Header.Status);
	else if (Response.ByteCount != ECHO_VSC_GPADL_BYTES ||
		 Response.PageCount != ECHO_VSC_GPADL_BYTES / 4096)
		EchoVscFail(Vsc, "checksum: VSP mapped %u bytes in %u pages", Response.ByteCount,
			    Response.PageCount);
	else if (Response.Checksum != Expected)
		EchoVscFail(Vsc, "GPADL checksum %#010x, expected %#010x", Response.Checksum,
			    Expected);
	else if (!RtlEqualMemory(Buffer + ECHO_VSC_GPADL_BYTES - ECHO_STAMP_SIZE, ECHO_STAMP,
				 ECHO_STAMP_SIZE))
		EchoVscFail(Vsc, "the VSP's stamp is not in the shared buffer");

	/* Waits until the VSP has unmapped it; then the memory is ours again. */
	Vsc->Kmcl.VmbChannelDeleteGpadl(Vsc->Channel, Handle);
	VscLog("VmbChannelDeleteGpadl(%#x) returned\n", Handle);
Free:
	vfree(Buffer);
}

static NTSTATUS EchoVscConfigure(PECHO_VSC_CONTEXT Vsc, VMBCHANNEL Channel)
{
	UNICODE_STRING Name = RTL_CONSTANT_STRING(L"echo-vsc");
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS Callbacks;
	NTSTATUS Status;

	Vsc->Kmcl.VmbChannelSetPointer(Channel, Vsc);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&Callbacks);
	Callbacks.EvtChannelOpened = EchoVscChannelOpened;
	Callbacks.EvtChannelPostStarted = EchoVscChannelPostStarted;
	Callbacks.EvtChannelSuspend = EchoVscChannelSuspend;
	Callbacks.EvtChannelClosed = EchoVscChannelClosed;
	Status = Vsc->Kmcl.VmbChannelInitSetStateChangeCallbacks(Channel, &Callbacks);
	if (!NT_SUCCESS(Status))
		return Status;
	Status = Vsc->Kmcl.VmbChannelInitSetProcessPacketCallbacks(Channel, EchoVscProcessPacket,
								   NULL);
	if (!NT_SUCCESS(Status))
		return Status;
	Status = Vsc->Kmcl.VmbChannelInitSetFriendlyName(Channel, &Name);
	if (!NT_SUCCESS(Status))
		return Status;
	Status = Vsc->Kmcl.VmbChannelInitSetMaximumPacketSize(Channel, sizeof(ECHO_ECHO_REQUEST));
	if (!NT_SUCCESS(Status))
		return Status;
	return Vsc->Kmcl.VmbClientChannelInitSetTargetPnp(Channel, &ECHO_INTERFACE_TYPE,
							  &ECHO_INTERFACE_INSTANCE,
							  EchoVscPnpFailure);
}

static VOID EchoVscRun(PECHO_VSC_CONTEXT Vsc)
{
	VMBCHANNEL Channel;
	NTSTATUS Status;

	Status = KmclQueryInterface(&KMCL_CLIENT_INTERFACE_TYPE, (PINTERFACE)&Vsc->Kmcl,
				    sizeof(Vsc->Kmcl), KMCL_CLIENT_INTERFACE_VERSION_V5, NULL);
	VscLog("KmclQueryInterface(client, V5) = %#010x, table of %u bytes\n", (u32)Status,
	       NT_SUCCESS(Status) ? Vsc->Kmcl.Size : 0);
	if (!NT_SUCCESS(Status)) {
		EchoVscFail(Vsc, "KmclQueryInterface returned %#010x", (u32)Status);
		return;
	}
	Vsc->HaveInterface = TRUE;

	Status = Vsc->Kmcl.VmbChannelAllocate(kmcl_loopback_parent(), FALSE, &Channel);
	VscLog("VmbChannelAllocate(client) = %#010x\n", (u32)Status);
	if (!NT_SUCCESS(Status)) {
		EchoVscFail(Vsc, "VmbChannelAllocate returned %#010x", (u32)Status);
		return;
	}
	Vsc->Channel = Channel;
	Status = EchoVscConfigure(Vsc, Channel);
	VscLog("Init setters (callbacks, name, packet size, target {%pUl} {%pUl}) = %#010x\n",
	       &ECHO_INTERFACE_TYPE, &ECHO_INTERFACE_INSTANCE, (u32)Status);
	if (!NT_SUCCESS(Status)) {
		EchoVscFail(Vsc, "configuring the channel returned %#010x", (u32)Status);
		return;
	}

	Status = Vsc->Kmcl.VmbChannelEnable(Channel);
	VscLog("VmbChannelEnable = %#010x\n", (u32)Status);
	if (!NT_SUCCESS(Status)) {
		EchoVscFail(Vsc, "VmbChannelEnable returned %#010x", (u32)Status);
		return;
	}
	if (!wait_for_completion_timeout(&Vsc->Ready, msecs_to_jiffies(ECHO_VSC_WAIT_MS))) {
		EchoVscFail(Vsc, "no echo VSP offer opened within %u ms (is kmcl_echo_vsp loaded?)",
			    ECHO_VSC_WAIT_MS);
		return;
	}
	if (Vsc->PnpFailure) {
		EchoVscFail(Vsc, "the VSP refused the channel: %#010x", (u32)Vsc->PnpFailure);
		return;
	}
	if (!Vsc->Opened) {
		EchoVscFail(Vsc, "EvtChannelPostStarted ran without EvtChannelOpened");
		return;
	}
	if (Vsc->VersionStatus != STATUS_SUCCESS) {
		EchoVscFail(Vsc, "version request returned %#010x", (u32)Vsc->VersionStatus);
		return;
	}
	if (Vsc->VersionResponseLength < sizeof(Vsc->VersionResponse) ||
	    Vsc->VersionResponse.Header.Type != EchoMessageVersion ||
	    Vsc->VersionResponse.Header.Status != STATUS_SUCCESS ||
	    Vsc->VersionResponse.Version != ECHO_VERSION_1_0) {
		EchoVscFail(Vsc, "version %#010x refused (%u bytes, status %#010x)",
			    ECHO_VERSION_1_0, Vsc->VersionResponseLength,
			    (u32)Vsc->VersionResponse.Header.Status);
		return;
	}

	EchoVscSendEchoes(Vsc);
	EchoVscShareGpadl(Vsc);
}

static VOID EchoVscCleanup(PECHO_VSC_CONTEXT Vsc)
{
	if (Vsc->Channel) {
		/* Returns after Suspend and Closed; cancels whatever is in flight. */
		Vsc->Kmcl.VmbChannelDisable(Vsc->Channel);
		VscLog("VmbChannelDisable returned: EvtChannelSuspend %s, EvtChannelClosed %s\n",
		       Vsc->Suspended ? "ran" : "did not run",
		       Vsc->Closed ? "ran" : "did not run");
		if (Vsc->Opened && (!Vsc->Suspended || !Vsc->Closed))
			EchoVscFail(Vsc, "VmbChannelDisable did not run Suspend and Closed");
		Vsc->Kmcl.VmbChannelCleanup(Vsc->Channel);
		Vsc->Channel = NULL;
		VscLog("VmbChannelCleanup done\n");
	}
	if (Vsc->HaveInterface) {
		Vsc->Kmcl.InterfaceDereference(Vsc->Kmcl.Context);
		Vsc->HaveInterface = FALSE;
	}
}

static int __init kmcl_echo_vsc_init(void)
{
	PECHO_VSC_CONTEXT Vsc;
	int ret = 0;

	Vsc = kzalloc(sizeof(*Vsc), GFP_KERNEL);
	if (!Vsc) {
		pr_info("FAIL (out of memory)\n");
		return -ENOMEM;
	}
	init_completion(&Vsc->Ready);
	EchoVscRun(Vsc);
	EchoVscCleanup(Vsc);
	if (Vsc->Failure[0]) {
		pr_info("FAIL (%s)\n", Vsc->Failure);
		ret = -EIO;
	} else {
		pr_info("PASS\n");
	}
	kfree(Vsc);
	return ret;
}

static void __exit kmcl_echo_vsc_exit(void)
{
}

module_init(kmcl_echo_vsc_init);
module_exit(kmcl_echo_vsc_exit);

MODULE_DESCRIPTION("KMCL sample: echo/checksum VSC, runs the demo when loaded");
MODULE_LICENSE("GPL");
KMCL_IMPORT_NS();
