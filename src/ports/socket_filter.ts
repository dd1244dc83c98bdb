/**
 * The socket table's filters, as `ss` spells them: protocol and family selection, state sets
 * (`-l`, `-a`, `--state`), ports, owning process, and peer network. Pure.
 *
 * @example
 * const f = socketFilter({ states: parseStates(["listening"]), port: 8080 });
 * rows.filter(f.matches);
 */
import { UsageError } from "../errors.js";
import { parseAddr } from "../ip/addr.js";
import type { Prefix } from "../ip/prefix.js";
import { type SocketRow, type SocketState, STATE_NAMES } from "./socket_row.js";

/** `ss`'s default: connected sockets (no LISTEN, UNCONN, TIME-WAIT or SYN-RECV). */
export const CONNECTED_STATES: readonly SocketState[] = [
  "ESTAB",
  "SYN-SENT",
  "FIN-WAIT-1",
  "FIN-WAIT-2",
  "CLOSE-WAIT",
  "LAST-ACK",
  "CLOSING",
];
/** `ss -l`: listening TCP and bound (unconnected) UDP/raw/Unix. */
export const LISTENING_STATES: readonly SocketState[] = ["LISTEN", "UNCONN"];
export const ALL_STATES: readonly SocketState[] = STATE_NAMES.filter((s) => s !== "UNKNOWN");

const ALIASES: Record<string, readonly SocketState[]> = {
  all: ALL_STATES,
  connected: CONNECTED_STATES,
  listening: LISTENING_STATES,
  established: ["ESTAB"],
  estab: ["ESTAB"],
  listen: ["LISTEN"],
  closed: ["UNCONN"],
  close: ["UNCONN"],
  unconn: ["UNCONN"],
  synchronized: CONNECTED_STATES.filter((s) => s !== "SYN-SENT"),
  bucket: ["SYN-RECV", "TIME-WAIT"],
  big: ALL_STATES.filter((s) => s !== "SYN-RECV" && s !== "TIME-WAIT"),
};

/**
 * Parse `--state` values: ss names in any case (`LISTEN`, `time-wait`, `ESTAB`), kernel names
 * (`established`, `listening`, `closed`) and ss's groups (`all`, `connected`, `synchronized`,
 * `bucket`, `big`). @throws UsageError naming the unknown state.
 */
export function parseStates(names: readonly string[]): SocketState[] {
  const out = new Set<SocketState>();
  for (const raw of names) {
    for (const part of raw.split(",")) {
      const n = part.trim().toLowerCase();
      const alias = ALIASES[n];
      if (alias !== undefined) {
        for (const s of alias) out.add(s);
        continue;
      }
      const s = ALL_STATES.find((x) => x.toLowerCase() === n);
      if (s === undefined) {
        throw new UsageError(
          `unknown state "${part}" (use ${ALL_STATES.join(", ")}, all, connected, listening)`,
        );
      }
      out.add(s);
    }
  }
  return [...out];
}

/** Bitmask of kernel state numbers for a netlink request (SYN-RECV also sets bit 12, NEW_SYN_RECV). */
export function stateMask(states: readonly SocketState[]): number {
  let m = 0;
  for (const s of states) {
    const n = (STATE_NAMES as readonly string[]).indexOf(s);
    if (n > 0) m |= 1 << n;
    if (s === "SYN-RECV") m |= 1 << 12;
  }
  return m;
}

/** What rows to keep, beyond protocol, family and state (which the sources apply). */
export interface RowFilter {
  /** Local or peer port (a peer port of 0 is "no peer" and never matches). */
  port?: number;
  sport?: number;
  dport?: number;
  pid?: number;
  /** Exact command name (/proc/PID/comm). */
  process?: string;
  /** The peer address lies in this network. */
  dst?: Prefix;
}

/** True when the filter needs owners (pid, process). */
export function needsOwners(f: RowFilter): boolean {
  return f.pid !== undefined || f.process !== undefined;
}

/**
 * The port part of `f` for one socket. A peer port of 0 means "no peer" (`*:*` in ss's table, a
 * listener or an unconnected datagram socket), so it never matches: `--port 0` and `--dport 0`
 * do not list every listener (ss's `dport = :0` compares the raw 0 and does; see docs/sockets.md).
 */
export function portsMatch(f: RowFilter, localPort: number | null, peerPort: number | null): boolean {
  const peer = peerPort === 0 ? null : peerPort;
  if (f.port !== undefined && localPort !== f.port && peer !== f.port) return false;
  if (f.sport !== undefined && localPort !== f.sport) return false;
  if (f.dport !== undefined && peer !== f.dport) return false;
  return true;
}

/** Build a predicate for `f`. */
export function rowMatcher(f: RowFilter): (r: SocketRow) => boolean {
  return (r) => {
    if (!portsMatch(f, r.localPort, r.peerPort)) return false;
    if (f.pid !== undefined && !r.processes.some((p) => p.pid === f.pid)) return false;
    if (f.process !== undefined && !r.processes.some((p) => p.command === f.process)) return false;
    if (f.dst !== undefined) {
      if (r.family === "unix") return false;
      const a = parseAddr(r.peerAddress);
      const peer = f.dst.version === 4 ? a.unmap() : a;
      if (peer.version !== f.dst.version || !f.dst.contains(peer)) return false;
    }
    return true;
  };
}
