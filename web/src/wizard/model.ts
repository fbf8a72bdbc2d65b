/**
 * What the new-job wizard asks, and the JSON API's job it makes of it (pure). Every field the wizard shows is a
 * field of CreateJobRequest (D26); the API validates the result as it validates any client's, and its problems
 * (each at a JSON pointer) are shown beside the step they belong to.
 */
import type { CreateJobRequest } from "../api";

export type SourceKind = "manifest" | "upload" | "listing";

export interface WizardState {
  source: SourceKind;
  manifestBucket: string;
  manifestKey: string;
  manifestFormat: string;
  manifestFields: string;
  uploadFile: File | null;
  uploadBucket: string;
  listingBucket: string;
  listingPrefix: string;
  suffixes: string;
  contains: string;
  largerThan: string;
  smallerThan: string;
  createdAfter: string;
  createdBefore: string;
  storageClasses: string;
  operation: string;
  settings: Record<string, string>;
  reportEnabled: boolean;
  reportBucket: string;
  reportPrefix: string;
  reportScope: "AllTasks" | "FailedTasksOnly";
  priority: string;
  description: string;
  tags: string;
  confirmationRequired: boolean;
}

export const INITIAL: WizardState = {
  source: "listing",
  manifestBucket: "",
  manifestKey: "",
  manifestFormat: "S3BatchOperations_CSV_20180820",
  manifestFields: "Bucket,Key",
  uploadFile: null,
  uploadBucket: "",
  listingBucket: "",
  listingPrefix: "",
  suffixes: "",
  contains: "",
  largerThan: "",
  smallerThan: "",
  createdAfter: "",
  createdBefore: "",
  storageClasses: "",
  operation: "PutObjectCopy",
  settings: {},
  reportEnabled: true,
  reportBucket: "",
  reportPrefix: "reports",
  reportScope: "AllTasks",
  priority: "10",
  description: "",
  tags: "",
  confirmationRequired: false,
};

/** A setting of an operation, as the wizard shows it. */
export interface SettingField {
  readonly name: string;
  readonly label: string;
  readonly help: string;
  readonly type: "text" | "number" | "select" | "lines" | "date" | "checkbox";
  readonly options?: readonly string[];
  readonly required?: boolean;
}

export interface OperationSpec {
  readonly kind: string;
  readonly title: string;
  readonly help: string;
  readonly fields: readonly SettingField[];
  readonly toJson: (s: Readonly<Record<string, string>>) => Record<string, unknown>;
}

const CANNED_ACLS = [
  "private",
  "public-read",
  "public-read-write",
  "authenticated-read",
  "bucket-owner-read",
  "bucket-owner-full-control",
];
const CHECKSUMS = ["CRC32", "CRC32C", "CRC64NVME", "MD5", "SHA1", "SHA256", "SHA512"];

