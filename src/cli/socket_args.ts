/**
 * Flag helpers shared by the socket commands (udp, tcp, unix, nc): ports, durations, argv
 * splitting for --exec, and the handler a --handler/--exec/--sh-exec combination means.
 * Pure except loadHandlerModule (imports a user file when asked to).
 */
import { NetkitError, UsageError } from "../errors.js";
import { AccessList } from "../sockets/access_list.js";
import { execHandler } from "../sockets/exec_handler.js";
import { BUILTIN_HANDLERS, type Handler, loadHandlerModule, resolveHandler } from "../sockets/handlers.js";
import { flagLabel } from "./args.js";

/** A port number 0–65535 (0: the kernel chooses). */
export function portArg(name: string, v: string | undefined): number {
  if (v === undefined) throw new UsageError(`missing ${name}`);
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535)
    throw new UsageError(`${name} must be a number 0–65535, got "${v}"`);
  return Number(v);
}

/** A duration in seconds (decimals allowed: 0.5) as milliseconds. */
export function secondsFlag(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^\d+(\.\d+)?$/.test(v))
    throw new UsageError(`${flagLabel(name)} takes seconds (e.g. 5 or 0.5), got "${v}"`);
  return Math.round(Number(v) * 1000);
}

/**
 * Split a command line into argv like a shell would for plain words and quotes, without running
 * a shell: `cat -n "a b"` → ["cat", "-n", "a b"]. No variables, globs or pipes (use --sh-exec).
 */
export function splitArgv(cmd: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < cmd.length) cur += cmd[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === "\\" && i + 1 < cmd.length) {
      cur += cmd[++i];
      has = true;
    } else if (c === " " || c === "\t" || c === "\n") {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw new UsageError(`unterminated ${quote} quote in command "${cmd}"`);
  if (has) out.push(cur);
  if (out.length === 0) throw new UsageError("empty command for --exec");
  return out;
}

/** What --handler / --exec / --sh-exec ask for, validated without I/O. */
export type HandlerChoice =
  | { kind: "builtin"; name: string }
  | { kind: "module"; file: string }
  | { kind: "exec"; argv: string[] }
  | { kind: "sh-exec"; command: string };

/** Validate the handler flags (at most one of them). */
export function handlerChoice(handler?: unknown, exec?: unknown, shExec?: unknown): HandlerChoice {
  const given = [handler, exec, shExec].filter((x) => x !== undefined).length;
  if (given > 1) throw new UsageError("use only one of --handler, --exec (-e) and --sh-exec (-c)");
  if (typeof exec === "string") return { kind: "exec", argv: splitArgv(exec) };
  if (typeof shExec === "string") {
    if (shExec.trim() === "") throw new UsageError("empty command for --sh-exec");
    return { kind: "sh-exec", command: shExec };
  }
  const h = typeof handler === "string" ? handler : "echo";
  if ((BUILTIN_HANDLERS as readonly string[]).includes(h)) return { kind: "builtin", name: h };
  if (/[/\\]|\.(m?js|cjs)$/.test(h)) return { kind: "module", file: h };
  throw new UsageError(
    `--handler must be one of ${BUILTIN_HANDLERS.join(", ")} or a module file (./handler.mjs), got "${h}"`,
  );
}

/** True for handlers that run programs (their servers default to loopback only). */
export function runsPrograms(c: HandlerChoice): boolean {
  return c.kind === "exec" || c.kind === "sh-exec";
}

/** Build the handler (loads a module file; spawns nothing yet). */
export async function buildHandler(c: HandlerChoice): Promise<Handler> {
  switch (c.kind) {
    case "builtin":
      return resolveHandler(c.name as "echo");
    case "module":
      return loadHandlerModule(c.file);
    case "exec":
      return execHandler({ argv: c.argv });
    case "sh-exec":
      return execHandler({ shell: c.command });
  }
}

/**
 * Values of a repeatable string flag, each possibly comma-separated (--allow a,b --allow c).
 * An empty value (`--allow ""`) is a usage error when `name` is given: it would silently mean
 * "no list" (everyone allowed).
 */
export function listFlag(v: unknown, name?: string): string[] {
  if (v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  if (name !== undefined && arr.some((x) => String(x).trim() === ""))
    throw new UsageError(`${flagLabel(name)} needs a CIDR or address, got ""`);
  return arr
    .flatMap((x) => String(x).split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Check --allow/--deny entries; a bad prefix is a usage error (exit 2), found before any I/O. */
export function checkAccess(allow: string[], deny: string[]): void {
  try {
    AccessList.from({ allow, deny });
  } catch (e) {
    if (e instanceof NetkitError) throw new UsageError(`--allow/--deny: ${e.message}`);
    throw e;
  }
}
