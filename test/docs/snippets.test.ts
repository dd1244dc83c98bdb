/**
 * The library examples in README.md and docs/*.md run: every ```ts block is executed against the
 * built library, and every line `EXPR; // VALUE` asserts that EXPR equals VALUE.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import * as netkit from "../../src/index.js";

const root = new URL("../../../", import.meta.url);
const files = ["README.md", ...readdirSync(new URL("docs/", root)).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith(".md"),
);

interface Block {
  file: string;
  line: number;
  code: string;
}

function blocks(file: string): Block[] {
  const text = readFileSync(new URL(file, root), "utf8");
  const out: Block[] = [];
  const re = /```ts\n([\s\S]*?)```/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ file, line: text.slice(0, m.index).split("\n").length + 1, code: m[1]! });
  }
  return out;
}

const CHECK = /^(?!\s*(?:const|let|var|if|try|catch|\}|import|console|return)\b)(.+?);\s*\/\/\s*(.+)$/;

/** Turn a block into checks: `EXPR; // VALUE`, or `EXPR;` followed by a line `// VALUE`. */
function compile(b: Block): string {
  const src = b.code.replace(/^\s*import\s[\s\S]*?from\s+"[^"]+";?/gm, (m) => m.replace(/[^\n]/g, ""));
  const lines = src.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const m = CHECK.exec(l);
    if (m) {
      out.push(`__check(() => (${m[1]}), ${JSON.stringify(m[2]!.trim())}, ${b.line + i});`);
      continue;
    }
    const next = lines[i + 1];
    const value = next === undefined ? null : /^\s*\/\/\s*(.+)$/.exec(next);
    const stmt = /^(?!\s*(?:const|let|var|if|try|catch|\}|console|return)\b)(\S.*?);\s*$/.exec(l);
    if (value && stmt) {
      out.push(`__check(() => (${stmt[1]}), ${JSON.stringify(value[1]!.trim())}, ${b.line + i});`);
      out.push("");
      i++;
      continue;
    }
    out.push(l);
  }
  return out.join("\n");
}

describe("documentation examples run", () => {
  const all = files.flatMap(blocks);
  it("finds examples to run", () => {
    assert.ok(all.length >= 4, `only ${all.length} ts blocks found`);
  });
  for (const b of all) {
    it(`${b.file}:${b.line}`, async () => {
      let checks = 0;
      const __check = (fn: () => unknown, expected: string, line: number) => {
        checks++;
        const want = new Function(`return (${expected});`)();
        assert.deepEqual(fn(), want, `${b.file}:${line}: expected ${expected}`);
      };
      const names = Object.keys(netkit);
      const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as FunctionConstructor;
      const run = new AsyncFunction("__check", ...names, compile(b));
      await run(__check, ...names.map((n) => (netkit as Record<string, unknown>)[n]));
      assert.ok(checks > 0 || !b.code.includes("; //"), "no checked line in a block with results");
    });
  }
});
