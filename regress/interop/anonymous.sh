#!/bin/sh
# Anonymous logons (null sessions, smbclient -N): refused by default before
# any session worker starts (doc/rights.md); with
# "restrict anonymous = 0" they list shares and reach "guest ok" shares
# as the guest account, and no other share.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
getent passwd nobody >/dev/null || skip "no user nobody for the guest account"

# server EXTRA-GLOBAL-LINES: a fresh server with a share and a guest share.
server() {
	if [ -n "${T:-}" ]; then
		integ_stop
		rm -rf "$T"
	fi
	INTEG_EXTRA_GLOBAL=$1
	integ_setup anonymous
	mkdir -p "$T/pub"
	echo "public" >"$T/pub/hello.txt"
	chmod 755 "$T/pub"
	chmod 644 "$T/pub/hello.txt"
	cat >>"$CONF" <<CONFEOF

[pub]
	path = $T/pub
	guest ok = yes
CONFEOF
	integ_client_conf
	integ_start
}

anon() {
	timeout 60 smbclient -s "$T/client.conf" -N -p "$PORT" "$@" >"$T/out" 2>&1
}

server ""
check "-T says anonymous logons are refused" \
    sh -c "'$top_builddir/usmbd' -T -f '$CONF' | grep -q 'restrict anonymous = 2'"
anon -L 127.0.0.1
rc=$?
check "default: smbclient -N -L fails ($rc)" [ "$rc" -ne 0 ]
check "with NT_STATUS_ACCESS_DENIED" grep -q NT_STATUS_ACCESS_DENIED "$T/out"
anon //127.0.0.1/pub -c ls
check "default: an anonymous tree connect to a guest ok share fails" [ $? -ne 0 ]
check "authd logs the refusal" log_has "anonymous logon refused (restrict anonymous = 2)"
check "no session worker was started" sh -c "! grep -q 'session worker pid' '$LOG'"

server "	restrict anonymous = 0"
anon -L 127.0.0.1
rc=$?
check "restrict anonymous = 0: smbclient -N -L works ($rc)" [ "$rc" -eq 0 ]
check "and lists the shares" grep -q "pub" "$T/out"
anon //127.0.0.1/pub -c "get hello.txt $T/got.txt"
check "an anonymous session reads a guest ok share" \
    sh -c "[ \"\$(cat '$T/got.txt')\" = public ]"
check "as the guest account" log_has "session worker pid [0-9]* as user nobody"
anon //127.0.0.1/share -c ls
check "but not a share without guest ok" grep -q NT_STATUS_ACCESS_DENIED "$T/out"

cat >"$T/one.conf" <<CONFEOF
[global]
	restrict anonymous = 1
[data]
	path = $T
CONFEOF
"$top_builddir/usmbd" -t -f "$T/one.conf" >"$T/out" 2>&1
check "restrict anonymous = 1 is refused as not supported" \
    sh -c "grep -q '1 is not supported' '$T/out'"
integ_done
