/**
 * S3Storage: ObjectStorage over one S3-compatible endpoint (AWS S3, COS and OSS S3 endpoints, MinIO, Ceph RGW,
 * s3rver) through the AWS SDK v3.
 *
 * Every failure comes out as a StorageError (errors.ts): throttling, 5xx, resets and timeouts retryable,
 * everything the server refused for good permanent, with its S3 code and status.
 *
 * Copies map the job's directives onto CopyObject: Copy and Replaced are S3's COPY and REPLACE; Add reads the
 * source's metadata (HEAD) or tags (GetObjectTagging) and REPLACEs them with the merge. S3 never copies ACLs,
 * so an ACL directive of Copy or Add reads the source's ACL. Objects over the multipart threshold (5 GiB, S3's
 * CopyObject limit, unless configured lower) are copied part by part (multipart-copy.ts).
 *
 * Multipart uploads (createMultipartUpload ... completeMultipartUpload) are S3's own, one request each; what
 * s3rver and Ceph RGW 16 make of them is noted at each method.
 */
import { PassThrough, Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  type CopyObjectCommandInput,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectAclCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  PutObjectTaggingCommand,
  RestoreObjectCommand,
  type Tier,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { AccessControlList, Tag } from "../../domain/job.js";
import { copyDirectives } from "../copy-directives.js";
import { checkCopyPreconditions, hasCopyPreconditions } from "../copy-preconditions.js";
import { mergeAcl, mergeMetadata, mergeTags } from "../local/attributes.js";
import { checkCompletedParts, checkPartNumber } from "../multipart-parts.js";
import { applyObjectLock, hasObjectLock } from "../target-settings.js";
import {
  type CopyOptions,
  type GetOptions,
  type ListedObject,
  type ObjectInfo,
  type ObjectLockState,
  type ObjectMetadata,
  type ObjectStorage,
  type PendingUpload,
  type PutOptions,
  type RestoreRequest,
  type RestoreResult,
  type RetentionSetting,
  StorageError,
  type TargetSettings,
  type UploadedPart,
  type WriteResult,
} from "../types.js";
import {
  aclRequestFields,
  copySource,
  grantsFromS3,
  grantsToS3,
  isArchived,
  metadataFromS3,
  metadataToS3,
  parseRestoreHeader,
  tagsFromS3,
  tagsToQuery,
  tagsToS3,
} from "./attributes.js";
import { createS3Clients, type S3Clients } from "./client.js";
import { MAX_SINGLE_COPY_BYTES, MIB, type ResolvedS3Config, resolveS3Config, type S3StorageConfig } from "./config.js";
import { noSuchBucket, notFoundOnHead, toStorageError } from "./errors.js";
import { multipartCopy } from "./multipart-copy.js";

const UPLOAD_PART_BYTES = 8 * MIB;
const UPLOAD_QUEUE = 4;
const COPY_PART_CONCURRENCY = 4;
const LIST_PAGE = 1000;
type WriteKind = "put" | "copy" | "multipart";
type Support = "unknown" | "native" | "separate";
const TIERS: Readonly<Record<string, Tier>> = { expedited: "Expedited", standard: "Standard", bulk: "Bulk" };

export interface S3StorageOptions {
  /** The clock that decides whether a restored copy has expired (tests inject one). */
  readonly now?: () => Date;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class S3Storage implements ObjectStorage {
  readonly description: string;
  readonly config: ResolvedS3Config;
  private readonly clients: S3Clients;
  private readonly now: () => Date;
  private closed = false;
  /** Whether this endpoint honours tags and Object Lock settings sent with each kind of write (ensureTags). */
  private readonly tagSupport: Record<WriteKind, Support> = { put: "unknown", copy: "unknown", multipart: "unknown" };
  private readonly lockSupport: Record<WriteKind, Support> = { put: "unknown", copy: "unknown", multipart: "unknown" };

  constructor(config: S3StorageConfig, options: S3StorageOptions = {}) {
    this.config = resolveS3Config(config);
    this.clients = createS3Clients(this.config);
    this.now = options.now ?? (() => new Date());
    this.description = `s3:${this.config.endpoint ?? `aws/${this.config.region}`}`;
  }

  /** The SDK client (one attempt per request), for callers that need an S3 call the interface lacks. */
  get client() {
    return this.clients.single;
  }

  async bucketExists(bucket: string): Promise<boolean> {
    try {
      await this.clients.single.send(new HeadBucketCommand({ Bucket: bucket }));
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
      await this.clients.single.send(
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
      out = await this.clients.single.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
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
      archived: isArchived(storageClass, out.ArchiveStatus, restore, this.now()),
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
    };
  }

  async get(bucket: string, key: string, options: GetOptions = {}): Promise<Readable> {
    const range = options.range;
    if (range !== undefined && !validRange(range)) {
      throw new StorageError("InvalidRange", 416, `The requested range bytes=${range.start}-${range.end} is not valid`);
    }
    const ifMatch = options.ifMatch === undefined ? undefined : quoteEtag(options.ifMatch);
    let body: unknown;
    try {
      const out = await this.clients.single.send(
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
    if (!(body instanceof Readable)) throw new StorageError("InternalError", 500, `No body for ${bucket}/${key}`);
    return mapStreamErrors(body, bucket, key);
  }

  async put(
    bucket: string,
    key: string,
    body: Buffer | string | Readable,
    options: PutOptions = {},
  ): Promise<WriteResult> {
    const aclFields = options.acl ? aclRequestFields(options.acl) : {};
    const input: PutObjectCommandInput = {
      Bucket: bucket,
      Key: key,
      ...metadataToS3(options.metadata),
      ...(options.tags && options.tags.length > 0 ? { Tagging: tagsToQuery(options.tags) } : {}),
      ...(options.storageClass !== undefined ? { StorageClass: options.storageClass as never } : {}),
      ...(aclFields ?? {}),
      ...(options.settings ? targetSettingsToS3(options.settings) : {}),
    };
    let result: WriteResult;
    try {
      if (typeof body === "string" || Buffer.isBuffer(body)) {
        const out = await this.clients.single.send(new PutObjectCommand({ ...input, Body: body }));
        result = writeResult(out.ETag, out.VersionId);
      } else {
        const upload = new Upload({
          client: this.clients.streaming,
          params: { ...input, Body: body },
          partSize: UPLOAD_PART_BYTES,
          queueSize: UPLOAD_QUEUE,
          leavePartsOnError: false,
        });
        const out = await upload.done();
        result = await this.completedWrite(bucket, key, out.ETag, out.VersionId);
      }
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
    const kind: WriteKind = /-\d+"?$/.test(result.etag) ? "multipart" : "put";
    if (options.tags && options.tags.length > 0) {
      await this.ensureTags(kind, { bucket, key }, options.tags, result, async () => []);
    }
    if (options.settings) await this.ensureLock(kind, { bucket, key }, options.settings, result);
    if (options.acl && aclFields === undefined) await this.putAcl(bucket, key, options.acl, result.versionId);
    return result;
  }

  async copy(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    options: CopyOptions = {},
  ): Promise<WriteResult> {
    const { metadataDirective, taggingDirective, aclDirective } = copyDirectives(options);
    const versionId = options.sourceVersionId;
    const smallThreshold = this.config.multipartCopyThresholdBytes < MAX_SINGLE_COPY_BYTES;

    const conditions = hasCopyPreconditions(options);
    let info =
      metadataDirective === "Add" || smallThreshold || conditions
        ? await this.head(source.bucket, source.key, versionId)
        : undefined;
    // Checked here as well as sent: some S3-compatible servers ignore x-amz-copy-source-if-*.
    if (conditions) checkCopyPreconditions(info!, options);
    const input: Mutable<CopyObjectCommandInput> & { Bucket: string; Key: string; CopySource: string } = {
      Bucket: target.bucket,
      Key: target.key,
      CopySource: copySource(source.bucket, source.key, versionId),
      ...copyConditions(options, info?.etag),
      ...targetSettingsToS3(options),
      ...(options.storageClass !== undefined ? { StorageClass: options.storageClass as never } : {}),
    };

    if (metadataDirective !== "Copy") {
      const metadata: ObjectMetadata =
        metadataDirective === "Replaced" ? (options.metadata ?? {}) : mergeMetadata(info!.metadata, options.metadata);
      Object.assign(input, { MetadataDirective: "REPLACE" }, metadataToS3(metadata));
    }
    let tags: readonly Tag[] | undefined;
    let sourceTags: readonly Tag[] | undefined;
    if (taggingDirective !== "Copy") {
      if (taggingDirective === "Add") sourceTags = await this.getTagging(source.bucket, source.key, versionId);
      tags = taggingDirective === "Replaced" ? (options.tags ?? []) : mergeTags(sourceTags ?? [], options.tags ?? []);
      Object.assign(input, { TaggingDirective: "REPLACE", Tagging: tagsToQuery(tags) });
    }
    let acl: AccessControlList | undefined;
    if (aclDirective === "Replaced") acl = options.acl;
    else {
      const sourceAcl = await this.getAcl(source.bucket, source.key, versionId);
      const { owner: _owner, ...grantsOnly } = sourceAcl;
      acl = aclDirective === "Copy" ? grantsOnly : mergeAcl(grantsOnly, options.acl ?? {});
    }
    const aclFields = acl ? aclRequestFields(acl) : {};
    Object.assign(input, aclFields ?? {});

    let result: WriteResult;
    let kind: WriteKind = "copy";
    try {
      if (info !== undefined && info.size > this.config.multipartCopyThresholdBytes) {
        kind = "multipart";
        ({ result, tags } = await this.copyInParts(input, info, metadataDirective, tags));
      } else {
        try {
          const out = await this.clients.single.send(new CopyObjectCommand(input));
          result = writeResult(out.CopyObjectResult?.ETag, out.VersionId);
        } catch (e) {
          if (!isTooLargeToCopy(e)) throw e;
          info ??= await this.head(source.bucket, source.key, versionId);
          kind = "multipart";
          ({ result, tags } = await this.copyInParts(input, info, metadataDirective, tags));
        }
      }
    } catch (e) {
      throw toStorageError(e, target.bucket, target.key);
    }
    if (tags !== undefined && (kind === "copy" || tags.length > 0)) {
      const sent = tags;
      const otherwise = async () =>
        kind === "multipart" ? [] : (sourceTags ?? (await this.getTagging(source.bucket, source.key, versionId)));
      await this.ensureTags(kind, target, sent, result, otherwise);
    }
    await this.ensureLock(kind, target, options, result);
    if (acl && aclFields === undefined) await this.putAcl(target.bucket, target.key, acl, result.versionId);
    return result;
  }

  /**
   * Makes sure a new object got the tags asked for. AWS honours x-amz-tagging on PutObject, CopyObject (with
   * TaggingDirective REPLACE) and CreateMultipartUpload; s3rver and Ceph RGW 16 ignore it in some of them. Until
   * an object proves that this endpoint honours it for this kind of write (its tags equal the requested ones and
   * differ from what it would have had otherwise), each object's tags are read back; once the endpoint is seen to
   * ignore it, tags are set with PutObjectTagging after every such write.
   */
  private async ensureTags(
    kind: WriteKind,
    target: { bucket: string; key: string },
    tags: readonly Tag[],
    written: WriteResult,
    otherwise: () => Promise<readonly Tag[]>,
  ): Promise<void> {
    const state = this.tagSupport[kind];
    if (state === "native") return;
    if (state === "unknown") {
      const got = await this.getTagging(target.bucket, target.key, written.versionId);
      if (sameTags(got, tags)) {
        if (!sameTags(await otherwise(), tags)) this.tagSupport[kind] = "native";
        return;
      }
      this.tagSupport[kind] = "separate";
    }
    await this.putTagging(target.bucket, target.key, tags, written.versionId);
  }

  /** The same for Object Lock settings (Ceph RGW 16 ignores them on CopyObject), set afterwards when ignored. */
  private async ensureLock(
    kind: WriteKind,
    target: { bucket: string; key: string },
    settings: TargetSettings,
    written: WriteResult,
  ): Promise<void> {
    if (!hasObjectLock(settings)) return;
    const state = this.lockSupport[kind];
    if (state === "native") return;
    if (state === "unknown") {
      if (lockMatches((await this.head(target.bucket, target.key, written.versionId)).objectLock, settings)) {
        this.lockSupport[kind] = "native";
        return;
      }
      this.lockSupport[kind] = "separate";
    }
    await applyObjectLock(this, target, settings, written);
  }

  async delete(bucket: string, key: string, versionId?: string): Promise<void> {
    try {
      await this.clients.single.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  async getTagging(bucket: string, key: string, versionId?: string): Promise<Tag[]> {
    try {
      const out = await this.clients.single.send(
        new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
      );
      return tagsFromS3(out.TagSet);
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  async putTagging(bucket: string, key: string, tags: readonly Tag[], versionId?: string): Promise<void> {
    try {
      await this.clients.single.send(
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
      await this.clients.single.send(
        new DeleteObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
      );
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  /** The object's owner and grants (S3 does not say which canned ACL, if any, produced them). */
  async getAcl(bucket: string, key: string, versionId?: string): Promise<AccessControlList> {
    try {
      const out = await this.clients.single.send(
        new GetObjectAclCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
      );
      const owner = out.Owner?.ID
        ? { id: out.Owner.ID, ...(out.Owner.DisplayName ? { displayName: out.Owner.DisplayName } : {}) }
        : undefined;
      return { ...(owner ? { owner } : {}), grants: grantsFromS3(out.Grants) };
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  /**
   * A canned ACL alone is sent as x-amz-acl; grants as an AccessControlPolicy (with the object's current owner
   * unless the ACL names one). A canned ACL with grants is applied first, then the grants are added to it.
   */
  async putAcl(bucket: string, key: string, acl: AccessControlList, versionId?: string): Promise<void> {
    const grants = acl.grants ?? [];
    try {
      if (acl.canned !== undefined) {
        await this.clients.single.send(
          new PutObjectAclCommand({ Bucket: bucket, Key: key, VersionId: versionId, ACL: acl.canned as never }),
        );
        if (grants.length === 0 && acl.owner === undefined) return;
      }
      const current =
        acl.owner === undefined || acl.canned !== undefined ? await this.getAcl(bucket, key, versionId) : {};
      const owner = acl.owner ?? current.owner;
      const all = acl.canned !== undefined ? mergeAcl({ grants: current.grants ?? [] }, { grants }).grants : grants;
      await this.clients.single.send(
        new PutObjectAclCommand({
          Bucket: bucket,
          Key: key,
          VersionId: versionId,
          AccessControlPolicy: {
            ...(owner
              ? { Owner: { ID: owner.id, ...(owner.displayName ? { DisplayName: owner.displayName } : {}) } }
              : {}),
            Grants: grantsToS3(all ?? []),
          },
        }),
      );
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  /** RestoreObject: 202 when a restore was started, 200 when a restored copy existed and its expiry was updated. */
  async restore(bucket: string, key: string, request: RestoreRequest): Promise<RestoreResult> {
    const days = request.days ?? 1;
    if (!Number.isInteger(days) || days < 1) {
      throw new StorageError("InvalidArgument", 400, `Restore days must be a positive integer, got ${days}`);
    }
    const tier = TIERS[(request.tier ?? "Standard").toLowerCase()];
    if (tier === undefined) {
      throw new StorageError(
        "InvalidArgument",
        400,
        `Unknown restore tier ${JSON.stringify(request.tier)} (Expedited, Standard or Bulk)`,
      );
    }
    try {
      const out = await this.clients.single.send(
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
      await this.clients.single.send(
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
      await this.clients.single.send(
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

  /** CreateMultipartUpload, with the object's metadata (Content-Type and the rest) sent as headers. */
  async createMultipartUpload(
    bucket: string,
    key: string,
    options: { metadata?: ObjectMetadata } = {},
  ): Promise<string> {
    let uploadId: string | undefined;
    try {
      const out = await this.clients.single.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...metadataToS3(options.metadata) }),
      );
      uploadId = out.UploadId;
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
    if (!uploadId)
      throw new StorageError("InternalError", 500, `CreateMultipartUpload of ${bucket}/${key} gave no UploadId`);
    return uploadId;
  }

  /**
   * UploadPart. s3rver neither checks the upload ID (a part for an upload it never started is stored under that
   * ID) nor enforces part sizes; radosgw and AWS answer an unknown upload with 404 NoSuchUpload.
   */
  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Buffer,
  ): Promise<UploadedPart> {
    checkPartNumber(partNumber);
    let etag: string | undefined;
    try {
      const out = await this.clients.single.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body }),
      );
      etag = out.ETag;
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
    if (!etag) {
      throw new StorageError("InternalError", 500, `UploadPart ${partNumber} of ${bucket}/${key} gave no ETag`);
    }
    return { partNumber, etag };
  }

  /**
   * CompleteMultipartUpload. The part list is checked here too (at least one part, ascending part numbers), as
   * s3rver checks nothing: it sorts the parts, ignores their ETags and answers a plain MD5 of the whole object;
   * it answers an upload it does not know (completed, never created) with 500 InternalError, not NoSuchUpload,
   * and a part listed but never uploaded crashes it (an unhandled stream error). Ceph RGW 16 can answer an empty
   * ETag, read back with a HEAD then (completedWrite); like AWS, it answers a completion repeated after success
   * with 200 again; it wants every uploaded part listed, from part 1 on (else 400 InvalidPart); and it answers
   * the completion of an aborted or never created upload with 500 InternalError "This multipart completion is
   * already in progress" rather than 404 NoSuchUpload. That 500 is left as it is (retryable): the same answer
   * means a real concurrent completion too.
   */
  async completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly UploadedPart[],
  ): Promise<WriteResult> {
    checkCompletedParts(parts);
    try {
      const out = await this.clients.single.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      );
      // RGW answers a completion repeated after success with 200 and the ETag unquoted.
      return await this.completedWrite(bucket, key, out.ETag ? quoteEtag(out.ETag) : undefined, out.VersionId);
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  /**
   * AbortMultipartUpload; an upload that is not there answers 404 NoSuchUpload. s3rver 3.7 does not implement
   * it: its router answers DELETE ?uploadId with 405 MethodNotAllowed, which surfaces as that StorageError.
   */
  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    try {
      await this.clients.single.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    } catch (e) {
      throw toStorageError(e, bucket, key);
    }
  }

  /**
   * ListMultipartUploads with a prefix, page by page. s3rver 3.7 does not implement it: GET ?uploads answers
   * 501 NotImplemented, which surfaces as a (not retryable) StorageError; callers treat listing as best effort.
   */
  async *listMultipartUploads(bucket: string, prefix: string): AsyncIterable<PendingUpload> {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      let page: Awaited<ReturnType<typeof this.uploadsPage>>;
      try {
        page = await this.uploadsPage(bucket, prefix, keyMarker, uploadIdMarker);
      } catch (e) {
        throw toStorageError(e, bucket, prefix);
      }
      for (const u of page.Uploads ?? []) {
        if (u.Key !== undefined && u.UploadId !== undefined) yield { key: u.Key, uploadId: u.UploadId };
      }
      // A truncated page must move the markers on; a server that does not would be asked the same page forever.
      const stuck = page.NextKeyMarker === keyMarker && page.NextUploadIdMarker === uploadIdMarker;
      if (!page.IsTruncated || stuck) return;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  /** ListObjectsV2, page by page (1,000 keys a request), in S3's key order. */
  async *list(bucket: string, options: { prefix?: string; startAfter?: string } = {}): AsyncIterable<ListedObject> {
    let token: string | undefined;
    let first = true;
    while (first || token !== undefined) {
      first = false;
      let page: Awaited<ReturnType<typeof this.listPage>>;
      try {
        page = await this.listPage(bucket, options, token);
      } catch (e) {
        throw toStorageError(e, bucket, options.prefix);
      }
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        yield {
          key: o.Key,
          size: o.Size ?? 0,
          etag: o.ETag ?? '""',
          lastModified: o.LastModified ?? new Date(0),
          storageClass: o.StorageClass ?? "STANDARD",
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clients.destroy();
  }

  private listPage(bucket: string, options: { prefix?: string; startAfter?: string }, token: string | undefined) {
    return this.clients.single.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        MaxKeys: LIST_PAGE,
        ...(options.prefix ? { Prefix: options.prefix } : {}),
        ...(token !== undefined
          ? { ContinuationToken: token }
          : options.startAfter
            ? { StartAfter: options.startAfter }
            : {}),
      }),
    );
  }

  private uploadsPage(
    bucket: string,
    prefix: string,
    keyMarker: string | undefined,
    uploadIdMarker: string | undefined,
  ) {
    return this.clients.single.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        MaxUploads: LIST_PAGE,
        ...(prefix ? { Prefix: prefix } : {}),
        ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
        ...(uploadIdMarker !== undefined ? { UploadIdMarker: uploadIdMarker } : {}),
      }),
    );
  }

  /** A HEAD answers a missing bucket with a bodyless 404 like a missing key: ask the bucket to tell them apart. */
  private async refineNotFound(e: unknown, bucket: string): Promise<unknown> {
    if (!(e instanceof StorageError) || (e.code !== "NoSuchKey" && e.code !== "NoSuchVersion")) return e;
    const exists = await this.bucketExists(bucket).catch(() => true);
    return exists ? e : noSuchBucket(bucket);
  }

  /**
   * The multipart path: CreateMultipartUpload takes no directives, so what COPY would have kept is spelled out
   * (the source's metadata from its HEAD, its tags from GetObjectTagging).
   */
  private async copyInParts(
    input: CopyObjectCommandInput & { Bucket: string; Key: string; CopySource: string },
    info: ObjectInfo,
    metadataDirective: string,
    requestedTags: readonly Tag[] | undefined,
  ): Promise<{ result: WriteResult; tags: readonly Tag[] }> {
    const full = { ...input };
    if (metadataDirective === "Copy") Object.assign(full, metadataToS3(info.metadata));
    const tags =
      requestedTags ??
      (await this.getTagging(
        info.bucket,
        info.key,
        input.CopySource.includes("?versionId=") ? info.versionId : undefined,
      ));
    if (tags.length > 0) full.Tagging = tagsToQuery(tags);
    if (full.StorageClass === undefined && info.storageClass !== "STANDARD")
      full.StorageClass = info.storageClass as never;
    const out = await multipartCopy(this.clients.single, {
      input: full,
      size: info.size,
      partBytes: this.config.partSizeBytes,
      concurrency: COPY_PART_CONCURRENCY,
    });
    return { result: await this.completedWrite(input.Bucket, input.Key, out.ETag, out.VersionId), tags };
  }

  /** The result of a completed multipart upload; Ceph RGW 16 answers it with an empty ETag, read it back then. */
  private async completedWrite(
    bucket: string,
    key: string,
    etag: string | undefined,
    versionId: string | undefined,
  ): Promise<WriteResult> {
    if (etag) return writeResult(etag, versionId);
    return writeResult((await this.head(bucket, key, versionId)).etag, versionId);
  }
}

/** Object Lock state as asked for: legal hold, and mode with retain-until date (S3 keeps whole seconds). */
function lockMatches(lock: ObjectLockState | undefined, s: TargetSettings): boolean {
  if (s.objectLockLegalHold === "ON" && lock?.legalHold !== "ON") return false;
  if (s.objectLockMode !== undefined && lock?.mode !== s.objectLockMode) return false;
  if (s.objectLockRetainUntilDate !== undefined) {
    const want = Math.floor(s.objectLockRetainUntilDate.getTime() / 1000);
    const got = lock?.retainUntilDate === undefined ? undefined : Math.floor(lock.retainUntilDate.getTime() / 1000);
    if (got !== want) return false;
  }
  return true;
}

function sameTags(a: readonly Tag[], b: readonly Tag[]): boolean {
  if (a.length !== b.length) return false;
  const m = new Map(a.map((t) => [t.key, t.value]));
  return b.every((t) => m.get(t.key) === t.value);
}

function writeResult(etag: string | undefined, versionId: string | undefined): WriteResult {
  return { etag: etag ?? '""', ...(versionId !== undefined ? { versionId } : {}) };
}

const validRange = (r: { start: number; end: number }): boolean =>
  Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end) && r.start >= 0 && r.end >= r.start;

const quoteEtag = (etag: string): string => (etag.startsWith('"') || etag === "*" ? etag : `"${etag}"`);

/** The copy's source conditions; with a HEAD'd source, pinned to the ETag the preconditions were checked on. */
function copyConditions(options: CopyOptions, checkedEtag: string | undefined): Partial<CopyObjectCommandInput> {
  const ifMatch = options.ifMatch ?? (hasCopyPreconditions(options) ? checkedEtag : undefined);
  return {
    ...(ifMatch !== undefined ? { CopySourceIfMatch: quoteEtag(ifMatch) } : {}),
    ...(options.ifModifiedSince !== undefined ? { CopySourceIfModifiedSince: options.ifModifiedSince } : {}),
    ...(options.ifUnmodifiedSince !== undefined ? { CopySourceIfUnmodifiedSince: options.ifUnmodifiedSince } : {}),
  };
}

/** The new object's settings that S3 alone acts on (the same fields on PutObject, CopyObject and multipart). */
function targetSettingsToS3(o: TargetSettings): Partial<CopyObjectCommandInput> & Partial<PutObjectCommandInput> {
  const out: Mutable<Partial<CopyObjectCommandInput>> = {};
  if (o.sseAlgorithm !== undefined) out.ServerSideEncryption = o.sseAlgorithm;
  if (o.sseKmsKeyId !== undefined) {
    out.ServerSideEncryption = "aws:kms";
    out.SSEKMSKeyId = o.sseKmsKeyId;
  }
  if (o.bucketKeyEnabled !== undefined) out.BucketKeyEnabled = o.bucketKeyEnabled;
  if (o.checksumAlgorithm !== undefined) out.ChecksumAlgorithm = o.checksumAlgorithm as never;
  if (o.objectLockMode !== undefined) out.ObjectLockMode = o.objectLockMode;
  if (o.objectLockRetainUntilDate !== undefined) out.ObjectLockRetainUntilDate = o.objectLockRetainUntilDate;
  if (o.objectLockLegalHold !== undefined) out.ObjectLockLegalHoldStatus = o.objectLockLegalHold;
  if (o.websiteRedirectLocation !== undefined) out.WebsiteRedirectLocation = o.websiteRedirectLocation;
  if (o.requesterPays) out.RequestPayer = "requester";
  return out;
}

/** AWS answers a CopyObject of more than 5 GiB with 400 InvalidRequest; some compatibles say EntityTooLarge. */
function isTooLargeToCopy(e: unknown): boolean {
  const err = e as { name?: string; message?: string };
  return (
    err?.name === "EntityTooLarge" ||
    (err?.name === "InvalidRequest" && /larger than the maximum allowable size/i.test(err.message ?? ""))
  );
}

/** The body stream, with its errors (resets, idle timeouts) turned into retryable StorageErrors. */
function mapStreamErrors(body: Readable, bucket: string, key: string): Readable {
  const out = new PassThrough();
  body.on("error", (e) => {
    const mapped = toStorageError(e, bucket, key);
    out.destroy(mapped instanceof Error ? mapped : new Error(String(mapped)));
  });
  out.on("close", () => {
    if (!body.destroyed) body.destroy();
  });
  body.pipe(out);
  return out;
}
