#!/bin/sh
# Kerberos logons against a throwaway MIT KDC: smbclient with
# --use-kerberos=required on SMB 3.0, 3.0.2 and 3.1.1, signed and
# encrypted, puts and gets a file; a ticket for a key the keytab lacks
# and an expired ticket are refused with a log line naming the client;
# NTLM still works beside Kerberos, and ntlm auth = disabled leaves
# Kerberos only.
. "$top_srcdir/regress/integ/lib.sh"
. "$top_srcdir/regress/interop/krb5_lib.sh"
command -v smbclient >/dev/null ||
    skip "smbclient not installed (apt-get install smbclient)"
INTEG_LOG_LEVEL=3
INTEG_EXTRA_GLOBAL="	map to guest = never
	auth failure limit = 0
	realm = USMBD.TEST
	kerberos clock skew = 2
	kerberos method = dedicated keytab
	dedicated keytab file = \$T/private/krb5.keytab"
integ_setup krb5
sed -i "s|\\\$T|$T|" "$CONF"
krb5_setup
integ_user "$KUSER" 'Ntlm-Secret-1' || skip "cannot create the Unix user $KUSER"
chown "$KUSER" "$T/share"
integ_client_conf
cd "$T" || exit 99
head -c 200000 /dev/urandom >src.bin
krb5_kinit || { echo "kinit failed"; exit 99; }
integ_start

# try DESC EXPECT(ok|fail) ARGS...: put and get a file with Kerberos.
try() {
	desc=$1 want=$2
	shift 2
	rm -f back.bin
	if timeout 30 smbclient -s "$T/client.conf" "//$KHOST/share" \
	    -I 127.0.0.1 -p "$PORT" "$@" \
	    -c 'put src.bin k.bin; get k.bin back.bin; del k.bin' \
	    >"$T/out" 2>&1 && cmp -s src.bin back.bin; then
		got=ok
	else
		got=fail
	fi
	check "$desc" [ "$got" = "$want" ]
	[ "$got" = "$want" ] || cat "$T/out"
}
KRB="--use-kerberos=required --use-krb5-ccache=$KCC"

for proto in SMB3_00 SMB3_02 SMB3_11; do
	pin="--option=clientminprotocol=$proto --option=clientmaxprotocol=$proto"
	try "$proto: Kerberos, signed" ok $KRB $pin --client-protection=sign
	try "$proto: Kerberos, encrypted" ok $KRB $pin \
	    --client-protection=encrypt
done
check "the session worker ran as $KUSER" \
    log_has "session worker pid [0-9]* as user $KUSER"
check "the principal is logged" \
    log_has "Kerberos principal $KUSER@$KREALM from 127.0.0.1"
check "NEGOTIATE offers Kerberos, then NTLMSSP" sh -c \
    "$PY $top_srcdir/regress/interop/krb5_impacket.py $KHOST $PORT x x mechs | grep -qx 'mskrb5 krb5 ntlmssp'"
try "NTLM beside Kerberos" ok -U "$KUSER%Ntlm-Secret-1" \
    --use-kerberos=disabled
"$top_builddir/usmbd-passwd" -f "$CONF" -D "$KUSER" >/dev/null
try "an account disabled in the user database is disabled for Kerberos" \
    fail $KRB
check "the refusal names the principal" \
    log_has "\"$KUSER@$KREALM\" from 127.0.0.1: account disabled"
"$top_builddir/usmbd-passwd" -f "$CONF" -e "$KUSER" >/dev/null

# The service key changes at the KDC (kvno 2) while the keytab still has
# the old one: the ticket is for a key authd does not have.  The keytab
# is read at each logon, so the new one serves without a restart.
$KADMIN -q "ktadd -k $K/new.keytab cifs/$KHOST" >/dev/null 2>&1
kdestroy >/dev/null 2>&1
krb5_kinit
try "a ticket for a key the keytab lacks is refused" fail $KRB
check "the refusal names the client and the reason" \
    log_has "authentication failed for a client from 127.0.0.1: Kerberos ticket for a key not in the keytab (ticket for cifs/$KHOST@$KREALM, kvno [0-9]*)"
cp "$K/new.keytab" "$KT"
chown _usmbd-auth "$KT"
try "the new keytab serves without a restart" ok $KRB

# impacket builds its AP-REQ by hand (no GSS-API checksum, which MS-KILE
# allows) from the service ticket in the cache, and sends whatever the
# cache holds: a replayed authenticator and an expired ticket reach the
# server.
IMP="$PY $top_srcdir/regress/interop/krb5_impacket.py $KHOST $PORT $KUSER $KREALM"
kvno -c "$KCC" "cifs/$KHOST" >/dev/null 2>&1
check "impacket logs on with Kerberos" \
    sh -c "KRB5CCNAME=$KCC $IMP ok | grep -qx ok"
