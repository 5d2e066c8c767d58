/*
 * CHANGE_NOTIFY (MS-SMB2 2.2.35, 2.2.36, 3.3.5.19) on inotify: the
 * request goes asynchronous and completes when the directory changes,
 * when it is cancelled, or with NOTIFY_CLEANUP when its handle closes.
 * Only the directory itself is watched; WATCH_TREE is answered for its
 * direct entries (inotify is not recursive).
 */
#include "config.h"

#include <sys/inotify.h>

#include <errno.h>
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
#include "smb2.h"
#include "smb2_conn.h"
#include "smb2_file.h"
#include "smb2_notify.h"
#include "smb2_tree.h"
#include "unicode.h"
#include "util.h"

#define FILE_ACTION_ADDED		1
#define FILE_ACTION_REMOVED		2
#define FILE_ACTION_MODIFIED		3
#define FILE_ACTION_RENAMED_OLD_NAME	4
#define FILE_ACTION_RENAMED_NEW_NAME	5

#define NOTIFY_EVENTS	(IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | \
			    IN_MOVED_FROM | IN_MOVED_TO)

/* CompletionFilter bits (MS-SMB2 2.2.35). */
#define FILE_NOTIFY_CHANGE_FILE_NAME	0x001
#define FILE_NOTIFY_CHANGE_DIR_NAME	0x002
#define FILE_NOTIFY_CHANGE_ATTRIBUTES	0x004
#define FILE_NOTIFY_CHANGE_SIZE		0x008
#define FILE_NOTIFY_CHANGE_LAST_WRITE	0x010
#define FILE_NOTIFY_CHANGE_LAST_ACCESS	0x020
#define FILE_NOTIFY_CHANGE_SECURITY	0x100

struct notify_state {
	struct smb2_conn	*c;
	struct smb2_open	*o;
	int			 fd;
	struct event		*ev;
	struct smb2_async	*pending;
	uint32_t		 maxlen;
	uint32_t		 filter;
};

/* Does the client's CompletionFilter ask for this kind of change? */
static int
notify_wanted(uint32_t filter, uint32_t mask)
{
	uint32_t names = (mask & IN_ISDIR) ? FILE_NOTIFY_CHANGE_DIR_NAME :
	    FILE_NOTIFY_CHANGE_FILE_NAME;

	if (mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO))
		return (filter & names) != 0;
	if (mask & IN_MODIFY)
		return (filter & (FILE_NOTIFY_CHANGE_SIZE |
		    FILE_NOTIFY_CHANGE_LAST_WRITE)) != 0;
	if (mask & IN_ATTRIB)
		return (filter & (FILE_NOTIFY_CHANGE_ATTRIBUTES |
		    FILE_NOTIFY_CHANGE_LAST_WRITE |
		    FILE_NOTIFY_CHANGE_LAST_ACCESS |
		    FILE_NOTIFY_CHANGE_SECURITY)) != 0;
	return 0;
}

static uint32_t
notify_action(uint32_t mask)
{
	if (mask & IN_CREATE)
		return FILE_ACTION_ADDED;
	if (mask & IN_DELETE)
		return FILE_ACTION_REMOVED;
	if (mask & IN_MOVED_FROM)
		return FILE_ACTION_RENAMED_OLD_NAME;
	if (mask & IN_MOVED_TO)
		return FILE_ACTION_RENAMED_NEW_NAME;
	return FILE_ACTION_MODIFIED;
}

static void
notify_finish(struct notify_state *ns, uint32_t status, struct wbuf *list)
{
	struct smb2_async *a = ns->pending;
	struct wbuf body;

	if (a == NULL)
		return;
	ns->pending = NULL;
	wbuf_init(&body, 16 + (list != NULL ? wbuf_len(list) : 0));
	if (list != NULL) {
		wbuf_put_u16le(&body, 9);
		wbuf_put_u16le(&body, SMB2_HDR_LEN + 8);
		wbuf_put_u32le(&body, (uint32_t)wbuf_len(list));
		wbuf_put_bytes(&body, wbuf_data(list), wbuf_len(list));
		if (wbuf_len(list) == 0)
			wbuf_put_u8(&body, 0);
		smb2_async_complete(ns->c, a, status, wbuf_data(&body),
		    wbuf_len(&body));
	} else
		smb2_async_complete(ns->c, a, status, NULL, 0);
	wbuf_free(&body);
}

