/**
 * `netkit ip`: address analysis (one address, or a stream of them with `-`) and the network
 * operations (split, supernet, summarize, collapse, exclude, contains, overlaps, list).
 */
import { NetkitError, ParseError, UsageError } from "../../errors.js";
import { analyze } from "../../ip/analyze.js";
import { addressInfoToJson } from "../../ip/analyze_json.js";
import { parseFlags } from "../args.js";
import { type CliIo, paint } from "../io.js";
import { MAX_LINE, OutputBuffer, OVERLONG_HEAD, readLines } from "../lines.js";
import type { Command } from "../main.js";
import { renderAddressInfo } from "../render_ip.js";

const OPS = new Set([
  "split",
  "supernet",
  "summarize",
  "collapse",
  "exclude",
  "contains",
  "overlaps",
  "list",
]);

const HELP = `netkit ip — analyse IPv4/IPv6 addresses and networks

Usage:
  netkit ip [--json] ADDR[/LEN | /NETMASK]     one address (a host when no length is given)
  netkit ip [--json] ADDR NETMASK              the same, ipcalc style
  netkit ip [--json] -                         one input per line from stdin, one result per line
  netkit ip split NET (--prefix LEN | --count N | --hosts N,N,…) [--limit N]
  netkit ip supernet NET [--prefix LEN | --by N]   (default: one bit shorter)
  netkit ip summarize FIRST LAST               the minimal CIDR list covering a range
  netkit ip collapse NET… | -  [--limit N]     aggregate a list of networks (- reads stdin lines)
  netkit ip exclude NET EXCLUDED…              NET minus the excluded networks
  netkit ip contains NET ADDR|NET…             "yes" and exit 0 if all are inside NET, else 1
  netkit ip overlaps NET NET                   "yes" and exit 0 if they share an address, else 1
  netkit ip list NET [--limit N]               the usable hosts (default limit 256)

Options:
  --json        JSON output (NDJSON for "-"; one object per operation)
  --limit N     split: most prefixes (default 65536, else ERR_TOO_LARGE, checked before any
                work); collapse: most networks held after aggregation (default 1000000);
                list: most hosts shown (default 256; a note on stderr when cut)
  -h, --help    this help

Networks may have host bits set (10.1.2.3/8 means 10.0.0.0/8, like Python's strict=False).
split --hosts (VLSM): largest request first, each gets the smallest prefix with enough usable
hosts (IPv4 2^h−2, IPv6 2^h−1; 2 hosts → /31, 1 host → /32); what does not fit is an error.
Mixing IPv4 and IPv6 in one operation is an error (ERR_VERSION_MISMATCH).
With "-", a bad line gives an error record and the run goes on; a line longer than 4096
characters is reported (ERR_INPUT_TOO_LONG, named by its first 32 characters), never parsed.
Zones have at most 15 characters (an interface name) or are a scope id up to 4294967295.

The output shows the working: address AND netmask = network, network OR wildcard = broadcast,
and a binary view where "|" separates the network bits from the host bits.

Examples:
  netkit ip 192.168.1.100/24
  netkit ip 192.168.1.100 255.255.255.0
  netkit ip 2001:0db8:85a3::8a2e:0370:7334/64
  netkit ip --json fe80::1%eth0/64
  printf '10.0.0.1/8\\n::1\\nbad\\n' | netkit ip --json -
  netkit ip split 192.168.0.0/24 --hosts 100,50,20
  netkit ip split 2001:db8::/48 --prefix 52 --json
  netkit ip supernet 192.168.1.0/24 --prefix 16
  printf '10.0.0.0/25\\n10.0.0.128/25\\n' | netkit ip collapse -
  netkit ip exclude 10.0.0.0/24 10.0.0.64/26
  netkit ip list 10.0.0.0/29
  netkit ip summarize 192.168.0.5 192.168.0.20
  netkit ip contains 10.0.0.0/8 10.1.2.3 && echo inside

Exit codes: 0 ok; 1 invalid input (or, for contains/overlaps, "no"); 2 usage error.
Docs: docs/ip.md; the operations: docs/ip_ops.md`;

export const ipCommand: Command = {
  summary: "analyse IPv4/IPv6 addresses and networks",
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    if (args[0] !== undefined && OPS.has(args[0])) {
      const { runIpOp } = await import("./ip_ops.js");
      return runIpOp(args[0], args.slice(1), io);
    }
    const { values, positionals } = parseFlags(args, { json: { type: "boolean" } });
    const json = values.json === true;
    if (positionals.length === 0) throw new UsageError("netkit ip needs an address (see netkit ip --help)");
    if (positionals.length > 2) throw new UsageError(`too many arguments: ${positionals.slice(2).join(" ")}`);
    if (positionals[0] === "-") {
      if (positionals.length > 1) throw new UsageError('"-" (read stdin) takes no other argument');
      return batch(io, json);
    }
    const input = positionals.length === 2 ? `${positionals[0]}/${positionals[1]}` : positionals[0]!;
    if (input.length > MAX_LINE)
      throw tooLong(`${input.slice(0, OVERLONG_HEAD)}…`, input.length, "the argument");
    const info = analyze(input);
    io.stdout.write(json ? `${JSON.stringify(info, null, 2)}\n` : renderAddressInfo(info, paint(io.color)));
    return 0;
  },
};

/**
 * The error of an input longer than {@link MAX_LINE}: shaped like a parse error, naming the input
 * by its first characters only (never echoing it whole).
 */
function tooLong(label: string, length: number, what: string): ParseError {
  return new ParseError(
    "ERR_INPUT_TOO_LONG",
    "address",
    label,
    `${what} is ${length} characters long; the limit is ${MAX_LINE}`,
    MAX_LINE,
  );
}

function errorRecord(input: string, e: unknown): string {
  if (!(e instanceof NetkitError)) throw e;
  return JSON.stringify({ input, error: e.toJSON() });
}

/** One result per input line; bad lines are reported and the run goes on; exit 1 if any failed. */
async function batch(io: CliIo, json: boolean): Promise<number> {
  const out = new OutputBuffer(io.stdout);
  let failed = 0;
  let lineNo = 0;
  for await (const lines of readLines(io.stdin)) {
    for (const item of lines) {
      lineNo++;
      const line = typeof item === "string" ? item : `${item.head}…`;
      try {
        if (typeof item !== "string") throw tooLong(line, item.length, `line ${lineNo}`);
        const info = analyze(line);
        // Every field of a result is ASCII (zones are restricted to printable ASCII).
        if (json) out.add(`${addressInfoToJson(info)}\n`, true);
        else {
          out.add(
            `${info.address}\t${info.network}\t${info.firstHost}\t${info.lastHost}\t${info.hostCount}\t${info.types.join(",") || "-"}\n`,
            true,
          );
        }
      } catch (e) {
        failed++;
        if (json) out.add(`${errorRecord(line, e)}\n`);
        else out.add(`error\t${e instanceof NetkitError ? `${e.code}: ${e.message}` : String(e)}\n`);
      }
    }
    await out.drain();
  }
  await out.flush();
  if (failed > 0) io.stderr.write(`netkit: ${failed} input line${failed === 1 ? "" : "s"} failed\n`);
  return failed > 0 ? 1 : 0;
}
