/**
 * Start test/helpers/py_peer.py (a listener or a client for the release tests) and control it.
 * `stop()` ends only this child, by its own pid, if it is still running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../../../test/helpers/py_peer.py", import.meta.url));

export interface Peer {
  pid: number;
  port: number;
  child: ChildProcess;
  /** Resolves with the signal (or exit code) once the process has ended. */
  exited: Promise<NodeJS.Signals | number | null>;
  alive(): boolean;
  stop(): Promise<void>;
}

export function startPeer(mode: "listen" | "listen-ignore-term" | "client", port?: number): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const args = [SCRIPT, mode, ...(port !== undefined ? [String(port)] : [])];
    const child = spawn("python3", args, { stdio: ["pipe", "pipe", "inherit"] });
    let ended = false;
    const exited = new Promise<NodeJS.Signals | number | null>((r) =>
      child.once("exit", (code, sig) => {
        ended = true;
        r(sig ?? code);
      }),
    );
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`py_peer ${mode} did not start in 10 s`));
    }, 10_000);
    child.on("error", reject);
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      if (!buf.includes("\n")) return;
      clearTimeout(timer);
      resolve({
        pid: child.pid!,
        port: Number(buf.trim()),
        child,
        exited,
        alive: () => !ended,
        async stop() {
          if (ended) return;
          child.stdin.end();
          const t = setTimeout(() => child.kill("SIGKILL"), 3000);
          await exited;
          clearTimeout(t);
        },
      });
    });
  });
}
