/**
 * Text rendering of an AddressInfo, in the manner of ipcalc: the answer and the working
 * (address AND netmask = network; network OR wildcard = broadcast), with a binary view in which
 * a "|" separates network bits from host bits (coloured too, on a TTY).
 */

import { type Addr, parseAddr } from "../ip/addr.js";
import type { AddressInfo } from "../ip/analyze.js";
import type { Paint } from "./io.js";

/** Insert "|" after the first `bits` bits of a grouped bit string; colour both sides. */
export function splitBits(binary: string, bits: number, p: Paint): string {
  let seen = 0;
  let i = 0;
  for (; i < binary.length && seen < bits; i++) if (binary[i] === "0" || binary[i] === "1") seen++;
  if (binary[i] === "." || binary[i] === ":") i++;
  const net = binary.slice(0, i);
  const host = binary.slice(i);
  if (host === "") return p.cyan(net);
  if (net === "") return `|${p.yellow(host)}`;
  return `${p.cyan(net)}|${p.yellow(host)}`;
}

function bin(text: string): string {
  const a: Addr = parseAddr(text);
  return a.toBinary();
}

/** Render `info` for a person. */
export function renderAddressInfo(info: AddressInfo, p: Paint): string {
  const lines: string[] = [];
  const L = (label: string, value: string, extra = "") =>
    lines.push(`${p.bold(label.padEnd(11))}${value.padEnd(extra ? 41 : 0)}${extra}`);
  const b = info.prefixLength;
  const v4 = info.version === 4;
  const showBits = v4;
  const bits = (text: string) => (showBits ? splitBits(bin(text), b, p) : "");
  L("Address:", info.address, bits(info.compressed));
  L("Netmask:", `${info.netmask} = ${b}`, bits(info.netmask));
  L("Wildcard:", info.hostmask, bits(info.hostmask));
  if (v4) lines.push(p.dim(`=> network = address AND netmask; broadcast = network OR wildcard`));
  else
    lines.push(
      p.dim(`=> network = the first ${b} bits of the address; the other ${128 - b} bits are the host part`),
    );
  L("Network:", info.network, bits(info.networkAddress));
  if (info.broadcastAddress !== null) L("Broadcast:", info.broadcastAddress, bits(info.broadcastAddress));
  else L("Last:", info.lastAddress);
  L("HostMin:", info.firstHost);
  L("HostMax:", info.lastHost);
  L("Hosts/Net:", info.hostCount, `(${info.addressCount} addresses)`);
  if (!v4) {
    lines.push(p.bold("Binary:     ") + p.dim("network bits | host bits"));
    const raw = info.binary;
    lines.push(`  ${splitBits(raw.slice(0, 67), Math.min(b, 64), p)}`);
    const low = raw.slice(68);
    lines.push(`  ${b <= 64 ? (b === 64 ? "|" : "") + p.yellow(low) : splitBits(low, b - 64, p)}`);
    lines.push(`${p.bold("Exploded:".padEnd(11))}${info.exploded}`);
  }
  if (info.classInfo) {
    const c = info.classInfo;
    const mask = c.defaultMask ? `, default mask ${c.defaultMask} (/${c.defaultPrefixLength})` : "";
    L("Class:", `${c.class} (leading bits ${c.leadingBits}${mask}; ${c.range}; ${c.use})`);
  }
  L("Types:", info.types.length > 0 ? info.types.join(", ") : "(none: ordinary unicast)");
  const flags: string[] = [];
  if (info.isPrivate) flags.push("private");
  if (info.isGlobal) flags.push("global");
  if (info.isLoopback) flags.push("loopback");
  if (info.isMulticast) flags.push("multicast");
  if (info.isLinkLocal) flags.push("link-local");
  if (info.isReserved) flags.push("reserved");
  if (info.isUnspecified) flags.push("unspecified");
  if (info.isSiteLocal) flags.push("site-local");
  L("Flags:", flags.length > 0 ? flags.join(", ") : "(none)");
  if (info.ipv4Mapped) L("IPv4:", `${info.ipv4Mapped} (IPv4-mapped)`);
  if (info.sixToFour) L("6to4:", info.sixToFour);
  if (info.teredo) L("Teredo:", `server ${info.teredo.server}, client ${info.teredo.client}`);
  L("Reverse:", info.reversePointer);
  return `${lines.join("\n")}\n`;
}
