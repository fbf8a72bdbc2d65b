/**
 * The shortcuts against a real server (HTTP, engine, SQLite, local-directory storage), the built CLI as a child
 * process, piped: a copy from a manifest in a bucket, watched to its end (exit 10: two keys are missing); a
 * listing with filters previewed with --dry-run --json (checked against the OpenAPI document, nothing created);
 * tags added to a filtered listing and created under --json; a delete from a local manifest, uploaded first; an
 * account that may not use a bucket refused with exit 2; and the flags a shortcut refuses before it sends
 * anything. Piped output carries no escape code.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { buildDist, distIsCurrent } from "../../scripts/build-dist.mjs";
import { dropFiles, encodeKey, makeBuckets, writeManifest } from "../e2e/helpers.js";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { assertPlain, type CliRun, runCli, serverEnv } from "../helpers/cli.js";
import { DocumentChecker, type Json, JsonApiClient } from "../helpers/json-api.js";

const PHOTOS = Array.from(
  { length: 12 },
  (_, i) => `photos/${String(i).padStart(2, "0")}${i % 3 === 0 ? ".png" : ".jpg"}`,
);
const LIMITED = { accountId: "200000000002", accessKeyId: "AKIDLIMITED", secretAccessKey: "limited-secret" };

describe("the shortcuts against a real server", () => {
  let app: TestApp;
  let checker: DocumentChecker;
  let api: JsonApiClient;
  let work: string;
  let env: Record<string, string>;

  const cli = (args: readonly string[], extra: Record<string, string> = {}) =>
    runCli(args, { cwd: work, env: { ...env, ...extra } });
  const clean = (run: CliRun) => assertPlain(run, "the shortcut");

  async function jobCount(): Promise<number> {
    return ((await api.get("/api/v1/jobs", { limit: "1000" })).json as { jobs: unknown[] }).jobs.length;
  }

  async function waitFor(jobId: string): Promise<Json> {
    const deadline = Date.now() + 120_000; // a fail-safe only
    for (;;) {
      const job = (await api.get(`/api/v1/jobs/${jobId}`)).json as { status: string };
      if (["Complete", "Failed", "Cancelled"].includes(job.status)) return job as Json;
      if (Date.now() > deadline) assert.fail(`job ${jobId} did not end`);
      await sleep(50);
    }
  }

  before(async () => {
    if (!distIsCurrent()) assert.equal(buildDist(), 0, "npm run build");
    app = await startTestApp({
      engine: { pollMs: 20, reportFlushIntervalMs: 50 },
      configFile: {
        accounts: [
          {
            id: LIMITED.accountId,
            keys: [{ accessKeyId: LIMITED.accessKeyId, secretAccessKey: LIMITED.secretAccessKey }],
            buckets: ["limited-*"],
          },
        ],
      },
    });
    checker = await DocumentChecker.load(app.url);
    api = new JsonApiClient(app.url, { ...ROOT }, checker);
    await makeBuckets(app, "src", "dst", "reports", "trash", "limited-own");
    await dropFiles(app, "src", Object.fromEntries(PHOTOS.map((k) => [k, `body of ${k}`])));
    await dropFiles(app, "trash", { "old 1.log": "1", "old 2.log": "2", "keep.log": "k" });
    await writeManifest(app, "src", "lists/manifest.csv", "src", [
      ...PHOTOS.slice(0, 4),
      "photos/gone-1.jpg",
      "photos/gone-2.jpg",
    ]);
    work = await mkdtemp(join(tmpdir(), "objbatch-shortcuts-"));
    env = serverEnv(app.url, work);
  });
  after(async () => {
    await app?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("copy from a manifest in a bucket: preview, create, watch to the end; 10 when tasks failed", async () => {
    const run = await cli([
      "copy",
      "--manifest",
      "s3://src/lists/manifest.csv",
      "--to",
      "s3://dst/copies/",
      "--report",
      "s3://reports/copy",
      "--priority",
      "20",
      "--description",
      "copy the photos",
      "--yes",
    ]);
    assert.equal(run.code, 10, run.stderr);
    clean(run);
    assert.match(run.stdout, /^The job would run 6 tasks/m);
    assert.match(run.stdout, /photos\/00\.png\s+yes\s+\S+ B\s+dst\/copies\/photos\/00\.png/);
    const jobId = /Created job ([0-9a-f-]+)/.exec(run.stdout)![1]!;
    assert.match(run.stdout, new RegExp(`Job ${jobId} Complete: 4 succeeded, 2 failed of 6 tasks`));
    assert.match(run.stdout, new RegExp(`^Report: s3://reports/copy/job-${jobId}/`, "m"));
    assert.match(run.stdout, new RegExp(`objbatch jobs rerun ${jobId}`));
    const job = (await api.get(`/api/v1/jobs/${jobId}`)).json as { priority: number; description: string };
    assert.equal(job.priority, 20);
    assert.equal(job.description, "copy the photos");
    for (const key of PHOTOS.slice(0, 4)) assert.ok(await app.storage.head("dst", `copies/${key}`));
  });

  it("a listing with filters, --dry-run --json: the API's preview, nothing created", async () => {
    const before = await jobCount();
    const run = await cli(
      ["copy", "--source", "s3://src/photos/", "--suffix", ".png", "--to", "s3://dst/png/"].concat([
        "--dry-run",
        "--json",
      ]),
    );
    assert.equal(run.code, 0, run.stderr);
    clean(run);
    const preview = JSON.parse(run.stdout) as { taskCount: number; sample: { key: string; targetKey?: string }[] };
    checker.check("POST", "/api/v1/jobs/preview", {
      status: 200,
      headers: { "content-type": "application/json" },
      text: run.stdout,
      json: preview as Json,
    });
    const png = PHOTOS.filter((k) => k.endsWith(".png"));
    assert.equal(preview.taskCount, png.length);
    assert.deepEqual(
      preview.sample.map((t) => [t.key, t.targetKey]),
      png.map((k) => [k, `png/${k.slice("photos/".length)}`]),
    );
    assert.equal(await jobCount(), before);
  });

  it("tag --add on a filtered listing, --json: the created job as the API answered it", async () => {
    const run = await cli([
      "tag",
      "reviewed=yes",
      "--add",
      "--source",
      "s3://src/photos/",
      "--contains",
      "1",
      "--yes",
      "--json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    clean(run);
    const created = JSON.parse(run.stdout) as { jobId: string; operation: { kind: string } };
    checker.check("POST", "/api/v1/jobs", {
      status: 201,
      headers: { "content-type": "application/json" },
      text: run.stdout,
      json: created as Json,
    });
    assert.equal(created.operation.kind, "AddObjectTagging");
    const job = (await waitFor(created.jobId)) as { status: string; progress: { succeeded: number } };
    assert.equal(job.status, "Complete");
    const tagged = PHOTOS.filter((k) => k.slice("photos/".length).includes("1"));
    assert.equal(job.progress.succeeded, tagged.length);
    assert.deepEqual(await app.storage.getTagging("src", tagged[0]!), [{ key: "reviewed", value: "yes" }]);
    assert.deepEqual(await app.storage.getTagging("src", "photos/00.png"), []);
  });

  it("delete from a local manifest: uploaded to the bucket, then the job runs over it", async () => {
    const file = join(work, "old logs.csv");
    await writeFile(file, `trash,${encodeKey("old 1.log")}\ntrash,${encodeKey("old 2.log")}\n`);
    const run = await cli(["delete", "--manifest", file, "--yes", "--detach"]);
    assert.equal(run.code, 0, run.stderr);
    clean(run);
    const uploaded = /Uploaded .* to s3:\/\/trash\/(objbatch-manifests\/[0-9a-f]{64}\.csv)/.exec(run.stderr);
    assert.ok(uploaded, run.stderr);
    assert.ok(await app.storage.head("trash", uploaded[1]!));
    const jobId = /Created job ([0-9a-f-]+)/.exec(run.stdout)![1]!;
    assert.match(run.stderr, new RegExp(`Follow it with: objbatch jobs watch ${jobId}`));
    const job = (await waitFor(jobId)) as { status: string; progress: { succeeded: number } };
    assert.equal(job.status, "Complete");
    assert.equal(job.progress.succeeded, 2);
    await assert.rejects(app.storage.head("trash", "old 1.log"));
    assert.ok(await app.storage.head("trash", "keep.log"));
  });

  it("an account may not use another's bucket: the upload is refused (2), the preview names it, the job fails (11)", async () => {
    const keys = { OBJBATCH_ACCESS_KEY: LIMITED.accessKeyId, OBJBATCH_SECRET_KEY: LIMITED.secretAccessKey };
    const file = join(work, "theirs.csv");
    await writeFile(file, "src,photos/00.png\n");
    const upload = await cli(["delete", "--manifest", file, "--yes"], keys);
    assert.equal(upload.code, 2, upload.stderr);
    clean(upload);
    assert.match(upload.stderr, /\bsrc\b/);
    const preview = await cli(["delete", "--source", "s3://src/photos/", "--dry-run"], keys);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /AccessDenied: The job may not use the source bucket src/);
    const create = await cli(["delete", "--source", "s3://src/photos/", "--yes"], keys);
    assert.equal(create.code, 11, create.stderr);
    clean(create);
    assert.match(create.stdout, /Failed: 0 succeeded, 0 failed/);
    assert.match(create.stdout, /AccessDenied: .*may not use bucket src/);
    for (const key of PHOTOS) assert.ok(await app.storage.head("src", key), `${key} is still there`);
  });

  it("refuses, before sending anything, what the flags get wrong, each with what to do", async () => {
    const cases: [string[], RegExp][] = [
      [["copy", "--to", "s3://dst/"], /say which objects: --manifest/],
      [["copy", "--source", "s3://src/", "--to", "dst/"], /--to takes s3:\/\/bucket\/prefix/],
      [
        ["copy", "--manifest", "s3://src/m.csv", "--suffix", ".png", "--to", "s3://dst/"],
        /--suffix filters a bucket listing/,
      ],
      [["copy", "--source", "s3://src/"], /required option '--to <s3url>'/],
      [["tag", "nokey", "--source", "s3://src/"], /a tag is KEY=VALUE/],
      [["restore", "--source", "s3://src/", "--tier", "Fast", "--yes"], /--tier is Bulk, Standard or Expedited/],
      [["delete", "--source", "s3://src/", "--larger-than", "big"], /--larger-than is a size/],
      [["delete", "--source", "s3://src/"], /no terminal to ask on: pass --yes/],
    ];
    for (const [args, pattern] of cases) {
      const run = await cli(args);
      assert.equal(run.code, 1, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, pattern, args.join(" "));
      clean(run);
    }
  });

  it("lists the shortcuts in objbatch --help, each with its own help and examples", async () => {
    const help = (await cli(["--help"])).stdout;
    for (const name of ["copy", "delete", "tag", "untag", "restore", "acl", "checksum", "invoke", "run"]) {
      assert.match(help, new RegExp(`^\\s+${name}\\b`, "m"), name);
    }
    const copy = await cli(["copy", "--help"]);
    assert.equal(copy.code, 0);
    assert.match(copy.stdout, /--to <s3url>/);
    assert.match(copy.stdout, /Examples:\n\s+objbatch copy --manifest/);
    const run = await cli(["run", "copy", "--help"]);
    assert.match(run.stdout, /--data-dir <dir>/);
    assert.match(run.stdout, /--store <url>/);
    assert.doesNotMatch(run.stdout, /--detach/);
    assert.match(run.stdout, /objbatch run copy/);
  });
});
