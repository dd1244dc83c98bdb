/**
 * `netkit sockets` (alias `netkit ss`): the socket table like `ss -tuanp`.
 */

import { UsageError } from "../../errors.js";
import { parseNetwork } from "../../ip/prefix.js";
import type { InetRecords } from "../../ports/inet_records.js";
import {
  type DetachedTable,
  type ListSocketsOptions,
  listSocketsAsync,
  listSocketsDetached,
  listSocketsText,
} from "../../ports/list_sockets.js";
import {
  ALL_STATES,
  LISTENING_STATES,
  needsOwners,
  parseStates,
  type RowFilter,
} from "../../ports/socket_filter.js";
import type { SocketProtocol, SocketState } from "../../ports/socket_row.js";
import { intFlag, parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import { OutputBuffer } from "../lines.js";
import type { Command } from "../main.js";
import { renderSocketJsonBytes, renderSocketTableBytes, socketJsonChunks } from "../render_sockets.js";

const HELP = `netkit sockets — the socket table (alias: netkit ss), like ss -tuanp

Usage: netkit sockets [-t] [-u] [-w] [-x] [-l | -a | --state S…] [-4 | -6] [filters] [--json [--stream]]

Default: TCP and UDP sockets in every state, numeric, with owning processes (ss -tuanp).

Options:
  -t, --tcp         TCP sockets            -u, --udp    UDP sockets
  -w, --raw         raw sockets            -x, --unix   Unix sockets
  -l, --listening   only LISTEN and UNCONN (listeners and bound sockets)
  -a, --all         every state (the default)
  --state S         only these states (repeat or comma-separate): LISTEN ESTAB SYN-SENT SYN-RECV
                    FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT UNCONN CLOSE-WAIT LAST-ACK CLOSING, or the
                    groups all, connected, listening, synchronized, bucket, big
  -4, -6            only IPv4 / only IPv6 (TCP, UDP, raw)
  --port N          local or peer port N       --sport N / --dport N   local / peer port
  --pid PID         sockets held by PID        --process NAME          held by a command (/proc/PID/comm)
  --dst PREFIX      peer address inside PREFIX (10.0.0.0/8, ::1/128)
  --source S        auto (netlink, /proc/net where refused), netlink or proc
  --owners M        how owners are found: auto (default: the kernel's BPF iterator over every
                    process's files where permitted — root, kernel BTF —, else /proc/PID/fd),
                    bpf (fail when not permitted) or proc (the /proc walk, as ss does)
  --workers N       walk /proc/PID/fd on N threads while the tables are dumped (implies --owners proc)
  -n, -p            accepted for ss compatibility (always numeric, always with processes)
  --json            one JSON array of rows; with --stream one row per line (NDJSON)
  -h, --help        this help

A "?" in the Process column: the owner could not be seen (its /proc/PID/fd is unreadable; the
BPF iterator sees every process).
"-" in a queue column: the source does not know (/proc has no Unix queues and no listen backlog).

Examples:
  netkit sockets
  netkit ss -tlnp
  netkit sockets -t --state established --dport 443
  netkit sockets -x -l
  netkit sockets --process sshd --json
  netkit sockets --dst 127.0.0.0/8 --json --stream

Exit codes: 0 ok; 1 operational failure; 2 usage error.
Docs: docs/sockets.md`;

/** Expand bundled short flags the way ss users type them: -tlnp → -t -l -n -p. */
export function expandShortFlags(args: string[], letters: string): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (/^-[a-zA-Z0-9]{2,}$/.test(a) && [...a.slice(1)].every((c) => letters.includes(c))) {
      for (const c of a.slice(1)) out.push(`-${c}`);
    } else out.push(a);
  }
  return out;
}

const OPTIONS = {
  tcp: { type: "boolean", short: "t" },
  udp: { type: "boolean", short: "u" },
  raw: { type: "boolean", short: "w" },
  unix: { type: "boolean", short: "x" },
  listening: { type: "boolean", short: "l" },
  all: { type: "boolean", short: "a" },
  ipv4: { type: "boolean", short: "4" },
  ipv6: { type: "boolean", short: "6" },
  numeric: { type: "boolean", short: "n" },
  processes: { type: "boolean", short: "p" },
  state: { type: "string", multiple: true },
  port: { type: "string" },
  sport: { type: "string" },
  dport: { type: "string" },
  pid: { type: "string" },
  process: { type: "string" },
  dst: { type: "string" },
  source: { type: "string" },
  workers: { type: "string" },
  owners: { type: "string" },
  json: { type: "boolean" },
  stream: { type: "boolean" },
} as const;

