// SPDX-License-Identifier: GPL-2.0-only
/*
 * API boundary for external data: VmbPacketSend() with an ExternalDataMdl,
 * VmbPacketSendWithExternalMdl(), VmbPacketSendWithExternalPfns() and
 * VmbChannelPacketGetExternalData().
 *
 * Sending: the MDL chain or PFN array is checked here, against the
 * channel's VmbChannelInitSetMaximumExternalData() limits and the
 * transport's range limit, then turned into GPA ranges written straight
 * into the packet object (kmcl_packet_send_ext() calls back into
 * kmcl_api_ext_fill() once it owns the packet). One range per MDL touched;
 * a PFN array is one range starting at offset 0. The memory must stay
 * valid until the packet's completion routine runs: external data always
 * waits for the peer's completion, also for VmbPacketSend() without
 * VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION. DATA_IN_ONLY and
 * DATA_OUT_ONLY are hints (the memory is shared, never copied), but not
 * both at once.
 *
 * Receiving: VmbChannelPacketGetExternalData() builds one MDL per range in
 * the incoming object (no VA, pages locked, chained through Next) and maps
 * each into MappedSystemVa, so MmGetSystemAddressForMdlSafe() answers at
 * once in any context. Mapping pages that are not physically consecutive,
 * or read-only, needs process context: called from ProcessPacket in
 * softirq context, the call defers the packet (STATUS_PENDING) and
 * ProcessPacket runs again in process context, as Windows documents.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/printk.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "kmcl.h"
#include "mdl.h"
#include "status.h"

/* MDLs looked at in one chain at most: a cycle cannot make us spin. */
#define KMCL_API_EXT_MAX_WALK	65536U

/**
 * struct kmcl_api_ext_req - external data of one send, checked
 * @mdl: the MDL chain, or NULL for @pfns.
 * @pfns: the PFN array of VmbPacketSendWithExternalPfns().
 * @npfns: its entries.
 * @offset: first byte of the chain to send.
 * @length: bytes to send, > 0.
 * @first_only: FORCE_MDL_LENGTH: only the first MDL, to its last page end.
 */
struct kmcl_api_ext_req {
	PMDL mdl;
	const PFN_NUMBER *pfns;
	u32 npfns;
	u32 offset;
	u32 length;
	bool first_only;
};

static struct kmcl_packet *kmcl_api_ext_packet(VMBPACKET handle)
{
	struct kmcl_packet *pkt = (struct kmcl_packet *)handle;

	return kmcl_packet_valid(pkt) ? pkt : NULL;
}

/* A PFN the receiver could map: built, and memory of this kernel. */
static bool kmcl_api_ext_pfn_ok(PFN_NUMBER pfn)
{
	return pfn != KMCL_HVPFN_INVALID && pfn_valid(pfn / KMCL_HV_PER_PAGE);
}

/* Bytes of one MDL that may be sent: its buffer, or up to its last page. */
static int kmcl_api_ext_mdl_bytes(PMDL mdl, bool to_page_end, u64 *bytes)
{
	u32 span;

	if (kmcl_mdl_check_span(mdl, &span) || !mdl->ByteCount)
		return -EINVAL;
	*bytes = to_page_end ? (u64)span * KMCL_HV_PAGE_SIZE - mdl->ByteOffset :
		 mdl->ByteCount;
	return 0;
}

/*
 * Write (@dst not NULL) or only measure the ranges of @r: *@len bytes,
 * *@count ranges. -EINVAL for an unusable MDL, -EFAULT for a PFN that is
 * not built or not memory, -ERANGE if the chain ends before @r->length
 * bytes, -EMSGSIZE if @cap is too small.
 */
