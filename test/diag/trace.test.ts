/**
 * `netkit trace` across the test hosts (a → router r → b): UDP and ICMP probes, IPv4 and IPv6,
 * hop 1 is r, hop 2 is b; the same hops as Linux `traceroute` (when installed); a silent hop, an
 * unreachable neighbour (!H), no route. Everything runs inside the namespaces.
 *
 * The kernel rate-limits ICMP errors per destination (a burst of 6, then 1 per second for IPv4),
 * so each comparison sends few probes to b: `-N 1` sends the next hop only after the last one
 * finished, so nothing is sent beyond the destination.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { BIN } from "../helpers/cli.js";
import { ADDR, type TestNet, withTestNet } from "../helpers/netns.js";
import { startPeer, waitFor } from "../helpers/peers.js";

interface TraceJson {
  target: string;
  address: string;
  method: string;
  reached: boolean;
  packetSize: number;
  hops: { hop: number; probes: { from: string | null; rttMs: number | null; note: string }[] }[];
}

/** Print "ready", then the destination port of each UDP datagram received (argv[1] of them). */
const UDP_PORTS_PY = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
s.settimeout(60)
print("ready", flush=True)
for _ in range(int(sys.argv[1])):
    d = s.recv(4096)
    h = (d[0] & 15) * 4
    print(int.from_bytes(d[h + 2:h + 4], "big"), flush=True)
