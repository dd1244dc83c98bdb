/**
 * The UDP fast path (I/O shell): streams whose datagrams move in a worker thread through
 * sendmmsg/recvmmsg (src/native/mmsg.ts), 64 per system call, instead of one `dgram` call each.
 * The main thread reads their counters from shared memory, so meters and the control connection
 * stay responsive. Used when the FFI layer loads; otherwise the `dgram` streams serve.
 *
 * @example
 * const fd = await fastUdpConnect("127.0.0.1", port);   // iperf3's UDP handshake, done natively
 * const s = new FastUdpSendStream(1, fd, 1460, 0, false);
 * s.start(); … s.stop(); await s.close();
 */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { NetkitError } from "../errors.js";
import { parseAddr } from "../ip/addr.js";
import {
  closeFd,
  EAGAIN,
  lastErrno,
  mmsgAvailable,
  udpBind,
  udpBuffers,
  udpConnect,
  udpRecv,
  udpReuseAddr,
  udpSend,
  udpSocket,
} from "../native/mmsg.js";
import { isUdpConnectReply, UDP_CONNECT_MSG, UDP_CONNECT_REPLY } from "./iperf_protocol.js";
import type { UdpReceiverSnapshot } from "./stats.js";
import type { BenchStream } from "./streams.js";

/** True when the fast path can run here (and NETKIT_NO_MMSG is not set). */
export function fastUdpAvailable(): boolean {
  return process.env.NETKIT_NO_MMSG === undefined && mmsgAvailable();
}

const family = (host: string) => parseAddr(host).version;

/** Client side: a native UDP socket connected to the server, after iperf3's 4-byte handshake. */
export async function fastUdpConnect(host: string, port: number, timeoutMs = 10_000): Promise<number> {
  const fd = fastUdpOpen(host, port);
  try {
    await fastUdpHandshake(fd, host, port, timeoutMs);
    return fd;
  } catch (e) {
    closeFd(fd);
    throw e;
  }
}

/** Client side, first half: a non-blocking native UDP socket connected to the server. */
export function fastUdpOpen(host: string, port: number): number {
  const fd = udpSocket(family(host), { nonBlocking: true });
  try {
    udpBuffers(fd, 4 * 1024 * 1024);
    udpConnect(fd, host, port);
    return fd;
  } catch (e) {
    closeFd(fd);
    throw e;
  }
}

/**
 * Client side, second half: iperf3's 4-byte handshake on a socket from {@link fastUdpOpen}. The
 * server starts its clock when the last stream's handshake arrives, so a worker for the stream is
 * best started (and held) before this runs.
 */
