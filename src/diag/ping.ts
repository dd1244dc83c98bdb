/**
 * ICMP echo ("ping") for IPv4 and IPv6 with iputils' behaviour: probes every `interval`, replies
 * matched to our probes (by id and sequence on raw sockets, by sequence on ping sockets, whose id
 * the kernel owns), duplicates and ICMP errors counted, and iputils' stop rules for `count`,
 * `deadline` and `timeout`. Uses an unprivileged ICMP socket where `net.ipv4.ping_group_range`
 * allows it and a raw socket otherwise. Events go to `onEvent`; the result is the summary.
 *
 * @example
 * const r = await ping("127.0.0.1", { count: 3, intervalMs: 200 });
 * r.received; // 3
 */
import { NetkitError } from "../errors.js";
import { Addr } from "../ip/addr.js";
import type { IcmpMessage, IcmpSocket } from "../native/icmp.js";
import { resolveHostAddr } from "../sockets/resolve_host.js";
import { buildEchoRequest, icmp4ErrorText, icmp6ErrorText, parseIcmp } from "./icmp_packet.js";
import { PingStats, type PingSummary } from "./ping_stats.js";

/** What `ping` reports while it runs. */
export type PingEvent =
  | { type: "start"; target: string; address: string; dataSize: number; socketKind: "dgram" | "raw" }
  | {
      type: "reply";
      seq: number;
      from: string;
      bytes: number;
      ttl: number | null;
      /** Round-trip time in milliseconds (microsecond resolution). */
      time: number;
      duplicate: boolean;
      checksumOk: boolean;
    }
  | { type: "error"; seq: number; from: string; message: string };

export interface PingOptions {
  /** Stop after this many replies/probes (iputils -c); 0 or undefined: until deadline or abort. */
  count?: number;
  /** Milliseconds between probes (iputils -i × 1000). Default 1000. */
  intervalMs?: number;
  /** Seconds to wait for a reply after the last probe when none came (iputils -W). Default 10. */
  timeoutS?: number;
  /** Stop after this many seconds whatever happens (iputils -w). */
  deadlineS?: number;
  /** Data bytes per probe (iputils -s). Default 56. */
  size?: number;
  /** TTL / hop limit (iputils -t). */
  ttl?: number;
  /** Address family to resolve HOST to (iputils -4 / -6). */
  family?: 4 | 6;
  /** "auto" (default): ping socket if allowed, else raw socket. */
  socketKind?: "auto" | "dgram" | "raw";
  signal?: AbortSignal;
  onEvent?: (e: PingEvent) => void;
  /**
   * The statistics to count into (default: a new one). Pass your own to read a snapshot while
   * the run goes on — `stats.status()`, what iputils prints on SIGQUIT.
   */
  stats?: PingStats;
}

export interface PingResult extends PingSummary {
  target: string;
  address: string;
  /** Wall time of the run in milliseconds, as iputils prints after "time". */
  timeMs: number;
  socketKind: "dgram" | "raw";
}

function addrFromBytes(b: Uint8Array): Addr {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return b.byteLength === 4
    ? Addr.v4(dv.getUint32(0))
    : Addr.v6(dv.getUint32(0), dv.getUint32(4), dv.getUint32(8), dv.getUint32(12));
}

/**
 * Resolve HOST with netkit's one host parser (sockets/resolve_host.ts): a strict address literal,
 * or a name through the system resolver.
 * @throws {NetkitError} ERR_HOST_NOT_FOUND, ERR_ADDR_SYNTAX, ERR_VERSION_MISMATCH
 */
export function resolveHost(host: string, family?: 4 | 6): Promise<Addr> {
  return resolveHostAddr(host, family);
}

function permissionError(version: 4 | 6, cause: unknown): NetkitError {
  const gid = process.getgid?.() ?? 0;
  return new NetkitError(
    "ERR_PING_PERMISSION",
    `cannot open an ICMP${version === 6 ? "v6" : ""} socket: an ICMP ("ping") socket is not allowed for group ${gid} ` +
      `by net.ipv4.ping_group_range, and a raw socket needs CAP_NET_RAW. Fix one: ` +
      `sysctl -w net.ipv4.ping_group_range="0 2147483647", or setcap cap_net_raw+ep on node, or run as root`,
    { cause },
  );
}

