/**
 * UDP receiver statistics (pure): iperf3's own figures and, beside them, exact counts.
 *
 * iperf3's figures, computed exactly as `iperf_udp_recv` does (so numbers match iperf3's):
 * - a forward gap in the sequence adds to `lost`; a packet at or below the highest sequence seen adds
 *   to `outOfOrder` and, when `lost > 0`, takes one loss back — so a duplicate hides a loss;
 * - jitter per RFC 3550: `J += (|D| − J) / 16`, D the change in transit time between successive
 *   packets (the first packet only initialises the previous transit time).
 *
 * Exact counts, from a sliding window of sequence numbers already seen:
 * - `lost`: sequence numbers up to the highest seen that never arrived;
 * - `reordered`: packets that arrived after a higher sequence number (late, but first copy);
 * - `duplicated`: further copies of a sequence number already seen (within the window);
 * - sequence numbers are unwrapped across 2^32 (RFC 1982 serial arithmetic) with 32-bit counters.
 * A packet older than the window cannot be told from a duplicate; it counts as `reordered` and
 * `stale` (documented in docs/bench.md).
 *
 * @example
 * const s = new UdpReceiverStats();
 * for (const seq of [1, 2, 4, 4, 5]) s.add(seq, 0.001, 100);
 * s.snapshot().iperf.lostPackets; // 0  (iperf3: the duplicate 4 took the loss of 3 back)
 * s.snapshot().exact.lost;        // 1  (3 never arrived)
 * s.snapshot().exact.duplicated;  // 1
 */

/** iperf3-compatible figures. */
export interface IperfUdpFigures {
  /** Highest sequence number seen (iperf3's receiver `packet_count`). */
  packets: number;
  lostPackets: number;
  outOfOrder: number;
  /** RFC 3550 jitter estimate, milliseconds. */
  jitterMs: number;
}

/** Exact figures from the window of seen sequence numbers. */
export interface ExactUdpFigures {
  /** Datagrams received, every copy counted. */
  received: number;
  /** Distinct sequence numbers received. */
  unique: number;
  /** Sequence numbers from the first one up to the highest seen: what the sender sent, as far as we know. */
  expected: number;
  lost: number;
  reordered: number;
  duplicated: number;
  /** Late packets older than the window (counted in `reordered`, duplicates not detectable). */
  stale: number;
}

export interface UdpReceiverSnapshot {
  bytes: number;
  iperf: IperfUdpFigures;
  exact: ExactUdpFigures;
}

export interface UdpReceiverStatsOptions {
  /** How many recent sequence numbers are remembered (default 1,048,576). */
  window?: number;
  /** 32 (default, iperf3's default header) unwraps sequence numbers at 2^32; 64 does not. */
  counterBits?: 32 | 64;
  /** The sender's first sequence number (iperf3: 1). Sequence numbers below it count as never sent. */
  firstSeq?: number;
}

const TWO32 = 2 ** 32;

/** Accumulates one UDP stream's receiver statistics; feed it every datagram in arrival order. */
export class UdpReceiverStats {
  private readonly window: number;
  private readonly seen: Uint8Array;
  private readonly wrap32: boolean;
  private readonly firstSeq: number;
  // iperf3 state
  private bytes = 0;
  private iperfCount = 0;
  private iperfLost = 0;
  private iperfOoo = 0;
  private jitter = 0;
  private prevTransit = 0;
  // exact state
  private received = 0;
  private unique = 0;
  private maxExt = 0;
  private reordered = 0;
  private duplicated = 0;
  private stale = 0;

  constructor(options: UdpReceiverStatsOptions = {}) {
    this.window = options.window ?? 1 << 20;
    if (!Number.isInteger(this.window) || this.window < 8)
      throw new RangeError("window must be an integer ≥ 8");
    this.seen = new Uint8Array(Math.ceil(this.window / 8));
    this.wrap32 = (options.counterBits ?? 32) === 32;
    this.firstSeq = options.firstSeq ?? 1;
  }

  /**
   * Account one datagram: its sequence number as read from the header, its transit time
   * (arrival − sender timestamp, seconds; only differences matter) and its size in bytes.
   */
  add(seq: number, transitSeconds: number, bytes: number): void {
    const first = this.received === 0;
    this.bytes += bytes;
    // iperf3, verbatim in behaviour.
    if (seq >= this.iperfCount + 1) {
      if (seq > this.iperfCount + 1) this.iperfLost += seq - 1 - this.iperfCount;
      this.iperfCount = seq;
    } else {
      this.iperfOoo++;
      if (this.iperfLost > 0) this.iperfLost--;
    }
    if (first) this.prevTransit = transitSeconds;
    const d = Math.abs(transitSeconds - this.prevTransit);
    this.prevTransit = transitSeconds;
    this.jitter += (d - this.jitter) / 16;
    // Exact counts.
    this.received++;
    const ext = first ? seq : this.unwrap(seq);
    if (first || ext > this.maxExt) {
      if (!first) this.clearRange(this.maxExt + 1, ext - 1);
      this.maxExt = ext;
      this.setSeen(ext);
      this.unique++;
      return;
    }
    if (ext <= this.maxExt - this.window || ext < this.firstSeq) {
      this.stale++;
      this.reordered++;
      this.unique++;
      return;
    }
    if (this.isSeen(ext)) {
      this.duplicated++;
    } else {
      this.setSeen(ext);
      this.unique++;
      this.reordered++;
    }
  }

  /** The figures so far (a fresh object; take two and subtract for an interval). */
  snapshot(): UdpReceiverSnapshot {
    return {
      bytes: this.bytes,
      iperf: {
        packets: this.iperfCount,
        lostPackets: this.iperfLost,
        outOfOrder: this.iperfOoo,
        jitterMs: this.jitter * 1000,
      },
      exact: {
        received: this.received,
        unique: this.unique,
        expected: this.expected(),
        lost: Math.max(0, this.expected() - this.unique),
        reordered: this.reordered,
        duplicated: this.duplicated,
        stale: this.stale,
      },
    };
  }

  private expected(): number {
    return this.received === 0 ? 0 : Math.max(0, this.maxExt - this.firstSeq + 1);
  }

  private unwrap(seq: number): number {
    if (!this.wrap32) return seq;
    const low = this.maxExt % TWO32;
    const delta = ((seq - low) | 0) as number; // signed 32-bit distance, RFC 1982
    return this.maxExt + delta;
  }

  private clearRange(from: number, to: number): void {
    if (to < from) return;
    if (to - from + 1 >= this.window) {
      this.seen.fill(0);
      return;
    }
    for (let s = from; s <= to; s++) {
      const i = s % this.window;
      this.seen[i >> 3]! &= ~(1 << (i & 7));
    }
  }

  private setSeen(s: number): void {
    const i = s % this.window;
    this.seen[i >> 3]! |= 1 << (i & 7);
  }

  private isSeen(s: number): boolean {
    const i = s % this.window;
    return (this.seen[i >> 3]! & (1 << (i & 7))) !== 0;
  }
}

/** Percentage of `part` in `whole`, 0 when `whole` is 0. */
export function percent(part: number, whole: number): number {
  return whole > 0 ? (100 * part) / whole : 0;
}
