// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmcl_hv's compat layer and io.c as built for hv_vmbus before 5.14
 * (Debian 11's 5.10): the incoming iterator points into the ring, no
 * max_pkt_size, no request-id callbacks, GPADLs as u32 handles. See gen.h.
 */
#undef KMCL_HV_HAVE_MAX_PKT_SIZE
#undef KMCL_HV_HAVE_RQSTOR_CALLBACKS
#undef KMCL_HV_HAVE_VMBUS_GPADL
#undef KMCL_HV_HAVE_GPADL_DECRYPTED
/* Nor the 7.x primitives, whatever the target kernel has. */
#undef KMCL_HV_HAVE_CO_FLAGS
#undef KMCL_HV_HAVE_GPADL_CALLER_DECRYPTED
#undef KMCL_HV_HAVE_ALLOC_BUFFER
#undef KMCL_HV_HAVE_CHANNEL_SET_CPU
#define KMCL_HV_GEN_SYM(name)	kmcl_hv_gen510_##name
#include "gen_build.h"
