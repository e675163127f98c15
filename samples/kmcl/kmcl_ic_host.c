// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_ic_host - a stand-in for the Hyper-V host's side of the heartbeat
 * Integration Component, on the loopback VMBus: a KMCL server that offers
 * the heartbeat interface type, so that kmcl_ic_heartbeat can be watched
 * answering without a Hyper-V host.
 *
 * Load kmcl_ic_heartbeat first (it waits for the offer), then this module.
 * Its load runs the whole exchange and prints it:
 *   1. offer IC_HEARTBEAT_INTERFACE_TYPE; the waiting client opens it;
 *   2. a version negotiation listing framework 3.0 and 1.0, heartbeat 3.0
 *      and 1.0, as current hosts do; the answer must pick 3.0 and 3.0;
 *   3. heartbeats with rising sequence numbers; each answer must carry the
 *      sequence plus one with the TRANSACTION and RESPONSE flags;
 *   4. one message of a type the IC does not know; the answer must be a
 *      failure;
 *   5. the offer is withdrawn.
 * The last line is "kmcl demo: heartbeat pair PASS" or "kmcl demo:
 * heartbeat pair FAIL (<reason>)". The load succeeds either way and leaves
 * nothing behind.
 */
#define pr_fmt(fmt) "kmcl demo: " fmt
#define INITGUID

#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <vmbuskernelmodeclientlibapi.h>
#include <kmcl/loopback.h>

#include "ic_protocol.h"

#define HostLog(fmt, ...) pr_info("host: " fmt, ##__VA_ARGS__)

static unsigned int timeout_ms = 20000;
module_param(timeout_ms, uint, 0444);
MODULE_PARM_DESC(timeout_ms, "How long each step may wait for the IC, in ms (default 20000)");

#define IC_HOST_HEARTBEATS	5
#define IC_HOST_FIRST_SEQUENCE	1000
#define IC_HOST_UNKNOWN_TYPE	99

typedef struct _IC_HOST_CONTEXT {
	KMCL_SERVER_INTERFACE_V5 Kmcl;
	BOOLEAN HaveInterface;
	VMBCHANNEL Channel;
	struct completion Opened;
	struct completion Answered;
	UINT32 AnswerLength;
	UCHAR Answer[IC_MAX_MESSAGE];
	UCHAR Request[IC_MAX_MESSAGE];
	char Failure[128];
} IC_HOST_CONTEXT, *PIC_HOST_CONTEXT;

static __printf(2, 3) VOID IcHostFail(PIC_HOST_CONTEXT Host, const char *fmt, ...)
{
	va_list args;

	if (Host->Failure[0])
		return;
	va_start(args, fmt);
	vsnprintf(Host->Failure, sizeof(Host->Failure), fmt, args);
	va_end(args);
	HostLog("check failed: %s\n", Host->Failure);
}

static NTSTATUS IcHostChannelOpened(VMBCHANNEL Channel)
{
	HostLog("EvtChannelOpened: the IC opened the heartbeat offer\n");
	return STATUS_SUCCESS;
}

/*
 * The channel can carry packets only from here on: EvtChannelOpened runs
 * before KMCL opens the outgoing ring, so a now-or-never send started from
 * it may find no ring yet.
 */
static VOID IcHostChannelPostStarted(VMBCHANNEL Channel)
{
	PIC_HOST_CONTEXT Host = VmbChannelGetPointer(Channel);

	complete(&Host->Opened);
}

static VOID IcHostChannelClosed(VMBCHANNEL Channel)
{
	HostLog("EvtChannelClosed\n");
}

/* The IC's answers. The guest is not trusted either: keep a bounded copy. */
static VOID IcHostProcessPacket(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet, PVOID Buffer,
				UINT32 BufferLength, UINT32 Flags)
{
	PIC_HOST_CONTEXT Host = VmbChannelGetPointer(Channel);

	if (Buffer && BufferLength <= sizeof(Host->Answer)) {
		RtlCopyMemory(Host->Answer, Buffer, BufferLength);
		Host->AnswerLength = BufferLength;
	} else {
		Host->AnswerLength = 0;
	}
	Host->Kmcl.VmbChannelPacketComplete(Packet, NULL, 0);
	complete(&Host->Answered);
}

