#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make check-harness`: prove the harness can fail. Each planted fault (a
# failing KUnit case, a WARN_ON, a leaked allocation) is booted with kmcl.ko
# and the KUnit modules, through check.sh and verdict.py exactly as `make
# check` runs them; the run must come out red, for the planted reason. Only
# the planted suite runs (KMCL_ONLY), so each run takes a boot, not the
# whole test set: the real suites' pass is `make check`'s job.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$KMCL_QEMU_DIR/deps.sh" check
kbuild=$("$KMCL_QEMU_DIR/build-kernel.sh")
work="$KMCL_OUT/harness"
rm -rf "$work"
mkdir -p "$work/src"
cp "$KMCL_QEMU_DIR"/selftest/* "$work/src/"
make -s -C "$kbuild" M="$work/src" -j"$(nproc)" modules ||
	die "cannot build the planted-fault modules"

# The three runs build in make check's object tree for this kernel
# ($KMCL_OUT/src-<kernel>): after a make check nothing is rebuilt, and
# without one the tree is built once for the three. Each run's own output
# (the check.sh log, and a copy of the guest console) is kept apart.
fail=0
expect() {
	local mod=$1 want=$2 log="$work/$1.log" rc=0
	KMCL_OUT="$work/out" KMCL_SRC="$KMCL_OUT/src-$KMCL_KERNEL" \
		KMCL_EXTRA_MODULES="$work/src/$mod.ko" \
		KMCL_ONLY='kmcl_harness*' KMCL_KSELFTESTS=none \
		"$KMCL_QEMU_DIR/check.sh" >"$log" 2>&1 || rc=$?
	cp -f "$work/out/console.log" "$work/$mod.console.log" 2>/dev/null || true
	if [ $rc -eq 0 ]; then
		echo "check-harness: $mod: NOT caught (the run passed)"
		fail=1
	elif grep -qE "$want" "$log" && { [ -z "${3:-}" ] || grep -qE "$3" "$log"; }; then
		echo "check-harness: $mod: caught ($(grep -m1 -oE "$want" "$log"))"
	else
		echo "check-harness: $mod: failed, but not for the planted reason ($log)"
		tail -n 5 "$log" | sed 's/^/    /'
		fail=1
	fi
}

# A failed case is named, with its message, next to the run's last line.
expect harness_fail_kunit 'kunit kmcl_harness_planted +1 passed, 1 failed' \
	'^FAIL: kunit kmcl_harness_planted harness_fails: .*planted failure'
expect harness_warn 'console: WARN[^:]*:.*harness_warn'
expect harness_leak 'kmemleak \(kunit\): unreferenced object'
[ $fail -eq 0 ] && echo "check-harness: every planted fault turned the verdict red"
exit $fail
