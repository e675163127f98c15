/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmbuskernelmodeclientlibapi.h - the VMBus Kernel Mode Client Library
 * (KMCL) programming interface, for Linux kernel code.
 *
 * Windows drivers that talk over Hyper-V's VMBus use KMCL: channel objects,
 * packet objects, GPADLs, save/restore. KMCL for Linux offers the same API,
 * with the same names, types, constant values and behaviour, on top of the
 * Linux VMBus driver (hv_vmbus) or of an in-kernel loopback VMBus, so that a
 * Windows VSC or VSP ports by recompiling against this header. The file name
 * matches the Windows one; the text is our own, written from the published
 * description of the API.
 *
 * Getting at the API
 * ------------------
 * kmcl.ko exports every function below in the symbol namespace KMCL. A module
 * calling them directly declares the import once, next to its MODULE_LICENSE:
 *
 *	KMCL_IMPORT_NS();
 *
 * (the same as MODULE_IMPORT_NS(KMCL) up to Linux 6.12 and
 * MODULE_IMPORT_NS("KMCL") from 6.13 on). Code written for the Windows
 * interface model asks for a function table instead, with the call that
 * replaces WdfFdoQueryForInterface():
 *
 *	KMCL_CLIENT_INTERFACE_V5 kmcl;
 *	NTSTATUS status;
 *
 *	status = KmclQueryInterface(&KMCL_CLIENT_INTERFACE_TYPE,
 *				    (PINTERFACE)&kmcl, sizeof(kmcl),
 *				    KMCL_CLIENT_INTERFACE_VERSION_V5, NULL);
 *	...
 *	kmcl.VmbChannelAllocate(dev, FALSE, &channel);
 *	...
 *	kmcl.InterfaceDereference(kmcl.Context);
 *
 * Context
 * -------
 * Windows states where a function may run as an IRQL. Here:
 *   PASSIVE_LEVEL  = process context; the function may sleep.
 *   DISPATCH_LEVEL = softirq (BH) context, where hv_vmbus runs channel
 *                    callbacks; nothing may sleep.
 * Each function and callback below has a "Context:" line.
 *
 * Channel life cycle, in short
 * ----------------------------
 * VmbChannelAllocate() gives a disabled channel; the Init setters configure
 * it; VmbChannelEnable() offers it (server) or opens/waits for an offer
 * (client). EvtChannelOpened, then (once started) EvtChannelStarted, then
 * packets flow (EvtChannelProcessPacket), then EvtChannelPostStarted.
 * VmbChannelPause() and closing run EvtChannelSuspend; closing also runs
 * EvtChannelClosed. VmbChannelDisable() waits for all of that, after which
 * VmbChannelCleanup() frees the channel.
 *
 * Linux specifics
 * ---------------
 * - PDEVICE_OBJECT is a struct device pointer (see kmcl/wintypes.h).
 * - PFNs and page counts are in 4 KiB Hyper-V pages (see kmcl/mdl.h).
 * - NTSTATUS codes have their Windows values (see kmcl/ntstatus.h).
 * - Server endpoints exist only on the loopback transport; a guest cannot
 *   offer channels to its host.
 * - Handles are opaque. Everything the peer sends is untrusted: KMCL checks
 *   the VMBus framing, the driver checks its own payloads.
 */
#ifndef _VMBUSKERNELMODECLIENTLIBAPI_H
#define _VMBUSKERNELMODECLIENTLIBAPI_H

#include <linux/build_bug.h>
#include <linux/stddef.h>

#include <kmcl/wintypes.h>
#include <kmcl/mdl.h>

/*
 * KMCL_IMPORT_NS() - import the KMCL symbol namespace into a module.
 * Spelled with MODULE_INFO() so that it works on every kernel version.
 * Needs <linux/module.h>.
 */
#define KMCL_IMPORT_NS() MODULE_INFO(import_ns, "KMCL")

/* Interface types and versions for KmclQueryInterface(). */

/* 4aecb860-e161-42bb-a5ca-77f3a9645905 */
DEFINE_GUID(KMCL_CLIENT_INTERFACE_TYPE,
	    0x4aecb860, 0xe161, 0x42bb, 0xa5, 0xca, 0x77, 0xf3, 0xa9, 0x64, 0x59, 0x05);
/* 83b21474-c5b9-4f65-b5e7-720c692bd371 */
DEFINE_GUID(KMCL_SERVER_INTERFACE_TYPE,
	    0x83b21474, 0xc5b9, 0x4f65, 0xb5, 0xe7, 0x72, 0x0c, 0x69, 0x2b, 0xd3, 0x71);

#define KMCL_CLIENT_INTERFACE_VERSION_V1	1
#define KMCL_CLIENT_INTERFACE_VERSION_V2	2
#define KMCL_CLIENT_INTERFACE_VERSION_V3	3
#define KMCL_CLIENT_INTERFACE_VERSION_V4	4
#define KMCL_CLIENT_INTERFACE_VERSION_V5	5
#define KMCL_CLIENT_INTERFACE_VERSION_LATEST	KMCL_CLIENT_INTERFACE_VERSION_V5

/* Server tables exist in versions 1 and 5 only. */
#define KMCL_SERVER_INTERFACE_VERSION_V1	1
#define KMCL_SERVER_INTERFACE_VERSION_V5	5
#define KMCL_SERVER_INTERFACE_VERSION_LATEST	KMCL_SERVER_INTERFACE_VERSION_V5

/* A channel object. */
DECLARE_HANDLE(VMBCHANNEL);
/* An outgoing packet object: one transaction. */
DECLARE_HANDLE(VMBPACKET);
/* An incoming packet, from delivery until it is completed. */
DECLARE_HANDLE(VMBPACKETCOMPLETION);

/* Flags of VmbPacketSend*() and VmbChannelSendSynchronousRequest(). */
/* The transaction ends only when the peer sends a completion. */
#define VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION	0x1
/* Use the given MDL length even past ByteCount (to the end of the page). */
#define VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH	0x2
/* The inline buffer is pageable: copy it before entering atomic context. */
#define VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER		0x4
/* The external data only carries data from the peer (contents not sent). */
#define VMBUS_CHANNEL_FORMAT_FLAG_DATA_IN_ONLY		0x8
/* The external data only carries data to the peer (peer won't write it). */
#define VMBUS_CHANNEL_FORMAT_FLAG_DATA_OUT_ONLY		0x10
#define VMBUS_CHANNEL_FORMAT_FLAGS			\
	(VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION |	\
	 VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH |	\
	 VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER |		\
	 VMBUS_CHANNEL_FORMAT_FLAG_DATA_IN_ONLY |		\
	 VMBUS_CHANNEL_FORMAT_FLAG_DATA_OUT_ONLY)

/* Flags of the GPADL functions: a hint, not a protection. */
#define VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY		0x1
#define VMBUS_CHANNEL_GPADL_FLAGS	(VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY)

/* VmbChannelInitSetFlags(): pipe mode (datagrams, no transactions). */
#define VMBUS_CHANNEL_INIT_FLAG_IS_PIPE			0x1
#define VMBUS_CHANNEL_INIT_FLAGS	(VMBUS_CHANNEL_INIT_FLAG_IS_PIPE)

/* VmbServerChannelInitSetFlags(). */
/* Offer the channel as a loopback offer (undocumented by Windows). */
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_LOOPBACK_OFFER		0x1
/* Guest exposes a device interface whose GUID is the channel type. */
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE	0x2
/* Offer in pipe mode. */
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_OFFER_AS_PIPE		0x4
/* After a save/restore, offer anew and drop the old channel instance. */
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL	0x8
/* The channel provides a socket interface. */
#define VMBUS_SERVER_CHANNEL_INIT_FLAG_TLNPI_PROVIDER_OFFER	0x10
#define VMBUS_SERVER_CHANNEL_INIT_FLAGS				\
	(VMBUS_SERVER_CHANNEL_INIT_FLAG_LOOPBACK_OFFER |		\
	 VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE |	\
	 VMBUS_SERVER_CHANNEL_INIT_FLAG_OFFER_AS_PIPE |		\
	 VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL |		\
	 VMBUS_SERVER_CHANNEL_INIT_FLAG_TLNPI_PROVIDER_OFFER)

/* Flags argument of the ProcessPacket callback. */
#define VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA		0x1
#define VMBUS_CHANNEL_PROCESS_PACKET_FLAGS			\
	(VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA)

/* VmbChannelPacketGetExternalData(): map the data read-only. */
#define VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY	0x1
#define VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAGS		\
	(VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY)

/* Most bytes of "extra data" a channel offer can carry. */
#define VMBUS_SERVER_CHANNEL_INIT_MAXIMUM_OFFER_DATA		120

/*
 * Size limits of one packet (our names, Windows' numbers). The KMCL
 * header of a packet (at most KMCL_PACKET_OVERHEAD_HEADER bytes), its inline
 * bytes, KMCL_PACKET_OVERHEAD_PER_MDL per MDL of external data and
 * KMCL_PACKET_OVERHEAD_PER_PAGE per page of external data must add up to
 * less than both the ring size and KMCL_PACKET_MTU.
 */
#define KMCL_PACKET_MTU				524280
#define KMCL_PACKET_OVERHEAD_HEADER		32
#define KMCL_PACKET_OVERHEAD_PER_MDL		8
#define KMCL_PACKET_OVERHEAD_PER_PAGE		8

/*
 * Callbacks the driver implements, each with a PFN_ pointer type. The _EX
 * forms take the context given when they were registered as their second
 * argument.
 */

/**
 * typedef EVT_VMB_CHANNEL_OPENED - the channel has been opened
 * @Channel: the channel.
 *
 * Called when the client opens the offer (on a client: when its open
 * succeeded). Packets queued before this point are not sent until now.
 * Long-lived GPADLs may be created from here on. Returning an error rolls the
 * channel back so that no traffic flows.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS to accept the open, or an error.
 */
typedef NTSTATUS EVT_VMB_CHANNEL_OPENED(_In_ VMBCHANNEL Channel);
typedef EVT_VMB_CHANNEL_OPENED *PFN_VMB_CHANNEL_OPENED;

/**
 * typedef EVT_VMB_CHANNEL_CLOSED - the channel has been closed
 * @Channel: the channel.
 *
 * Called after VmbChannelDisable(), or when the peer closes or rescinds. Delete
 * every GPADL of the channel here. A client channel is disabled afterwards and
 * must be enabled again to reopen.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID EVT_VMB_CHANNEL_CLOSED(_In_ VMBCHANNEL Channel);
typedef EVT_VMB_CHANNEL_CLOSED *PFN_VMB_CHANNEL_CLOSED;

/**
 * typedef EVT_VMB_CHANNEL_SUSPEND - incoming packets have stopped
 * @Channel: the channel.
 *
 * Called when a running channel is paused or closed. No ProcessPacket callback
 * runs or starts until the next EvtChannelStarted. The driver must stop sending
 * and complete every packet it still holds (KMCL waits for that); a server
 * should cancel its outstanding transactions, since a closing client may never
 * complete them.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID EVT_VMB_CHANNEL_SUSPEND(_In_ VMBCHANNEL Channel);
typedef EVT_VMB_CHANNEL_SUSPEND *PFN_VMB_CHANNEL_SUSPEND;

/**
 * typedef EVT_VMB_CHANNEL_STARTED - the channel is open and started
 * @Channel: the channel.
 *
 * Called before incoming packets flow. Sends may be queued here, but nothing
 * that waits for the peer (such as VmbChannelSendSynchronousRequest()) may be
 * done: it would never return.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID EVT_VMB_CHANNEL_STARTED(_In_ VMBCHANNEL Channel);
typedef EVT_VMB_CHANNEL_STARTED *PFN_VMB_CHANNEL_STARTED;

/**
 * typedef EVT_VMB_CHANNEL_POST_STARTED - incoming packets are flowing
 * @Channel: the channel.
 *
 * Called after EvtChannelStarted once the incoming queue runs; the place for
 * synchronous requests such as protocol negotiation.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID EVT_VMB_CHANNEL_POST_STARTED(_In_ VMBCHANNEL Channel);
typedef EVT_VMB_CHANNEL_POST_STARTED *PFN_VMB_CHANNEL_POST_STARTED;

/**
 * typedef EVT_VMB_CHANNEL_PROCESS_PACKET - a packet has arrived
 * @Channel: the channel.
 * @Packet: identifies the packet until it is completed.
 * @Buffer: the packet payload, without VMBus or KMCL headers; a private copy.
 * @BufferLength: length of @Buffer.
 * @Flags: VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA if
 *	VmbChannelPacketGetExternalData() has data to return.
 *
 * Every invocation must eventually be matched by VmbChannelPacketComplete() (or
 * VmbChannelPacketFail()), except when the packet is deferred with
 * VmbChannelPacketDeferToPassive() or external data is pending; the callback
 * then runs again for the same packet. The payload comes from the peer and must
 * be validated.
 *
 * Context: softirq context (DISPATCH_LEVEL) or, after
 * VmbChannelSetIncomingProcessingAtPassive(TRUE) or a deferral, process
 * context. Must not sleep unless delivered in process context.
 */
typedef VOID EVT_VMB_CHANNEL_PROCESS_PACKET(_In_ VMBCHANNEL Channel,
					    _In_ VMBPACKETCOMPLETION Packet,
					    _In_reads_bytes_(BufferLength) PVOID Buffer,
					    _In_ UINT32 BufferLength,
					    _In_ UINT32 Flags);
typedef EVT_VMB_CHANNEL_PROCESS_PACKET *PFN_VMB_CHANNEL_PROCESS_PACKET;

/**
 * typedef EVT_VMB_CHANNEL_PROCESSING_COMPLETE - a batch of packets has been delivered
 * @Channel: the channel.
 * @PacketsProcessed: packets delivered in this batch.
 *
 * Called after the last ProcessPacket callback of a batch, when delivery pauses
 * (the ring is empty, the quota is used up, or the CPU budget is spent).
 *
 * Context: softirq context (DISPATCH_LEVEL) or, after
 * VmbChannelSetIncomingProcessingAtPassive(TRUE) or a deferral, process
 * context. Must not sleep unless delivered in process context.
 */
typedef VOID EVT_VMB_CHANNEL_PROCESSING_COMPLETE(_In_ VMBCHANNEL Channel,
						 _In_ UINT32 PacketsProcessed);
typedef EVT_VMB_CHANNEL_PROCESSING_COMPLETE *PFN_VMB_CHANNEL_PROCESSING_COMPLETE;

/**
 * typedef EVT_VMB_CHANNEL_SAVE_PACKET - save driver state of one in-flight packet (server)
 * @Channel: the channel.
 * @Packet: a packet in flight: an incoming packet the driver has not
 *	completed (its VMBPACKETCOMPLETION handle).
 * @SaveBuf: where to write driver state.
 * @SaveBufSize: size of @SaveBuf; 0 on the first call.
 * @BytesNeeded: set to the size the driver state needs.
 *
 * Called from VmbChannelSaveContinue() for every packet object in use, first
 * with @SaveBufSize 0. A driver with state to save fails that call after
 * setting @BytesNeeded and is called again with a buffer that large. KMCL saves
 * its own packet state itself.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS, or an error as described.
 */
typedef NTSTATUS EVT_VMB_CHANNEL_SAVE_PACKET(_In_ VMBCHANNEL Channel,
					     _In_ VMBPACKET Packet,
					     _Out_writes_bytes_(SaveBufSize) PVOID SaveBuf,
					     _In_ UINT32 SaveBufSize,
					     _Out_ PUINT32 BytesNeeded);
