#!/usr/bin/python3
"""impacket against usmbd's file service: create contexts (MxAc, QFid,
TWrp, unknown and malformed ones) and SET_INFO classes (rename with and
without replace, hard links, DispositionInformationEx with POSIX
semantics and bad flags, Mode, Position, EndOfFile, Allocation).  Prints
one line per check and exits non-zero if any failed.

usage: fileinfo_impacket.py PORT USER PASSWORD SHAREDIR
"""
import os
import struct
import sys

from impacket import smb3, smb3structs as s3
from impacket.nt_errors import (STATUS_ACCESS_DENIED,
                                STATUS_INVALID_PARAMETER,
                                STATUS_OBJECT_NAME_COLLISION,
                                STATUS_OBJECT_NAME_NOT_FOUND,
                                STATUS_SHARING_VIOLATION)
from impacket.smb3 import SessionError as Smb3Error
from impacket.smbconnection import SMBConnection, SessionError

PORT = int(sys.argv[1])
USER, PASSWORD, SHAREDIR = sys.argv[2], sys.argv[3], sys.argv[4]
failures = 0

FileRenameInformation = 10
FileLinkInformation = 11
FilePositionInformation = 14
FileModeInformation = 16
FileAllocationInformation = 19
FileEndOfFileInformation = 20
FileStandardInformation = 5
FileDispositionInformationEx = 64
ALL = 0x001f01ff
SHARE_ALL = 7


def check(desc, ok, detail=""):
    global failures
    print("%s: %s%s" % ("ok" if ok else "FAIL", desc,
                        (" (%s)" % detail) if detail and not ok else ""))
    if not ok:
        failures += 1


def status_of(fn, *args, **kw):
    try:
        fn(*args, **kw)
        return 0
    except (SessionError, Smb3Error) as e:
        return e.get_error_code()


c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=PORT,
                  preferredDialect=s3.SMB2_DIALECT_30)
c.login(USER, PASSWORD)
tid = c.connectTree("share")
s = c._SMBConnection

# Keep the last response so that create contexts can be read back.
last = {}
orig_recv = s.recvSMB


def recv(*a, **kw):
    p = orig_recv(*a, **kw)
    last["p"] = p
    return p


s.recvSMB = recv


def ctx(name, data=b""):
    cc = s3.SMB2CreateContext()
    cc["NameOffset"] = 16
    cc["NameLength"] = len(name)
    pad = (8 - (16 + len(name)) % 8) % 8
    cc["DataOffset"] = 16 + len(name) + pad if data else 0
    cc["DataLength"] = len(data)
    cc["Buffer"] = name + b"\0" * pad + data
    return cc


def create(name, disp=s3.FILE_OPEN_IF, opts=0, access=ALL, contexts=None):
    # impacket leaves Next at 0: chain the contexts, 8-byte aligned.
    if contexts:
        for cc in contexts[:-1]:
            n = len(cc.getData())
            cc["Buffer"] += b"\0" * ((8 - n % 8) % 8)
            cc["Next"] = len(cc.getData())
    return s.create(tid, name, access, SHARE_ALL, opts, disp, 0,
                    createContexts=contexts)


def response_contexts():
    p = last["p"]
    r = s3.SMB2Create_Response(p["Data"])
    off, length = r["CreateContextsOffset"], r["CreateContextsLength"]
    raw = p.getData()[off:off + length] if length else b""
    out, pos = {}, 0
    while pos < len(raw):
        nxt, noff, nlen, _, doff, dlen = struct.unpack_from("<IHHHHI", raw,
                                                            pos)
        out[raw[pos + noff:pos + noff + nlen]] = \
            raw[pos + doff:pos + doff + dlen]
        if nxt == 0:
            break
        pos += nxt
    return out


def quiet_close(fid):
    # impacket keys its own table by name: two opens of one name confuse
    # it after the CLOSE itself went through.
    try:
        s.close(tid, fid)
    except KeyError:
        pass


def setinfo(fid, cls, blob):
    s.setInfo(tid, fid, inputBlob=blob, infoType=1, fileInfoClass=cls)


def rename_blob(name, replace=False):
    n = name.encode("utf-16le")
    return struct.pack("<B7sQI", 1 if replace else 0, b"", 0, len(n)) + n


