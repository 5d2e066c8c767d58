#!/bin/sh
# Server-side copy, sparse files, zeroing, allocated ranges and symlink
# reparse data through impacket (an independent client), and the sparse
# flag stored in user.DOSATTRIB on disk as Samba keeps it.
. "$top_srcdir/regress/integ/lib.sh"
/usr/bin/python3 -c 'import impacket' 2>/dev/null ||
    skip "python3-impacket not installed (apt-get install python3-impacket)"
integ_setup fsctl
integ_user usmbdtest 'Secret-123' || skip "cannot create the Unix user usmbdtest"
chown usmbdtest "$T/share"
ln -s cc_src.bin "$T/share/cc_link"
integ_start

/usr/bin/python3 "$top_srcdir/regress/interop/fsctl_impacket.py" "$PORT" \
    usmbdtest 'Secret-123' > "$T/py.out" 2>&1
# Whatever the script said besides its checks (a traceback) helps.
grep -v "^ok " "$T/py.out" | tail -15
for t in resume_key copychunk_counts copychunk_data copychunk_limits \
    copychunk_bad_key sparse_other_open zero_data_qar zero_data_reads_zero \
    qar_overflow object_id reparse_symlink reparse_none; do
	check "impacket: $t" grep -qx "ok $t" "$T/py.out"
done
check "the copy is the same file" cmp -s "$T/share/cc_src.bin" \
    "$T/share/cc_dst.bin" -n 1048576
# A version 5 blob after an empty hex string: attributes at offset 12.
check "the sparse flag is stored in user.DOSATTRIB" /usr/bin/python3 -c "
import os, struct, sys
b = os.getxattr(sys.argv[1], 'user.DOSATTRIB')
v, = struct.unpack_from('<H', b, 2)
a, = struct.unpack_from('<I', b, 12)
sys.exit(0 if b[0] == 0 and v == 5 and a & 0x200 else 1)
" "$T/share/cc_dst.bin"
integ_done
