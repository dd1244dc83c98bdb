/**
 * Data streams of a bench test (I/O shell): TCP and UDP senders and receivers that count what
 * they move. Senders write large blocks (TCP) or paced datagrams with iperf3's header (UDP) and
 * yield to the event loop regularly, so timers and the control connection stay responsive.
 *
 * @example
 * const s = new TcpSendStream(1, socket, 128 * 1024, budget);
 * s.start(); … s.stop(); s.bytes;
 */
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { tcpTotalRetrans } from "../native/tcp_info.js";
import { decodeUdpHeader, encodeUdpHeader, udpHeaderSize } from "./iperf_protocol.js";
import { type UdpReceiverSnapshot, UdpReceiverStats } from "./stats.js";

/** Bytes all senders of a test may still send (`-n`); Infinity when time ends the test. */
export interface ByteBudget {
  left: number;
}

/** What every stream exposes to the meter. */
export interface BenchStream {
  readonly id: number;
  /** True when this side sends on the stream. */
  readonly sender: boolean;
  /** Bytes sent (sender) or received (receiver). */
  readonly bytes: number;
  /** UDP: datagrams sent (sender); TCP: 0. */
  readonly packets: number;
  /** UDP receiver statistics. */
  readonly udp: { snapshot(): UdpReceiverSnapshot } | null;
  start(): void;
  stop(): void;
  /** Release what the stream holds (worker, socket); streams without resources omit it. */
  close?(): Promise<void>;
  /** TCP sender: segments retransmitted so far (TCP_INFO), -1 when unknown. */
  retransmits?(): number;
}

/** Wall clock in seconds with microseconds (the UDP header's clock). */
export function wallSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

/** Writes one block over and over; stops when told, when the budget is spent, or on error. */
export class TcpSendStream implements BenchStream {
  readonly sender = true;
  readonly packets = 0;
  readonly udp = null;
  bytes = 0;
  private running = false;
  private readonly block: Buffer;
  private startedAt = 0;

  /**
   * `bandwidth` in bits/s paces the stream like iperf3's `-b` for TCP (0 = as fast as the socket
   * takes it): a block is written only while the bytes sent stay within the rate since start.
   */
  constructor(
    readonly id: number,
    private readonly socket: Socket,
    len: number,
    private readonly budget: ByteBudget,
    private readonly onBudgetSpent: () => void = () => {},
    private readonly bandwidth = 0,
  ) {
    this.block = Buffer.alloc(len, 0x61);
    socket.on("error", () => {
      this.running = false;
    });
  }

  start(): void {
    this.running = true;
    this.startedAt = performance.now();
    this.pump();
  }

  stop(): void {
    this.running = false;
    this.retransmits(); // keep the count: the socket may be gone when the totals are taken
  }

  private lastRetrans = -1;

  /** tcpi_total_retrans of the socket (iperf3's `retransmits`), or the last one read; -1 unknown. */
  retransmits(): number {
    const fd = (this.socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
    if (typeof fd === "number" && fd >= 0 && !this.socket.destroyed) {
      const n = tcpTotalRetrans(fd);
      if (n !== null) this.lastRetrans = n;
    }
    return this.lastRetrans;
  }

  private pump = (): void => {
    const t0 = performance.now();
    let n = 0;
    while (this.running && !this.socket.destroyed) {
      if (this.budget.left <= 0) {
        this.running = false;
        this.onBudgetSpent();
        return;
      }
      if (this.bandwidth > 0) {
        const allowed = (this.bandwidth / 8) * ((performance.now() - this.startedAt) / 1000);
        if (this.bytes >= allowed) {
          // Ahead of the rate: come back when the next block is due (iperf3 paces on a 1 ms timer).
          const waitMs = ((this.bytes - allowed + 1) * 8 * 1000) / this.bandwidth;
          setTimeout(this.pump, Math.max(1, Math.min(waitMs, 100)));
          return;
        }
      }
      const chunk =
        this.budget.left < this.block.length ? this.block.subarray(0, this.budget.left) : this.block;
      this.budget.left -= chunk.length;
      this.bytes += chunk.length;
      if (!this.socket.write(chunk)) {
        this.socket.once("drain", this.pump);
        return;
      }
      if (++n % 32 === 0 && performance.now() - t0 > 5) {
        setImmediate(this.pump);
        return;
      }
    }
  };
}

/** Counts what arrives on a TCP stream. Call `count(n)` from `onread` or a `'data'` listener. */
export class TcpReceiveStream implements BenchStream {
  readonly sender = false;
  readonly packets = 0;
  readonly udp = null;
  bytes = 0;
  private running = false;
  constructor(readonly id: number) {}
  /** Count `n` received bytes (only while the test runs, as iperf3 does). */
  count(n: number): void {
    if (this.running) this.bytes += n;
  }
  start(): void {
    this.running = true;
  }
  stop(): void {
    this.running = false;
  }
}

/** How a UDP sender hands a datagram (header + payload) to its socket. */
export interface UdpOutput {
  send(header: Buffer, payload: Buffer): void;
  /** Datagrams queued in the socket, not yet sent (dgram's getSendQueueCount). */
  backlog(): number;
}

/**
 * Sends datagrams of `len` bytes with iperf3's header at `rate` bit/s (0 = as fast as it can),
 * pacing in small bursts and never letting the socket queue grow without bound.
 */
export class UdpSendStream implements BenchStream {
  readonly sender = true;
  readonly udp = null;
  bytes = 0;
  packets = 0;
  private running = false;
  private t0 = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private readonly payload: Buffer;
  private readonly hdrSize: number;

