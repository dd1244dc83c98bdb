/**
 * The iperf3 control connection over a `net.Socket` (I/O shell): exact reads, state bytes and
 * length-prefixed JSON. Reads wait for data with a deadline; a closed peer is an ERR_BENCH_PROTOCOL.
 *
 * @example
 * const ch = new ControlChannel(socket);
 * ch.writeState(State.PARAM_EXCHANGE);
 * const params = await ch.readJson(5000);
 */
import type { Socket } from "node:net";
import { NetkitError } from "../errors.js";
import { frameJson } from "./iperf_protocol.js";

/** Largest JSON object accepted on the control connection. */
const MAX_JSON = 8 * 1024 * 1024;

export class ControlChannel {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiter: (() => void) | null = null;
  private ended = false;
  private error: Error | null = null;

  constructor(
    readonly socket: Socket,
    initial?: Buffer,
  ) {
    if (initial !== undefined && initial.length > 0) {
      this.chunks.push(initial);
      this.buffered = initial.length;
    }
    socket.on("data", (d: Buffer) => {
      this.chunks.push(d);
      this.buffered += d.length;
      this.wake();
    });
    socket.on("end", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("error", (e) => {
      this.error = e;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Bytes already received and not yet read. */
  get pending(): number {
    return this.buffered;
  }

  /** True once the peer closed its side. */
  get closed(): boolean {
    return this.ended;
  }

  /** Read exactly `n` bytes, waiting at most `timeoutMs`. */
  async readExact(n: number, timeoutMs: number): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffered < n) {
      if (this.error)
        throw new NetkitError("ERR_BENCH_PROTOCOL", `control connection failed: ${this.error.message}`, {
          cause: this.error,
        });
      if (this.ended) throw new NetkitError("ERR_BENCH_PROTOCOL", "the peer closed the control connection");
      const left = deadline - Date.now();
      if (left <= 0)
        throw new NetkitError(
          "ERR_BENCH_TIMEOUT",
          `no answer on the control connection within ${timeoutMs} ms`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }

  /** Read one signed state byte. */
  async readState(timeoutMs: number): Promise<number> {
    return (await this.readExact(1, timeoutMs)).readInt8(0);
  }

  /** Read one length-prefixed JSON object. */
  async readJson(timeoutMs: number): Promise<Record<string, unknown>> {
    const len = (await this.readExact(4, timeoutMs)).readUInt32BE(0);
    if (len > MAX_JSON) throw new NetkitError("ERR_BENCH_PROTOCOL", `JSON of ${len} bytes is too large`);
    const text = (await this.readExact(len, timeoutMs)).toString("utf8");
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new NetkitError("ERR_BENCH_PROTOCOL", "the peer sent invalid JSON", { cause: e });
    }
    if (typeof v !== "object" || v === null || Array.isArray(v))
      throw new NetkitError("ERR_BENCH_PROTOCOL", "the peer sent JSON that is not an object");
    return v as Record<string, unknown>;
  }

  writeState(state: number): void {
    const b = Buffer.alloc(1);
    b.writeInt8(state, 0);
    if (!this.socket.destroyed) this.socket.write(b);
  }

  /**
   * iperf3's SERVER_ERROR: the state byte, then its error number (i_errno) and the system errno,
   * each a 32-bit big-endian integer; iperf3 clients print "SERVER ERROR - …, errno: …".
   */
  writeServerError(iperfErrno: number, sysErrno: number): void {
    const b = Buffer.alloc(9);
    b.writeInt8(-2, 0);
    b.writeInt32BE(iperfErrno, 1);
    b.writeInt32BE(sysErrno, 5);
    if (!this.socket.destroyed) this.socket.write(b);
  }

  writeJson(value: unknown): void {
    if (!this.socket.destroyed) this.socket.write(frameJson(value));
  }
}

/**
 * Read the first `n` bytes of a fresh connection (the cookie), then stop listening and pause the
 * socket. Resolves with the bytes and whatever arrived after them; rejects on close or timeout.
 */
export function readPrefix(
  socket: Socket,
  n: number,
  timeoutMs: number,
): Promise<{ head: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const done = (err: Error | null, v?: { head: Buffer; rest: Buffer }) => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.off("error", onError);
      socket.pause();
      if (err) reject(err);
      else resolve(v!);
    };
    const onData = (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (got >= n) {
        const all = Buffer.concat(parts);
        done(null, { head: all.subarray(0, n), rest: all.subarray(n) });
      }
    };
    const onClose = () =>
      done(new NetkitError("ERR_BENCH_PROTOCOL", "the peer closed the connection before its cookie"));
    const onError = (e: Error) =>
      done(new NetkitError("ERR_BENCH_PROTOCOL", `connection failed: ${e.message}`, { cause: e }));
    const timer = setTimeout(
      () => done(new NetkitError("ERR_BENCH_TIMEOUT", `no cookie within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on("data", onData);
    socket.on("close", onClose);
    socket.on("error", onError);
    socket.resume();
  });
}
