/**
 * `netkit nc` flags → a validated {@link NcConfig}. Pure: every contradictory combination is
 * refused here, one rule per line (like OpenBSD netcat.c), before any socket exists.
 */
import { UsageError } from "../errors.js";
import { checkHost } from "../sockets/resolve_host.js";
import { flagLabel, intFlag, type OptionSpec, type Parsed } from "./args.js";
import {
  checkAccess,
  type HandlerChoice,
  handlerChoice,
  listFlag,
  portArg,
  secondsFlag,
} from "./socket_args.js";

export const NC_OPTIONS: OptionSpec = {
  listen: { type: "boolean", short: "l" },
  "keep-open": { type: "boolean", short: "k" },
  udp: { type: "boolean", short: "u" },
  unixsock: { type: "boolean", short: "U" },
  zero: { type: "boolean", short: "z" },
  verbose: { type: "boolean", short: "v", multiple: true },
  nodns: { type: "boolean", short: "n" },
  ipv4: { type: "boolean", short: "4" },
  ipv6: { type: "boolean", short: "6" },
  "source-port": { type: "string", short: "p" },
  source: { type: "string", short: "s" },
  wait: { type: "string", short: "w" },
  interval: { type: "string", short: "i" },
  quit: { type: "string", short: "q" },
  "shutdown-on-eof": { type: "boolean", short: "N" },
  "no-stdin": { type: "boolean", short: "d" },
  crlf: { type: "boolean", short: "C" },
  exec: { type: "string", short: "e" },
  "sh-exec": { type: "string", short: "c" },
  hex: { type: "boolean", short: "x" },
  "hex-dump": { type: "string" },
  "append-output": { type: "boolean" },
  "send-only": { type: "boolean" },
  "recv-only": { type: "boolean" },
  "no-shutdown": { type: "boolean" },
  broker: { type: "boolean" },
  chat: { type: "boolean" },
  allow: { type: "string", multiple: true },
  deny: { type: "string", multiple: true },
  "max-conns": { type: "string" },
  json: { type: "boolean" },
};

export interface NcConfig {
  mode: "connect" | "listen" | "scan";
  proto: "tcp" | "udp";
  unix: boolean;
  host?: string | undefined;
  port?: number | undefined;
  /** -z: the ports to probe, in order. */
  ports: number[];
  path?: string | undefined;
  family?: 4 | 6 | undefined;
  numeric: boolean;
  sourceAddress?: string | undefined;
  sourcePort?: number | undefined;
  keepOpen: boolean;
  verbose: boolean;
  waitMs?: number | undefined;
  intervalMs?: number | undefined;
  quitAfterEofMs?: number | undefined;
  noStdin: boolean;
  crlf: boolean;
  /** -x or --hex-dump FILE: dump both directions (hexdump -C style). */
  hex: boolean;
  /** --hex-dump FILE: the dump goes to this file (truncated first, unless appendOutput); else stderr. */
  hexFile?: string | undefined;
  appendOutput: boolean;
  /** Set by the command shell once the dump's destination is open (not a flag). */
  hexSink?: ((text: string) => void) | undefined;
  /** -N: shut down the write side on stdin EOF (the default); with -d/--recv-only: at once. */
  shutdownOnEof: boolean;
  handler?: HandlerChoice | undefined;
  sendOnly: boolean;
  recvOnly: boolean;
  noShutdown: boolean;
  broker: boolean;
  chat: boolean;
  allow: string[];
  deny: string[];
  maxConns?: number | undefined;
  json: boolean;
}

/** Most ports one -z run may probe (a bounded scan). */
export const MAX_SCAN_PORTS = 4096;

/** Parse `22`, `20-25`, `80,443,8000-8010` into ports (1–65535). */
export function parsePortList(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(",")) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    if (!m) throw new UsageError(`bad port or range "${part}" (use 80, 20-25 or 80,443)`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 65535 || lo > hi)
      throw new UsageError(`port range "${part}" must be within 1–65535, low to high`);
    for (let p = lo; p <= hi; p++) out.push(p);
    if (out.length > MAX_SCAN_PORTS) throw new UsageError(`at most ${MAX_SCAN_PORTS} ports per scan`);
  }
  return out;
}

