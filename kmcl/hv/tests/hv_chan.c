// SPDX-License-Identifier: GPL-2.0-only
/* kmcl_hv's transport ops, built into the KUnit module (see Kbuild). */
#include "testpoint.h"
#define kmcl_hv_test_point(tp, obj)	kmcl_hv_tp_hit(tp, obj)
#include "../chan.c"
