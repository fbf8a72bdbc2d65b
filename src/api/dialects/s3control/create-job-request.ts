/**
 * S3 Control request bodies -> canonical values: CreateJobRequest -> JobSpec (dialect "s3control"), and
 * PutJobTaggingRequest -> tags.
 *
 *   CreateJobRequest (xmlns http://awss3control.amazonaws.com/doc/2018-08-20/; the namespace is not checked)
 *     ConfirmationRequired   optional boolean, default false (D4)
 *     Operation              required: exactly one operation (operation.ts)
 *     Report                 required: Enabled (required), Bucket, Format Report_CSV_20180820, Prefix 1-512,
 *                            ReportScope, ExpectedBucketOwner
 *     ClientRequestToken     required, 1-64 characters (SDKs fill in a UUID)
 *     Manifest               Spec{Format, Fields/member*}, Location{ObjectArn, ObjectVersionId?, ETag}; the model
 *                            requires ETag, and so does S3
 *     Description            optional, 1-256 characters
 *     Priority               required, 0-2147483647
 *     RoleArn                required, an IAM role ARN (model-patterns.ts)
 *     Tags                   optional job tags, <member><Key/><Value/></member>, at most 50
 *     ManifestGenerator      S3JobManifestGenerator (manifest-generator.ts); exactly one of Manifest and it
 *
 * Element order does not matter; unknown elements are rejected (MalformedXML), as are values of the wrong
 * type or size (InvalidArgument). Both become 400 BadRequestException (PutJobTagging: see below).
 */
import { invalidArgument, invalidRequest, isDomainError } from "../../../domain/errors.js";
import type { JobSpec, Manifest, ManifestFormat, ReportConfig, Tag } from "../../../domain/job.js";
import { parseBucketRef, parseObjectArn } from "../../bucket-arn.js";
import { parseXmlDocument } from "../../xml/parse.js";
import { readDocument, type XmlReader } from "../../xml/read.js";
import { checkCsvManifestFields, MAX_MANIFEST_COLUMNS, readManifestFieldItem } from "../shared/manifest-fields.js";
import { dropUndefined } from "../shared/object-values.js";
import { S3ControlError } from "./errors.js";
import { parseManifestGenerator } from "./manifest-generator.js";
import { ROLE_ARN } from "./model-patterns.js";
import { parseS3ControlOperation } from "./operation.js";
import { readList, readTagList } from "./xml-shapes.js";

export const MAX_JOB_TAGS = 50;

/** The AWS formats first; the COS and OSS ones are accepted too (they mean the same CSV or inventory). */
export const S3CONTROL_MANIFEST_FORMATS = [
  "S3BatchOperations_CSV_20180820",
  "S3InventoryReport_CSV_20161130",
  "COSBatchOperations_CSV_V1",
  "COSInventoryReport_CSV_V1",
  "OSS_BatchOperations_CSV_20250611",
  "OSS_InventoryReport_CSV_20250611",
] as const satisfies readonly ManifestFormat[];

const CSV_FORMATS: ReadonlySet<string> = new Set([
  "S3BatchOperations_CSV_20180820",
  "COSBatchOperations_CSV_V1",
  "OSS_BatchOperations_CSV_20250611",
]);
/** Report formats: AWS's, and COS's (the same CSV report). */
const REPORT_FORMATS = ["Report_CSV_20180820", "Report_CSV_V1"] as const;

/** Parses a CreateJob body for the signing account. Throws DomainError only. */
export function parseS3ControlCreateJobRequest(body: string | Uint8Array | undefined, accountId: string): JobSpec {
  if (body === undefined || body.length === 0) throw invalidRequest("The request body is empty.");
  return readDocument(parseXmlDocument(body), "CreateJobRequest", (r) => {
    const manifest = r.child("Manifest", readManifest);
    const manifestGenerator = r.child("ManifestGenerator", parseManifestGenerator);
    if ((manifest === undefined) === (manifestGenerator === undefined)) {
      throw invalidArgument("A job needs exactly one of Manifest and ManifestGenerator.");
    }
    const tags = readTagList(r, "Tags", { max: MAX_JOB_TAGS });
    const description = r.optionalString("Description", { min: 1, max: 256, unit: "chars" });
    const spec: JobSpec = {
      accountId,
      dialect: "s3control",
      clientRequestToken: r.requiredString("ClientRequestToken", { min: 1, max: 64, unit: "chars" }),
      confirmationRequired: r.optionalBoolean("ConfirmationRequired") ?? false,
      ...(description !== undefined ? { description } : {}),
      priority: r.requiredInt("Priority", { min: 0, max: 2147483647 }),
      roleArn: r.requiredString("RoleArn", ROLE_ARN),
      operation: r.requiredChild("Operation", parseS3ControlOperation),
      ...(manifest !== undefined ? { manifest } : {}),
      ...(manifestGenerator !== undefined ? { manifestGenerator } : {}),
      report: r.requiredChild("Report", readReport),
      ...(tags !== undefined && tags.length > 0 ? { tags } : {}),
    };
    return spec;
  });
}

