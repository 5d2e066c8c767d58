#!/usr/bin/python3
"""A READ that the server holds in its IO thread pool (a regress hook
delays it) does not hold up the connection: an ECHO sent after it is
answered first; CANCEL answers it with STATUS_CANCELLED at once; CLOSE
and LOGOFF while it is in flight leave the worker alive.  The same holds
for a slow READ inside a compound chain: the chain waits for it, its
answers still come in one frame and in order, and an ECHO sent after it
is answered first.  LOGOFF or the end of the connection while a chain
waits for its IO leave the worker alive.  The IO of named streams,
appends, server-side copies and SET_ZERO_DATA runs in the pool too; IO
that reads, changes and writes back (a stream, an append) runs in order.

With a fourth argument "logoff" (against a server that does not
encrypt), it checks one thing only: a LOGOFF while a chain of FLUSH,
READ (slow) and READ waits for the slow READ is answered first, then the
chain: the FLUSH succeeded, the READ that waited is CANCELLED, and the
READ after it fails for want of its session.

With "bound" (against a server whose aio max memory is 1M), it checks
that past that bound the connection reads nothing new until IO
completes: an ECHO sent behind a slow READ of more than 1 MiB is
answered after the READ.

With "sync" (against a server with aio threads = 0), it checks that the
IO of streams, appends, copies and zeroing done on the loop gives the
same data.

usage: aio_slow.py PORT USER PASSWORD [logoff|bound|sync]; prints one
"ok ..." or "FAIL ..." line per check."""
import os
import struct
import sys
import time

from Cryptodome.Cipher import AES

from impacket import crypto
from impacket import smb3structs as s3
from impacket.smbconnection import SMBConnection

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
fails = 0


def check(what, cond):
    global fails
    print(("ok " if cond else "FAIL ") + what, flush=True)
    if not cond:
        fails += 1


conn = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=port)
conn.login(user, password)
tid = conn.connectTree("share")
data = bytes(range(256)) * 4096          # 1 MiB
fid = conn.createFile(tid, "slow.bin")
conn.writeFile(tid, fid, data, 0)
srv = conn.getSMBServer()


def delay(ms):
    srv._NetBIOSSession.send_packet(b"REGRESS!aiodelay %d" % ms)


def echo_before(mid, what):
    """An ECHO sent now is answered before the request mid: impacket
    files an answer that comes early as outstanding."""
    srv.echo()
    check(what, mid not in srv._Connection["OutstandingResponses"])


def send_cmd(command, body):
    """Send a request of the session without waiting for its answer."""
    p = srv.SMB_PACKET()
    p["Command"] = command
    p["Data"] = body
    return srv.sendSMB(p)


def send_read(fid, length=65536, offset=0):
    p = srv.SMB_PACKET()
    p["Command"] = s3.SMB2_READ
    p["TreeID"] = tid
    p["CreditCharge"] = 1 + (length - 1) // 65536
    r = s3.SMB2Read()
    r["Padding"] = 0x50
    r["FileID"] = fid
    r["Length"] = length
    r["Offset"] = offset
    p["Data"] = r
    return srv.sendSMB(p)


def read_answer(mid):
    ans = srv.recvSMB(mid)
    if ans["Status"] != 0:
        return ans["Status"], None
    return 0, s3.SMB2Read_Response(ans["Data"])["Buffer"]


def read_pkt(fid, length, offset):
    p = srv.SMB_PACKET()
    p["Command"] = s3.SMB2_READ
    p["MessageID"] = srv._Connection["SequenceWindow"]
    srv._Connection["SequenceWindow"] += 1
    p["SessionID"] = srv._Session["SessionID"]
    p["TreeID"] = tid
    p["CreditCharge"] = 1 + (length - 1) // 65536
    p["CreditRequestResponse"] = 127
    r = s3.SMB2Read()
    r["Padding"] = 0x50
    r["FileID"] = fid
    r["Length"] = length
    r["Offset"] = offset
    r["Buffer"] = b"\0" * 8    # 64 + 48 + 8: a multiple of 8
    p["Data"] = r
    return p


def encrypting():
    return bool(srv._Session["SessionFlags"] &
                s3.SMB2_SESSION_FLAG_ENCRYPT_DATA or
                srv._Session["TreeConnectTable"][tid]["EncryptData"])


