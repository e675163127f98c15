/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Windows kernel base types for Linux kernel code ported from Windows.
 *
 * Windows is LLP64, Linux is LP64: LONG and ULONG are 32 bits wide on both
 * x86_64 and arm64 Windows, while a Linux "long" is 64 bits. Every type here
 * is therefore built from the fixed-width kernel types (u32, s64, ...) and
 * only the pointer-sized ones (ULONG_PTR, LONG_PTR, SIZE_T) use "long".
 * The tests in kmcl/tests/winapi_kunit.c pin the sizes.
 *
 * Context levels (KIRQL) map as follows:
 *   PASSIVE_LEVEL  - process context, may sleep.
 *   APC_LEVEL      - process context; treated like PASSIVE_LEVEL.
 *   DISPATCH_LEVEL - softirq/BH context (or with a spinlock held), must not
 *                    sleep.
 *
 * A Windows DEVICE_OBJECT is a Linux struct device here, so PDEVICE_OBJECT is
 * a struct device pointer.
 *
 * GUIDs use the Windows memory layout, which is also the layout of Linux's
 * guid_t (first three fields little-endian), so the two can be copied into
 * each other byte for byte on the little-endian targets we support.
 *
 * Every name is guarded: including this file twice, or after a header that
 * already provides a name, is harmless.
 */
#ifndef _KMCL_WINTYPES_H
#define _KMCL_WINTYPES_H

#include <linux/types.h>
#include <linux/build_bug.h>
#include <linux/string.h>
#include <asm/byteorder.h>

#include <kmcl/ntstatus.h>
#include <kmcl/sal.h>

#ifndef __LITTLE_ENDIAN
#error "KMCL: the Windows types assume a little-endian CPU"
#endif

struct device;

/* Calling conventions and helpers that have no meaning for GCC on Linux. */
#ifndef NTAPI
#define NTAPI
#endif
#ifndef FASTCALL
#define FASTCALL
#endif
#ifndef CONST
#define CONST const
#endif
/*
 * Windows spells this __forceinline; for C code the nearest equivalent is
 * "static inline". Write FORCEINLINE on its own, never "static FORCEINLINE".
 */
#ifndef FORCEINLINE
#define FORCEINLINE static inline
#endif
#ifndef C_ASSERT
#define C_ASSERT(expr) static_assert(expr)
#endif
#ifndef UNREFERENCED_PARAMETER
#define UNREFERENCED_PARAMETER(param) ((void)(param))
#endif

/* Scalar types. */
#ifndef VOID
#define VOID void
#endif
typedef void *PVOID;
typedef char CHAR, *PCHAR, *PSTR;
typedef const char *PCSTR;
typedef u8 UCHAR, *PUCHAR;
typedef s16 SHORT, *PSHORT;
typedef u16 USHORT, *PUSHORT;
typedef s16 CSHORT;
typedef s32 LONG, *PLONG;
typedef u32 ULONG, *PULONG;
typedef s32 INT, *PINT;
typedef u32 UINT, *PUINT;
typedef s64 LONGLONG, *PLONGLONG;
typedef u64 ULONGLONG, *PULONGLONG;
typedef s32 LONG32, *PLONG32;
typedef u32 ULONG32, *PULONG32;
typedef s64 LONG64, *PLONG64;
typedef u64 ULONG64, *PULONG64;
typedef s8 INT8, *PINT8;
typedef s16 INT16, *PINT16;
typedef s32 INT32, *PINT32;
typedef s64 INT64, *PINT64;
typedef u8 UINT8, *PUINT8;
typedef u16 UINT16, *PUINT16;
typedef u32 UINT32, *PUINT32;
typedef u64 UINT64, *PUINT64;

/* Pointer-sized integers: "long" is pointer sized on every Linux ABI. */
typedef long LONG_PTR, *PLONG_PTR;
typedef unsigned long ULONG_PTR, *PULONG_PTR;
typedef ULONG_PTR SIZE_T, *PSIZE_T;

/* BOOLEAN is one byte, as on Windows; TRUE and FALSE are plain ints. */
typedef u8 BOOLEAN, *PBOOLEAN;
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/*
 * Wide characters are UTF-16 code units. The kernel is built with
 * -fshort-wchar, so L"..." literals have 16-bit elements on every supported
 * kernel; u"..." literals need the -std=gnu11 of Linux 5.18 and later.
 */
typedef u16 WCHAR, *PWCHAR, *PWCH, *PWSTR;
typedef const u16 *PCWCH, *PCWSTR;

#ifndef MAXUCHAR
#define MAXUCHAR	0xffU
#endif
#ifndef MAXUSHORT
#define MAXUSHORT	0xffffU
#endif
#ifndef MAXULONG
#define MAXULONG	0xffffffffU
#endif
#ifndef MAXLONG
#define MAXLONG		0x7fffffff
#endif

/* Opaque handles. */
typedef void *HANDLE, **PHANDLE;

#ifndef DECLARE_HANDLE
/*
 * Each handle kind is a pointer to its own dummy struct, so handles of
 * different kinds cannot be mixed up without a cast.
 */
#define DECLARE_HANDLE(name)					\
	struct name##__ { int unused; };			\
	typedef struct name##__ *name
#endif