typedef EVT_VMB_CHANNEL_SAVE_PACKET *PFN_VMB_CHANNEL_SAVE_PACKET;

/**
 * typedef EVT_VMB_CHANNEL_RESTORE_PACKET - restore one in-flight packet (server)
 * @Channel: the channel.
 * @LibBuf: KMCL's saved packet state.
 * @LibBufSize: length of @LibBuf.
 * @SaveBuf: the driver state saved for the packet.
 * @SaveBufSize: length of @SaveBuf.
 *
 * Called from VmbChannelRestoreFromBuffer() per saved packet. Allocate a packet
 * with VmbPacketAllocate(), pass @LibBuf to VmbPacketRestore(), then restore
 * the driver's own state from @SaveBuf.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS or an error.
 */
typedef NTSTATUS EVT_VMB_CHANNEL_RESTORE_PACKET(_In_ VMBCHANNEL Channel,
						_In_reads_bytes_(LibBufSize) PVOID LibBuf,
						_In_ UINT32 LibBufSize,
						_In_reads_bytes_(SaveBufSize) PVOID SaveBuf,
						_In_ UINT32 SaveBufSize);
typedef EVT_VMB_CHANNEL_RESTORE_PACKET *PFN_VMB_CHANNEL_RESTORE_PACKET;

/**
 * typedef EVT_VMB_CHANNEL_PNP_FAILURE - a matching offer was found but could not be opened
 *   (client)
 * @Channel: the channel.
 * @FailureStatus: why the open failed.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID EVT_VMB_CHANNEL_PNP_FAILURE(_In_ VMBCHANNEL Channel,
					 _In_ NTSTATUS FailureStatus);
typedef EVT_VMB_CHANNEL_PNP_FAILURE *PFN_VMB_CHANNEL_PNP_FAILURE;

/**
 * typedef EVT_VMB_PACKET_COMPLETION_ROUTINE - an outgoing transaction has ended
 * @Packet: the packet whose transaction ended.
 * @Status: STATUS_SUCCESS, or an error (e.g. STATUS_CANCELLED) if the
 *	transaction could not finish, for instance because the channel
 *	closed.
 * @Buffer: the peer's completion payload, if any; valid during the call only.
 * @BufferLength: length of @Buffer.
 *
 * Without WAIT_FOR_COMPLETION the transaction ends when the packet is in the
 * ring; with it, when the peer's completion arrives. Runs exactly once per
 * send; the packet may be freed or reused from here on.
 *
 * Context: any context up to softirq (DISPATCH_LEVEL); must not sleep.
 */
typedef VOID EVT_VMB_PACKET_COMPLETION_ROUTINE(_In_ VMBPACKET Packet,
					       _In_ NTSTATUS Status,
					       _In_reads_bytes_opt_(BufferLength) PVOID Buffer,
					       _In_ UINT32 BufferLength);
typedef EVT_VMB_PACKET_COMPLETION_ROUTINE *PFN_VMB_PACKET_COMPLETION_ROUTINE;

/**
 * typedef EVT_VMB_CHANNEL_OPENED_EX - the channel has been opened (with context)
 * @Channel: the channel.
 * @CallbackContext: the context given when the callback was registered.
 *
 * As EVT_VMB_CHANNEL_OPENED, with the registration's context.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS to accept the open, or an error.
 */
typedef NTSTATUS EVT_VMB_CHANNEL_OPENED_EX(_In_ VMBCHANNEL Channel,
					   _In_ PVOID CallbackContext);
typedef EVT_VMB_CHANNEL_OPENED_EX *PFN_VMB_CHANNEL_OPENED_EX;

/**
 * typedef EVT_VMB_CHANNEL_CLOSED_EX - the channel has been closed (with context)
 * @Channel: the channel.
 * @CallbackContext: the context given when the callback was registered.
 *
 * As EVT_VMB_CHANNEL_CLOSED, with the registration's context.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID EVT_VMB_CHANNEL_CLOSED_EX(_In_ VMBCHANNEL Channel,
				       _In_ PVOID CallbackContext);
typedef EVT_VMB_CHANNEL_CLOSED_EX *PFN_VMB_CHANNEL_CLOSED_EX;

/**
 * typedef EVT_VMB_CHANNEL_SUSPEND_EX - incoming packets have stopped (with context)
 * @Channel: the channel.
 * @CallbackContext: the context given when the callback was registered.
 *
 * As EVT_VMB_CHANNEL_SUSPEND, with the registration's context.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID EVT_VMB_CHANNEL_SUSPEND_EX(_In_ VMBCHANNEL Channel,
					_In_ PVOID CallbackContext);
typedef EVT_VMB_CHANNEL_SUSPEND_EX *PFN_VMB_CHANNEL_SUSPEND_EX;

/**
 * typedef EVT_VMB_CHANNEL_STARTED_EX - the channel is open and started (with context)
 * @Channel: the channel.
 * @CallbackContext: the context given when the callback was registered.
 *
 * As EVT_VMB_CHANNEL_STARTED, with the registration's context.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID EVT_VMB_CHANNEL_STARTED_EX(_In_ VMBCHANNEL Channel,
					_In_ PVOID CallbackContext);
typedef EVT_VMB_CHANNEL_STARTED_EX *PFN_VMB_CHANNEL_STARTED_EX;

/**
 * typedef EVT_VMB_CHANNEL_POST_STARTED_EX - incoming packets are flowing (with context)
 * @Channel: the channel.
 * @CallbackContext: the context given when the callback was registered.
 *
 * As EVT_VMB_CHANNEL_POST_STARTED, with the registration's context.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID EVT_VMB_CHANNEL_POST_STARTED_EX(_In_ VMBCHANNEL Channel,
					     _In_ PVOID CallbackContext);
typedef EVT_VMB_CHANNEL_POST_STARTED_EX *PFN_VMB_CHANNEL_POST_STARTED_EX;

/**
 * typedef EVT_VMB_CHANNEL_PROCESS_PACKET_EX - a packet has arrived (with context)
 * @Channel: the channel.
 * @CallbackContext: the context given when the callback was registered.
 * @Packet: identifies the packet until it is completed.
 * @Buffer: the packet payload, without VMBus or KMCL headers; a private copy.
 * @BufferLength: length of @Buffer.
 * @Flags: VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA if
 *	VmbChannelPacketGetExternalData() has data to return.
 *
 * As EVT_VMB_CHANNEL_PROCESS_PACKET, with the registration's context.
 *
 * Context: softirq context (DISPATCH_LEVEL) or, after
 * VmbChannelSetIncomingProcessingAtPassive(TRUE) or a deferral, process
 * context. Must not sleep unless delivered in process context.
 */
typedef VOID EVT_VMB_CHANNEL_PROCESS_PACKET_EX(_In_ VMBCHANNEL Channel,
					       _In_ PVOID CallbackContext,
					       _In_ VMBPACKETCOMPLETION Packet,
					       _In_reads_bytes_(BufferLength) PVOID Buffer,
					       _In_ UINT32 BufferLength,
					       _In_ UINT32 Flags);
typedef EVT_VMB_CHANNEL_PROCESS_PACKET_EX *PFN_VMB_CHANNEL_PROCESS_PACKET_EX;

/**
 * typedef EVT_VMB_CHANNEL_PROCESSING_COMPLETE_EX - a batch of packets has been delivered (with
 *   context)
 * @Channel: the channel.
 * @CallbackContext: the context given when the callback was registered.
 * @PacketsProcessed: packets delivered in this batch.
 *
 * As EVT_VMB_CHANNEL_PROCESSING_COMPLETE, with the registration's context.
 *
 * Context: softirq context (DISPATCH_LEVEL) or, after
 * VmbChannelSetIncomingProcessingAtPassive(TRUE) or a deferral, process
 * context. Must not sleep unless delivered in process context.
 */
typedef VOID EVT_VMB_CHANNEL_PROCESSING_COMPLETE_EX(_In_ VMBCHANNEL Channel,
						    _In_ PVOID CallbackContext,
						    _In_ UINT32 PacketsProcessed);
typedef EVT_VMB_CHANNEL_PROCESSING_COMPLETE_EX *PFN_VMB_CHANNEL_PROCESSING_COMPLETE_EX;

/**
 * typedef EVT_VMB_CHANNEL_SAVE_PACKET_EX - save driver state of one in-flight packet (server)
 *   (with context)
 * @Channel: the channel.
 * @CallbackContext: the context given when the callback was registered.
 * @Packet: a packet in flight: an incoming packet the driver has not
 *	completed (its VMBPACKETCOMPLETION handle).
 * @SaveBuf: where to write driver state.
 * @SaveBufSize: size of @SaveBuf; 0 on the first call.
 * @BytesNeeded: set to the size the driver state needs.
 *
 * As EVT_VMB_CHANNEL_SAVE_PACKET, with the registration's context.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS, or an error as described.
 */
typedef NTSTATUS EVT_VMB_CHANNEL_SAVE_PACKET_EX(_In_ VMBCHANNEL Channel,
						_In_ PVOID CallbackContext,
						_In_ VMBPACKET Packet,
						_Out_writes_bytes_(SaveBufSize) PVOID SaveBuf,
						_In_ UINT32 SaveBufSize,
						_Out_ PUINT32 BytesNeeded);
typedef EVT_VMB_CHANNEL_SAVE_PACKET_EX *PFN_VMB_CHANNEL_SAVE_PACKET_EX;

/**
 * typedef EVT_VMB_CHANNEL_RESTORE_PACKET_EX - restore one in-flight packet (server) (with context)
 * @Channel: the channel.
 * @CallbackContext: the context given when the callback was registered.
 * @LibBuf: KMCL's saved packet state.
 * @LibBufSize: length of @LibBuf.
 * @SaveBuf: the driver state saved for the packet.
 * @SaveBufSize: length of @SaveBuf.
 *
 * As EVT_VMB_CHANNEL_RESTORE_PACKET, with the registration's context.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS or an error.
 */
typedef NTSTATUS EVT_VMB_CHANNEL_RESTORE_PACKET_EX(_In_ VMBCHANNEL Channel,
						   _In_ PVOID CallbackContext,
						   _In_reads_bytes_(LibBufSize) PVOID LibBuf,
						   _In_ UINT32 LibBufSize,
						   _In_reads_bytes_(SaveBufSize) PVOID SaveBuf,
						   _In_ UINT32 SaveBufSize);
typedef EVT_VMB_CHANNEL_RESTORE_PACKET_EX *PFN_VMB_CHANNEL_RESTORE_PACKET_EX;

/**
 * typedef EVT_VMB_PACKET_COMPLETION_ROUTINE_EX - an outgoing transaction has ended (with context)
 * @Packet: the packet whose transaction ended.
 * @CallbackContext: the context given when the callback was registered.
 * @Status: STATUS_SUCCESS, or an error (e.g. STATUS_CANCELLED) if the
 *	transaction could not finish, for instance because the channel
 *	closed.
 * @Buffer: the peer's completion payload, if any; valid during the call only.
 * @BufferLength: length of @Buffer.
 *
 * As EVT_VMB_PACKET_COMPLETION_ROUTINE, with the registration's context.
 *
 * Context: any context up to softirq (DISPATCH_LEVEL); must not sleep.
 */
typedef VOID EVT_VMB_PACKET_COMPLETION_ROUTINE_EX(_In_ VMBPACKET Packet,
						  _In_ PVOID CallbackContext,
						  _In_ NTSTATUS Status,
						  _In_reads_bytes_opt_(BufferLength) PVOID Buffer,
						  _In_ UINT32 BufferLength);
typedef EVT_VMB_PACKET_COMPLETION_ROUTINE_EX *PFN_VMB_PACKET_COMPLETION_ROUTINE_EX;

/**
 * struct _VMB_CHANNEL_STATE_CHANGE_CALLBACKS - state change callbacks
 * @Version: 1; set by VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT().
 * @Size: sizeof() this structure; set by the INIT helper.
 * @EvtChannelOpened: optional, see EVT_VMB_CHANNEL_OPENED.
 * @EvtChannelClosed: optional, see EVT_VMB_CHANNEL_CLOSED.
 * @EvtChannelSuspend: optional, see EVT_VMB_CHANNEL_SUSPEND.
 * @EvtChannelStarted: optional, see EVT_VMB_CHANNEL_STARTED.
 * @EvtChannelPostStarted: optional, see EVT_VMB_CHANNEL_POST_STARTED.
 */
typedef struct _VMB_CHANNEL_STATE_CHANGE_CALLBACKS {
	ULONG Version;
	ULONG Size;
	PFN_VMB_CHANNEL_OPENED EvtChannelOpened;
	PFN_VMB_CHANNEL_CLOSED EvtChannelClosed;
	PFN_VMB_CHANNEL_SUSPEND EvtChannelSuspend;
	PFN_VMB_CHANNEL_STARTED EvtChannelStarted;
	PFN_VMB_CHANNEL_POST_STARTED EvtChannelPostStarted;
} VMB_CHANNEL_STATE_CHANGE_CALLBACKS, *PVMB_CHANNEL_STATE_CHANGE_CALLBACKS;

/**
 * VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT() - prepare a callback structure
 * @Callbacks: structure to clear and stamp with version 1 and its size.
 *
 * Fill in the callbacks afterwards, then pass the structure to
 * VmbChannelInitSetStateChangeCallbacks().
 */
FORCEINLINE void
VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(_Out_ PVMB_CHANNEL_STATE_CHANGE_CALLBACKS Callbacks)
{
	RtlZeroMemory(Callbacks, sizeof(*Callbacks));
	Callbacks->Version = 1;
	Callbacks->Size = sizeof(*Callbacks);
}

/**
 * struct _VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 - callbacks with a context
 * @Version: 5; set by VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5().
 * @Size: sizeof() this structure; set by the INIT helper.
 * @CallbackContext: passed as the second argument of every callback.
 * @EvtChannelOpenedEx: optional, see EVT_VMB_CHANNEL_OPENED_EX.
 * @EvtChannelClosedEx: optional, see EVT_VMB_CHANNEL_CLOSED_EX.
 * @EvtChannelSuspendEx: optional, see EVT_VMB_CHANNEL_SUSPEND_EX.
 * @EvtChannelStartedEx: optional, see EVT_VMB_CHANNEL_STARTED_EX.
 * @EvtChannelPostStartedEx: optional, see EVT_VMB_CHANNEL_POST_STARTED_EX.
 *
 * Registered by casting a pointer to it to PVMB_CHANNEL_STATE_CHANGE_CALLBACKS
 * for VmbChannelInitSetStateChangeCallbacks(), which tells the two layouts
 * apart by Version and Size.
 */
typedef struct _VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 {
	ULONG Version;
	ULONG Size;
	PVOID CallbackContext;
	PFN_VMB_CHANNEL_OPENED_EX EvtChannelOpenedEx;
	PFN_VMB_CHANNEL_CLOSED_EX EvtChannelClosedEx;
	PFN_VMB_CHANNEL_SUSPEND_EX EvtChannelSuspendEx;
	PFN_VMB_CHANNEL_STARTED_EX EvtChannelStartedEx;
	PFN_VMB_CHANNEL_POST_STARTED_EX EvtChannelPostStartedEx;
} VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5, *PVMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5;

/**
 * VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5() - prepare a V5 callback structure
 * @Callbacks: structure to clear and stamp with version 5 and its size.
 */
