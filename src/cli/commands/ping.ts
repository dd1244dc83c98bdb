/**
 * `netkit ping HOST`: ICMP echo with iputils ping's flags, output and exit codes;
 * `netkit ping --tcp PORT HOST`: TCP connect-time ping.
 */
import type { PingEvent, PingResult } from "../../diag/ping.js";
import type { PingStats, PingSummary } from "../../diag/ping_stats.js";
import type { TcpPingEvent, TcpPingResult } from "../../diag/tcp_ping.js";
import { NetkitError, UsageError } from "../../errors.js";
import { flagLabel, intFlag, parseFlags } from "../args.js";
import { type CliIo, write } from "../io.js";
import type { Command } from "../main.js";
import { reportError } from "../main.js";

const HELP = `netkit ping — is a host reachable? ICMP echo like iputils ping, or TCP connect time

Usage:
  netkit ping [-c N] [-i SEC] [-W SEC] [-w SEC] [-s BYTES] [-t TTL] [-q] [-4 | -6] [--json] HOST
  netkit ping --tcp PORT [-c N] [-i SEC] [-W SEC] [-w SEC] [-q] [-4 | -6] [--json] HOST

ICMP mode uses an unprivileged ICMP ("ping") socket when net.ipv4.ping_group_range allows it for
your group, otherwise a raw socket (needs root or CAP_NET_RAW). Replies are matched to our probes
(id and sequence), so other processes' pings are never counted. Output is numeric (no reverse DNS).

TCP mode (--tcp PORT) times a TCP connect: "open" (accepted) and "closed" (refused: the host is up,
the port closed) both count as replies; a timeout counts as loss. No data is sent.

Options:
  -c N          stop after N replies (or N probes without -w)
  -i SEC        seconds between probes (default 1; at least 0.002 unless root)
  -W SEC        seconds to wait for a reply after the last probe (default 10); TCP: per connect
  -w SEC        deadline: stop after SEC seconds whatever happens
  -s BYTES      data bytes per probe (default 56)
  -t TTL        IP time to live / IPv6 hop limit
  -q            quiet: only the header and the summary
  -4, -6        resolve HOST to IPv4 / IPv6 only
  -n            numeric output (always on; accepted for habit)
  --tcp PORT    TCP connect-time ping of PORT instead of ICMP
  --socket K    ICMP socket kind: auto (default), dgram (ping socket) or raw
  --json        one JSON object at the end: transmitted, received, duplicates, errors, loss (%),
                rtt {min, avg, max, mdev} in ms, replies and ICMP errors
  -h, --help    this help

Examples:
  netkit ping -c 3 127.0.0.1
  netkit ping -c 5 -i 0.2 -q ::1
  netkit ping -c 2 -w 3 --json 127.0.0.1
  netkit ping --tcp 8080 -c 3 127.0.0.1

Ctrl-\\ (SIGQUIT) prints interim statistics on stderr and the run goes on, as iputils does:
  4/4 packets, 0% loss, min/avg/ewma/max = 0.012/0.025/0.018/0.036 ms

Exit codes (as iputils): 0 at least one reply (and, with -w and -c, all N); 1 no reply;
2 other errors (unknown host, no route, no permission, usage).
Docs: docs/ping.md`;

/** iputils' reply-time format: 3 decimals below 1 ms, then 2, 1, 0 as the time grows. */
export function formatReplyTime(ms: number): string {
  const us = Math.round(ms * 1000);
  if (us >= 100000 - 50) return `${Math.floor((us + 500) / 1000)}`;
  if (us >= 10000 - 5) return ((us + 50) / 1000).toFixed(3).slice(0, -2);
  if (us >= 1000) return ((us + 5) / 1000).toFixed(3).slice(0, -1);
  return (us / 1000).toFixed(3);
}

/** %g with 6 significant digits of a C float, as iputils prints the loss percentage. */
function g(n: number): string {
  return String(Number(Math.fround(n).toPrecision(6)));
}

/** The statistics block iputils prints at the end. */
export function renderSummary(target: string, s: PingSummary, timeMs: number): string {
  let line = `${s.transmitted} packets transmitted, ${s.received} received`;
  if (s.duplicates) line += `, +${s.duplicates} duplicates`;
  if (s.corrupted) line += `, +${s.corrupted} corrupted`;
  if (s.errors) line += `, +${s.errors} errors`;
  if (s.transmitted) line += `, ${g(s.loss)}% packet loss, time ${timeMs}ms`;
  let out = `\n--- ${target} ping statistics ---\n${line}\n`;
  let last = "";
  if (s.rtt !== null && s.received > 0) {
    const f = (x: number) => x.toFixed(3);
    last = `rtt min/avg/max/mdev = ${f(s.rtt.min)}/${f(s.rtt.avg)}/${f(s.rtt.max)}/${f(s.rtt.mdev)} ms`;
  }
  if (s.pipe > 1) last += `${last ? ", " : ""}pipe ${s.pipe}`;
  out += `${last}\n`;
  return out;
}

