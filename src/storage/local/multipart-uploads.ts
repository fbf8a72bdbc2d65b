/**
 * Multipart uploads of the local backend. They live beside the buckets, never inside them, so an upload in
 * progress is no object (listings do not show it, nothing is created in the bucket) and survives a restart:
 *
 *   uploads/<uploadId>/upload.json     {"bucket", "key", "metadata", "initiated"}
 *   uploads/<uploadId>/<partNumber>    the part's MD5 (16 bytes), then the part's bytes
 *
 * Every file is written in tmp/ and renamed into place: uploading a part number again replaces the part and its
 * ETag together, and a crash leaves the old part or the new one, never half of either.
 *
 * Upload IDs are 32 random lower-case hex digits. Anything else names no upload (404 NoSuchUpload) before a path
 * is built from it, so an upload ID like `../../etc` never addresses a file; part file names are built only from
 * part numbers checked to be integers from 1 to 10,000. LocalStorage checks the bucket and key of every call
 * (keys.ts), and an upload answers only to its own bucket and key.
 *
 * Completing is LocalStorage's: it writes `Upload.body(parts)` through putObject, as put() does, so Object Lock,
 * metadata and the atomic replace of the object apply as to any other write, then removes the upload.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import { noSuchUpload, StorageError, where } from "../errors.js";
import { quoteEtag, sameEtag } from "../etag.js";
import { checkCompletedParts, isPartNumber } from "../multipart-parts.js";
import { type PartBody, partChunks } from "../part-body.js";
import type { ObjectMetadata, PendingUpload, UploadedPart } from "../types.js";
import { fromFsError, isErrno } from "./errors.js";
import { FILE_CHUNK_BYTES, fileChunks } from "./file-chunks.js";
import { unlinkQuietly } from "./fs-calls.js";

const UPLOAD_ID = /^[0-9a-f]{32}$/;
const RECORD = "upload.json";
const MD5_BYTES = 16;
const READ_NOFOLLOW = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW;

/** What upload.json holds. */
export interface UploadRecord {
  readonly bucket: string;
  readonly key: string;
  /** The completed object's metadata, as given to CreateMultipartUpload. */
  readonly metadata?: ObjectMetadata;
  /** When the upload was created (ISO 8601); listings order one key's uploads by it, as S3 does. */
  readonly initiated: string;
}

const invalidPart = (bucket: string, key: string, part: UploadedPart, why: string): StorageError =>
  new StorageError(
    "InvalidPart",
    400,
    `One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag: ${where(bucket, key)} part ${part.partNumber} ${part.etag}: ${why}`,
  );

/** The uploads/ directory: creates uploads, finds them again, lists them. */
export class UploadArea {
  /**
   * @param root the uploads/ directory (on the filesystem of tmp/)
   * @param tmpName a fresh name in tmp/ for each write
   */
  constructor(
    private readonly root: string,
    private readonly tmpName: () => string,
  ) {}

  /** Creates an upload and returns its ID. */
  async create(record: UploadRecord): Promise<string> {
    const uploadId = randomBytes(16).toString("hex");
    const dir = `${this.root}/${uploadId}`;
    const tmp = this.tmpName();
    try {
      await fsp.writeFile(tmp, JSON.stringify(record), { flag: "wx" });
      await fsp.mkdir(dir);
      await fsp.rename(tmp, `${dir}/${RECORD}`);
    } catch (e) {
      await unlinkQuietly(tmp);
      await fsp.rm(dir, { recursive: true, force: true });
      throw fromFsError(e, record.bucket, record.key);
    }
    return uploadId;
  }

  /** The upload `uploadId` of this bucket and key; 404 NoSuchUpload when there is none. */
  async open(bucket: string, key: string, uploadId: string): Promise<Upload> {
    const record = UPLOAD_ID.test(uploadId) ? await this.read(uploadId, bucket, key) : undefined;
    if (record?.bucket !== bucket || record.key !== key) throw noSuchUpload(bucket, key, uploadId);
    return new Upload(`${this.root}/${uploadId}`, uploadId, record, this.tmpName);
  }

  /** The bucket's uploads whose key starts with `prefix`, by key (in UTF-8 byte order), then oldest first. */
  async *list(bucket: string, prefix: string): AsyncGenerator<PendingUpload> {
    let names: string[];
    try {
      names = await fsp.readdir(this.root);
    } catch (e) {
      throw fromFsError(e, bucket, prefix);
    }
    const found: { key: Buffer; uploadId: string; initiated: string; record: UploadRecord }[] = [];
    for (const uploadId of names) {
      if (!UPLOAD_ID.test(uploadId)) continue;
      const record = await this.read(uploadId, bucket, prefix);
      if (record?.bucket !== bucket || !record.key.startsWith(prefix)) continue;
      found.push({ key: Buffer.from(record.key, "utf8"), uploadId, initiated: record.initiated, record });
    }
    found.sort((a, b) => Buffer.compare(a.key, b.key) || a.initiated.localeCompare(b.initiated));
    for (const f of found) yield { key: f.record.key, uploadId: f.uploadId };
  }

