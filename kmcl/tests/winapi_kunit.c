// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_winapi: the public Windows-named headers.
 *
 * Checks the ABI facts that ported code relies on (sizes of the Windows base
 * types on LP64, the interface table layouts, GUID bytes, flag values) and
 * that code written the Windows way compiles unchanged. Every expected value
 * is written out here from the Windows definitions, independently of the
 * headers, so a wrong header fails the suite. Nothing here calls into
 * kmcl.ko.
 */
#define INITGUID
#include <kunit/test.h>
#include <linux/stddef.h>
#include <linux/uuid.h>

#include <vmbuskernelmodeclientlibapi.h>

/* Layout of the Windows interface tables: a 32-byte header, then pointers. */
#define IFACE_HDR	32
#define SLOT(n)		(IFACE_HDR + 8 * (n))
#define TABLE(nslots)	(IFACE_HDR + 8 * (nslots))

static void winapi_base_type_sizes(struct kunit *test)
{
	LONG l = -1;
	ULONG ul = -1;
	CSHORT cs = -1;

	/* Windows is LLP64: LONG and ULONG stay 32-bit on 64-bit CPUs. */
	KUNIT_EXPECT_EQ(test, sizeof(ULONG), 4);
	KUNIT_EXPECT_EQ(test, sizeof(LONG), 4);
	KUNIT_EXPECT_EQ(test, sizeof(USHORT), 2);
	KUNIT_EXPECT_EQ(test, sizeof(CSHORT), 2);
	KUNIT_EXPECT_EQ(test, sizeof(UCHAR), 1);
	KUNIT_EXPECT_EQ(test, sizeof(BOOLEAN), 1);
	KUNIT_EXPECT_EQ(test, sizeof(WCHAR), 2);
	KUNIT_EXPECT_EQ(test, sizeof(KIRQL), 1);
	KUNIT_EXPECT_EQ(test, sizeof(LONGLONG), 8);
	KUNIT_EXPECT_EQ(test, sizeof(ULONG64), 8);
	KUNIT_EXPECT_EQ(test, sizeof(UINT8), 1);
	KUNIT_EXPECT_EQ(test, sizeof(UINT16), 2);
	KUNIT_EXPECT_EQ(test, sizeof(UINT32), 4);
	KUNIT_EXPECT_EQ(test, sizeof(UINT64), 8);
	KUNIT_EXPECT_EQ(test, sizeof(INT32), 4);
	KUNIT_EXPECT_EQ(test, sizeof(ULONG_PTR), sizeof(void *));
	KUNIT_EXPECT_EQ(test, sizeof(SIZE_T), sizeof(void *));
	KUNIT_EXPECT_EQ(test, sizeof(PFN_NUMBER), 8);
	KUNIT_EXPECT_EQ(test, sizeof(HANDLE), sizeof(void *));
	KUNIT_EXPECT_EQ(test, sizeof(NTSTATUS), 4);

	/* Signedness matters for comparisons in ported code. */
	KUNIT_EXPECT_LT(test, l, 0);
	KUNIT_EXPECT_GT(test, ul, 0U);
	KUNIT_EXPECT_LT(test, cs, 0);
	KUNIT_EXPECT_EQ(test, ul, 0xffffffffU);
	KUNIT_EXPECT_EQ(test, (ULONG)MAXULONG, 0xffffffffU);
	KUNIT_EXPECT_EQ(test, (USHORT)MAXUSHORT, 0xffff);
	KUNIT_EXPECT_EQ(test, TRUE, 1);
	KUNIT_EXPECT_EQ(test, FALSE, 0);
	KUNIT_EXPECT_EQ(test, PASSIVE_LEVEL, 0);
	KUNIT_EXPECT_EQ(test, APC_LEVEL, 1);
	KUNIT_EXPECT_EQ(test, DISPATCH_LEVEL, 2);
}

