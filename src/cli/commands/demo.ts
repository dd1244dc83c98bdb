/**
 * `netkit demo`: the guided tour of the notes on loopback. It ends by itself with exit 0.
 * First the notes' UDP and TCP programs (§1.5–1.6) for real on 127.0.0.1, then the IP address
 * examples of §1.2.
 */
import { analyze } from "../../ip/analyze.js";
import { parseFlags } from "../args.js";
import {
  type DemoSockets,
  type DemoTcp,
  type DemoUdp,
  demoTcp,
  demoUdp,
  NOTES_PORT,
} from "../demo_sockets.js";
import { type CliIo, paint } from "../io.js";
import type { Command } from "../main.js";
import { renderAddressInfo } from "../render_ip.js";

const HELP = `netkit demo — a guided tour of the course notes, on this machine only

Usage: netkit demo [--json]

Shows the notes' own examples, step by step, on loopback (127.0.0.1) only:
  1. the notes' UDP server on port 2000 (a free port if 2000 is taken — it says so) with
     process_data = upper, and the client sending 'Hello, server!'
  2. the same over TCP: handshake, request, half-close, reply, four-way close
  3. the sockets the demo holds, with their states, from the kernel's socket table (the one
     netkit sockets shows: netlink sock_diag, or /proc/net/{udp,tcp} where netlink is refused)
  4. 192.168.1.100 with netmask 255.255.255.0: network = address AND mask, broadcast
  5. 2001:0db8:85a3::8a2e:0370:7334/64: the IPv6 network part and host part
  6. one address of each class A–E, with its leading bits and default mask
Every step is computed or really sent, nothing is canned. Ends by itself in about a second, exit 0.

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
    const udp = await demoUdp();
    const tcp = await demoTcp();
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({ udp, tcp, ipv4: notes, ipv6: v6, classes }, null, 2)}\n`);
      return 0;
    }
    const p = paint(io.color);
    const out: string[] = [];
    const step = (n: number, title: string) => out.push("", p.bold(p.green(`── Step ${n}: ${title}`)));
    out.push(p.bold("netkit demo — the course notes, run and computed (loopback only)"));
    step(1, "the notes' UDP server and client (notes §1.5)");
    out.push(...renderUdp(udp, p));
    step(2, "the same over TCP: connection, half-close, four-way close (notes §1.6)");
    out.push(...renderTcp(tcp, p));
    step(3, "the sockets the demo held, as the kernel lists them (like `ss -uan`, `ss -tan`)");
    out.push(...renderSockets(udp, tcp, p));
    step(4, "an IPv4 address and its subnet mask (notes §1.2)");
    out.push(
      "The notes: 192.168.1.100 with mask 255.255.255.0 — AND the two bit by bit to get the network.",
      "",
      renderAddressInfo(notes, p).trimEnd(),
      "",
      `So the network part is ${notes.networkAddress} and the host part is .${notes.address.split(".")[3]};`,
      `the broadcast address (all host bits 1) is ${notes.broadcastAddress}, and ${notes.hostCount} hosts fit.`,
    );
    step(5, "an IPv6 address with a /64 prefix (notes §1.2)");
    out.push(
      "The notes: 2001:0db8:85a3:0000:0000:8a2e:0370:7334, prefix length 64.",
      "",
      renderAddressInfo(v6, p).trimEnd(),
      "",
      `The first 64 bits (${v6.exploded.slice(0, 19)}) are the network, the last 64 bits`,
      `(${v6.exploded.slice(20)}) the interface (host) part. IPv6 has no broadcast address.`,
    );
    step(6, "the five address classes (notes §1.2)");
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
      "Next: try `netkit ip 192.168.1.100/26`, `netkit udp serve --handler upper`, `netkit nc --help`.",
    );
    io.stdout.write(`${out.join("\n")}\n`);
    return 0;
  },
};

type P = ReturnType<typeof paint>;

function portLine(port: number, fallback: string | undefined, proto: string): string {
  return fallback
    ? `${fallback}, so the server took port ${port}, which the kernel picked (bind to port 0).`
    : `Port ${NOTES_PORT}/${proto} was free (binding it succeeded), so the server uses it, like the notes.`;
}

