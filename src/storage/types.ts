/**
 * The ObjectStorage interface: what the engine, the manifest readers, the report writer and the operations
 * need from an object store. Implementations: local directory (storage/local) and S3-compatible (storage/s3).
 *
 * Errors are thrown as StorageError (errors.ts), carrying the HTTP status and error code S3 would answer for the
 * same failure (NoSuchKey 404, NoSuchBucket 404, AccessDenied 403, PreconditionFailed 412, InvalidObjectState
 * 403, ...), so an operation can put them straight into the completion report.
 */
import type { Readable } from "node:stream";
import type { AccessControlList, Tag } from "../domain/job.js";
import type { PartBody } from "./part-body.js";

export interface ObjectMetadata {
  readonly contentType?: string;
  readonly cacheControl?: string;
  readonly contentDisposition?: string;
  readonly contentEncoding?: string;
  readonly contentLanguage?: string;
  readonly expires?: string;
  /** x-amz-meta-* / x-cos-meta-* user metadata, keys lower-cased without the prefix. */
  readonly userMetadata?: Readonly<Record<string, string>>;
}

export interface RestoreState {
  /** True while a restore has been requested and the object is not readable yet. */
  readonly ongoing: boolean;
  /** When the restored copy stops being readable. */
  readonly expiryDate?: Date;
  readonly tier?: string;
}

/** An object's Object Lock state, as S3's HeadObject shows it (x-amz-object-lock-* headers). */
export interface ObjectLockState {
  readonly legalHold?: "ON" | "OFF";
  readonly mode?: "COMPLIANCE" | "GOVERNANCE";
  /** Shown also after it has passed, as S3 does; the retention protects only until then. */
  readonly retainUntilDate?: Date;
  /** Google's event-based hold (local backend only; S3 has none): true while it is set. */
  readonly eventBasedHold?: boolean;
}

export interface ObjectInfo {
  readonly bucket: string;
  readonly key: string;
  /** "null" on unversioned stores. */
  readonly versionId?: string;
  readonly size: number;
  /** Quoted, as S3 returns it: "\"d41d8cd98f00b204e9800998ecf8427e\"". */
  readonly etag: string;
  readonly lastModified: Date;
  readonly storageClass: string;
  readonly metadata: ObjectMetadata;
  readonly restore?: RestoreState;
  /** True when the storage class is an archive class and no restored copy is readable right now. */
  readonly archived: boolean;
  /** Object Lock state; absent when no legal hold is ON and no retention is set. */
  readonly objectLock?: ObjectLockState;
  /**
   * Server-side encryption as the S3 backend's HEAD shows it (absent on the local backend and for unencrypted
   * objects), so an in-place rewrite of the object's metadata keeps it.
   */
  readonly encryption?: {
    readonly algorithm: "AES256" | "aws:kms";
    readonly kmsKeyId?: string;
    readonly bucketKeyEnabled?: boolean;
  };
}

/** One version or delete marker of a key, as S3's ListObjectVersions shows it. */
export interface KeyVersion {
  /** Absent on a store that keeps no versions: the key's one object, deleted by a plain delete. */
  readonly versionId?: string;
  readonly deleteMarker: boolean;
}

/** How replaceMetadata finds the object it changes. */
export interface ReplaceMetadataOptions {
  /** The ETag the object must still have (412 PreconditionFailed otherwise), so a concurrent write is not clobbered. */
  readonly ifMatch: string;
  readonly versionId?: string;
}

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
  readonly storageClass: string;
  readonly versionId?: string;
  /**
   * Server-side encryption, for manifest generators' MatchAnyObjectEncryption: SSE-S3 | SSE-KMS | DSSE-KMS |
   * SSE-C | NOT-SSE (S3's raw values AES256, aws:kms, aws:kms:dsse are understood too). Optional: a backend
   * fills it only when its listing tells; absent means NOT-SSE.
   */
  readonly encryption?: string;
  /**
   * Replication status (x-amz-replication-status: COMPLETED | PENDING | FAILED | REPLICA), for generators'
   * ObjectReplicationStatuses and EligibleForReplication. Optional; absent means NONE (never replicated).
   */
  readonly replicationStatus?: string;
}

