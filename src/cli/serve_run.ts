/**
 * The shell around the library servers for `netkit udp|tcp|unix serve`: starts the server, renders
 * its events (text on stderr, or NDJSON on stdout with --json), stops gracefully on SIGINT/SIGTERM
 * (or, for a stream server without --keep-open, after its first connection) and prints statistics.
 */
import type { ConnectionCloseEvent, ConnectionEvent, TcpServerStats } from "../sockets/tcp_server.js";
import { startTcpServer } from "../sockets/tcp_server.js";
import type { DatagramEvent, UdpServerStats } from "../sockets/udp_server.js";
import { startUdpServer } from "../sockets/udp_server.js";
import {
  startUnixDgramServer,
  type UnixDatagramEvent,
  type UnixDgramServerStats,
} from "../sockets/unix_dgram_server.js";
import { explainAddrInUse } from "./addr_in_use.js";
import type { CliIo } from "./io.js";
import { buildHandler, type HandlerChoice, runsPrograms } from "./socket_args.js";

export interface ServeSpec {
  proto: "udp" | "tcp" | "unix";
  host?: string | undefined;
  port?: number | undefined;
  path?: string | undefined;
  handler: HandlerChoice;
  buffer?: number | undefined;
  maxConns?: number | undefined;
  allow: string[];
  deny: string[];
  idleTimeout?: number | undefined;
  keepOpen: boolean;
  keepAlive?: boolean | undefined;
  noDelay?: boolean | undefined;
  ipv6Only?: boolean | undefined;
  broadcast?: boolean | undefined;
  multicastGroup?: string | undefined;
  multicastInterface?: string | undefined;
  /** UDP: TTL of the server's replies (and of its multicast sends). */
  ttl?: number | undefined;
  json: boolean;
  verbose: boolean;
  /** Unix datagram socket (SOCK_DGRAM) instead of a stream. */
  dgram?: boolean | undefined;
  /** UDP: serve only the first peer (netcat -u -l without -k). */
  lockToFirstPeer?: boolean | undefined;
}

