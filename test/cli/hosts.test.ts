/**
 * One strict address parser for every host argument (issue 12, item 4), and one code for a host
 * that does not resolve (item 6). Only loopback forms, `localhost` (/etc/hosts) and `.invalid`
 * names (refused without a lookup) are used: no name lookup leaves the machine.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { isNetkitError, ParseError } from "../../src/errors.js";
import { parseAddr } from "../../src/ip/addr.js";
import { isAddressLike, parseHostText } from "../../src/ip/host_text.js";
import { resolveHost } from "../../src/sockets/resolve_host.js";
import { BIN, type CliResult, runCli } from "../helpers/cli.js";

/** Run the executable; kill it after `ms` (a command that wrongly started serving). */
function runBinFor(args: string[], ms = 15_000, stdin = ""): Promise<CliResult & { killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let killed = false;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const t = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, ms);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, stdout: out, stderr: err, killed });
    });
    child.stdin.end(stdin);
  });
}

describe("what is address-like", () => {
  const rows: [string, boolean][] = [
    ["127.0.0.1", true],
    ["127.1", true],
    ["1.2.3", true],
    ["0177.0.0.1", true],
    ["0x7f.1", true],
    ["0X7F000001", true],
    ["2130706433", true],
    ["1.2.3.4.", true],
    ["1..2", true],
    ["", true],
    ["::1", true],
    ["[::1]", true],
    ["fe80::1%lo", true],
    ["127.0.0.1%lo", true],
    ["localhost", false],
    ["no-such-host.invalid", false],
    ["1e3", false],
    ["deadbeef", false],
    ["0xg", false],
    ["host1.example", false],
    ["123.example", false],
  ];
  for (const [text, want] of rows)
    it(`${JSON.stringify(text)} → ${want}`, () => assert.equal(isAddressLike(text), want));
});

describe("parseHostText", () => {
  it("accepts addresses, bracketed IPv6, zones and names", () => {
    const ok: [string, string][] = [
      ["127.0.0.1", "addr 127.0.0.1"],
      ["::1", "addr ::1"],
      ["[::1]", "addr ::1"],
      ["[fe80::1%lo]", "addr fe80::1%lo"],
      ["fe80::1%lo", "addr fe80::1%lo"],
      ["::ffff:127.0.0.1", "addr ::ffff:127.0.0.1"],
      ["localhost", "name localhost"],
      ["localhost.", "name localhost."],
      ["my_host-1.example", "name my_host-1.example"],
      ["a".repeat(63), `name ${"a".repeat(63)}`],
    ];
    for (const [text, want] of ok) {
      const h = parseHostText(text);
      assert.equal(h.kind === "addr" ? `addr ${h.addr.toString()}` : `name ${h.name}`, want, text);
    }
  });

  it("refuses address-like text exactly as parseAddr (netkit ip) does", () => {
    for (const text of [
      "127.1",
      "1.2.3",
      "0177.0.0.1",
      "0x7f.1",
      "2130706433",
      "1.2.3.4.",
      "",
      "127.0.0.1%lo",
    ]) {
      let mine: unknown;
      let ip: unknown;
      try {
        parseHostText(text);
      } catch (e) {
        mine = e;
      }
      try {
        parseAddr(text);
      } catch (e) {
        ip = e;
      }
      assert.ok(mine instanceof ParseError && ip instanceof ParseError, text);
      assert.deepEqual(mine.toJSON(), ip.toJSON(), text);
    }
  });

  it("refuses bad brackets and bad names with code, reason and position", () => {
    const rows: [string, string, string, number][] = [
      ["[127.0.0.1]", "ERR_ADDR_SYNTAX", "brackets are only for IPv6 addresses", 0],
      ["[::1", "ERR_ADDR_SYNTAX", 'missing "]" after a bracketed IPv6 address', -1],
      ["[::1]:80", "ERR_ADDR_SYNTAX", 'unexpected text after "]" (a port goes in its own argument)', 5],
      ["[]", "ERR_ADDR_SYNTAX", "empty address", 1],
      ["a b", "ERR_HOST_NOT_FOUND", 'character " " is not allowed in a host name', 1],
      [" 127.0.0.1", "ERR_HOST_NOT_FOUND", 'character " " is not allowed in a host name', 0],
      ["a..b", "ERR_HOST_NOT_FOUND", "empty label", 2],
      ["-x.example", "ERR_HOST_NOT_FOUND", 'a label cannot start with "-"', 0],
      ["a".repeat(64), "ERR_HOST_NOT_FOUND", "a label has at most 63 characters", 63],
      [`${"a.".repeat(127)}ab`, "ERR_HOST_NOT_FOUND", "a host name has at most 253 characters", -1],
    ];
    for (const [text, code, reason, at] of rows) {
      assert.throws(
        () => parseHostText(text),
        (e: unknown) => e instanceof ParseError && e.code === code && e.reason === reason && e.at === at,
        text,
      );
    }
  });
});

