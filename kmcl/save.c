// SPDX-License-Identifier: GPL-2.0-only
/*
 * Server save/restore on the loopback: see save.h for the rules and
 * save_format.h for the bytes.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kmcl.h"
#include "save.h"
#include "save_format.h"

/* How long kmcl_save_begin() waits for the outgoing side to drain. */
#define KMCL_SAVE_QUIESCE_MS	5000U

/**
 * struct kmcl_save_state - save or restore under way on a server channel
 * @saving: between kmcl_save_begin() and kmcl_save_end().
 * @finished: kmcl_save_continue() wrote the END chunk.
 * @committed: kmcl_save_end() after @finished: hand the connection over at
 *	the next close.
 * @was_running: delivery was on at kmcl_save_begin().
 * @save_id: random id of this save (or of the restored one).
 * @seq: seq of the next chunk to build.
 * @npkts: frozen packets in @pkts.
 * @next_pkt: the next of them to save.
 * @pkts: the frozen packets.
 * @ngpadls: GPADLs in @gpadls.
 * @gpadls: the GPADLs the server had mapped, handles ascending.
 * @chunk: the built chunk not written out yet, @chunk_len bytes.
 * @chunk_len: 0 when no chunk waits.
 * @restoring: kmcl_restore() runs RestorePacket for packet @cur.
 * @restore_failed: a restore failed: the channel is no longer fresh.
 * @rd: the reader over the saved chunks.
 * @cur: index of the packet RestorePacket runs for.
 * @cur_done: VmbPacketRestore() took that packet.
 * @rpkts: packet objects VmbPacketRestore() tied to incoming packets.
 * @nrpkts: entries in @rpkts.
 */
struct kmcl_save_state {
	bool saving;
	bool finished;
	bool committed;
	bool was_running;
	u64 save_id;
	u32 seq;
	u32 npkts;
	u32 next_pkt;
	struct kmcl_in_packet **pkts;
	u32 ngpadls;
	struct kmcl_save_gpadl *gpadls;
	void *chunk;
	u32 chunk_len;

	bool restoring;
	bool restore_failed;
	struct kmcl_save_reader rd;
	u32 cur;
	bool cur_done;
	struct kmcl_packet **rpkts;
	u32 nrpkts;
};

static bool kmcl_save_loopback_server(struct kmcl_channel *ch)
{
	return ch->is_server && ch->tops == &kmcl_loopback_ops;
}

static void kmcl_save_free(struct kmcl_channel *ch)
{
	struct kmcl_save_state *sr = ch->sr;

	if (!sr)
		return;
	ch->sr = NULL;
	kvfree(sr->pkts);
	kfree(sr->gpadls);
	kvfree(sr->chunk);
	kvfree(sr->rpkts);
	kfree(sr);
}

/* Nothing queued and no transaction waiting for the client; out.lock. */
static bool kmcl_save_out_idle(struct kmcl_channel *ch)
{
	bool idle;

	spin_lock_bh(&ch->out.lock);
	idle = list_empty(&ch->out.queue) && !ch->out.txid.nr_used;
	spin_unlock_bh(&ch->out.lock);
	return idle;
}

static void kmcl_save_set_open(struct kmcl_channel *ch, bool open)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	WRITE_ONCE(ch->open, open && !ch->peer_lost);
	spin_unlock_irqrestore(&ch->lock, flags);
}

/*
 * Freeze every packet the driver holds; in.lock. -EBUSY for a packet
 * that holds the client's memory (external data, transfer pages): its
 * memory cannot follow it into the saved state.
 */
static int kmcl_save_freeze(struct kmcl_channel *ch, struct kmcl_save_state *sr)
{
	struct kmcl_in *in = &ch->in;
	struct kmcl_in_packet *ip;
	struct kmcl_in_chunk *c;
	u32 i, n = 0;

	spin_lock_bh(&in->lock);
	list_for_each_entry(c, &in->chunks, node) {
		for (i = 0; i < c->n; i++) {
			ip = kmcl_in_chunk_obj(in, c, i);
			if (ip->state == KMCL_IN_HELD &&
			    (ip->ext_count || ip->xfer_gpadl || ip->ext_chain)) {
				spin_unlock_bh(&in->lock);
				return -EBUSY;
			}
		}
	}
	list_for_each_entry(c, &in->chunks, node) {
		for (i = 0; i < c->n; i++) {
			ip = kmcl_in_chunk_obj(in, c, i);
			if (ip->state != KMCL_IN_HELD)
				continue;
			ip->state = KMCL_IN_SAVED;
			sr->pkts[n++] = ip;
		}
	}
	spin_unlock_bh(&in->lock);
	sr->npkts = n;
	return 0;
}

