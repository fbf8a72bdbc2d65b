/**
 * One typed configuration, read once from the config file, the environment and the command line (later
 * sources win), and checked whole before anything starts: the file against one schema (config/schema.ts),
 * the variables and flags against the same fields' rules (config/environment.ts). Any problem is a
 * ConfigError whose message names the field (`config file accounts[0].buckets: expected an array of non-empty
 * strings, got "src"`); the CLI prints it and exits with status 2. The root account comes from
 * OBJBATCH_ACCOUNT_ID / OBJBATCH_ACCESS_KEY / OBJBATCH_SECRET_KEY, or is created once and kept in the data dir.
 */
import { randomBytes, randomInt } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TSchema } from "typebox";
import type { Account } from "./accounts/types.js";
import { type SignaturePolicy, signaturePolicyOf } from "./api/auth/signature-policy.js";
import { type HttpLimits, resolveHttpLimits } from "./api/http/connection-limits.js";
import { type SessionPolicy, sessionPolicyOf } from "./api/json/sessions/session-policy.js";
import { type TokenPolicy, tokenPolicyOf } from "./api/json/token-policy.js";
import { ConfigError } from "./config/config-error.js";
import { type ConfigFlags, withOverrides } from "./config/environment.js";
import { defaultMaxConnections, engineOpenFiles, openFilesLimit } from "./config/open-files-budget.js";
import {
  type AccountEntry,
  CONFIG_FILE_SCHEMA,
  type ConfigFile,
  GOOGLE_PROJECT_PATTERN,
  ROOT_CREDENTIALS_SCHEMA,
} from "./config/schema.js";
import { schemaProblems } from "./config/schema-problems.js";
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions } from "./engine/options.js";
import { type FunctionEndpoints, parseFunctionEndpoints } from "./functions/endpoints.js";
import {
  type NotificationPolicy,
  type NotificationsSection,
  notificationPolicyOf,
} from "./notifications/notification-policy.js";
import { type ScheduleOptions, scheduleOptionsOf } from "./schedules/schedule-options.js";
import { DEFAULT_MAX_MANIFEST_UPLOAD_BYTES } from "./service/manifest-uploads.js";
import type { StorageConfig } from "./storage/open-storage.js";
import { parseStorageRoutes } from "./storage/storage-config.js";

export { ConfigError } from "./config/config-error.js";

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
  /** The largest manifest the JSON API's POST /manifests takes (D38); its own body limit, above maxBodyBytes. */
  readonly maxManifestUploadBytes: number;
  readonly logLevel: string;
  /** FunctionArn -> the HTTP endpoint InvokeFunction calls for it (functions/endpoints.ts); plain data. */
  readonly functions: FunctionEndpoints;
  /** Where buckets live: the local data dir, or routes to S3 endpoints and directories (storage-config.ts). */
  readonly storage: StorageConfig;
  /** The HTTP server's timeouts and connection cap (api/http/connection-limits.ts). */
  readonly http: HttpLimits;
  /** Which signatures are accepted: the COS key-time cap, OSS V1 on or off (api/auth/signature-policy.ts). */
  readonly auth: SignaturePolicy;
  /** The JSON API's console sessions: lifetime, idle timeout, Secure cookie (api/json/sessions/session-policy.ts). */
  readonly sessions: SessionPolicy;
  /** Webhooks: the allowed hosts, the operator's webhooks, retries and timeouts (notifications/notification-policy.ts). */
  readonly notifications: NotificationPolicy;
  /** Recurring jobs: the scheduler of this process and the per-account cap (schedules/schedule-options.ts, D43). */
  readonly schedules: ScheduleOptions;
  /** Bearer access tokens: default and longest lifetime, live tokens per account (api/json/token-policy.ts, D44). */
  readonly tokens: TokenPolicy;
}

export interface ConfigInputs {
  readonly env?: NodeJS.ProcessEnv;
  readonly flags?: ConfigFlags;
}

