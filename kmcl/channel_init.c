// SPDX-License-Identifier: GPL-2.0-only
/*
 * Init-phase setters: they store the channel configuration, and only while
 * the channel is Disabled. Argument ranges are checked by the API boundary,
 * which knows which argument number to report; what is checked here is the
 * state, the kind of endpoint, and rules that depend on what was stored
 * before.
 *
 * Errors: -EBUSY: not Disabled (or called from a state callback); -EPERM:
 * a client-only setter on a server or the other way round; -EEXIST: the
 * value may be set only once; -EINVAL: argument out of range (defensive,
 * for callers other than the boundary); -ENOMEM.
 *
 * All setters are for process context.
 */
#include <linux/cpumask.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kmcl.h"
#include "mdl.h"
#include "pipe.h"

/* Called where it may not sleep (softirq, a completion routine): refused. */
static bool kmcl_cfg_atomic(struct kmcl_channel *ch)
{
	if (kmcl_can_sleep())
		return false;
	pr_warn_once("channel %u: init setter called where it may not sleep (DISPATCH_LEVEL); refused\n",
		     ch->id);
	return true;
}

/* Take the state mutex if @ch may be configured now. */
static int kmcl_cfg_begin(struct kmcl_channel *ch)
{
	if (kmcl_cfg_atomic(ch))
		return -EBUSY;
	might_sleep();
	if (kmcl_channel_in_callback(ch))
		return -EBUSY;
	mutex_lock(&ch->state_mutex);
	if (ch->state != KMCL_CH_DISABLED) {
		mutex_unlock(&ch->state_mutex);
		return -EBUSY;
	}
	return 0;
}

static void kmcl_cfg_end(struct kmcl_channel *ch)
{
	mutex_unlock(&ch->state_mutex);
}

/*
 * Does an incoming packet of @size payload bytes with the largest external
 * data of @ext_size / @ext_chain fit in a VMBus packet? kmcl_in_init() at
 * Enable refuses a configuration where it does not, so the setters refuse
 * it first.
 */
static bool kmcl_cfg_fits(u32 size, u32 ext_size, u32 ext_chain)
{
	struct kmcl_channel_config c = {
		.max_ext_data = ext_size,
		.max_ext_chain = ext_chain,
	};

	return sizeof(struct kmcl_vmpacket_desc) + round_up((u64)size, 8) +
	       kmcl_ext_hdr_size(&c) <= KMCL_WIRE_MAX_PKT_LEN;
}

/* As kmcl_cfg_begin(), for setters of one endpoint kind only. */
static int kmcl_cfg_begin_kind(struct kmcl_channel *ch, bool server)
{
	if (ch->is_server != server)
		return -EPERM;
	return kmcl_cfg_begin(ch);
}

/**
 * kmcl_channel_config_defaults() - fill in the default configuration
 * @cfg: zeroed configuration.
 */
void kmcl_channel_config_defaults(struct kmcl_channel_config *cfg)
{
	cfg->max_packet_size = KMCL_DEFAULT_MAX_PACKET_SIZE;
	cfg->max_packet_count = KMCL_DEFAULT_MAX_PACKET_COUNT;
	cfg->target_cpu = -1;
	cfg->dpc_cpu_percent = 100;
}

/**
 * kmcl_channel_config_release() - free what the configuration owns
 * @cfg: the configuration.
 */
void kmcl_channel_config_release(struct kmcl_channel_config *cfg)
{
	kfree(cfg->friendly_name);
	cfg->friendly_name = NULL;
}

/**
 * kmcl_channel_set_max_packet_size() - largest in-band payload sent
 * @ch: the channel.
 * @size: 1..KMCL_MAX_PACKET_SIZE bytes.
 *
 * Return: 0 or -errno (see the file comment).
 */
