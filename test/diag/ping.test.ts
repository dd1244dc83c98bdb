/**
 * `netkit ping` against iputils `ping` (reply count, loss, exit code) on loopback and across the
 * test hosts; other processes' pings not counted; unreachable (no route, host down, TTL exceeded);
 * the ICMP ("ping") socket path with its error queue; the permission error; TCP ping.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { describe, it, type TestContext } from "node:test";
import { BIN, type CliResult, runBin, runCli } from "../helpers/cli.js";
import { ADDR, withTestNet } from "../helpers/netns.js";

interface Json {
  transmitted: number;
  received: number;
  duplicates: number;
  errors: number;
  loss: number;
  rtt: { min: number; avg: number; max: number; mdev: number } | null;
  socketKind: string;
  replies: { seq: number; ttl: number; time: number; from: string }[];
  icmpErrors: { seq: number; from: string; message: string }[];
}

function hasIputils(): boolean {
  try {
    execFileSync("ping", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A reason to skip ICMP tests here, or null: we need root (raw socket) or a permitted ping socket. */
function icmpUnavailable(): string | null {
  if (process.getuid?.() === 0) return null;
  const [lo, hi] = execFileSync("sysctl", ["-n", "net.ipv4.ping_group_range"], { encoding: "utf8" })
    .trim()
    .split(/\s+/)
    .map(Number);
  const gid = process.getgid?.() ?? -1;
  return gid >= lo! && gid <= hi! ? null : "no raw socket (not root) and ping_group_range excludes our group";
}

function skipUnless(t: TestContext, needIputils: boolean): boolean {
  const why = icmpUnavailable() ?? (needIputils && !hasIputils() ? "iputils ping is not installed" : null);
  if (why !== null) t.skip(why);
  return why === null;
}

/** Parse iputils' summary line: transmitted, received, errors, loss. */
function summary(out: string): { transmitted: number; received: number; errors: number; loss: number } {
  const m =
    /(\d+) packets transmitted, (\d+) received(?:, \+\d+ duplicates)?(?:, \+(\d+) errors)?, ([\d.]+)% packet loss/.exec(
      out,
    );
  assert.ok(m, `no summary line in:\n${out}`);
  return { transmitted: Number(m[1]), received: Number(m[2]), errors: Number(m[3] ?? 0), loss: Number(m[4]) };
}

/**
 * Both runs (netkit's and iputils' `-c 3 -w …` output) got exactly the 3 replies asked for, and
 * each summary's loss is iputils' arithmetic of its own counts. The transmitted counts may differ
 * by a probe sent while a reply was still unread, so they are not compared with each other.
 */
function assertThreeReplies(ours: string, theirs: string): void {
  for (const out of [ours, theirs]) {
    const s = summary(out);
    assert.equal(s.received, 3, out);
    assert.ok(s.transmitted >= 3, out);
    assert.equal(s.loss, Number((((s.transmitted - s.received) * 100) / s.transmitted).toPrecision(6)), out);
  }
}

