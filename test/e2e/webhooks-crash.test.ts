/**
 * kill -9 between a job's changes and their webhook deliveries (D42): `objbatch serve` runs a job to Complete
 * while the receiver refuses every delivery (500), so every event of the job is written and none delivered; the
 * server is killed without warning and started again on the same data dir, the receiver comes back, and every
 * event arrives, signed, once (by id), in order: created, each status move, the ten progress milestones, the
 * summary.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT } from "../helpers/app.js";
import { DocumentChecker, type Json, JsonApiClient } from "../helpers/json-api.js";
import { freePort, startServe } from "../helpers/process.js";
import { WebhookReceiver } from "../helpers/webhook-receiver.js";

const TASKS = 40;
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("webhooks across a kill -9 of objbatch serve", () => {
  let dataDir: string;
  let receiver: WebhookReceiver;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "objbatch-webhook-crash-"));
    const src = join(dataDir, "buckets", "src");
    await mkdir(join(src, "in"), { recursive: true });
    await mkdir(join(dataDir, "buckets", "dst"), { recursive: true });
    const keys = Array.from({ length: TASKS }, (_, i) => `in/${i}.txt`);
    for (const key of keys) await writeFile(join(src, key), `object ${key}\n`);
    await writeFile(join(src, "manifest.csv"), `${keys.map((k) => `src,${k}`).join("\n")}\n`);
    receiver = await new WebhookReceiver(SECRET).start();
    await writeFile(
      join(dataDir, "config.json"),
      JSON.stringify({
        notifications: {
          allowedHosts: ["127.0.0.1"],
          pollIntervalMs: 20,
          backoffBaseMs: 20,
          backoffMaxMs: 100,
          timeoutMs: 1_000,
          webhooks: [
            {
              id: "all",
              accountId: ROOT.accountId,
              url: receiver.url,
              events: ["objbatch.job.created", "objbatch.job.status", "objbatch.job.progress", "objbatch.job.finished"],
              secret: SECRET,
            },
          ],
        },
      }),
    );
  });
  after(async () => {
    await receiver.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("loses no event and repeats none to a deduplicating receiver", { timeout: 180_000 }, async () => {
    const port = await freePort();
    const env = { OBJBATCH_CONFIG: join(dataDir, "config.json"), OBJBATCH_CHUNK_SIZE: "4", OBJBATCH_LEASE_MS: "2000" };
    receiver.mode = "fail";
    const first = await startServe(dataDir, port, env);
    let jobId = "";
    try {
      const client = new JsonApiClient(first.url, ROOT, await DocumentChecker.load(first.url));
      const created = await client.post("/api/v1/jobs", {
        operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::dst" },
        manifest: {
          format: "S3BatchOperations_CSV_20180820",
          fields: ["Bucket", "Key"],
          location: { bucket: "arn:aws:s3:::src", key: "manifest.csv" },
        },
        report: { enabled: false },
      });
      assert.equal(created.status, 201, created.text);
      jobId = created.json.jobId;
      let status = "";
      for (const deadline = Date.now() + 120_000; Date.now() < deadline && status !== "Complete"; await sleep(50)) {
        status = (await client.get(`/api/v1/jobs/${jobId}`)).json.status;
      }
      assert.equal(status, "Complete");
      await receiver.waitFor((r) => r.arrivals.length >= 2, "the first event refused, and retried");
      assert.equal(receiver.handled.length, 0, "nothing delivered before the kill");
    } finally {
      first.child.kill("SIGKILL");
    }
    const { signal } = await first.exited;
    assert.equal(signal, "SIGKILL");

    receiver.mode = "ok";
    const second = await startServe(dataDir, port, env);
    try {
      await receiver.waitFor((r) => r.typesOf(jobId).includes("objbatch.job.finished"), "the summary", 120_000);
      const events: Json[] = receiver.handled.map((a) => a.event);
      assert.ok(receiver.arrivals.every((a) => a.verified));
      const ids = receiver.handled.map((a) => a.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.equal(events[0].type, "objbatch.job.created");
      assert.equal(events.at(-1).type, "objbatch.job.finished");
      assert.deepEqual(events.at(-1).data.counts, { total: TASKS, succeeded: TASKS, failed: 0 });
      assert.deepEqual(
        events.filter((e) => e.type === "objbatch.job.status").map((e) => `${e.data.from}->${e.data.to}`),
        ["New->Preparing", "Preparing->Ready", "Ready->Active", "Active->Completing", "Completing->Complete"],
      );
      assert.deepEqual(
        events.filter((e) => e.type === "objbatch.job.progress").map((e) => e.data.percent),
        [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
      );
      assert.equal(events.length, 17);
      const order = events.map((e) => Number(String(e.id).replace("-finished", ".5")));
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        "in the order the events were written",
      );
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });
});
