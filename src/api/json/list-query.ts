/**
 * The query of GET /api/v1/jobs -> a JobSearch: `status` may repeat (and each value may be comma-separated),
 * `limit` is a number, times are ISO-8601 instants; each parameter is checked against ListJobsQuerySchema, and
 * a parameter the listing does not know is refused, so a misspelt filter never silently lists everything.
 */
import type { OperationKind } from "../../domain/job.js";
import type { JobSearch } from "../../service/types.js";
import type { QueryParam } from "../auth/request-target.js";
import { decodeCursor } from "./cursor.js";
import { validationProblem } from "./problems.js";
import { ListJobsQuerySchema } from "./schemas/requests.js";
import { checked } from "./validation.js";

export const DEFAULT_LIMIT = 100;

/** The query's parameters as the schema sees them. Parameters of a presigned URL (X-Amz-*) are not the query's. */
function queryObject(params: readonly QueryParam[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, value } of params) {
    if (name.startsWith("X-Amz-")) continue;
    if (name === "status") {
      const list = (out.status as string[] | undefined) ?? [];
      list.push(...value.split(",").filter((s) => s !== ""));
      out.status = list;
    } else if (name in out) {
      throw validationProblem(`The query parameter ${name} may be given once.`, [
        { pointer: `?${name}`, detail: "given more than once" },
      ]);
    } else if (name === "limit") {
      out.limit = /^\d{1,7}$/.test(value) ? Number(value) : value;
    } else {
      out[name] = value;
    }
  }
  return out;
}

export function parseListJobsQuery(params: readonly QueryParam[]): JobSearch {
  const raw = queryObject(params);
  const query = checked(ListJobsQuerySchema, raw, "query");
  const createdFrom = query.createdAfter === undefined ? undefined : Date.parse(query.createdAfter);
  const createdTo = query.createdBefore === undefined ? undefined : Date.parse(query.createdBefore);
  return {
    statuses: query.status,
    operation: query.operation as OperationKind | undefined,
    text: query.q,
    tag: query.tag === undefined ? undefined : tagOf(query.tag),
    createdFrom,
    createdTo,
    limit: query.limit ?? DEFAULT_LIMIT,
    after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
  };
}

/** `key:value` split at the first colon. */
function tagOf(param: string): { key: string; value: string } {
  const colon = param.indexOf(":");
  return { key: param.slice(0, colon), value: param.slice(colon + 1) };
}