static int kmcl_api_ext_walk(const struct kmcl_api_ext_req *r, u8 *dst,
			     u32 cap, u32 *len, u32 *count, void **vas,
			     u32 nvas)
{
	u32 left = r->length, used = 0, n = 0, walked = 0;
	u64 skip = r->offset, avail, start;
	PMDL mdl = r->mdl;

	while (left) {
		const PFN_NUMBER *pfns;
		u32 off, bytes, np, i, run;
		struct kmcl_gpa_range *g;
		u8 *base = NULL;

		if (r->mdl) {
			if (!mdl || ++walked > KMCL_API_EXT_MAX_WALK)
				return -ERANGE;
			if (kmcl_api_ext_mdl_bytes(mdl, r->first_only, &avail))
				return -EINVAL;
			pfns = MmGetMdlPfnArray(mdl);
			start = mdl->ByteOffset;
			/* The buffer's own address, valid while it is lent. */
			if (READ_ONCE(mdl->MdlFlags) & MDL_SOURCE_IS_NONPAGED_POOL)
				base = (u8 *)READ_ONCE(mdl->MappedSystemVa) -
				       mdl->ByteOffset;
			mdl = r->first_only ? NULL : mdl->Next;
		} else {
			avail = (u64)r->npfns * KMCL_HV_PAGE_SIZE;
			pfns = r->pfns;
			start = 0;
		}
		if (skip >= avail) {
			skip -= avail;
			continue;
		}
		start += skip;
		bytes = min_t(u64, left, avail - skip);
		off = start & (KMCL_HV_PAGE_SIZE - 1);
		pfns += start >> KMCL_HV_PAGE_SHIFT;
		np = kmcl_wire_gpa_pfns(off, bytes);
		/* The ends of a run stand for it (kmcl_hvpfns_run()). */
		for (i = 0; i < np; i += run) {
			run = kmcl_hvpfns_run(pfns + i, np - i);
			if (!kmcl_api_ext_pfn_ok(pfns[i]) ||
			    (run > 1 && !kmcl_api_ext_pfn_ok(pfns[i + run - 1])))
				return -EFAULT;
		}
		if (dst) {
			if (cap - used < kmcl_wire_gpa_range_size(off, bytes))
				return -EMSGSIZE;
			g = (struct kmcl_gpa_range *)(dst + used);
			g->byte_count = bytes;
			g->byte_offset = off;
			for (i = 0; i < np; i++)
				g->pfn_array[i] = pfns[i];
			if (n < nvas)
				vas[n] = base ? base + start : NULL;
		}
		used += kmcl_wire_gpa_range_size(off, bytes);
		n++;
		left -= bytes;
		skip = 0;
		if (!r->mdl && left)
			return -ERANGE;
	}
	*len = used;
	*count = n;
	return 0;
}

/* kmcl_packet_send_ext() callback: the packet is ours, write the ranges. */
static int kmcl_api_ext_fill(void *dst, u32 cap, const void *arg, u32 *len,
			     u32 *count, void **vas, u32 nvas)
{
	return kmcl_api_ext_walk(arg, dst, cap, len, count, vas, nvas);
}

/*
 * Check @r against @ch's limits. @p_ext: status for external data the
 * limits refuse (chain too long, more bytes than allowed, no limits set);
 * @p_mem: status for unusable memory.
 */
static NTSTATUS kmcl_api_ext_check(struct kmcl_channel *ch,
				   const struct kmcl_api_ext_req *r,
				   NTSTATUS p_ext, NTSTATUS p_mem)
{
	u32 rlen, count;

	if (kmcl_api_ext_walk(r, NULL, 0, &rlen, &count, NULL, 0))
		return p_mem;
	if (count > ch->cfg.max_ext_chain || rlen > kmcl_ext_ranges_cap(&ch->cfg))
		return p_ext;
	/* Bounced (isolated channel): one pool range goes on the wire. */
	if (count > ch->tops->gpa_ranges_max && !READ_ONCE(ch->isolated)) {
		pr_warn_once("%s transport: at most %u external-data ranges per packet\n",
			     ch->tops->name, ch->tops->gpa_ranges_max);
		return STATUS_NOT_SUPPORTED;
	}
	return STATUS_SUCCESS;
}

