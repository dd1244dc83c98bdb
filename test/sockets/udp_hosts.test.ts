/**
 * UDP across real test hosts (network namespaces, see test/helpers/netns.ts), with the src/sockets
 * library running inside the hosts (test/helpers/udp_agent.ts): a broadcast from host a to its
 * segment's broadcast address reaches host c (and needs SO_BROADCAST); a multicast from a (TTL 1)
 * reaches c, which joined the group on its interface, but not b behind the router; a datagram sent
 * to b's unicast address reaches b and not c.
 */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ADDR, type TestNet, withTestNet } from "../helpers/netns.js";

const AGENT = fileURLToPath(new URL("../helpers/udp_agent.js", import.meta.url));

interface AgentEvent {
  event: string;
  port?: number;
  from?: string;
  size?: number;
  data?: string;
  code?: string;
  message?: string;
}

/** A long-running `udp_agent serve` inside a host: its events as they arrive. */
interface Listener {
  port: number;
  events: AgentEvent[];
  stop(): Promise<void>;
}

async function listen(net: TestNet, host: "b" | "c", server: Record<string, unknown>): Promise<Listener> {
  const child: ChildProcessWithoutNullStreams = spawn("ip", [
    "netns",
    "exec",
    net.ns[host],
    process.execPath,
    AGENT,
    "serve",
    JSON.stringify({ server, lifeMs: 30_000 }),
  ]);
  const events: AgentEvent[] = [];
  let err = "";
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let buf = "";
      child.stdout.on("data", (d: Buffer) => {
        buf += d.toString();
        for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
          const e = JSON.parse(buf.slice(0, i)) as AgentEvent;
          buf = buf.slice(i + 1);
          if (e.event === "listening") resolve(e.port!);
          else events.push(e);
        }
      });
      child.once("exit", (code) => reject(new Error(`agent in ${host} exited ${code}: ${err.trim()}`)));
      setTimeout(() => reject(new Error(`agent in ${host} did not start: ${err.trim()}`)), 10_000).unref();
    });
    return { port, events, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function send(net: TestNet, client: Record<string, unknown>, timeoutMs = 1500): Promise<AgentEvent> {
  const out = await net.run(
    "a",
    [process.execPath, AGENT, "send", JSON.stringify({ client, message: "hello hosts", timeoutMs })],
    20_000,
  );
  return JSON.parse(out.trim()) as AgentEvent;
}

/** Wait until `pred` holds or `ms` passed (datagrams in flight across veths take microseconds). */
async function settle(pred: () => boolean, ms = 1000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe("UDP across test hosts", { timeout: 90_000 }, () => {
  it("a broadcast from a reaches c on the segment, only with SO_BROADCAST", async (t) => {
    await withTestNet(t, async (net) => {
      const c = await listen(net, "c", { host: "0.0.0.0", port: 0 });
      try {
        const brd = "10.201.1.255";
        // Without SO_BROADCAST the kernel refuses to send to a broadcast address (EACCES).
        const refused = await send(net, { host: brd, port: c.port, connect: false });
        assert.equal(refused.event, "error", JSON.stringify(refused));
        assert.match(refused.message!, /EACCES/);
        assert.equal(c.events.length, 0);
        const r = await send(net, { host: brd, port: c.port, broadcast: true });
        // c's echo server got it from a and answered a directly.
        assert.deepEqual(r, { event: "reply", from: ADDR.c.v4, data: "hello hosts" });
        await settle(() => c.events.length > 0);
        assert.deepEqual(c.events, [{ event: "datagram", from: ADDR.a.v4, size: 11 }]);
      } finally {
        await c.stop();
      }
    });
  });

  it("a multicast from a (TTL 1) reaches c, which joined on its interface, but not b behind r", async (t) => {
    await withTestNet(t, async (net) => {
      const group = "239.1.2.3";
      const c = await listen(net, "c", {
        host: "0.0.0.0",
        port: 0,
        multicast: { group, interface: ADDR.c.v4, ttl: 1 },
      });
      const b = await listen(net, "b", {
        host: "0.0.0.0",
        port: c.port,
        multicast: { group, interface: ADDR.b.v4 },
      });
      try {
        const r = await send(net, {
          host: group,
          port: c.port,
          multicastTtl: 1,
          multicastInterface: ADDR.a.v4,
          multicastLoopback: false,
        });
        assert.deepEqual(r, { event: "reply", from: ADDR.c.v4, data: "hello hosts" });
        await settle(() => c.events.length > 0);
        assert.deepEqual(c.events, [{ event: "datagram", from: ADDR.a.v4, size: 11 }]);
        await new Promise((res) => setTimeout(res, 200));
        assert.deepEqual(b.events, [], "multicast with TTL 1 does not cross the router");
        // c did not join a second group: a datagram to it is not delivered.
        const other = await send(net, { host: "239.1.2.4", port: c.port, multicastTtl: 1 }, 300);
        assert.deepEqual(other, { event: "timeout" });
        assert.equal(c.events.length, 1);
      } finally {
        await c.stop();
        await b.stop();
      }
    });
  });

  it("a datagram to b's unicast address reaches b, not c", async (t) => {
    await withTestNet(t, async (net) => {
      const c = await listen(net, "c", { host: "0.0.0.0", port: 0 });
      const b = await listen(net, "b", { host: "0.0.0.0", port: c.port });
      try {
        const r = await send(net, { host: ADDR.b.v4, port: c.port });
        assert.deepEqual(r, { event: "reply", from: ADDR.b.v4, data: "hello hosts" });
        await settle(() => b.events.length > 0);
        assert.deepEqual(b.events, [{ event: "datagram", from: ADDR.a.v4, size: 11 }]);
        await new Promise((res) => setTimeout(res, 200));
        assert.deepEqual(c.events, [], "c is on a's segment but the datagram was not for it");
      } finally {
        await c.stop();
        await b.stop();
      }
    });
  });
});
