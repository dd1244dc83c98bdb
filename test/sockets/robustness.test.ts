/**
 * Issue 3's robustness check, on real `netkit` server processes (so their memory can be read):
 * "a server survives garbage, oversized and empty datagrams and 1,000 abrupt client resets, with
 * its memory bounded while a client reads slowly". Datagrams go to `netkit udp serve`; resets and
 * the slow reader to `netkit tcp serve -k` (TCP has no datagrams, UDP no connections to reset).
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import net from "node:net";
import { describe, it } from "node:test";
import { tcpRequest, udpRequest } from "../../src/index.js";
import { drainOrTimeout, startNetkit, waitFor } from "../helpers/peers.js";

const MiB = 1024 * 1024;
const rss = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;

describe("a server survives abuse with bounded memory", () => {
  it("udp serve: 1,000 garbage, oversized (up to 65,507 bytes) and empty datagrams; every one answered, counted, memory bounded", async (t) => {
    const srv = startNetkit([
      "udp",
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--buffer",
      "512",
      "--handler",
      "upper",
      "--json",
    ]);
    const s = dgram.createSocket("udp4");
    try {
      await waitFor(
        () => srv.stdout().includes('"listening"') || srv.child.exitCode !== null,
        5000,
        "listening",
      );
      const port = JSON.parse(srv.stdout().split("\n")[0]!).port as number;
      await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
      let replies = 0;
      let emptyReplies = 0;
      s.on("message", (m) => {
        replies++;
        if (m.length === 0) emptyReplies++;
      });
      const before = rss(srv.child.pid!);
      let empty = 0;
      let oversized = 0;
      let kept = 0; // bytes the server should have taken: each datagram cut to --buffer 512
      for (let i = 0; i < 1000; i++) {
        const kind = i % 4;
        let buf: Buffer;
        if (kind === 0) {
          buf = Buffer.alloc(0);
          empty++;
        } else if (kind === 1) {
          buf = randomBytes(i % 8 === 1 ? 65507 : 4000); // the largest UDP/IPv4 payload, and a middling one
          oversized++;
        } else buf = randomBytes(1 + (i % 512)); // garbage: random bytes, mostly invalid UTF-8
        kept += Math.min(buf.length, 512);
        s.send(buf, port, "127.0.0.1");
        // Paced by the replies, so the kernel's receive queue (≈ 208 KiB here; a 64 KiB datagram
        // takes 128 KiB of it) never overflows on a loaded machine: a drop would be the kernel's.
        if (i % 20 === 19 || buf.length === 65507)
          await waitFor(() => replies === i + 1, 5000, `reply ${i + 1}`);
      }
      await waitFor(() => replies === 1000, 5000, "1,000 replies");
      const grown = rss(srv.child.pid!) - before;
      t.diagnostic(`udp server RSS growth after 1,000 datagrams: ${(grown / MiB).toFixed(1)} MiB`);
      assert.ok(grown < 32 * MiB, `server RSS grew by ${(grown / MiB).toFixed(1)} MiB`);
      assert.equal(emptyReplies, empty); // an empty datagram is answered with an empty one, not taken as EOF
      const r = await udpRequest({ host: "127.0.0.1", port, message: "still here", timeout: 2000 });
      assert.equal(r.data.toString(), "STILL HERE");
      srv.child.kill("SIGTERM");
      assert.equal(await srv.exited, 0);
      const stats = JSON.parse(srv.stdout().trim().split("\n").at(-1)!);
      assert.equal(stats.event, "stats");
      assert.equal(stats.datagrams, 1001);
      assert.equal(stats.truncated, oversized);
      assert.equal(stats.empty, empty);
      assert.equal(stats.replies, 1001);
      assert.equal(stats.errors, 0);
      assert.equal(stats.bytesIn, kept + "still here".length); // cut to --buffer, never more
      // one stderr warning per cut datagram, even with --json
      assert.equal(
        srv.stderr().match(/warning: datagram of (4000|65507) bytes .* truncated to --buffer 512\n/g)?.length,
        oversized,
      );
    } finally {
      s.close();
      await srv.kill();
    }
  });

  it("tcp serve -k: 1,000 abrupt resets, then a slow reader: backpressure holds the writer, memory bounded, every byte back", async (t) => {
    const srv = startNetkit(["tcp", "serve", "--host", "127.0.0.1", "--port", "0", "-k", "--json"]);
    try {
      await waitFor(
        () => srv.stdout().includes('"listening"') || srv.child.exitCode !== null,
        5000,
        "listening",
      );
      const port = JSON.parse(srv.stdout().split("\n")[0]!).port as number;
      const before = rss(srv.child.pid!);
      // 1,000 connections ended by RST (SO_LINGER 0), half of them after sending garbage.
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(
          Array.from(
            { length: 50 },
            (_, i) =>
              new Promise<void>((resolve, reject) => {
                const c = net.connect(port, "127.0.0.1", () => {
                  if (i % 2 === 0) c.write(randomBytes(1 + i * 37));
                  c.resetAndDestroy();
                  resolve();
                });
                c.on("error", reject);
              }),
          ),
        );
      }
      await waitFor(
        () => (srv.stdout().match(/"event":"close"/g) ?? []).length >= 1000,
        10_000,
        "1,000 close events",
      );
      const afterResets = rss(srv.child.pid!);
      t.diagnostic(
        `tcp server RSS growth after 1,000 resets: ${((afterResets - before) / MiB).toFixed(1)} MiB`,
      );
      assert.ok(afterResets - before < 32 * MiB, "1,000 resets leave memory bounded");
      // A slow reader: at most one read of the socket's buffer every 10 ms (≈ a few MiB/s), while
      // the writer pushes as fast as the connection lets it for 1.5 s.
      const s = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
      await new Promise((r) => s.once("connect", r));
      s.pause();
      const sentHash = createHash("sha256");
      const gotHash = createHash("sha256");
      let got = 0;
      let peak = 0;
      const reader = setInterval(() => {
        const c = s.read() as Buffer | null;
        if (c !== null) {
          got += c.length;
          gotHash.update(c);
        }
      }, 10);
      const sampler = setInterval(() => {
        peak = Math.max(peak, rss(srv.child.pid!) - afterResets);
      }, 50);
      const chunk = randomBytes(256 * 1024);
      let offered = 0;
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        offered += chunk.length;
        sentHash.update(chunk);
        if (!s.write(chunk)) await drainOrTimeout(s, 50);
      }
      clearInterval(sampler);
      t.diagnostic(
        `slow reader: ${(offered / MiB).toFixed(1)} MiB offered in 1.5 s, ${(got / MiB).toFixed(1)} MiB read, server RSS peak growth ${(peak / MiB).toFixed(1)} MiB`,
      );
      // Without backpressure the server would have read everything at loopback speed (GB/s).
      assert.ok(
        offered < 96 * MiB,
        `the slow reader held the writer back: ${(offered / MiB).toFixed(1)} MiB offered`,
      );
      assert.ok(peak < 32 * MiB, `server RSS grew by ${(peak / MiB).toFixed(1)} MiB at most`);
      assert.ok(got > 0, "the slow reader got data while the writer was pushing");
      // Now read the rest at full speed: every byte comes back, in order.
      clearInterval(reader);
      s.end();
      s.on("data", (d: Buffer) => {
        got += d.length;
        gotHash.update(d);
      });
      s.resume();
      await new Promise((r) => s.once("end", r));
      assert.equal(got, offered);
      assert.equal(gotHash.digest("hex"), sentHash.digest("hex"));
      s.destroy();
      assert.equal(
        (await tcpRequest({ host: "127.0.0.1", port, message: "still here" })).toString(),
        "still here",
      );
      srv.child.kill("SIGTERM");
      assert.equal(await srv.exited, 0);
      const stats = JSON.parse(srv.stdout().trim().split("\n").at(-1)!);
      assert.equal(stats.event, "stats");
      assert.equal(stats.connections, 1002);
      assert.equal(stats.active, 0);
    } finally {
      await srv.kill();
    }
  });
});
