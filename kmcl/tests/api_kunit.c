// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_api: the Windows-named channel functions at the API
 * boundary. Every function is called with a NULL handle, a handle that is
 * not a channel, a channel in the wrong state, the wrong kind of endpoint
 * and out-of-range arguments, and must answer with the exact documented
 * NTSTATUS (or, for VOID functions, do nothing and keep the kernel alive).
 * KmclQueryInterface() is checked over its version and size matrix,
 * including the module reference it takes.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl_test_util.h"
#include "../kmcl.h"

/* Memory that is not a channel: a handle with the wrong magic. */
static VMBCHANNEL bogus_handle(struct kunit *test)
{
	u32 *mem = kunit_kzalloc(test, 256, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mem);
	mem[0] = 0x12345678;
	return (VMBCHANNEL)mem;
}

static struct kmcl_channel *kch(VMBCHANNEL h)
{
	return kmcl_channel_from_handle(h);
}

static VMBCHANNEL new_channel(struct kunit *test, bool server)
{
	return kmcl_test_ep_alloc(test, kmcl_test_log_new(test), server)->ch;
}

/* A channel that is enabled (a waiting client: nothing else happens). */
static VMBCHANNEL enabled_client(struct kunit *test)
{
	VMBCHANNEL ch = new_channel(test, false);
	GUID type = kmcl_test_new_type();

	KUNIT_ASSERT_EQ(test, VmbClientChannelInitSetTargetPnp(ch, &type, NULL, NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ch), STATUS_SUCCESS);
	return ch;
}

static void allocate_args(struct kunit *test)
{
	VMBCHANNEL ch = (VMBCHANNEL)test;
	u8 *mem;

	KUNIT_EXPECT_EQ(test, VmbChannelAllocate(kmcl_loopback_parent(), FALSE, NULL),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelAllocate(NULL, FALSE, &ch),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_NULL(test, ch);

	mem = kunit_kzalloc(test, VmbSizeofChannel() + 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_EXPECT_EQ(test, VmbChannelInitialize(NULL, FALSE, (VMBCHANNEL)mem,
						   VmbSizeofChannel()),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitialize(kmcl_loopback_parent(), FALSE, NULL,
						   VmbSizeofChannel()),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelInitialize(kmcl_loopback_parent(), FALSE,
						   (VMBCHANNEL)mem, 0),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbChannelInitialize(kmcl_loopback_parent(), TRUE,
						   (VMBCHANNEL)(mem + 4),
						   VmbSizeofChannel()),
			STATUS_INVALID_PARAMETER_3);
	/* Nothing was built in the buffer by the failed calls. */
	KUNIT_EXPECT_NULL(test, kch((VMBCHANNEL)mem));
}

static void allocate_defaults(struct kunit *test)
{
	VMBCHANNEL s, c;

	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(kmcl_loopback_parent(), TRUE, &s),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(kmcl_loopback_parent(), FALSE, &c),
			STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, kch(s)->is_server);
	KUNIT_EXPECT_FALSE(test, kch(c)->is_server);
	KUNIT_EXPECT_EQ(test, kmcl_channel_state(kch(s)), KMCL_CH_DISABLED);
	KUNIT_EXPECT_EQ(test, kch(c)->cfg.max_packet_size, KMCL_DEFAULT_MAX_PACKET_SIZE);
	KUNIT_EXPECT_EQ(test, kch(c)->cfg.max_packet_count, KMCL_DEFAULT_MAX_PACKET_COUNT);
	KUNIT_EXPECT_EQ(test, kch(c)->cfg.target_cpu, -1);
	KUNIT_EXPECT_NULL(test, VmbChannelGetPointer(c));
	/* Not configured: Enable refuses. */
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(s), STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(c), STATUS_INVALID_PARAMETER_1);
	VmbChannelCleanup(s);
	VmbChannelCleanup(c);
}

