/**
 * `netkit bench` without arguments (I/O shell): a self-contained loopback comparison of UDP and
 * TCP against a peer process it starts itself, ending by itself (about 15 s; `quick` about 4 s).
 * Returns one {@link SelfRunResult}; the CLI renders it as a table and a plain-language summary.
 *
 * @example
 * const r = await selfRun({ quick: true, startPeer });
 * r.udp.map((u) => u.exactLostPercent);
 */
import { runBenchClient } from "./client.js";
import { pingPong } from "./latency.js";
import { type LatencySummary, summarize } from "./latency_stats.js";
import type { BenchResult } from "./result.js";
import { sumSide, sumUdp } from "./result.js";

export interface PeerPorts {
  benchPort: number;
  tcpEchoPort: number;
  udpEchoPort: number;
  stop(): Promise<void>;
}

export interface UdpRow {
  /** Target rate, bit/s (0 = unlimited). */
  target: number;
  len: number;
  sentBps: number;
  receivedBps: number;
  sentPackets: number;
  packetsPerSecond: number;
  iperfLost: number;
  iperfLostPercent: number;
  outOfOrder: number;
  exactLost: number;
  exactLostPercent: number;
  reordered: number;
  duplicated: number;
  jitterMs: number;
}

export interface SelfRunResult {
  tcp: {
    sentBps: number;
    receivedBps: number;
    bytes: number;
    seconds: number;
    /** TCP segments retransmitted in this host's namespace during the TCP run (null: not measured). */
    retransSegs: number | null;
  };
  udp: UdpRow[];
  latency: { tcp: LatencySummary & { lost: number }; udp: LatencySummary & { lost: number } };
  runs: BenchResult[];
  seconds: number;
  /** Where it ran: own loopback, or across an impaired link between two test hosts. */
  path: "loopback" | "lossy-link";
  /** True when `signal` stopped the run early: the steps after it are missing (latency: 0 round trips). */
  interrupted?: boolean;
}

export interface SelfRunOptions {
  quick?: boolean;
  /** The peer's address (default 127.0.0.1). */
  host?: string;
  startPeer(): Promise<PeerPorts>;
  onStep?(text: string): void;
  /** A lossy path: TCP moves a fixed 4 MiB, UDP runs at 8 Mbit/s with 100-byte datagrams for
   * 2.5 s (≥ 20,000), and ping-pong is shorter with a short timeout. */
  lossy?: boolean;
  /** Reads the TCP retransmission counter of this host (for the TCP run's delta). */
  retransSegs?(): number;
  /** Aborting it ends the current step early (its partial figures kept) and skips the rest. */
  signal?: AbortSignal;
}

export function udpRow(r: BenchResult): UdpRow {
  const sent = sumSide(r.streams, "sent");
  const recv = sumSide(r.streams, "received");
  const u = sumUdp(r.streams.map((s) => s.udp));
  const e = u?.exact ?? null;
  return {
    target: r.params.bandwidth,
    len: r.params.len,
    sentBps: sent.seconds > 0 ? (sent.bytes * 8) / sent.seconds : 0,
    receivedBps: recv.seconds > 0 ? (recv.bytes * 8) / recv.seconds : 0,
    sentPackets: sent.packets,
    packetsPerSecond: sent.seconds > 0 ? sent.packets / sent.seconds : 0,
    iperfLost: u?.lostPackets ?? 0,
    iperfLostPercent: sent.packets > 0 ? (100 * (u?.lostPackets ?? 0)) / sent.packets : 0,
    outOfOrder: u?.outOfOrder ?? 0,
    exactLost: e?.lost ?? 0,
    exactLostPercent: e && e.expected > 0 ? (100 * e.lost) / e.expected : 0,
    reordered: e?.reordered ?? 0,
    duplicated: e?.duplicated ?? 0,
    jitterMs: u?.jitterMs ?? 0,
  };
}

export async function selfRun(o: SelfRunOptions): Promise<SelfRunResult> {
  const t0 = Date.now();
  const secs = o.quick ? 0.5 : 3;
  const peer = await o.startPeer();
  const runs: BenchResult[] = [];
  try {
    const host = o.host ?? "127.0.0.1";
    const r0 = o.retransSegs?.() ?? null;
    o.onStep?.(o.lossy ? "TCP, 4 MBytes across the lossy link" : "TCP, one stream, 128 KBytes writes");
    const tcp = await runBenchClient({
      host,
      port: peer.benchPort,
      interval: 0.5,
      ...(o.lossy ? { bytes: 4 * 1024 * 1024 } : { time: secs }),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const r1 = o.retransSegs?.() ?? null;
    runs.push(tcp);
    const udp: UdpRow[] = [];
    const rates: [number, number][] = o.lossy
      ? [[8e6, 100]]
      : o.quick
        ? [
            [100e6, 1460],
            [0, 1460],
          ]
        : [
            [100e6, 1460],
            [1e9, 1460],
            [0, 1460],
            [0, 64],
          ];
    for (const [rate, len] of rates) {
      if (o.signal?.aborted) break;
      o.onStep?.(`UDP at ${rate === 0 ? "unlimited rate" : `${rate / 1e6} Mbit/s`}, ${len}-byte datagrams`);
      const r = await runBenchClient({
        host,
        port: peer.benchPort,
        protocol: "udp",
        bandwidth: rate,
        len,
        time: o.lossy ? 2.5 : o.quick ? 0.5 : 2,
        interval: 0.5,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      runs.push(r);
      udp.push(udpRow(r));
    }
    const n = o.lossy ? 200 : o.quick ? 500 : 5000;
    const timeoutMs = o.lossy ? 200 : 1000;
    const none = { summary: summarize([]), sent: 0, received: 0 };
    if (!o.signal?.aborted) o.onStep?.("latency, TCP ping-pong");
    const lt = o.signal?.aborted
      ? none
      : await pingPong({ host, port: peer.tcpEchoPort, count: n, time: 10 });
    if (!o.signal?.aborted) o.onStep?.("latency, UDP ping-pong");
    const lu = o.signal?.aborted
      ? none
      : await pingPong({ host, port: peer.udpEchoPort, udp: true, count: n, time: 10, timeoutMs });
    const sent = sumSide(tcp.streams, "sent");
    const recv = sumSide(tcp.streams, "received");
    return {
      tcp: {
        sentBps: sent.seconds > 0 ? (sent.bytes * 8) / sent.seconds : 0,
        receivedBps: recv.seconds > 0 ? (recv.bytes * 8) / recv.seconds : 0,
        bytes: recv.bytes,
        seconds: recv.seconds,
        retransSegs: r0 !== null && r1 !== null ? r1 - r0 : null,
      },
      udp,
      latency: {
        tcp: { ...lt.summary, lost: lt.sent - lt.received },
        udp: { ...lu.summary, lost: lu.sent - lu.received },
      },
      runs,
      seconds: (Date.now() - t0) / 1000,
      path: o.lossy ? "lossy-link" : "loopback",
      ...(o.signal?.aborted ? { interrupted: true } : {}),
    };
  } finally {
    await peer.stop();
  }
}
