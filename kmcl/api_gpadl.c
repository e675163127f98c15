// SPDX-License-Identifier: GPL-2.0-only
/*
 * API boundary for GPADLs: the client's VmbChannelCreateGpadl*,
 * VmbChannelGetSystemAddressForGpadl and VmbChannelDeleteGpadl, the
 * server's VmbChannelMapGpadl and VmbChannelUnmapGpadl. Arguments are
 * checked and turned into Hyper-V PFN lists here; the table, mappings and
 * teardown are kmcl/gpadl.c (model and limits in kmcl/shmem.h).
 *
 * Status codes, for every Create function: STATUS_INVALID_PARAMETER_1 for
 * a bad handle or a server channel, _2 for unknown flags, _3.._n for the
 * n-th argument, STATUS_INVALID_DEVICE_STATE outside the Opened .. Closed
 * window, STATUS_INSUFFICIENT_RESOURCES above the limits or without
 * memory.
 */
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include <vmbuskernelmodeclientlibapi.h>

#include "api_context.h"
#include "kmcl.h"
#include "mdl.h"
#include "status.h"

/* Longest MDL chain walked by VmbChannelCreateGpadlFromMdl (loop guard). */
#define KMCL_GPADL_MAX_CHAIN	KMCL_GPADL_MAX_PAGES

/* A client channel, or NULL: the handle check of every Create function. */
static struct kmcl_channel *kmcl_gpadl_client(VMBCHANNEL Channel)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);

	return ch && !ch->is_server ? ch : NULL;
}

/* Publish @g on @ch; the NTSTATUS of kmcl_gpadl_create(). */
static NTSTATUS kmcl_gpadl_publish(struct kmcl_channel *ch,
				   struct kmcl_gpadl *g, UINT32 Flags,
				   PUINT32 GpadlHandle)
{
	u32 handle;
	int ret;

	g->flags = (Flags & VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY) ?
		   KMCL_GPADL_READ_ONLY : 0;
	ret = kmcl_gpadl_create(ch, g, &handle);
	if (ret) {
		kmcl_gpadl_put(g);
		if (ret == -EBADFD)
			return STATUS_INVALID_DEVICE_STATE;
		if (ret == -ENOSPC)
			return STATUS_INSUFFICIENT_RESOURCES;
		return kmcl_errno_to_ntstatus(ret);
	}
	*GpadlHandle = handle;
	return STATUS_SUCCESS;
}

/**
 * VmbChannelCreateGpadlFromBuffer() - share a kernel buffer with the server
 * @Channel: an open client channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY or 0.
 * @Buffer: kmalloc(), page allocator or vmalloc() memory; it must stay
 *	allocated until the GPADL is deleted.
 * @ByteCount: its length, 1 .. KMCL_GPADL_MAX_PAGES pages spanned.
 * @GpadlHandle: receives the handle (0 on failure).
 *
 * On loopback the server can map the handle as soon as this returns.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (bad or server
 * channel), _2 (flags), _3 (NULL or not kernel memory), _4 (zero length),
 * _5 (NULL handle pointer); STATUS_INVALID_DEVICE_STATE (not open);
 * STATUS_INSUFFICIENT_RESOURCES (over a limit, no memory).
 */
NTSTATUS VmbChannelCreateGpadlFromBuffer(VMBCHANNEL Channel, UINT32 Flags,
					 PVOID Buffer, UINT32 ByteCount,
					 PUINT32 GpadlHandle)
{
	struct kmcl_channel *ch = kmcl_gpadl_client(Channel);
	struct kmcl_gpadl *g;
	u64 span;

	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	might_sleep();
	if (GpadlHandle)
		*GpadlHandle = 0;
	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	if (Flags & ~VMBUS_CHANNEL_GPADL_FLAGS)
		return STATUS_INVALID_PARAMETER_2;
	if (!Buffer)
		return STATUS_INVALID_PARAMETER_3;
	if (!ByteCount)
		return STATUS_INVALID_PARAMETER_4;
	if (!GpadlHandle)
		return STATUS_INVALID_PARAMETER_5;
	span = kmcl_hv_pages_spanned((unsigned long)Buffer, ByteCount);
	if (span > KMCL_GPADL_MAX_PAGES)
		return STATUS_INSUFFICIENT_RESOURCES;
	g = kmcl_gpadl_alloc(span);
	if (!g)
		return STATUS_INSUFFICIENT_RESOURCES;
	if (kmcl_hvpfns_from_va(Buffer, span, g->pfns)) {
		kmcl_gpadl_put(g);
		return STATUS_INVALID_PARAMETER_3;
	}
	g->byte_offset = (unsigned long)Buffer & (KMCL_WIRE_PAGE_SIZE - 1);
	g->byte_count = ByteCount;
	return kmcl_gpadl_publish(ch, g, Flags, GpadlHandle);
}
EXPORT_SYMBOL_KMCL(VmbChannelCreateGpadlFromBuffer);

