/**
 * `objbatch run`, the built CLI as a child process with no server started by anyone: a copy of 10,000 objects of
 * a local tree, from a local manifest file (uploaded into a bucket, D38), exits 0 with every object copied and a
 * completion report that lists each key exactly once as succeeded; a delete with missing keys exits 10 and its
 * report names them as failed; with --store, Ctrl-C stops it cleanly (130, the job kept) and the same command
 * again goes on with the same job to the end, each task counted and reported once (D39). Piped output carries no
 * escape code. Nothing here waits on time: the interrupted job is paced by its request-rate cap so that it is still
 * running when interrupted on any machine, and the test waits for the lines the CLI prints.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import { buildDist, distIsCurrent } from "../../scripts/build-dist.mjs";
import { encodeKey } from "../e2e/helpers.js";
import { assertPlain, type CliRun, runCli, startCli } from "../helpers/cli.js";

/** The report's rows (Bucket, Key, VersionId, TaskStatus, HTTPStatusCode, ErrorCode, ResultMessage), keys decoded. */
async function reportRows(dataDir: string, bucket: string, prefix: string): Promise<string[][]> {
  const root = join(dataDir, "buckets", bucket, prefix);
  const [jobDir] = (await readdir(root)).filter((d) => d.startsWith("job-"));
  assert.ok(jobDir, `no report under ${root}`);
  const manifest = JSON.parse(await readFile(join(root, jobDir, "manifest.json"), "utf8")) as {
    Results: { Key: string; TaskStatus: string }[];
  };
  const rows: string[][] = [];
  for (const result of manifest.Results) {
    const text = await readFile(join(dataDir, "buckets", bucket, result.Key), "utf8");
    for (const row of parse(text) as string[][]) rows.push([row[0]!, decodeURIComponent(row[1]!), ...row.slice(2)]);
  }
  return rows;
}

