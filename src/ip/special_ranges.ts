/**
 * The IANA special-purpose address registries as data (one row per entry, with its RFC), plus
 * the multicast blocks. Sources: iana-ipv4-special-registry and iana-ipv6-special-registry
 * (both as updated 2025), ipv4/ipv6 multicast address space registries.
 * `globallyReachable` is the registry's column ("N/A" and unlisted → null).
 */
import { parseV4Range, parseV6Range } from "./addr.js";
import { maskWord } from "./bits.js";

export interface SpecialRange {
  /** CIDR text of the block. */
  readonly cidr: string;
  /** The registry's name for the block. */
  readonly name: string;
  /** Where it is defined. */
  readonly rfc: string;
  readonly globallyReachable: boolean | null;
}

interface Row extends SpecialRange {
  readonly version: 4 | 6;
  readonly bits: number;
  readonly m0: number;
  readonly m1: number;
  readonly m2: number;
  readonly m3: number;
  readonly v0: number;
  readonly v1: number;
  readonly v2: number;
  readonly v3: number;
}

type RawRow = [cidr: string, name: string, rfc: string, globallyReachable: boolean | null];

const V4: RawRow[] = [
  ["0.0.0.0/8", "This network", "RFC 791 §3.2", false],
  ["0.0.0.0/32", "This host on this network", "RFC 1122 §3.2.1.3", false],
  ["10.0.0.0/8", "Private-Use", "RFC 1918", false],
  ["100.64.0.0/10", "Shared Address Space", "RFC 6598", false],
  ["127.0.0.0/8", "Loopback", "RFC 1122 §3.2.1.3", false],
  ["169.254.0.0/16", "Link Local", "RFC 3927", false],
  ["172.16.0.0/12", "Private-Use", "RFC 1918", false],
  ["192.0.0.0/24", "IETF Protocol Assignments", "RFC 6890 §2.1", false],
  ["192.0.0.0/29", "IPv4 Service Continuity Prefix", "RFC 7335", false],
  ["192.0.0.8/32", "IPv4 dummy address", "RFC 7600", false],
  ["192.0.0.9/32", "Port Control Protocol Anycast", "RFC 7723", true],
  ["192.0.0.10/32", "Traversal Using Relays around NAT Anycast", "RFC 8155", true],
  ["192.0.0.170/32", "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 §2.2", false],
  ["192.0.0.171/32", "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 §2.2", false],
  ["192.0.2.0/24", "Documentation (TEST-NET-1)", "RFC 5737", false],
  ["192.31.196.0/24", "AS112-v4", "RFC 7535", true],
  ["192.52.193.0/24", "AMT", "RFC 7450", true],
  ["192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", "RFC 7526", null],
  ["192.168.0.0/16", "Private-Use", "RFC 1918", false],
  ["192.175.48.0/24", "Direct Delegation AS112 Service", "RFC 7534", true],
  ["198.18.0.0/15", "Benchmarking", "RFC 2544", false],
  ["198.51.100.0/24", "Documentation (TEST-NET-2)", "RFC 5737", false],
  ["203.0.113.0/24", "Documentation (TEST-NET-3)", "RFC 5737", false],
  ["224.0.0.0/4", "Multicast", "RFC 5771", null],
  ["240.0.0.0/4", "Reserved", "RFC 1112 §4", false],
  ["255.255.255.255/32", "Limited Broadcast", "RFC 8190, RFC 919 §7", false],
];

const V6: RawRow[] = [
  ["::1/128", "Loopback Address", "RFC 4291", false],
  ["::/128", "Unspecified Address", "RFC 4291", false],
  ["::ffff:0:0/96", "IPv4-mapped Address", "RFC 4291", false],
  ["64:ff9b::/96", "IPv4-IPv6 Translat.", "RFC 6052", true],
  ["64:ff9b:1::/48", "IPv4-IPv6 Translat.", "RFC 8215", false],
  ["100::/64", "Discard-Only Address Block", "RFC 6666", false],
  ["100:0:0:1::/64", "Dummy IPv6 Prefix", "RFC 9780", false],
  ["2001::/23", "IETF Protocol Assignments", "RFC 2928", false],
  ["2001::/32", "TEREDO", "RFC 4380, RFC 8190", null],
  ["2001:1::1/128", "Port Control Protocol Anycast", "RFC 7723", true],
  ["2001:1::2/128", "Traversal Using Relays around NAT Anycast", "RFC 8155", true],
  ["2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", "RFC 9665", true],
  ["2001:2::/48", "Benchmarking", "RFC 5180, RFC Errata 1752", false],
  ["2001:3::/32", "AMT", "RFC 7450", true],
  ["2001:4:112::/48", "AS112-v6", "RFC 7535", true],
  ["2001:10::/28", "Deprecated (previously ORCHID)", "RFC 4843", null],
  ["2001:20::/28", "ORCHIDv2", "RFC 7343", true],
  ["2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374", true],
  ["2001:db8::/32", "Documentation", "RFC 3849", false],
  ["2002::/16", "6to4", "RFC 3056", null],
  ["2620:4f:8000::/48", "Direct Delegation AS112 Service", "RFC 7534", true],
  ["3fff::/20", "Documentation", "RFC 9637", false],
  ["5f00::/16", "Segment Routing (SRv6) SIDs", "RFC 9602", false],
  ["fc00::/7", "Unique-Local", "RFC 4193, RFC 8190", false],
  ["fe80::/10", "Link-Local Unicast", "RFC 4291", false],
  ["fec0::/10", "Deprecated (site-local)", "RFC 3879", null],
  ["ff00::/8", "Multicast", "RFC 4291 §2.7", null],
];

function build(version: 4 | 6, raw: RawRow[]): Row[] {
  return raw.map(([cidr, name, rfc, globallyReachable]) => {
    const slash = cidr.indexOf("/");
    const bits = Number(cidr.slice(slash + 1));
    const a = version === 4 ? [0, 0, 0, parseV4Range(cidr, 0, slash)] : parseV6Range(cidr, 0, slash).words;
    const t = version === 4 ? 32 : 128;
    const m = [0, 1, 2, 3].map((i) => maskWord(bits, t, i));
    return {
      cidr,
      name,
      rfc,
      globallyReachable,
      version,
      bits,
      m0: m[0]!,
      m1: m[1]!,
      m2: m[2]!,
      m3: m[3]!,
      v0: a[0]!,
      v1: a[1]!,
      v2: a[2]!,
      v3: a[3]!,
    };
  });
}

const ROWS4 = build(4, V4);
const ROWS6 = build(6, V6);

/** Every row of the table, for documentation and tests. */
export const SPECIAL_RANGES: { readonly v4: readonly SpecialRange[]; readonly v6: readonly SpecialRange[] } =
  {
    v4: ROWS4,
    v6: ROWS6,
  };

/** The registry rows that contain the address (most general first). */
export function specialRangesOf(
  version: 4 | 6,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): SpecialRange[] {
  const out: SpecialRange[] = [];
  if (version === 4) {
    for (const r of ROWS4) if (((w3 ^ r.v3) & r.m3) === 0) out.push(r);
    return out;
  }
  for (const r of ROWS6) {
    if (
      ((w0 ^ r.v0) & r.m0) === 0 &&
      ((w1 ^ r.v1) & r.m1) === 0 &&
      ((w2 ^ r.v2) & r.m2) === 0 &&
      ((w3 ^ r.v3) & r.m3) === 0
    ) {
      out.push(r);
    }
  }
  return out;
}
