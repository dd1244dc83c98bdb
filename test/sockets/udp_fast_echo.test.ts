import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { describe, it } from "node:test";
import { mmsgAvailable } from "../../src/native/mmsg.js";
import { transformDatagram } from "../../src/sockets/datagram_transform.js";
import { type BuiltinHandlerName, resolveHandler } from "../../src/sockets/handlers.js";
import { startUdpServer } from "../../src/sockets/udp_server.js";
import { listeningPort, startNetkit, waitFor } from "../helpers/peers.js";

const FFI = mmsgAvailable() ? undefined : "koffi does not load here: no recvmmsg fast path to test";

function bound(type: "udp4" | "udp6" = "udp4"): Promise<dgram.Socket> {
  const s = dgram.createSocket(type);
  return new Promise((r) => s.bind(0, type === "udp4" ? "127.0.0.1" : "::1", () => r(s)));
}

/** Send each payload and collect the replies in arrival order (one in flight at a time). */
async function exchange(s: dgram.Socket, port: number, host: string, payloads: Buffer[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const p of payloads) {
    const reply = new Promise<Buffer>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no reply to a ${p.length}-byte datagram`)), 3000);
      s.once("message", (m) => {
        clearTimeout(t);
        resolve(m);
      });
    });
    s.send(p, port, host);
    out.push(await reply);
  }
  return out;
}

/** What the handler answers on the ordinary path (a datagram session), for comparison. */
async function viaHandler(name: BuiltinHandlerName, data: Buffer): Promise<Buffer> {
  const replies: Uint8Array[] = [];
  const session = resolveHandler(name).open({
    proto: "udp",
    framing: "datagram",
    remoteAddress: "127.0.0.1",
    remotePort: 1,
    localAddress: "127.0.0.1",
    localPort: 2,
    send: async (d) => {
      replies.push(d);
    },
  });
  await session.write(data);
  assert.equal(replies.length, 1);
  return Buffer.from(replies[0]!);
}

describe("UDP server fast path (recvmmsg/sendmmsg worker)", () => {
  it("transformDatagram gives what the built-in handlers give, ASCII and not", async () => {
    const inputs = [
      Buffer.from("Hello, server!"),
      Buffer.alloc(0),
      Buffer.from("straße ÄÖÜ 😀 İ"),
      Buffer.from([0xff, 0xfe, 0x61, 0xc3]),
      randomBytes(300),
      Buffer.from("line one\nline two\r\n"),
    ];
    for (const name of ["echo", "upper", "lower", "reverse"] as const) {
      for (const input of inputs) {
        const slot = Buffer.alloc(1024);
        input.copy(slot);
        const n = transformDatagram(name, slot, input.length);
        assert.deepEqual(
          slot.subarray(0, n),
          await viaHandler(name, input),
          `${name} of ${input.toString("hex")}`,
        );
      }
    }
    // A reply that grows past its slot is refused, not cut.
    const tight = Buffer.from("ΐΐ"); // 4 bytes; upper case is 3 code points each, 12 bytes
    assert.equal(transformDatagram("upper", tight, tight.length), -1);
  });

  it("echoes byte-exact (0 to 65507 bytes, IPv4 and IPv6), counts, and reports path mmsg", async (t) => {
    if (FFI) return t.skip(FFI);
    for (const [host, type] of [
      ["127.0.0.1", "udp4"],
      ["::1", "udp6"],
    ] as const) {
      const server = await startUdpServer({ host, port: 0, handler: "echo", fast: true });
      const c = await bound(type);
      try {
        assert.equal(server.path, "mmsg");
        const sizes = [0, 1, 63, 64, 1472, 9000, 65507];
        const payloads = sizes.map((n) => randomBytes(n));
        const replies = await exchange(c, server.address.port, host, payloads);
        for (let i = 0; i < sizes.length; i++)
          assert.ok(replies[i]!.equals(payloads[i]!), `${sizes[i]} bytes`);
        const total = sizes.reduce((a, b) => a + b, 0);
        // The worker publishes its counters just after its sendmmsg returns: wait for that.
        await waitFor(() => server.stats().replies >= sizes.length, 2000, "counters");
        const st = server.stats();
        assert.equal(st.path, "mmsg");
        assert.deepEqual(
          [st.datagrams, st.replies, st.empty, st.truncated, st.bytesIn, st.bytesOut, st.peers],
          [sizes.length, sizes.length, 1, 0, total, total, 1],
        );
      } finally {
        c.close();
        await server.close();
      }
    }
  });

  it("truncates an oversized datagram to --buffer, answers it, counts it and emits truncated", async (t) => {
    if (FFI) return t.skip(FFI);
    const server = await startUdpServer({ host: "127.0.0.1", port: 0, buffer: 1024, fast: true });
    const events: { size: number; truncated: boolean; remotePort: number }[] = [];
    server.on("truncated", (e) => events.push(e));
    const c = await bound();
    try {
      const big = randomBytes(3000);
      const [reply] = await exchange(c, server.address.port, "127.0.0.1", [big]);
      assert.ok(reply!.equals(big.subarray(0, 1024)));
      await waitFor(() => events.length === 1 && server.stats().replies === 1, 2000, "truncated event");
      assert.deepEqual(events[0], {
        remoteAddress: "127.0.0.1",
        remotePort: c.address().port,
        size: 3000,
        truncated: true,
      });
      const st = server.stats();
      assert.deepEqual([st.truncated, st.bytesIn, st.bytesOut], [1, 1024, 1024]);
    } finally {
      c.close();
      await server.close();
    }
  });

  it("text handlers in the worker: upper answers like the ordinary path", async (t) => {
    if (FFI) return t.skip(FFI);
    const server = await startUdpServer({ host: "127.0.0.1", port: 0, handler: "upper", fast: true });
    const c = await bound();
    try {
      assert.equal(server.path, "mmsg");
      const inputs = [Buffer.from("Hello, server!"), Buffer.from("straße"), Buffer.from([0xff, 0x61])];
      const replies = await exchange(c, server.address.port, "127.0.0.1", inputs);
      for (let i = 0; i < inputs.length; i++)
        assert.deepEqual(replies[i], await viaHandler("upper", inputs[i]!));
    } finally {
      c.close();
      await server.close();
    }
  });

  it("a burst from several peers: every datagram answered to its own sender, peers counted", async (t) => {
    if (FFI) return t.skip(FFI);
    const server = await startUdpServer({ host: "127.0.0.1", port: 0, fast: true });
    const clients = await Promise.all([bound(), bound(), bound(), bound()]);
    const PER = 500;
    try {
      const wrong: string[] = [];
      const got = clients.map(() => 0);
      clients.forEach((c, k) => {
        c.on("message", (m) => {
          if (m.readUInt32BE(0) !== k) wrong.push(`client ${k} got client ${m.readUInt32BE(0)}'s reply`);
          got[k]!++;
        });
      });
      // Rounds of 25 per client, small enough for the sockets' default buffers (no loss to excuse).
      for (let i = 0; i < PER; i++) {
        clients.forEach((c, k) => {
          const b = Buffer.alloc(16);
          b.writeUInt32BE(k, 0);
          b.writeUInt32BE(i, 4);
          c.send(b, server.address.port, "127.0.0.1");
        });
        if ((i + 1) % 25 === 0) await waitFor(() => got.every((n) => n === i + 1), 3000, `round ${i + 1}`);
      }
      assert.deepEqual(wrong, []);
      await waitFor(() => server.stats().replies >= 4 * PER, 2000, "counters");
      const st = server.stats();
      assert.deepEqual([st.datagrams, st.replies, st.peers], [4 * PER, 4 * PER, 4]);
    } finally {
      for (const c of clients) c.close();
      await server.close();
    }
  });

  it("--deny is checked in the worker: no reply, counted and reported", async (t) => {
    if (FFI) return t.skip(FFI);
    const server = await startUdpServer({ host: "127.0.0.1", port: 0, deny: ["127.0.0.0/8"], fast: true });
    const denied: { remoteAddress: string }[] = [];
    server.on("denied", (e) => denied.push(e));
    const c = await bound();
    let replies = 0;
    c.on("message", () => replies++);
    try {
      assert.equal(server.path, "mmsg");
      c.send("x", server.address.port, "127.0.0.1");
      await waitFor(() => denied.length === 1, 2000, "denied event");
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(replies, 0);
      assert.equal(denied[0]!.remoteAddress, "127.0.0.1");
      const st = server.stats();
      assert.deepEqual([st.denied, st.datagrams, st.replies], [1, 0, 0]);
    } finally {
      c.close();
      await server.close();
    }
  });

  it("stops gracefully under load: close() resolves, the port is free again, counts add up", async (t) => {
    if (FFI) return t.skip(FFI);
    const server = await startUdpServer({ host: "127.0.0.1", port: 0, fast: true });
    const port = server.address.port;
    const c = await bound();
    let replies = 0;
    c.on("message", () => replies++);
    let sending = true;
    const pump = (async () => {
      for (let i = 0; sending && i < 20_000; i++) {
        c.send(Buffer.alloc(32), port, "127.0.0.1");
        if (i % 32 === 0) await new Promise((r) => setImmediate(r));
      }
    })();
    await waitFor(() => replies > 100, 3000, "some replies");
    const st = await server.close(); // under a flood: the test's guard catches a hang
    sending = false;
    await pump;
    assert.equal(st.path, "mmsg");
    assert.equal(st.replies, st.datagrams);
    assert.ok(st.replies >= replies, `${st.replies} replies counted, ${replies} received`);
    const again = dgram.createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      again.once("error", reject);
      again.bind(port, "127.0.0.1", () => resolve());
    });
    again.close();
    c.close();
  });

  it("falls back to dgram for a user function and with fast: false", async () => {
    const fn = await startUdpServer({ host: "127.0.0.1", port: 0, handler: (d) => d, fast: true });
    const plain = await startUdpServer({ host: "127.0.0.1", port: 0 });
    try {
      assert.equal(fn.path, "dgram");
      assert.equal(plain.path, "dgram");
      const c = await bound();
      const [r] = await exchange(c, fn.address.port, "127.0.0.1", [Buffer.from("hi")]);
      c.close();
      assert.equal(r!.toString(), "hi");
    } finally {
      await fn.close();
      await plain.close();
    }
  });

  it("netkit udp serve --handler echo selects the fast path; --verbose keeps dgram", async (t) => {
    if (FFI) return t.skip(FFI);
    for (const [extra, path] of [
      [[], "mmsg"],
      [["--verbose"], "dgram"],
    ] as const) {
      const srv = startNetkit([
        "udp",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--handler",
        "echo",
        ...extra,
      ]);
      try {
        const port = await listeningPort(srv);
        const c = await bound();
        const [r] = await exchange(c, port, "127.0.0.1", [Buffer.from("ping")]);
        c.close();
        assert.equal(r!.toString(), "ping");
        srv.child.kill("SIGTERM");
        assert.equal(await srv.exited, 0);
        assert.match(srv.stderr(), new RegExp(`stopped: path=${path} datagrams=1 `));
      } finally {
        await srv.kill();
      }
    }
  });
});
