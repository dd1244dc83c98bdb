/**
 * netkit nc: -N vs --no-shutdown (half-close semantics), -x / --hex-dump FILE with hexdump -C
 * folding, and the -zu scan states (open, closed, open|filtered).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { hexLines } from "../../src/cli/hexdump.js";
import { runBin, runCli } from "../helpers/cli.js";
import { feed, freePort, have, listeningPort, startNetkit } from "../helpers/peers.js";

/**
 * A TCP server that reports whether the client's FIN arrived within 300 ms of connecting:
 * it answers "fin:<bytes received>" or "no-fin:<bytes>", then closes.
 */
async function finProbe(): Promise<{ port: number; close: () => Promise<void> }> {
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    let got = 0;
    let answered = false;
    const answer = (word: string) => {
      if (answered) return;
      answered = true;
      s.end(`${word}:${got}`);
    };
    s.on("data", (d: Buffer) => {
      got += d.length;
    });
    s.on("end", () => answer("fin"));
    s.on("error", () => undefined);
    setTimeout(() => answer("no-fin"), 300).unref();
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => srv.close(() => r())),
  };
}

describe("netkit nc -N / --no-shutdown", () => {
  it("default and -N send FIN on stdin EOF; --no-shutdown never; -d -N sends it at once, -d alone never", async () => {
    const probe = await finProbe();
    const port = String(probe.port);
    try {
      const run = async (flags: string[], stdin: string) => {
        const r = await runBin(["nc", ...flags, "127.0.0.1", port], stdin);
        assert.equal(r.code, 0, `${flags.join(" ")}: ${r.stderr}`);
        return r.stdout;
      };
      assert.equal(await run([], "abc"), "fin:3");
      assert.equal(await run(["-N"], "abc"), "fin:3");
      assert.equal(await run(["--no-shutdown"], "abc"), "no-fin:3");
      assert.equal(await run(["-d", "-N"], "ignored"), "fin:0");
      assert.equal(await run(["-d"], "ignored"), "no-fin:0");
      assert.equal(await run(["--recv-only", "-N"], "ignored"), "fin:0");
    } finally {
      await probe.close();
    }
  });

  it("a -k listener half-closes connections that arrive after its stdin ended", async () => {
    const p = startNetkit(["nc", "-l", "-k", "-v", "127.0.0.1", "0"]);
    feed(p, "hello\n");
    try {
      const port = await listeningPort(p);
      await new Promise((r) => setTimeout(r, 200)); // stdin has ended by now
      const s = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
      let got = "";
      s.on("data", (d: Buffer) => {
        got += d;
      });
      const ended = await Promise.race([
        new Promise<boolean>((r) => s.once("end", () => r(true))),
        new Promise<boolean>((r) => setTimeout(() => r(false), 3000)),
      ]);
      assert.equal(ended, true, "the listener's FIN arrived");
      assert.equal(got, ""); // the stdin data went to connections present then (none)
      s.destroy();
    } finally {
      p.child.kill("SIGTERM");
      assert.equal(await p.exited, 0);
    }
  });

  it("contradictions are usage errors before any I/O (exit 2, one line)", async () => {
    const port = String(await freePort());
    for (const args of [
      ["-N", "--no-shutdown", "127.0.0.1", port],
      ["-u", "-N", "127.0.0.1", port],
      ["-u", "--no-shutdown", "127.0.0.1", port],
      ["-z", "-N", "127.0.0.1", port],
      ["-z", "--hex-dump", "/tmp/x", "127.0.0.1", port],
      ["--append-output", "127.0.0.1", port],
      ["-e", "cat", "--hex-dump", "/tmp/x", "127.0.0.1", port],
      ["--json", "127.0.0.1", port],
      ["--json", "-l", "127.0.0.1", port],
    ]) {
      const r = await runCli(["nc", ...args]);
      assert.equal(r.code, 2, `nc ${args.join(" ")} → ${r.code}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  });
});

describe("netkit nc -x / --hex-dump FILE", () => {
  it("hexLines folds repeated full lines into * exactly like hexdump -C", (t) => {
    if (!have("hexdump", ["-C", "/dev/null"])) return t.skip("hexdump is not installed");
    const row = (c: string) => Buffer.from(c.repeat(16));
    const cases = [
      Buffer.alloc(0),
      Buffer.alloc(48),
      Buffer.concat([Buffer.alloc(48), Buffer.from("abc")]),
      Buffer.concat([row("x"), Buffer.alloc(64), row("y"), row("y"), Buffer.from("yyyyy")]),
      Buffer.alloc(16 * 5 + 15, 1), // the partial last line equals the start of the others: not folded
      Buffer.from("Hello, server!\n\x00\x01\x02\xff binary and more text to wrap lines"),
    ];
    for (const data of cases) {
      const ref = spawnSync("hexdump", ["-C"], { input: data }).stdout.toString().trimEnd().split("\n");
      assert.deepEqual(hexLines(data, 0), ref.slice(0, -1), `${data.length} bytes`); // minus the final offset line
    }
    assert.deepEqual(hexLines(Buffer.alloc(32), 0x100), [
      `00000100  ${"00 ".repeat(8)} ${"00 ".repeat(8)} |${".".repeat(16)}|`,
      "*",
    ]);
  });

  it("--hex-dump FILE writes the dump to the file, stderr stays clean; --append-output appends", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "netkit-hex-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "dump.txt");
    const reply = Buffer.concat([Buffer.alloc(64), Buffer.from("end")]);
    const session = async (extra: string[]) => {
      const p = startNetkit(["nc", "-l", "-v", "127.0.0.1", "0"]);
      feed(p, reply);
      const port = await listeningPort(p);
      const r = await runBin(["nc", ...extra, "--hex-dump", file, "127.0.0.1", String(port)], "ping");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.equal(Buffer.from(r.stdout, "latin1").equals(reply), true);
      assert.equal(await p.exited, 0);
    };
    await session([]);
    const once = readFileSync(file, "utf8");
    // two sections, in whichever order the bytes crossed: what we sent and what we received
    const sections = once.split(/^(?=# [<>] )/m);
    assert.equal(sections.length, 2, once);
    const sent = sections.find((x) => x.startsWith("# > "))!;
    const received = sections.find((x) => x.startsWith("# < "))!;
    assert.ok(sent.startsWith("# > sent 4 bytes\n00000000  70 69 6e 67 "), once);
    assert.ok(received.startsWith("# < received 67 bytes\n"), received);
    if (have("hexdump", ["-C", "/dev/null"])) {
      const ref = spawnSync("hexdump", ["-C"], { input: reply }).stdout.toString().trimEnd().split("\n");
      assert.equal(received, `# < received 67 bytes\n${ref.slice(0, -1).join("\n")}\n`);
    }
    assert.match(received, /\n\*\n/); // 64 zero bytes: one line, then *
    const count = (text: string) => text.split("# > sent 4 bytes\n").length - 1;
    await session([]); // without --append-output the file is rewritten
    assert.equal(readFileSync(file, "utf8").length, once.length);
    assert.equal(count(readFileSync(file, "utf8")), 1);
    await session(["--append-output"]);
    assert.equal(readFileSync(file, "utf8").length, once.length * 2);
    assert.equal(count(readFileSync(file, "utf8")), 2);
    const bad = await runBin(["nc", "--hex-dump", join(dir, "no/such/dir/f"), "127.0.0.1", "9"], "x");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^netkit: ERR_IO: cannot open --hex-dump file .*no\/such\/dir\/f: .*\n$/);
  });
});

