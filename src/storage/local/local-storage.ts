/**
 * LocalStorage: object storage on a local directory, the embedded default backend. This file is the facade:
 * it opens the data directory, checks each call's bucket, key and version (keys.ts) and hands the work to the
 * module that owns it.
 *
 * Layout under `dataDir`:
 *   buckets/<bucket>/<key>     one file per object; its key is its path relative to the bucket directory
 *   meta/objects.sqlite        metadata (metadata-db.ts); never anything inside bucket directories
 *   tmp/                       every write lands here first and is renamed into place (tmp-files.ts)
 *   uploads/<uploadId>/        multipart uploads in progress (multipart-uploads.ts), beside the buckets, never
 *                              inside them: an upload is no object until it is completed
 *
 * Files dropped in by hand are objects with default metadata. The backend is unversioned: versionId undefined
 * or "null" names the object, any other version answers 404 NoSuchVersion.
 *
 * Where the rest lives:
 *   bucket-folders.ts   containment: a key never leads outside its bucket (lstat, no symlinks, a folder cache)
 *   folder-listings.ts  the files of folders bulk deletes keep coming to, listed once instead of lstat each
 *   object-files.ts     an object's file and row, ETags, the atomic replace, lock and archive checks
 *   object-put.ts, object-copy.ts, listing.ts    PutObject, CopyObject, ListObjects
 *   restore-state.ts    archived objects and their restores
 *   object-lock.ts      legal holds and retention (what an unversioned store can and cannot honour)
 *   attributes.ts       metadata, tags, ACL and storage class as metadata rows
 */
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { AccessControlList, Tag } from "../../domain/job.js";
import { ARCHIVE_STORAGE_CLASSES, type RestoreTier } from "../archive.js";
import { checkIfMatch } from "../copy-preconditions.js";
import { accessDenied, StorageError } from "../errors.js";
import { checkPartNumber } from "../multipart-parts.js";
import { checkAcl, checkTags } from "../object-attributes.js";
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
import {
  aclFromRow,
  aclToColumn,
  metadataFromRow,
  metadataToColumns,
  storageClassFromRow,
  tagsFromRow,
  tagsToColumn,
} from "./attributes.js";
import { BucketFolders } from "./bucket-folders.js";
import { fromFsError, isErrno } from "./errors.js";
import { cachedEtag } from "./file-etag.js";
import { FolderListings } from "./folder-listings.js";
import { mkdir } from "./fs-calls.js";
import { checkBucketName, type ParsedKey, parseObjectRef } from "./keys.js";
import { listObjects } from "./listing.js";
import { MetadataDb } from "./metadata-db.js";
import { UploadArea } from "./multipart-uploads.js";
import { copyObject } from "./object-copy.js";
import { mtimeOf, ObjectFiles } from "./object-files.js";
import { checkNotLocked, legalHoldColumn, lockView, nextRetention } from "./object-lock.js";
import { putObject } from "./object-put.js";
import { readObject } from "./object-read.js";
import { planRestore, restoreView } from "./restore-state.js";
import { TmpFiles } from "./tmp-files.js";

export type { RestoreTier } from "../archive.js";

export interface LocalStorageOptions {
  readonly dataDir: string;
  /** The clock for restores and their expiry (tests inject one). Object mtimes come from the filesystem. */
  readonly now?: () => Date;
  /** How long a restore of each tier takes; 0 (default) makes the restored copy readable at once. */
  readonly restoreDelayMs?: Partial<Record<RestoreTier, number>>;
}

export class LocalStorage implements ObjectStorage {
  readonly description: string;
  private readonly files: ObjectFiles;
  private readonly folders: BucketFolders;
  private readonly listings: FolderListings;
  private readonly uploads: UploadArea;
  private readonly restoreDelayMs: Readonly<Record<RestoreTier, number>>;

  constructor(options: LocalStorageOptions) {
    const root = path.resolve(options.dataDir);
    for (const sub of ["buckets", "tmp", "meta", "uploads"]) fs.mkdirSync(path.join(root, sub), { recursive: true });
    const bucketsRoot = fs.realpathSync(path.join(root, "buckets"));
    const tmpDir = fs.realpathSync(path.join(root, "tmp"));
    const uploadsDir = fs.realpathSync(path.join(root, "uploads"));
    for (const dir of [bucketsRoot, uploadsDir]) {
      if (fs.statSync(dir).dev !== fs.statSync(tmpDir).dev) {
        throw new Error(`${tmpDir} and ${dir} must be on one filesystem (writes rename tmp files into place)`);
      }
    }
    this.description = `local:${root}`;
    const tmp = new TmpFiles(tmpDir);
    this.folders = new BucketFolders(bucketsRoot);
    this.listings = new FolderListings(bucketsRoot);
    this.uploads = new UploadArea(uploadsDir, () => tmp.name());
    const db = new MetadataDb(path.join(root, "meta"));
    this.files = new ObjectFiles(
      this.description,
      this.folders,
      tmp,
      db,
      options.now ?? (() => new Date()),
      this.listings,
    );
    this.restoreDelayMs = { Expedited: 0, Standard: 0, Bulk: 0, ...options.restoreDelayMs };
    tmp.removeStale();
  }