static void winapi_struct_layouts(struct kunit *test)
{
	LARGE_INTEGER li;

	KUNIT_EXPECT_EQ(test, sizeof(GUID), 16);
	KUNIT_EXPECT_EQ(test, offsetof(GUID, Data2), 4);
	KUNIT_EXPECT_EQ(test, offsetof(GUID, Data3), 6);
	KUNIT_EXPECT_EQ(test, offsetof(GUID, Data4), 8);

	KUNIT_EXPECT_EQ(test, sizeof(LARGE_INTEGER), 8);
	KUNIT_EXPECT_EQ(test, offsetof(LARGE_INTEGER, LowPart), 0);
	KUNIT_EXPECT_EQ(test, offsetof(LARGE_INTEGER, HighPart), 4);
	KUNIT_EXPECT_EQ(test, offsetof(LARGE_INTEGER, u.HighPart), 4);
	li.QuadPart = -2;
	KUNIT_EXPECT_EQ(test, li.LowPart, 0xfffffffeU);
	KUNIT_EXPECT_EQ(test, li.HighPart, -1);
	KUNIT_EXPECT_EQ(test, li.u.LowPart, 0xfffffffeU);

	KUNIT_EXPECT_EQ(test, sizeof(UNICODE_STRING), 16);
	KUNIT_EXPECT_EQ(test, offsetof(UNICODE_STRING, MaximumLength), 2);
	KUNIT_EXPECT_EQ(test, offsetof(UNICODE_STRING, Buffer), 8);

	KUNIT_EXPECT_EQ(test, sizeof(INTERFACE), IFACE_HDR);
	KUNIT_EXPECT_EQ(test, offsetof(INTERFACE, Version), 2);
	KUNIT_EXPECT_EQ(test, offsetof(INTERFACE, Context), 8);
	KUNIT_EXPECT_EQ(test, offsetof(INTERFACE, InterfaceReference), 16);
	KUNIT_EXPECT_EQ(test, offsetof(INTERFACE, InterfaceDereference), 24);

	KUNIT_EXPECT_EQ(test, sizeof(MDL), 48);
	KUNIT_EXPECT_EQ(test, offsetof(MDL, Size), 8);
	KUNIT_EXPECT_EQ(test, offsetof(MDL, MdlFlags), 10);
	KUNIT_EXPECT_EQ(test, offsetof(MDL, Process), 16);
	KUNIT_EXPECT_EQ(test, offsetof(MDL, MappedSystemVa), 24);
	KUNIT_EXPECT_EQ(test, offsetof(MDL, StartVa), 32);
	KUNIT_EXPECT_EQ(test, offsetof(MDL, ByteCount), 40);
	KUNIT_EXPECT_EQ(test, offsetof(MDL, ByteOffset), 44);

	KUNIT_EXPECT_EQ(test, sizeof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS), 48);
	KUNIT_EXPECT_EQ(test, offsetof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS,
				       EvtChannelOpened), 8);
	KUNIT_EXPECT_EQ(test, sizeof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5), 56);
	KUNIT_EXPECT_EQ(test, offsetof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5,
				       CallbackContext), 8);
	KUNIT_EXPECT_EQ(test, offsetof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5,
				       EvtChannelPostStartedEx), 48);
}

static void winapi_interface_sizes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(KMCL_CLIENT_INTERFACE_V1), TABLE(41));
	KUNIT_EXPECT_EQ(test, sizeof(KMCL_CLIENT_INTERFACE_V2), TABLE(44));
	KUNIT_EXPECT_EQ(test, sizeof(KMCL_CLIENT_INTERFACE_V3), TABLE(46));
	KUNIT_EXPECT_EQ(test, sizeof(KMCL_CLIENT_INTERFACE_V4), TABLE(48));
	KUNIT_EXPECT_EQ(test, sizeof(KMCL_CLIENT_INTERFACE_V5), TABLE(57));
	KUNIT_EXPECT_EQ(test, sizeof(KMCL_SERVER_ONLY_METHODS), 8 * 14);
	KUNIT_EXPECT_EQ(test, sizeof(KMCL_SERVER_ONLY_METHODS_V5), 8 * 15);
	KUNIT_EXPECT_EQ(test, sizeof(KMCL_SERVER_INTERFACE_V1), TABLE(41 + 14));
	KUNIT_EXPECT_EQ(test, sizeof(KMCL_SERVER_INTERFACE_V5), TABLE(57 + 15));
}

