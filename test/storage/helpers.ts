/**
 * Storages the storage tests share: an S3Storage on a fresh s3rver, and a RoutedStorage that sends some buckets
 * to a fresh s3rver and every other bucket to a local data directory (through openStorage, as objbatch opens
 * its config's routes). The `with...` forms open one before a suite's tests and close it after them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { openStorage } from "../../src/storage/open-storage.js";
import { S3Storage } from "../../src/storage/s3/index.js";
import type { ObjectStorage } from "../../src/storage/types.js";
import { type S3rverHandle, startS3rver } from "../helpers/s3rver.js";

export interface OnS3rver {
  readonly s3: S3rverHandle;
  readonly storage: S3Storage;
  close(): Promise<void>;
}

/** An S3Storage (8 sockets) on a new s3rver holding `buckets`. */
export async function s3StorageOnS3rver(buckets: readonly string[]): Promise<OnS3rver> {
  const s3 = await startS3rver({ buckets });
  const storage = new S3Storage(s3.storageConfig({ maxSockets: 8 }));
  return {
    s3,
    storage,
    async close() {
      await storage.close();
      await s3.stop();
    },
  };
}

export interface RoutedOverS3rver {
  readonly s3: S3rverHandle;
  readonly dataDir: string;
  readonly storage: ObjectStorage;
  close(): Promise<void>;
}

/**
 * A RoutedStorage: buckets matching `s3Pattern` on a new s3rver (which holds `s3Buckets`), every other bucket
 * in a new local data directory (where `localBuckets` are created).
 */
export async function routedOverS3rver(options: {
  s3Pattern: string;
  s3Buckets: readonly string[];
  localBuckets: readonly string[];
}): Promise<RoutedOverS3rver> {
  const s3 = await startS3rver({ buckets: options.s3Buckets });
  const dataDir = await mkdtemp(join(tmpdir(), "objbatch-routed-"));
  const storage = await openStorage({
    kind: "routed",
    routes: [
      { buckets: [options.s3Pattern], store: s3.storageConfig() },
      { buckets: ["*"], store: { kind: "local", dataDir } },
    ],
  });
  for (const bucket of options.localBuckets) await storage.createBucket(bucket);
  return {
    s3,
    dataDir,
    storage,
    async close() {
      await storage.close();
      await s3.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** In the calling describe: an S3Storage on s3rver for its tests, handed to `opened` before they run. */
export function withS3Storage(buckets: readonly string[], opened: (server: OnS3rver) => void | Promise<void>): void {
  let server: OnS3rver | undefined;
  before(async () => {
    server = await s3StorageOnS3rver(buckets);
    await opened(server);
  });
  after(() => server?.close());
}

/** In the calling describe: a RoutedStorage over s3rver and a local directory, handed to `opened`. */
export function withRoutedStorage(
  options: Parameters<typeof routedOverS3rver>[0],
  opened: (routed: RoutedOverS3rver) => void | Promise<void>,
): void {
  let routed: RoutedOverS3rver | undefined;
  before(async () => {
    routed = await routedOverS3rver(options);
    await opened(routed);
  });
  after(() => routed?.close());
}

/** logs-* on s3rver (logs-a, logs-b), local-a and local-b in the data directory. */
export const LOGS_ON_S3 = {
  s3Pattern: "logs-*",
  s3Buckets: ["logs-a", "logs-b"],
  localBuckets: ["local-a", "local-b"],
} as const;

/** The code of the error `f` throws (a StorageError's S3 code), or undefined when it throws nothing. */
export function thrownCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}
