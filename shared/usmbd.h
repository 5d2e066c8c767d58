/*
 * Facts shared by every usmbd program: the fixed fd layout of a child
 * started by the master, program names and build-time paths.
 */
#ifndef USMBD_USMBD_H
#define USMBD_USMBD_H

/*
 * Every child is started by fork+exec with exactly these fds open:
 *   0, 1	/dev/null
 *   2		stderr of the master (in -d mode the terminal)
 *   3		SOCK_SEQPACKET channel to the master
 *   4		a sealed memfd holding the effective configuration text
 *   5		the client socket (preauth, session), else closed
 *   6		a channel to authd (preauth, session), else closed
 *   7		a channel to lockd (session), else closed
 */
#define USMBD_FD_MASTER		3
#define USMBD_FD_CONFIG		4
#define USMBD_FD_CLIENT		5
#define USMBD_FD_AUTHD		6
#define USMBD_FD_LOCKD		7
#define USMBD_FD_FIRST_FREE	8

#define USMBD_PREAUTH_NAME	"usmbd-preauth"
#define USMBD_SESSION_NAME	"usmbd-session"
#define USMBD_AUTHD_NAME	"usmbd-authd"
#define USMBD_LOCKD_NAME	"usmbd-lockd"

#endif /* USMBD_USMBD_H */
