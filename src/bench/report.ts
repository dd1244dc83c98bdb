/**
 * Renderings of a {@link BenchResult} (pure): iperf3-style text lines and iperf3-shaped JSON
 * (`start`, `intervals`, `end`), with netkit's exact UDP counts beside iperf3's figures.
 *
 * @example
 * io.stdout.write(`${JSON.stringify(toIperfJson(result), null, 2)}\n`);
 * for (const line of summaryLines(result)) io.stdout.write(`${line}\n`);
 */
import type { BenchResult, Interval, IntervalStream, StreamSummary, UdpFigures } from "./result.js";
import { bitsPerSecond, sumUdp } from "./result.js";
import { formatBitsPerSecond, formatBytes } from "./units.js";

const pad = (s: string, n: number) => s.padStart(n);
const range = (a: number, b: number) => `${a.toFixed(2).padStart(6)}-${b.toFixed(2).padEnd(6)}`;
const idCol = (id: number | "SUM") => (id === "SUM" ? "[SUM]" : `[${pad(String(id), 3)}]`);

function udpCols(u: UdpFigures): string {
  const pct = u.packets > 0 ? (100 * u.lostPackets) / u.packets : 0;
  const exact = u.exact
    ? `  exact: lost ${u.exact.lost}, reordered ${u.exact.reordered}, dup ${u.exact.duplicated}`
    : "";
  return `${pad(u.jitterMs.toFixed(3), 7)} ms  ${u.lostPackets}/${u.packets} (${formatPct(pct)})${exact}`;
}

function formatPct(p: number): string {
  return p === 0 ? "0%" : p < 0.01 ? `${p.toExponential(1)}%` : `${Number(p.toPrecision(2))}%`;
}

/** The header line above interval lines. */
export function intervalHeader(udp: boolean, sender: boolean): string {
  if (!udp) return `[ ID] Interval           Transfer     Bitrate${sender ? "         Retr" : ""}`;
  return sender
    ? "[ ID] Interval           Transfer     Bitrate         Total Datagrams"
    : "[ ID] Interval           Transfer     Bitrate         Jitter    Lost/Total Datagrams";
}

function streamLine(id: number | "SUM", iv: Interval, s: IntervalStream | IntervalSum, udp: boolean): string {
  const secs = iv.end - iv.start;
  const base = `${idCol(id)} ${range(iv.start, iv.end)} sec  ${pad(formatBytes(s.bytes), 11)}  ${pad(formatBitsPerSecond(bitsPerSecond(s.bytes, secs)), 15)}`;
  const omit = iv.omitted ? "  (omitted)" : "";
  if (!udp) {
    const r = s.sender && (s.retransmits ?? -1) >= 0 ? `  ${pad(String(s.retransmits), 5)}` : "";
    return base + r + omit;
  }
  if (s.sender) return `${base}  ${s.packets}${omit}`;
  return `${base}  ${s.udp ? udpCols(s.udp) : ""}${omit}`;
}

/** A sum of interval rows: what the [SUM] line and the JSON `sum` show. */
interface IntervalSum {
  bytes: number;
  packets: number;
  sender: boolean;
  udp: UdpFigures | null;
  retransmits: number;
}

function intervalSum(xs: IntervalStream[], sender: boolean): IntervalSum {
  const retr = xs.map((s) => s.retransmits ?? -1);
  return {
    bytes: xs.reduce((a, s) => a + s.bytes, 0),
    packets: xs.reduce((a, s) => a + s.packets, 0),
    sender,
    udp: sumUdp(xs.map((s) => s.udp)),
    retransmits: retr.length > 0 && retr.every((r) => r >= 0) ? retr.reduce((a, b) => a + b, 0) : -1,
  };
}

/** Text lines for one interval (one per stream, plus [SUM] with several streams). */
export function intervalLines(iv: Interval, udp: boolean): string[] {
  const lines = iv.streams.map((s) => streamLine(s.id, iv, s, udp));
  if (iv.streams.length > 1) {
    for (const sender of [true, false]) {
      const xs = iv.streams.filter((s) => s.sender === sender);
      if (xs.length < 2 && iv.streams.length === xs.length) continue;
      if (xs.length === 0) continue;
      const sum = intervalSum(xs, sender);
      if (xs.length > 1) lines.push(streamLine("SUM", iv, sum, udp));
    }
  }
  return lines;
}

function summaryLine(
  id: number | "SUM",
  s: StreamSummary | SumRow,
  role: "sender" | "receiver",
  udp: boolean,
): string {
  const side = role === "sender" ? s.sent : s.received;
  const iv: Interval = { start: 0, end: side.seconds, omitted: false, streams: [] };
  const secs = side.seconds;
  const base = `${idCol(id)} ${range(0, secs)} sec  ${pad(formatBytes(side.bytes), 11)}  ${pad(formatBitsPerSecond(bitsPerSecond(side.bytes, secs)), 15)}`;
  void iv;
  if (!udp) {
    const retr = role === "sender" && s.retransmits >= 0 ? pad(String(s.retransmits), 5) : "     ";
    return `${base}  ${retr}  ${role}`;
  }
  if (s.udp === null) return `${base}  ${role}`;
  const u = s.udp;
  if (role === "sender") {
    const total = s.sent.packets || u.packets;
    const pct = total > 0 ? (100 * u.lostPackets) / total : 0;
    return `${base}  ${pad("0.000", 7)} ms  ${u.lostPackets}/${total} (${formatPct(pct)})  sender`;
  }
  return `${base}  ${udpCols(u)}  receiver`;
}

