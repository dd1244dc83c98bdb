"""The Python side of the batch comparison: what a user would write with CPython's ipaddress to get
the same fields as `netkit ip --json -` (one JSON object per input line, an error record for bad
lines). Reads stdin, writes stdout. Used by bench/ip_batch.ts; run with CPython 3.13."""
import ipaddress
import json
import sys


def classful(v):
    top = v >> 28
    return "A" if top < 8 else "B" if top < 12 else "C" if top < 14 else "D" if top == 14 else "E"


def analyze(text):
    i = ipaddress.ip_interface(text)
    a = i.ip
    net = i.network
    v4 = a.version == 4
    plen = net.prefixlen
    host_bits = net.max_prefixlen - plen
    first, last = net.network_address, net.broadcast_address
    if host_bits == 0:
        fh = lh = a
        hc = 1
    elif host_bits == 1:
        fh, lh, hc = first, last, 2
    elif v4:
        fh, lh, hc = first + 1, last - 1, net.num_addresses - 2
    else:
        fh, lh, hc = first + 1, last, net.num_addresses - 1
    mapped = None if v4 else a.ipv4_mapped
    six = None if v4 else a.sixtofour
    ter = None if v4 else a.teredo
    packed = int(a)
    bits = format(packed, "032b" if v4 else "0128b")
    sep = "." if v4 else ":"
    step = 8 if v4 else 16
    binary = sep.join(bits[k:k + step] for k in range(0, len(bits), step))
    address = str(i).split("/")[0]
    return {
        "version": a.version,
        "address": address,
        "compressed": a.compressed,
        "exploded": a.exploded,
        "zone": None if v4 else (address.split("%", 1)[1] if "%" in address else None),
        "prefixLength": plen,
        "netmask": str(net.netmask),
        "hostmask": str(net.hostmask),
        "network": str(net).split("%")[0],
        "networkAddress": str(first),
        "broadcastAddress": str(last) if v4 else None,
        "lastAddress": str(last),
        "firstHost": str(fh),
        "lastHost": str(lh),
        "addressCount": str(net.num_addresses),
        "hostCount": str(hc),
        "class": classful(packed) if v4 else None,
        "isPrivate": a.is_private,
        "isGlobal": a.is_global,
        "isLoopback": a.is_loopback,
        "isMulticast": a.is_multicast,
        "isLinkLocal": a.is_link_local,
        "isReserved": a.is_reserved,
        "isUnspecified": a.is_unspecified,
        "isSiteLocal": False if v4 else a.is_site_local,
        "ipv4Mapped": str(mapped) if mapped else None,
        "sixToFour": str(six) if six else None,
        "teredo": {"server": str(ter[0]), "client": str(ter[1])} if ter else None,
        "reversePointer": a.reverse_pointer,
        "binary": binary,
    }


def main():
    out = sys.stdout
    failed = 0
    dumps = json.dumps
    for line in sys.stdin:
        line = line.rstrip("\r\n")
        try:
            out.write(dumps(analyze(line)) + "\n")
        except ValueError as e:
            failed += 1
            out.write(dumps({"input": line, "error": {"message": str(e)}}) + "\n")
    sys.exit(1 if failed else 0)


main()
