/**
 * netkit installed as users install it: from the `npm pack` tarball, with `npm install -g .` in a
 * clone, and from a git URL. Each must leave a working `netkit` on the PATH of the install prefix,
 * and the tarball must hold only what the command needs.
 *
 * Every install goes to a temporary prefix; packages come from npm's cache (`--prefer-offline`),
 * which `npm ci` has just filled. The source is copied to a temporary folder first, so the build of
 * the running suite (dist/) is never touched.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type CliResult, runProgram } from "../helpers/cli.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const NPM_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];

// A clean npm environment: nothing of the `npm test` that started us leaks into the install.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
const run = (cmd: string, args: string[], cwd: string) =>
  runProgram(cmd, args, { cwd, env: cleanEnv, timeoutMs: 240_000 });

async function ok(cmd: string, args: string[], cwd: string): Promise<CliResult> {
  const r = await run(cmd, args, cwd);
  assert.equal(r.code, 0, `${cmd} ${args.join(" ")} exited ${r.code}\n${r.stderr.slice(-2000)}`);
  return r;
}

/** A copy of the project's sources as a fresh clone has them (no dist/, no node_modules/). */
function copySources(to: string): void {
  for (const f of [
    "package.json",
    "package-lock.json",
    "README.md",
    "tsconfig.json",
    "tsconfig.build.json",
    "src",
    "scripts",
  ]) {
    cpSync(join(ROOT, f), join(to, f), { recursive: true });
  }
}

/** The installed command works: its version, and the demo tour on loopback. */
async function checkCommand(prefix: string): Promise<void> {
  const bin = join(prefix, "bin", "netkit");
  assert.ok(existsSync(bin), `no ${bin}`);
  const v = await ok(bin, ["--version"], prefix);
  assert.match(v.stdout, /^netkit \d+\.\d+\.\d+\n$/);
  const demo = await ok(bin, ["demo"], prefix);
  assert.match(demo.stdout, /── Step 1: the notes' UDP server and client/);
  assert.match(demo.stdout, /── Step 6: the five address classes/);
}

describe("netkit installed as users install it", { timeout: 300_000 }, () => {
  let work = "";
  before(() => {
    work = mkdtempSync(join(tmpdir(), "netkit-install-"));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test("npm pack: the tarball holds the built command and nothing of the sources or tests; installed, it runs", async () => {
    const src = join(work, "pack-src");
    copySources(src);
    // `npm pack` runs `prepare` (installs what the build needs, compiles src/ into dist/src).
    const packed = await ok("npm", ["pack", "--json", ...NPM_FLAGS], src);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as {
      filename: string;
      files: { path: string }[];
    }[];
    const paths = info!.files.map((f) => f.path).sort();
    assert.ok(paths.includes("dist/src/cli/bin.js"), "bin.js is packed");
    assert.ok(
      paths.includes("dist/src/index.js") && paths.includes("dist/src/index.d.ts"),
      "library entry packed",
    );
    const stray = paths.filter(
      (p) => !p.startsWith("dist/src/") && !["package.json", "README.md"].includes(p),
    );
    assert.deepEqual(stray, [], "only dist/src, package.json and README.md");
    const prefix = join(work, "prefix-pack");
    await ok("npm", ["install", "-g", "--prefix", prefix, ...NPM_FLAGS, join(src, info!.filename)], work);
    await checkCommand(prefix);
  });

  test("npm install -g . in a fresh clone gives a working netkit", async () => {
    const src = join(work, "clone");
    copySources(src);
    const prefix = join(work, "prefix-dot");
    await ok("npm", ["install", "-g", "--prefix", prefix, ...NPM_FLAGS, "."], src);
    // npm links the clone; its prepare step has built dist/src there.
    assert.equal(readlinkSync(join(prefix, "lib", "node_modules", "netkit")).endsWith("clone"), true);
    await checkCommand(prefix);
  });

  test("from a git URL (with --install-links, the workaround for npm/cli#3692)", async () => {
    const src = join(work, "repo");
    copySources(src);
    await ok("git", ["init", "-q"], src);
    await ok("git", ["add", "-A"], src);
    await ok("git", ["-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "snapshot"], src);
    const prefix = join(work, "prefix-git");
    await ok(
      "npm",
      ["install", "-g", "--install-links", "--prefix", prefix, ...NPM_FLAGS, `git+file://${src}`],
      work,
    );
    await checkCommand(prefix);
  });
});
