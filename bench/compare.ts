/**
 * `npm run bench:compare`: netkit bench against iperf3, side by side in one run, both clients
 * driving the same neutral receiver (`iperf3 -s` on a free loopback port), rounds alternating.
 *
 *   TCP, one stream, 128 KByte writes, 5 s: received bit/s (target netkit ≥ 1.0× iperf3)
 *   UDP, 64-byte datagrams, unlimited rate, 5 s: sent packets/s (target ≥ 1.1×), loss as reported
 *
 * Loopback only; every run is bounded (-t) and killed after a timeout.
 */
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "../test/helpers/iperf3.js";
import { median } from "./stats.js";

const BIN = fileURLToPath(new URL("../src/cli/bin.js", import.meta.url));
const SECS = Number(process.env.BENCH_SECS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Run {
  sentBps: number;
  receivedBps: number;
  sentPackets: number;
  lostPercent: number;
  seconds: number;
}

function runJson(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: (SECS + 20) * 1000 });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}${r.stdout.slice(0, 300)}`);
  const j = JSON.parse(r.stdout) as {
    end: {
      sum_sent: { bits_per_second: number; seconds: number; packets?: number };
      sum_received: { bits_per_second: number };
      sum?: { packets: number; lost_percent: number; seconds: number };
    };
  };
  const e = j.end;
  return {
    sentBps: e.sum_sent.bits_per_second,
    receivedBps: e.sum_received.bits_per_second,
    sentPackets: e.sum?.packets ?? e.sum_sent.packets ?? 0,
    lostPercent: e.sum?.lost_percent ?? 0,
    seconds: e.sum_sent.seconds,
  };
}

async function main(): Promise<void> {
  if (spawnSync("iperf3", ["--version"]).status !== 0)
    throw new Error("iperf3 is not installed (apt-get install iperf3)");
  const port = await freePort();
  const server = spawn("iperf3", ["-s", "-B", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 500));
  const iperf = (a: string[]) =>
    runJson("iperf3", ["-c", "127.0.0.1", "-p", String(port), "-t", String(SECS), "--json", ...a]);
  const netkit = (a: string[]) =>
    runJson(process.execPath, [
      BIN,
      "bench",
      "client",
      "127.0.0.1",
      "-p",
      String(port),
      "-t",
      String(SECS),
      "-i",
      "0",
      "--json",
      ...a,
    ]);
  // netkit bench server on a second port, for iperf3's client against it.
  const port2 = await freePort();
  const nserver = spawn(process.execPath, [BIN, "bench", "server", "-p", String(port2), "--json"], {
    stdio: "ignore",
  });
  await new Promise((r) => setTimeout(r, 700));
  const iperfToNetkit = (a: string[]) =>
    runJson("iperf3", ["-c", "127.0.0.1", "-p", String(port2), "-t", String(SECS), "--json", ...a]);
  const results: Record<string, { iperf3: Run[]; netkit: Run[] }> = {
    tcp: { iperf3: [], netkit: [] },
    udp64: { iperf3: [], netkit: [] },
    server: { iperf3: [], netkit: [] },
  };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, args] of [
        ["tcp", ["-l", "128K"]],
        ["udp64", ["-u", "-b", "0", "-l", "64"]],
      ] as const) {
        const pair = [
          () => results[name]!.iperf3.push(iperf([...args])),
          () => results[name]!.netkit.push(netkit([...args])),
        ];
        if (round % 2 === 1) pair.reverse();
        for (const f of pair) {
          f();
          await new Promise((r) => setTimeout(r, 300));
        }
        process.stderr.write(".");
      }
      // Same client (iperf3), the two servers as receivers.
      const pair = [
        () => results.server!.iperf3.push(iperf(["-l", "128K"])),
        () => results.server!.netkit.push(iperfToNetkit(["-l", "128K"])),
      ];
      if (round % 2 === 1) pair.reverse();
      for (const f of pair) {
        f();
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  } finally {
    server.kill();
    nserver.kill();
  }
  process.stderr.write("\n");
  const tcpI = median(results.tcp!.iperf3.map((r) => r.receivedBps));
  const tcpN = median(results.tcp!.netkit.map((r) => r.receivedBps));
  const ppsI = median(results.udp64!.iperf3.map((r) => r.sentPackets / r.seconds));
  const ppsN = median(results.udp64!.netkit.map((r) => r.sentPackets / r.seconds));
  const lossI = median(results.udp64!.iperf3.map((r) => r.lostPercent));
  const lossN = median(results.udp64!.netkit.map((r) => r.lostPercent));
  const srvI = median(results.server!.iperf3.map((r) => r.receivedBps));
  const srvN = median(results.server!.netkit.map((r) => r.receivedBps));
  const g = (x: number) => `${(x / 1e9).toFixed(2)} Gbit/s`;
  const k = (x: number) => `${Math.round(x).toLocaleString("en-US")} pkt/s`;
  const out = [
    `Against iperf3 -s on 127.0.0.1, ${SECS} s per run, median of ${ROUNDS} alternating rounds.`,
    "",
    "| test | iperf3 3.12 | netkit bench | netkit / iperf3 | target |",
    "|---|---:|---:|---:|---|",
    `| TCP, 1 stream, 128 KByte writes (received) | ${g(tcpI)} | ${g(tcpN)} | **${(tcpN / tcpI).toFixed(2)}×** | ≥ 1.0× |`,
    `| UDP 64 B, -b 0 (sent) | ${k(ppsI)} | ${k(ppsN)} | **${(ppsN / ppsI).toFixed(2)}×** | ≥ 1.1× |`,
    `| UDP 64 B, -b 0: loss reported by the receiver | ${lossI.toFixed(1)}% | ${lossN.toFixed(1)}% | | |`,
    `| TCP 128 KByte, iperf3 -c into iperf3 -s / into netkit bench server (received) | ${g(srvI)} | ${g(srvN)} | **${(srvN / srvI).toFixed(2)}×** | within 10% |`,
  ];
  console.log(out.join("\n"));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
