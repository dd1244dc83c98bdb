/**
 * A lost UDP handshake reply (iperf3's 987654321 answer to the client's 123456789) must not hang
 * the test: the relay drops the first datagram of each direction (deterministic, --drop-first 1
 * with --both), so the client's first connect datagram and then the server's first reply are lost;
 * the client repeats its connect datagram and the server's stream socket answers again — in
 * reverse mode from the worker that is already sending, with -P 2 before the test has started.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BenchClientOptions } from "../../src/bench/client.js";
import { runBenchClient } from "../../src/bench/client.js";
import { startBenchServer } from "../../src/bench/server.js";
import { startTcpRelay } from "../../src/impair/tcp_relay.js";
import { startUdpRelay } from "../../src/impair/udp_relay.js";
import { freePort } from "../helpers/iperf3.js";

async function throughLossyHandshake(o: Partial<BenchClientOptions>, fast: boolean) {
  const srv = await startBenchServer({ port: 0, interval: 0, fast });
  const port = await freePort();
  const target = { host: "127.0.0.1", port: srv.port };
  const listen = { host: "127.0.0.1", port };
  const udp = await startUdpRelay({ listen, target, impair: { dropFirst: 1 }, seed: 1, both: true });
  const tcp = await startTcpRelay({ listen, target, seed: 1 });
  try {
    const r = await runBenchClient({
      host: "127.0.0.1",
      port,
      protocol: "udp",
      bandwidth: 8e6,
      len: 1000,
      time: 1,
      interval: 0,
      fast,
      ...o,
    });
    return { r, relay: udp.counts() };
  } finally {
    await udp.close();
    await tcp.close();
    await srv.close();
  }
}

describe("UDP handshake reply lost on the way back", { timeout: 60_000 }, () => {
  for (const fast of [true, false]) {
    const path = fast ? "recvmmsg/sendmmsg workers" : "dgram";
    it(`-R (${path}): the server answers the repeated connect datagram, the test runs`, async () => {
      const { r, relay } = await throughLossyHandshake({ reverse: true }, fast);
      // One dropped per direction and flow: the first connect datagram and the first reply.
      assert.equal(relay.flows, 1);
      assert.equal(relay.forward.dropped, 1);
      assert.equal(relay.back.dropped, 1);
      assert.ok(relay.forward.received >= 3, `connect datagrams ${relay.forward.received}`);
      const s = r.streams[0]!;
      assert.equal(s.localSender, false);
      // Had the handshake not been answered, the client would have given up with an error.
      assert.ok(s.udp !== null && s.udp.packets > 0, `received ${s.udp?.packets}`);
    });

    it(`-P 2 (${path}): the first stream's repeated connect is answered before the test starts`, async () => {
      const { r, relay } = await throughLossyHandshake({ parallel: 2 }, fast);
      assert.equal(relay.flows, 2);
      assert.equal(relay.back.dropped, 2);
      assert.equal(r.streams.length, 2);
      for (const s of r.streams) assert.ok(s.udp !== null && s.udp.packets > 0, `${s.udp?.packets}`);
    });
  }
});
