#!/usr/bin/python3
"""Directory leases and changes made on the server (doc/oplocks.md §7).
A client that announced directory leasing holds an RH lease on a
directory of a share with "kernel oplocks = yes"; a local process
creates, renames, deletes a file in it, or changes a file's mode: each
time the client gets a Lease Break Notification from RH to none that
must be acknowledged.  On a share without the parameter the same local
changes are not seen and nothing breaks.
Prints one "ok NAME" line per check that held.
usage: kernel_dirlease.py PORT USER PASS SHAREDIR"""
import os
import pwd
import struct
import sys

from impacket import smb3
from impacket import smb3structs as st
from impacket.smbconnection import SMBConnection

SHARE, OPEN = 7, 1
READ = 0x00120089
DIRECTORY_FILE = 0x1
R, H = 1, 2
BREAK_MID = 0xFFFFFFFFFFFFFFFF
ACK_REQUIRED = 1
PARENT_KEY_SET = 4
CREATE, ALL = 2, 0x001F01FF

# impacket announces only ENCRYPTION in its NEGOTIATE; announcing
# DIRECTORY_LEASING too makes the server offer it (impacket's own
# create(), which fails with it, is not used here).
smb3.SMB2_GLOBAL_CAP_ENCRYPTION = st.SMB2_GLOBAL_CAP_ENCRYPTION | \
    st.SMB2_GLOBAL_CAP_DIRECTORY_LEASING


class Conn:
    def __init__(self, port, user, pw, share):
        self.c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=port)
        self.c.login(user, pw)
        self.s = self.c.getSMBServer()
        self.tid = self.c.connectTree(share)

    def open_dir(self, name, key, state, parent=None, disp=OPEN,
                 opts=DIRECTORY_FILE, access=READ):
        """An open with a v2 lease, by default of a directory:
        (status, FileId, granted)."""
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_CREATE
        p['TreeID'] = self.tid
        req = st.SMB2Create()
        req['RequestedOplockLevel'] = 0xFF
        req['ImpersonationLevel'] = 2
        req['DesiredAccess'] = access
        req['FileAttributes'] = 0
        req['ShareAccess'] = SHARE
        req['CreateDisposition'] = disp
        req['CreateOptions'] = opts
        buf = name.encode('utf-16le')
        req['NameLength'] = len(buf)
        # One RqLs context, v2 (MS-SMB2 2.2.13.2.10), 8-byte aligned.
        pad = b'\0' * ((8 - (120 + len(buf)) % 8) % 8)
        lease = key + struct.pack('<LLQ', state,
                                  PARENT_KEY_SET if parent else 0, 0) + \
            (parent or b'\0' * 16) + struct.pack('<HH', 0, 0)
        ctx = struct.pack('<LHHHHL', 0, 16, 4, 0, 24, len(lease)) + \
            b'RqLs' + b'\0' * 4 + lease
        req['CreateContextsOffset'] = 120 + len(buf) + len(pad)
        req['CreateContextsLength'] = len(ctx)
        req['Buffer'] = buf + pad + ctx
        p['Data'] = req
        ans = self.s.recvSMB(self.s.sendSMB(p))
        if ans['Status'] != 0:
            return ans['Status'], None, None
        r = st.SMB2Create_Response(ans['Data'])
        raw = ans.getData()
        off, ln = r['CreateContextsOffset'], r['CreateContextsLength']
        granted, c = 0, raw[off:off + ln]
        while len(c) >= 16:
            nxt, noff = struct.unpack_from('<LH', c, 0)
            doff = struct.unpack_from('<H', c, 10)[0]
            if c[noff:noff + 4] == b'RqLs':
                granted = struct.unpack_from('<L', c, doff + 16)[0]
            if nxt == 0:
                break
            c = c[nxt:]
        return 0, r['FileID'], granted

    def next_lease_break(self, timeout):
        """(current, new, flags, key) of the next lease break, or None."""
        self.s._timeout = timeout
        try:
            ans = self.s.recvSMB(BREAK_MID)
        except Exception:
            return None
        finally:
            self.s._timeout = 60
        # impacket took the notification's CreditCharge (0) for a
        # response's and moved its MessageId window back: undo that.
        self.s._Connection['SequenceWindow'] += 1
        if ans['Command'] != st.SMB2_OPLOCK_BREAK:
            return None
        n = st.SMB2LeaseBreakNotification(ans['Data'])
        if n['StructureSize'] != 44:
            return None
        return n['CurrentLeaseState'], n['NewLeaseState'], n['Flags'], \
            n['LeaseKey']

    def lease_ack(self, key, state):
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_OPLOCK_BREAK
        p['TreeID'] = self.tid
        req = st.SMB2LeaseBreakAcknowledgement()
        req['LeaseKey'] = key
        req['LeaseState'] = state
        p['Data'] = req
        return self.s.recvSMB(self.s.sendSMB(p))['Status']

    def close(self, fid):
        p = self.s.SMB_PACKET()
        p['Command'] = st.SMB2_CLOSE
        p['TreeID'] = self.tid
        req = st.SMB2Close()
        req['FileID'] = fid
        p['Data'] = req
        return self.s.recvSMB(self.s.sendSMB(p))['Status']


def ok(name):
    print("ok", name, flush=True)