/** Poll `cond` every 10 ms; fail after a generous 15 s (a guard against hangs, not a timing). */
async function waitUntil(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 15_000;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function run(argv: string[], timeoutMs = 20_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("netkit ping on loopback", { timeout: 60_000 }, () => {
  it("agrees with iputils ping: reply lines, count, loss, exit code (IPv4 and IPv6)", async (t) => {
    if (!skipUnless(t, true)) return;
    for (const host of ["127.0.0.1", "::1"]) {
      // -w (not -W): both run until 3 replies are in. With -W, a reply read more than
      // max(2·rtt, -i) after the last probe is lost (iputils' linger), which a loaded machine
      // turns into random loss on either side. -w 10 only guards against a hang.
      const args = ["-c", "3", "-i", "0.2", "-w", "10", host];
      const [ours, theirs] = await Promise.all([runBin(["ping", ...args]), run(["ping", ...args])]);
      assert.equal(ours.code, theirs.code, `${host} exit code`);
      assert.equal(ours.code, 0);
      assertThreeReplies(ours.stdout, theirs.stdout);
      const v4 = host.includes(".");
      // Header, reply and rtt lines in iputils' exact shapes.
      const header = v4
        ? `PING ${host} (${host}) 56(84) bytes of data.`
        : `PING ${host}(${host}) 56 data bytes`;
      assert.equal(ours.stdout.split("\n")[0], header);
      assert.equal(theirs.stdout.split("\n")[0], header);
      const reply = new RegExp(`^64 bytes from ${host}: icmp_seq=(\\d) ttl=64 time=\\d+\\.\\d{3} ms$`, "gm");
      assert.deepEqual(
        [...ours.stdout.matchAll(reply)].map((m) => m[1]),
        [...theirs.stdout.matchAll(reply)].map((m) => m[1]),
      );
      assert.match(
        ours.stdout,
        /^rtt min\/avg\/max\/mdev = \d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3} ms$/m,
      );
    }
  });

  it("SIGQUIT prints iputils' interim statistics on stderr and the run goes on (ICMP and --tcp)", async (t) => {
    if (!skipUnless(t, true)) return;
    // iputils 20221126 status(): "\r%ld/%ld packets, %d%% loss" [", min/avg/ewma/max = … ms"] "\n"
    const line =
      /^\r(\d+)\/(\d+) packets, (\d+)% loss, min\/avg\/ewma\/max = (\d+\.\d{3})\/(\d+\.\d{3})\/(\d+\.\d{3})\/(\d+\.\d{3}) ms\n$/;
    const server = await listen();
    const port = String((server.address() as { port: number }).port);
    try {
      const one = async (name: string, argv: readonly string[]) => {
        const child = spawn(argv[0]!, argv.slice(1));
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
        });
        child.stderr.on("data", (d: Buffer) => {
          err += d.toString();
        });
        const exited = new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? -1)));
        // After the second reply, ask for a snapshot (4 probes, 2 s, are still to come).
        await waitUntil(() => /seq=2 /.test(out), `${name}: second reply`);
        child.kill("SIGQUIT");
        await waitUntil(() => err.includes("\n"), `${name}: status line`);
        assert.equal(await exited, 0, `${name}: ${err}`);
        const m = line.exec(err);
        assert.ok(m, `${name} stderr: ${JSON.stringify(err)}`);
        const [received, transmitted, loss] = [Number(m[1]), Number(m[2]), Number(m[3])];
        assert.ok(received >= 2 && received <= transmitted, `${name}: ${m[0]}`);
        assert.equal(loss, Math.trunc(((transmitted - received) * 100) / transmitted));
        const [min, avg, ewma, max] = m.slice(4).map(Number) as [number, number, number, number];
        assert.ok(min <= avg && avg <= max && min <= ewma && ewma <= max, `${name}: ${m[0]}`);
        // …and the run went on to its end: all 6 replies, the usual summary.
        assert.match(out, /\n\d+ packets transmitted, 6 received, /, `${name}: ${out}`);
      };
      // -w: run until 6 replies (no linger after the last probe to lose a late-read reply).
      const args = ["-c", "6", "-i", "0.5", "-w", "30", "127.0.0.1"];
      await Promise.all([
        one("iputils", ["ping", ...args]),
        one("netkit", [process.execPath, BIN, "ping", ...args]),
        one("netkit --tcp", [process.execPath, BIN, "ping", "--tcp", port, ...args]),
      ]);
    } finally {
      server.close();
    }
  });

  it("--json carries the counters and rtt statistics; -q prints only the summary", async (t) => {
    if (!skipUnless(t, false)) return;
    const r = await runCli(["ping", "-c", "2", "-i", "0.1", "--json", "127.0.0.1"]);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.stdout) as Json;
    assert.deepEqual([j.transmitted, j.received, j.loss, j.duplicates, j.errors], [2, 2, 0, 0, 0]);
    assert.ok(j.rtt !== null && j.rtt.min > 0 && j.rtt.min <= j.rtt.avg && j.rtt.avg <= j.rtt.max);
    assert.deepEqual(
      j.replies.map((x) => x.seq),
      [1, 2],
    );
    const q = await runCli(["ping", "-c", "2", "-i", "0.1", "-q", "127.0.0.1"]);
    assert.doesNotMatch(q.stdout, /bytes from/);
    assert.match(q.stdout, /2 packets transmitted, 2 received, 0% packet loss/);
  });

  it("does not count another process's pings to the same host", async (t) => {
    if (!skipUnless(t, true)) return;
    // The other ping runs the whole time ours does: started first, and we wait for its first reply.
    const other = spawn("ping", ["-c", "200", "-i", "0.05", "127.0.0.1"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let otherOut = "";
    other.stdout.on("data", (d: Buffer) => {
      otherOut += d.toString();
    });
    try {
      await waitUntil(() => otherOut.includes("icmp_seq=1 "), "the other ping's first reply");
      const r = await runCli(["ping", "-c", "4", "-i", "0.1", "--json", "--socket", "raw", "127.0.0.1"]);
      const j = JSON.parse(r.stdout) as Json;
      assert.deepEqual([j.transmitted, j.received, j.duplicates], [4, 4, 0]);
      assert.deepEqual(
        j.replies.map((x) => x.seq),
        [1, 2, 3, 4],
      );
      assert.equal(other.exitCode, null, "the other ping was still running");
    } finally {
      other.kill();
    }
  });

  it("rejects bad flags with exit 2 before sending anything", async () => {
    for (const args of [
      ["ping"],
      ["ping", "-c", "x", "127.0.0.1"],
      ["ping", "-4", "-6", "127.0.0.1"],
      ["ping", "-t", "0", "127.0.0.1"],
      ["ping", "--tcp", "70000", "127.0.0.1"],
      ["ping", "--socket", "tcp", "127.0.0.1"],
      ["ping", "--tcp", "80", "-s", "10", "127.0.0.1"],
    ]) {
      assert.equal((await runCli(args)).code, 2, args.join(" "));
    }
    const fam = await runCli(["ping", "-6", "-c", "1", "127.0.0.1"]);
    assert.equal(fam.code, 2);
    assert.match(fam.stderr, /ERR_VERSION_MISMATCH/);
  });
});

