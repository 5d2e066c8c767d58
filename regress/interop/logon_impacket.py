#!/usr/bin/python3
"""impacket against usmbd: login, connectTree and logoff on SMB 2.0.2,
2.1 and 3.0, plain, signed and encrypted.  Prints one line per check and
exits non-zero if any failed.

usage: logon_impacket.py PORT USER PASSWORD
"""
import sys

from impacket import smb3structs
from impacket.smbconnection import SMBConnection, SessionError

PORT = int(sys.argv[1])
USER = sys.argv[2]
PASSWORD = sys.argv[3]
failures = 0


def check(desc, ok, detail=""):
    global failures
    print("%s: %s%s" % ("ok" if ok else "FAIL", desc,
                        (" (%s)" % detail) if detail and not ok else ""))
    if not ok:
        failures += 1


def session(dialect, sign=False, encrypt=False):
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=PORT,
                      preferredDialect=dialect)
    if sign:
        c._SMBConnection._Connection["RequireSigning"] = True
        c._SMBConnection._Connection["ClientSecurityMode"] = \
            smb3structs.SMB2_NEGOTIATE_SIGNING_REQUIRED
    c.login(USER, PASSWORD)
    if encrypt:
        c._SMBConnection._Session["SessionFlags"] |= \
            smb3structs.SMB2_SESSION_FLAG_ENCRYPT_DATA
        c._SMBConnection._Session["EncryptData"] = True
    return c


for name, d in (("2.0.2", smb3structs.SMB2_DIALECT_002),
                ("2.1", smb3structs.SMB2_DIALECT_21),
                ("3.0", smb3structs.SMB2_DIALECT_30)):
    variants = [("plain", False, False), ("signed", True, False)]
    if d == smb3structs.SMB2_DIALECT_30:
        variants.append(("encrypted", False, True))
    for vname, sign, enc in variants:
        desc = "SMB %s %s" % (name, vname)
        try:
            c = session(d, sign, enc)
            check(desc + ": negotiated dialect", c.getDialect() == d,
                  "%x" % c.getDialect())
            tid = c.connectTree("share")
            check(desc + ": connectTree", tid != 0)
            c.disconnectTree(tid)
            c.logoff()
            check(desc + ": logoff", True)
        except Exception as e:
            check(desc, False, repr(e))

try:
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=PORT)
    c.login(USER, PASSWORD + "x")
    check("wrong password refused", False, "login succeeded")
except SessionError as e:
    check("wrong password refused with LOGON_FAILURE",
          e.getErrorCode() == 0xC000006D, "%x" % e.getErrorCode())

try:
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=PORT)
    c.login(USER, PASSWORD)
    c.connectTree("nosuchshare")
    check("unknown share refused", False, "connectTree succeeded")
except SessionError as e:
    check("unknown share refused with BAD_NETWORK_NAME",
          e.getErrorCode() == 0xC00000CC, "%x" % e.getErrorCode())

sys.exit(1 if failures else 0)
