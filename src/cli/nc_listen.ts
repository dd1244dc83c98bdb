/**
 * `netkit nc -l`: listen for TCP, Unix stream or UDP peers and connect them to stdin/stdout.
 * Without -k one TCP connection is served, then the listener closes and the command ends (so
 * `netkit nc -l P | tar x` finishes). With -k stdin goes to every connection and every
 * connection's data to stdout; --broker relays between clients; --chat adds `<userN>` names.
 * -e/-c use the library server (one child per connection or UDP peer).
 */
import dgram from "node:dgram";
import net from "node:net";
import { abstractDisplay, isAbstractName, listenAbstractStream } from "../native/unix_stream.js";
import { AccessList } from "../sockets/access_list.js";
import { resolveHost } from "../sockets/resolve_host.js";
import { hostPort, socketError } from "../sockets/socket_error.js";
import { explainAddrInUse } from "./addr_in_use.js";
import { CrlfConverter, HexDumper } from "./hexdump.js";
import type { CliIo } from "./io.js";
import { UDP_STDIN_DATAGRAM } from "./nc_connect.js";
import type { NcConfig } from "./nc_flags.js";
import { runServe } from "./serve_run.js";
import { exitFor, pipeWithSignals } from "./stream_connect.js";

function say(io: CliIo, cfg: NcConfig, line: string): void {
  if (cfg.verbose) io.stderr.write(`${line}\n`);
}

function stopSignal(): { signal: AbortSignal; release: () => void } {
  const ac = new AbortController();
  const on = () => ac.abort();
  process.once("SIGINT", on);
  process.once("SIGTERM", on);
  return {
    signal: ac.signal,
    release: () => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
    },
  };
}

export async function ncListen(cfg: NcConfig, io: CliIo): Promise<number> {
  if (cfg.handler) {
    return runServe(
      {
        proto: cfg.unix ? "unix" : cfg.proto,
        host: cfg.host,
        port: cfg.port,
        path: cfg.path,
        handler: cfg.handler,
        maxConns: cfg.maxConns,
        allow: cfg.allow,
        deny: cfg.deny,
        idleTimeout: cfg.waitMs,
        keepOpen: cfg.keepOpen,
        json: false,
        verbose: cfg.verbose,
        lockToFirstPeer: cfg.proto === "udp" && !cfg.keepOpen,
      },
      io,
    );
  }
  if (cfg.proto === "udp") return ncUdpListen(cfg, io);
  return ncStreamListen(cfg, io);
}

