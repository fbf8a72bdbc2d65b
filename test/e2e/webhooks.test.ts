/**
 * Webhooks through objbatch as `serve` runs it (D42: SQLite, local directories, the engine, the notifier on a
 * real clock with short backoffs): /api/v1/webhooks creates, lists, tests and deletes webhooks, refuses a host
 * the operator did not allow with a problem saying how to allow it, and shows the operator's webhook read-only;
 * a job's events reach a real receiver that fails (500), then hangs past the timeout, then comes back: every
 * event arrives signed, in order, each id handled once, and the deliveries show their attempts. The operator's
 * webhook, filtered on a tag, gets only the tagged job's summary.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { ALICE, DocumentChecker, type Json, JsonApiClient } from "../helpers/json-api.js";
import { WebhookReceiver } from "../helpers/webhook-receiver.js";
import { dropFiles, makeBuckets, writeManifest } from "./helpers.js";

const KEYS = Array.from({ length: 30 }, (_, i) => `in/${i}.txt`);
const OPERATOR_SECRET = "operator-secret-of-enough-length";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("webhooks on the running server", () => {
  let app: TestApp;
  let client: JsonApiClient;
  let receiver: WebhookReceiver;
  let operatorReceiver: WebhookReceiver;

  before(async () => {
    receiver = await new WebhookReceiver(SECRET).start();
    operatorReceiver = await new WebhookReceiver(OPERATOR_SECRET).start("/operator");
    app = await startTestApp({
      engine: { chunkSize: 10 },
      configFile: {
        accounts: [
          {
            id: ALICE.accountId,
            accessKeyId: ALICE.accessKeyId,
            secretAccessKey: ALICE.secretAccessKey,
            buckets: ["*"],
          },
        ],
        notifications: {
          allowedHosts: ["127.0.0.1"],
          pollIntervalMs: 20,
          backoffBaseMs: 20,
          backoffMaxMs: 100,
          timeoutMs: 400,
          webhooks: [
            {
              id: "ops",
              accountId: ROOT.accountId,
              url: operatorReceiver.url,
              events: ["objbatch.job.finished"],
              tags: [{ key: "team", value: "a" }],
              secret: OPERATOR_SECRET,
            },
          ],
        },
      },
    });
    client = new JsonApiClient(app.url, ROOT, await DocumentChecker.load(app.url));
    await makeBuckets(app, "src", "dst");
    await dropFiles(app, "src", Object.fromEntries(KEYS.map((k) => [k, `content of ${k}`])));
    await writeManifest(app, "src", "manifest.csv", "src", KEYS);
  });
  after(async () => {
    await app.dispose();
    await receiver.close();
    await operatorReceiver.close();
  });

  const createJob = async (tags: { key: string; value: string }[] = []) => {
    const created = await client.post("/api/v1/jobs", {
      operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::dst" },
      manifest: {
        format: "S3BatchOperations_CSV_20180820",
        fields: ["Bucket", "Key"],
        location: { bucket: "arn:aws:s3:::src", key: "manifest.csv" },
      },
      report: { enabled: false },
      tags,
    });
    assert.equal(created.status, 201, created.text);
    return created.json.jobId as string;
  };

  it("manages webhooks: allow-list, read-only operator webhook, test send, another account's 404", async () => {
    const refused = await client.post("/api/v1/webhooks", {
      url: "http://169.254.169.254/latest",
      events: ["objbatch.job.status"],
    });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.json.type, "urn:objbatch:problem:webhook-not-allowed");
    assert.match(refused.json.detail, /notifications\.allowedHosts/);
    const invalid = await client.post("/api/v1/webhooks", { url: receiver.url, events: ["objbatch.job.nope"] });
    assert.equal(invalid.status, 400);

    const list = await client.get("/api/v1/webhooks");
    assert.deepEqual(
      list.json.webhooks.map((w: Json) => [w.id, w.readOnly]),
      [["config:ops", true]],
    );
    const readOnly = await client.delete("/api/v1/webhooks/config:ops");
    assert.equal(readOnly.status, 409);
    assert.equal(readOnly.json.type, "urn:objbatch:problem:webhook-read-only");

    const created = await client.post("/api/v1/webhooks", {
      url: receiver.url,
      events: ["objbatch.job.created"],
      description: "to delete",
    });
    assert.equal(created.status, 201, created.text);
    assert.match(created.json.secret, /^whsec_/);
    const id = created.json.id as string;
    assert.equal((await client.get(`/api/v1/webhooks/${id}`)).json.secret, undefined, "the secret is shown once");
    assert.equal((await client.as(ALICE).get(`/api/v1/webhooks/${id}`)).status, 404);
    assert.equal((await client.as(ALICE).get("/api/v1/webhooks")).json.webhooks.length, 0);

    assert.equal((await client.call({ method: "PUT", path: `/api/v1/webhooks/${id}` })).status, 405);
    const t = await client.post("/api/v1/webhooks", {
      url: receiver.url,
      events: ["objbatch.job.created"],
      secret: SECRET,
    });
    const tested = await client.post(`/api/v1/webhooks/${t.json.id}/test`);
    assert.equal(tested.status, 200, tested.text);
    assert.equal(tested.json.outcome, "ok");
    assert.equal(tested.json.httpStatus, 204);
    assert.deepEqual(
      receiver.handled.map((a) => [a.id, a.event.type, a.verified]),
      [[tested.json.eventId, "objbatch.webhook.test", true]],
    );
    assert.equal((await client.delete(`/api/v1/webhooks/${t.json.id}`)).status, 204);
    assert.equal((await client.delete(`/api/v1/webhooks/${id}`)).status, 204);
    assert.equal((await client.get(`/api/v1/webhooks/${id}`)).status, 404);
  });

  it("delivers a job's events in order through a failing, then hanging, receiver", { timeout: 120_000 }, async () => {
    const again = await client.post("/api/v1/webhooks", {
      url: receiver.url,
      events: ["objbatch.job.created", "objbatch.job.status", "objbatch.job.progress", "objbatch.job.finished"],
      secret: SECRET,
    });
    assert.equal(again.status, 201, again.text);
    const verifying = receiver;
    verifying.arrivals.length = 0;
    verifying.handled.length = 0;
    verifying.plan = ["fail", "hang"];
    try {
      const untagged = await createJob();
      const tagged = await createJob([{ key: "team", value: "a" }]);
      const expected = [
        "objbatch.job.created",
        "objbatch.job.status",
        "objbatch.job.status",
        "objbatch.job.status",
        ...Array(10).fill("objbatch.job.progress"),
        "objbatch.job.status",
        "objbatch.job.status",
        "objbatch.job.finished",
      ];
      await verifying.waitFor(
        (r) => r.typesOf(untagged).length === expected.length && r.typesOf(tagged).length === expected.length,
        "both jobs' events",
        90_000,
      );
      assert.deepEqual(verifying.typesOf(untagged), expected);
      assert.deepEqual(verifying.typesOf(tagged), expected);
      assert.deepEqual(
        verifying.arrivals.slice(0, 2).map((a) => a.answered),
        ["fail", "hang"],
      );
      assert.ok(verifying.arrivals.every((a) => a.verified));
      const ids = verifying.handled.map((a) => a.id);
      assert.equal(new Set(ids).size, ids.length);
      const finished = verifying.handled.filter((a) => a.event.type === "objbatch.job.finished");
      for (const f of finished) {
        assert.equal(f.event.data.status, "Complete");
        assert.deepEqual(f.event.data.counts, { total: 30, succeeded: 30, failed: 0 });
      }

      const deliveries = await client.get(`/api/v1/webhooks/${again.json.id}/deliveries`, { limit: "500" });
      assert.equal(deliveries.status, 200);
      assert.equal(deliveries.json.deliveries.length, 2 * expected.length);
      // The receiver refused the first attempt and let the second hang. Both jobs start together, so those two
      // attempts may be one job's first event twice, or each job's first event once: either way, every refused or
      // hung attempt was made again, each delivery ended delivered with a 204, and no attempt was lost or added.
      type Delivery = { eventId: string; attempts: number; status: string; lastHttpStatus: number };
      const all = deliveries.json.deliveries as Delivery[];
      const refused = all.find((d) => d.eventId === verifying.arrivals[0].id);
      const hung = all.find((d) => d.eventId === verifying.arrivals[1].id);
      assert.ok(refused && hung, "the first two deliveries attempted are listed");
      assert.ok(refused.attempts >= 2 && hung.attempts >= 2, "each was tried again");
      assert.ok(all.every((d) => d.status === "delivered" && d.lastHttpStatus === 204));
      assert.equal(
        all.reduce((sum, d) => sum + d.attempts, 0),
        verifying.arrivals.length,
        "every attempt the receiver saw is counted, and only those",
      );
      assert.equal(verifying.arrivals.length, all.length + 2, "one 500 and one timeout: two attempts made again");

      await operatorReceiver.waitFor((r) => r.handled.length >= 1, "the operator's summary");
      assert.deepEqual(
        operatorReceiver.handled.map((a) => [a.event.type, a.event.subject]),
        [["objbatch.job.finished", tagged]],
      );
      const operatorDeliveries = await client.get("/api/v1/webhooks/config:ops/deliveries");
      assert.equal(operatorDeliveries.json.deliveries.length, 1);
    } finally {
      await client.delete(`/api/v1/webhooks/${again.json.id}`);
    }
  });
});
