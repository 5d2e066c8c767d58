/*
 * Unit tests for the SMB2 credit window.
 */
#include "config.h"

#include <stdint.h>

#include "buf.h"
#include "smb2_credits.h"
#include "unit.h"

int
main(void)
{
	struct smb2_credits c, d;
	struct wbuf w;
	struct rbuf r;
	uint64_t i;

	smb2_credits_init(&c, 128);
	/* Only id 0 is granted at first. */
	CHECK(smb2_credits_consume(&c, 1, 1) == -1);
	CHECK(smb2_credits_consume(&c, 0, 1) == 0);
	CHECK(smb2_credits_consume(&c, 0, 1) == -1);	/* replay */
	CHECK(c.outstanding == 0);
	/* With no credits left, a grant gives at least one. */
	CHECK(smb2_credits_grant(&c, 0) == 1);
	CHECK(smb2_credits_grant(&c, 10) == 10);
	CHECK(c.outstanding == 11 && c.hi == 12);
	/* Out of order use, and a multi-credit request. */
	CHECK(smb2_credits_consume(&c, 5, 4) == 0);
	CHECK(smb2_credits_consume(&c, 8, 1) == -1);	/* part of 5..8 */
	CHECK(smb2_credits_consume(&c, 11, 2) == -1);	/* 12 not granted */
	CHECK(smb2_credits_consume(&c, 1, 1) == 0);
	CHECK(c.lo == 2);
	CHECK(smb2_credits_consume(&c, 2, 3) == 0);
	CHECK(c.lo == 9);
	/* Never more than the maximum outstanding. */
	CHECK(smb2_credits_grant(&c, 1000) == 128 - c.outstanding + 0 ||
	    c.outstanding == 128);
	CHECK(c.outstanding == 128);
	CHECK(smb2_credits_grant(&c, 5) == 0);
	/* Huge ids and wrap-around attempts are refused. */
	CHECK(smb2_credits_consume(&c, UINT64_MAX, 2) == -1);
	CHECK(smb2_credits_consume(&c, c.hi - 1, 2) == -1);
	/* A charge of zero (SMB 2.0.2) counts as one. */
	CHECK(smb2_credits_consume(&c, 9, 0) == 0);

	/* Export and import give the same window. */
	wbuf_init(&w, 1 << 20);
	CHECK(smb2_credits_export(&c, &w) == 0);
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	CHECK(smb2_credits_import(&d, &r, 128) == 0);
	CHECK(d.lo == c.lo && d.hi == c.hi && d.outstanding == c.outstanding);
	for (i = c.lo; i < c.hi; i++)
		CHECK(smb2_credits_consume(&c, i, 1) ==
		    smb2_credits_consume(&d, i, 1));
	/* A corrupted image is refused. */
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w) - 1);
	smb2_credits_free(&d);
	CHECK(smb2_credits_import(&d, &r, 128) == -1);
	smb2_credits_free(&d);
	wbuf_free(&w);

	/* A client that never uses one old id still gets credits. */
	smb2_credits_free(&c);
	smb2_credits_init(&c, 16);
	CHECK(smb2_credits_grant(&c, 15) == 15);
	for (i = 1; i < 2000; i++) {
		CHECK(smb2_credits_consume(&c, i, 1) == 0);
		if (smb2_credits_grant(&c, 1) == 0)
			break;
	}
	/* The ring is full: the window stalls instead of overflowing. */
	CHECK(c.hi - c.lo <= c.cap);
	smb2_credits_free(&c);
	return unit_done();
}
