#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make fuzz`: the long userspace fuzzing runs (run.sh full), then the
# hostile loopback peer in the guest with HOSTILE_PACKETS (default 10^6)
# packets under the usual KASAN/lockdep/kmemleak test kernel, with every
# other suite as in make check.
#   HOSTILE_SEED=0x... make fuzz     rerun the guest part from a seed
#                                    (0, the default: a random seed)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../qemu/lib.sh"

rc=0
"$here/run.sh" full | tee "$KMCL_OUT/fuzz-userspace.log" || rc=1

out="$KMCL_OUT/fuzz-guest"
set +e
KMCL_OUT="$out" KMCL_HOSTILE_PACKETS="${HOSTILE_PACKETS:-1000000}" \
	KMCL_HOSTILE_SEED="${HOSTILE_SEED:-0}" \
	KMCL_TIMEOUT="${KMCL_TIMEOUT:-7200}" \
	"$KMCL_QEMU_DIR/check.sh" >"$out.log" 2>&1
grc=$?
set -e
[ $grc -eq 0 ] || rc=1
grep -aE 'hostile: (failure|loopback [0-9]+ packets)' "$out/console.log" 2>/dev/null |
	sed 's/^\[[^]]*\] *//; s/^kmcl_kunit: //' | tail -n 3 || echo "hostile: no figure (see $out.log)"
sed -n 's/^fuzz: \([0-9]* passed\)/userspace fuzz: \1/p' "$KMCL_OUT/fuzz-userspace.log"
# The guest verdict (every suite, the hostile rounds among them).
tail -n 1 "$out.log"
exit $rc