/* Every function, with a NULL and a bogus handle. */
static void bad_handles(struct kunit *test)
{
	UNICODE_STRING name = RTL_CONSTANT_STRING(L"x");
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS cb;
	VMBCHANNEL handles[2] = { NULL, bogus_handle(test) };
	PDEVICE_OBJECT dev;
	UINT64 a = 1, b = 1;
	GUID g = { 1 };
	UINT16 lat;
	int i;

	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&cb);
	for (i = 0; i < 2; i++) {
		VMBCHANNEL h = handles[i];

		KUNIT_EXPECT_EQ(test, VmbChannelEnable(h), STATUS_INVALID_PARAMETER_1);
		VmbChannelDisable(h);
		VmbChannelStart(h);
		VmbChannelPause(h);
		VmbChannelCleanup(h);
		KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(h, 64),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketCount(h, 4),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(h, 4096, 1),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbChannelInitSetClientContextSize(h, 8),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbChannelInitSetInlinePacketContextSize(h, 8),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(h, 4096, 0, 0),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(h, &cb),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(h, &name),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(h, 0),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(h, h, 1),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(h, 4, 4),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(h, &g, NULL, NULL),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetProcessorIndex(h, 0),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetFlags(h, 0),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetVtl(h, 0),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetMmioMegabytes(h, 1, 0),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetInterfaceId(h, g, g),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetVmbusHandle(h, NULL),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(h, 1, &lat),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbChannelAllocateBounceBuffer(h, 4096),
				STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbChannelSaveBegin(h), STATUS_INVALID_PARAMETER_1);
		KUNIT_EXPECT_EQ(test, VmbChannelRestoreFromBuffer(h, &a, sizeof(a)),
				STATUS_INVALID_PARAMETER_1);

		VmbChannelSetPointer(h, &a);
		KUNIT_EXPECT_NULL(test, VmbChannelGetPointer(h));
		VmbChannelGetInterfaceInstance(h, &g);
		KUNIT_EXPECT_EQ(test, g.Data1, 0);
		VmbChannelGetMmioSpace(h, &a, &b);
		KUNIT_EXPECT_EQ(test, a, 0);
		KUNIT_EXPECT_EQ(test, b, 0);
		dev = (PDEVICE_OBJECT)test;
		VmbChannelGetTargetDeviceObject(h, &dev);
		KUNIT_EXPECT_NULL(test, dev);
		dev = (PDEVICE_OBJECT)test;
		VmbChannelGetParentDeviceObject(h, &dev);
		KUNIT_EXPECT_NULL(test, dev);
		g.Data1 = 1;
	}
	/* The bogus memory was not written to. */
	KUNIT_EXPECT_EQ(test, *(u32 *)handles[1], 0x12345678);
}

/* Every setter on an enabled channel: STATUS_INVALID_PARAMETER_1. */
static void setters_need_disabled(struct kunit *test)
{
	UNICODE_STRING name = RTL_CONSTANT_STRING(L"late");
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS cb;
	VMBCHANNEL c = enabled_client(test);
	VMBCHANNEL s = new_channel(test, true);
	GUID g = kmcl_test_new_type(), i2 = { 2 };

	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&cb);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(c, 64),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketCount(c, 4),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(c, 4096, 1),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetClientContextSize(c, 8),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetInlinePacketContextSize(c, 8),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(c, 4096, 0, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(c, &cb),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(c, &name),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(c, 0), STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(c, new_channel(test, false), 1),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(c, 4, 4),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(c, &g, NULL, NULL),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetProcessorIndex(c, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(c), STATUS_INVALID_PARAMETER_1);
	/* Configuration is unchanged. */
	KUNIT_EXPECT_EQ(test, kch(c)->cfg.max_packet_size, KMCL_DEFAULT_MAX_PACKET_SIZE);
	KUNIT_EXPECT_NULL(test, kch(c)->cfg.friendly_name);

	KUNIT_ASSERT_EQ(test, VmbServerChannelInitSetTargetInterfaceId(s, g, i2),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetFlags(s, 0), STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetVtl(s, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetMmioMegabytes(s, 1, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetInterfaceId(s, g, g),
			STATUS_INVALID_PARAMETER_1);
	/* After Disable the setters work again. */
	VmbChannelDisable(c);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(c, 64), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, kch(c)->cfg.max_packet_size, 64);
}

/* Client-only setters on a server and server-only ones on a client. */
static void wrong_kind(struct kunit *test)
{
	VMBCHANNEL s = new_channel(test, true);
	VMBCHANNEL c = new_channel(test, false);
	GUID g = { 5 };

	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(s, 4, 4),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(s, &g, NULL, NULL),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetProcessorIndex(s, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetFlags(c, 0), STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetVtl(c, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetMmioMegabytes(c, 1, 0),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetInterfaceId(c, g, g),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetVmbusHandle(c, NULL),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_FALSE(test, kch(s)->cfg.has_target);
	KUNIT_EXPECT_FALSE(test, kch(c)->cfg.has_offer);
	/* Bounce buffers belong to clients. */
	KUNIT_EXPECT_EQ(test, VmbChannelAllocateBounceBuffer(s, 4096), STATUS_NOT_SUPPORTED);
}

static void common_setter_args(struct kunit *test)
{
	VMBCHANNEL c = new_channel(test, false);
	struct kmcl_channel *ch = kch(c);

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(c, 0),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(c, KMCL_PACKET_MTU + 1),
			STATUS_INVALID_PARAMETER_2);
	/* The 16-byte descriptor must fit in the MTU too (issue 10 item 13). */
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(c, KMCL_PACKET_MTU),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(c, KMCL_PACKET_MTU - 16),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ch->cfg.max_packet_size, KMCL_PACKET_MTU - 16);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketSize(c, 100), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ch->cfg.max_packet_size, 100);

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketCount(c, 0),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketCount(c, KMCL_MAX_PACKET_COUNT + 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumPacketCount(c, 7), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ch->cfg.max_packet_count, 7);

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(c, 0, 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(c, 1, 0),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetMaximumExternalData(c, 65536, 3),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ch->cfg.max_ext_data, 65536);
	KUNIT_EXPECT_EQ(test, ch->cfg.max_ext_chain, 3);

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetClientContextSize(c, (1U << 20) + 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetClientContextSize(c, 40), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ch->cfg.client_context_size, 40);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetInlinePacketContextSize(c, (1U << 20) + 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetInlinePacketContextSize(c, 24), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ch->cfg.inline_context_size, 24);

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(c, 100, 0, 0),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(c, 4096, 5, 0),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(c, 4096, 0, 4097),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(c, 8192, 0, 4096),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetBounceBufferSizes(c, 8192, 4096, 16384),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ch->cfg.bounce_initial, 8192);
	KUNIT_EXPECT_EQ(test, ch->cfg.bounce_increment, 4096);
	KUNIT_EXPECT_EQ(test, ch->cfg.bounce_max, 16384);

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(c, 2), STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(c, VMBUS_CHANNEL_INIT_FLAG_IS_PIPE),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ch->cfg.flags, VMBUS_CHANNEL_INIT_FLAG_IS_PIPE);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFlags(c, 0), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ch->cfg.flags, 0);
}

