/** Laws of the network operations (fast-check), checked against slow BigInt references. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Addr } from "../../src/ip/addr.js";
import { collapse } from "../../src/ip/collapse.js";
import { exclude } from "../../src/ip/exclude.js";
import { hosts, usableHostCount } from "../../src/ip/hosts.js";
import { Prefix, parseNetwork, parsePrefix } from "../../src/ip/prefix.js";
import { networkContains, networksOverlap } from "../../src/ip/relations.js";
import { splitHosts } from "../../src/ip/split_hosts.js";
import { splitCount, splitPrefix } from "../../src/ip/subnets.js";
import { summarizeRange } from "../../src/ip/summarize.js";
import { arbAddr, arbNet, arbPair, arbRange, arbSubnetsOf } from "./ops_arbitraries.js";

const RUNS = { numRuns: 300 };

/** [first, last] of a prefix as BigInts. */
function span(p: Prefix): [bigint, bigint] {
  const m = p.masked();
  const size = 1n << BigInt(m.addr.bitLength - m.bits);
  const lo = m.addr.toBigInt();
  return [lo, lo + size - 1n];
}

/** The slow reference of summarize: descend from /0, keep blocks inside the range. */
function slowSummarize(version: 4 | 6, lo: bigint, hi: bigint): string[] {
  const total = version === 4 ? 32 : 128;
  const out: string[] = [];
  const visit = (start: bigint, bits: number): void => {
    const end = start + (1n << BigInt(total - bits)) - 1n;
    if (end < lo || start > hi) return;
    if (start >= lo && end <= hi) {
      out.push(new Prefix(Addr.fromBigInt(version, start), bits).toString());
      return;
    }
    visit(start, bits + 1);
    visit(start + (1n << BigInt(total - bits - 1)), bits + 1);
  };
  visit(0n, 0);
  return out;
}

/** The union of prefixes as sorted, merged [lo, hi] intervals (slow, readable). */
function intervals(ps: Prefix[]): [bigint, bigint][] {
  const xs = ps.map(span).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of xs) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

const bigMax = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const bigMin = (a: bigint, b: bigint): bigint => (a < b ? a : b);

function assertDisjointSorted(ps: Prefix[]): void {
  for (let i = 1; i < ps.length; i++) {
    assert.ok(span(ps[i - 1]!)[1] < span(ps[i]!)[0], `${ps[i - 1]} and ${ps[i]} overlap or are out of order`);
  }
}

