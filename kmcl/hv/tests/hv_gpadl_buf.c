// SPDX-License-Identifier: GPL-2.0-only
/* kmcl_hv's GPADL buffers, built into the KUnit module (see Kbuild). */
#include "../gpadl_buf.c"
