// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_echo_vsp - a sample VMBus service provider (VSP) written against the
 * KMCL API the way a Windows VSP is: one server channel, reached through the
 * KMCL_SERVER_INTERFACE_V5 function table, offering ECHO_INTERFACE_TYPE on
 * the in-kernel loopback VMBus. It answers the three requests of
 * echo_protocol.h in the completions of the packets that carry them.
 *
 * Load it before kmcl_echo_vsc, which connects to it and runs the demo. It
 * keeps offering until it is unloaded; one client at a time.
 *
 * Multi-queue mode (protocol 1.1, see echo_protocol.h): a client asks on
 * the channel for up to "subchannels" subchannels; the VSP answers with
 * the count, then a work item offers subchannels 1..N of the channel
 * (VmbChannelInitSetPrimaryChannel). They answer echo requests at
 * DISPATCH level, follow the channel's pause and start, and KMCL closes
 * them before the channel when the client goes. The VSP cleans the closed
 * ones up before it offers the next client's, and before its channel.
 *
 * Servicing (service_after=N, default 2; 0 turns it off): the VSP holds the
 * first N echo requests without answering, then saves itself mid-traffic
 * (VmbChannelSaveBegin/Continue/End, its own per-packet state through
 * EvtChannelSavePacket), disables and cleans up its channel, restores a new
 * one from the saved bytes (VmbChannelRestoreFromBuffer, EvtChannel-
 * RestorePacket, VmbPacketRestore) and answers the held requests from the
 * new channel once it runs. The client sees nothing: no close, and every
 * echo answered once.
 */
#define pr_fmt(fmt) "kmcl demo: " fmt
#define INITGUID

#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <vmbuskernelmodeclientlibapi.h>
#include <kmcl/loopback.h>

#include "echo_protocol.h"

#define VspLog(fmt, ...) pr_info("vsp: " fmt, ##__VA_ARGS__)

static unsigned int service_after = 2;
module_param(service_after, uint, 0444);
MODULE_PARM_DESC(service_after,
		 "save and restore the VSP after holding this many echo requests (0: never)");

#define ECHO_VSP_MAX_HELD	4

/* An echo request the VSP holds across servicing. */
typedef struct _ECHO_VSP_HELD {
	PVOID Packet;	/* VMBPACKETCOMPLETION, or the restored VMBPACKET */
	UINT32 Length;
	ECHO_ECHO_REQUEST Request;
} ECHO_VSP_HELD, *PECHO_VSP_HELD;

static unsigned int subchannels = ECHO_MAX_SUBCHANNELS;
module_param(subchannels, uint, 0444);
MODULE_PARM_DESC(subchannels, "Most subchannels offered to a client that asks (default and most: 8)");

/* Subchannel @Index (1..) of the main channel. */
typedef struct _ECHO_VSP_SUBCHANNEL {
	struct _ECHO_VSP_CONTEXT *Vsp;
	VMBCHANNEL Channel;
	UINT32 Index;
	atomic_t Echoes;
} ECHO_VSP_SUBCHANNEL, *PECHO_VSP_SUBCHANNEL;

/* What a Windows VSP keeps in its device context. */
typedef struct _ECHO_VSP_CONTEXT {
	KMCL_SERVER_INTERFACE_V5 Kmcl;
	BOOLEAN HaveInterface;
	VMBCHANNEL Channel;
	/* Servicing (see the top of the file). */
	struct work_struct ServiceWork;
	BOOLEAN Serviced;
	UINT32 NumHeld;
	ECHO_VSP_HELD Held[ECHO_VSP_MAX_HELD];
	UINT32 NumRestored;
	ECHO_VSP_HELD Restored[ECHO_VSP_MAX_HELD];
	/* Multi-queue mode; Lock orders the two works' channel changes. */
	struct mutex Lock;
	struct work_struct SubchannelWork;
	BOOLEAN SubchannelsAsked;
	UINT32 SubchannelsToOffer;
	UINT32 NumSubchannels;
	ECHO_VSP_SUBCHANNEL Subchannel[ECHO_MAX_SUBCHANNELS];
} ECHO_VSP_CONTEXT, *PECHO_VSP_CONTEXT;

static ECHO_VSP_CONTEXT EchoVsp;