FORCEINLINE void
VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5(_Out_ PVMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 Callbacks)
{
	RtlZeroMemory(Callbacks, sizeof(*Callbacks));
	Callbacks->Version = 5;
	Callbacks->Size = sizeof(*Callbacks);
}

/*
 * Channel objects: allocation and disposal.
 */

/**
 * typedef FN_VMB_CHANNEL_ALLOCATE - VmbChannelAllocate(): create a channel object
 * @ParentDeviceObject: device the channel belongs to; on Linux a struct device.
 *	A VSC that owns an hv_device may pass &hdev->device to bind the
 *	channel to that device.
 * @IsServer: TRUE for a server (host-side, offering) endpoint, FALSE for a
 *	client (guest-side, opening) endpoint.
 * @Channel: receives the new channel.
 *
 * The new channel has default settings and is disabled. Configure it with the
 * VmbChannelInit*() and VmbClient/ServerChannelInit*() setters, then call
 * VmbChannelEnable(). Free it with VmbChannelCleanup().
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS; STATUS_INSUFFICIENT_RESOURCES; STATUS_NOT_SUPPORTED
 * if the transport cannot host this kind of endpoint (servers exist only on the
 * loopback transport); STATUS_INVALID_PARAMETER_n for a bad argument.
 */
typedef NTSTATUS FN_VMB_CHANNEL_ALLOCATE(_In_ PDEVICE_OBJECT ParentDeviceObject,
					 _In_ BOOLEAN IsServer,
					 _Out_ VMBCHANNEL *Channel);
typedef FN_VMB_CHANNEL_ALLOCATE *PFN_VMB_CHANNEL_ALLOCATE;
FN_VMB_CHANNEL_ALLOCATE VmbChannelAllocate;

/**
 * typedef FN_VMB_CHANNEL_INITIALIZE - VmbChannelInitialize(): build a channel object in caller
 *   memory
 * @ParentDeviceObject: as for VmbChannelAllocate().
 * @IsServer: as for VmbChannelAllocate().
 * @Channel: caller memory that becomes the channel object.
 * @BufferSize: size of @Channel; at least VmbSizeofChannel().
 *
 * Same as VmbChannelAllocate(), except that the channel lives in memory the
 * caller provides and keeps until after VmbChannelCleanup(). Prefer
 * VmbChannelAllocate() unless the memory must be embedded in a larger object.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_4 if @BufferSize is too
 * small; otherwise as VmbChannelAllocate().
 */
typedef NTSTATUS FN_VMB_CHANNEL_INITIALIZE(_In_ PDEVICE_OBJECT ParentDeviceObject,
					   _In_ BOOLEAN IsServer,
					   _Out_writes_bytes_(BufferSize) VMBCHANNEL Channel,
					   _In_ ULONG BufferSize);
typedef FN_VMB_CHANNEL_INITIALIZE *PFN_VMB_CHANNEL_INITIALIZE;
FN_VMB_CHANNEL_INITIALIZE VmbChannelInitialize;

/**
 * typedef FN_VMB_SIZEOF_CHANNEL - VmbSizeofChannel(): bytes needed for VmbChannelInitialize()
 *
 * Context: any context; does not sleep.
 * Return: the minimum buffer size for VmbChannelInitialize().
 */
typedef ULONG FN_VMB_SIZEOF_CHANNEL(void);
typedef FN_VMB_SIZEOF_CHANNEL *PFN_VMB_SIZEOF_CHANNEL;
FN_VMB_SIZEOF_CHANNEL VmbSizeofChannel;

/**
 * typedef FN_VMB_CHANNEL_CLEANUP - VmbChannelCleanup(): dispose of a channel
 * @Channel: a disabled channel.
 *
 * Releases everything the channel holds and, for a channel from
 * VmbChannelAllocate(), frees it. The channel must be disabled; a channel in
 * another state is left alone (and reported once in the log).
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID FN_VMB_CHANNEL_CLEANUP(_In_ __drv_freesMem(Mem) VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_CLEANUP *PFN_VMB_CHANNEL_CLEANUP;
FN_VMB_CHANNEL_CLEANUP VmbChannelCleanup;

/*
 * Init-phase setters. They are accepted only while the channel is disabled
 * (before VmbChannelEnable() or after VmbChannelDisable()); otherwise they fail
 * with STATUS_INVALID_PARAMETER_1, as for an invalid handle.
 */

/**
 * typedef FN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE - VmbChannelInitSetMaximumPacketSize(): set
 *   the largest packet the channel sends
 * @Channel: the channel.
 * @PacketSize: largest inline packet, in bytes, that will ever be sent.
 *
 * Bounds the Buffer length of every VmbPacketSend*() call on this channel; the
 * ring sizes are derived partly from it.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled; STATUS_INVALID_PARAMETER_2 if @PacketSize is 0.
 */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE(_In_ VMBCHANNEL Channel,
							     _In_range_(>, 0) UINT32 PacketSize);
typedef FN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE *PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE;
FN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE VmbChannelInitSetMaximumPacketSize;

/**
 * typedef FN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_COUNT - VmbChannelInitSetMaximumPacketCount():
 *   set how many outgoing packets may be in flight
 * @Channel: the channel.
 * @PacketCount: most packets sent and still in flight at once.
 *
 * Sizes the table that tracks outstanding transactions.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled; STATUS_INVALID_PARAMETER_2 if @PacketCount is 0.
 */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_COUNT(_In_ VMBCHANNEL Channel,
							      _In_range_(>, 0) UINT32 PacketCount);
typedef FN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_COUNT *PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_COUNT;
FN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_COUNT VmbChannelInitSetMaximumPacketCount;

/**
 * typedef FN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA - VmbChannelInitSetMaximumExternalData():
 *   set the external data limits
 * @Channel: the channel.
 * @DataSize: largest external data buffer, in bytes.
 * @ChainLength: most MDLs in an incoming chain.
 *
 * External data is the memory an MDL (or PFN list) describes alongside a
 * packet, as opposed to the inline bytes. The rings are sized so that a packet
 * within these limits fits.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled; STATUS_INVALID_PARAMETER_2 if @DataSize is 0;
 * STATUS_INVALID_PARAMETER_3 if @ChainLength is 0.
 */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA(_In_ VMBCHANNEL Channel,
							       _In_range_(>, 0) UINT32 DataSize,
							       _In_range_(>, 0) UINT32 ChainLength);
typedef FN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA
	*PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA;
FN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA VmbChannelInitSetMaximumExternalData;

/**
 * typedef FN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE - VmbChannelInitSetClientContextSize():
 *   reserve driver context in each incoming packet
 * @Channel: the channel.
 * @ContextSize: bytes of driver context per incoming packet.
 *
 * The area is reached with VmbChannelPacketGetClientContext() while the packet
 * is outstanding.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled.
 */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE(_In_ VMBCHANNEL Channel,
							     _In_ UINT32 ContextSize);
typedef FN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE *PFN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE;
FN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE VmbChannelInitSetClientContextSize;

/**
 * typedef FN_VMB_CHANNEL_INIT_SET_INLINE_PACKET_CONTEXT_SIZE - reserve driver context in each
 *   outgoing packet, VmbChannelInitSetInlinePacketContextSize()
 * @Channel: the channel.
 * @ContextSize: bytes of driver context per outgoing packet.
 *
 * Applies to packets from VmbPacketAllocate(); the area is reached with
 * VmbPacketGetInlinePacketContextPointer().
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled.
 */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_INLINE_PACKET_CONTEXT_SIZE(_In_ VMBCHANNEL Channel,
								    _In_ UINT32 ContextSize);
typedef FN_VMB_CHANNEL_INIT_SET_INLINE_PACKET_CONTEXT_SIZE
	*PFN_VMB_CHANNEL_INIT_SET_INLINE_PACKET_CONTEXT_SIZE;
FN_VMB_CHANNEL_INIT_SET_INLINE_PACKET_CONTEXT_SIZE VmbChannelInitSetInlinePacketContextSize;

/**
 * typedef FN_VMB_CHANNEL_INIT_SET_BOUNCE_BUFFER_SIZES - VmbChannelInitSetBounceBufferSizes(): size
 *   the bounce buffer
 * @Channel: the channel.
 * @InitialBufferSize: bounce buffer allocated up front and kept.
 * @BufferSizeIncrement: growth step; 0 for the default.
 * @MaximumBufferSize: upper bound; 0 for the default.
 *
 * For isolated (confidential) guests, where external data is copied through a
 * shared bounce buffer instead of being described by page numbers. All sizes
 * are multiples of the 4 KiB Hyper-V page.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled; STATUS_INVALID_PARAMETER_2..4 for a size that is not
 * page-aligned or out of range.
 */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_BOUNCE_BUFFER_SIZES(_In_ VMBCHANNEL Channel,
							     _In_ UINT32 InitialBufferSize,
							     _In_ UINT32 BufferSizeIncrement,
							     _In_ UINT32 MaximumBufferSize);
typedef FN_VMB_CHANNEL_INIT_SET_BOUNCE_BUFFER_SIZES *PFN_VMB_CHANNEL_INIT_SET_BOUNCE_BUFFER_SIZES;
FN_VMB_CHANNEL_INIT_SET_BOUNCE_BUFFER_SIZES VmbChannelInitSetBounceBufferSizes;

/**
 * typedef FN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS - register the incoming packet
 *   callbacks, VmbChannelInitSetProcessPacketCallbacks()
 * @Channel: the channel.
 * @ProcessPacketCallback: called for every incoming packet.
 * @ProcessingCompleteCallback: optional; called after each batch of packets.
 *
 * Replaces any earlier registration, including one made with
 * VmbChannelInitSetProcessPacketCallbacksEx(): the last call wins.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled.
 */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS(
	_In_ VMBCHANNEL Channel,
	_In_ PFN_VMB_CHANNEL_PROCESS_PACKET ProcessPacketCallback,
	_In_opt_ PFN_VMB_CHANNEL_PROCESSING_COMPLETE ProcessingCompleteCallback);
typedef FN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS
	*PFN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS;
FN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS VmbChannelInitSetProcessPacketCallbacks;

/**
 * typedef FN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS_EX - register incoming packet callbacks
 *   with a context, VmbChannelInitSetProcessPacketCallbacksEx()
 * @Channel: the channel.
 * @CallbackContext: passed to both callbacks.
 * @ProcessPacketCallback: called for every incoming packet.
 * @ProcessingCompleteCallback: optional; called after each batch of packets.
 *
 * As VmbChannelInitSetProcessPacketCallbacks(), with @CallbackContext handed to
 * every call. The last registration of either kind wins.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled.
 */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS_EX(
	_In_ VMBCHANNEL Channel,
	_In_opt_ PVOID CallbackContext,
	_In_ PFN_VMB_CHANNEL_PROCESS_PACKET_EX ProcessPacketCallback,
	_In_opt_ PFN_VMB_CHANNEL_PROCESSING_COMPLETE_EX ProcessingCompleteCallback);
typedef FN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS_EX
	*PFN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS_EX;
FN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS_EX VmbChannelInitSetProcessPacketCallbacksEx;

/**
 * typedef FN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS - register the state change callbacks,
 *   VmbChannelInitSetStateChangeCallbacks()
 * @Channel: the channel.
 * @StateChangeCallbacks: callbacks prepared with
 *	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT() (or a
 *	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 prepared with ..._INIT_V5(),
 *	cast).
 *
 * Every callback in the structure is optional. The structure is copied; the
 * caller's copy may go away after the call. Version and Size select the layout.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled; STATUS_INVALID_PARAMETER_2 for an unknown Version or a Size
 * that does not match it.
 */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS(
	_In_ VMBCHANNEL Channel,
	_In_ PVMB_CHANNEL_STATE_CHANGE_CALLBACKS StateChangeCallbacks);
typedef FN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS
	*PFN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS;
FN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS VmbChannelInitSetStateChangeCallbacks;

/**
 * typedef FN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME - VmbChannelInitSetFriendlyName(): name the
 *   channel
 * @Channel: the channel.
 * @Name: short descriptive name, e.g. L"Network".
 *
 * Used in log messages and debug output only. The string is copied.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled; STATUS_INVALID_PARAMETER_2 if the channel already has a name or
 * @Name is malformed; STATUS_INSUFFICIENT_RESOURCES.
 */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME(_In_ VMBCHANNEL Channel,
						       _In_ PCUNICODE_STRING Name);
typedef FN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME *PFN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME;
FN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME VmbChannelInitSetFriendlyName;

/**
 * typedef FN_VMB_CHANNEL_INIT_SET_FLAGS - VmbChannelInitSetFlags(): set endpoint-independent
 *   channel flags
 * @Channel: the channel.
 * @Flags: VMBUS_CHANNEL_INIT_FLAG_* bits.
 *
 * The only flag is VMBUS_CHANNEL_INIT_FLAG_IS_PIPE (pipe mode: datagrams copied
 * through the ring, no transactions, no external data). KMCL puts the 8-byte
 * VMBus pipe header in front of each datagram it sends and checks and removes
 * it from each one it receives; ProcessPacket sees the datagram with its exact
 * length. Sends with WAIT_FOR_COMPLETION are refused with
 * STATUS_INVALID_PARAMETER_5, sends with an MDL or PFN array with
 * STATUS_INVALID_PARAMETER_4. The receiver still completes each datagram (to
 * give it back); nothing is sent to the peer.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_INVALID_PARAMETER_1 if @Channel is invalid or not disabled;
 * STATUS_INVALID_PARAMETER_2 for unknown bits; STATUS_SUCCESS.
 */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_FLAGS(_In_ VMBCHANNEL Channel,
					       _In_ UINT32 Flags);
typedef FN_VMB_CHANNEL_INIT_SET_FLAGS *PFN_VMB_CHANNEL_INIT_SET_FLAGS;
FN_VMB_CHANNEL_INIT_SET_FLAGS VmbChannelInitSetFlags;

/**
 * typedef FN_VMB_CHANNEL_INIT_SET_PRIMARY_CHANNEL - VmbChannelInitSetPrimaryChannel(): make the
 *   channel a subchannel
 * @Channel: the channel.
 * @PrimaryChannel: the channel this one is a subchannel of.
 * @SubChannelIndex: index of this subchannel, from 1.
 *
 * A subchannel can be enabled only while its primary is open; it is disabled
 * when the primary closes and pauses and resumes with it.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled; STATUS_INVALID_PARAMETER_2 if a primary is already set or
 * @PrimaryChannel is invalid; STATUS_INVALID_PARAMETER_3 if @SubChannelIndex is
 * 0.
 */
typedef NTSTATUS FN_VMB_CHANNEL_INIT_SET_PRIMARY_CHANNEL(_In_ VMBCHANNEL Channel,
							 _In_ VMBCHANNEL PrimaryChannel,
							 _In_range_(>, 0) UINT16 SubChannelIndex);
typedef FN_VMB_CHANNEL_INIT_SET_PRIMARY_CHANNEL *PFN_VMB_CHANNEL_INIT_SET_PRIMARY_CHANNEL;
FN_VMB_CHANNEL_INIT_SET_PRIMARY_CHANNEL VmbChannelInitSetPrimaryChannel;

/**
 * typedef FN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT - size the rings (client only),
 *   VmbClientChannelInitSetRingBufferPageCount()
 * @Channel: the channel.
 * @IncomingPageCount: pages for the incoming ring.
 * @OutgoingPageCount: pages for the outgoing ring.
 *
 * The guest donates the memory of both rings, so only a client endpoint sets
 * their size. Pages are 4 KiB Hyper-V pages.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled or is a server; STATUS_INVALID_PARAMETER_2/3 for an unusable
 * count.
 */
