/*
 * Unit tests of the security descriptor codec (MS-DTYP 2.4.6), the SID
 * mapping, the POSIX ACL xattr format and the NT <-> POSIX mapping, with
 * hand-built vectors.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "ntstatus.h"
#include "secdesc.h"
#include "unit.h"

/*
 * Owner S-1-22-1-1000, group S-1-22-2-100, DACL: allow the owner
 * 0x1f01ff, allow Everyone 0x120089.
 */
static const char sd_hex[] =
	"01 00 04 80 14 00 00 00 24 00 00 00 00 00 00 00 34 00 00 00"
	"01 02 00 00 00 00 00 16 01 00 00 00 e8 03 00 00"
	"01 02 00 00 00 00 00 16 02 00 00 00 64 00 00 00"
	"02 00 34 00 02 00 00 00"
	"00 00 18 00 ff 01 1f 00"
	"01 02 00 00 00 00 00 16 01 00 00 00 e8 03 00 00"
	"00 00 14 00 89 00 12 00"
	"01 01 00 00 00 00 00 01 00 00 00 00";

static void
test_parse_put(void)
{
	uint8_t in[256];
	size_t n = unit_unhex(sd_hex, in, sizeof(in));
	struct secdesc sd;
	struct sd_sid world;
	struct wbuf w;
	char buf[64];

	CHECK(n == 104);
	CHECK(secdesc_parse(in, n, &sd) == NT_STATUS_SUCCESS);
	CHECK(sd.has_owner && sd.has_group && sd.dacl_present &&
	    !sd.dacl_null && !sd.sacl_present);
	sid_str(&sd.owner, buf, sizeof(buf));
	CHECK_STR(buf, "S-1-22-1-1000");
	sid_str(&sd.group, buf, sizeof(buf));
	CHECK_STR(buf, "S-1-22-2-100");
	CHECK(sd.dacl.count == 2);
	CHECK(sd.dacl.ace[0].type == ACE_ACCESS_ALLOWED &&
	    sd.dacl.ace[0].mask == 0x1f01ff &&
	    sid_eq(&sd.dacl.ace[0].sid, &sd.owner));
	sid_make(&world, 1, 1, (uint32_t)0);
	CHECK(sd.dacl.ace[1].mask == 0x120089 &&
	    sid_eq(&sd.dacl.ace[1].sid, &world));

	/* Marshalling gives the same bytes back. */
	wbuf_init(&w, 4096);
	CHECK(secdesc_put(&w, &sd, SECINFO_OWNER | SECINFO_GROUP |
	    SECINFO_DACL) == 0);
	CHECK(wbuf_len(&w) == n);
	CHECK_MEM(wbuf_data(&w), in, n);

	/* Only the DACL: no owner or group offsets. */
	wbuf_reset(&w);
	CHECK(secdesc_put(&w, &sd, SECINFO_DACL) == 0);
	CHECK(wbuf_len(&w) == 20 + 52);
	CHECK(wbuf_data(&w)[4] == 0 && wbuf_data(&w)[8] == 0 &&
	    wbuf_data(&w)[16] == 20);
	/* Nothing asked: a bare header without DACL_PRESENT. */
	wbuf_reset(&w);
	CHECK(secdesc_put(&w, &sd, 0) == 0);
	CHECK(wbuf_len(&w) == 20 && wbuf_data(&w)[2] == 0x00 &&
	    wbuf_data(&w)[3] == 0x80);
	wbuf_free(&w);
	secdesc_free(&sd);
}

