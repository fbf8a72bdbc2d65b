/**
 * The canonical job model (domain/job.ts, D1) as JSON, in TypeBox: what a client sends to create a job and what
 * it reads back. Field names are the model's; a bucket is named by a string in any form D2 accepts
 * (`arn:aws:s3:::bucket`, `qcs::cos:...`, `acs:oss:...`, a plain name) and is echoed as sent. Each shape is
 * defined once here and used both to validate requests and, through the OpenAPI document, to describe them.
 */
import { type Static, Type } from "typebox";
import { S3_CHECKSUM_ALGORITHMS } from "../../../checksum/algorithms.js";
import { MANIFEST_FIELDS, MANIFEST_FORMATS } from "../../../domain/job.js";

const closed = { additionalProperties: false } as const;

export const BucketReference = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: "A bucket: arn:aws:s3:::name, qcs::cos:<region>::name, acs:oss:<region>:<uid>:name or a plain name.",
});

export const TagSchema = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 128 }),
    value: Type.String({ maxLength: 256 }),
  },
  { ...closed, title: "Tag" },
);
export type TagJson = Static<typeof TagSchema>;

/** A job's tags: at most 50 (the JobService's default cap). */
export const TagList = Type.Array(TagSchema, { maxItems: 50 });
/** An object's tag set: at most 10, as S3, COS and OSS allow. */
const ObjectTagList = Type.Array(TagSchema, { maxItems: 10 });
/** User metadata and a function's user arguments: name and value pairs. */
const Entries = Type.Array(
  Type.Object({ key: Type.String({ minLength: 1, maxLength: 1024 }), value: Type.String({ maxLength: 2048 }) }, closed),
  { maxItems: 100 },
);

const GrantSchema = Type.Object(
  {
    granteeType: Type.Enum(["id", "emailAddress", "uri"]),
    identifier: Type.String({ minLength: 1, maxLength: 1024 }),
    displayName: Type.Optional(Type.String({ maxLength: 1024 })),
    permission: Type.Enum(["FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"]),
  },
  closed,
);

const Directive = Type.Enum(["Copy", "Replaced", "Add"]);
const Instant = Type.String({ format: "date-time", description: "An ISO-8601 instant." });
const LockMode = Type.Enum(["COMPLIANCE", "GOVERNANCE"]);
const OnOff = Type.Enum(["ON", "OFF"]);

