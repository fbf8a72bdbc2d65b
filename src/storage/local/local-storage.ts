/**
 * LocalStorage: object storage on a local directory, the embedded default backend.
 *
 * Layout under `dataDir`:
 *   buckets/<bucket>/<key>     one file per object; its key is its path relative to the bucket directory
 *   meta/objects.sqlite        metadata (see metadata-db.ts); never anything inside bucket directories
 *   tmp/                       every write lands here first and is renamed into place (atomic replace)
 *   uploads/<uploadId>/        multipart uploads in progress (multipart-uploads.ts), beside the buckets, never
 *                              inside them: an upload is no object until it is completed
 *
 * Files dropped in by hand are objects with default metadata. The backend is unversioned: versionId undefined
 * or "null" names the object, any other version answers 404 NoSuchVersion.
 *
 * Object Lock (legal holds, retention) is kept in the metadata rows; a locked object cannot be deleted or
 * overwritten (object-lock.ts says what an unversioned store can and cannot honour).
 *
 * Containment: keys are checked as strings first (keys.ts); then every folder on a key's path is checked with
 * lstat to be a real directory, never a symlink, and objects are opened with O_NOFOLLOW or lstat'ed, so a key
 * never leads outside its bucket. Verified folders are remembered for a few seconds (DIR_TTL_MS) so 100,000 copies
 * into one prefix do not lstat or mkdir it 100,000 times; a symlink swapped in by hand for a folder verified
 * within that window is noticed when the entry expires. The data directory's own path may contain symlinks:
 * it is resolved once at start.
 *
 * Performance notes (the copy path is benchmarked against `cp -r`): one lstat of the source and one SQLite read
 * for the source's and target's rows; then an lstat of the target slot and copyFile (reflink where the
 * filesystem can) into tmp; then rename. These calls are synchronous (see fs-calls.ts: the engine runs them on
 * worker threads), there is no metadata write when source and target keep default metadata, and the copy
 * result's ETag is hashed only if someone reads it.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { AccessControlList, Tag } from "../../domain/job.js";
import { copyDirectives } from "../copy-directives.js";
import { checkPartNumber } from "../multipart-parts.js";
import {
  ARCHIVE_STORAGE_CLASSES,
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
  type RestoreState,
  type RetentionSetting,
  StorageError,
  type UploadedPart,
  type WriteResult,
} from "../types.js";
import {
  aclFromRow,
  aclToColumn,
  checkAcl,
  checkStorageClass,
  checkTags,
  contentTypeFor,
  mergeAcl,
  mergeMetadata,
  mergeTags,
  metadataFromRow,
  metadataToColumns,
  PRIVATE_ACL,
  sameDefaultContentType,
  storageClassFromRow,
  storageClassToColumn,
  tagsFromRow,
  tagsToColumn,
} from "./attributes.js";
import {
  accessDenied,
  fromFsError,
  invalidArgument,
  invalidKey,
  invalidObjectState,
  isErrno,
  noSuchBucket,
  noSuchKey,
  noSuchVersion,
  preconditionFailed,
} from "./errors.js";
import { cachedEtag, etagMatches, hashFile, hashFileSync, md5Etag, stampOf } from "./etag.js";
import {
  copyFile,
  lstatBig,
  lstatIfAny,
  mkdir,
  readdirBuffers,
  rename,
  rmdir,
  unlink,
  unlinkQuietly,
} from "./fs-calls.js";
import { checkBucketName, isNullVersion, MAX_KEY_BYTES, type ParsedKey, parseKey } from "./keys.js";
import { EMPTY_ROW, MetadataDb, type ObjectRow } from "./metadata-db.js";
import { UploadArea } from "./multipart-uploads.js";
import { checkNotLocked, type LockColumns, legalHoldColumn, nextRetention } from "./object-lock.js";

export type RestoreTier = "Expedited" | "Standard" | "Bulk";

export interface LocalStorageOptions {
  readonly dataDir: string;
  /** The clock for restores and their expiry (tests inject one). Object mtimes come from the filesystem. */
  readonly now?: () => Date;
  /** How long a restore of each tier takes; 0 (default) makes the restored copy readable at once. */
  readonly restoreDelayMs?: Partial<Record<RestoreTier, number>>;
}

const DIR_TTL_MS = 5_000;
const DIR_CACHE_MAX = 50_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_RESTORE_DAYS = 36_500;
const STALE_TMP_MS = DAY_MS;
const TIERS: Readonly<Record<string, RestoreTier>> = { expedited: "Expedited", standard: "Standard", bulk: "Bulk" };

interface SourceFile {
  readonly abs: string;
  readonly st: fs.BigIntStats;
  readonly row: ObjectRow | undefined;
  /** Filled in for copies: whether the copy's target has a metadata row to replace. */
  readonly targetHasRow: boolean;
  /** Filled in for copies: the target's metadata row (for its Object Lock state). */
  readonly targetRow?: ObjectRow;
}

