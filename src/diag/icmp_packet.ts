/**
 * ICMP and ICMPv6 echo packets, built and parsed (pure): the echo request netkit ping sends and
 * everything that may come back on an ICMP socket — our replies, other processes' replies, our own
 * requests (raw sockets see them on loopback), errors quoting one of our requests, and garbage.
 *
 * Raw IPv4 sockets deliver the IP header too (`withIpHeader`); ICMP ("ping") sockets and IPv6
 * sockets deliver the ICMP message alone.
 *
 * @example
 * const req = buildEchoRequest(4, 0x1234, 1, 56);
 * parseIcmp(req, 4, false); // { kind: "echo-request", id: 0x1234, seq: 1, … }
 */

/** An echo reply. `ttl` is from the IP header (raw IPv4) or null (given by a control message). */
export interface EchoReply {
  kind: "echo-reply";
  id: number;
  seq: number;
  ttl: number | null;
  /** Length of the ICMP message (header + data), what ping prints as "N bytes". */
  icmpLength: number;
  /** False when an IPv4 checksum does not verify (ping prints "(BAD CHECKSUM!)"). */
  checksumOk: boolean;
  /** Source address bytes from the IP header (raw IPv4), else null. */
  ipSource: Uint8Array | null;
}

/** An ICMP error quoting a packet: destination unreachable, time exceeded, … */
export interface IcmpError {
  kind: "error";
  type: number;
  code: number;
  /** Text as iputils ping prints it: "Destination Host Unreachable", "Time to live exceeded", … */
  message: string;
  /** The quoted echo request (id and sequence) when the error is about an echo request. */
  quoted: { id: number; seq: number } | null;
  ipSource: Uint8Array | null;
}

export type ParsedIcmp =
  | EchoReply
  | IcmpError
  | { kind: "echo-request"; id: number; seq: number }
  | { kind: "other"; type: number; code: number }
  | { kind: "malformed"; reason: string };

