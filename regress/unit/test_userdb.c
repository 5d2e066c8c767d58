/*
 * Unit tests for MD4 (RFC 1320 test suite), the NT hash (MS-NLMP 4.2.1),
 * UTF-8/UTF-16LE conversion and the user database.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "md4.h"
#include "unicode.h"
#include "unit.h"
#include "userdb.h"

static void
test_md4(void)
{
	static const struct {
		const char *in, *hex;
	} v[] = {
		{ "", "31d6cfe0d16ae931b73c59d7e0c089c0" },
		{ "a", "bde52cb31de33e46245e05fbdbd6fb24" },
		{ "abc", "a448017aaf21d8525fc10ae87aa6729d" },
		{ "message digest", "d9130a8164549fe818874806e1c7014b" },
		{ "abcdefghijklmnopqrstuvwxyz",
		    "d79e1c308aa5bbcdeea8ed63df412da9" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789", "043f8582f241db351ce627e153e7f0e4" },
		{ "1234567890123456789012345678901234567890123456789012345678"
		    "9012345678901234567890", "e33b4ddc9c38f2199c3e7b164fcc0536" },
	};
	uint8_t out[16], want[16];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		md4(v[i].in, strlen(v[i].in), out);
		unit_unhex(v[i].hex, want, sizeof(want));
		CHECK_MEM(out, want, 16);
	}
	CHECK(nt_hash("Password", out) == 0);
	unit_unhex("a4f49c406510bdcab6824ee7c30fd852", want, sizeof(want));
	CHECK_MEM(out, want, 16);
}

static void
test_unicode(void)
{
	struct wbuf w;
	struct rbuf r;
	char *s, *u;
	size_t n;
	/* "a", U+00E9, U+20AC, U+1F600 (a surrogate pair) */
	static const char utf8[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	static const uint8_t utf16[] = { 'a', 0, 0xe9, 0, 0xac, 0x20,
	    0x3d, 0xd8, 0x00, 0xde };

	wbuf_init(&w, 64);
	CHECK(utf8_to_utf16le(utf8, strlen(utf8), &w) == 0);
	CHECK(wbuf_len(&w) == sizeof(utf16));
	CHECK_MEM(wbuf_data(&w), utf16, sizeof(utf16));
	rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
	CHECK(utf16le_to_utf8(&r, wbuf_len(&w), &s, &n) == 0);
	CHECK_STR(s, utf8);
	free(s);
	wbuf_reset(&w);
	/* Overlong, encoded surrogate, truncated, beyond U+10FFFF. */
	CHECK(utf8_to_utf16le("\xc0\xaf", 2, &w) == -1);
	CHECK(utf8_to_utf16le("\xed\xa0\x80", 3, &w) == -1);
	CHECK(utf8_to_utf16le("\xe2\x82", 2, &w) == -1);
	CHECK(utf8_to_utf16le("\xf4\x90\x80\x80", 4, &w) == -1);
	wbuf_free(&w);
	/* Unpaired surrogates and odd lengths. */
	{
		static const uint8_t lone[] = { 0x3d, 0xd8, 'a', 0 };
		static const uint8_t low[] = { 0x00, 0xde };

		rbuf_init(&r, lone, sizeof(lone));
		CHECK(utf16le_to_utf8(&r, sizeof(lone), &s, &n) == -1);
		rbuf_init(&r, low, sizeof(low));
		CHECK(utf16le_to_utf8(&r, sizeof(low), &s, &n) == -1);
		rbuf_init(&r, lone, sizeof(lone));
		CHECK(utf16le_to_utf8(&r, 3, &s, &n) == -1);
	}
	CHECK(utf8_upper("user\xc3\xa9", &u) == 0);
	CHECK_STR(u, "USER\xc3\x89");
	free(u);
	CHECK(utf8_casecmp("Stra\xc3\x9f" "e", "STRA\xc3\x9f" "E") == 0);
	CHECK(utf8_casecmp("abc", "ABD") < 0);
	CHECK(utf8_casecmp("\xd0\xb6", "\xd0\x96") == 0);	/* Cyrillic */
	CHECK(utf8_casecmp("\xef\xbd\x81", "\xef\xbc\xa1") == 0);	/* fullwidth a */
	CHECK(utf8_casecmp("\xd5\xa1", "\xd4\xb1") == 0);	/* Armenian */
}

static void
test_userdb(void)
{
	char dir[] = "/tmp/usmbd-userdb.XXXXXX", path[128], cmd[160];
	struct userdb *db;
	uint8_t h[16];
	struct stat st;
	FILE *fp;

	if (mkdtemp(dir) == NULL)
		exit(2);
	snprintf(path, sizeof(path), "%s/passdb", dir);
	CHECK(userdb_load(path, &db) == -1);
	CHECK(userdb_load_or_empty(path, &db) == 0 && db->nusers == 0);
	nt_hash("secret", h);
	CHECK(userdb_set(db, "Alice", h) == 0);
	CHECK(userdb_set(db, "bob", h) == 0);
	CHECK(userdb_set(db, "bad:name", h) == -1);
	CHECK(userdb_set_disabled(db, "BOB", 1) == 0);
	CHECK(userdb_save(path, db, getuid(), getgid()) == 0);
	userdb_free(db);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(userdb_load(path, &db) == 0 && db->nusers == 2);
	CHECK(userdb_find(db, "alice") != NULL);
	CHECK_MEM(userdb_find(db, "ALICE")->nthash, h, 16);
	CHECK(userdb_find(db, "bob")->disabled);
	CHECK(userdb_delete(db, "alice") == 0);
	CHECK(userdb_find(db, "alice") == NULL);
	CHECK(userdb_delete(db, "alice") == -1);
	userdb_free(db);

	/* Malformed files fail with the line named. */
	fp = fopen(path, "w");
	fprintf(fp, "# comment\nok::31d6cfe0d16ae931b73c59d7e0c089c0:0\n"
	    "broken:X:00:0\n");
	fclose(fp);
	CHECK(userdb_load(path, &db) == -1);
	fp = fopen(path, "w");
	fprintf(fp, "a::31d6cfe0d16ae931b73c59d7e0c089c0:0\n"
	    "A::31d6cfe0d16ae931b73c59d7e0c089c0:0\n");
	fclose(fp);
	CHECK(userdb_load(path, &db) == -1);	/* duplicate, any case */
	fp = fopen(path, "w");
	fprintf(fp, "a::31d6cfe0d16ae931b73c59d7e0c089c:0\n");
	fclose(fp);
	CHECK(userdb_load(path, &db) == -1);	/* short hash */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

int
main(void)
{
	test_md4();
	test_unicode();
	test_userdb();
	return unit_done();
}
