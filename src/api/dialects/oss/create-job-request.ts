/**
 * OSS CreateJob request body -> canonical JobSpec (dialect "oss").
 *
 * Element tree (the OSS CreateJob documentation and the official Go SDK's serialisation):
 *   CreateJobRequest
 *     ConfirmationRequired        optional boolean, default false (D4)
 *     Operation                   required: exactly one operation (operation.ts)
 *     Report                      required: Enabled, Bucket (when enabled), Prefix?, ReportScope? (no Format)
 *     ClientRequestToken          optional, 1-64 bytes; without one the request is not idempotent (a fresh
 *                                 token is made up, as the AWS SDK does)
 *     Manifest                    Location{Bucket, Object, ETag?, VersionId?}, Spec{Format, Fields "Bucket,Key"}
 *     KeyPrefixManifestGenerator  {SourceBucket, Prefix?}: exactly one of Manifest and this
 *     Description                 optional, 0-256 characters
 *     Priority                    required, 0-2147483647
 *     RoleArn                     required, 1-1024 bytes (`acs:ram::<uid>:role/<name>`)
 *
 * Buckets are plain names in OSS; the other accepted forms (D2) are read too and echoed back as sent. Element
 * order does not matter. Errors: a body that is not XML, an unknown or repeated element or an element of the
 * wrong shape is MalformedXML; a bad value is InvalidArgument naming the element (a bad RoleArn carries OSS's
 * EC 0017-00001009).
 */
import { randomUUID } from "node:crypto";
import { invalidArgument, malformedXml } from "../../../domain/errors.js";
import type {
  JobSpec,
  Manifest,
  ManifestField,
  ManifestFormat,
  ManifestGenerator,
  ReportConfig,
} from "../../../domain/job.js";
import { parseBucketRef } from "../../bucket-arn.js";
import { parseXmlDocument } from "../../xml/parse.js";
import { readDocument, type XmlReader } from "../../xml/read.js";
import { checkCsvManifestFields, isManifestField, MANIFEST_FIELDS } from "../shared/manifest-fields.js";
import { OSS_EC, OssCodedError } from "./errors.js";
import { parseOssOperation } from "./operation.js";

export const OSS_MANIFEST_FORMATS = [
  "OSS_BatchOperations_CSV_20250611",
  "OSS_InventoryReport_CSV_20250611",
] as const satisfies readonly ManifestFormat[];

const MAX_OBJECT_KEY_BYTES = 1023;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NO_CONTROL = /^[^\u0000-\u001F\u007F]*$/;

/** Parses a CreateJob body for the signing account. Throws DomainError only. */
export function parseOssCreateJobRequest(body: string | Uint8Array | undefined, accountId: string): JobSpec {
  if (body === undefined || body.length === 0) throw malformedXml("The request body is empty.");
  const root = parseXmlDocument(body);
  return readDocument(root, "CreateJobRequest", (r) => {
    const clientRequestToken = r.optionalString("ClientRequestToken", { min: 1, max: 64 }) ?? randomUUID();
    const confirmationRequired = r.optionalBoolean("ConfirmationRequired") ?? false;
    const description = r.optionalString("Description", { max: 256, unit: "chars" });
    const priority = r.requiredInt("Priority", { min: 0, max: 2147483647 });
    const roleArn = r.requiredString("RoleArn", {
      min: 1,
      max: 1024,
      pattern: NO_CONTROL,
      patternHint: "must not contain control characters",
      error: (m) => new OssCodedError("InvalidArgument", m, OSS_EC.invalidRoleArn),
    });
    const operation = r.requiredChild("Operation", parseOssOperation, { error: malformedXml });
    const report = r.requiredChild("Report", readReport, { error: malformedXml });
    const manifest = r.child("Manifest", readManifest);
    const manifestGenerator = r.child("KeyPrefixManifestGenerator", readGenerator);
    if ((manifest === undefined) === (manifestGenerator === undefined)) {
      throw malformedXml(
        "CreateJobRequest must contain exactly one of Manifest and KeyPrefixManifestGenerator" +
          (manifest === undefined ? "; it contains neither." : "; it contains both."),
      );
    }
    const spec: JobSpec = {
      accountId,
      dialect: "oss",
      clientRequestToken,
      confirmationRequired,
      ...(description !== undefined ? { description } : {}),
      priority,
      roleArn,
      operation,
      ...(manifest !== undefined ? { manifest } : {}),
      ...(manifestGenerator !== undefined ? { manifestGenerator } : {}),
      report,
    };
    return spec;
  });
}