int kmcl_channel_set_max_packet_size(struct kmcl_channel *ch, u32 size)
{
	int ret;

	if (!size || size > KMCL_MAX_PACKET_SIZE)
		return -EINVAL;
	ret = kmcl_cfg_begin(ch);
	if (ret)
		return ret;
	/* A pipe's packets carry the pipe header too. */
	if (!kmcl_cfg_fits(size + kmcl_pipe_hdr_len(&ch->cfg),
			   ch->cfg.max_ext_data, ch->cfg.max_ext_chain)) {
		kmcl_cfg_end(ch);
		return -EINVAL;
	}
	ch->cfg.max_packet_size = size;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_channel_set_max_packet_count() - outgoing packets in flight at once
 * @ch: the channel.
 * @count: 1..KMCL_MAX_PACKET_COUNT.
 *
 * Return: 0 or -errno.
 */
int kmcl_channel_set_max_packet_count(struct kmcl_channel *ch, u32 count)
{
	int ret;

	if (!count || count > KMCL_MAX_PACKET_COUNT)
		return -EINVAL;
	ret = kmcl_cfg_begin(ch);
	if (ret)
		return ret;
	ch->cfg.max_packet_count = count;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_channel_set_inline_context_size() - driver area in each packet object
 * @ch: the channel.
 * @size: bytes, 0 for none.
 *
 * Return: 0 or -errno.
 */
int kmcl_channel_set_inline_context_size(struct kmcl_channel *ch, u32 size)
{
	int ret = kmcl_cfg_begin(ch);

	if (ret)
		return ret;
	ch->cfg.inline_context_size = size;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_channel_set_client_context_size() - driver area per incoming packet
 * @ch: the channel.
 * @size: bytes, 0 for none.
 *
 * Return: 0 or -errno.
 */
int kmcl_channel_set_client_context_size(struct kmcl_channel *ch, u32 size)
{
	int ret = kmcl_cfg_begin(ch);

	if (ret)
		return ret;
	ch->cfg.client_context_size = size;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_channel_set_max_external_data() - external data limits
 * @ch: the channel.
 * @size: largest external-data buffer in bytes, > 0.
 * @chain: longest MDL chain of a packet, > 0.
 *
 * Both ends enforce them: a sender lends at most @chain ranges of at most
 * @size bytes in all, a receiver rejects more. The ranges of that much
 * external data must fit in one VMBus packet (kmcl_ext_limits_ok()).
 *
 * Return: 0 or -errno.
 */
int kmcl_channel_set_max_external_data(struct kmcl_channel *ch, u32 size,
				       u32 chain)
{
	int ret;

	if (!size || !chain || !kmcl_ext_limits_ok(size, chain))
		return -EINVAL;
	ret = kmcl_cfg_begin(ch);
	if (ret)
		return ret;
	if (!kmcl_cfg_fits(ch->cfg.max_packet_size + kmcl_pipe_hdr_len(&ch->cfg),
			   size, chain)) {
		kmcl_cfg_end(ch);
		return -EINVAL;
	}
	ch->cfg.max_ext_data = size;
	ch->cfg.max_ext_chain = chain;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_channel_set_bounce_sizes() - bounce pool sizes
 * @ch: the channel.
 * @initial: initial size, multiple of 4 KiB.
 * @increment: growth step, multiple of 4 KiB, 0 = default.
 * @max: largest size, multiple of 4 KiB, 0 = default.
 *
 * Used at enable when the transport isolates the channel (bounce.h);
 * otherwise only kept.
 *
 * Return: 0 or -errno.
 */
int kmcl_channel_set_bounce_sizes(struct kmcl_channel *ch, u32 initial,
				  u32 increment, u32 max)
{
	int ret;

	if (!IS_ALIGNED(initial, KMCL_WIRE_PAGE_SIZE) ||
	    !IS_ALIGNED(increment, KMCL_WIRE_PAGE_SIZE) ||
	    !IS_ALIGNED(max, KMCL_WIRE_PAGE_SIZE))
		return -EINVAL;
	ret = kmcl_cfg_begin(ch);
	if (ret)
		return ret;
	ch->cfg.bounce_initial = initial;
	ch->cfg.bounce_increment = increment;
	ch->cfg.bounce_max = max;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_channel_set_flags() - channel flags
 * @ch: the channel.
 * @flags: KMCL_CH_FLAG_* bits.
 *
 * Pipe mode adds the pipe header to every packet: refused (-EINVAL) when
 * the maximum packet size leaves no room for it in one VMBus packet.
 *
 * Return: 0 or -errno.
 */
int kmcl_channel_set_flags(struct kmcl_channel *ch, u32 flags)
{
	int ret;

	if (flags & ~KMCL_CH_FLAGS_ALL)
		return -EINVAL;
	ret = kmcl_cfg_begin(ch);
	if (ret)
		return ret;
	if ((flags & KMCL_CH_FLAG_PIPE) &&
	    !kmcl_cfg_fits(ch->cfg.max_packet_size + KMCL_PIPE_HDR_LEN,
			   ch->cfg.max_ext_data, ch->cfg.max_ext_chain)) {
		kmcl_cfg_end(ch);
		return -EINVAL;
	}
	ch->cfg.flags = flags;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_channel_set_friendly_name() - name for logs and debugfs
 * @ch: the channel.
 * @name: 1..KMCL_MAX_FRIENDLY_NAME bytes of UTF-8, copied.
 *
 * A channel's name can be set once.
 *
 * Return: 0, -EEXIST if it has a name, or another -errno.
 */
int kmcl_channel_set_friendly_name(struct kmcl_channel *ch, const char *name)
{
	size_t len = name ? strnlen(name, KMCL_MAX_FRIENDLY_NAME + 1) : 0;
	const char *copy;
	int ret;

	if (!len || len > KMCL_MAX_FRIENDLY_NAME)
		return -EINVAL;
	if (kmcl_cfg_atomic(ch))
		return -EBUSY;
	copy = kstrndup(name, len, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	ret = kmcl_cfg_begin(ch);
	if (!ret) {
		if (ch->cfg.friendly_name) {
			ret = -EEXIST;
		} else {
			ch->cfg.friendly_name = copy;
			copy = NULL;
		}
		kmcl_cfg_end(ch);
	}
	kfree(copy);
	return ret;
}

/**
 * kmcl_channel_set_primary() - make @ch a subchannel of @primary
 * @ch: the channel.
 * @primary: an endpoint of the same kind.
 * @index: subchannel index, > 0.
 *
 * A subchannel follows its primary (subchan.c); the primary cannot be
 * cleaned up before @ch.
 *
 * Return: 0, -EEXIST if a primary was set already, -EBUSY for a channel
 * being restored (or whose restore failed), or another -errno.
 */
int kmcl_channel_set_primary(struct kmcl_channel *ch,
			     struct kmcl_channel *primary, u16 index)
{
	int ret;

	if (!primary || primary == ch || primary->is_server != ch->is_server ||
	    !index)
		return -EINVAL;
	ret = kmcl_cfg_begin(ch);
	if (ret)
		return ret;
	if (ch->cfg.primary) {
		ret = -EEXIST;
	} else if (ch->sr) {
		ret = -EBUSY;	/* holds saved state, which has no subchannel */
	} else {
		ch->cfg.primary = primary;
		ch->cfg.subchannel_index = index;
		atomic_inc(&primary->sub_refs);
	}
	kmcl_cfg_end(ch);
	return ret;
}

/**
 * kmcl_channel_set_state_callbacks() - register the driver's state callbacks
 * @ch: the channel.
 * @ops: boundary trampolines that know the driver's calling convention.
 * @fn: the driver's functions, indexed by enum kmcl_state_fn; NULL entries
 *	are skipped.
 * @ctx: context for the trampolines (Ex registration), or NULL.
 *
 * Return: 0 or -errno.
 */
int kmcl_channel_set_state_callbacks(struct kmcl_channel *ch,
				     const struct kmcl_state_cb_ops *ops,
				     void *const fn[KMCL_FN_STATE_COUNT],
				     void *ctx)
{
	int ret;

	if (!ops)
		return -EINVAL;
	ret = kmcl_cfg_begin(ch);
	if (ret)
		return ret;
	ch->cfg.state_ops = ops;
	memcpy(ch->cfg.state_fn, fn, sizeof(ch->cfg.state_fn));
	ch->cfg.state_ctx = ctx;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_channel_set_packet_callbacks() - register ProcessPacket callbacks
 * @ch: the channel.
 * @ex: the functions take a context argument (Ex registration).
 * @process: ProcessPacket, required.
 * @complete: ProcessingComplete, or NULL.
 * @ctx: their context (Ex), or NULL.
 *
 * The latest registration, plain or Ex, replaces the previous one.
 *
 * Return: 0 or -errno.
 */
int kmcl_channel_set_packet_callbacks(struct kmcl_channel *ch, bool ex,
				      void *process, void *complete, void *ctx)
{
	int ret;

	if (!process)
		return -EINVAL;
	ret = kmcl_cfg_begin(ch);
	if (ret)
		return ret;
	ch->cfg.process_packet = process;
	ch->cfg.processing_complete = complete;
	ch->cfg.process_ctx = ctx;
	ch->cfg.process_ex = ex;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_client_set_ring_pages() - ring sizes a client donates
 * @ch: a client channel.
 * @in_pages: pages of the ring the client reads, control page included.
 * @out_pages: pages of the ring the client writes, control page included.
 *
 * Both within KMCL_MIN_RING_PAGES..KMCL_MAX_RING_PAGES. The transport may
 * grow a ring so that the writer's largest packet fits.
 *
 * Return: 0 or -errno.
 */
int kmcl_client_set_ring_pages(struct kmcl_channel *ch, u32 in_pages,
			       u32 out_pages)
{
	int ret;

	if (in_pages < KMCL_MIN_RING_PAGES || in_pages > KMCL_MAX_RING_PAGES ||
	    out_pages < KMCL_MIN_RING_PAGES || out_pages > KMCL_MAX_RING_PAGES)
		return -EINVAL;
	ret = kmcl_cfg_begin_kind(ch, false);
	if (ret)
		return ret;
	ch->cfg.ring_in_pages = in_pages;
	ch->cfg.ring_out_pages = out_pages;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_client_set_target() - what a client opens
 * @ch: a client channel.
 * @type: interface type.
 * @instance: interface instance, or NULL for any instance of @type.
 * @pnp_failure: the driver's PnpFailure callback, or NULL.
 * @call: boundary trampoline for @pnp_failure.
 *
 * Return: 0 or -errno.
 */
int kmcl_client_set_target(struct kmcl_channel *ch, const guid_t *type,
			   const guid_t *instance, void *pnp_failure,
			   void (*call)(struct kmcl_channel *ch, int err))
{
	int ret;

	if (!type)
		return -EINVAL;
	ret = kmcl_cfg_begin_kind(ch, false);
	if (ret)
		return ret;
	ch->cfg.has_target = true;
	ch->cfg.target_type = *type;
	ch->cfg.any_instance = !instance;
	ch->cfg.target_instance = instance ? *instance : guid_null;
	ch->cfg.pnp_failure_fn = pnp_failure;
	ch->cfg.pnp_failure_call = call;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_client_set_target_cpu() - CPU for a client's incoming processing
 * @ch: a client channel.
 * @cpu: a possible CPU's number.
 *
 * Return: 0 or -errno (-EINVAL for a CPU that cannot exist).
 */
int kmcl_client_set_target_cpu(struct kmcl_channel *ch, u32 cpu)
{
	int ret;

	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return -EINVAL;
	ret = kmcl_cfg_begin_kind(ch, false);
	if (ret)
		return ret;
	ch->cfg.target_cpu = cpu;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_server_set_flags() - offer flags
 * @ch: a server channel.
 * @flags: KMCL_SRV_FLAG_* bits (stored; loopback has no guest PnP).
 *
 * Return: 0 or -errno.
 */
int kmcl_server_set_flags(struct kmcl_channel *ch, u32 flags)
{
	int ret;

	if (flags & ~KMCL_SRV_FLAGS_ALL)
		return -EINVAL;
	ret = kmcl_cfg_begin_kind(ch, true);
	if (ret)
		return ret;
	ch->cfg.server_flags = flags;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_server_set_interface_id() - what a server offers
 * @ch: a server channel.
 * @type: interface type.
 * @instance: interface instance.
 *
 * Return: 0 or -errno.
 */
int kmcl_server_set_interface_id(struct kmcl_channel *ch, const guid_t *type,
				 const guid_t *instance)
{
	int ret = kmcl_cfg_begin_kind(ch, true);

	if (ret)
		return ret;
	ch->cfg.has_offer = true;
	ch->cfg.offer_type = *type;
	ch->cfg.offer_instance = *instance;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_server_set_target_vtl() - VTL the offer is made to
 * @ch: a server channel.
 * @vtl: 0 (loopback has only VTL 0).
 *
 * Return: 0; -EINVAL for a VTL above KMCL_MAX_VTL; -EOPNOTSUPP for a valid
 * VTL other than 0; or another -errno.
 */
int kmcl_server_set_target_vtl(struct kmcl_channel *ch, u8 vtl)
{
	int ret;

	if (vtl > KMCL_MAX_VTL)
		return -EINVAL;
	if (vtl)
		return -EOPNOTSUPP;
	ret = kmcl_cfg_begin_kind(ch, true);
	if (ret)
		return ret;
	ch->cfg.target_vtl = vtl;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_server_set_mmio() - MMIO space suggested to the guest
 * @ch: a server channel.
 * @mb: megabytes.
 * @mb_optional: further optional megabytes; not both 0.
 *
 * Stored; loopback has no MMIO, so clients read back zero.
 *
 * Return: 0 or -errno.
 */
int kmcl_server_set_mmio(struct kmcl_channel *ch, u16 mb, u16 mb_optional)
{
	int ret;

	if (!mb && !mb_optional)
		return -EINVAL;
	ret = kmcl_cfg_begin_kind(ch, true);
	if (ret)
		return ret;
	ch->cfg.mmio_mb = mb;
	ch->cfg.mmio_mb_optional = mb_optional;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_server_set_save_callbacks() - register packet save/restore hooks
 * @ch: a server channel.
 * @ops: boundary trampolines.
 * @save: SavePacket.
 * @restore: RestorePacket.
 * @ctx: their context (Ex), or NULL.
 *
 * The latest registration, plain or Ex, replaces the previous one.
 *
 * Return: 0 or -errno.
 */
int kmcl_server_set_save_callbacks(struct kmcl_channel *ch,
				   const struct kmcl_save_cb_ops *ops,
				   void *save, void *restore, void *ctx)
{
	int ret;

	if (!ops || !save || !restore)
		return -EINVAL;
	ret = kmcl_cfg_begin_kind(ch, true);
	if (ret)
		return ret;
	ch->cfg.save_ops = ops;
	ch->cfg.save_fn[0] = save;
	ch->cfg.save_fn[1] = restore;
	ch->cfg.save_ctx = ctx;
	kmcl_cfg_end(ch);
	return 0;
}

/**
 * kmcl_channel_set_dpc_cpu_percent() - allowed share of BH time
 * @ch: the channel.
 * @percent: 1..100 (clamped).
 *
 * A runtime setting (VmbChannelSetAllowableDpcCpuUsage): any state, any
 * context.
 */
void kmcl_channel_set_dpc_cpu_percent(struct kmcl_channel *ch, u8 percent)
{
	WRITE_ONCE(ch->cfg.dpc_cpu_percent, clamp_t(u8, percent, 1, 100));
}
