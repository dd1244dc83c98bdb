/**
 * The `netkit` command: finds the subcommand, loads only its module, runs it, and maps errors to
 * exit codes (0 ok, 1 operational failure, 2 usage error). The only place that calls process.exit.
 */
import { NetkitError, UsageError } from "../errors.js";
import { withFlagSpellings } from "./args.js";
import type { CliIo } from "./io.js";

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** The full --help text, with examples. */
  help: string;
  run(args: string[], io: CliIo): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  ip: async () => (await import("./commands/ip.js")).ipCommand,
  demo: async () => (await import("./commands/demo.js")).demoCommand,
  udp: async () => (await import("./commands/udp.js")).udpCommand,
  tcp: async () => (await import("./commands/tcp.js")).tcpCommand,
  unix: async () => (await import("./commands/unix.js")).unixCommand,
  nc: async () => (await import("./commands/nc.js")).ncCommand,
  sockets: async () => (await import("./commands/sockets.js")).socketsCommand,
  ss: async () => (await import("./commands/sockets.js")).socketsCommand,
  port: async () => (await import("./commands/port.js")).portCommand,
  // diagnostics (src/diag)
  if: async () => (await import("./commands/if.js")).ifCommand,
  interfaces: async () => (await import("./commands/if.js")).ifCommand,
  route: async () => (await import("./commands/route.js")).routeCommand,
  gateway: async () => (await import("./commands/route.js")).gatewayCommand,
  ping: async () => (await import("./commands/ping.js")).pingCommand,
  trace: async () => (await import("./commands/trace.js")).traceCommand,
  traceroute: async () => (await import("./commands/trace.js")).traceCommand,
  bench: async () => (await import("./commands/bench.js")).benchCommand,
  impair: async () => (await import("./commands/impair.js")).impairCommand,
};

const USAGE = `netkit — network programming toolkit

Usage: netkit <command> [options]

Commands:
  ip       analyse IPv4/IPv6 addresses and networks; split, summarize, collapse …
  demo     the guided tour on loopback (what \`npm start\` runs)
  udp      UDP server and client (serve, send)
  tcp      TCP server and clients (serve, send, connect)
  unix     Unix socket servers and clients (stream; datagram with --dgram)
  nc       netcat: connect, listen, scan; binary-safe, half-close done right
  sockets  the socket table like ss -tuanp (alias: ss)
  port     IANA names and ranges of a port, who holds it, release it, pick a free one
  if       network interfaces with addresses and networks (alias: interfaces)
  route    routing tables; route get DEST asks the kernel which route a packet takes
  gateway  the default gateway(s)
  ping     ICMP echo (iputils-compatible) or TCP connect-time ping
  trace    the path to a host, hop by hop (alias: traceroute)
  bench    UDP vs TCP throughput, loss and latency; iperf3-compatible server/client
  impair   an impaired path: UDP relay (loss, dup, reorder, delay), TCP relay (latency, resets)

Options:
  -h, --help      help for netkit or a command (netkit ip --help)
  -V, --version   print the version
  --debug         show stack traces on errors

Examples:
  netkit ip 192.168.1.100/24
  netkit ip 192.168.1.100 255.255.255.0
  netkit ip --json 2001:db8::1/64
  netkit ip split 10.0.0.0/24 --count 4
  netkit demo
  netkit udp serve --port 2000 --handler upper
  netkit nc -l -k 127.0.0.1 4444
  netkit sockets -tlnp
  netkit port who 8080

Exit codes: 0 success, 1 operational failure (including invalid input), 2 usage error.
Docs: docs/cli.md and one page per command under docs/.`;

async function version(): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const pkg = JSON.parse(await readFile(new URL("../../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/** Run netkit with `argv` (without node and script), returning the exit code. */
export async function runMain(argv: string[], io: CliIo): Promise<number> {
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  try {
    const name = args[0];
    if (name === undefined || name === "-h" || name === "--help" || name === "help") {
      if (name === "help" && args[1] !== undefined) return runMain([args[1], "--help"], io);
      io.stdout.write(`${USAGE}\n`);
      return name === undefined ? 2 : 0;
    }
    if (name === "-V" || name === "--version") {
      io.stdout.write(`netkit ${await version()}\n`);
      return 0;
    }
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (load === undefined) throw new UsageError(`unknown command "${name}" (see netkit --help)`);
    const cmd = await load();
    const rest = args.slice(1);
    if (rest.includes("-h") || rest.includes("--help")) {
      io.stdout.write(`${cmd.help}\n`);
      return 0;
    }
    return await withFlagSpellings(() => cmd.run(rest, io));
  } catch (e) {
    return reportError(e, io, debug);
  }
}

/** Print one line for an error (a stack only with --debug) and return its exit code. */
export function reportError(e: unknown, io: CliIo, debug: boolean): number {
  if (e instanceof UsageError) {
    io.stderr.write(`netkit: ${e.code}: ${e.message}\n`);
    if (debug && e.stack) io.stderr.write(`${e.stack}\n`);
    return 2;
  }
  if (e instanceof NetkitError) {
    io.stderr.write(`netkit: ${e.code}: ${e.message}\n`);
  } else {
    const msg = e instanceof Error ? e.message : String(e);
    io.stderr.write(`netkit: internal error: ${msg.split("\n")[0]} (run with --debug for details)\n`);
  }
  if (debug && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
  return 1;
}
