/**
 * What the S3 backend's modules share: the ObjectStorage facade (S3Storage, for the requests one step makes
 * through another: a copy reads the source's tags, a write sets the tags a server ignored), the SDK clients,
 * the resolved configuration and the clock; and the one way a write's answer becomes a WriteResult.
 */
import type { ObjectStorage, WriteResult } from "../types.js";
import type { S3Clients } from "./client.js";
import type { ResolvedS3Config } from "./config.js";
import type { WriteChecks } from "./write-checks.js";

export interface S3Backend {
  readonly storage: ObjectStorage;
  readonly clients: S3Clients;
  readonly config: ResolvedS3Config;
  /** The clock that decides whether a restored copy has expired. */
  readonly now: () => Date;
  readonly checks: WriteChecks;
}

export function writeResult(etag: string | undefined, versionId: string | undefined): WriteResult {
  return { etag: etag ?? '""', ...(versionId !== undefined ? { versionId } : {}) };
}

/** The result of a completed multipart upload; Ceph RGW 16 answers it with an empty ETag, read it back then. */
export async function completedWrite(
  backend: S3Backend,
  bucket: string,
  key: string,
  etag: string | undefined,
  versionId: string | undefined,
): Promise<WriteResult> {
  if (etag) return writeResult(etag, versionId);
  return writeResult((await backend.storage.head(bucket, key, versionId)).etag, versionId);
}
