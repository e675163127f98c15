// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_ic_heartbeat - the Hyper-V heartbeat Integration Component, ported:
 * a VMBus client driver written the way a Windows IC driver is, against
 * the KMCL_CLIENT_INTERFACE_V5 table, answering the real host on Azure or
 * Hyper-V (through kmcl_hv.ko) or the host double kmcl_ic_host on the
 * loopback VMBus.
 *
 * What it does:
 *   - binds to the heartbeat interface type with
 *     VmbClientChannelInitSetTargetPnp() (any instance) and waits for it;
 *   - answers the host's version negotiation: framework 3.0 or 1.0,
 *     heartbeat 3.0 or 1.0, whichever the host lists, preferring the newer;
 *     anything else is refused with empty version lists;
 *   - answers every heartbeat with its sequence number plus one and the
 *     TRANSACTION and RESPONSE flags;
 *   - counts in /sys/kernel/debug/kmcl_ic_heartbeat.
 *
 * Every host message is untrusted: it is copied once out of the packet,
 * and its length, version counts and type are checked on that copy before
 * anything is used. A bad message is counted as malformed, answered with
 * IC_STATUS_FAIL where an answer is possible, and never ends the channel.
 *
 * On a VM whose in-tree hv_utils drives the heartbeat device, the host
 * never offers it to KMCL: after hint_ms without a channel this driver logs
 * how to hand the device over, and keeps waiting.
 */
#define pr_fmt(fmt) "kmcl_ic_heartbeat: " fmt
#define INITGUID

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "ic_protocol.h"

/* Wait this long for the device before logging how to hand it over. */
static unsigned int hint_ms = 10000;
module_param(hint_ms, uint, 0444);
MODULE_PARM_DESC(hint_ms, "Log how to take the device from hv_utils after this many ms without it (default 10000)");

/* How many heartbeats are logged one by one; the rest are only counted. */
#define IC_HEARTBEAT_LOG_FIRST	3

/* What the driver speaks, newest first. */
static const UINT32 IcFrameworkVersions[] = {
	IC_FRAMEWORK_VERSION_3_0,
	IC_FRAMEWORK_VERSION_1_0,
};

static const UINT32 IcHeartbeatVersions[] = {
	IC_HEARTBEAT_VERSION_3_0,
	IC_HEARTBEAT_VERSION_1_0,
};

/* What a Windows IC keeps in its device extension. */
typedef struct _IC_HEARTBEAT_CONTEXT {
	KMCL_CLIENT_INTERFACE_V5 Kmcl;
	BOOLEAN HaveInterface;
	PDEVICE_OBJECT Device;
	VMBCHANNEL Channel;
	struct dentry *Debugfs;
	struct delayed_work Hint;
	BOOLEAN Open;

	/* Protocol state: only the packet callback (one at a time) writes it. */
	BOOLEAN Negotiated;
	UINT32 FrameworkVersion;
	UINT32 ServiceVersion;
	UCHAR Message[IC_MAX_MESSAGE];

	/* Counters, read by debugfs at any time. */
	atomic_long_t Requests;
	atomic_long_t Answers;
	atomic_long_t Negotiations;
	atomic_long_t Refused;
	atomic_long_t Malformed;
	atomic_long_t SendFailures;
	atomic_long_t Opens;
	atomic_long_t Closes;
} IC_HEARTBEAT_CONTEXT, *PIC_HEARTBEAT_CONTEXT;

static PIC_HEARTBEAT_CONTEXT IcHeartbeat;

/* Index of @Version among @Count versions at @List, or -1. */
static int IcFindVersion(const IC_VERSION_PAIR *List, UINT32 Count, UINT32 Version)
{
	UINT32 i;

	for (i = 0; i < Count; i++)
		if (IC_VERSION(List[i].Major, List[i].Minor) == Version)
			return i;
	return -1;
}

/* The first of @Ours (newest first) that the host lists, or 0. */
static UINT32 IcPickVersion(const IC_VERSION_PAIR *Offered, UINT32 Count,
			    const UINT32 *Ours, UINT32 OurCount)
{
	UINT32 i;

	for (i = 0; i < OurCount; i++)
		if (IcFindVersion(Offered, Count, Ours[i]) >= 0)
			return Ours[i];
	return 0;
}

/*
 * Answer the negotiation in Ctx->Message (@Length bytes, at least the IC
 * headers). Returns the length of the answer.
 */
