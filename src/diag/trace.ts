/**
 * Traceroute for IPv4 and IPv6: probes with growing TTL / hop limit, answered by "time exceeded"
 * from each router on the way and by the destination itself. Two methods, as Linux `traceroute`:
 * "udp" (default, no privileges): UDP datagrams to ports 33434, 33435, … each from its own socket
 * with IP_RECVERR, the ICMP errors read from the socket's error queue; "icmp" (`traceroute -I`):
 * ICMP echo requests on an ICMP socket (a ping socket where `net.ipv4.ping_group_range` allows it,
 * else a raw socket, root), the destination answering with an echo reply. The bookkeeping is
 * {@link TraceProbes} (pure); this file is the I/O around it. Hops are reported in order as they
 * complete (`onEvent`); the result holds every hop.
 *
 * @example
 * const r = await trace("127.0.0.1", { waitS: 1 });
 * r.reached; // true
 * r.hops[0].probes[0].from; // "127.0.0.1"
 */
import { NetkitError } from "../errors.js";
import { Addr } from "../ip/addr.js";
import type { IcmpMessage, IcmpSocket } from "../native/icmp.js";
import type { ProbeError, UdpProbeSocket } from "../native/udp_probe.js";
import { buildEchoRequest, parseIcmp } from "./icmp_packet.js";
import { resolveHost } from "./ping.js";
import { type Answer, type Hop, icmpErrorMeaning, type Probe, TraceProbes } from "./trace_probes.js";

export type TraceMethod = "udp" | "icmp";

/** What `trace` reports while it runs. */
export type TraceEvent =
  | {
      type: "start";
      target: string;
      address: string;
      maxHops: number;
      /** Whole IP packet size of a probe, as traceroute prints it ("60 byte packets"). */
      packetSize: number;
      method: TraceMethod;
    }
  | ({ type: "hop" } & Hop);

export interface TraceOptions {
  /** "udp" (default) or "icmp". */
  method?: TraceMethod;
  /** Last TTL (traceroute -m). Default 30. */
  maxHops?: number;
  /** First TTL (traceroute -f). Default 1. */
  firstHop?: number;
  /** Probes per hop (traceroute -q). Default 3. */
  probesPerHop?: number;
  /** Seconds to wait for each probe's answer (traceroute -w). Default 5. */
  waitS?: number;
  /** Probes in flight at once (traceroute -N). Default 16. */
  window?: number;
  /** UDP: first destination port, incremented per probe (traceroute -p). Default 33434. */
  port?: number;
  /** Address family to resolve HOST to. */
  family?: 4 | 6;
  /** ICMP method: "auto" (default), "dgram" (ping socket) or "raw". */
  socketKind?: "auto" | "dgram" | "raw";
  signal?: AbortSignal;
  onEvent?: (e: TraceEvent) => void;
}

export interface TraceResult {
  target: string;
  address: string;
  method: TraceMethod;
  maxHops: number;
  probesPerHop: number;
  packetSize: number;
  /** True when the destination answered (port unreachable / echo reply with no `!` note). */
  reached: boolean;
  hops: Hop[];
}

/** Data bytes per probe: traceroute's default packets are 60 (IPv4) / 80 (IPv6) bytes in all. */
const DATA_BYTES = 32;

function addrText(b: Uint8Array): string {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return (
    b.byteLength === 4
      ? Addr.v4(dv.getUint32(0))
      : Addr.v6(dv.getUint32(0), dv.getUint32(4), dv.getUint32(8), dv.getUint32(12))
  ).toString();
}

/** A probe transport: sends probe `p` and reports its answer through `answer`. */
interface Prober {
  packetSize: number;
  /** @throws SyscallError when the probe cannot be sent. */
  send(p: Probe): void;
  /** Forget probe `id` (answered or timed out): free what it holds. */
  drop(id: number): void;
  close(): void;
}

type AnswerFn = (id: number, a: Answer, kernelNs: bigint | null) => void;