def send_raw(plain):
    """Send a frame of our own, encrypted as impacket would."""
    if not encrypting():
        srv._NetBIOSSession.send_packet(plain)
        return
    nonce = os.urandom(11)
    th = s3.SMB2_TRANSFORM_HEADER()
    th["Nonce"] = nonce + b"\0" * 5
    th["OriginalMessageSize"] = len(plain)
    th["EncryptionAlgorithm"] = s3.SMB2_ENCRYPTION_AES128_CCM
    th["SessionID"] = srv._Session["SessionID"]
    c = AES.new(srv._Session["EncryptionKey"], AES.MODE_CCM, nonce)
    c.update(th.getData()[20:])
    ct = c.encrypt(plain)
    th["Signature"] = c.digest()
    srv._NetBIOSSession.send_packet(th.getData() + ct)


def send_chain(fid):
    first = read_pkt(fid, 65536, 0)
    second = read_pkt(b"\xff" * 16, 4096, 65536)
    second["Flags"] = s3.SMB2_FLAGS_RELATED_OPERATIONS
    first["NextCommand"] = len(first.getData())
    if srv._Session["SigningActivated"] and not encrypting():
        for p in (first, second):
            p["Flags"] |= s3.SMB2_FLAGS_SIGNED
            srv.signSMB(p)
    send_raw(first.getData() + second.getData())
    return first["MessageID"], second["MessageID"]


def recv_frame():
    f = srv._NetBIOSSession.recv_packet(30).get_trailer()
    if not f.startswith(b"\xfdSMB"):
        return f
    th = s3.SMB2_TRANSFORM_HEADER(f)
    c = AES.new(srv._Session["DecryptionKey"], AES.MODE_CCM,
                th["Nonce"][:11])
    c.update(th.getData()[20:])
    return c.decrypt(f[len(s3.SMB2_TRANSFORM_HEADER()):])


def flush_pkt(fid):
    p = srv.SMB_PACKET()
    p["Command"] = s3.SMB2_FLUSH
    p["MessageID"] = srv._Connection["SequenceWindow"]
    srv._Connection["SequenceWindow"] += 1
    p["SessionID"] = srv._Session["SessionID"]
    p["TreeID"] = tid
    p["CreditRequestResponse"] = 127
    f = s3.SMB2Flush()
    f["FileID"] = fid
    p["Data"] = f
    return p


def chain_parts(f2):
    """Split a compound answer into its messages and their bytes."""
    out = []
    while True:
        m = s3.SMB2Packet(f2)
        n = m["NextCommand"] or len(f2)
        out.append((m, f2[:n]))
        if not m["NextCommand"]:
            return out
        f2 = f2[n:]


def signed_ok(raw, key):
    """Is this answer (of dialect 3.0) signed, and rightly?"""
    flags = int.from_bytes(raw[16:20], "little")
    z = raw[:48] + b"\0" * 16 + raw[64:]
    return bool(flags & s3.SMB2_FLAGS_SIGNED) and \
        crypto.AES_CMAC(key, z, len(z)) == raw[48:64]


def send_write(fid, buf, offset):
    p = srv.SMB_PACKET()
    p["Command"] = s3.SMB2_WRITE
    p["TreeID"] = tid
    p["CreditCharge"] = 1
    w = s3.SMB2Write()
    w["FileID"] = fid
    w["Length"] = len(buf)
    w["Offset"] = offset
    w["WriteChannelInfoOffset"] = 0
    w["Buffer"] = buf
    p["Data"] = w
    return srv.sendSMB(p)


def write_all(fid, pieces, offsets):
    mids = [send_write(fid, b, o) for b, o in zip(pieces, offsets)]
    return [srv.recvSMB(m)["Status"] for m in mids]



def send_ioctl(fid, code, blob, maxout):
    p = srv.SMB_PACKET()
    p["Command"] = s3.SMB2_IOCTL
    p["TreeID"] = tid
    i = s3.SMB2Ioctl()
    i["FileID"] = fid
    i["CtlCode"] = code
    i["MaxInputResponse"] = 0
    i["MaxOutputResponse"] = maxout
    i["InputCount"] = len(blob)
    i["Buffer"] = blob
    i["OutputOffset"] = 0
    i["Flags"] = s3.SMB2_0_IOCTL_IS_FSCTL
    p["Data"] = i
    return srv.sendSMB(p)



