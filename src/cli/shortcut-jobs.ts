/**
 * The shortcuts (`objbatch copy|delete|tag|untag|restore|acl|checksum|invoke`): each turns its flags into the
 * JSON API's job (CreateJobRequest), so that what the user typed reads like the task and what the server gets is
 * the job a file would hold. This module is pure: no I/O. Where the objects come from is a ShortcutSource, with
 * a local manifest file left for shortcut-commands.ts to upload first (D38).
 *
 * The copy target follows `aws s3 cp --recursive` and rclone: with `--source s3://photos/2024/ --to
 * s3://backup/copies/`, photos' `2024/a.jpg` becomes backup's `copies/a.jpg` (COS-style prefix replacement);
 * with a manifest, whose keys share no prefix, `--to s3://backup/copies/` is a folder each key is copied into
 * (`copies/<key>`, AWS's TargetKeyPrefix).
 */
import type { ManifestGeneratorJson, ManifestJson, OperationJson, ReportJson } from "../api/json/schemas/model.js";
import type { CreateJobRequest } from "../api/json/schemas/requests.js";
import { MANIFEST_FIELDS, MANIFEST_FORMATS } from "../domain/job.js";
import { CliError } from "./exit-codes.js";
import { isS3Url, parseS3ObjectUrl, parseS3Url, type S3Location } from "./s3-url.js";

export type ManifestFormat = ManifestJson["format"];
export type ManifestField = ManifestJson["fields"][number];

/** Where the tasks come from. */
export type ShortcutSource =
  | { readonly kind: "manifest"; readonly manifest: ManifestJson }
  /** A manifest on this machine: uploaded to a bucket before the job is created (shortcut-commands.ts). */
  | {
      readonly kind: "local-manifest";
      readonly file: string;
      readonly format: ManifestFormat;
      /** Given by --fields; otherwise found from the file's first row. */
      readonly fields?: readonly ManifestField[];
    }
  | { readonly kind: "listing"; readonly generator: ManifestGeneratorJson; readonly location: S3Location };

/** The options every shortcut takes, as commander parsed them. */
export interface SourceOptions {
  readonly manifest?: string;
  readonly fields?: string;
  readonly manifestFormat?: string;
  readonly source?: string;
  readonly suffix?: string[];
  readonly contains?: string[];
  readonly largerThan?: number;
  readonly smallerThan?: number;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
  readonly inStorageClass?: string[];
}

export interface JobOptions {
  readonly report?: string;
  readonly reportFailedOnly?: boolean;
  readonly priority?: number;
  readonly description?: string;
  readonly jobTag?: string[];
  readonly role?: string;
  readonly clientToken?: string;
}

const LISTING_FILTERS = [
  "suffix",
  "contains",
  "largerThan",
  "smallerThan",
  "createdAfter",
  "createdBefore",
  "inStorageClass",
] as const;

/** The source the options name: exactly one of --manifest and --source. */
export function sourceOf(o: SourceOptions): ShortcutSource {
  if ((o.manifest === undefined) === (o.source === undefined)) {
    throw new CliError(
      "say which objects: --manifest s3://bucket/manifest.csv (or a local CSV file), or --source s3://bucket/prefix " +
        "to list a bucket",
    );
  }
  if (o.manifest !== undefined) {
    const given = LISTING_FILTERS.filter((name) => o[name] !== undefined);
    if (given.length > 0) {
      throw new CliError(
        `--${kebab(given[0]!)} filters a bucket listing (--source); a manifest's rows are taken as they are`,
      );
    }
    const format = formatOf(o.manifestFormat, o.manifest);
    const fields = o.fields === undefined ? undefined : fieldsOf(o.fields);
    if (!isS3Url(o.manifest)) return { kind: "local-manifest", file: o.manifest, format, fields };
    const { bucket, path } = parseS3ObjectUrl(o.manifest, "--manifest");
    return {
      kind: "manifest",
      manifest: { format, fields: [...(fields ?? defaultFields(format))], location: { bucket, key: path } },
    };
  }
  if (o.fields !== undefined || o.manifestFormat !== undefined) {
    throw new CliError("--fields and --manifest-format describe a manifest (--manifest), not a listing (--source)");
  }
  const location = parseS3Url(o.source!, "--source");
  const filter: NonNullable<ManifestGeneratorJson["filter"]> = {
    keyNameConstraint: {
      ...(location.path === "" ? {} : { matchAnyPrefix: [location.path] }),
      ...(o.suffix === undefined ? {} : { matchAnySuffix: o.suffix }),
      ...(o.contains === undefined ? {} : { matchAnySubstring: o.contains }),
    },
    ...(o.largerThan === undefined ? {} : { objectSizeGreaterThanBytes: o.largerThan }),
    ...(o.smallerThan === undefined ? {} : { objectSizeLessThanBytes: o.smallerThan }),
    ...(o.createdAfter === undefined ? {} : { createdAfter: instantOf(o.createdAfter, "--created-after") }),
    ...(o.createdBefore === undefined ? {} : { createdBefore: instantOf(o.createdBefore, "--created-before") }),
    ...(o.inStorageClass === undefined ? {} : { matchAnyStorageClass: o.inStorageClass }),
  };
  if (Object.keys(filter.keyNameConstraint ?? {}).length === 0) delete filter.keyNameConstraint;
  return {
    kind: "listing",
    location,
    generator: {
      kind: "S3JobManifestGenerator",
      sourceBucket: location.bucket,
      enableManifestOutput: false,
      ...(Object.keys(filter).length === 0 ? {} : { filter }),
    },
  };
}

