/**
 * The netcat matrix: netkit nc (and tcp connect/send, unix connect/send, impair tcp) against
 * OpenBSD nc, ncat and socat, each side as listener and as connector, over TCP, UDP, Unix paths
 * and abstract names, with stdin at EOF at once, data then EOF, and a slow trickle. Every
 * command runs as a user runs it: the real binary under sh with `< file > file`.
 *
 * For each row three runs: the peer on both sides (the reference), netkit as the listener, and
 * netkit as the connector. What netkit sends must arrive whole (SHA-256 of 3 MB payloads); what
 * the peer sends must arrive as a prefix of it, and whole wherever it did in the reference (some
 * peers stop sending at the other side's FIN: `nc -l` and `ncat -l` do); exit codes must equal
 * the reference's. Nothing here measures time: the guard timeout only ends a hang.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  cleanup,
  type Endpoint,
  type Kind,
  missingPeers,
  type Outcome,
  payload,
  pool,
  runScenario,
  type Stdin,
  sha256,
  textFile,
} from "../helpers/nc_scenario.js";
import { startNetkit } from "../helpers/peers.js";

const skip = missingPeers();
const MB3 = 3 * 1024 * 1024;

type In = "eof" | "closed" | "A" | "B" | "T" | "lines";

interface Row {
  name: string;
  /** Which test (it) runs the row. */
  group?: "clients" | "impair" | "exec";
  kind: Kind;
  /** The peer's listener and connector; netkit's equivalents. */
  peerL: string;
  peerC: string;
  nkL?: string;
  nkC?: string;
  lin: In;
  cin: In;
  /** Compare exit codes with the reference (false where the flags mean different things). */
  codes?: boolean;
  /** Which directions carry data that must arrive (default: every side whose stdin has data). */
  toL?: boolean;
  toC?: boolean;
  /** What must arrive when it is not the other side's stdin (an -e/-c program's output). */
  wantL?: In;
  wantC?: In;
  /** Variants to run (default all). */
  only?: ("nkL" | "nkC")[];
  via?: (ep: Endpoint) => Promise<{ ep: Endpoint; stop: () => Promise<void> }>;
}

const files: Record<string, { file: string; data: Buffer }> = {};
function stdinOf(i: In): Stdin {
  if (i === "eof" || i === "closed") return i;
  if (i === "T") return { trickle: files.T!.file };
  return { file: files[i]!.file };
}
function dataOf(i: In): Buffer {
  if (i === "eof" || i === "closed") return Buffer.alloc(0);
  return i === "T" ? files.T!.data.subarray(0, 8 * 4096) : files[i]!.data;
}

/** `netkit impair tcp` in front of the listener, with these flags. */
function viaImpair(flags: string[]) {
  return async (ep: Endpoint) => {
    const relay = startNetkit(["impair", "tcp", "127.0.0.1:0", `127.0.0.1:${ep.port}`, "--json", ...flags]);
    const deadline = Date.now() + 15_000;
    let port = 0;
    while (port === 0) {
      const m = /"port":(\d+)/.exec(relay.stdout());
      if (m) port = Number(m[1]);
      else if (relay.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`impair tcp did not start: ${relay.stderr()}`);
      else await new Promise((r) => setTimeout(r, 10));
    }
    return { ep: { ...ep, port }, stop: async () => void (await relay.kill()) };
  };
}

