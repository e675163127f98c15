// SPDX-License-Identifier: GPL-2.0-only
/* kmcl_hv's transport ops, built into the KUnit module (see Kbuild). */
#include "../chan.c"