/** The job: the operation, where its tasks come from (a manifest object, or a listing) and the job's settings. */
export function jobRequestOf(
  operation: OperationJson,
  source: { manifest: ManifestJson } | { manifestGenerator: ManifestGeneratorJson },
  o: JobOptions,
): CreateJobRequest {
  return {
    operation,
    ...source,
    report: reportOf(o),
    ...(o.priority === undefined ? {} : { priority: o.priority }),
    ...(o.description === undefined ? {} : { description: o.description }),
    ...(o.jobTag === undefined ? {} : { tags: o.jobTag.map((pair) => keyValue(pair, "--job-tag")) }),
    ...(o.role === undefined ? {} : { roleArn: o.role }),
    ...(o.clientToken === undefined ? {} : { clientRequestToken: o.clientToken }),
  };
}

function reportOf(o: JobOptions): ReportJson {
  if (o.report === undefined) {
    if (o.reportFailedOnly) throw new CliError("--report-failed-only needs --report s3://bucket/prefix");
    return { enabled: false };
  }
  const { bucket, path } = parseS3Url(o.report, "--report");
  const prefix = path.replace(/\/+$/, "");
  return {
    enabled: true,
    bucket,
    format: "Report_CSV_20180820",
    ...(prefix === "" ? {} : { prefix }),
    scope: o.reportFailedOnly ? "FailedTasksOnly" : "AllTasks",
  };
}

/** The bucket a local manifest is uploaded to when --upload-bucket does not say: the report's, if any. */
export function reportBucketOf(o: JobOptions): string | undefined {
  return o.report === undefined ? undefined : parseS3Url(o.report, "--report").bucket;
}

// ---- the operations ----------------------------------------------------------------------------------------

export interface CopyOptions {
  readonly to: string;
  readonly storageClass?: string;
  readonly acl?: string;
}

/** PutObjectCopy into --to's bucket and prefix (see the header for how keys map). */
export function copyOperation(o: CopyOptions, source: ShortcutSource): OperationJson {
  const to = parseS3Url(o.to, "--to");
  const settings = {
    ...(o.storageClass === undefined ? {} : { storageClass: o.storageClass }),
    ...(o.acl === undefined ? {} : { cannedAccessControlList: o.acl }),
  };
  if (source.kind === "listing" && source.location.path !== "") {
    return {
      kind: "PutObjectCopy",
      targetResource: to.bucket,
      prefixReplace: true,
      resourcesPrefix: source.location.path,
      targetKeyPrefix: to.path,
      ...settings,
    };
  }
  return {
    kind: "PutObjectCopy",
    targetResource: to.bucket,
    ...(to.path === "" ? {} : { targetKeyPrefix: to.path }),
    ...settings,
  };
}

/** Replace each object's tag set with the pairs, or (--add) add them to it. */
export function tagOperation(pairs: readonly string[], add: boolean): OperationJson {
  if (pairs.length === 0) throw new CliError("name the tags: objbatch tag KEY=VALUE [KEY=VALUE ...]");
  if (pairs.length > 10) throw new CliError(`an object carries at most 10 tags; ${pairs.length} were given`);
  const tagSet = pairs.map((pair) => keyValue(pair, "a tag"));
  return add ? { kind: "AddObjectTagging", tagSet } : { kind: "PutObjectTagging", tagSet };
}

