/**
 * `netkit impair`: loss without netem — a UDP relay that drops, duplicates, reorders, delays and
 * rate-limits datagrams, and a TCP relay with latency, bandwidth and reset faults.
 */
import { lookup } from "node:dns/promises";
import { networkInterfaces } from "node:os";
import { parseRate, parseSize } from "../../bench/units.js";
import { NetkitError, UsageError } from "../../errors.js";
import { relayLoop } from "../../impair/relay_loop.js";
import { startTcpRelay, type TcpRelay } from "../../impair/tcp_relay.js";
import { type Endpoint, startUdpRelay, type UdpRelay } from "../../impair/udp_relay.js";
import { checkHost, literalFamily, resolveHost } from "../../sockets/resolve_host.js";
import { flagLabel, intFlag, parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import type { Command } from "../main.js";
import { secondsFlag } from "./bench_flags.js";

const HELP = `netkit impair — an impaired path on loopback, without netem

Usage:
  netkit impair link [--drop P] [--duplicate P] [--reorder P] [--delay MS] [--jitter MS]
                     [--rate RATE] [--seed N] [-t SECS] [--json]           (root)
  netkit impair udp LISTEN TARGET [--drop P] [--duplicate P] [--reorder P] [--delay MS]
                    [--jitter MS] [--rate RATE] [--both] [--pass-first N] [--drop-first N] [--with-tcp]
                    [--seed N] [-t SECS] [--json]
  netkit impair tcp LISTEN TARGET [--latency MS] [--bandwidth RATE] [--reset-after BYTES]
                    [--reset-probability P] [--seed N] [-t SECS] [--json]

LISTEN and TARGET are HOST:PORT ([::1]:PORT for IPv6) or just PORT (127.0.0.1). The relay runs
until Ctrl-C or -t SECS, then prints what it did (received, forwarded, dropped, duplicated,
reordered …). P is a probability: 5% or 0.05. The same --seed gives the same decisions.

udp: each datagram from a client goes to TARGET through the impairments; answers come back
  (impaired too with --both). --pass-first N lets each flow's first N datagrams through untouched
  (1 keeps iperf3's UDP handshake alive); --drop-first N drops them instead (with --both also
  the first answers: a lost handshake reply, deterministically). --with-tcp also relays TCP on the same port, plainly,
  so \`netkit bench client -u\` and iperf3 (control over TCP, data over UDP) can run through it.
  Reordering holds a datagram back until the next one has gone; --rate queues (1 MB, then drops).
link: two test hosts (network namespaces nk<pid>a and nk<pid>b, addresses 10.77.X.1 and .2)
  joined through TUN devices; every IP packet between them passes through netkit with the
  impairments, so TCP itself loses and retransmits. Run programs in them with
  \`ip netns exec NS …\`. Everything is removed when the link stops.
tcp: --latency adds delay to every chunk, --bandwidth caps each direction (back-pressure, no
  loss), --reset-after sends RST both ways once that many bytes went through (on a fraction of
  connections with --reset-probability). The directions are independent: a FIN is passed on
  after the last byte before it, and the other direction goes on (half-close).
A TARGET that is the relay itself (LISTEN's own address and port, or a wildcard LISTEN and a
local TARGET on the same port) is a usage error: it would relay to itself without end.

Examples:
  netkit impair udp 127.0.0.1:6000 127.0.0.1:5201 --drop 5% --with-tcp --pass-first 1 --seed 1
  netkit bench client 127.0.0.1 -p 6000 -u -b 10M        (measures the 5%)
  netkit impair udp 7000 7 --duplicate 2% --reorder 3% -t 30
  netkit impair tcp 8000 127.0.0.1:80 --latency 50 --bandwidth 1M
  sudo netkit impair link --drop 5% -t 60      (then: ip netns exec nk<pid>a ping 10.77.X.2)

Exit codes: 0 success, 1 failure (cannot bind), 2 usage error.`;

/**
 * HOST:PORT, [v6]:PORT or PORT. HOST goes through netkit's one host parser (127.1 is refused as
 * `netkit ip` refuses it); an IPv6 address needs its brackets (`::1:80` is ambiguous).
 */
export function parseEndpoint(text: string, what: string): Endpoint {
  let host = "127.0.0.1";
  let port = text;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (v6) {
    host = v6[1]!;
    port = v6[2]!;
  } else if (text.includes(":")) {
    const i = text.lastIndexOf(":");
    host = text.slice(0, i);
    port = text.slice(i + 1);
    if (host.includes(":"))
      throw new UsageError(`${what}: write an IPv6 address in brackets, [${host}]:${port}, got "${text}"`);
  }
  if (!/^\d+$/.test(port) || Number(port) > 65535 || host === "")
    throw new UsageError(`${what} must be HOST:PORT or PORT, got "${text}"`);
  if (v6) {
    if (literalFamily(host) !== 6) checkHost(`[${host}]`);
  } else checkHost(host);
  return { host, port: Number(port) };
}

/** The endpoint with its host resolved (a name → an address; ERR_HOST_NOT_FOUND). */
async function resolveEndpoint(e: Endpoint): Promise<Endpoint> {
  return { host: (await resolveHost(e.host)).address, port: e.port };
}

/** 5%, 0.05 → 0.05. */
export function parseProbability(text: unknown, flag: string): number {
  if (text === undefined) return 0;
  const s = String(text);
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(s);
  if (!m) throw new UsageError(`${flagLabel(flag)} takes a probability like 5% or 0.05, got "${s}"`);
  const v = m[2] === "%" ? Number(m[1]) / 100 : Number(m[1]);
  if (v > 1) throw new UsageError(`${flagLabel(flag)} must be at most 100%, got "${s}"`);
  return v;
}

/** Milliseconds, 0–600000 (fractions allowed). */
function msFlag(name: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== "string" || !/^\d+(\.\d+)?$/.test(v))
    throw new UsageError(`${flagLabel(name)} takes milliseconds, got "${String(v)}"`);
  if (Number(v) > 600_000) throw new UsageError(`${flagLabel(name)} must be at most 600000 ms, got ${v}`);
  return Number(v);
}

