#!/bin/sh
# hosts allow and hosts deny with smbclient, as Samba applies them: a
# share refuses a tree connect from a client its lists refuse; set in
# [global] they refuse the connection itself, before any process is
# started for it; the loopback address passes unless explicitly denied;
# host names are refused by usmbd -t (regress/unit/test_hostacl checks
# networks of every form).
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
integ_setup hosts
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
for s in open denied allowed except netonly; do
	mkdir -p "$T/$s"
done
cat >>"$CONF" <<EOF
[open]
	path = $T/open

[denied]
	path = $T/denied
	hosts deny = 127.0.0.1

[allowed]
	path = $T/allowed
	hosts allow = 127.0.0.1
	hosts deny = ALL

[except]
	path = $T/except
	hosts deny = 127.0.0.0/8 EXCEPT 127.0.0.1

[netonly]
	path = $T/netonly
	hosts allow = 10.0.0.0/8
EOF
integ_client_conf
integ_start

# smb SHARE: list the share as usmbdtest; output in $T/out.
smb() {
	timeout 30 smbclient -s "$T/client.conf" "//127.0.0.1/$1" -p "$PORT" \
	    -U 'usmbdtest%Secret-123' -c ls >"$T/out" 2>&1
}

check "a share without lists: connects" smb open
check "the master logs a connection it takes on" \
    log_has "connection [0-9]* from 127.0.0.1"
smb denied
check "hosts deny = 127.0.0.1: the tree connect is refused" \
    grep -q NT_STATUS_ACCESS_DENIED "$T/out"
check "the worker says why" \
    log_has "refused by hosts allow or hosts deny"
check "hosts allow = 127.0.0.1 with hosts deny = ALL: connects" smb allowed
check "127.0.0.0/8 EXCEPT 127.0.0.1 in hosts deny: connects" smb except
check "hosts allow = 10.0.0.0/8: the loopback address still connects" \
    smb netonly

# In [global]: the connection itself is refused, with a log line, and no
# preauth process is started for it.
integ_stop
sed -i 's/^\tsmb ports = .*/&\n\thosts deny = 127.0.0.1/' "$CONF"
integ_start
smb open
check "[global] hosts deny: the connection is refused" \
    sh -c "! grep -q 'blocks of size' '$T/out'"
check "[global] hosts deny: the master says why" \
    log_has "refusing connection from 127.0.0.1.*hosts allow or hosts deny"
check "[global] hosts deny: no connection was taken on" \
    sh -c "! grep -q 'connection [0-9]* from 127.0.0.1' '$LOG'"

# Host names would need the name service on every connect: refused.
cat >"$T/names.conf" <<EOF
[global]
	smb ports = 4455
[data]
	path = $T/open
	hosts allow = client.example.org
EOF
"$top_builddir/usmbd" -t -f "$T/names.conf" >"$T/out" 2>&1
rc=$?
check "a host name in hosts allow is an error for usmbd -t" [ "$rc" -eq 1 ]
check "and the line says why" grep -q \
    'names.conf:5: hosts allow: "client.example.org" is not an address' \
    "$T/out"
integ_done