typedef NTSTATUS FN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT(
	_In_ VMBCHANNEL Channel,
	_In_ UINT32 IncomingPageCount,
	_In_ UINT32 OutgoingPageCount);
typedef FN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT
	*PFN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT;
FN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT VmbClientChannelInitSetRingBufferPageCount;

/**
 * typedef FN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP - VmbClientChannelInitSetTargetPnp(): choose
 *   the offer a client opens
 * @Channel: the channel.
 * @InterfaceType: channel (protocol) type to open.
 * @InterfaceInstance: instance to open; NULL accepts any instance of
 *	@InterfaceType.
 * @PnpFailureCallback: optional; called if opening fails after a matching offer
 *	was found.
 *
 * When the channel is enabled it opens a matching offer that exists, or waits
 * for one. On Hyper-V the offers are the host's VMBus devices; on the loopback
 * transport they are server endpoints in the same kernel.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled; STATUS_INVALID_PARAMETER_2 if @InterfaceType is NULL.
 */
typedef NTSTATUS FN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP(
	_In_ VMBCHANNEL Channel,
	_In_ LPCGUID InterfaceType,
	_In_opt_ LPCGUID InterfaceInstance,
	_In_opt_ PFN_VMB_CHANNEL_PNP_FAILURE PnpFailureCallback);
typedef FN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP *PFN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP;
FN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP VmbClientChannelInitSetTargetPnp;

/**
 * typedef FN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PROCESSOR_INDEX - choose the CPU for incoming
 *   interrupts (client only), VmbClientChannelInitSetTargetProcessorIndex()
 * @Channel: the channel.
 * @ProcessorIndex: CPU that should take the channel's interrupts; a Linux CPU
 *	number. ProcessPacket, completion routines and the send queue run on
 *	it; it must be online when the channel is enabled (else
 *	VmbChannelEnable() returns STATUS_INVALID_PARAMETER_1).
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled; STATUS_INVALID_PARAMETER_2 for a CPU that does not exist.
 */
typedef NTSTATUS FN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PROCESSOR_INDEX(_In_ VMBCHANNEL Channel,
								       _In_ ULONG ProcessorIndex);
typedef FN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PROCESSOR_INDEX
	*PFN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PROCESSOR_INDEX;
FN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PROCESSOR_INDEX VmbClientChannelInitSetTargetProcessorIndex;

/**
 * typedef FN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS - VmbServerChannelInitSetFlags(): set server-only
 *   offer flags
 * @Channel: the channel.
 * @Flags: VMBUS_SERVER_CHANNEL_INIT_FLAG_* bits.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_INVALID_PARAMETER_1 if @Channel is invalid or not disabled or
 * is a client; STATUS_INVALID_PARAMETER_2 for unknown bits; STATUS_SUCCESS.
 */
typedef NTSTATUS FN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS(_In_ VMBCHANNEL Channel,
						      _In_ UINT32 Flags);
typedef FN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS *PFN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS;
FN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS VmbServerChannelInitSetFlags;

/**
 * typedef FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL - VmbServerChannelInitSetTargetVtl(): offer
 *   the channel to one VTL only
 * @Channel: the channel.
 * @TargetVtl: virtual trust level the offer is made to.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled; STATUS_INVALID_PARAMETER_2 for an invalid VTL.
 */
typedef NTSTATUS FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL(_In_ VMBCHANNEL Channel,
							   _In_ UINT8 TargetVtl);
typedef FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL *PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL;
FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL VmbServerChannelInitSetTargetVtl;

/**
 * typedef FN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES - VmbServerChannelInitSetMmioMegabytes():
 *   ask the guest to reserve MMIO space
 * @Channel: the channel.
 * @MmioMegabytes: MMIO space the guest should reserve, in MiB.
 * @MmioMegabytesOptional: additional optional MMIO space, in MiB.
 *
 * The client reads the reservation back with VmbChannelGetMmioSpace().
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled; STATUS_INVALID_PARAMETER if both sizes are 0.
 */
typedef NTSTATUS FN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES(
	_In_ VMBCHANNEL Channel,
	_In_range_(>, 0) UINT16 MmioMegabytes,
	_In_ UINT16 MmioMegabytesOptional);
typedef FN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES
	*PFN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES;
FN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES VmbServerChannelInitSetMmioMegabytes;

/**
 * typedef FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID - set the type and instance of an
 *   offer, VmbServerChannelInitSetTargetInterfaceId()
 * @Channel: the channel.
 * @InterfaceType: channel (protocol) type of the offer.
 * @InterfaceInstance: instance of the offer.
 *
 * Both GUIDs are passed by value. Two offers of the same service share
 * @InterfaceType and differ in @InterfaceInstance; clients match on them.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled.
 */
typedef NTSTATUS FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID(_In_ VMBCHANNEL Channel,
								    _In_ GUID InterfaceType,
								    _In_ GUID InterfaceInstance);
typedef FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID
	*PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID;
FN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID VmbServerChannelInitSetTargetInterfaceId;

/**
 * typedef FN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS - register the per-packet
 *   save/restore callbacks, VmbServerChannelInitSetSaveRestorePacketCallbacks()
 * @Channel: the channel.
 * @SavePacketCallback: called per in-flight packet during
 *	VmbChannelSaveContinue().
 * @RestorePacketCallback: called per saved packet during
 *	VmbChannelRestoreFromBuffer().
 *
 * The last registration, of this or the _Ex kind, wins.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled.
 */
typedef NTSTATUS FN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS(
	_In_ VMBCHANNEL Channel,
	_In_ PFN_VMB_CHANNEL_SAVE_PACKET SavePacketCallback,
	_In_ PFN_VMB_CHANNEL_RESTORE_PACKET RestorePacketCallback);
typedef FN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS
	*PFN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS;
FN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS
	VmbServerChannelInitSetSaveRestorePacketCallbacks;

/**
 * typedef FN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS_EX - register save/restore
 *   callbacks with a context,
 *   VmbServerChannelInitSetSaveRestorePacketCallbacksEx()
 * @Channel: the channel.
 * @SaveRestoreContext: passed to both callbacks.
 * @SavePacketCallback: called per in-flight packet during
 *	VmbChannelSaveContinue().
 * @RestorePacketCallback: called per saved packet during
 *	VmbChannelRestoreFromBuffer().
 *
 * The last registration, of this or the plain kind, wins.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled.
 */
typedef NTSTATUS FN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS_EX(
	_In_ VMBCHANNEL Channel,
	_In_opt_ PVOID SaveRestoreContext,
	_In_ PFN_VMB_CHANNEL_SAVE_PACKET_EX SavePacketCallback,
	_In_ PFN_VMB_CHANNEL_RESTORE_PACKET_EX RestorePacketCallback);
typedef FN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS_EX
	*PFN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS_EX;
FN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS_EX
	VmbServerChannelInitSetSaveRestorePacketCallbacksEx;

/**
 * typedef FN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE - VmbServerChannelInitSetVmbusHandle(): bind
 *   a server channel to one VM's VMBus
 * @Channel: the channel.
 * @VmbusHandle: kernel handle of the target VM's VMBus instance.
 *
 * On a Windows host the handle comes from
 * VmbConvertVmbusHandleToKernelHandle(). The Linux transports have no such
 * handles; see the API status table.
 *
 * Context: process context (PASSIVE_LEVEL), channel disabled.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled; STATUS_NOT_SUPPORTED where the transport has no VMBus instances
 * to choose from.
 */
typedef NTSTATUS FN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE(_In_ VMBCHANNEL Channel,
							     _In_ HANDLE VmbusHandle);
typedef FN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE *PFN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE;
FN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE VmbServerChannelInitSetVmbusHandle;

/**
 * typedef FN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE - VmbConvertVmbusHandleToKernelHandle():
 *   turn a user VMBus handle into a kernel one (server)
 * @VmbusHandle: user-mode VMBus handle of a VM worker process.
 * @KernelHandle: receives a kernel handle the caller closes.
 *
 * Windows-host only: it must run in the process that owns @VmbusHandle. Not
 * tied to a channel.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS or an error; STATUS_NOT_SUPPORTED on the Linux
 * transports.
 */
typedef NTSTATUS FN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE(_In_ HANDLE VmbusHandle,
							      _Out_ PHANDLE KernelHandle);
typedef FN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE *PFN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE;
FN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE VmbConvertVmbusHandleToKernelHandle;

/*
 * Runtime state control. Enable/Disable move a channel along the lifetime axis
 * (disabled, enabled, open, closed); Start/Pause along the run axis (paused,
 * active). Start and Pause may not be called from a state change callback.
 */

/**
 * typedef FN_VMB_CHANNEL_ENABLE - VmbChannelEnable(): connect a disabled channel
 * @Channel: the channel.
 *
 * A server offers the channel; a client opens a matching offer or waits for
 * one. Returns without waiting for the peer: EvtChannelOpened reports the open.
 * A client becomes active (started) implicitly; a server must call
 * VmbChannelStart(). A subchannel may be enabled only while its primary is
 * open.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if @Channel is invalid or
 * not disabled (already enabled), or its target processor is not online;
 * STATUS_INSUFFICIENT_RESOURCES; STATUS_NOT_SUPPORTED if the transport cannot
 * host the endpoint.
 */
