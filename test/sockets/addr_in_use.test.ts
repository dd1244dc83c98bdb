/**
 * Issue 4 item 6: a server whose bind fails with EADDRINUSE names the owning process (pid and
 * command) and the command that frees the port. The holder is a Python child this test starts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeHolders } from "../../src/cli/addr_in_use.js";
import type { SocketRow } from "../../src/ports/socket_row.js";
import { runBin } from "../helpers/cli.js";
import { startPeer, waitFor } from "../helpers/peers.js";

const HOLDER = `
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen()
print(u.getsockname()[1], t.getsockname()[1], flush=True)
sys.stdin.read()  # hold both ports until the test closes our stdin
`;

describe("EADDRINUSE names who holds the port", () => {
  it("udp/tcp serve and nc -l: one line with the holder's pid and command, and the release command", async () => {
    const py = startPeer("python3", ["-c", HOLDER]);
    try {
      await waitFor(
        () => /\d+ \d+\n/.test(py.stdout()) || py.child.exitCode !== null,
        5000,
        "the holder's ports",
      );
      const [udp, tcp] = py.stdout().trim().split(" ").map(Number) as [number, number];
      const cases: [string[], number, "udp" | "tcp", RegExp][] = [
        [["udp", "serve", "--host", "127.0.0.1", "--port", String(udp)], udp, "udp", /bind 127\.0\.0\.1:/],
        [
          ["tcp", "serve", "--host", "127.0.0.1", "--port", String(tcp)],
          tcp,
          "tcp",
          /listen on 127\.0\.0\.1:|bind/,
        ],
        [["nc", "-l", "127.0.0.1", String(tcp)], tcp, "tcp", /listen on 127\.0\.0\.1:/],
        [["nc", "-u", "-l", "127.0.0.1", String(udp)], udp, "udp", /bind 127\.0\.0\.1:/],
        [["nc", "-l", "-e", "cat", "127.0.0.1", String(tcp)], tcp, "tcp", /127\.0\.0\.1:/],
      ];
      for (const [args, port, proto, where] of cases) {
        const r = await runBin(args);
        assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
        const lines = r.stderr.trimEnd().split("\n");
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0]!, /^netkit: ERR_ADDR_IN_USE: /);
        assert.match(lines[0]!, where);
        assert.ok(lines[0]!.includes(`:${port}: address already in use`), lines[0]);
        assert.ok(lines[0]!.includes(`held by pid ${py.child.pid} (python3)`), lines[0]);
        assert.ok(lines[0]!.endsWith(`free it with: netkit port release ${port}/${proto}`), lines[0]);
      }
    } finally {
      py.child.stdin.end();
      await Promise.race([py.exited, new Promise((r) => setTimeout(r, 2000))]);
      await py.kill();
    }
  });

  it("describeHolders: processes listed once each; TIME-WAIT only; unreadable owners", () => {
    const row = (state: SocketRow["state"], pids: number[], inode = 7): SocketRow => ({
      protocol: "tcp",
      family: "inet",
      type: "stream",
      state,
      localAddress: "127.0.0.1",
      localPort: 9,
      peerAddress: "0.0.0.0",
      peerPort: 0,
      recvQ: 0,
      sendQ: 0,
      uid: 0,
      inode,
      processes: pids.map((pid) => ({ pid, command: `cmd${pid}`, fd: 3 })),
      ownerUnknown: false,
    });
    assert.equal(
      describeHolders([row("LISTEN", [10, 11]), row("ESTAB", [10])], false, 9, "tcp"),
      "held by pid 10 (cmd10), pid 11 (cmd11); free it with: netkit port release 9/tcp",
    );
    assert.match(
      describeHolders([row("TIME-WAIT", [], 0)], false, 9, "tcp"),
      /held only by TIME-WAIT entries/,
    );
    assert.match(
      describeHolders([row("LISTEN", [])], true, 9, "tcp"),
      /cannot be read; see: netkit port who 9\/tcp/,
    );
    assert.match(describeHolders([], false, 9, "udp"), /no holder is visible/);
  });
});
