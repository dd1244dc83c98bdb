/**
 * The interop bar: mixed-tool results within 10% of iperf3-to-iperf3 on the same run.
 * Paced UDP (20 Mbit/s, 1000-byte datagrams, 1 s) and paced TCP (200 Mbit/s, -n 16M would not be
 * paced, so -b with -t 1): iperf3 → iperf3, iperf3 → netkit bench server, netkit bench client →
 * iperf3, each rate taken from the receiver's report.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runBenchClient } from "../../src/bench/client.js";
import { startBenchServer } from "../../src/bench/server.js";
import { haveIperf3, runIperf3Client, startIperf3Server } from "../helpers/iperf3.js";

const HAVE = haveIperf3();

interface J {
  end: { sum?: { bits_per_second: number }; sum_received?: { bits_per_second: number } };
}

/** Receiver-side rate from an iperf3 client report: UDP `end.sum`, TCP `end.sum_received`. */
function rateOf(j: J, udp: boolean): number {
  const r = udp ? j.end.sum?.bits_per_second : j.end.sum_received?.bits_per_second;
  assert.ok(typeof r === "number" && r > 0, `no rate in ${JSON.stringify(j.end).slice(0, 200)}`);
  return r;
}

async function iperfToIperf(args: string[], udp: boolean): Promise<number> {
  const srv = await startIperf3Server();
  try {
    return rateOf(
      (await runIperf3Client(["-c", "127.0.0.1", "-p", String(srv.port), ...args])) as unknown as J,
      udp,
    );
  } finally {
    await srv.output;
    srv.stop();
  }
}

async function iperfToNetkit(args: string[], udp: boolean): Promise<number> {
  const srv = await startBenchServer({ port: 0, interval: 0 }, {});
  try {
    return rateOf(
      (await runIperf3Client(["-c", "127.0.0.1", "-p", String(srv.port), ...args])) as unknown as J,
      udp,
    );
  } finally {
    await srv.close();
  }
}

async function netkitToIperf(udp: boolean, bandwidth: number): Promise<number> {
  const srv = await startIperf3Server();
  try {
    const r = await runBenchClient({
      host: "127.0.0.1",
      port: srv.port,
      interval: 0,
      time: 1,
      bandwidth,
      ...(udp ? { protocol: "udp" as const, len: 1000 } : {}),
    });
    await srv.output;
    const s = r.streams[0]!;
    const bytes = s.received.bytes;
    assert.ok(bytes > 0, "iperf3 received nothing");
    return (bytes * 8) / (s.received.seconds > 0 ? s.received.seconds : r.seconds);
  } finally {
    srv.stop();
  }
}

function within10(label: string, x: number, ref: number): void {
  const ratio = x / ref;
  assert.ok(
    ratio > 0.9 && ratio < 1.1,
    `${label}: ${(x / 1e6).toFixed(2)} vs ${(ref / 1e6).toFixed(2)} Mbit/s`,
  );
}

describe("mixed iperf3/netkit results agree with iperf3-to-iperf3 within 10%", { timeout: 60_000 }, () => {
  it("UDP at 20 Mbit/s", { skip: !HAVE && "iperf3 not installed" }, async () => {
    const args = ["-u", "-b", "20M", "-l", "1000", "-t", "1"];
    const ref = await iperfToIperf(args, true);
    within10("iperf3 → netkit server", await iperfToNetkit(args, true), ref);
    within10("netkit client → iperf3", await netkitToIperf(true, 20e6), ref);
  });

  it("TCP paced at 200 Mbit/s", { skip: !HAVE && "iperf3 not installed" }, async () => {
    const args = ["-b", "200M", "-t", "1"];
    const ref = await iperfToIperf(args, false);
    within10("iperf3 → netkit server", await iperfToNetkit(args, false), ref);
    within10("netkit client → iperf3", await netkitToIperf(false, 200e6), ref);
  });
});
