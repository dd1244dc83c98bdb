/**
 * Address flags with CPython 3.13 `ipaddress` semantics (is_private, is_global, …) and the
 * classful class of an IPv4 address (RFC 791 §3.2, RFC 1166). Pure functions of the words.
 */
import type { Addr } from "./addr.js";

/** The boolean flags of an address, named as in CPython's `ipaddress` (camelCase). */
export interface AddrFlags {
  isPrivate: boolean;
  isGlobal: boolean;
  isLoopback: boolean;
  isMulticast: boolean;
  isLinkLocal: boolean;
  isReserved: boolean;
  isUnspecified: boolean;
  isSiteLocal: boolean;
}

const inV4 = (v: number, net: number, bits: number): boolean => bits === 0 || (v ^ net) >>> (32 - bits) === 0;

function v4Private(v: number): boolean {
  const private_ =
    inV4(v, 0x00000000, 8) ||
    inV4(v, 0x0a000000, 8) ||
    inV4(v, 0x7f000000, 8) ||
    inV4(v, 0xa9fe0000, 16) ||
    inV4(v, 0xac100000, 12) ||
    inV4(v, 0xc0000000, 24) ||
    inV4(v, 0xc00000aa, 31) ||
    inV4(v, 0xc0000200, 24) ||
    inV4(v, 0xc0a80000, 16) ||
    inV4(v, 0xc6120000, 15) ||
    inV4(v, 0xc6336400, 24) ||
    inV4(v, 0xcb007100, 24) ||
    inV4(v, 0xf0000000, 4) ||
    v === 0xffffffff;
  return private_ && v !== 0xc0000009 && v !== 0xc000000a;
}

/** CPython 3.13 flags of an IPv4 address value. */
export function flagsV4(v: number): AddrFlags {
  const isPrivate = v4Private(v);
  return {
    isPrivate,
    isGlobal: !inV4(v, 0x64400000, 10) && !isPrivate,
    isLoopback: inV4(v, 0x7f000000, 8),
    isMulticast: inV4(v, 0xe0000000, 4),
    isLinkLocal: inV4(v, 0xa9fe0000, 16),
    isReserved: inV4(v, 0xf0000000, 4),
    isUnspecified: v === 0,
    isSiteLocal: false,
  };
}

/** True when the 128-bit value (w0…w3) lies in prefix (p0…p3)/bits. No allocation. */
function in6(w0: number, w1: number, w2: number, w3: number, p: readonly number[], bits: number): boolean {
  if (bits === 0) return true;
  if (bits <= 32) return (w0 ^ p[0]!) >>> (32 - bits) === 0;
  if (w0 !== p[0]) return false;
  if (bits <= 64) return bits === 64 ? w1 === p[1] : (w1 ^ p[1]!) >>> (64 - bits) === 0;
  if (w1 !== p[1]) return false;
  if (bits <= 96) return bits === 96 ? w2 === p[2] : (w2 ^ p[2]!) >>> (96 - bits) === 0;
  if (w2 !== p[2]) return false;
  return bits === 128 ? w3 === p[3] : (w3 ^ p[3]!) >>> (128 - bits) === 0;
}

type Net6 = readonly [readonly number[], number];
const PRIVATE6: Net6[] = [
  [[0, 0, 0, 1], 128],
  [[0, 0, 0, 0], 128],
  [[0, 0, 0xffff, 0], 96],
  [[0x0064ff9b, 0x00010000, 0, 0], 48],
  [[0x01000000, 0, 0, 0], 64],
  [[0x20010000, 0, 0, 0], 23],
  [[0x20010db8, 0, 0, 0], 32],
  [[0x20020000, 0, 0, 0], 16],
  // RFC 9637 §6: documentation prefix, not globally reachable (CPython added it after 3.13.0).
  [[0x3fff0000, 0, 0, 0], 20],
  [[0xfc000000, 0, 0, 0], 7],
  [[0xfe800000, 0, 0, 0], 10],
];
const PRIVATE6_EXCEPTIONS: Net6[] = [
  [[0x20010001, 0, 0, 1], 128],
  [[0x20010001, 0, 0, 2], 128],
  [[0x20010003, 0, 0, 0], 32],
  [[0x20010004, 0x01120000, 0, 0], 48],
  [[0x20010020, 0, 0, 0], 28],
  [[0x20010030, 0, 0, 0], 28],
];
const RESERVED6: Net6[] = [
  [[0x00000000, 0, 0, 0], 8],
  [[0x01000000, 0, 0, 0], 8],
  [[0x02000000, 0, 0, 0], 7],
  [[0x04000000, 0, 0, 0], 6],
  [[0x08000000, 0, 0, 0], 5],
  [[0x10000000, 0, 0, 0], 4],
  [[0x40000000, 0, 0, 0], 3],
  [[0x60000000, 0, 0, 0], 3],
  [[0x80000000, 0, 0, 0], 3],
  [[0xa0000000, 0, 0, 0], 3],
  [[0xc0000000, 0, 0, 0], 3],
  [[0xe0000000, 0, 0, 0], 4],
  [[0xf0000000, 0, 0, 0], 5],
  [[0xf8000000, 0, 0, 0], 6],
  [[0xfe000000, 0, 0, 0], 9],
];