const H = "{H} {P}";
const rows: Row[] = [];
// TCP: OpenBSD nc (both sides with -N: without it neither side would ever send a FIN).
for (const [lin, cin] of [
  ["eof", "A"],
  ["B", "eof"],
  ["B", "A"],
  ["eof", "T"],
  ["T", "eof"],
] as [In, In][]) {
  rows.push({
    name: `tcp nc -N ${lin}/${cin}`,
    kind: "tcp",
    peerL: `nc -N -l ${H}`,
    peerC: `nc -N ${H}`,
    lin,
    cin,
  });
  rows.push({
    name: `tcp ncat ${lin}/${cin}`,
    kind: "tcp",
    peerL: `ncat -l ${H}`,
    peerC: `ncat ${H}`,
    lin,
    cin,
  });
  rows.push({
    name: `tcp socat ${lin}/${cin}`,
    kind: "tcp",
    peerL: "socat -t 30 TCP-LISTEN:{P},bind={H},reuseaddr STDIO",
    peerC: "socat -t 30 STDIO TCP:{H}:{P}",
    nkL: `{NETKIT} nc -l ${H}`,
    nkC: `{NETKIT} nc ${H}`,
    lin,
    cin,
  });
}
rows.push(
  // OpenBSD nc -l without -N never sends a FIN: the connector's FIN ends the session.
  {
    name: "tcp nc -l (no -N) eof/A",
    kind: "tcp",
    peerL: `nc -l ${H}`,
    peerC: `nc -N ${H}`,
    lin: "eof",
    cin: "A",
  },
  {
    name: "tcp nc -q 1 eof/A",
    kind: "tcp",
    peerL: `nc -l ${H}`,
    peerC: `nc -q 1 ${H}`,
    lin: "eof",
    cin: "A",
  },
  {
    name: "tcp nc -q 0 eof/A",
    kind: "tcp",
    peerL: `nc -N -l ${H}`,
    peerC: `nc -q 0 ${H}`,
    lin: "eof",
    cin: "A",
  },
  { name: "tcp nc -d B/eof", kind: "tcp", peerL: `nc -N -l ${H}`, peerC: `nc -d ${H}`, lin: "B", cin: "eof" },
  {
    // (not with data from the listener: --send-only closes with it unread, and the RST that
    // follows loses data for ncat -l as well)
    name: "tcp ncat --send-only eof/A",
    kind: "tcp",
    peerL: `ncat -l ${H}`,
    peerC: `ncat --send-only ${H}`,
    lin: "eof",
    cin: "A",
  },
  {
    name: "tcp ncat --recv-only B/eof",
    kind: "tcp",
    peerL: `ncat -l ${H}`,
    peerC: `ncat --recv-only ${H}`,
    lin: "B",
    cin: "eof",
  },
  {
    name: "tcp ncat --no-shutdown eof/A",
    kind: "tcp",
    peerL: `ncat -l ${H}`,
    peerC: `ncat --no-shutdown ${H}`,
    lin: "eof",
    cin: "A",
  },
  // A listener whose stdin is closed (not even /dev/null), as from some service managers.
  {
    name: "tcp ncat closed/A",
    kind: "tcp",
    peerL: `ncat -l ${H}`,
    peerC: `ncat ${H}`,
    lin: "closed",
    cin: "A",
    only: ["nkL"],
  },
);
// Unix stream sockets: a path, and a Linux abstract name (@name: no file, exact bytes).
for (const [lin, cin] of [
  ["eof", "A"],
  ["B", "eof"],
  ["B", "A"],
] as [In, In][]) {
  rows.push(
    {
      name: `unix nc ${lin}/${cin}`,
      kind: "unix",
      peerL: "nc -N -U -l {PATH}",
      peerC: "nc -N -U {PATH}",
      lin,
      cin,
    },
    {
      name: `unix ncat ${lin}/${cin}`,
      kind: "unix",
      peerL: "ncat -U -l {PATH}",
      peerC: "ncat -U {PATH}",
      lin,
      cin,
    },
    {
      name: `unix socat ${lin}/${cin}`,
      kind: "unix",
      peerL: "socat -t 30 UNIX-LISTEN:{PATH} STDIO",
      peerC: "socat -t 30 STDIO UNIX-CONNECT:{PATH}",
      nkL: "{NETKIT} nc -U -l {PATH}",
      nkC: "{NETKIT} nc -U {PATH}",
      lin,
      cin,
    },
    {
      name: `abstract nc ${lin}/${cin}`,
      kind: "abstract",
      peerL: "nc -N -U -l @{NAME}",
      peerC: "nc -N -U @{NAME}",
      lin,
      cin,
    },
    {
      name: `abstract socat ${lin}/${cin}`,
      kind: "abstract",
      peerL: "socat -t 30 ABSTRACT-LISTEN:{NAME} STDIO",
      peerC: "socat -t 30 STDIO ABSTRACT-CONNECT:{NAME}",
      nkL: "{NETKIT} nc -U -l @{NAME}",
      nkC: "{NETKIT} nc -U @{NAME}",
      lin,
      cin,
    },
  );
}
// UDP: no EOF on the wire; -w/-q end each side. One stdin read is one datagram.
rows.push(
  {
    name: "udp nc eof/lines",
    kind: "udp",
    peerL: `nc -u -l -w 1 ${H}`,
    peerC: `nc -u -q 1 ${H}`,
    lin: "eof",
    cin: "lines",
  },
  {
    // nc -u -q sleeps after stdin EOF without reading: the connector's stdin stays open a while.
    name: "udp nc lines/T",
    kind: "udp",
    peerL: `nc -u -l -w 2 ${H}`,
    peerC: `nc -u -q 1 ${H}`,
    lin: "lines",
    cin: "T",
  },
  {
    name: "udp ncat eof/lines",
    kind: "udp",
    peerL: `ncat -u -l -i 1 ${H}`,
    peerC: `ncat -u ${H}`,
    nkL: `{NETKIT} nc -u -l -w 1 ${H}`,
    nkC: `{NETKIT} nc -u ${H}`,
    lin: "eof",
    cin: "lines",
    codes: false, // ncat's -i (idle timeout) ends with exit 2; netkit's -w idle end is 0 like nc -u
  },
  {
    name: "udp socat eof/lines",
    kind: "udp",
    peerL: "socat -T 1 UDP-LISTEN:{P},bind={H} STDIO",
    peerC: "socat -T 1 STDIO UDP:{H}:{P}",
    nkL: `{NETKIT} nc -u -l -w 1 ${H}`,
    nkC: `{NETKIT} nc -u ${H}`,
    lin: "eof",
    cin: "lines",
  },
);
// netkit's other clients, with a peer as the server.
rows.push(
  {
    name: "tcp connect vs ncat eof/A",
    group: "clients",
    kind: "tcp",
    peerL: `ncat -l ${H}`,
    peerC: `ncat ${H}`,
    nkC: `{NETKIT} tcp connect ${H}`,
    lin: "eof",
    cin: "A",
    only: ["nkC"],
  },
  {
    name: "tcp connect vs socat B/eof",
    group: "clients",
    kind: "tcp",
    peerL: "socat -t 30 TCP-LISTEN:{P},bind={H},reuseaddr STDIO",
    peerC: "socat -t 30 STDIO TCP:{H}:{P}",
    nkC: `{NETKIT} tcp connect ${H}`,
    lin: "B",
    cin: "eof",
    only: ["nkC"],
  },
  {
    name: "tcp send vs ncat eof/A",
    group: "clients",
    kind: "tcp",
    peerL: `ncat -l ${H}`,
    peerC: `ncat ${H}`,
    nkC: `{NETKIT} tcp send ${H}`,
    lin: "eof",
    cin: "A",
    only: ["nkC"],
  },
  {
    name: "tcp send vs socat B/A",
    group: "clients",
    kind: "tcp",
    peerL: "socat -t 30 TCP-LISTEN:{P},bind={H},reuseaddr STDIO",
    peerC: "socat -t 30 STDIO TCP:{H}:{P}",
    nkC: `{NETKIT} tcp send ${H}`,
    lin: "B",
    cin: "A",
    only: ["nkC"],
  },
  {
    name: "unix connect vs socat B/A",
    group: "clients",
    kind: "unix",
    peerL: "socat -t 30 UNIX-LISTEN:{PATH} STDIO",
    peerC: "socat -t 30 STDIO UNIX-CONNECT:{PATH}",
    nkC: "{NETKIT} unix connect {PATH}",
    lin: "B",
    cin: "A",
    only: ["nkC"],
  },
  {
    name: "unix connect @abstract vs socat B/A",
    group: "clients",
    kind: "abstract",
    peerL: "socat -t 30 ABSTRACT-LISTEN:{NAME} STDIO",
    peerC: "socat -t 30 STDIO ABSTRACT-CONNECT:{NAME}",
    nkC: "{NETKIT} unix connect @{NAME}",
    lin: "B",
    cin: "A",
    only: ["nkC"],
  },
  {
    name: "unix send @abstract vs socat B/A",
    group: "clients",
    kind: "abstract",
    peerL: "socat -t 30 ABSTRACT-LISTEN:{NAME} STDIO",
    peerC: "socat -t 30 STDIO ABSTRACT-CONNECT:{NAME}",
    nkC: "{NETKIT} unix send @{NAME}",
    lin: "B",
    cin: "A",
    only: ["nkC"],
  },
);
// Through `netkit impair tcp`: both directions independent, nothing in flight lost.
const SOCAT_L = "socat -t 30 TCP-LISTEN:{P},bind={H},reuseaddr STDIO";
rows.push(
  {
    name: "impair --latency 20: client half-closes first, the reply comes back",
    group: "impair",
    kind: "tcp",
    peerL: SOCAT_L,
    peerC: "socat -t 30 STDIO TCP:{H}:{P}",
    nkC: `{NETKIT} nc ${H}`,
    lin: "B",
    cin: "eof",
    only: ["nkC"],
    via: viaImpair(["--latency", "20"]),
  },
  {
    name: "impair --latency 20: nc -N both ways",
    group: "impair",
    kind: "tcp",
    peerL: SOCAT_L,
    peerC: `nc -N ${H}`,
    nkC: `{NETKIT} nc ${H}`,
    lin: "B",
    cin: "A",
    only: ["nkC"],
    via: viaImpair(["--latency", "20"]),
  },
  {
    name: "impair --latency 5 --bandwidth 400M: ncat both ways",
    group: "impair",
    kind: "tcp",
    peerL: SOCAT_L,
    peerC: `ncat ${H}`,
    nkC: `{NETKIT} tcp connect ${H}`,
    lin: "B",
    cin: "A",
    only: ["nkC"],
    via: viaImpair(["--latency", "5", "--bandwidth", "400M"]),
  },
);