static BOOLEAN EchoVspHold(PECHO_VSP_CONTEXT Vsp, VMBPACKETCOMPLETION Packet,
			   PVOID Buffer, UINT32 BufferLength);
static NTSTATUS EchoVspSetSaveCallbacks(PECHO_VSP_CONTEXT Vsp, VMBCHANNEL Channel);
static VOID EchoVspAskSubchannels(PECHO_VSP_CONTEXT Vsp, const ECHO_SUBCHANNEL_REQUEST *Request,
				  PECHO_SUBCHANNEL_RESPONSE Response);

static NTSTATUS EchoVspChannelOpened(VMBCHANNEL Channel)
{
	PECHO_VSP_CONTEXT Vsp = VmbChannelGetPointer(Channel);

	/* A new client: it may ask for its own subchannels. */
	Vsp->SubchannelsAsked = FALSE;
	VspLog("EvtChannelOpened: a client opened the offer\n");
	return STATUS_SUCCESS;
}

static VOID EchoVspChannelClosed(VMBCHANNEL Channel)
{
	VspLog("EvtChannelClosed: the client closed the channel\n");
}

static VOID EchoVspVersion(PECHO_VSP_CONTEXT Vsp, const ECHO_VERSION_REQUEST *Request,
			   PECHO_VERSION_RESPONSE Response)
{
	UINT32 Version = Request->Version;

	/* The client's version, up to ours, if the major number matches. */
	Response->Version = min_t(UINT32, Version, ECHO_VERSION_1_1);
	if (ECHO_VERSION_MAJOR(Version) == ECHO_VERSION_MAJOR(ECHO_VERSION_1_1))
		Response->Header.Status = STATUS_SUCCESS;
	else
		Response->Header.Status = STATUS_REVISION_MISMATCH;
	VspLog("version request %#010x: answered %#010x, status %#010x\n",
	       Request->Version, Response->Version, (u32)Response->Header.Status);
}

/* Returns the number of bytes of @Response to send back; @Log: say so. */
static UINT32 EchoVspEcho(PECHO_VSP_CONTEXT Vsp, const ECHO_ECHO_REQUEST *Request,
			  UINT32 BufferLength, PECHO_ECHO_RESPONSE Response, BOOLEAN Log)
{
	UINT32 Length = Request->Length;

	if (Length > ECHO_MAX_DATA ||
	    BufferLength < offsetof(ECHO_ECHO_REQUEST, Data) + Length) {
		Response->Header.Status = STATUS_INVALID_PARAMETER;
		VspLog("echo request with a bad length %u (packet of %u bytes)\n",
		       Length, BufferLength);
		return sizeof(Response->Header);
	}
	Response->Header.Status = STATUS_SUCCESS;
	Response->Length = Length;
	Response->Checksum = EchoChecksum(Request->Data, Length);
	RtlCopyMemory(Response->Data, Request->Data, Length);
	if (Log)
		VspLog("echo request of %u bytes: checksum %#010x, echoing them\n",
		       Length, Response->Checksum);
	return offsetof(ECHO_ECHO_RESPONSE, Data) + Length;
}

/*
 * Map the client's GPADL, checksum it and stamp its tail. VmbChannelMapGpadl
 * needs process context: the channel delivers packets at PASSIVE_LEVEL (see
 * EchoVspInit()).
 */
