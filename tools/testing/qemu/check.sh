#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make check`: build the test kernel (once), build our modules against it,
# boot them in QEMU and decide the verdict. See tools/testing/qemu/README.
#
# Environment: KMCL_CACHE (kernel cache), KMCL_OUT (this run's files),
# KMCL_ACCEL (kvm|tcg, default: kvm when it works), KMCL_EXTRA_MODULES (more
# .ko files to load and unload after the KUnit modules, for the harness
# self-test), KMCL_TIMEOUT (seconds the guest may run).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$KMCL_QEMU_DIR/deps.sh" check
kbuild=$("$KMCL_QEMU_DIR/build-kernel.sh")
ksrc=$(readlink -f "$kbuild/source")

mkdir -p "$KMCL_OUT" || die "cannot create $KMCL_OUT"
need_space "$KMCL_OUT" 1
out=$(cd "$KMCL_OUT" && pwd)
src="$out/src"

# Build from a copy, so the work tree stays free of objects and two runs with
# different KMCL_OUT never share one.
if git -C "$KMCL_TOP" rev-parse --git-dir >/dev/null 2>&1; then
	mkdir -p "$src"
	(cd "$KMCL_TOP" && git ls-files -co --exclude-standard -z) |
		rsync -a --delete --from0 --files-from=- "$KMCL_TOP/" "$src/"
	# --files-from does not delete files removed from the tree: prune them.
	(cd "$src" && find . -type f \( -name '*.c' -o -name '*.h' -o -name Kbuild \
		-o -name Makefile -o -name '*.sh' \) -print) | while read -r f; do
		[ -e "$KMCL_TOP/$f" ] || rm -f "$src/$f"
	done
else
	rsync -a --delete --exclude build "$KMCL_TOP/" "$src/"
fi

note "building modules against $kbuild"
make -s -C "$kbuild" M="$src" W=1 KMCL_WERROR=y -j"$(nproc)" modules ||
	die "module build failed"

mods="$out/initramfs/lib/kmcl"
rm -rf "$out/initramfs"
mkdir -p "$mods" "$out/initramfs/kselftest/kmcl" "$out/initramfs/kselftest/kselftest"
kunit_mods=""
for ko in $(find "$src" -name '*.ko' | sort); do
	cp "$ko" "$mods/"
done
[ -f "$mods/kmcl.ko" ] || die "kmcl.ko was not built"
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

cp "$KMCL_TOP"/tools/testing/selftests/kmcl/*.sh "$out/initramfs/kselftest/kmcl/" 2>/dev/null || true
cp "$ksrc/tools/testing/selftests/kselftest/ktap_helpers.sh" \
	"$out/initramfs/kselftest/kselftest/"

# What must have happened for a pass, taken from the sources themselves.
suites=$(grep -ho '\.name[[:space:]]*=[[:space:]]*"kmcl_[a-z0-9_]*"' \
	"$src"/kmcl/tests/*.c "$src"/kmcl/hv/tests/*.c 2>/dev/null |
	sed 's/.*"\(.*\)"/\1/' | sort -u | tr '\n' ' ' || true)
scripts=$(cd "$KMCL_TOP/tools/testing/selftests/kmcl" 2>/dev/null &&
	ls *.sh 2>/dev/null | tr '\n' ' ' || true)

spec="$out/initramfs.spec"
{
	echo "dir /dev 755 0 0"
	echo "nod /dev/console 600 0 0 c 5 1"
	echo "dir /bin 755 0 0"
	echo "file /bin/busybox /bin/busybox 755 0 0"
	echo "file /init $KMCL_QEMU_DIR/init.sh 755 0 0"
	for d in proc sys tmp lib kselftest; do echo "dir /$d 755 0 0"; done
	(cd "$out/initramfs" && find lib kselftest -mindepth 1) | sort | while read -r p; do
		if [ -d "$out/initramfs/$p" ]; then
			echo "dir /$p 755 0 0"
		else
			echo "file /$p $out/initramfs/$p 644 0 0"
		fi
	done
} >"$spec"
"$kbuild/usr/gen_init_cpio" "$spec" >"$out/initramfs.cpio" ||
	die "cannot build the initramfs"

# KVM where it works. /dev/kvm can exist and still be useless: under some
# nested hypervisors (PVM, for one) a guest kernel crawls and prints nothing
# for minutes. So boot the test kernel once with KVM and require its first
# console line within a few seconds; otherwise fall back to TCG and say why.
kvm_usable() {
	local log="$out/kvm-probe.log"
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || {
		note "no usable KVM: /dev/kvm is missing or not accessible"
		return 1
	}
	rm -f "$log"
	timeout 15 qemu-system-x86_64 -accel kvm -cpu host,-arch-capabilities \
		-nodefaults -display none -no-reboot -machine q35 -m 256M \
		-kernel "$kbuild/vmlinux" -append "console=ttyS0 panic=-1" \
		-serial file:"$log" -monitor none >/dev/null 2>&1 || true
	grep -aq 'Linux version' "$log" 2>/dev/null && return 0
	note "no usable KVM: a guest under /dev/kvm printed nothing within 15 s (nested virtualization too slow)"
	return 1
}

accel=${KMCL_ACCEL:-}
if [ -z "$accel" ]; then
	if kvm_usable; then
		accel=kvm
	else
		accel=tcg
		note "falling back to TCG (software emulation): slower, same tests"
	fi
fi
if [ "$accel" = kvm ]; then
	qaccel=(-accel kvm -cpu host,-arch-capabilities)
	tmo=${KMCL_TIMEOUT:-600}
else
	qaccel=(-accel tcg -cpu max)
	tmo=${KMCL_TIMEOUT:-1200}
fi

rm -f "$out/console.log" "$out/report.log"
note "booting the test kernel ($accel, limit ${tmo}s)"
set +e
timeout --foreground "$tmo" qemu-system-x86_64 "${qaccel[@]}" \
	-nodefaults -nographic -no-reboot -monitor none -display none \
	-machine q35 -smp 2 -m 1G \
	-kernel "$kbuild/vmlinux" -initrd "$out/initramfs.cpio" \
	-append "console=ttyS0 panic_on_warn=1 oops=panic softlockup_panic=1 kmemleak=on" \
	-chardev file,id=con,path="$out/console.log" -serial chardev:con \
	-chardev file,id=rep,path="$out/report.log" -serial chardev:rep
qrc=$?
set -e
[ "$qrc" -eq 124 ] && note "guest timed out after ${tmo}s"
[ -s "$out/console.log" ] || die "QEMU produced no console output (exit $qrc)"

echo "kmcl: results (console: $out/console.log, report: $out/report.log)"
python3 "$KMCL_QEMU_DIR/verdict.py" --report "$out/report.log" \
	--console "$out/console.log" --suites "$suites" --kselftests "$scripts" \
	--modules "kmcl $kunit_mods $extra"
