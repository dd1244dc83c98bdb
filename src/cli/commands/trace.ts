/**
 * `netkit trace HOST` (alias `traceroute`): the path to a host, hop by hop, printed like Linux
 * `traceroute -n`.
 */
import type { TraceEvent, TraceResult } from "../../diag/trace.js";
import type { Hop } from "../../diag/trace_probes.js";
import { UsageError } from "../../errors.js";
import { flagLabel, intFlag, parseFlags } from "../args.js";
import { type CliIo, write } from "../io.js";
import type { Command } from "../main.js";

const HELP = `netkit trace — the path packets take to a host, router by router (traceroute)

Usage:
  netkit trace [-I] [-m MAX_HOPS] [-f FIRST_HOP] [-q N] [-w SEC] [-N N] [-p PORT] [-4 | -6] [--json] HOST

Sends probes with TTL (IPv6: hop limit) 1, 2, 3 …: each router on the way answers "time exceeded",
the destination answers "port unreachable" (UDP probes) or an echo reply (ICMP probes, -I), and
the trace stops there. Output is numeric, like "traceroute -n": one line per hop with the address
that answered and each probe's round-trip time; "*" is a probe with no answer within -w seconds;
!H, !N, !P, !X, !F … mark unreachable errors (host, network, protocol, prohibited, fragmentation).

UDP probes (the default) need no privileges: each goes from its own socket to ports 33434, 33435 …
and the ICMP errors come back on the socket's error queue (IP_RECVERR). ICMP probes (-I) use a ping
socket where net.ipv4.ping_group_range allows it, otherwise a raw socket (root / CAP_NET_RAW).

Options:
  -I, --icmp        ICMP echo probes instead of UDP
  -m, --max-hops N  the largest TTL to try (default 30, at most 255)
  -f, --first-hop N the TTL to start with (default 1)
  -q, --queries N   probes per hop (default 3, at most 10)
  -w, --wait SEC    seconds to wait for each probe's answer (default 5)
  -N, --sim-queries N  probes in flight at once (default 16)
  -p, --port PORT   UDP: first destination port, +1 per probe (default 33434); the last
                    probe's port (PORT + hops × queries − 1) must be at most 65535
  -4, -6            resolve HOST to IPv4 / IPv6 only
  -n                numeric output (always on; accepted for habit)
  --json            one JSON object at the end: target, address, method, reached, hops
                    [{hop, probes: [{from, rttMs, note}]}]
  -h, --help        this help

Examples:
  netkit trace 127.0.0.1
  netkit trace -q 1 -w 1 ::1
  netkit trace -I --max-hops 10 10.201.2.2
  netkit trace --json 127.0.0.1

Exit codes: 0 the destination answered; 1 it did not (max hops reached, unreachable, or no route),
or the host could not be resolved; 2 usage error. (Linux traceroute exits 0 in all these cases.)
Docs: docs/trace.md`;

function seconds(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^(\d+(\.\d*)?|\.\d+)$/.test(v) || Number(v) <= 0 || Number(v) > 3600) {
    throw new UsageError(`${flagLabel("wait")} takes seconds (0 < SEC ≤ 3600), got "${String(v)}"`);
  }
  return Number(v);
}

/** One hop as traceroute -n prints it: ` 1  10.0.0.1  0.123 ms  0.101 ms *`. */
export function renderHop(h: Hop): string {
  let line = `${String(h.hop).padStart(2)} `;
  let lastFrom: string | null = null;
  for (const p of h.probes) {
    if (p.from === null) line += " *";
    else if (p.from !== lastFrom) {
      line += ` ${p.from}`;
      lastFrom = p.from;
    }
    if (p.rttMs !== null) line += `  ${p.rttMs.toFixed(3)} ms`;
    if (p.note !== "") line += ` ${p.note}`;
  }
  return line;
}

export const traceCommand: Command = {
  summary: "the path to a host, hop by hop (traceroute)",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(args, {
      icmp: { type: "boolean", short: "I" },
      "max-hops": { type: "string", short: "m" },
      "first-hop": { type: "string", short: "f" },
      queries: { type: "string", short: "q" },
      wait: { type: "string", short: "w" },
      "sim-queries": { type: "string", short: "N" },
      port: { type: "string", short: "p" },
      numeric: { type: "boolean", short: "n" },
      "4": { type: "boolean", short: "4" },
      "6": { type: "boolean", short: "6" },
      json: { type: "boolean" },
    });
    if (positionals.length === 0) throw new UsageError("netkit trace needs a HOST (see netkit trace --help)");
    if (positionals.length > 1) throw new UsageError(`too many arguments: ${positionals.slice(1).join(" ")}`);
    if (values["4"] === true && values["6"] === true) throw new UsageError("cannot use -4 and -6 together");
    const maxHops = intFlag("max-hops", values["max-hops"], 1, 255) ?? 30;
    const firstHop = intFlag("first-hop", values["first-hop"], 1, 255) ?? 1;
    if (firstHop > maxHops) throw new UsageError(`--first-hop ${firstHop} is beyond --max-hops ${maxHops}`);
    const queries = intFlag("queries", values.queries, 1, 10) ?? 3;
    const window = intFlag("sim-queries", values["sim-queries"], 1, 255) ?? 16;
    const port = intFlag("port", values.port, 1, 65535);
    const icmp = values.icmp === true;
    if (icmp && port !== undefined)
      throw new UsageError("cannot use --port with -I (ICMP probes have no port)");
    if (!icmp) {
      const { lastProbePort } = await import("../../diag/trace.js");
      const last = lastProbePort(port ?? 33434, maxHops, firstHop, queries);
      if (last > 65535) {
        throw new UsageError(
          `-p ${port ?? 33434} with ${maxHops - firstHop + 1} hops × ${queries} probes needs ports up to ${last}; the last port is 65535 (use a lower -p, or fewer -m/-q)`,
        );
      }
    }
    const waitS = seconds(values.wait) ?? 5;
    const json = values.json === true;
    const host = positionals[0]!;
    const family = values["4"] === true ? 4 : values["6"] === true ? 6 : undefined;

    const { trace } = await import("../../diag/trace.js");
    const ac = new AbortController();
    const onSignal = () => ac.abort();
    process.once("SIGINT", onSignal);
    try {
      const onEvent = (e: TraceEvent) => {
        if (json) return;
        if (e.type === "start") {
          io.stdout.write(
            `traceroute to ${e.target} (${e.address}), ${e.maxHops} hops max, ${e.packetSize} byte packets\n`,
          );
        } else io.stdout.write(`${renderHop(e)}\n`);
      };
      const r: TraceResult = await trace(host, {
        method: icmp ? "icmp" : "udp",
        maxHops,
        firstHop,
        probesPerHop: queries,
        waitS,
        window,
        ...(port !== undefined ? { port } : {}),
        ...(family !== undefined ? { family } : {}),
        signal: ac.signal,
        onEvent,
      });
      if (json) await write(io.stdout, `${JSON.stringify(r)}\n`);
      return r.reached ? 0 : 1;
    } finally {
      process.removeListener("SIGINT", onSignal);
    }
  },
};
