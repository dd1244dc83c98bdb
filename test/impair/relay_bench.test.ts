/**
 * Integration: loss, duplication and reordering injected by the netkit impair relay are measured
 * by netkit bench — loss within ±1 percentage point over ≥ 20,000 datagrams, exact counts equal to
 * the relay's own. All on loopback ports proven free.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { runBenchClient } from "../../src/bench/client.js";
import { sumUdp } from "../../src/bench/result.js";
import { startBenchServer } from "../../src/bench/server.js";
import { startTcpRelay } from "../../src/impair/tcp_relay.js";
import type { UdpImpairment } from "../../src/impair/udp_pipeline.js";
import { startUdpRelay } from "../../src/impair/udp_relay.js";
import { BIN, runCli } from "../helpers/cli.js";
import { freePort } from "../helpers/iperf3.js";

async function throughRelay(impair: UdpImpairment, seed: number) {
  const srv = await startBenchServer({ port: 0, interval: 0 });
  const port = await freePort();
  const target = { host: "127.0.0.1", port: srv.port };
  const udp = await startUdpRelay({ listen: { host: "127.0.0.1", port }, target, impair, seed });
  const tcp = await startTcpRelay({ listen: { host: "127.0.0.1", port }, target, seed });
  try {
    // 100-byte datagrams at 8 Mbit/s: 10,000 per second for 2.3 s ≈ 23,000.
    const r = await runBenchClient({
      host: "127.0.0.1",
      port,
      protocol: "udp",
      bandwidth: 8e6,
      len: 100,
      time: 2.3,
      interval: 0,
    });
    return { r, relay: udp.counts() };
  } finally {
    await udp.close();
    await tcp.close();
    await srv.close();
  }
}

describe("netkit impair measured by netkit bench", { timeout: 60_000 }, () => {
  it("5% drop: bench measures 5% ± 1 point over ≥ 20,000 datagrams; exact lost = relay's drops", async () => {
    const { r, relay } = await throughRelay({ drop: 0.05, passFirst: 1 }, 11);
    const u = sumUdp(r.streams.map((s) => s.udp))!;
    const sent = r.streams[0]!.sent.packets;
    assert.ok(sent >= 20_000, `sent ${sent}`);
    assert.ok(u.exact);
    const exactPct = (100 * u.exact.lost) / u.exact.expected;
    assert.ok(Math.abs(exactPct - 5) <= 1, `exact loss ${exactPct}%`);
    const iperfPct = (100 * u.lostPackets) / sent;
    assert.ok(Math.abs(iperfPct - 5) <= 1, `iperf3-style loss ${iperfPct}%`);
    // The relay saw the handshake datagram too (passed), then every data datagram.
    assert.equal(relay.forward.received, sent + 1);
    assert.equal(u.exact.lost, relay.forward.dropped);
    assert.equal(u.exact.duplicated, 0);
  });

  it("2% duplicates and 3% reordering: exact counts equal the relay's; iperf3's loss is confused", async () => {
    const { r, relay } = await throughRelay({ duplicate: 0.02, reorder: 0.03, passFirst: 1 }, 12);
    const u = sumUdp(r.streams.map((s) => s.udp))!;
    assert.ok(u.exact);
    assert.ok(relay.forward.duplicated > 300 && relay.forward.reordered > 400);
    assert.equal(u.exact.duplicated, relay.forward.duplicated);
    assert.equal(u.exact.reordered, relay.forward.reordered);
    assert.equal(u.exact.lost, 0);
    // iperf3 counts every late or repeated datagram as out of order.
    assert.equal(u.outOfOrder, relay.forward.duplicated + relay.forward.reordered);
  });
});

describe("netkit impair (CLI)", { timeout: 30_000 }, () => {
  it("usage errors exit 2", async () => {
    for (const args of [
      ["impair"],
      ["impair", "udp", "6000"],
      ["impair", "udp", "6000", "7000", "--drop", "150%"],
      ["impair", "udp", "6000", "x:y"],
      ["impair", "tcp", "6000", "7000", "--drop", "5%"],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    }
  });

  it("runs for -t seconds, relays, and reports its counts as JSON", async () => {
    const dgram = (await import("node:dgram")).default;
    const echo = dgram.createSocket("udp4");
    echo.on("message", (m, ri) => echo.send(m, ri.port, ri.address));
    await new Promise<void>((r) => echo.bind(0, "127.0.0.1", r));
    const child = spawn(process.execPath, [
      BIN,
      "impair",
      "udp",
      "127.0.0.1:0",
      `127.0.0.1:${echo.address().port}`,
      "--drop",
      "50%",
      "--seed",
      "5",
      "-t",
      "1.5",
      "--json",
    ]);
    try {
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
      });
      while (!out.includes("\n")) await new Promise((r) => setTimeout(r, 10));
      const { listening } = JSON.parse(out.split("\n")[0]!);
      const c = dgram.createSocket("udp4");
      let answers = 0;
      c.on("message", () => answers++);
      for (let i = 0; i < 200; i++) c.send(Buffer.from(`m${i}`), listening.port, "127.0.0.1");
      const code = await new Promise<number>((r) => child.on("close", (x) => r(x ?? -1)));
      c.close();
      assert.equal(code, 0);
      const report = JSON.parse(out.trim().split("\n").at(-1)!);
      assert.equal(report.seed, 5);
      assert.equal(report.udp.forward.received, 200);
      assert.equal(report.udp.forward.dropped + report.udp.forward.forwarded, 200);
      assert.ok(report.udp.forward.dropped > 60 && report.udp.forward.dropped < 140);
      assert.equal(answers, report.udp.forward.forwarded);
    } finally {
      child.kill();
      echo.close();
    }
  });
});
