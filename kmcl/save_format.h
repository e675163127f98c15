/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The saved state of a server channel (VmbChannelSaveContinue() output,
 * VmbChannelRestoreFromBuffer() input): pure encode/decode, no kernel-only
 * dependency, so that tools/testing/fuzz builds it unmodified.
 *
 * The state is a sequence of chunks. Every chunk is self-describing and is
 * written or read whole (a save buffer holds whole chunks):
 *
 *   header (32 bytes, little endian)
 *     0  u32 magic      KMCL_SAVE_MAGIC
 *     4  u16 version    KMCL_SAVE_VERSION
 *     6  u16 type       enum kmcl_save_type
 *     8  u32 length     whole chunk, header included, multiple of 8
 *    12  u32 seq        0, 1, 2, ... in the order the chunks were saved
 *    16  u64 save_id    random, the same in every chunk of one save
 *    24  u32 crc        CRC-32 of the chunk with this field zero
 *    28  u32 reserved   0
 *   body
 *     CHANNEL (seq 0): the configuration and the offer, then
 *       packet_count, gpadl_count and gpadl_count (handle, flags) pairs.
 *     PACKET (seq 1 .. packet_count): u32 lib_len, u32 drv_len, the
 *       library record (KMCL_SAVE_LIB_SIZE bytes, handed to the driver's
 *       RestorePacket as LibBuf), the driver's bytes padded to 8 with zeroes.
 *     END (last): u32 packet_count, u32 chunk_count.
 *
 * Every field is range-checked on decode, padding must be zero, and the
 * reader (struct kmcl_save_reader) enforces the order, the counts and the
 * save id across chunks. Errors: -EMSGSIZE truncated, -EPROTONOSUPPORT
 * other version, -EBADMSG anything else that is not what a save writes.
 */
#ifndef _KMCL_SAVE_FORMAT_H
#define _KMCL_SAVE_FORMAT_H

#include <linux/types.h>

#define KMCL_SAVE_MAGIC		0x56534d4bU	/* "KMSV" */
#define KMCL_SAVE_LIB_MAGIC	0x4c504d4bU	/* "KMPL" */
#define KMCL_SAVE_VERSION	1U
#define KMCL_SAVE_HDR_SIZE	32U
#define KMCL_SAVE_CHAN_SIZE	80U		/* fixed part of CHANNEL */
#define KMCL_SAVE_LIB_SIZE	32U
#define KMCL_SAVE_END_SIZE	8U
/* Limits a decoder enforces (a save never writes more). */
#define KMCL_SAVE_MAX_PACKETS	4096U
#define KMCL_SAVE_MAX_GPADLS	1024U
#define KMCL_SAVE_MAX_DRV	65536U
#define KMCL_SAVE_MAX_PKT_SIZE	524280U
/* Library record flags. */
#define KMCL_SAVE_LIB_COMP	0x1U		/* the sender wants a completion */

enum kmcl_save_type {
	KMCL_SAVE_CHANNEL = 1,
	KMCL_SAVE_PACKET = 2,
	KMCL_SAVE_END = 3,
};

/**
 * struct kmcl_save_hdr - a decoded chunk header
 * @type: enum kmcl_save_type.
 * @len: bytes of the whole chunk.
 * @seq: its position in the save.
 * @save_id: the save it belongs to.
 */
struct kmcl_save_hdr {
	u16 type;
	u32 len;
	u32 seq;
	u64 save_id;
};

/**
 * struct kmcl_save_chan - the CHANNEL chunk's fixed part
 * @max_packet_size: channel configuration, as struct kmcl_channel_config.
 * @max_packet_count: see @max_packet_size.
 * @inline_context_size: see @max_packet_size.
 * @client_context_size: see @max_packet_size.
 * @max_ext_data: see @max_packet_size.
 * @max_ext_chain: see @max_packet_size.
 * @flags: KMCL_CH_FLAG_* bits.
 * @server_flags: KMCL_SRV_FLAG_* bits.
 * @target_vtl: see @max_packet_size.
 * @mmio_mb: see @max_packet_size.
 * @mmio_mb_optional: see @max_packet_size.
 * @offer_type: the offered interface type (GUID bytes).
 * @offer_instance: the offered instance (GUID bytes).
 * @packet_count: PACKET chunks that follow.
 * @gpadl_count: (handle, flags) pairs that follow in this chunk.
 */