static VOID pp_plain(VMBCHANNEL ch, VMBPACKETCOMPLETION pkt, PVOID buf,
		     UINT32 len, UINT32 flags)
{
}

static VOID pc_plain(VMBCHANNEL ch, UINT32 n)
{
}

static VOID pp_ex(VMBCHANNEL ch, PVOID ctx, VMBPACKETCOMPLETION pkt, PVOID buf,
		  UINT32 len, UINT32 flags)
{
}

static void packet_callbacks(struct kunit *test)
{
	VMBCHANNEL c = new_channel(test, false);
	struct kmcl_channel *ch = kch(c);
	int ctx;

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetProcessPacketCallbacks(c, NULL, pc_plain),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetProcessPacketCallbacksEx(c, &ctx, NULL, NULL),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetProcessPacketCallbacks(c, pp_plain, pc_plain),
			STATUS_SUCCESS);
	KUNIT_EXPECT_PTR_EQ(test, ch->cfg.process_packet, (void *)pp_plain);
	KUNIT_EXPECT_PTR_EQ(test, ch->cfg.processing_complete, (void *)pc_plain);
	KUNIT_EXPECT_FALSE(test, ch->cfg.process_ex);
	/* The latest registration wins, whatever its kind. */
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetProcessPacketCallbacksEx(c, &ctx, pp_ex, NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_PTR_EQ(test, ch->cfg.process_packet, (void *)pp_ex);
	KUNIT_EXPECT_NULL(test, ch->cfg.processing_complete);
	KUNIT_EXPECT_PTR_EQ(test, ch->cfg.process_ctx, (void *)&ctx);
	KUNIT_EXPECT_TRUE(test, ch->cfg.process_ex);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetProcessPacketCallbacks(c, pp_plain, NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_FALSE(test, ch->cfg.process_ex);
	KUNIT_EXPECT_NULL(test, ch->cfg.process_ctx);
}

static NTSTATUS v1_opened(VMBCHANNEL ch)
{
	return STATUS_SUCCESS;
}

static void state_callbacks_versions(struct kunit *test)
{
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS v1;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_V5 v5;
	VMBCHANNEL c = new_channel(test, false);
	PVMB_CHANNEL_STATE_CHANGE_CALLBACKS p5 = (void *)&v5;
	struct kmcl_channel *ch = kch(c);
	int ctx;

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(c, NULL),
			STATUS_INVALID_PARAMETER_2);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&v1);
	v1.EvtChannelOpened = v1_opened;
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT_V5(&v5);
	v5.CallbackContext = &ctx;

	v1.Version = 2;
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(c, &v1),
			STATUS_INVALID_PARAMETER_2);
	v1.Version = 1;
	v1.Size = sizeof(v1) + 8;
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(c, &v1),
			STATUS_INVALID_PARAMETER_2);
	v1.Size = sizeof(v5);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(c, &v1),
			STATUS_INVALID_PARAMETER_2);
	v5.Size = sizeof(v1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(c, p5),
			STATUS_INVALID_PARAMETER_2);
	v5.Version = 4;
	v5.Size = sizeof(v5);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(c, p5),
			STATUS_INVALID_PARAMETER_2);

	v1.Size = sizeof(v1);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(c, &v1), STATUS_SUCCESS);
	KUNIT_EXPECT_PTR_EQ(test, ch->cfg.state_fn[KMCL_FN_OPENED], (void *)v1_opened);
	KUNIT_EXPECT_NULL(test, ch->cfg.state_fn[KMCL_FN_CLOSED]);
	KUNIT_EXPECT_NULL(test, ch->cfg.state_ctx);
	v5.Version = 5;
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(c, p5), STATUS_SUCCESS);
	KUNIT_EXPECT_NULL(test, ch->cfg.state_fn[KMCL_FN_OPENED]);
	KUNIT_EXPECT_PTR_EQ(test, ch->cfg.state_ctx, (void *)&ctx);
	KUNIT_EXPECT_NE(test, (unsigned long)ch->cfg.state_ops, 0UL);
}

