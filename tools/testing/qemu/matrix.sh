#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make matrix`: build every module with W=1 and -Werror against each kernel
# we support: Debian's headers for 5.10 (bullseye), 6.1 and 6.12 (bookworm),
# generic and cloud flavours, and the test kernel. One line per kernel.
#
# KMCL_MATRIX: space-separated header dirs to use instead (skips installing).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

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

if [ -z "${KMCL_MATRIX:-}" ]; then
	add_bullseye
	pkgs=()
	for re in '^linux-headers-5\.10\.0-[0-9]+-amd64$' \
		'^linux-headers-5\.10\.0-[0-9]+-cloud-amd64$' \
		'^linux-headers-6\.1\.0-[0-9]+-amd64$' \
		'^linux-headers-6\.1\.0-[0-9]+-cloud-amd64$' \
		'^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' \
		'^linux-headers-6\.12\.[0-9]+\+deb12-cloud-amd64$'; do
		p=$(newest "$re")
		[ -n "$p" ] || die "no package matches $re (package archive unreachable?)"
		pkgs+=("$p")
	done
	"$KMCL_QEMU_DIR/deps.sh" "${pkgs[@]}"
	dirs=$(for p in "${pkgs[@]}"; do echo "/usr/src/$p"; done)
	dirs="$dirs $("$KMCL_QEMU_DIR/build-kernel.sh")"
else
	dirs=$KMCL_MATRIX
fi

mkdir -p "$KMCL_OUT/matrix"
fail=0
for kdir in $dirs; do
	name=$(basename "$kdir")
	[ "$name" = build ] && name="test-kernel($(make -s -C "$kdir" kernelrelease 2>/dev/null))"
	work="$KMCL_OUT/matrix/$(basename "$(dirname "$kdir")")-$(basename "$kdir")"
	rm -rf "$work"
	mkdir -p "$work"
	(cd "$KMCL_TOP" && git ls-files -co --exclude-standard -z 2>/dev/null ||
		find . -path ./build -prune -o -type f -print0) |
		rsync -a --from0 --files-from=- "$KMCL_TOP/" "$work/"
	log="$work/build.log"
	if make -C "$kdir" M="$work" W=1 KMCL_WERROR=y -j"$(nproc)" modules \
		>"$log" 2>&1 && ! grep -qE 'warning:|WARNING: modpost' "$log"; then
		mods=$(cd "$work" && find . -name '*.ko' -printf '%f ' | sort)
		printf 'matrix: %-40s ok   %s\n' "$name" "$mods"
	else
		printf 'matrix: %-40s FAIL (%s)\n' "$name" "$log"
		grep -E 'error|warning' "$log" | head -n 10 | sed 's/^/    /'
		fail=1
	fi
done
exit $fail
