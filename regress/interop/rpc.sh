#!/bin/sh
# DCE/RPC on IPC$: smbclient -L, rpcclient and impacket against the
# srvsvc, wkssvc, lsarpc and samr pipes.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
INTEG_EXTRA_GLOBAL="	map to guest = never
	restrict anonymous = 0
	max connections per client = 0
	auth failure limit = 0
	netbios name = USMBDRPC
	workgroup = RPCGROUP
	server string = usmbd rpc test"
integ_setup rpc
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
mkdir -p "$T/hidden" "$T/other"
cat >> "$CONF" <<CONFEOF
	comment = the test share

[other]
	path = $T/other
	comment = another one

[hidden]
	path = $T/hidden
	browseable = no
CONFEOF
# Enough shares with long comments that the share list takes several
# response fragments.
LONG=$(printf 'a long comment that makes the share list span fragments %.0s' 1 2)
for i in $(seq -w 1 40); do
	mkdir -p "$T/bulk$i"
	printf '\n[bulk%s]\n\tpath = %s\n\tcomment = %s %s\n' \
	    "$i" "$T/bulk$i" "$LONG" "$i" >> "$CONF"
done
integ_client_conf
integ_start
AUTH='usmbdtest%Secret-123'
UID_T=$(id -u usmbdtest)

for proto in SMB2_02 SMB3_11; do
	pin="--option=clientminprotocol=$proto --option=clientmaxprotocol=$proto"
	timeout 30 smbclient -s "$T/client.conf" -L //127.0.0.1 -p "$PORT" \
	    -U "$AUTH" $pin >"$T/list" 2>&1
	check "$proto: smbclient -L succeeds" [ $? -eq 0 ]
	check "$proto: share is listed with its comment" \
	    grep -q 'share *Disk *the test share' "$T/list"
	check "$proto: other is listed" grep -q 'other *Disk *another one' "$T/list"
	check "$proto: IPC\$ is listed" grep -q 'IPC\$ *IPC *IPC Service' "$T/list"
	check "$proto: all 40 bulk shares are listed (several fragments)" \
	    [ "$(grep -c 'bulk[0-9]* *Disk *a long comment.* [0-9][0-9]$' "$T/list")" -eq 40 ]
	check "$proto: a non-browseable share is not listed" \
	    sh -c "! grep -q hidden '$T/list'"
	grep -q 'share' "$T/list" || cat "$T/list"
done
timeout 30 smbclient -s "$T/client.conf" -L //127.0.0.1 -p "$PORT" \
    -U "$AUTH" --option=clientminprotocol=SMB3_11 \
    --client-protection=encrypt >"$T/list" 2>&1
check "encrypted: smbclient -L lists the shares" \
    grep -q 'share *Disk *the test share' "$T/list"

