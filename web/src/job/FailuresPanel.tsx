/**
 * The job's failed tasks grouped by cause (GET /failures: HTTP status and error code, counts, sample keys), each
 * cause with a rerun of just its tasks once the job has finished; and the failed tasks themselves from the
 * report, a page at a time (GET /tasks), filtered to one cause on demand.
 */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Static } from "typebox";
import { useLocation } from "wouter";
import type { TaskResultPageSchema } from "../../../src/api/json/schemas/rerun.js";
import { call, type JobFailuresJson, type JobJson, jobPath } from "../api";
import { ConfirmButton } from "../components/ConfirmButton";
import { count } from "../format";
import { useJobMutations } from "./actions";

type TaskPage = Static<typeof TaskResultPageSchema>;
const FINISHED = new Set(["Complete", "Failed", "Cancelled"]);

export function FailuresPanel({ job }: { job: JobJson }) {
  const [, navigate] = useLocation();
  const m = useJobMutations(job.jobId);
  const failures = useQuery({
    queryKey: ["job", job.jobId, "failures", job.progress.failed],
    queryFn: () => call<JobFailuresJson>("GET", jobPath(job.jobId, "failures")),
  });
  const [code, setCode] = useState<string | undefined>(undefined);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const canListTasks = job.report.enabled;
  const tasks = useQuery({
    queryKey: ["job", job.jobId, "tasks", code, cursor, job.status],
    queryFn: () =>
      call<TaskPage>("GET", jobPath(job.jobId, "tasks"), undefined, {
        status: "failed",
        errorCode: code,
        limit: "25",
        cursor,
      }),
    enabled: canListTasks,
  });
  const finished = FINISHED.has(job.status);

  return (
    <section aria-labelledby="failures-title" className="panel">
      <h2 id="failures-title">Failures by cause</h2>
      {failures.data && (
        <div className="table-wrap">
          <table className="causes">
            <thead>
              <tr>
                <th scope="col">Error</th>
                <th scope="col" className="num">
                  HTTP
                </th>
                <th scope="col" className="num">
                  Tasks
                </th>
                <th scope="col">For example</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {failures.data.causes.map((cause) => (
                <tr key={`${cause.httpStatus}:${cause.errorCode}`} data-error-code={cause.errorCode}>
                  <td>{cause.errorCode || "(none)"}</td>
                  <td className="num">{cause.httpStatus}</td>
                  <td className="num">{count(cause.count)}</td>
                  <td className="samples">
                    {cause.sampleKeys.map((s) => (
                      <span key={`${s.bucket}/${s.key}`} className="mono">
                        {s.bucket}/{s.key}
                      </span>
                    ))}
                  </td>
                  <td>
                    <div className="row-actions">
                      {canListTasks && (
                        <button
                          type="button"
                          className="quiet"
                          onClick={() => {
                            setCode(cause.errorCode);
                            setCursors([undefined]);
                          }}
                        >
                          Show tasks
                        </button>
                      )}
                      {finished && job.report.enabled && cause.errorCode !== "" && (
                        <ConfirmButton
                          label={`Rerun ${cause.errorCode}`}
                          title={`Rerun the ${cause.errorCode} failures?`}
                          confirmLabel="Rerun them"
                          onConfirm={() =>
                            m.rerun.mutate(
                              { scope: "failed", errorCodes: [cause.errorCode] },
                              { onSuccess: (created) => navigate(`/jobs/${created.jobId}`) },
                            )
                          }
                        >
                          <p>
                            A new job runs the {count(cause.count)} tasks that failed with {cause.errorCode} again.
                          </p>
                        </ConfirmButton>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {m.rerun.isError && (
        <p role="alert" className="error">
          {(m.rerun.error as Error).message}
        </p>
      )}
      {canListTasks && (
        <>
          <h3>
            Failed tasks{code !== undefined ? ` with ${code || "no error code"}` : ""}
            {code !== undefined && (
              <button type="button" className="quiet" onClick={() => setCode(undefined)}>
                Show all
              </button>
            )}
          </h3>
          {tasks.isError && <p className="hint">{(tasks.error as Error).message}</p>}
          {tasks.data && tasks.data.tasks.length === 0 && (
            <p className="hint">No failed task in the report's finished files yet.</p>
          )}
          {tasks.data && tasks.data.tasks.length > 0 && (
            <div className="table-wrap">
              <table className="tasks">
                <thead>
                  <tr>
                    <th scope="col">Object</th>
                    <th scope="col">Error</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  {tasks.data.tasks.map((t) => (
                    <tr key={`${t.bucket}/${t.key}/${t.versionId ?? ""}`}>
                      <td className="mono">
                        {t.bucket}/{t.key}
                      </td>
                      <td>
                        {t.httpStatus} {t.errorCode}
                      </td>
                      <td>{t.resultMessage}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav className="pager" aria-label="Failed task pages">
            <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous
            </button>
            <button
              type="button"
              disabled={!tasks.data?.nextCursor}
              onClick={() => tasks.data?.nextCursor && setCursors([...cursors, tasks.data.nextCursor])}
            >
              Next
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
