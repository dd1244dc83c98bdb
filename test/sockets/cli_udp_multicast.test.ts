/**
 * `netkit udp serve|send` multicast and broadcast flags, on loopback only: groups are joined and
 * sent through interface 127.0.0.1, multicast sends use TTL 0 or 1, broadcasts go to
 * 127.255.255.255. The TTLs are read from the received datagrams' IP headers (IP_RECVTTL) by a
 * Python peer (test/helpers/mcast_peer.py).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { runBin, runCli } from "../helpers/cli.js";
import { fixture, have, startNetkit, startPeer, waitFor } from "../helpers/peers.js";

const PEER = fixture("../helpers/mcast_peer.py");
const HAVE_PY = have("python3", ["-c", ""]);

/** Start `netkit udp serve … --json` and return it with its listening event. */
async function serve(args: string[]) {
  const srv = startNetkit(["udp", "serve", ...args, "--json"]);
  await waitFor(() => srv.stdout().includes("\n") || srv.child.exitCode !== null, 5000, "listening event");
  const listening = JSON.parse(srv.stdout().split("\n")[0]!) as Record<string, unknown> & { port: number };
  return { srv, listening };
}

/** The Python peer sends to the group (TTL `ttl`) and reports the reply and the reply's TTL. */
async function pySend(group: string, port: number, ttl: number, message: string) {
  const p = startPeer("python3", [PEER, "send", group, String(port), "127.0.0.1", String(ttl), message]);
  assert.equal(await p.exited, 0, p.stderr());
  return JSON.parse(p.stdout()) as { reply: string; ttl: number; from: [string, number] };
}

describe("netkit udp: multicast and broadcast on loopback", () => {
  it("serve --multicast GROUP --multicast-if 127.0.0.1 --ttl 1: answers a group datagram; the reply's TTL is 1", async (t) => {
    if (!HAVE_PY) return t.skip("python3 is not installed");
    const group = "239.255.77.91";
    const base = ["--host", "0.0.0.0", "--port", "0", "--handler", "upper", "--multicast", group];
    const { srv, listening } = await serve([...base, "--multicast-if", "127.0.0.1", "--ttl", "1"]);
    try {
      assert.deepEqual(listening.multicast, { group, interface: "127.0.0.1" });
      assert.equal(listening.ttl, 1);
      const r = await pySend(group, listening.port, 0, "hello group");
      assert.equal(r.reply, "HELLO GROUP");
      assert.equal(r.ttl, 1);
      assert.equal(r.from[1], listening.port);
    } finally {
      srv.child.kill("SIGTERM");
      assert.equal(await srv.exited, 0);
    }
    const stats = JSON.parse(srv.stdout().trim().split("\n").at(-1)!);
    assert.equal(stats.datagrams, 1);
    // Without --ttl the reply carries the system's default TTL: the flag is what changed it.
    const dflt = Number(readFileSync("/proc/sys/net/ipv4/ip_default_ttl", "utf8"));
    assert.notEqual(dflt, 1);
    const plain = await serve([...base, "--multicast-if", "127.0.0.1"]);
    try {
      assert.equal((await pySend(group, plain.listening.port, 1, "x")).ttl, dflt);
    } finally {
      await plain.srv.kill();
    }
  });

  it("send GROUP --multicast-if 127.0.0.1 --ttl 0|1: the datagram carries that TTL; netkit serve answers netkit send", async (t) => {
    if (!HAVE_PY) return t.skip("python3 is not installed");
    const group = "239.255.77.92";
    for (const ttl of [0, 1]) {
      const rx = startPeer("python3", [PEER, "recv", group, "127.0.0.1"]);
      try {
        await waitFor(() => /\d+\n/.test(rx.stdout()) || rx.child.exitCode !== null, 5000, "receiver port");
        const port = rx.stdout().trim();
        const r = await runBin([
          "udp",
          "send",
          group,
          port,
          "hi",
          "--multicast-if",
          "127.0.0.1",
          "--ttl",
          String(ttl),
          "--timeout",
          "2",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `ttl=${ttl}`);
      } finally {
        await rx.kill();
      }
    }
    const { srv, listening } = await serve([
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      "--handler",
      "reverse",
      "--multicast",
      group,
      "--multicast-if",
      "127.0.0.1",
    ]);
    try {
      const r = await runBin([
        "udp",
        "send",
        group,
        String(listening.port),
        "group",
        "--multicast-if",
        "127.0.0.1",
        "--ttl",
        "0",
        "--json",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.reply, "puorg");
      assert.equal(j.from.port, listening.port);
    } finally {
      await srv.kill();
    }
  });

  it("broadcast: serve on 0.0.0.0 gets a datagram sent to 127.255.255.255 with send --broadcast; without it, exit 1", async () => {
    const { srv, listening } = await serve([
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      "--broadcast",
      "--handler",
      "upper",
    ]);
    try {
      assert.equal(listening.broadcast, true);
      const r = await runBin([
        "udp",
        "send",
        "127.255.255.255",
        String(listening.port),
        "bcast",
        "--broadcast",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "BCAST");
      const refused = await runBin([
        "udp",
        "send",
        "127.255.255.255",
        String(listening.port),
        "x",
        "--timeout",
        "0.5",
      ]);
      assert.equal(refused.code, 1);
      assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
      assert.match(refused.stderr, /EACCES/);
    } finally {
      srv.child.kill("SIGTERM");
      assert.equal(await srv.exited, 0);
    }
    assert.equal(JSON.parse(srv.stdout().trim().split("\n").at(-1)!).datagrams, 1); // only the broadcast one
  });

  it("flag mistakes are usage errors before any socket (exit 2, one line)", async () => {
    for (const args of [
      ["udp", "serve", "--ttl", "0"],
      ["udp", "serve", "--ttl", "256"],
      ["udp", "serve", "--multicast", "10.0.0.1"],
      ["udp", "serve", "--multicast", "239.1.1.1", "--multicast-if", "lo"],
      ["udp", "serve", "--multicast-if", "127.0.0.1"],
      ["tcp", "serve", "--ttl", "5"],
      ["udp", "send", "127.0.0.1", "9", "x", "--ttl", "0"],
      ["udp", "send", "127.0.0.1", "9", "x", "--multicast-if", "127.0.0.1"],
      ["udp", "send", "239.1.1.1", "9", "x", "--multicast-if", "lo"],
      ["udp", "send", "239.1.1.1", "9", "x", "--ttl", "300"],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(" ")} → ${r.code}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  });
});
