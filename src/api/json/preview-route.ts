/**
 * POST /jobs/preview: the same body as POST /jobs, converted to the canonical job by the same code (jobSpecOf),
 * answered with what the job would do (preview/job-preview.ts, D28), without creating or writing anything.
 * `sample` and `timeoutMs` come in the query, so the body stays exactly a job.
 */

import { DEFAULT_SAMPLE, DEFAULT_TIMEOUT_MS, type JobPreviewerApi } from "../../preview/job-preview.js";
import type { QueryParam } from "../auth/request-target.js";
import { jobSpecOf } from "./create-job-request.js";
import { ProblemError } from "./problems.js";
import { queryObject } from "./query-object.js";
import type { JsonRoute } from "./route.js";
import { JobPreviewSchema, PreviewQuerySchema } from "./schemas/preview.js";
import { type CreateJobRequest, CreateJobRequestSchema } from "./schemas/requests.js";
import { checked } from "./validation.js";

export function previewRoute(previewer: JobPreviewerApi | undefined): JsonRoute {
  return {
    method: "POST",
    path: "/jobs/preview",
    operationId: "previewJob",
    summary: "What a job would do, without creating it: task count, a sample of tasks, and every problem found",
    description:
      "Reads the manifest (or lists the generator's bucket) as the engine would, within `timeoutMs`, and HEADs " +
      "the sampled objects. Nothing is created or written. A bucket the job may not use is a problem in the " +
      "answer; nothing is asked about it.",
    authenticated: true,
    query: PreviewQuerySchema,
    body: CreateJobRequestSchema,
    responses: { 200: { description: "The preview.", schema: JobPreviewSchema } },
    problems: [501],
    handler: async ({ account, query, body }) => {
      const options = parsePreviewQuery(query);
      const spec = jobSpecOf(body as CreateJobRequest, account.id);
      if (previewer === undefined) {
        throw new ProblemError(
          501,
          "not-implemented",
          "Not implemented",
          "This server has no storage to preview jobs with.",
        );
      }
      return { status: 200, body: await previewer.preview(spec, account, options) };
    },
  };
}

function parsePreviewQuery(params: readonly QueryParam[]): { sample: number; timeoutMs: number } {
  const query = checked(PreviewQuerySchema, queryObject(params, ["sample", "timeoutMs"]), "query");
  return { sample: query.sample ?? DEFAULT_SAMPLE, timeoutMs: query.timeoutMs ?? DEFAULT_TIMEOUT_MS };
}