# Create contexts.
fid = create("ctx.txt", contexts=[ctx(b"MxAc"), ctx(b"QFid")])
got = response_contexts()
check("MxAc is answered", b"MxAc" in got and len(got[b"MxAc"]) == 8)
if b"MxAc" in got:
    qs, acc = struct.unpack("<II", got[b"MxAc"])
    check("MxAc grants the owner full access", qs == 0 and acc == ALL,
          hex(acc))
check("QFid is answered with 32 bytes",
      len(got.get(b"QFid", b"")) == 32)
if b"QFid" in got:
    ino = struct.unpack_from("<Q", got[b"QFid"])[0]
    check("QFid carries the inode",
          ino == os.stat(os.path.join(SHAREDIR, "ctx.txt")).st_ino)
s.close(tid, fid)
st = status_of(create, "ctx.txt", contexts=[ctx(b"TWrp", b"\0" * 8)])
check("TWrp: no previous versions", st == STATUS_OBJECT_NAME_NOT_FOUND,
      hex(st))
st = status_of(create, "ctx.txt", contexts=[ctx(b"x")])
check("a context name shorter than 4 bytes is refused",
      st == STATUS_INVALID_PARAMETER, hex(st))
st = status_of(create, "ctx.txt", contexts=[ctx(b"AlSi", b"\0" * 4)])
check("an AlSi of the wrong size is refused",
      st == STATUS_INVALID_PARAMETER, hex(st))
try:
    fid = create("ctx.txt", contexts=[ctx(b"FooO"), ctx(b"xxxxxxxxx")])
    s.close(tid, fid)
    check("unknown contexts are ignored", True)
except (SessionError, Smb3Error) as e:
    check("unknown contexts are ignored", False, hex(e.get_error_code()))
fid = create("alsi.txt", disp=s3.FILE_OVERWRITE_IF,
             contexts=[ctx(b"AlSi", struct.pack("<Q", 1 << 20))])
r = s3.SMB2Create_Response(last["p"]["Data"])
check("AlSi reserves the space", r["AllocationSize"] >= (1 << 20) and
      r["EndOfFile"] == 0, "%d/%d" % (r["AllocationSize"], r["EndOfFile"]))
s.close(tid, fid)

# A refused overwrite leaves the data alone.
fid = s.create(tid, "keep.txt", ALL, 0, 0, s3.FILE_OVERWRITE_IF, 0)
s.writeFile(tid, fid, b"precious")
st = status_of(create, "keep.txt", disp=s3.FILE_OVERWRITE_IF)
check("an overwrite against a non-sharing open is a sharing violation",
      st == STATUS_SHARING_VIOLATION, hex(st))
check("the refused overwrite truncated nothing",
      os.stat(os.path.join(SHAREDIR, "keep.txt")).st_size == 8)
s.close(tid, fid)
fid = create("keep.txt", disp=s3.FILE_OVERWRITE)
r = s3.SMB2Create_Response(last["p"]["Data"])
check("a granted overwrite truncates", r["EndOfFile"] == 0 and
      os.stat(os.path.join(SHAREDIR, "keep.txt")).st_size == 0)
s.close(tid, fid)

# The same for a named stream: emptied only once the open is granted,
# and the file it belongs to keeps its data.
KEEPX = "user.DosStream.s:$DATA"
fid = s.create(tid, "keep.txt:s", ALL, 0, 0, s3.FILE_OVERWRITE_IF, 0)
s.writeFile(tid, fid, b"precious")
st = status_of(create, "keep.txt:s", disp=s3.FILE_OVERWRITE_IF)
check("a stream overwrite against a non-sharing open is a sharing "
      "violation", st == STATUS_SHARING_VIOLATION, hex(st))
check("the refused stream overwrite emptied nothing",
      os.getxattr(os.path.join(SHAREDIR, "keep.txt"), KEEPX) ==
      b"precious\0")
s.close(tid, fid)
with open(os.path.join(SHAREDIR, "keep.txt"), "wb") as f:
    f.write(b"base")
fid = create("keep.txt:s", disp=s3.FILE_OVERWRITE)
r = s3.SMB2Create_Response(last["p"]["Data"])
check("a granted stream overwrite empties the stream",
      r["EndOfFile"] == 0 and os.getxattr(os.path.join(SHAREDIR,
      "keep.txt"), KEEPX) == b"\0", str(r["EndOfFile"]))
