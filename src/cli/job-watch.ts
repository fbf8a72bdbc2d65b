/**
 * `objbatch jobs watch ID` (D37): follows a job until it ends and answers its outcome as an exit code. It reads
 * the job's Server-Sent Events (GET /jobs/{id}/events, D34, signed like every request; sse-parser.ts reads the
 * stream): `progress` events (every second while the job runs) carry the live progress, rate and ETA (D30,
 * D32); a durable event or a `reset` has the job read again (GET /jobs/{id}), since the stream replays a job's
 * events from its first and one may be history; an event with a finished status (final) ends the watch. A
 * stream that drops (the server restarted, a proxy cut it, no byte for 90 s) is opened again with Last-Event-ID,
 * after a pause that doubles from 250 ms up to 5 s, and given up after 30 tries in a row without a byte from the
 * server (exit 3 or 5 as for any request). A server without the event route (501, or a 404 that is not about
 * the job) is polled instead, once a second. While tasks fail, their top causes come from GET /failures, read
 * at most every 5 s. The progress is shown by progress-view.ts; `--json` prints each event's data as it came,
 * one JSON object per line. When the job ends: a summary (counts, failure causes, the report, how to rerun what
 * did not succeed) and the exit code (0 complete with no failed task, 10 complete with failures, 11 failed, 12
 * cancelled). Ctrl-C detaches: the job keeps running, the hint says how to reattach, exit 130.
 */
import type { IncomingMessage } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { JobFailuresJson } from "../api/json/schemas/failures.js";
import type { JobJson } from "../api/json/schemas/job.js";
import { type ApiClient, jobPath } from "./connection.js";
import { CliError, EXIT, type ExitCode } from "./exit-codes.js";
import { showFailureCauses } from "./job-views.js";
import { formatDuration, type Output } from "./output.js";
import { ProgressDisplay, type ProgressReading } from "./progress-view.js";
import { SseParser } from "./sse-parser.js";

const FINISHED = new Set(["Complete", "Failed", "Cancelled"]);
const FAILURES_EVERY_MS = 5000;
const POLL_EVERY_MS = 1000;
const FIRST_PAUSE_MS = 250;
const LONGEST_PAUSE_MS = 5000;
const TRIES = 30;

export interface WatchOptions {
  readonly api: ApiClient;
  readonly out: Output;
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  /** Hints (how to reattach): stderr. */
  readonly note: (text: string) => void;
  readonly json: boolean;
  readonly now?: () => number;
  /**
   * What Ctrl-C does: by default it detaches (the job keeps running on its server) and exits 130. `objbatch
   * run`, whose job runs in this process, stops it cleanly instead.
   */
  readonly onInterrupt?: (jobId: string, status: string) => void;
  /** The hints after the summary; by default how to download the report and rerun through a server. */
  readonly hints?: WatchHints;
}

/** What the summary suggests next, for a job with a report. */
export interface WatchHints {
  /** After the report's location, s3://bucket/prefix/job-ID/. */
  report(jobId: string, location: string): string;
  /** How to rerun the tasks that did not succeed (`scope` is "" or " --scope not-succeeded"); none to say nothing. */
  rerun(jobId: string, scope: string): string | undefined;
}

const SERVER_HINTS: WatchHints = {
  report: (jobId, location) => `Report: ${location} (objbatch jobs report ${jobId} --download ./report)`,
  rerun: (jobId, scope) => `Rerun the tasks that did not succeed: objbatch jobs rerun ${jobId}${scope}`,
};

/** The exit code of a finished job. */
export function outcomeOf(status: string, failed: number): ExitCode {
  if (status === "Failed") return EXIT.jobFailed;
  if (status === "Cancelled") return EXIT.jobCancelled;
  return failed > 0 ? EXIT.completedWithFailures : EXIT.ok;
}

interface Reading extends ProgressReading {
  causes?: ProgressReading["causes"];
}

function readingOf(job: { status: string; progress: JobJson["progress"] }): Reading {
  const p = job.progress;
  return {
    status: job.status,
    total: p.total,
    succeeded: p.succeeded,
    failed: p.failed,
    // A finished job has no current rate: its bar's last line shows the average it ran at.
    tasksPerSecond: FINISHED.has(job.status) ? p.averageTasksPerSecond : p.tasksPerSecond,
    etaSeconds: p.etaSeconds,
  };
}