export const impairCommand: Command = {
  summary: "an impaired path: UDP relay with loss/dup/reorder/delay, TCP relay with faults",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const mode = args[0];
    if (mode === "link") return runLink(args.slice(1), io);
    if (mode !== "udp" && mode !== "tcp")
      throw new UsageError('netkit impair takes "udp", "tcp" or "link" first (see --help)');
    const { values, positionals } = parseFlags(args.slice(1), {
      drop: { type: "string" },
      duplicate: { type: "string" },
      reorder: { type: "string" },
      delay: { type: "string" },
      jitter: { type: "string" },
      rate: { type: "string" },
      both: { type: "boolean" },
      "pass-first": { type: "string" },
      "drop-first": { type: "string" },
      "with-tcp": { type: "boolean" },
      latency: { type: "string" },
      bandwidth: { type: "string" },
      "reset-after": { type: "string" },
      "reset-probability": { type: "string" },
      seed: { type: "string" },
      time: { type: "string", short: "t" },
      json: { type: "boolean" },
    });
    if (positionals.length !== 2) throw new UsageError(`netkit impair ${mode} takes LISTEN and TARGET`);
    const listenArg = parseEndpoint(positionals[0]!, "LISTEN");
    const targetArg = parseEndpoint(positionals[1]!, "TARGET");
    await refuseLoop(listenArg, targetArg);
    const seed = intFlag("seed", values.seed, 0, 2 ** 32 - 1) ?? Date.now() % 2 ** 32;
    const time = secondsFlag("time", values.time, 0);
    const udpOnly = [
      "drop",
      "duplicate",
      "reorder",
      "delay",
      "jitter",
      "rate",
      "both",
      "pass-first",
      "drop-first",
      "with-tcp",
    ];
    const tcpOnly = ["latency", "bandwidth", "reset-after", "reset-probability"];
    for (const k of mode === "udp" ? tcpOnly : udpOnly)
      if (values[k] !== undefined)
        throw new UsageError(`${flagLabel(k)} is for netkit impair ${mode === "udp" ? "tcp" : "udp"}`);
    const listen = await resolveEndpoint(listenArg);
    const target = await resolveEndpoint(targetArg);
    let udp: UdpRelay | null = null;
    let tcp: TcpRelay | null = null;
    const out = (s: string) => io.stdout.write(`${s}\n`);
    if (mode === "udp") {
      const impair = {
        drop: parseProbability(values.drop, "drop"),
        duplicate: parseProbability(values.duplicate, "duplicate"),
        reorder: parseProbability(values.reorder, "reorder"),
        delayMs: msFlag("delay", values.delay),
        jitterMs: msFlag("jitter", values.jitter),
        rate: values.rate === undefined ? 0 : parseRate(String(values.rate), "--rate"),
        passFirst: intFlag("pass-first", values["pass-first"], 0, 1_000_000) ?? 0,
        dropFirst: intFlag("drop-first", values["drop-first"], 0, 1_000_000) ?? 0,
      };
      udp = await startUdpRelay({ listen, target, impair, seed, both: values.both === true });
      if (values["with-tcp"] === true) {
        try {
          tcp = await startTcpRelay({ listen: { host: listen.host, port: udp.port }, target, seed });
        } catch (e) {
          await udp.close();
          throw e;
        }
      }
      if (values.json !== true)
        out(
          `relaying UDP ${listen.host}:${udp.port} -> ${target.host}:${target.port}${tcp ? " (and TCP)" : ""}: ` +
            `drop ${impair.drop * 100}%, duplicate ${impair.duplicate * 100}%, reorder ${impair.reorder * 100}%, ` +
            `delay ${impair.delayMs} ms ± ${impair.jitterMs} ms${impair.rate ? `, rate ${impair.rate} bit/s` : ""}; seed ${seed}`,
        );
      else out(JSON.stringify({ listening: { host: listen.host, port: udp.port }, seed }));
    } else {
      const resetAfter =
        values["reset-after"] === undefined ? 0 : parseSize(String(values["reset-after"]), "--reset-after");
      tcp = await startTcpRelay({
        listen,
        target,
        seed,
        latencyMs: msFlag("latency", values.latency),
        bandwidth: values.bandwidth === undefined ? 0 : parseRate(String(values.bandwidth), "--bandwidth"),
        resetAfter,
        resetProbability:
          values["reset-probability"] === undefined
            ? 1
            : parseProbability(values["reset-probability"], "reset-probability"),
      });
      if (values.json !== true)
        out(`relaying TCP ${listen.host}:${tcp.port} -> ${target.host}:${target.port}; seed ${seed}`);
      else out(JSON.stringify({ listening: { host: listen.host, port: tcp.port }, seed }));
    }
    await untilSignalOrTimeout(time);
    const report = { udp: udp?.counts() ?? null, tcp: tcp?.counts() ?? null, seed };
    await udp?.close();
    await tcp?.close();
    if (values.json === true) out(JSON.stringify(report));
    else {
      if (report.udp) {
        const f = report.udp.forward;
        out(
          `UDP ${report.udp.flows} flow(s), client -> target: ${f.received} received, ${f.forwarded} forwarded, ` +
            `${f.dropped} dropped (${f.received ? ((100 * f.dropped) / f.received).toFixed(2) : "0.00"}%), ${f.duplicated} duplicated, ` +
            `${f.reordered} reordered${f.droppedRate ? `, ${f.droppedRate} dropped by the rate limit` : ""}`,
        );
        const b = report.udp.back;
        out(`UDP target -> client: ${b.received} received, ${b.forwarded} forwarded, ${b.dropped} dropped`);
      }
      if (report.tcp) {
        const t = report.tcp;
        out(
          `TCP ${t.connections} connection(s): ${t.bytesUp} bytes up, ${t.bytesDown} bytes down, ${t.resets} reset`,
        );
      }
    }
    return 0;
  },
};

