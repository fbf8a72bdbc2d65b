/**
 * Raw HTTP to the Google dialect (/v1) of a real objbatch: bearer tokens issued by the app's own token store
 * (D44), JSON bodies, the parsed answer. Two accounts: the root (project = its id) and `2000000001`, which the
 * config also names `team-photos`.
 */
import { ROOT, startTestApp, type TestApp, type TestAppOptions } from "../helpers/app.js";

export const OTHER = { accountId: "2000000001", project: "team-photos" } as const;

export const GCS_CONFIG = {
  accounts: [
    {
      id: OTHER.accountId,
      accessKeyId: "AKIDOTHEREXAMPLE00001",
      secretAccessKey: "other-secret-key-for-tests-only-01",
      buckets: ["*"],
      projects: [OTHER.project],
    },
  ],
};

export interface GcsAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever JSON came back
  readonly json: any;
}

export interface CallOptions {
  readonly body?: unknown;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

export async function gcsCall(
  url: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<GcsAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const r = await fetch(`${url}${path}`, { method, headers, body });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

export async function issueToken(
  app: TestApp,
  accountId: string,
  ttlMs = 3_600_000,
  now = new Date(),
): Promise<string> {
  const issued = await app.accessTokens.issue({ accountId, ttlMs, now });
  return issued.token;
}

/** A running objbatch, the root's token and a client bound to both. */
export interface GcsTestApp {
  readonly app: TestApp;
  readonly token: string;
  readonly project: string;
  /** `/v1/projects/{root}/locations/global` */
  readonly base: string;
  call(method: string, path: string, options?: CallOptions): Promise<GcsAnswer>;
}

export async function startGcsApp(options: TestAppOptions = {}): Promise<GcsTestApp> {
  const app = await startTestApp({ runEngine: false, configFile: GCS_CONFIG, ...options });
  const token = await issueToken(app, ROOT.accountId);
  return {
    app,
    token,
    project: ROOT.accountId,
    base: `/v1/projects/${ROOT.accountId}/locations/global`,
    call: (method, path, o = {}) => gcsCall(app.url, method, path, { token, ...o }),
  };
}

/** A CreateJob body over a bucket's prefixes with the given transformation. */
export function prefixJob(bucket: string, transformation: Record<string, unknown>, prefixes: string[] = ["a/"]) {
  return { bucketList: { buckets: [{ bucket, prefixList: { includedObjectPrefixes: prefixes } }] }, ...transformation };
}

/** The stores every store-touching test runs on: SQLite (a temporary file) and a fresh PostgreSQL database. */
export const GCS_STORES = [
  { name: "sqlite", open: async () => ({ url: undefined as string | undefined, drop: async () => {} }) },
  {
    name: "postgres",
    open: async () => {
      const { createPgDatabase } = await import("../helpers/stores.js");
      return createPgDatabase();
    },
  },
] as const;
