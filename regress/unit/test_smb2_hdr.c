/*
 * Unit tests of the SMB2 header, the ERROR response body and the NTSTATUS
 * names and errno mapping.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "ntstatus.h"
#include "smb2.h"
#include "smb2_hdr.h"
#include "unit.h"

static void
test_sync_round_trip(void)
{
	struct smb2_hdr h, g;
	struct wbuf w;
	struct rbuf r;
	const uint8_t *p;
	size_t i;

	memset(&h, 0, sizeof(h));
	h.credit_charge = 3;
	h.status = NT_STATUS_MORE_PROCESSING_REQUIRED;
	h.command = SMB2_SESSION_SETUP;
	h.credits = 31;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_SIGNED;
	h.next_command = 0x88;
	h.message_id = 0x0102030405060708ULL;
	h.process_id = 0xfeff;
	h.tree_id = 0x11223344;
	h.session_id = 0xa1a2a3a4a5a6a7a8ULL;
	for (i = 0; i < 16; i++)
		h.signature[i] = (uint8_t)(0xc0 + i);

	wbuf_init(&w, 1024);
	CHECK(smb2_hdr_build(&w, &h) == 0);
	CHECK(wbuf_len(&w) == SMB2_HEADER_SIZE);
	p = wbuf_data(&w);
	/* Field offsets of MS-SMB2 2.2.1.2. */
	CHECK_MEM(p, "\xfeSMB\x40\x00\x03\x00", 8);
	CHECK_MEM(p + 8, "\x16\x00\x00\xc0", 4);
	CHECK_MEM(p + 12, "\x01\x00\x1f\x00", 4);
	CHECK_MEM(p + 16, "\x09\x00\x00\x00\x88\x00\x00\x00", 8);
	CHECK_MEM(p + 24, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
	CHECK_MEM(p + 32, "\xff\xfe\x00\x00\x44\x33\x22\x11", 8);
	CHECK_MEM(p + 40, "\xa8\xa7\xa6\xa5\xa4\xa3\xa2\xa1", 8);
	CHECK(p[48] == 0xc0 && p[63] == 0xcf);

	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	CHECK(smb2_hdr_parse(&r, &g) == 0);
	CHECK(rbuf_left(&r) == 0);
	CHECK(memcmp(&h, &g, sizeof(h)) == 0);
	wbuf_free(&w);
}

static void
test_async_round_trip(void)
{
	struct smb2_hdr h, g;
	struct wbuf w;
	struct rbuf r;
	const uint8_t *p;

	memset(&h, 0, sizeof(h));
	h.status = NT_STATUS_PENDING;
	h.command = SMB2_CHANGE_NOTIFY;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_ASYNC_COMMAND;
	h.message_id = 7;
	h.async_id = 0x1122334455667788ULL;
	h.session_id = 9;
	/* Ignored in the async form. */
	h.tree_id = 0xdeadbeef;
	h.process_id = 0xcafe;

	wbuf_init(&w, 1024);
	CHECK(smb2_hdr_build(&w, &h) == 0);
	p = wbuf_data(&w);
	CHECK_MEM(p + 32, "\x88\x77\x66\x55\x44\x33\x22\x11", 8);
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	CHECK(smb2_hdr_parse(&r, &g) == 0);
	CHECK(g.async_id == h.async_id);
	CHECK(g.tree_id == 0 && g.process_id == 0);
	CHECK(g.status == NT_STATUS_PENDING);
	CHECK(g.command == SMB2_CHANGE_NOTIFY);
	CHECK(g.session_id == 9 && g.message_id == 7);
	wbuf_free(&w);
}

