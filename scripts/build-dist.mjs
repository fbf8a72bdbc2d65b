/**
 * Builds dist/ from src/ with tsc (tsconfig.build.json) and the web console from web/ with Vite (into
 * dist/console, D41), and knows when dist/ is current, so `npm start` only builds when something changed. A
 * successful build leaves dist/.build-complete behind; dist/ is current while that mark exists and nothing it
 * was built from (the files and folders under src/ and web/, so an added or removed file counts too, the
 * tsconfig files, package-lock.json) is newer than it. A build with type errors removes the
 * mark, so the next start builds (and reports them) again.
 *
 *   node scripts/build-dist.mjs     build now (npm run build, and npm ci through the prepare script)
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
const INPUTS = ["tsconfig.json", "tsconfig.build.json", "package-lock.json"];
const SOURCE_DIRS = ["src", "web"];
const markOf = (root) => join(root, "dist", ".build-complete");

function newestInput(root) {
  let newest = 0;
  const files = [
    ...INPUTS.map((f) => join(root, f)).filter((f) => existsSync(f)),
    ...SOURCE_DIRS.filter((dir) => existsSync(join(root, dir))).flatMap((dir) => [
      join(root, dir),
      ...readdirSync(join(root, dir), { recursive: true }).map((f) => join(root, dir, String(f))),
    ]),
  ];
  for (const file of files) newest = Math.max(newest, statSync(file).mtimeMs);
  return newest;
}

/** True when dist/ was built, without errors, from the sources as they are now. */
export function distIsCurrent(root = ROOT) {
  const mark = markOf(root);
  if (!existsSync(mark) || !existsSync(join(root, "dist", "cli", "main.js"))) return false;
  if (!existsSync(join(root, "dist", "console", "index.html"))) return false;
  return newestInput(root) <= statSync(mark).mtimeMs;
}

/** Runs tsc, then Vite for the console; returns the first failing exit status (0: built without errors). */
export function buildDist(root = ROOT) {
  const mark = markOf(root);
  rmSync(mark, { force: true });
  // The mark carries the time the build started: a source saved while tsc runs makes the next start build again.
  const started = new Date();
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  let status = result.status ?? 1;
  if (status === 0) {
    const vite = join(root, "node_modules", "vite", "bin", "vite.js");
    const web = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn", "--config", "web/vite.config.ts"], {
      cwd: root,
      stdio: "inherit",
    });
    status = web.status ?? 1;
  }
  if (status === 0) {
    writeFileSync(mark, "");
    utimesSync(mark, started, started);
  }
  return status;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(buildDist());