/* V1 callbacks reach the driver with the plain signature. */
static atomic_t v1_calls[3];

static NTSTATUS v1_count_opened(VMBCHANNEL ch)
{
	atomic_inc(&v1_calls[0]);
	return STATUS_SUCCESS;
}

static VOID v1_count_started(VMBCHANNEL ch)
{
	atomic_inc(&v1_calls[1]);
}

static VOID v1_count_closed(VMBCHANNEL ch)
{
	atomic_inc(&v1_calls[2]);
}

static void state_callbacks_v1_called(struct kunit *test)
{
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS v1;
	struct kmcl_test_log *log;
	struct kmcl_test_ep *s;
	GUID type = kmcl_test_new_type(), inst = { 9 };
	VMBCHANNEL c;
	int i;

	for (i = 0; i < 3; i++)
		atomic_set(&v1_calls[i], 0);
	log = kmcl_test_log_new(test);
	s = kmcl_test_server(test, log, &type, &inst);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(s->ch), STATUS_SUCCESS);
	VmbChannelStart(s->ch);
	KUNIT_ASSERT_EQ(test, VmbChannelAllocate(kmcl_loopback_parent(), FALSE, &c),
			STATUS_SUCCESS);
	VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&v1);
	v1.EvtChannelOpened = v1_count_opened;
	v1.EvtChannelStarted = v1_count_started;
	v1.EvtChannelClosed = v1_count_closed;
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetStateChangeCallbacks(c, &v1), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(c, &type, &inst, NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(c), STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, kmcl_test_wait(s, KMCL_TEST_POST_STARTED, 1));
	for (i = 0; i < 1000 && !atomic_read(&v1_calls[1]); i++)
		usleep_range(2000, 3000);
	KUNIT_EXPECT_EQ(test, atomic_read(&v1_calls[0]), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&v1_calls[1]), 1);
	VmbChannelDisable(c);
	KUNIT_EXPECT_EQ(test, atomic_read(&v1_calls[2]), 1);
	VmbChannelCleanup(c);
}

static WCHAR longname[100];

static void friendly_name(struct kunit *test)
{
	UNICODE_STRING good = RTL_CONSTANT_STRING(L"Network \x00e9");
	UNICODE_STRING s = good;
	VMBCHANNEL c = new_channel(test, false);
	int i;

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(c, NULL),
			STATUS_INVALID_PARAMETER_2);
	s.Length = 3;
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(c, &s),
			STATUS_INVALID_PARAMETER_2);
	s = good;
	s.Length = s.MaximumLength + 2;
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(c, &s),
			STATUS_INVALID_PARAMETER_2);
	s = good;
	s.Buffer = NULL;
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(c, &s),
			STATUS_INVALID_PARAMETER_2);
	s = good;
	s.Length = 0;
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(c, &s),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_NULL(test, kch(c)->cfg.friendly_name);

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(c, &good), STATUS_SUCCESS);
	/* Stored as UTF-8. */
	KUNIT_EXPECT_STREQ(test, kch(c)->cfg.friendly_name, "Network \xc3\xa9");
	/* A second name is refused and the first kept. */
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(c, &good),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_STREQ(test, kch(c)->cfg.friendly_name, "Network \xc3\xa9");

	/* A long name is cut to 64 bytes. */
	c = new_channel(test, true);
	for (i = 0; i < ARRAY_SIZE(longname); i++)
		longname[i] = 'a' + i % 26;
	s.Buffer = longname;
	s.Length = sizeof(longname);
	s.MaximumLength = sizeof(longname);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetFriendlyName(c, &s), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, strlen(kch(c)->cfg.friendly_name), KMCL_MAX_FRIENDLY_NAME);
}