describe("netkit ping across test hosts", { timeout: 90_000 }, () => {
  it("reaches b through the router like iputils (v4 and v6), and reports unreachable destinations", async (t) => {
    if (!hasIputils()) {
      t.skip("iputils ping is not installed");
      return;
    }
    await withTestNet(t, async (net) => {
      // Warm the neighbour caches so the first probe is not slowed by address resolution.
      await net.exec("a", ["ping", "-c", "1", "-W", "2", ADDR.b.v4]);
      await net.exec("a", ["ping", "-6", "-c", "1", "-W", "3", ADDR.b.v6]);
      const nk = (h: "a" | "b" | "c", ...args: string[]) =>
        net.exec(h, [process.execPath, BIN, "ping", ...args]);
      for (const dst of [ADDR.b.v4, ADDR.b.v6]) {
        const args = ["-c", "3", "-i", "0.2", "-w", "10", dst];
        const [ours, theirs] = await Promise.all([nk("a", ...args), net.exec("a", ["ping", ...args])]);
        assert.equal(ours.code, 0, ours.stderr);
        assert.equal(ours.code, theirs.code);
        assertThreeReplies(ours.stdout, theirs.stdout);
        assert.match(ours.stdout, new RegExp(`64 bytes from ${dst}: icmp_seq=1 ttl=63 `));
      }
      // "Destination Host Unreachable" comes when a's neighbour resolution fails: after
      // mcast_solicit (3) probes, retrans_time (1 s) apart. netkit and iputils share the one
      // neighbour entry, so a probe that lands at the end of one 3 s cycle waits for the next: the
      // error could come after 5 s, past the old -w 5 (the flake: 6 transmitted, no error). A
      // 0.1 s retrans_time makes a cycle 0.3 s, shorter than the 1 s between probes, so the first
      // probe's error always comes first; -w 20 only guards against a hang (both stop at the first
      // error). -W 10 likewise: with -c 1 both stop at the first answer.
      await net.run("a", ["sysctl", "-qw", "net.ipv4.neigh.eth0.retrans_time_ms=100"]);
      const [noRoute, noRouteIp, down, downIp, ttl, ttlIp] = await Promise.all([
        nk("c", "-c", "1", ADDR.b.v4),
        net.exec("c", ["ping", "-c", "1", ADDR.b.v4]),
        nk("a", "-c", "1", "-w", "20", ADDR.down.v4),
        net.exec("a", ["ping", "-c", "1", "-w", "20", ADDR.down.v4]),
        nk("a", "-c", "1", "-t", "1", "-W", "10", ADDR.b.v4),
        net.exec("a", ["ping", "-c", "1", "-t", "1", "-W", "10", ADDR.b.v4]),
      ]);
      // No route: both fail at once with exit 2.
      assert.deepEqual([noRoute.code, noRouteIp.code], [2, 2]);
      assert.match(noRoute.stderr, /Network is unreachable/);
      assert.match(noRouteIp.stderr, /Network is unreachable/);
      // A host that is down: the kernel's own "Destination Host Unreachable", exit 1.
      assert.deepEqual([down.code, downIp.code], [1, 1]);
      assert.match(down.stdout, new RegExp(`From ${ADDR.a.v4} icmp_seq=1 Destination Host Unreachable`));
      assert.ok(summary(down.stdout).errors > 0 && summary(downIp.stdout).errors > 0);
      assert.equal(summary(down.stdout).received, 0);
      // TTL 1: the router answers "Time to live exceeded".
      assert.deepEqual([ttl.code, ttlIp.code], [1, 1]);
      const line = `From ${ADDR.r1.v4} icmp_seq=1 Time to live exceeded`;
      assert.ok(ttl.stdout.includes(line), ttl.stdout);
      assert.ok(ttlIp.stdout.includes(line), ttlIp.stdout);
    });
  });

  it("uses an ICMP (ping) socket where ping_group_range allows it, errors included", async (t) => {
    await withTestNet(t, async (net) => {
      await net.run("a", ["sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"]);
      const nk = (...args: string[]) => net.exec("a", [process.execPath, BIN, "ping", ...args]);
      for (const dst of [ADDR.b.v4, ADDR.b.v6]) {
        const r = await nk("-c", "2", "-i", "0.2", "-w", "20", "--json", "--socket", "dgram", dst);
        assert.equal(r.code, 0, r.stderr);
        const j = JSON.parse(r.stdout) as Json;
        // -w: probes go on until 2 replies (the first ones may wait for neighbour resolution on
        // the fresh links), so only the replies are counted exactly.
        assert.deepEqual([j.socketKind, j.received], ["dgram", 2]);
        assert.ok(j.transmitted >= 2);
        assert.ok(j.replies.every((x) => x.ttl === 63 && x.from === dst));
      }
      // Errors come through the socket's error queue.
      const te = await nk("-c", "1", "-t", "1", "-W", "10", "--json", "--socket", "dgram", ADDR.b.v4);
      assert.equal(te.code, 1);
      const j = JSON.parse(te.stdout) as Json;
      assert.deepEqual(j.icmpErrors, [
        { type: "error", seq: 1, from: ADDR.r1.v4, message: "Time to live exceeded" },
      ]);
      // auto picks the ping socket when it is allowed.
      const auto = JSON.parse((await nk("-c", "1", "--json", "127.0.0.1")).stdout) as Json;
      assert.equal(auto.socketKind, "dgram");
    });
  });

  it("says what to change when neither socket kind is permitted", async (t) => {
    await withTestNet(t, async (net) => {
      await net.run("b", ["sysctl", "-qw", "net.ipv4.ping_group_range=1 0"]);
      const r = await net.exec("b", [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        process.execPath,
        BIN,
        "ping",
        "-c",
        "1",
        "127.0.0.1",
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /ERR_PING_PERMISSION/);
      assert.match(r.stderr, /net\.ipv4\.ping_group_range/);
      assert.match(r.stderr, /CAP_NET_RAW/);
    });
  });
});

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((c) => c.destroy());
    s.listen(0, "127.0.0.1", () => resolve(s));
  });
}

