// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_hv's confidential-VM transport ops, built into the KUnit module so the
 * hv suites run them against the model (see hv_chan.c).
 */
#include "../cvm.c"
