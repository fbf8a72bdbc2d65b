/**
 * A request's JSON body: read raw (the signature may hash it), then decoded as UTF-8, parsed and checked against
 * the route's schema. A body of another media type is 415; bytes that are not JSON are 400 malformed-json with
 * the parser's words; a body that is JSON of the wrong shape is 400 validation with every problem listed.
 */
import type { FastifyRequest } from "fastify";
import type { TSchema } from "typebox";
import { bodyBytesOf } from "../http/raw-body.js";
import { ProblemError, validationProblem } from "./problems.js";
import { checked } from "./validation.js";

const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.-]+\+)?json\s*(?:;|$)/i;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The body checked against `schema`; undefined when there is none and none is required. */
export function jsonBodyOf(request: FastifyRequest, schema: TSchema, required: boolean): unknown {
  const bytes = bodyBytesOf(request);
  if (bytes.length === 0) {
    if (required) throw validationProblem("This request needs a JSON body.", [{ pointer: "", detail: "required" }]);
    return undefined;
  }
  const type = request.headers["content-type"];
  if (type !== undefined && !JSON_MEDIA_TYPE.test(type)) {
    throw new ProblemError(
      415,
      "unsupported-media-type",
      "The body must be JSON",
      `The body is sent as ${type.slice(0, 100)}; send it as application/json (curl: --json).`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (e) {
    throw new ProblemError(
      400,
      "malformed-json",
      "The body is not JSON",
      `The body is not JSON: ${(e as Error).message}`,
    );
  }
  return checked(schema, value, "body");
}

/** A route that takes no body is sent none. */
export function requireNoBody(request: FastifyRequest): void {
  if (bodyBytesOf(request).length > 0) {
    throw validationProblem("This request takes no body.", [{ pointer: "", detail: "must be empty" }]);
  }
}
