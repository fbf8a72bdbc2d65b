/**
 * Schema migrations, written with Kysely's schema builder so one list serves SQLite and PostgreSQL.
 * Append new migrations; never edit one that has shipped.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import type { StoreDialect } from "./connect.js";

/** Every migration, in order; the dialect is for the few that must say something in each one's own SQL. */
const migrationsFor = (dialect: StoreDialect): Record<string, Migration> => ({
  "0001_jobs_and_chunks": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("jobs")
        .addColumn("job_id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("account_id", "varchar(64)", (c) => c.notNull())
        .addColumn("status", "varchar(16)", (c) => c.notNull())
        .addColumn("priority", "bigint", (c) => c.notNull())
        .addColumn("creation_time", "bigint", (c) => c.notNull())
        .addColumn("termination_time", "bigint")
        .addColumn("suspended_time", "bigint")
        .addColumn("suspended_cause", "text")
        .addColumn("status_update_reason", "text")
        .addColumn("failure_reasons", "text", (c) => c.notNull().defaultTo("[]"))
        .addColumn("spec", "text", (c) => c.notNull())
        .addColumn("client_request_token", "varchar(64)", (c) => c.notNull())
        .addColumn("request_fingerprint", "varchar(64)", (c) => c.notNull())
        .addColumn("tags", "text", (c) => c.notNull().defaultTo("[]"))
        .addColumn("total_tasks", "bigint", (c) => c.notNull().defaultTo(-1))
        .addColumn("succeeded", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("failed", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("active_ms", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("active_since", "bigint")
        .addColumn("confirmed", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("manifest_etag", "text")
        .addColumn("generated_manifest", "text")
        .addColumn("phase_owner", "varchar(64)")
        .addColumn("phase_expires", "bigint")
        .addColumn("updated_time", "bigint", (c) => c.notNull())
        .addUniqueConstraint("jobs_account_token", ["account_id", "client_request_token"])
        .execute();
      await db.schema
        .createIndex("jobs_account_listing")
        .on("jobs")
        .columns(["account_id", "creation_time", "job_id"])
        .execute();
      await db.schema.createIndex("jobs_status_priority").on("jobs").columns(["status", "priority"]).execute();

      await db.schema
        .createTable("chunks")
        .addColumn("job_id", "varchar(64)", (c) => c.notNull().references("jobs.job_id").onDelete("cascade"))
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("start_byte", "bigint", (c) => c.notNull())
        .addColumn("end_byte", "bigint", (c) => c.notNull())
        .addColumn("first_record", "bigint", (c) => c.notNull())
        .addColumn("records", "integer", (c) => c.notNull())
        .addColumn("state", "varchar(8)", (c) => c.notNull().defaultTo("pending"))
        .addColumn("lease_token", "varchar(64)")
        .addColumn("lease_expires", "bigint")
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("succeeded", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("failed", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("succeeded_rows", "text")
        .addColumn("failed_rows", "text")
        .addPrimaryKeyConstraint("chunks_pk", ["job_id", "seq"])
        .execute();
      await db.schema.createIndex("chunks_job_state").on("chunks").columns(["job_id", "state", "seq"]).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("chunks").execute();
      await db.schema.dropTable("jobs").execute();
      await sql`select 1`.execute(db);
    },
  },
  /**
   * Chunks of generated and inventory manifests carry their tasks inline (JSON, see manifest/inline-tasks.ts)
   * instead of pointing at a byte range of a CSV manifest object.
   */
  "0002_chunk_tasks": {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("chunks").addColumn("tasks", "text").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("chunks").dropColumn("tasks").execute();
    },
  },
  /** Results files of completion reports, written part by part while a job runs (report-flusher.ts). */
  "0003_report_files": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("report_files")
        .addColumn("job_id", "varchar(64)", (c) => c.notNull().references("jobs.job_id").onDelete("cascade"))
        .addColumn("status", "varchar(16)", (c) => c.notNull())
        .addColumn("file_index", "integer", (c) => c.notNull())
        .addColumn("object_key", "text", (c) => c.notNull())
        .addColumn("upload_id", "text")
        .addColumn("parts", "text", (c) => c.notNull().defaultTo("[]"))
        .addColumn("part_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("bytes", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("through_seq", "integer", (c) => c.notNull())
        .addColumn("md5_state", "text", (c) => c.notNull())
        .addColumn("md5", "varchar(32)")
        .addColumn("completed", "integer", (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint("report_files_pk", ["job_id", "status", "file_index"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("report_files").execute();
    },
  },
  /**
   * The signatures seen on requests whose signature does not cover everything the handler reads (a COS body,
   * an OSS V1 request's parameters), each bound to the digest of the first request it came with
   * (store/signatures/). Rows live as long as the signature is valid, then are purged.
   */
  "0004_request_signatures": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("request_signatures")
        .addColumn("scheme", "varchar(16)", (c) => c.notNull())
        .addColumn("access_key_id", "text", (c) => c.notNull())
        .addColumn("signature", "varchar(128)", (c) => c.notNull())
        .addColumn("bound_digest", "varchar(64)", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("request_signatures_pk", ["scheme", "access_key_id", "signature"])
        .execute();
      await db.schema.createIndex("request_signatures_expiry").on("request_signatures").column("expires_at").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("request_signatures").execute();
    },
  },
  /**
   * Indexes that keep the engine's tick and the listings bounded however many jobs the store holds
   * (store/jobs/queue-reads.ts, claim-preparation.ts, read-jobs.ts, purge-terminated-jobs.ts):
   * - jobs_status_queue: a status's jobs in the scheduler's order (highest priority, then oldest), so "the first
   *   k Ready jobs" reads k index entries. It replaces jobs_status_priority, whose ascending priority no query
   *   walks.
   * - jobs_account_status_listing: an account's jobs of one status, newest first: ListJobs with a status filter,
   *   and the unfinished-jobs cap counted up to the cap (insert-job.ts).
   * - jobs_termination: retention's purge, oldest finished first (termination_time is set exactly when a job
   *   becomes terminal).
   * - jobs_status_suspended: the Suspended jobs past their confirmation timeout, oldest first.
   */
  "0005_control_plane_indexes": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex("jobs_status_queue")
        .on("jobs")
        .columns(["status", "priority desc", "creation_time", "job_id"])
        .execute();
      await db.schema.dropIndex("jobs_status_priority").execute();
      await db.schema
        .createIndex("jobs_account_status_listing")
        .on("jobs")
        .columns(["account_id", "status", "creation_time", "job_id"])
        .execute();
      await db.schema.createIndex("jobs_termination").on("jobs").column("termination_time").execute();
      await db.schema.createIndex("jobs_status_suspended").on("jobs").columns(["status", "suspended_time"]).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex("jobs_status_suspended").execute();
      await db.schema.dropIndex("jobs_termination").execute();
      await db.schema.dropIndex("jobs_account_status_listing").execute();
      await db.schema.createIndex("jobs_status_priority").on("jobs").columns(["status", "priority"]).execute();
      await db.schema.dropIndex("jobs_status_queue").execute();
    },
  },
  /**
   * What a listing shows of a job besides its counters (description, operation, the dialect it came through)
   * in columns of their own, copied from the spec JSON: a page of 100 jobs reads and decodes no spec (D24).
   */
  "0006_job_summary_columns": {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("jobs").addColumn("description", "text").execute();
      await db.schema
        .alterTable("jobs")
        .addColumn("operation_kind", "varchar(64)", (c) => c.notNull().defaultTo(""))
        .execute();
      await db.schema
        .alterTable("jobs")
        .addColumn("dialect", "varchar(16)", (c) => c.notNull().defaultTo(""))
        .execute();
      if (dialect === "postgres") {
        await sql`update jobs set description = spec::json->>'description',
          operation_kind = coalesce(spec::json->'operation'->>'kind', ''),
          dialect = coalesce(spec::json->>'dialect', '')`.execute(db);
      } else {
        await sql`update jobs set description = json_extract(spec, '$.description'),
          operation_kind = coalesce(json_extract(spec, '$.operation.kind'), ''),
          dialect = coalesce(json_extract(spec, '$.dialect'), '')`.execute(db);
      }
    },
    async down(db: Kysely<unknown>) {
      for (const column of ["dialect", "operation_kind", "description"]) {
        await db.schema.alterTable("jobs").dropColumn(column).execute();
      }
    },
  },
  /**
   * Failures by cause (D27): per job, the failed tasks of each (HTTP status, error code) counted, with a few
   * sample objects, written in the transaction that records each chunk. Goes with its job (foreign key).
   */
  "0007_failure_causes": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("failure_causes")
        .addColumn("job_id", "varchar(64)", (c) => c.notNull().references("jobs.job_id").onDelete("cascade"))
        .addColumn("http_status", "integer", (c) => c.notNull())
        .addColumn("error_code", "varchar(128)", (c) => c.notNull())
        .addColumn("count", "bigint", (c) => c.notNull())
        .addColumn("sample_keys", "text", (c) => c.notNull().defaultTo("[]"))
        .addPrimaryKeyConstraint("failure_causes_pk", ["job_id", "http_status", "error_code"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("failure_causes").execute();
    },
  },
  /**
   * Live progress (D30): what a running chunk has done so far. Only chunks with something to show are indexed,
   * so a job's live sum reads as many rows as it has chunks running (or handed back mid-run), never all of them.
   */
  "0008_live_progress": {
    async up(db: Kysely<unknown>) {
      for (const column of ["live_succeeded", "live_failed"]) {
        await db.schema
          .alterTable("chunks")
          .addColumn(column, "integer", (c) => c.notNull().defaultTo(0))
          .execute();
      }
      await db.schema
        .createIndex("chunks_live_progress")
        .on("chunks")
        .column("job_id")
        .where(sql<boolean>`live_succeeded + live_failed > 0`)
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex("chunks_live_progress").execute();
      for (const column of ["live_failed", "live_succeeded"]) {
        await db.schema.alterTable("chunks").dropColumn(column).execute();
      }
    },
  },
  /**
   * Pause by the user (D31): `held` is 1 while a user holds the job paused (it is Pausing or Paused then, and
   * only then). jobs_status_queue is rebuilt with `held` after the status, so that the engine's read of the first
   * Paused jobs that may resume (held = 0) stays an index range; every queue read names held = 0 (always true
   * outside Pausing and Paused), so each is still a range of the index in queue order.
   */
  "0009_user_pause": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("jobs")
        .addColumn("held", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.dropIndex("jobs_status_queue").execute();
      await db.schema
        .createIndex("jobs_status_queue")
        .on("jobs")
        .columns(["status", "held", "priority desc", "creation_time", "job_id"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex("jobs_status_queue").execute();
      await db.schema
        .createIndex("jobs_status_queue")
        .on("jobs")
        .columns(["status", "priority desc", "creation_time", "job_id"])
        .execute();
      await db.schema.alterTable("jobs").dropColumn("held").execute();
    },
  },
  /**
   * Job events (D34): one row per change of a job, written in the transaction that makes the change, read in id
   * order by the API's event feed (service/job-event-feed.ts) and, later, webhooks. No foreign key to jobs: a
   * deleted job's events are deleted with it, but its `job.deleted` event outlives it. `job_event_horizon` holds
   * one row: the highest id purged by age, so a reader resuming from before it is told (a `reset`) rather than
   * silently given a stream with a hole. SQLite's AUTOINCREMENT never reuses an id, even the largest one purged.
   */
  "0010_job_events": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("job_events")
        .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
          dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn("account_id", "varchar(64)", (c) => c.notNull())
        .addColumn("job_id", "varchar(64)", (c) => c.notNull())
        .addColumn("type", "varchar(32)", (c) => c.notNull())
        .addColumn("status", "varchar(16)", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull().defaultTo("{}"))
        .addColumn("time", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("job_events_account").on("job_events").columns(["account_id", "id"]).execute();
      await db.schema.createIndex("job_events_job").on("job_events").columns(["job_id", "id"]).execute();
      await db.schema
        .createTable("job_event_horizon")
        .addColumn("singleton", "integer", (c) => c.primaryKey())
        .addColumn("purged_through", "bigint", (c) => c.notNull())
        .execute();
      await sql`insert into job_event_horizon (singleton, purged_through) values (1, 0)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("job_event_horizon").execute();
      await db.schema.dropTable("job_events").execute();
    },
  },
  /**
   * Console sessions of the JSON API (D33): one row per session, named by the SHA-256 of its token (the token
   * itself is only ever in the browser's cookie), with the account and access key it was opened with, its
   * absolute end and its idle end (never after the absolute one). An account's sessions are revoked together
   * through console_sessions_account; ended ones are purged through console_sessions_idle_end.
   */
  "0011_sessions": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("console_sessions")
        .addColumn("token_hash", "varchar(64)", (c) => c.primaryKey())
        .addColumn("account_id", "varchar(64)", (c) => c.notNull())
        .addColumn("access_key_id", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("idle_expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("console_sessions_account").on("console_sessions").column("account_id").execute();
      await db.schema
        .createIndex("console_sessions_idle_end")
        .on("console_sessions")
        .column("idle_expires_at")
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("console_sessions").execute();
    },
  },
  /**
   * Webhooks (D42): the accounts' webhooks (those of the config file are not stored), the outbox of their
   * deliveries (one row per webhook and CloudEvent, claimed with a lease, in order per webhook and job through
   * webhook_deliveries_job), and the cursor of the fan-out: every job event up to it has its deliveries
   * written. The cursor starts at the last event already written, so existing events are not announced.
   */
  "0012_webhooks": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("webhooks")
        .addColumn("webhook_id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("account_id", "varchar(64)", (c) => c.notNull())
        .addColumn("url", "text", (c) => c.notNull())
        .addColumn("event_types", "text", (c) => c.notNull())
        .addColumn("tag_filter", "text", (c) => c.notNull().defaultTo("[]"))
        .addColumn("secret", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("webhooks_account").on("webhooks").columns(["account_id", "created_at"]).execute();
      await db.schema
        .createTable("webhook_deliveries")
        .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
          dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn("webhook_id", "varchar(64)", (c) => c.notNull())
        .addColumn("account_id", "varchar(64)", (c) => c.notNull())
        .addColumn("job_id", "varchar(64)", (c) => c.notNull())
        .addColumn("event_id", "varchar(80)", (c) => c.notNull())
        .addColumn("event_type", "varchar(48)", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("state", "varchar(16)", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("last_status", "integer")
        .addColumn("last_error", "text")
        .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
        .addColumn("give_up_at", "bigint", (c) => c.notNull())
        .addColumn("lease_owner", "varchar(64)")
        .addColumn("lease_expires", "bigint")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("finished_at", "bigint")
        .addUniqueConstraint("webhook_deliveries_event", ["webhook_id", "event_id"])
        .execute();
      await db.schema
        .createIndex("webhook_deliveries_due")
        .on("webhook_deliveries")
        .columns(["state", "next_attempt_at"])
        .execute();
      await db.schema
        .createIndex("webhook_deliveries_job")
        .on("webhook_deliveries")
        .columns(["webhook_id", "job_id", "id"])
        .execute();
      await db.schema
        .createTable("webhook_cursor")
        .addColumn("singleton", "integer", (c) => c.primaryKey())
        .addColumn("through_event", "bigint", (c) => c.notNull())
        .execute();
      await sql`insert into webhook_cursor (singleton, through_event)
        select 1, coalesce(max(id), 0) from job_events`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("webhook_cursor").execute();
      await db.schema.dropTable("webhook_deliveries").execute();
      await db.schema.dropTable("webhooks").execute();
    },
  },
  /**
   * Recurring jobs (D43): `schedules` holds each schedule (its cron, time zone, catch-up policy and job template)
   * and when it is next due: `next_due_at` is null while it is paused, so the scheduler's one read per tick (due
   * schedules, schedules_due) is an index range over active ones. A scheduler claims a due schedule with a
   * conditional UPDATE (claim_owner, claim_expires, and claim_due_at: the due time it is creating a job for, kept
   * until the run is recorded so that whoever takes an expired claim over finishes that same due time).
   * `schedule_runs` has one row per handled due time (its primary key), written in the transaction that moves
   * next_due_at on: the job it made, or why it made none.
   */
  "0013_schedules": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("schedules")
        .addColumn("schedule_id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("account_id", "varchar(64)", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("cron", "text", (c) => c.notNull())
        .addColumn("time_zone", "varchar(64)", (c) => c.notNull())
        .addColumn("catch_up", "varchar(16)", (c) => c.notNull())
        .addColumn("template", "text", (c) => c.notNull())
        .addColumn("paused", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("next_due_at", "bigint")
        .addColumn("claim_owner", "varchar(64)")
        .addColumn("claim_expires", "bigint")
        .addColumn("claim_due_at", "bigint")
        .addColumn("last_due_at", "bigint")
        .addColumn("last_job_id", "varchar(64)")
        .addColumn("last_outcome", "varchar(16)")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("schedules_due").on("schedules").column("next_due_at").execute();
      await db.schema
        .createIndex("schedules_account")
        .on("schedules")
        .columns(["account_id", "created_at", "schedule_id"])
        .execute();
      await db.schema
        .createTable("schedule_runs")
        .addColumn("schedule_id", "varchar(64)", (c) =>
          c.notNull().references("schedules.schedule_id").onDelete("cascade"),
        )
        .addColumn("due_at", "bigint", (c) => c.notNull())
        .addColumn("job_id", "varchar(64)")
        .addColumn("outcome", "varchar(16)", (c) => c.notNull())
        .addColumn("detail", "text")
        .addColumn("recorded_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("schedule_runs_pk", ["schedule_id", "due_at"])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("schedule_runs").execute();
      await db.schema.dropTable("schedules").execute();
    },
  },
  /**
   * Bearer access tokens (D44): one row per token, found by the SHA-256 of its secret (access_tokens_hash, unique;
   * the secret itself is only ever in the answer that issued it), listed per account oldest first
   * (access_tokens_account), purged some time after they expire (access_tokens_expiry).
   */
  "0014_access_tokens": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("access_tokens")
        .addColumn("token_id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("account_id", "varchar(64)", (c) => c.notNull())
        .addColumn("name", "text")
        .addColumn("token_hash", "varchar(64)", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("revoked_at", "bigint")
        .addColumn("last_used_at", "bigint")
        .execute();
      await db.schema.createIndex("access_tokens_hash").unique().on("access_tokens").column("token_hash").execute();
      await db.schema
        .createIndex("access_tokens_account")
        .on("access_tokens")
        .columns(["account_id", "created_at", "token_id"])
        .execute();
      await db.schema.createIndex("access_tokens_expiry").on("access_tokens").column("expires_at").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("access_tokens").execute();
    },
  },
});

class InlineMigrations implements MigrationProvider {
  constructor(private readonly dialect: StoreDialect) {}

  async getMigrations() {
    return migrationsFor(this.dialect);
  }
}

export async function migrateToLatest(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const migrator = new Migrator({ db, provider: new InlineMigrations(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    throw new Error(`job store migration ${failed?.migrationName ?? ""} failed: ${String(error)}`);
  }
}

/**
 * Migrates up or down to the named migration (the last one applied afterwards): for taking a store back to an
 * older release's schema, and for testing each migration's `down`.
 */
export async function migrateTo(db: Kysely<unknown>, dialect: StoreDialect, migrationName: string): Promise<void> {
  const migrator = new Migrator({ db, provider: new InlineMigrations(dialect) });
  const { error, results } = await migrator.migrateTo(migrationName);
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    throw new Error(`job store migration ${failed?.migrationName ?? ""} failed: ${String(error)}`);
  }
}
