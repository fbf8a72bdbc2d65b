/**
 * A job's progress: a bar (a native <progress>, so assistive technology reads its value) with the percent done,
 * and, while the job runs, its rate and time left; the failed share is drawn in the bar's colour for failures.
 */

import { count, duration, percent, rate } from "../format";
import type { Progress } from "../live";

export function ProgressBar({
  progress,
  running,
  compact = false,
}: {
  progress: Pick<Progress, "total" | "succeeded" | "failed"> & Partial<Pick<Progress, "tasksPerSecond" | "etaSeconds">>;
  running: boolean;
  compact?: boolean;
}) {
  const done = percent(progress);
  const label =
    done === undefined
      ? `${count(progress.succeeded + progress.failed)} tasks done, total not counted yet`
      : `${done}% done, ${count(progress.succeeded + progress.failed)} of ${count(progress.total)} tasks`;
  const failedShare =
    progress.total !== null && progress.total > 0 ? Math.min(100, (progress.failed * 100) / progress.total) : 0;
  return (
    <div className={`progress${compact ? " progress-compact" : ""}`}>
      <div className="progress-track">
        <progress
          max={100}
          value={done ?? undefined}
          aria-label={label}
          className={progress.failed > 0 ? "has-failures" : undefined}
        />
        {failedShare > 0 && <span className="progress-failed" style={{ width: `${failedShare}%` }} aria-hidden />}
      </div>
      <span className="progress-text">
        {done === undefined ? "…" : `${done}%`}
        {running && progress.tasksPerSecond !== undefined && (
          <span className="progress-rate">
            {" · "}
            {rate(progress.tasksPerSecond)} tasks/s
            {progress.etaSeconds !== null && progress.etaSeconds !== undefined && progress.etaSeconds > 0
              ? ` · ETA ${duration(progress.etaSeconds)}`
              : ""}
          </span>
        )}
      </span>
    </div>
  );
}