static UINT32 IcHeartbeatNegotiate(PIC_HEARTBEAT_CONTEXT Ctx, UINT32 Length)
{
	PIC_MESSAGE Message = (PIC_MESSAGE)Ctx->Message;
	PIC_NEGOTIATE Negotiate = (PIC_NEGOTIATE)(Ctx->Message + IC_HEADERS_SIZE);
	UINT32 FrameworkCount, ServiceCount, Framework = 0, Service = 0;

	atomic_long_inc(&Ctx->Negotiations);
	Ctx->Negotiated = FALSE;
	if (Length < IC_HEADERS_SIZE + sizeof(IC_NEGOTIATE)) {
		atomic_long_inc(&Ctx->Malformed);
		pr_warn_ratelimited("negotiation of %u bytes has no version counts\n", Length);
		Message->Header.Status = IC_STATUS_FAIL;
		return Length;
	}
	FrameworkCount = Negotiate->FrameworkCount;
	ServiceCount = Negotiate->ServiceCount;
	if (FrameworkCount > IC_MAX_VERSION_COUNT || ServiceCount > IC_MAX_VERSION_COUNT ||
	    IC_NEGOTIATE_SIZE(FrameworkCount + ServiceCount) > Length) {
		atomic_long_inc(&Ctx->Malformed);
		pr_warn_ratelimited("negotiation lists %u + %u versions in %u bytes: refused\n",
				    FrameworkCount, ServiceCount, Length);
	} else {
		Framework = IcPickVersion(Negotiate->Versions, FrameworkCount,
					  IcFrameworkVersions, ARRAY_SIZE(IcFrameworkVersions));
		Service = IcPickVersion(Negotiate->Versions + FrameworkCount, ServiceCount,
					IcHeartbeatVersions, ARRAY_SIZE(IcHeartbeatVersions));
	}

	/* The answer names one version of each kind, or none. */
	if (Length < IC_NEGOTIATE_SIZE(2)) {
		RtlZeroMemory(Ctx->Message + Length, IC_NEGOTIATE_SIZE(2) - Length);
		Length = IC_NEGOTIATE_SIZE(2);
	}
	Message->Header.MessageSize = IC_NEGOTIATE_ANSWER_SIZE;
	Negotiate->Versions[0].Major = IC_VERSION_MAJOR(Framework);
	Negotiate->Versions[0].Minor = IC_VERSION_MINOR(Framework);
	Negotiate->Versions[1].Major = IC_VERSION_MAJOR(Service);
	Negotiate->Versions[1].Minor = IC_VERSION_MINOR(Service);
	if (Framework && Service) {
		Negotiate->FrameworkCount = 1;
		Negotiate->ServiceCount = 1;
		Ctx->FrameworkVersion = Framework;
		Ctx->ServiceVersion = Service;
		Ctx->Negotiated = TRUE;
		pr_info("negotiated framework %u.%u, heartbeat %u.%u\n",
			IC_VERSION_MAJOR(Framework), IC_VERSION_MINOR(Framework),
			IC_VERSION_MAJOR(Service), IC_VERSION_MINOR(Service));
	} else {
		Negotiate->FrameworkCount = 0;
		Negotiate->ServiceCount = 0;
		atomic_long_inc(&Ctx->Refused);
		pr_warn_ratelimited("refused the host's versions (%u framework, %u heartbeat listed)\n",
				    FrameworkCount, ServiceCount);
	}
	return Length;
}

/* Answer the heartbeat in Ctx->Message; FALSE if it is malformed. */
static BOOLEAN IcHeartbeatBeat(PIC_HEARTBEAT_CONTEXT Ctx, UINT32 Length)
{
	PIC_MESSAGE Message = (PIC_MESSAGE)Ctx->Message;
	PIC_HEARTBEAT_BODY Body = (PIC_HEARTBEAT_BODY)(Ctx->Message + IC_HEADERS_SIZE);
	UINT64 Sequence;
	long Count;

	if (!Ctx->Negotiated || Length < IC_HEARTBEAT_MIN_SIZE) {
		atomic_long_inc(&Ctx->Malformed);
		pr_warn_ratelimited("heartbeat of %u bytes %s: refused\n", Length,
				    Ctx->Negotiated ? "is too short" : "before a negotiation");
		Message->Header.Status = IC_STATUS_FAIL;
		return FALSE;
	}
	Count = atomic_long_inc_return(&Ctx->Requests);
	Sequence = Body->SequenceNumber;
	Body->SequenceNumber = Sequence + 1;
	if (Count <= IC_HEARTBEAT_LOG_FIRST)
		pr_info("heartbeat %ld: sequence %llu, answering %llu%s\n", Count, Sequence,
			Sequence + 1,
			Count == IC_HEARTBEAT_LOG_FIRST ? " (the next ones are only counted)" : "");
	return TRUE;
}

