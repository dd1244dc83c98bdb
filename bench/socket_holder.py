#!/usr/bin/env python3
"""Hold N loopback TCP sockets (N/2 connections to its own listener on 127.0.0.1:0, both ends
open) until stdin closes. Prints the listener's port when ready. For bench/ports_sockets.ts."""
import resource, socket, sys

n = int(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1024)
addr = l.getsockname()
keep = []
for _ in range(n // 2):
    c = socket.create_connection(addr)
    s, _ = l.accept()
    keep += [c, s]
print(addr[1], flush=True)
sys.stdin.read()
