/**
 * Request/response latency against any echo server (I/O shell), like `sockperf ping-pong`: one
 * message in flight, send LEN bytes, wait for LEN bytes back, record the round trip. UDP requests
 * that get no answer within the timeout count as lost. Bounded by a count and a time.
 *
 * @example
 * const r = await pingPong({ host: "127.0.0.1", port, udp: true, count: 1000 });
 * r.summary.p99; // microseconds
 */
import dgram from "node:dgram";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { NetkitError } from "../errors.js";
import { parseAddr } from "../ip/addr.js";
import { closeFd, ECONNREFUSED, udpConnect, udpSocket } from "../native/mmsg.js";
import { hostPort, socketError } from "../sockets/socket_error.js";
import { type LatencySummary, summarize } from "./latency_stats.js";
import { fastUdpAvailable } from "./udp_fast.js";

export interface PingPongOptions {
  host: string;
  port: number;
  udp?: boolean;
  /** Round trips to make (default 10,000). */
  count?: number;
  /** Stop after this many seconds even if count is not reached (default 10). */
  time?: number;
  /** Message size in bytes (default 64). */
  len?: number;
  /** Per-request timeout for UDP, ms (default 1000). */
  timeoutMs?: number;
  /** Called about every 100 ms with the round trips so far (progress). */
  onProgress?(done: number): void;
}

export interface PingPongResult {
  protocol: "tcp" | "udp";
  host: string;
  port: number;
  len: number;
  sent: number;
  received: number;
  /** Round-trip times in microseconds, in order. */
  samples: number[];
  /** Percentiles in microseconds. */
  summary: LatencySummary;
  seconds: number;
}

/** Run the ping-pong; resolves when count or time is reached. */
export async function pingPong(o: PingPongOptions): Promise<PingPongResult> {
  const len = o.len ?? 64;
  const count = o.count ?? 10_000;
  const deadline = performance.now() + (o.time ?? 10) * 1000;
  const samples: number[] = [];
  let sent = 0;
  const t0 = performance.now();
  let lastProgress = t0;
  const progress = () => {
    const now = performance.now();
    if (o.onProgress && now - lastProgress > 100) {
      lastProgress = now;
      o.onProgress(sent);
    }
  };
  const payload = Buffer.alloc(len, 0x78);
  if (o.udp && fastUdpAvailable()) {
    const r = await udpPingPongNative(
      o.host,
      o.port,
      len,
      count,
      o.time ?? 10,
      o.timeoutMs ?? 1000,
      o.onProgress,
    );
    sent = r.sent;
    for (const v of r.samples) samples.push(v);
  } else if (o.udp) {
    const sock = dgram.createSocket(net.isIPv6(o.host) ? "udp6" : "udp4");
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once("error", (e) =>
          reject(new NetkitError("ERR_IO", `UDP socket: ${e.message}`, { cause: e })),
        );
        sock.connect(o.port, o.host, () => resolve());
      });
      let waiter: ((ok: boolean) => void) | null = null;
      let refusedBy = false;
      sock.on("message", () => {
        const w = waiter;
        waiter = null;
        w?.(true);
      });
      sock.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "ECONNREFUSED") refusedBy = true;
        const w = waiter;
        waiter = null;
        w?.(false);
      });
      while (sent < count && performance.now() < deadline) {
        if (refusedBy) throw refused(o.host, o.port, true);
        await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => {
            waiter = null;
            resolve(false);
          }, o.timeoutMs ?? 1000);
          const start = performance.now();
          waiter = (got) => {
            clearTimeout(timer);
            if (got) samples.push((performance.now() - start) * 1000);
            resolve(got);
          };
          sock.send(payload);
          sent++;
        });
        progress();
      }
    } finally {
      sock.close();
    }
  } else {
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: o.host, port: o.port, noDelay: true });
      s.once("connect", () => resolve(s));
      // The same codes and words as every other command (ERR_CONN_REFUSED, ERR_CONN_RESET, …).
      s.once("error", (e) => reject(socketError(e, "connect to", hostPort(o.host, o.port))));
    });
    try {
      let have = 0;
      let waiter: (() => void) | null = null;
      let failed: Error | null = null;
      sock.on("data", (d: Buffer) => {
        have += d.length;
        if (have >= len && waiter) {
          have -= len;
          const w = waiter;
          waiter = null;
          w();
        }
      });
      const fail = (e: Error) => {
        failed = e;
        const w = waiter;
        waiter = null;
        w?.();
      };
      sock.on("error", fail);
      sock.on("close", () => fail(new Error("the echo server closed the connection")));
      while (sent < count && performance.now() < deadline) {
        const start = performance.now();
        await new Promise<void>((resolve) => {
          waiter = resolve;
          sock.write(payload);
          sent++;
        });
        if (failed) throw new NetkitError("ERR_IO", (failed as Error).message, { cause: failed });
        samples.push((performance.now() - start) * 1000);
        progress();
      }
    } finally {
      sock.destroy();
    }
  }
  return {
    protocol: o.udp ? "udp" : "tcp",
    host: o.host,
    port: o.port,
    len,
    sent,
    received: samples.length,
    samples,
    summary: summarize(samples),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Nothing listens at host:port (TCP RST, or ICMP port unreachable on a connected UDP socket). */
function refused(host: string, port: number, udp: boolean, cause?: unknown): NetkitError {
  return new NetkitError(
    "ERR_CONN_REFUSED",
    udp
      ? `${host} port ${port}/udp refused the request (ICMP port unreachable: nothing listens there)`
      : `${host} port ${port} refused the connection (nothing listens there)`,
    cause === undefined ? undefined : { cause },
  );
}

/** UDP ping-pong in a worker over a native socket (two system calls per round trip). */
async function udpPingPongNative(
  host: string,
  port: number,
  len: number,
  count: number,
  seconds: number,
  timeoutMs: number,
  onProgress?: (n: number) => void,
): Promise<{ sent: number; samples: Float64Array }> {
  const fd = udpSocket(parseAddr(host).version, { nonBlocking: true });
  try {
    udpConnect(fd, host, port);
    const ctrl = new Int32Array(new SharedArrayBuffer(8));
    const w = new Worker(new URL("./pingpong_worker.js", import.meta.url), {
      workerData: { fd, len, count, seconds, timeoutMs, ctrl: ctrl.buffer },
    });
    const tick = onProgress ? setInterval(() => onProgress(Atomics.load(ctrl, 0)), 100) : null;
    try {
      const r = await new Promise<{ sent: number; received: number; error: number; samples: Float64Array }>(
        (resolve, reject) => {
          w.once("message", resolve);
          w.once("error", reject);
          w.once("exit", (c) => reject(new NetkitError("ERR_IO", `ping-pong worker exited (${c})`)));
        },
      );
      if (r.error === ECONNREFUSED) throw refused(host, port, true);
      if (r.error !== 0)
        throw new NetkitError("ERR_IO", `UDP send to ${host} port ${port} failed (errno ${r.error})`);
      return { sent: r.sent, samples: r.samples };
    } finally {
      if (tick) clearInterval(tick);
      Atomics.store(ctrl, 1, 1);
      await w.terminate();
    }
  } finally {
    closeFd(fd);
  }
}
