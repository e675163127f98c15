// SPDX-License-Identifier: GPL-2.0-only
/*
 * Subchannels (VmbChannelInitSetPrimaryChannel) in the core.
 *
 * A subchannel is an ordinary channel (its own rings, packet state, quota
 * and transaction ids) whose lifetime hangs off its primary's:
 *
 *  - it may be enabled only while the primary is open (Opened succeeded
 *    and the peer is still there); otherwise enable fails with -EBADFD
 *    (STATUS_INVALID_DEVICE_STATE). Only one enabled subchannel per index.
 *  - the primary's close (its Disable, the peer's close or rescind, a
 *    close after a hostile peer) first disables every subchannel it has,
 *    each with its full close sequence (Suspend if running, Closed), and
 *    only then runs its own.
 *  - Start and Pause of the primary are applied to its subchannels after
 *    (Start) or before (Pause, inside the primary's sequence) its own, and
 *    a subchannel enabled while the primary is paused starts paused.
 *  - the primary cannot be cleaned up while a channel still names it.
 *
 * Locking: the primary's state_mutex is taken before the subchannel's,
 * which is taken with SINGLE_DEPTH_NESTING (a subchannel cannot be a
 * primary itself, so the nesting is one level deep). A subchannel's own
 * state work takes only its own mutex (at subclass 0, never while holding
 * another channel's). Called from one of the primary's state callbacks,
 * where the caller's thread already holds the primary's mutex, the
 * subchannel's operations do not take it again. @subs is protected by the
 * primary's state_mutex.
 */
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/sched.h>

#include "kmcl.h"
#include "subchan.h"

/**
 * kmcl_sub_setup() - subchannel state of a new channel
 * @ch: the channel, being allocated (zeroed).
 */
void kmcl_sub_setup(struct kmcl_channel *ch)
{
	INIT_LIST_HEAD(&ch->subs);
	INIT_LIST_HEAD(&ch->sub_node);
	atomic_set(&ch->sub_refs, 0);
}

/* The calling thread holds @primary's mutex (runs one of its callbacks). */
static bool kmcl_sub_primary_held(struct kmcl_channel *primary)
{
	return READ_ONCE(primary->cb_task) == current;
}

/**
 * kmcl_sub_lock() - take @ch's state_mutex, its primary's first
 * @ch: the channel.
 *
 * Process context.
 *
 * Return: the primary @ch named when it was locked (pass it to
 * kmcl_sub_unlock()), NULL for a primary.
 */
struct kmcl_channel *kmcl_sub_lock(struct kmcl_channel *ch)
{
	struct kmcl_channel *primary = READ_ONCE(ch->cfg.primary);

	if (!primary) {
		mutex_lock(&ch->state_mutex);
		return NULL;
	}
	if (!kmcl_sub_primary_held(primary))
		mutex_lock(&primary->state_mutex);
	mutex_lock_nested(&ch->state_mutex, SINGLE_DEPTH_NESTING);
	return primary;
}

/**
 * kmcl_sub_unlock() - undo kmcl_sub_lock()
 * @ch: the channel.
 * @primary: what kmcl_sub_lock() returned.
 *
 * A subchannel that is Disabled now leaves its primary's list.
 */
void kmcl_sub_unlock(struct kmcl_channel *ch, struct kmcl_channel *primary)
{
	if (primary && ch->state == KMCL_CH_DISABLED)
		list_del_init(&ch->sub_node);
	mutex_unlock(&ch->state_mutex);
	if (primary && !kmcl_sub_primary_held(primary))
		mutex_unlock(&primary->state_mutex);
}

/**
 * kmcl_sub_may_enable() - may @ch be enabled now, as far as its primary goes?
 * @ch: a Disabled channel, locked with kmcl_sub_lock().
 * @primary: what kmcl_sub_lock() returned.
 *
 * Return: 0 (also for a primary); -EBUSY if the primary changed while
 * locking (a setter raced with enable); -EINVAL if @ch is a primary of
 * other channels, its primary is itself a subchannel or uses another
 * transport; -EOPNOTSUPP if the transport has no subchannels; -EBADFD
 * if the primary is not open; -EEXIST if another subchannel of that
 * primary with the same index is enabled.
 */
