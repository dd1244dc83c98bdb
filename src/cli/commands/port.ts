/**
 * `netkit port`: what a port is (IANA names, ranges, current sockets), who holds it, releasing
 * it, and picking a free one.
 */
import { UsageError } from "../../errors.js";
import { pickPort } from "../../ports/pick.js";
import { type PortInfo, portInfo } from "../../ports/port_info.js";
import { type PortTransport, parsePortSpec } from "../../ports/port_spec.js";
import { type ReleasePlan, type ReleaseResult, releasePort } from "../../ports/release.js";
import { whoHolds } from "../../ports/who.js";
import { intFlag, parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import { readLines } from "../lines.js";
import type { Command } from "../main.js";
import { endpoint, renderSocketTable, rowJson, usersText } from "../render_sockets.js";

const HELP = `netkit port — ports: IANA names and ranges, who holds a port, release it, pick a free one

Usage:
  netkit port SPEC [--json]                     category, ephemeral/reserved, IANA names, sockets now
  netkit port who SPEC [--all] [--every-owner] [--json]
                                                the processes holding the port: its listening and
                                                bound sockets; --all adds every socket with the
                                                port on either side (accepted connections, clients)
  netkit port release SPEC [--yes] [--grace MS] [--all] [--dry-run] [--json]
                                                stop what holds the port: SIGTERM, wait, SIGKILL only
                                                if still held, then verify it is free
  netkit port pick [--tcp] [--udp] [--from N --to M] [--json]
                                                a port free right now (proved by binding it)

SPEC: 80 (TCP and UDP), 2000/udp, tcp:22, or a service name: ssh, http, udp:domain.

Options:
  --all           who: every socket with the port on either side; release: also stop the
                  processes that only have client connections to the port
  --every-owner   who: scan every process (lists all processes sharing a socket; slower)
  --yes, -y       release: do not ask
  --grace MS      release: wait this long after SIGTERM before SIGKILL (default 3000)
  --dry-run       release: show what would be done, signal nothing
  --tcp, --udp    pick: the transports the port must be free for (default --tcp)
  --from N --to M pick: the range (default: 49152–65535 above this kernel's ephemeral range)
  --json          JSON output (who: an array of socket rows, like netkit sockets --json)
  -h, --help      this help

release never signals pid 1 or itself, and never a process that only has a client connection
to the port unless --all. A port held only by TIME-WAIT entries has no process to stop.

Examples:
  netkit port 80
  netkit port ssh
  netkit port 2000/udp --json
  netkit port who tcp:8080
  netkit port release 8080 --dry-run
  netkit port release tcp:8080 --yes --grace 1000
  netkit port pick --udp --tcp

Exit codes: 0 ok (release: the port is free or was not held); 1 failure (invalid spec,
release cancelled or the port still held); 2 usage error.
Docs: docs/port.md`;

export const portCommand: Command = {
  summary: "IANA names and ranges, who holds a port, release it, pick a free one",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const sub = args[0];
    if (sub === "who") return who(args.slice(1), io);
    if (sub === "release") return release(args.slice(1), io);
    if (sub === "pick") return pick(args.slice(1), io);
    const { values, positionals } = parseFlags(args, { json: { type: "boolean" } });
    if (positionals.length !== 1) throw new UsageError("netkit port needs one SPEC (see netkit port --help)");
    const info = await portInfo(positionals[0]!);
    io.stdout.write(values.json ? `${JSON.stringify(infoJson(info), null, 2)}\n` : renderInfo(info));
    return 0;
  },
};

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1)
    throw new UsageError(`netkit port ${what} needs one SPEC (see netkit port --help)`);
  return positionals[0]!;
}

function infoJson(info: PortInfo): Record<string, unknown> {
  return {
    input: info.input,
    service: info.service,
    ephemeralRange: info.kernel.ephemeral,
    reservedPorts: info.kernel.reserved,
    ports: info.ports.map((p) => ({ ...p, sockets: p.sockets.map(rowJson) })),
  };
}

function renderInfo(info: PortInfo): string {
  const k = info.kernel;
  let out = info.service !== null ? `Service ${info.service}\n` : "";
  const RANGE = { "well-known": "0–1023", registered: "1024–49151", dynamic: "49152–65535" };
  for (const p of info.ports) {
    out += `${p.port}/${p.transport}\n`;
    out += `  IANA range:  ${p.category} (${RANGE[p.category]})\n`;
    out += `  This kernel: ${p.ephemeral ? "in" : "outside"} the ephemeral range ${k.ephemeral.first}–${k.ephemeral.last}`;
    out += `${p.reserved ? "; reserved (ip_local_reserved_ports)" : ""}\n`;
    if (p.names.length === 0) out += "  IANA names:  none (unassigned)\n";
    else out += `  IANA names:  ${p.names.map((n) => n.name).join(", ")} — ${p.names[0]!.description}\n`;
    if (p.sockets.length === 0) out += "  Sockets:     none\n";
    else {
      out += `  Sockets:     ${p.sockets.length}\n`;
      out += renderSocketTable(p.sockets).replace(/^(?=.)/gm, "    ");
    }
  }
  return out;
}

async function who(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    all: { type: "boolean" },
    "every-owner": { type: "boolean" },
    json: { type: "boolean" },
  });
  const spec = parsePortSpec(one(positionals, "who"));
  const r = whoHolds(spec.entries, {
    scope: values.all === true ? "all" : "listeners",
    everyOwner: values["every-owner"] === true,
  });
  if (values.json) io.stdout.write(`${JSON.stringify(r.rows.map(rowJson))}\n`);
  else if (r.rows.length === 0) io.stdout.write(`Nothing holds ${describe(spec.entries)}.\n`);
  else io.stdout.write(renderSocketTable(r.rows));
  return 0;
}

