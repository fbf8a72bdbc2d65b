/**
 * The model as JSON, both ways, for every operation variant the dialects' codec tests parse (S3 Control's every
 * operation and its manifest generator, the COS seed, an OSS job): the job a dialect creates is shown by the JSON
 * API as a Job its schema accepts, and what the view shows, sent back as a CreateJobRequest, is a job of the same
 * operation, manifest, generator and report. So the JSON API can express every setting the dialects accept.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Value from "typebox/value";
import { parseS3ControlCreateJobRequest } from "../../../src/api/dialects/s3control/create-job-request.js";
import { jobSpecOf } from "../../../src/api/json/create-job-request.js";
import { jobView } from "../../../src/api/json/job-view.js";
import { JobSchema } from "../../../src/api/json/schemas/job.js";
import { CreateJobRequestSchema } from "../../../src/api/json/schemas/requests.js";
import { checked } from "../../../src/api/json/validation.js";
import { schemaProblems } from "../../../src/config/schema-problems.js";
import type { Job, JobSpec } from "../../../src/domain/job.js";
import { ossCreateJobBody } from "../../helpers/oss-client.js";
import { jobFrom as cosJob, parse as parseCos } from "../fixtures/cos-requests.js";
import { SEED_CREATE_JOB_BODY } from "../fixtures/cos-seeds.js";
import { asJob as ossJob, parse as parseOss } from "../fixtures/oss-requests.js";
import { ACCOUNT, asJob, body, GENERATOR, OPERATIONS } from "../fixtures/s3control-requests.js";

const PROGRESS = {
  total: 10,
  succeeded: 4,
  failed: 1,
  inFlight: 5,
  tasksPerSecond: 1.5,
  averageTasksPerSecond: 1.2,
  etaSeconds: 3.3,
  elapsedMs: 3333,
};

const jobs: [string, Job][] = [
  ...Object.entries(OPERATIONS).map(([name, op]): [string, Job] => [
    `S3 Control ${name}`,
    asJob(parseS3ControlCreateJobRequest(body(op), ACCOUNT)),
  ]),
  [
    "S3 Control manifest generator",
    asJob(parseS3ControlCreateJobRequest(body(OPERATIONS.delete!, { manifest: GENERATOR }), ACCOUNT)),
  ],
  ["COS seed", cosJob(parseCos(SEED_CREATE_JOB_BODY))],
  ["OSS tagging", ossJob(parseOss(ossCreateJobBody()))],
];

/**
 * Drops what JSON has no place for: a manifest's objectArn (its bucket and key say it), KMS filter details; an
 * enabled report's format and scope are filled in when left out, as S3 Control does (OSS leaves them out).
 */
function comparable(spec: JobSpec) {
  const { objectArn: _arn, ...location } = spec.manifest?.location ?? ({} as Record<string, unknown>);
  const filter = spec.manifestGenerator?.filter;
  const { objectEncryptionFilters: _kms, ...plainFilter } = filter ?? {};
  return {
    operation: spec.operation,
    manifest: spec.manifest && { ...spec.manifest, location },
    manifestGenerator: spec.manifestGenerator && {
      ...spec.manifestGenerator,
      ...(filter ? { filter: plainFilter } : {}),
    },
    report: spec.report.enabled ? { format: "Report_CSV_20180820", scope: "AllTasks", ...spec.report } : spec.report,
    priority: spec.priority,
    description: spec.description,
    confirmationRequired: spec.confirmationRequired,
    roleArn: spec.roleArn,
    tags: spec.tags ?? [],
  };
}

describe("the model as JSON", () => {
  for (const [name, job] of jobs) {
    it(`${name}: shown as a Job the schema accepts, and created again the same from what is shown`, () => {
      const view = JSON.parse(JSON.stringify(jobView(job, PROGRESS)));
      assert.deepEqual(schemaProblems(JobSchema, view), []);
      assert.ok(Value.Check(JobSchema, view));
      assert.equal(view.dialect, job.dialect);
      assert.equal(view.jobId, job.jobId);

      const {
        operation,
        manifest,
        manifestGenerator,
        report,
        priority,
        description,
        confirmationRequired,
        roleArn,
        tags,
      } = view;
      const request = checked(
        CreateJobRequestSchema,
        JSON.parse(
          JSON.stringify({
            operation,
            manifest,
            manifestGenerator,
            report,
            priority,
            description,
            confirmationRequired,
            roleArn,
            tags,
            clientRequestToken: job.clientRequestToken,
          }),
        ),
        "body",
      );
      const again = jobSpecOf(request, job.accountId);
      assert.equal(again.dialect, "json");
      assert.equal(again.accountId, job.accountId);
      assert.deepEqual(comparable(again), comparable(job));
    });
  }
});
