/*
 * The SMB2 credit window.  See smb2_credits.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "smb2_credits.h"
#include "util.h"

static uint32_t
smb2_credits_cap(uint32_t max)
{
	uint32_t cap = 64;

	/*
	 * Room for twice the maximum, so that a client that keeps one old
	 * id unused for a while still gets credits.
	 */
	while (cap < 2 * max && cap < (1U << 20))
		cap <<= 1;
	return cap;
}

void
smb2_credits_init(struct smb2_credits *c, uint32_t max)
{
	memset(c, 0, sizeof(*c));
	if (max == 0)
		max = 1;
	c->max = max;
	c->cap = smb2_credits_cap(max);
	c->used = xcalloc(c->cap / 64, sizeof(uint64_t));
	c->lo = 0;
	c->hi = 1;
	c->outstanding = 1;
}

void
smb2_credits_free(struct smb2_credits *c)
{
	free(c->used);
	c->used = NULL;
}

static int
smb2_credits_isused(const struct smb2_credits *c, uint64_t id)
{
	uint64_t bit = id & (c->cap - 1);

	return (c->used[bit / 64] >> (bit % 64)) & 1;
}

static void
smb2_credits_setused(struct smb2_credits *c, uint64_t id, int on)
{
	uint64_t bit = id & (c->cap - 1);

	if (on)
		c->used[bit / 64] |= 1ULL << (bit % 64);
	else
		c->used[bit / 64] &= ~(1ULL << (bit % 64));
}

int
smb2_credits_consume(struct smb2_credits *c, uint64_t mid, uint16_t charge)
{
	uint64_t i;

	if (charge == 0)
		charge = 1;
	/* The whole range must lie in [lo, hi) without wrapping. */
	if (mid < c->lo || mid >= c->hi || charge > c->hi - mid)
		return -1;
	for (i = mid; i < mid + charge; i++)
		if (smb2_credits_isused(c, i))
			return -1;
	for (i = mid; i < mid + charge; i++)
		smb2_credits_setused(c, i, 1);
	c->outstanding -= charge;
	/* Slide the bottom of the window past every used id. */
	while (c->lo < c->hi && smb2_credits_isused(c, c->lo)) {
		smb2_credits_setused(c, c->lo, 0);
		c->lo++;
	}
	return 0;
}

uint16_t
smb2_credits_grant(struct smb2_credits *c, uint16_t requested)
{
	uint64_t room;
	uint32_t n;

	n = requested == 0 ? 1 : requested;
	if (c->outstanding >= c->max)
		n = 0;
	else if (n > c->max - c->outstanding)
		n = c->max - c->outstanding;
	/* The ring must cover [lo, hi + n). */
	room = c->cap - (c->hi - c->lo);
	if (n > room)
		n = (uint32_t)room;
	if (n == 0 && c->outstanding == 0 && room > 0)
		n = 1;
	c->hi += n;
	c->outstanding += n;
	return (uint16_t)n;
}

/* Layout: lo, hi (u64 each), outstanding (u32), then the used bits. */
int
smb2_credits_export(const struct smb2_credits *c, struct wbuf *w)
{
	uint64_t id;

	wbuf_put_u64le(w, c->lo);
	wbuf_put_u64le(w, c->hi);
	wbuf_put_u32le(w, c->outstanding);
	for (id = c->lo; id < c->hi; id++)
		wbuf_put_u8(w, (uint8_t)smb2_credits_isused(c, id));
	return wbuf_error(w) ? -1 : 0;
}

int
smb2_credits_import(struct smb2_credits *c, struct rbuf *r, uint32_t max)
{
	uint64_t lo, hi, id;
	uint32_t outstanding, n = 0;
	uint8_t u;

	smb2_credits_init(c, max);
	rbuf_get_u64le(r, &lo);
	rbuf_get_u64le(r, &hi);
	rbuf_get_u32le(r, &outstanding);
	if (rbuf_error(r) || hi < lo || hi - lo > c->cap)
		return -1;
	c->lo = lo;
	c->hi = hi;
	for (id = lo; id < hi; id++) {
		if (rbuf_get_u8(r, &u) == -1 || u > 1)
			return -1;
		smb2_credits_setused(c, id, u);
		if (!u)
			n++;
	}
	if (n != outstanding)
		return -1;
	c->outstanding = outstanding;
	return 0;
}
