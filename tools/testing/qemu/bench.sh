#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make bench`: KMCL's data path next to a raw VMBus-format ring. Boots
# Debian's stock, non-debug kernel (linux-image-<abi>-amd64, installed
# with its headers by deps.sh) in QEMU - KVM when the harness's probe
# finds it usable, TCG otherwise - with kmcl.ko and kmcl_bench.ko
# (tools/testing/bench/), and turns what the guest prints into
# build/bench/: results.txt (the table and the closing "bench:" lines),
# bench.svg (throughput against channel pairs, and MB/s against packet
# size). Not part of `make check`, whose kselftest only runs a tiny
# version of the same module.
#
# Environment: KMCL_BENCH_KVER (kernel ABI, default: the one of the
# linux-source-6.12 package, e.g. 6.12.118+deb12-amd64), KMCL_ACCEL,
# KMCL_OUT, KMCL_TIMEOUT, KMCL_BENCH_ARGS (module parameters, e.g.
# "reps=3 count=10000"; "ladder=1" adds the guarantee ladder, ladder.c; "calls=1" counts
# kernel calls per packet, calls.c; "profile=1" samples where the time
# goes, profile.c), KMCL_BENCH_ICOUNT=1 (see below).
#
# KMCL_BENCH_ICOUNT=1 runs the guest under TCG with -icount shift=0: each
# guest instruction advances the guest clock by 1 ns, so every "ns" the
# bench prints is a count of instructions executed, the same from run to
# run whatever else the host does. Both vCPUs then share one host thread:
# the figures say how much work a path does (for comparing two trees,
# side by side with the raw ring), not how fast it runs, and the scaling
# rows mean nothing. A run to quote is one without it.
#
# KMCL_BENCH_EXACT=1 (with KMCL_BENCH_ARGS="exact=ROW side=SIDE count=N")
# runs one side of one ladder row under -icount with insn-plugin.c, which
# counts every guest kernel block run, and writes insn.txt and syms.txt
# instead of the table; bench-exact.py turns two such runs into
# instructions per packet (Documentation/testing.rst).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
"$KMCL_QEMU_DIR/deps.sh" check
if [ -z "${KMCL_BENCH_KVER:-}" ]; then
	srcver=$(dpkg-query -W -f='${Version}' "$KMCL_SRC_PKG")
	KMCL_BENCH_KVER="${srcver%%-*}+deb12-amd64"
fi
kver=$KMCL_BENCH_KVER
"$KMCL_QEMU_DIR/deps.sh" "linux-image-$kver" "linux-headers-$kver" gnuplot-nox
kimage=/boot/vmlinuz-$kver
kbuild=/usr/src/linux-headers-$kver
[ -r "$kimage" ] || die "$kimage is missing or not readable"
[ -d "$kbuild" ] || die "$kbuild is missing"

mkdir -p "$KMCL_OUT/bench" || die "cannot create $KMCL_OUT/bench"
need_space "$KMCL_OUT" 1
out=$(cd "$KMCL_OUT/bench" && pwd)
src="$out/src"
# A clean build every time: figures must never come from stale objects
# (the copy keeps the sources' times, which can be older than the objects).
rm -rf "$src"
kmcl_copy_tree "$src"
kmcl_build_modules "$kbuild" "$src"

# The initramfs: busybox, the two modules, the bench's /init.
root="$out/initramfs"
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/kmcl}
cp /bin/busybox "$root/bin/busybox"
cp "$KMCL_TOP/tools/testing/bench/init.sh" "$root/init"
chmod 755 "$root/init" "$root/bin/busybox"
for m in kmcl kmcl_bench; do
	ko=$(find "$src" -name "$m.ko" | head -n 1)
	[ -n "$ko" ] || die "$m.ko was not built"
	cp "$ko" "$root/lib/kmcl/"
done
echo "${KMCL_BENCH_ARGS:-}" >"$root/lib/kmcl/bench-args"
[ "${KMCL_BENCH_EXACT:-0}" = 1 ] && touch "$root/lib/kmcl/exact"
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null ||
	note "cannot create /dev/console in the initramfs (not root?): the guest may print less"
