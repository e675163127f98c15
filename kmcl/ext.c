// SPDX-License-Identifier: GPL-2.0-only
/*
 * External data: memory an outgoing packet lends to the peer, described by
 * GPA ranges in a KMCL_PKT_DATA_USING_GPA_DIRECT packet.
 *
 * Sender: the API boundary (api_ext.c) turns an MDL chain or a PFN array
 * into ranges, written into the packet object's ext area
 * (kmcl_packet_send_ext()). Such a packet always takes a transaction id and
 * asks for a completion, also when the driver did not ask to wait: the
 * memory stays lent until the peer's completion says it is no longer used
 * (or the channel closed and the peer released everything it held).
 *
 * Receiver: the reader checks each GPA-direct packet against the
 * receiver's own VmbChannelInitSetMaximumExternalData() limits, then asks
 * the transport whether the sender really described exactly these ranges
 * (kmcl_ext_receive(); loopback: the sender's packet with that transaction
 * id is pending with byte-identical ranges, and was not seen before).
 * Anything else is hostile: rejected, counted, and the incoming queue
 * stops. A packet whose sender has already gone away is dropped quietly:
 * nobody waits for its completion any more.
 *
 * The MDL chain VmbChannelPacketGetExternalData() hands out is built in the
 * incoming object's own area (no allocation while packets flow) and is
 * released, mappings included, when the driver completes or fails the
 * packet, before the completion goes back to the sender
 * (kmcl_ext_release()). A closing sender waits until the peer released
 * everything it held of its memory (kmcl_ext_quiesce()) before it completes
 * its packets and so gives the memory back to its driver.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "kmcl.h"

/* Range bytes a packet may carry under @size / @chain (see kmcl_ext_ranges_cap()). */
static u64 kmcl_ext_cap_for(u32 size, u32 chain)
{
	if (!size || !chain)
		return 0;
	/*
	 * A range of c bytes at offset o < 4096 spans at most c / 4096 + 2
	 * pages, so n ranges adding up to at most @size bytes carry at most
	 * DIV_ROUND_UP(@size, 4096) + 2n PFNs, plus an 8-byte head each.
	 */
	return 8 * (DIV_ROUND_UP((u64)size, KMCL_WIRE_PAGE_SIZE) + 3 * (u64)chain);
}

/**
 * kmcl_ext_limits_ok() - can a packet carry this much external data?
 * @size: VmbChannelInitSetMaximumExternalData() DataSize.
 * @chain: its ChainLength.
 *
 * Return: true if the range header of the largest external data, with a
 * descriptor, fits in a VMBus packet (len8 is 16 bits).
 */
bool kmcl_ext_limits_ok(u32 size, u32 chain)
{
	return sizeof(struct kmcl_gpa_direct_hdr) + kmcl_ext_cap_for(size, chain) <=
	       KMCL_WIRE_MAX_PKT_LEN;
}

KMCL_EXPORT_FOR_TESTS(kmcl_ext_limits_ok);

/**
 * kmcl_ext_ranges_cap() - range bytes one packet of @cfg's channel may carry
 * @cfg: the channel's configuration.
 *
 * Every range with its PFN array, for at most cfg.max_ext_chain ranges
 * adding up to at most cfg.max_ext_data bytes. Sizes the ext area of each
 * outgoing packet object.
 *
 * Return: the bytes, 0 if the channel has no external-data limits (it
 * then neither sends nor accepts external data).
 */
u32 kmcl_ext_ranges_cap(const struct kmcl_channel_config *cfg)
{
	return min_t(u64, kmcl_ext_cap_for(cfg->max_ext_data, cfg->max_ext_chain),
		     KMCL_WIRE_MAX_PKT_LEN);
}

KMCL_EXPORT_FOR_TESTS(kmcl_ext_ranges_cap);

/**
 * kmcl_ext_hdr_size() - extra bytes a received packet of @cfg may have
 * @cfg: the receiving channel's configuration.
 *
 * The GPA-direct header beyond the plain descriptor, with the largest
 * ranges the receiver accepts.
 *
 * Return: the bytes, 0 without external-data limits.
 */
u32 kmcl_ext_hdr_size(const struct kmcl_channel_config *cfg)
{
	u32 cap = kmcl_ext_ranges_cap(cfg);

	if (!cap)
		return 0;
	return sizeof(struct kmcl_gpa_direct_hdr) -
	       sizeof(struct kmcl_vmpacket_desc) + cap;
}

KMCL_EXPORT_FOR_TESTS(kmcl_ext_hdr_size);

