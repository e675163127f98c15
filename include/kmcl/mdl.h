/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory descriptor lists (MDLs) for code ported from Windows.
 *
 * An MDL describes a virtually contiguous buffer by the physical pages
 * under it: a header (struct _MDL below) followed in memory by an array of
 * PFN_NUMBER entries, one per page the buffer touches. MDLs chain through
 * Next to describe a buffer made of several pieces.
 *
 * Page size: the PFNs in an MDL, like every page number on the VMBus wire,
 * count 4 KiB Hyper-V pages (KMCL_HV_PAGE_SIZE), whatever the Linux
 * PAGE_SIZE is. On x86_64 the two agree; on arm64 Linux may use 16K or 64K
 * pages, and then one Linux page holds several consecutive HV pages. All
 * helpers in this file use the Hyper-V page size.
 *
 * PAGE_ALIGN is not redefined: Linux's PAGE_ALIGN() rounds UP to a Linux
 * page, the Windows macro of the same name rounds DOWN. Ported code must use
 * KMCL_HV_PAGE_ALIGN_DOWN() (or MmGetMdlBaseVa()) where it meant the Windows
 * PAGE_ALIGN.
 *
 * The structure, the flag values and the accessors that need no runtime
 * support are inline here. The functions that allocate, build, map and free
 * MDLs (IoAllocateMdl() and friends, declared at the end of this file) are
 * exported by kmcl.ko.
 *
 * What an MDL can describe here
 * -----------------------------
 * - kmalloc() / page-allocator memory (the kernel's direct map) and
 *   vmalloc() / vmap() memory: IoAllocateMdl() + MmBuildMdlForNonPagedPool().
 *   Virtually contiguous already, so MmGetSystemAddressForMdlSafe() returns
 *   the buffer's own address and maps nothing, as Windows does for
 *   nonpaged pool.
 * - An array of struct page: KmclAllocateMdlForPages() (a Linux extension).
 *   Such an MDL has no virtual address; MmGetSystemAddressForMdlSafe() maps
 *   it.
 * - Static data of a module is not in either range and cannot be described:
 *   allocate buffers instead.
 *
 * There is no MmProbeAndLockPages()/MmUnlockPages(): Linux kernel memory is
 * never paged out, so every buffer above is resident from the start, and user
 * memory is out of scope for kernel-mode VMBus clients. Likewise there is no
 * IRP: IoAllocateMdl() takes an Irp argument only so that ported calls
 * compile, and it must be NULL.
 *
 * Context: the Windows functions may be called at IRQL <= DISPATCH_LEVEL.
 * Here that is any context but hard interrupts. Two things need process
 * context (may sleep) in Linux: allocating a large MDL and mapping pages
 * that are not physically contiguous (vmap()). From atomic context
 * (softirq, bottom halves or interrupts disabled, and - on kernels with
 * CONFIG_PREEMPT_COUNT - a spinlock held) those return NULL instead, which
 * the Windows contract allows; unmapping is deferred to a worker. An MDL
 * mapped once in process context returns its mapping in any context.
 */
#ifndef _KMCL_MDL_H
#define _KMCL_MDL_H

#include <linux/bits.h>

#include <kmcl/wintypes.h>

/* The Hyper-V page: 4 KiB on every architecture. */
#define KMCL_HV_PAGE_SHIFT	12
#define KMCL_HV_PAGE_SIZE	BIT(KMCL_HV_PAGE_SHIFT)
#define KMCL_HV_PAGE_MASK	(~(KMCL_HV_PAGE_SIZE - 1))

/* Round a virtual address down to the start of its Hyper-V page. */
#define KMCL_HV_PAGE_ALIGN_DOWN(va)					\
	((PVOID)((ULONG_PTR)(va) & KMCL_HV_PAGE_MASK))

typedef struct _MDL {
	struct _MDL *Next;	/* next MDL of a chain, or NULL */
	CSHORT Size;		/* bytes: this header plus its PFN array */
	CSHORT MdlFlags;	/* MDL_* below */
	PVOID Process;		/* owning process of a user buffer, or NULL */
	PVOID MappedSystemVa;	/* kernel mapping, if MDL_MAPPED_TO_SYSTEM_VA */
	PVOID StartVa;		/* page-aligned virtual address of the buffer */
	ULONG ByteCount;	/* length of the buffer in bytes */
	ULONG ByteOffset;	/* offset of the buffer in its first page */
} MDL, *PMDL;

/* MdlFlags values, as Windows defines them. */
#define MDL_MAPPED_TO_SYSTEM_VA		0x0001
#define MDL_PAGES_LOCKED		0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL	0x0004
#define MDL_ALLOCATED_FIXED_SIZE	0x0008
#define MDL_PARTIAL			0x0010
#define MDL_PARTIAL_HAS_BEEN_MAPPED	0x0020
#define MDL_IO_PAGE_READ		0x0040
#define MDL_WRITE_OPERATION		0x0080
#define MDL_LOCKED_PAGE_TABLES		0x0100
#define MDL_PARENT_MAPPED_SYSTEM_VA	MDL_LOCKED_PAGE_TABLES
#define MDL_FREE_EXTRA_PTES		0x0200
#define MDL_DESCRIBES_AWE		0x0400
#define MDL_IO_SPACE			0x0800
#define MDL_NETWORK_HEADER		0x1000
#define MDL_MAPPING_CAN_FAIL		0x2000
#define MDL_PAGE_CONTENTS_INVARIANT	0x4000
#define MDL_ALLOCATED_MUST_SUCCEED	MDL_PAGE_CONTENTS_INVARIANT
#define MDL_INTERNAL			0x8000

/* Offset of a virtual address within its Hyper-V page. */
#ifndef BYTE_OFFSET
#define BYTE_OFFSET(va)							\
	((ULONG)((ULONG_PTR)(va) & (KMCL_HV_PAGE_SIZE - 1)))
#endif

/* A byte count rounded up to a whole number of Hyper-V pages. */
#ifndef ROUND_TO_PAGES
#define ROUND_TO_PAGES(size)						\
	(((ULONG_PTR)(size) + KMCL_HV_PAGE_SIZE - 1) & KMCL_HV_PAGE_MASK)
#endif

/* Number of Hyper-V pages needed to hold a byte count. */
#ifndef BYTES_TO_PAGES
#define BYTES_TO_PAGES(size)						\
	((ULONG)(((ULONG_PTR)(size) + KMCL_HV_PAGE_SIZE - 1) >>		\
		 KMCL_HV_PAGE_SHIFT))
#endif

/* Number of Hyper-V pages touched by @size bytes starting at @va. */
#ifndef ADDRESS_AND_SIZE_TO_SPAN_PAGES
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, size)			\
	((ULONG)((BYTE_OFFSET(va) + (ULONG_PTR)(size) +			\
		  KMCL_HV_PAGE_SIZE - 1) >> KMCL_HV_PAGE_SHIFT))
