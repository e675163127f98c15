#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The concurrency stress (tools/testing/stress/kmcl_stress.ko): load it,
# which runs channel pairs from every CPU and from softirq for a fixed time,
# and check its verdict line "kmcl_stress: PASS" (counts balanced, every kind
# of operation ran). The run's figures are printed as comments. The host's
# verdict fails the run on any KCSAN, lockdep or KASAN report on the console.
#
# Duration and pairs: kmcl_stress.seconds=N and kmcl_stress.channels=N on
# the kernel command line (make stress sets them), else 30 s and 8 pairs.
#
# KMCL_MODDIR: where the .ko files are (default: installed modules, via
# modprobe).

DIR="$(dirname "$(readlink -f "$0")")"
. "$DIR"/../kselftest/ktap_helpers.sh

# cmdline_param NAME DEFAULT: kmcl_stress.NAME from /proc/cmdline.
cmdline_param() {
	v=$(tr ' ' '\n' </proc/cmdline | sed -n "s/^kmcl_stress\.$1=//p" | tail -n 1)
	echo "${v:-$2}"
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

SECONDS_=$(cmdline_param seconds 30)
CHANNELS=$(cmdline_param channels 8)

ktap_print_header

if [ "$(id -u)" -ne 0 ]; then
	ktap_skip_all "must be run as root"
	exit "$KSFT_SKIP"
fi
if [ -n "$KMCL_MODDIR" ] && [ ! -f "$KMCL_MODDIR/kmcl_stress.ko" ]; then
	ktap_skip_all "kmcl_stress.ko is not built"
	exit "$KSFT_SKIP"
fi
if grep -q '^kmcl' /proc/modules; then
	ktap_skip_all "kmcl modules are loaded already"
	exit "$KSFT_SKIP"
fi

ktap_set_plan 2

mark="kmcl_stress.sh: run, pid $$"
echo "$mark" >/dev/kmsg
ok=1
load kmcl || ok=0
[ $ok -eq 1 ] && { load kmcl_stress seconds="$SECONDS_" channels="$CHANNELS" || ok=0; }
log=$(dmesg | sed -n "\\|$mark|,\$p" | sed -n 's/^\[[^]]*\] \(kmcl_stress: \)/\1/p')
echo "$log" | sed 's/^/# /'
n=$(echo "$log" | grep -cE '^kmcl_stress: (PASS|FAIL)')
if [ $ok -eq 1 ] && [ "$n" -eq 1 ] && echo "$log" | grep -qx 'kmcl_stress: PASS'; then
	ktap_test_pass "stress: $SECONDS_ s $CHANNELS channels: counts balance"
else
	ktap_test_fail "stress: $SECONDS_ s $CHANNELS channels: counts balance"
fi

ok=1
for m in kmcl_stress kmcl; do
	grep -q "^$m " /proc/modules && { rmmod "$m" || ok=0; }
done
if [ $ok -eq 1 ] && ! grep -q '^kmcl' /proc/modules; then
	ktap_test_pass "kmcl_stress and kmcl unload"
else
	ktap_test_fail "kmcl_stress and kmcl unload"
fi

ktap_finished
