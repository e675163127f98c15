#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the test guest. Loads the real .ko files, runs the KUnit suites
# (on module load) and the kselftest scripts, unloads everything, scans for
# leaks, and reports through the second serial port (ttyS1), which only this
# script writes to. The host decides the verdict from that report and the
# console log; this script never decides pass or fail itself.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp

R=/dev/ttyS1
say() { echo "$*" >"$R"; }
send() { sed 's/^/| /' >"$R"; }

# Report every leak kmemleak can see now (objects must be 5 s old to count).
kmemleak_report() {
	[ -e "$KMEMLEAK" ] || return 0
	sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	say "KMEMLEAK-BEGIN $1"
	send <"$KMEMLEAK"
	say "KMEMLEAK-END $1"
}

MODDIR=/lib/kmcl
KMEMLEAK=/sys/kernel/debug/kmemleak

say "KMCL-HARNESS-BEGIN $(uname -r)"

# A KCSAN kernel (make stress): drop the reports of the kernel's own races
# by design, each listed with its reason in kcsan-ignore, before anything
# of ours loads. A name the kernel cannot find is said, not fatal.
if [ -e /sys/kernel/debug/kcsan ] && [ -e "$MODDIR/kcsan-ignore" ]; then
	sed -n 's/^\([A-Za-z_][A-Za-z0-9_.]*\)$/\1/p' "$MODDIR/kcsan-ignore" |
		while read -r f; do
			if echo "!$f" >/sys/kernel/debug/kcsan 2>/dev/null; then
				say "KCSAN-IGNORE $f"
			else
				say "KCSAN-IGNORE-UNKNOWN $f"
			fi
		done
fi

# `make demo` (demo.sh) ships a list of modules instead of the tests: load
# them in order (the samples print the demo on the console), unload them in
# reverse, report as below and stop.
if [ -e "$MODDIR/demo-modules" ]; then
	for m in $(cat "$MODDIR/demo-modules"); do
		if insmod "$MODDIR/$m.ko"; then
			say "MODULE-LOADED $m"
		else
			say "MODULE-LOAD-FAILED $m"
		fi
	done
	for m in $(tac "$MODDIR/demo-modules"); do
		grep -q "^$m " /proc/modules || continue
		if rmmod "$m"; then
			say "MODULE-UNLOADED $m"
		else
			say "MODULE-UNLOAD-FAILED $m"
		fi
	done
	leftover=$(grep -E '^kmcl' /proc/modules | cut -d' ' -f1 | tr '\n' ' ')
	[ -n "$leftover" ] && say "MODULES-LEFT $leftover"
	say "TAINTED $(cat /proc/sys/kernel/tainted)"
	say "KMCL-HARNESS-END"
	sync
	reboot -f
fi

# kmemleak ignores objects younger than 5 s: let boot allocations age, then
# forget whatever the kernel itself already leaked before our modules load.
if [ -e "$KMEMLEAK" ]; then
	while [ "$(cut -d. -f1 /proc/uptime)" -lt 6 ]; do sleep 1; done
	echo scan >"$KMEMLEAK"
	echo clear >"$KMEMLEAK"
else
	say "KMEMLEAK-MISSING"
fi

# Core first, then every KUnit module: their suites run while insmod waits.
# Parameters MODULE.NAME=VALUE on the kernel command line go to insmod
# (modprobe would read them there; insmod does not).
for m in kmcl $(cat "$MODDIR/kunit-modules"); do
	# shellcheck disable=SC2046 # one word per parameter
	if insmod "$MODDIR/$m.ko" $(tr ' ' '\n' </proc/cmdline | sed -n "s/^$m\.//p"); then
		say "MODULE-LOADED $m"
	else
		say "MODULE-LOAD-FAILED $m"
	fi
done

for d in /sys/kernel/debug/kunit/*/; do
	[ -e "$d/results" ] || continue
	say "KUNIT-BEGIN $(basename "$d")"
	send <"$d/results"
	say "KUNIT-END $(basename "$d")"
done

for m in $(cat "$MODDIR/unload-order"); do
	grep -q "^$m " /proc/modules || continue
	if rmmod "$m"; then
		say "MODULE-UNLOADED $m"
	else
		say "MODULE-UNLOAD-FAILED $m"
	fi
done

# Leaks of the KUnit phase, before a kselftest clears kmemleak's list.
kmemleak_report kunit

for t in /kselftest/kmcl/*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t")
	say "KSELFTEST-BEGIN $name"
	(cd /kselftest/kmcl && KMCL_MODDIR="$MODDIR" sh "./$name" 2>&1) >/tmp/ksft.out
	rc=$?
	send </tmp/ksft.out
	say "KSELFTEST-END $name $rc"
done

leftover=$(grep -E '^kmcl' /proc/modules | cut -d' ' -f1 | tr '\n' ' ')
[ -n "$leftover" ] && say "MODULES-LEFT $leftover"

kmemleak_report final

say "TAINTED $(cat /proc/sys/kernel/tainted)"
say "KMCL-HARNESS-END"
sync
reboot -f