struct slot_case {
	const char *name;
	size_t ours;
	size_t windows;
};

#define C1(m, n)	{ "V1." #m, offsetof(KMCL_CLIENT_INTERFACE_V1, m), SLOT(n) }
#define C5(m, n)	{ "V5." #m, offsetof(KMCL_CLIENT_INTERFACE_V5, m), SLOT(n) }
#define S1(m, n)	{ "S1." #m, offsetof(KMCL_SERVER_INTERFACE_V1, m), SLOT(n) }
#define S5(m, n)	{ "S5." #m, offsetof(KMCL_SERVER_INTERFACE_V5, m), SLOT(n) }
#define SO(m, n)	{ "SO." #m, offsetof(KMCL_SERVER_ONLY_METHODS_V5, m), 8 * (n) }

/* Slot numbers (0-based) counted from the Windows declarations. */
static const struct slot_case slot_cases[] = {
	{ "V1.Size", offsetof(KMCL_CLIENT_INTERFACE_V1, Size), 0 },
	{ "V1.Version", offsetof(KMCL_CLIENT_INTERFACE_V1, Version), 2 },
	{ "V1.Context", offsetof(KMCL_CLIENT_INTERFACE_V1, Context), 8 },
	{ "V5.InterfaceDereference",
	  offsetof(KMCL_CLIENT_INTERFACE_V5, InterfaceDereference), 24 },
	C1(VmbChannelAllocate, 0),
	C1(VmbChannelEnable, 6),
	C1(VmbChannelInitSetStateChangeCallbacks, 16),
	C1(VmbChannelPacketComplete, 17),
	C1(VmbChannelSendSynchronousRequest, 22),
	C1(VmbChannelStart, 28),
	C1(VmbClientChannelInitSetTargetPnp, 30),
	C1(VmbPacketAllocate, 31),
	C1(VmbPacketSend, 36),
	C1(VmbPacketSendWithExternalPfns, 38),
	C1(VmbPacketSetPointer, 40),
	C5(VmbPacketSend, 36),
	C5(VmbChannelPacketGetClientContext, 41),
	C5(VmbChannelGetParentDeviceObject, 43),
	C5(VmbChannelInitSetBounceBufferSizes, 44),
	C5(VmbChannelCreateGpadlFromPfnList, 47),
	C5(VmbChannelInitSetPrimaryChannel, 48),
	C5(VmbSizeofChannel, 52),
	C5(VmbChannelInitSetProcessPacketCallbacksEx, 55),
	C5(VmbPacketSetCompletionRoutineEx, 56),
	S1(VmbPacketSetPointer, 40),
	S1(VmbChannelMapGpadl, 41),
	S1(VmbServerChannelInitSetTargetInterfaceId, 52),
	S1(VmbServerChannelInitSetVmbusHandle, 54),
	S5(VmbPacketSetCompletionRoutineEx, 56),
	S5(VmbChannelMapGpadl, 57),
	S5(VmbServerChannelInitSetVmbusHandle, 70),
	S5(VmbServerChannelInitSetSaveRestorePacketCallbacksEx, 71),
	SO(VmbChannelMapGpadl, 0),
	SO(VmbPacketRestore, 7),
	SO(VmbServerChannelInitSetSaveRestorePacketCallbacksEx, 14),
};

