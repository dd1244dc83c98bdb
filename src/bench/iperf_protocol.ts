/**
 * The iperf3 3.x wire protocol (pure encode/decode), as esnet/iperf speaks it:
 *
 * - control connection (TCP): the client sends a 37-byte cookie (36 characters + NUL); from then on
 *   the server drives the test with one signed state byte at a time, and both sides exchange JSON
 *   objects framed by a 4-byte big-endian length: parameters (client → server) after
 *   PARAM_EXCHANGE, results (both ways) after EXCHANGE_RESULTS;
 * - TCP data streams open with the same cookie; UDP streams open with a 4-byte datagram that the
 *   server answers (iperf3 writes both as host-order integers: on x86 the bytes "9876" and "6789");
 * - every UDP datagram starts with seconds, microseconds (sender clock) and a sequence number from 1,
 *   32-bit or (with `udp_counters_64bit`) 64-bit, in network byte order.
 *
 * @example
 * frameJson({ tcp: true, time: 1 }).subarray(0, 4); // length, big-endian
 * decodeUdpHeader(encodeUdpHeader(Buffer.alloc(16), { sec: 1, usec: 2, seq: 3 }, false), false);
 * // → { sec: 1, usec: 2, seq: 3 }
 */

/** Control states (signed bytes). */
export const State = {
  TEST_START: 1,
  TEST_RUNNING: 2,
  TEST_END: 4,
  PARAM_EXCHANGE: 9,
  CREATE_STREAMS: 10,
  SERVER_TERMINATE: 11,
  CLIENT_TERMINATE: 12,
  EXCHANGE_RESULTS: 13,
  DISPLAY_RESULTS: 14,
  IPERF_START: 15,
  IPERF_DONE: 16,
  ACCESS_DENIED: -1,
  SERVER_ERROR: -2,
} as const;

export const COOKIE_SIZE = 37;
/** The first datagram of a UDP stream, client → server (0x36373839 as a little-endian int). */
export const UDP_CONNECT_MSG = Buffer.from("9876", "latin1");
/** The server's answer (0x39383736 as a little-endian int). */
export const UDP_CONNECT_REPLY = Buffer.from("6789", "latin1");
/** Answers of old servers (987654321 in either byte order). */
const LEGACY_REPLY = 987654321;

const COOKIE_CHARS = "abcdefghijklmnopqrstuvwxyz234567";

/** A fresh cookie: 36 random characters of iperf3's alphabet, NUL-terminated (37 bytes). */
export function makeCookie(random: (n: number) => Uint8Array): Buffer {
  const r = random(36);
  const b = Buffer.alloc(COOKIE_SIZE);
  for (let i = 0; i < 36; i++) b[i] = COOKIE_CHARS.charCodeAt(r[i]! % 32);
  return b;
}

/** The cookie's printable part. */
export function cookieText(cookie: Buffer): string {
  const nul = cookie.indexOf(0);
  return cookie.subarray(0, nul < 0 ? cookie.length : nul).toString("latin1");
}

/** True when a 4-byte datagram is a UDP connect reply (current or legacy value, either byte order). */
export function isUdpConnectReply(b: Buffer): boolean {
  if (b.length !== 4) return false;
  if (b.equals(UDP_CONNECT_REPLY) || b.equals(UDP_CONNECT_MSG)) return true;
  return b.readUInt32LE(0) === LEGACY_REPLY || b.readUInt32BE(0) === LEGACY_REPLY;
}

/** One JSON object framed as iperf3 sends it: 4-byte big-endian length, then the text. */
export function frameJson(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), "utf8");
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** The test parameters a client sends (the fields netkit reads and writes). */
export interface IperfParams {
  protocol: "tcp" | "udp";
  omit: number;
  /** Seconds; 0 when a byte count ends the test. */
  time: number;
  /** Bytes to send (0: use time). */
  num: number;
  /** Blocks (TCP writes / UDP datagrams of `len`) to send, iperf3's `-k`; absent or 0: not used. */
  blocks?: number;
  parallel: number;
  reverse: boolean;
  bidirectional: boolean;
  len: number;
  /** Bits per second; 0 = unlimited. */
  bandwidth: number;
  udpCounters64bit: boolean;
  getServerOutput: boolean;
  clientVersion: string;
}

