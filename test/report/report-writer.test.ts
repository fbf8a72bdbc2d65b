import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import type { AccessControlList, Tag } from "../../src/domain/job.js";
import {
  REPORT_SCHEMA,
  reportManifestKey,
  resultFileKey,
  type WriteReportOptions,
  writeReport,
} from "../../src/report/report-writer.js";
import type {
  GetOptions,
  ListedObject,
  ObjectInfo,
  ObjectStorage,
  PutOptions,
  RestoreResult,
  WriteResult,
} from "../../src/storage/types.js";
import { StorageError } from "../../src/storage/types.js";

/**
 * A test double, not a storage backend: it implements only put and get (what the report writer uses),
 * reads put bodies the way a real backend would (as a stream, chunk by chunk) and records how they came.
 * Every other method throws.
 */
class PutGetOnlyMemoryStorage implements ObjectStorage {
  readonly description = "memory:test";
  readonly objects = new Map<string, { body: Buffer; contentType?: string; streamed: boolean }>();
  /** Fails the put of keys matching this after reading `failAfterChunks` chunks. */
  failKey?: RegExp;
  failAfterChunks = 0;
  /** Returns from put without reading the body (a broken backend). */
  skipBody = false;
  /** Called for every chunk a streamed body delivers. */
  onChunk?: (key: string, index: number) => void;

  async put(bucket: string, key: string, body: Buffer | string | Readable, options?: PutOptions): Promise<WriteResult> {
    const streamed = body instanceof Readable;
    let bytes: Buffer;
    if (body instanceof Readable) {
      if (this.skipBody) return { etag: '"skipped"' };
      const chunks: Buffer[] = [];
      for await (const chunk of body) {
        if (this.failKey?.test(key) && chunks.length >= this.failAfterChunks) {
          throw new StorageError("InternalError", 500, "disk on fire");
        }
        this.onChunk?.(key, chunks.length);
        chunks.push(chunk as Buffer);
      }
      bytes = Buffer.concat(chunks);
    } else {
      bytes = typeof body === "string" ? Buffer.from(body) : body;
    }
    this.objects.set(`${bucket}/${key}`, { body: bytes, contentType: options?.metadata?.contentType, streamed });
    return { etag: `"${createHash("md5").update(bytes).digest("hex")}"` };
  }

  async get(bucket: string, key: string, _options?: GetOptions): Promise<Readable> {
    const o = this.objects.get(`${bucket}/${key}`);
    if (!o) throw new StorageError("NoSuchKey", 404, "The specified key does not exist.");
    return Readable.from([o.body]);
  }

  text(bucket: string, key: string): string {
    const o = this.objects.get(`${bucket}/${key}`);
    assert.ok(o, `${bucket}/${key} was written`);
    return o.body.toString("utf8");
  }

  private unused(): never {
    throw new Error("not implemented by PutGetOnlyMemoryStorage");
  }
  bucketExists(_bucket: string): Promise<boolean> {
    this.unused();
  }
  putLegalHold(): Promise<void> {
    this.unused();
  }
  putRetention(): Promise<void> {
    this.unused();
  }
  createBucket(_bucket: string): Promise<void> {
    this.unused();
  }
  head(_bucket: string, _key: string): Promise<ObjectInfo> {
    this.unused();
  }
  copy(): Promise<WriteResult> {
    this.unused();
  }
  delete(): Promise<void> {
    this.unused();
  }
  getTagging(): Promise<Tag[]> {
    this.unused();
  }
  putTagging(): Promise<void> {
    this.unused();
  }
  deleteTagging(): Promise<void> {
    this.unused();
  }
  getAcl(): Promise<AccessControlList> {
    this.unused();
  }
  putAcl(): Promise<void> {
    this.unused();
  }
  restore(): Promise<RestoreResult> {
    this.unused();
  }
  list(): AsyncIterable<ListedObject> {
    this.unused();
  }
  async close(): Promise<void> {}
}

