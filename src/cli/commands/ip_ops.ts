/**
 * `netkit ip split|supernet|summarize|collapse|exclude|contains|overlaps|list`: the thin CLI shell
 * over the network operations of src/ip. Each op: validate flags (usage errors, exit 2) → parse
 * inputs → call the library → render text or JSON.
 */
import { NetkitError, UsageError } from "../../errors.js";
import { parseAddr } from "../../ip/addr.js";
import { collapse } from "../../ip/collapse.js";
import { exclude } from "../../ip/exclude.js";
import { hosts, usableHostCount } from "../../ip/hosts.js";
import { DEFAULT_SPLIT_LIMIT, MAX_HOST_REQUESTS } from "../../ip/op_limits.js";
import { type Prefix, parseNetwork, parsePrefix } from "../../ip/prefix.js";
import { networkContains, networksOverlap } from "../../ip/relations.js";
import { splitHosts } from "../../ip/split_hosts.js";
import { checkSplitLimit, splitCount, subnetCount, subnets } from "../../ip/subnets.js";
import { summarizeRange } from "../../ip/summarize.js";
import { supernet } from "../../ip/supernet.js";
import { intFlag, type OptionSpec, parseFlags } from "../args.js";
import type { CliIo } from "../io.js";
import { MAX_LINE, OutputBuffer, readLines } from "../lines.js";

/** The largest `split --count` (the parts are held in memory). */
export const MAX_SPLIT_COUNT = 1 << 20;
/** Default of `list --limit`. */
export const DEFAULT_LIST_LIMIT = 256;
/** Default of `collapse --limit`: the most networks held after aggregation. */
export const DEFAULT_COLLAPSE_LIMIT = 1_000_000;
/** `collapse -` aggregates after this many new input lines, so memory follows the result size. */
const COLLAPSE_BATCH = 65536;

const JSON_FLAG: OptionSpec = { json: { type: "boolean" } };

type Op = (args: string[], io: CliIo) => Promise<number>;

const OPS: Record<string, Op> = {
  split: runSplit,
  supernet: runSupernet,
  summarize: runSummarize,
  collapse: runCollapse,
  exclude: runExclude,
  contains: runContains,
  overlaps: runOverlaps,
  list: runList,
};

/** Run `netkit ip OP ARGS…`; returns the exit code. */
export async function runIpOp(op: string, args: string[], io: CliIo): Promise<number> {
  const run = Object.hasOwn(OPS, op) ? OPS[op] : undefined;
  if (run === undefined) throw new UsageError(`unknown operation "${op}" (see netkit ip --help)`);
  return run(args, io);
}

function positionals(op: string, list: string[], min: number, max: number, what: string): string[] {
  if (list.length < min || list.length > max) {
    throw new UsageError(
      `netkit ip ${op} takes ${what} (got ${list.length} argument${list.length === 1 ? "" : "s"})`,
    );
  }
  return list;
}

/** A prefix length flag: "26" or "/26". */
function prefixFlag(name: string, v: unknown): number | undefined {
  return intFlag(name, typeof v === "string" && v.startsWith("/") ? v.slice(1) : v, 0, 128);
}

function out(io: CliIo, text: string): void {
  io.stdout.write(text);
}

function json(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

const str = (p: Prefix): string => p.toString();

// -----------------------------------------------------------------------------------------------

async function runSplit(args: string[], io: CliIo): Promise<number> {
  const { values, positionals: pos } = parseFlags(args, {
    ...JSON_FLAG,
    prefix: { type: "string" },
    count: { type: "string" },
    hosts: { type: "string" },
    limit: { type: "string" },
  });
  const [netText] = positionals("split", pos, 1, 1, "one network");
  const given = ["prefix", "count", "hosts"].filter((k) => values[k] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0
        ? "split needs one of --prefix LEN, --count N, --hosts N,N,…"
        : `cannot use ${given.map((g) => `--${g}`).join(" and ")} together`,
    );
  }
  const newBits = prefixFlag("prefix", values.prefix);
  const count = intFlag("count", values.count, 1, MAX_SPLIT_COUNT);
  const limit = intFlag("limit", values.limit, 1, 2 ** 32) ?? DEFAULT_SPLIT_LIMIT;
  if (values.hosts !== undefined && values.limit !== undefined) {
    throw new UsageError("--limit applies to --prefix and --count, not to --hosts");
  }
  const hostList = values.hosts === undefined ? undefined : hostsFlag(String(values.hosts));
  const asJson = values.json === true;
  const net = parseNetwork(netText!);

  if (newBits !== undefined) {
    // The count is checked against the limit before any work; then the parts stream out.
    checkSplitLimit(net, newBits, limit);
    const head = asJson
      ? `{"network":"${str(net)}","prefixLength":${newBits},"count":"${subnetCount(net.bits, newBits)}","subnets":[`
      : "";
    await streamLines(io, head, mapIter(subnets(net, newBits), str), asJson, asJson ? "]}\n" : "");
    return 0;
  }
  if (count !== undefined) {
    const r = splitCount(net, count, { limit });
    if (asJson) {
      json(io, {
        network: str(r.network),
        prefixLength: r.prefixLength,
        count: String(r.subnets.length),
        subnets: r.subnets.map(str),
        unallocated: r.unallocated.map(str),
      });
    } else {
      await writeLines(io, r.subnets.map(str));
      if (r.unallocated.length > 0) {
        io.stderr.write(
          `netkit: ${count} is not a power of two; left unallocated: ${r.unallocated.map(str).join(" ")}\n`,
        );
      }
    }
    return 0;
  }
  const r = splitHosts(net, hostList!);
  if (asJson) {
    json(io, {
      network: str(r.network),
      allocations: r.allocations.map((a) => ({
        hosts: a.hosts,
        prefix: str(a.prefix),
        usable: a.usable.toString(),
      })),
      unfit: r.unfit.map((u) => ({ hosts: u.hosts })),
      unallocated: r.unallocated.map(str),
    });
  } else {
    const width = Math.max(0, ...r.allocations.map((a) => str(a.prefix).length));
    let text = "";
    for (const a of r.allocations) {
      text += `${str(a.prefix).padEnd(width)}  ${a.hosts} host${a.hosts === 1 ? "" : "s"} (${a.usable} usable)\n`;
    }
    for (const p of r.unallocated) text += `${str(p).padEnd(width)}  unallocated\n`;
    out(io, text);
  }
  if (r.unfit.length > 0) {
    const what = r.unfit.map((u) => u.hosts).join(", ");
    io.stderr.write(`netkit: ERR_RANGE: host requests that do not fit in ${str(r.network)}: ${what}\n`);
    return 1;
  }
  return 0;
}

