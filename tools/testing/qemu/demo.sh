#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make demo`: the two sample pairs (samples/kmcl/) talking over the
# in-kernel loopback VMBus. Builds the test kernel (once, cached) and the
# modules, boots QEMU with an initramfs that loads kmcl.ko, then the echo
# pair (kmcl_echo_vsp.ko, and kmcl_echo_vsc.ko, whose loading runs the echo
# demo), then the heartbeat pair (kmcl_ic_heartbeat.ko, the ported
# Integration Component, which waits for its host, and kmcl_ic_host.ko, the
# host double, whose loading runs the exchange), unloads them again, and
# prints the transcript from the guest console.
#
# Each pair logs its own verdict: "kmcl demo: PASS" (echo) and "kmcl demo:
# heartbeat pair PASS". The transcript ends in "kmcl demo: PASS" only if
# both passed and the verdict finds nothing wrong in the guest: every
# module loaded and unloaded, no KASAN / lockdep / WARN / BUG / oops, no
# taint, no timeout.
#
# Environment: as check.sh (KMCL_CACHE, KMCL_OUT - the demo uses
# $KMCL_OUT/demo -, KMCL_ACCEL, KMCL_TIMEOUT).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
"$KMCL_QEMU_DIR/deps.sh" check
kbuild=$("$KMCL_QEMU_DIR/build-kernel.sh")

mkdir -p "$KMCL_OUT/demo" || die "cannot create $KMCL_OUT/demo"
need_space "$KMCL_OUT" 1
out=$(cd "$KMCL_OUT/demo" && pwd)
src="$out/src"

kmcl_copy_tree "$src"
kmcl_build_modules "$kbuild" "$src"

demo_mods="kmcl kmcl_echo_vsp kmcl_echo_vsc kmcl_ic_heartbeat kmcl_ic_host"
mods="$out/initramfs/lib/kmcl"
rm -rf "$out/initramfs"
mkdir -p "$mods" "$out/initramfs/kselftest"
for m in $demo_mods; do
	ko=$(find "$src" -name "$m.ko" | head -n 1)
	[ -n "$ko" ] || die "$m.ko was not built"
	cp "$ko" "$mods/"
done
# Its presence tells init.sh to run the demo instead of the tests.
echo "$demo_mods" | tr ' ' '\n' >"$mods/demo-modules"
kmcl_pack_initramfs "$kbuild" "$out" "$KMCL_QEMU_DIR/init.sh"

kmcl_pick_accel "$kbuild" "$out"
if [ "$accel" = kvm ]; then
	tmo=${KMCL_TIMEOUT:-120}
else
	tmo=${KMCL_TIMEOUT:-300}
fi
kmcl_boot "$kbuild" "$out" "$tmo"

echo "kmcl: demo transcript (guest console: $out/console.log)"
# Console lines are "[   12.345678] kmcl demo: ..." (and the IC's own
# "kmcl_ic_heartbeat: ..."); show them without the time.
sed -n 's/^\[[^]]*\] \(kmcl demo: \|kmcl_ic_heartbeat: \)/\1/p' "$out/console.log" |
	tr -d '\r' | tee "$out/transcript.log"

fail=""
python3 "$KMCL_QEMU_DIR/verdict.py" --report "$out/report.log" \
	--console "$out/console.log" --modules "$demo_mods" >"$out/verdict.log" ||
	fail="the guest run was not clean"
grep '^FAIL: ' "$out/verdict.log" || true
# Both pairs' verdicts, exactly once each, and no failure anywhere.
r=$(grep -m1 -E '^kmcl demo: (heartbeat pair )?FAIL' "$out/transcript.log" || true)
if [ -n "$r" ]; then
	fail=${r#kmcl demo: }
elif [ "$(grep -cx 'kmcl demo: PASS' "$out/transcript.log")" -ne 1 ]; then
	fail="no echo pair verdict \"kmcl demo: PASS\" on the console"
elif [ "$(grep -cx 'kmcl demo: heartbeat pair PASS' "$out/transcript.log")" -ne 1 ]; then
	fail="no \"kmcl demo: heartbeat pair PASS\" on the console"
elif ! grep -qE '^kmcl demo: vsc: multi-queue: [1-9][0-9]* subchannels, every completion on its subchannel.s CPU' "$out/transcript.log"; then
	fail="the echo pair's multi-queue step did not run"
elif ! grep -qE '^kmcl demo: vsc: [1-9][0-9]* subchannels: Closed before the channel' "$out/transcript.log"; then
	fail="the echo pair's subchannels did not close before their channel"
elif ! grep -q '^kmcl demo: vsp: servicing: restored channel enabled and started' "$out/transcript.log"; then
	fail="the echo VSP was not saved and restored mid-traffic"
fi
secs=$(($(date +%s) - t0))
if [ -n "$fail" ]; then
	echo "kmcl demo: FAIL ($fail)"
	echo "kmcl: demo FAILED: $fail (${secs} s)"
	exit 1
fi
echo "kmcl demo: PASS"
echo "kmcl: demo passed, both pairs (${secs} s)"