// -e / -c: the program is the data source and sink; half-close both ways through it.
rows.push(
  {
    // the client half-closes after A; the program answers B only after its stdin's EOF
    name: "exec: nc -l -c answers after EOF",
    group: "exec",
    kind: "tcp",
    peerL: `ncat -l ${H} -c 'cat > /dev/null; cat {B}'`,
    peerC: `ncat ${H}`,
    lin: "eof",
    cin: "A",
    toL: false,
    wantC: "B",
  },
  {
    // the listener half-closes at once (stdin at EOF); the program's output still goes out whole
    name: "exec: nc -c sends a file to a listener that half-closed",
    group: "exec",
    kind: "tcp",
    peerL: `ncat -l ${H}`,
    peerC: `ncat ${H} -c 'cat {A}'`,
    lin: "eof",
    cin: "eof",
    wantL: "A",
  },
  {
    name: "exec: nc -e cat echoes a listener's 3 MB back",
    group: "exec",
    kind: "tcp",
    peerL: SOCAT_L,
    peerC: `ncat ${H} -e cat`,
    lin: "B",
    cin: "eof",
    wantL: "B",
    toC: false,
    only: ["nkC"],
    codes: false, // with ncat -e the socat listener exits 1 (ncat closes with data unread: RST)
  },
  {
    name: "exec: unix nc -lU -e cat echoes",
    group: "exec",
    kind: "unix",
    peerL: "ncat -U -l {PATH} -e cat",
    peerC: "ncat -U {PATH}",
    lin: "eof",
    cin: "A",
    toL: false,
    wantC: "A",
    only: ["nkL"],
    codes: false, // with ncat -lU -e the ncat client exits 1; netkit's listener ends it cleanly
  },
);

