/**
 * The JSON API's listing of an account's jobs, newest first, with filters, in bounded work per page whatever the
 * account holds:
 *
 *   - status (repeatable), createdAfter/createdBefore and the cursor are index ranges: each status is one stretch
 *     of jobs_account_status_listing (all statuses: one of jobs_account_listing), read by the store;
 *   - the operation, the text (in the description or the id) and a tag have no index on both stores: they are
 *     applied here, to stretches of at most SCAN_BUDGET jobs per status (with a tag, the stretch brings the
 *     jobs' tags).
 *
 * A page is complete down to its horizon: the newest of the places where a stretch stopped before running out.
 * Every job at or above the horizon was read in every stretch, so the page is the first `limit` matches above
 * it. When fewer match, the page ends at the horizon and says so with a cursor: the client asks again from
 * there (a page may be short, or empty, and still have a next one). Without those two filters every job read
 * matches, and a stretch reads limit + 1 jobs, as ListJobs does (D19).
 */
import type { JobSummary } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import type { JobStore } from "../store/job-store.js";
import type { StretchJob } from "../store/jobs/search-jobs.js";
import type { JobPosition, JobSearch, JobSearchPage } from "./types.js";

/** How many jobs a page may read per status when it must filter what it reads. */
export const SCAN_BUDGET = 1000;

export async function searchJobs(
  store: Pick<JobStore, "readJobStretch">,
  accountId: string,
  search: JobSearch,
  now: number,
  scanBudget = SCAN_BUDGET,
): Promise<JobSearchPage> {
  const filtered = search.operation !== undefined || search.text !== undefined || search.tag !== undefined;
  const read = filtered ? Math.max(search.limit + 1, scanBudget) : search.limit + 1;
  const statuses: readonly (JobStatus | undefined)[] =
    search.statuses === undefined || search.statuses.length === 0 ? [undefined] : [...new Set(search.statuses)];

  const found: StretchJob[] = [];
  let horizon: JobPosition | undefined;
  for (const status of statuses) {
    const stretch = await store.readJobStretch(
      accountId,
      {
        status,
        before: search.after,
        createdFrom: search.createdFrom,
        createdTo: search.createdTo,
        withTags: search.tag !== undefined,
      },
      read,
      now,
    );
    found.push(...stretch);
    if (stretch.length === read) {
      const last = positionOf(stretch[stretch.length - 1]!);
      if (horizon === undefined || newerFirst(last, horizon) < 0) horizon = last;
    }
  }
  const complete = found
    .filter((job) => horizon === undefined || newerFirst(positionOf(job), horizon) <= 0)
    .filter((job) => matches(job, search))
    .map(summaryOf)
    .sort((a, b) => newerFirst(positionOf(a), positionOf(b)));
  if (complete.length > search.limit) {
    const page = complete.slice(0, search.limit);
    return { jobs: page, next: positionOf(page[page.length - 1]!) };
  }
  // Everything above the horizon is on this page; the next one starts after the horizon's job, which was read
  // (and, if it matched, is on this page).
  return horizon === undefined ? { jobs: complete } : { jobs: complete, next: horizon };
}

function matches(job: StretchJob, search: JobSearch): boolean {
  if (search.operation !== undefined && job.operation.kind !== search.operation) return false;
  const { tag } = search;
  if (tag !== undefined && !job.tags?.some((t) => t.key === tag.key && t.value === tag.value)) return false;
  if (search.text !== undefined) {
    const text = search.text.toLowerCase();
    if (!job.jobId.toLowerCase().includes(text) && !(job.description ?? "").toLowerCase().includes(text)) return false;
  }
  return true;
}

/** The summary alone: a page never carries the tags read to filter it. */
function summaryOf(job: StretchJob): JobSummary {
  if (job.tags === undefined) return job;
  const { tags: _tags, ...summary } = job;
  return summary;
}

function positionOf(job: JobSummary): JobPosition {
  return { creationTime: job.creationTime.getTime(), jobId: job.jobId };
}

/** Negative when `a` comes first (is newer) in a listing, as creation time then job id, both descending. */
function newerFirst(a: JobPosition, b: JobPosition): number {
  if (a.creationTime !== b.creationTime) return b.creationTime - a.creationTime;
  return a.jobId < b.jobId ? 1 : a.jobId > b.jobId ? -1 : 0;
}
