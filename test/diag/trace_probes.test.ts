/**
 * Traceroute bookkeeping (pure): probe order and window, hop completion in order, the end of the
 * trace at the lowest final hop, silent probes; ICMP error meanings against traceroute's table
 * (traceroute-2.1.2 traceroute.c, parse_icmp_res / the ICMP codes of RFC 792, RFC 1812, RFC 4443).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderHop } from "../../src/cli/commands/trace.js";
import { icmpErrorMeaning, TraceProbes } from "../../src/diag/trace_probes.js";

const hit = (from: string, final = false, note = "") => ({ from, rttMs: 1, note, final });

describe("TraceProbes", () => {
  it("numbers probes hop by hop and honours the window", () => {
    const t = new TraceProbes({ maxHops: 30, perHop: 3, window: 4 });
    const sent = [t.next(), t.next(), t.next(), t.next()];
    assert.deepEqual(
      sent.map((p) => [p?.id, p?.hop, p?.index]),
      [
        [0, 1, 0],
        [1, 1, 1],
        [2, 1, 2],
        [3, 2, 0],
      ],
    );
    assert.equal(t.next(), null, "window of 4 is full");
    t.timeout(1);
    assert.deepEqual(t.next(), { id: 4, hop: 2, index: 1 });
  });

  it("reports hops in order, only when all their probes are in", () => {
    const t = new TraceProbes({ maxHops: 5, perHop: 2, window: 10 });
    for (let i = 0; i < 6; i++) t.next();
    t.answer(2, hit("10.0.0.2"));
    t.answer(3, hit("10.0.0.2"));
    assert.deepEqual(t.takeCompleteHops(), [], "hop 2 waits for hop 1");
    t.answer(0, hit("10.0.0.1"));
    t.timeout(1);
    const hops = t.takeCompleteHops();
    assert.deepEqual(
      hops.map((h) => [h.hop, h.probes.map((p) => p.from)]),
      [
        [1, ["10.0.0.1", null]],
        [2, ["10.0.0.2", "10.0.0.2"]],
      ],
    );
    assert.deepEqual(t.takeCompleteHops(), [], "each hop once");
  });

  it("ends at the lowest hop with a final answer, ignoring probes beyond it", () => {
    const t = new TraceProbes({ maxHops: 30, perHop: 1, window: 16 });
    for (let i = 0; i < 6; i++) t.next();
    t.answer(4, hit("10.0.0.9", true)); // hop 5 reached the destination
    t.answer(2, hit("10.0.0.9", true)); // hop 3 too: the trace ends at 3
    assert.equal(t.next(), null, "nothing is sent beyond the end");
    t.answer(0, hit("10.0.0.1"));
    assert.equal(t.done, false);
    t.answer(1, hit("10.0.0.2"));
    assert.deepEqual(
      t.takeCompleteHops().map((h) => h.hop),
      [1, 2, 3],
    );
    assert.equal(t.done, true);
    assert.equal(t.ended, true);
  });

  it("stops at max hops when nothing is final; late or unknown answers change nothing", () => {
    const t = new TraceProbes({ maxHops: 2, perHop: 1, window: 16, firstHop: 1 });
    assert.ok(t.next() && t.next());
    assert.equal(t.next(), null);
    t.timeout(0);
    assert.equal(t.answer(0, hit("10.0.0.1")), false, "answer after timeout is ignored");
    assert.equal(t.answer(7, hit("10.0.0.1")), false, "never sent");
    t.timeout(1);
    assert.equal(
      t.takeCompleteHops().every((h) => h.probes[0]!.from === null),
      true,
    );
    assert.equal(t.done, true);
    assert.equal(t.ended, false);
  });

  it("starts at the first hop", () => {
    const t = new TraceProbes({ maxHops: 4, perHop: 1, window: 1, firstHop: 3 });
    assert.deepEqual(t.next(), { id: 0, hop: 3, index: 0 });
    t.answer(0, hit("10.0.0.3"));
    assert.deepEqual(t.next(), { id: 1, hop: 4, index: 0 });
    t.answer(1, hit("10.0.0.4", true));
    assert.deepEqual(
      t.takeCompleteHops().map((h) => h.hop),
      [3, 4],
    );
    assert.equal(t.done, true);
  });

  it("rejects impossible options", () => {
    assert.throws(() => new TraceProbes({ maxHops: 3, perHop: 0, window: 1 }), RangeError);
  });
});

describe("icmpErrorMeaning (traceroute's reading of ICMP errors)", () => {
  // [version, type, code, expected]: RFC 792 / 1812 code numbers, traceroute's annotations.
  const rows: [4 | 6, number, number, { final: boolean; note: string } | null][] = [
    [4, 11, 0, { final: false, note: "" }], // TTL exceeded in transit
    [4, 11, 1, null], // fragment reassembly time exceeded: not about the path
    [4, 3, 3, { final: true, note: "" }], // port unreachable: destination reached
    [4, 3, 0, { final: true, note: "!N" }],
    [4, 3, 1, { final: true, note: "!H" }],
    [4, 3, 2, { final: true, note: "!P" }],
    [4, 3, 4, { final: true, note: "!F" }],
    [4, 3, 5, { final: true, note: "!S" }],
    [4, 3, 13, { final: true, note: "!X" }], // communication administratively prohibited
    [4, 3, 14, { final: true, note: "!V" }],
    [4, 3, 15, { final: true, note: "!C" }],
    [4, 3, 16, { final: true, note: "!<16>" }],
    [4, 5, 1, null], // redirect
    [4, 0, 0, null], // echo reply is not an error
    [6, 3, 0, { final: false, note: "" }], // hop limit exceeded in transit
    [6, 3, 1, null],
    [6, 1, 4, { final: true, note: "" }], // port unreachable
    [6, 1, 0, { final: true, note: "!N" }], // no route
    [6, 1, 1, { final: true, note: "!X" }], // administratively prohibited
    [6, 1, 3, { final: true, note: "!H" }], // address unreachable
    [6, 1, 2, { final: true, note: "!H" }], // beyond scope
    [6, 1, 6, { final: true, note: "!<6>" }],
    [6, 2, 0, { final: true, note: "!F" }], // packet too big
    [6, 4, 0, null], // parameter problem
  ];
  for (const [v, type, code, want] of rows) {
    it(`IPv${v} type ${type} code ${code}`, () => assert.deepEqual(icmpErrorMeaning(v, type, code), want));
  }
});

describe("renderHop (traceroute -n line format)", () => {
  it("prints the address once per run of equal answers, * for silence, notes after the time", () => {
    const line = renderHop({
      hop: 3,
      probes: [
        { from: "10.0.0.1", rttMs: 0.1234, note: "" },
        { from: null, rttMs: null, note: "" },
        { from: "10.0.0.1", rttMs: 12, note: "" },
        { from: "10.0.0.2", rttMs: 1.5, note: "!H" },
      ],
    });
    assert.equal(line, " 3  10.0.0.1  0.123 ms *  12.000 ms 10.0.0.2  1.500 ms !H");
    assert.equal(renderHop({ hop: 12, probes: [{ from: null, rttMs: null, note: "" }] }), "12  *");
  });
});