describe("resolveHost", () => {
  it("keeps zones, strips brackets, resolves localhost from /etc/hosts", async () => {
    assert.deepEqual(await resolveHost("fe80::1%lo"), { address: "fe80::1%lo", family: 6 });
    assert.deepEqual(await resolveHost("[::1]"), { address: "::1", family: 6 });
    assert.deepEqual(await resolveHost("localhost", 4), { address: "127.0.0.1", family: 4 });
  });

  it("refuses .invalid names without a lookup, and literals of the other family", async () => {
    await assert.rejects(resolveHost("no-such-host.invalid"), (e) => isNetkitError(e, "ERR_HOST_NOT_FOUND"));
    await assert.rejects(resolveHost("INVALID."), (e) => isNetkitError(e, "ERR_HOST_NOT_FOUND"));
    await assert.rejects(resolveHost("::1", 4), (e) => isNetkitError(e, "ERR_VERSION_MISMATCH"));
    await assert.rejects(resolveHost("127.0.0.1", 6), (e) => isNetkitError(e, "ERR_VERSION_MISMATCH"));
    await assert.rejects(resolveHost("localhost", 4, true), (e) => isNetkitError(e, "ERR_HOST_NOT_FOUND"));
  });
});

describe("every command refuses address-like non-addresses as netkit ip does", { timeout: 240_000 }, () => {
  let tcp: net.Server;
  let udp: dgram.Socket;
  let P = "";
  let UP = "";
  before(async () => {
    tcp = net.createServer((s) => {
      s.on("error", () => {});
      s.end();
    });
    await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", r));
    P = String((tcp.address() as net.AddressInfo).port);
    udp = dgram.createSocket("udp4");
    await new Promise<void>((r) => udp.bind(0, "127.0.0.1", r));
    UP = String(udp.address().port);
  });
  after(() => {
    tcp.close();
    udp.close();
  });

  // Each of these means 127.0.0.1 to the system resolver (inet_aton), so an unfixed netkit would
  // reach only our own listener above. (1.2.3 — 1.2.0.3 — is tested only where nothing is sent.)
  const FORMS = ["127.1", "0177.0.0.1", "0x7f.1", "2130706433", "0x7f000001", "127.0.0.01"];
  const clients: ((h: string) => string[])[] = [
    (h) => ["nc", h, P],
    (h) => ["nc", "-z", h, P],
    (h) => ["nc", "-u", h, UP],
    (h) => ["nc", "-s", h, "127.0.0.1", P],
    (h) => ["tcp", "connect", h, P],
    (h) => ["tcp", "send", h, P, "x"],
    (h) => ["udp", "send", h, UP, "x", "--timeout", "0.2"],
    (h) => ["ping", "-c", "1", "-W", "1", h],
    (h) => ["ping", "--tcp", P, "-c", "1", h],
    (h) => ["trace", "-m", "1", "-q", "1", "-w", "1", h],
    (h) => ["bench", "client", h, "-p", P, "-t", "1"],
    (h) => ["bench", "latency", h, P, "-c", "1"],
    (h) => ["impair", "tcp", "127.0.0.1:0", `${h}:${P}`, "-t", "1"],
    (h) => ["impair", "udp", "127.0.0.1:0", `${h}:${UP}`, "-t", "1"],
  ];

  it("clients: the same line as netkit ip, exit 1 (ping: 2, as iputils)", async () => {
    for (const form of FORMS) {
      const ip = await runCli(["ip", form]);
      assert.equal(ip.code, 1);
      assert.match(ip.stderr, /^netkit: ERR_ADDR_SYNTAX: Cannot parse address .*\n$/);
      for (const make of clients) {
        const args = make(form);
        const r = await runCli(args);
        assert.equal(r.stderr, ip.stderr, args.join(" "));
        assert.equal(r.code, args[0] === "ping" ? 2 : 1, args.join(" "));
      }
    }
  });

  it("nc -s 1.2.3 is the address error, not an internal error", async () => {
    const r = await runCli(["nc", "-s", "1.2.3", "127.0.0.1", P]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'netkit: ERR_ADDR_SYNTAX: Cannot parse address "1.2.3": IPv4 address needs 4 octets, got 3 (at 5)\n',
    );
  });

  it("listeners and servers refuse them before binding", async () => {
    const ip = await runCli(["ip", "127.1"]);
    for (const args of [
      ["nc", "-l", "127.1", "0"],
      ["nc", "-l", "-p", "0", "-s", "127.1"],
      ["nc", "-u", "-l", "127.1", "0"],
      ["tcp", "serve", "--host", "127.1", "-p", "0"],
      ["udp", "serve", "--host", "127.1", "-p", "0"],
      ["bench", "server", "-B", "127.1", "-p", "0"],
    ]) {
      const r = await runBinFor(args);
      assert.equal(r.killed, false, `${args.join(" ")} started serving`);
      assert.equal(r.stderr, ip.stderr, args.join(" "));
      assert.equal(r.code, 1, args.join(" "));
    }
  });
});

