/*
 * Security descriptors, SIDs, POSIX ACL xattrs and the mapping between
 * NT DACLs and POSIX ACLs (see secdesc.h).
 *
 * The mapping is the one Samba's smbd uses without vfs_acl_xattr, in
 * spirit: POSIX ACLs keep read, write and execute per user and group,
 * nothing else.  What an NT ACL says beyond that (DELETE, WRITE_DAC and
 * the other standard rights, the split of write into data, append,
 * attributes and EAs, audit ACEs, SIDs without a Unix id) is lost on
 * the way in, and the way out reports what the kernel will enforce.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fscc.h"
#include "ntstatus.h"
#include "secdesc.h"
#include "util.h"

#define SD_HDR_LEN		20
#define ACL_HDR_LEN		8
#define ACE_HDR_LEN		8	/* type, flags, size, mask */


/*
 * Rights the owner of a file holds whatever its mode: it may chmod and
 * set ACLs.  (Windows too gives an owner READ_CONTROL and WRITE_DAC.)
 */
#define OWNER_IMPLIED		(READ_CONTROL | WRITE_DAC)

static uint32_t
sd_sid_len(const struct sd_sid *s)
{
	return 8 + 4 * (uint32_t)s->nsub;
}

static int
sd_get_sid(struct rbuf *r, struct sd_sid *s)
{
	uint8_t rev;
	int i;

	memset(s, 0, sizeof(*s));
	rbuf_get_u8(r, &rev);
	rbuf_get_u8(r, &s->nsub);
	rbuf_get_bytes(r, s->auth_hi, 5);
	rbuf_get_u8(r, &s->auth);
	if (rbuf_error(r) || rev != 1 || s->nsub > SD_MAX_SUB)
		return -1;
	for (i = 0; i < s->nsub; i++)
		rbuf_get_u32le(r, &s->sub[i]);
	return rbuf_error(r) ? -1 : 0;
}

static void
sd_put_sid(struct wbuf *w, const struct sd_sid *s)
{
	int i;

	wbuf_put_u8(w, 1);
	wbuf_put_u8(w, s->nsub);
	wbuf_put_bytes(w, s->auth_hi, 5);
	wbuf_put_u8(w, s->auth);
	for (i = 0; i < s->nsub; i++)
		wbuf_put_u32le(w, s->sub[i]);
}

/* ACE types whose body is a mask and one SID (MS-DTYP 2.4.4.2-2.4.4.4). */
static int
sd_ace_plain(uint8_t type)
{
	return type == ACE_ACCESS_ALLOWED || type == ACE_ACCESS_DENIED ||
	    type == ACE_SYSTEM_AUDIT || type == ACE_SYSTEM_ALARM ||
	    type == ACE_MANDATORY_LABEL || type == ACE_SCOPED_POLICY_ID;
}

/* One ACL at [off, end of buffer) of the descriptor. */
static int
sd_get_acl(const struct rbuf *sd, uint32_t off, struct sd_acl *acl)
{
	struct rbuf r, ar, er;
	uint16_t size, count, sbz2, esize;
	uint8_t sbz1;
	size_t i;

	memset(acl, 0, sizeof(*acl));
	if (off < SD_HDR_LEN || rbuf_sub(sd, off, ACL_HDR_LEN, &r) == -1)
		return -1;
	rbuf_get_u8(&r, &acl->rev);
	rbuf_get_u8(&r, &sbz1);
	rbuf_get_u16le(&r, &size);
	rbuf_get_u16le(&r, &count);
	rbuf_get_u16le(&r, &sbz2);
	if (rbuf_error(&r) || (acl->rev != 2 && acl->rev != 4) ||
	    size < ACL_HDR_LEN || rbuf_sub(sd, off, size, &ar) == -1 ||
	    rbuf_skip(&ar, ACL_HDR_LEN) == -1)
		return -1;
	/* Each ACE takes at least its header and mask. */
	if ((size_t)count * ACE_HDR_LEN > (size_t)size - ACL_HDR_LEN)
		return -1;
	acl->count = count;
	if (count == 0)
		return 0;
	acl->ace = xcalloc(count, sizeof(*acl->ace));
	for (i = 0; i < count; i++) {
		struct sd_ace *a = &acl->ace[i];

		rbuf_get_u8(&ar, &a->type);
		rbuf_get_u8(&ar, &a->flags);
		rbuf_get_u16le(&ar, &esize);
		if (rbuf_error(&ar) || esize < ACE_HDR_LEN || esize % 4 != 0 ||
		    rbuf_take(&ar, esize - 4, &er) == -1)
			goto bad;
		rbuf_get_u32le(&er, &a->mask);
		if (sd_ace_plain(a->type)) {
			/* Trailing bytes after the SID are allowed. */
			if (sd_get_sid(&er, &a->sid) == -1)
				goto bad;
			a->has_sid = 1;
		}
	}
	return 0;
 bad:
	free(acl->ace);
	acl->ace = NULL;
	acl->count = 0;
	return -1;
}

