/**
 * Names for the kernel's numeric codes, spelled as iproute2 (`ip -j`) spells them: interface flags,
 * operational states, hardware types, address scopes and flags, route types, protocols and tables.
 * Pure data and lookups.
 *
 * @example
 * linkFlagNames(0x11043); // ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]
 * scopeName(254); // "host"
 */

/** IFF_* flags in the order `ip link` prints them. */
const LINK_FLAGS: [number, string][] = [
  [0x8, "LOOPBACK"],
  [0x2, "BROADCAST"],
  [0x10, "POINTOPOINT"],
  [0x1000, "MULTICAST"],
  [0x80, "NOARP"],
  [0x200, "ALLMULTI"],
  [0x100, "PROMISC"],
  [0x400, "MASTER"],
  [0x800, "SLAVE"],
  [0x4, "DEBUG"],
  [0x8000, "DYNAMIC"],
  [0x4000, "AUTOMEDIA"],
  [0x2000, "PORTSEL"],
  [0x20, "NOTRAILERS"],
  [0x1, "UP"],
  [0x10000, "LOWER_UP"],
  [0x20000, "DORMANT"],
  [0x40000, "ECHO"],
];

/**
 * Interface flag names as `ip` prints them: NO-CARRIER first when UP without RUNNING, M-DOWN last
 * when `peerDown` (the linked device in this namespace is down).
 */
export function linkFlagNames(flags: number, peerDown = false): string[] {
  const out: string[] = [];
  if (flags & 0x1 && !(flags & 0x40)) out.push("NO-CARRIER");
  for (const [bit, name] of LINK_FLAGS) if (flags & bit) out.push(name);
  if (peerDown) out.push("M-DOWN");
  return out;
}

const OPERSTATES = ["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"];

/** RFC 2863 operational state name (IF_OPER_*). */
export function operstateName(n: number | null): string {
  return n === null ? "UNKNOWN" : (OPERSTATES[n] ?? String(n));
}

const HW_TYPES: Record<number, string> = {
  1: "ether",
  24: "ieee1394",
  32: "infiniband",
  768: "ipip",
  769: "tunnel6",
  776: "sit",
  778: "gre",
  772: "loopback",
  823: "ip6gre",
  65534: "none",
};

/** ARPHRD_* hardware type name as `ip` prints it in `link_type`. */
export function hwTypeName(n: number): string {
  return HW_TYPES[n] ?? `[${n}]`;
}

/** Hardware address as lower-case colon-separated hex, or null when there is none. */
export function macText(b: Uint8Array): string | null {
  if (b.byteLength === 0) return null;
  let s = "";
  for (let i = 0; i < b.byteLength; i++) s += (i ? ":" : "") + b[i]!.toString(16).padStart(2, "0");
  return s;
}

const SCOPES: Record<number, string> = { 0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere" };

/** RT_SCOPE_* name (`global`, `link`, `host`, …; other numbers as text). */
export function scopeName(n: number): string {
  return SCOPES[n] ?? String(n);
}

/** IFA_F_* address flags in the order `ip -j addr` prints them (as boolean keys there). */
const ADDR_FLAGS: [number, string][] = [
  [0x01, "secondary"],
  [0x10, "home"],
  [0x02, "nodad"],
  [0x04, "optimistic"],
  [0x08, "dadfailed"],
  [0x20, "deprecated"],
  [0x40, "tentative"],
  [0x100, "mngtmpaddr"],
  [0x200, "noprefixroute"],
  [0x400, "autojoin"],
  [0x800, "stable-privacy"],
];

/** Address flag names (`dynamic` for an address that is not permanent, as `ip` shows it). */
export function addrFlagNames(flags: number, family: 4 | 6): string[] {
  const out: string[] = [];
  for (const [bit, name] of ADDR_FLAGS) {
    if (!(flags & bit)) continue;
    // `ip` calls IPv4's secondary flag "secondary" and IPv6's "temporary".
    out.push(bit === 0x01 && family === 6 ? "temporary" : name);
  }
  if (!(flags & 0x80)) out.push("dynamic");
  return out;
}

const ROUTE_TYPES = [
  "unspec",
  "unicast",
  "local",
  "broadcast",
  "anycast",
  "multicast",
  "blackhole",
  "unreachable",
  "prohibit",
  "throw",
  "nat",
  "xresolve",
];

/** RTN_* route type name. */
export function routeTypeName(n: number): string {
  return ROUTE_TYPES[n] ?? String(n);
}

const PROTOCOLS: Record<number, string> = {
  0: "unspec",
  1: "redirect",
  2: "kernel",
  3: "boot",
  4: "static",
  8: "gated",
  9: "ra",
  10: "mrt",
  11: "zebra",
  12: "bird",
  13: "dnrouted",
  14: "xorp",
  15: "ntk",
  16: "dhcp",
  17: "mrouted",
  18: "keepalived",
  42: "babel",
  99: "openr",
  186: "bgp",
  187: "isis",
  188: "ospf",
  189: "rip",
  192: "eigrp",
};

/** RTPROT_* name as in /etc/iproute2/rt_protos. */
export function protocolName(n: number): string {
  return PROTOCOLS[n] ?? String(n);
}

const TABLES: Record<number, string> = { 0: "unspec", 253: "default", 254: "main", 255: "local" };

/** Routing table name (`main`, `local`, `default`, or the number as text). */
export function tableName(n: number): string {
  return TABLES[n] ?? String(n);
}

/** Routing table number for a name or number text; null when neither. */
export function tableNumber(s: string): number | null {
  for (const [k, v] of Object.entries(TABLES)) if (v === s) return Number(k);
  if (/^\d+$/.test(s) && Number(s) <= 0xffffffff) return Number(s);
  return null;
}

/** RTNH_F_* next-hop flags as `ip` prints them in `flags`. */
export function nextHopFlagNames(flags: number): string[] {
  const out: string[] = [];
  if (flags & 1) out.push("dead");
  if (flags & 4) out.push("onlink");
  if (flags & 2) out.push("pervasive");
  if (flags & 8) out.push("offload");
  if (flags & 64) out.push("trap");
  if (flags & 16) out.push("linkdown");
  if (flags & 32) out.push("unresolved");
  return out;
}

/** RTCF_* cache flags of an IPv4 lookup answer, as `ip route get` prints them in `cache`. */
export function cacheFlagNames(flags: number): string[] {
  const out: string[] = [];
  if (flags & 0x80000000) out.push("local");
  if (flags & 0x40000) out.push("redirected");
  if (flags & 0x1000000) out.push("redirect");
  if (flags & 0x4000000) out.push("src-direct");
  if (flags & 0x10000000) out.push("brd");
  if (flags & 0x20000000) out.push("mc");
  return out;
}

/** RA route preference (RTA_PREF) name. */
export function prefName(n: number): string {
  return n === 0 ? "medium" : n === 1 ? "high" : n === 3 ? "low" : String(n);
}
