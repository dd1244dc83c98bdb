import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  COOKIE_SIZE,
  cookieText,
  decodeParams,
  decodeResults,
  decodeUdpHeader,
  encodeParams,
  encodeResults,
  encodeUdpHeader,
  frameJson,
  isUdpConnectReply,
  makeCookie,
  UDP_CONNECT_MSG,
  UDP_CONNECT_REPLY,
} from "../../src/bench/iperf_protocol.js";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/bench/${name}`, import.meta.url), "utf8"));

describe("iperf3 wire protocol", () => {
  it("cookies are 36 characters of iperf3's alphabet plus NUL", () => {
    const c = makeCookie((n) => Uint8Array.from({ length: n }, (_, i) => i * 7));
    assert.equal(c.length, COOKIE_SIZE);
    assert.equal(c[36], 0);
    assert.match(cookieText(c), /^[a-z2-7]{36}$/);
  });

  it("frames JSON with a 4-byte big-endian length", () => {
    const b = frameJson({ a: 1 });
    assert.equal(b.readUInt32BE(0), b.length - 4);
    assert.deepEqual(JSON.parse(b.subarray(4).toString()), { a: 1 });
  });

  it("reads the parameters iperf3 3.12 sent (captured)", () => {
    const p = decodeParams(fixture("iperf3_3.12_params_udp_P2.json"));
    assert.equal(p.protocol, "udp");
    assert.equal(p.parallel, 2);
    assert.equal(p.len, 32768);
    assert.equal(p.bandwidth, 1_000_000);
    assert.equal(p.time, 1);
    assert.equal(p.getServerOutput, true);
    assert.equal(p.clientVersion, "3.12");
    assert.equal(p.reverse, false);
  });

  it("parameters round-trip through iperf3's field names", () => {
    const p = decodeParams(fixture("iperf3_3.12_params_udp_P2.json"));
    const again = decodeParams(encodeParams(p));
    assert.deepEqual(again, p);
    const t = encodeParams({ ...p, protocol: "tcp", reverse: true, bandwidth: 0 });
    assert.equal(t.tcp, true);
    assert.equal(t.udp, undefined);
    assert.equal(t.reverse, true);
    assert.equal(t.bandwidth, undefined);
  });

  it("reads iperf3's results, turning 2^64−1 retransmits into -1", () => {
    const r = decodeResults(fixture("iperf3_3.12_client_results_udp_P2.json"));
    assert.deepEqual(
      r.streams.map((s) => [s.id, s.bytes, s.packets, s.retransmits]),
      [
        [1, 131072, 4, -1],
        [3, 131072, 4, -1],
      ],
    );
    assert.equal(r.senderHasRetransmits, 0);
    const back = decodeResults(JSON.parse(JSON.stringify(encodeResults(r))));
    assert.deepEqual(back, r);
  });

  it("rejects results without streams", () => {
    assert.throws(() => decodeResults({ cpu_util_total: 1 }), TypeError);
  });

  it("UDP header: seconds, microseconds, sequence, network order, 32 and 64 bits", () => {
    const b = encodeUdpHeader(Buffer.alloc(16), { sec: 0x01020304, usec: 999_999, seq: 7 }, false);
    assert.deepEqual([...b.subarray(0, 12)], [1, 2, 3, 4, 0, 0x0f, 0x42, 0x3f, 0, 0, 0, 7]);
    assert.deepEqual(decodeUdpHeader(b, false), { sec: 0x01020304, usec: 999_999, seq: 7 });
    const big = 2 ** 40 + 5;
    const b64 = encodeUdpHeader(Buffer.alloc(16), { sec: 1, usec: 2, seq: big }, true);
    assert.deepEqual([...b64.subarray(8, 16)], [0, 0, 1, 0, 0, 0, 0, 5]);
    assert.equal(decodeUdpHeader(b64, true)?.seq, big);
    assert.equal(decodeUdpHeader(Buffer.alloc(11), false), null);
  });

  it("UDP connect message and reply are the bytes iperf3 3.12 puts on the wire (strace)", () => {
    assert.equal(UDP_CONNECT_MSG.toString("latin1"), "9876");
    assert.equal(UDP_CONNECT_REPLY.toString("latin1"), "6789");
    assert.ok(isUdpConnectReply(Buffer.from("6789")));
    const legacy = Buffer.alloc(4);
    legacy.writeUInt32LE(987654321, 0);
    assert.ok(isUdpConnectReply(legacy));
    assert.ok(!isUdpConnectReply(Buffer.from("abcd")));
  });
});
