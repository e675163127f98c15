// SPDX-License-Identifier: GPL-2.0-only
/*
 * The interface tables (KMCL_CLIENT_INTERFACE_V1..V5,
 * KMCL_SERVER_INTERFACE_V1/V5) and KmclQueryInterface(), the Linux
 * stand-in for querying the KMCL bus driver for them.
 *
 * Client V1..V5 are prefixes of V5, so one V5 table serves them all: the
 * requested version's sizeof() is copied. Server V1 is client V1 followed by
 * the server-only slots, so it needs a table of its own.
 *
 * A successful query takes a reference on kmcl.ko (WDM convention: the
 * provider references the interface before returning it, the caller
 * dereferences it when done), so the functions in the table stay loaded
 * until InterfaceDereference().
 */
#include <linux/module.h>
#include <linux/string.h>

#define INITGUID
#include <vmbuskernelmodeclientlibapi.h>

#include "api_context.h"
#include "kmcl.h"

/* The context every returned table carries: the providing module. */
#define KMCL_IFACE_CONTEXT	((PVOID)THIS_MODULE)

/*
 * The interface type GUIDs are defined here (INITGUID) and exported, so a
 * module that uses them need not define its own copies: the client type...
 */
EXPORT_SYMBOL_KMCL(KMCL_CLIENT_INTERFACE_TYPE);
/* ...and the server type. */
EXPORT_SYMBOL_KMCL(KMCL_SERVER_INTERFACE_TYPE);

/**
 * kmcl_iface_owner() - the module the interface references pin (for tests)
 *
 * Return: kmcl.ko's struct module.
 */
struct module *kmcl_iface_owner(void)
{
	return THIS_MODULE;
}

KMCL_EXPORT_FOR_TESTS(kmcl_iface_owner);

static void kmcl_iface_reference(PVOID Context)
{
	__module_get(THIS_MODULE);
}

static void kmcl_iface_dereference(PVOID Context)
{
	module_put(THIS_MODULE);
}

#define KMCL_CLIENT_V1_FUNCS						\
	.VmbChannelAllocate = VmbChannelAllocate,			\
	.VmbChannelCleanup = VmbChannelCleanup,				\
	.VmbChannelCreateGpadlFromBuffer = VmbChannelCreateGpadlFromBuffer, \
	.VmbChannelCreateGpadlFromMdl = VmbChannelCreateGpadlFromMdl,	\
	.VmbChannelDeleteGpadl = VmbChannelDeleteGpadl,			\
	.VmbChannelDisable = VmbChannelDisable,				\
	.VmbChannelEnable = VmbChannelEnable,				\
	.VmbChannelGetInterfaceInstance = VmbChannelGetInterfaceInstance, \
	.VmbChannelGetMmioSpace = VmbChannelGetMmioSpace,		\
	.VmbChannelGetPointer = VmbChannelGetPointer,			\
	.VmbChannelInitSetClientContextSize = VmbChannelInitSetClientContextSize, \
	.VmbChannelInitSetFlags = VmbChannelInitSetFlags,		\
	.VmbChannelInitSetFriendlyName = VmbChannelInitSetFriendlyName, \
	.VmbChannelInitSetMaximumExternalData = VmbChannelInitSetMaximumExternalData, \
	.VmbChannelInitSetMaximumPacketSize = VmbChannelInitSetMaximumPacketSize, \
	.VmbChannelInitSetProcessPacketCallbacks = VmbChannelInitSetProcessPacketCallbacks, \
	.VmbChannelInitSetStateChangeCallbacks = VmbChannelInitSetStateChangeCallbacks, \
	.VmbChannelPacketComplete = VmbChannelPacketComplete,		\
	.VmbChannelPacketDeferToPassive = VmbChannelPacketDeferToPassive, \
	.VmbChannelPacketFail = VmbChannelPacketFail,			\
	.VmbChannelPacketGetExternalData = VmbChannelPacketGetExternalData, \
	.VmbChannelPause = VmbChannelPause,				\
	.VmbChannelSendSynchronousRequest = VmbChannelSendSynchronousRequest, \
	.VmbChannelSetIncomingProcessingAtPassive = VmbChannelSetIncomingProcessingAtPassive, \
	.VmbChannelSetInterruptLatency = VmbChannelSetInterruptLatency, \
	.VmbChannelSetPointer = VmbChannelSetPointer,			\
	.VmbChannelSetTransactionQuota = VmbChannelSetTransactionQuota, \
	.VmbChannelSizeofPacket = VmbChannelSizeofPacket,		\
	.VmbChannelStart = VmbChannelStart,				\
	.VmbClientChannelInitSetRingBufferPageCount = VmbClientChannelInitSetRingBufferPageCount, \
	.VmbClientChannelInitSetTargetPnp = VmbClientChannelInitSetTargetPnp, \
	.VmbPacketAllocate = VmbPacketAllocate,				\
	.VmbPacketFree = VmbPacketFree,					\
	.VmbPacketGetChannel = VmbPacketGetChannel,			\
	.VmbPacketGetPointer = VmbPacketGetPointer,			\
	.VmbPacketInitialize = VmbPacketInitialize,			\
	.VmbPacketSend = VmbPacketSend,					\
	.VmbPacketSendWithExternalMdl = VmbPacketSendWithExternalMdl,	\
	.VmbPacketSendWithExternalPfns = VmbPacketSendWithExternalPfns, \
	.VmbPacketSetCompletionRoutine = VmbPacketSetCompletionRoutine, \
	.VmbPacketSetPointer = VmbPacketSetPointer

