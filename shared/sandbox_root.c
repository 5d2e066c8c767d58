/*
 * A session worker's view of the file system: a private mount namespace
 * whose root is an empty, read-only tmpfs holding one bind mount per
 * share the user may reach ("/0", "/1", ...).
 *
 * Landlock decides what may be opened for reading and writing, but not
 * what may be named: stat, statx, getxattr, utimensat, inotify_add_watch
 * and O_PATH opens take any path the user's Unix rights reach.  In this
 * view there is no other path to take.  Each bind mount is cloned from
 * the descriptor the worker opened as its user (no second path walk),
 * and a read-only share is mounted read-only.
 */
#include "config.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/mount.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "util.h"

/*
 * A detached clone of the mount tree at fd (a bind mount not yet
 * attached anywhere), with the flags the worker's view gets.  It is made
 * in the caller's mount namespace, where fd's mount lives.
 */
static int
sandbox_root_clone(int fd, int writable)
{
	struct mount_attr attr;
	int tree;

	tree = (int)syscall(__NR_open_tree, fd, "", AT_EMPTY_PATH |
	    AT_RECURSIVE | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree == -1)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
	    MOUNT_ATTR_NOEXEC;
	if (!writable)
		attr.attr_set |= MOUNT_ATTR_RDONLY;
	if (syscall(__NR_mount_setattr, tree, "", AT_EMPTY_PATH |
	    AT_RECURSIVE, &attr, sizeof(attr)) == -1)
		fatal("private root: mount_setattr");
	return tree;
}

int
sandbox_private_root(const char *mnt, struct sandbox_path *paths)
{
	char dir[PATH_MAX], opts[64];
	size_t i, n;
	int fd, *trees, saved;

	for (n = 0; paths[n].path != NULL; n++)
		;
	trees = xcalloc(n + 1, sizeof(*trees));
	for (i = 0; i < n; i++) {
		trees[i] = -1;
		if (paths[i].fd != -1 &&
		    (trees[i] = sandbox_root_clone(paths[i].fd,
		    paths[i].write)) == -1)
			break;
	}
	if (i < n || unshare(CLONE_NEWNS) == -1) {
		saved = errno;
		while (i-- > 0)
			if (trees[i] != -1)
				close(trees[i]);
		free(trees);
		errno = saved;
		return -1;
	}
	/* Nothing done here may reach the host's mounts. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		fatal("private root: make / private");
	snprintf(opts, sizeof(opts), "mode=0755,size=16k,nr_inodes=%zu",
	    n + 8);
	if (mount("usmbd", mnt, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    opts) == -1)
		fatal("private root: tmpfs on %s", mnt);
	for (i = 0; i < n; i++) {
		if (trees[i] == -1)
			continue;
		if (snprintf(dir, sizeof(dir), "%s/%zu", mnt, i) >=
		    (int)sizeof(dir))
			fatalx("private root: %s is too long", mnt);
		if (mkdir(dir, 0755) == -1 ||
		    syscall(__NR_move_mount, trees[i], "", AT_FDCWD, dir,
		    MOVE_MOUNT_F_EMPTY_PATH) == -1)
			fatal("private root: bind mount on %s", dir);
		close(trees[i]);
	}
	free(trees);
	if (mount(NULL, mnt, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY |
	    MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		fatal("private root: read-only %s", mnt);
	/*
	 * pivot_root(".", ".") stacks the old root on the new one; the
	 * lazy unmount then takes the old root and every host mount with
	 * it out of this namespace.
	 */
	if (chdir(mnt) == -1 || syscall(__NR_pivot_root, ".", ".") == -1 ||
	    umount2(".", MNT_DETACH) == -1 || chdir("/") == -1)
		fatal("private root: pivot_root to %s", mnt);
	/*
	 * The share descriptors keep their numbers but now name the bind
	 * mounts: ".." from a share root stops at the empty root.
	 */
	for (i = 0; i < n; i++) {
		if (paths[i].fd == -1)
			continue;
		snprintf(dir, sizeof(dir), "/%zu", i);
		if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
		    dup3(fd, paths[i].fd, O_CLOEXEC) == -1)
			fatal("private root: %s", dir);
		close(fd);
	}
	return 0;
}