/** Validate the flags; throws UsageError (exit 2) naming the rule that was broken. */
export function ncConfig({ values: v, positionals: pos }: Parsed): NcConfig {
  const on = (k: string) => v[k] === true || (Array.isArray(v[k]) && (v[k] as unknown[]).length > 0);
  const has = (k: string) => v[k] !== undefined;
  const listen = on("listen");
  const scan = on("zero");
  const udp = on("udp");
  const unix = on("unixsock");
  const rule = (bad: boolean, msg: string) => {
    if (bad) throw new UsageError(msg);
  };
  rule(listen && scan, "cannot use -z and -l");
  rule(on("keep-open") && !listen, "-k needs -l");
  rule(has("exec") && has("sh-exec"), "cannot use -e and -c together");
  rule(scan && (has("exec") || has("sh-exec")), "cannot use -z with -e or -c");
  rule(on("send-only") && on("recv-only"), "cannot use --send-only and --recv-only together");
  rule(on("send-only") && on("no-stdin"), "cannot use --send-only and -d (nothing to send)");
  rule((on("broker") || on("chat")) && !listen, "--broker and --chat need -l");
  rule((on("broker") || on("chat")) && udp, "--broker and --chat are TCP only");
  rule(
    (on("broker") || on("chat")) && (has("exec") || has("sh-exec")),
    "cannot use --broker/--chat with -e or -c",
  );
  rule(on("ipv4") && on("ipv6"), "cannot use -4 and -6 together");
  rule(unix && (on("ipv4") || on("ipv6") || on("nodns")), "-U takes a path: -4, -6 and -n do not apply");
  rule(unix && (has("source-port") || has("source")), "-U takes a path: -p and -s do not apply");
  rule(unix && scan, "cannot use -z with -U");
  rule(
    !listen && (has("allow") || has("deny") || has("max-conns")),
    "--allow, --deny and --max-conns need -l",
  );
  rule(unix && (has("allow") || has("deny")), "--allow/--deny filter IP peers: not with -U");
  rule(
    udp && !listen && (has("exec") || has("sh-exec")),
    "-e/-c with -u work only with -l (one child per peer)",
  );
  const hex = on("hex") || has("hex-dump");
  rule(
    (has("exec") || has("sh-exec")) && (on("send-only") || on("recv-only") || on("crlf") || hex),
    "-e/-c connect the program to the socket: --send-only, --recv-only, -C and -x do not apply",
  );
  rule(
    scan && (on("send-only") || on("recv-only") || on("crlf") || hex || on("shutdown-on-eof")),
    "-z sends no data: -C, -x, -N, --send-only, --recv-only do not apply",
  );
  rule(v["hex-dump"] === "", "--hex-dump needs a file name");
  rule(on("append-output") && !has("hex-dump"), "--append-output needs --hex-dump FILE");
  rule(on("shutdown-on-eof") && on("no-shutdown"), "cannot use -N and --no-shutdown together");
  rule(
    udp && (on("shutdown-on-eof") || on("no-shutdown")),
    "-N and --no-shutdown shut down a stream's write side: UDP has no FIN (use -q SECS)",
  );
  rule(has("json") && !scan, "--json is for -z scan results (data itself is passed raw)");
  const waitMs = secondsFlag("w", v.wait);
  rule(waitMs === 0, "-w must be more than 0 seconds");
  const quit = secondsFlag("q", v.quit);
  const intervalMs = secondsFlag("i", v.interval);
  const allow = listFlag(v.allow, "allow");
  const deny = listFlag(v.deny, "deny");
  checkAccess(allow, deny);
  const handler = has("exec") || has("sh-exec") ? handlerChoice(undefined, v.exec, v["sh-exec"]) : undefined;

  let host: string | undefined;
  let port: number | undefined;
  let path: string | undefined;
  let ports: number[] = [];
  const sourcePortFlag =
    v["source-port"] === undefined
      ? undefined
      : portArg(flagLabel("source-port"), v["source-port"] as string);
  let sourcePort = sourcePortFlag;
  let sourceAddress = v.source as string | undefined;
  if (unix) {
    rule(pos.length !== 1, listen ? "usage: netkit nc -lU PATH" : "usage: netkit nc -U PATH");
    path = pos[0];
  } else if (listen) {
    // nc -l [HOST] PORT, or nc -l -p PORT [-s HOST] (traditional)
    rule(pos.length > 2, "usage: netkit nc -l [HOST] PORT");
    if (pos.length === 2) {
      rule(sourceAddress !== undefined, "the listen address is given twice (-s and HOST)");
      host = pos[0];
    } else host = sourceAddress;
    const portText = pos.length >= 1 ? pos[pos.length - 1] : undefined;
    rule(
      portText !== undefined && sourcePortFlag !== undefined,
      "the listen port is given twice (-p and PORT)",
    );
    rule(portText === undefined && sourcePortFlag === undefined, "usage: netkit nc -l [HOST] PORT");
    port = portText !== undefined ? portArg("PORT", portText) : sourcePortFlag;
    sourcePort = undefined;
    sourceAddress = undefined;
  } else {
    rule(pos.length < 2, scan ? "usage: netkit nc -z HOST PORT[-PORT][,…]" : "usage: netkit nc HOST PORT");
    host = pos[0];
    if (scan) ports = pos.slice(1).flatMap(parsePortList);
    else {
      rule(pos.length > 2, `unexpected argument "${pos[2]}" (port ranges only with -z)`);
      rule(/[-,]/.test(pos[1]!), "port ranges and lists need -z");
      port = portArg("PORT", pos[1]);
      rule(port === 0, "PORT must not be 0");
    }
  }
  // Hosts go through netkit's address parser before any I/O (127.1, 0177.0.0.1, 1.2.3 are refused).
  if (host !== undefined) checkHost(host);
  if (sourceAddress !== undefined) checkHost(sourceAddress);
  return {
    mode: scan ? "scan" : listen ? "listen" : "connect",
    proto: udp ? "udp" : "tcp",
    unix,
    host,
    port,
    ports,
    path,
    family: on("ipv4") ? 4 : on("ipv6") ? 6 : undefined,
    numeric: on("nodns"),
    sourceAddress,
    sourcePort,
    keepOpen: on("keep-open") || on("broker") || on("chat"),
    verbose: on("verbose"),
    waitMs,
    intervalMs,
    quitAfterEofMs: quit,
    noStdin: on("no-stdin") || on("recv-only"),
    crlf: on("crlf"),
    hex,
    hexFile: v["hex-dump"] as string | undefined,
    appendOutput: on("append-output"),
    shutdownOnEof: on("shutdown-on-eof"),
    handler,
    sendOnly: on("send-only"),
    recvOnly: on("recv-only") || on("no-stdin"),
    noShutdown: on("no-shutdown"),
    broker: on("broker") || on("chat"),
    chat: on("chat"),
    allow,
    deny,
    maxConns: intFlag("max-conns", v["max-conns"], 1),
    json: on("json"),
  };
}
