# A signed ECHO on a session that signs is answered signed, with a
# signature that verifies under the session's signing key (MS-SMB2
# 3.3.4.1.1); one with a bad signature is refused; an ECHO naming no
# session is answered unsigned.  SMB 3.0, so that impacket signs
# (AES-CMAC) rather than encrypts.
import struct
import sys

from impacket import crypto
from impacket import smb3structs as st
from impacket.smbconnection import SMBConnection

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=port,
    preferredDialect=st.SMB2_DIALECT_30)
s = c.getSMBServer()
s._Connection['SupportsEncryption'] = False
c.login(user, password)
key = s._Session['SigningKey']


def echo(session=True, corrupt=False):
    p = s.SMB_PACKET()
    p['Command'] = st.SMB2_ECHO
    p['Data'] = st.SMB2Echo()
    if not session:
        # Sent by hand: sendSMB names and signs the session.
        p['MessageID'] = s._Connection['SequenceWindow']
        s._Connection['SequenceWindow'] += 1
        p['CreditCharge'] = 1
        p['CreditRequestResponse'] = 1
        s._NetBIOSSession.send_packet(p.getData())
        return s.recvSMB(p['MessageID'])
    if corrupt:
        p['MessageID'] = s._Connection['SequenceWindow']
        s._Connection['SequenceWindow'] += 1
        p['SessionID'] = s._Session['SessionID']
        p['CreditCharge'] = 1
        p['CreditRequestResponse'] = 1
        p['Flags'] = st.SMB2_FLAGS_SIGNED
        s.signSMB(p)
        sig = bytearray(p['Signature'])
        sig[0] ^= 1
        p['Signature'] = bytes(sig)
        s._NetBIOSSession.send_packet(p.getData())
        return s.recvSMB(p['MessageID'])
    return s.recvSMB(s.sendSMB(p))


def verifies(r):
    raw = bytearray(r.getData())
    sig = bytes(raw[48:64])
    raw[48:64] = b"\0" * 16
    return crypto.AES_CMAC(key, bytes(raw), len(raw)) == sig


r = echo()
print("signed echo status %08x" % r['Status'])
print("signed echo answered signed", bool(r['Flags'] & st.SMB2_FLAGS_SIGNED))
print("its signature verifies", verifies(r))
r = echo(corrupt=True)
print("bad signature status %08x" % r['Status'])
r = echo(session=False)
print("sessionless echo status %08x signed %s" % (r['Status'],
    bool(r['Flags'] & st.SMB2_FLAGS_SIGNED)))
c.listPath("share", "*")
print("session still works")