/* Check @r against the channel's limits and send. */
static NTSTATUS kmcl_api_ext_send(struct kmcl_packet *pkt, PVOID buf, u32 len,
				  const struct kmcl_api_ext_req *r, u32 flags,
				  NTSTATUS p_ext, NTSTATUS p_mem)
{
	struct kmcl_ext_fill fill = {
		.fill = kmcl_api_ext_fill,
		.arg = r,
	};
	NTSTATUS st;

	st = kmcl_api_ext_check(pkt->ch, r, p_ext, p_mem);
	if (st)
		return st;
	return kmcl_api_send_status(kmcl_packet_send_ext(pkt, buf, len, flags,
							     false, &fill));
}

/* Bytes of the chain at @mdl (first MDL only, to its page end, if @force). */
static int kmcl_api_ext_chain_bytes(PMDL mdl, bool force, u64 *total)
{
	u32 walked = 0;
	u64 bytes;

	*total = 0;
	for (; mdl; mdl = force ? NULL : mdl->Next) {
		if (++walked > KMCL_API_EXT_MAX_WALK ||
		    kmcl_api_ext_mdl_bytes(mdl, force, &bytes))
			return -EINVAL;
		*total += bytes;
	}
	return 0;
}

static bool kmcl_api_ext_flags_bad(UINT32 flags)
{
	const UINT32 both = VMBUS_CHANNEL_FORMAT_FLAG_DATA_IN_ONLY |
			    VMBUS_CHANNEL_FORMAT_FLAG_DATA_OUT_ONLY;

	return (flags & ~VMBUS_CHANNEL_FORMAT_FLAGS) || (flags & both) == both;
}

/**
 * kmcl_api_send_mdl() - VmbPacketSend() with an ExternalDataMdl
 * @pkt: the packet (valid).
 * @buf: in-line data.
 * @len: its length.
 * @mdl: the MDL chain: every MDL is sent whole, one range each.
 * @flags: VMBUS_CHANNEL_FORMAT_FLAG_* bits (checked for unknown bits).
 *
 * Return: as VmbPacketSend(); STATUS_INVALID_PARAMETER_4 for an MDL chain
 * the channel's limits refuse or that describes no usable memory.
 */
NTSTATUS kmcl_api_send_mdl(struct kmcl_packet *pkt, PVOID buf, u32 len,
			   PMDL mdl, u32 flags)
{
	struct kmcl_api_ext_req r = { .mdl = mdl };
	u64 total;

	if (len > pkt->capacity)
		return STATUS_INVALID_PARAMETER_3;
	if (kmcl_api_ext_chain_bytes(mdl, false, &total) || !total ||
	    total > pkt->ch->cfg.max_ext_data)
		return STATUS_INVALID_PARAMETER_4;
	if (kmcl_api_ext_flags_bad(flags))
		return STATUS_INVALID_PARAMETER_5;
	r.length = total;
	return kmcl_api_ext_send(pkt, buf, len, &r, flags,
				 STATUS_INVALID_PARAMETER_4,
				 STATUS_INVALID_PARAMETER_4);
}

/**
 * kmcl_api_sync_mdl() - VmbChannelSendSynchronousRequest() with an
 *	ExternalDataMdl
 * @ch: the channel.
 * @buf: in-line data (checked by the caller).
 * @len: its length (checked).
 * @mdl: the MDL chain: every MDL whole, one range each.
 * @flags: VMBUS_CHANNEL_FORMAT_FLAG_* bits (checked for unknown bits).
 * @cbuf: completion buffer (checked).
 * @csize: its size (checked).
 * @timeout: jiffies, not a zero timeout (the caller refuses that).
 *
 * Return: as VmbChannelSendSynchronousRequest(); STATUS_INVALID_PARAMETER_4
 * for an MDL chain the limits refuse or that describes no usable memory,
 * STATUS_INVALID_PARAMETER_5 for DATA_IN_ONLY with DATA_OUT_ONLY.
 */
