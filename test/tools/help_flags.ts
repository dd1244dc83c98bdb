/**
 * The flags a command's --help mentions, and the subcommands each command has. Shared by
 * test/cli/help_flags.test.ts and the flag sweep (test/tools/flag_sweep.ts).
 */

/** Every command with its subcommands ("" = the command itself). */
export const COMMAND_SUBS: Record<string, string[]> = {
  ip: ["", "split", "supernet", "summarize", "collapse", "exclude", "contains", "overlaps", "list"],
  demo: [""],
  udp: ["serve", "send"],
  tcp: ["serve", "send", "connect"],
  unix: ["serve", "send", "connect"],
  nc: [""],
  sockets: [""],
  port: ["", "who", "release", "pick"],
  if: [""],
  route: ["", "get"],
  gateway: [""],
  ping: [""],
  trace: [""],
  bench: ["", "server", "client", "latency"],
  impair: ["link", "udp", "tcp"],
};

/** Other names of a command. */
const ALIASES: Record<string, string[]> = { sockets: ["ss"], if: ["interfaces"], trace: ["traceroute"] };

/** Lines of a help text that show other programs (iperf3, ip netns, sudo …): their flags are not ours. */
const FOREIGN =
  /(?<!netkit )\bip -\w|\b(iperf3|ip netns|hexdump|OpenBSD|ncat|iputils|traceroute|ss -|netstat|lsof|socat|python3?)\b/;

/** Flag tokens (`-c`, `--count`, groups like `-tlnp` split into letters) in `line`. */
export function flagsIn(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/(?<![\w\-/.%'"])(--[a-z0-9][a-z0-9-]*|-[a-zA-Z0-9]+)(?![\w-])/g)) {
    const t = m[1]!;
    if (t.startsWith("--")) out.push(t);
    else if (/^-\d+$/.test(t) && t !== "-1" && t !== "-4" && t !== "-6")
      continue; // a negative number
    else for (const c of t.slice(1)) out.push(`-${c}`);
  }
  return out;
}

export interface HelpFlags {
  /** Flags on a usage line that names a subcommand: that subcommand must accept them. */
  bySub: Map<string, Set<string>>;
  /** Every flag mentioned outside lines about other programs. */
  all: Set<string>;
}

/** The flags of `help` for `cmd`, by subcommand where a usage line says which. */
export function helpFlags(cmd: string, help: string): HelpFlags {
  const subs = COMMAND_SUBS[cmd] ?? [""];
  const bySub = new Map<string, Set<string>>();
  const all = new Set<string>();
  const mine = new Set([cmd, ...(ALIASES[cmd] ?? [])]);
  for (const raw of help.split("\n")) {
    if (FOREIGN.test(raw)) continue;
    // A line about another netkit command (an example piped into it) shows that command's flags.
    if ([...raw.matchAll(/\bnetkit (\w+)/g)].some((m) => !mine.has(m[1]!))) continue;
    const flags = flagsIn(raw).filter((f) => f !== "-h" && f !== "--help");
    for (const f of flags) all.add(f);
    const usage = new RegExp(`^\\s*(?:Usage:\\s*)?netkit ${cmd} (\\w[\\w-]*)`).exec(raw);
    const sub = usage && subs.includes(usage[1]!) ? usage[1]! : undefined;
    if (sub !== undefined) {
      const set = bySub.get(sub) ?? new Set<string>();
      for (const f of flags) set.add(f);
      bySub.set(sub, set);
    }
  }
  return { bySub, all };
}