  async bucketExists(bucket: string): Promise<boolean> {
    checkBucketName(bucket);
    const st = await fsp.lstat(this.folders.bucketPath(bucket)).catch(() => undefined);
    return st?.isDirectory() === true;
  }

  /** Creates the bucket directory; creating an existing bucket succeeds (idempotent). */
  async createBucket(bucket: string): Promise<void> {
    checkBucketName(bucket);
    this.files.ensureOpen();
    try {
      await mkdir(this.folders.bucketPath(bucket));
    } catch (e) {
      if (!isErrno(e, "EEXIST")) throw fromFsError(e, bucket, "");
      const st = await fsp.lstat(this.folders.bucketPath(bucket));
      if (st.isSymbolicLink()) throw accessDenied(bucket, "", "the bucket directory is a symbolic link");
      if (!st.isDirectory()) {
        throw new StorageError(
          "BucketAlreadyExists",
          409,
          `${bucket} exists in the data directory and is not a directory`,
        );
      }
    }
  }

  async head(bucket: string, key: string, versionId?: string): Promise<ObjectInfo> {
    const k = this.resolve(bucket, key, versionId);
    const src = await this.files.stat(k);
    const etag = cachedEtag(src.row, src.st) ?? (await this.files.computeEtag(k, src.abs));
    const storageClass = storageClassFromRow(src.row);
    const restore = restoreView(src.row, storageClass, this.files.now().getTime());
    return {
      bucket,
      key,
      versionId: "null",
      size: Number(src.st.size),
      etag,
      lastModified: mtimeOf(src.st),
      storageClass,
      metadata: metadataFromRow(src.row, key),
      ...(restore.state ? { restore: restore.state } : {}),
      archived: ARCHIVE_STORAGE_CLASSES.has(storageClass) && !restore.readable,
      ...lockView(src.row),
    };
  }

  async get(bucket: string, key: string, options: GetOptions = {}): Promise<Readable> {
    return readObject(this.files, this.resolve(bucket, key, options.versionId), options);
  }

  async put(
    bucket: string,
    key: string,
    body: Buffer | string | Readable,
    options: PutOptions = {},
  ): Promise<WriteResult> {
    return putObject(this.files, this.resolve(bucket, key, undefined), body, options);
  }

  async copy(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    options: CopyOptions = {},
  ): Promise<WriteResult> {
    const s = this.resolve(source.bucket, source.key, options.sourceVersionId);
    const t = this.resolve(target.bucket, target.key, undefined);
    return copyObject(this.files, s, t, options);
  }