function anyIn6(w0: number, w1: number, w2: number, w3: number, nets: Net6[]): boolean {
  for (let i = 0; i < nets.length; i++) {
    const n = nets[i]!;
    if (in6(w0, w1, w2, w3, n[0], n[1])) return true;
  }
  return false;
}

/**
 * CPython 3.13.0 flags of an IPv6 address. For IPv4-mapped addresses is_private, is_global and
 * is_loopback follow the embedded IPv4 address, as CPython documents; the other flags do not.
 * Two documented differences (docs/ip.md): is_global of ::ffff:100.64.0.0/106 is false like the
 * IPv4 address's (RFC 6598; CPython 3.13.0 says true), and 3fff::/20 is private (RFC 9637).
 */
export function flagsV6(w0: number, w1: number, w2: number, w3: number): AddrFlags {
  const mapped = w0 === 0 && w1 === 0 && w2 === 0xffff;
  const isPrivate = mapped
    ? v4Private(w3)
    : anyIn6(w0, w1, w2, w3, PRIVATE6) && !anyIn6(w0, w1, w2, w3, PRIVATE6_EXCEPTIONS);
  const top = w0 >>> 16;
  return {
    isPrivate,
    isGlobal: mapped ? !isPrivate && !inV4(w3, 0x64400000, 10) : !isPrivate,
    isLoopback: mapped ? inV4(w3, 0x7f000000, 8) : w0 === 0 && w1 === 0 && w2 === 0 && w3 === 1,
    isMulticast: top >>> 8 === 0xff,
    isLinkLocal: top >>> 6 === 0xfe80 >>> 6,
    isReserved: anyIn6(w0, w1, w2, w3, RESERVED6),
    isUnspecified: w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0,
    isSiteLocal: top >>> 6 === 0xfec0 >>> 6,
  };
}

/** CPython 3.13 flags of any address. */
export function flagsOf(a: Addr): AddrFlags {
  return a.version === 4 ? flagsV4(a.w3) : flagsV6(a.w0, a.w1, a.w2, a.w3);
}

/** Classful addressing (RFC 791 §3.2, RFC 1166, RFC 5771 for D, RFC 1112 for E). */
export interface ClassInfo {
  class: "A" | "B" | "C" | "D" | "E";
  /** The fixed leading bits that define the class. */
  leadingBits: string;
  /** The whole class range. */
  range: string;
  /** The classful (default) netmask, null for D and E. */
  defaultMask: string | null;
  /** The classful default prefix length, null for D and E. */
  defaultPrefixLength: number | null;
  /** What the class is for. */
  use: string;
}

const CLASSES: ClassInfo[] = [
  {
    class: "A",
    leadingBits: "0",
    range: "0.0.0.0-127.255.255.255",
    defaultMask: "255.0.0.0",
    defaultPrefixLength: 8,
    use: "unicast, large networks (7 network bits, 24 host bits)",
  },
  {
    class: "B",
    leadingBits: "10",
    range: "128.0.0.0-191.255.255.255",
    defaultMask: "255.255.0.0",
    defaultPrefixLength: 16,
    use: "unicast, medium networks (14 network bits, 16 host bits)",
  },
  {
    class: "C",
    leadingBits: "110",
    range: "192.0.0.0-223.255.255.255",
    defaultMask: "255.255.255.0",
    defaultPrefixLength: 24,
    use: "unicast, small networks (21 network bits, 8 host bits)",
  },
  {
    class: "D",
    leadingBits: "1110",
    range: "224.0.0.0-239.255.255.255",
    defaultMask: null,
    defaultPrefixLength: null,
    use: "multicast (28 bits of group address)",
  },
  {
    class: "E",
    leadingBits: "1111",
    range: "240.0.0.0-255.255.255.255",
    defaultMask: null,
    defaultPrefixLength: null,
    use: "reserved (experimental)",
  },
];

/** The classful class of an IPv4 address value. */
export function classOf(v: number): ClassInfo {
  const top = v >>> 28;
  if (top < 8) return CLASSES[0]!;
  if (top < 12) return CLASSES[1]!;
  if (top < 14) return CLASSES[2]!;
  if (top === 14) return CLASSES[3]!;
  return CLASSES[4]!;
}
