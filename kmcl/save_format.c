// SPDX-License-Identifier: GPL-2.0-only
/*
 * Encode and decode the saved state of a server channel (save_format.h).
 *
 * The decoder runs on bytes the driver hands back after they may have been
 * stored anywhere: every field is read once into a local, checked, and
 * only then used; every length is checked against what is left of the
 * buffer before anything is read behind it.
 */

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "core_compat.h"
#include "save_format.h"

static void kmcl_sf_put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void kmcl_sf_put32(u8 *p, u32 v)
{
	kmcl_sf_put16(p, (u16)v);
	kmcl_sf_put16(p + 2, (u16)(v >> 16));
}

static void kmcl_sf_put64(u8 *p, u64 v)
{
	kmcl_sf_put32(p, (u32)v);
	kmcl_sf_put32(p + 4, (u32)(v >> 32));
}

static u16 kmcl_sf_get16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

static u32 kmcl_sf_get32(const u8 *p)
{
	return kmcl_sf_get16(p) | ((u32)kmcl_sf_get16(p + 2) << 16);
}

static u64 kmcl_sf_get64(const u8 *p)
{
	return kmcl_sf_get32(p) | ((u64)kmcl_sf_get32(p + 4) << 32);
}

static bool kmcl_sf_zero(const u8 *p, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/**
 * kmcl_save_crc32() - CRC-32 (IEEE, reflected) of a buffer
 * @crc: 0 to start, or the result of the previous piece.
 * @buf: the bytes.
 * @len: their number.
 *
 * Return: the CRC so far.
 */
u32 kmcl_save_crc32(u32 crc, const void *buf, u32 len)
{
	const u8 *p = buf;
	u32 i;
	int k;

	crc = ~crc;
	for (i = 0; i < len; i++) {
		crc ^= (u32)p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ ((crc & 1) ? 0xedb88320U : 0);
	}
	return ~crc;
}
EXPORT_SYMBOL_KMCL_NS(kmcl_save_crc32, KMCL_INTERNAL);

/* Header fields, then the CRC over the whole chunk (crc field zero). */
static void kmcl_sf_seal(u8 *buf, u16 type, u32 len, u32 seq, u64 save_id)
{
	kmcl_sf_put32(buf, KMCL_SAVE_MAGIC);
	kmcl_sf_put16(buf + 4, KMCL_SAVE_VERSION);
	kmcl_sf_put16(buf + 6, type);
	kmcl_sf_put32(buf + 8, len);
	kmcl_sf_put32(buf + 12, seq);
	kmcl_sf_put64(buf + 16, save_id);
	kmcl_sf_put32(buf + 24, 0);
	kmcl_sf_put32(buf + 28, 0);
	kmcl_sf_put32(buf + 24, kmcl_save_crc32(0, buf, len));
}

/**
 * kmcl_save_chan_size() - bytes of a CHANNEL chunk
 * @gpadl_count: GPADLs it lists.
 *
 * Return: the size, header included.
 */
u32 kmcl_save_chan_size(u32 gpadl_count)
{
	return KMCL_SAVE_HDR_SIZE + KMCL_SAVE_CHAN_SIZE + 8 * gpadl_count;
}
EXPORT_SYMBOL_KMCL_NS(kmcl_save_chan_size, KMCL_INTERNAL);

/**
 * kmcl_save_packet_size() - bytes of a PACKET chunk
 * @drv_len: bytes of driver state, at most KMCL_SAVE_MAX_DRV.
 *
 * Return: the size, header included.
 */
u32 kmcl_save_packet_size(u32 drv_len)
{
	return KMCL_SAVE_HDR_SIZE + 8 + KMCL_SAVE_LIB_SIZE +
	       ((drv_len + 7) & ~7U);
}
EXPORT_SYMBOL_KMCL_NS(kmcl_save_packet_size, KMCL_INTERNAL);

/**
 * kmcl_save_end_size() - bytes of the END chunk
 *
 * Return: the size, header included.
 */
u32 kmcl_save_end_size(void)
{
	return KMCL_SAVE_HDR_SIZE + KMCL_SAVE_END_SIZE;
}
EXPORT_SYMBOL_KMCL_NS(kmcl_save_end_size, KMCL_INTERNAL);

/**
 * kmcl_save_put_chan() - write a CHANNEL chunk
 * @buf: kmcl_save_chan_size(@c->gpadl_count) bytes.
 * @seq: its position (0).
 * @save_id: the save.
 * @c: the fixed part.
 * @gpadls: @c->gpadl_count entries.
 *
 * Return: bytes written.
 */
u32 kmcl_save_put_chan(void *buf, u32 seq, u64 save_id,
		       const struct kmcl_save_chan *c,
		       const struct kmcl_save_gpadl *gpadls)
{
	u32 len = kmcl_save_chan_size(c->gpadl_count), i;
	u8 *b = buf, *p = b + KMCL_SAVE_HDR_SIZE;

	memset(buf, 0, len);
	kmcl_sf_put32(p, c->max_packet_size);
	kmcl_sf_put32(p + 4, c->max_packet_count);
	kmcl_sf_put32(p + 8, c->inline_context_size);
	kmcl_sf_put32(p + 12, c->client_context_size);
	kmcl_sf_put32(p + 16, c->max_ext_data);
	kmcl_sf_put32(p + 20, c->max_ext_chain);
	kmcl_sf_put32(p + 24, c->flags);
	kmcl_sf_put32(p + 28, c->server_flags);
	p[32] = c->target_vtl;
	kmcl_sf_put16(p + 34, c->mmio_mb);
	kmcl_sf_put16(p + 36, c->mmio_mb_optional);
	memcpy(p + 40, c->offer_type, 16);
	memcpy(p + 56, c->offer_instance, 16);
	kmcl_sf_put32(p + 72, c->packet_count);
	kmcl_sf_put32(p + 76, c->gpadl_count);
	for (i = 0; i < c->gpadl_count; i++) {
		kmcl_sf_put32(p + 80 + 8 * i, gpadls[i].handle);
		kmcl_sf_put32(p + 84 + 8 * i, gpadls[i].flags);
	}
	kmcl_sf_seal(b, KMCL_SAVE_CHANNEL, len, seq, save_id);
	return len;
}
EXPORT_SYMBOL_KMCL_NS(kmcl_save_put_chan, KMCL_INTERNAL);

static void kmcl_sf_put_lib(u8 *p, const struct kmcl_save_lib *lib)
{
	kmcl_sf_put32(p, KMCL_SAVE_LIB_MAGIC);
	kmcl_sf_put16(p + 4, KMCL_SAVE_VERSION);
	kmcl_sf_put16(p + 6, lib->flags);
	kmcl_sf_put64(p + 8, lib->save_id);
	kmcl_sf_put64(p + 16, lib->txid);
	kmcl_sf_put32(p + 24, lib->pkt_flags);
	kmcl_sf_put32(p + 28, lib->index);
}

/**
 * kmcl_save_put_packet() - write a PACKET chunk
 * @buf: kmcl_save_packet_size(@drv_len) bytes.
 * @seq: its position.
 * @save_id: the save.
 * @lib: KMCL's state of the packet.
 * @drv: the driver's state, @drv_len bytes (NULL if 0).
 * @drv_len: at most KMCL_SAVE_MAX_DRV.
 *
 * Return: bytes written.
 */
u32 kmcl_save_put_packet(void *buf, u32 seq, u64 save_id,
			 const struct kmcl_save_lib *lib, const void *drv,
			 u32 drv_len)
{
	u32 len = kmcl_save_packet_size(drv_len);
	u8 *b = buf, *p = b + KMCL_SAVE_HDR_SIZE;

	memset(buf, 0, len);
	kmcl_sf_put32(p, KMCL_SAVE_LIB_SIZE);
	kmcl_sf_put32(p + 4, drv_len);
	kmcl_sf_put_lib(p + 8, lib);
	if (drv_len)
		memcpy(p + 8 + KMCL_SAVE_LIB_SIZE, drv, drv_len);
	kmcl_sf_seal(b, KMCL_SAVE_PACKET, len, seq, save_id);
	return len;
}
EXPORT_SYMBOL_KMCL_NS(kmcl_save_put_packet, KMCL_INTERNAL);

/**
 * kmcl_save_put_end() - write the END chunk
 * @buf: kmcl_save_end_size() bytes.
 * @seq: its position (the last).
 * @save_id: the save.
 * @packets: PACKET chunks written.
 *
 * Return: bytes written.
 */
u32 kmcl_save_put_end(void *buf, u32 seq, u64 save_id, u32 packets)
{
	u32 len = kmcl_save_end_size();
	u8 *b = buf, *p = b + KMCL_SAVE_HDR_SIZE;

	kmcl_sf_put32(p, packets);
	kmcl_sf_put32(p + 4, seq + 1);
	kmcl_sf_seal(b, KMCL_SAVE_END, len, seq, save_id);
	return len;
}
EXPORT_SYMBOL_KMCL_NS(kmcl_save_put_end, KMCL_INTERNAL);

/**
 * kmcl_save_get_hdr() - check the chunk at the start of a buffer
 * @buf: the bytes.
 * @avail: how many there are.
 * @h: filled with the header when the chunk is whole and intact.
 *
 * Return: 0; -EMSGSIZE if @avail cannot hold the header or the chunk it
 * announces; -EPROTONOSUPPORT for another format version; -EBADMSG for a
 * wrong magic, type, length, reserved field or CRC.
 */
int kmcl_save_get_hdr(const void *buf, u32 avail, struct kmcl_save_hdr *h)
{
	const u8 *b = buf;
	u32 magic, len, crc, i;
	u16 version, type;
	u8 tmp[KMCL_SAVE_HDR_SIZE];

	if (avail < KMCL_SAVE_HDR_SIZE)
		return -EMSGSIZE;
	magic = kmcl_sf_get32(b);
	version = kmcl_sf_get16(b + 4);
	type = kmcl_sf_get16(b + 6);
	len = kmcl_sf_get32(b + 8);
	crc = kmcl_sf_get32(b + 24);
	if (magic != KMCL_SAVE_MAGIC)
		return -EBADMSG;
	if (version != KMCL_SAVE_VERSION)
		return -EPROTONOSUPPORT;
	if (type < KMCL_SAVE_CHANNEL || type > KMCL_SAVE_END ||
	    len < KMCL_SAVE_HDR_SIZE || len % 8 ||
	    kmcl_sf_get32(b + 28))
		return -EBADMSG;
	if (len > avail)
		return -EMSGSIZE;
	for (i = 0; i < KMCL_SAVE_HDR_SIZE; i++)
		tmp[i] = i < 24 || i >= 28 ? b[i] : 0;
	if (kmcl_save_crc32(kmcl_save_crc32(0, tmp, sizeof(tmp)),
			    b + KMCL_SAVE_HDR_SIZE,
			    len - KMCL_SAVE_HDR_SIZE) != crc)
		return -EBADMSG;
	h->type = type;
	h->len = len;
	h->seq = kmcl_sf_get32(b + 12);
	h->save_id = kmcl_sf_get64(b + 16);
	return 0;
}
EXPORT_SYMBOL_KMCL_NS(kmcl_save_get_hdr, KMCL_INTERNAL);

/**
 * kmcl_save_get_lib() - decode a library record (LibBuf)
 * @buf: the record.
 * @len: its length; must be KMCL_SAVE_LIB_SIZE.
 * @lib: filled on success.
 *
 * Return: 0; -EMSGSIZE for a wrong length; -EPROTONOSUPPORT for another
 * version; -EBADMSG for a wrong magic or unknown flags.
 */
int kmcl_save_get_lib(const void *buf, u32 len, struct kmcl_save_lib *lib)
{
	const u8 *p = buf;
	u16 version, flags;

	if (len != KMCL_SAVE_LIB_SIZE)
		return -EMSGSIZE;
	if (kmcl_sf_get32(p) != KMCL_SAVE_LIB_MAGIC)
		return -EBADMSG;
	version = kmcl_sf_get16(p + 4);
	if (version != KMCL_SAVE_VERSION)
		return -EPROTONOSUPPORT;
	flags = kmcl_sf_get16(p + 6);
	if (flags & ~KMCL_SAVE_LIB_COMP)
		return -EBADMSG;
	lib->flags = flags;
	lib->save_id = kmcl_sf_get64(p + 8);
	lib->txid = kmcl_sf_get64(p + 16);
	lib->pkt_flags = kmcl_sf_get32(p + 24);
	lib->index = kmcl_sf_get32(p + 28);
	/* A completion is owed only under an id a sender may use. */
	if ((flags & KMCL_SAVE_LIB_COMP) && !lib->txid)
		return -EBADMSG;
	return 0;
}
EXPORT_SYMBOL_KMCL_NS(kmcl_save_get_lib, KMCL_INTERNAL);

/**
 * kmcl_save_gpadl_at() - one GPADL of a checked CHANNEL chunk
 * @gpadls: struct kmcl_save_item.gpadls.
 * @i: index, below the chunk's gpadl_count.
 * @g: filled.
 */
void kmcl_save_gpadl_at(const void *gpadls, u32 i, struct kmcl_save_gpadl *g)
{
	const u8 *p = (const u8 *)gpadls + 8 * i;

	g->handle = kmcl_sf_get32(p);
	g->flags = kmcl_sf_get32(p + 4);
}
EXPORT_SYMBOL_KMCL_NS(kmcl_save_gpadl_at, KMCL_INTERNAL);

static int kmcl_sf_chan(const u8 *p, u32 blen, struct kmcl_save_item *it)
{
	struct kmcl_save_chan *c = &it->chan;
	u32 i, prev = 0;

	if (blen < KMCL_SAVE_CHAN_SIZE)
		return -EBADMSG;
	c->max_packet_size = kmcl_sf_get32(p);
	c->max_packet_count = kmcl_sf_get32(p + 4);
	c->inline_context_size = kmcl_sf_get32(p + 8);
	c->client_context_size = kmcl_sf_get32(p + 12);
	c->max_ext_data = kmcl_sf_get32(p + 16);
	c->max_ext_chain = kmcl_sf_get32(p + 20);
	c->flags = kmcl_sf_get32(p + 24);
	c->server_flags = kmcl_sf_get32(p + 28);
	c->target_vtl = p[32];
	c->mmio_mb = kmcl_sf_get16(p + 34);
	c->mmio_mb_optional = kmcl_sf_get16(p + 36);
	memcpy(c->offer_type, p + 40, 16);
	memcpy(c->offer_instance, p + 56, 16);
	c->packet_count = kmcl_sf_get32(p + 72);
	c->gpadl_count = kmcl_sf_get32(p + 76);
	if (!c->max_packet_size || c->max_packet_size > KMCL_SAVE_MAX_PKT_SIZE ||
	    !c->max_packet_count || c->max_packet_count > KMCL_SAVE_MAX_PACKETS ||
	    c->packet_count > c->max_packet_count ||
	    c->gpadl_count > KMCL_SAVE_MAX_GPADLS || c->target_vtl > 15 ||
	    p[33] || kmcl_sf_get16(p + 38) ||
	    blen != KMCL_SAVE_CHAN_SIZE + 8 * c->gpadl_count)
		return -EBADMSG;
	it->gpadls = p + KMCL_SAVE_CHAN_SIZE;
	/* Handles are listed once each, ascending, never 0. */
	for (i = 0; i < c->gpadl_count; i++) {
		struct kmcl_save_gpadl g;

		kmcl_save_gpadl_at(it->gpadls, i, &g);
		if (!g.handle || g.handle <= prev)
			return -EBADMSG;
		prev = g.handle;
	}
	return 0;
}

static int kmcl_sf_packet(const u8 *p, u32 blen, u64 save_id,
			  struct kmcl_save_item *it)
{
	u32 lib_len, drv_len;
	int ret;

	if (blen < 8 + KMCL_SAVE_LIB_SIZE)
		return -EBADMSG;
	lib_len = kmcl_sf_get32(p);
	drv_len = kmcl_sf_get32(p + 4);
	if (lib_len != KMCL_SAVE_LIB_SIZE || drv_len > KMCL_SAVE_MAX_DRV ||
	    blen != 8 + KMCL_SAVE_LIB_SIZE + ((drv_len + 7) & ~7U))
		return -EBADMSG;
	ret = kmcl_save_get_lib(p + 8, lib_len, &it->lib);
	if (ret)
		return ret == -EPROTONOSUPPORT ? ret : -EBADMSG;
	if (it->lib.save_id != save_id)
		return -EBADMSG;
	it->lib_buf = p + 8;
	it->drv = p + 8 + KMCL_SAVE_LIB_SIZE;
	it->drv_len = drv_len;
	if (!kmcl_sf_zero(p + 8 + KMCL_SAVE_LIB_SIZE + drv_len,
			  blen - 8 - KMCL_SAVE_LIB_SIZE - drv_len))
		return -EBADMSG;
	return 0;
}

/**
 * kmcl_save_read() - check and decode the next chunk of a saved state
 * @r: the reader, zeroed before the first chunk.
 * @buf: the bytes; the chunk starts here.
 * @avail: how many there are.
 * @item: filled with the decoded chunk; its pointers point into @buf.
 *
 * The first chunk must be CHANNEL (seq 0), then exactly the announced
 * PACKET chunks in order, then END; every chunk of the same save. @r only
 * advances when the chunk is accepted.
 *
 * Return: the chunk's length (> 0) or a negative errno as
 * kmcl_save_get_hdr(); -EBADMSG also for a chunk out of order, of another
 * save, or after END.
 */
int kmcl_save_read(struct kmcl_save_reader *r, const void *buf, u32 avail,
		   struct kmcl_save_item *item)
{
	const u8 *p = (const u8 *)buf + KMCL_SAVE_HDR_SIZE;
	struct kmcl_save_hdr h;
	u32 blen;
	int ret;

	ret = kmcl_save_get_hdr(buf, avail, &h);
	if (ret)
		return ret;
	blen = h.len - KMCL_SAVE_HDR_SIZE;
	if (r->done || h.seq != r->next_seq ||
	    (r->next_seq && h.save_id != r->save_id))
		return -EBADMSG;
	memset(item, 0, sizeof(*item));
	item->type = h.type;
	switch (h.type) {
	case KMCL_SAVE_CHANNEL:
		if (h.seq)
			return -EBADMSG;
		ret = kmcl_sf_chan(p, blen, item);
		if (ret)
			return ret;
		r->save_id = h.save_id;
		r->packets = item->chan.packet_count;
		r->seen = 0;
		break;
	case KMCL_SAVE_PACKET:
		if (!h.seq || r->seen >= r->packets)
			return -EBADMSG;
		ret = kmcl_sf_packet(p, blen, h.save_id, item);
		if (ret)
			return ret;
		if (item->lib.index != r->seen)
			return -EBADMSG;
		r->seen++;
		break;
	default:
		if (!h.seq || blen != KMCL_SAVE_END_SIZE ||
		    kmcl_sf_get32(p) != r->packets || r->seen != r->packets ||
		    kmcl_sf_get32(p + 4) != h.seq + 1)
			return -EBADMSG;
		r->done = true;
		break;
	}
	r->next_seq++;
	return h.len;
}
EXPORT_SYMBOL_KMCL_NS(kmcl_save_read, KMCL_INTERNAL);
