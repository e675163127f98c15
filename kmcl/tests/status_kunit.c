// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite kmcl_status: the NTSTATUS values and the errno <-> NTSTATUS table.
 *
 * The expected values below are Windows' own (ntstatus.h of the Windows SDK),
 * written out independently of include/kmcl/ntstatus.h, so a wrong constant in
 * our header fails here.
 */
#include <kunit/test.h>
#include <linux/errno.h>

#include "../core_compat.h"
#include "../status.h"

struct status_value_case {
	const char *name;
	NTSTATUS ours;
	u32 windows;
};

#define VALUE(n, v) { #n, n, v }

static const struct status_value_case status_values[] = {
	VALUE(STATUS_SUCCESS, 0x00000000),
	VALUE(STATUS_WAIT_0, 0x00000000),
	VALUE(STATUS_ALERTED, 0x00000101),
	VALUE(STATUS_TIMEOUT, 0x00000102),
	VALUE(STATUS_PENDING, 0x00000103),
	VALUE(STATUS_REPARSE, 0x00000104),
	VALUE(STATUS_MORE_ENTRIES, 0x00000105),
	VALUE(STATUS_BUFFER_OVERFLOW, 0x80000005),
	VALUE(STATUS_DEVICE_BUSY, 0x80000011),
	VALUE(STATUS_NO_MORE_ENTRIES, 0x8000001A),
	VALUE(STATUS_UNSUCCESSFUL, 0xC0000001),
	VALUE(STATUS_NOT_IMPLEMENTED, 0xC0000002),
	VALUE(STATUS_INFO_LENGTH_MISMATCH, 0xC0000004),
	VALUE(STATUS_ACCESS_VIOLATION, 0xC0000005),
	VALUE(STATUS_INVALID_HANDLE, 0xC0000008),
	VALUE(STATUS_INVALID_PARAMETER, 0xC000000D),
	VALUE(STATUS_NO_SUCH_DEVICE, 0xC000000E),
	VALUE(STATUS_INVALID_DEVICE_REQUEST, 0xC0000010),
	VALUE(STATUS_MORE_PROCESSING_REQUIRED, 0xC0000016),
	VALUE(STATUS_NO_MEMORY, 0xC0000017),
	VALUE(STATUS_ACCESS_DENIED, 0xC0000022),
	VALUE(STATUS_BUFFER_TOO_SMALL, 0xC0000023),
	VALUE(STATUS_OBJECT_TYPE_MISMATCH, 0xC0000024),
	VALUE(STATUS_INVALID_PARAMETER_MIX, 0xC0000030),
	VALUE(STATUS_OBJECT_NAME_NOT_FOUND, 0xC0000034),
	VALUE(STATUS_OBJECT_NAME_COLLISION, 0xC0000035),
	VALUE(STATUS_PORT_DISCONNECTED, 0xC0000037),
	VALUE(STATUS_DATA_ERROR, 0xC000003E),
	VALUE(STATUS_QUOTA_EXCEEDED, 0xC0000044),
	VALUE(STATUS_DELETE_PENDING, 0xC0000056),
	VALUE(STATUS_REVISION_MISMATCH, 0xC0000059),
	VALUE(STATUS_INTEGER_OVERFLOW, 0xC0000095),
	VALUE(STATUS_INSUFFICIENT_RESOURCES, 0xC000009A),
	VALUE(STATUS_DEVICE_NOT_CONNECTED, 0xC000009D),
	VALUE(STATUS_DEVICE_NOT_READY, 0xC00000A3),
	VALUE(STATUS_IO_TIMEOUT, 0xC00000B5),
	VALUE(STATUS_NOT_SUPPORTED, 0xC00000BB),
	VALUE(STATUS_DEVICE_DOES_NOT_EXIST, 0xC00000C0),
	VALUE(STATUS_INVALID_USER_BUFFER, 0xC00000E8),
	VALUE(STATUS_INVALID_PARAMETER_1, 0xC00000EF),
	VALUE(STATUS_INVALID_PARAMETER_2, 0xC00000F0),
	VALUE(STATUS_INVALID_PARAMETER_3, 0xC00000F1),
	VALUE(STATUS_INVALID_PARAMETER_4, 0xC00000F2),
	VALUE(STATUS_INVALID_PARAMETER_5, 0xC00000F3),
	VALUE(STATUS_INVALID_PARAMETER_6, 0xC00000F4),
	VALUE(STATUS_INVALID_PARAMETER_7, 0xC00000F5),
	VALUE(STATUS_INVALID_PARAMETER_8, 0xC00000F6),
	VALUE(STATUS_INVALID_PARAMETER_9, 0xC00000F7),
	VALUE(STATUS_INVALID_PARAMETER_10, 0xC00000F8),
	VALUE(STATUS_INVALID_PARAMETER_11, 0xC00000F9),
	VALUE(STATUS_INVALID_PARAMETER_12, 0xC00000FA),
	VALUE(STATUS_NAME_TOO_LONG, 0xC0000106),
	VALUE(STATUS_CANCELLED, 0xC0000120),
	VALUE(STATUS_FILE_CLOSED, 0xC0000128),
	VALUE(STATUS_INVALID_ADDRESS, 0xC0000141),
	VALUE(STATUS_PIPE_BROKEN, 0xC000014B),
	VALUE(STATUS_INVALID_DEVICE_STATE, 0xC0000184),
	VALUE(STATUS_DEVICE_PROTOCOL_ERROR, 0xC0000186),
	VALUE(STATUS_INVALID_BUFFER_SIZE, 0xC0000206),
	VALUE(STATUS_NOT_FOUND, 0xC0000225),
	VALUE(STATUS_RETRY, 0xC000022D),
	VALUE(STATUS_CONNECTION_REFUSED, 0xC0000236),
	VALUE(STATUS_REQUEST_ABORTED, 0xC0000240),
	VALUE(STATUS_DEVICE_REMOVED, 0xC00002B6),
};

