/**
 * One job: its status and what can be done with it now, its live progress and throughput, its failures by
 * cause with the failed tasks a page at a time, its report files to download, and every field it was created
 * with. Live through the account's event stream (live.ts): a status change reads the job again, progress
 * events move the bar and the chart.
 */
import { useQuery } from "@tanstack/react-query";
import { Link } from "wouter";
import { ApiError, call, type JobJson, jobPath } from "../api";
import { ProgressBar } from "../components/ProgressBar";
import { StatusBadge } from "../components/StatusBadge";
import { ThroughputChart } from "../components/ThroughputChart";
import { count, duration } from "../format";
import { FailuresPanel } from "../job/FailuresPanel";
import { JobActions } from "../job/JobActions";
import { JobDetails } from "../job/JobDetails";
import { ReportPanel } from "../job/ReportPanel";
import { useLiveJob } from "../live";

const RUNNING = new Set(["Preparing", "Ready", "Active", "Completing"]);
export const FINISHED = new Set(["Complete", "Failed", "Cancelled"]);

export function JobPage({ jobId }: { jobId: string }) {
  const job = useQuery({ queryKey: ["job", jobId], queryFn: () => call<JobJson>("GET", jobPath(jobId)) });
  const live = useLiveJob(jobId);

  if (job.isPending) return <p className="loading">Loading…</p>;
  if (job.isError) {
    const missing = job.error instanceof ApiError && job.error.status === 404;
    return (
      <section>
        <h1>{missing ? "No such job" : "The job could not be read"}</h1>
        <p role="alert" className="error">
          {missing ? `This account has no job ${jobId}.` : (job.error as Error).message}
        </p>
        <Link href="/">Back to the jobs</Link>
      </section>
    );
  }

  const data = job.data;
  const status = data.status;
  const progress = live && !FINISHED.has(status) ? live.progress : data.progress;
  const running = RUNNING.has(status);
  return (
    <article aria-labelledby="job-title" className="job">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href="/">Jobs</Link> / <span className="mono">{data.jobId}</span>
      </nav>
      <div className="page-head">
        <h1 id="job-title">{data.description ?? "Job"}</h1>
        <StatusBadge status={status} pausedByUser={data.pausedByUser} />
      </div>
      <JobActions job={data} />

      <section aria-labelledby="progress-title" className="panel">
        <h2 id="progress-title">Progress</h2>
        <ProgressBar progress={progress} running={running} />
        <dl className="counts">
          <div>
            <dt>Tasks</dt>
            <dd>{count(progress.total)}</dd>
          </div>
          <div>
            <dt>Succeeded</dt>
            <dd>{count(progress.succeeded)}</dd>
          </div>
          <div>
            <dt>Failed</dt>
            <dd className={progress.failed > 0 ? "failed-count" : undefined}>{count(progress.failed)}</dd>
          </div>
          <div>
            <dt>In flight</dt>
            <dd>{count(progress.inFlight)}</dd>
          </div>
          <div>
            <dt>Active for</dt>
            <dd>{duration(progress.elapsedMs / 1000)}</dd>
          </div>
          <div>
            <dt>Average rate</dt>
            <dd>{progress.averageTasksPerSecond.toFixed(1)} tasks/s</dd>
          </div>
        </dl>
        {live && live.samples.length > 1 && <ThroughputChart samples={live.samples} />}
        {data.failureReasons.length > 0 && (
          <ul className="reasons" aria-label="Why the job failed or stopped">
            {data.failureReasons.map((r) => (
              <li key={`${r.code}:${r.reason}`}>
                <strong>{r.code}</strong>: {r.reason}
              </li>
            ))}
          </ul>
        )}
      </section>

      {progress.failed > 0 && <FailuresPanel job={data} />}
      <ReportPanel job={data} />
      <JobDetails job={data} />
    </article>
  );
}
