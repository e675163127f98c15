// SPDX-License-Identifier: GPL-2.0-only
/* kmcl_hv's channel I/O, built into the KUnit module (see Kbuild). */
#include "../io.c"
