/*
 * Windows metadata stored the way Samba stores it: the user.DOSATTRIB
 * codec, EAs as user.<name> xattrs, and the FILE_FULL_EA_INFORMATION and
 * FILE_GET_EA_INFORMATION parsers (see meta.h for the formats).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/xattr.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "meta.h"
#include "ntstatus.h"
#include "util.h"

#define ATTR_DIRECTORY	0x00000010
#define ATTR_ARCHIVE	0x00000020
#define ATTR_NORMAL	0x00000080

/* FILETIME of the Unix epoch: 100 ns units since 1601. */
#define FILETIME_UNIX_EPOCH	116444736000000000ULL

/* Seconds from 1601 to 1970. */
#define FILETIME_EPOCH_DELTA	11644473600LL

static uint64_t
meta_filetime(const struct timespec *ts)
{
	if (ts->tv_sec < -FILETIME_EPOCH_DELTA)
		return 0;
	return (uint64_t)(ts->tv_sec + FILETIME_EPOCH_DELTA) * 10000000ULL +
	    (uint64_t)ts->tv_nsec / 100;
}

/*
 * The hex string in front of the blob.  Current Samba leaves it empty;
 * older releases wrote "0x<attributes>".  Returns the value it names (0
 * for an empty string) or -1 when it is not hex text.
 */
