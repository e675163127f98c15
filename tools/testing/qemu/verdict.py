#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Decide a test run from the guest's report (ttyS1) and its console (ttyS0).

The report is written only by the guest's /init, so nothing the kernel or a
test prints on the console can fake a pass. The console is read only to find
reasons to fail: KASAN, KCSAN, lockdep, WARN, BUG, oops, panic, hung tasks.

Prints one line per KUnit suite and kselftest script, every reason for
failure, and as its last line "N passed, N failed, N skipped". Exits 1 when
anything failed or was missing, else 0.
"""
import argparse
import re
import sys

CONSOLE_BAD = [
    (re.compile(r'BUG: KASAN'), 'KASAN report'),
    (re.compile(r'KASAN:'), 'KASAN report'),
    (re.compile(r'BUG: KCSAN: '), 'KCSAN report'),
    (re.compile(r'WARNING: (possible|inconsistent|suspicious|bad unlock|'
                r'held lock|lock held|nested lock|circular|possible '
                r'recursive)'), 'lockdep report'),
    (re.compile(r'possible circular locking dependency'), 'lockdep report'),
    (re.compile(r'inconsistent lock state'), 'lockdep report'),
    (re.compile(r'turning off the locking correctness validator'),
     'lockdep turned itself off'),
    (re.compile(r'suspicious RCU usage'), 'RCU lockdep report'),
    (re.compile(r'BUG: sleeping function called from invalid context'),
     'sleep in atomic context'),
    (re.compile(r'BUG: scheduling while atomic'), 'sleep in atomic context'),
    (re.compile(r'WARNING: CPU: \d+ PID: \d+'), 'WARN'),
    (re.compile(r'------------\[ cut here \]------------'), 'WARN or BUG'),
    (re.compile(r'\bBUG: '), 'BUG'),
    (re.compile(r'\bOops\b'), 'oops'),
    (re.compile(r'general protection fault'), 'oops'),
    (re.compile(r'Kernel panic'), 'kernel panic'),
    (re.compile(r'unreferenced object 0x'), 'kmemleak report'),
    (re.compile(r'kmemleak: .*(new suspected memory leaks|disabled)'),
     'kmemleak report'),
    (re.compile(r'INFO: task .* blocked for more than'), 'hung task'),
    (re.compile(r'soft lockup'), 'soft lockup'),
    (re.compile(r'ODEBUG:'), 'debugobjects report'),
    (re.compile(r'list_(add|del) corruption'), 'list corruption'),
    (re.compile(r'UBSAN:'), 'UBSAN report'),
]

# Taint bits a clean run may carry: O (out-of-tree module), E (unsigned
# module) and N (a KUnit test ran).
TAINT_OK = (1 << 12) | (1 << 13) | (1 << 18)

RESULT = re.compile(r'^(\s*)(not ok|ok) (\d+)(?: (?:- )?([^#]*?))?\s*'
                    r'(?:#\s*(SKIP|TODO|XFAIL)\b.*)?$', re.I)


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.reasons = []
        self.cases = []     # the failed cases, each with its diagnostics

    def add(self, ok, skip):
        if skip:
            self.skipped += 1
        elif ok:
            self.passed += 1
        else:
            self.failed += 1


def parse_sections(report):
    """Split the report into (kind, name, lines) blocks and single lines."""
    blocks, events, cur = [], [], None
    for raw in report.splitlines():
        line = raw.rstrip('\r')
        if cur is not None:
            if line.startswith('| '):
                cur[2].append(line[2:])
                continue
            if line == '|':
                cur[2].append('')
                continue
            m = re.match(r'^(KUNIT|KSELFTEST|KMEMLEAK)-END ?(\S*) ?(-?\d*)$', line)
            if m and m.group(1) == cur[0]:
                cur.append(m.group(3))
                blocks.append(cur)
                cur = None
                continue
        m = re.match(r'^(KUNIT|KSELFTEST|KMEMLEAK)-BEGIN ?(.*)$', line)
        if m:
            cur = [m.group(1), m.group(2), []]
            continue
        events.append(line)
    if cur is not None:
        events.append('TRUNCATED %s %s' % (cur[0], cur[1]))
    return blocks, events


def count_kunit(lines, t, suite=''):
    """Count leaf cases of one suite's KTAP: parameters count one by one.

    Each failed case (or parameter) is kept in t.cases with the first
    diagnostic lines KUnit printed before its result, so that the end of a
    run's output names what failed even when only that end is kept.
    """
    params = []
    diag = []
    case = None
    suite_ok = None
    for line in lines:
        m = RESULT.match(line)
        if not m:
            c = line.strip()
            if c.startswith('# Subtest:'):
                case = c[len('# Subtest:'):].strip()
                diag = []
            elif (c and not c.startswith(('# module:', 'KTAP version')) and
                  not re.match(r'^(# \S+: pass:\d+|\d+\.\.\d+$)', c)):
                diag.append(c.lstrip('# '))
            continue
        depth = len(m.group(1).expandtabs()) // 4
        ok = m.group(2).lower() == 'ok'
        skip = (m.group(5) or '').upper() == 'SKIP'
        name = (m.group(4) or '').strip()
        if not ok and not skip and (depth >= 2 or
                                    (depth == 1 and all(p[0] for p in params))):
            where = '%s %s' % (case, name) if depth >= 2 else name
            t.cases.append('%s %s: %s' % (suite, where,
                                          ' | '.join(diag[:8]) or
                                          'no message'))
        if depth >= 1 or ok:
            diag = []
        if depth >= 2:
            params.append((ok, skip))
        elif depth == 1:
            if params:
                for p in params:
                    t.add(*p)
                if not ok and all(p[0] for p in params):
                    t.add(False, False)
            else:
                t.add(ok, skip)
            params = []
        else:
            suite_ok = ok
    return suite_ok


def count_ktap_flat(lines, t):
    n = 0
    for line in lines:
        m = RESULT.match(line)
        if m and not m.group(1):
            t.add(m.group(2).lower() == 'ok',
                  (m.group(5) or '').upper() == 'SKIP')
            n += 1
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--report', required=True)
    ap.add_argument('--console', required=True)
    ap.add_argument('--suites', default='', help='KUnit suites that must run')
    ap.add_argument('--kselftests', default='', help='scripts that must run')
    ap.add_argument('--modules', default='', help='modules that must load')
    a = ap.parse_args()

    try:
        report = open(a.report, errors='replace').read()
    except OSError:
        report = ''
    try:
        console = open(a.console, errors='replace').read()
    except OSError:
        console = ''

    t = Tally()
    blocks, events = parse_sections(report)
    seen_suites, seen_scripts = set(), set()

    for blk in blocks:
        kind, name, lines = blk[:3]
        rc = blk[3] if len(blk) > 3 else ''
        if kind == 'KUNIT':
            before = (t.passed, t.failed, t.skipped)
            suite_ok = count_kunit(lines, t, name)
            seen_suites.add(name)
            p, f, s = (t.passed - before[0], t.failed - before[1],
                       t.skipped - before[2])
            if suite_ok is False and f == 0:
                t.failed += 1
                f += 1
            if p + f + s == 0:
                t.reasons.append('KUnit suite %s ran no test' % name)
                t.failed += 1
            print('  kunit %-24s %3d passed, %d failed, %d skipped'
                  % (name, p, f, s))
        elif kind == 'KSELFTEST':
            seen_scripts.add(name)
            before = (t.passed, t.failed, t.skipped)
            n = count_ktap_flat(lines, t)
            rc = int(rc) if rc not in ('', None) else -1
            if rc == 4 and n == 0:
                t.skipped += 1
            elif rc != 0 and rc != 4 and t.failed == before[1]:
                t.failed += 1
                t.reasons.append('kselftest %s exited %d' % (name, rc))
            elif n == 0 and rc == 0:
                t.failed += 1
                t.reasons.append('kselftest %s reported no test' % name)
            p, f, s = (t.passed - before[0], t.failed - before[1],
                       t.skipped - before[2])
            print('  kselftest %-20s %3d passed, %d failed, %d skipped'
                  % (name, p, f, s))
        elif kind == 'KMEMLEAK':
            leaks = [ln for ln in lines if ln.strip()]
            if leaks:
                t.reasons.append('kmemleak (%s): %s' % (name, ' / '.join(leaks[:3])))

    for s in filter(None, a.suites.split()):
        if s not in seen_suites:
            t.failed += 1
            t.reasons.append('KUnit suite %s did not run' % s)
    for s in filter(None, a.kselftests.split()):
        if s not in seen_scripts:
            t.failed += 1
            t.reasons.append('kselftest %s did not run' % s)

    loaded = {e.split()[1] for e in events if e.startswith('MODULE-LOADED ')}
    for m in filter(None, a.modules.split()):
        if m not in loaded:
            t.reasons.append('module %s did not load' % m)
    for e in events:
        if e.startswith(('MODULE-LOAD-FAILED', 'MODULE-UNLOAD-FAILED',
                         'MODULES-LEFT', 'TRUNCATED', 'KMEMLEAK-MISSING')):
            t.reasons.append(e.lower())
        m = re.match(r'^TAINTED (\d+)$', e)
        if m and int(m.group(1)) & ~TAINT_OK:
            t.reasons.append('kernel tainted: %#x' % int(m.group(1)))
    if 'KMCL-HARNESS-END' not in events:
        t.reasons.append('guest did not finish (panic, hang or timeout): '
                         'see the console log')

    seen = set()
    for line in console.splitlines():
        for pat, what in CONSOLE_BAD:
            if pat.search(line):
                key = (what, line.strip()[:160])
                if key not in seen and len(seen) < 10:
                    seen.add(key)
                    t.reasons.append('console: %s: %s' % (what, line.strip()[:160]))
                break

    for c in t.cases[:10]:
        print('FAIL: kunit ' + c[:400])
    if len(t.cases) > 10:
        print('FAIL: and %d more failed KUnit cases' % (len(t.cases) - 10))
    for r in t.reasons:
        print('FAIL: ' + r)
    if t.reasons and t.failed == 0:
        t.failed = 1
    print('%d passed, %d failed, %d skipped' % (t.passed, t.failed, t.skipped))
    return 1 if t.failed or t.reasons else 0


if __name__ == '__main__':
    sys.exit(main())
