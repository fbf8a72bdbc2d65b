/**
 * The JSON API refuses bearer access tokens (D44) with a problem that says where they belong: they are for the
 * Google batch operations dialect (/v1/projects/{project}/...), and this API takes an AWS SigV4 signature or a
 * console session. Without this, `Authorization: Bearer ...` would be judged as a malformed SigV4 header. Refusing
 * it here also means a token cannot mint more tokens (POST /api/v1/tokens), so none outlives the one it came from.
 */
import type { FastifyRequest } from "fastify";
import { ProblemError } from "./problems.js";

/** Whether the request's Authorization header carries a bearer token (the scheme is case-insensitive, RFC 9110). */
export function carriesBearerToken(request: FastifyRequest): boolean {
  const header = request.headers.authorization;
  return typeof header === "string" && /^bearer(\s|$)/i.test(header.trimStart());
}

export function bearerTokenProblem(): ProblemError {
  return new ProblemError(
    401,
    "bearer-token-not-accepted",
    "Bearer tokens are not accepted by the JSON API",
    "objbatch access tokens (Authorization: Bearer) are for the Google Cloud Storage batch operations API under " +
      "/v1/projects/{project}/... only. Call /api/v1 with an AWS SigV4 signature (an access key) or a console " +
      "session; POST /api/v1/tokens issues access tokens with those.",
  );
}