(cd "$root" && find . | sort | cpio -o -H newc --quiet) >"$out/initramfs.cpio" ||
	die "cannot build the initramfs"

# kmcl_pick_accel/kmcl_boot boot "$kbuild/vmlinux": point it at the image.
kdir="$out/kernel"
mkdir -p "$kdir"
ln -sf "$kimage" "$kdir/vmlinux"
if [ "${KMCL_BENCH_EXACT:-0}" = 1 ]; then
	accel=tcg-exact
	gcc -O2 -Wall -shared -fPIC -o "$out/insn-plugin.so" \
		"$KMCL_QEMU_DIR/insn-plugin.c" -lpthread ||
		die "cannot build the QEMU plugin"
	rm -f "$out/insn.txt"
	qaccel=(-accel tcg,thread=single -icount shift=0,sleep=off
		-cpu max,la57=off -plugin "$out/insn-plugin.so,out=$out/insn.txt")
	kmcl_boot_extra=" nokaslr"
	note "exact: counting every guest kernel instruction (insn-plugin.c)"
elif [ "${KMCL_BENCH_ICOUNT:-0}" = 1 ]; then
	accel=tcg-icount
	qaccel=(-accel tcg,thread=single -icount shift=0,sleep=off -cpu max,la57=off)
	note "icount: the figures below count guest instructions (1 per ns), not time"
else
	kmcl_pick_accel "$kdir" "$out"
fi
note "kernel $kver (Debian stock, non-debug), accelerator $accel"
if [ "$accel" = kvm ]; then
	tmo=${KMCL_TIMEOUT:-900}
else
	tmo=${KMCL_TIMEOUT:-2400}
fi
kmcl_boot "$kdir" "$out" "$tmo"

rep="$out/report.log"
tr -d '\r' <"$rep" | sed -n 's/^kmcl_bench: //p' >"$out/guest.log" || true
grep -q '^KMCL-BENCH-END' "$rep" 2>/dev/null ||
	die "the guest did not finish (QEMU exit $qrc; see $out/console.log)"
grep -q '^end: PASS' "$out/guest.log" || {
	grep -m1 'FAIL' "$out/guest.log" >&2 || true
	die "the benchmark failed (see $out/console.log)"
}

if [ "${KMCL_BENCH_EXACT:-0}" = 1 ]; then
	tr -d '\r' <"$rep" | sed -n 's/^sym: //p' >"$out/syms.txt"
	[ -s "$out/insn.txt" ] || die "the plugin wrote no counts"
	note "exact: $(sed -n 's/^exact: //p' "$out/guest.log"): blocks in $out/insn.txt, symbols in $out/syms.txt"
	exit 0
fi

# Plot data.
sed -n 's/^data: pairs \([0-9]*\) kmcl \([0-9]*\) raw \([0-9]*\)$/\1 \2 \3/p' \
	"$out/guest.log" >"$out/pairs.dat"
sed -n 's/^data: size \([0-9]*\) kmcl \([0-9]*\) raw \([0-9]*\)$/\1 \2 \3/p' \
	"$out/guest.log" >"$out/sizes.dat"
gnuplot <<GP || note "gnuplot failed: no plot"
set terminal svg size 1000,420 dynamic font "sans,11"
set output "$out/bench.svg"
set multiplot layout 1,2 title "KMCL vs raw VMBus ring, loopback, $kver, $accel, 2 vCPUs"
set key top left
set grid
set xlabel "channel pairs"
set ylabel "packets/s (64 B, all pairs)"
set logscale x 2
plot "$out/pairs.dat" using 1:2 with linespoints title "KMCL", \
     "$out/pairs.dat" using 1:3 with linespoints title "raw ring"
set xlabel "in-band packet size (bytes)"
set ylabel "MB/s (one pair)"
set logscale x 2
plot "$out/sizes.dat" using 1:2 with linespoints title "KMCL", \
     "$out/sizes.dat" using 1:3 with linespoints title "raw ring"
unset multiplot
GP

