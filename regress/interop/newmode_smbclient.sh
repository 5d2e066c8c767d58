#!/bin/sh
# The mode of new files and directories, as Samba computes it: what
# "create mask" (or "directory mask") lets through, plus what "force
# create mode" (or "force directory mode") adds; no umask of whoever
# started usmbd takes bits away (a umask of 077 is set here on purpose).
# With "inherit permissions" the parent directory's mode decides instead.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
integ_setup newmode
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
mkdir -p "$T/plain" "$T/forced" "$T/inherit"
chown usmbdtest "$T/plain" "$T/forced" "$T/inherit"
chmod 2751 "$T/inherit"
cat >>"$CONF" <<EOF
[plain]
	path = $T/plain
	read only = no
	create mask = 0664
	directory mask = 0775

[forced]
	path = $T/forced
	read only = no
	create mask = 0600
	force create mode = 0040
	directory mask = 0700
	force directory mode = 0050

[inherit]
	path = $T/inherit
	read only = no
	inherit permissions = yes
	create mask = 0600
	force create mode = 0004
EOF
integ_client_conf
umask 077
integ_start
umask 022
echo data >"$T/new.txt"

# smb SHARE COMMANDS: run smbclient as usmbdtest, output in $T/out.
smb() {
	timeout 60 smbclient -s "$T/client.conf" "//127.0.0.1/$1" -p "$PORT" \
	    -U 'usmbdtest%Secret-123' -c "$2" >"$T/out" 2>&1
}
mode() {
	stat -c %a "$1"
}

smb plain "put $T/new.txt f.txt; mkdir d"
check "create mask 0664: the file is 664 whatever the umask" \
    [ "$(mode "$T/plain/f.txt")" = 664 ]
check "directory mask 0775: the directory is 775" \
    [ "$(mode "$T/plain/d")" = 775 ]
smb forced "put $T/new.txt f.txt; mkdir d"
check "create mask 0600 plus force create mode 0040: 640" \
    [ "$(mode "$T/forced/f.txt")" = 640 ]
check "directory mask 0700 plus force directory mode 0050: 750" \
    [ "$(mode "$T/forced/d")" = 750 ]
smb forced "put $T/new.txt g.txt:s"
check "a file made for its first stream gets the same mode" \
    [ "$(mode "$T/forced/g.txt")" = 640 ]
smb inherit "put $T/new.txt f.txt; mkdir d"
check "inherit permissions: a file takes the parent's 751 less x: 640" \
    [ "$(mode "$T/inherit/f.txt")" = 640 ]
check "inherit permissions: a directory takes the parent's 2751" \
    [ "$(mode "$T/inherit/d")" = 2751 ]
integ_done