function readManifest(m: XmlReader): Manifest {
  const location = m.requiredChild(
    "Location",
    (l) => {
      const bucket = parseBucketRef(l.requiredString("Bucket", { min: 1, max: 2048 }), `${l.path}/Bucket`);
      const key = l.requiredString("Object", { min: 1, max: MAX_OBJECT_KEY_BYTES });
      const etag = l.optionalString("ETag", { min: 1, max: 1024 });
      const versionId = l.optionalString("VersionId", { min: 1, max: 2000 });
      return {
        bucket,
        key,
        ...(versionId !== undefined ? { versionId } : {}),
        ...(etag !== undefined ? { etag } : {}),
      };
    },
    { error: malformedXml },
  );
  const spec = m.requiredChild(
    "Spec",
    (s) => {
      const format = s.requiredEnum("Format", OSS_MANIFEST_FORMATS);
      const fieldsText = s.optionalString("Fields", { max: 256 });
      const fields = fieldsText === undefined ? undefined : parseFields(fieldsText, `${s.path}/Fields`);
      if (format === "OSS_BatchOperations_CSV_20250611") checkCsvManifestFields(fields, `${s.path}/Fields`);
      return { format, fields: fields ?? [] };
    },
    { error: malformedXml },
  );
  return { format: spec.format, fields: spec.fields, location };
}

/** `Bucket,Key,VersionId` (one string, spaces around the commas allowed). */
export function parseFields(text: string, path: string): ManifestField[] {
  if (text.trim() === "") return [];
  return text.split(",").map((raw) => {
    const f = raw.trim();
    if (!isManifestField(f)) {
      throw invalidArgument(
        `${path} must be a comma-separated list of ${MANIFEST_FIELDS.join(", ")}; "${f.slice(0, 64)}" is not one of them.`,
      );
    }
    return f;
  });
}

function readGenerator(g: XmlReader): ManifestGenerator {
  const sourceBucket = parseBucketRef(
    g.requiredString("SourceBucket", { min: 1, max: 2048 }),
    `${g.path}/SourceBucket`,
  );
  const prefix = g.optionalString("Prefix", { max: MAX_OBJECT_KEY_BYTES });
  return {
    kind: "KeyPrefixManifestGenerator",
    sourceBucket,
    enableManifestOutput: false,
    ...(prefix !== undefined && prefix !== "" ? { prefix } : {}),
  };
}

function readReport(r: XmlReader): ReportConfig {
  const enabled = r.requiredBoolean("Enabled");
  const bucketRef = r.optionalString("Bucket", { min: 1, max: 2048 });
  const prefix = r.optionalString("Prefix", { max: 512 });
  const scope = r.optionalEnum("ReportScope", ["AllTasks", "FailedTasksOnly"]);
  if (enabled && bucketRef === undefined) {
    throw invalidArgument(`Missing required element ${r.path}/Bucket: a report that is enabled needs a bucket.`);
  }
  const bucket = bucketRef === undefined ? undefined : parseBucketRef(bucketRef, `${r.path}/Bucket`);
  return {
    enabled,
    ...(bucket !== undefined ? { bucket } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
    ...(scope !== undefined || enabled ? { scope: scope ?? "AllTasks" } : {}),
  };
}
