#!/bin/sh
# kernel oplocks: a local process's open breaks the oplock of an SMB
# client and sees what the client flushed; nothing of it without the
# parameter (kernel_oplocks.py says what each check is).
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
[ -r /proc/locks ] || skip "no /proc/locks"
INTEG_EXTRA_GLOBAL="	oplock break timeout = 3"
integ_setup klease
cat >> "$CONF" <<EOF2
[kernel]
	path = $T/share
	read only = no
	kernel oplocks = yes
EOF2
# A share that forces another user: its files are that user's, and so
# are the file leases on them.
getent passwd usmbdfu >/dev/null || useradd --no-create-home \
    --home-dir /nonexistent --shell /usr/sbin/nologin usmbdfu ||
    skip "cannot create the Unix user usmbdfu"
mkdir -p "$T/forced"
cat >> "$CONF" <<EOF2
[kforced]
	path = $T/forced
	read only = no
	force user = usmbdfu
	kernel oplocks = yes
EOF2
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
chown usmbdfu "$T/forced"
integ_start

timeout 300 /usr/bin/python3 "$top_srcdir/regress/interop/kernel_oplocks.py" \
    "$PORT" usmbdtest 'Secret-123' "$T/share" "$T/forced" > "$T/py.out" 2>&1
grep -v "^ok " "$T/py.out" | tail -15
for t in batch_granted file_lease_taken local_open_breaks local_open_waits \
    ack local_reads_flushed_data file_lease_released \
    lease_granted_with_file_lease local_open_breaks_lease \
    local_reads_lease_flushed_data smb_open_breaks \
    smb_open_waits smb_open_completes stat_open_does_not_wait \
    not_owner_no_oplock unacked_break_ends_at_timeout \
    forced_batch_granted forced_local_reads_flushed_data \
    forced_file_lease_released \
    plain_share_no_file_lease \
    plain_share_local_open_unseen; do
	check "impacket: $t" grep -qx "ok $t" "$T/py.out"
done
integ_done
