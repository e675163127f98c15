#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the userspace fuzz targets (see README in this directory).
#   run.sh smoke    FUZZ_RUNS (default 100000) executions per target, fixed
#                   libFuzzer seed: the part of `make check`
#   run.sh full     FUZZ_RUNS (default 2000000) per target, random seed:
#                   the part of `make fuzz`
#   run.sh repro FILE...   rerun crash inputs (from build/fuzz/crashes-T/)
# Environment: FUZZ_SEED (libFuzzer -seed), FUZZ_TARGETS (default: all).
# Prints one line per target, `fuzz: T N execs C crashes`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../qemu/lib.sh"

mode=${1:-smoke}
shift || true
"$KMCL_QEMU_DIR/deps.sh" clang libclang-rt-14-dev
out="$KMCL_OUT/fuzz"
make -s -C "$here" OUT="$out" >/dev/null || die "fuzz targets failed to build"
targets=${FUZZ_TARGETS:-ring wire build save}

if [ "$mode" = repro ]; then
	rc=0
	for f in "$@"; do
		# A crash input belongs to the target whose crashes-T/ holds it.
		t=$(basename "$(dirname "$f")")
		t=${t#crashes-}
		[ -x "$out/fuzz_$t" ] || die "$f: not under build/fuzz/crashes-TARGET/"
		"$out/fuzz_$t" "$f" || rc=1
	done
	exit $rc
fi

case $mode in
smoke)	runs=${FUZZ_RUNS:-100000}; seed=${FUZZ_SEED:-1} ;;
full)	runs=${FUZZ_RUNS:-2000000}; seed=${FUZZ_SEED:-0} ;;
*)	die "usage: run.sh smoke|full|repro FILE..." ;;
esac

pass=0
fail=0
for t in $targets; do
	work="$out/corpus-$t"
	art="$out/crashes-$t/"
	mkdir -p "$work" "$art"
	# The committed seeds first, then what earlier runs found.
	cp -n "$here/corpus/$t"/* "$work/" 2>/dev/null || true
	log="$out/$t.log"
	rc=0
	"$out/fuzz_$t" -runs="$runs" -seed="$seed" -dict="$here/kmcl.dict" \
		-max_len=8192 -artifact_prefix="$art" -print_final_stats=1 \
		"$work" >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	used=$(sed -n 's/.*Seed: \([0-9]*\).*/\1/p' "$log" | head -n 1)
	if [ $rc -eq 0 ]; then
		echo "fuzz: $t ${execs:-0} execs 0 crashes seed $used"
		pass=$((pass + 1))
	else
		crash=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n 1)
		grep -E 'invariant broken|ERROR: AddressSanitizer|runtime error' \
			"$log" | head -n 3 >&2 || true
		echo "fuzz: $t ${execs:-0} execs 1 crashes seed $used" \
			"(log $log; rerun: $here/run.sh repro ${crash:-?})"
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ $fail -eq 0 ]