check("and leaves the file's own data",
      os.stat(os.path.join(SHAREDIR, "keep.txt")).st_size == 4)
s.close(tid, fid)

# MAXIMUM_ALLOWED gives a writable handle when the file may be written,
# and a read-only one otherwise.
MAXIMUM_ALLOWED = 0x02000000
s.close(tid, create("max.txt", disp=s3.FILE_OVERWRITE_IF))
fid = create("max.txt", disp=s3.FILE_OPEN, access=MAXIMUM_ALLOWED)
st = status_of(s.writeFile, tid, fid, b"max")
check("a MAXIMUM_ALLOWED handle writes", st == 0, hex(st))
s.close(tid, fid)
os.chmod(os.path.join(SHAREDIR, "max.txt"), 0o444)
try:
    fid = create("max.txt", disp=s3.FILE_OPEN, access=MAXIMUM_ALLOWED)
    st = status_of(s.writeFile, tid, fid, b"no")
    check("MAXIMUM_ALLOWED on a read-only file opens, without write",
          st == STATUS_ACCESS_DENIED, hex(st))
    check("and reads", s.read(tid, fid, 0, 3) == b"max")
    s.close(tid, fid)
except (SessionError, Smb3Error) as e:
    check("MAXIMUM_ALLOWED on a read-only file opens", False,
          hex(e.get_error_code()))
os.chmod(os.path.join(SHAREDIR, "max.txt"), 0o644)

# Rename.
fid = create("r1.txt", disp=s3.FILE_OVERWRITE_IF)
s.close(tid, create("r2.txt", disp=s3.FILE_OVERWRITE_IF))
s.close(tid, create("rdir", opts=s3.FILE_DIRECTORY_FILE))
st = status_of(setinfo, fid, FileRenameInformation, rename_blob("r2.txt"))
check("rename onto an existing name without replace is a collision",
      st == STATUS_OBJECT_NAME_COLLISION, hex(st))
st = status_of(setinfo, fid, FileRenameInformation,
               rename_blob("rdir", True))
check("rename may not replace a directory", st == STATUS_ACCESS_DENIED,
      hex(st))
fid2 = create("r2.txt")
st = status_of(setinfo, fid, FileRenameInformation,
               rename_blob("r2.txt", True))
check("rename may not replace an open file", st == STATUS_ACCESS_DENIED,
      hex(st))
s.close(tid, fid2)
st = status_of(setinfo, fid, FileRenameInformation,
               rename_blob("r2.txt", True))
check("rename with replace-if-exists", st == 0, hex(st))
check("the renamed file took the name",
      not os.path.exists(os.path.join(SHAREDIR, "r1.txt")) and
      os.path.exists(os.path.join(SHAREDIR, "r2.txt")))
s.close(tid, fid)

# Hard links.
fid = create("l1.txt", disp=s3.FILE_OVERWRITE_IF)
s.writeFile(tid, fid, b"linked")
st = status_of(setinfo, fid, FileLinkInformation, rename_blob("l2.txt"))
check("hard link", st == 0, hex(st))
a = os.stat(os.path.join(SHAREDIR, "l1.txt"))
b = os.stat(os.path.join(SHAREDIR, "l2.txt"))
check("the link names the same file", a.st_ino == b.st_ino and
      a.st_nlink == 2)
st = status_of(setinfo, fid, FileLinkInformation, rename_blob("r2.txt"))
check("a link onto an existing name is a collision",
      st == STATUS_OBJECT_NAME_COLLISION, hex(st))
st = status_of(setinfo, fid, FileLinkInformation, rename_blob("r2.txt",
                                                              True))
check("a link replaces an existing file", st == 0 and os.stat(
    os.path.join(SHAREDIR, "r2.txt")).st_ino == a.st_ino, hex(st))
s.close(tid, fid)

# Mode, Position, EndOfFile, Allocation.
fid = create("m.txt", disp=s3.FILE_OVERWRITE_IF)
st = status_of(setinfo, fid, FileModeInformation, struct.pack("<I", 2))
mode = struct.unpack("<I", s.queryInfo(tid, fid, fileInfoClass=
                                       FileModeInformation)[:4])[0]
