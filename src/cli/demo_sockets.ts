/**
 * The socket part of `netkit demo`: the notes' UDP server and client (§1.5) and the same over TCP
 * (§1.6), run for real on loopback, with the states of the demo's own sockets taken from the
 * project's socket table (src/ports listSockets: netlink sock_diag, /proc/net as fallback; IPv4
 * and IPv6). Returns one result object; demo.ts renders it as text or JSON.
 *
 * @example
 * const udp = await demoUdp();               // 127.0.0.1, port 2000 or a free one
 * udp.reply;                                 // "HELLO, SERVER!"
 * udp.sockets?.rows.map((r) => r.state);     // ["UNCONN", "ESTAB"]
 */
import type net from "node:net";
import { isNetkitError } from "../errors.js";
import { parseAddr } from "../ip/addr.js";
import { listSockets, type SocketSource } from "../ports/list_sockets.js";
import { attachOwners, scanSocketOwners } from "../ports/owners.js";
import type { SocketRow } from "../ports/socket_row.js";
import { hostPort } from "../sockets/socket_error.js";
import { tcpConnect } from "../sockets/tcp_client.js";
import { startTcpServer, type TcpServer, type TcpServerStats } from "../sockets/tcp_server.js";
import { UdpClient } from "../sockets/udp_client.js";
import { startUdpServer, type UdpServer, type UdpServerStats } from "../sockets/udp_server.js";

/** The notes' port. */
export const NOTES_PORT = 2000;
const MESSAGE = "Hello, server!";

export interface DemoOptions {
  /** Loopback address to use: "127.0.0.1" (default) or "::1". */
  host?: string;
  /** Port to try first (default 2000, the notes' port); 0 lets the kernel choose at once. */
  port?: number;
}

export interface PortChoice {
  port: number;
  /** Why 2000 was not used (it was taken when we tried to bind it). */
  fallback?: string;
}

/** One of the demo's sockets as the kernel lists it. */
export interface DemoSocket {
  protocol: "tcp" | "udp";
  state: string;
  /** `127.0.0.1:2000`, `[::1]:2000`. */
  local: string;
  peer: string;
  inode: number;
  /** The demo's own pid when it holds the socket; null for TIME-WAIT (no file, no process). */
  pid: number | null;
}

/** A snapshot of the demo's sockets, or why there is none. */
export interface DemoSockets {
  rows: DemoSocket[];
  /** Where the table came from: "netlink" (sock_diag) or "proc" (/proc/net). */
  source: SocketSource | undefined;
}

export interface DemoUdp extends PortChoice {
  host: string;
  clientPort: number;
  sent: string;
  reply: string;
  /** null when the socket table cannot be read here. */
  sockets: DemoSockets | null;
  stats: UdpServerStats;
}

export interface DemoTcp extends PortChoice {
  host: string;
  clientPort: number;
  sent: string;
  reply: string;
  established: DemoSockets | null;
  afterClose: DemoSockets | null;
  stats: TcpServerStats;
}

function sameAddr(a: string, b: string): boolean {
  try {
    return parseAddr(a).unmap().equals(parseAddr(b).unmap());
  } catch {
    return false; // not an IP address (cannot be one of ours)
  }
}

/**
 * The demo's rows among `rows` (pure): every socket on the server's local endpoint (the bound or
 * listening socket, accepted connections) and the client's end of exactly this conversation.
 */
export function demoRows(
  rows: readonly SocketRow[],
  host: string,
  serverPort: number,
  clientPort: number,
  pid = process.pid,
): DemoSocket[] {
  const out: DemoSocket[] = [];
  for (const r of rows) {
    if (r.protocol !== "tcp" && r.protocol !== "udp") continue;
    if (r.localPort === null || !sameAddr(r.localAddress, host)) continue;
    const server = r.localPort === serverPort;
    const client = r.localPort === clientPort && r.peerPort === serverPort && sameAddr(r.peerAddress, host);
    if (!server && !client) continue;
    out.push({
      protocol: r.protocol,
      state: r.state,
      local: hostPort(r.localAddress, r.localPort),
      peer: hostPort(r.peerAddress, r.peerPort ?? 0),
      inode: r.inode,
      pid: r.processes.some((p) => p.pid === pid) ? pid : null,
    });
  }
  return out;
}

