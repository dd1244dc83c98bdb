/**
 * Start test/helpers/socket_zoo.py: a separate process holding one socket of each kind on
 * loopback. `stop()` closes its stdin and waits for it to exit (it removes its own files).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ZooSocket {
  kind: string;
  fd: number;
  inode: number;
  local: string;
  port: number | null;
  peerPort: number | null;
}

export interface Zoo {
  pid: number;
  sockets: ZooSocket[];
  get(kind: string): ZooSocket;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL("../../../test/helpers/socket_zoo.py", import.meta.url));

export function startZoo(): Promise<Zoo> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", [SCRIPT], { stdio: ["pipe", "pipe", "inherit"] });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("socket_zoo.py did not start in 10 s"));
    }, 10_000);
    let buf = "";
    child.on("error", reject);
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      const j = JSON.parse(buf.slice(0, nl)) as { pid: number; sockets: ZooSocket[] };
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      resolve({
        pid: j.pid,
        sockets: j.sockets,
        get(kind) {
          const s = j.sockets.find((x) => x.kind === kind);
          if (s === undefined) throw new Error(`no ${kind} in the zoo`);
          return s;
        },
        async stop() {
          child.stdin.end();
          const t = setTimeout(() => child.kill("SIGKILL"), 5000);
          await exited;
          clearTimeout(t);
        },
      });
    });
  });
}
