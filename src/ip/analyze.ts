/**
 * Full analysis of an address with its prefix: the record behind `netkit ip ADDR` and its JSON.
 */
import { Addr } from "./addr.js";
import { pow2MinusString, pow2String } from "./bits.js";
import { type ClassInfo, classOf, flagsOf } from "./classify.js";
import { type MaskForm, maskAddr, type Prefix, parseInterface } from "./prefix.js";
import { specialRangesOf } from "./special_ranges.js";

/** Everything netkit knows about an address and its network. Counts are decimal strings. */
export interface AddressInfo {
  version: 4 | 6;
  /** Compressed text, with the IPv6 zone if one was given. */
  address: string;
  /** Compressed text without zone (RFC 5952; IPv4-mapped with a dotted tail, like CPython). */
  compressed: string;
  exploded: string;
  zone: string | null;
  prefixLength: number;
  /** How the prefix was given: "none" (a host), "length", "netmask" or "hostmask". */
  maskForm: MaskForm;
  netmask: string;
  hostmask: string;
  /** The network in CIDR form. */
  network: string;
  networkAddress: string;
  /** IPv4 only: the all-ones host address (null for IPv6, which has no broadcast). */
  broadcastAddress: string | null;
  /** The last address of the network (IPv4: the broadcast address). */
  lastAddress: string;
  /** First and last of the usable hosts, as CPython's `hosts()` gives them. */
  firstHost: string;
  lastHost: string;
  addressCount: string;
  hostCount: string;
  /** Classful class (IPv4 only). */
  class: "A" | "B" | "C" | "D" | "E" | null;
  classInfo: ClassInfo | null;
  /** Names of the IANA special-purpose registry blocks the address lies in, most general first. */
  types: string[];
  /** The registry's "globally reachable" for the most specific block, true when in none. */
  globallyReachable: boolean | null;
  isPrivate: boolean;
  isGlobal: boolean;
  isLoopback: boolean;
  isMulticast: boolean;
  isLinkLocal: boolean;
  isReserved: boolean;
  isUnspecified: boolean;
  isSiteLocal: boolean;
  ipv4Mapped: string | null;
  /** The IPv4 address in a 6to4 (2002::/16) address. */
  sixToFour: string | null;
  /** Teredo server and client IPv4 addresses (2001::/32). */
  teredo: { server: string; client: string } | null;
  reversePointer: string;
  /** Address bits grouped by octet (".") or 16-bit group (":"). */
  binary: string;
}

/**
 * Analyse `ADDR`, `ADDR/LEN` or `ADDR/MASK`.
 * @throws {ParseError} for input that is not an address or prefix (see {@link parseInterface}).
 * @example
 * analyze("192.168.1.100/255.255.255.0").broadcastAddress; // "192.168.1.255"
 */
export function analyze(input: string): AddressInfo {
  const { prefix, maskForm } = parseInterface(input);
  return analyzePrefix(prefix, maskForm);
}

function v4(n: number): string {
  return Addr.v4(n).toString();
}

const maskCache: string[][] = [[], [], [], []]; // [v4 netmask, v4 hostmask, v6 netmask, v6 hostmask]
function maskText(version: 4 | 6, bits: number, host: boolean): string {
  const table = maskCache[(version === 4 ? 0 : 2) + (host ? 1 : 0)]!;
  let s = table[bits];
  if (s === undefined) {
    s = maskAddr(version, bits, host).toString();
    table[bits] = s;
  }
  return s;
}

/** Analyse an already-parsed prefix (see {@link analyze}). */
export function analyzePrefix(p: Prefix, maskForm: MaskForm = "length"): AddressInfo {
  const a = p.addr;
  const bits = p.bits;
  const first = p.first();
  const last = p.last();
  const hostBits = a.bitLength - bits;
  const is4 = a.version === 4;
  const compressed = a.toCompressed();
  const firstText = first.toString();
  const lastText = last.toString();
  let firstHost: string;
  let lastHost: string;
  let hostCount: string;
  if (hostBits === 0) {
    firstHost = lastHost = compressed;
    hostCount = "1";
  } else if (hostBits === 1) {
    firstHost = firstText;
    lastHost = lastText;
    hostCount = "2";
  } else if (is4) {
    firstHost = Addr.v4(first.w3 + 1).toString();
    lastHost = Addr.v4(last.w3 - 1).toString();
    hostCount = String(2 ** hostBits - 2);
  } else {
    // IPv6 hosts() skips only the Subnet-Router anycast address (the network address).
    firstHost = Addr.v6(first.w0, first.w1, first.w2, first.w3 + 1).toString();
    lastHost = lastText;
    hostCount = pow2MinusString(hostBits, 1);
  }
  const flags = flagsOf(a);
  const ranges = specialRangesOf(a.version, a.w0, a.w1, a.w2, a.w3);
  const types: string[] = [];
  for (let i = 0; i < ranges.length; i++) types.push(ranges[i]!.name);
  const mapped = a.is4In6();
  if (mapped) for (const r of specialRangesOf(4, 0, 0, 0, a.w3)) types.push(`${r.name} (embedded IPv4)`);
  const cls = is4 ? classOf(a.w3) : null;
  return {
    version: a.version,
    address: a.zone === "" ? compressed : `${compressed}%${a.zone}`,
    compressed,
    exploded: a.toExploded(),
    zone: a.zone === "" ? null : a.zone,
    prefixLength: bits,
    maskForm,
    netmask: maskText(a.version, bits, false),
    hostmask: maskText(a.version, bits, true),
    network: `${firstText}/${bits}`,
    networkAddress: firstText,
    broadcastAddress: is4 ? lastText : null,
    lastAddress: lastText,
    firstHost,
    lastHost,
    addressCount: is4 ? String(2 ** hostBits) : pow2String(hostBits),
    hostCount,
    class: cls ? cls.class : null,
    classInfo: cls,
    types,
    globallyReachable: ranges.length === 0 ? true : ranges[ranges.length - 1]!.globallyReachable,
    isPrivate: flags.isPrivate,
    isGlobal: flags.isGlobal,
    isLoopback: flags.isLoopback,
    isMulticast: flags.isMulticast,
    isLinkLocal: flags.isLinkLocal,
    isReserved: flags.isReserved,
    isUnspecified: flags.isUnspecified,
    isSiteLocal: flags.isSiteLocal,
    ipv4Mapped: mapped ? v4(a.w3) : null,
    sixToFour: !is4 && a.w0 >>> 16 === 0x2002 ? v4(((a.w0 & 0xffff) * 65536 + (a.w1 >>> 16)) >>> 0) : null,
    teredo: !is4 && a.w0 === 0x20010000 ? { server: v4(a.w1), client: v4(~a.w3 >>> 0) } : null,
    reversePointer: a.toReversePointer(),
    binary: a.toBinary(),
  };
}
