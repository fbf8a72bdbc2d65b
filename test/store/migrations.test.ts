/**
 * store/migrations.ts on a fresh SQLite file and a fresh PostgreSQL database: one list of migrations brings
 * either to the latest schema (the same tables and columns on both), running it again changes nothing, and a
 * migration that fails says which one it was, 0005 comes off again (migrateTo) as it went on, 0006 fills its
 * summary columns from the jobs already there, and 0007's table of failure causes comes and goes with the jobs
 * already there untouched; 0009 gives existing jobs held = 0 and puts it in the queue index, and comes off;
 * 0011's table of console sessions comes and goes with the jobs untouched; 0014's access tokens come and go, one
 * row per secret's hash.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Dialect, Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { forKysely, openSqliteDatabase } from "../../src/sqlite/database.js";
import type { StoreDialect } from "../../src/store/connect.js";
import { migrateTo, migrateToLatest } from "../../src/store/migrations.js";
import { createPgDatabase } from "../helpers/stores.js";

/** The migrations as they stand: a new one is appended here too, and never one edited. */
const MIGRATIONS = [
  "0001_jobs_and_chunks",
  "0002_chunk_tasks",
  "0003_report_files",
  "0004_request_signatures",
  "0005_control_plane_indexes",
  "0006_job_summary_columns",
  "0007_failure_causes",
  "0008_live_progress",
  "0009_user_pause",
  "0010_job_events",
  "0011_sessions",
  "0012_webhooks",
  "0013_schedules",
  "0014_access_tokens",
];

/** Every table of the latest schema and its columns, as the store's queries use them (schema.ts). */
const LATEST_SCHEMA: Record<string, readonly string[]> = {
  jobs: [
    "job_id",
    "account_id",
    "status",
    "priority",
    "creation_time",
    "termination_time",
    "suspended_time",
    "suspended_cause",
    "status_update_reason",
    "failure_reasons",
    "spec",
    "client_request_token",
    "request_fingerprint",
    "tags",
    "total_tasks",
    "succeeded",
    "failed",
    "active_ms",
    "active_since",
    "confirmed",
    "manifest_etag",
    "generated_manifest",
    "phase_owner",
    "phase_expires",
    "updated_time",
    "description",
    "operation_kind",
    "dialect",
    "held",
  ],
  chunks: [
    "job_id",
    "seq",
    "start_byte",
    "end_byte",
    "first_record",
    "records",
    "state",
    "lease_token",
    "lease_expires",
    "attempts",
    "succeeded",
    "failed",
    "succeeded_rows",
    "failed_rows",
    "tasks",
    "live_succeeded",
    "live_failed",
  ],
  report_files: [
    "job_id",
    "status",
    "file_index",
    "object_key",
    "upload_id",
    "parts",
    "part_count",
    "bytes",
    "through_seq",
    "md5_state",
    "md5",
    "completed",
  ],
  request_signatures: ["scheme", "access_key_id", "signature", "bound_digest", "expires_at"],
  failure_causes: ["job_id", "http_status", "error_code", "count", "sample_keys"],
  job_events: ["id", "account_id", "job_id", "type", "status", "payload", "time"],
  job_event_horizon: ["singleton", "purged_through"],
  console_sessions: ["token_hash", "account_id", "access_key_id", "created_at", "expires_at", "idle_expires_at"],
  webhooks: ["webhook_id", "account_id", "url", "event_types", "tag_filter", "secret", "description", "created_at"],
  webhook_deliveries: [
    "id",
    "webhook_id",
    "account_id",
    "job_id",
    "event_id",
    "event_type",
    "body",
    "state",
    "attempts",
    "last_status",
    "last_error",
    "next_attempt_at",
    "give_up_at",
    "lease_owner",
    "lease_expires",
    "created_at",
    "finished_at",
  ],
  webhook_cursor: ["singleton", "through_event"],
  schedules: [
    "schedule_id",
    "account_id",
    "description",
    "cron",
    "time_zone",
    "catch_up",
    "template",
    "paused",
    "next_due_at",
    "claim_owner",
    "claim_expires",
    "claim_due_at",
    "last_due_at",
    "last_job_id",
    "last_outcome",
    "created_at",
    "updated_at",
  ],
  schedule_runs: ["schedule_id", "due_at", "job_id", "outcome", "detail", "recorded_at"],
  access_tokens: [
    "token_id",
    "account_id",
    "name",
    "token_hash",
    "created_at",
    "expires_at",
    "revoked_at",
    "last_used_at",
  ],
};

