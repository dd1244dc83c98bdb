/**
 * Immutable IP addresses (IPv4 and IPv6, with an optional IPv6 zone), strict parsing and
 * Python-compatible text forms. Model: Go's net/netip `Addr`.
 */
import { NetkitError, ParseError } from "../errors.js";
import type { Words } from "./bits.js";

export type IPVersion = 4 | 6;

const DEC: string[] = [];
const BIN8: string[] = [];
for (let i = 0; i < 256; i++) {
  DEC.push(String(i));
  BIN8.push(i.toString(2).padStart(8, "0"));
}
const HEX4: string[] = [];
for (let i = 0; i < 16; i++) HEX4.push(i.toString(16));
/** Hex of a byte without padding ("0"…"ff") and padded to two digits ("00"…"ff"). */
const HEXB: string[] = [];
const HEX2: string[] = [];
for (let i = 0; i < 256; i++) {
  HEXB.push(i.toString(16));
  HEX2.push(i.toString(16).padStart(2, "0"));
}

/** For a byte 0xAB: "b.a." — its two nibbles, low first, as the ip6.arpa name wants them. */
const REV2: string[] = [];
for (let i = 0; i < 256; i++) REV2.push(`${HEX4[i & 0xf]}.${HEX4[i >>> 4]}.`);

/** A 16-bit group in lowercase hex without leading zeros. */
function groupHex(g: number): string {
  return g < 256 ? HEXB[g]! : HEXB[g >>> 8]! + HEX2[g & 0xff]!;
}

/**
 * An IP address value. IPv4 is held in `w3` (the other words are 0); IPv6 in four 32-bit words,
 * most significant first. IPv4 and IPv4-mapped IPv6 are different values: see {@link Addr.unmap}.
 *
 * @example
 * const a = parseAddr("2001:db8::1");
 * a.version;      // 6
 * a.toString();   // "2001:db8::1"
 */
export class Addr {
  readonly version: IPVersion;
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  /** The IPv6 zone (scope id) without `%`, or "" when there is none. Always "" for IPv4. */
  readonly zone: string;

  private constructor(version: IPVersion, w0: number, w1: number, w2: number, w3: number, zone: string) {
    this.version = version;
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.w3 = w3;
    this.zone = zone;
  }

  /** An IPv4 address from its 32-bit value. */
  static v4(value: number): Addr {
    return new Addr(4, 0, 0, 0, value >>> 0, "");
  }

  /** An IPv6 address from four 32-bit words (most significant first) and an optional zone. */
  static v6(w0: number, w1: number, w2: number, w3: number, zone = ""): Addr {
    return new Addr(6, w0 >>> 0, w1 >>> 0, w2 >>> 0, w3 >>> 0, zone);
  }

  /** An address of `version` from words (IPv4 takes the last word). */
  static fromWords(version: IPVersion, w: Words, zone = ""): Addr {
    return version === 4 ? Addr.v4(w[3]) : Addr.v6(w[0], w[1], w[2], w[3], zone);
  }

  /** An address from a BigInt value. @throws {NetkitError} ERR_RANGE when out of range for the version. */
  static fromBigInt(version: IPVersion, n: bigint): Addr {
    const max = version === 4 ? 0xffffffffn : (1n << 128n) - 1n;
    if (n < 0n || n > max) throw new NetkitError("ERR_RANGE", `value ${n} is out of range for IPv${version}`);
    return Addr.v6(
      Number((n >> 96n) & 0xffffffffn),
      Number((n >> 64n) & 0xffffffffn),
      Number((n >> 32n) & 0xffffffffn),
      Number(n & 0xffffffffn),
    ).asVersion(version);
  }

  private asVersion(version: IPVersion): Addr {
    return version === 4 ? Addr.v4(this.w3) : this;
  }

  /** Number of bits: 32 or 128. */
  get bitLength(): 32 | 128 {
    return this.version === 4 ? 32 : 128;
  }

  /** The four words, most significant first. */
  get words(): Words {
    return [this.w0, this.w1, this.w2, this.w3];
  }

  /** True for IPv6 addresses in ::ffff:0:0/96 (IPv4-mapped, RFC 4291 §2.5.5.2). */
  is4In6(): boolean {
    return this.version === 6 && this.w0 === 0 && this.w1 === 0 && this.w2 === 0xffff;
  }

