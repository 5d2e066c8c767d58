#!/bin/sh
# smbclient against usmbd: every dialect, with signing and with
# encryption forced, and the ways a logon must fail.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
INTEG_EXTRA_GLOBAL="	map to guest = never
	auth failure limit = 0"
integ_setup smbauth
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
integ_user usmbdoff 'Other-456' || skip "cannot create the Unix user usmbdoff"
"$top_builddir/usmbd-passwd" -f "$CONF" -D usmbdoff >/dev/null
chown usmbdtest "$T/share"
integ_client_conf
integ_start

SHARE=share

# try DESC EXPECT(ok|fail) ARGS...: run "exit" on the share.
try() {
	desc=$1 want=$2
	shift 2
	if timeout 30 smbclient -s "$T/client.conf" "//127.0.0.1/$SHARE" \
	    -p "$PORT" "$@" -c 'exit' >"$T/out" 2>&1; then
		got=ok
	else
		got=fail
	fi
	check "$desc" [ "$got" = "$want" ]
	[ "$got" = "$want" ] || cat "$T/out"
}

for proto in SMB2_02 SMB2_10 SMB3_00 SMB3_02 SMB3_11; do
	pin="--option=clientminprotocol=$proto --option=clientmaxprotocol=$proto"
	try "$proto: logon and tree connect" ok -U 'usmbdtest%Secret-123' $pin
	try "$proto: signed" ok -U 'usmbdtest%Secret-123' $pin --client-protection=sign
	case $proto in
	SMB3*) try "$proto: encrypted" ok -U 'usmbdtest%Secret-123' $pin --client-protection=encrypt ;;
	esac
done
check "the session worker ran as usmbdtest" log_has "session worker pid [0-9]* as user usmbdtest"
try "wrong password is refused" fail -U 'usmbdtest%wrong'
check "the failure is logged with the client address" log_has 'authentication failed for user "usmbdtest" from 127.0.0.1: wrong password'
try "unknown user is refused" fail -U 'nobodyhere%whatever'
try "disabled user is refused" fail -U 'usmbdoff%Other-456'
check "the disabled account is named in the log" log_has 'usmbdoff.*account disabled'
try "NTLMv1 is refused" fail -U 'usmbdtest%Secret-123' --option=clientntlmv2auth=no --option=clientusespnego=no
SHARE=nosuchshare
try "a share that does not exist" fail -U 'usmbdtest%Secret-123'
SHARE=share

# ntlm auth = disabled: no NTLM logon at all, with a log line that says
# why; without Kerberos, which this version does not have, nobody logs on.
integ_stop
sed -i 's/^\tmap to guest = never$/&\n\tntlm auth = disabled/' "$CONF"
check "usmbd -T shows ntlm auth = disabled" sh -c \
    "'$top_builddir/usmbd' -T -f '$CONF' | grep -q 'ntlm auth = disabled'"
: >"$LOG"
integ_start
try "ntlm auth = disabled refuses an NTLMv2 logon" fail \
    -U 'usmbdtest%Secret-123'
check "the refusal names the setting" \
    log_has 'usmbdtest.*NTLM logons are refused (ntlm auth = disabled)'
check "no session worker was started" \
    sh -c "! grep -q 'session worker pid [0-9]* as user usmbdtest' '$LOG'"
integ_done