static void
test_malformed(void)
{
	uint8_t in[256], bad[256];
	size_t n = unit_unhex(sd_hex, in, sizeof(in)), i;
	struct secdesc sd;

	/* Every truncation that cuts into a part is refused. */
	for (i = 0; i < n; i++)
		CHECK(secdesc_parse(in, i, &sd) ==
		    NT_STATUS_INVALID_SECURITY_DESCR);
	CHECK(secdesc_parse(NULL, 0, &sd) == NT_STATUS_INVALID_SECURITY_DESCR);

	memcpy(bad, in, n);
	bad[0] = 2;				/* Revision */
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_INVALID_SECURITY_DESCR);
	memcpy(bad, in, n);
	bad[3] = 0;				/* not self-relative */
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_INVALID_SECURITY_DESCR);
	memcpy(bad, in, n);
	bad[4] = 0xf0;				/* owner beyond the end */
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_INVALID_SECURITY_DESCR);
	memcpy(bad, in, n);
	bad[4] = 4;				/* owner inside the header */
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_INVALID_SECURITY_DESCR);
	memcpy(bad, in, n);
	bad[21] = 16;				/* SubAuthorityCount > 15 */
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_INVALID_SECURITY_DESCR);
	memcpy(bad, in, n);
	bad[20] = 2;				/* SID revision */
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_INVALID_SECURITY_DESCR);
	memcpy(bad, in, n);
	bad[52] = 3;				/* AclRevision */
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_INVALID_SECURITY_DESCR);
	memcpy(bad, in, n);
	bad[54] = 0x40;				/* AclSize past the end */
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_INVALID_SECURITY_DESCR);
	memcpy(bad, in, n);
	bad[56] = 9;				/* AceCount too large */
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_INVALID_SECURITY_DESCR);
	memcpy(bad, in, n);
	bad[62] = 0x17;				/* AceSize not 4-aligned */
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_INVALID_SECURITY_DESCR);
	memcpy(bad, in, n);
	bad[62] = 0x0c;				/* AceSize cuts the SID */
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_INVALID_SECURITY_DESCR);
	memcpy(bad, in, n);
	bad[62] = 0x04;				/* AceSize below the header */
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_INVALID_SECURITY_DESCR);

	/* A present DACL at offset 0 is a NULL DACL, not an error. */
	memcpy(bad, in, n);
	memset(bad + 16, 0, 4);
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_SUCCESS &&
	    sd.dacl_present && sd.dacl_null && sd.dacl.count == 0);
	secdesc_free(&sd);
	/* Without DACL_PRESENT the DACL offset is ignored. */
	memcpy(bad, in, n);
	bad[2] = 0;
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_SUCCESS &&
	    !sd.dacl_present);
	secdesc_free(&sd);
	/* An unknown ACE type is kept without a SID and not marshalled. */
	memcpy(bad, in, n);
	bad[60] = 0x05;				/* ACCESS_ALLOWED_OBJECT */
	CHECK(secdesc_parse(bad, n, &sd) == NT_STATUS_SUCCESS &&
	    sd.dacl.count == 2 && !sd.dacl.ace[0].has_sid);
	secdesc_free(&sd);
}

static void
test_sid_map(void)
{
	struct sid_map m = { { 11, 22, 33 } };
	struct sd_sid s;
	uint32_t id;

	sid_from_uid(&s, 1000);
	CHECK(sid_map_id(&m, &s, &id) == SID_UID && id == 1000);
	sid_from_gid(&s, 100);
	CHECK(sid_map_id(&m, &s, &id) == SID_GID && id == 100);
	/* Id -1 would make fchown() a silent no-op: nobody. */
	sid_from_uid(&s, UINT32_MAX);
	CHECK(sid_map_id(&m, &s, &id) == SID_NONE);
	sid_from_gid(&s, UINT32_MAX);
	CHECK(sid_map_id(&m, &s, &id) == SID_NONE);
	sid_make(&s, 1, 1, (uint32_t)0);
	CHECK(sid_map_id(&m, &s, &id) == SID_WORLD);
	sid_make(&s, 3, 1, (uint32_t)0);
	CHECK(sid_map_id(&m, &s, &id) == SID_CREATOR_OWNER);
	sid_make(&s, 3, 1, (uint32_t)1);
	CHECK(sid_map_id(&m, &s, &id) == SID_CREATOR_GROUP);
	/* The account domain: user RID 1000 + 2 uid, group 1001 + 2 gid. */
	sid_make(&s, 5, 5, (uint32_t)21, (uint32_t)11, (uint32_t)22,
	    (uint32_t)33, (uint32_t)(1000 + 2 * 1001));
	CHECK(sid_map_id(&m, &s, &id) == SID_UID && id == 1001);
	sid_make(&s, 5, 5, (uint32_t)21, (uint32_t)11, (uint32_t)22,
	    (uint32_t)33, (uint32_t)(1001 + 2 * 100));
	CHECK(sid_map_id(&m, &s, &id) == SID_GID && id == 100);
	/* Another domain, Authenticated Users, Administrators: nobody. */
	sid_make(&s, 5, 5, (uint32_t)21, (uint32_t)11, (uint32_t)22,
	    (uint32_t)34, (uint32_t)2000);
	CHECK(sid_map_id(&m, &s, &id) == SID_NONE);
	sid_make(&s, 5, 1, (uint32_t)11);	/* Authenticated Users */
	CHECK(sid_map_id(&m, &s, &id) == SID_WORLD);
	sid_make(&s, 5, 1, (uint32_t)18);	/* SYSTEM */
	CHECK(sid_map_id(&m, &s, &id) == SID_NONE);
	sid_make(&s, 5, 2, (uint32_t)32, (uint32_t)544);
	CHECK(sid_map_id(&m, &s, &id) == SID_NONE);
}

/* Find an entry of an ACL; -1 when absent. */
static int
perm_of(const struct pacl *p, uint16_t tag, uint32_t id)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (p->e[i].tag == tag && (p->e[i].id == id ||
		    (tag != PACL_USER && tag != PACL_GROUP)))
			return p->e[i].perm;
	return -1;
}

