import assert from "node:assert/strict";
import dgram from "node:dgram";
import { describe, it } from "node:test";
import { startUdpServer, UdpClient, udpRequest } from "../../src/index.js";
import { fixture, startPeer, waitFor } from "../helpers/peers.js";

function rawSocket(type: "udp4" | "udp6" = "udp4"): Promise<dgram.Socket> {
  const s = dgram.createSocket(type);
  return new Promise((resolve) => s.bind(0, type === "udp4" ? "127.0.0.1" : "::1", () => resolve(s)));
}

describe("UDP server and client (library)", () => {
  it("the notes' Python client talks to our server (process_data = upper)", async () => {
    const server = await startUdpServer({ host: "127.0.0.1", port: 0, handler: "upper", buffer: 1024 });
    try {
      const py = startPeer("python3", [fixture("notes/udp_client.py"), String(server.address.port)]);
      const code = await py.exited;
      assert.equal(code, 0, py.stderr());
      assert.equal(py.stdout(), "Received response: HELLO, SERVER!\n");
      assert.equal(server.stats().datagrams, 1);
    } finally {
      await server.close();
    }
  });

  it("our client talks to the notes' Python server; an unbound client gets an ephemeral port", async () => {
    const py = startPeer("python3", [fixture("notes/udp_server.py"), "0"]);
    try {
      await waitFor(() => py.stdout().includes("\n"), 5000, "python server port");
      const port = Number(py.stdout().trim());
      const r = await udpRequest({ host: "127.0.0.1", port, message: "Hello, server!", timeout: 2000 });
      assert.equal(r.data.toString("utf8"), "HELLO, SERVER!");
      assert.equal(r.port, port);
      assert.ok(r.local.port >= 1024 && r.local.port !== port);
    } finally {
      await py.kill();
    }
  });

  it("a bound client keeps its port across runs", async () => {
    const server = await startUdpServer({ host: "127.0.0.1", port: 0 });
    const probe = await rawSocket();
    const fixed = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    try {
      const seen: number[] = [];
      server.on("datagram", (e: { remotePort: number }) => seen.push(e.remotePort));
      for (let i = 0; i < 2; i++) {
        const r = await udpRequest({
          host: "127.0.0.1",
          port: server.address.port,
          localPort: fixed,
          message: "x",
        });
        assert.equal(r.local.port, fixed);
      }
      assert.deepEqual(seen, [fixed, fixed]);
    } finally {
      await server.close();
    }
  });

  it("truncates like recvfrom(1024) but counts and reports it; empty datagrams are answered", async () => {
    const server = await startUdpServer({ host: "127.0.0.1", port: 0, buffer: 1024 });
    const truncs: { size: number }[] = [];
    server.on("truncated", (e: { size: number }) => truncs.push(e));
    const c = await UdpClient.open({ host: "127.0.0.1", port: server.address.port });
    try {
      const big = await c.request(Buffer.alloc(3000, 0x61), { timeout: 2000 });
      assert.equal(big.data.length, 1024);
      const empty = await c.request(Buffer.alloc(0), { timeout: 2000 });
      assert.equal(empty.size, 0);
      const s = server.stats();
      assert.equal(s.truncated, 1);
      assert.equal(s.empty, 1);
      assert.deepEqual(
        truncs.map((t) => t.size),
        [3000],
      );
    } finally {
      await c.close();
      await server.close();
    }
  });

  it("survives invalid UTF-8 (the notes' server dies on it) and keeps answering", async () => {
    const server = await startUdpServer({ host: "127.0.0.1", port: 0, handler: "upper" });
    const c = await UdpClient.open({ host: "127.0.0.1", port: server.address.port });
    try {
      const bad = await c.request(Buffer.from([0xff, 0xfe, 0x61, 0xc3]), { timeout: 2000 });
      assert.equal(bad.data.toString("utf8"), "\ufffd\ufffdA\ufffd");
      const ok = await c.request("straße", { timeout: 2000 });
      assert.equal(ok.data.toString("utf8"), "STRASSE");
    } finally {
      await c.close();
      await server.close();
    }
  });

  it("garbage, oversized and empty datagrams in bulk: the server survives and stays correct", async () => {
    const server = await startUdpServer({ host: "127.0.0.1", port: 0, handler: "reverse", buffer: 512 });
    const s = await rawSocket();
    try {
      let replies = 0;
      s.on("message", () => replies++);
      for (let i = 0; i < 300; i++) {
        const n = i % 3 === 0 ? 0 : i % 3 === 1 ? 4000 : 1 + (i % 200);
        const buf = Buffer.alloc(n);
        for (let j = 0; j < n; j += 97) buf[j] = (i * 31 + j) & 0xff;
        s.send(buf, server.address.port, "127.0.0.1");
        // In batches of 10, so a loaded machine cannot overflow the kernel's receive queue.
        if (i % 10 === 9) await waitFor(() => server.stats().datagrams === i + 1, 5000, `datagram ${i + 1}`);
      }
      await waitFor(() => server.stats().datagrams === 300, 5000, "datagrams");
      const c = await UdpClient.open({ host: "127.0.0.1", port: server.address.port });
      const r = await c.request("abc", { timeout: 2000 });
      await c.close();
      assert.equal(r.data.toString(), "cba");
      const st = server.stats();
      assert.equal(st.truncated, 100);
      assert.equal(st.empty, 100);
      await waitFor(() => replies === 300, 3000, "300 replies");
    } finally {
      s.close();
      await server.close();
    }
  });

  it("ICMP port unreachable on a connected socket is ERR_CONN_REFUSED, not a crash or a hang", async () => {
    const probe = await rawSocket();
    const port = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    // A missed refusal would end as ERR_TIMEOUT instead: the code tells the two apart, not a clock.
    await assert.rejects(udpRequest({ host: "127.0.0.1", port, message: "anyone?", timeout: 60_000 }), {
      code: "ERR_CONN_REFUSED",
    });
  });

  it("times out with retries, counting the attempts", async () => {
    const silent = await rawSocket(); // receives, never answers
    let got = 0;
    silent.on("message", () => got++);
    try {
      await assert.rejects(
        udpRequest({
          host: "127.0.0.1",
          port: silent.address().port,
          message: "x",
          timeout: 100,
          retries: 2,
        }),
        { code: "ERR_SOCKET_TIMEOUT" },
      );
      await waitFor(() => got === 3, 1000, "three attempts");
    } finally {
      silent.close();
    }
  });

  it("EADDRINUSE is ERR_ADDR_IN_USE naming host:port", async () => {
    const a = await startUdpServer({ host: "127.0.0.1", port: 0 });
    try {
      await assert.rejects(
        startUdpServer({ host: "127.0.0.1", port: a.address.port }),
        (e: Error & { code: string }) => {
          assert.equal(e.code, "ERR_ADDR_IN_USE");
          assert.ok(e.message.includes(`127.0.0.1:${a.address.port}`), e.message);
          return true;
        },
      );
    } finally {
      await a.close();
    }
  });

  it("IPv6 on ::1, and a dual-stack server unmaps IPv4 peers for the allow list", async () => {
    const v6 = await startUdpServer({ host: "::1", port: 0, handler: "upper" });
    const dual = await startUdpServer({ host: "::", port: 0, allow: ["127.0.0.0/8"], deny: ["::1/128"] });
    try {
      const r = await udpRequest({ host: "::1", port: v6.address.port, message: "v6", timeout: 2000 });
      assert.equal(r.data.toString(), "V6");
      assert.equal(r.address, "::1");
      const r4 = await udpRequest({
        host: "127.0.0.1",
        port: dual.address.port,
        message: "mapped",
        timeout: 2000,
      });
      assert.equal(r4.data.toString(), "mapped");
      await assert.rejects(
        udpRequest({ host: "::1", port: dual.address.port, message: "no", timeout: 200 }),
        {
          code: "ERR_SOCKET_TIMEOUT",
        },
      );
      assert.equal(dual.stats().denied, 1);
    } finally {
      await v6.close();
      await dual.close();
    }
  });

  it("a v6-only server does not receive IPv4", async () => {
    const s = await startUdpServer({ host: "::", port: 0, ipv6Only: true });
    try {
      await assert.rejects(
        udpRequest({ host: "127.0.0.1", port: s.address.port, message: "x", timeout: 300 }),
        (e: Error & { code: string }) => e.code === "ERR_CONN_REFUSED" || e.code === "ERR_SOCKET_TIMEOUT",
      );
      const r = await udpRequest({ host: "::1", port: s.address.port, message: "y", timeout: 2000 });
      assert.equal(r.data.toString(), "y");
    } finally {
      await s.close();
    }
  });

  it("broadcast needs the option; with it a datagram to 127.255.255.255 arrives", async () => {
    const server = await startUdpServer({ host: "0.0.0.0", port: 0, handler: "upper" });
    try {
      const c = await UdpClient.open({ host: "127.255.255.255", port: server.address.port, broadcast: true });
      await c.send("bcast");
      const r = await c.receive(2000);
      await c.close();
      assert.equal(r.data.toString(), "BCAST");
      const noOpt = await UdpClient.open({
        host: "255.255.255.255",
        port: server.address.port,
        connect: false,
      });
      await assert.rejects(noOpt.send("x"), { code: "ERR_IO" });
      await noOpt.close();
    } finally {
      await server.close();
    }
  });

  it("multicast on loopback: join a group, receive, reply", async () => {
    const server = await startUdpServer({
      host: "0.0.0.0",
      port: 0,
      handler: "upper",
      multicast: { group: "239.255.77.77", interface: "127.0.0.1", loopback: true },
    });
    try {
      const c = await UdpClient.open({
        host: "239.255.77.77",
        port: server.address.port,
        multicastInterface: "127.0.0.1",
        multicastLoopback: true,
        multicastTtl: 0,
      });
      await c.send("group hello");
      const r = await c.receive(2000);
      await c.close();
      assert.equal(r.data.toString(), "GROUP HELLO");
    } finally {
      await server.close();
    }
  });

  it("async iteration over received datagrams, and close() returns the stats", async () => {
    const server = await startUdpServer({ host: "127.0.0.1", port: 0 });
    const c = await UdpClient.open({ host: "127.0.0.1", port: server.address.port });
    for (const m of ["a", "b", "c"]) await c.send(m);
    const got: string[] = [];
    for await (const d of c) {
      got.push(d.data.toString());
      if (got.length === 3) break;
    }
    await c.close();
    assert.deepEqual(got, ["a", "b", "c"]);
    const st = await server.close();
    assert.equal(st.datagrams, 3);
    assert.equal(st.replies, 3);
  });
});
