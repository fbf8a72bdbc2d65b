/**
 * A route's query as the object its schema checks (validation.ts): each parameter at most once (a repeat is a 400
 * problem at `?name`), the ones named numeric as numbers when they are whole numbers of at most nine digits
 * (anything else stays a string, for the schema to refuse with its own words), and the parameters of a presigned
 * URL (X-Amz-*) left out: they are the signature's, not the query's.
 */
import type { QueryParam } from "../auth/request-target.js";
import { validationProblem } from "./problems.js";

export function queryObject(params: readonly QueryParam[], numeric: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, value } of params) {
    if (name.startsWith("X-Amz-")) continue;
    if (name in out) {
      throw validationProblem(`The query parameter ${name} may be given once.`, [
        { pointer: `?${name}`, detail: "given more than once" },
      ]);
    }
    out[name] = numeric.includes(name) && /^\d{1,9}$/.test(value) ? Number(value) : value;
  }
  return out;
}
