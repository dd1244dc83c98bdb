/**
 * Pure parsers of /proc/net/{tcp,tcp6,udp,udp6,raw,raw6,unix}. Addresses are written by the
 * kernel as 32-bit words in host byte order (x86: `0100007F` is 127.0.0.1), ports as plain hex.
 * Rows come back without owners (`processes: []`).
 *
 * @example
 * parseProcNetInet("tcp", "  sl  local_address …\n   0: 0100007F:1F90 00000000:0000 0A …", true)[0];
 * // { protocol: "tcp", family: "inet", state: "LISTEN", localAddress: "127.0.0.1", localPort: 8080, … }
 */
import { NetkitError } from "../errors.js";
import { Addr } from "../ip/addr.js";
import type { SocketProtocol, SocketRow, SocketState, SocketType } from "./socket_row.js";
import { stateName } from "./socket_row.js";

function bad(file: string, lineNo: number, reason: string): never {
  throw new NetkitError("ERR_PROC_FORMAT", `${file} line ${lineNo}: ${reason}`);
}

/** Parse `len` hex digits at `s`; -1 when one is not a hex digit. */
function hexAt(t: string, s: number, len: number): number {
  let v = 0;
  for (let i = s; i < s + len; i++) {
    const c = t.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** Split a line into whitespace-separated fields. */
function fields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    const s = i;
    while (i < n && line.charCodeAt(i) !== 32) i++;
    out.push(line.slice(s, i));
  }
  return out;
}

function parseEndpoint(
  text: string,
  v6: boolean,
  le: boolean,
  file: string,
  lineNo: number,
): { address: string; port: number } {
  const words = v6 ? 4 : 1;
  const colon = words * 8;
  if (text.length !== colon + 5 || text.charCodeAt(colon) !== 58) {
    bad(file, lineNo, `address ${JSON.stringify(text)} is not ${words * 8} hex digits, ":" and 4 hex digits`);
  }
  const w: number[] = [];
  for (let i = 0; i < words; i++) {
    const v = hexAt(text, i * 8, 8);
    if (v < 0) bad(file, lineNo, `address ${JSON.stringify(text)} has a character that is not hex`);
    w.push(le ? swap32(v) : v);
  }
  const port = hexAt(text, colon + 1, 4);
  if (port < 0) bad(file, lineNo, `port in ${JSON.stringify(text)} is not hex`);
  const addr = v6 ? Addr.v6(w[0]!, w[1]!, w[2]!, w[3]!) : Addr.v4(w[0]!);
  return { address: addr.toString(), port };
}

function decimal(text: string | undefined, file: string, lineNo: number, what: string): number {
  if (text === undefined || !/^\d+$/.test(text))
    bad(file, lineNo, `${what} ${JSON.stringify(text ?? "")} is not a number`);
  return Number(text);
}

/**
 * Parse /proc/net/tcp, tcp6, udp, udp6, raw or raw6 (`v6` from the file name).
 * @param hostLittleEndian the byte order of the machine that wrote the file (x86, arm64: true).
 * @throws ERR_PROC_FORMAT naming the file and line of the first bad row.
 */
export function parseProcNetInet(
  protocol: Exclude<SocketProtocol, "unix">,
  text: string,
  hostLittleEndian: boolean,
  v6 = false,
): SocketRow[] {
  const file = `/proc/net/${protocol}${v6 ? "6" : ""}`;
  const rows: SocketRow[] = [];
  const lines = text.split("\n");
  const type: SocketType = protocol === "tcp" ? "stream" : protocol === "udp" ? "dgram" : "raw";
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === "") continue;
    const f = fields(line);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode …
    if (f.length < 10) bad(file, n + 1, `expected at least 10 fields, found ${f.length}`);
    const local = parseEndpoint(f[1]!, v6, hostLittleEndian, file, n + 1);
    const peer = parseEndpoint(f[2]!, v6, hostLittleEndian, file, n + 1);
    const st = f[3]!.length === 2 ? hexAt(f[3]!, 0, 2) : -1;
    if (st < 0) bad(file, n + 1, `state ${JSON.stringify(f[3])} is not two hex digits`);
    const q = f[4]!;
    const tx = q.length === 17 && q.charCodeAt(8) === 58 ? hexAt(q, 0, 8) : -1;
    const rx = tx >= 0 ? hexAt(q, 9, 8) : -1;
    if (tx < 0 || rx < 0) bad(file, n + 1, `queues ${JSON.stringify(q)} are not tx:rx in hex`);
    const state: SocketState = stateName(st);
    rows.push({
      protocol,
      family: v6 ? "inet6" : "inet",
      type,
      state,
      localAddress: local.address,
      localPort: local.port,
      peerAddress: peer.address,
      peerPort: peer.port,
      recvQ: rx,
      // /proc shows no backlog for listeners (ss's Send-Q there); netlink does.
      sendQ: state === "LISTEN" ? null : tx,
      uid: decimal(f[7], file, n + 1, "uid"),
      inode: decimal(f[9], file, n + 1, "inode"),
      processes: [],
      ownerUnknown: false,
    });
  }
  return rows;
}

const UNIX_TYPES: Record<number, SocketType> = { 1: "stream", 2: "dgram", 5: "seqpacket" };

/**
 * Parse /proc/net/unix. Listening sockets have flag `00010000`; `St` 03 (or 02, not yet
 * accepted) is connected; anything else is unconnected. Queues and uid are not in this file.
 * @throws ERR_PROC_FORMAT naming the line of the first bad row.
 */
export function parseProcNetUnix(text: string): SocketRow[] {
  const file = "/proc/net/unix";
  const rows: SocketRow[] = [];
  const lines = text.split("\n");
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === "") continue;
    // Num: RefCount Protocol Flags Type St Inode [Path] — the path may contain spaces.
    const m =
      /^[0-9a-f]+: ([0-9A-F]{8}) ([0-9A-F]{8}) ([0-9A-F]{8}) ([0-9A-F]{4}) ([0-9A-F]{2}) +(\d+)(?: (.*))?$/.exec(
        line,
      );
    if (m === null) bad(file, n + 1, "not Num: RefCount Protocol Flags Type St Inode [Path]");
    const flags = hexAt(m[3]!, 0, 8);
    const t = hexAt(m[4]!, 0, 4);
    const st = hexAt(m[5]!, 0, 2);
    const type = UNIX_TYPES[t];
    if (type === undefined) bad(file, n + 1, `unknown socket type ${t}`);
    const state: SocketState = (flags & 0x10000) !== 0 ? "LISTEN" : st === 3 || st === 2 ? "ESTAB" : "UNCONN";
    rows.push({
      protocol: "unix",
      family: "unix",
      type,
      state,
      localAddress: m[7] ?? "",
      localPort: null,
      peerAddress: "",
      peerPort: null,
      recvQ: null,
      sendQ: null,
      uid: null,
      inode: Number(m[6]),
      peerInode: null,
      processes: [],
      ownerUnknown: false,
    });
  }
  return rows;
}
