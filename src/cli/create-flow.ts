/**
 * How the CLI creates a job, the same for `jobs create --file`, the shortcuts (`objbatch copy ...`) and
 * `objbatch run`: show the server's preview (count, bytes, the first tasks, problems), ask, create, then watch
 * the job until it ends (job-watch.ts) unless --detach. --dry-run stops after the preview; --yes does not ask;
 * --json prints the API's answers and never watches. A job created with a clientRequestToken the server has
 * seen is the job created then (D5): said so, and watched all the same.
 */
import type { JobJson } from "../api/json/schemas/job.js";
import type { ApiAnswer, ApiClient } from "./connection.js";
import { CliError, type ExitCode } from "./exit-codes.js";
import { type PreviewJson, showPreview } from "./job-views.js";
import { type WatchOptions, watchJob } from "./job-watch.js";
import type { Output } from "./output.js";
import { canAsk, confirm } from "./prompt.js";

export interface Context {
  readonly api: ApiClient;
  readonly out: Output;
  /** Messages that are not the command's answer (hints, what was written where): stderr. */
  readonly note: (text: string) => void;
  /** How the job is watched: what Ctrl-C does and the hints at its end (by default, those of a server). */
  readonly watch?: Pick<WatchOptions, "onInterrupt" | "hints">;
  /**
   * The job ends with this process (`objbatch run`): it is watched to its end even under --json (each event a
   * line) and --detach does not apply.
   */
  readonly mustWatch?: boolean;
}

export interface CreateFlowOptions {
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  readonly detach?: boolean;
  readonly json?: boolean;
  /** Tasks the preview shows. */
  readonly sample?: number;
}

/** Refuses, before anything is read or sent, a create that would have to ask with no terminal to ask on. */
export function requireWayToConfirm(o: CreateFlowOptions): void {
  if (!o.yes && !o.dryRun && !canAsk()) {
    throw new CliError(
      "objbatch asks before it creates a job, and there is no terminal to ask on: pass --yes to create it " +
        "without asking, or --dry-run to see its preview only",
    );
  }
}

/** Previews the job, asks, creates it and watches it; the exit code is the watch's (or undefined). */
export async function previewCreateWatch(
  ctx: Context,
  job: unknown,
  o: CreateFlowOptions,
): Promise<ExitCode | undefined> {
  const { api, out, note } = ctx;
  requireWayToConfirm(o);
  const preview = await api.call({
    method: "POST",
    path: "/jobs/preview",
    query: { sample: o.sample === undefined ? undefined : String(o.sample) },
    body: job,
  });
  if (o.dryRun) {
    if (o.json) out.json(preview.text);
    else showPreview(out, preview.json as PreviewJson);
    return undefined;
  }
  if (!o.json) showPreview(out, preview.json as PreviewJson);
  if (!o.yes && !(await confirm("\nCreate this job?"))) {
    note("Nothing created.");
    return undefined;
  }
  const created = await api.call({ method: "POST", path: "/jobs", body: job });
  return announceAndWatch(ctx, created, undefined, o);
}

/**
 * Prints the job a create, rerun or clone made (`what` says what it is), then watches it unless --detach or
 * --json, or unless it waits for confirmation.
 */
export async function announceAndWatch(
  ctx: Context,
  created: ApiAnswer,
  what: string | undefined,
  o: CreateFlowOptions,
): Promise<ExitCode | undefined> {
  const { api, out, note } = ctx;
  const body = created.json as JobJson;
  if (o.json) {
    out.json(created.text);
    if (!ctx.mustWatch) return undefined;
    return watchJob(body.jobId, { api, out, note, stdout: process.stdout, json: true, ...ctx.watch });
  }
  out.line(
    created.status === 201
      ? `Created job ${body.jobId} (${out.status(body.status)})${what === undefined ? "" : `, ${what}`}.`
      : `Job ${body.jobId} was created earlier with this clientRequestToken (${out.status(body.status)}).`,
  );
  if (body.confirmationRequired && body.status !== "Ready" && body.status !== "Active") {
    note(`It waits for confirmation: objbatch jobs confirm ${body.jobId}, then objbatch jobs watch ${body.jobId}`);
    return undefined;
  }
  if (o.detach && !ctx.mustWatch) {
    note(`Follow it with: objbatch jobs watch ${body.jobId}`);
    return undefined;
  }
  return watchJob(body.jobId, { api, out, note, stdout: process.stdout, json: false, ...ctx.watch });
}
