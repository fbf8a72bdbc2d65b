/**
 * JobStore: every read and write of jobs, chunks, report files and job events, over SQLite or PostgreSQL. Each
 * state change is a small module of its own, one statement or one transaction (jobs/, chunks/, reports/), and
 * every change of a job writes its event in that transaction (events/, D34); this class gives
 * them one handle. What it hands out is the domain's (a Job, a JobSummary, a JobState, a LeasedChunk): the
 * table rows stay inside store/ (job-row.ts maps them).
 */
import type { FailureCause } from "../domain/failure-causes.js";
import type { GeneratedManifestDescriptor, Job, JobFailure, JobSummary, Tag } from "../domain/job.js";
import type { JobEvent } from "../domain/job-event.js";
import type { JobState } from "../domain/job-state.js";
import type { JobStatus } from "../domain/status.js";
import type { TaskStatus } from "../domain/task.js";
import { abandonUnfinishedChunks } from "./chunks/abandon-chunks.js";
import { type ChunkResults, completeChunk } from "./chunks/complete-chunk.js";
import { type ChunkPlanRow, deleteChunks, insertChunks } from "./chunks/insert-chunks.js";
import { type LeasedChunk, leaseChunk } from "./chunks/lease-chunk.js";
import { type LiveChunkProgress, recordLiveProgress } from "./chunks/live-progress.js";
import { countChunks, hasRunningChunks, hasUnfinishedChunks, sumChunkCounters } from "./chunks/read-chunks.js";
import { releaseChunk } from "./chunks/release-chunk.js";
import { renewLeases } from "./chunks/renew-leases.js";
import { readUnrunChunks, type UnrunChunk } from "./chunks/unrun-chunks.js";
import type { StoreConnection } from "./connect.js";
import { DuplicateTokenError, isStoreUnavailable } from "./errors.js";
import { purgeEventsBefore } from "./events/purge-events.js";
import {
  type EventLogBounds,
  type EventScope,
  readEventLogBounds,
  readEventsAfter,
  readScopeEvents,
} from "./events/read-events.js";
import { GroupCommit } from "./group-commit.js";
import type { NewJob } from "./job-row.js";
import { addFailureReason } from "./jobs/add-failure-reason.js";
import { claimPhase } from "./jobs/claim-phase.js";
import { claimNextPreparations } from "./jobs/claim-preparation.js";
import { countJobsByStatus } from "./jobs/count-by-status.js";
import { deleteTerminalJob } from "./jobs/delete-terminal-job.js";
import { readFailureCauses } from "./jobs/failure-causes.js";
import { type FinishingPreparation, finishPreparations, type PreparedManifest } from "./jobs/finish-preparation.js";
import { type CappedInsert, type CappedJob, insertJob, insertJobsUnderCap } from "./jobs/insert-job.js";
import { markConfirmed } from "./jobs/mark-confirmed.js";
import { purgeTerminatedBefore } from "./jobs/purge-terminated-jobs.js";
import { finishingJobStates, jobStatesOf, schedulableJobStates, suspendedBefore } from "./jobs/queue-reads.js";
import {
  countUnfinished,
  findByToken,
  getAccountJob,
  getJob,
  getJobState,
  jobStatesIn,
  jobsIn,
  type ListCursor,
  listJobs,
  type TokenUse,
} from "./jobs/read-jobs.js";
import { type RecordedActivity, readActivity } from "./jobs/read-progress.js";
import { releasePhase } from "./jobs/release-phase.js";
import { type JobStretch, readJobStretch, type StretchJob } from "./jobs/search-jobs.js";
import { setGeneratedManifest } from "./jobs/set-generated-manifest.js";
import { setHeld } from "./jobs/set-held.js";
import { setPrepared } from "./jobs/set-prepared.js";
import { type TransitionPatch, transitionJob } from "./jobs/transition-job.js";
import { updateDescription } from "./jobs/update-description.js";
import { updateJobField } from "./jobs/update-job-field.js";
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

export type { EventLogBounds, EventScope, JobStretch, ListCursor, NewJob, RecordedActivity, TokenUse };

/** The most creates one group commit takes (each row binds ~30 parameters; SQLite allows 32,766). */
const MAX_CREATES_PER_COMMIT = 64;
/** The most preparations one group commit finishes (their last chunks go in one insert of up to 500 rows). */
const MAX_PREPARATIONS_PER_COMMIT = 32;

