/**
 * PingStats against iputils' own arithmetic (iputils 20221126 ping_common.c: gather_statistics,
 * acknowledge, the statistics block, llsqrt): hand-computed rows, a literal transcription of the
 * C code as a reference for random runs, and mdev as the population standard deviation.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { renderSummary } from "../../src/cli/commands/ping.js";
import { formatPingStatus, PingStats } from "../../src/diag/ping_stats.js";

/** Replies with these RTTs (µs) to probes 1…n, all sent first. */
function run(rtts: number[]): PingStats {
  const s = new PingStats();
  for (const _ of rtts) s.sent();
  for (const [i, t] of rtts.entries()) s.reply(i + 1, t, false);
  return s;
}

/** iputils' statistics block, transcribed: C integer division truncates; llsqrt as in the source. */
function iputilsRtt(rtts: number[]): { min: number; avg: number; max: number; mdev: number } {
  const total = BigInt(rtts.length);
  let tsum = 0n;
  let tsum2 = 0n;
  for (const t of rtts) {
    tsum += BigInt(t);
    tsum2 += BigInt(t) * BigInt(t);
  }
  const tmavg = tsum / total;
  const tmvar = tsum < 2147483647n ? (tsum2 - (tsum * tsum) / total) / total : tsum2 / total - tmavg * tmavg;
  let prev = BigInt(Number.MAX_SAFE_INTEGER) ** 2n;
  let x = tmvar;
  if (x > 0n) {
    while (x < prev) {
      prev = x;
      x = (x + tmvar / x) / 2n;
    }
  }
  return {
    min: Math.min(...rtts) / 1000,
    avg: Number(tmavg) / 1000,
    max: Math.max(...rtts) / 1000,
    mdev: Number(x) / 1000,
  };
}

