/**
 * The OpenAPI 3.1 document of the JSON API, generated from the route declarations (route.ts): each route's
 * query, body and response schemas are the TypeBox schemas the plugin validates with, embedded as they are
 * (OpenAPI 3.1's schema objects are JSON Schema 2020-12, which TypeBox writes). Shapes with a title that a
 * response or body uses whole (Job, JobSummary's page, Problem, ...) go to components.schemas and are
 * referenced from there. Why not @fastify/swagger: docs/decisions.md D26.
 */
import type { TSchema } from "typebox";
import type { JsonRoute } from "./route.js";
import { ProblemSchema } from "./schemas/problem.js";
import { JobIdParamSchema } from "./schemas/requests.js";

export const API_PREFIX = "/api/v1";
const PROBLEM_CONTENT = "application/problem+json";

/** Error statuses every authenticated route may answer. */
const COMMON_PROBLEMS: Readonly<Record<number, string>> = {
  400: "The request is not valid: bad JSON, wrong types, unknown fields (each problem listed in `errors`).",
  401:
    "The request is not authenticated (no, malformed, expired or wrong SigV4 signature; unknown key; a session " +
    "cookie whose session ended; a bearer access token, which is for the Google dialect only).",
  403:
    "The signature was already used for another request (D15); a request in a session that changes something " +
    "without the session's X-CSRF-Token; or the job's account may not use its report bucket.",
  404: "No such job (another account's job answers the same), or no such route.",
  409: "The job cannot make this change in its status.",
  413: "The body is too large.",
  415: "The body is not JSON.",
  429: "The account's cap on unfinished jobs is reached.",
  500: "objbatch failed; the failure is logged.",
  502: "The object storage holding the report failed to answer as it should (the detail says what it answered).",
  503: "The job store (or the report's object storage) is unavailable: try again after Retry-After seconds.",
};
const ALWAYS = [400, 401, 403, 404, 413, 500, 503];

/** The header a request in a console session sends its CSRF token in (D33), documented on every change. */
const CSRF_PARAMETER = {
  name: "X-CSRF-Token",
  in: "header",
  required: false,
  description:
    "In a console session (cookie), the session's csrfToken: required on every request that changes something. " +
    "Not used with SigV4.",
  schema: { type: "string" },
};

interface Components {
  readonly schemas: Record<string, unknown>;
}

export function openApiDocument(routes: readonly JsonRoute[], version: string): Record<string, unknown> {
  const components: Components = { schemas: { Problem: ProblemSchema } };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = API_PREFIX + route.path.replace(/:([A-Za-z]+)/g, "{$1}");
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operationOf(route, components);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "objbatch JSON API",
      version,
      description:
        "objbatch's own API for batch jobs over object storage. Requests are signed with AWS SigV4 by an access " +
        'key of an objbatch account, with any region and service name: curl --aws-sigv4 "aws:amz:us-east-1:objbatch" ' +
        "--user AK:SK. A browser signs in instead (POST /api/v1/session) and sends the session cookie, with the " +
        "session's CSRF token in X-CSRF-Token on every change. Every error is an RFC 9457 problem " +
        "(application/problem+json).",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: "/" }],
    paths,
    components: {
      ...components,
      securitySchemes: {
        sigv4: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description:
            "AWS Signature Version 4 (AWS4-HMAC-SHA256) with an objbatch access key; any region and service name. " +
            "Presigned URLs (X-Amz-Signature in the query) are accepted too. A request that carries a signature " +
            "is judged by it alone, whatever cookie it carries.",
        },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "objbatch_session",
          description:
            "A console session (POST /api/v1/session): HttpOnly, SameSite=Strict, Path=/api/v1. A request in a " +
            "session that changes something (not GET or HEAD) must send the session's csrfToken in X-CSRF-Token.",
        },
      },
    },
  };
}

function operationOf(route: JsonRoute, components: Components): Record<string, unknown> {
  const parameters: unknown[] = [];
  if (route.authenticated && route.method !== "GET") parameters.push(CSRF_PARAMETER);
  for (const name of route.path.match(/:([A-Za-z]+)/g) ?? []) {
    const schema = route.params?.[name.slice(1)] ?? JobIdParamSchema;
    parameters.push({ name: name.slice(1), in: "path", required: true, schema });
  }
  const query = route.query as { properties?: Record<string, TSchema>; required?: string[] } | undefined;
  for (const [name, schema] of Object.entries(query?.properties ?? {})) {
    const isArray = (schema as { type?: string }).type === "array";
    parameters.push({
      name,
      in: "query",
      required: query?.required?.includes(name) ?? false,
      ...(isArray ? { style: "form", explode: true } : {}),
      schema,
    });
  }
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(route.responses)) {
    const media = answer.contentType ?? "application/json";
    const schema = media === "application/json" && answer.schema ? named(answer.schema, components) : answer.schema;
    responses[status] = {
      description: answer.description,
      ...(answer.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(answer.headers).map(([name, description]) => [
                name,
                { description, schema: { type: "string" } },
              ]),
            ),
          }
        : {}),
      ...(schema ? { content: { [media]: { schema } } } : {}),
    };
  }
  const problems = route.authenticated
    ? [...ALWAYS, ...(route.body ? [415] : []), ...(route.problems ?? [])]
    : (route.problems ?? []);
  for (const status of [...new Set(problems)].sort()) {
    responses[String(status)] = {
      description: route.problemNotes?.[status] ?? COMMON_PROBLEMS[status] ?? "A problem.",
      content: { [PROBLEM_CONTENT]: { schema: { $ref: "#/components/schemas/Problem" } } },
      ...(status === 503 || status === 429
        ? {
            headers: {
              "Retry-After": { description: "Seconds to wait (when a wait is known).", schema: { type: "integer" } },
            },
          }
        : {}),
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.bodyRequired ?? true,
            content: { "application/json": { schema: named(route.body, components) } },
          },
        }
      : {}),
    ...(route.rawBody
      ? {
          requestBody: {
            required: true,
            ...(route.rawBody.description ? { description: route.rawBody.description } : {}),
            content: {
              [route.rawBody.contentType]: {
                schema: {
                  type: "string",
                  contentMediaType: route.rawBody.contentType,
                  description: `The bytes as they are, at most ${route.rawBody.maxBytes}.`,
                },
              },
            },
          },
        }
      : {}),
    responses,
    security: !route.authenticated ? [] : route.sessionOnly ? [{ session: [] }] : [{ sigv4: [] }, { session: [] }],
  };
}

/** A schema with a title, by reference to components.schemas; one without, as it is. */
function named(schema: TSchema, components: Components): unknown {
  const title = (schema as { title?: string }).title;
  if (title === undefined) return schema;
  const known = components.schemas[title];
  if (known !== undefined && known !== schema) throw new Error(`two schemas are titled ${title}`);
  components.schemas[title] = schema;
  return { $ref: `#/components/schemas/${title}` };
}