static void
test_pacl(void)
{
	/* What the kernel stores for u::rw-,u:65534:rw-,g::r--,m::rw-,o::r--. */
	static const char kern[] =
	    "02000000 01000600ffffffff 02000600feff0000 04000400ffffffff"
	    "10000600ffffffff 20000400ffffffff";
	uint8_t in[64];
	size_t n = unit_unhex(kern, in, sizeof(in));
	struct pacl p;
	struct wbuf w;
	struct secdesc sd;
	struct sid_map m = { { 1, 2, 3 } };
	struct sd_sid s;

	CHECK(pacl_parse(in, n, &p) == 0 && p.n == 5);
	CHECK(pacl_extended(&p));
	CHECK(pacl_mode(&p) == 0664);
	CHECK(perm_of(&p, PACL_USER, 65534) == 6);
	wbuf_init(&w, 4096);
	CHECK(pacl_put(&w, &p) == 0 && wbuf_len(&w) == n);
	CHECK_MEM(wbuf_data(&w), in, n);
	wbuf_free(&w);
	CHECK(pacl_parse(in, n - 1, &p) == -1);
	in[0] = 1;
	CHECK(pacl_parse(in, n, &p) == -1);
	in[0] = 2;
	CHECK(pacl_parse(in, n, &p) == 0);

	/* The NT view: owner, named user, group, Everyone. */
	secdesc_from_posix(&m, 1000, 100, 0, &p, NULL, &sd);
	CHECK(sd.dacl.count == 4);
	sid_from_uid(&s, 1000);
	/* An owner with read and write has full control. */
	CHECK(sid_eq(&sd.dacl.ace[0].sid, &s) &&
	    sd.dacl.ace[0].mask == 0x001f01ff);
	sid_from_uid(&s, 65534);
	CHECK(sid_eq(&sd.dacl.ace[1].sid, &s) &&
	    !(sd.dacl.ace[1].mask & 0x000c0000));
	sid_from_gid(&s, 100);
	CHECK(sid_eq(&sd.dacl.ace[2].sid, &s) &&
	    sd.dacl.ace[2].mask == 0x120089);
	secdesc_free(&sd);

	/* A mode alone: a zero entry gives no ACE. */
	pacl_from_mode(0750, &p);
	secdesc_from_posix(&m, 1000, 100, 1, &p, NULL, &sd);
	CHECK(sd.dacl.count == 2 && sd.dacl.ace[0].mask == 0x1f01ff &&
	    sd.dacl.ace[1].mask == 0x1200a9);
	secdesc_free(&sd);
	/* A read-only owner: read, and its ACL, no more. */
	pacl_from_mode(0444, &p);
	secdesc_from_posix(&m, 1000, 100, 0, &p, NULL, &sd);
	CHECK(sd.dacl.count == 3 && sd.dacl.ace[0].mask == 0x160089);
	secdesc_free(&sd);
	/* A directory's owner without search: no full control. */
	pacl_from_mode(0600, &p);
	secdesc_from_posix(&m, 1000, 100, 1, &p, NULL, &sd);
	CHECK(sd.dacl.count == 1 && sd.dacl.ace[0].mask == 0x1701df);
	secdesc_free(&sd);
}

/* A descriptor with the given ACEs, for the mapping tests. */
static void
mk(struct secdesc *sd)
{
	memset(sd, 0, sizeof(*sd));
	sd->control = SE_SELF_RELATIVE | SE_DACL_PRESENT;
	sd->dacl_present = 1;
}

