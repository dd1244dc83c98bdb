import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { ERROR_CODES } from "../../src/errors.js";

it("docs/errors.md documents every error code, and nothing else", () => {
  const text = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");
  const documented = new Set([...text.matchAll(/^\| `(ERR_[A-Z_]+)` +\|/gm)].map((m) => m[1]));
  assert.deepEqual([...documented].sort(), Object.keys(ERROR_CODES).sort());
});
