#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The sample VSP/VSC pair (samples/kmcl/) as `make demo` runs it: load
# kmcl, kmcl_echo_vsp, then kmcl_echo_vsc, whose loading runs the demo over
# the loopback VMBus and logs "kmcl demo: PASS" or "kmcl demo: FAIL (...)".
# The demo must pass, twice (the VSP must serve a second client, and offer
# it new subchannels, after the first closed; the first run includes the
# VSP's save/restore and the multi-queue mode over subchannels); without
# the VSP it must report FAIL instead (its verdict comes from what it got
# back); everything must unload.
#
# KMCL_MODDIR: where the .ko files are (default: installed modules, via
# modprobe). Skips when the samples are not installed; fails when
# KMCL_MODDIR holds kmcl.ko but not the samples (they are built with it).

DIR="$(dirname "$(readlink -f "$0")")"
. "$DIR"/../kselftest/ktap_helpers.sh

VSP=kmcl_echo_vsp
VSC=kmcl_echo_vsc

have_mod() {
	if [ -n "$KMCL_MODDIR" ]; then
		[ -f "$KMCL_MODDIR/$1.ko" ]
	else
		modinfo "$1" >/dev/null 2>&1
	fi
}

# load MODULE [PARAM=VALUE...]
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

unload_all() {
	ok=0
	for m in $VSC $VSP kmcl; do
		if loaded "$m"; then
			rmmod "$m" || ok=1
		fi
	done
	return $ok
}

# demo N [PARAM=VALUE...]: load the client, which runs the demo before the
# load returns. Its "kmcl demo:" lines since a marker go to $log and, as
# comments, to the output. Fails if the load did.
demo() {
	mark="kmcl_samples.sh: demo $1, pid $$"
	shift
	echo "$mark" >/dev/kmsg
	load $VSC "$@"
	rc=$?
	log=$(dmesg | sed -n "\\|$mark|,\$p" |
		sed -n 's/^\[[^]]*\] \(kmcl demo: \)/\1/p')
	echo "$log" | sed 's/^/# /'
	return $rc
}

# The one verdict line of the last demo: exactly one PASS or FAIL line.
verdict() {
	n=$(echo "$log" | grep -cE '^kmcl demo: (PASS|FAIL)')
	[ "$n" -eq 1 ] && echo "$log" | grep -E '^kmcl demo: (PASS|FAIL)'
}

# run_demo N: the demo runs and passes.
run_demo() {
	demo "$@" && [ "$(verdict)" = "kmcl demo: PASS" ]
}

ktap_print_header

if [ "$(id -u)" -ne 0 ]; then
	ktap_skip_all "must be run as root"
	exit "$KSFT_SKIP"
fi
if loaded kmcl || loaded $VSP || loaded $VSC; then
	ktap_skip_all "kmcl or a sample is loaded already"
	exit "$KSFT_SKIP"
fi
if ! have_mod $VSP || ! have_mod $VSC; then
	if [ -n "$KMCL_MODDIR" ] && [ -f "$KMCL_MODDIR/kmcl.ko" ]; then
		ktap_set_plan 1
		ktap_test_fail "the sample modules are built with kmcl.ko"
		ktap_finished
	fi
	ktap_skip_all "the sample modules are not installed"
	exit "$KSFT_SKIP"
fi

ktap_set_plan 5

# 1. The provider comes up and offers.
if load kmcl && load $VSP && loaded $VSP; then
	ktap_test_pass "kmcl and $VSP load"
else
	ktap_test_fail "kmcl and $VSP load"
fi

# 2. The client connects and the demo passes: the VSP is saved and
# restored mid-traffic, then the echo channel carries one subchannel per
# CPU, closed before it.
if loaded $VSP && run_demo 1 &&
   echo "$log" | grep -q '^kmcl demo: vsp: servicing: restored channel enabled and started' &&
   echo "$log" | grep -qE '^kmcl demo: vsc: multi-queue: [1-9][0-9]* subchannels, every completion' &&
   echo "$log" | grep -qE '^kmcl demo: vsc: [1-9][0-9]* subchannels: Closed before the channel'; then
	ktap_test_pass "the demo passes"
else
	ktap_test_fail "the demo passes"
fi

# 3. Once more: the offer serves a new client after the first one closed.
loaded $VSC && rmmod $VSC
if loaded $VSP && run_demo 2; then
	ktap_test_pass "the demo passes again with the same VSP"
else
	ktap_test_fail "the demo passes again with the same VSP"
fi

# 4. No VSP, no PASS: the client gives up after its timeout and says why.
loaded $VSC && rmmod $VSC
loaded $VSP && rmmod $VSP
if ! loaded $VSP && demo 3 timeout_ms=1000 &&
   verdict | grep -q '^kmcl demo: FAIL (no echo VSP offer opened within 1000 ms'; then
	ktap_test_pass "without the VSP the demo reports FAIL"
else
	ktap_test_fail "without the VSP the demo reports FAIL"
fi

# 5. Everything unloads.
if unload_all && ! loaded $VSC && ! loaded $VSP && ! loaded kmcl; then
	ktap_test_pass "the samples and kmcl unload"
else
	ktap_test_fail "the samples and kmcl unload"
	unload_all
fi

ktap_finished
