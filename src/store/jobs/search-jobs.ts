/**
 * One stretch of an account's jobs, newest first (creation time, then job id, both descending), for the JSON
 * API's listing: optionally one status, older than a position, created within a time range. Every bound is a
 * range of jobs_account_listing (account, creation time, job id) or, with a status, of
 * jobs_account_status_listing (account, status, creation time, job id), so a stretch reads at most `limit`
 * index entries wherever it starts (D19). Filters that no index serves (operation, text, a tag) are applied by
 * the service to stretches of bounded length (service/job-search.ts); for a tag, a stretch brings each job's tags.
 */
import type { Kysely } from "kysely";
import type { JobSummary, Tag } from "../../domain/job.js";
import type { JobStatus } from "../../domain/status.js";
import { liveProgressColumns } from "../chunks/live-progress.js";
import { JOB_SUMMARY_COLUMNS, rowToSummary } from "../job-row.js";
import type { Database } from "../schema.js";

export interface JobStretch {
  readonly status?: JobStatus;
  /** Only jobs strictly older than this position. */
  readonly before?: { readonly creationTime: number; readonly jobId: string };
  /** Creation time bounds, ms, inclusive. */
  readonly createdFrom?: number;
  readonly createdTo?: number;
  /** Read each job's tags too (for a tag filter). */
  readonly withTags?: boolean;
}

/** A job of a stretch: its summary, and its tags when the stretch asked for them. */
export type StretchJob = JobSummary & { readonly tags?: readonly Tag[] };

export async function readJobStretch(
  db: Kysely<Database>,
  accountId: string,
  stretch: JobStretch,
  limit: number,
  now: number,
): Promise<StretchJob[]> {
  let q = db
    .selectFrom("jobs")
    .select(JOB_SUMMARY_COLUMNS)
    .select(liveProgressColumns)
    .$if(stretch.withTags === true, (qb) => qb.select("tags"))
    .where("account_id", "=", accountId);
  if (stretch.status !== undefined) q = q.where("status", "=", stretch.status);
  const { before } = stretch;
  if (before !== undefined) {
    q = q.where((eb) => eb(eb.refTuple("creation_time", "job_id"), "<", eb.tuple(before.creationTime, before.jobId)));
  }
  if (stretch.createdFrom !== undefined) q = q.where("creation_time", ">=", stretch.createdFrom);
  if (stretch.createdTo !== undefined) q = q.where("creation_time", "<=", stretch.createdTo);
  const rows = await q.orderBy("creation_time", "desc").orderBy("job_id", "desc").limit(limit).execute();
  return rows.map((row) =>
    row.tags === undefined
      ? rowToSummary(row, now)
      : { ...rowToSummary(row, now), tags: JSON.parse(row.tags) as Tag[] },
  );
}
