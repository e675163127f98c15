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
 * Only the structure, the flag values and accessors that need no runtime
 * support are here. Functions that allocate, build or map MDLs belong to the
 * KMCL core.
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

#endif /* _KMCL_MDL_H */
