#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make style`: checkpatch --strict and sparse over the project, both clean.
#
# The Windows-named public headers (include/vmbuskernelmodeclientlibapi.h and
# include/kmcl/*.h) reproduce Microsoft's API: its names are CamelCase and it
# is made of typedefs, and SAL annotations are macros that expand to nothing.
# For those files only, these checkpatch types are ignored:
#   CAMELCASE, NEW_TYPEDEFS   the Windows names and typedefs themselves
#   SPACING                   checkpatch takes upper-case Windows type names
#                             (VMBCHANNEL *Channel) for multiplications
#   OPEN_ENDED_LINE           kernel-doc needs `typedef NTSTATUS FN_X(` on
#                             one line for the longest FN_ names
#   COMPLEX_MACRO, MACRO_ARG_PRECEDENCE, MACRO_ARG_REUSE, MACRO_ARG_UNUSED
#                             FORCEINLINE, DECLARE_HANDLE (token pasting),
#                             DEFINE_GUID and the SAL macros, which by
#                             definition expand to nothing
# Source files written with Windows names on purpose -- the API boundary
# (kmcl/api_*.c), the KUnit suites and the kmcl_hv test helpers, which drive
# the API by its Windows names, and the samples, which are ported VSCs -- may
# ignore CAMELCASE and
# NEW_TYPEDEFS only; so may the benchmark's KMCL side
# (tools/testing/bench/kmcl_side.c) and the stress module (tools/testing/stress/).
# Everything else is checked in full.
#
# Kernel-version tests (LINUX_VERSION_CODE, KERNEL_VERSION) are allowed only
# in kmcl/hv/compat.h.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$KMCL_QEMU_DIR/deps.sh" style
kbuild=$("$KMCL_QEMU_DIR/build-kernel.sh")
ksrc=$(readlink -f "$kbuild/source")
cp="$ksrc/scripts/checkpatch.pl"
cd "$KMCL_TOP"
fail=0

files() {
	git ls-files -co --exclude-standard -- "$@" 2>/dev/null
}

cpopts=(--no-tree --strict --quiet --show-types --terse -f)
public=$(files 'include/*.h')
windows=$(files 'kmcl/api_*.c' 'kmcl/tests/*.c' 'kmcl/tests/*.h' \
	'kmcl/hv/tests/chan_kunit.c' 'kmcl/hv/tests/races_kunit.c' \
	'kmcl/hv/tests/cvm_kunit.c' 'kmcl/hv/tests/pipe_kunit.c' \
	'kmcl/hv/tests/subchan_kunit.c' 'kmcl/hv/tests/hostile_kunit.c' \
	'kmcl/hv/tests/affinity_kunit.c' 'kmcl/hv/tests/buf_kunit.c' \
	'kmcl/hv/tests/selftest_helper.c' 'kmcl/hv/tests/stress_kunit.c' \
	'kmcl/hv/tests/ic_kunit.c' 'kmcl/hv/tests/model_ic.c' 'kmcl/hv/tests/model_ic.h' \
	'samples/*.c' 'samples/*.h' 'tools/testing/bench/kmcl_side.c' \
	'tools/testing/stress/*.c' 'tools/testing/stress/*.h')
private=$(files 'kmcl/*.c' 'kmcl/*.h' 'tools/testing/bench/*.c' \
	'tools/testing/bench/*.h' | grep -vxF "$windows" || true)

if [ -n "$private" ]; then
	# shellcheck disable=SC2086
	if ! perl "$cp" "${cpopts[@]}" $private; then
		fail=1
	fi
fi
if [ -n "$windows" ]; then
	# shellcheck disable=SC2086
	if ! perl "$cp" "${cpopts[@]}" --ignore CAMELCASE,NEW_TYPEDEFS $windows; then
		fail=1
	fi
fi
if [ -n "$public" ]; then
	# shellcheck disable=SC2086
	if ! perl "$cp" "${cpopts[@]}" \
		--ignore CAMELCASE,NEW_TYPEDEFS,SPACING,OPEN_ENDED_LINE,COMPLEX_MACRO,MACRO_ARG_PRECEDENCE,MACRO_ARG_REUSE,MACRO_ARG_UNUSED \
		$public; then
		fail=1
	fi
fi
[ $fail -eq 0 ] && echo "style: checkpatch --strict clean"

v=$(git grep -lE 'LINUX_VERSION_CODE|KERNEL_VERSION\(' -- kmcl include samples |
	grep -v '^kmcl/hv/compat\.h$' || true)
if [ -n "$v" ]; then
	echo "style: kernel-version checks outside kmcl/hv/compat.h: $v"
	fail=1
fi

# sparse over a private copy, with endianness checks.
work="$KMCL_OUT/sparse"
rm -rf "$work"
mkdir -p "$work"
files . | rsync -a --files-from=- "$KMCL_TOP/" "$work/"
log="$work/sparse.log"
make -C "$kbuild" M="$work" C=2 CF="-D__CHECK_ENDIAN__" -j"$(nproc)" modules \
	>"$log" 2>&1 || { echo "style: build under sparse failed ($log)"; fail=1; }
if grep -E ': (warning|error):' "$log"; then
	echo "style: sparse reported the lines above"
	fail=1
else
	echo "style: sparse clean"
fi
exit $fail
