/*
 * CHANGE_NOTIFY (MS-SMB2 2.2.35, 2.2.36, 3.3.5.19) on inotify.
 *
 * A directory handle gets its notify state with its first request, and
 * that request fixes the CompletionFilter, WATCH_TREE and the size of
 * the handle's change buffer until the handle closes (Windows ignores
 * the filter of later requests; smb2.notify.mask-change).  From then
 * on every change is buffered on the handle as FILE_NOTIFY_INFORMATION
 * entries (MS-FSCC 2.4.42), also while no request waits; a request
 * takes the whole buffer, or NOTIFY_ENUM_DIR when it does not fit in
 * its OutputBufferLength or when changes were lost.  Requests on one
 * handle are served in the order they came.
 *
 * The worker has one inotify descriptor.  A WATCH_TREE handle has a
 * watch on each directory below it (inotify is not recursive), up to
 * NOTIFY_MAX_WATCHES per worker; past that the handle reports
 * NOTIFY_ENUM_DIR once and the log says so.
 */
#include "config.h"

#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "ntstatus.h"
#include "session.h"
#include "session_ident.h"
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_notify.h"
#include "smb2_tree.h"
#include "unicode.h"
#include "util.h"
#include "vfs.h"

#define FILE_ACTION_ADDED		1
#define FILE_ACTION_REMOVED		2
#define FILE_ACTION_MODIFIED		3
#define FILE_ACTION_RENAMED_OLD_NAME	4
#define FILE_ACTION_RENAMED_NEW_NAME	5

/* CompletionFilter bits (MS-SMB2 2.2.35). */
#define FILE_NOTIFY_CHANGE_FILE_NAME	0x001
#define FILE_NOTIFY_CHANGE_DIR_NAME	0x002
#define FILE_NOTIFY_CHANGE_ATTRIBUTES	0x004
#define FILE_NOTIFY_CHANGE_SIZE		0x008
#define FILE_NOTIFY_CHANGE_LAST_WRITE	0x010
#define FILE_NOTIFY_CHANGE_LAST_ACCESS	0x020
#define FILE_NOTIFY_CHANGE_CREATION	0x040
#define FILE_NOTIFY_CHANGE_EA		0x080
#define FILE_NOTIFY_CHANGE_SECURITY	0x100

#define SMB2_WATCH_TREE			0x0001

#define NOTIFY_EVENTS	(IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | \
			    IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | \
			    IN_CLOSE_NOWRITE | IN_DELETE_SELF | IN_ONLYDIR | \
			    IN_DONT_FOLLOW | IN_EXCL_UNLINK)

/* Directories watched by one worker, over all its handles. */
#define NOTIFY_MAX_WATCHES	8192
/* Requests that may wait on one handle. */
#define NOTIFY_MAX_WAITING	64
/* Names just created whose metadata setup is not a change (below). */
#define NOTIFY_NCREATED		32

struct notify_watch {
	int			 wd;
	char			*rel;	/* below the handle, '/'-separated */
};

struct notify_req {
	TAILQ_ENTRY(notify_req)	 entry;
	struct notify_state	*ns;
	struct smb2_conn	*c;
	struct smb2_async	*a;
	uint32_t		 maxlen;
};

struct notify_state {
	TAILQ_ENTRY(notify_state) entry;
	struct smb2_open	*o;
	uint32_t		 filter;
	int			 tree;
	int			 deleted;	/* the directory is gone */
	int			 overflow;	/* changes were lost */
	int			 limited;	/* hit NOTIFY_MAX_WATCHES */
	/* The buffered changes, at most bufmax bytes. */
	struct wbuf		 buf;
	uint32_t		 bufmax;
	size_t			 nchanges;
	size_t			 lastoff;
	uint32_t		 lastaction;
	char			*lastname;
	struct notify_watch	*w;
	size_t			 nw;
	TAILQ_HEAD(, notify_req) reqs;
	size_t			 nreqs;
};

static TAILQ_HEAD(, notify_state) notify_states =
    TAILQ_HEAD_INITIALIZER(notify_states);
