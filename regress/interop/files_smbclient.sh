#!/bin/sh
# smbclient works in a share as a person would: on every dialect, plain
# and encrypted: mkdir, put, ls, get with a matching checksum, rename,
# allinfo, setmode, del, rmdir.  SMB 2.0.2 and 2.1 have no encryption: a
# client that demands it must be refused, never served in the clear.
# Then a 1 GiB put and get with a matching checksum on every dialect,
# plain and (3.x) encrypted (USMBD_TEST_BIG_MB sets another size: the
# sanitizer build of run-all.sh, which looks for memory errors, not
# volume, moves 64 MiB).
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
integ_alone
integ_setup smbfiles
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_client_conf
integ_start
cd "$T" || exit 99
SMALL=1048576
head -c $SMALL /dev/urandom > src.bin

smb() {
	timeout 600 smbclient -s "$T/client.conf" //127.0.0.1/share -p "$PORT" \
	    -U 'usmbdtest%Secret-123' "$@" >"$T/out" 2>&1
}

# smbclient exits 0 even when a command fails: look for NT_STATUS errors.
no_error() {
	! grep -q "NT_STATUS_" "$T/out"
}

# A client that requires encryption gets no share on this dialect.
not_served() {
	! smb "$@" -c "ls" && ! grep -q "blocks of size" "$T/out"
}

for proto in SMB2_02 SMB2_10 SMB3_00 SMB3_02 SMB3_11; do
	for prot in off encrypt; do
		d="$proto${prot#off}"
		pin="--option=clientminprotocol=$proto --option=clientmaxprotocol=$proto"
		[ "$prot" = encrypt ] && pin="$pin --client-protection=encrypt"
		case $proto,$prot in
		SMB2*,encrypt)
			check "$d: no encryption, so no service" not_served $pin
			continue ;;
		esac
		rm -f back.bin
		smb $pin -c "mkdir $d; ls"
		check "$d: mkdir" [ -d "$T/share/$d" ]
		check "$d: ls shows the directory" grep -q "^  $d  *D " "$T/out"
		smb $pin -c "put src.bin $d\\f.bin; get $d\\f.bin back.bin; ls $d\\*"
		check "$d: put and get" cmp -s src.bin back.bin
		check "$d: ls shows the file" grep -q "f.bin *A *$SMALL" "$T/out"
		smb $pin -c "rename $d\\f.bin $d\\g.bin; allinfo $d\\g.bin"
		check "$d: rename and allinfo" grep -q "stream: \[::\$DATA\], $SMALL bytes" "$T/out"
		check "$d: the file was renamed on disk" [ -f "$T/share/$d/g.bin" ]
		check "$d: the old name is gone" [ ! -e "$T/share/$d/f.bin" ]
		smb $pin -c "setmode $d\\g.bin +r"
		check "$d: setmode" no_error
		smb $pin -c "setmode $d\\g.bin -r; del $d\\g.bin"
		check "$d: del" [ ! -e "$T/share/$d/g.bin" ]
		smb $pin -c "rmdir $d; ls"
		check "$d: rmdir" [ ! -e "$T/share/$d" ]
	done
done

BIG_MB=${USMBD_TEST_BIG_MB:-1024}
head -c $((BIG_MB * 1048576)) /dev/urandom > big.bin
for proto in SMB2_02 SMB2_10 SMB3_00 SMB3_02 SMB3_11; do
	for prot in off encrypt; do
		case $proto,$prot in SMB2*,encrypt) continue ;; esac
		pin="--option=clientminprotocol=$proto --option=clientmaxprotocol=$proto --client-protection=$prot"
		rm -f back.bin "$T/share/big.bin"
		smb $pin -c "put big.bin big.bin; get big.bin back.bin"
		check "$proto $prot: $BIG_MB MiB put and get with matching checksums" \
		    cmp -s big.bin back.bin
	done
done
rm -f big.bin back.bin "$T/share/big.bin"
integ_done
