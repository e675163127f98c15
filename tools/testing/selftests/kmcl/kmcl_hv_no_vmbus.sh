#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# kmcl_hv.ko on a kernel with hv_vmbus but no VMBus (CONFIG_HYPERV=y, not a
# Hyper-V guest): the module must load, stay idle, unload cleanly and leak
# nothing.
#
# The helper module kmcl_hv_selftest.ko (kmcl/hv/tests/selftest_helper.c,
# built with the KUnit modules) is loaded too: its init enables a KMCL
# client channel, through the Windows-named API, for an interface type no
# host offers. The channel must sit in the Enabled state on the hv transport
# (debugfs), and unloading the helper (which disables and cleans the channel
# up) must return promptly. With KMCL_MODDIR (the test harness) the helper
# must be there; installed modules may lack it (those two tests skip).
#
# KMCL_MODDIR: where the .ko files are (default: installed modules, via
# modprobe). Skips when kmcl_hv.ko is not there (kernel without hv_vmbus).

DIR="$(dirname "$(readlink -f "$0")")"
. "$DIR"/../kselftest/ktap_helpers.sh

ROUNDS=10
KMEMLEAK=/sys/kernel/debug/kmemleak
HELPER_CH=/sys/kernel/debug/kmcl/kmcl_hv_selftest

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

ktap_print_header

if [ "$(id -u)" -ne 0 ]; then
	ktap_skip_all "must be run as root"
	exit "$KSFT_SKIP"
fi
if ! have_mod kmcl_hv; then
	ktap_skip_all "kmcl_hv.ko not built (the kernel has no hv_vmbus)"
	exit "$KSFT_SKIP"
fi
if loaded kmcl_hv || loaded kmcl; then
	ktap_skip_all "kmcl or kmcl_hv is loaded already"
	exit "$KSFT_SKIP"
fi
if [ -d /sys/bus/vmbus/devices ] && [ -n "$(ls /sys/bus/vmbus/devices)" ]; then
	ktap_skip_all "this machine has a VMBus"
	exit "$KSFT_SKIP"
fi

ktap_set_plan 6

if [ -w "$KMEMLEAK" ]; then
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	echo clear >"$KMEMLEAK"
fi

# 1. Loads where there is no VMBus.
if load kmcl && load kmcl_hv && loaded kmcl_hv; then
	ktap_test_pass "kmcl_hv loads without a VMBus"
else
	ktap_test_fail "kmcl_hv loads without a VMBus"
fi

# 2, 3. A client channel waits for an offer that never comes; disable returns.
if [ -n "$KMCL_MODDIR" ] && ! have_mod kmcl_hv_selftest; then
	ktap_test_fail "client channel waits on the hv transport (kmcl_hv_selftest.ko missing)"
	ktap_test_fail "disabling the waiting channel returns (kmcl_hv_selftest.ko missing)"
elif ! loaded kmcl_hv || ! have_mod kmcl_hv_selftest; then
	ktap_test_skip "client channel waits on the hv transport (no kmcl_hv_selftest.ko)"
	ktap_test_skip "disabling the waiting channel returns (no kmcl_hv_selftest.ko)"
else
	ok=0
	if load kmcl_hv_selftest && [ -r "$HELPER_CH/state" ]; then
		sleep 1
		state=$(cat "$HELPER_CH/state")
		echo "$state" | sed 's/^/# /'
		echo "$state" | grep -q '^state: enabled$' &&
			echo "$state" | grep -q '^transport: hv$' &&
			echo "$state" | grep -q '^open: 0$' && ok=1
	fi
	if [ "$ok" -eq 1 ]; then
		ktap_test_pass "client channel waits on the hv transport"
	else
		ktap_test_fail "client channel waits on the hv transport"
	fi
	start=$(cut -d. -f1 /proc/uptime)
	if loaded kmcl_hv_selftest && rmmod kmcl_hv_selftest &&
	   [ $(($(cut -d. -f1 /proc/uptime) - start)) -le 10 ] &&
	   [ ! -e "$HELPER_CH" ]; then
		ktap_test_pass "disabling the waiting channel returns"
	else
		ktap_test_fail "disabling the waiting channel returns"
		loaded kmcl_hv_selftest && rmmod kmcl_hv_selftest
	fi
fi

# 4. Unloads cleanly.
if rmmod kmcl_hv && ! loaded kmcl_hv && rmmod kmcl && ! loaded kmcl; then
	ktap_test_pass "kmcl_hv and kmcl unload"
else
	ktap_test_fail "kmcl_hv and kmcl unload"
	loaded kmcl_hv && rmmod kmcl_hv
	loaded kmcl && rmmod kmcl
fi

# 5. Again and again.
ok=0
i=0
while [ "$i" -lt "$ROUNDS" ]; do
	i=$((i + 1))
	load kmcl || break
	load kmcl_hv || break
	rmmod kmcl_hv || break
	rmmod kmcl || break
	loaded kmcl_hv && break
	ok=$((ok + 1))
done
if [ "$ok" -eq "$ROUNDS" ]; then
	ktap_test_pass "load and unload kmcl_hv $ROUNDS times"
else
	ktap_test_fail "load and unload kmcl_hv $ROUNDS times (round $i failed)"
	loaded kmcl_hv && rmmod kmcl_hv
	loaded kmcl && rmmod kmcl
fi

# 6. Nothing leaked.
if [ -w "$KMEMLEAK" ]; then
	# kmemleak reports only objects at least 5 s old.
	sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	leaks=$(cat "$KMEMLEAK")
	if [ -z "$leaks" ]; then
		ktap_test_pass "kmemleak reports nothing"
	else
		echo "$leaks" | head -n 20 | sed 's/^/# /'
		ktap_test_fail "kmemleak reports nothing"
	fi
else
	ktap_test_skip "kmemleak reports nothing (no kmemleak in this kernel)"
fi

ktap_finished
