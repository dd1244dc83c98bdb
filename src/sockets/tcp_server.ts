/**
 * A stream server for TCP (host/port) and Unix stream sockets (path): listen, accept, run a handler
 * session per connection. Half-close done right: when the peer shuts down its write side, the
 * handler's last output is sent, then our write side is shut down. Backpressure end to end: while
 * a reply waits for the peer to read (write returned false), the connection's reads are paused.
 *
 * @example
 * import { startTcpServer } from "netkit";
 * const server = await startTcpServer({ host: "127.0.0.1", port: 0, handler: "upper", maxConns: 100 });
 * console.log(server.address);              // { address: "127.0.0.1", port: 4xxxx, … }
 * const stats = await server.close();       // finishes in-flight replies first
 */
import { EventEmitter } from "node:events";
import net from "node:net";
import { abstractDisplay, isAbstractName, listenAbstractStream } from "../native/unix_stream.js";
import { AccessList, type AccessOptions } from "./access_list.js";
import { publish } from "./events.js";
import {
  builtinName,
  type Handler,
  type HandlerSession,
  type HandlerSpec,
  resolveHandler,
} from "./handlers.js";
import { resolveHost } from "./resolve_host.js";
import { hostPort, socketError } from "./socket_error.js";

export interface TcpServerOptions extends AccessOptions {
  /** Address to listen on (default "0.0.0.0"); "::" is dual-stack unless ipv6Only. */
  host?: string;
  /** Port (0: the kernel chooses; read `server.address.port`). */
  port?: number;
  /** Listen on a Unix stream socket at this path instead of TCP. */
  path?: string;
  ipv6Only?: boolean;
  /** What to do with the bytes of each connection (default "echo"). */
  handler?: HandlerSpec;
  /** Most connections at once; further ones are closed at once and counted as `rejected`. */
  maxConns?: number;
  /** Close a connection after this many ms without traffic. */
  idleTimeout?: number;
  /** TCP keepalive: true, or the idle delay in ms before the first probe. */
  keepAlive?: boolean | number;
  /** Disable Nagle's algorithm (TCP_NODELAY). */
  noDelay?: boolean;
  backlog?: number;
  /** How long close() lets in-flight replies finish before cutting connections (default 2000 ms). */
  graceMs?: number;
  /** Aborting closes the server like close(). */
  signal?: AbortSignal;
}

export interface TcpServerStats {
  connections: number;
  active: number;
  rejected: number;
  denied: number;
  bytesIn: number;
  bytesOut: number;
  idleTimeouts: number;
  resets: number;
  errors: number;
  durationMs: number;
}

export interface ConnectionEvent {
  id: number;
  remoteAddress: string;
  remotePort: number;
}

export interface ConnectionCloseEvent extends ConnectionEvent {
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  reason: "closed" | "reset" | "idle" | "stopped" | "error";
}

interface Conn {
  id: number;
  socket: net.Socket;
  session: HandlerSession;
  chain: Promise<void>;
  ended: boolean;
  ev: ConnectionEvent;
  bytesIn: number;
  bytesOut: number;
  started: number;
  reason: ConnectionCloseEvent["reason"];
}

/**
 * A listening stream server. Events: `listening`, `connection` ({@link ConnectionEvent}),
 * `close-connection` ({@link ConnectionCloseEvent}), `denied`, `rejected`, `warning` (an Error;
 * never thrown), `close` (stats).
 */
export class TcpServer extends EventEmitter {
  readonly handler: Handler;
  private readonly acl: AccessList;
  /** `echo`: bytes go straight back from the data event (no promise, no pause per chunk). */
  private readonly directEcho: boolean;
  private readonly conns = new Set<Conn>();
  private readonly started = Date.now();
  private nextId = 1;
  private closing: Promise<TcpServerStats> | undefined;
  private readonly counts = {
    connections: 0,
    rejected: 0,
    denied: 0,
    bytesIn: 0,
    bytesOut: 0,
    idleTimeouts: 0,
    resets: 0,
    errors: 0,
  };

  /** @internal use {@link startTcpServer} */
  constructor(
    readonly server: net.Server,
    private readonly opts: TcpServerOptions,
  ) {
    super();
    this.handler = resolveHandler(opts.handler);
    this.acl = AccessList.from(opts);
    this.directEcho = builtinName(this.handler) === "echo";
    server.on("connection", (s) => this.accept(s));
    server.on("error", (e) => this.warn(e));
  }