int kmcl_sub_may_enable(struct kmcl_channel *ch, struct kmcl_channel *primary)
{
	struct kmcl_channel *other;

	if (ch->cfg.primary != primary)
		return -EBUSY;
	if (!primary)
		return 0;
	lockdep_assert_held(&primary->state_mutex);
	if (atomic_read(&ch->sub_refs) || primary->cfg.primary ||
	    primary->tops != ch->tops)
		return -EINVAL;
	if (!ch->tops->subchannels)
		return -EOPNOTSUPP;
	if (primary->state != KMCL_CH_OPENED || !kmcl_channel_is_open(primary))
		return -EBADFD;
	list_for_each_entry(other, &primary->subs, sub_node) {
		if (other != ch &&
		    other->cfg.subchannel_index == ch->cfg.subchannel_index &&
		    READ_ONCE(other->state) != KMCL_CH_DISABLED)
			return -EEXIST;
	}
	return 0;
}

/**
 * kmcl_sub_enabled() - @ch was enabled: its primary now tracks it
 * @ch: the channel, locked with kmcl_sub_lock().
 */
void kmcl_sub_enabled(struct kmcl_channel *ch)
{
	struct kmcl_channel *primary = ch->cfg.primary;

	if (primary && list_empty(&ch->sub_node))
		list_add_tail(&ch->sub_node, &primary->subs);
}

/**
 * kmcl_subs_close() - disable every subchannel of @primary
 * @primary: the channel whose close is starting; state_mutex held.
 *
 * Each subchannel runs its whole close sequence (Closed included) before
 * the next one, and all of them before the caller goes on with the
 * primary's. Process context.
 */
void kmcl_subs_close(struct kmcl_channel *primary)
{
	struct kmcl_channel *sub;

	lockdep_assert_held(&primary->state_mutex);
	while (!list_empty(&primary->subs)) {
		sub = list_first_entry(&primary->subs, struct kmcl_channel,
				       sub_node);
		list_del_init(&sub->sub_node);
		mutex_lock_nested(&sub->state_mutex, SINGLE_DEPTH_NESTING);
		kmcl_channel_disable_locked(sub);
		mutex_unlock(&sub->state_mutex);
	}
}

/**
 * kmcl_subs_follow() - apply @primary's run state to its subchannels
 * @primary: a channel that was just started or paused; state_mutex held.
 *
 * Process context.
 */
void kmcl_subs_follow(struct kmcl_channel *primary)
{
	struct kmcl_channel *sub;

	lockdep_assert_held(&primary->state_mutex);
	list_for_each_entry(sub, &primary->subs, sub_node) {
		mutex_lock_nested(&sub->state_mutex, SINGLE_DEPTH_NESTING);
		if (sub->state != KMCL_CH_DISABLED) {
			if (primary->started)
				kmcl_channel_start_locked(sub);
			else
				kmcl_channel_pause_locked(sub);
		}
		mutex_unlock(&sub->state_mutex);
	}
}

/**
 * kmcl_sub_may_cleanup() - may @ch be cleaned up, as far as subchannels go?
 * @ch: a channel.
 *
 * Return: 0, or -EBUSY while another channel names @ch as its primary.
 */
int kmcl_sub_may_cleanup(struct kmcl_channel *ch)
{
	return atomic_read(&ch->sub_refs) ? -EBUSY : 0;
}

/**
 * kmcl_sub_forget() - a Disabled subchannel is being cleaned up
 * @ch: the channel; its state_mutex not held.
 *
 * Unlinks it from its primary and drops its reference on it. Process
 * context.
 */
void kmcl_sub_forget(struct kmcl_channel *ch)
{
	struct kmcl_channel *primary = ch->cfg.primary;

	if (!primary)
		return;
	if (!kmcl_sub_primary_held(primary))
		mutex_lock(&primary->state_mutex);
	list_del_init(&ch->sub_node);
	if (!kmcl_sub_primary_held(primary))
		mutex_unlock(&primary->state_mutex);
	atomic_dec(&primary->sub_refs);
}