export class JobStore {
  /** Concurrent CreateJobs through this process, committed together (D24). */
  private readonly creates: GroupCommit<CappedJob, CappedInsert>;
  /** Preparations that end together in this process, finished in one transaction (D49). */
  private readonly preparationEnds: GroupCommit<FinishingPreparation, JobStatus | undefined>;

  constructor(private readonly conn: StoreConnection) {
    this.creates = new GroupCommit((jobs) => insertJobsUnderCap(this.db, this.conn.dialect, jobs), {
      maxBatch: MAX_CREATES_PER_COMMIT,
      isolate: (e) => !isStoreUnavailable(e),
    });
    this.preparationEnds = new GroupCommit((ends) => finishPreparations(this.db, this.conn.dialect, ends), {
      maxBatch: MAX_PREPARATIONS_PER_COMMIT,
      isolate: (e) => !isStoreUnavailable(e),
    });
  }

  get dialect() {
    return this.conn.dialect;
  }

  close() {
    return this.conn.close();
  }

  private get db() {
    return this.conn.db;
  }

  /**
   * For /healthz: true when the store answers a probe within `timeoutMs` (a write on SQLite) and no statement
   * has found it unavailable since (a failed write stays a failure until a write succeeds).
   */
  isHealthy(timeoutMs = 2_000): Promise<boolean> {
    return this.conn.health.check(() => this.conn.probe(), timeoutMs);
  }

  // ---- jobs: reads (jobs/read-jobs.ts); `now` is when a Job's Active time is measured up to -----------------

  getJob(jobId: string, now = Date.now()): Promise<Job | undefined> {
    return getJob(this.db, jobId, now);
  }

  getAccountJob(accountId: string, jobId: string, now = Date.now()): Promise<Job | undefined> {
    return getAccountJob(this.db, accountId, jobId, now);
  }

  getJobState(jobId: string): Promise<JobState | undefined> {
    return getJobState(this.db, jobId);
  }

  /** How many jobs are in each status (absent: none), for /metrics. */
  countJobsByStatus(): Promise<Map<JobStatus, number>> {
    return countJobsByStatus(this.db);
  }

  /** Highest priority first, then oldest first. */
  jobStatesIn(statuses: readonly JobStatus[]): Promise<JobState[]> {
    return jobStatesIn(this.db, statuses);
  }

  jobsIn(statuses: readonly JobStatus[], now = Date.now()): Promise<Job[]> {
    return jobsIn(this.db, statuses, now);
  }

  findByToken(accountId: string, token: string): Promise<TokenUse | undefined> {
    return findByToken(this.db, accountId, token);
  }

  listJobs(
    accountId: string,
    statuses: readonly JobStatus[] | undefined,
    limit: number,
    after?: ListCursor,
    now = Date.now(),
  ): Promise<JobSummary[]> {
    return listJobs(this.db, this.conn.dialect, accountId, statuses, limit, after, now);
  }

  /** The account's unfinished jobs, counted up to `atMost`. */
  countUnfinished(accountId: string, atMost?: number): Promise<number> {
    return countUnfinished(this.db, accountId, atMost);
  }

  // ---- jobs: what the JSON API reads and changes besides the above (jobs/search-jobs.ts, read-progress.ts,
  // update-description.ts) ------------------------------------------------------------------------------------

  /** One stretch of an account's jobs, newest first, through one index range (D19). */
  readJobStretch(accountId: string, stretch: JobStretch, limit: number, now = Date.now()): Promise<StretchJob[]> {
    return readJobStretch(this.db, accountId, stretch, limit, now);
  }

  /** The job's Active time to `now` and the tasks of its running chunks; undefined when the job is gone. */
  readActivity(jobId: string, now: number): Promise<RecordedActivity | undefined> {
    return readActivity(this.db, jobId, now);
  }

  /** The job's failed tasks by cause, most tasks first (D27). */
  readFailureCauses(jobId: string): Promise<FailureCause[]> {
    return readFailureCauses(this.db, jobId);
  }

  /** The description in its column and in the spec, together; false when the job is gone. */
  updateDescription(jobId: string, description: string, now: number): Promise<boolean> {
    return updateDescription(this.db, this.conn.dialect, jobId, description, now);
  }

  // ---- job events (events/, D34) ----------------------------------------------------------------------------

