#!/bin/sh
# Alternate data streams through smbclient, stored as Samba's
# streams_xattr stores them: the stream "s" of file f is the xattr
# user.DosStream.s:$DATA of f, its value the data plus one NUL byte.  Then
# a round trip with the real Samba smbd serving the same directory: a
# stream Samba writes is read through usmbd, and the other way round.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
command -v getfattr >/dev/null || skip "getfattr not installed (apt-get install attr)"
integ_setup streams
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
# A limit below what ext4 holds, so that the refusal is usmbd's own.
sed -i 's/^\[share\]$/[share]\n\tmax stream size = 1000/' "$CONF"
# The same directory without streams, as Samba's without streams_xattr.
cat >> "$CONF" <<EOF
[nostreams]
	path = $T/share
	read only = no
	streams = no
EOF
integ_client_conf
integ_start
cd "$T" || exit 99

smb() {
	p=$1
	shift
	timeout 120 smbclient -s "$T/client.conf" "//127.0.0.1/${SHARE:-share}" -p "$p" \
	    -U 'usmbdtest%Secret-123' "$@" >"$T/out" 2>&1
}

# xattr NAME FILE: the value of one xattr in hex, without the 0x.
xattr() {
	getfattr --absolute-names -n "$1" -e hex "$2" 2>/dev/null |
	    sed -n 's/^[^=]*=0x//p'
}

hex() {
	od -An -tx1 -v | tr -d ' \n'
}

printf 'base data\n' > base.txt
printf 'stream one' > s1.txt
printf 'second stream data' > s2.txt

smb "$PORT" -c "put base.txt f.txt; put s1.txt f.txt:s1; put s2.txt f.txt:Second; allinfo f.txt"
check "allinfo lists ::\$DATA with the file size" \
    grep -q 'stream: \[::\$DATA\], 10 bytes' "$T/out"
check "allinfo lists the stream s1 with its size" \
    grep -q 'stream: \[:s1:\$DATA\], 10 bytes' "$T/out"
check "allinfo lists the stream Second" \
    grep -q 'stream: \[:Second:\$DATA\], 18 bytes' "$T/out"
check "the stream is user.DosStream.s1:\$DATA with a trailing NUL" \
    [ "$(xattr 'user.DosStream.s1:$DATA' "$T/share/f.txt")" = "$(hex < s1.txt)00" ]
check "the base file keeps its own data" cmp -s base.txt "$T/share/f.txt"
check "no file named after the stream appears" [ ! -e "$T/share/f.txt:s1" ]

rm -f back.txt
smb "$PORT" -c "get f.txt:s1 back.txt"
check "get of a stream returns its data" cmp -s s1.txt back.txt
rm -f back.txt
smb "$PORT" -c "get f.txt:S1:\$DATA back.txt"
check "stream names are case-insensitive and take :\$DATA" cmp -s s1.txt back.txt
rm -f back.txt
smb "$PORT" -c "get f.txt::\$DATA back.txt"
check "::\$DATA is the file itself" cmp -s base.txt back.txt

smb "$PORT" -c "ls"
check "a listing shows the file once and no stream" \
    [ "$(grep -c 'f.txt' "$T/out")" -eq 1 ]

smb "$PORT" -c "get f.txt:nosuch back.txt"
check "a missing stream is OBJECT_NAME_NOT_FOUND" \
    grep -q NT_STATUS_OBJECT_NAME_NOT_FOUND "$T/out"
smb "$PORT" -c "get f.txt:s1:\$FOO back.txt"
check "an unknown stream type is OBJECT_NAME_INVALID" \
    grep -q NT_STATUS_OBJECT_NAME_INVALID "$T/out"

# A stream on a file that does not exist yet creates the file.
smb "$PORT" -c "put s1.txt new.txt:s"
check "a stream put creates its empty base file" \
    test -f "$T/share/new.txt" -a ! -s "$T/share/new.txt"
check "... with the stream on it" \
    [ "$(xattr 'user.DosStream.s:$DATA' "$T/share/new.txt")" = "$(hex < s1.txt)00" ]
check "... and its DOS attributes and create time in user.DOSATTRIB" \
    [ -n "$(xattr user.DOSATTRIB "$T/share/new.txt")" ]

