/**
 * What a backend without S3's own features (the local directory) does with TargetSettings: SSE-KMS is refused
 * (the object would not be encrypted with the key the job named), Object Lock is applied after the write with
 * putLegalHold / putRetention, and the rest (SSE-S3, checksum algorithm, bucket key, redirect, requester-pays),
 * which only S3 itself acts on, is ignored.
 */
import { notImplemented, type StorageError } from "./errors.js";
import type { CopyOptions, ObjectStorage, PutOptions, TargetSettings, WriteResult } from "./types.js";

export function refusedSetting(settings: TargetSettings, backend: string): StorageError | undefined {
  if (settings.sseAlgorithm === "aws:kms" || settings.sseKmsKeyId !== undefined) {
    return notImplemented(`SSE-KMS encryption (SSEAwsKmsKeyId / SSEAlgorithm KMS) is not supported by ${backend}`);
  }
  return undefined;
}

/** Applies the Object Lock settings to an object just written. */
export async function applyObjectLock(
  storage: ObjectStorage,
  target: { bucket: string; key: string },
  settings: TargetSettings,
  written: WriteResult,
): Promise<void> {
  if (settings.objectLockMode !== undefined || settings.objectLockRetainUntilDate !== undefined) {
    await storage.putRetention(
      target.bucket,
      target.key,
      {
        ...(settings.objectLockMode !== undefined ? { mode: settings.objectLockMode } : {}),
        ...(settings.objectLockRetainUntilDate !== undefined
          ? { retainUntilDate: settings.objectLockRetainUntilDate }
          : {}),
      },
      written.versionId,
    );
  }
  if (settings.objectLockLegalHold === "ON") {
    await storage.putLegalHold(target.bucket, target.key, "ON", written.versionId);
  }
}

/** Applies the lock; when that fails, removes the new object rather than leave it unprotected. */
async function lockOrUndo(
  storage: ObjectStorage,
  target: { bucket: string; key: string },
  settings: TargetSettings,
  written: WriteResult,
): Promise<void> {
  try {
    await applyObjectLock(storage, target, settings, written);
  } catch (e) {
    await storage.delete(target.bucket, target.key, written.versionId).catch(() => {});
    throw e;
  }
}

export const hasObjectLock = (s: TargetSettings): boolean =>
  s.objectLockMode !== undefined || s.objectLockRetainUntilDate !== undefined || s.objectLockLegalHold === "ON";

/**
 * `storage` with TargetSettings handled as above on put and copy. Everything else passes straight through
 * (copies without settings, the hot path of the copy benchmark, cost one property check).
 */
export function withTargetSettings(storage: ObjectStorage): ObjectStorage {
  return delegateTo(storage, {
    put(bucket: string, key: string, body: Parameters<ObjectStorage["put"]>[2], options: PutOptions = {}) {
      const settings = options.settings;
      if (settings === undefined) return storage.put(bucket, key, body, options);
      const refused = refusedSetting(settings, storage.description);
      if (refused) return Promise.reject(refused);
      const { settings: _s, ...rest } = options;
      return writeThenLock(storage, { bucket, key }, settings, () => storage.put(bucket, key, body, rest));
    },
    // Not an async function: a copy without settings hands back the backend's own promise.
    copy(source: { bucket: string; key: string }, target: { bucket: string; key: string }, options: CopyOptions = {}) {
      const refused = refusedSetting(options, storage.description);
      if (refused) return Promise.reject(refused);
      if (!hasObjectLock(options)) return storage.copy(source, target, options);
      return writeThenLock(storage, target, options, () => storage.copy(source, target, options));
    },
  });
}

/** Writes with `write`, then applies the settings' Object Lock to what it wrote (or undoes the write). */
async function writeThenLock(
  storage: ObjectStorage,
  target: { bucket: string; key: string },
  settings: TargetSettings,
  write: () => Promise<WriteResult>,
): Promise<WriteResult> {
  const written = await write();
  if (hasObjectLock(settings)) await lockOrUndo(storage, target, settings, written);
  return written;
}

/** An ObjectStorage that calls `storage` for every method but those in `overrides`. */
export function delegateTo(storage: ObjectStorage, overrides: Partial<ObjectStorage>): ObjectStorage {
  return {
    description: storage.description,
    bucketExists: (b) => storage.bucketExists(b),
    createBucket: (b) => storage.createBucket(b),
    head: (b, k, v) => storage.head(b, k, v),
    get: (b, k, o) => storage.get(b, k, o),
    put: (b, k, body, o) => storage.put(b, k, body, o),
    copy: (s, t, o) => storage.copy(s, t, o),
    delete: (b, k, v) => storage.delete(b, k, v),
    getTagging: (b, k, v) => storage.getTagging(b, k, v),
    putTagging: (b, k, t, v) => storage.putTagging(b, k, t, v),
    deleteTagging: (b, k, v) => storage.deleteTagging(b, k, v),
    getAcl: (b, k, v) => storage.getAcl(b, k, v),
    putAcl: (b, k, a, v) => storage.putAcl(b, k, a, v),
    restore: (b, k, r) => storage.restore(b, k, r),
    putLegalHold: (b, k, s, v) => storage.putLegalHold(b, k, s, v),
    putRetention: (b, k, r, v) => storage.putRetention(b, k, r, v),
    putEventBasedHold: (b, k, on, v) => storage.putEventBasedHold(b, k, on, v),
    replaceMetadata: (b, k, m, o) => storage.replaceMetadata(b, k, m, o),
    listKeyVersions: (b, k) => storage.listKeyVersions(b, k),
    createMultipartUpload: (b, k, o) => storage.createMultipartUpload(b, k, o),
    uploadPart: (b, k, u, n, body) => storage.uploadPart(b, k, u, n, body),
    completeMultipartUpload: (b, k, u, p) => storage.completeMultipartUpload(b, k, u, p),
    abortMultipartUpload: (b, k, u) => storage.abortMultipartUpload(b, k, u),
    listMultipartUploads: (b, p) => storage.listMultipartUploads(b, p),
    list: (b, o) => storage.list(b, o),
    close: () => storage.close(),
    ...overrides,
  };
}