static int
meta_hex_attrib(const char *s, size_t len, uint32_t *attrib)
{
	uint32_t v = 0;
	size_t i;

	*attrib = 0;
	if (len == 0)
		return 0;
	if (len < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	for (i = 2; i < len; i++) {
		int d;

		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return -1;
		if (i - 2 >= 8)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*attrib = v;
	return 0;
}

int
meta_dosattrib_decode(const uint8_t *p, size_t len, struct meta_dosinfo *di)
{
	struct rbuf r;
	const uint8_t *nul;
	uint32_t hexattr, u32;
	uint16_t version, level;
	uint64_t u64;
	size_t slen;

	memset(di, 0, sizeof(*di));
	/* The NDR string is NUL-terminated; without a NUL it is bare text. */
	nul = memchr(p, '\0', len);
	slen = nul != NULL ? (size_t)(nul - p) : len;
	if (meta_hex_attrib((const char *)p, slen, &hexattr) == -1)
		return -1;
	if (nul == NULL || slen + 1 == len) {
		/* The oldest format: nothing but "0x<hex>". */
		if (slen == 0)
			return -1;
		di->version = 0xffff;
		di->valid = META_DOSINFO_ATTRIB;
		di->attrib = hexattr;
		return 0;
	}
	rbuf_init(&r, p, len);
	rbuf_skip(&r, slen + 1);
	rbuf_align(&r, 2);
	rbuf_get_u16le(&r, &version);
	rbuf_get_u16le(&r, &level);
	if (rbuf_error(&r) || level != version)
		return -1;
	di->version = version;
	/* Every arm holds only 4-byte-aligned fields (NTTIME is udlong). */
	rbuf_align(&r, 4);
	/*
	 * Samba takes the attributes whatever valid_flags says, and the
	 * create time only where the version can flag it (or, in version
	 * 1, where it is not zero); version 2 never gave one it trusted.
	 */
	switch (version) {
	case 1:
		/* attrib, ea_size, size, alloc_size, create_time,
		   change_time */
		rbuf_get_u32le(&r, &di->attrib);
		rbuf_get_u32le(&r, &u32);
		rbuf_get_u64le(&r, &u64);
		rbuf_get_u64le(&r, &u64);
		rbuf_get_u64le(&r, &di->create_time);
		rbuf_get_u64le(&r, &u64);
		di->valid = di->create_time != 0 ? META_DOSINFO_CREATE_TIME : 0;
		break;
	case 2:
		/* flags, attrib, then sizes and times we do not use */
		rbuf_get_u32le(&r, &u32);
		rbuf_get_u32le(&r, &di->attrib);
		di->valid = 0;
		break;
	case 3:
		/* valid_flags, attrib, ea_size, size, alloc_size,
		   create_time, change_time */
		rbuf_get_u32le(&r, &di->valid);
		rbuf_get_u32le(&r, &di->attrib);
		rbuf_get_u32le(&r, &u32);
		rbuf_get_u64le(&r, &u64);
		rbuf_get_u64le(&r, &u64);
		rbuf_get_u64le(&r, &di->create_time);
		rbuf_get_u64le(&r, &u64);
		break;
	case 4:
		/* valid_flags, attrib, itime, create_time */
		rbuf_get_u32le(&r, &di->valid);
		rbuf_get_u32le(&r, &di->attrib);
		rbuf_get_u64le(&r, &di->itime);
		rbuf_get_u64le(&r, &di->create_time);
		break;
	case 5:
		/* valid_flags, attrib, create_time */
		rbuf_get_u32le(&r, &di->valid);
		rbuf_get_u32le(&r, &di->attrib);
		rbuf_get_u64le(&r, &di->create_time);
		break;
	default:
		return -1;
	}
	if (rbuf_error(&r))
		return -1;
	di->valid |= META_DOSINFO_ATTRIB;
	if (!(di->valid & META_DOSINFO_CREATE_TIME))
		di->create_time = 0;
	if (!(di->valid & META_DOSINFO_ITIME))
		di->itime = 0;
	return 0;
}

size_t
meta_dosattrib_encode(const struct meta_dosinfo *di, uint8_t *buf,
    size_t len)
{
	struct wbuf w;
	uint32_t valid = di->valid &
	    (META_DOSINFO_ATTRIB | META_DOSINFO_CREATE_TIME);

	wbuf_init_fixed(&w, buf, len);
	wbuf_put_u8(&w, 0);		/* attrib_hex: "" */
	wbuf_put_u8(&w, 0);		/* align 2 */
	wbuf_put_u16le(&w, META_DOSATTRIB_VERSION);
	wbuf_put_u16le(&w, META_DOSATTRIB_VERSION);	/* union switch */
	wbuf_put_u16le(&w, 0);		/* align 4 */
	wbuf_put_u32le(&w, valid);
	wbuf_put_u32le(&w, valid & META_DOSINFO_ATTRIB ? di->attrib : 0);
	wbuf_put_u64le(&w, valid & META_DOSINFO_CREATE_TIME ?
	    di->create_time : 0);
	if (wbuf_error(&w))
		return 0;
	return wbuf_len(&w);
}

int
meta_get_dosinfo(int fd, struct meta_dosinfo *di)
{
	uint8_t buf[META_DOSATTRIB_MAX];
	ssize_t n;

	n = fgetxattr(fd, META_DOSATTRIB_XATTR, buf, sizeof(buf));
	if (n == -1 && errno == ERANGE)
		errno = ENODATA;
	if (n == -1)
		return -1;
	if (meta_dosattrib_decode(buf, (size_t)n, di) == -1) {
		errno = ENODATA;
		return -1;
	}
	return 0;
}

int
meta_set_dosinfo(int fd, const struct meta_dosinfo *di)
{
	uint8_t buf[META_DOSATTRIB_MAX];
	size_t n;

	if ((n = meta_dosattrib_encode(di, buf, sizeof(buf))) == 0) {
		errno = EINVAL;
		return -1;
	}
	return fsetxattr(fd, META_DOSATTRIB_XATTR, buf, n, 0);
}

uint64_t
meta_synth_create_time(const struct stat *st)
{
	struct timespec bt = st->st_ctim;

	/* Without a stored create time the oldest known time stands in. */
	if (st->st_mtim.tv_sec < bt.tv_sec ||
	    (st->st_mtim.tv_sec == bt.tv_sec &&
	    st->st_mtim.tv_nsec < bt.tv_nsec))
		bt = st->st_mtim;
	return meta_filetime(&bt);
}

int
meta_update_attrib(int fd, const struct stat *st, uint32_t set,
    uint32_t clear)
{
	struct meta_dosinfo di;

	if (meta_get_dosinfo(fd, &di) == -1) {
		if (errno != ENODATA && errno != ENOTSUP)
			return -1;
		memset(&di, 0, sizeof(di));
		di.attrib = S_ISDIR(st->st_mode) ? ATTR_DIRECTORY :
		    ATTR_ARCHIVE;
		di.create_time = meta_synth_create_time(st);
		di.valid = META_DOSINFO_ATTRIB | META_DOSINFO_CREATE_TIME;
	}
	if (!(di.valid & META_DOSINFO_CREATE_TIME)) {
		di.create_time = meta_synth_create_time(st);
		di.valid |= META_DOSINFO_CREATE_TIME;
	}
	di.valid |= META_DOSINFO_ATTRIB;
	di.attrib = (di.attrib | set) & ~clear;
	return meta_set_dosinfo(fd, &di);
}

void
meta_query(int fd, int dirfd, const char *name, const struct stat *st,
    int flags, struct meta_file *mf)
{
	struct meta_dosinfo di;
	int xfd = fd, rc = -1, fl;

	memset(mf, 0, sizeof(mf[0]));
	if (xfd != -1 && !(flags & META_QUERY_FD_OK) &&
	    ((fl = fcntl(xfd, F_GETFL)) == -1 || (fl & O_PATH) == O_PATH))
		xfd = -1;
	if (xfd == -1 && dirfd != -1 && name != NULL && *name != '\0' &&
	    (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)))
		xfd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_NOCTTY | O_CLOEXEC);
	if (xfd != -1) {
		rc = meta_get_dosinfo(xfd, &di);
		if (flags & META_QUERY_EA)
			mf->ea_size = meta_ea_size_fd(xfd);
	}
	if (xfd != -1 && xfd != fd)
		close(xfd);
	meta_compose(rc == 0 ? &di : NULL, st, flags, mf);
}

