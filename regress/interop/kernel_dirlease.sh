#!/bin/sh
# kernel oplocks on directories: a local process's change in a directory
# breaks an SMB client's directory lease; nothing of it without the
# parameter (kernel_dirlease.py says what each check is).
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
INTEG_EXTRA_GLOBAL="	oplock break timeout = 3"
integ_setup kdirlease
cat >> "$CONF" <<EOF2
[kernel]
	path = $T/share
	read only = no
	kernel oplocks = yes
EOF2
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_start

timeout 120 /usr/bin/python3 "$top_srcdir/regress/interop/kernel_dirlease.py" \
    "$PORT" usmbdtest 'Secret-123' "$T/share" > "$T/py.out" 2>&1
grep -v "^ok " "$T/py.out" | tail -15
for t in kernel_dir_lease_granted local_create_breaks local_create_ack \
    local_rename_breaks local_rename_ack local_chmod_breaks \
    local_chmod_ack local_delete_breaks local_delete_ack \
    plain_dir_lease_granted plain_local_create_unseen \
    plain_local_rename_unseen plain_local_chmod_unseen \
    plain_local_delete_unseen kernel_own_create_breaks \
    plain_own_create_keeps_lease kernel_dir_watched \
    kernel_watch_removed_at_none plain_dir_not_watched \
    kernel_watch_removed_at_close kernel_new_dir_lease_kept; do
	check "impacket: $t" grep -qx "ok $t" "$T/py.out"
done
integ_done