export class LocalStorage implements ObjectStorage {
  readonly description: string;
  private readonly bucketsRoot: string;
  private readonly tmpDir: string;
  private readonly tmpPrefix: string;
  private tmpCounter = 0;
  private readonly db: MetadataDb;
  private readonly uploads: UploadArea;
  private readonly now: () => Date;
  private readonly restoreDelayMs: Readonly<Record<RestoreTier, number>>;
  /** Folders verified to be real directories: "<bucket>/<dir>" -> valid until (Date.now() ms). */
  private readonly dirs = new Map<string, number>();
  private closed = false;

  constructor(options: LocalStorageOptions) {
    const root = path.resolve(options.dataDir);
    for (const sub of ["buckets", "tmp", "meta", "uploads"]) fs.mkdirSync(path.join(root, sub), { recursive: true });
    this.bucketsRoot = fs.realpathSync(path.join(root, "buckets"));
    this.tmpDir = fs.realpathSync(path.join(root, "tmp"));
    const uploadsDir = fs.realpathSync(path.join(root, "uploads"));
    for (const dir of [this.bucketsRoot, uploadsDir]) {
      if (fs.statSync(dir).dev !== fs.statSync(this.tmpDir).dev) {
        throw new Error(`${this.tmpDir} and ${dir} must be on one filesystem (writes rename tmp files into place)`);
      }
    }
    this.uploads = new UploadArea(uploadsDir, () => this.tmpName());
    this.db = new MetadataDb(path.join(root, "meta"));
    this.description = `local:${root}`;
    this.now = options.now ?? (() => new Date());
    this.restoreDelayMs = { Expedited: 0, Standard: 0, Bulk: 0, ...options.restoreDelayMs };
    this.tmpPrefix = `${this.tmpDir}/${process.pid}-${randomBytes(4).toString("hex")}-`;
    this.removeStaleTmpFiles();
  }

  async bucketExists(bucket: string): Promise<boolean> {
    checkBucketName(bucket);
    const st = await fsp.lstat(this.bucketPath(bucket)).catch(() => undefined);
    return st?.isDirectory() === true;
  }

