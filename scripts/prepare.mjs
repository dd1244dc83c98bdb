// `npm prepare`: build dist/src, the code the `netkit` command runs.
// npm runs this on `npm ci`/`npm install` in a clone, before `npm pack`, and when netkit is
// installed from a git URL. In that last case with `-g`, npm prepares the clone without its
// devDependencies (npm/cli#8440), so TypeScript is installed here first, from the lock file.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";

const run = (cmd, args, env = process.env) => {
  // Output goes to stderr: `npm pack --json` owns stdout.
  const r = spawnSync(cmd, args, { stdio: ["ignore", 2, 2], env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (!existsSync("node_modules/typescript/package.json") || !existsSync("node_modules/@types/node")) {
  const env = { ...process.env };
  for (const k of Object.keys(env))
    if (/^npm_config_(global|location|prefix|omit|include|production)$/i.test(k)) delete env[k];
  run(
    "npm",
    [
      "install",
      "--no-save",
      "--ignore-scripts",
      "--include=dev",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
    ],
    env,
  );
}
rmSync("dist/src", { recursive: true, force: true });
run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"]);
