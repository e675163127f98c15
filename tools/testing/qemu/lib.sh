# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the KMCL test harness scripts. Sourced, never run.

KMCL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
KMCL_QEMU_DIR="$KMCL_TOP/tools/testing/qemu"
# Everything built or downloaded lives outside git, in one cache.
KMCL_CACHE=${KMCL_CACHE:-${XDG_CACHE_HOME:-${HOME:-/var/cache}/.cache}/kmcl}
# Per-run output (module build tree, initramfs, logs); KMCL_OUT lets two
# checkouts or two runs on one machine stay apart.
KMCL_OUT=${KMCL_OUT:-$KMCL_TOP/build}
KMCL_SRC_PKG=linux-source-6.12

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

# The kernel the tests boot: built from Debian's linux-source package with our
# config fragments. Its cache key covers everything that decides its contents.
kernel_key() {
	local ver
	ver=$(dpkg-query -W -f='${Version}' "$KMCL_SRC_PKG" 2>/dev/null) ||
		die "$KMCL_SRC_PKG is not installed (run: make deps)"
	{
		echo "$ver"
		cat "$KMCL_QEMU_DIR"/kernel.config "$KMCL_QEMU_DIR"/debug.config
		sed -n '/^# --- kernel build ---/,/^# --- end kernel build ---/p' \
			"$KMCL_QEMU_DIR"/build-kernel.sh
	} | sha256sum | cut -c1-16
}

kernel_dir() {
	echo "$KMCL_CACHE/kernel/$(kernel_key)"
}
