"""Differential-test oracle: CPython 3.13 `ipaddress` as netkit's AddressInfo fields.

Reads one JSON string per line on stdin (the input text). Writes a header line
{"python": "<version>"}, then one JSON object per input line: either the fields below or
{"error": "<exception class>: <message>"}. Values are Python's own,
unaltered (zones included); the test decides what to compare. hosts() is replicated
arithmetically (a /0 has 2**128 hosts), following Lib/ipaddress.py:
IPv4 /32 -> [addr], /31 -> both, else net+1..bcast-1; IPv6 /128 -> [addr], /127 -> both,
else net+1..last.
"""

import ipaddress
import json
import sys


def first_last_hosts(i):
    net = i.network
    cls = type(i.ip)
    n = int(net.network_address)
    b = int(net.broadcast_address)
    maxlen = net.max_prefixlen
    plen = net.prefixlen
    if plen == maxlen:
        # Python returns the address as given (zone included) for a single-address network.
        only = [h for h in net.hosts()]
        return str(only[0]), str(only[0]), 1
    if plen == maxlen - 1:
        return str(cls(n)), str(cls(b)), 2
    if i.version == 4:
        return str(cls(n + 1)), str(cls(b - 1)), b - n - 1
    return str(cls(n + 1)), str(cls(b)), b - n


def flags(a):
    return {
        "isPrivate": a.is_private,
        "isGlobal": a.is_global,
        "isLoopback": a.is_loopback,
        "isMulticast": a.is_multicast,
        "isLinkLocal": a.is_link_local,
        "isReserved": a.is_reserved,
        "isUnspecified": a.is_unspecified,
        "isSiteLocal": a.is_site_local if a.version == 6 else False,
    }


def class_of(a):
    top = int(a) >> 28
    if top < 8:
        return "A"
    if top < 12:
        return "B"
    if top < 14:
        return "C"
    if top == 14:
        return "D"
    return "E"


def analyze(text):
    i = ipaddress.ip_interface(text)
    a = i.ip
    net = i.network
    first, last, hosts = first_last_hosts(i)
    rec = {
        "version": a.version,
        "address": str(i).split("/")[0],
        "compressed": a.compressed,
        "exploded": a.exploded,
        "zone": getattr(i, "scope_id", None),
        "prefixLength": net.prefixlen,
        "netmask": str(i.netmask),
        "hostmask": str(i.hostmask),
        "network": str(net),
        "networkAddress": str(net.network_address),
        "broadcastAddress": str(net.broadcast_address) if a.version == 4 else None,
        "lastAddress": str(net.broadcast_address),
        "firstHost": first,
        "lastHost": last,
        "addressCount": str(net.num_addresses),
        "hostCount": str(hosts),
        "class": class_of(a) if a.version == 4 else None,
        "ipv4Mapped": None,
        "sixToFour": None,
        "teredo": None,
        "reversePointer": a.reverse_pointer,
    }
    rec.update(flags(a))
    if a.version == 6:
        m = a.ipv4_mapped
        if m is not None:
            rec["ipv4Mapped"] = str(m)
            # The embedded IPv4 address's own flags, for the documented deviations.
            rec["mappedFlags"] = flags(m)
        if a.sixtofour is not None:
            rec["sixToFour"] = str(a.sixtofour)
        if a.teredo is not None:
            rec["teredo"] = {"server": str(a.teredo[0]), "client": str(a.teredo[1])}
    return rec


def main():
    if sys.version_info[:2] != (3, 13):
        sys.exit("oracle.py needs CPython 3.13, got " + sys.version)
    out = sys.stdout
    out.write(json.dumps({"python": sys.version.split()[0]}) + "\n")
    for line in sys.stdin:
        text = json.loads(line)
        try:
            rec = analyze(text)
        except ValueError as e:
            rec = {"error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(rec, ensure_ascii=True) + "\n")


if __name__ == "__main__":
    main()