export interface GetOptions {
  readonly versionId?: string;
  /** Inclusive byte range. */
  readonly range?: { readonly start: number; readonly end: number };
  /** Fail with PreconditionFailed (412) unless the object's ETag matches (quotes ignored). */
  readonly ifMatch?: string;
}

export interface PutOptions {
  readonly metadata?: ObjectMetadata;
  readonly tags?: readonly Tag[];
  readonly storageClass?: string;
  readonly acl?: AccessControlList;
  /** S3-only settings of the new object (see TargetSettings). */
  readonly settings?: TargetSettings;
}

export interface CopyOptions extends TargetSettings {
  readonly sourceVersionId?: string;
  /** Copy (default) keeps the source's metadata; Replaced uses `metadata` alone; Add merges it over the source's. */
  readonly metadataDirective?: "Copy" | "Replaced" | "Add";
  readonly metadata?: ObjectMetadata;
  readonly taggingDirective?: "Copy" | "Replaced" | "Add";
  readonly tags?: readonly Tag[];
  readonly aclDirective?: "Copy" | "Replaced" | "Add";
  readonly acl?: AccessControlList;
  readonly storageClass?: string;
  /** Proceed only if the source was modified after this instant, else 412 PreconditionFailed. */
  readonly ifModifiedSince?: Date;
  /** Proceed only if the source was not modified after this instant, else 412 PreconditionFailed. */
  readonly ifUnmodifiedSince?: Date;
  readonly ifMatch?: string;
}

/**
 * Settings of a new object that only S3 itself acts on (AWS S3PutObjectCopy carries them). The S3 backend sends
 * them all. On the local backend SSE-S3, the checksum algorithm, the bucket key, the redirect and requester-pays
 * mean nothing and are ignored; SSE-KMS is refused and Object Lock is applied after the write (open-storage.ts).
 */
export interface TargetSettings {
  /** Server-side encryption: "AES256" (SSE-S3) or "aws:kms" (SSE-KMS, with `sseKmsKeyId` or the default key). */
  readonly sseAlgorithm?: "AES256" | "aws:kms";
  readonly sseKmsKeyId?: string;
  readonly bucketKeyEnabled?: boolean;
  /** CRC32, CRC32C, SHA1, SHA256, CRC64NVME, ... */
  readonly checksumAlgorithm?: string;
  readonly objectLockMode?: "COMPLIANCE" | "GOVERNANCE";
  readonly objectLockRetainUntilDate?: Date;
  readonly objectLockLegalHold?: "ON" | "OFF";
  /** x-amz-website-redirect-location of the new object. */
  readonly websiteRedirectLocation?: string;
  /** The requester pays for the request (x-amz-request-payer: requester). */
  readonly requesterPays?: boolean;
}

export interface WriteResult {
  readonly etag: string;
  readonly versionId?: string;
}

export interface RestoreRequest {
  readonly days?: number;
  readonly tier?: string;
  readonly versionId?: string;
}

/** Object Lock retention. Omitting both mode and retainUntilDate removes the retention. */
export interface RetentionSetting {
  readonly mode?: "COMPLIANCE" | "GOVERNANCE";
  readonly retainUntilDate?: Date;
  /** Allow shortening or removing a GOVERNANCE retention. */
  readonly bypassGovernanceRetention?: boolean;
}

export interface RestoreResult {
  /** 202 when a restore was started, 200 when a restored copy already existed (its expiry was updated). */
  readonly httpStatus: 200 | 202;
}

/** A part of a multipart upload, as UploadPart answered it; CompleteMultipartUpload lists them in order. */
export interface UploadedPart {
  /** 1 to 10,000. */
  readonly partNumber: number;
  /** Quoted, as S3 returns it. */
  readonly etag: string;
}

/** A multipart upload in progress, as ListMultipartUploads shows it. */
export interface PendingUpload {
  readonly key: string;
  readonly uploadId: string;
}