uint32_t
secdesc_parse(const uint8_t *data, size_t len, struct secdesc *sd)
{
	struct rbuf r, sr;
	uint32_t off_owner, off_group, off_sacl, off_dacl;
	uint8_t rev, sbz1;

	memset(sd, 0, sizeof(*sd));
	rbuf_init(&r, data, len);
	rbuf_get_u8(&r, &rev);
	rbuf_get_u8(&r, &sbz1);
	rbuf_get_u16le(&r, &sd->control);
	rbuf_get_u32le(&r, &off_owner);
	rbuf_get_u32le(&r, &off_group);
	rbuf_get_u32le(&r, &off_sacl);
	rbuf_get_u32le(&r, &off_dacl);
	if (rbuf_error(&r) || rev != 1 ||
	    !(sd->control & SE_SELF_RELATIVE))
		return NT_STATUS_INVALID_SECURITY_DESCR;
	if (off_owner != 0) {
		if (off_owner < SD_HDR_LEN || off_owner > len ||
		    rbuf_sub(&r, off_owner, len - off_owner, &sr) == -1 ||
		    sd_get_sid(&sr, &sd->owner) == -1)
			goto bad;
		sd->has_owner = 1;
	}
	if (off_group != 0) {
		if (off_group < SD_HDR_LEN || off_group > len ||
		    rbuf_sub(&r, off_group, len - off_group, &sr) == -1 ||
		    sd_get_sid(&sr, &sd->group) == -1)
			goto bad;
		sd->has_group = 1;
	}
	if (sd->control & SE_DACL_PRESENT) {
		sd->dacl_present = 1;
		if (off_dacl == 0)
			sd->dacl_null = 1;
		else if (sd_get_acl(&r, off_dacl, &sd->dacl) == -1)
			goto bad;
	}
	if (sd->control & SE_SACL_PRESENT) {
		sd->sacl_present = 1;
		if (off_sacl == 0)
			sd->sacl_null = 1;
		else if (sd_get_acl(&r, off_sacl, &sd->sacl) == -1)
			goto bad;
	}
	return NT_STATUS_SUCCESS;
 bad:
	secdesc_free(sd);
	return NT_STATUS_INVALID_SECURITY_DESCR;
}

void
secdesc_free(struct secdesc *sd)
{
	free(sd->dacl.ace);
	free(sd->sacl.ace);
	memset(sd, 0, sizeof(*sd));
}

