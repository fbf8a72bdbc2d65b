/**
 * S3Storage: ObjectStorage over one S3-compatible endpoint (AWS S3, COS and OSS S3 endpoints, MinIO, Ceph RGW,
 * s3rver) through the AWS SDK v3. This file is the facade: the requests that are one SDK command each are made
 * here; the rest is handed to the module that owns it.
 *
 * CopyObject and DeleteObject, made once per task, go by the signed-request path (signed-requests.ts), which
 * costs a quarter of the SDK's CPU per request; everything else by the SDK.
 *
 * Every failure comes out as a StorageError (errors.ts): throttling, 5xx, resets and timeouts retryable,
 * everything the server refused for good permanent, with its S3 code and status.
 *
 * Where the rest lives:
 *   object-put.ts, object-copy.ts   PutObject (one request or a managed upload), CopyObject (or part by part,
 *                                   multipart-copy.ts), with the copy rule every backend shares
 *   signed-requests.ts              the lean path: SigV4-signed requests on the SDK's agents, without its stack
 *   copy-object-headers.ts          a CopyObject's fields as the headers S3 reads
 *   write-checks.ts                 tags and Object Lock settings a server ignored, set afterwards
 *   object-acl.ts                   GetObjectAcl, PutObjectAcl
 *   multipart-uploads.ts            S3's multipart uploads, and what s3rver and Ceph RGW 16 make of them
 *   listing.ts                      ListObjectsV2 page by page
 *   attributes.ts                   metadata, tags, ACLs, restore state and settings as S3 carries them
 *   metadata-replace.ts             metadata replaced in place (CopyObject onto itself), Google's putMetadata
 *   key-versions.ts                 ListObjectVersions of one key, for a delete of all its versions
 */
import { Readable } from "node:stream";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  PutObjectTaggingCommand,
  RestoreObjectCommand,
} from "@aws-sdk/client-s3";
import type { AccessControlList, Tag } from "../../domain/job.js";
import { restoreDays, restoreTier } from "../archive.js";
import { internalError, invalidRange, noSuchBucket, notImplemented, StorageError } from "../errors.js";
import { quoteEtag } from "../etag.js";
import type { PartBody } from "../part-body.js";
import type {
  CopyOptions,
  GetOptions,
  KeyVersion,
  ListedObject,
  ObjectInfo,
  ObjectMetadata,
  ObjectStorage,
  PendingUpload,
  PutOptions,
  ReplaceMetadataOptions,
  RestoreRequest,
  RestoreResult,
  RetentionSetting,
  UploadedPart,
  WriteResult,
} from "../types.js";
import { isArchived, metadataFromS3, parseRestoreHeader, tagsFromS3, tagsToS3 } from "./attributes.js";
import type { S3Backend } from "./backend.js";
import { createS3Clients } from "./client.js";
import { type ResolvedS3Config, resolveS3Config, type S3StorageConfig } from "./config.js";
import { mapStreamErrors, notFoundOnHead, toStorageError } from "./errors.js";
import { listKeyVersions } from "./key-versions.js";
import { listObjects } from "./listing.js";
import { replaceMetadata } from "./metadata-replace.js";
import * as uploads from "./multipart-uploads.js";
import { getObjectAcl, putObjectAcl } from "./object-acl.js";
import { copyObject } from "./object-copy.js";
import { putObject } from "./object-put.js";
import { WriteChecks } from "./write-checks.js";

export interface S3StorageOptions {
  /** The clock that decides whether a restored copy has expired (tests inject one). */
  readonly now?: () => Date;
}

export class S3Storage implements ObjectStorage {
  readonly description: string;
  readonly config: ResolvedS3Config;
  private readonly backend: S3Backend;
  private closed = false;

  constructor(config: S3StorageConfig, options: S3StorageOptions = {}) {
    this.config = resolveS3Config(config);
    this.description = `s3:${this.config.endpoint ?? `aws/${this.config.region}`}`;
    this.backend = {
      storage: this,
      clients: createS3Clients(this.config),
      config: this.config,
      now: options.now ?? (() => new Date()),
      checks: new WriteChecks(this),
    };
  }

  /** The SDK client (one attempt per request), for callers that need an S3 call the interface lacks. */
  get client() {
    return this.backend.clients.single;
  }

