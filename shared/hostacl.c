/*
 * "hosts allow" and "hosts deny", as Samba applies them:
 *
 *  - with neither list, everyone may connect;
 *  - with only an allow list, only who matches it;
 *  - with only a deny list, everyone who does not match it;
 *  - with both, who matches the allow list, else who does not match the
 *    deny list;
 *  - the loopback addresses (127.0.0.1, ::1) may always connect unless
 *    the deny list matches them and the allow list does not.
 *
 * A list matches when one of its items does; "A B EXCEPT C" matches what
 * A or B matches and C does not.  Items are addresses and networks only
 * (hostacl_item_valid()).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hostacl.h"

/* An address reduced to 16 bytes: IPv4 as IPv4-mapped IPv6. */
struct hostacl_addr {
	uint8_t	b[16];
	int	v4;
};

static void
hostacl_map4(struct hostacl_addr *a, const struct in_addr *in)
{
	memset(a->b, 0, 10);
	a->b[10] = a->b[11] = 0xff;
	memcpy(a->b + 12, &in->s_addr, 4);
	a->v4 = 1;
}

static int
hostacl_from_sockaddr(const struct sockaddr *sa, socklen_t len,
    struct hostacl_addr *a)
{
	const struct sockaddr_in *s4;
	const struct sockaddr_in6 *s6;

	if (sa->sa_family == AF_INET && len >= sizeof(*s4)) {
		s4 = (const struct sockaddr_in *)(const void *)sa;
		hostacl_map4(a, &s4->sin_addr);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(*s6)) {
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		memcpy(a->b, &s6->sin6_addr, 16);
		a->v4 = IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr);
		return 0;
	}
	return -1;
}

static int
hostacl_parse_addr(const char *s, struct hostacl_addr *a)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) == 1) {
		hostacl_map4(a, &in);
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->v4 = IN6_IS_ADDR_V4MAPPED((struct in6_addr *)(void *)a->b);
		return 0;
	}
	return -1;
}

/* Whether the first bits bits of two addresses agree. */
static int
hostacl_prefix_eq(const struct hostacl_addr *x, const struct hostacl_addr *y,
    int bits)
{
	int i, n = bits / 8, rest = bits % 8;

	for (i = 0; i < n; i++)
		if (x->b[i] != y->b[i])
			return 0;
	if (rest == 0)
		return 1;
	return ((x->b[n] ^ y->b[n]) & (0xff << (8 - rest))) == 0;
}

/*
 * An item as a network: its address and prefix length in bits of the
 * 16-byte form.  -1 when the item is not an address or network.
 */
static int
hostacl_parse_item(const char *item, struct hostacl_addr *net, int *bits)
{
	char buf[INET6_ADDRSTRLEN + 32], *slash, *end;
	struct hostacl_addr mask;
	size_t len = strlen(item);
	long v;
	int i, dots = 0;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, item, len + 1);
	/* "192.168." : the start of an IPv4 address, as many bytes. */
	if (buf[len - 1] == '.') {
		for (i = 0; buf[i] != '\0'; i++)
			if (buf[i] == '.')
				dots++;
			else if (buf[i] < '0' || buf[i] > '9')
				return -1;
		if (dots > 3 || len + 6 >= sizeof(buf))
			return -1;
		*bits = 96 + 8 * dots;
		for (i = dots; i < 4; i++) {
			memcpy(buf + len, i < 3 ? "0." : "0", i < 3 ? 3 : 2);
			len += i < 3 ? 2 : 1;
		}
		if (hostacl_parse_addr(buf, net) == -1 || !net->v4)
			return -1;
		return 0;
	}
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (hostacl_parse_addr(buf, net) == -1)
		return -1;
	if (slash == NULL) {
		*bits = 128;
		return 0;
	}
	/* address/netmask, IPv4 only */
	if (strchr(slash, '.') != NULL) {
		if (!net->v4 || hostacl_parse_addr(slash, &mask) == -1 ||
		    !mask.v4)
			return -1;
		for (*bits = 96; *bits < 128 &&
		    (mask.b[*bits / 8] & (0x80 >> (*bits % 8))); (*bits)++)
			;
		/* The rest of the mask must be zero: a contiguous mask. */
		for (i = *bits; i < 128; i++)
			if (mask.b[i / 8] & (0x80 >> (i % 8)))
				return -1;
		return 0;
	}
	if (*slash < '0' || *slash > '9')
		return -1;
	v = strtol(slash, &end, 10);
	if (*end != '\0' || v < 0 || v > (net->v4 ? 32 : 128))
		return -1;
	*bits = (int)v + (net->v4 ? 96 : 0);
	return 0;
}

int
hostacl_item_valid(const char *item)
{
	struct hostacl_addr net;
	int bits;

	if (strcasecmp(item, "ALL") == 0 || strcasecmp(item, "EXCEPT") == 0)
		return 1;
	return hostacl_parse_item(item, &net, &bits) == 0;
}

static int
hostacl_item_match(const char *item, const struct hostacl_addr *a)
{
	struct hostacl_addr net;
	int bits;

	if (strcasecmp(item, "ALL") == 0)
		return 1;
	if (hostacl_parse_item(item, &net, &bits) == -1)
		return 0;
	return hostacl_prefix_eq(&net, a, bits);
}

/* A list, with EXCEPT: what the items before it match, less the rest. */
static int
hostacl_list_match(char *const *list, const struct hostacl_addr *a)
{
	size_t i;
	int hit = 0;

	for (i = 0; list[i] != NULL; i++) {
		if (strcasecmp(list[i], "EXCEPT") == 0)
			return hit && !hostacl_list_match(list + i + 1, a);
		if (!hit && hostacl_item_match(list[i], a))
			hit = 1;
	}
	return hit;
}

static int
hostacl_is_loopback(const struct hostacl_addr *a)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	static const uint8_t lo4[16] = { [10] = 0xff, [11] = 0xff,
	    [12] = 127, [15] = 1 };

	return memcmp(a->b, lo6, 16) == 0 || memcmp(a->b, lo4, 16) == 0;
}

int
hostacl_allowed(char *const *allow, char *const *deny,
    const struct sockaddr *sa, socklen_t len)
{
	struct hostacl_addr a;
	int have_allow = allow != NULL && allow[0] != NULL;
	int have_deny = deny != NULL && deny[0] != NULL;

	if (!have_allow && !have_deny)
		return 1;
	/* An address we cannot read is no one we could allow. */
	if (hostacl_from_sockaddr(sa, len, &a) == -1)
		return 0;
	if (hostacl_is_loopback(&a))
		return !(have_deny && hostacl_list_match(deny, &a) &&
		    !(have_allow && hostacl_list_match(allow, &a)));
	if (!have_deny)
		return hostacl_list_match(allow, &a);
	if (!have_allow)
		return !hostacl_list_match(deny, &a);
	if (hostacl_list_match(allow, &a))
		return 1;
	return !hostacl_list_match(deny, &a);
}
