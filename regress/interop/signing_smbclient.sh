#!/bin/sh
# The SMB 3.1.1 signing algorithm as a client negotiates it.  smbclient
# offers each of HMAC-SHA256, AES-128-CMAC and AES-128-GMAC alone, then
# several, and requires signing, so that a listing, a get and a put fail
# on any signature the two sides compute differently.  The server must
# pick from what the client offered in its own order ("server smb3
# signing algorithms"); with nothing in common it keeps AES-128-CMAC and
# answers no SIGNING context (MS-SMB2 3.1.4.1), which smbclient_raw.py
# checks on the wire, with ids no client knows as well.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null ||
    skip "smbclient not installed (apt-get install smbclient)"
# The negotiated algorithm is a debug line of the preauth process.
INTEG_LOG_LEVEL=3
integ_setup smbsign
integ_user usmbdtest 'Secret-123' ||
    skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_client_conf
cd "$T" || exit 99
head -c 300000 /dev/urandom > src.bin
cp src.bin share/remote.bin
chown usmbdtest share/remote.bin
RAW="$PY $top_srcdir/regress/integ/smbclient_raw.py"

# signed_ops NAME ALGS EXPECTED: smbclient pinned to 3.1.1, requiring
# signing and offering ALGS, lists the share, gets a file and puts one;
# the server's log names EXPECTED for that connection.
signed_ops() {
	n=$(wc -l <"$LOG")
	rm -f back.bin "share/up-$1.bin"
	timeout 60 smbclient -s "$T/client.conf" //127.0.0.1/share \
	    -p "$PORT" -U 'usmbdtest%Secret-123' -mSMB3_11 \
	    --option=clientminprotocol=SMB3_11 --client-protection=sign \
	    "--option=client smb3 signing algorithms=$2" \
	    -c "ls; get remote.bin back.bin; put src.bin up-$1.bin" \
	    >"$T/out" 2>&1
	rc=$?
	check "$1: ls, get and put, signed" [ "$rc" -eq 0 ]
	[ "$rc" -eq 0 ] || cat "$T/out"
	check "$1: the listing shows the file" grep -q "remote.bin" "$T/out"
	check "$1: get returns the file" cmp -s src.bin back.bin
	check "$1: put stores the file" cmp -s src.bin "share/up-$1.bin"
	check "$1: the server signed with $3" wait_for sh -c "tail -n +$((n + 1)) \
	    '$LOG' | grep -q 'negotiated SMB 3.1.1, signing $3\$'"
}

# wire IDS EXPECTED: a raw 3.1.1 NEGOTIATE offering IDS succeeds and its
# response names EXPECTED ("none": no SIGNING context).
wire() {
	got=$($RAW "$PORT" negotiate311 "$1")
	check "ids $1: the response names $2" \
	    [ "$got" = "status=00000000 dialect=0311 sign=$2" ]
	[ "$got" = "status=00000000 dialect=0311 sign=$2" ] ||
	    echo "got: $got"
}

integ_start
signed_ops hmac HMAC-SHA256 HMAC-SHA256
signed_ops cmac AES-128-CMAC AES-128-CMAC
signed_ops gmac AES-128-GMAC AES-128-GMAC
# The client puts HMAC-SHA256 first; the server's default order wins.
signed_ops all "HMAC-SHA256, AES-128-CMAC, AES-128-GMAC" AES-128-GMAC
signed_ops two "HMAC-SHA256, AES-128-CMAC" AES-128-CMAC
wire 0 0
wire 1 1
wire 2 2
wire 0,1,2 2
wire 0,7 0
wire 7 none
wire 7,65535 none
check "no signing set-up failed" sh -c "! grep -q 'smb2_signer_new' '$LOG'"
check "no request was refused for its signature" \
    sh -c "! grep -q 'bad signature' '$LOG'"
integ_stop

# The server's own order, without AES-128-CMAC: what the client prefers
# does not decide, and a client with nothing in common still signs, with
# AES-128-CMAC.
sed -i "s/^\tlog level = .*/&\n\tserver smb3 signing algorithms = \
HMAC-SHA256, AES-128-GMAC/" "$CONF"
: >"$LOG"
integ_start
signed_ops order "AES-128-GMAC, AES-128-CMAC, HMAC-SHA256" HMAC-SHA256
signed_ops none AES-128-CMAC AES-128-CMAC
wire 2,0 0
wire 1 none
wire 7 none
check "no NEGOTIATE failed" sh -c "! grep -q 'NEGOTIATE failed' '$LOG'"
check "no request was refused for its signature" \
    sh -c "! grep -q 'bad signature' '$LOG'"
integ_done