/*
 * Count (@fill NULL) or store the PFNs of [@start, @start + @len) of an MDL
 * chain. Within the range, every MDL but the first must start at offset 0
 * and every MDL but the last must end on a page boundary, so that the pages
 * form one GPADL. Returns the page count or -EINVAL.
 */
static s64 kmcl_gpadl_mdl_pfns(PMDL chain, u32 start, u32 len,
			       unsigned long *fill, u32 *first_offset)
{
	u64 pos = 0, end = (u64)start + len, n = 0;
	bool first = true;
	u32 walked = 0;
	PMDL mdl;

	for (mdl = chain; mdl && pos < end; mdl = mdl->Next) {
		u64 a, b, p0, p1, i, span;
		PPFN_NUMBER pfns;

		if (++walked > KMCL_GPADL_MAX_CHAIN ||
		    mdl->ByteOffset >= KMCL_HV_PAGE_SIZE)
			return -EINVAL;
		/* The PFN array must be as long as the header says. */
		span = ADDRESS_AND_SIZE_TO_SPAN_PAGES(mdl->ByteOffset,
						      mdl->ByteCount);
		if (span <= KMCL_MDL_MAX_EXACT_SIZE_PAGES &&
		    sizeof(MDL) + span * sizeof(PFN_NUMBER) > (USHORT)mdl->Size)
			return -EINVAL;
		if (pos + mdl->ByteCount <= start) {
			pos += mdl->ByteCount;
			continue;
		}
		/* Selected bytes of this MDL, relative to its buffer. */
		a = start > pos ? start - pos : 0;
		b = min_t(u64, mdl->ByteCount, end - pos);
		if (!first && (a || mdl->ByteOffset))
			return -EINVAL;
		if (pos + b < end &&
		    (mdl->ByteOffset + b) % KMCL_HV_PAGE_SIZE)
			return -EINVAL;
		p0 = (mdl->ByteOffset + a) >> KMCL_HV_PAGE_SHIFT;
		p1 = DIV_ROUND_UP(mdl->ByteOffset + b, KMCL_HV_PAGE_SIZE);
		if (first)
			*first_offset = (mdl->ByteOffset + a) &
					(KMCL_HV_PAGE_SIZE - 1);
		if (n + (p1 - p0) > KMCL_GPADL_MAX_PAGES)
			return -E2BIG;
		pfns = MmGetMdlPfnArray(mdl);
		for (i = p0; i < p1; i++, n++) {
			if (pfns[i] == KMCL_HVPFN_INVALID)
				return -EINVAL;
			if (fill)
				fill[n] = pfns[i];
		}
		first = false;
		pos += mdl->ByteCount;
	}
	return n;
}

