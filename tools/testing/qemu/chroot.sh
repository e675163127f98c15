#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Debian chroots for kernels newer than the host's release: each suite's
# compiler builds that suite's kernels, and no package of another suite ever
# lands on the host. Made once with debootstrap, cached in $KMCL_CACHE/chroot.
#
#   chroot.sh SUITE                create the chroot (once), print its root
#   chroot.sh SUITE install PKG... install what is missing of PKG...
#   chroot.sh SUITE run CMD...     run CMD inside it
#
# SUITE is trixie (with trixie-backports) or sid. CMD runs with /proc (objtool
# needs it) and /dev mounted and with the work tree, the cache and KMCL_OUT
# bound at the paths they have outside, so paths mean the same on both sides.
# The mounts live in a private mount namespace and vanish with CMD.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mirror=http://deb.debian.org/debian
suite=${1:-}
case "$suite" in
trixie | sid) ;;
*) die "chroot.sh: unknown suite '$suite' (trixie or sid)" ;;
esac
shift
root="$KMCL_CACHE/chroot/$suite"
stamp="$root/.kmcl-ok"

# Only the suite's own archive areas. sid's Release file on a mirror can be
# past its Valid-Until date; that is accepted for sid and nowhere else.
write_sources() {
	local r=$1
	if [ "$suite" = trixie ]; then
		cat >"$r/etc/apt/sources.list" <<-EOS
		deb $mirror trixie main
		deb $mirror trixie-updates main
		deb $mirror trixie-backports main
		deb http://deb.debian.org/debian-security trixie-security main
		EOS
	else
		echo "deb $mirror sid main" >"$r/etc/apt/sources.list"
		echo 'Acquire::Check-Valid-Until "false";' \
			>"$r/etc/apt/apt.conf.d/90kmcl-sid-valid-until"
	fi
	echo 'APT::Install-Recommends "false";' >"$r/etc/apt/apt.conf.d/90kmcl-norecommends"
}

# in_root CMD...: CMD inside the chroot, in a private mount namespace.
in_root() {
	local binds=("$KMCL_TOP" "$KMCL_CACHE") out
	out=$(mkdir -p "$KMCL_OUT" && cd "$KMCL_OUT" && pwd)
	case "$out/" in "$KMCL_TOP"/*) ;; *) binds+=("$out") ;; esac
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	export KMCL_CACHE KMCL_OUT
	unshare --mount --propagation private -- /bin/bash -c '
		set -e
		root=$1; shift
		n=$1; shift
		mount -t proc proc "$root/proc"
		mount --bind /dev "$root/dev"
		for ((i = 0; i < n; i++)); do
			mkdir -p "$root$1"
			mount --bind "$1" "$root$1"
			shift
		done
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
			KMCL_CACHE="$KMCL_CACHE" KMCL_OUT="$KMCL_OUT" \
			KMCL_KERNEL="${KMCL_KERNEL:-}" KMCL_IN_CHROOT=1 "$@"
	' kmcl-chroot "$root" "${#binds[@]}" "${binds[@]}" "$@"
}

create() {
	local tmp="$root.tmp" log="$KMCL_CACHE/chroot/$suite.log"
	[ "$(id -u)" -eq 0 ] || die "need root to create the $suite chroot"
	command -v debootstrap >/dev/null || "$KMCL_QEMU_DIR/deps.sh" debootstrap
	need_space "$KMCL_CACHE" 3
	note "creating the $suite chroot in $root (once; log: $log)"
	rm -rf "$tmp" "$root"
	# Packages every build in the chroot needs: kernel and module builds.
	debootstrap --variant=minbase \
		--include=build-essential,bc,bison,flex,libssl-dev,libelf-dev,cpio,kmod,rsync,xz-utils,python3,ca-certificates \
		"$suite" "$tmp" "$mirror" >"$log" 2>&1 ||
		die "debootstrap $suite failed: $(grep -E '^[EW]:' "$log" | tail -n 1) (see $log)"
	write_sources "$tmp"
	mv "$tmp" "$root"
	in_root apt-get -q update >>"$log" 2>&1 ||
		die "apt-get update in the $suite chroot failed (see $log)"
	echo "$suite" >"$stamp"
}

mkdir -p "$KMCL_CACHE/chroot" || die "cannot create $KMCL_CACHE/chroot"
exec 8>>"$KMCL_CACHE/chroot/$suite.lock"
flock 8
[ -f "$stamp" ] || create

case "${1:-}" in
'')
	echo "$root"
	;;
install)
	shift
	missing=()
	for p in "$@"; do
		in_root dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && exit 0
	note "installing ${missing[*]} in the $suite chroot"
	log="$KMCL_CACHE/chroot/$suite.log"
	in_root apt-get -q update >>"$log" 2>&1 || true
	in_root apt-get -q install -y "${missing[@]}" >>"$log" 2>&1 ||
		die "cannot install ${missing[*]} in the $suite chroot: $(grep -E '^E:' "$log" | tail -n 1)"
	;;
run)
	shift
	flock -u 8
	in_root "$@"
	;;
*)
	die "chroot.sh: unknown command '$1'"
	;;
esac