async function ncStreamListen(cfg: NcConfig, io: CliIo): Promise<number> {
  const acl = AccessList.from({ allow: cfg.allow, deny: cfg.deny });
  const server = net.createServer({ allowHalfOpen: true });
  let where: string;
  if (cfg.unix && isAbstractName(cfg.path!)) {
    // the exact name through libc (Node would pad it to 108 bytes); no file is created
    where = abstractDisplay(cfg.path!);
    let fd: number;
    try {
      fd = listenAbstractStream(cfg.path!);
    } catch (e) {
      throw socketError(e, "listen on", where);
    }
    await listen(server, { fd }, where);
  } else if (cfg.unix) {
    where = cfg.path!;
    await listen(server, { path: cfg.path! }, where);
  } else {
    const { address } = await resolveHost(
      cfg.host ?? (cfg.family === 6 ? "::" : "0.0.0.0"),
      cfg.family,
      cfg.numeric,
    );
    where = hostPort(address, cfg.port!);
    await explainAddrInUse(
      () =>
        listen(
          server,
          { host: address, port: cfg.port!, ipv6Only: cfg.family === 6 && address === "::" },
          where,
        ),
      cfg.port,
      "tcp",
    );
  }
  const a = server.address();
  say(
    io,
    cfg,
    cfg.unix
      ? `Listening on ${where}`
      : typeof a === "string" || a === null
        ? `Listening on ${a}`
        : `Listening on ${a.address} ${a.port}`,
  );
  const hex = cfg.hexSink ? new HexDumper(cfg.hexSink) : undefined;
  const permitted = (s: net.Socket, active: number) => {
    if (!cfg.unix && !acl.permits(s.remoteAddress)) {
      say(io, cfg, `Connection from ${s.remoteAddress} ${s.remotePort} denied`);
      s.resetAndDestroy();
      return false;
    }
    if (cfg.maxConns !== undefined && active >= cfg.maxConns) {
      say(io, cfg, `Connection from ${s.remoteAddress} ${s.remotePort} refused: --max-conns ${cfg.maxConns}`);
      s.destroy();
      return false;
    }
    say(
      io,
      cfg,
      cfg.unix ? "Connection received" : `Connection received on ${s.remoteAddress} ${s.remotePort}`,
    );
    return true;
  };

  if (!cfg.keepOpen) {
    // One connection: the first permitted one; then stop listening and serve it.
    const socket = await new Promise<net.Socket | undefined>((resolve) => {
      const { signal, release } = stopSignal();
      signal.addEventListener("abort", () => resolve(undefined), { once: true });
      server.on("connection", (s) => {
        if (!permitted(s, 0)) return;
        release();
        resolve(s);
      });
    });
    server.close();
    if (socket === undefined) return 0;
    const r = await pipeWithSignals(socket, io, {
      sendOnly: cfg.sendOnly,
      recvOnly: cfg.recvOnly,
      noShutdown: cfg.noShutdown,
      shutdownAtOnce: cfg.shutdownOnEof && cfg.recvOnly,
      crlf: cfg.crlf,
      hex,
      quitAfterEof: cfg.quitAfterEofMs,
      idleTimeout: cfg.waitMs,
      intervalMs: cfg.intervalMs,
    });
    return exitFor(r, io);
  }

  // -k: many connections at once.
  const conns = new Map<net.Socket, number>();
  let stdinDone = false;
  let nextUser = 1;
  const { signal, release } = stopSignal();
  /** Write to every connection but `from`; resolves when all of them can take more (backpressure). */
  const relay = (from: net.Socket | undefined, data: Uint8Array): Promise<void> => {
    const waits: Promise<void>[] = [];
    for (const s of conns.keys()) {
      if (s === from || s.writableEnded || s.destroyed) continue;
      if (!s.write(data))
        waits.push(
          new Promise<void>((r) => {
            const go = () => {
              s.off("drain", go);
              s.off("close", go);
              r();
            };
            s.on("drain", go);
            s.on("close", go);
          }),
        );
    }
    return waits.length === 0 ? Promise.resolve() : Promise.all(waits).then(() => undefined);
  };
  /** Relay from a client, pausing it while a slow receiver catches up. */
  const relayFrom = (s: net.Socket, data: Uint8Array) => {
    const p = relay(s, data);
    s.pause();
    void p.then(() => s.resume());
  };
  server.on("connection", (s) => {
    if (!permitted(s, conns.size)) return;
    const user = nextUser++;
    conns.set(s, user);
    // stdin already ended (or is never read, with -N): this connection gets our FIN at once
    if ((stdinDone && !cfg.noShutdown) || (cfg.recvOnly && cfg.shutdownOnEof)) s.end();
    if (cfg.chat) void relay(s, Buffer.from(`<announce> user${user} has connected\n`));
    let partial = "";
    s.on("data", (d: Buffer) => {
      hex?.received(d);
      if (cfg.broker) {
        if (!cfg.chat) return relayFrom(s, d);
        const text = partial + d.toString("utf8");
        const lines = text.split("\n");
        partial = lines.pop()!;
        if (lines.length > 0) relayFrom(s, Buffer.from(lines.map((l) => `<user${user}> ${l}\n`).join("")));
        if (partial.length > 64 * 1024) {
          relayFrom(s, Buffer.from(`<user${user}> ${partial}\n`)); // an endless line is passed on in pieces
          partial = "";
        }
        return;
      }
      if (cfg.sendOnly) return;
      if (!io.stdout.write(d)) {
        s.pause();
        io.stdout.once("drain", () => s.resume());
      }
    });
    // The peer's FIN ends only its direction: it still gets stdin until stdin ends (then our FIN).
    s.on("end", () => {
      if (stdinDone || cfg.broker || cfg.recvOnly) s.end();
    });
    s.on("error", () => s.destroy()); // one client's reset ends that client only
    s.on("close", () => {
      conns.delete(s);
      if (cfg.chat) void relay(s, Buffer.from(`<announce> user${user} has disconnected\n`));
    });
  });
  if (!cfg.broker && !cfg.recvOnly) {
    const crlf = cfg.crlf ? new CrlfConverter() : undefined;
    (async () => {
      for await (const chunk of io.stdin) {
        if (signal.aborted) return;
        const data = crlf ? crlf.convert(chunk as Buffer) : (chunk as Buffer);
        hex?.sent(data);
        await relay(undefined, data);
      }
      stdinDone = true;
      for (const s of conns.keys()) if (!cfg.noShutdown || s.readableEnded) s.end();
    })().catch(() => undefined);
  }
  await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
  release();
  const closed = new Promise<void>((r) => server.close(() => r()));
  for (const s of conns.keys()) s.end();
  setTimeout(() => {
    for (const s of conns.keys()) s.destroy();
  }, 1000).unref();
  await closed;
  io.stdin.pause();
  if (io.stdin === process.stdin) process.stdin.destroy();
  return 0;
}

