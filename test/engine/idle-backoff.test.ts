/**
 * The engine's idle backoff: while its looks find nothing to do, each waits twice as long as the one before, up
 * to idlePollMs; a job created through this process's service wakes it at once. The loop's waits run on mocked
 * timers, so nothing here depends on how fast the machine is: a look happens exactly when the mocked clock reaches
 * it, and the woken job finishes long before the next look would have come by itself.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it, mock, test } from "node:test";
import { Engine, idleWait } from "../../src/engine/engine.js";
import { InProcessExecutor } from "../../src/engine/in-process-executor.js";
import { JobService } from "../../src/service/job-service.js";
import { sqliteTestStore } from "../helpers/stores.js";
import { baseSpec, bucketRef, dropObjects, makeBucket, prepareEnv } from "./helpers.js";

test("idle looks wait twice as long each time, from pollMs up to idlePollMs, never below pollMs", () => {
  const options = { pollMs: 250, idlePollMs: 2000 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 60].map((n) => idleWait(n, options)),
    [250, 500, 1000, 2000, 2000, 2000, 2000],
  );
  assert.equal(idleWait(3, { pollMs: 250, idlePollMs: 100 }), 250);
});

/** Lets real I/O and immediates run until `done` (mocked timers do not move meanwhile). */
async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (!(await done())) {
    if (performance.now() > deadline) assert.fail(`never: ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

describe("an idle engine", () => {
  it("backs off while it finds nothing, and runs a job created through its service at once", async () => {
    const env = await prepareEnv(sqliteTestStore, { pollMs: 100, idlePollMs: 3_600_000 });
    mock.timers.enable({ apis: ["setTimeout"] });
    let engine: Engine | undefined;
    try {
      const store = env.t.store;
      let looks = 0;
      const schedulable = store.schedulableJobStates.bind(store);
      store.schedulableJobStates = (...args: Parameters<typeof schedulable>) => {
        looks++;
        return schedulable(...args);
      };
      const executor = new InProcessExecutor(env.storage, env.deps.accounts, env.deps.options, env.deps.log);
      engine = new Engine({ ...env.deps, executor });
      const woken = engine;
      const service = new JobService({
        store,
        accounts: env.deps.accounts,
        maxUnfinishedJobs: 1000,
        onChange: (change) => woken.wake(change),
      });
      engine.start();
      await until("the first look", () => looks === 1);

      // The first look found nothing: the next comes after 200 ms, then 400, 800, 1,600 (pollMs 100, doubled).
      for (const wait of [200, 400, 800, 1600]) {
        const before = looks;
        mock.timers.tick(wait - 1);
        for (let i = 0; i < 50; i++) await new Promise<void>((resolve) => setImmediate(resolve));
        assert.equal(looks, before, `no look before ${wait} ms`);
        mock.timers.tick(1);
        await until(`the look after ${wait} ms`, () => looks === before + 1);
      }

      // The next look would come 3,200 ms from now. A job created through the service is prepared, run and
      // finished well before, on wakes alone (and looks pollMs apart while it runs).
      await makeBucket(env, "things");
      await dropObjects(env, "things", { a: "a" });
      await writeFile(join(env.dataDir, "buckets", "things", "manifest.csv"), "things,a\n");
      const { jobId } = await service.createJob(
        baseSpec({
          confirmationRequired: false,
          manifest: {
            format: "S3BatchOperations_CSV_20180820",
            fields: ["Bucket", "Key"],
            location: { bucket: bucketRef("things"), key: "manifest.csv" },
          },
        }),
        "reuse",
      );
      let advanced = 0;
      await until("the job to be Complete", async () => {
        if ((await store.getJob(jobId))?.status === "Complete") return true;
        if (advanced < 3_100) {
          mock.timers.tick(10);
          advanced += 10;
        }
        return false;
      });
      assert.ok(advanced < 3_100, `the job finished after ${advanced} ms of the mocked clock`);
    } finally {
      mock.timers.reset();
      await engine?.stop();
      await env.dispose();
    }
  });
});