static void primary_channel(struct kunit *test)
{
	/* The primary first: it must outlive its subchannel (cleanup LIFO). */
	VMBCHANNEL p = new_channel(test, false);
	VMBCHANNEL c = new_channel(test, false);
	VMBCHANNEL s = new_channel(test, true);
	GUID type = kmcl_test_new_type();

	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(c, NULL, 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(c, c, 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(c, s, 1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(c, p, 0),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(c, p, 2), STATUS_SUCCESS);
	KUNIT_EXPECT_PTR_EQ(test, kch(c)->cfg.primary, kch(p));
	KUNIT_EXPECT_EQ(test, kch(c)->cfg.subchannel_index, 2);
	KUNIT_EXPECT_EQ(test, VmbChannelInitSetPrimaryChannel(c, p, 3),
			STATUS_INVALID_PARAMETER_2);
	/* Not while the primary is not open (kmcl_subchannel has the rest). */
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(c, &type, NULL, NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, VmbChannelEnable(c), STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, kmcl_channel_state(kch(c)), KMCL_CH_DISABLED);
}

static void client_setter_args(struct kunit *test)
{
	VMBCHANNEL c = new_channel(test, false);
	struct kmcl_channel *ch = kch(c);
	GUID type = { 0x11 }, inst = { 0x22 };

	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(c, NULL, &inst, NULL),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_FALSE(test, ch->cfg.has_target);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(c, &type, &inst, NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, ch->cfg.has_target);
	KUNIT_EXPECT_FALSE(test, ch->cfg.any_instance);
	KUNIT_EXPECT_EQ(test, memcmp(&ch->cfg.target_type, &type, 16), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&ch->cfg.target_instance, &inst, 16), 0);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetPnp(c, &type, NULL, NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, ch->cfg.any_instance);

	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetProcessorIndex(c, nr_cpu_ids),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetProcessorIndex(c, 0xffffffff),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetTargetProcessorIndex(c, 0),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ch->cfg.target_cpu, 0);

	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(c, 0, 16),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(c, 16, 0),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbClientChannelInitSetRingBufferPageCount(c, 8, 32),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ch->cfg.ring_in_pages, 8);
	KUNIT_EXPECT_EQ(test, ch->cfg.ring_out_pages, 32);
}

static NTSTATUS save_v1(VMBCHANNEL ch, VMBPACKET pkt, PVOID buf, UINT32 size,
			PUINT32 needed)
{
	return STATUS_SUCCESS;
}

static NTSTATUS restore_v1(VMBCHANNEL ch, PVOID lib, UINT32 libsize, PVOID buf,
			   UINT32 size)
{
	return STATUS_SUCCESS;
}

static NTSTATUS save_ex(VMBCHANNEL ch, PVOID ctx, VMBPACKET pkt, PVOID buf,
			UINT32 size, PUINT32 needed)
{
	return STATUS_SUCCESS;
}

static NTSTATUS restore_ex(VMBCHANNEL ch, PVOID ctx, PVOID lib, UINT32 libsize,
			   PVOID buf, UINT32 size)
{
	return STATUS_SUCCESS;
}

static void server_setter_args(struct kunit *test)
{
	VMBCHANNEL s = new_channel(test, true);
	struct kmcl_channel *ch = kch(s);
	GUID type = { 0x33 }, inst = { 0x44 };
	HANDLE kh = (HANDLE)test;
	int ctx;

	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetFlags(s, 0x20),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetFlags(s, VMBUS_SERVER_CHANNEL_INIT_FLAGS),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ch->cfg.server_flags, 0x1f);

	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetVtl(s, 16),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetVtl(s, 1), STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetVtl(s, 0), STATUS_SUCCESS);

	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetMmioMegabytes(s, 0, 0),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetMmioMegabytes(s, 16, 32), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ch->cfg.mmio_mb, 16);
	KUNIT_EXPECT_EQ(test, ch->cfg.mmio_mb_optional, 32);

	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetTargetInterfaceId(s, type, inst),
			STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, ch->cfg.has_offer);
	KUNIT_EXPECT_EQ(test, memcmp(&ch->cfg.offer_type, &type, 16), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&ch->cfg.offer_instance, &inst, 16), 0);

	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetSaveRestorePacketCallbacks(s, NULL,
										restore_v1),
			STATUS_INVALID_PARAMETER_2);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetSaveRestorePacketCallbacks(s, save_v1,
										NULL),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetSaveRestorePacketCallbacks(s, save_v1,
										restore_v1),
			STATUS_SUCCESS);
	KUNIT_EXPECT_PTR_EQ(test, ch->cfg.save_fn[0], (void *)save_v1);
	KUNIT_EXPECT_EQ(test,
			VmbServerChannelInitSetSaveRestorePacketCallbacksEx(s, &ctx, NULL,
									    restore_ex),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test,
			VmbServerChannelInitSetSaveRestorePacketCallbacksEx(s, &ctx, save_ex,
									    NULL),
			STATUS_INVALID_PARAMETER_4);
	KUNIT_EXPECT_EQ(test,
			VmbServerChannelInitSetSaveRestorePacketCallbacksEx(s, &ctx, save_ex,
									    restore_ex),
			STATUS_SUCCESS);
	KUNIT_EXPECT_PTR_EQ(test, ch->cfg.save_fn[1], (void *)restore_ex);
	KUNIT_EXPECT_PTR_EQ(test, ch->cfg.save_ctx, (void *)&ctx);

	/* No VMBus handles on Linux. */
	KUNIT_EXPECT_EQ(test, VmbServerChannelInitSetVmbusHandle(s, NULL), STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, VmbConvertVmbusHandleToKernelHandle(NULL, &kh),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_NULL(test, kh);
}

