/**
 * Report keys and manifest.json (docs/decisions.md D11), written to a real LocalStorage.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  REPORT_SCHEMA,
  reportManifestKey,
  resultFileKey,
  writeReportManifest,
} from "../../src/report/report-writer.js";
import { type Fixture, fixture, text } from "../storage/local/helpers.js";

const NOW = new Date("2024-05-06T07:08:09.123Z");
const JOB = "f8fb9d89-a3aa-461d-bddc-ea6a1b131955";

describe("report keys", () => {
  it("puts no leading slash without a prefix and drops trailing slashes", () => {
    assert.equal(reportManifestKey("j1"), "job-j1/manifest.json");
    assert.equal(reportManifestKey("j1", ""), "job-j1/manifest.json");
    assert.equal(reportManifestKey("j1", "out/"), "out/job-j1/manifest.json");
    assert.match(resultFileKey("j1", "failed"), /^job-j1\/results\/[0-9a-f]{40}\.csv$/);
    assert.match(
      resultFileKey(JOB, "succeeded", "batch/out"),
      new RegExp(`^batch/out/job-${JOB}/results/[0-9a-f]{40}\\.csv$`),
    );
  });

  it("gives each status and each file number its own stable key", () => {
    const keys = [
      resultFileKey(JOB, "succeeded"),
      resultFileKey(JOB, "failed"),
      resultFileKey(JOB, "succeeded", undefined, 1),
      resultFileKey(JOB, "failed", undefined, 1),
      resultFileKey(JOB, "succeeded", undefined, 2),
    ];
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(resultFileKey(JOB, "succeeded", undefined, 0), keys[0]);
    assert.equal(resultFileKey(JOB, "succeeded", undefined, 1), keys[2]);
  });
});

describe("writeReportManifest", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(["reports"]);
  });
  after(() => f.cleanup());

  it("writes manifest.json with AWS's fields in AWS's order", async () => {
    const results = [
      { TaskExecutionStatus: "succeeded" as const, Bucket: "reports", MD5Checksum: "a".repeat(32), Key: "k1" },
      { TaskExecutionStatus: "failed" as const, Bucket: "reports", MD5Checksum: "b".repeat(32), Key: "k2" },
    ];
    const written = await writeReportManifest(f.storage, {
      jobId: JOB,
      reportBucket: "reports",
      prefix: "batch/out",
      format: "Report_CSV_V1",
      results,
      now: NOW,
    });
    assert.equal(written.manifestKey, `batch/out/job-${JOB}/manifest.json`);
    const stored = JSON.parse(await text(await f.storage.get("reports", written.manifestKey)));
    assert.deepEqual(stored, {
      Format: "Report_CSV_V1",
      ReportCreationDate: "2024-05-06T07:08:09.123Z",
      Results: results,
      ReportSchema: REPORT_SCHEMA,
    });
    assert.deepEqual(Object.keys(stored), ["Format", "ReportCreationDate", "Results", "ReportSchema"]);
    assert.equal((await f.storage.head("reports", written.manifestKey)).metadata.contentType, "application/json");
  });

  it("names the AWS format when the job gave none, and may list no results", async () => {
    const written = await writeReportManifest(f.storage, {
      jobId: JOB,
      reportBucket: "reports",
      results: [],
      now: NOW,
    });
    assert.equal(written.manifestKey, `job-${JOB}/manifest.json`);
    assert.equal(written.manifest.Format, "Report_CSV_20180820");
    assert.deepEqual(written.manifest.Results, []);
  });
});
