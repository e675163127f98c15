#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make matrix`: build every module with W=1 and -Werror against each kernel
# we support, one line per kernel, oldest first: Debian's headers for 5.10
# (bullseye), 6.1 and 6.12 (bookworm) on the host; the newest 7.x of
# trixie-backports (in the trixie chroot) and of sid (in the sid chroot), each
# built by its own suite's compiler; generic and cloud flavours; then both
# test kernels. A kernel whose headers cannot be had fails its line, saying
# why: nothing is skipped.
#
# KMCL_MATRIX: space-separated header dirs to use instead (host only).
#
# matrix.sh --fetch: only install what the lines will need (the header
# packages, on the host and in the chroots, and the 7.3 test kernel's
# source), build nothing. .ci/run runs it in the background while the 6.12
# test kernel compiles, so the downloads are off the critical path.
# matrix.sh --headers: only the lines of Debian's header packages;
# matrix.sh --test-kernels: only the two test kernels' lines. The two
# together are the whole matrix; .ci/run runs the first in the background
# while the guests run, and the second at the end.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fetch=0
headers=1
test_kernels=1
case "${1:-}" in
'') ;;
--fetch) fetch=1 ;;
--headers) test_kernels=0 ;;
--test-kernels) headers=0 ;;
*) die "usage: matrix.sh [--fetch | --headers | --test-kernels]" ;;
esac

# Newest header package of a series that the archive offers.
newest() {
	apt-cache search --names-only "$1" 2>/dev/null | cut -d' ' -f1 |
		sort -V | tail -n 1
}

add_bullseye() {
	local list=/etc/apt/sources.list.d/kmcl-bullseye.sources
	local pin=/etc/apt/preferences.d/kmcl-bullseye
	[ -f "$list" ] && return 0
	[ "$(id -u)" -eq 0 ] || die "need root to add the bullseye apt source for 5.10 headers"
	note "adding the bullseye apt source (pinned low: only used when asked for)"
	cat >"$list" <<-EOS
	Types: deb
	URIs: http://deb.debian.org/debian
	Suites: bullseye
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

	Types: deb
	URIs: http://deb.debian.org/debian-security
	Suites: bullseye-security
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOS
	cat >"$pin" <<-EOS
	Package: *
	Pin: release n=bullseye
	Pin-Priority: 100

	Package: *
	Pin: release n=bullseye-security
	Pin-Priority: 100
	EOS
	apt-get update >/dev/null 2>&1 || true
}

mkdir -p "$KMCL_OUT/matrix"
fail=0

# line "SUITE|NAME|HEADER DIR|WHY NOT|TREE": build against one kernel (in
# SUITE's chroot unless SUITE is "-") and print its line; WHY NOT set: a FAIL
# line. TREE set: build in that object tree (make check's, for a test
# kernel: only what changed since its build is rebuilt), else in a fresh copy.
line() {
	local suite name kdir why tree work log mods run
	IFS='|' read -r suite name kdir why tree <<<"$1"
	if [ -n "$why" ]; then
		printf 'matrix: %-40s FAIL (%s)\n' "$name" "$why"
		fail=1
		return 0
	fi
	if [ -n "$tree" ]; then
		work=$tree
	else
		work="$KMCL_OUT/matrix/$name"
		rm -rf "$work"
	fi
	kmcl_copy_tree "$work"
	work=$(cd "$work" && pwd)
	log="$KMCL_OUT/matrix/$name.build.log"
	run=()
	[ "$suite" = - ] || run=("$KMCL_QEMU_DIR/chroot.sh" "$suite" run)
	[ "${name#test-kernel}" = "$name" ] ||
		name="$name($("${run[@]}" make -s -C "$kdir" kernelrelease 2>/dev/null))"
	if "${run[@]}" make -C "$kdir" M="$work" W=1 KMCL_WERROR=y -j"$(nproc)" modules \
		>"$log" 2>&1 && ! grep -qE 'warning:|WARNING: modpost' "$log"; then
		mods=$(cd "$work" && find . -name '*.ko' -printf '%f ' | sort)
		printf 'matrix: %-40s ok   %s\n' "$name" "$mods"
	else
		printf 'matrix: %-40s FAIL (%s)\n' "$name" "$log"
		grep -E 'error|warning' "$log" | head -n 10 | sed 's/^/    /'
		fail=1
	fi
}

