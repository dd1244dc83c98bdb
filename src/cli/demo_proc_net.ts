/**
 * The demo's minimal, private reader of /proc/net/tcp and /proc/net/udp (IPv4 rows only): just
 * enough to show the states of the sockets the demo itself holds. The full socket table is
 * src/ports' job. Pure parser + one small reader.
 *
 * @example
 * parseProcNetRow("   0: 0100007F:07D0 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1", "tcp");
 * // → { proto: "tcp", local: "127.0.0.1:2000", remote: "0.0.0.0:0", state: "LISTEN", inode: 1 }
 */
import { readFile } from "node:fs/promises";

export interface ProcNetRow {
  proto: "tcp" | "udp";
  local: string;
  localPort: number;
  remote: string;
  state: string;
  inode: number;
}

/** Kernel state numbers → the names `ss` prints. UDP: 07 is a bound, unconnected socket. */
const STATES: Record<number, string> = {
  1: "ESTAB",
  2: "SYN-SENT",
  3: "SYN-RECV",
  4: "FIN-WAIT-1",
  5: "FIN-WAIT-2",
  6: "TIME-WAIT",
  7: "UNCONN",
  8: "CLOSE-WAIT",
  9: "LAST-ACK",
  10: "LISTEN",
  11: "CLOSING",
};

/** `0100007F:07D0` (host-order word on little-endian x86) → ["127.0.0.1", 2000]. */
function endpoint(hex: string): [string, number] | undefined {
  const m = /^([0-9A-F]{8}):([0-9A-F]{4})$/.exec(hex);
  if (!m) return undefined;
  const w = Number.parseInt(m[1]!, 16);
  const ip = [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24].join(".");
  return [ip, Number.parseInt(m[2]!, 16)];
}

/** One data row, or undefined for the header or a row that does not parse. */
export function parseProcNetRow(line: string, proto: "tcp" | "udp"): ProcNetRow | undefined {
  const f = line.trim().split(/\s+/);
  if (f.length < 10 || !/^\d+:$/.test(f[0]!)) return undefined;
  const l = endpoint(f[1]!);
  const r = endpoint(f[2]!);
  const st = Number.parseInt(f[3]!, 16);
  if (!l || !r || Number.isNaN(st)) return undefined;
  return {
    proto,
    local: `${l[0]}:${l[1]}`,
    localPort: l[1],
    remote: `${r[0]}:${r[1]}`,
    state: STATES[st] ?? `0x${f[3]}`,
    inode: Number(f[9]),
  };
}

/** Rows of /proc/net/<proto> whose local port is one of `ports` (cheap pre-filter on the text). */
export function rowsForPorts(text: string, proto: "tcp" | "udp", ports: readonly number[]): ProcNetRow[] {
  const keys = ports.map((p) => `:${p.toString(16).toUpperCase().padStart(4, "0")} `);
  const out: ProcNetRow[] = [];
  for (const line of text.split("\n")) {
    const local = line.slice(0, 40);
    if (!keys.some((k) => local.includes(k))) continue;
    const row = parseProcNetRow(line, proto);
    if (row && ports.includes(row.localPort)) out.push(row);
  }
  return out;
}

/** Read our own sockets' rows from /proc (undefined when /proc/net cannot be read). */
export async function ownSockets(
  proto: "tcp" | "udp",
  ports: readonly number[],
  procRoot = "/proc",
): Promise<ProcNetRow[] | undefined> {
  try {
    return rowsForPorts(await readFile(`${procRoot}/net/${proto}`, "utf8"), proto, ports);
  } catch {
    return undefined; // no /proc here: the demo says so instead of showing the table
  }
}