static void slot_case_desc(const struct slot_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(slot, slot_cases, slot_case_desc);

static void winapi_interface_slot(struct kunit *test)
{
	const struct slot_case *c = test->param_value;

	KUNIT_EXPECT_EQ_MSG(test, c->ours, c->windows, "%s", c->name);
}

/* A table can be handed out through a PINTERFACE, as on Windows. */
static void winapi_interface_as_pinterface(struct kunit *test)
{
	KMCL_SERVER_INTERFACE_V5 srv;
	PINTERFACE hdr = (PINTERFACE)&srv;

	RtlZeroMemory(&srv, sizeof(srv));
	hdr->Size = sizeof(srv);
	hdr->Version = KMCL_SERVER_INTERFACE_VERSION_V5;
	hdr->Context = &srv;

	KUNIT_EXPECT_EQ(test, srv.Size, sizeof(KMCL_SERVER_INTERFACE_V5));
	KUNIT_EXPECT_EQ(test, srv.Version, 5);
	KUNIT_EXPECT_PTR_EQ(test, srv.Context, &srv);
	KUNIT_EXPECT_LE(test, sizeof(srv), (size_t)MAXUSHORT);
}

static void winapi_interface_versions(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, KMCL_CLIENT_INTERFACE_VERSION_V1, 1);
	KUNIT_EXPECT_EQ(test, KMCL_CLIENT_INTERFACE_VERSION_V2, 2);
	KUNIT_EXPECT_EQ(test, KMCL_CLIENT_INTERFACE_VERSION_V3, 3);
	KUNIT_EXPECT_EQ(test, KMCL_CLIENT_INTERFACE_VERSION_V4, 4);
	KUNIT_EXPECT_EQ(test, KMCL_CLIENT_INTERFACE_VERSION_V5, 5);
	KUNIT_EXPECT_EQ(test, KMCL_CLIENT_INTERFACE_VERSION_LATEST, 5);
	KUNIT_EXPECT_EQ(test, KMCL_SERVER_INTERFACE_VERSION_V1, 1);
	KUNIT_EXPECT_EQ(test, KMCL_SERVER_INTERFACE_VERSION_V5, 5);
	KUNIT_EXPECT_EQ(test, KMCL_SERVER_INTERFACE_VERSION_LATEST, 5);
}

/* The interface type GUIDs in memory, byte for byte (Data1..3 little-endian). */
static void winapi_guid_bytes(struct kunit *test)
{
	static const u8 client[16] = {
		0x60, 0xb8, 0xec, 0x4a, 0x61, 0xe1, 0xbb, 0x42,
		0xa5, 0xca, 0x77, 0xf3, 0xa9, 0x64, 0x59, 0x05,
	};
	static const u8 server[16] = {
		0x74, 0x14, 0xb2, 0x83, 0xb9, 0xc5, 0x65, 0x4f,
		0xb5, 0xe7, 0x72, 0x0c, 0x69, 0x2b, 0xd3, 0x71,
	};
	guid_t linux_guid = GUID_INIT(0x4aecb860, 0xe161, 0x42bb, 0xa5, 0xca,
				      0x77, 0xf3, 0xa9, 0x64, 0x59, 0x05);

	KUNIT_EXPECT_MEMEQ(test, &KMCL_CLIENT_INTERFACE_TYPE, client, 16);
	KUNIT_EXPECT_MEMEQ(test, &KMCL_SERVER_INTERFACE_TYPE, server, 16);
	KUNIT_EXPECT_EQ(test, KMCL_CLIENT_INTERFACE_TYPE.Data1, 0x4aecb860U);
	KUNIT_EXPECT_EQ(test, KMCL_SERVER_INTERFACE_TYPE.Data3, 0x4f65);
	/* Linux's guid_t has the same in-memory layout. */
	KUNIT_EXPECT_MEMEQ(test, &KMCL_CLIENT_INTERFACE_TYPE, &linux_guid, 16);
}

