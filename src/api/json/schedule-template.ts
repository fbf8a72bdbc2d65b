/**
 * A schedule's job template (D43, schemas/schedule.ts) checked when the schedule is created, and turned into the
 * JobSpec of each run: its relative dates resolved against the run's due time (schedules/relative-dates.ts), then
 * exactly what POST /jobs does with a body (the CreateJobRequest schema, then create-job-request.ts), so a
 * template is refused with the same problems a job would be, each at its place under `/job`. A run's job gets
 * the token `schedule:<scheduleId>:<due time>` (one job per due time, D5) and the tag objbatch:schedule=<id>.
 */
import type { JobSpec, Tag } from "../../domain/job.js";
import { scheduleJobToken } from "../../domain/schedule.js";
import { relativeDateProblems, resolveRelativeDates } from "../../schedules/relative-dates.js";
import { jobSpecOf } from "./create-job-request.js";
import { type FieldProblem, ProblemError, validationProblem } from "./problems.js";
import { CreateJobRequestSchema } from "./schemas/requests.js";
import { checked } from "./validation.js";

/** The tag each run's job carries, naming its schedule. */
export const SCHEDULE_TAG = "objbatch:schedule";
/** A job may have 50 tags (the schema's and the JobService's default cap); a run adds one. */
const MAX_TEMPLATE_TAGS = 49;

/**
 * Throws the 400 validation problem a POST /jobs of the template would get (pointers under `/job`), resolving
 * its relative dates at `at`; returns when the template would make a job.
 */
export function checkScheduleTemplate(
  template: Readonly<Record<string, unknown>>,
  accountId: string,
  at: number,
): void {
  const problems: FieldProblem[] = relativeDateProblems(template).map((p) => ({
    pointer: `/job${p.pointer}`,
    detail: p.detail,
  }));
  const tags = template.tags as unknown[] | undefined;
  if ((tags?.length ?? 0) > MAX_TEMPLATE_TAGS) {
    problems.push({
      pointer: "/job/tags",
      detail: `a schedule's job may have at most ${MAX_TEMPLATE_TAGS} tags: each run adds ${SCHEDULE_TAG}`,
    });
  }
  if (problems.length > 0) throw validationProblem(`The job is not valid: ${problems.length} problem(s).`, problems);
  try {
    jobSpecOfTemplate(template, accountId, at);
  } catch (e) {
    if (!(e instanceof ProblemError) || e.errors === undefined) throw e;
    throw validationProblem(
      e.detail,
      e.errors.map((p) => ({ ...p, pointer: `/job${p.pointer}` })),
    );
  }
}

/** The JobSpec of the schedule's run due at `dueAt`. */
export function scheduledJobSpec(
  template: Readonly<Record<string, unknown>>,
  accountId: string,
  scheduleId: string,
  dueAt: number,
): JobSpec {
  const spec = jobSpecOfTemplate(template, accountId, dueAt);
  const tags: Tag[] = [...(spec.tags ?? []), { key: SCHEDULE_TAG, value: scheduleId }];
  return { ...spec, clientRequestToken: scheduleJobToken(scheduleId, dueAt), tags };
}

function jobSpecOfTemplate(template: Readonly<Record<string, unknown>>, accountId: string, at: number): JobSpec {
  const request = checked(CreateJobRequestSchema, resolveRelativeDates(template, at), "body");
  return jobSpecOf(request, accountId);
}
