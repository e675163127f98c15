# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the KMCL test harness scripts. Sourced, never run.

KMCL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
KMCL_QEMU_DIR="$KMCL_TOP/tools/testing/qemu"
# Everything built or downloaded lives outside git, in one cache.
KMCL_CACHE=${KMCL_CACHE:-${XDG_CACHE_HOME:-${HOME:-/var/cache}/.cache}/kmcl}
# Per-run output (module build tree, initramfs, logs); KMCL_OUT lets two
# checkouts or two runs on one machine stay apart.
KMCL_OUT=${KMCL_OUT:-$KMCL_TOP/build}
# Absolute from here on: some steps run make -C elsewhere with it.
case "$KMCL_OUT" in /*) ;; *) KMCL_OUT=$PWD/$KMCL_OUT ;; esac

# The test kernel (make check KERNEL=...): KMCL_KERNEL names its series.
#   6.12  Debian bookworm's linux-source-6.12, built on the host (default).
#   7.3   linux-source-7.3 from trixie-backports, built with trixie's
#         compiler in the trixie chroot (chroot.sh); QEMU still runs here.
#   6.12-kcsan  the 6.12 source with kcsan.config in place of debug.config:
#         KCSAN instead of KASAN, for make stress only.
# KMCL_SUITE is the chroot suite that builds for the kernel, empty for the host.
KMCL_KERNEL=${KMCL_KERNEL:-6.12}
case "$KMCL_KERNEL" in
6.12) KMCL_SUITE="" ;;
7.3) KMCL_SUITE=trixie ;;
6.12-kcsan) KMCL_SUITE="" ;;
*) echo "kmcl: error: unknown test kernel '$KMCL_KERNEL' (6.12, 7.3 or 6.12-kcsan)" >&2; exit 1 ;;
esac
KMCL_SRC_PKG=linux-source-${KMCL_KERNEL%-kcsan}

die() {
	echo "kmcl: error: $*" >&2
	exit 1
}

note() {
	echo "kmcl: $*" >&2
}

# need_space DIR GIB: fail with a clear message when DIR's file system is short.
need_space() {
	local dir=$1 gib=$2 avail
	mkdir -p "$dir" || die "cannot create $dir"
	avail=$(df -Pk "$dir" | awk 'NR == 2 { print int($4 / 1048576) }')
	[ "${avail:-0}" -ge "$gib" ] ||
		die "disk full: $dir has ${avail:-0} GiB free, ${gib} GiB needed"
}

# kmcl_run CMD...: CMD where the test kernel's compiler is: on the host for
# 6.12, in KMCL_SUITE's chroot for a newer kernel (same paths on both sides).
kmcl_run() {
	if [ -n "$KMCL_SUITE" ] && [ -z "${KMCL_IN_CHROOT:-}" ]; then
		"$KMCL_QEMU_DIR/chroot.sh" "$KMCL_SUITE" run "$@"
	else
		"$@"
	fi
}

# kmcl_kconfig_dir: where the test kernel's config fragments (kernel.config,
# debug.config) are. 6.12 takes them as they are. A newer kernel renamed or
# retyped some options: kernel-$KMCL_KERNEL.config holds its values, which
# replace kernel.config's lines for the same symbols in a copy made here.
kmcl_kconfig_dir() {
	local over="$KMCL_QEMU_DIR/kernel-$KMCL_KERNEL.config" d syms
	# The KCSAN kernel: the same base, kcsan.config as its debug fragment.
	if [ "$KMCL_KERNEL" = 6.12-kcsan ]; then
		d="$KMCL_CACHE/kconfig/$KMCL_KERNEL"
		mkdir -p "$d" || die "cannot create $d"
		cp "$KMCL_QEMU_DIR/kernel.config" "$d/kernel.config"
		cp "$KMCL_QEMU_DIR/kcsan.config" "$d/debug.config"
		echo "$d"
		return 0
	fi
	[ -f "$over" ] || { echo "$KMCL_QEMU_DIR"; return 0; }
	d="$KMCL_CACHE/kconfig/$KMCL_KERNEL"
	mkdir -p "$d" || die "cannot create $d"
	syms=$(sed -n 's/^\(# \)\{0,1\}\(CONFIG_[A-Za-z0-9_]*\)[= ].*/\2/p' "$over")
	{
		grep -vwFf <(echo "$syms") "$KMCL_QEMU_DIR/kernel.config"
		cat "$over"
	} >"$d/kernel.config.tmp"
	mv "$d/kernel.config.tmp" "$d/kernel.config"
	cp "$KMCL_QEMU_DIR/debug.config" "$d/debug.config"
	echo "$d"
}

