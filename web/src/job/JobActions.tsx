/**
 * What can be done with the job now, each button shown only when the API would accept it: confirm a job that
 * waits for it, pause a running one, resume one you paused, cancel an unfinished one (asked first), change its
 * priority, clone it, rerun its failures (the failures panel has the per-code reruns), delete a finished one
 * (asked first). A refusal is shown as the API worded it.
 */
import { type FormEvent, useState } from "react";
import { useLocation } from "wouter";
import type { JobJson } from "../api";
import { ConfirmButton } from "../components/ConfirmButton";
import { useJobMutations } from "./actions";

const FINISHED = new Set(["Complete", "Failed", "Cancelled"]);
const PAUSABLE = new Set(["New", "Preparing", "Suspended", "Ready", "Active"]);

export function JobActions({ job }: { job: JobJson }) {
  const [, navigate] = useLocation();
  const m = useJobMutations(job.jobId);
  const [priority, setPriority] = useState(String(job.priority));
  const finished = FINISHED.has(job.status);
  const error = [m.status, m.priority, m.rerun, m.clone, m.remove].find((x) => x.isError)?.error;
  const busy = [m.status, m.priority, m.rerun, m.clone, m.remove].some((x) => x.isPending);

  const savePriority = (e: FormEvent) => {
    e.preventDefault();
    m.priority.mutate(Number(priority));
  };

  return (
    <div className="actions">
      {job.status === "Suspended" && (
        <button type="button" onClick={() => m.status.mutate("confirm")} disabled={busy}>
          Confirm
        </button>
      )}
      {PAUSABLE.has(job.status) && !job.pausedByUser && (
        <button type="button" onClick={() => m.status.mutate("pause")} disabled={busy}>
          Pause
        </button>
      )}
      {job.pausedByUser && (
        <button type="button" onClick={() => m.status.mutate("resume")} disabled={busy}>
          Resume
        </button>
      )}
      {!finished && job.status !== "Cancelling" && job.status !== "Failing" && (
        <ConfirmButton
          label="Cancel"
          title="Cancel this job?"
          confirmLabel="Cancel the job"
          danger
          disabled={busy}
          onConfirm={() => m.status.mutate("cancel")}
        >
          <p>
            Its running tasks finish; no other task starts. A cancelled job cannot be resumed, but its tasks that did
            not run can be run again as a new job.
          </p>
        </ConfirmButton>
      )}
      {!finished && (
        <form className="inline" onSubmit={savePriority}>
          <label>
            Priority
            <input
              type="number"
              min={0}
              max={2147483647}
              value={priority}
              onChange={(e) => setPriority(e.target.value)}
              className="narrow"
            />
          </label>
          <button type="submit" className="quiet" disabled={busy || priority === String(job.priority)}>
            Set
          </button>
        </form>
      )}
      {finished && job.progress.failed > 0 && job.report.enabled && (
        <ConfirmButton
          label="Rerun failures"
          title="Rerun the failed tasks?"
          confirmLabel="Rerun them"
          disabled={busy}
          onConfirm={() =>
            m.rerun.mutate({ scope: "failed" }, { onSuccess: (created) => navigate(`/jobs/${created.jobId}`) })
          }
        >
          <p>A new job runs the {job.progress.failed.toLocaleString()} failed tasks again, from this job's report.</p>
        </ConfirmButton>
      )}
      <button
        type="button"
        className="quiet"
        disabled={busy}
        onClick={() => m.clone.mutate(undefined, { onSuccess: (created) => navigate(`/jobs/${created.jobId}`) })}
      >
        Clone
      </button>
      {finished && (
        <ConfirmButton
          label="Delete"
          title="Delete this job?"
          confirmLabel="Delete the job"
          danger
          disabled={busy}
          onConfirm={() => m.remove.mutate(undefined, { onSuccess: () => navigate("/") })}
        >
          <p>The job leaves the list for good. Its report stays in its bucket.</p>
        </ConfirmButton>
      )}
      {error && (
        <p role="alert" className="error">
          {(error as Error).message}
        </p>
      )}
    </div>
  );
}
