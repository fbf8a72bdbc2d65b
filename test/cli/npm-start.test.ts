/**
 * `npm start` as a new user runs it: it starts objbatch from dist/ without building when dist/ is current,
 * builds when a source changed, and SIGTERM sent to the `npm start` process stops the server (npm hands the
 * signal to objbatch, which shuts down gracefully), leaving nothing running.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { buildDist, distIsCurrent, ROOT } from "../../scripts/build-dist.mjs";
import { ROOT as ROOT_ACCOUNT } from "../helpers/app.js";
import { getOnNewConnection, waitFor } from "../helpers/held-sockets.js";
import { freePort } from "../helpers/process.js";

describe("when dist/ is current", () => {
  const dir = mkdtempSync(join(tmpdir(), "objbatch-dist-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A project tree: sources, tsconfig files, a built dist/ with its mark, at the given times (seconds). */
  function project(times: { source: number; mark?: number }) {
    const root = mkdtempSync(join(dir, "project-"));
    mkdirSync(join(root, "src", "cli"), { recursive: true });
    mkdirSync(join(root, "web", "src"), { recursive: true });
    mkdirSync(join(root, "dist", "cli"), { recursive: true });
    mkdirSync(join(root, "dist", "console"), { recursive: true });
    for (const f of [
      "src/cli/main.ts",
      "web/src/main.tsx",
      "tsconfig.json",
      "tsconfig.build.json",
      "dist/cli/main.js",
      "dist/console/index.html",
      "src/cli",
      "src",
      "web/src",
      "web",
    ]) {
      if (!(f.startsWith("src") || f.startsWith("web")) || f.includes(".")) writeFileSync(join(root, f), "");
      utimesSync(join(root, f), times.source, times.source);
    }
    if (times.mark !== undefined) {
      writeFileSync(join(root, "dist", ".build-complete"), "");
      utimesSync(join(root, "dist", ".build-complete"), times.mark, times.mark);
    }
    return root;
  }

  it("is current when built after the last change, stale otherwise", () => {
    assert.equal(distIsCurrent(project({ source: 1000, mark: 2000 })), true);
    assert.equal(distIsCurrent(project({ source: 3000, mark: 2000 })), false, "a source changed after the build");
    assert.equal(distIsCurrent(project({ source: 1000 })), false, "no finished build");
    const changedConfig = project({ source: 1000, mark: 2000 });
    utimesSync(join(changedConfig, "tsconfig.build.json"), 3000, 3000);
    assert.equal(distIsCurrent(changedConfig), false, "the build settings changed");
    const removedSource = project({ source: 1000, mark: 2000 });
    utimesSync(join(removedSource, "src", "cli"), 3000, 3000);
    assert.equal(distIsCurrent(removedSource), false, "a source file was added or removed");
    const changedConsole = project({ source: 1000, mark: 2000 });
    utimesSync(join(changedConsole, "web", "src", "main.tsx"), 3000, 3000);
    assert.equal(distIsCurrent(changedConsole), false, "a source of the web console changed");
    const unbuiltConsole = project({ source: 1000, mark: 2000 });
    rmSync(join(unbuiltConsole, "dist", "console"), { recursive: true });
    assert.equal(distIsCurrent(unbuiltConsole), false, "the console was never built");
  });
});

describe("npm start", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "objbatch-npm-start-"));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("starts without building when dist/ is current, and stops on SIGTERM to npm", { timeout: 120_000 }, async () => {
    if (!distIsCurrent()) assert.equal(buildDist(), 0, "npm run build");
    const built = () => statSync(join(ROOT, "dist", "cli", "main.js")).mtimeMs;
    const before = built();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const npm = spawn("npm", ["start"], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        OBJBATCH_DATA_DIR: dataDir,
        OBJBATCH_ACCOUNT_ID: ROOT_ACCOUNT.accountId,
        OBJBATCH_ACCESS_KEY: ROOT_ACCOUNT.accessKeyId,
        OBJBATCH_SECRET_KEY: ROOT_ACCOUNT.secretAccessKey,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    npm.stdout.on("data", (d) => {
      output += d;
    });
    npm.stderr.on("data", (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
    try {
      await waitFor(async () => {
        if (npm.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
        return (await getOnNewConnection(`${url}/healthz`)) === 200;
      }, "objbatch to answer /healthz");
      assert.doesNotMatch(output, /building dist/);
      assert.equal(built(), before, "dist/ was not built again");

      npm.kill("SIGTERM");
      assert.equal(await exited, 0, output);
      // Nothing answers any more: the server stopped with npm (a server left running would keep answering).
      await waitFor(
        async () => (await getOnNewConnection(`${url}/healthz`)) === "ECONNREFUSED",
        "the server to stop",
        10_000,
      );
    } finally {
      npm.kill("SIGKILL");
      killLeftOver(dataDir);
    }
  });
});

/** Kills what a failed run may have left running: the processes started with this test's data dir. */
function killLeftOver(dataDir: string) {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`OBJBATCH_DATA_DIR=${dataDir}`)) {
        process.kill(Number(pid), "SIGKILL");
      }
    } catch {
      // gone already, or not ours to read
    }
  }
}
