import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { startEchoPeer } from "../../src/bench/echo_peer.js";
import { pingPong } from "../../src/bench/latency.js";
import { startTcpRelay } from "../../src/impair/tcp_relay.js";

describe("TCP relay faults", { timeout: 30_000 }, () => {
  it("latency: each round trip gains twice the one-way delay", async () => {
    const echo = await startEchoPeer();
    const relay = await startTcpRelay({
      listen: { host: "127.0.0.1", port: 0 },
      target: { host: "127.0.0.1", port: echo.tcpPort },
      latencyMs: 15,
      seed: 1,
    });
    try {
      const r = await pingPong({ host: "127.0.0.1", port: relay.port, count: 10 });
      assert.equal(r.received, 10);
      // A lower bound only: the relay holds each chunk at least this long (an upper bound would
      // measure the machine's load).
      assert.ok(r.summary.p50 >= 30_000, `p50 ${r.summary.p50} µs`);
      assert.equal(relay.counts().bytesUp, 640);
    } finally {
      await relay.close();
      await echo.close();
    }
  });

  it("bandwidth: 1 MByte at 8 Mbit/s takes about a second, byte-exact", async () => {
    const echo = await startEchoPeer();
    const relay = await startTcpRelay({
      listen: { host: "127.0.0.1", port: 0 },
      target: { host: "127.0.0.1", port: echo.tcpPort },
      bandwidth: 8e6,
      seed: 1,
    });
    try {
      const data = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
      const t0 = Date.now();
      const back = await new Promise<Buffer>((resolve, reject) => {
        const parts: Buffer[] = [];
        let n = 0;
        const s = net.connect(relay.port, "127.0.0.1", () => s.write(data));
        s.on("data", (d: Buffer) => {
          parts.push(d);
          n += d.length;
          if (n >= data.length) {
            s.destroy();
            resolve(Buffer.concat(parts));
          }
        });
        s.on("error", reject);
      });
      const secs = (Date.now() - t0) / 1000;
      assert.ok(back.equals(data));
      // The cap holds it back at least this long (no upper bound: that would measure the load).
      assert.ok(secs >= 0.9, `${secs} s`);
    } finally {
      await relay.close();
      await echo.close();
    }
  });

  it("reset-after: the client sees ECONNRESET once the bytes went through", async () => {
    const echo = await startEchoPeer();
    const relay = await startTcpRelay({
      listen: { host: "127.0.0.1", port: 0 },
      target: { host: "127.0.0.1", port: echo.tcpPort },
      resetAfter: 1000,
      seed: 1,
    });
    try {
      const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
        const s = net.connect(relay.port, "127.0.0.1", () => s.write(Buffer.alloc(4000)));
        s.on("error", (e) => resolve(e));
        s.on("close", () => resolve(null));
      });
      assert.equal(err?.code, "ECONNRESET");
      assert.equal(relay.counts().resets, 1);
    } finally {
      await relay.close();
      await echo.close();
    }
  });
});