#endif

/**
 * MmGetMdlPfnArray() - the PFN array that follows an MDL header
 * @mdl: the MDL
 *
 * Return: pointer to the first of the MDL's PFN_NUMBER entries.
 */
static inline PPFN_NUMBER MmGetMdlPfnArray(PMDL mdl)
{
	return (PPFN_NUMBER)(mdl + 1);
}

/**
 * MmGetMdlVirtualAddress() - virtual address of the described buffer
 * @mdl: the MDL
 *
 * Return: StartVa plus ByteOffset. This address may be a user address or
 * have no mapping at all; it is a description, not something to dereference.
 */
static inline PVOID MmGetMdlVirtualAddress(PMDL mdl)
{
	return (PVOID)((PUCHAR)mdl->StartVa + mdl->ByteOffset);
}

/**
 * MmGetMdlByteCount() - length of the described buffer
 * @mdl: the MDL
 *
 * Return: the buffer length in bytes.
 */
static inline ULONG MmGetMdlByteCount(PMDL mdl)
{
	return mdl->ByteCount;
}

/**
 * MmGetMdlByteOffset() - offset of the buffer within its first page
 * @mdl: the MDL
 *
 * Return: the offset in bytes, less than KMCL_HV_PAGE_SIZE.
 */
static inline ULONG MmGetMdlByteOffset(PMDL mdl)
{
	return mdl->ByteOffset;
}

/**
 * MmGetMdlBaseVa() - page-aligned start of the described buffer
 * @mdl: the MDL
 *
 * Return: StartVa.
 */
static inline PVOID MmGetMdlBaseVa(PMDL mdl)
{
	return mdl->StartVa;
}

/**
 * MmSizeOfMdl() - bytes needed for an MDL describing a buffer
 * @base: virtual address of the buffer (only its page offset matters)
 * @length: length of the buffer in bytes
 *
 * Return: size of the MDL header plus one PFN_NUMBER per page spanned.
 */
static inline SIZE_T MmSizeOfMdl(PVOID base, SIZE_T length)
{
	return sizeof(MDL) +
	       ADDRESS_AND_SIZE_TO_SPAN_PAGES(base, length) * sizeof(PFN_NUMBER);
}

/**
 * MmInitializeMdl() - fill in the header of a caller-allocated MDL
 * @mdl: MDL of at least MmSizeOfMdl(@base, @length) bytes
 * @base: virtual address of the buffer
 * @length: length of the buffer in bytes
 *
 * Sets the header only: the PFN array is left for the caller (or a later
 * KMCL call) to fill. Process and MappedSystemVa are cleared.
 */