/**
 * Parses a PutJobTagging body: `<PutJobTaggingRequest><Tags><member><Key/><Value/></member>*</Tags>`. Tags the
 * model does not allow (key or value too long or with other characters, a key twice) are TooManyTagsException:
 * the one client error the model lists for PutJobTagging, so SDKs raise their modelled class for it.
 */
export function parsePutJobTaggingRequest(body: string | Uint8Array | undefined): Tag[] {
  if (body === undefined || body.length === 0) throw invalidRequest("The request body is empty.");
  return readDocument(parseXmlDocument(body), "PutJobTaggingRequest", (r) => {
    // More than 50 tags is TooManyTagsException from the service, not a malformed request.
    let tags: Tag[] | undefined;
    try {
      tags = readTagList(r, "Tags");
    } catch (e) {
      if (isDomainError(e) && e.kind === "InvalidArgument") {
        throw new S3ControlError(400, "TooManyTagsException", `The tag set is not valid: ${e.message}`);
      }
      throw e;
    }
    if (tags === undefined) throw invalidArgument("Missing required element PutJobTaggingRequest/Tags.");
    return tags;
  });
}

function readManifest(m: XmlReader): Manifest {
  const location = m.requiredChild("Location", (l) => {
    const objectArn = l.requiredString("ObjectArn", { min: 1, max: 2048 });
    const ref = parseObjectArn(objectArn, `${l.path}/ObjectArn`);
    const etag = l.requiredString("ETag", { min: 1, max: 1024 });
    const versionId = l.optionalString("ObjectVersionId", { min: 1, max: 2000 });
    return dropUndefined({ objectArn, bucket: ref.bucket, key: ref.key, versionId, etag });
  });
  const spec = m.requiredChild("Spec", (s) => {
    const format = s.requiredEnum("Format", S3CONTROL_MANIFEST_FORMATS);
    const fields = readList(s, "Fields", readManifestFieldItem, { max: MAX_MANIFEST_COLUMNS });
    if (CSV_FORMATS.has(format)) checkCsvManifestFields(fields, `${s.path}/Fields`);
    return { format, fields: fields ?? [] };
  });
  return { format: spec.format, fields: spec.fields, location };
}

function readReport(r: XmlReader): ReportConfig {
  const enabled = r.requiredBoolean("Enabled");
  const bucketArn = r.optionalString("Bucket", { min: 1, max: 2048 });
  const format = r.optionalEnum("Format", REPORT_FORMATS);
  const prefix = r.optionalString("Prefix", { min: 1, max: 512 });
  const scope = r.optionalEnum("ReportScope", ["AllTasks", "FailedTasksOnly"]);
  const expectedBucketOwner = r.optionalString("ExpectedBucketOwner", {
    max: 64,
    pattern: /^\d{1,64}$/,
    patternHint: "must be an account id (digits)",
  });
  if (enabled && bucketArn === undefined) {
    throw invalidArgument(`Missing required element ${r.path}/Bucket: a report that is enabled needs a bucket.`);
  }
  const bucket = bucketArn === undefined ? undefined : parseBucketRef(bucketArn, `${r.path}/Bucket`);
  return dropUndefined({
    enabled,
    bucket,
    format: format ?? (enabled ? "Report_CSV_20180820" : undefined),
    prefix,
    scope: scope ?? (enabled ? "AllTasks" : undefined),
    expectedBucketOwner,
  });
}
