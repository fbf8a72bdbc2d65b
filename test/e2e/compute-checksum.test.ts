/**
 * ComputeObjectChecksum end to end: a real objbatch (engine on worker threads, SQLite, local storage) runs a
 * job over a CSV manifest and the completion report carries each object's checksum as JSON in ResultMessage.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { jobSpec, waitUntilDone } from "./batch-job-spec.js";
import { dropFiles, makeBuckets, readReport, writeManifest } from "./helpers.js";

describe("ComputeObjectChecksum job end to end", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ engine: { chunkSize: 2, pollMs: 20 } });
    await makeBuckets(app, "data", "reports");
  });
  after(() => app.dispose());

  it("writes every object's checksum into the completion report", async () => {
    const files = { "check/123456789.txt": "123456789", "check/empty.txt": "", "docs/a b+c.md": "# hello\n" };
    await dropFiles(app, "data", files);
    const keys = [...Object.keys(files), "check/missing.txt"];
    await writeManifest(app, "data", "manifests/checksum.csv", "data", keys);

    const { jobId } = await app.service.createJob(
      jobSpec(
        { kind: "ComputeObjectChecksum", algorithm: "SHA256", checksumType: "FULL_OBJECT" },
        "data",
        "manifests/checksum.csv",
        "reports",
      ),
      "reuse",
    );
    const job = await waitUntilDone(app, jobId);
    assert.equal(job.status, "Complete");
    assert.deepEqual([job.progress.total, job.progress.succeeded, job.progress.failed], [4, 3, 1]);

    const { manifest, rows } = await readReport(app, "reports", "reports", jobId);
    assert.equal(manifest.Format, "Report_CSV_20180820");
    assert.equal(rows.length, 4);
    for (const [key, body] of Object.entries(files)) {
      const row = rows.find((r) => r.key === key);
      assert.ok(row, key);
      assert.deepEqual([row.status, row.httpStatus, row.errorCode], ["succeeded", "200", ""]);
      const digest = createHash("sha256").update(body).digest();
      assert.deepEqual(JSON.parse(row.message), {
        algorithm: "SHA256",
        checksumType: "FULL_OBJECT",
        base64: digest.toString("base64"),
        hex: digest.toString("hex"),
      });
    }
    const missing = rows.find((r) => r.key === "check/missing.txt");
    assert.deepEqual([missing?.status, missing?.httpStatus, missing?.errorCode], ["failed", "404", "NoSuchKey"]);
  });

  it("fails every task with a 400 row for an algorithm objbatch does not compute", async () => {
    await dropFiles(app, "data", { "x/1.txt": "1" });
    await writeManifest(app, "data", "manifests/xx.csv", "data", ["x/1.txt"]);
    const { jobId } = await app.service.createJob(
      jobSpec({ kind: "ComputeObjectChecksum", algorithm: "XXHASH3" }, "data", "manifests/xx.csv", "reports"),
      "reuse",
    );
    await waitUntilDone(app, jobId);
    const { rows } = await readReport(app, "reports", "reports", jobId);
    assert.deepEqual(
      rows.map((r) => [r.key, r.status, r.httpStatus, r.errorCode]),
      [["x/1.txt", "failed", "400", "InvalidRequest"]],
    );
    assert.match(rows[0].message, /XXHASH3 is not supported/);
  });
});
