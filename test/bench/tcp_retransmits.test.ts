/**
 * TCP retransmissions from TCP_INFO (tcpi_total_retrans) in `retransmits`, as iperf3 reports
 * them: a number (not -1) on loopback on both sides and through the results exchange, and across
 * the lossy TUN link (root) a positive count no larger than what the kernel counted for the whole
 * namespace.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import net from "node:net";
import { describe, it } from "node:test";
import { startBenchServer } from "../../src/bench/server.js";
import { createLossyLink, tcpRetransSegs } from "../../src/impair/netns_link.js";
import { ffiAvailable } from "../../src/native/ffi.js";
import { tcpTotalRetrans, totalRetransFromTcpInfo } from "../../src/native/tcp_info.js";
import { tunAvailable } from "../../src/native/tun.js";
import { BIN, runCli } from "../helpers/cli.js";

type Obj = Record<string, unknown>;

describe("tcp_info", () => {
  it("reads tcpi_total_retrans at byte 100 of struct tcp_info, null when the struct is short", () => {
    const b = Buffer.alloc(232);
    b.writeUInt32LE(7, 36); // tcpi_retrans (currently unacknowledged), not the total
    b.writeUInt32LE(4242, 100);
    assert.equal(totalRetransFromTcpInfo(b), 4242);
    assert.equal(totalRetransFromTcpInfo(b, 100), null);
    assert.equal(totalRetransFromTcpInfo(b.subarray(0, 103)), null);
  });

  it("a live loopback connection reads 0; a non-socket descriptor reads null", {
    skip: !ffiAvailable() && "koffi/libc not available",
  }, async () => {
    const srv = net.createServer((s) => s.resume());
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const c = net.connect((srv.address() as net.AddressInfo).port, "127.0.0.1");
    try {
      await new Promise<void>((r) => c.once("connect", r));
      const fd = (c as unknown as { _handle: { fd: number } })._handle.fd;
      assert.equal(tcpTotalRetrans(fd), 0);
      assert.equal(tcpTotalRetrans(0), null); // stdin is not a TCP socket
    } finally {
      c.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});

async function clientJson(args: string[]): Promise<{ end: Obj; intervals: unknown }> {
  const srv = await startBenchServer({ port: 0, interval: 0 });
  try {
    const r = await runCli(["bench", "client", "127.0.0.1", "-p", String(srv.port), "--json", ...args]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { end: Obj; intervals: unknown };
  } finally {
    await srv.close();
  }
}

describe("bench TCP retransmits", { timeout: 60_000 }, () => {
  for (const reverse of [false, true]) {
    it(`loopback${reverse ? " -R (the server's count, through the results exchange)" : ""}: a count, not -1`, {
      skip: !ffiAvailable() && "koffi/libc not available",
    }, async () => {
      const j = await clientJson(["-t", "0.5", "-i", "0.1", ...(reverse ? ["-R"] : [])]);
      const sum = j.end.sum_sent as Obj;
      assert.equal(typeof sum.retransmits, "number", JSON.stringify(sum));
      assert.ok((sum.retransmits as number) >= 0, `${sum.retransmits}`);
      const st = (j.end.streams as { sender: Obj }[])[0]!.sender;
      assert.equal(st.retransmits, sum.retransmits);
      // Per interval too, on the sending side only (the client's, unless -R), as iperf3 does.
      const ivs = j.intervals as { streams: Obj[]; sum: Obj }[];
      assert.ok(ivs.length >= 1);
      let perInterval = 0;
      for (const iv of ivs) {
        if (reverse) {
          assert.equal(iv.streams[0]!.retransmits, undefined);
          continue;
        }
        const n = iv.streams[0]!.retransmits as number;
        assert.ok(Number.isInteger(n) && n >= 0, JSON.stringify(iv.streams[0]));
        assert.equal(iv.sum.retransmits, n);
        perInterval += n;
      }
      // The intervals are sampled before the totals are taken.
      if (!reverse)
        assert.ok(perInterval <= (sum.retransmits as number), `${perInterval} > ${sum.retransmits}`);
    });
  }

  const CAN = process.getuid?.() === 0 && tunAvailable();
  it("across the 5%-loss TUN link: > 0, and at most the namespace's RetransSegs", {
    skip: !CAN && "needs root and /dev/net/tun",
  }, async () => {
    const link = await createLossyLink({ impair: { drop: 0.05 }, seed: 5, subnet: 249 });
    const srv = spawn("ip", [
      "netns",
      "exec",
      link.nsB,
      process.execPath,
      BIN,
      "bench",
      "server",
      "-B",
      link.addrB,
      "-p",
      "0",
      "-1",
      "--json",
    ]);
    try {
      const first = await new Promise<string>((resolve, reject) => {
        srv.stdout.once("data", (d: Buffer) => resolve(d.toString()));
        srv.once("exit", (c) => reject(new Error(`server exited ${c}`)));
      });
      const { listening } = JSON.parse(first.split("\n")[0]!) as { listening: { port: number } };
      const before = tcpRetransSegs(link.nsA);
      const out = execFileSync(
        "ip",
        [
          "netns",
          "exec",
          link.nsA,
          process.execPath,
          BIN,
          "bench",
          "client",
          link.addrB,
          "-p",
          String(listening.port),
          "-n",
          "4M",
          "--json",
        ],
        { encoding: "utf8", timeout: 60_000 },
      );
      const after = tcpRetransSegs(link.nsA);
      const j = JSON.parse(out) as { end: Obj };
      const retr = (j.end.sum_sent as Obj).retransmits as number;
      assert.ok(retr > 0, `retransmits ${retr}`);
      assert.ok(retr <= after - before, `retransmits ${retr} > namespace RetransSegs ${after - before}`);
    } finally {
      srv.kill();
      await link.close();
    }
  });
});
