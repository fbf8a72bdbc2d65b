/**
 * Reads the config file's `storage` entry: a list of routes, each a store for the buckets its patterns match
 * (first match wins), e.g.
 *
 *   "storage": [
 *     { "buckets": ["logs-*"], "kind": "s3", "endpoint": "http://127.0.0.1:7480", "region": "us-east-1",
 *       "accessKeyId": "...", "secretAccessKey": "...", "forcePathStyle": true },
 *     { "buckets": ["*"], "kind": "local", "dataDir": "./data" }
 *   ]
 *
 * Buckets no route matches live in the local data dir, as they do without a `storage` entry. Problems come back
 * as messages naming the route and field (never a secret's value); config.ts turns them into ConfigErrors.
 */
import { resolve } from "node:path";
import type { LocalStorageConfig, StorageConfig, StorageRouteConfig, StoreConfig } from "./open-storage.js";
import { type S3StorageConfig, s3ConfigProblem } from "./s3/config.js";

const S3_FIELDS: ReadonlySet<string> = new Set([
  "endpoint",
  "region",
  "accessKeyId",
  "secretAccessKey",
  "sessionToken",
  "forcePathStyle",
  "maxSockets",
  "connectTimeoutMs",
  "idleTimeoutMs",
  "maxAttempts",
  "multipartCopyThresholdBytes",
  "partSizeBytes",
]);
const LOCAL_FIELDS: ReadonlySet<string> = new Set(["dataDir"]);

export class StorageConfigProblem extends Error {}

/**
 * The StorageConfig for the config file's `storage` value. `dataDir` is objbatch's data dir (the default
 * store); `maxSockets` the default connection pool of S3 routes that set none.
 */
export function parseStorageRoutes(value: unknown, dataDir: string, maxSockets: number): StorageConfig {
  const fallback: LocalStorageConfig = { kind: "local", dataDir };
  if (value === undefined || value === null) return fallback;
  if (!Array.isArray(value)) {
    throw new StorageConfigProblem(
      '"storage" must be a list of routes: [{ "buckets": [...], "kind": "s3" | "local", ... }]',
    );
  }
  const routes: StorageRouteConfig[] = value.map((entry, i) => parseRoute(entry, i, dataDir, maxSockets));
  routes.push({ buckets: ["*"], store: fallback });
  return { kind: "routed", routes };
}

function parseRoute(entry: unknown, i: number, dataDir: string, maxSockets: number): StorageRouteConfig {
  const where = `storage[${i}]`;
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    throw new StorageConfigProblem(`${where} must be an object with "buckets" and "kind"`);
  }
  const { buckets, kind, ...rest } = entry as Record<string, unknown>;
  if (!Array.isArray(buckets) || buckets.length === 0 || !buckets.every((b) => typeof b === "string" && b !== "")) {
    throw new StorageConfigProblem(
      `${where}.buckets must be a non-empty list of bucket names or patterns (e.g. "logs-*")`,
    );
  }
  const allowed = kind === "s3" ? S3_FIELDS : kind === "local" ? LOCAL_FIELDS : undefined;
  if (allowed === undefined) {
    throw new StorageConfigProblem(`${where}.kind must be "s3" or "local", got ${JSON.stringify(kind)}`);
  }
  for (const field of Object.keys(rest)) {
    if (!allowed.has(field)) {
      throw new StorageConfigProblem(
        `${where} (${kind}) has an unknown field "${field}"; known: ${[...allowed].join(", ")}`,
      );
    }
  }
  let store: StoreConfig;
  if (kind === "local") {
    if (rest.dataDir !== undefined && (typeof rest.dataDir !== "string" || rest.dataDir === "")) {
      throw new StorageConfigProblem(`${where}.dataDir must be a directory path`);
    }
    store = { kind: "local", dataDir: resolve((rest.dataDir as string | undefined) ?? dataDir) };
  } else {
    const s3 = { kind: "s3", ...rest } as S3StorageConfig;
    for (const field of ["endpoint", "region", "accessKeyId", "secretAccessKey", "sessionToken"] as const) {
      if (s3[field] !== undefined && typeof s3[field] !== "string") {
        throw new StorageConfigProblem(`${where}.${field} must be a string`);
      }
    }
    const problem = s3ConfigProblem(s3);
    if (problem) throw new StorageConfigProblem(`${where}: ${problem}`);
    store = { ...s3, maxSockets: s3.maxSockets ?? maxSockets };
  }
  return { buckets: buckets as string[], store };
}
