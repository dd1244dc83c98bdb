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

export interface ProgramOptions {
  cwd?: string;
  /** The whole environment of the program (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** A hang is killed after this many ms and fails the caller's assertion on the code (-1). */
  timeoutMs?: number;
}

/** Run any program to its end with stdin closed, collecting its output. */
export function runProgram(cmd: string, args: string[], o: ProgramOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ["ignore", "pipe", "pipe"],
      ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
      env: o.env ?? process.env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs ?? 60_000);
    child.on("error", (e) => {
      clearTimeout(killer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