function listen(server: net.Server, opts: net.ListenOptions | { fd: number }, where: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (e) => reject(socketError(e, "listen on", where)));
    server.listen(opts as net.ListenOptions, () => resolve());
  });
}

/** UDP listen: lock to the first peer (or, with -k, reply to the latest one). */
async function ncUdpListen(cfg: NcConfig, io: CliIo): Promise<number> {
  const acl = AccessList.from({ allow: cfg.allow, deny: cfg.deny });
  const { address, family } = await resolveHost(
    cfg.host ?? (cfg.family === 6 ? "::" : "0.0.0.0"),
    cfg.family,
    cfg.numeric,
  );
  const socket = dgram.createSocket(family === 6 ? "udp6" : "udp4");
  await explainAddrInUse(
    () =>
      new Promise<void>((resolve, reject) => {
        socket.once("error", (e) => {
          socket.close();
          reject(socketError(e, "bind", hostPort(address, cfg.port!)));
        });
        socket.bind(cfg.port!, address, () => resolve());
      }),
    cfg.port,
    "udp",
  );
  socket.on("error", (e) => say(io, cfg, `nc: ${e.message}`));
  const a = socket.address();
  say(io, cfg, `Bound on ${a.address} ${a.port}`);
  const hex = cfg.hexSink ? new HexDumper(cfg.hexSink) : undefined;
  const crlf = cfg.crlf ? new CrlfConverter() : undefined;
  const { signal, release } = stopSignal();
  const stop = new AbortController();
  signal.addEventListener("abort", () => stop.abort(), { once: true });
  let peer: { address: string; port: number } | undefined;
  let peerKnown: () => void = () => {};
  const havePeer = new Promise<void>((r) => (peerKnown = r));
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number | undefined) => {
    clearTimeout(timer);
    if (ms !== undefined) timer = setTimeout(() => stop.abort(), ms);
  };
  let eof = false;
  arm(cfg.waitMs);
  socket.on("message", (msg, rinfo) => {
    if (!acl.permits(rinfo.address))
      return say(io, cfg, `Datagram from ${rinfo.address} ${rinfo.port} denied`);
    if (peer === undefined || cfg.keepOpen) {
      if (peer === undefined) say(io, cfg, `Connection received on ${rinfo.address} ${rinfo.port}`);
      peer = { address: rinfo.address, port: rinfo.port };
      peerKnown();
    } else if (peer.address !== rinfo.address || peer.port !== rinfo.port) return; // locked to the first peer
    hex?.received(msg);
    arm(eof ? (cfg.quitAfterEofMs ?? cfg.waitMs) : cfg.waitMs);
    if (!cfg.sendOnly) io.stdout.write(msg);
  });
  if (!cfg.recvOnly) {
    (async () => {
      await Promise.race([
        havePeer,
        new Promise((r) => stop.signal.addEventListener("abort", r, { once: true })),
      ]);
      for await (const chunk of io.stdin) {
        if (stop.signal.aborted || peer === undefined) return;
        const data = crlf ? crlf.convert(chunk as Buffer) : (chunk as Buffer);
        hex?.sent(data);
        for (let i = 0; i < data.length || i === 0; i += UDP_STDIN_DATAGRAM) {
          const part = data.subarray(i, i + UDP_STDIN_DATAGRAM);
          await new Promise<void>((r) => socket.send(part, peer!.port, peer!.address, () => setImmediate(r)));
        }
      }
      eof = true;
      if (cfg.quitAfterEofMs !== undefined) arm(cfg.quitAfterEofMs);
    })().catch(() => stop.abort());
  }
  await new Promise((r) => stop.signal.addEventListener("abort", r, { once: true }));
  clearTimeout(timer);
  release();
  await new Promise<void>((r) => socket.close(() => r()));
  io.stdin.pause();
  if (io.stdin === process.stdin) process.stdin.destroy();
  return 0;
}
