#!/bin/sh
# Logs an administrator can read: with "log file" the master writes every
# process's lines there, each with its time, and reopens it on SIGHUP
# (after logrotate moved it); at log level 1 a logon says who, from
# where, which dialect, signing and encryption and which worker pid, and
# the end of a connection says how long, how many bytes and why; an
# anonymous logon is named so; a worker that ends well adds no line.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
INTEG_LOG_LEVEL=1
INTEG_EXTRA_GLOBAL="	restrict anonymous = 0"
integ_setup logs
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
FILE=$T/usmbd.log
sed -i "s|^\tlog level = 1\$|&\n\tlog file = $FILE|" "$CONF"
integ_client_conf

# Not -d: without it the log goes to the file.
"$top_builddir/usmbd" -D -f "$CONF" >"$LOG" 2>&1 &
MASTER_PID=$!
for _ in $(seq 1 100); do
	grep -q "started, pid" "$FILE" 2>/dev/null && break
	sleep 0.1
done
check "the log file has the start, with a time" grep -q \
    "^[0-9-]* [0-9:]* info usmbd\\[$MASTER_PID\\]: usmbd .* started, pid" \
    "$FILE"
timeout 30 smbclient -s "$T/client.conf" //127.0.0.1/share -p "$PORT" \
    -U 'usmbdtest%Secret-123' --client-protection=encrypt \
    -c 'put /etc/hostname h; ls' >"$T/out" 2>&1
sleep 1
check "a logon line: user, address, dialect, signing, encryption, pid" \
    grep -q "session\\[[0-9]*\\]: 127.0.0.1:[0-9]*: logon of user usmbdtest: SMB 3.1.1, signing [a-z ]* (AES-128-[GC]MAC), encryption available (AES-[0-9]*-[GC]CM); session worker pid [0-9]*" \
    "$FILE"
check "an end line: duration, bytes, reason" grep -q \
    "connection of user usmbdtest ends after [0-9]*:[0-5][0-9]:[0-5][0-9], [0-9]* bytes in, [0-9]* out: client closed the connection" \
    "$FILE"
check "no line for a worker that ended well" \
    sh -c "! grep -q 'session worker (pid [0-9]*) exited with status 0' '$FILE'"
timeout 30 smbclient -s "$T/client.conf" -N -L //127.0.0.1 -p "$PORT" \
    >"$T/out" 2>&1
sleep 1
check "an anonymous logon is named so" grep -q \
    "anonymous logon, served as the guest account" "$FILE"
check "and its worker says so" grep -q "logon of anonymous (as nobody)" "$FILE"
mv "$FILE" "$FILE.1"
kill -HUP "$MASTER_PID"
sleep 1
check "SIGHUP reopens the log file" grep -q "configuration reloaded" "$FILE"
check "the old file keeps what it had" grep -q "logon of user usmbdtest" \
    "$FILE.1"
check "after the start, nothing went to standard error" \
    sh -c "! grep -v 'listening on' '$LOG' | grep -q ."
integ_done