interface Run {
  row: Row;
  variant: "ref" | "nkL" | "nkC";
  out: Outcome;
}

/** {A} and {B} in a command: the payload files (for -e/-c programs). */
function withFiles(cmd: string): string {
  return cmd.replaceAll("{A}", files.A!.file).replaceAll("{B}", files.B!.file);
}

function netkitOf(peerCmd: string): string {
  // nc and ncat rows: netkit takes the same flags.
  return `{NETKIT} nc ${peerCmd.replace(/^(nc|ncat) /, "")}`;
}

async function runRow(row: Row, variant: Run["variant"]): Promise<Run> {
  const L = variant === "nkL" ? (row.nkL ?? netkitOf(row.peerL)) : row.peerL;
  const C = variant === "nkC" ? (row.nkC ?? netkitOf(row.peerC)) : row.peerC;
  // The peers never get a closed stdin (a socket could become their fd 0); netkit does.
  const lin = row.lin === "closed" && variant !== "nkL" ? "eof" : row.lin;
  const out = await runScenario({
    kind: row.kind,
    listener: { cmd: withFiles(L), stdin: stdinOf(lin) },
    connector: { cmd: withFiles(C), stdin: stdinOf(row.cin) },
    ...(row.via && variant !== "ref" ? { via: row.via } : {}),
  });
  return { row, variant, out };
}

function describeRun(r: Run): string {
  const o = r.out;
  return (
    `${r.row.name} [${r.variant}]: listener exit ${o.listener.code} got ${o.listener.size}, ` +
    `connector exit ${o.connector.code} got ${o.connector.size}${o.hung ? " (HUNG, killed)" : ""}` +
    `\n  listener stderr: ${o.listener.stderr.trim().slice(0, 300)}\n  connector stderr: ${o.connector.stderr.trim().slice(0, 300)}`
  );
}

