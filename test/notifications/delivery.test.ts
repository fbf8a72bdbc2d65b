/**
 * Webhook delivery (D42) on real SQLite and PostgreSQL with a real receiver on loopback and an injected clock:
 * every event of two jobs arrives signed, in order per job, each id handled once, though the receiver first
 * fails (500) and then hangs past the timeout; attempts are visible with their status and next attempt; a
 * delivery that keeps failing gives up after its retry time and only then lets its job's next event go; a row
 * whose holder died is sent again once its lease ends; a host no longer allowed is not called.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { pino } from "pino";
import { ObjbatchMetrics } from "../../src/metrics/registry.js";
import { FAN_OUT_BATCH, fanOutBatch } from "../../src/notifications/fan-out.js";
import { DEFAULT_NOTIFICATION_POLICY, type NotificationPolicy } from "../../src/notifications/notification-policy.js";
import { DELIVERY_RETENTION_MS, WebhookNotifier } from "../../src/notifications/notifier.js";
import { WebhookService } from "../../src/notifications/webhook-service.js";
import type { JobStore } from "../../src/store/job-store.js";
import { StoreWebhooks } from "../../src/store/webhooks/store-webhooks.js";
import { newJob } from "../helpers/stores.js";
import { WebhookReceiver } from "../helpers/webhook-receiver.js";
import { activate, byteRangePlans, describeOnStores, jobIn } from "../store/helpers.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ALL = ["objbatch.job.created", "objbatch.job.status", "objbatch.job.progress", "objbatch.job.finished"] as const;

function policyOf(extra: Partial<NotificationPolicy> = {}): NotificationPolicy {
  return {
    ...DEFAULT_NOTIFICATION_POLICY,
    allowedHosts: ["127.0.0.1"],
    timeoutMs: 300,
    backoffBaseMs: 1_000,
    backoffMaxMs: 60_000,
    retryForMs: 3_600_000,
    ...extra,
  };
}

/** A job of `tasks` one-task chunks run to Complete, every change at `at`. */
async function runJob(store: JobStore, tasks: number, at: number): Promise<string> {
  const job = await jobIn(store, "Preparing", {}, at);
  await store.setPrepared(job.jobId, tasks, null, at);
  await activate(store, job.jobId, at);
  await store.insertChunks(job.jobId, byteRangePlans(tasks));
  for (let i = 0; i < tasks; i++) {
    const chunk = await store.leaseChunk(job.jobId, `lease-${i}`, at, 60_000);
    assert.ok(chunk);
    const ok = await store.completeChunk(
      job.jobId,
      chunk.seq,
      `lease-${i}`,
      { succeeded: i === 0 ? 0 : 1, failed: i === 0 ? 1 : 0, succeededRows: null, failedRows: null },
      at,
    );
    assert.ok(ok);
  }
  assert.ok(await store.transition(job.jobId, "Active", "Completing", at));
  assert.ok(await store.transition(job.jobId, "Completing", "Complete", at));
  return job.jobId;
}

const EXPECTED = [
  "objbatch.job.created",
  ...Array(3).fill("objbatch.job.status"),
  ...Array(10).fill("objbatch.job.progress"),
  "objbatch.job.status",
  "objbatch.job.status",
  "objbatch.job.finished",
];

