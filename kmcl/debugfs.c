// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs view of the channels: /sys/kernel/debug/kmcl/<name>/{state,counters}.
 *
 * <name> is the channel's friendly name (with '/' replaced), or
 * "channel-<id>"; if that name is taken, "-<id>" is appended. A channel's
 * directory exists while it is enabled. The files read the channel without
 * its state mutex (only READ_ONCE snapshots), because the directory is
 * removed with that mutex held.
 */
#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "kmcl.h"

static struct dentry *kmcl_debugfs_root;
static DEFINE_MUTEX(kmcl_debugfs_lock);

static int kmcl_debugfs_state_show(struct seq_file *m, void *unused)
{
	struct kmcl_channel *ch = m->private;
	unsigned long flags;
	guid_t instance;
	int fail_err;
	bool open;

	spin_lock_irqsave(&ch->lock, flags);
	instance = ch->instance;
	fail_err = ch->fail_err;
	open = ch->open;
	spin_unlock_irqrestore(&ch->lock, flags);

	seq_printf(m, "role: %s\n", ch->is_server ? "server" : "client");
	seq_printf(m, "state: %s\n",
		   kmcl_channel_state_name(READ_ONCE(ch->state)));
	seq_printf(m, "run: %s\n", READ_ONCE(ch->running) ? "active" :
		   READ_ONCE(ch->started) ? "started" : "paused");
	seq_printf(m, "open: %d\n", open);
	seq_printf(m, "transport: %s\n", ch->tops->name);
	seq_printf(m, "interface_type: %pUl\n", ch->is_server ?
		   &ch->cfg.offer_type : &ch->cfg.target_type);
	seq_printf(m, "interface_instance: %pUl\n", &instance);
	seq_printf(m, "max_packet_size: %u\n", ch->cfg.max_packet_size);
	seq_printf(m, "max_packet_count: %u\n", ch->cfg.max_packet_count);
	seq_printf(m, "failed: %d\n", fail_err);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kmcl_debugfs_state);

static int kmcl_debugfs_counters_show(struct seq_file *m, void *unused)
{
	struct kmcl_stats st = { };

	kmcl_packet_stats(m->private, &st);
	seq_printf(m, "sent: %llu\n", st.sent);
	seq_printf(m, "completed: %llu\n", st.completed);
	seq_printf(m, "received: %llu\n", st.received);
	seq_printf(m, "completions_sent: %llu\n", st.completions_sent);
	seq_printf(m, "rejected: %llu\n", st.rejected);
	seq_printf(m, "rejected_by_reason: oversize %llu malformed %llu type %llu bad_id %llu ext_limits %llu ext_data %llu\n",
		   st.rejected_oversize, st.rejected_malformed, st.rejected_type,
		   st.rejected_bad_id, st.rejected_ext_limits,
		   st.rejected_ext_data);
	seq_printf(m, "late_completions: %llu\n", st.comp_late);
	seq_printf(m, "budget_yields: %llu\n", st.budget_yields);
	seq_printf(m, "dpc_capped: %llu\n", st.dpc_capped);
	seq_printf(m, "queued: %llu\n", st.queued);
	seq_printf(m, "quota_blocked: %llu\n", st.quota_blocked);
	seq_printf(m, "incoming_pool: objects %u of %u grows %llu failed %llu blocked %llu\n",
		   st.in_objs, st.in_max, st.in_grows, st.in_grow_failed,
		   st.in_pool_blocked);
	seq_printf(m, "external_data: sent %llu received %llu rejected %llu dropped %llu lent_waits %llu\n",
		   st.ext_sent, st.ext_received, st.ext_rejected, st.ext_dropped,
		   st.lent_waits);
	kmcl_bounce_show(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kmcl_debugfs_counters);

/**
 * kmcl_debugfs_add() - create the channel's directory
 * @ch: an enabling channel; its state mutex is held.
 *
 * Failure is not an error: the channel works without its debugfs view.
 */
void kmcl_debugfs_add(struct kmcl_channel *ch)
{
	char name[KMCL_MAX_FRIENDLY_NAME + 16];
	struct dentry *dir, *old;

	if (IS_ERR_OR_NULL(kmcl_debugfs_root) || ch->debugfs)
		return;
	if (ch->cfg.friendly_name)
		strscpy(name, ch->cfg.friendly_name, sizeof(name));
	else
		snprintf(name, sizeof(name), "channel-%u", ch->id);
	strreplace(name, '/', '_');

	mutex_lock(&kmcl_debugfs_lock);
	old = debugfs_lookup(name, kmcl_debugfs_root);
	if (old) {
		dput(old);
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
			 "-%u", ch->id);
	}
	dir = debugfs_create_dir(name, kmcl_debugfs_root);
	mutex_unlock(&kmcl_debugfs_lock);
	if (IS_ERR_OR_NULL(dir))
		return;
	debugfs_create_file("state", 0444, dir, ch, &kmcl_debugfs_state_fops);
	debugfs_create_file("counters", 0444, dir, ch,
			    &kmcl_debugfs_counters_fops);
	ch->debugfs = dir;
}

/**
 * kmcl_debugfs_remove() - remove the channel's directory, if any
 * @ch: the channel. Waits for readers of its files to finish.
 */
void kmcl_debugfs_remove(struct kmcl_channel *ch)
{
	struct dentry *dir = ch->debugfs;

	ch->debugfs = NULL;
	debugfs_remove(dir);
}

/**
 * kmcl_debugfs_dir() - the channel's debugfs directory (for tests)
 * @ch: the channel.
 *
 * Return: the directory dentry, or NULL while disabled or without debugfs.
 */
struct dentry *kmcl_debugfs_dir(struct kmcl_channel *ch)
{
	return ch->debugfs;
}

KMCL_EXPORT_FOR_TESTS(kmcl_debugfs_dir);

/**
 * kmcl_debugfs_init() - create /sys/kernel/debug/kmcl
 *
 * Return: 0 (a missing debugfs is not an error).
 */
int kmcl_debugfs_init(void)
{
	kmcl_debugfs_root = debugfs_create_dir("kmcl", NULL);
	return 0;
}

/**
 * kmcl_debugfs_exit() - remove /sys/kernel/debug/kmcl
 */
void kmcl_debugfs_exit(void)
{
	debugfs_remove(kmcl_debugfs_root);
	kmcl_debugfs_root = NULL;
}