describe("netkit ping --tcp", { timeout: 60_000 }, () => {
  it("times connects to a port we opened on loopback", async () => {
    const s = await listen();
    try {
      const port = (s.address() as { port: number }).port;
      const r = await runCli(["ping", "--tcp", String(port), "-c", "3", "-i", "0.05", "--json", "127.0.0.1"]);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout) as Json & {
        open: number;
        timing: string;
        probes: { status: string; time: unknown }[];
      };
      assert.deepEqual([j.transmitted, j.received, j.open, j.loss], [3, 3, 3, 0]);
      assert.deepEqual(
        j.probes.map((p) => p.status),
        ["open", "open", "open"],
      );
      // Timed from the connect(2) call to completion (koffi is there): never around Node's
      // net.connect, which added its socket set-up and an event-loop turn (structure only here;
      // the times themselves are in docs/benchmarks.md).
      assert.equal(j.timing, "syscall");
      assert.ok(j.probes.every((p) => typeof p.time === "number"));
      const text = await runCli(["ping", "--tcp", String(port), "-c", "1", "127.0.0.1"]);
      assert.match(text.stdout, new RegExp(`^connected to 127\\.0\\.0\\.1:${port}: seq=1 time=`, "m"));
    } finally {
      s.close();
    }
  });

  it("counts a refusal as 'host up, port closed' and a silent host as loss (test hosts)", async (t) => {
    await withTestNet(t, async (net) => {
      const nk = (...args: string[]) => net.exec("a", [process.execPath, BIN, "ping", "--tcp", ...args]);
      // Nothing listens in host b: the kernel refuses.
      const closed = await nk("9", "-c", "2", "-i", "0.1", "--json", ADDR.b.v4);
      assert.equal(closed.code, 0, closed.stderr);
      const c = JSON.parse(closed.stdout) as Json & { open: number; probes: { status: string }[] };
      assert.deepEqual([c.received, c.open], [2, 0]);
      assert.deepEqual(
        c.probes.map((p) => p.status),
        ["closed", "closed"],
      );
      // A link-local address with a zone (the scope id reaches connect(2)): c refuses on its link.
      await net.run("c", ["ip", "addr", "add", "fe80::c/64", "dev", "eth0", "nodad"]);
      const cLinkLocal = "fe80::c";
      const zoned = await nk("9", "-c", "1", "--json", `${cLinkLocal}%eth0`);
      assert.equal(zoned.code, 0, zoned.stderr);
      const z = JSON.parse(zoned.stdout) as Json & { timing: string; probes: { status: string }[] };
      assert.deepEqual([z.timing, z.probes.map((p) => p.status)], ["syscall", ["closed"]]);
      // A host that is down: no answer within -W.
      const down = await nk("80", "-c", "1", "-W", "1", ADDR.down.v4);
      assert.equal(down.code, 1);
      assert.match(down.stdout, /no answer from .*\(timeout\)/);
      assert.match(down.stdout, /1 packets transmitted, 0 received, 100% packet loss/);
    });
  });
});