static void
test_to_posix(void)
{
	struct sid_map m = { { 1, 2, 3 } };
	struct secdesc sd, back;
	struct pacl acc, def;
	struct sd_sid s;

	/* smb2.compound.related4: only CREATOR OWNER, not inheritable. */
	mk(&sd);
	sid_make(&s, 3, 1, (uint32_t)0);
	secdesc_acl_add(&sd.dacl, ACE_ACCESS_ALLOWED, 0, 0x001f0089, &s);
	CHECK(secdesc_to_posix(&m, &sd, 1000, 100, 0, &acc, &def) ==
	    NT_STATUS_SUCCESS);
	CHECK(!pacl_extended(&acc) && pacl_mode(&acc) == 0 && def.n == 0);
	secdesc_free(&sd);

	/*
	 * smb2.delete-on-close-perms: the owner, object-inherit, on a
	 * directory: rwx for the owner now and for new files.
	 */
	mk(&sd);
	sid_from_uid(&s, 1000);
	secdesc_acl_add(&sd.dacl, ACE_ACCESS_ALLOWED, ACE_OBJECT_INHERIT,
	    0x001e01bf, &s);
	CHECK(secdesc_to_posix(&m, &sd, 1000, 100, 1, &acc, &def) ==
	    NT_STATUS_SUCCESS);
	CHECK(pacl_mode(&acc) == 0700 && !pacl_extended(&acc));
	CHECK(def.n == 5 && perm_of(&def, PACL_USER_OBJ, 0) == 7 &&
	    perm_of(&def, PACL_USER, 1000) == 7 &&
	    perm_of(&def, PACL_MASK, 0) == 7 &&
	    perm_of(&def, PACL_OTHER, 0) == 0);
	/* And back: the inheritable part shows as CREATOR OWNER. */
	secdesc_from_posix(&m, 1000, 100, 1, &acc, &def, &back);
	sid_make(&s, 3, 1, (uint32_t)0);
	CHECK(back.dacl.count == 3 && sid_eq(&back.dacl.ace[1].sid, &s) &&
	    back.dacl.ace[1].flags == (ACE_OBJECT_INHERIT |
	    ACE_CONTAINER_INHERIT | ACE_INHERIT_ONLY));
	secdesc_free(&back);
	/* On a file the inheritance flags mean nothing. */
	CHECK(secdesc_to_posix(&m, &sd, 1000, 100, 0, &acc, &def) ==
	    NT_STATUS_SUCCESS && def.n == 0 && pacl_mode(&acc) == 0700);
	secdesc_free(&sd);

	/* Named user and group: a mask over the group class. */
	mk(&sd);
	sid_from_uid(&s, 1000);
	secdesc_acl_add(&sd.dacl, ACE_ACCESS_ALLOWED, 0, 0x001f01ff, &s);
	sid_from_uid(&s, 2000);
	secdesc_acl_add(&sd.dacl, ACE_ACCESS_ALLOWED, 0, 0x00120089, &s);
	sid_make(&s, 5, 5, (uint32_t)21, (uint32_t)1, (uint32_t)2,
	    (uint32_t)3, (uint32_t)(1001 + 2 * 300));
	secdesc_acl_add(&sd.dacl, ACE_ACCESS_ALLOWED, 0, 0x40000000, &s);
	sid_make(&s, 5, 2, (uint32_t)32, (uint32_t)544);  /* dropped */
	secdesc_acl_add(&sd.dacl, ACE_ACCESS_ALLOWED, 0, 0x001f01ff, &s);
	CHECK(secdesc_to_posix(&m, &sd, 1000, 100, 0, &acc, &def) ==
	    NT_STATUS_SUCCESS);
	CHECK(acc.n == 6 && pacl_extended(&acc));
	CHECK(perm_of(&acc, PACL_USER_OBJ, 0) == 7 &&
	    perm_of(&acc, PACL_USER, 2000) == 4 &&
	    perm_of(&acc, PACL_GROUP, 300) == 2 &&
	    perm_of(&acc, PACL_GROUP_OBJ, 0) == 0 &&
	    perm_of(&acc, PACL_MASK, 0) == 6 &&
	    perm_of(&acc, PACL_OTHER, 0) == 0);
	secdesc_free(&sd);

	/*
	 * Deny Everyone write first, then allow the owner everything and
	 * Everyone read: the owner keeps no write, and Everyone's read
	 * reaches the group entry too.
	 */
	mk(&sd);
	sid_make(&s, 1, 1, (uint32_t)0);
	secdesc_acl_add(&sd.dacl, ACE_ACCESS_DENIED, 0, 0x00000002, &s);
	sid_from_uid(&s, 1000);
	secdesc_acl_add(&sd.dacl, ACE_ACCESS_ALLOWED, 0, 0x10000000, &s);
	sid_make(&s, 1, 1, (uint32_t)0);
	secdesc_acl_add(&sd.dacl, ACE_ACCESS_ALLOWED, 0, 0x00120089, &s);
	CHECK(secdesc_to_posix(&m, &sd, 1000, 100, 0, &acc, &def) ==
	    NT_STATUS_SUCCESS);
	CHECK(pacl_mode(&acc) == 0544);
	secdesc_free(&sd);

	/* A NULL DACL: everyone may do everything. */
	mk(&sd);
	sd.dacl_null = 1;
	CHECK(secdesc_to_posix(&m, &sd, 1000, 100, 1, &acc, &def) ==
	    NT_STATUS_SUCCESS && pacl_mode(&acc) == 0777 && def.n == 0);
	/* An empty one: nobody may. */
	sd.dacl_null = 0;
	CHECK(secdesc_to_posix(&m, &sd, 1000, 100, 1, &acc, &def) ==
	    NT_STATUS_SUCCESS && pacl_mode(&acc) == 0 && def.n == 0);
}

int
main(void)
{
	test_parse_put();
	test_malformed();
	test_sid_map();
	test_pacl();
	test_to_posix();
	return unit_done();
}