interface SumRow {
  sent: { bytes: number; seconds: number; packets: number };
  received: { bytes: number; seconds: number; packets: number };
  retransmits: number;
  udp: UdpFigures | null;
}

function sumRows(streams: StreamSummary[]): SumRow {
  const add = (side: "sent" | "received") => ({
    bytes: streams.reduce((a, s) => a + s[side].bytes, 0),
    packets: streams.reduce((a, s) => a + s[side].packets, 0),
    seconds: Math.max(0, ...streams.map((s) => s[side].seconds)),
  });
  const retr = streams.map((s) => s.retransmits);
  return {
    sent: add("sent"),
    received: add("received"),
    retransmits: retr.every((r) => r >= 0) ? retr.reduce((a, b) => a + b, 0) : -1,
    udp: sumUdp(streams.map((s) => s.udp)),
  };
}

/** The final summary: a sender and a receiver line per stream (and [SUM] per direction). */
export function summaryLines(r: BenchResult): string[] {
  const udp = r.params.protocol === "udp";
  const out = ["- - - - - - - - - - - - - - - - - - - - - - - - -"];
  out.push(
    udp
      ? "[ ID] Interval           Transfer     Bitrate         Jitter    Lost/Total Datagrams"
      : "[ ID] Interval           Transfer     Bitrate         Retr",
  );
  for (const s of r.streams) {
    out.push(summaryLine(s.id, s, "sender", udp));
    out.push(summaryLine(s.id, s, "receiver", udp));
  }
  for (const dir of [true, false]) {
    const xs = r.streams.filter((s) => s.localSender === dir);
    if (xs.length < 2) continue;
    const sum = sumRows(xs);
    out.push(summaryLine("SUM", sum, "sender", udp));
    out.push(summaryLine("SUM", sum, "receiver", udp));
  }
  if (udp) {
    const u = sumUdp(r.streams.map((s) => s.udp));
    if (u?.exact) {
      out.push(
        `netkit exact: ${u.exact.expected} sent, ${u.exact.unique} arrived, ${u.exact.lost} lost (${formatPct(
          u.exact.expected > 0 ? (100 * u.exact.lost) / u.exact.expected : 0,
        )}), ${u.exact.reordered} reordered, ${u.exact.duplicated} duplicated` +
          `; iperf3 counting: ${u.lostPackets} lost, ${u.outOfOrder} out of order`,
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------- iperf3-shaped JSON

function jsonInterval(
  iv: Interval,
  s: IntervalStream | IntervalSum,
  udp: boolean,
  socket: number,
): Record<string, unknown> {
  const secs = iv.end - iv.start;
  const o: Record<string, unknown> = {
    socket,
    start: iv.start,
    end: iv.end,
    seconds: secs,
    bytes: s.bytes,
    bits_per_second: bitsPerSecond(s.bytes, secs),
  };
  if (udp) {
    if (!s.sender && s.udp) {
      o.jitter_ms = s.udp.jitterMs;
      o.lost_packets = s.udp.lostPackets;
      o.packets = s.udp.packets;
      o.lost_percent = s.udp.lostPercent;
      o.out_of_order = s.udp.outOfOrder;
      if (s.udp.exact) o.netkit_exact = s.udp.exact;
    } else o.packets = s.packets;
  } else if (s.sender && (s.retransmits ?? -1) >= 0) o.retransmits = s.retransmits;
  o.omitted = iv.omitted;
  o.sender = s.sender;
  return o;
}

function sideJson(
  secs: number,
  bytes: number,
  sender: boolean,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    start: 0,
    end: secs,
    seconds: secs,
    bytes,
    bits_per_second: bitsPerSecond(bytes, secs),
    ...extra,
    sender,
  };
}

function udpJson(u: UdpFigures | null, packets: number): Record<string, unknown> {
  if (u === null) return { jitter_ms: 0, lost_packets: 0, packets, lost_percent: 0 };
  const total = packets || u.packets;
  return {
    jitter_ms: u.jitterMs,
    lost_packets: u.lostPackets,
    packets: total,
    lost_percent: total > 0 ? (100 * u.lostPackets) / total : 0,
  };
}

/** The result in iperf3's `--json` shape (`start`, `intervals`, `end`), plus `netkit_exact` for UDP. */
export function toIperfJson(r: BenchResult, version = "netkit"): Record<string, unknown> {
  const udp = r.params.protocol === "udp";
  const sockets = new Map(r.streams.map((s, i) => [s.id, 5 + i]));
  const start = {
    connected: r.streams.map((s) => ({
      socket: sockets.get(s.id),
      local_host: s.local.host,
      local_port: s.local.port,
      remote_host: s.remote.host,
      remote_port: s.remote.port,
    })),
    version,
    system_info: "",
    timestamp: { time: new Date(r.timestamp * 1000).toUTCString(), timesecs: Math.floor(r.timestamp) },
    ...(r.role === "client"
      ? { connecting_to: { host: r.peer.host, port: r.peer.port } }
      : { accepted_connection: { host: r.peer.host, port: r.peer.port } }),
    cookie: r.cookie,
    test_start: {
      protocol: udp ? "UDP" : "TCP",
      num_streams: r.params.parallel,
      blksize: r.params.len,
      omit: r.params.omit,
      duration: r.params.time,
      bytes: r.params.num,
      blocks: 0,
      reverse: r.params.reverse ? 1 : 0,
      tos: 0,
      target_bitrate: r.params.bandwidth,
      bidir: r.params.bidirectional ? 1 : 0,
    },
  };
  // iperf3 3.12 reports --bidir as two groups: the streams this side sends on (`sum`, `sum_sent`,
  // `sum_received`) and the ones it receives on (the same names + `_bidir_reverse`). A group's
  // `sender` flag is whether this side sends on its streams (for UDP `sum_sent` is always true and
  // `sum_received` false), as in test/fixtures/bench/iperf3_3.12_bidir_*.json.
  const groups = r.params.bidirectional
    ? [
        { xs: r.streams.filter((s) => s.localSender), suffix: "", sender: true },
        { xs: r.streams.filter((s) => !s.localSender), suffix: "_bidir_reverse", sender: false },
      ]
    : [{ xs: r.streams, suffix: "", sender: r.streams.every((s) => s.localSender) }];
  const intervals = r.intervals.map((iv) => {
    const streams = iv.streams.map((s) => jsonInterval(iv, s, udp, sockets.get(s.id) ?? 0));
    const out: Record<string, unknown> = { streams };
    for (const g of groups) {
      const ids = new Set(g.xs.map((s) => s.id));
      const xs = iv.streams.filter((s) => ids.has(s.id));
      const sum = intervalSum(xs, g.sender);
      const o = jsonInterval(iv, sum, udp, 0);
      delete o.socket;
      out[`sum${g.suffix}`] = o;
    }
    return out;
  });
  const end: Record<string, unknown> = {};
  if (!udp) {
    end.streams = r.streams.map((s) => ({
      sender: {
        socket: sockets.get(s.id),
        ...sideJson(
          s.sent.seconds,
          s.sent.bytes,
          s.localSender,
          s.retransmits >= 0 ? { retransmits: s.retransmits } : {},
        ),
      },
      receiver: {
        socket: sockets.get(s.id),
        ...sideJson(s.received.seconds, s.received.bytes, s.localSender),
      },
    }));
    for (const g of groups) {
      const sum = sumRows(g.xs);
      end[`sum_sent${g.suffix}`] = sideJson(
        sum.sent.seconds,
        sum.sent.bytes,
        g.sender,
        sum.retransmits >= 0 ? { retransmits: sum.retransmits } : {},
      );
      end[`sum_received${g.suffix}`] = sideJson(sum.received.seconds, sum.received.bytes, g.sender);
    }
  } else {
    end.streams = r.streams.map((s) => {
      const side = s.localSender ? s.sent : s.received;
      return {
        udp: {
          socket: sockets.get(s.id),
          ...sideJson(side.seconds, side.bytes, s.localSender, {
            ...udpJson(s.udp, s.sent.packets),
            out_of_order: s.udp?.outOfOrder ?? 0,
          }),
          ...(s.udp?.exact ? { netkit_exact: s.udp.exact } : {}),
        },
      };
    });
    for (const g of groups) {
      const sum = sumRows(g.xs);
      const side = g.sender ? sum.sent : sum.received;
      end[`sum${g.suffix}`] = sideJson(
        side.seconds,
        side.bytes,
        g.sender,
        udpJson(sum.udp, sum.sent.packets),
      );
      end[`sum_sent${g.suffix}`] = sideJson(sum.sent.seconds, sum.sent.bytes, true, {
        ...udpJson(sum.udp, sum.sent.packets),
        jitter_ms: 0,
      });
      end[`sum_received${g.suffix}`] = sideJson(
        sum.received.seconds,
        sum.received.bytes,
        false,
        udpJson(sum.udp, sum.sent.packets),
      );
      if (sum.udp?.exact) {
        end[`netkit_exact${g.suffix}`] = {
          ...sum.udp.exact,
          lost_percent: sum.udp.exact.expected > 0 ? (100 * sum.udp.exact.lost) / sum.udp.exact.expected : 0,
          out_of_order_iperf3: sum.udp.outOfOrder,
        };
      }
    }
  }
  return { start, intervals, end };
}
