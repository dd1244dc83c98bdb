/**
 * ICMP parsing on packets captured on this machine (test/fixtures/icmp), including other
 * processes' replies, ICMP errors quoting our requests, and malformed input.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { buildEchoRequest, internetChecksum, parseIcmp } from "../../src/diag/icmp_packet.js";

const OUR_ID = 0x4e4b;

function fixture(name: string): Uint8Array {
  const hex = readFileSync(
    new URL(`../../../test/fixtures/icmp/${name}.hex`, import.meta.url),
    "utf8",
  ).trim();
  return new Uint8Array(Buffer.from(hex, "hex"));
}

describe("parseIcmp on captured packets", () => {
  it("our IPv4 echo reply (raw socket, with IP header)", () => {
    const p = parseIcmp(fixture("v4-echo-reply"), 4, true);
    assert.equal(p.kind, "echo-reply");
    if (p.kind !== "echo-reply") return;
    assert.deepEqual([p.id, p.seq, p.ttl, p.icmpLength, p.checksumOk], [OUR_ID, 1, 63, 64, true]);
    assert.deepEqual([...p.ipSource!], [10, 201, 2, 2]);
  });

  it("another process's echo reply carries another id (so ping ignores it)", () => {
    const p = parseIcmp(fixture("v4-foreign-echo-reply"), 4, true);
    assert.equal(p.kind, "echo-reply");
    if (p.kind !== "echo-reply") return;
    assert.notEqual(p.id, OUR_ID);
    assert.equal(p.checksumOk, true);
  });

  it("time exceeded from the router quotes our request", () => {
    const p = parseIcmp(fixture("v4-time-exceeded"), 4, true);
    assert.equal(p.kind, "error");
    if (p.kind !== "error") return;
    assert.deepEqual([p.type, p.code, p.message], [11, 0, "Time to live exceeded"]);
    assert.deepEqual(p.quoted, { id: OUR_ID, seq: 2 });
    assert.deepEqual([...p.ipSource!], [10, 201, 1, 1]);
  });

  it("host unreachable for a host that is down", () => {
    const p = parseIcmp(fixture("v4-host-unreachable"), 4, true);
    assert.equal(p.kind, "error");
    if (p.kind !== "error") return;
    assert.deepEqual([p.type, p.code, p.message], [3, 1, "Destination Host Unreachable"]);
    assert.deepEqual(p.quoted, { id: OUR_ID, seq: 3 });
  });

  it("IPv6: echo reply, hop limit exceeded, address unreachable", () => {
    const r = parseIcmp(fixture("v6-echo-reply"), 6, false);
    assert.equal(r.kind, "echo-reply");
    if (r.kind === "echo-reply") assert.deepEqual([r.id, r.seq, r.ttl, r.icmpLength], [OUR_ID, 1, null, 64]);
    const te = parseIcmp(fixture("v6-time-exceeded"), 6, false);
    assert.equal(te.kind, "error");
    if (te.kind === "error") {
      assert.equal(te.message, "Time exceeded: Hop limit");
      assert.deepEqual(te.quoted, { id: OUR_ID, seq: 2 });
    }
    const un = parseIcmp(fixture("v6-address-unreachable"), 6, false);
    assert.equal(un.kind, "error");
    if (un.kind === "error") {
      assert.equal(un.message, "Destination unreachable: Address unreachable");
      assert.deepEqual(un.quoted, { id: OUR_ID, seq: 3 });
    }
  });

  it("a corrupted reply fails its checksum", () => {
    const b = fixture("v4-echo-reply");
    b[b.byteLength - 1] ^= 0xff;
    const p = parseIcmp(b, 4, true);
    assert.equal(p.kind === "echo-reply" && p.checksumOk, false);
  });

  it("truncated and foreign bytes are malformed, never thrown", () => {
    const reply = fixture("v4-echo-reply");
    assert.equal(parseIcmp(reply.subarray(0, 10), 4, true).kind, "malformed");
    assert.equal(parseIcmp(reply.subarray(0, 24), 4, true).kind, "malformed"); // IP header + 4 bytes
    const v6hdr = reply.slice();
    v6hdr[0] = 0x65;
    assert.equal(parseIcmp(v6hdr, 4, true).kind, "malformed");
    const udp = reply.slice();
    udp[9] = 17;
    assert.equal(parseIcmp(udp, 4, true).kind, "malformed");
    // An error whose quote is cut short has no quoted request: it cannot be matched to a probe.
    const te = fixture("v4-time-exceeded");
    const cut = parseIcmp(te.subarray(0, 20 + 8 + 20), 4, true);
    assert.equal(cut.kind === "error" && cut.quoted, null);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (b, v4) => {
        const p = parseIcmp(b, v4 ? 4 : 6, v4);
        assert.ok(["echo-reply", "error", "echo-request", "other", "malformed"].includes(p.kind));
      }),
    );
  });
});

describe("buildEchoRequest", () => {
  it("round-trips through parseIcmp with a valid checksum", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.nat(300),
        (id, seq, n) => {
          const req = buildEchoRequest(4, id, seq, n);
          assert.equal(internetChecksum(req), 0);
          assert.deepEqual(parseIcmp(req, 4, false), { kind: "echo-request", id, seq });
          assert.deepEqual(parseIcmp(buildEchoRequest(6, id, seq, n), 6, false), {
            kind: "echo-request",
            id,
            seq,
          });
        },
      ),
    );
  });
  it("matches the request iputils' peer answered (the captured reply echoes our data)", () => {
    const reply = fixture("v4-echo-reply").subarray(20);
    const req = buildEchoRequest(4, OUR_ID, 1, 56);
    assert.deepEqual(reply.subarray(8), req.subarray(8));
  });
});
