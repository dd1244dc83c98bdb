/**
 * Usage errors (issue 12, item 6): exit 2 and one line `netkit: ERR_USAGE: …` naming the flag as
 * it was typed (`-c`, not `--c`), negative numbers included (no parseArgs "argument is ambiguous").
 * Rows come from test/tools/flag_sweep.ts and the issue. Every row fails before any I/O.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";

const ROWS: [string, string][] = [
  // negative numbers: the flag's own check, the flag as typed
  ["ping -c -1 127.0.0.1", "-c must be between 1 and 2147483647, got -1"],
  ["ping --count -5 127.0.0.1", "--count must be between 1 and 2147483647, got -5"],
  ["ping -W -1 127.0.0.1", '-W takes a number of seconds, got "-1"'],
  ["nc -w -1 127.0.0.1 9", '-w takes seconds (e.g. 5 or 0.5), got "-1"'],
  ["nc --wait -1 127.0.0.1 9", '--wait takes seconds (e.g. 5 or 0.5), got "-1"'],
  ["nc -l -p -1", '-p must be a number 0–65535, got "-1"'],
  ["nc -l --source-port -1", '--source-port must be a number 0–65535, got "-1"'],
  ["bench client 127.0.0.1 -t -1", '-t takes seconds, got "-1"'],
  ["bench client 127.0.0.1 -n -1", '-n takes a number with an optional K/M/G/T suffix, got "-1"'],
  ["bench server -p -1", "-p must be between 0 and 65535, got -1"],
  ["udp send 127.0.0.1 9 x --timeout -1", '--timeout takes seconds (e.g. 5 or 0.5), got "-1"'],
  ["tcp serve -p -1", '-p must be a number 0–65535, got "-1"'],
  ["trace -m -1 127.0.0.1", "-m must be between 1 and 255, got -1"],
  ["trace --max-hops -1 127.0.0.1", "--max-hops must be between 1 and 255, got -1"],
  ["trace -w -1 127.0.0.1", '-w takes seconds (0 < SEC ≤ 3600), got "-1"'],
  ["impair udp 0 7 --drop -1", '--drop takes a probability like 5% or 0.05, got "-1"'],
  ["impair udp 0 7 -t -1", '-t takes seconds, got "-1"'],
  ["ip split 10.0.0.0/24 --count -1", "--count must be between 1 and 1048576, got -1"],
  ["sockets --port -1", "--port must be between 0 and 65535, got -1"],
  ["port pick --from -1", "--from must be between 1 and 65535, got -1"],
  ["route get 127.0.0.1 --mark -1", "--mark must be between 0 and 4294967295, got -1"],
  ["unix send /tmp/x --dgram --retries -1", "--retries must be between 0 and 100, got -1"],
  // short flags are named with one dash, long ones as typed
  ["ping -c abc 127.0.0.1", '-c takes a whole number, got "abc"'],
  ["ping -c 1e99 127.0.0.1", '-c takes a whole number, got "1e99"'],
  ["ping -i 0x10 127.0.0.1", '-i takes a number of seconds, got "0x10"'],
  ["nc -q abc 127.0.0.1 9", '-q takes seconds (e.g. 5 or 0.5), got "abc"'],
  ["bench client 127.0.0.1 --time abc", '--time takes seconds, got "abc"'],
  [
    "bench client 127.0.0.1 --bitrate abc",
    '--bitrate takes a number with an optional K/M/G/T suffix, got "abc"',
  ],
  ["bench client 127.0.0.1 -b abc", '-b takes a number with an optional K/M/G/T suffix, got "abc"'],
  ["bench client 127.0.0.1 -P 0", "-P must be between 1 and 128, got 0"],
  ["bench client 127.0.0.1 --parallel 0", "--parallel must be between 1 and 128, got 0"],
  ["bench client 127.0.0.1 -p 65536", "-p must be between 1 and 65535, got 65536"],
  ["bench latency 127.0.0.1 7 -c 0", "-c must be between 1 and 100000000, got 0"],
  ["tcp serve --port 65536", '--port must be a number 0–65535, got "65536"'],
  ["trace --wait 0 127.0.0.1", '--wait takes seconds (0 < SEC ≤ 3600), got "0"'],
  ["trace -p 65536 127.0.0.1", "-p must be between 1 and 65535, got 65536"],
  ["impair tcp 0 7 --latency abc", '--latency takes milliseconds, got "abc"'],
  ["port pick --from 0x10", '--from takes a whole number, got "0x10"'],
  // (a bad port or a missing PORT after the rule under test: no row can start serving)
  ["tcp serve -p 99999 --allow", "--allow needs a value"],
  ["tcp serve -p 99999 --allow=", '--allow needs a CIDR or address, got ""'],
  ["nc -l --deny=", '--deny needs a CIDR or address, got ""'],
  // positional ports and endpoints
  ["nc 127.0.0.1 65536", 'PORT must be a number 0–65535, got "65536"'],
  ["udp send 127.0.0.1 65536 x", 'PORT must be a number 0–65535, got "65536"'],
  ["bench latency 127.0.0.1 65536", 'PORT must be a number 0–65535, got "65536"'],
  ["impair udp 0 65536", 'TARGET must be HOST:PORT or PORT, got "65536"'],
  ["impair udp ::1:80 7", 'LISTEN: write an IPv6 address in brackets, [::1]:80, got "::1:80"'],
  // parseArgs' own errors, reworded
  ["nc -w", "-w needs a value"],
  ["ping --count", "--count needs a value"],
  [
    "nc -e -v 127.0.0.1 9",
    '-e needs a value, got the option "-v" (to pass a value starting with "-", write -e-v)',
  ],
  [
    "bench client --plot --json 127.0.0.1",
    '--plot needs a value, got the option "--json" (to pass a value starting with "-", write --plot=--json)',
  ],
  ["nc -Z 127.0.0.1 9", "unknown option -Z (see --help)"],
  ["nc --bogus 127.0.0.1 9", "unknown option --bogus (see --help)"],
  ["ping --json=1 127.0.0.1", "--json takes no value"],
];

describe("usage errors: one ERR_USAGE line naming the flag as typed, exit 2", () => {
  for (const [line, message] of ROWS)
    it(line, async () => {
      const r = await runCli(line.split(" "));
      assert.equal(r.stderr, `netkit: ERR_USAGE: ${message}\n`);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
    });

  it("a value glued to its flag works as before (-c-1, --count=-1, -w1)", async () => {
    for (const line of ["ping -c-1 127.0.0.1", "ping --count=-1 127.0.0.1"]) {
      const r = await runCli(line.split(" "));
      assert.match(
        r.stderr,
        /^netkit: ERR_USAGE: (-c|--count) must be between 1 and 2147483647, got -1\n$/,
        line,
      );
    }
  });

  it("unknown command and missing command", async () => {
    const r = await runCli(["nosuch"]);
    assert.equal(r.stderr, 'netkit: ERR_USAGE: unknown command "nosuch" (see netkit --help)\n');
    assert.equal(r.code, 2);
  });
});
