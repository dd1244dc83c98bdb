import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatBitsPerSecond, formatBytes, parseRate, parseSize } from "../../src/bench/units.js";
import { UsageError } from "../../src/errors.js";

describe("iperf3 units", () => {
  it("formats transfers in binary bytes like iperf3 (values seen in iperf3 3.12 output)", () => {
    assert.equal(formatBytes(131072), "128 KBytes");
    assert.equal(formatBytes(262144), "256 KBytes");
    assert.equal(formatBytes(1277952), "1.22 MBytes");
    assert.equal(formatBytes(500), "500 Bytes");
    assert.equal(formatBytes(10 * 1024 ** 3), "10.0 GBytes");
  });

  it("formats rates in decimal bits like iperf3", () => {
    assert.equal(formatBitsPerSecond(1048576), "1.05 Mbits/sec");
    assert.equal(formatBitsPerSecond(2097152), "2.10 Mbits/sec");
    assert.equal(formatBitsPerSecond(10222327.9), "10.2 Mbits/sec");
    assert.equal(formatBitsPerSecond(21.7e9), "21.7 Gbits/sec");
    assert.equal(formatBitsPerSecond(0), "0.00 bits/sec");
  });

  it("parses -b with decimal and -n/-l with binary suffixes", () => {
    assert.equal(parseRate("10M"), 10_000_000);
    assert.equal(parseRate("1.5G"), 1_500_000_000);
    assert.equal(parseRate("0"), 0);
    assert.equal(parseRate("100k"), 100_000);
    assert.equal(parseSize("4M"), 4 * 1024 * 1024);
    assert.equal(parseSize("64"), 64);
    assert.equal(parseSize("128K"), 131072);
  });

  it("rejects junk as a usage error", () => {
    for (const bad of ["", "M", "-1", "10X", "1e6", " 10", "0.5"]) {
      assert.throws(() => parseSize(bad), UsageError, bad);
    }
    assert.throws(() => parseRate("fast"), UsageError);
  });
});
