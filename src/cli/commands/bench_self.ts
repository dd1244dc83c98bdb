/** `netkit bench` with no mode: the loopback UDP-vs-TCP run, one table and a plain summary. */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { startEchoPeer } from "../../bench/echo_peer.js";
import { linePanel, type Series, svgDocument } from "../../bench/plot_svg.js";
import { type PeerPorts, type SelfRunResult, selfRun } from "../../bench/self_run.js";
import { startBenchServer } from "../../bench/server.js";
import { formatBitsPerSecond, formatPacketsPerSecond } from "../../bench/units.js";
import { NetkitError, UsageError } from "../../errors.js";
import { createLossyLink, tcpRetransSegs } from "../../impair/netns_link.js";
import { tunAvailable } from "../../native/tun.js";
import { intFlag, parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import { plotFlag } from "./bench_flags.js";
import { progressLine } from "./bench_progress.js";
import { parseProbability } from "./impair.js";

const BIN = fileURLToPath(new URL("../bin.js", import.meta.url));

/** Start the peer process (bench server + echo) and read its ports from its first line. */
function startPeerProcess(prefix: string[] = [], host = "127.0.0.1"): Promise<PeerPorts> {
  return new Promise((resolve, reject) => {
    const argv = [...prefix, process.execPath, BIN, "bench", "_peer", "--host", host];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
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

/** The hidden `netkit bench _peer [--host H]`: serve until stdin closes. */
export async function runPeer(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, { host: { type: "string" } });
  const host = typeof values.host === "string" ? values.host : "127.0.0.1";
  const srv = await startBenchServer({ port: 0, interval: 0, host });
  const echo = await startEchoPeer(host);
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

/** The hidden `netkit bench _lossy-client --host H --ports JSON`: the measuring side, run inside
 * the first test host; prints the SelfRunResult (without runs) as JSON. */
export async function runLossyClient(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, { host: { type: "string" }, ports: { type: "string" } });
  const ports = JSON.parse(String(values.ports)) as {
    benchPort: number;
    tcpEchoPort: number;
    udpEchoPort: number;
  };
  const r = await selfRun({
    host: String(values.host),
    lossy: true,
    startPeer: async () => ({ ...ports, stop: async () => {} }),
    retransSegs: () => tcpRetransSegs(null),
  });
  const { runs: _runs, ...rest } = r;
  io.stdout.write(`${JSON.stringify(rest)}\n`);
  return 0;
}

const pct = (v: number) => `${v.toFixed(v > 0 && v < 0.1 ? 3 : 2)}%`;

export function renderSelf(r: SelfRunResult): string {
  const rows: string[][] = [
    ["test", "sent", "received", "lost (exact)", "lost (iperf3)", "reordered", "dup", "jitter"],
    [
      r.path === "lossy-link" ? "TCP, 1 stream, 4 MBytes" : "TCP, 1 stream, 128K writes",
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
    s.count === 0 && r.interrupted
      ? `${name}: not measured (interrupted)`
      : `${name}: p50 ${us(s.p50)}  p90 ${us(s.p90)}  p99 ${us(s.p99)}  p99.9 ${us(s.p999)}  max ${us(s.max)}  (${s.count} round trips, ${s.lost} lost)`;
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
    `(${r.seconds.toFixed(1)} s${r.interrupted ? ", interrupted: the steps not run are missing" : ""}; iperf3-style details: netkit bench client --help)`,
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
  const lossy = r.path === "lossy-link";
  if (lossy && r.tcp.retransSegs !== null)
    s[0] = `TCP delivered every byte, in order, at ${formatBitsPerSecond(r.tcp.receivedBps)}: the link lost packets, and TCP retransmitted ${r.tcp.retransSegs} segments so that the application never noticed (it only got slower).`;
  for (const u of paced) {
    if (lossy) {
      s.push(
        `UDP at ${formatBitsPerSecond(u.target)} lost ${u.exactLost} of ${u.sentPackets} datagrams (${pct(u.exactLostPercent)}) on the same link: UDP has no acknowledgements, so what the link drops is simply gone.`,
      );
      continue;
    }
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
  if (!lossy)
    s.push(
      reord === 0
        ? "No datagram was reordered or duplicated: on loopback that needs an impaired path (netkit impair relays datagrams with drops, duplicates and reordering)."
        : `${reord} datagrams came reordered or duplicated — the exact counts show it; iperf3's counting would have mixed them into its loss figure.`,
    );
  const lt = r.latency.tcp.p50;
  const lu = r.latency.udp.p50;
  if (Number.isNaN(lt) || Number.isNaN(lu)) return s; // interrupted before the latency steps
  s.push(
    lossy
      ? `Request/response at the median: ${lu.toFixed(1)} µs over UDP, ${lt.toFixed(1)} µs over TCP; but a lost request costs UDP a timeout (${r.latency.udp.lost} lost) and TCP a retransmission (its p99 is ${r.latency.tcp.p99.toFixed(0)} µs).`
      : `A request/response round trip took ${lu.toFixed(1)} µs over UDP and ${lt.toFixed(1)} µs over TCP at the median: ${
          lu < lt ? "UDP's lighter path is a little faster" : "on loopback the difference is small"
        }; throughput, not latency, is where TCP's machinery shows.`,
  );
  return s;
}

export async function runSelf(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    quick: { type: "boolean" },
    json: { type: "boolean", short: "J" },
    plot: { type: "string" },
    "lossy-link": { type: "string" },
    seed: { type: "string" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const lossy =
    values["lossy-link"] === undefined ? null : parseProbability(values["lossy-link"], "lossy-link");
  const seed = intFlag("seed", values.seed, 0, 2 ** 32 - 1) ?? 1;
  if (lossy !== null && values.plot !== undefined)
    throw new UsageError("--plot is not available with --lossy-link");
  const plot = plotFlag(values.plot);
  if (lossy !== null) return runLossy(lossy, seed, values.json === true, io);
  const prog = progressLine(io);
  // Ctrl-C: stop the current step and print what was measured so far.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  let r: SelfRunResult;
  try {
    r = await selfRun({
      quick: values.quick === true,
      startPeer: () => startPeerProcess(),
      onStep: (t) => prog.update(`netkit bench: ${t} …`),
      signal: stop.signal,
    });
  } finally {
    process.off("SIGINT", onSignal);
  }
  prog.clear();
  if (plot !== undefined) {
    const series: Series[] = r.runs.map((run) => ({
      name: `${run.params.protocol.toUpperCase()}${run.params.protocol === "udp" ? ` ${run.params.bandwidth === 0 ? "unlimited" : `${run.params.bandwidth / 1e6}M`} ${run.params.len}B` : ""}`,
      points: run.intervals.map((iv) => ({
        x: iv.end,
        y: (iv.streams.reduce((a, s) => a + s.bytes, 0) * 8) / Math.max(1e-9, iv.end - iv.start) / 1e6,
      })),
    }));
    await writeFile(
      plot,
      svgDocument([linePanel("Received throughput over time", "Mbit/s", "seconds", series, 0)]),
    );
  }
  if (values.json === true) {
    const { runs: _runs, ...rest } = r;
    io.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
  } else io.stdout.write(renderSelf(r));
  return 0;
}

/** `netkit bench --lossy-link P`: two test hosts joined by an impaired TUN link (root). */
async function runLossy(drop: number, seed: number, json: boolean, io: CliIo): Promise<number> {
  if (!tunAvailable()) throw new NetkitError("ERR_IO", "--lossy-link needs root and /dev/net/tun");
  const prog = progressLine(io);
  prog.update("netkit bench: creating two test hosts and the lossy link …");
  const link = await createLossyLink({ impair: { drop }, seed });
  try {
    const peer = await startPeerProcess(["ip", "netns", "exec", link.nsB], link.addrB);
    try {
      prog.update(`netkit bench: measuring across the ${(drop * 100).toFixed(1)}% link (about 15 s) …`);
      const ports = {
        benchPort: peer.benchPort,
        tcpEchoPort: peer.tcpEchoPort,
        udpEchoPort: peer.udpEchoPort,
      };
      const out = await new Promise<string>((resolve, reject) => {
        const argv = ["netns", "exec", link.nsA, process.execPath, BIN, "bench", "_lossy-client"];
        const child = spawn("ip", [...argv, "--host", link.addrB, "--ports", JSON.stringify(ports)], {
          stdio: ["ignore", "pipe", "inherit"],
        });
        let text = "";
        child.stdout.on("data", (d: Buffer) => {
          text += d.toString();
        });
        const killer = setTimeout(() => child.kill(), 120_000);
        child.on("error", reject);
        child.on("close", (code) => {
          clearTimeout(killer);
          if (code === 0) resolve(text);
          else reject(new NetkitError("ERR_IO", `the measuring host failed (exit ${code})`));
        });
      });
      prog.clear();
      const r = JSON.parse(out) as SelfRunResult;
      const counts = link.counts();
      if (json) {
        io.stdout.write(`${JSON.stringify({ lossyLink: { drop, seed, ...link, counts }, ...r }, null, 2)}\n`);
        return 0;
      }
      io.stdout.write(
        renderSelf({ ...r, runs: [] }).replace(
          /^netkit bench .*$/m,
          `netkit bench — UDP vs TCP across a ${(drop * 100).toFixed(1)}% lossy link (${link.addrA} -> ${link.addrB}, two network namespaces, seed ${seed})`,
        ),
      );
      io.stdout.write(
        [
          "",
          "Across the lossy link:",
          `  - TCP moved ${r.tcp.bytes} bytes (${r.tcp.bytes === 4 * 1024 * 1024 ? "all 4 MBytes, byte count exact" : "NOT the 4 MBytes sent"}) and retransmitted ${r.tcp.retransSegs ?? "?"} segments to repair the losses — the application saw none of them.`,
          `  - UDP lost ${r.udp[0]?.exactLost ?? 0} of ${r.udp[0]?.sentPackets ?? 0} datagrams (${(r.udp[0]?.exactLostPercent ?? 0).toFixed(2)}%): nobody resends them.`,
          `  - The link dropped ${counts.ab.dropped} of ${counts.ab.received} packets A->B and ${counts.ba.dropped} of ${counts.ba.received} B->A.`,
          "",
        ].join("\n"),
      );
      return 0;
    } finally {
      await peer.stop();
    }
  } finally {
    prog.clear();
    await link.close();
  }
}