/* Send @Length bytes of Host->Request and wait for the answer. */
static BOOLEAN IcHostExchange(PIC_HOST_CONTEXT Host, UINT32 Length, const char *What)
{
	/*
	 * A server sends "now or never": a zero timeout, no waiting for
	 * completion (KMCL refuses anything else from a server). The answer
	 * comes back as the IC's own packet, waited for below.
	 */
	LARGE_INTEGER Timeout = { .QuadPart = 0 };
	NTSTATUS Status;

	reinit_completion(&Host->Answered);
	Status = Host->Kmcl.VmbChannelSendSynchronousRequest(Host->Channel, Host->Request, Length,
							     NULL, 0, NULL, NULL, &Timeout);
	if (!NT_SUCCESS(Status)) {
		IcHostFail(Host, "sending the %s returned %#010x", What, (u32)Status);
		return FALSE;
	}
	if (!wait_for_completion_timeout(&Host->Answered, msecs_to_jiffies(timeout_ms))) {
		IcHostFail(Host, "no answer to the %s within %u ms", What, timeout_ms);
		return FALSE;
	}
	/* VMBus pads every packet to 8 bytes: the answer may carry the padding. */
	if (Host->AnswerLength < Length || Host->AnswerLength > ALIGN(Length, 8)) {
		IcHostFail(Host, "the answer to the %s has %u bytes, not %u", What,
			   Host->AnswerLength, Length);
		return FALSE;
	}
	return TRUE;
}

/* Fill in the headers of a request of @Type with @Length bytes in all. */
static PIC_MESSAGE IcHostRequest(PIC_HOST_CONTEXT Host, UINT16 Type, UINT32 Length)
{
	PIC_MESSAGE Message = (PIC_MESSAGE)Host->Request;

	RtlZeroMemory(Host->Request, Length);
	Message->Pipe.MessageSize = Length - sizeof(IC_PIPE_HEADER);
	Message->Header.FrameworkVersion.Major = 3;
	Message->Header.MessageVersion.Major = 3;
	Message->Header.MessageType = Type;
	Message->Header.MessageSize = Length - IC_HEADERS_SIZE;
	Message->Header.Flags = IC_MSGFLAG_TRANSACTION | IC_MSGFLAG_REQUEST;
	return Message;
}

static BOOLEAN IcHostIsAnswer(PIC_HOST_CONTEXT Host, UINT16 Type, UINT32 Status)
{
	PIC_MESSAGE Answer = (PIC_MESSAGE)Host->Answer;

	if (Answer->Header.MessageType != Type || Answer->Header.Status != Status ||
	    Answer->Header.Flags != (IC_MSGFLAG_TRANSACTION | IC_MSGFLAG_RESPONSE)) {
		IcHostFail(Host, "answer of type %u, status %#x, flags %#x; expected %u, %#x, %#x",
			   Answer->Header.MessageType, Answer->Header.Status, Answer->Header.Flags,
			   Type, Status, IC_MSGFLAG_TRANSACTION | IC_MSGFLAG_RESPONSE);
		return FALSE;
	}
	return TRUE;
}

