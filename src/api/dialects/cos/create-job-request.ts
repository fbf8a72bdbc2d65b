/**
 * COS CreateJob request body -> canonical JobSpec (dialect "cos").
 *
 * Element tree (the COS CreateJob documentation and its example request):
 *   CreateJobRequest
 *     ClientRequestToken    required, 1-64 bytes
 *     ConfirmationRequired  optional boolean, default false (D4)
 *     Description           optional, 0-256 bytes
 *     Manifest              required: Location{ObjectArn, ETag?, ObjectVersionId?}, Spec{Format, Fields/member*}
 *     Operation             required: exactly one operation (operation.ts)
 *     Priority              required, 0-2147483647
 *     Report                required: Enabled, Bucket, Format Report_CSV_V1, Prefix 0-256 bytes, ReportScope
 *     RoleArn               required, 1-1024 bytes
 *
 * Error codes follow the COS document: a bad Priority is InvalidRequest with its documented message; anything
 * wrong inside Manifest, Operation or Report is MalformedXML naming that field (with the precise element and
 * reason appended); other bad values are InvalidArgument; a body that is not XML is MalformedXML.
 */

import { DomainError, invalidArgument, invalidRequest, isDomainError, malformedXml } from "../../../domain/errors.js";
import type { JobSpec, Manifest, ManifestFormat, ReportConfig } from "../../../domain/job.js";
import { parseBucketRef, parseObjectArn } from "../../bucket-arn.js";
import { parseXmlDocument } from "../../xml/parse.js";
import { readDocument, type XmlReader } from "../../xml/read.js";
import { checkCsvManifestFields, readManifestFieldItem } from "../shared/manifest-fields.js";
import { parseCosOperation } from "./operation.js";

export const PRIORITY_MESSAGE = "Priority must be an integer between 0 and 2147483647.";

export const COS_MANIFEST_FORMATS = [
  "COSBatchOperations_CSV_V1",
  "COSInventoryReport_CSV_V1",
  "S3BatchOperations_CSV_20180820",
] as const satisfies readonly ManifestFormat[];

const CSV_FORMATS: ReadonlySet<string> = new Set(["COSBatchOperations_CSV_V1", "S3BatchOperations_CSV_20180820"]);

/** Parses a CreateJob body for the signing account. Throws DomainError only. */
export function parseCosCreateJobRequest(body: string | Uint8Array | undefined, accountId: string): JobSpec {
  if (body === undefined || body.length === 0) throw invalidRequest("The request body is empty.");
  const root = parseXmlDocument(body);
  return readDocument(root, "CreateJobRequest", (r) => {
    const clientRequestToken = r.requiredString("ClientRequestToken", { min: 1, max: 64 });
    const confirmationRequired = r.optionalBoolean("ConfirmationRequired") ?? false;
    const description = r.optionalString("Description", { max: 256 });
    const priorityError = () => invalidRequest(PRIORITY_MESSAGE);
    const priority = r.requiredInt("Priority", { min: 0, max: 2147483647, error: priorityError });
    const roleArn = r.requiredString("RoleArn", { min: 1, max: 1024 });
    const manifest = section("Manifest", () =>
      r.requiredChild("Manifest", readManifest, { error: (m) => malformedXml(m) }),
    );
    const operation = section("Operation", () =>
      r.requiredChild("Operation", parseCosOperation, { error: (m) => malformedXml(m) }),
    );
    const report = section("Report", () => r.requiredChild("Report", readReport, { error: (m) => malformedXml(m) }));
    const spec: JobSpec = {
      accountId,
      dialect: "cos",
      clientRequestToken,
      confirmationRequired,
      ...(description !== undefined ? { description } : {}),
      priority,
      roleArn,
      operation,
      manifest,
      report,
    };
    return spec;
  });
}

/**
 * Runs the reading of one section and reports any failure inside it as COS does: MalformedXML naming the
 * field. The precise element and reason follow, so the client can still see what to fix.
 */
function section<T>(name: "Manifest" | "Operation" | "Report", read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (!isDomainError(e)) throw e;
    throw new DomainError("MalformedXML", `The XML ${name} field in the request body is invalid: ${e.message}`);
  }
}

function readManifest(m: XmlReader): Manifest {
  const location = m.requiredChild("Location", (l) => {
    const arnPath = `${l.path}/ObjectArn`;
    const objectArn = l.requiredString("ObjectArn", { min: 1, max: 2048 });
    const ref = parseObjectArn(objectArn, arnPath);
    const etag = l.optionalString("ETag", { min: 1, max: 1024 });
    const versionId = l.optionalString("ObjectVersionId", { min: 1, max: 2000 });
    return {
      objectArn,
      bucket: ref.bucket,
      key: ref.key,
      ...(versionId !== undefined ? { versionId } : {}),
      ...(etag !== undefined ? { etag } : {}),
    };
  });
  const spec = m.requiredChild("Spec", (s) => {
    const format = s.requiredEnum("Format", COS_MANIFEST_FORMATS);
    const fields = s.list("Fields", "member", readManifestFieldItem);
    if (CSV_FORMATS.has(format)) checkCsvManifestFields(fields, `${s.path}/Fields`);
    return { format, fields: fields ?? [] };
  });
  return { format: spec.format, fields: spec.fields, location };
}

function readReport(r: XmlReader): ReportConfig {
  const enabled = r.requiredBoolean("Enabled");
  const bucketArn = r.optionalString("Bucket", { min: 1 });
  const format = r.optionalEnum("Format", ["Report_CSV_V1"]);
  const prefix = r.optionalString("Prefix", { max: 256 });
  const scope = r.optionalEnum("ReportScope", ["AllTasks", "FailedTasksOnly"]);
  if (enabled && bucketArn === undefined) {
    throw invalidArgument(`Missing required element ${r.path}/Bucket: a report that is enabled needs a bucket.`);
  }
  const bucket = bucketArn === undefined ? undefined : parseBucketRef(bucketArn, `${r.path}/Bucket`);
  return {
    enabled,
    ...(bucket !== undefined ? { bucket } : {}),
    ...(format !== undefined || enabled ? { format: format ?? "Report_CSV_V1" } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
    ...(scope !== undefined || enabled ? { scope: scope ?? "AllTasks" } : {}),
  };
}
