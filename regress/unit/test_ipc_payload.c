/*
 * Unit test of the logon and name lookup payloads (shared/ipc_payload.c):
 * each encodes to its fixed length and decodes to what was encoded;
 * short, long or impossible payloads are refused, and strings always
 * come back NUL-terminated.
 */
#include "config.h"

#include <stdio.h>
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

/* A worker's report for usmbd-ctl: round trip, and what is refused. */
static void
test_session_info(void)
{
	struct session_info si, si2;
	uint8_t buf[SESSION_INFO_WIRE_LEN];
	struct wbuf w;
	struct rbuf r;

	memset(&si, 0, sizeof(si));
	si.dialect = 0x0311;
	si.signing_required = 1;
	si.cipher = 2;
	si.nshares = 2;
	snprintf(si.shares[0], sizeof(si.shares[0]), "data");
	snprintf(si.shares[1], sizeof(si.shares[1]), "IPC$");
	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_session_info(&w, &si);
	CHECK(!wbuf_error(&w) && wbuf_len(&w) == SESSION_INFO_WIRE_LEN);
	rbuf_init(&r, buf, sizeof(buf));
	CHECK(ipc_get_session_info(&r, &si2) == 0);
	CHECK(memcmp(&si, &si2, sizeof(si)) == 0);
	/* One byte short, or one more. */
	rbuf_init(&r, buf, sizeof(buf) - 1);
	CHECK(ipc_get_session_info(&r, &si2) == -1);
	/* A control character in a name is for a terminal: refused. */
	snprintf(si.shares[1], sizeof(si.shares[1]), "a\033[2Jb");
	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_session_info(&w, &si);
	rbuf_init(&r, buf, sizeof(buf));
	CHECK(ipc_get_session_info(&r, &si2) == -1);
	/* More shares than there is room for, an empty name, a bad flag. */
	snprintf(si.shares[1], sizeof(si.shares[1]), "ok");
	si.nshares = SESSION_INFO_MAX_SHARES + 1;
	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_session_info(&w, &si);
	rbuf_init(&r, buf, sizeof(buf));
	CHECK(ipc_get_session_info(&r, &si2) == -1);
	si.nshares = 3;
	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_session_info(&w, &si);
	rbuf_init(&r, buf, sizeof(buf));
	CHECK(ipc_get_session_info(&r, &si2) == -1);
	si.nshares = 2;
	si.encrypt_required = 2;
	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_session_info(&w, &si);
	rbuf_init(&r, buf, sizeof(buf));
	CHECK(ipc_get_session_info(&r, &si2) == -1);
}

int
main(void)
{
	test_auth();
	test_names();
	test_session_info();
	return unit_done();
}
