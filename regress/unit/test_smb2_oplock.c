/*
 * Unit tests for the SMB2 OPLOCK_BREAK acknowledgment parser and the
 * notification encoder (MS-SMB2 2.2.23.1, 2.2.24.1).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "oplock_wire.h"
#include "unit.h"

int
main(void)
{
	uint8_t body[24], id[16];
	struct smb2_oplock_ack a;
	struct rbuf r;
	struct wbuf w;
	size_t i;

	for (i = 0; i < 16; i++)
		id[i] = (uint8_t)(0xa0 + i);
	memset(body, 0, sizeof(body));
	body[0] = 24;
	body[2] = 0x01;			/* Level II */
	body[3] = 0xee;			/* Reserved: ignored */
	body[4] = 0xdd;			/* Reserved2: ignored */
	memcpy(body + 8, id, 16);
	rbuf_init(&r, body, sizeof(body));
	CHECK(smb2_oplock_ack_parse(&r, &a) == 0);
	CHECK(a.level == 0x01);
	CHECK(memcmp(a.file_id, id, 16) == 0);
	/* The parser reads a copy: the caller's buffer does not move. */
	CHECK(rbuf_left(&r) == sizeof(body));

	/* Short by a byte: refused, nothing left in the answer. */
	rbuf_init(&r, body, sizeof(body) - 1);
	CHECK(smb2_oplock_ack_parse(&r, &a) == -1);
	CHECK(a.level == 0 && a.file_id[0] == 0);
	rbuf_init(&r, body, 0);
	CHECK(smb2_oplock_ack_parse(&r, &a) == -1);

	/* A lease acknowledgment (StructureSize 36) is not an oplock one. */
	body[0] = 36;
	rbuf_init(&r, body, sizeof(body));
	CHECK(smb2_oplock_ack_parse(&r, &a) == -1);
	body[0] = 24;
	body[1] = 1;			/* 280: wrong size */
	rbuf_init(&r, body, sizeof(body));
	CHECK(smb2_oplock_ack_parse(&r, &a) == -1);

	/* Longer bodies are fine: the header said where the body ends. */
	{
		uint8_t longer[32];

		memset(longer, 0x55, sizeof(longer));
		memcpy(longer, body, 24);
		longer[1] = 0;
		rbuf_init(&r, longer, sizeof(longer));
		CHECK(smb2_oplock_ack_parse(&r, &a) == 0);
	}

	/* The notification: 24 bytes, the level, reserved zero, the id. */
	wbuf_init(&w, 64);
	wbuf_put_u32le(&w, 0xffffffff);	/* replaced: the body starts anew */
	smb2_oplock_break_body(&w, 0x08, id);
	CHECK(!wbuf_error(&w) && wbuf_len(&w) == 24);
	CHECK(wbuf_data(&w)[0] == 24 && wbuf_data(&w)[1] == 0);
	CHECK(wbuf_data(&w)[2] == 0x08 && wbuf_data(&w)[3] == 0);
	CHECK(memcmp(wbuf_data(&w) + 4, "\0\0\0\0", 4) == 0);
	CHECK(memcmp(wbuf_data(&w) + 8, id, 16) == 0);
	/* What is encoded parses back. */
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	CHECK(smb2_oplock_ack_parse(&r, &a) == 0 && a.level == 0x08);
	wbuf_free(&w);
	return unit_done();
}