static int		 notify_fd = -1;
static struct event	*notify_ev;
static size_t		 notify_nwatches;

/*
 * Creating a file or directory is one change (ADDED, MS-FSA 2.1.5.1),
 * but on Linux the create is followed by the setup of its metadata
 * (DOS attributes, EAs, the ACL in xattrs), which inotify reports as
 * IN_ATTRIB.  Those belong to the create and are not reported as
 * MODIFIED, until the name is written to, or is closed after its
 * metadata was set (the create's own opens close before that).
 */
static struct {
	int	 wd;
	int	 attrib;	/* its metadata was set */
	char	 name[NAME_MAX + 1];
} notify_created[NOTIFY_NCREATED];
static size_t	 notify_ncreated_next;

/* A rename's first half, waiting for its IN_MOVED_TO. */
static struct {
	int		 valid;
	int		 wd;
	uint32_t	 cookie;
	uint32_t	 mask;
	char		 name[NAME_MAX + 1];
} notify_moved;

static void	notify_deliver(int, uint32_t, uint32_t, const char *);

static void
notify_created_add(int wd, const char *name)
{
	notify_created[notify_ncreated_next].wd = wd;
	notify_created[notify_ncreated_next].attrib = 0;
	snprintf(notify_created[notify_ncreated_next].name,
	    sizeof(notify_created[0].name), "%s", name);
	notify_ncreated_next = (notify_ncreated_next + 1) % NOTIFY_NCREATED;
}

enum notify_created_op {
	CREATED_END,		/* written to, deleted, renamed */
	CREATED_ATTRIB,		/* its metadata is set */
	CREATED_CLOSE		/* closed without writing */
};

/*
 * Is (wd, name) being created, and does the event end that?  1 when
 * the event is part of the create.
 */
static int
notify_created_event(int wd, const char *name, enum notify_created_op op)
{
	size_t i;

	for (i = 0; i < NOTIFY_NCREATED; i++) {
		if (notify_created[i].wd != wd || notify_created[i].wd == 0 ||
		    strcmp(notify_created[i].name, name) != 0)
			continue;
		switch (op) {
		case CREATED_END:
			notify_created[i].wd = 0;
			return 0;
		case CREATED_ATTRIB:
			notify_created[i].attrib = 1;
			return 1;
		case CREATED_CLOSE:
			if (notify_created[i].attrib)
				notify_created[i].wd = 0;
			return 1;
		}
	}
	return 0;
}

/*
 * Which CompletionFilter bits an inotify event matches.  Names are
 * FILE_NAME or DIR_NAME; data writes are LAST_WRITE and SIZE; IN_ATTRIB
 * cannot tell an attribute from a time stamp, an EA or the ACL (all
 * live in inode fields or xattrs), so it matches all of those.
 */
static uint32_t
notify_filter_bits(uint32_t mask)
{
	if (mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO))
		return (mask & IN_ISDIR) ? FILE_NOTIFY_CHANGE_DIR_NAME :
		    FILE_NOTIFY_CHANGE_FILE_NAME;
	if (mask & IN_MODIFY)
		return FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE;
	if (mask & IN_ATTRIB)
		return FILE_NOTIFY_CHANGE_ATTRIBUTES |
		    FILE_NOTIFY_CHANGE_LAST_WRITE |
		    FILE_NOTIFY_CHANGE_LAST_ACCESS |
		    FILE_NOTIFY_CHANGE_CREATION | FILE_NOTIFY_CHANGE_EA |
		    FILE_NOTIFY_CHANGE_SECURITY;
	return 0;
}

/* The directory's name in the share, for log lines. */
static char *
notify_dirpath(const struct smb2_open *o, const char *rel)
{
	char *path;

	xasprintf(&path, "%s:%s%s%s", o->tree->ss->share->name, o->path,
	    *o->path != '\0' && *rel != '\0' ? "/" : "", rel);
	return path;
}