function seconds(name: string, v: unknown, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^(\d+(\.\d*)?|\.\d+)$/.test(v)) {
    throw new UsageError(`${flagLabel(name)} takes a number of seconds, got "${v}"`);
  }
  const n = Number(v);
  if (n < min) throw new UsageError(`${flagLabel(name)} must be at least ${min}, got ${v}`);
  return n;
}

interface Parsed {
  host: string;
  count?: number;
  intervalMs?: number;
  timeoutS?: number;
  deadlineS?: number;
  size?: number;
  ttl?: number;
  family?: 4 | 6;
  quiet: boolean;
  json: boolean;
  tcp?: number;
  socket: "auto" | "dgram" | "raw";
}

function parse(args: string[]): Parsed {
  const { values, positionals } = parseFlags(args, {
    count: { type: "string", short: "c" },
    interval: { type: "string", short: "i" },
    timeout: { type: "string", short: "W" },
    deadline: { type: "string", short: "w" },
    size: { type: "string", short: "s" },
    ttl: { type: "string", short: "t" },
    quiet: { type: "boolean", short: "q" },
    numeric: { type: "boolean", short: "n" },
    "4": { type: "boolean", short: "4" },
    "6": { type: "boolean", short: "6" },
    json: { type: "boolean" },
    tcp: { type: "string" },
    socket: { type: "string" },
  });
  if (positionals.length === 0) throw new UsageError("netkit ping needs a HOST (see netkit ping --help)");
  if (positionals.length > 1) throw new UsageError(`too many arguments: ${positionals.slice(1).join(" ")}`);
  if (values["4"] === true && values["6"] === true) throw new UsageError("cannot use -4 and -6 together");
  const root = process.getuid?.() === 0;
  const interval = seconds("i", values.interval, root ? 0.001 : 0.002);
  const socket = values.socket ?? "auto";
  if (socket !== "auto" && socket !== "dgram" && socket !== "raw") {
    throw new UsageError(`--socket takes auto, dgram or raw, got "${String(socket)}"`);
  }
  const tcp = intFlag("tcp", values.tcp, 1, 65535);
  if (
    tcp !== undefined &&
    (values.size !== undefined || values.ttl !== undefined || values.socket !== undefined)
  ) {
    throw new UsageError("cannot use -s, -t or --socket with --tcp");
  }
  const p: Parsed = {
    host: positionals[0]!,
    quiet: values.quiet === true,
    json: values.json === true,
    socket,
  };
  const count = intFlag("c", values.count, 1, 0x7fffffff);
  if (count !== undefined) p.count = count;
  if (interval !== undefined) p.intervalMs = interval * 1000;
  const timeout = seconds("W", values.timeout, 0.001);
  if (timeout !== undefined) p.timeoutS = timeout;
  const deadline = seconds("w", values.deadline, 0);
  if (deadline !== undefined) p.deadlineS = deadline;
  const size = intFlag("s", values.size, 0, 65507);
  if (size !== undefined) p.size = size;
  const ttl = intFlag("t", values.ttl, 1, 255);
  if (ttl !== undefined) p.ttl = ttl;
  if (values["4"] === true) p.family = 4;
  if (values["6"] === true) p.family = 6;
  if (tcp !== undefined) p.tcp = tcp;
  return p;
}

function exitCode(s: PingSummary, p: Parsed): number {
  if (s.received === 0) return 1;
  if (p.deadlineS !== undefined && p.count !== undefined && s.received < p.count) return 1;
  return 0;
}

