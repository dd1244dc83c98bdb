#!/usr/bin/env python3
"""A process for the release tests. argv[1]:
  listen-ignore-term  TCP listener on 127.0.0.1:0 that ignores SIGTERM
  listen              TCP listener on 127.0.0.1:0 that exits on SIGTERM (the default action)
  client PORT         connects to 127.0.0.1:PORT and holds the connection
Prints one line "PORT" (the listener's, or the client's peer port) and waits until stdin closes."""
import signal, socket, sys

mode = sys.argv[1]
if mode == "listen-ignore-term":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if mode.startswith("listen"):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
    print(s.getsockname()[1], flush=True)
else:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    print(sys.argv[2], flush=True)
sys.stdin.read()
