/**
 * IP prefixes: an address with a prefix length (`10.1.2.3/8`). Like Go's netip.Prefix the
 * address keeps its host bits; {@link Prefix.masked} gives the network. Parsing accepts
 * `ADDR`, `ADDR/LEN`, and for IPv4 `ADDR/NETMASK` or `ADDR/HOSTMASK` (as CPython does).
 */
import { NetkitError, ParseError } from "../errors.js";
import { Addr, parseAddrRange, parseV4Range } from "./addr.js";
import { contiguousOnes, maskWord } from "./bits.js";

/** How the prefix length was written. */
export type MaskForm = "none" | "length" | "netmask" | "hostmask";

export class Prefix {
  readonly addr: Addr;
  readonly bits: number;

  /** @throws ERR_PREFIX_LENGTH when `bits` is out of range for the address. */
  constructor(addr: Addr, bits: number) {
    if (!Number.isInteger(bits) || bits < 0 || bits > addr.bitLength) {
      throw new NetkitError(
        "ERR_PREFIX_LENGTH",
        `prefix length ${bits} is out of range 0–${addr.bitLength} for IPv${addr.version}`,
      );
    }
    this.addr = addr;
    this.bits = bits;
  }

  get version(): 4 | 6 {
    return this.addr.version;
  }

  /** The network: host bits cleared, zone dropped. */
  masked(): Prefix {
    const n = this.first();
    return n.equals(this.addr) ? this : new Prefix(n, this.bits);
  }

  /** True when the address has no host bits set. */
  isMasked(): boolean {
    return this.first().equals(this.addr);
  }

  /** The first address (the network address). */
  first(): Addr {
    const a = this.addr;
    const t = a.bitLength;
    const b = this.bits;
    if (a.version === 4) return Addr.v4(a.w3 & maskWord(b, t, 3));
    return Addr.v6(
      a.w0 & maskWord(b, t, 0),
      a.w1 & maskWord(b, t, 1),
      a.w2 & maskWord(b, t, 2),
      a.w3 & maskWord(b, t, 3),
    );
  }

  /** The last address (the IPv4 broadcast address). */
  last(): Addr {
    const a = this.addr;
    const t = a.bitLength;
    const b = this.bits;
    if (a.version === 4) return Addr.v4(a.w3 | ~maskWord(b, t, 3));
    return Addr.v6(
      a.w0 | ~maskWord(b, t, 0),
      a.w1 | ~maskWord(b, t, 1),
      a.w2 | ~maskWord(b, t, 2),
      a.w3 | ~maskWord(b, t, 3),
    );
  }

  /** The netmask as an address (`255.255.255.0`, `ffff:ffff:ffff:ffff::`). */
  netmask(): Addr {
    return maskAddr(this.addr.version, this.bits, false);
  }

  /** The hostmask (wildcard) as an address (`0.0.0.255`). */
  hostmask(): Addr {
    return maskAddr(this.addr.version, this.bits, true);
  }

  /** True when `x` (an address, or every address of a prefix) lies inside this prefix. */
  contains(x: Addr | Prefix): boolean {
    if (x instanceof Prefix) return x.bits >= this.bits && this.contains(x.addr);
    const a = this.addr;
    if (x.version !== a.version) return false;
    const t = a.bitLength;
    const b = this.bits;
    if (a.version === 4) return ((x.w3 ^ a.w3) & maskWord(b, t, 3)) === 0;
    return (
      ((x.w0 ^ a.w0) & maskWord(b, t, 0)) === 0 &&
      ((x.w1 ^ a.w1) & maskWord(b, t, 1)) === 0 &&
      ((x.w2 ^ a.w2) & maskWord(b, t, 2)) === 0 &&
      ((x.w3 ^ a.w3) & maskWord(b, t, 3)) === 0
    );
  }

  /** True when the two prefixes share at least one address. */
  overlaps(o: Prefix): boolean {
    if (o.version !== this.version) return false;
    return this.bits <= o.bits ? this.contains(o.addr) : o.contains(this.addr);
  }

  /** Order: version, network address, then prefix length (shorter first). */
  compare(o: Prefix): number {
    const c = this.addr.compare(o.addr);
    if (c !== 0) return c;
    return this.bits - o.bits;
  }

  equals(o: Prefix): boolean {
    return this.bits === o.bits && this.addr.equals(o.addr);
  }

  /** `addr/len` with the address as given (host bits kept). */
  toString(): string {
    return `${this.addr.toString()}/${this.bits}`;
  }
}

