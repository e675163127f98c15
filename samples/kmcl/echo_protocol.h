/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * echo_protocol.h - the messages the echo VSP and VSC samples exchange.
 *
 * A VMBus device protocol is private to its VSP/VSC pair: KMCL moves the
 * bytes, the two drivers agree on what they mean. This one has four
 * requests, each answered in the completion of the packet that carried it:
 *
 *   EchoMessageVersion        the client proposes a protocol version; sent
 *                             with VmbChannelSendSynchronousRequest() from
 *                             EvtChannelPostStarted, as VSCs negotiate.
 *   EchoMessageEcho           up to ECHO_MAX_DATA bytes; the server returns
 *                             them with their checksum. Sent as ordinary
 *                             packets (VmbPacketSend, WAIT_FOR_COMPLETION).
 *   EchoMessageChecksumGpadl  the handle of a GPADL the client created; the
 *                             server maps it, checksums all but its last
 *                             ECHO_STAMP_SIZE bytes and writes ECHO_STAMP
 *                             there.
 *   EchoMessageSubchannels    (version 1.1) the client asks for Count
 *                             subchannels of the channel the request came
 *                             on (multi-queue mode); the server answers
 *                             how many it will offer, then offers
 *                             subchannels 1..Count of that channel
 *                             (VmbChannelInitSetPrimaryChannel), which
 *                             answer echo requests only, at DISPATCH
 *                             level. The client enables its own
 *                             subchannels 1..Count; enabled before the
 *                             server's offer, each waits for it. They
 *                             close with the channel, before it. Only on
 *                             the main channel, at most once per open.
 *
 * Every field is little-endian (both ends run on the same machine here, as
 * on Hyper-V). A server must treat every field as untrusted.
 *
 * Include <vmbuskernelmodeclientlibapi.h> first; the one source file of each
 * module that defines INITGUID also gets the GUID definitions.
 */
#ifndef _ECHO_PROTOCOL_H
#define _ECHO_PROTOCOL_H

/* The channel type the VSP offers and the VSC asks for. */
/* 6b6d636c-6563-686f-9a5e-2d1c0f3b7a01 */
DEFINE_GUID(ECHO_INTERFACE_TYPE,
	    0x6b6d636c, 0x6563, 0x686f, 0x9a, 0x5e, 0x2d, 0x1c, 0x0f, 0x3b, 0x7a, 0x01);
/* The one instance of it. */
/* 6b6d636c-6563-686f-9a5e-2d1c0f3b7a02 */
DEFINE_GUID(ECHO_INTERFACE_INSTANCE,
	    0x6b6d636c, 0x6563, 0x686f, 0x9a, 0x5e, 0x2d, 0x1c, 0x0f, 0x3b, 0x7a, 0x02);

/* Most subchannels a client may ask for. */
#define ECHO_MAX_SUBCHANNELS	8

#define ECHO_VERSION_1_0	0x00010000U
/* 1.1 adds EchoMessageSubchannels. */
#define ECHO_VERSION_1_1	0x00010001U
#define ECHO_VERSION_MAJOR(v)	((v) >> 16)

#define ECHO_MAX_DATA		128
#define ECHO_STAMP_SIZE		32
/* Exactly ECHO_STAMP_SIZE bytes with its NUL. */
#define ECHO_STAMP		"kmcl_echo_vsp checksummed this."

typedef enum _ECHO_MESSAGE_TYPE {
	EchoMessageVersion = 1,
	EchoMessageEcho = 2,
	EchoMessageChecksumGpadl = 3,
	EchoMessageSubchannels = 4,
} ECHO_MESSAGE_TYPE;

/* First bytes of every request. */
typedef struct _ECHO_MESSAGE_HEADER {
	UINT32 Type;
	UINT32 Reserved;
} ECHO_MESSAGE_HEADER, *PECHO_MESSAGE_HEADER;

