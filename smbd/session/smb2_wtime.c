/*
 * Delayed LastWriteTime updates, per open, on the worker's event loop.
 *
 * Linux moves st_mtime on every write.  Windows (and Samba 4.17, which
 * smbtorture's smb2.timestamps.delayed-* tests describe) move
 * LastWriteTime once, a little after the first write through a handle;
 * later writes through that handle leave it alone until the handle
 * closes, and FLUSH, a change of the end of file or any SET_INFO of
 * FileBasicInformation applies a pending update at once.  A write time
 * the client set explicitly (or froze with -1) is not moved by writes
 * through that handle at all (MS-FSA 2.1.5.14.2).
 *
 * The kernel's mtime is left to move on writes (no system call per
 * write); what the client sees is corrected from the open's state:
 * wt_shown is reported while wt_override is set, and the kernel's value
 * is put right with futimens() when the timer fires or the handle
 * closes.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "session_ident.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_wtime.h"

enum {
	WT_NONE = 0,	/* not written through this handle */
	WT_PENDING,	/* written; the update waits for the timer */
	WT_DONE		/* updated once; writes since set wt_dirty */
};

/* Opens of this worker whose write time is reported from wt_shown. */
static size_t wt_noverride;

static void
wt_set_override(struct smb2_open *o, int on)
{
	if (on && !o->wt_override)
		wt_noverride++;
	else if (!on && o->wt_override)
		wt_noverride--;
	o->wt_override = on;
}

static void
wt_cancel(struct smb2_open *o)
{
	if (o->wt_ev != NULL)
		event_del(o->wt_ev);
}

/* Move the kernel's mtime to now and remember what it became. */
static void
wt_touch(struct smb2_open *o)
{
	struct timespec ts[2];
	struct stat st;

	/*
	 * The precise clock, not the kernel's coarse one, so that the time
	 * is never before a client's own idea of "now" (delayed-2write);
	 * a user who may write but does not own the file gets UTIME_NOW,
	 * which needs write access only.
	 */
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	clock_gettime(CLOCK_REALTIME, &ts[1]);
	if (futimens(o->fd, ts) == -1) {
		ts[1].tv_nsec = UTIME_NOW;
		if (futimens(o->fd, ts) == -1)
			log_debug("write time of %s: %s", o->path,
			    strerror(errno));
	}
	if (fstat(o->fd, &st) == 0)
		o->wt_shown = st.st_mtim;
}

/* The pending update happens now (timer, FLUSH, SET_INFO). */
static void
wt_apply(struct smb2_open *o)
{
	wt_cancel(o);
	wt_touch(o);
	o->wt_state = WT_DONE;
	o->wt_dirty = 0;
	wt_set_override(o, 0);
}

static void
wt_timer(evutil_socket_t fd, short ev, void *arg)
{
	struct smb2_open *o = arg;

	(void)fd;
	(void)ev;
	if (o->wt_state == WT_PENDING) {
		session_ident_tree(o->tree);
		wt_apply(o);
	}
}

void
smb2_wt_write(struct smb2_conn *c, struct smb2_open *o)
{
	struct timeval tv = { SMB2_WT_DELAY_SEC, 0 };
	struct stat st;

	if (o->fd == -1 || o->is_dir || o->stream != NULL)
		return;
	if (o->wt_sticky) {
		/* The time stays what the client set; fixed at close. */
		o->wt_dirty = 1;
		wt_set_override(o, 1);
		return;
	}
	switch (o->wt_state) {
	case WT_NONE:
		/* The only system call: the time the write must not show. */
		if (fstat(o->fd, &st) == -1)
			return;
		o->wt_shown = st.st_mtim;
		wt_set_override(o, 1);
		o->wt_state = WT_PENDING;
		if (o->wt_ev == NULL &&
		    (o->wt_ev = evtimer_new(c->base, wt_timer, o)) == NULL) {
			log_warnx("%s: no timer for the write time of %s",
			    c->peer, o->path);
			wt_apply(o);
			return;
		}
		evtimer_add(o->wt_ev, &tv);
		break;
	case WT_PENDING:
		break;
	default:
		o->wt_dirty = 1;
		wt_set_override(o, 1);
		break;
	}
}

void
smb2_wt_flush(struct smb2_open *o)
{
	if (o->wt_state == WT_PENDING)
		wt_apply(o);
}