/** The JSON object for PARAM_EXCHANGE, with iperf3's field names. */
export function encodeParams(p: IperfParams): Record<string, unknown> {
  const j: Record<string, unknown> = {};
  j[p.protocol] = true;
  j.omit = p.omit;
  j.time = p.time;
  j.num = p.num;
  j.blockcount = p.blocks ?? 0;
  j.parallel = p.parallel;
  if (p.reverse) j.reverse = true;
  if (p.bidirectional) j.bidirectional = true;
  j.len = p.len;
  if (p.bandwidth > 0) j.bandwidth = p.bandwidth;
  j.pacing_timer = 1000;
  if (p.udpCounters64bit) j.udp_counters_64bit = 1;
  if (p.getServerOutput) j.get_server_output = 1;
  j.client_version = p.clientVersion;
  return j;
}

function num(j: Record<string, unknown>, k: string, dflt: number): number {
  const v = j[k];
  return typeof v === "number" && Number.isFinite(v) ? v : dflt;
}
function flag(j: Record<string, unknown>, k: string): boolean {
  const v = j[k];
  return v === true || (typeof v === "number" && v !== 0);
}

/** Read a PARAM_EXCHANGE object (from iperf3 or netkit). Unknown fields are ignored. */
export function decodeParams(j: Record<string, unknown>): IperfParams {
  const udp = flag(j, "udp");
  return {
    protocol: udp ? "udp" : "tcp",
    omit: num(j, "omit", 0),
    time: num(j, "time", 10),
    num: num(j, "num", 0),
    ...(num(j, "blockcount", 0) > 0 ? { blocks: num(j, "blockcount", 0) } : {}),
    parallel: Math.max(1, num(j, "parallel", 1)),
    reverse: flag(j, "reverse"),
    bidirectional: flag(j, "bidirectional"),
    len: num(j, "len", udp ? 1460 : 128 * 1024),
    bandwidth: num(j, "bandwidth", udp ? 1_000_000 : 0),
    udpCounters64bit: flag(j, "udp_counters_64bit"),
    getServerOutput: flag(j, "get_server_output"),
    clientVersion: typeof j.client_version === "string" ? j.client_version : "",
  };
}

/** Exact UDP counts netkit adds to a stream's results (iperf3 ignores the extra field). */
export interface ExactWire {
  received: number;
  unique: number;
  expected: number;
  lost: number;
  reordered: number;
  duplicated: number;
}

/** One stream in the EXCHANGE_RESULTS object. */
export interface StreamResultWire {
  id: number;
  /** Bytes sent (sender) or received (receiver). */
  bytes: number;
  /** -1 when unknown. */
  retransmits: number;
  /** Seconds (iperf3 sends the RFC 3550 estimate in seconds). */
  jitter: number;
  /** iperf3-compatible lost packets (receiver); 0 for a sender. */
  errors: number;
  /** Packets sent (sender) or highest sequence number seen (receiver). */
  packets: number;
  /** Out-of-order count (netkit extension; iperf3 keeps it local). */
  outOfOrder?: number;
  exact?: ExactWire;
  startTime: number;
  endTime: number;
}

export interface ResultsWire {
  cpuUtilTotal: number;
  cpuUtilUser: number;
  cpuUtilSystem: number;
  /** 1, 0, or -1 (receiver). */
  senderHasRetransmits: number;
  streams: StreamResultWire[];
  serverOutputText?: string;
}

