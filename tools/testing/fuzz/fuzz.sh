#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make fuzz`: the long runs.
#  1. userspace: run.sh full (2*10^6 executions of each libFuzzer target,
#     random seeds), one `fuzz: ...` figure line per target;
#  2. guest: the hostile peers kmcl_hostile (loopback) and kmcl_hv_hostile
#     (the hv_vmbus model as the host), HOSTILE_PACKETS packets each
#     (default 10^6), on the usual debug test kernel (KASAN, lockdep,
#     kmemleak), only those two suites booted; one `hostile: ...` figure
#     line per transport.
# The closing line is `N passed, N failed` over both parts.
#
#   HOSTILE_SEED=0x... make fuzz     rerun the guest part from its seed
#                                    (default: a new random seed, printed)
#   HOSTILE_PACKETS=N                packets per transport
#   HOSTILE_ROUND=R                  only round R (1-based) of that run,
#                                    with the same seed and HOSTILE_PACKETS
#   FUZZ_PARTS="hostile"             one part only ("userspace hostile")
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../qemu/lib.sh"

mkdir -p "$KMCL_OUT"
parts=${FUZZ_PARTS:-userspace hostile}
passed=0
failed=0

# add_verdict LINE: add a "N passed, N failed" line to the totals.
add_verdict() {
	local p f
	p=$(grep -o '[0-9]* passed' <<<"$1" | head -n 1 | cut -d' ' -f1)
	f=$(grep -o '[0-9]* failed' <<<"$1" | head -n 1 | cut -d' ' -f1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
}

if [[ " $parts " == *" userspace "* ]]; then
	"$here/run.sh" full | tee "$KMCL_OUT/fuzz-userspace.log" || true
	add_verdict "$(grep -a '^fuzz: [0-9]* passed' "$KMCL_OUT/fuzz-userspace.log" | tail -n 1 ||
		echo '0 passed, 1 failed')"
fi

if [[ " $parts " == *" hostile "* ]]; then
	seed=${HOSTILE_SEED:-}
	[ -n "$seed" ] || seed=0x$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')
	packets=${HOSTILE_PACKETS:-1000000}
	echo "hostile: seed $seed, $packets packets per transport${HOSTILE_ROUND:+, round $HOSTILE_ROUND only}"
	out="$KMCL_OUT/fuzz-guest"
	start=$(date +%s)
	set +e
	KMCL_OUT="$out" KMCL_HOSTILE_PACKETS="$packets" KMCL_HOSTILE_SEED="$seed" \
		KMCL_HOSTILE_ROUND="${HOSTILE_ROUND:-}" \
		KMCL_ONLY='kmcl*hostile' KMCL_KSELFTESTS=none \
		KMCL_TIMEOUT="${KMCL_TIMEOUT:-14400}" \
		"$KMCL_QEMU_DIR/check.sh" >"$out.log" 2>&1
	set -e
	grep -aE 'hostile: ([a-z]+ failure|(loopback|hv) [0-9]+ packets)' \
		"$out/console.log" 2>/dev/null |
		sed 's/^\[[^]]*\] *//; s/^kmcl[a-z_]*: //' ||
		echo "hostile: no figure line (see $out.log)"
	echo "hostile: guest part took $(( $(date +%s) - start )) s; rerun with HOSTILE_SEED=$seed HOSTILE_PACKETS=$packets make fuzz (HOSTILE_ROUND=R: one round)"
	add_verdict "$(grep -a '^[0-9]* passed, [0-9]* failed' "$out.log" | tail -n 1 ||
		echo '0 passed, 1 failed')"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
