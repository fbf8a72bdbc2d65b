/**
 * OSS response bodies (responses.ts), for OSS jobs and for jobs created through COS and S3 Control, read back
 * with fast-xml-parser, independent of objbatch's XML reader.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  renderDescribeJobResult,
  renderListJobsResult,
  renderUpdateJobPriorityResult,
  renderUpdateJobStatusResult,
} from "../../../../src/api/dialects/oss/responses.js";
import { ossCreateJobBody, parseXml } from "../../../helpers/oss-client.js";
import { copySpec } from "../../../helpers/specs.js";
import { asJob, parse } from "../../fixtures/oss-requests.js";

describe("OSS responses", () => {
  it("describes an OSS job as the OSS document shows it", () => {
    const spec = parse(ossCreateJobBody());
    const xml = parseXml(
      renderDescribeJobResult(asJob(spec, { statusUpdateReason: "Job complete", status: "Complete" })),
    );
    const job = xml.DescribeJobResult.Job;
    assert.equal(job.CreationTime, "1749983400");
    assert.equal(job.TerminationDate, "1749987000");
    assert.equal(job.ConfirmationRequired, "false");
    assert.equal(job.Status, "Complete");
    assert.equal(job.StatusUpdateReason, "Job complete");
    assert.deepEqual(job.Manifest, {
      Location: { ETag: "d41d8cd98f00b204e9800998ecf8427e", Bucket: "manifest-bucket", Object: "manifest.csv" },
      Spec: { Fields: "Bucket,Key", Format: "OSS_BatchOperations_CSV_20250611" },
    });
    assert.deepEqual(job.Report, {
      Bucket: "report-bucket",
      Enabled: "true",
      Prefix: "batch-reports/",
      ReportScope: "AllTasks",
    });
    assert.deepEqual(job.ProgressSummary, {
      NumberOfTasksFailed: "2",
      NumberOfTasksSucceeded: "998",
      Timers: { ElapsedTimeInActiveSeconds: "3600" },
      TotalNumberOfTasks: "1000",
    });
    assert.deepEqual(job.Operation, { PutObjectTagging: { TagSet: { Tag: [{ Key: "key1", Value: "value1" }] } } });
    assert.equal(job.FailureReasons, "", "an empty FailureReasons element without failures, as the document shows");
    assert.equal(job.KeyPrefixManifestGenerator, undefined);
  });

  it("echoes a KeyPrefixManifestGenerator and lists failures", () => {
    const spec = parse(
      ossCreateJobBody({
        operation: "<RestoreObject><Days>7</Days><Tier>Bulk</Tier></RestoreObject>",
        manifest:
          "<KeyPrefixManifestGenerator><SourceBucket>source-bucket</SourceBucket><Prefix>data/</Prefix></KeyPrefixManifestGenerator>",
      }),
    );
    const job = parseXml(
      renderDescribeJobResult(
        asJob(spec, {
          status: "Failed",
          failureReasons: [{ code: "InternalError", reason: "Internal service error" }],
          progress: { total: -1, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 },
        }),
      ),
    ).DescribeJobResult.Job;
    assert.deepEqual(job.KeyPrefixManifestGenerator, { SourceBucket: "source-bucket", Prefix: "data/" });
    assert.equal(job.Manifest, undefined);
    assert.deepEqual(job.FailureReasons.JobFailure, [
      { FailureCode: "InternalError", FailureReason: "Internal service error" },
    ]);
    assert.deepEqual(job.Operation, { RestoreObject: { Days: "7", Tier: "Bulk" } });
    assert.equal(job.ProgressSummary.TotalNumberOfTasks, "-1");
  });

  it("describes a COS job in OSS terms: plain bucket names, OSS's CSV word, extension operation names", () => {
    const job = parseXml(renderDescribeJobResult(asJob(copySpec()))).DescribeJobResult.Job;
    assert.deepEqual(job.Manifest.Location, { Bucket: "src-1250000000", Object: "manifests/m.csv" });
    assert.equal(job.Manifest.Spec.Format, "OSS_BatchOperations_CSV_20250611");
    assert.equal(job.Report.Bucket, "reports-1250000000");
    assert.equal(job.Report.Format, undefined);
    assert.deepEqual(job.Operation, { PutObjectCopy: { TargetBucket: "dest-1250000000" } });
    const restore = parseXml(
      renderDescribeJobResult(
        asJob(copySpec({}, { kind: "InitiateRestoreObject", expirationInDays: 3, tier: "Bulk" })),
      ),
    ).DescribeJobResult.Job;
    assert.deepEqual(restore.Operation, { RestoreObject: { Days: "3", Tier: "Bulk" } });
    const held = parseXml(renderDescribeJobResult(asJob(copySpec({}, { kind: "PutObjectLegalHold", status: "ON" }))))
      .DescribeJobResult.Job;
    assert.deepEqual(held.Operation, { PutObjectLegalHold: { Status: "ON" } });
  });

  it("lists jobs as JobListDescriptor items, NextToken first, names in OSS terms", () => {
    const oss = asJob(parse(ossCreateJobBody()));
    const cos = asJob(copySpec({}, { kind: "AddObjectTagging", tagSet: [{ key: "a", value: "b" }] }), {
      jobId: "second",
      status: "Active",
      terminationDate: undefined,
      description: undefined,
    });
    const text = renderListJobsResult([oss, cos], "next-page-token-456");
    assert.ok(
      text.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?><ListJobsResult><NextToken>next-page-token-456</NextToken><Jobs>',
      ),
    );
    const list = parseXml(text).ListJobsResult;
    assert.equal(list.Jobs.JobListDescriptor.length, 2);
    const [first, second] = list.Jobs.JobListDescriptor;
    assert.deepEqual(Object.keys(first), [
      "CreationTime",
      "Description",
      "JobId",
      "Operation",
      "Priority",
      "ProgressSummary",
      "Status",
      "TerminationDate",
    ]);
    assert.equal(first.Operation, "PutObjectTagging");
    assert.equal(second.Operation, "AddObjectTagging");
    assert.equal(second.TerminationDate, undefined);
    assert.equal(second.Description, undefined);
    assert.equal(parseXml(renderListJobsResult([], undefined)).ListJobsResult.NextToken, undefined);
  });

  it("answers the update operations", () => {
    assert.deepEqual(parseXml(renderUpdateJobPriorityResult({ jobId: "j", priority: 20 })).UpdateJobPriorityResult, {
      JobId: "j",
      Priority: "20",
    });
    assert.deepEqual(
      parseXml(
        renderUpdateJobStatusResult({
          jobId: "j",
          status: "Cancelling",
          statusUpdateReason: "User requested cancellation",
        }),
      ).UpdateJobStatusResult,
      { JobId: "j", Status: "Cancelling", StatusUpdateReason: "User requested cancellation" },
    );
  });
});