/** The netmask (or hostmask when `host`) of a prefix length. */
export function maskAddr(version: 4 | 6, bits: number, host: boolean): Addr {
  const t = version === 4 ? 32 : 128;
  const f = host ? (w: number) => ~w >>> 0 : (w: number) => w;
  if (version === 4) return Addr.v4(f(maskWord(bits, t, 3)));
  return Addr.v6(
    f(maskWord(bits, t, 0)),
    f(maskWord(bits, t, 1)),
    f(maskWord(bits, t, 2)),
    f(maskWord(bits, t, 3)),
  );
}

/** The result of parsing `ADDR[/LEN|/MASK]`. */
export interface ParsedInterface {
  prefix: Prefix;
  /** How the length was given: no "/" (a host), a number, a dotted netmask, a dotted hostmask. */
  maskForm: MaskForm;
}

function prefixFail(
  input: string,
  reason: string,
  at: number,
  code: "ERR_PREFIX_LENGTH" | "ERR_NETMASK",
): never {
  throw new ParseError(code, "prefix", input, reason, at);
}

/**
 * Parse `ADDR`, `ADDR/LEN`, or (IPv4) `ADDR/NETMASK` / `ADDR/HOSTMASK`, keeping host bits, like
 * CPython's `ip_interface`. Without a length the prefix is a host (/32, /128).
 *
 * @throws {ParseError} ERR_ADDR_SYNTAX, ERR_ZONE, ERR_PREFIX_LENGTH or ERR_NETMASK.
 * @example
 * parseInterface("192.168.1.100/255.255.255.0").prefix.toString(); // "192.168.1.100/24"
 */
export function parseInterface(input: string): ParsedInterface {
  let slash = -1;
  for (let i = 0; i < input.length; i++) {
    if (input.charCodeAt(i) === 47) {
      if (slash >= 0) prefixFail(input, "only one / is allowed", i, "ERR_PREFIX_LENGTH");
      slash = i;
    }
  }
  if (slash < 0) {
    const addr = parseAddrRange(input, 0, input.length);
    return { prefix: new Prefix(addr, addr.bitLength), maskForm: "none" };
  }
  const addr = parseAddrRange(input, 0, slash);
  const max = addr.bitLength;
  const s = slash + 1;
  const e = input.length;
  if (s === e) prefixFail(input, "missing prefix length after /", s, "ERR_PREFIX_LENGTH");
  let nonDigit = -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = input.charCodeAt(i);
    if (c < 48 || c > 57) {
      nonDigit = i;
      break;
    }
    if (n <= 1000) n = n * 10 + (c - 48);
  }
  if (nonDigit < 0) {
    if (n > max)
      prefixFail(input, `prefix length ${input.slice(s, e)} is greater than ${max}`, s, "ERR_PREFIX_LENGTH");
    return { prefix: new Prefix(addr, n), maskForm: "length" };
  }
  if (addr.version === 6) {
    prefixFail(input, "IPv6 prefix length must be a decimal number 0–128", nonDigit, "ERR_PREFIX_LENGTH");
  }
  let m: number;
  try {
    m = parseV4Range(input, s, e);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    prefixFail(input, `not a prefix length or a dotted netmask (${err.reason})`, err.at, "ERR_NETMASK");
  }
  const ones = contiguousOnes(m);
  if (ones >= 0) return { prefix: new Prefix(addr, ones), maskForm: "netmask" };
  const hostOnes = contiguousOnes(~m >>> 0);
  if (hostOnes >= 0) return { prefix: new Prefix(addr, hostOnes), maskForm: "hostmask" };
  prefixFail(
    input,
    `netmask ${input.slice(s, e)} mixes zero and one bits (not contiguous)`,
    s,
    "ERR_NETMASK",
  );
}

/** Parse an interface-style prefix and return its {@link Prefix}. */
export function parsePrefix(input: string): Prefix {
  return parseInterface(input).prefix;
}

/**
 * Parse a network: like {@link parsePrefix}, but host bits must be clear unless `strict` is false.
 * @throws ERR_HOST_BITS when strict and host bits are set.
 */
export function parseNetwork(input: string, strict = false): Prefix {
  const p = parseInterface(input).prefix;
  const m = p.masked();
  if (strict && !m.equals(p)) {
    throw new ParseError("ERR_HOST_BITS", "network", input, `host bits are set (the network is ${m})`, -1);
  }
  return m;
}
