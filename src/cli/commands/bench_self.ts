/** `netkit bench` with no mode: the loopback UDP-vs-TCP run, one table and a plain summary. */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { startEchoPeer } from "../../bench/echo_peer.js";
import { linePanel, type Series, svgDocument } from "../../bench/plot_svg.js";
import { type PeerPorts, type SelfRunResult, selfRun } from "../../bench/self_run.js";
import { startBenchServer } from "../../bench/server.js";
import { formatBitsPerSecond, formatPacketsPerSecond } from "../../bench/units.js";
import { NetkitError } from "../../errors.js";
import { parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import { progressLine } from "./bench_progress.js";

const BIN = fileURLToPath(new URL("../bin.js", import.meta.url));

/** Start the peer process (bench server + echo) and read its ports from its first line. */
function startPeerProcess(): Promise<PeerPorts> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "bench", "_peer"], { stdio: ["pipe", "pipe", "inherit"] });
    let buf = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new NetkitError("ERR_BENCH_TIMEOUT", "the bench peer process did not start"));
    }, 10_000);
    child.on("error", (e) =>
      reject(new NetkitError("ERR_IO", `cannot start the peer: ${e.message}`, { cause: e })),
    );
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      const p = JSON.parse(buf.slice(0, nl)) as {
        benchPort: number;
        tcpEchoPort: number;
        udpEchoPort: number;
      };
      resolve({
        ...p,
        stop: () =>
          new Promise<void>((r) => {
            if (child.exitCode !== null) return r();
            child.once("exit", () => r());
            child.stdin.end();
            setTimeout(() => child.kill(), 2000).unref();
          }),
      });
    });
  });
}

/** The hidden `netkit bench _peer`: serve until stdin closes. */
export async function runPeer(io: CliIo): Promise<number> {
  const srv = await startBenchServer({ port: 0, interval: 0 });
  const echo = await startEchoPeer();
  io.stdout.write(
    `${JSON.stringify({ benchPort: srv.port, tcpEchoPort: echo.tcpPort, udpEchoPort: echo.udpPort })}\n`,
  );
  await new Promise<void>((r) => {
    process.stdin.on("end", r);
    process.stdin.on("close", r);
    process.stdin.resume();
  });
  await srv.close();
  await echo.close();
  return 0;
}

const pct = (v: number) => `${v.toFixed(v > 0 && v < 0.1 ? 3 : 2)}%`;