/* The directory changed: answer the pending request with the list. */
static void
notify_readcb(evutil_socket_t fd, short what, void *arg)
{
	struct notify_state *ns = arg;
	char buf[8192] __attribute__((aligned(8)));
	const struct inotify_event *ie;
	struct wbuf list, nm;
	uint32_t lastaction = 0;
	char lastname[NAME_MAX + 1] = "";
	size_t prev = (size_t)-1, off;
	ssize_t n;
	char *p;
	int overflow = 0;

	if (ns->pending == NULL)
		return;	/* keep the events until a request waits */
	if ((n = read(fd, buf, sizeof(buf))) <= 0)
		return;
	wbuf_init(&list, ns->maxlen > 0 ? ns->maxlen : 1);
	for (p = buf; p < buf + n; p += sizeof(*ie) + ie->len) {
		ie = (const struct inotify_event *)(const void *)p;
		if (ie->len == 0 || !notify_wanted(ns->filter, ie->mask))
			continue;
		/* One write is many IN_MODIFY events: report it once. */
		if (notify_action(ie->mask) == lastaction &&
		    strcmp(ie->name, lastname) == 0)
			continue;
		lastaction = notify_action(ie->mask);
		snprintf(lastname, sizeof(lastname), "%s", ie->name);
		wbuf_init(&nm, 4 * ie->len + 8);
		if (utf8_to_utf16le(ie->name, strlen(ie->name), &nm) == -1) {
			wbuf_free(&nm);
			continue;
		}
		wbuf_align(&list, 4);
		off = wbuf_len(&list);
		wbuf_put_u32le(&list, 0);
		wbuf_put_u32le(&list, notify_action(ie->mask));
		wbuf_put_u32le(&list, (uint32_t)wbuf_len(&nm));
		wbuf_put_bytes(&list, wbuf_data(&nm), wbuf_len(&nm));
		wbuf_free(&nm);
		if (wbuf_error(&list)) {
			overflow = 1;
			break;
		}
		if (prev != (size_t)-1)
			wbuf_set_u32le(&list, prev, (uint32_t)(off - prev));
		prev = off;
	}
	if (overflow || ns->maxlen == 0) {
		/* Too much to tell: the client must enumerate again. */
		wbuf_free(&list);
		notify_finish(ns, NT_STATUS_NOTIFY_ENUM_DIR, NULL);
		return;
	}
	if (prev == (size_t)-1) {
		wbuf_free(&list);
		return;
	}
	notify_finish(ns, NT_STATUS_SUCCESS, &list);
	wbuf_free(&list);
}

static void
notify_cancel(struct smb2_conn *c, struct smb2_async *a)
{
	struct notify_state *ns = a->arg;

	ns->pending = a;
	/* A logoff or disconnect cleans up; a CANCEL cancels. */
	notify_finish(ns, c->cancel_status != 0 ? c->cancel_status :
	    NT_STATUS_CANCELLED, NULL);
}

/* The handle closes: a waiting request ends with NOTIFY_CLEANUP. */
void
smb2_notify_close(struct smb2_open *o)
{
	struct notify_state *ns = o->notify;

	if (ns == NULL)
		return;
	notify_finish(ns, NT_STATUS_NOTIFY_CLEANUP, NULL);
	if (ns->ev != NULL)
		event_free(ns->ev);
	if (ns->fd != -1)
		close(ns->fd);
	free(ns);
	o->notify = NULL;
}

uint32_t
smb2_cmd_change_notify(struct smb2_conn *c, struct smb2_req *req)
{
	struct notify_state *ns;
	struct smb2_open *o;
	struct rbuf r = req->body;
	uint16_t ssize, flags;
	uint32_t outlen, filter, reserved;
	uint8_t id[16];
	char *path;

	rbuf_get_u16le(&r, &ssize);
	rbuf_get_u16le(&r, &flags);
	rbuf_get_u32le(&r, &outlen);
	rbuf_get_bytes(&r, id, 16);
	rbuf_get_u32le(&r, &filter);
	rbuf_get_u32le(&r, &reserved);
	if (rbuf_error(&r))
		return NT_STATUS_INVALID_PARAMETER;
	if ((o = smb2_open_lookup(c, req, id)) == NULL)
		return NT_STATUS_FILE_CLOSED;
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
		ns = xcalloc(1, sizeof(*ns));
		ns->c = c;
		ns->o = o;
		if ((ns->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
			free(ns);
			return ntstatus_from_errno(errno);
		}
		/* The share's own path is inside the sandbox's rules. */
		xasprintf(&path, "%s%s%s", o->tree->ss->share->path,
		    *o->path != '\0' ? "/" : "", o->path);
		if (inotify_add_watch(ns->fd, path, NOTIFY_EVENTS |
		    IN_ONLYDIR) == -1) {
			log_warn("%s: watch %s", c->peer, path);
			free(path);
			close(ns->fd);
			free(ns);
			return NT_STATUS_INTERNAL_ERROR;
		}
		free(path);
		ns->ev = event_new(c->base, ns->fd, EV_READ | EV_PERSIST,
		    notify_readcb, ns);
		if (ns->ev == NULL || event_add(ns->ev, NULL) == -1)
			fatalx("notify event");
		o->notify = ns;
	}
	if (ns->pending != NULL)
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	ns->maxlen = outlen;
	ns->filter = filter;
	ns->pending = smb2_async_new(c, req, notify_cancel, ns);
	/* Changes that came while no request waited are answered now. */
	event_active(ns->ev, EV_READ, 0);
	return SMB2_ASYNC;
}
