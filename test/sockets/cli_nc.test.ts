import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CrlfConverter, hexLines } from "../../src/cli/hexdump.js";
import { runBin, runCli } from "../helpers/cli.js";
import {
  feed,
  freePort,
  have,
  listeningPort,
  type Peer,
  startNetkit,
  startPeer,
  waitFor,
} from "../helpers/peers.js";

const HAVE_NC = have("nc", ["-h"]);
const HAVE_SOCAT = have("socat", ["-V"]);

/**
 * Start `netkit nc -l -v 127.0.0.1 0 …` with this stdin (default: at EOF at once, as from a
 * script) and return it with its port. The listener ends when both directions are done.
 */
async function listener(extra: string[], stdin: string | Buffer = ""): Promise<{ p: Peer; port: number }> {
  const p = startNetkit(["nc", "-l", "-v", ...extra, "127.0.0.1", "0"]);
  feed(p, stdin);
  return { p, port: await listeningPort(p) };
}

function stdoutBytes(p: Peer): Buffer {
  return Buffer.from(p.stdout(), "latin1");
}

describe("netkit nc (CLI)", () => {
  it("OpenBSD nc → netkit nc -l, and netkit nc → OpenBSD nc -l: both directions byte-exact", async (t) => {
    if (!HAVE_NC) return t.skip("netcat-openbsd (nc) is not installed");
    const { p, port } = await listener([], "from-netkit");
    const client = startPeer("nc", ["-N", "127.0.0.1", String(port)]);
    feed(client, "from-nc");
    assert.equal(await client.exited, 0);
    assert.equal(await p.exited, 0);
    assert.equal(client.stdout(), "from-netkit");
    assert.equal(p.stdout(), "from-nc");

    const port2 = await freePort();
    const ncl = startPeer("nc", ["-l", "127.0.0.1", String(port2)]);
    feed(ncl, "from-nc-listener");
    try {
      await waitFor(
        () =>
          spawnSync("ss", ["-Htln", `sport = :${port2}`])
            .stdout.toString()
            .includes(String(port2)),
        3000,
        "nc -l",
      );
      const r = await runBin(["nc", "127.0.0.1", String(port2)], "to-nc-listener");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "from-nc-listener");
      assert.equal(await ncl.exited, 0);
      assert.equal(ncl.stdout(), "to-nc-listener");
    } finally {
      await ncl.kill();
    }
  });

  it("socat → netkit nc -l, and netkit nc → socat listener", async (t) => {
    if (!HAVE_SOCAT) return t.skip("socat is not installed");
    const { p, port } = await listener([], "reply-from-netkit");
    const sc = startPeer("socat", ["-t", "5", "-", `TCP:127.0.0.1:${port}`]);
    feed(sc, "to-netkit");
    assert.equal(await sc.exited, 0);
    assert.equal(await p.exited, 0);
    assert.equal(sc.stdout(), "reply-from-netkit");
    assert.equal(p.stdout(), "to-netkit");

    const port2 = await freePort();
    const sl = startPeer("socat", ["-t", "5", "-", `TCP-LISTEN:${port2},bind=127.0.0.1,reuseaddr`]);
    feed(sl, "from-socat");
    try {
      await waitFor(
        () =>
          spawnSync("ss", ["-Htln", `sport = :${port2}`])
            .stdout.toString()
            .includes(String(port2)),
        3000,
        "socat listen",
      );
      const r = await runBin(["nc", "127.0.0.1", String(port2)], "to-socat");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "from-socat");
      assert.equal(await sl.exited, 0);
      assert.equal(sl.stdout(), "to-socat");
    } finally {
      await sl.kill();
    }
  });

  it("4 MB of random bytes round-trip byte-exact through -e cat, server side and client side", async () => {
    const data = randomBytes(4 * 1024 * 1024);
    // server runs cat
    const { p: srv, port } = await listener(["-e", "cat"]);
    const cl = startNetkit(["nc", "127.0.0.1", String(port)]);
    feed(cl, data);
    assert.equal(await cl.exited, 0, cl.stderr());
    assert.ok(stdoutBytes(cl).equals(data), `client got ${stdoutBytes(cl).length} bytes`);
    assert.equal(await srv.exited, 0);
    // client runs cat
    const { p: l2, port: port2 } = await listener([], data);
    const c2 = startNetkit(["nc", "127.0.0.1", String(port2), "-e", "cat"]);
    assert.equal(await c2.exited, 0, c2.stderr());
    assert.equal(await l2.exited, 0, l2.stderr());
    assert.ok(stdoutBytes(l2).equals(data), `listener got ${stdoutBytes(l2).length} bytes`);
  });

  it("half-close: the server's reply to our EOF arrives; --no-shutdown keeps the write side open", async () => {
    const { p: srv, port } = await listener(["-k", "-c", "cat >/dev/null; echo saw-eof"]);
    try {
      const r = await runBin(["nc", "127.0.0.1", String(port)], "request");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "saw-eof\n");
      const t0 = Date.now();
      const nos = await runBin(["nc", "--no-shutdown", "-q", "0.3", "127.0.0.1", String(port)], "request");
      assert.equal(nos.code, 0);
      assert.equal(nos.stdout, ""); // the server never saw EOF, so it never answered
      assert.ok(Date.now() - t0 < 3000);
    } finally {
      srv.child.kill("SIGTERM");
      await srv.exited;
    }
    // The listener's stdin is empty: it half-closes at once, yet still receives the client's data.
    const { p: l, port: port2 } = await listener([], "");
    const s = net.connect({ port: port2, host: "127.0.0.1", allowHalfOpen: true });
    await new Promise((r) => s.once("connect", r));
    await new Promise((r) => s.once("end", r)); // the listener's FIN
    s.end("after-your-fin");
    assert.equal(await l.exited, 0);
    assert.equal(l.stdout(), "after-your-fin");
  });

  it("exit codes: refused 1, -z closed 1, -z range with one open port 0, usage 2", async () => {
    const closed = await freePort();
    const r = await runBin(["nc", "127.0.0.1", String(closed)], "x");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^netkit: ERR_CONN_REFUSED: .*127\.0\.0\.1:\d+/);
    const open = net.createServer();
    await new Promise<void>((res) => open.listen(0, "127.0.0.1", () => res()));
    const op = (open.address() as net.AddressInfo).port;
    const c1 = await freePort();
    const c2 = await freePort();
    try {
      const z = await runCli(["nc", "-z", "-v", "127.0.0.1", `${c1},${op},${c2}`]);
      assert.equal(z.code, 0);
      assert.match(z.stderr, new RegExp(`Connection to 127\\.0\\.0\\.1 ${op} port \\[tcp/\\*\\] succeeded!`));
      assert.match(z.stderr, new RegExp(`connect to 127\\.0\\.0\\.1 port ${c1} \\(tcp\\) failed`));
      const j = await runCli(["nc", "-z", "--json", "127.0.0.1", `${op}`, `${c1}`]);
      assert.deepEqual(
        j.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).open),
        [true, false],
      );
      const none = await runCli(["nc", "-z", "127.0.0.1", String(c1)]);
      assert.equal(none.code, 1);
    } finally {
      open.close();
    }
  });

  it("flag combinations that make no sense are refused before any I/O (exit 2, one line)", async () => {
    const port = await freePort();
    const cases = [
      ["-l", "-z", "127.0.0.1", String(port)],
      ["-k", "127.0.0.1", String(port)],
      ["-e", "cat", "-c", "cat", "127.0.0.1", String(port)],
      ["--send-only", "--recv-only", "127.0.0.1", String(port)],
      ["--broker", "127.0.0.1", String(port)],
      ["-l", "-u", "--chat", "127.0.0.1", String(port)],
      ["-4", "-6", "127.0.0.1", String(port)],
      ["-U", "-p", "5", "/tmp/x"],
      ["--allow", "10.0.0.0/8", "127.0.0.1", String(port)],
      ["127.0.0.1", `${port}-${port + 1}`],
      ["-z", "127.0.0.1", "5-1"],
      ["-l", "-p", String(port), "127.0.0.1", String(port)],
      ["-u", "-e", "cat", "127.0.0.1", String(port)],
      ["-w", "0", "127.0.0.1", String(port)],
      ["--json", "127.0.0.1", String(port)],
      ["127.0.0.1"],
    ];
    for (const args of cases) {
      const r = await runCli(["nc", ...args]);
      assert.equal(r.code, 2, `nc ${args.join(" ")} → ${r.code}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    }
    // Nothing was bound by the -l cases.
    const free = net.createServer();
    await new Promise<void>((res, rej) => {
      free.once("error", rej);
      free.listen(port, "127.0.0.1", () => res());
    });
    free.close();
  });

  it("-C converts LF to CRLF across read boundaries without doubling CR", async () => {
    const c = new CrlfConverter();
    const parts = ["a\n", "b\r", "\nc\r\n", "\n", ""].map((s) => Buffer.from(s));
    const out = Buffer.concat(parts.map((p) => c.convert(p))).toString();
    assert.equal(out, "a\r\nb\r\nc\r\n\r\n");
    const { p, port } = await listener([]);
    const r = await runBin(["nc", "-C", "127.0.0.1", String(port)], "x\ny\r\n");
    assert.equal(r.code, 0);
    assert.equal(await p.exited, 0);
    assert.equal(p.stdout(), "x\r\ny\r\n");
  });

  it("-x dumps like hexdump -C", async (t) => {
    const data = Buffer.from("Hello, server!\n\x00\x01\x02\xff binary and more text to wrap lines");
    const lines = hexLines(data, 0);
    if (!have("hexdump", ["-C", "/dev/null"])) return t.skip("hexdump is not installed");
    const ref = spawnSync("hexdump", ["-C"], { input: data }).stdout.toString().trimEnd().split("\n");
    assert.deepEqual(lines, ref.slice(0, -1)); // hexdump ends with the total length line
    const { p, port } = await listener(["-x"], "pong");
    const r = await runBin(["nc", "127.0.0.1", String(port)], "ping");
    assert.equal(r.stdout, "pong");
    assert.equal(await p.exited, 0);
    assert.match(p.stderr(), /# < received 4 bytes\n00000000 {2}70 69 6e 67 {39}\|ping\|/);
    assert.match(p.stderr(), /# > sent 4 bytes\n00000000 {2}70 6f 6e 67 /);
  });

  it("UDP: nc -u client ↔ netkit nc -u -l locked to the first peer; -k replies to the latest peer", async (t) => {
    if (!HAVE_NC) return t.skip("netcat-openbsd (nc) is not installed");
    const p = startNetkit(["nc", "-u", "-l", "-v", "127.0.0.1", "0"]);
    try {
      const port = await listeningPort(p);
      const dgram = await import("node:dgram");
      const a = dgram.createSocket("udp4");
      const b = dgram.createSocket("udp4");
      await new Promise<void>((r) => a.bind(0, "127.0.0.1", () => r()));
      await new Promise<void>((r) => b.bind(0, "127.0.0.1", () => r()));
      a.send("first-peer ", port, "127.0.0.1");
      await waitFor(() => p.stdout().includes("first-peer"), 3000, "first datagram");
      b.send("second-peer", port, "127.0.0.1");
      a.send("again", port, "127.0.0.1");
      await waitFor(() => p.stdout().includes("again"), 3000, "second datagram from first peer");
      assert.equal(p.stdout(), "first-peer again");
      const reply = new Promise<string>((r) => a.once("message", (m) => r(m.toString())));
      p.child.stdin.write("to-first");
      assert.equal(await reply, "to-first");
      a.close();
      b.close();
    } finally {
      await p.kill();
    }
    const k = startNetkit(["nc", "-u", "-l", "-k", "-v", "127.0.0.1", "0"]);
    try {
      const port = await listeningPort(k);
      const c1 = startPeer("nc", ["-u", "-q", "2", "127.0.0.1", String(port)]);
      c1.child.stdin.write("one ");
      await waitFor(() => k.stdout().includes("one"), 3000, "nc one");
      const c2 = startPeer("nc", ["-u", "-q", "2", "127.0.0.1", String(port)]);
      c2.child.stdin.write("two");
      await waitFor(() => k.stdout().includes("two"), 3000, "nc two");
      k.child.stdin.write("latest");
      await waitFor(() => c2.stdout().includes("latest"), 3000, "reply to latest peer");
      assert.equal(c1.stdout(), "");
      await c1.kill();
      await c2.kill();
    } finally {
      await k.kill();
    }
  });

  it("UDP client: reply printed, quits after EOF + -q; closed port exits 1", async () => {
    const dgram = await import("node:dgram");
    const s = dgram.createSocket("udp6");
    s.on("message", (m, r) => s.send(Buffer.from(m.toString().toUpperCase()), r.port, r.address));
    await new Promise<void>((r) => s.bind(0, "::1", () => r()));
    try {
      const r = await runBin(["nc", "-u", "-q", "0.3", "::1", String(s.address().port)], "v6 hello");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "V6 HELLO");
    } finally {
      s.close();
    }
    const closed = await freePort("udp");
    const r = await runBin(["nc", "-u", "127.0.0.1", String(closed)], "x");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERR_CONN_REFUSED/);
  });

  it("--broker relays between clients; --chat names them", async () => {
    for (const mode of ["--broker", "--chat"]) {
      const { p, port } = await listener([mode]);
      try {
        const a = net.connect(port, "127.0.0.1");
        const b = net.connect(port, "127.0.0.1");
        await Promise.all([
          new Promise((r) => a.once("connect", r)),
          new Promise((r) => b.once("connect", r)),
        ]);
        let got = "";
        b.on("data", (d: Buffer) => {
          got += d.toString();
        });
        await waitFor(
          () => p.stderr().split("Connection received").length === 3,
          3000,
          "both clients accepted",
        );
        a.write("hi all\n");
        await waitFor(() => got.includes("hi all"), 3000, "relayed line");
        if (mode === "--chat") assert.match(got, /<user1> hi all\n/);
        else assert.equal(got, "hi all\n");
        a.destroy();
        b.destroy();
      } finally {
        p.child.kill("SIGTERM");
        assert.equal(await p.exited, 0);
      }
    }
  });

  it("Unix stream: -lU and -U", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netkit-nc-"));
    const path = join(dir, "s.sock");
    const l = startNetkit(["nc", "-l", "-U", "-v", path]);
    feed(l, "unix-reply");
    try {
      await waitFor(() => l.stderr().includes("Listening"), 3000, "unix listen");
      const r = await runBin(["nc", "-U", path], "unix-hello");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "unix-reply");
      assert.equal(await l.exited, 0);
      assert.equal(l.stdout(), "unix-hello");
    } finally {
      await l.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("Unix datagram: -lUu listener locked to its first peer, -Uu client", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netkit-nc-dg-"));
    const path = join(dir, "d.sock");
    const l = startNetkit(["nc", "-l", "-U", "-u", "-v", path]);
    try {
      await waitFor(() => l.stderr().includes("Bound on"), 3000, "unix dgram bind");
      const c = startNetkit(["nc", "-U", "-u", "-q", "1", path]);
      c.child.stdin.write("dgram-hello");
      await waitFor(() => l.stdout().includes("dgram-hello"), 3000, "datagram at listener");
      l.child.stdin.write("dgram-reply");
      await waitFor(() => c.stdout().includes("dgram-reply"), 3000, "reply at client");
      const other = await runBin(["nc", "-U", "-u", "-q", "0.2", path], "intruder");
      assert.equal(other.code, 0);
      c.child.stdin.end();
      assert.equal(await c.exited, 0);
      assert.equal(l.stdout(), "dgram-hello"); // the second peer was not let in
    } finally {
      await l.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--send-only, --recv-only/-d, -w idle, -p source port, -n, -6 and -i", async () => {
    // A server that answers and never closes: --send-only quits after stdin EOF anyway.
    const silent = net.createServer({ allowHalfOpen: true }, (s) => {
      s.write("ignored");
      s.on("data", () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    const sp = (silent.address() as net.AddressInfo).port;
    try {
      const so = await runBin(["nc", "--send-only", "127.0.0.1", String(sp)], "data");
      assert.equal(so.code, 0);
      assert.equal(so.stdout, "");
      const idle = await runBin(["nc", "-d", "-w", "0.3", "127.0.0.1", String(sp)]);
      assert.equal(idle.code, 1); // -w: no traffic for 0.3 s after "ignored"
      assert.equal(idle.stdout, "ignored");
      assert.match(idle.stderr, /ERR_SOCKET_TIMEOUT/);
    } finally {
      silent.close();
    }
    const src = await freePort();
    const seen = new Promise<number>((resolve) => {
      const srv = net.createServer((s) => {
        resolve(s.remotePort ?? 0);
        s.end();
        srv.close();
      });
      srv.listen(0, "::1", () => {
        const port = (srv.address() as net.AddressInfo).port;
        void runBin(["nc", "-6", "-n", "-p", String(src), "::1", String(port)], "");
      });
    });
    assert.equal(await seen, src);
    const named = await runCli(["nc", "-n", "localhost", "9"]);
    assert.equal(named.code, 1);
    assert.match(named.stderr, /ERR_HOST_NOT_FOUND/);
    const v4only = await runCli(["nc", "-4", "::1", "9"]);
    assert.equal(v4only.code, 1);
    // -i: one line at a time with a pause between them
    const { p, port } = await listener([]);
    const t0 = Date.now();
    const r = await runBin(["nc", "-i", "0.15", "127.0.0.1", String(port)], "a\nb\nc\n");
    assert.equal(r.code, 0);
    assert.ok(Date.now() - t0 >= 400, "three lines, 0.15 s apart");
    assert.equal(await p.exited, 0);
    assert.equal(p.stdout(), "a\nb\nc\n");
  });

  it("-l -k: stdin goes to every connection, every connection's data to stdout", async () => {
    const p = startNetkit(["nc", "-l", "-k", "-v", "127.0.0.1", "0"]);
    try {
      const port = await listeningPort(p);
      const a = net.connect(port, "127.0.0.1");
      const b = net.connect(port, "127.0.0.1");
      let ga = "";
      let gb = "";
      a.on("data", (d: Buffer) => {
        ga += d;
      });
      b.on("data", (d: Buffer) => {
        gb += d;
      });
      await waitFor(() => p.stderr().split("Connection received").length === 3, 3000, "two clients");
      p.child.stdin.write("to-all");
      await waitFor(() => ga === "to-all" && gb === "to-all", 3000, "stdin to both");
      a.write("A");
      b.write("B");
      await waitFor(() => p.stdout().length === 2, 3000, "both clients' data");
      assert.deepEqual([...p.stdout()].sort(), ["A", "B"]);
      a.destroy();
      b.destroy();
    } finally {
      p.child.kill("SIGTERM");
      assert.equal(await p.exited, 0);
    }
  });

  it("--allow/--deny and --max-conns on a listener", async () => {
    const { p, port } = await listener(["-k", "--deny", "127.0.0.2", "--max-conns", "1", "-e", "cat"]);
    try {
      const denied = net.connect({ port, host: "127.0.0.1", localAddress: "127.0.0.2" });
      const err = await new Promise<string>((r) => {
        denied.on("error", (e: NodeJS.ErrnoException) => r(e.code ?? ""));
        denied.on("close", () => r("closed"));
      });
      assert.equal(err, "ECONNRESET");
      const r = await runBin(["nc", "127.0.0.1", String(port)], "allowed");
      assert.equal(r.stdout, "allowed");
    } finally {
      p.child.kill("SIGTERM");
      assert.equal(await p.exited, 0);
      assert.match(p.stderr(), /denied=1/);
    }
  });
});
