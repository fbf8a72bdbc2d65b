/**
 * S3 Control response bodies (responses.ts): DescribeJob with every JobDescriptor element in model order, COS
 * and OSS jobs in AWS terms, ListJobs and job tags, read back with fast-xml-parser.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseS3ControlCreateJobRequest } from "../../../../src/api/dialects/s3control/create-job-request.js";
import {
  renderDescribeJobResult,
  renderGetJobTaggingResult,
  renderListJobsResult,
} from "../../../../src/api/dialects/s3control/responses.js";
import { copySpec } from "../../../helpers/specs.js";
import { ACCOUNT, asJob, body, OPERATIONS, parser } from "../../fixtures/s3control-requests.js";

describe("S3 Control responses", () => {
  it("renders a DescribeJob result with every JobDescriptor element, in model order", () => {
    const spec = parseS3ControlCreateJobRequest(body(OPERATIONS.copy!), ACCOUNT);
    const xml = renderDescribeJobResult(
      asJob(spec, {
        status: "Failed",
        terminationDate: new Date("2024-05-07T00:00:00Z"),
        statusUpdateReason: "Job failed",
        failureReasons: [{ code: "ManifestETagMismatch", reason: "The manifest ETag does not match" }],
        progress: { total: 10, succeeded: 7, failed: 3, elapsedActiveSeconds: 5 },
        generatedManifest: {
          format: "S3InventoryReport_CSV_20211130",
          location: {
            objectArn: "arn:aws:s3:::manifests/generated/manifest.json",
            bucket: { arn: "arn:aws:s3:::manifests", bucket: "manifests" },
            key: "generated/manifest.json",
            etag: "e1",
          },
        },
      }),
      "eu-west-1",
    );
    const job = parser.parse(xml).DescribeJobResult.Job;
    assert.deepEqual(Object.keys(job), [
      "JobId",
      "ConfirmationRequired",
      "Description",
      "JobArn",
      "Status",
      "Manifest",
      "Operation",
      "Priority",
      "ProgressSummary",
      "StatusUpdateReason",
      "FailureReasons",
      "Report",
      "CreationTime",
      "TerminationDate",
      "RoleArn",
      "SuspendedDate",
      "SuspendedCause",
      "GeneratedManifestDescriptor",
    ]);
    assert.equal(job.JobArn, "arn:aws:s3:eu-west-1:123456789012:job/11111111-2222-3333-4444-555555555555");
    assert.equal(job.CreationTime, "2024-05-06T07:08:09Z");
    assert.deepEqual(job.ProgressSummary, {
      TotalNumberOfTasks: "10",
      NumberOfTasksSucceeded: "7",
      NumberOfTasksFailed: "3",
      Timers: { ElapsedTimeInActiveSeconds: "5" },
    });
    assert.deepEqual(job.FailureReasons.member, [
      { FailureCode: "ManifestETagMismatch", FailureReason: "The manifest ETag does not match" },
    ]);
    assert.deepEqual(job.Manifest.Spec.Fields.member, ["Bucket", "Key"]);
    assert.equal(job.Manifest.Location.ETag, '"abc123"');
    assert.equal(job.Operation.S3PutObjectCopy.NewObjectMetadata.UserMetadata.entry[0].key, "color");
    assert.deepEqual(job.GeneratedManifestDescriptor, {
      Format: "S3InventoryReport_CSV_20211130",
      Location: { ObjectArn: "arn:aws:s3:::manifests/generated/manifest.json", ETag: "e1" },
    });
  });

  it("describes COS and OSS jobs in AWS terms", () => {
    const cos = asJob(copySpec({ operation: { kind: "AddObjectTagging", tagSet: [{ key: "a", value: "b" }] } }));
    const job = parser.parse(renderDescribeJobResult(cos, "us-east-1")).DescribeJobResult.Job;
    assert.deepEqual(Object.keys(job.Operation), ["S3AddObjectTagging"]);
    assert.equal(job.Report.Format, "Report_CSV_20180820");
    assert.equal(job.Report.Bucket, "qcs::cos:ap-chengdu::reports-1250000000");
    assert.equal(job.Manifest.Location.ObjectArn, "qcs::cos:ap-chengdu::src-1250000000/manifests/m.csv");
    assert.equal(job.ProgressSummary.TotalNumberOfTasks, "0");

    const copy = asJob(
      copySpec(
        {},
        {
          kind: "PutObjectCopy",
          targetResource: { arn: "qcs::cos:ap-chengdu::dst-1250000000", bucket: "dst-1250000000" },
          prefixReplace: true,
          resourcesPrefix: "a/",
          targetKeyPrefix: "",
          metadataDirective: "Add",
          taggingDirective: "Copy",
        },
      ),
    );
    const op = parser.parse(renderDescribeJobResult(copy, "us-east-1")).DescribeJobResult.Job.Operation.S3PutObjectCopy;
    assert.equal(op.MetadataDirective, "ADD");
    assert.equal(op.TargetKeyPrefix, undefined);

    const oss = asJob({
      ...copySpec(),
      dialect: "oss",
      manifest: undefined,
      manifestGenerator: {
        kind: "KeyPrefixManifestGenerator",
        sourceBucket: { arn: "src-bucket", bucket: "src-bucket" },
        enableManifestOutput: false,
        prefix: "photos/",
      },
    });
    const gen = parser.parse(renderDescribeJobResult(oss, "us-east-1")).DescribeJobResult.Job.ManifestGenerator;
    assert.deepEqual(gen.S3JobManifestGenerator, {
      SourceBucket: "src-bucket",
      Filter: { KeyNameConstraint: { MatchAnyPrefix: { member: ["photos/"] } } },
      EnableManifestOutput: "false",
    });
  });

  it("lists jobs under <Jobs><member> with the operation name in AWS terms and NextToken", () => {
    const jobs = [
      asJob(copySpec(), { jobId: "job-a" }),
      asJob(copySpec({ dialect: "oss", operation: { kind: "DeleteObject" } }), { jobId: "job-b", description: "" }),
    ];
    const list = parser.parse(renderListJobsResult(jobs, "job-b")).ListJobsResult;
    assert.equal(list.NextToken, "job-b");
    assert.deepEqual(
      list.Jobs.member.map((m: { Operation: string }) => m.Operation),
      ["S3PutObjectCopy", "S3DeleteObject"],
    );
    assert.equal(list.Jobs.member[1].Description, undefined);
    assert.deepEqual(Object.keys(list.Jobs.member[0]), [
      "JobId",
      "Description",
      "Operation",
      "Priority",
      "Status",
      "CreationTime",
      "ProgressSummary",
    ]);
    assert.equal(parser.parse(renderListJobsResult([], undefined)).ListJobsResult.NextToken, undefined);
  });

  it("renders job tags as <Tags><member>", () => {
    const xml = renderGetJobTaggingResult([{ key: "a", value: "<&>" }]);
    assert.deepEqual(parser.parse(xml).GetJobTaggingResult.Tags.member, [{ Key: "a", Value: "<&>" }]);
  });
});