typedef _Must_inspect_result_ NTSTATUS FN_VMB_CHANNEL_ENABLE(_In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_ENABLE *PFN_VMB_CHANNEL_ENABLE;
FN_VMB_CHANNEL_ENABLE VmbChannelEnable;

/**
 * typedef FN_VMB_CHANNEL_DISABLE - VmbChannelDisable(): close or revoke a channel and wait
 * @Channel: the channel.
 *
 * A client closes the channel; a server rescinds its offer. Returns only when
 * the channel is paused and closed: EvtChannelSuspend and EvtChannelClosed have
 * run and every incoming packet has been completed. Do not call it from a
 * channel callback.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID FN_VMB_CHANNEL_DISABLE(_In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_DISABLE *PFN_VMB_CHANNEL_DISABLE;
FN_VMB_CHANNEL_DISABLE VmbChannelDisable;

/**
 * typedef FN_VMB_CHANNEL_START - VmbChannelStart(): leave the paused state
 * @Channel: the channel.
 *
 * Once the channel is both open and started, EvtChannelStarted runs, incoming
 * packets start flowing, then EvtChannelPostStarted runs.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID FN_VMB_CHANNEL_START(_In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_START *PFN_VMB_CHANNEL_START;
FN_VMB_CHANNEL_START VmbChannelStart;

/**
 * typedef FN_VMB_CHANNEL_PAUSE - VmbChannelPause(): enter the paused state and wait
 * @Channel: the channel.
 *
 * Stops new incoming packets from being delivered, runs EvtChannelSuspend and
 * waits until every delivered packet has been completed. On a disabled channel
 * it makes the channel start out paused when it is enabled.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID FN_VMB_CHANNEL_PAUSE(_In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_PAUSE *PFN_VMB_CHANNEL_PAUSE;
FN_VMB_CHANNEL_PAUSE VmbChannelPause;

/*
 * Incoming packets. Each invocation of the ProcessPacket callback hands the
 * driver one VMBPACKETCOMPLETION, which stays valid until
 * VmbChannelPacketComplete() (or VmbChannelPacketFail()).
 */

/**
 * typedef FN_VMB_CHANNEL_PACKET_COMPLETE - VmbChannelPacketComplete(): finish with an incoming
 *   packet
 * @PacketCompletionContext: the incoming packet, as passed to the ProcessPacket
 *	callback.
 * @PacketCompletionBuffer: optional payload of the completion message (often a
 *	status).
 * @BufSize: length of @PacketCompletionBuffer in bytes.
 *
 * May be called from the ProcessPacket callback or later. Releases the packet's
 * resources (external data MDLs become invalid), sends a completion carrying
 * @PacketCompletionBuffer if the sender asked for one, and returns transaction
 * quota, which may restart a queue stopped by the quota.
 *
 * Context: any context up to softirq (DISPATCH_LEVEL); does not sleep.
 */
typedef VOID FN_VMB_CHANNEL_PACKET_COMPLETE(
	_In_ VMBPACKETCOMPLETION PacketCompletionContext,
	_In_reads_bytes_opt_(BufSize) PVOID PacketCompletionBuffer,
	_In_ UINT32 BufSize);
typedef FN_VMB_CHANNEL_PACKET_COMPLETE *PFN_VMB_CHANNEL_PACKET_COMPLETE;
FN_VMB_CHANNEL_PACKET_COMPLETE VmbChannelPacketComplete;

/**
 * typedef FN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE - VmbChannelPacketDeferToPassive(): redeliver a
 *   packet in process context
 * @PacketCompletionContext: the incoming packet, as passed to the ProcessPacket
 *	callback.
 *
 * Only from inside the ProcessPacket callback. The packet is queued again and
 * the callback runs for it later from a worker (PASSIVE_LEVEL). Do not complete
 * the packet in the invocation that deferred it.
 *
 * Context: from the ProcessPacket callback only.
 */
typedef VOID FASTCALL FN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE(
	_In_ VMBPACKETCOMPLETION PacketCompletionContext);
typedef FN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE *PFN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE;
FN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE VmbChannelPacketDeferToPassive;

/**
 * typedef FN_VMB_CHANNEL_PACKET_FAIL - VmbChannelPacketFail(): reject a malformed packet and stop
 *   the queue
 * @PacketCompletionContext: the incoming packet, as passed to the ProcessPacket
 *	callback.
 *
 * For a packet so broken that processing the channel further makes no sense.
 * The packet counts as finished and no more packets are delivered.
 *
 * Context: any context up to softirq (DISPATCH_LEVEL); does not sleep.
 */
typedef VOID FASTCALL FN_VMB_CHANNEL_PACKET_FAIL(_In_ VMBPACKETCOMPLETION PacketCompletionContext);
typedef FN_VMB_CHANNEL_PACKET_FAIL *PFN_VMB_CHANNEL_PACKET_FAIL;
FN_VMB_CHANNEL_PACKET_FAIL VmbChannelPacketFail;

/**
 * typedef FN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA - VmbChannelPacketGetExternalData(): get the
 *   external data of an incoming packet
 * @PacketCompletionContext: the incoming packet, as passed to the ProcessPacket
 *	callback.
 * @Flags: VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_* bits.
 * @Mdl: receives the MDL chain describing the external data.
 *
 * The MDLs describe pages that stay pinned until the packet is completed and
 * have no StartVa, but each comes back mapped: MmGetSystemAddressForMdlSafe()
 * returns the mapping at once, in any context. This function never makes a
 * mapping that can sleep, whatever the caller's context looks like:
 * physically consecutive pages are used through the direct map; other pages
 * (and a READ_ONLY mapping) need vmap(), which KMCL's reader makes itself
 * before it calls ProcessPacket in process context (passive delivery, or a
 * packet deferred to passive), writable unless a READ_ONLY call deferred the
 * packet. From a ProcessPacket in softirq context such memory gives
 * STATUS_PENDING: return from the callback without completing; it is called
 * again for the same packet, in process context, with the mapping made. A
 * packet delivered in softirq context and held past ProcessPacket without
 * that call gets STATUS_INSUFFICIENT_RESOURCES later. KMCL owns and frees the
 * MDLs; they become invalid at VmbChannelPacketComplete() or
 * VmbChannelPacketFail(), which never sleep either: their unmapping is left
 * to a worker.
 *
 * Context: any context up to softirq (DISPATCH_LEVEL), under any lock; does
 * not sleep.
 * Return: STATUS_SUCCESS; STATUS_PENDING (see above);
 * STATUS_INVALID_PARAMETER_n; another error if the peer's description is
 * invalid.
 */
typedef NTSTATUS FN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA(
	_In_ VMBPACKETCOMPLETION PacketCompletionContext,
	_In_ UINT32 Flags,
	_Out_ PMDL *Mdl);
typedef FN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA *PFN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA;
FN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA VmbChannelPacketGetExternalData;

/**
 * typedef FN_VMB_CHANNEL_PACKET_GET_CLIENT_CONTEXT - VmbChannelPacketGetClientContext(): driver
 *   context area of an incoming packet
 * @PacketCompletionContext: the incoming packet, as passed to the ProcessPacket
 *	callback.
 *
 * Sized by VmbChannelInitSetClientContextSize().
 *
 * Context: any context; does not sleep.
 * Return: the context area, or NULL if none was reserved.
 */
typedef PVOID FASTCALL FN_VMB_CHANNEL_PACKET_GET_CLIENT_CONTEXT(
	_In_ VMBPACKETCOMPLETION PacketCompletionContext);
typedef FN_VMB_CHANNEL_PACKET_GET_CLIENT_CONTEXT *PFN_VMB_CHANNEL_PACKET_GET_CLIENT_CONTEXT;
FN_VMB_CHANNEL_PACKET_GET_CLIENT_CONTEXT VmbChannelPacketGetClientContext;

/**
 * typedef FN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE - choose where packet callbacks run,
 *   VmbChannelSetIncomingProcessingAtPassive()
 * @Channel: the channel.
 * @RequirePassive: TRUE: deliver incoming packets from a worker (process
 *	context); FALSE: they may also be delivered in softirq context.
 *
 * With TRUE the ProcessPacket and ProcessingComplete callbacks run on an
 * ordered per-channel workqueue and may sleep.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID FN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE(_In_ VMBCHANNEL Channel,
							       _In_ BOOLEAN RequirePassive);
typedef FN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE
	*PFN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE;
FN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE VmbChannelSetIncomingProcessingAtPassive;

/**
 * typedef FN_VMB_CHANNEL_SET_TRANSACTION_QUOTA - VmbChannelSetTransactionQuota(): bound the
 *   outstanding incoming packets
 * @Channel: the channel.
 * @Quota: most incoming packets delivered and not yet completed; must be
 *	greater than 0.
 *
 * May be lowered below the number currently outstanding: no more packets are
 * taken from the ring until enough complete. Raising it does not by itself
 * restart a queue the quota stopped; the next completion does.
 *
 * Context: any context up to softirq (DISPATCH_LEVEL); does not sleep.
 */
typedef VOID FN_VMB_CHANNEL_SET_TRANSACTION_QUOTA(_In_ VMBCHANNEL Channel,
						  _In_ UINT32 Quota);
typedef FN_VMB_CHANNEL_SET_TRANSACTION_QUOTA *PFN_VMB_CHANNEL_SET_TRANSACTION_QUOTA;
FN_VMB_CHANNEL_SET_TRANSACTION_QUOTA VmbChannelSetTransactionQuota;

/**
 * typedef FN_VMB_CHANNEL_SET_ALLOWABLE_DPC_CPU_USAGE - VmbChannelSetAllowableDpcCpuUsage(): cap
 *   the CPU time spent on incoming packets
 * @Channel: the channel.
 * @CpuPercentage: share of a tracking window packet processing in softirq
 *	context may use.
 *
 * When the budget is used up, the rest of the batch is handed to a worker,
 * in order; nothing is dropped.
 *
 * Context: any context up to softirq (DISPATCH_LEVEL); does not sleep.
 */
typedef VOID FN_VMB_CHANNEL_SET_ALLOWABLE_DPC_CPU_USAGE(_In_ VMBCHANNEL Channel,
							_In_range_(1, 100) UINT8 CpuPercentage);
typedef FN_VMB_CHANNEL_SET_ALLOWABLE_DPC_CPU_USAGE *PFN_VMB_CHANNEL_SET_ALLOWABLE_DPC_CPU_USAGE;
FN_VMB_CHANNEL_SET_ALLOWABLE_DPC_CPU_USAGE VmbChannelSetAllowableDpcCpuUsage;

/*
 * Outgoing packets. A packet object carries one transaction: it reserves
 * everything a send needs when it is allocated, so sending never fails for lack
 * of memory. Packet objects may be reused after their completion routine ran.
 */

/**
 * typedef FN_VMB_PACKET_ALLOCATE - VmbPacketAllocate(): get a packet object
 * @Channel: the channel.
 *
 * Comes from the channel's cache. Its default completion routine frees it; a
 * packet that is never sent, or whose completion routine was replaced, must be
 * freed with VmbPacketFree().
 *
 * Context: any context up to softirq (DISPATCH_LEVEL); does not sleep.
 * Return: the packet, or NULL if none is available.
 */
typedef VMBPACKET FN_VMB_PACKET_ALLOCATE(_In_ VMBCHANNEL Channel);
typedef FN_VMB_PACKET_ALLOCATE *PFN_VMB_PACKET_ALLOCATE;
FN_VMB_PACKET_ALLOCATE VmbPacketAllocate;

/**
 * typedef FN_VMB_PACKET_INITIALIZE - VmbPacketInitialize(): build a packet object in caller memory
 * @Channel: the channel.
 * @VmbPacket: caller memory that becomes the packet object.
 * @ByteCount: size of @VmbPacket; at least VmbChannelSizeofPacket().
 *
 * An alternative to VmbPacketAllocate(). The packet has no usable completion
 * routine until VmbPacketSetCompletionRoutine() is called. Never pass the
 * result to VmbPacketFree().
 *
 * Context: any context up to softirq (DISPATCH_LEVEL); does not sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a bad channel;
 * STATUS_INVALID_PARAMETER_3 if @ByteCount is too small.
 */
typedef NTSTATUS FN_VMB_PACKET_INITIALIZE(_In_ VMBCHANNEL Channel,
					  _Out_writes_bytes_(ByteCount) VMBPACKET VmbPacket,
					  _In_ UINT32 ByteCount);
typedef FN_VMB_PACKET_INITIALIZE *PFN_VMB_PACKET_INITIALIZE;
FN_VMB_PACKET_INITIALIZE VmbPacketInitialize;

/**
 * typedef FN_VMB_CHANNEL_SIZEOF_PACKET - VmbChannelSizeofPacket(): bytes needed for
 *   VmbPacketInitialize()
 * @Channel: the channel.
 *
 * Depends on the channel's settings (maximum packet size, context sizes).
 *
 * Context: any context; does not sleep.
 * Return: the buffer size in bytes, or 0 for an invalid channel.
 */
typedef UINT32 FN_VMB_CHANNEL_SIZEOF_PACKET(_In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_SIZEOF_PACKET *PFN_VMB_CHANNEL_SIZEOF_PACKET;
FN_VMB_CHANNEL_SIZEOF_PACKET VmbChannelSizeofPacket;

/**
 * typedef FN_VMB_PACKET_FREE - VmbPacketFree(): return a packet object to its channel
 * @VmbPacket: a packet from VmbPacketAllocate().
 *
 * Context: any context up to softirq (DISPATCH_LEVEL); does not sleep.
 */
typedef VOID FN_VMB_PACKET_FREE(_In_ __drv_freesMem(Mem) VMBPACKET VmbPacket);
typedef FN_VMB_PACKET_FREE *PFN_VMB_PACKET_FREE;
FN_VMB_PACKET_FREE VmbPacketFree;

/**
 * typedef FN_VMB_PACKET_SET_COMPLETION_ROUTINE - VmbPacketSetCompletionRoutine(): set the
 *   completion routine
 * @PacketObject: the packet object.
 * @CompletionRoutine: called once when the packet's transaction ends.
 *
 * Replacing the default routine makes the driver responsible for freeing the
 * packet.
 *
 * Context: any context; does not sleep.
 */
typedef VOID FN_VMB_PACKET_SET_COMPLETION_ROUTINE(
	_In_ VMBPACKET PacketObject,
	_In_ PFN_VMB_PACKET_COMPLETION_ROUTINE CompletionRoutine);
typedef FN_VMB_PACKET_SET_COMPLETION_ROUTINE *PFN_VMB_PACKET_SET_COMPLETION_ROUTINE;
FN_VMB_PACKET_SET_COMPLETION_ROUTINE VmbPacketSetCompletionRoutine;

/**
 * typedef FN_VMB_PACKET_SET_COMPLETION_ROUTINE_EX - VmbPacketSetCompletionRoutineEx(): set the
 *   completion routine with a context
 * @PacketObject: the packet object.
 * @CallbackContext: passed to @CompletionRoutineEx.
 * @CompletionRoutineEx: called once when the packet's transaction ends.
 *
 * As VmbPacketSetCompletionRoutine().
 *
 * Context: any context; does not sleep.
 */
typedef VOID FN_VMB_PACKET_SET_COMPLETION_ROUTINE_EX(
	_In_ VMBPACKET PacketObject,
	_In_opt_ PVOID CallbackContext,
	_In_ PFN_VMB_PACKET_COMPLETION_ROUTINE_EX CompletionRoutineEx);
typedef FN_VMB_PACKET_SET_COMPLETION_ROUTINE_EX *PFN_VMB_PACKET_SET_COMPLETION_ROUTINE_EX;
FN_VMB_PACKET_SET_COMPLETION_ROUTINE_EX VmbPacketSetCompletionRoutineEx;

/**
 * typedef FN_VMB_PACKET_SEND - VmbPacketSend(): send a packet
 * @PacketObject: the packet object.
 * @Buffer: inline bytes, copied into the ring.
 * @BufferLength: length of @Buffer. With the headers (see
 *	KMCL_PACKET_OVERHEAD_*) it must fit both the outgoing ring and
 *	KMCL_PACKET_MTU.
 * @ExternalDataMdl: optional MDL chain sent as external data.
 * @Flags: VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION and/or
 *	VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER.
 *
 * If the ring is full the packet waits in the channel's queue; it is never
 * dropped. The completion routine runs exactly once: when the packet is in the
 * ring, or, with WAIT_FOR_COMPLETION, when the peer's completion arrives (its
 * payload is passed to the routine). With PAGED_BUFFER @Buffer is copied before
 * the call returns and the caller must be in process context.
 *
 * Context: any context up to softirq (DISPATCH_LEVEL); does not sleep.
 * Return: STATUS_SUCCESS (or STATUS_PENDING) if the packet was accepted; an
 * error if not, in which case the completion routine does not run. On a pipe
 * channel (VmbChannelInitSetFlags()) an @ExternalDataMdl is
 * STATUS_INVALID_PARAMETER_4 and WAIT_FOR_COMPLETION STATUS_INVALID_PARAMETER_5.
 */
typedef NTSTATUS FN_VMB_PACKET_SEND(_In_ __drv_aliasesMem VMBPACKET PacketObject,
				    _In_reads_bytes_(BufferLength) PVOID Buffer,
				    _In_ UINT32 BufferLength,
				    _In_opt_ PMDL ExternalDataMdl,
				    _In_ UINT32 Flags);
typedef FN_VMB_PACKET_SEND *PFN_VMB_PACKET_SEND;
FN_VMB_PACKET_SEND VmbPacketSend;

/**
 * typedef FN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL - VmbPacketSendWithExternalMdl(): send a packet
 *   with part of an MDL chain
 * @PacketObject: the packet object.
 * @Buffer: inline bytes, copied into the ring.
 * @BufferLength: length of @Buffer. With the headers (see
 *	KMCL_PACKET_OVERHEAD_*) it must fit both the outgoing ring and
 *	KMCL_PACKET_MTU.
 * @ExternalDataMdl: MDL chain sent as external data.
 * @MdlOffset: offset of the data in the chain.
 * @MdlLength: length of the data; 0 for all of it.
 * @Flags: must include WAIT_FOR_COMPLETION; may add FORCE_MDL_LENGTH and
 *	PAGED_BUFFER.
 *
 * As VmbPacketSend(), for a window of the MDL chain. FORCE_MDL_LENGTH uses
 * @MdlLength even past the MDL's ByteCount, up to the end of its last page, and
 * then only the first MDL of the chain is used.
 *
 * Context: any context up to softirq (DISPATCH_LEVEL); does not sleep.
 * Return: as VmbPacketSend(); STATUS_INVALID_PARAMETER_7 without
 * WAIT_FOR_COMPLETION; STATUS_INVALID_PARAMETER_4 on a pipe channel.
 */
typedef NTSTATUS FN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL(_In_ __drv_aliasesMem VMBPACKET PacketObject,
						      _In_reads_bytes_(BufferLength) PVOID Buffer,
						      _In_ UINT32 BufferLength,
						      _In_ PMDL ExternalDataMdl,
						      _In_ UINT32 MdlOffset,
						      _In_ UINT32 MdlLength,
						      _In_ UINT32 Flags);
typedef FN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL *PFN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL;
FN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL VmbPacketSendWithExternalMdl;

/**
 * typedef FN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS - VmbPacketSendWithExternalPfns(): send a packet
 *   with external data given as page numbers
 * @PacketObject: the packet object.
 * @Buffer: inline bytes, copied into the ring.
 * @BufferLength: length of @Buffer. With the headers (see
 *	KMCL_PACKET_OVERHEAD_*) it must fit both the outgoing ring and
 *	KMCL_PACKET_MTU.
 * @ExternalDataPfns: 4 KiB Hyper-V page numbers of the external data.
 * @PfnLength: number of entries in @ExternalDataPfns.
 * @Flags: must include WAIT_FOR_COMPLETION; may add PAGED_BUFFER.
 *
 * As VmbPacketSend(), with whole pages described by their frame numbers. Not
 * usable in confidential VMs, where guest pages cannot be shared by number.
 *
 * Context: any context up to softirq (DISPATCH_LEVEL); does not sleep.
 * Return: as VmbPacketSend(); STATUS_INVALID_PARAMETER_6 without
 * WAIT_FOR_COMPLETION; STATUS_INVALID_PARAMETER_4 on a pipe channel.
 */
typedef NTSTATUS FN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS(
	_In_ __drv_aliasesMem VMBPACKET PacketObject,
	_In_reads_bytes_(BufferLength) PVOID Buffer,
	_In_ UINT32 BufferLength,
	_In_reads_(PfnLength) PPFN_NUMBER ExternalDataPfns,
	_In_ UINT32 PfnLength,
	_In_ UINT32 Flags);
typedef FN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS *PFN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS;
FN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS VmbPacketSendWithExternalPfns;

/**
 * typedef FN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST - VmbChannelSendSynchronousRequest(): send a
 *   packet and wait for the answer
 * @Channel: the channel.
 * @Buffer: inline bytes to send.
 * @BufferSize: length of @Buffer; same limits as VmbPacketSend().
 * @ExternalDataMdl: optional MDL chain sent as external data.
 * @Flags: VMBUS_CHANNEL_FORMAT_FLAG_* bits.
 * @CompletionBuffer: optional; receives the peer's completion payload.
 * @CompletionBufferSize: in: size of @CompletionBuffer, a multiple of 8; out:
 *	bytes written.
 * @Timeout: optional; in 100 ns units, negative for a relative wait
 *	(KeWaitForSingleObject style). NULL waits forever.
 *
 * Needs no packet object. When the timeout expires the packet is cancelled.
 * With a zero timeout a packet that does not fit in the ring right now is not
 * queued. A client may use any combination; a server may only send with a zero
 * timeout and without WAIT_FOR_COMPLETION. Never call it from EvtChannelStarted
 * (packets are not flowing yet, so it would never return);
 * EvtChannelPostStarted is the place for protocol negotiation.
 *
 * Context: process context (PASSIVE_LEVEL), may sleep; only with *@Timeout == 0
 * and no WAIT_FOR_COMPLETION also up to softirq (DISPATCH_LEVEL).
 * Return: STATUS_SUCCESS; STATUS_BUFFER_OVERFLOW if it did not fit and was not
 * queued; STATUS_CANCELLED on timeout; STATUS_DEVICE_REMOVED if the channel is
 * closing; STATUS_INVALID_PARAMETER_n, e.g. for a size that is not a multiple
 * of 8, and on a pipe channel _4 for an @ExternalDataMdl and _5 for
 * WAIT_FOR_COMPLETION.
 */
typedef NTSTATUS FN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST(
	_In_ VMBCHANNEL Channel,
	_In_reads_bytes_(BufferSize) PVOID Buffer,
	_In_ UINT32 BufferSize,
	_In_opt_ PMDL ExternalDataMdl,
	_In_ UINT32 Flags,
	_Out_writes_bytes_opt_(*CompletionBufferSize) PVOID CompletionBuffer,
	_Inout_opt_ PUINT32 CompletionBufferSize,
	_In_opt_ PLARGE_INTEGER Timeout);
typedef FN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST *PFN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST;
FN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST VmbChannelSendSynchronousRequest;

/**
 * typedef FN_VMB_PACKET_SET_POINTER - VmbPacketSetPointer(): store a driver pointer in a packet
 *   object
 * @PacketObject: the packet object.
 * @Pointer: any driver value.
 *
 * Context: any context; does not sleep.
 */
typedef VOID FASTCALL FN_VMB_PACKET_SET_POINTER(_In_ VMBPACKET PacketObject,
						_In_opt_ PVOID Pointer);
typedef FN_VMB_PACKET_SET_POINTER *PFN_VMB_PACKET_SET_POINTER;
FN_VMB_PACKET_SET_POINTER VmbPacketSetPointer;

/**
 * typedef FN_VMB_PACKET_GET_POINTER - VmbPacketGetPointer(): read the pointer stored in a packet
 *   object
 * @PacketObject: the packet object.
 *
 * Context: any context; does not sleep.
 * Return: the value last stored with VmbPacketSetPointer(), or NULL.
 */
typedef PVOID FASTCALL FN_VMB_PACKET_GET_POINTER(_In_ VMBPACKET PacketObject);
typedef FN_VMB_PACKET_GET_POINTER *PFN_VMB_PACKET_GET_POINTER;
FN_VMB_PACKET_GET_POINTER VmbPacketGetPointer;

/**
 * typedef FN_VMB_PACKET_GET_CHANNEL - VmbPacketGetChannel(): channel a packet object belongs to
 * @PacketObject: the packet object.
 *
 * Context: any context; does not sleep.
 * Return: the channel.
 */
typedef VMBCHANNEL FASTCALL FN_VMB_PACKET_GET_CHANNEL(_In_ VMBPACKET PacketObject);
typedef FN_VMB_PACKET_GET_CHANNEL *PFN_VMB_PACKET_GET_CHANNEL;
FN_VMB_PACKET_GET_CHANNEL VmbPacketGetChannel;

/**
 * typedef FN_VMB_PACKET_GET_INLINE_PACKET_CONTEXT_POINTER - driver context area of an outgoing
 *   packet, VmbPacketGetInlinePacketContextPointer()
 * @PacketObject: the packet object.
 *
 * Sized by VmbChannelInitSetInlinePacketContextSize().
 *
 * Context: any context; does not sleep.
 * Return: the context area, or NULL if none was reserved.
 */
typedef PVOID FASTCALL FN_VMB_PACKET_GET_INLINE_PACKET_CONTEXT_POINTER(_In_ VMBPACKET PacketObject);
typedef FN_VMB_PACKET_GET_INLINE_PACKET_CONTEXT_POINTER
	*PFN_VMB_PACKET_GET_INLINE_PACKET_CONTEXT_POINTER;
FN_VMB_PACKET_GET_INLINE_PACKET_CONTEXT_POINTER VmbPacketGetInlinePacketContextPointer;

/*
 * GPADLs: guest memory shared with the peer for longer than one packet. The
 * client (guest) creates them and tells the server their handle in a message of
 * its own protocol; the server maps them. Long-lived GPADLs are created in or
 * after EvtChannelOpened and must all be deleted in EvtChannelClosed.
 */

/**
 * typedef FN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER - VmbChannelCreateGpadlFromBuffer(): share a
 *   kernel buffer with the peer (client)
 * @Channel: the channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY or 0. Read-only is a hint for the
 *	host, not a protection.
 * @Buffer: kernel buffer to share.
 * @ByteCount: length of @Buffer.
 * @GpadlHandle: receives the GPADL handle.
 *
 * Returns once the peer has acknowledged the GPADL, so the server may map it
 * straight away. The buffer must stay allocated until VmbChannelDeleteGpadl().
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS; STATUS_INSUFFICIENT_RESOURCES;
 * STATUS_INVALID_PARAMETER_n; an error if the channel is not open or the peer
 * refused.
 */
typedef NTSTATUS FN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER(_In_ VMBCHANNEL Channel,
							 _In_ UINT32 Flags,
							 _In_reads_bytes_(ByteCount) PVOID Buffer,
							 _In_ UINT32 ByteCount,
							 _Out_ PUINT32 GpadlHandle);
typedef FN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER *PFN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER;
FN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER VmbChannelCreateGpadlFromBuffer;

/**
 * typedef FN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL - VmbChannelCreateGpadlFromMdl(): share memory
 *   described by an MDL chain (client)
 * @Channel: the channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY or 0. Read-only is a hint for the
 *	host, not a protection.
 * @Mdl: MDL chain describing the memory.
 * @StartOffsetWithinMdl: offset of the shared range in the chain.
 * @DataLengthWithinMdl: length of the range; 0 for the rest of the chain.
 * @GpadlHandle: receives the GPADL handle.
 *
 * As VmbChannelCreateGpadlFromBuffer().
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: as VmbChannelCreateGpadlFromBuffer().
 */
typedef NTSTATUS FN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL(_In_ VMBCHANNEL Channel,
						      _In_ UINT32 Flags,
						      _In_ PMDL Mdl,
						      _In_ UINT32 StartOffsetWithinMdl,
						      _In_ UINT32 DataLengthWithinMdl,
						      _Out_ PUINT32 GpadlHandle);
typedef FN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL *PFN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL;
FN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL VmbChannelCreateGpadlFromMdl;

/**
 * typedef FN_VMB_CHANNEL_CREATE_GPADL_FROM_PFN_LIST - VmbChannelCreateGpadlFromPfnList(): share
 *   pages given by frame number (client)
 * @Channel: the channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY or 0. Read-only is a hint for the
 *	host, not a protection.
 * @PfnList: 4 KiB Hyper-V page numbers of pages the caller keeps allocated.
 * @PfnListCount: number of entries in @PfnList.
 * @GpadlHandle: receives the GPADL handle.
 *
 * As VmbChannelCreateGpadlFromBuffer(), for pages the caller has already
 * allocated and pinned.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: as VmbChannelCreateGpadlFromBuffer().
 */
typedef NTSTATUS FN_VMB_CHANNEL_CREATE_GPADL_FROM_PFN_LIST(
	_In_ VMBCHANNEL Channel,
	_In_ UINT32 Flags,
	_In_reads_(PfnListCount) PPFN_NUMBER PfnList,
	_In_ UINT32 PfnListCount,
	_Out_ PUINT32 GpadlHandle);
typedef FN_VMB_CHANNEL_CREATE_GPADL_FROM_PFN_LIST *PFN_VMB_CHANNEL_CREATE_GPADL_FROM_PFN_LIST;
FN_VMB_CHANNEL_CREATE_GPADL_FROM_PFN_LIST VmbChannelCreateGpadlFromPfnList;

/**
 * typedef FN_VMB_CHANNEL_CREATE_GPADL - VmbChannelCreateGpadl(): allocate and share a new buffer
 *   (client)
 * @Channel: the channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY or 0. Read-only is a hint for the
 *	host, not a protection.
 * @PageCount: size of the buffer in 4 KiB pages.
 * @GpadlHandle: receives the GPADL handle.
 *
 * KMCL allocates the memory; VmbChannelGetSystemAddressForGpadl() gives its
 * kernel address. Declared by the Windows header but in no interface table.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: as VmbChannelCreateGpadlFromBuffer().
 */
typedef NTSTATUS FN_VMB_CHANNEL_CREATE_GPADL(_In_ VMBCHANNEL Channel,
					     _In_ UINT32 Flags,
					     _In_ UINT32 PageCount,
					     _Out_ PUINT32 GpadlHandle);
typedef FN_VMB_CHANNEL_CREATE_GPADL *PFN_VMB_CHANNEL_CREATE_GPADL;
FN_VMB_CHANNEL_CREATE_GPADL VmbChannelCreateGpadl;

/**
 * typedef FN_VMB_CHANNEL_GET_SYSTEM_ADDRESS_FOR_GPADL - VmbChannelGetSystemAddressForGpadl():
 *   kernel address of a VmbChannelCreateGpadl() buffer
 * @Channel: the channel.
 * @Flags: reserved; pass 0.
 * @GpadlHandle: a GPADL from VmbChannelCreateGpadl().
 * @SystemAddress: receives the kernel address of the buffer.
 *
 * Maps the buffer on first use. Declared by the Windows header but in no
 * interface table.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_n for an unknown handle;
 * STATUS_INSUFFICIENT_RESOURCES.
 */
typedef NTSTATUS FN_VMB_CHANNEL_GET_SYSTEM_ADDRESS_FOR_GPADL(_In_ VMBCHANNEL Channel,
							     _In_ UINT32 Flags,
							     _In_ UINT32 GpadlHandle,
							     _Out_ PVOID *SystemAddress);
typedef FN_VMB_CHANNEL_GET_SYSTEM_ADDRESS_FOR_GPADL *PFN_VMB_CHANNEL_GET_SYSTEM_ADDRESS_FOR_GPADL;
FN_VMB_CHANNEL_GET_SYSTEM_ADDRESS_FOR_GPADL VmbChannelGetSystemAddressForGpadl;

/**
 * typedef FN_VMB_CHANNEL_DELETE_GPADL - VmbChannelDeleteGpadl(): stop sharing a GPADL (client)
 * @Channel: the channel.
 * @GpadlHandle: a GPADL created on this channel.
 *
 * If the server still has the GPADL mapped, waits until it unmaps it (or the
 * channel closes).
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID FN_VMB_CHANNEL_DELETE_GPADL(_In_ VMBCHANNEL Channel,
					 _In_ UINT32 GpadlHandle);
typedef FN_VMB_CHANNEL_DELETE_GPADL *PFN_VMB_CHANNEL_DELETE_GPADL;
FN_VMB_CHANNEL_DELETE_GPADL VmbChannelDeleteGpadl;

/**
 * typedef FN_VMB_CHANNEL_MAP_GPADL - VmbChannelMapGpadl(): map a client GPADL (server)
 * @Channel: the channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY or 0.
 * @GpadlHandle: handle received from the client.
 * @Mdl: receives an MDL describing the client's pages.
 *
 * The MDL has no kernel mapping yet. A GPADL can be mapped once at a time; pair
 * every map with VmbChannelUnmapGpadl(). Without READ_ONLY, mapping a GPADL the
 * client created read-only fails.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS; an error for an unknown or already mapped handle or a
 * refused access mode.
 */
typedef NTSTATUS FN_VMB_CHANNEL_MAP_GPADL(_In_ VMBCHANNEL Channel,
					  _In_ UINT32 Flags,
					  _In_ UINT32 GpadlHandle,
					  _Out_ PMDL *Mdl);
typedef FN_VMB_CHANNEL_MAP_GPADL *PFN_VMB_CHANNEL_MAP_GPADL;
FN_VMB_CHANNEL_MAP_GPADL VmbChannelMapGpadl;

/**
 * typedef FN_VMB_CHANNEL_UNMAP_GPADL - VmbChannelUnmapGpadl(): unmap a client GPADL (server)
 * @Channel: the channel.
 * @GpadlHandle: a GPADL mapped with VmbChannelMapGpadl().
 *
 * The server must have stopped using the memory.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID FN_VMB_CHANNEL_UNMAP_GPADL(_In_ VMBCHANNEL Channel,
					_In_ UINT32 GpadlHandle);
typedef FN_VMB_CHANNEL_UNMAP_GPADL *PFN_VMB_CHANNEL_UNMAP_GPADL;
FN_VMB_CHANNEL_UNMAP_GPADL VmbChannelUnmapGpadl;

/**
 * typedef FN_VMB_CHANNEL_ALLOCATE_BOUNCE_BUFFER - VmbChannelAllocateBounceBuffer(): add bounce
 *   buffer space (client)
 * @Channel: the channel.
 * @BufferSize: size in bytes, a multiple of 4 KiB.
 *
 * For isolated guests, where external data is copied through a shared bounce
 * buffer instead of being described page by page.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS; STATUS_NOT_SUPPORTED on a server;
 * STATUS_INSUFFICIENT_RESOURCES; STATUS_INVALID_PARAMETER.
 */
typedef NTSTATUS FN_VMB_CHANNEL_ALLOCATE_BOUNCE_BUFFER(_In_ VMBCHANNEL Channel,
						       _In_ UINT32 BufferSize);
typedef FN_VMB_CHANNEL_ALLOCATE_BOUNCE_BUFFER *PFN_VMB_CHANNEL_ALLOCATE_BOUNCE_BUFFER;
FN_VMB_CHANNEL_ALLOCATE_BOUNCE_BUFFER VmbChannelAllocateBounceBuffer;

/*
 * Save and restore of server channels (live migration, VM save). Saving:
 * VmbChannelSaveBegin(), VmbChannelSaveContinue() until it succeeds,
 * VmbChannelSaveEnd(). The per-packet callbacks let the driver add its own
 * state for each packet in flight.
 */

/**
 * typedef FN_VMB_CHANNEL_SAVE_BEGIN - VmbChannelSaveBegin(): start saving a channel (server)
 * @Channel: the channel.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS or an error.
 */
typedef _Must_inspect_result_ NTSTATUS FN_VMB_CHANNEL_SAVE_BEGIN(_In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_SAVE_BEGIN *PFN_VMB_CHANNEL_SAVE_BEGIN;
FN_VMB_CHANNEL_SAVE_BEGIN VmbChannelSaveBegin;

/**
 * typedef FN_VMB_CHANNEL_SAVE_CONTINUE - VmbChannelSaveContinue(): save the next part of a
 *   channel's state (server)
 * @Channel: the channel.
 * @SaveBuffer: receives the next chunk(s) of saved state.
 * @SaveBufferSize: size of @SaveBuffer.
 * @BytesFilled: receives the bytes written.
 * @BytesRequired: receives the buffer size the next call needs to make
 *	progress.
 *
 * State is written in whole chunks, so a save can continue where it stopped.
 * The save packet callback runs here for packets in flight.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS when everything is saved; STATUS_BUFFER_OVERFLOW if
 * some was written and more remains; STATUS_BUFFER_TOO_SMALL if nothing fitted
 * (see @BytesRequired).
 */
typedef _Must_inspect_result_ NTSTATUS FN_VMB_CHANNEL_SAVE_CONTINUE(
	_In_ VMBCHANNEL Channel,
	_Out_writes_bytes_to_(SaveBufferSize, *BytesFilled) PVOID SaveBuffer,
	_In_ ULONG SaveBufferSize,
	_Out_ PULONG BytesFilled,
	_Out_ PULONG BytesRequired);
typedef FN_VMB_CHANNEL_SAVE_CONTINUE *PFN_VMB_CHANNEL_SAVE_CONTINUE;
FN_VMB_CHANNEL_SAVE_CONTINUE VmbChannelSaveContinue;

/**
 * typedef FN_VMB_CHANNEL_SAVE_END - VmbChannelSaveEnd(): finish saving a channel (server)
 * @Channel: the channel.
 *
 * Frees what VmbChannelSaveBegin() set up.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 */
typedef VOID FN_VMB_CHANNEL_SAVE_END(_In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_SAVE_END *PFN_VMB_CHANNEL_SAVE_END;
FN_VMB_CHANNEL_SAVE_END VmbChannelSaveEnd;

/**
 * typedef FN_VMB_CHANNEL_RESTORE_FROM_BUFFER - VmbChannelRestoreFromBuffer(): restore a channel
 *   from saved state (server)
 * @Channel: the channel.
 * @Buffer: saved state: whole chunks from VmbChannelSaveContinue().
 * @BufferSize: length of @Buffer.
 *
 * The restore packet callback runs for every saved packet; it allocates a
 * packet object and passes the library state to VmbPacketRestore().
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS when done; STATUS_MORE_PROCESSING_REQUIRED if more
 * saved chunks follow; an error if the state is invalid.
 */
typedef _Must_inspect_result_ NTSTATUS FN_VMB_CHANNEL_RESTORE_FROM_BUFFER(
	_In_ VMBCHANNEL Channel,
	_In_reads_bytes_(BufferSize) PVOID Buffer,
	_In_ ULONG BufferSize);
typedef FN_VMB_CHANNEL_RESTORE_FROM_BUFFER *PFN_VMB_CHANNEL_RESTORE_FROM_BUFFER;
FN_VMB_CHANNEL_RESTORE_FROM_BUFFER VmbChannelRestoreFromBuffer;

/**
 * typedef FN_VMB_PACKET_RESTORE - VmbPacketRestore(): restore one in-flight packet (server)
 * @PacketObject: a freshly allocated packet.
 * @Buffer: the LibBuf handed to the restore packet callback.
 * @BufferSize: the LibBufSize handed to the callback.
 *
 * Only from the restore packet callback. The packet object then stands for
 * the saved packet: pass it, as a VMBPACKETCOMPLETION, to
 * VmbChannelPacketComplete() (or Fail) once the channel is open.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS or an error if @Buffer is not valid saved packet
 * state.
 */
typedef NTSTATUS FN_VMB_PACKET_RESTORE(_In_ __drv_aliasesMem VMBPACKET PacketObject,
				       _In_reads_bytes_(BufferSize) PVOID Buffer,
				       _In_ ULONG BufferSize);
typedef FN_VMB_PACKET_RESTORE *PFN_VMB_PACKET_RESTORE;
FN_VMB_PACKET_RESTORE VmbPacketRestore;

/*
 * Queries and per-channel driver data.
 */

/**
 * typedef FN_VMB_CHANNEL_SET_POINTER - VmbChannelSetPointer(): store a driver pointer in a channel
 * @Channel: the channel.
 * @Pointer: any driver value.
 *
 * Context: any context; does not sleep.
 */
typedef VOID FASTCALL FN_VMB_CHANNEL_SET_POINTER(_In_ VMBCHANNEL Channel,
						 _In_opt_ __drv_aliasesMem PVOID Pointer);
typedef FN_VMB_CHANNEL_SET_POINTER *PFN_VMB_CHANNEL_SET_POINTER;
FN_VMB_CHANNEL_SET_POINTER VmbChannelSetPointer;

/**
 * typedef FN_VMB_CHANNEL_GET_POINTER - VmbChannelGetPointer(): read the pointer stored in a
 *   channel
 * @Channel: the channel.
 *
 * Context: any context; does not sleep.
 * Return: the value last stored with VmbChannelSetPointer(), or NULL.
 */
typedef PVOID FASTCALL FN_VMB_CHANNEL_GET_POINTER(_In_ VMBCHANNEL Channel);
typedef FN_VMB_CHANNEL_GET_POINTER *PFN_VMB_CHANNEL_GET_POINTER;
FN_VMB_CHANNEL_GET_POINTER VmbChannelGetPointer;

/**
 * typedef FN_VMB_CHANNEL_GET_INTERFACE_INSTANCE - VmbChannelGetInterfaceInstance(): instance GUID
 *   of the channel
 * @Channel: the channel.
 * @InterfaceInstance: receives the instance GUID.
 *
 * The instance GUID identifies the channel uniquely.
 *
 * Context: any context; does not sleep.
 */
typedef VOID FN_VMB_CHANNEL_GET_INTERFACE_INSTANCE(_In_ VMBCHANNEL Channel,
						   _Out_ LPGUID InterfaceInstance);
typedef FN_VMB_CHANNEL_GET_INTERFACE_INSTANCE *PFN_VMB_CHANNEL_GET_INTERFACE_INSTANCE;
FN_VMB_CHANNEL_GET_INTERFACE_INSTANCE VmbChannelGetInterfaceInstance;

/**
 * typedef FN_VMB_CHANNEL_GET_MMIO_SPACE - VmbChannelGetMmioSpace(): MMIO range reserved for the
 *   channel (client)
 * @Channel: the channel.
 * @MmioAddress: receives the guest physical address of the range.
 * @MmioSize: receives its size in bytes (0 if none).
 *
 * The range the server asked for with VmbServerChannelInitSetMmioMegabytes().
 * Valid once EvtChannelOpened has run.
 *
 * Context: any context; does not sleep.
 */
typedef VOID FN_VMB_CHANNEL_GET_MMIO_SPACE(_In_ VMBCHANNEL Channel,
					   _Out_ UINT64 *MmioAddress,
					   _Out_ UINT64 *MmioSize);
typedef FN_VMB_CHANNEL_GET_MMIO_SPACE *PFN_VMB_CHANNEL_GET_MMIO_SPACE;
FN_VMB_CHANNEL_GET_MMIO_SPACE VmbChannelGetMmioSpace;

/**
 * typedef FN_VMB_CHANNEL_SET_INTERRUPT_LATENCY - VmbChannelSetInterruptLatency(): tune the
 *   guest-to-host notification latency (client)
 * @Channel: the channel.
 * @Latency: monitored-notification latency, in 100 ns units.
 * @OriginalLatency: receives the previous value.
 *
 * Valid from EvtChannelOpened to EvtChannelClosed, inclusive.
 *
 * Context: process context (PASSIVE_LEVEL); may sleep.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 if the channel is not
 * open; STATUS_NOT_SUPPORTED (nothing changed) where the transport cannot
 * change how it notifies the peer at all: kmcl_hv on a kernel without
 * channel->low_latency. Loopback, which has no monitored notifications,
 * keeps and reports the value.
 */
typedef _Must_inspect_result_ NTSTATUS FN_VMB_CHANNEL_SET_INTERRUPT_LATENCY(
	_In_ VMBCHANNEL Channel,
	_In_ UINT16 Latency,
	_Out_ PUINT16 OriginalLatency);
typedef FN_VMB_CHANNEL_SET_INTERRUPT_LATENCY *PFN_VMB_CHANNEL_SET_INTERRUPT_LATENCY;
FN_VMB_CHANNEL_SET_INTERRUPT_LATENCY VmbChannelSetInterruptLatency;

/**
 * typedef FN_VMB_CHANNEL_GET_TARGET_DEVICE_OBJECT - VmbChannelGetTargetDeviceObject(): device that
 *   represents the opened offer
 * @Channel: the channel.
 * @TargetDeviceObject: receives the device of the VMBus channel (the
 *	hv_device's struct device on Hyper-V), or NULL.
 *
 * Context: any context; does not sleep.
 */
typedef VOID FN_VMB_CHANNEL_GET_TARGET_DEVICE_OBJECT(_In_ VMBCHANNEL Channel,
						     _Out_ PDEVICE_OBJECT *TargetDeviceObject);
typedef FN_VMB_CHANNEL_GET_TARGET_DEVICE_OBJECT *PFN_VMB_CHANNEL_GET_TARGET_DEVICE_OBJECT;
FN_VMB_CHANNEL_GET_TARGET_DEVICE_OBJECT VmbChannelGetTargetDeviceObject;

/**
 * typedef FN_VMB_CHANNEL_GET_PARENT_DEVICE_OBJECT - VmbChannelGetParentDeviceObject(): device the
 *   channel was allocated for
 * @Channel: the channel.
 * @ParentDeviceObject: receives the device given to VmbChannelAllocate().
 *
 * Context: any context; does not sleep.
 */
typedef VOID FN_VMB_CHANNEL_GET_PARENT_DEVICE_OBJECT(_In_ VMBCHANNEL Channel,
						     _Out_ PDEVICE_OBJECT *ParentDeviceObject);
typedef FN_VMB_CHANNEL_GET_PARENT_DEVICE_OBJECT *PFN_VMB_CHANNEL_GET_PARENT_DEVICE_OBJECT;
FN_VMB_CHANNEL_GET_PARENT_DEVICE_OBJECT VmbChannelGetParentDeviceObject;

/*
 * Interface tables
 * ----------------
 * Laid out slot for slot like the Windows ones, which nest each version in
 * the next as anonymous struct members (a Microsoft extension). Here the
 * members are spelled out instead, through the *_SLOTS lists below, so that
 * GCC needs no -fms-extensions: every table starts with the five INTERFACE
 * fields, and each version repeats the previous version's slots in order
 * before adding its own. A pointer to any table can be cast to PINTERFACE.
 */
#define KMCL_INTERFACE_HEADER_FIELDS					\
	USHORT Size;							\
	USHORT Version;							\
	PVOID Context;							\
	PINTERFACE_REFERENCE InterfaceReference;			\
	PINTERFACE_DEREFERENCE InterfaceDereference

#define KMCL_CLIENT_INTERFACE_V1_SLOTS					\
	PFN_VMB_CHANNEL_ALLOCATE VmbChannelAllocate;			\
	PFN_VMB_CHANNEL_CLEANUP VmbChannelCleanup;			\
	PFN_VMB_CHANNEL_CREATE_GPADL_FROM_BUFFER VmbChannelCreateGpadlFromBuffer; \
	PFN_VMB_CHANNEL_CREATE_GPADL_FROM_MDL VmbChannelCreateGpadlFromMdl; \
	PFN_VMB_CHANNEL_DELETE_GPADL VmbChannelDeleteGpadl;		\
	PFN_VMB_CHANNEL_DISABLE VmbChannelDisable;			\
	PFN_VMB_CHANNEL_ENABLE VmbChannelEnable;			\
	PFN_VMB_CHANNEL_GET_INTERFACE_INSTANCE VmbChannelGetInterfaceInstance; \
	PFN_VMB_CHANNEL_GET_MMIO_SPACE VmbChannelGetMmioSpace;		\
	PFN_VMB_CHANNEL_GET_POINTER VmbChannelGetPointer;		\
	PFN_VMB_CHANNEL_INIT_SET_CLIENT_CONTEXT_SIZE VmbChannelInitSetClientContextSize; \
	PFN_VMB_CHANNEL_INIT_SET_FLAGS VmbChannelInitSetFlags;		\
	PFN_VMB_CHANNEL_INIT_SET_FRIENDLY_NAME VmbChannelInitSetFriendlyName; \
	PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_EXTERNAL_DATA VmbChannelInitSetMaximumExternalData; \
	PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_SIZE VmbChannelInitSetMaximumPacketSize; \
	PFN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS VmbChannelInitSetProcessPacketCallbacks; \
	PFN_VMB_CHANNEL_INIT_SET_STATE_CHANGE_CALLBACKS VmbChannelInitSetStateChangeCallbacks; \
	PFN_VMB_CHANNEL_PACKET_COMPLETE VmbChannelPacketComplete;	\
	PFN_VMB_CHANNEL_PACKET_DEFER_TO_PASSIVE VmbChannelPacketDeferToPassive; \
	PFN_VMB_CHANNEL_PACKET_FAIL VmbChannelPacketFail;		\
	PFN_VMB_CHANNEL_PACKET_GET_EXTERNAL_DATA VmbChannelPacketGetExternalData; \
	PFN_VMB_CHANNEL_PAUSE VmbChannelPause;				\
	PFN_VMB_CHANNEL_SEND_SYNCHRONOUS_REQUEST VmbChannelSendSynchronousRequest; \
	PFN_VMB_CHANNEL_SET_INCOMING_PROCESSING_AT_PASSIVE		\
		VmbChannelSetIncomingProcessingAtPassive;		\
	PFN_VMB_CHANNEL_SET_INTERRUPT_LATENCY VmbChannelSetInterruptLatency; \
	PFN_VMB_CHANNEL_SET_POINTER VmbChannelSetPointer;		\
	PFN_VMB_CHANNEL_SET_TRANSACTION_QUOTA VmbChannelSetTransactionQuota; \
	PFN_VMB_CHANNEL_SIZEOF_PACKET VmbChannelSizeofPacket;		\
	PFN_VMB_CHANNEL_START VmbChannelStart;				\
	PFN_VMB_CLIENT_CHANNEL_INIT_SET_RING_BUFFER_PAGE_COUNT		\
		VmbClientChannelInitSetRingBufferPageCount;		\
	PFN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PNP VmbClientChannelInitSetTargetPnp; \
	PFN_VMB_PACKET_ALLOCATE VmbPacketAllocate;			\
	PFN_VMB_PACKET_FREE VmbPacketFree;				\
	PFN_VMB_PACKET_GET_CHANNEL VmbPacketGetChannel;			\
	PFN_VMB_PACKET_GET_POINTER VmbPacketGetPointer;			\
	PFN_VMB_PACKET_INITIALIZE VmbPacketInitialize;			\
	PFN_VMB_PACKET_SEND VmbPacketSend;				\
	PFN_VMB_PACKET_SEND_WITH_EXTERNAL_MDL VmbPacketSendWithExternalMdl; \
	PFN_VMB_PACKET_SEND_WITH_EXTERNAL_PFNS VmbPacketSendWithExternalPfns; \
	PFN_VMB_PACKET_SET_COMPLETION_ROUTINE VmbPacketSetCompletionRoutine; \
	PFN_VMB_PACKET_SET_POINTER VmbPacketSetPointer

#define KMCL_CLIENT_INTERFACE_V2_SLOTS					\
	KMCL_CLIENT_INTERFACE_V1_SLOTS;					\
	PFN_VMB_CHANNEL_PACKET_GET_CLIENT_CONTEXT VmbChannelPacketGetClientContext; \
	PFN_VMB_CHANNEL_GET_TARGET_DEVICE_OBJECT VmbChannelGetTargetDeviceObject; \
	PFN_VMB_CHANNEL_GET_PARENT_DEVICE_OBJECT VmbChannelGetParentDeviceObject

#define KMCL_CLIENT_INTERFACE_V3_SLOTS					\
	KMCL_CLIENT_INTERFACE_V2_SLOTS;					\
	PFN_VMB_CHANNEL_INIT_SET_BOUNCE_BUFFER_SIZES VmbChannelInitSetBounceBufferSizes; \
	PFN_VMB_CHANNEL_ALLOCATE_BOUNCE_BUFFER VmbChannelAllocateBounceBuffer

#define KMCL_CLIENT_INTERFACE_V4_SLOTS					\
	KMCL_CLIENT_INTERFACE_V3_SLOTS;					\
	PFN_VMB_CHANNEL_INIT_SET_MAXIMUM_PACKET_COUNT VmbChannelInitSetMaximumPacketCount; \
	PFN_VMB_CHANNEL_CREATE_GPADL_FROM_PFN_LIST VmbChannelCreateGpadlFromPfnList

#define KMCL_CLIENT_INTERFACE_V5_SLOTS					\
	KMCL_CLIENT_INTERFACE_V4_SLOTS;					\
	PFN_VMB_CHANNEL_INIT_SET_PRIMARY_CHANNEL VmbChannelInitSetPrimaryChannel; \
	PFN_VMB_CHANNEL_INITIALIZE VmbChannelInitialize;		\
	PFN_VMB_CHANNEL_SET_ALLOWABLE_DPC_CPU_USAGE VmbChannelSetAllowableDpcCpuUsage; \
	PFN_VMB_CLIENT_CHANNEL_INIT_SET_TARGET_PROCESSOR_INDEX		\
		VmbClientChannelInitSetTargetProcessorIndex;		\
	PFN_VMB_SIZEOF_CHANNEL VmbSizeofChannel;			\
	PFN_VMB_CHANNEL_INIT_SET_INLINE_PACKET_CONTEXT_SIZE		\
		VmbChannelInitSetInlinePacketContextSize;		\
	PFN_VMB_PACKET_GET_INLINE_PACKET_CONTEXT_POINTER VmbPacketGetInlinePacketContextPointer; \
	PFN_VMB_CHANNEL_INIT_SET_PROCESS_PACKET_CALLBACKS_EX		\
		VmbChannelInitSetProcessPacketCallbacksEx;		\
	PFN_VMB_PACKET_SET_COMPLETION_ROUTINE_EX VmbPacketSetCompletionRoutineEx

#define KMCL_SERVER_ONLY_SLOTS						\
	PFN_VMB_CHANNEL_MAP_GPADL VmbChannelMapGpadl;			\
	PFN_VMB_CHANNEL_RESTORE_FROM_BUFFER VmbChannelRestoreFromBuffer; \
	PFN_VMB_CHANNEL_SAVE_BEGIN VmbChannelSaveBegin;			\
	PFN_VMB_CHANNEL_SAVE_CONTINUE VmbChannelSaveContinue;		\
	PFN_VMB_CHANNEL_SAVE_END VmbChannelSaveEnd;			\
	PFN_VMB_CHANNEL_UNMAP_GPADL VmbChannelUnmapGpadl;		\
	PFN_VMB_CONVERT_VMBUS_HANDLE_TO_KERNEL_HANDLE VmbConvertVmbusHandleToKernelHandle; \
	PFN_VMB_PACKET_RESTORE VmbPacketRestore;			\
	PFN_VMB_SERVER_CHANNEL_INIT_SET_FLAGS VmbServerChannelInitSetFlags; \
	PFN_VMB_SERVER_CHANNEL_INIT_SET_MMIO_MEGABYTES VmbServerChannelInitSetMmioMegabytes; \
	PFN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS	\
		VmbServerChannelInitSetSaveRestorePacketCallbacks;	\
	PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_INTERFACE_ID		\
		VmbServerChannelInitSetTargetInterfaceId;		\
	PFN_VMB_SERVER_CHANNEL_INIT_SET_TARGET_VTL VmbServerChannelInitSetTargetVtl; \
	PFN_VMB_SERVER_CHANNEL_INIT_SET_VMBUS_HANDLE VmbServerChannelInitSetVmbusHandle

#define KMCL_SERVER_ONLY_V5_SLOTS					\
	KMCL_SERVER_ONLY_SLOTS;						\
	PFN_VMB_SERVER_CHANNEL_INIT_SET_SAVE_RESTORE_PACKET_CALLBACKS_EX \
		VmbServerChannelInitSetSaveRestorePacketCallbacksEx

typedef struct _KMCL_CLIENT_INTERFACE_V1 {
	KMCL_INTERFACE_HEADER_FIELDS;
	KMCL_CLIENT_INTERFACE_V1_SLOTS;
} KMCL_CLIENT_INTERFACE_V1, *PKMCL_CLIENT_INTERFACE_V1;

typedef struct _KMCL_CLIENT_INTERFACE_V2 {
	KMCL_INTERFACE_HEADER_FIELDS;
	KMCL_CLIENT_INTERFACE_V2_SLOTS;
} KMCL_CLIENT_INTERFACE_V2, *PKMCL_CLIENT_INTERFACE_V2;

typedef struct _KMCL_CLIENT_INTERFACE_V3 {
	KMCL_INTERFACE_HEADER_FIELDS;
	KMCL_CLIENT_INTERFACE_V3_SLOTS;
} KMCL_CLIENT_INTERFACE_V3, *PKMCL_CLIENT_INTERFACE_V3;

typedef struct _KMCL_CLIENT_INTERFACE_V4 {
	KMCL_INTERFACE_HEADER_FIELDS;
	KMCL_CLIENT_INTERFACE_V4_SLOTS;
} KMCL_CLIENT_INTERFACE_V4, *PKMCL_CLIENT_INTERFACE_V4;

typedef struct _KMCL_CLIENT_INTERFACE_V5 {
	KMCL_INTERFACE_HEADER_FIELDS;
	KMCL_CLIENT_INTERFACE_V5_SLOTS;
} KMCL_CLIENT_INTERFACE_V5, *PKMCL_CLIENT_INTERFACE_V5;

/* The server-only slots on their own, as Windows declares them. */
typedef struct _KMCL_SERVER_ONLY_METHODS {
	KMCL_SERVER_ONLY_SLOTS;
} KMCL_SERVER_ONLY_METHODS, *PKMCL_SERVER_ONLY_METHODS;

typedef struct _KMCL_SERVER_ONLY_METHODS_V5 {
	KMCL_SERVER_ONLY_V5_SLOTS;
} KMCL_SERVER_ONLY_METHODS_V5, *PKMCL_SERVER_ONLY_METHODS_V5;

/* Server tables: the client table of the same version, then the server slots. */
typedef struct _KMCL_SERVER_INTERFACE_V1 {
	KMCL_INTERFACE_HEADER_FIELDS;
	KMCL_CLIENT_INTERFACE_V1_SLOTS;
	KMCL_SERVER_ONLY_SLOTS;
} KMCL_SERVER_INTERFACE_V1, *PKMCL_SERVER_INTERFACE_V1;

typedef struct _KMCL_SERVER_INTERFACE_V5 {
	KMCL_INTERFACE_HEADER_FIELDS;
	KMCL_CLIENT_INTERFACE_V5_SLOTS;
	KMCL_SERVER_ONLY_V5_SLOTS;
} KMCL_SERVER_INTERFACE_V5, *PKMCL_SERVER_INTERFACE_V5;

/*
 * Layout checks. Every table expands KMCL_INTERFACE_HEADER_FIELDS first, so
 * checking its offsets once covers them all; then every table fits the
 * USHORT Size field, has its first slot right after the header, and each
 * version starts with the exact layout of the version before it.
 */
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, Size) == offsetof(INTERFACE, Size));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, Version) == offsetof(INTERFACE, Version));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, Context) == offsetof(INTERFACE, Context));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, InterfaceReference) ==
	      offsetof(INTERFACE, InterfaceReference));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, InterfaceDereference) ==
	      offsetof(INTERFACE, InterfaceDereference));