  /** The IPv4 address inside an IPv4-mapped IPv6 address, else the address itself. */
  unmap(): Addr {
    return this.is4In6() ? Addr.v4(this.w3) : this;
  }

  /** The same address without its zone. */
  withoutZone(): Addr {
    return this.zone === "" ? this : Addr.v6(this.w0, this.w1, this.w2, this.w3);
  }

  /** Total order: IPv4 before IPv6, then by value, then by zone. */
  compare(o: Addr): number {
    if (this.version !== o.version) return this.version < o.version ? -1 : 1;
    if (this.w0 !== o.w0) return this.w0 < o.w0 ? -1 : 1;
    if (this.w1 !== o.w1) return this.w1 < o.w1 ? -1 : 1;
    if (this.w2 !== o.w2) return this.w2 < o.w2 ? -1 : 1;
    if (this.w3 !== o.w3) return this.w3 < o.w3 ? -1 : 1;
    return this.zone === o.zone ? 0 : this.zone < o.zone ? -1 : 1;
  }

  equals(o: Addr): boolean {
    return this.compare(o) === 0;
  }

  /** The value as a BigInt. */
  toBigInt(): bigint {
    return (BigInt(this.w0) << 96n) | (BigInt(this.w1) << 64n) | (BigInt(this.w2) << 32n) | BigInt(this.w3);
  }

  /** Network-order bytes (4 or 16). */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.version === 4 ? 4 : 16);
    const words = this.version === 4 ? [this.w3] : [this.w0, this.w1, this.w2, this.w3];
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      out[i * 4] = w >>> 24;
      out[i * 4 + 1] = (w >>> 16) & 0xff;
      out[i * 4 + 2] = (w >>> 8) & 0xff;
      out[i * 4 + 3] = w & 0xff;
    }
    return out;
  }

  /** Compressed text (RFC 5952, dotted tail for IPv4-mapped like CPython), with `%zone` if any. */
  toString(): string {
    const s = this.toCompressed();
    return this.zone === "" ? s : `${s}%${this.zone}`;
  }

  /** Compressed text without the zone. */
  toCompressed(): string {
    if (this.version === 4) return v4String(this.w3);
    if (this.is4In6()) return `::ffff:${v4String(this.w3)}`;
    return v6Compressed(this.w0, this.w1, this.w2, this.w3);
  }

  /** Every IPv6 group in four hex digits (IPv4: the dotted form). Without the zone. */
  toExploded(): string {
    if (this.version === 4) return v4String(this.w3);
    const head = `${hex8(this.w0, ":")}:${hex8(this.w1, ":")}:`;
    if (this.is4In6()) return `${head}0000:ffff:${v4String(this.w3)}`;
    return `${head}${hex8(this.w2, ":")}:${hex8(this.w3, ":")}`;
  }

  /** The reverse-DNS name: `d.c.b.a.in-addr.arpa` or the RFC 3596 nibble form under `ip6.arpa`. */
  toReversePointer(): string {
    if (this.version === 4) {
      const v = this.w3;
      return `${DEC[v & 0xff]}.${DEC[(v >>> 8) & 0xff]}.${DEC[(v >>> 16) & 0xff]}.${DEC[v >>> 24]}.in-addr.arpa`;
    }
    return `${rev4(this.w3)}${rev4(this.w2)}${rev4(this.w1)}${rev4(this.w0)}ip6.arpa`;
  }

  /** The bits, grouped by octet with "." (IPv4) or by 16-bit group with ":" (IPv6). */
  toBinary(): string {
    if (this.version === 4) return bin32(this.w3, ".");
    return `${bin32(this.w0, ":")}:${bin32(this.w1, ":")}:${bin32(this.w2, ":")}:${bin32(this.w3, ":")}`;
  }
}

function rev4(w: number): string {
  return REV2[w & 0xff]! + REV2[(w >>> 8) & 0xff]! + REV2[(w >>> 16) & 0xff]! + REV2[w >>> 24]!;
}

function v4String(v: number): string {
  return `${DEC[v >>> 24]}.${DEC[(v >>> 16) & 0xff]}.${DEC[(v >>> 8) & 0xff]}.${DEC[v & 0xff]}`;
}

function hex4(n: number): string {
  return HEX2[n >>> 8]! + HEX2[n & 0xff]!;
}