void
meta_compose(const struct meta_dosinfo *dip, const struct stat *st, int flags,
    struct meta_file *mf)
{
	struct meta_dosinfo di;
	int rc = dip != NULL ? 0 : -1;
	uint32_t ea_size = mf->ea_size;

	if (dip != NULL)
		di = *dip;
	memset(mf, 0, sizeof(mf[0]));
	mf->ea_size = ea_size;
	if (rc == 0 && (di.valid & META_DOSINFO_ATTRIB)) {
		mf->stored = 1;
		mf->attrs = di.attrib & ~(ATTR_DIRECTORY | ATTR_NORMAL);
	} else
		mf->attrs = S_ISDIR(st->st_mode) ? 0 : ATTR_ARCHIVE;
	if (S_ISDIR(st->st_mode))
		mf->attrs |= ATTR_DIRECTORY;
	if (flags & META_QUERY_HIDDEN)
		mf->attrs |= 0x2;	/* FILE_ATTRIBUTE_HIDDEN */
	if (mf->attrs == 0)
		mf->attrs = ATTR_NORMAL;
	if (rc == 0 && (di.valid & META_DOSINFO_CREATE_TIME) &&
	    di.create_time != 0)
		mf->create_time = di.create_time;
	else
		mf->create_time = meta_synth_create_time(st);
}

/*
 * EA names: MS-FSCC 2.4.15 allows 8-bit characters except the ones
 * that are illegal in file names; Windows also refuses control
 * characters.
 */
int
meta_ea_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > META_EA_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch < 0x20 || strchr("\"*+,/:;<=>?[\\]|", ch) != NULL)
			return 0;
	}
	return 1;
}