/**
 * Whether a refusal of the event route means the server has none (poll instead): 501 from a server that streams
 * no events, or the route unknown to an older one (404 no-such-route; an unknown job is no-such-job, exit 2).
 */
function noEventRoute(e: CliError): boolean {
  const type = problemType(e);
  return type === "not-implemented" || type === "no-such-route" || type === "method-not-allowed";
}

function problemType(e: CliError): string | undefined {
  if (e.problemJson === undefined) return undefined;
  try {
    return String((JSON.parse(e.problemJson) as { type?: string }).type ?? "").replace(/^urn:objbatch:problem:/, "");
  } catch {
    return undefined;
  }
}

/** Worth trying again: the server could not be reached or failed for now. */
function transient(e: unknown): boolean {
  return e instanceof CliError && (e.exitCode === EXIT.unreachable || e.exitCode === EXIT.serverError);
}

export async function watchJob(jobId: string, o: WatchOptions): Promise<ExitCode> {
  const { api, out } = o;
  const terminal = o.stdout.isTTY === true && !o.json;
  const display = new ProgressDisplay(o.stdout, {
    terminal,
    colours: out.colours,
    // A terminal that reports no size (0 columns: a pseudo-terminal nobody sized) gets the output's width.
    width: () => (terminal && (o.stdout.columns ?? 0) > 0 ? o.stdout.columns! : out.width),
    now: o.now,
  });
  const now = o.now ?? Date.now;
  let reading: Reading;
  let failuresReadAt = Number.NEGATIVE_INFINITY;
  let failuresReadFor = 0;

  const first = await api.call({ method: "GET", path: jobPath(jobId) });
  reading = readingOf(first.json as JobJson);

  let current: IncomingMessage | undefined;
  const onSigint = () => {
    current?.destroy();
    if (!o.json) display.end();
    if (o.onInterrupt !== undefined) {
      o.onInterrupt(jobId, reading.status);
      return;
    }
    o.note(`Detached: job ${jobId} keeps running (${reading.status}). Reattach with: objbatch jobs watch ${jobId}`);
    process.exit(EXIT.detached);
  };
  process.on("SIGINT", onSigint);

  /** The top causes, read again when more tasks failed and at most every 5 s. */
  const refreshCauses = async () => {
    if (o.json || reading.failed === 0 || reading.failed === failuresReadFor) return;
    if (now() - failuresReadAt < FAILURES_EVERY_MS) return;
    failuresReadAt = now();
    failuresReadFor = reading.failed;
    try {
      const failures = (await api.call({ method: "GET", path: jobPath(jobId, "failures") })).json as JobFailuresJson;
      reading = { ...reading, causes: failures.causes.slice(0, 3) };
    } catch (e) {
      if (!transient(e)) throw e;
    }
  };
  const show = async () => {
    await refreshCauses();
    if (!o.json) display.update(reading);
  };

  try {
    if (FINISHED.has(reading.status)) {
      if (o.json)
        out.json(JSON.stringify({ jobId, status: reading.status, progress: (first.json as JobJson).progress }));
      return await finish(jobId, o, display);
    }
    await show();
    let lastEventId: string | undefined;
    let tries = 0;
    let polling = false;
    for (;;) {
      if (polling) {
        const answer = await api.call({ method: "GET", path: jobPath(jobId) }).catch((e: unknown) => {
          if (!transient(e) || ++tries > TRIES) throw e;
          return undefined;
        });
        if (answer !== undefined) {
          tries = 0;
          const job = answer.json as JobJson;
          reading = { ...readingOf(job), causes: reading.causes };
          if (o.json) out.json(JSON.stringify({ jobId, status: job.status, progress: job.progress }));
          if (FINISHED.has(job.status)) return await finish(jobId, o, display);
          await show();
        }
        await sleep(POLL_EVERY_MS);
        continue;
      }
      let response: IncomingMessage;
      try {
        response = await api.stream({
          method: "GET",
          path: jobPath(jobId, "events"),
          headers: {
            accept: "text/event-stream",
            ...(lastEventId === undefined ? {} : { "last-event-id": lastEventId }),
          },
        });
      } catch (e) {
        if (e instanceof CliError && noEventRoute(e)) {
          polling = true;
          continue;
        }
        if (!transient(e) || ++tries > TRIES) throw e;
        await sleep(Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (tries - 1)));
        continue;
      }
      current = response;
      const parser = new SseParser();
      if (lastEventId !== undefined) parser.lastEventId = lastEventId;
      const decoder = new TextDecoder();
      let ended = false;
      try {
        for await (const chunk of response) {
          // Any byte (a heartbeat too) shows the stream works: a stream an idle proxy cuts is not given up on.
          tries = 0;
          for (const event of parser.feed(decoder.decode(chunk as Buffer, { stream: true }))) {
            if (event.hasId) lastEventId = event.lastEventId;
            if (o.json) out.json(event.data);
            // biome-ignore lint/suspicious/noExplicitAny: the event's JSON, read by the fields its schema has
            let data: any;
            try {
              data = JSON.parse(event.data);
            } catch {
              continue;
            }
            if (event.event === "progress") {
              if (data.jobId === jobId) reading = { ...readingOf(data), causes: reading.causes };
            } else if (typeof data.status === "string" && FINISHED.has(data.status)) {
              reading = { ...reading, status: data.status };
            } else if (event.event === "reset" || !o.json) {
              // The stream replays the job's events from its first (New, Preparing, ...): what the job is now is
              // read, not taken from an event that may be history. --json only prints them, and needs no read.
              const job = (await api.call({ method: "GET", path: jobPath(jobId) })).json as JobJson;
              reading = { ...readingOf(job), causes: reading.causes };
            }
            if (FINISHED.has(reading.status)) {
              ended = true;
              break;
            }
            await show();
          }
          if (ended) break;
        }
      } catch {
        // The stream dropped: opened again below, after the last event it delivered.
      } finally {
        response.destroy();
        current = undefined;
      }
      if (ended) return await finish(jobId, o, display);
      tries++;
      if (tries > TRIES) {
        throw new CliError(
          `the event stream of job ${jobId} keeps ending; objbatch jobs show ${jobId}`,
          EXIT.serverError,
        );
      }
      await sleep(Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (tries - 1)));
    }
  } finally {
    process.off("SIGINT", onSigint);
  }
}