static_assert(sizeof(KMCL_CLIENT_INTERFACE_V1) <= MAXUSHORT);
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V1, VmbChannelAllocate) == sizeof(INTERFACE));
static_assert(sizeof(KMCL_CLIENT_INTERFACE_V2) <= MAXUSHORT);
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V2, VmbChannelAllocate) == sizeof(INTERFACE));
static_assert(sizeof(KMCL_CLIENT_INTERFACE_V3) <= MAXUSHORT);
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V3, VmbChannelAllocate) == sizeof(INTERFACE));
static_assert(sizeof(KMCL_CLIENT_INTERFACE_V4) <= MAXUSHORT);
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V4, VmbChannelAllocate) == sizeof(INTERFACE));
static_assert(sizeof(KMCL_CLIENT_INTERFACE_V5) <= MAXUSHORT);
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V5, VmbChannelAllocate) == sizeof(INTERFACE));
static_assert(sizeof(KMCL_SERVER_INTERFACE_V1) <= MAXUSHORT);
static_assert(offsetof(KMCL_SERVER_INTERFACE_V1, VmbChannelAllocate) == sizeof(INTERFACE));
static_assert(sizeof(KMCL_SERVER_INTERFACE_V5) <= MAXUSHORT);
static_assert(offsetof(KMCL_SERVER_INTERFACE_V5, VmbChannelAllocate) == sizeof(INTERFACE));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V2, VmbPacketSetPointer) ==
	      offsetof(KMCL_CLIENT_INTERFACE_V1, VmbPacketSetPointer));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V2, VmbChannelPacketGetClientContext) ==
	      sizeof(KMCL_CLIENT_INTERFACE_V1));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V3, VmbChannelGetParentDeviceObject) ==
	      offsetof(KMCL_CLIENT_INTERFACE_V2, VmbChannelGetParentDeviceObject));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V3, VmbChannelInitSetBounceBufferSizes) ==
	      sizeof(KMCL_CLIENT_INTERFACE_V2));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V4, VmbChannelAllocateBounceBuffer) ==
	      offsetof(KMCL_CLIENT_INTERFACE_V3, VmbChannelAllocateBounceBuffer));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V4, VmbChannelInitSetMaximumPacketCount) ==
	      sizeof(KMCL_CLIENT_INTERFACE_V3));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V5, VmbChannelCreateGpadlFromPfnList) ==
	      offsetof(KMCL_CLIENT_INTERFACE_V4, VmbChannelCreateGpadlFromPfnList));
