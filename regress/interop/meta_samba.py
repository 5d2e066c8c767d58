#!/usr/bin/python3
"""EAs through impacket, for meta_samba.sh: set one EA on a file, or
print the EAs of a file one "name=value" a line (FileFullEaInformation),
then "EaSize=N" (FileEaInformation).

usage: meta_samba.py PORT USER PASSWORD setea FILE NAME VALUE
       meta_samba.py PORT USER PASSWORD getea FILE
"""
import struct
import sys

from impacket import smb3structs as s3
from impacket.smbconnection import SMBConnection

PORT, USER, PASSWORD, OP, FILE = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                  sys.argv[4], sys.argv[5])
FILE_READ_EA = 0x08
FILE_WRITE_EA = 0x10
FILE_READ_ATTRIBUTES = 0x80
FULL_EA = 15

c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=PORT,
                  preferredDialect=s3.SMB2_DIALECT_30)
c.login(USER, PASSWORD)
tid = c.connectTree("share")
fid = c.openFile(tid, FILE, desiredAccess=FILE_READ_EA | FILE_WRITE_EA |
                 FILE_READ_ATTRIBUTES, shareMode=7, creationOption=0)
smb = c.getSMBServer()
if OP == "setea":
    name = sys.argv[6].encode()
    value = sys.argv[7].encode()
    blob = struct.pack("<IBBH", 0, 0, len(name), len(value)) + name + \
        b"\0" + value
    smb.setInfo(tid, fid, inputBlob=blob, fileInfoClass=FULL_EA)
elif OP == "getea":
    try:
        data = smb.queryInfo(tid, fid, fileInfoClass=FULL_EA)
    except Exception as e:
        data = b""
        print("status=%s" % e)
    off = 0
    while data:
        nxt, flags, nlen, vlen = struct.unpack_from("<IBBH", data, off)
        name = data[off + 8:off + 8 + nlen].decode()
        value = data[off + 9 + nlen:off + 9 + nlen + vlen].decode()
        print("%s=%s" % (name, value))
        if nxt == 0:
            break
        off += nxt
    info = smb.queryInfo(tid, fid, fileInfoClass=s3.SMB2_FILE_EA_INFO)
    print("EaSize=%d" % struct.unpack("<I", info[:4])[0])
c.closeFile(tid, fid)
c.logoff()