export function encodeResults(r: ResultsWire): Record<string, unknown> {
  const j: Record<string, unknown> = {
    cpu_util_total: r.cpuUtilTotal,
    cpu_util_user: r.cpuUtilUser,
    cpu_util_system: r.cpuUtilSystem,
    sender_has_retransmits: r.senderHasRetransmits,
  };
  if (r.serverOutputText !== undefined) j.server_output_text = r.serverOutputText;
  j.streams = r.streams.map((s) => {
    const o: Record<string, unknown> = {
      id: s.id,
      bytes: s.bytes,
      retransmits: s.retransmits,
      jitter: s.jitter,
      errors: s.errors,
      omitted_errors: 0,
      packets: s.packets,
      omitted_packets: 0,
      start_time: s.startTime,
      end_time: s.endTime,
    };
    if (s.outOfOrder !== undefined) o.netkit_out_of_order = s.outOfOrder;
    if (s.exact !== undefined) o.netkit_exact = s.exact;
    return o;
  });
  return j;
}

/** iperf3 writes -1 into some unsigned fields: 2^64 − 1 comes back as a huge number. */
function signed(v: number): number {
  return v >= 2 ** 63 ? -1 : v;
}

function exactOf(v: unknown): ExactWire | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const keys = ["received", "unique", "expected", "lost", "reordered", "duplicated"] as const;
  for (const k of keys) if (typeof o[k] !== "number") return undefined;
  return {
    received: o.received as number,
    unique: o.unique as number,
    expected: o.expected as number,
    lost: o.lost as number,
    reordered: o.reordered as number,
    duplicated: o.duplicated as number,
  };
}

/** Read an EXCHANGE_RESULTS object; throws TypeError when required fields are missing. */
export function decodeResults(j: Record<string, unknown>): ResultsWire {
  if (!Array.isArray(j.streams)) throw new TypeError("results without a streams array");
  const streams = (j.streams as Record<string, unknown>[]).map((s) => {
    if (typeof s.id !== "number" || typeof s.bytes !== "number")
      throw new TypeError("stream result without id or bytes");
    const r: StreamResultWire = {
      id: s.id,
      bytes: s.bytes,
      retransmits: signed(num(s, "retransmits", -1)),
      jitter: num(s, "jitter", 0),
      errors: num(s, "errors", 0),
      packets: num(s, "packets", 0),
      startTime: num(s, "start_time", 0),
      endTime: num(s, "end_time", 0),
    };
    if (typeof s.netkit_out_of_order === "number") r.outOfOrder = s.netkit_out_of_order;
    const exact = exactOf(s.netkit_exact);
    if (exact !== undefined) r.exact = exact;
    return r;
  });
  const out: ResultsWire = {
    cpuUtilTotal: num(j, "cpu_util_total", 0),
    cpuUtilUser: num(j, "cpu_util_user", 0),
    cpuUtilSystem: num(j, "cpu_util_system", 0),
    senderHasRetransmits: signed(num(j, "sender_has_retransmits", -1)),
    streams,
  };
  if (typeof j.server_output_text === "string") out.serverOutputText = j.server_output_text;
  return out;
}

/** The header at the start of every UDP datagram. */
export interface UdpHeader {
  sec: number;
  usec: number;
  seq: number;
}

/** Size of the UDP header: 12 bytes, 16 with 64-bit counters. */
export function udpHeaderSize(counters64: boolean): number {
  return counters64 ? 16 : 12;
}

/** Write the header into `buf` (at offset 0) and return `buf`. */
export function encodeUdpHeader(buf: Buffer, h: UdpHeader, counters64: boolean): Buffer {
  buf.writeUInt32BE(h.sec >>> 0, 0);
  buf.writeUInt32BE(h.usec >>> 0, 4);
  if (counters64) {
    buf.writeUInt32BE(Math.floor(h.seq / 2 ** 32) >>> 0, 8);
    buf.writeUInt32BE(h.seq % 2 ** 32, 12);
  } else {
    buf.writeUInt32BE(h.seq % 2 ** 32, 8);
  }
  return buf;
}

/** Read the header; `null` when the datagram is too short to hold one. */
export function decodeUdpHeader(buf: Buffer, counters64: boolean): UdpHeader | null {
  if (buf.length < udpHeaderSize(counters64)) return null;
  const sec = buf.readUInt32BE(0);
  const usec = buf.readUInt32BE(4);
  const seq = counters64 ? buf.readUInt32BE(8) * 2 ** 32 + buf.readUInt32BE(12) : buf.readUInt32BE(8);
  return { sec, usec, seq };
}
