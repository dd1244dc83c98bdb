/**
 * `netkit impair udp` (I/O shell): a UDP relay from a listening address to a target that passes
 * each client's datagrams through a {@link UdpPipeline} (drop, duplicate, reorder, delay, jitter,
 * rate), and relays the target's answers back (impaired too with `both`). Loopback use only.
 *
 * @example
 * const relay = await startUdpRelay({ listen: { host: "127.0.0.1", port: 0 },
 *   target: { host: "127.0.0.1", port: 7 }, impair: { drop: 0.05 }, seed: 1 });
 * relay.counts().forward.dropped; … await relay.close();
 */
import dgram from "node:dgram";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { NetkitError } from "../errors.js";
import { createRng } from "./rng.js";
import { type UdpImpairCounts, type UdpImpairment, UdpPipeline } from "./udp_pipeline.js";

export interface Endpoint {
  host: string;
  port: number;
}

export interface UdpRelayOptions {
  listen: Endpoint;
  target: Endpoint;
  impair: UdpImpairment;
  seed: number;
  /** Impair the answers too (default: only client → target). */
  both?: boolean;
}

export interface UdpRelay {
  readonly port: number;
  counts(): { flows: number; forward: UdpImpairCounts; back: UdpImpairCounts };
  close(): Promise<void>;
}

interface Flow {
  out: dgram.Socket;
  /** The outbound socket is connected (sending before that throws). */
  ready: boolean;
  fwd: UdpPipeline;
  back: UdpPipeline | null;
  backPassed: number;
}

const sum = (xs: UdpImpairCounts[]): UdpImpairCounts => {
  const t: UdpImpairCounts = {
    received: 0,
    forwarded: 0,
    dropped: 0,
    droppedRate: 0,
    duplicated: 0,
    reordered: 0,
    passed: 0,
  };
  for (const x of xs) for (const k of Object.keys(t) as (keyof UdpImpairCounts)[]) t[k] += x[k];
  return t;
};

export async function startUdpRelay(o: UdpRelayOptions): Promise<UdpRelay> {
  const type = net.isIPv6(o.listen.host) ? "udp6" : "udp4";
  const sock = dgram.createSocket(type);
  const rng = createRng(o.seed);
  const flows = new Map<string, Flow>();
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const pump = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (closed) return;
    const now = performance.now();
    let next: number | null = null;
    for (const [key, f] of flows) {
      if (!f.ready) continue;
      for (const d of f.fwd.release(now)) f.out.send(d);
      if (f.back !== null) {
        const sep = key.lastIndexOf("|");
        const host = key.slice(0, sep);
        const port = Number(key.slice(sep + 1));
        for (const d of f.back.release(now)) sock.send(d, port, host);
      }
      for (const n of [f.fwd.nextDue(), f.back?.nextDue() ?? null])
        if (n !== null && (next === null || n < next)) next = n;
    }
    if (next !== null) timer = setTimeout(pump, Math.max(0, next - performance.now()));
  };

  /** Local ports of our own outbound sockets: a datagram from one of them came back in a loop. */
  const ownPorts = new Set<number>();
  sock.on("message", (msg, rinfo) => {
    if (ownPorts.has(rinfo.port)) return; // the relay's own output looped back to it: never relay it again
    const key = `${rinfo.address}|${rinfo.port}`;
    let f = flows.get(key);
    if (f === undefined) {
      const out = dgram.createSocket(net.isIPv6(o.target.host) ? "udp6" : "udp4");
      const flow: Flow = {
        out,
        ready: false,
        fwd: new UdpPipeline(o.impair, rng),
        back: o.both ? new UdpPipeline({ ...o.impair }, rng) : null,
        backPassed: 0,
      };
      out.on("error", () => {}); // ICMP port unreachable from the target: nothing to relay
      out.on("message", (m) => {
        if (flow.back !== null) {
          flow.back.push(m, performance.now());
          pump();
        } else {
          flow.backPassed++;
          sock.send(m, rinfo.port, rinfo.address);
        }
      });
      out.connect(o.target.port, o.target.host);
      flows.set(key, flow);
      f = flow;
      // connect is asynchronous: datagrams wait in the pipeline until it is done.
      out.once("connect", () => {
        ownPorts.add(out.address().port);
        flow.ready = true;
        pump();
      });
    }
    f.fwd.push(msg, performance.now());
    pump();
  });

  await new Promise<void>((resolve, reject) => {
    sock.once("error", (e) =>
      reject(
        new NetkitError("ERR_IO", `cannot bind UDP ${o.listen.host} port ${o.listen.port}: ${e.message}`, {
          cause: e,
        }),
      ),
    );
    sock.bind(o.listen.port, o.listen.host, () => resolve());
  });
  sock.setRecvBufferSize(4 * 1024 * 1024);
  return {
    port: sock.address().port,
    counts: () => {
      const fs = [...flows.values()];
      const back = sum(
        fs.map(
          (f) => f.back?.counts ?? { ...emptyCounts(), received: f.backPassed, forwarded: f.backPassed },
        ),
      );
      return { flows: fs.length, forward: sum(fs.map((f) => f.fwd.counts)), back };
    },
    close: async () => {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      for (const f of flows.values()) f.out.close();
      await new Promise<void>((r) => sock.close(() => r()));
    },
  };
}

function emptyCounts(): UdpImpairCounts {
  return { received: 0, forwarded: 0, dropped: 0, droppedRate: 0, duplicated: 0, reordered: 0, passed: 0 };
}
