/**
 * Find the program an `exec` handler (nc -e, --exec) would run, before any socket exists: a name
 * without a slash is looked up in PATH like execvp does, a path is taken as it is. A missing or
 * non-executable program is an error at start, not a failure on the first connection.
 *
 * @example
 * import { findProgram } from "netkit";
 * findProgram("cat");             // "/usr/bin/cat"
 * findProgram("/no/such/prog");   // throws ERR_HANDLER: cannot run /no/such/prog: no such file
 */
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import { NetkitError } from "../errors.js";

/** Why `file` cannot be run, or undefined when it can. */
function problem(file: string): string | undefined {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(file);
  } catch {
    return "no such file";
  }
  if (st.isDirectory()) return "is a directory";
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return "not executable (permission denied)";
  }
  return undefined;
}

/**
 * The path of the program to run.
 * @throws ERR_HANDLER `cannot run NAME: not found in PATH` / `no such file` / `not executable …`
 */
export function findProgram(name: string, envPath: string | undefined = process.env.PATH): string {
  if (name.includes("/")) {
    const why = problem(name);
    if (why !== undefined) throw new NetkitError("ERR_HANDLER", `cannot run ${name}: ${why}`);
    return name;
  }
  let firstProblem: string | undefined;
  for (const dir of (envPath ?? "").split(":")) {
    const file = path.join(dir === "" ? "." : dir, name);
    const why = problem(file);
    if (why === undefined) return file;
    if (why !== "no such file") firstProblem ??= `${file} is ${why.replace(/^is /, "")}`;
  }
  throw new NetkitError("ERR_HANDLER", `cannot run ${name}: ${firstProblem ?? "not found in PATH"}`);
}
