#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make check`: build the test kernel (once), build our modules against it,
# boot them in QEMU and decide the verdict. See tools/testing/qemu/README.
#
# Environment: KMCL_CACHE (kernel cache), KMCL_OUT (this run's files),
# KMCL_ACCEL (kvm|tcg, default: kvm when it works), KMCL_EXTRA_MODULES (more
# .ko files to load and unload after the KUnit modules, for the harness
# self-test), KMCL_TIMEOUT (seconds the guest may run), KMCL_SRC (the
# module object tree, default $KMCL_OUT/src-<test kernel>).
#
# A partial run while developing: KMCL_ONLY=GLOB runs only the KUnit suites
# whose names match the shell glob (e.g. 'kmcl_subchannel*'; KUnit's own
# kunit.filter_glob), KMCL_KSELFTESTS="a.sh b.sh" only those scripts
# ("none": none). A partial run says so in its verdict; CI never sets them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$KMCL_QEMU_DIR/deps.sh" check
kbuild=$("$KMCL_QEMU_DIR/build-kernel.sh")
ksrc=$(readlink -f "$kbuild/source")

mkdir -p "$KMCL_OUT" || die "cannot create $KMCL_OUT"
need_space "$KMCL_OUT" 1
out=$(cd "$KMCL_OUT" && pwd)
# One object tree per test kernel, so make check and make check KERNEL=7.3
# do not rebuild each other's objects, and the matrix's test-kernel lines
# and check-harness can reuse them. KMCL_SRC names another (check-harness).
src=${KMCL_SRC:-$out/src-$KMCL_KERNEL}

kmcl_copy_tree "$src"
kmcl_build_modules "$kbuild" "$src"

mods="$out/initramfs/lib/kmcl"
rm -rf "$out/initramfs"
mkdir -p "$mods" "$out/initramfs/kselftest/kmcl" "$out/initramfs/kselftest/kselftest"
kunit_mods=""
for ko in $(find "$src" -name '*.ko' | sort); do
	cp "$ko" "$mods/"
done
[ -f "$mods/kmcl.ko" ] || die "kmcl.ko was not built"
cp "$KMCL_QEMU_DIR/kcsan-ignore" "$mods/" || die "cannot copy kcsan-ignore"
for ko in "$mods"/*_kunit.ko; do
	[ -e "$ko" ] && kunit_mods="$kunit_mods $(basename "$ko" .ko)"
done
extra=""
for ko in ${KMCL_EXTRA_MODULES:-}; do
	cp "$ko" "$mods/" || die "cannot copy $ko"
	extra="$extra $(basename "$ko" .ko)"
done
echo $kunit_mods $extra | tr ' ' '\n' | sed '/^$/d' >"$mods/kunit-modules"
# Unload in reverse order of loading, core last.
{ echo $extra $kunit_mods | tr ' ' '\n' | sed '/^$/d' | tac; echo kmcl; } \
	>"$mods/unload-order"

ksel=${KMCL_KSELFTESTS:-}
if [ -z "$ksel" ]; then
	cp "$KMCL_TOP"/tools/testing/selftests/kmcl/*.sh "$out/initramfs/kselftest/kmcl/" 2>/dev/null || true
elif [ "$ksel" != none ]; then
	for t in $ksel; do
		cp "$KMCL_TOP/tools/testing/selftests/kmcl/$t" "$out/initramfs/kselftest/kmcl/" ||
			die "no kselftest $t"
	done
fi
cp "$ksrc/tools/testing/selftests/kselftest/ktap_helpers.sh" \
	"$out/initramfs/kselftest/kselftest/"

# What must have happened for a pass, taken from the sources themselves.
suites=$(grep -ho '\.name[[:space:]]*=[[:space:]]*"kmcl_[a-z0-9_]*"' \
	"$src"/kmcl/tests/*.c "$src"/kmcl/hv/tests/*.c 2>/dev/null |
	sed 's/.*"\(.*\)"/\1/' | sort -u | tr '\n' ' ' || true)
scripts=$(cd "$out/initramfs/kselftest/kmcl" 2>/dev/null &&
	ls *.sh 2>/dev/null | tr '\n' ' ' || true)
partial=""
if [ -n "${KMCL_ONLY:-}" ]; then
	only=""
	for s in $suites; do
		# shellcheck disable=SC2053 # KMCL_ONLY is a glob on purpose
		[[ $s == $KMCL_ONLY ]] && only="$only $s"
	done
	suites=$only
	kmcl_boot_extra=" kunit.filter_glob=$KMCL_ONLY"
	partial="KMCL_ONLY=$KMCL_ONLY"
fi
[ -n "$ksel" ] && partial="$partial KMCL_KSELFTESTS=$ksel"
[ -n "$partial" ] && note "partial run ($partial): not a full make check"

kmcl_boot_extra="${kmcl_boot_extra:-}${KMCL_BOOT_EXTRA:+ $KMCL_BOOT_EXTRA}"
kmcl_pack_initramfs "$kbuild" "$out" "$KMCL_QEMU_DIR/init.sh"

kmcl_pick_accel "$kbuild" "$out"
if [ "$accel" = kvm ]; then
	tmo=${KMCL_TIMEOUT:-600}
else
	# TCG on a loaded 2-core machine: the guest took ~19 min once the 30 s
	# stress and the 10 load rounds were added.
	tmo=${KMCL_TIMEOUT:-1800}
fi
kmcl_boot "$kbuild" "$out" "$tmo"

echo "kmcl: results (console: $out/console.log, report: $out/report.log)"
rc=0
python3 "$KMCL_QEMU_DIR/verdict.py" --report "$out/report.log" \
	--console "$out/console.log" --suites "$suites" --kselftests "$scripts" \
	--modules "kmcl $kunit_mods $extra" || rc=$?
[ -z "$partial" ] || echo "kmcl: partial run ($partial): not a full make check"
exit $rc