void
secdesc_acl_add(struct sd_acl *acl, uint8_t type, uint8_t flags,
    uint32_t mask, const struct sd_sid *sid)
{
	struct sd_ace *a;

	if (acl->count == UINT16_MAX)
		return;
	acl->ace = xreallocarray(acl->ace, (size_t)acl->count + 1,
	    sizeof(*acl->ace));
	a = &acl->ace[acl->count++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->flags = flags;
	a->mask = mask;
	a->has_sid = 1;
	a->sid = *sid;
	if (acl->rev == 0)
		acl->rev = 2;
}

static void
sd_put_acl(struct wbuf *w, const struct sd_acl *acl)
{
	size_t start = wbuf_len(w), szoff, cntoff;
	uint16_t n = 0, i;

	wbuf_put_u8(w, acl->rev != 0 ? acl->rev : 2);
	wbuf_put_u8(w, 0);
	wbuf_reserve(w, 2, &szoff);
	wbuf_reserve(w, 2, &cntoff);
	wbuf_put_u16le(w, 0);
	for (i = 0; i < acl->count; i++) {
		const struct sd_ace *a = &acl->ace[i];

		if (!a->has_sid)
			continue;
		wbuf_put_u8(w, a->type);
		wbuf_put_u8(w, a->flags);
		wbuf_put_u16le(w, (uint16_t)(ACE_HDR_LEN + sd_sid_len(&a->sid)));
		wbuf_put_u32le(w, a->mask);
		sd_put_sid(w, &a->sid);
		n++;
	}
	wbuf_set_u16le(w, szoff, (uint16_t)(wbuf_len(w) - start));
	wbuf_set_u16le(w, cntoff, n);
}

int
secdesc_put(struct wbuf *w, const struct secdesc *sd, uint32_t secinfo)
{
	size_t base = wbuf_len(w);
	uint16_t control = SE_SELF_RELATIVE | (sd->control &
	    (SE_DACL_AUTO_INHERITED | SE_DACL_PROTECTED |
	    SE_SACL_AUTO_INHERITED | SE_SACL_PROTECTED));

	if ((secinfo & SECINFO_DACL) && sd->dacl_present)
		control |= SE_DACL_PRESENT;
	if ((secinfo & SECINFO_SACL) && sd->sacl_present)
		control |= SE_SACL_PRESENT;
	wbuf_put_u8(w, 1);
	wbuf_put_u8(w, 0);
	wbuf_put_u16le(w, control);
	wbuf_put_zero(w, 16);
	if ((secinfo & SECINFO_OWNER) && sd->has_owner) {
		wbuf_set_u32le(w, base + 4, (uint32_t)(wbuf_len(w) - base));
		sd_put_sid(w, &sd->owner);
	}
	if ((secinfo & SECINFO_GROUP) && sd->has_group) {
		wbuf_set_u32le(w, base + 8, (uint32_t)(wbuf_len(w) - base));
		sd_put_sid(w, &sd->group);
	}
	if ((control & SE_SACL_PRESENT) && !sd->sacl_null) {
		wbuf_set_u32le(w, base + 12, (uint32_t)(wbuf_len(w) - base));
		sd_put_acl(w, &sd->sacl);
	}
	if ((control & SE_DACL_PRESENT) && !sd->dacl_null) {
		wbuf_set_u32le(w, base + 16, (uint32_t)(wbuf_len(w) - base));
		sd_put_acl(w, &sd->dacl);
	}
	return wbuf_error(w) ? -1 : 0;
}

void
sid_make(struct sd_sid *s, uint8_t auth, int nsub, ...)
{
	va_list ap;
	int i;

	memset(s, 0, sizeof(*s));
	s->auth = auth;
	s->nsub = (uint8_t)nsub;
	va_start(ap, nsub);
	for (i = 0; i < nsub && i < SD_MAX_SUB; i++)
		s->sub[i] = va_arg(ap, uint32_t);
	va_end(ap);
}

int
sid_eq(const struct sd_sid *a, const struct sd_sid *b)
{
	return a->auth == b->auth && a->nsub == b->nsub &&
	    memcmp(a->auth_hi, b->auth_hi, 5) == 0 &&
	    memcmp(a->sub, b->sub, 4 * (size_t)a->nsub) == 0;
}

void
sid_str(const struct sd_sid *s, char *buf, size_t len)
{
	size_t n;
	int i;

	n = (size_t)snprintf(buf, len, "S-1-%u", s->auth);
	for (i = 0; i < s->nsub && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "-%u", s->sub[i]);
}

void
sid_from_uid(struct sd_sid *s, uint32_t uid)
{
	sid_make(s, 22, 2, (uint32_t)1, uid);
}

void
sid_from_gid(struct sd_sid *s, uint32_t gid)
{
	sid_make(s, 22, 2, (uint32_t)2, gid);
}

enum sid_kind
sid_map_id(const struct sid_map *m, const struct sd_sid *s, uint32_t *id)
{
	static const uint8_t zero[5];

	*id = (uint32_t)-1;
	if (memcmp(s->auth_hi, zero, 5) != 0)
		return SID_NONE;
	if (s->auth == 1 && s->nsub == 1 && s->sub[0] == 0)
		return SID_WORLD;
	/*
	 * Authenticated Users: every session here but a guest's, and POSIX
	 * has no entry for "everyone but guests", so it is Everyone (as
	 * the "other" entry it becomes).
	 */
	if (s->auth == 5 && s->nsub == 1 && s->sub[0] == 11)
		return SID_WORLD;
	if (s->auth == 3 && s->nsub == 1 && s->sub[0] == 0)
		return SID_CREATOR_OWNER;
	if (s->auth == 3 && s->nsub == 1 && s->sub[0] == 1)
		return SID_CREATOR_GROUP;
	/*
	 * (uint32_t)-1 is no id: fchown() reads it as "leave unchanged"
	 * and a POSIX ACL as ACL_UNDEFINED_ID, so such a SID names nobody.
	 */
	if (s->auth == 22 && s->nsub == 2 && s->sub[0] == 1 &&
	    s->sub[1] != UINT32_MAX) {
		*id = s->sub[1];
		return SID_UID;
	}
	if (s->auth == 22 && s->nsub == 2 && s->sub[0] == 2 &&
	    s->sub[1] != UINT32_MAX) {
		*id = s->sub[1];
		return SID_GID;
	}
	/* The account domain's algorithmic RIDs. */
	if (m != NULL && s->auth == 5 && s->nsub == 5 && s->sub[0] == 21 &&
	    s->sub[1] == m->dom[0] && s->sub[2] == m->dom[1] &&
	    s->sub[3] == m->dom[2] && s->sub[4] >= 1000) {
		*id = (s->sub[4] - 1000) / 2;
		return (s->sub[4] & 1) ? SID_GID : SID_UID;
	}
	return SID_NONE;
}

int
pacl_parse(const uint8_t *data, size_t len, struct pacl *p)
{
	struct rbuf r;
	uint32_t version;

	memset(p, 0, sizeof(*p));
	rbuf_init(&r, data, len);
	rbuf_get_u32le(&r, &version);
	if (rbuf_error(&r) || version != 2 || rbuf_left(&r) % 8 != 0 ||
	    rbuf_left(&r) / 8 > PACL_MAX)
		return -1;
	while (rbuf_left(&r) > 0) {
		struct pacl_ent *e = &p->e[p->n++];

		rbuf_get_u16le(&r, &e->tag);
		rbuf_get_u16le(&r, &e->perm);
		rbuf_get_u32le(&r, &e->id);
		e->perm &= 7;
	}
	return rbuf_error(&r) ? -1 : 0;
}

static int
pacl_cmp(const void *a, const void *b)
{
	const struct pacl_ent *x = a, *y = b;

	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

int
pacl_put(struct wbuf *w, struct pacl *p)
{
	int i;

	qsort(p->e, (size_t)p->n, sizeof(p->e[0]), pacl_cmp);
	wbuf_put_u32le(w, 2);
	for (i = 0; i < p->n; i++) {
		wbuf_put_u16le(w, p->e[i].tag);
		wbuf_put_u16le(w, p->e[i].perm);
		/* Entries without a qualifier carry ACL_UNDEFINED_ID. */
		wbuf_put_u32le(w, p->e[i].tag == PACL_USER ||
		    p->e[i].tag == PACL_GROUP ? p->e[i].id : 0xffffffffU);
	}
	return wbuf_error(w) ? -1 : 0;
}

void
pacl_from_mode(mode_t mode, struct pacl *p)
{
	memset(p, 0, sizeof(*p));
	p->n = 3;
	p->e[0] = (struct pacl_ent){ PACL_USER_OBJ, (mode >> 6) & 7, 0 };
	p->e[1] = (struct pacl_ent){ PACL_GROUP_OBJ, (mode >> 3) & 7, 0 };
	p->e[2] = (struct pacl_ent){ PACL_OTHER, mode & 7, 0 };
}

int
pacl_extended(const struct pacl *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (p->e[i].tag == PACL_USER || p->e[i].tag == PACL_GROUP ||
		    p->e[i].tag == PACL_MASK)
			return 1;
	return 0;
}

mode_t
pacl_mode(const struct pacl *p)
{
	mode_t m = 0;
	int i, have_mask = 0;

	for (i = 0; i < p->n; i++)
		have_mask |= p->e[i].tag == PACL_MASK;
	for (i = 0; i < p->n; i++) {
		switch (p->e[i].tag) {
		case PACL_USER_OBJ:
			m |= (mode_t)p->e[i].perm << 6;
			break;
		case PACL_GROUP_OBJ:
			if (!have_mask)
				m |= (mode_t)p->e[i].perm << 3;
			break;
		case PACL_MASK:
			m |= (mode_t)p->e[i].perm << 3;
			break;
		case PACL_OTHER:
			m |= p->e[i].perm;
			break;
		}
	}
	return m;
}

/* What rwx means as an access mask. */
static uint32_t
pacl_rights(uint16_t perm, int isdir)
{
	uint32_t m = 0;

	if ((perm & 7) == 7)
		return FILE_ALL_ACCESS;
	if (perm & 4)
		m |= FILE_GENERIC_READ;
	if (perm & 2)
		m |= FILE_GENERIC_WRITE | DELETE |
		    (isdir ? FILE_DELETE_CHILD : 0);
	if (perm & 1)
		m |= FILE_GENERIC_EXECUTE;
	return m;
}

/* What an access mask means as rwx. */
static uint16_t
nt_perm(uint32_t mask)
{
	uint16_t p = 0;

	if (mask & GENERIC_ALL)
		return 7;
	if (mask & (FILE_READ_DATA | GENERIC_READ))
		p |= 4;
	if (mask & (FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE))
		p |= 2;
	if (mask & (FILE_EXECUTE | GENERIC_EXECUTE))
		p |= 1;
	return p;
}

static uint16_t
pacl_mask_of(const struct pacl *p, int *have)
{
	int i;

	*have = 0;
	for (i = 0; i < p->n; i++)
		if (p->e[i].tag == PACL_MASK) {
			*have = 1;
			return p->e[i].perm;
		}
	return 7;
}

/* The ACEs of one POSIX ACL, appended to acl. */
static void
posix_aces(uid_t owner, gid_t group, int isdir, const struct pacl *p,
    int inherit, struct sd_acl *acl)
{
	struct sd_sid sid;
	uint32_t rights;
	uint16_t mask, perm;
	uint8_t flags = inherit ? (ACE_OBJECT_INHERIT | ACE_CONTAINER_INHERIT |
	    ACE_INHERIT_ONLY) : 0;
	int i, have;
	/*
	 * USER_OBJ first, then named users, groups and everyone: the order
	 * of a POSIX access check.
	 */
	static const uint16_t order[] = { PACL_USER_OBJ, PACL_USER,
	    PACL_GROUP_OBJ, PACL_GROUP, PACL_OTHER };
	size_t k;

	mask = pacl_mask_of(p, &have);
	for (k = 0; k < nitems(order); k++) {
		for (i = 0; i < p->n; i++) {
			const struct pacl_ent *e = &p->e[i];

			if (e->tag != order[k])
				continue;
			perm = e->perm;
			switch (e->tag) {
			case PACL_USER_OBJ:
				if (inherit)
					sid_make(&sid, 3, 1, (uint32_t)0);
				else
					sid_from_uid(&sid, owner);
				break;
			case PACL_USER:
				sid_from_uid(&sid, e->id);
				perm &= mask;
				break;
			case PACL_GROUP_OBJ:
				if (inherit)
					sid_make(&sid, 3, 1, (uint32_t)1);
				else
					sid_from_gid(&sid, group);
				perm &= mask;
				break;
			case PACL_GROUP:
				sid_from_gid(&sid, e->id);
				perm &= mask;
				break;
			default:
				sid_make(&sid, 1, 1, (uint32_t)0);
				break;
			}
			if (perm == 0)
				continue;
			rights = pacl_rights(perm, isdir);
			/*
			 * An owner who may read and write (and search a
			 * directory) may do anything: full control, as
			 * smb2_maximal_access grants it.
			 */
			if (e->tag == PACL_USER_OBJ && !inherit &&
			    (perm & 6) == 6 && (!isdir || perm == 7))
				rights = FILE_ALL_ACCESS;
			if (e->tag == PACL_USER_OBJ && !inherit)
				rights |= OWNER_IMPLIED;
			secdesc_acl_add(acl, ACE_ACCESS_ALLOWED, flags, rights,
			    &sid);
		}
	}
}

void
secdesc_from_posix(const struct sid_map *m, uid_t owner, gid_t group,
    int isdir, const struct pacl *acc, const struct pacl *def,
    struct secdesc *sd)
{
	memset(sd, 0, sizeof(*sd));
	sd->control = SE_SELF_RELATIVE;
	sd->has_owner = sd->has_group = 1;
	sid_from_uid(&sd->owner, owner);
	sid_from_gid(&sd->group, group);
	sd->dacl_present = 1;
	sd->dacl.rev = 2;
	/* Every SID shown is S-1-22-x-id; m serves the way in only. */
	(void)m;
	posix_aces(owner, group, isdir, acc, 0, &sd->dacl);
	if (isdir && def != NULL && def->n > 0)
		posix_aces(owner, group, isdir, def, 1, &sd->dacl);
}

/* One ACL under construction: allowed and denied bits per entry. */
struct pbuild {
	int		 n;
	struct {
		uint16_t tag;
		uint32_t id;
		uint16_t allow, deny;
	}		 e[PACL_MAX];
	int		 used;		/* some ACE went here */
};

static int
pb_find(struct pbuild *b, uint16_t tag, uint32_t id)
{
	int i;

	if (tag != PACL_USER && tag != PACL_GROUP)
		id = 0;
	for (i = 0; i < b->n; i++)
		if (b->e[i].tag == tag && b->e[i].id == id)
			return i;
	if (b->n == PACL_MAX)
		return -1;
	b->e[b->n].tag = tag;
	b->e[b->n].id = id;
	b->e[b->n].allow = b->e[b->n].deny = 0;
	return b->n++;
}

/*
 * Apply one ACE in order: what a deny ACE names first stays denied to
 * that entry even if a later ACE allows it (the canonical NT order puts
 * denies first).  Everyone reaches every entry, since in NT the owner
 * and the groups are part of Everyone while in POSIX the first matching
 * entry ends the check.
 */
static int
pb_apply(struct pbuild *b, uint16_t tag, uint32_t id, int deny,
    uint16_t perm)
{
	int i, k;

	if ((i = pb_find(b, tag, id)) == -1)
		return -1;
	b->used = 1;
	for (k = 0; k < b->n; k++) {
		if (k != i && tag != PACL_OTHER)
			continue;
		if (deny)
			b->e[k].deny |= perm & ~b->e[k].allow;
		else
			b->e[k].allow |= perm & ~b->e[k].deny;
	}
	return 0;
}

static void
pb_finish(struct pbuild *b, struct pacl *p)
{
	uint16_t mask = 0;
	int i, named = 0;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < b->n && p->n < PACL_MAX - 1; i++) {
		p->e[p->n].tag = b->e[i].tag;
		p->e[p->n].id = b->e[i].id;
		p->e[p->n].perm = b->e[i].allow & 7;
		if (b->e[i].tag == PACL_USER || b->e[i].tag == PACL_GROUP) {
			named = 1;
			mask |= p->e[p->n].perm;
		}
		if (b->e[i].tag == PACL_GROUP_OBJ)
			mask |= p->e[p->n].perm;
		p->n++;
	}
	if (named)
		p->e[p->n++] = (struct pacl_ent){ PACL_MASK, mask, 0 };
}

uint32_t
secdesc_to_posix(const struct sid_map *m, const struct secdesc *sd,
    uid_t owner, gid_t group, int isdir, struct pacl *acc, struct pacl *def)
{
	struct pbuild ab, db;
	const struct sd_ace *a;
	enum sid_kind kind;
	uint32_t id;
	uint16_t perm, tag;
	int i, deny, co_seen = 0, cg_seen = 0;
	uint16_t owner_inh = 0, group_inh = 0;

	memset(&ab, 0, sizeof(ab));
	memset(&db, 0, sizeof(db));
	/* The three entries every ACL has, in their usual order. */
	pb_find(&ab, PACL_USER_OBJ, 0);
	pb_find(&ab, PACL_GROUP_OBJ, 0);
	pb_find(&ab, PACL_OTHER, 0);
	pb_find(&db, PACL_USER_OBJ, 0);
	pb_find(&db, PACL_GROUP_OBJ, 0);
	pb_find(&db, PACL_OTHER, 0);

	/* A NULL DACL lets everyone do anything. */
	if (sd->dacl_null) {
		pacl_from_mode(0777, acc);
		def->n = 0;
		return NT_STATUS_SUCCESS;
	}
	for (i = 0; i < sd->dacl.count; i++) {
		a = &sd->dacl.ace[i];
		/*
		 * Only allow and deny ACEs mean anything to POSIX; object
		 * and callback ACEs are dropped as Samba drops them.
		 */
		if (!a->has_sid || (a->type != ACE_ACCESS_ALLOWED &&
		    a->type != ACE_ACCESS_DENIED))
			continue;
		deny = a->type == ACE_ACCESS_DENIED;
		perm = nt_perm(a->mask);
		kind = sid_map_id(m, &a->sid, &id);

		/* The access ACL: what applies to this file itself. */
		if (!(a->flags & ACE_INHERIT_ONLY)) {
			tag = 0;
			switch (kind) {
			case SID_UID:
				tag = id == (uint32_t)owner ? PACL_USER_OBJ :
				    PACL_USER;
				break;
			case SID_GID:
				tag = id == (uint32_t)group ? PACL_GROUP_OBJ :
				    PACL_GROUP;
				break;
			case SID_WORLD:
				tag = PACL_OTHER;
				break;
			default:
				/*
				 * CREATOR OWNER and CREATOR GROUP match nobody
				 * in an effective ACE; other SIDs have no
				 * Unix id here.
				 */
				break;
			}
			if (tag != 0 && pb_apply(&ab, tag, id, deny, perm) == -1)
				return NT_STATUS_INSUFFICIENT_RESOURCES;
		}

		/*
		 * The default ACL: POSIX has one for files and directories
		 * alike, so object and container inheritance both land in
		 * it, and NO_PROPAGATE_INHERIT cannot be kept.
		 */
		if (!isdir || !(a->flags &
		    (ACE_OBJECT_INHERIT | ACE_CONTAINER_INHERIT)))
			continue;
		tag = 0;
		switch (kind) {
		case SID_CREATOR_OWNER:
			tag = PACL_USER_OBJ;
			co_seen = 1;
			break;
		case SID_CREATOR_GROUP:
			tag = PACL_GROUP_OBJ;
			cg_seen = 1;
			break;
		case SID_UID:
			tag = PACL_USER;
			if (id == (uint32_t)owner && !deny)
				owner_inh |= perm;
			break;
		case SID_GID:
			tag = PACL_GROUP;
			if (id == (uint32_t)group && !deny)
				group_inh |= perm;
			break;
		case SID_WORLD:
			tag = PACL_OTHER;
			break;
		default:
			break;
		}
		if (tag != 0 && pb_apply(&db, tag, id, deny, perm) == -1)
			return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	pb_finish(&ab, acc);
	if (!db.used) {
		memset(def, 0, sizeof(*def));
		return NT_STATUS_SUCCESS;
	}
	/*
	 * Without CREATOR OWNER (or GROUP), what the directory's owner (or
	 * group) inherits stands in for the owner (group) of new files:
	 * they are usually created by that owner, and in POSIX the owner
	 * entry, not a named one, decides the owner's access.
	 */
	if (!co_seen)
		db.e[0].allow = owner_inh;
	if (!cg_seen)
		db.e[1].allow = group_inh;
	pb_finish(&db, def);
	return NT_STATUS_SUCCESS;
}