function hostsFlag(v: string): number[] {
  const parts = v.split(",");
  if (parts.length > MAX_HOST_REQUESTS) {
    throw new UsageError(`--hosts takes at most ${MAX_HOST_REQUESTS} counts, got ${parts.length}`);
  }
  return parts.map((p) => {
    if (!/^[1-9]\d{0,14}$/.test(p))
      throw new UsageError(`--hosts takes counts ≥ 1 separated by commas, got "${v}"`);
    return Number(p);
  });
}

async function runSupernet(args: string[], io: CliIo): Promise<number> {
  const { values, positionals: pos } = parseFlags(args, {
    ...JSON_FLAG,
    prefix: { type: "string" },
    by: { type: "string" },
  });
  const [netText] = positionals("supernet", pos, 1, 1, "one network");
  if (values.prefix !== undefined && values.by !== undefined)
    throw new UsageError("cannot use --prefix and --by together");
  const prefix = prefixFlag("prefix", values.prefix);
  const by = intFlag("by", values.by, 1, 128);
  const net = parseNetwork(netText!);
  const s = supernet(net, prefix !== undefined ? { prefix } : { by: by ?? 1 });
  if (values.json === true) json(io, { network: str(net), supernet: str(s) });
  else out(io, `${s}\n`);
  return 0;
}

async function runSummarize(args: string[], io: CliIo): Promise<number> {
  const { values, positionals: pos } = parseFlags(args, JSON_FLAG);
  const [a, b] = positionals("summarize", pos, 2, 2, "FIRST and LAST addresses");
  const first = parseAddr(a!);
  const last = parseAddr(b!);
  const list = summarizeRange(first, last);
  if (values.json === true) {
    json(io, { first: first.toCompressed(), last: last.toCompressed(), prefixes: list.map(str) });
  } else await writeLines(io, list.map(str));
  return 0;
}

async function runCollapse(args: string[], io: CliIo): Promise<number> {
  const { values, positionals: pos } = parseFlags(args, { ...JSON_FLAG, limit: { type: "string" } });
  positionals("collapse", pos, 1, Number.MAX_SAFE_INTEGER, 'networks, or "-" to read them from stdin');
  if (pos.includes("-") && pos.length > 1) throw new UsageError('"-" (read stdin) takes no other argument');
  const limit = intFlag("limit", values.limit, 1) ?? DEFAULT_COLLAPSE_LIMIT;
  let held: Prefix[];
  let inputs = 0;
  if (pos[0] === "-") {
    held = [];
    let batch: Prefix[] = [];
    let lineNo = 0;
    for await (const lines of readLines(io.stdin)) {
      for (const line of lines) {
        lineNo++;
        if (typeof line !== "string") {
          throw new NetkitError(
            "ERR_INPUT_TOO_LONG",
            `line ${lineNo} is ${line.length} characters long; the limit is ${MAX_LINE}`,
          );
        }
        const t = line.trim();
        if (t === "" || t.startsWith("#")) continue;
        inputs++;
        try {
          batch.push(parseNetwork(t));
        } catch (e) {
          if (e instanceof NetkitError) throw new NetkitError(e.code, `line ${lineNo}: ${e.message}`);
          throw e;
        }
        if (batch.length >= COLLAPSE_BATCH) {
          held = collapseBounded(held, batch, limit);
          batch = [];
        }
      }
    }
    held = collapseBounded(held, batch, limit);
  } else {
    inputs = pos.length;
    held = collapseBounded(
      [],
      pos.map((p) => parseNetwork(p)),
      limit,
    );
  }
  if (values.json === true) json(io, { inputs, prefixes: held.map(str) });
  else await writeLines(io, held.map(str));
  return 0;
}

