/**
 * A JSON CreateJobRequest (schemas/requests.ts) -> the canonical JobSpec (dialect "json"), with the checks the
 * schema cannot make, each reported at its field: exactly one of manifest and manifestGenerator, a bucket for
 * an enabled report, bucket references in a form D2 accepts, and a CSV manifest's columns. A request without a
 * clientRequestToken gets a fresh one (it is then never a retry of another).
 */
import { randomUUID } from "node:crypto";
import { isDomainError } from "../../domain/errors.js";
import type { BucketRef, JobSpec, Manifest, ManifestGenerator, Operation, ReportConfig } from "../../domain/job.js";
import { parseBucketRef } from "../bucket-arn.js";
import { checkCsvManifestFields } from "../dialects/shared/manifest-fields.js";
import { dropUndefined } from "../dialects/shared/object-values.js";
import { type FieldProblem, validationProblem } from "./problems.js";
import type { ManifestGeneratorJson, ManifestJson, OperationJson, ReportJson } from "./schemas/model.js";
import type { CreateJobRequest } from "./schemas/requests.js";

export const DEFAULT_PRIORITY = 10;

const CSV_FORMATS: ReadonlySet<string> = new Set([
  "S3BatchOperations_CSV_20180820",
  "COSBatchOperations_CSV_V1",
  "OSS_BatchOperations_CSV_20250611",
  "GCS_BatchOperations_CSV",
]);

export function jobSpecOf(request: CreateJobRequest, accountId: string): JobSpec {
  const problems: FieldProblem[] = [];
  /** Runs a check that throws InvalidArgument DomainErrors, recording the problem at `pointer`. */
  const at = <T>(pointer: string, check: () => T): T | undefined => {
    try {
      return check();
    } catch (e) {
      if (!isDomainError(e)) throw e;
      problems.push({ pointer, detail: e.message });
      return undefined;
    }
  };
  const bucket = (pointer: string, value: string): BucketRef => at(pointer, () => parseBucketRef(value)) ?? dummy;

  if ((request.manifest === undefined) === (request.manifestGenerator === undefined)) {
    problems.push({ pointer: "", detail: "A job needs exactly one of manifest and manifestGenerator." });
  }
  const operation = operationOf(request.operation, bucket);
  const manifest = request.manifest && manifestOf(request.manifest, bucket, at);
  const manifestGenerator = request.manifestGenerator && generatorOf(request.manifestGenerator, bucket);
  const report = reportOf(request.report, bucket, problems);
  if (problems.length > 0) throw validationProblem(`The job is not valid: ${problems.length} problem(s).`, problems);

  return dropUndefined({
    accountId,
    dialect: "json",
    clientRequestToken: request.clientRequestToken ?? randomUUID(),
    confirmationRequired: request.confirmationRequired ?? false,
    description: request.description,
    priority: request.priority ?? DEFAULT_PRIORITY,
    roleArn: request.roleArn ?? "",
    operation,
    manifest,
    manifestGenerator,
    report,
    tags: request.tags !== undefined && request.tags.length > 0 ? request.tags : undefined,
    dryRun: request.dryRun === true ? true : undefined,
  }) as JobSpec;
}

/** A report setting given on its own at `/report` of a body (a rerun's or clone's override, D35), checked as in a create. */
export function reportConfigOf(report: ReportJson): ReportConfig {
  const problems: FieldProblem[] = [];
  const bucket = (pointer: string, value: string): BucketRef => {
    try {
      return parseBucketRef(value);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      problems.push({ pointer, detail: e.message });
      return dummy;
    }
  };
  const config = reportOf(report, bucket, problems);
  if (problems.length > 0) throw validationProblem(`The report is not valid: ${problems.length} problem(s).`, problems);
  return config;
}

/** Stands in for a bucket reference that did not parse; the request is refused before it is used. */
const dummy: BucketRef = { arn: "", bucket: "" };

type BucketOf = (pointer: string, value: string) => BucketRef;

function operationOf(operation: OperationJson, bucket: BucketOf): Operation {
  if (operation.kind === "PutObjectCopy") {
    return { ...operation, targetResource: bucket("/operation/targetResource", operation.targetResource) };
  }
  return operation as Operation;
}

function manifestOf(
  manifest: ManifestJson,
  bucket: BucketOf,
  at: (pointer: string, check: () => void) => void,
): Manifest {
  if (CSV_FORMATS.has(manifest.format)) at("/manifest/fields", () => checkCsvManifestFields(manifest.fields, "fields"));
  return {
    format: manifest.format,
    fields: manifest.fields,
    location: { ...manifest.location, bucket: bucket("/manifest/location/bucket", manifest.location.bucket) },
  };
}

function generatorOf(generator: ManifestGeneratorJson, bucket: BucketOf): ManifestGenerator {
  const out = generator.manifestOutputLocation;
  return dropUndefined({
    ...generator,
    sourceBucket: bucket("/manifestGenerator/sourceBucket", generator.sourceBucket),
    manifestOutputLocation: out && {
      ...out,
      bucket: bucket("/manifestGenerator/manifestOutputLocation/bucket", out.bucket),
    },
  });
}

function reportOf(report: ReportJson, bucket: BucketOf, problems: FieldProblem[]): ReportConfig {
  if (report.enabled && report.bucket === undefined) {
    problems.push({ pointer: "/report/bucket", detail: "required: a report that is enabled needs a bucket" });
  }
  return dropUndefined({
    ...report,
    bucket: report.bucket === undefined ? undefined : bucket("/report/bucket", report.bucket),
    format: report.format ?? (report.enabled ? "Report_CSV_20180820" : undefined),
    scope: report.scope ?? (report.enabled ? "AllTasks" : undefined),
  });
}
