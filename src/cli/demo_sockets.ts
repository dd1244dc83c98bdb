/**
 * The socket part of `netkit demo`: the notes' UDP server and client (§1.5) and the same over TCP
 * (§1.6), run for real on loopback, with the states of the demo's own sockets read from /proc.
 * Returns one result object; demo.ts renders it as text or JSON.
 */
import type net from "node:net";
import { isNetkitError } from "../errors.js";
import { tcpConnect } from "../sockets/tcp_client.js";
import { startTcpServer, type TcpServer, type TcpServerStats } from "../sockets/tcp_server.js";
import { UdpClient } from "../sockets/udp_client.js";
import { startUdpServer, type UdpServer, type UdpServerStats } from "../sockets/udp_server.js";
import { ownSockets, type ProcNetRow } from "./demo_proc_net.js";

/** The notes' port. */
export const NOTES_PORT = 2000;
const HOST = "127.0.0.1";
const MESSAGE = "Hello, server!";

export interface PortChoice {
  port: number;
  /** Why 2000 was not used (it was taken when we tried to bind it). */
  fallback?: string;
}

export interface DemoUdp extends PortChoice {
  clientPort: number;
  sent: string;
  reply: string;
  sockets: ProcNetRow[] | null;
  stats: UdpServerStats;
}

export interface DemoTcp extends PortChoice {
  clientPort: number;
  sent: string;
  reply: string;
  established: ProcNetRow[] | null;
  afterClose: ProcNetRow[] | null;
  stats: TcpServerStats;
}

/** Our rows only: the server's port, and the client's end of exactly this conversation. */
async function ours(
  proto: "tcp" | "udp",
  serverPort: number,
  clientPort: number,
): Promise<ProcNetRow[] | null> {
  const rows = await ownSockets(proto, [serverPort, clientPort]);
  if (rows === undefined) return null;
  const server = `${HOST}:${serverPort}`;
  const client = `${HOST}:${clientPort}`;
  return rows.filter((r) => r.local === server || (r.local === client && r.remote === server));
}

/** Bind on 2000 if it is free (proved by binding it), else on a port the kernel picks. */
async function onNotesPort<T>(
  start: (port: number) => Promise<T>,
): Promise<{ server: T; fallback?: string }> {
  try {
    return { server: await start(NOTES_PORT) };
  } catch (e) {
    if (!isNetkitError(e, "ERR_ADDR_IN_USE")) throw e;
    return {
      server: await start(0),
      fallback: `port ${NOTES_PORT} is taken here (binding it failed with EADDRINUSE)`,
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

export async function demoUdp(): Promise<DemoUdp> {
  const { server, fallback } = await onNotesPort<UdpServer>((port) =>
    startUdpServer({ host: HOST, port, handler: "upper", buffer: 1024 }),
  );
  const port = server.address.port;
  const client = await UdpClient.open({ host: HOST, port });
  try {
    const reply = await client.request(MESSAGE, { timeout: 2000, retries: 2 });
    const sockets = await ours("udp", port, client.local.port);
    const clientPort = client.local.port;
    await client.close();
    const stats = await server.close();
    return {
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

export async function demoTcp(): Promise<DemoTcp> {
  const { server, fallback } = await onNotesPort<TcpServer>((port) =>
    startTcpServer({ host: HOST, port, handler: "upper" }),
  );
  const port = server.address.port;
  let socket: net.Socket | undefined;
  try {
    socket = await tcpConnect({ host: HOST, port, timeout: 2000 });
    const s = socket;
    const clientPort = s.localPort ?? 0;
    const established = await ours("tcp", port, clientPort);
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
    const afterClose = await ours("tcp", port, clientPort);
    const stats = await server.close();
    return {
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
