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

export async function startTcpRelay(o: TcpRelayOptions): Promise<TcpRelay> {
  const rng = createRng(o.seed);
  const counts: TcpRelayCounts = { connections: 0, bytesUp: 0, bytesDown: 0, resets: 0 };
  const open = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true, pauseOnConnect: true }, (client) => {
    counts.connections++;
    const willReset = (o.resetAfter ?? 0) > 0 && rng() < (o.resetProbability ?? 1);
    const upstream = net.connect({ host: o.target.host, port: o.target.port, noDelay: true });
    open.add(client);
    open.add(upstream);
    let moved = 0;
    let reset = false;
    const doReset = () => {
      if (reset) return;
      reset = true;
      counts.resets++;
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    };
    const pipe = (src: net.Socket, dst: net.Socket, up: boolean) => {
      let bucketT = performance.now();
      let bucket = 0; // bits available
      let inFlight = 0;
      src.on("data", (chunk: Buffer) => {
        if (reset) return;
        if (up) counts.bytesUp += chunk.length;
        else counts.bytesDown += chunk.length;
        moved += chunk.length;
        const send = () => {
          inFlight -= chunk.length;
          if (!dst.destroyed && !dst.write(chunk)) {
            src.pause();
            dst.once("drain", () => src.resume());
          } else if (inFlight < 4 * 1024 * 1024 && src.isPaused() && dst.writableLength === 0) src.resume();
          if (willReset && moved >= o.resetAfter!) doReset();
        };
        inFlight += chunk.length;
        let wait = o.latencyMs ?? 0;
        if (o.bandwidth) {
          const now = performance.now();
          bucket = Math.min(o.bandwidth / 10, bucket + ((now - bucketT) * o.bandwidth) / 1000);
          bucketT = now;
          bucket -= chunk.length * 8;
          if (bucket < 0) {
            const ms = (-bucket * 1000) / o.bandwidth;
            wait += ms;
            src.pause();
            setTimeout(() => {
              if (!reset) src.resume();
            }, ms);
          }
        }
        if (inFlight > 4 * 1024 * 1024) src.pause();
        if (wait > 0) setTimeout(send, wait);
        else send();
      });
      src.on("end", () => {
        const fin = () => dst.end();
        if ((o.latencyMs ?? 0) > 0) setTimeout(fin, o.latencyMs);
        else fin();
      });
    };
    upstream.on("connect", () => {
      pipe(client, upstream, true);
      pipe(upstream, client, false);
      client.resume();
    });
    for (const s of [client, upstream]) {
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
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