if len(sys.argv) > 4 and sys.argv[4] == "sync":
    # aio threads = 0: the same IO, done on the loop, gives the same data.
    sfid = conn.createFile(tid, "slow.bin:ads")
    sdata = bytes(range(256)) * 8
    conn.writeFile(tid, sfid, sdata, 0)
    check("a stream READ on the loop returned its data",
          conn.readFile(tid, sfid, 0, 65536) == sdata)
    pieces = [bytes([0x41 + i]) * 128 for i in range(8)]
    st = write_all(sfid, pieces, [128 * i for i in range(8)])
    check("eight WRITEs to one stream on the loop all landed",
          st == [0] * 8 and conn.readFile(tid, sfid, 0, 65536) ==
          b"".join(pieces) + sdata[1024:])
    conn.closeFile(tid, sfid)
    afid = conn.createFile(tid, "app.bin", desiredAccess=0x4 | 0x1 | 0x80 |
                           0x100000)
    pieces = [bytes([0x61 + i]) * 4096 for i in range(4)]
    st = write_all(afid, pieces, [0] * 4)
    check("appends on the loop landed in order", st == [0] * 4 and
          conn.readFile(tid, afid, 0, 65536) == b"".join(pieces))
    conn.closeFile(tid, afid)
    key = srv.ioctl(tid, fid, 0x00140078, s3.SMB2_0_IOCTL_IS_FSCTL, b"", 0,
                    32)
    dfid = conn.createFile(tid, "copy.bin")
    req = key[:24] + struct.pack("<II", 1, 0) + \
        struct.pack("<QQII", 0, 0, 65536, 0)
    ans = srv.recvSMB(send_ioctl(dfid, 0x001440F2, req, 12))
    check("a copy on the loop copied (%08x)" % ans["Status"],
          ans["Status"] == 0 and
          conn.readFile(tid, dfid, 0, 65536) == data[:65536])
    ans = srv.recvSMB(send_ioctl(dfid, 0x000980C8,
                                 struct.pack("<QQ", 0, 4096), 0))
    check("a SET_ZERO_DATA on the loop zeroed (%08x)" % ans["Status"],
          ans["Status"] == 0 and
          conn.readFile(tid, dfid, 0, 8192) == bytes(4096) + data[4096:8192])
    conn.closeFile(tid, dfid)
    print("done", flush=True)
    sys.exit(1 if fails else 0)

if len(sys.argv) > 4 and sys.argv[4] == "bound":
    big = 1048576 + 65536
    delay(2000)
    mid = send_read(fid, big)
    # The READ's CreditCharge of 17 used 17 MessageIds.
    srv._Connection["SequenceWindow"] += 16
    echo_mid = send_cmd(s3.SMB2_ECHO, s3.SMB2Echo())
    h1 = s3.SMB2Packet(recv_frame())
    check("past aio max memory, the ECHO waited for the slow READ",
          h1["MessageID"] == mid and h1["Status"] == 0 and
          s3.SMB2Read_Response(h1["Data"])["Buffer"] == data[:big])
    h2 = s3.SMB2Packet(recv_frame())
    check("then the ECHO was answered", h2["MessageID"] == echo_mid and
          h2["Status"] == 0)
    print("done", flush=True)
    sys.exit(1 if fails else 0)

if len(sys.argv) > 4 and sys.argv[4] == "logoff":
    check("the session does not encrypt", not encrypting())
    delay(3000)
    els = [flush_pkt(fid), read_pkt(b"\xff" * 16, 65536, 0),
           read_pkt(b"\xff" * 16, 4096, 65536)]
    els[0]["Flags"] = 0
    for e in els[1:]:
        e["Flags"] = s3.SMB2_FLAGS_RELATED_OPERATIONS
    for e in els[:-1]:
        e["NextCommand"] = len(e.getData())
    if srv._Session["SigningActivated"]:
        for e in els:
            e["Flags"] |= s3.SMB2_FLAGS_SIGNED
            srv.signSMB(e)
    check("the session signs", srv._Session["SigningActivated"])
    send_raw(b"".join(e.getData() for e in els))
    time.sleep(0.5)
    lmid = send_cmd(s3.SMB2_LOGOFF, s3.SMB2Logoff())
    h1 = s3.SMB2Packet(recv_frame())
    check("the LOGOFF was answered first",
          h1["Command"] == s3.SMB2_LOGOFF and h1["MessageID"] == lmid and
          h1["Status"] == 0)
    parts = chain_parts(recv_frame())
    st = [m["Status"] for m, raw in parts]
    check("then the chain, in order",
          [m["MessageID"] for m, raw in parts] ==
          [e["MessageID"] for e in els])
    if srv._Session["SigningActivated"]:
        # Signed when the session ended, with its padding and link.
        check("the FLUSH's answer is rightly signed",
              signed_ok(parts[0][1], srv._Session["SigningKey"]))
    check("its FLUSH succeeded, the waiting READ was cancelled, the READ "
          "after it had no session (%s)" % ["%08x" % x for x in st],
          st == [0, 0xC0000120, 0xC0000203])
    print("done", flush=True)
    sys.exit(1 if fails else 0)

