/**
 * A chunk that shutdown cuts short comes back "aborted" (given back, run again from the start by the next
 * holder), never "done" with the tasks it did not start left out: recorded as done, those would be lost and the
 * job would complete without them. The tasks' results array has holes where no task started, so the check must
 * count results rather than ask `some(r => r === undefined)`, which skips holes. Real local storage, with one
 * object's deletion held until the test lets it go, so the abort lands while the chunk runs.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InProcessExecutor } from "../../src/engine/in-process-executor.js";
import { encodeInlineTasks, inlineTask } from "../../src/manifest/inline-tasks.js";
import type { ObjectStorage } from "../../src/storage/types.js";
import { TEST_STORES } from "../helpers/stores.js";
import { baseSpec, dropObjects, makeBucket, type PrepareEnv, prepareEnv, writeCsvManifest } from "./helpers.js";

describe("a chunk cut short by shutdown", () => {
  let env: PrepareEnv;
  before(async () => {
    env = await prepareEnv(TEST_STORES[0]!, { taskConcurrency: 1 });
    await makeBucket(env, "things");
    await dropObjects(env, "things", { a: "a", b: "b", c: "c", d: "d", e: "e" });
  });
  after(() => env.dispose());

  it("comes back aborted when tasks never started, so none of them is lost", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reachedB!: () => void;
    const atB = new Promise<void>((resolve) => {
      reachedB = resolve;
    });
    const storage: ObjectStorage = Object.create(env.storage, {
      delete: {
        value: async (bucket: string, key: string, versionId?: string) => {
          if (key === "b") {
            reachedB();
            await held;
          }
          return env.storage.delete(bucket, key, versionId);
        },
      },
    });
    const executor = new InProcessExecutor(storage, env.deps.accounts, env.deps.options, env.deps.log);
    const manifest = await writeCsvManifest(env, "things", "m.csv", ["a"]);
    const { jobId } = await env.service.createJob(baseSpec({ manifest, operation: { kind: "DeleteObject" } }), "reuse");
    const job = (await env.t.store.getJob(jobId, Date.now()))!;
    const tasks = encodeInlineTasks(["a", "b", "c", "d", "e"].map((k) => inlineTask("things", k)));

    const running = executor.execute(job, { seq: 0, startByte: 0, endByte: 0, firstRecord: 0, tasks });
    await atB;
    executor.abort();
    release();
    const execution = await running;
    assert.equal(execution.kind, "aborted");
    // c, d and e were never touched.
    for (const key of ["c", "d", "e"]) assert.ok(await env.storage.head("things", key));
  });

  it("is done when every task ran before the abort", async () => {
    const executor = new InProcessExecutor(env.storage, env.deps.accounts, env.deps.options, env.deps.log);
    const manifest = await writeCsvManifest(env, "things", "m2.csv", ["c"]);
    const { jobId } = await env.service.createJob(baseSpec({ manifest, operation: { kind: "DeleteObject" } }), "reuse");
    const job = (await env.t.store.getJob(jobId, Date.now()))!;
    const tasks = encodeInlineTasks(["c", "d"].map((k) => inlineTask("things", k)));
    const execution = await executor.execute(job, { seq: 0, startByte: 0, endByte: 0, firstRecord: 0, tasks });
    executor.abort();
    assert.equal(execution.kind, "done");
    assert.equal(execution.kind === "done" && execution.results.succeeded, 2);
  });
});
