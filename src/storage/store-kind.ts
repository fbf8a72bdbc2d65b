/**
 * Which kind of store serves a bucket under a storage config: "local" (a directory) or "s3" (an endpoint).
 * Answers from the config alone, without opening anything, so the engine can decide where to run a job's work
 * (engine/placing-executor.ts). Routes are tried in order and the first match wins, as in routed-storage.ts;
 * a bucket no route matches is reported as undefined.
 */
import { globToRegExp } from "../accounts/bucket-patterns.js";
import type { StorageConfig } from "./open-storage.js";

export type StoreKind = "local" | "s3";

export function storeKindResolver(config: StorageConfig): (bucket: string) => StoreKind | undefined {
  if (config.kind !== "routed") return () => config.kind;
  const routes = config.routes.map((r) => ({ patterns: r.buckets.map(globToRegExp), kind: r.store.kind }));
  return (bucket) => routes.find((r) => r.patterns.some((p) => p.test(bucket)))?.kind;
}
