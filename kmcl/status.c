// SPDX-License-Identifier: GPL-2.0-only
/*
 * errno <-> NTSTATUS translation.
 *
 * Some meanings have several spellings on one side (-EACCES and -EPERM are
 * both STATUS_ACCESS_DENIED), so each row says which direction(s) it answers.
 * Every errno and every NTSTATUS is answered by at most one row; the KUnit
 * suite kmcl_status checks that, and walks every row in both directions.
 *
 * What is not in the table maps to a generic code: an unknown negative errno
 * becomes STATUS_UNSUCCESSFUL, an unknown error NTSTATUS becomes -EIO, and an
 * unknown success or informational NTSTATUS becomes 0.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/module.h>

#include "core_compat.h"
#include "status.h"

#define BOTH(e, s)	{ .err = (e), .status = (s), .to_status = true, .to_errno = true }
#define TO_STATUS(e, s)	{ .err = (e), .status = (s), .to_status = true }
#define TO_ERRNO(e, s)	{ .err = (e), .status = (s), .to_errno = true }

static const struct kmcl_status_map kmcl_status_map[] = {
	BOTH(0, STATUS_SUCCESS),
	TO_ERRNO(0, STATUS_MORE_ENTRIES),
	BOTH(-EINPROGRESS, STATUS_PENDING),
	BOTH(-ETIMEDOUT, STATUS_IO_TIMEOUT),
	BOTH(-EOVERFLOW, STATUS_BUFFER_OVERFLOW),
	BOTH(-EBUSY, STATUS_DEVICE_BUSY),
	BOTH(-ENODATA, STATUS_NO_MORE_ENTRIES),
	BOTH(-EIO, STATUS_UNSUCCESSFUL),
	TO_ERRNO(-EOPNOTSUPP, STATUS_NOT_IMPLEMENTED),
	BOTH(-EFAULT, STATUS_ACCESS_VIOLATION),
	BOTH(-EBADF, STATUS_INVALID_HANDLE),
	BOTH(-EINVAL, STATUS_INVALID_PARAMETER),
	TO_ERRNO(-EINVAL, STATUS_INVALID_PARAMETER_1),
	TO_ERRNO(-EINVAL, STATUS_INVALID_PARAMETER_2),
	TO_ERRNO(-EINVAL, STATUS_INVALID_PARAMETER_3),
	TO_ERRNO(-EINVAL, STATUS_INVALID_PARAMETER_4),
	TO_ERRNO(-EINVAL, STATUS_INVALID_PARAMETER_5),
	TO_ERRNO(-EINVAL, STATUS_INVALID_PARAMETER_6),
	TO_ERRNO(-EINVAL, STATUS_INVALID_PARAMETER_7),
	TO_ERRNO(-EINVAL, STATUS_INVALID_PARAMETER_8),
	TO_ERRNO(-EINVAL, STATUS_INVALID_PARAMETER_9),
	TO_ERRNO(-EINVAL, STATUS_INVALID_PARAMETER_10),
	TO_ERRNO(-EINVAL, STATUS_INVALID_PARAMETER_11),
	TO_ERRNO(-EINVAL, STATUS_INVALID_PARAMETER_12),
	TO_ERRNO(-EINVAL, STATUS_INVALID_PARAMETER_MIX),
	TO_ERRNO(-EINVAL, STATUS_INFO_LENGTH_MISMATCH),
	BOTH(-ENXIO, STATUS_NO_SUCH_DEVICE),
	BOTH(-EOPNOTSUPP, STATUS_NOT_SUPPORTED),
	TO_ERRNO(-EOPNOTSUPP, STATUS_INVALID_DEVICE_REQUEST),
	BOTH(-EAGAIN, STATUS_RETRY),
	TO_ERRNO(-EAGAIN, STATUS_MORE_PROCESSING_REQUIRED),
	BOTH(-ENOMEM, STATUS_INSUFFICIENT_RESOURCES),
	TO_ERRNO(-ENOMEM, STATUS_NO_MEMORY),
	BOTH(-EACCES, STATUS_ACCESS_DENIED),
	TO_STATUS(-EPERM, STATUS_ACCESS_DENIED),
	BOTH(-ENOBUFS, STATUS_BUFFER_TOO_SMALL),
	BOTH(-EMSGSIZE, STATUS_INVALID_BUFFER_SIZE),
	TO_ERRNO(-EFAULT, STATUS_INVALID_USER_BUFFER),
	TO_ERRNO(-EFAULT, STATUS_INVALID_ADDRESS),
	BOTH(-EILSEQ, STATUS_OBJECT_TYPE_MISMATCH),
	BOTH(-ENOENT, STATUS_OBJECT_NAME_NOT_FOUND),
	TO_ERRNO(-ENOENT, STATUS_NOT_FOUND),
	BOTH(-EEXIST, STATUS_OBJECT_NAME_COLLISION),
	BOTH(-ECONNRESET, STATUS_PORT_DISCONNECTED),
	BOTH(-EBADMSG, STATUS_DATA_ERROR),
	BOTH(-EDQUOT, STATUS_QUOTA_EXCEEDED),
	TO_ERRNO(-EBUSY, STATUS_DELETE_PENDING),
	BOTH(-EPROTONOSUPPORT, STATUS_REVISION_MISMATCH),
	BOTH(-ERANGE, STATUS_INTEGER_OVERFLOW),
	BOTH(-ENOTCONN, STATUS_DEVICE_NOT_CONNECTED),
	TO_ERRNO(-EAGAIN, STATUS_DEVICE_NOT_READY),
	BOTH(-ENODEV, STATUS_DEVICE_DOES_NOT_EXIST),
	BOTH(-ENAMETOOLONG, STATUS_NAME_TOO_LONG),
	BOTH(-ECANCELED, STATUS_CANCELLED),
	BOTH(-EPIPE, STATUS_PIPE_BROKEN),
	TO_ERRNO(-EPIPE, STATUS_FILE_CLOSED),
	BOTH(-EBADFD, STATUS_INVALID_DEVICE_STATE),
	BOTH(-EPROTO, STATUS_DEVICE_PROTOCOL_ERROR),
	BOTH(-ECONNREFUSED, STATUS_CONNECTION_REFUSED),
	BOTH(-ECONNABORTED, STATUS_REQUEST_ABORTED),
	BOTH(-ESHUTDOWN, STATUS_DEVICE_REMOVED),
};

/**
 * kmcl_errno_to_ntstatus() - the NTSTATUS for a kernel error number
 * @err: 0 or a negative errno
 *
 * Return: the NTSTATUS with the same meaning; STATUS_UNSUCCESSFUL for a
 * negative errno the table does not know, STATUS_SUCCESS for anything >= 0.
 */
