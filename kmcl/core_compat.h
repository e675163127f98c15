/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-version differences of the KMCL core, in one place. Each branch
 * is chosen by a feature probe (kmcl/probe.sh, run from Kbuild.include),
 * never by version numbers: stable and distribution kernels move APIs
 * between versions. kmcl_hv has its own, kmcl/hv/compat.h.
 */
#ifndef _KMCL_CORE_COMPAT_H
#define _KMCL_CORE_COMPAT_H

#include <linux/export.h>
#include <linux/module.h>

#ifndef KMCL_CORE_PROBED
#error "the core's feature probes did not run (include kmcl/Kbuild.include)"
#endif

/*
 * Symbol namespaces. Up to 6.12 the namespace argument of
 * EXPORT_SYMBOL_NS_GPL() is a bare identifier that the macro stringifies;
 * from 6.13 it is a string literal. EXPORT_SYMBOL_KMCL_NS() takes the identifier
 * on every kernel. Imports use MODULE_INFO(import_ns, ...), which has
 * taken a string on every kernel.
 */
#ifdef KMCL_HAVE_NS_IDENTIFIER
#define EXPORT_SYMBOL_KMCL_NS(sym, ns)	EXPORT_SYMBOL_NS_GPL(sym, ns)
#else
#define EXPORT_SYMBOL_KMCL_NS(sym, ns)	EXPORT_SYMBOL_NS_GPL(sym, #ns)
#endif

/* The public API, namespace KMCL (imported with KMCL_IMPORT_NS()). */
#define EXPORT_SYMBOL_KMCL(sym)	EXPORT_SYMBOL_KMCL_NS(sym, KMCL)

/* Import namespace @ns (an identifier) into the module being built. */
#define KMCL_IMPORT(ns)		MODULE_INFO(import_ns, #ns)

/*
 * KUnit parameter generators written by hand (not KUNIT_ARRAY_PARAM): newer
 * kernels pass the test first. Declare one as
 *	static const void *gen(KMCL_KUNIT_GEN_TEST const void *prev, char *desc)
 */
#ifdef KMCL_HAVE_KUNIT_GEN_PARAMS_TEST
#define KMCL_KUNIT_GEN_TEST	struct kunit *kmcl_gen_test,
#else
#define KMCL_KUNIT_GEN_TEST
#endif

/*
 * A short-lived mapping of one page in any context: kmap_local_page()
 * from 5.11. Before it, the kernels KMCL supports (64-bit, no highmem)
 * reach every page through the direct map.
 */
#ifdef KMCL_HAVE_KMAP_LOCAL
#define kmcl_kmap(page)		kmap_local_page(page)
#define kmcl_kunmap(va)		kunmap_local(va)
#else
#define kmcl_kmap(page)		page_address(page)
static inline void kmcl_kunmap(void *va)
{
}
#endif

#endif /* _KMCL_CORE_COMPAT_H */