# 1. An ECHO behind a slow READ is answered while the READ waits.
# Order, not time, is checked: the READ's answer must not have come
# before the ECHO's (impacket files early answers as outstanding).
delay(3000)
mid = send_read(fid)
echo_before(mid, "the ECHO was answered before the slow READ")
st, buf = read_answer(mid)
check("the slow READ returned the data", st == 0 and buf == data[:65536])

# 2. CANCEL answers the READ at once; the late result is dropped.
delay(2500)
mid = send_read(fid)
p = srv.SMB_PACKET()
p["Command"] = s3.SMB2_CANCEL
p["MessageID"] = mid
p["TreeID"] = tid
p["Data"] = s3.SMB2Cancel()
srv.sendSMB(p)
st, buf = read_answer(mid)
# A worker whose loop waited for the disk would have answered the READ
# with its data before it saw the CANCEL.
check("CANCEL answered the READ with STATUS_CANCELLED (%08x)" % st,
      st == 0xC0000120)
time.sleep(1.5)
srv.echo()
mid = send_read(fid, 1048576)
st, buf = read_answer(mid)
check("after the cancelled READ ended, a READ still works",
      st == 0 and buf == data)

# 3. CLOSE while a READ is in flight: the READ still completes.
delay(1000)
mid = send_read(fid, 4096, 4096)
conn.closeFile(tid, fid)
st, buf = read_answer(mid)
check("a READ in flight across its CLOSE completes (%08x)" % st,
      st == 0 and buf == data[4096:8192])
srv.echo()
check("the connection works after the CLOSE", True)

# 4. A READ past the end of the file is END_OF_FILE; a short one is short.
fid = conn.openFile(tid, "slow.bin")
st, buf = read_answer(send_read(fid, 65536, len(data) + 10))
check("a READ past the end is END_OF_FILE (%08x)" % st, st == 0xC0000011)
st, buf = read_answer(send_read(fid, 65536, len(data) - 100))
check("a READ across the end is short", st == 0 and buf == data[-100:])

# 5. A WRITE on a write-through open reaches stable storage first (the
# server logs it; the shell script checks).
wt = conn.createFile(tid, "wt.bin", creationOption=0x2 | 0x40)
conn.writeFile(tid, wt, b"x" * 100000, 0)
conn.closeFile(tid, wt)

# 6. A slow READ in a compound chain: READ (slow), then a related READ
# of the same file (FileId all ones), then an ECHO sent on its own after
# the chain.  The ECHO must be answered first, the chain after it in one
# frame, its two answers in order.
delay(3000)
mids = send_chain(fid)
echo_mid = send_cmd(s3.SMB2_ECHO, s3.SMB2Echo())
f1 = recv_frame()
h1 = s3.SMB2Packet(f1)
check("the ECHO was answered before the chain with a slow READ",
      h1["Command"] == s3.SMB2_ECHO and h1["MessageID"] == echo_mid)
f2 = recv_frame()
a = s3.SMB2Packet(f2)
nxt = a["NextCommand"]
b = s3.SMB2Packet(f2[nxt:]) if nxt else None
check("the chain's answers came together, in order",
      a["MessageID"] == mids[0] and b is not None and
      b["MessageID"] == mids[1])
check("the slow READ of the chain returned its data",
      a["Status"] == 0 and
      s3.SMB2Read_Response(a["Data"])["Buffer"][:65536] == data[:65536])
check("the related READ after it returned its data",
      b is not None and b["Status"] == 0 and
      s3.SMB2Read_Response(b["Data"])["Buffer"][:4096] ==
      data[65536:65536 + 4096])
srv.echo()
check("the connection works after the chain", True)

# 7. The connection ends while a chain waits for its IO.
c2 = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=port)
c2.login(user, password)
t2 = c2.connectTree("share")
f2id = c2.createFile(t2, "slow2.bin")
c2.writeFile(t2, f2id, data[:131072], 0)
srv2 = c2.getSMBServer()
srv2._NetBIOSSession.send_packet(b"REGRESS!aiodelay 1000")
saved = (srv, tid)
srv, tid = srv2, t2
send_chain(f2id)
srv, tid = saved
srv2._NetBIOSSession.close()