  /** Every account's events after `after`, in id order, `limit` at most: what the event feed tails. */
  readEventsAfter(after: number, limit: number): Promise<JobEvent[]> {
    return readEventsAfter(this.db, after, limit);
  }

  /** An account's (or one of its jobs') events with ids in (after, through], in id order, `limit` at most. */
  readScopeEvents(scope: EventScope, after: number, through: number, limit: number): Promise<JobEvent[]> {
    return readScopeEvents(this.db, scope, after, through, limit);
  }

  /** The highest event id purged by age, and the last id written. */
  readEventLogBounds(): Promise<EventLogBounds> {
    return readEventLogBounds(this.db);
  }

  /** Deletes up to `maxEvents` of the oldest events written before `before`; returns how many. */
  purgeEventsBefore(before: number, maxEvents: number): Promise<number> {
    return purgeEventsBefore(this.db, before, maxEvents);
  }

  // ---- jobs: the engine's bounded reads of the queue (jobs/queue-reads.ts) ----------------------------------

  /** Active and Pausing jobs, and the first `slots` Ready and Paused ones: what the scheduler ranks. */
  schedulableJobStates(slots: number): Promise<JobState[]> {
    return schedulableJobStates(this.db, slots);
  }

  /** The first `limit` Completing, Cancelling and Failing jobs whose phase nobody but `owner` holds. */
  finishingJobStates(owner: string, now: number, limit: number): Promise<JobState[]> {
    return finishingJobStates(this.db, owner, now, limit);
  }

  jobStatesOf(jobIds: readonly string[]): Promise<JobState[]> {
    return jobStatesOf(this.db, jobIds);
  }

  /** The oldest `limit` jobs Suspended since before `before`. */
  suspendedBefore(before: number, limit: number): Promise<JobState[]> {
    return suspendedBefore(this.db, before, limit);
  }

  // ---- jobs: writes (jobs/) ---------------------------------------------------------------------------------

  /** Throws DuplicateTokenError when the job's ClientRequestToken was already used in its account. */
  insertJob(job: NewJob): Promise<void> {
    return insertJob(this.db, this.conn.dialect, job);
  }

  /**
   * Inserts the job unless its account has `cap` unfinished jobs already (then false); throws
   * DuplicateTokenError when the account used its token before. Committed together with whatever other creates
   * this process has in flight (one transaction, D24).
   */
  async insertJobUnderCap(job: NewJob, cap: number): Promise<boolean> {
    const outcome = await this.creates.submit({ job, cap });
    if (outcome === "duplicate") throw new DuplicateTokenError(job.spec.clientRequestToken);
    return outcome === "inserted";
  }

  /** False when the job is no longer in `from`; throws IllegalTransitionError for a move the table forbids. */
  transition(jobId: string, from: JobStatus, to: JobStatus, now: number, patch?: TransitionPatch) {
    return transitionJob(this.db, this.conn.dialect, jobId, from, to, now, patch);
  }

  /** False when the job is gone. */
  updatePriority(jobId: string, priority: number, now: number): Promise<boolean> {
    return updateJobField(this.db, this.conn.dialect, jobId, { field: "priority", priority }, now);
  }

  markConfirmed(jobId: string, reason: string | undefined, now: number): Promise<boolean> {
    return markConfirmed(this.db, this.conn.dialect, jobId, reason, now);
  }

  /** Holds a Pausing or Paused job paused for its user, or lets it go (D31); false when it is not as expected. */
  setHeld(jobId: string, held: boolean, reason: string, now: number): Promise<boolean> {
    return setHeld(this.db, this.conn.dialect, jobId, held, reason, now);
  }

  /** False when the job is gone. */
  setTags(jobId: string, tags: readonly Tag[], now: number): Promise<boolean> {
    return updateJobField(this.db, this.conn.dialect, jobId, { field: "tags", tags }, now);
  }

  addFailureReason(jobId: string, failure: JobFailure, now: number): Promise<void> {
    return addFailureReason(this.db, jobId, failure, now);
  }

  /**
   * Deletes a terminal job, its chunks and its events, and writes its `job.deleted` event (D34). Returns false if
   * the job is not terminal (or gone).
   */
  deleteTerminalJob(jobId: string, now = Date.now()): Promise<boolean> {
    return deleteTerminalJob(this.db, this.conn.dialect, jobId, now);
  }

