/*
 * Names and paths below a share root.  See vfs.h.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/openat2.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "mangle.h"
#include "ntstatus.h"
#include "stream_name.h"
#include "unicode.h"
#include "util.h"
#include "vfs.h"

/* Characters Windows does not allow in a name (MS-FSCC 2.1.5.2). */
static int
vfs_char_ok(unsigned char c)
{
	if (c < 0x20)
		return 0;
	return strchr("<>:\"|?*", c) == NULL;
}

uint32_t
vfs_name_parse(const char *in, struct vfs_name *out)
{
	char *buf, *p, *colon, *last;
	size_t len = strlen(in), i;

	memset(out, 0, sizeof(*out));
	if (len > VFS_MAX_PATH)
		return NT_STATUS_OBJECT_NAME_INVALID;
	buf = xstrdup(in);
	for (p = buf; *p != '\0'; p++)
		if (*p == '\\')
			*p = '/';
	if (len > 0 && buf[len - 1] == '/') {
		out->trailing_sep = 1;
		buf[--len] = '\0';
	}
	/* The stream part belongs to the last component only. */
	last = strrchr(buf, '/');
	last = last == NULL ? buf : last + 1;
	if ((colon = strchr(last, ':')) != NULL) {
		uint32_t status;

		*colon++ = '\0';
		status = smb2_stream_name_parse(colon, &out->stream,
		    &out->stream_type);
		if (status != NT_STATUS_SUCCESS) {
			free(buf);
			return status;
		}
	}
	/* Components: no empty ones, no "." or "..", no reserved chars. */
	p = buf;
	while (*p != '\0') {
		char *end = strchr(p, '/');
		size_t clen = end != NULL ? (size_t)(end - p) : strlen(p);

		if (clen == 0 || clen > VFS_MAX_COMPONENT ||
		    (clen == 1 && p[0] == '.') ||
		    (clen == 2 && p[0] == '.' && p[1] == '.')) {
			free(out->stream);
			out->stream = NULL;
			free(buf);
			return clen == 0 || clen > VFS_MAX_COMPONENT ?
			    NT_STATUS_OBJECT_NAME_INVALID :
			    NT_STATUS_OBJECT_PATH_SYNTAX_BAD;
		}
		for (i = 0; i < clen; i++)
			if (!vfs_char_ok((unsigned char)p[i])) {
				free(out->stream);
				out->stream = NULL;
				free(buf);
				return NT_STATUS_OBJECT_NAME_INVALID;
			}
		p += clen;
		if (*p == '/')
			p++;
	}
	out->path = buf;
	return NT_STATUS_SUCCESS;
}

void
vfs_name_free(struct vfs_name *n)
{
	free(n->path);
	free(n->stream);
	memset(n, 0, sizeof(*n));
}

static int
vfs_openat2(int dirfd, const char *path, int flags, mode_t mode,
    uint64_t resolve)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	/* O_TMPFILE contains O_DIRECTORY's bit: test it as a whole. */
	how.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ?
	    mode : 0;
	how.resolve = resolve;
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

static uint64_t
vfs_resolve_flags(const struct vfs_share *sh)
{
	uint64_t r = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;

	if (sh->cfg != NULL && !sh->cfg->follow_symlinks)
		r |= RESOLVE_NO_SYMLINKS;
	return r;
}

int
vfs_open(const struct vfs_share *sh, const char *path, int flags, mode_t mode)
{
	int fd;

	fd = vfs_openat2(sh->rootfd, *path == '\0' ? "." : path, flags, mode,
	    vfs_resolve_flags(sh));
	/* A symlink that leaves the share reads as access denied. */
	if (fd == -1 && errno == EXDEV)
		errno = EACCES;
	return fd;
}

int
vfs_open_parent(const struct vfs_share *sh, const char *path,
    const char **last)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (slash == NULL) {
		*last = path;
		return vfs_open(sh, "", O_PATH | O_DIRECTORY, 0);
	}
	*last = slash + 1;
	dir = xstrndup(path, (size_t)(slash - path));
	fd = vfs_open(sh, dir, O_PATH | O_DIRECTORY, 0);
	free(dir);
	return fd;
}

