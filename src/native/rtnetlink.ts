/**
 * rtnetlink (NETLINK_ROUTE) through koffi: dumps of links (RTM_GETLINK), addresses (RTM_GETADDR)
 * and routes (RTM_GETROUTE), and the single route lookup `ip route get` does (RTM_GETROUTE request).
 * Returns plain typed records; nothing outside this file knows the message layouts.
 * Reads are non-blocking (MSG_DONTWAIT, then a libuv poll), so the event loop never blocks.
 *
 * @example
 * const links = await dumpLinks();           // [{ index: 1, name: "lo", flags: 0x10049, … }, …]
 * const r = await getRoute(parseAddr("127.0.0.1")); // { type: 2 (local), oif: 1, prefsrc: "127.0.0.1", … }
 */
import { Addr } from "../ip/addr.js";
import {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  NETLINK_ROUTE,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SyscallError,
  sysClose,
  sysRecvfrom,
  sysSendto,
  sysSocket,
  watchReadable,
} from "./diag_libc.js";

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 1;
const NLM_F_ACK = 4;
const NLM_F_DUMP = 0x300;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_GETADDR = 22;
const RTM_NEWROUTE = 24;
const RTM_GETROUTE = 26;

/** One link (interface) as RTM_NEWLINK describes it. */
export interface LinkRecord {
  index: number;
  name: string;
  /** IFF_* flags (IFF_UP = 1, IFF_LOOPBACK = 8, …). */
  flags: number;
  /** ARPHRD_* hardware type (1 ether, 772 loopback, 65534 none). */
  hwType: number;
  mtu: number | null;
  /** Hardware address bytes (empty when the link has none). */
  address: Uint8Array;
  broadcast: Uint8Array;
  /** IF_OPER_* (0 unknown … 6 up). */
  operstate: number | null;
  qdisc: string | null;
  txqlen: number | null;
  master: number | null;
  link: number | null;
  /** IFLA_LINK_NETNSID: the namespace id of `link` when it lives in another namespace. */
  linkNetnsid: number | null;
  /** IFLA_INFO_KIND: "veth", "bridge", … (null for plain devices). */
  kind: string | null;
}

/** One address as RTM_NEWADDR describes it. */
export interface AddrRecord {
  family: 4 | 6;
  index: number;
  prefixLength: number;
  /** RT_SCOPE_* (0 global, 200 site, 253 link, 254 host). */
  scope: number;
  /** IFA_F_* flags (IFA_FLAGS when present, else the 8-bit header flags). */
  flags: number;
  /** IFA_LOCAL when present (the interface's own address), else IFA_ADDRESS. */
  local: Addr;
  /** IFA_ADDRESS when it differs from IFA_LOCAL (the peer of a point-to-point link). */
  peer: Addr | null;
  broadcast: Addr | null;
  label: string | null;
  validLifetime: number | null;
  preferredLifetime: number | null;
}

/** One next hop of a multipath route. */
export interface NextHopRecord {
  gateway: Addr | null;
  oif: number;
  weight: number;
  flags: number;
}

/** One route as RTM_NEWROUTE describes it (a dump entry or the answer to a lookup). */
export interface RouteRecord {
  family: 4 | 6;
  dstLength: number;
  srcLength: number;
  tos: number;
  table: number;
  /** RTPROT_* (2 kernel, 3 boot, 4 static, 16 dhcp, …). */
  protocol: number;
  /** RT_SCOPE_*. */
  scope: number;
  /** RTN_* (1 unicast, 2 local, 3 broadcast, 7 unreachable, …). */
  type: number;
  /** rtm_flags (RTM_F_CLONED = 0x200 and, for IPv4 lookups, RTCF_* cache flags). */
  flags: number;
  dst: Addr | null;
  src: Addr | null;
  gateway: Addr | null;
  prefsrc: Addr | null;
  oif: number | null;
  iif: number | null;
  priority: number | null;
  pref: number | null;
  uid: number | null;
  mark: number | null;
  nexthops: NextHopRecord[];
}