static void status_value_desc(const struct status_value_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(status_value, status_values, status_value_desc);

/* Every code we define has Windows' value, and NT_* classify it like Windows. */
static void status_value_is_windows(struct kunit *test)
{
	const struct status_value_case *c = test->param_value;
	u32 sev = c->windows >> 30;

	KUNIT_EXPECT_EQ(test, (u32)c->ours, c->windows);
	KUNIT_EXPECT_EQ(test, NT_SUCCESS(c->ours), sev <= 1);
	KUNIT_EXPECT_EQ(test, NT_INFORMATION(c->ours), sev == 1);
	KUNIT_EXPECT_EQ(test, NT_WARNING(c->ours), sev == 2);
	KUNIT_EXPECT_EQ(test, NT_ERROR(c->ours), sev == 3);
}

static void status_row_desc(const struct kmcl_status_map *row, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "errno %d <-> 0x%08x%s%s",
		 row->err, (u32)row->status, row->to_status ? " >" : "",
		 row->to_errno ? " <" : "");
}

static const void *status_row_gen(KMCL_KUNIT_GEN_TEST const void *prev, char *desc)
{
	const struct kmcl_status_map *table, *row = prev;
	unsigned int count;

	table = kmcl_status_table(&count);
	row = row ? row + 1 : table;
	if (row >= table + count)
		return NULL;
	status_row_desc(row, desc);
	return row;
}

/* Each row of the table answers in the direction(s) it claims. */
static void status_row_round_trip(struct kunit *test)
{
	const struct kmcl_status_map *row = test->param_value;

	KUNIT_ASSERT_TRUE(test, row->to_status || row->to_errno);
	if (row->to_status)
		KUNIT_EXPECT_EQ(test, kmcl_errno_to_ntstatus(row->err), row->status);
	if (row->to_errno)
		KUNIT_EXPECT_EQ(test, kmcl_ntstatus_to_errno(row->status), row->err);
	/* An error stays an error and a success stays a success. */
	if (row->err == 0)
		KUNIT_EXPECT_TRUE(test, NT_SUCCESS(row->status));
	else if (row->status != STATUS_PENDING)
		KUNIT_EXPECT_FALSE(test, NT_SUCCESS(row->status));
	KUNIT_EXPECT_LE(test, row->err, 0);
}

