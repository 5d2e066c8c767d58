# File operations through impacket on one dialect: list, upload and
# download with a checksum, mkdir, rename, delete, rmdir.  Prints one
# "ok NAME" or "FAIL NAME: why" line per step.
# Usage: files_impacket.py PORT USER PASSWORD DIALECT(202|210|300)
import hashlib
import io
import os
import sys
from impacket.smbconnection import SMBConnection
from impacket.smb3structs import (SMB2_DIALECT_002, SMB2_DIALECT_21,
                                  SMB2_DIALECT_30)

port, user, pw, dialect = sys.argv[1:5]
dialects = {"202": SMB2_DIALECT_002, "210": SMB2_DIALECT_21,
            "300": SMB2_DIALECT_30}
tag = "d" + dialect
result = {"ok": 0, "fail": 0}


def step(name, fn):
    try:
        v = fn()
        if v is False:
            raise AssertionError("wrong result")
        print("ok", name, flush=True)
        result["ok"] += 1
    except Exception as e:
        print("FAIL %s: %s" % (name, e), flush=True)
        result["fail"] += 1


c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=int(port),
                  preferredDialect=dialects[dialect])
c.login(user, pw)
print("dialect %#x" % c.getDialect(), flush=True)
print("encrypted", bool(c.getSMBServer()._Session["SessionFlags"] & 0x4),
      flush=True)
data = os.urandom(3 * 1024 * 1024 + 17)
got = io.BytesIO()


def names(path="*"):
    return sorted(f.get_longname() for f in c.listPath("share", path))


step("list the share", lambda: "." in names())
step("mkdir", lambda: c.createDirectory("share", tag) or tag in names())
step("upload 3 MiB", lambda: c.putFile("share", tag + "\\f.bin",
                                       io.BytesIO(data).read))
step("the file is listed with its size", lambda: [
    f.get_filesize() for f in c.listPath("share", tag + "\\*")
    if f.get_longname() == "f.bin"] == [len(data)])
step("download matches", lambda: c.getFile("share", tag + "\\f.bin",
                                           got.write) or
     hashlib.sha256(got.getvalue()).digest() ==
     hashlib.sha256(data).digest())
step("rename", lambda: c.rename("share", tag + "\\f.bin", tag + "\\g.bin")
     and names(tag + "\\*") == [".", "..", "g.bin"])
step("delete", lambda: c.deleteFile("share", tag + "\\g.bin") or
     names(tag + "\\*") == [".", ".."])
step("rmdir", lambda: c.deleteDirectory("share", tag) or tag not in names())
c.logoff()
print("%d ok, %d failed" % (result["ok"], result["fail"]))
sys.exit(1 if result["fail"] else 0)