describe("ops properties", () => {
  it("split then collapse gives back the original network", () => {
    fc.assert(
      fc.property(arbNet(), fc.integer({ min: 0, max: 8 }), (n, d) => {
        const net = parseNetwork(n);
        const newBits = Math.min(net.bits + d, net.addr.bitLength);
        const parts = splitPrefix(net, newBits);
        assert.equal(parts.length, 2 ** (newBits - net.bits));
        assertDisjointSorted(parts);
        assert.deepEqual(collapse(parts).map(String), [net.toString()]);
      }),
      RUNS,
    );
  });

  it("split --count: N equal parts plus the unallocated rest collapse to the original", () => {
    fc.assert(
      fc.property(arbNet(), fc.integer({ min: 1, max: 300 }), (n, count) => {
        const net = parseNetwork(n);
        const need = Math.ceil(Math.log2(count));
        fc.pre(net.bits + need <= net.addr.bitLength);
        const r = splitCount(net, count);
        assert.equal(r.subnets.length, count);
        assert.ok(2 ** (r.prefixLength - net.bits) >= count && 2 ** (r.prefixLength - net.bits - 1) < count);
        for (const s of r.subnets) assert.equal(s.bits, r.prefixLength);
        const all = [...r.subnets, ...r.unallocated];
        assertDisjointSorted(all);
        assert.deepEqual(collapse(all).map(String), [net.toString()]);
      }),
      RUNS,
    );
  });

  it("split --hosts: every allocation is large enough and minimal, and everything adds up", () => {
    fc.assert(
      fc.property(
        arbNet(),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }),
        (n, reqs) => {
          const net = parseNetwork(n);
          const r = splitHosts(net, reqs);
          assert.equal(r.allocations.length + r.unfit.length, reqs.length);
          for (const a of r.allocations) {
            assert.equal(a.hosts, reqs[a.index]);
            assert.ok(a.usable >= BigInt(a.hosts));
            assert.ok(net.contains(a.prefix));
            // One bit longer would not be enough.
            if (a.prefix.bits < net.addr.bitLength) {
              assert.ok(usableHostCount(net.version, a.prefix.bits + 1) < BigInt(a.hosts));
            }
          }
          const all = [...r.allocations.map((a) => a.prefix), ...r.unallocated];
          assertDisjointSorted(all);
          assert.deepEqual(collapse(all).map(String), [net.toString()]);
          // A request reported as unfit really is larger than any free block left.
          const largestFree = r.unallocated.reduce((m, p) => Math.min(m, p.bits), 999);
          for (const u of r.unfit) {
            const usable = largestFree === 999 ? 0n : usableHostCount(net.version, largestFree);
            assert.ok(usable < BigInt(u.hosts), `${u.hosts} hosts would fit in a free /${largestFree}`);
          }
        },
      ),
      RUNS,
    );
  });

  it("summarize is exact and minimal (equals the slow /0-descent reference)", () => {
    fc.assert(
      fc.property(arbRange(), ([a, b]) => {
        const first = parsePrefix(a).addr;
        const last = parsePrefix(b).addr;
        const got = summarizeRange(first, last);
        assert.deepEqual(got.map(String), slowSummarize(first.version, first.toBigInt(), last.toBigInt()));
        assert.deepEqual(intervals(got), [[first.toBigInt(), last.toBigInt()]]);
        assertDisjointSorted(got);
        // Minimal: no two neighbours are the halves of one parent.
        for (let i = 1; i < got.length; i++) {
          const x = got[i - 1]!;
          const y = got[i]!;
          const siblings = x.bits === y.bits && x.bits > 0 && new Prefix(x.addr, x.bits - 1).contains(y.addr);
          assert.ok(!siblings, `${x} and ${y} should have been merged`);
        }
      }),
      RUNS,
    );
  });

  it("contains agrees with masking", () => {
    fc.assert(
      fc.property(arbNet(), arbAddr, (n, x) => {
        const net = parseNetwork(n);
        fc.pre(net.version === x.version);
        const total = BigInt(net.addr.bitLength);
        const mask = ((1n << total) - 1n) ^ ((1n << (total - BigInt(net.bits))) - 1n);
        const want = (x.toBigInt() & mask) === net.addr.toBigInt();
        assert.equal(networkContains(net, new Prefix(x, x.bitLength)), want);
      }),
      { numRuns: 1000 },
    );
  });

  it("contains of a network means every address is inside; overlaps means a shared address", () => {
    fc.assert(
      fc.property(arbPair(false), ([a, b]) => {
        const pa = parseNetwork(a);
        const pb = parseNetwork(b);
        const [alo, ahi] = span(pa);
        const [blo, bhi] = span(pb);
        assert.equal(networkContains(pa, pb), alo <= blo && bhi <= ahi);
        assert.equal(networksOverlap(pa, pb), alo <= bhi && blo <= ahi);
      }),
      { numRuns: 1000 },
    );
  });

  it("exclude: result and excluded are disjoint, and together give back the network", () => {
    fc.assert(
      fc.property(
        arbPair(true),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 4 }),
        ([n, x], more) => {
          const net = parseNetwork(n);
          // Further excluded networks: some inside, some around, some elsewhere.
          const ex = [parseNetwork(x)];
          for (const m of more) {
            const bits = m % (net.addr.bitLength + 1);
            const off = (BigInt(m) * 2654435761n) % (1n << BigInt(net.addr.bitLength));
            ex.push(
              new Prefix(
                Addr.fromBigInt(
                  net.version,
                  (net.addr.toBigInt() + off) % (1n << BigInt(net.addr.bitLength)),
                ),
                bits,
              ).masked(),
            );
          }
          const rest = exclude(net, ex);
          assertDisjointSorted(rest);
          const [lo, hi] = span(net);
          for (const r of rest) {
            assert.ok(net.contains(r), `${r} is outside ${net}`);
            for (const e of ex) assert.ok(!r.overlaps(e), `${r} overlaps excluded ${e}`);
          }
          // rest ∪ (excluded ∩ net) = net, exactly.
          const clipped = intervals(ex)
            .map(([a, b]): [bigint, bigint] => [bigMax(a, lo), bigMin(b, hi)])
            .filter(([a, b]) => a <= b);
          const restSize = rest.reduce((s, r) => s + (span(r)[1] - span(r)[0] + 1n), 0n);
          const exSize = clipped.reduce((s, [a, b]) => s + (b - a + 1n), 0n);
          assert.equal(restSize + exSize, hi - lo + 1n);
          // Minimal: the result cannot be collapsed further.
          assert.deepEqual(collapse(rest).map(String), rest.map(String));
        },
      ),
      RUNS,
    );
  });

  it("collapse covers exactly the same addresses with disjoint, unmergeable prefixes", () => {
    fc.assert(
      fc.property(arbSubnetsOf(20), (texts) => {
        const input = texts.map((t) => parseNetwork(t));
        const got = collapse(input);
        assertDisjointSorted(got);
        assert.deepEqual(intervals(got), intervals(input));
        assert.deepEqual(collapse(got).map(String), got.map(String));
        assert.equal(
          got.length,
          intervals(input).reduce((s, [a, b]) => s + slowSummarize(input[0]!.version, a, b).length, 0),
        );
      }),
      RUNS,
    );
  });

  it("hosts() yields usableHostCount distinct addresses of the network, in order", () => {
    fc.assert(
      fc.property(arbAddr, fc.integer({ min: 0, max: 10 }), (a, h) => {
        const net = new Prefix(a, a.bitLength - h).masked();
        const list = [...hosts(net)];
        assert.equal(BigInt(list.length), usableHostCount(net.version, net.bits));
        for (let i = 0; i < list.length; i++) {
          assert.ok(net.contains(list[i]!));
          if (i > 0) assert.ok(list[i - 1]!.compare(list[i]!) < 0);
        }
      }),
      RUNS,
    );
  });
});