static void winapi_guid_compare(struct kunit *test)
{
	GUID copy = KMCL_CLIENT_INTERFACE_TYPE;
	int i;

	KUNIT_EXPECT_TRUE(test, IsEqualGUID(&copy, &KMCL_CLIENT_INTERFACE_TYPE));
	KUNIT_EXPECT_TRUE(test, InlineIsEqualGUID(&KMCL_SERVER_INTERFACE_TYPE,
						  &KMCL_SERVER_INTERFACE_TYPE));
	KUNIT_EXPECT_FALSE(test, IsEqualGUID(&KMCL_CLIENT_INTERFACE_TYPE,
					     &KMCL_SERVER_INTERFACE_TYPE));
	/* A difference in any single byte is seen. */
	for (i = 0; i < 16; i++) {
		copy = KMCL_CLIENT_INTERFACE_TYPE;
		((u8 *)&copy)[i] ^= 0x01;
		KUNIT_EXPECT_FALSE_MSG(test, IsEqualGUID(&copy, &KMCL_CLIENT_INTERFACE_TYPE),
				       "byte %d", i);
	}
}

static void winapi_flag_values(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, 0x1);
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH, 0x2);
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER, 0x4);
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_FORMAT_FLAG_DATA_IN_ONLY, 0x8);
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_FORMAT_FLAG_DATA_OUT_ONLY, 0x10);
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_FORMAT_FLAGS, 0x1f);
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY, 0x1);
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_GPADL_FLAGS, 0x1);
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_INIT_FLAG_IS_PIPE, 0x1);
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_INIT_FLAGS, 0x1);
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_FLAG_LOOPBACK_OFFER, 0x1);
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE, 0x2);
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_FLAG_OFFER_AS_PIPE, 0x4);
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL, 0x8);
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_FLAG_TLNPI_PROVIDER_OFFER, 0x10);
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_FLAGS, 0x1f);
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA, 0x1);
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_PROCESS_PACKET_FLAGS, 0x1);
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY, 0x1);
	KUNIT_EXPECT_EQ(test, VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAGS, 0x1);
	KUNIT_EXPECT_EQ(test, VMBUS_SERVER_CHANNEL_INIT_MAXIMUM_OFFER_DATA, 120);
	KUNIT_EXPECT_EQ(test, KMCL_PACKET_MTU, 524280);

	KUNIT_EXPECT_EQ(test, MDL_MAPPED_TO_SYSTEM_VA, 0x0001);
	KUNIT_EXPECT_EQ(test, MDL_PAGES_LOCKED, 0x0002);
	KUNIT_EXPECT_EQ(test, MDL_SOURCE_IS_NONPAGED_POOL, 0x0004);
	KUNIT_EXPECT_EQ(test, MDL_ALLOCATED_FIXED_SIZE, 0x0008);
	KUNIT_EXPECT_EQ(test, MDL_PARTIAL, 0x0010);
	KUNIT_EXPECT_EQ(test, MDL_PARTIAL_HAS_BEEN_MAPPED, 0x0020);
	KUNIT_EXPECT_EQ(test, MDL_IO_PAGE_READ, 0x0040);
	KUNIT_EXPECT_EQ(test, MDL_WRITE_OPERATION, 0x0080);
	KUNIT_EXPECT_EQ(test, MDL_LOCKED_PAGE_TABLES, 0x0100);
	KUNIT_EXPECT_EQ(test, MDL_FREE_EXTRA_PTES, 0x0200);
	KUNIT_EXPECT_EQ(test, MDL_DESCRIBES_AWE, 0x0400);
	KUNIT_EXPECT_EQ(test, MDL_IO_SPACE, 0x0800);
	KUNIT_EXPECT_EQ(test, MDL_NETWORK_HEADER, 0x1000);
	KUNIT_EXPECT_EQ(test, MDL_MAPPING_CAN_FAIL, 0x2000);
	KUNIT_EXPECT_EQ(test, MDL_PAGE_CONTENTS_INVARIANT, 0x4000);
	KUNIT_EXPECT_EQ(test, MDL_INTERNAL, 0x8000);
}

