#!/bin/sh
# smbtorture with Kerberos against a throwaway MIT KDC: the session
# expiry tests (a session whose ticket ended answers everything but its
# re-authentication with NETWORK_SESSION_EXPIRED, MS-SMB2 3.3.5.2.9) and
# re-authentication, and AES-256 keys made from the whole Kerberos session
# key.  (reauth2 to reauth5 change the user, which a worker never does;
# reauth6 cannot fail a Kerberos logon.)  smbtorture asks the KDC itself
# for five-second tickets, so it gets the user's password and the
# realm's krb5.conf.
# KRB5_ONLY="name ..." runs only those.
. "$top_srcdir/regress/integ/lib.sh"
. "$top_srcdir/regress/interop/krb5_lib.sh"
command -v smbtorture >/dev/null ||
    skip "smbtorture not installed (apt-get install samba-testsuite)"
INTEG_EXTRA_GLOBAL="	map to guest = never
	auth failure limit = 0
	realm = USMBD.TEST
	dedicated keytab file = \$T/private/krb5.keytab"
integ_setup krb5torture
sed -i "s|\\\$T|$T|" "$CONF"
krb5_setup
integ_user "$KUSER" 'Ntlm-Secret-1' || skip "cannot create the Unix user $KUSER"
chown "$KUSER" "$T/share"
integ_client_conf
integ_start

TESTS=${KRB5_ONLY:-"smb2.session.expire1n smb2.session.expire1s
smb2.session.expire1e smb2.session.expire2s smb2.session.expire2e
smb2.session.expire_disconnect smb2.session.reauth1 smb2.session.two_logoff
smb2.session.encryption-aes-256-gcm smb2.session.encryption-aes-256-ccm
smb2.session.signing-aes-128-gmac"}
for t in $TESTS; do
	if timeout 120 smbtorture --configfile="$T/client.conf" \
	    --target=samba3 -p "$PORT" "//$KHOST/share" \
	    --option="torture:host=$KHOST" \
	    -U "$KUSER@$KREALM%$KPASS" --use-kerberos=required "$t" \
	    >"$T/torture.out" 2>&1 && grep -q "^success: " "$T/torture.out"
	then
		pass "$t"
		INTEG_CHECKS=$((INTEG_CHECKS + 1))
	else
		INTEG_CHECKS=$((INTEG_CHECKS + 1))
		fail "$t"
		tail -n 25 "$T/torture.out"
	fi
done
integ_done