/** The schema as the database describes it: table -> column names, sorted. */
async function schemaOf(db: Kysely<unknown>): Promise<Record<string, string[]>> {
  const tables = await db.introspection.getTables();
  return Object.fromEntries(
    tables.map((t) => [t.name, t.columns.map((c) => c.name).sort()] as const).sort(([a], [b]) => a.localeCompare(b)),
  );
}

async function appliedMigrations(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((r) => r.name);
}

const expectedSchema = () =>
  Object.fromEntries(
    Object.entries(LATEST_SCHEMA)
      .map(([table, columns]) => [table, [...columns].sort()] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

interface Fresh {
  readonly db: Kysely<unknown>;
  readonly dialect: StoreDialect;
  dispose(): Promise<void>;
}

const FRESH: readonly { name: string; open(): Promise<Fresh> }[] = [
  {
    name: "SQLite",
    async open() {
      const dir = await mkdtemp(join(tmpdir(), "objbatch-migrations-"));
      const dialect: Dialect = new SqliteDialect({
        database: forKysely(openSqliteDatabase(join(dir, "store.sqlite"))),
      });
      const db = new Kysely<unknown>({ dialect });
      return {
        db,
        dialect: "sqlite",
        async dispose() {
          await db.destroy();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: "PostgreSQL",
    async open() {
      const database = await createPgDatabase();
      const pool = new pg.Pool({ connectionString: database.url, max: 2 });
      // An idle connection the server cuts (an administrator's command on the shared test server) is dropped by
      // the pool, as the store's own pool does (connect.ts); without a listener it would end the test process.
      pool.on("error", () => {});
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
      return {
        db,
        dialect: "postgres",
        async dispose() {
          await db.destroy();
          await database.drop();
        },
      };
    },
  },
];

const migrated: Record<string, Record<string, string[]>> = {};

for (const { name, open } of FRESH) {
  describe(`migrateToLatest on a fresh ${name} database`, () => {
    let fresh: Fresh;
    before(async () => {
      fresh = await open();
    });
    after(() => fresh.dispose());

    it("creates the latest schema and records every migration, in order", async () => {
      assert.deepEqual(await schemaOf(fresh.db), {}, "fresh");
      await migrateToLatest(fresh.db, fresh.dialect);
      const tables = await schemaOf(fresh.db); // Kysely's own bookkeeping tables are not listed
      assert.deepEqual(tables, expectedSchema());
      assert.deepEqual(await appliedMigrations(fresh.db), MIGRATIONS);
      migrated[name] = tables;
    });

    it("changes nothing when run again", async () => {
      const schema = await schemaOf(fresh.db);
      const { rows: before } = await sql`select name, timestamp from kysely_migration order by name`.execute(fresh.db);
      await migrateToLatest(fresh.db, fresh.dialect);
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.deepEqual(await schemaOf(fresh.db), schema);
      const { rows: afterwards } = await sql`select name, timestamp from kysely_migration order by name`.execute(
        fresh.db,
      );
      assert.deepEqual(afterwards, before, "no migration ran again");
    });
  });
}

describe("migrateToLatest on both kinds", () => {
  it("gives SQLite and PostgreSQL the same tables and columns", () => {
    assert.deepEqual(Object.keys(migrated).sort(), ["PostgreSQL", "SQLite"], "both were migrated above");
    assert.deepEqual(migrated.SQLite, migrated.PostgreSQL);
  });
});

for (const { name, open } of FRESH) {
  describe(`migrateToLatest on a ${name} database it cannot migrate`, () => {
    let fresh: Fresh;
    before(async () => {
      fresh = await open();
    });
    after(() => fresh.dispose());

    it("throws an error naming the migration that failed, and records none of it", async () => {
      // A table of the same name that is not objbatch's: the first migration cannot create its own.
      await sql`create table jobs (something_else text)`.execute(fresh.db);
      await assert.rejects(migrateToLatest(fresh.db, fresh.dialect), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, /^job store migration 0001_jobs_and_chunks failed: /);
        return true;
      });
      assert.deepEqual(await appliedMigrations(fresh.db), []);
    });
  });
}

/** The jobs table's own indexes (not the primary key's or a unique constraint's), sorted. */
async function jobsIndexes(db: Kysely<unknown>, dialect: string): Promise<string[]> {
  const { rows } =
    dialect === "SQLite"
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'jobs'
          and sql is not null`.execute(db)
      : await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'jobs'
          and indexname not in ('jobs_pkey', 'jobs_account_token')`.execute(db);
  return rows.map((r) => r.name).sort();
}

for (const { name, open } of FRESH) {
  describe(`0005_control_plane_indexes on ${name}`, () => {
    let fresh: Fresh;
    before(async () => {
      fresh = await open();
    });
    after(() => fresh.dispose());

    it("adds the queue, listing, termination and confirmation-timeout indexes, and takes them away again", async () => {
      const before5 = ["jobs_account_listing", "jobs_status_priority"];
      const with5 = [
        "jobs_account_listing",
        "jobs_account_status_listing",
        "jobs_status_queue",
        "jobs_status_suspended",
        "jobs_termination",
      ];
      await migrateTo(fresh.db, fresh.dialect, "0004_request_signatures");
      assert.deepEqual(await jobsIndexes(fresh.db, name), before5);
      await sql`insert into jobs (job_id, account_id, status, priority, creation_time, spec, client_request_token,
        request_fingerprint, updated_time) values ('j1', 'a', 'Ready', 5, 1, '{}', 't1', 'f', 1)`.execute(fresh.db);

      await migrateToLatest(fresh.db, fresh.dialect);
      assert.deepEqual(await jobsIndexes(fresh.db, name), with5);
      assert.deepEqual(await appliedMigrations(fresh.db), MIGRATIONS);

      await migrateTo(fresh.db, fresh.dialect, "0004_request_signatures");
      assert.deepEqual(await jobsIndexes(fresh.db, name), before5, "down: back to the indexes before");
      assert.deepEqual(await appliedMigrations(fresh.db), MIGRATIONS.slice(0, 4));
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.deepEqual(await jobsIndexes(fresh.db, name), with5, "and up again");
      const { rows } = await sql<{ job_id: string }>`select job_id from jobs`.execute(fresh.db);
      assert.deepEqual(
        rows.map((r) => r.job_id),
        ["j1"],
        "the rows stay",
      );
    });
  });
}

for (const { name, open } of FRESH) {
  describe(`0006_job_summary_columns on ${name}`, () => {
    let fresh: Fresh;
    before(async () => {
      fresh = await open();
    });
    after(() => fresh.dispose());

    it("copies each existing job's description, operation and dialect out of its spec, and comes off again", async () => {
      await migrateTo(fresh.db, fresh.dialect, "0005_control_plane_indexes");
      const spec = (description: string | undefined, kind: string, dialect: string) =>
        JSON.stringify({ description, operation: { kind, extra: { deep: [1, 2] } }, dialect, priority: 1 });
      await sql`insert into jobs (job_id, account_id, status, priority, creation_time, spec, client_request_token,
        request_fingerprint, updated_time) values
        ('j1', 'a', 'Ready', 5, 1, ${spec("copy 'them' all", "PutObjectCopy", "cos")}, 't1', 'f', 1),
        ('j2', 'a', 'Ready', 5, 2, ${spec(undefined, "S3DeleteObject", "s3control")}, 't2', 'f', 1)`.execute(fresh.db);
      await migrateToLatest(fresh.db, fresh.dialect);
      const { rows } = await sql<{
        job_id: string;
        description: string | null;
        operation_kind: string;
        dialect: string;
      }>`
        select job_id, description, operation_kind, dialect from jobs order by job_id`.execute(fresh.db);
      assert.deepEqual(
        rows.map((r) => ({ ...r })),
        [
          { job_id: "j1", description: "copy 'them' all", operation_kind: "PutObjectCopy", dialect: "cos" },
          { job_id: "j2", description: null, operation_kind: "S3DeleteObject", dialect: "s3control" },
        ],
      );
      await migrateTo(fresh.db, fresh.dialect, "0005_control_plane_indexes");
      assert.ok(!(await schemaOf(fresh.db)).jobs?.includes("operation_kind"), "down: the columns are gone");
      assert.equal((await sql`select job_id from jobs`.execute(fresh.db)).rows.length, 2, "the rows stay");
    });
  });
}

for (const { name, open } of FRESH) {
  describe(`0007_failure_causes on ${name}`, () => {
    let fresh: Fresh;
    before(async () => {
      fresh = await open();
    });
    after(() => fresh.dispose());

    it("adds the table of failure causes to a store with jobs, keyed per cause, gone with its job, and comes off", async () => {
      await migrateTo(fresh.db, fresh.dialect, "0006_job_summary_columns");
      await sql`insert into jobs (job_id, account_id, status, priority, creation_time, spec, client_request_token,
        request_fingerprint, updated_time) values ('j1', 'a', 'Complete', 5, 1, '{}', 't1', 'f', 1)`.execute(fresh.db);
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.deepEqual(await appliedMigrations(fresh.db), MIGRATIONS);
      await sql`insert into failure_causes (job_id, http_status, error_code, count) values ('j1', 404, 'NoSuchKey', 2)`.execute(
        fresh.db,
      );
      await assert.rejects(
        sql`insert into failure_causes (job_id, http_status, error_code, count) values ('j1', 404, 'NoSuchKey', 1)`.execute(
          fresh.db,
        ),
        "one row per cause",
      );
      const { rows } = await sql<{ sample_keys: string }>`select sample_keys from failure_causes`.execute(fresh.db);
      assert.deepEqual(
        rows.map((r) => r.sample_keys),
        ["[]"],
        "no samples by default",
      );
      if (name === "SQLite") await sql`pragma foreign_keys = on`.execute(fresh.db);
      await sql`delete from jobs where job_id = 'j1'`.execute(fresh.db);
      assert.equal((await sql`select job_id from failure_causes`.execute(fresh.db)).rows.length, 0, "cascades");

      await migrateTo(fresh.db, fresh.dialect, "0006_job_summary_columns");
      assert.equal((await schemaOf(fresh.db)).failure_causes, undefined, "down: the table is gone");
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.ok((await schemaOf(fresh.db)).failure_causes, "and up again");
    });
  });
}

/** The live-progress index's definition as the database keeps it, or undefined when there is none. */
async function liveProgressIndex(db: Kysely<unknown>, dialect: string): Promise<string | undefined> {
  const { rows } =
    dialect === "SQLite"
      ? await sql<{ def: string }>`select sql as def from sqlite_master where name = 'chunks_live_progress'`.execute(db)
      : await sql<{
          def: string;
        }>`select indexdef as def from pg_indexes where indexname = 'chunks_live_progress'`.execute(db);
  return rows[0]?.def;
}

for (const { name, open } of FRESH) {
  describe(`0008_live_progress on ${name}`, () => {
    let fresh: Fresh;
    before(async () => {
      fresh = await open();
    });
    after(() => fresh.dispose());

    it("gives existing chunks live counts of zero and indexes only chunks with some, and comes off", async () => {
      await migrateTo(fresh.db, fresh.dialect, "0007_failure_causes");
      await sql`insert into jobs (job_id, account_id, status, priority, creation_time, spec, client_request_token,
        request_fingerprint, updated_time) values ('j1', 'a', 'Active', 5, 1, '{}', 't1', 'f', 1)`.execute(fresh.db);
      await sql`insert into chunks (job_id, seq, start_byte, end_byte, first_record, records, state, attempts,
        succeeded, failed) values ('j1', 0, 0, 10, 0, 10, 'leased', 1, 0, 0)`.execute(fresh.db);
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.deepEqual(await appliedMigrations(fresh.db), MIGRATIONS);
      const { rows } = await sql<{
        s: number;
        f: number;
      }>`select live_succeeded as s, live_failed as f from chunks`.execute(fresh.db);
      assert.deepEqual(
        rows.map((r) => [Number(r.s), Number(r.f)]),
        [[0, 0]],
      );
      assert.match((await liveProgressIndex(fresh.db, name)) ?? "", /where.*live_succeeded.*\+.*live_failed.*> 0/i);

      await migrateTo(fresh.db, fresh.dialect, "0007_failure_causes");
      assert.equal(await liveProgressIndex(fresh.db, name), undefined, "down: the index is gone");
      assert.ok(!(await schemaOf(fresh.db)).chunks?.includes("live_succeeded"), "and the columns");
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.ok(await liveProgressIndex(fresh.db, name), "and up again");
    });
  });
}

/** The columns of jobs_status_queue, in order, as the database describes the index. */
async function queueIndexColumns(db: Kysely<unknown>, dialect: string): Promise<string> {
  const { rows } =
    dialect === "SQLite"
      ? await sql<{ def: string }>`select sql as def from sqlite_master where name = 'jobs_status_queue'`.execute(db)
      : await sql<{
          def: string;
        }>`select indexdef as def from pg_indexes where indexname = 'jobs_status_queue'`.execute(db);
  const def = rows[0]?.def ?? "";
  return (/\((.*)\)/.exec(def)?.[1] ?? "").replace(/["`]/g, "").replace(/\s+/g, " ").toLowerCase();
}

for (const { name, open } of FRESH) {
  describe(`0009_user_pause on ${name}`, () => {
    let fresh: Fresh;
    before(async () => {
      fresh = await open();
    });
    after(() => fresh.dispose());

    it("gives existing jobs held = 0, rebuilds the queue index with held after the status, and comes off", async () => {
      await migrateTo(fresh.db, fresh.dialect, "0008_live_progress");
      assert.equal(await queueIndexColumns(fresh.db, name), "status, priority desc, creation_time, job_id");
      await sql`insert into jobs (job_id, account_id, status, priority, creation_time, spec, client_request_token,
        request_fingerprint, updated_time) values ('j1', 'a', 'Paused', 5, 1, '{}', 't1', 'f', 1)`.execute(fresh.db);
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.deepEqual(await appliedMigrations(fresh.db), MIGRATIONS);
      const { rows } = await sql<{ held: number }>`select held from jobs`.execute(fresh.db);
      assert.deepEqual(
        rows.map((r) => Number(r.held)),
        [0],
      );
      assert.equal(await queueIndexColumns(fresh.db, name), "status, held, priority desc, creation_time, job_id");

      await migrateTo(fresh.db, fresh.dialect, "0008_live_progress");
      assert.ok(!(await schemaOf(fresh.db)).jobs?.includes("held"), "down: the column is gone");
      assert.equal(
        await queueIndexColumns(fresh.db, name),
        "status, priority desc, creation_time, job_id",
        "and the index is as before",
      );
      assert.equal((await sql`select job_id from jobs`.execute(fresh.db)).rows.length, 1, "the rows stay");
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.ok((await schemaOf(fresh.db)).jobs?.includes("held"), "and up again");
    });
  });

  describe(`0010_job_events on ${name}`, () => {
    let fresh: Fresh;
    before(async () => {
      fresh = await open();
    });
    after(() => fresh.dispose());

    it("adds the events table with ids that never go back, a horizon of 0, and comes off", async () => {
      await migrateTo(fresh.db, fresh.dialect, "0009_user_pause");
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.deepEqual(await appliedMigrations(fresh.db), MIGRATIONS);
      const { rows: horizon } = await sql<{
        purged_through: number;
      }>`select purged_through from job_event_horizon`.execute(fresh.db);
      assert.deepEqual(
        horizon.map((r) => Number(r.purged_through)),
        [0],
      );
      const insert = (n: number) =>
        sql`insert into job_events (account_id, job_id, type, status, payload, time)
          values ('a', ${`j${n}`}, 'job.created', 'New', '{}', ${n})`.execute(fresh.db);
      await insert(1);
      await insert(2);
      await sql`delete from job_events`.execute(fresh.db);
      await insert(3);
      const { rows } = await sql<{ id: number; job_id: string }>`select id, job_id from job_events`.execute(fresh.db);
      assert.equal(rows.length, 1);
      assert.ok(Number(rows[0].id) > 2, "an id is never given twice, even after the largest is deleted");

      await migrateTo(fresh.db, fresh.dialect, "0009_user_pause");
      const schema = await schemaOf(fresh.db);
      assert.equal(schema.job_events, undefined, "down: the tables are gone");
      assert.equal(schema.job_event_horizon, undefined);
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.ok((await schemaOf(fresh.db)).job_events, "and up again");
    });
  });
}

for (const { name, open } of FRESH) {
  describe(`0011_sessions on ${name}`, () => {
    let fresh: Fresh;
    before(async () => {
      fresh = await open();
    });
    after(() => fresh.dispose());

    it("adds console_sessions, which comes off again with the jobs untouched", async () => {
      await migrateTo(fresh.db, fresh.dialect, "0009_user_pause");
      assert.equal((await schemaOf(fresh.db)).console_sessions, undefined);
      await sql`insert into jobs (job_id, account_id, status, priority, creation_time, spec, client_request_token,
        request_fingerprint, updated_time) values ('j1', 'a', 'Ready', 5, 1, '{}', 't1', 'f', 1)`.execute(fresh.db);
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.deepEqual((await schemaOf(fresh.db)).console_sessions, [...LATEST_SCHEMA.console_sessions!].sort());
      await sql`insert into console_sessions values ('h', 'a', 'AK', 1, 10, 5)`.execute(fresh.db);
      await migrateTo(fresh.db, fresh.dialect, "0009_user_pause");
      assert.equal((await schemaOf(fresh.db)).console_sessions, undefined, "down: the table is gone");
      assert.equal((await sql`select job_id from jobs`.execute(fresh.db)).rows.length, 1, "the jobs stay");
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.ok((await schemaOf(fresh.db)).console_sessions, "and up again");
    });
  });
}

for (const { name, open } of FRESH) {
  describe(`0013_schedules on ${name}`, () => {
    let fresh: Fresh;
    before(async () => {
      fresh = await open();
    });
    after(() => fresh.dispose());

    it("adds schedules and schedule_runs, which come off again with the jobs untouched", async () => {
      await migrateTo(fresh.db, fresh.dialect, "0011_sessions");
      assert.equal((await schemaOf(fresh.db)).schedules, undefined);
      await sql`insert into jobs (job_id, account_id, status, priority, creation_time, spec, client_request_token,
        request_fingerprint, updated_time) values ('j1', 'a', 'Ready', 5, 1, '{}', 't1', 'f', 1)`.execute(fresh.db);
      await migrateToLatest(fresh.db, fresh.dialect);
      const schema = await schemaOf(fresh.db);
      assert.deepEqual(schema.schedules, [...LATEST_SCHEMA.schedules!].sort());
      assert.deepEqual(schema.schedule_runs, [...LATEST_SCHEMA.schedule_runs!].sort());
      await sql`insert into schedules (schedule_id, account_id, cron, time_zone, catch_up, template, next_due_at,
        created_at, updated_at) values ('s1', 'a', '* * * * *', 'UTC', 'latest', '{}', 60000, 1, 1)`.execute(fresh.db);
      await sql`insert into schedule_runs (schedule_id, due_at, job_id, outcome, recorded_at)
        values ('s1', 60000, 'j1', 'created', 2)`.execute(fresh.db);
      await assert.rejects(
        sql`insert into schedule_runs (schedule_id, due_at, outcome, recorded_at)
          values ('s1', 60000, 'failed', 3)`.execute(fresh.db),
        "one run per (schedule, due time)",
      );
      await migrateTo(fresh.db, fresh.dialect, "0011_sessions");
      const down = await schemaOf(fresh.db);
      assert.equal(down.schedules, undefined, "down: the tables are gone");
      assert.equal(down.schedule_runs, undefined);
      assert.equal((await sql`select job_id from jobs`.execute(fresh.db)).rows.length, 1, "the jobs stay");
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.ok((await schemaOf(fresh.db)).schedules, "and up again");
    });
  });
}

for (const { name, open } of FRESH) {
  describe(`0014_access_tokens on ${name}`, () => {
    let fresh: Fresh;
    before(async () => {
      fresh = await open();
    });
    after(() => fresh.dispose());

    it("adds access_tokens, one row per secret's hash, which comes off again with the jobs untouched", async () => {
      await migrateTo(fresh.db, fresh.dialect, "0013_schedules");
      assert.equal((await schemaOf(fresh.db)).access_tokens, undefined);
      await sql`insert into jobs (job_id, account_id, status, priority, creation_time, spec, client_request_token,
        request_fingerprint, updated_time) values ('j1', 'a', 'Ready', 5, 1, '{}', 't1', 'f', 1)`.execute(fresh.db);
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.deepEqual((await schemaOf(fresh.db)).access_tokens, [...LATEST_SCHEMA.access_tokens!].sort());
      await sql`insert into access_tokens (token_id, account_id, token_hash, created_at, expires_at)
        values ('t1', 'a', 'h1', 1, 2)`.execute(fresh.db);
      await assert.rejects(
        sql`insert into access_tokens (token_id, account_id, token_hash, created_at, expires_at)
          values ('t2', 'b', 'h1', 1, 2)`.execute(fresh.db),
        "one token per hash",
      );
      await migrateTo(fresh.db, fresh.dialect, "0013_schedules");
      assert.equal((await schemaOf(fresh.db)).access_tokens, undefined, "down: the table is gone");
      assert.equal((await sql`select job_id from jobs`.execute(fresh.db)).rows.length, 1, "the jobs stay");
      await migrateToLatest(fresh.db, fresh.dialect);
      assert.ok((await schemaOf(fresh.db)).access_tokens, "and up again");
    });
  });
}
