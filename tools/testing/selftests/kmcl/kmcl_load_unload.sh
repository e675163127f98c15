#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Load and unload kmcl.ko 20 times; each round must succeed and leave no
# module behind, and kmemleak must report nothing afterwards.
#
# KMCL_MODDIR: where kmcl.ko is (default: the installed module, via modprobe).

DIR="$(dirname "$(readlink -f "$0")")"
. "$DIR"/../kselftest/ktap_helpers.sh

ROUNDS=20
KMEMLEAK=/sys/kernel/debug/kmemleak

load() {
	if [ -n "$KMCL_MODDIR" ]; then
		insmod "$KMCL_MODDIR/kmcl.ko"
	else
		modprobe kmcl
	fi
}

ktap_print_header

if [ "$(id -u)" -ne 0 ]; then
	ktap_skip_all "must be run as root"
	exit "$KSFT_SKIP"
fi
if grep -q '^kmcl ' /proc/modules; then
	ktap_skip_all "kmcl is loaded already"
	exit "$KSFT_SKIP"
fi

ktap_set_plan 3

if [ -w "$KMEMLEAK" ]; then
	echo scan >"$KMEMLEAK"
	echo clear >"$KMEMLEAK"
fi

ok=0
i=0
while [ "$i" -lt "$ROUNDS" ]; do
	i=$((i + 1))
	load || break
	grep -q '^kmcl ' /proc/modules || break
	rmmod kmcl || break
	grep -q '^kmcl ' /proc/modules && break
	ok=$((ok + 1))
done
if [ "$ok" -eq "$ROUNDS" ]; then
	ktap_test_pass "load and unload kmcl $ROUNDS times"
else
	ktap_test_fail "load and unload kmcl $ROUNDS times (round $i failed)"
fi

if grep -q '^kmcl ' /proc/modules; then
	ktap_test_fail "kmcl is not left loaded"
	rmmod kmcl
else
	ktap_test_pass "kmcl is not left loaded"
fi

if [ -w "$KMEMLEAK" ]; then
	# kmemleak reports only objects at least 5 s old.
	sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	leaks=$(cat "$KMEMLEAK")
	if [ -z "$leaks" ]; then
		ktap_test_pass "kmemleak reports nothing after $ROUNDS rounds"
	else
		echo "$leaks" | head -n 20 | sed 's/^/# /'
		ktap_test_fail "kmemleak reports nothing after $ROUNDS rounds"
	fi
else
	ktap_test_skip "kmemleak reports nothing (no kmemleak in this kernel)"
fi

ktap_finished
