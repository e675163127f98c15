/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A model of hv_vmbus (and of the Hyper-V host behind it) for the kmcl_hv
 * KUnit suite. It implements struct kmcl_hv_ops in memory, behaving as
 * hv_vmbus 6.12 does (or, by kmcl_hv_model.gen, as the older APIs the
 * compat layer handles; see enum kmcl_hv_model_gen) (drivers/hv/{vmbus_drv,channel,channel_mgmt,
 * ring_buffer}.c), and records every call with its exact arguments.
 *
 * What is modelled, and where it comes from:
 * - Driver matching (vmbus_drv.c:vmbus_match/hv_vmbus_get_id): by
 *   dev_type against the id table, never by instance; a driver_override
 *   limits a device to the named driver, which is then probed with a null
 *   id. Probe sets dev->driver first, as the driver core does; remove runs
 *   on unregistration and on rescind. -ENODEV from registration when the
 *   model has "no VMBus" (vmbus_exists()).
 * - vmbus_open (channel.c): sizes must be PAGE_SIZE multiples, user data
 *   at most MAX_USER_DEFINED_BYTES, -EINVAL if already open, max_pkt_size
 *   0 becomes VMBUS_DEFAULT_MAX_PKT_SIZE, the incoming copy buffer has
 *   max_pkt_size bytes, the host may refuse (-EAGAIN), a rescind while
 *   waiting for the host gives -ENODEV.
 * - Rings (ring_buffer.c): real struct hv_ring_buffer pages; a write
 *   needs more free bytes than packet + 8-byte trailer (-EAGAIN, nothing
 *   written); the transaction id goes on the wire verbatim unless a
 *   request-id callback is set; the host is signalled on the empty to
 *   non-empty transition only when it has not masked interrupts; reads
 *   copy each packet into the max_pkt_size buffer, truncating longer
 *   packets (and then stepping by the truncated length, as hv_vmbus
 *   does); hv_pkt_iter_close() signals the host only on the "not enough
 *   room" to "enough room" transition of its pending_send_sz.
 * - vmbus_sendpacket_mpb_desc: type GPA-direct, flags COMPLETION_REQUESTED
 *   always, rangecount left as the caller set it (6.12.y).
 * - GPADLs: handles from a counter starting at 0xE1E10 (connection.c);
 *   the host may refuse (-EDQUOT); teardown of a rescinded channel returns
 *   0 without the host; "decrypted" stays true if re-encryption failed.
 * - Rescind (channel_mgmt.c:vmbus_onoffer_rescind): callbacks stop,
 *   channel->rescind is set, waiters for the host get -ENODEV, then the
 *   device is unregistered (the driver's remove runs).
 * - Subchannels (channel_mgmt.c:vmbus_process_offer and
 *   vmbus_add_channel_work): an offer with the type and instance of an
 *   offered channel is a subchannel of it, with primary_channel set, no
 *   device of its own and offer.sub_channel_index > 0; the primary's
 *   sc_creation_callback, if set, is called with it in process context.
 *   vmbus_open works on it as on a primary; vmbus_close of a subchannel
 *   does nothing (vmbus_disconnect_ring() refuses a subchannel); closing
 *   the primary closes its open subchannels first. A rescinded subchannel
 *   stops its callbacks and sets rescind; hv_vmbus tells no driver.
 * - The channel callback runs from a per-channel tasklet
 *   (HV_CALL_DIRECT/BATCHED) or with interrupts off (HV_CALL_ISR), on the
 *   CPU the host writes from, until vmbus_channel_set_cpu() (7.3,
 *   vmbus_drv.c; not exported to modules anywhere yet: the model refuses
 *   it with -EOPNOTSUPP unless kmcl_hv_model.set_cpu_ok) moves it: then
 *   on channel->target_cpu (-EINVAL for a CPU that is not online).
 */
#ifndef _KMCL_HV_TESTS_MODEL_H
#define _KMCL_HV_TESTS_MODEL_H

#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/ioport.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "hv_ops.h"

/*
 * Which hv_vmbus API the model behaves as (kmcl_hv_model.gen). kmcl_hv's
 * compat layer is built once per generation for the KUnit module
 * (gen_510.c, gen_514.c); each build runs against the model set to its
 * generation.
 * @KMCL_HV_MODEL_GEN_CURRENT: 5.16 and later (the default): incoming
 *	packets copied out at most max_pkt_size bytes, struct vmbus_gpadl.
 * @KMCL_HV_MODEL_GEN_514: 5.14 and 5.15: copies, GPADLs as u32 handles.
 * @KMCL_HV_MODEL_GEN_510: before 5.14: hv_pkt_iter_first() returns a
 *	pointer into the incoming ring (mapped twice, so a packet that wraps
 *	reads straight on), which the host may rewrite at any time; no
 *	max_pkt_size; u32 GPADL handles.
 */
enum kmcl_hv_model_gen {
	KMCL_HV_MODEL_GEN_CURRENT,
	KMCL_HV_MODEL_GEN_514,
	KMCL_HV_MODEL_GEN_510,
};

/* The calls the model records. */
enum kmcl_hv_mop {
	KMCL_HV_MOP_DRIVER_REGISTER,
	KMCL_HV_MOP_DRIVER_UNREGISTER,
	KMCL_HV_MOP_WATCH_UNBIND,
	KMCL_HV_MOP_UNWATCH_UNBIND,
	KMCL_HV_MOP_OPEN,
	KMCL_HV_MOP_CLOSE,
	KMCL_HV_MOP_SET_CPU,
	KMCL_HV_MOP_SENDPACKET,
	KMCL_HV_MOP_SENDPACKET_MPB,
	KMCL_HV_MOP_SET_PENDING,
	KMCL_HV_MOP_ITER_FIRST,
	KMCL_HV_MOP_ITER_NEXT,
	KMCL_HV_MOP_ITER_CLOSE,
	KMCL_HV_MOP_BEGIN_READ,
	KMCL_HV_MOP_END_READ,
	KMCL_HV_MOP_ESTABLISH_GPADL,
	KMCL_HV_MOP_TEARDOWN_GPADL,
	KMCL_HV_MOP_ALLOCATE_MMIO,
	KMCL_HV_MOP_FREE_MMIO,
	KMCL_HV_MOP_COUNT
};

/* Ranges of a GPA-direct packet the model keeps per call. */
#define KMCL_HV_MODEL_RANGES	4
#define KMCL_HV_MODEL_PFNS	8

/**
 * struct kmcl_hv_mcall - one recorded call
 * @op: which call.
 * @chan: the channel argument, or NULL.
 * @ret: what the model returned (0 for void calls).
 * @u: the arguments, by @op.
 */
struct kmcl_hv_mcall {
	enum kmcl_hv_mop op;
	struct vmbus_channel *chan;
	int ret;
	union {
		struct {
			char name[48];
			guid_t id;
			bool has_suspend;
			bool has_resume;
		} drv;
		struct {
			u32 send_size;
			u32 recv_size;
			u32 userdatalen;
			u8 userdata[16];
			enum hv_callback_mode mode;
			u32 max_pkt_size;
			u32 rqstor_size;
			bool rqstor_cb;
		} open;
		struct {
			u16 type;
			u32 flags;
			u64 requestid;
			u32 len;
		} send;
		struct {
			u32 desc_size;
			u32 rangecount;
			u32 len;
			u64 requestid;
			u32 range_len[KMCL_HV_MODEL_RANGES];
			u32 range_off[KMCL_HV_MODEL_RANGES];
			u64 pfn[KMCL_HV_MODEL_RANGES][KMCL_HV_MODEL_PFNS];
		} mpb;
		u32 size;
		struct {
			void *buffer;
			u32 size;
			u32 handle;
		} gpadl;
		struct {
			resource_size_t min;
			resource_size_t max;
			resource_size_t size;
			resource_size_t align;
			bool fb_overlap_ok;
			resource_size_t start;
		} mmio;
	} u;
};

#define KMCL_HV_MODEL_CALLS	256

struct kmcl_hv_model;

/**
 * struct kmcl_hv_mdev - a VMBus device of the model (an offer)
 * @hdev: the device drivers see; @hdev.channel is @chan.
 * @chan: its primary channel.
 * @node: in kmcl_hv_model.devs.
 * @m: the model.
 * @dev_lock: held around the driver's probe, remove, suspend and resume
 *	(the driver core's device lock).
 * @host_lock: held by the host's calls (kmcl_hv_model_host_*()) while they
 *	use the rings, and around setting @opened: a close frees the rings
 *	only after the host let go of them.
 * @gone: rescinded and unregistered (kept until the model is freed).
 * @driver_override: name of the only driver this device may bind to.
 * @opened: vmbus_open succeeded and vmbus_close did not run yet.
 * @host_wait: completed by the host's answer or by a rescind.
 * @waiting: a call sleeps on @host_wait.
 * @ring_pages: the ring memory (both rings, contiguous like hv_vmbus's).
 * @ring_order: its allocation order.
 * @in_map: before 5.14: the incoming ring mapped twice (vmap), or NULL.
 * @cb: the channel callback given to open.
 * @cb_ctx: its context.
 * @tasklet: runs @cb in DIRECT/BATCHED mode.
 * @rescind_work: runs kmcl_hv_model_rescind() for
 *	kmcl_hv_model_rescind_async().
 * @host_signals: times the guest signalled the host (vmbus_setevent).
 * @guest_signals: times the host interrupted the guest.
 * @close_gate: a held vmbus_close() waits for it
 *	(kmcl_hv_model_close_release()).
 * @closing: a vmbus_close() waits on @close_gate.
 * @closes_done: vmbus_close() calls that returned.
 * @primary: for a subchannel, the device whose channel is its primary;
 *	NULL for a device.
 * @irq_cpu: CPU the host interrupts (set_cpu), or -1: the writer's.
 * @irq_csd: IPI that schedules @tasklet on @irq_cpu.
 * @irq_busy: bit 0 while that IPI is in flight.
 * @cb_cpu: CPU the channel callback last ran on, -1 before.
 * @reading: read batches begun (hv_begin_read) and not ended yet; never
 *	reset by kmcl_hv_model_clear_log(), which may run inside a batch.
 */
struct kmcl_hv_mdev {
	struct hv_device hdev;
	struct vmbus_channel *chan;
	struct list_head node;
	struct kmcl_hv_model *m;
	struct mutex dev_lock;	/* see above */
	spinlock_t host_lock;	/* see above */
	bool gone;
	const char *driver_override;
	bool opened;
	struct completion host_wait;
	bool waiting;
	struct page *ring_pages;
	int ring_order;
	void *in_map;
	void (*cb)(void *ctx);
	void *cb_ctx;
	struct tasklet_struct tasklet;
	struct work_struct rescind_work;
	unsigned int host_signals;
	unsigned int guest_signals;
	struct completion close_gate;
	bool closing;
	atomic_t closes_done;
	struct kmcl_hv_mdev *primary;
	int irq_cpu;
	call_single_data_t irq_csd;
	unsigned long irq_busy;
	int cb_cpu;
	atomic_t reading;
};

/* Shared pages the model tracks at most. */
#define KMCL_HV_MODEL_SHARED	256

/**
 * struct kmcl_hv_model - the model's state and knobs
 * @lock: protects the call log, @mmio and @next_gpadl.
 * @calls: the call log.
 * @ncalls: calls recorded (more than KMCL_HV_MODEL_CALLS are counted only).
 * @bus_lock: protects the lists of devices, drivers and notifiers; never
 *	held while a driver callback runs.
 * @devs: struct kmcl_hv_mdev.
 * @drivers: registered drivers (struct kmcl_hv_mdrv).
 * @nbs: unbind notifiers (struct kmcl_hv_mnb).
 * @no_vmbus: driver registration fails with -ENODEV.
 * @open_result: the host's answer to the next opens (0 or -EAGAIN).
 * @open_hold: opens wait for kmcl_hv_model_host_answer().
 * @gpadl_result: the host's answer to GPADL creation (0 or -EDQUOT).
 * @gpadl_hold: GPADL creation waits for kmcl_hv_model_host_answer().
 * @close_hold: vmbus_close() waits for kmcl_hv_model_close_release()
 *	(before it resets the callback and frees the rings).
 * @reencrypt_fails: GPADL teardown leaves the buffer decrypted.
 * @isolated: is_isolated() answer.
 * @gen: the hv_vmbus API generation modelled (enum kmcl_hv_model_gen);
 *	set before the first open.
 * @mmio_result: vmbus_allocate_mmio() error to return, or 0.
 * @next_gpadl: next GPADL handle.
 * @next_mmio: next MMIO address handed out.
 * @mmio: MMIO ranges handed out and not freed (struct kmcl_hv_mmmio).
 * @async_wq: runs rescinds that must not block the test thread.
 * @ndevs: devices created, for their names.
 * @shared: confidential VMs: PFNs of pages set_decrypted() shared and
 *	set_encrypted() did not take back (cvm_model.c).
 * @nshared: entries of @shared.
 * @encrypt_fails: set_encrypted() fails (the page may stay shared).
 * @set_cpu_ok: vmbus_channel_set_cpu() is available (7.3 semantics);
 *	false: -EOPNOTSUPP, as on every kernel that does not export it.
 * @alloc_buffer: vmbus_alloc_buffer() and caller-decrypted GPADLs exist
 *	(7.3, buf_model.c); false: the older kernels' vzalloc() buffers.
 * @gpadls_established: GPADLs the host accepted.
 * @gpadls_torn_down: teardowns of such GPADLs.
 */
struct kmcl_hv_model {
	spinlock_t lock;	/* see above */
	struct kmcl_hv_mcall calls[KMCL_HV_MODEL_CALLS];
	unsigned int ncalls;
	struct mutex bus_lock;	/* see above */
	struct list_head devs;
	struct list_head drivers;
	struct list_head nbs;
	bool no_vmbus;
	int open_result;
	bool open_hold;
	int gpadl_result;
	bool gpadl_hold;
	bool close_hold;
	bool reencrypt_fails;
	bool isolated;
	int gen;
	int mmio_result;
	u32 next_gpadl;
	resource_size_t next_mmio;
	struct list_head mmio;
	struct workqueue_struct *async_wq;
	unsigned int ndevs;
	unsigned long shared[KMCL_HV_MODEL_SHARED];
	unsigned int nshared;
	bool encrypt_fails;
	bool set_cpu_ok;
	bool alloc_buffer;
	atomic64_t gpadls_established;
	atomic64_t gpadls_torn_down;
};

extern const struct kmcl_hv_ops kmcl_hv_model_ops;

/* cvm_model.c: page visibility in a confidential VM. */
int kmcl_hv_model_set_decrypted(struct page *page);
int kmcl_hv_model_set_encrypted(struct page *page);
bool kmcl_hv_model_is_shared(struct kmcl_hv_model *m, u64 hvpfn);

/* buf_model.c: buffers for the GPADLs KMCL owns. */
int kmcl_hv_model_alloc_buffer(struct vmbus_channel *c, u32 size,
			       struct kmcl_hv_buffer *b);
void kmcl_hv_model_free_buffer(struct kmcl_hv_buffer *b);
int kmcl_hv_model_establish_caller_decrypted(struct vmbus_channel *c,
					     struct kmcl_hv_buffer *b,
					     u32 size,
					     struct kmcl_hv_gpadl *gp);

int kmcl_hv_model_init(struct kmcl_hv_model *m);
void kmcl_hv_model_destroy(struct kmcl_hv_model *m);
struct kmcl_hv_model *kmcl_hv_model_current(void);

/* The bus. */
struct kmcl_hv_mdev *kmcl_hv_model_add(struct kmcl_hv_model *m,
				       const guid_t *type,
				       const guid_t *instance,
				       u16 mmio_mb);
struct kmcl_hv_mdev *kmcl_hv_model_add_unbound(struct kmcl_hv_model *m,
					       const guid_t *type,
					       const guid_t *instance);
bool kmcl_hv_model_reprobe(struct kmcl_hv_mdev *md);
void kmcl_hv_model_rescind(struct kmcl_hv_mdev *md);
void kmcl_hv_model_rescind_async(struct kmcl_hv_mdev *md);
void kmcl_hv_model_flush(struct kmcl_hv_model *m);
int kmcl_hv_model_suspend(struct kmcl_hv_mdev *md);
int kmcl_hv_model_resume(struct kmcl_hv_mdev *md);
int kmcl_hv_model_unbind_external(struct kmcl_hv_mdev *md);
bool kmcl_hv_model_bound_to(struct kmcl_hv_mdev *md, const char *drv_name);
void kmcl_hv_model_host_answer(struct kmcl_hv_mdev *md);
void kmcl_hv_model_close_release(struct kmcl_hv_mdev *md);
bool kmcl_hv_model_host_waiting(struct kmcl_hv_mdev *md);
struct kmcl_hv_mdev *kmcl_hv_model_offer_sub(struct kmcl_hv_mdev *primary,
					     struct kmcl_hv_mdev *via,
					     u16 index);
void kmcl_hv_model_rescind_sub(struct kmcl_hv_mdev *sub);

/* The host's side of the rings. */
int kmcl_hv_model_host_send(struct kmcl_hv_mdev *md, u16 type, u16 flags,
			    u64 trans_id, const void *data, u32 len);
int kmcl_hv_model_host_write_raw(struct kmcl_hv_mdev *md, const void *pkt,
				 u32 len);
int kmcl_hv_model_host_recv(struct kmcl_hv_mdev *md, void *buf, u32 buflen,
			    u32 *len);
u32 kmcl_hv_model_host_pending(struct kmcl_hv_mdev *md);

/* The GPADL calls of hv_vmbus before 5.16 (u32 handles). */
int kmcl_hv_model_vmbus_establish_gpadl_u32(struct vmbus_channel *c,
					    void *buf, u32 size, u32 *handle);
int kmcl_hv_model_vmbus_teardown_gpadl_u32(struct vmbus_channel *c,
					   u32 handle);

/* The call log. */
unsigned int kmcl_hv_model_count(struct kmcl_hv_model *m,
				 enum kmcl_hv_mop op);
bool kmcl_hv_model_call(struct kmcl_hv_model *m, enum kmcl_hv_mop op,
			unsigned int nth, struct kmcl_hv_mcall *out);
void kmcl_hv_model_clear_log(struct kmcl_hv_model *m);

#endif /* _KMCL_HV_TESTS_MODEL_H */
