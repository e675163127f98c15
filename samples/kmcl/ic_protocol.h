/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ic_protocol.h - the wire format of the Hyper-V heartbeat Integration
 * Component (IC), shared by the ported IC (kmcl_ic_heartbeat.c) and the
 * loopback host double (kmcl_ic_host.c).
 *
 * The layouts and constants are those every Hyper-V and Azure host uses;
 * the public description is Linux's include/linux/hyperv.h and
 * drivers/hv/hv_util.c. Every message, in either direction, is
 *
 *   IC_PIPE_HEADER      8 bytes: the VMBus pipe framing, carried as payload
 *   IC_MESSAGE_HEADER  20 bytes: versions, type, status, flags
 *   body               IC_NEGOTIATE + versions, or IC_HEARTBEAT_BODY
 *
 * The host sends requests; the guest answers each one with a message of
 * the same length: the request's bytes, edited, with the TRANSACTION and
 * RESPONSE flags set. A negotiation request lists the framework versions
 * the host speaks, then the service versions; the answer names one of each
 * (counts 1 and 1), or none (counts 0 and 0) to refuse. A heartbeat
 * request carries a sequence number; the answer carries it plus one.
 *
 * Every field is little-endian, unaligned (the structures are packed) and,
 * in a guest, written by an untrusted host.
 *
 * Include <vmbuskernelmodeclientlibapi.h> first; the one source file of each
 * module that defines INITGUID also gets the GUID definitions.
 */
#ifndef _IC_PROTOCOL_H
#define _IC_PROTOCOL_H

/* The heartbeat IC's interface type (hv_util.c: HV_HEART_BEAT_GUID). */
/* 57164f39-9115-4e78-ab55-382f3bd5422d */
DEFINE_GUID(IC_HEARTBEAT_INTERFACE_TYPE,
	    0x57164f39, 0x9115, 0x4e78, 0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d);

/* The instance the loopback host double offers (a real host picks its own). */
/* 6b6d636c-6963-6862-9a5e-2d1c0f3b7a11 */
DEFINE_GUID(IC_HEARTBEAT_LOOPBACK_INSTANCE,
	    0x6b6d636c, 0x6963, 0x6862, 0x9a, 0x5e, 0x2d, 0x1c, 0x0f, 0x3b, 0x7a, 0x11);

/* A version as the messages carry it, and as a 32-bit major << 16 | minor. */
#define IC_VERSION(Major, Minor)	((UINT32)(Major) << 16 | (UINT32)(Minor))
#define IC_VERSION_MAJOR(v)		((UINT32)(v) >> 16)
#define IC_VERSION_MINOR(v)		((UINT32)(v) & 0xffff)

/* Framework versions: 3.0 (current hosts) and 1.0 (Windows Server 2008). */
#define IC_FRAMEWORK_VERSION_3_0	IC_VERSION(3, 0)
#define IC_FRAMEWORK_VERSION_1_0	IC_VERSION(1, 0)
/* Heartbeat service versions. */
#define IC_HEARTBEAT_VERSION_3_0	IC_VERSION(3, 0)
#define IC_HEARTBEAT_VERSION_1_0	IC_VERSION(1, 0)

/* IC_MESSAGE_HEADER.MessageType */
#define IC_MSGTYPE_NEGOTIATE		0
#define IC_MSGTYPE_HEARTBEAT		1

/* IC_MESSAGE_HEADER.Flags */
#define IC_MSGFLAG_TRANSACTION		0x01
#define IC_MSGFLAG_REQUEST		0x02
#define IC_MSGFLAG_RESPONSE		0x04

/* IC_MESSAGE_HEADER.Status: an HRESULT. */
#define IC_STATUS_OK			0x00000000U
#define IC_STATUS_FAIL			0x80004005U

/* The most versions of each kind a negotiation may list. */
#define IC_MAX_VERSION_COUNT		100
/* What the answer to a negotiation puts in IC_MESSAGE_HEADER.MessageSize. */
#define IC_NEGOTIATE_ANSWER_SIZE	0x10

/* The largest message either side sends or accepts (one page). */
#define IC_MAX_MESSAGE			4096

typedef struct _IC_PIPE_HEADER {
	UINT32 Flags;
	UINT32 MessageSize;
} __packed IC_PIPE_HEADER, *PIC_PIPE_HEADER;

typedef struct _IC_VERSION_PAIR {
	UINT16 Major;
	UINT16 Minor;
} __packed IC_VERSION_PAIR, *PIC_VERSION_PAIR;

typedef struct _IC_MESSAGE_HEADER {
	IC_VERSION_PAIR FrameworkVersion;
	UINT16 MessageType;
	IC_VERSION_PAIR MessageVersion;
	UINT16 MessageSize;
	UINT32 Status;
	UINT8 TransactionId;
	UINT8 Flags;
	UINT8 Reserved[2];
} __packed IC_MESSAGE_HEADER, *PIC_MESSAGE_HEADER;

/* Pipe header and IC header: where every body starts. */
typedef struct _IC_MESSAGE {
	IC_PIPE_HEADER Pipe;
	IC_MESSAGE_HEADER Header;
} __packed IC_MESSAGE, *PIC_MESSAGE;

/* Body of IC_MSGTYPE_NEGOTIATE: FrameworkCount + ServiceCount versions follow. */
typedef struct _IC_NEGOTIATE {
	UINT16 FrameworkCount;
	UINT16 ServiceCount;
	UINT32 Reserved;
	IC_VERSION_PAIR Versions[];
} __packed IC_NEGOTIATE, *PIC_NEGOTIATE;

/*
 * Body of IC_MSGTYPE_HEARTBEAT. Hosts need not send the reserved part:
 * a heartbeat is long enough once it holds SequenceNumber.
 */
typedef struct _IC_HEARTBEAT_BODY {
	UINT64 SequenceNumber;
	UINT32 Reserved[8];
} __packed IC_HEARTBEAT_BODY, *PIC_HEARTBEAT_BODY;

#define IC_HEADERS_SIZE			sizeof(IC_MESSAGE)
#define IC_HEARTBEAT_MIN_SIZE		(IC_HEADERS_SIZE + sizeof(UINT64))
/* A negotiation message listing @Count versions in all. */
#define IC_NEGOTIATE_SIZE(Count)	\
	(IC_HEADERS_SIZE + sizeof(IC_NEGOTIATE) + (Count) * sizeof(IC_VERSION_PAIR))

static_assert(sizeof(IC_PIPE_HEADER) == 8);
static_assert(sizeof(IC_MESSAGE_HEADER) == 20);
static_assert(sizeof(IC_NEGOTIATE) == 8);
static_assert(sizeof(IC_HEARTBEAT_BODY) == 40);
/* The answer to a negotiation always holds two versions. */
static_assert(IC_NEGOTIATE_SIZE(2) <= IC_MAX_MESSAGE);

#endif /* _IC_PROTOCOL_H */