function renderUdp(u: DemoUdp, p: P): string[] {
  return [
    "Server: socket(AF_INET, SOCK_DGRAM), bind(('127.0.0.1', port)), then loop: recvfrom(1024),",
    "process_data (here: upper-case), sendto(reply, client_address).",
    portLine(u.port, u.fallback, "udp"),
    `Client: no bind, so the kernel gave it an ephemeral port: ${u.clientPort}.`,
    `  client ${p.cyan(`127.0.0.1:${u.clientPort}`)} → server ${p.cyan(`127.0.0.1:${u.port}`)}  ${JSON.stringify(u.sent)}`,
    `  server → client  ${JSON.stringify(u.reply)}`,
    `Received response: ${p.bold(u.reply)}`,
    p.dim(
      `No connection was set up: one datagram each way (server counted ${u.stats.datagrams} datagram, ${u.stats.truncated} truncated).`,
    ),
  ];
}

function renderTcp(t: DemoTcp, p: P): string[] {
  return [
    "Server: socket(AF_INET, SOCK_STREAM), bind, listen, accept; client: connect.",
    portLine(t.port, t.fallback, "tcp"),
    `connect() from 127.0.0.1:${t.clientPort}: the kernels exchanged the three-way handshake`,
    "  SYN →, ← SYN-ACK, ACK →   before connect() returned and accept() got the connection.",
    `  client → server  ${JSON.stringify(t.sent)}, then shutdown(SHUT_WR): our FIN says "no more from me"`,
    `  server → client  ${JSON.stringify(t.reply)} (the reply still flows after our FIN: half-close)`,
    `Received response: ${p.bold(t.reply)}`,
    "Teardown (four-way): our FIN →, ← ACK, ← server's FIN, ACK →. The side that closed first",
    "(the client) keeps its end in TIME-WAIT for 60 s, so late packets cannot reach a new connection.",
    p.dim(
      `Server statistics: ${t.stats.connections} connection, ${t.stats.bytesIn} bytes in, ${t.stats.bytesOut} bytes out.`,
    ),
  ];
}

function table(snap: DemoSockets | null, p: P, note: string): string[] {
  if (snap === null) return [p.yellow("  (the socket table is not readable here, so it cannot be shown)")];
  if (snap.rows.length === 0) return [`  (no rows: ${note})`];
  const w = Math.max(
    22,
    ...snap.rows.map((r) => r.local.length + 2),
    ...snap.rows.map((r) => r.peer.length + 2),
  );
  return [
    p.bold(`  ${"Proto".padEnd(6)}${"State".padEnd(12)}${"Local".padEnd(w)}${"Peer".padEnd(w)}Process`),
    ...snap.rows.map(
      (r) =>
        `  ${r.protocol.padEnd(6)}${r.state.padEnd(12)}${r.local.padEnd(w)}${r.peer.padEnd(w)}${r.pid === null ? p.dim("- (no process)") : `netkit demo (pid ${r.pid})`}`,
    ),
  ];
}

function source(u: DemoUdp, t: DemoTcp): string {
  const s = u.sockets?.source ?? t.established?.source;
  if (s === undefined) return "";
  return s === "netlink"
    ? "Read with a netlink sock_diag request, as ss does."
    : "Read from /proc/net (netlink refused here).";
}

function renderSockets(u: DemoUdp, t: DemoTcp, p: P): string[] {
  return [
    "While the UDP client waited for its reply (UNCONN = bound, no peer; a connected UDP socket",
    "shows ESTAB although no packet set anything up):",
    ...table(u.sockets, p, "no sockets found"),
    "While the TCP connection was open (LISTEN = the server socket; one ESTAB row per end):",
    ...table(t.established, p, "no sockets found"),
    "After the four-way close (the listener is still there until the demo closes it):",
    ...table(t.afterClose, p, "nothing left"),
    p.dim(`${source(u, t)} Full tables: \`netkit sockets -tuan\` (or ss);`),
    p.dim(
      `the notes use \`lsof -i :2000\` to see who holds a port: \`netkit port who ${u.port}/udp\` does that.`,
    ),
  ];
}
