/**
 * Shared parts of `netkit udp|tcp|unix`: the serve flags (validated before any I/O) and small
 * helpers for send/connect.
 */
import type { Readable } from "node:stream";
import { NetkitError, UsageError } from "../errors.js";
import { parseAddr } from "../ip/addr.js";
import { checkHost, literalFamily } from "../sockets/resolve_host.js";
import { flagLabel, intFlag, type OptionSpec, type Parsed } from "./args.js";
import type { ServeSpec } from "./serve_run.js";
import { checkAccess, handlerChoice, listFlag, portArg, secondsFlag } from "./socket_args.js";

export const SERVE_OPTIONS: OptionSpec = {
  host: { type: "string" },
  port: { type: "string", short: "p" },
  handler: { type: "string" },
  exec: { type: "string", short: "e" },
  "sh-exec": { type: "string", short: "c" },
  buffer: { type: "string" },
  "max-conns": { type: "string" },
  allow: { type: "string", multiple: true },
  deny: { type: "string", multiple: true },
  "idle-timeout": { type: "string" },
  "keep-open": { type: "boolean", short: "k" },
  keepalive: { type: "boolean" },
  "no-delay": { type: "boolean" },
  "ipv6-only": { type: "boolean" },
  broadcast: { type: "boolean" },
  multicast: { type: "string" },
  "multicast-if": { type: "string" },
  ttl: { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
};

/** Turn parsed serve flags into a {@link ServeSpec}; every rule is checked here, before I/O. */
export function serveSpec(
  proto: ServeSpec["proto"],
  { values: v, positionals }: Parsed,
  dgram = false,
): ServeSpec {
  const only = (flag: string, protos: ServeSpec["proto"][]) => {
    if (v[flag] !== undefined && !protos.includes(proto))
      throw new UsageError(`${flagLabel(flag)} is for ${protos.join("/")} servers, not ${proto}`);
  };
  if (!dgram) only("buffer", ["udp"]);
  if (dgram && (v["keep-open"] !== undefined || v.keepalive !== undefined || v["no-delay"] !== undefined))
    throw new UsageError("-k, --keepalive and --no-delay are for stream sockets, not --dgram");
  only("broadcast", ["udp"]);
  only("multicast", ["udp"]);
  only("multicast-if", ["udp"]);
  only("ttl", ["udp"]);
  only("keepalive", ["tcp"]);
  only("no-delay", ["tcp"]);
  only("host", ["udp", "tcp"]);
  only("port", ["udp", "tcp"]);
  only("allow", ["udp", "tcp"]);
  only("deny", ["udp", "tcp"]);
  only("ipv6-only", ["udp", "tcp"]);
  if (v["multicast-if"] !== undefined && v.multicast === undefined)
    throw new UsageError("--multicast-if needs --multicast GROUP");
  if (typeof v.multicast === "string" && !isMulticastLiteral(v.multicast))
    throw new UsageError(
      `--multicast takes a multicast group address (224.0.0.0/4 or ff00::/8), got "${v.multicast}"`,
    );
  if (typeof v["multicast-if"] === "string" && literalFamily(v["multicast-if"]) === undefined)
    throw new UsageError(
      `--multicast-if takes a local interface address (127.0.0.1), got "${v["multicast-if"]}"`,
    );
  let path: string | undefined;
  if (proto === "unix") {
    if (positionals.length !== 1) throw new UsageError("netkit unix serve takes one PATH");
    path = positionals[0];
  } else if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const allow = listFlag(v.allow, "allow");
  const deny = listFlag(v.deny, "deny");
  checkAccess(allow, deny); // a bad prefix is a usage error before binding
  if (typeof v.host === "string") checkHost(v.host); // netkit's address parser, before binding
  return {
    proto,
    host: v.host as string | undefined,
    port: v.port === undefined ? undefined : portArg(flagLabel("port"), v.port as string),
    path,
    handler: handlerChoice(v.handler, v.exec, v["sh-exec"]),
    buffer: intFlag("buffer", v.buffer, 1, 65535),
    maxConns: intFlag("max-conns", v["max-conns"], 1),
    allow,
    deny,
    idleTimeout: secondsFlag("idle-timeout", v["idle-timeout"]),
    keepOpen: v["keep-open"] === true,
    keepAlive: v.keepalive === true ? true : undefined,
    noDelay: v["no-delay"] === true ? true : undefined,
    ipv6Only: v["ipv6-only"] === true ? true : undefined,
    broadcast: v.broadcast === true ? true : undefined,
    multicastGroup: v.multicast as string | undefined,
    multicastInterface: v["multicast-if"] as string | undefined,
    ttl: intFlag("ttl", v.ttl, 1, 255),
    json: v.json === true,
    verbose: v.verbose === true,
    dgram,
  };
}

/** True for a multicast address literal: 224.0.0.0/4 or ff00::/8 (names are not multicast). */
export function isMulticastLiteral(text: string): boolean {
  let a: ReturnType<typeof parseAddr>;
  try {
    a = parseAddr(text);
  } catch {
    return false; // a name or not an address
  }
  const u = a.unmap();
  return u.version === 4 ? u.w3 >>> 28 === 0xe : u.w0 >>> 24 === 0xff;
}

/** The message to send: the argument, or all of stdin (at most `max` bytes). */
export async function messageFrom(arg: string | undefined, stdin: Readable, max: number): Promise<Buffer> {
  if (arg !== undefined) return Buffer.from(arg, "utf8");
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of stdin) {
    const b = typeof c === "string" ? Buffer.from(c) : (c as Buffer);
    size += b.length;
    if (size > max)
      throw new NetkitError("ERR_TOO_LARGE", `the message on stdin is longer than ${max} bytes`);
    parts.push(b);
  }
  return Buffer.concat(parts);
}

export const SERVE_HELP_FLAGS = `Serve options:
  --host ADDR          address to listen on (default 0.0.0.0, the notes' ''; "::" for dual-stack);
                       with --exec/--sh-exec and no --host: 127.0.0.1 only
  -p, --port N         port (default 2000, the notes' port; 0 lets the kernel choose)
  --handler NAME|FILE  echo (default), upper, lower, reverse, or a module file exporting
                       process_data(data, peer) / a default function
  -e, --exec CMD       run CMD (argv, no shell) per connection / UDP peer: its stdin is the peer's data
  -c, --sh-exec CMD    the same through /bin/sh -c
  --max-conns N        most connections (UDP: peers) at once
  --allow CIDR         only these peers (repeatable, comma lists ok); --deny CIDR refuses (deny wins)
  --idle-timeout S     close a connection (UDP: a peer's session) after S seconds of silence
  -k, --keep-open      stream servers: keep accepting after the first connection (default: serve one)
  --ipv6-only          with --host ::, refuse IPv4-mapped peers
  --json               NDJSON events on stdout: listening, connection, datagram, close, stats
  -v, --verbose        one stderr line per connection / datagram
Stopping: Ctrl-C (SIGINT) or SIGTERM finishes in-flight replies, then prints statistics.`;

/** The serve options of `netkit unix serve`: no --host, --port, --allow, --deny, --ipv6-only. */
export const UNIX_SERVE_HELP_FLAGS = (() => {
  const ipOnly = /^ {2}(--host|-p, --port|--allow|--ipv6-only)\b/;
  let dropping = false;
  const kept: string[] = [];
  for (const line of SERVE_HELP_FLAGS.split("\n")) {
    // A continuation line (deeper indent) goes with the flag line above it.
    if (!/^ {4,}/.test(line)) dropping = ipOnly.test(line);
    if (!dropping) kept.push(line);
  }
  return kept.join("\n");
})();
