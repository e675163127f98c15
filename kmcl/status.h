/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place where Linux error numbers and Windows NTSTATUS codes meet.
 *
 * Inside kmcl every function returns 0 or a negative errno; the API boundary
 * (api_*.c, kmcl_hv's boundary) turns that into the NTSTATUS a Windows caller
 * expects, and turns the NTSTATUS that ported code hands back to us (for
 * example from a callback) into an errno. Codes that depend on which argument
 * was wrong (STATUS_INVALID_PARAMETER_n) are chosen at the boundary itself.
 */
#ifndef _KMCL_STATUS_H
#define _KMCL_STATUS_H

#include <kmcl/ntstatus.h>

/**
 * struct kmcl_status_map - one row of the errno <-> NTSTATUS table
 * @err:     negative errno (0 for success)
 * @status:  the NTSTATUS with the same meaning
 * @to_status: this row is the answer for @err (errno -> NTSTATUS)
 * @to_errno:  this row is the answer for @status (NTSTATUS -> errno)
 */
struct kmcl_status_map {
	int err;
	NTSTATUS status;
	bool to_status;
	bool to_errno;
};

NTSTATUS kmcl_errno_to_ntstatus(int err);
int kmcl_ntstatus_to_errno(NTSTATUS status);
const struct kmcl_status_map *kmcl_status_table(unsigned int *count);

/* Shared between the API boundary files: api_ext.c and api_packet.c. */
struct kmcl_channel;
struct kmcl_packet;
struct _MDL;

NTSTATUS kmcl_api_send_status(int ret);
NTSTATUS kmcl_api_send_mdl(struct kmcl_packet *pkt, void *buf, u32 len,
			   struct _MDL *mdl, u32 flags);
NTSTATUS kmcl_api_sync_mdl(struct kmcl_channel *ch, void *buf, u32 len,
			   struct _MDL *mdl, u32 flags, void *cbuf, u32 *csize,
			   unsigned long timeout);

#endif /* _KMCL_STATUS_H */