if command -v rpcclient >/dev/null; then
	rpc() {
		timeout 30 rpcclient -s "$T/client.conf" -p "$PORT" -U "$AUTH" \
		    127.0.0.1 -c "$1" >"$T/rpc.out" 2>&1
	}
	rpc srvinfo
	check "rpcclient srvinfo" grep -q 'USMBDRPC' "$T/rpc.out"
	check "rpcclient srvinfo: server string" grep -q 'usmbd rpc test' "$T/rpc.out"
	grep -q 'USMBDRPC' "$T/rpc.out" || cat "$T/rpc.out"
	rpc netshareenumall
	check "rpcclient netshareenumall" grep -q 'netname: other' "$T/rpc.out"
	grep -q 'netname: other' "$T/rpc.out" || cat "$T/rpc.out"
	rpc 'netsharegetinfo share'
	check "rpcclient netsharegetinfo: path" grep -q 'path:.*C:.*share' "$T/rpc.out"
	grep -q 'path:.*C:' "$T/rpc.out" || cat "$T/rpc.out"
	rpc 'netsharegetinfo nosuchshare'
	check "rpcclient netsharegetinfo of a missing share fails" \
	    grep -q 'WERR_NERR_NETNAMENOTFOUND' "$T/rpc.out"
	rpc lsaquery
	check "rpcclient lsaquery: the domain" grep -q 'Domain Name: RPCGROUP' "$T/rpc.out"
	check "rpcclient lsaquery: no domain SID on a stand-alone server" \
	    grep -q 'Domain Sid: (NULL SID)\|Domain Sid: S-0-0' "$T/rpc.out"
	grep -q 'Domain Name: RPCGROUP' "$T/rpc.out" || cat "$T/rpc.out"
	rpc "lookupsids S-1-1-0 S-1-5-32-544 S-1-22-1-$UID_T"
	check "rpcclient lookupsids: Everyone" grep -q 'S-1-1-0 \\Everyone (5)' "$T/rpc.out"
	check "rpcclient lookupsids: Administrators" \
	    grep -q 'S-1-5-32-544 BUILTIN\\Administrators (4)' "$T/rpc.out"
	check "rpcclient lookupsids: the session user" \
	    grep -q "S-1-22-1-$UID_T Unix User\\\\usmbdtest (1)" "$T/rpc.out"
	grep -q 'Everyone' "$T/rpc.out" || cat "$T/rpc.out"
	rpc "lookupsids S-1-5-21-1-2-3-4"
	check "rpcclient lookupsids: an unknown SID is not mapped" \
	    grep -q 'NT_STATUS_NONE_MAPPED\|\*unknown\*' "$T/rpc.out"
	rpc "lookupnames usmbdtest Everyone nosuchname"
	check "rpcclient lookupnames: the session user" \
	    grep -q "usmbdtest S-1-22-1-$UID_T (User: 1)" "$T/rpc.out"
	check "rpcclient lookupnames: Everyone" \
	    grep -q 'Everyone S-1-1-0 (Well-known Group: 5)' "$T/rpc.out"
	grep -q 'Everyone' "$T/rpc.out" || cat "$T/rpc.out"
	# Other users and groups than the session's: named by the master.
	rpc "lookupsids S-1-22-1-0 S-1-22-2-0"
	check "rpcclient lookupsids: root's uid" \
	    grep -q 'S-1-22-1-0 Unix User\\root (1)' "$T/rpc.out"
	check "rpcclient lookupsids: root's gid" \
	    grep -q 'S-1-22-2-0 Unix Group\\root (2)' "$T/rpc.out"
	grep -q 'Unix User.root' "$T/rpc.out" || cat "$T/rpc.out"
	rpc "lookupsids S-1-22-1-3999999"
	check "rpcclient lookupsids: an unknown uid is not mapped" \
	    grep -q 'NT_STATUS_NONE_MAPPED\|\*unknown\*' "$T/rpc.out"
	rpc "lookupnames root"
	check "rpcclient lookupnames: root" \
	    grep -q 'root S-1-22-1-0 (User: 1)' "$T/rpc.out"
	grep -q 'root S-1' "$T/rpc.out" || cat "$T/rpc.out"
	rpc "lookupnames adm"
	check "rpcclient lookupnames: a group" \
	    grep -q "adm S-1-22-2-$(getent group adm | cut -d: -f3) (Domain Group: 2)" \
	    "$T/rpc.out"
	grep -q 'adm S-1' "$T/rpc.out" || cat "$T/rpc.out"
	rpc enumdomains
	check "rpcclient enumdomains" grep -q 'name:\[USMBDRPC\]' "$T/rpc.out"
	grep -q 'USMBDRPC' "$T/rpc.out" || cat "$T/rpc.out"
	rpc enumdomusers
	check "rpcclient enumdomusers" grep -q 'user:\[usmbdtest\]' "$T/rpc.out"
	grep -q 'usmbdtest' "$T/rpc.out" || cat "$T/rpc.out"
	rpc getusername
	check "rpcclient getusername" grep -q 'Account Name: usmbdtest' "$T/rpc.out"
	grep -q 'usmbdtest' "$T/rpc.out" || cat "$T/rpc.out"
	rpc "lookupdomain Builtin"
	check "rpcclient lookupdomain Builtin" grep -q 'S-1-5-32' "$T/rpc.out"
	grep -q 'S-1-5-32' "$T/rpc.out" || cat "$T/rpc.out"
fi

if /usr/bin/python3 -c 'import impacket' 2>/dev/null; then
	/usr/bin/python3 "$top_srcdir/regress/interop/rpc.py" "$PORT" \
	    usmbdtest 'Secret-123' "$UID_T" > "$T/py.out" 2>&1
	rc=$?
	cat "$T/py.out"
	check "impacket rpc checks all passed" [ "$rc" -eq 0 ]
	n=$(grep -c '^ok:' "$T/py.out")
	check "impacket ran its rpc checks ($n ok)" [ "$n" -ge 20 ]
fi
# smbtorture's RPC tests of what is implemented; each named test must
# report success (the rest of these suites needs services usmbd lacks).
# Samba's client speaks NDR64 too when the binding asks for it: every test
# runs once in each transfer syntax.
if command -v smbtorture >/dev/null; then
	torture() {
		for opt in "" "[ndr64]"; do
			timeout 120 smbtorture --configfile="$T/client.conf" \
			    --target=samba3 -p "$PORT" "ncacn_np:127.0.0.1$opt" \
			    -U "$AUTH" "$1" > "$T/torture.out" 2>&1
			for t in $(seq 2 $#); do
				eval "name=\${$t}"
				check "smbtorture${opt:+ $opt}: $name" \
				    grep -qxF "success: $name" "$T/torture.out"
			done
		done
	}
	torture rpc.srvsvc \
	    "srvsvc (admin access).NetConnEnum" \
	    "srvsvc (admin access).NetFileEnum" \
	    "srvsvc (admin access).NetSessEnum" \
	    "srvsvc (admin access).NetShareEnumAll" \
	    "srvsvc (admin access).NetSrvGetInfo" \
	    "srvsvc (admin access).NetRemoteTOD" \
	    "srvsvc (admin access).NetShareEnum" \
	    "srvsvc (admin access).NetShareGetInfo" \
	    "srvsvc anonymous access.NetShareEnumAll" \
	    "srvsvc anonymous access.NetShareEnum" \
	    "srvsvc anonymous access.NetShareGetInfo"
	torture rpc.wkssvc.wkssvc.NetWkstaGetInfo wkssvc.NetWkstaGetInfo
	torture rpc.lsa.lookupsids lsa.LookupSidsReply
	torture rpc.lsa.lookupnames lsa.LookupNames
	torture rpc.lsa-getuser lsa-getuser
	torture rpc.handles.lsarpc lsarpc
	torture rpc.handles.samr samr
	torture rpc.dssetup dssetup.DsRoleGetPrimaryDomainInformation
	torture rpc.objectuuid random-uuid
fi
integ_done
