/**
 * The report flusher on real stores (SQLite and PostgreSQL) and a real LocalStorage: results files go up part by
 * part while chunks finish, roll over to further files, survive a flusher dying between any two steps, and
 * hold every row exactly once, in chunk order, with the MD5 the store recorded.
 */
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import type { TaskStatus } from "../../src/domain/task.js";
import { type FlushLimits, type ReportFileStore, ReportFlusher } from "../../src/report/report-flusher.js";
import { resultFileKey } from "../../src/report/report-writer.js";
import type { JobStore } from "../../src/store/job-store.js";
import { TEST_STORES, type TestStore } from "../helpers/stores.js";
import { type Fixture, fixture, text } from "../storage/local/helpers.js";
import { jobIn } from "../store/helpers.js";

const BUCKET = "reports";
const PREFIX = "out";

/** A row of `bytes` bytes (newline included) naming chunk `seq`, row `i`. */
function row(status: TaskStatus, seq: number, i: number, bytes = 100): string {
  const head = `b,chunk-${seq}/row-${i},,${status},200,,`;
  return `${head}${"x".repeat(Math.max(0, bytes - head.length - 1))}\n`;
}

/** The rows chunk `seq` produced: `perChunk` succeeded rows, and one failed row on every third chunk. */
function chunkRows(seq: number, perChunk: number) {
  const succeeded = Array.from({ length: perChunk }, (_, i) => row("succeeded", seq, i)).join("");
  const failed = seq % 3 === 0 ? row("failed", seq, 0) : null;
  return { succeeded, failed };
}

/** A store whose chosen method throws once, as if the process died right there. */
function dyingOnce(store: JobStore, method: keyof ReportFileStore): ReportFileStore & { died: boolean } {
  const wrapper = Object.create(store) as ReportFileStore & { died: boolean };
  wrapper.died = false;
  // biome-ignore lint/suspicious/noExplicitAny: replacing one method of the store
  (wrapper as any)[method] = async (..._args: unknown[]) => {
    if (!wrapper.died) {
      wrapper.died = true;
      throw new Error(`process died in ${method}`);
    }
    // biome-ignore lint/suspicious/noExplicitAny: the real method
    return (store as any)[method](..._args);
  };
  return wrapper;
}