function addrFrom(b: Uint8Array): Addr | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.byteLength === 4) return Addr.v4(dv.getUint32(0));
  if (b.byteLength === 16)
    return Addr.v6(dv.getUint32(0), dv.getUint32(4), dv.getUint32(8), dv.getUint32(12));
  return null;
}

function cstring(b: Uint8Array): string {
  const end = b.indexOf(0);
  return new TextDecoder().decode(end < 0 ? b : b.subarray(0, end));
}

/** Walk the rtattrs in `b`: calls `fn(type, payload)` for each (type without NLA_F_* bits). */
function attrs(b: Uint8Array, fn: (type: number, payload: Uint8Array) => void): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let off = 0;
  while (off + 4 <= b.byteLength) {
    const len = dv.getUint16(off, true);
    const type = dv.getUint16(off + 2, true) & 0x3fff;
    if (len < 4 || off + len > b.byteLength) break;
    fn(type, b.subarray(off + 4, off + len));
    off += (len + 3) & ~3;
  }
}

function u32(p: Uint8Array): number {
  return new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0, true);
}

/** Parse the payload of an RTM_NEWLINK message (ifinfomsg + attributes). */
export function parseLink(m: Uint8Array): LinkRecord {
  const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
  const rec: LinkRecord = {
    index: dv.getInt32(4, true),
    name: "",
    flags: dv.getUint32(8, true),
    hwType: dv.getUint16(2, true),
    mtu: null,
    address: new Uint8Array(0),
    broadcast: new Uint8Array(0),
    operstate: null,
    qdisc: null,
    txqlen: null,
    master: null,
    link: null,
    linkNetnsid: null,
    kind: null,
  };
  attrs(m.subarray(16), (t, p) => {
    if (t === 1) rec.address = p.slice();
    else if (t === 2) rec.broadcast = p.slice();
    else if (t === 3) rec.name = cstring(p);
    else if (t === 4) rec.mtu = u32(p);
    else if (t === 5) rec.link = u32(p);
    else if (t === 6) rec.qdisc = cstring(p);
    else if (t === 10) rec.master = u32(p);
    else if (t === 13) rec.txqlen = u32(p);
    else if (t === 16) rec.operstate = p[0]!;
    else if (t === 37) rec.linkNetnsid = u32(p);
    else if (t === 18)
      attrs(p, (it, ip) => {
        if (it === 1) rec.kind = cstring(ip);
      });
  });
  return rec;
}

/** Parse the payload of an RTM_NEWADDR message (ifaddrmsg + attributes). */
export function parseAddrMessage(m: Uint8Array): AddrRecord | null {
  const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
  const fam = m[0];
  if (fam !== AF_INET && fam !== AF_INET6) return null;
  let local: Addr | null = null;
  let address: Addr | null = null;
  let broadcast: Addr | null = null;
  let label: string | null = null;
  let flags = m[2]!;
  let valid: number | null = null;
  let preferred: number | null = null;
  attrs(m.subarray(8), (t, p) => {
    if (t === 1) address = addrFrom(p);
    else if (t === 2) local = addrFrom(p);
    else if (t === 3) label = cstring(p);
    else if (t === 4) broadcast = addrFrom(p);
    else if (t === 6 && p.byteLength >= 8) {
      preferred = u32(p);
      valid = u32(p.subarray(4));
    } else if (t === 8) flags = u32(p);
  });
  const own = local ?? address;
  if (own === null) return null;
  const peer: Addr | null =
    local !== null && address !== null && !(address as Addr).equals(local) ? address : null;
  return {
    family: fam === AF_INET ? 4 : 6,
    index: dv.getUint32(4, true),
    prefixLength: m[1]!,
    scope: m[3]!,
    flags,
    local: own,
    peer,
    broadcast,
    label,
    validLifetime: valid,
    preferredLifetime: preferred,
  };
}