static void winapi_nt_success(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, NT_SUCCESS(STATUS_SUCCESS));
	KUNIT_EXPECT_TRUE(test, NT_SUCCESS(STATUS_PENDING));
	KUNIT_EXPECT_FALSE(test, NT_SUCCESS(STATUS_MORE_PROCESSING_REQUIRED));
	KUNIT_EXPECT_FALSE(test, NT_SUCCESS(STATUS_BUFFER_OVERFLOW));
	KUNIT_EXPECT_FALSE(test, NT_SUCCESS(STATUS_INVALID_PARAMETER_1));
	KUNIT_EXPECT_FALSE(test, NT_SUCCESS(STATUS_NOT_SUPPORTED));
	KUNIT_EXPECT_TRUE(test, NT_ERROR(STATUS_CANCELLED));
	KUNIT_EXPECT_TRUE(test, NT_WARNING(STATUS_BUFFER_OVERFLOW));
}

static void winapi_callbacks_init(struct kunit *test)
{
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS cb;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 cb5;

	memset(&cb, 0xa5, sizeof(cb));
	memset(&cb5, 0xa5, sizeof(cb5));
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&cb);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5(&cb5);

	KUNIT_EXPECT_EQ(test, cb.Version, 1U);
	KUNIT_EXPECT_EQ(test, cb.Size, (ULONG)sizeof(cb));
	KUNIT_EXPECT_NULL(test, cb.EvtChannelOpened);
	KUNIT_EXPECT_NULL(test, cb.EvtChannelPostStarted);
	KUNIT_EXPECT_EQ(test, cb5.Version, 5U);
	KUNIT_EXPECT_EQ(test, cb5.Size, (ULONG)sizeof(cb5));
	KUNIT_EXPECT_NULL(test, cb5.CallbackContext);
	KUNIT_EXPECT_NULL(test, cb5.EvtChannelClosedEx);
	KUNIT_EXPECT_NULL(test, cb5.EvtChannelPostStartedEx);
}

static void winapi_unicode_string(struct kunit *test)
{
	UNICODE_STRING wide = RTL_CONSTANT_STRING(L"Network");

	KUNIT_EXPECT_EQ(test, wide.Length, 14);
	KUNIT_EXPECT_EQ(test, wide.MaximumLength, 16);
	KUNIT_EXPECT_EQ(test, wide.Buffer[0], (WCHAR)'N');
	KUNIT_EXPECT_EQ(test, wide.Buffer[6], (WCHAR)'k');
	KUNIT_EXPECT_EQ(test, wide.Buffer[7], 0);
}

static void winapi_mdl_helpers(struct kunit *test)
{
	struct {
		MDL mdl;
		PFN_NUMBER pfns[3];
	} m;
	PVOID va = (PVOID)0x12345ff0UL;

	KUNIT_EXPECT_EQ(test, KMCL_HV_PAGE_SIZE, 4096UL);
	KUNIT_EXPECT_EQ(test, BYTE_OFFSET(va), 0xff0U);
	KUNIT_EXPECT_EQ(test, ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, 0x10), 1U);
	KUNIT_EXPECT_EQ(test, ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, 0x11), 2U);
	KUNIT_EXPECT_EQ(test, ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, 0x1011), 3U);
	KUNIT_EXPECT_EQ(test, ADDRESS_AND_SIZE_TO_SPAN_PAGES((PVOID)0x1000UL, 0), 0U);
	KUNIT_EXPECT_EQ(test, BYTES_TO_PAGES(4097), 2U);
	KUNIT_EXPECT_EQ(test, ROUND_TO_PAGES(1), 4096UL);
	KUNIT_EXPECT_EQ(test, MmSizeOfMdl(va, 0x1011), sizeof(MDL) + 3 * sizeof(PFN_NUMBER));

	memset(&m, 0xa5, sizeof(m));
	MmInitializeMdl(&m.mdl, va, 0x1011);
	KUNIT_EXPECT_NULL(test, m.mdl.Next);
	KUNIT_EXPECT_EQ(test, m.mdl.Size, (CSHORT)(48 + 3 * 8));
	KUNIT_EXPECT_EQ(test, m.mdl.MdlFlags, 0);
	KUNIT_EXPECT_PTR_EQ(test, MmGetMdlBaseVa(&m.mdl), (PVOID)0x12345000UL);
	KUNIT_EXPECT_EQ(test, MmGetMdlByteOffset(&m.mdl), 0xff0U);
	KUNIT_EXPECT_EQ(test, MmGetMdlByteCount(&m.mdl), 0x1011U);
	KUNIT_EXPECT_PTR_EQ(test, MmGetMdlVirtualAddress(&m.mdl), va);
	KUNIT_EXPECT_PTR_EQ(test, MmGetMdlPfnArray(&m.mdl), &m.pfns[0]);
}

