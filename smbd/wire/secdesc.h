/*
 * Security descriptors (MS-DTYP 2.4.6 self-relative form, 2.4.5 ACLs,
 * 2.4.4 ACEs, 2.4.2 SIDs), the SID <-> Unix id mapping, the Linux POSIX
 * ACL xattr format (system.posix_acl_access/default) and the mapping
 * between NT DACLs and POSIX ACLs.  Everything here is pure: no file
 * access, so that unit tests and the fuzzer reach all of it.
 */
#ifndef USMBD_SECDESC_H
#define USMBD_SECDESC_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct wbuf;

/* SECURITY_INFORMATION bits of QUERY_INFO / SET_INFO (MS-DTYP 2.4.7). */
#define SECINFO_OWNER		0x00000001
#define SECINFO_GROUP		0x00000002
#define SECINFO_DACL		0x00000004
#define SECINFO_SACL		0x00000008
#define SECINFO_LABEL		0x00000010

/* SECURITY_DESCRIPTOR Control (MS-DTYP 2.4.6). */
#define SE_OWNER_DEFAULTED	0x0001
#define SE_GROUP_DEFAULTED	0x0002
#define SE_DACL_PRESENT		0x0004
#define SE_DACL_DEFAULTED	0x0008
#define SE_SACL_PRESENT		0x0010
#define SE_SACL_DEFAULTED	0x0020
#define SE_DACL_AUTO_INHERITED	0x0400
#define SE_SACL_AUTO_INHERITED	0x0800
#define SE_DACL_PROTECTED	0x1000
#define SE_SACL_PROTECTED	0x2000
#define SE_SELF_RELATIVE	0x8000

/* ACE types and flags (MS-DTYP 2.4.4.1). */
#define ACE_ACCESS_ALLOWED	0x00
#define ACE_ACCESS_DENIED	0x01
#define ACE_SYSTEM_AUDIT	0x02
#define ACE_SYSTEM_ALARM	0x03
#define ACE_MANDATORY_LABEL	0x11
#define ACE_SCOPED_POLICY_ID	0x13

#define ACE_OBJECT_INHERIT	0x01
#define ACE_CONTAINER_INHERIT	0x02
#define ACE_NO_PROPAGATE	0x04
#define ACE_INHERIT_ONLY	0x08
#define ACE_INHERITED		0x10

#define SD_MAX_SUB		15	/* SubAuthorityCount limit */

struct sd_sid {
	uint8_t		 auth;		/* IdentifierAuthority (low byte) */
	uint8_t		 auth_hi[5];	/* its high bytes, big-endian */
	uint8_t		 nsub;
	uint32_t	 sub[SD_MAX_SUB];
};

struct sd_ace {
	uint8_t		 type;
	uint8_t		 flags;
	uint32_t	 mask;
	int		 has_sid;	/* 0: a type whose body we do not read */
	struct sd_sid	 sid;
};

struct sd_acl {
	uint8_t		 rev;		/* 2, or 4 with object ACEs */
	uint16_t	 count;
	struct sd_ace	*ace;		/* count entries */
};

struct secdesc {
	uint16_t	 control;
	int		 has_owner, has_group;
	struct sd_sid	 owner, group;
	/*
	 * A present DACL may be NULL (no ACL: everyone may do anything),
	 * which differs from an empty one (nobody may).
	 */
	int		 dacl_present, dacl_null;
	struct sd_acl	 dacl;
	int		 sacl_present, sacl_null;
	struct sd_acl	 sacl;
};

/*
 * Parse a self-relative descriptor from untrusted bytes.  Returns an
 * NTSTATUS: INVALID_SECURITY_DESCR for anything malformed.  On success
 * the caller frees with secdesc_free.
 */
uint32_t	 secdesc_parse(const uint8_t *, size_t, struct secdesc *);
void		 secdesc_free(struct secdesc *);
/*
 * Append the self-relative form of the parts secinfo selects.  ACEs
 * without a SID body (has_sid == 0) are left out.  Returns -1 when w
 * overflows.
 */
int		 secdesc_put(struct wbuf *, const struct secdesc *, uint32_t);
/* Append one ACE to an ACL (growing its array). */
void		 secdesc_acl_add(struct sd_acl *, uint8_t, uint8_t, uint32_t,
		    const struct sd_sid *);

/* SIDs. */
void		 sid_make(struct sd_sid *, uint8_t, int, ...);
int		 sid_eq(const struct sd_sid *, const struct sd_sid *);
/* "S-1-5-21-..." into buf. */
void		 sid_str(const struct sd_sid *, char *, size_t);

/*
 * The one SID <-> Unix id mapping of the server.  Users are Samba's
 * S-1-22-1-uid and groups S-1-22-2-gid (what descriptors show); the
 * account domain S-1-5-21-a-b-c (from the server GUID) names the same
 * ids algorithmically, user RID 1000 + 2 * uid and group RID
 * 1001 + 2 * gid, as lsarpc shows the session's user.
 */
struct sid_map {
	uint32_t	 dom[3];
};

enum sid_kind {
	SID_NONE = 0,		/* no Unix meaning */
	SID_UID,
	SID_GID,
	SID_WORLD,		/* Everyone S-1-1-0 */
	SID_CREATOR_OWNER,	/* S-1-3-0 */
	SID_CREATOR_GROUP	/* S-1-3-1 */
};

enum sid_kind	 sid_map_id(const struct sid_map *, const struct sd_sid *,
		    uint32_t *);
void		 sid_from_uid(struct sd_sid *, uint32_t);
void		 sid_from_gid(struct sd_sid *, uint32_t);

/* POSIX ACLs as the kernel stores them (acl(5), posix_acl_xattr.h). */
#define PACL_USER_OBJ		0x01
#define PACL_USER		0x02
#define PACL_GROUP_OBJ		0x04
#define PACL_GROUP		0x08
#define PACL_MASK		0x10
#define PACL_OTHER		0x20
#define PACL_MAX		128

struct pacl_ent {
	uint16_t	 tag;
	uint16_t	 perm;		/* rwx = 4, 2, 1 */
	uint32_t	 id;
};

struct pacl {
	int		 n;
	struct pacl_ent	 e[PACL_MAX];
};

/* Parse an xattr value; -1 when malformed or too long. */
int		 pacl_parse(const uint8_t *, size_t, struct pacl *);
/* The xattr value, entries sorted as the kernel wants them. */
int		 pacl_put(struct wbuf *, struct pacl *);
/* The three-entry ACL equivalent to a mode. */
void		 pacl_from_mode(mode_t, struct pacl *);
/* Is it more than a mode can say (named entries or a mask)? */
int		 pacl_extended(const struct pacl *);
/* The permission bits (0777) that an ACL gives the mode. */
mode_t		 pacl_mode(const struct pacl *);

/*
 * The NT view of a file: owner, group and a DACL built from its access
 * ACL and, for a directory, inheritable ACEs from its default ACL
 * (def NULL or empty: none).  The caller frees with secdesc_free.
 */
void		 secdesc_from_posix(const struct sid_map *, uid_t, gid_t,
		    int, const struct pacl *, const struct pacl *,
		    struct secdesc *);
/*
 * Map a DACL to an access ACL and (for a directory) a default ACL for a
 * file owned by owner/group.  def->n is 0 when nothing is inheritable.
 * Returns an NTSTATUS.
 */
uint32_t	 secdesc_to_posix(const struct sid_map *, const struct secdesc *,
		    uid_t, gid_t, int, struct pacl *, struct pacl *);

#endif /* USMBD_SECDESC_H */
