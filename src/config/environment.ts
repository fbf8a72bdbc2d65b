/**
 * The settings the environment and the command line may set, each standing for a field of the config file
 * and checked against that field's schema (schema.ts), so `OBJBATCH_CHUNK_SIZE=0` is refused as
 * `"engine": {"chunkSize": 0}` is. Flags beat the environment, which beats the file. An empty variable counts
 * as unset.
 */
import type { TSchema } from "typebox";
import { ConfigError } from "./config-error.js";
import { CONFIG_FILE_SCHEMA, type ConfigFile } from "./schema.js";
import { expected, schemaProblems } from "./schema-problems.js";

export interface ConfigFlags {
  readonly port?: string | number;
  readonly host?: string;
  readonly dataDir?: string;
  readonly config?: string;
  readonly store?: string;
  readonly logLevel?: string;
}

/** A config file field: a top-level one, or one of the engine or auth section. */
type Field = readonly [string] | readonly ["engine" | "auth", string];

const VARIABLES: ReadonlyArray<readonly [string, Field]> = [
  ["PORT", ["port"]],
  ["HOST", ["host"]],
  ["OBJBATCH_DATA_DIR", ["dataDir"]],
  ["OBJBATCH_STORE_URL", ["store"]],
  ["LOG_LEVEL", ["logLevel"]],
  ["OBJBATCH_MAX_UNFINISHED_JOBS", ["maxUnfinishedJobs"]],
  ["OBJBATCH_CHUNK_SIZE", ["engine", "chunkSize"]],
  ["OBJBATCH_CHUNK_SLOTS", ["engine", "chunkSlots"]],
  ["OBJBATCH_RUNNER_THREADS", ["engine", "runnerThreads"]],
  ["OBJBATCH_RUNNER_NICE", ["engine", "runnerNice"]],
  ["OBJBATCH_TASK_CONCURRENCY", ["engine", "taskConcurrency"]],
  ["OBJBATCH_MAX_REQUESTS_PER_SECOND_PER_JOB", ["engine", "maxRequestsPerSecondPerJob"]],
  ["OBJBATCH_MAX_ACTIVE_JOBS", ["engine", "maxActiveJobs"]],
  ["OBJBATCH_LEASE_MS", ["engine", "leaseMs"]],
  ["OBJBATCH_POLL_MS", ["engine", "pollMs"]],
  ["OBJBATCH_IDLE_POLL_MS", ["engine", "idlePollMs"]],
  ["OBJBATCH_REPORT_PART_BYTES", ["engine", "reportPartBytes"]],
  ["OBJBATCH_REPORT_FLUSH_INTERVAL_MS", ["engine", "reportFlushIntervalMs"]],
  ["OBJBATCH_STORE_RETRY_MAX_DELAY_MS", ["engine", "storeRetryMaxDelayMs"]],
  ["OBJBATCH_COS_MAX_KEY_TIME_SECONDS", ["auth", "cosMaxKeyTimeSeconds"]],
  ["OBJBATCH_OSS_SIGNATURE_V1", ["auth", "ossSignatureV1"]],
];

const FLAGS: ReadonlyArray<readonly [string, keyof ConfigFlags, Field]> = [
  ["--port", "port", ["port"]],
  ["--host", "host", ["host"]],
  ["--data-dir", "dataDir", ["dataDir"]],
  ["--store", "store", ["store"]],
  ["--log-level", "logLevel", ["logLevel"]],
];

/** The config file's settings with the environment's and the flags' laid over them; throws a ConfigError. */
export function withOverrides(file: ConfigFile, env: NodeJS.ProcessEnv, flags: ConfigFlags): ConfigFile {
  const problems: string[] = [];
  let settings: ConfigFile = file;
  const set = (name: string, field: Field, raw: string) => {
    const schema = fieldSchema(field);
    const value = parse(schema, raw);
    if (value === undefined || schemaProblems(schema, value).length > 0) {
      problems.push(`${name}: expected ${expected(schema)}, got ${JSON.stringify(raw)}`);
      return;
    }
    settings =
      field.length === 1
        ? { ...settings, [field[0]]: value }
        : { ...settings, [field[0]]: { ...settings[field[0]], [field[1]]: value } };
  };
  for (const [name, field] of VARIABLES) {
    const raw = env[name];
    if (raw !== undefined && raw !== "") set(name, field, raw);
  }
  for (const [name, key, field] of FLAGS) {
    const raw = flags[key];
    if (raw !== undefined) set(name, field, String(raw));
  }
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  return settings;
}

interface Properties {
  readonly properties?: Readonly<Record<string, TSchema & Properties>>;
}

function fieldSchema(field: Field): TSchema {
  let schema: TSchema & Properties = CONFIG_FILE_SCHEMA;
  for (const key of field) {
    const next = schema.properties?.[key];
    if (next === undefined) throw new Error(`no config file field ${field.join(".")}`);
    schema = next;
  }
  return schema;
}

/** The value a string stands for: a number where the field holds numbers, else the string itself. */
function parse(schema: TSchema, raw: string): unknown {
  const type = (schema as { type?: string }).type;
  if (type !== "integer" && type !== "number") return raw;
  const trimmed = raw.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  return Number(trimmed);
}
