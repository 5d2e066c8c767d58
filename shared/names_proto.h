/*
 * Name service lookups a session worker asks of the master.
 *
 * The worker's sandbox has no /etc and no NSS sockets, yet lsarpc and samr
 * must name the owners and groups of the files it serves (S-1-22-1-uid,
 * S-1-22-2-gid) and find the ids of names a client types.  The master,
 * which already resolves accounts through NSS, answers these questions:
 *
 * session -> master, IPC_NAME_REQUEST: struct names_msg (fixed size);
 * master -> session, IPC_NAME_REPLY: the same structure, every entry
 * with found set and id and name filled in when the name service knows it.
 *
 * The master treats the request as untrusted: it checks count and kinds,
 * terminates every name itself, refuses names that no account could have,
 * and answers nothing for a guest or anonymous session, which Windows does
 * not let translate names either.  One request carries at most
 * NAMES_MAX_ENTRIES questions, so one message costs the master a bounded
 * number of lookups.
 */
#ifndef USMBD_NAMES_PROTO_H
#define USMBD_NAMES_PROTO_H

#include <stdint.h>

#define NAMES_MAX_ENTRIES	16
#define NAMES_MAX_NAME		64	/* with the terminating NUL */

enum names_kind {
	NAMES_UID = 1,		/* id given: the user's name */
	NAMES_GID,		/* id given: the group's name */
	NAMES_USER,		/* name given: the user's uid, canonical name */
	NAMES_GROUP,		/* name given: the group's gid, canonical name */
};

struct names_entry {
	uint32_t	kind;		/* enum names_kind */
	uint32_t	id;
	uint32_t	found;		/* reply: 1 when resolved */
	uint32_t	reserved;
	char		name[NAMES_MAX_NAME];
};

struct names_msg {
	uint32_t		seq;	/* echoed in the reply */
	uint32_t		count;	/* entries used, 1..NAMES_MAX_ENTRIES */
	struct names_entry	ent[NAMES_MAX_ENTRIES];
};

#endif /* USMBD_NAMES_PROTO_H */
