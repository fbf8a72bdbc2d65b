/**
 * Canonical job specs for tests.
 */
import { randomUUID } from "node:crypto";
import type { JobSpec, Operation } from "../../src/domain/job.js";
import { type JobRow, specToColumn } from "../../src/store/job-row.js";

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

/** The stored row of an Active job with `spec`, as the engine hands it to an executor. */
export function activeJobRow(jobId: string, spec: JobSpec, totalTasks: number): JobRow {
  return {
    job_id: jobId,
    account_id: spec.accountId,
    status: "Active",
    priority: 1,
    creation_time: 0,
    termination_time: null,
    suspended_time: null,
    suspended_cause: null,
    status_update_reason: null,
    failure_reasons: "[]",
    spec: specToColumn(spec),
    client_request_token: "t",
    request_fingerprint: "f",
    tags: "[]",
    total_tasks: totalTasks,
    succeeded: 0,
    failed: 0,
    active_ms: 0,
    active_since: null,
    confirmed: 1,
    manifest_etag: null,
    generated_manifest: null,
    phase_owner: null,
    phase_expires: null,
    updated_time: 0,
  };
}