export function renderSelf(r: SelfRunResult): string {
  const rows: string[][] = [
    ["test", "sent", "received", "lost (exact)", "lost (iperf3)", "reordered", "dup", "jitter"],
    [
      "TCP, 1 stream, 128K writes",
      formatBitsPerSecond(r.tcp.sentBps),
      formatBitsPerSecond(r.tcp.receivedBps),
      "0 (reliable)",
      "-",
      "0",
      "0",
      "-",
    ],
  ];
  for (const u of r.udp) {
    rows.push([
      `UDP ${u.target === 0 ? "unlimited" : formatBitsPerSecond(u.target).replace("/sec", "/s")}, ${u.len} B`,
      `${formatBitsPerSecond(u.sentBps)} (${formatPacketsPerSecond(u.packetsPerSecond)})`,
      formatBitsPerSecond(u.receivedBps),
      `${u.exactLost} (${pct(u.exactLostPercent)})`,
      `${u.iperfLost} (${pct(u.iperfLostPercent)})`,
      String(u.reordered),
      String(u.duplicated),
      `${u.jitterMs.toFixed(3)} ms`,
    ]);
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((row) =>
    row.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  "),
  );
  lines.splice(1, 0, w.map((n) => "-".repeat(n)).join("  "));
  const us = (v: number) => `${v.toFixed(1)} µs`;
  const lat = (name: string, s: SelfRunResult["latency"]["tcp"]) =>
    `${name}: p50 ${us(s.p50)}  p90 ${us(s.p90)}  p99 ${us(s.p99)}  p99.9 ${us(s.p999)}  max ${us(s.max)}  (${s.count} round trips, ${s.lost} lost)`;
  const out = [
    "netkit bench — UDP vs TCP on loopback (127.0.0.1), measured now, peer in a separate process",
    "",
    ...lines,
    "",
    "Request/response latency, 64-byte messages, one in flight:",
    `  ${lat("TCP", r.latency.tcp)}`,
    `  ${lat("UDP", r.latency.udp)}`,
    "",
    "What the numbers say:",
    ...summarySentences(r).map((s) => `  - ${s}`),
    "",
    `(${r.seconds.toFixed(1)} s; iperf3-style details: netkit bench client --help)`,
  ];
  return `${out.join("\n")}\n`;
}

/** The plain-language summary, each sentence computed from the measurements. */
export function summarySentences(r: SelfRunResult): string[] {
  const s: string[] = [];
  s.push(
    `TCP delivered ${formatBitsPerSecond(r.tcp.receivedBps)} and every byte arrived, in order: TCP acknowledges, retransmits and paces itself (flow and congestion control).`,
  );
  const paced = r.udp.filter((u) => u.target > 0);
  const unl = r.udp.filter((u) => u.target === 0);
  for (const u of paced) {
    s.push(
      u.exactLost === 0
        ? `UDP paced at ${formatBitsPerSecond(u.target)} lost nothing: loopback has no wire to lose packets on while the receiver keeps up.`
        : `UDP paced at ${formatBitsPerSecond(u.target)} lost ${u.exactLost} datagrams (${pct(u.exactLostPercent)}): the receiver fell behind and its socket buffer overflowed.`,
    );
  }
  for (const u of unl) {
    s.push(
      u.exactLost > 0
        ? `UDP with no rate limit (${u.len}-byte datagrams) sent ${formatBitsPerSecond(u.sentBps)} but ${pct(u.exactLostPercent)} never arrived: UDP has no flow control, so a sender faster than its receiver simply loses datagrams, and nobody resends them.`
        : `UDP with no rate limit (${u.len}-byte datagrams) sent ${formatBitsPerSecond(u.sentBps)} and this time the receiver kept up (no loss) — run it again or raise the load to see drops.`,
    );
  }
  const reord = r.udp.reduce((a, u) => a + u.reordered + u.duplicated, 0);
  s.push(
    reord === 0
      ? "No datagram was reordered or duplicated: on loopback that needs an impaired path (netkit impair relays datagrams with drops, duplicates and reordering)."
      : `${reord} datagrams came reordered or duplicated — the exact counts show it; iperf3's counting would have mixed them into its loss figure.`,
  );
  const lt = r.latency.tcp.p50;
  const lu = r.latency.udp.p50;
  s.push(
    `A request/response round trip took ${lu.toFixed(1)} µs over UDP and ${lt.toFixed(1)} µs over TCP at the median: ${
      lu < lt ? "UDP's lighter path is a little faster" : "on loopback the difference is small"
    }; throughput, not latency, is where TCP's machinery shows.`,
  );
  return s;
}

export async function runSelf(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    quick: { type: "boolean" },
    json: { type: "boolean" },
    plot: { type: "string" },
  });
  if (positionals[0] === "_peer") return runPeer(io);
  const prog = progressLine(io);
  const r = await selfRun({
    quick: values.quick === true,
    startPeer: startPeerProcess,
    onStep: (t) => prog.update(`netkit bench: ${t} …`),
  });
  prog.clear();
  if (typeof values.plot === "string") {
    const series: Series[] = r.runs.map((run) => ({
      name: `${run.params.protocol.toUpperCase()}${run.params.protocol === "udp" ? ` ${run.params.bandwidth === 0 ? "unlimited" : `${run.params.bandwidth / 1e6}M`} ${run.params.len}B` : ""}`,
      points: run.intervals.map((iv) => ({
        x: iv.end,
        y: (iv.streams.reduce((a, s) => a + s.bytes, 0) * 8) / Math.max(1e-9, iv.end - iv.start) / 1e6,
      })),
    }));
    await writeFile(
      values.plot,
      svgDocument([linePanel("Received throughput over time", "Mbit/s", "seconds", series, 0)]),
    );
  }
  if (values.json === true) {
    const { runs: _runs, ...rest } = r;
    io.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
  } else io.stdout.write(renderSelf(r));
  return 0;
}
