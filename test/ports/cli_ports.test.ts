import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { readKernelPorts } from "../../src/ports/kernel_ports.js";
import { runBin, runCli } from "../helpers/cli.js";
import { startZoo, type Zoo } from "../helpers/socket_zoo.js";
import { parseSs } from "../helpers/ss_text.js";

describe("netkit sockets / ss (CLI)", { timeout: 30_000 }, () => {
  let zoo: Zoo;
  before(async () => {
    zoo = await startZoo();
  });
  after(async () => {
    await zoo.stop();
  });

  it("--json prints one array of rows with the documented fields", async () => {
    const r = await runCli(["sockets", "--json", "--pid", String(zoo.pid)]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    for (const k of [
      "protocol",
      "family",
      "state",
      "localAddress",
      "localPort",
      "peerAddress",
      "peerPort",
      "recvQ",
      "sendQ",
      "uid",
      "inode",
      "processes",
    ]) {
      assert.ok(k in rows[0]!, k);
    }
    // default is ss -tuanp: TCP and UDP only
    const inet = zoo.sockets.filter((s) => /^(tcp|udp)/.test(s.kind));
    assert.deepEqual(new Set(rows.map((x) => x.inode)), new Set(inet.map((s) => s.inode)));
  });

  it("netkit ss -tlnp lists the same listeners as ss -tlnp for the zoo", async () => {
    const r = await runCli(["ss", "-tlnp", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const ours = (JSON.parse(r.stdout) as { localPort: number; processes: { pid: number }[] }[])
      .filter((x) => x.processes.some((p) => p.pid === zoo.pid))
      .map((x) => x.localPort)
      .sort();
    // with two protocols ss prints its Netid column
    const ss = parseSs(
      execFileSync("ss", ["-tulnp"], { encoding: "utf8", timeout: 10_000, maxBuffer: 1 << 28 }),
    )
      .filter((l) => l.netid === "tcp" && l.users.some((u) => u.pid === zoo.pid))
      .map((l) => Number(l.local.slice(l.local.lastIndexOf(":") + 1)))
      .sort();
    assert.deepEqual(ours, ss);
    assert.deepEqual(ours, [zoo.get("tcp-listen").port, zoo.get("tcp6-listen").port].sort());
  });

  it("port 0 matches no listener: a peer port of 0 is no peer (--port 0, --dport 0, port 0)", async () => {
    const tcp = createServer();
    tcp.listen(0, "127.0.0.1");
    await once(tcp, "listening");
    const udp = createSocket("udp4");
    udp.bind(0, "127.0.0.1");
    await once(udp, "listening");
    const ours = new Set([(tcp.address() as { port: number }).port, udp.address().port]);
    try {
      // ss: nothing has local port 0; its raw `dport = :0` takes every listener (peer "*" is 0).
      const ssLocal0 = execFileSync("ss", ["-Htuan", "sport = :0"], { encoding: "utf8" });
      assert.equal(ssLocal0, "");
      const ssPeer0 = execFileSync("ss", ["-Htuan", "dport = :0"], { encoding: "utf8" });
      assert.match(ssPeer0, new RegExp(`127\\.0\\.0\\.1:${[...ours][0]}\\b`));
      for (const source of ["netlink", "proc"]) {
        for (const flag of ["--port", "--sport", "--dport"]) {
          const j = await runCli(["sockets", "-a", "--source", source, flag, "0", "--json"]);
          assert.equal(j.code, 0, j.stderr);
          assert.deepEqual(JSON.parse(j.stdout), [], `${source} ${flag} 0`);
          const t = await runCli(["sockets", "-a", "--source", source, flag, "0"]);
          assert.equal(t.code, 0, t.stderr);
          assert.equal(
            t.stdout.trim().split("\n").length,
            1,
            `${source} ${flag} 0: only the header\n${t.stdout}`,
          );
        }
      }
      const p = await runCli(["port", "0", "--json"]);
      assert.equal(p.code, 0, p.stderr);
      const info = JSON.parse(p.stdout) as { ports: { transport: string; sockets: unknown[] }[] };
      assert.deepEqual(
        info.ports.map((x) => [x.transport, x.sockets.length]),
        [
          ["tcp", 0],
          ["udp", 0],
        ],
      );
      const text = await runCli(["port", "0"]);
      assert.equal((text.stdout.match(/Sockets: {5}none/g) ?? []).length, 2, text.stdout);
      // A real port still matches its listener, by local port, in every path.
      for (const port of ours) {
        const j = await runCli(["sockets", "-a", "--port", String(port), "--json"]);
        assert.equal((JSON.parse(j.stdout) as unknown[]).length, 1, j.stdout);
      }
    } finally {
      tcp.close();
      udp.close();
    }
  });

  it('-x shows the Unix peer inode like ss -x ("* INODE"), and --json has peerInode', async () => {
    const t = await runCli(["sockets", "-x", "-a", "--pid", String(zoo.pid)]);
    assert.equal(t.code, 0, t.stderr);
    const ours = new Map(parseSs(t.stdout).map((l) => [Number(l.local.split(" ")[1]), l]));
    const ss = parseSs(
      execFileSync("ss", ["-xanp"], { encoding: "utf8", timeout: 10_000, maxBuffer: 1 << 28 }),
    );
    const unix = zoo.sockets.filter((x) => x.kind.startsWith("unix"));
    let compared = 0;
    for (const l of ss) {
      const inode = Number(l.local.split(" ")[1]);
      if (!unix.some((x) => x.inode === inode)) continue;
      assert.equal(ours.get(inode)?.peer, l.peer, `peer of ${inode}: ${t.stdout}`);
      compared++;
    }
    assert.equal(compared, unix.length);
    const j = await runCli(["sockets", "-x", "-a", "--json", "--pid", String(zoo.pid)]);
    const rows = new Map(
      (JSON.parse(j.stdout) as { inode: number; peerInode: number }[]).map((r) => [r.inode, r]),
    );
    const peer = (kind: string) => rows.get(zoo.get(kind).inode)!.peerInode;
    assert.equal(peer("unix-client"), zoo.get("unix-accepted").inode);
    assert.equal(peer("unix-accepted"), zoo.get("unix-client").inode);
    assert.equal(peer("unix-dgram-connected"), zoo.get("unix-dgram").inode);
    assert.equal(peer("unix-listen"), 0);
    // /proc/net/unix has no peer: null, and "*" alone in the table.
    const p = await runCli(["sockets", "-x", "-a", "--source", "proc", "--json", "--pid", String(zoo.pid)]);
    for (const r of JSON.parse(p.stdout) as { peerInode: unknown }[]) assert.equal(r.peerInode, null);
  });

  it("--stream prints NDJSON; the text table has ss's columns", async () => {
    const s = await runCli(["sockets", "-x", "--json", "--stream", "--pid", String(zoo.pid)]);
    const lines = s.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { protocol: string });
    assert.ok(lines.length >= 6 && lines.every((l) => l.protocol === "unix"));
    const t = await runCli(["ss", "-t", "--sport", String(zoo.get("tcp-listen").port)]);
    assert.match(
      t.stdout,
      /^Netid\s+State\s+Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port\s+Process/,
    );
    assert.match(
      t.stdout,
      new RegExp(
        `tcp\\s+LISTEN\\s+0\\s+16\\s+127\\.0\\.0\\.1:${zoo.get("tcp-listen").port}\\s+0\\.0\\.0\\.0:\\*\\s+users:\\(\\("python3",pid=${zoo.pid},fd=${zoo.get("tcp-listen").fd}\\)\\)`,
      ),
    );
  });

  it("usage errors exit 2 before any I/O; bad values exit 1 or 2 with one line", async () => {
    for (const args of [
      ["ss", "-l", "-a"],
      ["ss", "-4", "-6"],
      ["ss", "--stream"],
      ["ss", "--state", "bogus"],
      ["ss", "--port", "70000"],
      ["ss", "extra"],
      ["ss", "--source", "x"],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(r.stderr.trim().split("\n").length, 1);
    }
    const bad = await runBin(["ss", "--dst", "10.0.0.300/8"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /ERR_ADDR_SYNTAX/);
  });
});

describe("netkit port (CLI)", { timeout: 30_000 }, () => {
  it("describes a port: category, kernel range, IANA names, sockets with owners", async () => {
    const r = await runCli(["port", "80/tcp", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const k = await readKernelPorts();
    assert.deepEqual(j.ephemeralRange, k.ephemeral);
    assert.equal(j.ports.length, 1);
    assert.equal(j.ports[0].category, "well-known");
    assert.equal(j.ports[0].names[0].name, "http");
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    try {
      const t = await runCli(["port", String(port)]);
      assert.match(t.stdout, new RegExp(`${port}/tcp\\n  IANA range:  (registered|dynamic)`));
      assert.match(t.stdout, new RegExp(`LISTEN .*users:\\(\\("node",pid=${process.pid},fd=\\d+\\)\\)`));
      const w = await runCli(["port", "who", `tcp:${port}`, "--json"]);
      const rows = JSON.parse(w.stdout) as { state: string; processes: { pid: number }[] }[];
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.processes[0]!.pid, process.pid);
    } finally {
      server.close();
    }
    const bad = await runCli(["port", "tcp:80/udp"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /ERR_PORT_SPEC/);
    const unknown = await runCli(["port", "no-such-service-xyz"]);
    assert.match(unknown.stderr, /ERR_UNKNOWN_SERVICE/);
  });

  it("who: --all adds the clients connected to the port", async () => {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    const { connect } = await import("node:net");
    const c = connect(port, "127.0.0.1");
    await once(c, "connect");
    try {
      type Row = { state: string; localPort: number; peerPort: number };
      const plain = JSON.parse((await runCli(["port", "who", `tcp:${port}`, "--json"])).stdout) as Row[];
      assert.deepEqual(
        plain.map((r) => [r.state, r.localPort]),
        [["LISTEN", port]],
      );
      const all = JSON.parse(
        (await runCli(["port", "who", `tcp:${port}`, "--all", "--json"])).stdout,
      ) as Row[];
      assert.equal(all.length, 3);
      assert.ok(all.some((r) => r.state === "ESTAB" && r.localPort === port)); // accepted
      assert.ok(all.some((r) => r.state === "ESTAB" && r.peerPort === port)); // client
    } finally {
      c.destroy();
      server.close();
    }
  });

  it("pick: a port free for TCP and UDP, in the range asked, bindable", async () => {
    const r = await runCli(["port", "pick", "--tcp", "--udp", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { port: number; from: number; to: number };
    const k = await readKernelPorts();
    assert.ok(j.port >= j.from && j.port <= j.to);
    assert.ok(j.port > k.ephemeral.last || j.port < k.ephemeral.first);
    // prove it: both binds succeed
    const s = createServer();
    s.listen(j.port, "127.0.0.1");
    await once(s, "listening");
    const u = createSocket("udp4");
    u.bind(j.port, "127.0.0.1");
    await once(u, "listening");
    u.close();
    s.close();
    // a UDP-busy port is not free for UDP (detect-port gets this wrong)
    const busy = createSocket("udp4");
    busy.bind(0, "127.0.0.1");
    await once(busy, "listening");
    const bp = busy.address().port;
    try {
      const p = await runCli(["port", "pick", "--udp", "--from", String(bp), "--to", String(bp)]);
      assert.equal(p.code, 1);
      assert.match(p.stderr, /ERR_NO_FREE_PORT/);
    } finally {
      busy.close();
    }
    assert.equal((await runCli(["port", "pick", "--from", "10", "--to", "5"])).code, 2);
  });
});
