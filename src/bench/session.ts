/**
 * What both ends of a test do with their numbers (pure): turn local totals into the results object
 * sent at EXCHANGE_RESULTS, and merge local totals with the peer's results into stream summaries.
 *
 * @example
 * const wire = localResults(streams, totals, cpu);
 * const summaries = mergeResults(streams, totals, decodeResults(peerJson), addrs);
 */
import type { ResultsWire, StreamResultWire } from "./iperf_protocol.js";
import type { StreamSummary, UdpFigures } from "./result.js";

export interface LocalStreamInfo {
  id: number;
  sender: boolean;
  local: { host: string; port: number };
  remote: { host: string; port: number };
}

export interface LocalTotals {
  seconds: number;
  bytes: number[];
  packets: number[];
  udp: (UdpFigures | null)[];
  /** TCP senders' retransmissions (TCP_INFO), -1 unknown; absent: all unknown. */
  retransmits?: number[];
}

/** The EXCHANGE_RESULTS object describing this side. */
export function localResults(
  streams: LocalStreamInfo[],
  totals: LocalTotals,
  cpu: { total: number; user: number; system: number },
  udpTest: boolean,
): ResultsWire {
  const anySender = streams.some((s) => s.sender);
  const retr = (i: number) => (streams[i]!.sender && !udpTest ? (totals.retransmits?.[i] ?? -1) : -1);
  const known = streams.some((_, i) => retr(i) >= 0);
  return {
    cpuUtilTotal: cpu.total,
    cpuUtilUser: cpu.user,
    cpuUtilSystem: cpu.system,
    senderHasRetransmits: anySender ? (known ? 1 : 0) : -1,
    streams: streams.map((s, i): StreamResultWire => {
      const u = totals.udp[i] ?? null;
      const w: StreamResultWire = {
        id: s.id,
        bytes: totals.bytes[i]!,
        retransmits: retr(i),
        jitter: u ? u.jitterMs / 1000 : 0,
        errors: u ? u.lostPackets : 0,
        packets: s.sender ? totals.packets[i]! : (u?.packets ?? 0),
        startTime: 0,
        endTime: totals.seconds,
      };
      if (udpTest && u !== null) {
        w.outOfOrder = u.outOfOrder;
        if (u.exact !== null) w.exact = u.exact;
      }
      return w;
    }),
  };
}

/** Stream summaries from this side's totals and the peer's results (matched by stream id). */
export function mergeResults(
  streams: LocalStreamInfo[],
  totals: LocalTotals,
  peer: ResultsWire | null,
  udpTest: boolean,
): StreamSummary[] {
  return streams.map((s, i) => {
    const p = peer?.streams.find((x) => x.id === s.id) ?? null;
    const mine = { bytes: totals.bytes[i]!, seconds: totals.seconds, packets: totals.packets[i]! };
    const theirs = {
      bytes: p?.bytes ?? 0,
      seconds: p ? p.endTime - p.startTime || totals.seconds : 0,
      packets: s.sender ? 0 : (p?.packets ?? 0),
    };
    let udp: UdpFigures | null = null;
    if (udpTest) {
      if (s.sender) {
        if (p !== null) {
          udp = {
            packets: p.packets,
            lostPackets: p.errors,
            outOfOrder: p.outOfOrder ?? 0,
            jitterMs: p.jitter * 1000,
            lostPercent: mine.packets > 0 ? (100 * p.errors) / mine.packets : 0,
            exact: p.exact ?? null,
          };
          if (udp.exact !== null && mine.packets > udp.exact.expected) {
            // Datagrams sent after the last one that arrived were lost too.
            const extra = mine.packets - udp.exact.expected;
            udp.exact = { ...udp.exact, lost: udp.exact.lost + extra, expected: mine.packets };
          }
        }
      } else {
        const u = totals.udp[i] ?? null;
        if (u !== null) {
          const sent = theirs.packets;
          udp = { ...u, lostPercent: u.packets > 0 ? (100 * u.lostPackets) / u.packets : 0 };
          if (sent > 0 && udp.exact !== null && sent > udp.exact.expected) {
            // Datagrams sent after the last one that arrived were lost too.
            udp.exact = { ...udp.exact, lost: udp.exact.lost + (sent - udp.exact.expected), expected: sent };
          }
        }
      }
    }
    return {
      id: s.id,
      localSender: s.sender,
      sent: s.sender ? mine : theirs,
      received: s.sender ? theirs : mine,
      retransmits: s.sender ? (udpTest ? -1 : (totals.retransmits?.[i] ?? -1)) : (p?.retransmits ?? -1),
      udp,
      local: s.local,
      remote: s.remote,
    };
  });
}

/** CPU use of this process between two readings, percent of one core's wall time. */
export function cpuPercent(
  a: NodeJS.CpuUsage,
  b: NodeJS.CpuUsage,
  wallSeconds: number,
): { total: number; user: number; system: number } {
  const us = wallSeconds * 1e6;
  if (us <= 0) return { total: 0, user: 0, system: 0 };
  const user = (100 * (b.user - a.user)) / us;
  const system = (100 * (b.system - a.system)) / us;
  return { total: user + system, user, system };
}
