#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian packages a harness step needs, only those missing.
#   deps.sh check    packages for `make check` (test kernel, QEMU, initramfs)
#   deps.sh style    packages for `make style`
#   deps.sh PKG...   exactly these packages
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case "${1:-check}" in
check)
	if [ -n "$KMCL_SUITE" ]; then
		# The kernel and modules are built in the chroot; QEMU runs here.
		# pahole before the kernel: the matrix's header packages pull it
		# in later, and modules must be built with the kernel's pahole.
		"$KMCL_QEMU_DIR/chroot.sh" "$KMCL_SUITE" install "$KMCL_SRC_PKG" pahole
		set -- rsync python3 qemu-system-x86 busybox-static debootstrap
	else
		set -- "$KMCL_SRC_PKG" build-essential bc bison flex libssl-dev \
			libelf-dev cpio kmod rsync xz-utils python3 qemu-system-x86 \
			busybox-static
	fi
	;;
style)
	set -- "$KMCL_SRC_PKG" build-essential sparse perl python3 codespell
	;;
esac

missing=()
for p in "$@"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" -eq 0 ] ||
	die "missing Debian packages: ${missing[*]} (run as root, or install them)"
note "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# A third-party source that cannot be reached must not stop us; what counts
# is whether our packages install afterwards.
apt-get -o DPkg::Lock::Timeout=900 update >"$log" 2>&1 || true
if ! apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
	reason=$(grep -E '^(E|W): ' "$log" | tail -n 1)
	if grep -qiE 'No space left|You don.t have enough free space' "$log"; then
		die "disk full while installing ${missing[*]}"
	elif grep -qiE 'Failed to fetch|Temporary failure|Could not resolve|Unable to locate' "$log"; then
		die "package archive unreachable or package unknown: ${missing[*]} (${reason:-no detail})"
	fi
	die "apt-get install ${missing[*]} failed: ${reason:-see apt output}"
fi
