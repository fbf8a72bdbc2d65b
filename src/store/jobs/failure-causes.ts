/**
 * Failures by cause (D27), the job's table of them (migration 0007_failure_causes): one row per (job, HTTP
 * status, error code) with its count and up to five sample objects.
 *
 * `addFailureCauses` runs inside the transaction that records a chunk (chunks/complete-chunk.ts), after the
 * lease check: a chunk is recorded once, so its failures are counted once. Each cause is one upsert that adds
 * the chunk's count to the row (`count = count + excluded.count`, on both SQLite and PostgreSQL), so two chunks
 * recorded at once both land. The upsert also returns the samples the row holds; only when the row had room
 * for more are they rewritten, while the upsert's row lock (PostgreSQL) or the write lock (SQLite, BEGIN
 * IMMEDIATE) is held, so no concurrent writer falls between the read and the write.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import {
  byCount,
  type FailureCause,
  MAX_SAMPLE_KEYS,
  mergeSamples,
  type SampleKey,
} from "../../domain/failure-causes.js";
import type { Database } from "../schema.js";

export async function addFailureCauses(
  trx: Transaction<Database>,
  jobId: string,
  causes: readonly FailureCause[],
): Promise<void> {
  for (const cause of causes) {
    if (cause.count <= 0) continue;
    const samples = cause.sampleKeys.slice(0, MAX_SAMPLE_KEYS);
    const row = await trx
      .insertInto("failure_causes")
      .values({
        job_id: jobId,
        http_status: cause.httpStatus,
        error_code: cause.errorCode,
        count: cause.count,
        sample_keys: JSON.stringify(samples),
      })
      .onConflict((oc) =>
        oc
          .columns(["job_id", "http_status", "error_code"])
          .doUpdateSet({ count: sql<number>`${sql.ref("failure_causes.count")} + ${sql.ref("excluded.count")}` }),
      )
      .returning("sample_keys")
      .executeTakeFirstOrThrow();
    const kept = JSON.parse(row.sample_keys) as SampleKey[];
    if (kept.length >= MAX_SAMPLE_KEYS) continue;
    const merged = mergeSamples(kept, samples);
    if (merged.length === kept.length) continue; // a new row (it holds these samples already), or nothing new
    await trx
      .updateTable("failure_causes")
      .set({ sample_keys: JSON.stringify(merged) })
      .where("job_id", "=", jobId)
      .where("http_status", "=", cause.httpStatus)
      .where("error_code", "=", cause.errorCode)
      .execute();
  }
}

/**
 * The job's causes, most tasks first (domain byCount). A job has a row per distinct failure, which the storage's
 * error codes bound (a few dozen at most); `limit` bounds what one read returns all the same.
 */
export async function readFailureCauses(
  db: Kysely<Database> | Transaction<Database>,
  jobId: string,
  limit = 1_000,
): Promise<FailureCause[]> {
  const rows = await db
    .selectFrom("failure_causes")
    .select(["http_status", "error_code", "count", "sample_keys"])
    .where("job_id", "=", jobId)
    .orderBy("count", "desc")
    .orderBy("http_status", "asc")
    .orderBy("error_code", "asc")
    .limit(limit)
    .execute();
  return rows
    .map((r) => ({
      httpStatus: Number(r.http_status),
      errorCode: r.error_code,
      count: Number(r.count),
      sampleKeys: JSON.parse(r.sample_keys) as SampleKey[],
    }))
    .sort(byCount);
}
