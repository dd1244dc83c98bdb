/**
 * `netkit demo`: the guided tour of the notes on loopback. It ends by itself with exit 0.
 * Part 1 (this release): the IP address examples of section 1.2 of the notes.
 */
import { analyze } from "../../ip/analyze.js";
import { parseFlags } from "../args.js";
import { type CliIo, paint } from "../io.js";
import type { Command } from "../main.js";
import { renderAddressInfo } from "../render_ip.js";

const HELP = `netkit demo — a guided tour of the course notes, on this machine only

Usage: netkit demo [--json]

Shows the notes' own examples, step by step:
  1. 192.168.1.100 with netmask 255.255.255.0: network = address AND mask, broadcast
  2. 2001:0db8:85a3::8a2e:0370:7334/64: the IPv6 network part and host part
  3. one address of each class A–E, with its leading bits and default mask
Every step is computed by the library, nothing is canned. Ends by itself, exit 0.

Examples:
  netkit demo
  npm start            (runs netkit demo)
  netkit demo --json   (the same results as JSON)`;

const CLASS_EXAMPLES = ["10.1.2.3", "172.16.5.4", "192.168.1.1", "224.0.0.251", "240.0.0.1"];

export const demoCommand: Command = {
  summary: "the guided tour on loopback",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(args, { json: { type: "boolean" } });
    const notes = analyze("192.168.1.100/255.255.255.0");
    const v6 = analyze("2001:0db8:85a3::8a2e:0370:7334/64");
    const classes = CLASS_EXAMPLES.map((a) => analyze(a));
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({ ipv4: notes, ipv6: v6, classes }, null, 2)}\n`);
      return 0;
    }
    const p = paint(io.color);
    const out: string[] = [];
    const step = (n: number, title: string) => out.push("", p.bold(p.green(`── Step ${n}: ${title}`)));
    out.push(p.bold("netkit demo — the course notes, computed"));
    step(1, "an IPv4 address and its subnet mask (notes §1.2)");
    out.push(
      "The notes: 192.168.1.100 with mask 255.255.255.0 — AND the two bit by bit to get the network.",
      "",
      renderAddressInfo(notes, p).trimEnd(),
      "",
      `So the network part is ${notes.networkAddress} and the host part is .${notes.address.split(".")[3]};`,
      `the broadcast address (all host bits 1) is ${notes.broadcastAddress}, and ${notes.hostCount} hosts fit.`,
    );
    step(2, "an IPv6 address with a /64 prefix (notes §1.2)");
    out.push(
      "The notes: 2001:0db8:85a3:0000:0000:8a2e:0370:7334, prefix length 64.",
      "",
      renderAddressInfo(v6, p).trimEnd(),
      "",
      `The first 64 bits (${v6.exploded.slice(0, 19)}) are the network, the last 64 bits`,
      `(${v6.exploded.slice(20)}) the interface (host) part. IPv6 has no broadcast address.`,
    );
    step(3, "the five address classes (notes §1.2)");
    out.push(
      `${p.bold("Address".padEnd(14))}${p.bold("Class".padEnd(7))}${p.bold("Lead bits".padEnd(11))}${p.bold("Default mask".padEnd(17))}${p.bold("Range")}`,
    );
    for (const c of classes) {
      const ci = c.classInfo!;
      out.push(
        `${c.address.padEnd(14)}${ci.class.padEnd(7)}${ci.leadingBits.padEnd(11)}${(ci.defaultMask ?? "(none)").padEnd(17)}${ci.range}  ${p.dim(ci.use)}`,
      );
    }
    out.push(
      "",
      p.dim('Note: class E is every address whose first four bits are 1111 (240–255); the notes\' "11110"'),
      p.dim("would cover only 240–247. Classes are history (RFC 4632 replaced them with CIDR) but the"),
      p.dim("leading-bit rule is still how 224.0.0.0/4 (multicast) and 240.0.0.0/4 (reserved) are defined."),
      "",
      "Next: try `netkit ip 192.168.1.100/26`, `netkit ip split 192.168.0.0/24 --count 4`, `netkit ip --help`.",
    );
    io.stdout.write(`${out.join("\n")}\n`);
    return 0;
  },
};
