/**
 * One typed configuration, read once from the config file, the environment and the command line (later
 * sources win). The root account comes from OBJBATCH_ACCOUNT_ID / OBJBATCH_ACCESS_KEY / OBJBATCH_SECRET_KEY,
 * or is created once and kept in the data dir.
 */
import { randomBytes, randomInt } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Account } from "./accounts/types.js";
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions } from "./engine/options.js";
import { type FunctionEndpoints, parseFunctionEndpoints } from "./functions/endpoints.js";
import type { StorageConfig } from "./storage/open-storage.js";
import { parseStorageRoutes } from "./storage/storage-config.js";

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** `sqlite:<file>` (default: in the data dir) or `postgres://...`. */
  readonly storeUrl: string;
  readonly accounts: readonly Account[];
  readonly rootAccount: { readonly account: Account; readonly created: boolean; readonly file?: string };
  readonly engine: EngineOptions;
  /** Default cap on unfinished jobs per account. */
  readonly maxUnfinishedJobs: number;
  readonly maxBodyBytes: number;
  readonly logLevel: string;
  /** FunctionArn -> the HTTP endpoint InvokeFunction calls for it (functions/endpoints.ts); plain data. */
  readonly functions: FunctionEndpoints;
  /** Where buckets live: the local data dir, or routes to S3 endpoints and directories (storage-config.ts). */
  readonly storage: StorageConfig;
}

export interface ConfigInputs {
  readonly env?: NodeJS.ProcessEnv;
  readonly flags?: {
    readonly port?: string | number;
    readonly host?: string;
    readonly dataDir?: string;
    readonly config?: string;
    readonly store?: string;
    readonly logLevel?: string;
  };
}

interface ConfigFile {
  host?: string;
  port?: number;
  dataDir?: string;
  store?: string;
  maxUnfinishedJobs?: number;
  maxBodyBytes?: number;
  logLevel?: string;
  engine?: Partial<EngineOptions>;
  /** FunctionArn -> URL, or -> { url, timeoutMs }. */
  functions?: Record<string, unknown>;
  /** Storage routes: [{ buckets: ["logs-*"], kind: "s3", endpoint, region, ... }, { buckets: ["*"], kind: "local" }]. */
  storage?: unknown;
  accounts?: Array<{
    id: string;
    accessKeyId?: string;
    secretAccessKey?: string;
    keys?: Array<{ accessKeyId: string; secretAccessKey: string }>;
    buckets?: string[];
    roles?: Record<string, string[]>;
    maxUnfinishedJobs?: number;
  }>;
}

export class ConfigError extends Error {}

export function loadConfig(inputs: ConfigInputs = {}): Config {
  const env = inputs.env ?? process.env;
  const flags = inputs.flags ?? {};
  const configPath = flags.config ?? env.OBJBATCH_CONFIG;
  const file: ConfigFile = configPath ? readConfigFile(configPath) : {};

  const dataDir = resolve(flags.dataDir ?? env.OBJBATCH_DATA_DIR ?? file.dataDir ?? "./data");
  const port = toPort(flags.port ?? env.PORT ?? file.port ?? 8080);
  const rootAccount = resolveRootAccount(env, dataDir);
  const configured = (file.accounts ?? []).map(toAccount);
  const accounts = [rootAccount.account, ...configured.filter((a) => a.id !== rootAccount.account.id)];
  const engine: EngineOptions = { ...DEFAULT_ENGINE_OPTIONS, ...file.engine, ...engineFromEnv(env) };
  checkReportLimits(engine);

  return {
    host: flags.host ?? env.HOST ?? file.host ?? "0.0.0.0",
    port,
    dataDir,
    storeUrl: flags.store ?? env.OBJBATCH_STORE_URL ?? file.store ?? `sqlite:${join(dataDir, "objbatch.sqlite")}`,
    accounts,
    rootAccount,
    engine,
    maxUnfinishedJobs: file.maxUnfinishedJobs ?? numberFromEnv(env, "OBJBATCH_MAX_UNFINISHED_JOBS") ?? 1000,
    maxBodyBytes: file.maxBodyBytes ?? 1024 * 1024,
    logLevel: flags.logLevel ?? env.LOG_LEVEL ?? file.logLevel ?? "info",
    functions: toFunctionEndpoints(file.functions),
    storage: toStorageConfig(file.storage, dataDir, engine),
  };
}

function toStorageConfig(raw: unknown, dataDir: string, engine: EngineOptions): StorageConfig {
  try {
    // An S3 route's connection pool fits the tasks a worker runs at once, plus room for manifests and reports.
    return parseStorageRoutes(raw, dataDir, engine.taskConcurrency + 8);
  } catch (e) {
    throw new ConfigError(`invalid config file: ${(e as Error).message}`);
  }
}

