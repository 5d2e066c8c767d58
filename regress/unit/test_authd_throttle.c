/*
 * Unit tests of usmbd-authd's logon throttle (authd/authd_throttle.c):
 * sources are addresses cut to a prefix (IPv4 /32, IPv6 /64 by default;
 * IPv4-mapped IPv6 counts as IPv4), failures count per source and per
 * user name (case-insensitive), the limit penalizes either, a minute
 * later all is forgiven, and a limit of 0 never penalizes.
 */
#include "config.h"

#include <string.h>

#include "authd_throttle.h"
#include "unit.h"

static int
key_is(const struct throttle_cfg *cfg, const char *addr, const char *want)
{
	char key[THROTTLE_KEY_LEN];

	throttle_source_key(cfg, addr, key, sizeof(key));
	return strcmp(key, want) == 0;
}

int
main(void)
{
	struct throttle_cfg cfg = { 3, 32, 64 };
	struct throttle_cfg wide = { 3, 24, 48 };
	struct throttle_cfg off = { 0, 32, 64 };
	uint64_t t = 1000000;
	int i;

	CHECK(key_is(&cfg, "192.0.2.7", "from 192.0.2.7/32"));
	CHECK(key_is(&wide, "192.0.2.7", "from 192.0.2.0/24"));
	CHECK(key_is(&cfg, "2001:db8:1:2:aaaa::1", "from 2001:db8:1:2::/64"));
	CHECK(key_is(&wide, "2001:db8:1:2:aaaa::1", "from 2001:db8:1::/48"));
	CHECK(key_is(&cfg, "::ffff:192.0.2.7", "from 192.0.2.7/32"));
	CHECK(key_is(&(struct throttle_cfg){ 3, 20, 64 }, "10.1.255.9",
	    "from 10.1.240.0/20"));

	/* Two failures from a source: not yet. */
	throttle_failed(&cfg, "192.0.2.7", "alice", t);
	throttle_failed(&cfg, "192.0.2.7", NULL, t);
	CHECK(!throttle_penalized(&cfg, "192.0.2.7", NULL, t));
	/* The third: every answer to that source now waits, for any user. */
	throttle_failed(&cfg, "192.0.2.7", "carol", t);
	CHECK(throttle_penalized(&cfg, "192.0.2.7", NULL, t));
	CHECK(throttle_penalized(&cfg, "192.0.2.7", "dave", t + 1000));
	CHECK(!throttle_penalized(&cfg, "192.0.2.8", "dave", t + 1000));

	/* IPv6: any address of the /64 is the same source. */
	for (i = 0; i < 3; i++) {
		char addr[64];

		snprintf(addr, sizeof(addr), "2001:db8:0:7::%x", i + 1);
		throttle_failed(&cfg, addr, NULL, t);
	}
	CHECK(throttle_penalized(&cfg, "2001:db8:0:7:ffff::1", NULL, t));
	CHECK(!throttle_penalized(&cfg, "2001:db8:0:8::1", NULL, t));

	/* A user guessed from many sources: penalized wherever it comes. */
	throttle_failed(&cfg, "198.51.100.1", "Bob", t);
	throttle_failed(&cfg, "198.51.100.2", "bob", t);
	throttle_failed(&cfg, "198.51.100.3", "BOB", t);
	CHECK(throttle_penalized(&cfg, "198.51.100.4", "bob", t));
	CHECK(!throttle_penalized(&cfg, "198.51.100.4", "erin", t));

	/* A minute later everything is forgiven. */
	CHECK(!throttle_penalized(&cfg, "192.0.2.7", NULL,
	    t + THROTTLE_WINDOW_MS));
	CHECK(!throttle_penalized(&cfg, "198.51.100.4", "bob",
	    t + THROTTLE_WINDOW_MS));

	/* Limit 0: nothing is counted, nothing waits. */
	for (i = 0; i < 10; i++)
		throttle_failed(&off, "203.0.113.1", "frank", t);
	CHECK(!throttle_penalized(&off, "203.0.113.1", "frank", t));
	CHECK(!throttle_penalized(&cfg, "203.0.113.1", "frank", t));
	return unit_done();
}