/*
 * A fragment written the way a Windows VSC is written, using only Windows
 * names. It builds the structures a driver sets up before it talks to KMCL
 * and checks them; it does not call KMCL (kmcl.ko is not linked here).
 */

/* {f8615163-df3e-46c5-913f-f2d2f965ed0e}: netvsc's interface type. */
DEFINE_GUID(GUID_WINAPI_TEST_NETVSC,
	    0xf8615163, 0xdf3e, 0x46c5, 0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e);

typedef struct _TEST_VSC_CONTEXT {
	VMBCHANNEL Channel;
	KMCL_CLIENT_INTERFACE_V5 Kmcl;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS StateCallbacks;
	PFN_VMB_CHANNEL_PROCESS_PACKET ProcessPacket;
	UNICODE_STRING Name;
	ULONG PacketsSeen;
	BOOLEAN Opened;
} TEST_VSC_CONTEXT, *PTEST_VSC_CONTEXT;

static EVT_VMB_CHANNEL_OPENED TestVscOpened;
static EVT_VMB_CHANNEL_PROCESS_PACKET TestVscProcessPacket;
static EVT_VMB_PACKET_COMPLETION_ROUTINE_EX TestVscSendDone;

_Use_decl_annotations_
static NTSTATUS TestVscOpened(VMBCHANNEL Channel)
{
	UNREFERENCED_PARAMETER(Channel);
	return STATUS_SUCCESS;
}

_Function_class_(EVT_VMB_CHANNEL_PROCESS_PACKET)
_IRQL_requires_max_(DISPATCH_LEVEL)
_Use_decl_annotations_
static VOID TestVscProcessPacket(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet,
				 PVOID Buffer, UINT32 BufferLength, UINT32 Flags)
{
	UNREFERENCED_PARAMETER(Channel);
	UNREFERENCED_PARAMETER(Packet);
	UNREFERENCED_PARAMETER(Buffer);
	UNREFERENCED_PARAMETER(BufferLength);
	UNREFERENCED_PARAMETER(Flags);
}

_Use_decl_annotations_
static VOID TestVscSendDone(VMBPACKET Packet, PVOID CallbackContext, NTSTATUS Status,
			    PVOID Buffer, UINT32 BufferLength)
{
	PTEST_VSC_CONTEXT ctx = (PTEST_VSC_CONTEXT)CallbackContext;

	UNREFERENCED_PARAMETER(Packet);
	UNREFERENCED_PARAMETER(Buffer);
	UNREFERENCED_PARAMETER(BufferLength);
	if (NT_SUCCESS(Status))
		ctx->PacketsSeen++;
}

_IRQL_requires_(PASSIVE_LEVEL)
static NTSTATUS TestVscPrepare(_Out_ PTEST_VSC_CONTEXT Ctx)
{
	static const UNICODE_STRING name = RTL_CONSTANT_STRING(L"TestVsc");

	RtlZeroMemory(Ctx, sizeof(*Ctx));
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&Ctx->StateCallbacks);
	Ctx->StateCallbacks.EvtChannelOpened = TestVscOpened;
	Ctx->Kmcl.Size = sizeof(Ctx->Kmcl);
	Ctx->Kmcl.Version = KMCL_CLIENT_INTERFACE_VERSION_V5;
	Ctx->ProcessPacket = TestVscProcessPacket;
	RtlCopyMemory(&Ctx->Name, &name, sizeof(name));
	if (!RtlEqualMemory(&Ctx->Name, &name, sizeof(name)))
		return STATUS_UNSUCCESSFUL;
	return STATUS_SUCCESS;
}

