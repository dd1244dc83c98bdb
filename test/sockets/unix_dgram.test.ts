import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startUnixDgramServer, UnixDgramClient, unixDgramRequest } from "../../src/index.js";
import { decodeSockaddrUn, sockaddrUn, unixDgramAvailable } from "../../src/native/unix_dgram.js";

function tmp(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "netkit-udg-"));
  return { dir, path: join(dir, "s.sock") };
}

describe("Unix datagram sockets (FFI)", () => {
  it("sockaddr_un encoding round-trips paths and abstract names", () => {
    for (const p of ["/tmp/a.sock", "@netkit-abstract", "rel.sock"]) {
      const [b, len] = sockaddrUn(p);
      assert.equal(decodeSockaddrUn(b, len), p);
    }
    assert.throws(() => sockaddrUn(`/${"x".repeat(120)}`), { code: "ENAMETOOLONG" });
  });

  it("the notes' exchange over a socket file; truncation counted; empty datagrams answered", async (t) => {
    if (!unixDgramAvailable()) return t.skip("koffi/libc FFI does not load on this machine");
    const { dir, path } = tmp();
    const server = await startUnixDgramServer({ path, handler: "upper", buffer: 1024 });
    try {
      assert.ok(statSync(path).isSocket());
      const r = await unixDgramRequest({ path, message: "Hello, server!", timeout: 2000 });
      assert.equal(r.data.toString(), "HELLO, SERVER!");
      assert.equal(r.from, path);
      const c = await UnixDgramClient.open({ path });
      assert.match(c.local ?? "", /^@/); // autobound abstract name, so replies can reach us
      const big = await c.request(Buffer.alloc(3000, 0x61), { timeout: 2000 });
      assert.equal(big.data.length, 1024);
      const empty = await c.request(Buffer.alloc(0), { timeout: 2000 });
      assert.equal(empty.size, 0);
      const bad = await c.request(Buffer.from([0xff, 0x61]), { timeout: 2000 });
      assert.equal(bad.data.toString(), "\ufffdA");
      await c.close();
      const st = await server.close();
      assert.equal(st.truncated, 1);
      assert.equal(st.empty, 1);
      assert.equal(st.datagrams, 4);
      assert.throws(() => statSync(path), { code: "ENOENT" }); // the socket file is removed
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("nothing bound at the path is ERR_CONN_REFUSED; a taken path is ERR_ADDR_IN_USE", async (t) => {
    if (!unixDgramAvailable()) return t.skip("koffi/libc FFI does not load on this machine");
    const { dir, path } = tmp();
    try {
      await assert.rejects(unixDgramRequest({ path, message: "x" }), { code: "ERR_CONN_REFUSED" });
      const a = await startUnixDgramServer({ path });
      await assert.rejects(startUnixDgramServer({ path }), (e: Error & { code: string }) => {
        assert.equal(e.code, "ERR_ADDR_IN_USE");
        assert.ok(e.message.includes(path));
        return true;
      });
      await a.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a burst of 2,000 datagrams from several clients: every reply arrives", async (t) => {
    if (!unixDgramAvailable()) return t.skip("koffi/libc FFI does not load on this machine");
    const { dir, path } = tmp();
    const server = await startUnixDgramServer({ path, handler: "echo" });
    try {
      const clients = await Promise.all([1, 2, 3, 4].map(() => UnixDgramClient.open({ path })));
      await Promise.all(
        clients.map(async (c, k) => {
          for (let i = 0; i < 500; i++) await c.send(`${k}:${i}`);
          const seen = new Set<string>();
          for await (const d of c) {
            seen.add(d.data.toString());
            if (seen.size === 500) break;
          }
          assert.equal(seen.size, 500);
        }),
      );
      for (const c of clients) await c.close();
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
