#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build (once) the x86_64 test kernel into the cache and print its build dir.
# The cache entry counts only when its stamp names the exact bzImage it holds,
# so an interrupted or corrupted build is never taken as good.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# A newer kernel is built with its own suite's compiler, in the chroot.
if [ -n "$KMCL_SUITE" ] && [ -z "${KMCL_IN_CHROOT:-}" ]; then
	exec "$KMCL_QEMU_DIR/chroot.sh" "$KMCL_SUITE" run "$KMCL_QEMU_DIR/build-kernel.sh"
fi

kdir=$(kernel_dir)
# The build below reads its fragments from $KMCL_QEMU_DIR (kmcl_kconfig_dir).
KMCL_QEMU_DIR=$(kmcl_kconfig_dir)
stamp="$kdir/ok"

# The pahole here as Kconfig counts it (v1.30: 130; none: 0).
pahole_now() {
	local v
	v=$(pahole --version 2>/dev/null) || { echo 0; return; }
	echo "$v" | sed -E 's/^v([0-9]+)\.([0-9]+).*/\1\2/'
}

# A kernel records the pahole it was built with, and a newer kbuild (the
# 7.3 test kernel's) warns when its modules are built with another: make
# matrix fails on that warning. A chroot's pahole changes when the matrix's
# header packages pull it in, so a chroot kernel built before that is stale.
cache_good() {
	[ -f "$stamp" ] && [ -s "$kdir/build/Module.symvers" ] &&
		[ -f "$kdir/build/arch/x86/boot/bzImage" ] &&
		[ "$(cat "$stamp")" = "$(sha256sum <"$kdir/build/arch/x86/boot/bzImage")" ] &&
		{ [ -z "$KMCL_SUITE" ] ||
			grep -qx "CONFIG_PAHOLE_VERSION=$(pahole_now)" "$kdir/build/.config"; }
}

mkdir -p "$KMCL_CACHE" || die "cannot create cache $KMCL_CACHE"
# One lock per test kernel: building one never holds up a check on the other.
if [ "$KMCL_KERNEL" = 6.12 ]; then
	exec 9>>"$KMCL_CACHE/kernel.lock"
else
	exec 9>>"$KMCL_CACHE/kernel-$KMCL_KERNEL.lock"
fi
flock 9

if cache_good; then
	echo "$kdir/build"
	exit 0
fi

need_space "$KMCL_CACHE" 8

# --- kernel build ---
ver=$(dpkg-query -W -f='${Version}' "$KMCL_SRC_PKG")
src="$KMCL_CACHE/src/$KMCL_SRC_PKG-$ver"
if [ ! -f "$src/.unpacked" ]; then
	tarball=/usr/src/$KMCL_SRC_PKG.tar.xz
	[ -r "$tarball" ] || die "$tarball missing (run: make deps)"
	note "unpacking $KMCL_SRC_PKG $ver"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" -xf "$tarball" --strip-components=1 ||
		die "cannot unpack $tarball (disk full or corrupt package?)"
	touch "$src.tmp/.unpacked"
	mv "$src.tmp" "$src"
fi

build_kernel() {
	local b="$kdir/build" missing
	mkdir -p "$b"
	rm -f "$stamp"
	make -s -C "$src" O="$b" ARCH=x86_64 allnoconfig >/dev/null
	(cd "$b" && "$src/scripts/kconfig/merge_config.sh" -m -O "$b" .config \
		"$KMCL_QEMU_DIR/kernel.config" "$KMCL_QEMU_DIR/debug.config" >/dev/null)
	make -s -C "$src" O="$b" ARCH=x86_64 KCONFIG_ALLCONFIG="$b/.config" \
		allnoconfig >/dev/null
	# Every option we asked for must have survived Kconfig's dependency rules.
	missing=$(grep -h '^CONFIG_.*=' "$KMCL_QEMU_DIR"/kernel.config \
		"$KMCL_QEMU_DIR"/debug.config | grep -vxFf "$b/.config" || true)
	[ -z "$missing" ] || die "test kernel config lost: $(echo $missing)"
	note "building test kernel in $b (once; ~10 min on 2 cores)"
	make -s -C "$src" O="$b" ARCH=x86_64 KBUILD_BUILD_TIMESTAMP="2025-01-01 00:00:00 UTC" \
		KBUILD_BUILD_USER=kmcl KBUILD_BUILD_HOST=kmcl \
		-j"$(nproc)" bzImage modules_prepare
}
# --- end kernel build ---

# Module.symvers (needed to link external modules) comes from modpost, which
# only `make modules` runs; the config has no in-tree modules, so this is quick.
finish_kernel() {
	make -s -C "$src" O="$kdir/build" ARCH=x86_64 -j"$(nproc)" modules &&
		[ -s "$kdir/build/Module.symvers" ]
}

if ! { build_kernel && finish_kernel; }; then
	# A half-written tree from an earlier, interrupted run can break an
	# incremental build: start once more from nothing before giving up.
	note "kernel build failed; retrying from a clean tree"
	rm -rf "$kdir"
	{ build_kernel && finish_kernel; } ||
		die "test kernel build failed (see output above)"
fi
sha256sum <"$kdir/build/arch/x86/boot/bzImage" >"$stamp"
echo "$kdir/build"
