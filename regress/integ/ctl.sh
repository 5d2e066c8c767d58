#!/bin/sh
# usmbd-ctl: status (text and JSON) shows each connection with its client,
# user, worker pid, dialect, signing, encryption and shares, as the
# master and the connection's worker know them, and its open files and
# byte-range locks as lockd counts them, and each open file's share and
# path as its worker lists them; close-file closes one of them as if the
# client had (its next read gets STATUS_FILE_CLOSED); reload;
# kill-session; and only root may use the control socket, by its mode
# and by the caller's credentials.  Each open file shows what its client
# may cache (an oplock level or a lease's state).  The worker's process
# title names
# user, client and shares.
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "impacket not installed (apt-get install python3-impacket)"
command -v setpriv >/dev/null || skip "setpriv not installed (util-linux)"
integ_setup ctl
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
mkdir "$T/share/sub dir"
echo "held open" >"$T/share/sub dir/held.txt"
chown -R usmbdtest "$T/share/sub dir"
integ_start
CTL="$top_builddir/usmbd-ctl -s $T/ctl.sock"

# A session that stays: logged on, connected to the share, idle.
/usr/bin/python3 - "$PORT" "$T/go" >"$T/py.out" 2>&1 <<'PY' &
import os, struct, sys, time
from impacket import smb3structs as st
from impacket.smbconnection import SMBConnection
c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=int(sys.argv[1]))
c.login("usmbdtest", "Secret-123")
tid = c.connectTree("share")
# A lease context (MS-SMB2 2.2.13.2.8): RqLs, v1, asking for R and H.
class Lease:
    def getData(self):
        body = b"k" * 16 + struct.pack("<IIQ", 3, 0, 0)
        return struct.pack("<IHHHHI", 0, 16, 4, 0, 24, len(body)) + \
            b"RqLs" + b"\0" * 4 + body
# One open file, with a batch oplock and one exclusive byte-range lock.
fid = c.createFile(tid, "locked.txt", oplockLevel=9)
s = c.getSMBServer()
p = s.SMB_PACKET()
p['Command'] = st.SMB2_LOCK
p['TreeID'] = tid
req = st.SMB2Lock()
req['FileID'] = fid
req['LockCount'] = 1
req['Locks'] = struct.pack("<QQII", 0, 10, 2 | 0x10, 0)
p['Data'] = req
print("lock", s.recvSMB(s.sendSMB(p))['Status'], flush=True)
# A second file, in a subdirectory, held open until usmbd-ctl closes it.
held = c.createFile(tid, "sub dir\\held.txt", desiredAccess=0x120089,
    shareMode=1, creationDisposition=1, oplockLevel=0xFF,
    createContexts=[Lease()])
print("read before:", c.readFile(tid, held, 0, 9), flush=True)
print("connected", flush=True)
for _ in range(300):
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.1)
try:
    c.readFile(tid, held, 0, 9)
    print("read after: served", flush=True)
except Exception as e:
    print("read after:", e, flush=True)
try:
    time.sleep(30)
    c.listPath("share", "*")
    print("still served")
except Exception as e:
    print("ended:", e)
PY
PYPID=$!
for _ in $(seq 1 50); do
	grep -q connected "$T/py.out" && break
	sleep 0.2
done
sleep 1

$CTL status >"$T/status" 2>&1
check "status exits 0" [ $? -eq 0 ]
check "status names the master and the helpers" sh -c \
    "grep -q '^usmbd [0-9.]*, pid $MASTER_PID' '$T/status' &&
    grep -q '^authd pid [0-9]*, lockd pid [0-9]*' '$T/status'"
check "a connection with its client and user" sh -c \
    "grep -q '^	client 127.0.0.1:[0-9]*' '$T/status' &&
    grep -q '^	user usmbdtest (uid [0-9]*)' '$T/status'"
pid=$(sed -n 's/^	worker pid \([0-9]*\)$/\1/p' "$T/status" | head -1)
check "its worker pid is a session worker of usmbdtest" sh -c \
    "[ -n '$pid' ] && [ \"\$(stat -c %U /proc/$pid)\" = usmbdtest ]"
check "its dialect, signing and encryption" sh -c \
    "grep -q '^	dialect SMB 3' '$T/status' &&
    grep -q '^	signing ' '$T/status' && grep -q '^	encryption ' '$T/status'"