NTSTATUS kmcl_api_sync_mdl(struct kmcl_channel *ch, void *buf, u32 len,
			   PMDL mdl, u32 flags, void *cbuf, u32 *csize,
			   unsigned long timeout)
{
	struct kmcl_api_ext_req r = { .mdl = mdl };
	struct kmcl_ext_fill fill = {
		.fill = kmcl_api_ext_fill,
		.arg = &r,
	};
	NTSTATUS st;
	u64 total;
	int ret;

	if (kmcl_api_ext_chain_bytes(mdl, false, &total) || !total ||
	    total > ch->cfg.max_ext_data)
		return STATUS_INVALID_PARAMETER_4;
	if (kmcl_api_ext_flags_bad(flags))
		return STATUS_INVALID_PARAMETER_5;
	r.length = total;
	st = kmcl_api_ext_check(ch, &r, STATUS_INVALID_PARAMETER_4,
				STATUS_INVALID_PARAMETER_4);
	if (st)
		return st;
	ret = kmcl_sync_request(ch, buf, len, flags, cbuf, csize, false, timeout,
				&fill);
	return ret == -EMSGSIZE ? STATUS_INVALID_PARAMETER_3 :
				  kmcl_errno_to_ntstatus(ret);
}

/**
 * VmbPacketSendWithExternalMdl() - send a packet with part of an MDL chain
 * @PacketObject: a packet the driver owns (not in flight).
 * @Buffer: in-line data; copied before the call returns.
 * @BufferLength: its length, at most the channel's maximum packet size.
 * @ExternalDataMdl: the MDL chain (built: MmBuildMdlForNonPagedPool(),
 *	KmclAllocateMdlForPages() or a GPADL/external-data MDL).
 * @MdlOffset: offset of the data in the chain.
 * @MdlLength: its length; 0 for the rest of the chain.
 * @Flags: VMBUS_CHANNEL_FORMAT_FLAG_*: WAIT_FOR_COMPLETION is required;
 *	FORCE_MDL_LENGTH uses only the first MDL, whose data may then run
 *	past its ByteCount up to the end of its last page; PAGED_BUFFER,
 *	DATA_IN_ONLY or DATA_OUT_ONLY are accepted.
 *
 * One GPA range per MDL the data touches; at most the channel's
 * ChainLength ranges and DataSize bytes
 * (VmbChannelInitSetMaximumExternalData()). The memory is lent to the peer
 * until the completion routine runs. Any context up to softirq.
 *
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 for a bad packet, one
 * in flight or free, or without a completion routine;
 * STATUS_INVALID_PARAMETER_2 for a NULL @Buffer with a length;
 * STATUS_INVALID_PARAMETER_3 if @BufferLength is too long;
 * STATUS_INVALID_PARAMETER_4 for a NULL or unusable MDL (empty, PFNs not
 * built, ByteOffset or Size inconsistent), on a channel without external
 * data limits or a pipe channel, or for more MDLs than ChainLength;
 * STATUS_INVALID_PARAMETER_5 if @MdlOffset is not inside the data;
 * STATUS_INVALID_PARAMETER_6 if @MdlLength runs past it or exceeds
 * DataSize; STATUS_INVALID_PARAMETER_7 for unknown flags, a missing
 * WAIT_FOR_COMPLETION, or DATA_IN_ONLY with DATA_OUT_ONLY;
 * STATUS_NOT_SUPPORTED for more ranges than the transport carries;
 * STATUS_INVALID_DEVICE_STATE if the channel was never enabled.
 */
