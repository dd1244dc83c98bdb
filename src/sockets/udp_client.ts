/**
 * A UDP client: the notes' `sendto` + `recvfrom`, with timeouts and retries. By default the socket
 * is connected to the server, so the kernel filters replies from anyone else and an ICMP "port
 * unreachable" comes back as ERR_CONN_REFUSED instead of a silent wait. Unbound, the kernel picks
 * an ephemeral port (it changes each run); `localPort` keeps a fixed one.
 *
 * @example
 * import { udpRequest } from "netkit";
 * const reply = await udpRequest({ host: "127.0.0.1", port: 2000, message: "Hello, server!", timeout: 1000 });
 * console.log(`Received response: ${reply.data.toString("utf8")}`);
 */
import dgram from "node:dgram";
import { NetkitError } from "../errors.js";
import { resolveHost } from "./resolve_host.js";
import { hostPort, socketError } from "./socket_error.js";

export interface UdpClientOptions {
  host: string;
  port: number;
  /** Prefer this IP version when `host` is a name. */
  family?: 4 | 6;
  /** Refuse names (netcat -n). */
  numericOnly?: boolean;
  /** Bind to this local address / port first (a bound client keeps its port). */
  localAddress?: string;
  localPort?: number;
  /** Connect the socket (default: yes, unless broadcast or a multicast destination). */
  connect?: boolean;
  /** SO_BROADCAST, needed to send to a broadcast address. */
  broadcast?: boolean;
  /** TTL (IPv6: hop limit) of unicast and broadcast datagrams sent: 1–255 (default: the system's, 64). */
  ttl?: number;
  /** Multicast sending: TTL (0: never leaves this host), loop back to this host, outgoing interface address. */
  multicastTtl?: number;
  multicastLoopback?: boolean;
  multicastInterface?: string;
  /** Receive size like recvfrom(N): longer datagrams are cut and flagged `truncated`. Default 65535. */
  buffer?: number;
}

export interface Datagram {
  data: Buffer;
  /** The datagram's real size (more than data.length when truncated). */
  size: number;
  truncated: boolean;
  address: string;
  port: number;
}

export interface RequestOptions {
  /** Wait this long for each reply, in ms (default 2000). */
  timeout?: number;
  /** Send again this many times when no reply comes (default 0). */
  retries?: number;
  signal?: AbortSignal;
}

/** Most received datagrams held unread; older ones are dropped and counted (bounded memory). */
const MAX_INBOX = 1024;

function isMulticast(address: string, family: 4 | 6): boolean {
  if (family === 6) return address.toLowerCase().startsWith("ff");
  const first = Number(address.split(".")[0]);
  return first >= 224 && first <= 239;
}

/** An open UDP client socket. Async-iterable over the datagrams it receives. */
export class UdpClient {
  private inbox: Datagram[] = [];
  private waiters: { resolve: (d: Datagram) => void; reject: (e: Error) => void }[] = [];
  private failure: NetkitError | undefined;
  private refused: NetkitError | undefined;
  private closed = false;
  /** Datagrams dropped because nobody read them in time. */
  dropped = 0;
  /** Datagrams that were longer than the receive size. */
  truncated = 0;

  private constructor(
    readonly socket: dgram.Socket,
    readonly remote: { address: string; port: number },
    readonly connected: boolean,
    private readonly buffer: number,
  ) {
    socket.on("message", (msg, rinfo) => {
      const truncated = msg.length > this.buffer;
      if (truncated) this.truncated++;
      const d: Datagram = {
        data: truncated ? msg.subarray(0, this.buffer) : msg,
        size: msg.length,
        truncated,
        address: rinfo.address,
        port: rinfo.port,
      };
      const w = this.waiters.shift();
      if (w) w.resolve(d);
      else {
        if (this.inbox.length >= MAX_INBOX) {
          this.inbox.shift();
          this.dropped++;
        }
        this.inbox.push(d);
      }
    });
    socket.on("error", (e) => {
      const err = socketError(e, "udp", hostPort(remote.address, remote.port));
      // ECONNREFUSED is per send (the ICMP answer to one datagram): fail the waiters, keep the socket.
      const waiting = this.waiters.splice(0);
      for (const w of waiting) w.reject(err);
      if (err.code !== "ERR_CONN_REFUSED") this.failure = err;
      else if (waiting.length === 0) this.refused = err; // arrived before anyone asked: keep it for the next receive
    });
  }