const lines = (text: string | undefined) =>
  (text ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");

/** key=value lines as {key, value}; a line without "=" is kept with the whole line as key, for the API to refuse. */
export const pairs = (text: string | undefined) =>
  lines(text).map((l) => {
    const eq = l.indexOf("=");
    return eq < 0 ? { key: l, value: "" } : { key: l.slice(0, eq), value: l.slice(eq + 1) };
  });

const optional = (name: string, value: string | undefined, as: (v: string) => unknown = (v) => v) =>
  value === undefined || value.trim() === "" ? {} : { [name]: as(value.trim()) };

const instant = (value: string) => new Date(value.length === 10 ? `${value}T00:00:00Z` : value).toISOString();

export const OPERATIONS: readonly OperationSpec[] = [
  {
    kind: "PutObjectCopy",
    title: "Copy",
    help: "Copies each object into a bucket, under a prefix if you give one.",
    fields: [
      {
        name: "targetResource",
        label: "Target bucket",
        help: "The bucket the copies go to.",
        type: "text",
        required: true,
      },
      {
        name: "targetKeyPrefix",
        label: "Target key prefix",
        help: "A folder each key is copied into: photos/a.jpg with copies becomes copies/photos/a.jpg.",
        type: "text",
      },
      {
        name: "storageClass",
        label: "Storage class",
        help: "The copies' storage class (STANDARD, STANDARD_IA, GLACIER, ...); empty keeps the target's default.",
        type: "text",
      },
      {
        name: "cannedAccessControlList",
        label: "Canned ACL",
        help: "The copies' ACL; empty gives the default.",
        type: "select",
        options: ["", ...CANNED_ACLS],
      },
    ],
    toJson: (s) => ({
      targetResource: (s.targetResource ?? "").trim(),
      ...optional("targetKeyPrefix", s.targetKeyPrefix),
      ...optional("storageClass", s.storageClass),
      ...optional("cannedAccessControlList", s.cannedAccessControlList),
    }),
  },
  {
    kind: "DeleteObject",
    title: "Delete",
    help: "Deletes each object (the version the manifest names, if any).",
    fields: [
      {
        name: "allVersions",
        label: "All versions",
        help: "Delete every version and delete marker of each key, so nothing is left to restore.",
        type: "checkbox",
      },
    ],
    toJson: (s) => (s.allVersions === "true" ? { allVersions: true } : {}),
  },
  {
    kind: "InitiateRestoreObject",
    title: "Restore from archive",
    help: "Asks for a readable copy of each archived object, kept for some days.",
    fields: [
      {
        name: "expirationInDays",
        label: "Days",
        help: "How long the restored copy stays readable.",
        type: "number",
        required: true,
      },
      {
        name: "tier",
        label: "Tier",
        help: "Bulk is cheapest and slowest, Expedited the fastest.",
        type: "select",
        options: ["", "Bulk", "Standard", "Expedited"],
      },
    ],
    toJson: (s) => ({ ...optional("expirationInDays", s.expirationInDays, Number), ...optional("tier", s.tier) }),
  },
  {
    kind: "PutObjectTagging",
    title: "Replace tags",
    help: "Replaces each object's tag set with these tags (at most 10).",
    fields: [{ name: "tagSet", label: "Tags", help: "One key=value a line.", type: "lines", required: true }],
    toJson: (s) => ({ tagSet: pairs(s.tagSet) }),
  },
  {
    kind: "AddObjectTagging",
    title: "Add tags",
    help: "Adds these tags to each object's own (a key it has already gets the new value).",
    fields: [{ name: "tagSet", label: "Tags", help: "One key=value a line.", type: "lines", required: true }],
    toJson: (s) => ({ tagSet: pairs(s.tagSet) }),
  },
  {
    kind: "DeleteObjectTagging",
    title: "Remove tags",
    help: "Removes every tag of each object.",
    fields: [],
    toJson: () => ({}),
  },
  {
    kind: "PutObjectAcl",
    title: "Set ACL",
    help: "Gives each object a canned ACL.",
    fields: [
      {
        name: "canned",
        label: "Canned ACL",
        help: "Who may read and write each object.",
        type: "select",
        options: CANNED_ACLS,
        required: true,
      },
    ],
    toJson: (s) => ({ acl: { canned: s.canned ?? "private" } }),
  },
  {
    kind: "PutObjectLegalHold",
    title: "Legal hold",
    help: "Puts each object under an Object Lock legal hold, or lifts it.",
    fields: [
      {
        name: "status",
        label: "Legal hold",
        help: "ON keeps the object from deletion until it is set OFF.",
        type: "select",
        options: ["ON", "OFF"],
        required: true,
      },
    ],
    toJson: (s) => ({ status: s.status ?? "ON" }),
  },
  {
    kind: "PutObjectRetention",
    title: "Retention",
    help: "Sets each object's Object Lock retention.",
    fields: [
      {
        name: "mode",
        label: "Mode",
        help: "GOVERNANCE may be bypassed with permission; COMPLIANCE may not.",
        type: "select",
        options: ["GOVERNANCE", "COMPLIANCE"],
      },
      {
        name: "retainUntilDate",
        label: "Retain until",
        help: "The object cannot be deleted before this date.",
        type: "date",
      },
      {
        name: "bypassGovernanceRetention",
        label: "Bypass governance retention",
        help: "Allow shortening a GOVERNANCE retention.",
        type: "checkbox",
      },
    ],
    toJson: (s) => ({
      ...optional("mode", s.mode),
      ...optional("retainUntilDate", s.retainUntilDate, instant),
      ...(s.bypassGovernanceRetention === "true" ? { bypassGovernanceRetention: true } : {}),
    }),
  },
  {
    kind: "ComputeObjectChecksum",
    title: "Compute checksums",
    help: "Reads each object and writes its checksum in the report.",
    fields: [
      {
        name: "algorithm",
        label: "Algorithm",
        help: "The checksum to compute.",
        type: "select",
        options: CHECKSUMS,
        required: true,
      },
      {
        name: "checksumType",
        label: "Type",
        help: "FULL_OBJECT: of the whole object; COMPOSITE: of its parts.",
        type: "select",
        options: ["", "FULL_OBJECT", "COMPOSITE"],
      },
    ],
    toJson: (s) => ({ algorithm: s.algorithm ?? "CRC32", ...optional("checksumType", s.checksumType) }),
  },
  {
    kind: "InvokeFunction",
    title: "Call a function",
    help: "Calls a function the operator configured with each object (the Lambda batch contract).",
    fields: [
      {
        name: "functionArn",
        label: "Function",
        help: "Its name in the configuration, or its ARN.",
        type: "text",
        required: true,
      },
      {
        name: "invocationSchemaVersion",
        label: "Schema version",
        help: "The batch contract's version.",
        type: "select",
        options: ["", "1.0", "2.0"],
      },
      {
        name: "userArguments",
        label: "User arguments",
        help: "One key=value a line, passed to every call (2.0).",
        type: "lines",
      },
    ],
    toJson: (s) => ({
      functionArn: (s.functionArn ?? "").trim(),
      ...optional("invocationSchemaVersion", s.invocationSchemaVersion),
      ...(lines(s.userArguments).length > 0 ? { userArguments: pairs(s.userArguments) } : {}),
    }),
  },
  {
    kind: "UpdateObjectMetadata",
    title: "Update metadata",
    help: "Changes each object's metadata in place; what you leave empty stays as it is.",
    fields: [
      { name: "contentType", label: "Content-Type", help: "The new Content-Type.", type: "text" },
      { name: "cacheControl", label: "Cache-Control", help: "The new Cache-Control.", type: "text" },
      {
        name: "contentDisposition",
        label: "Content-Disposition",
        help: "The new Content-Disposition.",
        type: "text",
      },
      {
        name: "userMetadata",
        label: "User metadata",
        help: "One key=value a line, set on each object; its other entries stay. An empty value removes the key.",
        type: "lines",
      },
    ],
    toJson: (s) => ({
      ...optional("contentType", s.contentType),
      ...optional("cacheControl", s.cacheControl),
      ...optional("contentDisposition", s.contentDisposition),
      ...(lines(s.userMetadata).length > 0 ? { userMetadata: pairs(s.userMetadata) } : {}),
    }),
  },
  {
    kind: "RewriteObject",
    title: "Re-encrypt",
    help: "Rewrites each object in place under a KMS key (S3 stores only).",
    fields: [{ name: "kmsKey", label: "KMS key", help: "The key's id or ARN.", type: "text", required: true }],
    toJson: (s) => ({ kmsKey: (s.kmsKey ?? "").trim() }),
  },
  {
    kind: "PutObjectHold",
    title: "Holds",
    help: "Sets or releases each object's holds; a hold left empty stays as it is.",
    fields: [
      {
        name: "temporaryHold",
        label: "Temporary hold",
        help: "S3's legal hold: a held object cannot be deleted or overwritten.",
        type: "select",
        options: ["", "set", "release"],
      },
      {
        name: "eventBasedHold",
        label: "Event-based hold",
        help: "Kept by the local store only; an S3 store refuses it.",
        type: "select",
        options: ["", "set", "release"],
      },
    ],
    toJson: (s) => ({
      ...optional("temporaryHold", s.temporaryHold, (v) => v === "set"),
      ...optional("eventBasedHold", s.eventBasedHold, (v) => v === "set"),
    }),
  },
  {
    kind: "UpdateObjectCustomContext",
    title: "Custom contexts",
    help: "Changes each object's custom contexts, kept as its tags (at most 10).",
    fields: [
      { name: "set", label: "Set", help: "One key=value a line.", type: "lines" },
      { name: "remove", label: "Remove", help: "One key a line.", type: "lines" },
      { name: "removeAll", label: "Remove all first", help: "Clear every context before setting.", type: "checkbox" },
    ],
    toJson: (s) => ({
      ...(lines(s.set).length > 0 ? { set: pairs(s.set) } : {}),
      ...(lines(s.remove).length > 0 ? { remove: lines(s.remove) } : {}),
      ...(s.removeAll === "true" ? { removeAll: true } : {}),
    }),
  },
];

/** The defaults of an operation's select fields (their first option), so what is shown is what is sent. */
export function defaultSettings(kind: string): Record<string, string> {
  const spec = OPERATIONS.find((o) => o.kind === kind);
  return Object.fromEntries(
    (spec?.fields ?? [])
      .filter((f) => f.type === "select" && f.options?.[0] !== "")
      .map((f) => [f.name, f.options![0]!]),
  );
}

function sizeOf(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?$/i.exec(value.trim());
  if (!match) return undefined;
  const units: Record<string, number> = {
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    tb: 1e12,
    kib: 1024,
    mib: 1024 ** 2,
    gib: 1024 ** 3,
    tib: 1024 ** 4,
  };
  return Math.round(Number(match[1]) * (units[(match[2] ?? "b").toLowerCase()] ?? 1));
}

/** Where the objects come from, once an upload has become a manifest in a bucket. */
export type Source =
  | { readonly manifest: NonNullable<CreateJobRequest["manifest"]> }
  | { readonly manifestGenerator: NonNullable<CreateJobRequest["manifestGenerator"]> };

export function listingOf(s: WizardState): Source {
  const list = (text: string) => lines(text.replace(/,/g, "\n"));
  const keyName = {
    ...(s.listingPrefix.trim() === "" ? {} : { matchAnyPrefix: [s.listingPrefix.trim()] }),
    ...(list(s.suffixes).length === 0 ? {} : { matchAnySuffix: list(s.suffixes) }),
    ...(list(s.contains).length === 0 ? {} : { matchAnySubstring: list(s.contains) }),
  };
  const larger = sizeOf(s.largerThan);
  const smaller = sizeOf(s.smallerThan);
  const filter = {
    ...(Object.keys(keyName).length === 0 ? {} : { keyNameConstraint: keyName }),
    ...(larger === undefined ? {} : { objectSizeGreaterThanBytes: larger }),
    ...(smaller === undefined ? {} : { objectSizeLessThanBytes: smaller }),
    ...(s.createdAfter === "" ? {} : { createdAfter: instant(s.createdAfter) }),
    ...(s.createdBefore === "" ? {} : { createdBefore: instant(s.createdBefore) }),
    ...(list(s.storageClasses).length === 0 ? {} : { matchAnyStorageClass: list(s.storageClasses) }),
  };
  return {
    manifestGenerator: {
      kind: "S3JobManifestGenerator",
      sourceBucket: s.listingBucket.trim(),
      enableManifestOutput: false,
      ...(Object.keys(filter).length === 0 ? {} : { filter }),
    },
  };
}

export function manifestOf(s: WizardState, location: { bucket: string; key: string; etag?: string }): Source {
  return {
    manifest: {
      format: s.manifestFormat as NonNullable<CreateJobRequest["manifest"]>["format"],
      fields: s.manifestFormat.includes("Inventory")
        ? []
        : (s.manifestFields.split(",").map((f) => f.trim()) as NonNullable<CreateJobRequest["manifest"]>["fields"]),
      location,
    },
  };
}

export function jobRequestOf(s: WizardState, source: Source): CreateJobRequest {
  const spec = OPERATIONS.find((o) => o.kind === s.operation)!;
  const operation = { kind: s.operation, ...spec.toJson(s.settings) } as CreateJobRequest["operation"];
  const report: CreateJobRequest["report"] = s.reportEnabled
    ? {
        enabled: true,
        bucket: s.reportBucket.trim(),
        format: "Report_CSV_20180820",
        ...(s.reportPrefix.trim() === "" ? {} : { prefix: s.reportPrefix.trim() }),
        scope: s.reportScope,
      }
    : { enabled: false };
  return {
    operation,
    ...source,
    report,
    priority: /^\d+$/.test(s.priority.trim()) ? Number(s.priority.trim()) : (s.priority as unknown as number),
    confirmationRequired: s.confirmationRequired,
    ...(s.description.trim() === "" ? {} : { description: s.description.trim() }),
    ...(lines(s.tags).length === 0 ? {} : { tags: pairs(s.tags) }),
  };
}