NTSTATUS VmbPacketSendWithExternalMdl(VMBPACKET PacketObject, PVOID Buffer,
				      UINT32 BufferLength, PMDL ExternalDataMdl,
				      UINT32 MdlOffset, UINT32 MdlLength,
				      UINT32 Flags)
{
	struct kmcl_packet *pkt = kmcl_api_ext_packet(PacketObject);
	bool force = Flags & VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH;
	struct kmcl_api_ext_req r = {
		.mdl = ExternalDataMdl,
		.offset = MdlOffset,
		.first_only = force,
	};
	u64 total, end;

	if (!pkt)
		return STATUS_INVALID_PARAMETER_1;
	if (!Buffer && BufferLength)
		return STATUS_INVALID_PARAMETER_2;
	if (BufferLength > pkt->capacity)
		return STATUS_INVALID_PARAMETER_3;
	/* A pipe has no memory descriptors. */
	if (pkt->ch->cfg.flags & KMCL_CH_FLAG_PIPE)
		return STATUS_INVALID_PARAMETER_4;
	if (!ExternalDataMdl || !pkt->ch->cfg.max_ext_data ||
	    kmcl_api_ext_chain_bytes(ExternalDataMdl, force, &total))
		return STATUS_INVALID_PARAMETER_4;
	/*
	 * Without a length the data ends where the chain (FORCE_MDL_LENGTH:
	 * the first MDL's buffer) ends; with one, it may run up to @total,
	 * which with FORCE_MDL_LENGTH is the end of the first MDL's last page.
	 */
	end = MdlLength ? (u64)MdlOffset + MdlLength :
	      force ? ExternalDataMdl->ByteCount : total;
	if (MdlOffset >= total || MdlOffset >= end)
		return STATUS_INVALID_PARAMETER_5;
	if (end > total)
		return STATUS_INVALID_PARAMETER_6;
	if (end - MdlOffset > pkt->ch->cfg.max_ext_data)
		return STATUS_INVALID_PARAMETER_6;
	if (kmcl_api_ext_flags_bad(Flags) ||
	    !(Flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION))
		return STATUS_INVALID_PARAMETER_7;
	r.length = end - MdlOffset;
	return kmcl_api_ext_send(pkt, Buffer, BufferLength, &r, Flags,
				 STATUS_INVALID_PARAMETER_4,
				 STATUS_INVALID_PARAMETER_4);
}
EXPORT_SYMBOL_KMCL(VmbPacketSendWithExternalMdl);

/**
 * VmbPacketSendWithExternalPfns() - send a packet with external data pages
 * @PacketObject: a packet the driver owns (not in flight).
 * @Buffer: in-line data; copied before the call returns.
 * @BufferLength: its length, at most the channel's maximum packet size.
 * @ExternalDataPfns: 4 KiB page numbers of the data, in order (entries 0
 *	to @PfnLength - 1), memory of this kernel.
 * @PfnLength: their count: the data is @PfnLength * 4096 bytes from
 *	offset 0 of the first page.
 * @Flags: VMBUS_CHANNEL_FORMAT_FLAG_*: WAIT_FOR_COMPLETION is required;
 *	PAGED_BUFFER, DATA_IN_ONLY or DATA_OUT_ONLY are accepted.
 *
 * Sent as one GPA range. The pages are lent to the peer until the
 * completion routine runs. Any context up to softirq.
 *
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1, _2, _3 as
 * VmbPacketSendWithExternalMdl(); STATUS_INVALID_PARAMETER_4 for a NULL
 * array, a PFN that is not memory of this kernel, a channel without
 * external data limits, or a pipe channel; STATUS_INVALID_PARAMETER_5 for 0 pages or more
 * than DataSize bytes; STATUS_INVALID_PARAMETER_6 for unknown flags, a
 * missing WAIT_FOR_COMPLETION, or DATA_IN_ONLY with DATA_OUT_ONLY;
 * STATUS_NOT_SUPPORTED if the transport carries no external data;
 * STATUS_INVALID_DEVICE_STATE if the channel was never enabled.
 */
