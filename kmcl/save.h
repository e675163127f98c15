/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Server save/restore (save.c): the channel side of VmbChannelSave*,
 * VmbChannelRestoreFromBuffer and VmbPacketRestore, and the hooks the
 * channel state machine and the loopback call.
 *
 * Rules (Documentation/design.rst, "Server save/restore"):
 * - Save works on an open loopback server that is neither a subchannel
 *   nor a primary with an enabled subchannel (the format carries one
 *   channel; kmcl_restore() likewise refuses a subchannel). It stops
 *   delivery, waits until nothing outgoing is queued or waits for a
 *   completion, and freezes the incoming packets the driver holds
 *   (KMCL_IN_SAVED): completing one is refused until kmcl_save_end().
 * - kmcl_save_continue() writes whole chunks (save_format.h); the driver's
 *   SavePacket runs for each frozen packet as its chunk is built.
 * - kmcl_save_end() after a finished save commits it: the frozen packets
 *   leave the pool without a completion (the saved state owes them) and
 *   the channel carries no more traffic; its next close (Disable) hands
 *   the connection over instead of closing it. kmcl_save_end() before the
 *   save finished gives everything back and delivery resumes.
 * - kmcl_restore() feeds a fresh server channel: configuration and offer
 *   from the CHANNEL chunk, then RestorePacket per PACKET chunk, in which
 *   the driver calls VmbPacketRestore (kmcl_packet_restore()). Its enable
 *   takes over the handed-over connection.
 * - A restored packet is the completion handle of its incoming packet:
 *   kmcl_save_complete() once the restored channel is open.
 */
#ifndef _KMCL_SAVE_H
#define _KMCL_SAVE_H

#include <linux/types.h>

struct kmcl_channel;
struct kmcl_packet;

int kmcl_save_begin(struct kmcl_channel *ch);
int kmcl_save_continue(struct kmcl_channel *ch, void *buf, u32 size,
		       u32 *filled, u32 *required);
void kmcl_save_end(struct kmcl_channel *ch);
int kmcl_restore(struct kmcl_channel *ch, const void *buf, u32 size);
int kmcl_packet_restore(struct kmcl_packet *pkt, const void *buf, u32 size);
struct kmcl_packet *kmcl_save_restored(void *handle);
int kmcl_save_complete(struct kmcl_packet *pkt, const void *buf, u32 len,
		       bool fail);

/* Hooks: channel.c (state_mutex held) and loopback.c (kmcl_lb_lock held). */
bool kmcl_save_busy(struct kmcl_channel *ch);
void kmcl_save_close(struct kmcl_channel *ch);
void kmcl_save_destroy(struct kmcl_channel *ch);
bool kmcl_save_handover(struct kmcl_channel *ch, u64 *save_id);
int kmcl_save_restore_id(struct kmcl_channel *ch, u64 *save_id);

#endif /* _KMCL_SAVE_H */