  constructor(
    readonly id: number,
    private readonly out: UdpOutput,
    private readonly len: number,
    private readonly rate: number,
    private readonly counters64: boolean,
    private readonly budget: ByteBudget,
    private readonly onBudgetSpent: () => void = () => {},
  ) {
    this.hdrSize = udpHeaderSize(counters64);
    this.payload = Buffer.alloc(Math.max(0, len - this.hdrSize), 0x61);
  }

  start(): void {
    this.running = true;
    this.t0 = performance.now();
    this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = null;
  }

  private tick = (): void => {
    this.timer = null;
    if (!this.running) return;
    const elapsed = (performance.now() - this.t0) / 1000;
    let due = this.rate > 0 ? Math.floor((this.rate * elapsed) / 8 / this.len) + 1 - this.packets : 64;
    due = Math.min(due, 64);
    if (this.out.backlog() > 512) due = 0;
    const now = wallSeconds();
    const sec = Math.floor(now);
    const usec = Math.floor((now - sec) * 1e6);
    for (let i = 0; i < due; i++) {
      if (this.budget.left <= 0) {
        this.running = false;
        this.onBudgetSpent();
        return;
      }
      const size = Math.max(this.hdrSize, Math.min(this.len, this.budget.left));
      this.budget.left -= size;
      const hdr = encodeUdpHeader(
        Buffer.allocUnsafe(this.hdrSize),
        { sec, usec, seq: ++this.packets },
        this.counters64,
      );
      this.out.send(
        hdr,
        size - this.hdrSize === this.payload.length
          ? this.payload
          : this.payload.subarray(0, size - this.hdrSize),
      );
      this.bytes += size;
    }
    if (due > 0 && (this.rate === 0 || due === 64)) this.timer = setImmediate(this.tick);
    else {
      const next = this.rate > 0 ? ((this.packets * this.len * 8) / this.rate - elapsed) * 1000 : 1;
      this.timer = setTimeout(this.tick, Math.max(0, Math.min(next, 50)));
    }
  };
}

/** Receives datagrams for one UDP stream and feeds the statistics. */
export class UdpReceiveStream implements BenchStream {
  readonly sender = false;
  readonly packets = 0;
  readonly udp: UdpReceiverStats;
  private running = false;
  constructor(
    readonly id: number,
    private readonly counters64: boolean,
  ) {
    this.udp = new UdpReceiverStats({ counterBits: counters64 ? 64 : 32 });
  }
  get bytes(): number {
    return this.udp.snapshot().bytes;
  }
  start(): void {
    this.running = true;
  }
  stop(): void {
    this.running = false;
  }
  /** Account one datagram (ignored unless the test is running). */
  onDatagram(msg: Buffer): void {
    if (!this.running) return;
    const h = decodeUdpHeader(msg, this.counters64);
    if (h === null) return;
    this.udp.add(h.seq, wallSeconds() - (h.sec + h.usec / 1e6), msg.length);
  }
}

/** Let datagrams and bytes still in flight reach the receivers (50 ms), then stop them. */
export async function drain(streams: BenchStream[], ms = 50): Promise<void> {
  if (streams.some((s) => !s.sender)) await new Promise((r) => setTimeout(r, ms));
  for (const s of streams) if (!s.sender) s.stop();
  // Workers must be done with their descriptors before anyone closes a socket.
  await Promise.all(streams.map((s) => (s.sender ? undefined : s.close?.())));
}