function hex8(w: number, sep: string): string {
  return `${hex4(w >>> 16)}${sep}${hex4(w & 0xffff)}`;
}

function bin32(w: number, sep: string): string {
  if (sep === ".") {
    return `${BIN8[w >>> 24]}.${BIN8[(w >>> 16) & 0xff]}.${BIN8[(w >>> 8) & 0xff]}.${BIN8[w & 0xff]}`;
  }
  return `${BIN8[w >>> 24]}${BIN8[(w >>> 16) & 0xff]}:${BIN8[(w >>> 8) & 0xff]}${BIN8[w & 0xff]}`;
}

const groups = new Uint32Array(8);

/** RFC 5952 compression, as CPython does it: the first longest run of ≥ 2 zero groups becomes "::". */
function v6Compressed(w0: number, w1: number, w2: number, w3: number): string {
  groups[0] = w0 >>> 16;
  groups[1] = w0 & 0xffff;
  groups[2] = w1 >>> 16;
  groups[3] = w1 & 0xffff;
  groups[4] = w2 >>> 16;
  groups[5] = w2 & 0xffff;
  groups[6] = w3 >>> 16;
  groups[7] = w3 & 0xffff;
  let bestStart = -1;
  let bestLen = 0;
  let curStart = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (groups[i] === 0) {
      if (curStart < 0) curStart = i;
      curLen++;
      if (curLen > bestLen) {
        bestLen = curLen;
        bestStart = curStart;
      }
    } else {
      curStart = -1;
      curLen = 0;
    }
  }
  if (bestLen < 2) bestStart = -1;
  let s = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? "::" : ":";
      i += bestLen - 1;
      continue;
    }
    s += groupHex(groups[i]!);
    if (i < 7) s += ":";
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Parsing

function fail(code: "ERR_ADDR_SYNTAX" | "ERR_ZONE", input: string, reason: string, at: number): never {
  throw new ParseError(code, "address", input, reason, at);
}

function describe(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c === 0x20) return "space";
  if (c < 0x20 || c === 0x7f) return `control character U+${c.toString(16).padStart(4, "0").toUpperCase()}`;
  if (c > 0x7e) return `non-ASCII character ${JSON.stringify(ch)}`;
  return `character ${JSON.stringify(ch)}`;
}

/**
 * Parse dotted-quad IPv4 in `s[start, end)`: exactly four decimal octets 0–255, no leading zeros.
 * Returns the 32-bit value. `input` is the whole text, for the error.
 */
export function parseV4Range(input: string, start: number, end: number): number {
  if (start === end) fail("ERR_ADDR_SYNTAX", input, "empty address", start);
  let value = 0;
  let octets = 0;
  let i = start;
  while (true) {
    const octStart = i;
    let n = 0;
    while (i < end) {
      const c = input.charCodeAt(i);
      if (c < 48 || c > 57) break;
      // A leading zero is refused before anything else: "010" would be octal 8 for inet_aton.
      if (i > octStart && input.charCodeAt(octStart) === 48) {
        fail("ERR_ADDR_SYNTAX", input, "IPv4 octet has a leading zero", octStart);
      }
      if (i - octStart === 3) fail("ERR_ADDR_SYNTAX", input, "IPv4 octet has more than 3 digits", octStart);
      n = n * 10 + (c - 48);
      i++;
    }
    if (i === octStart) {
      if (i < end && input[i] !== ".") {
        fail("ERR_ADDR_SYNTAX", input, `unexpected ${describe(input[i]!)} in IPv4 address`, i);
      }
      fail("ERR_ADDR_SYNTAX", input, "empty IPv4 octet", i);
    }
    if (n > 255) fail("ERR_ADDR_SYNTAX", input, `IPv4 octet ${n} is greater than 255`, octStart);
    value = value * 256 + n;
    octets++;
    if (i === end) break;
    const c = input.charCodeAt(i);
    if (c !== 46) {
      if ((c | 0x20) === 120 && i - octStart === 1 && input.charCodeAt(octStart) === 48) {
        fail("ERR_ADDR_SYNTAX", input, "hexadecimal IPv4 octets are not accepted", octStart);
      }
      fail("ERR_ADDR_SYNTAX", input, `unexpected ${describe(input[i]!)} in IPv4 address`, i);
    }
    if (octets === 4) fail("ERR_ADDR_SYNTAX", input, "IPv4 address has more than 4 octets", i);
    i++;
    if (i === end) fail("ERR_ADDR_SYNTAX", input, "empty IPv4 octet", i);
  }
  if (octets !== 4) {
    fail("ERR_ADDR_SYNTAX", input, `IPv4 address needs 4 octets, got ${octets}`, end);
  }
  return value;
}