int
meta_ea_reserved(const char *n)
{
	/*
	 * Other xattr namespaces named as an EA (security.NTACL holds
	 * Samba's NT ACL) are no client's business either.
	 */
	if (strncasecmp(n, "security.", 9) == 0 ||
	    strncasecmp(n, "trusted.", 8) == 0 ||
	    strncasecmp(n, "system.", 7) == 0)
		return 1;
	if (strncasecmp(n, META_EA_PREFIX, strlen(META_EA_PREFIX)) == 0)
		n += strlen(META_EA_PREFIX);
	/* Samba's own metadata is never an EA. */
	return *n == '\0' || strncasecmp(n, "DOSATTRIB", 9) == 0 ||
	    strcasecmp(n, "DosAttrib") == 0 ||
	    strncasecmp(n, "DosStream.", 10) == 0 ||
	    strncasecmp(n, "SAMBA_", 6) == 0 ||
	    strcasecmp(n, "NTACL") == 0;
}

const char *
meta_ea_from_xattr(const char *xname)
{
	const char *n;

	if (strncmp(xname, META_EA_PREFIX, strlen(META_EA_PREFIX)) != 0)
		return NULL;
	n = xname + strlen(META_EA_PREFIX);
	if (meta_ea_reserved(n) || !meta_ea_name_valid(n, strlen(n)))
		return NULL;
	return n;
}

static uint32_t
meta_ea_parse(const uint8_t *p, size_t len, int full, struct meta_ea **eap,
    size_t *np, uint32_t *erroff)
{
	struct meta_ea *eas = NULL, *ea;
	struct rbuf all, r;
	size_t n = 0, off = 0;
	uint32_t next, status = NT_STATUS_SUCCESS;
	uint16_t vlen = 0;
	uint8_t flags = 0, nlen;
	const uint8_t *name, *value = NULL, *z;

	*eap = NULL;
	*np = 0;
	*erroff = 0;
	rbuf_init(&all, p, len);
	for (;;) {
		if (rbuf_sub(&all, off, len - off, &r) == -1 ||
		    rbuf_get_u32le(&r, &next) == -1)
			goto inconsistent;
		if (full)
			rbuf_get_u8(&r, &flags);
		rbuf_get_u8(&r, &nlen);
		if (full)
			rbuf_get_u16le(&r, &vlen);
		rbuf_get_ptr(&r, &name, nlen);
		rbuf_get_ptr(&r, &z, 1);
		if (full)
			rbuf_get_ptr(&r, &value, vlen);
		if (rbuf_error(&r) || *z != '\0')
			goto inconsistent;
		/* An entry may not run past its successor. */
		if (next != 0 && (next < rbuf_offset(&r) ||
		    next > len - off))
			goto inconsistent;
		if (!meta_ea_name_valid((const char *)name, nlen) ||
		    memchr(name, '\0', nlen) != NULL) {
			*erroff = (uint32_t)off;
			status = NT_STATUS_INVALID_EA_NAME;
			goto fail;
		}
		if (n >= 4096)
			goto inconsistent;
		eas = xreallocarray(eas, n + 1, sizeof(*eas));
		ea = &eas[n++];
		memset(ea, 0, sizeof(*ea));
		ea->flags = flags;
		memcpy(ea->name, name, nlen);
		ea->name[nlen] = '\0';
		ea->value = full ? value : NULL;
		ea->value_len = full ? vlen : 0;
		if (next == 0)
			break;
		off += next;
	}
	*eap = eas;
	*np = n;
	return NT_STATUS_SUCCESS;

 inconsistent:
	*erroff = (uint32_t)off;
	status = NT_STATUS_EA_LIST_INCONSISTENT;
 fail:
	free(eas);
	return status;
}

uint32_t
meta_ea_parse_full(const uint8_t *p, size_t len, struct meta_ea **eap,
    size_t *np, uint32_t *erroff)
{
	return meta_ea_parse(p, len, 1, eap, np, erroff);
}

