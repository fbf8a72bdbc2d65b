/**
 * Every job of the account, newest first, a page at a time (GET /jobs with its filters and cursor): status,
 * operation, priority, description, created, and a live progress bar with rate and ETA for the running ones,
 * from the event stream (live.ts), so nothing is reloaded. Filters: status, operation, a tag, text.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link } from "wouter";
import { OPERATION_KINDS } from "../../../src/domain/job.js";
import { call, type JobPageJson } from "../api";
import { ProgressBar } from "../components/ProgressBar";
import { StatusBadge } from "../components/StatusBadge";
import { count, instant } from "../format";
import { useLiveJobs } from "../live";

const PAGE_SIZE = 50;
const RUNNING = new Set(["Preparing", "Ready", "Active", "Completing"]);

const STATUS_FILTERS: Record<string, string[]> = {
  "": [],
  running: ["Preparing", "Ready", "Active", "Completing"],
  waiting: ["New", "Suspended"],
  paused: ["Pausing", "Paused"],
  Complete: ["Complete"],
  Failed: ["Failing", "Failed"],
  Cancelled: ["Cancelling", "Cancelled"],
};

interface Filters {
  status: string;
  operation: string;
  tag: string;
  q: string;
}

export function JobsPage() {
  const [filters, setFilters] = useState<Filters>({ status: "", operation: "", tag: "", q: "" });
  const [draft, setDraft] = useState<Filters>(filters);
  /** The cursors of the pages before this one; the last is this page's. */
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const live = useLiveJobs();

  const jobs = useQuery({
    queryKey: ["jobs", filters, cursor],
    queryFn: () =>
      call<JobPageJson>("GET", "/jobs", undefined, {
        status: STATUS_FILTERS[filters.status],
        operation: filters.operation || undefined,
        tag: filters.tag ? filters.tag.replace("=", ":") : undefined,
        q: filters.q || undefined,
        limit: String(PAGE_SIZE),
        cursor,
      }),
    placeholderData: keepPreviousData,
  });

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ ...draft, tag: draft.tag.trim(), q: draft.q.trim() });
    setCursors([undefined]);
  };

  return (
    <section aria-labelledby="jobs-title">
      <div className="page-head">
        <h1 id="jobs-title">Jobs</h1>
        <Link href="/new" className="button">
          New job
        </Link>
      </div>
      <form className="filters" onSubmit={apply} aria-label="Filter the jobs">
        <label>
          Status
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">Any</option>
            <option value="running">Running</option>
            <option value="waiting">Waiting</option>
            <option value="paused">Paused</option>
            <option value="Complete">Complete</option>
            <option value="Failed">Failed</option>
            <option value="Cancelled">Cancelled</option>
          </select>
        </label>
        <label>
          Operation
          <select value={draft.operation} onChange={(e) => setDraft({ ...draft, operation: e.target.value })}>
            <option value="">Any</option>
            {OPERATION_KINDS.map((op) => (
              <option key={op} value={op}>
                {op}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tag
          <input
            placeholder="key=value"
            value={draft.tag}
            onChange={(e) => setDraft({ ...draft, tag: e.target.value })}
            pattern="[^=]+=.*"
            title="key=value (the value may be empty)"
          />
        </label>
        <label className="grow">
          Search
          <input
            type="search"
            placeholder="description or job id"
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
          />
        </label>
        <button type="submit">Filter</button>
      </form>

      {jobs.isError && (
        <p role="alert" className="error">
          {(jobs.error as Error).message}
        </p>
      )}
      {jobs.data && jobs.data.jobs.length === 0 && (
        <p className="empty">
          {cursors.length === 1 && Object.values(filters).every((v) => v === "")
            ? "No jobs yet. Create one with New job, the objbatch command line (objbatch copy --help) or any job API."
            : "No job matches these filters."}
        </p>
      )}
      {jobs.data && jobs.data.jobs.length > 0 && (
        <div className="table-wrap">
          <table className="jobs">
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Operation</th>
                <th scope="col" className="num">
                  Priority
                </th>
                <th scope="col">Created</th>
                <th scope="col" className="progress-col">
                  Progress
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.jobs.map((job) => {
                const now = live.get(job.jobId);
                const status = now?.status ?? job.status;
                const progress = now?.progress ?? job.progress;
                return (
                  <tr key={job.jobId} data-job-id={job.jobId}>
                    <td className="job-name">
                      <Link href={`/jobs/${encodeURIComponent(job.jobId)}`}>
                        {job.description ?? <span className="mono">{job.jobId.slice(0, 8)}…</span>}
                      </Link>
                      {job.description && <span className="sub mono">{job.jobId.slice(0, 8)}</span>}
                    </td>
                    <td>
                      <StatusBadge status={status} />
                    </td>
                    <td>{job.operation}</td>
                    <td className="num">{job.priority}</td>
                    <td>{instant(job.creationTime)}</td>
                    <td className="progress-col">
                      <ProgressBar progress={progress} running={RUNNING.has(status)} compact />
                    </td>
                    <td className={`num${progress.failed > 0 ? " failed-count" : ""}`}>{count(progress.failed)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <span>Page {cursors.length}</span>
        <button
          type="button"
          disabled={!jobs.data?.nextCursor}
          onClick={() => jobs.data?.nextCursor && setCursors([...cursors, jobs.data.nextCursor])}
        >
          Older
        </button>
      </nav>
    </section>
  );
}