NTSTATUS VmbPacketSendWithExternalPfns(VMBPACKET PacketObject, PVOID Buffer,
				       UINT32 BufferLength,
				       PPFN_NUMBER ExternalDataPfns,
				       UINT32 PfnLength, UINT32 Flags)
{
	struct kmcl_packet *pkt = kmcl_api_ext_packet(PacketObject);
	struct kmcl_api_ext_req r = {
		.pfns = ExternalDataPfns,
		.npfns = PfnLength,
	};

	if (!pkt)
		return STATUS_INVALID_PARAMETER_1;
	if (!Buffer && BufferLength)
		return STATUS_INVALID_PARAMETER_2;
	if (BufferLength > pkt->capacity)
		return STATUS_INVALID_PARAMETER_3;
	/* A pipe has no memory descriptors. */
	if (pkt->ch->cfg.flags & KMCL_CH_FLAG_PIPE)
		return STATUS_INVALID_PARAMETER_4;
	if (!ExternalDataPfns || !pkt->ch->cfg.max_ext_data)
		return STATUS_INVALID_PARAMETER_4;
	if (!PfnLength ||
	    (u64)PfnLength * KMCL_HV_PAGE_SIZE > pkt->ch->cfg.max_ext_data)
		return STATUS_INVALID_PARAMETER_5;
	if (kmcl_api_ext_flags_bad(Flags) ||
	    !(Flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION))
		return STATUS_INVALID_PARAMETER_6;
	r.length = PfnLength * KMCL_HV_PAGE_SIZE;
	return kmcl_api_ext_send(pkt, Buffer, BufferLength, &r, Flags,
				 STATUS_INVALID_PARAMETER_5,
				 STATUS_INVALID_PARAMETER_4);
}
EXPORT_SYMBOL_KMCL(VmbPacketSendWithExternalPfns);

/*
 * Build @ip's MDL chain in its own area, once. A range whose sender in
 * this kernel has it mapped already (kmcl_ext_in_vas()) gets that mapping,
 * once checked page by page, unless a read-only or decrypted mapping is
 * needed: no vmap(), no deferral to process context, nothing to unmap.
 */
static void kmcl_api_ext_build(struct kmcl_in_packet *ip, bool shared)
{
	void **vas = kmcl_ext_in_vas(ip);
	const struct kmcl_gpa_range *g;
	PMDL prev = NULL, mdl;
	u8 *area = ip->ext_mdl;
	u32 i, np;

	g = (const void *)(ip->buf + sizeof(struct kmcl_gpa_direct_hdr));
	for (i = 0; i < ip->ext_count; i++, g = kmcl_wire_gpa_next(g)) {
		np = kmcl_wire_gpa_pfns(g->byte_offset, g->byte_count);
		mdl = kmcl_mdl_place_hvpfns(area, g->pfn_array, np,
					    g->byte_offset, g->byte_count, prev);
		if (!ip->ext_ro && !shared)
			kmcl_mdl_use_va(mdl, vas[i]);
		if (!prev)
			ip->ext_chain = mdl;
		prev = mdl;
		area += kmcl_mdl_hvpfns_size(np);
	}
}

/**
 * kmcl_api_ext_map() - map an incoming packet's external data
 * @ip: a packet with external data, delivering or held by the driver.
 * @may_sleep: the caller is KMCL's reader in process context, holding no
 *	lock: the mapping may vmap().
 *
 * Builds the MDL chain on first use and gives each MDL its system mapping,
 * read-only if a READ_ONLY VmbChannelPacketGetExternalData() asked for it
 * before (@ip->ext_ro). The reader calls it before ProcessPacket in process
 * context, so VmbChannelPacketGetExternalData() itself never has to sleep.
 *
 * Return: 0; -EAGAIN if a mapping needs to sleep and @may_sleep is false;
 * -ENOMEM if it cannot be made.
 */
