#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The ported heartbeat Integration Component (samples/kmcl/
# kmcl_ic_heartbeat.c) answering the real Hyper-V or Azure host through
# KMCL and kmcl_hv. Run as root on a Hyper-V / Azure guest with the modules
# installed (make install). It:
#   1. finds the heartbeat device under /sys/bus/vmbus/devices by its class
#      id and takes it from its driver (hv_utils), pinning it to kmcl_hv
#      with driver_override;
#   2. loads kmcl_hv and kmcl_ic_heartbeat, whose channel opens the device;
#   3. waits for the version negotiation;
#   4. waits until at least 3 host heartbeats are answered, within 30 s
#      (the sample's counters in /sys/kernel/debug/kmcl_ic_heartbeat);
#   5. unloads the sample and gives the device back to its driver.
# Step 5 also runs on every other way out (errors, signals): the device
# always goes back to the driver it had.
#
# Where there is no VMBus (no /sys/bus/vmbus) it skips and says so; the
# project's QEMU run (make check) runs it in that form. No Hyper-V host is
# available to the project's CI: the full run happens only on a real VM.
#
# KMCL_MODDIR: where the .ko files are (default: installed modules, via
# modprobe).

DIR="$(dirname "$(readlink -f "$0")")"
. "$DIR"/../kselftest/ktap_helpers.sh

HB_TYPE=57164f39-9115-4e78-ab55-382f3bd5422d
HB_DRIVER=kmcl_hv-$HB_TYPE
VSC=kmcl_ic_heartbeat
COUNTERS=/sys/kernel/debug/$VSC
WANT=3
WAIT_S=30

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

# counter NAME: a value from the sample's debugfs file, or empty.
counter() {
	sed -n "s/^$1: //p" "$COUNTERS" 2>/dev/null
}

# The driver the device is bound to, or empty.
bound_to() {
	[ -e "$dev/driver" ] && basename "$(readlink -f "$dev/driver")"
}

# wait_for SECONDS COMMAND...: poll COMMAND every half second.
wait_for() {
	n=$(($1 * 2))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.5
		n=$((n - 1))
	done
	"$@"
}

bound_to_kmcl() {
	[ "$(bound_to)" = "$HB_DRIVER" ]
}

negotiated() {
	[ "$(counter open)" = 1 ] && [ "$(counter negotiations)" -ge 1 ] 2>/dev/null &&
		[ "$(counter heartbeat)" != "0.0" ]
}

answered_enough() {
	[ "$(counter answers)" -ge "$WANT" ] 2>/dev/null
}

# Give the device back: unload what this script loaded, clear the
# override, bind the device to the driver it had. Safe to run twice.
give_back() {
	[ -n "$dev" ] || return 0
	if [ -n "$loaded_vsc" ] && loaded $VSC; then
		rmmod $VSC
	fi
	loaded_vsc=""
	if [ -w "$dev/driver_override" ]; then
		echo >"$dev/driver_override"
	fi
	cur=$(bound_to)
	if [ -n "$orig" ] && [ "$cur" != "$orig" ]; then
		[ -n "$cur" ] && echo "$inst" >"$dev/driver/unbind"
		echo "$inst" >"/sys/bus/vmbus/drivers/$orig/bind" 2>/dev/null ||
			echo "$inst" >/sys/bus/vmbus/drivers_probe
	fi
	if [ -n "$loaded_hv" ] && loaded kmcl_hv; then
		rmmod kmcl_hv
	fi
	loaded_hv=""
	if [ -n "$loaded_core" ] && loaded kmcl; then
		rmmod kmcl
	fi
	loaded_core=""
}

ktap_print_header

if [ "$(id -u)" -ne 0 ]; then
	ktap_skip_all "must be run as root"
	exit "$KSFT_SKIP"
fi
if [ ! -d /sys/bus/vmbus/devices ]; then
	ktap_skip_all "no VMBus here (/sys/bus/vmbus is missing): run it on a Hyper-V or Azure guest"
	exit "$KSFT_SKIP"
fi
dev=""
for d in /sys/bus/vmbus/devices/*; do
	if [ "$(cat "$d/class_id" 2>/dev/null)" = "{$HB_TYPE}" ]; then
		dev=$d
		break
	fi
done
if [ -z "$dev" ]; then
	ktap_skip_all "the host offers no heartbeat device (class id {$HB_TYPE})"
	exit "$KSFT_SKIP"
fi
if ! have_mod kmcl_hv || ! have_mod $VSC; then
	dev=""
	ktap_skip_all "kmcl_hv or $VSC is not installed (make install)"
	exit "$KSFT_SKIP"
fi
if loaded $VSC; then
	dev=""
	ktap_skip_all "$VSC is loaded already"
	exit "$KSFT_SKIP"
fi
if [ ! -d /sys/kernel/debug/kmcl ] && ! grep -q ' /sys/kernel/debug debugfs' /proc/mounts; then
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
fi

inst=$(basename "$dev")
orig=$(bound_to)
loaded_core=""
loaded_hv=""
loaded_vsc=""
trap 'give_back' EXIT
trap 'exit 1' HUP INT TERM

ktap_set_plan 5
ktap_print_msg "heartbeat device $inst, bound to ${orig:-no driver}"

# 1. The device leaves its driver and may only go to kmcl_hv.
echo "$HB_DRIVER" >"$dev/driver_override"
if [ -n "$orig" ]; then
	echo "$inst" >"$dev/driver/unbind"
fi
if [ -z "$(bound_to)" ] && [ "$(cat "$dev/driver_override")" = "$HB_DRIVER" ]; then
	ktap_test_pass "the device is taken from ${orig:-no driver}"
else
	ktap_test_fail "the device is taken from ${orig:-no driver}"
fi

# 2. kmcl_hv and the sample load; the sample's channel binds the device.
ok=1
if ! loaded kmcl; then
	load kmcl && loaded_core=1 || ok=0
fi
if ! loaded kmcl_hv; then
	load kmcl_hv && loaded_hv=1 || ok=0
fi
load $VSC && loaded_vsc=1 || ok=0
echo "$inst" >/sys/bus/vmbus/drivers_probe 2>/dev/null
if [ $ok = 1 ] && wait_for 10 bound_to_kmcl; then
	ktap_test_pass "kmcl_hv and $VSC load and bind the device"
else
	ktap_test_fail "kmcl_hv and $VSC load and bind the device"
fi

# 3. The channel opens and the versions are agreed.
if wait_for 10 negotiated; then
	ktap_test_pass "the host negotiated framework $(counter framework), heartbeat $(counter heartbeat)"
else
	ktap_test_fail "the host negotiated versions"
fi

# 4. The host's heartbeats are answered through KMCL.
t0=$(date +%s)
if wait_for $WAIT_S answered_enough; then
	ktap_test_pass "$(counter answers) host heartbeats answered in $(($(date +%s) - t0)) s"
else
	ktap_test_fail "at least $WANT host heartbeats answered within $WAIT_S s"
fi
ktap_print_msg "counters: $(tr '\n' ' ' <"$COUNTERS" 2>/dev/null)"

# 5. The device goes back to its driver.
give_back
if [ "$(bound_to)" = "$orig" ] && ! loaded $VSC; then
	ktap_test_pass "the device is back with ${orig:-no driver}"
else
	ktap_test_fail "the device is back with ${orig:-no driver} (bound to $(bound_to))"
fi

ktap_finished