/* First bytes of every completion: the type answered and the outcome. */
typedef struct _ECHO_RESPONSE_HEADER {
	UINT32 Type;
	NTSTATUS Status;
} ECHO_RESPONSE_HEADER, *PECHO_RESPONSE_HEADER;

typedef struct _ECHO_VERSION_REQUEST {
	ECHO_MESSAGE_HEADER Header;
	UINT32 Version;
	UINT32 Reserved;
} ECHO_VERSION_REQUEST, *PECHO_VERSION_REQUEST;

typedef struct _ECHO_VERSION_RESPONSE {
	ECHO_RESPONSE_HEADER Header;
	UINT32 Version;
	UINT32 Reserved;
} ECHO_VERSION_RESPONSE, *PECHO_VERSION_RESPONSE;

/* Sent with only Length bytes of Data. */
typedef struct _ECHO_ECHO_REQUEST {
	ECHO_MESSAGE_HEADER Header;
	UINT32 Length;
	UINT32 Reserved;
	UCHAR Data[ECHO_MAX_DATA];
} ECHO_ECHO_REQUEST, *PECHO_ECHO_REQUEST;

/* Completed with only Length bytes of Data. */
typedef struct _ECHO_ECHO_RESPONSE {
	ECHO_RESPONSE_HEADER Header;
	UINT32 Length;
	UINT32 Checksum;
	UCHAR Data[ECHO_MAX_DATA];
} ECHO_ECHO_RESPONSE, *PECHO_ECHO_RESPONSE;

typedef struct _ECHO_GPADL_REQUEST {
	ECHO_MESSAGE_HEADER Header;
	UINT32 GpadlHandle;
	UINT32 ByteCount;
} ECHO_GPADL_REQUEST, *PECHO_GPADL_REQUEST;

typedef struct _ECHO_GPADL_RESPONSE {
	ECHO_RESPONSE_HEADER Header;
	UINT32 Checksum;
	UINT32 ByteCount;
	UINT32 PageCount;
	UINT32 Reserved;
} ECHO_GPADL_RESPONSE, *PECHO_GPADL_RESPONSE;

/* Count: 1..ECHO_MAX_SUBCHANNELS. */
typedef struct _ECHO_SUBCHANNEL_REQUEST {
	ECHO_MESSAGE_HEADER Header;
	UINT32 Count;
	UINT32 Reserved;
} ECHO_SUBCHANNEL_REQUEST, *PECHO_SUBCHANNEL_REQUEST;

/* Count: subchannels 1..Count will be offered (at most the Count asked). */
typedef struct _ECHO_SUBCHANNEL_RESPONSE {
	ECHO_RESPONSE_HEADER Header;
	UINT32 Count;
	UINT32 Reserved;
} ECHO_SUBCHANNEL_RESPONSE, *PECHO_SUBCHANNEL_RESPONSE;

/* Completion buffers of synchronous requests are a multiple of 8 bytes. */
static_assert(sizeof(ECHO_VERSION_RESPONSE) % 8 == 0);
static_assert(sizeof(ECHO_ECHO_RESPONSE) % 8 == 0);
static_assert(sizeof(ECHO_GPADL_RESPONSE) % 8 == 0);
static_assert(sizeof(ECHO_SUBCHANNEL_RESPONSE) % 8 == 0);
static_assert(sizeof(ECHO_STAMP) == ECHO_STAMP_SIZE);

/*
 * EchoChecksum() - the protocol's checksum (32-bit FNV-1a)
 * @Data: the bytes.
 * @Length: how many.
 */
static inline UINT32 EchoChecksum(const UCHAR *Data, UINT32 Length)
{
	UINT32 Hash = 0x811c9dc5U;
	UINT32 i;

	for (i = 0; i < Length; i++) {
		Hash ^= Data[i];
		Hash *= 0x01000193U;
	}
	return Hash;
}

#endif /* _ECHO_PROTOCOL_H */
