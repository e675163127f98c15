/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmcl_hv: every difference between the hv_vmbus APIs of the kernels we
 * build for (5.10 to 6.12, stable and distribution kernels included) lives
 * here and nowhere else.
 *
 * The differences are decided by feature probes (kmcl/hv/probe.sh, run by
 * Kbuild against the target kernel), which pass -DKMCL_HV_HAVE_<FEATURE>
 * for each feature that compiles. Kernel version numbers are not used:
 * stable and distribution kernels carry backports (Debian's 5.10 has the
 * 5.11 request-id code, Debian's 6.1 lost vmbus_sendpacket_pagebuffer()),
 * so the same version number comes with different APIs.
 *
 * Features (probe name: meaning where present / what we do where absent):
 *   BASELINE: every call kmcl_hv makes that never changed; absent = kernel
 *	not supported (build error below).
 *   MPB_DESC: vmbus_sendpacket_mpb_desc() with its 4.19..6.12 prototype.
 *   VMBUS_GPADL (5.16): GPADLs are a struct vmbus_gpadl; before, a u32.
 *   GPADL_DECRYPTED (6.9, stable 6.1.91/6.6.31/6.8.10): teardown reports
 *	whether the buffer is still shared with the host (must be leaked).
 *   SENDPACKET_PAGEBUFFER: where it exists, vmbus_sendpacket_mpb_desc()
 *	overwrites rangecount with 1 (the two changed in one series and
 *	travelled together into every stable tree seen), so GPA-direct
 *	packets carry one range only.
 *   REMOVE_VOID (6.3): hv_driver.remove returns void, not int.
 *   DRIVER_PM (5.4): hv_driver.suspend/.resume (hibernation).
 *   MAX_PKT_SIZE (5.14): incoming packets are copied out of the ring into
 *	a buffer of channel->max_pkt_size bytes; longer ones are truncated.
 *   RQSTOR_SIZE (5.11, stable 5.10): the kernel's request-id table, off
 *	while rqstor_size is 0.
 *   RQSTOR_CALLBACKS (5.14): the request-id callbacks (left NULL).
 *   LOW_LATENCY: channel->low_latency (signal without the monitor page).
 *   HV_IS_ISOLATION: hv_is_isolation_supported() (confidential VMs).
 *   CO_FLAGS (7.x): channel->co_ring_buffer/co_external_memory, the
 *	confidential-channel offer flags (a paravisor's VMBus keeps those
 *	encrypted); absent = never set.
 *   GPADL_CALLER_DECRYPTED (7.3, exported): a GPADL over a buffer the
 *	caller made host-visible itself (vmbus_alloc_buffer()).
 *   ALLOC_BUFFER (7.3, exported): vmbus_alloc_buffer()/vmbus_free_buffer();
 *	absent = vzalloc()/vfree() (vmbus_establish_gpadl() then decrypts in
 *	place, as before).
 *   CHANNEL_SET_CPU (exported): vmbus_channel_set_cpu(). 7.3 declares it
 *	but does not export it (and wants hv_vmbus's private channel_mutex),
 *	so there the host's CPU choice stays.
 *   SET_MEMORY_DECRYPTED: set_memory_decrypted()/encrypted() (bounce pool).
 * Probes marked "exported" also require the symbol in Module.symvers, so
 * they fail in an in-tree build (no Module.symvers yet): fallbacks apply.
 */
#ifndef _KMCL_HV_COMPAT_H
#define _KMCL_HV_COMPAT_H

#include <linux/cpu.h>
#include <linux/device.h>
#include <linux/hyperv.h>
#include <linux/kmemleak.h>
#include <linux/types.h>
#include <linux/vmalloc.h>

#ifdef KMCL_HV_HAVE_HV_IS_ISOLATION
#include <asm/mshyperv.h>
#endif
#ifdef KMCL_HV_HAVE_SET_MEMORY_DECRYPTED
#include <linux/set_memory.h>
#endif
#include <linux/mm.h>

#ifndef KMCL_HV_HAVE_BASELINE
#error "kmcl_hv: hv_vmbus lacks calls kmcl_hv needs (probe BASELINE, kmcl/hv/probe.sh)"
#endif
#ifndef KMCL_HV_HAVE_MPB_DESC
#error "kmcl_hv: vmbus_sendpacket_mpb_desc() is missing or has an unknown prototype"
#endif
#ifndef KMCL_HV_HAVE_DRIVER_PM
#error "kmcl_hv: hv_driver has no suspend/resume (kernel older than 5.4)"
#endif

/*
 * Transaction ids that Hyper-V or hv_vmbus give a meaning to: 0 (Hyper-V
 * sends unsolicited packets with it and never completes requests carrying
 * it) and the top four u64 values (hv_vmbus's VMBUS_NO_RQSTOR,
 * VMBUS_RQST_ERROR, VMBUS_RQST_ID_NO_RESPONSE/VMBUS_RQST_INIT and
 * VMBUS_RQST_RESET). KMCL never puts them on the wire.
 */
#define KMCL_HV_TXID_RESERVED_TOP	(U64_MAX - 3)

static inline bool kmcl_hv_txid_usable(u64 id)
{
	return id && id < KMCL_HV_TXID_RESERVED_TOP;
}

/* --- hv_driver.remove ---------------------------------------------------- */

/* kmcl_hv's remove work, in offer.c; kmcl_hv_driver_remove() calls it. */
void kmcl_hv_offer_remove(struct hv_device *hdev);

/*
 * kmcl_hv_driver_remove() - hv_driver.remove with this kernel's prototype
 * @hdev: the device being removed.
 */
#ifdef KMCL_HV_HAVE_REMOVE_VOID
static inline void kmcl_hv_driver_remove(struct hv_device *hdev)
{
	kmcl_hv_offer_remove(hdev);
}
#else
static inline int kmcl_hv_driver_remove(struct hv_device *hdev)
{
	kmcl_hv_offer_remove(hdev);
	return 0;
}
#endif

/* --- channel settings made before vmbus_open() -------------------------- */

/* The kernel's own copy limit (5.14+); the same value where it has none. */
#ifdef VMBUS_DEFAULT_MAX_PKT_SIZE
#define KMCL_HV_DEFAULT_MAX_PKT_SIZE	VMBUS_DEFAULT_MAX_PKT_SIZE
#else
#define KMCL_HV_DEFAULT_MAX_PKT_SIZE	4096U
#endif

/**
 * kmcl_hv_set_max_pkt_size() - size the kernel's copy of incoming packets
 * @c: a channel that is not open.
 * @size: longest incoming packet, descriptor and headers included.
 *
 * Return: true if this kernel copies incoming packets (and so truncates
 * longer ones to @size); false if it hands out pointers into the ring and
 * has no limit to set.
 */
static inline bool kmcl_hv_set_max_pkt_size(struct vmbus_channel *c, u32 size)
{
#ifdef KMCL_HV_HAVE_MAX_PKT_SIZE
	c->max_pkt_size = size;
	return true;
#else
	return false;
#endif
}

/**
 * kmcl_hv_max_pkt_size() - the copy limit the kernel will use
 * @c: a channel.
 *
 * Return: channel->max_pkt_size, or 0 where the kernel does not copy.
 */
static inline u32 kmcl_hv_max_pkt_size(const struct vmbus_channel *c)
{
#ifdef KMCL_HV_HAVE_MAX_PKT_SIZE
	return c->max_pkt_size;
#else
	return 0;
#endif
}

/**
 * kmcl_hv_requestor_off() - make hv_vmbus send our transaction ids verbatim
 * @c: a channel that is not open.
 *
 * With no request-id table (rqstor_size 0) and no id callback, every
 * kernel writes the requestid argument of vmbus_sendpacket*() unchanged
 * into the descriptor and leaves incoming completion ids alone.
 */
static inline void kmcl_hv_requestor_off(struct vmbus_channel *c)
{
#ifdef KMCL_HV_HAVE_RQSTOR_SIZE
	c->rqstor_size = 0;
#endif
#ifdef KMCL_HV_HAVE_RQSTOR_CALLBACKS
	c->next_request_id_callback = NULL;
	c->request_addr_callback = NULL;
#endif
}

/**
 * kmcl_hv_requestor_is_off() - check kmcl_hv_requestor_off()'s settings
 * @c: a channel.
 *
 * Return: true if hv_vmbus will not translate transaction ids.
 */
static inline bool kmcl_hv_requestor_is_off(const struct vmbus_channel *c)
{
	bool off = true;

#ifdef KMCL_HV_HAVE_RQSTOR_SIZE
	off = off && !c->rqstor_size;
#endif
#ifdef KMCL_HV_HAVE_RQSTOR_CALLBACKS
	off = off && !c->next_request_id_callback;
#endif
	return off;
}

/**
 * kmcl_hv_set_sc_callback() - be told of the subchannels of @primary
 * @primary: an open primary channel.
 * @cb: called in process context for each subchannel offer, or NULL.
 *
 * vmbus_set_sc_create_callback() has had this form on every supported
 * kernel (5.10 .. 7.3): no context argument, the new subchannel's
 * primary_channel names its primary. vmbus_close() of the primary clears
 * it again (vmbus_reset_channel_cb()).
 */
static inline void
kmcl_hv_set_sc_callback(struct vmbus_channel *primary,
			void (*cb)(struct vmbus_channel *sc))
{
	vmbus_set_sc_create_callback(primary, cb);
}

/**
 * kmcl_hv_set_low_latency() - signal the host directly, not through MNF
 * @c: a channel.
 * @on: bypass the monitor page.
 *
 * Return: 0, or -EOPNOTSUPP where the kernel has no such switch.
 */
static inline int kmcl_hv_set_low_latency(struct vmbus_channel *c, bool on)
{
#ifdef KMCL_HV_HAVE_LOW_LATENCY
	WRITE_ONCE(c->low_latency, on);
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

/**
 * kmcl_hv_isolated() - is this a confidential (SNP/TDX isolated) VM?
 *
 * Return: true in an isolated VM; false where the kernel cannot run as
 * one.
 */
static inline bool kmcl_hv_isolated(void)
{
#ifdef KMCL_HV_HAVE_HV_IS_ISOLATION
	return hv_is_isolation_supported();
#else
	return false;
#endif
}

/**
 * kmcl_hv_set_decrypted() - make a page visible to the host
 * @page: a lowmem page KMCL owns.
 *
 * What hv_vmbus does for its own GPADL buffers in an isolated VM.
 *
 * Return: 0 or -errno; -EOPNOTSUPP where the kernel has no such call (it
 * cannot run as a confidential VM either).
 */
static inline int kmcl_hv_set_decrypted(struct page *page)
{
#ifdef KMCL_HV_HAVE_SET_MEMORY_DECRYPTED
	return set_memory_decrypted((unsigned long)page_address(page), 1);
#else
	return -EOPNOTSUPP;
#endif
}

/**
 * kmcl_hv_set_encrypted() - take a page back from the host
 * @page: a page kmcl_hv_set_decrypted() shared.
 *
 * Return: 0 or -errno: on error the page may still be shared and must be
 * leaked.
 */
static inline int kmcl_hv_set_encrypted(struct page *page)
{
#ifdef KMCL_HV_HAVE_SET_MEMORY_DECRYPTED
	return set_memory_encrypted((unsigned long)page_address(page), 1);
#else
	return -EOPNOTSUPP;
#endif
}

/* --- GPA-direct packets -------------------------------------------------- */

/*
 * Ranges one vmbus_sendpacket_mpb_desc() packet may carry. Where the
 * kernel forces rangecount to 1, only one; elsewhere as many as fit.
 */
#ifdef KMCL_HV_HAVE_SENDPACKET_PAGEBUFFER
#define KMCL_HV_MPB_MAX_RANGES		1U
#else
#define KMCL_HV_MPB_MAX_RANGES		U32_MAX
#endif

/* --- GPADLs -------------------------------------------------------------- */

/**
 * struct kmcl_hv_gpadl - a GPADL as this kernel describes it
 * @g: the kernel's descriptor (5.16+).
 * @handle: the handle (before 5.16).
 * @buffer: the guest buffer.
 * @size: its size in bytes, a multiple of PAGE_SIZE.
 * @leak: after teardown: the buffer may still be visible to the host and
 *	must never go back to the page allocator.
 */
struct kmcl_hv_gpadl {
#ifdef KMCL_HV_HAVE_VMBUS_GPADL
	struct vmbus_gpadl g;
#else
	u32 handle;
#endif
	void *buffer;
	u32 size;
	bool leak;
	bool caller_decrypted;
};

/**
 * kmcl_hv_gpadl_handle() - the GPADL handle the host knows
 * @gp: an established GPADL.
 *
 * Return: the handle, 0 if none.
 */
static inline u32 kmcl_hv_gpadl_handle(const struct kmcl_hv_gpadl *gp)
{
#ifdef KMCL_HV_HAVE_VMBUS_GPADL
	return gp->g.gpadl_handle;
#else
	return gp->handle;
#endif
}

/**
 * kmcl_hv_establish_gpadl() - vmbus_establish_gpadl() on any kernel
 * @c: an open channel.
 * @buf: page-aligned buffer (kmalloc, alloc_pages or vmalloc memory).
 * @size: its size, a multiple of PAGE_SIZE.
 * @gp: receives the GPADL.
 *
 * Process context; sleeps until the host answers (rescind wakes it).
 *
 * Return: 0 or hv_vmbus's error (-EDQUOT: the host refused, -ENODEV:
 * rescinded, -ENOMEM, ...). On error @gp->leak says whether @buf must be
 * leaked (its visibility to the host is unknown).
 */
static inline int kmcl_hv_establish_gpadl(struct vmbus_channel *c, void *buf,
					  u32 size, struct kmcl_hv_gpadl *gp)
{
	int ret;

	memset(gp, 0, sizeof(*gp));
	gp->buffer = buf;
	gp->size = size;
#ifdef KMCL_HV_HAVE_VMBUS_GPADL
	ret = vmbus_establish_gpadl(c, buf, size, &gp->g);
#ifdef KMCL_HV_HAVE_GPADL_DECRYPTED
	gp->leak = ret && gp->g.decrypted;
#else
	/* No way to know: in an isolated VM assume the worst. */
	gp->leak = ret && kmcl_hv_isolated();
#endif
#else
	ret = vmbus_establish_gpadl(c, buf, size, &gp->handle);
	gp->leak = false;
#endif
	return ret;
}

/**
 * kmcl_hv_teardown_gpadl() - vmbus_teardown_gpadl() on any kernel
 * @c: the channel the GPADL was established on.
 * @gp: the GPADL.
 *
 * Process context. Afterwards @gp->leak tells whether the buffer must be
 * leaked instead of freed (still shared with the host).
 *
 * Return: hv_vmbus's result (0 also when the channel was rescinded).
 */
static inline int kmcl_hv_teardown_gpadl(struct vmbus_channel *c,
					 struct kmcl_hv_gpadl *gp)
{
	int ret;

#ifdef KMCL_HV_HAVE_VMBUS_GPADL
	ret = vmbus_teardown_gpadl(c, &gp->g);
#ifdef KMCL_HV_HAVE_GPADL_DECRYPTED
	/* A caller-decrypted buffer's g.decrypted is always false. */
	gp->leak = gp->g.decrypted || (ret && gp->caller_decrypted);
#else
	gp->leak = ret && kmcl_hv_isolated();
#endif
#else
	ret = vmbus_teardown_gpadl(c, gp->handle);
	if (!ret)
		gp->handle = 0;
	gp->leak = false;
#endif
	return ret;
}

/* --- reading the incoming ring ----------------------------------------- */

/**
 * kmcl_hv_inbound_copy_limit() - most bytes a packet at the read position
 *	may have
 * @c: an open channel, read by the caller's context only.
 *
 * Where the kernel copies packets out (5.14+), hv_pkt_iter_first() has
 * already limited the packet to its copy buffer. Before that it returns a
 * pointer into the ring, whose length field the host controls: the limit
 * is then what the host has written after our read position.
 *
 * Return: the limit in bytes.
 */
static inline u32 kmcl_hv_inbound_copy_limit(const struct vmbus_channel *c)
{
#ifdef KMCL_HV_HAVE_MAX_PKT_SIZE
	return c->inbound.pkt_buffer_size;
#else
	const struct hv_ring_buffer_info *rbi = &c->inbound;
	u32 rd = rbi->priv_read_index;
	u32 wr = READ_ONCE(rbi->ring_buffer->write_index);

	if (wr >= rbi->ring_datasize || rd >= rbi->ring_datasize)
		return 0;
	return wr >= rd ? wr - rd : rbi->ring_datasize - rd + wr;
#endif
}

/* --- confidential channels (7.x) -------------------------------------- */

/**
 * kmcl_hv_co_ring_buffer() - does the host leave this channel's rings
 *	encrypted (a paravisor-provided, confidential channel)?
 * @c: an offered channel.
 *
 * Return: the offer's flag; false where the kernel has none.
 */
static inline bool kmcl_hv_co_ring_buffer(const struct vmbus_channel *c)
{
#ifdef KMCL_HV_HAVE_CO_FLAGS
	return c->co_ring_buffer;
#else
	return false;
#endif
}

/**
 * kmcl_hv_co_external_memory() - does memory described to the host by
 *	GPADLs and GPA-direct ranges stay encrypted on this channel?
 * @c: an offered channel.
 *
 * Return: the offer's flag; false where the kernel has none.
 */
static inline bool kmcl_hv_co_external_memory(const struct vmbus_channel *c)
{
#ifdef KMCL_HV_HAVE_CO_FLAGS
	return c->co_external_memory;
#else
	return false;
#endif
}

/**
 * kmcl_hv_external_shared() - must memory described to the host on @c be
 *	host-visible (decrypted by hv_vmbus, bounced by KMCL)?
 * @c: an offered channel.
 * @isolated: the VM is isolated (hv_is_isolation_supported()).
 *
 * A paravisor's confidential channel (co_external_memory, 7.x) reads
 * GPADL buffers and GPA-direct ranges encrypted: hv_vmbus then leaves a
 * GPADL buffer as it is, so the driver's own memory may be described and
 * nothing needs leaking.
 *
 * Return: @isolated, unless the offer keeps external memory encrypted.
 */
static inline bool kmcl_hv_external_shared(const struct vmbus_channel *c,
					   bool isolated)
{
	return isolated && !kmcl_hv_co_external_memory(c);
}

/**
 * kmcl_hv_set_co_flags() - record an offer's confidential-channel flags
 * @c: a channel being offered (not open).
 * @ring: the host keeps the rings encrypted.
 * @external: the host reads external memory encrypted.
 *
 * What vmbus_onoffer() does with the offer's flags; for a model of
 * hv_vmbus.
 *
 * Return: true if the kernel has the flags (and they were set).
 */
static inline bool kmcl_hv_set_co_flags(struct vmbus_channel *c, bool ring,
					bool external)
{
#ifdef KMCL_HV_HAVE_CO_FLAGS
	c->co_ring_buffer = ring;
	c->co_external_memory = external;
	return true;
#else
	return false;
#endif
}

/* 7.3's buffers come with GPADLs that leave their visibility alone. */
#if defined(KMCL_HV_HAVE_ALLOC_BUFFER) && defined(KMCL_HV_HAVE_GPADL_CALLER_DECRYPTED)
#define KMCL_HV_USE_ALLOC_BUFFER
#endif

/**
 * struct kmcl_hv_buffer - a buffer the host may see, from kmcl_hv_alloc_buffer()
 * @addr: its (virtually contiguous) address, NULL if none.
 * @chunks: the kernel's chunk list (7.3+), NULL for a plain vmalloc buffer.
 * @nchunks: entries in @chunks.
 */
struct kmcl_hv_buffer {
	void *addr;
	struct page **chunks;
	u32 nchunks;
};

/**
 * kmcl_hv_alloc_buffer() - zeroed memory for a GPADL on @c
 * @c: the channel the GPADL will belong to.
 * @size: bytes; rounded up to whole pages.
 * @b: receives the buffer.
 *
 * Where the kernel has vmbus_alloc_buffer(), the buffer is already
 * host-visible in a confidential VM (unless @c keeps external memory
 * encrypted) and goes with kmcl_hv_establish_gpadl_caller_decrypted().
 * Elsewhere it is vzalloc() memory for kmcl_hv_establish_gpadl().
 * Process context.
 *
 * Return: 0 or -ENOMEM.
 */
static inline int kmcl_hv_alloc_buffer(struct vmbus_channel *c, u32 size,
				       struct kmcl_hv_buffer *b)
{
	memset(b, 0, sizeof(*b));
#ifdef KMCL_HV_USE_ALLOC_BUFFER
	b->addr = vmbus_alloc_buffer(c, size, &b->chunks, &b->nchunks);
#else
	b->addr = size ? vzalloc(PAGE_ALIGN(size)) : NULL;
#endif
	return b->addr ? 0 : -ENOMEM;
}

/**
 * kmcl_hv_free_buffer() - free a kmcl_hv_alloc_buffer() buffer
 * @b: the buffer; no GPADL may describe it any more (and none whose
 *	teardown said to leak it).
 *
 * In a confidential VM the kernel makes the pages private again first and
 * leaks any it cannot. Process context.
 */
static inline void kmcl_hv_free_buffer(struct kmcl_hv_buffer *b)
{
#ifdef KMCL_HV_USE_ALLOC_BUFFER
	vmbus_free_buffer(b->addr, b->chunks, b->nchunks);
#else
	vfree(b->addr);
#endif
	memset(b, 0, sizeof(*b));
}

/**
 * kmcl_hv_leak_buffer() - give up a kmcl_hv_alloc_buffer() buffer that the
 *	host may still see
 * @b: the buffer; a GPADL over it could not be torn down, or its pages
 *	could not be made private again.
 *
 * Its pages never go back to the allocator; only the mapping and the
 * bookkeeping go. Process context.
 */
static inline void kmcl_hv_leak_buffer(struct kmcl_hv_buffer *b)
{
	if (b->chunks) {
		vunmap(b->addr);
		kvfree(b->chunks);
	} else {
		/* A vmalloc area cannot drop its mapping but keep its pages. */
		kmemleak_not_leak(b->addr);
	}
	memset(b, 0, sizeof(*b));
}

/**
 * kmcl_hv_establish_gpadl_caller_decrypted() - a GPADL over a buffer from
 *	kmcl_hv_alloc_buffer()
 * @c: an open channel.
 * @b: the buffer.
 * @size: bytes of it to describe, a multiple of PAGE_SIZE.
 * @gp: receives the GPADL.
 *
 * With vmbus_establish_gpadl_caller_decrypted() (7.3) the kernel leaves
 * the pages' visibility alone: kmcl_hv_alloc_buffer() set it and
 * kmcl_hv_free_buffer() undoes it. Elsewhere this is
 * kmcl_hv_establish_gpadl() (which makes the pages visible itself).
 * Process context; sleeps until the host answers.
 *
 * Return: as kmcl_hv_establish_gpadl().
 */
static inline int
kmcl_hv_establish_gpadl_caller_decrypted(struct vmbus_channel *c,
					 struct kmcl_hv_buffer *b, u32 size,
					 struct kmcl_hv_gpadl *gp)
{
#ifdef KMCL_HV_USE_ALLOC_BUFFER
	int ret;

	memset(gp, 0, sizeof(*gp));
	gp->buffer = b->addr;
	gp->size = size;
	gp->caller_decrypted = true;
	ret = vmbus_establish_gpadl_caller_decrypted(c, b->addr, size, &gp->g);
	/* As hv_vmbus's own path: a refused GPADL leaves no host mapping. */
	gp->leak = false;
	return ret;
#else
	return kmcl_hv_establish_gpadl(c, b->addr, size, gp);
#endif
}

/* --- interrupt CPU -------------------------------------------------------- */

/**
 * kmcl_hv_channel_set_cpu() - move an open channel's interrupts to @cpu
 * @c: an open channel.
 * @cpu: an online CPU.
 *
 * Return: vmbus_channel_set_cpu()'s result where hv_vmbus exports it;
 * -EOPNOTSUPP elsewhere (7.3 included): the host's choice stays.
 */
static inline int kmcl_hv_channel_set_cpu(struct vmbus_channel *c, u32 cpu)
{
#ifdef KMCL_HV_HAVE_CHANNEL_SET_CPU
	int ret;

	cpus_read_lock();
	ret = vmbus_channel_set_cpu(c, cpu);
	cpus_read_unlock();
	return ret;
#else
	return -EOPNOTSUPP;
#endif
}

#endif /* _KMCL_HV_COMPAT_H */
