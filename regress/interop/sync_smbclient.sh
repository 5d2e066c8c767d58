#!/bin/sh
# When data reaches the disk: "sync always" syncs every write, "strict
# sync = no" ignores the client's requests to sync (FLUSH, write-through),
# and by default a write is synced only when the client asks.  The
# session workers' fsync and fdatasync calls are counted with strace.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
command -v strace >/dev/null || skip "strace not installed (apt-get install strace)"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "impacket not installed (apt-get install python3-impacket)"
integ_setup sync
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
for s in plain always nosync; do
	mkdir -p "$T/$s"
	chown usmbdtest "$T/$s"
done
cat >>"$CONF" <<EOF
[plain]
	path = $T/plain
	read only = no

[always]
	path = $T/always
	read only = no
	sync always = yes

[nosync]
	path = $T/nosync
	read only = no
	sync always = yes
	strict sync = no
EOF
integ_client_conf
integ_start
strace -f -qq -e trace=fsync,fdatasync -o "$T/trace" -p "$MASTER_PID" \
    2>"$T/strace.err" &
STRACE_PID=$!
trap 'kill $STRACE_PID 2>/dev/null' EXIT
# strace says nothing when it has attached; give it a moment.
sleep 2
kill -0 "$STRACE_PID" 2>/dev/null || skip "strace cannot trace usmbd here"
head -c 300000 /dev/urandom >"$T/data"

syncs() {
	grep -c -E 'f(data)?sync\(' "$T/trace" 2>/dev/null || true
}
# put SHARE: copy the file in with smbclient; prints how many syncs it took.
put() {
	before=$(syncs)
	timeout 60 smbclient -s "$T/client.conf" "//127.0.0.1/$1" -p "$PORT" \
	    -U 'usmbdtest%Secret-123' -c "put $T/data f" >"$T/out" 2>&1
	sleep 1
	echo $(( $(syncs) - before ))
}
# flush SHARE: open, write and FLUSH with impacket; prints the syncs.
flush() {
	before=$(syncs)
	/usr/bin/python3 - "$PORT" "$1" >"$T/out" 2>&1 <<'PY'
import sys
from impacket.smbconnection import SMBConnection
c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=int(sys.argv[1]))
c.login("usmbdtest", "Secret-123")
tid = c.connectTree(sys.argv[2])
fid = c.createFile(tid, "g")
c.writeFile(tid, fid, b"x" * 100)
c._SMBConnection.flush(tid, fid)
c.closeFile(tid, fid)
PY
	sleep 1
	echo $(( $(syncs) - before ))
}

n=$(put plain)
check "by default a plain write is not synced ($n syncs)" [ "$n" -eq 0 ]
check "the file arrived" cmp -s "$T/data" "$T/plain/f"
n=$(flush plain)
check "by default a FLUSH is synced ($n syncs)" [ "$n" -ge 1 ]
n=$(put always)
check "sync always: every write is synced ($n syncs)" [ "$n" -ge 1 ]
check "sync always: the file arrived" cmp -s "$T/data" "$T/always/f"
n=$(put nosync)
check "strict sync = no: sync always has no effect ($n syncs)" [ "$n" -eq 0 ]
n=$(flush nosync)
check "strict sync = no: a FLUSH is answered without a sync ($n syncs)" \
    [ "$n" -eq 0 ]
check "strict sync = no: the FLUSH succeeded" sh -c "! grep -q Error '$T/out'"
kill "$STRACE_PID" 2>/dev/null
integ_done
