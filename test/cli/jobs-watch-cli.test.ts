/**
 * `objbatch jobs watch`, `rerun`, `clone` and `tasks` as a user runs them: the built CLI as a child process
 * against a real objbatch (HTTP server, engine, SQLite store, local-directory storage) started here, as
 * jobs-cli.test.ts does. Piped watches of a job that completes with failures (10), a job that fails (11) and one
 * cancelled meanwhile (12), with no escape code; `--json` lines each a job event or a progress event by the API's
 * schemas; the bar under a real pseudo-terminal (script(1)) with its summary; Ctrl-C detaching while the job runs
 * on (130 and the reattach hint); a watch through a proxy that drops every connection and restarts, which resumes
 * with Last-Event-ID and still ends with the right code; a server without the event route, polled instead; a
 * rerun of a job's failures, once fixed, that runs exactly those tasks (0); task results paged with --all; a clone.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, request as httpRequest } from "node:http";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import Value from "typebox/value";
import { buildDist, distIsCurrent } from "../../scripts/build-dist.mjs";
import { JobEventSchema, ProgressEventSchema } from "../../src/api/json/schemas/events.js";
import { dropFiles, makeBuckets, writeManifest } from "../e2e/helpers.js";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { assertPlain, BIN, cleanEnv, serverEnv, startCli } from "../helpers/cli.js";
import { DocumentChecker, type Json, JsonApiClient } from "../helpers/json-api.js";

const ESCAPE = "\u001b";
const KEYS = Array.from({ length: 30 }, (_, i) => `photos/${String(i).padStart(3, "0")}.jpg`);
const MISSING = ["photos/missing-1.jpg", "photos/missing-2.jpg"];
/** Paced by the request-rate cap (20/s): still running while a test acts on it, on any machine. */
const SLOW_KEYS = Array.from({ length: 600 }, (_, i) => `slow/${String(i).padStart(4, "0")}.txt`);
const MEDIUM_KEYS = SLOW_KEYS.slice(0, 60);
const FINISHED = ["Complete", "Failed", "Cancelled"];