NTSTATUS kmcl_errno_to_ntstatus(int err)
{
	unsigned int i;

	if (err >= 0)
		return STATUS_SUCCESS;
	for (i = 0; i < ARRAY_SIZE(kmcl_status_map); i++)
		if (kmcl_status_map[i].to_status && kmcl_status_map[i].err == err)
			return kmcl_status_map[i].status;
	return STATUS_UNSUCCESSFUL;
}
EXPORT_SYMBOL_KMCL(kmcl_errno_to_ntstatus);

/**
 * kmcl_ntstatus_to_errno() - the kernel error number for an NTSTATUS
 * @status: any NTSTATUS, for example one returned by a ported driver's callback
 *
 * Return: 0 or the negative errno with the same meaning; -EIO for an error
 * or warning code the table does not know, 0 for an unknown success code.
 */
int kmcl_ntstatus_to_errno(NTSTATUS status)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kmcl_status_map); i++)
		if (kmcl_status_map[i].to_errno && kmcl_status_map[i].status == status)
			return kmcl_status_map[i].err;
	return NT_SUCCESS(status) ? 0 : -EIO;
}
EXPORT_SYMBOL_KMCL(kmcl_ntstatus_to_errno);

/**
 * kmcl_status_table() - the translation table itself, for tests and debugfs
 * @count: set to the number of rows
 *
 * Return: the first row; the table is constant for the life of the module.
 */
const struct kmcl_status_map *kmcl_status_table(unsigned int *count)
{
	*count = ARRAY_SIZE(kmcl_status_map);
	return kmcl_status_map;
}
EXPORT_SYMBOL_KMCL(kmcl_status_table);