check "and the share it is connected to" grep -q "^	shares .*share" "$T/status"
check "the byte-range lock was granted" grep -q "^lock 0" "$T/py.out"
check "lockd's counts of the connection: two open files, one lock" sh -c \
    "grep -q '^	open files 2$' '$T/status' &&
    grep -q '^	byte-range locks 1$' '$T/status'"
check "and lockd's totals" grep -q \
    "^lockd: 2 files open, 2 opens, 1 byte-range lock$" "$T/status"
check "the worker read the held file" grep -q "^read before: b'held open'" \
    "$T/py.out"
check "status names each open file: its id, access, sharing, caching, share, path" \
    sh -c "grep -q '^	file $pid:[0-9]* access 0x00120089 sharing r-- caching lease(RH) share share name sub dir/held.txt$' '$T/status' &&
    grep -q '^	file $pid:[0-9]* access 0x[0-9a-f]* sharing rwd caching batch share share name locked.txt$' '$T/status'"
fileid=$(sed -n 's/^	file \([0-9]*:[0-9]*\) .* name sub dir\/held.txt$/\1/p' \
    "$T/status")
check "the worker's process title names user, client and share" sh -c \
    "tr '\\0' ' ' </proc/$pid/cmdline | grep -q 'session usmbdtest from 127.0.0.1:[0-9]*: .*share'"
$CTL status --json >"$T/json" 2>&1
check "--json and -j say the same" sh -c \
    "$CTL -j status | python3 -c 'import json, sys; json.load(sys.stdin)'"
check "status --json is JSON with the same connection" /usr/bin/python3 -c "
import json, sys
d = json.load(open('$T/json'))
c = [x for x in d['connections'] if x.get('user') == 'usmbdtest']
assert d['pid'] == $MASTER_PID, d
assert len(c) == 1 and c[0]['pid'] == $pid, c
assert c[0]['dialect'].startswith('SMB 3') and 'share' in c[0]['shares'], c
assert c[0]['opens'] == 2 and c[0]['locks'] == 1, c
assert d['lockd'] == {'files': 2, 'opens': 2, 'locks': 1}, d
f = {x['path']: x for x in c[0]['files']}
assert c[0]['files_total'] == 2 and set(f) == {'locked.txt', 'sub dir/held.txt'}, c
h = f['sub dir/held.txt']
assert h['id'] == '$fileid' and h['share'] == 'share', h
assert h['access'] == 0x120089 and h['share_access'] == 1, h
assert not h['directory'] and not h['truncated'], h
assert h['caching'] == 'lease(RH)' and not h['breaking'], h
assert f['locked.txt']['caching'] == 'batch', f
"
$CTL -n 1 status >"$T/status" 2>&1
check "-n caps the list, and says how many more there are" sh -c \
    "[ \$(grep -c '^	file ' '$T/status') -eq 1 ] &&
    grep -q '^	and 1 more open file ' '$T/status'"
$CTL -n 0 -j status >"$T/json" 2>&1
check "in JSON as well" /usr/bin/python3 -c "
import json
c = json.load(open('$T/json'))['connections'][0]
assert c['files'] == [] and c['files_total'] == 2, c
"

# close-file: bad ids are refused precisely, a good one closes the open.
$CTL close-file 12x >"$T/out" 2>&1
check "close-file of what is no file id fails" sh -c \
    "[ $? -eq 1 ] && grep -q '^error: not a file id' '$T/out'"
$CTL close-file 1:1 >"$T/out" 2>&1
check "close-file of a pid that is no session worker fails" sh -c \
    "[ $? -eq 1 ] && grep -q '^error: no session worker has pid 1$' '$T/out'"
$CTL close-file "$pid:99999" >"$T/out" 2>&1
check "close-file of a file the worker has not open fails" sh -c \
    "[ $? -eq 1 ] && grep -q '^error: session worker pid $pid has no open file 99999$' '$T/out'"
$CTL close-file "$fileid" >"$T/out" 2>&1
check "close-file closes the held file" sh -c \
    "[ $? -eq 0 ] && grep -q '^closed file $fileid of usmbdtest (connection [0-9]* from 127.0.0.1:[0-9]*)$' '$T/out'"
check "the master logs the request" log_has "usmbd-ctl: close-file $fileid"
check "the worker logs the close, with the name" log_has \
    "closing sub dir/held.txt of share share (file id [0-9]*) at the administrator's request"
touch "$T/go"
for _ in $(seq 1 50); do
	grep -q "^read after" "$T/py.out" && break
	sleep 0.2
done
check "the client's next read on it gets STATUS_FILE_CLOSED" \
    grep -q "^read after: .*STATUS_FILE_CLOSED" "$T/py.out"
