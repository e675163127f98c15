#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make fuzz`: the long userspace fuzzing runs (run.sh full: 2*10^6
# executions of each libFuzzer target, random seeds), one figure line per
# target and a closing `N passed, N failed`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../qemu/lib.sh"

mkdir -p "$KMCL_OUT"
"$here/run.sh" full | tee "$KMCL_OUT/fuzz-userspace.log"