static void kmcl_save_thaw(struct kmcl_channel *ch, struct kmcl_save_state *sr)
{
	u32 i;

	spin_lock_bh(&ch->in.lock);
	for (i = 0; i < sr->npkts; i++)
		sr->pkts[i]->state = KMCL_IN_HELD;
	spin_unlock_bh(&ch->in.lock);
	sr->npkts = 0;
}

/* The GPADLs this server maps, handles ascending (shm.lock). */
static int kmcl_save_gpadls(struct kmcl_channel *ch, struct kmcl_save_state *sr)
{
	struct kmcl_save_gpadl *g, tmp;
	struct kmcl_gpadl *gp;
	u32 n = 0, i, j;

	g = kcalloc(KMCL_SAVE_MAX_GPADLS, sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	spin_lock(&ch->shm.lock);
	list_for_each_entry(gp, &ch->shm.maps, map_node) {
		if (n == KMCL_SAVE_MAX_GPADLS)
			break;
		g[n].handle = gp->handle;
		g[n].flags = gp->flags;
		n++;
	}
	spin_unlock(&ch->shm.lock);
	for (i = 1; i < n; i++)
		for (j = i; j && g[j - 1].handle > g[j].handle; j--) {
			tmp = g[j];
			g[j] = g[j - 1];
			g[j - 1] = tmp;
		}
	sr->gpadls = g;
	sr->ngpadls = n;
	return 0;
}

/**
 * kmcl_save_begin() - quiesce an open server channel for saving
 * @ch: the channel. Process context, not from its callbacks.
 *
 * Return: 0; -EINVAL for a client or a transport without servers;
 * -EBADFD if the channel is not open, a save is already under way, or
 * called from the channel's callbacks; -EOPNOTSUPP for a subchannel or a
 * primary with an enabled subchannel (subchannels are not saved); -EBUSY
 * if outgoing packets did not drain in time or a held packet carries
 * external data; -ENOMEM.
 */
int kmcl_save_begin(struct kmcl_channel *ch)
{
	unsigned long until = jiffies + msecs_to_jiffies(KMCL_SAVE_QUIESCE_MS);
	struct kmcl_save_state *sr;
	int ret;

	might_sleep();
	if (!kmcl_save_loopback_server(ch))
		return -EINVAL;
	if (kmcl_channel_in_callback(ch))
		return -EBADFD;
	mutex_lock(&ch->state_mutex);
	if (READ_ONCE(ch->state) != KMCL_CH_OPENED || ch->sr ||
	    !kmcl_channel_is_open(ch)) {
		ret = -EBADFD;
		goto out;
	}
	/* The saved format has no subchannels (list guarded by our mutex). */
	if (ch->cfg.primary || !list_empty(&ch->subs)) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	sr = kzalloc(sizeof(*sr), GFP_KERNEL);
	if (sr)
		/* The pool may grow until the freeze: room for its limit. */
		sr->pkts = kvcalloc(ch->in.max_objs, sizeof(*sr->pkts),
				    GFP_KERNEL);
	if (!sr || !sr->pkts) {
		kfree(sr);
		ret = -ENOMEM;
		goto out;
	}
	ch->sr = sr;
	sr->was_running = ch->running;
	kmcl_in_stop(ch);
	/* What the driver completed or sent meanwhile reaches the client. */
	while (!kmcl_save_out_idle(ch) && time_before(jiffies, until))
		usleep_range(1000, 2000);
	ret = kmcl_save_out_idle(ch) ? kmcl_save_freeze(ch, sr) : -EBUSY;
	if (!ret) {
		/* From here on nothing may reach the client but the restore. */
		kmcl_save_set_open(ch, false);
		if (!kmcl_save_out_idle(ch)) {
			kmcl_save_thaw(ch, sr);
			ret = -EBUSY;
		}
	}
	if (!ret)
		ret = kmcl_save_gpadls(ch, sr);
	if (ret) {
		kmcl_save_thaw(ch, sr);
		kmcl_save_set_open(ch, true);
		kmcl_out_notify(ch);
		if (sr->was_running)
			kmcl_in_start(ch);
		kmcl_save_free(ch);
		goto out;
	}
	sr->saving = true;
	sr->save_id = get_random_u64();
out:
	mutex_unlock(&ch->state_mutex);
	return ret;
}

/* The driver's state of frozen packet @ip, in a new buffer (*@len bytes). */
static int kmcl_save_driver_state(struct kmcl_channel *ch,
				  struct kmcl_in_packet *ip, void **bufp,
				  u32 *len)
{
	const struct kmcl_save_cb_ops *ops = ch->cfg.save_ops;
	u32 needed = 0, size;
	void *buf;
	int ret;

	*bufp = NULL;
	*len = 0;
	if (!ops)
		return 0;
	WRITE_ONCE(ch->cb_task, current);
	ret = ops->save(ch, ip, NULL, 0, &needed);
	WRITE_ONCE(ch->cb_task, NULL);
	if (!ret)
		return 0;
	if (!needed)
		return ret;
	if (needed > KMCL_SAVE_MAX_DRV)
		return -EMSGSIZE;
	size = needed;
	buf = kvzalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	needed = 0;
	WRITE_ONCE(ch->cb_task, current);
	ret = ops->save(ch, ip, buf, size, &needed);
	WRITE_ONCE(ch->cb_task, NULL);
	if (ret) {
		kvfree(buf);
		return ret;
	}
	*bufp = buf;
	*len = needed && needed <= size ? needed : size;
	return 0;
}

/* Build the next chunk into sr->chunk. */
static int kmcl_save_build(struct kmcl_channel *ch, struct kmcl_save_state *sr)
{
	const struct kmcl_channel_config *cfg = &ch->cfg;
	struct kmcl_save_chan c = {};
	struct kmcl_save_lib lib = {};
	struct kmcl_in_packet *ip;
	void *drv;
	u32 len, drv_len;
	int ret;

	if (!sr->seq) {
		c.max_packet_size = cfg->max_packet_size;
		c.max_packet_count = cfg->max_packet_count;
		c.inline_context_size = cfg->inline_context_size;
		c.client_context_size = cfg->client_context_size;
		c.max_ext_data = cfg->max_ext_data;
		c.max_ext_chain = cfg->max_ext_chain;
		c.flags = cfg->flags;
		c.server_flags = cfg->server_flags;
		c.target_vtl = cfg->target_vtl;
		c.mmio_mb = cfg->mmio_mb;
		c.mmio_mb_optional = cfg->mmio_mb_optional;
		memcpy(c.offer_type, &cfg->offer_type, 16);
		memcpy(c.offer_instance, &cfg->offer_instance, 16);
		c.packet_count = sr->npkts;
		c.gpadl_count = sr->ngpadls;
		len = kmcl_save_chan_size(c.gpadl_count);
		sr->chunk = kvmalloc(len, GFP_KERNEL);
		if (!sr->chunk)
			return -ENOMEM;
		sr->chunk_len = kmcl_save_put_chan(sr->chunk, sr->seq, sr->save_id,
						   &c, sr->gpadls);
	} else if (sr->next_pkt < sr->npkts) {
		ip = sr->pkts[sr->next_pkt];
		ret = kmcl_save_driver_state(ch, ip, &drv, &drv_len);
		if (ret)
			return ret;
		lib.save_id = sr->save_id;
		lib.txid = ip->txid;
		lib.flags = ip->comp_requested ? KMCL_SAVE_LIB_COMP : 0;
		lib.pkt_flags = ip->flags;
		lib.index = sr->next_pkt;
		len = kmcl_save_packet_size(drv_len);
		sr->chunk = kvmalloc(len, GFP_KERNEL);
		if (sr->chunk)
			sr->chunk_len = kmcl_save_put_packet(sr->chunk, sr->seq,
							     sr->save_id, &lib,
							     drv, drv_len);
		kvfree(drv);
		if (!sr->chunk)
			return -ENOMEM;
		sr->next_pkt++;
	} else {
		sr->chunk = kvmalloc(kmcl_save_end_size(), GFP_KERNEL);
		if (!sr->chunk)
			return -ENOMEM;
		sr->chunk_len = kmcl_save_put_end(sr->chunk, sr->seq, sr->save_id,
						  sr->npkts);
	}
	sr->seq++;
	return 0;
}

/**
 * kmcl_save_continue() - write the next whole chunks of the saved state
 * @ch: the channel, after kmcl_save_begin(). Process context.
 * @buf: where to write.
 * @size: its size.
 * @filled: bytes written.
 * @required: when not done, bytes the next call needs to make progress.
 *
 * Return: 0 when everything is saved (later calls write nothing and
 * return 0); -EOVERFLOW when some chunks were written and more remain;
 * -ENOBUFS when not even the next chunk fits; -EBADFD without
 * kmcl_save_begin(); the driver's SavePacket error; -ENOMEM.
 */
int kmcl_save_continue(struct kmcl_channel *ch, void *buf, u32 size,
		       u32 *filled, u32 *required)
{
	struct kmcl_save_state *sr;
	int ret = 0;

	might_sleep();
	*filled = 0;
	*required = 0;
	if (kmcl_channel_in_callback(ch))
		return -EBADFD;
	mutex_lock(&ch->state_mutex);
	sr = ch->sr;
	if (!sr || !sr->saving) {
		ret = -EBADFD;
		goto out;
	}
	while (!sr->finished) {
		if (!sr->chunk_len) {
			ret = kmcl_save_build(ch, sr);
			if (ret)
				break;
		}
		if (sr->chunk_len > size - *filled) {
			*required = sr->chunk_len;
			ret = *filled ? -EOVERFLOW : -ENOBUFS;
			break;
		}
		memcpy(buf + *filled, sr->chunk, sr->chunk_len);
		*filled += sr->chunk_len;
		kvfree(sr->chunk);
		sr->chunk = NULL;
		sr->chunk_len = 0;
		sr->finished = sr->seq == sr->npkts + 2;
	}
out:
	mutex_unlock(&ch->state_mutex);
	return ret;
}

/* Commit: the frozen packets leave this channel without a completion. */
static void kmcl_save_commit(struct kmcl_channel *ch, struct kmcl_save_state *sr)
{
	struct kmcl_in *in = &ch->in;
	bool idle;
	u32 i;

	for (i = 0; i < sr->npkts; i++) {
		spin_lock_bh(&in->lock);
		in->outstanding--;
		idle = !in->outstanding;
		spin_unlock_bh(&in->lock);
		kmcl_in_release(sr->pkts[i]);
		if (idle)
			wake_up_all(&in->idle_wq);
	}
	sr->npkts = 0;
	sr->committed = true;
}

/**
 * kmcl_save_end() - end a save
 * @ch: the channel. Process context.
 *
 * After a finished save the channel stays quiet until it is disabled,
 * which hands its connection to the saved state. Otherwise the save is
 * abandoned: the frozen packets go back to the driver, delivery resumes.
 */
void kmcl_save_end(struct kmcl_channel *ch)
{
	struct kmcl_save_state *sr;

	might_sleep();
	if (kmcl_channel_in_callback(ch))
		return;
	mutex_lock(&ch->state_mutex);
	sr = ch->sr;
	if (sr && sr->saving) {
		sr->saving = false;
		kvfree(sr->chunk);
		sr->chunk = NULL;
		sr->chunk_len = 0;
		if (sr->finished) {
			kmcl_save_commit(ch, sr);
		} else {
			kmcl_save_thaw(ch, sr);
			kmcl_save_set_open(ch, true);
			kmcl_out_notify(ch);
			if (sr->was_running && ch->running)
				kmcl_in_start(ch);
			kmcl_save_free(ch);
		}
	}
	mutex_unlock(&ch->state_mutex);
}

/* Undo a failed restore: the restored packets go back to the pool. */
static void kmcl_restore_fail(struct kmcl_channel *ch,
			      struct kmcl_save_state *sr)
{
	struct kmcl_in_packet *ip;
	u32 i;

	for (i = 0; i < sr->nrpkts; i++) {
		ip = xchg(&sr->rpkts[i]->restored, NULL);
		if (!ip)
			continue;
		spin_lock_bh(&ch->in.lock);
		ch->in.outstanding--;
		spin_unlock_bh(&ch->in.lock);
		kmcl_in_release(ip);
	}
	sr->nrpkts = 0;
	sr->restore_failed = true;
}

/* Take the CHANNEL chunk's configuration and build the pools. */
static int kmcl_restore_channel(struct kmcl_channel *ch,
				struct kmcl_save_state *sr,
				const struct kmcl_save_item *it)
{
	const struct kmcl_save_chan *c = &it->chan;
	struct kmcl_channel_config *cfg = &ch->cfg;
	int ret;

	if (c->max_packet_size > KMCL_MAX_PACKET_SIZE ||
	    c->max_packet_count > KMCL_MAX_PACKET_COUNT ||
	    (c->flags & ~KMCL_CH_FLAGS_ALL) ||
	    (c->server_flags & ~KMCL_SRV_FLAGS_ALL) ||
	    ((c->max_ext_data || c->max_ext_chain) &&
	     (!c->max_ext_data || !c->max_ext_chain ||
	      !kmcl_ext_limits_ok(c->max_ext_data, c->max_ext_chain))))
		return -EBADMSG;
	cfg->max_packet_size = c->max_packet_size;
	cfg->max_packet_count = c->max_packet_count;
	cfg->inline_context_size = c->inline_context_size;
	cfg->client_context_size = c->client_context_size;
	cfg->max_ext_data = c->max_ext_data;
	cfg->max_ext_chain = c->max_ext_chain;
	cfg->flags = c->flags;
	cfg->server_flags = c->server_flags;
	cfg->target_vtl = c->target_vtl;
	cfg->mmio_mb = c->mmio_mb;
	cfg->mmio_mb_optional = c->mmio_mb_optional;
	memcpy(&cfg->offer_type, c->offer_type, 16);
	memcpy(&cfg->offer_instance, c->offer_instance, 16);
	cfg->has_offer = true;
	ret = kmcl_out_init(ch);
	if (!ret)
		ret = kmcl_in_init(ch);
	if (ret)
		return ret == -EINVAL ? -EBADMSG : ret;
	ch->resources = true;
	/* Every saved packet gets an object now: restoring one never waits. */
	ret = kmcl_in_reserve(ch, c->packet_count);
	if (ret)
		return ret == -EINVAL ? -EBADMSG : ret;
	sr->rpkts = kvcalloc(c->packet_count + 1, sizeof(*sr->rpkts),
			     GFP_KERNEL);
	if (!sr->rpkts)
		return -ENOMEM;
	sr->save_id = sr->rd.save_id;
	return 0;
}

static int kmcl_restore_packet(struct kmcl_channel *ch,
			       struct kmcl_save_state *sr,
			       const struct kmcl_save_item *it)
{
	const struct kmcl_save_cb_ops *ops = ch->cfg.save_ops;
	int ret;

	if (!ops)
		return -EBADFD;
	sr->cur = it->lib.index;
	sr->cur_done = false;
	sr->restoring = true;
	WRITE_ONCE(ch->cb_task, current);
	ret = ops->restore(ch, (void *)it->lib_buf, KMCL_SAVE_LIB_SIZE,
			   (void *)it->drv, it->drv_len);
	WRITE_ONCE(ch->cb_task, NULL);
	sr->restoring = false;
	if (!ret && !sr->cur_done)
		ret = -EBADFD;	/* the client's transaction would never end */
	return ret;
}

/**
 * kmcl_restore() - restore a fresh server channel from saved chunks
 * @ch: a server channel never enabled. Process context.
 * @buf: whole chunks.
 * @size: their bytes.
 *
 * Return: 0 when the END chunk was read; -EAGAIN when the buffer was
 * good and more chunks are due; -EINVAL for a client; -EBADFD for a
 * channel that is not fresh (enabled once, restored, or a restore of it
 * failed) or packets without a RestorePacket callback or one that did not
 * call VmbPacketRestore(); -EMSGSIZE truncated, -EBADMSG corrupt or out of
 * order, -EPROTONOSUPPORT another version; the driver's error;
 * -EOPNOTSUPP for a channel named as a subchannel (subchannels are not
 * saved). Any error but -EINVAL and -EOPNOTSUPP leaves the channel
 * unusable for restore.
 */
int kmcl_restore(struct kmcl_channel *ch, const void *buf, u32 size)
{
	struct kmcl_save_state *sr;
	struct kmcl_save_item *it;
	u32 off = 0;
	int ret = 0, n;

	might_sleep();
	if (!kmcl_save_loopback_server(ch))
		return -EINVAL;
	if (kmcl_channel_in_callback(ch))
		return -EBADFD;
	it = kmalloc(sizeof(*it), GFP_KERNEL);
	if (!it)
		return -ENOMEM;
	mutex_lock(&ch->state_mutex);
	sr = ch->sr;
	if (ch->cfg.primary) {
		ret = -EOPNOTSUPP;	/* no subchannel in the saved format */
		goto out;
	}
	if (ch->state != KMCL_CH_DISABLED ||
	    (!sr && ch->resources) ||
	    (sr && (sr->restore_failed || sr->rd.done || sr->saving ||
		    sr->committed))) {
		ret = -EBADFD;
		goto out;
	}
	if (!sr) {
		sr = kzalloc(sizeof(*sr), GFP_KERNEL);
		if (!sr) {
			ret = -ENOMEM;
			goto out;
		}
		ch->sr = sr;
	}
	while (off < size && !ret) {
		n = kmcl_save_read(&sr->rd, buf + off, size - off, it);
		if (n < 0) {
			ret = n;
			break;
		}
		off += n;
		if (it->type == KMCL_SAVE_CHANNEL)
			ret = kmcl_restore_channel(ch, sr, it);
		else if (it->type == KMCL_SAVE_PACKET)
			ret = kmcl_restore_packet(ch, sr, it);
		else if (off != size)
			ret = -EBADMSG;	/* nothing may follow END */
	}
	if (ret)
		kmcl_restore_fail(ch, sr);
	else if (!sr->rd.done)
		ret = -EAGAIN;
out:
	mutex_unlock(&ch->state_mutex);
	kfree(it);
	return ret;
}

/**
 * kmcl_packet_restore() - tie a packet object to a saved incoming packet
 * @pkt: a packet from the lookaside, idle, of the channel being restored.
 * @buf: the LibBuf RestorePacket was given.
 * @size: its size.
 *
 * Only from the channel's RestorePacket callback, once per saved packet.
 * The packet object then stands for the incoming packet: the driver
 * completes it with VmbChannelPacketComplete() once the channel is open.
 *
 * Return: 0; -EBADFD outside RestorePacket; -EINVAL for a packet that is
 * not idle or already restored; -EMSGSIZE for a wrong size; -EBADMSG for
 * a record that is not the one RestorePacket was given; -ENOBUFS when no
 * incoming object is free.
 */
int kmcl_packet_restore(struct kmcl_packet *pkt, const void *buf, u32 size)
{
	struct kmcl_channel *ch = pkt->ch;
	struct kmcl_save_state *sr = ch->sr;
	struct kmcl_in *in = &ch->in;
	struct kmcl_in_packet *ip;
	struct kmcl_save_lib lib;
	int ret;

	if (!sr || !sr->restoring || READ_ONCE(ch->cb_task) != current)
		return -EBADFD;
	if (READ_ONCE(pkt->state) != KMCL_PACKET_IDLE || pkt->restored ||
	    pkt->origin != KMCL_PACKET_LOOKASIDE)
		return -EINVAL;
	ret = kmcl_save_get_lib(buf, size, &lib);
	if (ret)
		return ret == -EMSGSIZE ? ret : -EBADMSG;
	if (lib.save_id != sr->save_id || lib.index != sr->cur ||
	    sr->cur_done)
		return -EBADMSG;

	spin_lock_bh(&in->lock);
	ip = kmcl_in_pool_pop(in);
	if (ip) {
		in->outstanding++;
		ip->state = KMCL_IN_HELD;
		ip->comp_requested = lib.flags & KMCL_SAVE_LIB_COMP;
		ip->txid = lib.txid;
		ip->flags = lib.pkt_flags;
		ip->data_off = 0;
		ip->data_len = 0;
		ip->comp_len = 0;
		ip->ext_count = 0;
		ip->ext_chain = NULL;
		ip->xfer_gpadl = NULL;
		if (ip->client_ctx)
			memset(ip->client_ctx, 0, in->ctx_size);
	}
	spin_unlock_bh(&in->lock);
	if (!ip)
		return -ENOBUFS;
	pkt->restored = ip;
	sr->rpkts[sr->nrpkts++] = pkt;
	sr->cur_done = true;
	return 0;
}

/**
 * kmcl_save_restored() - the restored packet behind a completion handle
 * @handle: a VMBPACKETCOMPLETION from the driver.
 *
 * Return: the packet object if @handle is one VmbPacketRestore() tied to
 * an incoming packet not completed yet, else NULL.
 */
struct kmcl_packet *kmcl_save_restored(void *handle)
{
	struct kmcl_packet *pkt = handle;

	return kmcl_packet_valid(pkt) && READ_ONCE(pkt->restored) ? pkt : NULL;
}

/**
 * kmcl_save_complete() - complete (or fail) a restored packet
 * @pkt: from kmcl_save_restored().
 * @buf: completion payload, or NULL.
 * @len: its length.
 * @fail: VmbChannelPacketFail rather than Complete.
 *
 * The completion goes to the client under the saved transaction id, and
 * the packet object goes back to the lookaside. Any context up to softirq.
 *
 * Return: 0; -ENOTCONN before the restored channel is open (nothing
 * happens: complete it later); -EALREADY if it was completed already.
 */
int kmcl_save_complete(struct kmcl_packet *pkt, const void *buf, u32 len,
		       bool fail)
{
	struct kmcl_in_packet *ip;

	if (!kmcl_channel_is_open(pkt->ch))
		return -ENOTCONN;
	ip = xchg(&pkt->restored, NULL);
	if (!ip)
		return -EALREADY;
	if (fail)
		kmcl_in_fail(ip);
	else
		kmcl_in_complete(ip, buf, len);
	kmcl_packet_free(pkt);
	return 0;
}

/**
 * kmcl_save_busy() - may the channel not be paused now?
 * @ch: the channel, state_mutex held.
 *
 * Return: true while a save holds frozen packets (a pause would wait for
 * them for ever).
 */
bool kmcl_save_busy(struct kmcl_channel *ch)
{
	return ch->sr && ch->sr->saving;
}

/**
 * kmcl_save_close() - the channel starts closing
 * @ch: the channel, state_mutex held.
 *
 * A save not committed is abandoned (its packets go back to the driver,
 * which completes them in Suspend as usual). A committed one stays until
 * kmcl_save_destroy() or the next enable: the transport asks
 * kmcl_save_handover() during this close.
 */
void kmcl_save_close(struct kmcl_channel *ch)
{
	struct kmcl_save_state *sr = ch->sr;

	if (!sr || !sr->saving)
		return;
	kmcl_save_thaw(ch, sr);
	kmcl_save_free(ch);
}

/**
 * kmcl_save_destroy() - the channel is cleaned up
 * @ch: the channel.
 */
void kmcl_save_destroy(struct kmcl_channel *ch)
{
	struct kmcl_save_state *sr = ch->sr;

	if (sr && sr->nrpkts)
		kmcl_restore_fail(ch, sr);
	kmcl_save_free(ch);
}

/**
 * kmcl_save_handover() - should the closing channel hand its connection over?
 * @ch: the channel, state_mutex held, closing.
 * @save_id: the committed save's id.
 *
 * Consumes the committed state: asked once per close.
 *
 * Return: true if a committed save owns the connection.
 */
bool kmcl_save_handover(struct kmcl_channel *ch, u64 *save_id)
{
	struct kmcl_save_state *sr = ch->sr;

	if (!sr || !sr->committed)
		return false;
	*save_id = sr->save_id;
	kmcl_save_free(ch);
	return true;
}

/**
 * kmcl_save_restore_id() - at enable: the save this channel was restored from
 * @ch: the channel, state_mutex held.
 * @save_id: its id.
 *
 * Return: 1 for a restored channel (its restore state is dropped, the
 * packets stay with the driver), 0 for any other, -EBADFD while a restore
 * is unfinished or failed.
 */
int kmcl_save_restore_id(struct kmcl_channel *ch, u64 *save_id)
{
	struct kmcl_save_state *sr = ch->sr;

	if (!sr || sr->saving || sr->committed)
		return 0;
	if (!sr->rd.done || sr->restore_failed)
		return -EBADFD;
	*save_id = sr->save_id;
	kmcl_save_free(ch);
	return 1;
}