/* Open the directory rel below the handle, beneath the share root. */
static int
notify_opendir(const struct smb2_open *o, const char *rel)
{
	struct vfs_share sh = { .rootfd = o->tree->ss->rootfd,
	    .cfg = o->tree->ss->share };
	char *path;
	int fd;

	/* An event may come while another tree's request was last. */
	session_ident_tree(o->tree);
	xasprintf(&path, "%s%s%s", o->path,
	    *o->path != '\0' && *rel != '\0' ? "/" : "", rel);
	fd = vfs_open(&sh, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	free(path);
	return fd;
}

/* Is this descriptor still used by any handle? */
static int
notify_wd_used(int wd)
{
	struct notify_state *ns;
	size_t i;

	TAILQ_FOREACH(ns, &notify_states, entry)
		for (i = 0; i < ns->nw; i++)
			if (ns->w[i].wd == wd)
				return 1;
	return 0;
}

/* Forget watch i of ns; with rm, drop the kernel's watch if unused. */
static void
notify_watch_del(struct notify_state *ns, size_t i, int rm)
{
	int wd = ns->w[i].wd;

	free(ns->w[i].rel);
	ns->w[i] = ns->w[ns->nw - 1];
	ns->nw--;
	notify_nwatches--;
	if (rm && !notify_wd_used(wd))
		inotify_rm_watch(notify_fd, wd);
}

/*
 * Watch the directory rel below the handle.  The directory is opened
 * beneath the share root without following a symlink, and the watch
 * must name that directory, so that a watch never leaves the share.
 * -1 when it cannot be watched, 1 when the handle watched it already.
 */
static int
notify_watch_add(struct notify_state *ns, const char *rel,
    const struct stat *want)
{
	struct stat st;
	char *path;
	size_t i;
	int fd, wd, saved;

	if (notify_nwatches >= NOTIFY_MAX_WATCHES) {
		if (!ns->limited)
			log_warnx("notify: %s%s%s: %d directories watched, "
			    "the limit; clients get NOTIFY_ENUM_DIR",
			    ns->o->path, *rel != '\0' ? "/" : "", rel,
			    NOTIFY_MAX_WATCHES);
		ns->limited = 1;
		ns->overflow = 1;
		return -1;
	}
	if ((fd = notify_opendir(ns->o, rel)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || (want != NULL &&
	    (want->st_dev != st.st_dev || want->st_ino != st.st_ino))) {
		close(fd);
		return -1;
	}
	/*
	 * inotify takes a path: "." after fchdir() to the directory just
	 * opened beneath the share root names exactly that directory, with
	 * no second walk that a rename could redirect.
	 */
	path = notify_dirpath(ns->o, rel);
	if (fchdir(fd) == -1) {
		log_warn("notify: %s", path);
		close(fd);
		free(path);
		return -1;
	}
	wd = inotify_add_watch(notify_fd, ".", NOTIFY_EVENTS);
	saved = errno;
	if (chdir("/") == -1)
		fatal("notify: chdir /");
	close(fd);
	if (wd == -1) {
		if (saved == ENOSPC) {
			log_warnx("notify: %s: no inotify watch left "
			    "(fs.inotify.max_user_watches); clients get "
			    "NOTIFY_ENUM_DIR", path);
			ns->limited = 1;
			ns->overflow = 1;
		} else if (saved != ENOENT && saved != ENOTDIR) {
			errno = saved;
			log_warn("notify: watch %s", path);
		}
		free(path);
		return -1;
	}
	free(path);
	for (i = 0; i < ns->nw; i++) {
		if (ns->w[i].wd == wd) {
			/* Seen again under a new name: it was moved. */
			free(ns->w[i].rel);
			ns->w[i].rel = xstrdup(rel);
			return 1;
		}
	}
	ns->w = xreallocarray(ns->w, ns->nw + 1, sizeof(*ns->w));
	ns->w[ns->nw].wd = wd;
	ns->w[ns->nw].rel = xstrdup(rel);
	ns->nw++;
	notify_nwatches++;
	return 0;
}

/*
 * Watch, breadth first, every directory below the watches from index i
 * on.  The list of watches is the queue, so only one directory is open
 * at a time.
 */
static void
notify_scan(struct notify_state *ns, size_t i)
{
	struct dirent *de;
	DIR *d;
	char *sub;
	int fd;

	for (; i < ns->nw && !ns->limited; i++) {
		fd = notify_opendir(ns->o, ns->w[i].rel);
		if (fd == -1 || (d = fdopendir(fd)) == NULL) {
			if (fd != -1)
				close(fd);
			continue;
		}
		while ((de = readdir(d)) != NULL && !ns->limited) {
			if (de->d_type != DT_DIR ||
			    strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			xasprintf(&sub, "%s%s%s", ns->w[i].rel,
			    *ns->w[i].rel != '\0' ? "/" : "", de->d_name);
			(void)notify_watch_add(ns, sub, NULL);
			free(sub);
		}
		closedir(d);
	}
}

/* Watch the directory rel and the tree below it. */
static void
notify_watch_tree(struct notify_state *ns, const char *rel)
{
	size_t i = ns->nw;

	if (notify_watch_add(ns, rel, NULL) == 0 && i < ns->nw)
		notify_scan(ns, i);
}

/* Forget the watches of rel and of everything below it. */
static void
notify_unwatch_tree(struct notify_state *ns, const char *rel)
{
	size_t i, len = strlen(rel);

	for (i = 0; i < ns->nw; ) {
		if (*ns->w[i].rel != '\0' &&
		    strncmp(ns->w[i].rel, rel, len) == 0 &&
		    (ns->w[i].rel[len] == '\0' || ns->w[i].rel[len] == '/'))
			notify_watch_del(ns, i, 1);
		else
			i++;
	}
}

static void
notify_buf_reset(struct notify_state *ns)
{
	wbuf_reset(&ns->buf);
	ns->nchanges = 0;
	ns->lastaction = 0;
	free(ns->lastname);
	ns->lastname = NULL;
}

/*
 * Buffer one change.  The same change repeated (a write is many
 * IN_MODIFY events) is one entry.
 */
static void
notify_queue(struct notify_state *ns, uint32_t action, const char *name)
{
	struct wbuf nm;
	size_t off;

	if (ns->overflow)
		return;
	if (ns->lastname != NULL && ns->lastaction == action &&
	    strcmp(ns->lastname, name) == 0)
		return;
	wbuf_init(&nm, 4 * strlen(name) + 8);
	if (utf8_to_utf16le(name, strlen(name), &nm) == -1) {
		/* A name the client cannot be told: it must look itself. */
		wbuf_free(&nm);
		ns->overflow = 1;
		return;
	}
	wbuf_align(&ns->buf, 4);
	off = wbuf_len(&ns->buf);
	wbuf_put_u32le(&ns->buf, 0);
	wbuf_put_u32le(&ns->buf, action);
	wbuf_put_u32le(&ns->buf, (uint32_t)wbuf_len(&nm));
	wbuf_put_bytes(&ns->buf, wbuf_data(&nm), wbuf_len(&nm));
	wbuf_free(&nm);
	if (wbuf_error(&ns->buf) || wbuf_len(&ns->buf) > ns->bufmax) {
		/* More than the handle's buffer holds (MS-FSA 2.1.5.10). */
		notify_buf_reset(ns);
		ns->overflow = 1;
		return;
	}
	if (ns->nchanges > 0)
		wbuf_set_u32le(&ns->buf, ns->lastoff,
		    (uint32_t)(off - ns->lastoff));
	ns->lastoff = off;
	ns->nchanges++;
	ns->lastaction = action;
	free(ns->lastname);
	ns->lastname = xstrdup(name);
}

static void
notify_req_done(struct notify_req *r, uint32_t status, int withbuf)
{
	struct notify_state *ns = r->ns;
	struct wbuf body;

	TAILQ_REMOVE(&ns->reqs, r, entry);
	ns->nreqs--;
	if (withbuf) {
		wbuf_init(&body, 16 + wbuf_len(&ns->buf));
		wbuf_put_u16le(&body, 9);
		wbuf_put_u16le(&body, SMB2_HDR_LEN + 8);
		wbuf_put_u32le(&body, (uint32_t)wbuf_len(&ns->buf));
		wbuf_put_bytes(&body, wbuf_data(&ns->buf),
		    wbuf_len(&ns->buf));
		smb2_async_complete(r->c, r->a, status, wbuf_data(&body),
		    wbuf_len(&body));
		wbuf_free(&body);
	} else
		smb2_async_complete(r->c, r->a, status, NULL, 0);
	free(r);
}

/* Answer waiting requests from what the handle has buffered. */
static void
notify_flush(struct notify_state *ns)
{
	struct notify_req *r;

	while ((r = TAILQ_FIRST(&ns->reqs)) != NULL) {
		if (ns->deleted) {
			notify_req_done(r, NT_STATUS_DELETE_PENDING, 0);
			continue;
		}
		if (ns->overflow || (ns->nchanges > 0 &&
		    wbuf_len(&ns->buf) > r->maxlen)) {
			notify_req_done(r, NT_STATUS_NOTIFY_ENUM_DIR, 0);
			ns->overflow = 0;
			notify_buf_reset(ns);
		} else if (ns->nchanges > 0) {
			notify_req_done(r, NT_STATUS_SUCCESS, 1);
			notify_buf_reset(ns);
		}
		break;
	}
}

/* The path of name in watch w, as the client sees it. */
static char *
notify_wire_name(const struct notify_watch *w, const char *name)
{
	char *s, *p;

	xasprintf(&s, "%s%s%s", w->rel, *w->rel != '\0' ? "/" : "", name);
	for (p = s; *p != '\0'; p++)
		if (*p == '/')
			*p = '\\';
	return s;
}

/* Hand one change of directory wd to every handle that watches it. */
static void
notify_deliver(int wd, uint32_t mask, uint32_t action, const char *name)
{
	struct notify_state *ns;
	struct notify_watch *w;
	uint32_t bits = notify_filter_bits(mask);
	char *wire, *rel;
	size_t i;

	TAILQ_FOREACH(ns, &notify_states, entry) {
		for (i = 0; i < ns->nw; i++) {
			w = &ns->w[i];
			if (w->wd != wd)
				continue;
			if (!ns->tree && *w->rel != '\0')
				continue;
			wire = notify_wire_name(w, name);
			if (ns->filter & bits)
				notify_queue(ns, action, wire);
			free(wire);
			if (!ns->tree || !(mask & IN_ISDIR))
				break;
			/* Keep the watches of a tree in step with it. */
			xasprintf(&rel, "%s%s%s", w->rel,
			    *w->rel != '\0' ? "/" : "", name);
			if (mask & (IN_CREATE | IN_MOVED_TO))
				notify_watch_tree(ns, rel);
			else if (mask & IN_MOVED_FROM)
				notify_unwatch_tree(ns, rel);
			free(rel);
			break;
		}
	}
}

/*
 * Windows reports a renamed file (not a directory) also as MODIFIED
 * under its new name, to a handle that asked for ATTRIBUTES but not
 * CREATION (as Windows Server and Samba do; smb2.notify.mask-change
 * and smb2.notify.rec check both sides).
 */
static void
notify_deliver_renamed(int wd, const char *name)
{
	struct notify_state *ns;
	char *wire;
	size_t i;

	TAILQ_FOREACH(ns, &notify_states, entry) {
		if (!(ns->filter & FILE_NOTIFY_CHANGE_ATTRIBUTES) ||
		    (ns->filter & FILE_NOTIFY_CHANGE_CREATION))
			continue;
		for (i = 0; i < ns->nw; i++) {
			if (ns->w[i].wd != wd ||
			    (!ns->tree && *ns->w[i].rel != '\0'))
				continue;
			wire = notify_wire_name(&ns->w[i], name);
			notify_queue(ns, FILE_ACTION_MODIFIED, wire);
			free(wire);
			break;
		}
	}
}

/* A rename whose IN_MOVED_TO never came moved the name out of sight. */
static void
notify_moved_flush(void)
{
	if (!notify_moved.valid)
		return;
	notify_moved.valid = 0;
	notify_deliver(notify_moved.wd, notify_moved.mask,
	    FILE_ACTION_REMOVED, notify_moved.name);
}

static void
notify_event(const struct inotify_event *ie)
{
	struct notify_state *ns;
	size_t i;

	if (ie->mask & IN_Q_OVERFLOW) {
		/* The kernel dropped events: every handle must rescan. */
		log_warnx("notify: inotify queue overflow");
		TAILQ_FOREACH(ns, &notify_states, entry)
			ns->overflow = 1;
		return;
	}
	if (ie->mask & IN_IGNORED) {
		TAILQ_FOREACH(ns, &notify_states, entry)
			for (i = 0; i < ns->nw; )
				if (ns->w[i].wd == ie->wd)
					notify_watch_del(ns, i, 0);
				else
					i++;
		return;
	}
	if (ie->mask & IN_DELETE_SELF) {
		TAILQ_FOREACH(ns, &notify_states, entry)
			for (i = 0; i < ns->nw; i++)
				if (ns->w[i].wd == ie->wd &&
				    *ns->w[i].rel == '\0')
					ns->deleted = 1;
		return;
	}
	if (ie->len == 0 || ie->name[0] == '\0')
		return;	/* the directory itself, not an entry */

	if (notify_moved.valid && (!(ie->mask & IN_MOVED_TO) ||
	    ie->cookie != notify_moved.cookie))
		notify_moved_flush();
	if (ie->mask & IN_MOVED_FROM) {
		notify_created_event(ie->wd, ie->name, CREATED_END);
		notify_moved.valid = 1;
		notify_moved.wd = ie->wd;
		notify_moved.cookie = ie->cookie;
		notify_moved.mask = ie->mask;
		snprintf(notify_moved.name, sizeof(notify_moved.name), "%s",
		    ie->name);
		return;
	}
	if (ie->mask & IN_MOVED_TO) {
		if (notify_moved.valid) {
			/* Within one directory a rename is old and new
			 * name; between two it is removed and added. */
			notify_moved.valid = 0;
			if (notify_moved.wd == ie->wd) {
				notify_deliver(notify_moved.wd,
				    notify_moved.mask,
				    FILE_ACTION_RENAMED_OLD_NAME,
				    notify_moved.name);
				notify_deliver(ie->wd, ie->mask,
				    FILE_ACTION_RENAMED_NEW_NAME, ie->name);
			} else {
				notify_deliver(notify_moved.wd,
				    notify_moved.mask, FILE_ACTION_REMOVED,
				    notify_moved.name);
				notify_deliver(ie->wd, ie->mask,
				    FILE_ACTION_ADDED, ie->name);
			}
			if (!(ie->mask & IN_ISDIR))
				notify_deliver_renamed(ie->wd, ie->name);
		} else
			notify_deliver(ie->wd, ie->mask, FILE_ACTION_ADDED,
			    ie->name);
		return;
	}
	if (ie->mask & IN_CREATE) {
		notify_created_add(ie->wd, ie->name);
		notify_deliver(ie->wd, ie->mask, FILE_ACTION_ADDED, ie->name);
		return;
	}
	if (ie->mask & IN_DELETE) {
		notify_created_event(ie->wd, ie->name, CREATED_END);
		notify_deliver(ie->wd, ie->mask, FILE_ACTION_REMOVED,
		    ie->name);
		return;
	}
	if (ie->mask & IN_CLOSE_NOWRITE) {
		notify_created_event(ie->wd, ie->name, CREATED_CLOSE);
		return;
	}
	if (ie->mask & IN_CLOSE_WRITE) {
		notify_created_event(ie->wd, ie->name, CREATED_END);
		return;
	}
	if (ie->mask & IN_MODIFY) {
		notify_created_event(ie->wd, ie->name, CREATED_END);
		notify_deliver(ie->wd, ie->mask, FILE_ACTION_MODIFIED,
		    ie->name);
		return;
	}
	if (ie->mask & IN_ATTRIB) {
		if (notify_created_event(ie->wd, ie->name, CREATED_ATTRIB))
			return;
		notify_deliver(ie->wd, ie->mask, FILE_ACTION_MODIFIED,
		    ie->name);
	}
}

/* Take every event the kernel has, then answer what can be answered. */
static void
notify_drain(void)
{
	char buf[16384] __attribute__((aligned(8)));
	const struct inotify_event *ie;
	struct notify_state *ns, *next;
	ssize_t n;
	char *p;

	if (notify_fd == -1)
		return;
	for (;;) {
		n = read(notify_fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (p = buf; p + sizeof(*ie) <= buf + n;
		    p += sizeof(*ie) + ie->len) {
			ie = (const struct inotify_event *)(const void *)p;
			if (p + sizeof(*ie) + ie->len > buf + n)
				break;
			notify_event(ie);
		}
	}
	notify_moved_flush();
	for (ns = TAILQ_FIRST(&notify_states); ns != NULL; ns = next) {
		next = TAILQ_NEXT(ns, entry);
		notify_flush(ns);
	}
}

static void
notify_readcb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	notify_drain();
}

static void
notify_cancel(struct smb2_conn *c, struct smb2_async *a)
{
	struct notify_req *r = a->arg;

	/* A logoff or disconnect cleans up; a CANCEL cancels. */
	notify_req_done(r, c->cancel_status != 0 ? c->cancel_status :
	    NT_STATUS_CANCELLED, 0);
}

/* The handle closes: waiting requests end with NOTIFY_CLEANUP. */
void
smb2_notify_close(struct smb2_open *o)
{
	struct notify_state *ns = o->notify;
	struct notify_req *r;

	if (ns == NULL)
		return;
	while ((r = TAILQ_FIRST(&ns->reqs)) != NULL)
		notify_req_done(r, NT_STATUS_NOTIFY_CLEANUP, 0);
	TAILQ_REMOVE(&notify_states, ns, entry);
	while (ns->nw > 0) {
		/* Unlinked from the list, its watches are unused if no
		 * other handle has them. */
		notify_watch_del(ns, ns->nw - 1, 1);
	}
	free(ns->w);
	wbuf_free(&ns->buf);
	free(ns->lastname);
	free(ns);
	o->notify = NULL;
}

/*
 * An open of a directory with delete-on-close closes: the directory is
 * delete pending, and the requests waiting on other handles of it end
 * with DELETE_PENDING (MS-FSA 2.1.5.4).  Only this worker's handles
 * hear it; those of other workers hear it when it is removed.
 */
void
smb2_notify_delete_pending(const struct smb2_open *closing)
{
	struct notify_state *ns, *next;

	for (ns = TAILQ_FIRST(&notify_states); ns != NULL; ns = next) {
		next = TAILQ_NEXT(ns, entry);
		if (ns->o == closing ||
		    ns->o->st.st_dev != closing->st.st_dev ||
		    ns->o->st.st_ino != closing->st.st_ino)
			continue;
		ns->deleted = 1;
		notify_flush(ns);
	}
}

static int
notify_init(struct smb2_conn *c)
{
	if (notify_fd != -1)
		return 0;
	if ((notify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		log_warn("notify: inotify_init1");
		return -1;
	}
	notify_ev = event_new(c->base, notify_fd, EV_READ | EV_PERSIST,
	    notify_readcb, NULL);
	if (notify_ev == NULL || event_add(notify_ev, NULL) == -1)
		fatalx("notify event");
	return 0;
}

static struct notify_state *
notify_state_new(struct smb2_conn *c, struct smb2_open *o, uint32_t filter,
    int tree, uint32_t outlen)
{
	struct notify_state *ns;

	ns = xcalloc(1, sizeof(*ns));
	ns->o = o;
	ns->filter = filter;
	ns->tree = tree;
	/* The first request sizes the buffer for the handle's life. */
	ns->bufmax = outlen;
	wbuf_init(&ns->buf, outlen > 0 ? outlen : 1);
	TAILQ_INIT(&ns->reqs);
	TAILQ_INSERT_TAIL(&notify_states, ns, entry);
	if (notify_watch_add(ns, "", &o->st) == -1) {
		if (!ns->limited) {
			log_warnx("%s: notify: cannot watch \"%s\"", c->peer,
			    o->path);
			TAILQ_REMOVE(&notify_states, ns, entry);
			wbuf_free(&ns->buf);
			free(ns);
			return NULL;
		}
	} else if (tree)
		notify_scan(ns, 0);
	return ns;
}

uint32_t
smb2_cmd_change_notify(struct smb2_conn *c, struct smb2_req *req)
{
	struct notify_state *ns;
	struct notify_req *r;
	struct smb2_open *o;
	struct rbuf rb = req->body;
	uint16_t ssize, flags;
	uint32_t outlen, filter, reserved;
	uint8_t id[16];

	rbuf_get_u16le(&rb, &ssize);
	rbuf_get_u16le(&rb, &flags);
	rbuf_get_u32le(&rb, &outlen);
	rbuf_get_bytes(&rb, id, 16);
	rbuf_get_u32le(&rb, &filter);
	rbuf_get_u32le(&rb, &reserved);
	if (rbuf_error(&rb))
		return NT_STATUS_INVALID_PARAMETER;
	if ((o = smb2_open_lookup(c, req, id)) == NULL)
		return NT_STATUS_FILE_CLOSED;
	if (o->tree->ss != NULL && !o->tree->ss->share->change_notify)
		return NT_STATUS_NOT_IMPLEMENTED;	/* change notify = no */
	if (!o->is_dir || o->tree->ss == NULL || outlen > c->max_trans)
		return NT_STATUS_INVALID_PARAMETER;
	if (!(o->access & FILE_LIST_DIRECTORY))
		return NT_STATUS_ACCESS_DENIED;
	/*
	 * Only the last request of a compound chain may go asynchronous;
	 * one in the middle fails, and the chain goes on (MS-SMB2 3.3.5.2.7
	 * note, what Windows and Samba answer: smb2.compound.interim2).
	 */
	if (req->hdr.next_command != 0)
		return NT_STATUS_INTERNAL_ERROR;
	if ((ns = o->notify) == NULL) {
		if (notify_init(c) == -1)
			return NT_STATUS_INSUFFICIENT_RESOURCES;
		if ((ns = notify_state_new(c, o, filter,
		    (flags & SMB2_WATCH_TREE) != 0, outlen)) == NULL)
			return NT_STATUS_INTERNAL_ERROR;
		o->notify = ns;
	}
	/* What happened before this request is its to report. */
	notify_drain();
	if (ns->deleted)
		return NT_STATUS_DELETE_PENDING;
	if (TAILQ_EMPTY(&ns->reqs) && (ns->overflow || ns->nchanges > 0)) {
		if (ns->overflow || wbuf_len(&ns->buf) > outlen) {
			ns->overflow = 0;
			notify_buf_reset(ns);
			return NT_STATUS_NOTIFY_ENUM_DIR;
		}
		wbuf_reset(req->out);
		wbuf_put_u16le(req->out, 9);
		wbuf_put_u16le(req->out, SMB2_HDR_LEN + 8);
		wbuf_put_u32le(req->out, (uint32_t)wbuf_len(&ns->buf));
		wbuf_put_bytes(req->out, wbuf_data(&ns->buf),
		    wbuf_len(&ns->buf));
		notify_buf_reset(ns);
		return NT_STATUS_SUCCESS;
	}
	if (ns->nreqs >= NOTIFY_MAX_WAITING || smb2_async_full(c))
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	r = xcalloc(1, sizeof(*r));
	r->ns = ns;
	r->c = c;
	r->maxlen = outlen;
	r->a = smb2_async_new(c, req, notify_cancel, r);
	TAILQ_INSERT_TAIL(&ns->reqs, r, entry);
	ns->nreqs++;
	return SMB2_ASYNC;
}