/*
 * Operations on a name: its directory is opened below the share root
 * like every path (openat2, RESOLVE_BENEATH), and only the last
 * component is left to the *at call, so no symlink among the parents
 * leads out of the share.
 */
int
vfs_unlink(const struct vfs_share *sh, const char *path, int flags)
{
	const char *last;
	int pfd, rc, saved;

	if ((pfd = vfs_open_parent(sh, path, &last)) == -1)
		return -1;
	rc = unlinkat(pfd, last, flags);
	saved = errno;
	close(pfd);
	errno = saved;
	return rc;
}

int
vfs_lstat(const struct vfs_share *sh, const char *path, struct stat *st)
{
	const char *last;
	int pfd, rc, saved;

	if (*path == '\0')
		return fstatat(sh->rootfd, ".", st, AT_SYMLINK_NOFOLLOW);
	if ((pfd = vfs_open_parent(sh, path, &last)) == -1)
		return -1;
	rc = fstatat(pfd, last, st, AT_SYMLINK_NOFOLLOW);
	saved = errno;
	close(pfd);
	errno = saved;
	return rc;
}

/* rename (with renameat2 flags) or, with link set, a hard link. */
static int
vfs_two(const struct vfs_share *sh, const char *from, const char *to,
    unsigned int flags, int link)
{
	const char *lf, *lt;
	int pf, pt, rc, saved;

	if ((pf = vfs_open_parent(sh, from, &lf)) == -1)
		return -1;
	if ((pt = vfs_open_parent(sh, to, &lt)) == -1) {
		saved = errno;
		close(pf);
		errno = saved;
		return -1;
	}
	rc = link ? linkat(pf, lf, pt, lt, 0) :
	    renameat2(pf, lf, pt, lt, flags);
	saved = errno;
	close(pf);
	close(pt);
	errno = saved;
	return rc;
}

int
vfs_rename(const struct vfs_share *sh, const char *from, const char *to,
    unsigned int flags)
{
	return vfs_two(sh, from, to, flags, 0);
}

int
vfs_link(const struct vfs_share *sh, const char *from, const char *to)
{
	return vfs_two(sh, from, to, 0, 1);
}

/* Find name in the directory dirfd regardless of case; NULL if absent. */
static char *
vfs_find_nocase(int dirfd, const char *name)
{
	struct dirent *de;
	char *found = NULL;
	DIR *d;
	int fd;

	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return NULL;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (utf8_casecmp(de->d_name, name) == 0) {
			found = xstrdup(de->d_name);
			break;
		}
	}
	closedir(d);
	return found;
}

uint32_t
vfs_resolve(const struct vfs_share *sh, const char *path, char **real,
    int *found)
{
	return vfs_resolve_fd(sh, path, real, found, NULL);
}