# The kernel the tests boot: built from Debian's linux-source package with our
# config fragments. Its cache key covers everything that decides its contents
# (for 6.12 exactly what it always covered, so the cached kernel stays valid).
kernel_key() {
	local ver kc
	ver=$(dpkg-query -W -f='${Version}' "$KMCL_SRC_PKG" 2>/dev/null) ||
		die "$KMCL_SRC_PKG is not installed (run: make deps)"
	kc=$(kmcl_kconfig_dir)
	{
		echo "$ver"
		cat "$kc"/kernel.config "$kc"/debug.config
		sed -n '/^# --- kernel build ---/,/^# --- end kernel build ---/p' \
			"$KMCL_QEMU_DIR"/build-kernel.sh
	} | sha256sum | cut -c1-16
}

kernel_dir() {
	echo "$KMCL_CACHE/kernel/$(kernel_key)"
}

# --- shared by check.sh and demo.sh: build, pack, boot ---

# kmcl_copy_tree DIR: the work tree's files (tracked and untracked, not
# ignored) mirrored into DIR, so builds leave the work tree free of objects
# and two runs with different KMCL_OUT never share one.
kmcl_copy_tree() {
	local src=$1
	if git -C "$KMCL_TOP" rev-parse --git-dir >/dev/null 2>&1; then
		mkdir -p "$src"
		# Changed files get the time of the copy, not their own: a file
		# edited while an earlier build of the copy ran would otherwise
		# keep an mtime older than its object and never be rebuilt.
		# Unchanged files are found by checksum and left alone.
		(cd "$KMCL_TOP" && git ls-files -co --exclude-standard -z) |
			rsync -a --no-times --checksum --delete --from0 --files-from=- \
				"$KMCL_TOP/" "$src/"
		# --files-from does not delete files removed from the tree: prune them.
		(cd "$src" && find . -type f \( -name '*.c' -o -name '*.h' -o -name Kbuild \
			-o -name Makefile -o -name '*.sh' \) -print) | while read -r f; do
			[ -e "$KMCL_TOP/$f" ] || rm -f "$src/$f"
		done
	else
		rsync -a --no-times --checksum --delete --exclude build "$KMCL_TOP/" "$src/"
	fi
}

# kmcl_build_modules KBUILD SRC: every module, warnings as errors.
kmcl_build_modules() {
	note "building modules against $1"
	kmcl_run make -s -C "$1" M="$2" W=1 KMCL_WERROR=y -j"$(nproc)" modules ||
		die "module build failed"
}

# kmcl_pack_initramfs KBUILD OUT INIT: $OUT/initramfs.cpio from the tree
# $OUT/initramfs (lib/, kselftest/), static busybox and INIT as /init.
kmcl_pack_initramfs() {
	local kbuild=$1 out=$2 init=$3 spec="$2/initramfs.spec"
	{
		echo "dir /dev 755 0 0"
		echo "nod /dev/console 600 0 0 c 5 1"
		echo "dir /bin 755 0 0"
		echo "file /bin/busybox $out/busybox 755 0 0"
		echo "file /init $init 755 0 0"
		for d in proc sys tmp lib kselftest; do echo "dir /$d 755 0 0"; done
		(cd "$out/initramfs" && find lib kselftest -mindepth 1) | sort | while read -r p; do
			if [ -d "$out/initramfs/$p" ]; then
				echo "dir /$p 755 0 0"
			else
				echo "file /$p $out/initramfs/$p 644 0 0"
			fi
		done
	} >"$spec"
	cp /bin/busybox "$out/busybox" || die "no /bin/busybox (run: make deps)"
	kmcl_run "$kbuild/usr/gen_init_cpio" "$spec" >"$out/initramfs.cpio" ||
		die "cannot build the initramfs"
}

