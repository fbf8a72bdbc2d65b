/**
 * Two servers' notifiers on one PostgreSQL (D42): both hand out the same job events and claim from the same
 * outbox at once, each over its own connection pool; the receiver (which answers 2xx to everything) gets every
 * CloudEvent exactly once (so each was delivered by exactly one server) and every job's events in order.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { pino } from "pino";
import { DEFAULT_NOTIFICATION_POLICY, type NotificationPolicy } from "../../src/notifications/notification-policy.js";
import { WebhookNotifier } from "../../src/notifications/notifier.js";
import { WebhookService } from "../../src/notifications/webhook-service.js";
import { openPostgres, type StoreConnection } from "../../src/store/connect.js";
import { JobStore } from "../../src/store/job-store.js";
import { StoreWebhooks } from "../../src/store/webhooks/store-webhooks.js";
import { PG_ADMIN_URL } from "../helpers/stores.js";
import { WebhookReceiver } from "../helpers/webhook-receiver.js";
import { describeOnPostgres, jobIn } from "../store/helpers.js";

const SECRET = "a-long-enough-plain-text-secret";
const JOBS = 24;
const NOW = 5_000_000;
const PER_JOB = ["objbatch.job.created", ...Array(5).fill("objbatch.job.status"), "objbatch.job.finished"];

describeOnPostgres("webhooks delivered by two servers", (t) => {
  let receiver: WebhookReceiver;
  let second: StoreConnection;
  before(async () => {
    // The receiver's clock is the servers' (injected) one.
    receiver = await new WebhookReceiver(SECRET, () => NOW / 1000).start();
  });
  after(async () => {
    await receiver.close();
    await second?.close();
  });

  it("delivers each event once between them, in order per job", { timeout: 120_000 }, async () => {
    const policy: NotificationPolicy = {
      ...DEFAULT_NOTIFICATION_POLICY,
      allowedHosts: ["127.0.0.1"],
      timeoutMs: 5_000,
    };
    // The second server's own pool on the same database.
    const database = await t.db
      .selectNoFrom((eb) => eb.fn<string>("current_database", []).as("name"))
      .executeTakeFirstOrThrow();
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${database.name}`;
    second = await openPostgres(url.toString(), 4);
    const otherJobs = new JobStore(second);
    const now = () => NOW;
    const service = new WebhookService(new StoreWebhooks({ db: t.db, dialect: t.dialect }), policy, now);
    await service.create("acct-1", {
      url: receiver.url,
      events: ["objbatch.job.created", "objbatch.job.status", "objbatch.job.finished"],
      secret: SECRET,
    });
    const notifiers = [
      new WebhookNotifier({
        jobs: t.store,
        webhooks: new StoreWebhooks({ db: t.db, dialect: t.dialect }),
        policy,
        now,
        log: pino({ level: "silent" }),
        claimLimit: 3,
      }),
      new WebhookNotifier({
        jobs: otherJobs,
        webhooks: new StoreWebhooks(second),
        policy,
        now,
        log: pino({ level: "silent" }),
        claimLimit: 3,
      }),
    ];
    const jobs: string[] = [];
    // Jobs are written while both servers hand out and deliver, in rounds.
    for (let round = 0; round < 4; round++) {
      const made = await Promise.all(Array.from({ length: JOBS / 4 }, () => jobIn(t.store, "Complete", {}, 5_000_001)));
      jobs.push(...made.map((j) => j.jobId));
      await Promise.all([notifiers[0].tick(), notifiers[1].tick(), notifiers[0].tick(), notifiers[1].tick()]);
    }
    // Every pass delivers; a generous fail-safe bound on passes, not on time.
    for (let pass = 0; pass < 200 && receiver.handled.length < JOBS * PER_JOB.length; pass++) {
      await Promise.all(notifiers.map((n) => n.tick()));
    }
    assert.equal(receiver.handled.length, JOBS * PER_JOB.length);
    assert.equal(receiver.arrivals.length, receiver.handled.length, "no event arrived twice");
    assert.ok(receiver.arrivals.every((a) => a.verified));
    for (const job of jobs) assert.deepEqual(receiver.typesOf(job), PER_JOB, job);
  });
});
