/**
 * `-e`/`--exec` with a program that cannot run fails at start: one line, exit 1, before anything
 * listens or connects (ncat accepts the connection first, then fails).
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { findProgram } from "../../src/sockets/exec_program.js";
import { runBin } from "../helpers/cli.js";
import { freePort } from "../helpers/peers.js";

describe("--exec with a program that cannot run", { timeout: 60_000 }, () => {
  it("findProgram: PATH lookup like execvp; missing, directory, not executable", () => {
    const dir = mkdtempSync(join(tmpdir(), "nk-exec-"));
    try {
      const tool = join(dir, "tool");
      writeFileSync(tool, "#!/bin/sh\n");
      chmodSync(tool, 0o755);
      const plain = join(dir, "plain");
      writeFileSync(plain, "data");
      chmodSync(plain, 0o644);
      assert.equal(findProgram("tool", `/nonexistent:${dir}`), tool);
      assert.equal(findProgram(tool, ""), tool);
      assert.throws(() => findProgram("nk-no-such-program", dir), {
        code: "ERR_HANDLER",
        message: "cannot run nk-no-such-program: not found in PATH",
      });
      assert.throws(() => findProgram(dir, ""), {
        code: "ERR_HANDLER",
        message: `cannot run ${dir}: is a directory`,
      });
      // root may read anything, but X_OK still needs an execute bit
      assert.throws(() => findProgram(plain, ""), {
        code: "ERR_HANDLER",
        message: `cannot run ${plain}: not executable (permission denied)`,
      });
      assert.throws(() => findProgram("plain", dir), {
        code: "ERR_HANDLER",
        message: /plain is not executable/,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("nc -l -e, nc -e (client), tcp/udp/unix serve --exec: one line, exit 1, nothing opened", async () => {
    const port = await freePort("tcp");
    // A listener the client must not reach: a connection attempt would show here.
    let accepted = 0;
    const guard = net.createServer((s) => {
      accepted++;
      s.destroy();
    });
    await new Promise<void>((r) => guard.listen(0, "127.0.0.1", () => r()));
    const guardPort = (guard.address() as net.AddressInfo).port;
    try {
      for (const args of [
        ["nc", "-l", "127.0.0.1", String(port), "-e", "nk-no-such-program"],
        ["nc", "-l", "127.0.0.1", String(port), "-e", "/etc/passwd"],
        ["nc", "-u", "-l", "127.0.0.1", String(port), "-e", "nk-no-such-program"],
        ["nc", "127.0.0.1", String(guardPort), "-e", "nk-no-such-program"],
        ["tcp", "serve", "--port", String(port), "--exec", "nk-no-such-program arg"],
        ["udp", "serve", "--port", String(port), "-e", "nk-no-such-program"],
        ["unix", "serve", join(tmpdir(), `nk-exec-${process.pid}.sock`), "--exec", "nk-no-such-program"],
      ]) {
        const r = await runBin(args);
        assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
        assert.equal(r.stdout, "");
        const lines = r.stderr.trimEnd().split("\n");
        assert.equal(lines.length, 1, r.stderr);
        assert.match(
          lines[0]!,
          /^netkit: ERR_HANDLER: cannot run (nk-no-such-program: not found in PATH|\/etc\/passwd: not executable)/,
        );
      }
      assert.equal(accepted, 0, "the client never connected");
      // and the port was never bound: it is still free to take
      await new Promise<void>((res, rej) => {
        const s = net.createServer();
        s.once("error", rej);
        s.listen(port, "127.0.0.1", () => s.close(() => res()));
      });
    } finally {
      guard.close();
    }
  });
});
