/**
 * `objbatch jobs ...`: the account's jobs through the JSON API (/api/v1, D26-D37), one subcommand per route:
 * list, show, create (after its preview, then watched), watch (job-watch.ts), confirm, pause, resume, cancel,
 * priority, tags, failures, tasks, rerun and clone (then watched), report (and its download) and delete. Each
 * takes the connection options (connection.ts) and --json, which prints the API's JSON body exactly as the server
 * sent it, so scripts parse what the OpenAPI document describes; without it the answer is shown for a person
 * (job-views.ts). Every subcommand's --help has examples.
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { JobFailuresJson } from "../api/json/schemas/failures.js";
import type { JobJson, JobPageJson } from "../api/json/schemas/job.js";
import type { JobReportJson } from "../api/json/schemas/report.js";
import { ApiClient, type ConnectionFlags, jobPath, resolveConnection, withConnectionOptions } from "./connection.js";
import { announceAndWatch, type Context, previewCreateWatch, requireWayToConfirm } from "./create-flow.js";
import { CliError, type ExitCode } from "./exit-codes.js";
import { readJobFile } from "./job-file.js";
import {
  showFailures,
  showJob,
  showJobList,
  showReport,
  showTaskResults,
  type TaskResultPageJson,
} from "./job-views.js";
import { watchJob } from "./job-watch.js";
import { Output } from "./output.js";
import { downloadReport, type ReportJson } from "./report-download.js";

/** The API's largest priority (MAX_PRIORITY in schemas/requests.ts, not imported: it would load TypeBox). */
const MAX_PRIORITY = 2147483647;

interface CommonOptions extends ConnectionFlags {
  readonly json?: boolean;
}

