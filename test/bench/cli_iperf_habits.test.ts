/**
 * iperf3's habits in `netkit bench` (issue 12, item 5) and two checks of items 6/7: `-s` / `-c HOST`
 * spellings, `-t 0` until Ctrl-C with the partial summary on both sides (against netkit and against
 * the real iperf3), `--plot` into a missing folder refused before the test, and `bench latency -u`
 * to a closed port reporting the refusal. Child processes, real signals, loopback only.
 */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import dgram from "node:dgram";
import { describe, it } from "node:test";
import { BIN } from "../helpers/cli.js";
import { freePort, iperf3Required } from "../helpers/iperf3.js";

interface Proc {
  child: ChildProcessWithoutNullStreams;
  out(): string;
  err(): string;
  code: Promise<number>;
}

function start(cmd: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(cmd, args, { env: { ...process.env, ...env } });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000); // a hang fails, it does not block
  const code = new Promise<number>((resolve) =>
    child.on("close", (c) => {
      clearTimeout(killer);
      resolve(c ?? -1);
    }),
  );
  return { child, out: () => out, err: () => err, code };
}

const netkit = (args: string[]) => start(process.execPath, [BIN, ...args]);

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A netkit bench server (text output) and the port it listens on. */
async function server(extra: string[] = []): Promise<{ p: Proc; port: number }> {
  const p = netkit(["bench", "-s", "-p", "0", ...extra]);
  await until(() => /Server listening on \d+/.test(p.out()), "the server's listening line");
  return { p, port: Number(/Server listening on (\d+)/.exec(p.out())![1]) };
}

/** One summary line per side, like iperf3's. */
const SUMMARY = /- - - - -[\s\S]*\bsender\n[\s\S]*\breceiver\n/;

describe("netkit bench: iperf3's habits", { timeout: 120_000 }, () => {
  it("-s and -c HOST: iperf3's spellings; the server is dual-stack (IPv6 and IPv4)", async () => {
    const { p, port } = await server();
    try {
      assert.match(p.out(), /Server listening on \d+ \(::\)/);
      for (const host of ["127.0.0.1", "::1"]) {
        const c = netkit(["bench", "-c", host, "-p", String(port), "-n", "1M", "-J"]);
        assert.equal(await c.code, 0, c.err());
        const j = JSON.parse(c.out());
        assert.equal(j.start.connected[0].remote_host, host);
        assert.equal(j.end.sum_sent.bytes, 1024 * 1024);
      }
    } finally {
      p.child.kill("SIGTERM");
      await p.code;
    }
  });

  it("-t 0 runs until Ctrl-C; both sides print what they measured so far", async () => {
    const { p, port } = await server();
    try {
      const c = netkit([
        "bench",
        "-c",
        "127.0.0.1",
        "-p",
        String(port),
        "-t",
        "0",
        "-u",
        "-b",
        "10M",
        "-i",
        "0.2",
      ]);
      // Two interval lines: the test runs and goes on (with -t 0 it would never end by itself).
      await until(() => (c.out().match(/sec .* \d+\n/g) ?? []).length >= 2, "two client interval lines");
      c.child.kill("SIGINT");
      assert.equal(await c.code, 0, c.err());
      assert.match(c.out(), SUMMARY);
      assert.doesNotMatch(c.out(), /netkit bench done/);
      await until(() => /the client has terminated/.test(p.err()), "the server's note");
      assert.match(p.out(), SUMMARY);
      assert.match(p.err(), /^netkit: ERR_BENCH_PROTOCOL: the client has terminated$/m);
      assert.equal(p.child.exitCode, null, "the server keeps serving");
    } finally {
      p.child.kill("SIGTERM");
      await p.code;
    }
  });

  it("Ctrl-C on the server during a test: its summary, iperf3's client told 'the server has terminated'", {
    skip: iperf3Required(),
  }, async () => {
    const { p, port } = await server();
    const c = start("iperf3", ["-c", "127.0.0.1", "-p", String(port), "-t", "0", "-i", "0.2"]);
    await until(() => (p.out().match(/sec .*bits\/sec/g) ?? []).length >= 2, "two server interval lines");
    p.child.kill("SIGINT");
    assert.equal(await p.code, 0, p.err());
    assert.match(p.out(), SUMMARY);
    assert.equal(await c.code, 1);
    assert.match(c.out() + c.err(), /the server has terminated/);
  });

  it("Ctrl-C on iperf3's client: the netkit server prints its partial summary, as iperf3 -s does", {
    skip: iperf3Required(),
  }, async () => {
    const { p, port } = await server();
    try {
      const c = start("iperf3", ["-c", "::1", "-p", String(port), "-t", "0", "-u", "-i", "0.2"]);
      await until(() => (c.out().match(/sec .*bits\/sec/g) ?? []).length >= 2, "two client interval lines");
      c.child.kill("SIGINT");
      assert.equal(await c.code, 1); // iperf3's own habit
      await until(() => /the client has terminated/.test(p.err()), "the server's note");
      assert.match(p.out(), SUMMARY);
    } finally {
      p.child.kill("SIGTERM");
      await p.code;
    }
  });

  it("--plot into a missing folder: a usage error before the test runs (one line, exit 2)", async () => {
    const port = String(await freePort()); // nothing listens: a late check would fail to connect first
    for (const args of [
      ["bench", "client", "127.0.0.1", "-p", port, "-t", "1", "--plot", "/nonexistent-netkit/x.svg"],
      ["bench", "latency", "127.0.0.1", port, "--plot", "/nonexistent-netkit/x.svg"],
      ["bench", "--quick", "--plot", "/nonexistent-netkit/x.svg"],
    ]) {
      const r = netkit(args);
      assert.equal(await r.code, 2, `${args.join(" ")}: ${r.err()}`);
      assert.match(r.err(), /^netkit: (ERR_USAGE: )?--plot .*nonexistent-netkit/);
      assert.equal(r.err().trim().split("\n").length, 1);
      assert.equal(r.out(), "");
    }
  });

  it("bench latency -u to a closed port reports the refusal (ICMP port unreachable)", async () => {
    // A port this test held a moment ago and closed: nothing listens there now.
    const sock = dgram.createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    const port = sock.address().port;
    await new Promise<void>((r) => sock.close(() => r()));
    for (const extra of [[], ["-c", "5"]]) {
      const r = netkit(["bench", "latency", "127.0.0.1", String(port), "-u", ...extra]);
      assert.equal(await r.code, 1);
      assert.match(r.err(), /^netkit: ERR_CONN_REFUSED: 127\.0\.0\.1 port \d+\/udp refused/);
      assert.equal(r.err().trim().split("\n").length, 1);
    }
    // The same over plain dgram sockets (no FFI fast path).
    const r = start(process.execPath, [BIN, "bench", "latency", "127.0.0.1", String(port), "-u", "-c", "5"], {
      NETKIT_NO_MMSG: "1",
    });
    assert.equal(await r.code, 1);
    assert.match(r.err(), /^netkit: ERR_CONN_REFUSED: /);
  });
});
