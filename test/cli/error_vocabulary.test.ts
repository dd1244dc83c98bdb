/**
 * One error vocabulary (issue 12, item 6): the same condition has the same code in every command.
 * A refused TCP connection is ERR_CONN_REFUSED in nc, tcp connect/send and bench client/latency
 * (bench said ERR_IO); a refused UDP exchange is ERR_CONN_REFUSED in nc -u and udp send.
 * (An unresolvable host: test/cli/hosts.test.ts; usage errors: test/cli/usage_errors.test.ts.)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";
import { freePort } from "../helpers/peers.js";

describe("a refused connection is ERR_CONN_REFUSED in every command", () => {
  it("TCP: nc, tcp connect, tcp send, bench client, bench latency", async () => {
    const port = String(await freePort("tcp")); // ours a moment ago, closed now
    for (const args of [
      ["nc", "127.0.0.1", port],
      ["tcp", "connect", "127.0.0.1", port],
      ["tcp", "send", "127.0.0.1", port, "x"],
      ["bench", "client", "127.0.0.1", "-p", port, "-t", "1", "--json"],
      ["bench", "latency", "127.0.0.1", port, "-c", "1"],
    ]) {
      const r = await runCli(args, "x");
      assert.equal(r.code, 1, args.join(" "));
      assert.equal(
        r.stderr,
        `netkit: ERR_CONN_REFUSED: connect to 127.0.0.1:${port}: connection refused (ECONNREFUSED)\n`,
        args.join(" "),
      );
    }
  });

  it("UDP: nc -u and udp send", async () => {
    const port = String(await freePort("udp"));
    for (const args of [
      ["nc", "-u", "127.0.0.1", port],
      ["udp", "send", "127.0.0.1", port, "x"],
    ]) {
      const r = await runCli(args, "x\n");
      assert.equal(r.code, 1, args.join(" "));
      assert.equal(
        r.stderr,
        `netkit: ERR_CONN_REFUSED: udp 127.0.0.1:${port}: connection refused (ECONNREFUSED)\n`,
        args.join(" "),
      );
    }
  });
});
