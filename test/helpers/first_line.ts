/** The first line a child process prints (its "ready" line), however the pipe splits it. */
import type { ChildProcess } from "node:child_process";

export function firstLine(child: ChildProcess, ms = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error(`no line from pid ${child.pid} in ${ms} ms`)), ms);
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`pid ${child.pid} exited (${code}) before its first line`)),
    );
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      resolve(buf.slice(0, nl));
    });
  });
}