/**
 * VmbChannelCreateGpadlFromMdl() - share memory described by an MDL chain
 * @Channel: an open client channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY or 0.
 * @Mdl: the chain (Next links), its PFN arrays built; it must stay valid
 *	until the GPADL is deleted.
 * @StartOffsetWithinMdl: offset of the shared range in the chain's bytes.
 * @DataLengthWithinMdl: length of the range; 0 for the rest of the chain.
 * @GpadlHandle: receives the handle (0 on failure).
 *
 * Where the range crosses from one MDL to the next, the earlier one must
 * end on a 4 KiB boundary and the later one start on one, so that the pages
 * form one contiguous buffer (as GPADLs require).
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1, _2 (flags), _3 (NULL
 * MDL, unbuilt PFNs, a chain that is not contiguous), _4 (offset beyond the
 * chain), _5 (range beyond the chain), _6 (NULL handle pointer);
 * STATUS_INVALID_DEVICE_STATE; STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelCreateGpadlFromMdl(VMBCHANNEL Channel, UINT32 Flags,
				      PMDL Mdl, UINT32 StartOffsetWithinMdl,
				      UINT32 DataLengthWithinMdl,
				      PUINT32 GpadlHandle)
{
	struct kmcl_channel *ch = kmcl_gpadl_client(Channel);
	u32 walked = 0, len, offset = 0;
	struct kmcl_gpadl *g;
	u64 total = 0;
	PMDL m;
	s64 n;

	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	might_sleep();
	if (GpadlHandle)
		*GpadlHandle = 0;
	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	if (Flags & ~VMBUS_CHANNEL_GPADL_FLAGS)
		return STATUS_INVALID_PARAMETER_2;
	if (!Mdl)
		return STATUS_INVALID_PARAMETER_3;
	if (!GpadlHandle)
		return STATUS_INVALID_PARAMETER_6;
	for (m = Mdl; m; m = m->Next) {
		if (++walked > KMCL_GPADL_MAX_CHAIN)
			return STATUS_INVALID_PARAMETER_3;
		total += m->ByteCount;
	}
	if (StartOffsetWithinMdl >= total)
		return STATUS_INVALID_PARAMETER_4;
	len = DataLengthWithinMdl;
	if (!len) {
		if (total - StartOffsetWithinMdl > U32_MAX)
			return STATUS_INVALID_PARAMETER_5;
		len = total - StartOffsetWithinMdl;
	} else if ((u64)StartOffsetWithinMdl + len > total) {
		return STATUS_INVALID_PARAMETER_5;
	}

	n = kmcl_gpadl_mdl_pfns(Mdl, StartOffsetWithinMdl, len, NULL, &offset);
	if (n == -E2BIG)
		return STATUS_INSUFFICIENT_RESOURCES;
	if (n <= 0)
		return STATUS_INVALID_PARAMETER_3;
	g = kmcl_gpadl_alloc(n);
	if (!g)
		return STATUS_INSUFFICIENT_RESOURCES;
	kmcl_gpadl_mdl_pfns(Mdl, StartOffsetWithinMdl, len, g->pfns, &offset);
	g->byte_offset = offset;
	g->byte_count = len;
	return kmcl_gpadl_publish(ch, g, Flags, GpadlHandle);
}
EXPORT_SYMBOL_KMCL(VmbChannelCreateGpadlFromMdl);

/**
 * VmbChannelCreateGpadlFromPfnList() - share pages given by frame number
 * @Channel: an open client channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY or 0.
 * @PfnList: 4 KiB Hyper-V PFNs of RAM pages the caller keeps allocated.
 * @PfnListCount: entries, 1..KMCL_GPADL_MAX_PAGES. The GPADL covers
 *	@PfnListCount whole pages.
 * @GpadlHandle: receives the handle (0 on failure).
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1, _2 (flags), _3 (NULL
 * list or a PFN that is not RAM), _4 (zero count), _5 (NULL handle
 * pointer); STATUS_INVALID_DEVICE_STATE; STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelCreateGpadlFromPfnList(VMBCHANNEL Channel, UINT32 Flags,
					  PPFN_NUMBER PfnList,
					  UINT32 PfnListCount,
					  PUINT32 GpadlHandle)
{
	struct kmcl_channel *ch = kmcl_gpadl_client(Channel);
	struct kmcl_gpadl *g;
	u32 i;

	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	might_sleep();
	if (GpadlHandle)
		*GpadlHandle = 0;
	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	if (Flags & ~VMBUS_CHANNEL_GPADL_FLAGS)
		return STATUS_INVALID_PARAMETER_2;
	if (!PfnList)
		return STATUS_INVALID_PARAMETER_3;
	if (!PfnListCount)
		return STATUS_INVALID_PARAMETER_4;
	if (!GpadlHandle)
		return STATUS_INVALID_PARAMETER_5;
	if (PfnListCount > KMCL_GPADL_MAX_PAGES)
		return STATUS_INSUFFICIENT_RESOURCES;
	for (i = 0; i < PfnListCount; i++)
		if (PfnList[i] == KMCL_HVPFN_INVALID ||
		    !pfn_valid(PfnList[i] / KMCL_HV_PER_PAGE))
			return STATUS_INVALID_PARAMETER_3;
	g = kmcl_gpadl_alloc(PfnListCount);
	if (!g)
		return STATUS_INSUFFICIENT_RESOURCES;
	memcpy(g->pfns, PfnList, PfnListCount * sizeof(*g->pfns));
	g->byte_offset = 0;
	g->byte_count = PfnListCount * KMCL_WIRE_PAGE_SIZE;
	return kmcl_gpadl_publish(ch, g, Flags, GpadlHandle);
}
EXPORT_SYMBOL_KMCL(VmbChannelCreateGpadlFromPfnList);

/**
 * VmbChannelCreateGpadl() - allocate zeroed memory and share it
 * @Channel: an open client channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY or 0.
 * @PageCount: size in 4 KiB pages, 1..KMCL_GPADL_MAX_PAGES.
 * @GpadlHandle: receives the handle (0 on failure).
 *
 * KMCL owns the memory: VmbChannelGetSystemAddressForGpadl() gives its
 * address, VmbChannelDeleteGpadl() frees it.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1, _2 (flags), _3 (zero
 * pages), _4 (NULL handle pointer); STATUS_INVALID_DEVICE_STATE;
 * STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelCreateGpadl(VMBCHANNEL Channel, UINT32 Flags,
			       UINT32 PageCount, PUINT32 GpadlHandle)
{
	struct kmcl_channel *ch = kmcl_gpadl_client(Channel);
	struct kmcl_gpadl *g;

	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	might_sleep();
	if (GpadlHandle)
		*GpadlHandle = 0;
	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	if (Flags & ~VMBUS_CHANNEL_GPADL_FLAGS)
		return STATUS_INVALID_PARAMETER_2;
	if (!PageCount)
		return STATUS_INVALID_PARAMETER_3;
	if (!GpadlHandle)
		return STATUS_INVALID_PARAMETER_4;
	if (PageCount > KMCL_GPADL_MAX_PAGES)
		return STATUS_INSUFFICIENT_RESOURCES;
	g = kmcl_gpadl_alloc(PageCount);
	if (!g)
		return STATUS_INSUFFICIENT_RESOURCES;
	if (kmcl_gpadl_fill_pages(ch, g)) {
		kmcl_gpadl_put(g);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	return kmcl_gpadl_publish(ch, g, Flags, GpadlHandle);
}
EXPORT_SYMBOL_KMCL(VmbChannelCreateGpadl);

/**
 * VmbChannelGetSystemAddressForGpadl() - kernel address of a
 *	VmbChannelCreateGpadl() buffer
 * @Channel: the client channel.
 * @Flags: reserved, ignored (as on Windows).
 * @GpadlHandle: a GPADL made by VmbChannelCreateGpadl().
 * @SystemAddress: receives the address; valid until the GPADL is deleted.
 *
 * Maps the buffer on the first call; later calls return the same address.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1; _3 (unknown handle
 * or a GPADL over the driver's own memory); _4 (NULL pointer);
 * STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelGetSystemAddressForGpadl(VMBCHANNEL Channel, UINT32 Flags,
					    UINT32 GpadlHandle,
					    PVOID *SystemAddress)
{
	struct kmcl_channel *ch = kmcl_gpadl_client(Channel);
	void *va;
	int ret;

	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	might_sleep();
	if (SystemAddress)
		*SystemAddress = NULL;
	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	if (!SystemAddress)
		return STATUS_INVALID_PARAMETER_4;
	ret = kmcl_gpadl_kva(ch, GpadlHandle, &va);
	if (ret == -ENOMEM)
		return STATUS_INSUFFICIENT_RESOURCES;
	if (ret)
		return STATUS_INVALID_PARAMETER_3;
	*SystemAddress = va;
	return STATUS_SUCCESS;
}
EXPORT_SYMBOL_KMCL(VmbChannelGetSystemAddressForGpadl);

/**
 * VmbChannelDeleteGpadl() - stop sharing a GPADL
 * @Channel: the client channel that created it.
 * @GpadlHandle: the GPADL.
 *
 * Blocks while the server has the GPADL mapped: until it unmaps it, or at
 * the latest until the server's side of the channel closes. Memory KMCL
 * allocated for it (VmbChannelCreateGpadl()) is freed. An unknown handle
 * is logged and ignored.
 *
 * Context: process context.
 */