/**
 * kmcl_ext_va_size() - bytes of the address hints of one packet of @cfg
 * @cfg: the channel's configuration.
 *
 * One pointer per range (struct kmcl_ext_fill), at the end of each
 * outgoing packet object and of each incoming object's MDL area.
 *
 * Return: the bytes, a multiple of 8; 0 without external-data limits.
 */
u32 kmcl_ext_va_size(const struct kmcl_channel_config *cfg)
{
	if (!kmcl_ext_ranges_cap(cfg))
		return 0;
	/* kmcl_ext_limits_ok() keeps the chain far below this. */
	return min_t(u64, (u64)cfg->max_ext_chain * sizeof(void *),
		     KMCL_WIRE_MAX_PKT_LEN);
}

KMCL_EXPORT_FOR_TESTS(kmcl_ext_va_size);

/**
 * kmcl_ext_in_size() - MDL area of each incoming object of @cfg
 * @cfg: the receiving channel's configuration.
 *
 * Room for one MDL per range, each with its PFN array
 * (kmcl_mdl_place_hvpfns()), then the sender's address hints
 * (kmcl_ext_in_vas()).
 *
 * Return: the bytes, a multiple of 8; 0 without external-data limits.
 */
u32 kmcl_ext_in_size(const struct kmcl_channel_config *cfg)
{
	u64 chain = cfg->max_ext_chain, pfns;

	if (!kmcl_ext_ranges_cap(cfg))
		return 0;
	pfns = DIV_ROUND_UP((u64)cfg->max_ext_data, KMCL_WIRE_PAGE_SIZE) +
	       2 * chain;
	return min_t(u64, chain * kmcl_mdl_hvpfns_size(0) + pfns * sizeof(u64) +
		     kmcl_ext_va_size(cfg), U32_MAX & ~7U);
}

KMCL_EXPORT_FOR_TESTS(kmcl_ext_in_size);

/**
 * kmcl_ext_in_vas() - the sender's address hints of an incoming packet
 * @ip: an incoming object of a channel with external-data limits.
 *
 * cfg.max_ext_chain entries at the end of @ip's MDL area, one per range:
 * where a sender in this kernel has the range mapped, or NULL. Filled by
 * the transport's ext_check, used (once checked) by
 * VmbChannelPacketGetExternalData() in place of a mapping of its own.
 *
 * Return: the array.
 */
void **kmcl_ext_in_vas(struct kmcl_in_packet *ip)
{
	const struct kmcl_channel_config *cfg = &ip->ch->cfg;

	return (void **)((u8 *)ip->ext_mdl + kmcl_ext_in_size(cfg) -
			 kmcl_ext_va_size(cfg));
}

/**
 * kmcl_ext_receive() - may a received GPA-direct packet be delivered?
 * @ch: the receiving channel.
 * @ip: the incoming object holding the packet (not delivered yet).
 * @wp: the packet, as kmcl_wire_parse() accepted it from @ip's buffer,
 *	within the receiver's limits (the reader checked them).
 *
 * Checks that the sender asked for a completion, and asks the transport
 * whether the sender described exactly these ranges. On success @ip
 * carries the ranges (ext_count) and the transport counts the memory as
 * held until kmcl_ext_release(). Called by the reader, softirq or process
 * context, no lock held.
 *
 * Return: 0: deliver with KMCL_PROCESS_EXTERNAL_DATA; -EBADMSG: not what
 * the sender described (or the transport never carries external data);
 * -ECANCELED: the sender went away, drop the packet quietly.
 */
int kmcl_ext_receive(struct kmcl_channel *ch, struct kmcl_in_packet *ip,
		     const struct kmcl_wire_packet *wp)
{
	u32 len;
	int ret;

	if (!(wp->flags & KMCL_PKT_FLAG_COMPLETION_REQUESTED) ||
	    !ch->tops->ext_check)
		return -EBADMSG;
	len = wp->hdr_len - sizeof(struct kmcl_gpa_direct_hdr);
	/* The reader checked range_count against our max_ext_chain. */
	ret = ch->tops->ext_check(ch, wp->trans_id, wp->ranges, len,
				  wp->range_count, kmcl_ext_in_vas(ip));
	if (ret)
		return ret;
	ip->ext_count = wp->range_count;
	ip->ext_chain = NULL;
	return 0;
}

