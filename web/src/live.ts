/**
 * The account's live job events (GET /api/v1/events, Server-Sent Events, D34), one EventSource for the whole
 * console while signed in; the browser resumes it with Last-Event-ID after a drop. A durable event (a job
 * created, its status, priority, tags, ...) has the queries that show that job read again, batched so a burst of
 * events costs one read; `progress` events (every second for each running job) are kept here with the time they
 * arrived, so the pages draw each running job's bar, rate and ETA, and its throughput over time, without polling.
 */
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { JOB_EVENT_TYPES } from "../../src/domain/job-event.js";
import type { JobJson } from "./api";

export type Progress = JobJson["progress"];

export interface LiveJob {
  readonly status: JobJson["status"];
  readonly progress: Progress;
  /** tasks/s samples over time (ms since epoch), newest last, at most MAX_SAMPLES. */
  readonly samples: readonly (readonly [number, number])[];
}

const MAX_SAMPLES = 600;
const live = new Map<string, LiveJob>();
const listeners = new Set<() => void>();
let version = 0;

function notify() {
  version++;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A job's latest live progress (undefined until a progress event for it arrived). */
export function useLiveJob(jobId: string): LiveJob | undefined {
  useSyncExternalStore(subscribe, () => version);
  return live.get(jobId);
}

/** Re-renders on every live update; for the jobs table, which reads many jobs. */
export function useLiveJobs(): ReadonlyMap<string, LiveJob> {
  useSyncExternalStore(subscribe, () => version);
  return live;
}

function onProgress(data: { jobId: string; status: LiveJob["status"]; progress: Progress }) {
  const previous = live.get(data.jobId);
  const samples = [...(previous?.samples ?? []), [Date.now(), data.progress.tasksPerSecond] as const];
  if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
  live.set(data.jobId, { status: data.status, progress: data.progress, samples });
  notify();
}

/** Reads the job's queries again, at most every 300 ms for a burst of events. */
function invalidator(queries: QueryClient) {
  const jobs = new Set<string>();
  let all = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (jobId: string | undefined) => {
    if (jobId === undefined) all = true;
    else jobs.add(jobId);
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void queries.invalidateQueries({ queryKey: ["jobs"] });
      if (all) void queries.invalidateQueries({ queryKey: ["job"] });
      else for (const id of jobs) void queries.invalidateQueries({ queryKey: ["job", id] });
      jobs.clear();
      all = false;
    }, 300);
  };
}

/** Opens the account's event stream while `enabled` (signed in). */
export function useAccountEvents(enabled: boolean): void {
  const queries = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const stream = new EventSource("/api/v1/events");
    const invalidate = invalidator(queries);
    stream.addEventListener("progress", (e) => onProgress(JSON.parse((e as MessageEvent).data)));
    for (const type of JOB_EVENT_TYPES) {
      stream.addEventListener(type, (e) => {
        const event = JSON.parse((e as MessageEvent).data) as { jobId: string; status: LiveJob["status"] };
        const known = live.get(event.jobId);
        if (known !== undefined) {
          live.set(event.jobId, { ...known, status: event.status });
          notify();
        }
        invalidate(event.jobId);
      });
    }
    stream.addEventListener("reset", () => invalidate(undefined));
    // Back after a drop: what happened meanwhile may not all be in the stream's catch-up (a reset says so).
    stream.addEventListener("open", () => invalidate(undefined));
    return () => stream.close();
  }, [enabled, queries]);
}
