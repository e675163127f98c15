// SPDX-License-Identifier: GPL-2.0-only
/* kmcl_hv's offer code, built into the KUnit module (see Kbuild). */
#include "testpoint.h"
#define kmcl_hv_test_point(tp, obj)	kmcl_hv_tp_hit(tp, obj)
#include "../offer.c"