  async bucketExists(bucket: string): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
      return true;
    } catch (e) {
      const mapped = toStorageError(e, bucket);
      if (mapped instanceof StorageError && mapped.httpStatus === 404) return false;
      throw mapped;
    }
  }

  /** Creates the bucket; a bucket this account already owns is fine (idempotent, like the local backend). */
  async createBucket(bucket: string): Promise<void> {
    const region = this.config.region;
    try {
      await this.client.send(
        new CreateBucketCommand({
          Bucket: bucket,
          ...(region !== "us-east-1" ? { CreateBucketConfiguration: { LocationConstraint: region as never } } : {}),
        }),
      );
    } catch (e) {
      const mapped = toStorageError(e, bucket);
      if (mapped instanceof StorageError && mapped.code === "BucketAlreadyOwnedByYou") return;
      // Some servers (s3rver, older Ceph) say BucketAlreadyExists for one's own bucket: fine if we can use it.
      if (
        mapped instanceof StorageError &&
        mapped.code === "BucketAlreadyExists" &&
        (await this.bucketExists(bucket))
      ) {
        return;
      }
      throw mapped;
    }
  }

  async head(bucket: string, key: string, versionId?: string): Promise<ObjectInfo> {
    let out: HeadObjectCommandOutput;
    try {
      out = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    } catch (e) {
      throw await this.refineNotFound(notFoundOnHead(e, bucket, key, versionId), bucket);
    }
    const storageClass = out.StorageClass ?? "STANDARD";
    const restore = parseRestoreHeader(out.Restore);
    return {
      bucket,
      key,
      versionId: out.VersionId ?? "null",
      size: out.ContentLength ?? 0,
      etag: out.ETag ?? '""',
      lastModified: out.LastModified ?? new Date(0),
      storageClass,
      metadata: metadataFromS3(out),
      ...(restore !== undefined ? { restore } : {}),
      archived: isArchived(storageClass, out.ArchiveStatus, restore, this.backend.now()),
      ...(out.ObjectLockLegalHoldStatus !== undefined || out.ObjectLockMode !== undefined
        ? {
            objectLock: {
              ...(out.ObjectLockLegalHoldStatus !== undefined ? { legalHold: out.ObjectLockLegalHoldStatus } : {}),
              ...(out.ObjectLockMode !== undefined ? { mode: out.ObjectLockMode } : {}),
              ...(out.ObjectLockRetainUntilDate !== undefined
                ? { retainUntilDate: out.ObjectLockRetainUntilDate }
                : {}),
            },
          }
        : {}),
      ...encryptionOf(out),
    };
  }

  async get(bucket: string, key: string, options: GetOptions = {}): Promise<Readable> {
    const range = options.range;
    if (range !== undefined && !validRange(range)) throw invalidRange(range);
    const ifMatch = options.ifMatch === undefined ? undefined : quoteEtag(options.ifMatch);
    let body: unknown;
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          VersionId: options.versionId,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          ...(ifMatch ? { IfMatch: ifMatch } : {}),
        }),
      );
      body = out.Body;
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
    if (!(body instanceof Readable)) throw internalError(`No body for ${bucket}/${key}`);
    return mapStreamErrors(body, bucket, key);
  }

  async put(
    bucket: string,
    key: string,
    body: Buffer | string | Readable,
    options: PutOptions = {},
  ): Promise<WriteResult> {
    return putObject(this.backend, bucket, key, body, options);
  }

  async copy(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    options: CopyOptions = {},
  ): Promise<WriteResult> {
    return copyObject(this.backend, source, target, options);
  }

  /** DeleteObject, by the signed-request path (signed-requests.ts) where it serves the bucket. */
  async delete(bucket: string, key: string, versionId?: string): Promise<void> {
    try {
      const query = versionId !== undefined ? { versionId } : undefined;
      if (await this.backend.clients.signed.send({ method: "DELETE", bucket, key, query })) return;
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  async getTagging(bucket: string, key: string, versionId?: string): Promise<Tag[]> {
    try {
      const out = await this.client.send(
        new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
      );
      return tagsFromS3(out.TagSet);
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  async putTagging(bucket: string, key: string, tags: readonly Tag[], versionId?: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectTaggingCommand({
          Bucket: bucket,
          Key: key,
          VersionId: versionId,
          Tagging: { TagSet: tagsToS3(tags) },
        }),
      );
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  async deleteTagging(bucket: string, key: string, versionId?: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  /** The object's owner and grants (S3 does not say which canned ACL, if any, produced them). */
  getAcl(bucket: string, key: string, versionId?: string): Promise<AccessControlList> {
    return getObjectAcl(this.backend, bucket, key, versionId);
  }

  putAcl(bucket: string, key: string, acl: AccessControlList, versionId?: string): Promise<void> {
    return putObjectAcl(this.backend, bucket, key, acl, versionId);
  }

  /** RestoreObject: 202 when a restore was started, 200 when a restored copy existed and its expiry was updated. */
  async restore(bucket: string, key: string, request: RestoreRequest): Promise<RestoreResult> {
    const days = restoreDays(request);
    const tier = restoreTier(request);
    try {
      const out = await this.client.send(
        new RestoreObjectCommand({
          Bucket: bucket,
          Key: key,
          VersionId: request.versionId,
          RestoreRequest: { Days: days, GlacierJobParameters: { Tier: tier } },
        }),
      );
      return { httpStatus: out.$metadata.httpStatusCode === 200 ? 200 : 202 };
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  async putLegalHold(bucket: string, key: string, status: "ON" | "OFF", versionId?: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectLegalHoldCommand({
          Bucket: bucket,
          Key: key,
          VersionId: versionId,
          LegalHold: { Status: status },
        }),
      );
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  async putRetention(bucket: string, key: string, retention: RetentionSetting, versionId?: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectRetentionCommand({
          Bucket: bucket,
          Key: key,
          VersionId: versionId,
          Retention: {
            ...(retention.mode !== undefined ? { Mode: retention.mode } : {}),
            ...(retention.retainUntilDate !== undefined ? { RetainUntilDate: retention.retainUntilDate } : {}),
          },
          ...(retention.bypassGovernanceRetention ? { BypassGovernanceRetention: true } : {}),
        }),
      );
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  /** S3 has no event-based hold (Google's, D45): refused rather than dropped. */
  async putEventBasedHold(bucket: string, key: string, _on: boolean, _versionId?: string): Promise<void> {
    throw notImplemented(
      `Event-based holds are not supported by ${this.description} (S3 has none; a temporary hold maps to an Object Lock legal hold): ${bucket}/${key}`,
    );
  }

  /** CopyObject onto itself with the new metadata (metadata-replace.ts). */
  replaceMetadata(
    bucket: string,
    key: string,
    metadata: ObjectMetadata,
    options: ReplaceMetadataOptions,
  ): Promise<WriteResult> {
    return replaceMetadata(this.backend, bucket, key, metadata, options);
  }

  /** ListObjectVersions for exactly this key (key-versions.ts). */
  listKeyVersions(bucket: string, key: string): AsyncIterable<KeyVersion> {
    return listKeyVersions(this.backend, bucket, key);
  }

  createMultipartUpload(bucket: string, key: string, options: { metadata?: ObjectMetadata } = {}): Promise<string> {
    return uploads.createMultipartUpload(this.backend, bucket, key, options);
  }

  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: PartBody): Promise<UploadedPart> {
    return uploads.uploadPart(this.backend, bucket, key, uploadId, partNumber, body);
  }

  completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly UploadedPart[],
  ): Promise<WriteResult> {
    return uploads.completeMultipartUpload(this.backend, bucket, key, uploadId, parts);
  }

  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    return uploads.abortMultipartUpload(this.backend, bucket, key, uploadId);
  }

  listMultipartUploads(bucket: string, prefix: string): AsyncIterable<PendingUpload> {
    return uploads.listMultipartUploads(this.backend, bucket, prefix);
  }

  /** ListObjectsV2, page by page (1,000 keys a request), in S3's key order. */
  list(bucket: string, options: { prefix?: string; startAfter?: string } = {}): AsyncIterable<ListedObject> {
    return listObjects(this.backend, bucket, options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.backend.clients.destroy();
  }

  /** A HEAD answers a missing bucket with a bodyless 404 like a missing key: ask the bucket to tell them apart. */
  private async refineNotFound(e: unknown, bucket: string): Promise<unknown> {
    if (!(e instanceof StorageError) || (e.code !== "NoSuchKey" && e.code !== "NoSuchVersion")) return e;
    const exists = await this.bucketExists(bucket).catch(() => true);
    return exists ? e : noSuchBucket(bucket);
  }
}

const validRange = (r: { start: number; end: number }): boolean =>
  Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end) && r.start >= 0 && r.end >= r.start;

/** The object's server-side encryption as HEAD shows it (SSE-S3 or SSE-KMS), to be kept by an in-place copy. */
function encryptionOf(out: HeadObjectCommandOutput): Pick<ObjectInfo, "encryption"> {
  const algorithm = out.ServerSideEncryption;
  if (algorithm !== "AES256" && algorithm !== "aws:kms") return {};
  return {
    encryption: {
      algorithm,
      ...(out.SSEKMSKeyId !== undefined ? { kmsKeyId: out.SSEKMSKeyId } : {}),
      ...(out.BucketKeyEnabled !== undefined ? { bucketKeyEnabled: out.BucketKeyEnabled } : {}),
    },
  };
}
