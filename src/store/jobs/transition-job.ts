/**
 * The one way a job's status changes: a compare-and-set on the current status, checked against the domain's
 * transition table, with the bookkeeping that belongs to the move (active time, termination and suspension
 * dates, FailureReasons) done in the same transaction. On PostgreSQL the job's row is locked from the first
 * read, so a FailureReasons entry appended meanwhile (add-failure-reason.ts) is never written over. The move's
 * `job.status` event (D34) is the transaction's last statement.
 */
import type { Kysely, Updateable } from "kysely";
import type { FailureCause } from "../../domain/failure-causes.js";
import { canTransition, isTerminal, type JobStatus } from "../../domain/status.js";
import type { StoreDialect } from "../connect.js";
import { IllegalTransitionError } from "../errors.js";
import { eventCounts, recordEvents } from "../events/record-events.js";
import type { Database, JobsTable } from "../schema.js";
import { readFailureCauses } from "./failure-causes.js";

export interface TransitionPatch {
  readonly statusUpdateReason?: string;
  /** A user pauses the job (D31): it moves to Pausing or Paused held, and stays out of the queue until resumed. */
  readonly hold?: boolean;
  readonly suspendedCause?: string;
  /** Appended to the job's FailureReasons. */
  readonly failure?: { code: string; reason: string };
  /**
   * Rewrites the reason of the job's FailureReasons entries with this code from the job's task counts as they
   * stand in this transaction (entries whose message states counts, written before the last ones came in).
   */
  readonly restateFailure?: {
    readonly code: string;
    reason(counts: { readonly succeeded: number; readonly failed: number }): string;
  };
  /**
   * Appends the entries this makes of the job's top failure causes (D27), read in this transaction, most tasks
   * first: `limit` of them at most.
   */
  readonly failureCauses?: {
    readonly limit: number;
    reasons(causes: readonly FailureCause[]): readonly { code: string; reason: string }[];
  };
}

/**
 * Returns false when the job is no longer in `from` (someone else moved it first), and for a move to Active of a
 * job a user holds paused (D31): an engine tick that planned the move before the user paused the job never
 * resumes it. `held` is cleared by any move out of Pausing and Paused (a cancel, a failure), so it is set only
 * while the job is in one of them.
 */
export async function transitionJob(
  db: Kysely<Database>,
  dialect: StoreDialect,
  jobId: string,
  from: JobStatus,
  to: JobStatus,
  now: number,
  patch: TransitionPatch = {},
): Promise<boolean> {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
  const pausedStatus = to === "Pausing" || to === "Paused";
  if (patch.hold && !pausedStatus) throw new IllegalTransitionError(from, to);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("jobs")
      .select([
        "account_id",
        "status",
        "held",
        "active_since",
        "active_ms",
        "failure_reasons",
        "succeeded",
        "failed",
        "total_tasks",
      ])
      .where("job_id", "=", jobId)
      .$if(dialect === "postgres", (q) => q.forUpdate())
      .executeTakeFirst();
    if (!row || row.status !== from) return false;
    const held = Number(row.held) === 1;
    if (to === "Active" && held) return false;

    const update: Updateable<JobsTable> = { status: to, updated_time: now };
    if (from === "Active" && row.active_since !== null) {
      update.active_ms = row.active_ms + Math.max(0, now - row.active_since);
      update.active_since = null;
    }
    if (to === "Active") update.active_since = now;
    if (patch.hold) update.held = 1;
    else if (!pausedStatus && held) update.held = 0;
    if (isTerminal(to)) {
      update.termination_time = now;
      update.phase_owner = null;
      update.phase_expires = null;
    }
    if (to === "Suspended") {
      update.suspended_time = now;
      update.suspended_cause = patch.suspendedCause ?? null;
    }
    if (patch.statusUpdateReason !== undefined) update.status_update_reason = patch.statusUpdateReason;
    if (patch.failure || patch.restateFailure || patch.failureCauses) {
      let reasons = JSON.parse(row.failure_reasons) as { code: string; reason: string }[];
      const restate = patch.restateFailure;
      if (restate) {
        const counts = { succeeded: Number(row.succeeded), failed: Number(row.failed) };
        reasons = reasons.map((r) => (r.code === restate.code ? { ...r, reason: restate.reason(counts) } : r));
      }
      if (patch.failure) reasons.push({ code: patch.failure.code, reason: patch.failure.reason });
      if (patch.failureCauses) {
        const causes = await readFailureCauses(trx, jobId, patch.failureCauses.limit);
        for (const r of patch.failureCauses.reasons(causes)) reasons.push({ code: r.code, reason: r.reason });
      }
      update.failure_reasons = JSON.stringify(reasons);
    }
    const result = await trx
      .updateTable("jobs")
      .set(update)
      .where("job_id", "=", jobId)
      .where("status", "=", from)
      .$if(to === "Active", (q) => q.where("held", "=", 0))
      .executeTakeFirst();
    if (result.numUpdatedRows !== 1n) return false;
    await recordEvents(trx, dialect, [
      {
        accountId: row.account_id,
        jobId,
        type: "job.status",
        status: to,
        payload: {
          from,
          to,
          ...(patch.statusUpdateReason !== undefined && { reason: patch.statusUpdateReason }),
          pausedByUser: update.held !== undefined ? update.held === 1 : held,
          counts: eventCounts(row),
        },
        time: now,
      },
    ]);
    return true;
  });
}
