/**
 * 405 MethodNotAllowed for a method a job resource does not serve. Dialects register rejectMethod for those
 * methods so the answer comes in their own error format rather than as Fastify's 404.
 */
import type { FastifyRequest } from "fastify";
import { DomainError } from "../../domain/errors.js";

/** `subResource` names the OSS sub-resource (batchJobStatus, ...) the method was sent to, when there is one. */
export function methodNotAllowed(method: string, subResource?: string): DomainError {
  return new DomainError(
    "MethodNotAllowed",
    `The specified method ${method} is not allowed against this resource${subResource ? ` (${subResource})` : ""}.`,
  );
}

/** A route handler that refuses its request's method. */
export async function rejectMethod(request: FastifyRequest): Promise<never> {
  throw methodNotAllowed(request.method);
}
