// SPDX-License-Identifier: GPL-2.0-only
/* kmcl_hv's real hv_vmbus ops, built into the KUnit module (see Kbuild). */
#include "../hv_ops.c"
