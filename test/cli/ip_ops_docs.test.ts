/** Every `$ netkit …` example in docs/ip_ops.md runs and prints what the page shows. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { BIN } from "../helpers/cli.js";

const DOC = fileURLToPath(new URL("../../../docs/ip_ops.md", import.meta.url));

interface Example {
  command: string;
  output: string;
  exit: number;
}

function examples(): Example[] {
  const text = readFileSync(DOC, "utf8");
  const out: Example[] = [];
  for (const m of text.matchAll(/```console\n\$ (.*)\n([\s\S]*?)# exit (\d+)\n```/g)) {
    out.push({ command: m[1]!, output: m[2]!, exit: Number(m[3]) });
  }
  return out;
}

describe("docs/ip_ops.md examples", () => {
  const list = examples();
  it("has examples", () => assert.ok(list.length >= 15, `found ${list.length}`));
  for (const ex of list) {
    it(ex.command, { timeout: 10_000 }, () => {
      const script = `netkit() { "${process.execPath}" "${BIN}" "$@"; }\n${ex.command} 2>&1; echo "# exit $?"`;
      const got = execFileSync("bash", ["-c", script], { encoding: "utf8", timeout: 10_000 });
      assert.equal(got, `${ex.output}# exit ${ex.exit}\n`);
    });
  }
});