describe("accepted host forms reach the peer", () => {
  it("nc [::1] PORT and ::1%lo connect to an IPv6 listener; udp send [::1] gets the echo", async () => {
    for (const host of ["[::1]", "::1%lo"]) {
      const got: Buffer[] = [];
      const srv = net.createServer((s) => {
        s.on("data", (d) => got.push(d));
        s.on("end", () => s.end());
      });
      await new Promise<void>((r) => srv.listen(0, "::1", r));
      const port = String((srv.address() as net.AddressInfo).port);
      const r = await runBinFor(["nc", host, port], 30_000, `via ${host}\n`);
      srv.close();
      assert.equal(r.code, 0, `${host}: ${r.stderr}`);
      assert.equal(Buffer.concat(got).toString(), `via ${host}\n`, host);
    }
    const u = dgram.createSocket("udp6");
    u.on("message", (m, rinfo) => u.send(Buffer.from(m.toString().toUpperCase()), rinfo.port, rinfo.address));
    await new Promise<void>((r) => u.bind(0, "::1", r));
    const r = await runCli(["udp", "send", "[::1]", String(u.address().port), "hello"]);
    u.close();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "HELLO");
  });

  it("nc -6 -l PORT listens on :: (the default listen address follows -6)", async () => {
    const child = spawn(process.execPath, [BIN, "nc", "-6", "-l", "-v", "0"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
        const m = /Listening on :: (\d+)/.exec(err);
        if (m) resolve(Number(m[1]));
      });
      child.on("close", () => reject(new Error(`nc -6 -l exited: ${err}`)));
    });
    child.stdin.end();
    const c = net.connect({ host: "::1", port });
    c.end("over v6\n");
    const code = await new Promise<number | null>((r) => child.on("close", r));
    assert.equal(code, 0, err);
    assert.equal(out, "over v6\n");
  });

  it("localhost (from /etc/hosts) works for tcp send", async () => {
    const srv = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const r = await runCli([
      "tcp",
      "send",
      "localhost",
      String((srv.address() as net.AddressInfo).port),
      "abc",
    ]);
    srv.close();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "abc");
  });
});

describe("a host that does not resolve is ERR_HOST_NOT_FOUND in every command", () => {
  const NAME = "no-such-host.invalid"; // RFC 6761: refused by netkit without any lookup
  const rows: [string[], number][] = [
    [["nc", NAME, "9"], 1],
    [["nc", "-u", NAME, "9"], 1],
    [["nc", "-z", NAME, "9"], 1],
    [["nc", "-s", NAME, "127.0.0.1", "9"], 1],
    [["tcp", "connect", NAME, "9"], 1],
    [["tcp", "send", NAME, "9", "x"], 1],
    [["udp", "send", NAME, "9", "x"], 1],
    [["ping", "-c", "1", NAME], 2],
    [["ping", "--tcp", "9", "-c", "1", NAME], 2],
    [["trace", NAME], 1],
    [["bench", "client", NAME, "-t", "1"], 1],
    [["bench", "latency", NAME, "9"], 1],
    [["impair", "tcp", "127.0.0.1:0", `${NAME}:9`, "-t", "1"], 1],
    [["impair", "udp", "127.0.0.1:0", `${NAME}:9`, "-t", "1"], 1],
  ];
  for (const [args, code] of rows)
    it(args.join(" "), async () => {
      const r = await runCli(args);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, /^netkit: ERR_HOST_NOT_FOUND: no-such-host\.invalid: host not found[^\n]*\n$/);
    });

  it("-n refuses a name with the same code; a literal of the other family is ERR_VERSION_MISMATCH", async () => {
    const n = await runCli(["nc", "-n", "localhost", "9"]);
    assert.equal(n.code, 1);
    assert.match(n.stderr, /^netkit: ERR_HOST_NOT_FOUND: localhost: not a numeric address/);
    for (const args of [
      ["nc", "-4", "::1", "9"],
      ["ping", "-6", "-c", "1", "127.0.0.1"],
    ]) {
      const r = await runCli(args);
      assert.match(r.stderr, /^netkit: ERR_VERSION_MISMATCH: /, args.join(" "));
    }
  });
});
