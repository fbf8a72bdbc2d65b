/**
 * The fan-out with no webhook anywhere (D42): a pass is one statement that moves the outbox's cursor past every
 * event, and the first webhook created afterwards is handed only the events written after it, on real SQLite and
 * PostgreSQL.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Kysely } from "kysely";
import { pino } from "pino";
import { DEFAULT_NOTIFICATION_POLICY, type NotificationPolicy } from "../../src/notifications/notification-policy.js";
import { WebhookNotifier } from "../../src/notifications/notifier.js";
import { WebhookService } from "../../src/notifications/webhook-service.js";
import type { Database } from "../../src/store/schema.js";
import { StoreWebhooks } from "../../src/store/webhooks/store-webhooks.js";
import { newJob } from "../helpers/stores.js";
import { describeOnStores } from "../store/helpers.js";
import { QueryCounter } from "../store/query-counter.js";

const POLICY: NotificationPolicy = { ...DEFAULT_NOTIFICATION_POLICY, allowedHosts: ["127.0.0.1"] };

describeOnStores("webhook fan-out with no webhook", (t) => {
  it("moves the cursor past every event in one statement, and a new webhook starts from there", async () => {
    let clock = 1_000_000;
    const counter = new QueryCounter();
    const counted = new StoreWebhooks({ db: (t.db as Kysely<Database>).withPlugin(counter), dialect: t.dialect });
    const webhooks = new StoreWebhooks({ db: t.db, dialect: t.dialect });
    const notifier = new WebhookNotifier({
      jobs: t.store,
      webhooks: counted,
      policy: POLICY,
      now: () => clock,
      log: pino({ level: "silent" }),
    });
    for (let i = 0; i < 250; i++) await t.store.insertJob(newJob({ accountId: "acct-quiet" }, { creationTime: clock }));
    const { latest } = await t.store.readEventLogBounds();
    assert.ok(latest > 0);

    counter.take();
    await notifier.tick();
    assert.equal(await webhooks.cursor(), latest, "past every event, more than a batch of them");
    const fanOut = counter.take();
    // The pass-over, then the claim of due deliveries (none) that every pass makes.
    assert.ok(fanOut.queries <= 3, `a pass with no webhook took ${fanOut.queries} statements`);
    assert.equal(fanOut.largest, 0, "no event was read");

    clock += 1_000;
    const service = new WebhookService(webhooks, POLICY, () => clock);
    const { webhook } = await service.create("acct-quiet", {
      url: "http://127.0.0.1:9/hook",
      events: ["objbatch.job.created"],
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    });
    clock += 1_000;
    const after = newJob({ accountId: "acct-quiet" }, { creationTime: clock });
    await t.store.insertJob(after);
    await notifier.tick();
    const deliveries = await service.deliveries("acct-quiet", webhook.id, undefined, 100);
    assert.deepEqual(
      deliveries.map((d) => d.jobId),
      [after.jobId],
      "only the job created after the webhook",
    );
    assert.equal(await webhooks.cursor(), (await t.store.readEventLogBounds()).latest);
  });
});