async function runIcmp(p: Parsed, io: CliIo, signal: AbortSignal, stats: PingStats): Promise<number> {
  const { ping } = await import("../../diag/ping.js");
  const replies: Extract<PingEvent, { type: "reply" }>[] = [];
  const errors: Extract<PingEvent, { type: "error" }>[] = [];
  let ver: 4 | 6 = 4;
  const onEvent = (e: PingEvent) => {
    if (e.type === "start") {
      ver = e.address.includes(":") ? 6 : 4;
      if (p.json) return;
      io.stdout.write(
        ver === 4
          ? `PING ${e.target} (${e.address}) ${e.dataSize}(${e.dataSize + 28}) bytes of data.\n`
          : `PING ${e.target}(${e.address}) ${e.dataSize} data bytes\n`,
      );
    } else if (e.type === "reply") {
      if (p.json) replies.push(e);
      else if (!p.quiet) {
        io.stdout.write(
          `${e.bytes} bytes from ${e.from}: icmp_seq=${e.seq}${e.ttl !== null ? ` ttl=${e.ttl}` : ""} time=${formatReplyTime(e.time)} ms${e.duplicate ? " (DUP!)" : ""}\n`,
        );
      }
    } else {
      if (p.json) errors.push(e);
      else if (!p.quiet) io.stdout.write(`From ${e.from} icmp_seq=${e.seq} ${e.message}\n`);
    }
  };
  const r: PingResult = await ping(p.host, {
    ...(p.count !== undefined ? { count: p.count } : {}),
    ...(p.intervalMs !== undefined ? { intervalMs: p.intervalMs } : {}),
    ...(p.timeoutS !== undefined ? { timeoutS: p.timeoutS } : {}),
    ...(p.deadlineS !== undefined ? { deadlineS: p.deadlineS } : {}),
    ...(p.size !== undefined ? { size: p.size } : {}),
    ...(p.ttl !== undefined ? { ttl: p.ttl } : {}),
    ...(p.family !== undefined ? { family: p.family } : {}),
    socketKind: p.socket,
    signal,
    onEvent,
    stats,
  });
  if (p.json) {
    await write(io.stdout, `${JSON.stringify({ ...r, replies, icmpErrors: errors })}\n`);
  } else {
    await write(io.stdout, renderSummary(r.target, r, r.timeMs));
  }
  return exitCode(r, p);
}

async function runTcp(
  p: Parsed,
  port: number,
  io: CliIo,
  signal: AbortSignal,
  stats: PingStats,
): Promise<number> {
  const { tcpPing } = await import("../../diag/tcp_ping.js");
  const probes: Extract<TcpPingEvent, { type: "probe" }>[] = [];
  let address = "";
  const onEvent = (e: TcpPingEvent) => {
    if (e.type === "start") {
      address = e.address.includes(":") ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
      if (!p.json) io.stdout.write(`TCP PING ${e.target} (${address})\n`);
      return;
    }
    if (p.json) {
      probes.push(e);
      return;
    }
    if (p.quiet) return;
    if (e.status === "open")
      io.stdout.write(`connected to ${address}: seq=${e.seq} time=${formatReplyTime(e.time!)} ms\n`);
    else if (e.status === "closed") {
      io.stdout.write(
        `refused by ${address} (host up, port closed): seq=${e.seq} time=${formatReplyTime(e.time!)} ms\n`,
      );
    } else if (e.status === "timeout") io.stdout.write(`no answer from ${address}: seq=${e.seq} (timeout)\n`);
    else io.stdout.write(`error from ${address}: seq=${e.seq} ${e.message}\n`);
  };
  const r: TcpPingResult = await tcpPing(p.host, port, {
    ...(p.count !== undefined ? { count: p.count } : {}),
    ...(p.intervalMs !== undefined ? { intervalMs: p.intervalMs } : {}),
    ...(p.timeoutS !== undefined ? { timeoutS: p.timeoutS } : {}),
    ...(p.deadlineS !== undefined ? { deadlineS: p.deadlineS } : {}),
    ...(p.family !== undefined ? { family: p.family } : {}),
    signal,
    onEvent,
    stats,
  });
  if (p.json) await write(io.stdout, `${JSON.stringify({ ...r, probes })}\n`);
  else await write(io.stdout, renderSummary(`${r.target}:${port}`, r, r.timeMs));
  return exitCode(r, p);
}

export const pingCommand: Command = {
  summary: "ICMP echo (iputils-compatible) or TCP connect-time ping",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const p = parse(args);
    const ac = new AbortController();
    const onSignal = () => ac.abort();
    // SIGQUIT (Ctrl-\\): interim statistics on stderr, and the run goes on (iputils' status()).
    const { PingStats, formatPingStatus } = await import("../../diag/ping_stats.js");
    const stats = new PingStats();
    const onQuit = () => {
      io.stderr.write(formatPingStatus(stats.status()));
    };
    process.once("SIGINT", onSignal);
    process.on("SIGQUIT", onQuit);
    try {
      return p.tcp !== undefined
        ? await runTcp(p, p.tcp, io, ac.signal, stats)
        : await runIcmp(p, io, ac.signal, stats);
    } catch (e) {
      if (e instanceof UsageError || !(e instanceof NetkitError)) throw e;
      // iputils exits 2 for errors other than "no reply".
      reportError(e, io, false);
      return 2;
    } finally {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGQUIT", onQuit);
    }
  },
};
