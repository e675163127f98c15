// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_lookaside: the outgoing lookaside grows on demand
 * (kmcl/lookaside.c). Enable builds the floor; VmbPacketAllocate() adds an
 * object when the free stack is empty, up to cfg.max_packet_count, from
 * process context and from softirq context; a failed allocation (test
 * hook) is an exhausted lookaside and changes nothing; objects are kept
 * and reused, and the channel's cleanup frees them (kmemleak checks the
 * whole run).
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/bottom_half.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl.h"
#include "packet_kunit.h"

#define LA_COUNT	8U

static void la_hook_reset(void *unused)
{
	atomic_set(&kmcl_lookaside_fail, 0);
}

static struct kmcl_pt_pair *la_pair(struct kunit *test, u32 max_size)
{
	struct kmcl_pt_cfg cfg = {
		.max_packet_size = max_size,
		.max_packet_count = LA_COUNT,
	};
	struct kmcl_pt_pair *pp = kunit_kzalloc(test, sizeof(*pp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pp);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, la_hook_reset, NULL), 0);
	kmcl_pt_pair_setup(test, pp, &cfg);
	return pp;
}

static u32 la_objs(struct kmcl_channel *ch, u32 *nr_free, u64 *failed)
{
	u32 n;

	spin_lock_bh(&ch->out.lock);
	n = ch->out.nr_objs;
	*nr_free = ch->out.nr_free;
	*failed = ch->out.grow_failed;
	spin_unlock_bh(&ch->out.lock);
	return n;
}

static bool la_known(VMBPACKET *set, u32 n, VMBPACKET pkt)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (set[i] == pkt)
			return true;
	return false;
}

/*
 * The floor exists after enable; each allocation past it adds one object
 * up to the lookaside size, then NULL; freed objects are reused, never
 * reallocated. @max_size 4096 makes split objects (data in a page of its
 * own), 256 single-block ones. Every object carries data both ways.
 */
static void la_grow(struct kunit *test, u32 max_size)
{
	struct kmcl_pt_pair *pp = la_pair(test, max_size);
	VMBCHANNEL ch = pp->p->client->ch;
	VMBPACKET pkt[LA_COUNT], again;
	struct kmcl_packet *obj;
	struct kmcl_pt_done *d;
	u32 i, nr_free;
	u64 failed;
	u8 *buf;

	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	buf = kunit_kzalloc(test, max_size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	kmcl_pt_done_init(d, false);

	KUNIT_EXPECT_EQ(test, la_objs(pp->cch, &nr_free, &failed),
			KMCL_LOOKASIDE_FLOOR);
	KUNIT_EXPECT_EQ(test, nr_free, LA_COUNT);
	for (i = 0; i < LA_COUNT; i++) {
		pkt[i] = VmbPacketAllocate(ch);
		KUNIT_ASSERT_NOT_NULL(test, pkt[i]);
		KUNIT_EXPECT_FALSE(test, la_known(pkt, i, pkt[i]));
		KUNIT_EXPECT_EQ(test, la_objs(pp->cch, &nr_free, &failed),
				max(i + 1, KMCL_LOOKASIDE_FLOOR));
		KUNIT_EXPECT_EQ(test, nr_free, LA_COUNT - i - 1);
		obj = (struct kmcl_packet *)pkt[i];
		KUNIT_EXPECT_EQ(test, obj->capacity, max_size);
		if (pp->cch->out.stride > PAGE_SIZE) {
			/* The data is an order-0 page of its own. */
			KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(obj->data));
		} else {
			/* One block: the data is inside the object. */
			KUNIT_EXPECT_TRUE(test, obj->data > (u8 *)obj);
			KUNIT_EXPECT_TRUE(test, obj->data + max_size <=
						(u8 *)obj + pp->cch->out.stride);
		}
	}
	/* Full: NULL, and nothing allocated for it. */
	KUNIT_EXPECT_NULL(test, VmbPacketAllocate(ch));
	KUNIT_EXPECT_EQ(test, la_objs(pp->cch, &nr_free, &failed), LA_COUNT);
	KUNIT_EXPECT_EQ(test, failed, 0ULL);

	/* Memory of a grown object cannot become a caller packet. */
	KUNIT_EXPECT_EQ(test, VmbPacketInitialize(ch, pkt[LA_COUNT - 1],
						  VmbChannelSizeofPacket(ch)),
			STATUS_INVALID_PARAMETER_2);

	/* Each object sends its whole capacity; all come back. */
	for (i = 0; i < LA_COUNT; i++) {
		kmcl_pt_fill(buf, max_size, i);
		VmbPacketSetCompletionRoutineEx(pkt[i], d, kmcl_pt_done_cb);
		KUNIT_ASSERT_EQ(test, VmbPacketSend(pkt[i], buf, max_size, NULL,
						    VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION),
				STATUS_SUCCESS);
	}
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_done(d, LA_COUNT));
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, LA_COUNT));
	for (i = 0; i < LA_COUNT; i++) {
		KUNIT_EXPECT_EQ(test, d->rec[i].status, STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, pp->srx.rec[i].len, max_size);
		KUNIT_EXPECT_TRUE(test, kmcl_pt_check(pp->srx.rec[i].data,
						      min_t(u32, max_size, KMCL_PT_DATA), i));
	}
	for (i = 0; i < LA_COUNT; i++)
		VmbPacketFree(pkt[i]);
	KUNIT_EXPECT_EQ(test, la_objs(pp->cch, &nr_free, &failed), LA_COUNT);
	KUNIT_EXPECT_EQ(test, nr_free, LA_COUNT);

	/* Kept: a second round reuses the same objects. */
	for (i = 0; i < LA_COUNT; i++) {
		again = VmbPacketAllocate(ch);
		KUNIT_ASSERT_NOT_NULL(test, again);
		KUNIT_EXPECT_TRUE(test, la_known(pkt, LA_COUNT, again));
	}
	KUNIT_EXPECT_EQ(test, la_objs(pp->cch, &nr_free, &failed), LA_COUNT);
	for (i = 0; i < LA_COUNT; i++)
		VmbPacketFree(pkt[i]);
}

