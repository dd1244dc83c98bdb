import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { BIN, runBin, runCli } from "../helpers/cli.js";
import { freePort, haveProgram } from "../helpers/iperf3.js";

const PY_ECHO = fileURLToPath(new URL("../../../test/fixtures/bench/py_udp_echo.py", import.meta.url));

/** Spawn a child and resolve with its first stdout line. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const t = setTimeout(() => reject(new Error("no first line")), 10_000);
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(t);
        resolve(buf.slice(0, nl));
      }
    });
    child.on("error", reject);
  });
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.on("close", (c) => resolve(c ?? -1));
  });
}

describe("netkit bench (CLI)", { timeout: 90_000 }, () => {
  it("usage errors exit 2 before any I/O", async () => {
    for (const args of [
      ["bench", "client"],
      ["bench", "client", "127.0.0.1", "-b", "fast"],
      ["bench", "client", "127.0.0.1", "-R", "--bidir"],
      ["bench", "client", "127.0.0.1", "-u", "-l", "8"],
      ["bench", "client", "127.0.0.1", "-i", "0.01"],
      ["bench", "latency", "127.0.0.1"],
      ["bench", "nonsense"],
      ["bench", "server", "-p", "70000"],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.split("\n").filter(Boolean).length, 1);
    }
  });

  it("--help shows examples", async () => {
    const r = await runCli(["bench", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Examples:/);
    assert.match(r.stdout, /iperf3 -c/);
  });

  it("no server: exit 1 with one line", async () => {
    const port = await freePort();
    const r = await runCli(["bench", "client", "127.0.0.1", "-p", String(port), "-t", "1"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^netkit: ERR_CONN_REFUSED: connect to 127\.0\.0\.1:\d+: connection refused/);
  });

  it("server (child process, -1) and client: UDP with iperf3-shaped JSON and exact counts", async () => {
    const srv = spawn(process.execPath, [BIN, "bench", "server", "-p", "0", "-1", "--json"]);
    try {
      const { listening } = JSON.parse(await firstLine(srv)) as { listening: { port: number } };
      const r = await runCli([
        "bench",
        "client",
        "127.0.0.1",
        "-p",
        String(listening.port),
        "-u",
        "-b",
        "50M",
        "-t",
        "1",
        "-i",
        "0.5",
        "--json",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.start.test_start.protocol, "UDP");
      assert.ok(j.intervals.length >= 1);
      const sum = j.end.sum;
      for (const k of ["packets", "lost_packets", "lost_percent", "jitter_ms", "bytes", "bits_per_second"])
        assert.equal(typeof sum[k], "number", k);
      assert.equal(typeof j.end.streams[0].udp.out_of_order, "number");
      const ex = j.end.netkit_exact;
      assert.equal(ex.expected, sum.packets);
      assert.equal(ex.unique + ex.lost, ex.expected);
      // Counts, not the rate (a busy machine sends less in a second; bench/pacing.ts measures it).
      assert.ok(sum.packets > 0);
      assert.equal(j.end.sum_sent.bytes, j.end.sum_sent.packets * 1460);
      assert.equal(await exited(srv), 0);
    } finally {
      srv.kill();
    }
  });

  it("server and client as text: interval lines and both summary lines", async () => {
    const srv = spawn(process.execPath, [BIN, "bench", "server", "-p", "0", "-1", "--json"]);
    try {
      const { listening } = JSON.parse(await firstLine(srv)) as { listening: { port: number } };
      const r = await runBin([
        "bench",
        "client",
        "127.0.0.1",
        "-p",
        String(listening.port),
        "-n",
        "16M",
        "-i",
        "0.1",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\[ {2}1\] local 127\.0\.0\.1 port \d+ connected to 127\.0\.0\.1 port \d+/);
      assert.match(r.stdout, /16\.0 MBytes .* sender/);
      assert.match(r.stdout, /Bytes .*bits\/sec .*receiver/);
    } finally {
      srv.kill();
    }
  });

  it("netkit bench --quick --json: a loopback run that ends by itself", async () => {
    const r = await runBin(["bench", "--quick", "--json"]); // ends by itself: the guard catches a hang
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.tcp.receivedBps > 0 && j.tcp.bytes > 0, "TCP moved data (how fast is bench/'s business)");
    assert.equal(j.udp.length, 2);
    for (const u of j.udp) {
      assert.ok(u.sentPackets > 0);
      assert.ok(u.exactLost >= 0 && u.exactLost <= u.sentPackets);
    }
    assert.ok(j.latency.udp.count > 0 && j.latency.udp.p50 <= j.latency.udp.p99);
    assert.ok(j.latency.tcp.p50 > 0);
  });

  it("netkit bench --quick as text: one table and the plain-language summary", async () => {
    const r = await runBin(["bench", "--quick"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^TCP, 1 stream/m);
    assert.match(r.stdout, /^UDP unlimited, 1460 B/m);
    assert.match(r.stdout, /What the numbers say:/);
    assert.match(r.stdout, /p99\.9/);
  });

  it("latency against the notes' Python UDP server (echo)", async () => {
    const py = spawn("python3", [PY_ECHO]);
    try {
      const port = await firstLine(py);
      const r = await runCli(["bench", "latency", "127.0.0.1", port.trim(), "-u", "-c", "300", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.sent, 300);
      assert.equal(j.received, 300);
      const s = j.summary;
      assert.ok(s.min <= s.p50 && s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.p999 && s.p999 <= s.max);
    } finally {
      py.kill();
    }
  });

  for (const udp of [false, true]) {
    it(`latency against socat (${udp ? "UDP" : "TCP"} echo)`, {
      skip: !haveProgram("socat") && "socat not installed",
    }, async (t) => {
      const port = await freePort();
      const addr = udp
        ? `UDP-LISTEN:${port},bind=127.0.0.1,reuseaddr`
        : `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`;
      const so = spawn("socat", ["-T", "20", addr, "PIPE"]);
      try {
        // socat prints nothing when ready: wait until the port is bound.
        for (let i = 0; i < 100; i++) {
          const { readFileSync } = await import("node:fs");
          const hex = port.toString(16).toUpperCase().padStart(4, "0");
          const table = readFileSync(udp ? "/proc/net/udp" : "/proc/net/tcp", "utf8");
          if (table.includes(`0100007F:${hex}`)) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        const args = ["bench", "latency", "127.0.0.1", String(port), "-c", "300", "--json"];
        const r = await runCli(udp ? [...args, "-u"] : args);
        assert.equal(r.code, 0, r.stderr);
        const j = JSON.parse(r.stdout);
        assert.equal(j.received, 300);
        assert.ok(j.summary.p50 > 0);
        t.diagnostic(`socat ${udp ? "UDP" : "TCP"} p50 ${j.summary.p50.toFixed(1)} µs`);
      } finally {
        so.kill();
      }
    });
  }
});

describe("netkit bench client: --bidir, -O and --plot", { timeout: 60_000 }, () => {
  it("--bidir -O: intervals in the omitted period are flagged, both directions summed", async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "netkit-bench-"));
    const srv = spawn(process.execPath, [BIN, "bench", "server", "-p", "0", "-1", "--json"]);
    try {
      const { listening } = JSON.parse(await firstLine(srv)) as { listening: { port: number } };
      const svg = join(dir, "run.svg");
      const r = await runCli([
        "bench",
        "client",
        "127.0.0.1",
        "-p",
        String(listening.port),
        "--bidir",
        "-t",
        "1",
        "-O",
        "0.5",
        "-i",
        "0.25",
        "--json",
        "--plot",
        svg,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.start.test_start.bidir, 1);
      assert.equal(j.end.streams.length, 2);
      const omitted = j.intervals.filter((iv: { sum: { omitted: boolean } }) => iv.sum.omitted);
      assert.ok(
        omitted.length >= 1 && omitted.length < j.intervals.length,
        `${omitted.length}/${j.intervals.length}`,
      );
      assert.ok(j.end.sum_received.seconds > 0 && j.end.sum_received.bytes > 0);
      const text = readFileSync(svg, "utf8");
      assert.match(text, /^<\?xml/);
      assert.match(text, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(text, /<path d="M/);
    } finally {
      srv.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
