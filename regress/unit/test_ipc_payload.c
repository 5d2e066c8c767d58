/*
 * Unit test of the logon and name lookup payloads (shared/ipc_payload.c):
 * each encodes to its fixed length and decodes to what was encoded;
 * short, long or impossible payloads are refused, and strings always
 * come back NUL-terminated.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "ipc_payload.h"
#include "unit.h"

static void
test_auth(void)
{
	struct auth_confirm cf, cf2;
	struct auth_claim cl, cl2;
	struct wbuf w;
	struct rbuf r;

	memset(&cf, 0, sizeof(cf));
	cf.session_id = 0x1122334455667788ULL;
	cf.status = 0xc000006d;
	cf.result.uid = 1002;
	cf.result.gid = 1003;
	cf.result.ngroups = 2;
	cf.result.groups[0] = 1003;
	cf.result.groups[1] = 27;
	strlcpy(cf.result.user, "usmbdtest", sizeof(cf.result.user));
	wbuf_init(&w, AUTH_CONFIRM_WIRE_LEN + 16);
	ipc_put_auth_confirm(&w, &cf);
	CHECK(!wbuf_error(&w) && wbuf_len(&w) == AUTH_CONFIRM_WIRE_LEN);
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	CHECK(ipc_get_auth_confirm(&r, &cf2) == 0);
	CHECK(cf2.session_id == cf.session_id && cf2.status == cf.status);
	CHECK(cf2.result.uid == 1002 && cf2.result.ngroups == 2 &&
	    cf2.result.groups[1] == 27);
	CHECK(strcmp(cf2.result.user, "usmbdtest") == 0);
	/* One byte short, or one too many. */
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w) - 1);
	CHECK(ipc_get_auth_confirm(&r, &cf2) == -1);
	wbuf_put_u8(&w, 0);
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	CHECK(ipc_get_auth_confirm(&r, &cf2) == -1);
	wbuf_free(&w);

	/* More groups than the array holds is refused. */
	cf.result.ngroups = AUTH_MAX_GROUPS + 1;
	wbuf_init(&w, AUTH_CONFIRM_WIRE_LEN);
	ipc_put_auth_confirm(&w, &cf);
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	CHECK(ipc_get_auth_confirm(&r, &cf2) == -1);
	wbuf_free(&w);

	/* A name that fills its field comes back terminated. */
	memset(&cl, 0, sizeof(cl));
	cl.session_id = 7;
	memset(cl.user, 'a', sizeof(cl.user));
	wbuf_init(&w, AUTH_CLAIM_WIRE_LEN);
	ipc_put_auth_claim(&w, &cl);
	CHECK(wbuf_len(&w) == AUTH_CLAIM_WIRE_LEN);
	memset(wbuf_data(&w) + 16, 'b', AUTH_MAX_USER);
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	CHECK(ipc_get_auth_claim(&r, &cl2) == 0);
	CHECK(cl2.session_id == 7 &&
	    strlen(cl2.user) == sizeof(cl2.user) - 1);
	wbuf_free(&w);
}

static void
test_names(void)
{
	struct names_msg m, m2;
	struct wbuf w;
	struct rbuf r;

	memset(&m, 0, sizeof(m));
	m.seq = 9;
	m.count = 2;
	m.ent[0].kind = 1;
	m.ent[0].id = 1002;
	m.ent[1].found = 1;
	strlcpy(m.ent[1].name, "staff", sizeof(m.ent[1].name));
	wbuf_init(&w, NAMES_MSG_WIRE_LEN);
	ipc_put_names_msg(&w, &m);
	CHECK(!wbuf_error(&w) && wbuf_len(&w) == NAMES_MSG_WIRE_LEN);
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	CHECK(ipc_get_names_msg(&r, &m2) == 0);
	CHECK(m2.seq == 9 && m2.count == 2 && m2.ent[0].id == 1002 &&
	    m2.ent[1].found == 1 && strcmp(m2.ent[1].name, "staff") == 0);
	wbuf_free(&w);

	m.count = NAMES_MAX_ENTRIES + 1;
	wbuf_init(&w, NAMES_MSG_WIRE_LEN);
	ipc_put_names_msg(&w, &m);
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	CHECK(ipc_get_names_msg(&r, &m2) == -1);
	wbuf_free(&w);
}

int
main(void)
{
	test_auth();
	test_names();
	return unit_done();
}
