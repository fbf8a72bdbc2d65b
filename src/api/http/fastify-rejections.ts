/**
 * Fastify's own rejections of a request, sorted into what a dialect answers. Fastify throws these before a
 * route runs (a body over the limit, a bad Content-Length, an unreadable or aborted body); they are the
 * client's problem and must be answered in the dialect's error format, never as a 500. Each dialect turns the
 * two kinds into its own code and status (COS and OSS: EntityTooLarge / InvalidRequest; S3 Control:
 * BadRequestException for both).
 */
import type { FastifyError } from "fastify";
import { DomainError, invalidRequest } from "../../domain/errors.js";

export type FastifyRejection =
  /** The body is larger than the route's bodyLimit. */
  | { readonly kind: "body-too-large" }
  /** Any other 4xx Fastify raised while reading the request; `message` is Fastify's own. */
  | { readonly kind: "unreadable-request"; readonly message: string };

/** Which client-side rejection `error` is, or undefined when it is not one of Fastify's (a real failure). */
export function fastifyRejectionOf(error: unknown): FastifyRejection | undefined {
  // A handler may throw anything, null included; only an object can be one of Fastify's errors.
  if (typeof error !== "object" || error === null) return undefined;
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") return { kind: "body-too-large" };
  const status = fastifyError.statusCode;
  if (
    typeof fastifyError.code === "string" &&
    fastifyError.code.startsWith("FST_") &&
    status !== undefined &&
    status >= 400 &&
    status < 500
  ) {
    return { kind: "unreadable-request", message: fastifyError.message ?? "The request could not be read." };
  }
  return undefined;
}

/** The EntityTooLarge error COS and OSS answer a body over the limit with. */
function entityTooLarge(maxBodyBytes: number): DomainError {
  return new DomainError(
    "EntityTooLarge",
    `Your proposed upload exceeds the maximum allowed size of ${maxBodyBytes} bytes.`,
  );
}

/** The DomainError COS and OSS answer a rejection with: EntityTooLarge, or InvalidRequest in Fastify's words. */
export function rejectionAsDomainError(rejection: FastifyRejection, maxBodyBytes: number): DomainError {
  return rejection.kind === "body-too-large" ? entityTooLarge(maxBodyBytes) : invalidRequest(rejection.message);
}