static VOID EchoVspChecksumGpadl(PECHO_VSP_CONTEXT Vsp, const ECHO_GPADL_REQUEST *Request,
				 PECHO_GPADL_RESPONSE Response)
{
	UINT32 ByteCount = Request->ByteCount;
	PMDL Mdl = NULL;
	PUCHAR Va;
	NTSTATUS Status;

	Status = Vsp->Kmcl.VmbChannelMapGpadl(Vsp->Channel, 0, Request->GpadlHandle, &Mdl);
	if (!NT_SUCCESS(Status)) {
		VspLog("VmbChannelMapGpadl(%#x) failed: %#010x\n", Request->GpadlHandle,
		       (u32)Status);
		Response->Header.Status = Status;
		return;
	}
	if (ByteCount < ECHO_STAMP_SIZE || ByteCount > MmGetMdlByteCount(Mdl)) {
		VspLog("GPADL %#x: %u bytes asked for, %u mapped\n", Request->GpadlHandle,
		       ByteCount, MmGetMdlByteCount(Mdl));
		Status = STATUS_INVALID_PARAMETER;
		goto Unmap;
	}
	Va = MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority | MdlMappingNoExecute);
	if (!Va) {
		Status = STATUS_INSUFFICIENT_RESOURCES;
		goto Unmap;
	}
	Response->Checksum = EchoChecksum(Va, ByteCount - ECHO_STAMP_SIZE);
	RtlCopyMemory(Va + ByteCount - ECHO_STAMP_SIZE, ECHO_STAMP, ECHO_STAMP_SIZE);
	Response->ByteCount = ByteCount;
	Response->PageCount = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl),
							     MmGetMdlByteCount(Mdl));
	MmUnmapLockedPages(Va, Mdl);
	VspLog("GPADL %#x mapped: %u bytes in %u pages, checksum %#010x, stamp written\n",
	       Request->GpadlHandle, ByteCount, Response->PageCount, Response->Checksum);
	Status = STATUS_SUCCESS;
Unmap:
	Vsp->Kmcl.VmbChannelUnmapGpadl(Vsp->Channel, Request->GpadlHandle);
	Response->Header.Status = Status;
}

/*
 * EvtChannelProcessPacket. @Buffer is a private copy of what the client
 * sent, but its contents are the client's: check every length before use.
 */
static VOID EchoVspProcessPacket(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet, PVOID Buffer,
				 UINT32 BufferLength, UINT32 Flags)
{
	PECHO_VSP_CONTEXT Vsp = VmbChannelGetPointer(Channel);
	const ECHO_MESSAGE_HEADER *Header = Buffer;
	union {
		ECHO_RESPONSE_HEADER Header;
		ECHO_VERSION_RESPONSE Version;
		ECHO_ECHO_RESPONSE Echo;
		ECHO_GPADL_RESPONSE Gpadl;
		ECHO_SUBCHANNEL_RESPONSE Subchannels;
	} Response;
	UINT32 ResponseLength = sizeof(Response.Header);

	RtlZeroMemory(&Response, sizeof(Response));
	Response.Header.Status = STATUS_INVALID_PARAMETER;
	if (BufferLength < sizeof(*Header)) {
		VspLog("runt packet of %u bytes\n", BufferLength);
		goto Complete;
	}
	Response.Header.Type = Header->Type;
	switch (Header->Type) {
	case EchoMessageVersion:
		if (BufferLength < sizeof(ECHO_VERSION_REQUEST))
			break;
		EchoVspVersion(Vsp, Buffer, &Response.Version);
		ResponseLength = sizeof(Response.Version);
		break;
	case EchoMessageEcho:
		if (BufferLength < offsetof(ECHO_ECHO_REQUEST, Data))
			break;
		/* Servicing holds requests of the main channel only. */
		if (Channel == Vsp->Channel && EchoVspHold(Vsp, Packet, Buffer, BufferLength))
			return;
		ResponseLength = EchoVspEcho(Vsp, Buffer, BufferLength, &Response.Echo, TRUE);
		break;
	case EchoMessageChecksumGpadl:
		if (BufferLength < sizeof(ECHO_GPADL_REQUEST))
			break;
		EchoVspChecksumGpadl(Vsp, Buffer, &Response.Gpadl);
		ResponseLength = sizeof(Response.Gpadl);
		break;
	case EchoMessageSubchannels:
		if (BufferLength < sizeof(ECHO_SUBCHANNEL_REQUEST))
			break;
		EchoVspAskSubchannels(Vsp, Buffer, &Response.Subchannels);
		ResponseLength = sizeof(Response.Subchannels);
		break;
	default:
		VspLog("unknown request type %u\n", Header->Type);
		break;
	}
Complete:
	Vsp->Kmcl.VmbChannelPacketComplete(Packet, &Response, ResponseLength);
}

/* --- multi-queue mode: subchannels of the main channel ------------------- */

