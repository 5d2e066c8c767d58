#!/bin/sh
# Names as Windows treats them, seen through smbclient: case-insensitive
# lookup, symlinks inside the share followed and those leaving it refused
# (doc/design.md invariant 7), reserved characters, missing parents against
# missing files, veto files and hidden dot files.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
integ_setup names
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
cat >> "$CONF" <<'CONFEOF'
	veto files = /*.secret/
	hide dot files = yes
CONFEOF
S=$T/share
echo inside > "$S/MixedCase.txt"
echo target > "$S/target.txt"
ln -s target.txt "$S/link.txt"
mkdir "$S/sub"
echo deep > "$S/sub/deep.txt"
ln -s sub "$S/sublink"
ln -s /etc/hostname "$S/escape.txt"
head -c 12345 /dev/zero > "$T/outside.bin"
ln -s ../outside.bin "$S/outlink.bin"
ln -s /etc "$S/escapedir"
ln -s ../../../../../../etc/hostname "$S/sub/dotdot.txt"
echo veto > "$S/x.secret"
echo dot > "$S/.dotfile"
chown -R usmbdtest "$S"
integ_client_conf
integ_start
cd "$T" || exit 99

smb() {
	timeout 60 smbclient -s "$T/client.conf" //127.0.0.1/share -p "$PORT" \
	    -U 'usmbdtest%Secret-123' -c "$1" >"$T/out" 2>&1
}
has() {
	grep -q -- "$1" "$T/out"
}

rm -f got
smb 'get mixedcase.TXT got'
check "a name in another case opens the file" grep -qx inside got
rm -f got
smb 'get link.txt got'
check "a symlink inside the share is followed" grep -qx target got
rm -f got
smb 'get sublink\deep.txt got'
check "a directory symlink inside the share is followed" grep -qx deep got
rm -f got
smb 'get escape.txt got'
check "a symlink out of the share is refused" has NT_STATUS_ACCESS_DENIED
check "nothing from outside was read" [ ! -s got ]
smb 'ls escapedir\*'
check "a directory symlink out of the share is refused" \
    has "NT_STATUS_ACCESS_DENIED\|NT_STATUS_OBJECT_PATH_NOT_FOUND"
rm -f got
smb 'get sub\dotdot.txt got'
check "a symlink climbing out through .. is refused" has NT_STATUS_ACCESS_DENIED
smb 'get "bad|name" got'
check "a reserved character is OBJECT_NAME_INVALID" has NT_STATUS_OBJECT_NAME_INVALID
smb 'get nodir\file.txt got'
check "a missing parent is OBJECT_PATH_NOT_FOUND" has NT_STATUS_OBJECT_PATH_NOT_FOUND
smb 'get nofile.txt got'
check "a missing file is OBJECT_NAME_NOT_FOUND" has NT_STATUS_OBJECT_NAME_NOT_FOUND
smb 'get MixedCase.txt\x got'
check "a file used as a directory is OBJECT_PATH_NOT_FOUND" has NT_STATUS_OBJECT_PATH_NOT_FOUND
smb 'ls'
check "veto files are not listed" sh -c "! grep -q secret '$T/out'"
check "dot files are listed" has "\.dotfile"
check "dot files are hidden" grep -q "\.dotfile *AH\|\.dotfile *H" "$T/out"
check "a listing shows nothing of a file outside the share" \
    sh -c "! grep -q 12345 '$T/out'"
check "a symlink inside the share lists as its target" \
    grep -q "link.txt *A *7 " "$T/out"
smb 'get x.secret got'
check "a vetoed file cannot be opened" has NT_STATUS_OBJECT_NAME_NOT_FOUND
integ_done
