/**
 * `npm run cos`, the README's signed-request client, run as a user runs it in a second shell: it finds
 * objbatch through PORT (or OBJBATCH_ENDPOINT) and signs with the exported keys or with the root key objbatch
 * keeps in its data dir; without credentials, or without a server, it says what to do and exits non-zero,
 * never with a stack trace.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { freePort } from "../helpers/process.js";

const REPO = new URL("../../", import.meta.url).pathname;

/** `npm run -s cos -- args` in a shell whose environment has only `env` of objbatch's variables. */
function npmRunCos(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("OBJBATCH_") && k !== "PORT"),
  );
  const child = spawn("npm", ["run", "-s", "cos", "--", ...args], {
    cwd: REPO,
    env: { ...clean, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once("exit", (code) => resolve({ code, stdout, stderr })),
  );
}

const EXPORTED = {
  OBJBATCH_ACCOUNT_ID: ROOT.accountId,
  OBJBATCH_ACCESS_KEY: ROOT.accessKeyId,
  OBJBATCH_SECRET_KEY: ROOT.secretAccessKey,
};

describe("npm run cos", () => {
  let app: TestApp;
  let port: string;
  let emptyDir: string;
  before(async () => {
    app = await startTestApp({ runEngine: false });
    port = new URL(app.url).port;
    emptyDir = await mkdtemp(join(tmpdir(), "objbatch-cos-request-"));
  });
  after(async () => {
    await app.dispose();
    await rm(emptyDir, { recursive: true, force: true });
  });

  it("finds objbatch through PORT and signs with the exported keys", async () => {
    const r = await npmRunCos(["GET", "/jobs?maxResults=10"], { ...EXPORTED, PORT: port, OBJBATCH_DATA_DIR: emptyDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /<ListJobsResult>/);
  });

  it("signs with the root key kept in the data dir when none is exported", async () => {
    await writeFile(
      join(app.dataDir, "root-credentials.json"),
      JSON.stringify({
        accountId: ROOT.accountId,
        accessKeyId: ROOT.accessKeyId,
        secretAccessKey: ROOT.secretAccessKey,
      }),
    );
    const r = await npmRunCos(["GET", "/jobs"], { OBJBATCH_ENDPOINT: app.url, OBJBATCH_DATA_DIR: app.dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /<ListJobsResult>/);
  });

  it("says to export the keys when it has none", async () => {
    const r = await npmRunCos(["GET", "/jobs"], { PORT: port, OBJBATCH_DATA_DIR: emptyDir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^cos-request: no credentials to sign with/);
    assert.match(r.stderr, /export OBJBATCH_ACCOUNT_ID=\.\.\. OBJBATCH_ACCESS_KEY=\.\.\. OBJBATCH_SECRET_KEY=\.\.\./);
    assert.ok(r.stderr.includes(join(emptyDir, "root-credentials.json")), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });

  it("says which key is missing when only one is exported", async () => {
    const r = await npmRunCos(["GET", "/jobs"], { PORT: port, OBJBATCH_ACCESS_KEY: ROOT.accessKeyId });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /OBJBATCH_SECRET_KEY is not set/);
  });

  it("says where it looked when objbatch is not running", async () => {
    const nothing = await freePort();
    const r = await npmRunCos(["GET", "/jobs"], { ...EXPORTED, PORT: String(nothing) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`cannot reach objbatch at http://127\\.0\\.0\\.1:${nothing} \\(ECONNREFUSED\\)`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });

  it("names the key it signed with when objbatch refuses it", async () => {
    const r = await npmRunCos(["GET", "/jobs"], { ...EXPORTED, OBJBATCH_SECRET_KEY: "not-the-secret", PORT: port });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /<Error>/);
    assert.match(
      r.stderr,
      /HTTP 403 \(signed as account 1250000000 with the key from OBJBATCH_ACCESS_KEY\/OBJBATCH_SECRET_KEY\)/,
    );
  });
});