/* EvtChannelProcessPacket of a subchannel: echo requests, at DISPATCH level. */
static VOID EchoVspSubchannelPacket(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet,
				    PVOID Buffer, UINT32 BufferLength, UINT32 Flags)
{
	PECHO_VSP_SUBCHANNEL Sub = VmbChannelGetPointer(Channel);
	const ECHO_MESSAGE_HEADER *Header = Buffer;
	ECHO_ECHO_RESPONSE Response;
	UINT32 ResponseLength = sizeof(Response.Header);

	RtlZeroMemory(&Response, sizeof(Response));
	Response.Header.Status = STATUS_INVALID_PARAMETER;
	if (BufferLength >= offsetof(ECHO_ECHO_REQUEST, Data)) {
		Response.Header.Type = Header->Type;
		if (Response.Header.Type == EchoMessageEcho)
			ResponseLength = EchoVspEcho(Sub->Vsp, Buffer, BufferLength, &Response,
						     FALSE);
	}
	if (Response.Header.Status == STATUS_SUCCESS)
		atomic_inc(&Sub->Echoes);
	Sub->Vsp->Kmcl.VmbChannelPacketComplete(Packet, &Response, ResponseLength);
}

static VOID EchoVspSubchannelClosed(VMBCHANNEL Channel)
{
	PECHO_VSP_SUBCHANNEL Sub = VmbChannelGetPointer(Channel);

	VspLog("subchannel %u: EvtChannelClosed after %u echoes\n", Sub->Index,
	       atomic_read(&Sub->Echoes));
}

/*
 * The client asked for subchannels: answer how many, offer them from a
 * work item. Enabling a subchannel takes its primary's state lock, which
 * the primary's close holds while it waits for this very callback.
 */
static VOID EchoVspAskSubchannels(PECHO_VSP_CONTEXT Vsp, const ECHO_SUBCHANNEL_REQUEST *Request,
				  PECHO_SUBCHANNEL_RESPONSE Response)
{
	UINT32 Count = Request->Count;

	if (!Count || Count > ECHO_MAX_SUBCHANNELS) {
		Response->Header.Status = STATUS_INVALID_PARAMETER;
	} else if (Vsp->SubchannelsAsked) {
		Response->Header.Status = STATUS_INVALID_DEVICE_STATE;
	} else {
		Count = min_t(UINT32, Count, min_t(UINT32, subchannels, ECHO_MAX_SUBCHANNELS));
		Vsp->SubchannelsAsked = TRUE;
		WRITE_ONCE(Vsp->SubchannelsToOffer, Count);
		Response->Count = Count;
		Response->Header.Status = Count ? STATUS_SUCCESS : STATUS_NOT_SUPPORTED;
		if (Count)
			schedule_work(&Vsp->SubchannelWork);
	}
	VspLog("subchannel request for %u: answered %u, status %#010x\n", Request->Count,
	       Response->Count, (u32)Response->Header.Status);
}

/* Disable and clean up the subchannels; Lock held. */
static VOID EchoVspDropSubchannels(PECHO_VSP_CONTEXT Vsp)
{
	PECHO_VSP_SUBCHANNEL Sub;

	while (Vsp->NumSubchannels) {
		Sub = &Vsp->Subchannel[--Vsp->NumSubchannels];
		/* Closed with the main channel already, unless that is open. */
		Vsp->Kmcl.VmbChannelDisable(Sub->Channel);
		Vsp->Kmcl.VmbChannelCleanup(Sub->Channel);
		Sub->Channel = NULL;
	}
}

/* Subchannel @Index of @Primary, enabled: it offers and follows @Primary. */
static NTSTATUS EchoVspOfferSubchannel(PECHO_VSP_CONTEXT Vsp, VMBCHANNEL Primary,
				       PECHO_VSP_SUBCHANNEL Sub)
{
	PKMCL_SERVER_INTERFACE_V5 Kmcl = &Vsp->Kmcl;
	UNICODE_STRING Name = RTL_CONSTANT_STRING(L"echo-vsp-subchannel");
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS Callbacks;
	NTSTATUS Status;

	Status = Kmcl->VmbChannelAllocate(kmcl_loopback_parent(), TRUE, &Sub->Channel);
	if (!NT_SUCCESS(Status))
		return Status;
	Vsp->NumSubchannels++;
	Kmcl->VmbChannelSetPointer(Sub->Channel, Sub);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&Callbacks);
	Callbacks.EvtChannelClosed = EchoVspSubchannelClosed;
	Status = Kmcl->VmbChannelInitSetStateChangeCallbacks(Sub->Channel, &Callbacks);
	if (NT_SUCCESS(Status))
		Status = Kmcl->VmbChannelInitSetProcessPacketCallbacks(Sub->Channel,
								       EchoVspSubchannelPacket,
								       NULL);
	if (NT_SUCCESS(Status))
		Status = Kmcl->VmbChannelInitSetFriendlyName(Sub->Channel, &Name);
	if (NT_SUCCESS(Status))
		Status = Kmcl->VmbChannelInitSetPrimaryChannel(Sub->Channel, Primary,
							       (UINT16)Sub->Index);
	/* No Start: a subchannel runs when its primary does. */
	if (NT_SUCCESS(Status))
		Status = Kmcl->VmbChannelEnable(Sub->Channel);
	return Status;
}

