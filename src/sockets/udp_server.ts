/**
 * A UDP server: the notes' loop (`bind`, `recvfrom(buffer)`, `process_data`, `sendto`) with the
 * traps removed. A datagram longer than the receive size is truncated like `recvfrom(1024)` would,
 * but counted and reported (event `truncated`) instead of lost silently; zero-length datagrams are
 * delivered; invalid UTF-8 never crashes it; errors from the socket are counted, never thrown.
 * One handler session per peer (address, port), closed after `peerIdleTimeout`.
 *
 * @example
 * import { startUdpServer } from "netkit";
 * const server = await startUdpServer({ host: "127.0.0.1", port: 0, handler: "upper", buffer: 1024 });
 * console.log(server.address.port);           // the port the kernel chose
 * const stats = await server.close();         // { datagrams, truncated, … }
 */
import dgram from "node:dgram";
import { EventEmitter } from "node:events";
import { NetkitError } from "../errors.js";
import { AccessList, type AccessOptions } from "./access_list.js";
import { publish } from "./events.js";
import { type Handler, type HandlerSession, type HandlerSpec, resolveHandler } from "./handlers.js";
import { literalFamily, resolveHost } from "./resolve_host.js";
import { hostPort, socketError } from "./socket_error.js";

export interface MulticastOptions {
  /** The group to join, e.g. 239.1.2.3 or ff02::1234. */
  group: string;
  /** Local interface address to join on (127.0.0.1 for loopback tests). */
  interface?: string;
  /** TTL / hop limit of sent multicast (default 1). */
  ttl?: number;
  /** Receive our own multicast (default true). */
  loopback?: boolean;
}

export interface UdpServerOptions extends AccessOptions {
  /** Address to bind: "0.0.0.0" (default, the notes' ''), "::" (dual-stack), "127.0.0.1", a name. */
  host?: string;
  /** Port to bind; 0 lets the kernel choose (read it from `server.address.port`). */
  port?: number;
  /** With host "::": accept IPv6 only (no IPv4-mapped peers). */
  ipv6Only?: boolean;
  /** What to do with each datagram (default "echo"). */
  handler?: HandlerSpec;
  /** Receive size in bytes, like recvfrom(1024): longer datagrams are cut and counted. Default 65535. */
  buffer?: number;
  /** SO_REUSEADDR, needed when several listeners share a multicast port. */
  reuseAddr?: boolean;
  /** Allow sending to broadcast addresses (SO_BROADCAST). */
  broadcast?: boolean;
  /** TTL (IPv6: hop limit) of the server's unicast datagrams, its replies: 1–255 (default: the system's, 64). */
  ttl?: number;
  /** Join a multicast group. */
  multicast?: MulticastOptions;
  /** Close a peer's handler session after this many ms without datagrams (default 30 000). */
  peerIdleTimeout?: number;
  /** Most peer sessions at once; datagrams from further peers are dropped and counted. */
  maxPeers?: number;
  /** Reply only to the first peer (netcat `-u -l` without -k). */
  lockToFirstPeer?: boolean;
  /** How long close() lets in-flight replies finish before cutting them (default 2000 ms). */
  graceMs?: number;
  /** Aborting closes the server like close(). */
  signal?: AbortSignal;
}

export interface UdpServerStats {
  datagrams: number;
  bytesIn: number;
  bytesOut: number;
  replies: number;
  empty: number;
  truncated: number;
  denied: number;
  dropped: number;
  errors: number;
  peers: number;
  durationMs: number;
}

export interface DatagramEvent {
  remoteAddress: string;
  remotePort: number;
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

/** Most datagrams waiting for one peer's handler; more are dropped (bounded memory). */
const MAX_QUEUE = 1024;

/**
 * A running UDP server. Events: `listening`, `datagram` ({@link DatagramEvent}), `truncated`,
 * `denied`, `reply`, `peer`, `peerClose`, `warning` (an Error; never thrown), `close` (stats).
 */
export class UdpServer extends EventEmitter {
  readonly socket: dgram.Socket;
  readonly handler: Handler;
  private readonly acl: AccessList;
  private readonly peers = new Map<string, Peer>();
  private readonly started = Date.now();
  private readonly counts = {
    datagrams: 0,
    bytesIn: 0,
    bytesOut: 0,
    replies: 0,
    empty: 0,
    truncated: 0,
    denied: 0,
    dropped: 0,
    errors: 0,
    peers: 0,
  };
  private closing: Promise<UdpServerStats> | undefined;
  private locked: string | undefined;