async function udpProber(
  target: Addr,
  basePort: number,
  sentAt: Map<number, bigint>,
  onAnswer: AnswerFn,
): Promise<Prober> {
  const { UdpProbeSocket } = await import("../native/udp_probe.js");
  const dst = target.withoutZone().toBytes();
  const version = target.version;
  const socks = new Map<number, UdpProbeSocket>();
  const payload = new Uint8Array(DATA_BYTES).map((_, i) => 0x40 + i);
  const onError = (id: number, e: ProbeError) => {
    if (e.origin === 2 || e.origin === 3) {
      const meaning = icmpErrorMeaning(version, e.type, e.code);
      if (meaning === null) return;
      const from = e.offender !== null ? addrText(e.offender) : null;
      onAnswer(id, { from, rttMs: null, ...meaning }, e.stampNs);
    } else {
      onAnswer(id, { from: null, rttMs: null, note: `!<errno ${e.errno}>`, final: false }, null);
    }
  };
  return {
    packetSize: (version === 4 ? 28 : 48) + DATA_BYTES,
    send(p) {
      const s = UdpProbeSocket.open(version);
      socks.set(p.id, s);
      s.setTtl(p.hop);
      s.start((e) => onError(p.id, e));
      sentAt.set(p.id, s.send(dst, basePort + p.id, payload)); // ≤ 65535: checked by trace()
    },
    drop(id) {
      socks.get(id)?.close();
      socks.delete(id);
    },
    close() {
      for (const s of socks.values()) s.close();
      socks.clear();
    },
  };
}

async function icmpProber(
  target: Addr,
  kind: "auto" | "dgram" | "raw",
  sentAt: Map<number, bigint>,
  onAnswer: AnswerFn,
): Promise<Prober> {
  const { IcmpSocket } = await import("../native/icmp.js");
  const version = target.version;
  const dst = target.withoutZone().toBytes();
  const sock: IcmpSocket = IcmpSocket.open(version, kind);
  const ident = (process.pid ^ Math.floor(Math.random() * 0x10000)) & 0xffff;
  const rawV4 = version === 4 && sock.kind === "raw";
  // Probe id n is sent with sequence n + 1.
  const onMessage = (m: IcmpMessage) => {
    const qe = m.queuedError;
    if (qe !== null) {
      // Ping socket error queue: data is our request (the kernel owns the id: match by sequence).
      if (m.data.byteLength < 8 || (qe.origin !== 2 && qe.origin !== 3)) return;
      const meaning = icmpErrorMeaning(version, qe.type, qe.code);
      if (meaning === null) return;
      const id = ((m.data[6]! << 8) | m.data[7]!) - 1;
      const from = qe.offender !== null ? addrText(qe.offender) : null;
      onAnswer(id, { from, rttMs: null, ...meaning }, m.stampNs);
      return;
    }
    const p = parseIcmp(m.data, version, rawV4);
    const fromBytes = m.from ?? (p.kind === "echo-reply" || p.kind === "error" ? p.ipSource : null);
    const from = fromBytes !== null ? addrText(fromBytes) : null;
    if (p.kind === "echo-reply") {
      if (sock.kind === "raw" && p.id !== ident) return;
      onAnswer(p.seq - 1, { from, rttMs: null, note: "", final: true }, m.stampNs);
    } else if (p.kind === "error" && p.quoted !== null) {
      if (sock.kind === "raw" && p.quoted.id !== ident) return;
      const meaning = icmpErrorMeaning(version, p.type, p.code);
      if (meaning !== null) onAnswer(p.quoted.seq - 1, { from, rttMs: null, ...meaning }, m.stampNs);
    }
  };
  sock.start(onMessage);
  return {
    packetSize: (version === 4 ? 28 : 48) + DATA_BYTES,
    send(p) {
      sock.setTtl(p.hop);
      sentAt.set(p.id, sock.send(dst, buildEchoRequest(version, ident, p.id + 1, DATA_BYTES)));
    },
    drop() {},
    close() {
      sock.close();
    },
  };
}

/**
 * The destination port of the last UDP probe: probe n (from 0) goes to `base + n`, and there are
 * `queries` probes for each hop from `firstHop` to `maxHops`. traceroute wraps past 65535 to port
 * 0, 1, …; netkit refuses instead (the probes must stay on valid ports).
 */
export function lastProbePort(base: number, maxHops: number, firstHop: number, queries: number): number {
  return base + (maxHops - firstHop + 1) * queries - 1;
}

/**
 * Trace the path to `host`. Resolves when the destination answered, an unreachable error ended
 * the trace, `maxHops` was tried, or `signal` aborted (the hops complete so far are returned).
 * @throws {NetkitError} ERR_HOST_NOT_FOUND, ERR_NO_ROUTE (the first probe cannot be sent), ERR_PING_PERMISSION
 * (ICMP method without a permitted socket), ERR_RANGE (bad options, UDP ports past 65535), ERR_IO
 */
