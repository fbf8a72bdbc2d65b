/**
 * COS jobs end to end: a real objbatch (HTTP, engine, SQLite, local directory storage), requests signed by the
 * official COS SDK's signer, and each operation's effect checked on the objects and in the report.
 *
 * Over 400 lines: one running objbatch serves every COS operation's job, each a short describe of its own; split
 * into files, each would start and stop its own server for a few assertions.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SEED_CREATE_JOB_BODY } from "../api/fixtures/cos-seeds.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { cosRequest } from "../helpers/cos-client.js";
import {
  createJob,
  createJobXml,
  describe as describeJob,
  dropFiles,
  makeBuckets,
  readReport,
  waitForStatus,
  writeManifest,
} from "./helpers.js";

describe("COS jobs end to end", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ engine: { chunkSize: 7, pollMs: 20 } });
    await makeBuckets(app, "src-1250000000", "dst-1250000000", "reports-1250000000");
  });
  after(() => app.dispose());

  it("runs the seed's CreateJob request; its stale ETag fails the job in Preparing (D10)", async () => {
    await makeBuckets(app, "sourcebucket-1250000000", "destinationbucket-1250000000");
    await dropFiles(app, "sourcebucket-1250000000", { "photos/a.jpg": "A", "photos/b.jpg": "BB" });
    await writeManifest(
      app,
      "sourcebucket-1250000000",
      "manifests/batch-copy-manifest.csv",
      "sourcebucket-1250000000",
      ["photos/a.jpg", "photos/b.jpg"],
    );
    const jobId = await createJob(app, SEED_CREATE_JOB_BODY);
    const job = await waitForStatus(app, jobId);
    assert.equal(job.Status, "Failed");
    assert.equal(job.FailureReasons.JobFailure.FailureCode, "ManifestETagMismatch");
    assert.match(job.FailureReasons.JobFailure.FailureReason, /15150651828fa9cdcb8356b6d1c7638b/);
    assert.ok(job.TerminationDate);
    assert.equal(existsSync(join(app.dataDir, "buckets", "destinationbucket-1250000000", "photos")), false);

    // The same request with the manifest's real ETag (and a new token) copies both objects.
    const manifest = await readFile(
      join(app.dataDir, "buckets", "sourcebucket-1250000000", "manifests/batch-copy-manifest.csv"),
    );
    const { createHash } = await import("node:crypto");
    const etag = createHash("md5").update(manifest).digest("hex");
    const body = SEED_CREATE_JOB_BODY.replace("15150651828fa9cdcb8356b6d1c7638b", etag).replace(
      "184ce261-18af-5e3d-3e30-253723cfd937",
      "184ce261-18af-5e3d-3e30-253723cfd938",
    );
    const second = await createJob(app, body);
    const done = await waitForStatus(app, second);
    assert.equal(done.Status, "Complete", JSON.stringify(done));
    assert.equal(done.StatusUpdateReason, "Job complete");
    assert.deepEqual(done.ProgressSummary, {
      NumberOfTasksFailed: "0",
      NumberOfTasksSucceeded: "2",
      TotalNumberOfTasks: "2",
    });
    assert.equal(done.Manifest.Location.ETag, `"${etag}"`, "ETag echoed as sent");
    const copied = await readFile(join(app.dataDir, "buckets", "destinationbucket-1250000000", "photos/b.jpg"), "utf8");
    assert.equal(copied, "BB");
    const report = await readReport(app, "sourcebucket-1250000000", "job-result", second);
    assert.equal(report.manifest.Format, "Report_CSV_V1");
    assert.deepEqual(report.rows.map((r) => [r.key, r.status, r.httpStatus]).sort(), [
      ["photos/a.jpg", "succeeded", "200"],
      ["photos/b.jpg", "succeeded", "200"],
    ]);
  });

  it("copies with every COSPutObjectCopy field honoured", async () => {
    const s = app.storage;
    await s.put("src-1250000000", "pictures/picture.jpg", "jpeg bytes", {
      metadata: { contentType: "image/jpeg", userMetadata: { origin: "camera" } },
      tags: [{ key: "kept", value: "no" }],
    });
    await s.put("src-1250000000", "pictures/other.txt", "text");
    await s.put("src-1250000000", "pictures/old.txt", "old");
    await writeManifest(app, "src-1250000000", "copy.csv", "src-1250000000", [
      "pictures/picture.jpg",
      "pictures/other.txt",
      "pictures/missing.txt",
    ]);
    const operation = `<COSPutObjectCopy>
      <TargetResource>qcs::cos:ap-chengdu:uid/1250000000:dst-1250000000</TargetResource>
      <PrefixReplace>true</PrefixReplace><ResourcesPrefix>pictures/pic</ResourcesPrefix><TargetKeyPrefix>images/abc</TargetKeyPrefix>
      <MetadataDirective>Replaced</MetadataDirective>
      <NewObjectMetadata><CacheControl>max-age=60</CacheControl><ContentType>image/png</ContentType>
        <UserMetadata><member><Key>team</Key><Value>photos</Value></member></UserMetadata></NewObjectMetadata>
      <TaggingDirective>Replaced</TaggingDirective>
      <NewObjectTagging><COSTag><Key>project</Key><Value>x</Value></COSTag></NewObjectTagging>
      <StorageClass>STANDARD_IA</StorageClass>
      <AccessControlDirective>Replaced</AccessControlDirective><CannedAccessControlList>public-read</CannedAccessControlList>
    </COSPutObjectCopy>`;
    const jobId = await createJob(app, {
      manifest: "qcs::cos:ap-chengdu::src-1250000000/copy.csv",
      operation,
      report: { bucket: "qcs::cos:ap-chengdu::reports-1250000000", prefix: "copy" },
    });
    const job = await waitForStatus(app, jobId);
    assert.equal(job.Status, "Complete");
    assert.equal(job.ProgressSummary.NumberOfTasksSucceeded, "2");
    assert.equal(job.ProgressSummary.NumberOfTasksFailed, "1");
    assert.equal(job.Operation.COSPutObjectCopy.StorageClass, "STANDARD_IA");

    const head = await s.head("dst-1250000000", "images/abcture.jpg");
    assert.equal(head.storageClass, "STANDARD_IA");
    assert.equal(head.metadata.contentType, "image/png");
    assert.equal(head.metadata.cacheControl, "max-age=60");
    assert.deepEqual(head.metadata.userMetadata, { team: "photos" });
    assert.deepEqual(await s.getTagging("dst-1250000000", "images/abcture.jpg"), [{ key: "project", value: "x" }]);
    assert.equal((await s.getAcl("dst-1250000000", "images/abcture.jpg")).canned, "public-read");
    // A key that does not start with ResourcesPrefix keeps its name.
    assert.equal((await s.head("dst-1250000000", "pictures/other.txt")).size, 4);

    const report = await readReport(app, "reports-1250000000", "copy", jobId);
    const missing = report.rows.find((r) => r.key === "pictures/missing.txt");
    assert.deepEqual(missing && [missing.status, missing.httpStatus, missing.errorCode], [
      "failed",
      "404",
      "NoSuchKey",
    ]);
  });

  it("fails copies whose modified-since constraint does not hold with 412", async () => {
    await app.storage.put("src-1250000000", "constraint/a.txt", "a");
    await writeManifest(app, "src-1250000000", "constraint.csv", "src-1250000000", ["constraint/a.txt"]);
    const jobId = await createJob(app, {
      manifest: "src-1250000000/constraint.csv",
      operation: `<COSPutObjectCopy><TargetResource>dst-1250000000</TargetResource>
        <ModifiedSinceConstraint>${Math.floor(Date.now() / 1000) + 3600}</ModifiedSinceConstraint></COSPutObjectCopy>`,
      report: { bucket: "reports-1250000000", prefix: "constraint", scope: "FailedTasksOnly" },
    });
    const job = await waitForStatus(app, jobId);
    assert.equal(job.ProgressSummary.NumberOfTasksFailed, "1");
    const report = await readReport(app, "reports-1250000000", "constraint", jobId);
    assert.deepEqual(
      report.rows.map((r) => [r.status, r.httpStatus, r.errorCode]),
      [["failed", "412", "PreconditionFailed"]],
    );
    assert.deepEqual(
      report.manifest.Results.map((r: { TaskExecutionStatus: string }) => r.TaskExecutionStatus),
      ["failed"],
      "FailedTasksOnly writes only the failed file",
    );
  });

  it("deletes objects, and reports a hostile key as a failed task without touching anything", async () => {
    await dropFiles(app, "src-1250000000", { "del/one.txt": "1", "del/two.txt": "2" });
    await writeManifest(app, "src-1250000000", "delete.csv", "src-1250000000", [
      "del/one.txt",
      "del/two.txt",
      "../../etc/passwd",
      "../reports-1250000000/x",
    ]);
    const jobId = await createJob(app, {
      manifest: "src-1250000000/delete.csv",
      operation: "<COSDeleteObject></COSDeleteObject>",
      report: { bucket: "reports-1250000000", prefix: "delete" },
    });
    const job = await waitForStatus(app, jobId);
    assert.equal(job.Status, "Complete");
    assert.equal(job.Operation.COSDeleteObject, "");
    assert.equal(existsSync(join(app.dataDir, "buckets", "src-1250000000", "del", "one.txt")), false);
    assert.ok(existsSync("/etc/passwd"));
    const report = await readReport(app, "reports-1250000000", "delete", jobId);
    const hostile = report.rows.filter((r) => r.key.includes(".."));
    assert.equal(hostile.length, 2);
    for (const row of hostile) {
      assert.equal(row.status, "failed");
      assert.ok(["400", "403"].includes(row.httpStatus), row.httpStatus);
      assert.match(row.message, /\.\./);
    }
  });

  it("restores archived objects: readable after the restore", async () => {
    const s = app.storage;
    await s.put("src-1250000000", "archive/cold.bin", "cold", { storageClass: "ARCHIVE" });
    await assert.rejects(s.get("src-1250000000", "archive/cold.bin"), /InvalidObjectState|restore/i);
    await writeManifest(app, "src-1250000000", "restore.csv", "src-1250000000", ["archive/cold.bin"]);
    const jobId = await createJob(app, {
      manifest: "src-1250000000/restore.csv",
      operation:
        "<COSInitiateRestoreObject><ExpirationInDays>3</ExpirationInDays><JobTier>Standard</JobTier></COSInitiateRestoreObject>",
      report: { bucket: "reports-1250000000", prefix: "restore" },
    });
    const job = await waitForStatus(app, jobId);
    assert.equal(job.ProgressSummary.NumberOfTasksSucceeded, "1", JSON.stringify(job));
    const head = await s.head("src-1250000000", "archive/cold.bin");
    assert.equal(head.archived, false);
    assert.ok(head.restore?.expiryDate && head.restore.expiryDate.getTime() > Date.now() + 2 * 86_400_000);
  });

  it("replaces, adds and deletes tags, and sets ACLs", async () => {
    const s = app.storage;
    await s.put("src-1250000000", "tags/a.txt", "a", { tags: [{ key: "old", value: "1" }] });
    await writeManifest(app, "src-1250000000", "tags.csv", "src-1250000000", ["tags/a.txt"]);
    const run = async (operation: string) => {
      const jobId = await createJob(app, { manifest: "src-1250000000/tags.csv", operation, report: false });
      const job = await waitForStatus(app, jobId);
      assert.equal(job.ProgressSummary.NumberOfTasksSucceeded, "1", JSON.stringify(job));
    };
    await run(
      "<COSPutObjectTagging><TaggingDirective>Add</TaggingDirective><TagSet><COSTag><Key>new</Key><Value>2</Value></COSTag></TagSet></COSPutObjectTagging>",
    );
    assert.deepEqual(
      (await s.getTagging("src-1250000000", "tags/a.txt")).sort((a, b) => a.key.localeCompare(b.key)),
      [
        { key: "new", value: "2" },
        { key: "old", value: "1" },
      ],
    );
    await run(
      "<COSPutObjectTagging><TaggingDirective>Replaced</TaggingDirective><TagSet><COSTag><Key>only</Key><Value>3</Value></COSTag></TagSet></COSPutObjectTagging>",
    );
    assert.deepEqual(await s.getTagging("src-1250000000", "tags/a.txt"), [{ key: "only", value: "3" }]);
    await run("<COSDeleteObjectTagging></COSDeleteObjectTagging>");
    assert.deepEqual(await s.getTagging("src-1250000000", "tags/a.txt"), []);
    await run("<COSPutObjectAcl><CannedAccessControlList>public-read</CannedAccessControlList></COSPutObjectAcl>");
    assert.equal((await s.getAcl("src-1250000000", "tags/a.txt")).canned, "public-read");
  });

  it("waits in Suspended for confirmation, then runs when set Ready", async () => {
    await dropFiles(app, "src-1250000000", { "confirm/a.txt": "a" });
    await writeManifest(app, "src-1250000000", "confirm.csv", "src-1250000000", ["confirm/a.txt"]);
    const jobId = await createJob(app, {
      manifest: "src-1250000000/confirm.csv",
      operation: "<COSPutObjectCopy><TargetResource>dst-1250000000</TargetResource></COSPutObjectCopy>",
      confirmationRequired: true,
      report: false,
    });
    const suspended = await waitForStatus(app, jobId, ["Suspended"]);
    assert.equal(suspended.ConfirmationRequired, "true");
    assert.ok(suspended.SuspendedDate);
    assert.match(suspended.SuspendedCause, /confirmation/i);
    assert.equal(suspended.ProgressSummary.TotalNumberOfTasks, "1");
    const r = await cosRequest(app.url, "POST", `/jobs/${jobId}/status`, {
      query: { requestedJobStatus: "Ready", statusUpdateReason: "checked" },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.xml.UpdateJobStatusResult.Status, "Ready");
    assert.equal(r.xml.UpdateJobStatusResult.StatusUpdateReason, "checked");
    const done = await waitForStatus(app, jobId);
    assert.equal(done.Status, "Complete");
    assert.ok(existsSync(join(app.dataDir, "buckets", "dst-1250000000", "confirm", "a.txt")));
  });

  it("cancels a suspended job; a finished job can then be deleted but not cancelled again", async () => {
    await writeManifest(app, "src-1250000000", "cancel.csv", "src-1250000000", ["confirm/a.txt"]);
    const jobId = await createJob(app, {
      manifest: "src-1250000000/cancel.csv",
      operation: "<COSDeleteObject/>",
      confirmationRequired: true,
      report: { bucket: "reports-1250000000", prefix: "cancel" },
    });
    await waitForStatus(app, jobId, ["Suspended"]);
    const r = await cosRequest(app.url, "POST", `/jobs/${jobId}/status`, {
      query: { requestedJobStatus: "Cancelled", statusUpdateReason: "not needed" },
    });
    assert.equal(r.xml.UpdateJobStatusResult.Status, "Cancelling");
    const job = await waitForStatus(app, jobId);
    assert.equal(job.Status, "Cancelled");
    assert.equal(job.StatusUpdateReason, "not needed");
    assert.ok(existsSync(join(app.dataDir, "buckets", "src-1250000000", "confirm", "a.txt")), "nothing ran");
    const report = await readReport(app, "reports-1250000000", "cancel", jobId);
    assert.equal(report.rows.length, 0);

    const again = await cosRequest(app.url, "POST", `/jobs/${jobId}/status`, {
      query: { requestedJobStatus: "Cancelled" },
    });
    assert.equal(again.status, 400);
    assert.equal(again.xml.Error.Code, "InvalidRequest");
    const deleted = await cosRequest(app.url, "DELETE", `/jobs/${jobId}`);
    assert.equal(deleted.status, 204, deleted.text);
    const gone = await cosRequest(app.url, "GET", `/jobs/${jobId}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.xml.Error.Code, "NoSuchJob");
  });

  it("lists jobs newest first with the seed's shape", async () => {
    const r = await cosRequest(app.url, "GET", "/jobs", { query: { maxResults: "2" } });
    assert.equal(r.status, 200, r.text);
    const members = r.xml.ListJobsResult.Jobs.member;
    assert.equal(members.length, 2);
    assert.ok(r.xml.ListJobsResult.NextToken);
    assert.equal(r.xml.ListJobsResult.NextToken, members[1].JobId);
    assert.ok(members[0].CreationTime >= members[1].CreationTime);
    for (const m of members) {
      assert.deepEqual(Object.keys(m.ProgressSummary).sort(), [
        "NumberOfTasksFailed",
        "NumberOfTasksSucceeded",
        "TotalNumberOfTasks",
      ]);
      assert.match(m.CreationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    const complete = await cosRequest(app.url, "GET", "/jobs", { query: { jobStatuses: "Complete" } });
    assert.ok(complete.xml.ListJobsResult.Jobs.member.every((m: { Status: string }) => m.Status === "Complete"));
  });

  it("fails a job whose tasks fail past the threshold (D7), with a FailureReasons entry", async () => {
    const keys = Array.from({ length: 1100 }, (_, i) => `nothing/here-${i}`);
    await writeManifest(app, "src-1250000000", "doomed.csv", "src-1250000000", keys);
    const jobId = await createJob(app, {
      manifest: "src-1250000000/doomed.csv",
      operation: "<COSPutObjectCopy><TargetResource>dst-1250000000</TargetResource></COSPutObjectCopy>",
      report: { bucket: "reports-1250000000", prefix: "doomed" },
    });
    const job = await waitForStatus(app, jobId, undefined, 60_000);
    assert.equal(job.Status, "Failed");
    const failures = [job.FailureReasons.JobFailure].flat();
    assert.equal(failures[0].FailureCode, "TaskFailureThresholdExceeded");
    const failed = Number(job.ProgressSummary.NumberOfTasksFailed);
    // Then why they failed, every one the same way (D27).
    assert.equal(failures.length, 2, JSON.stringify(failures));
    assert.equal(failures[1].FailureCode, "TasksFailed");
    assert.match(failures[1].FailureReason, new RegExp(`^${failed} tasks failed: 404 NoSuchKey \\(e\\.g\\. `));
    assert.ok(failed >= 1000, `failed ${failed}`);
    const report = await readReport(app, "reports-1250000000", "doomed", jobId);
    assert.equal(report.rows.length, failed, "every counted task is in the report, once");
  });

  it("does not let one account see another's jobs", async () => {
    const jobs = await cosRequest(app.url, "GET", "/jobs");
    const someJob = jobs.xml.ListJobsResult.Jobs.member[0].JobId;
    const stranger = await startTestApp({
      configFile: {
        accounts: [{ id: "1300000000", accessKeyId: "AKIDOTHER", secretAccessKey: "other", buckets: ["*"] }],
      },
      dataDir: app.dataDir,
      storeUrl: `sqlite:${join(app.dataDir, "objbatch.sqlite")}`,
      runEngine: false,
    });
    try {
      const creds = { appId: "1300000000", secretId: "AKIDOTHER", secretKey: "other" };
      const r = await cosRequest(stranger.url, "GET", `/jobs/${someJob}`, { credentials: creds });
      assert.equal(r.status, 404);
      assert.equal(r.xml.Error.Code, "NoSuchJob");
      const list = await cosRequest(stranger.url, "GET", "/jobs", { credentials: creds });
      assert.equal(list.status, 200);
      assert.equal(list.xml.ListJobsResult.Jobs?.member, undefined);
      const spoof = await cosRequest(stranger.url, "GET", `/jobs/${someJob}`, {
        credentials: { ...creds, appId: "1250000000" },
      });
      assert.equal(spoof.status, 403, "an appid that is not the signer's account is refused");
    } finally {
      await stranger.close();
    }
  });

  it("describes a job while it runs with counters that only grow", async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `grow/${i}.txt`);
    await dropFiles(app, "src-1250000000", Object.fromEntries(keys.map((k) => [k, k])));
    await writeManifest(app, "src-1250000000", "grow.csv", "src-1250000000", keys);
    const jobId = await createJob(app, {
      manifest: "src-1250000000/grow.csv",
      operation: "<COSPutObjectCopy><TargetResource>dst-1250000000</TargetResource></COSPutObjectCopy>",
      report: false,
    });
    let last = -1;
    for (;;) {
      const job = await describeJob(app, jobId);
      const done = Number(job.ProgressSummary.NumberOfTasksSucceeded) + Number(job.ProgressSummary.NumberOfTasksFailed);
      assert.ok(done >= last, "progress never goes back");
      last = done;
      if (job.Status === "Complete") break;
    }
    assert.equal(last, 300);
  });

  it("reads S3-format manifests with a VersionId column", async () => {
    await dropFiles(app, "src-1250000000", { "versions/a.txt": "a", "versions/b.txt": "b", "versions/c.txt": "c" });
    await dropFiles(app, "src-1250000000", {
      "versions.csv":
        "src-1250000000,versions/a.txt,null\nsrc-1250000000,versions/b.txt,3HL4kqtJlcpXroDTDmJ\nsrc-1250000000,versions/c.txt,\n",
    });
    const xml = createJobXml({
      manifest: "src-1250000000/versions.csv",
      operation: "<COSDeleteObject/>",
      report: { bucket: "reports-1250000000", prefix: "versions" },
    })
      .replace("<member>Key</member>", "<member>Key</member><member>VersionId</member>")
      .replace("COSBatchOperations_CSV_V1", "S3BatchOperations_CSV_20180820");
    const jobId = await createJob(app, xml);
    const job = await waitForStatus(app, jobId);
    assert.equal(job.Status, "Complete");
    const report = await readReport(app, "reports-1250000000", "versions", jobId);
    const byKey = Object.fromEntries(
      report.rows.map((r) => [r.key, [r.versionId, r.status, r.httpStatus, r.errorCode]]),
    );
    assert.deepEqual(byKey["versions/a.txt"], ["null", "succeeded", "204", ""]);
    assert.deepEqual(byKey["versions/b.txt"], ["3HL4kqtJlcpXroDTDmJ", "failed", "404", "NoSuchVersion"]);
    assert.deepEqual(byKey["versions/c.txt"].slice(1), ["failed", "400", "InvalidRequest"]);
    assert.equal(existsSync(join(app.dataDir, "buckets", "src-1250000000", "versions", "a.txt")), false);
    assert.ok(existsSync(join(app.dataDir, "buckets", "src-1250000000", "versions", "b.txt")));
  });

  it("fails a job whose report bucket does not exist, before running anything", async () => {
    await dropFiles(app, "src-1250000000", { "noreport/a.txt": "a" });
    await writeManifest(app, "src-1250000000", "noreport.csv", "src-1250000000", ["noreport/a.txt"]);
    const jobId = await createJob(app, {
      manifest: "src-1250000000/noreport.csv",
      operation: "<COSDeleteObject/>",
      report: { bucket: "no-such-bucket-1250000000" },
    });
    const job = await waitForStatus(app, jobId);
    assert.equal(job.Status, "Failed");
    // Why it failed, then that its (empty) report could not be written either.
    const codes = [job.FailureReasons.JobFailure].flat().map((f: { FailureCode: string }) => f.FailureCode);
    assert.deepEqual(codes, ["NoSuchBucket", "ReportWriteFailed"]);
    assert.ok(existsSync(join(app.dataDir, "buckets", "src-1250000000", "noreport", "a.txt")));
  });

  it("changes a job's priority", async () => {
    await writeManifest(app, "src-1250000000", "prio.csv", "src-1250000000", ["noreport/a.txt"]);
    const jobId = await createJob(app, {
      manifest: "src-1250000000/prio.csv",
      operation: "<COSDeleteObject/>",
      confirmationRequired: true,
    });
    const r = await cosRequest(app.url, "POST", `/jobs/${jobId}/priority`, { query: { priority: "2147483647" } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.xml.UpdateJobPriorityResult, { JobId: jobId, Priority: "2147483647" });
    assert.equal((await describeJob(app, jobId)).Priority, "2147483647");
    const bad = await cosRequest(app.url, "POST", `/jobs/${jobId}/priority`, { query: { priority: "2147483648" } });
    assert.equal(bad.status, 400);
  });

  it("builds the CreateJob body helper correctly (sanity)", () => {
    assert.match(createJobXml({ manifest: "b/k", operation: "<COSDeleteObject/>" }), /<Enabled>false<\/Enabled>/);
  });
});