  /**
   * Open a client socket (bound and, by default, connected).
   * @throws ERR_HOST_NOT_FOUND, ERR_ADDR_IN_USE (localPort taken), ERR_ADDR_NOT_AVAILABLE.
   */
  static async open(opts: UdpClientOptions): Promise<UdpClient> {
    const { address, family } = await resolveHost(opts.host, opts.family, opts.numericOnly);
    // A local address goes through the same parser (a name is resolved in the target's family).
    const localAddress =
      opts.localAddress === undefined
        ? undefined
        : (await resolveHost(opts.localAddress, family, opts.numericOnly)).address;
    const socket = dgram.createSocket(family === 6 ? "udp6" : "udp4");
    const connect = opts.connect ?? !(opts.broadcast || isMulticast(address, family));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.bind({ port: opts.localPort ?? 0, address: localAddress }, () => {
          socket.off("error", reject);
          resolve();
        });
      });
    } catch (e) {
      socket.close();
      throw socketError(e, "bind", hostPort(localAddress ?? "*", opts.localPort ?? 0));
    }
    try {
      if (opts.broadcast) socket.setBroadcast(true);
      if (opts.ttl !== undefined) socket.setTTL(opts.ttl);
      if (opts.multicastTtl !== undefined) socket.setMulticastTTL(opts.multicastTtl);
      if (opts.multicastLoopback !== undefined) socket.setMulticastLoopback(opts.multicastLoopback);
      if (opts.multicastInterface !== undefined) socket.setMulticastInterface(opts.multicastInterface);
    } catch (e) {
      socket.close();
      throw socketError(e, "set option on", hostPort(address, opts.port));
    }
    if (connect) {
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once("error", reject);
          // Node passes a failed connect() (EACCES for a broadcast address without SO_BROADCAST)
          // to this callback, not to the "error" event.
          const done = (err?: unknown) => {
            socket.off("error", reject);
            if (err) reject(err);
            else resolve();
          };
          socket.connect(opts.port, address, done as () => void);
        });
      } catch (e) {
        socket.close();
        throw socketError(e, "connect", hostPort(address, opts.port));
      }
    }
    return new UdpClient(socket, { address, port: opts.port }, connect, opts.buffer ?? 65535);
  }

  /** The local address and port (an ephemeral port when not bound explicitly). */
  get local(): { address: string; port: number } {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  /** Send one datagram (a string is sent as UTF-8; an empty one is a real zero-length datagram). */
  send(data: string | Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    return new Promise((resolve, reject) => {
      const done = (e: Error | null) => {
        if (e) reject(socketError(e, "send to", hostPort(this.remote.address, this.remote.port)));
        else setImmediate(resolve);
      };
      if (this.connected) this.socket.send(buf, done);
      else this.socket.send(buf, this.remote.port, this.remote.address, done);
    });
  }

  /**
   * The next datagram.
   * @throws ERR_SOCKET_TIMEOUT after `timeout` ms; ERR_CONN_REFUSED when ICMP says nobody listens.
   */
  receive(timeout?: number, signal?: AbortSignal): Promise<Datagram> {
    const ready = this.inbox.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    if (this.refused) {
      const e = this.refused;
      this.refused = undefined;
      return Promise.reject(e);
    }
    if (this.closed) return Promise.reject(new NetkitError("ERR_IO", "the UDP client is closed"));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const w = {
        resolve: (d: Datagram) => {
          cleanup();
          resolve(d);
        },
        reject: (e: Error) => {
          cleanup();
          reject(e);
        },
      };
      const onAbort = () => w.reject(new NetkitError("ERR_SOCKET_TIMEOUT", "receive aborted"));
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      if (timeout !== undefined)
        timer = setTimeout(
          () =>
            w.reject(
              new NetkitError(
                "ERR_SOCKET_TIMEOUT",
                `no reply from ${hostPort(this.remote.address, this.remote.port)} within ${timeout} ms`,
              ),
            ),
          timeout,
        );
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  /**
   * Send `data` and wait for one reply, sending again up to `retries` times on timeout.
   * @throws ERR_SOCKET_TIMEOUT when every attempt timed out; ERR_CONN_REFUSED.
   */
  async request(
    data: string | Uint8Array,
    opts: RequestOptions = {},
  ): Promise<Datagram & { attempts: number }> {
    const retries = opts.retries ?? 0;
    let last: unknown;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      await this.send(data);
      try {
        const d = await this.receive(opts.timeout ?? 2000, opts.signal);
        return { ...d, attempts: attempt };
      } catch (e) {
        last = e;
        if (!(e instanceof NetkitError) || e.code !== "ERR_SOCKET_TIMEOUT" || opts.signal?.aborted) throw e;
      }
    }
    throw last;
  }

  /** Iterate over received datagrams until the client is closed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Datagram> {
    while (!this.closed) {
      try {
        yield await this.receive();
      } catch (e) {
        if (this.closed) return;
        throw e;
      }
    }
  }

  /** Close the socket; pending receives fail. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new NetkitError("ERR_IO", "the UDP client is closed"));
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/**
 * One request, one reply: open, send `message`, wait (with retries), close.
 * @throws ERR_SOCKET_TIMEOUT, ERR_CONN_REFUSED, ERR_HOST_NOT_FOUND.
 */
export async function udpRequest(
  opts: UdpClientOptions & RequestOptions & { message: string | Uint8Array },
): Promise<Datagram & { attempts: number; local: { address: string; port: number } }> {
  const client = await UdpClient.open(opts);
  try {
    const r = await client.request(opts.message, opts);
    return { ...r, local: client.local };
  } finally {
    await client.close();
  }
}
