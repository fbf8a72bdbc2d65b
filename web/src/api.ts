/**
 * The console's only way to the server: the JSON API (/api/v1) with the session's cookie, and its CSRF token in
 * X-CSRF-Token on every request that changes something (D33). A refusal is an ApiError carrying the API's
 * problem (RFC 9457): its title, its detail and the fields it names, which the pages show as they are.
 */

import type { Static } from "typebox";
import type { JobFailuresJson } from "../../src/api/json/schemas/failures.js";
import type { JobJson, JobPageJson } from "../../src/api/json/schemas/job.js";
import type { JobPreviewSchema } from "../../src/api/json/schemas/preview.js";
import type { JobReportJson } from "../../src/api/json/schemas/report.js";
import type { CreateJobRequest } from "../../src/api/json/schemas/requests.js";
import type { SessionJson } from "../../src/api/json/schemas/session.js";

export type JobPreviewJson = Static<typeof JobPreviewSchema>;
export type { CreateJobRequest, JobFailuresJson, JobJson, JobPageJson, JobReportJson, SessionJson };

export const API = "/api/v1";

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly { pointer: string; detail: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
}

let csrfToken: string | undefined;

/** The session's CSRF token, once signed in (or read back from GET /session). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A request of the JSON API; `raw` sends bytes as they are (a manifest to upload) instead of a JSON body. */
export async function call<T>(
  method: Method,
  path: string,
  body?: unknown,
  query?: Record<string, string | string[] | undefined>,
  raw?: { readonly body: Blob; readonly contentType: string },
): Promise<T> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const v of value === undefined ? [] : Array.isArray(value) ? value : [value]) search.append(name, v);
  }
  const qs = search.toString();
  const headers: Record<string, string> = { accept: "application/json, application/problem+json" };
  if (raw !== undefined) headers["content-type"] = raw.contentType;
  else if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken !== undefined) headers["x-csrf-token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`${API}${path}${qs === "" ? "" : `?${qs}`}`, {
      method,
      headers,
      credentials: "same-origin",
      body: raw !== undefined ? raw.body : body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError({
      type: "unreachable",
      title: "objbatch cannot be reached",
      status: 0,
      detail: "The server did not answer; check that objbatch is running, then try again.",
    });
  }
  const text = await response.text();
  if (response.ok) return (text === "" ? undefined : JSON.parse(text)) as T;
  let problem: Problem;
  try {
    problem = JSON.parse(text) as Problem;
  } catch {
    problem = { type: "unexpected", title: response.statusText, status: response.status, detail: text.slice(0, 200) };
  }
  throw new ApiError({ ...problem, type: String(problem.type ?? "").replace(/^urn:objbatch:problem:/, "") });
}

/** Where an uploaded manifest now is (POST /manifests, D38). */
export interface UploadedManifest {
  readonly bucket: string;
  readonly key: string;
  readonly etag: string;
  readonly size: number;
}

export function uploadManifest(bucket: string, file: Blob): Promise<UploadedManifest> {
  return call<UploadedManifest>("POST", "/manifests", undefined, { bucket }, { body: file, contentType: "text/csv" });
}

export const jobPath = (jobId: string, ...rest: string[]) => ["/jobs", encodeURIComponent(jobId), ...rest].join("/");
