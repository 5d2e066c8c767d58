#!/usr/bin/python3
# A client that goes past the server's limits, for regress/interop/limits.sh.
#   limits_client.py PORT USER PASSWORD opens N
#       open N files; print how many opened and the first error
#   limits_client.py PORT USER PASSWORD notify N
#       send N CHANGE_NOTIFY requests on the share root without waiting;
#       print how many went pending and how many were refused
#   limits_client.py PORT USER PASSWORD noread FILE N
#       send N 64 KiB READs of FILE and read none of the answers; print
#       "cut" when the server drops the connection, else "served".  The
#       first READ is held 3 s in the IO thread (a regress hook), so that
#       the others are all in flight when their answers come.  First it
#       gathers credits for them; with "cold" it does not, and goes past
#       the credits the server granted.
import socket
import struct
import sys
import time

from impacket import nt_errors
from impacket import smb3structs as s3
from impacket.smbconnection import SMBConnection, SessionError

STATUS_PENDING = 0x00000103
STATUS_INSUFFICIENT_RESOURCES = 0xC000009A


def logon(port, user, password):
    # SMB 2.1: answers in the clear, so that they can be read raw.
    conn = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=port,
                         timeout=20, preferredDialect=s3.SMB2_DIALECT_21)
    conn.login(user, password)
    tid = conn.connectTree('share')
    return conn, tid


def status_name(code):
    return nt_errors.ERROR_MESSAGES.get(code, ('0x%08x' % code,))[0]


def cmd_opens(conn, tid, n):
    opened = 0
    for i in range(n):
        try:
            conn.createFile(tid, 'limit-%d.txt' % i,
                            desiredAccess=0x0012019f,
                            creationDisposition=s3.FILE_OVERWRITE_IF)
        except SessionError as e:
            print('opened %d first error %s' % (opened,
                                                status_name(e.getErrorCode())))
            return
        opened += 1
    print('opened %d first error none' % opened)


def raw_frames(smb):
    """The SMB2 headers the server sends, as (status, flags, msgid)."""
    sock = smb._NetBIOSSession.get_socket()
    buf = b''
    while True:
        while len(buf) >= 4:
            ln = struct.unpack('>I', buf[:4])[0] & 0xffffff
            if len(buf) < 4 + ln:
                break
            pdu, buf = buf[4:4 + ln], buf[4 + ln:]
            status, = struct.unpack('<I', pdu[8:12])
            flags, = struct.unpack('<I', pdu[16:20])
            msgid, = struct.unpack('<Q', pdu[24:32])
            yield status, flags, msgid
        data = sock.recv(65536)
        if not data:
            return
        buf += data


def cmd_notify(conn, tid, n):
    smb = conn.getSMBServer()
    fid = conn.openFile(tid, '', desiredAccess=0x00100081,
                        creationOption=s3.FILE_DIRECTORY_FILE)
    for _ in range(n):
        p = s3.SMB2Packet()
        p['Command'] = s3.SMB2_CHANGE_NOTIFY
        p['TreeID'] = tid
        req = s3.SMB2ChangeNotify()
        req['Flags'] = 0
        req['OutputBufferLength'] = 1024
        req['FileID'] = s3.SMB2_FILEID(fid.getData() if hasattr(fid, 'getData') else fid)
        req['CompletionFilter'] = 0x1
        p['Data'] = req
        smb.sendSMB(p)
    pending = refused = 0
    smb._NetBIOSSession.get_socket().settimeout(10)
    try:
        for status, flags, msgid in raw_frames(smb):
            if status == STATUS_PENDING:
                pending += 1
            elif status == STATUS_INSUFFICIENT_RESOURCES:
                refused += 1
            if pending + refused >= n:
                break
    except socket.timeout:
        pass
    print('pending %d refused %d' % (pending, refused))


def cmd_noread(conn, tid, name, n, warm):
    smb = conn.getSMBServer()
    fid = conn.openFile(tid, name, desiredAccess=0x00120089)
    sock = smb._NetBIOSSession.get_socket()
    # Nothing is read: the server's answers fill the socket, then its
    # queue.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    # Credits bound what is in flight: gather some 1500 first (each
    # answer grants up to the 127 impacket asks for).
    for _ in range(12 if warm else 0):
        smb.echo()
    smb._NetBIOSSession.send_packet(b'REGRESS!aiodelay 3000')
    for i in range(n):
        p = s3.SMB2Packet()
        p['Command'] = s3.SMB2_READ
        p['TreeID'] = tid
        req = s3.SMB2Read()
        req['FileID'] = s3.SMB2_FILEID(fid.getData() if hasattr(fid, 'getData') else fid)
        req['Length'] = 65536
        req['Offset'] = (i % 64) * 65536
        req['MinimumCount'] = 0
        req['Buffer'] = b'\x00'
        p['Data'] = req
        try:
            smb.sendSMB(p)
        except (socket.error, OSError):
            break
    time.sleep(5)
    # Now read: a dropped connection ends before every answer came.
    got = 0
    sock.settimeout(10)
    try:
        for status, flags, msgid in raw_frames(smb):
            if status != STATUS_PENDING:
                got += 1
            if got >= n:
                break
    except (socket.timeout, socket.error, OSError):
        pass
    print('served' if got >= n else 'cut after %d' % got)


def main():
    port, user, password, cmd = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                 sys.argv[4])
    conn, tid = logon(port, user, password)
    if cmd == 'opens':
        cmd_opens(conn, tid, int(sys.argv[5]))
    elif cmd == 'notify':
        cmd_notify(conn, tid, int(sys.argv[5]))
    elif cmd == 'noread':
        cmd_noread(conn, tid, sys.argv[5], int(sys.argv[6]),
                   sys.argv[7:] != ['cold'])
    else:
        sys.exit('unknown command ' + cmd)


if __name__ == '__main__':
    main()