static inline void MmInitializeMdl(PMDL mdl, PVOID base, SIZE_T length)
{
	mdl->Next = NULL;
	mdl->Size = (CSHORT)MmSizeOfMdl(base, length);
	mdl->MdlFlags = 0;
	mdl->Process = NULL;
	mdl->MappedSystemVa = NULL;
	mdl->StartVa = KMCL_HV_PAGE_ALIGN_DOWN(base);
	mdl->ByteOffset = BYTE_OFFSET(base);
	mdl->ByteCount = (ULONG)length;
}

/*
 * Largest buffer one MDL describes: 4 GiB minus one page, the Windows 7 and
 * later limit. A longer buffer is described by a chain of MDLs. MDLs above
 * KMCL_MDL_MAX_EXACT_SIZE_PAGES pages have a Size that does not fit the
 * 16-bit field (Windows truncates it the same way): do not rely on Size for
 * those.
 */
#define KMCL_MDL_MAX_BYTE_COUNT		0xfffff000U
#define KMCL_MDL_MAX_EXACT_SIZE_PAGES					\
	((ULONG)((MAXUSHORT - sizeof(MDL)) / sizeof(PFN_NUMBER)))

/*
 * Priority argument of MmGetSystemAddressForMdlSafe(): a page priority,
 * optionally ORed with MdlMapping* flags. Priorities have no Linux
 * equivalent and are accepted and ignored. Mappings are never executable
 * (MdlMappingNoExecute is implied) and vmap() already leaves a guard page
 * after every mapping (MdlMappingWithGuardPtes). MdlMappingNoWrite makes
 * the mapping read-only when a new one is created in process context; an
 * existing mapping, or the buffer's own address, is returned as it is.
 */
typedef enum _MM_PAGE_PRIORITY {
	LowPagePriority = 0,
	NormalPagePriority = 16,
	HighPagePriority = 32
} MM_PAGE_PRIORITY;

#define MdlMappingNoWrite		0x80000000U
#define MdlMappingNoExecute		0x40000000U
#define MdlMappingWithGuardPtes		0x20000000U

/*
 * I/O request packets do not exist in Linux. The type is declared (and
 * never defined) only so that calls passing an Irp argument compile; the
 * only value KMCL accepts is NULL.
 */
#ifndef _KMCL_IRP_DECLARED
#define _KMCL_IRP_DECLARED
struct _IRP;
typedef struct _IRP IRP, *PIRP;
#endif

struct page;

/**
 * IoAllocateMdl() - allocate an MDL for a buffer
 * @VirtualAddress: start of the buffer (may be NULL if the MDL is filled in
 *	later by hand).
 * @Length: length of the buffer in bytes, 1..KMCL_MDL_MAX_BYTE_COUNT.
 * @SecondaryBuffer: Windows uses it to choose where in an IRP's MDL chain
 *	the new MDL goes. Without an IRP it has no effect, as on Windows: the
 *	new MDL is never linked to anything. Build chains by setting Next.
 * @ChargeQuota: ignored (reserved on Windows).
 * @Irp: must be NULL (Linux has no IRPs); any other value fails the call.
 *
 * Allocates room for the header and for one PFN per 4 KiB page the buffer
 * touches, and initializes the header as MmInitializeMdl() does (StartVa,
 * ByteOffset, ByteCount, Size; Next NULL; no flags). The PFN array is NOT
 * filled in: call MmBuildMdlForNonPagedPool() for kmalloc/vmalloc memory.
 * Free with IoFreeMdl().
 *
 * Context: any context but hard interrupts. From atomic context the MDL
 * comes from kmalloc(GFP_ATOMIC), so very large MDLs may fail there.
 * Return: the MDL, or NULL if an argument is invalid or memory ran out.
 */
_Ret_maybenull_ __drv_allocatesMem(Mem)
PMDL IoAllocateMdl(_In_opt_ __drv_aliasesMem PVOID VirtualAddress,
		   _In_ ULONG Length,
		   _In_ BOOLEAN SecondaryBuffer,
		   _In_ BOOLEAN ChargeQuota,
		   _Inout_opt_ PIRP Irp);

/**
 * IoFreeMdl() - free an MDL from IoAllocateMdl() or KmclAllocateMdlForPages()
 * @Mdl: the MDL, or NULL (ignored).
 *
 * Removes the MDL's system mapping first if MmGetSystemAddressForMdlSafe()
 * made one. Frees only @Mdl, not the MDLs chained to it through Next. The
 * described memory is not touched.
 *
 * Context: any context but hard interrupts.
 */
VOID IoFreeMdl(_In_opt_ __drv_freesMem(Mem) PMDL Mdl);

