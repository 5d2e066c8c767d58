#!/usr/bin/python3
"""Server-side copy and the sparse-file controls through impacket, an
independent SMB2 client: FSCTL_SRV_REQUEST_RESUME_KEY, FSCTL_SRV_COPYCHUNK
of a 3 MiB file in 1 MiB chunks (checked byte for byte), the copy limits,
FSCTL_SET_SPARSE seen through another open, FSCTL_SET_ZERO_DATA and
FSCTL_QUERY_ALLOCATED_RANGES, object ids, and FSCTL_GET_REPARSE_POINT on a
symlink.
Prints one "ok NAME" line per check that held.
usage: fsctl_impacket.py PORT USER PASS"""
import hashlib
import os
import struct
import sys

from impacket.smb3 import SessionError
from impacket.smbconnection import SMBConnection

FSCTL = 1
RESUME_KEY, COPYCHUNK = 0x00140078, 0x001440F2
SET_SPARSE, QAR, ZERO_DATA = 0x000900C4, 0x000940CF, 0x000980C8
GET_REPARSE = 0x000900A8
ALL, SHARE = 0x001F01FF, 7
OPEN, OVERWRITE_IF = 1, 5
OPEN_REPARSE_POINT, NON_DIR = 0x00200000, 0x40

c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=int(sys.argv[1]))
c.login(sys.argv[2], sys.argv[3])
s = c.getSMBServer()
tid = c.connectTree("share")


def ok(name):
    print("ok", name, flush=True)


def status(fn):
    try:
        fn()
    except SessionError as e:
        return e.get_error_code()
    return 0


def close(fid):
    # impacket keys its own table by name: a second open of one name
    # confuses it on close, which the server answers all the same.
    try:
        s.close(tid, fid)
    except KeyError:
        pass


def create(name, opts=NON_DIR, disp=OVERWRITE_IF, access=ALL):
    return s.create(tid, name, access, SHARE, opts, disp, 0)


def write_all(fid, data):
    for off in range(0, len(data), 65536):
        s.write(tid, fid, data[off:off + 65536], off, len(data[off:off + 65536]))


def read_all(fid, size):
    out = b""
    while len(out) < size:
        out += s.read(tid, fid, len(out), min(65536, size - len(out)))
    return out


data = os.urandom(3 * 1024 * 1024 + 123)
src = create("cc_src.bin")
write_all(src, data)
key = s.ioctl(tid, src, RESUME_KEY, FSCTL, b"", 0, 32)
if len(key) == 32:
    ok("resume_key")

dst = create("cc_dst.bin")
chunks = []
for off in range(0, len(data), 1024 * 1024):
    n = min(1024 * 1024, len(data) - off)
    chunks.append(struct.pack("<QQII", off, off, n, 0))
req = key[:24] + struct.pack("<II", len(chunks), 0) + b"".join(chunks)
resp = s.ioctl(tid, dst, COPYCHUNK, FSCTL, req, 0, 12)
written, partial, total = struct.unpack("<III", resp)
if (written, partial, total) == (len(chunks), 0, len(data)):
    ok("copychunk_counts")
if hashlib.sha256(read_all(dst, len(data))).digest() == \
        hashlib.sha256(data).digest():
    ok("copychunk_data")

# 257 chunks exceed ServerSideCopyMaxNumberofChunks.
req = key[:24] + struct.pack("<II", 257, 0) + \
    struct.pack("<QQII", 0, 0, 1, 0) * 257
if status(lambda: s.ioctl(tid, dst, COPYCHUNK, FSCTL, req, 0, 12)) == \
        0xC000000D:
    ok("copychunk_limits")
# A forged key names no open.
req = bytes(24) + struct.pack("<II", 1, 0) + struct.pack("<QQII", 0, 0, 1, 0)
if status(lambda: s.ioctl(tid, dst, COPYCHUNK, FSCTL, req, 0, 12)) == \
        0xC0000034:
    ok("copychunk_bad_key")

# Sparse: set through one open, seen through another.
s.ioctl(tid, dst, SET_SPARSE, FSCTL, b"\x01", 0, 0)
other = create("cc_dst.bin", disp=OPEN)
basic = s.queryInfo(tid, other, infoType=1, fileInfoClass=4)
if struct.unpack_from("<I", basic, 32)[0] & 0x200:
    ok("sparse_other_open")
close(other)

# Punch [1 MiB, 2 MiB): two allocated ranges remain.
s.ioctl(tid, dst, ZERO_DATA, FSCTL, struct.pack("<QQ", 1 << 20, 2 << 20),
        0, 0)
out = s.ioctl(tid, dst, QAR, FSCTL, struct.pack("<QQ", 0, len(data)), 0,
              1024)
ranges = [struct.unpack_from("<QQ", out, i) for i in range(0, len(out), 16)]
if ranges == [(0, 1 << 20), (2 << 20, len(data) - (2 << 20))]:
    ok("zero_data_qar")
if read_all(dst, len(data))[1 << 20:2 << 20] == bytes(1 << 20):
    ok("zero_data_reads_zero")
# Room for one range only: BUFFER_OVERFLOW with the first.
if status(lambda: s.ioctl(tid, dst, QAR, FSCTL,
                          struct.pack("<QQ", 0, len(data)), 0, 16)) == \
        0x80000005:
    ok("qar_overflow")
# Object ids: the same through both controls, different per file.
oid = s.ioctl(tid, src, 0x000900C0, FSCTL, b"", 0, 64)
if len(oid) == 64 and oid == s.ioctl(tid, src, 0x0009009C, FSCTL, b"", 0,
                                     64) and \
        oid[:16] != s.ioctl(tid, dst, 0x0009009C, FSCTL, b"", 0, 64)[:16]:
    ok("object_id")
close(dst)
close(src)

# The symlink itself, and a file that is none.
link = create("cc_link", opts=OPEN_REPARSE_POINT, disp=OPEN,
              access=0x00120080)
out = s.ioctl(tid, link, GET_REPARSE, FSCTL, b"", 0, 1024)
tag, dlen = struct.unpack_from("<IH", out, 0)
soff, slen, poff, plen, flags = struct.unpack_from("<HHHHI", out, 8)
name = out[20 + soff:20 + soff + slen].decode("utf-16-le")
if tag == 0xA000000C and name == "cc_src.bin" and flags == 1:
    ok("reparse_symlink")
close(link)
f = create("cc_src.bin", disp=OPEN, access=0x00120089)
if status(lambda: s.ioctl(tid, f, GET_REPARSE, FSCTL, b"", 0, 1024)) == \
        0xC0000275:
    ok("reparse_none")
close(f)
c.disconnectTree(tid)
c.logoff()
