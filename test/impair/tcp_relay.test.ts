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

  it("bandwidth: 1 MByte at 8 Mbit/s takes at least about a second, byte-exact", async () => {
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

  it("half-close: the client's FIN first, then the server's 200,000-byte reply comes back (--latency 20)", async () => {
    const reply = Buffer.alloc(200_000, 7);
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      let got = 0;
      s.on("data", (d: Buffer) => {
        got += d.length;
      });
      s.on("end", () => s.end(Buffer.concat([Buffer.from(`${got}:`), reply])));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const relay = await startTcpRelay({
      listen: { host: "127.0.0.1", port: 0 },
      target: { host: "127.0.0.1", port: (server.address() as net.AddressInfo).port },
      latencyMs: 20,
      seed: 1,
    });
    try {
      const back = await new Promise<Buffer>((resolve, reject) => {
        const parts: Buffer[] = [];
        const c = net.connect({ port: relay.port, host: "127.0.0.1", allowHalfOpen: true }, () =>
          c.end(Buffer.alloc(1000)),
        );
        c.on("data", (d: Buffer) => parts.push(d));
        c.on("end", () => resolve(Buffer.concat(parts)));
        c.on("error", reject);
      });
      assert.equal(back.length, "1000:".length + reply.length);
      assert.equal(back.subarray(0, 5).toString(), "1000:");
      assert.ok(back.subarray(5).equals(reply));
    } finally {
      await relay.close();
      server.close();
    }
  });

  it("half-close: the server's FIN first; the client's 3 MB still go through, in order (latency + bandwidth)", async () => {
    const data = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131) & 0xff;
    let received: Buffer | undefined;
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      s.end("bye"); // FIN at once, like a listener whose stdin is at EOF
      const parts: Buffer[] = [];
      s.on("data", (d: Buffer) => parts.push(d));
      s.on("end", () => {
        received = Buffer.concat(parts);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const relay = await startTcpRelay({
      listen: { host: "127.0.0.1", port: 0 },
      target: { host: "127.0.0.1", port: (server.address() as net.AddressInfo).port },
      latencyMs: 5,
      bandwidth: 400e6,
      seed: 1,
    });
    try {
      const got = await new Promise<string>((resolve, reject) => {
        let text = "";
        let ended = false;
        const c = net.connect({ port: relay.port, host: "127.0.0.1", allowHalfOpen: true });
        c.on("data", (d: Buffer) => {
          text += d.toString();
        });
        c.on("end", () => {
          ended = true;
          c.end(data); // the peer's FIN came first: we still send everything
        });
        c.on("close", () => (ended ? resolve(text) : reject(new Error("closed before the FIN"))));
        c.on("error", reject);
      });
      assert.equal(got, "bye");
      const deadline = Date.now() + 20_000;
      while (received === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(received?.equals(data), `server got ${received?.length} of ${data.length} bytes`);
    } finally {
      await relay.close();
      server.close();
    }
  });
});
