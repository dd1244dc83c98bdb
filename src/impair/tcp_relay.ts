/**
 * `netkit impair tcp` (I/O shell): a TCP relay with Toxiproxy-like faults: added latency per
 * chunk, a bandwidth cap (token bucket, back-pressure instead of loss), and resets (an RST after
 * some bytes, on every connection or on a seeded fraction of them). With no fault it is a plain
 * relay. Loopback use only.
 *
 * @example
 * const r = await startTcpRelay({ listen: { host: "127.0.0.1", port: 0 },
 *   target: { host: "127.0.0.1", port }, latencyMs: 20, seed: 1 });
 * … await r.close();
 */
import net from "node:net";
import { performance } from "node:perf_hooks";
import { NetkitError } from "../errors.js";
import { createRng } from "./rng.js";
import type { Endpoint } from "./udp_relay.js";

export interface TcpRelayOptions {
  listen: Endpoint;
  target: Endpoint;
  /** Added one-way latency per chunk, ms (both directions). */
  latencyMs?: number;
  /** Bandwidth cap per direction, bit/s (0: none). */
  bandwidth?: number;
  /** Reset the connection (RST both ways) once this many bytes went through (0: never). */
  resetAfter?: number;
  /** Probability 0–1 that a connection gets the reset fault (default 1 when resetAfter is set). */
  resetProbability?: number;
  seed: number;
}

export interface TcpRelayCounts {
  connections: number;
  bytesUp: number;
  bytesDown: number;
  resets: number;
}

export interface TcpRelay {
  readonly port: number;
  counts(): TcpRelayCounts;
  close(): Promise<void>;
}

/** Close with an RST (or plainly, when the socket has no connection to reset). */
function cut(s: net.Socket): void {
  if (s.destroyed) return;
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
}

/** Bytes a direction may hold back (latency queue) before it stops reading its source. */
const QUEUE_HIGH = 4 * 1024 * 1024;

export async function startTcpRelay(o: TcpRelayOptions): Promise<TcpRelay> {
  const rng = createRng(o.seed);
  const counts: TcpRelayCounts = { connections: 0, bytesUp: 0, bytesDown: 0, resets: 0 };
  const open = new Set<net.Socket>();
  const latency = o.latencyMs ?? 0;
  const bandwidth = o.bandwidth ?? 0;
  // With a bandwidth cap, hold back at most ~100 ms of traffic before pausing the source.
  const high = bandwidth > 0 ? Math.max(16 * 1024, Math.floor(bandwidth / 80)) : QUEUE_HIGH;
  const server = net.createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true }, (client) => {
    counts.connections++;
    const willReset = (o.resetAfter ?? 0) > 0 && rng() < (o.resetProbability ?? 1);
    const upstream = net.connect({
      host: o.target.host,
      port: o.target.port,
      noDelay: true,
      allowHalfOpen: true,
    });
    open.add(client);
    open.add(upstream);
    let moved = 0;
    let reset = false;
    const doReset = () => {
      if (reset) return;
      reset = true;
      counts.resets++;
      cut(client);
      cut(upstream);
    };
    /**
     * One direction, independent of the other: chunks (and at the end the FIN) wait in a FIFO
     * until their time (arrival + latency, after the link is free with a bandwidth cap), so
     * nothing overtakes and a FIN goes out only after every byte before it.
     */
    const pipe = (src: net.Socket, dst: net.Socket, up: boolean) => {
      const queue: { data: Buffer | null; due: number }[] = [];
      let queued = 0;
      let linkFree = 0; // when the capped link has sent everything queued so far
      let timer: NodeJS.Timeout | undefined;
      let blocked = false; // waiting for dst to drain
      /** Read more once the queue is below the mark and dst takes data. */
      const refill = () => {
        if (queued < high && src.isPaused() && !reset && !blocked) src.resume();
      };
      const pump = () => {
        timer = undefined;
        while (queue.length > 0 && !reset && !blocked) {
          const head = queue[0]!;
          const wait = head.due - performance.now();
          if (wait > 0) {
            timer = setTimeout(pump, wait);
            refill();
            return;
          }
          queue.shift();
          if (head.data === null) {
            if (!dst.destroyed) dst.end();
            return;
          }
          queued -= head.data.length;
          if (dst.destroyed) continue;
          const more = dst.write(head.data);
          moved += head.data.length;
          if (willReset && moved >= o.resetAfter!) return doReset();
          if (!more) {
            blocked = true;
            dst.once("drain", () => {
              blocked = false;
              pump();
            });
          }
        }
        refill();
      };
      const enqueue = (data: Buffer | null) => {
        const now = performance.now();
        let sent = now;
        if (bandwidth > 0 && data !== null) {
          linkFree = Math.max(linkFree, now) + (data.length * 8 * 1000) / bandwidth;
          sent = linkFree;
        } else if (data === null) sent = Math.max(now, linkFree);
        const last = queue.length > 0 ? queue[queue.length - 1]!.due : 0;
        queue.push({ data, due: Math.max(sent + latency, last) });
        if (data !== null) queued += data.length;
        if (timer === undefined && !blocked) pump();
      };
      src.on("data", (chunk: Buffer) => {
        if (reset) return;
        if (up) counts.bytesUp += chunk.length;
        else counts.bytesDown += chunk.length;
        if (queued + chunk.length >= high) src.pause();
        enqueue(chunk);
      });
      // The source's FIN ends only this direction; the other one goes on until its own FIN.
      src.on("end", () => enqueue(null));
    };
    upstream.on("connect", () => {
      pipe(client, upstream, true);
      pipe(upstream, client, false);
      client.resume();
    });
    for (const s of [client, upstream]) {
      s.on("error", () => {
        // A reset on one side is passed on as a reset on the other.
        cut(client);
        cut(upstream);
      });
      s.on("close", () => open.delete(s));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) =>
      reject(
        new NetkitError("ERR_IO", `cannot listen on ${o.listen.host} port ${o.listen.port}: ${e.message}`, {
          cause: e,
        }),
      ),
    );
    server.listen(o.listen.port, o.listen.host, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    counts: () => ({ ...counts }),
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