for (const open of TEST_STORES) {
  describe(`ReportFlusher on ${open.name.replace("TestStore", "")}`, () => {
    let t: TestStore;
    let f: Fixture;
    let jobId: string;
    let chunks: number;

    before(async () => {
      t = await open();
    });
    after(async () => {
      await f?.cleanup();
      await t.dispose();
    });
    beforeEach(async () => {
      await f?.cleanup();
      f = await fixture([BUCKET]);
      jobId = (await jobIn(t.store, "Active")).jobId;
      chunks = 0;
    });

    async function addChunks(n: number) {
      await t.store.insertChunks(
        jobId,
        Array.from({ length: n }, (_, i) => ({
          seq: chunks + i,
          startByte: 0,
          endByte: 0,
          firstRecord: 0,
          records: 10,
        })),
      );
      chunks += n;
    }

    /** Runs and completes chunk `seq` with its rows (chunks are leased in order, so lease up to it). */
    async function finishChunks(perChunk: number, ...seqs: number[]) {
      for (const seq of seqs) {
        const leased = [];
        for (;;) {
          const c = await t.store.leaseChunk(jobId, randomUUID(), 1, 60_000);
          assert.ok(c, `chunk ${seq} is leasable`);
          leased.push(c);
          if (c.seq === seq) break;
        }
        for (const c of leased) {
          if (c.seq !== seq) {
            await t.store.releaseChunk(jobId, c.seq, c.leaseToken);
            continue;
          }
          const rows = chunkRows(seq, perChunk);
          const ok = await t.store.completeChunk(
            jobId,
            seq,
            c.leaseToken,
            {
              succeeded: perChunk,
              failed: rows.failed ? 1 : 0,
              succeededRows: rows.succeeded,
              failedRows: rows.failed,
            },
            2,
          );
          assert.equal(ok, true);
        }
      }
    }

    function flusher(limits: Partial<FlushLimits> = {}, store: ReportFileStore = t.store) {
      return new ReportFlusher(
        store,
        { jobId, bucket: BUCKET, prefix: PREFIX, storage: f.storage },
        { partBytes: 2_000, maxPartsPerFile: 10_000, ...limits },
      );
    }

    /** Every expected row of chunks 0..n-1 for `status`, in order. */
    function expected(status: TaskStatus, n: number, perChunk: number): string {
      let out = "";
      for (let seq = 0; seq < n; seq++) out += chunkRows(seq, perChunk)[status] ?? "";
      return out;
    }

    async function contents(status: TaskStatus) {
      const files = await t.store.reportFiles(jobId, status);
      const texts = [];
      for (const file of files) {
        const body = await text(await f.storage.get(BUCKET, file.key));
        assert.equal(file.md5, createHash("md5").update(body).digest("hex"), `MD5 of ${file.key}`);
        assert.equal(file.bytes, Buffer.byteLength(body));
        texts.push(body);
      }
      return { files, all: texts.join("") };
    }

    async function pendingUploads(): Promise<string[]> {
      const ids: string[] = [];
      for await (const u of f.storage.listMultipartUploads(BUCKET, "")) ids.push(u.uploadId);
      return ids;
    }

    it("uploads a part once an unbroken run of done chunks holds partBytes, and clears those rows", async () => {
      await addChunks(10);
      // 5 rows x 100 bytes per chunk: 4 chunks reach the 2,000-byte part.
      await finishChunks(5, 0, 1, 2);
      assert.equal(await flusher().flushReady("succeeded"), 0, "1,500 bytes are not a part yet");
      await finishChunks(5, 4);
      assert.equal(await flusher().flushReady("succeeded"), 0, "chunk 3 is not done: no part may skip it");
      await finishChunks(5, 3);
      const fl = flusher();
      assert.equal(await fl.flushReady("succeeded"), 1);

      const [file] = await t.store.reportFiles(jobId, "succeeded");
      assert.equal(file.key, resultFileKey(jobId, "succeeded", PREFIX, 0));
      assert.equal(file.parts.length, 1);
      assert.equal(file.throughSeq, 3);
      assert.equal(file.bytes, 2_000);
      assert.equal(file.completed, false);
      assert.deepEqual(await pendingUploads(), [file.uploadId]);
      await assert.rejects(f.storage.head(BUCKET, file.key), { code: "NoSuchKey" }, "invisible until completed");

      const left: string[] = [];
      for await (const text of t.store.rowsBetween(jobId, "succeeded", -1, 9)) left.push(text);
      assert.deepEqual(left, [chunkRows(4, 5).succeeded], "rows of chunks 0-3 left the store");
      assert.equal(await fl.flushReady("succeeded"), 0);
    });

    it("finishes with the rest as the last part; the file holds every row once, in order", async () => {
      await addChunks(12);
      await finishChunks(5, ...Array.from({ length: 12 }, (_, i) => i));
      assert.equal(await flusher().flushReady("succeeded"), 3);
      assert.equal(await flusher().flushReady("failed"), 0, "four failed rows are not a part");

      const succeeded = await flusher().finish("succeeded");
      const failed = await flusher().finish("failed");
      assert.equal(succeeded.length, 1);
      assert.equal(succeeded[0].parts.length, 3, "the last 2,000 bytes made the third part; nothing is left");
      assert.equal((await contents("succeeded")).all, expected("succeeded", 12, 5));
      assert.equal(failed.length, 1);
      assert.equal(failed[0].uploadId, null, "a small file never started is written with one PUT");
      assert.equal((await contents("failed")).all, expected("failed", 12, 5));
      assert.deepEqual(await pendingUploads(), []);
    });

    it("starts a further file when one has maxPartsPerFile parts", async () => {
      await addChunks(20);
      await finishChunks(5, ...Array.from({ length: 20 }, (_, i) => i));
      const limits = { maxPartsPerFile: 2 };
      assert.equal(await flusher(limits).flushReady("succeeded"), 5);
      const files = await flusher(limits).finish("succeeded");
      assert.deepEqual(
        files.map((file) => [file.index, file.parts.length, file.completed]),
        [
          [0, 2, true],
          [1, 2, true],
          [2, 1, true],
        ],
      );
      assert.equal(new Set(files.map((file) => file.key)).size, 3);
      assert.equal(files[1].key, resultFileKey(jobId, "succeeded", PREFIX, 1));
      assert.equal((await contents("succeeded")).all, expected("succeeded", 20, 5));
    });

    it("a flusher that died after uploading a part and before recording it is followed without a duplicate", async () => {
      await addChunks(8);
      await finishChunks(5, ...Array.from({ length: 8 }, (_, i) => i));
      const dying = dyingOnce(t.store, "recordReportPart");
      await assert.rejects(flusher({}, dying).flushReady("succeeded"), /died in recordReportPart/);
      const [file] = await t.store.reportFiles(jobId, "succeeded");
      assert.equal(file.parts.length, 0, "the part was uploaded but never recorded");

      assert.equal(await flusher().flushReady("succeeded"), 2, "the same part number is uploaded again");
      await flusher().finish("succeeded");
      assert.equal((await contents("succeeded")).all, expected("succeeded", 8, 5));
    });

    it("an upload started but never recorded is aborted when the report is finished", async () => {
      await addChunks(4);
      await finishChunks(5, 0, 1, 2, 3);
      const dying = dyingOnce(t.store, "startReportFile");
      await assert.rejects(flusher({}, dying).flushReady("succeeded"), /died in startReportFile/);
      assert.equal((await pendingUploads()).length, 1, "the orphan upload");

      assert.equal(await flusher().flushReady("succeeded"), 1);
      await flusher().finish("succeeded");
      assert.deepEqual(await pendingUploads(), [], "the orphan was aborted");
      assert.equal((await contents("succeeded")).all, expected("succeeded", 4, 5));
    });

    it("a file completed by a flusher that died before recording it is recognised, not lost", async () => {
      await addChunks(6);
      await finishChunks(5, ...Array.from({ length: 6 }, (_, i) => i));
      await flusher().flushReady("succeeded");
      const dying = dyingOnce(t.store, "completeReportFile");
      await assert.rejects(flusher({}, dying).finish("succeeded"), /died in completeReportFile/);
      const [file] = await t.store.reportFiles(jobId, "succeeded");
      assert.equal(file.completed, false);

      const files = await flusher().finish("succeeded");
      assert.equal(files.length, 1);
      assert.equal((await contents("succeeded")).all, expected("succeeded", 6, 5));
    });

    it("two flushers racing write each part once", async () => {
      await addChunks(16);
      await finishChunks(5, ...Array.from({ length: 16 }, (_, i) => i));
      const results = await Promise.allSettled([flusher().flushReady("succeeded"), flusher().flushReady("succeeded")]);
      const written = results.map((r) => (r.status === "fulfilled" ? r.value : 0));
      assert.ok(written[0] + written[1] >= 1);
      await flusher().finish("succeeded");
      assert.equal((await contents("succeeded")).all, expected("succeeded", 16, 5));
    });

    it("a flusher that read the files before another one moved on uploads nothing stale", async () => {
      await addChunks(16);
      await finishChunks(5, ...Array.from({ length: 16 }, (_, i) => i));
      const onePart = () => {
        let checks = 0;
        return () => checks++ >= 1;
      };
      assert.equal(await flusher().flushReady("succeeded", onePart()), 1);
      const stale = await t.store.reportFiles(jobId, "succeeded");
      assert.equal(await flusher().flushReady("succeeded", onePart()), 1, "part 2 recorded, chunks 4-7 cleared");

      // B read the files when only part 1 was there, then went on after part 2 was recorded.
      const late = Object.create(t.store) as ReportFileStore;
      let first = true;
      late.reportFiles = async (...args) => {
        if (first) {
          first = false;
          return stale;
        }
        return t.store.reportFiles(...args);
      };
      await flusher({}, late).flushReady("succeeded");
      await flusher().finish("succeeded");
      assert.equal((await contents("succeeded")).all, expected("succeeded", 16, 5));
    });

    it("a part whose rows another flusher recorded while it went up is refused, never kept short", async () => {
      await addChunks(16);
      await finishChunks(5, ...Array.from({ length: 16 }, (_, i) => i));
      // A measures its part, then, as it streams the part up (its second read of the rows), B writes and
      // records that same part, which clears the rows: A's body ends short.
      const racing = Object.create(t.store) as ReportFileStore;
      let reads = 0;
      racing.rowsBetween = async function* (...args) {
        if (++reads === 2) {
          let checks = 0;
          assert.equal(await flusher().flushReady("succeeded", () => checks++ >= 1), 1);
        }
        yield* t.store.rowsBetween(...args);
      };
      await assert.rejects(flusher({}, racing).flushReady("succeeded"), { code: "IncompleteBody" });
      const [file] = await t.store.reportFiles(jobId, "succeeded");
      assert.equal(file.parts.length, 1, "B's part alone is recorded");
      await flusher().finish("succeeded");
      assert.equal((await contents("succeeded")).all, expected("succeeded", 16, 5));
      assert.deepEqual(readdirSync(join(f.dataDir, "tmp")), [], "A's short part left no file behind");
    });

    it("writes no file for a status without rows", async () => {
      await addChunks(2);
      await finishChunks(5, 1);
      assert.deepEqual(await flusher().finish("failed"), [], "chunk 0 never ran and chunk 1 failed nothing");
      assert.deepEqual(await t.store.reportFiles(jobId, "failed"), []);
    });
  });
}