VOID VmbChannelDeleteGpadl(VMBCHANNEL Channel, UINT32 GpadlHandle)
{
	struct kmcl_channel *ch = kmcl_gpadl_client(Channel);

	if (kmcl_api_atomic())
		return;
	might_sleep();
	if (!ch) {
		pr_warn_ratelimited("%s: %p is not a client channel\n", __func__,
				    Channel);
		return;
	}
	if (kmcl_gpadl_delete(ch, GpadlHandle))
		pr_warn_ratelimited("%s: channel %u has no GPADL %u\n", __func__,
				    ch->id, GpadlHandle);
}
EXPORT_SYMBOL_KMCL(VmbChannelDeleteGpadl);

/**
 * VmbChannelMapGpadl() - map a GPADL of the connected client (server)
 * @Channel: an open server channel.
 * @Flags: VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY or 0.
 * @GpadlHandle: the handle the client sent.
 * @Mdl: receives an MDL over the client's pages, locked and without a
 *	virtual address: map it with MmGetSystemAddressForMdlSafe(). KMCL
 *	frees it at VmbChannelUnmapGpadl(); do not call IoFreeMdl() on it.
 *
 * One mapping per GPADL at a time. Without READ_ONLY a GPADL the client
 * created read-only is refused; with it, writes are still not prevented.
 *
 * Context: process context.
 * Return: STATUS_SUCCESS; STATUS_INVALID_PARAMETER_1 (bad or client
 * channel); _2 (flags); _3 (unknown or deleted handle); _4 (NULL pointer);
 * STATUS_DEVICE_BUSY (already mapped); STATUS_ACCESS_DENIED (read-write map
 * of a read-only GPADL); STATUS_INVALID_DEVICE_STATE (not open);
 * STATUS_NOT_SUPPORTED (the transport has no server side: any channel on
 * hv);
 * STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS VmbChannelMapGpadl(VMBCHANNEL Channel, UINT32 Flags,
			    UINT32 GpadlHandle, PMDL *Mdl)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);
	int ret;

	if (kmcl_api_atomic())
		return STATUS_INVALID_DEVICE_STATE;
	might_sleep();
	if (Mdl)
		*Mdl = NULL;
	if (!ch)
		return STATUS_INVALID_PARAMETER_1;
	/* hv: only the host maps a guest's GPADL. */
	if (!ch->tops->gpadl_get)
		return STATUS_NOT_SUPPORTED;
	if (!ch->is_server)
		return STATUS_INVALID_PARAMETER_1;
	if (Flags & ~VMBUS_CHANNEL_GPADL_FLAGS)
		return STATUS_INVALID_PARAMETER_2;
	if (!Mdl)
		return STATUS_INVALID_PARAMETER_4;
	ret = kmcl_gpadl_map(ch, GpadlHandle,
			     Flags & VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY, Mdl);
	switch (ret) {
	case 0:
		return STATUS_SUCCESS;
	case -ENOENT:
		return STATUS_INVALID_PARAMETER_3;
	case -EBADFD:
		return STATUS_INVALID_DEVICE_STATE;
	default:
		return kmcl_errno_to_ntstatus(ret);
	}
}
EXPORT_SYMBOL_KMCL(VmbChannelMapGpadl);