export function restoreOperation(o: { days?: number; tier?: string }): OperationJson {
  const tier = o.tier;
  if (tier !== undefined && tier !== "Bulk" && tier !== "Standard" && tier !== "Expedited") {
    throw new CliError(`--tier is Bulk, Standard or Expedited, not ${JSON.stringify(tier)}`);
  }
  return {
    kind: "InitiateRestoreObject",
    expirationInDays: o.days ?? 1,
    ...(tier === undefined ? {} : { tier }),
  };
}

export function aclOperation(canned: string): OperationJson {
  return { kind: "PutObjectAcl", acl: { canned } };
}

export function checksumOperation(o: { algorithm: string; type?: string }): OperationJson {
  const type = o.type?.toUpperCase().replace("-", "_");
  if (type !== undefined && type !== "FULL_OBJECT" && type !== "COMPOSITE") {
    throw new CliError(`--type is full-object or composite, not ${JSON.stringify(o.type)}`);
  }
  return {
    kind: "ComputeObjectChecksum",
    algorithm: o.algorithm.toUpperCase() as Extract<OperationJson, { kind: "ComputeObjectChecksum" }>["algorithm"],
    ...(type === undefined ? {} : { checksumType: type }),
  };
}

export function invokeOperation(o: { function: string; arg?: string[]; schema?: string }): OperationJson {
  const schema = o.schema;
  if (schema !== undefined && schema !== "1.0" && schema !== "2.0") {
    throw new CliError(`--schema is 1.0 or 2.0, not ${JSON.stringify(schema)}`);
  }
  return {
    kind: "InvokeFunction",
    functionArn: o.function,
    ...(schema === undefined ? {} : { invocationSchemaVersion: schema }),
    ...(o.arg === undefined ? {} : { userArguments: o.arg.map((pair) => keyValue(pair, "--arg")) }),
  };
}

// ---- parsing helpers ---------------------------------------------------------------------------------------

/** KEY=VALUE (the value may be empty or hold more '='). */
export function keyValue(pair: string, what: string): { key: string; value: string } {
  const eq = pair.indexOf("=");
  if (eq <= 0) throw new CliError(`${what} is KEY=VALUE (the value may be empty), not ${JSON.stringify(pair)}`);
  return { key: pair.slice(0, eq), value: pair.slice(eq + 1) };
}

/** An inventory's manifest.json unless --manifest-format says otherwise; else S3's CSV. */
function formatOf(given: string | undefined, manifest: string): ManifestFormat {
  if (given !== undefined) {
    const format = MANIFEST_FORMATS.find((f) => f.toLowerCase() === given.toLowerCase());
    if (format === undefined) {
      throw new CliError(`--manifest-format is one of ${MANIFEST_FORMATS.join(", ")}; not ${JSON.stringify(given)}`);
    }
    return format;
  }
  return /(^|\/)manifest\.json$/.test(manifest) ? "S3InventoryReport_CSV_20161130" : "S3BatchOperations_CSV_20180820";
}

/** What a CSV manifest's columns hold when --fields does not say (an inventory's manifest.json says itself). */
export function defaultFields(format: ManifestFormat, columns = 2): ManifestField[] {
  if (format.includes("Inventory")) return [];
  return columns >= 3 ? ["Bucket", "Key", "VersionId"] : ["Bucket", "Key"];
}

function fieldsOf(value: string): ManifestField[] {
  return value.split(",").map((name) => {
    const field = MANIFEST_FIELDS.find((f) => f.toLowerCase() === name.trim().toLowerCase());
    if (field === undefined) {
      throw new CliError(`--fields lists the manifest's columns from ${MANIFEST_FIELDS.join(", ")}; not ${name}`);
    }
    return field;
  });
}

function instantOf(value: string, what: string): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(value);
  if (Number.isNaN(date.getTime())) throw new CliError(`${what} is a date (2026-01-31) or an ISO-8601 instant`);
  return date.toISOString();
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** A size in bytes: 1048576, 10MB, 1.5GiB, 512k. */
export function sizeOf(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = match === null ? undefined : SIZE_UNITS[match[2]!.toLowerCase()];
  if (!match || unit === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