export function loadConfig(inputs: ConfigInputs = {}): Config {
  const env = inputs.env ?? process.env;
  const flags = inputs.flags ?? {};
  const configPath = flags.config ?? env.OBJBATCH_CONFIG;
  const file: ConfigFile = configPath ? readConfigFile(configPath) : {};
  const settings = withOverrides(file, env, flags);

  const dataDir = resolve(settings.dataDir ?? "./data");
  const rootAccount = withRootProjects(resolveRootAccount(env, dataDir), env.OBJBATCH_PROJECTS);
  const configured = (settings.accounts ?? []).map(toAccount);
  const accounts = [rootAccount.account, ...configured.filter((a) => a.id !== rootAccount.account.id)];
  checkUnique(accounts);
  const { retry, ...engineSettings } = settings.engine ?? {};
  const engine: EngineOptions = {
    ...DEFAULT_ENGINE_OPTIONS,
    ...engineSettings,
    retry: { ...DEFAULT_ENGINE_OPTIONS.retry, ...retry },
  };
  const storage = fromConfigFile(() =>
    // An S3 route's connection pool fits the tasks a worker runs at once, plus room for manifests and reports.
    parseStorageRoutes(settings.storage, dataDir, engine.taskConcurrency + 8),
  );
  const maxConnections = defaultMaxConnections(openFilesLimit(), engineOpenFiles(engine, storage));

  const notifications = fromConfigFile(
    () => notificationPolicyOf(settings.notifications as NotificationsSection | undefined),
    "notifications.",
  );
  notifications.webhooks.forEach((w, i) => {
    if (!accounts.some((a) => a.id === w.accountId)) {
      throw new ConfigError(`config file notifications.webhooks[${i}]: account ${w.accountId} is not configured`);
    }
  });

  return {
    host: settings.host ?? "0.0.0.0",
    port: settings.port ?? 8080,
    dataDir,
    storeUrl: settings.store ?? `sqlite:${join(dataDir, "objbatch.sqlite")}`,
    accounts,
    rootAccount,
    engine,
    maxUnfinishedJobs: settings.maxUnfinishedJobs ?? 1000,
    maxBodyBytes: settings.maxBodyBytes ?? 1024 * 1024,
    maxManifestUploadBytes: settings.maxManifestUploadBytes ?? DEFAULT_MAX_MANIFEST_UPLOAD_BYTES,
    logLevel: settings.logLevel ?? "info",
    functions: fromConfigFile(() => parseFunctionEndpoints(settings.functions)),
    storage,
    http: fromConfigFile(() => resolveHttpLimits(settings.http, maxConnections), "http: "),
    auth: fromConfigFile(() => signaturePolicyOf(settings.auth), "auth: "),
    sessions: sessionPolicyOf(settings.sessions),
    notifications,
    schedules: scheduleOptionsOf(settings.schedules),
    tokens: fromConfigFile(() => tokenPolicyOf(settings.tokens), "tokens: "),
  };
}

/** Runs a section's own checks (what a schema cannot say), turning their complaints into ConfigErrors. */
function fromConfigFile<T>(parse: () => T, prefix = ""): T {
  try {
    return parse();
  } catch (e) {
    throw new ConfigError(`config file ${prefix}${(e as Error).message}`);
  }
}

function readConfigFile(path: string): ConfigFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  return checked(CONFIG_FILE_SCHEMA, parsed, "config file");
}

/** The value, once it matches the schema; else a ConfigError listing every problem, each naming its field. */
function checked<T>(schema: TSchema, value: unknown, source: string): T {
  const problems = schemaProblems(schema, value);
  if (problems.length > 0) {
    throw new ConfigError(
      problems.map((p) => (p.path === "" ? `${source}: ${p.message}` : `${source} ${p.path}: ${p.message}`)).join("\n"),
    );
  }
  return value as T;
}

