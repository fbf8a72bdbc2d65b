/**
 * Canonical job specs for tests.
 */
import { randomUUID } from "node:crypto";
import type { Job, JobSpec, Operation } from "../../src/domain/job.js";

export function copySpec(overrides: Partial<JobSpec> = {}, operation?: Operation): JobSpec {
  return {
    accountId: "1250000000",
    dialect: "cos",
    clientRequestToken: randomUUID(),
    confirmationRequired: false,
    description: "example-job",
    priority: 10,
    roleArn: "qcs::cam::uin/100000000001:roleName/COS_Batch_QcsRole",
    operation: operation ?? {
      kind: "PutObjectCopy",
      targetResource: { arn: "qcs::cos:ap-chengdu:uid/1250000000:dest-1250000000", bucket: "dest-1250000000" },
    },
    manifest: {
      format: "COSBatchOperations_CSV_V1",
      fields: ["Bucket", "Key"],
      location: {
        objectArn: "qcs::cos:ap-chengdu::src-1250000000/manifests/m.csv",
        bucket: { arn: "qcs::cos:ap-chengdu::src-1250000000", bucket: "src-1250000000" },
        key: "manifests/m.csv",
      },
    },
    report: {
      enabled: true,
      bucket: { arn: "qcs::cos:ap-chengdu::reports-1250000000", bucket: "reports-1250000000" },
      format: "Report_CSV_V1",
      prefix: "job-result",
      scope: "AllTasks",
    },
    ...overrides,
  };
}

/** An Active job with `spec`, as the engine hands it to an executor. */
export function activeJob(jobId: string, spec: JobSpec, totalTasks: number): Job {
  return {
    ...spec,
    tags: spec.tags ?? [],
    jobId,
    status: "Active",
    priority: 1,
    creationTime: new Date(0),
    failureReasons: [],
    progress: { total: totalTasks, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 },
  };
}