check "a bare krb5 token, without SPNEGO" \
    sh -c "KRB5CCNAME=$KCC $IMP bare | grep -qx ok"
KRB5CCNAME=$KCC $IMP replay >"$T/replay" 2>&1
check "a replayed authenticator is refused" \
    sh -c "printf 'ok\nSTATUS_LOGON_FAILURE\n' | cmp -s - '$T/replay'"
[ "$(cat "$T/replay")" = "$(printf 'ok\nSTATUS_LOGON_FAILURE')" ] ||
    cat "$T/replay"
check "the replay is logged with the client" \
    log_has "\"$KUSER@$KREALM\" from 127.0.0.1: Kerberos authenticator replayed"

KRB5CCNAME=$KCC $IMP skew >"$T/skew" 2>&1
check "an authenticator outside kerberos clock skew is refused" \
    grep -qx STATUS_TIME_DIFFERENCE_AT_DC "$T/skew"
grep -qx STATUS_TIME_DIFFERENCE_AT_DC "$T/skew" || cat "$T/skew"
check "the skew is logged with the client" \
    log_has "\"$KUSER@$KREALM\" from 127.0.0.1: Kerberos authenticator outside the clock skew"

# An expired ticket: a five-second one, used after it ends.
kdestroy >/dev/null 2>&1
$KADMIN -q "modprinc -maxlife 5sec $KUSER" >/dev/null 2>&1
krb5_kinit -l 5s
kvno -c "$KCC" "cifs/$KHOST" >/dev/null 2>&1
sleep 9
KRB5CCNAME=$KCC $IMP expired >"$T/expired" 2>&1
check "an expired ticket is refused" grep -qx STATUS_LOGON_FAILURE "$T/expired"
grep -qx STATUS_LOGON_FAILURE "$T/expired" || cat "$T/expired"
check "the expiry is logged with the client" \
    log_has "\"$KUSER@$KREALM\" from 127.0.0.1: Kerberos ticket expired"
try "smbclient does not use an expired ticket" fail $KRB
$KADMIN -q "modprinc -maxlife 10h $KUSER" >/dev/null 2>&1
kdestroy >/dev/null 2>&1
krb5_kinit

# kerberos method = system keytab: libkrb5's default keytab, which authd's
# Landlock ruleset allows alone of /etc.  Only on a machine without one;
# the test's copy goes at the end.
if [ ! -e /etc/krb5.keytab ]; then
	cp "$KT" /etc/krb5.keytab
	chown _usmbd-auth /etc/krb5.keytab
	chmod 600 /etc/krb5.keytab
	SYSKT_ADDED=1
	integ_stop
	sed -i 's/^\tkerberos method = dedicated keytab$/\tkerberos method = system keytab/' "$CONF"
	: >"$LOG"
	integ_start
	try "kerberos method = system keytab" ok $KRB
	check "authd reads /etc/krb5.keytab" \
	    log_has "Kerberos logons with keytab /etc/krb5.keytab"
	rm -f /etc/krb5.keytab
	SYSKT_ADDED=
	sed -i 's/^\tkerberos method = system keytab$/\tkerberos method = dedicated keytab/' "$CONF"
fi

# ntlm auth = disabled: Kerberos only.
integ_stop
sed -i 's/^\tmap to guest = never$/&\n\tntlm auth = disabled/' "$CONF"
: >"$LOG"
integ_start
check "ntlm auth = disabled: NEGOTIATE offers Kerberos only" sh -c \
    "$PY $top_srcdir/regress/interop/krb5_impacket.py $KHOST $PORT x x mechs | grep -qx 'mskrb5 krb5'"
try "ntlm auth = disabled: Kerberos works" ok $KRB --client-protection=sign
try "ntlm auth = disabled: NTLM is refused" fail -U "$KUSER%Ntlm-Secret-1" \
    --use-kerberos=disabled

# Without a keytab there is no Kerberos, and NTLMSSP alone is offered.
integ_stop
sed -i '/kerberos method\|dedicated keytab file\|ntlm auth/d' "$CONF"
: >"$LOG"
integ_start
check "without a keytab NEGOTIATE offers NTLMSSP only" sh -c \
    "$PY $top_srcdir/regress/interop/krb5_impacket.py $KHOST $PORT x x mechs | grep -qx ntlmssp"
try "without a keytab Kerberos is refused" fail $KRB
integ_done