static void runtime_queries(struct kunit *test)
{
	struct kmcl_test_pair *p;
	UINT64 addr = 1, size = 1;
	UINT16 old = 7;
	VMBCHANNEL c = new_channel(test, false);

	/* Interrupt latency: only between Opened and Closed. */
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(c, 5, &old),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, old, 7);
	p = kmcl_test_pair_open(test);
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(p->client->ch, 5, NULL),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(p->client->ch, 5, &old),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, old, 0);
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(p->client->ch, 9, &old),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, old, 5);
	/* No MMIO on loopback. */
	VmbChannelGetMmioSpace(p->client->ch, &addr, &size);
	KUNIT_EXPECT_EQ(test, addr, 0);
	KUNIT_EXPECT_EQ(test, size, 0);
	VmbChannelDisable(p->client->ch);
	KUNIT_EXPECT_EQ(test, VmbChannelSetInterruptLatency(p->client->ch, 5, &old),
			STATUS_INVALID_PARAMETER_1);
}

static void unsupported_functions(struct kunit *test)
{
	VMBCHANNEL c = new_channel(test, false);
	UINT32 gpadl = 5;
	ULONG filled = 1, required = 1;
	PVOID va = test;
	PMDL mdl = (PMDL)test;
	u8 buf[64];

	/* GPADLs exist (kmcl_gpadl); on a disabled client they are refused. */
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromBuffer(c, 0, buf, sizeof(buf), &gpadl),
			STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, gpadl, 0);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromMdl(c, 0, NULL, 0, 0, &gpadl),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadlFromPfnList(c, 0, NULL, 0, &gpadl),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_EQ(test, VmbChannelCreateGpadl(c, 0, 1, &gpadl),
			STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, VmbChannelGetSystemAddressForGpadl(c, 0, 1, &va),
			STATUS_INVALID_PARAMETER_3);
	KUNIT_EXPECT_NULL(test, va);
	KUNIT_EXPECT_EQ(test, VmbChannelMapGpadl(c, 0, 1, &mdl), STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_NULL(test, mdl);
	VmbChannelDeleteGpadl(c, 1);
	VmbChannelUnmapGpadl(c, 1);
	/* Save/restore is for servers (kmcl_save): a client is P1. */
	KUNIT_EXPECT_EQ(test, VmbChannelSaveBegin(c), STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelSaveContinue(c, buf, sizeof(buf), &filled, &required),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, filled, 0);
	KUNIT_EXPECT_EQ(test, required, 0);
	VmbChannelSaveEnd(c);
	KUNIT_EXPECT_EQ(test, VmbChannelRestoreFromBuffer(c, buf, sizeof(buf)),
			STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, VmbChannelAllocateBounceBuffer(c, 100),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbChannelAllocateBounceBuffer(c, 0),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, VmbChannelAllocateBounceBuffer(c, 8192), STATUS_NOT_SUPPORTED);
}

/* --- KmclQueryInterface ---------------------------------------------------- */

static struct module *kmcl_module(void)
{
	return kmcl_iface_owner();
}