static void
test_bad_headers(void)
{
	struct smb2_hdr h, g;
	uint8_t buf[SMB2_HEADER_SIZE + 8];
	struct wbuf w;
	struct rbuf r;
	size_t n;

	memset(&h, 0, sizeof(h));
	h.command = SMB2_ECHO;
	wbuf_init_fixed(&w, buf, sizeof(buf));
	CHECK(smb2_hdr_build(&w, &h) == 0);

	/* Every truncation fails. */
	for (n = 0; n < SMB2_HEADER_SIZE; n++) {
		rbuf_init(&r, buf, n);
		CHECK(smb2_hdr_parse(&r, &g) == -1);
	}
	rbuf_init(&r, buf, SMB2_HEADER_SIZE);
	CHECK(smb2_hdr_parse(&r, &g) == 0);

	/* A transform, an SMB1 header, a wrong StructureSize. */
	buf[0] = 0xfd;
	rbuf_init(&r, buf, SMB2_HEADER_SIZE);
	CHECK(smb2_hdr_parse(&r, &g) == -1);
	buf[0] = 0xff;
	rbuf_init(&r, buf, SMB2_HEADER_SIZE);
	CHECK(smb2_hdr_parse(&r, &g) == -1);
	buf[0] = 0xfe;
	buf[3] = 'b';
	rbuf_init(&r, buf, SMB2_HEADER_SIZE);
	CHECK(smb2_hdr_parse(&r, &g) == -1);
	buf[3] = 'B';
	buf[4] = 65;
	rbuf_init(&r, buf, SMB2_HEADER_SIZE);
	CHECK(smb2_hdr_parse(&r, &g) == -1);
	buf[4] = 64;
	buf[5] = 1;
	rbuf_init(&r, buf, SMB2_HEADER_SIZE);
	CHECK(smb2_hdr_parse(&r, &g) == -1);

	/* A fixed buffer too small to build into. */
	wbuf_init_fixed(&w, buf, 63);
	CHECK(smb2_hdr_build(&w, &h) == -1);
}

static void
test_command_names(void)
{
	CHECK_STR(smb2_command_name(SMB2_NEGOTIATE), "NEGOTIATE");
	CHECK_STR(smb2_command_name(SMB2_QUERY_DIRECTORY), "QUERY_DIRECTORY");
	CHECK_STR(smb2_command_name(SMB2_OPLOCK_BREAK), "OPLOCK_BREAK");
	CHECK_STR(smb2_command_name(0x13), "UNKNOWN");
	CHECK_STR(smb2_command_name(0xffff), "UNKNOWN");
}

static void
test_error_body(void)
{
	static const uint8_t ctxdata[] = { 1, 2, 3 };
	struct smb2_error_ctx ctx[2];
	struct wbuf w;
	const uint8_t *p;

	wbuf_init(&w, 256);
	CHECK(smb2_error_build(&w, NULL, 0) == 0);
	CHECK(wbuf_len(&w) == 9);
	CHECK_MEM(wbuf_data(&w), "\x09\x00\x00\x00\x00\x00\x00\x00\x00", 9);

	wbuf_reset(&w);
	CHECK(smb2_error_build(&w, (const uint8_t *)"abcd", 4) == 0);
	CHECK(wbuf_len(&w) == 12);
	CHECK_MEM(wbuf_data(&w), "\x09\x00\x00\x00\x04\x00\x00\x00" "abcd", 12);

	/* Two 3.1.1 error contexts, the second 8-byte aligned. */
	ctx[0].error_id = 0;
	ctx[0].data = ctxdata;
	ctx[0].len = sizeof(ctxdata);
	ctx[1].error_id = 0x72727473;
	ctx[1].data = NULL;
	ctx[1].len = 0;
	wbuf_reset(&w);
	CHECK(smb2_error_build_ctx(&w, ctx, 2) == 0);
	p = wbuf_data(&w);
	CHECK(wbuf_len(&w) == 8 + 16 + 8);
	CHECK_MEM(p, "\x09\x00\x02\x00\x18\x00\x00\x00", 8);
	CHECK_MEM(p + 8, "\x03\x00\x00\x00\x00\x00\x00\x00\x01\x02\x03", 11);
	CHECK_MEM(p + 19, "\x00\x00\x00\x00\x00", 5);
	CHECK_MEM(p + 24, "\x00\x00\x00\x00\x73\x74\x72\x72", 8);

	wbuf_reset(&w);
	CHECK(smb2_error_build_ctx(&w, NULL, 0) == 0);
	CHECK(wbuf_len(&w) == 9);
	wbuf_free(&w);
}

