/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Subchannels in the core (subchan.c): the seam between the channel state
 * machine (channel.c) and the code that ties a subchannel's lifetime to its
 * primary's. See subchan.c for the rules.
 */
#ifndef _KMCL_SUBCHAN_H
#define _KMCL_SUBCHAN_H

#include <linux/types.h>

struct kmcl_channel;

/* channel.c: the bodies of disable/start/pause, with state_mutex held. */
void kmcl_channel_disable_locked(struct kmcl_channel *ch);
void kmcl_channel_start_locked(struct kmcl_channel *ch);
void kmcl_channel_pause_locked(struct kmcl_channel *ch);

/* subchan.c */
void kmcl_sub_setup(struct kmcl_channel *ch);
struct kmcl_channel *kmcl_sub_lock(struct kmcl_channel *ch);
void kmcl_sub_unlock(struct kmcl_channel *ch, struct kmcl_channel *primary);
int kmcl_sub_may_enable(struct kmcl_channel *ch,
			struct kmcl_channel *primary);
void kmcl_sub_enabled(struct kmcl_channel *ch);
void kmcl_subs_close(struct kmcl_channel *primary);
void kmcl_subs_follow(struct kmcl_channel *primary);
int kmcl_sub_may_cleanup(struct kmcl_channel *ch);
void kmcl_sub_forget(struct kmcl_channel *ch);

#endif /* _KMCL_SUBCHAN_H */
