/**
 * This kernel's own port ranges: the ephemeral range (`ip_local_port_range`, the ports
 * `connect()` and `bind(port 0)` choose from) and the reserved ports (`ip_local_reserved_ports`,
 * never chosen automatically). Pure parsers plus one reader of /proc/sys.
 *
 * @example
 * const k = await readKernelPorts();
 * k.ephemeral; // { first: 32768, last: 60999 }
 * isReserved(k, 8080); // false
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { NetkitError } from "../errors.js";

/** An inclusive range of ports. */
export interface PortRange {
  first: number;
  last: number;
}

/** The kernel's ephemeral range and reserved ports (IPv4 settings; IPv6 shares them). */
export interface KernelPorts {
  ephemeral: PortRange;
  reserved: PortRange[];
}

function port(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new NetkitError("ERR_PROC_FORMAT", `${what}: ${JSON.stringify(text)} is not a port number`);
  }
  return Number(text);
}

/** Parse `ip_local_port_range` ("32768\t60999\n"). @throws ERR_PROC_FORMAT */
export function parsePortRange(text: string): PortRange {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2) {
    throw new NetkitError(
      "ERR_PROC_FORMAT",
      `ip_local_port_range: expected two numbers, got ${JSON.stringify(text)}`,
    );
  }
  return { first: port(parts[0]!, "ip_local_port_range"), last: port(parts[1]!, "ip_local_port_range") };
}

/** Parse `ip_local_reserved_ports` ("" or "8080,9000-9100\n"). @throws ERR_PROC_FORMAT */
export function parseReservedPorts(text: string): PortRange[] {
  const t = text.trim();
  if (t === "") return [];
  return t.split(",").map((item) => {
    const dash = item.indexOf("-");
    if (dash < 0) {
      const p = port(item, "ip_local_reserved_ports");
      return { first: p, last: p };
    }
    return {
      first: port(item.slice(0, dash), "ip_local_reserved_ports"),
      last: port(item.slice(dash + 1), "ip_local_reserved_ports"),
    };
  });
}

/** True when `port` is in the kernel's ephemeral range. */
export function isEphemeral(k: KernelPorts, port: number): boolean {
  return port >= k.ephemeral.first && port <= k.ephemeral.last;
}

/** True when `port` is in `ip_local_reserved_ports`. */
export function isReserved(k: KernelPorts, port: number): boolean {
  return k.reserved.some((r) => port >= r.first && port <= r.last);
}

/** Read both settings from `procRoot` (default `/proc`). @throws ERR_IO, ERR_PROC_FORMAT */
export async function readKernelPorts(procRoot = "/proc"): Promise<KernelPorts> {
  const dir = join(procRoot, "sys/net/ipv4");
  try {
    const [range, reserved] = await Promise.all([
      readFile(join(dir, "ip_local_port_range"), "utf8"),
      readFile(join(dir, "ip_local_reserved_ports"), "utf8"),
    ]);
    return { ephemeral: parsePortRange(range), reserved: parseReservedPorts(reserved) };
  } catch (e) {
    if (e instanceof NetkitError) throw e;
    throw new NetkitError("ERR_IO", `cannot read ${dir}: ${(e as Error).message}`, { cause: e });
  }
}
