/**
 * A relay whose TARGET is itself would flood itself without end: refused before binding (exit 2,
 * one line). The pure check first, then the command.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { relayLoop } from "../../src/impair/relay_loop.js";
import { runBin } from "../helpers/cli.js";
import { freePort } from "../helpers/peers.js";

const local = ["127.0.0.1", "::1", "10.0.0.5", "fe80::1%eth0"];

describe("impair: a relay to itself", { timeout: 60_000 }, () => {
  it("relayLoop: same socket address, or a wildcard listener and a local target, on the same port", () => {
    const loops: [string, string[]][] = [
      ["127.0.0.1", ["127.0.0.1"]],
      ["0.0.0.0", ["127.0.0.1"]],
      ["0.0.0.0", ["127.0.0.2"]], // all of 127/8 is this host
      ["0.0.0.0", ["10.0.0.5"]],
      ["::", ["127.0.0.1"]], // dual-stack
      ["::", ["::1"]],
      ["::1", ["::1"]],
      ["127.0.0.1", ["::ffff:127.0.0.1"]],
      ["127.0.0.1", ["0.0.0.0"]], // sending to 0.0.0.0 reaches this host
      ["127.0.0.1", ["192.0.2.1", "127.0.0.1"]], // any of a name's addresses
    ];
    for (const [host, targets] of loops)
      assert.ok(relayLoop({ host, port: 7000 }, targets, 7000, local), `${host} → ${targets}`);
    const fine: [string, string[], number][] = [
      ["127.0.0.1", ["127.0.0.1"], 7001], // another port
      ["127.0.0.1", ["127.0.0.2"], 7000], // listening on .1 only
      ["0.0.0.0", ["192.0.2.1"], 7000], // not this host
      ["0.0.0.0", ["::1"], 7000], // an IPv4 wildcard does not receive IPv6
    ];
    for (const [host, targets, port] of fine)
      assert.equal(relayLoop({ host, port: 7000 }, targets, port, local), undefined, `${host} → ${targets}`);
    assert.equal(relayLoop({ host: "127.0.0.1", port: 0 }, ["127.0.0.1"], 0, local), undefined);
  });

  it("netkit impair udp|tcp refuses it: exit 2, one line, nothing bound", async () => {
    const port = await freePort("udp");
    for (const args of [
      ["udp", `127.0.0.1:${port}`, `127.0.0.1:${port}`],
      ["udp", `0.0.0.0:${port}`, `127.0.0.1:${port}`],
      ["udp", String(port), String(port)],
      ["udp", `127.0.0.1:${port}`, `localhost:${port}`],
      ["tcp", `[::]:${port}`, `127.0.0.1:${port}`],
    ]) {
      const r = await runBin(["impair", ...args, "-t", "5"]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /TARGET is the relay itself .* it would relay to itself/);
    }
  });
});
