/*
 * "hosts allow" and "hosts deny": which client addresses may connect,
 * with Samba's rules (shared/hostacl.c).
 */
#ifndef USMBD_HOSTACL_H
#define USMBD_HOSTACL_H

#include <sys/socket.h>

/*
 * Whether a client at this address may connect, given the two lists of
 * items (NULL or empty: no list).  1 yes, 0 no.
 */
int	hostacl_allowed(char *const *allow, char *const *deny,
	    const struct sockaddr *, socklen_t);
/*
 * Whether an item is one this version understands: ALL, EXCEPT, an IPv4
 * or IPv6 address, address/prefix, IPv4 address/netmask, or the start of
 * an IPv4 address ending in a dot ("192.168.").  Host names, domains and
 * netgroups are not: they would need the name service on every connect.
 */
int	hostacl_item_valid(const char *);

#endif /* USMBD_HOSTACL_H */
