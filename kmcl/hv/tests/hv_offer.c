// SPDX-License-Identifier: GPL-2.0-only
/* kmcl_hv's offer code, built into the KUnit module (see Kbuild). */
#include "../offer.c"