/*
 * EvtVmbChannelProcessPacket: one host request. Up to softirq context, one
 * packet at a time per channel. The answer goes out as a new in-band packet
 * (the IC protocol has no completions); a zero timeout makes
 * VmbChannelSendSynchronousRequest() legal here: it never waits.
 */
static VOID IcHeartbeatProcessPacket(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet,
				     PVOID Buffer, UINT32 BufferLength, UINT32 Flags)
{
	PIC_HEARTBEAT_CONTEXT Ctx = VmbChannelGetPointer(Channel);
	PIC_MESSAGE Message = (PIC_MESSAGE)Ctx->Message;
	LARGE_INTEGER NoWait = { .QuadPart = 0 };
	BOOLEAN Heartbeat = FALSE;
	UINT32 Length = BufferLength;
	NTSTATUS Status;

	if ((Flags & VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA) || !Buffer ||
	    Length < IC_HEADERS_SIZE || Length > IC_MAX_MESSAGE) {
		atomic_long_inc(&Ctx->Malformed);
		pr_warn_ratelimited("dropped a host packet of %u bytes (flags %#x)\n", Length,
				    Flags);
		goto Complete;
	}
	/* The one read of the host's bytes; everything below uses the copy. */
	RtlCopyMemory(Ctx->Message, Buffer, Length);

	switch (Message->Header.MessageType) {
	case IC_MSGTYPE_NEGOTIATE:
		Length = IcHeartbeatNegotiate(Ctx, Length);
		break;
	case IC_MSGTYPE_HEARTBEAT:
		Heartbeat = IcHeartbeatBeat(Ctx, Length);
		break;
	default:
		atomic_long_inc(&Ctx->Malformed);
		pr_warn_ratelimited("unknown message type %u: answered with a failure\n",
				    Message->Header.MessageType);
		Message->Header.Status = IC_STATUS_FAIL;
		break;
	}
	Message->Header.Flags = IC_MSGFLAG_TRANSACTION | IC_MSGFLAG_RESPONSE;

	Status = Ctx->Kmcl.VmbChannelSendSynchronousRequest(Channel, Ctx->Message, Length, NULL,
							    0, NULL, NULL, &NoWait);
	if (!NT_SUCCESS(Status)) {
		atomic_long_inc(&Ctx->SendFailures);
		pr_warn_ratelimited("answer of %u bytes not sent: %#010x\n", Length, (u32)Status);
	} else if (Heartbeat) {
		atomic_long_inc(&Ctx->Answers);
	}
Complete:
	/* The host asked for no completion: this only ends the processing. */
	Ctx->Kmcl.VmbChannelPacketComplete(Packet, NULL, 0);
}

static NTSTATUS IcHeartbeatChannelOpened(VMBCHANNEL Channel)
{
	PIC_HEARTBEAT_CONTEXT Ctx = VmbChannelGetPointer(Channel);

	/* Each new channel starts with a negotiation. */
	Ctx->Negotiated = FALSE;
	WRITE_ONCE(Ctx->Open, TRUE);
	atomic_long_inc(&Ctx->Opens);
	pr_info("EvtChannelOpened: the host's heartbeat channel is open\n");
	return STATUS_SUCCESS;
}

static VOID IcHeartbeatChannelClosed(VMBCHANNEL Channel)
{
	PIC_HEARTBEAT_CONTEXT Ctx = VmbChannelGetPointer(Channel);

	WRITE_ONCE(Ctx->Open, FALSE);
	atomic_long_inc(&Ctx->Closes);
	pr_info("EvtChannelClosed: the heartbeat channel closed (%ld answered)\n",
		atomic_long_read(&Ctx->Answers));
}

static VOID IcHeartbeatPnpFailure(VMBCHANNEL Channel, NTSTATUS FailureStatus)
{
	pr_warn("EvtChannelPnpFailure: the host refused the channel: %#010x\n",
		(u32)FailureStatus);
}