# smbclient's del lists the directory with the name as a mask first and
# so never reaches a stream; impacket deletes (delete on close) and
# renames (FileRenameInformation ":new") streams directly.
$PY - "$PORT" <<'PYEOF' > "$T/out" 2>&1
import sys
from impacket.smbconnection import SMBConnection
c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=int(sys.argv[1]))
c.login("usmbdtest", "Secret-123")
c.deleteFile("share", "f.txt:Second")
c.rename("share", "f.txt:s1", ":renamed")
# The EAs of the file do not show its streams.
s = c._SMBConnection
tid = s.connectTree("share")
fid = s.create(tid, "f.txt", 0x80089, 7, 0, 1, 0)
try:
    eas = s.queryInfo(tid, fid, b"", 1, 15)
except Exception as e:
    eas = str(e).encode()
s.close(tid, fid)
print("eas", eas.hex())
if b"DosStream" not in eas and b"DOSSTREAM" not in eas.upper():
    print("no stream in EAs")
c.logoff()
print("impacket done")
PYEOF
check "impacket deletes and renames streams" grep -q "impacket done" "$T/out"
check "EA listing hides the stream xattrs" grep -q "no stream in EAs" "$T/out"
check "delete of a stream removes its xattr" \
    [ -z "$(xattr 'user.DosStream.Second:$DATA' "$T/share/f.txt")" ]
check "rename of a stream moves its xattr" \
    [ "$(xattr 'user.DosStream.renamed:$DATA' "$T/share/f.txt")" = "$(hex < s1.txt)00" ]
check "... and removes the old name" \
    [ -z "$(xattr 'user.DosStream.s1:$DATA' "$T/share/f.txt")" ]
smb "$PORT" -c "allinfo f.txt"
check "allinfo no longer lists the deleted stream" \
    sh -c "! grep -q ':Second:' '$T/out'"
check "... and lists the renamed one" \
    grep -q 'stream: \[:renamed:\$DATA\], 10 bytes' "$T/out"

# max stream size: a stream larger than the share allows is refused.
head -c 1000 /dev/urandom > max.txt
smb "$PORT" -c "put max.txt f.txt:max"
check "a stream of exactly max stream size is stored" \
    [ "$(xattr 'user.DosStream.max:$DATA' "$T/share/f.txt")" = "$(hex < max.txt)00" ]
head -c 1001 /dev/zero > big.txt
smb "$PORT" -c "put big.txt f.txt:big"
check "a stream beyond max stream size is refused with FILE_TOO_LARGE" \
    grep -q NT_STATUS_FILE_TOO_LARGE "$T/out"
check "... and nothing beyond the limit is stored" \
    [ "$(xattr 'user.DosStream.big:$DATA' "$T/share/f.txt" | wc -c)" -le 2001 ]

# Directories have named streams too, but no unnamed one.
smb "$PORT" -c "mkdir d; put s1.txt d:ds; allinfo d"
check "a stream on a directory is an xattr of the directory" \
    [ "$(xattr 'user.DosStream.ds:$DATA' "$T/share/d")" = "$(hex < s1.txt)00" ]
check "... listed without ::\$DATA" \
    sh -c "grep -q 'stream: \[:ds:\$DATA\], 10 bytes' '$T/out' && ! grep -q '::\$DATA' '$T/out'"
rm -f back.txt
smb "$PORT" -c "get d:ds back.txt"
check "... and reads back" cmp -s s1.txt back.txt

smb "$PORT" -c "del new.txt"
check "deleting a file removes it with its streams" [ ! -e "$T/share/new.txt" ]

# streams = no: a colon is a character no name may have, and the
# streams stored in f.txt are not shown.
SHARE=nostreams smb "$PORT" -c "get f.txt:renamed back.txt"
check "streams = no: a stream name is OBJECT_NAME_INVALID" \
    grep -q NT_STATUS_OBJECT_NAME_INVALID "$T/out"
SHARE=nostreams smb "$PORT" -c "get f.txt::\$DATA back.txt"
check "... and so is ::\$DATA" grep -q NT_STATUS_OBJECT_NAME_INVALID "$T/out"
SHARE=nostreams smb "$PORT" -c "put s1.txt nsnew.txt:s"
check "... a stream put creates nothing" [ ! -e "$T/share/nsnew.txt" ]
SHARE=nostreams smb "$PORT" -c "allinfo f.txt"
check "... allinfo lists ::\$DATA" grep -q 'stream: \[::\$DATA\]' "$T/out"
check "... and not the stored stream" sh -c "! grep -q ':renamed:' '$T/out'"
$PY - "$PORT" <<'PYEOF' > "$T/out" 2>&1
import sys
from impacket.smbconnection import SMBConnection
c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=int(sys.argv[1]))
c.login("usmbdtest", "Secret-123")
s = c._SMBConnection
tid = s.connectTree("nostreams")
fid = s.create(tid, "f.txt", 0x80089, 7, 0, 1, 0)
# FileFsAttributeInformation: FILE_NAMED_STREAMS is 0x40000.
fs = s.queryInfo(tid, fid, b"", 2, 5)
print("named streams", bool(int.from_bytes(fs[0:4], "little") & 0x40000))
s.close(tid, fid)
try:
    c.rename("nostreams", "f.txt", ":x")
    print("rename ok")
