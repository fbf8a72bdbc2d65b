/**
 * The objbatch command line as a user runs it: the built CLI (bin/objbatch.js -> dist/cli/main.js) as a child
 * process, piped, against a real objbatch (HTTP server, engine, SQLite store, local-directory storage) started
 * here. Every `jobs` subcommand of this slice and `login` are run; each --json output is checked against the
 * server's own OpenAPI document (the answer of the route the command called), text output and exit codes are
 * checked, piped output carries no escape code, a refused key, an unreachable endpoint, an unknown job and a job
 * that cannot be paused each say what happened with their exit code, a saved profile has mode 0600, and a report
 * download refuses a results file name that would leave its directory.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { buildDist, distIsCurrent } from "../../scripts/build-dist.mjs";
import { dropFiles, makeBuckets, writeManifest } from "../e2e/helpers.js";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { serverEnv } from "../helpers/cli.js";
import { DocumentChecker, type Json, JsonApiClient } from "../helpers/json-api.js";
import { freePort } from "../helpers/process.js";

const BIN = fileURLToPath(new URL("../../bin/objbatch.js", import.meta.url));
const ESCAPE = "\u001b";
const KEYS = Array.from({ length: 30 }, (_, i) => `photos/${String(i).padStart(3, "0")}.jpg`);
const MISSING = ["photos/missing-1.jpg", "photos/missing-2.jpg"];
/** A job paced by the request-rate cap, so it is still running when paused on any machine. */
const SLOW_KEYS = Array.from({ length: 600 }, (_, i) => `slow/${String(i).padStart(4, "0")}.txt`);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe("the objbatch command line against a real server", () => {
  let app: TestApp;
  let checker: DocumentChecker;
  let api: JsonApiClient;
  let work: string;
  /** The environment of every run: the server and the root account's keys, a configuration dir of its own. */
  let env: Record<string, string>;

  /** Runs the CLI piped (no terminal), with `env` and `extra` over a clean environment. */
  function cli(args: readonly string[], extra: Record<string, string | undefined> = {}): Promise<Run> {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("OBJBATCH_") && k !== "NO_COLOR"),
    );
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { env: { ...base, ...env, ...extra } as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** Asserts exit 0 and piped output free of escape codes; returns the output. */
  async function ok(args: readonly string[], extra: Record<string, string | undefined> = {}): Promise<Run> {
    const run = await cli(args, extra);
    assert.equal(run.code, 0, `objbatch ${args.join(" ")}: ${run.stderr}`);
    assert.ok(!run.stdout.includes(ESCAPE), `escape codes in piped output of ${args.join(" ")}: ${run.stdout}`);
    assert.ok(!run.stderr.includes(ESCAPE), `escape codes in piped stderr of ${args.join(" ")}`);
    return run;
  }

  /** The --json output of a command, checked as the answer of `method path` with `status`. */
  function checkedJson(run: Run, method: string, path: string, status = 200): Json {
    const json = JSON.parse(run.stdout);
    checker.check(method, path, {
      status,
      headers: { "content-type": "application/json" },
      text: run.stdout,
      json,
    });
    return json;
  }

  async function waitFor(jobId: string, done: (job: Json) => boolean): Promise<Json> {
    // A fail-safe deadline only: nothing asserts on time.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const job = (await api.get(`/api/v1/jobs/${jobId}`)).json;
      if (done(job)) return job;
      if (Date.now() > deadline) assert.fail(`job ${jobId} never got there: ${JSON.stringify(job)}`);
      await sleep(50);
    }
  }

  before(async () => {
    if (!distIsCurrent()) assert.equal(buildDist(), 0, "npm run build");
    app = await startTestApp({
      // 20 requests a second: the 600-task job runs for at least 30 s, whatever the machine's load.
      engine: { chunkSize: 50, chunkSlots: 1, maxRequestsPerSecondPerJob: 20, pollMs: 20, reportFlushIntervalMs: 50 },
    });
    checker = await DocumentChecker.load(app.url);
    api = new JsonApiClient(app.url, { ...ROOT }, checker);
    await makeBuckets(app, "src", "dst", "reports");
    await dropFiles(app, "src", Object.fromEntries([...KEYS, ...SLOW_KEYS].map((k) => [k, `body of ${k}`])));
    await writeManifest(app, "src", "manifest.csv", "src", [...KEYS, ...MISSING]);
    await writeManifest(app, "src", "slow.csv", "src", SLOW_KEYS);
    work = await mkdtemp(join(tmpdir(), "objbatch-cli-"));
    env = serverEnv(app.url, work);
  });
  after(async () => {
    await app?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("prints its version, and help that lists every command with examples and the exit codes", async () => {
    const version = await ok(["--version"]);
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8"));
    assert.equal(version.stdout.trim(), pkg.version);

    const help = (await ok(["--help"])).stdout;
    for (const command of ["serve", "worker", "login", "jobs"]) assert.match(help, new RegExp(`\\b${command}\\b`));
    for (const sub of [
      "list",
      "show",
      "create",
      "confirm",
      "pause",
      "resume",
      "cancel",
      "priority",
      "tags",
      "failures",
      "report",
      "delete",
    ]) {
      assert.match(help, new RegExp(`objbatch jobs ${sub}\\b`), `${sub} in objbatch --help`);
    }
    assert.match(help, /Examples:/);
    assert.match(help, /Exit codes:\n\s+0\s+success/);
    assert.match(help, /3\s+the server could not be reached/);

    const sub = (await ok(["jobs", "report", "--help"])).stdout;
    assert.match(sub, /--download <dir>/);
    assert.match(sub, /--json/);
    assert.match(sub, /Examples:\n\s+objbatch jobs report/);
  });

  describe("a job's life through the CLI", () => {
    let jobId: string;
    let slowId: string;
    let jobFile: string;

    before(async () => {
      jobFile = join(work, "copy-job.yaml");
      await writeFile(
        jobFile,
        [
          "# the JSON API's job, as YAML",
          "operation: { kind: PutObjectCopy, targetResource: 'arn:aws:s3:::dst', targetKeyPrefix: copied }",
          "manifest:",
          "  format: S3BatchOperations_CSV_20180820",
          "  fields: [Bucket, Key]",
          "  location: { bucket: 'arn:aws:s3:::src', key: manifest.csv }",
          "report: { enabled: true, bucket: 'arn:aws:s3:::reports', prefix: out, scope: AllTasks }",
          "confirmationRequired: true",
          "description: copy the photos",
          "",
        ].join("\n"),
      );
    });

    it("previews a job from a YAML file without creating it (--dry-run)", async () => {
      const preview = checkedJson(
        await ok(["jobs", "create", "--file", jobFile, "--dry-run", "--json"]),
        "POST",
        "/api/v1/jobs/preview",
      );
      assert.equal(preview.taskCount, KEYS.length + MISSING.length);
      assert.equal(preview.complete, true);

      const text = await ok(["jobs", "create", "--file", jobFile, "--dry-run"]);
      assert.match(text.stdout, new RegExp(`would run ${KEYS.length + MISSING.length} tasks`));
      assert.match(text.stdout, /photos\/000\.jpg/);
      assert.equal((await api.get("/api/v1/jobs")).json.jobs.length, 0, "a dry run creates nothing");
    });

    it("refuses to create without --yes when there is no terminal to ask on", async () => {
      const run = await cli(["jobs", "create", "--file", jobFile]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /^objbatch: .*pass --yes/);
      assert.equal((await api.get("/api/v1/jobs")).json.jobs.length, 0);
    });

    it("says what is wrong with a job file, with exit 1, and with the server's detail for an invalid job", async () => {
      const broken = join(work, "broken.json");
      await writeFile(broken, "{ not json");
      const unreadable = await cli(["jobs", "create", "--file", broken, "--yes"]);
      assert.equal(unreadable.code, 1);
      assert.match(unreadable.stderr, /is not valid JSON/);

      const invalid = join(work, "invalid.json");
      await writeFile(invalid, JSON.stringify({ operation: { kind: "Teleport" }, report: { enabled: false } }));
      const refused = await cli(["jobs", "create", "--file", invalid, "--yes"]);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /^objbatch: /);
      assert.match(refused.stderr, /\/operation/, "the field problems are listed");
      assert.ok(!/\n\s+at /.test(refused.stderr), `no stack trace: ${refused.stderr}`);
    });

    it("creates it (--yes), then changes its priority and tags while it waits for confirmation", async () => {
      const created = checkedJson(
        await ok(["jobs", "create", "--file", jobFile, "--yes", "--json"]),
        "POST",
        "/api/v1/jobs",
        201,
      );
      jobId = created.jobId;
      assert.equal(created.description, "copy the photos");
      await waitFor(jobId, (j) => j.status === "Suspended");

      const priority = checkedJson(
        await ok(["jobs", "priority", jobId, "42", "--json"]),
        "PATCH",
        `/api/v1/jobs/${jobId}`,
      );
      assert.equal(priority.priority, 42);
      const notNumber = await cli(["jobs", "priority", jobId, "high"]);
      assert.equal(notNumber.code, 1);
      assert.match(notNumber.stderr, /^objbatch: the priority is a whole number from 0 to 2147483647, not "high"\n$/);

      const tagged = checkedJson(
        await ok(["jobs", "tags", jobId, "team=media", "note=a=b", "--json"]),
        "PUT",
        `/api/v1/jobs/${jobId}/tags`,
      );
      assert.deepEqual(tagged.tags, [
        { key: "team", value: "media" },
        { key: "note", value: "a=b" },
      ]);
      const shown = await ok(["jobs", "tags", jobId]);
      assert.match(shown.stdout, /^KEY\s+VALUE\nteam\s+media\nnote\s+a=b\n$/);
      const listed = checkedJson(await ok(["jobs", "list", "--tag", "team=media", "--json"]), "GET", "/api/v1/jobs");
      assert.deepEqual(
        listed.jobs.map((j: Json) => j.jobId),
        [jobId],
      );
    });

    it("cannot pause a job that waits for confirmation: the server's reason, exit 2", async () => {
      const run = await cli(["jobs", "pause", jobId]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /^objbatch: .*Suspended/);
      assert.match(run.stderr, /objbatch jobs show ID/);
      const json = await cli(["jobs", "pause", jobId, "--json"]);
      assert.equal(json.code, 2);
      checker.check("POST", `/api/v1/jobs/${jobId}/pause`, {
        status: 409,
        headers: { "content-type": "application/problem+json" },
        text: json.stdout,
        json: JSON.parse(json.stdout),
      });
    });

    it("confirms it; once it has run, shows it, its failures by cause and its report", async () => {
      const confirmed = checkedJson(
        await ok(["jobs", "confirm", jobId, "--json"]),
        "POST",
        `/api/v1/jobs/${jobId}/confirm`,
      );
      assert.notEqual(confirmed.status, "Suspended");
      const finished = await waitFor(jobId, (j) => ["Complete", "Failed", "Cancelled"].includes(j.status));
      assert.equal(finished.status, "Complete", JSON.stringify(finished));

      const shownJson = checkedJson(await ok(["jobs", "show", jobId, "--json"]), "GET", `/api/v1/jobs/${jobId}`);
      assert.equal(shownJson.progress.failed, MISSING.length);
      const shown = (await ok(["jobs", "show", jobId])).stdout;
      assert.match(shown, new RegExp(`^Job:\\s+${jobId}$`, "m"));
      assert.match(shown, /^Status:\s+Complete/m);
      assert.match(shown, /^Description:\s+copy the photos$/m);
      assert.match(shown, /^Operation:\s+PutObjectCopy /m);
      assert.match(shown, /^Priority:\s+42$/m);
      assert.match(shown, /^Tags:\s+team=media, note=a=b$/m);
      assert.match(
        shown,
        new RegExp(`^Progress:\\s+${KEYS.length + MISSING.length}/${KEYS.length + MISSING.length} tasks`, "m"),
      );
      assert.match(
        shown,
        /Failed tasks by cause \(2\):\nCOUNT\s+HTTP\s+ERROR\s+E\.G\.\n2\s+404\s+NoSuchKey\s+src\/photos\/missing-/,
      );

      const failures = checkedJson(
        await ok(["jobs", "failures", jobId, "--json"]),
        "GET",
        `/api/v1/jobs/${jobId}/failures`,
      );
      assert.equal(failures.total, MISSING.length);
      assert.equal(failures.causes[0].errorCode, "NoSuchKey");
      assert.match((await ok(["jobs", "failures", jobId])).stdout, /^2 failed tasks:\n/);

      const report = checkedJson(await ok(["jobs", "report", jobId, "--json"]), "GET", `/api/v1/jobs/${jobId}/report`);
      assert.equal(report.state, "complete");
      assert.ok(report.files.length >= 2);
      assert.match((await ok(["jobs", "report", jobId])).stdout, /^State:\s+complete/m);
    });

    it("downloads every results file of the report into a directory, each exactly as in the report bucket", async () => {
      const dir = join(work, "report");
      const run = await ok(["jobs", "report", jobId, "--download", dir]);
      const report = (await api.get(`/api/v1/jobs/${jobId}/report`)).json;
      const names = (await readdir(dir)).sort();
      const expected = [...report.files.map((f: Json) => f.key.split("/").pop()), "manifest.json"].sort();
      assert.deepEqual(names, expected);
      for (const file of report.files) {
        const local = await readFile(join(dir, file.key.split("/").pop()));
        const inBucket = await readFile(join(app.dataDir, "buckets", "reports", file.key));
        assert.ok(local.equals(inBucket), file.key);
        assert.equal(createHash("md5").update(local).digest("hex"), file.md5);
        assert.ok(run.stdout.includes(join(dir, file.key.split("/").pop())), run.stdout);
      }
      const { key: _key, ...manifest } = report.manifest;
      assert.deepEqual(JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")), manifest);
      // Downloading again replaces the files in place and leaves no partial file behind.
      await ok(["jobs", "report", jobId, "--download", dir]);
      assert.deepEqual((await readdir(dir)).sort(), expected);
    });

    it("pauses, resumes and cancels a running job, then deletes it; the deleted job is unknown", async () => {
      const slowFile = join(work, "slow-job.json");
      await writeFile(
        slowFile,
        JSON.stringify({
          operation: { kind: "PutObjectTagging", tagSet: [{ key: "seen", value: "yes" }] },
          manifest: {
            format: "S3BatchOperations_CSV_20180820",
            fields: ["Bucket", "Key"],
            location: { bucket: "arn:aws:s3:::src", key: "slow.csv" },
          },
          report: { enabled: false },
        }),
      );
      // --detach: create would otherwise watch the job until it ends (jobs-watch-cli.test.ts).
      const created = await ok(["jobs", "create", "--file", slowFile, "--yes", "--detach"]);
      slowId = /Created job (\S+) /.exec(created.stdout)?.[1] ?? "";
      assert.ok(slowId !== "", created.stdout);
      assert.match(created.stderr, new RegExp(`Follow it with: objbatch jobs watch ${slowId}`));
      await waitFor(slowId, (j) => j.status === "Active");

      const paused = checkedJson(await ok(["jobs", "pause", slowId, "--json"]), "POST", `/api/v1/jobs/${slowId}/pause`);
      assert.equal(paused.pausedByUser, true);
      assert.ok(["Pausing", "Paused"].includes(paused.status), paused.status);
      await waitFor(slowId, (j) => j.status === "Paused");

      const resumed = await ok(["jobs", "resume", slowId, "--reason", "window open"]);
      assert.match(resumed.stdout, new RegExp(`^Job ${slowId} resumed: it is \\w+\\.\\n$`));
      const cancelled = await ok(["jobs", "cancel", slowId]);
      assert.match(cancelled.stdout, new RegExp(`^Job ${slowId} cancelled: it is (Cancelling|Cancelled)\\.\\n$`));
      await waitFor(slowId, (j) => j.status === "Cancelled");
      const noReport = await cli(["jobs", "report", slowId, "--download", join(work, "none")]);
      assert.equal(noReport.code, 1);
      assert.match(noReport.stderr, /writes no completion report/);

      const deleted = await ok(["jobs", "delete", slowId]);
      assert.equal(deleted.stdout, `Deleted job ${slowId}.\n`);
      const unknown = await cli(["jobs", "show", slowId]);
      assert.equal(unknown.code, 2, unknown.stderr);
      assert.match(unknown.stderr, /^objbatch: The specified job does not exist/);
      assert.match(unknown.stderr, /objbatch jobs list shows the jobs/);
    });

    it("lists the jobs with filters, page by page or every page at once", async () => {
      // One more job, so there are two pages of one.
      await ok(["jobs", "create", "--file", jobFile, "--yes"]);
      const page = checkedJson(await ok(["jobs", "list", "--limit", "1", "--json"]), "GET", "/api/v1/jobs");
      assert.equal(page.jobs.length, 1);
      assert.notEqual(page.nextCursor, null);
      const every = checkedJson(await ok(["jobs", "list", "--limit", "1", "--all", "--json"]), "GET", "/api/v1/jobs");
      assert.equal(every.jobs.length, 2);
      assert.equal(every.nextCursor, null);
      assert.ok(every.jobs.some((j: Json) => j.jobId === jobId));

      const complete = checkedJson(
        await ok([
          "jobs",
          "list",
          "--status",
          "Complete",
          "--status",
          "Failed",
          "--operation",
          "PutObjectCopy",
          "--json",
        ]),
        "GET",
        "/api/v1/jobs",
      );
      assert.deepEqual(
        complete.jobs.map((j: Json) => j.jobId),
        [jobId],
      );
      const text = await ok(["jobs", "list", "--search", "photos"], { COLUMNS: "200" });
      const [header, ...rows] = text.stdout.trimEnd().split("\n");
      assert.match(header!, /^ID\s+STATUS\s+OPERATION\s+PRIORITY\s+DONE\s+FAILED\s+CREATED\s+DESCRIPTION$/);
      assert.equal(rows.length, 2);
      assert.ok(
        rows.some((r) => r.startsWith(jobId) && /Complete\s+PutObjectCopy\s+42\s+32\/32\s+2\s/.test(r)),
        rows.join("\n"),
      );
      // Cut to the terminal's width when one is given, the description giving way first.
      const narrow = (await ok(["jobs", "list"], { COLUMNS: "110" })).stdout.trimEnd().split("\n");
      for (const line of narrow) assert.ok(line.length <= 110, line);
      assert.ok(
        narrow.some((line) => line.startsWith(jobId) && line.endsWith("…")),
        narrow.join("\n"),
      );
    });
  });

  describe("on a terminal", () => {
    // util-linux `script` runs the CLI under a real pseudo-terminal; where it is missing there is nothing to test.
    const script = ["/usr/bin/script", "/bin/script"].find((p) => existsSync(p));

    /** The CLI's output under a pseudo-terminal of 200 columns. */
    function underTerminal(args: readonly string[], extra: Record<string, string> = {}): Promise<string> {
      const command = `stty cols 200 2>/dev/null; ${[process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ")}`;
      const base = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith("OBJBATCH_") && k !== "NO_COLOR"),
      );
      return new Promise((resolve, reject) => {
        execFile(
          script!,
          ["-qfec", command, "/dev/null"],
          { env: { ...base, ...env, TERM: "xterm", ...extra } as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 },
          (error, stdout) => (error === null ? resolve(stdout) : reject(error)),
        );
      });
    }

    it("colours a table, and never with NO_COLOR", { skip: script === undefined && "no script(1)" }, async () => {
      const coloured = await underTerminal(["jobs", "list"]);
      assert.ok(coloured.includes(`${ESCAPE}[1mID${ESCAPE}[22m`), `a bold header: ${JSON.stringify(coloured)}`);
      assert.ok(coloured.includes(`${ESCAPE}[32mComplete${ESCAPE}[39m`), "a green status");
      const plain = await underTerminal(["jobs", "list"], { NO_COLOR: "1" });
      assert.ok(!plain.includes(ESCAPE), JSON.stringify(plain));
      assert.match(plain, /^ID\s+STATUS/m);
    });
  });

  describe("connections", () => {
    it("a refused key: says which key and what to check, exit 4", async () => {
      const run = await cli(["jobs", "list"], { OBJBATCH_SECRET_KEY: "not-the-secret" });
      assert.equal(run.code, 4, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(`^objbatch: the server refused the access key ${ROOT.accessKeyId} .*check OBJBATCH_ACCESS_KEY`),
      );
      assert.equal(run.stdout, "");
    });

    it("an unreachable endpoint: says where and what to check, exit 3", async () => {
      const port = await freePort();
      const run = await cli(["jobs", "list"], { OBJBATCH_ENDPOINT: `http://127.0.0.1:${port}` });
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, new RegExp(`^objbatch: cannot reach objbatch at http://127.0.0.1:${port} `));
      assert.match(run.stderr, /OBJBATCH_ENDPOINT/);
    });

    it("no key at all: says how to give one, exit 1", async () => {
      const run = await cli(["jobs", "list"], { OBJBATCH_ACCESS_KEY: undefined, OBJBATCH_SECRET_KEY: undefined });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /run objbatch login/);
    });

    it("login checks the key, saves a profile with mode 0600 that commands then use, and saves nothing refused", async () => {
      const config = join(work, "login-config");
      const noEnv = { OBJBATCH_ENDPOINT: undefined, OBJBATCH_ACCESS_KEY: undefined, OBJBATCH_SECRET_KEY: undefined };
      const refused = await cli(
        ["login", "--endpoint", app.url, "--access-key", ROOT.accessKeyId, "--secret-key", "wrong", "--profile", "ci"],
        { ...noEnv, XDG_CONFIG_HOME: config },
      );
      assert.equal(refused.code, 4, refused.stderr);
      await assert.rejects(stat(join(config, "objbatch", "profiles.json")), { code: "ENOENT" });

      await ok(
        [
          "login",
          "--endpoint",
          `${app.url}/`,
          "--access-key",
          ROOT.accessKeyId,
          "--secret-key",
          ROOT.secretAccessKey,
          "--profile",
          "ci",
        ],
        { ...noEnv, XDG_CONFIG_HOME: config },
      );
      const file = join(config, "objbatch", "profiles.json");
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.deepEqual(JSON.parse(await readFile(file, "utf8")), {
        profiles: { ci: { endpoint: app.url, accessKey: ROOT.accessKeyId, secretKey: ROOT.secretAccessKey } },
      });
      assert.deepEqual(
        (await readdir(join(config, "objbatch"))).filter((f) => f !== "profiles.json"),
        [],
        "no temporary file left",
      );

      const listed = await ok(["jobs", "list", "--profile", "ci", "--json"], { ...noEnv, XDG_CONFIG_HOME: config });
      checkedJson(listed, "GET", "/api/v1/jobs");
      const missing = await cli(["jobs", "list", "--profile", "nope"], { ...noEnv, XDG_CONFIG_HOME: config });
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no profile "nope" .*objbatch login --profile nope/);
    });
  });

  describe("a report download from a server that names a file to escape the directory", () => {
    // Not objbatch: a server that lies about its report, as a compromised or impersonated one could. The real
    // server names every results file <sha1>.csv, so only a stand-in can send these names.
    let hostile: Server;
    let url: string;
    let hostileKey = "";
    const asked: string[] = [];

    before(async () => {
      hostile = createServer((req, res) => {
        asked.push(req.url ?? "");
        if (req.url !== "/api/v1/jobs/j1/report") {
          res.writeHead(200, { "content-type": "text/csv" });
          res.end("a,b");
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        const file = (taskStatus: string, key: string) => ({
          taskStatus,
          index: 0,
          key,
          bytes: 3,
          completed: true,
          downloadPath: "/x",
        });
        res.end(
          JSON.stringify({
            jobId: "j1",
            enabled: true,
            format: "Report_CSV_20180820",
            scope: "AllTasks",
            state: "complete",
            files: [file("succeeded", "out/ok.csv"), file("failed", hostileKey)],
          }),
        );
      });
      await new Promise<void>((resolve) => hostile.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
    });
    after(async () => {
      await new Promise((resolve) => hostile?.close(resolve));
    });

    // Each kind of name is refused by localFileName (cli-parts.test.ts); three of them end to end here.
    for (const key of ["out/..", "out/a\\..\\..\\evil.csv", "out/ok.csv"]) {
      it(`refuses ${JSON.stringify(key)} before writing anything, exit 5`, async () => {
        const parent = await mkdtemp(join(tmpdir(), "objbatch-hostile-"));
        try {
          hostileKey = key;
          asked.length = 0;
          const run = await cli(["jobs", "report", "j1", "--download", join(parent, "inside")], {
            OBJBATCH_ENDPOINT: url,
          });
          assert.equal(run.code, 5, run.stderr);
          assert.match(run.stderr, /^objbatch: the server named a results file .* nothing was downloaded/);
          assert.deepEqual(asked, ["/api/v1/jobs/j1/report"], "no file was asked for");
          assert.deepEqual(await readdir(parent), [], "nothing written, not even the directory");
        } finally {
          await rm(parent, { recursive: true, force: true });
        }
      });
    }
  });
});