describe("objbatch run: a job without a server", () => {
  let work: string;
  let dataDir: string;
  const cli = (args: readonly string[]) => runCli(args, { cwd: work });
  const clean = (run: CliRun) => assertPlain(run, "objbatch run");

  before(async () => {
    if (!distIsCurrent()) assert.equal(buildDist(), 0, "npm run build");
    work = await mkdtemp(join(tmpdir(), "objbatch-run-"));
    dataDir = join(work, "data");
    await mkdir(join(dataDir, "buckets", "backup"), { recursive: true });
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("copies a local tree of 10,000 objects from a local manifest, exits 0 and reports every key once", async () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `photos/${i % 100}/p ${i}${i % 7 === 0 ? "ü" : ""}.jpg`);
    for (const key of keys) {
      const path = join(dataDir, "buckets", "photos-src", key);
      await mkdir(join(path, ".."), { recursive: true });
      await writeFile(path, `body of ${key}`);
    }
    await writeFile(join(work, "keys.csv"), `${keys.map((k) => `photos-src,${encodeKey(k)}`).join("\n")}\n`);

    const run = await cli([
      "run",
      "copy",
      "--data-dir",
      "./data",
      "--manifest",
      "keys.csv",
      "--to",
      "s3://backup/copies/",
      "--report",
      "s3://backup/reports",
      "--yes",
    ]);
    assert.equal(run.code, 0, run.stderr);
    clean(run);
    assert.match(run.stdout, /^The job would run 10,000 tasks/m);
    assert.match(run.stdout, /Complete: 10,000 succeeded, 0 failed of 10,000 tasks/);
    assert.match(run.stdout, /^Report: s3:\/\/backup\/reports\/job-[0-9a-f-]+\/ \(/m);
    assert.match(run.stderr, /Uploaded keys\.csv to s3:\/\/backup\/objbatch-manifests\/[0-9a-f]{64}\.csv/);

    for (const key of [keys[0]!, keys[7]!, keys[9_999]!]) {
      assert.equal(await readFile(join(dataDir, "buckets", "backup", "copies", key), "utf8"), `body of ${key}`);
    }
    const rows = await reportRows(dataDir, "backup", "reports");
    assert.equal(rows.length, 10_000);
    assert.deepEqual(new Set(rows.map((r) => r[3])), new Set(["succeeded"]));
    assert.deepEqual(rows.map((r) => r[1]).sort(), [...keys].sort());
    // The temporary job store is gone; nothing but the data dir was written in the working directory.
    assert.deepEqual((await readdir(work)).sort(), ["data", "keys.csv"]);
  });

  it("exits 10 when some tasks failed, and its report names them", async () => {
    const present = ["a.txt", "b.txt"];
    for (const key of present) {
      await mkdir(join(dataDir, "buckets", "trash"), { recursive: true });
      await writeFile(join(dataDir, "buckets", "trash", key), key);
    }
    await writeFile(join(work, "trash.csv"), "trash,a.txt\ntrash,missing.txt\ntrash,b.txt\n");
    // A missing key: DeleteObject on S3 succeeds for it; the failing one here is a copy of a missing source.
    const run = await cli([
      "run",
      "copy",
      "-d",
      "data",
      "--manifest",
      "trash.csv",
      "--to",
      "s3://backup/trash/",
      "--report",
      "s3://backup/trash-report/",
      "--report-failed-only",
      "--yes",
    ]);
    assert.equal(run.code, 10, run.stderr);
    clean(run);
    assert.match(run.stdout, /Complete: 2 succeeded, 1 failed of 3 tasks/);
    assert.match(run.stdout, /NoSuchKey/);
    const rows = await reportRows(dataDir, "backup", "trash-report");
    assert.deepEqual(
      rows.map((r) => [r[1], r[3], r[5]]),
      [["missing.txt", "failed", "NoSuchKey"]],
    );
  });

  it("refuses before starting anything: no objects named, no terminal to ask on, a manifest that is not there", async () => {
    const none = await cli(["run", "delete", "-d", "data"]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /say which objects: --manifest/);
    const ask = await cli(["run", "delete", "-d", "data", "--source", "s3://backup/"]);
    assert.equal(ask.code, 1);
    assert.match(ask.stderr, /no terminal to ask on: pass --yes/);
    const missing = await cli(["run", "delete", "-d", "data", "--manifest", "nope.csv", "--yes"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--manifest nope\.csv: no such file/);
    for (const r of [none, ask, missing]) assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    // Nothing was deleted by any of them.
    assert.ok(existsSync(join(dataDir, "buckets", "backup", "copies", "photos", "0", "p 0ü.jpg")));
  });

  it("with --store, Ctrl-C stops it (130, kept) and the same command goes on with the same job to the end", async () => {
    const keys = Array.from({ length: 600 }, (_, i) => `slow/${String(i).padStart(4, "0")}.txt`);
    for (const key of keys) {
      const path = join(dataDir, "buckets", "slow-src", key);
      await mkdir(join(path, ".."), { recursive: true });
      await writeFile(path, key);
    }
    // 20 requests a second: 600 copies take at least 30 s, so the job is running when it is interrupted.
    await writeFile(join(work, "paced.json"), JSON.stringify({ engine: { maxRequestsPerSecondPerJob: 20 } }));
    await writeFile(join(work, "free.json"), JSON.stringify({ engine: { chunkSize: 100 } }));
    const args = (config: string) => [
      "run",
      "copy",
      "-d",
      "data",
      "--config",
      config,
      "--store",
      "sqlite:./kept.db",
      "--source",
      "s3://slow-src/slow/",
      "--to",
      "s3://backup/slow-copies/",
      "--report",
      "s3://backup/slow-report",
      "--yes",
    ];

    const paced = startCli(args("paced.json"), { cwd: work });
    await paced.printed(/^Active, \d+%, [1-9][\d,]*\/600 tasks/m);
    paced.child.kill("SIGINT");
    const stopped = await paced.output;
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(
      stopped.stderr,
      /Stopped; job ([0-9a-f-]+) is kept in sqlite:\.\/kept\.db: run the same command again/,
    );
    const jobId = /Stopped; job ([0-9a-f-]+)/.exec(stopped.stderr)![1]!;
    assert.match(stopped.stdout, new RegExp(`Created job ${jobId}`));

    const again = await cli(args("free.json"));
    assert.equal(again.code, 0, again.stderr);
    clean(again);
    assert.match(again.stdout, new RegExp(`Job ${jobId} was created earlier with this clientRequestToken`));
    assert.match(again.stdout, new RegExp(`Job ${jobId} Complete: 600 succeeded, 0 failed of 600 tasks`));
    const rows = await reportRows(dataDir, "backup", "slow-report");
    assert.equal(rows.length, 600, "each task reported once");
    assert.deepEqual(rows.map((r) => r[1]).sort(), keys);
    assert.ok(existsSync(join(work, "kept.db")), "the kept store stays");
  });
});