/* No errno and no NTSTATUS is answered by two rows. */
static void status_table_unambiguous(struct kunit *test)
{
	const struct kmcl_status_map *t;
	unsigned int i, j, count;

	t = kmcl_status_table(&count);
	KUNIT_ASSERT_GT(test, count, 40U);
	for (i = 0; i < count; i++) {
		for (j = i + 1; j < count; j++) {
			if (t[i].to_status && t[j].to_status)
				KUNIT_EXPECT_NE_MSG(test, t[i].err, t[j].err,
						    "rows %u and %u", i, j);
			if (t[i].to_errno && t[j].to_errno)
				KUNIT_EXPECT_NE_MSG(test, t[i].status, t[j].status,
						    "rows %u and %u", i, j);
		}
	}
}

/* The codes KMCL's documentation names map the way the core relies on. */
static void status_kmcl_codes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kmcl_errno_to_ntstatus(0), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, kmcl_errno_to_ntstatus(-ENOMEM),
			STATUS_INSUFFICIENT_RESOURCES);
	KUNIT_EXPECT_EQ(test, kmcl_errno_to_ntstatus(-EINVAL),
			STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, kmcl_errno_to_ntstatus(-EOPNOTSUPP),
			STATUS_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, kmcl_errno_to_ntstatus(-ECANCELED),
			STATUS_CANCELLED);
	KUNIT_EXPECT_EQ(test, kmcl_errno_to_ntstatus(-ESHUTDOWN),
			STATUS_DEVICE_REMOVED);
	KUNIT_EXPECT_EQ(test, kmcl_errno_to_ntstatus(-EOVERFLOW),
			STATUS_BUFFER_OVERFLOW);
	KUNIT_EXPECT_EQ(test, kmcl_errno_to_ntstatus(-ENOBUFS),
			STATUS_BUFFER_TOO_SMALL);
	KUNIT_EXPECT_EQ(test, kmcl_errno_to_ntstatus(-EINPROGRESS),
			STATUS_PENDING);
	KUNIT_EXPECT_EQ(test, kmcl_ntstatus_to_errno(STATUS_INVALID_PARAMETER_3),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kmcl_ntstatus_to_errno(STATUS_CANCELLED),
			-ECANCELED);
}

/* Values outside the table fall back to the documented generic codes. */
static void status_unknown_values(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kmcl_errno_to_ntstatus(-EHWPOISON),
			STATUS_UNSUCCESSFUL);
	KUNIT_EXPECT_EQ(test, kmcl_errno_to_ntstatus(-4095), STATUS_UNSUCCESSFUL);
	KUNIT_EXPECT_EQ(test, kmcl_errno_to_ntstatus(1), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, kmcl_ntstatus_to_errno((NTSTATUS)0xC0FFEE00U), -EIO);
	KUNIT_EXPECT_EQ(test, kmcl_ntstatus_to_errno((NTSTATUS)0x80001234U), -EIO);
	KUNIT_EXPECT_EQ(test, kmcl_ntstatus_to_errno((NTSTATUS)0x00000042U), 0);
	KUNIT_EXPECT_EQ(test, kmcl_ntstatus_to_errno((NTSTATUS)0x40000000U), 0);
}

static struct kunit_case status_cases[] = {
	KUNIT_CASE_PARAM(status_value_is_windows, status_value_gen_params),
	KUNIT_CASE_PARAM(status_row_round_trip, status_row_gen),
	KUNIT_CASE(status_table_unambiguous),
	KUNIT_CASE(status_kmcl_codes),
	KUNIT_CASE(status_unknown_values),
	{}
};

static struct kunit_suite status_suite = {
	.name = "kmcl_status",
	.test_cases = status_cases,
};

kunit_test_suite(status_suite);
