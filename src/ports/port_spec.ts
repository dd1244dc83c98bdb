/**
 * Port specs as `lsof -i` and `ss` users write them: `80`, `2000/udp`, `tcp:22`, `ssh`,
 * `ssh/tcp`, `udp:domain`. A number without a transport means TCP and UDP; a service name
 * means every TCP/UDP port registered under it.
 *
 * @example
 * parsePortSpec("2000/udp").entries; // [{ port: 2000, transport: "udp" }]
 * parsePortSpec("http").entries;     // [{ port: 80, transport: "tcp" }, { port: 80, transport: "udp" }]
 */
import { NetkitError, ParseError } from "../errors.js";
import { portsForName } from "./registry.js";

/** A socket transport netkit looks up ports for. */
export type PortTransport = "tcp" | "udp";

/** A parsed spec: the exact ports and transports it names. */
export interface PortSpec {
  input: string;
  /** The service name when the spec used one, else null. */
  service: string | null;
  /** Port/transport pairs, sorted by port, tcp before udp. */
  entries: { port: number; transport: PortTransport }[];
}

function fail(input: string, reason: string, at: number): never {
  throw new ParseError("ERR_PORT_SPEC", "port spec", input, reason, at);
}

/** A decimal port: no sign, no leading zero, 0–65535. */
function parseNumber(input: string, s: number, e: number): number {
  if (s === e) fail(input, "the port is empty", s);
  for (let i = s; i < e; i++) {
    const c = input.charCodeAt(i);
    if (c < 48 || c > 57) fail(input, `unexpected character ${JSON.stringify(input[i])} in port number`, i);
  }
  if (e - s > 1 && input.charCodeAt(s) === 48) fail(input, "the port has a leading zero", s);
  if (e - s > 5 || Number(input.slice(s, e)) > 65535) fail(input, "the port is greater than 65535", s);
  return Number(input.slice(s, e));
}

function transportAt(input: string, s: number, e: number): PortTransport {
  const t = input.slice(s, e).toLowerCase();
  if (t === "tcp" || t === "udp") return t;
  return fail(input, `unknown transport ${JSON.stringify(input.slice(s, e))} (use tcp or udp)`, s);
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/**
 * Parse a port spec.
 * @throws ERR_PORT_SPEC (a ParseError with `at`) for bad syntax, ERR_UNKNOWN_SERVICE for a name
 *   not registered for TCP or UDP.
 */
export function parsePortSpec(input: string): PortSpec {
  if (input === "") fail(input, "the spec is empty", -1);
  let transport: PortTransport | null = null;
  let s = 0;
  let e = input.length;
  const colon = input.indexOf(":");
  const slash = input.indexOf("/");
  if (colon >= 0 && slash >= 0) fail(input, "use either TRANSPORT:PORT or PORT/TRANSPORT, not both", slash);
  if (colon >= 0) {
    transport = transportAt(input, 0, colon);
    s = colon + 1;
  } else if (slash >= 0) {
    transport = transportAt(input, slash + 1, input.length);
    e = slash;
  }
  if (s === e) fail(input, "the port is empty", s);
  const c = input.charCodeAt(s);
  const transports: PortTransport[] = transport === null ? ["tcp", "udp"] : [transport];
  if (c >= 48 && c <= 57) {
    const port = parseNumber(input, s, e);
    return { input, service: null, entries: transports.map((t) => ({ port, transport: t })) };
  }
  const name = input.slice(s, e);
  if (!NAME.test(name)) {
    const bad = [...name].findIndex((ch, i) => !/[A-Za-z0-9-]/.test(ch) || (i === 0 && ch === "-"));
    fail(
      input,
      `unexpected character ${JSON.stringify(name[bad] ?? name)} in service name`,
      s + Math.max(bad, 0),
    );
  }
  const entries = portsForName(name)
    .filter((p) => (transports as string[]).includes(p.transport))
    .map((p) => ({ port: p.port, transport: p.transport as PortTransport }));
  if (entries.length === 0) {
    throw new NetkitError(
      "ERR_UNKNOWN_SERVICE",
      `unknown service ${JSON.stringify(name)}${transport ? ` for ${transport}` : ""}: no IANA registration for TCP or UDP`,
    );
  }
  return { input, service: name.toLowerCase(), entries };
}
