/**
 * What the radosgw suites share (radosgw.ceph.ts, radosgw-copy.ceph.ts): the gateway's endpoint and keys (from
 * OBJBATCH_CEPH_* or scripts/ceph/start.sh's defaults), four fresh buckets per suite (plain, plain, versioned,
 * Object Lock), emptied and removed afterwards, and an S3Storage that copies everything in parts.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before } from "node:test";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
} from "@aws-sdk/client-s3";
import { isStorageError, type StorageError } from "../../../src/storage/errors.js";
import { S3Storage } from "../../../src/storage/s3/index.js";

export const endpoint = process.env.OBJBATCH_CEPH_ENDPOINT ?? "http://127.0.0.1:7480";
export const credentials = {
  accessKeyId: process.env.OBJBATCH_CEPH_ACCESS_KEY ?? "objbatch-dev-access",
  secretAccessKey: process.env.OBJBATCH_CEPH_SECRET_KEY ?? "objbatch-dev-secret-key-0123456789",
};
export const MIB = 1024 * 1024;

export async function rejectsWith(p: Promise<unknown>, code: string, httpStatus: number) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isStorageError(e), `expected a StorageError, got ${String(e)}`);
    const err = e as StorageError;
    assert.equal(err.code, code, err.message);
    assert.equal(err.httpStatus, httpStatus, err.message);
    assert.equal(err.retryable, false, err.message);
    return true;
  });
}

export const sortedTags = (tags: { key: string; value: string }[]) => tags.map((t) => `${t.key}=${t.value}`).sort();

/** A suite's bucket names, unique to this run. */
export function radosgwBuckets() {
  const run = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  return {
    src: `objb-src-${run}`,
    dst: `objb-dst-${run}`,
    versioned: `objb-ver-${run}`,
    locked: `objb-lock-${run}`,
  };
}

export interface OnRadosgw {
  readonly storage: S3Storage;
  /** Multipart copies above 1 byte, in 5 MiB parts. */
  readonly parts: S3Storage;
}

/** In the calling describe: creates `buckets` on the gateway before its tests and removes them after. */
export function withRadosgw(buckets: ReturnType<typeof radosgwBuckets>, opened: (gw: OnRadosgw) => void): void {
  const { src, dst, versioned, locked } = buckets;
  let storage: S3Storage;
  let parts: S3Storage;

  before(async () => {
    const config = { kind: "s3" as const, endpoint, region: "us-east-1", forcePathStyle: true, ...credentials };
    storage = new S3Storage(config);
    parts = new S3Storage({ ...config, multipartCopyThresholdBytes: 1, partSizeBytes: 5 * MIB });
    try {
      await storage.createBucket(src);
    } catch (e) {
      throw new Error(`no radosgw at ${endpoint} (start one with scripts/ceph/start.sh): ${(e as Error).message}`);
    }
    await storage.createBucket(dst);
    await storage.createBucket(versioned);
    await storage.client.send(
      new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: "Enabled" } }),
    );
    await storage.client.send(new CreateBucketCommand({ Bucket: locked, ObjectLockEnabledForBucket: true }));
    opened({ storage, parts });
  });

  after(async () => {
    // Best effort: empty and remove the buckets (Object Lock objects are GOVERNANCE, removed with the bypass).
    for (const bucket of [src, dst, versioned, locked]) {
      try {
        const versions = await storage.client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
        for (const v of [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]) {
          await storage.putLegalHold(bucket, v.Key!, "OFF", v.VersionId).catch(() => {});
          await storage.client
            .send(
              new DeleteObjectCommand({
                Bucket: bucket,
                Key: v.Key,
                VersionId: v.VersionId,
                BypassGovernanceRetention: true,
              }),
            )
            .catch(() => {});
        }
        await storage.client.send(new DeleteBucketCommand({ Bucket: bucket }));
      } catch {
        // leave it: the gateway's memstore goes away with the cluster
      }
    }
    await storage?.close();
    await parts?.close();
  });
}
