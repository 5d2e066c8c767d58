#!/bin/sh
# A sandboxed process that makes a forbidden system call is killed, and
# nothing else is: the master, the other connections and new connections
# go on (doc/design.md §1 invariants 2 and 6).  Needs --enable-regress-hooks.
. "$top_srcdir/regress/integ/lib.sh"
grep -q 'define USMBD_REGRESS_HOOKS 1' "$top_builddir/config.h" ||
    skip "built without --enable-regress-hooks: no way to provoke a violation"
integ_setup sandbox
integ_start
RAW="$PY $top_srcdir/regress/integ/smbclient_raw.py $PORT"

mkfifo "$T/hold"
$RAW hold 1 < "$T/hold" > "$T/holdout" &
exec 9>"$T/hold"
wait_for child_named usmbd-preauth >/dev/null
BYSTANDER=$(child_named usmbd-preauth)
check "a bystander connection has a preauth process" [ -n "$BYSTANDER" ]

out=$($RAW regress violate)
check "the violating connection is dropped" [ "$out" = closed ]
check "the master logs the death by SIGSYS" log_has "preauth (pid [0-9]*) killed by signal 31"
check "the violating process did not survive the call" sh -c "! grep -q 'still alive after a forbidden call' '$LOG'"
check "the master is still running" kill -0 "$MASTER_PID"
check "the bystander's preauth process is still running" kill -0 "$BYSTANDER"
check "authd is still running" child_named usmbd-authd
check "lockd is still running" child_named usmbd-lockd
out=$($RAW negotiate)
check "a new client still negotiates ($out)" sh -c "echo '$out' | grep -q 'status=00000000'"

# The preauth process may not open any file.
out=$($RAW regress open)
check "preauth: open /etc/passwd fails" log_has "regress: open /etc/passwd: "
check "preauth: no open succeeded" sh -c "! grep -q 'regress: open .*: succeeded' '$LOG'"
exec 9>&-
integ_done