  /** Creates the bucket directory; creating an existing bucket succeeds (idempotent). */
  async createBucket(bucket: string): Promise<void> {
    checkBucketName(bucket);
    this.ensureOpen();
    try {
      await mkdir(this.bucketPath(bucket));
    } catch (e) {
      if (!isErrno(e, "EEXIST")) throw fromFsError(e, bucket, "");
      const st = await fsp.lstat(this.bucketPath(bucket));
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
    const src = await this.statObject(k);
    const etag = cachedEtag(src.row, src.st) ?? (await this.computeEtag(k, src.abs));
    const storageClass = storageClassFromRow(src.row);
    const restore = this.restoreView(src.row, storageClass);
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
    const k = this.resolve(bucket, key, options.versionId);
    await this.withOrphanCleanup(k, () => this.ensureDirs(k, false));
    const abs = this.objectPath(k);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch (e) {
      if (isErrno(e, "ENOENT") || isErrno(e, "ENOTDIR")) throw this.missing(k);
      if (isErrno(e, "ELOOP")) throw accessDenied(bucket, key, "the key names a symbolic link");
      throw fromFsError(e, bucket, key);
    }
    try {
      const st = await fh.stat({ bigint: true });
      if (!st.isFile()) throw noSuchKey(bucket, key);
      const row = this.db.get(bucket, key);
      this.checkReadable(k, row);
      if (options.ifMatch !== undefined) {
        const etag = cachedEtag(row, st) ?? (await this.computeEtag(k, abs));
        if (!etagMatches(etag, options.ifMatch)) throw preconditionFailed(bucket, key, `If-Match ${options.ifMatch}`);
      }
      const range = options.range ? checkRange(k, options.range, Number(st.size)) : undefined;
      return fh.createReadStream(range ?? {});
    } catch (e) {
      await fh.close();
      throw fromFsError(e, bucket, key);
    }
  }

  async put(
    bucket: string,
    key: string,
    body: Buffer | string | Readable,
    options: PutOptions = {},
  ): Promise<WriteResult> {
    const k = this.resolve(bucket, key, undefined);
    if (options.tags) checkTags(options.tags);
    if (options.acl) checkAcl(options.acl);
    if (options.storageClass !== undefined) checkStorageClass(options.storageClass);
    await this.ensureDirs(k, true);
    await this.checkTargetSlot(k);
    this.checkWritable(k, "overwrite it");
    const tmp = this.tmpName();
    let etag: string;
    let st: fs.BigIntStats;
    try {
      if (typeof body === "string" || Buffer.isBuffer(body)) {
        const data = typeof body === "string" ? Buffer.from(body, "utf8") : body;
        etag = md5Etag(data);
        await fsp.writeFile(tmp, data, { flag: "wx" });
      } else {
        const hash = createHash("md5");
        await pipeline(
          body,
          async function* (source: AsyncIterable<Buffer | string>) {
            for await (const chunk of source) {
              const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
              hash.update(b);
              yield b;
            }
          },
          fs.createWriteStream(tmp, { flags: "wx" }),
        );
        etag = `"${hash.digest("hex")}"`;
      }
      st = await lstatBig(tmp);
      // Again, synchronously right before the rename: a lock may have been set while the body was written.
      this.checkWritable(k, "overwrite it");
      await this.renameIntoPlace(tmp, k);
    } catch (e) {
      await unlinkQuietly(tmp);
      throw fromFsError(e, bucket, key);
    }
    const stamp = stampOf(st);
    this.db.replace(bucket, key, {
      ...EMPTY_ROW,
      etag,
      size: stamp.size,
      mtime_ns: stamp.mtimeNs,
      ...metadataToColumns(options.metadata, key),
      tags: tagsToColumn(options.tags ?? []),
      acl: options.acl ? aclToColumn(options.acl) : null,
      storage_class: storageClassToColumn(options.storageClass),
    });
    return { etag };
  }

  async copy(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    options: CopyOptions = {},
  ): Promise<WriteResult> {
    const s = this.resolve(source.bucket, source.key, options.sourceVersionId);
    const t = this.resolve(target.bucket, target.key, undefined);
    if (options.storageClass !== undefined) checkStorageClass(options.storageClass);
    if (options.tags) checkTags(options.tags);
    if (options.acl) checkAcl(options.acl);
    const { metadataDirective, taggingDirective, aclDirective } = copyDirectives(options);

    const src = await this.statObject(s, t);
    this.checkReadable(s, src.row);
    checkNotLocked(t.bucket, t.key, src.targetRow, this.now().getTime(), "overwrite it");
    let etag = cachedEtag(src.row, src.st);
    const mtime = mtimeOf(src.st).getTime();
    if (options.ifModifiedSince !== undefined && !(mtime > options.ifModifiedSince.getTime())) {
      throw preconditionFailed(s.bucket, s.key, `not modified since ${options.ifModifiedSince.toISOString()}`);
    }
    if (options.ifUnmodifiedSince !== undefined && mtime > options.ifUnmodifiedSince.getTime()) {
      throw preconditionFailed(s.bucket, s.key, `modified since ${options.ifUnmodifiedSince.toISOString()}`);
    }
    if (options.ifMatch !== undefined) {
      etag ??= await this.computeEtag(s, src.abs);
      if (!etagMatches(etag, options.ifMatch)) throw preconditionFailed(s.bucket, s.key, `If-Match ${options.ifMatch}`);
    }
    // Like S3, copying an object onto itself must change something: its metadata, storage class, tags or ACL.
    // (An ACL directive without an ACL, which only resets the ACL to the default, does not count.)
    const inPlace = s.bucket === t.bucket && s.key === t.key;
    if (
      inPlace &&
      metadataDirective === "Copy" &&
      taggingDirective === "Copy" &&
      (aclDirective === "Copy" || options.acl === undefined) &&
      options.storageClass === undefined
    ) {
      throw new StorageError(
        "InvalidRequest",
        400,
        `This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, tags or ACL: ${s.bucket}/${s.key}`,
      );
    }

    let row: ObjectRow | undefined;
    // A source without a row has default attributes (no tags, private): copying them, or replacing them with
    // nothing, gives the defaults again.
    const defaultsStay =
      src.row === undefined &&
      metadataDirective === "Copy" &&
      (taggingDirective === "Copy" || options.tags === undefined || options.tags.length === 0) &&
      (aclDirective === "Copy" || options.acl === undefined) &&
      storageClassToColumn(options.storageClass) === null;
    if (defaultsStay) {
      // The hand-dropped fast path: nothing to remember unless the content type would change with the key.
      row = sameDefaultContentType(s.key, t.key) ? undefined : { ...EMPTY_ROW, content_type: contentTypeFor(s.key) };
    } else {
      const sourceMetadata = metadataFromRow(src.row, s.key);
      const metadata =
        metadataDirective === "Copy"
          ? sourceMetadata
          : metadataDirective === "Replaced"
            ? (options.metadata ?? {})
            : mergeMetadata(sourceMetadata, options.metadata);
      const sourceTags = tagsFromRow(src.row);
      const tags: readonly Tag[] =
        taggingDirective === "Copy"
          ? sourceTags
          : taggingDirective === "Replaced"
            ? (options.tags ?? [])
            : checkTags(mergeTags(sourceTags, options.tags ?? []));
      const acl: AccessControlList =
        aclDirective === "Copy"
          ? aclFromRow(src.row)
          : aclDirective === "Replaced"
            ? (options.acl ?? PRIVATE_ACL)
            : mergeAcl(aclFromRow(src.row), options.acl ?? {});
      row = {
        ...EMPTY_ROW,
        ...metadataToColumns(metadata, t.key),
        tags: tagsToColumn(tags),
        acl: aclToColumn(acl),
        storage_class: storageClassToColumn(options.storageClass),
      };
      if (isDefaultRow(row)) row = undefined;
    }

    if (!this.knownDir(t)) await this.ensureDirs(t, true);
    const tmp = this.tmpName();
    let stamp: ReturnType<typeof stampOf> | undefined;
    try {
      await settleBoth(this.checkTargetSlot(t), this.copyToTmp(src.abs, tmp, s));
      if (etag !== undefined) stamp = stampOf(await lstatBig(tmp));
      // A lock set on the target while it was copied (one more read only when the target had a row: the
      // common copy to a new key stays one SQLite read).
      if (src.targetRow !== undefined) this.checkWritable(t, "overwrite it");
      await this.renameIntoPlace(tmp, t);
    } catch (e) {
      await unlinkQuietly(tmp);
      throw fromFsError(e, t.bucket, t.key);
    }

    if (row !== undefined) {
      this.db.replace(
        t.bucket,
        t.key,
        stamp ? { ...row, etag: etag!, size: stamp.size, mtime_ns: stamp.mtimeNs } : row,
      );
    } else {
      if (src.targetHasRow) this.db.delete(t.bucket, t.key);
      if (stamp) this.db.cacheEtag(t.bucket, t.key, etag!, stamp.size, stamp.mtimeNs);
    }
    if (etag !== undefined) return { etag };
    return this.lazyEtagResult(t);
  }

  /** Deletes the object; deleting an object that does not exist succeeds, as in S3. */
  async delete(bucket: string, key: string, versionId?: string): Promise<void> {
    const k = this.resolve(bucket, key, versionId);
    let st: fs.BigIntStats;
    try {
      await this.ensureDirs(k, false);
      st = await lstatBig(this.objectPath(k));
    } catch (e) {
      if ((e instanceof StorageError && e.code === "NoSuchKey") || isErrno(e, "ENOENT") || isErrno(e, "ENOTDIR")) {
        this.db.delete(bucket, key);
        return;
      }
      throw fromFsError(e, bucket, key);
    }
    if (st.isSymbolicLink()) throw accessDenied(bucket, key, "the key names a symbolic link");
    if (!st.isFile()) return;
    this.checkWritable(k, "delete it");
    try {
      await unlink(this.objectPath(k));
    } catch (e) {
      if (!isErrno(e, "ENOENT")) throw fromFsError(e, bucket, key);
    }
    this.db.delete(bucket, key);
    await this.pruneEmptyDirs(k);
  }

  async getTagging(bucket: string, key: string, versionId?: string): Promise<Tag[]> {
    const k = this.resolve(bucket, key, versionId);
    return tagsFromRow((await this.statObject(k)).row);
  }

  async putTagging(bucket: string, key: string, tags: readonly Tag[], versionId?: string): Promise<void> {
    const k = this.resolve(bucket, key, versionId);
    checkTags(tags);
    await this.statObject(k);
    this.db.setTags(bucket, key, tagsToColumn(tags));
  }

  async deleteTagging(bucket: string, key: string, versionId?: string): Promise<void> {
    const k = this.resolve(bucket, key, versionId);
    const { row } = await this.statObject(k);
    if (row?.tags) this.db.setTags(bucket, key, null);
  }

  async getAcl(bucket: string, key: string, versionId?: string): Promise<AccessControlList> {
    const k = this.resolve(bucket, key, versionId);
    return aclFromRow((await this.statObject(k)).row);
  }

  async putAcl(bucket: string, key: string, acl: AccessControlList, versionId?: string): Promise<void> {
    const k = this.resolve(bucket, key, versionId);
    checkAcl(acl);
    await this.statObject(k);
    this.db.setAcl(bucket, key, aclToColumn(acl));
  }

  /**
   * Starts a restore of an archived object (202), or extends a restored copy's expiry to `days` from now (200).
   * A restore still in progress answers 409 RestoreAlreadyInProgress; a non-archived object 403 InvalidObjectState.
   */
  async restore(bucket: string, key: string, request: RestoreRequest): Promise<RestoreResult> {
    const k = this.resolve(bucket, key, request.versionId);
    const days = request.days ?? 1;
    if (!Number.isInteger(days) || days < 1 || days > MAX_RESTORE_DAYS) {
      throw invalidArgument(`Restore days must be an integer from 1 to ${MAX_RESTORE_DAYS}, got ${days}`);
    }
    const tier = TIERS[(request.tier ?? "Standard").toLowerCase()];
    if (tier === undefined) {
      throw invalidArgument(`Unknown restore tier ${JSON.stringify(request.tier)} (Expedited, Standard or Bulk)`);
    }
    const { row } = await this.statObject(k);
    const storageClass = storageClassFromRow(row);
    if (!ARCHIVE_STORAGE_CLASSES.has(storageClass)) {
      throw invalidObjectState(bucket, key, `restore is only for archived objects, this one is ${storageClass}`);
    }
    const now = this.now().getTime();
    if (row?.restore_ready_at != null && row.restore_expiry != null && now < row.restore_expiry) {
      if (now < row.restore_ready_at) {
        throw new StorageError(
          "RestoreAlreadyInProgress",
          409,
          `Object restore is already in progress: ${bucket}/${key}`,
        );
      }
      this.db.setRestore(bucket, key, row.restore_tier ?? tier, row.restore_ready_at, now + days * DAY_MS);
      return { httpStatus: 200 };
    }
    const readyAt = now + Math.max(0, this.restoreDelayMs[tier]);
    this.db.setRestore(bucket, key, tier, readyAt, readyAt + days * DAY_MS);
    return { httpStatus: 202 };
  }

  /** Sets (ON) or clears (OFF) the object's legal hold; repeating either is harmless. */
  async putLegalHold(bucket: string, key: string, status: "ON" | "OFF", versionId?: string): Promise<void> {
    const k = this.resolve(bucket, key, versionId);
    const column = legalHoldColumn(status);
    await this.statObject(k);
    this.db.setLegalHold(bucket, key, column);
  }

  /**
   * Sets, extends, shortens or removes (mode and date both omitted) the object's retention, as far as its
   * current retention allows (object-lock.ts).
   */
  async putRetention(bucket: string, key: string, retention: RetentionSetting, versionId?: string): Promise<void> {
    const k = this.resolve(bucket, key, versionId);
    await this.statObject(k);
    const next = nextRetention(bucket, key, this.db.lock(bucket, key), retention, this.now().getTime());
    this.db.setRetention(bucket, key, next.mode, next.until);
  }

  /** Starts a multipart upload (multipart-uploads.ts); the key is checked as put() checks it. */
  async createMultipartUpload(
    bucket: string,
    key: string,
    options: { metadata?: ObjectMetadata } = {},
  ): Promise<string> {
    this.resolve(bucket, key, undefined);
    await this.verifyBucket(bucket, Date.now());
    return this.uploads.create({
      bucket,
      key,
      ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
      initiated: this.now().toISOString(),
    });
  }

  /** Stores a part (any size: the local backend does not insist on S3's 5 MiB); a part number again replaces it. */
  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Buffer,
  ): Promise<UploadedPart> {
    this.resolve(bucket, key, undefined);
    checkPartNumber(partNumber);
    await this.verifyBucket(bucket, Date.now());
    const upload = await this.uploads.open(bucket, key, uploadId);
    return upload.putPart(partNumber, body);
  }

