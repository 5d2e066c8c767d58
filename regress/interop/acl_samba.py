#!/usr/bin/python3
"""Security descriptors through impacket, for acl_samba.sh: set a DACL
on a file, or print its DACL one "SID:type/flags/rwx" ACE a line, rwx
being the read, write and execute data rights of the mask.

usage: acl_samba.py PORT USER PASSWORD set FILE SID:type/flags/mask...
       acl_samba.py PORT USER PASSWORD create FILE SID:type/flags/mask...
       acl_samba.py PORT USER PASSWORD get FILE
       acl_samba.py PORT USER PASSWORD owner FILE SID
"create" makes a new file with the DACL in a SecD create context.  The
SD is built and parsed here by hand (MS-DTYP 2.4.6), so that the check
does not rest on the servers' own codecs.
"""
import struct
import sys

from impacket import smb3structs as s3
from impacket.smbconnection import SMBConnection

PORT, USER, PASSWORD, OP, FILE = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                  sys.argv[4], sys.argv[5])
READ_CONTROL = 0x00020000
WRITE_DAC = 0x00040000
WRITE_OWNER = 0x00080000
INFO_SECURITY = 3
OWNER, DACL = 1, 4


def sid_bytes(text):
    parts = text.split("-")
    subs = [int(x) for x in parts[3:]]
    return (struct.pack("<BB", 1, len(subs)) + int(parts[2]).to_bytes(6, "big")
            + b"".join(struct.pack("<I", x) for x in subs))


def sid_text(data, off):
    n = data[off + 1]
    auth = int.from_bytes(data[off + 2:off + 8], "big")
    subs = struct.unpack_from("<%dI" % n, data, off + 8)
    return "S-1-%d" % auth + "".join("-%d" % x for x in subs)


def build(owner, aces):
    body = b""
    aces = [a for a in aces if a] if aces is not None else None
    for a in aces or []:
        sid, rest = a.rsplit(":", 1)
        typ, flags, mask = rest.split("/")
        sb = sid_bytes(sid)
        body += struct.pack("<BBHI", int(typ, 0), int(flags, 0), 8 + len(sb),
                            int(mask, 0)) + sb
    acl = struct.pack("<BBHHH", 2, 0, 8 + len(body), len(aces or []),
                      0) + body
    osid = sid_bytes(owner) if owner else b""
    off_owner = 20 if owner else 0
    off_dacl = 20 + len(osid) if aces is not None else 0
    control = 0x8000 | (0x0004 if aces is not None else 0)
    return (struct.pack("<BBHIIII", 1, 0, control, off_owner, 0, 0, off_dacl)
            + osid + (acl if aces is not None else b""))


def dump(data):
    off_dacl = struct.unpack_from("<I", data, 16)[0]
    if off_dacl == 0:
        return
    _, _, _, count, _ = struct.unpack_from("<BBHHH", data, off_dacl)
    off = off_dacl + 8
    out = []
    for _ in range(count):
        typ, flags, size, mask = struct.unpack_from("<BBHI", data, off)
        # What POSIX keeps of the mask; ACEs granting nothing are left
        # out (Samba shows them for empty ACL entries, usmbd does not).
        rwx = "".join(c if mask & b else "-" for c, b in
                      (("r", 0x1), ("w", 0x2), ("x", 0x20)))
        if mask != 0:
            out.append("%s:%d/0x%x/%s" % (sid_text(data, off + 8), typ,
                                          flags, rwx))
        off += size
    for line in sorted(out):
        print(line)


class SecD:
    """One SecD create context (MS-SMB2 2.2.13.2), the only one sent."""

    def __init__(self, sd):
        self.sd = sd

    def getData(self):
        return struct.pack("<IHHHHI", 0, 16, 4, 0, 24, len(self.sd)) + \
            b"SecD" + b"\0" * 4 + self.sd


c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=PORT,
                  preferredDialect=s3.SMB2_DIALECT_30)
c.login(USER, PASSWORD)
tid = c.connectTree("share")
if OP == "create":
    smb = c.getSMBServer()
    try:
        fid = smb.create(tid, FILE, READ_CONTROL | 0x2, 7, 0x40, 2, 0x80,
                         createContexts=[SecD(build(None, sys.argv[6:]))])
        smb.close(tid, fid)
        print("status=OK")
    except Exception as e:
        print("status=%s" % e)
    c.logoff()
    sys.exit(0)
ACCESS = {"set": WRITE_DAC, "owner": WRITE_OWNER}.get(OP, 0) | READ_CONTROL
fid = c.openFile(tid, FILE, desiredAccess=ACCESS, shareMode=7,
                 creationOption=0)
smb = c.getSMBServer()
try:
    if OP == "set":
        smb.setInfo(tid, fid, inputBlob=build(None, sys.argv[6:]),
                    infoType=INFO_SECURITY, fileInfoClass=0,
                    additionalInformation=DACL)
    elif OP == "owner":
        smb.setInfo(tid, fid, inputBlob=build(sys.argv[6], None),
                    infoType=INFO_SECURITY, fileInfoClass=0,
                    additionalInformation=OWNER)
    else:
        dump(smb.queryInfo(tid, fid, infoType=INFO_SECURITY,
                           fileInfoClass=0, additionalInformation=DACL))
    print("status=OK")
except Exception as e:
    print("status=%s" % e)
c.closeFile(tid, fid)
c.logoff()
