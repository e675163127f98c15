#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Feature probes for the KMCL core (kmcl.ko, the KUnit modules): compile one
# tiny file per feature against the target kernel and print
# -DKMCL_HAVE_<FEATURE> for each that compiles. kmcl/core_compat.h turns these
# into one spelling; nothing else in the core looks at kernel versions.
#
# Usage (from Kbuild, in the kernel's object tree):
#   probe.sh CACHE_FILE COMPILER [FLAGS...]
# The answer is cached in CACHE_FILE, keyed on this script, the compiler
# command and the kernel configuration.

cache=$1
shift

key=$({ cat "$0" include/generated/autoconf.h 2>/dev/null
	printf '%s\n' "$@"; } | cksum)
if [ -r "$cache" ] && [ "$(head -n 1 "$cache")" = "# $key" ]; then
	tail -n +2 "$cache"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kmcl_probe.XXXXXX") || exit 1
[ -n "${KMCL_PROBE_KEEP:-}" ] && echo "probe logs: $tmp" >&2 || trap 'rm -rf "$tmp"' EXIT

# compile NAME BODY: -DKMCL_HAVE_NAME when BODY compiles.
compile() {
	name=$1
	printf '%s\n' '#include <linux/module.h>' "$2" >"$tmp/$name.c"
	if $CC_CMD -fsyntax-only -DKBUILD_MODNAME='"kmcl_probe"' \
		-Werror=implicit-function-declaration \
		-Werror=incompatible-pointer-types \
		-x c "$tmp/$name.c" >"$tmp/$name.log" 2>&1; then
		echo "-DKMCL_HAVE_$name" >>"$tmp/out"
	fi
}

CC_CMD="$*"
: >"$tmp/out"

# 6.13: symbol namespaces are string literals. Before, MODULE_IMPORT_NS()
# stringified a bare identifier, so an undeclared one still compiled.
compile NS_IDENTIFIER 'MODULE_IMPORT_NS(KMCL_PROBE_NS);'

# 6.17-ish: a hand-written KUnit parameter generator takes the test first.
compile KUNIT_GEN_PARAMS_TEST '#include <kunit/test.h>
static const void *g(struct kunit *t, const void *p, char *d) { return p; }
static void c(struct kunit *t) { }
struct kunit_case kmcl_probe[] = { KUNIT_CASE_PARAM(c, g), {} };'

# 5.11: kmap_local_page() (the bounce pool copies with it).
compile KMAP_LOCAL '#include <linux/highmem.h>
void kmcl_probe(struct page *p);
void kmcl_probe(struct page *p) { kunmap_local(kmap_local_page(p)); }'

out=$(sort "$tmp/out" | tr '\n' ' ')
mkdir -p "$(dirname "$cache")"
{ echo "# $key"; echo "$out"; } >"$tmp/cache" && mv -f "$tmp/cache" "$cache"
echo "$out"