static VOID EchoVspSubchannelWork(struct work_struct *Work)
{
	PECHO_VSP_CONTEXT Vsp = container_of(Work, ECHO_VSP_CONTEXT, SubchannelWork);
	UINT32 Count = READ_ONCE(Vsp->SubchannelsToOffer), i;
	PECHO_VSP_SUBCHANNEL Sub;
	NTSTATUS Status = STATUS_SUCCESS;

	mutex_lock(&Vsp->Lock);
	/* The last client's, closed with its channel. */
	EchoVspDropSubchannels(Vsp);
	for (i = 0; i < Count && Vsp->Channel; i++) {
		Sub = &Vsp->Subchannel[i];
		Sub->Vsp = Vsp;
		Sub->Index = i + 1;
		atomic_set(&Sub->Echoes, 0);
		Status = EchoVspOfferSubchannel(Vsp, Vsp->Channel, Sub);
		if (!NT_SUCCESS(Status)) {
			/* The client went away meanwhile: INVALID_DEVICE_STATE. */
			VspLog("offering subchannel %u failed: %#010x\n", Sub->Index, (u32)Status);
			break;
		}
	}
	if (NT_SUCCESS(Status))
		VspLog("offering subchannels 1..%u of the echo channel\n", Count);
	mutex_unlock(&Vsp->Lock);
}

/*
 * Callbacks, name and save/restore callbacks of the main channel, the same
 * for the first channel and the one servicing restores; @PostStarted as
 * the caller needs it (NULL: none).
 */
static NTSTATUS EchoVspConfigureMain(PECHO_VSP_CONTEXT Vsp, VMBCHANNEL Channel,
				     PFN_VMB_CHANNEL_POST_STARTED PostStarted)
{
	UNICODE_STRING Name = RTL_CONSTANT_STRING(L"echo-vsp");
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS Callbacks;
	NTSTATUS Status;

	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&Callbacks);
	Callbacks.EvtChannelOpened = EchoVspChannelOpened;
	Callbacks.EvtChannelClosed = EchoVspChannelClosed;
	Callbacks.EvtChannelPostStarted = PostStarted;
	Status = Vsp->Kmcl.VmbChannelInitSetStateChangeCallbacks(Channel, &Callbacks);
	if (NT_SUCCESS(Status))
		Status = Vsp->Kmcl.VmbChannelInitSetProcessPacketCallbacks(Channel,
									   EchoVspProcessPacket,
									   NULL);
	if (NT_SUCCESS(Status))
		Status = Vsp->Kmcl.VmbChannelInitSetFriendlyName(Channel, &Name);
	if (NT_SUCCESS(Status))
		Status = EchoVspSetSaveCallbacks(Vsp, Channel);
	return Status;
}