static_assert(offsetof(KMCL_CLIENT_INTERFACE_V5, VmbChannelInitSetPrimaryChannel) ==
	      sizeof(KMCL_CLIENT_INTERFACE_V4));
static_assert(offsetof(KMCL_SERVER_INTERFACE_V1, VmbPacketSetPointer) ==
	      offsetof(KMCL_CLIENT_INTERFACE_V1, VmbPacketSetPointer));
static_assert(offsetof(KMCL_SERVER_INTERFACE_V1, VmbChannelMapGpadl) ==
	      sizeof(KMCL_CLIENT_INTERFACE_V1));
static_assert(offsetof(KMCL_SERVER_INTERFACE_V5, VmbPacketSetCompletionRoutineEx) ==
	      offsetof(KMCL_CLIENT_INTERFACE_V5, VmbPacketSetCompletionRoutineEx));
static_assert(offsetof(KMCL_SERVER_INTERFACE_V5, VmbChannelMapGpadl) ==
	      sizeof(KMCL_CLIENT_INTERFACE_V5));
static_assert(sizeof(KMCL_SERVER_INTERFACE_V1) ==
	      sizeof(KMCL_CLIENT_INTERFACE_V1) + sizeof(KMCL_SERVER_ONLY_METHODS));
static_assert(sizeof(KMCL_SERVER_INTERFACE_V5) ==
	      sizeof(KMCL_CLIENT_INTERFACE_V5) + sizeof(KMCL_SERVER_ONLY_METHODS_V5));
