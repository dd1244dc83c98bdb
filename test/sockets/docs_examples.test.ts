import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DOC = `${ROOT}docs/api-sockets.md`;

/** The ```js blocks of a markdown file. */
function blocks(md: string): string[] {
  return [...md.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

function runNode(file: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [file], { cwd: ROOT });
    let out = "";
    let err = "";
    c.stdout.on("data", (d: Buffer) => {
      out += d;
    });
    c.stderr.on("data", (d: Buffer) => {
      err += d;
    });
    const t = setTimeout(() => c.kill("SIGKILL"), 10_000);
    c.on("close", (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, out, err });
    });
  });
}

describe("docs/api-sockets.md examples run", () => {
  const examples = blocks(readFileSync(DOC, "utf8"));
  it("has examples", () => assert.ok(examples.length >= 5));
  examples.forEach((code, i) => {
    it(`example ${i + 1}`, async () => {
      // Inside the package, so `import … from "netkit"` resolves to this build (self-reference).
      const dir = `${ROOT}dist/doc-examples`;
      mkdirSync(dir, { recursive: true });
      const file = `${dir}/api-sockets-${i + 1}.mjs`;
      writeFileSync(file, code);
      const r = await runNode(file);
      assert.equal(r.code, 0, r.err);
    });
  });
});
