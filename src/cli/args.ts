/**
 * Flag parsing on top of node:util parseArgs: usage mistakes become UsageError (exit 2), and every
 * message names the flag as the user typed it (`-c`, `--count`), never parseArgs' own wording.
 *
 * A value that looks like a negative number is taken as the flag's value (`-c -1`, `--count -5`,
 * `-w -1`), so the flag's own check refuses it with a clear message instead of parseArgs'
 * "argument is ambiguous". Any other value starting with `-` is refused as a missing value.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "../errors.js";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** What one command run records about its flags. */
interface FlagContext {
  /** How the user spelled each flag (long name and short letter → `-c` or `--count`). */
  spelled: Map<string, string>;
  /** Told the option table of every parse (tests use it to compare tables with --help). */
  onParse?: ((options: OptionSpec) => void) | undefined;
}

/** One context per {@link withFlagSpellings} run, so concurrent in-process runs (tests) do not mix. */
const contexts = new AsyncLocalStorage<FlagContext>();

/**
 * Run `fn` with its own record of flag spellings (runMain wraps each command in one). `onParse`
 * (or the one of an enclosing run) is told each option table parsed inside.
 */
export function withFlagSpellings<T>(fn: () => T, onParse?: (options: OptionSpec) => void): T {
  return contexts.run({ spelled: new Map(), onParse: onParse ?? contexts.getStore()?.onParse }, fn);
}

/**
 * The flag as the user typed it in this run: `flagLabel("count")` or `flagLabel("c")` is `-c`
 * after `-c 5`, `--count` after `--count 5`; without a record, `-c` for one letter, else `--count`.
 */
export function flagLabel(name: string): string {
  return contexts.getStore()?.spelled.get(name) ?? (name.length === 1 ? `-${name}` : `--${name}`);
}

/** A value parseArgs would take for an option (`-5`, `-0.5`) although it starts with a dash. */
const NEGATIVE_NUMBER = /^-(?:\d|\.\d)/;

function optionLike(v: string): boolean {
  return v.length > 1 && v.startsWith("-");
}

function needsValue(typed: string, next: string | undefined): never | void {
  if (next === undefined) throw new UsageError(`${typed} needs a value`);
  if (optionLike(next) && !NEGATIVE_NUMBER.test(next))
    throw new UsageError(
      `${typed} needs a value, got the option "${next}" (to pass a value starting with "-", write ${typed.startsWith("--") ? `${typed}=${next}` : `${typed}${next}`})`,
    );
}

/** Glue a separate value to its flag (`-c -1` → `-c-1`, `--count -5` → `--count=-5`), checking it. */
function attachValues(args: string[], options: OptionSpec): string[] {
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) if (spec.short) byShort.set(spec.short, name);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (a.startsWith("--")) {
      const spec = a.includes("=") ? undefined : options[a.slice(2)];
      if (spec?.type === "string") {
        needsValue(a, args[i + 1]);
        out.push(`${a}=${args[++i]}`);
      } else out.push(a);
      continue;
    }
    if (!optionLike(a)) {
      out.push(a);
      continue;
    }
    // A group of short flags (-lvp): the first one taking a value takes the rest or the next arg.
    let glued = a;
    for (let j = 1; j < a.length; j++) {
      const name = byShort.get(a[j]!);
      if (name === undefined) break; // parseArgs reports the unknown flag
      if (options[name]!.type === "string") {
        if (j === a.length - 1) {
          needsValue(`-${a[j]}`, args[i + 1]);
          glued = `${a}${args[++i]}`;
        }
        break;
      }
    }
    out.push(glued);
  }
  return out;
}

/** Turn a parseArgs error into our wording (the flag as typed, no advice about `--`). */
function usageFromParseArgs(e: unknown): UsageError {
  const msg = e instanceof Error ? e.message.split("\n")[0]! : String(e);
  const unknown = /^Unknown option '([^']*)'/.exec(msg);
  if (unknown) return new UsageError(`unknown option ${unknown[1]} (see --help)`);
  const noArg = /^Option '([^']*)' does not take an argument/.exec(msg);
  if (noArg) return new UsageError(`${noArg[1]} takes no value`);
  const positional = /^Unexpected argument '([^']*)'/.exec(msg);
  if (positional) return new UsageError(`unexpected argument "${positional[1]}"`);
  return new UsageError(msg.replace(/\. To specify a positional argument.*$/, ""));
}

/** Parse `args` with `options`; unknown flags and missing values throw UsageError. */
export function parseFlags(args: string[], options: OptionSpec): Parsed {
  const ctx = contexts.getStore();
  ctx?.onParse?.(options);
  const prepared = attachValues(args, options);
  const r = (() => {
    try {
      return parseArgs({ args: prepared, options, allowPositionals: true, strict: true, tokens: true });
    } catch (e) {
      throw usageFromParseArgs(e);
    }
  })();
  const seen = ctx?.spelled;
  if (seen)
    for (const t of r.tokens)
      if (t.kind === "option") {
        seen.set(t.name, t.rawName);
        const short = options[t.name]?.short;
        if (short !== undefined) seen.set(short, t.rawName);
      }
  return { values: r.values as Parsed["values"], positionals: r.positionals };
}

/** A non-negative integer flag value, or UsageError naming the flag as typed. */
export function intFlag(
  name: string,
  v: unknown,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (v === undefined) return undefined;
  const flag = flagLabel(name);
  if (typeof v !== "string" || !/^-?\d+$/.test(v))
    throw new UsageError(`${flag} takes a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${v}`);
  return n;
}