#define KMCL_CLIENT_V5_FUNCS						\
	KMCL_CLIENT_V1_FUNCS,						\
	/* V2 */							\
	.VmbChannelPacketGetClientContext = VmbChannelPacketGetClientContext, \
	.VmbChannelGetTargetDeviceObject = VmbChannelGetTargetDeviceObject, \
	.VmbChannelGetParentDeviceObject = VmbChannelGetParentDeviceObject, \
	/* V3 */							\
	.VmbChannelInitSetBounceBufferSizes = VmbChannelInitSetBounceBufferSizes, \
	.VmbChannelAllocateBounceBuffer = VmbChannelAllocateBounceBuffer, \
	/* V4 */							\
	.VmbChannelInitSetMaximumPacketCount = VmbChannelInitSetMaximumPacketCount, \
	.VmbChannelCreateGpadlFromPfnList = VmbChannelCreateGpadlFromPfnList, \
	/* V5 */							\
	.VmbChannelInitSetPrimaryChannel = VmbChannelInitSetPrimaryChannel, \
	.VmbChannelInitialize = VmbChannelInitialize,			\
	.VmbChannelSetAllowableDpcCpuUsage = VmbChannelSetAllowableDpcCpuUsage, \
	.VmbClientChannelInitSetTargetProcessorIndex =			\
		VmbClientChannelInitSetTargetProcessorIndex,		\
	.VmbSizeofChannel = VmbSizeofChannel,				\
	.VmbChannelInitSetInlinePacketContextSize = VmbChannelInitSetInlinePacketContextSize, \
	.VmbPacketGetInlinePacketContextPointer = VmbPacketGetInlinePacketContextPointer, \
	.VmbChannelInitSetProcessPacketCallbacksEx = VmbChannelInitSetProcessPacketCallbacksEx, \
	.VmbPacketSetCompletionRoutineEx = VmbPacketSetCompletionRoutineEx

#define KMCL_SERVER_ONLY_FUNCS						\
	.VmbChannelMapGpadl = VmbChannelMapGpadl,			\
	.VmbChannelRestoreFromBuffer = VmbChannelRestoreFromBuffer,	\
	.VmbChannelSaveBegin = VmbChannelSaveBegin,			\
	.VmbChannelSaveContinue = VmbChannelSaveContinue,		\
	.VmbChannelSaveEnd = VmbChannelSaveEnd,				\
	.VmbChannelUnmapGpadl = VmbChannelUnmapGpadl,			\
	.VmbConvertVmbusHandleToKernelHandle = VmbConvertVmbusHandleToKernelHandle, \
	.VmbPacketRestore = VmbPacketRestore,				\
	.VmbServerChannelInitSetFlags = VmbServerChannelInitSetFlags,	\
	.VmbServerChannelInitSetMmioMegabytes = VmbServerChannelInitSetMmioMegabytes, \
	.VmbServerChannelInitSetSaveRestorePacketCallbacks =		\
		VmbServerChannelInitSetSaveRestorePacketCallbacks,	\
	.VmbServerChannelInitSetTargetInterfaceId = VmbServerChannelInitSetTargetInterfaceId, \
	.VmbServerChannelInitSetTargetVtl = VmbServerChannelInitSetTargetVtl, \
	.VmbServerChannelInitSetVmbusHandle = VmbServerChannelInitSetVmbusHandle