/** Parse the payload of an RTM_NEWROUTE message (rtmsg + attributes). */
export function parseRoute(m: Uint8Array): RouteRecord | null {
  const fam = m[0];
  if (fam !== AF_INET && fam !== AF_INET6) return null;
  const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
  const r: RouteRecord = {
    family: fam === AF_INET ? 4 : 6,
    dstLength: m[1]!,
    srcLength: m[2]!,
    tos: m[3]!,
    table: m[4]!,
    protocol: m[5]!,
    scope: m[6]!,
    type: m[7]!,
    flags: dv.getUint32(8, true),
    dst: null,
    src: null,
    gateway: null,
    prefsrc: null,
    oif: null,
    iif: null,
    priority: null,
    pref: null,
    uid: null,
    mark: null,
    nexthops: [],
  };
  attrs(m.subarray(12), (t, p) => {
    if (t === 1) r.dst = addrFrom(p);
    else if (t === 2) r.src = addrFrom(p);
    else if (t === 3) r.iif = u32(p);
    else if (t === 4) r.oif = u32(p);
    else if (t === 5) r.gateway = addrFrom(p);
    else if (t === 6) r.priority = u32(p);
    else if (t === 7) r.prefsrc = addrFrom(p);
    else if (t === 9) r.nexthops = parseMultipath(p);
    else if (t === 15) r.table = u32(p);
    else if (t === 16) r.mark = u32(p);
    else if (t === 20) r.pref = p[0]!;
    else if (t === 25) r.uid = u32(p);
  });
  return r;
}

function parseMultipath(p: Uint8Array): NextHopRecord[] {
  const out: NextHopRecord[] = [];
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  let off = 0;
  // struct rtnexthop { u16 len; u8 flags; u8 hops; i32 ifindex; } + attributes
  while (off + 8 <= p.byteLength) {
    const len = dv.getUint16(off, true);
    if (len < 8 || off + len > p.byteLength) break;
    const nh: NextHopRecord = {
      gateway: null,
      oif: dv.getInt32(off + 4, true),
      weight: p[off + 3]! + 1,
      flags: p[off + 2]!,
    };
    attrs(p.subarray(off + 8, off + len), (t, ap) => {
      if (t === 5) nh.gateway = addrFrom(ap);
    });
    out.push(nh);
    off += (len + 3) & ~3;
  }
  return out;
}

/** Build a netlink message: nlmsghdr + `body`. */
function message(type: number, flags: number, seq: number, body: Uint8Array): Uint8Array {
  const len = 16 + body.byteLength;
  const m = new Uint8Array((len + 3) & ~3);
  const dv = new DataView(m.buffer);
  dv.setUint32(0, len, true);
  dv.setUint16(4, type, true);
  dv.setUint16(6, flags, true);
  dv.setUint32(8, seq, true);
  m.set(body, 16);
  return m;
}

const KERNEL = (() => {
  const a = new Uint8Array(12);
  a[0] = AF_NETLINK;
  return a;
})();

let seqCounter = Math.floor(Math.random() * 1e9);

/** A netlink error answer, with the kernel's errno. */
export class NetlinkError extends SyscallError {
  constructor(errno: number) {
    super("netlink", errno);
    this.name = "NetlinkError";
  }
}

/**
 * Send one request on a fresh NETLINK_ROUTE socket and collect the answers of `wantType` until the
 * dump ends (or the single answer arrives). Throws {@link NetlinkError} for a kernel error answer.
 */