struct kmcl_save_chan {
	u32 max_packet_size;
	u32 max_packet_count;
	u32 inline_context_size;
	u32 client_context_size;
	u32 max_ext_data;
	u32 max_ext_chain;
	u32 flags;
	u32 server_flags;
	u8 target_vtl;
	u16 mmio_mb;
	u16 mmio_mb_optional;
	u8 offer_type[16];
	u8 offer_instance[16];
	u32 packet_count;
	u32 gpadl_count;
};

/**
 * struct kmcl_save_gpadl - one GPADL the server had mapped
 * @handle: the client's GPADL handle.
 * @flags: the VmbChannelMapGpadl flags it was mapped with.
 */
struct kmcl_save_gpadl {
	u32 handle;
	u32 flags;
};

/**
 * struct kmcl_save_lib - KMCL's own state of one saved incoming packet
 * @save_id: the save it belongs to.
 * @txid: the sender's transaction id, for the completion.
 * @flags: KMCL_SAVE_LIB_* bits.
 * @pkt_flags: KMCL_PROCESS_* flags the packet was delivered with.
 * @index: 0-based position among the saved packets.
 */
struct kmcl_save_lib {
	u64 save_id;
	u64 txid;
	u16 flags;
	u32 pkt_flags;
	u32 index;
};

/**
 * struct kmcl_save_reader - checks a sequence of chunks across buffers
 * @save_id: the save being read (from the CHANNEL chunk).
 * @next_seq: the seq the next chunk must have.
 * @packets: PACKET chunks announced by the CHANNEL chunk.
 * @seen: PACKET chunks read so far.
 * @done: the END chunk was read; nothing may follow.
 *
 * Zero it before the first chunk.
 */
struct kmcl_save_reader {
	u64 save_id;
	u32 next_seq;
	u32 packets;
	u32 seen;
	bool done;
};

/**
 * struct kmcl_save_item - one chunk as the reader decoded it
 * @type: enum kmcl_save_type.
 * @chan: CHANNEL: the fixed part.
 * @gpadls: CHANNEL: @chan.gpadl_count pairs, still encoded (read them with
 *	kmcl_save_gpadl_at()).
 * @lib: PACKET: the library record, decoded.
 * @lib_buf: PACKET: the library record as saved (LibBuf).
 * @drv: PACKET: the driver's bytes.
 * @drv_len: PACKET: their length.
 */
struct kmcl_save_item {
	u16 type;
	struct kmcl_save_chan chan;
	const void *gpadls;
	struct kmcl_save_lib lib;
	const void *lib_buf;
	const void *drv;
	u32 drv_len;
};

u32 kmcl_save_crc32(u32 crc, const void *buf, u32 len);
u32 kmcl_save_chan_size(u32 gpadl_count);
u32 kmcl_save_packet_size(u32 drv_len);
u32 kmcl_save_end_size(void);
u32 kmcl_save_put_chan(void *buf, u32 seq, u64 save_id,
		       const struct kmcl_save_chan *c,
		       const struct kmcl_save_gpadl *gpadls);
u32 kmcl_save_put_packet(void *buf, u32 seq, u64 save_id,
			 const struct kmcl_save_lib *lib, const void *drv,
			 u32 drv_len);
u32 kmcl_save_put_end(void *buf, u32 seq, u64 save_id, u32 packets);
int kmcl_save_get_hdr(const void *buf, u32 avail, struct kmcl_save_hdr *h);
int kmcl_save_get_lib(const void *buf, u32 len, struct kmcl_save_lib *lib);
void kmcl_save_gpadl_at(const void *gpadls, u32 i, struct kmcl_save_gpadl *g);
int kmcl_save_read(struct kmcl_save_reader *r, const void *buf, u32 avail,
		   struct kmcl_save_item *item);

#endif /* _KMCL_SAVE_FORMAT_H */
