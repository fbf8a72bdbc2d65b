/**
 * RoutedStorage: one ObjectStorage over several stores, each serving the buckets that match its patterns
 * (globs with * and ?; the first matching route wins). A bucket no route matches answers 404 NoSuchBucket.
 * Copies inside one store stay server-side; copies between two stores stream the object across
 * (cross-store-copy.ts).
 */
import type { Readable } from "node:stream";
import { globToRegExp } from "../accounts/bucket-patterns.js";
import type { AccessControlList, Tag } from "../domain/job.js";
import { crossStoreCopy } from "./cross-store-copy.js";
import { StorageError } from "./errors.js";
import type { PartBody } from "./part-body.js";
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
} from "./types.js";

export interface Route {
  /** Bucket names or globs (`logs-*`, `*`). */
  readonly buckets: readonly string[];
  readonly storage: ObjectStorage;
}

const MAX_REMEMBERED = 10_000;

export class RoutedStorage implements ObjectStorage {
  readonly description: string;
  private readonly routes: { readonly patterns: readonly RegExp[]; readonly storage: ObjectStorage }[];
  private readonly chosen = new Map<string, ObjectStorage | null>();

  constructor(routes: readonly Route[]) {
    this.routes = routes.map((r) => ({ patterns: r.buckets.map(globToRegExp), storage: r.storage }));
    this.description = `routed:[${routes.map((r) => `${r.buckets.join(",")}->${r.storage.description}`).join("; ")}]`;
  }

  /** The store serving `bucket`; throws NoSuchBucket when no route matches. */
  storageFor(bucket: string): ObjectStorage {
    let storage = this.chosen.get(bucket);
    if (storage === undefined) {
      storage = this.routes.find((r) => r.patterns.some((p) => p.test(bucket)))?.storage ?? null;
      if (this.chosen.size >= MAX_REMEMBERED) this.chosen.clear();
      this.chosen.set(bucket, storage);
    }
    if (storage === null) {
      throw new StorageError(
        "NoSuchBucket",
        404,
        `The specified bucket does not exist: ${bucket} (no storage route matches it)`,
      );
    }
    return storage;
  }

  async bucketExists(bucket: string): Promise<boolean> {
    if (this.routes.every((r) => !r.patterns.some((p) => p.test(bucket)))) return false;
    return this.storageFor(bucket).bucketExists(bucket);
  }

  async createBucket(bucket: string): Promise<void> {
    return this.storageFor(bucket).createBucket(bucket);
  }

  async head(bucket: string, key: string, versionId?: string): Promise<ObjectInfo> {
    return this.storageFor(bucket).head(bucket, key, versionId);
  }

  async get(bucket: string, key: string, options?: GetOptions): Promise<Readable> {
    return this.storageFor(bucket).get(bucket, key, options);
  }

  async put(bucket: string, key: string, body: Buffer | string | Readable, options?: PutOptions): Promise<WriteResult> {
    return this.storageFor(bucket).put(bucket, key, body, options);
  }

  async copy(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    options?: CopyOptions,
  ): Promise<WriteResult> {
    const from = this.storageFor(source.bucket);
    const to = this.storageFor(target.bucket);
    if (from === to) return from.copy(source, target, options);
    return crossStoreCopy(from, to, source, target, options);
  }

  async delete(bucket: string, key: string, versionId?: string): Promise<void> {
    return this.storageFor(bucket).delete(bucket, key, versionId);
  }

  async getTagging(bucket: string, key: string, versionId?: string): Promise<Tag[]> {
    return this.storageFor(bucket).getTagging(bucket, key, versionId);
  }

  async putTagging(bucket: string, key: string, tags: readonly Tag[], versionId?: string): Promise<void> {
    return this.storageFor(bucket).putTagging(bucket, key, tags, versionId);
  }

  async deleteTagging(bucket: string, key: string, versionId?: string): Promise<void> {
    return this.storageFor(bucket).deleteTagging(bucket, key, versionId);
  }

  async getAcl(bucket: string, key: string, versionId?: string): Promise<AccessControlList> {
    return this.storageFor(bucket).getAcl(bucket, key, versionId);
  }

  async putAcl(bucket: string, key: string, acl: AccessControlList, versionId?: string): Promise<void> {
    return this.storageFor(bucket).putAcl(bucket, key, acl, versionId);
  }

  async restore(bucket: string, key: string, request: RestoreRequest): Promise<RestoreResult> {
    return this.storageFor(bucket).restore(bucket, key, request);
  }

  async putLegalHold(bucket: string, key: string, status: "ON" | "OFF", versionId?: string): Promise<void> {
    return this.storageFor(bucket).putLegalHold(bucket, key, status, versionId);
  }

  async putRetention(bucket: string, key: string, retention: RetentionSetting, versionId?: string): Promise<void> {
    return this.storageFor(bucket).putRetention(bucket, key, retention, versionId);
  }

  async putEventBasedHold(bucket: string, key: string, on: boolean, versionId?: string): Promise<void> {
    return this.storageFor(bucket).putEventBasedHold(bucket, key, on, versionId);
  }

  async replaceMetadata(
    bucket: string,
    key: string,
    metadata: ObjectMetadata,
    options: ReplaceMetadataOptions,
  ): Promise<WriteResult> {
    return this.storageFor(bucket).replaceMetadata(bucket, key, metadata, options);
  }

  async *listKeyVersions(bucket: string, key: string): AsyncIterable<KeyVersion> {
    yield* this.storageFor(bucket).listKeyVersions(bucket, key);
  }

  async createMultipartUpload(bucket: string, key: string, options?: { metadata?: ObjectMetadata }): Promise<string> {
    return this.storageFor(bucket).createMultipartUpload(bucket, key, options);
  }

  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: PartBody,
  ): Promise<UploadedPart> {
    return this.storageFor(bucket).uploadPart(bucket, key, uploadId, partNumber, body);
  }

  async completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly UploadedPart[],
  ): Promise<WriteResult> {
    return this.storageFor(bucket).completeMultipartUpload(bucket, key, uploadId, parts);
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    return this.storageFor(bucket).abortMultipartUpload(bucket, key, uploadId);
  }

  async *listMultipartUploads(bucket: string, prefix: string): AsyncIterable<PendingUpload> {
    yield* this.storageFor(bucket).listMultipartUploads(bucket, prefix);
  }

  async *list(bucket: string, options?: { prefix?: string; startAfter?: string }): AsyncIterable<ListedObject> {
    yield* this.storageFor(bucket).list(bucket, options);
  }

  /** Closes every store once (several routes may share one). */
  async close(): Promise<void> {
    const stores = new Set(this.routes.map((r) => r.storage));
    const results = await Promise.allSettled([...stores].map((s) => s.close()));
    const failure = results.find((r) => r.status === "rejected");
    if (failure) throw failure.reason;
  }
}
