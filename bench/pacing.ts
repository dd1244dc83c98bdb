/**
 * `npm run bench:pacing`: does the UDP pacer hold its target while the machine is busy? Issue 12:
 * `netkit bench client -u -b 20M -t 5` against `iperf3 -s` with both cores kept busy must deliver
 * ≥ 98 % of 20 Mbit/s, as iperf3's own client does in the same run (it was 86–90 %).
 *
 * Starts `iperf3 -s` on a loopback port proven free and BUSY (default 2) CPU-bound processes
 * (`python3 -c 'while True: pass'`, each bounded by `timeout`), then runs netkit's client and
 * iperf3's client alternately, ROUNDS times (default 3), RATE (default 20M) for SECS (default 5).
 * The figure is what iperf3 -s received per second of its own test time (each report's
 * sum_received), as a share of the target. Everything started here is stopped here.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { median } from "./stats.js";

/** NETKIT_BIN: another build of netkit to measure (e.g. the main branch, for a before/after). */
const BIN = process.env.NETKIT_BIN ?? fileURLToPath(new URL("../src/cli/bin.js", import.meta.url));
const BUSY = Number(process.env.BUSY ?? 2);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECS = Number(process.env.SECS ?? 5);
const RATE = process.env.RATE ?? "20M";
const target = Number.parseFloat(RATE) * ({ K: 1e3, M: 1e6, G: 1e9 }[RATE.slice(-1)] ?? 1);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8").includes(`0100007F:${hex} 00000000:0000 0A`);
}

/** Received bits/s as iperf3 -s measured it, from a client's -J report. */
function received(cmd: string, args: string[]): number {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: (SECS + 30) * 1000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status} ${r.stderr}`);
  const j = JSON.parse(r.stdout.slice(r.stdout.search(/^\{/m))) as {
    end: { sum_received: { bytes: number; seconds: number } };
  };
  return (j.end.sum_received.bytes * 8) / j.end.sum_received.seconds;
}

async function main(): Promise<void> {
  const port = await freePort();
  const server = spawn("iperf3", ["-s", "-B", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  const hogs: ChildProcess[] = [];
  try {
    for (let i = 0; i < 500 && !listening(port); i++) await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < BUSY; i++)
      hogs.push(spawn("timeout", ["600", "python3", "-c", "while True: pass"], { stdio: "ignore" }));
    await new Promise((r) => setTimeout(r, 300));
    const nk: number[] = [];
    const ip: number[] = [];
    const common = ["-p", String(port), "-u", "-b", RATE, "-t", String(SECS), "--json"];
    for (let round = 0; round < ROUNDS; round++) {
      const runs = [
        () => nk.push(received(process.execPath, [BIN, "bench", "client", "127.0.0.1", ...common])),
        () => ip.push(received("iperf3", ["-c", "127.0.0.1", ...common])),
      ];
      if (round % 2 === 1) runs.reverse();
      for (const r of runs) {
        r();
        process.stderr.write(".");
      }
    }
    process.stderr.write("\n");
    const pct = (x: number) => `${((100 * x) / target).toFixed(1)} %`;
    const all = (xs: number[]) => xs.map(pct).join(" / ");
    console.log(
      [
        `UDP at ${RATE}bit/s for ${SECS} s against iperf3 -s, ${BUSY} busy processes, ${ROUNDS} rounds (order alternating); received by iperf3 -s, share of the target:`,
        "",
        "| client | median | all runs | target |",
        "|---|---:|---|---|",
        `| netkit bench client | **${pct(median(nk))}** | ${all(nk)} | ≥ 98 % |`,
        `| iperf3 -c | ${pct(median(ip))} | ${all(ip)} | (reference) |`,
      ].join("\n"),
    );
  } finally {
    for (const h of hogs) h.kill();
    server.kill();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
