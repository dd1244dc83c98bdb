/**
 * Linux abstract Unix names (`@name`) are exactly the bytes given: not padded to the 108 bytes of
 * sun_path (Node's own net does that), so Python's '\0name', socat ABSTRACT-* and ss -x agree.
 * Streams (nc -U, unix serve/send, the library) and datagrams (--dgram, FFI) alike.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { tcpRequest } from "../../src/sockets/tcp_client.js";
import { startTcpServer } from "../../src/sockets/tcp_server.js";
import { runBin } from "../helpers/cli.js";
import { feed, have, startNetkit, startPeer, waitFor } from "../helpers/peers.js";

const HAVE_PY = have("python3", ["-V"]);
const HAVE_SOCAT = have("socat", ["-V"]);
const needPeers = (t: { skip: (m: string) => void }) => {
  if (HAVE_PY && HAVE_SOCAT) return false;
  if (process.env.CI === "true") throw new Error("python3 and socat are required under CI");
  t.skip("python3 or socat is not installed");
  return true;
};

let n = 0;
const uniqueName = () => `nk-abs-${process.pid}-${++n}`;

/** The /proc/net/unix rows naming exactly `@name` (ss -x prints the same column). */
function procRows(name: string): string[] {
  return readFileSync("/proc/net/unix", "utf8")
    .split("\n")
    .filter((l) => l.includes(`@${name}`));
}

function py(code: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync("python3", ["-c", code], { encoding: "utf8", timeout: 10_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe("abstract Unix names", { timeout: 60_000 }, () => {
  it("nc -U -l @name: no file, the exact name in the socket table, Python '\\0name' connects", async (t) => {
    if (needPeers(t)) return;
    const name = uniqueName();
    const l = startNetkit(["nc", "-U", "-l", `@${name}`]); // cwd: this process's
    try {
      feed(l, "");
      await waitFor(() => procRows(name).length > 0, 10_000, "abstract listener");
      // Exactly "@name" at the end of the row: not "@name@@@@…" (padded to 108 bytes).
      assert.deepEqual(
        procRows(name).map((r) => r.split(" ").pop()),
        [`@${name}`],
      );
      const r = py(
        `import socket\ns=socket.socket(socket.AF_UNIX)\ns.connect('\\0${name}')\ns.sendall(b'from python')\ns.shutdown(socket.SHUT_WR)\nprint(len(s.recv(10)))`,
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(await l.exited, 0);
      assert.equal(l.stdout(), "from python");
      assert.equal(
        readdirSync(process.cwd()).some((f) => f.startsWith("@")),
        false,
        "no file named @… in the working directory",
      );
      // ss -x shows the same name
      const ss = spawnSync("ss", ["-xl"], { encoding: "utf8" });
      if (ss.error === undefined) assert.doesNotMatch(ss.stdout, new RegExp(`@${name}@`));
    } finally {
      await l.kill();
    }
  });

  it("unix serve @name answers socat ABSTRACT-CONNECT and unix send; the library reports @name", async (t) => {
    if (needPeers(t)) return;
    const name = uniqueName();
    const srv = startNetkit(["unix", "serve", `@${name}`, "--handler", "upper", "-k"]);
    try {
      await waitFor(() => procRows(name).length > 0, 10_000, "abstract server");
      assert.deepEqual(
        procRows(name).map((r) => r.split(" ").pop()),
        [`@${name}`],
      );
      const s = spawnSync("socat", ["-t", "5", "STDIO", `ABSTRACT-CONNECT:${name}`], {
        input: "from socat",
        encoding: "utf8",
        timeout: 10_000,
      });
      assert.equal(s.stdout, "FROM SOCAT");
      const r = await runBin(["unix", "send", `@${name}`, "from netkit"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "FROM NETKIT");
    } finally {
      await srv.kill();
    }
    // The library: \0name and @name are the same socket, reported as @name.
    const lib = uniqueName();
    const server = await startTcpServer({ path: `\0${lib}`, handler: "upper" });
    try {
      assert.equal(server.address.path, `@${lib}`);
      const reply = await tcpRequest({ path: `@${lib}`, message: "lib", timeout: 5000 });
      assert.equal(reply.toString(), "LIB");
    } finally {
      await server.close();
    }
  });

  it("netkit nc -U @name reaches socat ABSTRACT-LISTEN; nothing there is ECONNREFUSED", async (t) => {
    if (needPeers(t)) return;
    const name = uniqueName();
    const s = startPeer("socat", ["-t", "5", `ABSTRACT-LISTEN:${name}`, "STDIO"]);
    try {
      feed(s, "from socat");
      await waitFor(() => procRows(name).length > 0, 10_000, "socat listener");
      const r = await runBin(["nc", "-U", `@${name}`], "from netkit");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "from socat");
      assert.equal(await s.exited, 0);
      assert.equal(s.stdout(), "from netkit");
    } finally {
      await s.kill();
    }
    const none = await runBin(["nc", "-U", `@${uniqueName()}`], "");
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^netkit: ERR_CONN_REFUSED: connect to @nk-abs-\S+: .*\n$/);
  });

  it("datagrams: unix serve @name --dgram answers a Python client bound to '\\0name2'", async (t) => {
    if (needPeers(t)) return;
    const name = uniqueName();
    const srv = startNetkit(["unix", "serve", `@${name}`, "--dgram", "--handler", "upper"]);
    try {
      await waitFor(() => procRows(name).length > 0, 10_000, "abstract datagram server");
      assert.deepEqual(
        procRows(name).map((r) => r.split(" ").pop()),
        [`@${name}`],
      );
      const r = py(
        `import socket\ns=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\ns.bind('\\0${name}-client')\ns.settimeout(5)\ns.sendto(b'dgram', '\\0${name}')\nprint(s.recv(100).decode())`,
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), "DGRAM");
    } finally {
      await srv.kill();
    }
  });
});