const NewObjectMetadata = Type.Object(
  {
    cacheControl: Type.Optional(Type.String({ maxLength: 1024 })),
    contentDisposition: Type.Optional(Type.String({ maxLength: 1024 })),
    contentEncoding: Type.Optional(Type.String({ maxLength: 1024 })),
    contentLanguage: Type.Optional(Type.String({ maxLength: 1024 })),
    contentType: Type.Optional(Type.String({ maxLength: 1024 })),
    httpExpiresDate: Type.Optional(Instant),
    sseAlgorithm: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    userMetadata: Type.Optional(Entries),
    requesterCharged: Type.Optional(Type.Boolean()),
    contentLength: Type.Optional(Type.Integer({ minimum: 0 })),
    contentMD5: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  closed,
);

const kind = <K extends string>(name: K) => Type.Literal(name);

/** A metadata field a patch sets; an empty string clears it. */
const PatchedField = Type.String({ maxLength: 1024, description: "The new value; an empty string clears it." });

export const OperationSchema = Type.Union(
  [
    Type.Object(
      {
        kind: kind("PutObjectCopy"),
        targetResource: BucketReference,
        prefixReplace: Type.Optional(Type.Boolean()),
        resourcesPrefix: Type.Optional(Type.String({ maxLength: 1024 })),
        targetKeyPrefix: Type.Optional(Type.String({ maxLength: 1024 })),
        metadataDirective: Type.Optional(Directive),
        newObjectMetadata: Type.Optional(NewObjectMetadata),
        taggingDirective: Type.Optional(Directive),
        newObjectTagging: Type.Optional(ObjectTagList),
        accessControlDirective: Type.Optional(Directive),
        accessControlGrants: Type.Optional(Type.Array(GrantSchema, { maxItems: 100 })),
        cannedAccessControlList: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        storageClass: Type.Optional(Type.String({ pattern: "^[A-Za-z_]{1,64}$" })),
        modifiedSinceConstraint: Type.Optional(Instant),
        unModifiedSinceConstraint: Type.Optional(Instant),
        redirectLocation: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
        requesterPays: Type.Optional(Type.Boolean()),
        sseAwsKmsKeyId: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
        bucketKeyEnabled: Type.Optional(Type.Boolean()),
        checksumAlgorithm: Type.Optional(Type.String({ pattern: "^[A-Z0-9]{1,16}$" })),
        objectLockLegalHoldStatus: Type.Optional(OnOff),
        objectLockMode: Type.Optional(LockMode),
        objectLockRetainUntilDate: Type.Optional(Instant),
      },
      { ...closed, title: "PutObjectCopy" },
    ),
    Type.Object(
      {
        kind: kind("DeleteObject"),
        allVersions: Type.Optional(
          Type.Boolean({
            description:
              "Delete every version and delete marker of each key, not only the current one (Google's " +
              "permanentObjectDeletionEnabled); on a store without versions the same as a plain delete.",
          }),
        ),
      },
      { ...closed, title: "DeleteObject" },
    ),
    Type.Object(
      {
        kind: kind("InitiateRestoreObject"),
        expirationInDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
        tier: Type.Optional(Type.Enum(["Bulk", "Standard", "Expedited"])),
      },
      { ...closed, title: "InitiateRestoreObject" },
    ),
    Type.Object({ kind: kind("PutObjectTagging"), tagSet: ObjectTagList }, { ...closed, title: "PutObjectTagging" }),
    Type.Object({ kind: kind("AddObjectTagging"), tagSet: ObjectTagList }, { ...closed, title: "AddObjectTagging" }),
    Type.Object({ kind: kind("DeleteObjectTagging") }, { ...closed, title: "DeleteObjectTagging" }),
    Type.Object(
      {
        kind: kind("PutObjectAcl"),
        acl: Type.Object(
          {
            canned: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            grants: Type.Optional(Type.Array(GrantSchema, { maxItems: 100 })),
            owner: Type.Optional(
              Type.Object(
                { id: Type.String({ minLength: 1, maxLength: 1024 }), displayName: Type.Optional(Type.String()) },
                closed,
              ),
            ),
          },
          closed,
        ),
      },
      { ...closed, title: "PutObjectAcl" },
    ),
    Type.Object({ kind: kind("PutObjectLegalHold"), status: OnOff }, { ...closed, title: "PutObjectLegalHold" }),
    Type.Object(
      {
        kind: kind("PutObjectRetention"),
        bypassGovernanceRetention: Type.Optional(Type.Boolean()),
        mode: Type.Optional(LockMode),
        retainUntilDate: Type.Optional(Instant),
      },
      { ...closed, title: "PutObjectRetention" },
    ),
    Type.Object(
      {
        kind: kind("ComputeObjectChecksum"),
        algorithm: Type.Enum([...S3_CHECKSUM_ALGORITHMS]),
        checksumType: Type.Optional(Type.Enum(["FULL_OBJECT", "COMPOSITE"])),
      },
      { ...closed, title: "ComputeObjectChecksum" },
    ),
    Type.Object(
      {
        kind: kind("InvokeFunction"),
        functionArn: Type.String({ minLength: 1, maxLength: 1024 }),
        invocationSchemaVersion: Type.Optional(Type.Enum(["1.0", "2.0"])),
        userArguments: Type.Optional(Entries),
      },
      { ...closed, title: "InvokeFunction" },
    ),
    Type.Object({ kind: kind("ReplicateObject") }, { ...closed, title: "ReplicateObject" }),
    Type.Object(
      {
        kind: kind("UpdateObjectMetadata"),
        cacheControl: Type.Optional(PatchedField),
        contentDisposition: Type.Optional(PatchedField),
        contentEncoding: Type.Optional(PatchedField),
        contentLanguage: Type.Optional(PatchedField),
        contentType: Type.Optional(PatchedField),
        customTime: Type.Optional(
          Type.String({
            format: "date-time",
            description: "Google's Custom-Time, kept as user metadata custom-time; it may move later, never earlier.",
          }),
        ),
        userMetadata: Type.Optional(
          Type.Array(
            Type.Object(
              {
                key: Type.String({ minLength: 1, maxLength: 1024 }),
                value: Type.String({ maxLength: 2048, description: "An empty value removes the entry." }),
              },
              closed,
            ),
            { maxItems: 100, description: "Entries set; the object's other entries stay." },
          ),
        ),
        retention: Type.Optional(
          Type.Object(
            { mode: LockMode, retainUntilDate: Instant },
            { ...closed, description: "Set as PutObjectRetention sets it." },
          ),
        ),
      },
      {
        ...closed,
        title: "UpdateObjectMetadata",
        description: "Patch each object's metadata in place: fields given replace the object's, the rest stay.",
      },
    ),
    Type.Object(
      {
        kind: kind("RewriteObject"),
        kmsKey: Type.String({
          minLength: 1,
          maxLength: 2048,
          description: "The KMS key to rewrite each object under.",
        }),
      },
      {
        ...closed,
        title: "RewriteObject",
        description: "Rewrite each object in place under a KMS key (SSE-KMS; the local backend refuses it).",
      },
    ),
    Type.Object(
      {
        kind: kind("PutObjectHold"),
        temporaryHold: Type.Optional(
          Type.Boolean({ description: "Set or release the temporary hold (S3's legal hold)." }),
        ),
        eventBasedHold: Type.Optional(
          Type.Boolean({ description: "Set or release the event-based hold (local backend only; S3 has none)." }),
        ),
      },
      {
        ...closed,
        title: "PutObjectHold",
        minProperties: 2,
        description: "Set or release holds; a hold not given is left as it is. At least one is needed.",
      },
    ),
    Type.Object(
      {
        kind: kind("UpdateObjectCustomContext"),
        set: Type.Optional(ObjectTagList),
        remove: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 100 })),
        removeAll: Type.Optional(Type.Boolean()),
      },
      {
        ...closed,
        title: "UpdateObjectCustomContext",
        description:
          "Change each object's custom contexts, kept as its tags: removeAll first, then remove those keys, then set those.",
      },
    ),
  ],
  { title: "Operation", description: "What to do with each object; `kind` says which operation." },
);
export type OperationJson = Static<typeof OperationSchema>;

