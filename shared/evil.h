/*
 * The evil-process test mode (regress builds only, configure
 * --enable-regress-hooks; a release build has none of it).
 *
 * The master, started with USMBD_REGRESS_ATTACK=prog:attack[:argument]
 * in its environment, starts every child of that kind with "-A
 * attack[:argument]".  Right after the child's sandbox is in place and
 * before it serves anything, it runs the named attack from the table in
 * evil.c and logs one line: "evil: ATTACK ARGUMENT: stopped (why)" or
 * "evil: ATTACK ARGUMENT: NOT STOPPED".  A call the seccomp filter kills
 * logs nothing: the master logs the child's death by SIGSYS.  The test
 * (regress/integ/evil_sandbox.sh) also looks from outside: the file
 * unchanged, the other process alive.
 */
#ifndef USMBD_EVIL_H
#define USMBD_EVIL_H

/* The attack a child was started with (proc_child_setup()). */
void	evil_set(const char *);
/* Run it, if any; called at the end of sandbox_enter(). */
void	evil_run(void);
/* Is this "attack[:argument]" one of the table's? */
int	evil_known(const char *);

#endif /* USMBD_EVIL_H */
