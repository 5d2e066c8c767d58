/*
 * What a user may do with a file (smb2_access.h).
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fscc.h"
#include "smb2_access.h"
#include "smb2_conn.h"
#include "smb2_tree.h"
#include "vfs.h"

uint32_t
smb2_map_generic(uint32_t access)
{
	if (access & GENERIC_READ)
		access |= FILE_GENERIC_READ;
	if (access & GENERIC_WRITE)
		access |= FILE_GENERIC_WRITE;
	if (access & GENERIC_EXECUTE)
		access |= FILE_GENERIC_EXECUTE;
	if (access & GENERIC_ALL)
		access |= FILE_ALL_ACCESS;
	return access & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE |
	    GENERIC_ALL);
}

/*
 * What this user may do with the file, as far as the kernel says: the
 * basis of MAXIMUM_ALLOWED, of the MxAc context and of the access check
 * of CREATE.  The data rights come from the kernel's verdict on the
 * POSIX ACL (faccessat), mapped as the descriptor maps rwx
 * (smb2_secdesc.c): r is FILE_GENERIC_READ, w FILE_GENERIC_WRITE, x
 * FILE_GENERIC_EXECUTE.  The owner also holds WRITE_DAC (it may chmod
 * and set ACLs whatever the mode), and with read and write access
 * everything: a new file has no x bit (create mask 0666), yet Windows
 * gives its owner full control, 0x1f01ff (smb2.create.blob), and
 * executing a file over SMB is reading it.  DELETE is the kernel's rule
 * for unlink: a writable parent directory.
 */
uint32_t
smb2_maximal_access(const struct smb2_tree *t, const struct vfs_share *vs,
    const char *path)
{
	uint32_t a = FILE_READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE;
	struct stat st;
	const char *last;
	int fd, pfd, r, w, x, isdir, owner;

	/*
	 * The file and its directory are opened below the share root like
	 * every path (vfs_open), and the kernel is asked about those
	 * descriptors, so no symlink among the parents leads elsewhere.
	 */
	if (strcmp(path, ".") == 0)
		path = "";
	if ((fd = vfs_open(vs, path, O_PATH, 0)) == -1)
		return a & t->maximal_access;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return a & t->maximal_access;
	}
	isdir = S_ISDIR(st.st_mode);
	owner = st.st_uid == geteuid();
	r = faccessat(fd, "", R_OK, AT_EACCESS | AT_EMPTY_PATH) == 0;
	w = t->writeable &&
	    faccessat(fd, "", W_OK, AT_EACCESS | AT_EMPTY_PATH) == 0;
	x = faccessat(fd, "", X_OK, AT_EACCESS | AT_EMPTY_PATH) == 0;
	close(fd);
	if (r)
		a |= FILE_GENERIC_READ;
	if (x)
		a |= FILE_GENERIC_EXECUTE;
	if (w)
		a |= FILE_GENERIC_WRITE | (isdir ? FILE_DELETE_CHILD : 0);
	if (owner && t->writeable) {
		a |= WRITE_DAC;
		if (r && w && (x || !isdir))
			a |= FILE_ALL_ACCESS;
	}
	if (t->writeable && *path != '\0' &&
	    (pfd = vfs_open_parent(vs, path, &last)) != -1) {
		if (faccessat(pfd, "", W_OK | X_OK,
		    AT_EACCESS | AT_EMPTY_PATH) == 0)
			a |= DELETE;
		close(pfd);
	}
	return a & t->maximal_access;
}

/*
 * The same rules as smb2_maximal_access, for a file already opened below
 * the share root (fd, any kind, and its stat; not a symlink opened as
 * one), asking the kernel only what decides the rights in want.  Each
 * right grows with each of the kernel's answers (read, write, execute,
 * ownership, a writable parent), so once the answers still unknown
 * could change nothing of want, they are not asked: an open for reading
 * costs one faccessat, a stat open none.  With subset set, the question
 * is only whether all of want is granted, and a right that no answer
 * can give ends it too.  Returns the rights of want that are granted
 * (subset: want, or 0).
 */
enum { ACC_R, ACC_W, ACC_X, ACC_OWNER, ACC_DELETE, ACC_N };

static uint32_t
access_eval(const struct smb2_tree *t, const int *v, int isdir)
{
	uint32_t a = FILE_READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE;

	if (v[ACC_R])
		a |= FILE_GENERIC_READ;
	if (v[ACC_X])
		a |= FILE_GENERIC_EXECUTE;
	if (v[ACC_W])
		a |= FILE_GENERIC_WRITE | (isdir ? FILE_DELETE_CHILD : 0);
	if (v[ACC_OWNER] && t->writeable) {
		a |= WRITE_DAC;
		if (v[ACC_R] && v[ACC_W] && (v[ACC_X] || !isdir))
			a |= FILE_ALL_ACCESS;
	}
	if (v[ACC_DELETE])
		a |= DELETE;
	return a & t->maximal_access;
}

static int
access_ask(const struct vfs_share *vs, const char *path, int fd,
    const struct stat *st, int which)
{
	const char *last;
	int pfd, r;

	switch (which) {
	case ACC_R:
		return faccessat(fd, "", R_OK, AT_EACCESS | AT_EMPTY_PATH) == 0;
	case ACC_W:
		return faccessat(fd, "", W_OK, AT_EACCESS | AT_EMPTY_PATH) == 0;
	case ACC_X:
		return faccessat(fd, "", X_OK, AT_EACCESS | AT_EMPTY_PATH) == 0;
	case ACC_OWNER:
		return st->st_uid == geteuid();
	default:
		if ((pfd = vfs_open_parent(vs, path, &last)) == -1)
			return 0;
		r = faccessat(pfd, "", W_OK | X_OK,
		    AT_EACCESS | AT_EMPTY_PATH) == 0;
		close(pfd);
		return r;
	}
}

uint32_t
smb2_access_fd(const struct smb2_tree *t, const struct vfs_share *vs,
    const char *path, int fd, const struct stat *st, uint32_t want,
    int subset)
{
	int known[ACC_N], lo[ACC_N], hi[ACC_N], isdir = S_ISDIR(st->st_mode);
	uint32_t alo, ahi;

	memset(known, 0, sizeof(known));
	memset(lo, 0, sizeof(lo));
	/* What needs no question: a read-only share writes nothing. */
	if (!t->writeable)
		known[ACC_W] = known[ACC_OWNER] = known[ACC_DELETE] = 1;
	if (strcmp(path, ".") == 0 || *path == '\0')
		known[ACC_DELETE] = 1;
	for (;;) {
		int j;

		for (j = 0; j < ACC_N; j++)
			hi[j] = known[j] ? lo[j] : 1;
		alo = access_eval(t, lo, isdir) & want;
		ahi = access_eval(t, hi, isdir) & want;
		if (alo == ahi)
			return subset ? (alo == want ? want : 0) : alo;
		if (subset && ahi != want)
			return 0;
		/* The next unknown answer, in the order of the rules. */
		for (j = 0; j < ACC_N && known[j]; j++)
			;
		if (j == ACC_N)
			return subset ? 0 : alo;
		lo[j] = access_ask(vs, path, fd, st, j);
		known[j] = 1;
	}
}
