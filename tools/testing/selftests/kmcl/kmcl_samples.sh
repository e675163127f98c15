#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The sample VSP/VSC pair (samples/kmcl/) as `make demo` runs it: load
# kmcl, kmcl_echo_vsp, then kmcl_echo_vsc, whose loading runs the demo over
# the loopback VMBus and logs "kmcl demo: PASS" or "kmcl demo: FAIL (...)".
# The demo must pass, twice (the VSP must serve a second client after the
# first closed), and everything must unload.
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

load() {
	if [ -n "$KMCL_MODDIR" ]; then
		insmod "$KMCL_MODDIR/$1.ko"
	else
		modprobe "$1"
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

# run_demo N: load the client, which runs the demo before the load returns;
# its "kmcl demo:" lines since a marker become comments of the output.
# Succeeds only if the load did and the transcript ends in PASS.
run_demo() {
	mark="kmcl_samples.sh: demo $1, pid $$"
	echo "$mark" >/dev/kmsg
	load $VSC
	rc=$?
	log=$(dmesg | sed -n "\\|$mark|,\$p" |
		sed -n 's/^\[[^]]*\] \(kmcl demo: \)/\1/p')
	echo "$log" | sed 's/^/# /'
	[ "$rc" -eq 0 ] || return 1
	[ "$(echo "$log" | grep -c '^kmcl demo: PASS$')" -eq 1 ] || return 1
	echo "$log" | grep -q '^kmcl demo: FAIL' && return 1
	return 0
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

ktap_set_plan 4

# 1. The provider comes up and offers.
if load kmcl && load $VSP && loaded $VSP; then
	ktap_test_pass "kmcl and $VSP load"
else
	ktap_test_fail "kmcl and $VSP load"
fi

# 2. The client connects and the demo passes.
if loaded $VSP && run_demo 1; then
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

# 4. Everything unloads.
if unload_all && ! loaded $VSC && ! loaded $VSP && ! loaded kmcl; then
	ktap_test_pass "the samples and kmcl unload"
else
	ktap_test_fail "the samples and kmcl unload"
	unload_all
fi

ktap_finished
