/**
 * The one result object of a bench test (pure types and arithmetic). Text, iperf3-shaped JSON and
 * charts are renderings of it (see report.ts, plot_svg.ts).
 *
 * @example
 * const r: BenchResult = await runClient({ host: "127.0.0.1", port });
 * r.streams[0].received.bytes;
 */
import type { IperfParams } from "./iperf_protocol.js";
import type { ExactUdpFigures, IperfUdpFigures } from "./stats.js";

/** UDP receiver figures over some span. */
export interface UdpFigures extends IperfUdpFigures {
  /** iperf3's lost_percent: lost / packets. */
  lostPercent: number;
  exact: Omit<ExactUdpFigures, "stale"> | null;
}

/** One stream over one reporting interval, seen from this side. */
export interface IntervalStream {
  id: number;
  /** True when this side sends on the stream. */
  sender: boolean;
  bytes: number;
  /** UDP datagrams sent (sender) in the interval. */
  packets: number;
  /** UDP receiver figures in the interval (receiver side only). */
  udp: UdpFigures | null;
  /** TCP sender: segments retransmitted in the interval (TCP_INFO); -1 or absent when unknown. */
  retransmits?: number;
}

export interface Interval {
  /** Seconds since the test started. */
  start: number;
  end: number;
  omitted: boolean;
  streams: IntervalStream[];
}

/** One direction's totals of one stream. */
export interface SideTotals {
  bytes: number;
  seconds: number;
  /** UDP: datagrams sent (sender side). */
  packets: number;
}

export interface StreamSummary {
  id: number;
  /** True when this side sent on the stream. */
  localSender: boolean;
  sent: SideTotals;
  received: SideTotals;
  /** TCP retransmissions by the sender, -1 unknown. */
  retransmits: number;
  /** UDP receiver figures over the whole test (from whichever side received). */
  udp: UdpFigures | null;
  local: { host: string; port: number };
  remote: { host: string; port: number };
}

export interface BenchResult {
  role: "client" | "server";
  params: IperfParams;
  cookie: string;
  /** Unix time when the test started, seconds. */
  timestamp: number;
  peer: { host: string; port: number };
  intervals: Interval[];
  streams: StreamSummary[];
  /** Seconds of measured (not omitted) test. */
  seconds: number;
  /** The peer's program, when it said (iperf3 servers do not). */
  peerVersion: string;
  /**
   * Set when the test did not run to its end: "interrupted" (this side was stopped, e.g. Ctrl-C)
   * or "peer-terminated" (the peer sent iperf3's CLIENT_TERMINATE / SERVER_TERMINATE). The figures
   * are then this side's own so far, as iperf3 prints them.
   */
  ended?: "interrupted" | "peer-terminated";
}

/** Bits per second of `bytes` over `seconds` (0 for an empty span). */
export function bitsPerSecond(bytes: number, seconds: number): number {
  return seconds > 0 ? (bytes * 8) / seconds : 0;
}

/** Totals over all streams of one direction. */
export function sumSide(
  streams: StreamSummary[],
  side: "sent" | "received",
  onlySentByLocal?: boolean,
): SideTotals {
  let bytes = 0;
  let packets = 0;
  let seconds = 0;
  for (const s of streams) {
    if (onlySentByLocal !== undefined && s.localSender !== onlySentByLocal) continue;
    bytes += s[side].bytes;
    packets += s[side].packets;
    seconds = Math.max(seconds, s[side].seconds);
  }
  return { bytes, packets, seconds };
}

/** UDP figures summed over streams (jitter averaged, as iperf3 does). */
export function sumUdp(list: (UdpFigures | null)[]): UdpFigures | null {
  const xs = list.filter((x): x is UdpFigures => x !== null);
  if (xs.length === 0) return null;
  const exacts = xs.map((x) => x.exact).filter((e) => e !== null);
  const total = {
    packets: 0,
    lostPackets: 0,
    outOfOrder: 0,
    jitterMs: 0,
    lostPercent: 0,
    exact:
      exacts.length === xs.length
        ? { received: 0, unique: 0, expected: 0, lost: 0, reordered: 0, duplicated: 0 }
        : null,
  } as UdpFigures;
  for (const x of xs) {
    total.packets += x.packets;
    total.lostPackets += x.lostPackets;
    total.outOfOrder += x.outOfOrder;
    total.jitterMs += x.jitterMs / xs.length;
    if (total.exact !== null && x.exact !== null) {
      for (const k of ["received", "unique", "expected", "lost", "reordered", "duplicated"] as const)
        total.exact[k] += x.exact[k];
    }
  }
  total.lostPercent = total.packets > 0 ? (100 * total.lostPackets) / total.packets : 0;
  return total;
}