describeOnStores("webhook delivery", (t) => {
  let receiver: WebhookReceiver;
  let clock: number;
  const webhooks = () => new StoreWebhooks({ db: t.db, dialect: t.dialect });
  const notifierOf = (policy: NotificationPolicy, metrics?: ObjbatchMetrics) =>
    new WebhookNotifier({
      jobs: t.store,
      webhooks: webhooks(),
      policy,
      now: () => clock,
      log: pino({ level: "silent" }),
      random: () => 1,
      ...(metrics ? { meter: metrics.webhooks } : {}),
    });

  before(async () => {
    // The receiver checks timestamps against the test's clock, as a receiver checks them against its own.
    receiver = await new WebhookReceiver(SECRET, () => Math.floor(clock / 1000), 60).start();
  });
  after(() => receiver.close());

  it("delivers every event in order per job through a 500 and a hang, each id once", async () => {
    clock = 10_000_000;
    const policy = policyOf();
    const metrics = new ObjbatchMetrics();
    const service = new WebhookService(webhooks(), policy, () => clock);
    const { webhook } = await service.create("acct-1", { url: receiver.url, events: ALL, secret: SECRET });
    const notifier = notifierOf(policy, metrics);
    const a = await runJob(t.store, 4, clock + 1_000);
    const b = await runJob(t.store, 4, clock + 2_000);

    clock += 10_000;
    receiver.mode = "fail";
    assert.equal(await notifier.tick(), 2, "the first event of each job, and nothing after it");
    clock += 1_000;
    receiver.mode = "hang";
    assert.equal(await notifier.tick(), 2, "tried again once due; the receiver hangs past the timeout");
    assert.equal(await notifier.tick(), 0, "nothing is due before the backoff ends");
    assert.deepEqual(
      receiver.arrivals.map((r) => r.event.type),
      Array(4).fill("objbatch.job.created"),
      "no later event of a job goes before its first is delivered",
    );
    const waiting = await service.deliveries("acct-1", webhook.id, undefined, 100);
    const first = waiting.find((d) => d.jobId === a && d.type === "objbatch.job.created");
    assert.equal(first?.state, "pending");
    assert.equal(first?.attempts, 2);
    assert.match(first?.lastError ?? "", /no answer within 300 ms/);
    assert.equal(first?.nextAttemptAt?.getTime(), clock + 2_000, "the second failure waits 2 s (random 1)");

    clock += 2_000;
    receiver.mode = "ok";
    assert.ok((await notifier.tick()) >= 2 * EXPECTED.length);
    assert.ok(receiver.arrivals.every((r) => r.verified && r.contentType?.startsWith("application/cloudevents+json")));
    assert.deepEqual(receiver.typesOf(a), EXPECTED);
    assert.deepEqual(receiver.typesOf(b), EXPECTED);
    const ids = receiver.handled.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const job of [a, b]) {
      const events = receiver.handled.filter((r) => r.event.subject === job).map((r) => r.event);
      assert.deepEqual(
        events.filter((e) => e.type === "objbatch.job.progress").map((e) => e.data.percent),
        [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
      );
      const finished = events.at(-1);
      assert.equal(finished.specversion, "1.0");
      assert.equal(finished.source, "urn:objbatch");
      assert.equal(finished.datacontenttype, "application/json");
      assert.equal(finished.data.status, "Complete");
      assert.deepEqual(finished.data.counts, { total: 4, succeeded: 3, failed: 1 });
      assert.deepEqual(finished.data.failuresByCause, []);
      assert.equal(finished.data.report, null);
      assert.equal(events.at(-2).data.to, "Complete");
      assert.equal(finished.id, `${events.at(-2).id}-finished`);
    }
    const done = await service.deliveries("acct-1", webhook.id, undefined, 100);
    assert.equal(done.length, 2 * EXPECTED.length);
    assert.ok(done.every((d) => d.state === "delivered" && d.lastStatus === 204 && d.nextAttemptAt === undefined));
    assert.equal(done.find((d) => d.jobId === a && d.type === "objbatch.job.created")?.attempts, 3);
    const exposition = await metrics.registry.metrics();
    assert.match(exposition, /objbatch_webhook_deliveries_total\{outcome="http_error"\} 2/);
    assert.match(exposition, /objbatch_webhook_deliveries_total\{outcome="timeout"\} 2/);
    assert.match(exposition, new RegExp(`objbatch_webhook_deliveries_total\\{outcome="ok"\\} ${2 * EXPECTED.length}`));
    await service.delete("acct-1", webhook.id);
  });

  it("purges finished deliveries once they are older than the retention, and keeps pending ones", async () => {
    clock = 40_000_000;
    const policy = policyOf();
    const service = new WebhookService(webhooks(), policy, () => clock);
    const { webhook } = await service.create("acct-1", { url: receiver.url, events: ALL, secret: SECRET });
    const notifier = notifierOf(policy);
    await runJob(t.store, 2, clock + 1_000);
    clock += 10_000;
    receiver.mode = "ok";
    await notifier.tick();
    const delivered = await service.deliveries("acct-1", webhook.id, undefined, 100);
    assert.ok(delivered.length > 0 && delivered.every((d) => d.state === "delivered"));
    clock += DELIVERY_RETENTION_MS - 20_000;
    await notifier.tick();
    assert.equal((await service.deliveries("acct-1", webhook.id, undefined, 100)).length, delivered.length, "kept");
    clock += 3_600_000;
    await notifier.tick();
    assert.deepEqual(await service.deliveries("acct-1", webhook.id, undefined, 100), [], "purged after 7 days");
    await service.delete("acct-1", webhook.id);
  });

  it("gives up after the retry time, and only then sends the job's next event", async () => {
    clock = 20_000_000;
    const policy = policyOf({ retryForMs: 10_000, backoffBaseMs: 2_000 });
    const metrics = new ObjbatchMetrics();
    const service = new WebhookService(webhooks(), policy, () => clock);
    const { webhook } = await service.create("acct-1", {
      url: receiver.url,
      events: ["objbatch.job.created", "objbatch.job.status"],
      secret: SECRET,
    });
    const notifier = notifierOf(policy, metrics);
    const job = await jobIn(t.store, "Preparing", {}, clock + 1);
    receiver.mode = "fail";
    receiver.arrivals.length = 0;
    // Attempts at +0, +2 s, +6 s; the next would be +14 s, past the 10 s: given up, and in the same pass the
    // job's next event is sent (and fails too).
    for (const [step, attempts] of [
      [0, 1],
      [2_000, 1],
      [4_000, 2],
    ]) {
      clock += step;
      assert.equal(await notifier.tick(), attempts);
    }
    const [status, created] = await service.deliveries("acct-1", webhook.id, undefined, 10);
    assert.equal(created.state, "gave_up");
    assert.equal(created.attempts, 3);
    assert.equal(created.lastStatus, 500);
    assert.equal(status.state, "pending");
    assert.equal(status.attempts, 1);
    receiver.mode = "ok";
    clock += 2_000;
    assert.equal(await notifier.tick(), 1);
    assert.deepEqual(
      receiver.arrivals.map((r) => `${r.event.type}:${r.answered}`),
      [
        "objbatch.job.created:fail",
        "objbatch.job.created:fail",
        "objbatch.job.created:fail",
        "objbatch.job.status:fail",
        "objbatch.job.status:ok",
      ],
    );
    assert.equal(receiver.arrivals[3].event.subject, job.jobId);
    assert.match(await metrics.registry.metrics(), /objbatch_webhook_deliveries_total\{outcome="gave_up"\} 1/);
    await service.delete("acct-1", webhook.id);
  });

  it("sends again a row whose holder died, once its lease ends; refuses a host no longer allowed", async () => {
    clock = 30_000_000;
    const policy = policyOf();
    const service = new WebhookService(webhooks(), policy, () => clock);
    const { webhook } = await service.create("acct-1", {
      url: receiver.url,
      events: ["objbatch.job.created"],
      secret: SECRET,
    });
    const notifier = notifierOf(policy);
    const job = await jobIn(t.store, "New", {}, clock + 1);
    receiver.mode = "ok";
    receiver.arrivals.length = 0;
    assert.equal(await notifier.tick(), 1);
    assert.equal(receiver.arrivals.length, 1);
    // Another server hands out the next job's event, claims its row and dies before sending it.
    const second = await jobIn(t.store, "New", {}, clock + 2);
    await fanOutBatch({
      jobs: t.store,
      webhooks: webhooks(),
      configWebhooks: [],
      retryForMs: policy.retryForMs,
      source: policy.source,
      now: () => clock,
    });
    const dead = await webhooks().claim("dead-server", clock, 60_000, 10);
    assert.deepEqual(
      dead.map((d) => d.jobId),
      [second.jobId],
    );
    assert.equal(await notifier.tick(), 0, "leased by the dead server");
    clock += 60_001;
    assert.equal(await notifier.tick(), 1, "its lease ran out: sent");
    assert.deepEqual(
      receiver.handled.slice(-2).map((r) => r.event.subject),
      [job.jobId, second.jobId],
    );

    const third = await jobIn(t.store, "New", {}, clock + 1);
    const narrowed = notifierOf(policyOf({ allowedHosts: ["hooks.example.com"] }));
    assert.equal(await narrowed.tick(), 1);
    const [latest] = await service.deliveries("acct-1", webhook.id, undefined, 1);
    assert.equal(latest.jobId, third.jobId);
    assert.equal(latest.state, "gave_up");
    assert.match(latest.lastError ?? "", /not sent: 127\.0\.0\.1:\d+ is not in notifications\.allowedHosts/);
    assert.equal(receiver.handled.at(-1)?.event.subject, second.jobId, "never called");
    await service.delete("acct-1", webhook.id);
  });

  it("reads the events once a pass when fewer than a batch are new, and all of a longer backlog", async () => {
    clock = 40_000_000;
    const store = webhooks();
    let reads = 0;
    const counted: StoreWebhooks = Object.create(store);
    counted.cursor = () => {
      reads++;
      return store.cursor();
    };
    const notifier = new WebhookNotifier({
      jobs: t.store,
      webhooks: counted,
      policy: policyOf(),
      now: () => clock,
      log: pino({ level: "silent" }),
    });
    // A webhook exists (with none, a pass reads no event at all: no-webhooks.test.ts).
    await new WebhookService(store, policyOf(), () => clock).create("acct-fan-out", {
      url: receiver.url,
      events: ["objbatch.job.status"],
      secret: SECRET,
    });
    await notifier.tick(); // caught up with the events of the tests before
    const created = async (n: number) => {
      for (let i = 0; i < n; i++)
        await t.store.insertJob(newJob({ accountId: "acct-fan-out" }, { creationTime: clock }));
    };
    await created(3);
    reads = 0;
    await notifier.tick();
    assert.equal(reads, 1, "three new events: one read, no second look that finds nothing");
    const latest = (await t.store.readEventLogBounds()).latest;
    assert.equal(await store.cursor(), latest);

    await created(FAN_OUT_BATCH * 2 + 5);
    reads = 0;
    await notifier.tick();
    assert.equal(reads, 3, "two full batches and the rest");
    assert.equal(await store.cursor(), (await t.store.readEventLogBounds()).latest);
  });
});
