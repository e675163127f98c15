#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make stress`: the concurrency stresses and the load/unload cycles at full
# length, on the KCSAN test kernel (6.12-kcsan: KCSAN, lockdep, atomic-sleep
# checks, kmemleak; built and cached once, like the others). It is check.sh
# with two kselftests (kmcl_stress.sh: loopback, kmcl_load_cycles.sh) and
# one KUnit suite (kmcl_hv_stress: kmcl_hv against the hv_vmbus model); their
# lengths reach the guest on its kernel command line.
#
# Environment: KMCL_STRESS_SECONDS (default 300), KMCL_STRESS_CHANNELS (8),
# KMCL_STRESS_CYCLES (100); KMCL_OUT (default build/stress), KMCL_ACCEL and
# KMCL_TIMEOUT as for check.sh.
#
# Ends with one figure line per part and the verdict "N passed, N failed".
set -euo pipefail
# Its own output directory: lib.sh would default KMCL_OUT to make check's.
out=${KMCL_OUT:-}
. "$(dirname "$0")/lib.sh"

secs=${KMCL_STRESS_SECONDS:-300}
chans=${KMCL_STRESS_CHANNELS:-8}
cycles=${KMCL_STRESS_CYCLES:-100}
out=${out:-$KMCL_TOP/build/stress}
mkdir -p "$out" || die "cannot create $out"
start=$(date +%s)

rc=0
# One KUnit suite (kmcl_hv_stress) and the two kselftests.
KMCL_KERNEL=6.12-kcsan KMCL_OUT="$out" KMCL_ONLY=kmcl_hv_stress \
	KMCL_KSELFTESTS="kmcl_stress.sh kmcl_load_cycles.sh" \
	KMCL_BOOT_EXTRA="kmcl_stress.seconds=$secs kmcl_stress.channels=$chans kmcl_stress.cycles=$cycles kmcl_hv_kunit.stress_seconds=$secs kmcl_hv_kunit.stress_channels=$chans" \
	KMCL_TIMEOUT=${KMCL_TIMEOUT:-$((2 * secs + cycles * 20 + 1200))} \
	"$KMCL_QEMU_DIR/check.sh" >"$out/stress.log" 2>&1 || rc=$?
grep -v -e 'partial run' -e '^[0-9]* passed, [0-9]* failed' "$out/stress.log" || true

# Console reports of the detectors (the patterns verdict.py fails on).
reports=$(python3 - "$KMCL_QEMU_DIR" "$out/console.log" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import verdict
n = 0
for line in open(sys.argv[2], errors='replace'):
    n += any(p.search(line) for p, _ in verdict.CONSOLE_BAD)
print(n)
PY
) || reports=unknown
pkts=$(sed -n 's/.*kmcl_stress: client packets: sent \([0-9]*\).*/\1/p' \
	"$out/report.log" 2>/dev/null | head -n 1)
threads=$(sed -n 's/.*kmcl_stress: [0-9]* s [0-9]* channels \([0-9]*\) threads.*/\1/p' \
	"$out/report.log" 2>/dev/null | head -n 1)
hv=$(sed -n 's/.*kmcl_hv_stress: [0-9]* s [0-9]* channels \([0-9]*\) packets \([0-9]*\) rescinds \([0-9]*\) gpadl cycles.*/\1 packets \2 rescinds \3 gpadl cycles/p' \
	"$out/console.log" 2>/dev/null | tail -n 1)
hv_ok=$(grep -c '^| ok [0-9]* kmcl_hv_stress' "$out/report.log" 2>/dev/null || true)
cyc_ok=$(grep -c '^| ok [0-9]* load and unload with channels open' "$out/report.log" 2>/dev/null || true)

echo "stress: $secs s $chans channels ${threads:-?} threads ${pkts:-?} packets $reports reports"
echo "stress: hv $secs s $chans channels ${hv:-? packets ? rescinds ? gpadl cycles} $reports reports, $([ "${hv_ok:-0}" -ge 1 ] && echo passed || echo FAILED)"
echo "load-cycles: $cycles cycles with channels open, $([ "${cyc_ok:-0}" -ge 1 ] && echo passed || echo FAILED)"
echo "stress: took $(( $(date +%s) - start )) s (console: $out/console.log)"
grep '^[0-9]* passed, [0-9]* failed' "$out/stress.log" | tail -n 1 || echo "0 passed, 1 failed"
exit $rc
