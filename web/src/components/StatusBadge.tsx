/** A job's status as a coloured badge: green done, red failed, amber held, blue running, grey the rest. */
import type { JobJson } from "../api";

const TONE: Record<string, string> = {
  Complete: "ok",
  Failed: "bad",
  Failing: "bad",
  Cancelled: "muted",
  Cancelling: "muted",
  Paused: "held",
  Pausing: "held",
  Suspended: "held",
  Active: "run",
  Completing: "run",
  Preparing: "run",
  Ready: "run",
  New: "muted",
};

export function StatusBadge({ status, pausedByUser }: { status: JobJson["status"]; pausedByUser?: boolean }) {
  return (
    <span className={`badge badge-${TONE[status] ?? "muted"}`}>
      {status}
      {pausedByUser && (status === "Paused" || status === "Pausing") ? " by you" : ""}
    </span>
  );
}