export async function trace(host: string, opts: TraceOptions = {}): Promise<TraceResult> {
  const method = opts.method ?? "udp";
  const maxHops = opts.maxHops ?? 30;
  const perHop = opts.probesPerHop ?? 3;
  const waitMs = (opts.waitS ?? 5) * 1000;
  const state = (() => {
    try {
      return new TraceProbes({
        maxHops,
        perHop,
        window: opts.window ?? 16,
        firstHop: opts.firstHop ?? 1,
      });
    } catch (e) {
      throw new NetkitError("ERR_RANGE", "trace options out of range", { cause: e });
    }
  })();
  if (maxHops > 255 || (opts.firstHop ?? 1) > maxHops || perHop > 10) {
    throw new NetkitError("ERR_RANGE", "trace needs 1 ≤ first hop ≤ max hops ≤ 255 and 1–10 probes per hop");
  }
  if (method === "udp") {
    const last = lastProbePort(opts.port ?? 33434, maxHops, opts.firstHop ?? 1, perHop);
    if (!(Number.isInteger(opts.port ?? 33434) && (opts.port ?? 33434) >= 1 && last <= 65535)) {
      throw new NetkitError(
        "ERR_RANGE",
        `UDP probes from port ${opts.port ?? 33434} would need ports up to ${last}; the last port is 65535`,
      );
    }
  }
  const target = await resolveHost(host, opts.family);
  const { SyscallError, realtimeNs } = await import("../native/diag_libc.js");
  const emit = opts.onEvent ?? (() => {});
  const hops: Hop[] = [];
  const sentAt = new Map<number, bigint>();
  const timers = new Map<number, NodeJS.Timeout>();
  let reached = false;
  let settle: ((err?: unknown) => void) | undefined;
  let prober: Prober | undefined;

  const report = () => {
    for (const h of state.takeCompleteHops()) {
      hops.push(h);
      emit({ type: "hop", ...h });
    }
    if (state.done) settle?.();
  };
  const onAnswer: AnswerFn = (id, a, kernelNs) => {
    const sent = sentAt.get(id);
    if (sent === undefined || !state.waiting(id)) return;
    const rttMs = Math.max(0, Number(((kernelNs ?? realtimeNs()) - sent) / 1000n)) / 1000;
    state.answer(id, { ...a, rttMs: a.from === null ? null : rttMs });
    if (a.final && a.note === "") reached = true;
    clearTimeout(timers.get(id));
    timers.delete(id);
    prober?.drop(id);
    report();
    pump();
  };
  const pump = () => {
    for (let p = state.next(); p !== null; p = state.next()) {
      const probe = p;
      try {
        prober!.send(probe);
      } catch (e) {
        if (probe.id === 0 && e instanceof SyscallError) {
          const code = e.code === "ENETUNREACH" || e.code === "EHOSTUNREACH" ? "ERR_NO_ROUTE" : "ERR_IO";
          const why = e.code === "ENETUNREACH" ? "Network is unreachable" : e.message;
          settle?.(new NetkitError(code, `cannot send to ${target}: ${why}`, { cause: e }));
          return;
        }
        if (!(e instanceof SyscallError)) throw e;
        // A later probe that cannot be sent is silent, like a lost one.
        prober!.drop(probe.id);
        state.timeout(probe.id);
        report();
        continue;
      }
      timers.set(
        probe.id,
        setTimeout(() => {
          timers.delete(probe.id);
          prober?.drop(probe.id);
          state.timeout(probe.id);
          report();
          pump();
        }, waitMs),
      );
    }
  };

  try {
    prober =
      method === "udp"
        ? await udpProber(target, opts.port ?? 33434, sentAt, onAnswer)
        : await icmpProber(target, opts.socketKind ?? "auto", sentAt, onAnswer);
  } catch (e) {
    if (e instanceof SyscallError && (e.code === "EACCES" || e.code === "EPERM")) {
      throw new NetkitError(
        "ERR_PING_PERMISSION",
        'cannot open an ICMP socket: allow ping sockets (sysctl -w net.ipv4.ping_group_range="0 2147483647"), ' +
          "or run as root / with CAP_NET_RAW; the default UDP method needs neither",
        { cause: e },
      );
    }
    throw new NetkitError("ERR_IO", `cannot open a probe socket: ${(e as Error).message}`, { cause: e });
  }
  const packetSize = prober.packetSize;
  try {
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => settle?.();
      settle = (err?: unknown) => {
        settle = undefined;
        opts.signal?.removeEventListener("abort", onAbort);
        if (err === undefined) resolve();
        else reject(err);
      };
      if (opts.signal?.aborted) {
        settle();
        return;
      }
      opts.signal?.addEventListener("abort", onAbort);
      emit({ type: "start", target: host, address: target.toString(), maxHops, packetSize, method });
      try {
        pump();
      } catch (e) {
        settle?.(e);
      }
    });
  } finally {
    for (const t of timers.values()) clearTimeout(t);
    prober.close();
  }
  return {
    target: host,
    address: target.toString(),
    method,
    maxHops,
    probesPerHop: perHop,
    packetSize,
    reached,
    hops,
  };
}
