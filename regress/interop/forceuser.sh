#!/bin/sh
# force user, force group and guest only: a share whose files are reached
# as another user or group than the one who logged on.  New files belong
# to the forced user (or group), files only it may read are served, and a
# share of the same session without those settings stays the logged-on
# user's, also when the client switches between the two in one session
# (impacket) and when the work is done by the IO threads (a stream) or
# after lockd answers (delete on close).  A session that would need two
# forced users gets the first share only; usmbd -t says so, and refuses
# root.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "impacket not installed (apt-get install python3-impacket)"
integ_setup forceuser
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
for u in usmbdfu usmbdfu2; do
	getent passwd $u >/dev/null || useradd --no-create-home \
	    --home-dir /nonexistent --shell /usr/sbin/nologin $u ||
	    skip "cannot create the Unix user $u"
done
getent group usmbdfg >/dev/null || groupadd usmbdfg ||
    skip "cannot create the Unix group usmbdfg"
mkdir -p "$T/fu" "$T/fu2" "$T/fg" "$T/guest"
# Only the forced user (or group) can enter: a worker acting as usmbdtest
# could not.
chown usmbdfu:usmbdfu "$T/fu"
chmod 700 "$T/fu"
chown usmbdfu2 "$T/fu2"
chmod 700 "$T/fu2"
chown root:usmbdfg "$T/fg"
chmod 2770 "$T/fg"
chmod 777 "$T/guest"
chown usmbdtest "$T/share"
echo "only usmbdfu" >"$T/fu/secret.txt"
chown usmbdfu "$T/fu/secret.txt"
chmod 600 "$T/fu/secret.txt"
cat >>"$CONF" <<EOF

[fu]
	path = $T/fu
	read only = no
	force user = usmbdfu
	force group = usmbdfg

[fu2]
	path = $T/fu2
	read only = no
	force user = usmbdfu2

[fg]
	path = $T/fg
	read only = no
	force group = usmbdfg
	create mask = 0660
EOF
integ_client_conf
integ_start
echo data >"$T/new.txt"

smb() {
	timeout 60 smbclient -s "$T/client.conf" "//127.0.0.1/$1" -p "$PORT" \
	    -U 'usmbdtest%Secret-123' -c "$2" >"$T/out" 2>&1
}
owner() {
	stat -c %U:%G "$1"
}
TEST_GROUP=$(id -gn usmbdtest)

smb fu "put $T/new.txt f.txt; mkdir d; get secret.txt $T/secret.txt"
check "force user and group: a new file belongs to the forced user and group" \
    [ "$(owner "$T/fu/f.txt")" = "usmbdfu:usmbdfg" ]
check "force user: so does a new directory" \
    [ "$(owner "$T/fu/d")" = "usmbdfu:usmbdfg" ]
check "force user: a file only the forced user may read is served" \
    grep -q "only usmbdfu" "$T/secret.txt"
smb fu "put $T/new.txt f.txt:s1"
check "force user: a stream is written by an IO thread as the forced user" \
    [ "$(getfattr --only-values -n user.DosStream.s1:\$DATA \
    "$T/fu/f.txt" 2>/dev/null | tr -d '\0')" = data ]
smb fu "rm f.txt; rmdir d"
check "force user: delete on close, after lockd answers, as the forced user" \
    [ ! -e "$T/fu/f.txt" ] && [ ! -e "$T/fu/d" ]
smb fg "put $T/new.txt g.txt"
check "force group: a new file has the logged-on user and the forced group" \
    [ "$(owner "$T/fg/g.txt")" = "usmbdtest:usmbdfg" ]
smb fu2 "ls"
check "a second forced user in one session is refused" \
    grep -q NT_STATUS_ACCESS_DENIED "$T/out"
check "and the log says why" \
    log_has "another share of this session forces a different user"

# One session, two trees: the identity follows each request's tree.
/usr/bin/python3 - "$PORT" >"$T/py.out" 2>&1 <<'PY'
import io, sys
from impacket.smbconnection import SMBConnection
c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=int(sys.argv[1]))
c.login("usmbdtest", "Secret-123")
for i in range(3):
    for share in ("fu", "share"):
        c.putFile(share, "x%d.txt" % i, io.BytesIO(b"x").read)
# A stream is written by an IO thread: the first one starts as the user,
# the next must still act as the forced user.
for share in ("share", "fu"):
    c.putFile(share, "x0.txt:s2", io.BytesIO(b"stream").read)
try:
    c.connectTree("fu2")
    print("fu2: connected")
except Exception as e:
    print("fu2:", e)
print("done")
PY
ok=1
for i in 0 1 2; do
	[ "$(owner "$T/fu/x$i.txt")" = "usmbdfu:usmbdfg" ] || ok=0
	[ "$(owner "$T/share/x$i.txt")" = "usmbdtest:$TEST_GROUP" ] || ok=0
done
check "one session switching trees: each file has its share's owner" \
    [ "$ok" = 1 ] && grep -q done "$T/py.out"
check "an IO thread that first wrote as the user then writes as the forced user" \
    [ "$(getfattr --only-values -n user.DosStream.s2:\$DATA \
    "$T/fu/x0.txt" 2>/dev/null | tr -d '\0')" = stream ]
check "and that session too is refused the second forced user" \
    grep -q "fu2: .*ACCESS_DENIED" "$T/py.out"
check "no sandbox violation" sh -c "! grep -q 'sandbox violation\|signal 31' '$LOG'"

# guest only: every session acts as the guest account.  It would be a
# second forced user next to [fu], so it gets a server of its own.
integ_stop
cp "$CONF" "$T/full.conf"
sed -i '/^\[fu\]/,$d' "$CONF"
cat >>"$CONF" <<EOF
[guest]
	path = $T/guest
	read only = no
	guest ok = yes
	guest only = yes
EOF
integ_start
smb guest "put $T/new.txt n.txt"
check "guest only: a new file belongs to the guest account" \
    [ "$(stat -c %U "$T/guest/n.txt")" = nobody ]
integ_stop

# usmbd -t: the conflict is a warning; root is an error.
"$top_builddir/usmbd" -t -f "$T/full.conf" >"$T/t.out" 2>&1
check "usmbd -t names the shares that force different users" \
    grep -q "shares \[fu\] and \[fu2\] force different users" "$T/t.out"
sed 's/force user = usmbdfu2/force user = root/' "$T/full.conf" \
    >"$T/root.conf"
check "usmbd -t refuses force user = root" \
    sh -c "! '$top_builddir/usmbd' -t -f '$T/root.conf' >'$T/t2.out' 2>&1 &&
    grep -q 'would act as root or group 0' '$T/t2.out'"
sed 's/guest ok = yes/guest ok = no/' "$CONF" >"$T/guest.conf"
"$top_builddir/usmbd" -t -f "$T/guest.conf" >"$T/t3.out" 2>&1
check "usmbd -t says guest only has no effect without guest ok" \
    grep -q "guest only has no effect without guest ok" "$T/t3.out"
integ_done
