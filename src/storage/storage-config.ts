/**
 * The config file's `storage` entry: a list of routes, each a store for the buckets its patterns match
 * (first match wins), e.g.
 *
 *   "storage": [
 *     { "buckets": ["logs-*"], "kind": "s3", "endpoint": "http://127.0.0.1:7480", "region": "us-east-1",
 *       "accessKeyId": "...", "secretAccessKey": "...", "forcePathStyle": true },
 *     { "buckets": ["*"], "kind": "local", "dataDir": "./data" }
 *   ]
 *
 * STORAGE_ROUTES_SCHEMA gives each field its type and range (the config file is checked against it at start,
 * config.ts); parseStorageRoutes then checks what a schema cannot (an endpoint that is a URL without
 * credentials in it, a key pair given whole) and fills in the defaults. Buckets no route matches live in the
 * local data dir, as they do without a `storage` entry. Problems come back as messages naming the route and
 * field (never a secret's value); config.ts turns them into ConfigErrors.
 */
import { resolve } from "node:path";
import { type Static, Type } from "typebox";
import type { LocalStorageConfig, StorageConfig, StorageRouteConfig, StoreConfig } from "./open-storage.js";
import { MAX_PART_BYTES, MAX_SINGLE_COPY_BYTES, MIN_PART_BYTES, s3ConfigProblem } from "./s3/config.js";

const BUCKETS = Type.Array(Type.String({ minLength: 1, title: "bucket pattern" }), {
  minItems: 1,
  description: 'Bucket names or patterns with * and ? (e.g. "logs-*") this route serves.',
});

const S3_ROUTE = Type.Object(
  {
    buckets: BUCKETS,
    kind: Type.Literal("s3", { description: "An S3-compatible endpoint (AWS S3, COS, OSS, MinIO, Ceph RGW)." }),
    endpoint: Type.Optional(
      Type.String({ minLength: 1, description: "http(s)://host[:port] of the service; omit for AWS S3 itself." }),
    ),
    region: Type.String({ minLength: 1, description: "The signing region (us-east-1 for most self-hosted servers)." }),
    accessKeyId: Type.Optional(Type.String({ minLength: 1, description: "Static credentials: the access key id." })),
    secretAccessKey: Type.Optional(
      Type.String({ minLength: 1, writeOnly: true, description: "Static credentials: the secret key." }),
    ),
    sessionToken: Type.Optional(
      Type.String({ minLength: 1, writeOnly: true, description: "Static credentials: a session token." }),
    ),
    forcePathStyle: Type.Optional(
      Type.Boolean({ description: "Path-style requests (endpoint/bucket/key), for MinIO, Ceph and most servers." }),
    ),
    maxSockets: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10_000,
        description: "Keep-alive connections per worker thread (default: the engine's taskConcurrency + 8).",
      }),
    ),
    connectTimeoutMs: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 600_000, description: "Connection attempts give up after this long." }),
    ),
    idleTimeoutMs: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3_600_000,
        description: "A request whose socket is idle this long fails as a retryable RequestTimeout.",
      }),
    ),
    maxAttempts: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10, description: "SDK attempts per request (the engine retries tasks)." }),
    ),
    multipartCopyThresholdBytes: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_SINGLE_COPY_BYTES,
        description: "Objects larger than this are copied in parts with UploadPartCopy.",
      }),
    ),
    partSizeBytes: Type.Optional(
      Type.Integer({ minimum: MIN_PART_BYTES, maximum: MAX_PART_BYTES, description: "Part size of multipart copies." }),
    ),
  },
  { additionalProperties: false, title: "S3 storage route" },
);

const LOCAL_ROUTE = Type.Object(
  {
    buckets: BUCKETS,
    kind: Type.Literal("local", { description: "A local directory: buckets are <dataDir>/buckets/<bucket>." }),
    dataDir: Type.Optional(Type.String({ minLength: 1, description: "The directory (default: the data dir)." })),
  },
  { additionalProperties: false, title: "local storage route" },
);

export const STORAGE_ROUTES_SCHEMA = Type.Array(Type.Union([S3_ROUTE, LOCAL_ROUTE], { title: "storage route" }), {
  description: "Where buckets live; the first route whose patterns match a bucket serves it.",
});

export type StorageRouteEntry = Static<typeof STORAGE_ROUTES_SCHEMA>[number];

export class StorageConfigProblem extends Error {}

/**
 * The StorageConfig for the config file's `storage` routes (already checked against STORAGE_ROUTES_SCHEMA).
 * `dataDir` is objbatch's data dir (the default store); `maxSockets` the default connection pool of S3 routes
 * that set none.
 */
export function parseStorageRoutes(
  value: readonly StorageRouteEntry[] | undefined,
  dataDir: string,
  maxSockets: number,
): StorageConfig {
  const fallback: LocalStorageConfig = { kind: "local", dataDir };
  if (value === undefined) return fallback;
  const routes: StorageRouteConfig[] = value.map((entry, i) => parseRoute(entry, i, dataDir, maxSockets));
  routes.push({ buckets: ["*"], store: fallback });
  return { kind: "routed", routes };
}

function parseRoute(entry: StorageRouteEntry, i: number, dataDir: string, maxSockets: number): StorageRouteConfig {
  let store: StoreConfig;
  if (entry.kind === "local") {
    store = { kind: "local", dataDir: resolve(entry.dataDir ?? dataDir) };
  } else {
    const { buckets: _buckets, ...s3 } = entry;
    const problem = s3ConfigProblem(s3);
    if (problem) throw new StorageConfigProblem(`storage[${i}]: ${problem}`);
    store = { ...s3, maxSockets: s3.maxSockets ?? maxSockets };
  }
  return { buckets: entry.buckets, store };
}