/**
 * Ping `host`. Resolves when the run ends (count reached, deadline, timeout or abort).
 * @throws {NetkitError} ERR_HOST_NOT_FOUND, ERR_PING_PERMISSION, ERR_NO_ROUTE (the first probe cannot be
 * sent: "Network is unreachable"), ERR_IO
 */
export async function ping(host: string, opts: PingOptions = {}): Promise<PingResult> {
  const target = await resolveHost(host, opts.family);
  const version = target.version;
  const { IcmpSocket: Icmp } = await import("../native/icmp.js");
  const { SyscallError } = await import("../native/diag_libc.js");
  let sock: IcmpSocket;
  try {
    sock = Icmp.open(version, opts.socketKind ?? "auto");
  } catch (e) {
    if (e instanceof SyscallError && (e.code === "EACCES" || e.code === "EPERM"))
      throw permissionError(version, e);
    throw new NetkitError("ERR_IO", `cannot open an ICMP socket: ${(e as Error).message}`, { cause: e });
  }
  try {
    if (opts.ttl !== undefined) sock.setTtl(opts.ttl);
    return await run(sock, host, target, opts);
  } finally {
    sock.close();
  }
}

function run(sock: IcmpSocket, host: string, target: Addr, opts: PingOptions): Promise<PingResult> {
  return new Promise<PingResult>((resolve, reject) => {
    void (async () => {
      const { realtimeNs: now } = await import("../native/icmp.js");
      const { SyscallError } = await import("../native/diag_libc.js");
      const version = target.version;
      const count = opts.count ?? 0;
      const interval = opts.intervalMs ?? 1000;
      const lingerMs = (opts.timeoutS ?? 10) * 1000;
      const deadlineMs = opts.deadlineS !== undefined && opts.deadlineS > 0 ? opts.deadlineS * 1000 : 0;
      const size = opts.size ?? 56;
      const emit = opts.onEvent ?? (() => {});
      const id = (process.pid ^ Math.floor(Math.random() * 0x10000)) & 0xffff;
      const dst = target.withoutZone().toBytes();
      const scopeId = 0;
      const stats = opts.stats ?? new PingStats();
      const sentAt = new Map<number, bigint>(); // 16-bit seq → send time
      const seen = new Set<number>();
      const start = performance.now();
      let seq = 0;
      let finished = false;
      let sendTimer: NodeJS.Timeout | undefined;
      let lingerTimer: NodeJS.Timeout | undefined;
      let deadlineTimer: NodeJS.Timeout | undefined;
      const rawV4 = version === 4 && sock.kind === "raw";

      const finish = (err?: unknown) => {
        if (finished) return;
        finished = true;
        clearTimeout(sendTimer);
        clearTimeout(lingerTimer);
        clearTimeout(deadlineTimer);
        opts.signal?.removeEventListener("abort", onAbort);
        if (err !== undefined) {
          reject(err);
          return;
        }
        resolve({
          target: host,
          address: target.toString(),
          ...stats.summary(),
          timeMs: Math.round(performance.now() - start),
          socketKind: sock.kind,
        });
      };
      const onAbort = () => finish();
      /**
       * A run that ends on a timer (linger, deadline) first reads what the kernel already queued:
       * libuv runs due timers before poll callbacks, so after the process was descheduled a
       * reply or ICMP error that arrived in time would otherwise be dropped (flaky under load).
       */
      const finishAfterDrain = () => {
        try {
          sock.drainNow(handle);
        } catch (e) {
          finish(e);
          return;
        }
        finish();
      };
      const handle = (m: IcmpMessage) => {
        try {
          onMessage(m);
        } catch (e) {
          finish(e);
        }
      };

      const shouldStop = () =>
        (count > 0 && stats.receivedCount + stats.errorCount >= count) ||
        (deadlineMs > 0 && stats.errorCount > 0);

      /** After the last probe (count reached, no deadline): wait for stragglers like iputils. */
      const scheduleExit = () => {
        clearTimeout(lingerTimer);
        const wait = stats.receivedCount > 0 ? Math.max((2 * stats.maxRttUs) / 1000, interval) : lingerMs;
        lingerTimer = setTimeout(() => finishAfterDrain(), wait);
      };

      const sendProbe = () => {
        if (finished) return;
        if (count > 0 && seq >= count && deadlineMs === 0) return;
        seq++;
        const s16 = seq & 0xffff;
        const pkt = buildEchoRequest(version, id, s16, size);
        try {
          sentAt.set(s16, sock.send(dst, pkt, scopeId));
          seen.delete(s16);
          stats.sent();
        } catch (e) {
          if (
            e instanceof SyscallError &&
            seq === 1 &&
            (e.code === "ENETUNREACH" || e.code === "EHOSTUNREACH")
          ) {
            const why = e.code === "ENETUNREACH" ? "Network is unreachable" : "No route to host";
            finish(new NetkitError("ERR_NO_ROUTE", `connect: ${why}`, { cause: e }));
            return;
          }
          if (e instanceof SyscallError && e.code === "EACCES" && seq === 1) {
            finish(
              new NetkitError("ERR_IO", `sendto: Permission denied (is ${target} a broadcast address?)`, {
                cause: e,
              }),
            );
            return;
          }
          // A later send failure counts as a transmitted probe with an error, as iputils does.
          stats.sent();
          stats.error(seq);
          emit({
            type: "error",
            seq: s16,
            from: target.toString(),
            message: `sendto: ${e instanceof SyscallError ? e.code : String(e)}`,
          });
        }
        if (shouldStop()) {
          finish();
          return;
        }
        if (count > 0 && seq >= count && deadlineMs === 0) scheduleExit();
        else sendTimer = setTimeout(sendProbe, Math.max(0, start + seq * interval - performance.now()));
      };

      const onMessage = (m: IcmpMessage) => {
        if (finished) return;
        if (m.queuedError !== null) {
          // Ping socket error queue: data is our request (id rewritten by the kernel).
          if (m.data.byteLength < 8 || !sentAt.has((m.data[6]! << 8) | m.data[7]!)) return;
          const qe = m.queuedError;
          const s16 = (m.data[6]! << 8) | m.data[7]!;
          let message: string;
          if (qe.origin === 2) message = icmp4ErrorText(qe.type, qe.code, qe.info);
          else if (qe.origin === 3) message = icmp6ErrorText(qe.type, qe.code, qe.info);
          else message = qe.errno === 113 ? "Destination Host Unreachable" : `Local error: errno ${qe.errno}`;
          stats.error(s16);
          emit({
            type: "error",
            seq: s16,
            from: qe.offender ? addrFromBytes(qe.offender).toString() : target.toString(),
            message,
          });
          if (shouldStop()) finish();
          return;
        }
        const p = parseIcmp(m.data, version, rawV4);
        const fromBytes = m.from ?? (p.kind === "echo-reply" || p.kind === "error" ? p.ipSource : null);
        const from = fromBytes ? addrFromBytes(fromBytes) : target;
        if (p.kind === "echo-reply") {
          // Raw sockets see every echo reply on the host: only ours (our id, a sequence we sent).
          if (sock.kind === "raw" && p.id !== id) return;
          const sent = sentAt.get(p.seq);
          if (sent === undefined) return;
          if (!p.checksumOk) {
            stats.corrupt();
            return;
          }
          const dup = seen.has(p.seq);
          seen.add(p.seq);
          const rttUs = Number(((m.stampNs ?? now()) - sent) / 1000n);
          stats.reply(p.seq, rttUs, dup);
          emit({
            type: "reply",
            seq: p.seq,
            from: from.toString(),
            bytes: p.icmpLength,
            ttl: p.ttl ?? m.ttl,
            time: Math.max(0, rttUs) / 1000,
            duplicate: dup,
            checksumOk: true,
          });
        } else if (p.kind === "error") {
          if (p.quoted === null || !sentAt.has(p.quoted.seq)) return;
          if (sock.kind === "raw" && p.quoted.id !== id) return;
          stats.error(p.quoted.seq);
          emit({ type: "error", seq: p.quoted.seq, from: from.toString(), message: p.message });
        } else return;
        if (shouldStop()) finish();
        else if (count > 0 && seq >= count && deadlineMs === 0) scheduleExit();
      };

      if (opts.signal?.aborted) {
        finish();
        return;
      }
      opts.signal?.addEventListener("abort", onAbort);
      if (deadlineMs > 0) deadlineTimer = setTimeout(() => finishAfterDrain(), deadlineMs);
      try {
        sock.start(handle);
      } catch (e) {
        finish(e);
        return;
      }
      emit({
        type: "start",
        target: host,
        address: target.toString(),
        dataSize: size,
        socketKind: sock.kind,
      });
      sendProbe();
    })().catch(reject);
  });
}
