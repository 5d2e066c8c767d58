#!/bin/sh
# Read-only shares with smbclient: reading works; writing, creating,
# deleting and renaming are refused and change nothing on disk.  "write
# list" gives a user back the right to write in a read-only share, and
# "read list" takes it away in a writable one: the worker's Landlock rules
# follow the same decision, so the kernel agrees with what the server says.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
integ_setup roshare
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
integ_user usmbdwriter 'Writer-456' || skip "cannot create the Unix user usmbdwriter"
mkdir -p "$T/ro" "$T/rw"
echo "original" >"$T/ro/file.txt"
echo "original" >"$T/rw/file.txt"
# The Unix permissions allow both users everything: only the share's
# settings (and the sandbox that follows them) refuse.
chmod 1777 "$T/ro" "$T/rw"
chmod 666 "$T/ro/file.txt" "$T/rw/file.txt"
cat >>"$CONF" <<EOF
[ro]
	path = $T/ro
	read only = yes
	write list = usmbdwriter

[rw]
	path = $T/rw
	read only = no
	read list = usmbdtest
EOF
integ_client_conf
integ_start
echo "new data" >"$T/new.txt"

# smb USER%PASS SHARE COMMANDS: run smbclient, output in $T/out.
smb() {
	timeout 60 smbclient -s "$T/client.conf" "//127.0.0.1/$2" -p "$PORT" \
	    -U "$1" -c "$3" >"$T/out" 2>&1
}

for share in ro rw; do
	U='usmbdtest%Secret-123'
	smb "$U" $share "get file.txt $T/got.txt"
	check "$share as a reader: get works" cmp -s "$T/got.txt" "$T/$share/file.txt"
	smb "$U" $share "put $T/new.txt file.txt"
	check "$share as a reader: overwriting is access denied" grep -q NT_STATUS_ACCESS_DENIED "$T/out"
	smb "$U" $share "put $T/new.txt other.txt"
	check "$share as a reader: creating is access denied" grep -q NT_STATUS_ACCESS_DENIED "$T/out"
	smb "$U" $share "mkdir sub"
	check "$share as a reader: mkdir is access denied" grep -q NT_STATUS_ACCESS_DENIED "$T/out"
	smb "$U" $share "rename file.txt moved.txt"
	check "$share as a reader: rename is access denied" grep -q NT_STATUS_ACCESS_DENIED "$T/out"
	smb "$U" $share "del file.txt"
	check "$share as a reader: del is access denied" grep -q NT_STATUS_ACCESS_DENIED "$T/out"
	check "$share as a reader: nothing changed on disk" sh -c \
	    "[ \"\$(cat '$T/$share/file.txt')\" = original ] && [ ! -e '$T/$share/other.txt' ] && [ ! -e '$T/$share/sub' ] && [ ! -e '$T/$share/moved.txt' ]"
done

# usmbdwriter is in the read-only share's write list.
smb 'usmbdwriter%Writer-456' ro "put $T/new.txt written.txt; mkdir wsub"
check "ro, write list: put and mkdir work" sh -c \
    "cmp -s '$T/new.txt' '$T/ro/written.txt' && [ -d '$T/ro/wsub' ]"
smb 'usmbdwriter%Writer-456' rw "put $T/new.txt written.txt"
check "rw: a user not in read list writes" cmp -s "$T/new.txt" "$T/rw/written.txt"
check "no worker died" sh -c "! grep -q 'killed by signal' '$LOG'"
integ_done