check("FileModeInformation write-through", st == 0 and mode & 2, hex(mode))
st = status_of(setinfo, fid, FileModeInformation, struct.pack("<I", 8))
check("unbuffered mode cannot be set later",
      st == STATUS_INVALID_PARAMETER, hex(st))
st = status_of(setinfo, fid, FilePositionInformation,
               struct.pack("<Q", 0x1234))
pos = struct.unpack("<Q", s.queryInfo(tid, fid, fileInfoClass=
                                      FilePositionInformation)[:8])[0]
check("FilePositionInformation", st == 0 and pos == 0x1234, hex(pos))
st = status_of(setinfo, fid, FilePositionInformation,
               struct.pack("<Q", 1 << 63))
check("a negative position is refused", st == STATUS_INVALID_PARAMETER,
      hex(st))
setinfo(fid, FileEndOfFileInformation, struct.pack("<Q", 100))
check("EndOfFile sets the size",
      os.stat(os.path.join(SHAREDIR, "m.txt")).st_size == 100)
setinfo(fid, FileAllocationInformation, struct.pack("<Q", 1 << 20))
stx = os.stat(os.path.join(SHAREDIR, "m.txt"))
check("Allocation above the size reserves space and keeps the size",
      stx.st_size == 100 and stx.st_blocks * 512 >= (1 << 20))
setinfo(fid, FileAllocationInformation, struct.pack("<Q", 10))
check("Allocation below the size truncates",
      os.stat(os.path.join(SHAREDIR, "m.txt")).st_size == 10)
s.close(tid, fid)

# DispositionInformationEx.
fid = create("p.txt", disp=s3.FILE_OVERWRITE_IF)
s.writeFile(tid, fid, b"posix")
st = status_of(setinfo, fid, FileDispositionInformationEx,
               struct.pack("<I", 0x21))
check("unknown disposition flags are refused",
      st == STATUS_INVALID_PARAMETER, hex(st))
st = status_of(setinfo, fid, FileDispositionInformationEx,
               struct.pack("<I", 3))
check("POSIX delete", st == 0, hex(st))
check("the name is gone at once",
      not os.path.exists(os.path.join(SHAREDIR, "p.txt")))
check("the handle still reads the data",
      s.read(tid, fid, 0, 5) == b"posix")
fid3 = create("p.txt", disp=s3.FILE_CREATE)
quiet_close(fid)
check("closing the POSIX-deleted handle leaves a new file of that name",
      os.path.exists(os.path.join(SHAREDIR, "p.txt")))
quiet_close(fid3)
fid = create("d.txt", disp=s3.FILE_OVERWRITE_IF)
setinfo(fid, FileDispositionInformationEx, struct.pack("<I", 1))
std = s.queryInfo(tid, fid, fileInfoClass=FileStandardInformation)
check("DispositionEx makes the delete pending", std[20] == 1)
s.close(tid, fid)
check("the file is gone after close",
      not os.path.exists(os.path.join(SHAREDIR, "d.txt")))

# A symlink leaving the share: never followed, but removable as itself.
FILE_OPEN_REPARSE_POINT = 0x00200000
DELETE = 0x00010000
os.symlink("/etc/hostname", os.path.join(SHAREDIR, "esc.lnk"))
st = status_of(create, "esc.lnk", disp=s3.FILE_OPEN)
check("a symlink out of the share is not followed",
      st == STATUS_ACCESS_DENIED, hex(st))
try:
    fid = create("esc.lnk", disp=s3.FILE_OPEN, access=DELETE,
                 opts=FILE_OPEN_REPARSE_POINT | s3.FILE_DELETE_ON_CLOSE)
    s.close(tid, fid)
    check("FILE_OPEN_REPARSE_POINT opens the link itself", True)
except (SessionError, Smb3Error) as e:
    check("FILE_OPEN_REPARSE_POINT opens the link itself", False,
          hex(e.get_error_code()))
check("delete-on-close removed the link, not its target",
      not os.path.lexists(os.path.join(SHAREDIR, "esc.lnk")) and
      os.path.exists("/etc/hostname"))

c.logoff()
sys.exit(1 if failures else 0)
