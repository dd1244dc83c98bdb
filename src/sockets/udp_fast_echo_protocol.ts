/**
 * What the UDP fast path's main side (udp_fast_echo.ts) and its worker (udp_fast_echo_worker.ts)
 * share: the worker's start data, the order of the shared counters, the messages.
 *
 * @example
 * const nums = new Float64Array(new SharedArrayBuffer(8 * FAST_COUNTERS.length));
 * nums[FAST_COUNTERS.indexOf("replies")];   // replies so far
 */
import type { BuiltinHandlerName } from "./handlers.js";

export interface FastEchoWorkerData {
  fd: number;
  handler: BuiltinHandlerName;
  /** Receive size: longer datagrams are cut to it (and reported). */
  limit: number;
  allow: string[];
  deny: string[];
  peerIdleTimeout: number;
  /** Int32Array: [0] 0 run / 2 stop, [1] seqlock version (odd while the worker writes). */
  ctrl: SharedArrayBuffer;
  /** Float64Array: the counters, in FAST_COUNTERS order. */
  nums: SharedArrayBuffer;
}

/** Names of the shared counters, in order. */
export const FAST_COUNTERS = [
  "datagrams",
  "bytesIn",
  "bytesOut",
  "replies",
  "empty",
  "truncated",
  "denied",
  "dropped",
  "errors",
  "peers",
] as const;

/** A message from the worker: a rare per-datagram event, or an error of the socket. */
export type FastEchoMessage =
  | { kind: "ready" }
  | { kind: "truncated" | "denied"; remoteAddress: string; remotePort: number; size: number }
  | { kind: "error"; syscall: string; errno: number };

export const EVENTS_PER_SECOND = 100;