export async function fastUdpHandshake(
  fd: number,
  host: string,
  port: number,
  timeoutMs = 10_000,
): Promise<void> {
  if (udpSend(fd, UDP_CONNECT_MSG) < 0)
    throw new NetkitError("ERR_IO", `UDP send failed (errno ${lastErrno()})`);
  const buf = Buffer.alloc(65536);
  const deadline = Date.now() + timeoutMs;
  // Resend every 250 ms: on a lossy path the first datagram or the reply may be lost.
  let resend = Date.now() + 250;
  for (;;) {
    if (Date.now() >= resend) {
      udpSend(fd, UDP_CONNECT_MSG);
      resend = Date.now() + 250;
    }
    const n = udpRecv(fd, buf);
    if (n === 4 && isUdpConnectReply(buf.subarray(0, 4))) return;
    if (n < 0 && lastErrno() !== EAGAIN)
      throw new NetkitError(
        "ERR_IO",
        `UDP handshake with ${host} port ${port} failed (errno ${lastErrno()})`,
      );
    if (Date.now() > deadline)
      throw new NetkitError("ERR_BENCH_TIMEOUT", "the server did not answer the UDP stream's first datagram");
    if (n < 0) await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * Server side: a native socket sharing the server's UDP port (SO_REUSEADDR, as iperf3 does) and
 * connected to one client, so the kernel hands that client's datagrams to it. Sends the reply.
 */
export function fastUdpAccept(host: string, port: number, peerHost: string, peerPort: number): number {
  const fd = udpSocket(family(host), { nonBlocking: true });
  try {
    udpReuseAddr(fd);
    udpBuffers(fd, 4 * 1024 * 1024);
    udpBind(fd, host, port);
    udpConnect(fd, peerHost, peerPort);
    udpSend(fd, UDP_CONNECT_REPLY);
    return fd;
  } catch (e) {
    closeFd(fd);
    throw new NetkitError("ERR_IO", `cannot open the fast UDP path: ${(e as Error).message}`, { cause: e });
  }
}

class FastBase {
  protected readonly ctrl = new Int32Array(new SharedArrayBuffer(8));
  protected readonly nums = new Float64Array(new SharedArrayBuffer(8 * 16));
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  /** Resolves when the worker has loaded and is waiting for start(). */
  readonly ready: Promise<void>;

  constructor(
    protected readonly fd: number,
    mode: "send" | "recv",
    len: number,
    rate: number,
    counters64: boolean,
    hold = false,
  ) {
    // 3 = held: the worker leaves the socket alone until release() (the handshake reads it).
    if (hold) Atomics.store(this.ctrl, 0, 3);
    this.worker = new Worker(new URL("./udp_fast_worker.js", import.meta.url), {
      workerData: { fd, mode, len, rate, counters64, ctrl: this.ctrl.buffer, nums: this.nums.buffer },
    });
    this.ready = new Promise((resolve) => {
      this.worker.once("message", () => resolve());
      this.worker.once("exit", () => resolve());
    });
    this.exited = new Promise((resolve) => {
      this.worker.once("exit", () => resolve());
      this.worker.once("error", () => resolve());
    });
  }

  /** Let a held worker (constructed with `hold`) watch its socket: the handshake is done. */
  release(): void {
    Atomics.compareExchange(this.ctrl, 0, 3, 0);
    Atomics.notify(this.ctrl, 0);
  }

  start(): void {
    if (this.nums[15] === 0) this.nums[15] = performance.timeOrigin + performance.now();
    Atomics.store(this.ctrl, 0, 1);
    Atomics.notify(this.ctrl, 0);
  }

  stop(): void {
    Atomics.store(this.ctrl, 0, 2);
    Atomics.notify(this.ctrl, 0);
  }

  /** Stop the worker, wait for it, close the socket. */
  async close(): Promise<void> {
    this.stop();
    await this.exited;
    if (this.closed) return;
    this.closed = true;
    closeFd(this.fd);
  }
  private closed = false;
}

/** Sends at `rate` bit/s (0 = unlimited) from a worker with sendmmsg. */
export class FastUdpSendStream extends FastBase implements BenchStream {
  readonly sender = true;
  readonly udp = null;
  constructor(
    readonly id: number,
    fd: number,
    len: number,
    rate: number,
    counters64: boolean,
    hold = false,
  ) {
    super(fd, "send", len, rate, counters64, hold);
  }
  get bytes(): number {
    return this.nums[0]!;
  }
  get packets(): number {
    return this.nums[1]!;
  }
}

/** Receives in a worker with recvmmsg; statistics computed there, read here. */
export class FastUdpReceiveStream extends FastBase implements BenchStream {
  readonly sender = false;
  readonly packets = 0;
  readonly udp = { snapshot: (): UdpReceiverSnapshot => this.read() };
  constructor(
    readonly id: number,
    fd: number,
    len: number,
    counters64: boolean,
    hold = false,
  ) {
    super(fd, "recv", len, 0, counters64, hold);
  }
  get bytes(): number {
    return this.read().bytes;
  }
  private read(): UdpReceiverSnapshot {
    for (;;) {
      const v = Atomics.load(this.ctrl, 1);
      const n = Array.from(this.nums.subarray(0, 12));
      if (v % 2 === 0 && Atomics.load(this.ctrl, 1) === v) {
        return {
          bytes: n[0]!,
          iperf: { packets: n[1]!, lostPackets: n[2]!, outOfOrder: n[3]!, jitterMs: n[4]! },
          exact: {
            received: n[5]!,
            unique: n[6]!,
            expected: n[7]!,
            lost: n[8]!,
            reordered: n[9]!,
            duplicated: n[10]!,
            stale: n[11]!,
          },
        };
      }
    }
  }
}

/**
 * Stop Node reading a socket for good (pause() alone keeps reading until its buffer is full) and
 * return its file descriptor (Node keeps it on `_handle.fd`), or -1 when that is not possible or
 * data is already buffered. The socket must then be read by whoever holds the descriptor.
 */
export function takeSocketFd(sock: { readableLength: number }): number {
  const h = (sock as { _handle?: { fd?: unknown; readStop?: () => number; reading?: boolean } })._handle;
  if (h === undefined || typeof h.fd !== "number" || h.fd < 0 || typeof h.readStop !== "function") return -1;
  if (sock.readableLength > 0) return -1;
  h.reading = false;
  h.readStop();
  return h.fd;
}

/**
 * Counts a TCP stream's bytes in a worker that reads the socket's descriptor directly (poll + recv
 * into a 1 MiB buffer). The socket must stay paused in Node; `close()` stops the worker (the socket
 * itself stays Node's to destroy).
 */
export class FastTcpReceiveStream implements BenchStream {
  readonly sender = false;
  readonly packets = 0;
  readonly udp = null;
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(8));
  private readonly nums = new Float64Array(new SharedArrayBuffer(16));
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  readonly ready: Promise<void>;
  constructor(
    readonly id: number,
    fd: number,
  ) {
    this.worker = new Worker(new URL("./tcp_recv_worker.js", import.meta.url), {
      workerData: { fd, ctrl: this.ctrl.buffer, nums: this.nums.buffer },
    });
    this.ready = new Promise((resolve) => {
      this.worker.once("online", () => resolve());
      this.worker.once("exit", () => resolve());
    });
    this.exited = new Promise((resolve) => {
      this.worker.once("exit", () => resolve());
      this.worker.once("error", () => resolve());
    });
  }
  get bytes(): number {
    return this.nums[0]!;
  }
  start(): void {
    Atomics.store(this.ctrl, 0, 1);
    Atomics.notify(this.ctrl, 0);
  }
  stop(): void {
    Atomics.store(this.ctrl, 0, 2);
    Atomics.notify(this.ctrl, 0);
  }
  async close(): Promise<void> {
    this.stop();
    await this.exited;
  }
}
