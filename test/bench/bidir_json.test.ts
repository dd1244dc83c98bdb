/**
 * `--bidir --json` has iperf3 3.12's shape: the streams this side sends on are summed in `sum` /
 * `sum_sent` / `sum_received`, the ones it receives on in the same names + `_bidir_reverse`, with
 * iperf3's `sender` flags. The reference is iperf3's own output, captured on this machine
 * (test/fixtures/bench/iperf3_3.12_bidir_{tcp,udp}.json; see the README there).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { startBenchServer } from "../../src/bench/server.js";
import { runCli } from "../helpers/cli.js";

type Obj = Record<string, unknown>;
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/bench/${name}`, import.meta.url), "utf8")) as {
    intervals: Obj[];
    end: Obj;
  };

/** The parts of the shape tooling reads: which sums exist and their `sender` flags, per-stream flags. */
function shape(j: { intervals: Obj[]; end: Obj }) {
  const sums = (o: Obj) =>
    Object.fromEntries(
      Object.keys(o)
        .filter((k) => k.startsWith("sum"))
        .sort()
        .map((k) => [k, (o[k] as Obj).sender]),
    );
  const streams = (j.end.streams as Obj[]).map((s) =>
    Object.fromEntries(
      Object.keys(s)
        .sort()
        .map((k) => [k, (s[k] as Obj).sender]),
    ),
  );
  const iv = j.intervals[0]!;
  return {
    end: sums(j.end),
    streams,
    interval: sums(iv),
    intervalStreams: (iv.streams as Obj[]).map((s) => s.sender),
  };
}

async function netkitBidir(extra: string[]) {
  const srv = await startBenchServer({ port: 0, interval: 0 });
  try {
    const r = await runCli([
      "bench",
      "client",
      "127.0.0.1",
      "-p",
      String(srv.port),
      "--bidir",
      "-t",
      "1",
      "--json",
      ...extra,
    ]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { intervals: Obj[]; end: Obj };
  } finally {
    await srv.close();
  }
}

const num = (o: unknown, k: string) => (o as Obj)[k] as number;

describe("bench client --bidir --json: iperf3 3.12's shape", { timeout: 30_000 }, () => {
  it("TCP: sum_sent/sum_received for our sending stream, *_bidir_reverse for the other", async () => {
    const ref = fixture("iperf3_3.12_bidir_tcp.json");
    const j = await netkitBidir([]);
    assert.deepEqual(shape(j), shape(ref));
    const [fwd, rev] = j.end.streams as Obj[];
    // Each group sums its own stream only, and both directions moved data.
    assert.equal(num(j.end.sum_sent, "bytes"), num(fwd!.sender, "bytes"));
    assert.equal(num(j.end.sum_received_bidir_reverse, "bytes"), num(rev!.receiver, "bytes"));
    assert.ok(num(j.end.sum_sent, "bytes") > 0 && num(j.end.sum_received_bidir_reverse, "bytes") > 0);
  });

  it("UDP: sum and sum_bidir_reverse too, the reverse one with our receiver's figures", async () => {
    const ref = fixture("iperf3_3.12_bidir_udp.json");
    const j = await netkitBidir(["-u", "-b", "10M"]);
    assert.deepEqual(shape(j), shape(ref));
    const rev = j.end.sum_bidir_reverse as Obj;
    assert.equal(rev.sender, false);
    // Datagrams moved each way, every one of them counted (not how many a second: that is a rate).
    for (const k of ["sum", "sum_bidir_reverse"]) {
      const p = num(j.end[k], "packets");
      assert.ok(p > 0 && num(j.end[k], "lost_packets") <= p, `${k}.packets ${p}`);
    }
    assert.equal(typeof rev.jitter_ms, "number");
    const iv = j.intervals[0]!.sum_bidir_reverse as Obj;
    assert.equal(typeof iv.jitter_ms, "number");
  });
});
