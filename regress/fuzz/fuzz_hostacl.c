/*
 * Fuzz target for hosts allow / hosts deny (shared/hostacl.c): the first
 * byte picks IPv4 or IPv6 and the next 16 the client address; the rest
 * is lines of items, the allow list until an empty line, then the deny
 * list.  Every item is checked and the lists applied; with both lists
 * empty every client must be allowed.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hostacl.h"

#define FUZZ_HOSTACL_MAX	64

FUZZ_TARGET(hostacl, data, len)
{
	char *lists[2][FUZZ_HOSTACL_MAX + 1], *text, *line, *next;
	size_t n[2] = { 0, 0 };
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	int which = 0, v6;

	if (len < 17)
		return 0;
	v6 = data[0] & 1;
	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	s4.sin_family = AF_INET;
	memcpy(&s4.sin_addr, data + 1, 4);
	s6.sin6_family = AF_INET6;
	memcpy(&s6.sin6_addr, data + 1, 16);
	if ((text = malloc(len - 17 + 1)) == NULL)
		return 0;
	memcpy(text, data + 17, len - 17);
	text[len - 17] = '\0';
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '\0') {
			which = 1;
			continue;
		}
		(void)hostacl_item_valid(line);
		if (n[which] < FUZZ_HOSTACL_MAX)
			lists[which][n[which]++] = line;
	}
	lists[0][n[0]] = NULL;
	lists[1][n[1]] = NULL;
	if (hostacl_allowed(lists[0], lists[1], v6 ?
	    (struct sockaddr *)&s6 : (struct sockaddr *)&s4,
	    v6 ? sizeof(s6) : sizeof(s4)) != 1 && n[0] == 0 && n[1] == 0)
		abort();
	free(text);
	return 0;
}
