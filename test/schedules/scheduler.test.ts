/**
 * The scheduler (D43) on real SQLite and real PostgreSQL, driven by hand with injected clocks: two schedulers,
 * each on its own connection to one store (two servers), tick through the same due times of a schedule firing
 * every second, in turns and at once, then a third takes over as after a restart; one due time's claim is left
 * by a scheduler that "died" between creating the job and recording it. Every due time makes exactly one job.
 * Paused schedules make nothing, deleted ones stop, relative dates resolve against the due time, and the
 * missed-times policies (latest, all) and a failed run are checked. Nothing depends on the machine's speed.
 */
import assert from "node:assert/strict";
import { afterEach, before, it } from "node:test";
import { pino } from "pino";
import { StaticAccountRegistry } from "../../src/accounts/types.js";
import { scheduledJobSpec } from "../../src/api/json/schedule-template.js";
import { scheduleJobToken } from "../../src/domain/schedule.js";
import { ScheduleService } from "../../src/schedules/schedule-service.js";
import { Scheduler } from "../../src/schedules/scheduler.js";
import { JobService } from "../../src/service/job-service.js";
import { openPostgres, openSqlite, type StoreConnection } from "../../src/store/connect.js";
import { JobStore } from "../../src/store/job-store.js";
import { StoreSchedules } from "../../src/store/schedules/store-schedules.js";
import { describeOnStores, type StoreUnderTest } from "../store/helpers.js";

const ACCOUNT = "1250000000";
const CAPPED = "capped";
const accounts = new StaticAccountRegistry([
  { id: ACCOUNT, keys: [{ accessKeyId: "a", secretAccessKey: "s" }], buckets: ["*"] },
  { id: CAPPED, keys: [{ accessKeyId: "b", secretAccessKey: "s" }], buckets: ["*"], maxUnfinishedJobs: 1 },
]);
const log = pino({ level: "silent" });
const T0 = Date.parse("2026-03-01T00:00:00.000Z");
const DAY = 86_400_000;

/** A DeleteObject job over a listing of objects last modified more than 30 days before each run. */
const TEMPLATE = {
  operation: { kind: "DeleteObject" },
  manifestGenerator: {
    kind: "S3JobManifestGenerator",
    sourceBucket: "arn:aws:s3:::logs",
    enableManifestOutput: false,
    filter: { createdBeforeRelative: "P30D", keyNameConstraint: { matchAnyPrefix: ["tmp/"] } },
  },
  report: { enabled: false },
};

/** One "server": its own connection to the store, its JobService, its scheduler, its clock. */
interface Server {
  readonly scheduler: Scheduler;
  readonly schedules: StoreSchedules;
  readonly service: ScheduleService;
  clock: number;
  close(): Promise<void>;
}

async function connect(t: StoreUnderTest, url: string): Promise<StoreConnection> {
  return t.name === "postgres" ? openPostgres(url, 4) : openSqlite(url.replace(/^sqlite:/, ""));
}