describe("PingStats rtt (iputils arithmetic)", () => {
  // Each row worked by hand: tsum, tsum2, tmvar = (tsum2 − ⌊tsum²/n⌋) / n, mdev = llsqrt(tmvar).
  const rows: [string, number[], { min: number; avg: number; max: number; mdev: number }][] = [
    ["one reply", [48], { min: 0.048, avg: 0.048, max: 0.048, mdev: 0 }],
    // tsum 3, tsum2 5: (5 − 4) / 2 = 0 → mdev 0 (the population SD is 0.5 µs; iputils truncates)
    ["1 and 2 µs", [1, 2], { min: 0.001, avg: 0.001, max: 0.002, mdev: 0 }],
    // tsum 600, tsum2 140000: (140000 − 120000) / 3 = 6666 → 81 (SD 81.65 µs)
    ["100/200/300", [100, 200, 300], { min: 0.1, avg: 0.2, max: 0.3, mdev: 0.081 }],
    // tsum 70, tsum2 1900: (1900 − 1225) / 4 = 168 = 13² − 1 → llsqrt 13 (SD 12.99 µs); avg ⌊70/4⌋ = 17
    ["10/10/10/40", [10, 10, 10, 40], { min: 0.01, avg: 0.017, max: 0.04, mdev: 0.013 }],
    // tsum 306, tsum2 31236: (31236 − 31212) / 3 = 8 → llsqrt(8) = 3 (not ⌊√8⌋ = 2: iputils' quirk)
    ["100/100/106", [100, 100, 106], { min: 0.1, avg: 0.102, max: 0.106, mdev: 0.003 }],
    // identical times: no deviation
    ["5 × 1234", [1234, 1234, 1234, 1234, 1234], { min: 1.234, avg: 1.234, max: 1.234, mdev: 0 }],
  ];
  for (const [name, rtts, want] of rows) {
    it(name, () => {
      assert.deepEqual(run(rtts).summary().rtt, want);
      assert.deepEqual(iputilsRtt(rtts), want, "the transcription agrees with the hand computation");
    });
  }

  it("large sums take iputils' other branch (tsum ≥ INT_MAX)", () => {
    // 3 × ~1000 s: tsum = 3000000003 ≥ 2^31 − 1, so tmvar = ⌊tsum2/n⌋ − avg².
    const rtts = [1_000_000_000, 1_000_000_001, 1_000_000_002];
    // tsum2/n = (3·10^18 + 2·(0+1+2)·10^9 + 0+1+4)/3 = 10^18 + 2·10^9 + 1 (⌊5/3⌋ = 1); avg = 1000000001;
    // avg² = 10^18 + 2·10^9 + 1 → tmvar 0 → mdev 0.
    assert.deepEqual(run(rtts).summary().rtt, {
      min: 1_000_000,
      avg: 1_000_000.001,
      max: 1_000_000.002,
      mdev: 0,
    });
  });

  it("agrees with the transcription on random runs, and mdev is the population SD (±1 µs)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 60 }),
        (rtts) => {
          const got = run(rtts).summary().rtt!;
          assert.deepEqual(got, iputilsRtt(rtts));
          const mean = rtts.reduce((a, b) => a + b, 0) / rtts.length;
          const sd = Math.sqrt(rtts.reduce((a, t) => a + (t - mean) ** 2, 0) / rtts.length);
          assert.ok(Math.abs(got.mdev * 1000 - sd) <= 1 + sd * 1e-9, `mdev ${got.mdev} ms vs SD ${sd} µs`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("PingStats counters", () => {
  it("duplicates count in the RTT statistics but not as received", () => {
    const s = new PingStats();
    s.sent();
    s.reply(1, 100, false);
    s.reply(1, 300, true);
    const r = s.summary();
    assert.equal(r.received, 1);
    assert.equal(r.duplicates, 1);
    assert.equal(r.loss, 0);
    // total = received + repeats = 2: tsum 400, tsum2 100000 → (100000 − 80000) / 2 = 10000 → 100
    assert.deepEqual(r.rtt, { min: 0.1, avg: 0.2, max: 0.3, mdev: 0.1 });
    assert.equal(
      renderSummary("h", r, 5).split("\n")[2],
      "1 packets transmitted, 1 received, +1 duplicates, 0% packet loss, time 5ms",
    );
  });

  it("loss is the share of probes without a reply; errors and corrupt replies are not replies", () => {
    const s = new PingStats();
    for (let i = 0; i < 4; i++) s.sent();
    s.reply(1, 50, false);
    s.error(2);
    s.corrupt();
    const r = s.summary();
    assert.deepEqual([r.transmitted, r.received, r.errors, r.corrupted, r.loss], [4, 1, 1, 1, 75]);
    assert.equal(
      renderSummary("h", r, 3000).split("\n")[2],
      "4 packets transmitted, 1 received, +1 corrupted, +1 errors, 75% packet loss, time 3000ms",
    );
  });

  // iputils prints (float)(lost · 100.0 / transmitted) with %g: 6 significant digits.
  const lossRows: [number, number, string][] = [
    [3, 2, "33.3333%"], // 100/3
    [7, 1, "85.7143%"], // 600/7 = 85.714285…
    [3, 0, "100%"],
    [6, 6, "0%"],
    [8, 7, "12.5%"],
    [9, 8, "11.1111%"],
    [1000, 999, "0.1%"],
    [30000, 29999, "0.00333333%"],
  ];
  for (const [tx, rx, want] of lossRows) {
    it(`loss ${tx - rx}/${tx} prints ${want}`, () => {
      const s = new PingStats();
      for (let i = 0; i < tx; i++) s.sent();
      for (let i = 1; i <= rx; i++) s.reply(i, 10, false);
      assert.ok(renderSummary("h", s.summary(), 1).includes(`, ${want} packet loss,`));
    });
  }

  it("no replies: no rtt line; transmitted 0: no loss", () => {
    const s = new PingStats();
    assert.equal(s.summary().loss, 0);
    s.sent();
    assert.equal(s.summary().rtt, null);
    assert.equal(renderSummary("h", s.summary(), 1).split("\n")[3], "");
  });

  it("pipe: the most probes outstanding when one was answered, with 16-bit sequence numbers", () => {
    const s = new PingStats();
    for (let i = 0; i < 3; i++) s.sent();
    s.reply(1, 10, false); // probes 1, 2, 3 out → pipe 3
    s.reply(2, 10, false);
    assert.equal(s.summary().pipe, 3);
    assert.ok(renderSummary("h", s.summary(), 1).includes(", pipe 3"));
    // After 70000 probes the sequence number has wrapped: probe 70000 carries 70000 − 65536 = 4464.
    const w = new PingStats();
    for (let i = 0; i < 70_000; i++) w.sent();
    w.reply(70_000 & 0xffff, 10, false);
    assert.equal(w.summary().pipe, 1, "the reply to the newest probe: nothing else outstanding");
    w.reply(69_998 & 0xffff, 10, false);
    assert.equal(w.summary().pipe, 3);
  });
});

describe("the SIGQUIT status line (iputils status())", () => {
  it("counts, truncated loss and min/avg/ewma/max in iputils' integer arithmetic", () => {
    const s = new PingStats();
    assert.equal(formatPingStatus(s.status()), "\r0/0 packets, 0% loss\n");
    for (let i = 0; i < 3; i++) s.sent();
    s.reply(1, 48, false);
    s.reply(2, 100, false);
    // 2 of 3: loss 33.33…% truncated to 33; rtt8 = 384, then 384 + 100 − 48 = 436 → ewma 54 µs
    assert.deepEqual(s.status(), {
      received: 2,
      transmitted: 3,
      loss: 33,
      rttUs: { min: 48, avg: 74, ewma: 54, max: 100 },
    });
    assert.equal(
      formatPingStatus(s.status()),
      "\r2/3 packets, 33% loss, min/avg/ewma/max = 0.048/0.074/0.054/0.100 ms\n",
    );
  });

  it("ewma follows iputils' rtt += t − rtt/8 with C integer division (random runs)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 1, maxLength: 50 }),
        (rtts) => {
          const s = run(rtts);
          let rtt = 0;
          for (const t of rtts) rtt = rtt === 0 ? t * 8 : rtt + t - Math.trunc(rtt / 8);
          const st = s.status();
          assert.equal(st.rttUs!.ewma, Math.trunc(rtt / 8));
          const ms = (us: number) => `${Math.trunc(us / 1000)}.${String(us % 1000).padStart(3, "0")}`;
          assert.equal(
            formatPingStatus(st),
            `\r${rtts.length}/${rtts.length} packets, 0% loss, min/avg/ewma/max = ${ms(Math.min(...rtts))}/${ms(
              Math.trunc(rtts.reduce((a, b) => a + b, 0) / rtts.length),
            )}/${ms(Math.trunc(rtt / 8))}/${ms(Math.max(...rtts))} ms\n`,
          );
        },
      ),
    );
  });
});
