import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { connect, createServer, type Server } from "node:net";
import { describe, it } from "node:test";
import { listSockets } from "../../src/ports/list_sockets.js";
import { releasePort } from "../../src/ports/release.js";
import { BIN, runCli } from "../helpers/cli.js";
import { nobodyCannotRun } from "../helpers/nobody.js";
import { type Peer, startPeer } from "../helpers/py_peer.js";

const tcp = (port: number) => [{ port, transport: "tcp" as const }];

async function withPeers<T>(peers: Peer[], f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } finally {
    for (const p of peers) await p.stop();
  }
}

describe("port release on processes the test started", { timeout: 60_000 }, () => {
  it("SIGTERM is enough for a listener that exits on it: no SIGKILL", async () => {
    const l = await startPeer("listen");
    await withPeers([l], async () => {
      const r = await releasePort(tcp(l.port), { graceMs: 2000 });
      assert.equal(r.outcome, "free");
      assert.deepEqual(r.actions, [{ pid: l.pid, signal: "SIGTERM", result: "sent" }]);
      assert.equal(await l.exited, "SIGTERM");
      assert.equal(r.probe[`${l.port}/tcp`], "free");
    });
  });

  it("SIGKILL after the grace period for a listener that ignores SIGTERM", async () => {
    const l = await startPeer("listen-ignore-term");
    await withPeers([l], async () => {
      const t0 = Date.now();
      const r = await releasePort(tcp(l.port), { graceMs: 300 });
      assert.equal(r.outcome, "free");
      assert.deepEqual(
        r.actions.map((a) => a.signal),
        ["SIGTERM", "SIGKILL"],
      );
      assert.ok(Date.now() - t0 >= 300);
      assert.equal(await l.exited, "SIGKILL");
    });
  });

  it("never touches a client-only process unless --all", async () => {
    const l = await startPeer("listen");
    const c = await startPeer("client", l.port);
    await withPeers([l, c], async () => {
      const r = await releasePort(tcp(l.port), { graceMs: 2000 });
      assert.equal(r.outcome, "free");
      assert.deepEqual(
        r.actions.map((a) => a.pid),
        [l.pid],
      );
      await l.exited;
      assert.equal(c.alive(), true);
      // with --all, the client is a target too (dry run: nothing is signalled)
      const l2 = await startPeer("listen");
      const c2 = await startPeer("client", l2.port);
      await withPeers([l2, c2], async () => {
        const dry = await releasePort(tcp(l2.port), { all: true, dryRun: true });
        assert.equal(dry.outcome, "dry-run");
        assert.deepEqual(dry.plan.targets.map((t) => t.pid).sort(), [l2.pid, c2.pid].sort());
        assert.deepEqual(dry.actions, []);
        assert.equal(l2.alive() && c2.alive(), true);
      });
    });
  });

  it("explains a TIME-WAIT-only port instead of killing anything", async () => {
    // The server closes first, so the TIME-WAIT entry sits on the server's own port.
    const server: Server = createServer((s) => s.destroy());
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    const client = connect(port, "127.0.0.1");
    await once(client, "close");
    await new Promise<void>((r) => server.close(() => r()));
    // the server side passes FIN-WAIT-2 on its way to TIME-WAIT: poll for it (15 s only guards
    // against a hang; a loaded machine may take longer than the usual few ms)
    const deadline = Date.now() + 15_000;
    let rows = listSockets({ protocols: ["tcp"], filter: { sport: port } }).rows;
    while (!rows.every((r) => r.state === "TIME-WAIT") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      rows = listSockets({ protocols: ["tcp"], filter: { sport: port } }).rows;
    }
    assert.ok(rows.length > 0 && rows.every((r) => r.state === "TIME-WAIT" && r.inode === 0));
    const r = await releasePort(tcp(port));
    assert.equal(r.outcome, "time-wait-only");
    assert.deepEqual(r.actions, []);
    const cli = await runCli(["port", "release", `tcp:${port}`, "--yes"]);
    assert.equal(cli.code, 0);
    assert.match(cli.stdout, /TIME-WAIT/);
    assert.match(cli.stdout, /nothing to stop/);
  });

  it("refuses to signal itself", async () => {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    try {
      const r = await releasePort(tcp(port), { graceMs: 100 });
      assert.equal(r.outcome, "still-held");
      assert.deepEqual(r.actions, []);
      assert.deepEqual(
        r.plan.refused.map((t) => [t.pid, t.reason]),
        [[process.pid, "netkit's own process"]],
      );
    } finally {
      server.close();
    }
  });

  it("CLI: asks first, and 'no' cancels without a signal", async () => {
    const l = await startPeer("listen");
    await withPeers([l], async () => {
      const no = await runCli(["port", "release", `tcp:${l.port}`], "n\n");
      assert.equal(no.code, 1);
      assert.match(no.stderr, new RegExp(`Send SIGTERM to ${l.pid} \\(python3\\)\\? \\[y/N\\]`));
      assert.match(no.stdout, /Cancelled/);
      assert.equal(l.alive(), true);
      const dry = await runCli(["port", "release", `tcp:${l.port}`, "--dry-run"]);
      assert.equal(dry.code, 0);
      assert.match(dry.stdout, new RegExp(`${l.pid} python3: tcp LISTEN 127\\.0\\.0\\.1:${l.port}`));
      assert.equal(l.alive(), true);
      const yes = await runCli(["port", "release", `tcp:${l.port}`, "--json"], "y\n");
      assert.equal(yes.code, 0);
      const j = JSON.parse(yes.stdout);
      assert.equal(j.outcome, "free");
      assert.equal(j.actions[0].pid, l.pid);
      await l.exited;
    });
  });

  it("as an unprivileged user: the root-owned holder is reported unknown, nothing is signalled", async (t) => {
    const why = nobodyCannotRun();
    if (why !== null) {
      t.skip(why);
      return;
    }
    const l = await startPeer("listen");
    await withPeers([l], async () => {
      const child = spawn(process.execPath, [BIN, "port", "release", `tcp:${l.port}`, "--yes"], {
        uid: 65534,
        gid: 65534,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
      });
      const [code] = (await once(child, "exit")) as [number];
      assert.equal(code, 1);
      assert.match(out, /still held/);
      assert.match(out, /\?/);
      assert.equal(l.alive(), true);
    });
  });
});
