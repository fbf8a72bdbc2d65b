/**
 * JobPreviewer without HTTP: previews run a few at a time, and one more is refused as ServiceUnavailable (the
 * JSON API's 503 busy) rather than queued behind reads that may take their whole time bound.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Account } from "../../src/accounts/types.js";
import type { JobSpec } from "../../src/domain/job.js";
import { JobPreviewer } from "../../src/preview/job-preview.js";
import { LocalStorage } from "../../src/storage/local/local-storage.js";
import type { ObjectStorage } from "../../src/storage/types.js";

const ACCOUNT: Account = { id: "1", keys: [], buckets: ["*"] };

const SPEC = {
  accountId: "1",
  dialect: "json",
  clientRequestToken: "t",
  confirmationRequired: false,
  priority: 10,
  roleArn: "",
  operation: { kind: "DeleteObject" },
  manifest: {
    format: "S3BatchOperations_CSV_20180820",
    fields: ["Bucket", "Key"],
    location: { bucket: { arn: "arn:aws:s3:::m", bucket: "m" }, key: "m.csv" },
  },
  report: { enabled: false },
} as JobSpec;

describe("JobPreviewer", () => {
  it("refuses a preview beyond maxConcurrent as ServiceUnavailable, and takes one again once one ends", async () => {
    const dir = await mkdtemp(join(tmpdir(), "objbatch-previewer-"));
    const local = new LocalStorage({ dataDir: dir });
    try {
      await local.createBucket("m");
      await local.put("m", "m.csv", "m,k\n");
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let waiting = 0;
      // HEADs of the manifest wait until released, so the first two previews stay running.
      const storage: ObjectStorage = Object.assign(Object.create(local) as ObjectStorage, {
        head: async (b: string, k: string, v?: string) => {
          waiting++;
          await held;
          return local.head(b, k, v);
        },
      });
      const previewer = new JobPreviewer({ storage, maxConcurrent: 2 });
      const options = { sample: 1, timeoutMs: 1000 };
      const running = [previewer.preview(SPEC, ACCOUNT, options), previewer.preview(SPEC, ACCOUNT, options)];
      await assert.rejects(previewer.preview(SPEC, ACCOUNT, options), { kind: "ServiceUnavailable" });
      while (waiting < 2) await new Promise((r) => setImmediate(r));
      release();
      for (const p of await Promise.all(running)) assert.equal(p.taskCount, 1);
      assert.equal((await previewer.preview(SPEC, ACCOUNT, options)).taskCount, 1);
    } finally {
      await local.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
