#!/bin/sh
# Windows metadata stored the Samba way (doc/design.md §4): the real Samba
# smbd serves the SAME directory as usmbd on a second loopback port.
# DOS attributes, create times and EAs set through one server are read
# back through the other, and user.DOSATTRIB is byte-compatible.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
command -v smbd >/dev/null || [ -x /usr/sbin/smbd ] ||
    skip "Samba's smbd not installed (apt-get install samba)"
command -v getfattr >/dev/null || skip "getfattr not installed (apt-get install attr)"
PY=${PY:-/usr/bin/python3}
integ_setup sambameta
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_client_conf
integ_start
setfattr -n user.usmbdprobe -v 1 "$T/share" 2>/dev/null ||
    skip "the file system of $T has no user xattrs"
setfattr -x user.usmbdprobe "$T/share"

# A private Samba instance over the same share.
samba_start "	store dos attributes = yes
	ea support = yes"

# smb PORT COMMANDS: smbclient against one of the two servers.
smb() {
	timeout 60 smbclient -s "$T/client.conf" //127.0.0.1/share -p "$1" \
	    -U 'usmbdtest%Secret-123' -c "$2" >"$T/out" 2>&1
}
# field PORT FILE NAME: one line of smbclient's allinfo.
field() {
	smb "$1" "allinfo $2"
	sed -n "s/^$3: *//p" "$T/out"
}
ea() {
	$PY "$top_srcdir/regress/interop/meta_samba.py" "$1" usmbdtest \
	    Secret-123 "$2" "$3" "${4-}" "${5-}" >"$T/ea.out" 2>&1
}

cd "$T" || exit 99
echo "some data" > data.txt

# Samba writes, usmbd reads.
smb "$SPORT" "put data.txt fromsamba.txt; setmode fromsamba.txt +rh; mkdir sambadir; setmode sambadir +s"
check "Samba stored user.DOSATTRIB" sh -c \
    "getfattr -n user.DOSATTRIB -e hex '$T/share/fromsamba.txt' | grep -q '=0x0000050005000000'"
check "usmbd reads Samba's attributes of a file" \
    [ "$(field "$PORT" fromsamba.txt attributes)" = "RHA (23)" ]
check "usmbd reads Samba's attributes of a directory" \
    [ "$(field "$PORT" sambadir attributes)" = "SD (14)" ]
ct_s=$(field "$SPORT" fromsamba.txt create_time)
ct_u=$(field "$PORT" fromsamba.txt create_time)
check "usmbd shows Samba's create time ($ct_s)" [ -n "$ct_s" ] && [ "$ct_s" = "$ct_u" ]
smb "$PORT" "setmode fromsamba.txt -h"
check "usmbd changes the attributes Samba stored" \
    [ "$(field "$SPORT" fromsamba.txt attributes)" = "RA (21)" ]
check "the create time survives the change" \
    [ "$(field "$SPORT" fromsamba.txt create_time)" = "$ct_s" ]

# usmbd writes, Samba reads.
smb "$PORT" "put data.txt fromusmbd.txt; setmode fromusmbd.txt +hs; mkdir usmbddir; setmode usmbddir +h"
check "usmbd stored user.DOSATTRIB the way Samba 4.17 does" sh -c \
    "getfattr -n user.DOSATTRIB -e hex '$T/share/fromusmbd.txt' | grep -q '=0x000005000500000011000000260000'"
check "Samba reads usmbd's attributes of a file" \
    [ "$(field "$SPORT" fromusmbd.txt attributes)" = "HSA (26)" ]
check "Samba reads usmbd's attributes of a directory" \
    [ "$(field "$SPORT" usmbddir attributes)" = "HD (12)" ]
ct_u=$(field "$PORT" fromusmbd.txt create_time)
ct_s=$(field "$SPORT" fromusmbd.txt create_time)
check "Samba shows usmbd's create time ($ct_u)" [ -n "$ct_u" ] && [ "$ct_s" = "$ct_u" ]

# READONLY means what it means on Windows and Samba.
smb "$PORT" "put data.txt ro.txt; setmode ro.txt +r; del ro.txt"
check "a read-only file is not deleted" [ -f "$T/share/ro.txt" ]
smb "$PORT" "setmode ro.txt -r; del ro.txt"
check "it is once READONLY is cleared" [ ! -e "$T/share/ro.txt" ]

# A file without the xattr looks the same through both.
echo plain > "$T/share/plain.txt"
chown usmbdtest "$T/share/plain.txt"
check "a file without user.DOSATTRIB is A through usmbd" \
    [ "$(field "$PORT" plain.txt attributes)" = "A (20)" ]
# (Samba itself shows such a file as A only when the owner may execute
# it, its "map archive" default; usmbd shows every file as A.)

# EAs as user.<name> xattrs, both ways.
if $PY -c 'import impacket' 2>/dev/null; then
	ea "$SPORT" setea fromsamba.txt SambaEA "set through samba"
	check "Samba stored the EA as user.SambaEA" sh -c \
	    "getfattr -n user.SambaEA --only-values '$T/share/fromsamba.txt' 2>/dev/null | grep -qx 'set through samba'"
	ea "$PORT" getea fromsamba.txt
	check "usmbd lists Samba's EA" grep -qi "^SambaEA=set through samba" "$T/ea.out"
	check "usmbd hides Samba's own xattrs" sh -c "! grep -qi dosattrib '$T/ea.out'"
	ea "$PORT" setea fromusmbd.txt UsmbdEA "set through usmbd"
	check "usmbd stored the EA as user.UsmbdEA" sh -c \
	    "getfattr -n user.UsmbdEA --only-values '$T/share/fromusmbd.txt' 2>/dev/null | grep -qx 'set through usmbd'"
	ea "$SPORT" getea fromusmbd.txt
	check "Samba lists usmbd's EA" grep -qi "^UsmbdEA=set through usmbd" "$T/ea.out"
	easz_s=$(sed -n 's/^EaSize=//p' "$T/ea.out")
	ea "$PORT" getea fromusmbd.txt
	easz_u=$(sed -n 's/^EaSize=//p' "$T/ea.out")
	check "EaSize is the same through both ($easz_u, Samba $easz_s)" \
	    [ "${easz_u:-0}" -gt 0 ] && [ "$easz_u" = "$easz_s" ]
	ea "$PORT" setea fromusmbd.txt usmbdea ""
	check "an empty value removes the EA, whatever its case" sh -c \
	    "! getfattr -d '$T/share/fromusmbd.txt' 2>/dev/null | grep -qi usmbdea"
	ea "$PORT" getea plain.txt
	check "no EAs: STATUS_NO_EAS_ON_FILE" grep -q "NO_EAS_ON_FILE" "$T/ea.out"
else
	echo "impacket not installed: EA checks skipped"
fi

# smbtorture's smb2.ea.acl_xattr needs the name of the ACL xattr, which
# the enforced list cannot pass: it runs here.
if command -v smbtorture >/dev/null; then
	check "smbtorture smb2.ea.acl_xattr (security.NTACL is no EA)" sh -c \
	    "timeout 60 smbtorture --configfile='$T/client.conf' \
	    --target=samba3 --option=torture:acl_xattr_name=security.NTACL \
	    -p '$PORT' //127.0.0.1/share -U 'usmbdtest%Secret-123' \
	    smb2.ea.acl_xattr 2>&1 | grep -q '^success: acl_xattr'"
fi
integ_done
