#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the benchmark guest (`make bench`): load kmcl.ko, then
# kmcl_bench.ko, whose loading runs the benchmark; send its "kmcl_bench:"
# lines through the second serial port (ttyS1), then power off.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp

R=/dev/ttyS1
echo "KMCL-BENCH-BEGIN $(uname -r)" >"$R"
# Let boot-time work (deferred probes, RCU callbacks) settle first.
sleep 3
# KMCL_BENCH_EXACT=1: the text symbols that name the counted blocks, sent
# before the run so that the serial port's work is the same in runs of
# different lengths (only the few of kmcl_bench.ko's come after it).
exact_syms() {
	[ -e /lib/kmcl/exact ] || return 0
	echo 0 >/proc/sys/kernel/kptr_restrict
	sed -n 's/^\([0-9a-f]*\) [tT] /sym: \1 /p' /proc/kallsyms >"$R"
	serial_drained
}
# The write above returns once the tty holds the text; the UART goes on
# sending it, an interrupt at a time, into the run. Wait until its
# transmit count (/proc/tty/driver/serial, line 1: ttyS1) stops moving.
serial_drained() {
	local last= now
	while now=$(sed -n 's/^1:.* tx:\([0-9]*\).*/\1/p' \
		    /proc/tty/driver/serial) && [ "$now" != "$last" ]; do
		last=$now
		sleep 1
	done
}
if insmod /lib/kmcl/kmcl.ko && exact_syms &&
   insmod /lib/kmcl/kmcl_bench.ko $(cat /lib/kmcl/bench-args); then
	dmesg | sed -n 's/^\[[^]]*\] \(kmcl_bench: \)/\1/p' >"$R"
else
	echo "KMCL-BENCH-LOAD-FAILED" >"$R"
fi
# KMCL_BENCH_EXACT=1: the benchmark module's text symbols (see exact_syms).
if [ -e /lib/kmcl/exact ]; then
	sed -n 's/^\([0-9a-f]*\) [tT] \(.*\[kmcl_bench\]\)$/sym: \1 \2/p' \
		/proc/kallsyms >"$R"
fi
echo "TAINTED $(cat /proc/sys/kernel/tainted)" >"$R"
echo "KMCL-BENCH-END" >"$R"
sync
reboot -f