  /**
   * Deletes the object; deleting an object that does not exist succeeds, as in S3. One SQLite read for the
   * Object Lock state (with this turn's other reads, metadata-db.ts), which also tells whether there is a row to
   * delete: a hand-dropped object costs no write, and an object's row is deleted with this turn's other writes,
   * the delete resolving once that is committed.
   */
  async delete(bucket: string, key: string, versionId?: string): Promise<void> {
    const k = this.resolve(bucket, key, versionId);
    const { db } = this.files;
    const file = this.folders.objectPath(k);
    // A folder that deletes keep coming to is listed once, and its files need no lstat each (folder-listings.ts).
    let listedFile = false;
    let st: fs.Stats | undefined;
    try {
      if (!this.folders.isKnown(k)) await this.folders.ensure(k, false);
      listedFile = this.listings.isListedFile(k);
      if (!listedFile) st = fs.lstatSync(file, { throwIfNoEntry: false });
    } catch (e) {
      if (!(e instanceof StorageError && e.code === "NoSuchKey") && !isErrno(e, "ENOENT") && !isErrno(e, "ENOTDIR")) {
        throw fromFsError(e, bucket, key);
      }
    }
    if (!listedFile) {
      if (st === undefined) {
        if (await db.readTogether(() => db.has(bucket, key))) await db.deleteRow(bucket, key);
        return;
      }
      if (st.isSymbolicLink()) throw accessDenied(bucket, key, "the key names a symbolic link");
      if (!st.isFile()) return;
    }
    const lock = await db.readTogether(() => db.lock(bucket, key));
    if (lock !== undefined) checkNotLocked(bucket, key, lock, this.files.now().getTime(), "delete it");
    try {
      fs.unlinkSync(file);
    } catch (e) {
      // A folder made by hand where the listing saw a file: nothing to delete, as if lstat had seen it.
      if (listedFile && (isErrno(e, "EISDIR") || isErrno(e, "EPERM"))) return;
      if (!isErrno(e, "ENOENT")) throw fromFsError(e, bucket, key);
    }
    this.listings.forget(k);
    // The row goes in this turn's write transaction and the folder in its prune pass: one wait for both. A folder
    // whose listing still holds entries is not empty: no pass tries it (a refused rmdir costs a syscall and an
    // exception), until its last listed file is deleted (folder-listings.ts).
    const pruned = this.listings.holdsEntries(k) ? undefined : this.folders.pruneEmpty(k);
    if (lock !== undefined) await db.deleteRow(bucket, key);
    else db.forgetEtag(bucket, key);
    if (pruned !== undefined) await pruned;
  }

  async getTagging(bucket: string, key: string, versionId?: string): Promise<Tag[]> {
    const k = this.resolve(bucket, key, versionId);
    return tagsFromRow((await this.files.stat(k)).row);
  }

  async putTagging(bucket: string, key: string, tags: readonly Tag[], versionId?: string): Promise<void> {
    const k = this.resolve(bucket, key, versionId);
    checkTags(tags);
    await this.files.checkExists(k);
    await this.files.db.setTags(bucket, key, tagsToColumn(tags));
  }

  async deleteTagging(bucket: string, key: string, versionId?: string): Promise<void> {
    const k = this.resolve(bucket, key, versionId);
    const { row } = await this.files.stat(k);
    if (row?.tags) await this.files.db.setTags(bucket, key, null);
  }

  async getAcl(bucket: string, key: string, versionId?: string): Promise<AccessControlList> {
    const k = this.resolve(bucket, key, versionId);
    return aclFromRow((await this.files.stat(k)).row);
  }

  async putAcl(bucket: string, key: string, acl: AccessControlList, versionId?: string): Promise<void> {
    const k = this.resolve(bucket, key, versionId);
    checkAcl(acl);
    await this.files.checkExists(k);
    await this.files.db.setAcl(bucket, key, aclToColumn(acl));
  }

  /**
   * Starts a restore of an archived object (202), or extends a restored copy's expiry to `days` from now (200).
   * A restore still in progress answers 409 RestoreAlreadyInProgress; a non-archived object 403 InvalidObjectState.
   */
  async restore(bucket: string, key: string, request: RestoreRequest): Promise<RestoreResult> {
    const k = this.resolve(bucket, key, request.versionId);
    const { row } = await this.files.stat(k);
    const plan = planRestore(k, row, request, this.files.now().getTime(), this.restoreDelayMs);
    this.files.db.setRestore(bucket, key, plan.tier, plan.readyAt, plan.expiry);
    return { httpStatus: plan.httpStatus };
  }

  /** Sets (ON) or clears (OFF) the object's legal hold; repeating either is harmless. */
  async putLegalHold(bucket: string, key: string, status: "ON" | "OFF", versionId?: string): Promise<void> {
    const k = this.resolve(bucket, key, versionId);
    const column = legalHoldColumn(status);
    await this.files.stat(k);
    this.files.db.setLegalHold(bucket, key, column);
  }

  /**
   * Sets, extends, shortens or removes (mode and date both omitted) the object's retention, as far as its
   * current retention allows (object-lock.ts).
   */
  async putRetention(bucket: string, key: string, retention: RetentionSetting, versionId?: string): Promise<void> {
    const k = this.resolve(bucket, key, versionId);
    await this.files.stat(k);
    const { db } = this.files;
    const next = nextRetention(bucket, key, db.lock(bucket, key), retention, this.files.now().getTime());
    db.setRetention(bucket, key, next.mode, next.until);
  }

  /** Sets or clears Google's event-based hold (D45), which protects the object as the legal hold does. */
  async putEventBasedHold(bucket: string, key: string, on: boolean, versionId?: string): Promise<void> {
    const k = this.resolve(bucket, key, versionId);
    await this.files.stat(k);
    this.files.db.setEventBasedHold(bucket, key, on ? "ON" : null);
  }