  /** Where it listens: `{ address, port, family }` for TCP, `{ path }` for Unix. */
  get address(): { address: string; port: number; family: string; path?: string } {
    if (this.opts.path !== undefined && isAbstractName(this.opts.path)) {
      const path = abstractDisplay(this.opts.path);
      return { address: path, port: 0, family: "unix", path };
    }
    const a = this.server.address();
    if (a === null || typeof a === "string")
      return { address: a ?? "", port: 0, family: "unix", path: a ?? "" };
    return a;
  }

  get proto(): "tcp" | "unix" {
    return this.opts.path !== undefined ? "unix" : "tcp";
  }

  stats(): TcpServerStats {
    return { ...this.counts, active: this.conns.size, durationMs: Date.now() - this.started };
  }

  private warn(e: unknown): void {
    this.counts.errors++;
    const a = this.address;
    const err = socketError(e, this.proto, a.path ?? hostPort(a.address, a.port));
    publish("error", { proto: this.proto, error: err });
    this.emit("warning", err);
  }

  private accept(socket: net.Socket): void {
    const ev: ConnectionEvent = {
      id: this.nextId++,
      remoteAddress: socket.remoteAddress ?? "",
      remotePort: socket.remotePort ?? 0,
    };
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.proto === "tcp" && !this.acl.permits(socket.remoteAddress)) {
      this.counts.denied++;
      this.emit("denied", ev);
      publish("denied", { proto: this.proto, ...ev });
      socket.resetAndDestroy();
      return;
    }
    if (this.opts.maxConns !== undefined && this.conns.size >= this.opts.maxConns) {
      this.counts.rejected++;
      this.emit("rejected", ev);
      socket.destroy();
      return;
    }
    this.counts.connections++;
    if (this.opts.noDelay) socket.setNoDelay(true);
    if (this.opts.keepAlive !== undefined && this.opts.keepAlive !== false)
      socket.setKeepAlive(true, typeof this.opts.keepAlive === "number" ? this.opts.keepAlive : 0);
    const local = this.address;
    const conn: Conn = {
      id: ev.id,
      socket,
      ev,
      session: undefined as unknown as HandlerSession,
      chain: Promise.resolve(),
      ended: false,
      bytesIn: 0,
      bytesOut: 0,
      started: Date.now(),
      reason: "closed",
    };
    conn.session = this.handler.open({
      proto: this.proto,
      framing: "stream",
      remoteAddress: ev.remoteAddress,
      remotePort: ev.remotePort,
      localAddress: socket.localAddress ?? local.path ?? "",
      localPort: socket.localPort ?? 0,
      send: (data) => this.send(conn, data),
    });
    // A child process that exits ends the connection (after its last output).
    conn.session.onDone = () => this.finish(conn);
    this.conns.add(conn);
    this.emit("connection", ev);
    publish("connection", { proto: this.proto, ...ev });