static void winapi_windows_style_source(struct kunit *test)
{
	PTEST_VSC_CONTEXT ctx;
	PFN_VMB_PACKET_COMPLETION_ROUTINE_EX done = TestVscSendDone;
	LPCGUID type = &GUID_WINAPI_TEST_NETVSC;
	NTSTATUS status;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);

	status = TestVscPrepare(ctx);
	KUNIT_EXPECT_EQ(test, status, STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ctx->StateCallbacks.Version, 1U);
	KUNIT_EXPECT_PTR_EQ(test, ctx->StateCallbacks.EvtChannelOpened, &TestVscOpened);
	KUNIT_EXPECT_PTR_EQ(test, ctx->ProcessPacket, &TestVscProcessPacket);
	KUNIT_EXPECT_EQ(test, ctx->StateCallbacks.EvtChannelOpened(NULL), STATUS_SUCCESS);
	KUNIT_EXPECT_NULL(test, ctx->StateCallbacks.EvtChannelClosed);
	KUNIT_EXPECT_EQ(test, ((PINTERFACE)&ctx->Kmcl)->Size, TABLE(57));
	KUNIT_EXPECT_EQ(test, ((PINTERFACE)&ctx->Kmcl)->Version, 5);
	KUNIT_EXPECT_NULL(test, ctx->Kmcl.VmbPacketSend);
	KUNIT_EXPECT_EQ(test, ctx->Name.Length, 14);
	KUNIT_EXPECT_EQ(test, ctx->Name.Buffer[0], (WCHAR)'T');
	KUNIT_EXPECT_FALSE(test, ctx->Opened);
	KUNIT_EXPECT_NULL(test, ctx->Channel);

	done(NULL, ctx, STATUS_SUCCESS, NULL, 0);
	done(NULL, ctx, STATUS_CANCELLED, NULL, 0);
	KUNIT_EXPECT_EQ(test, ctx->PacketsSeen, 1U);

	/* The GUID defined in this file under INITGUID, byte for byte. */
	KUNIT_EXPECT_EQ(test, type->Data1, 0xf8615163U);
	KUNIT_EXPECT_EQ(test, type->Data2, 0xdf3e);
	KUNIT_EXPECT_EQ(test, type->Data3, 0x46c5);
	KUNIT_EXPECT_EQ(test, type->Data4[0], 0x91);
	KUNIT_EXPECT_EQ(test, type->Data4[7], 0x0e);
	KUNIT_EXPECT_FALSE(test, IsEqualGUID(type, &KMCL_CLIENT_INTERFACE_TYPE));
}

static struct kunit_case winapi_cases[] = {
	KUNIT_CASE(winapi_base_type_sizes),
	KUNIT_CASE(winapi_struct_layouts),
	KUNIT_CASE(winapi_interface_sizes),
	KUNIT_CASE_PARAM(winapi_interface_slot, slot_gen_params),
	KUNIT_CASE(winapi_interface_as_pinterface),
	KUNIT_CASE(winapi_interface_versions),
	KUNIT_CASE(winapi_guid_bytes),
	KUNIT_CASE(winapi_guid_compare),
	KUNIT_CASE(winapi_flag_values),
	KUNIT_CASE(winapi_nt_success),
	KUNIT_CASE(winapi_callbacks_init),
	KUNIT_CASE(winapi_unicode_string),
	KUNIT_CASE(winapi_mdl_helpers),
	KUNIT_CASE(winapi_windows_style_source),
	{}
};

static struct kunit_suite winapi_suite = {
	.name = "kmcl_winapi",
	.test_cases = winapi_cases,
};

kunit_test_suite(winapi_suite);