static NTSTATUS EchoVspInit(PECHO_VSP_CONTEXT Vsp)
{
	PKMCL_SERVER_INTERFACE_V5 Kmcl = &Vsp->Kmcl;
	VMBCHANNEL Channel;
	NTSTATUS Status;

	Status = KmclQueryInterface(&KMCL_SERVER_INTERFACE_TYPE, (PINTERFACE)(&Vsp->Kmcl),
				    sizeof(Vsp->Kmcl), KMCL_SERVER_INTERFACE_VERSION_V5, NULL);
	if (!NT_SUCCESS(Status)) {
		VspLog("KmclQueryInterface(server, V5) failed: %#010x\n", (u32)Status);
		return Status;
	}
	Vsp->HaveInterface = TRUE;

	Status = Vsp->Kmcl.VmbChannelAllocate(kmcl_loopback_parent(), TRUE, &Channel);
	if (!NT_SUCCESS(Status)) {
		VspLog("VmbChannelAllocate(server) failed: %#010x\n", (u32)Status);
		return Status;
	}
	Vsp->Channel = Channel;
	Vsp->Kmcl.VmbChannelSetPointer(Channel, Vsp);

	Status = EchoVspConfigureMain(Vsp, Channel, NULL);
	if (NT_SUCCESS(Status))
		Status = Kmcl->VmbServerChannelInitSetTargetInterfaceId(Channel,
									ECHO_INTERFACE_TYPE,
									ECHO_INTERFACE_INSTANCE);
	if (!NT_SUCCESS(Status)) {
		VspLog("configuring the channel failed: %#010x\n", (u32)Status);
		return Status;
	}
	/* Packets arrive in process context, where GPADLs can be mapped. */
	Vsp->Kmcl.VmbChannelSetIncomingProcessingAtPassive(Channel, TRUE);

	Status = Vsp->Kmcl.VmbChannelEnable(Channel);
	if (!NT_SUCCESS(Status)) {
		VspLog("VmbChannelEnable(server) failed: %#010x\n", (u32)Status);
		return Status;
	}
	Vsp->Kmcl.VmbChannelStart(Channel);
	VspLog("offering type {%pUl} instance {%pUl} on the loopback VMBus\n",
	       &ECHO_INTERFACE_TYPE, &ECHO_INTERFACE_INSTANCE);
	return STATUS_SUCCESS;
}

/* --- servicing: save and restore mid-traffic ------------------------------ */

/* Hold the first service_after echo requests; the last one starts servicing. */
static BOOLEAN EchoVspHold(PECHO_VSP_CONTEXT Vsp, VMBPACKETCOMPLETION Packet,
			   PVOID Buffer, UINT32 BufferLength)
{
	PECHO_VSP_HELD Held;

	if (!service_after || Vsp->Serviced || Vsp->NumHeld >= service_after ||
	    Vsp->NumHeld >= ECHO_VSP_MAX_HELD || BufferLength > sizeof(Held->Request))
		return FALSE;
	Held = &Vsp->Held[Vsp->NumHeld++];
	Held->Packet = Packet;
	Held->Length = BufferLength;
	RtlCopyMemory(&Held->Request, Buffer, BufferLength);
	VspLog("servicing: holding echo request %u of %u\n", Vsp->NumHeld, service_after);
	if (Vsp->NumHeld == min_t(UINT32, service_after, ECHO_VSP_MAX_HELD))
		schedule_work(&Vsp->ServiceWork);
	return TRUE;
}

/* EvtChannelSavePacket: our state of a held request is the request itself. */
static NTSTATUS EchoVspSavePacket(VMBCHANNEL Channel, VMBPACKET Packet, PVOID SaveBuf,
				  UINT32 SaveBufSize, PUINT32 BytesNeeded)
{
	PECHO_VSP_CONTEXT Vsp = VmbChannelGetPointer(Channel);
	UINT32 i;

	for (i = 0; i < Vsp->NumHeld; i++) {
		PECHO_VSP_HELD Held = &Vsp->Held[i];

		if (Held->Packet != (PVOID)Packet)
			continue;
		*BytesNeeded = Held->Length;
		if (SaveBufSize < Held->Length)
			return STATUS_BUFFER_TOO_SMALL;
		RtlCopyMemory(SaveBuf, &Held->Request, Held->Length);
		VspLog("servicing: EvtChannelSavePacket saved request %u (%u bytes)\n", i + 1,
		       Held->Length);
		return STATUS_SUCCESS;
	}
	return STATUS_INVALID_PARAMETER;
}