/**
 * VmbChannelUnmapGpadl() - end a mapping made by VmbChannelMapGpadl()
 * @Channel: the server channel.
 * @GpadlHandle: the mapped handle.
 *
 * The MDL from VmbChannelMapGpadl(), and any system mapping made of it,
 * are gone when this returns; a client blocked deleting the GPADL goes on.
 * A handle the channel has not mapped is logged and ignored. On a
 * transport without server side (hv) it does nothing and logs once.
 *
 * Context: process context.
 */
VOID VmbChannelUnmapGpadl(VMBCHANNEL Channel, UINT32 GpadlHandle)
{
	struct kmcl_channel *ch = kmcl_channel_from_handle(Channel);

	if (kmcl_api_atomic())
		return;
	might_sleep();
	if (ch && !ch->tops->gpadl_get) {
		pr_warn_once("%s: not supported on this transport: only the host maps a guest's GPADL\n",
			     __func__);
		return;
	}
	if (!ch || !ch->is_server) {
		pr_warn_ratelimited("%s: %p is not a server channel\n", __func__,
				    Channel);
		return;
	}
	if (kmcl_gpadl_unmap(ch, GpadlHandle))
		pr_warn_ratelimited("%s: channel %u has not mapped GPADL %u\n",
				    __func__, ch->id, GpadlHandle);
}
EXPORT_SYMBOL_KMCL(VmbChannelUnmapGpadl);
