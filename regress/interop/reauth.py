# Re-authentication and sessions of other users on one connection, with
# impacket: a second SESSION_SETUP on an existing SessionId re-authenticates
# it (MS-SMB2 3.3.5.5.3); the session keeps its tree connects.  A failed
# re-authentication ends the session.  A session of a different user on a
# connection served as one user is refused (doc/design.md §1).
# Usage: reauth.py PORT USER PASSWORD OTHERUSER OTHERPASSWORD
import sys
from impacket.smbconnection import SMBConnection, SessionError
from impacket import smb3
from impacket.smb3structs import SMB2_DIALECT_30

port, user, pw, other, otherpw = sys.argv[1:6]


def say(*a):
    print(*a, flush=True)


def status(fn, *a):
    try:
        fn(*a)
        return 0
    except SessionError as e:
        return e.getErrorCode()
    except smb3.SessionError as e:
        return e.get_error_code()


KEYS = ("SessionKey", "SigningKey", "EncryptionKey", "DecryptionKey",
        "ApplicationKey", "SessionFlags", "SigningActivated")


def relogin(u, p, new=False):
    # The server keeps the session's keys on re-authentication (MS-SMB2
    # 3.3.5.5.2); impacket derives new ones, so put the old ones back.
    # new: a second session (SessionId 0, unsigned, unencrypted).
    saved = {k: smb._Session[k] for k in KEYS}
    try:
        if new:
            smb._Session.update(SessionID=0, SessionFlags=0,
                                SigningActivated=False)
        smb.login(u, p)
    finally:
        smb._Session.update(saved)
        smb._Session["SessionID"] = sid


# Re-authenticating a valid session needs SMB 3.x (2.x servers refuse it).
c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=int(port),
                  preferredDialect=SMB2_DIALECT_30)
c.login(user, pw)
smb = c.getSMBServer()
sid = smb._Session["SessionID"]
tid = c.connectTree("share")
say("listed", len(c.listPath("share", "*")))

relogin(user, pw)
say("reauth same session", smb._Session["SessionID"] == sid)
say("tree after reauth", status(smb.disconnectTree, tid) == 0)
tid = c.connectTree("share")
say("listed again", len(c.listPath("share", "*")))

say("other user %x" % status(relogin, other, otherpw, True))
say("same user second session %x" % status(relogin, user, pw, True))
say("still listed", len(c.listPath("share", "*")))

say("bad reauth %x" % status(relogin, user, "wrong-password"))
# The session is gone: ask in the clear, as its keys are gone too.
smb._Session.update(SessionFlags=0, SigningActivated=False)
for t in smb._Session["TreeConnectTable"].values():
    if isinstance(t, dict) and "EncryptData" in t:
        t["EncryptData"] = False
say("after bad reauth %x" % status(c.listPath, "share", "*"))
