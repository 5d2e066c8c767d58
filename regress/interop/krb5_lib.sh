# A throwaway MIT Kerberos realm for the Kerberos interop tests, sourced
# after regress/integ/lib.sh and integ_setup.  Everything lives in $T/krb5:
# the KDC's database, its configuration, the clients' krb5.conf, the
# keytabs and the credential caches.  The KDC listens on a loopback port
# of its own, so that tests may run in parallel.
#
# krb5_setup: start the KDC and create the realm USMBD.TEST with the
# service principal cifs/usmbd.test (keytab $KT, readable by authd only)
# and the user principal $KUSER (a Unix user of the same name); adds
# "127.0.0.1 usmbd.test" to /etc/hosts for the test's time if it is
# missing.
# krb5_kinit [ARGS]: a ticket for $KUSER in the cache $KCC.

KREALM=USMBD.TEST
KHOST=usmbd.test
KUSER=usmbdkrb
KPASS='Krb-Secret-789'

krb5_setup() {
	for b in krb5kdc kdb5_util kinit kvno klist; do
		command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] ||
		    skip "$b missing (apt-get install krb5-kdc krb5-admin-server krb5-user)"
	done
	KADMIN=$(command -v kadmin.local || echo /usr/sbin/kadmin.local)
	[ -x "$KADMIN" ] ||
	    skip "kadmin.local missing (apt-get install krb5-admin-server)"
	K=$T/krb5
	mkdir -p "$K/db"
	KPORT=$(integ_port)
	KT=$T/private/krb5.keytab
	KCC=$K/ccache
	cat >"$K/krb5.conf" <<KEOF
[libdefaults]
	default_realm = $KREALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	rdns = false
	dns_canonicalize_hostname = false
	ignore_acceptor_hostname = true
	udp_preference_limit = 1
[realms]
	$KREALM = {
		kdc = 127.0.0.1:$KPORT
	}
[domain_realm]
	$KHOST = $KREALM
	.test = $KREALM
KEOF
	cat >"$K/kdc.conf" <<KEOF
[kdcdefaults]
	kdc_listen = 127.0.0.1:$KPORT
	kdc_tcp_listen = 127.0.0.1:$KPORT
[realms]
	$KREALM = {
		database_name = $K/db/principal
		key_stash_file = $K/db/stash
		acl_file = $K/kadm5.acl
		max_life = 10h
		max_renewable_life = 1d
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
	}
[logging]
	kdc = FILE:$K/kdc.log
KEOF
	: >"$K/kadm5.acl"
	export KRB5_CONFIG="$K/krb5.conf" KRB5_KDC_PROFILE="$K/kdc.conf"
	export KRB5CCNAME="FILE:$KCC"
	kdb5_util create -s -r "$KREALM" -P 'master-pw-1' >"$K/setup.log" 2>&1 ||
	    { cat "$K/setup.log"; skip "kdb5_util cannot create a realm"; }
	$KADMIN -q "addprinc -randkey cifs/$KHOST" >>"$K/setup.log" 2>&1 &&
	$KADMIN -q "addprinc -pw $KPASS $KUSER" >>"$K/setup.log" 2>&1 &&
	$KADMIN -q "ktadd -k $KT cifs/$KHOST" >>"$K/setup.log" 2>&1 ||
	    { cat "$K/setup.log"; exit 99; }
	chown _usmbd-auth "$KT"
	chmod 600 "$KT"
	krb5kdc -n -r "$KREALM" -P "$K/kdc.pid" >"$K/kdc.out" 2>&1 &
	KDC_PID=$!
	# The name the clients use for the server, only for the test's time:
	# unless the machine has it, each test adds a line of its own and
	# removes only that one, so that tests may run side by side.
	if ! grep -v "# usmbd krb5 test" /etc/hosts |
	    grep -q "[[:space:]]$KHOST\([[:space:]]\|\$\)"; then
		echo "127.0.0.1 $KHOST # usmbd krb5 test $$" >>/etc/hosts
		KHOSTS_ADDED=1
	fi
	trap krb5_cleanup EXIT
	for _ in $(seq 1 50); do
		if echo "$KPASS" | kinit "$KUSER" >/dev/null 2>&1; then
			kdestroy >/dev/null 2>&1
			return 0
		fi
		sleep 0.1
	done
	cat "$K/kdc.out" "$K/kdc.log" 2>/dev/null
	echo "the KDC did not answer"
	exit 99
}

krb5_kinit() {
	echo "$KPASS" | kinit "$@" "$KUSER" >/dev/null
}

krb5_cleanup() {
	[ -n "${SYSKT_ADDED:-}" ] && rm -f /etc/krb5.keytab
	if [ -n "${KDC_PID:-}" ]; then
		kill "$KDC_PID" 2>/dev/null
		wait "$KDC_PID" 2>/dev/null
	fi
	if [ -n "${KHOSTS_ADDED:-}" ]; then
		# Only the line this test added; /etc/hosts may be a bind
		# mount, which sed -i cannot rename over.
		grep -v " # usmbd krb5 test $$\$" /etc/hosts >"$T/hosts.new"
		cat "$T/hosts.new" >/etc/hosts
	fi
	integ_cleanup
}
