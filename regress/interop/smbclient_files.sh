#!/bin/sh
# smbclient works in a share as a person would: on every dialect, plain
# and encrypted: mkdir, put, ls, get with a matching checksum, rename,
# allinfo, setmode, del, rmdir.  One 1 GiB round trip on SMB 3.1.1.
. "$top_srcdir/regress/integ/lib.sh"
command -v smbclient >/dev/null || skip "smbclient not installed (apt-get install smbclient)"
integ_setup smbfiles
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
integ_client_conf
integ_start
cd "$T" || exit 99
head -c 16777216 /dev/urandom > src.bin

smb() {
	timeout 600 smbclient -s "$T/client.conf" //127.0.0.1/share -p "$PORT" \
	    -U 'usmbdtest%Secret-123' "$@" >"$T/out" 2>&1
}

for proto in SMB2_02 SMB2_10 SMB3_00 SMB3_02 SMB3_11; do
	for prot in off encrypt; do
		case $proto,$prot in SMB2*,encrypt) continue ;; esac
		d="$proto${prot#off}"
		pin="--option=clientminprotocol=$proto --option=clientmaxprotocol=$proto"
		[ "$prot" = encrypt ] && pin="$pin --client-protection=encrypt"
		rm -f back.bin
		smb $pin -c "mkdir $d; put src.bin $d\\f.bin; get $d\\f.bin back.bin; ls $d\\*"
		check "$d: put and get" cmp -s src.bin back.bin
		check "$d: ls shows the file" grep -q "f.bin *A *16777216" "$T/out"
		smb $pin -c "rename $d\\f.bin $d\\g.bin; allinfo $d\\g.bin; setmode $d\\g.bin +r; ls $d\\g.bin"
		check "$d: rename and allinfo" grep -q "stream: \[::\$DATA\], 16777216 bytes" "$T/out"
		check "$d: the file was renamed on disk" [ -f "$T/share/$d/g.bin" ]
		# A read-only file cannot be deleted (as on Windows and Samba).
		smb $pin -c "setmode $d\\g.bin -r; del $d\\g.bin; rmdir $d; ls"
		check "$d: del and rmdir" [ ! -e "$T/share/$d" ]
	done
done

head -c 1073741824 /dev/urandom > big.bin
rm -f back.bin
smb --option=clientminprotocol=SMB3_11 -c "put big.bin big.bin; get big.bin back.bin"
check "1 GiB put and get with matching checksums" cmp -s big.bin back.bin
rm -f back.bin
smb --option=clientminprotocol=SMB3_11 --client-protection=encrypt -c "get big.bin back.bin"
check "1 GiB get, encrypted, matches" cmp -s big.bin back.bin
rm -f big.bin back.bin "$T/share/big.bin"
integ_done
