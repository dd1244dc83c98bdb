/**
 * `netkit route` (the routing tables), `netkit route get DEST` (the kernel's choice for one
 * destination) and, through `gatewayCommand`, `netkit gateway`.
 */
import type { Route, TableRoute } from "../../diag/routes.js";
import { UsageError } from "../../errors.js";
import { parseAddr } from "../../ip/addr.js";
import { intFlag, parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import type { Command } from "../main.js";

const HELP = `netkit route — routing tables, and the route the kernel picks for a destination

Usage:
  netkit route [--json] [-4 | -6] [--table main|local|default|all|N] [-n]
  netkit route get [--json] DEST [--from SRC] [--oif DEV] [--mark N]

"netkit route" lists the main routing table (IPv4 then IPv6), like "route -n" / "ip route":
destination, gateway, interface, protocol, scope, metric and preferred source. Output is always
numeric (-n is accepted for habit).

"netkit route get" asks the kernel (netlink RTM_GETROUTE), exactly as "ip route get" does, so local
addresses, broadcast and policy routing come out right. Its --json uses ip -j's key names (dst,
gateway, dev, prefsrc, type, …; type is left out for unicast, as ip does). A zone on DEST
(fe80::1%eth0, or a scope id fe80::1%2) is the output interface, as a socket would use it: the
same as "ip route get fe80::1 oif eth0" (ip itself takes no zone). An unknown zone is
ERR_NO_INTERFACE.

Options:
  -4, -6            one family only
  --table T         main (default), local, default, all, or a table number
  -n, --numeric     numeric output (always on)
  --from SRC        route get: the source address to look up with
  --oif DEV         route get: force the output interface
  --mark N          route get: firewall mark
  --json            JSON (the same key names as "ip -j route")
  -h, --help        this help

Examples:
  netkit route
  netkit route -6 --table local
  netkit route get 127.0.0.1
  netkit route get --json ::1
  netkit route get fe80::1%lo
  netkit gateway

Exit codes: 0 ok; 1 no route to the destination, or the kernel could not be asked; 2 usage error.
Docs: docs/route.md`;

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function renderTable(routes: TableRoute[], showTable: boolean): string {
  const head = ["Destination", "Gateway", "Dev", "Proto", "Scope", "Metric", "Src", "Type"];
  if (showTable) head.push("Table");
  const rows = [head];
  for (const r of routes) {
    const row = [
      r.dst,
      r.gateway ?? (r.nexthops ? r.nexthops.map((n) => n.gateway ?? "-").join(",") : "-"),
      r.dev ?? (r.nexthops ? r.nexthops.map((n) => n.dev ?? "-").join(",") : "-"),
      r.protocol ?? "boot",
      r.scope ?? "global",
      r.metric === undefined ? "-" : String(r.metric),
      r.prefsrc ?? "-",
      r.type ?? "unicast",
    ];
    if (showTable) row.push(r.table ?? "main");
    rows.push(row);
  }
  return `${pad(rows)}\n`;
}

/** One line like `ip route get`: `local 127.0.0.1 dev lo src 127.0.0.1 uid 0`. */
export function renderRouteGet(r: Route): string {
  const parts: string[] = [];
  if (r.type !== undefined) parts.push(r.type);
  parts.push(r.dst);
  if (r.from !== undefined) parts.push("from", r.from);
  if (r.gateway !== undefined) parts.push("via", r.gateway);
  if (r.dev !== undefined) parts.push("dev", r.dev);
  if (r.table !== undefined) parts.push("table", r.table);
  if (r.protocol !== undefined) parts.push("proto", r.protocol);
  if (r.scope !== undefined) parts.push("scope", r.scope);
  if (r.prefsrc !== undefined) parts.push("src", r.prefsrc);
  if (r.metric !== undefined) parts.push("metric", String(r.metric));
  if (r.flags.length > 0) parts.push(...r.flags);
  if (r.uid !== undefined) parts.push("uid", String(r.uid));
  if (r.pref !== undefined) parts.push("pref", r.pref);
  let s = `${parts.join(" ")}\n`;
  if (r.cache !== undefined) s += `    cache${r.cache.length > 0 ? ` <${r.cache.join(",")}>` : ""}\n`;
  return s;
}

function parseTable(v: string): number | "all" {
  if (v === "all") return "all";
  const names: Record<string, number> = { main: 254, local: 255, default: 253 };
  if (Object.hasOwn(names, v)) return names[v]!;
  return intFlag("table", v, 0, 0xffffffff)!;
}

async function runGet(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    json: { type: "boolean" },
    from: { type: "string" },
    oif: { type: "string" },
    mark: { type: "string" },
  });
  if (positionals.length === 0) throw new UsageError("netkit route get needs a destination address");
  if (positionals.length > 1) throw new UsageError(`too many arguments: ${positionals.slice(1).join(" ")}`);
  const mark = intFlag("mark", values.mark, 0, 0xffffffff);
  // Validate every input before asking the kernel.
  const dst = parseAddr(positionals[0]!);
  const from = typeof values.from === "string" ? parseAddr(values.from) : undefined;
  if (from !== undefined && from.version !== dst.version) {
    throw new UsageError("--from must be of the same IP version as the destination");
  }
  const { routeGet } = await import("../../diag/routes.js");
  const r = await routeGet(dst, {
    ...(from !== undefined ? { from } : {}),
    ...(typeof values.oif === "string" ? { oif: values.oif } : {}),
    ...(mark !== undefined ? { mark } : {}),
  });
  io.stdout.write(values.json === true ? `${JSON.stringify([r])}\n` : renderRouteGet(r));
  return 0;
}

