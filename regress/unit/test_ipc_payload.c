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

/* One entry of a worker's open-file list, put and got back. */
static int
file_round_trip_cache(const char *share, const char *path, uint8_t flags,
    uint8_t oplock, uint8_t lease)
{
	struct session_file f, f2;
	uint8_t buf[SESSION_FILE_FIXED_LEN + sizeof(f.share) +
	    sizeof(f.path)];
	struct wbuf w;
	struct rbuf r;

	memset(&f, 0, sizeof(f));
	f.id = 7;
	f.access = 0x120089;
	f.share_access = 1;
	f.flags = flags;
	f.oplock = oplock;
	f.lease = lease;
	snprintf(f.share, sizeof(f.share), "%s", share);
	snprintf(f.path, sizeof(f.path), "%s", path);
	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_file(&w, &f);
	if (wbuf_error(&w) || wbuf_len(&w) != ipc_file_wire_len(&f))
		return -2;
	rbuf_init(&r, buf, wbuf_len(&w));
	if (ipc_get_file(&r, &f2) == -1)
		return -1;
	return rbuf_left(&r) == 0 && memcmp(&f, &f2, sizeof(f)) == 0 ? 0 : -3;
}

static int
file_round_trip(const char *share, const char *path)
{
	return file_round_trip_cache(share, path, 0, 0, 0);
}

/*
 * usmbd-ctl's question and a worker's open-file list: round trips, the
 * names a terminal must not see refused, and the worker's cleaning.
 */
static void
test_files(void)
{
	struct session_files_q q = { 5, 100, 42 }, q2;
	struct session_files_hdr h = { 5, SESSION_CLOSE_DONE, 3, 2 }, h2;
	uint8_t buf[64];
	char out[16];
	struct wbuf w;
	struct rbuf r;

	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_files_q(&w, &q);
	CHECK(!wbuf_error(&w) && wbuf_len(&w) == SESSION_FILES_Q_LEN);
	rbuf_init(&r, buf, SESSION_FILES_Q_LEN);
	CHECK(ipc_get_files_q(&r, &q2) == 0 && memcmp(&q, &q2,
	    sizeof(q)) == 0);
	q.max = SESSION_FILES_MAX + 1;
	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_files_q(&w, &q);
	rbuf_init(&r, buf, SESSION_FILES_Q_LEN);
	CHECK(ipc_get_files_q(&r, &q2) == -1);

	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_files_hdr(&w, &h);
	CHECK(!wbuf_error(&w) && wbuf_len(&w) == SESSION_FILES_HDR_LEN);
	rbuf_init(&r, buf, SESSION_FILES_HDR_LEN);
	CHECK(ipc_get_files_hdr(&r, &h2) == 0 && memcmp(&h, &h2,
	    sizeof(h)) == 0);
	/* More entries than files, or an outcome that is none. */
	h.n = 4;
	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_files_hdr(&w, &h);
	rbuf_init(&r, buf, SESSION_FILES_HDR_LEN);
	CHECK(ipc_get_files_hdr(&r, &h2) == -1);
	h.n = 2;
	h.closed = 9;
	wbuf_init_fixed(&w, buf, sizeof(buf));
	ipc_put_files_hdr(&w, &h);
	rbuf_init(&r, buf, SESSION_FILES_HDR_LEN);
	CHECK(ipc_get_files_hdr(&r, &h2) == -1);

	CHECK(file_round_trip("share", "sub dir/held.txt") == 0);
	CHECK(file_round_trip("share", "") == 0);
	CHECK(file_round_trip("d\xc3\xa9j\xc3\xa0", "\xe6\x97\xa5\xf0\x9f\x98\x80") ==
	    0);
	/* Escapes, C1 (an 8-bit CSI), bidi overrides, broken UTF-8. */
	CHECK(file_round_trip("share", "a\033[2Jb") == -1);
	CHECK(file_round_trip("share", "a\nconnection 99") == -1);
	CHECK(file_round_trip("share", "a\x7f") == -1);
	CHECK(file_round_trip("share", "a\xc2\x9b" "2J") == -1);
	CHECK(file_round_trip("share", "a\xe2\x80\xaetxt.exe") == -1);
	CHECK(file_round_trip("share", "a\xe2\x81\xa6") == -1);
	CHECK(file_round_trip("share", "a\x9b") == -1);
	CHECK(file_round_trip("share", "a\xc0\xaf") == -1);
	CHECK(file_round_trip("share", "a\xed\xa0\x80") == -1);
	CHECK(file_round_trip("share", "a\xe6\x97") == -1);
	CHECK(file_round_trip("sh\033are", "a") == -1);
	CHECK(file_round_trip("", "a") == -1);
	/* What the client caches: MS-SMB2's levels, lease bits with a lease. */
	CHECK(file_round_trip_cache("share", "a", 0, 0x09, 0) == 0);
	CHECK(file_round_trip_cache("share", "a", SESSION_FILE_BREAKING, 0x01,
	    0) == 0);
	CHECK(file_round_trip_cache("share", "a", SESSION_FILE_DIR |
	    SESSION_FILE_BREAKING, 0xFF, 0x07) == 0);
	CHECK(file_round_trip_cache("share", "a", 0, 0xFF, 0) == 0);
	CHECK(file_round_trip_cache("share", "a", 0, 0x02, 0) == -1);
	CHECK(file_round_trip_cache("share", "a", 0, 0x09, 0x01) == -1);
	CHECK(file_round_trip_cache("share", "a", 0, 0xFF, 0x08) == -1);
	CHECK(file_round_trip_cache("share", "a", 0x08, 0, 0) == -1);

	/* An honest worker makes its names fit, cut at a character. */
	CHECK(ipc_text_clean(out, sizeof(out), "a\033[2J\xc2\x9b") == 0 &&
	    strcmp(out, "a?[2J?") == 0);
	CHECK(ipc_text_clean(out, sizeof(out), "a\xff\xe2\x80\xae" "b") == 0 &&
	    strcmp(out, "a??b") == 0);
	CHECK(ipc_text_clean(out, 6, "abcd\xc3\xa9") == 1 &&
	    strcmp(out, "abcd") == 0);
	CHECK(ipc_text_clean(out, 7, "abcd\xc3\xa9") == 0 &&
	    strcmp(out, "abcd\xc3\xa9") == 0);
}

int
main(void)
{
	test_auth();
	test_names();
	test_session_info();
	test_files();
	return unit_done();
}