static void query_args(struct kunit *test)
{
	KMCL_CLIENT_INTERFACE_V5 t;
	GUID other = { 0xdead };

	KUNIT_EXPECT_EQ(test, KmclQueryInterface(NULL, (void *)&t, sizeof(t), 5, NULL),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, KmclQueryInterface(&KMCL_CLIENT_INTERFACE_TYPE, NULL,
						 sizeof(t), 5, NULL),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, KmclQueryInterface(&other, (void *)&t, sizeof(t), 1, NULL),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, KmclQueryInterface(&KMCL_CLIENT_INTERFACE_TYPE,
						 (void *)&t, sizeof(t), 0, NULL),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, KmclQueryInterface(&KMCL_CLIENT_INTERFACE_TYPE,
						 (void *)&t, sizeof(t), 6, NULL),
			STATUS_NOT_SUPPORTED);
}

struct query_case {
	const GUID *type;
	USHORT version;
	USHORT size;
	NTSTATUS want;
};

static void query_matrix(struct kunit *test)
{
	const struct query_case cases[] = {
		{ &KMCL_CLIENT_INTERFACE_TYPE, 1, sizeof(KMCL_CLIENT_INTERFACE_V1), 0 },
		{ &KMCL_CLIENT_INTERFACE_TYPE, 2, sizeof(KMCL_CLIENT_INTERFACE_V2), 0 },
		{ &KMCL_CLIENT_INTERFACE_TYPE, 3, sizeof(KMCL_CLIENT_INTERFACE_V3), 0 },
		{ &KMCL_CLIENT_INTERFACE_TYPE, 4, sizeof(KMCL_CLIENT_INTERFACE_V4), 0 },
		{ &KMCL_CLIENT_INTERFACE_TYPE, 5, sizeof(KMCL_CLIENT_INTERFACE_V5), 0 },
		{ &KMCL_SERVER_INTERFACE_TYPE, 1, sizeof(KMCL_SERVER_INTERFACE_V1), 0 },
		{ &KMCL_SERVER_INTERFACE_TYPE, 5, sizeof(KMCL_SERVER_INTERFACE_V5), 0 },
	};
	struct module *mod = kmcl_module();
	unsigned int i, j;
	u8 *buf;

	buf = kunit_kmalloc(test, sizeof(KMCL_SERVER_INTERFACE_V5) + 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct query_case *c = &cases[i];
		PINTERFACE iface = (PINTERFACE)buf;
		int refs = kmcl_test_module_refs(mod);

		/* One byte short: refused, nothing written, no reference. */
		memset(buf, 0xa5, sizeof(KMCL_SERVER_INTERFACE_V5) + 64);
		KUNIT_EXPECT_EQ(test, KmclQueryInterface(c->type, iface, c->size - 1,
							 c->version, NULL),
				STATUS_BUFFER_TOO_SMALL);
		KUNIT_EXPECT_EQ(test, buf[0], 0xa5);
		kmcl_test_expect_refs(test, mod, refs, 0);

		/* A bigger buffer: only the version's size is written. */
		KUNIT_ASSERT_EQ(test, KmclQueryInterface(c->type, iface, c->size + 64,
							 c->version, NULL),
				STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, iface->Size, c->size);
		KUNIT_EXPECT_EQ(test, iface->Version, c->version);
		KUNIT_EXPECT_NOT_NULL(test, iface->InterfaceReference);
		KUNIT_EXPECT_NOT_NULL(test, iface->InterfaceDereference);
		for (j = c->size; j < c->size + 64u; j++)
			if (buf[j] != 0xa5)
				break;
		KUNIT_EXPECT_EQ(test, j, c->size + 64u);
		/* Every slot is filled. */
		for (j = sizeof(INTERFACE); j < c->size; j += sizeof(void *))
			KUNIT_EXPECT_NE(test, *(unsigned long *)(buf + j), 0UL);

		/* The query took a reference; Reference/Dereference pair up. */
		kmcl_test_expect_refs(test, mod, refs, 1);
		iface->InterfaceReference(iface->Context);
		kmcl_test_expect_refs(test, mod, refs, 2);
		iface->InterfaceDereference(iface->Context);
		iface->InterfaceDereference(iface->Context);
		kmcl_test_expect_refs(test, mod, refs, 0);
	}

	/* Server versions 2..4 never shipped. */
	for (i = 2; i <= 4; i++)
		KUNIT_EXPECT_EQ(test, KmclQueryInterface(&KMCL_SERVER_INTERFACE_TYPE,
							 (PINTERFACE)buf,
							 sizeof(KMCL_SERVER_INTERFACE_V5),
							 i, NULL),
				STATUS_NOT_SUPPORTED);
}

