#!/bin/sh
# SIGHUP reloads the configuration (a broken one is refused and the old
# one kept); SIGTERM stops every process and removes the pid file.
. "$top_srcdir/regress/integ/lib.sh"
integ_setup signals
integ_start
RAW="$PY $top_srcdir/regress/integ/smbclient_raw.py $PORT"

check "the pid file holds the master's pid" [ "$(cat "$PIDFILE")" = "$MASTER_PID" ]
echo "	server string = reloaded" >> "$CONF"
kill -HUP "$MASTER_PID"
check "SIGHUP reloads" log_has "configuration reloaded"

cp "$CONF" "$T/good.conf"
echo "	read only = perhaps" >> "$CONF"
kill -HUP "$MASTER_PID"
check "a broken configuration is refused on reload" log_has "keeping the running configuration"
check "the broken line is named" log_has "smbd.conf:[0-9]*:"
out=$($RAW negotiate)
check "still serving after a refused reload ($out)" sh -c "echo '$out' | grep -q 'status=00000000'"
cp "$T/good.conf" "$CONF"

CHILDREN=$(children_of "$MASTER_PID")
kill -TERM "$MASTER_PID"
check "SIGTERM ends the master" wait_gone "$MASTER_PID"
for p in $CHILDREN; do
	check "child $p ended too" wait_gone "$p"
done
check "the pid file is removed" [ ! -e "$PIDFILE" ]
check "the shutdown is logged" grep -q "shutting down" "$LOG"
MASTER_PID=
integ_done
