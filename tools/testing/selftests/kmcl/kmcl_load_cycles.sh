#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Load and unload kmcl, kmcl_hv and the samples again and again with
# channels open, waiting and mid-traffic: each round loads kmcl, kmcl_hv,
# kmcl_echo_vsp (its offer open, no client), kmcl_ic_heartbeat (a client
# waiting for an offer) and kmcl_stress seconds=0 (channel pairs with traffic
# running, one more client waiting), every fifth round also the echo demo
# (kmcl_echo_vsc), then unloads everything in reverse while the traffic runs.
# (kmcl_ic_heartbeat waits on kmcl_hv here, where no host offers it, so its
# loopback demo with kmcl_ic_host is kmcl_samples.sh's job.)
# Every load and unload must succeed, every stress verdict must be PASS, and
# kmemleak must report nothing afterwards.
#
# Rounds: kmcl_stress.cycles=N on the kernel command line (make stress sets
# 100), else 10.
#
# KMCL_MODDIR: where the .ko files are (default: installed modules, via
# modprobe).

DIR="$(dirname "$(readlink -f "$0")")"
. "$DIR"/../kselftest/ktap_helpers.sh

KMEMLEAK=/sys/kernel/debug/kmemleak

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

ROUNDS=$(cmdline_param cycles 10)
MODS="kmcl kmcl_hv kmcl_echo_vsp kmcl_ic_heartbeat kmcl_stress"

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

ktap_set_plan 3

if [ -w "$KMEMLEAK" ]; then
	echo scan >"$KMEMLEAK"
	echo clear >"$KMEMLEAK"
fi

mark="kmcl_load_cycles.sh: pid $$"
echo "$mark" >/dev/kmsg
ok=0
i=0
why=""
pass=0
demos=0
fails=""
while [ "$i" -lt "$ROUNDS" ]; do
	i=$((i + 1))
	# Verdicts are read per round: 100 rounds overflow the kernel's log
	# buffer, so a mark made before the first round is gone by the end.
	rmark="kmcl_load_cycles.sh: pid $$ round $i"
	echo "$rmark" >/dev/kmsg
	for m in $MODS; do
		case $m in
		kmcl_stress) load "$m" seconds=0 channels=4 ;;
		*) load "$m" ;;
		esac || { why="loading $m"; break; }
	done
	[ -z "$why" ] || break
	if [ $((i % 5)) -eq 0 ]; then
		load kmcl_echo_vsc || { why="loading kmcl_echo_vsc"; break; }
		rmmod kmcl_echo_vsc || { why="unloading kmcl_echo_vsc"; break; }
	fi
	usleep 200000
	for m in kmcl_stress kmcl_ic_heartbeat kmcl_echo_vsp kmcl_hv kmcl; do
		rmmod "$m" || { why="unloading $m"; break; }
	done
	[ -z "$why" ] || break
	rlog=$(dmesg | sed -n "\\|$rmark\$|,\$p")
	pass=$((pass + $(echo "$rlog" | grep -c 'kmcl_stress: PASS')))
	demos=$((demos + $(echo "$rlog" | grep -c 'kmcl demo: PASS')))
	f=$(echo "$rlog" | grep -E 'kmcl_stress: FAIL|kmcl demo: .*FAIL')
	[ -z "$f" ] || fails="$fails$f
"
	if grep -q '^kmcl' /proc/modules; then
		why="modules left loaded"
		break
	fi
	ok=$((ok + 1))
done
if [ "$ok" -eq "$ROUNDS" ]; then
	ktap_test_pass "load and unload with channels open $ROUNDS times"
else
	ktap_test_fail "load and unload with channels open $ROUNDS times (round $i: $why)"
	for m in kmcl_echo_vsc kmcl_stress kmcl_ic_heartbeat kmcl_echo_vsp kmcl_hv kmcl; do
		grep -q "^$m " /proc/modules && rmmod "$m"
	done
fi

[ -z "$fails" ] || echo "$fails" | head -n 5 | sed 's/^/# /'
if [ "$pass" -eq "$ok" ] && [ "$demos" -eq $((ok / 5)) ] && [ -z "$fails" ]; then
	ktap_test_pass "every round's stress and demo verdict is PASS ($pass stress, $demos demo)"
else
	ktap_test_fail "every round's stress and demo verdict is PASS ($pass stress, $demos demo of $ok rounds)"
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
