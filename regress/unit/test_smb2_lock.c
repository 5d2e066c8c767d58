/*
 * Unit tests for the SMB2 LOCK request parser (MS-SMB2 2.2.26).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "smb2_lock.h"
#include "unit.h"

static size_t
put_elem(uint8_t *p, uint64_t off, uint64_t len, uint32_t flags)
{
	int i;

	for (i = 0; i < 8; i++) {
		p[i] = (uint8_t)(off >> (8 * i));
		p[8 + i] = (uint8_t)(len >> (8 * i));
	}
	for (i = 0; i < 4; i++) {
		p[16 + i] = (uint8_t)(flags >> (8 * i));
		p[20 + i] = 0xee;	/* Reserved: ignored */
	}
	return 24;
}

int
main(void)
{
	uint8_t body[24 + 3 * 24];
	struct smb2_lock_req lr;
	struct smb2_lock_elem e;
	struct rbuf r;
	size_t n;

	memset(body, 0, sizeof(body));
	body[0] = 48;
	body[2] = 2;			/* LockCount */
	body[4] = 0x21;			/* LockSequence */
	memset(body + 8, 0xab, 16);	/* FileId */
	n = 24;
	n += put_elem(body + n, 100, 10, SMB2_LOCKFLAG_EXCLUSIVE_LOCK);
	n += put_elem(body + n, UINT64_MAX, 1, SMB2_LOCKFLAG_SHARED_LOCK |
	    SMB2_LOCKFLAG_FAIL_IMMEDIATELY);

	/* Two elements, read back as sent. */
	rbuf_init(&r, body, n);
	CHECK(smb2_lock_parse(&r, &lr) == 0);
	CHECK(lr.count == 2 && lr.sequence == 0x21);
	CHECK(lr.file_id[0] == 0xab && lr.file_id[15] == 0xab);
	smb2_lock_elem_get(&lr, 0, &e);
	CHECK(e.off == 100 && e.len == 10 &&
	    e.flags == SMB2_LOCKFLAG_EXCLUSIVE_LOCK);
	smb2_lock_elem_get(&lr, 1, &e);
	CHECK(e.off == UINT64_MAX && e.len == 1 &&
	    e.flags == (SMB2_LOCKFLAG_SHARED_LOCK |
	    SMB2_LOCKFLAG_FAIL_IMMEDIATELY));
	/* An index past the count reads as nothing. */
	smb2_lock_elem_get(&lr, 2, &e);
	CHECK(e.off == 0 && e.len == 0 && e.flags == 0);

	/* A count the body does not hold fails. */
	body[2] = 3;
	rbuf_init(&r, body, n);
	CHECK(smb2_lock_parse(&r, &lr) == -1);
	/* Shorter than the fixed part fails. */
	rbuf_init(&r, body, 20);
	CHECK(smb2_lock_parse(&r, &lr) == -1);
	/* A count of zero parses; the handler refuses it. */
	body[2] = 0;
	rbuf_init(&r, body, 48);
	CHECK(smb2_lock_parse(&r, &lr) == 0 && lr.count == 0);
	/* Extra bytes after the elements are not read. */
	body[2] = 1;
	rbuf_init(&r, body, n);
	CHECK(smb2_lock_parse(&r, &lr) == 0 && lr.count == 1 &&
	    rbuf_left(&lr.elems) == 24);
	return unit_done();
}
