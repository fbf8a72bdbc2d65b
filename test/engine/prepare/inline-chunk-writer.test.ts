/**
 * engine/prepare/inline-chunk-writer.ts on real SQLite and PostgreSQL: tasks of a generated or inventory
 * manifest are cut into chunks of chunkSize, kept inline in their rows (the byte range unused, 0..0), with
 * their first record and count; nothing reaches the store until a batch of chunks is due (add() then returns
 * the write to await, and only then), end() hands back the rest for the preparer to record as it finishes
 * (store/jobs/finish-preparation.ts); once the preparer's claim is lost, writing throws ABANDONED and nothing more
 * is recorded.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { failed } from "../../../src/domain/task.js";
import { makeJobContext } from "../../../src/engine/job-context.js";
import { holdClaim } from "../../../src/engine/phase-claim.js";
import { InlineChunkWriter } from "../../../src/engine/prepare/inline-chunk-writer.js";
import { ABANDONED, type PrepareRun } from "../../../src/engine/prepare/run.js";
import { inlineTask, invalidInlineTask, parseInlineTasks } from "../../../src/manifest/inline-tasks.js";
import { waitFor } from "../../helpers/held-sockets.js";
import { TEST_STORES } from "../../helpers/stores.js";
import { activate, jobIn } from "../../store/helpers.js";
import { ACCOUNT, type PrepareEnv, prepareEnv } from "../helpers.js";

for (const open of TEST_STORES) {
  describe(`InlineChunkWriter (${open.name.replace("TestStore", "")})`, () => {
    let env: PrepareEnv;
    before(async () => {
      env = await prepareEnv(open, { leaseMs: 150 });
    });
    after(() => env.dispose());

    async function preparing(chunkSize: number): Promise<PrepareRun> {
      const { jobId } = await jobIn(env.t.store, "Preparing", { accountId: ACCOUNT });
      assert.ok(await env.t.store.claimPhase(jobId, "Preparing", env.deps.owner, Date.now(), 150));
      const deps = { ...env.deps, options: { ...env.deps.options, chunkSize } };
      const job = (await env.t.store.getJob(jobId))!;
      return {
        deps,
        jobId,
        context: makeJobContext(job, env.storage, env.deps.accounts),
        claim: holdClaim(deps, jobId, "Preparing"),
      };
    }

    /** Runs `body` with a writer for a new job in Preparing, whose claim is given up afterwards. */
    async function writing(chunkSize: number, body: (writer: InlineChunkWriter, run: PrepareRun) => Promise<void>) {
      const run = await preparing(chunkSize);
      try {
        await body(new InlineChunkWriter(run), run);
      } finally {
        await run.claim.release();
      }
    }

    const stored = async (jobId: string) => (await env.t.store.countChunks(jobId, Date.now())).pending;

    /** Every chunk of the job, leased in order once it is Active, as the runner sees it. */
    async function chunksOf(jobId: string) {
      const chunks = [];
      await activate(env.t.store, jobId, Date.now());
      for (;;) {
        const c = await env.t.store.leaseChunk(jobId, randomUUID(), Date.now(), 60_000);
        if (!c) return chunks;
        chunks.push({
          seq: c.seq,
          range: [c.startByte, c.endByte],
          firstRecord: c.firstRecord,
          records: c.records,
          tasks: parseInlineTasks(c.tasks!),
        });
      }
    }

    it("cuts the tasks into chunks of chunkSize, kept inline with their first record, the last one partial", async () => {
      await writing(3, async (writer, run) => {
        const tasks = [
          inlineTask("things", "a"),
          inlineTask("things", "dir/b c+d.txt"),
          inlineTask("things", "e", "v-2"),
          invalidInlineTask("things", "%ZZ", "InvalidManifestContent", "The key is not URL-encoded"),
          inlineTask("other", "取消 ✓"),
        ];
        for (const task of tasks) assert.equal(writer.add(task), undefined, "no write due");
        assert.equal(await stored(run.jobId), 0, "nothing written before a batch is due");
        const last = writer.end();
        assert.deepEqual([writer.total, writer.chunks, last.length], [5, 2, 2]);
        assert.equal(await stored(run.jobId), 0, "the last chunks are the preparer's to record");
        await env.t.store.insertChunks(run.jobId, last);
        const chunks = await chunksOf(run.jobId);
        assert.deepEqual(
          chunks.map((c) => [c.seq, c.range, c.firstRecord, c.records]),
          [
            [0, [0, 0], 0, 3],
            [1, [0, 0], 3, 2],
          ],
        );
        assert.deepEqual(
          chunks.flatMap((c) => c.tasks),
          [
            { task: { bucket: "things", key: "a" } },
            { task: { bucket: "things", key: "dir/b c+d.txt" } },
            { task: { bucket: "things", key: "e", versionId: "v-2" } },
            {
              task: { bucket: "things", key: "%ZZ", versionId: undefined },
              invalid: failed(400, "InvalidManifestContent", "The key is not URL-encoded"),
            },
            { task: { bucket: "other", key: "取消 ✓" } },
          ],
        );
      });
    });

    it("writes a batch of chunks when one is due, and add() hands back that write to await", async () => {
      await writing(1, async (writer, run) => {
        for (let i = 0; i < 99; i++) assert.equal(writer.add(inlineTask("things", `k${i}`)), undefined);
        assert.equal(await stored(run.jobId), 0);
        const due = writer.add(inlineTask("things", "k99"));
        assert.ok(due instanceof Promise, "the 100th chunk makes a batch");
        await due;
        assert.equal(await stored(run.jobId), 100);
        assert.equal(writer.add(inlineTask("things", "k100")), undefined);
        const last = writer.end();
        assert.deepEqual([writer.total, writer.chunks, await stored(run.jobId)], [101, 101, 100]);
        assert.deepEqual(
          last.map((c) => [c.seq, c.firstRecord, c.records]),
          [[100, 100, 1]],
        );
      });
    });

    it("hands back nothing for a manifest without tasks", async () => {
      await writing(3, async (writer, run) => {
        assert.deepEqual(writer.end(), []);
        assert.deepEqual([writer.total, writer.chunks, await stored(run.jobId)], [0, 0, 0]);
      });
    });

    it("throws ABANDONED once the claim is lost, and writes nothing more", async () => {
      await writing(1, async (writer, run) => {
        for (let i = 0; i < 100; i++) await writer.add(inlineTask("things", `k${i}`));
        assert.equal(await stored(run.jobId), 100);
        assert.ok(await env.t.store.transition(run.jobId, "Preparing", "Cancelling", Date.now()));
        await waitFor(() => run.claim.lost, "the claim to be lost", 10_000);
        for (let i = 100; i < 199; i++) assert.equal(writer.add(inlineTask("things", `k${i}`)), undefined);
        await assert.rejects(
          async () => writer.add(inlineTask("things", "k199")),
          (e) => e === ABANDONED,
        );
        assert.equal(await stored(run.jobId), 100);
      });
    });
  });
}
