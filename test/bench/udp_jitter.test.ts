/**
 * Jitter on the UDP fast path comes from each datagram's own kernel receive time (SO_TIMESTAMPNS),
 * not one time per recvmmsg batch: on a paced loopback run it is above 0 and plausible.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runBenchClient } from "../../src/bench/client.js";
import { startBenchServer } from "../../src/bench/server.js";
import { fastUdpAvailable } from "../../src/bench/udp_fast.js";

describe("UDP jitter with the recvmmsg fast path", { timeout: 30_000 }, () => {
  for (const reverse of [false, true]) {
    it(`paced run of ~5,000 datagrams${reverse ? " (-R: the client receives)" : ""}: 0 < jitter < 10 ms`, {
      skip: !fastUdpAvailable() && "the sendmmsg/recvmmsg fast path is not available here",
    }, async () => {
      const srv = await startBenchServer({ port: 0, interval: 0 });
      try {
        const r = await runBenchClient({
          host: "127.0.0.1",
          port: srv.port,
          protocol: "udp",
          bandwidth: 40_000_000,
          len: 1000,
          time: 1,
          interval: 0,
          reverse,
        });
        const u = r.streams[0]!.udp;
        assert.ok(u !== null);
        // Counts and presence only: how many arrive in 1 s, and how large the jitter is, depend on
        // the machine's load (those figures live in bench/).
        assert.ok(u.packets > 0, `packets ${u.packets}`);
        assert.ok(u.jitterMs > 0 && Number.isFinite(u.jitterMs), `jitter ${u.jitterMs} ms`);
      } finally {
        await srv.close();
      }
    });
  }
});
