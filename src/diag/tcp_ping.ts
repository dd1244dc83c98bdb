/**
 * TCP "ping": how long a TCP connect to HOST:PORT takes, from the connect(2) call to the kernel
 * completing the handshake (or refusing). An accepted connection means the host is
 * up and the port open; a refusal (RST) means the host is up and the port closed — both count as
 * replies; a timeout or an ICMP error counts as no reply. The connection is closed at once, no data
 * is sent. Same counters and statistics as the ICMP ping.
 *
 * @example
 * const r = await tcpPing("127.0.0.1", 8080, { count: 3, intervalMs: 200 });
 * r.received; // 3 when something listens there, or refuses
 */
import { connect } from "node:net";
import { NetkitError } from "../errors.js";
import type { Addr } from "../ip/addr.js";
import { resolveHost } from "./ping.js";
import { PingStats, type PingSummary } from "./ping_stats.js";

export type TcpProbeStatus = "open" | "closed" | "timeout" | "error";

export type TcpPingEvent =
  | { type: "start"; target: string; address: string; port: number }
  | { type: "probe"; seq: number; status: TcpProbeStatus; time: number | null; message: string | null };

export interface TcpPingOptions {
  count?: number;
  intervalMs?: number;
  /** Seconds to wait for each connect (default 10). */
  timeoutS?: number;
  deadlineS?: number;
  family?: 4 | 6;
  signal?: AbortSignal;
  onEvent?: (e: TcpPingEvent) => void;
  /** The statistics to count into (read `stats.status()` while the run goes on). */
  stats?: PingStats;
}

export interface TcpPingResult extends PingSummary {
  target: string;
  address: string;
  port: number;
  /** Probes answered by an accepted connection (the rest of `received` were refused). */
  open: number;
  /**
   * What the times measure: "syscall" — from the connect(2) call to the kernel completing (or
   * refusing) the connection; "node" — around Node's net.connect, when koffi is not available
   * (adds the socket's set-up and an event-loop turn: 0.3–1.5 ms on loopback).
   */
  timing: "syscall" | "node";
  timeMs: number;
}

type ProbeResult = { status: TcpProbeStatus; ns: bigint; message: string | null };

/**
 * One probe timed from the connect(2) call to the connection's completion (src/native/tcp_connect.ts).
 * Without koffi, {@link nodeProbe} measures around Node's connect instead (about 0.3–1.5 ms more on
 * loopback: see docs/ping.md).
 */
async function nativeProbe(target: Addr, port: number, timeoutMs: number): Promise<ProbeResult> {
  const { timedConnect, zoneIndex } = await import("../native/tcp_connect.js");
  const r = await timedConnect(target.withoutZone().toBytes(), port, zoneIndex(target.zone), timeoutMs);
  return { status: r.status, ns: r.ns ?? BigInt(timeoutMs) * 1_000_000n, message: r.error };
}

function nodeProbe(address: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const s = connect({ host: address, port });
    const done = (status: TcpProbeStatus, message: string | null) => {
      const ns = process.hrtime.bigint() - t0;
      clearTimeout(timer);
      s.removeAllListeners();
      s.on("error", () => {}); // late errors after destroy are irrelevant
      s.destroy();
      resolve({ status, ns, message });
    };
    const timer = setTimeout(() => done("timeout", null), timeoutMs);
    s.once("connect", () => done("open", null));
    s.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ECONNREFUSED") done("closed", null);
      else done("error", e.code ?? e.message);
    });
  });
}

/**
 * TCP-connect ping of `host`:`port`.
 * @throws {NetkitError} ERR_HOST_NOT_FOUND; ERR_RANGE for a port outside 1–65535
 */
export async function tcpPing(host: string, port: number, opts: TcpPingOptions = {}): Promise<TcpPingResult> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new NetkitError("ERR_RANGE", `port ${port} is outside 1–65535`);
  }
  const target = await resolveHost(host, opts.family);
  const address = target.toString();
  const count = opts.count ?? 0;
  const interval = opts.intervalMs ?? 1000;
  const timeoutMs = (opts.timeoutS ?? 10) * 1000;
  const deadline =
    opts.deadlineS !== undefined && opts.deadlineS > 0 ? performance.now() + opts.deadlineS * 1000 : 0;
  const emit = opts.onEvent ?? (() => {});
  const stats = opts.stats ?? new PingStats();
  const { ffiAvailable } = await import("../native/ffi.js");
  const native = ffiAvailable();
  const start = performance.now();
  let open = 0;
  emit({ type: "start", target: host, address, port });
  for (let seq = 1; count === 0 || stats.receivedCount < count; seq++) {
    if (opts.signal?.aborted) break;
    if (deadline > 0 && performance.now() >= deadline) break;
    if (count > 0 && deadline === 0 && seq > count) break;
    stats.sent();
    const left = deadline > 0 ? Math.max(1, deadline - performance.now()) : timeoutMs;
    const limit = Math.min(timeoutMs, left);
    const r = native ? await nativeProbe(target, port, limit) : await nodeProbe(address, port, limit);
    const us = Number(r.ns / 1000n);
    if (r.status === "open" || r.status === "closed") {
      if (r.status === "open") open++;
      stats.reply(seq, us, false);
      emit({ type: "probe", seq, status: r.status, time: us / 1000, message: null });
    } else {
      if (r.status === "error") stats.error(seq);
      emit({ type: "probe", seq, status: r.status, time: null, message: r.message });
    }
    if (count > 0 && stats.receivedCount >= count) break;
    const next = start + seq * interval;
    const wait = next - performance.now();
    if (wait > 0) {
      await new Promise<void>((resolve) => {
        const onAbort = () => {
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => {
          opts.signal?.removeEventListener("abort", onAbort);
          resolve();
        }, wait);
        opts.signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
  }
  return {
    target: host,
    address,
    port,
    ...stats.summary(),
    open,
    timing: native ? "syscall" : "node",
    timeMs: Math.round(performance.now() - start),
  };
}