static_assert(offsetof(KMCL_SERVER_ONLY_METHODS_V5,
		       VmbServerChannelInitSetSaveRestorePacketCallbacksEx) ==
	      sizeof(KMCL_SERVER_ONLY_METHODS));

/**
 * KmclQueryInterface() - get a KMCL function table
 * @InterfaceType: &KMCL_CLIENT_INTERFACE_TYPE or &KMCL_SERVER_INTERFACE_TYPE.
 * @Interface: the table to fill, cast to PINTERFACE.
 * @Size: size of the caller's table in bytes; at least the size of the
 *	requested version's structure.
 * @Version: KMCL_CLIENT_INTERFACE_VERSION_V1..V5, or
 *	KMCL_SERVER_INTERFACE_VERSION_V1/V5 for the server type.
 * @InterfaceSpecificData: unused; pass NULL.
 *
 * The Linux stand-in for WdfFdoQueryForInterface() on the KMCL bus driver.
 * On success the first sizeof() of the requested version's structure is
 * written (bytes beyond it are left alone): Size is set to that sizeof(),
 * Version to @Version, Context to a provider cookie, the reference
 * functions, and every slot of that version. The call takes one reference
 * on kmcl.ko, which keeps the functions loaded until the caller drops it
 * with Interface->InterfaceDereference(Interface->Context);
 * InterfaceReference() takes further references for copies of the table.
 * On failure nothing is written and no reference is taken.
 *
 * Context: process context (PASSIVE_LEVEL).
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER if @InterfaceType or
 * @Interface is NULL; STATUS_NOT_SUPPORTED for an unknown interface type or
 * a version that type does not have; STATUS_BUFFER_TOO_SMALL if @Size is
 * smaller than the requested version's structure.
 */
NTSTATUS KmclQueryInterface(_In_ LPCGUID InterfaceType,
			    _Inout_ PINTERFACE Interface,
			    _In_ USHORT Size,
			    _In_ USHORT Version,
			    _In_opt_ PVOID InterfaceSpecificData);

/**
 * KmclChannelSetTransferPageSet() - name the receive buffer of a transfer
 *	page set (Linux extension)
 * @Channel: an open client channel.
 * @TransferPageSetId: the id the peer writes in the xfer_pageset_id field
 *	of its transfer-page packets: the one the driver's own protocol
 *	announced along with the GPADL (netvsc's receive buffer uses 0xcafe).
 * @GpadlHandle: a GPADL of @Channel, from VmbChannelCreateGpadl*(); 0
 *	forgets @TransferPageSetId.
 *
 * A Hyper-V host sends some received data (a synthetic NIC's frames, for
 * one) as transfer-page packets: offsets and lengths inside a receive
 * buffer the guest shared as a GPADL. KMCL delivers such a packet with
 * VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA, and
 * VmbChannelPacketGetExternalData() returns one MDL per range over the
 * registered GPADL's pages. A transfer-page packet for an id that is not
 * registered here, or with a range outside the GPADL, is refused as
 * hostile. Windows KMCL has no such call; a port calls it once after
 * creating its receive buffer GPADL. Registering an id again replaces
 * its GPADL; every id is forgotten at Closed. The packet's receive limits
 * are those of VmbChannelInitSetMaximumExternalData() (bytes and ranges
 * per packet).
 *
 * Context: process context (PASSIVE_LEVEL).
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a bad handle or a
 * server channel; STATUS_INVALID_PARAMETER_2 when forgetting an id that
 * is not registered; STATUS_INVALID_PARAMETER_3 for an unknown GPADL;
 * STATUS_INVALID_DEVICE_STATE outside the Opened .. Closed window;
 * STATUS_INSUFFICIENT_RESOURCES without memory.
 */
NTSTATUS KmclChannelSetTransferPageSet(_In_ VMBCHANNEL Channel,
				       _In_ UINT16 TransferPageSetId,
				       _In_ UINT32 GpadlHandle);

#endif /* _VMBUSKERNELMODECLIENTLIBAPI_H */
