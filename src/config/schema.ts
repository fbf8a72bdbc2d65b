/**
 * The config file, described once: every field with its type, its range and what it does. loadConfig checks
 * the whole file against CONFIG_FILE_SCHEMA before using any of it, and the environment variables and flags
 * against the same fields' schemas (environment.ts), so a wrong value stops objbatch at start with a message
 * naming the field, never a failure later. Unknown fields are refused too: a typo ("engin") would otherwise
 * be ignored without a word (docs/decisions.md D17).
 *
 * Sections that belong to a part of objbatch keep their schema next to it: `engine` (engine/options.ts),
 * `storage` (storage/storage-config.ts), `functions` (functions/endpoints.ts), `http`
 * (api/http/connection-limits.ts), `auth` (api/auth/signature-policy.ts), `sessions`
 * (api/json/sessions/session-policy.ts), `notifications` (notifications/notification-policy.ts), `schedules`
 * (schedules/schedule-options.ts), `tokens` (api/json/token-policy.ts).
 */
import { type Static, Type } from "typebox";
import { SIGNATURE_POLICY_SCHEMA } from "../api/auth/signature-policy.js";
import { HTTP_LIMITS_SCHEMA } from "../api/http/connection-limits.js";
import { SESSION_POLICY_SCHEMA } from "../api/json/sessions/session-policy.js";
import { TOKEN_POLICY_SCHEMA } from "../api/json/token-policy.js";
import { ENGINE_OPTIONS_SCHEMA, RETRY_POLICY_SCHEMA } from "../engine/options.js";
import { FUNCTION_ENDPOINTS_SCHEMA } from "../functions/endpoints.js";
import { NOTIFICATIONS_SCHEMA } from "../notifications/notification-policy.js";
import { SCHEDULE_OPTIONS_SCHEMA } from "../schedules/schedule-options.js";
import { STORAGE_ROUTES_SCHEMA } from "../storage/storage-config.js";

const KEY_ID = Type.String({ minLength: 1, description: "An access key id." });
const SECRET = Type.String({ minLength: 1, writeOnly: true, description: "The secret key of the access key." });
const BUCKET_PATTERNS = Type.Array(Type.String({ minLength: 1 }), {
  description: 'Bucket names or glob patterns ("*", "team-*").',
});

/** A Google project id (6-30 lower-case letters, digits, hyphens, a letter first) or a project number (D46). */
export const GOOGLE_PROJECT_PATTERN = "^[a-z][a-z0-9-]{4,28}[a-z0-9]$|^[0-9]{1,20}$";

export const ACCOUNT_SCHEMA = Type.Object(
  {
    id: Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 0 })], {
      description: "The account id: COS x-cos-appid, S3 Control x-amz-account-id, OSS uid.",
    }),
    accessKeyId: Type.Optional(KEY_ID),
    secretAccessKey: Type.Optional(SECRET),
    keys: Type.Optional(
      Type.Array(
        Type.Object(
          { accessKeyId: KEY_ID, secretAccessKey: SECRET },
          { additionalProperties: false, title: "key pair" },
        ),
        { description: "More key pairs of the account." },
      ),
    ),
    buckets: Type.Optional(BUCKET_PATTERNS),
    roles: Type.Optional(
      Type.Record(Type.String(), BUCKET_PATTERNS, {
        title: "map of role ARNs to bucket patterns",
        description: "RoleArn -> the buckets a job with that role may touch; jobs must then name one of them.",
      }),
    ),
    maxUnfinishedJobs: Type.Optional(
      Type.Integer({ minimum: 1, description: "Cap on the account's jobs not yet Complete, Cancelled or Failed." }),
    ),
    projects: Type.Optional(
      Type.Array(Type.String({ pattern: GOOGLE_PROJECT_PATTERN }), {
        description:
          "Google project ids (or numbers) that name this account in the Google dialect's paths (/v1/projects/{project}/...), besides its id.",
      }),
    ),
  },
  { additionalProperties: false, title: "account" },
);

/** The `engine` section: any of the engine's settings, the retry policy's fields one by one. */
const ENGINE_SECTION_SCHEMA = Type.Partial(
  Type.Object(
    {
      ...ENGINE_OPTIONS_SCHEMA.properties,
      retry: Type.Partial(RETRY_POLICY_SCHEMA, { description: "Fields of the retry policy to change." }),
    },
    { additionalProperties: false },
  ),
  { additionalProperties: false, description: "Engine settings (engine/options.ts); unset ones keep their default." },
);

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export const CONFIG_FILE_SCHEMA = Type.Object(
  {
    host: Type.Optional(Type.String({ minLength: 1, description: "Address to listen on (default 0.0.0.0)." })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: "Port to listen on (default 8080)." })),
    dataDir: Type.Optional(
      Type.String({ minLength: 1, description: "Buckets, object metadata and the SQLite job store (default ./data)." }),
    ),
    store: Type.Optional(
      Type.String({
        minLength: 1,
        writeOnly: true,
        description: "The job store: sqlite:<file> (default: in the data dir) or postgres://...",
      }),
    ),
    maxUnfinishedJobs: Type.Optional(
      Type.Integer({ minimum: 1, description: "Default cap on an account's unfinished jobs (default 1000)." }),
    ),
    maxBodyBytes: Type.Optional(
      Type.Integer({
        minimum: 1024,
        maximum: 1024 * 1024 * 1024,
        description: "Largest request body accepted (default 1 MiB).",
      }),
    ),
    maxManifestUploadBytes: Type.Optional(
      Type.Integer({
        minimum: 1024,
        maximum: 1024 * 1024 * 1024,
        description:
          "Largest manifest POST /api/v1/manifests accepts, held in memory while it is written (default 64 MiB, D38).",
      }),
    ),
    logLevel: Type.Optional(Type.Enum(LOG_LEVELS, { description: "Log level (default info)." })),
    accounts: Type.Optional(
      Type.Array(ACCOUNT_SCHEMA, { description: "Accounts besides the root one, with the buckets they may touch." }),
    ),
    engine: Type.Optional(ENGINE_SECTION_SCHEMA),
    functions: Type.Optional(FUNCTION_ENDPOINTS_SCHEMA),
    storage: Type.Optional(STORAGE_ROUTES_SCHEMA),
    http: Type.Optional(HTTP_LIMITS_SCHEMA),
    auth: Type.Optional(SIGNATURE_POLICY_SCHEMA),
    sessions: Type.Optional(SESSION_POLICY_SCHEMA),
    notifications: Type.Optional(NOTIFICATIONS_SCHEMA),
    schedules: Type.Optional(SCHEDULE_OPTIONS_SCHEMA),
    tokens: Type.Optional(TOKEN_POLICY_SCHEMA),
  },
  { additionalProperties: false, title: "JSON object" },
);

export type ConfigFile = Static<typeof CONFIG_FILE_SCHEMA>;
export type AccountEntry = Static<typeof ACCOUNT_SCHEMA>;

/** `<data-dir>/root-credentials.json`, written by objbatch the first time it starts without a root key. */
export const ROOT_CREDENTIALS_SCHEMA = Type.Object(
  {
    accountId: Type.String({ minLength: 1 }),
    accessKeyId: KEY_ID,
    secretAccessKey: SECRET,
  },
  { title: "JSON object" },
);
