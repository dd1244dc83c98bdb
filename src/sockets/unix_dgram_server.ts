/**
 * Unix datagram server (AF_UNIX, SOCK_DGRAM) — the notes' UDP server over a socket file, on top
 * of the FFI layer in src/native (client: unix_dgram_client.ts). Same behaviour as UDP: the receive
 * size truncates and is counted (the kernel reports the real size with MSG_TRUNC), zero-length
 * datagrams are delivered, a peer that is gone is ERR_CONN_REFUSED. A client that wants replies
 * must be bound: unbound, it gets an automatic abstract name (`@xxxxx`).
 *
 * @example
 * import { startUnixDgramServer, unixDgramRequest } from "netkit";
 * const server = await startUnixDgramServer({ path: "/tmp/notes.sock", handler: "upper" });
 * const r = await unixDgramRequest({ path: "/tmp/notes.sock", message: "Hello, server!" });
 * r.data.toString(); // → "HELLO, SERVER!"
 * await server.close(); // removes /tmp/notes.sock
 */
import { EventEmitter } from "node:events";
import { rmSync } from "node:fs";
import type { UnixDatagram, UnixDgramSocket } from "../native/unix_dgram.js";
import { publish } from "./events.js";
import { type Handler, type HandlerSession, type HandlerSpec, resolveHandler } from "./handlers.js";
import { socketError } from "./socket_error.js";
import { BATCH, MAX_QUEUE, openSocket, sendWithRetry } from "./unix_dgram_socket.js";

export interface UnixDgramServerOptions {
  /** Socket file path, or `@name` for a Linux abstract name. */
  path: string;
  handler?: HandlerSpec;
  /** Receive size; longer datagrams are cut and counted. Default 65535. */
  buffer?: number;
  peerIdleTimeout?: number;
  maxPeers?: number;
  lockToFirstPeer?: boolean;
  graceMs?: number;
  signal?: AbortSignal;
}

export interface UnixDgramServerStats {
  datagrams: number;
  bytesIn: number;
  bytesOut: number;
  replies: number;
  empty: number;
  truncated: number;
  /** Datagrams from unbound senders: there is no address to answer to. */
  unaddressed: number;
  dropped: number;
  errors: number;
  peers: number;
  durationMs: number;
}

export interface UnixDatagramEvent {
  from: string | null;
  size: number;
  truncated: boolean;
}

interface Peer {
  key: string;
  session: HandlerSession;
  chain: Promise<void>;
  queued: number;
  timer: NodeJS.Timeout | undefined;
}

/** A running Unix datagram server. Events: `datagram`, `truncated`, `warning`, `close`. */
export class UnixDgramServer extends EventEmitter {
  readonly handler: Handler;
  private readonly peers = new Map<string, Peer>();
  private readonly started = Date.now();
  private locked: string | undefined;
  private closing: Promise<UnixDgramServerStats> | undefined;
  private stopWatch: () => void = () => {};
  private readonly counts = {
    datagrams: 0,
    bytesIn: 0,
    bytesOut: 0,
    replies: 0,
    empty: 0,
    truncated: 0,
    unaddressed: 0,
    dropped: 0,
    errors: 0,
    peers: 0,
  };

  /** @internal use {@link startUnixDgramServer} */
  constructor(
    readonly socket: UnixDgramSocket,
    private readonly opts: UnixDgramServerOptions,
  ) {
    super();
    this.handler = resolveHandler(opts.handler);
  }

  get address(): { path: string } {
    return { path: this.opts.path };
  }

  stats(): UnixDgramServerStats {
    return { ...this.counts, durationMs: Date.now() - this.started };
  }

  /** @internal */
  start(): void {
    this.stopWatch = this.socket.watch(() => this.drain());
  }

  private warn(e: unknown): void {
    this.counts.errors++;
    const err = socketError(e, "unix-dgram", this.opts.path);
    publish("error", { proto: "unix-dgram", error: err });
    this.emit("warning", err);
  }

  private drain(): void {
    if (this.closing) return;
    const limit = this.opts.buffer ?? 65535;
    for (let i = 0; i < BATCH; i++) {
      let d: UnixDatagram | null;
      try {
        d = this.socket.recv(limit);
      } catch (e) {
        this.warn(e);
        return;
      }
      if (d === null) return;
      this.onDatagram(d, limit);
    }
  }