export const socketsCommand: Command = {
  summary: "the socket table (alias ss), like ss -tuanp",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values: v, positionals } = parseFlags(expandShortFlags(args, "tuwxla46np"), OPTIONS);
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument "${positionals[0]}" (filters are flags: --port, --dst …)`);
    if (v.listening && v.all) throw new UsageError("cannot use -l and -a together");
    if (v.state !== undefined && (v.listening || v.all))
      throw new UsageError("cannot use --state with -l or -a");
    if (v.ipv4 && v.ipv6) throw new UsageError("cannot use -4 and -6 together");
    if (v.stream && !v.json) throw new UsageError("--stream needs --json");
    const source = v.source ?? "auto";
    if (source !== "auto" && source !== "netlink" && source !== "proc") {
      throw new UsageError(`--source must be auto, netlink or proc, got "${source}"`);
    }
    const ownerMethod = v.owners ?? "auto";
    if (ownerMethod !== "auto" && ownerMethod !== "bpf" && ownerMethod !== "proc") {
      throw new UsageError(`--owners must be auto, bpf or proc, got "${ownerMethod}"`);
    }
    const protocols: SocketProtocol[] = [];
    if (v.tcp) protocols.push("tcp");
    if (v.udp) protocols.push("udp");
    if (v.raw) protocols.push("raw");
    if (v.unix) protocols.push("unix");
    if (protocols.length === 0) protocols.push("tcp", "udp");
    const states: readonly SocketState[] =
      v.state !== undefined ? parseStates(v.state as string[]) : v.listening ? LISTENING_STATES : ALL_STATES;
    const filter: RowFilter = {};
    const port = intFlag("port", v.port, 0, 65535);
    const sport = intFlag("sport", v.sport, 0, 65535);
    const dport = intFlag("dport", v.dport, 0, 65535);
    const pid = intFlag("pid", v.pid, 1);
    if (port !== undefined) filter.port = port;
    if (sport !== undefined) filter.sport = sport;
    if (dport !== undefined) filter.dport = dport;
    if (pid !== undefined) filter.pid = pid;
    if (typeof v.process === "string") filter.process = v.process;
    if (typeof v.dst === "string") filter.dst = parseNetwork(v.dst);
    // Worker threads did not pay off measurably on this 2-core machine under load (see
    // docs/benchmarks.md), so they are opt-in.
    const workers = intFlag("workers", v.workers, 0, 16) ?? 0;
    if (workers > 0 && ownerMethod === "bpf")
      throw new UsageError("--workers walks /proc: not with --owners bpf");
    const families: (4 | 6)[] = v.ipv4 ? [4] : v.ipv6 ? [6] : [4, 6];
    if (workers === 0 && !needsOwners(filter)) {
      // The table (text or JSON) looks owners up while it prints (no owner list per row) and,
      // without a --dst filter, prints TCP and UDP sockets straight from the kernel's records.
      const o: ListSocketsOptions = { protocols, families, states, filter, source, ownerMethod };
      let inet: InetRecords | undefined;
      let t: DetachedTable;
      if (filter.dst === undefined) {
        const text = await listSocketsText(o);
        inet = text.inet;
        t = text;
      } else t = await listSocketsDetached(o);
      const out = new OutputBuffer(io.stdout);
      const render = {
        owners: t.owners,
        someUnreadable: t.table.unreadablePids.length > 0,
        ...(inet !== undefined ? { inet } : {}),
        ...(t.ownerIndex !== undefined ? { ownerIndex: t.ownerIndex } : {}),
      };
      if (v.json)
        renderSocketJsonBytes(t.table.rows, (c) => out.addBytes(c), { ...render, stream: v.stream === true });
      else renderSocketTableBytes(t.table.rows, (c) => out.addBytes(c), render);
      await out.flush();
      return 0;
    }
    const table = await listSocketsAsync({
      workers,
      protocols,
      families,
      states,
      filter,
      source,
      ownerMethod,
    });
    const out = new OutputBuffer(io.stdout);
    if (v.stream) {
      for (const r of table.rows) out.add(`${JSON.stringify(r)}\n`);
    } else if (v.json) {
      for (const c of socketJsonChunks(table.rows)) out.add(c);
    } else {
      renderSocketTableBytes(table.rows, (c) => out.addBytes(c));
    }
    await out.flush();
    return 0;
  },
};