// Scratch space for IPv6 parsing: start/end index of each colon-separated part.
const partStart = new Int32Array(10);
const partEnd = new Int32Array(10);
const hextets = new Uint16Array(8);
const vals = new Int32Array(10);

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function parseHextet(input: string, s: number, e: number): number {
  let n = 0;
  for (let i = s; i < e; i++) {
    const v = hexVal(input.charCodeAt(i));
    if (v < 0) fail("ERR_ADDR_SYNTAX", input, `unexpected ${describe(input[i]!)} in IPv6 group`, i);
    if (i - s === 4) fail("ERR_ADDR_SYNTAX", input, "IPv6 group has more than 4 hex digits", s);
    n = n * 16 + v;
  }
  return n;
}

/**
 * The longest zone: 15 characters, an interface name on Linux (IFNAMSIZ 16 with its NUL; BSD and
 * macOS are the same, and if_nametoindex(3) cannot look up a longer name). Numeric scope ids fit
 * too: the largest, 4294967295, has 10 digits.
 */
export const MAX_ZONE_LENGTH = 15;
/** The largest numeric zone (a scope id is a 32-bit interface index). */
const MAX_SCOPE_ID = 0xffffffff;

/**
 * Characters allowed in a zone: printable ASCII except space, "%" and "/"; at most
 * {@link MAX_ZONE_LENGTH} of them; an all-digit zone is a scope id, at most 4294967295
 * (see docs/ip.md).
 */
function checkZone(input: string, s: number, e: number): void {
  if (s === e) fail("ERR_ZONE", input, "empty zone after %", s - 1);
  let digits = true;
  for (let i = s; i < e; i++) {
    const c = input.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 37 || c === 47) {
      fail("ERR_ZONE", input, `${describe(input[i]!)} is not allowed in a zone`, i);
    }
    if (i - s === MAX_ZONE_LENGTH) {
      fail("ERR_ZONE", input, `zone is longer than ${MAX_ZONE_LENGTH} characters`, i);
    }
    if (c < 48 || c > 57) digits = false;
  }
  if (digits && Number(input.slice(s, e)) > MAX_SCOPE_ID) {
    fail("ERR_ZONE", input, `numeric zone (scope id) is larger than ${MAX_SCOPE_ID}`, s);
  }
}

/**
 * Parse IPv6 in `s[start, end)` (an optional `%zone` included). Accepts exactly what CPython 3.13's
 * `IPv6Address` accepts, except zones with spaces, control or non-ASCII characters.
 */