export const ManifestSchema = Type.Object(
  {
    format: Type.Enum([...MANIFEST_FORMATS]),
    fields: Type.Array(Type.Enum([...MANIFEST_FIELDS]), { maxItems: 16 }),
    location: Type.Object(
      {
        bucket: BucketReference,
        key: Type.String({ minLength: 1, maxLength: 1024 }),
        versionId: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
        etag: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
      },
      closed,
    ),
  },
  { ...closed, title: "Manifest", description: "A CSV manifest or an inventory's manifest.json, and where it is." },
);
export type ManifestJson = Static<typeof ManifestSchema>;

const StringList = Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 100 });

export const ManifestGeneratorSchema = Type.Object(
  {
    kind: Type.Enum(["S3JobManifestGenerator", "KeyPrefixManifestGenerator"]),
    sourceBucket: BucketReference,
    expectedBucketOwner: Type.Optional(Type.String({ pattern: "^\\d{1,64}$" })),
    enableManifestOutput: Type.Boolean(),
    manifestOutputLocation: Type.Optional(
      Type.Object(
        {
          bucket: BucketReference,
          expectedManifestBucketOwner: Type.Optional(Type.String({ pattern: "^\\d{1,64}$" })),
          manifestPrefix: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
          manifestFormat: Type.String({ minLength: 1, maxLength: 64, description: "S3InventoryReport_CSV_20211130" }),
          manifestEncryption: Type.Optional(Type.Enum(["SSE-S3", "SSE-KMS"])),
          manifestEncryptionKmsKeyId: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
        },
        closed,
      ),
    ),
    filter: Type.Optional(
      Type.Object(
        {
          eligibleForReplication: Type.Optional(Type.Boolean()),
          createdAfter: Type.Optional(Instant),
          createdBefore: Type.Optional(Instant),
          objectReplicationStatuses: Type.Optional(Type.Array(Type.Enum(["COMPLETED", "FAILED", "REPLICA", "NONE"]))),
          keyNameConstraint: Type.Optional(
            Type.Object(
              {
                matchAnyPrefix: Type.Optional(StringList),
                matchAnySuffix: Type.Optional(StringList),
                matchAnySubstring: Type.Optional(StringList),
              },
              closed,
            ),
          ),
          objectSizeGreaterThanBytes: Type.Optional(Type.Integer({ minimum: 0 })),
          objectSizeLessThanBytes: Type.Optional(Type.Integer({ minimum: 0 })),
          matchAnyStorageClass: Type.Optional(StringList),
          matchAnyObjectEncryption: Type.Optional(
            Type.Array(Type.Enum(["SSE-S3", "SSE-KMS", "DSSE-KMS", "SSE-C", "NOT-SSE"]), { maxItems: 5 }),
          ),
        },
        closed,
      ),
    ),
    prefix: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  {
    ...closed,
    title: "ManifestGenerator",
    description: "Lists the source bucket (with a filter) instead of reading a manifest.",
  },
);
export type ManifestGeneratorJson = Static<typeof ManifestGeneratorSchema>;

export const ReportSchema = Type.Object(
  {
    enabled: Type.Boolean(),
    bucket: Type.Optional(BucketReference),
    format: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Report_CSV_20180820" })),
    prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    scope: Type.Optional(Type.Enum(["AllTasks", "FailedTasksOnly"])),
    expectedBucketOwner: Type.Optional(Type.String({ pattern: "^\\d{1,64}$" })),
  },
  { ...closed, title: "Report", description: "The completion report (D11); a bucket is needed when enabled." },
);
export type ReportJson = Static<typeof ReportSchema>;
