/*
 * Security descriptors of files: QUERY_INFO and SET_INFO of
 * SMB2_0_INFO_SECURITY (MS-SMB2 3.3.5.20.3, 3.3.5.21.3) and the SecD
 * create context, mapped onto the owner, group, mode and POSIX ACLs
 * (system.posix_acl_access and system.posix_acl_default) as Samba maps
 * them without vfs_acl_xattr.  The worker is the user, so the kernel
 * decides who may change what (only the owner may set an ACL or chmod,
 * only to its own groups may it chgrp) and enforces the result.
 *
 * NT ACLs proper, kept whole in security.NTACL, need a privilege the
 * worker does not have; see doc/design.md §4.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "ntstatus.h"
#include "secdesc.h"
#include "session.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_info.h"

#define XATTR_ACL_ACCESS	"system.posix_acl_access"
#define XATTR_ACL_DEFAULT	"system.posix_acl_default"

/* The account domain of this server, as lsarpc names it. */
static void
secdesc_map(struct sid_map *m)
{
	memset(m, 0, sizeof(*m));
	session_domain_sid(m->dom);
}

/* Read one POSIX ACL; p->n is 0 when the file has none. */
static int
secdesc_read_acl(int fd, const char *name, struct pacl *p)
{
	uint8_t buf[8 + 8 * PACL_MAX];
	ssize_t n;

	memset(p, 0, sizeof(*p));
	if ((n = fgetxattr(fd, name, buf, sizeof(buf))) == -1) {
		/* No ACL, no ACL support, or an O_PATH descriptor. */
		if (errno == ENODATA || errno == EOPNOTSUPP || errno == EBADF)
			return 0;
		/* More entries than we map: the mode stands in. */
		if (errno == ERANGE) {
			log_warnx("%s: more than %d entries; ignored", name,
			    PACL_MAX);
			return 0;
		}
		return -1;
	}
	if (pacl_parse(buf, (size_t)n, p) == -1) {
		log_warnx("%s: malformed or too long; ignored", name);
		memset(p, 0, sizeof(*p));
	}
	return 0;
}

uint32_t
smb2_security_descriptor(struct smb2_open *o, uint32_t want, struct wbuf *w)
{
	struct stat st;
	struct sid_map m;
	struct secdesc sd;
	struct pacl acc, def;

	if (o->fd == -1 || fstat(o->fd, &st) == -1)
		return o->fd == -1 ? NT_STATUS_INVALID_PARAMETER :
		    ntstatus_from_errno(errno);
	if (secdesc_read_acl(o->fd, XATTR_ACL_ACCESS, &acc) == -1)
		return ntstatus_from_errno(errno);
	if (acc.n == 0)
		pacl_from_mode(st.st_mode, &acc);
	def.n = 0;
	if (S_ISDIR(st.st_mode) &&
	    secdesc_read_acl(o->fd, XATTR_ACL_DEFAULT, &def) == -1)
		return ntstatus_from_errno(errno);
	secdesc_map(&m);
	secdesc_from_posix(&m, st.st_uid, st.st_gid, S_ISDIR(st.st_mode),
	    &acc, &def, &sd);
	/*
	 * No SACL is kept; a caller entitled to one (none here: nobody
	 * holds ACCESS_SYSTEM_SECURITY) would see none present.
	 */
	secdesc_put(w, &sd, want & (SECINFO_OWNER | SECINFO_GROUP |
	    SECINFO_DACL));
	secdesc_free(&sd);
	return wbuf_error(w) ? NT_STATUS_INSUFFICIENT_RESOURCES :
	    NT_STATUS_SUCCESS;
}

static uint32_t
secdesc_errno(int e, uint32_t eperm)
{
	if (e == EPERM)
		return eperm;
	if (e == EOPNOTSUPP)
		return NT_STATUS_NOT_SUPPORTED;
	return ntstatus_from_errno(e);
}

/* Write (or remove) one ACL. */
static uint32_t
secdesc_write_acl(int fd, const char *name, struct pacl *p, int remove)
{
	uint8_t mem[8 + 8 * PACL_MAX];
	struct wbuf w;

	if (remove) {
		if (fremovexattr(fd, name) == -1 && errno != ENODATA)
			return secdesc_errno(errno, NT_STATUS_ACCESS_DENIED);
		return NT_STATUS_SUCCESS;
	}
	wbuf_init_fixed(&w, mem, sizeof(mem));
	if (pacl_put(&w, p) == -1)
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	if (fsetxattr(fd, name, wbuf_data(&w), wbuf_len(&w), 0) == -1)
		return secdesc_errno(errno, NT_STATUS_ACCESS_DENIED);
	return NT_STATUS_SUCCESS;
}

/*
 * Apply the parts of sd that secinfo selects to the file open on fd.
 * Owner and group first, since the DACL's mapping depends on them.
 */
