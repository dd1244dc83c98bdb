import assert from "node:assert/strict";
import dgram from "node:dgram";
import net from "node:net";
import { describe, it } from "node:test";
import { demoRows, demoTcp, demoUdp } from "../../src/cli/demo_sockets.js";
import { listSockets } from "../../src/ports/list_sockets.js";
import { runBin } from "../helpers/cli.js";

describe("netkit demo: the notes' sockets scenario", () => {
  it("runs the UDP and TCP exchanges, shows the socket states, ends by itself with exit 0", async () => {
    const r = await runBin(["demo"]); // ends by itself: the test's guard catches a hang
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split("Received response: HELLO, SERVER!").length, 3);
    for (const [proto, state] of [
      ["udp", "UNCONN"],
      ["udp", "ESTAB"],
      ["tcp", "LISTEN"],
      ["tcp", "ESTAB"],
      ["tcp", "TIME-WAIT"],
    ])
      assert.match(r.stdout, new RegExp(`^  ${proto} +${state} +127\\.0\\.0\\.1:\\d+ `, "m"));
    assert.match(r.stdout, /four-way/);
    assert.match(r.stdout, /three-way handshake/);
    assert.match(r.stdout, /192\.168\.1\.0\/24/); // the IP examples follow
  });

  it("says so and uses a free port when 2000 is taken (proved by holding it ourselves)", async () => {
    const u = dgram.createSocket("udp4");
    const t = net.createServer();
    const held: string[] = [];
    await new Promise<void>((res) => {
      u.once("error", () => res()); // already taken by someone else: just as good for this test
      u.bind(2000, "127.0.0.1", () => {
        held.push("udp");
        res();
      });
    });
    await new Promise<void>((res) => {
      t.once("error", () => res());
      t.listen(2000, "127.0.0.1", () => {
        held.push("tcp");
        res();
      });
    });
    try {
      const r = await runBin(["demo", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      for (const proto of ["udp", "tcp"] as const) {
        assert.notEqual(j[proto].port, 2000);
        assert.match(j[proto].fallback, /port 2000 is taken/);
        assert.equal(j[proto].reply, "HELLO, SERVER!");
      }
      const tw = j.tcp.afterClose.rows.find((row: { state: string }) => row.state === "TIME-WAIT");
      assert.equal(tw.local, `127.0.0.1:${j.tcp.clientPort}`);
      assert.equal(tw.peer, `127.0.0.1:${j.tcp.port}`);
      assert.ok(
        j.udp.sockets.rows.some(
          (row: { state: string; local: string }) => row.local === `127.0.0.1:${j.udp.port}`,
        ),
      );
    } finally {
      if (held.includes("udp")) u.close();
      if (held.includes("tcp")) t.close();
    }
  });
});

describe("the demo's socket states come from the project's socket table (src/ports)", () => {
  it("IPv6: on ::1 the demo's own rows are found, with the right states and owner", async (t) => {
    const probe = net.createServer();
    const v6 = await new Promise<boolean>((res) => {
      probe.once("error", () => res(false));
      probe.listen(0, "::1", () => probe.close(() => res(true)));
    });
    if (!v6) return t.skip("::1 is not configured on this machine");
    const udp = await demoUdp({ host: "::1", port: 0 });
    assert.equal(udp.reply, "HELLO, SERVER!");
    assert.notEqual(udp.sockets, null);
    assert.deepEqual(udp.sockets!.rows.map((r) => [r.state, r.local, r.peer, r.pid]).sort(), [
      ["ESTAB", `[::1]:${udp.clientPort}`, `[::1]:${udp.port}`, process.pid],
      ["UNCONN", `[::1]:${udp.port}`, "[::]:0", process.pid],
    ]);
    const tcp = await demoTcp({ host: "::1", port: 0 });
    assert.equal(tcp.reply, "HELLO, SERVER!");
    const states = (s: typeof tcp.established) => s!.rows.map((r) => r.state).sort();
    assert.deepEqual(states(tcp.established), ["ESTAB", "ESTAB", "LISTEN"]);
    assert.deepEqual(states(tcp.afterClose), ["LISTEN", "TIME-WAIT"]);
    const tw = tcp.afterClose!.rows.find((r) => r.state === "TIME-WAIT")!;
    assert.equal(tw.local, `[::1]:${tcp.clientPort}`);
    assert.equal(tw.inode, 0);
    assert.equal(tw.pid, null);
  });

  it("demoRows keeps only the server's endpoint and this conversation's client end", async () => {
    // Real sockets: a listener, our connection to it, and a stranger connected to the same listener.
    const srv = net.createServer((s) => s.on("error", () => undefined));
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    const connect = () =>
      new Promise<net.Socket>((r) => {
        const s = net.connect(port, "127.0.0.1", () => r(s));
      });
    const mine = await connect();
    const stranger = await connect();
    try {
      const { rows } = listSockets({ protocols: ["tcp"], families: [4], filter: { port } });
      assert.ok(rows.length >= 5, "listener + 2 accepted + 2 clients");
      const kept = demoRows(rows, "127.0.0.1", port, mine.localPort!);
      const locals = kept.map((r) => r.local).sort();
      assert.deepEqual(
        locals,
        [`127.0.0.1:${mine.localPort}`, `127.0.0.1:${port}`, `127.0.0.1:${port}`, `127.0.0.1:${port}`].sort(),
      );
      assert.ok(!kept.some((r) => r.local === `127.0.0.1:${stranger.localPort}`));
      assert.ok(kept.every((r) => r.pid === process.pid));
      assert.deepEqual(demoRows(rows, "::1", port, mine.localPort!), []); // another address: none
    } finally {
      mine.destroy();
      stranger.destroy();
      await new Promise((r) => srv.close(r));
    }
  });
});
