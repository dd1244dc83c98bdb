import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UdpReceiverStats } from "../../src/bench/stats.js";
import { createRng } from "../../src/impair/rng.js";
import { UdpPipeline } from "../../src/impair/udp_pipeline.js";

const seqBuf = (n: number) => {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(n, 8);
  return b;
};

/** Push `n` numbered datagrams at 1 ms spacing and collect what leaves, in order. */
function run(p: UdpPipeline, n: number, tail = 200): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) {
    p.push(seqBuf(i), i);
    for (const d of p.release(i)) out.push(d.readUInt32BE(8));
  }
  for (const d of p.release(n + tail)) out.push(d.readUInt32BE(8));
  return out;
}

describe("createRng", () => {
  it("is reproducible per seed and roughly uniform", () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const xs = Array.from({ length: 10000 }, () => a());
    assert.deepEqual(
      xs.slice(0, 5),
      Array.from({ length: 5 }, () => b()),
    );
    assert.notEqual(xs[0], c());
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  });
});

describe("UdpPipeline", () => {
  it("dropFirst drops exactly the first N, then passFirst lets the next ones through", () => {
    const p = new UdpPipeline({ dropFirst: 2, passFirst: 1, drop: 1 }, createRng(3));
    const out = run(p, 5);
    assert.deepEqual(out, [3]); // 1, 2 dropped by dropFirst; 3 passed; 4, 5 dropped by drop: 1
    assert.equal(p.counts.dropped, 4);
    assert.equal(p.counts.passed, 1);
    const q = new UdpPipeline({ dropFirst: 1 }, createRng(3));
    assert.deepEqual(run(q, 4), [2, 3, 4]);
  });

  it("with no impairment forwards everything in order", () => {
    const p = new UdpPipeline({}, createRng(1));
    const out = run(p, 100);
    assert.deepEqual(
      out,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    assert.equal(p.counts.forwarded, 100);
  });

  it("drop rate is close to the configured one and the same seed drops the same datagrams", () => {
    const a = new UdpPipeline({ drop: 0.1 }, createRng(42));
    const b = new UdpPipeline({ drop: 0.1 }, createRng(42));
    const oa = run(a, 20000);
    assert.deepEqual(run(b, 20000), oa);
    assert.equal(a.counts.dropped + oa.length, 20000);
    assert.ok(Math.abs(a.counts.dropped / 20000 - 0.1) < 0.01, `${a.counts.dropped}`);
  });

  it("a receiver's exact counts equal the pipeline's own (drop, duplicate, reorder, jitter)", () => {
    for (const cfg of [
      { drop: 0.05, duplicate: 0.03, reorder: 0.04 },
      { drop: 0.02, delayMs: 5, jitterMs: 3 },
      { reorder: 0.3, duplicate: 0.3 },
    ]) {
      const p = new UdpPipeline(cfg, createRng(3));
      const out = run(p, 5000);
      const s = new UdpReceiverStats();
      for (const q of out) s.add(q, 0, 12);
      const e = s.snapshot().exact;
      const c = p.counts;
      assert.equal(e.duplicated, c.duplicated, JSON.stringify(cfg));
      assert.equal(e.reordered, c.reordered, JSON.stringify(cfg));
      // A drop at the very end is invisible to a receiver (it cannot know the last sequence number).
      const tailDrops = 5000 - Math.max(...out);
      assert.equal(e.lost + tailDrops, c.dropped, JSON.stringify(cfg));
      assert.ok(c.reordered > 0 || !("reorder" in cfg || "jitterMs" in cfg));
    }
  });

  it("passFirst lets the handshake through untouched", () => {
    const p = new UdpPipeline({ drop: 1, passFirst: 1 }, createRng(1));
    assert.deepEqual(run(p, 10), [1]);
    assert.equal(p.counts.passed, 1);
    assert.equal(p.counts.dropped, 9);
  });

  it("delay holds datagrams until due; a rate limit spaces them", () => {
    const p = new UdpPipeline({ delayMs: 10 }, createRng(1));
    p.push(seqBuf(1), 0);
    assert.equal(p.release(9).length, 0);
    assert.equal(p.nextDue(), 10);
    assert.equal(p.release(10).length, 1);
    const r = new UdpPipeline({ rate: 8000 }, createRng(1)); // 1000 bytes/s: a 12-byte datagram takes 12 ms
    for (let i = 1; i <= 3; i++) r.push(seqBuf(i), 0);
    assert.equal(r.release(0).length, 1);
    assert.equal(r.release(11).length, 0);
    assert.equal(r.release(12).length, 1);
    assert.equal(r.release(24).length, 1);
  });
});
