/*
 * Unit tests for the user.DOSATTRIB codec and the EA list parsers.  The
 * version 5 vectors were written by Samba 4.17's smbd (smbclient put and
 * setmode, read back with getfattr -e hex); the older versions were
 * built by hand and checked by letting Samba 4.17 read them (smbclient
 * allinfo showed the attributes and create time expected here).
 */
#include "config.h"

#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meta.h"
#include "ntstatus.h"
#include "unit.h"

struct vec {
	const char	*hex;
	uint32_t	 attrib;
	uint64_t	 create_time;	/* 0: none */
	uint16_t	 version;
};

static const struct vec vecs[] = {
	/* Samba 4.17: a file set +rh, a directory set +s, a new file. */
	{ "000005000500000011000000230000008e3067307f7edd01", 0x23,
	    0x01dd7e7f3067308eULL, 5 },
	{ "0000050005000000110000001400000051226d307f7edd01", 0x14,
	    0x01dd7e7f306d2251ULL, 5 },
	{ "0000050005000000110000002000000051e676307f7edd01", 0x20,
	    0x01dd7e7f3076e651ULL, 5 },
	/* Version 5 behind a hex string; version 5 without CREATE_TIME. */
	{ "3078340005000500110000002400000000c0b4d4a0c1d501", 0x24,
	    0x01d5c1a0d4b4c000ULL, 5 },
	{ "0000050005000000010000002700000000c0b4d4a0c1d501", 0x27, 0, 5 },
	/* Version 5 without ATTRIB: Samba still takes the attributes. */
	{ "0000050005000000100000002700000000c0b4d4a0c1d501", 0x27,
	    0x01d5c1a0d4b4c000ULL, 5 },
	/* Version 4 (itime, then create_time). */
	{ "00000400040000001000000027000000000000000000000000c0b4d4a0c1d501",
	    0x27, 0x01d5c1a0d4b4c000ULL, 4 },
	/* Version 3 with and without the hex string. */
	{ "30783232000003000300000011000000220000000000000000000000000000"
	  "00000000000000000000c0b4d4a0c1d5010000000000000000", 0x22,
	    0x01d5c1a0d4b4c000ULL, 3 },
	{ "00000300030000001000000022000000000000000000000000000000000000"
	  "000000000000c0b4d4a0c1d5010000000000000000", 0x22,
	    0x01d5c1a0d4b4c000ULL, 3 },
	/* Version 1: a create time where it is not zero. */
	{ "00000100010000002300000000000000000000000000000000000000000000"
	  "0000c0b4d4a0c1d5010000000000000000", 0x23,
	    0x01d5c1a0d4b4c000ULL, 1 },
	{ "00000100010000002300000000000000000000000000000000000000000000"
	  "000000000000000000000000000000000000", 0x23, 0, 1 },
	/* Version 2: the attributes only. */
	{ "00000200020000000000000026000000000000000000000000000000000000"
	  "00000000000000c0b4d4a0c1d50100000000000000000000000000000000"
	  "00", 0x26, 0, 2 },
	/* The oldest: bare text. */
	{ "30783232", 0x22, 0, 0xffff },
	{ "3078323200", 0x22, 0, 0xffff },
};

static size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int b;

	while (s[0] != '\0' && s[1] != '\0' && n < max) {
		if (sscanf(s, "%2x", &b) != 1)
			break;
		out[n++] = (uint8_t)b;
		s += 2;
	}
	return n;
}

static void
test_decode(void)
{
	struct meta_dosinfo di;
	uint8_t buf[256];
	size_t i, n;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		n = unhex(vecs[i].hex, buf, sizeof(buf));
		CHECK(meta_dosattrib_decode(buf, n, &di) == 0);
		CHECK(di.version == vecs[i].version);
		CHECK(di.attrib == vecs[i].attrib);
		CHECK(di.create_time == vecs[i].create_time);
		CHECK(((di.valid & META_DOSINFO_CREATE_TIME) != 0) ==
		    (vecs[i].create_time != 0));
		if (di.attrib != vecs[i].attrib)
			fprintf(stderr, "vector %zu\n", i);
	}
	/* Truncated blobs, unknown versions, mismatched switch. */
	n = unhex(vecs[0].hex, buf, sizeof(buf));
	for (i = 0; i < n; i++) {
		/* Bytes 0 and 1 would leave nothing but an empty string. */
		CHECK(meta_dosattrib_decode(buf, i, &di) == -1);
	}
	buf[2] = 6;
	buf[4] = 6;
	CHECK(meta_dosattrib_decode(buf, n, &di) == -1);
	buf[2] = 5;
	CHECK(meta_dosattrib_decode(buf, n, &di) == -1);
	CHECK(meta_dosattrib_decode((const uint8_t *)"0xZZ", 4, &di) == -1);
	CHECK(meta_dosattrib_decode((const uint8_t *)"hello", 5, &di) == -1);
	CHECK(meta_dosattrib_decode((const uint8_t *)"0x123456789", 11,
	    &di) == -1);
}

static void
test_encode(void)
{
	struct meta_dosinfo di, back;
	uint8_t buf[META_DOSATTRIB_MAX], want[64];
	size_t n, wn;

	/* What Samba 4.17 wrote for the file set +rh. */
	memset(&di, 0, sizeof(di));
	di.valid = META_DOSINFO_ATTRIB | META_DOSINFO_CREATE_TIME;
	di.attrib = 0x23;
	di.create_time = 0x01dd7e7f3067308eULL;
	n = meta_dosattrib_encode(&di, buf, sizeof(buf));
	wn = unhex(vecs[0].hex, want, sizeof(want));
	CHECK(n == wn);
	CHECK_MEM(buf, want, wn);
	CHECK(meta_dosattrib_decode(buf, n, &back) == 0);
	CHECK(back.attrib == 0x23 && back.create_time == di.create_time);
	/* Too small a buffer. */
	CHECK(meta_dosattrib_encode(&di, buf, 10) == 0);
	/* Without a create time the flag is clear and the time zero. */
	di.valid = META_DOSINFO_ATTRIB;
	n = meta_dosattrib_encode(&di, buf, sizeof(buf));
	CHECK(n == 24 && buf[8] == 1 && buf[16] == 0);
}

