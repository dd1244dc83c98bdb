/**
 * Mixed iperf3/netkit runs agree on what they count: paced UDP (20 Mbit/s, 1000-byte datagrams)
 * and paced TCP (200 Mbit/s), iperf3 → netkit bench server and netkit bench client → iperf3 -s.
 * Both ends' reports of one test must hold the same datagram and byte counts, exactly.
 *
 * No rate is asserted here: a busy machine sends less in a second, and that is a measurement, not
 * a defect of the protocol. The rate comparison with iperf3's own client (≥ 98 % of the target with
 * both cores busy) lives in bench/pacing.ts (`npm run bench:pacing`), recorded in docs/benchmarks.md.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runBenchClient } from "../../src/bench/client.js";
import type { BenchResult } from "../../src/bench/result.js";
import { startBenchServer } from "../../src/bench/server.js";
import { iperf3Required, runIperf3Client, startIperf3Server } from "../helpers/iperf3.js";

const SKIP = iperf3Required();

interface J {
  end: {
    sum?: { packets: number; lost_packets: number; bytes: number };
    sum_sent: { bytes: number };
    sum_received: { bytes: number };
  };
}

async function iperfToNetkit(args: string[]): Promise<{ j: J; ours: BenchResult }> {
  let ours: BenchResult | null = null;
  const srv = await startBenchServer(
    { port: 0, host: "127.0.0.1", interval: 0 },
    { onResult: (r) => (ours = r) },
  );
  try {
    const j = (await runIperf3Client(["-c", "127.0.0.1", "-p", String(srv.port), ...args])) as unknown as J;
    for (let i = 0; i < 500 && ours === null; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(ours, "the netkit server reported the test");
    return { j, ours };
  } finally {
    await srv.close();
  }
}

async function netkitToIperf(udp: boolean, bandwidth: number): Promise<{ j: J; r: BenchResult }> {
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
    const j = JSON.parse(await srv.output) as J;
    return { j, r };
  } finally {
    srv.stop();
  }
}

describe("mixed iperf3/netkit runs: both reports hold the same counts", { timeout: 60_000 }, () => {
  it("UDP at 20 Mbit/s, 1000-byte datagrams", { skip: SKIP }, async () => {
    const a = await iperfToNetkit(["-u", "-b", "20M", "-l", "1000", "-t", "1"]);
    const s = a.ours.streams[0]!;
    assert.ok(a.j.end.sum && s.udp?.exact);
    // What netkit received is what iperf3 was told: datagrams, losses, bytes (1000 each).
    assert.equal(a.j.end.sum.packets, s.udp.packets);
    assert.equal(a.j.end.sum.lost_packets, s.udp.lostPackets);
    assert.equal(a.j.end.sum_received.bytes, s.received.bytes);
    assert.equal(s.received.bytes, s.udp.exact.received * 1000);
    assert.ok(s.udp.exact.received > 0);

    const b = await netkitToIperf(true, 20e6);
    const t = b.r.streams[0]!;
    assert.ok(b.j.end.sum && t.udp);
    // iperf3 -s counted exactly the datagrams netkit sent (on loopback nothing is lost on the way
    // unless the receiver falls behind, which iperf3 then reports as lost).
    assert.equal(t.sent.bytes, t.sent.packets * 1000);
    assert.equal(b.j.end.sum_received.bytes, t.received.bytes);
    assert.equal(b.j.end.sum.lost_packets, t.udp.lostPackets);
    assert.ok(t.sent.packets > 0 && t.udp.packets <= t.sent.packets);
  });

  it("TCP paced at 200 Mbit/s", { skip: SKIP }, async () => {
    const a = await iperfToNetkit(["-b", "200M", "-t", "1"]);
    const s = a.ours.streams[0]!;
    assert.equal(a.j.end.sum_received.bytes, s.received.bytes);
    assert.ok(s.received.bytes > 0 && s.received.bytes <= a.j.end.sum_sent.bytes);

    const b = await netkitToIperf(false, 200e6);
    const t = b.r.streams[0]!;
    assert.equal(b.j.end.sum_received.bytes, t.received.bytes);
    assert.ok(t.received.bytes > 0 && t.received.bytes <= t.sent.bytes);
  });
});