# KVM where it works. /dev/kvm can exist and still be useless: under some
# nested hypervisors (PVM, for one) a guest kernel crawls and prints nothing
# for minutes. So boot the test kernel once with KVM and require its first
# console line within a few seconds; otherwise fall back to TCG and say why.
# kmcl_kvm_usable KBUILD OUT
kmcl_kvm_usable() {
	local log="$2/kvm-probe.log"
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || {
		note "no usable KVM: /dev/kvm is missing or not accessible"
		return 1
	}
	rm -f "$log"
	timeout 15 qemu-system-x86_64 -accel kvm -cpu host,-arch-capabilities \
		-nodefaults -display none -no-reboot -machine q35 -m 256M \
		-kernel "$(kmcl_kernel_image "$1")" -append "console=ttyS0 panic=-1" \
		-serial file:"$log" -monitor none >/dev/null 2>&1 || true
	grep -aq 'Linux version' "$log" 2>/dev/null && return 0
	note "no usable KVM: a guest under /dev/kvm printed nothing within 15 s (nested virtualization too slow)"
	return 1
}

# kmcl_kernel_image KBUILD: the image QEMU boots. The compressed bzImage
# where the build has one: QEMU 7.2's PVH loader does not start the 7.3
# vmlinux (nothing on the console), and bzImage boots every kernel we test.
# A directory without a build (make bench's stock kernel) holds a vmlinux
# link to its image.
kmcl_kernel_image() {
	if [ -f "$1/arch/x86/boot/bzImage" ]; then
		echo "$1/arch/x86/boot/bzImage"
	else
		echo "$1/vmlinux"
	fi
}

# kmcl_kunit_autorun KBUILD: the boot option that makes KUnit run the
# suites of a module as it loads, where the kernel's default is not to
# (KUNIT_AUTORUN_ENABLED, new in 6.x and off in an allnoconfig-based 7.x
# config); empty where the kernel runs them anyway or has no such option.
kmcl_kunit_autorun() {
	if grep -qx '# CONFIG_KUNIT_AUTORUN_ENABLED is not set' "$1/.config" 2>/dev/null; then
		echo " kunit.autorun=1"
	fi
}

# kmcl_pick_accel KBUILD OUT: sets $accel (KMCL_ACCEL, else kvm when it
# works, else tcg) and the QEMU options for it in the array $qaccel.
kmcl_pick_accel() {
	accel=${KMCL_ACCEL:-}
	if [ -z "$accel" ]; then
		if kmcl_kvm_usable "$1" "$2"; then
			accel=kvm
		else
			accel=tcg
			note "falling back to TCG (software emulation): slower, same tests"
		fi
	fi
	if [ "$accel" = kvm ]; then
		qaccel=(-accel kvm -cpu host,-arch-capabilities)
	else
		# No 5-level paging: a 7.3 debug kernel under TCG once died
		# before init with a KASAN wild access on an LA57 direct-map
		# address (an early IRQ during identify_cpu). Hyper-V guests,
		# the target, run with 4-level paging anyway.
		qaccel=(-accel tcg -cpu max,la57=off)
	fi
}

# kmcl_boot KBUILD OUT TIMEOUT: boot the test kernel with $OUT/initramfs.cpio
# ($qaccel from kmcl_pick_accel). The console goes to $OUT/console.log, the
# guest's report (ttyS1) to $OUT/report.log. Sets $qrc to QEMU's exit code
# (124: timed out). $kmcl_boot_extra, if set, is appended to the command
# line.
kmcl_boot() {
	local kbuild=$1 out=$2 tmo=$3
	rm -f "$out/console.log" "$out/report.log"
	note "booting the test kernel ($accel, limit ${tmo}s)"
	set +e
	timeout --foreground "$tmo" qemu-system-x86_64 "${qaccel[@]}" \
		-nodefaults -nographic -no-reboot -monitor none -display none \
		-machine q35 -smp 2 -m 1G \
		-kernel "$(kmcl_kernel_image "$kbuild")" -initrd "$out/initramfs.cpio" \
		-append "console=ttyS0 panic_on_warn=1 oops=panic softlockup_panic=1 kmemleak=on$(kmcl_kunit_autorun "$kbuild")${kmcl_boot_extra:-}" \
		-chardev file,id=con,path="$out/console.log" -serial chardev:con \
		-chardev file,id=rep,path="$out/report.log" -serial chardev:rep
	qrc=$?
	set -e
	[ "$qrc" -eq 124 ] && note "guest timed out after ${tmo}s"
	[ -s "$out/console.log" ] || die "QEMU produced no console output (exit $qrc)"
}