describe("netkit nc -zu: what a UDP scan can and cannot prove", () => {
  it("a reply is open, ICMP port unreachable is closed, silence is open|filtered", async () => {
    const echo = dgram.createSocket("udp4");
    echo.on("message", (m, r) => echo.send(m.length === 0 ? Buffer.from("hi") : m, r.port, r.address));
    const silent = dgram.createSocket("udp4"); // bound, never answers
    await new Promise<void>((r) => echo.bind(0, "127.0.0.1", () => r()));
    await new Promise<void>((r) => silent.bind(0, "127.0.0.1", () => r()));
    const closed = await freePort("udp");
    const [o, s] = [echo.address().port, silent.address().port];
    try {
      const j = await runCli(["nc", "-zu", "-w", "0.3", "--json", "127.0.0.1", `${o},${closed},${s}`]);
      assert.equal(j.code, 0, j.stderr);
      const rows = j.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { port: number; state: string; open: boolean; reason?: string });
      assert.deepEqual(
        rows.map((r) => [r.port, r.state, r.open]),
        [
          [o, "open", true],
          [closed, "closed", false],
          [s, "open|filtered", false],
        ],
      );
      assert.match(rows[1]!.reason!, /ECONNREFUSED/);
      assert.match(rows[2]!.reason!, /no reply and no ICMP port unreachable within 0\.3 s/);
      const v = await runCli(["nc", "-zu", "-v", "-w", "0.3", "127.0.0.1", String(s)]);
      assert.equal(v.code, 0); // like OpenBSD nc -zu: a port not proved closed is a hit
      assert.match(
        v.stderr,
        new RegExp(`Connection to 127\\.0\\.0\\.1 ${s} port \\[udp/\\*\\] open\\|filtered: `),
      );
      const c = await runCli(["nc", "-zu", "-v", "127.0.0.1", String(closed)]);
      assert.equal(c.code, 1);
      assert.match(c.stderr, new RegExp(`port ${closed} \\(udp\\) failed: connection refused`));
    } finally {
      echo.close();
      silent.close();
    }
  });
});