/**
 * OpenBSD `nc -l` and `ncat -l` stop sending when the connector's FIN arrives (netkit does not):
 * what they send to a connector that half-closes early is cut at a point that depends on timing.
 */
function stopsAtFin(r: Run): boolean {
  return r.variant === "nkC" && /^(nc|ncat) /.test(r.row.peerL);
}

/** Check the netkit runs of one row against its reference. Returns failures (text). */
function check(ref: Run, runs: Run[]): string[] {
  const bad: string[] = [];
  const row = ref.row;
  const sent = { toL: dataOf(row.wantL ?? row.cin), toC: dataOf(row.wantC ?? row.lin) };
  const isPrefix = (got: Buffer, of: Buffer) =>
    got.length <= of.length && of.subarray(0, got.length).equals(got);
  if (ref.out.hung) bad.push(`reference hung: ${describeRun(ref)}`);
  for (const r of runs) {
    const o = r.out;
    if (o.hung) {
      bad.push(`hung: ${describeRun(r)}`);
      continue;
    }
    for (const dir of ["toL", "toC"] as const) {
      const got = dir === "toL" ? o.listener : o.connector;
      const refGot = dir === "toL" ? ref.out.listener : ref.out.connector;
      const want = sent[dir];
      const expected = row[dir] ?? want.length > 0;
      const netkitSends = (dir === "toL" && r.variant === "nkC") || (dir === "toC" && r.variant === "nkL");
      if (!expected) {
        if (row[dir] === false && got.size !== 0)
          bad.push(`${dir}: expected nothing, got ${got.size}: ${describeRun(r)}`);
        continue;
      }
      if (!isPrefix(got.data, want))
        bad.push(`${dir}: received bytes are not the payload: ${describeRun(r)}`);
      else if (row.kind === "udp") {
        if (got.sha !== sha256(want))
          bad.push(`${dir}: ${got.size} of ${want.length} bytes: ${describeRun(r)}`);
      } else if ((netkitSends || (refGot.sha === sha256(want) && !stopsAtFin(r))) && got.sha !== sha256(want))
        bad.push(`${dir}: ${got.size} of ${want.length} bytes arrived: ${describeRun(r)}`);
    }
    if (row.codes !== false) {
      if (o.listener.code !== ref.out.listener.code || o.connector.code !== ref.out.connector.code)
        bad.push(
          `exit codes ${o.listener.code}/${o.connector.code} differ from the reference's ` +
            `${ref.out.listener.code}/${ref.out.connector.code}: ${describeRun(r)}\n  reference: ${describeRun(ref)}`,
        );
    }
  }
  return bad;
}

describe("netcat matrix: netkit against OpenBSD nc, ncat and socat", { skip, timeout: 240_000 }, () => {
  before(() => {
    files.A = payload("A.bin", MB3, 1);
    files.B = payload("B.bin", MB3 + 12_345, 2);
    files.T = payload("T.bin", 8 * 4096, 3);
    files.lines = textFile("lines.txt", Array.from({ length: 200 }, (_, i) => `line ${i + 1}\n`).join(""));
  });
  after(() => cleanup());

  const groups: [string, (r: Row) => boolean][] = [
    ["TCP", (r) => r.kind === "tcp" && r.group === undefined],
    ["Unix path and abstract", (r) => (r.kind === "unix" || r.kind === "abstract") && r.group === undefined],
    ["UDP", (r) => r.kind === "udp"],
    ["tcp connect / tcp send / unix connect / unix send", (r) => r.group === "clients"],
    ["through impair tcp", (r) => r.group === "impair"],
    ["-e / -c programs", (r) => r.group === "exec"],
  ];
  for (const [title, pick] of groups) {
    it(title, async () => {
      const chosen = rows.filter(pick);
      assert.ok(chosen.length > 0);
      const jobs = chosen.flatMap((row) =>
        (["ref", ...(row.only ?? ["nkL", "nkC"])] as Run["variant"][]).map((v) => () => runRow(row, v)),
      );
      const runs = await pool(jobs, 6);
      const bad: string[] = [];
      for (const row of chosen) {
        const mine = runs.filter((r) => r.row === row);
        bad.push(
          ...check(
            mine.find((r) => r.variant === "ref")!,
            mine.filter((r) => r.variant !== "ref"),
          ),
        );
      }
      assert.deepEqual(bad, [], bad.join("\n\n"));
    });
  }
});
