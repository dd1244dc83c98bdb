import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runBin, runCli } from "../helpers/cli.js";

describe("netkit ip (CLI)", () => {
  it("shows the notes' example with the AND working and a split binary view", async () => {
    const r = await runCli(["ip", "192.168.1.100", "255.255.255.0"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Network:\s+192\.168\.1\.0\/24/);
    assert.match(r.stdout, /Broadcast:\s+192\.168\.1\.255/);
    assert.match(r.stdout, /address AND netmask/);
    assert.match(r.stdout, /11000000\.10101000\.00000001\.\|01100100/);
  });

  it("prints one JSON object with the documented fields", async () => {
    const r = await runCli(["ip", "--json", "2001:0db8:85a3::8a2e:0370:7334/64"]);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.stdout);
    assert.equal(j.network, "2001:db8:85a3::/64");
    assert.equal(j.broadcastAddress, null);
    assert.equal(j.addressCount, "18446744073709551616");
    assert.equal(j.class, null);
  });

  it("streams a batch, reports bad lines as records, exits 1 at the end", async () => {
    const r = await runCli(["ip", "--json", "-"], "10.0.0.1/8\nbad\r\n::1\n");
    assert.equal(r.code, 1);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    assert.equal(lines[0].network, "10.0.0.0/8");
    assert.deepEqual(Object.keys(lines[1]), ["input", "error"]);
    assert.equal(lines[1].input, "bad");
    assert.equal(lines[1].error.code, "ERR_ADDR_SYNTAX");
    assert.equal(lines[2].address, "::1");
  });

  it("exit codes: 1 for invalid input with one stderr line, 2 for usage errors", async () => {
    const bad = await runBin(["ip", "010.0.0.1"]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, "");
    assert.equal(bad.stderr.trim().split("\n").length, 1);
    assert.match(bad.stderr, /ERR_ADDR_SYNTAX.*"010\.0\.0\.1".*leading zero/);
    const usage = await runBin(["ip", "--nope"]);
    assert.equal(usage.code, 2);
    const none = await runBin(["frobnicate"]);
    assert.equal(none.code, 2);
  });

  it("--help has examples and --version prints the version", async () => {
    const h = await runCli(["ip", "--help"]);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Examples:/);
    const v = await runBin(["--version"]);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^netkit \d+\.\d+\.\d+\n$/);
  });
});
