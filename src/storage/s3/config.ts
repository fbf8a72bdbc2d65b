/**
 * The S3 backend's configuration: plain data (it crosses to worker threads), with the defaults and the checks
 * that turn a bad value into a clear message before any request is made.
 */

export interface S3StorageConfig {
  readonly kind: "s3";
  /** http(s)://host[:port] of an S3-compatible service; omitted for AWS S3 itself (the region's endpoint). */
  readonly endpoint?: string;
  readonly region: string;
  /** Static credentials; without them the AWS SDK's default chain (environment, profile, instance role). */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  /** Path-style requests (`endpoint/bucket/key`), as MinIO, Ceph and s3rver want. Default false. */
  readonly forcePathStyle?: boolean;
  /** Keep-alive sockets to the endpoint: size it for the requests in flight (default 64). */
  readonly maxSockets?: number;
  /** Connection attempts are abandoned after this long (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** A request whose socket is idle this long fails as retryable RequestTimeout (default 120 s). */
  readonly idleTimeoutMs?: number;
  /**
   * Attempts per request made by the SDK itself for single requests (default 1: the engine retries tasks with
   * backoff and jitter). Streamed uploads, whose bodies the caller cannot replay, always get at least 3.
   */
  readonly maxAttempts?: number;
  /** Objects larger than this are copied with UploadPartCopy (default and maximum 5 GiB, S3's CopyObject limit). */
  readonly multipartCopyThresholdBytes?: number;
  /** Part size of multipart copies (default 64 MiB; 5 MiB to 5 GiB). Streamed uploads use 8 MiB parts. */
  readonly partSizeBytes?: number;
}

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;
/** S3's limits: CopyObject copies at most 5 GiB; parts are 5 MiB to 5 GiB, at most 10,000 of them. */
export const MAX_SINGLE_COPY_BYTES = 5 * GIB;
export const MIN_PART_BYTES = 5 * MIB;
export const MAX_PART_BYTES = 5 * GIB;
export const MAX_PARTS = 10_000;

export interface ResolvedS3Config extends S3StorageConfig {
  readonly maxSockets: number;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxAttempts: number;
  readonly multipartCopyThresholdBytes: number;
  readonly partSizeBytes: number;
}

/** The config with its defaults filled in; throws an Error naming the bad field. */
export function resolveS3Config(config: S3StorageConfig): ResolvedS3Config {
  const problem = s3ConfigProblem(config);
  if (problem) throw new Error(`invalid S3 storage configuration: ${problem}`);
  return {
    ...config,
    maxSockets: config.maxSockets ?? 64,
    connectTimeoutMs: config.connectTimeoutMs ?? 5_000,
    idleTimeoutMs: config.idleTimeoutMs ?? 120_000,
    maxAttempts: config.maxAttempts ?? 1,
    multipartCopyThresholdBytes: config.multipartCopyThresholdBytes ?? MAX_SINGLE_COPY_BYTES,
    partSizeBytes: config.partSizeBytes ?? 64 * MIB,
  };
}

/** What is wrong with the config, or undefined. Never mentions secret values. */
export function s3ConfigProblem(config: S3StorageConfig): string | undefined {
  if (typeof config.region !== "string" || config.region === "") return "region is required (e.g. us-east-1)";
  if (config.endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(config.endpoint);
    } catch {
      return `endpoint must be an http(s):// URL, got ${JSON.stringify(config.endpoint)}`;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return `endpoint must be an http(s):// URL, got ${url.protocol}`;
    if (url.username || url.password) return "endpoint must not carry credentials; use accessKeyId/secretAccessKey";
  }
  const hasKey = config.accessKeyId !== undefined;
  const hasSecret = config.secretAccessKey !== undefined;
  if (hasKey !== hasSecret) return "accessKeyId and secretAccessKey go together";
  if (hasKey && (typeof config.accessKeyId !== "string" || config.accessKeyId === "")) {
    return "accessKeyId must be a non-empty string";
  }
  if (hasSecret && (typeof config.secretAccessKey !== "string" || config.secretAccessKey === "")) {
    return "secretAccessKey must be a non-empty string";
  }
  if (config.forcePathStyle !== undefined && typeof config.forcePathStyle !== "boolean") {
    return "forcePathStyle must be true or false";
  }
  const ints: [keyof S3StorageConfig, number, number][] = [
    ["maxSockets", 1, 10_000],
    ["connectTimeoutMs", 1, 600_000],
    ["idleTimeoutMs", 1, 3_600_000],
    ["maxAttempts", 1, 10],
    ["multipartCopyThresholdBytes", 1, MAX_SINGLE_COPY_BYTES],
    ["partSizeBytes", MIN_PART_BYTES, MAX_PART_BYTES],
  ];
  for (const [field, min, max] of ints) {
    const v = config[field];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      return `${field} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`;
    }
  }
  return undefined;
}