/* EvtChannelRestorePacket: a packet object takes the saved packet over. */
static NTSTATUS EchoVspRestorePacket(VMBCHANNEL Channel, PVOID LibBuf, UINT32 LibBufSize,
				     PVOID SaveBuf, UINT32 SaveBufSize)
{
	PECHO_VSP_CONTEXT Vsp = VmbChannelGetPointer(Channel);
	PECHO_VSP_HELD Held;
	VMBPACKET Packet;
	NTSTATUS Status;

	if (Vsp->NumRestored >= ECHO_VSP_MAX_HELD || SaveBufSize > sizeof(Held->Request))
		return STATUS_INVALID_PARAMETER;
	Packet = Vsp->Kmcl.VmbPacketAllocate(Channel);
	if (!Packet)
		return STATUS_INSUFFICIENT_RESOURCES;
	Status = Vsp->Kmcl.VmbPacketRestore(Packet, LibBuf, LibBufSize);
	if (!NT_SUCCESS(Status)) {
		Vsp->Kmcl.VmbPacketFree(Packet);
		return Status;
	}
	Held = &Vsp->Restored[Vsp->NumRestored++];
	Held->Packet = Packet;
	Held->Length = SaveBufSize;
	RtlCopyMemory(&Held->Request, SaveBuf, SaveBufSize);
	VspLog("servicing: EvtChannelRestorePacket restored request %u (%u bytes)\n",
	       Vsp->NumRestored, SaveBufSize);
	return STATUS_SUCCESS;
}

/* EvtChannelPostStarted: the restored channel runs; answer what it owes. */
static VOID EchoVspPostStarted(VMBCHANNEL Channel)
{
	PECHO_VSP_CONTEXT Vsp = VmbChannelGetPointer(Channel);
	ECHO_ECHO_RESPONSE Response;
	UINT32 i, Length;

	for (i = 0; i < Vsp->NumRestored; i++) {
		PECHO_VSP_HELD Held = &Vsp->Restored[i];

		RtlZeroMemory(&Response, sizeof(Response));
		Response.Header.Type = EchoMessageEcho;
		Length = EchoVspEcho(Vsp, &Held->Request, Held->Length, &Response, TRUE);
		Vsp->Kmcl.VmbChannelPacketComplete((VMBPACKETCOMPLETION)Held->Packet,
						   &Response, Length);
		VspLog("servicing: restored request %u answered by the new channel\n", i + 1);
	}
	Vsp->NumRestored = 0;
}

static NTSTATUS EchoVspSetSaveCallbacks(PECHO_VSP_CONTEXT Vsp, VMBCHANNEL Channel)
{
	return Vsp->Kmcl.VmbServerChannelInitSetSaveRestorePacketCallbacks(Channel,
									   EchoVspSavePacket,
									   EchoVspRestorePacket);
}

/* Save the channel into a buffer of whole chunks; returns its length or 0. */
static UINT32 EchoVspSave(PECHO_VSP_CONTEXT Vsp, PUCHAR Buffer, UINT32 Size)
{
	ULONG Filled, Required;
	UINT32 Total = 0;
	NTSTATUS Status;

	Status = Vsp->Kmcl.VmbChannelSaveBegin(Vsp->Channel);
	VspLog("servicing: VmbChannelSaveBegin = %#010x\n", (u32)Status);
	/* The saved state has no subchannels: KMCL refuses, nothing stops. */
	if (Status == STATUS_NOT_SUPPORTED)
		VspLog("servicing: not while the channel has subchannels\n");
	if (!NT_SUCCESS(Status))
		return 0;
	do {
		Status = Vsp->Kmcl.VmbChannelSaveContinue(Vsp->Channel, Buffer + Total,
							  Size - Total, &Filled, &Required);
		Total += Filled;
	} while (Status == STATUS_BUFFER_OVERFLOW && Filled);
	VspLog("servicing: VmbChannelSaveContinue = %#010x, %u bytes saved\n", (u32)Status,
	       Total);
	Vsp->Kmcl.VmbChannelSaveEnd(Vsp->Channel);
	return Status == STATUS_SUCCESS ? Total : 0;
}