/* Still no channel: say how to take the device from hv_utils. */
static void IcHeartbeatHint(struct work_struct *Work)
{
	PIC_HEARTBEAT_CONTEXT Ctx = container_of(to_delayed_work(Work),
						 IC_HEARTBEAT_CONTEXT, Hint);

	if (READ_ONCE(Ctx->Open) || atomic_long_read(&Ctx->Opens))
		return;
	pr_info("no heartbeat device after %u ms; waiting. If hv_utils drives it, hand it over:\n",
		hint_ms);
	pr_info("  d=$(grep -l '{%pUl}' /sys/bus/vmbus/devices/*/class_id); d=${d%%/class_id}\n",
		&IC_HEARTBEAT_INTERFACE_TYPE);
	pr_info("  echo kmcl_hv-%pUl > $d/driver_override\n", &IC_HEARTBEAT_INTERFACE_TYPE);
	pr_info("  echo ${d##*/} > /sys/bus/vmbus/drivers/hv_utils/unbind\n");
	pr_info("  echo ${d##*/} > /sys/bus/vmbus/drivers_probe\n");
}

static int ic_heartbeat_counters_show(struct seq_file *m, void *unused)
{
	PIC_HEARTBEAT_CONTEXT Ctx = m->private;

	seq_printf(m, "open: %u\n", READ_ONCE(Ctx->Open) ? 1 : 0);
	seq_printf(m, "framework: %u.%u\n", IC_VERSION_MAJOR(Ctx->FrameworkVersion),
		   IC_VERSION_MINOR(Ctx->FrameworkVersion));
	seq_printf(m, "heartbeat: %u.%u\n", IC_VERSION_MAJOR(Ctx->ServiceVersion),
		   IC_VERSION_MINOR(Ctx->ServiceVersion));
	seq_printf(m, "requests: %ld\n", atomic_long_read(&Ctx->Requests));
	seq_printf(m, "answers: %ld\n", atomic_long_read(&Ctx->Answers));
	seq_printf(m, "negotiations: %ld\n", atomic_long_read(&Ctx->Negotiations));
	seq_printf(m, "refused: %ld\n", atomic_long_read(&Ctx->Refused));
	seq_printf(m, "malformed: %ld\n", atomic_long_read(&Ctx->Malformed));
	seq_printf(m, "send_failures: %ld\n", atomic_long_read(&Ctx->SendFailures));
	seq_printf(m, "opens: %ld\n", atomic_long_read(&Ctx->Opens));
	seq_printf(m, "closes: %ld\n", atomic_long_read(&Ctx->Closes));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ic_heartbeat_counters);

static NTSTATUS IcHeartbeatConfigure(PIC_HEARTBEAT_CONTEXT Ctx, VMBCHANNEL Channel)
{
	UNICODE_STRING Name = RTL_CONSTANT_STRING(L"ic-heartbeat");
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS Callbacks;
	NTSTATUS Status;

	Ctx->Kmcl.VmbChannelSetPointer(Channel, Ctx);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&Callbacks);
	Callbacks.EvtChannelOpened = IcHeartbeatChannelOpened;
	Callbacks.EvtChannelClosed = IcHeartbeatChannelClosed;
	Status = Ctx->Kmcl.VmbChannelInitSetStateChangeCallbacks(Channel, &Callbacks);
	if (NT_SUCCESS(Status))
		Status = Ctx->Kmcl.VmbChannelInitSetProcessPacketCallbacks(Channel,
									   IcHeartbeatProcessPacket,
									   NULL);
	if (NT_SUCCESS(Status))
		Status = Ctx->Kmcl.VmbChannelInitSetFriendlyName(Channel, &Name);
	if (NT_SUCCESS(Status))
		Status = Ctx->Kmcl.VmbChannelInitSetMaximumPacketSize(Channel, IC_MAX_MESSAGE);
	if (NT_SUCCESS(Status))
		Status = Ctx->Kmcl.VmbClientChannelInitSetTargetPnp(Channel,
								    &IC_HEARTBEAT_INTERFACE_TYPE,
								    NULL, IcHeartbeatPnpFailure);
	return Status;
}

