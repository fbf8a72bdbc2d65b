/**
 * The job's completion report (GET /report): where it is written, whether it is complete, and its results
 * files, each completed one a download link (the API's own route, read with the session's cookie).
 */
import { useQuery } from "@tanstack/react-query";
import { call, type JobJson, type JobReportJson, jobPath } from "../api";
import { bytes } from "../format";

export function ReportPanel({ job }: { job: JobJson }) {
  const report = useQuery({
    queryKey: ["job", job.jobId, "report", job.status],
    queryFn: () => call<JobReportJson>("GET", jobPath(job.jobId, "report")),
    enabled: job.report.enabled,
  });
  return (
    <section aria-labelledby="report-title" className="panel">
      <h2 id="report-title">Report</h2>
      {!job.report.enabled && <p className="hint">This job writes no completion report.</p>}
      {report.isError && (
        <p role="alert" className="error">
          {(report.error as Error).message}
        </p>
      )}
      {report.data?.enabled && (
        <>
          <p>
            {report.data.state === "complete" ? "Complete" : "Being written while the job runs"}, in{" "}
            <span className="mono">
              s3://{report.data.bucket}/{report.data.prefix ? `${report.data.prefix}/` : ""}job-{job.jobId}/
            </span>{" "}
            ({report.data.scope === "AllTasks" ? "every task" : "failed tasks only"}).
          </p>
          {report.data.files.length === 0 ? (
            <p className="hint">No results file yet.</p>
          ) : (
            <ul className="files">
              {report.data.files.map((file) => (
                <li key={file.key}>
                  {file.downloadPath ? (
                    <a href={file.downloadPath} download>
                      {file.taskStatus} tasks, file {file.index + 1}
                    </a>
                  ) : (
                    <span>
                      {file.taskStatus} tasks, file {file.index + 1} (being written)
                    </span>
                  )}{" "}
                  <span className="hint">{bytes(file.bytes)}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