export interface ObjectStorage {
  /** A short name for logs: "local:/path" or "s3:endpoint". */
  readonly description: string;

  bucketExists(bucket: string): Promise<boolean>;
  createBucket(bucket: string): Promise<void>;

  head(bucket: string, key: string, versionId?: string): Promise<ObjectInfo>;
  get(bucket: string, key: string, options?: GetOptions): Promise<Readable>;
  put(bucket: string, key: string, body: Buffer | string | Readable, options?: PutOptions): Promise<WriteResult>;
  copy(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    options?: CopyOptions,
  ): Promise<WriteResult>;
  delete(bucket: string, key: string, versionId?: string): Promise<void>;

  getTagging(bucket: string, key: string, versionId?: string): Promise<Tag[]>;
  putTagging(bucket: string, key: string, tags: readonly Tag[], versionId?: string): Promise<void>;
  deleteTagging(bucket: string, key: string, versionId?: string): Promise<void>;

  getAcl(bucket: string, key: string, versionId?: string): Promise<AccessControlList>;
  putAcl(bucket: string, key: string, acl: AccessControlList, versionId?: string): Promise<void>;

  restore(bucket: string, key: string, request: RestoreRequest): Promise<RestoreResult>;

  /** Object Lock legal hold (S3 PutObjectLegalHold). */
  putLegalHold(bucket: string, key: string, status: "ON" | "OFF", versionId?: string): Promise<void>;
  /** Object Lock retention (S3 PutObjectRetention). */
  putRetention(bucket: string, key: string, retention: RetentionSetting, versionId?: string): Promise<void>;
  /**
   * Google's event-based hold (D45). Local: kept beside the legal hold and blocking delete and overwrite as it
   * does. S3 has no such hold: 501 NotImplemented.
   */
  putEventBasedHold(bucket: string, key: string, on: boolean, versionId?: string): Promise<void>;

  /**
   * Replaces the object's metadata (content headers and user metadata) in place, keeping its bytes, tags, ACL,
   * storage class, encryption and locks. Local: its metadata row. S3: CopyObject onto itself with
   * MetadataDirective REPLACE and x-amz-copy-source-if-match; a version other than the current one cannot be
   * changed there (400 InvalidRequest). Returns the object as written (on S3 a new version in a versioned bucket).
   */
  replaceMetadata(
    bucket: string,
    key: string,
    metadata: ObjectMetadata,
    options: ReplaceMetadataOptions,
  ): Promise<WriteResult>;

  /**
   * Every version and delete marker of exactly `key` (S3 ListObjectVersions, paged, other keys under the prefix
   * left out). A store that keeps no versions (the local backend; an S3-compatible server that refuses
   * ListObjectVersions, as s3rver does) lists the object itself without a version id, or nothing when it is missing.
   */
  listKeyVersions(bucket: string, key: string): AsyncIterable<KeyVersion>;

  /**
   * Multipart upload, S3's rules: the object appears only when the upload is completed; parts are numbered 1 to
   * 10,000 and every part but the last must hold at least 5 MiB (the local backend does not insist); uploading a
   * part number again replaces that part. An upload that is not there (completed, aborted, never created)
   * answers 404 NoSuchUpload.
   */
  createMultipartUpload(bucket: string, key: string, options?: { metadata?: ObjectMetadata }): Promise<string>;
  /** `body` may be a stream of known length (part-body.ts): a part that disagrees with it fails, 400 IncompleteBody. */
  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: PartBody): Promise<UploadedPart>;
  completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly UploadedPart[],
  ): Promise<WriteResult>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;
  /** The uploads in progress whose key starts with `prefix`. */
  listMultipartUploads(bucket: string, prefix: string): AsyncIterable<PendingUpload>;

  /** Objects in key order, starting after `startAfter`. */
  list(bucket: string, options?: { prefix?: string; startAfter?: string }): AsyncIterable<ListedObject>;

  close(): Promise<void>;
}
