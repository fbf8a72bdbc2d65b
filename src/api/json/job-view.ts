/**
 * The domain's jobs as the JSON API shows them (schemas/job.ts): a bucket as the reference the client sent,
 * times as ISO-8601 instants, a total not counted yet as null.
 */
import type {
  BucketRef,
  Job,
  JobSummary,
  ManifestGenerator,
  ManifestLocation,
  Operation,
  ReportConfig,
} from "../../domain/job.js";
import type { JobProgress } from "../../service/types.js";
import { dropUndefined } from "../dialects/shared/object-values.js";
import type { JobJson, JobSummaryJson } from "./schemas/job.js";
import type { ManifestGeneratorJson, OperationJson, ReportJson } from "./schemas/model.js";

const ref = (bucket: BucketRef): string => bucket.arn;
const iso = (date: Date | undefined): string | undefined => date?.toISOString();

export function jobView(job: Job, progress: JobProgress): JobJson {
  return dropUndefined({
    jobId: job.jobId,
    status: job.status,
    dialect: job.dialect,
    description: job.description,
    priority: job.priority,
    confirmationRequired: job.confirmationRequired,
    clientRequestToken: job.clientRequestToken,
    roleArn: job.roleArn,
    operation: operationView(job.operation),
    manifest: job.manifest && {
      format: job.manifest.format,
      fields: [...job.manifest.fields],
      location: locationView(job.manifest.location),
    },
    manifestGenerator: job.manifestGenerator && generatorView(job.manifestGenerator),
    report: reportView(job.report),
    tags: [...(job.tags ?? [])],
    creationTime: job.creationTime.toISOString(),
    terminationTime: iso(job.terminationDate),
    suspendedTime: iso(job.suspendedDate),
    suspendedCause: job.suspendedCause,
    statusUpdateReason: job.statusUpdateReason,
    pausedByUser: job.pausedByUser === true,
    failureReasons: job.failureReasons.map((f) => ({ code: f.code, reason: f.reason })),
    generatedManifest: job.generatedManifest && {
      format: job.generatedManifest.format,
      location: locationView(job.generatedManifest.location),
    },
    manifestEtag: job.manifestEtag,
    dryRun: job.dryRun === true ? true : undefined,
    jobName: job.jobName,
    loggingConfig: job.loggingConfig && {
      logActions: [...job.loggingConfig.logActions],
      logActionStates: [...job.loggingConfig.logActionStates],
    },
    progress: { ...progress },
  });
}

export function jobSummaryView(job: JobSummary): JobSummaryJson {
  return dropUndefined({
    jobId: job.jobId,
    status: job.status,
    dialect: job.dialect,
    operation: job.operation.kind,
    description: job.description,
    priority: job.priority,
    creationTime: job.creationTime.toISOString(),
    terminationTime: iso(job.terminationDate),
    progress: {
      total: job.progress.total < 0 ? null : job.progress.total,
      succeeded: job.progress.succeeded,
      failed: job.progress.failed,
      elapsedActiveSeconds: job.progress.elapsedActiveSeconds,
    },
  });
}

function operationView(operation: Operation): OperationJson {
  if (operation.kind === "PutObjectCopy") {
    return { ...operation, targetResource: ref(operation.targetResource) } as OperationJson;
  }
  return operation as OperationJson;
}

function locationView(location: ManifestLocation) {
  return dropUndefined({
    bucket: ref(location.bucket),
    key: location.key,
    versionId: location.versionId,
    etag: location.etag,
  });
}

function generatorView(generator: ManifestGenerator): ManifestGeneratorJson {
  const { objectEncryptionFilters: _kms, ...filter } = generator.filter ?? {};
  const out = generator.manifestOutputLocation;
  return dropUndefined({
    kind: generator.kind,
    sourceBucket: ref(generator.sourceBucket),
    expectedBucketOwner: generator.expectedBucketOwner,
    enableManifestOutput: generator.enableManifestOutput,
    manifestOutputLocation: out && dropUndefined({ ...out, bucket: ref(out.bucket) }),
    filter: generator.filter && (filter as ManifestGeneratorJson["filter"]),
    prefix: generator.prefix,
  }) as ManifestGeneratorJson;
}

function reportView(report: ReportConfig): ReportJson {
  return dropUndefined({ ...report, bucket: report.bucket && ref(report.bucket) }) as ReportJson;
}