static VOID EchoVspService(struct work_struct *Work)
{
	PECHO_VSP_CONTEXT Vsp = container_of(Work, ECHO_VSP_CONTEXT, ServiceWork);
	const UINT32 Size = 16384;
	VMBCHANNEL Channel;
	NTSTATUS Status;
	PUCHAR Buffer;
	UINT32 Length;

	Buffer = kzalloc(Size, GFP_KERNEL);
	if (!Buffer)
		return;
	mutex_lock(&Vsp->Lock);
	Vsp->Serviced = TRUE;
	Length = EchoVspSave(Vsp, Buffer, Size);
	if (!Length) {
		VspLog("servicing: FAIL (the save failed; the channel goes on)\n");
		goto Out;
	}
	/*
	 * The old channel hands its connection to the saved state. Closed
	 * subchannels of an earlier client still name it: they go first.
	 */
	Vsp->Kmcl.VmbChannelDisable(Vsp->Channel);
	EchoVspDropSubchannels(Vsp);
	Vsp->Kmcl.VmbChannelCleanup(Vsp->Channel);
	Vsp->Channel = NULL;
	VspLog("servicing: old channel disabled and cleaned up\n");

	Status = Vsp->Kmcl.VmbChannelAllocate(kmcl_loopback_parent(), TRUE, &Channel);
	if (!NT_SUCCESS(Status)) {
		VspLog("servicing: FAIL (VmbChannelAllocate = %#010x)\n", (u32)Status);
		goto Out;
	}
	Vsp->Kmcl.VmbChannelSetPointer(Channel, Vsp);
	Status = EchoVspConfigureMain(Vsp, Channel, EchoVspPostStarted);
	if (NT_SUCCESS(Status))
		Status = Vsp->Kmcl.VmbChannelRestoreFromBuffer(Channel, Buffer, Length);
	VspLog("servicing: VmbChannelRestoreFromBuffer(%u bytes) = %#010x, %u restored\n",
	       Length, (u32)Status, Vsp->NumRestored);
	Vsp->Channel = Channel;
	if (!NT_SUCCESS(Status)) {
		VspLog("servicing: FAIL (restore)\n");
		goto Out;
	}
	Vsp->Kmcl.VmbChannelSetIncomingProcessingAtPassive(Channel, TRUE);
	Status = Vsp->Kmcl.VmbChannelEnable(Channel);
	if (!NT_SUCCESS(Status)) {
		VspLog("servicing: FAIL (VmbChannelEnable = %#010x)\n", (u32)Status);
		goto Out;
	}
	Vsp->Kmcl.VmbChannelStart(Channel);
	VspLog("servicing: restored channel enabled and started\n");
Out:
	mutex_unlock(&Vsp->Lock);
	kfree(Buffer);
}

static VOID EchoVspCleanup(PECHO_VSP_CONTEXT Vsp)
{
	/* Subchannels first: the channel's Cleanup waits for none of them. */
	mutex_lock(&Vsp->Lock);
	EchoVspDropSubchannels(Vsp);
	mutex_unlock(&Vsp->Lock);
	if (Vsp->Channel) {
		/* Rescinds the offer; a connected client sees the channel close. */
		Vsp->Kmcl.VmbChannelDisable(Vsp->Channel);
		Vsp->Kmcl.VmbChannelCleanup(Vsp->Channel);
		Vsp->Channel = NULL;
	}
	if (Vsp->HaveInterface) {
		Vsp->Kmcl.InterfaceDereference(Vsp->Kmcl.Context);
		Vsp->HaveInterface = FALSE;
	}
}

static int __init kmcl_echo_vsp_init(void)
{
	NTSTATUS Status;

	mutex_init(&EchoVsp.Lock);
	INIT_WORK(&EchoVsp.ServiceWork, EchoVspService);
	INIT_WORK(&EchoVsp.SubchannelWork, EchoVspSubchannelWork);
	Status = EchoVspInit(&EchoVsp);

	if (!NT_SUCCESS(Status)) {
		EchoVspCleanup(&EchoVsp);
		return -ENODEV;
	}
	return 0;
}

static void __exit kmcl_echo_vsp_exit(void)
{
	/* Rescind first: no request can schedule either work after this. */
	mutex_lock(&EchoVsp.Lock);
	if (EchoVsp.Channel)
		EchoVsp.Kmcl.VmbChannelDisable(EchoVsp.Channel);
	mutex_unlock(&EchoVsp.Lock);
	flush_work(&EchoVsp.ServiceWork);
	flush_work(&EchoVsp.SubchannelWork);
	EchoVspCleanup(&EchoVsp);
	VspLog("offer withdrawn\n");
}

module_init(kmcl_echo_vsp_init);
module_exit(kmcl_echo_vsp_exit);

MODULE_DESCRIPTION("KMCL sample: echo/checksum VSP on the loopback VMBus");
MODULE_LICENSE("GPL");
KMCL_IMPORT_NS();
