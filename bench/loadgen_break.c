/*
 * The break round trips of usmbd-loadgen: what it costs a server to take
 * back what a client caches when another open of the file comes.
 *
 * One operation, on the slot's own file and on one connection:
 *
 *  0. CREATE asking for a batch oplock (break) or an RWH lease (lbreak);
 *     a server that grants neither fails the operation, so that a figure
 *     never hides that nothing was broken;
 *  1. a second CREATE of the file, for reading, without caching.  The
 *     server breaks the first open's oplock or lease (MS-SMB2 3.3.4.6)
 *     and sends the second CREATE's answer once the break is
 *     acknowledged: the slot answers the break as soon as it comes;
 *  2. CLOSE of both.
 *
 * The second CREATE's latency (the CREATE row of -v) is the break round
 * trip; the operation's is the whole cycle.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "fscc.h"
#include "ntstatus.h"
#include "smb2.h"
#include "util.h"

#include "loadgen.h"

#define LG_OPLOCK_BATCH		0x09
#define LG_OPLOCK_LEASE		0xFF
#define LG_LEASE_RWH		0x07
#define LG_BREAK_ACK_REQUIRED	0x01
/* The body sizes of the two break notifications (2.2.23). */
#define LG_OPLOCK_BREAK_SIZE	24
#define LG_LEASE_BREAK_SIZE	44

#define RD	(FILE_READ_ATTRIBUTES | SYNCHRONIZE)

/* Each slot's lease key: its number, and a mark of this generator. */
static void
break_key(const struct lg_slot *s, uint8_t key[16])
{
	memset(key, 0, 16);
	memcpy(key, "usmbd-lg", 8);
	key[8] = (uint8_t)s->gidx;
	key[9] = (uint8_t)(s->gidx >> 8);
	key[10] = (uint8_t)(s->gidx >> 16);
	key[11] = (uint8_t)(s->gidx >> 24);
}

static int
break_lease(const struct lg_conn *c)
{
	return c->ph->work->arg != NULL;
}

static int
break_prepare(struct lg_phase *ph)
{
	return lg_prep_slot_files(ph, "b");
}

static int
break_start(struct lg_slot *s)
{
	return lg_work_next(s);
}

static int
break_send(struct lg_slot *s)
{
	struct lg_conn *c = s->conn;
	char name[LG_NAME];
	uint8_t key[16];

	snprintf(name, sizeof(name), "%s/b%d", c->ph->rundir, s->gidx);
	switch (s->step) {
	case 0:
		break_key(s, key);
		lg_put_create_cache(lg_req(c, SMB2_CREATE, 0), name,
		    FILE_READ_DATA | FILE_WRITE_DATA | RD, FILE_OPEN,
		    FILE_NON_DIRECTORY_FILE, FILE_ATTRIBUTE_NORMAL,
		    break_lease(c) ? LG_OPLOCK_LEASE : LG_OPLOCK_BATCH,
		    break_lease(c) ? key : NULL, LG_LEASE_RWH);
		lg_send(c, s);
		return 1;
	case 1:
		lg_put_create(lg_req(c, SMB2_CREATE, 0), name,
		    FILE_READ_DATA | RD, FILE_OPEN, FILE_NON_DIRECTORY_FILE,
		    FILE_ATTRIBUTE_NORMAL);
		lg_send(c, s);
		return 1;
	default:
		/* Two unrelated requests in one compound, or the one open. */
		lg_put_close(lg_req(c, SMB2_CLOSE, 0), s->fid);
		if (memcmp(s->fid, s->fid2, 16) == 0) {
			lg_send(c, s);
			return 1;
		}
		lg_put_close(lg_req(c, SMB2_CLOSE, 0), s->fid2);
		lg_send(c, s);
		return 2;
	}
}

/* The oplock level a CREATE response grants (2.2.14). */
static int
break_granted(const struct lg_resp *r, uint8_t *level)
{
	struct rbuf b = r->msg;

	rbuf_seek(&b, SMB2_HEADER_SIZE + 2);
	return rbuf_get_u8(&b, level);
}