static void query_slots(struct kunit *test)
{
	KMCL_CLIENT_INTERFACE_V2 v2;
	KMCL_SERVER_INTERFACE_V1 s1;
	KMCL_SERVER_INTERFACE_V5 s5;

	KUNIT_ASSERT_EQ(test, KmclQueryInterface(&KMCL_CLIENT_INTERFACE_TYPE,
						 (void *)&v2, sizeof(v2), 2, NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_PTR_EQ(test, (void *)v2.VmbChannelAllocate, (void *)VmbChannelAllocate);
	KUNIT_EXPECT_PTR_EQ(test, (void *)v2.VmbChannelEnable, (void *)VmbChannelEnable);
	KUNIT_EXPECT_PTR_EQ(test, (void *)v2.VmbPacketSend, (void *)VmbPacketSend);
	KUNIT_EXPECT_PTR_EQ(test, (void *)v2.VmbPacketSetPointer, (void *)VmbPacketSetPointer);
	KUNIT_EXPECT_PTR_EQ(test, (void *)v2.VmbChannelGetParentDeviceObject,
			    (void *)VmbChannelGetParentDeviceObject);
	v2.InterfaceDereference(v2.Context);

	KUNIT_ASSERT_EQ(test, KmclQueryInterface(&KMCL_SERVER_INTERFACE_TYPE,
						 (void *)&s1, sizeof(s1), 1, NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_PTR_EQ(test, (void *)s1.VmbPacketSetPointer, (void *)VmbPacketSetPointer);
	KUNIT_EXPECT_PTR_EQ(test, (void *)s1.VmbChannelMapGpadl, (void *)VmbChannelMapGpadl);
	KUNIT_EXPECT_PTR_EQ(test, (void *)s1.VmbServerChannelInitSetTargetInterfaceId,
			    (void *)VmbServerChannelInitSetTargetInterfaceId);
	KUNIT_EXPECT_PTR_EQ(test, (void *)s1.VmbServerChannelInitSetVmbusHandle,
			    (void *)VmbServerChannelInitSetVmbusHandle);
	s1.InterfaceDereference(s1.Context);

	KUNIT_ASSERT_EQ(test, KmclQueryInterface(&KMCL_SERVER_INTERFACE_TYPE,
						 (void *)&s5, sizeof(s5), 5, NULL),
			STATUS_SUCCESS);
	KUNIT_EXPECT_PTR_EQ(test, (void *)s5.VmbPacketSetCompletionRoutineEx,
			    (void *)VmbPacketSetCompletionRoutineEx);
	KUNIT_EXPECT_PTR_EQ(test, (void *)s5.VmbSizeofChannel, (void *)VmbSizeofChannel);
	KUNIT_EXPECT_PTR_EQ(test, (void *)s5.VmbChannelMapGpadl, (void *)VmbChannelMapGpadl);
	KUNIT_EXPECT_PTR_EQ(test, (void *)s5.VmbServerChannelInitSetSaveRestorePacketCallbacksEx,
			    (void *)VmbServerChannelInitSetSaveRestorePacketCallbacksEx);
	s5.InterfaceDereference(s5.Context);
}

/* A table from the query drives a channel end to end. */
static void query_table_works(struct kunit *test)
{
	KMCL_CLIENT_INTERFACE_V5 k;
	VMBCHANNEL ch;

	KUNIT_ASSERT_EQ(test, KmclQueryInterface(&KMCL_CLIENT_INTERFACE_TYPE,
						 (void *)&k, sizeof(k), 5, NULL),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, k.VmbChannelAllocate(kmcl_loopback_parent(), FALSE, &ch),
			STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, k.VmbChannelInitSetMaximumPacketSize(ch, 256), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, kch(ch)->cfg.max_packet_size, 256);
	k.VmbChannelCleanup(ch);
	k.InterfaceDereference(k.Context);
}

static struct kunit_case kmcl_api_cases[] = {
	KUNIT_CASE(allocate_args),
	KUNIT_CASE(allocate_defaults),
	KUNIT_CASE(bad_handles),
	KUNIT_CASE(setters_need_disabled),
	KUNIT_CASE(wrong_kind),
	KUNIT_CASE(common_setter_args),
	KUNIT_CASE(packet_callbacks),
	KUNIT_CASE(state_callbacks_versions),
	KUNIT_CASE(state_callbacks_v1_called),
	KUNIT_CASE(friendly_name),
	KUNIT_CASE(primary_channel),
	KUNIT_CASE(client_setter_args),
	KUNIT_CASE(server_setter_args),
	KUNIT_CASE(runtime_queries),
	KUNIT_CASE(unsupported_functions),
	KUNIT_CASE(query_args),
	KUNIT_CASE(query_matrix),
	KUNIT_CASE(query_slots),
	KUNIT_CASE(query_table_works),
	{}
};

static struct kunit_suite kmcl_api_suite = {
	.name = "kmcl_api",
	.test_cases = kmcl_api_cases,
};

kunit_test_suite(kmcl_api_suite);
