#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Instructions per packet from two `make bench KMCL_BENCH_EXACT=1` runs.

The two runs must be the same row and side with different packet counts
(KMCL_BENCH_ARGS="exact=ROW side=SIDE count=N", each with its own
KMCL_OUT): whatever the guest did besides the extra packets (boot, module
load, warm-up) is the same in both and cancels out, so the difference,
divided by the difference of the counts, is the work of one packet.

  bench-exact.py [--top N] [--kernel] SHORT_DIR LONG_DIR
      module functions (with --kernel, kernel ones too), busiest first,
      and the totals of the kernel and of each module;
  bench-exact.py [--top N] [--kernel] --calls SHORT_DIR LONG_DIR
      how often each function is entered per packet (its first block
      run; a jump back to a function's first instruction counts too),
      most entered first: lock round trips, tasklets and wake-ups;
  bench-exact.py [--top N] SHORT_DIR LONG_DIR FUNCTION
      the source lines of one module function (inlined code shown at
      its innermost line), through addr2line on the module in
      LONG_DIR/src.

A DIR is a KMCL_OUT/bench directory (insn.txt from insn-plugin.c,
syms.txt from the guest's /proc/kallsyms, guest.log). Module code
cancels exactly, and so does kernel code on the packet path (the guest
lets the serial port finish sending the symbols first). Kernel code that
depends on time or on the host (timer ticks, background work left over
from boot) does not: its figures show as fractions, can be far off, even
negative, hence --kernel.
"""
import bisect
import glob
import re
import subprocess
import sys
from collections import Counter


def read_syms(d):
    """Sorted (address, name, module) of the guest's text symbols."""
    syms = []
    with open(f"{d}/syms.txt") as f:
        for line in f:
            p = line.split()
            if len(p) >= 2:
                mod = p[2].strip("[]") if len(p) > 2 else "kernel"
                syms.append((int(p[0], 16), p[1], mod))
    syms.sort()
    return syms


def read_run(d):
    """Instructions run per block start address, and the packet count."""
    runs = Counter()
    with open(f"{d}/insn.txt") as f:
        for line in f:
            addr, n, times = line.split()
            runs[(int(addr, 16), int(n))] += int(times)
    with open(f"{d}/guest.log") as f:
        m = re.search(r"^exact: (\S+) (\S+) packets (\d+)", f.read(), re.M)
    if not m:
        sys.exit(f"{d}: no 'exact:' line in guest.log")
    return runs, (m.group(1), m.group(2)), int(m.group(3))


def by_function(d, runs):
    syms = read_syms(d)
    starts = [s[0] for s in syms]
    per = Counter()
    for (addr, n), times in runs.items():
        i = bisect.bisect_right(starts, addr) - 1
        per[syms[i][1:] if i >= 0 else ("?", "?")] += n * times
    return per


def entries(d, runs):
    """Runs of each function's first block: (name, module) -> times."""
    first = {a: (name, mod) for a, name, mod in read_syms(d)}
    per = Counter()
    for (addr, _), times in runs.items():
        if addr in first:
            per[first[addr]] += times
    return per


def per_packet(short, long_, count):
    """@count (by_function or entries) of both runs, per extra packet."""
    (ra, what, na), (rb, _, nb) = short[1], long_[1]
    a, b = count(short[0], ra), count(long_[0], rb)
    diff = {k: (b[k] - a.get(k, 0)) / (nb - na) for k in set(a) | set(b)}
    return f"{what[0]} {what[1]}", f"({na} and {nb} packets)", diff


def print_rows(diff, top, kernel, least, fmt):
    """The @top largest of @diff (module functions unless @kernel)."""
    rows = [kv for kv in sorted(diff.items(), key=lambda kv: -kv[1])
            if kernel or kv[0][1] != "kernel"]
    for (fn, mod), v in rows[:top]:
        if v < least:
            break
        print(f"  {v:{fmt}}  {fn} [{mod}]")


def calls_table(short, long_, top, kernel):
    what, runs, diff = per_packet(short, long_, entries)
    print(f"{what}: entries per packet {runs}")
    print_rows(diff, top, kernel, 0.05, "8.2f")


def function_table(short, long_, top, kernel):
    what, runs, diff = per_packet(short, long_, by_function)
    total = Counter()
    for (_, mod), v in diff.items():
        total[mod] += v
    print(f"{what}: instructions per packet {runs}")
    print("  " + "  ".join(f"{m} {v:.0f}" for m, v in total.most_common()
                           if abs(v) >= 0.5))
    print_rows(diff, top, kernel, 0.5, "8.1f")


def func_blocks(d, runs, func):
    """Blocks of @func: {(offset, insns): times}, its module and size."""
    syms = read_syms(d)
    for i, (addr, name, mod) in enumerate(syms):
        if name == func:
            end = syms[i + 1][0] if i + 1 < len(syms) else addr + 65536
            return {(a - addr, n): t for (a, n), t in runs.items()
                    if addr <= a < end}, mod
    sys.exit(f"{d}: no symbol {func}")


def line_table(short, long_, func, top):
    (ra, what, na), (rb, _, nb) = short[1], long_[1]
    a, mod = func_blocks(short[0], ra, func)
    b, _ = func_blocks(long_[0], rb, func)
    kos = glob.glob(f"{long_[0]}/src/**/{mod}.ko", recursive=True)
    if mod == "kernel" or not kos:
        sys.exit(f"{func} is not in a module built under {long_[0]}/src")
    ko = kos[0]
    nm = subprocess.run(["nm", ko], capture_output=True, text=True).stdout
    base = next(int(p[0], 16) for p in map(str.split, nm.splitlines())
                if len(p) == 3 and p[2] == func)
    dis = subprocess.run(["objdump", "-d", f"--start-address={base:#x}",
                          f"--stop-address={base + 65536:#x}", ko],
                         capture_output=True, text=True).stdout
    insns = [int(m.group(1), 16) - base
             for m in re.finditer(r"^\s+([0-9a-f]+):\t", dis, re.M)]
    per_insn = Counter()
    for key in set(a) | set(b):
        times = b.get(key, 0) - a.get(key, 0)
        off, n = key
        i = bisect.bisect_left(insns, off)
        for k in insns[i:i + n]:
            per_insn[k] += times
    offs = sorted(k for k, v in per_insn.items() if v)
    out = subprocess.run(["addr2line", "-e", ko] +
                         [f"{base + o:#x}" for o in offs],
                         capture_output=True, text=True).stdout.splitlines()
    dn = nb - na
    lines = Counter()
    for o, loc in zip(offs, out):
        loc = re.sub(r" \(discriminator \d+\)", "", loc).split("/")[-1]
        lines[loc] += per_insn[o] / dn
    print(f"{what[0]} {what[1]}: {func}: {sum(lines.values()):.0f} "
          f"instructions per packet, by source line")
    for loc, v in lines.most_common(top):
        if v < 0.5:
            break
        print(f"  {v:8.1f}  {loc}")


def main():
    args = sys.argv[1:]
    top, kernel, calls = 60, False, False
    while args and args[0].startswith("--"):
        if args[0] == "--top" and len(args) > 1:
            top = int(args[1])
            args = args[2:]
        elif args[0] == "--kernel":
            kernel = True
            args = args[1:]
        elif args[0] == "--calls":
            calls = True
            args = args[1:]
        else:
            sys.exit(__doc__)
    if len(args) not in (2, 3) or (calls and len(args) != 2):
        sys.exit(__doc__)
    short = (args[0], read_run(args[0]))
    long_ = (args[1], read_run(args[1]))
    if short[1][1] != long_[1][1] or long_[1][2] <= short[1][2]:
        sys.exit("the runs must be the same row and side, the second longer")
    if calls:
        calls_table(short, long_, top, kernel)
    elif len(args) == 2:
        function_table(short, long_, top, kernel)
    else:
        line_table(short, long_, args[2], top)


main()