static BOOLEAN IcHostNegotiate(PIC_HOST_CONTEXT Host)
{
	static const UINT32 Offer[] = {
		IC_FRAMEWORK_VERSION_3_0, IC_FRAMEWORK_VERSION_1_0,
		IC_HEARTBEAT_VERSION_3_0, IC_HEARTBEAT_VERSION_1_0,
	};
	UINT32 Length = IC_NEGOTIATE_SIZE(ARRAY_SIZE(Offer)), i;
	PIC_NEGOTIATE Negotiate = (PIC_NEGOTIATE)(Host->Request + IC_HEADERS_SIZE);
	PIC_NEGOTIATE Answer = (PIC_NEGOTIATE)(Host->Answer + IC_HEADERS_SIZE);

	IcHostRequest(Host, IC_MSGTYPE_NEGOTIATE, Length);
	Negotiate->FrameworkCount = 2;
	Negotiate->ServiceCount = 2;
	for (i = 0; i < ARRAY_SIZE(Offer); i++) {
		Negotiate->Versions[i].Major = IC_VERSION_MAJOR(Offer[i]);
		Negotiate->Versions[i].Minor = IC_VERSION_MINOR(Offer[i]);
	}
	HostLog("negotiate: framework 3.0 1.0, heartbeat 3.0 1.0 (%u bytes)\n", Length);
	if (!IcHostExchange(Host, Length, "negotiation") ||
	    !IcHostIsAnswer(Host, IC_MSGTYPE_NEGOTIATE, IC_STATUS_OK))
		return FALSE;
	HostLog("answer: %u framework, %u heartbeat version(s): %u.%u and %u.%u\n",
		Answer->FrameworkCount, Answer->ServiceCount, Answer->Versions[0].Major,
		Answer->Versions[0].Minor, Answer->Versions[1].Major, Answer->Versions[1].Minor);
	if (Answer->FrameworkCount != 1 || Answer->ServiceCount != 1 ||
	    IC_VERSION(Answer->Versions[0].Major, Answer->Versions[0].Minor) !=
	    IC_FRAMEWORK_VERSION_3_0 ||
	    IC_VERSION(Answer->Versions[1].Major, Answer->Versions[1].Minor) !=
	    IC_HEARTBEAT_VERSION_3_0) {
		IcHostFail(Host, "the IC did not pick framework 3.0 and heartbeat 3.0");
		return FALSE;
	}
	return TRUE;
}

static BOOLEAN IcHostHeartbeats(PIC_HOST_CONTEXT Host)
{
	PIC_HEARTBEAT_BODY Body = (PIC_HEARTBEAT_BODY)(Host->Request + IC_HEADERS_SIZE);
	PIC_HEARTBEAT_BODY Answer = (PIC_HEARTBEAT_BODY)(Host->Answer + IC_HEADERS_SIZE);
	UINT32 Length = IC_HEADERS_SIZE + sizeof(IC_HEARTBEAT_BODY), i;
	UINT64 Sequence = IC_HOST_FIRST_SEQUENCE, Got;

	for (i = 0; i < IC_HOST_HEARTBEATS; i++) {
		IcHostRequest(Host, IC_MSGTYPE_HEARTBEAT, Length);
		Body->SequenceNumber = Sequence;
		if (!IcHostExchange(Host, Length, "heartbeat") ||
		    !IcHostIsAnswer(Host, IC_MSGTYPE_HEARTBEAT, IC_STATUS_OK))
			return FALSE;
		Got = Answer->SequenceNumber;
		HostLog("heartbeat %u: sent sequence %llu, the IC answered %llu\n", i + 1,
			Sequence, Got);
		if (Got != Sequence + 1) {
			IcHostFail(Host, "heartbeat %llu answered with %llu", Sequence, Got);
			return FALSE;
		}
		/* The host's next sequence follows the answer. */
		Sequence = Got + 1;
	}
	return TRUE;
}

static BOOLEAN IcHostUnknown(PIC_HOST_CONTEXT Host)
{
	UINT32 Length = IC_HEADERS_SIZE + 8;

	IcHostRequest(Host, IC_HOST_UNKNOWN_TYPE, Length);
	HostLog("a message of unknown type %u\n", IC_HOST_UNKNOWN_TYPE);
	if (!IcHostExchange(Host, Length, "unknown message") ||
	    !IcHostIsAnswer(Host, IC_HOST_UNKNOWN_TYPE, IC_STATUS_FAIL))
		return FALSE;
	HostLog("answer: status %#010x, as expected\n", IC_STATUS_FAIL);
	return TRUE;
}