# 9. A named stream's IO runs in the pool too: a slow READ of a stream
# does not hold up an ECHO sent after it.
sfid = conn.createFile(tid, "slow.bin:ads")
# Small: ext4 keeps a file's xattrs, streams included, in one block.
sdata = bytes(range(256)) * 8           # 2 KiB
conn.writeFile(tid, sfid, sdata, 0)
delay(2000)
mid = send_read(sfid)
echo_before(mid, "the ECHO was answered before the slow READ of a stream")
st, buf = read_answer(mid)
check("the slow READ of the stream returned its data (%08x)" % st,
      st == 0 and buf == sdata)

# 10. WRITEs sent together, none waiting for another: to ranges of one
# stream (each reads, changes and stores back the whole stream), and
# appends through append-only handles of a stream and of a file (each
# finds the end in its turn).  None may be lost.
pieces = [bytes([0x41 + i]) * 128 for i in range(8)]
st = write_all(sfid, pieces, [128 * i for i in range(8)])
got = conn.readFile(tid, sfid, 0, 65536)
check("eight WRITEs in flight to one stream all landed (%s)" %
      ["%x" % x for x in st],
      st == [0] * 8 and got == b"".join(pieces) + sdata[1024:])
# Two WRITEs to one range, the first held in its thread: the second
# waits for it (stream IO is serial), so the stream ends with the
# second's bytes.  Run at once, the first, storing the whole stream
# last, would undo the second.
delay(1500)
st = write_all(sfid, [b"1" * 128, b"2" * 128], [0, 0])
got = conn.readFile(tid, sfid, 0, 128)
check("a slow WRITE to a stream is not stored over a later one (%s)" %
      got[:4], st == [0, 0] and got == b"2" * 128)
conn.closeFile(tid, sfid)

# FILE_APPEND_DATA | FILE_READ_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE
append_only = 0x4 | 0x1 | 0x80 | 0x100000
for name, size in (("app.bin:ads", 128), ("app.bin", 65536)):
    afid = conn.createFile(tid, name, desiredAccess=append_only)
    pieces = [bytes([0x61 + i]) * size for i in range(8)]
    st = write_all(afid, pieces, [0] * 8)
    got = conn.readFile(tid, afid, 0, 8 * size)
    chunks = sorted(got[i:i + size] for i in range(0, len(got), size))
    check("eight appends in flight to %s all landed, whole (%s)" %
          (name, ["%x" % x for x in st]),
          st == [0] * 8 and len(got) == 8 * size and chunks == pieces)
    conn.closeFile(tid, afid)

# 11. A server-side copy and a zeroing run in the pool too: an ECHO sent
# after a slow one is answered first.
key = srv.ioctl(tid, fid, 0x00140078, s3.SMB2_0_IOCTL_IS_FSCTL, b"", 0, 32)
dfid = conn.createFile(tid, "copy.bin")
req = key[:24] + struct.pack("<II", 2, 0) + \
    struct.pack("<QQII", 0, 0, 65536, 0) + \
    struct.pack("<QQII", 65536, 65536, 65536, 0)
delay(2000)
mid = send_ioctl(dfid, 0x001440F2, req, 12)
echo_before(mid, "the ECHO was answered before a slow server-side copy")
ans = srv.recvSMB(mid)
out = s3.SMB2Ioctl_Response(ans["Data"])["Buffer"] if \
    ans["Status"] == 0 else b""
check("the slow copy copied two chunks (%08x)" % ans["Status"],
      out[:12] == struct.pack("<III", 2, 0, 131072) and
      conn.readFile(tid, dfid, 0, 131072) == data[:131072])
# FILE_ZERO_DATA_INFORMATION: from 4096 up to (not including) 8192.
delay(2000)
mid = send_ioctl(dfid, 0x000980C8, struct.pack("<QQ", 4096, 8192), 0)
echo_before(mid, "the ECHO was answered before a slow SET_ZERO_DATA")
ans = srv.recvSMB(mid)
got = conn.readFile(tid, dfid, 0, 131072)
check("the slow SET_ZERO_DATA zeroed its range (%08x)" % ans["Status"],
      ans["Status"] == 0 and got == data[:4096] + bytes(4096) +
      data[8192:131072])
conn.closeFile(tid, dfid)

# 8. LOGOFF while a READ and a chain are in flight.  Each gets its own
# delay: a READ the page cache holds is otherwise answered at once, on
# the loop, and the chain would not wait.
delay(1000)
send_read(fid)
delay(1000)
send_chain(fid)
conn.logoff()
time.sleep(1.5)
print("done", flush=True)
sys.exit(1 if fails else 0)