/** The Internet checksum (RFC 1071) of `b`. */
export function internetChecksum(b: Uint8Array): number {
  let sum = 0;
  const n = b.byteLength;
  for (let i = 0; i + 1 < n; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (n & 1) sum += b[n - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * An echo request with `dataSize` bytes of data (the pattern 0, 1, 2 … like iputils). The IPv4
 * checksum is filled in; for ICMPv6 the kernel computes it (it covers a pseudo-header).
 */
export function buildEchoRequest(version: 4 | 6, id: number, seq: number, dataSize: number): Uint8Array {
  const p = new Uint8Array(8 + dataSize);
  p[0] = version === 4 ? 8 : 128;
  p[4] = (id >>> 8) & 0xff;
  p[5] = id & 0xff;
  p[6] = (seq >>> 8) & 0xff;
  p[7] = seq & 0xff;
  for (let i = 0; i < dataSize; i++) p[8 + i] = i & 0xff;
  if (version === 4) {
    const c = internetChecksum(p);
    p[2] = c >>> 8;
    p[3] = c & 0xff;
  }
  return p;
}

const UNREACH4 = [
  "Destination Net Unreachable",
  "Destination Host Unreachable",
  "Destination Protocol Unreachable",
  "Destination Port Unreachable",
  "Frag needed and DF set",
  "Source Route Failed",
  "Destination Net Unknown",
  "Destination Host Unknown",
  "Source Host Isolated",
  "Destination Net Prohibited",
  "Destination Host Prohibited",
  "Destination Net Unreachable for Type of Service",
  "Destination Host Unreachable for Type of Service",
  "Packet filtered",
  "Precedence Violation",
  "Precedence Cutoff",
];

const UNREACH6 = [
  "No route",
  "Administratively prohibited",
  "Beyond scope of source address",
  "Address unreachable",
  "Port unreachable",
  "Source address failed ingress/egress policy",
  "Reject route to destination",
];

/** The iputils wording of an ICMP (v4) error. `info` is the MTU or pointer field. */
export function icmp4ErrorText(type: number, code: number, info = 0): string {
  if (type === 3) {
    if (code === 4) return `Frag needed and DF set (mtu = ${info})`;
    return UNREACH4[code] ?? `Dest Unreachable, Bad Code: ${code}`;
  }
  if (type === 11)
    return code === 0
      ? "Time to live exceeded"
      : code === 1
        ? "Frag reassembly time exceeded"
        : `Time exceeded, Bad Code: ${code}`;
  if (type === 4) return "Source Quench";
  if (type === 5) return "Redirect";
  if (type === 12) return `Parameter problem: pointer = ${info >>> 24}`;
  return `Bad ICMP type: ${type}`;
}

/** The iputils wording of an ICMPv6 error. */
export function icmp6ErrorText(type: number, code: number, info = 0): string {
  if (type === 1) return `Destination unreachable: ${UNREACH6[code] ?? `Unknown code ${code}`}`;
  if (type === 2) return `Packet too big: mtu=${info}`;
  if (type === 3)
    return `Time exceeded: ${code === 0 ? "Hop limit" : code === 1 ? "Defragmentation failure" : `code ${code}`}`;
  if (type === 4) {
    const what = ["Erroneous header field", "Unknown header field", "Unknown option"][code] ?? `code ${code}`;
    return `Parameter problem: ${what} at ${info}`;
  }
  return `Unknown icmp type: ${type}`;
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** The echo request quoted inside an error (IP header + first 8 bytes of ICMP), if it is one. */
function quotedEcho(q: Uint8Array, version: 4 | 6): { id: number; seq: number } | null {
  if (version === 4) {
    if (q.byteLength < 20 || q[0]! >> 4 !== 4) return null;
    const ihl = (q[0]! & 0x0f) * 4;
    if (q[9] !== 1 || q.byteLength < ihl + 8 || q[ihl] !== 8) return null;
    return { id: u16(q, ihl + 4), seq: u16(q, ihl + 6) };
  }
  if (q.byteLength < 48 || q[0]! >> 4 !== 6 || q[6] !== 58 || q[40] !== 128) return null;
  return { id: u16(q, 44), seq: u16(q, 46) };
}

/**
 * Parse what an ICMP socket received. `withIpHeader` for raw IPv4 sockets. Never throws: anything
 * that is not a well-formed ICMP message comes back as `{ kind: "malformed", reason }`.
 */
export function parseIcmp(b: Uint8Array, version: 4 | 6, withIpHeader: boolean): ParsedIcmp {
  let ttl: number | null = null;
  let ipSource: Uint8Array | null = null;
  let m = b;
  if (version === 4 && withIpHeader) {
    if (b.byteLength < 20)
      return { kind: "malformed", reason: `${b.byteLength} bytes is shorter than an IPv4 header` };
    if (b[0]! >> 4 !== 4) return { kind: "malformed", reason: `IP version ${b[0]! >> 4}, expected 4` };
    const ihl = (b[0]! & 0x0f) * 4;
    if (ihl < 20 || ihl > b.byteLength) return { kind: "malformed", reason: `bad IPv4 header length ${ihl}` };
    if (b[9] !== 1) return { kind: "malformed", reason: `IP protocol ${b[9]}, expected ICMP (1)` };
    ttl = b[8]!;
    ipSource = b.slice(12, 16);
    m = b.subarray(ihl);
  }
  if (m.byteLength < 8)
    return { kind: "malformed", reason: `${m.byteLength} bytes is shorter than an ICMP header` };
  const type = m[0]!;
  const code = m[1]!;
  const echoReply = version === 4 ? 0 : 129;
  const echoRequest = version === 4 ? 8 : 128;
  if (type === echoReply) {
    return {
      kind: "echo-reply",
      id: u16(m, 4),
      seq: u16(m, 6),
      ttl,
      icmpLength: m.byteLength,
      checksumOk: version === 6 || internetChecksum(m) === 0,
      ipSource,
    };
  }
  if (type === echoRequest) return { kind: "echo-request", id: u16(m, 4), seq: u16(m, 6) };
  const isError =
    version === 4
      ? type === 3 || type === 11 || type === 4 || type === 5 || type === 12
      : type >= 1 && type <= 4;
  if (!isError) return { kind: "other", type, code };
  const info = version === 4 ? (type === 3 && code === 4 ? u16(m, 6) : u32(m, 4)) : u32(m, 4);
  return {
    kind: "error",
    type,
    code,
    message: version === 4 ? icmp4ErrorText(type, code, info) : icmp6ErrorText(type, code, info),
    quoted: quotedEcho(m.subarray(8), version),
    ipSource,
  };
}
