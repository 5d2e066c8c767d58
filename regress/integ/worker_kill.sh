#!/bin/sh
# A worker killed with SIGKILL takes only itself down; authd and lockd
# are restarted when they die (doc/design.md §1 invariant 6).
. "$top_srcdir/regress/integ/lib.sh"
integ_setup workerkill
integ_start
RAW="$PY $top_srcdir/regress/integ/smbclient_raw.py $PORT"

mkfifo "$T/hold"
$RAW hold 2 < "$T/hold" > "$T/holdout" &
exec 9>"$T/hold"
wait_for sh -c "[ \$(ps -o pid= --ppid $MASTER_PID | wc -l) -ge 4 ]"
PRES=$(for p in $(children_of "$MASTER_PID"); do tr '\0' ' ' < /proc/$p/cmdline | grep -q '^usmbd-preauth' && echo $p; done)
set -- $PRES
check "two connections, two preauth processes" [ $# -eq 2 ]
kill -KILL "$1"
check "the master logs the killed worker" log_has "preauth (pid $1) killed by signal 9"
check "the other worker lives" kill -0 "$2"
check "the master lives" kill -0 "$MASTER_PID"
out=$($RAW negotiate)
check "new connections are still served ($out)" sh -c "echo '$out' | grep -q 'status=00000000'"
exec 9>&-

OLD=$(child_named usmbd-authd)
kill -KILL "$OLD"
check "authd's death is logged" log_has "authd (pid $OLD) killed by signal 9"
check "authd is restarted" wait_for sh -c "p=\$(ps -o pid=,args= --ppid $MASTER_PID | awk '/usmbd-authd/ {print \$1}'); [ -n \"\$p\" ] && [ \"\$p\" != $OLD ]"
OLD=$(child_named usmbd-lockd)
kill -KILL "$OLD"
check "lockd is restarted" wait_for sh -c "p=\$(ps -o pid=,args= --ppid $MASTER_PID | awk '/usmbd-lockd/ {print \$1}'); [ -n \"\$p\" ] && [ \"\$p\" != $OLD ]"
out=$($RAW negotiate)
check "and connections are served after the restarts" sh -c "echo '$out' | grep -q 'status=00000000'"
integ_done