/** Parts as the store yields them, counting how many were pulled. */
function parts(list: readonly string[], pulled = { count: 0, returned: false }) {
  return {
    pulled,
    iterable: (async function* () {
      try {
        for (const p of list) {
          pulled.count++;
          yield p;
        }
      } finally {
        pulled.returned = true;
      }
    })(),
  };
}

const NOW = new Date("2024-05-06T07:08:09.123Z");
const JOB = "f8fb9d89-a3aa-461d-bddc-ea6a1b131955";

function options(over: Partial<WriteReportOptions> = {}): WriteReportOptions {
  return {
    jobId: JOB,
    reportBucket: "reports",
    prefix: "batch/out",
    format: "Report_CSV_20180820",
    scope: "AllTasks",
    succeededParts: parts(["b,k1,,succeeded,200,,Successful\n", "", "b,k2,,succeeded,200,,Successful\n"]).iterable,
    failedParts: parts(["b,k3,,failed,404,NoSuchKey,The specified key does not exist.\n"]).iterable,
    now: NOW,
    ...over,
  };
}

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

describe("writeReport", () => {
  it("writes succeeded and failed files and a manifest.json naming them", async () => {
    const storage = new PutGetOnlyMemoryStorage();
    const written = await writeReport(storage, options());

    const okKey = resultFileKey(JOB, "succeeded", "batch/out");
    const failKey = resultFileKey(JOB, "failed", "batch/out");
    assert.match(okKey, new RegExp(`^batch/out/job-${JOB}/results/[0-9a-f]{40}\\.csv$`));
    assert.notEqual(okKey, failKey);
    const okText = "b,k1,,succeeded,200,,Successful\nb,k2,,succeeded,200,,Successful\n";
    const failText = "b,k3,,failed,404,NoSuchKey,The specified key does not exist.\n";
    assert.equal(storage.text("reports", okKey), okText);
    assert.equal(storage.text("reports", failKey), failText);
    assert.equal(storage.objects.get(`reports/${okKey}`)?.streamed, true);
    assert.equal(storage.objects.get(`reports/${okKey}`)?.contentType, "text/csv");

    assert.equal(written.manifestKey, `batch/out/job-${JOB}/manifest.json`);
    const manifest = JSON.parse(storage.text("reports", written.manifestKey));
    assert.deepEqual(manifest, {
      Format: "Report_CSV_20180820",
      ReportCreationDate: "2024-05-06T07:08:09.123Z",
      Results: [
        { TaskExecutionStatus: "succeeded", Bucket: "reports", MD5Checksum: md5(okText), Key: okKey },
        { TaskExecutionStatus: "failed", Bucket: "reports", MD5Checksum: md5(failText), Key: failKey },
      ],
      ReportSchema: REPORT_SCHEMA,
    });
    assert.deepEqual(Object.keys(manifest), ["Format", "ReportCreationDate", "Results", "ReportSchema"]);
    assert.deepEqual(written.manifest, manifest);
  });

  it("writes only the failed file for FailedTasksOnly, without reading succeeded parts", async () => {
    const storage = new PutGetOnlyMemoryStorage();
    const succeeded = parts(["b,k1,,succeeded,200,,Successful\n"]);
    const written = await writeReport(
      storage,
      options({ scope: "FailedTasksOnly", succeededParts: succeeded.iterable }),
    );
    assert.equal(succeeded.pulled.count, 0);
    assert.deepEqual(
      written.manifest.Results.map((r) => r.TaskExecutionStatus),
      ["failed"],
    );
    assert.equal(storage.objects.has(`reports/${resultFileKey(JOB, "succeeded", "batch/out")}`), false);
  });

  it("skips a result file without rows but still writes manifest.json", async () => {
    const storage = new PutGetOnlyMemoryStorage();
    const written = await writeReport(storage, options({ failedParts: parts(["", ""]).iterable }));
    assert.deepEqual(
      written.manifest.Results.map((r) => r.TaskExecutionStatus),
      ["succeeded"],
    );
    assert.equal(storage.objects.size, 2);
    const none = new PutGetOnlyMemoryStorage();
    const empty = await writeReport(
      none,
      options({ succeededParts: parts([]).iterable, failedParts: parts([]).iterable, format: "Report_CSV_V1" }),
    );
    assert.deepEqual(empty.manifest.Results, []);
    assert.equal(JSON.parse(none.text("reports", empty.manifestKey)).Format, "Report_CSV_V1");
  });

  it("puts no leading slash without a prefix and drops trailing slashes", async () => {
    assert.equal(reportManifestKey("j1"), "job-j1/manifest.json");
    assert.equal(reportManifestKey("j1", ""), "job-j1/manifest.json");
    assert.equal(reportManifestKey("j1", "out/"), "out/job-j1/manifest.json");
    assert.match(resultFileKey("j1", "failed"), /^job-j1\/results\/[0-9a-f]{40}\.csv$/);
    const storage = new PutGetOnlyMemoryStorage();
    const written = await writeReport(storage, options({ prefix: undefined, format: undefined }));
    assert.equal(written.manifestKey, `job-${JOB}/manifest.json`);
    assert.equal(written.manifest.Format, "Report_CSV_20180820");
    assert.ok(written.manifest.Results.every((r) => r.Key.startsWith(`job-${JOB}/results/`)));
  });

  it("writes the same keys and bytes when run again", async () => {
    const storage = new PutGetOnlyMemoryStorage();
    const first = await writeReport(storage, options());
    const snapshot = new Map([...storage.objects].map(([k, v]) => [k, v.body.toString()]));
    const second = await writeReport(storage, options());
    assert.deepEqual(second, first);
    assert.deepEqual(new Map([...storage.objects].map(([k, v]) => [k, v.body.toString()])), snapshot);
  });

  it("streams many parts without reading them all first", async () => {
    const storage = new PutGetOnlyMemoryStorage();
    const row = "bucket,some/key,,succeeded,200,,Successful\n";
    const many = parts(Array.from({ length: 5000 }, () => row.repeat(100)));
    let pulledBeforeFirstChunk = -1;
    storage.onChunk = (_key, index) => {
      if (index === 0 && pulledBeforeFirstChunk === -1) pulledBeforeFirstChunk = many.pulled.count;
    };
    const written = await writeReport(storage, options({ succeededParts: many.iterable }));
    assert.ok(pulledBeforeFirstChunk >= 1 && pulledBeforeFirstChunk <= 3, `pulled ${pulledBeforeFirstChunk}`);
    const key = resultFileKey(JOB, "succeeded", "batch/out");
    const body = storage.objects.get(`reports/${key}`)?.body;
    assert.equal(body?.length, row.length * 100 * 5000);
    assert.equal(
      written.manifest.Results[0].MD5Checksum,
      createHash("md5")
        .update(body ?? "")
        .digest("hex"),
    );
  });

  it("fails when storage fails mid-file, and closes the parts", async () => {
    const storage = new PutGetOnlyMemoryStorage();
    storage.failKey = /results/;
    storage.failAfterChunks = 1;
    const succeeded = parts(["a\n", "b\n", "c\n", "d\n"]);
    await assert.rejects(writeReport(storage, options({ succeededParts: succeeded.iterable })), StorageError);
    assert.equal(succeeded.pulled.returned, true);
    assert.ok(succeeded.pulled.count < 4);
    assert.equal(storage.objects.size, 0);
  });

  it("fails when storage returns without reading the body", async () => {
    const storage = new PutGetOnlyMemoryStorage();
    storage.skipBody = true;
    await assert.rejects(writeReport(storage, options()), /before reading the whole report file/);
  });
});
