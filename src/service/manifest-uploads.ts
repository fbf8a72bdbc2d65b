/**
 * Local manifests uploaded through the JSON API (POST /api/v1/manifests, docs/decisions.md D38): the server has
 * no S3 object API, so the CLI hands it the manifest's bytes and the server writes them into a bucket the account
 * (or the role) may use, by the engine's own rules (engine/bucket-access.ts), with the server's storage.
 *
 * Content-addressed: the key is `objbatch-manifests/<sha256 of the bytes>.csv`, so uploading the same bytes again
 * rewrites the same object and answers the same. The bytes arrive whole (the route's body limit,
 * maxManifestUploadBytes, bounds them); nothing is written to a bucket the caller may not use. Failures are
 * ManifestUploadErrors, each of a kind the JSON API answers with its own problem.
 */
import { createHash } from "node:crypto";
import type { Account } from "../accounts/types.js";
import { BucketAccess, restrictStorage } from "../engine/bucket-access.js";
import { isStorageError } from "../storage/errors.js";
import { quoteEtag } from "../storage/etag.js";
import type { ObjectStorage } from "../storage/types.js";

/** The largest manifest taken unless the config's maxManifestUploadBytes says otherwise: held whole in memory. */
export const DEFAULT_MAX_MANIFEST_UPLOAD_BYTES = 64 * 1024 * 1024;

/** Where uploaded manifests go in their bucket. */
export const MANIFEST_UPLOAD_PREFIX = "objbatch-manifests/";

export interface ManifestUpload {
  /** The plain bucket name. */
  readonly bucket: string;
  /** `objbatch-manifests/<sha256>.csv`. */
  readonly key: string;
  /** As the storage answered it, quoted as S3 quotes it. */
  readonly etag: string;
  readonly size: number;
  /** Hex SHA-256 of the bytes. */
  readonly sha256: string;
}

export type ManifestUploadProblemKind = "access-denied" | "no-such-bucket" | "storage-unavailable" | "storage-failed";

/**
 * Why a manifest was not written: the account's (or role's) bucket rules refuse the bucket, it does not exist,
 * or the storage failed, in a way worth trying again (unavailable) or not.
 */
export class ManifestUploadError extends Error {
  constructor(
    readonly kind: ManifestUploadProblemKind,
    message: string,
  ) {
    super(message);
    this.name = "ManifestUploadError";
  }
}

export function isManifestUploadError(e: unknown): e is ManifestUploadError {
  return e instanceof ManifestUploadError;
}

export interface ManifestUploadsApi {
  /** Writes `bytes` into `bucket` as the account (and `roleArn`) may; throws ManifestUploadError. */
  upload(account: Account, bucket: string, roleArn: string, bytes: Buffer): Promise<ManifestUpload>;
}

export class ManifestUploads implements ManifestUploadsApi {
  /** `storage`: every bucket's, as the engine has it (the JobPreviewer's). */
  constructor(private readonly storage: ObjectStorage) {}

  async upload(account: Account, bucket: string, roleArn: string, bytes: Buffer): Promise<ManifestUpload> {
    const access = new BucketAccess(account, roleArn);
    if (!access.allows(bucket)) {
      throw new ManifestUploadError(
        "access-denied",
        `The account ${account.id}${roleArn !== "" ? ` with role ${roleArn}` : ""} may not use bucket ${bucket}.`,
      );
    }
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const key = `${MANIFEST_UPLOAD_PREFIX}${sha256}.csv`;
    try {
      const written = await restrictStorage(this.storage, access).put(bucket, key, bytes, {
        metadata: { contentType: "text/csv" },
      });
      return { bucket, key, etag: quoteEtag(written.etag), size: bytes.length, sha256 };
    } catch (e) {
      throw uploadErrorOf(e, bucket, key);
    }
  }
}

function uploadErrorOf(e: unknown, bucket: string, key: string): unknown {
  if (!isStorageError(e)) return e;
  const what = `Writing ${bucket}/${key} failed: ${e.code} (${e.httpStatus}): ${e.message}`;
  if (e.code === "NoSuchBucket") return new ManifestUploadError("no-such-bucket", `No such bucket: ${bucket}.`);
  // The store's own refusal (its credentials, a bucket policy) is the storage failing, as for reports: the
  // account's bucket rules were checked above.
  return new ManifestUploadError(e.retryable ? "storage-unavailable" : "storage-failed", what);
}
