import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import diagnostics_channel from "node:diagnostics_channel";
import { mkdtempSync, rmSync } from "node:fs";
import type net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execHandler, startTcpServer, startUnixServer, tcpConnect, tcpRequest } from "../../src/index.js";
import { drainOrTimeout, waitFor } from "../helpers/peers.js";

/** Read until the peer's FIN; with `close`, answer it with ours (what nc does). */
function readAll(s: net.Socket, close = true): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    s.on("data", (d: Buffer) => parts.push(d));
    s.on("end", () => {
      if (close) s.end();
      resolve(Buffer.concat(parts));
    });
    s.on("error", reject);
  });
}

describe("TCP and Unix stream server and client (library)", () => {
  it("request/reply with half-close: the reply arrives after our FIN, then the server closes", async () => {
    const server = await startTcpServer({ host: "127.0.0.1", port: 0, handler: "upper" });
    try {
      const reply = await tcpRequest({
        host: "127.0.0.1",
        port: server.address.port,
        message: "Hello, server!",
        timeout: 2000,
      });
      assert.equal(reply.toString(), "HELLO, SERVER!");
    } finally {
      const st = await server.close();
      assert.equal(st.connections, 1);
      assert.equal(st.bytesIn, 14);
    }
  });

  it("text handlers keep a UTF-8 character split across reads whole; reverse works per line", async () => {
    const server = await startTcpServer({ host: "127.0.0.1", port: 0, handler: "upper", noDelay: true });
    const rev = await startTcpServer({ host: "127.0.0.1", port: 0, handler: "reverse" });
    try {
      const s = await tcpConnect({ host: "127.0.0.1", port: server.address.port, noDelay: true });
      const all = readAll(s);
      const bytes = Buffer.from("ßé€😀x", "utf8");
      for (const b of bytes) {
        s.write(Buffer.from([b]));
        await new Promise((r) => setTimeout(r, 2));
      }
      s.end(Buffer.from([0xff]));
      assert.equal((await all).toString("utf8"), "SSÉ€😀X\ufffd");
      const r = await tcpRequest({ host: "127.0.0.1", port: rev.address.port, message: "abc\r\nhé😀\nlast" });
      assert.equal(r.toString(), "cba\r\n😀éh\ntsal");
    } finally {
      await server.close();
      await rev.close();
    }
  });

  it("the server keeps reading after our half-close and the client still writes after the server's", async () => {
    // exec: `head -c 5` answers after 5 bytes and exits; the connection's write side closes then.
    const server = await startTcpServer({
      host: "127.0.0.1",
      port: 0,
      handler: execHandler({ argv: ["head", "-c", "5"] }),
    });
    try {
      const s = await tcpConnect({ host: "127.0.0.1", port: server.address.port });
      const all = readAll(s, false);
      s.write("hello world");
      assert.equal((await all).toString(), "hello");
      assert.equal(s.writable, true); // the server's FIN closed only its direction
      s.end();
    } finally {
      await server.close();
    }
  });

  it("EADDRINUSE → ERR_ADDR_IN_USE naming host:port; refused → ERR_CONN_REFUSED", async () => {
    const a = await startTcpServer({ host: "127.0.0.1", port: 0 });
    const port = a.address.port;
    await assert.rejects(startTcpServer({ host: "127.0.0.1", port }), (e: Error & { code: string }) => {
      assert.equal(e.code, "ERR_ADDR_IN_USE");
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      return true;
    });
    await a.close();
    await assert.rejects(tcpConnect({ host: "127.0.0.1", port, timeout: 2000 }), {
      code: "ERR_CONN_REFUSED",
    });
  });

  it("maxConns rejects the extra connection; idle timeout closes a silent one", async () => {
    const server = await startTcpServer({ host: "127.0.0.1", port: 0, maxConns: 1, idleTimeout: 300 });
    try {
      const first = await tcpConnect({ host: "127.0.0.1", port: server.address.port });
      const firstDone = readAll(first);
      await waitFor(() => server.stats().active === 1, 2000, "first accepted");
      const second = await tcpConnect({ host: "127.0.0.1", port: server.address.port });
      const secondData = await readAll(second).catch(() => Buffer.alloc(0));
      assert.equal(secondData.length, 0);
      await waitFor(() => server.stats().rejected === 1, 2000, "rejected");
      await firstDone.catch(() => undefined);
      await waitFor(() => server.stats().idleTimeouts === 1, 2000, "idle timeout");
      first.destroy();
      second.destroy();
    } finally {
      await server.close();
    }
  });

  it("allow/deny lists: deny wins; IPv4-mapped peers of a dual-stack server are unmapped", async () => {
    const server = await startTcpServer({ host: "::", port: 0, allow: ["127.0.0.0/8"], deny: ["127.0.0.2"] });
    try {
      const ok = await tcpRequest({ host: "127.0.0.1", port: server.address.port, message: "in" });
      assert.equal(ok.toString(), "in");
      const denied = tcpRequest({
        host: "127.0.0.1",
        localAddress: "127.0.0.2",
        port: server.address.port,
        message: "x",
      });
      await assert.rejects(denied, { code: "ERR_CONN_RESET" });
      const v6 = tcpRequest({ host: "::1", port: server.address.port, message: "x" });
      await assert.rejects(v6, { code: "ERR_CONN_RESET" });
      assert.equal(server.stats().denied, 2);
    } finally {
      await server.close();
    }
  });

  it("graceful close finishes the in-flight reply, then reports statistics", async () => {
    const server = await startTcpServer({
      host: "127.0.0.1",
      port: 0,
      graceMs: 600_000,
      handler: async (data: Buffer) => {
        await new Promise((r) => setTimeout(r, 200));
        return data.toString().toUpperCase();
      },
    });
    const s = await tcpConnect({ host: "127.0.0.1", port: server.address.port });
    const all = readAll(s);
    s.write("slow reply");
    await waitFor(() => server.stats().bytesIn === 10, 2000, "request read");
    // The grace period is 10 minutes: close() ending at all means it did not wait for it.
    const stats = await server.close();
    assert.equal((await all).toString(), "SLOW REPLY");
    assert.equal(stats.bytesOut, 10);
    assert.equal(stats.active, 0);
    s.destroy();
  });

  it("backpressure: a client that does not read keeps the server from reading (bounded memory)", async () => {
    const server = await startTcpServer({ host: "127.0.0.1", port: 0 });
    try {
      const s = await tcpConnect({ host: "127.0.0.1", port: server.address.port });
      s.pause(); // read nothing for now
      const chunk = Buffer.alloc(256 * 1024, 7);
      let sent = 0;
      const deadline = Date.now() + 700;
      while (Date.now() < deadline && sent < 64 * 1024 * 1024) {
        sent += chunk.length;
        if (!s.write(chunk)) await drainOrTimeout(s, 50);
      }
      const held = server.stats().bytesIn - server.stats().bytesOut;
      assert.ok(server.stats().bytesIn < 24 * 1024 * 1024, `server read ${server.stats().bytesIn} bytes`);
      assert.ok(held <= 4 * 1024 * 1024, `server holds ${held} bytes`);
      // Now read: every byte comes back.
      let got = 0;
      s.on("data", (d: Buffer) => {
        got += d.length;
      });
      s.resume();
      s.end();
      await new Promise((r) => s.on("end", r));
      assert.equal(got, sent);
    } finally {
      await server.close();
    }
  });

  it("survives 1,000 abrupt client resets and still answers", async () => {
    const server = await startTcpServer({ host: "127.0.0.1", port: 0 });
    try {
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            const s = await tcpConnect({ host: "127.0.0.1", port: server.address.port });
            if (i % 2 === 0) s.write("garbage\x00\xff");
            s.resetAndDestroy();
          }),
        );
      }
      await waitFor(() => server.stats().active === 0, 5000, "all reset connections gone");
      const r = await tcpRequest({ host: "127.0.0.1", port: server.address.port, message: "still here" });
      assert.equal(r.toString(), "still here");
      assert.ok(server.stats().connections >= 1000);
    } finally {
      await server.close();
    }
  });

  it("4 MB of random bytes round-trip byte-exact through exec cat", async () => {
    const server = await startTcpServer({
      host: "127.0.0.1",
      port: 0,
      handler: execHandler({ argv: ["cat"] }),
    });
    try {
      const data = randomBytes(4 * 1024 * 1024);
      const r = await tcpRequest({
        host: "127.0.0.1",
        port: server.address.port,
        message: data,
        timeout: 10000,
      });
      assert.equal(r.length, data.length);
      assert.ok(r.equals(data));
    } finally {
      await server.close();
    }
  });

  it("exec children see NETKIT_* environment", async () => {
    const server = await startTcpServer({
      host: "127.0.0.1",
      port: 0,
      handler: execHandler({ shell: 'echo "$NETKIT_PROTO $NETKIT_REMOTE_ADDR $NETKIT_LOCAL_PORT"' }),
    });
    try {
      const r = await tcpRequest({ host: "127.0.0.1", port: server.address.port, message: "" });
      assert.equal(r.toString(), `tcp 127.0.0.1 ${server.address.port}\n`);
    } finally {
      await server.close();
    }
  });

  it("IPv6 on ::1 and Unix stream sockets", async () => {
    const v6 = await startTcpServer({ host: "::1", port: 0, handler: "lower" });
    const dir = mkdtempSync(join(tmpdir(), "netkit-unix-"));
    const path = join(dir, "s.sock");
    const ux = await startUnixServer({ path, handler: "reverse" });
    try {
      assert.equal(
        (await tcpRequest({ host: "::1", port: v6.address.port, message: "ABC" })).toString(),
        "abc",
      );
      assert.equal((await tcpRequest({ path, message: "abc\n" })).toString(), "cba\n");
    } finally {
      await v6.close();
      await ux.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("publishes events on diagnostics_channel", async () => {
    const seen: string[] = [];
    const onListen = (m: unknown) => seen.push(`listen:${(m as { port: number }).port}`);
    const onConn = () => seen.push("connection");
    diagnostics_channel.subscribe("netkit:socket:listen", onListen);
    diagnostics_channel.subscribe("netkit:socket:connection", onConn);
    try {
      const server = await startTcpServer({ host: "127.0.0.1", port: 0 });
      const port = server.address.port;
      await tcpRequest({ host: "127.0.0.1", port, message: "x" });
      await server.close();
      assert.deepEqual(seen, [`listen:${port}`, "connection"]);
    } finally {
      diagnostics_channel.unsubscribe("netkit:socket:listen", onListen);
      diagnostics_channel.unsubscribe("netkit:socket:connection", onConn);
    }
  });
});
