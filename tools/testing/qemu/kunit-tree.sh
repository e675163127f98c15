#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The kernel's own KUnit runner over this tree placed in drivers/kmcl, as a
# kernel developer would run it (make kunit-tree KERNEL=7.3):
#
#   kunit-tree.sh [kunit.py run arguments...]
#
# The test kernel's source (unpacked in the cache by build-kernel.sh) is
# hard-linked into $KMCL_OUT/kunit-$KMCL_KERNEL; drivers/Kconfig and
# drivers/Makefile there become copies that name drivers/kmcl, which gets
# the tree's tracked files (README: "In a kernel tree"). Then
#   ./tools/testing/kunit/kunit.py run --kunitconfig=drivers/kmcl --arch=x86_64
# runs where the kernel's compiler is (the chroot for 7.3, which gets
# qemu-system-x86 for kunit.py's QEMU step). The build is a whole kernel:
# long on 2 cores. The cached source is never written to (the build goes to
# .kunit, the only files changed are replaced, not edited in place).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(ls -d "$KMCL_CACHE/src/$KMCL_SRC_PKG"-*/ 2>/dev/null | head -n 1)
src=${src%/}
[ -n "$src" ] && [ -f "$src/.unpacked" ] ||
	die "no unpacked $KMCL_SRC_PKG in $KMCL_CACHE/src (run: make check KERNEL=$KMCL_KERNEL once)"
tree="$KMCL_OUT/kunit-$KMCL_KERNEL"
tree=$(mkdir -p "$tree" && cd "$tree" && pwd)

if [ ! -f "$tree/.kmcl-linked" ]; then
	note "linking $src into $tree"
	rm -rf "$tree"
	cp -al "$src" "$tree"
	for f in drivers/Kconfig drivers/Makefile; do
		cp --remove-destination "$src/$f" "$tree/$f"
	done
	sed -i 's|^endmenu$|source "drivers/kmcl/Kconfig"\n\nendmenu|' "$tree/drivers/Kconfig"
	echo 'obj-$(CONFIG_KMCL)		+= kmcl/' >>"$tree/drivers/Makefile"
	touch "$tree/.kmcl-linked"
fi
rm -rf "$tree/drivers/kmcl"
mkdir -p "$tree/drivers/kmcl"
(cd "$KMCL_TOP" && git ls-files -z) |
	rsync -a --from0 --files-from=- "$KMCL_TOP/" "$tree/drivers/kmcl/"

[ -n "$KMCL_SUITE" ] && "$KMCL_QEMU_DIR/chroot.sh" "$KMCL_SUITE" install qemu-system-x86
note "kunit.py run in $tree (a whole kernel build: long on 2 cores)"
start=$(date +%s)
rc=0
kmcl_run bash -c 'cd "$1" && shift && ./tools/testing/kunit/kunit.py run \
	--kunitconfig=drivers/kmcl --arch=x86_64 --jobs="$(nproc)" "$@"' \
	kunit-tree "$tree" "$@" || rc=$?
note "kunit.py run: exit $rc after $(($(date +%s) - start)) s"
exit $rc
