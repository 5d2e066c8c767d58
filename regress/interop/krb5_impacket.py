#!/usr/bin/python3
# Kerberos logons that a real client library will not make: impacket
# builds its AP-REQ by hand from the service ticket in the credential
# cache ($KRB5CCNAME, a plain path), with no GSS-API checksum.
#
#   krb5_impacket.py HOST PORT USER REALM ok       one logon, a file listed
#   krb5_impacket.py HOST PORT USER REALM replay   the same authenticator
#                                                  (client, ctime, cusec)
#                                                  on two connections
#   krb5_impacket.py HOST PORT USER REALM expired  a logon with whatever
#                                                  ticket the cache holds,
#                                                  expired or not
#   krb5_impacket.py HOST PORT USER REALM skew     an authenticator dated
#                                                  a minute ago
#   krb5_impacket.py HOST PORT USER REALM bare     the krb5 token alone,
#                                                  without SPNEGO
#   krb5_impacket.py HOST PORT USER REALM mechs    the mechanisms the
#                                                  NEGOTIATE response's
#                                                  SPNEGO hint lists
# Prints one line per logon: "ok" or the NTSTATUS name.
import datetime
import sys

from impacket.smbconnection import SMBConnection, SessionError
from impacket.smb3structs import SMB2_DIALECT_311

host, port, user, realm, mode = sys.argv[1:6]


def logon():
    c = SMBConnection(host, "127.0.0.1", sess_port=int(port),
                      preferredDialect=SMB2_DIALECT_311)
    try:
        c.kerberosLogin(user, "", realm, useCache=True)
        c.listPath("share", "*")
        print("ok")
    except SessionError as e:
        print(e.getErrorString()[0])
    finally:
        try:
            c.close()
        except Exception:
            pass


OIDS = [("mskrb5", "2a864882f712010202"), ("krb5", "2a864886f712010202"),
        ("ntlmssp", "2b06010401823702020a")]

if mode == "mechs":
    c = SMBConnection(host, "127.0.0.1", sess_port=int(port),
                      preferredDialect=SMB2_DIALECT_311)
    blob = c.getSMBServer()._Connection["GSSNegotiateToken"].hex()
    print(" ".join(n for n, o in OIDS if "06" + "%02x" % (len(o) // 2) + o
                   in blob))
    c.close()
elif mode == "bare":
    from impacket.spnego import SPNEGO_NegTokenInit

    SPNEGO_NegTokenInit.getData = lambda self: self["MechToken"]
    logon()
elif mode == "skew":
    past = datetime.datetime.utcnow() - datetime.timedelta(seconds=60)

    class Late(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return past

    datetime.datetime = Late
    logon()
elif mode == "replay":
    # Both AP-REQs carry the same authenticator time, as a replay does;
    # the bytes differ only by the random confounder of the encryption.
    fixed = datetime.datetime.utcnow()

    class Frozen(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed

    datetime.datetime = Frozen
    logon()
    logon()
else:
    logon()