  /** @internal use {@link startUdpServer} */
  constructor(
    socket: dgram.Socket,
    private readonly opts: UdpServerOptions,
  ) {
    super();
    this.socket = socket;
    this.handler = resolveHandler(opts.handler);
    this.acl = AccessList.from(opts);
    socket.on("message", (msg, rinfo) => this.onMessage(msg, rinfo));
    socket.on("error", (e) => this.warn(e));
  }

  /** The bound address and port. */
  get address(): { address: string; port: number; family: string } {
    return this.socket.address();
  }

  /** Counters so far. */
  stats(): UdpServerStats {
    return { ...this.counts, durationMs: Date.now() - this.started };
  }

  private note(name: "datagram" | "truncated" | "denied", ev: DatagramEvent): void {
    this.emit(name, ev);
    publish(name, { proto: "udp", local: this.address, ...ev });
  }

  private warn(e: unknown): void {
    this.counts.errors++;
    const err = socketError(e, "udp", hostPort(this.address.address, this.address.port));
    publish("error", { proto: "udp", error: err });
    this.emit("warning", err);
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.closing) return;
    const size = msg.length;
    const limit = this.opts.buffer ?? 65535;
    const truncated = size > limit;
    const ev: DatagramEvent = { remoteAddress: rinfo.address, remotePort: rinfo.port, size, truncated };
    if (!this.acl.permits(rinfo.address)) {
      this.counts.denied++;
      this.note("denied", ev);
      return;
    }
    const key = hostPort(rinfo.address, rinfo.port);
    if (this.opts.lockToFirstPeer) {
      this.locked ??= key;
      if (this.locked !== key) {
        this.counts.dropped++;
        return;
      }
    }
    this.counts.datagrams++;
    this.counts.bytesIn += Math.min(size, limit);
    if (size === 0) this.counts.empty++;
    if (truncated) {
      this.counts.truncated++;
      this.note("truncated", ev);
    }
    this.note("datagram", ev);
    const peer = this.peerFor(key, rinfo);
    if (peer === undefined) {
      this.counts.dropped++;
      return;
    }
    if (peer.queued >= MAX_QUEUE) {
      this.counts.dropped++;
      return;
    }
    const data = truncated ? msg.subarray(0, limit) : msg;
    peer.queued++;
    this.touch(peer);
    peer.chain = peer.chain
      .then(() => peer.session.write(data))
      .catch((e: unknown) => this.warn(e))
      .finally(() => {
        peer.queued--;
      });
  }

  private peerFor(key: string, rinfo: dgram.RemoteInfo): Peer | undefined {
    const existing = this.peers.get(key);
    if (existing) return existing;
    if (this.opts.maxPeers !== undefined && this.peers.size >= this.opts.maxPeers) return undefined;
    const local = this.address;
    const session = this.handler.open({
      proto: "udp",
      framing: "datagram",
      remoteAddress: rinfo.address,
      remotePort: rinfo.port,
      localAddress: local.address,
      localPort: local.port,
      send: (data) => this.sendTo(data, rinfo.port, rinfo.address),
    });
    const peer: Peer = { key, session, chain: Promise.resolve(), queued: 0, timer: undefined };
    session.onDone = () => this.dropPeer(peer);
    this.peers.set(key, peer);
    this.counts.peers++;
    this.emit("peer", { remoteAddress: rinfo.address, remotePort: rinfo.port });
    return peer;
  }