async function exchange(
  type: number,
  flags: number,
  body: Uint8Array,
  wantType: number,
): Promise<Uint8Array[]> {
  const fd = sysSocket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  const seq = ++seqCounter >>> 0;
  const out: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  const from = new Uint8Array(12);
  const dump = (flags & NLM_F_DUMP) !== 0;
  try {
    sysSendto(fd, message(type, flags, seq, body), KERNEL);
    for (;;) {
      const n = sysRecvfrom(fd, buf, from);
      if (n < 0) {
        await new Promise<void>((resolve) => {
          const w = watchReadable(fd, () => {
            w.stop();
            resolve();
          });
        });
        continue;
      }
      const dv = new DataView(buf.buffer, 0, n);
      let off = 0;
      let done = false;
      while (off + 16 <= n) {
        const len = dv.getUint32(off, true);
        const mtype = dv.getUint16(off + 4, true);
        const mseq = dv.getUint32(off + 8, true);
        if (len < 16 || off + len > n) break;
        if (mseq === seq) {
          if (mtype === NLMSG_DONE) done = true;
          else if (mtype === NLMSG_ERROR) {
            const err = -dv.getInt32(off + 16, true);
            if (err !== 0) throw new NetlinkError(err);
            done = true;
          } else if (mtype === wantType) {
            out.push(buf.slice(off + 16, off + len));
            if (!dump) done = true;
          }
        }
        off += (len + 3) & ~3;
      }
      if (done) return out;
    }
  } finally {
    sysClose(fd);
  }
}

/** Every link, in kernel order. @throws SyscallError */
export async function dumpLinks(): Promise<LinkRecord[]> {
  const body = new Uint8Array(16); // ifinfomsg, family AF_UNSPEC
  return (await exchange(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, body, RTM_NEWLINK)).map(parseLink);
}

/** Every address of both families (IPv4 first), in kernel order. @throws SyscallError */
export async function dumpAddrs(): Promise<AddrRecord[]> {
  const body = new Uint8Array(8); // ifaddrmsg, family AF_UNSPEC
  const msgs = await exchange(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, body, RTM_NEWADDR);
  const out: AddrRecord[] = [];
  for (const m of msgs) {
    const a = parseAddrMessage(m);
    if (a !== null) out.push(a);
  }
  return out;
}

/** Every route of `family` in every table, in kernel order. @throws SyscallError */
export async function dumpRoutes(family: 4 | 6): Promise<RouteRecord[]> {
  const body = new Uint8Array(12); // rtmsg
  body[0] = family === 4 ? AF_INET : AF_INET6;
  const msgs = await exchange(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, body, RTM_NEWROUTE);
  const out: RouteRecord[] = [];
  for (const m of msgs) {
    const r = parseRoute(m);
    if (r !== null) out.push(r);
  }
  return out;
}

/** Options of a route lookup (what `ip route get … from … iif … oif … mark …` would pass). */
export interface RouteQuery {
  from?: Addr;
  oif?: number;
  iif?: number;
  mark?: number;
}

function rta(type: number, payload: Uint8Array): Uint8Array {
  const a = new Uint8Array((4 + payload.byteLength + 3) & ~3);
  const dv = new DataView(a.buffer);
  dv.setUint16(0, 4 + payload.byteLength, true);
  dv.setUint16(2, type, true);
  a.set(payload, 4);
  return a;
}

function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/**
 * Ask the kernel which route a packet to `dst` takes (RTM_GETROUTE request, as `ip route get`).
 * @throws NetlinkError (ENETUNREACH, EHOSTUNREACH, …) when the kernel has no route
 */
export async function getRoute(dst: Addr, q: RouteQuery = {}): Promise<RouteRecord> {
  const is4 = dst.version === 4;
  const head = new Uint8Array(12);
  head[0] = is4 ? AF_INET : AF_INET6;
  head[1] = dst.bitLength;
  const parts: Uint8Array[] = [head, rta(1, dst.toBytes())];
  if (q.from !== undefined) {
    head[2] = q.from.bitLength;
    parts.push(rta(2, q.from.toBytes()));
  }
  if (q.iif !== undefined) parts.push(rta(3, u32le(q.iif)));
  if (q.oif !== undefined) parts.push(rta(4, u32le(q.oif)));
  if (q.mark !== undefined) parts.push(rta(16, u32le(q.mark)));
  const body = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    body.set(p, off);
    off += p.byteLength;
  }
  const msgs = await exchange(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_ACK, body, RTM_NEWROUTE);
  const r = msgs.length > 0 ? parseRoute(msgs[0]!) : null;
  if (r === null) throw new NetlinkError(61 /* ENODATA */);
  return r;
}
