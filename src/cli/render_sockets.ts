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

function cells(r: SocketRow): string[] {
  const q = (n: number | null) => (n === null ? "-" : String(n));
  if (r.family === "unix") {
    return [
      NETID[r.type] ?? "u_str",
      r.state,
      q(r.recvQ),
      q(r.sendQ),
      `${r.localAddress || "*"} ${r.inode}`,
      "*",
      usersText(r),
    ];
  }
  return [
    r.protocol,
    r.state,
    q(r.recvQ),
    q(r.sendQ),
    endpoint(r.localAddress, r.localPort),
    endpoint(r.peerAddress, r.peerPort),
    usersText(r),
  ];
}

const HEAD = ["Netid", "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", "Process"];
const RIGHT = [false, false, true, true, true, false, false];

/** The table with a header line, columns sized to their content. */
export function renderSocketTable(rows: readonly SocketRow[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const width = HEAD.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
  let out = "";
  for (const c of all) {
    const line = c
      .map((v, i) => (i === c.length - 1 ? v : RIGHT[i] ? v.padStart(width[i]!) : v.padEnd(width[i]!)))
      .join(" ");
    out += `${line.trimEnd()}\n`;
  }
  return out;
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
