#!/bin/sh
# A slow name service holds up only the logons that wait for it: the
# master resolves accounts off its event loop, remembers users it found
# for "name cache time", and gives up after "name service timeout".
# USMBD_REGRESS_NSS_DELAY (a regress hook) makes the master's lookups of
# one name wait, as a directory server that does not answer would, until
# the test creates a gate file: no check here depends on how fast the
# machine is.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null ||
    skip "smbclient not installed (apt-get install smbclient)"
grep -q 'define USMBD_REGRESS_HOOKS 1' "$top_builddir/config.h" ||
    skip "regress hooks not compiled in (configure --enable-regress-hooks)"

PW='Secret-123'
DELAYED="regress: delayed name service lookup of slowuser"

# server EXTRA-GLOBAL-LINES: a fresh server in a fresh directory, with
# the users slowuser and usmbdtest.
server() {
	if [ -n "${T:-}" ]; then
		integ_stop
		rm -rf "$T"
	fi
	INTEG_EXTRA_GLOBAL=$1
	integ_setup nss_slow
	GATE=$T/gate
	export USMBD_REGRESS_NSS_DELAY="slowuser:$GATE"
	integ_user slowuser "$PW" || skip "cannot create the Unix user slowuser"
	integ_user usmbdtest "$PW" ||
	    skip "cannot create the Unix user usmbdtest"
	chmod 777 "$T/share"
	integ_client_conf
	integ_start
}

# logon USER: list the share as USER; the status is smbclient's.
logon() {
	timeout 60 smbclient -s "$T/client.conf" //127.0.0.1/share \
	    -p "$PORT" -U "$1%$PW" -c ls
}

delayed_count() {
	grep -c -- "$DELAYED" "$LOG"
}

# (a) While slowuser's lookup hangs, other logons go through.
server ""
logon slowuser > "$T/slow.out" 2>&1 &
SLOW=$!
check "slowuser's lookup is under way" log_has "$DELAYED"
n=0
for i in 1 2 3 4 5 6 7 8; do
	if logon usmbdtest > "$T/fast.out" 2>&1; then
		n=$((n + 1))
	else
		sed 's/^/    /' "$T/fast.out"
	fi
done
check "8 logons of usmbdtest succeed ($n)" [ "$n" -eq 8 ]
check "while slowuser's logon still waits for the name service" \
    kill -0 "$SLOW"
check "and the master has not answered it" \
    sh -c "! grep -q 'authenticated as slowuser' '$LOG'"
# The directory answers.
touch "$GATE"
wait "$SLOW"
rc=$?
check "slowuser's logon succeeds in the end (status $rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/    /' "$T/slow.out"
check "the master logs slowuser's logon" \
    log_has "authenticated as slowuser"

# (b) A user found is remembered for "name cache time" seconds.
logon slowuser > "$T/slow.out" 2>&1
check "a second logon of slowuser succeeds" [ $? -eq 0 ]
check "and is answered from the cache ($(delayed_count) lookups)" \
    [ "$(delayed_count)" -eq 1 ]

server "	name cache time = 0"
touch "$GATE"
logon slowuser > "$T/slow.out" 2>&1
check "name cache time = 0: the first logon succeeds" [ $? -eq 0 ]
logon slowuser > "$T/slow.out" 2>&1
check "name cache time = 0: the second logon succeeds" [ $? -eq 0 ]
check "name cache time = 0: each logon asks the name service" \
    [ "$(delayed_count)" -eq 2 ]

# (c) A lookup that takes longer than "name service timeout" fails the
# logon; the new timeout applies after a reload.
rm -f "$GATE"
sed -i 's/^\[global\]$/[global]\n\tname service timeout = 1/' "$CONF"
kill -HUP "$MASTER_PID"
check "the configuration is reloaded" log_has "configuration reloaded"
logon slowuser > "$T/slow.out" 2>&1
rc=$?
check "a logon whose lookup times out fails (status $rc)" [ "$rc" -ne 0 ]
check "with NT_STATUS_LOGON_FAILURE" \
    grep -q NT_STATUS_LOGON_FAILURE "$T/slow.out"
[ "$rc" -ne 0 ] || sed 's/^/    /' "$T/slow.out"
check "the master names the lookup that timed out" \
    log_has 'no answer for user "slowuser" within 1 second'
check "and the connection whose logon failed" \
    log_has "connection [0-9]* from 127.0.0.1:[0-9]*: logon of slowuser refused"
logon usmbdtest > "$T/fast.out" 2>&1
check "another user still logs on" [ $? -eq 0 ]
touch "$GATE"
check "the late answer is discarded" \
    log_has 'late answer for user "slowuser" is discarded'
check "the master still runs" kill -0 "$MASTER_PID"
logon usmbdtest > "$T/fast.out" 2>&1
check "and serves logons after the late answer" [ $? -eq 0 ]

# (d) The name lookups of a session's lsarpc pipe go the same way: one
# that times out leaves the name unmapped, and the next one is answered.
if command -v rpcclient >/dev/null; then
	rm -f "$GATE"
	timeout 60 rpcclient -s "$T/client.conf" -p "$PORT" \
	    -U "usmbdtest%$PW" 127.0.0.1 \
	    -c "lookupnames slowuser; lookupnames usmbdtest" \
	    > "$T/rpc.out" 2>&1
	sed 's/^/    /' "$T/rpc.out"
	check "lsarpc: a name whose lookup times out is not mapped" \
	    grep -q NT_STATUS_NONE_MAPPED "$T/rpc.out"
	check "lsarpc: the session's next lookup is answered" \
	    grep -q "^usmbdtest S-1-22-1-$(id -u usmbdtest) " "$T/rpc.out"
else
	echo "rpcclient not installed: the lsarpc part is not run"
fi
integ_done