$CTL status >"$T/status" 2>&1
check "status no longer lists it, the other open stays" sh -c \
    "! grep -q 'held.txt' '$T/status' && grep -q 'name locked.txt$' '$T/status' &&
    grep -q '^	open files 1$' '$T/status'"
$CTL close-file "$fileid" >"$T/out" 2>&1
check "closing it again fails" sh -c \
    "[ $? -eq 1 ] && grep -q '^error: session worker pid $pid has no open file' '$T/out'"

# Many open files with long paths: the list stops where one message is
# full, and says how many more there are.
d=$T/share/$(printf 'd%.0s' $(seq 1 200))
d=$d/$(printf 'e%.0s' $(seq 1 200))/$(printf 'f%.0s' $(seq 1 200))
d=$d/$(printf 'g%.0s' $(seq 1 200))
mkdir -p "$d"
for i in $(seq 1 150); do
	: >"$d/$(printf 'h%.0s' $(seq 1 150))$i"
done
chown -R usmbdtest "$T/share"
/usr/bin/python3 - "$PORT" "${d#$T/share/}" "$T/go2" >"$T/py2.out" 2>&1 <<'PY' &
import os, sys, time
from impacket.smbconnection import SMBConnection
c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=int(sys.argv[1]))
c.login("usmbdtest", "Secret-123")
tid = c.connectTree("share")
d = sys.argv[2].replace("/", "\\")
for i in range(1, 151):
    c.createFile(tid, d + "\\" + "h" * 150 + str(i), desiredAccess=0x80,
        shareMode=7, creationDisposition=1)
print("held", flush=True)
for _ in range(300):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.1)
PY
PY2=$!
for _ in $(seq 1 100); do
	grep -q held "$T/py2.out" && break
	sleep 0.2
done
$CTL -n 1000 -j status >"$T/json" 2>&1
check "a list fills one message at most, and counts the rest" \
    /usr/bin/python3 -c "
import json
c = [x for x in json.load(open('$T/json'))['connections']
    if x.get('files_total') == 150]
assert len(c) == 1, c
n = len(c[0]['files'])
assert 100 <= n < 150, n
assert all(len(f['path']) > 800 and f['share'] == 'share' for f in c[0]['files'])
"
$CTL -n 1000 status >"$T/status" 2>&1
check "and so does the text" sh -c \
    "grep -q '^	and [0-9]* more open files (usmbd-ctl -n shows up to 1000)$' '$T/status'"
touch "$T/go2"
wait "$PY2"

# Only root: the socket's mode stops others, and if the mode were
# wider, the caller's credentials still would.
check "the control socket is root's, mode 600" \
    [ "$(stat -c '%U %a' "$T/ctl.sock")" = "root 600" ]
setpriv --reuid=nobody --regid=nogroup --clear-groups $CTL status \
    >"$T/out" 2>&1
check "a caller who is not root cannot connect" grep -q "Permission denied" \
    "$T/out"
chmod 666 "$T/ctl.sock"
setpriv --reuid=nobody --regid=nogroup --clear-groups $CTL status \
    >"$T/out" 2>&1
rc=$?
check "nor talk to it through a wider mode" sh -c \
    "[ $rc -eq 1 ] && grep -q 'error: usmbd-ctl needs root' '$T/out' &&
    ! grep -q usmbdtest '$T/out'"
check "and the master says so" log_has "usmbd-ctl: refused a caller with uid"
chmod 600 "$T/ctl.sock"

$CTL frobnicate >"$T/out" 2>&1
check "an unknown command is a usage error" sh -c \
    "[ $? -ne 0 ] && grep -q '^usage: usmbd-ctl' '$T/out'"
check "reload" sh -c "$CTL reload | grep -q 'configuration reloaded'"
check "the master logs the reload" log_has "usmbd-ctl: reload"
$CTL kill-session nosuchuser >"$T/out" 2>&1
check "kill-session of nobody connected fails" sh -c \
    "[ $? -eq 1 ] && grep -q 'error: no session worker of nosuchuser' '$T/out'"
check "kill-session USER stops its worker" sh -c \
    "$CTL kill-session usmbdtest | grep -q 'stopped session worker pid $pid'"
wait "$PYPID"
check "and its client's connection ended" grep -q "^ended:" "$T/py.out"
sleep 1
$CTL status >"$T/status" 2>&1
check "status no longer shows it" sh -c "! grep -q usmbdtest '$T/status'"
integ_done