  /**
   * Writes the listed parts, in order, as the object (through put(), like any write), then removes the upload.
   *
   * The ETag is the MD5 of the object's bytes, as for every object of this backend (etag.ts), not S3's
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
    this.resolve(bucket, key, undefined);
    await this.verifyBucket(bucket, Date.now());
    const upload = await this.uploads.open(bucket, key, uploadId);
    await upload.checkParts(parts);
    const metadata = upload.record.metadata;
    const written = await this.put(bucket, key, upload.body(parts), metadata !== undefined ? { metadata } : {});
    await upload.remove();
    return written;
  }

  /** Removes the upload and its parts; 404 NoSuchUpload when it is not there. */
  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    this.resolve(bucket, key, undefined);
    await this.verifyBucket(bucket, Date.now());
    await (await this.uploads.open(bucket, key, uploadId)).remove();
  }

  async *listMultipartUploads(bucket: string, prefix: string): AsyncIterable<PendingUpload> {
    checkBucketName(bucket);
    this.ensureOpen();
    await this.verifyBucket(bucket, Date.now());
    yield* this.uploads.list(bucket, prefix);
  }

  /**
   * Objects in UTF-8 byte order of their keys, streamed folder by folder: each folder's entries are sorted
   * (a folder as `name + "/"`), folders that cannot hold a key in range are skipped unread. Symlinks, special
   * files, names that are not UTF-8 and keys over 1024 bytes cannot be objects and are not listed.
   */
  async *list(bucket: string, options: { prefix?: string; startAfter?: string } = {}): AsyncIterable<ListedObject> {
    checkBucketName(bucket);
    this.ensureOpen();
    await this.verifyBucket(bucket, Date.now());
    const prefix = Buffer.from(options.prefix ?? "", "utf8");
    const after = options.startAfter ? Buffer.from(options.startAfter, "utf8") : undefined;
    yield* this.walk(bucket, "", prefix, after);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  // ---- paths, keys and folders ----

  private bucketPath(bucket: string): string {
    return `${this.bucketsRoot}/${bucket}`;
  }

  private objectPath(k: ParsedKey): string {
    return `${this.bucketsRoot}/${k.bucket}/${k.key}`;
  }

  private ensureOpen(): void {
    if (this.closed) throw new StorageError("InternalError", 500, `${this.description} is closed`, false);
  }

  private resolve(bucket: string, key: string, versionId: string | undefined): ParsedKey {
    this.ensureOpen();
    checkBucketName(bucket);
    const k = parseKey(bucket, key);
    if (!isNullVersion(versionId)) throw noSuchVersion(bucket, key, String(versionId));
    return k;
  }

  private async verifyBucket(bucket: string, now: number): Promise<void> {
    const cacheKey = `${bucket}/`;
    if ((this.dirs.get(cacheKey) ?? 0) > now) return;
    let st: fs.Stats;
    try {
      st = await fsp.lstat(this.bucketPath(bucket));
    } catch (e) {
      if (isErrno(e, "ENOENT")) throw noSuchBucket(bucket);
      throw fromFsError(e, bucket, "");
    }
    if (st.isSymbolicLink()) throw accessDenied(bucket, "", "the bucket directory is a symbolic link");
    if (!st.isDirectory()) throw noSuchBucket(bucket);
    this.rememberDir(cacheKey, now);
  }

  /**
   * Checks that every folder on the key's path is a real directory inside the bucket (creating missing ones
   * when `create`). Throws NoSuchBucket, AccessDenied (a symlink on the path), NoSuchKey (reading through a
   * missing folder or a file) or InvalidArgument (writing below an existing object).
   */
  private knownDir(k: ParsedKey): boolean {
    return (this.dirs.get(`${k.bucket}/${k.dir}`) ?? 0) > Date.now();
  }

  private async ensureDirs(k: ParsedKey, create: boolean): Promise<void> {
    const now = Date.now();
    if ((this.dirs.get(`${k.bucket}/${k.dir}`) ?? 0) > now) return;
    await this.verifyBucket(k.bucket, now);
    if (k.dir === "") return;
    let rel = "";
    for (const seg of k.dir.split("/")) {
      rel = rel === "" ? seg : `${rel}/${seg}`;
      const cacheKey = `${k.bucket}/${rel}`;
      if ((this.dirs.get(cacheKey) ?? 0) > now) continue;
      const abs = `${this.bucketsRoot}/${k.bucket}/${rel}`;
      let st: fs.Stats | undefined;
      try {
        st = await fsp.lstat(abs);
      } catch (e) {
        if (!isErrno(e, "ENOENT")) throw fromFsError(e, k.bucket, k.key);
      }
      if (st === undefined) {
        if (!create) throw noSuchKey(k.bucket, k.key);
        try {
          await mkdir(abs);
          this.rememberDir(cacheKey, now);
          continue;
        } catch (e) {
          if (!isErrno(e, "EEXIST")) throw fromFsError(e, k.bucket, k.key);
          st = await fsp.lstat(abs);
        }
      }
      if (st.isSymbolicLink()) {
        throw accessDenied(k.bucket, k.key, `the key passes through the symbolic link ${JSON.stringify(rel)}`);
      }
      if (!st.isDirectory()) {
        if (!create) throw noSuchKey(k.bucket, k.key);
        throw invalidKey(
          k.bucket,
          k.key,
          `its prefix ${JSON.stringify(rel)} is an existing object (file), so it cannot also be a folder`,
        );
      }
      this.rememberDir(cacheKey, now);
    }
  }

  private rememberDir(cacheKey: string, now: number): void {
    if (this.dirs.size >= DIR_CACHE_MAX) this.dirs.clear();
    this.dirs.set(cacheKey, now + DIR_TTL_MS);
  }

  private forgetDirs(k: ParsedKey): void {
    this.dirs.delete(`${k.bucket}/`);
    let rel = "";
    for (const seg of k.dir === "" ? [] : k.dir.split("/")) {
      rel = rel === "" ? seg : `${rel}/${seg}`;
      this.dirs.delete(`${k.bucket}/${rel}`);
    }
  }

  /** A write may replace a file, never a symlink or a folder. */
  private async checkTargetSlot(k: ParsedKey): Promise<void> {
    let st: fs.Stats | undefined;
    try {
      st = await lstatIfAny(this.objectPath(k));
    } catch (e) {
      throw fromFsError(e, k.bucket, k.key);
    }
    if (st === undefined || st.isFile()) return;
    if (st.isSymbolicLink()) throw accessDenied(k.bucket, k.key, "the key names a symbolic link");
    if (st.isDirectory()) {
      throw invalidKey(k.bucket, k.key, "the key names an existing folder (directory), which cannot also be an object");
    }
    throw invalidKey(k.bucket, k.key, "the key names a special file, which cannot be an object");
  }

  private tmpName(): string {
    return `${this.tmpPrefix}${(this.tmpCounter++).toString(36)}`;
  }

  private async copyToTmp(from: string, tmp: string, s: ParsedKey): Promise<void> {
    try {
      await copyFile(from, tmp);
    } catch (e) {
      if (!isErrno(e, "ENOENT")) throw e;
      // Either the source vanished or someone removed tmp/: recreate tmp/ and tell the two apart by retrying.
      fs.mkdirSync(this.tmpDir, { recursive: true });
      try {
        await copyFile(from, tmp);
      } catch (e2) {
        throw isErrno(e2, "ENOENT") ? this.missing(s) : e2;
      }
    }
  }

  private async renameIntoPlace(tmp: string, k: ParsedKey): Promise<void> {
    try {
      await rename(tmp, this.objectPath(k));
    } catch (e) {
      if (!isErrno(e, "ENOENT") && !isErrno(e, "ENOTDIR")) throw e;
      // A folder on the path was removed (or replaced) since it was verified: verify again and retry once.
      this.forgetDirs(k);
      await this.ensureDirs(k, true);
      await this.checkTargetSlot(k);
      await rename(tmp, this.objectPath(k));
    }
  }

  /** After a delete, removes the folders the key leaves empty (so their names can become keys again). */
  private async pruneEmptyDirs(k: ParsedKey): Promise<void> {
    let dir = k.dir;
    while (dir !== "") {
      try {
        await rmdir(`${this.bucketsRoot}/${k.bucket}/${dir}`);
      } catch {
        return;
      }
      this.dirs.delete(`${k.bucket}/${dir}`);
      const slash = dir.lastIndexOf("/");
      dir = slash < 0 ? "" : dir.slice(0, slash);
    }
  }

  private removeStaleTmpFiles(): void {
    const cutoff = Date.now() - STALE_TMP_MS;
    for (const name of fs.readdirSync(this.tmpDir)) {
      const p = path.join(this.tmpDir, name);
      const st = fs.lstatSync(p, { throwIfNoEntry: false });
      if (st?.isFile() && st.mtimeMs < cutoff) fs.rmSync(p, { force: true });
    }
  }

  // ---- objects ----

  /** The object's file (a regular file reached without symlinks) and its metadata row. */
  private async statObject(k: ParsedKey, copyTarget?: ParsedKey): Promise<SourceFile> {
    if (!this.knownDir(k)) await this.withOrphanCleanup(k, () => this.ensureDirs(k, false));
    const abs = this.objectPath(k);
    let st: fs.BigIntStats;
    try {
      st = await lstatBig(abs);
    } catch (e) {
      if (isErrno(e, "ENOENT") || isErrno(e, "ENOTDIR")) throw this.missing(k);
      throw fromFsError(e, k.bucket, k.key);
    }
    if (st.isSymbolicLink()) throw accessDenied(k.bucket, k.key, "the key names a symbolic link");
    if (!st.isFile()) throw noSuchKey(k.bucket, k.key);
    if (copyTarget === undefined) return { abs, st, row: this.db.get(k.bucket, k.key), targetHasRow: false };
    const rows = this.db.sourceAndTarget(k.bucket, k.key, copyTarget.bucket, copyTarget.key);
    return {
      abs,
      st,
      row: rows.source,
      targetHasRow: rows.targetHasRow,
      ...(rows.target !== undefined ? { targetRow: rows.target } : {}),
    };
  }

  private async withOrphanCleanup(k: ParsedKey, f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      if (e instanceof StorageError && e.code === "NoSuchKey") throw this.missing(k);
      throw e;
    }
  }

  /** NoSuchKey, after dropping a metadata row whose file is gone. */
  private missing(k: ParsedKey): StorageError {
    if (this.db.has(k.bucket, k.key)) this.db.delete(k.bucket, k.key);
    return noSuchKey(k.bucket, k.key);
  }

  private async computeEtag(k: ParsedKey, abs: string): Promise<string> {
    let result: Awaited<ReturnType<typeof hashFile>>;
    try {
      result = await hashFile(abs);
    } catch (e) {
      if (isErrno(e, "ENOENT")) throw this.missing(k);
      if (isErrno(e, "ELOOP")) throw accessDenied(k.bucket, k.key, "the key names a symbolic link");
      throw fromFsError(e, k.bucket, k.key);
    }
    if (result.stamp) this.db.cacheEtag(k.bucket, k.key, result.etag, result.stamp.size, result.stamp.mtimeNs);
    return result.etag;
  }

  /** A copy result whose ETag is hashed only when read: most callers never look at it. */
  private lazyEtagResult(t: ParsedKey): WriteResult {
    let etag: string | undefined;
    const compute = (): string => {
      let hashed: ReturnType<typeof hashFileSync>;
      try {
        hashed = hashFileSync(this.objectPath(t));
      } catch (e) {
        throw fromFsError(e, t.bucket, t.key);
      }
      const { etag: e, stamp } = hashed;
      if (!this.closed) this.db.cacheEtag(t.bucket, t.key, e, stamp.size, stamp.mtimeNs);
      return e;
    };
    return {
      get etag(): string {
        etag ??= compute();
        return etag;
      },
    };
  }

  /** 403 AccessDenied when a legal hold or an unexpired retention protects the object from `action`. */
  private checkWritable(k: ParsedKey, action: string): void {
    checkNotLocked(k.bucket, k.key, this.db.lock(k.bucket, k.key), this.now().getTime(), action);
  }

  /** Archived objects can be read only while a completed restore has not expired. */
  private checkReadable(k: ParsedKey, row: ObjectRow | undefined): void {
    const storageClass = storageClassFromRow(row);
    if (!ARCHIVE_STORAGE_CLASSES.has(storageClass)) return;
    const { state, readable } = this.restoreView(row, storageClass);
    if (readable) return;
    const why = state?.ongoing ? "its restore is still in progress" : "it must be restored first";
    throw invalidObjectState(k.bucket, k.key, `the object is in the archive storage class ${storageClass}; ${why}`);
  }

  private restoreView(row: ObjectRow | undefined, storageClass: string): { state?: RestoreState; readable: boolean } {
    if (!ARCHIVE_STORAGE_CLASSES.has(storageClass)) return { readable: false };
    if (row?.restore_ready_at == null || row.restore_expiry == null) return { readable: false };
    const now = this.now().getTime();
    if (now >= row.restore_expiry) return { readable: false };
    const tier = row.restore_tier ?? undefined;
    if (now < row.restore_ready_at) return { state: { ongoing: true, ...(tier ? { tier } : {}) }, readable: false };
    return {
      state: { ongoing: false, expiryDate: new Date(row.restore_expiry), ...(tier ? { tier } : {}) },
      readable: true,
    };
  }

  // ---- listing ----

  private async *walk(
    bucket: string,
    dir: string,
    prefix: Buffer,
    after: Buffer | undefined,
  ): AsyncGenerator<ListedObject> {
    const abs = dir === "" ? this.bucketPath(bucket) : `${this.bucketsRoot}/${bucket}/${dir.slice(0, -1)}`;
    let entries: fs.Dirent<Buffer>[];
    try {
      entries = await readdirBuffers(abs);
    } catch (e) {
      if (isErrno(e, "ENOENT") || isErrno(e, "ENOTDIR")) return;
      throw fromFsError(e, bucket, dir);
    }
    const items: { key: string; bytes: Buffer; folder: boolean }[] = [];
    for (const entry of entries) {
      const folder = entry.isDirectory();
      if (!folder && !entry.isFile()) continue;
      const name = entry.name.toString("utf8");
      if (!Buffer.from(name, "utf8").equals(entry.name)) continue;
      const key = folder ? `${dir}${name}/` : `${dir}${name}`;
      const bytes = Buffer.from(key, "utf8");
      if (folder ? !folderInRange(bytes, prefix, after) : !keyInRange(bytes, prefix, after)) continue;
      if (!folder && bytes.length > MAX_KEY_BYTES) continue;
      items.push({ key, bytes, folder });
    }
    items.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    for (const item of items) {
      if (item.folder) {
        yield* this.walk(bucket, item.key, prefix, after);
        continue;
      }
      const listed = await this.listedObject(bucket, item.key);
      if (listed) yield listed;
    }
  }

  private async listedObject(bucket: string, key: string): Promise<ListedObject | undefined> {
    const abs = `${this.bucketsRoot}/${bucket}/${key}`;
    let st: fs.BigIntStats;
    try {
      st = await lstatBig(abs);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const row = this.db.get(bucket, key);
    let etag = cachedEtag(row, st);
    if (etag === undefined) {
      try {
        etag = await this.computeEtag({ bucket, key, dir: "" }, abs);
      } catch {
        return undefined;
      }
    }
    return { key, size: Number(st.size), etag, lastModified: mtimeOf(st), storageClass: storageClassFromRow(row) };
  }
}