static void
test_ntstatus(void)
{
	CHECK_STR(ntstatus_name(NT_STATUS_SUCCESS), "STATUS_SUCCESS");
	CHECK_STR(ntstatus_name(0xc0000022), "STATUS_ACCESS_DENIED");
	CHECK_STR(ntstatus_name(0xc05d0000),
	    "STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP");
	CHECK_STR(ntstatus_name(0xc0dead00), "0xc0dead00");

	/* A few values checked against MS-ERREF 2.3.1. */
	CHECK(NT_STATUS_MORE_PROCESSING_REQUIRED == 0xc0000016);
	CHECK(NT_STATUS_BUFFER_OVERFLOW == 0x80000005);
	CHECK(NT_STATUS_NO_MORE_FILES == 0x80000006);
	CHECK(NT_STATUS_PENDING == 0x00000103);
	CHECK(NT_STATUS_LOGON_FAILURE == 0xc000006d);
	CHECK(NT_STATUS_USER_SESSION_DELETED == 0xc0000203);
	CHECK(NT_STATUS_NETWORK_SESSION_EXPIRED == 0xc000035c);
	CHECK(NT_STATUS_STOPPED_ON_SYMLINK == 0x8000002d);
	CHECK(NT_STATUS_IS_ERROR(NT_STATUS_ACCESS_DENIED));
	CHECK(NT_STATUS_IS_WARNING(NT_STATUS_BUFFER_OVERFLOW));
	CHECK(!NT_STATUS_IS_ERROR(NT_STATUS_PENDING));

	CHECK(ntstatus_from_errno(ENOENT) == NT_STATUS_OBJECT_NAME_NOT_FOUND);
	CHECK(ntstatus_from_errno(EACCES) == NT_STATUS_ACCESS_DENIED);
	CHECK(ntstatus_from_errno(EPERM) == NT_STATUS_ACCESS_DENIED);
	CHECK(ntstatus_from_errno(EEXIST) == NT_STATUS_OBJECT_NAME_COLLISION);
	CHECK(ntstatus_from_errno(ENOTDIR) == NT_STATUS_OBJECT_PATH_NOT_FOUND);
	CHECK(ntstatus_from_errno(EISDIR) == NT_STATUS_FILE_IS_A_DIRECTORY);
	CHECK(ntstatus_from_errno(ENOTEMPTY) == NT_STATUS_DIRECTORY_NOT_EMPTY);
	CHECK(ntstatus_from_errno(ENOSPC) == NT_STATUS_DISK_FULL);
	CHECK(ntstatus_from_errno(EDQUOT) == NT_STATUS_DISK_FULL);
	CHECK(ntstatus_from_errno(EROFS) == NT_STATUS_MEDIA_WRITE_PROTECTED);
	CHECK(ntstatus_from_errno(EXDEV) == NT_STATUS_NOT_SAME_DEVICE);
	CHECK(ntstatus_from_errno(ENAMETOOLONG) ==
	    NT_STATUS_OBJECT_NAME_INVALID);
	CHECK(ntstatus_from_errno(EMFILE) == NT_STATUS_TOO_MANY_OPENED_FILES);
	CHECK(ntstatus_from_errno(ENFILE) == NT_STATUS_TOO_MANY_OPENED_FILES);
	CHECK(ntstatus_from_errno(ENOMEM) == NT_STATUS_NO_MEMORY);
	CHECK(ntstatus_from_errno(ELOOP) == NT_STATUS_ACCESS_DENIED);
	CHECK(ntstatus_from_errno(EBADF) == NT_STATUS_INVALID_HANDLE);
	CHECK(ntstatus_from_errno(EIO) == NT_STATUS_UNEXPECTED_IO_ERROR);
	CHECK(ntstatus_from_errno(EPIPE) == NT_STATUS_UNEXPECTED_IO_ERROR);
	CHECK(ntstatus_from_errno(0) == NT_STATUS_INTERNAL_ERROR);
}

int
main(void)
{
	test_sync_round_trip();
	test_async_round_trip();
	test_bad_headers();
	test_command_names();
	test_error_body();
	test_ntstatus();
	return unit_done();
}
