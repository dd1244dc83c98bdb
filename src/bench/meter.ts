/**
 * Samples the streams of a running test every interval and keeps the intervals (pure: the caller
 * passes the clock reading). Omitted intervals (`-O`) are kept but flagged, and the totals start
 * after them.
 *
 * @example
 * const m = new Meter(streams, 0, 1);
 * m.sample(1.0); m.sample(2.0); m.intervals.length; // 2
 */
import type { Interval, UdpFigures } from "./result.js";
import type { UdpReceiverSnapshot } from "./stats.js";
import type { BenchStream } from "./streams.js";

interface Mark {
  bytes: number;
  packets: number;
  udp: UdpReceiverSnapshot | null;
  /** TCP sender's retransmissions so far, -1 unknown. */
  retrans: number;
}

function mark(s: BenchStream): Mark {
  return {
    bytes: s.bytes,
    packets: s.packets,
    udp: s.udp?.snapshot() ?? null,
    retrans: s.retransmits?.() ?? -1,
  };
}

/** UDP figures between two snapshots (jitter is the current estimate, as iperf3 reports it). */
export function udpDelta(a: UdpReceiverSnapshot | null, b: UdpReceiverSnapshot): UdpFigures {
  const packets = b.iperf.packets - (a?.iperf.packets ?? 0);
  const lost = b.iperf.lostPackets - (a?.iperf.lostPackets ?? 0);
  return {
    packets,
    lostPackets: lost,
    outOfOrder: b.iperf.outOfOrder - (a?.iperf.outOfOrder ?? 0),
    jitterMs: b.iperf.jitterMs,
    lostPercent: packets > 0 ? (100 * lost) / packets : 0,
    exact: {
      received: b.exact.received - (a?.exact.received ?? 0),
      unique: b.exact.unique - (a?.exact.unique ?? 0),
      expected: b.exact.expected - (a?.exact.expected ?? 0),
      lost: b.exact.lost - (a?.exact.lost ?? 0),
      reordered: b.exact.reordered - (a?.exact.reordered ?? 0),
      duplicated: b.exact.duplicated - (a?.exact.duplicated ?? 0),
    },
  };
}

export class Meter {
  readonly intervals: Interval[] = [];
  private last: Mark[];
  private lastT: number;
  /** Marks at the end of the omitted period: the baseline of the totals. */
  private base: Mark[];
  private baseT: number;

  constructor(
    readonly streams: BenchStream[],
    t0: number,
    private readonly omit: number,
  ) {
    // Counting starts from zero: receivers may see data before the sampling clock starts.
    // Retransmissions count from here (the connection's setup is not part of the test).
    this.last = streams.map((s) => ({ bytes: 0, packets: 0, udp: null, retrans: s.retransmits?.() ?? -1 }));
    this.base = this.last;
    this.lastT = t0;
    this.baseT = t0;
    this.t0 = t0;
  }
  private readonly t0: number;

  /** Close the current interval at time `t` (seconds, same clock as t0) and return it. */
  sample(t: number): Interval {
    const now = this.streams.map(mark);
    const start = this.lastT - this.t0;
    const end = t - this.t0;
    const omitted = end <= this.omit + 1e-3;
    const iv: Interval = {
      start,
      end,
      omitted,
      streams: this.streams.map((s, i) => ({
        id: s.id,
        sender: s.sender,
        bytes: now[i]!.bytes - this.last[i]!.bytes,
        packets: now[i]!.packets - this.last[i]!.packets,
        udp: now[i]!.udp === null ? null : udpDelta(this.last[i]!.udp, now[i]!.udp!),
        retransmits:
          now[i]!.retrans < 0 || this.last[i]!.retrans < 0 ? -1 : now[i]!.retrans - this.last[i]!.retrans,
      })),
    };
    this.intervals.push(iv);
    this.last = now;
    this.lastT = t;
    return iv;
  }

  /** The omitted period ended at `t`: the totals count from here (call once, at t0 + omit). */
  rebase(t: number): void {
    this.base = this.streams.map(mark);
    this.baseT = t;
  }

  /** Totals per stream since the end of the omitted period. */
  totals(t: number): {
    seconds: number;
    bytes: number[];
    packets: number[];
    udp: (UdpFigures | null)[];
    retransmits: number[];
  } {
    const now = this.streams.map(mark);
    return {
      retransmits: now.map((m, i) => {
        const b = this.base[i]!.retrans;
        return m.retrans < 0 || b < 0 ? -1 : m.retrans - b;
      }),
      seconds: t - this.baseT,
      bytes: now.map((m, i) => m.bytes - this.base[i]!.bytes),
      packets: now.map((m, i) => m.packets - this.base[i]!.packets),
      udp: now.map((m, i) => (m.udp === null ? null : udpDelta(this.base[i]!.udp, m.udp))),
    };
  }
}