/* DriverEntry + EvtDeviceAdd in one: open the channel and wait for the host. */
static NTSTATUS IcHeartbeatStart(PIC_HEARTBEAT_CONTEXT Ctx)
{
	VMBCHANNEL Channel;
	NTSTATUS Status;

	Status = KmclQueryInterface(&KMCL_CLIENT_INTERFACE_TYPE, (PINTERFACE)(&Ctx->Kmcl),
				    sizeof(Ctx->Kmcl), KMCL_CLIENT_INTERFACE_VERSION_V5, NULL);
	if (!NT_SUCCESS(Status)) {
		pr_err("KmclQueryInterface(client, V5) failed: %#010x\n", (u32)Status);
		return Status;
	}
	Ctx->HaveInterface = TRUE;

	Status = Ctx->Kmcl.VmbChannelAllocate(Ctx->Device, FALSE, &Channel);
	if (!NT_SUCCESS(Status)) {
		pr_err("VmbChannelAllocate failed: %#010x\n", (u32)Status);
		return Status;
	}
	Ctx->Channel = Channel;
	Status = IcHeartbeatConfigure(Ctx, Channel);
	if (!NT_SUCCESS(Status)) {
		pr_err("configuring the channel failed: %#010x\n", (u32)Status);
		return Status;
	}
	Status = Ctx->Kmcl.VmbChannelEnable(Channel);
	if (!NT_SUCCESS(Status)) {
		pr_err("VmbChannelEnable failed: %#010x\n", (u32)Status);
		return Status;
	}
	pr_info("waiting for the host's heartbeat device {%pUl}\n", &IC_HEARTBEAT_INTERFACE_TYPE);
	return STATUS_SUCCESS;
}

static VOID IcHeartbeatStop(PIC_HEARTBEAT_CONTEXT Ctx)
{
	if (Ctx->Channel) {
		/* Closes the channel (the device goes back to kmcl_hv) and waits. */
		Ctx->Kmcl.VmbChannelDisable(Ctx->Channel);
		Ctx->Kmcl.VmbChannelCleanup(Ctx->Channel);
		Ctx->Channel = NULL;
	}
	if (Ctx->HaveInterface) {
		Ctx->Kmcl.InterfaceDereference(Ctx->Kmcl.Context);
		Ctx->HaveInterface = FALSE;
	}
}

static void IcHeartbeatFree(PIC_HEARTBEAT_CONTEXT Ctx)
{
	cancel_delayed_work_sync(&Ctx->Hint);
	IcHeartbeatStop(Ctx);
	debugfs_remove(Ctx->Debugfs);
	if (Ctx->Device)
		root_device_unregister(Ctx->Device);
	kfree(Ctx);
}

static int __init kmcl_ic_heartbeat_init(void)
{
	PIC_HEARTBEAT_CONTEXT Ctx = kzalloc(sizeof(*Ctx), GFP_KERNEL);
	struct device *Device;

	if (!Ctx)
		return -ENOMEM;
	INIT_DELAYED_WORK(&Ctx->Hint, IcHeartbeatHint);
	/* The device object a Windows IC gets from PnP: here one of our own. */
	Device = root_device_register("kmcl_ic_heartbeat");
	if (IS_ERR(Device)) {
		IcHeartbeatFree(Ctx);
		return PTR_ERR(Device);
	}
	Ctx->Device = Device;
	Ctx->Debugfs = debugfs_create_file("kmcl_ic_heartbeat", 0444, NULL, Ctx,
					   &ic_heartbeat_counters_fops);
	if (!NT_SUCCESS(IcHeartbeatStart(Ctx))) {
		IcHeartbeatFree(Ctx);
		return -ENODEV;
	}
	schedule_delayed_work(&Ctx->Hint, msecs_to_jiffies(hint_ms));
	IcHeartbeat = Ctx;
	return 0;
}

static void __exit kmcl_ic_heartbeat_exit(void)
{
	PIC_HEARTBEAT_CONTEXT Ctx = IcHeartbeat;

	IcHeartbeat = NULL;
	pr_info("unloading: %ld heartbeats answered, %ld malformed messages\n",
		atomic_long_read(&Ctx->Answers), atomic_long_read(&Ctx->Malformed));
	IcHeartbeatFree(Ctx);
}

module_init(kmcl_ic_heartbeat_init);
module_exit(kmcl_ic_heartbeat_exit);

MODULE_DESCRIPTION("KMCL sample: the Hyper-V heartbeat Integration Component as a KMCL client");
MODULE_LICENSE("GPL");
KMCL_IMPORT_NS();
