/**
 * Storage as configuration: plain data that can cross to a worker thread, and the one function that opens
 * the storage it describes there.
 *
 * - `local`: a directory (the embedded default).
 * - `s3`: one S3-compatible endpoint (s3/config.ts).
 * - `routed`: several stores, each serving the buckets matching its patterns; the first match wins
 *   (routed-storage.ts). Routes with equal store configs share one opened store.
 *
 * The S3 backend (and the AWS SDK under it, about 25 MB per thread that loads it) is imported only when a store
 * is on S3, so the embedded default and local-only deployments never load it, in the main thread or in the
 * runner threads. Each opened store may be wrapped by `instrument` (its requests counted and timed,
 * metrics/instrumented-storage.ts), which is told the store's kind.
 */
import { LocalStorage } from "./local/local-storage.js";
import { RoutedStorage } from "./routed-storage.js";
import type { S3StorageConfig } from "./s3/config.js";
import type { StoreKind } from "./store-kind.js";
import { withTargetSettings } from "./target-settings.js";
import type { ObjectStorage } from "./types.js";

export type { S3StorageConfig } from "./s3/config.js";

export type LocalStorageConfig = { readonly kind: "local"; readonly dataDir: string };

export type StoreConfig = LocalStorageConfig | S3StorageConfig;

export interface StorageRouteConfig {
  /** Bucket names or globs (`logs-*`, `*`). */
  readonly buckets: readonly string[];
  readonly store: StoreConfig;
}

export type RoutedStorageConfig = { readonly kind: "routed"; readonly routes: readonly StorageRouteConfig[] };

export type StorageConfig = StoreConfig | RoutedStorageConfig;

export interface OpenOptions {
  readonly now?: () => Date;
  /** Wraps each store as it is opened (metrics); routes sharing a store share its wrapper. */
  readonly instrument?: (storage: ObjectStorage, kind: StoreKind) => ObjectStorage;
}

export async function openStorage(config: StorageConfig, options: OpenOptions = {}): Promise<ObjectStorage> {
  switch (config.kind) {
    case "local":
    case "s3":
      return openStore(config, options);
    case "routed": {
      const opened = new Map<string, ObjectStorage>();
      const routes = [];
      for (const r of config.routes) {
        const id = JSON.stringify(r.store);
        let storage = opened.get(id);
        if (storage === undefined) {
          storage = await openStore(r.store, options);
          opened.set(id, storage);
        }
        routes.push({ buckets: r.buckets, storage });
      }
      return new RoutedStorage(routes);
    }
  }
}

async function openStore(config: StoreConfig, options: OpenOptions): Promise<ObjectStorage> {
  const storage = await openBackend(config, options);
  return options.instrument ? options.instrument(storage, config.kind) : storage;
}

async function openBackend(config: StoreConfig, options: OpenOptions): Promise<ObjectStorage> {
  switch (config.kind) {
    case "local":
      return withTargetSettings(new LocalStorage({ dataDir: config.dataDir, now: options.now }));
    case "s3": {
      const { S3Storage } = await import("./s3/s3-storage.js");
      return new S3Storage(config, { now: options.now });
    }
  }
}

/** A description of the storage config for logs: endpoints and directories, never credentials. */
export function describeStorageConfig(config: StorageConfig): string {
  const one = (s: StoreConfig): string =>
    s.kind === "local"
      ? `local:${s.dataDir}`
      : `s3:${s.endpoint ?? `aws/${s.region}`}${s.forcePathStyle ? " (path style)" : ""}`;
  return config.kind === "routed"
    ? config.routes.map((r) => `${r.buckets.join(",")} -> ${one(r.store)}`).join("; ")
    : one(config);
}
