#!/usr/bin/env python3
"""Open one socket of each kind on loopback (ports bound as 0), print them as one JSON line,
then wait until stdin closes. Used by the socket-table tests as a known, separate process."""
import json, os, socket, sys, tempfile

keep = []
out = []

def add(kind, s, peer=None):
    keep.append(s)
    name = s.getsockname()
    if s.family == socket.AF_UNIX:
        local = name if isinstance(name, str) else "@" + name[1:].decode()
        port = None
    else:
        local, port = name[0], name[1]
    out.append({"kind": kind, "fd": s.fileno(), "inode": os.fstat(s.fileno()).st_ino,
                "local": local, "port": port, "peerPort": peer})

l4 = socket.socket(); l4.bind(("127.0.0.1", 0)); l4.listen(16); add("tcp-listen", l4)
c4 = socket.create_connection(l4.getsockname()); s4, _ = l4.accept()
add("tcp-client", c4, l4.getsockname()[1]); add("tcp-accepted", s4, c4.getsockname()[1])
l6 = socket.socket(socket.AF_INET6); l6.bind(("::1", 0)); l6.listen(8); add("tcp6-listen", l6)
c6 = socket.create_connection(l6.getsockname()[:2]); s6, _ = l6.accept()
add("tcp6-client", c6, l6.getsockname()[1]); add("tcp6-accepted", s6, c6.getsockname()[1])
u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u4.bind(("127.0.0.1", 0)); add("udp-bound", u4)
uc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); uc.connect(u4.getsockname()); add("udp-connected", uc, u4.getsockname()[1])
u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u6.bind(("::1", 0)); add("udp6-bound", u6)
try:
    add("raw-icmp", socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
except PermissionError:
    pass  # not root: no raw socket
d = tempfile.mkdtemp(prefix="netkit-zoo-")
ul = socket.socket(socket.AF_UNIX); ul.bind(d + "/stream.sock"); ul.listen(4); add("unix-listen", ul)
ucl = socket.socket(socket.AF_UNIX); ucl.connect(d + "/stream.sock"); usv, _ = ul.accept()
add("unix-client", ucl); add("unix-accepted", usv)
ud = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); ud.bind(d + "/dgram.sock"); add("unix-dgram", ud)
udc = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); udc.connect(d + "/dgram.sock"); add("unix-dgram-connected", udc)
ua = socket.socket(socket.AF_UNIX); ua.bind("\0netkit-zoo-%d" % os.getpid()); ua.listen(1); add("unix-abstract", ua)
print(json.dumps({"pid": os.getpid(), "sockets": out}), flush=True)
sys.stdin.read()
for s in keep: s.close()
for f in ("stream.sock", "dgram.sock"): os.unlink(os.path.join(d, f))
os.rmdir(d)