  /**
   * Replaces the object's metadata columns in its row: the file, its tags, ACL, storage class and locks stay.
   * A lock does not stop it (the data is not overwritten), as Google lets a held object's metadata change.
   */
  async replaceMetadata(
    bucket: string,
    key: string,
    metadata: ObjectMetadata,
    options: ReplaceMetadataOptions,
  ): Promise<WriteResult> {
    const k = this.resolve(bucket, key, options.versionId);
    const src = await this.files.stat(k);
    const etag = cachedEtag(src.row, src.st) ?? (await this.files.computeEtag(k, src.abs));
    checkIfMatch({ bucket, key, lastModified: mtimeOf(src.st) }, etag, { ifMatch: options.ifMatch });
    this.files.db.setMetadata(bucket, key, metadataToColumns(metadata, key));
    return { etag };
  }

  /** The unversioned store's one object of the key (no version id: a plain delete removes it), when it exists. */
  async *listKeyVersions(bucket: string, key: string): AsyncIterable<KeyVersion> {
    const k = this.resolve(bucket, key, undefined);
    try {
      await this.files.checkExists(k);
    } catch (e) {
      if (e instanceof StorageError && e.code === "NoSuchKey") return;
      throw e;
    }
    yield { deleteMarker: false };
  }

  /** Starts a multipart upload (multipart-uploads.ts); the key is checked as put() checks it. */
  async createMultipartUpload(
    bucket: string,
    key: string,
    options: { metadata?: ObjectMetadata } = {},
  ): Promise<string> {
    this.resolve(bucket, key, undefined);
    await this.folders.verifyBucket(bucket);
    return this.uploads.create({
      bucket,
      key,
      ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
      initiated: this.files.now().toISOString(),
    });
  }

  /** Stores a part (any size: the local backend does not insist on S3's 5 MiB); a part number again replaces it. */
  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: PartBody,
  ): Promise<UploadedPart> {
    this.resolve(bucket, key, undefined);
    checkPartNumber(partNumber);
    await this.folders.verifyBucket(bucket);
    const upload = await this.uploads.open(bucket, key, uploadId);
    return upload.putPart(partNumber, body);
  }

  /**
   * Writes the listed parts, in order, as the object (through putObject, like any write), then removes the upload.
   *
   * The ETag is the MD5 of the object's bytes, as for every object of this backend (file-etag.ts), not S3's
   * MD5-of-part-MD5s with a "-N" suffix. The metadata row only caches an ETag, for the file's size and mtime; when
   * they no longer match (a touch, a copy by hand) the ETag is hashed again from the file, so an "-N" ETag, which
   * the file alone cannot give back, would turn into the plain MD5 with the bytes unchanged. (s3rver answers
   * the plain MD5 too; S3 promises no particular form for a multipart object's ETag.)
   */
  async completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly UploadedPart[],
  ): Promise<WriteResult> {
    const target = this.resolve(bucket, key, undefined);
    await this.folders.verifyBucket(bucket);
    const upload = await this.uploads.open(bucket, key, uploadId);
    await upload.checkParts(parts);
    const metadata = upload.record.metadata;
    const written = await putObject(this.files, target, upload.body(parts), metadata !== undefined ? { metadata } : {});
    await upload.remove();
    return written;
  }

  /** Removes the upload and its parts; 404 NoSuchUpload when it is not there. */
  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    this.resolve(bucket, key, undefined);
    await this.folders.verifyBucket(bucket);
    await (await this.uploads.open(bucket, key, uploadId)).remove();
  }

  async *listMultipartUploads(bucket: string, prefix: string): AsyncIterable<PendingUpload> {
    checkBucketName(bucket);
    this.files.ensureOpen();
    await this.folders.verifyBucket(bucket);
    yield* this.uploads.list(bucket, prefix);
  }

  /** Objects in UTF-8 byte order of their keys, streamed folder by folder (listing.ts). */
  async *list(bucket: string, options: { prefix?: string; startAfter?: string } = {}): AsyncIterable<ListedObject> {
    checkBucketName(bucket);
    this.files.ensureOpen();
    await this.folders.verifyBucket(bucket);
    yield* listObjects(this.files, bucket, options);
  }

  async close(): Promise<void> {
    this.files.close();
  }

  private resolve(bucket: string, key: string, versionId: string | undefined): ParsedKey {
    this.files.ensureOpen();
    return parseObjectRef(bucket, key, versionId);
  }
}