/** The job as it ended: its last reading on screen, a summary (not under --json), and its exit code. */
async function finish(jobId: string, o: WatchOptions, display: ProgressDisplay): Promise<ExitCode> {
  const job = (await o.api.call({ method: "GET", path: jobPath(jobId) })).json as JobJson;
  const code = outcomeOf(job.status, job.progress.failed);
  if (o.json) return code;
  const reading = readingOf(job);
  display.end(reading);
  const { out } = o;
  const p = job.progress;
  out.line(
    `Job ${job.jobId} ${out.status(job.status)}: ${p.succeeded.toLocaleString("en-US")} succeeded, ` +
      `${p.failed === 0 ? "0" : out.colours.red(p.failed.toLocaleString("en-US"))} failed` +
      `${p.total === null ? "" : ` of ${p.total.toLocaleString("en-US")} tasks`}` +
      ` in ${formatDuration(p.elapsedMs / 1000)} active.`,
  );
  for (const f of job.failureReasons) out.line(`  ${f.code}: ${f.reason}`);
  if (p.failed > 0) {
    const failures = (await o.api.call({ method: "GET", path: jobPath(jobId, "failures") })).json as JobFailuresJson;
    out.line(out.colours.bold(`Failed tasks by cause (${failures.total.toLocaleString("en-US")}):`));
    showFailureCauses(out, failures);
  }
  const report = job.report as { enabled: boolean; bucket?: string; prefix?: string };
  const hints = o.hints ?? SERVER_HINTS;
  if (report.enabled) {
    const bucket = (report.bucket ?? "").replace(/^arn:[^:]*:s3:::/, "");
    const prefix = report.prefix === undefined ? "" : `${report.prefix.replace(/\/+$/, "")}/`;
    out.line(hints.report(job.jobId, `s3://${bucket}/${prefix}job-${job.jobId}/`));
  }
  if (report.enabled && (p.failed > 0 || job.status !== "Complete")) {
    const rerun = hints.rerun(job.jobId, job.status === "Complete" ? "" : " --scope not-succeeded");
    if (rerun !== undefined) out.line(rerun);
  }
  return code;
}