describe("objbatch jobs watch, rerun, clone and tasks against a real server", () => {
  let app: TestApp;
  let api: JsonApiClient;
  let work: string;
  let env: Record<string, string>;

  const start = (args: readonly string[], extra: Record<string, string> = {}) =>
    startCli(args, { env: { ...env, ...extra } });
  const run = (args: readonly string[], extra: Record<string, string> = {}) => start(args, extra).output;

  async function createJob(manifestKey: string, extra: Record<string, unknown> = {}): Promise<string> {
    const created = await api.post("/api/v1/jobs", {
      operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::dst", targetKeyPrefix: "copied" },
      manifest: {
        format: "S3BatchOperations_CSV_20180820",
        fields: ["Bucket", "Key"],
        location: { bucket: "arn:aws:s3:::src", key: manifestKey },
      },
      report: { enabled: true, bucket: "arn:aws:s3:::reports", prefix: "out", scope: "AllTasks" },
      confirmationRequired: false,
      ...extra,
    });
    assert.equal(created.status, 201, created.text);
    return created.json.jobId;
  }

  async function waitFor(jobId: string, done: (job: Json) => boolean): Promise<Json> {
    const deadline = Date.now() + 120_000; // a fail-safe only: nothing asserts on time
    for (;;) {
      const job = (await api.get(`/api/v1/jobs/${jobId}`)).json;
      if (done(job)) return job;
      if (Date.now() > deadline) assert.fail(`job ${jobId} never got there: ${JSON.stringify(job)}`);
      await sleep(50);
    }
  }

  async function cancelAndWait(jobId: string) {
    await api.post(`/api/v1/jobs/${jobId}/cancel`);
    await waitFor(jobId, (j) => FINISHED.includes(j.status));
  }

  before(async () => {
    if (!distIsCurrent()) assert.equal(buildDist(), 0, "npm run build");
    app = await startTestApp({
      engine: { chunkSize: 20, chunkSlots: 1, maxRequestsPerSecondPerJob: 20, pollMs: 20, reportFlushIntervalMs: 50 },
    });
    api = new JsonApiClient(app.url, { ...ROOT }, await DocumentChecker.load(app.url));
    await makeBuckets(app, "src", "dst", "reports");
    await dropFiles(app, "src", Object.fromEntries([...KEYS, ...SLOW_KEYS].map((k) => [k, `body of ${k}`])));
    await writeManifest(app, "src", "manifest.csv", "src", [...KEYS, ...MISSING]);
    await writeManifest(app, "src", "slow.csv", "src", SLOW_KEYS);
    await writeManifest(app, "src", "medium.csv", "src", MEDIUM_KEYS);
    work = await mkdtemp(join(tmpdir(), "objbatch-watch-"));
    env = serverEnv(app.url, work);
  });
  after(async () => {
    await app?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("documents the watch exit codes in --help", async () => {
    const help = await run(["--help"]);
    assert.equal(help.code, 0);
    for (const sub of ["watch", "rerun", "clone", "tasks"])
      assert.match(help.stdout, new RegExp(`objbatch jobs ${sub}\\b`));
    assert.match(help.stdout, /10\s+the job completed, and some of its tasks failed/);
    assert.match(help.stdout, /11\s+the job failed/);
    assert.match(help.stdout, /12\s+the job was cancelled/);
    assert.match(help.stdout, /130\s+Ctrl-C detached/);
    assert.match((await run(["jobs", "watch", "--help"])).stdout, /Exits 0 when the job completed with no failed task/);
  });

  describe("a job with failed tasks, then its rerun", () => {
    let jobId: string;

    it("watched piped and as --json: exit 10, the summary, plain lines, events by the schemas", async () => {
      jobId = await createJob("manifest.csv");
      const [text, json] = await Promise.all([run(["jobs", "watch", jobId]), run(["jobs", "watch", jobId, "--json"])]);
      for (const [r, what] of [
        [text, "watch"],
        [json, "watch --json"],
      ] as const) {
        assert.equal(r.code, 10, `${what}: ${r.stdout} ${r.stderr}`);
        assertPlain(r, what);
      }
      // Plain progress lines first, each status as the job is now (never one the stream replays as history).
      const order = ["New", "Preparing", "Ready", "Active", "Completing", "Complete"];
      const statuses = [...text.stdout.matchAll(/^(\w+), .*\d+ failed/gm)].map((m) => order.indexOf(m[1]!));
      assert.ok(statuses.length >= 2 && !statuses.includes(-1), text.stdout);
      assert.deepEqual(
        statuses,
        [...statuses].sort((a, b) => a - b),
        `statuses in order: ${text.stdout}`,
      );
      assert.equal(statuses.at(-1), order.indexOf("Complete"));
      assert.match(text.stdout, new RegExp(`^Job ${jobId} Complete: 30 succeeded, 2 failed of 32 tasks`, "m"));
      assert.match(text.stdout, /Failed tasks by cause \(2\):\nCOUNT\s+HTTP\s+ERROR\s+E\.G\.\n2\s+404\s+NoSuchKey/);
      assert.match(
        text.stdout,
        new RegExp(`^Report: s3://reports/out/job-${jobId}/ \\(objbatch jobs report ${jobId} --download`, "m"),
      );
      assert.match(text.stdout, new RegExp(`objbatch jobs rerun ${jobId}$`, "m"));

      const lines = json.stdout.trimEnd().split("\n");
      const events = lines.map((l) => JSON.parse(l));
      for (const e of events) {
        assert.ok(
          Value.Check(JobEventSchema, e) || Value.Check(ProgressEventSchema, e),
          `not a JobEvent nor a progress event: ${JSON.stringify(e)}`,
        );
      }
      assert.equal(events[0].type, "job.created");
      const last = events[events.length - 1];
      assert.equal(last.type, "job.status");
      assert.equal(last.status, "Complete");
      assert.deepEqual(last.details.counts, { total: 32, succeeded: 30, failed: 2 });
    });

    it("pages through its failed tasks with --all, as JSON and as a table", async () => {
      const first = await run(["jobs", "tasks", jobId, "--limit", "1", "--json"]);
      assert.equal(first.code, 0, first.stderr);
      const page = JSON.parse(first.stdout);
      assert.equal(page.tasks.length, 1);
      assert.notEqual(page.nextCursor, null);

      const all = await run(["jobs", "tasks", jobId, "--limit", "1", "--all", "--json"]);
      assert.equal(all.code, 0, all.stderr);
      const body = JSON.parse(all.stdout);
      assert.equal(body.nextCursor, null);
      assert.deepEqual(body.tasks.map((t: Json) => t.key).sort(), MISSING);
      assert.ok(body.tasks.every((t: Json) => t.errorCode === "NoSuchKey" && t.status === "failed"));

      const table = await run(["jobs", "tasks", jobId, "--limit", "1"]);
      assert.equal(table.code, 0);
      assertPlain(table, "jobs tasks");
      assert.match(
        table.stdout,
        /^BUCKET\s+KEY\s+STATUS\s+HTTP\s+ERROR\s+MESSAGE\nsrc\s+photos\/missing-\d\.jpg\s+failed\s+404\s+NoSuchKey/,
      );
      assert.match(table.stderr, new RegExp(`objbatch jobs tasks ${jobId} --all`));

      const succeeded = await run(["jobs", "tasks", jobId, "--status", "succeeded", "--all", "--json"]);
      assert.equal(JSON.parse(succeeded.stdout).tasks.length, KEYS.length);
    });

    it("reruns exactly the failed tasks once they are fixed, and watches the new job to exit 0", async () => {
      await dropFiles(app, "src", Object.fromEntries(MISSING.map((k) => [k, `found ${k}`])));
      const r = await run(["jobs", "rerun", jobId, "--description", "the missing photos"]);
      assert.equal(r.code, 0, `${r.stdout} ${r.stderr}`);
      assertPlain(r, "jobs rerun");
      const created = /^Created job (\S+) \(\w+\), rerunning tasks of /m.exec(r.stdout);
      assert.ok(created, r.stdout);
      const rerun = (await api.get(`/api/v1/jobs/${created[1]}`)).json;
      assert.equal(rerun.status, "Complete");
      assert.equal(rerun.description, "the missing photos");
      assert.deepEqual(
        [rerun.progress.total, rerun.progress.succeeded, rerun.progress.failed],
        [MISSING.length, MISSING.length, 0],
      );
      assert.match(r.stdout, new RegExp(`^Job ${created[1]} Complete: 2 succeeded, 0 failed of 2 tasks`, "m"));
      const tasks = JSON.parse((await run(["jobs", "tasks", created[1]!, "--status", "succeeded", "--json"])).stdout);
      assert.deepEqual(tasks.tasks.map((t: Json) => t.key).sort(), MISSING);
    });

    it("clones it with --detach --json: the new job's body, nothing watched", async () => {
      const r = await run(["jobs", "clone", jobId, "--priority", "7", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      const clone = JSON.parse(r.stdout);
      assert.equal(clone.priority, 7);
      assert.ok(clone.tags.some((t: Json) => t.key === "objbatch:clone-of" && t.value === jobId));
      await waitFor(clone.jobId, (j) => FINISHED.includes(j.status));
    });
  });

  it("a job that fails: exit 11 and its failure reason", async () => {
    const jobId = await createJob("no-such-manifest.csv");
    const r = await run(["jobs", "watch", jobId]);
    assert.equal(r.code, 11, `${r.stdout} ${r.stderr}`);
    assertPlain(r, "watch of a failed job");
    assert.match(r.stdout, new RegExp(`^Job ${jobId} Failed: `, "m"));
  });

  it("a job cancelled while watched: exit 12", async () => {
    const jobId = await createJob("slow.csv");
    const watch = start(["jobs", "watch", jobId]);
    await watch.printed(/^Active, /m);
    await api.post(`/api/v1/jobs/${jobId}/cancel`);
    const r = await watch.output;
    assert.equal(r.code, 12, `${r.stdout} ${r.stderr}`);
    assertPlain(r, "watch of a cancelled job");
    assert.match(r.stdout, new RegExp(`^Job ${jobId} Cancelled: `, "m"));
    assert.match(r.stdout, new RegExp(`objbatch jobs rerun ${jobId} --scope not-succeeded$`, "m"));
  });

  it("Ctrl-C detaches: exit 130, the reattach hint, and the job runs on", async () => {
    const jobId = await createJob("slow.csv");
    const watch = start(["jobs", "watch", jobId]);
    await watch.printed(/^Active, /m);
    watch.child.kill("SIGINT");
    const r = await watch.output;
    assert.equal(r.code, 130, `${r.stdout} ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`Detached: job ${jobId} keeps running .*objbatch jobs watch ${jobId}$`, "m"));
    const job = (await api.get(`/api/v1/jobs/${jobId}`)).json;
    assert.ok(!FINISHED.includes(job.status), `the job was stopped: ${job.status}`);
    await cancelAndWait(jobId);
  });

  it("survives a dropped stream: resumes after the last event through a restarted proxy", async () => {
    const proxy = await TcpProxy.start(Number(new URL(app.url).port));
    try {
      const jobId = await createJob("medium.csv");
      const watch = start(["jobs", "watch", jobId, "--json"], { OBJBATCH_ENDPOINT: `http://127.0.0.1:${proxy.port}` });
      // Once an event with an id (job.created) and a progress event came, every connection is cut and the proxy
      // stops listening; it listens again on the same port.
      await watch.printed(/"type":"job.created"[\s\S]*"progress":/);
      await proxy.restart();
      const r = await watch.output;
      assert.equal(r.code, 0, `${r.stdout} ${r.stderr}`);
      const events = r.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l));
      const durable = events.filter((e) => e.type !== undefined).map((e) => e.id);
      assert.deepEqual(
        durable,
        [...new Set(durable)].sort((a, b) => a - b),
        "no durable event twice, in order",
      );
      assert.equal(events.at(-1).status, "Complete");
      const resumed = proxy.requests.filter((h) => h.startsWith(`GET /api/v1/jobs/${jobId}/events`));
      assert.ok(resumed.length >= 2, `the stream was opened again: ${resumed.length}`);
      assert.match(resumed.at(-1)!, /\r\nlast-event-id: \d+\r\n/i);
    } finally {
      await proxy.close();
    }
  });

  it("polls the job on a server without the event route, and still ends with its code", async () => {
    // An HTTP proxy that forwards every request as it came (its signature intact) but answers the event route as a
    // server without it would: 501 not-implemented.
    const target = new URL(app.url);
    const eventRequests: string[] = [];
    const proxy = createHttpServer((req, res) => {
      if (/\/events(\?|$)/.test(req.url ?? "")) {
        eventRequests.push(req.url ?? "");
        res.writeHead(501, { "content-type": "application/problem+json" });
        res.end(
          JSON.stringify({
            type: "urn:objbatch:problem:not-implemented",
            title: "Not implemented",
            status: 501,
            detail: "This server streams no job events.",
          }),
        );
        return;
      }
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const port = (proxy.address() as { port: number }).port;
      const jobId = await createJob("medium.csv");
      const r = await run(["jobs", "watch", jobId, "--json"], { OBJBATCH_ENDPOINT: `http://127.0.0.1:${port}` });
      assert.equal(r.code, 0, `${r.stdout} ${r.stderr}`);
      assert.equal(eventRequests.length, 1, "the event route was asked once, then the job polled");
      const lines = r.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.ok(lines.length >= 2, r.stdout);
      for (const l of lines) assert.ok(Value.Check(ProgressEventSchema, l), JSON.stringify(l));
      assert.equal(lines.at(-1).status, "Complete");
      assert.equal(lines.at(-1).progress.succeeded, MEDIUM_KEYS.length);
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  describe("on a terminal", () => {
    const script = ["/usr/bin/script", "/bin/script"].find((p) => existsSync(p));

    function underTerminal(
      args: readonly string[],
      extra: Record<string, string> = {},
      sized = true,
    ): Promise<{ code: number; text: string }> {
      // A pseudo-terminal nobody sized reports 0 columns, as script(1) makes it without `stty cols`.
      const size = sized ? "stty cols 100 2>/dev/null; " : "";
      const command = `${size}${[process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ")}`;
      return new Promise((resolve) => {
        execFile(
          script!,
          ["-qfec", command, "/dev/null"],
          {
            env: { ...cleanEnv(), ...env, TERM: "xterm", ...extra } as NodeJS.ProcessEnv,
            encoding: "utf8",
            timeout: 120_000,
          },
          (error, stdout) => resolve({ code: error === null ? 0 : Number(error.code), text: stdout }),
        );
      });
    }

    it("create watches the job with a bar redrawn in place, then the summary", {
      skip: !script && "no script(1)",
    }, async () => {
      const file = join(work, "medium.yaml");
      await writeFile(
        file,
        [
          "operation: { kind: PutObjectCopy, targetResource: 'arn:aws:s3:::dst', targetKeyPrefix: tty }",
          "manifest:",
          "  format: S3BatchOperations_CSV_20180820",
          "  fields: [Bucket, Key]",
          "  location: { bucket: 'arn:aws:s3:::src', key: medium.csv }",
          "report: { enabled: true, bucket: 'arn:aws:s3:::reports', prefix: tty, scope: AllTasks }",
          "",
        ].join("\n"),
      );
      const { code, text } = await underTerminal(["jobs", "create", "--file", file, "--yes"]);
      assert.equal(code, 0, text);
      assert.match(text, /The job would run 60 tasks/);
      assert.ok(text.includes("█"), `a bar: ${JSON.stringify(text)}`);
      assert.ok(text.includes(`${ESCAPE}[32m█`), "a green bar");
      assert.ok(text.includes(`\r${ESCAPE}[2K`), "redrawn in place");
      const e = "\\u001b\\[";
      assert.match(text, new RegExp(`\r${e}2K${e}32mComplete${e}39m {2}\\[.*100%.*60/60`), "the last bar stays");
      assert.match(text, new RegExp(`\nJob \\S+ ${e}32mComplete${e}39m: 60 succeeded, 0 failed of 60 tasks`));

      // NO_COLOR, on a terminal that reports no size: the same bar and summary without a colour (the bar is still
      // drawn in place, as wide as a piped output's lines, not squeezed to nothing).
      const jobId = /Created job (\S+) /.exec(text)![1]!;
      const plain = await underTerminal(["jobs", "watch", jobId], { NO_COLOR: "1" }, false);
      assert.equal(plain.code, 0, plain.text);
      assert.ok(plain.text.includes("█"), plain.text);
      assert.match(plain.text, /Complete {2}\[█+\] +100% {2}60\/60/, "the whole bar line on an unsized terminal");
      assert.doesNotMatch(plain.text, new RegExp(`${e}\\d+m`), "no colour under NO_COLOR");
      assert.match(plain.text, new RegExp(`Job ${jobId} Complete: 60 succeeded`));
    });
  });
});

/** A TCP proxy to the server that can drop every connection and stop listening, then listen again. */
class TcpProxy {
  readonly requests: string[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  private constructor(
    private readonly target: number,
    public port: number,
  ) {}

  static async start(target: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(target, 0);
    await proxy.listenOn();
    return proxy;
  }

  private listenOn(): Promise<void> {
    const server = createServer((client) => {
      this.sockets.add(client);
      let head = "";
      client.on("data", (c: Buffer) => {
        // The watch sends only GETs: everything it writes is request heads.
        head += c.toString("latin1");
        for (let end = head.indexOf("\r\n\r\n"); end !== -1; end = head.indexOf("\r\n\r\n")) {
          this.requests.push(head.slice(0, end + 2));
          head = head.slice(end + 4);
        }
      });
      {
        const upstream = connect(this.target, "127.0.0.1");
        this.sockets.add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          this.sockets.delete(client);
          this.sockets.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
      }
    });
    this.server = server;
    return new Promise((resolve) =>
      server.listen(this.port, "127.0.0.1", () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      }),
    );
  }

  /** Cuts every connection, stops listening, and listens again on the same port. */
  async restart(): Promise<void> {
    await this.close();
    await this.listenOn();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