uint32_t
meta_ea_parse_get(const uint8_t *p, size_t len, struct meta_ea **eap,
    size_t *np, uint32_t *erroff)
{
	return meta_ea_parse(p, len, 0, eap, np, erroff);
}

void
meta_ea_list_free(struct meta_ea_item *it, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(it[i].name);
		free(it[i].value);
	}
	free(it);
}

ssize_t
meta_ea_list(int fd, struct meta_ea_item **itp)
{
	struct meta_ea_item *it = NULL;
	char *names = NULL, *xn;
	const char *en;
	ssize_t len, vlen;
	size_t n = 0;

	*itp = NULL;
	for (;;) {
		if ((len = flistxattr(fd, NULL, 0)) == -1)
			return errno == ENOTSUP ? 0 : -1;
		if (len == 0)
			return 0;
		names = xmalloc((size_t)len);
		if ((len = flistxattr(fd, names, (size_t)len)) != -1)
			break;
		free(names);
		if (errno != ERANGE)
			return -1;
	}
	for (xn = names; xn < names + len; xn += strlen(xn) + 1) {
		uint8_t *v;

		if ((en = meta_ea_from_xattr(xn)) == NULL)
			continue;
		if ((vlen = fgetxattr(fd, xn, NULL, 0)) == -1)
			continue;
		/* An EA value is at most 64 KiB on the wire. */
		if (vlen > META_EA_VALUE_MAX)
			continue;
		v = xmalloc((size_t)vlen + 1);
		if ((vlen = fgetxattr(fd, xn, v, (size_t)vlen)) == -1) {
			free(v);
			continue;
		}
		it = xreallocarray(it, n + 1, sizeof(*it));
		it[n].name = xstrdup(en);
		it[n].value = v;
		it[n].value_len = (size_t)vlen;
		n++;
	}
	free(names);
	*itp = it;
	return (ssize_t)n;
}

uint32_t
meta_ea_size(const struct meta_ea_item *it, size_t n)
{
	size_t i, total = 0, one;

	/*
	 * The length of the FILE_FULL_EA_INFORMATION list a query would
	 * return: entries 4-byte aligned, the last one unpadded (what
	 * Samba reports too).
	 */
	for (i = 0; i < n; i++) {
		one = 8 + strlen(it[i].name) + 1 + it[i].value_len;
		total += i + 1 < n ? (one + 3) & ~(size_t)3 : one;
	}
	return (uint32_t)total;
}

uint32_t
meta_ea_size_fd(int fd)
{
	struct meta_ea_item *it;
	ssize_t n;
	uint32_t sz;

	if ((n = meta_ea_list(fd, &it)) <= 0)
		return 0;
	sz = meta_ea_size(it, (size_t)n);
	meta_ea_list_free(it, (size_t)n);
	return sz;
}

int
meta_ea_set(int fd, const char *name, const uint8_t *value, size_t len)
{
	char xname[sizeof(META_EA_PREFIX) + META_EA_NAME_MAX];
	char *names = NULL, *xn;
	ssize_t l;

	snprintf(xname, sizeof(xname), "%s%s", META_EA_PREFIX, name);
	/* Find an existing spelling of the same name. */
	if ((l = flistxattr(fd, NULL, 0)) > 0) {
		names = xmalloc((size_t)l);
		if ((l = flistxattr(fd, names, (size_t)l)) > 0) {
			for (xn = names; xn < names + l;
			    xn += strlen(xn) + 1) {
				if (meta_ea_from_xattr(xn) != NULL &&
				    strcasecmp(xn, xname) == 0) {
					strlcpy(xname, xn, sizeof(xname));
					break;
				}
			}
		}
		free(names);
	}
	if (len == 0) {
		if (fremovexattr(fd, xname) == -1 && errno != ENODATA)
			return -1;
		return 0;
	}
	return fsetxattr(fd, xname, value, len, 0);
}