/**
 * MmBuildMdlForNonPagedPool() - fill in the PFNs of a kernel buffer's MDL
 * @MemoryDescriptorList: an MDL set up by IoAllocateMdl() or
 *	MmInitializeMdl() for a kmalloc(), page-allocator or vmalloc() buffer.
 *
 * Looks up the page under every 4 KiB page of the buffer, stores the Hyper-V
 * PFNs, sets MDL_SOURCE_IS_NONPAGED_POOL and sets MappedSystemVa to the
 * buffer's address. If any page cannot be resolved (not a kernel buffer of
 * those kinds), the error is logged, every PFN is set to an invalid value
 * and the MDL is left without MDL_SOURCE_IS_NONPAGED_POOL, so nothing can
 * map or send it. Does nothing for a NULL or already mapped MDL.
 *
 * Context: any context but hard interrupts.
 */
VOID MmBuildMdlForNonPagedPool(_Inout_opt_ PMDL MemoryDescriptorList);

/**
 * MmGetSystemAddressForMdlSafe() - kernel address of the memory an MDL describes
 * @Mdl: the MDL.
 * @Priority: an MM_PAGE_PRIORITY, optionally ORed with MdlMapping* flags
 *	(see MM_PAGE_PRIORITY above).
 *
 * For an MDL built by MmBuildMdlForNonPagedPool() or already mapped, returns
 * MappedSystemVa and maps nothing. Otherwise maps the MDL's pages: pages that
 * follow each other physically are reached through the kernel's direct map
 * (no new mapping, works in any context); other page sets are mapped
 * contiguously with vmap(), which needs process context. The mapping is
 * recorded in the MDL (MDL_MAPPED_TO_SYSTEM_VA), so later calls return the
 * same address, and stays until MmUnmapLockedPages() or IoFreeMdl(). Two
 * threads mapping one MDL at once get the same address.
 *
 * Context: any context but hard interrupts; see the top of this file for
 * what atomic context cannot map.
 * Return: the address of the first byte (MmGetMdlByteOffset() into the
 * first page), or NULL if the MDL is NULL, empty, inconsistent (Size
 * smaller than its pages need), describes pages that are not RAM, cannot be
 * mapped in this context, or memory ran out.
 */
_Ret_maybenull_
PVOID MmGetSystemAddressForMdlSafe(_Inout_opt_ PMDL Mdl, _In_ ULONG Priority);

/**
 * MmUnmapLockedPages() - remove the system mapping of an MDL
 * @BaseAddress: the address MmGetSystemAddressForMdlSafe() returned.
 * @MemoryDescriptorList: the MDL.
 *
 * Clears MDL_MAPPED_TO_SYSTEM_VA and MappedSystemVa and releases the
 * mapping (from atomic context the vunmap() is deferred to a worker; the
 * address must not be used after this call in either case). An MDL built by
 * MmBuildMdlForNonPagedPool() has no mapping of its own: nothing happens.
 * The external data of an incoming loopback packet may come with the
 * sender's own mapping of its buffer: the MDL forgets it and the sender's
 * mapping stays. An address that is not the MDL's mapping is logged and
 * ignored.
 *
 * Context: any context but hard interrupts.
 */
VOID MmUnmapLockedPages(_In_ PVOID BaseAddress,
			_Inout_opt_ PMDL MemoryDescriptorList);

/**
 * KmclAllocateMdlForPages() - allocate an MDL for an array of pages (Linux extension)
 * @Pages: the pages, in buffer order; they need not be contiguous.
 * @PageCount: entries in @Pages.
 * @ByteOffset: offset of the buffer in @Pages[0], below the Linux PAGE_SIZE.
 * @ByteCount: length of the buffer, 1..KMCL_MDL_MAX_BYTE_COUNT; it must end
 *	within @Pages[@PageCount - 1].
 *
 * For memory that has pages but no kernel virtual address of its own (for
 * example alloc_pages() results gathered from several places). The MDL has
 * StartVa NULL (MmGetMdlVirtualAddress() is only the offset), its PFN array
 * filled in, and MDL_PAGES_LOCKED set; map it with
 * MmGetSystemAddressForMdlSafe(). The MDL takes no page references: the
 * caller keeps the pages allocated until IoFreeMdl(). Only the pages the
 * buffer touches are read from @Pages.
 *
 * Context: any context but hard interrupts.
 * Return: the MDL, or NULL if an argument is invalid or memory ran out.
 */
_Ret_maybenull_ __drv_allocatesMem(Mem)
PMDL KmclAllocateMdlForPages(_In_reads_(PageCount) struct page **Pages,
			     _In_ ULONG PageCount, _In_ ULONG ByteOffset,
			     _In_ ULONG ByteCount);

#endif /* _KMCL_MDL_H */
