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
