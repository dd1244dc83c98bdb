import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { histogram, percentile, summarize } from "../../src/bench/latency_stats.js";

describe("latency statistics", () => {
  it("nearest-rank percentiles", () => {
    const xs = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1..1000, unsorted
    const s = summarize(xs);
    assert.deepEqual([s.min, s.p50, s.p90, s.p99, s.p999, s.max], [1, 500, 900, 990, 999, 1000]);
    assert.equal(s.mean, 500.5);
    assert.equal(percentile([10, 20, 30, 40], 50), 20);
    assert.equal(percentile([7], 99.9), 7);
    assert.ok(Number.isNaN(summarize([]).p50));
  });

  it("histogram bins cover every sample once", () => {
    const xs = [1, 2, 2, 3, 3, 3, 100];
    const h = histogram(xs, 5);
    assert.equal(h.length, 5);
    assert.equal(
      h.reduce((a, b) => a + b.count, 0),
      xs.length,
    );
    assert.equal(h[0]!.from, 1);
  });
});