/** A subcommand's action: connects, runs, and under --json prints the server's problem as well as the message. */
function action<O extends CommonOptions>(run: (ctx: Context, args: string[], options: O) => Promise<unknown>) {
  return async (...all: unknown[]) => {
    const command = all[all.length - 1] as Command;
    const options = command.opts() as O;
    const args = all.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a : a === undefined ? [] : [String(a)]));
    const out = new Output(process.stdout);
    try {
      const api = new ApiClient(await resolveConnection(options));
      const code = await run({ api, out, note: (text) => process.stderr.write(`${text}\n`) }, args, options);
      if (typeof code === "number") process.exitCode = code as ExitCode;
    } catch (e) {
      if (e instanceof CliError && e.problemJson !== undefined && options.json) out.json(e.problemJson);
      throw e;
    }
  };
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join("\n")}\n`;
}

/** A subcommand with the connection options, --json, and examples after its help. */
function subcommand(jobs: Command, spec: string, description: string, exampleLines: string[]): Command {
  const command = jobs.command(spec).description(description);
  withConnectionOptions(command);
  command.option("--json", "print the API's JSON answer as it came, for scripts");
  command.addHelpText("after", examples(...exampleLines));
  return command;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function positiveInteger(name: string, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) > max) {
      throw new InvalidArgumentError(`${name} is a whole number from 0 to ${max}.`);
    }
    return Number(value);
  };
}

/** key=value as the listing's tag filter, key:value. */
function tagFilter(value: string): string {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError("a tag is key=value (the value may be empty).");
  return `${value.slice(0, eq)}:${value.slice(eq + 1)}`;
}

function tagPairs(pairs: readonly string[]): { key: string; value: string }[] {
  return pairs.map((pair) => {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliError(`a tag is KEY=VALUE (the value may be empty), not ${JSON.stringify(pair)}`);
    return { key: pair.slice(0, eq), value: pair.slice(eq + 1) };
  });
}

export function addJobsCommand(program: Command): Command {
  const jobs = program
    .command("jobs")
    .description("list, create, inspect and steer the jobs of your account on an objbatch server");
  jobs.addHelpText(
    "after",
    examples(
      "objbatch login",
      "objbatch jobs list --status Active",
      "objbatch jobs create --file copy-job.yaml",
      "objbatch jobs show 3f0c9a4e-...",
    ),
  );

  subcommand(jobs, "list", "list the account's jobs, newest first", [
    "objbatch jobs list",
    "objbatch jobs list --status Active --status Paused",
    "objbatch jobs list --operation PutObjectCopy --tag team=media --search nightly",
    "objbatch jobs list --all --json | jq -r '.jobs[].jobId'",
  ])
    .option("--status <status>", "only jobs with this status (repeatable: any of them)", collect)
    .option("--operation <kind>", "only jobs of this operation (PutObjectCopy, DeleteObject, ...)")
    .option("--tag <key=value>", "only jobs with this tag", tagFilter)
    .option("--search <text>", "only jobs whose description or id contains the text")
    .option("--limit <n>", "jobs per page, 1 to 1000 (the server's default 100)", positiveInteger("--limit", 1000))
    .option("--cursor <cursor>", "the page after a previous answer's nextCursor")
    .option("--all", "follow every page to the last")
    .action(
      action<
        CommonOptions & {
          status?: string[];
          operation?: string;
          tag?: string;
          search?: string;
          limit?: number;
          cursor?: string;
          all?: boolean;
        }
      >(async ({ api, out, note }, _args, o) => {
        const query = {
          status: o.status,
          operation: o.operation,
          tag: o.tag,
          q: o.search,
          limit: o.limit === undefined ? undefined : String(o.limit),
        };
        let answer = await api.call({ method: "GET", path: "/jobs", query: { ...query, cursor: o.cursor } });
        let page = answer.json as JobPageJson;
        const all = [...page.jobs];
        while (o.all && page.nextCursor !== null) {
          answer = await api.call({ method: "GET", path: "/jobs", query: { ...query, cursor: page.nextCursor } });
          page = answer.json as JobPageJson;
          all.push(...page.jobs);
        }
        if (o.json) {
          // One page: the API's body as it came; every page: one body of the same shape, with no next cursor.
          out.json(o.all ? JSON.stringify({ jobs: all, nextCursor: null }) : answer.text);
          return;
        }
        showJobList(out, all);
        if (page.nextCursor !== null) {
          note(`More jobs: objbatch jobs list --all, or --cursor ${page.nextCursor} for the next page.`);
        }
      }),
    );

  subcommand(jobs, "show <id>", "every field of a job, its progress and its failed tasks by cause", [
    "objbatch jobs show 3f0c9a4e-...",
    "objbatch jobs show 3f0c9a4e-... --json | jq .progress",
  ]).action(
    action(async ({ api, out }, [id], o) => {
      const answer = await api.call({ method: "GET", path: jobPath(id!) });
      if (o.json) {
        out.json(answer.text);
        return;
      }
      const job = answer.json as JobJson;
      const failures =
        job.progress.failed > 0
          ? ((await api.call({ method: "GET", path: jobPath(id!, "failures") })).json as JobFailuresJson)
          : undefined;
      showJob(out, job, failures);
    }),
  );

  subcommand(
    jobs,
    "create",
    "create a job from a JSON or YAML file (the API's job), after showing its preview and asking; then watch it",
    [
      "objbatch jobs create --file copy-job.json",
      "objbatch jobs create --file copy-job.yaml --dry-run",
      "objbatch jobs create --file copy-job.yaml --yes --json | jq -r .jobId",
      "cat job.yaml | objbatch jobs create --file - --yes",
    ],
  )
    .usage("--file <file> [--yes | --dry-run] [options]")
    .requiredOption("-f, --file <file>", "the job: JSON, or YAML when named .yaml/.yml; - reads stdin (YAML or JSON)")
    .option("-y, --yes", "create the job without asking")
    .option("--dry-run", "show the preview only; create nothing")
    .option("--detach", "do not watch the job after creating it (--json never watches)")
    .option("--sample <n>", "tasks the preview shows (default 10)", positiveInteger("--sample", 100))
    .action(
      action<CommonOptions & { file: string; yes?: boolean; dryRun?: boolean; sample?: number; detach?: boolean }>(
        async (ctx, _args, o) => {
          requireWayToConfirm(o);
          return previewCreateWatch(ctx, await readJobFile(o.file), o);
        },
      ),
    );

  for (const [verb, description, done] of [
    ["confirm", "confirm a job that waits for confirmation (Suspended -> Ready)", "confirmed"],
    ["pause", "pause a job until you resume it (its running chunks finish)", "paused"],
    ["resume", "resume a job you paused; it runs again at its priority", "resumed"],
    ["cancel", "cancel a job", "cancelled"],
  ] as const) {
    subcommand(jobs, `${verb} <id>`, description, [
      `objbatch jobs ${verb} 3f0c9a4e-...`,
      `objbatch jobs ${verb} 3f0c9a4e-... --reason "maintenance window"`,
    ])
      .option("--reason <text>", "why, shown in the job's statusUpdateReason")
      .action(
        action<CommonOptions & { reason?: string }>(async ({ api, out }, [id], o) => {
          const answer = await api.call({
            method: "POST",
            path: jobPath(id!, verb),
            body: o.reason === undefined ? undefined : { reason: o.reason },
          });
          if (o.json) {
            out.json(answer.text);
            return;
          }
          const job = answer.json as JobJson;
          out.line(`Job ${job.jobId} ${done}: it is ${out.status(job.status)}.`);
        }),
      );
  }

  subcommand(jobs, "priority <id> <priority>", "change an unfinished job's priority (higher runs first)", [
    "objbatch jobs priority 3f0c9a4e-... 50",
  ]).action(
    action(async ({ api, out }, [id, value], o) => {
      if (!/^\d{1,10}$/.test(value!) || Number(value) > MAX_PRIORITY) {
        throw new CliError(`the priority is a whole number from 0 to ${MAX_PRIORITY}, not ${JSON.stringify(value)}`);
      }
      const priority = Number(value);
      const answer = await api.call({ method: "PATCH", path: jobPath(id!), body: { priority } });
      if (o.json) {
        out.json(answer.text);
        return;
      }
      const job = answer.json as JobJson;
      out.line(`Job ${job.jobId} has priority ${job.priority} (${out.status(job.status)}).`);
    }),
  );

  subcommand(jobs, "tags <id> [pairs...]", "show a job's tags, or replace them with KEY=VALUE pairs", [
    "objbatch jobs tags 3f0c9a4e-...",
    "objbatch jobs tags 3f0c9a4e-... team=media cost-center=42",
    "objbatch jobs tags 3f0c9a4e-... --clear",
  ])
    .option("--clear", "remove every tag")
    .action(
      action<CommonOptions & { clear?: boolean }>(async ({ api, out }, [id, ...pairs], o) => {
        if (o.clear && pairs.length > 0) throw new CliError("give KEY=VALUE pairs or --clear, not both");
        if (o.clear) await api.call({ method: "DELETE", path: jobPath(id!, "tags") });
        const answer =
          pairs.length > 0
            ? await api.call({ method: "PUT", path: jobPath(id!, "tags"), body: { tags: tagPairs(pairs) } })
            : await api.call({ method: "GET", path: jobPath(id!, "tags") });
        if (o.json) {
          out.json(answer.text);
          return;
        }
        const tags = (answer.json as { tags: { key: string; value: string }[] }).tags;
        if (tags.length === 0) out.line(`Job ${id} has no tags.`);
        else
          out.table(
            ["KEY", "VALUE"],
            tags.map((t) => [t.key, t.value]),
            { shrink: [1] },
          );
      }),
    );

  subcommand(jobs, "failures <id>", "a job's failed tasks grouped by cause (HTTP status and error code)", [
    "objbatch jobs failures 3f0c9a4e-...",
    "objbatch jobs failures 3f0c9a4e-... --json | jq '.causes[0]'",
  ]).action(
    action(async ({ api, out }, [id], o) => {
      const answer = await api.call({ method: "GET", path: jobPath(id!, "failures") });
      if (o.json) out.json(answer.text);
      else showFailures(out, answer.json as JobFailuresJson);
    }),
  );

  subcommand(jobs, "report <id>", "a job's completion report: its state and results files, or download them", [
    "objbatch jobs report 3f0c9a4e-...",
    "objbatch jobs report 3f0c9a4e-... --download ./report",
  ])
    .option("--download <dir>", "write every completed results file (and manifest.json) into this directory")
    .action(
      action<CommonOptions & { download?: string }>(async ({ api, out, note }, [id], o) => {
        const answer = await api.call({ method: "GET", path: jobPath(id!, "report") });
        const report = answer.json as JobReportJson;
        if (o.download !== undefined && !report.enabled) {
          throw new CliError(`job ${report.jobId} writes no completion report: there is nothing to download`);
        }
        if (o.download !== undefined) {
          const written = await downloadReport(api, report as ReportJson, o.download);
          if (o.json) out.json(answer.text);
          else for (const file of written) out.line(`${file.path} (${file.bytes} bytes)`);
          const pending = report.files.filter((f) => !f.completed).length;
          if (pending > 0) note(`${pending} results files are still being written; download again once the job ends.`);
          if (written.length === 0 && !o.json) note("The report has no completed results files yet.");
          return;
        }
        if (o.json) out.json(answer.text);
        else showReport(out, report);
      }),
    );

  subcommand(jobs, "delete <id>", "delete a finished job (Complete, Cancelled or Failed); its report stays", [
    "objbatch jobs delete 3f0c9a4e-...",
  ]).action(
    action(async ({ api, out }, [id], o) => {
      await api.call({ method: "DELETE", path: jobPath(id!) });
      // The API answers 204 without a body: --json prints nothing, the exit code says it was deleted.
      if (!o.json) out.line(`Deleted job ${id}.`);
    }),
  );

  subcommand(jobs, "watch <id>", "follow a job with a live progress bar until it ends; the exit code tells how", [
    "objbatch jobs watch 3f0c9a4e-...",
    "objbatch jobs watch 3f0c9a4e-... > progress.log      plain lines, at most one every 5 s",
    "objbatch jobs watch 3f0c9a4e-... --json | jq -c .progress",
    "objbatch jobs watch 3f0c9a4e-... || objbatch jobs rerun 3f0c9a4e-...",
  ])
    .addHelpText(
      "after",
      "\nExits 0 when the job completed with no failed task, 10 when some tasks failed, 11 when the job failed,\n" +
        "12 when it was cancelled; Ctrl-C detaches (the job keeps running) with 130. --json prints each event's\n" +
        "data as it came, one JSON object per line.\n",
    )
    .action(
      action(async ({ api, out, note }, [id], o) =>
        watchJob(id!, { api, out, note, stdout: process.stdout, json: o.json === true }),
      ),
    );

  subcommand(
    jobs,
    "rerun <id>",
    "run a finished job's failed tasks again, as a new job (from its report); then watch it",
    [
      "objbatch jobs rerun 3f0c9a4e-...",
      "objbatch jobs rerun 3f0c9a4e-... --error-code SlowDown --error-code InternalError",
      "objbatch jobs rerun 3f0c9a4e-... --scope not-succeeded --priority 50 --detach",
    ],
  )
    .option(
      "--scope <scope>",
      "failed (the default): the failed tasks; not-succeeded: those and the ones never run",
      scopeOf,
    )
    .option("--error-code <code>", "only the failed tasks with this error code (repeatable)", collect)
    .option(
      "--priority <n>",
      "the new job's priority (default: the source's)",
      positiveInteger("--priority", MAX_PRIORITY),
    )
    .option("--description <text>", "the new job's description (default: the source's)")
    .option("--detach", "do not watch the new job")
    .action(
      action<
        CommonOptions & {
          scope?: "failed" | "notSucceeded";
          errorCode?: string[];
          priority?: number;
          description?: string;
          detach?: boolean;
        }
      >(async (ctx, [id], o) => {
        const created = await ctx.api.call({
          method: "POST",
          path: jobPath(id!, "rerun"),
          body: {
            scope: o.scope ?? "failed",
            ...(o.errorCode === undefined ? {} : { errorCodes: o.errorCode }),
            ...(o.priority === undefined ? {} : { priority: o.priority }),
            ...(o.description === undefined ? {} : { description: o.description }),
          },
        });
        return announceAndWatch(ctx, created, `rerunning tasks of ${id}`, o);
      }),
    );

  subcommand(jobs, "clone <id>", "create a new job with a job's manifest (or listing) and operation; then watch it", [
    "objbatch jobs clone 3f0c9a4e-...",
    'objbatch jobs clone 3f0c9a4e-... --description "nightly copy, again" --detach',
  ])
    .option(
      "--priority <n>",
      "the new job's priority (default: the source's)",
      positiveInteger("--priority", MAX_PRIORITY),
    )
    .option("--description <text>", "the new job's description (default: the source's)")
    .option("--detach", "do not watch the new job")
    .action(
      action<CommonOptions & { priority?: number; description?: string; detach?: boolean }>(async (ctx, [id], o) => {
        const created = await ctx.api.call({
          method: "POST",
          path: jobPath(id!, "clone"),
          body: {
            ...(o.priority === undefined ? {} : { priority: o.priority }),
            ...(o.description === undefined ? {} : { description: o.description }),
          },
        });
        return announceAndWatch(ctx, created, `a clone of ${id}`, o);
      }),
    );

  subcommand(jobs, "tasks <id>", "a job's task results from its report: the failed ones, or the succeeded", [
    "objbatch jobs tasks 3f0c9a4e-...",
    "objbatch jobs tasks 3f0c9a4e-... --error-code NoSuchKey --all",
    "objbatch jobs tasks 3f0c9a4e-... --status succeeded --all --json | jq -r '.tasks[].key'",
  ])
    .option("--status <status>", "failed (the default) or succeeded", taskStatusOf)
    .option("--error-code <code>", "only the failed tasks with this error code")
    .option("--limit <n>", "tasks per page, 1 to 1000 (the server's default 100)", positiveInteger("--limit", 1000))
    .option("--cursor <cursor>", "the page after a previous answer's nextCursor")
    .option("--all", "follow every page to the last")
    .action(
      action<
        CommonOptions & {
          status?: string;
          errorCode?: string;
          limit?: number;
          cursor?: string;
          all?: boolean;
        }
      >(async ({ api, out, note }, [id], o) => {
        const query = {
          status: o.status,
          errorCode: o.errorCode,
          limit: o.limit === undefined ? undefined : String(o.limit),
        };
        const path = jobPath(id!, "tasks");
        let answer = await api.call({ method: "GET", path, query: { ...query, cursor: o.cursor } });
        let page = answer.json as TaskResultPageJson;
        const all = [...page.tasks];
        while (o.all && page.nextCursor !== null) {
          answer = await api.call({ method: "GET", path, query: { ...query, cursor: page.nextCursor } });
          page = answer.json as TaskResultPageJson;
          all.push(...page.tasks);
        }
        if (o.json) {
          out.json(o.all ? JSON.stringify({ tasks: all, nextCursor: null }) : answer.text);
          return;
        }
        showTaskResults(out, all);
        if (page.nextCursor !== null) {
          note(`More tasks: objbatch jobs tasks ${id} --all, or --cursor ${page.nextCursor} for the next page.`);
        }
      }),
    );

  return jobs;
}

function scopeOf(value: string): "failed" | "notSucceeded" {
  if (value === "failed") return "failed";
  if (value === "not-succeeded" || value === "notSucceeded") return "notSucceeded";
  throw new InvalidArgumentError("the scope is failed or not-succeeded.");
}

function taskStatusOf(value: string): string {
  if (value === "failed" || value === "succeeded") return value;
  throw new InvalidArgumentError("the status is failed or succeeded.");
}
