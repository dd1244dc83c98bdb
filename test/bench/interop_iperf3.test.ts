/**
 * Interop with the real iperf3 (3.12 from Debian): iperf3 -c against netkit's server and netkit's
 * client against iperf3 -s, TCP and UDP, -R and -P 2. Short runs on loopback ports proven free.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runBenchClient } from "../../src/bench/client.js";
import type { BenchResult } from "../../src/bench/result.js";
import { startBenchServer } from "../../src/bench/server.js";
import { iperf3Required, runIperf3Client, startIperf3Server } from "../helpers/iperf3.js";

const SKIP = iperf3Required();
/** The parts of iperf3's --json output these tests read. */
interface J {
  end: {
    sum: { packets: number; lost_packets: number };
    sum_sent: { bytes: number };
    sum_received: { bytes: number };
    streams: unknown[];
  };
}

async function withNetkitServer(args: string[]): Promise<{ iperf: J; ours: BenchResult }> {
  let ours: BenchResult | null = null;
  let failure: unknown = null;
  const srv = await startBenchServer(
    { port: 0, interval: 0 },
    {
      onResult: (r) => {
        ours = r;
      },
      onTestError: (e) => {
        failure = e;
      },
    },
  );
  try {
    const iperf = (await runIperf3Client([
      "-c",
      "127.0.0.1",
      "-p",
      String(srv.port),
      ...args,
    ])) as unknown as J;
    for (let i = 0; i < 100 && ours === null && failure === null; i++)
      await new Promise((r) => setTimeout(r, 10));
    if (failure) throw failure;
    assert.ok(ours, "the netkit server produced a result");
    return { iperf, ours };
  } finally {
    await srv.close();
  }
}

describe("iperf3 -c against netkit bench server", { timeout: 60_000 }, () => {
  it("TCP: both sides agree on the bytes", { skip: SKIP }, async () => {
    const { iperf, ours } = await withNetkitServer(["-n", "8M"]);
    assert.equal(iperf.end.sum_sent.bytes, 8 * 1024 * 1024);
    assert.equal(ours.streams[0]!.received.bytes, iperf.end.sum_received.bytes);
    assert.equal(ours.streams[0]!.sent.bytes, iperf.end.sum_sent.bytes);
  });

  it("TCP -R -P 2: netkit sends on two streams, iperf3 receives them", {
    skip: SKIP,
  }, async () => {
    const { iperf, ours } = await withNetkitServer(["-R", "-P", "2", "-t", "1"]);
    assert.equal(iperf.end.streams.length, 2);
    assert.equal(ours.streams.length, 2);
    assert.ok(ours.streams.every((s) => s.localSender));
    const sentByUs = ours.streams.reduce((a, s) => a + s.sent.bytes, 0);
    assert.equal(iperf.end.sum_sent.bytes, sentByUs);
    assert.ok(iperf.end.sum_received.bytes > 0);
    assert.ok(iperf.end.sum_received.bytes <= sentByUs);
  });

  it("UDP: iperf3's datagrams counted by netkit, figures returned to iperf3", {
    skip: SKIP,
  }, async () => {
    const { iperf, ours } = await withNetkitServer(["-u", "-b", "20M", "-l", "1000", "-t", "1"]);
    const s = ours.streams[0]!;
    assert.ok(s.udp);
    assert.equal(s.udp.exact?.received, iperf.end.sum.packets);
    assert.equal(iperf.end.sum.lost_packets, s.udp.lostPackets);
    assert.equal(s.received.bytes, iperf.end.sum.packets * 1000);
    assert.ok(iperf.end.sum.packets > 0);
  });

  it("UDP -R -P 2: netkit paces two streams, iperf3 measures them", {
    skip: SKIP,
  }, async () => {
    const { iperf, ours } = await withNetkitServer(["-u", "-R", "-P", "2", "-b", "10M", "-t", "1"]);
    assert.equal(ours.streams.length, 2);
    const sent = ours.streams.reduce((a, s) => a + s.sent.packets, 0);
    assert.equal(iperf.end.sum.packets, sent);
    assert.ok(ours.streams.every((s) => s.localSender && s.sent.packets > 0));
  });
});

