/*
 * Unit test of hosts allow / hosts deny (shared/hostacl.c): the items it
 * understands, networks of every form, EXCEPT, the four combinations of
 * the two lists, and the loopback rule.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include "hostacl.h"
#include "unit.h"

/* May a client at this address connect under these lists? */
static int
ok(const char *addr, char *const *allow, char *const *deny)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		return hostacl_allowed(allow, deny, (struct sockaddr *)s4,
		    sizeof(*s4));
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		return hostacl_allowed(allow, deny, (struct sockaddr *)s6,
		    sizeof(*s6));
	}
	return -1;
}

static void
test_items(void)
{
	static const char *const good[] = { "ALL", "all", "EXCEPT",
	    "10.1.2.3", "10.0.0.0/8", "10.0.0.0/255.0.0.0", "192.168.",
	    "10.", "1.2.3.", "fe80::1", "2001:db8::/32", "::1",
	    "::ffff:10.0.0.1", "10.0.0.0/0", "::/0" };
	static const char *const bad[] = { "", "server.example.org",
	    ".example.org", "@netgroup", "10.0.0.0/33", "10.0.0.0/",
	    "10.0.0.0/x", "fe80::/129", "10.0.0.0/255.0.255.0",
	    "fe80::/255.0.0.0", "1.2.3.4.", "a.b.", "LOCAL", "10.0.0.0/-1" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK(hostacl_item_valid(good[i]));
		if (!hostacl_item_valid(good[i]))
			printf("should be valid: %s\n", good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!hostacl_item_valid(bad[i]));
		if (hostacl_item_valid(bad[i]))
			printf("should be invalid: %s\n", bad[i]);
	}
}

static void
test_networks(void)
{
	char *net8[] = { "10.0.0.0/8", NULL };
	char *mask[] = { "192.168.4.0/255.255.252.0", NULL };
	char *dot[] = { "192.168.", NULL };
	char *v6[] = { "2001:db8::/32", NULL };
	char *host[] = { "10.9.8.7", NULL };
	char *mapped[] = { "::ffff:10.9.8.7", NULL };

	CHECK(ok("10.200.1.1", net8, NULL) == 1);
	CHECK(ok("11.0.0.1", net8, NULL) == 0);
	CHECK(ok("192.168.7.255", mask, NULL) == 1);
	CHECK(ok("192.168.8.0", mask, NULL) == 0);
	CHECK(ok("192.168.200.1", dot, NULL) == 1);
	CHECK(ok("192.169.0.1", dot, NULL) == 0);
	CHECK(ok("2001:db8:1::5", v6, NULL) == 1);
	CHECK(ok("2001:db9::5", v6, NULL) == 0);
	CHECK(ok("10.9.8.7", host, NULL) == 1);
	CHECK(ok("10.9.8.6", host, NULL) == 0);
	/* An IPv4 client on an IPv6 socket is the same client. */
	CHECK(ok("::ffff:10.9.8.7", host, NULL) == 1);
	CHECK(ok("10.9.8.7", mapped, NULL) == 1);
	/* IPv4 networks do not match IPv6 clients, and back. */
	CHECK(ok("2001:db8::1", net8, NULL) == 0);
	CHECK(ok("10.0.0.1", v6, NULL) == 0);
}

static void
test_lists(void)
{
	char *allow[] = { "10.0.0.0/8", NULL };
	char *deny[] = { "10.1.0.0/16", NULL };
	char *all[] = { "ALL", NULL };
	char *except[] = { "10.0.0.0/8", "EXCEPT", "10.1.0.0/16", "EXCEPT",
	    "10.1.2.3", NULL };
	char *empty[] = { NULL };

	/* Neither list: everyone. */
	CHECK(ok("203.0.113.9", NULL, NULL) == 1);
	CHECK(ok("203.0.113.9", empty, empty) == 1);
	/* Only allow: only who matches. */
	CHECK(ok("10.1.1.1", allow, NULL) == 1);
	CHECK(ok("203.0.113.9", allow, empty) == 0);
	/* Only deny: everyone else. */
	CHECK(ok("10.1.1.1", NULL, deny) == 0);
	CHECK(ok("10.2.1.1", NULL, deny) == 1);
	/* Both: allow first, then deny, then yes. */
	CHECK(ok("10.1.1.1", allow, deny) == 1);
	CHECK(ok("203.0.113.9", allow, deny) == 1);
	CHECK(ok("203.0.113.9", allow, all) == 0);
	CHECK(ok("10.1.1.1", allow, all) == 1);
	/* EXCEPT, nested. */
	CHECK(ok("10.2.0.1", except, NULL) == 1);
	CHECK(ok("10.1.0.1", except, NULL) == 0);
	CHECK(ok("10.1.2.3", except, NULL) == 1);
	CHECK(ok("11.0.0.1", except, NULL) == 0);
}

static void
test_loopback(void)
{
	char *allow[] = { "10.0.0.0/8", NULL };
	char *lo[] = { "127.0.0.1", "::1", NULL };
	char *all[] = { "ALL", NULL };

	/* Allowed unless denied and not allowed. */
	CHECK(ok("127.0.0.1", allow, NULL) == 1);
	CHECK(ok("::1", allow, NULL) == 1);
	CHECK(ok("127.0.0.1", NULL, lo) == 0);
	CHECK(ok("::1", NULL, all) == 0);
	CHECK(ok("127.0.0.1", lo, all) == 1);
	/* Only those two addresses: 127.0.0.2 is an ordinary client. */
	CHECK(ok("127.0.0.2", allow, NULL) == 0);
}

int
main(void)
{
	test_items();
	test_networks();
	test_lists();
	test_loopback();
	return unit_done();
}