`;

function hasTraceroute(): boolean {
  try {
    execFileSync("traceroute", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function netkitTrace(
  net: TestNet,
  host: "a" | "c",
  args: string[],
): Promise<{ code: number; j: TraceJson }> {
  const r = await net.exec(host, [process.execPath, BIN, "trace", "--json", ...args], 30_000);
  assert.equal(r.stderr, "", `stderr of netkit trace ${args.join(" ")}`);
  return { code: r.code, j: JSON.parse(r.stdout) as TraceJson };
}

/** The hop addresses of traceroute -n output, one entry per hop (null for "* * *"). */
function tracerouteHops(out: string): (string | null)[] {
  const lines = out.trim().split("\n");
  assert.match(lines[0]!, /^traceroute to /);
  return lines.slice(1).map((l, i) => {
    const m = /^\s*(\d+)\s+(.*)$/.exec(l);
    assert.ok(m, `hop line: ${l}`);
    assert.equal(Number(m[1]), i + 1);
    const addr = /^([0-9a-f.:]+)\s/.exec(m[2]!);
    return addr ? addr[1]! : null;
  });
}

describe("netkit trace across test hosts", { timeout: 120_000 }, () => {
  it("a → b through r: hop 1 is the router, hop 2 is b (UDP and ICMP, IPv4 and IPv6)", async (t) => {
    await withTestNet(t, async (net) => {
      const cases: [string[], string, string][] = [
        [[], ADDR.r1.v4, ADDR.b.v4],
        [["-I"], ADDR.r1.v4, ADDR.b.v4],
        [[], ADDR.r1.v6, ADDR.b.v6],
        [["-I"], ADDR.r1.v6, ADDR.b.v6],
      ];
      for (const [flags, hop1, dest] of cases) {
        // -w only bounds a probe that gets no answer (none here): generous, so load cannot turn a
        // late-read answer into "*".
        const { code, j } = await netkitTrace(net, "a", [...flags, "-N", "1", "-w", "10", dest]);
        const what = `${flags.join(" ")} ${dest}`;
        assert.equal(code, 0, what);
        assert.equal(j.reached, true, what);
        assert.equal(j.method, flags.includes("-I") ? "icmp" : "udp");
        assert.equal(j.packetSize, dest.includes(":") ? 80 : 60);
        assert.deepEqual(
          j.hops.map((h) => h.hop),
          [1, 2],
          what,
        );
        for (const [i, want] of [hop1, dest].entries()) {
          const probes = j.hops[i]!.probes;
          assert.equal(probes.length, 3);
          for (const p of probes) {
            assert.equal(p.from, want, `${what} hop ${i + 1}`);
            assert.equal(p.note, "");
            assert.ok(p.rttMs !== null && p.rttMs >= 0, `rtt ${p.rttMs}`);
            if (p.rttMs > 100)
              t.diagnostic(`${what} hop ${i + 1}: slow probe ${p.rttMs} ms (neighbour discovery)`);
          }
        }
      }
    });
  });

  it("finds the same hops as Linux traceroute", async (t) => {
    if (!hasTraceroute()) {
      t.skip("traceroute is not installed (Debian package traceroute)");
      return;
    }
    await withTestNet(t, async (net) => {
      for (const [dest, extra] of [
        [ADDR.b.v4, []],
        [ADDR.b.v6, []],
        [ADDR.b.v4, ["-I"]],
      ] as const) {
        const args = ["-n", "-q", "1", "-N", "1", "-w", "10", ...extra, dest];
        const theirs = tracerouteHops(await net.run("a", ["traceroute", ...args], 30_000));
        const { code, j } = await netkitTrace(net, "a", ["-q", "1", "-N", "1", "-w", "10", ...extra, dest]);
        assert.equal(code, 0);
        const ours = j.hops.map((h) => h.probes[0]!.from);
        assert.deepEqual(ours, theirs, `${extra.join(" ")} ${dest}`);
        assert.equal(ours.at(-1), dest);
      }
    });
  });

  it("silent hops print *, an unanswered neighbour is !H, and no route is an error", async (t) => {
    await withTestNet(t, async (net) => {
      // r stops answering: its own ICMP (time exceeded) goes to a blackhole, forwarded traffic
      // (b's port unreachable) does not. Hop 1 is silent, b still answers at hop 2.
      await net.run("r", [
        "ip",
        "rule",
        "add",
        "pref",
        "100",
        "iif",
        "lo",
        "ipproto",
        "icmp",
        "table",
        "100",
      ]);
      await net.run("r", ["ip", "route", "add", "blackhole", "default", "table", "100"]);
      const silent = await netkitTrace(net, "a", ["-q", "2", "-w", "0.5", "-N", "1", ADDR.b.v4]);
      assert.equal(silent.code, 0);
      assert.deepEqual(
        silent.j.hops.map((h) => h.probes.map((p) => p.from)),
        [
          [null, null],
          [ADDR.b.v4, ADDR.b.v4],
        ],
      );
      // A down host on a's own segment: neighbour discovery fails, a itself reports !H.
      await net.run("a", ["sysctl", "-qw", "net.ipv4.neigh.eth0.mcast_solicit=1"]);
      await net.run("a", ["sysctl", "-qw", "net.ipv4.neigh.eth0.retrans_time_ms=100"]);
      const down = await netkitTrace(net, "a", ["-q", "1", "-w", "10", "-m", "2", ADDR.down.v4]);
      assert.equal(down.code, 1, "destination not reached");
      assert.equal(down.j.reached, false);
      assert.deepEqual(down.j.hops.at(-1)!.probes[0], {
        ...down.j.hops.at(-1)!.probes[0],
        from: ADDR.a.v4,
        note: "!H",
      });
      // c has no route off its segment: the first probe cannot be sent.
      const r = await net.exec("c", [process.execPath, BIN, "trace", "-w", "1", ADDR.b.v4], 20_000);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^netkit: ERR_NO_ROUTE: .*Network is unreachable\n$/);
    });
  });

  it("-p never wraps past 65535: probes to 65533–65535 go out, a trace that would wrap is a usage error", async (t) => {
    await withTestNet(t, async (net) => {
      // c counts the UDP datagrams it receives (a raw IPPROTO_UDP socket sees a copy of each) and
      // prints each destination port.
      const capture = startPeer("ip", [
        "netns",
        "exec",
        net.ns.c,
        "python3",
        "-c",
        UDP_PORTS_PY,
        hasTraceroute() ? "6" : "3",
      ]);
      try {
        await waitFor(() => capture.stdout().includes("ready\n"), 10_000, "the UDP capture in c");
        // No ICMP rate limit in c: every probe below gets its port unreachable.
        await net.run("c", ["sysctl", "-qw", "net.ipv4.icmp_ratelimit=0"]);
        const wrap = await net.exec("a", [
          process.execPath,
          BIN,
          "trace",
          "-p",
          "65534",
          "-m",
          "1",
          "-q",
          "3",
          ADDR.c.v4,
        ]);
        assert.equal(wrap.code, 2);
        assert.equal(wrap.stdout, "");
        assert.match(
          wrap.stderr,
          /^netkit: .*-p 65534 with 1 hops × 3 probes needs ports up to 65536; the last port is 65535/,
        );
        const deflt = await net.exec("a", [process.execPath, BIN, "trace", "-p", "65500", ADDR.c.v4]);
        assert.equal(deflt.code, 2, "30 hops × 3 probes from 65500 would wrap");
        const ok = await netkitTrace(net, "a", ["-p", "65533", "-m", "1", "-q", "3", "-N", "1", ADDR.c.v4]);
        assert.equal(ok.code, 0);
        assert.deepEqual(
          ok.j.hops[0]!.probes.map((p) => p.from),
          [ADDR.c.v4, ADDR.c.v4, ADDR.c.v4],
        );
        const withTraceroute = hasTraceroute();
        if (!withTraceroute && process.env.CI === "true")
          assert.fail("traceroute is missing (Debian package traceroute)");
        if (withTraceroute) {
          // traceroute itself wraps: -p 65534 with 3 probes sends to 65534, 65535 and port 0.
          const tr = await net.exec("a", [
            "traceroute",
            "-n",
            "-p",
            "65534",
            "-m",
            "1",
            "-q",
            "3",
            "-N",
            "1",
            ADDR.c.v4,
          ]);
          assert.equal(tr.code, 0, tr.stderr);
        }
        const want = ["65533", "65534", "65535", ...(withTraceroute ? ["65534", "65535", "0"] : [])];
        await waitFor(
          () => capture.stdout().trim().split("\n").length >= want.length + 1,
          10_000,
          "the probes at c",
        );
        assert.deepEqual(capture.stdout().trim().split("\n").slice(1), want);
      } finally {
        await capture.kill();
      }
    });
  });

  it("prints like traceroute -n", async (t) => {
    await withTestNet(t, async (net) => {
      const r = await net.exec(
        "a",
        [process.execPath, BIN, "trace", "-q", "2", "-N", "1", ADDR.b.v4],
        20_000,
      );
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split("\n");
      assert.equal(lines[0], `traceroute to ${ADDR.b.v4} (${ADDR.b.v4}), 30 hops max, 60 byte packets`);
      assert.match(
        lines[1]!,
        new RegExp(`^ 1  ${ADDR.r1.v4.replaceAll(".", "\\.")}  \\d+\\.\\d{3} ms  \\d+\\.\\d{3} ms$`),
      );
      assert.match(
        lines[2]!,
        new RegExp(`^ 2  ${ADDR.b.v4.replaceAll(".", "\\.")}  \\d+\\.\\d{3} ms  \\d+\\.\\d{3} ms$`),
      );
      assert.equal(lines.length, 4);
    });
  });
});