function toAccount(entry: AccountEntry, i: number): Account {
  const where = `config file accounts[${i}]`;
  const keys = [...(entry.keys ?? [])];
  if ((entry.accessKeyId === undefined) !== (entry.secretAccessKey === undefined)) {
    throw new ConfigError(`${where}: accessKeyId and secretAccessKey go together`);
  }
  if (entry.accessKeyId !== undefined && entry.secretAccessKey !== undefined) {
    keys.push({ accessKeyId: entry.accessKeyId, secretAccessKey: entry.secretAccessKey });
  }
  if (keys.length === 0) {
    throw new ConfigError(`${where}: account ${entry.id} has no access key (accessKeyId and secretAccessKey, or keys)`);
  }
  return {
    id: String(entry.id),
    keys,
    buckets: entry.buckets ?? [],
    roles: entry.roles,
    maxUnfinishedJobs: entry.maxUnfinishedJobs,
    ...(entry.projects !== undefined && entry.projects.length > 0 ? { projects: entry.projects } : {}),
  };
}

/** An account id or access key given twice would make requests ambiguous. */
function checkUnique(accounts: readonly Account[]): void {
  const ids = new Set<string>();
  const keys = new Set<string>();
  for (const account of accounts) {
    if (ids.has(account.id)) throw new ConfigError(`config file: account ${account.id} is configured twice`);
    ids.add(account.id);
    for (const key of account.keys) {
      if (keys.has(key.accessKeyId)) {
        throw new ConfigError(`config file: access key ${key.accessKeyId} is configured twice`);
      }
      keys.add(key.accessKeyId);
    }
  }
  // A Google project names one account: not two, and not another account's id (D46).
  const projects = new Map<string, string>();
  for (const account of accounts) {
    for (const project of account.projects ?? []) {
      const other = projects.get(project) ?? (ids.has(project) && project !== account.id ? project : undefined);
      if (other !== undefined) {
        throw new ConfigError(
          `config file: project ${project} of account ${account.id} already names account ${other}`,
        );
      }
      projects.set(project, account.id);
    }
  }
}

/**
 * OBJBATCH_PROJECTS: comma-separated Google project ids that name the root account in the Google dialect's paths
 * (D46), as `projects` does for the config file's accounts (gcloud refuses a project number, which the root's id
 * usually is).
 */
function withRootProjects(root: Config["rootAccount"], value: string | undefined): Config["rootAccount"] {
  const projects = (value ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (projects.length === 0) return root;
  const bad = projects.find((p) => !new RegExp(GOOGLE_PROJECT_PATTERN).test(p));
  if (bad !== undefined) {
    throw new ConfigError(
      `OBJBATCH_PROJECTS: "${bad}" is not a Google project id (6-30 lower-case letters, digits, hyphens)`,
    );
  }
  return { ...root, account: { ...root.account, projects } };
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
        id: env.OBJBATCH_ACCOUNT_ID || "100000000001",
        keys: [{ accessKeyId: env.OBJBATCH_ACCESS_KEY!, secretAccessKey: env.OBJBATCH_SECRET_KEY! }],
        buckets: ["*"],
      },
    };
  }
  const file = join(dataDir, "root-credentials.json");
  if (existsSync(file)) {
    const saved = readRootCredentials(file);
    return {
      created: false,
      file,
      account: {
        id: env.OBJBATCH_ACCOUNT_ID || saved.accountId,
        keys: [{ accessKeyId: saved.accessKeyId, secretAccessKey: saved.secretAccessKey }],
        buckets: ["*"],
      },
    };
  }
  const saved = {
    accountId: env.OBJBATCH_ACCOUNT_ID || String(randomInt(100_000_000_000, 999_999_999_999)),
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

function readRootCredentials(file: string): { accountId: string; accessKeyId: string; secretAccessKey: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError(`cannot read ${file}: ${(e as Error).message} (delete it to have a new root key made)`);
  }
  return checked(ROOT_CREDENTIALS_SCHEMA, parsed, file);
}