/**
 * kmcl_ext_release() - the driver is done with a packet's external data
 * @ip: an incoming object leaving the driver (completed or failed).
 *
 * Unmaps and invalidates the MDL chain VmbChannelPacketGetExternalData()
 * built (a vmap() is always unmapped by a worker: never sleeps), then tells the
 * transport the memory is no longer held. Nothing for a packet without
 * external data. Any context up to softirq.
 */
void kmcl_ext_release(struct kmcl_in_packet *ip)
{
	struct kmcl_channel *ch = ip->ch;
	struct _MDL *mdl;

	if (!ip->ext_count)
		return;
	mdl = ip->ext_chain;
	ip->ext_chain = NULL;
	while (mdl)
		mdl = kmcl_mdl_unplace(mdl);
	ip->ext_count = 0;
	if (ip->xfer_gpadl)
		kmcl_xfer_release(ip);
	else if (ch->tops->ext_put)
		ch->tops->ext_put(ch);
}

/**
 * kmcl_ext_quiesce() - wait until the peer holds none of our memory
 * @ch: a closing channel, after the transport was disconnected and before
 *	kmcl_out_close() completes its packets (state_mutex held).
 *
 * Process context.
 */
void kmcl_ext_quiesce(struct kmcl_channel *ch)
{
	might_sleep();
	if (ch->tops->ext_quiesce)
		ch->tops->ext_quiesce(ch);
	kmcl_bounce_unpark(ch);
}

/**
 * kmcl_ext_wait() - wait until the peer can no longer touch lent memory
 * @ch: a channel whose synchronous request took back a packet with
 *	external data (kmcl_packet_cancel_lent()) once the channel was no
 *	longer open. No KMCL lock held.
 *
 * Process context.
 */
void kmcl_ext_wait(struct kmcl_channel *ch)
{
	might_sleep();
	if (ch->tops->ext_wait)
		ch->tops->ext_wait(ch);
	else if (ch->tops->ext_quiesce)
		ch->tops->ext_quiesce(ch);
}

/* Hand @pkt's address hints (@count ranges matched) to a receiver. */
static void kmcl_out_ext_vas(struct kmcl_channel *ch, struct kmcl_packet *pkt,
			     u32 count, void **vas)
{
	u32 i, n = 0;

	if (!vas)
		return;
	/* A bounced packet's ranges are pool pages, not the driver's. */
	if (pkt->ext_va && !pkt->bounce.length)
		n = min(count, ch->cfg.max_ext_chain);
	for (i = 0; i < count; i++)
		vas[i] = i < n ? pkt->ext_va[i] : NULL;
}

/**
 * kmcl_out_ext_match() - did @ch send these ranges under @txid?
 * @ch: the sending channel.
 * @txid: the transaction id of a received GPA-direct packet (untrusted).
 * @ranges: its ranges, as received.
 * @len: their length in bytes.
 * @count: their number.
 * @vas: receives @count address hints (the packet's ext_va; NULL for
 *	ranges bounced through a pool), or NULL.
 *
 * The transport's ext_check for a peer in the same kernel. A packet
 * matches once: a replay of the same packet is refused. Any context up to
 * softirq; takes @ch's out.lock.
 *
 * Return: 0 if a packet of @ch waits for its completion under @txid with
 * exactly these ranges; -ECANCELED if @ch is closing or @txid belongs to a
 * cancelled request (drop quietly); -EBADMSG otherwise.
 */
int kmcl_out_ext_match(struct kmcl_channel *ch, u64 txid, const void *ranges,
		       u32 len, u32 count, void **vas)
{
	struct kmcl_out *out = &ch->out;
	struct kmcl_packet *pkt;
	u32 wlen, wcount;
	const void *wire;
	int ret = -EBADMSG;

	spin_lock_bh(&out->lock);
	if (!out->open) {
		ret = -ECANCELED;
	} else {
		switch (kmcl_txid_peek(&out->txid, txid, &pkt)) {
		case KMCL_TXID_OK:
			wire = kmcl_bounce_wire(pkt, &wlen, &wcount);
			if (pkt->state == KMCL_PACKET_PENDING && !pkt->ext_seen &&
			    wlen == len && wcount == count &&
			    !memcmp(wire, ranges, len)) {
				pkt->ext_seen = true;
				kmcl_out_ext_vas(ch, pkt, count, vas);
				ret = 0;
			}
			break;
		case KMCL_TXID_LATE:
			ret = -ECANCELED;
			break;
		default:
			break;
		}
	}
	spin_unlock_bh(&out->lock);
	return ret;
}

KMCL_EXPORT_FOR_TESTS(kmcl_out_ext_match);