/** Waits for both; rejects with the first one's error (only once both are done, so nothing is left running). */
async function settleBoth(a: Promise<void>, b: Promise<void>): Promise<void> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === "rejected") throw ra.reason;
  if (rb.status === "rejected") throw rb.reason;
}

/** The Object Lock part of head(): nothing when no legal hold is ON and no retention is set. */
function lockView(row: LockColumns | undefined): { objectLock?: ObjectLockState } {
  if (row === undefined || (row.legal_hold === null && row.retention_mode === null)) return {};
  const lock: { -readonly [K in keyof ObjectLockState]: ObjectLockState[K] } = {
    legalHold: row.legal_hold === "ON" ? "ON" : "OFF",
  };
  if (row.retention_mode !== null && row.retention_until !== null) {
    lock.mode = row.retention_mode as "COMPLIANCE" | "GOVERNANCE";
    lock.retainUntilDate = new Date(row.retention_until);
  }
  return { objectLock: lock };
}

const mtimeOf = (st: fs.BigIntStats): Date => new Date(Number(st.mtimeNs / 1_000_000n));

function isDefaultRow(row: ObjectRow): boolean {
  for (const v of Object.values(row)) if (v !== null) return false;
  return true;
}

/** S3 range semantics: the end is clamped to the object; a start beyond it answers 416 InvalidRange. */
function checkRange(k: ParsedKey, range: { start: number; end: number }, size: number): { start: number; end: number } {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || start >= size) {
    throw new StorageError(
      "InvalidRange",
      416,
      `The requested range bytes=${start}-${end} is not satisfiable for ${k.bucket}/${k.key} of ${size} bytes`,
    );
  }
  return { start, end: Math.min(end, size - 1) };
}

const startsWith = (s: Buffer, p: Buffer): boolean =>
  s.length >= p.length && s.compare(p, 0, p.length, 0, p.length) === 0;

function keyInRange(key: Buffer, prefix: Buffer, after: Buffer | undefined): boolean {
  return startsWith(key, prefix) && (after === undefined || Buffer.compare(key, after) > 0);
}

/** Whether a folder (`key` ends with "/") may hold keys that match the prefix and sort after `after`. */
function folderInRange(folder: Buffer, prefix: Buffer, after: Buffer | undefined): boolean {
  if (!startsWith(folder, prefix) && !startsWith(prefix, folder)) return false;
  // Every key in the folder starts with `folder`; if `after` is greater and does not start with it, all are smaller.
  return after === undefined || Buffer.compare(after, folder) < 0 || startsWith(after, folder);
}