except Exception as e:
    print("rename", e)
c.logoff()
PYEOF
check "... FileFsAttributeInformation without FILE_NAMED_STREAMS" \
    grep -q "named streams False" "$T/out"
check "... a rename to a stream is OBJECT_NAME_INVALID" \
    grep -q "rename.*OBJECT_NAME_INVALID" "$T/out"
check "... and leaves the stored stream" \
    [ "$(xattr 'user.DosStream.renamed:$DATA' "$T/share/f.txt")" = "$(hex < s1.txt)00" ]

# The Samba round trip: Samba's smbd with streams_xattr on the same
# directory.
command -v smbd >/dev/null || { integ_done; exit $?; }
moddir=$(smbd -b 2>/dev/null | sed -n 's/^ *MODULESDIR: //p')
if [ ! -f "$moddir/vfs/streams_xattr.so" ] && ! smbd -b | grep -q 'vfs_streams_xattr_init'; then
	echo "SKIP: Samba's streams_xattr module is missing (apt-get install samba-vfs-modules)"
	integ_done
	exit $?
fi
SD=$T/samba
mkdir -p "$SD/priv" "$SD/lock" "$SD/state" "$SD/cache" "$SD/pid"
SPORT=$(integ_port)
cat > "$SD/smb.conf" <<EOF
[global]
	private dir = $SD/priv
	lock directory = $SD/lock
	state directory = $SD/state
	cache directory = $SD/cache
	pid directory = $SD/pid
	ncalrpc dir = $SD/ncalrpc
	smb ports = $SPORT
	interfaces = 127.0.0.1
	bind interfaces only = yes
	disable netbios = yes
	rpc_server:tcpip = no
	log file = $SD/log
	map to guest = never
[share]
	path = $T/share
	read only = no
	vfs objects = streams_xattr
EOF
printf 'Secret-123\nSecret-123\n' |
    smbpasswd -c "$SD/smb.conf" -a -s usmbdtest >/dev/null 2>&1
# Its own session: smbd signals its process group when it stops.
setsid smbd --foreground --no-process-group -s "$SD/smb.conf" >"$SD/out" 2>&1 &
SAMBA_PID=$!
stop_samba() {
	kill "$SAMBA_PID" 2>/dev/null
	wait "$SAMBA_PID" 2>/dev/null
	[ -f "$SD/pid/samba-dcerpcd.pid" ] &&
	    kill "$(cat "$SD/pid/samba-dcerpcd.pid")" 2>/dev/null
	integ_cleanup
}
trap stop_samba EXIT
for _ in $(seq 1 50); do
	smbclient -s "$T/client.conf" //127.0.0.1/share -p "$SPORT" \
	    -U 'usmbdtest%Secret-123' -c ls >/dev/null 2>&1 && break
	sleep 0.2
done

printf 'written by samba' > fromsamba.txt
smb "$SPORT" -c "put base.txt rt.txt; put fromsamba.txt rt.txt:samba"
check "Samba wrote the stream (xattr present)" \
    [ "$(xattr 'user.DosStream.samba:$DATA' "$T/share/rt.txt")" = "$(hex < fromsamba.txt)00" ]
rm -f back.txt
smb "$PORT" -c "get rt.txt:samba back.txt; allinfo rt.txt"
check "usmbd reads the stream Samba wrote" cmp -s fromsamba.txt back.txt
check "usmbd lists the stream Samba wrote" \
    grep -q 'stream: \[:samba:\$DATA\], 16 bytes' "$T/out"

printf 'written by usmbd' > fromusmbd.txt
smb "$PORT" -c "put fromusmbd.txt rt.txt:usmbd"
rm -f back.txt
smb "$SPORT" -c "get rt.txt:usmbd back.txt; allinfo rt.txt"
check "Samba reads the stream usmbd wrote" cmp -s fromusmbd.txt back.txt
check "Samba lists the stream usmbd wrote with its size" \
    grep -q 'stream: \[:usmbd:\$DATA\], 16 bytes' "$T/out"
integ_done
