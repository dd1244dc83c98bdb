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

  it("reports lines over 4096 characters as error records without echoing them (any chunking)", async () => {
    const zone70k = `fe80::1%${"z".repeat(70_000)}`; // spans pipe chunks (64 KiB)
    const long4097 = `::${"1".repeat(4095)}`; // one character over, inside a chunk
    const exact = `fe80::1%${"y".repeat(4096 - 8)}`; // at the limit: parsed (and refused as a zone)
    const input = `${zone70k}\n10.0.0.1\n${long4097}\r\n${exact}\n::1\n${"9".repeat(5000)}`;
    const r = await runBin(["ip", "--json", "-"], input);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "netkit: 4 input lines failed\n");
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 6);
    const tooLong = (i: number, head: string, length: number) => {
      assert.deepEqual(Object.keys(lines[i]), ["input", "error"]);
      assert.deepEqual(lines[i].error, {
        code: "ERR_INPUT_TOO_LONG",
        message: `Cannot parse address ${JSON.stringify(`${head}…`)}: line ${i + 1} is ${length} characters long; the limit is 4096 (at 4096)`,
        input: `${head}…`,
        reason: `line ${i + 1} is ${length} characters long; the limit is 4096`,
        at: 4096,
      });
      assert.equal(lines[i].input, `${head}…`);
    };
    tooLong(0, zone70k.slice(0, 32), zone70k.length);
    assert.equal(lines[1].address, "10.0.0.1");
    tooLong(2, long4097.slice(0, 32), 4097);
    assert.equal(lines[3].error.code, "ERR_ZONE");
    assert.equal(lines[3].error.reason, "zone is longer than 15 characters");
    assert.equal(lines[4].address, "::1");
    tooLong(5, "9".repeat(32), 5000);
    // Text mode: one "error" line per bad input, never the whole line.
    const t = await runBin(["ip", "-"], `${zone70k}\n::1\n`);
    assert.equal(t.code, 1);
    const [first, second] = t.stdout.split("\n");
    assert.match(first!, /^error\tERR_INPUT_TOO_LONG: .*line 1 is 70008 characters long/);
    assert.ok(first!.length < 200, `${first!.length} characters`);
    assert.match(second!, /^::1\t/);
  });

  it("refuses an over-long argument and a zone over 15 characters (non-batch)", async () => {
    const huge = await runBin(["ip", `fe80::1%${"z".repeat(70_000)}`]);
    assert.equal(huge.code, 1);
    assert.equal(huge.stdout, "");
    assert.match(
      huge.stderr,
      /^netkit: ERR_INPUT_TOO_LONG: .*the argument is 70008 characters long; the limit is 4096/,
    );
    assert.ok(huge.stderr.length < 300, `${huge.stderr.length} characters on stderr`);
    const zone = await runBin(["ip", "--json", "fe80::1%abcdefghijklmnop/64"]);
    assert.equal(zone.code, 1);
    assert.match(zone.stderr, /ERR_ZONE: .*zone is longer than 15 characters \(at 23\)/);
    const ok = await runBin(["ip", "--json", "fe80::1%abcdefghijklmno/64"]);
    assert.equal(ok.code, 0);
    assert.equal(JSON.parse(ok.stdout).zone, "abcdefghijklmno");
    const col = await runBin(["ip", "collapse", "-"], `10.0.0.0/25\n${"1".repeat(5000)}\n`);
    assert.equal(col.code, 1);
    assert.match(
      col.stderr,
      /^netkit: ERR_INPUT_TOO_LONG: line 2 is 5000 characters long; the limit is 4096\n$/,
    );
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
