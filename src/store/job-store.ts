/**
 * JobStore: every read and write of jobs and chunks, over SQLite or PostgreSQL. State changes of the queue
 * live in small modules of their own (jobs/, chunks/); this class gives them one handle.
 */
import { sql } from "kysely";
import type { JobFailure, Tag } from "../domain/job.js";
import { isTerminal, type JobStatus, TERMINAL_STATUSES } from "../domain/status.js";
import type { TaskStatus } from "../domain/task.js";
import { abandonUnfinishedChunks } from "./chunks/abandon-chunks.js";
import { type ChunkResults, completeChunk } from "./chunks/complete-chunk.js";
import { type ChunkPlanRow, deleteChunks, insertChunks } from "./chunks/insert-chunks.js";
import { type LeasedChunk, leaseChunk } from "./chunks/lease-chunk.js";
import { countChunks } from "./chunks/read-chunks.js";
import { releaseChunk } from "./chunks/release-chunk.js";
import { renewLeases } from "./chunks/renew-leases.js";
import type { StoreConnection } from "./connect.js";
import type { JobRow } from "./job-row.js";
import { DuplicateTokenError, insertJob, insertJobUnderCap, type NewJobRow } from "./jobs/insert-job.js";
import { type TransitionPatch, transitionJob } from "./jobs/transition-job.js";
import {
  completeReportFile,
  dropEmptyReportFile,
  type ReportFile,
  recordReportPart,
  reportFiles,
  rowsBetween,
  rowsExtents,
  startReportFile,
} from "./reports/report-files.js";

export { DuplicateTokenError, type NewJobRow };

export class JobStore {
  constructor(private readonly conn: StoreConnection) {}

  get dialect() {
    return this.conn.dialect;
  }

  close() {
    return this.conn.close();
  }

  private get db() {
    return this.conn.db;
  }

  // ---- jobs -------------------------------------------------------------------------------------------------

  /** Throws DuplicateTokenError when the job's ClientRequestToken was already used in its account. */
  insertJob(row: NewJobRow): Promise<void> {
    return insertJob(this.db, row);
  }

  /** Inserts the job unless its account has `cap` unfinished jobs already (then false), in one transaction. */
  insertJobUnderCap(row: NewJobRow, cap: number): Promise<boolean> {
    return insertJobUnderCap(this.db, this.conn.dialect, row, cap);
  }

  /**
   * For /healthz: true when the store answers a probe within `timeoutMs` (a write on SQLite) and no statement
   * has found it unavailable since (a failed write stays a failure until a write succeeds).
   */
  isHealthy(timeoutMs = 2_000): Promise<boolean> {
    return this.conn.health.check(() => this.conn.probe(), timeoutMs);
  }

  getJob(jobId: string): Promise<JobRow | undefined> {
    return this.db.selectFrom("jobs").selectAll().where("job_id", "=", jobId).executeTakeFirst();
  }

  getAccountJob(accountId: string, jobId: string): Promise<JobRow | undefined> {
    return this.db
      .selectFrom("jobs")
      .selectAll()
      .where("job_id", "=", jobId)
      .where("account_id", "=", accountId)
      .executeTakeFirst();
  }

  findByToken(accountId: string, token: string): Promise<JobRow | undefined> {
    return this.db
      .selectFrom("jobs")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("client_request_token", "=", token)
      .executeTakeFirst();
  }