describeOnStores("Scheduler", (t) => {
  let url: string;
  const servers: Server[] = [];

  before(() => {
    url = t.url;
  });
  // Each test's servers close before the store is dropped.
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  async function server(name: string, clock = T0): Promise<Server> {
    const connection = await connect(t, url);
    const store = new JobStore(connection);
    const schedules = new StoreSchedules(connection);
    const s: Server = {
      clock,
      schedules,
      service: new ScheduleService({ schedules, now: () => s.clock, maxSchedulesPerAccount: 100 }),
      scheduler: undefined as unknown as Scheduler,
      close: () => store.close(),
    };
    const jobs = new JobService({ store, accounts, maxUnfinishedJobs: 10_000, now: () => s.clock });
    (s as { scheduler: Scheduler }).scheduler = new Scheduler({
      schedules,
      createJob: (due, dueAt) =>
        jobs.createJob(scheduledJobSpec(due.template, due.accountId, due.scheduleId, dueAt), "reuse"),
      now: () => s.clock,
      log,
      owner: name,
      claimTtlMs: 10_000,
    });
    servers.push(s);
    return s;
  }

  /** The jobs whose token names the schedule, by due time (each token is unique in the account: D5). */
  async function jobsOf(scheduleId: string): Promise<Map<number, string[]>> {
    const rows = await t.db
      .selectFrom("jobs")
      .select(["job_id", "client_request_token"])
      .where("client_request_token", "like", `schedule:${scheduleId}:%`)
      .execute();
    const byDue = new Map<number, string[]>();
    for (const r of rows) {
      const due = Number(r.client_request_token.split(":")[2]);
      byDue.set(due, [...(byDue.get(due) ?? []), r.job_id]);
    }
    return byDue;
  }

  it("makes exactly one job per due time across two servers ticking through the same times, and a restart", async () => {
    const a = await server("server-a");
    const b = await server("server-b");
    const schedule = await a.service.create(ACCOUNT, {
      cron: "* * * * * *",
      timeZone: "UTC",
      catchUp: "latest",
      paused: false,
      template: TEMPLATE,
    });
    assert.equal(schedule.nextDueAt, T0 + 1_000);

    // Seconds 1..10: both servers tick at half past each second; in turns on even seconds, at once on odd ones.
    for (let s = 1; s <= 10; s++) {
      a.clock = b.clock = T0 + s * 1_000 + 500;
      if (s % 2 === 0) {
        await a.scheduler.tick();
        await b.scheduler.tick();
      } else {
        await Promise.all([a.scheduler.tick(), b.scheduler.tick(), a.scheduler.tick()]);
      }
    }
    // Second 11: server-a "dies" between creating the job and recording the run (its claim is left behind).
    const eleven = T0 + 11_000;
    a.clock = b.clock = eleven + 500;
    const [due] = await a.schedules.due(a.clock, 10);
    assert.ok(due);
    assert.ok(await a.schedules.claim(due, "server-a", eleven, a.clock, 10_000));
    const storeA = new JobStore(await connect(t, url));
    servers.push({ close: () => storeA.close() } as Server);
    const jobsA = new JobService({ store: storeA, accounts, maxUnfinishedJobs: 10_000 });
    const orphan = await jobsA.createJob(scheduledJobSpec(TEMPLATE, ACCOUNT, schedule.scheduleId, eleven), "reuse");
    // server-b sees the live claim and leaves it alone.
    await b.scheduler.tick();
    assert.equal((await b.service.get(ACCOUNT, schedule.scheduleId)).nextDueAt, eleven);

    // A restart: server-c comes up after the claim has expired, at 25.5 s; server-b is still there too.
    const c = await server("server-c", T0 + 25_500);
    b.clock = c.clock;
    await Promise.all([c.scheduler.tick(), b.scheduler.tick()]);
    await Promise.all([c.scheduler.tick(), b.scheduler.tick()]);

    const byDue = await jobsOf(schedule.scheduleId);
    for (const [dueAt, ids] of byDue) assert.equal(ids.length, 1, `due ${dueAt - T0}: ${ids.length} jobs`);
    // 1..11 each made a job; the claim of 11 was finished with the orphan's job; then "latest" ran 25 once.
    const seconds = [...byDue.keys()].map((d) => (d - T0) / 1000).sort((x, y) => x - y);
    assert.deepEqual(seconds, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 25]);

    const runs = await a.service.runs(ACCOUNT, schedule.scheduleId, 100);
    assert.deepEqual(
      runs.runs.map((r) => (r.dueAt - T0) / 1000),
      [25, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
    );
    for (const run of runs.runs) assert.deepEqual(byDue.get(run.dueAt), [run.jobId]);
    const eleventh = runs.runs.find((r) => r.dueAt === eleven);
    assert.equal(eleventh?.outcome, "already_created");
    assert.equal(eleventh?.jobId, orphan.jobId);
    assert.ok(runs.runs.filter((r) => r.dueAt !== eleven).every((r) => r.outcome === "created"));
    const after = await a.service.get(ACCOUNT, schedule.scheduleId);
    assert.equal(after.nextDueAt, T0 + 26_000);
    assert.deepEqual(after.lastRun, { dueAt: T0 + 25_000, jobId: byDue.get(T0 + 25_000)?.[0], outcome: "created" });
    await a.service.delete(ACCOUNT, schedule.scheduleId);
  });

  it("resolves relative dates against the due time: the job of due time T lists objects created before T - 30 days", async () => {
    const a = await server("server-rel", T0);
    const schedule = await a.service.create(ACCOUNT, {
      cron: "0 3 * * *",
      timeZone: "Europe/Paris",
      catchUp: "latest",
      paused: false,
      template: TEMPLATE,
    });
    const due = Date.parse("2026-03-01T02:00:00.000Z"); // 03:00 in Paris (UTC+1)
    assert.equal(schedule.nextDueAt, due);
    a.clock = due + 5 * 60_000; // the scheduler ticks five minutes late
    await a.scheduler.tick();
    const [run] = (await a.service.runs(ACCOUNT, schedule.scheduleId, 10)).runs;
    assert.equal(run?.dueAt, due);
    const job = await t.store.getJob(run?.jobId ?? "");
    assert.equal(job?.manifestGenerator?.filter?.createdBefore, new Date(due - 30 * DAY).toISOString());
    assert.deepEqual(job?.manifestGenerator?.filter?.keyNameConstraint, { matchAnyPrefix: ["tmp/"] });
    assert.equal(job?.clientRequestToken, scheduleJobToken(schedule.scheduleId, due));
    assert.ok(job?.tags?.some((tag) => tag.key === "objbatch:schedule" && tag.value === schedule.scheduleId));
    // After summer time starts (29 March), 03:00 in Paris is 01:00 UTC.
    a.clock = Date.parse("2026-03-30T01:30:00.000Z");
    await a.scheduler.tick();
    const [latest] = (await a.service.runs(ACCOUNT, schedule.scheduleId, 1)).runs;
    assert.equal(latest?.dueAt, Date.parse("2026-03-30T01:00:00.000Z"));
    await a.service.delete(ACCOUNT, schedule.scheduleId);
  });

  it("creates nothing for a paused schedule, resumes from the first due time after now, and stops once deleted", async () => {
    const a = await server("server-pause", T0);
    const schedule = await a.service.create(ACCOUNT, {
      cron: "* * * * *",
      timeZone: "UTC",
      catchUp: "all",
      paused: true,
      template: TEMPLATE,
    });
    assert.equal(schedule.paused, true);
    assert.equal(schedule.nextDueAt, undefined);
    a.clock = T0 + 10 * 60_000;
    await a.scheduler.tick();
    assert.equal((await jobsOf(schedule.scheduleId)).size, 0);

    a.clock = T0 + 10 * 60_000 + 30_000;
    const resumed = await a.service.resume(ACCOUNT, schedule.scheduleId);
    assert.equal(resumed.nextDueAt, T0 + 11 * 60_000, "the ten minutes while paused are not run");
    a.clock = T0 + 11 * 60_000;
    await a.scheduler.tick();
    assert.deepEqual([...(await jobsOf(schedule.scheduleId)).keys()], [T0 + 11 * 60_000]);

    await a.service.pause(ACCOUNT, schedule.scheduleId);
    a.clock = T0 + 20 * 60_000;
    await a.scheduler.tick();
    assert.equal((await jobsOf(schedule.scheduleId)).size, 1);

    await a.service.resume(ACCOUNT, schedule.scheduleId);
    await a.service.delete(ACCOUNT, schedule.scheduleId);
    a.clock = T0 + 30 * 60_000;
    await a.scheduler.tick();
    assert.equal((await jobsOf(schedule.scheduleId)).size, 1);
    await assert.rejects(a.service.get(ACCOUNT, schedule.scheduleId), { name: "ScheduleRefusal" });
  });

  it("runs only the latest of several missed due times by default, and each of them with catchUp all", async () => {
    const a = await server("server-missed", T0);
    const latest = await a.service.create(ACCOUNT, {
      cron: "*/5 * * * *",
      timeZone: "UTC",
      catchUp: "latest",
      paused: false,
      template: TEMPLATE,
    });
    const all = await a.service.create(ACCOUNT, {
      cron: "*/5 * * * *",
      timeZone: "UTC",
      catchUp: "all",
      paused: false,
      template: TEMPLATE,
    });
    // Down from T0 until 22 minutes past: 5, 10, 15 and 20 were missed.
    a.clock = T0 + 22 * 60_000;
    for (let i = 0; i < 6; i++) await a.scheduler.tick();
    const minutes = async (id: string) =>
      [...(await jobsOf(id)).keys()].map((d) => (d - T0) / 60_000).sort((x, y) => x - y);
    assert.deepEqual(await minutes(latest.scheduleId), [20]);
    assert.deepEqual(await minutes(all.scheduleId), [5, 10, 15, 20]);
    assert.equal((await a.service.get(ACCOUNT, latest.scheduleId)).nextDueAt, T0 + 25 * 60_000);
    assert.equal((await a.service.get(ACCOUNT, all.scheduleId)).nextDueAt, T0 + 25 * 60_000);
    await a.service.delete(ACCOUNT, latest.scheduleId);
    await a.service.delete(ACCOUNT, all.scheduleId);
  });

  it("records a run that can make no job (the account's cap) as failed, with why, and moves on", async () => {
    const a = await server("server-capped", T0);
    const schedule = await a.service.create(CAPPED, {
      cron: "* * * * *",
      timeZone: "UTC",
      catchUp: "latest",
      paused: false,
      template: TEMPLATE,
    });
    a.clock = T0 + 60_000;
    await a.scheduler.tick();
    a.clock = T0 + 120_000;
    await a.scheduler.tick();
    const runs = (await a.service.runs(CAPPED, schedule.scheduleId, 10)).runs;
    assert.deepEqual(
      runs.map((r) => r.outcome),
      ["failed", "created"],
    );
    assert.match(runs[0]?.detail ?? "", /unfinished jobs has reached the limit of 1/);
    assert.equal(runs[0]?.jobId, undefined);
    assert.equal((await a.service.get(CAPPED, schedule.scheduleId)).nextDueAt, T0 + 180_000);
  });
});
