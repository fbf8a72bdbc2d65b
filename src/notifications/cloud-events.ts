/**
 * Job events as CloudEvents 1.0 in structured mode (D42): `specversion`, `id`, `source`, `type`
 * (`objbatch.<job event type>`), `subject` (the job id), `time`, `datacontenttype` and `data`. One job event
 * gives one CloudEvent with the event's id; a `job.status` into Complete, Failed or Cancelled gives a second,
 * `objbatch.job.finished` (id `<event id>-finished`), with the summary: the counts the status event recorded,
 * the failures by cause and where the report is. Both are built from the durable event row (and the finished
 * job's causes, which no longer change), so building them again after a crash gives the same events.
 */
import type { FailureCause } from "../domain/failure-causes.js";
import type { Job } from "../domain/job.js";
import type { JobEvent } from "../domain/job-event.js";
import { isTerminal } from "../domain/status.js";
import { reportManifestKey } from "../report/report-writer.js";
import type { WebhookEventType } from "./types.js";

export interface CloudEvent {
  readonly specversion: "1.0";
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: "application/json";
  readonly data: Record<string, unknown>;
}

/** What the finished summary reads about a job that has ended (undefined: it was deleted since). */
export interface FinishedJobFacts {
  readonly job?: Job;
  readonly causes: readonly FailureCause[];
}

/** Whether the event ends its job (and so is followed by `objbatch.job.finished`). */
export function endsJob(event: JobEvent): boolean {
  return event.type === "job.status" && event.payload.to !== undefined && isTerminal(event.payload.to);
}

export function cloudEventOf(event: JobEvent, source: string): CloudEvent {
  return {
    specversion: "1.0",
    id: String(event.id),
    source,
    type: `objbatch.${event.type}` satisfies string,
    subject: event.jobId,
    time: event.time.toISOString(),
    datacontenttype: "application/json",
    data: { jobId: event.jobId, accountId: event.accountId, status: event.status, ...event.payload },
  };
}

export function finishedEventOf(event: JobEvent, source: string, facts: FinishedJobFacts): CloudEvent {
  const report = facts.job?.report;
  const bucket = report?.enabled ? report.bucket?.bucket : undefined;
  return {
    specversion: "1.0",
    id: `${event.id}-finished`,
    source,
    type: "objbatch.job.finished" satisfies WebhookEventType,
    subject: event.jobId,
    time: event.time.toISOString(),
    datacontenttype: "application/json",
    data: {
      jobId: event.jobId,
      accountId: event.accountId,
      status: event.status,
      ...(event.payload.reason !== undefined ? { reason: event.payload.reason } : {}),
      counts: event.payload.counts ?? null,
      failuresByCause: facts.causes.map((c) => ({
        httpStatus: c.httpStatus,
        errorCode: c.errorCode,
        count: c.count,
        sampleKeys: c.sampleKeys,
      })),
      report:
        bucket === undefined
          ? null
          : {
              bucket,
              manifestKey: reportManifestKey(event.jobId, report?.prefix),
              api: `/api/v1/jobs/${event.jobId}/report`,
            },
    },
  };
}