static NTSTATUS IcHostOffer(PIC_HOST_CONTEXT Host)
{
	UNICODE_STRING Name = RTL_CONSTANT_STRING(L"ic-heartbeat-host");
	PKMCL_SERVER_INTERFACE_V5 Kmcl = &Host->Kmcl;
	GUID Type = IC_HEARTBEAT_INTERFACE_TYPE, Instance = IC_HEARTBEAT_LOOPBACK_INSTANCE;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS Callbacks;
	VMBCHANNEL Channel;
	NTSTATUS Status;

	Status = KmclQueryInterface(&KMCL_SERVER_INTERFACE_TYPE, (PINTERFACE)(&Host->Kmcl),
				    sizeof(Host->Kmcl), KMCL_SERVER_INTERFACE_VERSION_V5, NULL);
	if (!NT_SUCCESS(Status))
		return Status;
	Host->HaveInterface = TRUE;
	Status = Host->Kmcl.VmbChannelAllocate(kmcl_loopback_parent(), TRUE, &Channel);
	if (!NT_SUCCESS(Status))
		return Status;
	Host->Channel = Channel;
	Host->Kmcl.VmbChannelSetPointer(Channel, Host);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&Callbacks);
	Callbacks.EvtChannelOpened = IcHostChannelOpened;
	Callbacks.EvtChannelPostStarted = IcHostChannelPostStarted;
	Callbacks.EvtChannelClosed = IcHostChannelClosed;
	Status = Host->Kmcl.VmbChannelInitSetStateChangeCallbacks(Channel, &Callbacks);
	if (NT_SUCCESS(Status))
		Status = Host->Kmcl.VmbChannelInitSetProcessPacketCallbacks(Channel,
									    IcHostProcessPacket,
									    NULL);
	if (NT_SUCCESS(Status))
		Status = Host->Kmcl.VmbChannelInitSetFriendlyName(Channel, &Name);
	if (NT_SUCCESS(Status))
		Status = Host->Kmcl.VmbChannelInitSetMaximumPacketSize(Channel, IC_MAX_MESSAGE);
	if (NT_SUCCESS(Status))
		Status = Kmcl->VmbServerChannelInitSetTargetInterfaceId(Channel, Type, Instance);
	if (NT_SUCCESS(Status))
		Status = Host->Kmcl.VmbChannelEnable(Channel);
	if (!NT_SUCCESS(Status))
		return Status;
	Host->Kmcl.VmbChannelStart(Channel);
	HostLog("offering the heartbeat IC {%pUl} on the loopback VMBus\n",
		&IC_HEARTBEAT_INTERFACE_TYPE);
	return STATUS_SUCCESS;
}

static VOID IcHostRun(PIC_HOST_CONTEXT Host)
{
	NTSTATUS Status = IcHostOffer(Host);

	if (!NT_SUCCESS(Status)) {
		IcHostFail(Host, "offering the heartbeat IC returned %#010x", (u32)Status);
		return;
	}
	if (!wait_for_completion_timeout(&Host->Opened, msecs_to_jiffies(timeout_ms))) {
		IcHostFail(Host, "no IC opened the offer within %u ms (%s)", timeout_ms,
			   "is kmcl_ic_heartbeat loaded?");
		return;
	}
	if (IcHostNegotiate(Host) && IcHostHeartbeats(Host))
		IcHostUnknown(Host);
}

static VOID IcHostCleanup(PIC_HOST_CONTEXT Host)
{
	if (Host->Channel) {
		/* Rescinds the offer: the IC sees its channel close. */
		Host->Kmcl.VmbChannelDisable(Host->Channel);
		Host->Kmcl.VmbChannelCleanup(Host->Channel);
		Host->Channel = NULL;
		HostLog("offer withdrawn\n");
	}
	if (Host->HaveInterface) {
		Host->Kmcl.InterfaceDereference(Host->Kmcl.Context);
		Host->HaveInterface = FALSE;
	}
}

static int __init kmcl_ic_host_init(void)
{
	PIC_HOST_CONTEXT Host = kzalloc(sizeof(*Host), GFP_KERNEL);

	if (Host) {
		init_completion(&Host->Opened);
		init_completion(&Host->Answered);
		IcHostRun(Host);
		IcHostCleanup(Host);
	}
	if (!Host)
		pr_info("heartbeat pair FAIL (no memory)\n");
	else if (Host->Failure[0])
		pr_info("heartbeat pair FAIL (%s)\n", Host->Failure);
	else
		pr_info("heartbeat pair PASS\n");
	kfree(Host);
	return 0;
}

static void __exit kmcl_ic_host_exit(void)
{
}

module_init(kmcl_ic_host_init);
module_exit(kmcl_ic_host_exit);

MODULE_DESCRIPTION("KMCL sample: the host's side of the heartbeat IC, on the loopback VMBus");
MODULE_LICENSE("GPL");
KMCL_IMPORT_NS();