  private onDatagram(d: UnixDatagram, limit: number): void {
    const truncated = d.size > limit;
    const ev: UnixDatagramEvent = { from: d.from, size: d.size, truncated };
    const key = d.from ?? "";
    if (this.opts.lockToFirstPeer && d.from !== null) {
      this.locked ??= key;
      if (this.locked !== key) {
        this.counts.dropped++;
        return;
      }
    }
    this.counts.datagrams++;
    this.counts.bytesIn += d.data.length;
    if (d.size === 0) this.counts.empty++;
    if (truncated) {
      this.counts.truncated++;
      this.emit("truncated", ev);
      publish("truncated", { proto: "unix-dgram", path: this.opts.path, ...ev });
    }
    this.emit("datagram", ev);
    publish("datagram", { proto: "unix-dgram", path: this.opts.path, ...ev });
    if (d.from === null) {
      this.counts.unaddressed++;
      return;
    }
    const peer = this.peerFor(d.from);
    if (peer === undefined || peer.queued >= MAX_QUEUE) {
      this.counts.dropped++;
      return;
    }
    peer.queued++;
    this.touch(peer);
    peer.chain = peer.chain
      .then(() => peer.session.write(d.data))
      .catch((e: unknown) => this.warn(e))
      .finally(() => {
        peer.queued--;
      });
  }

  private peerFor(from: string): Peer | undefined {
    const existing = this.peers.get(from);
    if (existing) return existing;
    if (this.opts.maxPeers !== undefined && this.peers.size >= this.opts.maxPeers) return undefined;
    const session = this.handler.open({
      proto: "unix",
      framing: "datagram",
      remoteAddress: from,
      remotePort: 0,
      localAddress: this.opts.path,
      localPort: 0,
      send: async (data) => {
        try {
          if (await sendWithRetry(this.socket, data, from)) {
            this.counts.replies++;
            this.counts.bytesOut += data.byteLength;
          } else this.counts.dropped++;
        } catch (e) {
          this.warn(e);
        }
      },
    });
    const peer: Peer = { key: from, session, chain: Promise.resolve(), queued: 0, timer: undefined };
    session.onDone = () => this.dropPeer(peer);
    this.peers.set(from, peer);
    this.counts.peers++;
    return peer;
  }

  private touch(peer: Peer): void {
    if (peer.timer) clearTimeout(peer.timer);
    peer.timer = setTimeout(() => {
      peer.chain.then(() => peer.session.end()).catch((e: unknown) => this.warn(e));
      this.dropPeer(peer);
    }, this.opts.peerIdleTimeout ?? 30_000);
    peer.timer.unref();
  }

  private dropPeer(peer: Peer): void {
    if (this.peers.get(peer.key) !== peer) return;
    if (peer.timer) clearTimeout(peer.timer);
    this.peers.delete(peer.key);
  }

  /** Stop: let in-flight replies finish (graceMs), close the socket, remove the socket file. */
  close(): Promise<UnixDgramServerStats> {
    this.closing ??= (async () => {
      this.stopWatch();
      const all = [...this.peers.values()];
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(all.map((p) => p.chain.then(() => p.session.end()))),
        new Promise((r) => (timer = setTimeout(r, this.opts.graceMs ?? 2000))),
      ]);
      clearTimeout(timer);
      for (const p of all) {
        p.session.destroy();
        this.dropPeer(p);
      }
      this.socket.close();
      if (!this.opts.path.startsWith("@")) rmSync(this.opts.path, { force: true });
      const stats = this.stats();
      publish("close", { proto: "unix-dgram", stats });
      this.emit("close", stats);
      return stats;
    })();
    return this.closing;
  }
}

/**
 * Bind a Unix datagram socket at `path` and serve.
 * @throws ERR_ADDR_IN_USE when the path exists; ERR_NOT_IMPLEMENTED without the FFI layer.
 */
export async function startUnixDgramServer(opts: UnixDgramServerOptions): Promise<UnixDgramServer> {
  resolveHandler(opts.handler); // validate before creating anything
  const sock = openSocket();
  try {
    sock.bind(opts.path);
  } catch (e) {
    sock.close();
    throw socketError(e, "bind", opts.path);
  }
  const server = new UnixDgramServer(sock, opts);
  server.start();
  publish("listen", { proto: "unix-dgram", path: opts.path });
  if (opts.signal) {
    if (opts.signal.aborted) void server.close();
    else opts.signal.addEventListener("abort", () => void server.close(), { once: true });
  }
  return server;
}