function fmt(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Text lines for the final statistics. */
export function renderStats(s: TcpServerStats | UdpServerStats | UnixDgramServerStats): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

/** Run a server until stopped; returns the exit code. */
export async function runServe(spec: ServeSpec, io: CliIo): Promise<number> {
  const emit = (event: string, data: object) => {
    if (spec.json) io.stdout.write(`${JSON.stringify({ event, proto: spec.proto, ...data })}\n`);
  };
  const say = (line: string, always = false) => {
    if (!spec.json && (always || spec.verbose)) io.stderr.write(`netkit: ${line}\n`);
  };
  const handler = await buildHandler(spec.handler); // a missing --exec program fails here, first
  let host = spec.host;
  if (host === undefined && spec.proto !== "unix") {
    if (runsPrograms(spec.handler)) {
      host = "127.0.0.1";
      io.stderr.write(
        "netkit: a program handler and no --host: listening on loopback only (127.0.0.1); pass --host to choose\n",
      );
    } else host = "0.0.0.0";
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    let stats: TcpServerStats | UdpServerStats | UnixDgramServerStats;
    if (spec.proto === "unix" && spec.dgram) {
      const server = await startUnixDgramServer({
        path: spec.path!,
        handler,
        buffer: spec.buffer,
        maxPeers: spec.maxConns,
        peerIdleTimeout: spec.idleTimeout,
        lockToFirstPeer: spec.lockToFirstPeer,
      });
      emit("listening", {
        path: spec.path,
        dgram: true,
        handler: handler.name,
        buffer: spec.buffer ?? 65535,
      });
      say(
        `listening on ${spec.path} (unix datagram, handler ${handler.name}); Ctrl-C stops and prints statistics`,
        true,
      );
      server.on("datagram", (e: UnixDatagramEvent) => {
        emit("datagram", e);
        say(`datagram from ${e.from ?? "an unbound sender (no reply possible)"}: ${e.size} bytes`);
      });
      server.on("truncated", (e: UnixDatagramEvent) => {
        emit("truncated", e);
        io.stderr.write(
          `netkit: warning: datagram of ${e.size} bytes truncated to --buffer ${spec.buffer ?? 65535}\n`,
        );
      });
      server.on("warning", (e: Error) => {
        emit("warning", { message: e.message });
        say(`warning: ${e.message}`);
      });
      await new Promise((r) => stop.signal.addEventListener("abort", r, { once: true }));
      stats = await server.close();
    } else if (spec.proto === "udp") {
      const server = await explainAddrInUse(
        () =>
          startUdpServer({
            host,
            port: spec.port ?? 2000,
            handler,
            buffer: spec.buffer,
            allow: spec.allow,
            deny: spec.deny,
            maxPeers: spec.maxConns,
            lockToFirstPeer: spec.lockToFirstPeer,
            peerIdleTimeout: spec.idleTimeout,
            ipv6Only: spec.ipv6Only,
            broadcast: spec.broadcast,
            ttl: spec.ttl,
            multicast: spec.multicastGroup
              ? { group: spec.multicastGroup, interface: spec.multicastInterface, ttl: spec.ttl }
              : undefined,
            // The recvmmsg worker when nothing is printed per datagram (built-in handlers only).
            fast: !spec.json && !spec.verbose,
          }),
        spec.port ?? 2000,
        "udp",
      );
      const a = server.address;
      emit("listening", {
        address: a.address,
        port: a.port,
        handler: handler.name,
        buffer: spec.buffer ?? 65535,
        path: server.path,
        ...(spec.broadcast ? { broadcast: true } : {}),
        ...(spec.ttl !== undefined ? { ttl: spec.ttl } : {}),
        ...(spec.multicastGroup
          ? { multicast: { group: spec.multicastGroup, interface: spec.multicastInterface ?? null } }
          : {}),
      });
      say(
        `listening on ${fmt(a.address, a.port)} (udp, handler ${handler.name}${spec.multicastGroup ? `, joined ${spec.multicastGroup}${spec.multicastInterface ? ` on ${spec.multicastInterface}` : ""}` : ""}${server.path === "mmsg" ? ", recvmmsg fast path" : ""}); Ctrl-C stops and prints statistics`,
        true,
      );
      server.on("datagram", (e: DatagramEvent) => {
        emit("datagram", e);
        say(`datagram from ${fmt(e.remoteAddress, e.remotePort)}: ${e.size} bytes`);
      });
      server.on("truncated", (e: DatagramEvent) => {
        emit("truncated", e);
        // A warning even with --json: silent truncation is the trap this server exists to avoid.
        io.stderr.write(
          `netkit: warning: datagram of ${e.size} bytes from ${fmt(e.remoteAddress, e.remotePort)} truncated to --buffer ${spec.buffer ?? 65535}\n`,
        );
      });
      server.on("denied", (e: DatagramEvent) => {
        emit("denied", e);
        say(`denied datagram from ${fmt(e.remoteAddress, e.remotePort)}`);
      });
      server.on("warning", (e: Error) => {
        emit("warning", { message: e.message });
        say(`warning: ${e.message}`);
      });
      await new Promise((r) => stop.signal.addEventListener("abort", r, { once: true }));
      stats = await server.close();
    } else {
      const server = await explainAddrInUse(
        () =>
          startTcpServer({
            host: spec.proto === "unix" ? undefined : host,
            port: spec.proto === "unix" ? undefined : (spec.port ?? 2000),
            path: spec.path,
            handler,
            maxConns: spec.maxConns,
            allow: spec.allow,
            deny: spec.deny,
            idleTimeout: spec.idleTimeout,
            keepAlive: spec.keepAlive,
            noDelay: spec.noDelay,
            ipv6Only: spec.ipv6Only,
          }),
        spec.proto === "unix" ? undefined : (spec.port ?? 2000),
        "tcp",
      );
      const a = server.address;
      const where = a.path ?? fmt(a.address, a.port);
      emit(
        "listening",
        a.path !== undefined
          ? { path: a.path, handler: handler.name }
          : { address: a.address, port: a.port, handler: handler.name },
      );
      say(
        `listening on ${where} (${spec.proto}, handler ${handler.name})${spec.keepOpen ? "" : "; serving one connection (-k keeps it open)"}`,
        true,
      );
      server.on("connection", (e: ConnectionEvent) => {
        emit("connection", e);
        say(
          `connection ${e.id} from ${spec.proto === "unix" ? "a local peer" : fmt(e.remoteAddress, e.remotePort)}`,
        );
        if (!spec.keepOpen) server.server.close(); // stop accepting; this connection goes on
      });
      server.on("close-connection", (e: ConnectionCloseEvent) => {
        emit("close", e);
        say(
          `connection ${e.id} closed (${e.reason}): ${e.bytesIn} bytes in, ${e.bytesOut} out, ${e.durationMs} ms`,
        );
        if (!spec.keepOpen) stop.abort();
      });
      for (const ev of ["denied", "rejected"] as const)
        server.on(ev, (e: ConnectionEvent) => {
          emit(ev, e);
          say(`${ev} connection from ${fmt(e.remoteAddress, e.remotePort)}`);
        });
      server.on("warning", (e: Error) => {
        emit("warning", { message: e.message });
        say(`warning: ${e.message}`);
      });
      await new Promise((r) => stop.signal.addEventListener("abort", r, { once: true }));
      stats = await server.close();
    }
    emit("stats", stats);
    say(`stopped: ${renderStats(stats)}`, true);
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