/** A relay whose TARGET is its own LISTEN socket would flood itself: a usage error (exit 2). */
async function refuseLoop(listen: Endpoint, target: Endpoint): Promise<void> {
  if (listen.port !== target.port) return;
  let addrs: string[];
  try {
    addrs = (await lookup(target.host, { all: true })).map((a) => a.address);
  } catch {
    return; // an unknown name is reported when the relay first sends
  }
  const local = Object.values(networkInterfaces())
    .flat()
    .map((i) => i?.address ?? "")
    .filter((a) => a !== "");
  const why = relayLoop(listen, addrs, target.port, local);
  if (why !== undefined)
    throw new UsageError(`TARGET is the relay itself (${why}): it would relay to itself`);
}

/** `netkit impair link`: the TUN link between two fresh network namespaces, until -t or Ctrl-C. */
async function runLink(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    drop: { type: "string" },
    duplicate: { type: "string" },
    reorder: { type: "string" },
    delay: { type: "string" },
    jitter: { type: "string" },
    rate: { type: "string" },
    seed: { type: "string" },
    time: { type: "string", short: "t" },
    json: { type: "boolean" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const impair = {
    drop: parseProbability(values.drop, "drop"),
    duplicate: parseProbability(values.duplicate, "duplicate"),
    reorder: parseProbability(values.reorder, "reorder"),
    delayMs: msFlag("delay", values.delay),
    jitterMs: msFlag("jitter", values.jitter),
    rate: values.rate === undefined ? 0 : parseRate(String(values.rate), "--rate"),
  };
  const seed = intFlag("seed", values.seed, 0, 2 ** 32 - 1) ?? Date.now() % 2 ** 32;
  const time = secondsFlag("time", values.time, 0);
  const { tunAvailable } = await import("../../native/tun.js");
  if (!tunAvailable()) throw new NetkitError("ERR_IO", "netkit impair link needs root and /dev/net/tun");
  const { createLossyLink } = await import("../../impair/netns_link.js");
  const link = await createLossyLink({ impair, seed });
  const out = (t: string) => io.stdout.write(`${t}\n`);
  try {
    const info = { nsA: link.nsA, nsB: link.nsB, addrA: link.addrA, addrB: link.addrB, seed };
    if (values.json === true) out(JSON.stringify({ link: info }));
    else
      out(
        `link up: ${link.nsA} (${link.addrA}) <-> ${link.nsB} (${link.addrB}); drop ${impair.drop * 100}%, ` +
          `duplicate ${impair.duplicate * 100}%, reorder ${impair.reorder * 100}%; seed ${seed}\n` +
          `try: ip netns exec ${link.nsA} ping ${link.addrB}`,
      );
    await untilSignalOrTimeout(time);
    const c = link.counts();
    if (values.json === true) out(JSON.stringify({ counts: c }));
    else
      for (const [name, x] of [
        ["A -> B", c.ab],
        ["B -> A", c.ba],
      ] as const)
        out(
          `${name}: ${x.received} packets, ${x.forwarded} forwarded, ${x.dropped} dropped, ${x.duplicated} duplicated, ${x.reordered} reordered`,
        );
  } finally {
    await link.close();
  }
  return 0;
}

/** Resolve on SIGINT or SIGTERM, or after `seconds` when it is positive. */
function untilSignalOrTimeout(seconds: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      if (timer) clearTimeout(timer);
      resolve();
    };
    const timer = seconds > 0 ? setTimeout(stop, seconds * 1000) : null;
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