  /** Newest first (creation time, then job id, both descending): stable while jobs are being added. */
  listJobs(
    accountId: string,
    statuses: readonly JobStatus[] | undefined,
    limit: number,
    after?: { creationTime: number; jobId: string },
  ): Promise<JobRow[]> {
    let q = this.db.selectFrom("jobs").selectAll().where("account_id", "=", accountId);
    if (statuses && statuses.length > 0) q = q.where("status", "in", statuses);
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb("creation_time", "<", after.creationTime),
          eb.and([eb("creation_time", "=", after.creationTime), eb("job_id", "<", after.jobId)]),
        ]),
      );
    }
    return q.orderBy("creation_time", "desc").orderBy("job_id", "desc").limit(limit).execute();
  }

  async countUnfinished(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom("jobs")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("account_id", "=", accountId)
      .where("status", "not in", [...TERMINAL_STATUSES])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Jobs in the given statuses, highest priority first, then oldest first. */
  jobsInStatuses(statuses: readonly JobStatus[]): Promise<JobRow[]> {
    return this.db
      .selectFrom("jobs")
      .selectAll()
      .where("status", "in", statuses)
      .orderBy("priority", "desc")
      .orderBy("creation_time", "asc")
      .orderBy("job_id", "asc")
      .execute();
  }

  transition(jobId: string, from: JobStatus, to: JobStatus, now: number, patch?: TransitionPatch) {
    return transitionJob(this.db, jobId, from, to, now, patch);
  }

  async updatePriority(jobId: string, priority: number, now: number): Promise<void> {
    await this.db.updateTable("jobs").set({ priority, updated_time: now }).where("job_id", "=", jobId).execute();
  }

  async markConfirmed(jobId: string, reason: string | undefined, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable("jobs")
      .set({ confirmed: 1, status_update_reason: reason ?? null, updated_time: now })
      .where("job_id", "=", jobId)
      .where("status", "=", "Preparing")
      .executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }

  async setTags(jobId: string, tags: readonly Tag[], now: number): Promise<void> {
    await this.db
      .updateTable("jobs")
      .set({ tags: JSON.stringify(tags), updated_time: now })
      .where("job_id", "=", jobId)
      .execute();
  }

  async addFailureReason(jobId: string, failure: JobFailure, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom("jobs").select("failure_reasons").where("job_id", "=", jobId).executeTakeFirst();
      if (!row) return;
      const reasons = JSON.parse(row.failure_reasons) as JobFailure[];
      reasons.push(failure);
      await trx
        .updateTable("jobs")
        .set({ failure_reasons: JSON.stringify(reasons), updated_time: now })
        .where("job_id", "=", jobId)
        .execute();
    });
  }

  /** Deletes a terminal job and its chunks. Returns false if the job is not terminal (or gone). */
  async deleteTerminalJob(jobId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom("jobs").select("status").where("job_id", "=", jobId).executeTakeFirst();
      if (!row || !isTerminal(row.status as JobStatus)) return false;
      await trx.deleteFrom("chunks").where("job_id", "=", jobId).execute();
      await trx.deleteFrom("report_files").where("job_id", "=", jobId).execute();
      await trx.deleteFrom("jobs").where("job_id", "=", jobId).execute();
      return true;
    });
  }

  /** Purges terminal jobs that ended before `before` (retention, D8). Returns how many. */
  async purgeTerminatedBefore(before: number): Promise<number> {
    const old = await this.db
      .selectFrom("jobs")
      .select("job_id")
      .where("status", "in", [...TERMINAL_STATUSES])
      .where("termination_time", "<", before)
      .execute();
    for (const { job_id } of old) await this.deleteTerminalJob(job_id);
    return old.length;
  }

  // ---- phases (preparing, finalising) -----------------------------------------------------------------------

  /**
   * Claims the right to prepare or finalise a job in `status`: granted when nobody holds it, the holder's
   * claim expired (it died), or the caller already holds it.
   */
  async claimPhase(jobId: string, status: JobStatus, owner: string, now: number, ttlMs: number) {
    const r = await this.db
      .updateTable("jobs")
      .set({ phase_owner: owner, phase_expires: now + ttlMs })
      .where("job_id", "=", jobId)
      .where("status", "=", status)
      .where((eb) =>
        eb.or([eb("phase_owner", "is", null), eb("phase_expires", "<", now), eb("phase_owner", "=", owner)]),
      )
      .executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }

  async releasePhase(jobId: string, owner: string): Promise<void> {
    await this.db
      .updateTable("jobs")
      .set({ phase_owner: null, phase_expires: null })
      .where("job_id", "=", jobId)
      .where("phase_owner", "=", owner)
      .execute();
  }

  /** Records the counted manifest: total tasks and the manifest ETag chunk reads are pinned to. */
  async setPrepared(jobId: string, totalTasks: number, manifestEtag: string | null, now: number) {
    await this.db
      .updateTable("jobs")
      .set({ total_tasks: totalTasks, manifest_etag: manifestEtag, updated_time: now })
      .where("job_id", "=", jobId)
      .execute();
  }

  async setGeneratedManifest(jobId: string, descriptor: string, now: number) {
    await this.db
      .updateTable("jobs")
      .set({ generated_manifest: descriptor, updated_time: now })
      .where("job_id", "=", jobId)
      .execute();
  }

  // ---- chunks -----------------------------------------------------------------------------------------------

  insertChunks(jobId: string, plans: readonly ChunkPlanRow[]) {
    return insertChunks(this.db, jobId, plans);
  }

  deleteChunks(jobId: string) {
    return deleteChunks(this.db, jobId);
  }

  leaseChunk(jobId: string, leaseToken: string, now: number, leaseMs: number): Promise<LeasedChunk | undefined> {
    return leaseChunk(this.db, this.conn.dialect, jobId, leaseToken, now, leaseMs);
  }

  renewLeases(tokens: readonly string[], expires: number) {
    return renewLeases(this.db, tokens, expires);
  }

  releaseChunk(jobId: string, seq: number, leaseToken: string) {
    return releaseChunk(this.db, jobId, seq, leaseToken);
  }

  completeChunk(jobId: string, seq: number, leaseToken: string, results: ChunkResults, now: number) {
    return completeChunk(this.db, jobId, seq, leaseToken, results, now);
  }

  abandonUnfinishedChunks(jobId: string) {
    return abandonUnfinishedChunks(this.db, jobId);
  }

  countChunks(jobId: string, now: number) {
    return countChunks(this.db, jobId, now);
  }

  // ---- report files (report/report-flusher.ts) --------------------------------------------------------------

  reportFiles(jobId: string, status: TaskStatus) {
    return reportFiles(this.db, jobId, status);
  }

  startReportFile(jobId: string, file: ReportFile) {
    return startReportFile(this.db, jobId, file);
  }

  recordReportPart(
    jobId: string,
    file: ReportFile,
    next: Pick<ReportFile, "parts" | "bytes" | "throughSeq" | "md5State">,
  ) {
    return recordReportPart(this.db, jobId, file, next);
  }

  completeReportFile(jobId: string, file: ReportFile, md5: string) {
    return completeReportFile(this.db, jobId, file, md5);
  }

  dropEmptyReportFile(jobId: string, file: ReportFile) {
    return dropEmptyReportFile(this.db, jobId, file);
  }

  rowsExtents(jobId: string, status: TaskStatus, afterSeq: number, limit: number) {
    return rowsExtents(this.db, jobId, status, afterSeq, limit);
  }

  /** The report rows for `status` of chunks afterSeq+1..throughSeq, in chunk order. */
  rowsBetween(jobId: string, status: TaskStatus, afterSeq: number, throughSeq: number) {
    return rowsBetween(this.db, jobId, status, afterSeq, throughSeq);
  }

  /** For tests and diagnostics: the sum of the done chunks' counters must equal the job's. */
  async sumChunkCounters(jobId: string): Promise<{ succeeded: number; failed: number; records: number }> {
    const row = await this.db
      .selectFrom("chunks")
      .select([
        sql<number>`coalesce(sum(succeeded), 0)`.as("succeeded"),
        sql<number>`coalesce(sum(failed), 0)`.as("failed"),
        sql<number>`coalesce(sum(records), 0)`.as("records"),
      ])
      .where("job_id", "=", jobId)
      .executeTakeFirstOrThrow();
    return { succeeded: Number(row.succeeded), failed: Number(row.failed), records: Number(row.records) };
  }
}
