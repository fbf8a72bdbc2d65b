/**
 * The canonical job model (docs/decisions.md D1): a superset of the AWS JobDescriptor that also holds every COS and
 * OSS field. Dialect codecs translate between their wire formats and these types; nothing below the API layer
 * knows which dialect created a job, except `dialect`, which is kept only so a codec can echo what was sent.
 */
import type { JobStatus } from "./status.js";

/** The job API a job was created through: one of the four dialects, or objbatch's own JSON API. */
export type Dialect = "cos" | "oss" | "s3control" | "json" | "gcs";

/** A bucket as the client named it (echoed back, D2) and the plain bucket name it resolves to. */
export interface BucketRef {
  readonly arn: string;
  readonly bucket: string;
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export interface Grant {
  readonly granteeType: "id" | "emailAddress" | "uri";
  readonly identifier: string;
  readonly displayName?: string;
  readonly permission: "FULL_CONTROL" | "READ" | "WRITE" | "READ_ACP" | "WRITE_ACP";
}

export interface AccessControlList {
  /** A canned ACL such as `private` or `public-read`. */
  readonly canned?: string;
  readonly grants?: readonly Grant[];
  readonly owner?: { readonly id: string; readonly displayName?: string };
}

export type Directive = "Copy" | "Replaced" | "Add";

export interface NewObjectMetadata {
  readonly cacheControl?: string;
  readonly contentDisposition?: string;
  readonly contentEncoding?: string;
  readonly contentLanguage?: string;
  readonly contentType?: string;
  readonly httpExpiresDate?: string;
  readonly sseAlgorithm?: string;
  readonly userMetadata?: readonly Tag[];
  /** AWS-only extras kept so they can be echoed back. */
  readonly requesterCharged?: boolean;
  readonly contentLength?: number;
  readonly contentMD5?: string;
}

export interface PutObjectCopyOperation {
  readonly kind: "PutObjectCopy";
  readonly targetResource: BucketRef;
  /** COS PrefixReplace: replace ResourcesPrefix at the start of each key with TargetKeyPrefix. */
  readonly prefixReplace?: boolean;
  readonly resourcesPrefix?: string;
  /** With prefixReplace, the replacement; without it (AWS), a prefix prepended to every key. */
  readonly targetKeyPrefix?: string;
  readonly metadataDirective?: Directive;
  readonly newObjectMetadata?: NewObjectMetadata;
  readonly taggingDirective?: Directive;
  readonly newObjectTagging?: readonly Tag[];
  readonly accessControlDirective?: Directive;
  readonly accessControlGrants?: readonly Grant[];
  readonly cannedAccessControlList?: string;
  readonly storageClass?: string;
  /** ISO-8601 instants. */
  readonly modifiedSinceConstraint?: string;
  readonly unModifiedSinceConstraint?: string;
  /** AWS-only fields, kept for echo and for the S3 backend. */
  readonly redirectLocation?: string;
  readonly requesterPays?: boolean;
  readonly sseAwsKmsKeyId?: string;
  readonly bucketKeyEnabled?: boolean;
  readonly checksumAlgorithm?: string;
  readonly objectLockLegalHoldStatus?: "ON" | "OFF";
  readonly objectLockMode?: "COMPLIANCE" | "GOVERNANCE";
  readonly objectLockRetainUntilDate?: string;
}

export interface DeleteObjectOperation {
  readonly kind: "DeleteObject";
  /**
   * Delete every version of the key, not only the current one (Google's permanentObjectDeletionEnabled). On a
   * store without versions it is the same as a plain delete.
   */
  readonly allVersions?: boolean;
}

export interface InitiateRestoreObjectOperation {
  readonly kind: "InitiateRestoreObject";
  readonly expirationInDays?: number;
  /** Normalised to Title case: Bulk | Standard | Expedited. */
  readonly tier?: string;
}

export interface PutObjectTaggingOperation {
  readonly kind: "PutObjectTagging";
  readonly tagSet: readonly Tag[];
}

/** Merge the given tags into the object's tag set (COS TaggingDirective Add, OSS AddObjectTagging). */
export interface AddObjectTaggingOperation {
  readonly kind: "AddObjectTagging";
  readonly tagSet: readonly Tag[];
}

export interface DeleteObjectTaggingOperation {
  readonly kind: "DeleteObjectTagging";
}

export interface PutObjectAclOperation {
  readonly kind: "PutObjectAcl";
  readonly acl: AccessControlList;
}

export interface PutObjectLegalHoldOperation {
  readonly kind: "PutObjectLegalHold";
  readonly status: "ON" | "OFF";
}

export interface PutObjectRetentionOperation {
  readonly kind: "PutObjectRetention";
  readonly bypassGovernanceRetention?: boolean;
  readonly mode?: "COMPLIANCE" | "GOVERNANCE";
  readonly retainUntilDate?: string;
}

export interface ComputeObjectChecksumOperation {
  readonly kind: "ComputeObjectChecksum";
  readonly algorithm: string;
  readonly checksumType?: "FULL_OBJECT" | "COMPOSITE";
}

export interface InvokeFunctionOperation {
  readonly kind: "InvokeFunction";
  readonly functionArn: string;
  readonly invocationSchemaVersion?: string;
  readonly userArguments?: readonly Tag[];
}

export interface ReplicateObjectOperation {
  readonly kind: "ReplicateObject";
}

/**
 * Patch an object's metadata in place (Google putMetadata): each field given replaces the object's, each user
 * metadata entry given is set and the others are kept; a field not given is left as it is.
 */
export interface UpdateObjectMetadataOperation {
  readonly kind: "UpdateObjectMetadata";
  readonly cacheControl?: string;
  readonly contentDisposition?: string;
  readonly contentEncoding?: string;
  readonly contentLanguage?: string;
  readonly contentType?: string;
  /** RFC 3339 (Google Custom-Time). */
  readonly customTime?: string;
  readonly userMetadata?: readonly Tag[];
  /** Object retention set with the metadata (Google objectRetention: Locked is COMPLIANCE, Unlocked GOVERNANCE). */
  readonly retention?: { readonly mode: "COMPLIANCE" | "GOVERNANCE"; readonly retainUntilDate: string };
}

/** Rewrite an object in place under another encryption key (Google rewriteObject.kmsKey). */
export interface RewriteObjectOperation {
  readonly kind: "RewriteObject";
  readonly kmsKey: string;
}

/** Set or release an object's holds (Google putObjectHold); a hold not given is left as it is. */
export interface PutObjectHoldOperation {
  readonly kind: "PutObjectHold";
  readonly temporaryHold?: boolean;
  readonly eventBasedHold?: boolean;
}

/**
 * Change an object's custom contexts (Google updateObjectCustomContext), kept as the object's tags: set these
 * keys, remove those, or remove all.
 */
export interface UpdateObjectCustomContextOperation {
  readonly kind: "UpdateObjectCustomContext";
  readonly set?: readonly Tag[];
  readonly remove?: readonly string[];
  readonly removeAll?: boolean;
}

export type Operation =
  | PutObjectCopyOperation
  | DeleteObjectOperation
  | InitiateRestoreObjectOperation
  | PutObjectTaggingOperation
  | AddObjectTaggingOperation
  | DeleteObjectTaggingOperation
  | PutObjectAclOperation
  | PutObjectLegalHoldOperation
  | PutObjectRetentionOperation
  | ComputeObjectChecksumOperation
  | InvokeFunctionOperation
  | ReplicateObjectOperation
  | UpdateObjectMetadataOperation
  | RewriteObjectOperation
  | PutObjectHoldOperation
  | UpdateObjectCustomContextOperation;

export type OperationKind = Operation["kind"];

/** Every operation kind, in the order people meet them (the console's filter lists them so). */
export const OPERATION_KINDS = [
  "PutObjectCopy",
  "DeleteObject",
  "InitiateRestoreObject",
  "PutObjectTagging",
  "AddObjectTagging",
  "DeleteObjectTagging",
  "PutObjectAcl",
  "PutObjectLegalHold",
  "PutObjectRetention",
  "ComputeObjectChecksum",
  "InvokeFunction",
  "ReplicateObject",
  "UpdateObjectMetadata",
  "RewriteObject",
  "PutObjectHold",
  "UpdateObjectCustomContext",
] as const satisfies readonly OperationKind[];
/** A kind added to Operation and not to OPERATION_KINDS fails to compile here. */
const everyKindListed: Exclude<OperationKind, (typeof OPERATION_KINDS)[number]> extends never ? true : never = true;
void everyKindListed;

export const MANIFEST_FIELDS = ["Ignore", "Bucket", "Key", "VersionId"] as const;
export type ManifestField = (typeof MANIFEST_FIELDS)[number];

/** Every manifest format a job may name, in any dialect: three CSV lists and three inventories. */
export const MANIFEST_FORMATS = [
  "S3BatchOperations_CSV_20180820",
  "COSBatchOperations_CSV_V1",
  "OSS_BatchOperations_CSV_20250611",
  "S3InventoryReport_CSV_20161130",
  "COSInventoryReport_CSV_V1",
  "OSS_InventoryReport_CSV_20250611",
  /**
   * Google's manifest: CSV rows of project, bucket, object name and an optional generation (fields Ignore,
   * Bucket, Key, VersionId), names as they are (not URL-encoded), a header row first.
   */
  "GCS_BatchOperations_CSV",
] as const;
export type ManifestFormat = (typeof MANIFEST_FORMATS)[number];

export interface ManifestLocation {
  /** The ARN as sent (AWS/COS); for OSS, the bucket and object names. */
  readonly objectArn?: string;
  readonly bucket: BucketRef;
  readonly key: string;
  readonly versionId?: string;
  /** As sent; compared to the manifest object's ETag with quotes ignored (D10). */
  readonly etag?: string;
}

export interface Manifest {
  readonly format: ManifestFormat;
  readonly fields: readonly ManifestField[];
  readonly location: ManifestLocation;
}

export interface KeyNameConstraint {
  readonly matchAnyPrefix?: readonly string[];
  readonly matchAnySuffix?: readonly string[];
  readonly matchAnySubstring?: readonly string[];
}

export interface ManifestGeneratorFilter {
  readonly eligibleForReplication?: boolean;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
  readonly objectReplicationStatuses?: readonly string[];
  readonly keyNameConstraint?: KeyNameConstraint;
  readonly objectSizeGreaterThanBytes?: number;
  readonly objectSizeLessThanBytes?: number;
  readonly matchAnyStorageClass?: readonly string[];
  /** Encryption type names: SSE-S3, SSE-KMS, DSSE-KMS, SSE-C, NOT-SSE. */
  readonly matchAnyObjectEncryption?: readonly string[];
  /** The same items with their KMS details (AWS MatchAnyObjectEncryption), kept so they can be echoed. */
  readonly objectEncryptionFilters?: readonly ObjectEncryptionFilter[];
}

/** One AWS MatchAnyObjectEncryption item: the encryption type and, for KMS types, the key it must use. */
export interface ObjectEncryptionFilter {
  readonly type: "SSE-S3" | "SSE-KMS" | "DSSE-KMS" | "SSE-C" | "NOT-SSE";
  readonly kmsKeyArn?: string;
  readonly bucketKeyEnabled?: boolean;
}

/** S3JobManifestGenerator (AWS) and KeyPrefixManifestGenerator (OSS) share one shape. */
export interface ManifestGenerator {
  readonly kind: "S3JobManifestGenerator" | "KeyPrefixManifestGenerator";
  readonly sourceBucket: BucketRef;
  readonly expectedBucketOwner?: string;
  readonly enableManifestOutput: boolean;
  readonly manifestOutputLocation?: {
    readonly bucket: BucketRef;
    readonly expectedManifestBucketOwner?: string;
    readonly manifestPrefix?: string;
    readonly manifestFormat: string;
    /** SSE-S3 or SSE-KMS. */
    readonly manifestEncryption?: string;
    /** The KMS key of SSE-KMS manifest encryption. */
    readonly manifestEncryptionKmsKeyId?: string;
  };
  readonly filter?: ManifestGeneratorFilter;
  /** OSS KeyPrefixManifestGenerator's Prefix. */
  readonly prefix?: string;
}

export type ReportScope = "AllTasks" | "FailedTasksOnly";

export interface ReportConfig {
  readonly enabled: boolean;
  readonly bucket?: BucketRef;
  readonly format?: string;
  readonly prefix?: string;
  readonly scope?: ReportScope;
  readonly expectedBucketOwner?: string;
}

export interface JobFailure {
  readonly code: string;
  readonly reason: string;
}

export interface ProgressSummary {
  /** -1 until the manifest has been counted (as OSS reports for jobs that never prepared). */
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly elapsedActiveSeconds: number;
}

/** What the client asked for; fixed once the job is created. */
export interface JobSpec {
  readonly accountId: string;
  readonly dialect: Dialect;
  readonly clientRequestToken: string;
  readonly confirmationRequired: boolean;
  readonly description?: string;
  readonly priority: number;
  readonly roleArn: string;
  readonly operation: Operation;
  readonly manifest?: Manifest;
  readonly manifestGenerator?: ManifestGenerator;
  readonly report: ReportConfig;
  readonly tags?: readonly Tag[];
  /** Count the tasks and act on none (Google dryRun). */
  readonly dryRun?: boolean;
  /** Google's loggingConfig, kept and echoed: which actions (`TRANSFORM`) in which states are logged. */
  readonly loggingConfig?: { readonly logActions: readonly string[]; readonly logActionStates: readonly string[] };
  /** A name the user chose for the job, unique in its account (the Google dialect's jobId). */
  readonly jobName?: string;
}

export interface GeneratedManifestDescriptor {
  readonly format: string;
  readonly location: ManifestLocation;
}

/** A job as stored and described. */
export interface Job extends JobSpec {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly creationTime: Date;
  readonly terminationDate?: Date;
  readonly suspendedDate?: Date;
  readonly suspendedCause?: string;
  readonly statusUpdateReason?: string;
  /** A user paused the job (Pausing or Paused, held out of the queue until resumed, D31). */
  readonly pausedByUser?: boolean;
  readonly failureReasons: readonly JobFailure[];
  readonly progress: ProgressSummary;
  readonly generatedManifest?: GeneratedManifestDescriptor;
  /**
   * The manifest object's ETag as preparing found it (a CSV manifest, or an inventory's manifest.json): every
   * chunk's read of a CSV manifest is pinned to it (D10).
   */
  readonly manifestEtag?: string;
}

/** The fields ListJobs shows: of the operation, only which one it is. */
export type JobSummary = Pick<
  Job,
  "jobId" | "description" | "priority" | "status" | "creationTime" | "terminationDate" | "progress" | "dialect"
> & { readonly operation: { readonly kind: OperationKind } };
