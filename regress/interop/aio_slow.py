#!/usr/bin/python3
"""A READ that the server holds in its IO thread pool (a regress hook
delays it) does not hold up the connection: an ECHO sent after it is
answered first; CANCEL answers it with STATUS_CANCELLED at once; CLOSE
and LOGOFF while it is in flight leave the worker alive.

usage: aio_slow.py PORT USER PASSWORD; prints one "ok ..." or "FAIL ..."
line per check."""
import sys
import time

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


# 1. An ECHO behind a slow READ is answered while the READ waits.
# Order, not time, is checked: the READ's answer must not have come
# before the ECHO's (impacket files early answers as outstanding).
delay(3000)
mid = send_read(fid)
srv.echo()
check("the ECHO was answered before the slow READ",
      mid not in srv._Connection["OutstandingResponses"])
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

# 6. LOGOFF while a READ is in flight.
delay(1000)
send_read(fid)
conn.logoff()
time.sleep(1.5)
print("done", flush=True)
sys.exit(1 if fails else 0)