def worker_watches(conn):
    """inotify watches held by the processes that have this client's
    connection (its session worker), from /proc; None if not found."""
    lport = conn.s._NetBIOSSession.get_socket().getsockname()[1]
    inodes = set()
    for tab in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(tab) as f:
                for line in list(f)[1:]:
                    w = line.split()
                    if int(w[2].split(":")[1], 16) == lport:
                        inodes.add("socket:[%s]" % w[9])
        except OSError:
            pass
    n, found = 0, False
    for pid in filter(str.isdigit, os.listdir("/proc")):
        fds = "/proc/%s/fd" % pid
        try:
            links = {fd: os.readlink(os.path.join(fds, fd))
                     for fd in os.listdir(fds)}
        except OSError:
            continue
        if not inodes & set(links.values()):
            continue
        found = True
        for fd, target in links.items():
            if target != "anon_inode:inotify":
                continue
            with open("/proc/%s/fdinfo/%s" % (pid, fd)) as f:
                n += sum(1 for line in f if line.startswith("inotify wd:"))
    return n if found else None


def touch(path):
    with open(path, "w") as f:
        f.write("x")


def local_changes(d):
    """What a local process does in directory d: (name, how) pairs."""
    return [
        ("create", lambda: touch(os.path.join(d, "new"))),
        ("rename", lambda: os.rename(os.path.join(d, "new"),
                                     os.path.join(d, "renamed"))),
        ("chmod", lambda: os.chmod(os.path.join(d, "renamed"), 0o600)),
        ("delete", lambda: os.unlink(os.path.join(d, "renamed"))),
    ]


def main():
    port, user, pw, sharedir = int(sys.argv[1]), sys.argv[2], \
        sys.argv[3], sys.argv[4]
    for share, tag in (("kernel", "kernel"), ("share", "plain")):
        d = os.path.join(sharedir, "dir_" + tag)
        os.mkdir(d)
        pw_ = pwd.getpwnam(user)
        os.chown(d, pw_.pw_uid, pw_.pw_gid)
        a = Conn(port, user, pw, share)
        n = 0
        for what, change in local_changes(d):
            n += 1
            key = bytes([n, ord(tag[0])]) + b'L' * 14
            st_, fid, granted = a.open_dir("dir_" + tag, key, R | H)
            if st_ != 0 or granted != R | H:
                print("%s %s: open 0x%x granted %s" %
                      (tag, what, st_, granted))
                continue
            if tag == "kernel" and n == 1:
                ok("kernel_dir_lease_granted")
                if worker_watches(a) == 1:
                    ok("kernel_dir_watched")
            if tag == "plain" and n == 1:
                ok("plain_dir_lease_granted")
            change()
            b = a.next_lease_break(3)
            if tag == "kernel":
                if b is not None and b[0] == R | H and b[1] == 0 and \
                        (b[2] & ACK_REQUIRED) and b[3] == key:
                    ok("local_%s_breaks" % what)
                    if a.lease_ack(key, 0) == 0:
                        ok("local_%s_ack" % what)
                    # Broken to none: the watch is gone, before the close.
                    if n == 1 and worker_watches(a) == 0:
                        ok("kernel_watch_removed_at_none")
                else:
                    print("kernel %s: break %r" % (what, b))
            elif b is None:
                ok("plain_local_%s_unseen" % what)
                if n == 1 and worker_watches(a) == 0:
                    ok("plain_dir_not_watched")
            else:
                print("plain %s: break %r" % (what, b))
            a.close(fid)
        # The client's own create of a child, naming the directory's
        # lease as its parent: on a default share it breaks nothing
        # (MS-SMB2 3.3.4.7); under kernel oplocks inotify cannot tell it
        # from a local process's, and the lease breaks.
        key = b'O' + tag[0].encode() + b'K' * 14
        st_, fid, granted = a.open_dir("dir_" + tag, key, R | H)
        st2, fid2, _ = a.open_dir("dir_" + tag + "\\own", b'F' * 16, R,
                                  parent=key, disp=CREATE, opts=0x40,
                                  access=ALL)
        b = a.next_lease_break(3)
        if st_ != 0 or st2 != 0:
            print("%s own: open 0x%x, create 0x%x" % (tag, st_, st2))
        elif tag == "kernel" and b is not None and b[3] == key:
            ok("kernel_own_create_breaks")
            a.lease_ack(key, 0)
        elif tag == "plain" and b is None:
            ok("plain_own_create_keeps_lease")
        else:
            print("%s own: break %r" % (tag, b))
        if fid2 is not None:
            a.close(fid2)
        if fid is not None:
            a.close(fid)
        # A directory the CREATE makes, with a lease: setting up its
        # own attributes is not a change of its entries.
        if tag == "kernel":
            st_, fid, granted = a.open_dir("dir_kernel\\sub", b'N' * 16,
                                           R | H, disp=CREATE)
            if st_ == 0 and granted == R | H:
                if a.next_lease_break(2) is None:
                    ok("kernel_new_dir_lease_kept")
                a.close(fid)
            else:
                print("new dir: 0x%x granted %s" % (st_, granted))
        # A lease never broken: its watch goes with the open's close.
        if tag == "kernel":
            key = b'C' * 16
            st_, fid, granted = a.open_dir("dir_" + tag, key, R | H)
            if st_ == 0 and granted == R | H and worker_watches(a) == 1:
                a.close(fid)
                if worker_watches(a) == 0:
                    ok("kernel_watch_removed_at_close")


if __name__ == "__main__":
    main()