export const routeCommand: Command = {
  summary: "routing tables; the route the kernel picks for a destination",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    if (args[0] === "get") return runGet(args.slice(1), io);
    const { values, positionals } = parseFlags(args, {
      json: { type: "boolean" },
      "4": { type: "boolean", short: "4" },
      "6": { type: "boolean", short: "6" },
      table: { type: "string" },
      numeric: { type: "boolean", short: "n" },
    });
    if (positionals.length > 0) {
      throw new UsageError(`unexpected argument "${positionals[0]}" (did you mean "netkit route get"?)`);
    }
    if (values["4"] === true && values["6"] === true) throw new UsageError("cannot use -4 and -6 together");
    const table = typeof values.table === "string" ? parseTable(values.table) : 254;
    const family = values["4"] === true ? 4 : values["6"] === true ? 6 : undefined;
    const { listRoutes } = await import("../../diag/routes.js");
    const routes = await listRoutes({ table, ...(family !== undefined ? { family } : {}) });
    if (values.json === true) {
      const plain = routes.map(({ tableId: _t, ...r }) => r);
      io.stdout.write(`${JSON.stringify(plain)}\n`);
    } else if (routes.length === 0) {
      io.stdout.write("(no routes)\n");
    } else {
      io.stdout.write(renderTable(routes, table === "all"));
    }
    return 0;
  },
};

const GATEWAY_HELP = `netkit gateway — the default gateway(s)

Usage:
  netkit gateway [--json] [-4 | -6]

Prints the next hop of each default route in the main table, IPv4 and IPv6.

Options:
  -4, -6        one family only
  --json        JSON: an array of {family, gateway, dev, metric}
  -h, --help    this help

Examples:
  netkit gateway
  netkit gateway -4 --json

Exit codes: 0 ok; 1 no default gateway (or the kernel could not be asked); 2 usage error.
Docs: docs/route.md`;

export const gatewayCommand: Command = {
  summary: "the default gateway(s)",
  help: GATEWAY_HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(args, {
      json: { type: "boolean" },
      "4": { type: "boolean", short: "4" },
      "6": { type: "boolean", short: "6" },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (values["4"] === true && values["6"] === true) throw new UsageError("cannot use -4 and -6 together");
    const { defaultGateways } = await import("../../diag/routes.js");
    const fam = values["4"] === true ? 4 : values["6"] === true ? 6 : null;
    const gws = (await defaultGateways()).filter((g) => fam === null || g.family === fam);
    if (values.json === true) io.stdout.write(`${JSON.stringify(gws)}\n`);
    else {
      for (const g of gws) {
        io.stdout.write(
          `default${g.gateway !== null ? ` via ${g.gateway}` : ""}${g.dev !== null ? ` dev ${g.dev}` : ""}${g.metric !== null ? ` metric ${g.metric}` : ""}  (IPv${g.family})\n`,
        );
      }
    }
    if (gws.length === 0) {
      if (values.json !== true) io.stderr.write("netkit: no default gateway\n");
      return 1;
    }
    return 0;
  },
};