int kmcl_api_ext_map(struct kmcl_in_packet *ip, bool may_sleep)
{
	bool shared = READ_ONCE(ip->ch->isolated);
	PMDL mdl;
	int ret;

	if (!ip->ext_chain) {
		if (ip->xfer_gpadl)
			kmcl_xfer_build(ip);
		else
			kmcl_api_ext_build(ip, shared);
	}
	for (mdl = ip->ext_chain; mdl; mdl = mdl->Next) {
		ret = kmcl_mdl_map_system(mdl, ip->ext_ro, shared, may_sleep);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * VmbChannelPacketGetExternalData() - the external data of an incoming packet
 * @PacketCompletionContext: a packet delivered to ProcessPacket with
 *	VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA and not completed yet.
 * @Flags: VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY: a mapping
 *	still to be made for it is read-only.
 * @Mdl: receives the MDL chain, one MDL per range the sender described.
 *
 * For a transfer-page packet the ranges lie in the receive GPADL the
 * driver registered for the packet's transfer page set
 * (KmclChannelSetTransferPageSet()), and each MDL describes the GPADL's
 * pages under one range; that GPADL cannot be deleted until the packet
 * is completed or failed. The MDLs have no virtual address (StartVa NULL) and locked pages; each
 * is already mapped, so MmGetSystemAddressForMdlSafe() returns its
 * mapping in any context. They stay valid until the packet is completed
 * or failed, which unmaps and invalidates them: the driver must not free
 * them. A second call returns the same chain, mapped as the first
 * successful call chose.
 *
 * Never sleeps, whatever the context looks like: a mapping that needs
 * vmap() is made by the reader in process context before ProcessPacket
 * runs there (writable; read-only when a READ_ONLY call in softirq
 * context deferred the packet). Any context up to softirq.
 *
 * Return: STATUS_SUCCESS; STATUS_PENDING when called from ProcessPacket
 * in softirq context for memory that needs a process-context mapping
 * (not physically consecutive, or READ_ONLY): return from ProcessPacket
 * without completing, it runs again in process context;
 * STATUS_INSUFFICIENT_RESOURCES if the mapping failed, or needs process
 * context outside ProcessPacket (a packet delivered in softirq context
 * and held, also by another thread while its ProcessPacket call still
 * runs); STATUS_INVALID_PARAMETER_1 for a bad packet, one not held
 * by the driver, or one without external data; STATUS_INVALID_PARAMETER_2
 * for unknown flags; STATUS_INVALID_PARAMETER_3 for a NULL @Mdl.
 */
NTSTATUS VmbChannelPacketGetExternalData(VMBPACKETCOMPLETION PacketCompletionContext,
					 UINT32 Flags, PMDL *Mdl)
{
	struct kmcl_in_packet *ip = (struct kmcl_in_packet *)PacketCompletionContext;
	bool ro = Flags & VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY;
	u8 state;
	int ret;

	if (!kmcl_in_packet_valid(ip))
		return STATUS_INVALID_PARAMETER_1;
	if (Flags & ~VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAGS)
		return STATUS_INVALID_PARAMETER_2;
	if (!Mdl)
		return STATUS_INVALID_PARAMETER_3;
	*Mdl = NULL;
	state = READ_ONCE(ip->state);
	if (state != KMCL_IN_DELIVERING && state != KMCL_IN_HELD)
		return STATUS_INVALID_PARAMETER_1;
	if (!ip->ext_count)
		return STATUS_INVALID_PARAMETER_1;

	/* Only the first call chooses; the reader maps a deferred packet so. */
	if (ro && !ip->ext_chain)
		ip->ext_ro = true;
	ret = kmcl_api_ext_map(ip, false);
	if (ret == -EAGAIN && state == KMCL_IN_DELIVERING &&
	    kmcl_in_called_from(ip) && !kmcl_in_defer(ip))
		return STATUS_PENDING;
	if (ret)
		return STATUS_INSUFFICIENT_RESOURCES;
	*Mdl = ip->ext_chain;
	return STATUS_SUCCESS;
}
EXPORT_SYMBOL_KMCL(VmbChannelPacketGetExternalData);