# want SUITE REGEX: the newest header package matching REGEX in SUITE.
want() {
	local suite=$1 re=$2 p err where
	if [ "$suite" = - ]; then
		p=$(newest "$re")
	else
		p=$("$KMCL_QEMU_DIR/chroot.sh" "$suite" run apt-cache search \
			--names-only "$re" 2>/dev/null | cut -d' ' -f1 | sort -V | tail -n 1) || p=""
	fi
	if [ -z "$p" ]; then
		where="the $suite chroot's sources"
		[ "$suite" = - ] && where="the host's sources"
		line "$suite|$re|-|no package matches $re in $where"
		return 0
	fi
	if [ "$suite" = - ]; then
		err=$("$KMCL_QEMU_DIR/deps.sh" "$p" 2>&1 >/dev/null) || {
			line "$suite|$p|-|${err:-cannot install $p}"
			return 0
		}
	else
		err=$("$KMCL_QEMU_DIR/chroot.sh" "$suite" install "$p" 2>&1 >/dev/null) || {
			line "$suite|$p|-|${err:-cannot install $p}"
			return 0
		}
	fi
	if [ $fetch -eq 1 ]; then
		echo "matrix: fetched $p"
		return 0
	fi
	line "$suite|$p|/usr/src/$p|"
}

# test_kernel SERIES: the cached test kernel of that series (built if needed).
test_kernel() {
	local suite=- d err log="$KMCL_OUT/matrix/test-kernel-$1.log"
	[ "$1" = 6.12 ] || suite=trixie
	mkdir -p "$KMCL_OUT/matrix"
	if [ $fetch -eq 1 ]; then
		KMCL_KERNEL=$1 "$KMCL_QEMU_DIR/deps.sh" check >"$log" 2>&1 &&
			echo "matrix: fetched the test kernel $1's packages" ||
			echo "matrix: fetching the test kernel $1's packages failed ($log)"
		return 0
	fi
	if d=$(KMCL_KERNEL=$1 "$KMCL_QEMU_DIR/deps.sh" check 2>"$log" &&
		KMCL_KERNEL=$1 "$KMCL_QEMU_DIR/build-kernel.sh" 2>>"$log"); then
		line "$suite|test-kernel-$1|$d||$KMCL_OUT/src-$1"
	else
		err=$(grep 'kmcl: error' "$log" | tail -n 1)
		line "$suite|test-kernel-$1|-|${err:-build failed, see $log}"
	fi
}

# header_lines: one line per header package of Debian's, oldest first.
header_lines() {
	add_bullseye
	want - '^linux-headers-5\.10\.0-[0-9]+-amd64$'
	want - '^linux-headers-5\.10\.0-[0-9]+-cloud-amd64$'
	want - '^linux-headers-6\.1\.0-[0-9]+-amd64$'
	want - '^linux-headers-6\.1\.0-[0-9]+-cloud-amd64$'
	want - '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$'
	want - '^linux-headers-6\.12\.[0-9]+\+deb12-cloud-amd64$'
	# trixie-backports (deb13 in the name, like trixie's own 6.12).
	want trixie '^linux-headers-[0-9]+\.[0-9]+\.[0-9]+\+deb13-amd64$'
	want trixie '^linux-headers-[0-9]+\.[0-9]+\.[0-9]+\+deb13-cloud-amd64$'
	want sid '^linux-headers-[0-9]+\.[0-9]+\.[0-9]+\+deb[0-9]+-cloud-amd64$'
}

if [ -n "${KMCL_MATRIX:-}" ]; then
	for d in $KMCL_MATRIX; do line "-|$(basename "$d")|$d|"; done
elif [ $fetch -eq 1 ]; then
	# The 7.3 test kernel's source first: make check KERNEL=7.3 is the
	# first step to need it.
	test_kernel 7.3
	header_lines
else
	[ $headers -eq 0 ] || header_lines
	if [ $test_kernels -eq 1 ]; then
		test_kernel 6.12
		test_kernel 7.3
	fi
fi
exit $fail
