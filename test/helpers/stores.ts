/**
 * Real job stores for tests: a SQLite file in a temporary directory, and a fresh PostgreSQL database on the
 * machine's server (OBJBATCH_TEST_PG, default postgres://postgres@127.0.0.1:5432/postgres), dropped after.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { JobSpec } from "../../src/domain/job.js";
import { openPostgres, openSqlite, type StoreConnection } from "../../src/store/connect.js";
import { JobStore, type NewJob } from "../../src/store/job-store.js";

export const PG_ADMIN_URL = process.env.OBJBATCH_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestStore {
  readonly name: "sqlite" | "postgres";
  readonly store: JobStore;
  /** The connection the store is built on (for the other users of the store: console sessions). */
  readonly connection?: StoreConnection;
  /** The URL objbatch would be started with to use this store. */
  readonly url: string;
  dispose(): Promise<void>;
}

export async function sqliteTestStore(): Promise<TestStore> {
  const dir = await mkdtemp(join(tmpdir(), "objbatch-store-"));
  const file = join(dir, "jobs.sqlite");
  const connection = await openSqlite(file);
  const store = new JobStore(connection);
  return {
    name: "sqlite",
    store,
    connection,
    url: `sqlite:${file}`,
    async dispose() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `objbatch_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * The same database as `tcpUrl` (a database of the test server) through the server's Unix socket: the URL names
 * the socket's directory, percent-encoded, as its host. The directory and port are the ones the server reports.
 */
export async function unixSocketUrl(tcpUrl: string): Promise<string> {
  const c = new pg.Client({ connectionString: tcpUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ dirs: string; port: string }>(
      "select current_setting('unix_socket_directories') as dirs, current_setting('port') as port",
    );
    const dir = rows[0]?.dirs.split(",")[0]?.trim() ?? "";
    if (!dir.startsWith("/")) throw new Error(`the PostgreSQL server keeps no socket in a directory: ${rows[0]?.dirs}`);
    const url = new URL(tcpUrl);
    return `postgres://${url.username}@${encodeURIComponent(dir)}:${rows[0]?.port}${url.pathname}`;
  } finally {
    await c.end();
  }
}

export async function postgresTestStore(): Promise<TestStore> {
  const database = await createPgDatabase();
  const connection = await openPostgres(database.url, 4);
  const store = new JobStore(connection);
  return {
    name: "postgres",
    store,
    connection,
    url: database.url,
    async dispose() {
      await store.close();
      await database.drop();
    },
  };
}

export const TEST_STORES: ReadonlyArray<() => Promise<TestStore>> = [sqliteTestStore, postgresTestStore];

/**
 * A new job ready for insertJob: account acct-1, a fresh id and token, no confirmation needed, created at
 * 1000 ms; `spec` changes any field of its spec, `job` any other field.
 */
export function newJob(spec: Partial<JobSpec> = {}, job: Partial<Omit<NewJob, "spec">> = {}): NewJob {
  return {
    jobId: randomUUID(),
    creationTime: 1_000,
    requestFingerprint: "f",
    ...job,
    spec: {
      accountId: "acct-1",
      dialect: "s3control",
      clientRequestToken: randomUUID(),
      confirmationRequired: false,
      priority: 10,
      roleArn: "role",
      operation: { kind: "DeleteObject" },
      report: { enabled: false },
      ...spec,
    },
  };
}