/** Our sockets from the socket table, owners looked up in our own /proc/PID/fd only. */
function ours(
  proto: "tcp" | "udp",
  host: string,
  serverPort: number,
  clientPort: number,
): DemoSockets | null {
  try {
    const table = listSockets({
      protocols: [proto],
      families: [host.includes(":") ? 6 : 4],
      filter: { port: serverPort }, // kernel-side: local or peer port is the server's
      owners: false,
    });
    const inodes = new Set(table.rows.map((r) => r.inode).filter((i) => i !== 0));
    attachOwners(table.rows, scanSocketOwners({ inodes, pids: new Set([process.pid]) }));
    return { rows: demoRows(table.rows, host, serverPort, clientPort), source: table.sources[proto] };
  } catch (e) {
    if (isNetkitError(e)) return null; // no netlink and no /proc here: the demo says so
    throw e;
  }
}

/** Bind on 2000 if it is free (proved by binding it), else on a port the kernel picks. */
async function onNotesPort<T>(
  first: number,
  start: (port: number) => Promise<T>,
): Promise<{ server: T; fallback?: string }> {
  try {
    return { server: await start(first) };
  } catch (e) {
    if (!isNetkitError(e, "ERR_ADDR_IN_USE")) throw e;
    return {
      server: await start(0),
      fallback: `port ${first} is taken here (binding it failed with EADDRINUSE)`,
    };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]);
}

/** The notes' UDP exchange, with the sockets' states while the client waits for its reply. */
export async function demoUdp(opts: DemoOptions = {}): Promise<DemoUdp> {
  const host = opts.host ?? "127.0.0.1";
  const { server, fallback } = await onNotesPort<UdpServer>(opts.port ?? NOTES_PORT, (port) =>
    startUdpServer({ host, port, handler: "upper", buffer: 1024 }),
  );
  const port = server.address.port;
  const client = await UdpClient.open({ host, port });
  try {
    const reply = await client.request(MESSAGE, { timeout: 2000, retries: 2 });
    const sockets = ours("udp", host, port, client.local.port);
    const clientPort = client.local.port;
    await client.close();
    const stats = await server.close();
    return {
      host,
      port,
      ...(fallback ? { fallback } : {}),
      clientPort,
      sent: MESSAGE,
      reply: reply.data.toString("utf8"),
      sockets,
      stats,
    };
  } finally {
    await client.close();
    await server.close();
  }
}

/** The same over TCP: states while connected, and after the four-way close (TIME-WAIT). */
export async function demoTcp(opts: DemoOptions = {}): Promise<DemoTcp> {
  const host = opts.host ?? "127.0.0.1";
  const { server, fallback } = await onNotesPort<TcpServer>(opts.port ?? NOTES_PORT, (port) =>
    startTcpServer({ host, port, handler: "upper" }),
  );
  const port = server.address.port;
  let socket: net.Socket | undefined;
  try {
    socket = await tcpConnect({ host, port, timeout: 2000 });
    const s = socket;
    const clientPort = s.localPort ?? 0;
    const established = ours("tcp", host, port, clientPort);
    let reply = "";
    const ended = new Promise<void>((resolve, reject) => {
      s.on("data", (d: Buffer) => {
        reply += d.toString("utf8");
      });
      s.on("end", () => resolve());
      s.on("error", reject);
    });
    s.write(MESSAGE);
    s.end(); // our FIN: "I have nothing more to send"; the server answers, then sends its FIN
    await withTimeout(ended, 3000, "the TCP exchange");
    await new Promise<void>((r) => (s.destroyed ? r() : s.once("close", () => r())));
    const afterClose = ours("tcp", host, port, clientPort);
    const stats = await server.close();
    return {
      host,
      port,
      ...(fallback ? { fallback } : {}),
      clientPort,
      sent: MESSAGE,
      reply,
      established,
      afterClose,
      stats,
    };
  } finally {
    socket?.destroy();
    await server.close();
  }
}
