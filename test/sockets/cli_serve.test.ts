import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { tcpRequest, udpRequest } from "../../src/index.js";
import { runBin, runCli } from "../helpers/cli.js";
import {
  drainOrTimeout,
  feed,
  fixture,
  freePort,
  listeningPort,
  startNetkit,
  startPeer,
  waitFor,
} from "../helpers/peers.js";

describe("netkit udp|tcp|unix (CLI)", () => {
  it("udp serve: the notes' Python client gets the processed reply; SIGTERM prints stats as NDJSON", async () => {
    const srv = startNetkit([
      "udp",
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--handler",
      "upper",
      "--buffer",
      "1024",
      "--json",
    ]);
    try {
      await waitFor(() => srv.stdout().includes("\n"), 5000, "listening event");
      const listening = JSON.parse(srv.stdout().split("\n")[0]!);
      assert.equal(listening.event, "listening");
      const py = startPeer("python3", [fixture("notes/udp_client.py"), String(listening.port)]);
      assert.equal(await py.exited, 0, py.stderr());
      assert.equal(py.stdout(), "Received response: HELLO, SERVER!\n");
      const big = await udpRequest({
        host: "127.0.0.1",
        port: listening.port,
        message: Buffer.alloc(1500, 0x41),
      });
      assert.equal(big.data.length, 1024);
      srv.child.kill("SIGTERM");
      assert.equal(await srv.exited, 0);
      const events = srv
        .stdout()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        events.map((e) => e.event),
        ["listening", "datagram", "truncated", "datagram", "stats"],
      );
      const stats = events.at(-1);
      assert.equal(stats.datagrams, 2);
      assert.equal(stats.truncated, 1);
      assert.match(srv.stderr(), /warning: datagram of 1500 bytes .* truncated to --buffer 1024/);
    } finally {
      await srv.kill();
    }
  });

  it("udp send: against the notes' Python server; refused and timeout exit 1 with one line", async () => {
    const py = startPeer("python3", [fixture("notes/udp_server.py"), "0"]);
    try {
      await waitFor(() => py.stdout().includes("\n"), 5000, "python port");
      const port = py.stdout().trim();
      const r = await runBin(["udp", "send", "127.0.0.1", port, "Hello, server!"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "HELLO, SERVER!");
    } finally {
      await py.kill();
    }
    const closed = await freePort("udp");
    const refused = await runBin(["udp", "send", "127.0.0.1", String(closed), "x"]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, "");
    assert.match(refused.stderr, /^netkit: ERR_CONN_REFUSED: .*\n$/);
  });

  it("udp send --retries resends on timeout (a silent peer) and fails with ERR_SOCKET_TIMEOUT", async () => {
    const dgram = await import("node:dgram");
    const silent = dgram.createSocket("udp4");
    let got = 0;
    silent.on("message", () => got++);
    await new Promise<void>((r) => silent.bind(0, "127.0.0.1", () => r()));
    try {
      const r = await runCli([
        "udp",
        "send",
        "127.0.0.1",
        String(silent.address().port),
        "x",
        "--timeout",
        "0.1",
        "--retries",
        "2",
      ]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /ERR_SOCKET_TIMEOUT/);
      assert.equal(got, 3);
    } finally {
      silent.close();
    }
  });

  it("tcp serve --exec without --host listens on loopback only and says so; one connection by default", async () => {
    const srv = startNetkit(["tcp", "serve", "--port", "0", "--exec", "tr a-z A-Z"]);
    try {
      const port = await listeningPort(srv);
      assert.match(srv.stderr(), /loopback only \(127\.0\.0\.1\)/);
      assert.match(srv.stderr(), /listening on 127\.0\.0\.1:/);
      const r = await tcpRequest({ host: "127.0.0.1", port, message: "hello", timeout: 5000 });
      assert.equal(r.toString(), "HELLO");
      assert.equal(await srv.exited, 0); // without -k: served one connection, then stopped
      assert.match(srv.stderr(), /stopped: connections=1 /);
    } finally {
      await srv.kill();
    }
  });

  it("udp serve --exec: one child per peer, with NETKIT_* in its environment", async () => {
    const srv = startNetkit([
      "udp",
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--sh-exec",
      'while read l; do echo "$NETKIT_PROTO $NETKIT_REMOTE_PORT $l"; done',
    ]);
    try {
      const port = await listeningPort(srv);
      const a = await udpRequest({ host: "127.0.0.1", port, message: "one\n", timeout: 3000 });
      const [proto, rport, word] = a.data.toString().trim().split(" ");
      assert.deepEqual([proto, Number(rport), word], ["udp", a.local.port, "one"]);
    } finally {
      srv.child.kill("SIGTERM");
      assert.equal(await srv.exited, 0);
    }
  });

  it("tcp send and tcp connect: half-close, the reply after our EOF", async () => {
    const srv = startNetkit([
      "tcp",
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "-k",
      "--sh-exec",
      "cat >/dev/null; echo got-eof",
    ]);
    try {
      const port = String(await listeningPort(srv));
      const s = await runBin(["tcp", "send", "127.0.0.1", port, "data"]);
      assert.equal(s.code, 0, s.stderr);
      assert.equal(s.stdout, "got-eof\n");
      const c = await runBin(["tcp", "connect", "127.0.0.1", port], "line1\nline2\n");
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.stdout, "got-eof\n");
    } finally {
      srv.child.kill("SIGTERM");
      assert.equal(await srv.exited, 0);
    }
  });

  it("unix stream serve/send; flag mistakes exit 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netkit-cli-unix-"));
    const path = join(dir, "u.sock");
    const srv = startNetkit(["unix", "serve", path, "--handler", "reverse", "-k"]);
    try {
      await waitFor(() => /listening on/.test(srv.stderr()), 5000, "unix listening");
      const r = await runBin(["unix", "send", path, "abc\n"]);
      assert.equal(r.stdout, "cba\n");
      const dg = await runCli(["unix", "send", path, "x", "--dgram"]); // a stream socket is there
      assert.equal(dg.code, 1);
      assert.equal(dg.stderr.trim().split("\n").length, 1);
    } finally {
      srv.child.kill("SIGTERM");
      assert.equal(await srv.exited, 0);
      rmSync(dir, { recursive: true, force: true });
    }
    for (const args of [
      ["tcp", "serve", "--buffer", "10"],
      ["udp", "serve", "--allow", "10.0.0.0/33"],
      ["udp", "serve", "--handler", "shout"],
      ["udp", "serve", "--exec", "cat", "--sh-exec", "cat"],
      ["unix", "serve", "/tmp/x.sock", "--port", "1"],
      ["udp", "send", "127.0.0.1", "70000", "x"],
      ["udp"],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    }
  });

  it("unix --dgram: serve with truncation, send, and the SIGINT statistics", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netkit-cli-udg-"));
    const path = join(dir, "d.sock");
    const srv = startNetkit([
      "unix",
      "serve",
      path,
      "--dgram",
      "--handler",
      "upper",
      "--buffer",
      "8",
      "--json",
    ]);
    try {
      await waitFor(() => srv.stdout().includes("\n"), 5000, "listening event");
      assert.equal(JSON.parse(srv.stdout().split("\n")[0]!).path, path);
      const r = await runBin(["unix", "send", path, "Hello, server!", "--dgram"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "HELLO, S");
      const nc = await runBin(["nc", "-U", "-u", "-q", "0.3", path], "abc");
      assert.equal(nc.stdout, "ABC");
      srv.child.kill("SIGINT");
      assert.equal(await srv.exited, 0);
      const stats = JSON.parse(srv.stdout().trim().split("\n").at(-1)!);
      assert.equal(stats.event, "stats");
      assert.equal(stats.truncated, 1);
      assert.equal(stats.datagrams, 2);
      const gone = await runBin(["unix", "send", path, "x", "--dgram"]);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /ERR_CONN_REFUSED/);
    } finally {
      await srv.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("memory stays bounded through --exec cat while the client does not read", async () => {
    const { readFileSync } = await import("node:fs");
    const net = await import("node:net");
    const rss = (pid: number) =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
    const srv = startNetkit(["tcp", "serve", "--host", "127.0.0.1", "--port", "0", "--exec", "cat"]);
    try {
      const port = await listeningPort(srv);
      const s = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
      await new Promise((r) => s.once("connect", r));
      s.pause();
      const before = rss(srv.child.pid!);
      const chunk = Buffer.alloc(256 * 1024, 1);
      let offered = 0;
      const until = Date.now() + 1000;
      while (Date.now() < until && offered < 96 * 1024 * 1024) {
        offered += chunk.length;
        if (!s.write(chunk)) await drainOrTimeout(s, 50);
      }
      const grown = rss(srv.child.pid!) - before;
      assert.ok(grown < 32 * 1024 * 1024, `server RSS grew by ${(grown / 1048576).toFixed(1)} MiB`);
      // Then read everything: all of it comes back.
      let got = 0;
      s.on("data", (d: Buffer) => {
        got += d.length;
      });
      s.resume();
      s.end();
      await new Promise((r) => s.once("end", r));
      assert.equal(got, offered);
      assert.equal(await srv.exited, 0);
    } finally {
      await srv.kill();
    }
  });

  it("ERR_ADDR_IN_USE names host:port", async () => {
    const srv = startNetkit(["tcp", "serve", "--host", "127.0.0.1", "--port", "0", "-k"]);
    try {
      const port = await listeningPort(srv);
      const r = await runBin(["tcp", "serve", "--host", "127.0.0.1", "--port", String(port)]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`ERR_ADDR_IN_USE: .*127\\.0\\.0\\.1:${port}`));
    } finally {
      srv.child.kill("SIGINT");
      assert.equal(await srv.exited, 0);
      assert.match(srv.stderr(), /stopped: /);
    }
  });

  it("a module file handler (--handler ./file.mjs)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netkit-h-"));
    const { writeFileSync } = await import("node:fs");
    const file = join(dir, "h.mjs");
    writeFileSync(file, "export default (data) => '[' + data.toString() + ']';\n");
    const srv = startNetkit(["udp", "serve", "--host", "127.0.0.1", "--port", "0", "--handler", file]);
    try {
      const port = await listeningPort(srv);
      const r = await udpRequest({ host: "127.0.0.1", port, message: "x", timeout: 3000 });
      assert.equal(r.data.toString(), "[x]");
    } finally {
      feed(srv, "");
      srv.child.kill("SIGTERM");
      await srv.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
