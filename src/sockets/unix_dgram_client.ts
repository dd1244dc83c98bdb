/**
 * Unix datagram client (AF_UNIX, SOCK_DGRAM) through the FFI layer: bound (to `localPath`, or an
 * automatic abstract `@name`) so that replies can reach it, connected to the server's path.
 *
 * @example
 * import { unixDgramRequest } from "netkit";
 * const r = await unixDgramRequest({ path: "/tmp/notes.sock", message: "Hello, server!", timeout: 1000 });
 */
import { rmSync } from "node:fs";
import { NetkitError } from "../errors.js";
import type { UnixDatagram, UnixDgramSocket } from "../native/unix_dgram.js";
import { socketError } from "./socket_error.js";
import { BATCH, MAX_QUEUE, openSocket, sendWithRetry } from "./unix_dgram_socket.js";

export interface UnixDgramClientOptions {
  /** The server's path (or @name). */
  path: string;
  /** Bind here to get replies at a known path; default: an automatic abstract name. */
  localPath?: string;
  buffer?: number;
}

export interface UnixDgramReply {
  data: Buffer;
  size: number;
  truncated: boolean;
  from: string | null;
}

/** A connected Unix datagram client; async-iterable over replies. */
export class UnixDgramClient {
  private inbox: UnixDgramReply[] = [];
  private waiters: { resolve: (d: UnixDgramReply) => void; reject: (e: Error) => void }[] = [];
  private closed = false;
  private readonly stopWatch: () => void;

  private constructor(
    readonly socket: UnixDgramSocket,
    private readonly opts: UnixDgramClientOptions,
  ) {
    this.stopWatch = socket.watch(() => {
      const max = opts.buffer ?? 65535;
      for (let i = 0; i < BATCH; i++) {
        let d: UnixDatagram | null;
        try {
          d = socket.recv(max);
        } catch (e) {
          for (const w of this.waiters.splice(0)) w.reject(socketError(e, "receive on", opts.path));
          return;
        }
        if (d === null) return;
        const r: UnixDgramReply = { data: d.data, size: d.size, truncated: d.size > max, from: d.from };
        const w = this.waiters.shift();
        if (w) w.resolve(r);
        else if (this.inbox.length < MAX_QUEUE) this.inbox.push(r);
      }
    });
  }

  /**
   * Open, bind (localPath or autobind) and connect to `path`.
   * @throws ERR_CONN_REFUSED when nothing is bound at `path`; ERR_NOT_IMPLEMENTED without FFI.
   */
  static async open(opts: UnixDgramClientOptions): Promise<UnixDgramClient> {
    const sock = openSocket();
    try {
      sock.bind(opts.localPath);
    } catch (e) {
      sock.close();
      throw socketError(e, "bind", opts.localPath ?? "(auto)");
    }
    try {
      sock.connect(opts.path);
    } catch (e) {
      sock.close();
      throw socketError(e, "connect to", opts.path);
    }
    return new UnixDgramClient(sock, opts);
  }

  /** Our address (a path or an automatic @name). */
  get local(): string | null {
    return this.socket.localAddress();
  }

  async send(data: string | Uint8Array): Promise<void> {
    const buf = typeof data === "string" ? Buffer.from(data) : data;
    try {
      if (!(await sendWithRetry(this.socket, buf)))
        throw new NetkitError(
          "ERR_SOCKET_TIMEOUT",
          `send to ${this.opts.path}: the receiver's queue stayed full`,
        );
    } catch (e) {
      throw socketError(e, "send to", this.opts.path);
    }
  }

  /** The next datagram. @throws ERR_SOCKET_TIMEOUT after `timeout` ms. */
  receive(timeout?: number): Promise<UnixDgramReply> {
    const ready = this.inbox.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closed) return Promise.reject(new NetkitError("ERR_IO", "the client is closed"));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const w = {
        resolve: (d: UnixDgramReply) => {
          clearTimeout(timer);
          resolve(d);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      if (timeout !== undefined)
        timer = setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(
            new NetkitError("ERR_SOCKET_TIMEOUT", `no reply from ${this.opts.path} within ${timeout} ms`),
          );
        }, timeout);
      this.waiters.push(w);
    });
  }

  /** Send and wait for one reply, retrying on timeout. */
  async request(
    data: string | Uint8Array,
    opts: { timeout?: number; retries?: number } = {},
  ): Promise<UnixDgramReply> {
    let last: unknown;
    for (let i = 0; i <= (opts.retries ?? 0); i++) {
      await this.send(data);
      try {
        return await this.receive(opts.timeout ?? 2000);
      } catch (e) {
        last = e;
        if (!(e instanceof NetkitError) || e.code !== "ERR_SOCKET_TIMEOUT") throw e;
      }
    }
    throw last;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<UnixDgramReply> {
    while (!this.closed) {
      try {
        yield await this.receive();
      } catch (e) {
        if (this.closed) return;
        throw e;
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWatch();
    for (const w of this.waiters.splice(0)) w.reject(new NetkitError("ERR_IO", "the client is closed"));
    this.socket.close();
    if (this.opts.localPath !== undefined && !this.opts.localPath.startsWith("@"))
      rmSync(this.opts.localPath, { force: true });
  }
}

/** Open, send `message`, wait for one reply, close. */
export async function unixDgramRequest(
  opts: UnixDgramClientOptions & { message: string | Uint8Array; timeout?: number; retries?: number },
): Promise<UnixDgramReply> {
  const c = await UnixDgramClient.open(opts);
  try {
    return await c.request(opts.message, opts);
  } finally {
    await c.close();
  }
}