function collapseBounded(held: Prefix[], batch: Prefix[], limit: number): Prefix[] {
  const r = collapse(held.length === 0 ? batch : held.concat(batch));
  if (r.length > limit) {
    throw new NetkitError(
      "ERR_TOO_LARGE",
      `collapse holds its result in memory: ${r.length} networks after aggregation is more than the limit ${limit}; use --limit`,
    );
  }
  return r;
}

async function runExclude(args: string[], io: CliIo): Promise<number> {
  const { values, positionals: pos } = parseFlags(args, JSON_FLAG);
  positionals("exclude", pos, 2, 1 + MAX_HOST_REQUESTS, "a network and the networks to exclude from it");
  const net = parseNetwork(pos[0]!);
  const excluded = pos.slice(1).map((p) => parseNetwork(p));
  const list = exclude(net, excluded);
  if (values.json === true)
    json(io, { network: str(net), excluded: excluded.map(str), prefixes: list.map(str) });
  else await writeLines(io, list.map(str));
  return 0;
}

async function runContains(args: string[], io: CliIo): Promise<number> {
  const { values, positionals: pos } = parseFlags(args, JSON_FLAG);
  positionals("contains", pos, 2, Number.MAX_SAFE_INTEGER, "a network and one or more addresses or networks");
  const net = parseNetwork(pos[0]!);
  const items = pos.slice(1).map((text) => ({ text, prefix: parsePrefix(text) }));
  const results = items.map((i) => ({ item: i.text, result: networkContains(net, i.prefix) }));
  const all = results.every((r) => r.result);
  if (values.json === true) json(io, { result: all, network: str(net), items: results });
  else if (results.length === 1) out(io, all ? "yes\n" : "no\n");
  else out(io, results.map((r) => `${r.item}\t${r.result ? "yes" : "no"}\n`).join(""));
  return all ? 0 : 1;
}

async function runOverlaps(args: string[], io: CliIo): Promise<number> {
  const { values, positionals: pos } = parseFlags(args, JSON_FLAG);
  const [a, b] = positionals("overlaps", pos, 2, 2, "two networks");
  const pa = parseNetwork(a!);
  const pb = parseNetwork(b!);
  const result = networksOverlap(pa, pb);
  if (values.json === true) json(io, { result, a: str(pa), b: str(pb) });
  else out(io, result ? "yes\n" : "no\n");
  return result ? 0 : 1;
}

async function runList(args: string[], io: CliIo): Promise<number> {
  const { values, positionals: pos } = parseFlags(args, { ...JSON_FLAG, limit: { type: "string" } });
  const [netText] = positionals("list", pos, 1, 1, "one network");
  const limit = intFlag("limit", values.limit, 1, 2 ** 32) ?? DEFAULT_LIST_LIMIT;
  const asJson = values.json === true;
  const net = parseNetwork(netText!);
  const total = usableHostCount(net.version, net.bits);
  const shown = total < BigInt(limit) ? Number(total) : limit;
  const truncated = total > BigInt(limit);
  const head = asJson
    ? `{"network":"${str(net)}","hostCount":"${total}","limit":${limit},"truncated":${truncated},"hosts":[`
    : "";
  await streamLines(io, head, mapIter(take(hosts(net), shown), String), asJson, asJson ? "]}\n" : "");
  if (truncated) {
    io.stderr.write(
      `netkit: showing the first ${shown} of ${total} hosts of ${str(net)}; use --limit N for more\n`,
    );
  }
  return 0;
}

function* mapIter<T>(it: Iterable<T>, f: (x: T) => string): Generator<string> {
  for (const x of it) yield f(x);
}

function* take<T>(it: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  let i = 0;
  for (const x of it) {
    yield x;
    if (++i >= n) return;
  }
}

/** Write `items` one per line (or as JSON strings separated by commas), in large pieces. */
async function streamLines(
  io: CliIo,
  head: string,
  items: Iterable<string>,
  asJson: boolean,
  tail: string,
): Promise<void> {
  const buf = new OutputBuffer(io.stdout);
  let text = head;
  let first = true;
  for (const item of items) {
    if (asJson) {
      text += first ? `"${item}"` : `,"${item}"`;
      first = false;
    } else text += `${item}\n`;
    if (text.length >= 16384) {
      await buf.add(text);
      text = "";
    }
  }
  await buf.add(text + tail);
  await buf.flush();
}

async function writeLines(io: CliIo, lines: string[]): Promise<void> {
  await streamLines(io, "", lines, false, "");
}