  private touch(peer: Peer): void {
    if (peer.timer) clearTimeout(peer.timer);
    const ms = this.opts.peerIdleTimeout ?? 30_000;
    peer.timer = setTimeout(() => {
      peer.chain.then(() => peer.session.end()).catch((e: unknown) => this.warn(e));
      this.dropPeer(peer);
    }, ms);
    peer.timer.unref();
  }

  private dropPeer(peer: Peer): void {
    if (this.peers.get(peer.key) !== peer) return;
    if (peer.timer) clearTimeout(peer.timer);
    this.peers.delete(peer.key);
    this.emit("peerClose", { peer: peer.key });
  }

  /** Send one datagram to a peer; resolves when the kernel took it. Errors are counted, not thrown. */
  sendTo(data: Uint8Array, port: number, address: string): Promise<void> {
    return new Promise((resolve) => {
      this.socket.send(data, port, address, (e) => {
        if (e) this.warn(e);
        else {
          this.counts.replies++;
          this.counts.bytesOut += data.byteLength;
          this.emit("reply", { remoteAddress: address, remotePort: port, size: data.byteLength });
        }
        // Resolve on the next turn: dgram calls back synchronously when the send completed at once.
        setImmediate(resolve);
      });
    });
  }

  /**
   * Stop: no new datagrams; in-flight replies get `graceMs` to finish; then the socket closes.
   * Resolves with the final statistics. Calling it again returns the same promise.
   */
  close(): Promise<UdpServerStats> {
    this.closing ??= (async () => {
      const grace = this.opts.graceMs ?? 2000;
      const all = [...this.peers.values()];
      const finishing = Promise.allSettled(all.map((p) => p.chain.then(() => p.session.end())));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([finishing, new Promise((r) => (timer = setTimeout(r, grace)))]);
      clearTimeout(timer);
      for (const p of all) {
        p.session.destroy();
        this.dropPeer(p);
      }
      await new Promise<void>((resolve) => this.socket.close(() => resolve()));
      const stats = this.stats();
      publish("close", { proto: "udp", stats });
      this.emit("close", stats);
      return stats;
    })();
    return this.closing;
  }
}

/**
 * Bind a UDP socket and start serving. Resolves once bound.
 * @throws ERR_ADDR_IN_USE (naming host:port) when the port is taken; ERR_HOST_NOT_FOUND;
 * ERR_HANDLER for an unknown handler; ParseError for a bad allow/deny entry.
 */
export async function startUdpServer(opts: UdpServerOptions = {}): Promise<UdpServer> {
  const hostName = opts.host ?? "0.0.0.0";
  const { address, family } = await resolveHost(hostName);
  const socket = dgram.createSocket({
    type: family === 6 ? "udp6" : "udp4",
    ipv6Only: opts.ipv6Only === true,
    reuseAddr: opts.reuseAddr === true || opts.multicast !== undefined,
  });
  const server = new UdpServer(socket, opts); // validates handler and ACL before binding
  const port = opts.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => {
      socket.close();
      reject(socketError(e, "bind", hostPort(address, port)));
    };
    socket.once("error", onError);
    socket.bind(port, address, () => {
      socket.off("error", onError);
      resolve();
    });
  });
  try {
    if (opts.broadcast) socket.setBroadcast(true);
    if (opts.ttl !== undefined) socket.setTTL(opts.ttl);
    const m = opts.multicast;
    if (m) {
      if (literalFamily(m.group) === undefined)
        throw new NetkitError("ERR_ADDR_SYNTAX", `bad multicast group ${m.group}`);
      socket.addMembership(m.group, m.interface);
      if (m.interface) socket.setMulticastInterface(m.interface);
      socket.setMulticastTTL(m.ttl ?? 1);
      socket.setMulticastLoopback(m.loopback ?? true);
    }
  } catch (e) {
    socket.close();
    throw socketError(e, "set option on", hostPort(address, port));
  }
  const a = server.address;
  publish("listen", { proto: "udp", address: a.address, port: a.port, family: a.family });
  server.emit("listening", a);
  if (opts.signal) {
    if (opts.signal.aborted) void server.close();
    else opts.signal.addEventListener("abort", () => void server.close(), { once: true });
  }
  return server;
}
