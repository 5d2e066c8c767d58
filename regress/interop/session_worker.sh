#!/bin/sh
# Once a client is authenticated, its connection is served by a session
# worker running as that user, sandboxed, and the preauth process is gone
# (doc/design.md §1 invariants 3 and 4).  A guest logon gets the guest
# account's worker, and only shares with "guest ok".
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
INTEG_EXTRA_GLOBAL="	map to guest = bad user
	guest account = nobody"
integ_setup worker
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
mkdir -p "$T/pub" && chmod 755 "$T/pub"
cat >> "$CONF" <<CEOF

[pub]
	path = $T/pub
	guest ok = yes
CEOF
integ_start

mkfifo "$T/hold"
/usr/bin/python3 "$top_srcdir/regress/interop/session_worker.py" "$PORT" \
    usmbdtest 'Secret-123' < "$T/hold" > "$T/py.out" 2>&1 &
exec 9>"$T/hold"
check "the client is logged on" wait_for grep -q ready "$T/py.out"
W=$(child_named usmbd-session)
check "a session worker runs" [ -n "$W" ]
u=$(id -u usmbdtest)
check "the worker runs as usmbdtest" [ "$(status_field "$W" Uid)" = "$u $u $u $u" ]
check "the worker has no capabilities" [ "$(status_field "$W" CapEff)" = 0000000000000000 ]
check "the worker has NoNewPrivs" [ "$(status_field "$W" NoNewPrivs)" = 1 ]
check "the worker is under a seccomp filter" [ "$(status_field "$W" Seccomp)" = 2 ]
check "no preauth process is left for it" sh -c "! ps -o args= --ppid $MASTER_PID | grep -q '^usmbd-preauth'"
check "the worker has a mount namespace of its own" \
    [ "$(readlink "/proc/$W/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
# Its root is an empty read-only tmpfs holding only the shares it may
# use, "/0", "/1", ...: no other path exists for it to name.
awk '{ print $5, $6 }' "/proc/$W/mountinfo" > "$T/mounts"
check "the worker sees / and its two shares, nothing else" \
    [ "$(wc -l < "$T/mounts")" = 3 ] && ! grep -qvE '^/[0-9]* ' "$T/mounts"
check "its root is read-only" grep -qE '^/ ro,' "$T/mounts"
check "the worker's title names the user" sh -c "tr '\0' ' ' < /proc/$W/cmdline | grep -q 'session usmbdtest'"
exec 9>&-
check "the worker ends with the connection" wait_gone "$W"

# A guest: unknown user mapped to the guest account.
cat > "$T/guest.py" <<PYEOF
import sys
from impacket.smbconnection import SMBConnection, SessionError
c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=$PORT)
c.login("nosuchuser", "whatever")
print("guest", c.isGuestSession())
try:
    c.connectTree("share")
    print("share ok")
except SessionError as e:
    print("share refused %x" % e.getErrorCode())
c.connectTree("pub")
print("pub ok")
PYEOF
/usr/bin/python3 "$T/guest.py" > "$T/guest.out" 2>&1
check "an unknown user becomes a guest" grep -q "guest 1" "$T/guest.out"
check "a guest may not use a share without guest ok" grep -q "share refused c0000022" "$T/guest.out"
check "a guest may use a guest ok share" grep -q "pub ok" "$T/guest.out"
check "the guest's worker ran as the guest account" log_has "logon of guest (as "
integ_done
