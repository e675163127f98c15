// SPDX-License-Identifier: GPL-2.0-only
/* kmcl_hv's subchannels, built into the KUnit module (see Kbuild). */
#include "../subchan.c"