/* Interrupt request level; see the table at the top of this file. */
typedef u8 KIRQL, *PKIRQL;
#ifndef PASSIVE_LEVEL
#define PASSIVE_LEVEL	0
#endif
#ifndef APC_LEVEL
#define APC_LEVEL	1
#endif
#ifndef DISPATCH_LEVEL
#define DISPATCH_LEVEL	2
#endif

/* 64-bit integers that can also be read as two 32-bit halves. */
typedef union _LARGE_INTEGER {
	struct {
		ULONG LowPart;
		LONG HighPart;
	};
	struct {
		ULONG LowPart;
		LONG HighPart;
	} u;
	LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
	struct {
		ULONG LowPart;
		ULONG HighPart;
	};
	struct {
		ULONG LowPart;
		ULONG HighPart;
	} u;
	ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

/* GUIDs. */
typedef struct _GUID {
	u32 Data1;
	u16 Data2;
	u16 Data3;
	u8 Data4[8];
} GUID, *PGUID, *LPGUID;
typedef const struct _GUID *LPCGUID, *REFGUID;

#ifndef _KMCL_GUID_HELPERS
#define _KMCL_GUID_HELPERS
/**
 * InlineIsEqualGUID() - compare two GUIDs
 * @guid1: first GUID
 * @guid2: second GUID
 *
 * Return: nonzero if both GUIDs hold the same 16 bytes, 0 otherwise.
 */
static inline int InlineIsEqualGUID(const GUID *guid1, const GUID *guid2)
{
	return !memcmp(guid1, guid2, sizeof(GUID));
}

#define IsEqualGUID(guid1, guid2) InlineIsEqualGUID(guid1, guid2)
#endif

/*
 * Counted UTF-16 strings. Length and MaximumLength are in bytes, not
 * characters, and Buffer need not be NUL-terminated.
 */
typedef struct _UNICODE_STRING {
	USHORT Length;
	USHORT MaximumLength;
	PWCH Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const struct _UNICODE_STRING *PCUNICODE_STRING;

/*
 * RTL_CONSTANT_STRING() - initializer for a UNICODE_STRING from a wide
 * literal, e.g. RTL_CONSTANT_STRING(L"netvsc"). Length excludes the
 * terminating NUL, MaximumLength includes it.
 */
#ifndef RTL_CONSTANT_STRING
#define RTL_CONSTANT_STRING(s) {				\
	.Length = sizeof(s) - sizeof((s)[0]),			\
	.MaximumLength = sizeof(s),				\
	.Buffer = (PWCH)(s),					\
}
#endif

/* Memory helpers. */
#ifndef RtlZeroMemory
#define RtlZeroMemory(dst, len)		memset((dst), 0, (len))
#endif
#ifndef RtlFillMemory
#define RtlFillMemory(dst, len, fill)	memset((dst), (fill), (len))
#endif
#ifndef RtlCopyMemory
#define RtlCopyMemory(dst, src, len)	memcpy((dst), (src), (len))
#endif
#ifndef RtlMoveMemory
#define RtlMoveMemory(dst, src, len)	memmove((dst), (src), (len))
#endif
#ifndef RtlEqualMemory
#define RtlEqualMemory(a, b, len)	(!memcmp((a), (b), (len)))
#endif

/* Device objects are Linux devices. */
typedef struct device DEVICE_OBJECT, *PDEVICE_OBJECT;

/*
 * The WDM INTERFACE header that starts every driver-defined interface
 * table. InterfaceReference/InterfaceDereference take and drop a reference
 * on whatever Context stands for (for KMCL: the providing module).
 */
typedef void (*PINTERFACE_REFERENCE)(PVOID Context);
typedef void (*PINTERFACE_DEREFERENCE)(PVOID Context);

typedef struct _INTERFACE {
	USHORT Size;
	USHORT Version;
	PVOID Context;
	PINTERFACE_REFERENCE InterfaceReference;
	PINTERFACE_DEREFERENCE InterfaceDereference;
} INTERFACE, *PINTERFACE;

/* Page frame numbers; see kmcl/mdl.h for the page size they count in. */
typedef ULONG_PTR PFN_NUMBER, *PPFN_NUMBER;

#endif /* _KMCL_WINTYPES_H */

/**
 * DEFINE_GUID() - declare (or, with INITGUID, define) a named GUID constant
 * @name: identifier of the const GUID object
 * @l: Data1
 * @w1: Data2
 * @w2: Data3
 * @b1: Data4[0]
 * @b2: Data4[1]
 * @b3: Data4[2]
 * @b4: Data4[3]
 * @b5: Data4[4]
 * @b6: Data4[5]
 * @b7: Data4[6]
 * @b8: Data4[7]
 *
 * Same contract as Windows: without INITGUID this only declares
 * "extern const GUID name;". A source file that does "#define INITGUID"
 * before including the headers that use DEFINE_GUID also gets the
 * definitions. They are weak (the Linux spelling of Windows' selectany), so
 * several such files in one module still link into a single copy.
 *
 * Like Windows' guiddef.h, this block sits outside the include guard and
 * follows the INITGUID setting of each inclusion.
 */
#undef DEFINE_GUID
#ifdef INITGUID
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)	\
	extern const GUID name;						\
	const GUID __weak name = {					\
		l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 }		\
	}
#else
#define DEFINE_GUID(name, ...) extern const GUID name
#endif
