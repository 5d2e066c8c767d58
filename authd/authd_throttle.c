/*
 * Slowing down password guessing: see authd_throttle.h.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "authd_throttle.h"
#include "log.h"

struct throttle_ent {
	char		key[THROTTLE_KEY_LEN];	/* "from 192.0.2.7/32" */
	uint64_t	window_start;
	unsigned	failures;
	int		announced;	/* the slow-down was logged */
	int		used;
};

static struct throttle_ent throttle_ents[THROTTLE_MAX_KEYS];

/* Keep the first bits of an address, clear the rest. */
static void
throttle_mask(uint8_t *a, size_t len, int bits)
{
	size_t i;

	for (i = 0; i < len; i++, bits -= 8) {
		if (bits >= 8)
			continue;
		a[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

int
throttle_source_key(const struct throttle_cfg *cfg, const char *addr,
    char *key, size_t len)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	uint8_t a[16];
	char buf[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET6, addr, a) == 1 &&
	    memcmp(a, mapped, sizeof(mapped)) != 0) {
		throttle_mask(a, 16, cfg->v6prefix);
		if (inet_ntop(AF_INET6, a, buf, sizeof(buf)) == NULL)
			return -1;
		snprintf(key, len, "from %s/%d", buf, cfg->v6prefix);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, a) == 1)
		memmove(a, a + 12, 4);
	else if (inet_pton(AF_INET, addr, a) != 1) {
		snprintf(key, len, "from %s", addr);
		return -1;
	}
	throttle_mask(a, 4, cfg->v4prefix);
	if (inet_ntop(AF_INET, a, buf, sizeof(buf)) == NULL)
		return -1;
	snprintf(key, len, "from %s/%d", buf, cfg->v4prefix);
	return 0;
}

/* User names are case-insensitive, as Windows' are. */
static int
throttle_user_key(const char *user, char *key, size_t len)
{
	size_t i, n;

	if (user == NULL || user[0] == '\0')
		return -1;
	n = (size_t)snprintf(key, len, "for user \"");
	for (i = 0; user[i] != '\0' && n + 2 < len; i++) {
		unsigned char c = (unsigned char)user[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		key[n++] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
	}
	key[n++] = '"';
	key[n] = '\0';
	return 0;
}

/*
 * The entry of a key, its window renewed when a minute has passed; a new
 * one (in place of the entry with the oldest window) only with create.
 */
static struct throttle_ent *
throttle_find(const char *key, uint64_t now, int create)
{
	struct throttle_ent *e, *oldest = &throttle_ents[0];
	size_t i;

	for (i = 0; i < THROTTLE_MAX_KEYS; i++) {
		e = &throttle_ents[i];
		if (e->used && strcmp(e->key, key) == 0)
			break;
		if (!e->used || (oldest->used &&
		    e->window_start < oldest->window_start))
			oldest = e;
	}
	if (i == THROTTLE_MAX_KEYS) {
		if (!create)
			return NULL;
		e = oldest;
		memset(e, 0, sizeof(*e));
		snprintf(e->key, sizeof(e->key), "%s", key);
		e->used = 1;
		e->window_start = now;
	}
	if (now - e->window_start >= THROTTLE_WINDOW_MS) {
		e->window_start = now;
		e->failures = 0;
		e->announced = 0;
	}
	return e;
}

void
throttle_failed(const struct throttle_cfg *cfg, const char *addr,
    const char *user, uint64_t now)
{
	char key[THROTTLE_KEY_LEN];

	if (cfg->limit == 0)
		return;
	throttle_source_key(cfg, addr, key, sizeof(key));
	throttle_find(key, now, 1)->failures++;
	if (throttle_user_key(user, key, sizeof(key)) == 0)
		throttle_find(key, now, 1)->failures++;
}

/* Has this key reached the limit?  Logged once a window. */
static int
throttle_over(const struct throttle_cfg *cfg, const char *key, uint64_t now)
{
	struct throttle_ent *e;

	if ((e = throttle_find(key, now, 0)) == NULL ||
	    e->failures < cfg->limit)
		return 0;
	if (!e->announced) {
		log_warnx("logons %s are slowed down for the rest of the "
		    "minute: %u failed logons (auth failure limit %u); every "
		    "answer to them now waits auth failure delay", key,
		    e->failures, cfg->limit);
		e->announced = 1;
	}
	return 1;
}

int
throttle_penalized(const struct throttle_cfg *cfg, const char *addr,
    const char *user, uint64_t now)
{
	char key[THROTTLE_KEY_LEN];
	int over;

	if (cfg->limit == 0)
		return 0;
	throttle_source_key(cfg, addr, key, sizeof(key));
	over = throttle_over(cfg, key, now);
	if (throttle_user_key(user, key, sizeof(key)) == 0 &&
	    throttle_over(cfg, key, now))
		over = 1;
	return over;
}
