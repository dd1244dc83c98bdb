/**
 * Run the CLI in-process (fast) or as a real child process (for exit codes, stdin, signals).
 */
import { spawn } from "node:child_process";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { runMain } from "../../src/cli/main.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Path of the built executable (dist/src/cli/bin.js). */
export const BIN = fileURLToPath(new URL("../../src/cli/bin.js", import.meta.url));

/** Run `netkit ARGS` in this process with `stdin` text. */
export async function runCli(args: string[], stdin = ""): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const code = await runMain(args, {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout,
    stderr,
    env: {},
    color: false,
  });
  return { code, stdout: out, stderr: err };
}

/** Run the real `netkit` executable as a child process. */
export function runBin(args: string[], stdin = "", env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout: out, stderr: err }));
    child.stdin.end(stdin);
  });
}