  /**
   * Purges terminal jobs that ended before `before` (retention, D8), `maxJobs` at most, with their events (each
   * leaves a `job.deleted` event, D34). Returns how many.
   */
  purgeTerminatedBefore(before: number, maxJobs?: number, now = Date.now()): Promise<number> {
    return purgeTerminatedBefore(this.db, this.conn.dialect, before, now, maxJobs);
  }

  /**
   * Moves the first `limit` New jobs to Preparing (or takes over the first Preparing jobs nobody holds), with
   * `owner`'s phase claim for `ttlMs`; the jobs as they then stand, in queue order, none when there are none.
   */
  claimNextPreparations(
    from: "New" | "Preparing",
    owner: string,
    now: number,
    ttlMs: number,
    limit: number,
  ): Promise<Job[]> {
    return claimNextPreparations(this.db, this.conn.dialect, from, owner, now, ttlMs, limit);
  }

  /**
   * Records the counted manifest and its last chunks, moves the job Preparing -> Ready (or Suspended, awaiting
   * confirmation) and gives up `owner`'s claim, in one transaction; the new status, or undefined when the job was
   * no longer `owner`'s (its last chunks are then not recorded). Preparations that end while another commit is
   * under way are finished together in the next (D49).
   */
  finishPreparation(
    jobId: string,
    owner: string,
    manifest: PreparedManifest,
    now: number,
  ): Promise<JobStatus | undefined> {
    return this.preparationEnds.submit({ jobId, owner, manifest, now });
  }

  /** The right to prepare or finalise a job in `status` (or flush its report while Active), for `ttlMs`. */
  claimPhase(jobId: string, status: JobStatus, owner: string, now: number, ttlMs: number): Promise<boolean> {
    return claimPhase(this.db, jobId, status, owner, now, ttlMs);
  }

  releasePhase(jobId: string, owner: string): Promise<void> {
    return releasePhase(this.db, jobId, owner);
  }

  /** Records the counted manifest: total tasks and the manifest ETag chunk reads are pinned to. */
  setPrepared(jobId: string, totalTasks: number, manifestEtag: string | null, now: number): Promise<void> {
    return setPrepared(this.db, jobId, totalTasks, manifestEtag, now);
  }

  setGeneratedManifest(jobId: string, descriptor: GeneratedManifestDescriptor, now: number): Promise<void> {
    return setGeneratedManifest(this.db, jobId, descriptor, now);
  }

  // ---- chunks (chunks/) -------------------------------------------------------------------------------------

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

  /** Running chunks' counts so far, shown in their jobs' progress (chunks/live-progress.ts, D30). */
  recordLiveProgress(chunks: readonly LiveChunkProgress[]) {
    return recordLiveProgress(this.db, chunks);
  }

  releaseChunk(jobId: string, seq: number, leaseToken: string) {
    return releaseChunk(this.db, jobId, seq, leaseToken);
  }

  completeChunk(jobId: string, seq: number, leaseToken: string, results: ChunkResults, now: number) {
    return completeChunk(this.db, this.conn.dialect, jobId, seq, leaseToken, results, now);
  }

  abandonUnfinishedChunks(jobId: string) {
    return abandonUnfinishedChunks(this.db, jobId);
  }

  countChunks(jobId: string, now: number) {
    return countChunks(this.db, jobId, now);
  }

  /** A chunk of the job is pending or leased (expired or not). */
  hasUnfinishedChunks(jobId: string): Promise<boolean> {
    return hasUnfinishedChunks(this.db, jobId);
  }

  /** A chunk of the job is leased and its lease has not expired. */
  hasRunningChunks(jobId: string, now: number): Promise<boolean> {
    return hasRunningChunks(this.db, jobId, now);
  }

  /** A finished job's chunks that never ran to the end, a page at a time in seq order (D35). */
  unrunChunks(jobId: string, afterSeq: number, limit: number): Promise<UnrunChunk[]> {
    return readUnrunChunks(this.db, jobId, afterSeq, limit);
  }

  /** For tests and diagnostics: the sum of the done chunks' counters must equal the job's. */
  sumChunkCounters(jobId: string) {
    return sumChunkCounters(this.db, jobId);
  }

  // ---- report files (reports/, written by report/report-flusher.ts) -----------------------------------------

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
}