static void la_grow_split(struct kunit *test)
{
	la_grow(test, 4096);
}

static void la_grow_small(struct kunit *test)
{
	la_grow(test, 256);
}

/*
 * A failed allocation is an exhausted lookaside: NULL, counted, nothing
 * else changes; the floor is still handed out, and the next allocation
 * that works grows the lookaside, in softirq context too.
 */
static void la_alloc_fails(struct kunit *test)
{
	struct kmcl_pt_pair *pp = la_pair(test, 4096);
	VMBCHANNEL ch = pp->p->client->ch;
	VMBPACKET floor, grown, atomic;
	u32 nr_free;
	u64 failed;

	atomic_set(&kmcl_lookaside_fail, 1000);
	/* The floor needs no allocation. */
	floor = VmbPacketAllocate(ch);
	KUNIT_ASSERT_NOT_NULL(test, floor);
	KUNIT_EXPECT_NULL(test, VmbPacketAllocate(ch));
	local_bh_disable();
	atomic = VmbPacketAllocate(ch);
	local_bh_enable();
	KUNIT_EXPECT_NULL(test, atomic);
	KUNIT_EXPECT_EQ(test, la_objs(pp->cch, &nr_free, &failed),
			KMCL_LOOKASIDE_FLOOR);
	KUNIT_EXPECT_EQ(test, nr_free, LA_COUNT - 1);
	KUNIT_EXPECT_EQ(test, failed, 2ULL);

	/* Memory again: grows, from process and from softirq context. */
	atomic_set(&kmcl_lookaside_fail, 0);
	grown = VmbPacketAllocate(ch);
	KUNIT_ASSERT_NOT_NULL(test, grown);
	local_bh_disable();
	atomic = VmbPacketAllocate(ch);
	local_bh_enable();
	KUNIT_ASSERT_NOT_NULL(test, atomic);
	KUNIT_EXPECT_EQ(test, la_objs(pp->cch, &nr_free, &failed),
			KMCL_LOOKASIDE_FLOOR + 2);
	KUNIT_EXPECT_EQ(test, nr_free, LA_COUNT - 3);
	KUNIT_EXPECT_EQ(test, failed, 2ULL);

	/* A packet from a grown object sends like any other. */
	KUNIT_EXPECT_EQ(test, VmbPacketSend(atomic, "grown!!!", 8, NULL, 0),
			STATUS_SUCCESS);
	KUNIT_ASSERT_TRUE(test, kmcl_pt_wait_rx(&pp->srx, 1));
	KUNIT_EXPECT_EQ(test, memcmp(pp->srx.rec[0].data, "grown!!!", 8), 0);
	VmbPacketFree(floor);
	VmbPacketFree(grown);
	KUNIT_EXPECT_EQ(test, la_objs(pp->cch, &nr_free, &failed),
			KMCL_LOOKASIDE_FLOOR + 2);
	KUNIT_EXPECT_EQ(test, nr_free, LA_COUNT);
}

/*
 * A new configuration at the next enable rebuilds the lookaside: the old
 * objects (grown ones included) are freed, the new floor is built.
 */
static void la_rebuild(struct kunit *test)
{
	struct kmcl_pt_pair *pp = la_pair(test, 4096);
	VMBCHANNEL ch = pp->p->client->ch;
	VMBPACKET pkt[3];
	u32 i, nr_free;
	u64 failed;

	for (i = 0; i < 3; i++)
		pkt[i] = VmbPacketAllocate(ch);
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_NOT_NULL(test, pkt[i]);
		VmbPacketFree(pkt[i]);
	}
	KUNIT_EXPECT_EQ(test, la_objs(pp->cch, &nr_free, &failed), 3U);
	VmbChannelDisable(ch);
	KUNIT_ASSERT_EQ(test, VmbChannelInitSetMaximumPacketSize(ch, 512),
			STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, VmbChannelEnable(ch), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, la_objs(pp->cch, &nr_free, &failed),
			KMCL_LOOKASIDE_FLOOR);
	KUNIT_EXPECT_EQ(test, nr_free, LA_COUNT);
	pkt[0] = VmbPacketAllocate(ch);
	KUNIT_ASSERT_NOT_NULL(test, pkt[0]);
	KUNIT_EXPECT_EQ(test, ((struct kmcl_packet *)pkt[0])->capacity, 512U);
	VmbPacketFree(pkt[0]);
}

static struct kunit_case kmcl_lookaside_cases[] = {
	KUNIT_CASE(la_grow_split),
	KUNIT_CASE(la_grow_small),
	KUNIT_CASE(la_alloc_fails),
	KUNIT_CASE(la_rebuild),
	{}
};

static struct kunit_suite kmcl_lookaside_suite = {
	.name = "kmcl_lookaside",
	.test_cases = kmcl_lookaside_cases,
};

kunit_test_suite(kmcl_lookaside_suite);