{
	echo "kmcl bench: kernel $kver, accelerator $accel, $(date -u +%Y-%m-%d)"
	echo
	echo "ns per operation (best, median of the repetitions):"
	printf '%-18s %-10s %10s %10s %10s %10s\n' measurement per "kmcl best" "kmcl med" "raw best" "raw med"
	sed -n 's/^table: //p' "$out/guest.log" | grep -v -e '^open_close' -e '_p99 ' |
		awk '{ printf "%-18s %-10s %10s %10s %10s %10s\n", $1, $2, $4, $5, $7, $8 }'
	sed -n 's/^table: sync_rtt_p99 request kmcl \([0-9]*\) raw \([0-9]*\)/\1 \2/p' "$out/guest.log" |
		awk '{ printf "%-18s %-10s %10s %10s %10s %10s\n", "sync_rtt p99", "request", $1, "", $2, "" }'
	echo
	echo "open / close time of N pairs (us):"
	sed -n 's/^table: open_close_\([0-9]*\) us kmcl \([0-9]*\) \([0-9]*\) raw \([0-9]*\) \([0-9]*\)/\1 \2 \3 \4 \5/p' \
		"$out/guest.log" |
		awk '{ printf "  %3d pairs: kmcl open %8d close %8d   raw open %8d close %8d\n", $1, $2, $3, $4, $5 }'
	echo
	echo "aggregate 64 B packets/s by pairs (pairs kmcl raw):"
	sed 's/^/  /' "$out/pairs.dat"
	echo "in-band MB/s by packet size (bytes kmcl raw):"
	sed 's/^/  /' "$out/sizes.dat"
	sed -n 's/^\(allocs\|memory\): /\1: /p' "$out/guest.log"
	if grep -q '^ladder: ' "$out/guest.log"; then
		echo
		echo "guarantee ladder (ladder.c), ns per packet (sync_rtt: per request):"
		printf '  %-18s %-9s %8s %8s\n' measurement side best median
		sed -n 's/^ladder: \([a-z0-9_]*\) \([a-z]*\) \([0-9]*\) \([0-9]*\)$/\1 \2 \3 \4/p' \
			"$out/guest.log" |
			awk '{ printf "  %-18s %-9s %8s %8s\n", $1, $2, $3, $4 }'
		sed -n 's/^ladder: prim /primitives, ns each: /p' "$out/guest.log"
	fi
	if grep -q '^phases: ' "$out/guest.log"; then
		echo
		echo "a DISPATCH burst by phase, ns per packet (untimed pass, main.c):"
		printf '  %-18s %-9s %8s %8s %8s\n' measurement side send server client
		sed -n 's/^phases: \([a-z0-9_]*\) \([a-z]*\) send \([0-9]*\) server \([0-9]*\) client \([0-9]*\) packets [0-9]*$/\1 \2 \3 \4 \5/p' \
			"$out/guest.log" |
			awk '{ printf "  %-18s %-9s %8s %8s %8s\n", $1, $2, $3, $4, $5 }'
	fi
	if grep -q '^calls: ' "$out/guest.log"; then
		echo
		echo "kernel calls per 100 packets (calls.c, kprobes):"
		sed -n 's/^calls: /  /p' "$out/guest.log"
	fi
	if grep -q '^profile: ' "$out/guest.log"; then
		echo
		echo "sampled profile (profile.c), share of samples by function:"
		sed -n 's/^profile: /  /p' "$out/guest.log"
	fi
	echo
	# The closing lines, in the issue's order and form.
	for n in async64 async64_dispatch sync_rtt inband16k ext64k ext64k_vmalloc scale4; do
		sed -n "s/^result: \($n kmcl [0-9.]* raw [0-9.]* ratio [0-9.]*\).*/bench: \1/p" "$out/guest.log"
	done
	for n in async64 sync_rtt ext64k ext64k_vmalloc; do
		sed -n "s/^result: \(allocs_per_packet $n [0-9.]*\)$/bench: \1/p" "$out/guest.log"
	done
	sed -n 's/^result: \(mem_per_pair_kib rings -\{0,1\}[0-9]* other -\{0,1\}[0-9]*\).*/bench: \1/p' "$out/guest.log"
} >"$out/results.txt"
cat "$out/results.txt"
echo "kmcl: bench done in $(($(date +%s) - t0)) s: $out/results.txt, $out/bench.svg"