static uint32_t
secdesc_apply(int fd, const char *what, const struct secdesc *sd,
    uint32_t secinfo)
{
	struct stat st;
	struct sid_map m;
	struct pacl acc, def;
	enum sid_kind kind;
	uint32_t id, status;
	char sidbuf[192];
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 || fstat(fd, &st) == -1)
		return ntstatus_from_errno(errno);
	/* A path-only descriptor can neither fchown nor carry xattrs. */
	if (fl & O_PATH) {
		log_info("security descriptor of %s: the file could not be "
		    "opened for reading, so its ACL cannot be set", what);
		return NT_STATUS_ACCESS_DENIED;
	}
	secdesc_map(&m);
	if ((secinfo & SECINFO_OWNER) && sd->has_owner) {
		kind = sid_map_id(&m, &sd->owner, &id);
		if (kind != SID_UID) {
			sid_str(&sd->owner, sidbuf, sizeof(sidbuf));
			log_info("%s: owner %s has no Unix user", what, sidbuf);
			return NT_STATUS_INVALID_OWNER;
		}
		/* Only root gives files away; the kernel says so. */
		if (id != (uint32_t)st.st_uid &&
		    fchown(fd, (uid_t)id, (gid_t)-1) == -1)
			return secdesc_errno(errno, NT_STATUS_INVALID_OWNER);
	}
	if ((secinfo & SECINFO_GROUP) && sd->has_group) {
		kind = sid_map_id(&m, &sd->group, &id);
		if (kind != SID_GID) {
			sid_str(&sd->group, sidbuf, sizeof(sidbuf));
			log_info("%s: group %s has no Unix group", what,
			    sidbuf);
			return NT_STATUS_INVALID_PRIMARY_GROUP;
		}
		/* The owner may pick only among its own groups. */
		if (id != (uint32_t)st.st_gid &&
		    fchown(fd, (uid_t)-1, (gid_t)id) == -1)
			return secdesc_errno(errno,
			    NT_STATUS_INVALID_PRIMARY_GROUP);
	}
	if (!(secinfo & SECINFO_DACL))
		return NT_STATUS_SUCCESS;
	if (fstat(fd, &st) == -1)
		return ntstatus_from_errno(errno);
	/*
	 * SECINFO_DACL without SE_DACL_PRESENT sets no DACL at all, which
	 * NT reads as a NULL DACL.
	 */
	if (!sd->dacl_present) {
		struct secdesc null = *sd;

		null.dacl_present = null.dacl_null = 1;
		status = secdesc_to_posix(&m, &null, st.st_uid, st.st_gid,
		    S_ISDIR(st.st_mode), &acc, &def);
	} else
		status = secdesc_to_posix(&m, sd, st.st_uid, st.st_gid,
		    S_ISDIR(st.st_mode), &acc, &def);
	if (status != NT_STATUS_SUCCESS)
		return status;
	/* Not the owner: WRITE_DAC cannot be honoured. */
	if (st.st_uid != geteuid())
		return NT_STATUS_ACCESS_DENIED;
	if (pacl_extended(&acc))
		status = secdesc_write_acl(fd, XATTR_ACL_ACCESS, &acc, 0);
	else {
		/* A plain mode: no ACL to keep beside it. */
		status = secdesc_write_acl(fd, XATTR_ACL_ACCESS, &acc, 1);
		if (status == NT_STATUS_SUCCESS && fchmod(fd,
		    (st.st_mode & 07000) | pacl_mode(&acc)) == -1)
			status = secdesc_errno(errno, NT_STATUS_ACCESS_DENIED);
	}
	if (status == NT_STATUS_SUCCESS && S_ISDIR(st.st_mode))
		status = secdesc_write_acl(fd, XATTR_ACL_DEFAULT, &def,
		    def.n == 0);
	if (status != NT_STATUS_SUCCESS)
		log_info("%s: setting the ACL failed (0x%08x)", what, status);
	return status;
}

uint32_t
smb2_secdesc_set(struct smb2_open *o, uint32_t secinfo, struct rbuf *in)
{
	struct secdesc sd;
	uint32_t status;

	if (o->fd == -1)
		return NT_STATUS_INVALID_PARAMETER;
	/* MS-SMB2 3.3.5.21.3: the rights the open must hold. */
	if (((secinfo & (SECINFO_OWNER | SECINFO_GROUP)) &&
	    !(o->access & WRITE_OWNER)) ||
	    ((secinfo & SECINFO_DACL) && !(o->access & WRITE_DAC)) ||
	    ((secinfo & SECINFO_SACL) &&
	    !(o->access & ACCESS_SYSTEM_SECURITY)))
		return NT_STATUS_ACCESS_DENIED;
	status = secdesc_parse(rbuf_cur(in), rbuf_left(in), &sd);
	if (status != NT_STATUS_SUCCESS)
		return status;
	/* Nothing selected that we keep: Windows answers success. */
	status = secdesc_apply(o->fd, o->path[0] != '\0' ? o->path : ".",
	    &sd, secinfo & (SECINFO_OWNER | SECINFO_GROUP | SECINFO_DACL));
	secdesc_free(&sd);
	return status;
}

uint32_t
smb2_secdesc_check(const uint8_t *data, size_t len)
{
	struct secdesc sd;
	uint32_t status;

	if ((status = secdesc_parse(data, len, &sd)) == NT_STATUS_SUCCESS)
		secdesc_free(&sd);
	return status;
}

uint32_t
smb2_secdesc_create(int fd, const char *path, const uint8_t *data,
    size_t len)
{
	struct secdesc sd;
	uint32_t status, secinfo = 0;

	if ((status = secdesc_parse(data, len, &sd)) != NT_STATUS_SUCCESS)
		return status;
	/* The parts the descriptor holds (MS-SMB2 3.3.5.9.1). */
	if (sd.has_owner)
		secinfo |= SECINFO_OWNER;
	if (sd.has_group)
		secinfo |= SECINFO_GROUP;
	/*
	 * Without a DACL the new file keeps what it inherited (its
	 * default ACL and the create mask).
	 */
	if (sd.dacl_present)
		secinfo |= SECINFO_DACL;
	status = secdesc_apply(fd, path[0] != '\0' ? path : ".", &sd,
	    secinfo);
	secdesc_free(&sd);
	return status;
}