export function parseV6Range(input: string, start: number, end: number): Addr {
  if (start === end) fail("ERR_ADDR_SYNTAX", input, "empty address", start);
  let addrEnd = end;
  let zone = "";
  for (let i = start; i < end; i++) {
    if (input.charCodeAt(i) === 37) {
      checkZone(input, i + 1, end);
      zone = input.slice(i + 1, end);
      addrEnd = i;
      break;
    }
  }
  if (addrEnd === start) fail("ERR_ADDR_SYNTAX", input, "empty address before %", start);
  // Split on ":".
  let n = 0;
  let s = start;
  for (let i = start; i <= addrEnd; i++) {
    if (i === addrEnd || input.charCodeAt(i) === 58) {
      if (n === 10) fail("ERR_ADDR_SYNTAX", input, "IPv6 address has more than 8 colons", s - 1);
      partStart[n] = s;
      partEnd[n] = i;
      n++;
      s = i + 1;
    }
  }
  if (n < 3) fail("ERR_ADDR_SYNTAX", input, "IPv6 address needs at least 2 colons", addrEnd);
  // An IPv4 tail (a last part with a dot) counts as two groups.
  const lastS = partStart[n - 1]!;
  const lastE = partEnd[n - 1]!;
  let hexParts = n;
  for (let i = lastS; i < lastE; i++) {
    if (input.charCodeAt(i) === 46) {
      hexParts = n - 1;
      break;
    }
  }
  let total = 0;
  for (let i = 0; i < hexParts; i++) {
    vals[total++] = partStart[i] === partEnd[i] ? -1 : parseHextet(input, partStart[i]!, partEnd[i]!);
  }
  if (hexParts < n) {
    const v4 = parseV4Range(input, lastS, lastE);
    vals[total++] = v4 >>> 16;
    vals[total++] = v4 & 0xffff;
  }
  if (total > 9) {
    fail(
      "ERR_ADDR_SYNTAX",
      input,
      "IPv6 address has more than 8 groups",
      hexParts > 9 ? partStart[9]! : lastS,
    );
  }
  let skip = -1;
  for (let i = 1; i < total - 1; i++) {
    if (vals[i] === -1) {
      if (skip === i - 1) fail("ERR_ADDR_SYNTAX", input, "::: is not valid", partStart[skip]! - 1);
      if (skip >= 0) fail("ERR_ADDR_SYNTAX", input, "at most one :: is allowed", partStart[i]! - 1);
      skip = i;
    }
  }
  const firstEmpty = vals[0] === -1;
  const lastEmpty = vals[total - 1] === -1;
  let hi = total;
  let lo = 0;
  if (skip >= 0) {
    hi = skip;
    lo = total - skip - 1;
    if (firstEmpty) {
      hi--;
      if (hi !== 0) fail("ERR_ADDR_SYNTAX", input, "a leading : must be part of ::", start);
    }
    if (lastEmpty) {
      lo--;
      if (lo !== 0) fail("ERR_ADDR_SYNTAX", input, "a trailing : must be part of ::", addrEnd - 1);
    }
    if (8 - hi - lo < 1) {
      fail("ERR_ADDR_SYNTAX", input, "IPv6 address has more than 7 groups with ::", partStart[skip]! - 1);
    }
  } else {
    if (total !== 8) {
      const at = total < 8 ? addrEnd : hexParts > 8 ? partStart[8]! : lastS;
      fail("ERR_ADDR_SYNTAX", input, `IPv6 address needs 8 groups without ::, got ${total}`, at);
    }
    if (firstEmpty) fail("ERR_ADDR_SYNTAX", input, "a leading : must be part of ::", start);
    if (lastEmpty) fail("ERR_ADDR_SYNTAX", input, "a trailing : must be part of ::", addrEnd - 1);
  }
  hextets.fill(0);
  for (let i = 0; i < hi; i++) hextets[i] = vals[i]!;
  for (let k = 0; k < lo; k++) hextets[8 - lo + k] = vals[total - lo + k]!;
  return Addr.v6(
    hextets[0]! * 65536 + hextets[1]!,
    hextets[2]! * 65536 + hextets[3]!,
    hextets[4]! * 65536 + hextets[5]!,
    hextets[6]! * 65536 + hextets[7]!,
    zone,
  );
}

/**
 * Parse an IPv4 or IPv6 address (IPv6 may carry a `%zone`). Strict: exactly four decimal octets
 * without leading zeros; no whitespace, no shorthand, no zone on IPv4.
 *
 * @throws {ParseError} ERR_ADDR_SYNTAX or ERR_ZONE, with `input`, `reason` and `at`.
 * @example
 * parseAddr("192.168.1.100").toString();          // "192.168.1.100"
 * parseAddr("fe80::1%eth0").zone;                  // "eth0"
 * parseAddr("010.0.0.1"); // throws: IPv4 octet has a leading zero
 */
export function parseAddr(input: string): Addr {
  return parseAddrRange(input, 0, input.length);
}

/** Parse the address in `input[start, end)`; errors name the whole `input`. */
export function parseAddrRange(input: string, start: number, end: number): Addr {
  for (let i = start; i < end; i++) {
    const c = input.charCodeAt(i);
    if (c === 58) return parseV6Range(input, start, end);
    if (c === 37) {
      // A zone without any colon: IPv4 (or garbage) with a zone.
      for (let j = i; j < end; j++) if (input.charCodeAt(j) === 58) return parseV6Range(input, start, end);
      parseV4Range(input, start, i);
      fail("ERR_ZONE", input, "zones are only allowed on IPv6 addresses", i);
    }
  }
  return Addr.v4(parseV4Range(input, start, end));
}
