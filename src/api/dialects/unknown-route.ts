/**
 * What a request that no route serves is answered: in the error format of the job API its path belongs to, with
 * that API's request-id header, never as the web framework's JSON 404. Clients parse errors in their own API's
 * format only.
 *
 *   /jobs, /jobs/...                 COS          <Error> + x-cos-request-id
 *   /?batchJob..., any path naming   OSS          <Error> + x-oss-request-id (EC left out)
 *     a batch sub-resource, and /
 *   /v20180820, /v20180820/...       S3 Control   <ErrorResponse> + x-amz-request-id, x-amz-id-2 (its plugin answers
 *                                                 these itself, through s3ControlUnknownRoute)
 *   anything else                    S3-style     <Error><Code>NoSuchResource</Code>... + x-amz-request-id, 404
 *
 * A resource the API has, asked with a method it does not serve (OPTIONS, or HEAD on a POST-only resource), is
 * 405 MethodNotAllowed; a path the API does not have is 404 (COS and OSS NoSuchResource, S3 Control
 * NotFoundException). objbatch answers no CORS preflight: its APIs are called by SDKs and CLIs, not browsers.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { DialectErrorFormat } from "../http/dialect-plugin.js";
import { sendXml } from "../http/xml-reply.js";
import { el, leaf, toXml } from "../xml/build.js";
import { COS_ERROR_FORMAT, type CosError, renderCosError } from "./cos/errors.js";
import { OSS_ERROR_FORMAT, type OssError } from "./oss/errors.js";
import { newRequestId, S3CONTROL_ERROR_FORMAT, S3ControlError } from "./s3control/errors.js";

export type RouteOwner = "cos" | "oss" | "s3control";

const OSS_SUB_RESOURCE = /(?:^|&)batchJob(?:Priority|Status)?(?:=|&|$)/;

/** The API a request target belongs to, or undefined when it belongs to none. */
export function ownerOfTarget(url: string): RouteOwner | undefined {
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? "" : url.slice(q + 1);
  if (path === "/v20180820" || path.startsWith("/v20180820/")) return "s3control";
  if (path === "/jobs" || path.startsWith("/jobs/")) return "cos";
  if (path === "/" || OSS_SUB_RESOURCE.test(query)) return "oss";
  return undefined;
}

const RESOURCES: Readonly<Record<RouteOwner, RegExp>> = {
  cos: /^\/jobs(?:\/|\/[^/]+(?:\/(?:priority|status))?)?$/,
  oss: /^\/$/,
  s3control: /^\/v20180820\/jobs(?:\/|\/[^/]+(?:\/(?:priority|status|tagging))?)?$/,
};

/** Whether the API has the resource the request names (so only the method is wrong). */
export function isKnownResource(owner: RouteOwner, url: string): boolean {
  const q = url.indexOf("?");
  return RESOURCES[owner].test(q === -1 ? url : url.slice(0, q));
}

function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf("?");
  return (q === -1 ? request.url : request.url.slice(0, q)).slice(0, 256);
}

function methodNotAllowedMessage(request: FastifyRequest): string {
  return `The specified method ${request.method} is not allowed against this resource.`;
}

function noSuchResourceMessage(request: FastifyRequest): string {
  return `There is no ${request.method} ${pathOf(request)} in this API.`;
}

/** The S3 Control plugin's own not-found answer (its error handler renders it). */
export function s3ControlUnknownRoute(request: FastifyRequest): S3ControlError {
  return isKnownResource("s3control", request.url)
    ? new S3ControlError(405, "MethodNotAllowed", methodNotAllowedMessage(request))
    : new S3ControlError(
        404,
        "NotFoundException",
        `objbatch serves only the S3 Batch Operations job API; there is no ${request.method} ${pathOf(request)}.`,
      );
}

/** The server's not-found handler: answers in the format of the API the target belongs to (table above). */
export async function answerUnknownRoute(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const owner = ownerOfTarget(request.url);
  const known = owner !== undefined && isKnownResource(owner, request.url);
  switch (owner) {
    case "cos": {
      const error: CosError = known
        ? { status: 405, code: "MethodNotAllowed", message: methodNotAllowedMessage(request) }
        : { status: 404, code: "NoSuchResource", message: noSuchResourceMessage(request) };
      // Resource names the path as far as it is echoed in the message (256 characters).
      answerIn(COS_ERROR_FORMAT, error, request, reply, (e, _request, ids) =>
        renderCosError(e, `${request.headers.host ?? ""}${pathOf(request)}`, ids.requestId),
      );
      return;
    }
    case "oss": {
      const error: OssError = known
        ? { status: 405, code: "MethodNotAllowed", message: methodNotAllowedMessage(request) }
        : { status: 404, code: "NoSuchResource", message: noSuchResourceMessage(request) };
      answerIn(OSS_ERROR_FORMAT, error, request, reply);
      return;
    }
    case "s3control":
      answerIn(S3CONTROL_ERROR_FORMAT, s3ControlUnknownRoute(request), request, reply);
      return;
    default: {
      const requestId = newRequestId();
      reply.code(404).header("x-amz-request-id", requestId);
      sendXml(reply, renderNoSuchResource(request, requestId));
    }
  }
}

/** Sends `error` in a dialect's format, with fresh request ids in its headers and body. */
function answerIn<E extends { readonly status: number }, Ids>(
  format: DialectErrorFormat<E, Ids>,
  error: E,
  request: FastifyRequest,
  reply: FastifyReply,
  render: DialectErrorFormat<E, Ids>["render"] = format.render,
): void {
  const ids = format.newIds();
  reply.code(error.status).headers(format.idHeaders(ids));
  sendXml(reply, render(error, request, ids));
}

/** An S3-style error for a target that belongs to none of the APIs. */
function renderNoSuchResource(request: FastifyRequest, requestId: string): string {
  const message =
    "objbatch serves the COS (/jobs), OSS (/?batchJob) and S3 Control (/v20180820/jobs) job APIs; " +
    `there is no ${request.method} ${pathOf(request)}.`;
  return toXml(
    el(
      "Error",
      leaf("Code", "NoSuchResource"),
      leaf("Message", message),
      leaf("Resource", pathOf(request)),
      leaf("RequestId", requestId),
    ),
  );
}
