/**
 * The packet-level lossy link (root): two network namespaces joined through TUN devices, 5% of IP
 * packets dropped by netkit. TCP delivers 4 MiB byte-exact with retransmissions; netkit bench
 * measures UDP's loss within 1 point. Everything created is removed at the end.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { createLossyLink, tcpRetransSegs } from "../../src/impair/netns_link.js";
import { tunAvailable } from "../../src/native/tun.js";
import { BIN, runBin } from "../helpers/cli.js";

function haveNetns(): boolean {
  try {
    execFileSync("ip", ["netns", "list"], { stdio: "ignore" });
    return true;
  } catch (e) {
    console.log(`# ip netns unavailable: ${(e as Error).message}`);
    return false;
  }
}
const CAN = process.getuid?.() === 0 && tunAvailable() && haveNetns();
const SKIP = !CAN && "needs root, /dev/net/tun and ip netns";

const SINK = `
const net = require("node:net"); const { createHash } = require("node:crypto");
const h = createHash("sha256"); let n = 0;
const srv = net.createServer((s) => { s.on("data", (d) => { h.update(d); n += d.length; });
  s.on("end", () => { s.end(JSON.stringify({ n, sha: h.digest("hex") })); srv.close(); }); });
srv.listen(5001, process.argv[1], () => console.log("ready"));
setTimeout(() => process.exit(3), 60000).unref();`;

const SOURCE = `
const net = require("node:net");
const data = Buffer.alloc(4 * 1024 * 1024); let x = 12345;
for (let i = 0; i < data.length; i++) { x = (x * 1103515245 + 12345) >>> 0; data[i] = x >>> 24; }
const s = net.connect(5001, process.argv[1], () => s.end(data));
let out = ""; s.on("data", (d) => { out += d; }); s.on("end", () => console.log(out));
setTimeout(() => process.exit(3), 60000).unref();`;

function expectedSha(): string {
  const data = Buffer.alloc(4 * 1024 * 1024);
  let x = 12345;
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  return createHash("sha256").update(data).digest("hex");
}

describe("lossy TUN link between two network namespaces", { timeout: 120_000 }, () => {
  it("a 4 MiB TCP transfer across 5% loss arrives byte-exact and shows retransmissions", {
    skip: SKIP,
  }, async () => {
    const link = await createLossyLink({ impair: { drop: 0.05 }, seed: 9, subnet: 250 });
    const sink = spawn("ip", ["netns", "exec", link.nsB, process.execPath, "-e", SINK, link.addrB]);
    try {
      await new Promise<void>((resolve, reject) => {
        sink.stdout.once("data", () => resolve());
        sink.once("exit", (c) => reject(new Error(`sink exited ${c}`)));
      });
      const before = tcpRetransSegs(link.nsA);
      const out = execFileSync(
        "ip",
        ["netns", "exec", link.nsA, process.execPath, "-e", SOURCE, link.addrB],
        {
          encoding: "utf8",
          timeout: 60_000,
        },
      );
      const after = tcpRetransSegs(link.nsA);
      const got = JSON.parse(out) as { n: number; sha: string };
      assert.equal(got.n, 4 * 1024 * 1024);
      assert.equal(got.sha, expectedSha());
      assert.ok(after - before > 0, `retransmitted ${after - before} segments`);
      const c = link.counts();
      assert.ok(
        c.ab.dropped > 0 && Math.abs(c.ab.dropped / c.ab.received - 0.05) < 0.02,
        JSON.stringify(c.ab),
      );
    } finally {
      sink.kill();
      await link.close();
    }
    const left = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
    assert.ok(!left.includes(link.nsA) && !left.includes(link.nsB), "namespaces removed");
  });

  it("netkit bench --lossy-link 5%: UDP loss measured within 1 point over ≥ 20,000 datagrams", {
    skip: SKIP,
  }, async () => {
    const r = await runBin(["bench", "--lossy-link", "5%", "--seed", "4", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.path, "lossy-link");
    assert.equal(j.tcp.bytes, 4 * 1024 * 1024);
    assert.ok(j.tcp.retransSegs > 0);
    const u = j.udp[0];
    assert.ok(u.sentPackets >= 20_000, `${u.sentPackets}`);
    assert.ok(
      Math.abs(u.exactLostPercent - 5) <= 1,
      `${u.exactLostPercent}% ${JSON.stringify(j.lossyLink.counts)}`,
    );
    assert.ok(Math.abs(u.iperfLostPercent - 5) <= 1, `${u.iperfLostPercent}%`);
  });
});

describe("netkit impair link (CLI)", { timeout: 60_000 }, () => {
  it("joins two namespaces, drops about half of 400 datagrams at 50%, removes everything", {
    skip: SKIP,
  }, async () => {
    const child = spawn(process.execPath, [
      BIN,
      "impair",
      "link",
      "--drop",
      "50%",
      "--seed",
      "2",
      "-t",
      "3",
      "--json",
    ]);
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const closed = new Promise<number>((r) => child.on("close", (c) => r(c ?? -1)));
    try {
      for (let i = 0; i < 500 && !out.includes("\n"); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(out.includes("\n"), "the link came up");
      const { link } = JSON.parse(out.split("\n")[0]!);
      const send = `const s = require("node:dgram").createSocket("udp4");
        let n = 0; const go = () => { if (n++ >= 400) return s.close(); s.send(Buffer.alloc(32), 9, process.argv[1], go); }; go();`;
      execFileSync("ip", ["netns", "exec", link.nsA, process.execPath, "-e", send, link.addrB], {
        timeout: 20_000,
      });
      assert.equal(await closed, 0);
      const { counts } = JSON.parse(out.trim().split("\n").at(-1)!);
      assert.ok(counts.ab.received >= 400, JSON.stringify(counts.ab));
      const frac = counts.ab.dropped / counts.ab.received;
      assert.ok(frac > 0.4 && frac < 0.6, `${frac}`);
      const left = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
      assert.ok(!left.includes(link.nsA) && !left.includes(link.nsB));
    } finally {
      child.kill();
    }
  });
});
