/**
 * Text rendering of socket rows in `ss -tuanp` columns, and of their owners. Pure.
 */
import type { SocketRow } from "../ports/socket_row.js";

const NETID: Record<string, string> = { stream: "u_str", dgram: "u_dgr", seqpacket: "u_seq" };

/** "127.0.0.1:80", "[::1]:80", "0.0.0.0:*" — ss's way (port 0 is "*"). */
export function endpoint(address: string, port: number | null): string {
  const a = address.includes(":") ? `[${address}]` : address;
  return `${a}:${port === 0 || port === null ? "*" : port}`;
}

/** users:(("python3",pid=5904,fd=3),…), "?" when the owner could not be seen, "" when none. */
export function usersText(r: SocketRow): string {
  if (r.processes.length === 0) return r.ownerUnknown ? "?" : "";
  return `users:(${r.processes.map((p) => `("${p.command}",pid=${p.pid},fd=${p.fd})`).join(",")})`;
}

const NETID_INET: Record<string, string> = { tcp: "tcp", udp: "udp", raw: "raw" };

function netid(r: SocketRow): string {
  return r.family === "unix" ? (NETID[r.type] ?? "u_str") : (NETID_INET[r.protocol] ?? r.protocol);
}

function digits(n: number | null): number {
  if (n === null) return 1; // "-"
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

function endpointLength(address: string, port: number | null): number {
  return (
    address.length + (address.includes(":") ? 2 : 0) + 1 + (port === 0 || port === null ? 1 : digits(port))
  );
}

function localText(r: SocketRow): string {
  return r.family === "unix" ? `${r.localAddress || "*"} ${r.inode}` : endpoint(r.localAddress, r.localPort);
}

const HEAD = ["Netid", "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", "Process"];

/**
 * The table in chunks of about `chunk` characters (a header line first; columns sized to their
 * content). The widths are computed arithmetically first, so no row's text is kept in memory.
 */
export function* renderSocketTableChunks(rows: readonly SocketRow[], chunk = 1 << 16): Generator<string> {
  const w = HEAD.map((h) => h.length) as [number, number, number, number, number, number, number];
  for (const r of rows) {
    const id = r.family === "unix" ? 5 : r.protocol.length;
    if (id > w[0]) w[0] = id;
    if (r.state.length > w[1]) w[1] = r.state.length;
    const rq = digits(r.recvQ);
    if (rq > w[2]) w[2] = rq;
    const sq = digits(r.sendQ);
    if (sq > w[3]) w[3] = sq;
    const l =
      r.family === "unix"
        ? (r.localAddress.length || 1) + 1 + digits(r.inode)
        : endpointLength(r.localAddress, r.localPort);
    if (l > w[4]) w[4] = l;
    const p = r.family === "unix" ? 1 : endpointLength(r.peerAddress, r.peerPort);
    if (p > w[5]) w[5] = p;
  }
  const line = (c0: string, c1: string, c2: string, c3: string, c4: string, c5: string, c6: string) =>
    `${c0.padEnd(w[0])} ${c1.padEnd(w[1])} ${c2.padStart(w[2])} ${c3.padStart(w[3])} ${c4.padStart(w[4])} ${c6 === "" ? c5 : `${c5.padEnd(w[5])} ${c6}`}\n`;
  let buf = line(HEAD[0]!, HEAD[1]!, HEAD[2]!, HEAD[3]!, HEAD[4]!, HEAD[5]!, HEAD[6]!);
  for (const r of rows) {
    buf += line(
      netid(r),
      r.state,
      r.recvQ === null ? "-" : String(r.recvQ),
      r.sendQ === null ? "-" : String(r.sendQ),
      localText(r),
      r.family === "unix" ? "*" : endpoint(r.peerAddress, r.peerPort),
      usersText(r),
    );
    if (buf.length >= chunk) {
      yield buf;
      buf = "";
    }
  }
  if (buf !== "") yield buf;
}

/** The whole table as one string. */
export function renderSocketTable(rows: readonly SocketRow[]): string {
  let out = "";
  for (const c of renderSocketTableChunks(rows)) out += c;
  return out;
}

/** A JSON array of rows in chunks (rows already carry the documented fields in order). */
export function* socketJsonChunks(rows: readonly SocketRow[], chunk = 1 << 16): Generator<string> {
  let buf = "[";
  for (let i = 0; i < rows.length; i++) {
    buf += (i === 0 ? "" : ",") + JSON.stringify(rows[i]);
    if (buf.length >= chunk) {
      yield buf;
      buf = "";
    }
  }
  yield `${buf}]\n`;
}

/** The JSON object of a row, in the documented field order. */
export function rowJson(r: SocketRow): Record<string, unknown> {
  return {
    protocol: r.protocol,
    family: r.family,
    type: r.type,
    state: r.state,
    localAddress: r.localAddress,
    localPort: r.localPort,
    peerAddress: r.peerAddress,
    peerPort: r.peerPort,
    recvQ: r.recvQ,
    sendQ: r.sendQ,
    uid: r.uid,
    inode: r.inode,
    processes: r.processes,
    ownerUnknown: r.ownerUnknown,
  };
}