function toFunctionEndpoints(raw: unknown): FunctionEndpoints {
  try {
    return parseFunctionEndpoints(raw);
  } catch (e) {
    throw new ConfigError(`invalid config file: ${(e as Error).message}`);
  }
}

function readConfigFile(path: string): ConfigFile {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as ConfigFile;
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
}

function toPort(value: string | number): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid port: ${value}`);
  return port;
}

function toAccount(entry: NonNullable<ConfigFile["accounts"]>[number]): Account {
  if (!entry.id) throw new ConfigError("every account in the config file needs an id");
  const keys = [...(entry.keys ?? [])];
  if (entry.accessKeyId && entry.secretAccessKey) {
    keys.push({ accessKeyId: entry.accessKeyId, secretAccessKey: entry.secretAccessKey });
  }
  if (keys.length === 0) throw new ConfigError(`account ${entry.id} has no access key`);
  return {
    id: String(entry.id),
    keys,
    buckets: entry.buckets ?? [],
    roles: entry.roles,
    maxUnfinishedJobs: entry.maxUnfinishedJobs,
  };
}

/**
 * The root account may use every bucket. Its key pair comes from the environment or from
 * `<data-dir>/root-credentials.json`, created (mode 0600) the first time objbatch starts without one.
 */
function resolveRootAccount(env: NodeJS.ProcessEnv, dataDir: string): Config["rootAccount"] {
  const fromEnv = env.OBJBATCH_ACCESS_KEY && env.OBJBATCH_SECRET_KEY;
  if (fromEnv) {
    return {
      created: false,
      account: {
        id: env.OBJBATCH_ACCOUNT_ID ?? "100000000001",
        keys: [{ accessKeyId: env.OBJBATCH_ACCESS_KEY!, secretAccessKey: env.OBJBATCH_SECRET_KEY! }],
        buckets: ["*"],
      },
    };
  }
  const file = join(dataDir, "root-credentials.json");
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as {
      accountId: string;
      accessKeyId: string;
      secretAccessKey: string;
    };
    return {
      created: false,
      file,
      account: {
        id: env.OBJBATCH_ACCOUNT_ID ?? saved.accountId,
        keys: [{ accessKeyId: saved.accessKeyId, secretAccessKey: saved.secretAccessKey }],
        buckets: ["*"],
      },
    };
  }
  const saved = {
    accountId: env.OBJBATCH_ACCOUNT_ID ?? String(randomInt(100_000_000_000, 999_999_999_999)),
    accessKeyId: `OBJB${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64url"),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  return {
    created: true,
    file,
    account: {
      id: saved.accountId,
      keys: [{ accessKeyId: saved.accessKeyId, secretAccessKey: saved.secretAccessKey }],
      buckets: ["*"],
    },
  };
}

function numberFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ConfigError(`${name} must be a number, got ${raw}`);
  return n;
}

const MIN_PART_BYTES = 5 * 1024 * 1024;

/** Report parts must be ones every S3 store accepts: at least 5 MiB, at most 10,000 per file. */
function checkReportLimits(engine: EngineOptions): void {
  if (!(engine.reportPartBytes >= MIN_PART_BYTES)) {
    throw new ConfigError(`reportPartBytes must be at least ${MIN_PART_BYTES} (5 MiB), got ${engine.reportPartBytes}`);
  }
  const parts = engine.reportMaxPartsPerFile;
  if (!Number.isInteger(parts) || parts < 1 || parts > 10_000) {
    throw new ConfigError(`reportMaxPartsPerFile must be an integer from 1 to 10000, got ${parts}`);
  }
}

function engineFromEnv(env: NodeJS.ProcessEnv): Partial<EngineOptions> {
  const out: Record<string, number> = {};
  const map: Record<string, keyof EngineOptions> = {
    OBJBATCH_CHUNK_SIZE: "chunkSize",
    OBJBATCH_CHUNK_SLOTS: "chunkSlots",
    OBJBATCH_RUNNER_THREADS: "runnerThreads",
    OBJBATCH_TASK_CONCURRENCY: "taskConcurrency",
    OBJBATCH_MAX_REQUESTS_PER_SECOND_PER_JOB: "maxRequestsPerSecondPerJob",
    OBJBATCH_MAX_ACTIVE_JOBS: "maxActiveJobs",
    OBJBATCH_LEASE_MS: "leaseMs",
    OBJBATCH_POLL_MS: "pollMs",
    OBJBATCH_REPORT_PART_BYTES: "reportPartBytes",
    OBJBATCH_REPORT_FLUSH_INTERVAL_MS: "reportFlushIntervalMs",
  };
  for (const [name, key] of Object.entries(map)) {
    const n = numberFromEnv(env, name);
    if (n !== undefined) out[key] = n;
  }
  return out as Partial<EngineOptions>;
}
