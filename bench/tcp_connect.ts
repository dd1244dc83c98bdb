/**
 * TCP connect time on loopback (issue 12): `netkit ping --tcp PORT -c N -i 0.01` against a plain
 * Python loop of blocking `connect()` calls to the same listener (a Python process that accepts and
 * closes), N probes each, min / median / max of the per-probe times. Traffic: loopback only, to a
 * port this script's own listener opened.
 *
 * Run: npm run -s build && node dist/bench/tcp_connect.js
 * (NETKIT_BIN=/path/to/dist/src/cli/bin.js measures another build, e.g. the one before a change.)
 */
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = process.env.NETKIT_BIN ?? fileURLToPath(new URL("../src/cli/bin.js", import.meta.url));
const N = Number(process.env.RUNS ?? 100);

const LISTENER = `
import socket, sys, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(512)
print(s.getsockname()[1], flush=True)
def serve():
    while True:
        c, _ = s.accept(); c.close()
threading.Thread(target=serve, daemon=True).start()
sys.stdin.read()
`;
const CLIENT = `
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
for _ in range(n):
    c = socket.socket()
    t = time.perf_counter(); c.connect(("127.0.0.1", port)); d = time.perf_counter() - t
    c.close(); print("time=%.3f ms" % (d * 1000)); time.sleep(0.01)
`;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const med = s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `min ${s[0]!.toFixed(3)} / median ${med.toFixed(3)} / max ${s[s.length - 1]!.toFixed(3)} ms`;
};
const times = (out: string) => [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));

const listener = spawn("python3", ["-c", LISTENER], { stdio: ["pipe", "pipe", "inherit"] });
const port = await new Promise<number>((resolve) =>
  listener.stdout.once("data", (d: Buffer) => resolve(Number(d))),
);
try {
  const nk = execFileSync(
    process.execPath,
    [BIN, "ping", "--tcp", String(port), "-c", String(N), "-i", "0.01", "127.0.0.1"],
    {
      encoding: "utf8",
    },
  );
  const py = execFileSync("python3", ["-c", CLIENT, String(port), String(N)], { encoding: "utf8" });
  console.log(`netkit ping --tcp x${N} -i 0.01: ${stats(times(nk))}  (${BIN})`);
  console.log(`python3 connect()  x${N}, 10 ms apart: ${stats(times(py))}`);
} finally {
  listener.stdin.end();
  listener.kill();
}