void
smb2_wt_modified(struct smb2_open *o)
{
	if (o->wt_sticky) {
		o->wt_dirty = 1;
		wt_set_override(o, 1);
		return;
	}
	/* The change set the kernel's time to now: nothing is owed. */
	wt_cancel(o);
	if (o->wt_state != WT_NONE)
		o->wt_state = WT_DONE;
	o->wt_dirty = 0;
	wt_set_override(o, 0);
}

/* Another open of the file: an explicit time replaces what it owed. */
static void
wt_forget(struct smb2_open *o, void *arg)
{
	const struct smb2_open *setter = arg;

	if (o == setter || o->fd == -1 || o->stream != NULL ||
	    o->st.st_dev != setter->st.st_dev ||
	    o->st.st_ino != setter->st.st_ino || o->wt_sticky)
		return;
	wt_cancel(o);
	if (o->wt_state != WT_NONE)
		o->wt_state = WT_DONE;
	o->wt_dirty = 0;
	wt_set_override(o, 0);
}

void
smb2_wt_setbasic(struct smb2_open *o, uint64_t wt)
{
	struct timespec ts[2];
	struct stat st;

	if (o->fd == -1 || o->is_dir || o->stream != NULL)
		return;
	/* Windows applies a pending update even for an all-zero set. */
	if (o->wt_state == WT_PENDING)
		wt_apply(o);
	if ((int64_t)wt == -1) {
		/* Frozen at what it is now, as the client sees it. */
		if (!o->wt_sticky) {
			if (fstat(o->fd, &st) == 0)
				o->wt_shown = st.st_mtim;
			o->wt_sticky = 1;
		}
	} else if ((int64_t)wt == -2) {
		if (o->wt_sticky && o->wt_dirty) {
			/* Writes while frozen must not show. */
			ts[0].tv_sec = 0;
			ts[0].tv_nsec = UTIME_OMIT;
			ts[1] = o->wt_shown;
			(void)futimens(o->fd, ts);
		}
		o->wt_sticky = 0;
		o->wt_dirty = 0;
		wt_set_override(o, 0);
		o->wt_state = WT_NONE;
	} else if (wt != 0) {
		/* The caller sets the kernel's time; it sticks here. */
		smb2_timespec(wt, &o->wt_shown);
		o->wt_sticky = 1;
		o->wt_dirty = 0;
		wt_set_override(o, 0);
		wt_cancel(o);
		smb2_open_foreach(wt_forget, o);
	}
}

void
smb2_wt_close(struct smb2_open *o)
{
	struct timespec ts[2];

	if (o->wt_ev != NULL) {
		event_free(o->wt_ev);
		o->wt_ev = NULL;
	}
	if (o->fd == -1)
		return;
	if (o->wt_sticky && o->wt_dirty) {
		ts[0].tv_sec = 0;
		ts[0].tv_nsec = UTIME_OMIT;
		ts[1] = o->wt_shown;
		(void)futimens(o->fd, ts);
	} else if (!o->wt_sticky && (o->wt_state == WT_PENDING ||
	    (o->wt_state == WT_DONE && o->wt_dirty)))
		wt_touch(o);
	o->wt_state = WT_NONE;
	o->wt_dirty = 0;
	wt_set_override(o, 0);
	o->wt_sticky = 0;
}

struct wt_find {
	const struct stat	*st;
	const struct smb2_open	*found;
};

static void
wt_find(struct smb2_open *o, void *arg)
{
	struct wt_find *f = arg;

	if (f->found == NULL && o->wt_override &&
	    o->st.st_dev == f->st->st_dev && o->st.st_ino == f->st->st_ino)
		f->found = o;
}

void
smb2_wt_stat(const struct smb2_open *o, struct stat *st)
{
	if (o != NULL && o->wt_override) {
		st->st_mtim = o->wt_shown;
		return;
	}
	/*
	 * Another open of the same file may owe an update: every handle
	 * and directory listing of this worker sees the same time, as
	 * Samba's share-mode entry gives it.  Nothing to look up, and no
	 * cost, while no open owes one.
	 */
	smb2_wt_stat_inode(st);
}

void
smb2_wt_stat_inode(struct stat *st)
{
	struct wt_find f = { st, NULL };

	if (wt_noverride == 0 || S_ISDIR(st->st_mode))
		return;
	smb2_open_foreach(wt_find, &f);
	if (f.found != NULL)
		st->st_mtim = f.found->wt_shown;
}
