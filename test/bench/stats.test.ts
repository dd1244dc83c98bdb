import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UdpReceiverStats } from "../../src/bench/stats.js";

function feed(seqs: number[], transits: number[] = [], firstSeq = 1): UdpReceiverStats {
  const s = new UdpReceiverStats({ firstSeq });
  seqs.forEach((q, i) => {
    s.add(q, transits[i] ?? 0.001, 100);
  });
  return s;
}

describe("UdpReceiverStats", () => {
  it("1,2,4,4,5: iperf3 says 0 lost (the duplicate hides the loss); exact says 1 lost, 1 duplicate", () => {
    const r = feed([1, 2, 4, 4, 5]).snapshot();
    assert.deepEqual(r.iperf, { packets: 5, lostPackets: 0, outOfOrder: 1, jitterMs: 0 });
    assert.equal(r.exact.lost, 1);
    assert.equal(r.exact.duplicated, 1);
    assert.equal(r.exact.reordered, 0);
    assert.equal(r.exact.received, 5);
    assert.equal(r.exact.unique, 4);
    assert.equal(r.bytes, 500);
  });

  it("reordering 1,3,2,4: iperf3 0 lost 1 out of order; exact 0 lost 1 reordered", () => {
    const r = feed([1, 3, 2, 4]).snapshot();
    assert.equal(r.iperf.lostPackets, 0);
    assert.equal(r.iperf.outOfOrder, 1);
    assert.deepEqual([r.exact.lost, r.exact.reordered, r.exact.duplicated, r.exact.expected], [0, 1, 0, 4]);
  });

  it("a loss and a late packet in another place: 1,2,5,3,6 (4 lost, 3 late)", () => {
    const r = feed([1, 2, 5, 3, 6]).snapshot();
    assert.equal(r.iperf.lostPackets, 1); // gap of 2 counted, one taken back by the late 3
    assert.equal(r.iperf.outOfOrder, 1);
    assert.equal(r.exact.lost, 1);
    assert.equal(r.exact.reordered, 1);
  });

  it("a duplicate of the newest packet is a duplicate, not a reordering", () => {
    const r = feed([1, 2, 2, 3]).snapshot();
    assert.equal(r.exact.duplicated, 1);
    assert.equal(r.exact.reordered, 0);
    assert.equal(r.exact.lost, 0);
    assert.equal(r.iperf.outOfOrder, 1);
  });

  it("wrap-around of 32-bit counters: exact counts unwrap, iperf3 calls it out of order", () => {
    const top = 2 ** 32 - 2;
    const r = feed([top, top + 1, 0, 1, 3], [], top).snapshot();
    assert.equal(r.exact.lost, 1); // 2 (after the wrap) never arrived
    assert.equal(r.exact.reordered, 0);
    assert.equal(r.exact.duplicated, 0);
    assert.equal(r.exact.expected, 6); // top, top+1, 0, 1, 2, 3
    assert.equal(r.iperf.outOfOrder, 3);
  });

  it("jitter on transit times 10, 12, 11, 15 ms follows J += (|D| − J)/16", () => {
    const r = feed([1, 2, 3, 4], [0.01, 0.012, 0.011, 0.015]).snapshot();
    let j = 0;
    for (const d of [2, 1, 4]) j += (d - j) / 16;
    assert.ok(Math.abs(r.iperf.jitterMs - j) < 1e-9, `${r.iperf.jitterMs} vs ${j}`);
    assert.ok(Math.abs(r.iperf.jitterMs - 0.41845703125) < 1e-9);
  });

  it("a packet older than the window counts as stale and reordered", () => {
    const s = new UdpReceiverStats({ window: 16 });
    for (let q = 1; q <= 40; q++) if (q !== 3) s.add(q, 0, 1);
    s.add(3, 0, 1);
    s.add(39, 0, 1);
    const r = s.snapshot();
    assert.equal(r.exact.stale, 1);
    assert.equal(r.exact.reordered, 1);
    assert.equal(r.exact.duplicated, 1);
    assert.equal(r.exact.lost, 0);
  });

  it("a long gap larger than the window forgets old marks", () => {
    const s = new UdpReceiverStats({ window: 16 });
    s.add(1, 0, 1);
    s.add(100, 0, 1);
    s.add(98, 0, 1); // first copy of 98: late, not a duplicate of a stale mark
    const r = s.snapshot();
    assert.equal(r.exact.reordered, 1);
    assert.equal(r.exact.duplicated, 0);
    assert.equal(r.exact.lost, 97);
  });
});
