/**
 * `netkit if [NAME]` (alias `netkit interfaces`): every interface with state, flags, MTU, MAC and
 * addresses, each address with its network, broadcast and host range.
 */
import type { Interface } from "../../diag/interfaces.js";
import { UsageError } from "../../errors.js";
import { parseFlags } from "../args.js";
import { type CliIo, type Paint, paint } from "../io.js";
import type { Command } from "../main.js";

const HELP = `netkit if — network interfaces with their addresses and networks (like ifconfig / ip addr)

Usage:
  netkit if [--json] [-4 | -6] [NAME]
  netkit interfaces …            (the same command)

Every interface is listed, including those without addresses: state, flags (UP, BROADCAST,
LOOPBACK, MULTICAST, …), MTU, MAC, and each IPv4/IPv6 address with its prefix length and scope,
plus the network, broadcast address and host range computed by "netkit ip".

Options:
  -4, -6        only IPv4 / only IPv6 addresses
  --json        JSON: an array of {name, index, state, flags, mtu, mac, linkType, kind, master,
                addresses: [{family, address, prefixLength, scope, network, netmask, broadcast,
                firstHost, lastHost, hostCount, …}]}
  -h, --help    this help

Examples:
  netkit if
  netkit if lo
  netkit if --json eth0
  netkit interfaces -4

Exit codes: 0 ok; 1 no such interface or the kernel could not be asked; 2 usage error.
Docs: docs/if.md`;

function render(list: Interface[], p: Paint): string {
  let s = "";
  for (const i of list) {
    s += `${i.index}: ${p.bold(i.name)}: <${i.flags.join(",")}> mtu ${i.mtu ?? "-"} state ${i.state === "UP" ? p.green(i.state) : i.state}`;
    if (i.master !== null) s += ` master ${i.master}`;
    s += "\n";
    s += `    link/${i.linkType}${i.mac !== null ? ` ${i.mac}` : ""}${i.kind !== null ? ` (${i.kind})` : ""}\n`;
    for (const a of i.addresses) {
      s += `    ${a.family} ${p.cyan(`${a.address}/${a.prefixLength}`)}`;
      if (a.peer !== null) s += ` peer ${a.peer}`;
      s += ` scope ${a.scope}`;
      if (a.flags.length > 0) s += ` ${a.flags.join(" ")}`;
      if (a.label !== null && a.label !== i.name) s += ` label ${a.label}`;
      s += "\n";
      s += p.dim(
        `        network ${a.network}${a.broadcast !== null ? `  broadcast ${a.broadcast}` : ""}  hosts ${a.firstHost} - ${a.lastHost} (${a.hostCount})`,
      );
      s += "\n";
    }
  }
  return s;
}

export const ifCommand: Command = {
  summary: "network interfaces with their addresses and networks",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(args, {
      json: { type: "boolean" },
      "4": { type: "boolean", short: "4" },
      "6": { type: "boolean", short: "6" },
    });
    if (positionals.length > 1) throw new UsageError(`too many arguments: ${positionals.slice(1).join(" ")}`);
    if (values["4"] === true && values["6"] === true) throw new UsageError("cannot use -4 and -6 together");
    const { listInterfaces } = await import("../../diag/interfaces.js");
    const name = positionals[0];
    let list = await listInterfaces(name === undefined ? {} : { name });
    const only = values["4"] === true ? "inet" : values["6"] === true ? "inet6" : null;
    if (only !== null)
      list = list.map((i) => ({ ...i, addresses: i.addresses.filter((a) => a.family === only) }));
    io.stdout.write(
      values.json === true ? `${JSON.stringify(list, null, 2)}\n` : render(list, paint(io.color)),
    );
    return 0;
  },
};