    if (this.directEcho) this.echoDirect(conn);
    else this.readIntoSession(conn);
    socket.on("end", () => this.finish(conn)); // the peer half-closed: flush, then our FIN
    if (this.opts.idleTimeout !== undefined && this.opts.idleTimeout > 0) {
      socket.setTimeout(this.opts.idleTimeout, () => {
        this.counts.idleTimeouts++;
        conn.reason = "idle";
        socket.destroy();
      });
    }
    socket.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ECONNRESET" || e.code === "EPIPE") {
        this.counts.resets++;
        conn.reason = "reset";
      } else {
        conn.reason = "error";
        this.warn(e);
      }
    });
    socket.on("close", () => {
      conn.session.destroy();
      this.conns.delete(conn);
      const closeEv: ConnectionCloseEvent = {
        ...ev,
        bytesIn: conn.bytesIn,
        bytesOut: conn.bytesOut,
        durationMs: Date.now() - conn.started,
        reason: conn.reason,
      };
      this.emit("close-connection", closeEv);
      publish("close", { proto: this.proto, ...closeEv });
    });
  }

  /**
   * The echo handler without its session: each chunk is written back from the data event;
   * reading pauses only while the peer is not reading its replies (write returned false).
   */
  private echoDirect(conn: Conn): void {
    const socket = conn.socket;
    socket.on("data", (chunk: Buffer) => {
      const n = chunk.length;
      conn.bytesIn += n;
      conn.bytesOut += n;
      this.counts.bytesIn += n;
      this.counts.bytesOut += n;
      if (!socket.write(chunk)) {
        socket.pause();
        socket.once("drain", () => {
          if (!this.closing && !conn.ended) socket.resume();
        });
      }
    });
  }

  /** Any other handler: one chunk at a time through the session, reading paused meanwhile. */
  private readIntoSession(conn: Conn): void {
    const socket = conn.socket;
    socket.on("data", (chunk: Buffer) => {
      conn.bytesIn += chunk.length;
      this.counts.bytesIn += chunk.length;
      socket.pause();
      conn.chain = conn.chain
        .then(() => conn.session.write(chunk))
        .then(
          () => {
            if (!this.closing) socket.resume();
          },
          (e: unknown) => {
            conn.reason = "error";
            this.warn(e);
            socket.destroy();
          },
        );
    });
  }

  private send(conn: Conn, data: Uint8Array): Promise<void> {
    const s = conn.socket;
    if (s.destroyed || s.writableEnded) return Promise.resolve();
    conn.bytesOut += data.byteLength;
    this.counts.bytesOut += data.byteLength;
    if (s.write(data)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        s.off("drain", done);
        s.off("close", done);
        resolve();
      };
      s.on("drain", done);
      s.on("close", done);
    });
  }

  /** No more input for this connection: let the handler flush, then shut down our write side. */
  private finish(conn: Conn): void {
    if (conn.ended) return;
    conn.ended = true;
    conn.chain = conn.chain
      .then(() => conn.session.end())
      .catch((e: unknown) => this.warn(e))
      .then(() => {
        if (!conn.socket.destroyed) conn.socket.end();
      });
  }

  /**
   * Graceful stop: stop accepting, stop reading, let every connection's in-flight reply finish and
   * shut down its write side; after `graceMs` cut what is left. Resolves with the final statistics.
   */
  close(): Promise<TcpServerStats> {
    this.closing ??= (async () => {
      const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      const all = [...this.conns];
      const closed = all.map((c) => new Promise<void>((resolve) => c.socket.once("close", () => resolve())));
      for (const c of all) {
        c.socket.pause();
        if (!c.ended) c.reason = "stopped";
        this.finish(c);
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(closed),
        new Promise((r) => (timer = setTimeout(r, this.opts.graceMs ?? 2000))),
      ]);
      clearTimeout(timer);
      for (const c of this.conns) c.socket.destroy();
      await Promise.all(closed);
      await listenerClosed;
      const stats = this.stats();
      publish("close", { proto: this.proto, stats });
      this.emit("close", stats);
      return stats;
    })();
    return this.closing;
  }
}

/**
 * Listen and start serving. Resolves once listening.
 * @throws ERR_ADDR_IN_USE naming host:port (or the path); ERR_HOST_NOT_FOUND; ERR_HANDLER;
 * ParseError for a bad allow/deny entry.
 */
export async function startTcpServer(opts: TcpServerOptions = {}): Promise<TcpServer> {
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false });
  const ts = new TcpServer(server, opts); // validates handler and ACL first
  let where: string;
  /** `{ fd }`: a listening socket made elsewhere (Node's `listen(handle)` form). */
  let listenOpts: net.ListenOptions | { fd: number };
  if (opts.path !== undefined && isAbstractName(opts.path)) {
    // Node pads abstract names to 108 bytes: bind the exact name through libc, then hand over the fd.
    where = abstractDisplay(opts.path);
    try {
      listenOpts = { fd: listenAbstractStream(opts.path, opts.backlog ?? 511) };
    } catch (e) {
      throw socketError(e, "listen on", where);
    }
  } else if (opts.path !== undefined) {
    where = opts.path;
    listenOpts = { path: opts.path, backlog: opts.backlog ?? 511 };
  } else {
    const { address } = await resolveHost(opts.host ?? "0.0.0.0");
    where = hostPort(address, opts.port ?? 0);
    listenOpts = {
      host: address,
      port: opts.port ?? 0,
      ipv6Only: opts.ipv6Only === true,
      backlog: opts.backlog ?? 511,
    };
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(socketError(e, "listen on", where));
    server.once("error", onError);
    server.listen(listenOpts as net.ListenOptions, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const a = ts.address;
  publish("listen", { proto: ts.proto, ...a });
  ts.emit("listening", a);
  if (opts.signal) {
    if (opts.signal.aborted) void ts.close();
    else opts.signal.addEventListener("abort", () => void ts.close(), { once: true });
  }
  return ts;
}

/** Listen on a Unix stream socket at `path` (same options as TCP, without host/port). */
export function startUnixServer(
  opts: Omit<TcpServerOptions, "host" | "port" | "ipv6Only"> & { path: string },
) {
  return startTcpServer(opts);
}