static void
test_ea_parse(void)
{
	/* Two entries: "Ab" = "xyz" (aligned to 4), "c" = "" (last). */
	static const uint8_t full[] = {
		0x14, 0, 0, 0, 0, 2, 3, 0, 'A', 'b', 0, 'x', 'y', 'z',
		0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0x80, 1, 0, 0, 'c', 0,
	};
	static const uint8_t getl[] = {
		8, 0, 0, 0, 2, 'A', 'b', 0,
		0, 0, 0, 0, 1, 'c', 0,
	};
	uint8_t bad[sizeof(full)];
	struct meta_ea *eas;
	size_t n;
	uint32_t off;

	CHECK(meta_ea_parse_full(full, sizeof(full), &eas, &n, &off) ==
	    NT_STATUS_SUCCESS);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(eas[0].name, "Ab");
		CHECK(eas[0].value_len == 3 &&
		    memcmp(eas[0].value, "xyz", 3) == 0);
		CHECK_STR(eas[1].name, "c");
		CHECK(eas[1].flags == 0x80 && eas[1].value_len == 0);
	}
	free(eas);
	CHECK(meta_ea_parse_get(getl, sizeof(getl), &eas, &n, &off) ==
	    NT_STATUS_SUCCESS && n == 2);
	if (n == 2) {
		CHECK_STR(eas[0].name, "Ab");
		CHECK_STR(eas[1].name, "c");
	}
	free(eas);
	/* Truncated: the last entry runs past the end. */
	CHECK(meta_ea_parse_full(full, sizeof(full) - 1, &eas, &n, &off) ==
	    NT_STATUS_EA_LIST_INCONSISTENT);
	/* NextEntryOffset inside its own entry. */
	memcpy(bad, full, sizeof(bad));
	bad[0] = 4;
	CHECK(meta_ea_parse_full(bad, sizeof(bad), &eas, &n, &off) ==
	    NT_STATUS_EA_LIST_INCONSISTENT);
	/* Missing NUL after the name. */
	memcpy(bad, full, sizeof(bad));
	bad[10] = 'q';
	CHECK(meta_ea_parse_full(bad, sizeof(bad), &eas, &n, &off) ==
	    NT_STATUS_EA_LIST_INCONSISTENT);
	/* An invalid character in the second name. */
	memcpy(bad, full, sizeof(bad));
	bad[28] = '*';
	CHECK(meta_ea_parse_full(bad, sizeof(bad), &eas, &n, &off) ==
	    NT_STATUS_INVALID_EA_NAME && off == 0x14);
	/* An empty name. */
	memcpy(bad, full, sizeof(bad));
	bad[25] = 0;
	CHECK(meta_ea_parse_full(bad, sizeof(bad), &eas, &n, &off) !=
	    NT_STATUS_SUCCESS);
	CHECK(meta_ea_parse_full(full, 0, &eas, &n, &off) ==
	    NT_STATUS_EA_LIST_INCONSISTENT);
}

static void
test_ea_names(void)
{
	CHECK(meta_ea_name_valid("EAONE", 5));
	CHECK(meta_ea_name_valid("a b.c", 5));
	CHECK(!meta_ea_name_valid("a:b", 3));
	CHECK(!meta_ea_name_valid("a\tb", 3));
	CHECK(!meta_ea_name_valid("", 0));
	CHECK_STR(meta_ea_from_xattr("user.EAONE"), "EAONE");
	CHECK(meta_ea_from_xattr("user.DOSATTRIB") == NULL);
	CHECK(meta_ea_from_xattr("user.DosStream.s:$DATA") == NULL);
	CHECK(meta_ea_from_xattr("user.SAMBA_PAI") == NULL);
	CHECK(meta_ea_from_xattr("security.NTACL") == NULL);
	CHECK(meta_ea_from_xattr("trusted.x") == NULL);
	CHECK(meta_ea_from_xattr("user.") == NULL);
	CHECK(meta_ea_reserved("security.NTACL"));
	CHECK(meta_ea_reserved("user.DOSATTRIB"));
	CHECK(meta_ea_reserved("dosattrib"));
	CHECK(meta_ea_reserved("SAMBA_PAI"));
	CHECK(!meta_ea_reserved("EAONE"));
}

static void
test_query(void)
{
	struct meta_file mf;
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0644;
	st.st_mtim.tv_sec = 0;
	st.st_ctim.tv_sec = 10;
	meta_query(-1, -1, NULL, &st, 0, &mf);
	CHECK(mf.attrs == 0x20 && !mf.stored);
	CHECK(mf.create_time == 116444736000000000ULL);
	st.st_mtim.tv_sec = -10;
	meta_query(-1, -1, NULL, &st, 0, &mf);
	CHECK(mf.create_time == 116444736000000000ULL - 100000000ULL);
	st.st_mode = S_IFDIR | 0755;
	meta_query(-1, -1, NULL, &st, META_QUERY_HIDDEN, &mf);
	CHECK(mf.attrs == 0x12);
}

int
main(void)
{
	test_decode();
	test_encode();
	test_ea_parse();
	test_ea_names();
	test_query();
	return unit_done();
}