uint32_t
vfs_resolve_fd(const struct vfs_share *sh, const char *path, char **real,
    int *found, int *pathfd)
{
	struct stat st;
	char *out, *comp, *buf, *save = NULL, *match, *gone;
	size_t outlen = 0, cap = strlen(path) + 2 + VFS_MAX_COMPONENT;
	int dirfd, fd, last, exists;

	*real = NULL;
	*found = 0;
	if (pathfd != NULL)
		*pathfd = -1;
	if (*path == '\0') {
		*real = xstrdup("");
		*found = 1;
		return NT_STATUS_SUCCESS;
	}
	/* The fast path: the name exists as written. */
	if ((fd = vfs_open(sh, path, O_PATH | O_NOFOLLOW, 0)) != -1) {
		if (pathfd != NULL)
			*pathfd = fd;
		else
			close(fd);
		*real = xstrdup(path);
		*found = 1;
		return NT_STATUS_SUCCESS;
	}
	if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
		return ntstatus_from_errno(errno);

	out = xcalloc(1, cap);
	buf = xstrdup(path);
	dirfd = vfs_open(sh, "", O_PATH | O_DIRECTORY, 0);
	if (dirfd == -1) {
		free(out);
		free(buf);
		return ntstatus_from_errno(errno);
	}
	for (comp = strtok_r(buf, "/", &save); comp != NULL;
	    comp = strtok_r(NULL, "/", &save)) {
		last = save == NULL || *save == '\0';
		match = gone = NULL;
		if (fstatat(dirfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0)
			match = xstrdup(comp);
		else if (!sh->case_sensitive)
			match = vfs_find_nocase(dirfd, comp);
		/*
		 * An 8.3 short name stands for its long name (mangle.c),
		 * unless that is a name the share vetoes.
		 */
		if (match == NULL && mangle_is_mangled(comp) &&
		    (match = mangle_lookup(dirfd, out, comp, &exists)) !=
		    NULL) {
			if (vfs_is_vetoed(sh, match)) {
				free(match);
				match = NULL;
			} else if (!exists) {
				gone = match;
				match = NULL;
			}
		}
		if (match == NULL) {
			close(dirfd);
			/* Only the last component may be missing. */
			if (!last) {
				free(gone);
				free(out);
				free(buf);
				return NT_STATUS_OBJECT_PATH_NOT_FOUND;
			}
			/*
			 * A short name whose file is gone names its long
			 * name still, for a create by the short name.
			 */
			if (gone != NULL)
				comp = gone;
		}
		/* A long name for a short one may be longer than it. */
		if (outlen + 2 + strlen(match != NULL ? match : comp) > cap) {
			cap = outlen + 2 + strlen(match != NULL ? match : comp) +
			    VFS_MAX_COMPONENT;
			out = xreallocarray(out, 1, cap);
		}
		if (outlen > 0)
			out[outlen++] = '/';
		if (match == NULL) {
			memcpy(out + outlen, comp, strlen(comp) + 1);
			free(gone);
			*real = out;
			free(buf);
			return NT_STATUS_SUCCESS;
		}
		memcpy(out + outlen, match, strlen(match) + 1);
		outlen += strlen(match);
		free(match);
		if (last)
			break;
		/* Descend, through openat2 so a symlink cannot lead out. */
		close(dirfd);
		if ((dirfd = vfs_open(sh, out, O_PATH | O_DIRECTORY, 0)) == -1) {
			int e = errno;

			free(out);
			free(buf);
			return e == ENOENT || e == ENOTDIR ?
			    NT_STATUS_OBJECT_PATH_NOT_FOUND :
			    ntstatus_from_errno(e);
		}
	}
	close(dirfd);
	free(buf);
	*real = out;
	*found = 1;
	return NT_STATUS_SUCCESS;
}

/* Samba's "/pattern1/pattern2/" lists, as the parser stored them. */
static int
vfs_match_list(char *const *list, const char *path)
{
	const char *name = strrchr(path, '/');

	name = name == NULL ? path : name + 1;
	if (list == NULL)
		return 0;
	for (; *list != NULL; list++)
		if (fnmatch(*list, name, FNM_CASEFOLD) == 0)
			return 1;
	return 0;
}

int
vfs_is_vetoed(const struct vfs_share *sh, const char *path)
{
	const char *p;

	if (sh->cfg == NULL)
		return 0;
	/* Any component of the path may be vetoed. */
	for (p = path; p != NULL && *p != '\0';) {
		const char *end = strchr(p, '/');
		char comp[VFS_MAX_COMPONENT + 1];
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

		if (n > VFS_MAX_COMPONENT)
			return 0;
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (vfs_match_list(sh->cfg->veto_files, comp))
			return 1;
		p = end != NULL ? end + 1 : NULL;
	}
	return 0;
}

int
vfs_is_hidden(const struct vfs_share *sh, const char *path)
{
	const char *name = strrchr(path, '/');

	name = name == NULL ? path : name + 1;
	if (sh->cfg == NULL)
		return 0;
	if (sh->cfg->hide_dot_files && name[0] == '.' && name[1] != '\0' &&
	    strcmp(name, "..") != 0)
		return 1;
	return vfs_match_list(sh->cfg->hide_files, path);
}
