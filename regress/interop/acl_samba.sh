#!/bin/sh
# NT ACLs as POSIX ACLs (smb2_secdesc.c): the real Samba smbd, whose
# default without vfs_acl_xattr maps ACLs the same way, serves the SAME
# directory as usmbd on a second loopback port.  An ACL set through one
# server is stored as system.posix_acl_access/default and read back the
# same through the other (acl_samba.py: impacket, numeric SIDs).
. "$top_srcdir/regress/integ/lib.sh"
PY=${PY:-/usr/bin/python3}
$PY -c "import impacket" 2>/dev/null || skip "impacket not installed (apt-get install python3-impacket)"
command -v smbd >/dev/null || [ -x /usr/sbin/smbd ] ||
    skip "Samba's smbd not installed (apt-get install samba)"
command -v getfattr >/dev/null || skip "getfattr not installed (apt-get install attr)"
integ_setup sambaacl
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_client_conf
integ_start
U=$(id -u usmbdtest)
# A uid without a passwd entry: both servers name it S-1-22-1-uid (Samba
# names nobody as its guest account instead).
OTHER=4242
touch "$T/share/probe"
setfattr -n system.posix_acl_access \
    -v 0x0200000001000600ffffffff04000400ffffffff20000400ffffffff \
    "$T/share/probe" 2>/dev/null ||
    skip "the file system of $T has no POSIX ACLs"
rm -f "$T/share/probe"

# A private Samba instance over the same share.
samba_start

# sd PORT OP FILE ARGS: acl_samba.py against one of the two servers.
# (smbcacls cannot reach a server on another port than 445.)
sd() {
	$PY "$top_srcdir/regress/interop/acl_samba.py" "$1" usmbdtest \
	    Secret-123 "$2" "$3" "${4-}" "${5-}" "${6-}" >"$T/sd.out" 2>&1
}
# aces PORT FILE: the ACEs of a file but the owner's (whose SID the two
# servers spell differently: Samba names the user in its own domain).
aces() {
	sd "$1" get "$2"
	grep '^S-' "$T/sd.out" | grep -v "^S-1-22-1-$U:" |
	    grep -v '^S-1-5-21-' | sort -u
}
same() {
	[ -n "$1" ] && [ "$1" = "$2" ] && return 0
	printf 'usmbd:\n%s\nSamba:\n%s\n' "$1" "$2"
	return 1
}
xattr() {
	getfattr -n "$2" -e hex "$T/share/$1" 2>/dev/null | sed -n 's/^.*=0x//p'
}

cd "$T" || exit 99
install -o usmbdtest -m 644 /dev/null "$T/share/fromusmbd.txt"
install -o usmbdtest -m 644 /dev/null "$T/share/fromsamba.txt"
install -d -o usmbdtest -m 755 "$T/share/usmbddir"

ALL=0x001f01ff
READ=0x00120089
le32() {
	printf '%08x' "$1" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/'
}

# usmbd sets, the file system and Samba read.
sd "$PORT" set fromusmbd.txt "S-1-22-1-$U:0/0/$ALL" \
    "S-1-22-1-$OTHER:0/0/$READ" "S-1-1-0:0/0/$READ"
check "usmbd sets an ACL with a named user" grep -q "status=OK" "$T/sd.out"
check "it is a POSIX ACL: u::rwx,u:$OTHER:r--,g::r--,m::r--,o::r--" [ \
    "$(xattr fromusmbd.txt system.posix_acl_access)" = \
    "0200000001000700ffffffff02000400$(le32 "$OTHER")04000400ffffffff10000400ffffffff20000400ffffffff" ]
check "the mode follows it (0744)" [ "$(stat -c %a "$T/share/fromusmbd.txt")" = 744 ]
a_u=$(aces "$PORT" fromusmbd.txt)
a_s=$(aces "$SPORT" fromusmbd.txt)
check "usmbd shows the named user" sh -c \
    "echo '$a_u' | grep -qx 'S-1-22-1-$OTHER:0/0x0/r--'"
check "Samba shows the ACL usmbd set the same way" same "$a_u" "$a_s"

# Samba sets, usmbd reads.
sd "$SPORT" set fromsamba.txt "S-1-22-1-$U:0/0/$ALL" \
    "S-1-22-1-$OTHER:0/0/$ALL" "S-1-1-0:0/0/$READ"
check "Samba sets an ACL with a named user" grep -q "status=OK" "$T/sd.out"
a_s=$(aces "$SPORT" fromsamba.txt)
a_u=$(aces "$PORT" fromsamba.txt)
check "usmbd shows the ACL Samba set the same way" same "$a_u" "$a_s"

# Inheritable ACEs of a directory become its default ACL.
sd "$PORT" set usmbddir "S-1-22-1-$U:0/0/$ALL" "S-1-3-0:0/0xb/$ALL" \
    "S-1-22-1-$OTHER:0/0xb/$READ"
check "usmbd sets inheritable ACEs on a directory" grep -q "status=OK" "$T/sd.out"
check "they are stored as its default ACL" \
    [ -n "$(xattr usmbddir system.posix_acl_default)" ]
a_u=$(aces "$PORT" usmbddir)
a_s=$(aces "$SPORT" usmbddir)
check "usmbd shows the inheritable named user" sh -c \
    "echo '$a_u' | grep -qx 'S-1-22-1-$OTHER:0/0xb/r--'"
# (Samba shows the owner's access and inheritable entries merged.)
check "Samba shows it too" sh -c \
    "echo '$a_s' | grep -qx 'S-1-22-1-$OTHER:0/0xb/r--'"
# A file made in it through usmbd inherits them.
echo data > "$T/data.txt"
timeout 60 smbclient -s "$T/client.conf" //127.0.0.1/share -p "$PORT" \
    -U 'usmbdtest%Secret-123' -c "put $T/data.txt usmbddir\\new.txt" \
    >"$T/put.out" 2>&1
a_u=$(aces "$PORT" 'usmbddir\new.txt')
check "a new file inherits the named user" sh -c \
    "echo '$a_u' | grep -qx 'S-1-22-1-$OTHER:0/0x0/r--'"

# The SecD create context gives a new file its ACL.
sd "$PORT" create secd.txt "S-1-22-1-$U:0/0/$ALL" "S-1-22-1-$OTHER:0/0/$ALL"

check "CREATE with a SecD context" grep -q "status=OK" "$T/sd.out"
check "the new file has the ACL of the context" \
    [ "$(xattr secd.txt system.posix_acl_access)" = \
    "0200000001000700ffffffff02000700$(le32 "$OTHER")04000000ffffffff10000700ffffffff20000000ffffffff" ]
a_s=$(aces "$SPORT" secd.txt)
check "Samba shows it" sh -c "echo '$a_s' | grep -qx 'S-1-22-1-$OTHER:0/0x0/rwx'"

# Giving a file away is root's; Windows' answer is INVALID_OWNER.
sd "$PORT" owner fromusmbd.txt "S-1-22-1-$OTHER"
check "giving the file away is refused (INVALID_OWNER)" \
    grep -q "INVALID_OWNER" "$T/sd.out"
check "and the owner stays" [ "$(stat -c %u "$T/share/fromusmbd.txt")" = "$U" ]
integ_done