  /** upload.json, or undefined when the upload is not there (or was never fully created). */
  private async read(uploadId: string, bucket: string, key: string): Promise<UploadRecord | undefined> {
    const dir = `${this.root}/${uploadId}`;
    let text: string;
    try {
      if (!(await fsp.lstat(dir)).isDirectory()) return undefined;
      text = await fsp.readFile(`${dir}/${RECORD}`, { encoding: "utf8", flag: READ_NOFOLLOW });
    } catch (e) {
      if (isErrno(e, "ENOENT") || isErrno(e, "ENOTDIR")) return undefined;
      throw fromFsError(e, bucket, key);
    }
    try {
      const record = JSON.parse(text) as UploadRecord;
      return typeof record.bucket === "string" && typeof record.key === "string" ? record : undefined;
    } catch {
      return undefined;
    }
  }
}

/** One upload in progress, found by UploadArea.open. */
export class Upload {
  constructor(
    private readonly dir: string,
    readonly uploadId: string,
    readonly record: UploadRecord,
    private readonly tmpName: () => string,
  ) {}

  /**
   * Writes part `partNumber` (checked by the caller), replacing the one uploaded before under that number. The
   * body goes to a temporary file as it comes (a slice at a time: a part is up to 5 GiB, and the main thread
   * writes report parts while it answers requests), after room for its MD5, which is written last; only a
   * whole body is renamed into place.
   */
  async putPart(partNumber: number, body: PartBody): Promise<UploadedPart> {
    const { bucket, key } = this.record;
    const tmp = this.tmpName();
    let md5: Buffer;
    try {
      md5 = await writePartFile(tmp, partChunks(body, bucket, key));
    } catch (e) {
      await unlinkQuietly(tmp);
      throw e instanceof StorageError ? e : fromFsError(e, bucket, key);
    }
    try {
      await fsp.rename(tmp, this.partPath(partNumber));
    } catch (e) {
      await unlinkQuietly(tmp);
      // Completed or aborted meanwhile: its directory is gone.
      if (isErrno(e, "ENOENT")) throw noSuchUpload(bucket, key, this.uploadId);
      throw fromFsError(e, bucket, key);
    }
    return { partNumber, etag: quoteEtag(md5.toString("hex")) };
  }

  /**
   * Checks CompleteMultipartUpload's list: at least one part, in ascending order (400 MalformedXML,
   * InvalidPartOrder), each one uploaded and holding the ETag listed (400 InvalidPart).
   */
  async checkParts(parts: readonly UploadedPart[]): Promise<void> {
    checkCompletedParts(parts);
    for (const part of parts) {
      if (!isPartNumber(part.partNumber)) throw invalidPart(this.record.bucket, this.record.key, part, "no such part");
      const md5 = await this.partMd5(part.partNumber);
      if (md5 === undefined) throw invalidPart(this.record.bucket, this.record.key, part, "no such part");
      // S3 compares part ETags without their quotes.
      if (!sameEtag(part.etag, md5)) {
        throw invalidPart(this.record.bucket, this.record.key, part, `the part's ETag is "${md5}"`);
      }
    }
  }

  /**
   * The bytes of the listed parts (checked by checkParts) one after the other: the completed object's body, read
   * through one buffer (file-chunks.ts), each chunk valid until the next is asked for. A read stream per part
   * left a burst of garbage buffers the size of the object (a job's 100 MB results file) in the malloc heap.
   */
  async *body(parts: readonly UploadedPart[]): AsyncGenerator<Buffer> {
    const buffer = Buffer.allocUnsafeSlow(FILE_CHUNK_BYTES);
    for (const part of parts) {
      const fh = await this.openPart(part.partNumber);
      try {
        yield* fileChunks(fh, buffer, MD5_BYTES);
      } finally {
        await fh.close();
      }
    }
  }

  /** Removes the upload and its parts (after completing, or to abort it). */
  async remove(): Promise<void> {
    try {
      await fsp.rm(this.dir, { recursive: true, force: true });
    } catch (e) {
      throw fromFsError(e, this.record.bucket, this.record.key);
    }
  }

  private partPath(partNumber: number): string {
    return `${this.dir}/${partNumber}`;
  }

  private async openPart(partNumber: number): Promise<fsp.FileHandle> {
    try {
      return await fsp.open(this.partPath(partNumber), READ_NOFOLLOW);
    } catch (e) {
      // The parts were there when checked: the upload was completed or aborted meanwhile.
      if (isErrno(e, "ENOENT")) throw noSuchUpload(this.record.bucket, this.record.key, this.uploadId);
      throw fromFsError(e, this.record.bucket, this.record.key);
    }
  }

  /** The hex MD5 a part was stored with, or undefined when the part is not there. */
  private async partMd5(partNumber: number): Promise<string | undefined> {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(this.partPath(partNumber), READ_NOFOLLOW);
    } catch (e) {
      if (isErrno(e, "ENOENT")) return undefined;
      throw fromFsError(e, this.record.bucket, this.record.key);
    }
    try {
      const md5 = Buffer.alloc(MD5_BYTES);
      const { bytesRead } = await fh.read(md5, 0, MD5_BYTES, 0);
      return bytesRead === MD5_BYTES ? md5.toString("hex") : undefined;
    } finally {
      await fh.close();
    }
  }
}

/** A part file: the body's MD5 (MD5_BYTES), then the body. Returns the MD5. */
async function writePartFile(path: string, chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const hash = createHash("md5");
  const file = await fsp.open(path, "wx");
  try {
    let position = MD5_BYTES;
    for await (const chunk of chunks) {
      hash.update(chunk);
      await file.write(chunk, 0, chunk.length, position);
      position += chunk.length;
    }
    const md5 = hash.digest();
    await file.write(md5, 0, MD5_BYTES, 0);
    return md5;
  } finally {
    await file.close();
  }
}
