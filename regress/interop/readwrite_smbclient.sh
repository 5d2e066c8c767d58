#!/bin/sh
# Large READs and WRITEs through the IO thread pool: plain (the zero-copy
# sendfile path), signed and encrypted, on SMB 3.1.1 and on 2.1, with
# matching checksums; and a file whose size is not a multiple of the read
# size, so that the last READ is short.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
INTEG_LOG_LEVEL=3
integ_setup smbrw
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_client_conf
integ_start
cd "$T" || exit 99
# 48 MiB and 12345 bytes: many 8 MiB READs and a short last one.
head -c 50343657 /dev/urandom > src.bin

smb() {
	timeout 600 smbclient -s "$T/client.conf" //127.0.0.1/share -p "$PORT" \
	    -U 'usmbdtest%Secret-123' "$@" >"$T/out" 2>&1
}

for proto in SMB3_11 SMB2_10; do
	for prot in off sign encrypt; do
		case $proto,$prot in SMB2*,encrypt) continue ;; esac
		d="$proto-$prot"
		pin="--option=clientminprotocol=$proto --option=clientmaxprotocol=$proto"
		[ "$prot" != off ] && pin="$pin --client-protection=$prot"
		rm -f back.bin
		smb $pin -c "put src.bin $d.bin; get $d.bin back.bin"
		check "$d: put and get of 48 MiB" cmp -s src.bin back.bin
		check "$d: the file on disk matches" cmp -s src.bin "$T/share/$d.bin"
		rm -f "$T/share/$d.bin"
	done
done
check "no worker died" sh -c "! grep -q 'killed by signal' '$LOG'"
check "plain READs went out zero-copy" grep -q "READ mid.*zero-copy" "$LOG"
check "signed READs were not zero-copy" sh -c "grep \"READ mid.*(completed)\" \"$LOG\" | grep -qv zero"
integ_done
