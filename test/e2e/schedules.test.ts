/**
 * Recurring jobs end to end (D43): real objbatch servers on one PostgreSQL store, each with its scheduler loop
 * running on real timers (every 100 ms) and one shared injected clock that the test moves a second at a time.
 * A schedule firing every second makes exactly one job per due time while two servers race for it, and again
 * after one of them stops and a new one starts (a restart); /metrics counts the runs across the servers. The
 * test waits for each run to be recorded (a generous fail-safe deadline), never for a length of time.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { createPgDatabase } from "../helpers/stores.js";

const ACCOUNT = "1250000000";
const T0 = Date.parse("2026-09-01T00:00:00.000Z");

const TEMPLATE = {
  operation: { kind: "DeleteObject" },
  manifestGenerator: {
    kind: "S3JobManifestGenerator",
    sourceBucket: "arn:aws:s3:::logs",
    enableManifestOutput: false,
    filter: { createdBeforeRelative: "P30D" },
  },
  report: { enabled: false },
};

async function until(what: string, check: () => Promise<boolean>, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function createdRuns(metrics: string): number {
  const m = /^objbatch_schedule_runs_total\{outcome="created"\} (\d+)$/m.exec(metrics);
  return m ? Number(m[1]) : 0;
}

describe("a schedule firing every second on two servers sharing PostgreSQL, through a restart", () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  let clock = T0 + 500;
  const apps: TestApp[] = [];
  const start = async (dataDir?: string) => {
    const app = await startTestApp({
      storeUrl: database.url,
      runEngine: false,
      now: () => clock,
      configFile: { schedules: { pollMs: 100 } },
      ...(dataDir ? { dataDir } : {}),
    });
    apps.push(app);
    return app;
  };

  before(async () => {
    database = await createPgDatabase();
  });
  after(async () => {
    for (const app of apps.reverse()) await app.dispose();
    await database.drop();
  });

  it("makes exactly one job per due time, whichever server makes it", { timeout: 120_000 }, async () => {
    const first = await start();
    const second = await start(first.dataDir);
    const schedule = await first.schedules.create(ACCOUNT, {
      cron: "* * * * * *",
      timeZone: "UTC",
      catchUp: "latest",
      paused: false,
      template: TEMPLATE,
    });
    const runOf = async (app: TestApp, dueAt: number) =>
      (await app.schedules.runs(ACCOUNT, schedule.scheduleId, 1)).runs[0]?.dueAt === dueAt;

    for (let s = 1; s <= 6; s++) {
      clock = T0 + s * 1_000 + 500;
      await until(`the run of second ${s}`, () => runOf(second, T0 + s * 1_000));
    }
    // A restart: the first server stops; a third comes up on the same store and data dir.
    const firstCreated = createdRuns(await first.metrics.text());
    await first.close();
    const third = await start(first.dataDir);
    for (let s = 7; s <= 12; s++) {
      clock = T0 + s * 1_000 + 500;
      await until(`the run of second ${s}`, () => runOf(third, T0 + s * 1_000));
    }

    const runs = (await third.schedules.runs(ACCOUNT, schedule.scheduleId, 100)).runs;
    assert.deepEqual(
      runs.map((r) => (r.dueAt - T0) / 1_000),
      [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
    );
    assert.ok(runs.every((r) => r.outcome === "created" && r.jobId !== undefined));
    const tokens = new Set<string>();
    for (const run of runs) {
      const job = await third.store.getJob(run.jobId ?? "");
      assert.equal(job?.clientRequestToken, `schedule:${schedule.scheduleId}:${run.dueAt}`);
      assert.equal(job?.manifestGenerator?.filter?.createdBefore, new Date(run.dueAt - 30 * 86_400_000).toISOString());
      tokens.add(job?.clientRequestToken ?? "");
    }
    assert.equal(tokens.size, 12);
    const jobs = await third.store.listJobs(ACCOUNT, undefined, 1_000, undefined, clock);
    assert.equal(jobs.length, 12, "no job but the runs' own");
    // /metrics: each process counts the runs it made; together, every run once.
    const total = firstCreated + createdRuns(await second.metrics.text()) + createdRuns(await third.metrics.text());
    assert.equal(total, 12);
  });
});
