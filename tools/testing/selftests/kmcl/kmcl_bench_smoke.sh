#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The benchmark of `make bench` (tools/testing/bench/), tiny: kmcl_bench.ko
# with smoke=1 runs every measured path with a few thousand packets in all
# and judges no figure. It must end with "end: PASS" (every packet of every
# path completed successfully, every pair opened and closed), print every
# closing result, and unload.
#
# KMCL_MODDIR: where the .ko files are (default: installed modules, via
# modprobe). Skips when kmcl_bench is not installed; fails when
# KMCL_MODDIR holds kmcl.ko but not kmcl_bench.ko (they are built together).

DIR="$(dirname "$(readlink -f "$0")")"
. "$DIR"/../kselftest/ktap_helpers.sh

BENCH=kmcl_bench
RESULTS="async64 async64_dispatch sync_rtt inband16k ext64k ext64k_vmalloc scale4"
ALLOCS="async64 sync_rtt ext64k ext64k_vmalloc"

have_mod() {
	if [ -n "$KMCL_MODDIR" ]; then
		[ -f "$KMCL_MODDIR/$1.ko" ]
	else
		modinfo "$1" >/dev/null 2>&1
	fi
}

load() {
	m=$1
	shift
	if [ -n "$KMCL_MODDIR" ]; then
		insmod "$KMCL_MODDIR/$m.ko" "$@"
	else
		modprobe "$m" "$@"
	fi
}

loaded() {
	grep -q "^$1 " /proc/modules
}

ktap_print_header

if [ "$(id -u)" -ne 0 ]; then
	ktap_skip_all "must be run as root"
	exit "$KSFT_SKIP"
fi
if loaded kmcl || loaded $BENCH; then
	ktap_skip_all "kmcl or $BENCH is loaded already"
	exit "$KSFT_SKIP"
fi
if ! have_mod $BENCH; then
	if [ -n "$KMCL_MODDIR" ] && [ -f "$KMCL_MODDIR/kmcl.ko" ]; then
		ktap_set_plan 1
		ktap_test_fail "$BENCH is built with kmcl.ko"
		ktap_finished
	fi
	ktap_skip_all "$BENCH is not installed"
	exit "$KSFT_SKIP"
fi

ktap_set_plan 4

mark="kmcl_bench_smoke.sh: pid $$"
echo "$mark" >/dev/kmsg
if load kmcl && load $BENCH smoke=1 && loaded $BENCH; then
	ktap_test_pass "kmcl and $BENCH smoke=1 load"
else
	ktap_test_fail "kmcl and $BENCH smoke=1 load"
fi
log=$(dmesg | sed -n "\\|$mark|,\$p" | sed -n 's/^\[[^]]*\] kmcl_bench: //p')
echo "$log" | sed 's/^/# /'

if [ "$(echo "$log" | grep -c '^end: ')" -eq 1 ] &&
   echo "$log" | grep -qx 'end: PASS'; then
	ktap_test_pass "every path of the benchmark ran"
else
	ktap_test_fail "every path of the benchmark ran"
fi

missing=""
for r in $RESULTS; do
	echo "$log" | grep -qE "^result: $r kmcl [0-9.]+ raw [0-9.]+ ratio [0-9]+\.[0-9]{2}" ||
		missing="$missing $r"
done
for r in $ALLOCS; do
	echo "$log" | grep -qE "^result: allocs_per_packet $r [0-9]+\.[0-9]{2}$" ||
		missing="$missing allocs:$r"
done
echo "$log" | grep -qE '^result: mem_per_pair_kib rings [0-9]+ other -?[0-9]+' ||
	missing="$missing mem_per_pair_kib"
if [ -z "$missing" ]; then
	ktap_test_pass "every closing result is printed"
else
	echo "# missing:$missing"
	ktap_test_fail "every closing result is printed"
fi

ok=0
loaded $BENCH && { rmmod $BENCH || ok=1; }
loaded kmcl && { rmmod kmcl || ok=1; }
if [ "$ok" -eq 0 ] && ! loaded $BENCH && ! loaded kmcl; then
	ktap_test_pass "$BENCH and kmcl unload"
else
	ktap_test_fail "$BENCH and kmcl unload"
fi

ktap_finished