describe("netkit bench client against iperf3 -s", { timeout: 60_000 }, () => {
  const run = async (o: Parameters<typeof runBenchClient>[0] extends infer T ? Partial<T> : never) => {
    const srv = await startIperf3Server();
    try {
      const r = await runBenchClient({ host: "127.0.0.1", port: srv.port, interval: 0, time: 1, ...o });
      const j = JSON.parse(await srv.output) as J;
      return { r, j };
    } finally {
      srv.stop();
    }
  };

  it("TCP -n 8M: iperf3 received exactly what netkit sent", {
    skip: SKIP,
  }, async () => {
    const { r, j } = await run({ bytes: 8 * 1024 * 1024 });
    assert.equal(r.streams[0]!.sent.bytes, 8 * 1024 * 1024);
    assert.equal(j.end.sum_received.bytes, r.streams[0]!.received.bytes);
    assert.ok(j.end.sum_received.bytes > 0);
  });

  it("TCP -R -P 2: iperf3 sends, netkit receives and agrees", {
    skip: SKIP,
  }, async () => {
    const { r, j } = await run({ reverse: true, parallel: 2 });
    assert.equal(r.streams.length, 2);
    assert.equal(
      j.end.sum_sent.bytes,
      r.streams.reduce((a, s) => a + s.sent.bytes, 0),
    );
    assert.ok(r.streams.every((s) => !s.localSender && s.received.bytes > 0));
  });

  it("UDP: iperf3 counts netkit's datagrams with netkit's header", {
    skip: SKIP,
  }, async () => {
    const { r, j } = await run({ protocol: "udp", bandwidth: 20e6, len: 1200 });
    const s = r.streams[0]!;
    assert.equal(j.end.sum.packets, s.sent.packets);
    assert.equal(j.end.sum.lost_packets, s.udp?.lostPackets);
    assert.ok(s.sent.packets > 0);
    assert.equal(s.sent.bytes, s.sent.packets * 1200);
  });

  it("UDP -R -P 2: netkit receives iperf3's datagrams, exact and iperf3 counts agree on loopback", {
    skip: SKIP,
  }, async () => {
    const { r, j } = await run({ protocol: "udp", reverse: true, parallel: 2, bandwidth: 10e6, len: 1000 });
    assert.equal(r.streams.length, 2);
    for (const s of r.streams) {
      assert.ok(s.udp?.exact);
      assert.equal(s.udp.exact.received, s.udp.exact.unique);
      assert.equal(s.udp.exact.duplicated, 0);
    }
    assert.equal(
      j.end.sum.packets,
      r.streams.reduce((a, s) => a + s.sent.packets, 0),
    );
  });
});

describe("netkit client and server without the fast path (dgram)", { timeout: 30_000 }, () => {
  it("UDP both ways over plain dgram sockets", async () => {
    let ours: BenchResult | null = null;
    const srv = await startBenchServer(
      { port: 0, interval: 0, fast: false },
      { onResult: (r) => (ours = r) },
    );
    try {
      for (const reverse of [false, true]) {
        const r = await runBenchClient({
          host: "127.0.0.1",
          port: srv.port,
          protocol: "udp",
          bandwidth: 20e6,
          len: 1000,
          time: 0.5,
          interval: 0,
          reverse,
          fast: false,
        });
        const s = r.streams[0]!;
        assert.equal(s.localSender, !reverse);
        assert.ok(s.sent.packets > 0, `${s.sent.packets}`);
        assert.equal(s.udp?.exact?.expected, s.sent.packets);
        assert.ok(ours);
      }
    } finally {
      await srv.close();
    }
  });
});