function describe(entries: { port: number; transport: PortTransport }[]): string {
  return entries.map((e) => `${e.port}/${e.transport}`).join(", ");
}

function renderPlan(plan: ReleasePlan): string {
  let out = "";
  for (const t of plan.targets) {
    out += `  ${t.pid} ${t.command}: ${t.sockets.map((s) => `${s.protocol} ${s.state} ${endpoint(s.localAddress, s.localPort)} (fd ${s.fd})`).join(", ")}\n`;
  }
  for (const t of plan.refused) out += `  ${t.pid} ${t.command}: refused — ${t.reason}\n`;
  for (const r of plan.unknownOwnerRows) {
    out += `  ? ${r.protocol} ${r.state} ${endpoint(r.localAddress, r.localPort)}: owner unknown (its /proc/PID/fd is unreadable)\n`;
  }
  for (const r of plan.orphanRows) {
    out += `  - ${r.protocol} ${r.state} ${endpoint(r.localAddress, r.localPort)} → ${endpoint(r.peerAddress, r.peerPort)}: no process (${usersText(r) || "kernel only"})\n`;
  }
  return out;
}

async function ask(io: CliIo, question: string): Promise<boolean> {
  io.stderr.write(question);
  for await (const lines of readLines(io.stdin)) {
    const first = lines[0];
    const a = typeof first === "string" ? first.trim().toLowerCase() : "";
    return a === "y" || a === "yes";
  }
  return false;
}

async function release(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    yes: { type: "boolean", short: "y" },
    grace: { type: "string" },
    all: { type: "boolean" },
    "dry-run": { type: "boolean" },
    json: { type: "boolean" },
  });
  const graceMs = intFlag("grace", values.grace, 0, 600_000) ?? 3000;
  if (values.yes && values["dry-run"]) throw new UsageError("cannot use --yes and --dry-run together");
  const spec = parsePortSpec(one(positionals, "release"));
  const what = describe(spec.entries);
  const r: ReleaseResult = await releasePort(spec.entries, {
    all: values.all === true,
    graceMs,
    dryRun: values["dry-run"] === true,
    confirm: async (plan) => {
      if (values.yes) return true;
      io.stderr.write(`${what} is held by:\n${renderPlan(plan)}`);
      const pids = plan.targets.map((t) => `${t.pid} (${t.command})`).join(", ");
      return ask(io, `Send SIGTERM to ${pids}? [y/N] `);
    },
  });
  if (values.json) {
    const { plan, ...rest } = r;
    io.stdout.write(
      `${JSON.stringify({ ...rest, plan: { ...plan, rows: plan.rows.map(rowJson), orphanRows: plan.orphanRows.map(rowJson), unknownOwnerRows: plan.unknownOwnerRows.map(rowJson) }, stillHeld: r.stillHeld.map(rowJson) }, null, 2)}\n`,
    );
  } else {
    io.stdout.write(renderRelease(what, r));
  }
  return r.outcome === "still-held" || r.outcome === "cancelled" ? 1 : 0;
}

function renderRelease(what: string, r: ReleaseResult): string {
  switch (r.outcome) {
    case "nothing":
      return `Nothing holds ${what}: it is free.\n`;
    case "time-wait-only":
      return (
        `No process holds ${what}; only the kernel's TIME-WAIT entries remain:\n${renderPlan(r.plan)}` +
        "There is nothing to stop: the kernel drops them after 60 s. Servers that set SO_REUSEADDR\n" +
        "(Node.js, most servers) can bind the port already.\n"
      );
    case "dry-run":
      return `Dry run: ${what} is held by:\n${renderPlan(r.plan)}Would send SIGTERM to ${r.plan.targets.map((t) => t.pid).join(", ") || "nobody"}, wait, then SIGKILL whatever still holds the port.\n`;
    case "cancelled":
      return "Cancelled: no signal sent.\n";
    default: {
      let out = "";
      for (const a of r.actions)
        out += `${a.signal} → ${a.pid}: ${a.result === "sent" ? "sent" : a.result === "gone" ? "already gone" : "permission denied"}\n`;
      if (r.outcome === "free") {
        return `${out}${what} is free now (test bind: ${Object.entries(r.probe)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")}; ${r.elapsedMs} ms).\n`;
      }
      return `${out}${what} is still held:\n${renderSocketTable(r.stillHeld)}${r.plan.refused.length > 0 ? renderPlan({ ...r.plan, targets: [], orphanRows: [], unknownOwnerRows: [] }) : ""}`;
    }
  }
}

async function pick(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    tcp: { type: "boolean" },
    udp: { type: "boolean" },
    from: { type: "string" },
    to: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const from = intFlag("from", values.from, 1, 65535);
  const to = intFlag("to", values.to, 1, 65535);
  if (from !== undefined && to !== undefined && from > to)
    throw new UsageError(`--from ${from} is above --to ${to}`);
  const transports: PortTransport[] = [];
  if (values.tcp) transports.push("tcp");
  if (values.udp) transports.push("udp");
  if (transports.length === 0) transports.push("tcp");
  const r = await pickPort({
    transports,
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
  });
  io.stdout.write(values.json ? `${JSON.stringify(r)}\n` : `${r.port}\n`);
  return 0;
}
