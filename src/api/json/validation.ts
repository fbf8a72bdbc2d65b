/**
 * Checks a request's body or query against its TypeBox schema and says every problem, each at a JSON Pointer
 * (RFC 6901), in the words of the configuration's explainer (config/schema-problems.ts: the branch of a union
 * the value meant, the nearest known name for an unknown field). TypeBox decides; the explainer explains.
 */
import type { Static, TSchema } from "typebox";
import Value from "typebox/value";
import { schemaProblems } from "../../config/schema-problems.js";
import { type FieldProblem, validationProblem } from "./problems.js";

/**
 * `value` as the schema's type, or a 400 validation problem listing what is wrong: in the body at a JSON Pointer
 * (`/operation/kind`), in the query as `?name` (`?status[1]`).
 */
export function checked<S extends TSchema>(schema: S, value: unknown, what: "body" | "query"): Static<S> {
  if (Value.Check(schema, value)) return value as Static<S>;
  const errors: FieldProblem[] = schemaProblems(schema, value).map((p) => ({
    pointer: what === "query" ? `?${p.path}` : pointerOf(p.path),
    detail: p.message,
  }));
  throw validationProblem(`The ${what} is not valid: ${errors.length} problem(s).`, errors);
}

/** `a.b[0].c` (the explainer's paths) as `/a/b/0/c`. */
export function pointerOf(path: string): string {
  if (path === "") return "";
  const parts = path
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter((p) => p !== "");
  return parts.map((p) => `/${p.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}