static int
break_resp(struct lg_slot *s, const struct lg_resp *r)
{
	uint8_t level = 0;

	switch (s->step) {
	case 0:
		if (!lg_work_ok(s, r))
			return LG_DONE;
		if (lg_get_create(r, s->fid, NULL) == -1 ||
		    break_granted(r, &level) == -1) {
			lg_count_error(s, r->hdr.command, NT_STATUS_SUCCESS);
			return LG_DONE;
		}
		/* Nothing to break: the server cached nothing. */
		if (level != (break_lease(s->conn) ? LG_OPLOCK_LEASE :
		    LG_OPLOCK_BATCH)) {
			lg_count_error(s, r->hdr.command, NT_STATUS_SUCCESS);
			memcpy(s->fid2, s->fid, 16);
			s->step = 2;
			return LG_NEXT;
		}
		s->step = 1;
		return LG_NEXT;
	case 1:
		/* The second open, or the answer to the acknowledgment. */
		if (r->hdr.command == SMB2_CREATE) {
			if (!lg_work_ok(s, r) ||
			    lg_get_create(r, s->fid2, NULL) == -1)
				memcpy(s->fid2, s->fid, 16);
		} else
			(void)lg_work_ok(s, r);
		if (s->nwait > 0)
			return LG_WAIT;
		s->step = 2;
		return LG_NEXT;
	default:
		(void)lg_work_ok(s, r);
		return s->nwait > 0 ? LG_WAIT : LG_DONE;
	}
}

/* The slot whose first open a break names, by FileId or lease key. */
static struct lg_slot *
break_slot(struct lg_conn *c, const uint8_t *id, int lease)
{
	uint8_t key[16];
	int i;

	for (i = 0; i < c->nslots; i++) {
		struct lg_slot *s = &c->slots[i];

		if (!s->busy || s->step != 1)
			continue;
		if (lease) {
			break_key(s, key);
			if (memcmp(key, id, 16) == 0)
				return s;
		} else if (memcmp(s->fid, id, 16) == 0)
			return s;
	}
	return NULL;
}

/*
 * A break notification: acknowledge it at once, as the slot's request.
 * An oplock break names the open (2.2.23.1), a lease break the lease
 * and the state to keep (2.2.23.2).
 */
static int
break_notify(struct lg_conn *c, const struct lg_resp *r)
{
	struct rbuf b = r->msg;
	struct lg_slot *s;
	uint8_t id[16], level = 0;
	uint16_t size = 0;
	uint32_t flags = 0, state = 0;

	rbuf_seek(&b, SMB2_HEADER_SIZE);
	rbuf_get_u16le(&b, &size);
	if (size == LG_OPLOCK_BREAK_SIZE) {
		rbuf_get_u8(&b, &level);
		rbuf_skip(&b, 5);
		rbuf_get_bytes(&b, id, 16);
	} else if (size == LG_LEASE_BREAK_SIZE) {
		rbuf_skip(&b, 2);
		rbuf_get_u32le(&b, &flags);
		rbuf_get_bytes(&b, id, 16);
		rbuf_skip(&b, 4);
		rbuf_get_u32le(&b, &state);
	}
	if (rbuf_error(&b) || (size != LG_OPLOCK_BREAK_SIZE &&
	    size != LG_LEASE_BREAK_SIZE))
		return -1;
	if ((s = break_slot(c, id, size == LG_LEASE_BREAK_SIZE)) == NULL)
		return 0;	/* an open the slot no longer waits on */
	if (size == LG_LEASE_BREAK_SIZE && !(flags & LG_BREAK_ACK_REQUIRED))
		return 0;
	if (!lg_can_send(c, 1)) {
		lg_count_error(s, SMB2_OPLOCK_BREAK, NT_STATUS_SUCCESS);
		return 0;
	}
	if (size == LG_LEASE_BREAK_SIZE)
		lg_put_lease_ack(lg_req(c, SMB2_OPLOCK_BREAK, 0), id, state);
	else
		lg_put_oplock_ack(lg_req(c, SMB2_OPLOCK_BREAK, 0), id, level);
	if (lg_send(c, s) == -1)
		return -1;
	s->nwait++;
	return 0;
}

/* Anything not NULL: the lease form. */
static const int lease_arg = 1;

const struct lg_work lg_work_breaks[] = {
	{ .name = "break", .what = "CREATE with a batch oplock, a second "
	    "CREATE that breaks it, CLOSE both", .prepare = break_prepare,
	    .start = break_start, .send = break_send, .resp = break_resp,
	    .arg = NULL, .chain = 2, .notify = break_notify },
	{ .name = "lbreak", .what = "the same with an RWH lease",
	    .prepare = break_prepare, .start = break_start,
	    .send = break_send, .resp = break_resp, .arg = &lease_arg,
	    .chain = 2, .notify = break_notify },
};
const size_t lg_work_nbreaks = nitems(lg_work_breaks);
