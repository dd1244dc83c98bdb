"""Multicast peer for the netkit udp tests, on loopback only (interface 127.0.0.1).

  mcast_peer.py recv GROUP IFADDR
      Join GROUP on IFADDR, print the bound port, receive one datagram and answer its sender
      (unicast) with "ttl=N" — N is the TTL in the received datagram's IP header (IP_RECVTTL).
  mcast_peer.py send GROUP PORT IFADDR TTL MESSAGE
      Send MESSAGE to GROUP:PORT through IFADDR with IP_MULTICAST_TTL = TTL, wait up to 2 s for
      one reply and print JSON {"reply", "ttl", "from"}: ttl is the reply's IP TTL.
"""
import json
import socket
import struct
import sys

IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)


def ttl_of(ancdata):
    for level, kind, data in ancdata:
        if level == socket.IPPROTO_IP and kind == socket.IP_TTL:
            return struct.unpack("i", data[:4])[0]
    return None


def main():
    mode = sys.argv[1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
    s.settimeout(5)
    if mode == "recv":
        group, ifaddr = sys.argv[2], sys.argv[3]
        s.bind(("0.0.0.0", 0))
        mreq = socket.inet_aton(group) + socket.inet_aton(ifaddr)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        print(s.getsockname()[1], flush=True)
        data, anc, _flags, addr = s.recvmsg(65535, socket.CMSG_SPACE(4))
        s.sendto(b"ttl=%d" % ttl_of(anc), addr)
    else:
        group, port, ifaddr, ttl, message = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ifaddr))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
        s.settimeout(2)
        s.sendto(message.encode(), (group, port))
        data, anc, _flags, addr = s.recvmsg(65535, socket.CMSG_SPACE(4))
        print(json.dumps({"reply": data.decode("utf-8", "replace"), "ttl": ttl_of(anc), "from": list(addr)}), flush=True)
    s.close()


main()