static const KMCL_CLIENT_INTERFACE_V5 kmcl_client_v5 = {
	KMCL_CLIENT_V5_FUNCS,
};

static const KMCL_SERVER_INTERFACE_V1 kmcl_server_v1 = {
	KMCL_CLIENT_V1_FUNCS,
	KMCL_SERVER_ONLY_FUNCS,
};

static const KMCL_SERVER_INTERFACE_V5 kmcl_server_v5 = {
	KMCL_CLIENT_V5_FUNCS,
	KMCL_SERVER_ONLY_FUNCS,
	.VmbServerChannelInitSetSaveRestorePacketCallbacksEx =
		VmbServerChannelInitSetSaveRestorePacketCallbacksEx,
};

static const USHORT kmcl_client_sizes[] = {
	[KMCL_CLIENT_INTERFACE_VERSION_V1] = sizeof(KMCL_CLIENT_INTERFACE_V1),
	[KMCL_CLIENT_INTERFACE_VERSION_V2] = sizeof(KMCL_CLIENT_INTERFACE_V2),
	[KMCL_CLIENT_INTERFACE_VERSION_V3] = sizeof(KMCL_CLIENT_INTERFACE_V3),
	[KMCL_CLIENT_INTERFACE_VERSION_V4] = sizeof(KMCL_CLIENT_INTERFACE_V4),
	[KMCL_CLIENT_INTERFACE_VERSION_V5] = sizeof(KMCL_CLIENT_INTERFACE_V5),
};

/* The table and size for (@type, @version), or NULL if there is none. */
static const void *kmcl_iface_find(const GUID *type, USHORT version,
				   USHORT *size)
{
	if (IsEqualGUID(type, &KMCL_CLIENT_INTERFACE_TYPE)) {
		if (version < KMCL_CLIENT_INTERFACE_VERSION_V1 ||
		    version > KMCL_CLIENT_INTERFACE_VERSION_V5)
			return NULL;
		*size = kmcl_client_sizes[version];
		return &kmcl_client_v5;
	}
	if (IsEqualGUID(type, &KMCL_SERVER_INTERFACE_TYPE)) {
		if (version == KMCL_SERVER_INTERFACE_VERSION_V1) {
			*size = sizeof(kmcl_server_v1);
			return &kmcl_server_v1;
		}
		if (version == KMCL_SERVER_INTERFACE_VERSION_V5) {
			*size = sizeof(kmcl_server_v5);
			return &kmcl_server_v5;
		}
	}
	return NULL;
}

/**
 * KmclQueryInterface() - fill in a KMCL function table
 * @InterfaceType: &KMCL_CLIENT_INTERFACE_TYPE or &KMCL_SERVER_INTERFACE_TYPE.
 * @Interface: the caller's table, cast to PINTERFACE.
 * @Size: size of the caller's table, at least sizeof() the requested
 *	version's structure.
 * @Version: client 1..5, server 1 or 5.
 * @InterfaceSpecificData: unused.
 *
 * Writes exactly sizeof() the requested version's structure: Size, Version,
 * Context, InterfaceReference/InterfaceDereference and every slot. Takes one
 * reference on kmcl.ko, dropped by InterfaceDereference(Context).
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER for a NULL @InterfaceType
 * or @Interface; STATUS_NOT_SUPPORTED for an unknown type or version;
 * STATUS_BUFFER_TOO_SMALL if @Size is too small; STATUS_DEVICE_REMOVED if
 * kmcl.ko is being unloaded.
 */
NTSTATUS KmclQueryInterface(LPCGUID InterfaceType, PINTERFACE Interface,
			    USHORT Size, USHORT Version,
			    PVOID InterfaceSpecificData)
{
	const void *table;
	USHORT need = 0;

	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	if (!InterfaceType || !Interface)
		return STATUS_INVALID_PARAMETER;
	table = kmcl_iface_find(InterfaceType, Version, &need);
	if (!table)
		return STATUS_NOT_SUPPORTED;
	if (Size < need)
		return STATUS_BUFFER_TOO_SMALL;
	if (!try_module_get(THIS_MODULE))
		return STATUS_DEVICE_REMOVED;

	memcpy(Interface, table, need);
	Interface->Size = need;
	Interface->Version = Version;
	Interface->Context = KMCL_IFACE_CONTEXT;
	Interface->InterfaceReference = kmcl_iface_reference;
	Interface->InterfaceDereference = kmcl_iface_dereference;
	return STATUS_SUCCESS;
}
EXPORT_SYMBOL_KMCL(KmclQueryInterface);
